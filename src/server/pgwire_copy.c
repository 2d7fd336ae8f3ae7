/* pgwire_copy.c: COPY ... FROM STDIN: the statement and the data formats.
 *
 * Layer: server. The engine's grammar has no COPY, so the server reads the statement itself and
 * decodes the CopyData stream into rows of text cells, which pgwire.c inserts through
 * eddy_insert. Rows may be split across CopyData messages at any byte; the decoder keeps the
 * unfinished row and resumes scanning where it stopped (a CSV row may span lines inside quotes).
 *
 * Formats, as PostgreSQL defines them:
 *   text  one row per line; cells separated by the delimiter (tab); \N is NULL; backslash escapes
 *         \b \f \n \r \t \v, \ddd octal, \xhh hex, \\ and \<c> for c; a line `\.` ends the data.
 *   csv   cells separated by the delimiter (,); quoted with " (a doubled quote inside), quoted
 *         cells may hold newlines; an unquoted empty cell (the NULL string) is NULL, a quoted
 *         empty cell is the empty string; HEADER skips the first line.
 */
#include "server/pgwire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int copy_option(PgCopyStmt *c, const char *name, const char *val, bool has_val,
		       EddyError *e)
{
	bool on = !has_val || strcasecmp(val, "true") == 0 || strcasecmp(val, "on") == 0 ||
		  strcmp(val, "1") == 0;
	if (strcmp(name, "format") == 0) {
		if (strcasecmp(val, "csv") == 0)
			c->csv = true;
		else if (strcasecmp(val, "text") == 0)
			c->csv = false;
		else if (strcasecmp(val, "binary") == 0)
			goto unsupported;
		else {
			pg_err(e, "22023", "COPY format \"%s\" not recognized", val);
			return -1;
		}
	} else if (strcmp(name, "csv") == 0) {
		c->csv = true;
	} else if (strcmp(name, "binary") == 0) {
		goto unsupported;
	} else if (strcmp(name, "header") == 0) {
		c->header = on || strcasecmp(val, "match") == 0;
	} else if (strcmp(name, "delimiter") == 0 || strcmp(name, "quote") == 0 ||
		   strcmp(name, "escape") == 0) {
		if (strlen(val) != 1) {
			pg_err(e, "0A000", "COPY %s must be a single one-byte character", name);
			return -1;
		}
		char *slot = name[0] == 'd' ? &c->delim : name[0] == 'q' ? &c->quote : &c->escape;
		*slot = val[0];
	} else if (strcmp(name, "null") == 0) {
		snprintf(c->null_str, sizeof c->null_str, "%s", val);
	} else if (strcmp(name, "encoding") == 0) {
		if (strcasecmp(val, "utf8") != 0 && strcasecmp(val, "utf-8") != 0) {
			pg_err(e, "0A000", "COPY encoding \"%s\" is not supported (only UTF8)", val);
			return -1;
		}
	} else if (strcmp(name, "freeze") != 0) {
		pg_err(e, "42601", "option \"%s\" not recognized", name);
		return -1;
	}
	return 0;
unsupported:
	pg_err(e, "0A000", "COPY BINARY is not supported");
	return -1;
}

