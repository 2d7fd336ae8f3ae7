/* datetime.c: calendar, text forms and arithmetic of dates, timestamps and intervals (see
 * datetime.h). Layer: vec. Pure functions over integers: no time zone database (everything is
 * shown in UTC), no clock, no allocation.
 */
#include "vec/datetime.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lowest timestamp PostgreSQL accepts (4714-11-24 BC 00:00:00), in microseconds since 1970. */
#define TS_MIN INT64_C(-210866803200000000)
#define DATE_MIN INT64_C(-2440588)
/* Highest year we accept in text: timestamps near int64's end would overflow arithmetic. */
#define YEAR_MAX 294276

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* ---- civil calendar (Howard Hinnant's algorithms, exact for the proleptic Gregorian) */

int64_t dt_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void dt_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	days += 719468;
	int64_t era = floor_div(days, 146097);
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dt_days_in_month(int64_t y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int64_t dt_date_to_ts(int32_t d)
{
	return (int64_t)d * US_PER_DAY;
}

int32_t dt_ts_to_date(int64_t ts)
{
	return (int32_t)floor_div(ts, US_PER_DAY);
}

/* ---- text input */

typedef struct Scan {
	const char *s;
	size_t n, i;
} Scan;

static void skip_space(Scan *sc)
{
	while (sc->i < sc->n && isspace((unsigned char)sc->s[sc->i]))
		sc->i++;
}

/* Reads 1..maxd decimal digits; returns the digit count (0 when none). */
static int read_int(Scan *sc, int maxd, int64_t *out)
{
	int k = 0;
	int64_t v = 0;
	while (sc->i < sc->n && k < maxd && isdigit((unsigned char)sc->s[sc->i])) {
		v = v * 10 + (sc->s[sc->i++] - '0');
		k++;
	}
	*out = v;
	return k;
}

static bool eat(Scan *sc, char c)
{
	if (sc->i < sc->n && sc->s[sc->i] == c) {
		sc->i++;
		return true;
	}
	return false;
}

static bool eat_word(Scan *sc, const char *w)
{
	size_t l = strlen(w);
	if (sc->n - sc->i >= l && strncasecmp(sc->s + sc->i, w, l) == 0) {
		sc->i += l;
		return true;
	}
	return false;
}

enum { SCAN_OK, SCAN_SYNTAX, SCAN_RANGE };

/* Date part "Y-M-D" (years of 1 to 6 digits) with an optional " BC" handled by the caller. */
static int scan_date(Scan *sc, int64_t *days)
{
	int64_t y, m, d;
	if (!read_int(sc, 6, &y) || !eat(sc, '-') || !read_int(sc, 2, &m) || !eat(sc, '-') ||
	    !read_int(sc, 2, &d))
		return SCAN_SYNTAX;
	if (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i]))
		return SCAN_SYNTAX;
	size_t save = sc->i;
	skip_space(sc);
	if (eat_word(sc, "BC")) {
		y = 1 - y;
	} else {
		sc->i = save;
	}
	if (m < 1 || m > 12 || d < 1 || d > dt_days_in_month(y, (int)m) || y > YEAR_MAX ||
	    y == 0)
		return SCAN_RANGE;
	*days = dt_days_from_civil(y, (int)m, (int)d);
	return SCAN_OK;
}

/* Time "H:MM[:SS[.ffffff]]" into microseconds. */
static int scan_time(Scan *sc, int64_t *us)
{
	int64_t h, mi, s = 0, frac = 0;
	if (!read_int(sc, 2, &h) || !eat(sc, ':') || read_int(sc, 2, &mi) != 2)
		return SCAN_SYNTAX;
	if (eat(sc, ':')) {
		if (read_int(sc, 2, &s) != 2)
			return SCAN_SYNTAX;
		if (eat(sc, '.')) {
			int k = 0;
			int64_t scale = 100000;
			bool round_up = false;
			while (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i])) {
				int dgt = sc->s[sc->i++] - '0';
				if (k < 6)
					frac += dgt * scale, scale /= 10;
				else if (k == 6)
					round_up = dgt >= 5;
				k++;
			}
			frac += round_up;
		}
	}
	if (mi > 59 || s > 60 || h > 24 || (h == 24 && (mi || s || frac)))
		return SCAN_RANGE;
	*us = ((h * 60 + mi) * 60 + s) * US_PER_SEC + frac;
	return SCAN_OK;
}

