/* lexer.c: SQL text to tokens (see lexer.h). Layer: sql. Owns nothing beyond the token array
 * it builds in the caller's arena; it never reports errors itself (they become TOK_ERROR). */
#include "sql/lexer.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NUL_BYTE_MSG "invalid byte sequence for encoding \"UTF8\": 0x00"

const KwInfo kw_table[KW__COUNT] = {
	{"", KW_UNRESERVED},
#define KW_INFO(id, text, cat) {text, cat},
	KEYWORD_LIST(KW_INFO)
#undef KW_INFO
};

Keyword kw_lookup(const char *s, int n)
{
	int lo = 1, hi = KW__COUNT - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const char *k = kw_table[mid].text;
		int c = strncmp(k, s, (size_t)n);
		if (c == 0 && k[n] != '\0')
			c = 1;
		if (c == 0)
			return (Keyword)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return KW__NONE;
}

typedef struct Lexer {
	const char *s;
	int i;           /* current byte offset */
	int chars;       /* characters before byte offset `counted` */
	int counted;
	Arena *a;
	Token *toks;
	int n, cap;
	/* scratch for decoded strings */
	char *buf;
	int blen, bcap;
} Lexer;

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_cont(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Character position (1-based) of byte offset off; offsets only grow between calls. */
static int char_pos(Lexer *lx, int off)
{
	for (; lx->counted < off; lx->counted++)
		if (((unsigned char)lx->s[lx->counted] & 0xC0) != 0x80)
			lx->chars++;
	return lx->chars + 1;
}

static Token *push(Lexer *lx, TokKind kind, int off, int len)
{
	if (lx->n == lx->cap) {
		int ncap = lx->cap ? lx->cap * 2 : 64;
		Token *t = arena_alloc(lx->a, sizeof(Token) * (size_t)ncap);
		if (lx->n)
			memcpy(t, lx->toks, sizeof(Token) * (size_t)lx->n);
		lx->toks = t;
		lx->cap = ncap;
	}
	Token *t = &lx->toks[lx->n++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->off = off;
	t->len = len;
	t->pos = char_pos(lx, off);
	return t;
}

static void buf_putc(Lexer *lx, char c)
{
	if (lx->blen + 1 >= lx->bcap) {
		int ncap = lx->bcap ? lx->bcap * 2 : 256;
		char *b = mem_alloc((size_t)ncap);
		if (lx->blen)
			memcpy(b, lx->buf, (size_t)lx->blen);
		mem_free(lx->buf);
		lx->buf = b;
		lx->bcap = ncap;
	}
	lx->buf[lx->blen++] = c;
}

static char *buf_take(Lexer *lx)
{
	char *v = arena_strndup(lx->a, lx->buf ? lx->buf : "", (size_t)lx->blen);
	lx->blen = 0;
	return v;
}

/* Records a lexical error at byte offset off; `near` is the raw text PostgreSQL quotes. */
static void lex_error(Lexer *lx, int off, ErrCode code, const char *what, int near_len)
{
	Token *t = push(lx, TOK_ERROR, off, near_len);
	t->code = code;
	t->val = arena_printf(lx->a, "%s at or near \"%.*s\"", what, near_len, lx->s + off);
}

static void put_utf8(Lexer *lx, unsigned long cp)
{
	if (cp < 0x80) {
		buf_putc(lx, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(lx, (char)(0xC0 | (cp >> 6)));
		buf_putc(lx, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		buf_putc(lx, (char)(0xE0 | (cp >> 12)));
		buf_putc(lx, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(lx, (char)(0x80 | (cp & 0x3F)));
	} else {
		buf_putc(lx, (char)(0xF0 | (cp >> 18)));
		buf_putc(lx, (char)(0x80 | ((cp >> 12) & 0x3F)));
		buf_putc(lx, (char)(0x80 | ((cp >> 6) & 0x3F)));
		buf_putc(lx, (char)(0x80 | (cp & 0x3F)));
	}
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one backslash escape of an E'' string starting at s[i] == '\\'. Returns the offset
 * after it, or -1 after recording an error. */
static int escape(Lexer *lx, int i)
{
	const char *s = lx->s;
	unsigned char c = (unsigned char)s[i + 1];
	switch (c) {
	case 'b': buf_putc(lx, '\b'); return i + 2;
	case 'f': buf_putc(lx, '\f'); return i + 2;
	case 'n': buf_putc(lx, '\n'); return i + 2;
	case 'r': buf_putc(lx, '\r'); return i + 2;
	case 't': buf_putc(lx, '\t'); return i + 2;
	case 'x': {
		int v = 0, k = i + 2, nd = 0;
		while (nd < 2 && hexval((unsigned char)s[k]) >= 0)
			v = v * 16 + hexval((unsigned char)s[k++]), nd++;
		if (nd == 0) {
			buf_putc(lx, 'x');
			return i + 2;
		}
		if (v == 0) {
			lex_error(lx, i, ERR_DATA_EXCEPTION, NUL_BYTE_MSG, k - i);
			return -1;
		}
		buf_putc(lx, (char)v);
		return k;
	}
	case 'u':
	case 'U': {
		int nd = c == 'u' ? 4 : 8, k = i + 2;
		unsigned long cp = 0;
		for (int j = 0; j < nd; j++, k++) {
			if (hexval((unsigned char)s[k]) < 0) {
				lex_error(lx, i, ERR_INVALID_ESCAPE, "invalid Unicode escape", k - i);
				return -1;
			}
			cp = cp * 16 + (unsigned long)hexval((unsigned char)s[k]);
		}
		if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			lex_error(lx, i, ERR_SYNTAX, "invalid Unicode escape value", k - i);
			return -1;
		}
		put_utf8(lx, cp);
		return k;
	}
	default:
		if (c >= '0' && c <= '7') {
			int v = 0, k = i + 1, nd = 0;
			while (nd < 3 && s[k] >= '0' && s[k] <= '7')
				v = v * 8 + (s[k++] - '0'), nd++;
			if ((v & 0xFF) == 0) {
				lex_error(lx, i, ERR_DATA_EXCEPTION, NUL_BYTE_MSG, k - i);
				return -1;
			}
			buf_putc(lx, (char)(v & 0xFF));
			return k;
		}
		if (c == '\0')
			return i + 1; /* the unterminated-string check reports it */
		buf_putc(lx, (char)c);
		return i + 2;
	}
}

/* Scans a string whose opening quote is at s[q]; `esc` for E'' strings. Returns the offset
 * after it, or -1 after recording an error. */
static int scan_string(Lexer *lx, int start, int q, bool esc)
{
	const char *s = lx->s;
	int i = q + 1;
	lx->blen = 0;
	for (;;) {
		char c = s[i];
		if (c == '\0') {
			lex_error(lx, start, ERR_SYNTAX, "unterminated quoted string", i - start);
			return -1;
		}
		if (c == '\'') {
			if (s[i + 1] == '\'') {
				buf_putc(lx, '\'');
				i += 2;
				continue;
			}
			/* 'a'
			 * 'b' is one string, as the SQL standard says (whitespace with a newline). */
			int k = i + 1;
			bool nl = false;
			while (is_space((unsigned char)s[k])) {
				if (s[k] == '\n' || s[k] == '\r')
					nl = true;
				k++;
			}
			if (nl && s[k] == '\'') {
				i = k + 1;
				continue;
			}
			return i + 1;
		}
		if (esc && c == '\\') {
			i = escape(lx, i);
			if (i < 0)
				return -1;
			continue;
		}
		buf_putc(lx, c);
		i++;
	}
}

static int scan_number(Lexer *lx, int start)
{
	const char *s = lx->s;
	int i = start;
	bool dec = false;
	while (is_digit((unsigned char)s[i]))
		i++;
	if (s[i] == '.' && s[i + 1] != '.') {
		dec = true;
		i++;
		while (is_digit((unsigned char)s[i]))
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		int k = i + 1;
		if (s[k] == '+' || s[k] == '-')
			k++;
		if (is_digit((unsigned char)s[k])) {
			dec = true;
			i = k;
			while (is_digit((unsigned char)s[i]))
				i++;
		}
	}
	if (is_ident_start((unsigned char)s[i])) {
		int k = i;
		while (is_ident_cont((unsigned char)s[k]))
			k++;
		lex_error(lx, start, ERR_SYNTAX, "trailing junk after numeric literal", k - start);
		return -1;
	}
	Token *t = push(lx, dec ? TOK_DECIMAL : TOK_INTEGER, start, i - start);
	t->val = arena_strndup(lx->a, s + start, (size_t)(i - start));
	return i;
}

/* Skips whitespace and comments; returns -1 after recording an unterminated comment. */
static int skip_space(Lexer *lx, int i)
{
	const char *s = lx->s;
	for (;;) {
		if (is_space((unsigned char)s[i])) {
			i++;
		} else if (s[i] == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n' && s[i] != '\r')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			int start = i, depth = 1;
			i += 2;
			while (depth > 0) {
				if (s[i] == '\0') {
					lex_error(lx, start, ERR_SYNTAX, "unterminated /* comment", i - start);
					return -1;
				}
				if (s[i] == '/' && s[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (s[i] == '*' && s[i + 1] == '/') {
					depth--;
					i += 2;
				} else {
					i++;
				}
			}
		} else {
			return i;
		}
	}
}

static const char *const two_char_ops[] = {"::", "||", "<=", ">=", "<>", "!=", "=>", "!~", "~*"};

/* Scans one token at s[i]; returns the offset after it or -1 when scanning must stop. */
static int scan_token(Lexer *lx, int i)
{
	const char *s = lx->s;
	unsigned char c = (unsigned char)s[i];
	if ((c == 'e' || c == 'E') && s[i + 1] == '\'') {
		int end = scan_string(lx, i, i + 1, true);
		if (end < 0)
			return -1;
		Token *t = push(lx, TOK_STRING, i, end - i);
		t->val = buf_take(lx);
		return end;
	}
	if (is_ident_start(c)) {
		int k = i;
		while (is_ident_cont((unsigned char)s[k]))
			k++;
		Token *t = push(lx, TOK_IDENT, i, k - i);
		t->val = arena_strndup(lx->a, s + i, (size_t)(k - i));
		for (char *p = t->val; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		t->kw = kw_lookup(t->val, k - i);
		return k;
	}
	if (c == '\'') {
		int end = scan_string(lx, i, i, false);
		if (end < 0)
			return -1;
		Token *t = push(lx, TOK_STRING, i, end - i);
		t->val = buf_take(lx);
		return end;
	}
	if (c == '"') {
		int k = i + 1;
		lx->blen = 0;
		for (;;) {
			if (s[k] == '\0') {
				lex_error(lx, i, ERR_SYNTAX, "unterminated quoted identifier", k - i);
				return -1;
			}
			if (s[k] == '"') {
				if (s[k + 1] == '"') {
					buf_putc(lx, '"');
					k += 2;
					continue;
				}
				k++;
				break;
			}
			buf_putc(lx, s[k++]);
		}
		if (lx->blen == 0) {
			lex_error(lx, i, ERR_SYNTAX, "zero-length delimited identifier", k - i);
			return -1;
		}
		Token *t = push(lx, TOK_QIDENT, i, k - i);
		t->val = buf_take(lx);
		return k;
	}
	if (is_digit(c) || (c == '.' && is_digit((unsigned char)s[i + 1])))
		return scan_number(lx, i);
	if (c == '$' && is_digit((unsigned char)s[i + 1])) {
		int k = i + 1;
		while (is_digit((unsigned char)s[k]))
			k++;
		if (is_ident_start((unsigned char)s[k])) {
			int j = k;
			while (is_ident_cont((unsigned char)s[j]))
				j++;
			lex_error(lx, i, ERR_SYNTAX, "trailing junk after parameter", j - i);
			return -1;
		}
		Token *t = push(lx, TOK_PARAM, i, k - i);
		t->val = arena_strndup(lx->a, s + i + 1, (size_t)(k - i - 1));
		return k;
	}
	if (s[i] == '!' && s[i + 1] == '~' && s[i + 2] == '*') {
		/* !~* (case-insensitive regex non-match), the one three-character operator. */
		Token *t = push(lx, TOK_OP, i, 3);
		t->val = arena_strndup(lx->a, s + i, 3);
		return i + 3;
	}
	for (size_t k = 0; k < sizeof two_char_ops / sizeof two_char_ops[0]; k++) {
		if (s[i] == two_char_ops[k][0] && s[i + 1] == two_char_ops[k][1]) {
			Token *t = push(lx, TOK_OP, i, 2);
			t->val = arena_strndup(lx->a, s + i, 2);
			return i + 2;
		}
	}
	/* Any other byte is a one-character operator; the parser rejects those it does not know
	 * with "syntax error at or near". */
	Token *t = push(lx, TOK_OP, i, 1);
	t->val = arena_strndup(lx->a, s + i, 1);
	return i + 1;
}

void lex_all(const char *sql, Arena *a, Token **toks, int *ntoks)
{
	Lexer lx = {.s = sql, .a = a};
	int i = 0;
	for (;;) {
		i = skip_space(&lx, i);
		if (i < 0)
			break;
		if (sql[i] == '\0')
			break;
		i = scan_token(&lx, i);
		if (i < 0)
			break;
	}
	int end = (int)strlen(sql);
	Token *t = push(&lx, TOK_EOF, end, 0);
	t->val = "";
	mem_free(lx.buf);
	*toks = lx.toks;
	*ntoks = lx.n;
}

int lex_end_pos(const char *sql)
{
	int n = 0;
	for (const char *p = sql; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			n++;
	return n + 1;
}
