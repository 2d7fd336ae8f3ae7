/* test_cancel.c: eddy_query_cancel (include/eddy.h): a statement whose cancel flag is set stops
 * with 57014 "canceling statement due to user request", from another thread while it runs or
 * before it reads anything; the database goes on; a NULL flag or an unset one changes nothing.
 * The server's CancelRequest test is tests/tools/pg_client.c (test_cancel_query). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "eddy.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static Eddy *open_with_rows(int nrows)
{
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	assert_int_equal(eddy_exec(db, "CREATE STREAM s (k integer)", NULL, NULL, &err), 0);
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO s SELECT * FROM generate_series(1, %d)", nrows);
	assert_int_equal(eddy_exec(db, sql, NULL, NULL, &err), 0);
	return db;
}

static void test_flag_set_before(void **state)
{
	Eddy *db = open_with_rows(100);
	volatile int cancel = 1;
	EddyResult *res;
	EddyError err;
	assert_int_equal(eddy_query_cancel(db, "SELECT count(*) FROM s", &cancel, &res, &err), -1);
	assert_string_equal(err.sqlstate, "57014");
	assert_string_equal(err.message, "canceling statement due to user request");
	/* Unset, or no flag at all: the query runs. */
	cancel = 0;
	assert_int_equal(eddy_query_cancel(db, "SELECT count(*) FROM s", &cancel, &res, &err), 0);
	assert_true(eddy_result_next(res));
	assert_string_equal(eddy_result_text(res, 0), "100");
	eddy_result_free(res);
	assert_int_equal(eddy_query_cancel(db, "SELECT 1", NULL, &res, &err), 0);
	eddy_result_free(res);
	eddy_close(db);
}

typedef struct Canceller {
	volatile int *flag;
	int delay_ms;
} Canceller;

static void *cancel_later(void *arg)
{
	Canceller *c = arg;
	struct timespec d = {0, (long)c->delay_ms * 1000000L};
	nanosleep(&d, NULL);
	*c->flag = 1;
	return NULL;
}

/* A per-row subquery over 4000 rows (4000 scans of the stream) is stopped from another thread
 * long before it would end. */
static void test_flag_set_while_running(void **state)
{
	Eddy *db = open_with_rows(4000);
	volatile int cancel = 0;
	Canceller c = {&cancel, 50};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &c), 0);
	EddyResult *res;
	EddyError err;
	int rc = eddy_query_cancel(db,
				   "SELECT count(*) FROM (SELECT (SELECT count(*) FROM s b "
				   "WHERE b.k = a.k) FROM s a) q",
				   &cancel, &res, &err);
	pthread_join(t, NULL);
	assert_int_equal(rc, -1);
	assert_string_equal(err.sqlstate, "57014");
	assert_int_equal(eddy_query(db, "SELECT count(*) FROM s", &res, &err), 0);
	assert_true(eddy_result_next(res));
	assert_string_equal(eddy_result_text(res, 0), "4000");
	eddy_result_free(res);
	eddy_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_set_before),
		cmocka_unit_test(test_flag_set_while_running),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
