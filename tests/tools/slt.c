/* slt.c: the sqllogictest runner for eddy's SQL test suite (tests/sql/<area>/<name>.slt).
 *
 * Role: reads sqllogictest files (the format SQLite, DuckDB and RisingWave use), runs each record
 * against a fresh in-memory database through the public API (include/eddy.h) and checks what
 * comes back. It is a test tool: it talks to the engine only through eddy.h, never through
 * internal headers, and it never writes expected results (they come from PostgreSQL or by hand;
 * see docs/testing.md, which is the reference for the format summarised here).
 *
 *   statement ok                 SQL (up to a blank line) must succeed
 *   statement error [SQLSTATE] [@POS] [TEXT]
 *                                SQL must fail; a 5-character SQLSTATE must equal the error's,
 *                                @POS must equal its 1-based position, TEXT must be contained in
 *                                its message (each part optional)
 *   query TYPES [nosort|rowsort|valuesort] [label]
 *   SQL
 *   ----
 *   expected rows                one line per row, values in PostgreSQL text form separated by
 *                                a single space, NULL as "NULL", the empty string as "(empty)"
 *   query error ...              as statement error
 *   skipif NAME / onlyif NAME    the next record is skipped when NAME is (is not) "eddy" (or
 *                                the name given with --name: the PostgreSQL check, see below)
 *   halt                         stops reading the file
 *   # comment
 *
 * Usage: slt [-v] [--name NAME] [--timeout SECONDS] FILE...
 * Each file runs in its own database. The last line printed is "N passed, N failed" (one record
 * is one test); the exit status is 0 only when nothing failed. Records that take longer than the
 * timeout (default 60 s) fail and end the run. Memory here is plain malloc: this program is outside the engine.
 *
 * The same source linked with tests/tools/pgcheck/eddy_pg.c instead of libeddy runs the files
 * against a PostgreSQL server ("--name postgresql"), which is how expectations are verified.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eddy.h"

/* ---- Growable arrays of strings. */

typedef struct Lines {
	char **v;
	int n, cap;
} Lines;

static void lines_push(Lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	l->v[l->n++] = s;
}

