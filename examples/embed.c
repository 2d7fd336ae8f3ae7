/* embed.c: eddy embedded in a C program, end to end through include/eddy.h.
 *
 * What it shows, in order:
 *   1. open an in-memory database;
 *   2. declare a stream with a watermark and a tumbling-window materialized view, in SQL;
 *   3. subscribe to the view's changes with a callback;
 *   4. insert rows without SQL text (eddy_insert) and with an INSERT statement;
 *   5. read the view with eddy_query and the result cursor;
 *   6. provoke errors and print their SQLSTATE, message and position;
 *   7. close.
 * It is also a test (`make test` runs it): it checks everything it receives, prints what went
 * wrong, and ends with "1 passed, 0 failed" (exit 0) or "0 passed, 1 failed" (exit 1).
 *
 * Build: cc -Iinclude examples/embed.c build/libeddy.a -lxxhash -llz4 -lzstd -llmdb -lm -lpthread
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy.h"

static int failures;

/* Records a failed check; the program carries on so that one run shows every problem. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			failures++;                                                                \
			fprintf(stderr, "embed.c:%d: check failed: ", __LINE__);                   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
		}                                                                                  \
	} while (0)

static void print_error(const char *what, const EddyError *err)
{
	printf("%s: ERROR %s: %s", what, err->sqlstate, err->message);
	if (err->position)
		printf(" (at character %d)", err->position);
	if (err->hint[0])
		printf(" HINT: %s", err->hint);
	printf("\n");
}

/* ---- The subscriber: prints each change and replays it into its own copy of the view.
 *
 * The callback runs while the database is locked, so it must not call back into eddy; it only
 * prints and updates this in-memory copy. At the end, the copy must equal what SELECT returns:
 * the change stream is a faithful description of the view. */

#define MAX_ROWS 64

typedef struct Replica {
	char rows[MAX_ROWS][128]; /* each row as "v1 v2 v3 v4" */
	int nrows;
	int nchanges;
	int bad; /* a delete of a row the replica did not hold, or an overflow */
} Replica;

static const char *op_name(EddyOp op)
{
	switch (op) {
	case EDDY_INSERT: return "+";
	case EDDY_DELETE: return "-";
	case EDDY_UPDATE_DELETE: return "U-";
	case EDDY_UPDATE_INSERT: return "U+";
	}
	return "?";
}

static void join_values(char *out, size_t cap, int ncols, const char *const *values)
{
	out[0] = '\0';
	for (int i = 0; i < ncols; i++) {
		size_t n = strlen(out);
		snprintf(out + n, cap - n, "%s%s", i ? " " : "", values[i] ? values[i] : "NULL");
	}
}

