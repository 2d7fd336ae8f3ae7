/* numeric.c: exact decimal arithmetic (see numeric.h). Layer: vec.
 *
 * Mantissas are signed 128-bit integers below 10^38 in magnitude. Products and scaled dividends
 * can need more bits than that before they are rounded back, so this file carries a small
 * unsigned 256-bit integer (four 64-bit limbs) for exactly those steps. Rounding is always half
 * away from zero, and it only needs the first dropped digit: the value is truncated to one digit
 * more than wanted, and that last digit decides.
 */
#include "vec/numeric.h"

#include "base/hash.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

typedef struct U256 {
	uint64_t w[4]; /* little-endian limbs */
} U256;

/* Powers of ten up to 10^38, filled before main() runs (they do not fit integer literals). */
static u128 pow10_tab[39];

__attribute__((constructor)) static void pow10_init(void)
{
	pow10_tab[0] = 1;
	for (int i = 1; i <= 38; i++)
		pow10_tab[i] = pow10_tab[i - 1] * 10;
}

#define P10(k) (pow10_tab[(k)])
#define NUM_LIMIT P10(38)

static U256 u256_from(u128 v)
{
	U256 r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
	return r;
}

/* r *= k; returns false on overflow. */
static bool u256_mul_u64(U256 *r, uint64_t k)
{
	u128 carry = 0;
	for (int i = 0; i < 4; i++) {
		u128 t = (u128)r->w[i] * k + carry;
		r->w[i] = (uint64_t)t;
		carry = t >> 64;
	}
	return carry == 0;
}

static bool u256_mul_pow10(U256 *r, int k)
{
	while (k > 0) {
		int step = k > 19 ? 19 : k;
		if (!u256_mul_u64(r, (uint64_t)P10(step)))
			return false;
		k -= step;
	}
	return true;
}

/* Full product of two 128-bit values. */
static U256 u256_mul128(u128 a, u128 b)
{
	uint64_t x[2] = {(uint64_t)a, (uint64_t)(a >> 64)};
	uint64_t y[2] = {(uint64_t)b, (uint64_t)(b >> 64)};
	U256 r = {{0, 0, 0, 0}};
	for (int i = 0; i < 2; i++) {
		u128 carry = 0;
		for (int j = 0; j < 2; j++) {
			u128 t = (u128)x[i] * y[j] + r.w[i + j] + carry;
			r.w[i + j] = (uint64_t)t;
			carry = t >> 64;
		}
		r.w[i + 2] = (uint64_t)carry;
	}
	return r;
}

/* r /= d, returning the remainder. */
static uint64_t u256_div_u64(U256 *r, uint64_t d)
{
	u128 rem = 0;
	for (int i = 3; i >= 0; i--) {
		u128 cur = (rem << 64) | r->w[i];
		r->w[i] = (uint64_t)(cur / d);
		rem = cur % d;
	}
	return (uint64_t)rem;
}

static void u256_div_pow10(U256 *r, int k)
{
	while (k > 0) {
		int step = k > 19 ? 19 : k;
		u256_div_u64(r, (uint64_t)P10(step));
		k -= step;
	}
}

/* Quotient of a 256-bit value by a 128-bit divisor (d < 2^127), bit by bit: numeric division is
 * rare enough that 256 shift-and-subtract steps are fine. */
static U256 u256_div_u128(U256 n, u128 d)
{
	U256 q = {{0, 0, 0, 0}};
	u128 rem = 0;
	for (int bit = 255; bit >= 0; bit--) {
		rem = (rem << 1) | ((n.w[bit / 64] >> (bit % 64)) & 1);
		if (rem >= d) {
			rem -= d;
			q.w[bit / 64] |= (uint64_t)1 << (bit % 64);
		}
	}
	return q;
}

static bool u256_to_u128(U256 v, u128 *out)
{
	if (v.w[2] || v.w[3])
		return false;
	*out = ((u128)v.w[1] << 64) | v.w[0];
	return true;
}

static u128 uabs(__int128 m)
{
	return m < 0 ? (u128)0 - (u128)m : (u128)m;
}

static int overflow(Err *e)
{
	return err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "value overflows numeric format");
}

/* Builds a result from a magnitude and sign, checking the 38-digit range. */
static int finish(u128 mag, bool neg, int scale, Numeric *out, Err *e)
{
	if (mag >= NUM_LIMIT)
		return overflow(e);
	*out = num_make(neg ? -(__int128)mag : (__int128)mag, scale);
	return 0;
}

