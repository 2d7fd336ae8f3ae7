/* test_blackhole_sink.c: the blackhole sink connector (src/connect/blackhole_sink.c): its
 * options, and that it counts and discards every row it is given. */
#include "connect/blackhole_sink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static ColumnDef col = {.name = "a", .type = T_INT8};

static void test_options(void **state)
{
	Err e;
	Option ok[] = {{"connector", "blackhole", 0}, {"type", "append-only", 0}};
	err_clear(&e);
	assert_int_equal(blackhole_sink_check(ok, 2, &col, 1, &e), 0);
	Option up[] = {{"type", "UPSERT", 0}};
	assert_int_equal(blackhole_sink_check(up, 1, &col, 1, &e), 0);
	assert_int_equal(blackhole_sink_check(NULL, 0, &col, 1, &e), 0);

	Option badtype[] = {{"type", "retract", 0}};
	err_clear(&e);
	assert_int_equal(blackhole_sink_check(badtype, 1, &col, 1, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22023");
	assert_string_equal(e.msg, "invalid value for option \"type\": \"retract\"");

	Option unknown[] = {{"connector", "blackhole", 0}, {"path", "/tmp/x", 0}};
	err_clear(&e);
	assert_null(blackhole_sink_open(unknown, 2, &col, 1, &e));
	assert_string_equal(err_sqlstate(e.code), "22023");
	assert_string_equal(e.msg, "unknown option \"path\"");
}

static void test_discards_and_counts(void **state)
{
	Err e;
	err_clear(&e);
	SinkWriter *w = blackhole_sink_open(NULL, 0, &col, 1, &e);
	assert_non_null(w);
	TypeId t = T_INT8;
	Chunk *c = chunk_new(&t, 1);
	c->nrows = 700;
	assert_int_equal(w->write(w, c, &e), 0);
	c->nrows = 324;
	assert_int_equal(w->write(w, c, &e), 0);
	assert_int_equal(w->flush(w, 1, &e), 0);
	assert_int_equal(w->rows, 1024);
	chunk_free(c);
	w->close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_discards_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
