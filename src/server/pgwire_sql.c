/* pgwire_sql.c: the little SQL scanning the wire server needs before the engine sees the text.
 *
 * Layer: server. One lexer serves every use: splitting a simple query into statements (so the
 * server can answer SET, SHOW, COPY and SUBSCRIBE itself), finding $n parameters outside strings,
 * comments and quoted identifiers, and reading the few statements the server parses. It knows
 * PostgreSQL's lexical rules ('' and E'' strings, "" identifiers, $tag$ quoting, nested block
 * comments) but no grammar: the engine's parser stays the one authority on SQL.
 */
#include "server/pgwire.h"

#include <ctype.h>
#include <string.h>

static bool ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Skips white space and comments. */
static const char *skip_space(const char *p, const char *end)
{
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			int depth = 0;
			while (p < end) {
				if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (end - p >= 2 && p[0] == '*' && p[1] == '/') {
					p += 2;
					if (--depth == 0)
						break;
				} else {
					p++;
				}
			}
		} else {
			return p;
		}
	}
}

/* The end of a quoted run starting at the quote p: q is the quote character; backslashes escape
 * when esc. A doubled quote stands for itself. */
static const char *quoted_end(const char *p, const char *end, char q, bool esc)
{
	p++;
	while (p < end) {
		if (esc && *p == '\\' && end - p >= 2) {
			p += 2;
		} else if (*p == q) {
			if (end - p >= 2 && p[1] == q)
				p += 2;
			else
				return p + 1;
		} else {
			p++;
		}
	}
	return end;
}

/* $tag$ ... $tag$: returns the end, or NULL when p does not open a dollar quote. */
static const char *dollar_end(const char *p, const char *end)
{
	const char *t = p + 1;
	if (t < end && ident_start((unsigned char)*t) && !isdigit((unsigned char)*t))
		while (t < end && ident_char((unsigned char)*t) && *t != '$')
			t++;
	if (t >= end || *t != '$')
		return NULL;
	size_t taglen = (size_t)(t - p) + 1;
	for (const char *q = t + 1; q + taglen <= end; q++)
		if (*q == '$' && memcmp(q, p, taglen) == 0)
			return q + taglen;
	return end;
}

const char *pgsql_lex(const char *p, const char *end, PgTok *t)
{
	p = skip_space(p, end);
	t->s = p;
	t->param = 0;
	if (p >= end) {
		t->kind = PGT_END;
		t->n = 0;
		return p;
	}
	unsigned char c = (unsigned char)*p;
	const char *q = p + 1;
	if ((c == 'E' || c == 'e') && q < end && *q == '\'') {
		t->kind = PGT_STRING;
		q = quoted_end(q, end, '\'', true);
	} else if (c == '\'') {
		t->kind = PGT_STRING;
		q = quoted_end(p, end, '\'', false);
	} else if (c == '"') {
		t->kind = PGT_QIDENT;
		q = quoted_end(p, end, '"', false);
	} else if (ident_start(c)) {
		t->kind = PGT_WORD;
		while (q < end && ident_char((unsigned char)*q))
			q++;
	} else if (isdigit(c) || (c == '.' && q < end && isdigit((unsigned char)*q))) {
		t->kind = PGT_NUMBER;
		while (q < end && (isalnum((unsigned char)*q) || *q == '.' || *q == '_'))
			q++;
	} else if (c == '$' && q < end && isdigit((unsigned char)*q)) {
		t->kind = PGT_PARAM;
		int n = 0;
		while (q < end && isdigit((unsigned char)*q)) {
			if (n < 1000000)
				n = n * 10 + (*q - '0');
			q++;
		}
		t->param = n;
	} else if (c == '$' && (q = dollar_end(p, end)) != NULL) {
		t->kind = PGT_STRING;
	} else if (c == ';') {
		t->kind = PGT_SEMI;
		q = p + 1;
	} else {
		t->kind = PGT_OTHER;
		q = p + 1;
	}
	t->n = (size_t)(q - p);
	return q;
}

bool pgsql_is(const PgTok *t, const char *kw)
{
	return t->kind == PGT_WORD && strlen(kw) == t->n && strncasecmp(t->s, kw, t->n) == 0;
}

bool pgsql_punct(const PgTok *t, char c)
{
	return t->kind == PGT_OTHER && t->s[0] == c;
}

const char *pgsql_stmt_end(const char *p, const char *end)
{
	PgTok t;
	for (;;) {
		const char *next = pgsql_lex(p, end, &t);
		if (t.kind == PGT_END)
			return end;
		if (t.kind == PGT_SEMI)
			return t.s;
		p = next;
	}
}

void pgsql_ident(const PgTok *t, char *out, size_t cap)
{
	size_t k = 0;
	if (t->kind == PGT_QIDENT) {
		for (size_t i = 1; i + 1 < t->n && k + 1 < cap; i++) {
			out[k++] = t->s[i];
			if (t->s[i] == '"')
				i++;
		}
	} else {
		for (size_t i = 0; i < t->n && k + 1 < cap; i++)
			out[k++] = (char)tolower((unsigned char)t->s[i]);
	}
	out[k] = '\0';
}

