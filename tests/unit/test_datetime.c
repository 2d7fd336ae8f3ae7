/* test_datetime.c: the calendar, text forms and arithmetic of dates, timestamps and intervals
 * (vec/datetime.h). Expected texts were checked against PostgreSQL 15 (IntervalStyle postgres,
 * DateStyle ISO, TimeZone UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec/datetime.h"
#include "vec/value.h"

#include <string.h>

static int64_t TS(const char *s)
{
	int64_t v;
	Err e;
	err_clear(&e);
	if (dt_parse_timestamp(s, strlen(s), false, &v, &e))
		fail_msg("parse %s: %s", s, e.msg);
	return v;
}

static Interval IV(const char *s)
{
	Interval v;
	Err e;
	err_clear(&e);
	if (dt_parse_interval(s, strlen(s), &v, &e))
		fail_msg("parse %s: %s", s, e.msg);
	return v;
}

static void check_ts(int64_t ts, bool tz, const char *want)
{
	StrBuf sb;
	sb_init(&sb);
	dt_format_timestamp(ts, tz, &sb);
	assert_string_equal(sb.data, want);
	sb_deinit(&sb);
}

static void check_iv(Interval iv, const char *want)
{
	StrBuf sb;
	sb_init(&sb);
	dt_format_interval(iv, &sb);
	assert_string_equal(sb.data, want);
	sb_deinit(&sb);
}

static void test_civil(void **st)
{
	assert_int_equal(dt_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(dt_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(dt_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(dt_days_in_month(2024, 2), 29);
	assert_int_equal(dt_days_in_month(1900, 2), 28);
	assert_int_equal(dt_days_in_month(2000, 2), 29);
	/* Every day from 1600 to 2400 round-trips and steps by one. */
	int64_t first = dt_days_from_civil(1600, 1, 1), last = dt_days_from_civil(2400, 12, 31);
	int64_t py = 1599;
	int pm = 12, pd = 31;
	for (int64_t d = first; d <= last; d++) {
		int64_t y;
		int m, dd;
		dt_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(dt_days_from_civil(y, m, dd), d);
		bool next_day = (y == py && m == pm && dd == pd + 1);
		bool next_month = (y == py && m == pm + 1 && dd == 1 && pd == dt_days_in_month(py, pm));
		bool next_year = (y == py + 1 && m == 1 && dd == 1 && pm == 12 && pd == 31);
		assert_true(next_day || next_month || next_year);
		py = y, pm = m, pd = dd;
	}
}