/* Zone suffix: Z, UTC, GMT, +HH, +HH:MM, +HHMM; offset in microseconds to subtract. */
static int scan_zone(Scan *sc, int64_t *off)
{
	*off = 0;
	skip_space(sc);
	if (sc->i >= sc->n)
		return SCAN_OK;
	if (eat_word(sc, "UTC") || eat_word(sc, "GMT") || eat(sc, 'Z') || eat(sc, 'z'))
		return SCAN_OK;
	char c = sc->s[sc->i];
	if (c != '+' && c != '-')
		return SCAN_SYNTAX;
	sc->i++;
	int64_t h, m = 0;
	int k = read_int(sc, 4, &h);
	if (k == 0)
		return SCAN_SYNTAX;
	if (k > 2) {
		m = h % 100;
		h /= 100;
	} else if (eat(sc, ':')) {
		if (read_int(sc, 2, &m) != 2)
			return SCAN_SYNTAX;
	}
	if (h > 15 || m > 59)
		return SCAN_RANGE;
	*off = (c == '-' ? -1 : 1) * (h * 60 + m) * US_PER_MINUTE;
	return SCAN_OK;
}

static int parse_error(int rc, const char *tname, const char *s, size_t n, Err *e)
{
	if (rc == SCAN_RANGE)
		return err_set(e, ERR_DATETIME_OVERFLOW,
			       "date/time field value out of range: \"%.*s\"", (int)n, s);
	return err_set(e, ERR_INVALID_DATETIME_FORMAT, "invalid input syntax for type %s: \"%.*s\"",
		       tname, (int)n, s);
}

static int scan_timestamp(Scan *sc, bool tz, int64_t *out)
{
	skip_space(sc);
	if (eat_word(sc, "epoch")) {
		*out = 0;
		skip_space(sc);
		return sc->i == sc->n ? SCAN_OK : SCAN_SYNTAX;
	}
	int64_t days, us = 0, off = 0;
	int rc = scan_date(sc, &days);
	if (rc != SCAN_OK)
		return rc;
	size_t save = sc->i;
	if (eat(sc, 'T') || eat(sc, 't') || (sc->i < sc->n && sc->s[sc->i] == ' ')) {
		skip_space(sc);
		if (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i])) {
			rc = scan_time(sc, &us);
			if (rc != SCAN_OK)
				return rc;
		} else {
			sc->i = save;
		}
	}
	size_t before_bc = sc->i;
	skip_space(sc);
	if (!eat_word(sc, "BC"))
		sc->i = before_bc;
	rc = scan_zone(sc, &off);
	if (rc != SCAN_OK)
		return rc;
	skip_space(sc);
	if (sc->i != sc->n)
		return SCAN_SYNTAX;
	int64_t ts = days * US_PER_DAY + us;
	if (tz)
		ts -= off;
	if (ts < TS_MIN)
		return SCAN_RANGE;
	*out = ts;
	return SCAN_OK;
}

int dt_parse_timestamp(const char *s, size_t n, bool tz, int64_t *out, Err *e)
{
	Scan sc = {s, n, 0};
	int rc = scan_timestamp(&sc, tz, out);
	if (rc != SCAN_OK)
		return parse_error(rc, tz ? "timestamp with time zone" : "timestamp", s, n, e);
	return 0;
}

int dt_parse_date(const char *s, size_t n, int32_t *out, Err *e)
{
	/* A date accepts what a timestamp does and drops the time of day, as PostgreSQL does. */
	Scan sc = {s, n, 0};
	int64_t ts;
	int rc = scan_timestamp(&sc, false, &ts);
	if (rc != SCAN_OK)
		return parse_error(rc, "date", s, n, e);
	*out = dt_ts_to_date(ts);
	return 0;
}

/* ---- interval input */

typedef struct IvAcc {
	int64_t months, days, us;
	bool bad;
} IvAcc;

enum { U_US, U_MS, U_SEC, U_MIN, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_YEAR, U_DECADE, U_CENTURY,
       U_MILLENNIUM, U_NONE };

static const struct {
	const char *name;
	int unit;
} unit_names[] = {
	{"microseconds", U_US}, {"microsecond", U_US}, {"usecs", U_US}, {"usec", U_US},
	{"us", U_US}, {"milliseconds", U_MS}, {"millisecond", U_MS}, {"msecs", U_MS},
	{"msec", U_MS}, {"ms", U_MS}, {"seconds", U_SEC}, {"second", U_SEC}, {"secs", U_SEC},
	{"sec", U_SEC}, {"s", U_SEC}, {"minutes", U_MIN}, {"minute", U_MIN}, {"mins", U_MIN},
	{"min", U_MIN}, {"m", U_MIN}, {"hours", U_HOUR}, {"hour", U_HOUR}, {"hrs", U_HOUR},
	{"hr", U_HOUR}, {"h", U_HOUR}, {"days", U_DAY}, {"day", U_DAY}, {"d", U_DAY},
	{"weeks", U_WEEK}, {"week", U_WEEK}, {"w", U_WEEK}, {"months", U_MONTH},
	{"month", U_MONTH}, {"mons", U_MONTH}, {"mon", U_MONTH}, {"years", U_YEAR},
	{"year", U_YEAR}, {"yrs", U_YEAR}, {"yr", U_YEAR}, {"y", U_YEAR}, {"decades", U_DECADE},
	{"decade", U_DECADE}, {"centuries", U_CENTURY}, {"century", U_CENTURY},
	{"millennia", U_MILLENNIUM}, {"millennium", U_MILLENNIUM},
};