static int on_change(void *ctx, EddyOp op, int ncols, const char *const *values)
{
	Replica *r = ctx;
	char row[128];
	join_values(row, sizeof row, ncols, values);
	printf("  change %-2s %s\n", op_name(op), row);
	r->nchanges++;
	if (op == EDDY_INSERT || op == EDDY_UPDATE_INSERT) {
		if (r->nrows == MAX_ROWS) {
			r->bad++;
			return 0;
		}
		snprintf(r->rows[r->nrows++], sizeof r->rows[0], "%s", row);
		return 0;
	}
	for (int i = 0; i < r->nrows; i++) {
		if (strcmp(r->rows[i], row) == 0) {
			/* Order does not matter in the replica: move the last row into the hole. */
			memcpy(r->rows[i], r->rows[--r->nrows], sizeof r->rows[0]);
			return 0;
		}
	}
	r->bad++;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* ---- The program. */

#define T0 INT64_C(1704067200000000) /* 2024-01-01 00:00:00 in microseconds since 1970 */
#define SEC INT64_C(1000000)

static const char *const expected[] = {
	"sensor-1 2024-01-01 00:00:00 2 22",
	"sensor-1 2024-01-01 00:01:00 1 21",
	"sensor-2 2024-01-01 00:00:00 1 18.25",
	"sensor-2 2024-01-01 00:01:00 1 19.5",
};
#define NEXPECTED ((int)(sizeof expected / sizeof expected[0]))

int main(void)
{
	Eddy *db = NULL;
	EddyError err;

	/* 1. An in-memory database: nothing is written to disk. */
	if (eddy_open(NULL, &db, &err) != 0) {
		print_error("open", &err);
		printf("0 passed, 1 failed\n");
		return 1;
	}

	/* 2. A stream of sensor readings whose event time may arrive up to 5 seconds out of order,
	 * and a view of per-device, per-minute statistics. Several statements in one call run in
	 * order; the callback (NULL here) would receive each statement's result. */
	const char *ddl =
		"CREATE STREAM readings (device varchar, temp double precision, ts timestamp, "
		"    WATERMARK FOR ts AS ts - INTERVAL '5 seconds');"
		"CREATE MATERIALIZED VIEW per_minute AS "
		"    SELECT device, window_start, count(*) AS n, max(temp) AS hi "
		"    FROM TUMBLE(readings, ts, INTERVAL '1 minute') "
		"    GROUP BY device, window_start;";
	if (eddy_exec(db, ddl, NULL, NULL, &err) != 0) {
		print_error("create", &err);
		failures++;
	}

	/* 3. Subscribe to the view's changes from now on (no snapshot: it is empty anyway). */
	Replica replica;
	memset(&replica, 0, sizeof replica);
	EddySubscription *sub = NULL;
	if (eddy_subscribe(db, "per_minute", 0, on_change, &replica, &sub, &err) != 0) {
		print_error("subscribe", &err);
		failures++;
	}

	/* 4a. Insert three rows without SQL text: values are typed (row-major, all columns). A
	 * timestamp is microseconds since 1970-01-01 00:00:00. */
	const EddyValue rows[] = {
		{ EDDY_VARCHAR, { .s = "sensor-1" } }, { EDDY_FLOAT8, { .f = 20.5 } },
		{ EDDY_TIMESTAMP, { .i = T0 + 10 * SEC } },
		{ EDDY_VARCHAR, { .s = "sensor-1" } }, { EDDY_FLOAT8, { .f = 22.0 } },
		{ EDDY_TIMESTAMP, { .i = T0 + 50 * SEC } },
		{ EDDY_VARCHAR, { .s = "sensor-2" } }, { EDDY_FLOAT8, { .f = 18.25 } },
		{ EDDY_TIMESTAMP, { .i = T0 + 30 * SEC } },
	};
	printf("eddy_insert of 3 rows:\n");
	if (eddy_insert(db, "readings", NULL, 3, rows, 3, &err) != 0) {
		print_error("eddy_insert", &err);
		failures++;
	}

	/* 4b. The same with SQL text. These rows move the watermark past 00:01:00, which closes
	 * the first minute's windows. */
	printf("INSERT of 2 rows:\n");
	if (eddy_exec(db,
		      "INSERT INTO readings VALUES ('sensor-1', 21.0, '2024-01-01 00:01:05'), "
		      "('sensor-2', 19.5, '2024-01-01 00:01:20')",
		      NULL, NULL, &err) != 0) {
		print_error("INSERT", &err);
		failures++;
	}

	/* Inserts are visible in views when the call returns; eddy_flush also waits for
	 * background sources (there are none here) and is shown for completeness. */
	if (eddy_flush(db, &err) != 0) {
		print_error("flush", &err);
		failures++;
	}

	/* 5. Read the view with a cursor. */
	EddyResult *res = NULL;
	char got[MAX_ROWS][128];
	int ngot = 0;
	if (eddy_query(db, "SELECT device, window_start, n, hi FROM per_minute "
			   "ORDER BY device, window_start", &res, &err) != 0) {
		print_error("SELECT", &err);
		failures++;
	} else {
		int ncols = eddy_result_ncols(res);
		CHECK(ncols == 4, "the view has %d columns, expected 4", ncols);
		printf("per_minute (%s):\n", eddy_result_tag(res));
		for (int c = 0; c < ncols; c++)
			printf("%s%s (%s)", c ? " | " : "  ", eddy_result_colname(res, c),
			       eddy_type_name(eddy_result_coltype(res, c)));
		printf("\n");
		CHECK(eddy_result_coltype(res, 2) == EDDY_INT8, "count(*) is not a bigint");
		while (eddy_result_next(res) && ngot < MAX_ROWS) {
			const char *v[4];
			for (int c = 0; c < 4 && c < ncols; c++)
				v[c] = eddy_result_isnull(res, c) ? NULL : eddy_result_text(res, c);
			join_values(got[ngot], sizeof got[0], ncols < 4 ? ncols : 4, v);
			printf("  %s\n", got[ngot]);
			/* Typed accessors read the same values without parsing text. */
			if (ngot == 0) {
				CHECK(eddy_result_int64(res, 1) == T0, "window_start is %lld",
				      (long long)eddy_result_int64(res, 1));
				CHECK(eddy_result_int64(res, 2) == 2, "n is %lld",
				      (long long)eddy_result_int64(res, 2));
				CHECK(eddy_result_double(res, 3) == 22.0, "hi is %g",
				      eddy_result_double(res, 3));
			}
			ngot++;
		}
		eddy_result_free(res);
	}
	CHECK(ngot == NEXPECTED, "the view has %d rows, expected %d", ngot, NEXPECTED);
	for (int i = 0; i < ngot && i < NEXPECTED; i++)
		CHECK(strcmp(got[i], expected[i]) == 0, "row %d is \"%s\", expected \"%s\"", i + 1,
		      got[i], expected[i]);

	/* The subscriber's replica of the view must hold exactly the same rows. */
	CHECK(replica.nchanges >= NEXPECTED, "only %d changes were delivered", replica.nchanges);
	CHECK(replica.bad == 0, "%d changes did not fit the view's rows", replica.bad);
	qsort(replica.rows, (size_t)replica.nrows, sizeof replica.rows[0], cmp_rows);
	CHECK(replica.nrows == NEXPECTED, "the replica has %d rows, expected %d", replica.nrows,
	      NEXPECTED);
	for (int i = 0; i < replica.nrows && i < NEXPECTED; i++)
		CHECK(strcmp(replica.rows[i], expected[i]) == 0, "replica row %d is \"%s\"", i + 1,
		      replica.rows[i]);

	/* 6. Errors: every one has a SQLSTATE and a message; errors in SQL text a position. */
	if (eddy_query(db, "SELECT nope FROM per_minute", &res, &err) == 0) {
		eddy_result_free(res);
		CHECK(0, "selecting an unknown column succeeded");
	} else {
		print_error("expected error", &err);
		CHECK(strcmp(err.sqlstate, "42703") == 0, "SQLSTATE %s, expected 42703",
		      err.sqlstate);
		CHECK(err.position == 8, "position %d, expected 8", err.position);
	}
	const EddyValue bad[] = {
		{ EDDY_VARCHAR, { .s = "sensor-3" } }, { EDDY_VARCHAR, { .s = "warm" } },
		{ EDDY_TIMESTAMP, { .i = T0 + 90 * SEC } },
	};
	if (eddy_insert(db, "readings", NULL, 3, bad, 1, &err) == 0) {
		CHECK(0, "inserting 'warm' into a double precision column succeeded");
	} else {
		print_error("expected error", &err);
		CHECK(strcmp(err.sqlstate, "22P02") == 0, "SQLSTATE %s, expected 22P02",
		      err.sqlstate);
	}
	if (eddy_exec(db, "DELETE FROM readings", NULL, NULL, &err) == 0) {
		CHECK(0, "DELETE from a stream succeeded");
	} else {
		print_error("expected error", &err);
		CHECK(strcmp(err.sqlstate, "42809") == 0, "SQLSTATE %s, expected 42809",
		      err.sqlstate);
	}

	/* 7. Close: unsubscribe first, then the database. */
	if (sub)
		eddy_unsubscribe(sub);
	eddy_close(db);

	if (failures) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("1 passed, 0 failed\n");
	return 0;
}
