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

/* Every scalar type (and an array, numeric(p,s), varchar(n)) in plain and unusual spellings:
 * CSV and NDJSON ingest store exactly what INSERT stores for the same texts, and a text that
 * does not convert names its line, column and SQLSTATE while the other rows are kept. */
static const char TYPES_COLS[] =
	"(id int, b boolean, s smallint, i bigint, f real, d double precision, n numeric, "
	"n2 numeric(6,2), v varchar, v3 varchar(3), ts timestamp, tz timestamptz, dt date, "
	"iv interval, arr int[])";
static const char *const TYPES_ROWS[][15] = {
	{"1", "t", "7", "2", "1.5", "2.25", "10", "1.5", "x", "abc", "2015-07-15 00:00:00.000400",
	 "2015-07-15 00:00:00", "2024-01-01", "1 day", "{1}"},
	{"2", " yes", " -12 ", "+42", "1.5e3", "NaN", " 12.3400", "3.14159", "h\xC3\xA9llo", "ab ",
	 "2015-07-15T01:02:03.1234567", "2015-07-15 01:02:03+02", "2024-02-29", "1 day 2 hours",
	 "{1,2,NULL}"},
	{"3", "off", "-32768", "-9223372036854775808", "-Infinity", "1e-300", "-0.5", "-9999.99",
	 "", "", "1999-12-31 23:59:59.999999", "2000-01-01 00:00:00.5Z", "1970-01-01", "-5 minutes",
	 "{}"},
	{"4", NULL, NULL, "9223372036854775807", NULL, NULL, NULL, NULL, NULL, NULL,
	 "2016-02-29 12:00:00", NULL, NULL, NULL, NULL},
};

