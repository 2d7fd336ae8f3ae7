/* textparse.h: quick text input for the common spellings of integers and timestamps.
 *
 * Layer: vec. The ingest path (src/engine/insert.c) converts millions of text cells a second;
 * value_parse handles every spelling PostgreSQL accepts (spaces, signs, zones, 'T', BC years,
 * rounding of long fractions) at a cost. These functions take only the plain forms a writer
 * emits,
 *
 *   integer     [-]D{1,18}
 *   timestamp   YYYY-MM-DD HH:MM:SS[.F{1,6}]   (year 1000..9999, a valid day, time < 24:00)
 *
 * and return false for anything else, without judging it: the caller then hands the text to
 * value_parse, which accepts or rejects it with PostgreSQL's message. So a true result always
 * equals what value_parse gives, and the set of accepted texts is value_parse's (the unit test
 * test_textparse checks both on generated texts). tp_timestamp_day keeps the last date part it
 * read and its day number: a column of timestamps mostly repeats the date from row to row.
 */
#ifndef EDDY_VEC_TEXTPARSE_H
#define EDDY_VEC_TEXTPARSE_H

#include "vec/datetime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* [-]D{1,18}: no overflow is possible, so no check is needed. */
static inline bool tp_int64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = n > 0 && s[0] == '-';
	i = neg;
	if (n - i < 1 || n - i > 18)
		return false;
	int64_t v = 0;
	for (; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + (int64_t)d;
	}
	*out = neg ? -v : v;
	return true;
}

/* Two digits at p, or -1. */
static inline int tp_2(const char *p)
{
	unsigned a = (unsigned)(unsigned char)p[0] - '0', b = (unsigned)(unsigned char)p[1] - '0';
	return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

/* The day of the last date part tp_timestamp_day read: consecutive timestamps of a column
 * mostly share it, and then its civil-day arithmetic is skipped. Zero-initialize. */
typedef struct TpDay {
	uint64_t ymd;   /* bytes 0..7 of the text ("YYYY-MM-"), */
	uint16_t dd;    /* bytes 8..9 ("DD") */
	bool valid;
	int64_t days;   /* its days since 1970 */
} TpDay;

/* YYYY-MM-DD HH:MM:SS[.F{1,6}] as microseconds since 1970 (timestamp and timestamptz alike:
 * no zone means UTC). */
static inline bool tp_timestamp_day(const char *s, size_t n, int64_t *out, TpDay *day)
{
	if (n < 19 || n > 26 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
	    s[16] != ':' || (n > 19 && (s[19] != '.' || n == 20)))
		return false;
	int h = tp_2(s + 11), mi = tp_2(s + 14), se = tp_2(s + 17);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
		return false;
	uint64_t ymd;
	uint16_t dd;
	memcpy(&ymd, s, 8);
	memcpy(&dd, s + 8, 2);
	int64_t days;
	if (day && day->valid && day->ymd == ymd && day->dd == dd) {
		days = day->days;
	} else {
		int y1 = tp_2(s), y2 = tp_2(s + 2), mo = tp_2(s + 5), d = tp_2(s + 8);
		if (y1 < 10 || y2 < 0 || mo < 1 || mo > 12 || d < 1)
			return false;
		int64_t y = y1 * 100 + y2;
		if (d > 28 && d > dt_days_in_month(y, mo))
			return false;
		days = dt_days_from_civil(y, mo, d);
		if (day)
			*day = (TpDay){ymd, dd, true, days};
	}
	int64_t frac = 0;
	size_t k = 20;
	for (; k < n; k++) {
		unsigned dig = (unsigned)(unsigned char)s[k] - '0';
		if (dig > 9)
			return false;
		frac = frac * 10 + (int64_t)dig;
	}
	for (; k < 26 && n > 19; k++)
		frac *= 10;
	*out = days * US_PER_DAY + h * US_PER_HOUR + mi * US_PER_MINUTE + se * US_PER_SEC + frac;
	return true;
}

static inline bool tp_timestamp(const char *s, size_t n, int64_t *out)
{
	return tp_timestamp_day(s, n, out, NULL);
}

#endif