int pgcopy_parse(const char *sql, size_t n, PgCopyStmt *c, EddyError *e)
{
	const char *p = sql, *end = sql + n;
	PgTok t;
	memset(c, 0, sizeof *c);
	p = pgsql_lex(p, end, &t);
	if (!pgsql_is(&t, "copy"))
		return 0;
	p = pgsql_lex(p, end, &t);
	if (pgsql_punct(&t, '(')) {
		pg_err(e, "0A000", "COPY (query) TO is not supported");
		return -1;
	}
	if (t.kind != PGT_WORD && t.kind != PGT_QIDENT)
		goto syntax;
	pgsql_ident(&t, c->target, sizeof c->target);
	/* A schema-qualified name: eddy has one schema, public. */
	PgTok dot;
	const char *q = pgsql_lex(p, end, &dot);
	if (pgsql_punct(&dot, '.')) {
		p = pgsql_lex(q, end, &t);
		if (t.kind != PGT_WORD && t.kind != PGT_QIDENT)
			goto syntax;
		pgsql_ident(&t, c->target, sizeof c->target);
	}
	p = pgsql_lex(p, end, &t);
	if (pgsql_punct(&t, '(')) {
		for (;;) {
			p = pgsql_lex(p, end, &t);
			if ((t.kind != PGT_WORD && t.kind != PGT_QIDENT) || c->ncols == 64)
				goto syntax;
			pgsql_ident(&t, c->cols[c->ncols++], sizeof c->cols[0]);
			p = pgsql_lex(p, end, &t);
			if (pgsql_punct(&t, ')'))
				break;
			if (!pgsql_punct(&t, ','))
				goto syntax;
		}
		p = pgsql_lex(p, end, &t);
	}
	if (pgsql_is(&t, "to")) {
		pg_err(e, "0A000", "COPY TO is not supported");
		return -1;
	}
	if (!pgsql_is(&t, "from"))
		goto syntax;
	p = pgsql_lex(p, end, &t);
	if (!pgsql_is(&t, "stdin")) {
		pg_err(e, "0A000", "COPY FROM a file is not supported: use COPY ... FROM STDIN");
		e->hint[0] = 0;
		snprintf(e->hint, sizeof e->hint, "psql's \\copy reads a client file.");
		return -1;
	}
	p = pgsql_lex(p, end, &t);
	if (pgsql_is(&t, "with"))
		p = pgsql_lex(p, end, &t);
	StrBuf val;
	sb_init(&val);
	int rc = 0;
	char name[64];
	if (pgsql_punct(&t, '(')) {
		/* (option [value], ...) */
		for (;;) {
			p = pgsql_lex(p, end, &t);
			if (t.kind != PGT_WORD)
				goto syntax_free;
			pgsql_ident(&t, name, sizeof name);
			p = pgsql_lex(p, end, &t);
			bool has = !(t.kind == PGT_OTHER && (*t.s == ',' || *t.s == ')'));
			sb_reset(&val);
			if (has) {
				pgsql_string(&t, &val);
				p = pgsql_lex(p, end, &t);
			}
			if (copy_option(c, name, val.data ? val.data : "", has, e) < 0) {
				rc = -1;
				goto out;
			}
			if (pgsql_punct(&t, ')'))
				break;
			if (!pgsql_punct(&t, ','))
				goto syntax_free;
		}
		p = pgsql_lex(p, end, &t);
	} else {
		/* The pre-9.0 syntax: CSV HEADER DELIMITER [AS] 'x' NULL [AS] 'x' ... */
		while (t.kind == PGT_WORD) {
			pgsql_ident(&t, name, sizeof name);
			bool has = strcmp(name, "delimiter") == 0 || strcmp(name, "null") == 0 ||
				   strcmp(name, "quote") == 0 || strcmp(name, "escape") == 0 ||
				   strcmp(name, "encoding") == 0;
			sb_reset(&val);
			if (has) {
				p = pgsql_lex(p, end, &t);
				if (pgsql_is(&t, "as"))
					p = pgsql_lex(p, end, &t);
				if (t.kind != PGT_STRING)
					goto syntax_free;
				pgsql_string(&t, &val);
			}
			if (copy_option(c, name, val.data ? val.data : "", has, e) < 0) {
				rc = -1;
				goto out;
			}
			p = pgsql_lex(p, end, &t);
		}
	}
	if (t.kind != PGT_END && t.kind != PGT_SEMI)
		goto syntax_free;
	rc = 1;
	goto out;
syntax_free:
	sb_deinit(&val);
syntax:
	pg_err(e, "42601", "syntax error at or near \"%.*s\"", t.kind == PGT_END ? 0 : (int)t.n,
	       t.s);
	if (t.kind == PGT_END)
		snprintf(e->message, sizeof e->message, "syntax error at end of input");
	e->position = pgsql_byte_to_char(sql, (size_t)(t.s - sql)) + 1;
	return -1;
out:
	sb_deinit(&val);
	if (rc == 1) {
		if (!c->delim)
			c->delim = c->csv ? ',' : '\t';
		if (!c->quote)
			c->quote = '"';
		if (!c->escape)
			c->escape = c->quote;
		if (!c->null_str[0] && !c->csv)
			strcpy(c->null_str, "\\N");
	}
	return rc;
}

