/* regex.c: PCRE2 behind eddy's regular-expression interface (see regex.h).
 *
 * Layer: expr. Owns the compiled code, its JIT code and the spare match block of each Regex,
 * all allocated through mem_alloc (PCRE2's general context) except the JIT's executable pages,
 * which PCRE2 maps itself; rx_free releases both. Never evaluates expressions or touches
 * vectors. Patterns run in UTF mode, so '.' and bracket expressions see whole characters, as in
 * PostgreSQL on a UTF8 database.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "expr/regex.h"

#include "base/mem.h"

#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct Regex {
	pcre2_code *code;
	bool jit;                         /* JIT-compiled: match with pcre2_jit_match */
	int groups;                       /* capture groups */
	_Atomic(pcre2_match_data *) spare; /* one match block kept for the next caller */
};

/* PCRE2 allocates through eddy's allocator, so its memory is counted with the rest. */
static void *pcre_alloc(size_t n, void *data)
{
	(void)data;
	return mem_alloc(n);
}

static void pcre_free(void *p, void *data)
{
	(void)data;
	mem_free(p);
}

/* PostgreSQL's defaults in PCRE2 terms: '.' matches a newline (DOTALL) and '$' matches only at
 * the very end (DOLLAR_ENDONLY; PCRE's default also matches before a final newline). */
#define RX_BASE (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY)

/* Bytes of the UTF-8 character at s (1 for a stray byte), for quoting one flag letter. */
static size_t char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	return k < n ? k : n;
}

RxFlags rx_flags_default(void)
{
	return (RxFlags){.opts = RX_BASE, .global = false};
}

int rx_flags_apply(RxFlags *out, const char *s, size_t n, const char *func, bool global_ok, Err *e)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t nl = PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_MULTILINE;
		switch (s[i]) {
		case 'g':
			if (!global_ok)
				return err_set(e, ERR_INVALID_PARAMETER_VALUE,
					       "%s() does not support the \"global\" option", func);
			out->global = true;
			break;
		case 'i':
			out->opts |= PCRE2_CASELESS;
			break;
		case 'c':
			out->opts &= ~(uint32_t)PCRE2_CASELESS;
			break;
		case 'n': /* newline-sensitive: '.' stops at newlines, '^' '$' match at lines */
		case 'm':
			out->opts = (out->opts & ~nl) | PCRE2_MULTILINE;
			break;
		case 'p': /* partial: '.' stops at newlines, '^' '$' only at the ends */
			out->opts = (out->opts & ~nl) | PCRE2_DOLLAR_ENDONLY;
			break;
		case 'w': /* inverse partial: '.' matches newlines, '^' '$' match at lines */
			out->opts = (out->opts & ~nl) | PCRE2_DOTALL | PCRE2_MULTILINE;
			break;
		case 's':
			out->opts = (out->opts & ~nl) | PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY;
			break;
		case 'x':
			out->opts |= PCRE2_EXTENDED;
			break;
		case 'q': /* the whole pattern is a literal string */
			out->opts |= PCRE2_LITERAL;
			break;
		case 'b':
		case 'e':
			return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				       "regular expression option \"%c\" is not supported: eddy's "
				       "patterns are always advanced (PCRE) syntax",
				       s[i]);
		default:
			return err_set(e, ERR_INVALID_PARAMETER_VALUE,
				       "invalid regular expression option: \"%.*s\"",
				       (int)char_len(s + i, n - i), s + i);
		}
	}
	/* A literal pattern takes only the options that keep their meaning for a literal. */
	if (out->opts & PCRE2_LITERAL)
		out->opts &= PCRE2_LITERAL | PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	return 0;
}

/* PostgreSQL rejects a bound left open ("a{2"), where PCRE reads the brace as a literal: the
 * offset of the first '{' + digit outside a bracket expression that does not form {m}, {m,}
 * or {m,n}, or -1. */