void pgsql_string(const PgTok *t, StrBuf *out)
{
	sb_reset(out);
	if (t->kind != PGT_STRING) {
		sb_append(out, t->s, t->n);
		return;
	}
	if (t->s[0] == '$') {
		const char *close = memchr(t->s + 1, '$', t->n - 1);
		size_t tag = (size_t)(close - t->s) + 1;
		if (t->n >= 2 * tag)
			sb_append(out, t->s + tag, t->n - 2 * tag);
		return;
	}
	bool esc = t->s[0] != '\'';
	const char *p = t->s + (esc ? 2 : 1), *end = t->s + t->n - 1;
	while (p < end) {
		if (*p == '\'' && p + 1 < end) {
			sb_putc(out, '\'');
			p += 2;
		} else if (esc && *p == '\\' && p + 1 < end) {
			static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
			const char *k = strchr(from, p[1]);
			sb_putc(out, k && p[1] ? to[k - from] : p[1]);
			p += 2;
		} else {
			sb_putc(out, *p++);
		}
	}
}

static void subst_add(PgSubst *m, size_t orig, size_t olen, size_t at, size_t alen)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->orig = mem_realloc(m->orig, sizeof(size_t) * (size_t)m->cap);
		m->olen = mem_realloc(m->olen, sizeof(size_t) * (size_t)m->cap);
		m->at = mem_realloc(m->at, sizeof(size_t) * (size_t)m->cap);
		m->alen = mem_realloc(m->alen, sizeof(size_t) * (size_t)m->cap);
	}
	m->orig[m->n] = orig;
	m->olen[m->n] = olen;
	m->at[m->n] = at;
	m->alen[m->n++] = alen;
}

void pgsql_subst_deinit(PgSubst *m)
{
	mem_free(m->orig);
	mem_free(m->olen);
	mem_free(m->at);
	mem_free(m->alen);
	memset(m, 0, sizeof *m);
}

int pgsql_substitute(const char *sql, int nparams, const char *const *lits,
		     const char *const *casts, StrBuf *out, PgSubst *map, EddyError *e)
{
	const char *p = sql, *end = sql + strlen(sql), *copied = sql;
	PgTok t;
	sb_reset(out);
	for (;;) {
		p = pgsql_lex(p, end, &t);
		if (t.kind == PGT_END)
			break;
		if (t.kind != PGT_PARAM)
			continue;
		if (t.param < 1 || t.param > nparams) {
			pg_err(e, "42P02", "there is no parameter $%d", t.param);
			e->position = pgsql_byte_to_char(sql, (size_t)(t.s - sql)) + 1;
			return -1;
		}
		sb_append(out, copied, (size_t)(t.s - copied));
		size_t at = out->len;
		const char *lit = lits[t.param - 1];
		const char *cast = casts ? casts[t.param - 1] : NULL;
		if (cast)
			sb_putc(out, '(');
		if (!lit) {
			sb_puts(out, "NULL");
		} else {
			/* A standard string literal: only the quote needs doubling. */
			sb_putc(out, '\'');
			for (const char *c = lit; *c; c++) {
				if (*c == '\'')
					sb_putc(out, '\'');
				sb_putc(out, *c);
			}
			sb_putc(out, '\'');
		}
		if (cast)
			sb_printf(out, "::%s)", cast);
		if (map)
			subst_add(map, (size_t)(t.s - sql), t.n, at, out->len - at);
		copied = p;
	}
	sb_append(out, copied, (size_t)(end - copied));
	return 0;
}

size_t pgsql_char_to_byte(const char *s, int pos)
{
	size_t i = 0;
	for (int c = 1; c < pos && s[i]; c++) {
		i++;
		while ((s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

int pgsql_byte_to_char(const char *s, size_t off)
{
	int n = 0;
	for (size_t i = 0; i < off && s[i]; i++)
		if ((s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

int pgsql_map_pos(const PgSubst *m, const char *orig, const char *subst, int pos)
{
	if (pos <= 0 || !m || m->n == 0)
		return pos;
	size_t b = pgsql_char_to_byte(subst, pos);
	/* Walk the replacements: before the first one offsets agree; inside one, point at its $n;
	 * after one, shift by the difference of lengths. */
	int64_t shift = 0;
	for (int i = 0; i < m->n; i++) {
		if (b < m->at[i])
			break;
		if (b < m->at[i] + m->alen[i])
			return pgsql_byte_to_char(orig, m->orig[i]) + 1;
		shift = (int64_t)m->orig[i] + (int64_t)m->olen[i] - (int64_t)m->at[i] -
			(int64_t)m->alen[i];
	}
	return pgsql_byte_to_char(orig, (size_t)((int64_t)b + shift)) + 1;
}