static int unit_of(const char *w, size_t l)
{
	for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++) {
		if (strlen(unit_names[k].name) == l && strncasecmp(unit_names[k].name, w, l) == 0)
			return unit_names[k].unit;
	}
	return -1;
}

static void acc_add_us(IvAcc *a, int64_t whole, double frac, int64_t per)
{
	int64_t t;
	if (__builtin_mul_overflow(whole, per, &t) || __builtin_add_overflow(a->us, t, &a->us)) {
		a->bad = true;
		return;
	}
	a->us += (int64_t)rint(frac * (double)per);
}

static void acc_add_days(IvAcc *a, int64_t whole, double frac)
{
	if (__builtin_add_overflow(a->days, whole, &a->days))
		a->bad = true;
	acc_add_us(a, 0, frac, US_PER_DAY);
}

static void acc_add_months(IvAcc *a, int64_t whole, double frac)
{
	if (__builtin_add_overflow(a->months, whole, &a->months))
		a->bad = true;
	double df = frac * 30.0;
	int64_t dw = (int64_t)df;
	acc_add_days(a, dw, df - (double)dw);
}

/* Adds value (whole + frac, both carrying the sign) in `unit`. */
static void acc_unit(IvAcc *a, int unit, int64_t whole, double frac)
{
	switch (unit) {
	case U_US:
		acc_add_us(a, whole, frac, 1);
		break;
	case U_MS:
		acc_add_us(a, whole, frac, 1000);
		break;
	case U_SEC:
	case U_NONE:
		acc_add_us(a, whole, frac, US_PER_SEC);
		break;
	case U_MIN:
		acc_add_us(a, whole, frac, US_PER_MINUTE);
		break;
	case U_HOUR:
		acc_add_us(a, whole, frac, US_PER_HOUR);
		break;
	case U_DAY:
		acc_add_days(a, whole, frac);
		break;
	case U_WEEK: {
		double df = frac * 7.0;
		int64_t dw = (int64_t)df;
		acc_add_days(a, whole * 7 + dw, df - (double)dw);
		break;
	}
	case U_MONTH:
		acc_add_months(a, whole, frac);
		break;
	case U_YEAR:
	case U_DECADE:
	case U_CENTURY:
	case U_MILLENNIUM: {
		int64_t per = unit == U_YEAR ? 12 : unit == U_DECADE ? 120 : unit == U_CENTURY ? 1200
											       : 12000;
		/* PostgreSQL rounds a fraction of a year to whole months. */
		acc_add_months(a, whole * per + (int64_t)rint(frac * (double)per), 0);
		break;
	}
	}
}

/* A number: [sign]digits[.digits]. Returns false when there is none. */
static bool scan_number(Scan *sc, int64_t *whole, double *frac)
{
	bool neg = false;
	size_t start = sc->i;
	if (sc->i < sc->n && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-'))
		neg = sc->s[sc->i++] == '-';
	int64_t w = 0;
	int nd = 0;
	while (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i])) {
		if (__builtin_mul_overflow(w, 10, &w) ||
		    __builtin_add_overflow(w, sc->s[sc->i] - '0', &w))
			return false;
		sc->i++;
		nd++;
	}
	double f = 0, scale = 0.1;
	if (sc->i < sc->n && sc->s[sc->i] == '.') {
		sc->i++;
		while (sc->i < sc->n && isdigit((unsigned char)sc->s[sc->i])) {
			f += (sc->s[sc->i++] - '0') * scale;
			scale /= 10;
			nd++;
		}
	}
	if (nd == 0) {
		sc->i = start;
		return false;
	}
	*whole = neg ? -w : w;
	*frac = neg ? -f : f;
	return true;
}