static long open_bound(const char *p, size_t n)
{
	bool in_class = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\\') {
			i++;
		} else if (in_class) {
			if (c == '[' && i + 1 < n && (p[i + 1] == ':' || p[i + 1] == '.' ||
						      p[i + 1] == '=')) {
				/* [:alpha:] and friends hold a ']' of their own */
				const char *end = memchr(p + i + 2, ']', n - i - 2);
				i = end ? (size_t)(end - p) : n;
			} else if (c == ']') {
				in_class = false;
			}
		} else if (c == '[') {
			in_class = true;
			if (i + 1 < n && p[i + 1] == '^')
				i++;
			if (i + 1 < n && p[i + 1] == ']') /* a leading ']' is a member */
				i++;
		} else if (c == '{' && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9') {
			size_t j = i + 1;
			while (j < n && p[j] >= '0' && p[j] <= '9')
				j++;
			if (j < n && p[j] == ',')
				j++;
			while (j < n && p[j] >= '0' && p[j] <= '9')
				j++;
			if (j == n || p[j] != '}')
				return (long)i;
			i = j;
		}
	}
	return -1;
}

Regex *rx_compile(const char *p, size_t n, uint32_t opts, Err *e)
{
	long ob = (opts & PCRE2_LITERAL) ? -1 : open_bound(p, n);
	if (ob >= 0) {
		err_set(e, ERR_INVALID_REGEX,
			"invalid regular expression: braces {} not balanced at offset %ld", ob);
		return NULL;
	}
	pcre2_general_context *gc = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
	pcre2_compile_context *cc = pcre2_compile_context_create(gc);
	int ecode;
	PCRE2_SIZE eoff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)(n ? p : ""), n, opts, &ecode, &eoff, cc);
	pcre2_compile_context_free(cc);
	pcre2_general_context_free(gc);
	if (!code) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(ecode, msg, sizeof msg) < 0)
			snprintf((char *)msg, sizeof msg, "error %d", ecode);
		err_set(e, ERR_INVALID_REGEX, "invalid regular expression: %s at offset %zu",
			(const char *)msg, (size_t)eoff);
		return NULL;
	}
	Regex *re = mem_calloc(1, sizeof *re);
	re->code = code;
	/* Without JIT support (or executable memory) PCRE2's interpreter runs the same code. */
	re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	uint32_t groups = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	re->groups = (int)groups;
	atomic_init(&re->spare, NULL);
	return re;
}

void rx_free(Regex *re)
{
	if (!re)
		return;
	pcre2_match_data_free(atomic_load(&re->spare));
	pcre2_code_free(re->code);
	mem_free(re);
}

void rx_free_cb(void *re)
{
	rx_free(re);
}

int rx_groups(const Regex *re)
{
	return re->groups;
}

RxMatch *rx_match_take(Regex *re)
{
	pcre2_match_data *md = atomic_exchange(&re->spare, NULL);
	if (!md)
		md = pcre2_match_data_create_from_pattern(re->code, NULL);
	if (!md)
		mem_alloc(SIZE_MAX); /* out of memory: mem_alloc aborts with its message */
	return (RxMatch *)md;
}

void rx_match_give(Regex *re, RxMatch *m)
{
	pcre2_match_data *old = NULL;
	if (!atomic_compare_exchange_strong(&re->spare, &old, (pcre2_match_data *)m))
		pcre2_match_data_free((pcre2_match_data *)m);
}

int rx_exec(const Regex *re, RxMatch *m, const char *s, size_t n, size_t start, Err *e)
{
	pcre2_match_data *md = (pcre2_match_data *)m;
	PCRE2_SPTR subj = (PCRE2_SPTR)(n ? s : "");
	/* Compiled with PCRE2_MATCH_INVALID_UTF, so neither path needs the subject checked first:
	 * bytes that are not UTF-8 simply match nothing. */
	int rc = re->jit ? pcre2_jit_match(re->code, subj, n, start, 0, md, NULL)
			 : pcre2_match(re->code, subj, n, start, 0, md, NULL);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	/* Only a resource limit (match or depth limit, JIT stack) can end a match otherwise. */
	PCRE2_UCHAR msg[256];
	if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
		snprintf((char *)msg, sizeof msg, "error %d", rc);
	return err_set(e, ERR_PROGRAM_LIMIT, "regular expression failed: %s", (const char *)msg);
}

bool rx_group(const RxMatch *m, int g, size_t *so, size_t *eo)
{
	const pcre2_match_data *md = (const pcre2_match_data *)m;
	if (g < 0 || (uint32_t)g >= pcre2_get_ovector_count((pcre2_match_data *)md))
		return false;
	const PCRE2_SIZE *ov = pcre2_get_ovector_pointer((pcre2_match_data *)md);
	if (ov[2 * g] == PCRE2_UNSET)
		return false;
	*so = ov[2 * g];
	*eo = ov[2 * g + 1];
	return true;
}
