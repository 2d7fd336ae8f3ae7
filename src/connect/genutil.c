/* genutil.c: random letters, option value parsing and timestamp text for the built-in generators
 * (see genutil.h). Layer: connect. The calendar code is a few lines of its own (Howard Hinnant's
 * days_from_civil / civil_from_days) so the generators depend on no text routine of vec/.
 */
#include "connect/genutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Eight letters from the eight bytes of x at once: each byte b becomes 'a' + b * 26 / 256,
 * computed in 16-bit lanes (b * 26 < 2^16, so lanes never carry into each other). */
static inline uint64_t letters8(uint64_t x)
{
	const uint64_t lo = 0x00ff00ff00ff00ffULL;
	uint64_t even = (((x & lo) * 26) >> 8) & lo;
	uint64_t odd = ((((x >> 8) & lo) * 26) >> 8) & lo;
	return (even | (odd << 8)) + 0x6161616161616161ULL;
}

void gen_letters(GenRng *r, char *p, size_t n)
{
	while (n >= 8) {
		uint64_t w = letters8(gen_next(r));
		memcpy(p, &w, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = letters8(gen_next(r));
		memcpy(p, &w, n);
	}
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

int64_t gen_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void gen_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly `w` digits at s[*i]. */
static bool digits(const char *s, size_t n, size_t *i, int w, int *out)
{
	int v = 0;
	for (int k = 0; k < w; k++, (*i)++) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return false;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return true;
}

static bool days_in_range(int64_t y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1)
		return false;
	int dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	return d <= dim;
}

static bool parse_date_at(const char *s, size_t n, size_t *i, int64_t *days)
{
	int y, m, d;
	if (!digits(s, n, i, 4, &y) || *i >= n || s[(*i)++] != '-' || !digits(s, n, i, 2, &m) ||
	    *i >= n || s[(*i)++] != '-' || !digits(s, n, i, 2, &d))
		return false;
	if (!days_in_range(y, m, d))
		return false;
	*days = gen_days_from_civil(y, m, d);
	return true;
}

bool gen_parse_date(const char *s, size_t n, int32_t *out)
{
	trim(&s, &n);
	size_t i = 0;
	int64_t days;
	if (!parse_date_at(s, n, &i, &days) || i != n)
		return false;
	*out = (int32_t)days;
	return true;
}

bool gen_parse_timestamp(const char *s, size_t n, int64_t *out)
{
	trim(&s, &n);
	size_t i = 0;
	int64_t days;
	int hh = 0, mi = 0, ss = 0;
	int64_t frac = 0;
	if (!parse_date_at(s, n, &i, &days))
		return false;
	if (i < n) {
		if (s[i] != ' ' && s[i] != 'T')
			return false;
		i++;
		if (!digits(s, n, &i, 2, &hh) || i >= n || s[i++] != ':' ||
		    !digits(s, n, &i, 2, &mi))
			return false;
		if (i < n && s[i] == ':') {
			i++;
			if (!digits(s, n, &i, 2, &ss))
				return false;
			if (i < n && s[i] == '.') {
				i++;
				int k = 0;
				for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
					if (k < 6)
						frac = frac * 10 + (s[i] - '0');
				if (k == 0)
					return false;
				for (; k < 6; k++)
					frac *= 10;
			}
		}
		if (i != n || hh > 23 || mi > 59 || ss > 59)
			return false;
	}
	*out = days * US_PER_DAY + (int64_t)(hh * 3600 + mi * 60 + ss) * US_PER_SEC + frac;
	return true;
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
	gen_civil_from_days(days, &y, &m, &d);
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