/* "[sign]H:MM[:SS[.f]]" after the sign and hours have been read as a number. */
static bool scan_iv_time(Scan *sc, bool neg, int64_t h, IvAcc *a)
{
	int64_t mi, s = 0;
	double f = 0;
	if (!eat(sc, ':') || !read_int(sc, 2, &mi))
		return false;
	if (eat(sc, ':')) {
		int64_t w;
		double fr;
		if (sc->i < sc->n && !isdigit((unsigned char)sc->s[sc->i]))
			return false;
		if (!scan_number(sc, &w, &fr))
			return false;
		s = w;
		f = fr;
	}
	if (mi > 59 || s > 59)
		return false;
	int64_t us;
	if (__builtin_mul_overflow(h, US_PER_HOUR, &us))
		return false;
	us += mi * US_PER_MINUTE + s * US_PER_SEC + (int64_t)rint(f * US_PER_SEC);
	acc_add_us(a, neg ? -us : us, 0, 1);
	return true;
}

static bool scan_iso_interval(Scan *sc, IvAcc *a)
{
	bool time = false;
	sc->i++; /* P */
	if (sc->i >= sc->n)
		return false;
	while (sc->i < sc->n) {
		if (!time && (sc->s[sc->i] == 'T' || sc->s[sc->i] == 't')) {
			time = true;
			sc->i++;
			continue;
		}
		int64_t w;
		double f;
		if (!scan_number(sc, &w, &f) || sc->i >= sc->n)
			return false;
		char u = (char)toupper((unsigned char)sc->s[sc->i++]);
		int unit = -1;
		if (!time)
			unit = u == 'Y' ? U_YEAR : u == 'M' ? U_MONTH : u == 'W' ? U_WEEK
								 : u == 'D' ? U_DAY : -1;
		else
			unit = u == 'H' ? U_HOUR : u == 'M' ? U_MIN : u == 'S' ? U_SEC : -1;
		if (unit < 0)
			return false;
		acc_unit(a, unit, w, f);
	}
	return true;
}

static bool scan_interval(Scan *sc, IvAcc *a)
{
	bool ago = false, any = false;
	skip_space(sc);
	if (sc->i < sc->n && (sc->s[sc->i] == 'P' || sc->s[sc->i] == 'p')) {
		size_t end = sc->n;
		while (end > sc->i && isspace((unsigned char)sc->s[end - 1]))
			end--;
		Scan iso = {sc->s, end, sc->i};
		return scan_iso_interval(&iso, a);
	}
	eat(sc, '@');
	for (;;) {
		skip_space(sc);
		if (sc->i >= sc->n)
			break;
		if (eat_word(sc, "ago")) {
			ago = true;
			skip_space(sc);
			if (sc->i != sc->n)
				return false;
			break;
		}
		int64_t w;
		double f;
		bool neg = sc->i < sc->n && sc->s[sc->i] == '-';
		if (!scan_number(sc, &w, &f))
			return false;
		any = true;
		if (sc->i < sc->n && sc->s[sc->i] == ':') {
			if (f != 0)
				return false;
			if (!scan_iv_time(sc, neg, w < 0 ? -w : w, a))
				return false;
			continue;
		}
		skip_space(sc);
		size_t ws = sc->i;
		while (sc->i < sc->n && isalpha((unsigned char)sc->s[sc->i]))
			sc->i++;
		int unit = U_NONE;
		if (sc->i > ws) {
			unit = unit_of(sc->s + ws, sc->i - ws);
			if (unit < 0) {
				if (sc->i - ws == 3 && strncasecmp(sc->s + ws, "ago", 3) == 0) {
					sc->i = ws;
					unit = U_NONE;
				} else {
					return false;
				}
			}
		}
		acc_unit(a, unit, w, f);
	}
	if (!any)
		return false;
	if (ago) {
		a->months = -a->months;
		a->days = -a->days;
		a->us = -a->us;
	}
	return true;
}

int dt_parse_interval(const char *s, size_t n, Interval *out, Err *e)
{
	Scan sc = {s, n, 0};
	IvAcc a = {0, 0, 0, false};
	if (!scan_interval(&sc, &a))
		return err_set(e, ERR_INVALID_DATETIME_FORMAT,
			       "invalid input syntax for type interval: \"%.*s\"", (int)n, s);
	if (a.bad || a.months > INT32_MAX || a.months < INT32_MIN || a.days > INT32_MAX ||
	    a.days < INT32_MIN)
		return err_set(e, ERR_DATETIME_OVERFLOW, "interval field value out of range: \"%.*s\"",
			       (int)n, s);
	out->months = (int32_t)a.months;
	out->days = (int32_t)a.days;
	out->us = a.us;
	return 0;
}

/* ---- text output */

static void format_ymd(int64_t days, StrBuf *out, bool *bc)
{
	int64_t y;
	int m, d;
	dt_civil_from_days(days, &y, &m, &d);
	*bc = y <= 0;
	if (*bc)
		y = 1 - y;
	sb_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
}