static void test_types(void **state)
{
	(void)state;
	Eddy *db;
	EddyError err;
	assert_int_equal(eddy_open(NULL, &db, &err), 0);
	char sql[8192];
	snprintf(sql, sizeof sql,
		 "CREATE STREAM a %s; CREATE STREAM c %s; CREATE STREAM j %s;"
		 "CREATE MATERIALIZED VIEW va AS SELECT * FROM a;"
		 "CREATE MATERIALIZED VIEW vc AS SELECT * FROM c;"
		 "CREATE MATERIALIZED VIEW vj AS SELECT * FROM j;",
		 TYPES_COLS, TYPES_COLS, TYPES_COLS);
	if (eddy_exec(db, sql, NULL, NULL, &err) != 0)
		fail_msg("%s", err.message);
	size_t nrows = sizeof TYPES_ROWS / sizeof TYPES_ROWS[0];
	char csv[8192], nd[8192];
	size_t cl = 0, nl = 0;
	cl += (size_t)snprintf(csv + cl, sizeof csv - cl,
			       "id,b,s,i,f,d,n,n2,v,v3,ts,tz,dt,iv,arr\n");
	for (size_t r = 0; r < nrows; r++) {
		size_t sl = (size_t)snprintf(sql, sizeof sql, "INSERT INTO a VALUES (");
		nl += (size_t)snprintf(nd + nl, sizeof nd - nl, "{");
		for (int k = 0; k < 15; k++) {
			const char *v = TYPES_ROWS[r][k];
			const char *sep = k ? "," : "";
			sl += (size_t)snprintf(sql + sl, sizeof sql - sl, v ? "%s'%s'" : "%sNULL", sep,
					       v);
			/* CSV: NULL unquoted empty, other texts quoted when they must be. */
			if (!v)
				cl += (size_t)snprintf(csv + cl, sizeof csv - cl, "%s", sep);
			else if (!*v || strchr(v, ','))
				cl += (size_t)snprintf(csv + cl, sizeof csv - cl, "%s\"%s\"", sep, v);
			else
				cl += (size_t)snprintf(csv + cl, sizeof csv - cl, "%s%s", sep, v);
			nl += (size_t)snprintf(nd + nl, sizeof nd - nl, v ? "%s\"c%d\":\"%s\""
								  : "%s\"c%d\":null",
					       sep, k, v);
		}
		snprintf(sql + sl, sizeof sql - sl, ")");
		cl += (size_t)snprintf(csv + cl, sizeof csv - cl, "\n");
		nl += (size_t)snprintf(nd + nl, sizeof nd - nl, "}\n");
		if (eddy_exec(db, sql, NULL, NULL, &err) != 0)
			fail_msg("%s: %s", sql, err.message);
	}
	/* NDJSON keys: rename c0..c14 to the column names. */
	static const char *const names[] = {"id", "b", "s", "i", "f", "d", "n", "n2",
					    "v", "v3", "ts", "tz", "dt", "iv", "arr"};
	char nd2[8192];
	size_t o = 0;
	for (const char *p = nd; *p;) {
		int k;
		int used;
		if (sscanf(p, "\"c%d\"%n", &k, &used) == 1 && p[used] == ':') {
			o += (size_t)snprintf(nd2 + o, sizeof nd2 - o, "\"%s\"", names[k]);
			p += used;
		} else {
			nd2[o++] = *p++;
		}
	}
	nd2[o] = '\0';
	EddyIngestResult res;
	EddyLineError errs[4];
	assert_int_equal(eddy_ingest(db, "c", EDDY_FORMAT_CSV, csv, cl, NULL, &res, errs, 4, &err),
			 0);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(res.accepted, (int64_t)nrows);
	assert_int_equal(eddy_ingest(db, "j", EDDY_FORMAT_NDJSON, nd2, o, NULL, &res, errs, 4, &err),
			 0);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(res.accepted, (int64_t)nrows);
	char want[4096];
	{
		EddyResult *q;
		assert_int_equal(eddy_query(db, "SELECT * FROM va ORDER BY id", &q, &err), 0);
		size_t len = 0;
		while (eddy_result_next(q)) {
			for (int c = 0; c < eddy_result_ncols(q); c++) {
				const char *v = eddy_result_text(q, c);
				len += (size_t)snprintf(want + len, sizeof want - len, "%s%s",
							c ? "|" : "", v ? v : "NULL");
			}
			len += (size_t)snprintf(want + len, sizeof want - len, "\n");
		}
		eddy_result_free(q);
	}
	assert_non_null(strstr(want, "2|t|-12|42|1500|NaN|12.3400|3.14|h\xC3\xA9llo|ab |"));
	expect_rows(db, "SELECT * FROM vc ORDER BY id", want);
	expect_rows(db, "SELECT * FROM vj ORDER BY id", want);
	/* Bad texts, one a row, between good rows: each names its line and column. */
	const char bad[] = "id,s,i,ts,v3,n2,arr\n"
			   "10,1,1,2015-07-15 00:00:00,a,1,{1}\n"
			   "11,40000,1,2015-07-15 00:00:00,a,1,{1}\n"
			   "12,1,12345678901234567890,2015-07-15 00:00:00,a,1,{1}\n"
			   "13,1,1,2015-02-30 00:00:00,a,1,{1}\n"
			   "14,1,1,2015-07-15 00:00:00,abcd,1,{1}\n"
			   "15,1,1,2015-07-15 00:00:00,a,123456,{1}\n"
			   "16,1,1,2015-07-15 00:00:00,a,1,{x}\n"
			   "17,1,1x,2015-07-15 00:00:00,a,1,{1}\n"
			   "18,1,1,2015-07-15 00:00:00,a,1,{1}\n";
	EddyLineError be[8];
	assert_int_equal(eddy_ingest(db, "c", EDDY_FORMAT_CSV, bad, sizeof bad - 1, NULL, &res, be,
				     8, &err),
			 0);
	assert_int_equal(res.accepted, 2);
	assert_int_equal(res.rejected, 7);
	static const struct {
		int line, column;
		const char *state, *msg;
	} wantb[] = {
		{3, 2, "22003", "column \"s\": value \"40000\" is out of range for type smallint"},
		{4, 3, "22003", "column \"i\": value \"12345678901234567890\" is out of range for type bigint"},
		{5, 10, "22008", "column \"ts\": "},
		{6, 9, "22001", "column \"v3\": value too long for type character varying(3)"},
		{7, 7, "22003", "column \"n2\": "},
		{8, 14, "22P02", "column \"arr\": "},
		{9, 3, "22P02", "column \"i\": invalid input syntax for type bigint: \"1x\""},
	};
	for (int i = 0; i < 7; i++) {
		assert_int_equal(be[i].line, wantb[i].line);
		assert_int_equal(be[i].column, wantb[i].column);
		assert_string_equal(be[i].sqlstate, wantb[i].state);
		if (strncmp(be[i].message, wantb[i].msg, strlen(wantb[i].msg)) != 0)
			fail_msg("line %d: %s", be[i].line, be[i].message);
	}
	expect_rows(db, "SELECT id FROM vc WHERE id >= 10 ORDER BY id", "10\n18\n");
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
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_whole_input_errors),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
