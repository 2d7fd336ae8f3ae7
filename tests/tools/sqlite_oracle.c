/* sqlite_oracle.c: checks eddy's incremental tumbling-window views against SQLite.
 *
 * Role: the oracle test of issue 2 ("a stream with a tumbling-window aggregate view updated by
 * inserts gives the same rows as the same query run over the same rows in SQLite"). For several
 * fixed seeds it generates random rows of a stream s (k varchar, v bigint, ts timestamp) (keys
 * and values sometimes NULL, times over an hour with microseconds, in no particular order),
 * inserts them into eddy in random batches (through eddy_insert and through INSERT text, in
 * turn) and into an in-memory SQLite table, and after every batch compares, as sorted text:
 *
 *   the view  SELECT k, window_start, window_end, count(*), sum(v), min(v), max(v)
 *             FROM TUMBLE(s, ts, INTERVAL '1 minute') GROUP BY k, window_start, window_end
 *   with      the same aggregation in SQLite, window_start computed with integer arithmetic
 *             on epoch microseconds and formatted as PostgreSQL prints a timestamp;
 *
 * and a second view of avg(v) per key and window, compared as numbers with a relative tolerance.
 * At the end of each run the same query run ad hoc (not as a view) must agree too. The stream
 * has no watermark, so no row is ever late. Each comparison is one test; the last line printed
 * is "N passed, N failed". Run by tests/integration/sqlite_tumble.sh.
 *
 * Usage: sqlite_oracle [RUNS [ROWS]]   (defaults 4 runs of 3000 rows)
 *
 * A test program, not engine code: it uses only include/eddy.h and sqlite3.h, and plain malloc.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "eddy.h"
#include "oracle_lines.h"

#define T0 INT64_C(1704067200000000) /* 2024-01-01 00:00:00 */
#define MINUTE INT64_C(60000000)
#define NKEYS 12
#define SPAN_MINUTES 75

static int n_passed, n_failed;

/* ---- Deterministic random numbers (xorshift64*). */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static int64_t rnd_range(int64_t lo, int64_t hi) /* inclusive */
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- Rows. */

typedef struct Row {
	char k[8];    /* "" for NULL */
	int k_null;
	int64_t v;
	int v_null;
	int64_t ts;   /* microseconds since 1970 */
} Row;

static void gen_row(Row *r)
{
	r->k_null = rnd_range(0, 49) == 0;
	snprintf(r->k, sizeof r->k, "k%d", (int)rnd_range(0, NKEYS - 1));
	r->v_null = rnd_range(0, 19) == 0;
	/* Mostly small values, sometimes large ones, both signs. */
	r->v = rnd_range(0, 9) == 0 ? rnd_range(-1000000000000LL, 1000000000000LL)
				    : rnd_range(-1000, 1000);
	r->ts = T0 + rnd_range(0, SPAN_MINUTES * MINUTE - 1);
}

static void format_ts(char *out, size_t cap, int64_t us)
{
	time_t sec = (time_t)(us / 1000000);
	int frac = (int)(us % 1000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
	if (frac)
		snprintf(out + n, cap - n, ".%06d", frac);
}

/* ---- Text results: a list of lines, sorted before comparing. */

/* Runs a query on eddy, one line per row (values joined by '|', NULL as "NULL"). */
static int eddy_lines(Eddy *db, const char *sql, Lines *out, EddyError *err)
{
	EddyResult *res = NULL;
	if (eddy_query(db, sql, &res, err) != 0)
		return -1;
	int ncols = eddy_result_ncols(res);
	char line[1024];
	while (eddy_result_next(res)) {
		size_t n = 0;
		line[0] = '\0';
		for (int c = 0; c < ncols; c++) {
			const char *t = eddy_result_isnull(res, c) ? "NULL" : eddy_result_text(res, c);
			n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", c ? "|" : "", t);
			if (n >= sizeof line)
				n = sizeof line - 1;
		}
		lines_push(out, line);
	}
	eddy_result_free(res);
	if (out->n > 1)
		qsort(out->v, (size_t)out->n, sizeof *out->v, cmp_str);
	return 0;
}

/* Runs a query on SQLite, the same line format. */
static int sqlite_lines(sqlite3 *lite, const char *sql, Lines *out)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(lite, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("sqlite: %s\n", sqlite3_errmsg(lite));
		return -1;
	}
	int ncols = sqlite3_column_count(st);
	char line[1024];
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t n = 0;
		line[0] = '\0';
		for (int c = 0; c < ncols; c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", c ? "|" : "",
					      t ? (const char *)t : "NULL");
			if (n >= sizeof line)
				n = sizeof line - 1;
		}
		lines_push(out, line);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		printf("sqlite: %s\n", sqlite3_errmsg(lite));
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, (size_t)out->n, sizeof *out->v, cmp_str);
	return 0;
}