void pgcopy_init(PgCopyDec *d, const PgCopyStmt *stmt)
{
	memset(d, 0, sizeof *d);
	d->stmt = stmt;
	sb_init(&d->pending);
	sb_init(&d->cell);
	sb_init(&d->cells);
}

void pgcopy_deinit(PgCopyDec *d)
{
	sb_deinit(&d->pending);
	sb_deinit(&d->cell);
	sb_deinit(&d->cells);
	mem_free(d->ptrs);
}

/* Text format: the escapes of one cell. */
static void text_cell(StrBuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		/* The bytes up to the next backslash go in one copy: most cells have none. */
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
		sb_append(o, s + i, run);
		i += run;
		if (i >= n)
			break;
		if (i + 1 == n) {
			sb_putc(o, '\\');
			continue;
		}
		char c = s[++i];
		static const char from[] = "bfnrtv", to[] = "\b\f\n\r\t\v";
		const char *k = strchr(from, c);
		if (k && c) {
			sb_putc(o, to[k - from]);
		} else if (c >= '0' && c <= '7') {
			int v = 0, m = 0;
			while (m < 3 && i < n && s[i] >= '0' && s[i] <= '7')
				v = v * 8 + (s[i++] - '0'), m++;
			i--;
			sb_putc(o, (char)v);
		} else if (c == 'x' && i + 1 < n && isxdigit((unsigned char)s[i + 1])) {
			int v = 0, m = 0;
			i++;
			while (m < 2 && i < n && isxdigit((unsigned char)s[i])) {
				char h = (char)tolower((unsigned char)s[i++]);
				v = v * 16 + (isdigit((unsigned char)h) ? h - '0' : h - 'a' + 10);
				m++;
			}
			i--;
			sb_putc(o, (char)v);
		} else {
			sb_putc(o, c);
		}
	}
}

/* Splits one complete row (without its newline) into cells and hands it over. */
static int emit_row(PgCopyDec *d, const char *s, size_t n, PgCopyRowFn row, void *ctx,
		    EddyError *e)
{
	const PgCopyStmt *c = d->stmt;
	if (!pgm_valid_utf8(s, n)) {
		pg_err(e, "22021", "invalid byte sequence for encoding \"UTF8\"");
		return -1;
	}
	sb_reset(&d->cells);
	/* Offsets of cells in d->cells (-1 for NULL), turned into pointers once the buffer stops
	 * moving. */
	int ncells = 0;
	size_t i = 0;
	for (;;) {
		if (ncells == d->ncap) {
			d->ncap = d->ncap ? d->ncap * 2 : 16;
			d->ptrs = mem_realloc(d->ptrs, sizeof(char *) * (size_t)d->ncap);
		}
		bool quoted = false;
		size_t start = i;
		sb_reset(&d->cell);
		if (c->csv) {
			while (i < n && s[i] != c->delim) {
				if (s[i] == c->quote) {
					quoted = true;
					i++;
					while (i < n) {
						if (s[i] == c->escape && i + 1 < n && s[i + 1] == c->quote) {
							sb_putc(&d->cell, c->quote);
							i += 2;
						} else if (s[i] == c->quote) {
							i++;
							break;
						} else {
							sb_putc(&d->cell, s[i++]);
						}
					}
				} else {
					sb_putc(&d->cell, s[i++]);
				}
			}
		} else {
			while (i < n && s[i] != c->delim)
				i += s[i] == '\\' && i + 1 < n ? 2 : 1;
		}
		size_t raw = i - start;
		bool null = !quoted && raw == strlen(c->null_str) &&
			    memcmp(s + start, c->null_str, raw) == 0;
		if (null) {
			d->ptrs[ncells++] = NULL;
		} else {
			d->ptrs[ncells++] = (const char *)(uintptr_t)(d->cells.len + 1);
			if (c->csv)
				sb_append(&d->cells, d->cell.data ? d->cell.data : "", d->cell.len);
			else
				text_cell(&d->cells, s + start, raw);
			sb_putc(&d->cells, 0);
		}
		if (i >= n)
			break;
		i++; /* the delimiter */
	}
	for (int k = 0; k < ncells; k++)
		if (d->ptrs[k])
			d->ptrs[k] = d->cells.data + ((uintptr_t)d->ptrs[k] - 1);
	return row(ctx, ncells, d->ptrs, d->line);
}

