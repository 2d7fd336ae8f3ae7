/* test_array.c: one-dimensional arrays (vec/array.h): the encoding, PostgreSQL's text input and
 * output (quoting, NULLs, spaces), every malformed-literal error, comparison, the row codec
 * (exact and normalized) and the chunk codec carrying array columns, and damaged bytes being
 * refused rather than read out of bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec/array.h"
#include "vec/chunk_codec.h"
#include "vec/rowcodec.h"

#include <string.h>

static Arena arena;

static Str parse_ok(TypeId t, const char *s)
{
	Str a;
	Err e;
	err_clear(&e);
	if (arr_parse(t, s, strlen(s), &a, &arena, &e) < 0)
		fail_msg("parse %s: %s", s, e.msg);
	return a;
}

static void expect_text(TypeId t, const char *in, const char *out)
{
	Str a = parse_ok(t, in);
	StrBuf sb;
	sb_init(&sb);
	arr_format(t, a, &sb);
	assert_string_equal(sb.data, out);
	sb_deinit(&sb);
	assert_true(arr_check(a, type_elem(t)));
}

static void expect_err(TypeId t, const char *in, ErrCode code, const char *msg)
{
	Str a;
	Err e;
	err_clear(&e);
	assert_int_equal(arr_parse(t, in, strlen(in), &a, &arena, &e), -1);
	assert_int_equal(e.code, code);
	assert_string_equal(e.msg, msg);
}

static void test_types(void **st)
{
	assert_int_equal(type_elem(T_INT4_ARRAY), T_INT4);
	assert_int_equal(type_array_of(T_VARCHAR), T_VARCHAR_ARRAY);
	assert_int_equal(type_array_of(T_UNKNOWN), T_VARCHAR_ARRAY);
	assert_int_equal(type_array_of(T_INT4_ARRAY), T_NULL);
	assert_int_equal(type_elem(T_INT4), T_NULL);
	assert_string_equal(type_name(T_INT2_ARRAY), "smallint[]");
	TypeId t;
	assert_true(type_from_name("int[]", &t));
	assert_int_equal(t, T_INT4_ARRAY);
	assert_true(type_from_name("_text", &t));
	assert_int_equal(t, T_VARCHAR_ARRAY);
	assert_false(type_from_name("int[][]", &t));
	assert_false(type_from_name("nosuch[]", &t));
	assert_true(type_is_varlen(T_DATE_ARRAY));
	assert_false(type_is_varlen(T_DATE));
}

static void test_text_io(void **st)
{
	expect_text(T_INT4_ARRAY, "{1,2,NULL}", "{1,2,NULL}");
	expect_text(T_INT4_ARRAY, "  { 1 ,\t2 }  ", "{1,2}");
	expect_text(T_INT4_ARRAY, "{}", "{}");
	expect_text(T_INT8_ARRAY, "{\"7\"}", "{7}");
	expect_text(T_VARCHAR_ARRAY, "{a,\"b c\",\"\",\"x\\\"y\",nULl,\"NULL\",\\{}",
		    "{a,\"b c\",\"\",\"x\\\"y\",NULL,\"NULL\",\"{\"}");
	expect_text(T_VARCHAR_ARRAY, "{ a b , c\\ }", "{\"a b\",\"c \"}");
	expect_text(T_BOOL_ARRAY, "{t,false}", "{t,f}");
	expect_text(T_NUMERIC_ARRAY, "{1.50,-2}", "{1.50,-2}");
	expect_text(T_FLOAT8_ARRAY, "{1e300,NaN}", "{1e+300,NaN}");
	expect_text(T_TIMESTAMP_ARRAY, "{\"2024-01-02 03:04:05\"}", "{\"2024-01-02 03:04:05\"}");
	expect_text(T_INTERVAL_ARRAY, "{\"1 day\"}", "{\"1 day\"}");
	expect_text(T_DATE_ARRAY, "{2024-02-29}", "{2024-02-29}");
}

static void test_errors(void **st)
{
	expect_err(T_INT4_ARRAY, "1,2", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"1,2\"");
	expect_err(T_INT4_ARRAY, "", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"\"");
	expect_err(T_INT4_ARRAY, "{1,2", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{1,2\"");
	expect_err(T_INT4_ARRAY, "{1,,2}", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{1,,2}\"");
	expect_err(T_INT4_ARRAY, "{1,}", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{1,}\"");
	expect_err(T_INT4_ARRAY, "{1} x", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{1} x\"");
	expect_err(T_VARCHAR_ARRAY, "{\"a}", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{\"a}\"");
	expect_err(T_VARCHAR_ARRAY, "{\"a\"b}", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{\"a\"b}\"");
	expect_err(T_VARCHAR_ARRAY, "{a\"b}", ERR_INVALID_TEXT_REPRESENTATION,
		   "malformed array literal: \"{a\"b}\"");
	expect_err(T_INT4_ARRAY, "{{1},{2}}", ERR_FEATURE_NOT_SUPPORTED,
		   "multidimensional arrays are not supported");
	expect_err(T_INT4_ARRAY, "{1,x}", ERR_INVALID_TEXT_REPRESENTATION,
		   "invalid input syntax for type integer: \"x\"");
	expect_err(T_INT2_ARRAY, "{70000}", ERR_NUMERIC_OUT_OF_RANGE,
		   "value \"70000\" is out of range for type smallint");
}

static void test_access_compare(void **st)
{
	Str a = parse_ok(T_INT4_ARRAY, "{5,NULL,7}");
	assert_int_equal(arr_count(a), 3);
	Value v;
	assert_true(arr_get(a, T_INT4, 1, &v));
	assert_false(v.null);
	assert_int_equal(v.u.i, 5);
	assert_true(arr_get(a, T_INT4, 2, &v));
	assert_true(v.null);
	assert_false(arr_get(a, T_INT4, 0, &v));
	assert_false(arr_get(a, T_INT4, 4, &v));
	Str b = parse_ok(T_INT4_ARRAY, "{5,NULL}"), c = parse_ok(T_INT4_ARRAY, "{5,6}");
	assert_true(arr_compare(T_INT4, b, a) < 0); /* a prefix first */
	assert_true(arr_compare(T_INT4, c, b) < 0); /* NULL elements last */
	assert_int_equal(arr_compare(T_INT4, a, a), 0);
	Str n1 = parse_ok(T_NUMERIC_ARRAY, "{1.0}"), n2 = parse_ok(T_NUMERIC_ARRAY, "{1.00}");
	assert_int_equal(arr_compare(T_NUMERIC, n1, n2), 0);
	/* Normalized row encodings of equal arrays are equal bytes (grouping keys). */
	Value x = {.type = T_NUMERIC_ARRAY, .null = false, .u.s = n1};
	Value y = {.type = T_NUMERIC_ARRAY, .null = false, .u.s = n2};
	StrBuf ex, ey;
	sb_init(&ex);
	sb_init(&ey);
	row_encode_value(&x, ROWCODEC_NORMALIZE, &ex);
	row_encode_value(&y, ROWCODEC_NORMALIZE, &ey);
	assert_int_equal(ex.len, ey.len);
	assert_memory_equal(ex.data, ey.data, ex.len);
	sb_reset(&ex);
	row_encode_value(&x, ROWCODEC_EXACT, &ex);
	TypeId t = T_NUMERIC_ARRAY;
	assert_true(row_check(ex.data, ex.len, &t, 1));
	Value back;
	assert_int_equal(row_decode_value(ex.data, t, &back), ex.len);
	assert_int_equal(arr_compare(T_NUMERIC, back.u.s, n1), 0);
	/* A damaged count or element is refused. */
	ex.data[1] = 9;
	assert_false(row_check(ex.data, ex.len, &t, 1));
	sb_deinit(&ex);
	sb_deinit(&ey);
	char junk[8] = {2, 0, 0, 0, 1, 7, 0, 0};
	assert_false(arr_check((Str){junk, sizeof junk}, T_INT4));
	assert_false(arr_check((Str){junk, 3}, T_INT4));
}

