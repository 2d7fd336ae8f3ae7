/* func.c: the scalar function and operator table and its vectorized kernels (see func.h).
 *
 * Layer: expr. Kernels are written once as macros and expanded per type: the arithmetic of each
 * integer width, of floats and of numerics, the six comparisons of every comparable type, the
 * date/time operators. The table at the bottom lists every FuncDef exactly once; expr.c resolves
 * calls against it and eval.c runs the kernels. Errors follow PostgreSQL: 22003 "integer out of
 * range", 22012 "division by zero", 22P02 for bad text.
 */
#include "expr/func.h"

#include "vec/datetime.h"
#include "vec/numeric.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int func_row_error(ExprCtx *cx, Vector *out, int row, ErrCode code, const char *fmt, ...)
{
	if (cx->null_on_error) {
		out->nulls[row] = 1;
		cx->row_errors++;
		return 0;
	}
	va_list ap;
	va_start(ap, fmt);
	err_setv(cx->err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int func_row_fail(ExprCtx *cx, Vector *out, int row, const Err *le)
{
	return func_row_error(cx, out, row, le->code, "%s", le->msg);
}

/* ---- kernel skeletons */

#define KERNEL(name)                                                                               \
	static int name(const FuncDef *f, const Vector *const *args, int nargs, int n, Vector *out, \
			ExprCtx *cx)

/* Inside a row loop: fail this row (or turn it NULL) and go on with the next. */
#define ROW_ERR(code, ...)                                                                         \
	do {                                                                                       \
		if (func_row_error(cx, out, r, code, __VA_ARGS__))                                 \
			return -1;                                                                 \
		goto next_row;                                                                     \
	} while (0)
#define ROW_FAIL(le)                                                                               \
	do {                                                                                       \
		if (func_row_fail(cx, out, r, le))                                                 \
			return -1;                                                                 \
		goto next_row;                                                                     \
	} while (0)

/* A row loop over two arguments x (TA) and y (TB) writing res[r] (TR). */
#define BIN_KERNEL(name, TA, TB, TR, BODY)                                                         \
	KERNEL(name)                                                                               \
	{                                                                                          \
		const TA *a_ = (const TA *)args[0]->data;                                          \
		const TB *b_ = (const TB *)args[1]->data;                                          \
		TR *res = (TR *)out->data;                                                         \
		(void)f, (void)nargs;                                                              \
		for (int r = 0; r < n; r++) {                                                      \
			if (out->nulls[r])                                                         \
				continue;                                                          \
			TA x = a_[r];                                                              \
			TB y = b_[r];                                                              \
			(void)x, (void)y, (void)res;                                               \
			BODY;                                                                      \
			goto next_row;                                                             \
		next_row:;                                                                         \
		}                                                                                  \
		return 0;                                                                          \
	}

#define UN_KERNEL(name, TA, TR, BODY)                                                              \
	KERNEL(name)                                                                               \
	{                                                                                          \
		const TA *a_ = (const TA *)args[0]->data;                                          \
		TR *res = (TR *)out->data;                                                         \
		(void)f, (void)nargs;                                                              \
		for (int r = 0; r < n; r++) {                                                      \
			if (out->nulls[r])                                                         \
				continue;                                                          \
			TA x = a_[r];                                                              \
			(void)x, (void)res;                                                        \
			BODY;                                                                      \
			goto next_row;                                                             \
		next_row:;                                                                         \
		}                                                                                  \
		return 0;                                                                          \
	}

/* ---- integer arithmetic, per width */

#define INT_KERNELS(T, ctype, CMIN, tname)                                                         \
	BIN_KERNEL(add_##T, ctype, ctype, ctype, {                                                 \
		ctype z;                                                                           \
		if (__builtin_add_overflow(x, y, &z))                                              \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(sub_##T, ctype, ctype, ctype, {                                                 \
		ctype z;                                                                           \
		if (__builtin_sub_overflow(x, y, &z))                                              \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(mul_##T, ctype, ctype, ctype, {                                                 \
		ctype z;                                                                           \
		if (__builtin_mul_overflow(x, y, &z))                                              \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(div_##T, ctype, ctype, ctype, {                                                 \
		if (y == 0)                                                                        \
			ROW_ERR(ERR_DIVISION_BY_ZERO, "division by zero");                         \
		if (y == -1 && x == CMIN)                                                          \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = (ctype)(x / y);                                                           \
	})                                                                                         \
	BIN_KERNEL(mod_##T, ctype, ctype, ctype, {                                                 \
		if (y == 0)                                                                        \
			ROW_ERR(ERR_DIVISION_BY_ZERO, "division by zero");                         \
		res[r] = y == -1 ? 0 : (ctype)(x % y);                                             \
	})                                                                                         \
	UN_KERNEL(neg_##T, ctype, ctype, {                                                         \
		if (x == CMIN)                                                                     \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = (ctype)-x;                                                                \
	})                                                                                         \
	UN_KERNEL(abs_##T, ctype, ctype, {                                                         \
		if (x == CMIN)                                                                     \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, tname " out of range");                  \
		res[r] = (ctype)(x < 0 ? -x : x);                                                  \
	})

INT_KERNELS(int2, int16_t, INT16_MIN, "smallint")
INT_KERNELS(int4, int32_t, INT32_MIN, "integer")
INT_KERNELS(int8, int64_t, INT64_MIN, "bigint")

/* ---- float arithmetic: overflow to infinity from finite inputs is an error, as in PG */

#define FLOAT_CHECK(z, x, y, allow_zero)                                                           \
	do {                                                                                       \
		if (isinf(z) && !isinf(x) && !isinf(y))                                            \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, "value out of range: overflow");         \
		if (!(allow_zero) && (z) == 0 && (x) != 0 && (y) != 0 && !isinf(y))                \
			ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, "value out of range: underflow");        \
	} while (0)

