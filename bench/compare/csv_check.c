/* csv_check.c: checks that `eddy bench nexmark --csv DIR` answers as the generator does.
 *
 * Part of bench/compare/ (issue 6), run by run.sh before the Flink comparison, never by `make
 * test`. For each query file given, two in-memory databases: one with the generator's sources
 * (GEN_DDL: bench/nexmark/ddl.sql with its placeholders filled in) and the query's view, then
 * FLUSH; the other with bench_csv_ddl()'s streams, the same view, bench_csv_feed() of EVENTS
 * events from CSV_DIR (the export of the same events), then FLUSH. EXTRA (bench/nexmark/
 * side_input.sql) runs after either DDL. The view's rows must be the same multiset in both.
 * Prints a line per query and "N passed, N failed" last.
 *
 * Build: cc -Isrc -Iinclude bench/compare/csv_check.c src/cli/bench_csv.c BUILD/libeddy.a LIBS
 * Usage: csv_check GEN_DDL EXTRA CSV_DIR EVENTS qN.sql...
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

typedef struct Rows {
	char **v;
	size_t n, cap;
} Rows;

/* Collects each row as one line of its text values. */
static int collect(void *ctx, EddyResult *res)
{
	Rows *r = ctx;
	char line[8192];
	while (eddy_result_next(res)) {
		size_t len = 0;
		line[0] = '\0';
		for (int c = 0; c < eddy_result_ncols(res); c++) {
			const char *t = eddy_result_isnull(res, c) ? "NULL" : eddy_result_text(res, c);
			len += (size_t)snprintf(line + len, len < sizeof line ? sizeof line - len : 0,
						"%s%s", c ? "|" : "", t);
			if (len >= sizeof line)
				len = sizeof line - 1;
		}
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 1024;
			r->v = realloc(r->v, sizeof *r->v * r->cap);
		}
		r->v[r->n++] = strdup(line);
	}
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The view's name: the word after CREATE MATERIALIZED VIEW. */
static int view_name(const char *q, char *out, size_t cap)
{
	const char *p = strstr(q, "CREATE MATERIALIZED VIEW ");
	if (!p)
		return -1;
	p += strlen("CREATE MATERIALIZED VIEW ");
	size_t n = strcspn(p, " \t\r\n(");
	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* Runs setup + query (+ the CSV feed when csv_dir is set) and reads the view back sorted. */
static int run(const char *setup, const char *extra, const char *query, const char *view,
	       const char *csv_dir, long long events, Rows *out, EddyError *err)
{
	Eddy *db = NULL;
	EddyOptions eo = {.data_dir = NULL, .tick_ms = 1000};
	char sel[256];
	snprintf(sel, sizeof sel, "SELECT * FROM %s", view);
	int rc = eddy_open_ex(&eo, &db, err) < 0 || eddy_exec(db, setup, NULL, NULL, err) < 0 ||
		 eddy_exec(db, extra, NULL, NULL, err) < 0;
	/* As `eddy bench --csv` feeds them: only the tables the query reads are ingested. */
	unsigned tables = !rc && csv_dir ? bench_csv_tables(db, query) : 0;
	rc = rc || eddy_exec(db, query, NULL, NULL, err) < 0 ||
	     (csv_dir && bench_csv_feed(db, csv_dir, events, tables, err) < 0) ||
	     eddy_flush(db, err) < 0 || eddy_exec(db, sel, collect, out, err) < 0;
	if (db)
		eddy_close(db);
	qsort(out->v, out->n, sizeof *out->v, by_text);
	return rc ? -1 : 0;
}

static void rows_free(Rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: csv_check GEN_DDL EXTRA CSV_DIR EVENTS qN.sql...\n");
		return 2;
	}
	char *gen = slurp(argv[1]), *extra = slurp(argv[2]);
	if (!gen || !extra) {
		fprintf(stderr, "csv_check: cannot read %s or %s\n", argv[1], argv[2]);
		return 2;
	}
	long long events = atoll(argv[4]);
	int passed = 0, failed = 0;
	for (int i = 5; i < argc; i++) {
		char *q = slurp(argv[i]);
		char view[128];
		if (!q || view_name(q, view, sizeof view) < 0) {
			printf("%s: no view to compare\n", argv[i]);
			failed++;
			free(q);
			continue;
		}
		Rows a = {0}, b = {0};
		EddyError err;
		const char *what = NULL;
		if (run(gen, extra, q, view, NULL, 0, &a, &err) < 0)
			what = "generator";
		else if (run(bench_csv_ddl(), extra, q, view, argv[3], events, &b, &err) < 0)
			what = "csv";
		size_t diff = 0;
		for (size_t k = 0; !what && k < a.n && k < b.n; k++)
			diff += strcmp(a.v[k], b.v[k]) != 0;
		if (what) {
			printf("FAIL %s (%s): %s\n", view, what, err.message);
		} else if (a.n != b.n || diff) {
			printf("FAIL %s: generator %zu rows, csv %zu rows, %zu differ\n", view, a.n, b.n,
			       diff);
			for (size_t k = 0; k < a.n && k < b.n; k++)
				if (strcmp(a.v[k], b.v[k])) {
					printf("  generator: %s\n  csv:       %s\n", a.v[k], b.v[k]);
					break;
				}
		} else {
			printf("ok   %s: %zu rows, the same\n", view, a.n);
		}
		(what || a.n != b.n || diff) ? failed++ : passed++;
		rows_free(&a);
		rows_free(&b);
		free(q);
	}
	free(gen);
	free(extra);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