static void lines_free(Lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* qsort must not be given a NULL array, even of no elements. */
static void sort_lines(Lines *l)
{
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof *l->v, cmp_str);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* A growable string. */
typedef struct Buf {
	char *s;
	size_t n, cap;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void buf_str(Buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* ---- Run state: totals and the record being run, for reports and the timeout handler. */

static int n_passed, n_failed;
static int verbose;
static const char *engine_name = "eddy"; /* for skipif/onlyif; --name changes it */
static char timeout_msg[512];

/* The timeout handler may only call async-signal-safe functions: it writes a message prepared
 * before the record started, and the totals, with write(). */
static void put_uint(int fd, unsigned v)
{
	char d[16];
	int n = 0;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		(void)!write(fd, &d[--n], 1);
}

static void on_timeout(int sig)
{
	(void)sig;
	(void)!write(1, timeout_msg, strlen(timeout_msg));
	put_uint(1, (unsigned)n_passed);
	(void)!write(1, " passed, ", 9);
	put_uint(1, (unsigned)n_failed + 1);
	(void)!write(1, " failed\n", 8);
	_exit(2);
}

/* ---- Records. */

typedef enum Kind { REC_STATEMENT_OK, REC_STATEMENT_ERROR, REC_QUERY, REC_QUERY_ERROR } Kind;
typedef enum Sort { SORT_NONE, SORT_ROW, SORT_VALUE } Sort;

typedef struct Record {
	Kind kind;
	int line;          /* of the record's first line */
	char *types;       /* query: one letter per column */
	Sort sort;
	char *err_state;   /* expected SQLSTATE or NULL */
	int err_pos;       /* expected position, 0: not checked */
	char *err_text;    /* expected message substring or NULL */
	Buf sql;
	Lines expected;
} Record;

static void record_free(Record *r)
{
	free(r->types);
	free(r->err_state);
	free(r->err_text);
	free(r->sql.s);
	lines_free(&r->expected);
	memset(r, 0, sizeof *r);
}

static int is_sqlstate(const char *s, size_t n)
{
	if (n != 5)
		return 0;
	int digits = 0;
	for (size_t i = 0; i < 5; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (!isupper((unsigned char)s[i]))
			return 0;
	}
	return digits > 0;
}

/* Parses "[SQLSTATE] [@POS] [TEXT]" after "statement error" / "query error". */
static void parse_error_spec(Record *r, const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	size_t n = strcspn(p, " \t");
	if (is_sqlstate(p, n)) {
		r->err_state = strndup(p, n);
		p += n;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p == '@' && isdigit((unsigned char)p[1])) {
		r->err_pos = atoi(p + 1);
		p += strcspn(p, " \t");
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p)
		r->err_text = xstrdup(p);
}

/* ---- Rendering results as text lines. */

static void render_value(Buf *b, EddyResult *res, int col)
{
	if (eddy_result_isnull(res, col)) {
		buf_str(b, "NULL");
		return;
	}
	const char *t = eddy_result_text(res, col);
	if (!t) {
		buf_str(b, "NULL");
	} else if (!*t) {
		buf_str(b, "(empty)");
	} else {
		/* A newline or tab inside a value would break the line-per-row format: escape them. */
		for (const char *c = t; *c; c++) {
			if (*c == '\n')
				buf_str(b, "\\n");
			else if (*c == '\t')
				buf_str(b, "\\t");
			else
				buf_add(b, c, 1);
		}
	}
}

/* Fills out with one line per row (or per value for valuesort). */
static void render_result(EddyResult *res, Sort sort, Lines *out)
{
	int ncols = eddy_result_ncols(res);
	while (eddy_result_next(res)) {
		Buf row = { 0 };
		buf_str(&row, "");
		for (int c = 0; c < ncols; c++) {
			if (sort == SORT_VALUE) {
				Buf v = { 0 };
				buf_str(&v, "");
				render_value(&v, res, c);
				lines_push(out, v.s);
				continue;
			}
			if (c)
				buf_str(&row, " ");
			render_value(&row, res, c);
		}
		if (sort == SORT_VALUE)
			free(row.s);
		else
			lines_push(out, row.s);
	}
	if (sort != SORT_NONE)
		sort_lines(out);
}

/* ---- Reporting. */

static void print_indented(const char *prefix, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		printf("%s%.*s\n", prefix, (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void print_error(const char *what, const EddyError *e)
{
	printf("  %s: ERROR %s", what, e->sqlstate);
	if (e->position)
		printf(" at position %d", e->position);
	printf(": %s\n", e->message);
	if (e->hint[0])
		printf("  hint: %s\n", e->hint);
}

static void fail_header(const char *file, const Record *r, const char *why)
{
	n_failed++;
	printf("%s:%d: FAILED: %s\n", file, r->line, why);
	print_indented("    ", r->sql.s);
}

static void print_lines(const char *title, const Lines *l, const Lines *other)
{
	printf("  %s (%d line%s):\n", title, l->n, l->n == 1 ? "" : "s");
	int shown = l->n < 60 ? l->n : 60;
	for (int i = 0; i < shown; i++) {
		int differs = !other || i >= other->n || strcmp(l->v[i], other->v[i]) != 0;
		printf("  %c %s\n", differs ? '*' : ' ', l->v[i]);
	}
	if (shown < l->n)
		printf("    ... %d more\n", l->n - shown);
}

/* ---- Running one record. */

static int discard_result(void *ctx, EddyResult *res)
{
	(void)ctx;
	(void)res;
	return 0;
}

static int error_matches(const Record *r, const EddyError *e)
{
	if (r->err_state && strcmp(r->err_state, e->sqlstate) != 0)
		return 0;
	if (r->err_pos && r->err_pos != e->position)
		return 0;
	if (r->err_text && !strstr(e->message, r->err_text))
		return 0;
	return 1;
}

static void print_expected_error(const Record *r)
{
	printf("  expected: error");
	if (r->err_state)
		printf(" %s", r->err_state);
	if (r->err_pos)
		printf(" at position %d", r->err_pos);
	if (r->err_text)
		printf(" containing \"%s\"", r->err_text);
	printf("\n");
}

static void run_record(Eddy *db, const char *file, Record *r)
{
	EddyError e;
	memset(&e, 0, sizeof e);
	snprintf(timeout_msg, sizeof timeout_msg, "%s:%d: FAILED: timed out\n", file, r->line);
	if (verbose) {
		printf("%s:%d: %s\n", file, r->line, r->sql.s);
		fflush(stdout); /* so that a crash shows the record that caused it */
	}

	if (r->kind == REC_STATEMENT_OK || r->kind == REC_STATEMENT_ERROR ||
	    r->kind == REC_QUERY_ERROR) {
		int rc;
		if (r->kind == REC_QUERY_ERROR) {
			EddyResult *res = NULL;
			rc = eddy_query(db, r->sql.s, &res, &e);
			if (res)
				eddy_result_free(res);
		} else {
			rc = eddy_exec(db, r->sql.s, discard_result, NULL, &e);
		}
		if (r->kind == REC_STATEMENT_OK) {
			if (rc != 0) {
				fail_header(file, r, "statement failed");
				print_error("actual", &e);
				return;
			}
		} else if (rc == 0) {
			fail_header(file, r, "statement succeeded but an error was expected");
			print_expected_error(r);
			return;
		} else if (!error_matches(r, &e)) {
			fail_header(file, r, "wrong error");
			print_expected_error(r);
			print_error("actual", &e);
			return;
		}
		n_passed++;
		return;
	}

	EddyResult *res = NULL;
	if (eddy_query(db, r->sql.s, &res, &e) != 0) {
		fail_header(file, r, "query failed");
		print_error("actual", &e);
		if (res)
			eddy_result_free(res);
		return;
	}
	int ncols = eddy_result_ncols(res);
	int ntypes = (int)strlen(r->types);
	if (ncols != ntypes) {
		fail_header(file, r, "wrong number of columns");
		printf("  expected %d column%s (types %s), got %d:", ntypes, ntypes == 1 ? "" : "s",
		       r->types, ncols);
		for (int c = 0; c < ncols; c++)
			printf(" %s", eddy_result_colname(res, c));
		printf("\n");
		Lines got = { 0 };
		render_result(res, r->sort, &got);
		print_lines("actual", &got, NULL);
		lines_free(&got);
		eddy_result_free(res);
		return;
	}
	Lines actual = { 0 };
	render_result(res, r->sort, &actual);
	eddy_result_free(res);

	Lines *exp = &r->expected;
	if (r->sort != SORT_NONE)
		sort_lines(exp);
	int same = actual.n == exp->n;
	for (int i = 0; same && i < exp->n; i++)
		same = strcmp(actual.v[i], exp->v[i]) == 0;
	if (same) {
		n_passed++;
	} else {
		fail_header(file, r, "wrong result");
		print_lines("expected", exp, &actual);
		print_lines("actual", &actual, exp);
	}
	lines_free(&actual);
}

/* ---- Reading a file. */

/* Reads the whole file as lines without their line ends. */
static int read_lines(const char *path, Lines *out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		lines_push(out, xstrdup(line));
	}
	free(line);
	fclose(f);
	return 0;
}

static int is_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

static int starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t');
}

/* Collects SQL lines from *i up to a blank line (or "----" when stop_at_dashes). */
static void read_sql(const Lines *l, int *i, Buf *sql, int stop_at_dashes)
{
	buf_str(sql, "");
	while (*i < l->n && !is_blank(l->v[*i])) {
		if (stop_at_dashes && strcmp(l->v[*i], "----") == 0)
			break;
		if (sql->n)
			buf_str(sql, "\n");
		buf_str(sql, l->v[*i]);
		(*i)++;
	}
}

static void bad_record(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s:%d: FAILED: malformed test file: ", file, line);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	n_failed++;
}

static void run_file(const char *file, int timeout)
{
	Lines l = { 0 };
	if (read_lines(file, &l) != 0) {
		printf("%s: FAILED: cannot read the file\n", file);
		n_failed++;
		return;
	}
	Eddy *db = NULL;
	EddyError e;
	memset(&e, 0, sizeof e);
	if (eddy_open(NULL, &db, &e) != 0) {
		printf("%s: FAILED: cannot open an in-memory database\n", file);
		print_error("error", &e);
		n_failed++;
		lines_free(&l);
		return;
	}

	int skip_next = 0;
	int i = 0;
	while (i < l.n) {
		const char *s = l.v[i];
		if (is_blank(s) || s[0] == '#') {
			i++;
			continue;
		}
		int line = i + 1;
		if (starts_with_word(s, "halt"))
			break;
		if (starts_with_word(s, "skipif") || starts_with_word(s, "onlyif")) {
			char name[64] = "";
			sscanf(s + 6, "%63s", name);
			int is_eddy = strcmp(name, engine_name) == 0;
			if (s[0] == 's' ? is_eddy : !is_eddy)
				skip_next = 1;
			i++;
			continue;
		}
		if (starts_with_word(s, "hash-threshold") || starts_with_word(s, "mode")) {
			i++;
			continue;
		}

		Record r;
		memset(&r, 0, sizeof r);
		r.line = line;
		char *spec = NULL;
		if (starts_with_word(s, "statement")) {
			const char *p = s + 9;
			while (*p == ' ' || *p == '\t')
				p++;
			if (starts_with_word(p, "ok")) {
				r.kind = REC_STATEMENT_OK;
			} else if (starts_with_word(p, "error")) {
				r.kind = REC_STATEMENT_ERROR;
				spec = xstrdup(p + 5);
			} else {
				bad_record(file, line, "expected \"statement ok\" or \"statement error\"");
				i++;
				while (i < l.n && !is_blank(l.v[i]))
					i++;
				continue;
			}
			i++;
			read_sql(&l, &i, &r.sql, 0);
		} else if (starts_with_word(s, "query")) {
			char w1[64] = "", w2[64] = "";
			sscanf(s + 5, "%63s %63s", w1, w2);
			i++;
			if (strcmp(w1, "error") == 0) {
				r.kind = REC_QUERY_ERROR;
				spec = xstrdup(strstr(s, "error") + 5);
				read_sql(&l, &i, &r.sql, 0);
			} else {
				r.kind = REC_QUERY;
				r.types = xstrdup(w1);
				r.sort = SORT_NONE;
				if (strcmp(w2, "rowsort") == 0)
					r.sort = SORT_ROW;
				else if (strcmp(w2, "valuesort") == 0)
					r.sort = SORT_VALUE;
				read_sql(&l, &i, &r.sql, 1);
				if (i < l.n && strcmp(l.v[i], "----") == 0) {
					i++;
					while (i < l.n && !is_blank(l.v[i]))
						lines_push(&r.expected, xstrdup(l.v[i++]));
				}
				if (!r.types[0]) {
					bad_record(file, line, "query without column types");
					record_free(&r);
					continue;
				}
			}
		} else {
			bad_record(file, line, "unknown directive \"%s\"", s);
			i++;
			while (i < l.n && !is_blank(l.v[i]))
				i++;
			continue;
		}
		if (spec) {
			parse_error_spec(&r, spec);
			free(spec);
		}
		if (r.sql.n == 0) {
			bad_record(file, line, "record without SQL");
		} else if (skip_next) {
			/* Skipped records count neither way. */
		} else {
			alarm((unsigned)timeout);
			run_record(db, file, &r);
			alarm(0);
			fflush(stdout);
		}
		skip_next = 0;
		record_free(&r);
	}
	eddy_close(db);
	lines_free(&l);
}

int main(int argc, char **argv)
{
	int timeout = 60;
	int nfiles = 0;
	signal(SIGALRM, on_timeout);
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-v") == 0) {
			verbose = 1;
		} else if (strcmp(argv[a], "--name") == 0 && a + 1 < argc) {
			engine_name = argv[++a];
		} else if (strcmp(argv[a], "--timeout") == 0 && a + 1 < argc) {
			timeout = atoi(argv[++a]);
		} else if (argv[a][0] == '-') {
			fprintf(stderr, "usage: slt [-v] [--name NAME] [--timeout SECONDS] FILE...\n");
			return 2;
		} else {
			run_file(argv[a], timeout);
			nfiles++;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "usage: slt [-v] [--timeout SECONDS] FILE...\n");
		return 2;
	}
	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
