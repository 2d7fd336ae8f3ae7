/* test_textparse.c: the quick integer and timestamp input of src/vec/textparse.h against
 * value_parse: on generated texts, plain and not, every text the quick path takes converts to
 * exactly what value_parse gives, and the plain spellings are all taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "vec/textparse.h"
#include "vec/value.h"

#include <stdio.h>
#include <string.h>

/* The quick path agrees with value_parse whenever it answers. Returns whether it answered. */
static bool agree(TypeId t, const char *s)
{
	size_t n = strlen(s);
	int64_t got;
	bool quick = t == T_INT8 ? tp_int64(s, n, &got) : tp_timestamp(s, n, &got);
	if (!quick)
		return false;
	Value v;
	Err e;
	err_clear(&e);
	if (value_parse(t, s, n, &v, NULL, &e) != 0)
		fail_msg("\"%s\": quick path took it, value_parse says %s", s, e.msg);
	if (v.u.i != got)
		fail_msg("\"%s\": quick %lld, value_parse %lld", s, (long long)got, (long long)v.u.i);
	return true;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_int64(void **state)
{
	(void)state;
	const char *taken[] = {"0", "-0", "7", "-7", "123456789012345678", "-123456789012345678",
			       "000000000000000001"};
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
		assert_true(agree(T_INT8, taken[i]));
	/* Left to value_parse: it accepts or rejects them (19 digits may overflow). */
	const char *left[] = {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc",
			      "9223372036854775807", "-9223372036854775808", "99999999999999999999",
			      "1-", "--1"};
	for (size_t i = 0; i < sizeof left / sizeof left[0]; i++)
		assert_false(agree(T_INT8, left[i]));
	for (int i = 0; i < 20000; i++) {
		char buf[32];
		int64_t x = (int64_t)(next() % 1000000000000000000ULL);
		snprintf(buf, sizeof buf, "%lld", (long long)(i & 1 ? -x : x));
		assert_true(agree(T_INT8, buf));
	}
}

static void test_timestamp(void **state)
{
	(void)state;
	const char *taken[] = {"2015-07-15 00:00:00", "2015-07-15 00:00:00.000400",
			       "2024-02-29 23:59:59.999999", "1970-01-01 00:00:00.5",
			       "1969-12-31 23:59:59.12", "9999-12-31 23:59:59", "1000-01-01 00:00:00"};
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
		assert_true(agree(T_TIMESTAMP, taken[i]));
	const char *left[] = {"2015-07-15T00:00:00", "2015-07-15 00:00", "2015-07-15",
			      "2015-07-15 00:00:00.", "2015-07-15 00:00:00.1234567",
			      "2015-07-15 00:00:00Z", "2015-07-15 00:00:00+02", "2023-02-29 00:00:00",
			      "2015-13-01 00:00:00", "2015-00-01 00:00:00", "2015-01-32 00:00:00",
			      "2015-01-01 24:00:00", "2015-01-01 23:60:00", "2015-01-01 23:59:60",
			      "0999-01-01 00:00:00", " 2015-01-01 00:00:00", "2015-1-01 00:00:00",
			      "2015-01-01 00:00:00 BC", "epoch", "2015-01-01 0a:00:00"};
	for (size_t i = 0; i < sizeof left / sizeof left[0]; i++)
		assert_false(agree(T_TIMESTAMP, left[i]));
	/* Random plain timestamps: all taken, all equal to value_parse's (timestamptz too). */
	for (int i = 0; i < 20000; i++) {
		char buf[64];
		int y = 1000 + (int)(next() % 9000), mo = 1 + (int)(next() % 12);
		int d = 1 + (int)(next() % (uint64_t)dt_days_in_month(y, mo));
		int len = snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d,
				   (int)(next() % 24), (int)(next() % 60), (int)(next() % 60));
		int digits = (int)(next() % 7); /* 0: no fraction */
		if (digits) {
			buf[len++] = '.';
			for (int k = 0; k < digits; k++)
				buf[len++] = (char)('0' + next() % 10);
			buf[len] = '\0';
		}
		assert_true(agree(T_TIMESTAMP, buf));
		int64_t q;
		assert_true(tp_timestamp(buf, strlen(buf), &q));
		Value v;
		Err e;
		err_clear(&e);
		assert_int_equal(value_parse(T_TIMESTAMPTZ, buf, strlen(buf), &v, NULL, &e), 0);
		assert_int_equal(v.u.i, q);
	}
	/* Random bytes in a plain frame: whatever the quick path takes, value_parse agrees. */
	const char alphabet[] = "0123456789-: .T+Z";
	for (int i = 0; i < 50000; i++) {
		char buf[32] = "2015-07-15 00:00:00.000400";
		for (int k = 0; k < 3; k++)
			buf[next() % 26] = alphabet[next() % (sizeof alphabet - 1)];
		buf[19 + next() % 8] = '\0';
		agree(T_TIMESTAMP, buf);
	}
}

/* The day cache (tp_timestamp_day) changes no answer: sequences that mostly repeat a date,
 * mixed with other dates, broken dates and broken times after a cached date, each give what
 * tp_timestamp without a cache gives. */
static void test_timestamp_day(void **state)
{
	(void)state;
	const char *dates[] = {"2015-07-15", "2015-07-16", "2024-02-29", "2023-02-29", "2015-13-01",
			       "1969-12-31", "2015-07-1x", "0999-01-01", "2015-07-15"};
	const char *times[] = {"00:00:00.000100", "23:59:59", "12:34:56.5", "24:00:00",
			       "12:60:00", "00:00:00.1234567", "00:00:00.", "00:00:0a"};
	enum { ND = sizeof dates / sizeof *dates, NT = sizeof times / sizeof *times };
	TpDay day = {0};
	int cached = 0, taken = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t r = next();
		/* Mostly the previous date again. */
		static int di = 0;
		if (r % 5 == 0)
			di = (int)((r >> 8) % ND);
		char buf[64];
		snprintf(buf, sizeof buf, "%s %s", dates[di], times[(r >> 20) % NT]);
		if (r % 97 == 0)
			buf[(r >> 30) % strlen(buf)] = (char)('0' + (r >> 40) % 10);
		size_t n = strlen(buf);
		int64_t a = -1, b = -2;
		bool ok_cached = tp_timestamp_day(buf, n, &a, &day);
		bool ok_plain = tp_timestamp(buf, n, &b);
		assert_int_equal(ok_cached, ok_plain);
		if (ok_plain) {
			assert_int_equal(a, b);
			taken++;
		}
		cached += day.valid;
	}
	assert_true(taken > 2000);
	assert_true(cached > 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_timestamp_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