#define FLOAT_KERNELS(T, ctype)                                                                    \
	BIN_KERNEL(add_##T, ctype, ctype, ctype, {                                                 \
		ctype z = x + y;                                                                   \
		FLOAT_CHECK(z, x, y, true);                                                        \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(sub_##T, ctype, ctype, ctype, {                                                 \
		ctype z = x - y;                                                                   \
		FLOAT_CHECK(z, x, y, true);                                                        \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(mul_##T, ctype, ctype, ctype, {                                                 \
		ctype z = x * y;                                                                   \
		FLOAT_CHECK(z, x, y, false);                                                       \
		res[r] = z;                                                                        \
	})                                                                                         \
	BIN_KERNEL(div_##T, ctype, ctype, ctype, {                                                 \
		if (y == 0)                                                                        \
			ROW_ERR(ERR_DIVISION_BY_ZERO, "division by zero");                         \
		ctype z = x / y;                                                                   \
		FLOAT_CHECK(z, x, y, false);                                                       \
		res[r] = z;                                                                        \
	})                                                                                         \
	UN_KERNEL(neg_##T, ctype, ctype, { res[r] = -x; })                                         \
	UN_KERNEL(abs_##T, ctype, ctype, { res[r] = (ctype)fabs((double)x); })

FLOAT_KERNELS(float4, float)
FLOAT_KERNELS(float8, double)

/* ---- numeric arithmetic */

#define NUM_BIN(name, call)                                                                        \
	BIN_KERNEL(name, Numeric, Numeric, Numeric, {                                              \
		Err le;                                                                            \
		err_clear(&le);                                                                    \
		if (call(x, y, &res[r], &le))                                                      \
			ROW_FAIL(&le);                                                             \
	})

NUM_BIN(add_numeric, num_add)
NUM_BIN(sub_numeric, num_sub)
NUM_BIN(mul_numeric, num_mul)
NUM_BIN(div_numeric, num_div)
NUM_BIN(mod_numeric, num_mod)
UN_KERNEL(neg_numeric, Numeric, Numeric, { res[r] = num_neg(x); })
UN_KERNEL(abs_numeric, Numeric, Numeric, { res[r] = num_abs(x); })

#define NUM_UN(name, call)                                                                         \
	UN_KERNEL(name, Numeric, Numeric, {                                                        \
		Err le;                                                                            \
		err_clear(&le);                                                                    \
		if (call(x, &res[r], &le))                                                         \
			ROW_FAIL(&le);                                                             \
	})

static int num_round0(Numeric v, Numeric *out, Err *e)
{
	return num_round(v, 0, out, e);
}

static int num_trunc0(Numeric v, Numeric *out, Err *e)
{
	return num_trunc(v, 0, out, e);
}

NUM_UN(round_numeric, num_round0)
NUM_UN(trunc_numeric, num_trunc0)
NUM_UN(floor_numeric, num_floor)
NUM_UN(ceil_numeric, num_ceil)
UN_KERNEL(sign_numeric, Numeric, Numeric, { res[r] = num_from_int64(num_sign(x)); })

BIN_KERNEL(round_numeric_int, Numeric, int32_t, Numeric, {
	Err le;
	err_clear(&le);
	if (num_round(x, y > 1000 ? 1000 : y < -1000 ? -1000 : y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(trunc_numeric_int, Numeric, int32_t, Numeric, {
	Err le;
	err_clear(&le);
	if (num_trunc(x, y > 1000 ? 1000 : y < -1000 ? -1000 : y, &res[r], &le))
		ROW_FAIL(&le);
})

/* ---- float math functions */

UN_KERNEL(round_float8, double, double, { res[r] = rint(x); })
UN_KERNEL(trunc_float8, double, double, { res[r] = trunc(x); })
UN_KERNEL(floor_float8, double, double, { res[r] = floor(x); })
UN_KERNEL(ceil_float8, double, double, { res[r] = ceil(x); })
UN_KERNEL(sign_float8, double, double, { res[r] = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; })
UN_KERNEL(sqrt_float8, double, double, {
	if (x < 0)
		ROW_ERR(ERR_INVALID_ARGUMENT_FOR_POWER, "cannot take square root of a negative number");
	res[r] = sqrt(x);
})
BIN_KERNEL(power_float8, double, double, double, {
	if (x == 0 && y < 0)
		ROW_ERR(ERR_INVALID_ARGUMENT_FOR_POWER,
			"zero raised to a negative power is undefined");
	if (x < 0 && floor(y) != y)
		ROW_ERR(ERR_INVALID_ARGUMENT_FOR_POWER,
			"a negative number raised to a non-integer power yields a complex result");
	double z = pow(x, y);
	if (isinf(z) && !isinf(x) && !isinf(y))
		ROW_ERR(ERR_NUMERIC_OUT_OF_RANGE, "value out of range: overflow");
	res[r] = z;
})
UN_KERNEL(to_timestamp_float8, double, int64_t, {
	double us = rint(x * 1e6);
	if (isnan(x) || us < -2.108668032e17 || us >= 9.2233720368547758e18)
		ROW_ERR(ERR_DATETIME_OVERFLOW, "timestamp out of range: \"%g\"", x);
	res[r] = (int64_t)us;
})

/* ---- comparisons of every comparable type */

static int cmp_str(Str a, Str b)
{
	uint32_t l = a.len < b.len ? a.len : b.len;
	int c = l ? memcmp(a.p, b.p, l) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return a.len < b.len ? -1 : a.len > b.len;
}

static int cmp_double(double a, double b)
{
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return a < b ? -1 : a > b;
}

#define CMP_PLAIN(x, y) (((x) > (y)) - ((x) < (y)))
#define CMP_FLOAT(x, y) cmp_double((double)(x), (double)(y))

#define CMP_KERNELS(T, ctype, CMP)                                                                 \
	BIN_KERNEL(eq_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) == 0; })                    \
	BIN_KERNEL(ne_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) != 0; })                    \
	BIN_KERNEL(lt_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) < 0; })                     \
	BIN_KERNEL(le_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) <= 0; })                    \
	BIN_KERNEL(gt_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) > 0; })                     \
	BIN_KERNEL(ge_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) >= 0; })

/* X(suffix, TypeId, C type, comparison) for every comparable type. */
#define COMPARABLE_LIST(X)                                                                         \
	X(boolean, T_BOOL, uint8_t, CMP_PLAIN)                                                        \
	X(int2, T_INT2, int16_t, CMP_PLAIN)                                                        \
	X(int4, T_INT4, int32_t, CMP_PLAIN)                                                        \
	X(int8, T_INT8, int64_t, CMP_PLAIN)                                                        \
	X(float4, T_FLOAT4, float, CMP_FLOAT)                                                      \
	X(float8, T_FLOAT8, double, CMP_FLOAT)                                                     \
	X(numeric, T_NUMERIC, Numeric, num_cmp)                                                    \
	X(text, T_VARCHAR, Str, cmp_str)                                                           \
	X(date, T_DATE, int32_t, CMP_PLAIN)                                                        \
	X(ts, T_TIMESTAMP, int64_t, CMP_PLAIN)                                                     \
	X(tstz, T_TIMESTAMPTZ, int64_t, CMP_PLAIN)                                                 \
	X(interval, T_INTERVAL, Interval, dt_iv_cmp)

#define EXPAND_CMP(T, tid, ctype, CMP) CMP_KERNELS(T, ctype, CMP)
COMPARABLE_LIST(EXPAND_CMP)

