/* test_datagen.c: the datagen connector: sequences, random ranges, patterns, value lists,
 * letters, null rates, event times, determinism, bounds and every option error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "connect/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXOPT 16

typedef struct Opts {
	Option o[MAXOPT];
	int n;
} Opts;

static void opt(Opts *os, const char *k, const char *v)
{
	os->o[os->n].key = (char *)k;
	os->o[os->n].value = (char *)v;
	os->o[os->n].location = 0;
	os->n++;
}

static Opts dg(const char *rows)
{
	Opts os = {.n = 0};
	opt(&os, "connector", "datagen");
	if (rows)
		opt(&os, "datagen.rows", rows);
	return os;
}

#define COL(name, type) {(char *)(name), (type), -1, false}

/* Opens the source, reads one chunk of up to CHUNK_CAP rows (the caller frees it). */
static Chunk *read_chunk(Opts *os, ColumnDef *cols, int ncols, SourceReader **out)
{
	Err e;
	err_clear(&e);
	int n = ncols;
	assert_int_equal(source_check("datagen", os->o, os->n, &cols, &n, NULL, &e), 0);
	SourceReader *r = source_open("datagen", os->o, os->n, cols, ncols, &e);
	assert_non_null(r);
	TypeId types[16];
	for (int i = 0; i < ncols; i++)
		types[i] = cols[i].type;
	Chunk *c = chunk_new(types, ncols);
	assert_true(r->next(r, c, &e) >= 0);
	if (out)
		*out = r;
	else
		r->close(r);
	return c;
}

/* Counts every row of a source. */
static int64_t count_rows(Opts *os, ColumnDef *cols, int ncols)
{
	SourceReader *r;
	Chunk *c = read_chunk(os, cols, ncols, &r);
	int64_t total = c->nrows;
	Err e;
	err_clear(&e);
	for (;;) {
		chunk_reset(c);
		int n = r->next(r, c, &e);
		assert_true(n >= 0);
		if (!n)
			break;
		total += n;
	}
	r->close(r);
	chunk_free(c);
	return total;
}

static void test_sequence_and_bounds(void **state)
{
	ColumnDef cols[] = {COL("id", T_INT8), COL("name", T_VARCHAR)};
	Opts os = dg(NULL);
	opt(&os, "fields.id.kind", "sequence");
	opt(&os, "fields.id.start", "1");
	opt(&os, "fields.id.end", "100");
	opt(&os, "fields.name.kind", "sequence");
	opt(&os, "fields.name.start", "7");
	opt(&os, "fields.name.pattern", "user-%03d!");
	SourceReader *r;
	Chunk *c = read_chunk(&os, cols, 2, &r);
	assert_true(r->bounded);
	assert_int_equal(c->nrows, 100);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(VEC_DATA(&c->cols[0], int64_t)[i], i + 1);
		char want[32];
		snprintf(want, sizeof want, "user-%03d!", i + 7);
		Str s = VEC_DATA(&c->cols[1], Str)[i];
		assert_int_equal(s.len, strlen(want));
		assert_memory_equal(s.p, want, s.len);
	}
	Err e;
	err_clear(&e);
	chunk_reset(c);
	assert_int_equal(r->next(r, c, &e), 0);
	r->close(r);
	chunk_free(c);
	/* The smaller bound wins: datagen.rows below the sequence's end... */
	Opts os2 = dg("10");
	opt(&os2, "fields.id.kind", "sequence");
	opt(&os2, "fields.id.end", "100");
	assert_int_equal(count_rows(&os2, cols, 1), 10);
	/* ...and an int2 sequence ends at the type's maximum. */
	ColumnDef small[] = {COL("s", T_INT2)};
	Opts os3 = dg(NULL);
	opt(&os3, "fields.s.kind", "sequence");
	opt(&os3, "fields.s.start", "32000");
	assert_int_equal(count_rows(&os3, small, 1), 768);
	/* No rows option and no sequence: unbounded, paced at rows.per.second. */
	Opts os4 = dg(NULL);
	opt(&os4, "datagen.rows.per.second", "1000");
	Chunk *c4 = read_chunk(&os4, small, 1, &r);
	assert_false(r->bounded);
	assert_true(r->rate == 1000);
	assert_int_equal(c4->nrows, CHUNK_CAP);
	r->close(r);
	chunk_free(c4);
}

