/* test_engine.c: the library API end to end: statements, results, inserts without SQL,
 * subscriptions, errors with SQLSTATE and position, and a data directory's journal and lock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "eddy.h"
#include "api_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Eddy *open_mem(void)
{
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	return db;
}

static void expect_error(Eddy *db, const char *sql, const char *state, int position)
{
	EddyError err;
	assert_int_not_equal(eddy_exec(db, sql, NULL, NULL, &err), 0);
	assert_string_equal(err.sqlstate, state);
	if (position >= 0)
		assert_int_equal(err.position, position);
}

static void test_query_and_tags(void **state)
{
	Eddy *db = open_mem();
	EddyResult *res;
	EddyError err;
	assert_int_equal(eddy_query(db, "CREATE TABLE t (id int PRIMARY KEY, name varchar)", &res,
				    &err),
			 0);
	assert_string_equal(eddy_result_tag(res), "CREATE TABLE");
	eddy_result_free(res);
	assert_int_equal(eddy_query(db, "INSERT INTO t VALUES (1, 'a'), (2, NULL)", &res, &err), 0);
	assert_string_equal(eddy_result_tag(res), "INSERT 0 2");
	eddy_result_free(res);
	assert_int_equal(eddy_query(db, "SELECT id, name FROM t ORDER BY id", &res, &err), 0);
	assert_string_equal(eddy_result_tag(res), "SELECT 2");
	assert_int_equal(eddy_result_ncols(res), 2);
	assert_string_equal(eddy_result_colname(res, 0), "id");
	assert_int_equal(eddy_result_coltype(res, 0), EDDY_INT4);
	assert_int_equal(eddy_result_coltype(res, 1), EDDY_VARCHAR);
	assert_int_equal(eddy_result_next(res), 1);
	assert_int_equal(eddy_result_int64(res, 0), 1);
	assert_string_equal(eddy_result_text(res, 1), "a");
	assert_int_equal(eddy_result_next(res), 1);
	assert_true(eddy_result_isnull(res, 1));
	assert_null(eddy_result_text(res, 1));
	assert_int_equal(eddy_result_next(res), 0);
	eddy_result_free(res);
	/* eddy_query takes exactly one statement. */
	assert_int_not_equal(eddy_query(db, "SELECT 1; SELECT 2", &res, &err), 0);
	assert_string_equal(err.sqlstate, "42601");
	eddy_close(db);
}

static void test_view_follows_table_changes(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE TABLE acct (id int PRIMARY KEY, owner varchar, balance bigint);"
		    "CREATE MATERIALIZED VIEW by_owner AS SELECT owner, count(*) AS n, "
		    "sum(balance) AS total, min(balance) AS lo, max(balance) AS hi "
		    "FROM acct GROUP BY owner;"
		    "INSERT INTO acct VALUES (1, 'ann', 10), (2, 'ann', 30), (3, 'bob', 5)");
	expect_rows(db, "SELECT * FROM by_owner ORDER BY owner", "ann|2|40|10|30\nbob|1|5|5|5\n");
	exec_ok(db, "UPDATE acct SET balance = 50 WHERE id = 1");
	expect_rows(db, "SELECT * FROM by_owner ORDER BY owner", "ann|2|80|30|50\nbob|1|5|5|5\n");
	exec_ok(db, "DELETE FROM acct WHERE id = 2");
	expect_rows(db, "SELECT * FROM by_owner ORDER BY owner", "ann|1|50|50|50\nbob|1|5|5|5\n");
	exec_ok(db, "UPDATE acct SET owner = 'bob' WHERE id = 1");
	expect_rows(db, "SELECT * FROM by_owner ORDER BY owner", "bob|2|55|5|50\n");
	exec_ok(db, "DELETE FROM acct");
	expect_rows(db, "SELECT count(*) FROM by_owner", "0\n");
	eddy_close(db);
}

