/* numeric.h: exact decimal arithmetic on Numeric (a 128-bit mantissa and a decimal scale).
 *
 * Layer: vec. Numeric is eddy's money type: values are m / 10^scale with |m| < 10^38, so they
 * hold 38 significant digits, and every operation is exact or rounds half away from zero at a
 * stated scale, as PostgreSQL's numeric does. Result scales follow PostgreSQL: add/sub keep the
 * larger scale, mul adds the scales (capped at NUMERIC_MAX_SCALE), div picks at least 16
 * significant digits (PostgreSQL's select_div_scale). Leaving the 38-digit range is 22003, never
 * a wrapped value. Intermediate products use 256-bit arithmetic so that nothing overflows
 * silently on the way.
 */
#ifndef EDDY_VEC_NUMERIC_H
#define EDDY_VEC_NUMERIC_H

#include "base/err.h"
#include "base/strbuf.h"
#include "vec/types.h"

/* Longest text a Numeric formats to: sign, 38 digits, point, leading "0." and NUL. */
#define NUM_TEXT_MAX 48

static inline Numeric num_make(__int128 m, int scale)
{
	Numeric n;
	n.m = m;
	n.scale = scale;
	n.pad_ = 0;
	return n;
}

static inline Numeric num_from_int64(int64_t i)
{
	return num_make(i, 0);
}

/* Text input: [space][sign]digits[.digits][e[sign]digits][space]. More than NUMERIC_MAX_SCALE
 * fraction digits are rounded away. Errors: 22P02 "invalid input syntax for type numeric: \"x\"",
 * 22003 when more than 38 significant digits remain. */
int num_parse(const char *s, size_t n, Numeric *out, Err *e);
/* Text output with exactly `scale` fraction digits ("1.50", "-0.001", "12"). Returns the length
 * written into buf (NUM_TEXT_MAX bytes). */
int num_to_cstr(Numeric v, char *buf);
void num_format(Numeric v, StrBuf *out);

/* double -> numeric keeps 15 significant digits as PostgreSQL's float8_numeric does; NaN and
 * infinities are 22003. */
int num_from_double(double d, Numeric *out, Err *e);
double num_to_double(Numeric v);
/* Rounds half away from zero to an integer; false when it does not fit int64. */
bool num_to_int64(Numeric v, int64_t *out);

int num_add(Numeric a, Numeric b, Numeric *out, Err *e);
int num_sub(Numeric a, Numeric b, Numeric *out, Err *e);
int num_mul(Numeric a, Numeric b, Numeric *out, Err *e);
int num_div(Numeric a, Numeric b, Numeric *out, Err *e);
int num_mod(Numeric a, Numeric b, Numeric *out, Err *e);
/* Division with an explicit result scale (used by avg). */
int num_div_scale(Numeric a, Numeric b, int rscale, Numeric *out, Err *e);

/* round/trunc to `scale` digits (negative: to tens, hundreds, ...); the result scale is
 * max(scale, 0). */
int num_round(Numeric v, int scale, Numeric *out, Err *e);
int num_trunc(Numeric v, int scale, Numeric *out, Err *e);
int num_floor(Numeric v, Numeric *out, Err *e);
int num_ceil(Numeric v, Numeric *out, Err *e);
Numeric num_neg(Numeric v);
Numeric num_abs(Numeric v);
int num_sign(Numeric v);

/* Changes the scale without changing the value (only upward) or rounding (downward). */
int num_rescale(Numeric v, int scale, Numeric *out, Err *e);

/* Three-way comparison by value (1.50 = 1.5). */
int num_cmp(Numeric a, Numeric b);
/* A hash equal for equal values whatever their scales. */
uint64_t num_hash(Numeric v);

/* Casts to numeric(precision, scale): rounds to scale, then 22003 "numeric field overflow" when
 * the integer part needs more than precision - scale digits. */
int num_cast(Numeric v, int precision, int scale, Numeric *out, Err *e);

#endif