static void test_timestamp_text(void **st)
{
	check_ts(TS("2024-01-02 03:04:05.123456"), false, "2024-01-02 03:04:05.123456");
	check_ts(TS("2024-01-02 03:04:05.120"), false, "2024-01-02 03:04:05.12");
	check_ts(TS("2024-01-02"), false, "2024-01-02 00:00:00");
	check_ts(TS("2024-01-02T03:04"), false, "2024-01-02 03:04:00");
	check_ts(TS("  1969-12-31 23:59:59.5  "), false, "1969-12-31 23:59:59.5");
	/* A zone is ignored for timestamp, applied for timestamptz. */
	check_ts(TS("2024-01-02T03:04:05Z"), false, "2024-01-02 03:04:05");
	int64_t v;
	Err e;
	err_clear(&e);
	assert_int_equal(dt_parse_timestamp("2024-01-02 03:04:05+02:30", 25, true, &v, &e), 0);
	check_ts(v, true, "2024-01-02 00:34:05+00");
	assert_int_equal(dt_parse_timestamp("2024-01-02 03:04:05-0100", 24, true, &v, &e), 0);
	check_ts(v, true, "2024-01-02 04:04:05+00");
	check_ts(TS("0001-01-01") - US_PER_DAY, false, "0001-12-31 00:00:00 BC");
	assert_int_equal(dt_parse_timestamp("x", 1, false, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22007");
	assert_string_equal(e.msg, "invalid input syntax for type timestamp: \"x\"");
	err_clear(&e);
	assert_int_equal(dt_parse_timestamp("2024-13-01", 10, false, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22008");
	assert_string_equal(e.msg, "date/time field value out of range: \"2024-13-01\"");
	err_clear(&e);
	assert_int_equal(dt_parse_timestamp("2023-02-29 00:00", 16, false, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22008");
	err_clear(&e);
	assert_int_equal(dt_parse_timestamp("2024-01-01 25:00", 16, false, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22008");
	err_clear(&e);
	assert_int_equal(dt_parse_timestamp("2024-01-01 10:00 junk", 21, true, &v, &e), -1);
	assert_string_equal(e.msg, "invalid input syntax for type timestamp with time zone: "
				   "\"2024-01-01 10:00 junk\"");
	int32_t d;
	err_clear(&e);
	assert_int_equal(dt_parse_date("2024-02-29", 10, &d, &e), 0);
	StrBuf sb;
	sb_init(&sb);
	dt_format_date(d, &sb);
	assert_string_equal(sb.data, "2024-02-29");
	sb_deinit(&sb);
	assert_int_equal(dt_parse_date("2024-02-30", 10, &d, &e), -1);
	assert_string_equal(e.msg, "date/time field value out of range: \"2024-02-30\"");
	err_clear(&e);
	assert_int_equal(dt_parse_date("yesterday-ish", 13, &d, &e), -1);
	assert_string_equal(e.msg, "invalid input syntax for type date: \"yesterday-ish\"");
}

static void test_interval_text(void **st)
{
	check_iv(IV("1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds"),
		 "1 year 2 mons 3 days 04:05:06.5");
	check_iv(IV("5"), "00:00:05");
	check_iv(IV("5 seconds"), "00:00:05");
	check_iv(IV("4 second"), "00:00:04");
	check_iv(IV("-1 day"), "-1 days");
	check_iv(IV("1 day -1 second"), "1 day -00:00:01");
	check_iv(IV("-1 day +2 hours"), "-1 days +02:00:00");
	check_iv(IV("1.5 years"), "1 year 6 mons");
	check_iv(IV("1.5 months"), "1 mon 15 days");
	check_iv(IV("1.5 weeks"), "10 days 12:00:00");
	check_iv(IV("P1DT2H"), "1 day 02:00:00");
	check_iv(IV("PT5S"), "00:00:05");
	check_iv(IV("100 ms"), "00:00:00.1");
	check_iv(IV("3 microseconds"), "00:00:00.000003");
	check_iv(IV("1:30"), "01:30:00");
	check_iv(IV("-01:02:03"), "-01:02:03");
	check_iv(IV("@ 1 day ago"), "-1 days");
	check_iv(IV("1 day 01:02:03.5"), "1 day 01:02:03.5");
	check_iv(IV("2 weeks"), "14 days");
	check_iv(IV("10 min"), "00:10:00");
	check_iv(IV("10min"), "00:10:00");
	check_iv(IV("-5 minutes"), "-00:05:00");
	check_iv(IV("25 hours"), "25:00:00");
	check_iv(IV("1 hour 30 minutes"), "01:30:00");
	check_iv(IV("1 y 2 mon 3 d 4 h 5 m 6 s"), "1 year 2 mons 3 days 04:05:06");
	check_iv(IV("0"), "00:00:00");
	check_iv(IV("1 mon 1 day"), "1 mon 1 day");
	Interval v;
	Err e;
	err_clear(&e);
	assert_int_equal(dt_parse_interval("five seconds", 12, &v, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22007");
	assert_string_equal(e.msg, "invalid input syntax for type interval: \"five seconds\"");
	err_clear(&e);
	assert_int_equal(dt_parse_interval("1 fortnight", 11, &v, &e), -1);
	err_clear(&e);
	assert_int_equal(dt_parse_interval("", 0, &v, &e), -1);
}

static void test_arithmetic(void **st)
{
	int64_t r;
	Err e;
	err_clear(&e);
	assert_int_equal(dt_ts_add_interval(TS("2024-01-31 10:00"), IV("1 month"), &r, &e), 0);
	check_ts(r, false, "2024-02-29 10:00:00");
	assert_int_equal(dt_ts_add_interval(TS("2023-01-31"), IV("1 month 1 day"), &r, &e), 0);
	check_ts(r, false, "2023-03-01 00:00:00");
	assert_int_equal(dt_ts_add_interval(TS("2024-02-29"), IV("1 year"), &r, &e), 0);
	check_ts(r, false, "2025-02-28 00:00:00");
	assert_int_equal(dt_ts_sub_interval(TS("2024-03-31"), IV("1 month"), &r, &e), 0);
	check_ts(r, false, "2024-02-29 00:00:00");
	assert_int_equal(dt_ts_add_interval(TS("2024-12-31 23:00"), IV("2 hours"), &r, &e), 0);
	check_ts(r, false, "2025-01-01 01:00:00");
	assert_int_equal(dt_ts_add_interval(TS("2024-01-01"), IV("-13 months"), &r, &e), 0);
	check_ts(r, false, "2022-12-01 00:00:00");
	check_iv(dt_ts_diff(TS("2024-01-02 03:00"), TS("2024-01-01 01:00")), "1 day 02:00:00");
	check_iv(dt_ts_diff(TS("2024-01-01"), TS("2024-01-02 01:00")), "-1 days -01:00:00");
	Interval iv;
	assert_int_equal(dt_iv_mul(IV("1 day 2 hours"), 2.5, &iv, &e), 0);
	check_iv(iv, "2 days 17:00:00");
	assert_int_equal(dt_iv_div(IV("1 mon"), 3, &iv, &e), 0);
	check_iv(iv, "10 days");
	assert_int_equal(dt_iv_div(IV("1 mon"), 0, &iv, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22012");
	err_clear(&e);
	assert_int_equal(dt_iv_add(IV("1 day"), IV("-2 hours"), &iv, &e), 0);
	check_iv(iv, "1 day -02:00:00");
	assert_int_equal(dt_iv_sub(IV("1 mon"), IV("1 day"), &iv, &e), 0);
	check_iv(iv, "1 mon -1 days");
	assert_int_equal(dt_iv_cmp(IV("1 mon"), IV("30 days")), 0);
	assert_int_equal(dt_iv_cmp(IV("1 day"), IV("23 hours")), 1);
	assert_int_equal(dt_iv_cmp(IV("-1 day"), IV("1 second")), -1);
	int32_t d;
	assert_int_equal(dt_date_add_days(0, 59, &d, &e), 0);
	assert_int_equal(d, dt_days_from_civil(1970, 3, 1));
	assert_int_equal(dt_ts_add_interval(INT64_MAX - 10, IV("1 day"), &r, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22008");
	assert_string_equal(e.msg, "timestamp out of range");
}

static void test_trunc_part(void **st)
{
	int64_t r;
	double p;
	Err e;
	err_clear(&e);
	static const struct {
		const char *field, *ts, *want;
	} tr[] = {
		{"week", "2024-01-03 05:00", "2024-01-01 00:00:00"},
		{"week", "2024-01-07 23:00", "2024-01-01 00:00:00"},
		{"quarter", "2024-05-03", "2024-04-01 00:00:00"},
		{"decade", "2024-05-03", "2020-01-01 00:00:00"},
		{"century", "2024-05-03", "2001-01-01 00:00:00"},
		{"year", "2024-05-03 01:02", "2024-01-01 00:00:00"},
		{"month", "2024-05-03 01:02", "2024-05-01 00:00:00"},
		{"day", "2024-05-03 01:02", "2024-05-03 00:00:00"},
		{"hour", "2024-05-03 01:02:03", "2024-05-03 01:00:00"},
		{"minute", "2024-05-03 01:02:03.5", "2024-05-03 01:02:00"},
		{"second", "2024-05-03 01:02:03.5", "2024-05-03 01:02:03"},
		{"milliseconds", "2024-05-03 01:02:03.123456", "2024-05-03 01:02:03.123"},
		{"HOUR", "1969-12-31 23:30", "1969-12-31 23:00:00"},
	};
	for (size_t i = 0; i < sizeof tr / sizeof tr[0]; i++) {
		assert_int_equal(dt_trunc(tr[i].field, TS(tr[i].ts), &r, &e), 0);
		check_ts(r, false, tr[i].want);
	}
	assert_int_equal(dt_trunc("fortnight", 0, &r, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22023");
	err_clear(&e);
	static const struct {
		const char *field, *ts;
		double want;
	} pt[] = {
		{"week", "2024-12-30", 1},         {"week", "2021-01-03", 53},
		{"doy", "2024-12-31", 366},        {"epoch", "2024-01-01 00:00:01.5", 1704067201.5},
		{"quarter", "2024-05-03", 2},      {"century", "2000-05-03", 20},
		{"year", "2024-05-03", 2024},      {"month", "2024-05-03", 5},
		{"day", "2024-05-03", 3},          {"dow", "2024-05-05", 0},
		{"isodow", "2024-05-05", 7},       {"hour", "2024-05-03 13:14:15", 13},
		{"minute", "2024-05-03 13:14:15", 14}, {"second", "2024-05-03 13:14:15.25", 15.25},
		{"millisecond", "2024-05-03 13:14:15.25", 15250},
		{"microseconds", "2024-05-03 13:14:15.25", 15250000},
	};
	for (size_t i = 0; i < sizeof pt / sizeof pt[0]; i++) {
		assert_int_equal(dt_part(pt[i].field, TS(pt[i].ts), &p, &e), 0);
		if (p != pt[i].want)
			fail_msg("%s of %s: %g, want %g", pt[i].field, pt[i].ts, p, pt[i].want);
	}
	assert_int_equal(dt_part_interval("epoch", IV("1 year 1 day"), &p, &e), 0);
	assert_true(p == 31644000);
	assert_int_equal(dt_part_interval("hour", IV("1 day 05:06:07"), &p, &e), 0);
	assert_true(p == 5);
	assert_int_equal(dt_part_interval("month", IV("1 year 2 mons"), &p, &e), 0);
	assert_true(p == 2);
}

static void test_value_text(void **st)
{
	/* value_parse / value_format of every type, as psql shows them. */
	static const struct {
		TypeId t;
		const char *in, *out;
	} cases[] = {
		{T_BOOL, " TRUE ", "t"},   {T_BOOL, "off", "f"},       {T_BOOL, "Yes", "t"},
		{T_BOOL, "0", "f"},        {T_BOOL, "f", "f"},         {T_INT4, " -42 ", "-42"},
		{T_INT2, "32767", "32767"}, {T_INT8, "-9223372036854775808", "-9223372036854775808"},
		{T_FLOAT8, "1.5", "1.5"},  {T_FLOAT8, "0.1", "0.1"},   {T_FLOAT8, "1e20", "1e+20"},
		{T_FLOAT8, "1.5e-5", "1.5e-05"}, {T_FLOAT8, "123456789012345678", "1.2345678901234568e+17"},
		{T_FLOAT8, "100000000000000", "100000000000000"}, {T_FLOAT8, "1e15", "1e+15"},
		{T_FLOAT8, "0.0001", "0.0001"}, {T_FLOAT8, "Infinity", "Infinity"},
		{T_FLOAT8, "-inf", "-Infinity"}, {T_FLOAT8, "nan", "NaN"}, {T_FLOAT8, "-0", "-0"},
		{T_FLOAT4, "1234567", "1.234567e+06"}, {T_FLOAT4, "100000", "100000"},
		{T_FLOAT4, "0.1", "0.1"},  {T_NUMERIC, "1.50", "1.50"}, {T_VARCHAR, " x ", " x "},
		{T_DATE, "2024-01-02", "2024-01-02"},
		{T_TIMESTAMP, "2024-01-02 03:04:05.000", "2024-01-02 03:04:05"},
		{T_TIMESTAMPTZ, "2024-01-02 03:04:05.5", "2024-01-02 03:04:05.5+00"},
		{T_INTERVAL, "1 day 2 hours", "1 day 02:00:00"},
	};
	Arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		Value v;
		Err e;
		err_clear(&e);
		if (value_parse(cases[i].t, cases[i].in, strlen(cases[i].in), &v, &a, &e))
			fail_msg("parse %s: %s", cases[i].in, e.msg);
		StrBuf sb;
		sb_init(&sb);
		value_format(&v, &sb);
		if (strcmp(sb.data, cases[i].out) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, sb.data, cases[i].out);
		sb_deinit(&sb);
	}
	static const struct {
		TypeId t;
		const char *in, *state, *msg;
	} bad[] = {
		{T_INT4, "abc", "22P02", "invalid input syntax for type integer: \"abc\""},
		{T_INT4, "99999999999", "22003", "value \"99999999999\" is out of range for type integer"},
		{T_INT2, "40000", "22003", "value \"40000\" is out of range for type smallint"},
		{T_INT8, "1.5", "22P02", "invalid input syntax for type bigint: \"1.5\""},
		{T_INT4, "", "22P02", "invalid input syntax for type integer: \"\""},
		{T_BOOL, "maybe", "22P02", "invalid input syntax for type boolean: \"maybe\""},
		{T_FLOAT8, "1e400", "22003", "\"1e400\" is out of range for type double precision"},
		{T_FLOAT8, "x1", "22P02", "invalid input syntax for type double precision: \"x1\""},
		{T_DATE, "2024-13-01", "22008", "date/time field value out of range: \"2024-13-01\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		Value v;
		Err e;
		err_clear(&e);
		assert_int_equal(value_parse(bad[i].t, bad[i].in, strlen(bad[i].in), &v, &a, &e), -1);
		assert_string_equal(err_sqlstate(e.code), bad[i].state);
		assert_string_equal(e.msg, bad[i].msg);
	}
	Value x = value_int(T_INT4, 1), y = value_int(T_INT4, 2), n = value_null(T_INT4);
	assert_int_equal(value_compare(&x, &y), -1);
	assert_int_equal(value_compare(&n, &y), 1);
	assert_true(value_equal(&n, &n));
	arena_deinit(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil),         cmocka_unit_test(test_timestamp_text),
		cmocka_unit_test(test_interval_text), cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_trunc_part),    cmocka_unit_test(test_value_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