static void test_tumble_view_and_late_rows(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE STREAM ev (k varchar, v bigint, ts timestamp, "
		    "WATERMARK FOR ts AS ts - INTERVAL '10 seconds');"
		    "CREATE MATERIALIZED VIEW w AS SELECT k, window_start, window_end, count(*) AS n, "
		    "sum(v) AS s FROM TUMBLE(ev, ts, INTERVAL '1 minute') "
		    "GROUP BY k, window_start, window_end");
	exec_ok(db, "INSERT INTO ev VALUES ('a', 1, '2024-01-01 00:00:10'), "
		    "('a', 2, '2024-01-01 00:00:50'), ('b', 5, '2024-01-01 00:01:05')");
	expect_rows(db, "SELECT * FROM w ORDER BY k, window_start",
		    "a|2024-01-01 00:00:00|2024-01-01 00:01:00|2|3\n"
		    "b|2024-01-01 00:01:00|2024-01-01 00:02:00|1|5\n");
	/* Watermark is now 00:00:55: the first window is still open. */
	exec_ok(db, "INSERT INTO ev VALUES ('a', 10, '2024-01-01 00:00:30')");
	expect_rows(db, "SELECT n, s FROM w WHERE k = 'a'", "3|13\n");
	/* Push the watermark past 00:01:00: the first window closes; a row for it is late. */
	exec_ok(db, "INSERT INTO ev VALUES ('b', 1, '2024-01-01 00:01:20')");
	exec_ok(db, "INSERT INTO ev VALUES ('a', 100, '2024-01-01 00:00:59')");
	expect_rows(db, "SELECT n, s FROM w WHERE k = 'a'", "3|13\n");
	char *show = rows_of(db, "SHOW MATERIALIZED VIEWS");
	/* name|rows|state_bytes|rows_bytes|late_rows|row_errors|checkpoint_entries|
	 * checkpoint_us|restored_entries (no checkpoints in memory) */
	assert_non_null(strstr(show, "w|2|"));
	assert_non_null(strstr(show, "|1|0|0|0|0\n"));
	free(show);
	/* The stream keeps every row, late or not. */
	expect_rows(db, "SELECT count(*) FROM ev", "6\n");
	eddy_close(db);
}

typedef struct Changes {
	char log[4096];
	int n;
} Changes;

static int on_change(void *ctx, EddyOp op, int ncols, const char *const *values)
{
	static const char *const ops[] = {"+", "-", "U-", "U+"};
	Changes *ch = ctx;
	size_t len = strlen(ch->log);
	len += (size_t)snprintf(ch->log + len, sizeof ch->log - len, "%s", ops[op]);
	for (int i = 0; i < ncols; i++)
		len += (size_t)snprintf(ch->log + len, sizeof ch->log - len, " %s",
					values[i] ? values[i] : "NULL");
	snprintf(ch->log + len, sizeof ch->log - len, "\n");
	ch->n++;
	return 0;
}

static void test_subscribe_and_insert_api(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE STREAM s (k varchar, v int);"
		    "CREATE MATERIALIZED VIEW c AS SELECT k, count(*) AS n FROM s GROUP BY k");
	Changes ch = {{0}, 0};
	EddySubscription *sub;
	EddyError err;
	assert_int_equal(eddy_subscribe(db, "c", 1, on_change, &ch, &sub, &err), 0);
	EddyValue rows[4] = {
		{.type = EDDY_VARCHAR, .v.s = "x"}, {.type = EDDY_INT8, .v.i = 1},
		{.type = EDDY_VARCHAR, .v.s = "x"}, {.type = EDDY_NULL},
	};
	assert_int_equal(eddy_insert(db, "s", NULL, 2, rows, 2, &err), 0);
	assert_string_equal(ch.log, "+ x 2\n");
	const char *cols[] = {"k"};
	EddyValue one = {.type = EDDY_VARCHAR, .v.s = "x"};
	assert_int_equal(eddy_insert(db, "s", cols, 1, &one, 1, &err), 0);
	assert_string_equal(ch.log, "+ x 2\nU- x 2\nU+ x 3\n");
	/* A bad value names its row; nothing of the batch is inserted. */
	EddyValue bad[2] = {{.type = EDDY_VARCHAR, .v.s = "12"}, {.type = EDDY_VARCHAR, .v.s = "zz"}};
	const char *vcol[] = {"v"};
	assert_int_not_equal(eddy_insert(db, "s", vcol, 1, bad, 2, &err), 0);
	assert_string_equal(err.sqlstate, "22P02");
	assert_non_null(strstr(err.message, "row 2"));
	expect_rows(db, "SELECT count(*) FROM s", "3\n");
	assert_int_not_equal(eddy_insert(db, "nope", NULL, 1, &one, 1, &err), 0);
	assert_string_equal(err.sqlstate, "42P01");
	eddy_unsubscribe(sub);
	eddy_close(db);
}