static void test_random_ranges(void **state)
{
	ColumnDef cols[] = {COL("a", T_INT4),     COL("f", T_FLOAT8),  COL("amount", T_NUMERIC),
			    COL("b", T_BOOL),     COL("d", T_DATE),    COL("t", T_TIMESTAMP),
			    COL("s", T_INT2),     COL("g", T_FLOAT4)};
	Opts os = dg("1000");
	opt(&os, "fields.a.min", "-5");
	opt(&os, "fields.a.max", "5");
	opt(&os, "fields.f.min", "1.5");
	opt(&os, "fields.f.max", "2.5");
	opt(&os, "fields.amount.kind", "random");
	opt(&os, "fields.amount.min", "1");
	opt(&os, "fields.amount.max", "500");
	opt(&os, "fields.d.min", "2024-02-01");
	opt(&os, "fields.d.max", "2024-02-03");
	opt(&os, "fields.t.min", "2024-01-01 00:00:00");
	opt(&os, "fields.t.max", "2024-01-01 00:00:01");
	Chunk *c = read_chunk(&os, cols, 8, NULL);
	assert_int_equal(c->nrows, 1000);
	int seen_a[11] = {0}, trues = 0;
	for (int i = 0; i < 1000; i++) {
		int32_t a = VEC_DATA(&c->cols[0], int32_t)[i];
		assert_true(a >= -5 && a <= 5);
		seen_a[a + 5]++;
		double f = VEC_DATA(&c->cols[1], double)[i];
		assert_true(f >= 1.5 && f < 2.5);
		Numeric m = VEC_DATA(&c->cols[2], Numeric)[i];
		assert_int_equal(m.scale, 2);
		assert_true(m.m >= 100 && m.m <= 50000);
		trues += VEC_DATA(&c->cols[3], uint8_t)[i];
		int32_t d = VEC_DATA(&c->cols[4], int32_t)[i];
		assert_true(d >= 19754 && d <= 19756);
		int64_t t = VEC_DATA(&c->cols[5], int64_t)[i];
		assert_true(t >= INT64_C(1704067200000000) && t <= INT64_C(1704067201000000));
		int16_t s = VEC_DATA(&c->cols[6], int16_t)[i];
		assert_true(s >= 0 && s <= 1000); /* the default range */
		float g = VEC_DATA(&c->cols[7], float)[i];
		assert_true(g >= 0 && g <= 1000);
		for (int k = 0; k < 8; k++)
			assert_int_equal(c->cols[k].nulls[i], 0);
	}
	for (int k = 0; k < 11; k++)
		assert_true(seen_a[k] > 40);
	assert_true(trues > 400 && trues < 600);
	chunk_free(c);
}

static void test_strings(void **state)
{
	ColumnDef cols[] = {COL("card", T_VARCHAR), COL("country", T_VARCHAR),
			    COL("name", T_VARCHAR), COL("code", T_VARCHAR), COL("n", T_INT8)};
	Opts os = dg("1000");
	opt(&os, "fields.card.kind", "random");
	opt(&os, "fields.card.pattern", "card-%04d");
	opt(&os, "fields.card.min", "0");
	opt(&os, "fields.card.max", "99");
	opt(&os, "fields.country.values", "US, DE,FR,CN");
	opt(&os, "fields.name.length", "12");
	opt(&os, "fields.code.min", "10");
	opt(&os, "fields.code.max", "20");
	opt(&os, "fields.n.values", "3,5");
	Chunk *c = read_chunk(&os, cols, 5, NULL);
	int seen[4] = {0};
	const char *countries[] = {"US", "DE", "FR", "CN"};
	for (int i = 0; i < c->nrows; i++) {
		Str s = VEC_DATA(&c->cols[0], Str)[i];
		assert_int_equal(s.len, 9);
		assert_memory_equal(s.p, "card-00", 7);
		s = VEC_DATA(&c->cols[1], Str)[i];
		int k = 0;
		for (; k < 4; k++)
			if (s.len == 2 && !memcmp(s.p, countries[k], 2))
				break;
		assert_true(k < 4);
		seen[k]++;
		s = VEC_DATA(&c->cols[2], Str)[i];
		assert_int_equal(s.len, 12);
		for (int j = 0; j < 12; j++)
			assert_true(s.p[j] >= 'a' && s.p[j] <= 'z');
		s = VEC_DATA(&c->cols[3], Str)[i];
		char buf[8];
		snprintf(buf, sizeof buf, "%.*s", (int)s.len, s.p);
		assert_true(atoi(buf) >= 10 && atoi(buf) <= 20);
		int64_t n = VEC_DATA(&c->cols[4], int64_t)[i];
		assert_true(n == 3 || n == 5);
	}
	for (int k = 0; k < 4; k++)
		assert_true(seen[k] > 150);
	chunk_free(c);
}

