/* test_idle.c: the watermark idle timeout (docs/windows.md, "Idle inputs").
 *
 * Through the public API: two streams with watermarks, each TUMBLEd, UNION ALL'ed into an
 * aggregation by window_start with EMIT ON WINDOW CLOSE; only one stream is fed. Without
 * `watermark.idle_timeout` the silent stream holds the union's watermark back and no window
 * closes, however long one waits; with it, once the stream has been silent that long (wall clock)
 * and the engine pumps (FLUSH), the windows the fed stream's watermark passed close. A row on the
 * idle stream makes it active again (and is late if behind the advanced watermark). Also the
 * option's validation errors and that a source's connector does not see the option. Timeouts are
 * a few hundred milliseconds so the file runs in about a second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eddy.h"
#include "api_harness.h"

static int64_t nrows(Eddy *db, const char *sql)
{
	EddyResult *r;
	EddyError err;
	if (eddy_query(db, sql, &r, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	int64_t n = eddy_result_nrows(r);
	eddy_result_free(r);
	return n;
}

/* The late_rows column of SHOW MATERIALIZED VIEWS for the only view. */
static int64_t late_rows(Eddy *db)
{
	EddyResult *r;
	EddyError err;
	assert_int_equal(eddy_query(db, "SHOW MATERIALIZED VIEWS", &r, &err), 0);
	int col = -1;
	for (int i = 0; i < eddy_result_ncols(r); i++)
		if (strcmp(eddy_result_colname(r, i), "late_rows") == 0)
			col = i;
	assert_true(col >= 0);
	assert_int_equal(eddy_result_next(r), 1);
	int64_t n = eddy_result_int64(r, col);
	eddy_result_free(r);
	return n;
}

/* Streams a (fed) and b (silent; `b_with` its WITH clause) and the view w. */
static Eddy *open_union(const char *b_with)
{
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "CREATE STREAM a (v int, ts timestamp, "
		 "WATERMARK FOR ts AS ts - INTERVAL '1 second');"
		 "CREATE STREAM b (v int, ts timestamp, "
		 "WATERMARK FOR ts AS ts - INTERVAL '1 second') %s;"
		 "CREATE MATERIALIZED VIEW w AS SELECT window_start, count(*) AS n FROM ("
		 "SELECT window_start FROM TUMBLE(a, ts, INTERVAL '10' SECOND) UNION ALL "
		 "SELECT window_start FROM TUMBLE(b, ts, INTERVAL '10' SECOND)) t "
		 "GROUP BY window_start EMIT ON WINDOW CLOSE;",
		 b_with);
	exec_ok(db, sql);
	/* a's watermark reaches 00:00:34: windows 00:00:00, :10 and :20 are over for a. */
	exec_ok(db, "INSERT INTO a VALUES (1, '2024-01-01 00:00:01'), (2, '2024-01-01 00:00:15'), "
		    "(3, '2024-01-01 00:00:25'), (4, '2024-01-01 00:00:35'); FLUSH");
	return db;
}

static void test_silent_input_holds_without_timeout(void **state)
{
	Eddy *db = open_union("");
	assert_int_equal(nrows(db, "SELECT * FROM w"), 0);
	usleep(150 * 1000);
	exec_ok(db, "FLUSH");
	assert_int_equal(nrows(db, "SELECT * FROM w"), 0);
	eddy_close(db);
}

static void test_idle_input_releases_watermark(void **state)
{
	Eddy *db = open_union("WITH (watermark.idle_timeout = '300 milliseconds')");
	/* Not idle yet: b was created just now. */
	assert_int_equal(nrows(db, "SELECT * FROM w"), 0);
	usleep(350 * 1000);
	exec_ok(db, "FLUSH");
	assert_int_equal(nrows(db, "SELECT * FROM w"), 3);
	assert_int_equal(nrows(db, "SELECT * FROM w WHERE window_start = '2024-01-01 00:00:20' "
				   "AND n = 1"),
			 1);
	assert_int_equal(late_rows(db), 0);
	/* b speaks again: its row is behind the advanced watermark (late, counted), and it holds
	 * the watermark back again, so a's progress closes nothing more. */
	exec_ok(db, "INSERT INTO b VALUES (9, '2024-01-01 00:00:02');"
		    "INSERT INTO a VALUES (5, '2024-01-01 00:01:35'); FLUSH");
	assert_int_equal(late_rows(db), 1);
	assert_int_equal(nrows(db, "SELECT * FROM w"), 3);
	/* Silent again past the timeout: a's windows up to 00:01:20 close. */
	usleep(350 * 1000);
	exec_ok(db, "FLUSH");
	assert_int_equal(nrows(db, "SELECT * FROM w"), 4);
	eddy_close(db);
}

static void expect_error(Eddy *db, const char *sql, const char *state, const char *msg)
{
	EddyError err;
	assert_int_not_equal(eddy_exec(db, sql, NULL, NULL, &err), 0);
	assert_string_equal(err.sqlstate, state);
	assert_string_equal(err.message, msg);
}

static void test_option_validation(void **state)
{
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	expect_error(db,
		     "CREATE STREAM s (ts timestamp) WITH (watermark.idle_timeout = '5 parsecs')",
		     "22023", "invalid value for parameter \"watermark.idle_timeout\": \"5 parsecs\"");
	expect_error(db,
		     "CREATE STREAM s (ts timestamp) WITH (watermark.idle_timeout = '-1 second')",
		     "22023", "invalid value for parameter \"watermark.idle_timeout\": \"-1 second\"");
	/* The failed CREATEs left nothing behind. */
	exec_ok(db, "CREATE STREAM s (ts timestamp) WITH (watermark.idle_timeout = '5 seconds')");
	/* A source takes the option without its connector seeing it. */
	exec_ok(db, "CREATE SOURCE p (id bigint, date_time timestamp, "
		    "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH ("
		    "connector = 'nexmark', nexmark.table.type = 'Person', nexmark.events = '100', "
		    "watermark.idle_timeout = '1 second');"
		    "CREATE MATERIALIZED VIEW pv AS SELECT id FROM p; FLUSH");
	assert_true(nrows(db, "SELECT * FROM pv") > 0);
	expect_error(db,
		     "CREATE SOURCE q (id bigint) WITH (connector = 'nexmark', "
		     "nexmark.table.type = 'Person', watermark.idle_timeout = 'x')",
		     "22023", "invalid value for parameter \"watermark.idle_timeout\": \"x\"");
	eddy_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_input_holds_without_timeout),
		cmocka_unit_test(test_idle_input_releases_watermark),
		cmocka_unit_test(test_option_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
