/* test_over_agg.c: model test of views with window functions and GROUP BY in one query level.
 *
 * Through the public API (include/eddy.h), each case creates a table t (id, a, b) and a stream s
 * (a, b), and views whose window functions run over an aggregation: ranks over aggregates,
 * PARTITION BY group expressions, HAVING, aggregates inside window aggregates, frames and lag
 * over groups, top-N over aggregates (TopN over HashAgg), and one over the append-only stream.
 * Random steps insert, delete (single rows and whole groups) and update rows, several statements
 * at a time; after every step each view, read with SELECT *, must equal its defining query run
 * as an ad-hoc (batch) SELECT over the current input, compared as sorted rows. Window orders
 * are total or use ranks, so the answers are deterministic. Seeds are fixed, so failures replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eddy.h"

#define SEEDS 6
#define STEPS 50

static const char *const VIEWS[] = {
	/* Ranks over aggregates, a partition by a group expression. */
	"SELECT a, sum(b) AS s, count(*) AS c, rank() OVER (ORDER BY sum(b) DESC) AS r, "
	"dense_rank() OVER (PARTITION BY a % 3 ORDER BY count(*)) AS d FROM t GROUP BY a",
	/* Group top-N over an aggregate (a TopN over the aggregation). */
	"SELECT * FROM (SELECT a, sum(b) AS s, row_number() OVER (PARTITION BY a % 2 ORDER BY "
	"sum(b) DESC NULLS LAST, a) AS rn FROM t GROUP BY a) AS x WHERE rn <= 3",
	/* Top-N by rank, with ties, rank not shown. */
	"SELECT a, c FROM (SELECT a, count(*) AS c, rank() OVER (ORDER BY count(*) DESC) AS r "
	"FROM t GROUP BY a) AS x WHERE r <= 2",
	/* HAVING, a window function in an expression, an aggregate in a window aggregate. */
	"SELECT a % 5 AS g, count(b) AS c, rank() OVER (ORDER BY max(b) DESC) + 1 AS r, "
	"sum(count(*)) OVER () AS tot FROM t GROUP BY a % 5 HAVING count(*) > 2",
	/* No GROUP BY: one group. */
	"SELECT sum(count(*)) OVER () AS n, max(sum(b)) OVER () AS s FROM t",
	/* A ROWS frame and lag over the groups. */
	"SELECT a, sum(sum(b)) OVER (ORDER BY a ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS w, "
	"lag(count(*)) OVER (ORDER BY a) AS l FROM t GROUP BY a",
	/* Over the append-only stream (its cheaper max). */
	"SELECT a, max(b) AS m, rank() OVER (ORDER BY max(b) DESC NULLS LAST) AS r FROM s GROUP BY a",
};
#define NVIEWS ((int)(sizeof VIEWS / sizeof VIEWS[0]))

static uint64_t rng;

static int rnd(int lo, int hi) /* [lo, hi], splitmix64 */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return lo + (int)(z % (uint64_t)(hi - lo + 1));
}

static void exec_ok(Eddy *db, const char *sql)
{
	EddyError err;
	if (eddy_exec(db, sql, NULL, NULL, &err) != 0) {
		print_message("%s\nfailed: %s\n", sql, err.message);
		fail();
	}
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The rows of sql as one text, rows sorted; the caller frees it. */
static char *rows_of(Eddy *db, const char *sql)
{
	EddyResult *res;
	EddyError err;
	if (eddy_query(db, sql, &res, &err) != 0) {
		print_message("%s\nfailed: %s\n", sql, err.message);
		fail();
	}
	int64_t n = eddy_result_nrows(res);
	char **lines = calloc((size_t)n + 1, sizeof *lines);
	size_t total = 1;
	int nc = eddy_result_ncols(res);
	for (int64_t r = 0; eddy_result_next(res); r++) {
		char buf[512];
		size_t len = 0;
		for (int c = 0; c < nc; c++) {
			const char *v = eddy_result_text(res, c);
			len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", c ? "|" : "",
						v ? v : "NULL");
		}
		lines[r] = strdup(buf);
		total += len + 1;
	}
	eddy_result_free(res);
	qsort(lines, (size_t)n, sizeof *lines, cmp_str);
	char *text = malloc(total);
	size_t at = 0;
	for (int64_t r = 0; r < n; r++) {
		at += (size_t)sprintf(text + at, "%s\n", lines[r]);
		free(lines[r]);
	}
	text[at] = 0;
	free(lines);
	return text;
}

/* One random step: a few inserts, deletes and updates, as one multi-statement text. */
static void step(Eddy *db, int *next_id, int nkeys)
{
	char sql[4096];
	size_t len = 0;
	int nstmts = rnd(1, 4);
	for (int i = 0; i < nstmts; i++) {
		int dice = rnd(0, 99);
		if (dice < 50) {
			int n = rnd(1, 6);
			len += (size_t)snprintf(sql + len, sizeof sql - len, "INSERT INTO t VALUES ");
			for (int r = 0; r < n; r++) {
				char b[16];
				if (rnd(0, 9) == 0)
					strcpy(b, "NULL");
				else
					snprintf(b, sizeof b, "%d", rnd(-20, 20));
				len += (size_t)snprintf(sql + len, sizeof sql - len, "%s(%d, %d, %s)",
							r ? ", " : "", (*next_id)++,
							rnd(0, nkeys - 1), b);
			}
			len += (size_t)snprintf(sql + len, sizeof sql - len, ";\n");
		} else if (dice < 75) {
			len += (size_t)snprintf(sql + len, sizeof sql - len,
						"DELETE FROM t WHERE id = %d;\n",
						rnd(0, *next_id));
		} else if (dice < 80) {
			len += (size_t)snprintf(sql + len, sizeof sql - len,
						"DELETE FROM t WHERE a = %d;\n", rnd(0, nkeys - 1));
		} else {
			len += (size_t)snprintf(sql + len, sizeof sql - len,
						"UPDATE t SET a = %d, b = %d WHERE id = %d;\n",
						rnd(0, nkeys - 1), rnd(-20, 20), rnd(0, *next_id));
		}
	}
	/* The stream only grows. */
	len += (size_t)snprintf(sql + len, sizeof sql - len, "INSERT INTO s VALUES (%d, %d);\n",
				rnd(0, nkeys - 1), rnd(-50, 50));
	exec_ok(db, sql);
}

static void run_case(uint64_t seed)
{
	rng = seed;
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	exec_ok(db, "CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer)");
	exec_ok(db, "CREATE STREAM s (a integer, b integer)");
	char sql[1024];
	for (int v = 0; v < NVIEWS; v++) {
		snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW v%d AS %s", v, VIEWS[v]);
		exec_ok(db, sql);
	}
	int next_id = 0, nkeys = rnd(2, 12);
	for (int s = 1; s <= STEPS; s++) {
		step(db, &next_id, nkeys);
		for (int v = 0; v < NVIEWS; v++) {
			snprintf(sql, sizeof sql, "SELECT * FROM v%d", v);
			char *got = rows_of(db, sql), *want = rows_of(db, VIEWS[v]);
			if (strcmp(got, want) != 0) {
				print_message("seed %llu step %d: view v%d (%s) differs from its "
					      "query\nview:\n%s\nquery:\n%s\n",
					      (unsigned long long)seed, s, v, VIEWS[v], got, want);
				fail();
			}
			free(got);
			free(want);
		}
	}
	eddy_close(db);
}

static void test_views_equal_recomputation(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= SEEDS; seed++)
		run_case(seed * 104729);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_equal_recomputation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