/* Compares and counts one test; prints the first differences on failure. */
static void compare(const char *what, int seed, int batch, const Lines *got, const Lines *want,
		    double tol)
{
	int same = got->n == want->n;
	for (int i = 0; same && i < got->n; i++)
		same = fields_equal(got->v[i], want->v[i], tol);
	if (same) {
		n_passed++;
		return;
	}
	n_failed++;
	printf("FAILED: %s, seed %d, after batch %d: eddy has %d rows, SQLite %d\n", what, seed,
	       batch, got->n, want->n);
	int shown = 0;
	for (int i = 0, j = 0; (i < got->n || j < want->n) && shown < 10;) {
		int c = i >= got->n ? 1 : j >= want->n ? -1 : strcmp(got->v[i], want->v[j]);
		if (c == 0 || (i < got->n && j < want->n && fields_equal(got->v[i], want->v[j], tol))) {
			i++;
			j++;
		} else if (c < 0) {
			printf("  eddy only:   %s\n", got->v[i++]);
			shown++;
		} else {
			printf("  SQLite only: %s\n", want->v[j++]);
			shown++;
		}
	}
}

/* ---- Inserting one batch into both databases. */

static int insert_eddy_api(Eddy *db, const Row *rows, int n, EddyError *err)
{
	EddyValue *vals = calloc((size_t)n * 3, sizeof *vals);
	if (!vals)
		abort();
	for (int i = 0; i < n; i++) {
		EddyValue *v = &vals[i * 3];
		v[0].type = rows[i].k_null ? EDDY_NULL : EDDY_VARCHAR;
		v[0].v.s = rows[i].k;
		v[1].type = rows[i].v_null ? EDDY_NULL : EDDY_INT8;
		v[1].v.i = rows[i].v;
		v[2].type = EDDY_TIMESTAMP;
		v[2].v.i = rows[i].ts;
	}
	int rc = eddy_insert(db, "s", NULL, 3, vals, n, err);
	free(vals);
	return rc;
}

static int insert_eddy_sql(Eddy *db, const Row *rows, int n, EddyError *err)
{
	size_t cap = (size_t)n * 96 + 64;
	char *sql = malloc(cap);
	if (!sql)
		abort();
	size_t len = (size_t)snprintf(sql, cap, "INSERT INTO s (k, v, ts) VALUES ");
	for (int i = 0; i < n; i++) {
		char k[16], v[32], ts[40];
		if (rows[i].k_null)
			strcpy(k, "NULL");
		else
			snprintf(k, sizeof k, "'%s'", rows[i].k);
		if (rows[i].v_null)
			strcpy(v, "NULL");
		else
			snprintf(v, sizeof v, "%lld", (long long)rows[i].v);
		format_ts(ts, sizeof ts, rows[i].ts);
		len += (size_t)snprintf(sql + len, cap - len, "%s(%s, %s, '%s')", i ? ", " : "", k,
					v, ts);
	}
	int rc = eddy_exec(db, sql, NULL, NULL, err);
	free(sql);
	return rc;
}

