/* api_harness.h: running SQL through the public API in unit tests (header-only, test code only).
 *
 * exec_ok runs statements and fails the test with the SQL, message and SQLSTATE when they fail;
 * rows_of returns a one-statement query's rows as "a|b\n" lines in result order (NULL as
 * "NULL"; free() the text); expect_rows compares them with the expected text. Included by the
 * unit tests of the engine (test_engine.c, test_stream_store.c, test_checkpoint.c, ...), each
 * built as its own binary, after <cmocka.h> and "eddy.h".
 */
#ifndef EDDY_TESTS_API_HARNESS_H
#define EDDY_TESTS_API_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void exec_ok(Eddy *db, const char *sql)
{
	EddyError err;
	if (eddy_exec(db, sql, NULL, NULL, &err) != 0)
		fail_msg("%s: %s (%s)", sql, err.message, err.sqlstate);
}

static inline char *rows_of(Eddy *db, const char *sql)
{
	EddyResult *res;
	EddyError err;
	if (eddy_query(db, sql, &res, &err) != 0)
		fail_msg("%s: %s (%s)", sql, err.message, err.sqlstate);
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	while (eddy_result_next(res)) {
		for (int c = 0; c < eddy_result_ncols(res); c++) {
			const char *v = eddy_result_text(res, c);
			if (!v)
				v = "NULL";
			if (len + strlen(v) + 2 >= cap) {
				cap = cap * 2 + strlen(v);
				out = realloc(out, cap);
			}
			len += (size_t)sprintf(out + len, "%s%s", c ? "|" : "", v);
		}
		out[len++] = '\n';
		out[len] = '\0';
	}
	eddy_result_free(res);
	return out;
}

static inline void expect_rows(Eddy *db, const char *sql, const char *want)
{
	char *got = rows_of(db, sql);
	assert_string_equal(got, want);
	free(got);
}

#endif