/* One complete line of input (without the newline): header, end marker, or a row. */
static int line_done(PgCopyDec *d, const char *s, size_t n, PgCopyRowFn row, void *ctx,
		     EddyError *e)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	d->line++;
	if (d->ended)
		return 0;
	if (n == 2 && s[0] == '\\' && s[1] == '.') {
		d->ended = true;
		return 0;
	}
	if (d->stmt->header && !d->header_done) {
		d->header_done = true;
		return 0;
	}
	return emit_row(d, s, n, row, ctx, e);
}

int pgcopy_feed(PgCopyDec *d, const char *data, size_t n, PgCopyRowFn row, void *ctx,
		EddyError *e)
{
	sb_append(&d->pending, data, n);
	size_t begin = 0;
	size_t i = d->scanned;
	char q = d->stmt->quote;
	while (i < d->pending.len) {
		char ch = d->pending.data[i];
		if (d->stmt->csv && ch == q) {
			d->in_quote = !d->in_quote;
		} else if (ch == '\n' && !d->in_quote) {
			if (line_done(d, d->pending.data + begin, i - begin, row, ctx, e) < 0)
				return -1;
			/* A quoted newline counted as a line of its own in PostgreSQL's numbering. */
			begin = i + 1;
		} else if (ch == '\n') {
			d->line++;
		}
		i++;
	}
	/* Keep the unfinished row at the front of the buffer. */
	size_t rest = d->pending.len - begin;
	memmove(d->pending.data, d->pending.data + begin, rest);
	d->pending.len = rest;
	d->scanned = rest;
	return 0;
}

int pgcopy_finish(PgCopyDec *d, PgCopyRowFn row, void *ctx, EddyError *e)
{
	if (d->in_quote) {
		pg_err(e, "22P04", "unterminated CSV quoted field");
		return -1;
	}
	if (d->pending.len == 0)
		return 0;
	int rc = line_done(d, d->pending.data, d->pending.len, row, ctx, e);
	d->pending.len = 0;
	d->scanned = 0;
	return rc;
}

/* ---- running COPY FROM STDIN in a session */

#define COPY_BATCH_ROWS 65536
#define COPY_BATCH_BYTES (32u << 20)

typedef struct CopyRun {
	PgSession *s;
	PgCopyStmt *c;
	int ncols;
	const char **cols;
	Arena cells;
	EddyValue *vals;
	int64_t *lines;
	int nrows, cap;
	int64_t total;
	EddyError err;
	char context[256];
} CopyRun;

static int copy_fail(CopyRun *r, int64_t line)
{
	snprintf(r->context, sizeof r->context, "COPY %s, line %lld", r->c->target,
		 (long long)line);
	return -1;
}

/* Inserts the rows gathered so far: all of them or none (eddy_insert), naming the failing line. */
static int copy_flush(CopyRun *r)
{
	if (r->nrows == 0)
		return 0;
	EddyError e;
	if (eddy_insert(r->s->srv->db, r->c->target, r->cols, r->ncols, r->vals, r->nrows, &e) <
	    0) {
		r->err = e;
		int row = 0, used = 0;
		/* The engine names the row as "row N: ..." (1-based within the batch). */
		if (sscanf(e.message, "row %d: %n", &row, &used) == 1 && used > 0 && row >= 1 &&
		    row <= r->nrows) {
			memmove(r->err.message, e.message + used, strlen(e.message + used) + 1);
			return copy_fail(r, r->lines[row - 1]);
		}
		return copy_fail(r, r->lines[0]);
	}
	r->total += r->nrows;
	r->nrows = 0;
	arena_reset(&r->cells);
	return 0;
}