static void test_chunk_codec(void **st)
{
	TypeId types[2] = {T_INT4, T_VARCHAR_ARRAY};
	Chunk *c = chunk_new(types, 2);
	for (int r = 0; r < 3; r++) {
		Value k = value_int(T_INT4, r);
		vec_set_value(&c->cols[0], r, &k, NULL);
		Value a = value_null(T_VARCHAR_ARRAY);
		if (r != 1) {
			a.null = false;
			a.u.s = parse_ok(T_VARCHAR_ARRAY, r ? "{x,NULL,\"y z\"}" : "{}");
		}
		vec_set_value(&c->cols[1], r, &a, &c->arena);
	}
	c->nrows = 3;
	StrBuf enc;
	sb_init(&enc);
	chunk_encode(c, &enc);
	Chunk *d = chunk_new(types, 2);
	Err e;
	err_clear(&e);
	assert_int_equal(chunk_decode(enc.data, enc.len, d, &e), 0);
	assert_int_equal(d->nrows, 3);
	for (int r = 0; r < 3; r++) {
		Value x, y;
		vec_get_value(&c->cols[1], r, &x);
		vec_get_value(&d->cols[1], r, &y);
		assert_int_equal(x.null, y.null);
		if (!x.null)
			assert_int_equal(arr_compare(T_VARCHAR, x.u.s, y.u.s), 0);
	}
	/* Damage inside the last array's bytes: its element lengths no longer add up. */
	enc.data[enc.len - 6] = (char)0x7f;
	chunk_reset(d);
	err_clear(&e);
	assert_int_equal(chunk_decode(enc.data, enc.len, d, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	sb_deinit(&enc);
	chunk_free(c);
	chunk_free(d);
}

int main(void)
{
	arena_init(&arena, 0);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_text_io),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_access_compare),
		cmocka_unit_test(test_chunk_codec),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	arena_deinit(&arena);
	return rc;
}
