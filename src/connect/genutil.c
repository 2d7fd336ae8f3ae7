/* genutil.c: random letters, option value parsing and timestamp text for the built-in generators
 * (see genutil.h). Layer: connect. Dates and times are read with vec/datetime.h, as SQL reads
 * them; the export format (always six fraction digits) is written here.
 */
#include "connect/genutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void gen_letters(GenRng *r, char *p, size_t n)
{
	/* A local copy of the generator: stores through p could alias *r, and would force the
	 * state through memory between draws. */
	GenRng g = *r;
	while (n >= 8) {
		uint64_t w = gen_letters8(gen_next(&g));
		memcpy(p, &w, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		/* The last 1..7 letters in pieces of 4, 2 and 1 (a variable-length memcpy would be
		 * a byte loop). */
		uint64_t w = gen_letters8(gen_next(&g));
		if (n & 4) {
			uint32_t v = (uint32_t)w;
			memcpy(p, &v, 4);
			p += 4;
			w >>= 32;
		}
		if (n & 2) {
			uint16_t v = (uint16_t)w;
			memcpy(p, &v, 2);
			p += 2;
			w >>= 16;
		}
		if (n & 1)
			*p = (char)w;
	}
	*r = g;
}

/* Decimal digits of v (< 10^20) into p; returns the count. */
int gen_utoa(uint64_t v, char *p)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

bool gen_parse_int64(const char *s, size_t n, int64_t *out)
{
	trim(&s, &n);
	if (n == 0 || n > 30)
		return false;
	char buf[32];
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || *end || end == buf)
		return false;
	*out = v;
	return true;
}

bool gen_parse_double(const char *s, size_t n, double *out)
{
	trim(&s, &n);
	if (n == 0 || n > 60)
		return false;
	char buf[64];
	memcpy(buf, s, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || *end || end == buf || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool gen_parse_decimal(const char *s, size_t n, int scale, __int128 *out)
{
	trim(&s, &n);
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	__int128 m = 0;
	int digits = 0, frac = 0, round_digit = -1;
	bool point = false, any = false;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '.' && !point) {
			point = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		any = true;
		if (point && frac >= scale) {
			if (round_digit < 0)
				round_digit = c - '0';
			continue;
		}
		if (point)
			frac++;
		if (m || c != '0')
			digits++;
		if (digits > 38)
			return false;
		m = m * 10 + (c - '0');
	}
	if (!any)
		return false;
	for (; frac < scale; frac++) {
		if (m && ++digits > 38)
			return false;
		m *= 10;
	}
	if (round_digit >= 5)
		m++;
	*out = neg ? -m : m;
	return true;
}

int64_t gen_time_at(int64_t base, double rate, int64_t n)
{
	if (rate >= 1 && rate <= 1e6 && rate == floor(rate)) {
		int64_t ri = (int64_t)rate;
		if (1000000 % ri == 0)
			return base + n * (1000000 / ri);
		if (n >= 0 && n < INT64_MAX / 1000000)
			return base + n * 1000000 / ri;
	}
	return base + (int64_t)floorl((long double)n * 1e6L / (long double)rate);
}

/* Dates and timestamps are read as the SQL text input reads them (vec/datetime.h). */
bool gen_parse_date(const char *s, size_t n, int32_t *out)
{
	Err e;
	err_clear(&e);
	return dt_parse_date(s, n, out, &e) == 0;
}

bool gen_parse_timestamp(const char *s, size_t n, int64_t *out)
{
	Err e;
	err_clear(&e);
	return dt_parse_timestamp(s, n, false, out, &e) == 0;
}

int gen_format_timestamp(int64_t us, char *buf)
{
	int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
	if (rem < 0) {
		rem += US_PER_DAY;
		days--;
	}
	int64_t y;
	int m, d;
	dt_civil_from_days(days, &y, &m, &d);
	int64_t secs = rem / US_PER_SEC, frac = rem % US_PER_SEC;
	return snprintf(buf, 32, "%04lld-%02d-%02d %02d:%02d:%02d.%06lld", (long long)y, m, d,
			(int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), (long long)frac);
}

int gen_bad_value(const Option *o, Err *e)
{
	err_set(e, ERR_INVALID_PARAMETER_VALUE, "invalid value for option \"%s\": \"%s\"", o->key,
		o->value ? o->value : "");
	if (o->location > 0)
		err_locate(e, o->location);
	return -1;
}

#define OPT_PARSER(fname, ctype, parse)                                                            \
	int fname(const Option *o, ctype *out, Err *e)                                             \
	{                                                                                          \
		const char *v = o->value ? o->value : "";                                          \
		if (!parse(v, strlen(v), out))                                                     \
			return gen_bad_value(o, e);                                                \
		return 0;                                                                          \
	}
OPT_PARSER(gen_opt_int64, int64_t, gen_parse_int64)
OPT_PARSER(gen_opt_double, double, gen_parse_double)
OPT_PARSER(gen_opt_timestamp, int64_t, gen_parse_timestamp)
#undef OPT_PARSER

int gen_opt_bool(const Option *o, bool *out, Err *e)
{
	const char *v = o->value ? o->value : "";
	if (!strcasecmp(v, "true") || !strcasecmp(v, "t") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "f") || !strcmp(v, "0"))
		*out = false;
	else
		return gen_bad_value(o, e);
	return 0;
}