static void test_insert_partial(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)");
	exec_ok(db, "INSERT INTO t VALUES (1, 1)");
	/* Rows: good, bad number, NULL in NOT NULL, key already there, good, key repeated. */
	EddyValue rows[12] = {
		{.type = EDDY_VARCHAR, .v.s = "2"}, {.type = EDDY_VARCHAR, .v.s = "20"},
		{.type = EDDY_VARCHAR, .v.s = "3"}, {.type = EDDY_VARCHAR, .v.s = "x"},
		{.type = EDDY_VARCHAR, .v.s = "4"}, {.type = EDDY_NULL},
		{.type = EDDY_VARCHAR, .v.s = "1"}, {.type = EDDY_VARCHAR, .v.s = "10"},
		{.type = EDDY_VARCHAR, .v.s = "5"}, {.type = EDDY_VARCHAR, .v.s = "50"},
		{.type = EDDY_VARCHAR, .v.s = "5"}, {.type = EDDY_VARCHAR, .v.s = "51"},
	};
	EddyRowError errs[8];
	int nerr = 0;
	EddyError err;
	assert_int_equal(eddy_insert_partial(db, "t", NULL, 2, rows, 6, errs, 8, &nerr, &err), 2);
	assert_int_equal(nerr, 4);
	assert_int_equal(errs[0].row, 1);
	assert_string_equal(errs[0].sqlstate, "22P02");
	assert_int_equal(errs[1].row, 2);
	assert_string_equal(errs[1].sqlstate, "23502");
	assert_int_equal(errs[1].column, 1);
	assert_int_equal(errs[2].row, 3);
	assert_string_equal(errs[2].sqlstate, "23505");
	assert_int_equal(errs[3].row, 5);
	assert_string_equal(errs[3].sqlstate, "23505");
	expect_rows(db, "SELECT id, v FROM t ORDER BY id", "1|1\n2|20\n5|50\n");
	/* Only the count when there is no room to describe them. */
	assert_int_equal(eddy_insert_partial(db, "t", NULL, 2, rows, 2, NULL, 0, &nerr, &err), 0);
	assert_int_equal(nerr, 2);
	assert_int_equal(eddy_insert_partial(db, "nope", NULL, 2, rows, 2, NULL, 0, &nerr, &err), -1);
	assert_string_equal(err.sqlstate, "42P01");
	eddy_close(db);
}

static void test_errors(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL);"
		    "CREATE STREAM s (a int)");
	expect_error(db, "SELEC 1", "42601", 1);
	expect_error(db, "SELECT * FROM nope", "42P01", 15);
	expect_error(db, "SELECT zz FROM t", "42703", 8);
	expect_error(db, "SELECT 1/0", "22012", -1);
	expect_error(db, "INSERT INTO t VALUES (1, 1), (1, 2)", "23505", -1);
	expect_error(db, "INSERT INTO t VALUES (1, NULL)", "23502", -1);
	expect_error(db, "DELETE FROM s", "42809", -1);
	expect_error(db, "CREATE STREAM s (b int)", "42P07", -1);
	/* A failed statement changes nothing. */
	expect_rows(db, "SELECT count(*) FROM t", "0\n");
	/* The first error stops the text; earlier statements stand. */
	expect_error(db, "INSERT INTO t VALUES (5, 5); SELECT nope; INSERT INTO t VALUES (6, 6)",
		     "42703", -1);
	expect_rows(db, "SELECT id FROM t", "5\n");
	eddy_close(db);
}

static void test_data_dir_journal_and_lock(void **state)
{
	char dir[] = "/tmp/eddy_test_XXXXXX";
	assert_non_null(mkdtemp(dir));
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(dir, &db, &err), 0);
	exec_ok(db, "CREATE TABLE t (id int PRIMARY KEY, v int);"
		    "CREATE MATERIALIZED VIEW s AS SELECT sum(v) AS total FROM t;"
		    "INSERT INTO t VALUES (1, 10), (2, 20); UPDATE t SET v = 5 WHERE id = 2");
	/* A second opener is refused while the first holds the directory. */
	Eddy *db2;
	assert_int_not_equal(eddy_open(dir, &db2, &err), 0);
	assert_string_equal(err.sqlstate, "55P03");
	eddy_close(db);
	assert_int_equal(eddy_open(dir, &db, &err), 0);
	expect_rows(db, "SELECT * FROM s", "15\n");
	expect_rows(db, "SELECT id, v FROM t ORDER BY id", "1|10\n2|5\n");
	eddy_close(db);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* In memory, a stream's retention drops its oldest history chunks (never the newest): history
 * queries see what is retained, views keep counting everything; bad options fail as on disk. */
static void test_memory_retention(void **state)
{
	Eddy *db = open_mem();
	exec_ok(db, "CREATE STREAM s (k int, v varchar) WITH (retention_bytes = '16kB')");
	exec_ok(db, "CREATE MATERIALIZED VIEW n AS SELECT count(*) AS c FROM s");
	for (int i = 0; i < 50; i++)
		exec_ok(db, "INSERT INTO s SELECT g, 'row ' || g FROM generate_series(1, 100) AS g(g)");
	expect_rows(db, "SELECT c FROM n", "5000\n");
	char *kept = rows_of(db, "SELECT count(*) FROM s");
	assert_true(atoi(kept) >= 100 && atoi(kept) < 5000);
	free(kept);
	expect_error(db, "CREATE STREAM t (k int) WITH (retention_bytes = 'lots')", "22023", 0);
	eddy_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_and_tags),
		cmocka_unit_test(test_view_follows_table_changes),
		cmocka_unit_test(test_tumble_view_and_late_rows),
		cmocka_unit_test(test_subscribe_and_insert_api),
		cmocka_unit_test(test_insert_partial),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_data_dir_journal_and_lock),
		cmocka_unit_test(test_memory_retention),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