void dt_format_date(int32_t d, StrBuf *out)
{
	bool bc;
	format_ymd(d, out, &bc);
	if (bc)
		sb_puts(out, " BC");
}

/* Seconds with the fraction trimmed of trailing zeros: "05", "05.5", "05.000001". */
static void format_seconds(int64_t sec, int64_t frac, StrBuf *out)
{
	sb_printf(out, "%02lld", (long long)sec);
	if (frac) {
		char buf[8];
		snprintf(buf, sizeof buf, "%06lld", (long long)frac);
		int l = 6;
		while (l > 0 && buf[l - 1] == '0')
			l--;
		sb_putc(out, '.');
		sb_append(out, buf, (size_t)l);
	}
}

void dt_format_timestamp(int64_t ts, bool tz, StrBuf *out)
{
	int64_t days = floor_div(ts, US_PER_DAY);
	int64_t t = ts - days * US_PER_DAY;
	bool bc;
	format_ymd(days, out, &bc);
	int64_t sec = t / US_PER_SEC;
	sb_printf(out, " %02lld:%02lld:", (long long)(sec / 3600), (long long)(sec / 60 % 60));
	format_seconds(sec % 60, t % US_PER_SEC, out);
	if (tz)
		sb_puts(out, "+00");
	if (bc)
		sb_puts(out, " BC");
}

/* PostgreSQL's AddPostgresIntPart: "1 year", "2 mons", "-1 days"; a positive part after a
 * negative one gets a "+". */
static void add_part(StrBuf *out, int64_t v, const char *unit, bool *is_zero, bool *is_before)
{
	if (v == 0)
		return;
	sb_printf(out, "%s%s%lld %s%s", *is_zero ? "" : " ", (*is_before && v > 0) ? "+" : "",
		  (long long)v, unit, v != 1 ? "s" : "");
	*is_before = v < 0;
	*is_zero = false;
}

void dt_format_interval(Interval iv, StrBuf *out)
{
	bool is_zero = true, is_before = false;
	add_part(out, iv.months / 12, "year", &is_zero, &is_before);
	add_part(out, iv.months % 12, "mon", &is_zero, &is_before);
	add_part(out, iv.days, "day", &is_zero, &is_before);
	if (is_zero || iv.us != 0) {
		int64_t us = iv.us;
		bool minus = us < 0;
		/* Magnitudes: |INT64_MIN| does not fit, but no valid interval reaches it. */
		uint64_t mag = minus ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
		uint64_t sec = mag / US_PER_SEC;
		sb_printf(out, "%s%s%02llu:%02llu:", is_zero ? "" : " ",
			  minus ? "-" : (is_before ? "+" : ""), (unsigned long long)(sec / 3600),
			  (unsigned long long)(sec / 60 % 60));
		format_seconds((int64_t)(sec % 60), (int64_t)(mag % US_PER_SEC), out);
	}
}

/* ---- arithmetic */

static int ts_range(Err *e)
{
	return err_set(e, ERR_DATETIME_OVERFLOW, "timestamp out of range");
}

static int iv_range(Err *e)
{
	return err_set(e, ERR_DATETIME_OVERFLOW, "interval out of range");
}

int dt_ts_add_interval(int64_t ts, Interval iv, int64_t *out, Err *e)
{
	if (iv.months != 0) {
		int64_t days = floor_div(ts, US_PER_DAY);
		int64_t tod = ts - days * US_PER_DAY;
		int64_t y;
		int m, d;
		dt_civil_from_days(days, &y, &m, &d);
		int64_t mm = y * 12 + (m - 1) + iv.months;
		y = floor_div(mm, 12);
		m = (int)floor_mod(mm, 12) + 1;
		if (y > YEAR_MAX || y < -4713)
			return ts_range(e);
		int dim = dt_days_in_month(y, m);
		if (d > dim)
			d = dim;
		ts = dt_days_from_civil(y, m, d) * US_PER_DAY + tod;
	}
	int64_t t;
	if (__builtin_mul_overflow((int64_t)iv.days, US_PER_DAY, &t) ||
	    __builtin_add_overflow(ts, t, &ts) || __builtin_add_overflow(ts, iv.us, &ts) ||
	    ts < TS_MIN)
		return ts_range(e);
	*out = ts;
	return 0;
}

int dt_ts_sub_interval(int64_t ts, Interval iv, int64_t *out, Err *e)
{
	Interval n;
	if (dt_iv_neg(iv, &n, e))
		return -1;
	return dt_ts_add_interval(ts, n, out, e);
}