static void test_nulls_event_time_determinism(void **state)
{
	ColumnDef cols[] = {COL("x", T_INT8), COL("ts", T_TIMESTAMP), COL("day", T_DATE)};
	Opts os = dg("1000");
	opt(&os, "datagen.seed", "42");
	opt(&os, "datagen.rows.per.second", "1000");
	opt(&os, "datagen.base_time", "2024-01-01 00:00:00");
	opt(&os, "fields.x.null_rate", "0.1");
	opt(&os, "fields.ts.kind", "event_time");
	opt(&os, "fields.day.kind", "event_time");
	Chunk *a = read_chunk(&os, cols, 3, NULL), *b = read_chunk(&os, cols, 3, NULL);
	int nulls = 0;
	for (int i = 0; i < 1000; i++) {
		nulls += a->cols[0].nulls[i];
		assert_int_equal(a->cols[0].nulls[i], b->cols[0].nulls[i]);
		if (!a->cols[0].nulls[i])
			assert_int_equal(VEC_DATA(&a->cols[0], int64_t)[i],
					 VEC_DATA(&b->cols[0], int64_t)[i]);
		assert_int_equal(VEC_DATA(&a->cols[1], int64_t)[i],
				 INT64_C(1704067200000000) + (int64_t)i * 1000);
		assert_int_equal(VEC_DATA(&a->cols[2], int32_t)[i], 19723);
	}
	assert_true(nulls > 60 && nulls < 140);
	/* Another seed gives other values. */
	Opts os2 = dg("1000");
	opt(&os2, "datagen.seed", "43");
	Chunk *c = read_chunk(&os2, cols, 1, NULL);
	int same = 0;
	for (int i = 0; i < 1000; i++)
		same += !a->cols[0].nulls[i] &&
			VEC_DATA(&a->cols[0], int64_t)[i] == VEC_DATA(&c->cols[0], int64_t)[i];
	assert_true(same < 50);
	chunk_free(a);
	chunk_free(b);
	chunk_free(c);
	/* A timestamp column with no options follows event time. */
	Opts os3 = dg("3");
	Chunk *d = read_chunk(&os3, &cols[1], 1, NULL);
	assert_int_equal(VEC_DATA(&d->cols[0], int64_t)[1],
			 INT64_C(1704067200000000) + 100000); /* 10 rows per second */
	chunk_free(d);
}

static void expect_fail(Opts *os, ColumnDef *cols, int ncols, const char *state, const char *msg)
{
	Err e;
	err_clear(&e);
	int n = ncols;
	assert_int_equal(source_check("datagen", os->o, os->n, &cols, &n, NULL, &e), -1);
	assert_string_equal(err_sqlstate(e.code), state);
	assert_string_equal(e.msg, msg);
	err_clear(&e);
	assert_null(source_open("datagen", os->o, os->n, cols, ncols, &e));
	assert_string_equal(e.msg, msg);
}

