/* test_ingest.c: eddy_ingest end to end on an in-memory database: NDJSON and CSV bodies, good
 * rows kept, bad lines reported with their line numbers, SQLSTATE and field, views updated,
 * errors for the input as a whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "eddy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static Eddy *setup_db(void)
{
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	const char *sql = "CREATE STREAM tx (id int NOT NULL, card varchar, amount numeric(10,2), "
			  "ts timestamp);"
			  "CREATE MATERIALIZED VIEW per_card AS SELECT card, count(*) AS n, "
			  "sum(amount) AS total FROM tx GROUP BY card;";
	if (eddy_exec(db, sql, NULL, NULL, &err) != 0)
		fail_msg("%s (%s)", err.message, err.sqlstate);
	return db;
}

static void expect_rows(Eddy *db, const char *sql, const char *want)
{
	EddyResult *res;
	EddyError err;
	if (eddy_query(db, sql, &res, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	char got[4096];
	size_t len = 0;
	got[0] = '\0';
	while (eddy_result_next(res)) {
		for (int c = 0; c < eddy_result_ncols(res); c++) {
			const char *v = eddy_result_text(res, c);
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", c ? "|" : "",
						v ? v : "NULL");
		}
		len += (size_t)snprintf(got + len, sizeof got - len, "\n");
	}
	eddy_result_free(res);
	assert_string_equal(got, want);
}

static void test_ndjson(void **state)
{
	Eddy *db = setup_db();
	const char body[] = "{\"id\":1,\"card\":\"a\",\"amount\":10.5,\"ts\":\"2024-01-01 00:00:00\"}\n"
			    "{\"id\":2,\"card\":\"a\",\"amount\":\"x\"}\n"
			    "{\"id\":3,\"card\":\"b\",\"amount\":2,\"extra\":[1]}\n"
			    "{\"id\":4,\"card\":\"b\"\n"
			    "{\"card\":\"c\",\"amount\":1}\n"
			    "\n"
			    "{\"id\":5,\"card\":\"b\",\"ts\":\"yesterday-ish\"}\n"
			    "{\"id\":6,\"card\":\"a\",\"amount\":1}\n";
	EddyIngestResult res;
	EddyLineError errs[10];
	EddyError err;
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_NDJSON, body, sizeof body - 1, NULL,
				     &res, errs, 10, &err),
			 0);
	assert_int_equal(res.accepted, 3);
	assert_int_equal(res.rejected, 4);
	assert_int_equal(res.nerrors, 4);
	assert_int_equal(errs[0].line, 2);
	assert_string_equal(errs[0].sqlstate, "22P02");
	assert_int_equal(errs[0].column, 2);
	assert_string_equal(errs[0].message,
			    "column \"amount\": invalid input syntax for type numeric: \"x\"");
	assert_int_equal(errs[1].line, 4);
	assert_string_equal(errs[1].sqlstate, "22P02");
	assert_non_null(strstr(errs[1].message, "invalid JSON"));
	assert_int_equal(errs[2].line, 5);
	assert_string_equal(errs[2].sqlstate, "23502");
	assert_int_equal(errs[2].column, 0);
	assert_non_null(strstr(errs[2].message, "null value in column \"id\""));
	assert_int_equal(errs[3].line, 7);
	assert_int_equal(errs[3].column, 3);
	assert_non_null(strstr(errs[3].message, "column \"ts\": "));
	assert_string_equal(errs[3].sqlstate, "22007");
	expect_rows(db, "SELECT card, n, total FROM per_card ORDER BY card", "a|2|11.50\nb|1|2.00\n");
	eddy_close(db);
}

static void test_csv(void **state)
{
	Eddy *db = setup_db();
	const char body[] = "card,id,amount\r\n"
			    "a,1,1\r\n"
			    "b,2,\"2.5\"\r\n"
			    "c,three,3\r\n"
			    "d,4\r\n"
			    "\"e\",5,5\r\n";
	EddyIngestResult res;
	EddyLineError errs[1];
	EddyError err;
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_CSV, body, sizeof body - 1, NULL, &res,
				     errs, 1, &err),
			 0);
	assert_int_equal(res.accepted, 3);
	assert_int_equal(res.rejected, 2);
	/* Only max_errors are described: the first by line. */
	assert_int_equal(res.nerrors, 1);
	assert_int_equal(errs[0].line, 4);
	assert_string_equal(errs[0].sqlstate, "22P02");
	assert_string_equal(errs[0].message,
			    "column \"id\": invalid input syntax for type integer: \"three\"");
	expect_rows(db, "SELECT card, n, total FROM per_card ORDER BY card",
		    "a|1|1.00\nb|1|2.50\ne|1|5.00\n");
	/* Positional, another delimiter. */
	EddyIngestOptions o = {.csv_header = 0, .csv_delimiter = ';'};
	const char pos[] = "7;f;1.25;2024-05-01 10:00:00\n8;f\n";
	EddyLineError errs2[4];
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_CSV, pos, sizeof pos - 1, &o, &res, errs2,
				     4, &err),
			 0);
	assert_int_equal(res.accepted, 1);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(errs2[0].line, 2);
	assert_string_equal(errs2[0].sqlstate, "22P04");
	assert_string_equal(errs2[0].message,
			    "missing data for column \"amount\" (2 fields, 4 expected)");
	expect_rows(db, "SELECT n, total FROM per_card WHERE card = 'f'", "1|1.25\n");
	eddy_close(db);
}

