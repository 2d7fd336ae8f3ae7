/* test_numeric.c: exact decimal arithmetic (vec/numeric.h): text forms, PostgreSQL's result
 * scales, rounding half away from zero, the 38-digit range and division by zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec/numeric.h"

#include <string.h>

static Numeric N(const char *s)
{
	Numeric v;
	Err e;
	err_clear(&e);
	if (num_parse(s, strlen(s), &v, &e) != 0)
		fail_msg("parse %s: %s", s, e.msg);
	return v;
}

static void check(Numeric v, const char *want)
{
	char buf[NUM_TEXT_MAX];
	num_to_cstr(v, buf);
	assert_string_equal(buf, want);
}

typedef int (*BinOp)(Numeric, Numeric, Numeric *, Err *);

static void bin(BinOp op, const char *a, const char *b, const char *want)
{
	Numeric r;
	Err e;
	err_clear(&e);
	if (op(N(a), N(b), &r, &e) != 0)
		fail_msg("%s op %s: %s", a, b, e.msg);
	check(r, want);
}

static void bin_err(BinOp op, const char *a, const char *b, const char *state, const char *msg)
{
	Numeric r;
	Err e;
	err_clear(&e);
	assert_int_equal(op(N(a), N(b), &r, &e), -1);
	assert_string_equal(err_sqlstate(e.code), state);
	assert_string_equal(e.msg, msg);
}

static void test_parse_format(void **st)
{
	check(N("1.50"), "1.50");
	check(N("  -0.001 "), "-0.001");
	check(N("12"), "12");
	check(N("+7.0"), "7.0");
	check(N(".5"), "0.5");
	check(N("5."), "5");
	check(N("1.5e3"), "1500");
	check(N("1.50e1"), "15.0");
	check(N("2e-3"), "0.002");
	check(N("-0"), "0");
	check(N("0.000"), "0.000");
	check(N("99999999999999999999999999999999999999"), "99999999999999999999999999999999999999");
	/* More fraction digits than we keep are rounded at scale 38. */
	check(N("0.123456789012345678901234567890123456789"),
	      "0.12345678901234567890123456789012345679");
	Numeric v;
	Err e;
	err_clear(&e);
	assert_int_equal(num_parse("abc", 3, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22P02");
	assert_string_equal(e.msg, "invalid input syntax for type numeric: \"abc\"");
	err_clear(&e);
	assert_int_equal(num_parse("1.2.3", 5, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22P02");
	err_clear(&e);
	assert_int_equal(num_parse("", 0, &v, &e), -1);
	err_clear(&e);
	assert_int_equal(num_parse("123456789012345678901234567890123456789", 39, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22003");
	assert_string_equal(e.msg, "value overflows numeric format");
}

static void test_add_sub_mul(void **st)
{
	bin(num_add, "1.5", "2.25", "3.75");
	bin(num_add, "1.50", "1", "2.50");
	bin(num_sub, "1", "1.001", "-0.001");
	bin(num_sub, "-5", "-5.00", "0.00");
	bin(num_mul, "1.5", "2.25", "3.375");
	bin(num_mul, "-0.1", "0.1", "-0.01");
	bin(num_mul, "12345678901234567890", "1000000000000000000", "12345678901234567890000000000000000000");
	/* Scale capped at 38 with rounding. */
	bin(num_mul, "0.1234567890123456789", "0.12345678901234567891",
	    "0.01524157875323883675142508787762536200");
	bin(num_mul, "0.00000000000000000001", "0.00000000000000000005",
	    "0.00000000000000000000000000000000000000");
	bin_err(num_mul, "10000000000000000000", "10000000000000000000", "22003",
		"value overflows numeric format");
	bin_err(num_add, "99999999999999999999999999999999999999", "1", "22003",
		"value overflows numeric format");
}

static void test_div_mod(void **st)
{
	bin(num_div, "1", "3", "0.33333333333333333333");
	bin(num_div, "10", "4", "2.5000000000000000");
	bin(num_div, "2", "3", "0.66666666666666666667");
	bin(num_div, "-2", "3", "-0.66666666666666666667");
	bin(num_div, "1", "8", "0.12500000000000000000");
	bin(num_div, "100", "7", "14.2857142857142857");
	bin(num_div, "1.000", "3", "0.33333333333333333333");
	bin(num_div, "12345678901234567890", "3", "4115226300411522630");
	bin(num_div, "0", "5", "0.00000000000000000000");
	bin_err(num_div, "1", "0", "22012", "division by zero");
	bin(num_mod, "10", "3", "1");
	bin(num_mod, "-10", "3", "-1");
	bin(num_mod, "10.5", "3", "1.5");
	bin_err(num_mod, "1", "0.0", "22012", "division by zero");
}

static void test_round_trunc(void **st)
{
	Numeric r;
	Err e;
	err_clear(&e);
	assert_int_equal(num_round(N("2.5"), 0, &r, &e), 0);
	check(r, "3");
	assert_int_equal(num_round(N("-2.5"), 0, &r, &e), 0);
	check(r, "-3");
	assert_int_equal(num_round(N("1.2345"), 2, &r, &e), 0);
	check(r, "1.23");
	assert_int_equal(num_round(N("1.235"), 2, &r, &e), 0);
	check(r, "1.24");
	assert_int_equal(num_round(N("1.5"), 3, &r, &e), 0);
	check(r, "1.500");
	assert_int_equal(num_round(N("1234.5"), -2, &r, &e), 0);
	check(r, "1200");
	assert_int_equal(num_trunc(N("-1.99"), 0, &r, &e), 0);
	check(r, "-1");
	assert_int_equal(num_floor(N("-1.5"), &r, &e), 0);
	check(r, "-2");
	assert_int_equal(num_ceil(N("1.1"), &r, &e), 0);
	check(r, "2");
	assert_int_equal(num_ceil(N("-1.1"), &r, &e), 0);
	check(r, "-1");
}

static void test_compare_convert(void **st)
{
	assert_int_equal(num_cmp(N("1.50"), N("1.5")), 0);
	assert_int_equal(num_cmp(N("1.49"), N("1.5")), -1);
	assert_int_equal(num_cmp(N("-1"), N("0.0001")), -1);
	assert_int_equal(num_cmp(N("-1.5"), N("-1.25")), -1);
	assert_int_equal(num_cmp(N("100"), N("99.999999")), 1);
	assert_true(num_hash(N("1.50")) == num_hash(N("1.5")));
	int64_t i;
	assert_true(num_to_int64(N("2.5"), &i));
	assert_int_equal(i, 3);
	assert_true(num_to_int64(N("-2.5"), &i));
	assert_int_equal(i, -3);
	assert_false(num_to_int64(N("99999999999999999999"), &i));
	assert_true(num_to_double(N("0.1")) == 0.1);
	Numeric v;
	Err e;
	err_clear(&e);
	assert_int_equal(num_from_double(0.1, &v, &e), 0);
	check(v, "0.1");
	assert_int_equal(num_from_double(1.0 / 3.0, &v, &e), 0);
	check(v, "0.333333333333333");
	check(num_from_int64(INT64_MIN), "-9223372036854775808");
}

static void test_cast_typmod(void **st)
{
	Numeric r;
	Err e;
	err_clear(&e);
	assert_int_equal(num_cast(N("123.456"), 5, 2, &r, &e), 0);
	check(r, "123.46");
	assert_int_equal(num_cast(N("1"), 5, 2, &r, &e), 0);
	check(r, "1.00");
	assert_int_equal(num_cast(N("999.995"), 5, 2, &r, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22003");
	assert_string_equal(e.msg, "numeric field overflow");
	assert_string_equal(e.hint, "A field with precision 5, scale 2 must round to an absolute "
				    "value less than 10^3.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),    cmocka_unit_test(test_add_sub_mul),
		cmocka_unit_test(test_div_mod),         cmocka_unit_test(test_round_trunc),
		cmocka_unit_test(test_compare_convert), cmocka_unit_test(test_cast_typmod),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