/* greatest/least (variadic, NULLs ignored) and nullif, per comparable type. */
#define EXTREME_KERNELS(T, tid, ctype, CMP)                                                        \
	static int extreme_##T(const FuncDef *f, const Vector *const *args, int nargs, int n,      \
			       Vector *out, ExprCtx *cx, int want)                                 \
	{                                                                                          \
		ctype *res = (ctype *)out->data;                                                   \
		for (int r = 0; r < n; r++) {                                                      \
			if (out->nulls[r])                                                         \
				continue;                                                          \
			bool have = false;                                                         \
			for (int k = 0; k < nargs; k++) {                                          \
				if (args[k]->nulls[r])                                             \
					continue;                                                  \
				ctype v = ((const ctype *)args[k]->data)[r];                       \
				if (!have || CMP(v, res[r]) == want)                               \
					res[r] = v;                                                \
				have = true;                                                       \
			}                                                                          \
			out->nulls[r] = !have;                                                     \
		}                                                                                  \
		return 0;                                                                          \
	}                                                                                          \
	KERNEL(greatest_##T)                                                                       \
	{                                                                                          \
		return extreme_##T(f, args, nargs, n, out, cx, 1);                                 \
	}                                                                                          \
	KERNEL(least_##T)                                                                          \
	{                                                                                          \
		return extreme_##T(f, args, nargs, n, out, cx, -1);                                \
	}                                                                                          \
	KERNEL(nullif_##T)                                                                         \
	{                                                                                          \
		const ctype *a_ = (const ctype *)args[0]->data;                                    \
		const ctype *b_ = (const ctype *)args[1]->data;                                    \
		ctype *res = (ctype *)out->data;                                                   \
		for (int r = 0; r < n; r++) {                                                      \
			if (out->nulls[r])                                                         \
				continue;                                                          \
			if (args[0]->nulls[r] ||                                                   \
			    (!args[1]->nulls[r] && CMP(a_[r], b_[r]) == 0)) {                      \
				out->nulls[r] = 1;                                                 \
				continue;                                                          \
			}                                                                          \
			res[r] = a_[r];                                                            \
		}                                                                                  \
		return 0;                                                                          \
	}

COMPARABLE_LIST(EXTREME_KERNELS)

/* ---- date/time operators */

BIN_KERNEL(ts_pl_iv, int64_t, Interval, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_add_interval(x, y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(iv_pl_ts, Interval, int64_t, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_add_interval(y, x, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(ts_mi_iv, int64_t, Interval, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_sub_interval(x, y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_pl_iv, int32_t, Interval, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_add_interval(dt_date_to_ts(x), y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(iv_pl_date, Interval, int32_t, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_add_interval(dt_date_to_ts(y), x, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_mi_iv, int32_t, Interval, int64_t, {
	Err le;
	err_clear(&le);
	if (dt_ts_sub_interval(dt_date_to_ts(x), y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(ts_mi_ts, int64_t, int64_t, Interval, { res[r] = dt_ts_diff(x, y); })
BIN_KERNEL(date_pl_int, int32_t, int32_t, int32_t, {
	Err le;
	err_clear(&le);
	if (dt_date_add_days(x, y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(int_pl_date, int32_t, int32_t, int32_t, {
	Err le;
	err_clear(&le);
	if (dt_date_add_days(y, x, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_mi_int, int32_t, int32_t, int32_t, {
	Err le;
	err_clear(&le);
	if (dt_date_add_days(x, -(int64_t)y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_mi_date, int32_t, int32_t, int32_t, { res[r] = x - y; })

#define IV_BIN(name, TB, call)                                                                     \
	BIN_KERNEL(name, Interval, TB, Interval, {                                                 \
		Err le;                                                                            \
		err_clear(&le);                                                                    \
		if (call(x, y, &res[r], &le))                                                      \
			ROW_FAIL(&le);                                                             \
	})
IV_BIN(iv_pl_iv, Interval, dt_iv_add)
IV_BIN(iv_mi_iv, Interval, dt_iv_sub)
IV_BIN(iv_mul_f8, double, dt_iv_mul)
IV_BIN(iv_div_f8, double, dt_iv_div)
BIN_KERNEL(f8_mul_iv, double, Interval, Interval, {
	Err le;
	err_clear(&le);
	if (dt_iv_mul(y, x, &res[r], &le))
		ROW_FAIL(&le);
})
UN_KERNEL(neg_interval, Interval, Interval, {
	Err le;
	err_clear(&le);
	if (dt_iv_neg(x, &res[r], &le))
		ROW_FAIL(&le);
})

/* The field name of date_trunc/date_part as a C string (fields are short words). */
static const char *field_cstr(Str s, char *buf, size_t cap)
{
	size_t l = s.len < cap - 1 ? s.len : cap - 1;
	for (size_t k = 0; k < l; k++)
		buf[k] = (char)tolower((unsigned char)s.p[k]);
	buf[l] = '\0';
	return buf;
}

BIN_KERNEL(date_trunc_ts, Str, int64_t, int64_t, {
	char fb[32];
	Err le;
	err_clear(&le);
	if (dt_trunc(field_cstr(x, fb, sizeof fb), y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_part_ts, Str, int64_t, double, {
	char fb[32];
	Err le;
	err_clear(&le);
	if (dt_part(field_cstr(x, fb, sizeof fb), y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_part_iv, Str, Interval, double, {
	char fb[32];
	Err le;
	err_clear(&le);
	if (dt_part_interval(field_cstr(x, fb, sizeof fb), y, &res[r], &le))
		ROW_FAIL(&le);
})

/* extract(field FROM x): date_part's value as numeric, with the scale PostgreSQL 14+ gives it:
 * 6 digits for second and epoch, 3 for millisecond, none for the other fields. */
static int extract_scale(const char *field)
{
	if (strcmp(field, "second") == 0 || strcmp(field, "seconds") == 0 ||
	    strcmp(field, "epoch") == 0)
		return 6;
	if (strncmp(field, "millisecond", 11) == 0 || strcmp(field, "ms") == 0)
		return 3;
	return 0;
}

static Numeric extract_numeric(double d, int scale)
{
	Numeric m = {0};
	double p = 1;
	for (int i = 0; i < scale; i++)
		p *= 10;
	m.m = (__int128)llround(d * p);
	m.scale = scale;
	return m;
}

BIN_KERNEL(extract_ts, Str, int64_t, Numeric, {
	char fb[32];
	Err le;
	err_clear(&le);
	double d;
	const char *fld = field_cstr(x, fb, sizeof fb);
	if (dt_part(fld, y, &d, &le))
		ROW_FAIL(&le);
	res[r] = extract_numeric(d, extract_scale(fld));
})
BIN_KERNEL(extract_iv, Str, Interval, Numeric, {
	char fb[32];
	Err le;
	err_clear(&le);
	double d;
	const char *fld = field_cstr(x, fb, sizeof fb);
	if (dt_part_interval(fld, y, &d, &le))
		ROW_FAIL(&le);
	res[r] = extract_numeric(d, extract_scale(fld));
})

KERNEL(now_kernel)
{
	for (int r = 0; r < n; r++)
		if (!out->nulls[r])
			VEC_DATA(out, int64_t)[r] = cx->now;
	return 0;
}

/* ---- strings */

static Str str_alloc(ExprCtx *cx, size_t n, char **p)
{
	Str s;
	*p = arena_alloc(cx->arena, n ? n : 1);
	s.p = *p;
	s.len = (uint32_t)n;
	return s;
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Byte offset of character number `ch` (0-based), clamped to n. */
static size_t utf8_offset(const char *s, size_t n, int64_t ch)
{
	size_t i = 0;
	while (i < n && ch > 0) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		ch--;
	}
	return i;
}

static Str substr_chars(Str s, int64_t from, int64_t count)
{
	/* Characters [from, from + count) with from 0-based, both clamped to the string. */
	int64_t end = count < 0 ? INT64_MAX : (from + count < from ? INT64_MAX : from + count);
	if (from < 0)
		from = 0;
	if (end <= from) {
		Str e = {s.p, 0};
		return e;
	}
	size_t b = utf8_offset(s.p, s.len, from);
	size_t l = utf8_offset(s.p + b, s.len - b, end - from);
	Str r = {s.p + b, (uint32_t)l};
	return r;
}

#define CASE_KERNEL(name, FN)                                                                      \
	UN_KERNEL(name, Str, Str, {                                                                \
		char *p;                                                                           \
		res[r] = str_alloc(cx, x.len, &p);                                                 \
		for (uint32_t k = 0; k < x.len; k++)                                               \
			p[k] = (char)FN((unsigned char)x.p[k]);                                    \
	})
CASE_KERNEL(lower_text, tolower)
CASE_KERNEL(upper_text, toupper)
UN_KERNEL(length_text, Str, int32_t, { res[r] = (int32_t)utf8_len(x.p, x.len); })
UN_KERNEL(octet_length_text, Str, int32_t, { res[r] = (int32_t)x.len; })

BIN_KERNEL(substr2, Str, int32_t, Str, { res[r] = substr_chars(x, (int64_t)y - 1, -1); })
KERNEL(substr3)
{
	const Str *s = args[0]->data;
	const int32_t *from = args[1]->data, *cnt = args[2]->data;
	Str *res = out->data;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (cnt[r] < 0) {
			if (func_row_error(cx, out, r, ERR_SUBSTRING, "negative substring length not allowed"))
				return -1;
			continue;
		}
		/* substr('abc', 0, 2) = 'a': the window starts before the string. */
		int64_t b = (int64_t)from[r] - 1;
		int64_t e = b + cnt[r];
		res[r] = substr_chars(s[r], b < 0 ? 0 : b, e - (b < 0 ? 0 : b));
	}
	return 0;
}

static int64_t find_bytes(Str h, Str nd)
{
	if (nd.len == 0)
		return 0;
	if (nd.len > h.len)
		return -1;
	/* memchr finds candidates for the first byte at memory speed; memcmp checks the rest. */
	const char *p = h.p, *end = h.p + h.len - nd.len + 1;
	while (p < end) {
		const char *c = memchr(p, (unsigned char)nd.p[0], (size_t)(end - p));
		if (!c)
			return -1;
		if (memcmp(c + 1, nd.p + 1, nd.len - 1) == 0)
			return c - h.p;
		p = c + 1;
	}
	return -1;
}

BIN_KERNEL(strpos_text, Str, Str, int32_t, {
	int64_t at = find_bytes(x, y);
	res[r] = at < 0 ? 0 : (int32_t)utf8_len(x.p, (size_t)at) + 1;
})
BIN_KERNEL(starts_with_text, Str, Str, uint8_t,
	   { res[r] = y.len <= x.len && (y.len == 0 || memcmp(x.p, y.p, y.len) == 0); })

static bool in_set(char c, Str set)
{
	return set.len ? memchr(set.p, c, set.len) != NULL : false;
}

static Str trim_str(Str s, Str set, bool left, bool right)
{
	uint32_t b = 0, e = s.len;
	while (left && b < e && in_set(s.p[b], set))
		b++;
	while (right && e > b && in_set(s.p[e - 1], set))
		e--;
	Str r = {s.p + b, e - b};
	return r;
}

static const Str space_set = {" ", 1};
UN_KERNEL(btrim1, Str, Str, { res[r] = trim_str(x, space_set, true, true); })
UN_KERNEL(ltrim1, Str, Str, { res[r] = trim_str(x, space_set, true, false); })
UN_KERNEL(rtrim1, Str, Str, { res[r] = trim_str(x, space_set, false, true); })
BIN_KERNEL(btrim2, Str, Str, Str, { res[r] = trim_str(x, y, true, true); })
BIN_KERNEL(ltrim2, Str, Str, Str, { res[r] = trim_str(x, y, true, false); })
BIN_KERNEL(rtrim2, Str, Str, Str, { res[r] = trim_str(x, y, false, true); })

BIN_KERNEL(left_text, Str, int32_t, Str, {
	int64_t len = (int64_t)utf8_len(x.p, x.len);
	int64_t k = y >= 0 ? y : len + y;
	res[r] = substr_chars(x, 0, k < 0 ? 0 : k);
})
BIN_KERNEL(right_text, Str, int32_t, Str, {
	int64_t len = (int64_t)utf8_len(x.p, x.len);
	int64_t k = y >= 0 ? y : len + y;
	if (k > len)
		k = len;
	res[r] = substr_chars(x, len - (k < 0 ? 0 : k), -1);
})

BIN_KERNEL(concat_op, Str, Str, Str, {
	char *p;
	res[r] = str_alloc(cx, (size_t)x.len + y.len, &p);
	if (x.len)
		memcpy(p, x.p, x.len);
	if (y.len)
		memcpy(p + x.len, y.p, y.len);
})

KERNEL(replace_text)
{
	const Str *s = args[0]->data, *from = args[1]->data, *to = args[2]->data;
	Str *res = out->data;
	StrBuf sb;
	sb_init(&sb);
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (from[r].len == 0) {
			res[r] = s[r];
			continue;
		}
		sb_reset(&sb);
		Str rest = s[r];
		for (;;) {
			int64_t at = find_bytes(rest, from[r]);
			if (at < 0)
				break;
			sb_append(&sb, rest.p, (size_t)at);
			sb_append(&sb, to[r].p, to[r].len);
			rest.p += at + from[r].len;
			rest.len -= (uint32_t)at + from[r].len;
		}
		sb_append(&sb, rest.p, rest.len);
		char *p;
		res[r] = str_alloc(cx, sb.len, &p);
		memcpy(p, sb.data, sb.len);
	}
	sb_deinit(&sb);
	return 0;
}

/* The fields of s split at delim (an empty delimiter leaves s whole): with want = 0 counts them;
 * else stores the want-th (1-based) in *field and stops there, or leaves *field when there are
 * fewer fields. Returns the fields seen. */
static int split_fields(Str s, Str delim, int want, Str *field)
{
	if (s.len == 0)
		return 0;
	int i = 1;
	for (;;) {
		int64_t at = delim.len ? find_bytes(s, delim) : -1;
		Str f = {s.p, at < 0 ? s.len : (uint32_t)at};
		if (i == want) {
			*field = f;
			return i; /* the fields after it need not be found */
		}
		if (at < 0)
			return i;
		s.p += at + delim.len;
		s.len -= (uint32_t)at + delim.len;
		i++;
	}
}

KERNEL(split_part_text)
{
	const Str *s = args[0]->data, *d = args[1]->data;
	const int32_t *fld = args[2]->data;
	Str *res = out->data;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		int32_t k = fld[r];
		if (k == 0) {
			if (func_row_error(cx, out, r, ERR_INVALID_PARAMETER_VALUE,
					   "field position must not be zero"))
				return -1;
			continue;
		}
		/* A positive position is found in one pass that stops at it; a negative one counts
		 * from the end (PostgreSQL 14+), so the fields are counted first. */
		Str found = {s[r].p, 0};
		if (k > 0) {
			split_fields(s[r], d[r], k, &found);
		} else {
			int want = split_fields(s[r], d[r], 0, &found) + k + 1;
			if (want >= 1)
				split_fields(s[r], d[r], want, &found);
		}
		res[r] = found;
	}
	return 0;
}

/* concat(...) and concat_ws(sep, ...): arguments of any type, NULLs skipped. */
static int concat_common(const Vector *const *args, int nargs, int first, const Vector *sep,
			 int n, Vector *out, ExprCtx *cx)
{
	StrBuf sb;
	sb_init(&sb);
	Str *res = out->data;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (sep && sep->nulls[r]) {
			out->nulls[r] = 1;
			continue;
		}
		sb_reset(&sb);
		bool any = false;
		for (int k = first; k < nargs; k++) {
			if (args[k]->nulls[r])
				continue;
			if (any && sep)
				sb_append(&sb, VEC_DATA(sep, Str)[r].p, VEC_DATA(sep, Str)[r].len);
			Value v;
			vec_get_value(args[k], r, &v);
			value_format(&v, &sb);
			any = true;
		}
		char *p;
		res[r] = str_alloc(cx, sb.len, &p);
		memcpy(p, sb.data, sb.len);
	}
	sb_deinit(&sb);
	return 0;
}

KERNEL(concat_fn)
{
	return concat_common(args, nargs, 0, NULL, n, out, cx);
}

KERNEL(concat_ws_fn)
{
	return concat_common(args, nargs, 1, args[0], n, out, cx);
}

/* ---- LIKE */

static size_t utf8_char_len(const char *s, size_t n)
{
	size_t i = 1;
	while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i++;
	return i;
}

static char fold(char c, bool icase)
{
	return icase ? (char)tolower((unsigned char)c) : c;
}

bool func_like(const char *s, size_t n, const char *p, size_t pn, bool icase)
{
	/* Iterative matcher with backtracking to the last % (linear in practice). */
	size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
	while (si < n) {
		if (pi < pn && p[pi] == '%') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < pn && p[pi] == '_') {
			si += utf8_char_len(s + si, n - si);
			pi++;
			continue;
		}
		if (pi < pn) {
			size_t q = pi;
			if (p[q] == '\\' && q + 1 < pn)
				q++;
			if (fold(p[q], icase) == fold(s[si], icase)) {
				si++;
				pi = q + 1;
				continue;
			}
		}
		if (star_p != (size_t)-1) {
			star_s += utf8_char_len(s + star_s, n - star_s);
			si = star_s;
			pi = star_p;
			continue;
		}
		return false;
	}
	while (pi < pn && p[pi] == '%')
		pi++;
	return pi == pn;
}

BIN_KERNEL(like_text, Str, Str, uint8_t, { res[r] = func_like(x.p, x.len, y.p, y.len, false); })
BIN_KERNEL(not_like_text, Str, Str, uint8_t,
	   { res[r] = !func_like(x.p, x.len, y.p, y.len, false); })
BIN_KERNEL(ilike_text, Str, Str, uint8_t, { res[r] = func_like(x.p, x.len, y.p, y.len, true); })
BIN_KERNEL(not_ilike_text, Str, Str, uint8_t,
	   { res[r] = !func_like(x.p, x.len, y.p, y.len, true); })

/* ---- regular expressions (POSIX extended, regex.h) and Nexmark helpers */

/* A compiled pattern reused while consecutive rows carry the same pattern text, so a constant
 * pattern compiles once per chunk, never per row. */
typedef struct RegexCache {
	regex_t re;
	char *pat;
	bool ok;
} RegexCache;

static void regex_cache_done(RegexCache *rc)
{
	if (rc->ok)
		regfree(&rc->re);
	mem_free(rc->pat);
	rc->ok = false;
	rc->pat = NULL;
}

/* The compiled pattern p, or NULL with the row failed (2201B) when it does not compile. */
static regex_t *regex_get(RegexCache *rc, Str p, ExprCtx *cx, Vector *out, int r, int *rcode)
{
	*rcode = 0;
	if (rc->ok && strlen(rc->pat) == p.len && memcmp(rc->pat, p.p, p.len) == 0)
		return &rc->re;
	regex_cache_done(rc);
	rc->pat = mem_strndup(p.len ? p.p : "", p.len);
	int err = regcomp(&rc->re, rc->pat, REG_EXTENDED);
	if (err) {
		char msg[128];
		regerror(err, &rc->re, msg, sizeof msg);
		regfree(&rc->re);
		*rcode = func_row_error(cx, out, r, ERR_INVALID_REGEX,
					"invalid regular expression: %s", msg);
		return NULL;
	}
	rc->ok = true;
	return &rc->re;
}

/* Matches s against row r's pattern: 1 match, 0 none, -1 failed call, -2 row failed. */
static int regex_match_row(RegexCache *rc, Str s, Str p, regmatch_t *m, int nm, ExprCtx *cx,
			   Vector *out, int r)
{
	int code;
	regex_t *re = regex_get(rc, p, cx, out, r, &code);
	if (!re)
		return code < 0 ? -1 : -2;
	char *z = arena_strndup(cx->arena, s.len ? s.p : "", s.len);
	return regexec(re, z, (size_t)nm, m, 0) == 0;
}

/* regexp_like(s, p) and s ~ p: whether p matches somewhere in s. */
KERNEL(regexp_like_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	uint8_t *res = out->data;
	RegexCache rc = {0};
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		int m = regex_match_row(&rc, s[r], p[r], NULL, 0, cx, out, r);
		if (m == -1) {
			regex_cache_done(&rc);
			return -1;
		}
		if (m >= 0)
			res[r] = (uint8_t)m;
	}
	regex_cache_done(&rc);
	return 0;
}

/* regexp_extract(s, p, g) (Flink's name): group g (0 = the whole match) of the first match,
 * NULL when nothing matches or the group did not take part. */
KERNEL(regexp_extract_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	const int32_t *g = args[2]->data;
	Str *res = out->data;
	RegexCache rc = {0};
	regmatch_t m[10];
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (g[r] < 0 || g[r] > 9) {
			if (func_row_error(cx, out, r, ERR_INVALID_PARAMETER_VALUE,
					   "regexp_extract group %d is out of range (0 to 9)",
					   g[r])) {
				regex_cache_done(&rc);
				return -1;
			}
			continue;
		}
		int k = regex_match_row(&rc, s[r], p[r], m, 10, cx, out, r);
		if (k == -1) {
			regex_cache_done(&rc);
			return -1;
		}
		if (k == -2)
			continue;
		if (k == 0 || m[g[r]].rm_so < 0 || (size_t)g[r] > rc.re.re_nsub) {
			out->nulls[r] = 1;
			continue;
		}
		res[r] = (Str){s[r].p + m[g[r]].rm_so, (uint32_t)(m[g[r]].rm_eo - m[g[r]].rm_so)};
	}
	regex_cache_done(&rc);
	return 0;
}

/* regexp_match_at(s, p, n): element n of PostgreSQL's regexp_match(s, p), the form the binder
 * gives to the subscript regexp_match(s, p)[n] (eddy has no array type). regexp_match's array
 * holds the pattern's groups, or the whole match when the pattern has none; it is NULL when
 * nothing matches, and element n is NULL outside 1..length or for a group that did not take
 * part. Differs from regexp_extract in exactly those points (group 0, no groups, n > 9). */
KERNEL(regexp_match_at_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	const int32_t *g = args[2]->data;
	Str *res = out->data;
	RegexCache rc = {0};
	regmatch_t m[64];
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		int k = regex_match_row(&rc, s[r], p[r], m, 64, cx, out, r);
		if (k == -1) {
			regex_cache_done(&rc);
			return -1;
		}
		if (k == -2)
			continue;
		/* The array's length: the groups, or 1 (the whole match) without groups. */
		int len = rc.re.re_nsub ? (int)rc.re.re_nsub : 1;
		int grp = rc.re.re_nsub ? g[r] : 0;
		if (k == 0 || g[r] < 1 || g[r] > len || grp >= 64 || m[grp].rm_so < 0) {
			out->nulls[r] = 1;
			continue;
		}
		res[r] = (Str){s[r].p + m[grp].rm_so, (uint32_t)(m[grp].rm_eo - m[grp].rm_so)};
	}
	regex_cache_done(&rc);
	return 0;
}

/* regexp_replace(s, p, repl): the first match replaced (PostgreSQL without the 'g' flag);
 * \1..\9 in repl insert groups, \& the whole match. */
KERNEL(regexp_replace_text)
{
	const Str *s = args[0]->data, *p = args[1]->data, *rp = args[2]->data;
	Str *res = out->data;
	RegexCache rc = {0};
	regmatch_t m[10];
	StrBuf sb;
	sb_init(&sb);
	int rcode = 0;
	for (int r = 0; r < n && rcode == 0; r++) {
		if (out->nulls[r])
			continue;
		int k = regex_match_row(&rc, s[r], p[r], m, 10, cx, out, r);
		if (k == -1)
			rcode = -1;
		if (k < 0)
			continue;
		if (k == 0) {
			res[r] = s[r];
			continue;
		}
		sb_reset(&sb);
		sb_append(&sb, s[r].p, (size_t)m[0].rm_so);
		for (uint32_t i = 0; i < rp[r].len; i++) {
			char c = rp[r].p[i];
			if (c == '\\' && i + 1 < rp[r].len) {
				char d = rp[r].p[++i];
				int gi = d == '&' ? 0 : (d >= '1' && d <= '9') ? d - '0' : -1;
				if (gi >= 0 && m[gi].rm_so >= 0)
					sb_append(&sb, s[r].p + m[gi].rm_so,
						  (size_t)(m[gi].rm_eo - m[gi].rm_so));
				else if (gi < 0)
					sb_putc(&sb, d);
				continue;
			}
			sb_putc(&sb, c);
		}
		sb_append(&sb, s[r].p + m[0].rm_eo, s[r].len - (size_t)m[0].rm_eo);
		char *q;
		res[r] = str_alloc(cx, sb.len, &q);
		if (sb.len)
			memcpy(q, sb.data, sb.len);
	}
	sb_deinit(&sb);
	regex_cache_done(&rc);
	return rcode;
}

/* count_char(s, c): how many times the character c occurs in s. An eddy built-in standing in
 * for the Nexmark harness's user-defined function of q14. */
BIN_KERNEL(count_char_text, Str, Str, int64_t, {
	int64_t k = 0;
	for (uint32_t i = 0; y.len && i + y.len <= x.len; i++)
		k += memcmp(x.p + i, y.p, y.len) == 0;
	res[r] = k;
})

/* to_char(timestamp, format) for the PostgreSQL patterns YYYY, MM, DD, HH24, HH12, HH, MI, SS,
 * MS, US (any letter case); other characters are copied. */
KERNEL(to_char_ts)
{
	const int64_t *ts = args[0]->data;
	const Str *fmt = args[1]->data;
	Str *res = out->data;
	StrBuf sb;
	sb_init(&sb);
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		int64_t t = ts[r], days = t / US_PER_DAY, us = t % US_PER_DAY;
		if (us < 0) {
			us += US_PER_DAY;
			days--;
		}
		int64_t y;
		int mo, d;
		dt_civil_from_days(days, &y, &mo, &d);
		int64_t h = us / 3600000000LL, mi = us / 60000000 % 60, sec = us / 1000000 % 60;
		sb_reset(&sb);
		Str fs = fmt[r];
		for (uint32_t i = 0; i < fs.len;) {
			const char *q = fs.p + i;
			size_t left = fs.len - i;
/* Patterns match in any letter case, as PostgreSQL's do ('HH:mm' is hours and month). */
#define TOK(lit) (left >= sizeof lit - 1 && strncasecmp(q, lit, sizeof lit - 1) == 0 && \
		  (i += sizeof lit - 1, true))
			if (TOK("YYYY"))
				sb_printf(&sb, "%04lld", (long long)y);
			else if (TOK("HH24"))
				sb_printf(&sb, "%02lld", (long long)h);
			else if (TOK("HH12") || TOK("HH"))
				sb_printf(&sb, "%02lld", (long long)(h % 12 == 0 ? 12 : h % 12));
			else if (TOK("MM"))
				sb_printf(&sb, "%02d", mo);
			else if (TOK("DD"))
				sb_printf(&sb, "%02d", d);
			else if (TOK("MI"))
				sb_printf(&sb, "%02lld", (long long)mi);
			else if (TOK("SS"))
				sb_printf(&sb, "%02lld", (long long)sec);
			else if (TOK("MS"))
				sb_printf(&sb, "%03lld", (long long)(us / 1000 % 1000));
			else if (TOK("US"))
				sb_printf(&sb, "%06lld", (long long)(us % 1000000));
			else
				sb_putc(&sb, fs.p[i++]);
#undef TOK
		}
		char *p;
		res[r] = str_alloc(cx, sb.len, &p);
		if (sb.len)
			memcpy(p, sb.data, sb.len);
	}
	sb_deinit(&sb);
	return 0;
}

/* ---- the table */

#define B(name, a, b, ret, k) {name, FF_BINOP, 2, {a, b}, ret, true, k}
#define U(name, a, ret, k) {name, FF_PREFIX, 1, {a}, ret, true, k}
#define F1(name, a, ret, k) {name, FF_FUNC, 1, {a}, ret, true, k}
#define F2(name, a, b, ret, k) {name, FF_FUNC, 2, {a, b}, ret, true, k}
#define F3(name, a, b, c, ret, k) {name, FF_FUNC, 3, {a, b, c}, ret, true, k}

#define ARITH_ENTRIES(T, tid)                                                                      \
	B("+", tid, tid, tid, add_##T), B("-", tid, tid, tid, sub_##T),                            \
	B("*", tid, tid, tid, mul_##T), B("/", tid, tid, tid, div_##T),                            \
	U("-", tid, tid, neg_##T), U("+", tid, tid, NULL), F1("abs", tid, tid, abs_##T)
#define MOD_ENTRIES(T, tid) B("%", tid, tid, tid, mod_##T), F2("mod", tid, tid, tid, mod_##T)

#define CMP_ENTRIES(T, tid, ctype, CMP)                                                            \
	B("=", tid, tid, T_BOOL, eq_##T), B("<>", tid, tid, T_BOOL, ne_##T),                       \
	B("<", tid, tid, T_BOOL, lt_##T), B("<=", tid, tid, T_BOOL, le_##T),                       \
	B(">", tid, tid, T_BOOL, gt_##T), B(">=", tid, tid, T_BOOL, ge_##T),                       \
	{"greatest", FF_FUNC, -1, {tid}, tid, false, greatest_##T},                                \
	{"least", FF_FUNC, -1, {tid}, tid, false, least_##T},                                      \
	{"nullif", FF_FUNC, 2, {tid, tid}, tid, false, nullif_##T},

static const FuncDef funcs[] = {
	ARITH_ENTRIES(int2, T_INT2),
	ARITH_ENTRIES(int4, T_INT4),
	ARITH_ENTRIES(int8, T_INT8),
	ARITH_ENTRIES(numeric, T_NUMERIC),
	ARITH_ENTRIES(float4, T_FLOAT4),
	ARITH_ENTRIES(float8, T_FLOAT8),
	MOD_ENTRIES(int2, T_INT2),
	MOD_ENTRIES(int4, T_INT4),
	MOD_ENTRIES(int8, T_INT8),
	MOD_ENTRIES(numeric, T_NUMERIC),
	COMPARABLE_LIST(CMP_ENTRIES)

	/* date/time arithmetic */
	B("+", T_TIMESTAMP, T_INTERVAL, T_TIMESTAMP, ts_pl_iv),
	B("+", T_INTERVAL, T_TIMESTAMP, T_TIMESTAMP, iv_pl_ts),
	B("-", T_TIMESTAMP, T_INTERVAL, T_TIMESTAMP, ts_mi_iv),
	B("-", T_TIMESTAMP, T_TIMESTAMP, T_INTERVAL, ts_mi_ts),
	B("+", T_TIMESTAMPTZ, T_INTERVAL, T_TIMESTAMPTZ, ts_pl_iv),
	B("+", T_INTERVAL, T_TIMESTAMPTZ, T_TIMESTAMPTZ, iv_pl_ts),
	B("-", T_TIMESTAMPTZ, T_INTERVAL, T_TIMESTAMPTZ, ts_mi_iv),
	B("-", T_TIMESTAMPTZ, T_TIMESTAMPTZ, T_INTERVAL, ts_mi_ts),
	B("+", T_DATE, T_INTERVAL, T_TIMESTAMP, date_pl_iv),
	B("+", T_INTERVAL, T_DATE, T_TIMESTAMP, iv_pl_date),
	B("-", T_DATE, T_INTERVAL, T_TIMESTAMP, date_mi_iv),
	B("+", T_DATE, T_INT4, T_DATE, date_pl_int),
	B("+", T_INT4, T_DATE, T_DATE, int_pl_date),
	B("-", T_DATE, T_INT4, T_DATE, date_mi_int),
	B("-", T_DATE, T_DATE, T_INT4, date_mi_date),
	B("+", T_INTERVAL, T_INTERVAL, T_INTERVAL, iv_pl_iv),
	B("-", T_INTERVAL, T_INTERVAL, T_INTERVAL, iv_mi_iv),
	B("*", T_INTERVAL, T_FLOAT8, T_INTERVAL, iv_mul_f8),
	B("*", T_FLOAT8, T_INTERVAL, T_INTERVAL, f8_mul_iv),
	B("/", T_INTERVAL, T_FLOAT8, T_INTERVAL, iv_div_f8),
	U("-", T_INTERVAL, T_INTERVAL, neg_interval),
	U("+", T_INTERVAL, T_INTERVAL, NULL),

	/* strings */
	B("||", T_VARCHAR, T_VARCHAR, T_VARCHAR, concat_op),
	B("like", T_VARCHAR, T_VARCHAR, T_BOOL, like_text),
	B("not like", T_VARCHAR, T_VARCHAR, T_BOOL, not_like_text),
	B("ilike", T_VARCHAR, T_VARCHAR, T_BOOL, ilike_text),
	B("not ilike", T_VARCHAR, T_VARCHAR, T_BOOL, not_ilike_text),
	F1("lower", T_VARCHAR, T_VARCHAR, lower_text),
	F1("upper", T_VARCHAR, T_VARCHAR, upper_text),
	F1("length", T_VARCHAR, T_INT4, length_text),
	F1("char_length", T_VARCHAR, T_INT4, length_text),
	F1("character_length", T_VARCHAR, T_INT4, length_text),
	F1("octet_length", T_VARCHAR, T_INT4, octet_length_text),
	F2("substr", T_VARCHAR, T_INT4, T_VARCHAR, substr2),
	F3("substr", T_VARCHAR, T_INT4, T_INT4, T_VARCHAR, substr3),
	F2("substring", T_VARCHAR, T_INT4, T_VARCHAR, substr2),
	F3("substring", T_VARCHAR, T_INT4, T_INT4, T_VARCHAR, substr3),
	F2("strpos", T_VARCHAR, T_VARCHAR, T_INT4, strpos_text),
	/* POSITION(sub IN s) arrives as position(s, sub), as in PostgreSQL's catalog. */
	F2("position", T_VARCHAR, T_VARCHAR, T_INT4, strpos_text),
	F1("btrim", T_VARCHAR, T_VARCHAR, btrim1),
	F2("btrim", T_VARCHAR, T_VARCHAR, T_VARCHAR, btrim2),
	F1("trim", T_VARCHAR, T_VARCHAR, btrim1),
	F2("trim", T_VARCHAR, T_VARCHAR, T_VARCHAR, btrim2),
	F1("ltrim", T_VARCHAR, T_VARCHAR, ltrim1),
	F2("ltrim", T_VARCHAR, T_VARCHAR, T_VARCHAR, ltrim2),
	F1("rtrim", T_VARCHAR, T_VARCHAR, rtrim1),
	F2("rtrim", T_VARCHAR, T_VARCHAR, T_VARCHAR, rtrim2),
	F3("replace", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR, replace_text),
	F2("left", T_VARCHAR, T_INT4, T_VARCHAR, left_text),
	F2("right", T_VARCHAR, T_INT4, T_VARCHAR, right_text),
	F3("split_part", T_VARCHAR, T_VARCHAR, T_INT4, T_VARCHAR, split_part_text),
	F2("starts_with", T_VARCHAR, T_VARCHAR, T_BOOL, starts_with_text),
	B("~", T_VARCHAR, T_VARCHAR, T_BOOL, regexp_like_text),
	F2("regexp_like", T_VARCHAR, T_VARCHAR, T_BOOL, regexp_like_text),
	F3("regexp_extract", T_VARCHAR, T_VARCHAR, T_INT4, T_VARCHAR, regexp_extract_text),
	F3("regexp_match_at", T_VARCHAR, T_VARCHAR, T_INT4, T_VARCHAR, regexp_match_at_text),
	F3("regexp_replace", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR, regexp_replace_text),
	F2("count_char", T_VARCHAR, T_VARCHAR, T_INT8, count_char_text),
	F2("to_char", T_TIMESTAMP, T_VARCHAR, T_VARCHAR, to_char_ts),
	F2("to_char", T_TIMESTAMPTZ, T_VARCHAR, T_VARCHAR, to_char_ts),
	{"concat", FF_FUNC, -1, {T_NULL}, T_VARCHAR, false, concat_fn},
	{"concat_ws", FF_FUNC, -1, {T_NULL}, T_VARCHAR, false, concat_ws_fn},

	/* math */
	F1("round", T_FLOAT8, T_FLOAT8, round_float8),
	F1("round", T_NUMERIC, T_NUMERIC, round_numeric),
	F2("round", T_NUMERIC, T_INT4, T_NUMERIC, round_numeric_int),
	F1("trunc", T_FLOAT8, T_FLOAT8, trunc_float8),
	F1("trunc", T_NUMERIC, T_NUMERIC, trunc_numeric),
	F2("trunc", T_NUMERIC, T_INT4, T_NUMERIC, trunc_numeric_int),
	F1("floor", T_FLOAT8, T_FLOAT8, floor_float8),
	F1("floor", T_NUMERIC, T_NUMERIC, floor_numeric),
	F1("ceil", T_FLOAT8, T_FLOAT8, ceil_float8),
	F1("ceil", T_NUMERIC, T_NUMERIC, ceil_numeric),
	F1("ceiling", T_FLOAT8, T_FLOAT8, ceil_float8),
	F1("ceiling", T_NUMERIC, T_NUMERIC, ceil_numeric),
	F1("sign", T_FLOAT8, T_FLOAT8, sign_float8),
	F1("sign", T_NUMERIC, T_NUMERIC, sign_numeric),
	F1("sqrt", T_FLOAT8, T_FLOAT8, sqrt_float8),
	F2("power", T_FLOAT8, T_FLOAT8, T_FLOAT8, power_float8),
	F2("pow", T_FLOAT8, T_FLOAT8, T_FLOAT8, power_float8),

	/* date/time functions */
	{"now", FF_FUNC, 0, {T_NULL}, T_TIMESTAMPTZ, true, now_kernel},
	{"proctime", FF_FUNC, 0, {T_NULL}, T_TIMESTAMPTZ, true, now_kernel},
	F2("date_trunc", T_VARCHAR, T_TIMESTAMP, T_TIMESTAMP, date_trunc_ts),
	F2("date_trunc", T_VARCHAR, T_TIMESTAMPTZ, T_TIMESTAMPTZ, date_trunc_ts),
	F2("date_part", T_VARCHAR, T_TIMESTAMP, T_FLOAT8, date_part_ts),
	F2("date_part", T_VARCHAR, T_TIMESTAMPTZ, T_FLOAT8, date_part_ts),
	F2("date_part", T_VARCHAR, T_INTERVAL, T_FLOAT8, date_part_iv),
	F2("extract", T_VARCHAR, T_TIMESTAMP, T_NUMERIC, extract_ts),
	F2("extract", T_VARCHAR, T_TIMESTAMPTZ, T_NUMERIC, extract_ts),
	F2("extract", T_VARCHAR, T_INTERVAL, T_NUMERIC, extract_iv),
	F1("to_timestamp", T_FLOAT8, T_TIMESTAMPTZ, to_timestamp_float8),
};

const FuncDef *func_table(void)
{
	return funcs;
}

int func_count(void)
{
	return (int)(sizeof funcs / sizeof funcs[0]);
}

bool func_exists(const char *name)
{
	for (int i = 0; i < func_count(); i++)
		if (strcmp(funcs[i].name, name) == 0)
			return true;
	return false;
}

const FuncDef *func_eq(TypeId t)
{
	if (t == T_UNKNOWN)
		t = T_VARCHAR;
	for (int i = 0; i < func_count(); i++)
		if (funcs[i].form == FF_BINOP && strcmp(funcs[i].name, "=") == 0 &&
		    funcs[i].args[0] == t && funcs[i].args[1] == t)
			return &funcs[i];
	return NULL;
}