static void test_whole_input_errors(void **state)
{
	Eddy *db = setup_db();
	EddyIngestResult res;
	EddyLineError errs[4];
	EddyError err;
	assert_int_equal(eddy_ingest(db, "nope", EDDY_FORMAT_NDJSON, "{}", 2, NULL, &res, errs, 4,
				     &err),
			 -1);
	assert_string_equal(err.sqlstate, "42P01");
	assert_string_equal(err.message, "relation \"nope\" does not exist");
	assert_int_equal(eddy_ingest(db, "per_card", EDDY_FORMAT_NDJSON, "{}", 2, NULL, &res, errs,
				     4, &err),
			 -1);
	assert_string_equal(err.sqlstate, "42809");
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_CSV, "id,ID\n1,2\n", 10, NULL, &res,
				     errs, 4, &err),
			 -1);
	assert_string_equal(err.sqlstate, "42701");
	/* All good: nothing described. */
	const char good[] = "{\"id\":1}\n{\"id\":2}\n";
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_NDJSON, good, sizeof good - 1, NULL, &res,
				     errs, 4, &err),
			 0);
	assert_int_equal(res.accepted, 2);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(res.nerrors, 0);
	/* Empty input: nothing, no error. */
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_NDJSON, "", 0, NULL, &res, NULL, 0, &err),
			 0);
	assert_int_equal(res.accepted + res.rejected, 0);
	eddy_close(db);
}

/* Many rows across several batches; every tenth line broken; counts and lines add up. */
static void test_many(void **state)
{
	Eddy *db = setup_db();
	size_t cap = 1 << 20, len = 0;
	char *body = malloc(cap);
	for (int i = 1; i <= 10000; i++)
		len += (size_t)snprintf(body + len, cap - len,
					i % 10 == 0 ? "{\"id\":%d,\"card\":\"k\",\"amount\":\"bad\"}\n"
						    : "{\"id\":%d,\"card\":\"k\",\"amount\":1}\n",
					i);
	EddyIngestResult res;
	EddyLineError *errs = calloc(2000, sizeof *errs);
	EddyError err;
	assert_int_equal(eddy_ingest(db, "tx", EDDY_FORMAT_NDJSON, body, len, NULL, &res, errs,
				     2000, &err),
			 0);
	assert_int_equal(res.accepted, 9000);
	assert_int_equal(res.rejected, 1000);
	assert_int_equal(res.nerrors, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(errs[i].line, (i + 1) * 10);
	expect_rows(db, "SELECT n, total FROM per_card", "9000|9000.00\n");
	free(errs);
	free(body);
	eddy_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_whole_input_errors),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