static int insert_sqlite(sqlite3 *lite, const Row *rows, int n)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(lite, "INSERT INTO s VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_exec(lite, "BEGIN", NULL, NULL, NULL);
	for (int i = 0; i < n; i++) {
		if (rows[i].k_null)
			sqlite3_bind_null(st, 1);
		else
			sqlite3_bind_text(st, 1, rows[i].k, -1, SQLITE_STATIC);
		if (rows[i].v_null)
			sqlite3_bind_null(st, 2);
		else
			sqlite3_bind_int64(st, 2, rows[i].v);
		sqlite3_bind_int64(st, 3, rows[i].ts);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_exec(lite, "COMMIT", NULL, NULL, NULL);
	sqlite3_finalize(st);
	return 0;
}

/* ---- The queries. */

static const char *const EDDY_DDL =
	"CREATE STREAM s (k varchar, v bigint, ts timestamp);"
	"CREATE MATERIALIZED VIEW agg AS SELECT k, window_start, window_end, count(*) AS n, "
	"    sum(v) AS total, min(v) AS lo, max(v) AS hi "
	"    FROM TUMBLE(s, ts, INTERVAL '1 minute') GROUP BY k, window_start, window_end;"
	"CREATE MATERIALIZED VIEW avgs AS SELECT k, window_start, avg(v) AS mean "
	"    FROM TUMBLE(s, ts, INTERVAL '1 minute') GROUP BY k, window_start;";

static const char *const EDDY_ADHOC =
	"SELECT k, window_start, window_end, count(*), sum(v), min(v), max(v) "
	"FROM TUMBLE(s, ts, INTERVAL '1 minute') GROUP BY k, window_start, window_end";

/* window_start = ts - ts % 1 minute (ts is positive), printed as PostgreSQL prints a timestamp
 * (no fraction: window bounds are whole minutes). */
#define LITE_WS "(ts - ts % 60000000)"
#define LITE_FMT(x) "strftime('%Y-%m-%d %H:%M:%S', (" x ") / 1000000, 'unixepoch')"

static const char *const LITE_AGG =
	"SELECT k, " LITE_FMT(LITE_WS) ", " LITE_FMT(LITE_WS " + 60000000") ", "
	"count(*), sum(v), min(v), max(v) FROM s GROUP BY k, " LITE_WS;

static const char *const LITE_AVG =
	"SELECT k, " LITE_FMT(LITE_WS) ", avg(v) FROM s GROUP BY k, " LITE_WS;

/* ---- One run. */

static void run(int seed, int total_rows)
{
	rng_state = UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)seed * UINT64_C(0x100000001B3));
	if (!rng_state)
		rng_state = 1;
	Eddy *db = NULL;
	EddyError err;
	sqlite3 *lite = NULL;
	Lines got = { 0 }, want = { 0 };

	if (eddy_open(NULL, &db, &err) != 0 || eddy_exec(db, EDDY_DDL, NULL, NULL, &err) != 0) {
		printf("FAILED: seed %d: setting up eddy: %s %s\n", seed, err.sqlstate, err.message);
		n_failed++;
		if (db)
			eddy_close(db);
		return;
	}
	if (sqlite3_open(":memory:", &lite) != SQLITE_OK ||
	    sqlite3_exec(lite, "CREATE TABLE s (k TEXT, v INTEGER, ts INTEGER)", NULL, NULL,
			 NULL) != SQLITE_OK) {
		printf("FAILED: seed %d: setting up SQLite\n", seed);
		n_failed++;
		eddy_close(db);
		sqlite3_close(lite);
		return;
	}

	Row *rows = malloc(600 * sizeof *rows);
	if (!rows)
		abort();
	int inserted = 0, batch = 0;
	while (inserted < total_rows) {
		/* Mostly small batches, sometimes one row, sometimes hundreds. */
		int n = rnd_range(0, 4) == 0 ? 1 : (int)rnd_range(2, rnd_range(0, 3) == 0 ? 600 : 60);
		if (n > total_rows - inserted)
			n = total_rows - inserted;
		for (int i = 0; i < n; i++)
			gen_row(&rows[i]);
		batch++;
		int rc = batch % 2 ? insert_eddy_api(db, rows, n, &err)
				   : insert_eddy_sql(db, rows, n, &err);
		if (rc != 0) {
			printf("FAILED: seed %d, batch %d: insert (%s): %s %s\n", seed, batch,
			       batch % 2 ? "eddy_insert" : "INSERT", err.sqlstate, err.message);
			n_failed++;
			break;
		}
		if (insert_sqlite(lite, rows, n) != 0) {
			printf("FAILED: seed %d: SQLite insert: %s\n", seed, sqlite3_errmsg(lite));
			n_failed++;
			break;
		}
		inserted += n;

		lines_clear(&got);
		lines_clear(&want);
		if (eddy_lines(db, "SELECT * FROM agg", &got, &err) != 0) {
			printf("FAILED: seed %d, batch %d: SELECT * FROM agg: %s %s\n", seed, batch,
			       err.sqlstate, err.message);
			n_failed++;
			break;
		}
		if (sqlite_lines(lite, LITE_AGG, &want) != 0) {
			n_failed++;
			break;
		}
		compare("view agg", seed, batch, &got, &want, 0);

		lines_clear(&got);
		lines_clear(&want);
		if (eddy_lines(db, "SELECT * FROM avgs", &got, &err) != 0) {
			printf("FAILED: seed %d, batch %d: SELECT * FROM avgs: %s %s\n", seed, batch,
			       err.sqlstate, err.message);
			n_failed++;
			break;
		}
		if (sqlite_lines(lite, LITE_AVG, &want) != 0) {
			n_failed++;
			break;
		}
		compare("view avgs", seed, batch, &got, &want, 1e-9);
	}

	/* The same aggregation as an ad-hoc query over the stream's history. */
	lines_clear(&got);
	lines_clear(&want);
	if (eddy_lines(db, EDDY_ADHOC, &got, &err) != 0) {
		printf("FAILED: seed %d: ad-hoc TUMBLE query: %s %s\n", seed, err.sqlstate,
		       err.message);
		n_failed++;
	} else if (sqlite_lines(lite, LITE_AGG, &want) == 0) {
		compare("ad-hoc query", seed, batch, &got, &want, 0);
	}
	printf("seed %d: %d rows in %d batches, %d groups (e.g. %s)\n", seed, inserted, batch,
	       want.n, want.n ? want.v[want.n / 2] : "none");

	lines_clear(&got);
	lines_clear(&want);
	free(got.v);
	free(want.v);
	free(rows);
	sqlite3_close(lite);
	eddy_close(db);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 4;
	int nrows = argc > 2 ? atoi(argv[2]) : 3000;
	for (int seed = 1; seed <= runs; seed++)
		run(seed, nrows);
	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed ? 1 : 0;
}