static int copy_row(void *ctx, int ncells, const char *const *cells, int64_t line)
{
	CopyRun *r = ctx;
	if (ncells != r->ncols) {
		if (ncells < r->ncols)
			pg_err(&r->err, "22P04", "missing data for column \"%s\"", r->cols[ncells]);
		else
			pg_err(&r->err, "22P04", "extra data after last expected column");
		return copy_fail(r, line);
	}
	if (r->nrows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->vals = mem_realloc(r->vals, sizeof(EddyValue) * (size_t)r->cap * (size_t)r->ncols);
		r->lines = mem_realloc(r->lines, sizeof(int64_t) * (size_t)r->cap);
	}
	EddyValue *v = r->vals + (size_t)r->nrows * (size_t)r->ncols;
	for (int i = 0; i < ncells; i++) {
		if (cells[i]) {
			v[i].type = EDDY_VARCHAR;
			v[i].v.s = arena_strdup(&r->cells, cells[i]);
		} else {
			v[i].type = EDDY_NULL;
			v[i].v.s = NULL;
		}
	}
	r->lines[r->nrows++] = line;
	if (r->nrows >= COPY_BATCH_ROWS || r->cells.used_total >= COPY_BATCH_BYTES)
		return copy_flush(r);
	return 0;
}

/* The target's columns when the statement names none. */
static int copy_columns(PgSession *s, PgCopyStmt *c, EddyError *e)
{
	if (c->ncols > 0)
		return 0;
	EddyResult *res = pgq_columns_of(s, c->target, e);
	if (!res)
		return -1;
	int n = eddy_result_ncols(res);
	for (int i = 0; i < n && i < 64; i++)
		snprintf(c->cols[c->ncols++], sizeof c->cols[0], "%s", eddy_result_colname(res, i));
	eddy_result_free(res);
	return 0;
}

static int copy_loop(CopyRun *r, PgCopyDec *d)
{
	PgSession *s = r->s;
	for (;;) {
		char type;
		size_t len;
		if (pgs_read_msg(s, &type, &len) < 0) {
			srv_log("warn", "copy_aborted", "pid=%d target=%s: the client went away", s->pid,
				r->c->target);
			return -2;
		}
		switch (type) {
		case 'd':
			if (pgcopy_feed(d, (const char *)s->body, len, copy_row, r, &r->err) < 0) {
				if (!r->context[0])
					copy_fail(r, d->line);
				return -1;
			}
			break;
		case 'c':
			if (pgcopy_finish(d, copy_row, r, &r->err) < 0) {
				if (!r->context[0])
					copy_fail(r, d->line);
				return -1;
			}
			return copy_flush(r);
		case 'f':
			pg_err(&r->err, "57014", "COPY from stdin failed: %.400s", (const char *)s->body);
			return -1;
		case 'H':
		case 'S':
			break;
		default:
			pg_err(&r->err, "08P01", "unexpected message type 0x%02X during COPY from stdin",
			       (unsigned char)type);
			return -1;
		}
	}
}

int pgcopy_run(PgSession *s, const char *sql)
{
	PgCopyStmt c;
	CopyRun r;
	memset(&r, 0, sizeof r);
	r.s = s;
	r.c = &c;
	if (pgcopy_parse(sql, strlen(sql), &c, &r.err) < 0 || copy_columns(s, &c, &r.err) < 0) {
		pgs_error(s, &r.err, NULL);
		return -1;
	}
	r.ncols = c.ncols;
	r.cols = mem_alloc(sizeof(char *) * (size_t)c.ncols);
	for (int i = 0; i < c.ncols; i++)
		r.cols[i] = c.cols[i];
	arena_init(&r.cells, 0);
	size_t at = pgw_begin(&s->out, 'G');
	sb_putc(&s->out, 0);
	pgw_i16(&s->out, c.ncols);
	for (int i = 0; i < c.ncols; i++)
		pgw_i16(&s->out, 0);
	pgw_end(&s->out, at);
	pgs_flush(s);
	PgCopyDec d;
	pgcopy_init(&d, &c);
	int rc = copy_loop(&r, &d);
	if (rc == 0) {
		char tag[48];
		snprintf(tag, sizeof tag, "COPY %lld", (long long)r.total);
		pgw_tag(&s->out, tag);
		srv_log("info", "copy", "pid=%d target=%s rows=%lld", s->pid, c.target,
			(long long)r.total);
	} else if (rc == -1) {
		pgs_error(s, &r.err, r.context);
	}
	pgcopy_deinit(&d);
	arena_deinit(&r.cells);
	mem_free(r.vals);
	mem_free(r.lines);
	mem_free(r.cols);
	return rc < 0 ? -1 : 0;
}