/* mag / 10^k rounded half away from zero (round) or truncated. */
static u128 drop_digits(u128 mag, int k, bool round)
{
	if (k <= 0)
		return mag;
	if (k > 38)
		return 0;
	u128 q = mag / P10(k - 1);
	unsigned last = (unsigned)(q % 10);
	q /= 10;
	if (round && last >= 5)
		q++;
	return q;
}

static int digits_of(u128 mag)
{
	int d = 1;
	while (d < 39 && mag >= P10(d))
		d++;
	return d;
}

/* ---- text */

int num_parse(const char *s, size_t n, Numeric *out, Err *e)
{
	size_t i = 0;
	char dig[160];
	int nd = 0, fracd = 0, lost = 0;
	bool neg = false, any = false, point = false;
	long ex = 0;
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			any = true;
			if (nd == 0 && c == '0' && !point)
				continue; /* leading zeros of the integer part */
			if (nd < (int)sizeof dig)
				dig[nd++] = c;
			else if (point)
				lost++; /* fraction digits far beyond any scale we keep */
			else
				goto range;
			if (point)
				fracd++;
		} else if (c == '.' && !point) {
			point = true;
		} else {
			break;
		}
	}
	if (!any)
		goto syntax;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i >= n || !isdigit((unsigned char)s[i]))
			goto syntax;
		for (; i < n && isdigit((unsigned char)s[i]); i++) {
			ex = ex * 10 + (s[i] - '0');
			if (ex > 1000)
				goto range;
		}
		if (eneg)
			ex = -ex;
	}
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i != n)
		goto syntax;
	(void)lost;
	/* value = int(dig) * 10^(ex - fracd) */
	long scale = fracd - ex;
	u128 mag = 0;
	int used = nd;
	bool roundup = false;
	if (scale > NUMERIC_MAX_SCALE) {
		long drop = scale - NUMERIC_MAX_SCALE;
		if (drop > nd) {
			used = 0;
		} else {
			used = nd - (int)drop;
			roundup = dig[used] >= '5';
		}
		scale = NUMERIC_MAX_SCALE;
	}
	/* Skip leading zeros of the fraction so they do not count as significant digits. */
	int start = 0;
	while (start < used && dig[start] == '0')
		start++;
	if (used - start > 38)
		goto range;
	for (int k = start; k < used; k++)
		mag = mag * 10 + (u128)(dig[k] - '0');
	if (roundup)
		mag++;
	if (scale < 0) {
		if (mag != 0 && digits_of(mag) - scale > 38)
			goto range;
		if (mag != 0)
			mag *= P10(-scale);
		scale = 0;
	}
	return finish(mag, neg && mag != 0, (int)scale, out, e);
syntax:
	return err_set(e, ERR_INVALID_TEXT_REPRESENTATION,
		       "invalid input syntax for type numeric: \"%.*s\"", (int)n, s);
range:
	return overflow(e);
}

int num_to_cstr(Numeric v, char *buf)
{
	char tmp[48];
	int nt = 0;
	u128 mag = uabs(v.m);
	do {
		tmp[nt++] = (char)('0' + (int)(mag % 10));
		mag /= 10;
	} while (mag);
	while (nt <= v.scale)
		tmp[nt++] = '0';
	int len = 0;
	if (v.m < 0)
		buf[len++] = '-';
	for (int k = nt - 1; k >= 0; k--) {
		buf[len++] = tmp[k];
		if (k == v.scale && k > 0)
			buf[len++] = '.';
	}
	buf[len] = '\0';
	return len;
}

void num_format(Numeric v, StrBuf *out)
{
	char buf[NUM_TEXT_MAX];
	int n = num_to_cstr(v, buf);
	sb_append(out, buf, (size_t)n);
}

/* ---- conversions */

int num_from_double(double d, Numeric *out, Err *e)
{
	if (isnan(d) || isinf(d))
		return err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "cannot convert %s to numeric",
			       isnan(d) ? "NaN" : "infinity");
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%.15g", d);
	return num_parse(buf, (size_t)n, out, e);
}

double num_to_double(Numeric v)
{
	char buf[NUM_TEXT_MAX];
	num_to_cstr(v, buf);
	return strtod(buf, NULL);
}