Interval dt_iv_justify_hours(Interval a)
{
	int64_t d = a.us / US_PER_DAY;
	a.us -= d * US_PER_DAY;
	int64_t days = a.days + d;
	if (days > 0 && a.us < 0) {
		a.us += US_PER_DAY;
		days--;
	} else if (days < 0 && a.us > 0) {
		a.us -= US_PER_DAY;
		days++;
	}
	a.days = (int32_t)days;
	return a;
}

Interval dt_ts_diff(int64_t a, int64_t b)
{
	Interval r = {0, 0, 0};
	if (__builtin_sub_overflow(a, b, &r.us))
		r.us = a > b ? INT64_MAX : INT64_MIN;
	return dt_iv_justify_hours(r);
}

int dt_date_add_days(int32_t d, int64_t days, int32_t *out, Err *e)
{
	int64_t r = (int64_t)d + days;
	if (r < DATE_MIN || r > INT32_MAX / 2)
		return err_set(e, ERR_DATETIME_OVERFLOW, "date out of range");
	*out = (int32_t)r;
	return 0;
}

static int iv_make(int64_t months, int64_t days, int64_t us, bool us_bad, Interval *out, Err *e)
{
	if (us_bad || months > INT32_MAX || months < INT32_MIN || days > INT32_MAX ||
	    days < INT32_MIN)
		return iv_range(e);
	out->months = (int32_t)months;
	out->days = (int32_t)days;
	out->us = us;
	return 0;
}

int dt_iv_add(Interval a, Interval b, Interval *out, Err *e)
{
	int64_t us;
	bool bad = __builtin_add_overflow(a.us, b.us, &us);
	return iv_make((int64_t)a.months + b.months, (int64_t)a.days + b.days, us, bad, out, e);
}

int dt_iv_sub(Interval a, Interval b, Interval *out, Err *e)
{
	int64_t us;
	bool bad = __builtin_sub_overflow(a.us, b.us, &us);
	return iv_make((int64_t)a.months - b.months, (int64_t)a.days - b.days, us, bad, out, e);
}

int dt_iv_neg(Interval a, Interval *out, Err *e)
{
	return iv_make(-(int64_t)a.months, -(int64_t)a.days, -a.us, a.us == INT64_MIN, out, e);
}

#define TSROUND(j) (rint((j)*1000000.0) / 1000000.0)

/* PostgreSQL's interval_mul/interval_div: whole months and days scale as they are, their
 * fractions cascade down into days and seconds (never up). */
static int iv_scale(Interval a, double f, bool divide, Interval *out, Err *e)
{
	double mon = divide ? a.months / f : a.months * f;
	double day = divide ? a.days / f : a.days * f;
	if (isnan(mon) || isnan(day) || mon > INT32_MAX || mon < INT32_MIN || day > INT32_MAX ||
	    day < INT32_MIN)
		return iv_range(e);
	int32_t rm = (int32_t)mon, rd = (int32_t)day;
	double month_rem_days = TSROUND((mon - rm) * 30.0);
	double sec_rem = TSROUND((day - rd + month_rem_days - (int)month_rem_days) * 86400.0);
	int64_t days = rd;
	if (fabs(sec_rem) >= 86400.0) {
		days += (int)(sec_rem / 86400.0);
		sec_rem -= (int)(sec_rem / 86400.0) * 86400.0;
	}
	days += (int32_t)month_rem_days;
	double t = rint((divide ? (double)a.us / f : (double)a.us * f) + sec_rem * 1e6);
	if (isnan(t) || t >= 9.2233720368547758e18 || t < -9.2233720368547758e18)
		return iv_range(e);
	return iv_make(rm, days, (int64_t)t, false, out, e);
}

int dt_iv_mul(Interval a, double f, Interval *out, Err *e)
{
	return iv_scale(a, f, false, out, e);
}

int dt_iv_div(Interval a, double f, Interval *out, Err *e)
{
	if (f == 0)
		return err_set(e, ERR_DIVISION_BY_ZERO, "division by zero");
	return iv_scale(a, f, true, out, e);
}

__int128 dt_iv_span(Interval a)
{
	return ((__int128)a.months * 30 + a.days) * US_PER_DAY + a.us;
}

int dt_iv_cmp(Interval a, Interval b)
{
	__int128 x = dt_iv_span(a), y = dt_iv_span(b);
	return x < y ? -1 : x > y;
}

/* ---- date_trunc and date_part */

typedef enum Field {
	F_US, F_MS, F_SECOND, F_MINUTE, F_HOUR, F_DAY, F_WEEK, F_MONTH, F_QUARTER, F_YEAR,
	F_DECADE, F_CENTURY, F_MILLENNIUM, F_DOW, F_ISODOW, F_DOY, F_EPOCH, F_ISOYEAR, F_BAD
} Field;