static void test_errors(void **state)
{
	ColumnDef cols[] = {COL("id", T_INT8), COL("amount", T_NUMERIC), COL("name", T_VARCHAR),
			    COL("ts", T_TIMESTAMP), COL("flag", T_BOOL)};
	struct {
		const char *key, *value, *state, *msg;
	} cases[] = {
		{"fields.amount.min", "abc", "22023",
		 "invalid value for option \"fields.amount.min\": \"abc\""},
		{"fields.nope.kind", "random", "42703", "option \"fields.nope.kind\" names no column"},
		{"datagen.rowz", "1", "22023", "unknown option \"datagen.rowz\""},
		{"fields.id.bogus", "1", "22023", "unknown option \"fields.id.bogus\""},
		{"fields", "1", "22023", "unknown option \"fields\""},
		{"datagen.rows", "-1", "22023", "invalid value for option \"datagen.rows\": \"-1\""},
		{"datagen.rows", "ten", "22023", "invalid value for option \"datagen.rows\": \"ten\""},
		{"datagen.rows.per.second", "0", "22023",
		 "invalid value for option \"datagen.rows.per.second\": \"0\""},
		{"datagen.seed", "x", "22023", "invalid value for option \"datagen.seed\": \"x\""},
		{"datagen.base_time", "2024-13-01", "22023",
		 "invalid value for option \"datagen.base_time\": \"2024-13-01\""},
		{"fields.id.kind", "zigzag", "22023",
		 "invalid value for option \"fields.id.kind\": \"zigzag\""},
		{"fields.flag.kind", "sequence", "22023",
		 "kind \"sequence\" (option \"fields.flag.kind\") does not apply to a column of type "
		 "boolean"},
		{"fields.id.kind", "event_time", "22023",
		 "kind \"event_time\" (option \"fields.id.kind\") does not apply to a column of type "
		 "bigint"},
		{"fields.id.pattern", "%d", "22023",
		 "option \"fields.id.pattern\" does not apply to a column of type bigint"},
		{"fields.id.start", "5", "22023",
		 "option \"fields.id.start\" does not apply to kind random"},
		{"fields.name.pattern", "no-number", "22023",
		 "invalid value for option \"fields.name.pattern\": \"no-number\""},
		{"fields.name.pattern", "%d-%d", "22023",
		 "invalid value for option \"fields.name.pattern\": \"%d-%d\""},
		{"fields.name.length", "-3", "22023",
		 "invalid value for option \"fields.name.length\": \"-3\""},
		{"fields.id.null_rate", "1.5", "22023",
		 "invalid value for option \"fields.id.null_rate\": \"1.5\""},
		{"fields.amount.scale", "99", "22023",
		 "invalid value for option \"fields.amount.scale\": \"99\""},
		{"fields.id.values", "1,x,3", "22023",
		 "invalid value for option \"fields.id.values\": \"1,x,3\""},
		{"fields.ts.min", "noon", "22023", "invalid value for option \"fields.ts.min\": \"noon\""},
		{"fields.id.max", "-1", "22023",
		 "option \"fields.id.min\" must not be greater than option \"fields.id.max\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Opts os = dg(NULL);
		opt(&os, cases[i].key, cases[i].value);
		expect_fail(&os, cols, 5, cases[i].state, cases[i].msg);
	}
	/* Sequences: end before start, and an end beyond the type. */
	ColumnDef i4[] = {COL("k", T_INT4)};
	Opts s1 = dg(NULL);
	opt(&s1, "fields.k.kind", "sequence");
	opt(&s1, "fields.k.start", "10");
	opt(&s1, "fields.k.end", "5");
	expect_fail(&s1, i4, 1, "22023",
		    "option \"fields.k.end\" must not be less than option \"fields.k.start\"");
	Opts s2 = dg(NULL);
	opt(&s2, "fields.k.kind", "sequence");
	opt(&s2, "fields.k.end", "3000000000");
	expect_fail(&s2, i4, 1, "22023",
		    "invalid value for option \"fields.k.end\": \"3000000000\"");
	/* Types datagen cannot make, and a source without columns. */
	ColumnDef iv[] = {COL("span", T_INTERVAL)};
	Opts os = dg(NULL);
	expect_fail(&os, iv, 1, "0A000", "datagen cannot generate column \"span\" of type interval");
	Err e;
	err_clear(&e);
	ColumnDef *none = NULL;
	int n = 0;
	assert_int_equal(source_check("datagen", os.o, os.n, &none, &n, NULL, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "42601");
	assert_string_equal(e.msg, "a datagen source needs column definitions");
	/* The ignored RisingWave option passes. */
	Opts ok = dg("5");
	opt(&ok, "datagen.split.num", "2");
	assert_int_equal(count_rows(&ok, cols, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_and_bounds),
		cmocka_unit_test(test_random_ranges),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_nulls_event_time_determinism),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