bool num_to_int64(Numeric v, int64_t *out)
{
	u128 mag = drop_digits(uabs(v.m), v.scale, true);
	if (v.m < 0) {
		if (mag > (u128)INT64_MAX + 1)
			return false;
		*out = (int64_t)(0 - mag);
	} else {
		if (mag > (u128)INT64_MAX)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

/* v at a larger scale (exact) or a smaller one (rounded). */
int num_rescale(Numeric v, int scale, Numeric *out, Err *e)
{
	if (scale > NUMERIC_MAX_SCALE)
		scale = NUMERIC_MAX_SCALE;
	if (scale >= v.scale) {
		__int128 m;
		if (__builtin_mul_overflow(v.m, (__int128)P10(scale - v.scale), &m))
			return overflow(e);
		return finish(uabs(m), m < 0, scale, out, e);
	}
	u128 mag = drop_digits(uabs(v.m), v.scale - scale, true);
	return finish(mag, v.m < 0 && mag != 0, scale, out, e);
}

/* ---- arithmetic */

static int align(Numeric *a, Numeric *b, Err *e)
{
	int s = a->scale > b->scale ? a->scale : b->scale;
	if (num_rescale(*a, s, a, e) || num_rescale(*b, s, b, e))
		return -1;
	return 0;
}

int num_add(Numeric a, Numeric b, Numeric *out, Err *e)
{
	if (align(&a, &b, e))
		return -1;
	__int128 m = a.m + b.m; /* both below 10^38: cannot overflow 127 bits */
	return finish(uabs(m), m < 0, a.scale, out, e);
}

int num_sub(Numeric a, Numeric b, Numeric *out, Err *e)
{
	return num_add(a, num_neg(b), out, e);
}

int num_mul(Numeric a, Numeric b, Numeric *out, Err *e)
{
	U256 p = u256_mul128(uabs(a.m), uabs(b.m));
	int scale = a.scale + b.scale;
	bool neg = (a.m < 0) != (b.m < 0);
	if (scale > NUMERIC_MAX_SCALE) {
		int k = scale - NUMERIC_MAX_SCALE;
		u256_div_pow10(&p, k - 1);
		unsigned last = (unsigned)u256_div_u64(&p, 10);
		if (last >= 5) {
			U256 one = u256_from(1);
			uint64_t c = 0;
			for (int i = 0; i < 4; i++) {
				u128 t = (u128)p.w[i] + one.w[i] + c;
				p.w[i] = (uint64_t)t;
				c = (uint64_t)(t >> 64);
			}
		}
		scale = NUMERIC_MAX_SCALE;
	}
	u128 mag;
	if (!u256_to_u128(p, &mag))
		return overflow(e);
	return finish(mag, neg && mag != 0, scale, out, e);
}

/* PostgreSQL's weight and first digit in base 10000 (select_div_scale works on those). */
static void base10000_lead(Numeric v, int *weight, int *first)
{
	u128 mag = uabs(v.m);
	if (mag == 0) {
		*weight = 0;
		*first = 0;
		return;
	}
	int d = digits_of(mag);
	int ex = d - 1 - v.scale; /* decimal exponent of the leading digit */
	int w = ex >= 0 ? ex / 4 : -((-ex + 3) / 4);
	int lead = ex - 4 * w + 1; /* digits in the leading base-10000 group */
	*weight = w;
	*first = lead <= d ? (int)(mag / P10(d - lead)) : (int)(mag * P10(lead - d));
}

static int div_scale(Numeric a, Numeric b)
{
	int w1, f1, w2, f2;
	base10000_lead(a, &w1, &f1);
	base10000_lead(b, &w2, &f2);
	int qweight = w1 - w2;
	if (f1 <= f2)
		qweight--;
	int rscale = 16 - qweight * 4;
	if (rscale < a.scale)
		rscale = a.scale;
	if (rscale < b.scale)
		rscale = b.scale;
	if (rscale < 0)
		rscale = 0;
	if (rscale > NUMERIC_MAX_SCALE)
		rscale = NUMERIC_MAX_SCALE;
	return rscale;
}

static int div_by_zero(Err *e)
{
	return err_set(e, ERR_DIVISION_BY_ZERO, "division by zero");
}

int num_div_scale(Numeric a, Numeric b, int rscale, Numeric *out, Err *e)
{
	if (b.m == 0)
		return div_by_zero(e);
	if (rscale > NUMERIC_MAX_SCALE)
		rscale = NUMERIC_MAX_SCALE;
	/* q = |a| * 10^k / |b| at scale rscale, with k = rscale + b.scale - a.scale. */
	int k = rscale + b.scale - a.scale;
	int extra = 0;
	if (k < 0) {
		/* Compute at a finer scale and round down to rscale afterwards. */
		extra = -k;
		k = 0;
	}
	U256 n = u256_from(uabs(a.m));
	if (!u256_mul_pow10(&n, k + 1))
		return overflow(e);
	U256 q = u256_div_u128(n, uabs(b.m));
	unsigned last = (unsigned)u256_div_u64(&q, 10);
	u128 mag;
	if (!u256_to_u128(q, &mag))
		return overflow(e);
	if (last >= 5)
		mag++;
	bool neg = (a.m < 0) != (b.m < 0);
	if (extra) {
		/* Here the quotient is at scale rscale + extra; drop `extra` digits. */
		mag = drop_digits(mag, extra, true);
	}
	return finish(mag, neg && mag != 0, rscale, out, e);
}

int num_div(Numeric a, Numeric b, Numeric *out, Err *e)
{
	if (b.m == 0)
		return div_by_zero(e);
	return num_div_scale(a, b, div_scale(a, b), out, e);
}

int num_mod(Numeric a, Numeric b, Numeric *out, Err *e)
{
	if (b.m == 0)
		return div_by_zero(e);
	if (align(&a, &b, e))
		return -1;
	*out = num_make(a.m % b.m, a.scale);
	return 0;
}

static int round_to(Numeric v, int scale, bool round, Numeric *out, Err *e)
{
	if (scale >= v.scale)
		return num_rescale(v, scale, out, e);
	u128 mag = drop_digits(uabs(v.m), v.scale - scale, round);
	if (scale < 0) {
		/* round(1234.5, -2) = 1200: the result keeps scale 0. */
		if (mag != 0) {
			if (-scale > 38 || digits_of(mag) - scale > 38)
				return overflow(e);
			mag *= P10(-scale);
		}
		scale = 0;
	}
	return finish(mag, v.m < 0 && mag != 0, scale, out, e);
}

int num_round(Numeric v, int scale, Numeric *out, Err *e)
{
	return round_to(v, scale, true, out, e);
}

int num_trunc(Numeric v, int scale, Numeric *out, Err *e)
{
	return round_to(v, scale, false, out, e);
}

int num_floor(Numeric v, Numeric *out, Err *e)
{
	Numeric t;
	if (num_trunc(v, 0, &t, e))
		return -1;
	if (v.m < 0 && num_cmp(t, v) != 0)
		t.m -= 1;
	*out = t;
	return 0;
}

int num_ceil(Numeric v, Numeric *out, Err *e)
{
	Numeric t;
	if (num_trunc(v, 0, &t, e))
		return -1;
	if (v.m > 0 && num_cmp(t, v) != 0) {
		t.m += 1;
		if (t.m >= (__int128)NUM_LIMIT)
			return overflow(e);
	}
	*out = t;
	return 0;
}

Numeric num_neg(Numeric v)
{
	v.m = -v.m;
	return v;
}

Numeric num_abs(Numeric v)
{
	if (v.m < 0)
		v.m = -v.m;
	return v;
}

int num_sign(Numeric v)
{
	return v.m < 0 ? -1 : v.m > 0;
}

int num_cmp(Numeric a, Numeric b)
{
	if (a.scale == b.scale)
		return a.m < b.m ? -1 : a.m > b.m;
	int sa = num_sign(a), sb = num_sign(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	/* Same sign: compare magnitudes by integer part, then by fraction at the larger scale. */
	u128 ma = uabs(a.m), mb = uabs(b.m);
	u128 ia = ma / P10(a.scale), ib = mb / P10(b.scale);
	int c;
	if (ia != ib) {
		c = ia < ib ? -1 : 1;
	} else {
		int s = a.scale > b.scale ? a.scale : b.scale;
		u128 fa = (ma % P10(a.scale)) * P10(s - a.scale);
		u128 fb = (mb % P10(b.scale)) * P10(s - b.scale);
		c = fa < fb ? -1 : fa > fb;
	}
	return sa < 0 ? -c : c;
}

uint64_t num_hash(Numeric v)
{
	while (v.scale > 0 && v.m % 10 == 0) {
		v.m /= 10;
		v.scale--;
	}
	if (v.m == 0)
		v.scale = 0;
	u128 u = (u128)v.m;
	return hash_combine(hash_combine(hash_u64((uint64_t)u), (uint64_t)(u >> 64)),
			    (uint64_t)v.scale);
}

int num_cast(Numeric v, int precision, int scale, Numeric *out, Err *e)
{
	Numeric r;
	if (num_round(v, scale, &r, NULL))
		goto fail;
	if (r.m != 0 && (precision - scale < 0 ||
			 (precision < 39 && uabs(r.m) >= P10(precision))))
		goto fail;
	*out = r;
	return 0;
fail:
	err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "numeric field overflow");
	err_hint(e, "A field with precision %d, scale %d must round to an absolute value less "
		    "than %s%d.", precision, scale, "10^", precision - scale);
	return -1;
}