static const struct {
	const char *name;
	Field f;
} field_names[] = {
	{"microseconds", F_US}, {"microsecond", F_US}, {"us", F_US}, {"usec", F_US},
	{"milliseconds", F_MS}, {"millisecond", F_MS}, {"ms", F_MS}, {"msec", F_MS},
	{"second", F_SECOND}, {"seconds", F_SECOND}, {"sec", F_SECOND}, {"s", F_SECOND},
	{"minute", F_MINUTE}, {"minutes", F_MINUTE}, {"min", F_MINUTE}, {"m", F_MINUTE},
	{"hour", F_HOUR}, {"hours", F_HOUR}, {"h", F_HOUR}, {"day", F_DAY}, {"days", F_DAY},
	{"d", F_DAY}, {"week", F_WEEK}, {"weeks", F_WEEK}, {"month", F_MONTH},
	{"months", F_MONTH}, {"mon", F_MONTH}, {"quarter", F_QUARTER}, {"year", F_YEAR},
	{"years", F_YEAR}, {"y", F_YEAR}, {"decade", F_DECADE}, {"century", F_CENTURY},
	{"millennium", F_MILLENNIUM}, {"dow", F_DOW}, {"isodow", F_ISODOW}, {"doy", F_DOY},
	{"epoch", F_EPOCH}, {"isoyear", F_ISOYEAR},
};

static Field field_of(const char *name)
{
	for (size_t k = 0; k < sizeof field_names / sizeof field_names[0]; k++)
		if (strcasecmp(field_names[k].name, name) == 0)
			return field_names[k].f;
	return F_BAD;
}

int dt_field(const char *name)
{
	Field f = field_of(name);
	return f == F_BAD ? DT_FIELD_BAD : (int)f;
}

/* A field from dt_field (DT_FIELD_BAD, or anything out of range, is F_BAD). */
static Field field_from(int field)
{
	return field >= 0 && field < F_BAD ? (Field)field : F_BAD;
}

int dt_trunc(const char *field, int64_t ts, int64_t *out, Err *e)
{
	return dt_trunc_field(dt_field(field), field, ts, out, e);
}

int dt_part(const char *field, int64_t ts, double *out, Err *e)
{
	return dt_part_field(dt_field(field), field, ts, out, e);
}

int dt_part_interval(const char *field, Interval iv, double *out, Err *e)
{
	return dt_part_interval_field(dt_field(field), field, iv, out, e);
}

static int bad_unit(const char *what, const char *name, Err *e)
{
	return err_set(e, ERR_INVALID_PARAMETER_VALUE, "%s units \"%s\" not recognized", what, name);
}

int dt_trunc_field(int field, const char *name, int64_t ts, int64_t *out, Err *e)
{
	int64_t days = floor_div(ts, US_PER_DAY);
	int64_t tod = ts - days * US_PER_DAY;
	int64_t y;
	int m, d;
	Field f = field_from(field);
	switch (f) {
	case F_US:
		*out = ts;
		return 0;
	case F_MS:
		*out = ts - floor_mod(ts, 1000);
		return 0;
	case F_SECOND:
		*out = ts - floor_mod(ts, US_PER_SEC);
		return 0;
	case F_MINUTE:
		*out = ts - floor_mod(ts, US_PER_MINUTE);
		return 0;
	case F_HOUR:
		*out = ts - floor_mod(ts, US_PER_HOUR);
		return 0;
	case F_DAY:
		*out = ts - tod;
		return 0;
	case F_WEEK:
		/* 1970-01-01 was a Thursday: (days + 3) mod 7 counts days since Monday. */
		*out = (days - floor_mod(days + 3, 7)) * US_PER_DAY;
		return 0;
	case F_MONTH:
	case F_QUARTER:
	case F_YEAR:
	case F_DECADE:
	case F_CENTURY:
	case F_MILLENNIUM: {
		dt_civil_from_days(days, &y, &m, &d);
		if (f == F_QUARTER)
			m = (m - 1) / 3 * 3 + 1;
		if (f >= F_YEAR)
			m = 1;
		if (f == F_DECADE)
			y = floor_div(y, 10) * 10;
		if (f == F_CENTURY)
			y = y > 0 ? (y - 1) / 100 * 100 + 1 : -((99 - (y - 1)) / 100 * 100) + 1;
		if (f == F_MILLENNIUM)
			y = y > 0 ? (y - 1) / 1000 * 1000 + 1 : -((999 - (y - 1)) / 1000 * 1000) + 1;
		*out = dt_days_from_civil(y, m, 1) * US_PER_DAY;
		return 0;
	}
	default:
		return bad_unit("timestamp", name, e);
	}
}

