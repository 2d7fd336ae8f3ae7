/* test_chunk_codec.c: chunks survive the trip through bytes, for every type, with NULLs, ops and
 * empty strings; damaged bytes are refused with ERR_DATA_CORRUPTED, never read past their end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "vec/chunk_codec.h"
#include "vec/numeric.h"
#include "vec/value.h"

#include <stdio.h>
#include <string.h>

/* One column of every storable type. */
static const TypeId all_types[] = {T_BOOL,    T_INT2,      T_INT4,        T_INT8,
				   T_FLOAT4,  T_FLOAT8,    T_NUMERIC,     T_VARCHAR,
				   T_UNKNOWN, T_TIMESTAMP, T_TIMESTAMPTZ, T_DATE,
				   T_INTERVAL};
#define NTYPES ((int)(sizeof all_types / sizeof all_types[0]))

static Value value_for(TypeId t, int row)
{
	if (row % 5 == 3)
		return value_null(t);
	Value v = value_int(t, 0);
	static char text[64];
	switch (t) {
	case T_BOOL:
		v.u.i = row & 1;
		break;
	case T_FLOAT4:
	case T_FLOAT8:
		v.u.f = row * 1.25 - 7;
		break;
	case T_NUMERIC:
		v.u.n = num_make((__int128)row * 100000000000LL * 1000000000LL - 5, row % 39);
		break;
	case T_VARCHAR:
	case T_UNKNOWN: {
		int n = row % 7 == 0 ? 0 : snprintf(text, sizeof text, "row %d \xc3\xa9", row);
		v.u.s = (Str){text, (uint32_t)n};
		break;
	}
	case T_INTERVAL:
		v.u.iv = (Interval){.us = row * 1000, .days = -row, .months = row % 12};
		break;
	case T_INT2:
		v.u.i = (int16_t)(row * 31 - 1000);
		break;
	case T_INT4:
	case T_DATE:
		v.u.i = (int32_t)(row * 100003 - 7);
		break;
	default:
		v.u.i = (int64_t)row * 1000000007LL - 3;
		break;
	}
	return v;
}

static Chunk *sample(int nrows, bool ops)
{
	Chunk *c = chunk_new(all_types, NTYPES);
	for (int r = 0; r < nrows; r++) {
		for (int k = 0; k < NTYPES; k++) {
			Value v = value_for(all_types[k], r);
			vec_set_value(&c->cols[k], r, &v, &c->arena);
		}
		c->ops[r] = ops ? (uint8_t)(r % 4) : OP_INSERT;
	}
	c->nrows = nrows;
	return c;
}

static void assert_same(const Chunk *a, const Chunk *b)
{
	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->nrows, b->nrows);
	for (int r = 0; r < a->nrows; r++) {
		assert_int_equal(a->ops[r], b->ops[r]);
		for (int k = 0; k < a->ncols; k++) {
			Value x, y;
			vec_get_value(&a->cols[k], r, &x);
			vec_get_value(&b->cols[k], r, &y);
			assert_int_equal(x.null, y.null);
			if (!x.null)
				assert_true(value_equal(&x, &y));
		}
	}
}

static void round_trip(int nrows, bool ops)
{
	Chunk *c = sample(nrows, ops);
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	Err e;
	err_clear(&e);
	int ncols, rows;
	TypeId types[MAX_COLUMNS];
	assert_int_equal(cc_peek(sb.data, sb.len, &ncols, &rows, types, &e), 0);
	assert_int_equal(ncols, NTYPES);
	assert_int_equal(rows, nrows);
	assert_memory_equal(types, all_types, sizeof all_types);
	Chunk *d = chunk_new(all_types, NTYPES);
	assert_int_equal(chunk_decode(sb.data, sb.len, d, &e), 0);
	assert_same(c, d);
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

static void test_round_trip_every_type(void **state)
{
	(void)state;
	round_trip(1, false);
	round_trip(9, false);
	round_trip(CHUNK_CAP, false);
	round_trip(0, false);
}

static void test_round_trip_ops(void **state)
{
	(void)state;
	round_trip(17, true);
}

static void test_layout(void **state)
{
	(void)state;
	/* One int4 column, rows 5 and NULL: header, type byte, null bits, two 4-byte values. */
	TypeId t = T_INT4;
	Chunk *c = chunk_new(&t, 1);
	Value v = value_int(T_INT4, 5);
	vec_set_value(&c->cols[0], 0, &v, NULL);
	v = value_null(T_INT4);
	vec_set_value(&c->cols[0], 1, &v, NULL);
	c->nrows = 2;
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	static const uint8_t want[] = {'E', 'D', 'C', 'C', 1, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0,
				       T_INT4, 0x02, 5, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(sb.len, sizeof want);
	assert_memory_equal(sb.data, want, sizeof want);
	chunk_free(c);
	sb_deinit(&sb);
}

static void expect_corrupt(const void *p, size_t n, Chunk *d, const char *msg)
{
	Err e;
	err_clear(&e);
	chunk_reset(d);
	assert_int_equal(chunk_decode(p, n, d, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	assert_string_equal(err_sqlstate(e.code), "XX001");
	assert_non_null(strstr(e.msg, msg));
}

static void test_damage(void **state)
{
	(void)state;
	Chunk *c = sample(40, false);
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	Chunk *d = chunk_new(all_types, NTYPES);
	/* Every truncation is refused. */
	for (size_t n = 0; n < sb.len; n++)
		expect_corrupt(sb.data, n, d, "invalid chunk encoding");
	char *bad = mem_alloc(sb.len + 1);
	memcpy(bad, sb.data, sb.len);
	bad[sb.len] = 0;
	expect_corrupt(bad, sb.len + 1, d, "trailing bytes");
	bad[0] = 'X';
	expect_corrupt(bad, sb.len, d, "bad magic");
	memcpy(bad, sb.data, sb.len);
	bad[4] = 9;
	expect_corrupt(bad, sb.len, d, "unsupported chunk encoding version 9");
	memcpy(bad, sb.data, sb.len);
	bad[CC_HEADER] = (char)T_INT8;
	expect_corrupt(bad, sb.len, d, "column 1 has type bigint where boolean was expected");
	memcpy(bad, sb.data, sb.len);
	bad[CC_HEADER] = (char)200;
	expect_corrupt(bad, sb.len, d, "unknown column type");
	TypeId one = T_BOOL;
	Chunk *narrow = chunk_new(&one, 1);
	expect_corrupt(sb.data, sb.len, narrow, "13 columns where 1 were expected");
	mem_free(bad);
	chunk_free(narrow);
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

static void test_bad_string_offsets(void **state)
{
	(void)state;
	TypeId t = T_VARCHAR;
	Chunk *c = chunk_new(&t, 1);
	Value v = value_int(T_VARCHAR, 0);
	v.u.s = (Str){"abc", 3};
	vec_set_value(&c->cols[0], 0, &v, &c->arena);
	vec_set_value(&c->cols[0], 1, &v, &c->arena);
	c->nrows = 2;
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	/* Offsets at 18 (after the type byte and the null bits): 0, 3, 6. Make the middle one run
	 * backwards past the end. */
	uint32_t big = 7;
	memcpy(sb.data + CC_HEADER + 2 + 4, &big, 4);
	Chunk *d = chunk_new(&t, 1);
	expect_corrupt(sb.data, sb.len, d, "bad string offsets");
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_round_trip_ops),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_bad_string_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