/* ISO 8601 week number and week-numbering year of a day. */
static void iso_week(int64_t days, int64_t *isoyear, int *week)
{
	int64_t isodow = floor_mod(days + 3, 7) + 1; /* Monday = 1 */
	int64_t thursday = days - (isodow - 1) + 3;
	int64_t y;
	int m, d;
	dt_civil_from_days(thursday, &y, &m, &d);
	int64_t doy = thursday - dt_days_from_civil(y, 1, 1);
	*isoyear = y;
	*week = (int)(doy / 7 + 1);
}

int dt_part_field(int field, const char *name, int64_t ts, double *out, Err *e)
{
	int64_t days = floor_div(ts, US_PER_DAY);
	int64_t tod = ts - days * US_PER_DAY;
	int64_t y = 0, iy;
	int m = 0, d = 0, wk;
	Field f = field_from(field);
	/* The calendar date only for the fields that read it (not the time of day's). */
	if (f == F_DAY || (f >= F_MONTH && f <= F_MILLENNIUM) || f == F_DOY)
		dt_civil_from_days(days, &y, &m, &d);
	int64_t sec_us = tod % US_PER_MINUTE;
	switch (f) {
	case F_US:
		*out = (double)sec_us;
		return 0;
	case F_MS:
		*out = (double)sec_us / 1000.0;
		return 0;
	case F_SECOND:
		*out = (double)sec_us / 1e6;
		return 0;
	case F_MINUTE:
		*out = (double)(tod / US_PER_MINUTE % 60);
		return 0;
	case F_HOUR:
		*out = (double)(tod / US_PER_HOUR);
		return 0;
	case F_DAY:
		*out = d;
		return 0;
	case F_WEEK:
		iso_week(days, &iy, &wk);
		*out = wk;
		return 0;
	case F_ISOYEAR:
		iso_week(days, &iy, &wk);
		*out = (double)iy;
		return 0;
	case F_MONTH:
		*out = m;
		return 0;
	case F_QUARTER:
		*out = (m - 1) / 3 + 1;
		return 0;
	case F_YEAR:
		*out = (double)(y > 0 ? y : y - 1);
		return 0;
	case F_DECADE:
		*out = (double)floor_div(y, 10);
		return 0;
	case F_CENTURY:
		*out = (double)(y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100));
		return 0;
	case F_MILLENNIUM:
		*out = (double)(y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000));
		return 0;
	case F_DOW:
		*out = (double)floor_mod(days + 4, 7);
		return 0;
	case F_ISODOW:
		*out = (double)(floor_mod(days + 3, 7) + 1);
		return 0;
	case F_DOY:
		*out = (double)(days - dt_days_from_civil(y, 1, 1) + 1);
		return 0;
	case F_EPOCH:
		*out = (double)ts / 1e6;
		return 0;
	default:
		return bad_unit("timestamp", name, e);
	}
}

int dt_part_interval_field(int field, const char *name, Interval iv, double *out, Err *e)
{
	int64_t sec_us = iv.us % US_PER_MINUTE;
	switch (field_from(field)) {
	case F_US:
		*out = (double)sec_us;
		return 0;
	case F_MS:
		*out = (double)sec_us / 1000.0;
		return 0;
	case F_SECOND:
		*out = (double)sec_us / 1e6;
		return 0;
	case F_MINUTE:
		*out = (double)(iv.us / US_PER_MINUTE % 60);
		return 0;
	case F_HOUR:
		*out = (double)(iv.us / US_PER_HOUR);
		return 0;
	case F_DAY:
		*out = iv.days;
		return 0;
	case F_MONTH:
		*out = iv.months % 12;
		return 0;
	case F_QUARTER:
		*out = (iv.months % 12) / 3 + 1;
		return 0;
	case F_YEAR:
		*out = iv.months / 12;
		return 0;
	case F_DECADE:
		*out = iv.months / 120;
		return 0;
	case F_CENTURY:
		*out = iv.months / 1200;
		return 0;
	case F_MILLENNIUM:
		*out = iv.months / 12000;
		return 0;
	case F_EPOCH:
		/* PostgreSQL counts a year as 365.25 days and a month as 30 days here. */
		*out = (double)(iv.months / 12) * 365.25 * 86400.0 +
		       (double)(iv.months % 12) * 30.0 * 86400.0 + (double)iv.days * 86400.0 +
		       (double)iv.us / 1e6;
		return 0;
	default:
		return bad_unit("interval", name, e);
	}
}
