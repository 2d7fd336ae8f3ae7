/* func.c: the scalar function and operator table and its vectorized kernels (see func.h).
 *
 * Layer: expr. Kernels are written once as macros and expanded per type: the arithmetic of each
 * integer width, of floats and of numerics, the six comparisons of every comparable type, the
 * date/time operators. The table at the bottom lists every FuncDef exactly once; expr.c resolves
 * calls against it and eval.c runs the kernels. Errors follow PostgreSQL: 22003 "integer out of
 * range", 22012 "division by zero", 22P02 for bad text.
 */
#include "expr/func.h"
#include "expr/expr_int.h"
#include "expr/regex.h"

#include "vec/array.h"
#include "vec/datetime.h"
#include "vec/numeric.h"

#include <ctype.h>
#include <emmintrin.h>
#include <math.h>
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
/* Mantissas below 2^63 multiply into less than 2^126 < 10^38 exactly, so num_mul's 256-bit
 * product is needed only for larger ones or a scale beyond the maximum. */
BIN_KERNEL(mul_numeric, Numeric, Numeric, Numeric, {
	if (x.m >= INT64_MIN && x.m <= INT64_MAX && y.m >= INT64_MIN && y.m <= INT64_MAX &&
	    x.scale + y.scale <= NUMERIC_MAX_SCALE) {
		res[r] = num_make(x.m * y.m, x.scale + y.scale);
	} else {
		Err le;
		err_clear(&le);
		if (num_mul(x, y, &res[r], &le))
			ROW_FAIL(&le);
	}
})
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

/* The comparisons of plain C values (integers, dates, timestamps): one branch-free loop over all
 * rows that the compiler vectorizes; a NULL row's result is false and ignored. */
#define CMP_DENSE(name, ctype, OP)                                                                 \
	EXPR_VECTORIZE KERNEL(name)                                                                \
	{                                                                                          \
		const ctype *restrict a_ = (const ctype *)args[0]->data;                           \
		const ctype *restrict b_ = (const ctype *)args[1]->data;                           \
		const uint8_t *restrict nl = out->nulls;                                           \
		uint8_t *restrict res = (uint8_t *)out->data;                                      \
		(void)f, (void)nargs, (void)cx;                                                    \
		for (int r = 0; r < n; r++)                                                        \
			res[r] = (uint8_t)((a_[r] OP b_[r]) & !nl[r]);                             \
		return 0;                                                                          \
	}
#define CMP_KERNELS_PLAIN(T, ctype)                                                                \
	CMP_DENSE(eq_##T, ctype, ==)                                                               \
	CMP_DENSE(ne_##T, ctype, !=)                                                               \
	CMP_DENSE(lt_##T, ctype, <)                                                                \
	CMP_DENSE(le_##T, ctype, <=)                                                               \
	CMP_DENSE(gt_##T, ctype, >)                                                                \
	CMP_DENSE(ge_##T, ctype, >=)

/* Text: equality needs no ordering, so unequal lengths answer at once. */
static inline bool str_eq(Str a, Str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}
#define CMP_KERNELS_TEXT(T, ctype, CMP)                                                            \
	BIN_KERNEL(eq_##T, ctype, ctype, uint8_t, { res[r] = str_eq(x, y); })                      \
	BIN_KERNEL(ne_##T, ctype, ctype, uint8_t, { res[r] = !str_eq(x, y); })                     \
	BIN_KERNEL(lt_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) < 0; })                     \
	BIN_KERNEL(le_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) <= 0; })                    \
	BIN_KERNEL(gt_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) > 0; })                     \
	BIN_KERNEL(ge_##T, ctype, ctype, uint8_t, { res[r] = CMP(x, y) >= 0; })

/* num_cmp without the 128-bit divisions when the scales differ but the value of smaller scale,
 * rescaled, still fits (it does for every mantissa below 2^63 and a scale gap up to 18). */
static inline int num_cmp_fast(Numeric a, Numeric b)
{
	if (a.scale != b.scale) {
		bool a_small = a.scale < b.scale;
		__int128 m = a_small ? a.m : b.m;
		int gap = a_small ? b.scale - a.scale : a.scale - b.scale;
		if (gap > 18 || m < INT64_MIN || m > INT64_MAX)
			return num_cmp(a, b);
		static const int64_t p10[19] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL,
						1000000LL, 10000000LL, 100000000LL, 1000000000LL,
						10000000000LL, 100000000000LL, 1000000000000LL,
						10000000000000LL, 100000000000000LL,
						1000000000000000LL, 10000000000000000LL,
						100000000000000000LL, 1000000000000000000LL};
		m *= p10[gap];
		if (a_small)
			return m < b.m ? -1 : m > b.m;
		return a.m < m ? -1 : a.m > m;
	}
	return a.m < b.m ? -1 : a.m > b.m;
}

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

#define CMP_SEL_CMP_PLAIN(T, ctype, CMP) CMP_KERNELS_PLAIN(T, ctype)
#define CMP_SEL_CMP_FLOAT(T, ctype, CMP) CMP_KERNELS(T, ctype, CMP)
#define CMP_SEL_num_cmp(T, ctype, CMP) CMP_KERNELS(T, ctype, num_cmp_fast)
#define CMP_SEL_cmp_str(T, ctype, CMP) CMP_KERNELS_TEXT(T, ctype, CMP)
#define CMP_SEL_dt_iv_cmp(T, ctype, CMP) CMP_KERNELS(T, ctype, CMP)
#define EXPAND_CMP(T, tid, ctype, CMP) CMP_SEL_##CMP(T, ctype, CMP)
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

/* The field argument of date_trunc / date_part / extract, resolved: what func_prepare leaves in
 * a call whose field is a constant (the name is then looked up once per expression, not once
 * per row), and what the kernels work out for each row otherwise. */
typedef struct FieldArg {
	int field;     /* dt_field's answer; DT_FIELD_BAD fails each row, as PostgreSQL does */
	int scale;     /* extract's scale for the field */
	char name[32]; /* lower case (fields are short words), for the error message */
} FieldArg;

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

static void field_arg_init(FieldArg *fa, Str s)
{
	size_t l = s.len < sizeof fa->name - 1 ? s.len : sizeof fa->name - 1;
	for (size_t k = 0; k < l; k++)
		fa->name[k] = (char)tolower((unsigned char)s.p[k]);
	fa->name[l] = '\0';
	fa->field = dt_field(fa->name);
	fa->scale = extract_scale(fa->name);
}

/* The row's field: the call's prepared one, else x resolved into *tmp. */
static inline const FieldArg *field_arg(const ExprCtx *cx, Str x, FieldArg *tmp)
{
	if (cx->fstate)
		return cx->fstate;
	field_arg_init(tmp, x);
	return tmp;
}

BIN_KERNEL(date_trunc_ts, Str, int64_t, int64_t, {
	FieldArg tmp;
	const FieldArg *fa = field_arg(cx, x, &tmp);
	Err le;
	err_clear(&le);
	if (dt_trunc_field(fa->field, fa->name, y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_part_ts, Str, int64_t, double, {
	FieldArg tmp;
	const FieldArg *fa = field_arg(cx, x, &tmp);
	Err le;
	err_clear(&le);
	if (dt_part_field(fa->field, fa->name, y, &res[r], &le))
		ROW_FAIL(&le);
})
BIN_KERNEL(date_part_iv, Str, Interval, double, {
	FieldArg tmp;
	const FieldArg *fa = field_arg(cx, x, &tmp);
	Err le;
	err_clear(&le);
	if (dt_part_interval_field(fa->field, fa->name, y, &res[r], &le))
		ROW_FAIL(&le);
})

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
	FieldArg tmp;
	const FieldArg *fa = field_arg(cx, x, &tmp);
	Err le;
	err_clear(&le);
	double d;
	if (dt_part_field(fa->field, fa->name, y, &d, &le))
		ROW_FAIL(&le);
	res[r] = extract_numeric(d, fa->scale);
})
BIN_KERNEL(extract_iv, Str, Interval, Numeric, {
	FieldArg tmp;
	const FieldArg *fa = field_arg(cx, x, &tmp);
	Err le;
	err_clear(&le);
	double d;
	if (dt_part_interval_field(fa->field, fa->name, y, &d, &le))
		ROW_FAIL(&le);
	res[r] = extract_numeric(d, fa->scale);
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

/* lower/upper as the C locale's tolower/toupper (eddy never sets a locale): only the ASCII
 * letters of the other case change (from + 0 .. from + 25, by delta). A string with none of
 * them is its own result and is not copied (q21's channels are lower case already). */
#define CASE_KERNEL(name, from, delta)                                                             \
	UN_KERNEL(name, Str, Str, {                                                                \
		uint32_t k = 0;                                                                    \
		while (k < x.len && (unsigned char)(x.p[k] - (from)) >= 26u)                       \
			k++;                                                                       \
		if (k == x.len) {                                                                  \
			res[r] = x;                                                                \
			goto next_row;                                                             \
		}                                                                                  \
		char *p;                                                                           \
		res[r] = str_alloc(cx, x.len, &p);                                                 \
		memcpy(p, x.p, k);                                                                 \
		for (; k < x.len; k++) {                                                           \
			unsigned char c = (unsigned char)x.p[k];                                   \
			p[k] = (char)((unsigned char)(c - (from)) < 26u ? c + (delta) : c);        \
		}                                                                                  \
	})
CASE_KERNEL(lower_text, 'A', 32)
CASE_KERNEL(upper_text, 'a', -32)
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
	if (delim.len == 1 && want > 0) {
		/* One delimiter byte (a URL's '/'): fields are short, so rather than a memchr call
		 * per field, 16 bytes are compared at once and the delimiters found in them are
		 * taken from the bit mask; the tail goes byte by byte. */
		const char c = delim.p[0], *start = s.p;
		const __m128i vc = _mm_set1_epi8(c);
		uint32_t q = 0;
		for (; q + 16 <= s.len; q += 16) {
			__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(s.p + q));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, vc));
			for (; m; m &= m - 1, i++) {
				const char *at = s.p + q + __builtin_ctz(m);
				if (i == want) {
					*field = (Str){start, (uint32_t)(at - start)};
					return i;
				}
				start = at + 1;
			}
		}
		for (; q < s.len; q++) {
			if (s.p[q] != c)
				continue;
			if (i == want) {
				*field = (Str){start, (uint32_t)(s.p + q - start)};
				return i;
			}
			start = s.p + q + 1;
			i++;
		}
		if (i == want)
			*field = (Str){start, (uint32_t)(s.p + s.len - start)};
		return i;
	}
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

/* ---- regular expressions (PCRE2, through expr/regex.h) and Nexmark helpers */

/* The regexp functions: where each takes its flags (the argument, or -1 for none), the flag
 * letters the function itself implies (~* is case-insensitive) and whether 'g' is allowed. The
 * pattern is always the second argument. */
typedef struct RegexUse {
	const char *name;
	int nargs;
	int flags_arg;
	const char *implied;
	bool global_ok;
} RegexUse;

static const RegexUse regex_uses[] = {
	{"~", 2, -1, "", false},
	{"~*", 2, -1, "i", false},
	{"regexp_like", 2, -1, "", false},
	{"regexp_like", 3, 2, "", false},
	{"regexp_extract", 3, -1, "", false},
	{"regexp_match_at", 3, -1, "", false},
	{"regexp_match", 2, -1, "", false},
	{"regexp_match", 3, 2, "", false},
	{"regexp_replace", 3, -1, "", true},
	{"regexp_replace", 4, 3, "", true},
};

static const RegexUse *regex_use(const FuncDef *f)
{
	for (size_t i = 0; i < sizeof regex_uses / sizeof regex_uses[0]; i++)
		if (regex_uses[i].nargs == f->nargs && strcmp(regex_uses[i].name, f->name) == 0)
			return &regex_uses[i];
	return NULL;
}

/* The flags of a call: the implied letters, then those of the flags argument (NULL: none). */
static int regex_flags(const RegexUse *u, const Str *flags, RxFlags *out, Err *e)
{
	*out = rx_flags_default();
	if (rx_flags_apply(out, u->implied, strlen(u->implied), u->name, u->global_ok, e))
		return -1;
	return flags ? rx_flags_apply(out, flags->p, flags->len, u->name, u->global_ok, e) : 0;
}

/* What func_prepare leaves in a regexp call's node: the flags when the flags are constant, and
 * the compiled pattern when the pattern is constant too (NULL: a NULL pattern). */
typedef struct RegexState {
	Regex *re;
	RxFlags flags;
	bool fixed; /* pattern and flags constant: re and flags hold for every row */
} RegexState;

/* The constant value of argument x into *v (strings in a); false when x is not constant. */
static bool const_arg(const Expr *x, Arena *a, Value *v, Err *e, int *rc)
{
	*rc = 0;
	if (!expr_is_const(x))
		return false;
	ExprCtx cx;
	memset(&cx, 0, sizeof cx);
	cx.arena = a;
	cx.err = e;
	*rc = expr_eval_const(x, v, &cx);
	return *rc == 0;
}

static bool datetime_prepare(const FuncDef *f, Expr *const *args, Arena *a, void **state);

int func_prepare(const FuncDef *f, Expr *const *args, int nargs, Arena *a, void **state, Err *e)
{
	*state = NULL;
	if (datetime_prepare(f, args, a, state))
		return 0;
	const RegexUse *u = regex_use(f);
	if (!u)
		return 0;
	Arena tmp;
	arena_init(&tmp, 0);
	Value pv, fv;
	int rc = 0, frc = 0;
	bool pconst = const_arg(args[1], &tmp, &pv, e, &rc);
	bool fconst = u->flags_arg < 0 || const_arg(args[u->flags_arg], &tmp, &fv, e, &frc);
	if (rc || frc || !pconst || !fconst || pv.null ||
	    (u->flags_arg >= 0 && fv.null)) {
		/* Not constant (compiled per call in the kernel) or NULL (the call is NULL). */
		arena_deinit(&tmp);
		return rc || frc ? -1 : 0;
	}
	RegexState *st = arena_calloc(a, sizeof *st);
	Err le;
	err_clear(&le);
	if (regex_flags(u, u->flags_arg < 0 ? NULL : &fv.u.s, &st->flags, &le) ||
	    !(st->re = rx_compile(pv.u.s.p, pv.u.s.len, st->flags.opts, &le))) {
		int loc = le.code == ERR_INVALID_REGEX ? args[1]->location
						       : args[u->flags_arg]->location;
		err_set_pos(e, le.code, loc, "%s", le.msg);
		arena_deinit(&tmp);
		return -1;
	}
	arena_on_release(a, rx_free_cb, st->re);
	st->fixed = true;
	*state = st;
	arena_deinit(&tmp);
	return 0;
}

/* One kernel call's pattern for each row: the node's compiled pattern when it is constant,
 * else one compiled here and kept while consecutive rows repeat it (freed at the end), and a
 * match block taken from whichever is current. */
typedef struct RegexRows {
	const RegexUse *use;
	const RegexState *st; /* the node's state; NULL when func_prepare left none */
	const Str *flags;     /* the flags argument's values, or NULL */
	Regex *re;            /* the current row's pattern */
	RxMatch *m;           /* a match block of re */
	Regex *own;           /* compiled by this call (pattern or flags not constant) */
	char *own_pat;        /* own's pattern text and options: the cache key */
	size_t own_len;
	uint32_t own_opts;
	RxFlags fl;           /* the current row's flags */
	Err le;               /* a failing row's error, before func_row_fail decides */
} RegexRows;

static void regex_rows_init(RegexRows *c, const FuncDef *f, const Vector *const *args,
			    ExprCtx *cx)
{
	memset(c, 0, sizeof *c);
	c->use = regex_use(f);
	c->st = cx->fstate;
	c->flags = c->use->flags_arg >= 0 ? args[c->use->flags_arg]->data : NULL;
	err_clear(&c->le);
}

static void regex_use_re(RegexRows *c, Regex *re)
{
	if (c->re == re)
		return;
	if (c->m)
		rx_match_give(c->re, c->m);
	c->re = re;
	c->m = rx_match_take(re);
}

static void regex_rows_done(RegexRows *c)
{
	if (c->m)
		rx_match_give(c->re, c->m);
	rx_free(c->own);
	mem_free(c->own_pat);
}

/* Makes row r's pattern current: 1 ready, 0 the row failed (NULL in null_on_error mode), -1
 * the call failed. */
static int regex_row(RegexRows *c, Str p, int r, Vector *out, ExprCtx *cx)
{
	if (c->st && c->st->fixed) {
		c->fl = c->st->flags;
		regex_use_re(c, c->st->re);
		return 1;
	}
	if (regex_flags(c->use, c->flags ? &c->flags[r] : NULL, &c->fl, &c->le))
		goto fail;
	if (!c->own || c->own_len != p.len || c->own_opts != c->fl.opts ||
	    memcmp(c->own_pat, p.p, p.len) != 0) {
		if (c->m)
			rx_match_give(c->re, c->m);
		c->m = NULL;
		c->re = NULL;
		rx_free(c->own);
		mem_free(c->own_pat);
		c->own_pat = mem_strndup(p.len ? p.p : "", p.len);
		c->own_len = p.len;
		c->own_opts = c->fl.opts;
		if (!(c->own = rx_compile(p.p, p.len, c->fl.opts, &c->le)))
			goto fail;
	}
	regex_use_re(c, c->own);
	return 1;
fail:
	if (func_row_fail(cx, out, r, &c->le))
		return -1;
	err_clear(&c->le);
	return 0;
}

/* Matches s from byte `start` with the current pattern: 1 match, 0 none, -1 the call failed,
 * -2 the row failed. */
static int regex_exec(RegexRows *c, Str s, size_t start, int r, Vector *out, ExprCtx *cx)
{
	int k = rx_exec(c->re, c->m, s.p, s.len, start, &c->le);
	if (k >= 0)
		return k;
	if (func_row_fail(cx, out, r, &c->le))
		return -1;
	err_clear(&c->le);
	return -2;
}

/* Row r's pattern made current and matched against s from the start: as regex_exec. */
static int regex_first(RegexRows *c, Str s, Str p, int r, Vector *out, ExprCtx *cx)
{
	int k = regex_row(c, p, r, out, cx);
	if (k <= 0)
		return k < 0 ? -1 : -2;
	return regex_exec(c, s, 0, r, out, cx);
}

/* regexp_like(s, p [, flags]) and s ~ p, s ~* p: whether p matches somewhere in s. */
KERNEL(regexp_like_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	uint8_t *res = out->data;
	RegexRows c;
	regex_rows_init(&c, f, args, cx);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r])
			continue;
		int k = regex_first(&c, s[r], p[r], r, out, cx);
		if (k == -1)
			rc = -1;
		else if (k >= 0)
			res[r] = (uint8_t)k;
	}
	regex_rows_done(&c);
	return rc;
}

/* Group g of the current match as row r's result; NULL when it did not take part. */
static void regex_group_out(const RegexRows *c, Str s, int g, Vector *out, int r)
{
	size_t so, eo;
	if (!rx_group(c->m, g, &so, &eo)) {
		out->nulls[r] = 1;
		return;
	}
	((Str *)out->data)[r] = (Str){s.p + so, (uint32_t)(eo - so)};
}

/* regexp_extract(s, p, g) (Flink's name): group g (0 = the whole match) of the first match,
 * NULL when nothing matches or the group did not take part. */
KERNEL(regexp_extract_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	const int32_t *g = args[2]->data;
	RegexRows c;
	regex_rows_init(&c, f, args, cx);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r])
			continue;
		if (g[r] < 0 || g[r] > 9) {
			rc = func_row_error(cx, out, r, ERR_INVALID_PARAMETER_VALUE,
					    "regexp_extract group %d is out of range (0 to 9)", g[r]);
			continue;
		}
		int k = regex_first(&c, s[r], p[r], r, out, cx);
		if (k == -1)
			rc = -1;
		else if (k == 0)
			out->nulls[r] = 1;
		else if (k == 1)
			regex_group_out(&c, s[r], g[r], out, r);
	}
	regex_rows_done(&c);
	return rc;
}

/* regexp_match_at(s, p, n): element n of PostgreSQL's regexp_match(s, p), the form the binder
 * gives to the subscript regexp_match(s, p)[n] (eddy has no array type). regexp_match's array
 * holds the pattern's groups, or the whole match when the pattern has none; it is NULL when
 * nothing matches, and element n is NULL outside 1..length or for a group that did not take
 * part. Differs from regexp_extract in exactly those points (group 0, no groups, n > 9). */
/* Row r's first match of s[r]: true when there is one; else the row is NULL (no match) or *rc
 * is -1 (the call failed). */
static bool first_match_row(RegexRows *c, Str s, Str p, int r, Vector *out, ExprCtx *cx,
			    int *rc)
{
	int k = regex_first(c, s, p, r, out, cx);
	if (k == -1)
		*rc = -1;
	if (k == 0)
		out->nulls[r] = 1;
	return k == 1;
}

KERNEL(regexp_match_at_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	const int32_t *g = args[2]->data;
	RegexRows c;
	regex_rows_init(&c, f, args, cx);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r] || !first_match_row(&c, s[r], p[r], r, out, cx, &rc))
			continue;
		/* The array's length: the groups, or 1 (the whole match) without groups. */
		int groups = rx_groups(c.re);
		int len = groups ? groups : 1;
		if (g[r] < 1 || g[r] > len)
			out->nulls[r] = 1;
		else
			regex_group_out(&c, s[r], groups ? g[r] : 0, out, r);
	}
	regex_rows_done(&c);
	return rc;
}

/* Appends PostgreSQL's replacement text for the current match of s: \1..\9 insert a group
 * (nothing for a group that did not take part or does not exist), \& the whole match, \\ one
 * backslash; a backslash before anything else is copied as it is. */
static void regex_append_repl(StrBuf *sb, const RegexRows *c, Str s, Str rp)
{
	for (uint32_t i = 0; i < rp.len; i++) {
		char ch = rp.p[i];
		if (ch != '\\' || i + 1 == rp.len) {
			sb_putc(sb, ch);
			continue;
		}
		char d = rp.p[i + 1];
		int gi = d == '&' ? 0 : (d >= '1' && d <= '9') ? d - '0' : -1;
		size_t so, eo;
		if (gi >= 0) {
			if (gi <= rx_groups(c->re) && rx_group(c->m, gi, &so, &eo))
				sb_append(sb, s.p + so, eo - so);
			i++;
		} else if (d == '\\') {
			sb_putc(sb, '\\');
			i++;
		} else {
			sb_putc(sb, ch);
		}
	}
}

/* regexp_replace(s, p, repl [, flags]): the first match replaced, every match with 'g'. After
 * an empty match the next search starts one character further on, as in PostgreSQL. */
KERNEL(regexp_replace_text)
{
	const Str *s = args[0]->data, *p = args[1]->data, *rp = args[2]->data;
	Str *res = out->data;
	RegexRows c;
	regex_rows_init(&c, f, args, cx);
	StrBuf sb;
	sb_init(&sb);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r])
			continue;
		int k = regex_first(&c, s[r], p[r], r, out, cx);
		if (k == -1)
			rc = -1;
		if (k == 0)
			res[r] = s[r];
		if (k != 1)
			continue;
		sb_reset(&sb);
		size_t copied = 0, so, eo;
		while (k == 1 && rx_group(c.m, 0, &so, &eo)) {
			sb_append(&sb, s[r].p + copied, so - copied);
			regex_append_repl(&sb, &c, s[r], rp[r]);
			copied = eo;
			if (!c.fl.global || eo >= s[r].len)
				break;
			size_t next = eo;
			if (so == eo) /* an empty match: step over one character */
				next += utf8_char_len(s[r].p + eo, s[r].len - eo);
			k = regex_exec(&c, s[r], next, r, out, cx);
		}
		if (k == -1)
			rc = -1;
		if (k < 0)
			continue;
		sb_append(&sb, s[r].p + copied, s[r].len - copied);
		char *q;
		res[r] = str_alloc(cx, sb.len, &q);
		if (sb.len)
			memcpy(q, sb.data, sb.len);
	}
	sb_deinit(&sb);
	regex_rows_done(&c);
	return rc;
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
 * MS, US (any letter case); other characters are copied. The format is compiled into pieces
 * (a run of literal text, or a pattern) once per expression when it is a constant (func_prepare),
 * else once per distinct format in a call; the digits are then written straight into the result,
 * whose length the compiled format knows. */

/* X(kind, pattern, digits): matched in this order at each position, as PostgreSQL matches the
 * longest pattern first ('HH24' before 'HH'). Patterns match in any letter case ('HH:mm' is
 * hours and month). */
#define TO_CHAR_PATTERNS(X)                                                                        \
	X(TC_YYYY, "YYYY", 4)                                                                      \
	X(TC_HH24, "HH24", 2)                                                                      \
	X(TC_HH12, "HH12", 2)                                                                      \
	X(TC_HH, "HH", 2)                                                                          \
	X(TC_MM, "MM", 2)                                                                          \
	X(TC_DD, "DD", 2)                                                                          \
	X(TC_MI, "MI", 2)                                                                          \
	X(TC_SS, "SS", 2)                                                                          \
	X(TC_MS, "MS", 3)                                                                          \
	X(TC_US, "US", 6)

typedef enum TcKind {
#define TC_ENUM(kind, pat, digits) kind,
	TO_CHAR_PATTERNS(TC_ENUM)
#undef TC_ENUM
	TC_LIT
} TcKind;

static const struct {
	const char *pat;
	uint32_t len;
	int digits;
} tc_patterns[] = {
#define TC_ROW(kind, pat, digits) {pat, sizeof pat - 1, digits},
	TO_CHAR_PATTERNS(TC_ROW)
#undef TC_ROW
};

/* The unit of time each pattern shows, in microseconds (a day for the date fields). */
static const int64_t tc_units[] = {
	[TC_YYYY] = US_PER_DAY, [TC_HH24] = 3600000000LL, [TC_HH12] = 3600000000LL,
	[TC_HH] = 3600000000LL, [TC_MM] = US_PER_DAY,     [TC_DD] = US_PER_DAY,
	[TC_MI] = 60000000LL,   [TC_SS] = 1000000LL,      [TC_MS] = 1000LL,
	[TC_US] = 1LL,
};

typedef struct TcPiece {
	TcKind kind;
	uint32_t off, len; /* TC_LIT: text[off, off + len) */
} TcPiece;

typedef struct ToCharFmt {
	char *text;   /* the format's bytes (owned by the arena it was compiled into) */
	uint32_t text_len;
	int npieces;
	int nyears;   /* YYYY pieces: their width is 4 only for years 0..9999 */
	size_t width; /* result bytes when the year has four digits */
	int64_t unit; /* microseconds of the finest field: times in one such unit print alike */
	TcPiece pieces[];
} ToCharFmt;

static ToCharFmt *to_char_compile(const char *p, uint32_t len, Arena *a)
{
	ToCharFmt *fm = arena_alloc(a, sizeof *fm + sizeof(TcPiece) * (len ? len : 1));
	fm->text = arena_alloc(a, len ? len : 1);
	memcpy(fm->text, p, len);
	fm->text_len = len;
	fm->npieces = fm->nyears = 0;
	fm->width = 0;
	fm->unit = US_PER_DAY;
	for (uint32_t i = 0; i < len;) {
		int k = 0;
		for (; k < TC_LIT; k++)
			if (len - i >= tc_patterns[k].len &&
			    strncasecmp(p + i, tc_patterns[k].pat, tc_patterns[k].len) == 0)
				break;
		TcPiece *last = fm->npieces ? &fm->pieces[fm->npieces - 1] : NULL;
		if (k < TC_LIT) {
			fm->pieces[fm->npieces++] = (TcPiece){(TcKind)k, i, tc_patterns[k].len};
			fm->width += (size_t)tc_patterns[k].digits;
			fm->nyears += k == TC_YYYY;
			int64_t u = tc_units[k];
			if (u < fm->unit)
				fm->unit = u;
			i += tc_patterns[k].len;
		} else if (last && last->kind == TC_LIT) {
			last->len++, fm->width++, i++;
		} else {
			fm->pieces[fm->npieces++] = (TcPiece){TC_LIT, i, 1};
			fm->width++, i++;
		}
	}
	return fm;
}

/* v (0 <= v < 10^w) as w digits. */
static inline void put_digits(char *p, int64_t v, int w)
{
	for (int i = w - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

/* Writes the format for one time: year y, month mo, day d, us into the day. ytext/ylen: the
 * year's text when it is not four digits (ylen 0 when it is). */
static void to_char_write(const ToCharFmt *fm, int64_t y, int mo, int d, int64_t us,
			  const char *ytext, int ylen, char *p)
{
	int64_t h = us / 3600000000LL;
	for (int k = 0; k < fm->npieces; k++) {
		const TcPiece *pc = &fm->pieces[k];
		switch (pc->kind) {
		case TC_LIT:
			memcpy(p, fm->text + pc->off, pc->len);
			p += pc->len;
			continue;
		case TC_YYYY:
			if (ylen) {
				memcpy(p, ytext, (size_t)ylen);
				p += ylen;
				continue;
			}
			put_digits(p, y, 4);
			break;
		case TC_HH24:
			put_digits(p, h, 2);
			break;
		case TC_HH12:
		case TC_HH:
			put_digits(p, h % 12 == 0 ? 12 : h % 12, 2);
			break;
		case TC_MM:
			put_digits(p, mo, 2);
			break;
		case TC_DD:
			put_digits(p, d, 2);
			break;
		case TC_MI:
			put_digits(p, us / 60000000 % 60, 2);
			break;
		case TC_SS:
			put_digits(p, us / 1000000 % 60, 2);
			break;
		case TC_MS:
			put_digits(p, us / 1000 % 1000, 3);
			break;
		case TC_US:
			put_digits(p, us % 1000000, 6);
			break;
		}
		p += tc_patterns[pc->kind].digits;
	}
}

KERNEL(to_char_ts)
{
	(void)f, (void)nargs;
	const int64_t *ts = args[0]->data;
	const Str *fmt = args[1]->data;
	Str *res = out->data;
	const ToCharFmt *fm = cx->fstate; /* NULL: the format is not constant */
	bool fixed = fm != NULL;
	int64_t last_days = INT64_MIN, y = 0;
	int mo = 0, d = 0;
	/* Rows of a stream arrive nearly in time order: a row in the same unit of the format's
	 * finest field as the last one formatted (the same day for 'YYYY-MM-DD') shares its text. */
	const ToCharFmt *last_fm = NULL;
	int64_t last_t0 = 0, last_t1 = -1; /* the last text's times: [last_t0, last_t1] */
	Str last_text = {0};
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (!fixed && (!fm || fm->text_len != fmt[r].len ||
			       memcmp(fm->text, fmt[r].p, fmt[r].len) != 0))
			fm = to_char_compile(fmt[r].p, fmt[r].len, cx->arena);
		int64_t t = ts[r];
		if (fm == last_fm && t >= last_t0 && t <= last_t1) {
			res[r] = last_text;
			continue;
		}
		int64_t days = t / US_PER_DAY, us = t % US_PER_DAY;
		if (us < 0) {
			us += US_PER_DAY;
			days--;
		}
		if (days != last_days) { /* rows in time order share their day */
			dt_civil_from_days(days, &y, &mo, &d);
			last_days = days;
		}
		char ytext[24];
		int ylen = 0;
		size_t len = fm->width;
		if (fm->nyears && (y < 0 || y > 9999)) {
			ylen = snprintf(ytext, sizeof ytext, "%04lld", (long long)y);
			len += (size_t)fm->nyears * (size_t)(ylen - 4);
		}
		char *p;
		res[r] = str_alloc(cx, len, &p);
		to_char_write(fm, y, mo, d, us, ytext, ylen, p);
		/* The unit containing t: units divide the day, so it lies within t's day. */
		int64_t into = us % fm->unit;
		last_text = res[r];
		/* At the ends of int64 the unit may not fit: no sharing then. */
		last_fm = __builtin_sub_overflow(t, into, &last_t0) ||
				  __builtin_add_overflow(last_t0, fm->unit - 1, &last_t1)
			  ? NULL
			  : fm;
	}
	return 0;
}

/* func_prepare's part for to_char (a constant format, compiled) and date_trunc, date_part and
 * extract (a constant field, looked up): true when f is one of them. A constant that fails to
 * evaluate is left to the kernel, which fails the same way on the rows that reach it. */
static bool datetime_prepare(const FuncDef *f, Expr *const *args, Arena *a, void **state)
{
	FuncKernel k = f->kernel;
	bool field = k == date_trunc_ts || k == date_part_ts || k == date_part_iv ||
		     k == extract_ts || k == extract_iv;
	if (!field && k != to_char_ts)
		return false;
	Arena tmp;
	arena_init(&tmp, 0);
	Err le;
	err_clear(&le);
	Value v;
	int rc;
	if (const_arg(args[field ? 0 : 1], &tmp, &v, &le, &rc) && !v.null) {
		if (field) {
			FieldArg *fa = arena_alloc(a, sizeof *fa);
			field_arg_init(fa, v.u.s);
			*state = fa;
		} else {
			*state = to_char_compile(v.u.s.p, v.u.s.len, a);
		}
	}
	arena_deinit(&tmp);
	return true;
}

/* ---- arrays (vec/array.h): one kernel per function serves every array type, the element
 * type coming from the entry's argument types; the table expands one entry per array type. */

/* PostgreSQL's array comparison: element by element, then by length. */
#define CMP_ARRAY(x, y) arr_compare(type_elem(f->args[0]), x, y)
CMP_KERNELS(array, Str, CMP_ARRAY)

/* a[i]: element i (1-based), NULL out of range. */
KERNEL(array_subscript)
{
	const Str *a = args[0]->data;
	const int32_t *idx = args[1]->data;
	(void)nargs;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		Value v;
		if (!arr_get(a[r], f->ret, idx[r], &v) || v.null)
			out->nulls[r] = 1;
		else
			vec_set_value(out, r, &v, NULL);
	}
	return 0;
}

/* a || b, array_cat(a, b): a's elements, then b's. */
KERNEL(array_cat)
{
	const Str *a = args[0]->data, *b2 = args[1]->data;
	(void)nargs;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		uint32_t na = arr_count(a[r]), nb = arr_count(b2[r]), cnt = na + nb;
		char *p;
		Str res = str_alloc(cx, a[r].len + b2[r].len - 4, &p);
		memcpy(p, &cnt, sizeof cnt);
		memcpy(p + 4, a[r].p + 4, a[r].len - 4);
		memcpy(p + a[r].len, b2[r].p + 4, b2[r].len - 4);
		VEC_DATA(out, Str)[r] = res;
	}
	(void)f;
	return 0;
}

/* ARRAY[x, y, ...]: the arguments (already of the element type) of each row. */
KERNEL(array_ctor)
{
	ArrBuild b;
	arr_build_init(&b, type_elem(f->ret));
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		for (int k = 0; k < nargs; k++) {
			Value v;
			vec_get_value(args[k], r, &v);
			arr_build_push(&b, &v);
		}
		VEC_DATA(out, Str)[r] = arr_build_finish(&b, cx->arena);
	}
	arr_build_deinit(&b);
	return 0;
}

/* array_lower/array_upper/array_length(a, dim), cardinality(a), array_ndims(a): eddy's arrays
 * have one dimension with lower bound 1; an empty array has no dimensions (NULL). */
typedef enum ArrDim { AD_LOWER, AD_UPPER, AD_LENGTH, AD_CARD, AD_NDIMS } ArrDim;

static int array_dims(const Vector *const *args, int n, Vector *out, ArrDim what)
{
	const Str *a = args[0]->data;
	int32_t *res = (int32_t *)out->data;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		uint32_t cnt = arr_count(a[r]);
		bool dim_ok = what >= AD_CARD || VEC_DATA(args[1], int32_t)[r] == 1;
		if (what == AD_CARD)
			res[r] = (int32_t)cnt;
		else if (cnt == 0 || !dim_ok)
			out->nulls[r] = 1;
		else
			res[r] = what == AD_LOWER || what == AD_NDIMS ? 1 : (int32_t)cnt;
	}
	return 0;
}

KERNEL(array_lower_fn)
{
	return array_dims(args, n, out, AD_LOWER);
}
KERNEL(array_upper_fn)
{
	return array_dims(args, n, out, AD_UPPER);
}
KERNEL(array_length_fn)
{
	return array_dims(args, n, out, AD_LENGTH);
}
KERNEL(cardinality_fn)
{
	return array_dims(args, n, out, AD_CARD);
}
KERNEL(array_ndims_fn)
{
	return array_dims(args, n, out, AD_NDIMS);
}

/* array_to_string(a, delim [, null_string]): the elements' text joined by delim; NULL
 * elements are left out, or written as null_string when it is given and not NULL. Not strict:
 * a NULL null_string only means "leave NULLs out", as in PostgreSQL. */
KERNEL(array_to_string_fn)
{
	const Str *a = args[0]->data, *d = args[1]->data;
	TypeId elem = type_elem(f->args[0]);
	StrBuf sb;
	sb_init(&sb);
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (args[0]->nulls[r] || args[1]->nulls[r]) {
			out->nulls[r] = 1;
			continue;
		}
		const Str *ns = nargs > 2 && !args[2]->nulls[r] ? &VEC_DATA(args[2], Str)[r] : NULL;
		sb_reset(&sb);
		ArrIter it;
		arr_iter_init(&it, a[r], elem);
		Value v;
		bool first = true;
		while (arr_next(&it, &v)) {
			if (v.null && !ns)
				continue;
			if (!first)
				sb_append(&sb, d[r].p, d[r].len);
			first = false;
			if (v.null)
				sb_append(&sb, ns->p, ns->len);
			else
				value_format(&v, &sb);
		}
		char *p;
		VEC_DATA(out, Str)[r] = str_alloc(cx, sb.len, &p);
		if (sb.len)
			memcpy(p, sb.data, sb.len);
	}
	sb_deinit(&sb);
	return 0;
}

/* x = ANY (a) and x <> ALL (a), the binder's array_any_eq(x, a) and array_all_ne(x, a): true
 * (false for ALL) when an element equals x; else NULL when x or an element is NULL; else false
 * (true). An empty array gives false (true) even for a NULL x; a NULL array gives NULL. */
static int array_quantified(const FuncDef *f, const Vector *const *args, int n, Vector *out,
			    bool all)
{
	const Str *a = args[1]->data;
	uint8_t *res = (uint8_t *)out->data;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (args[1]->nulls[r]) {
			out->nulls[r] = 1;
			continue;
		}
		Value x, v;
		vec_get_value(args[0], r, &x);
		ArrIter it;
		arr_iter_init(&it, a[r], f->args[0]);
		bool found = false, unknown = false;
		while (!found && arr_next(&it, &v)) {
			if (v.null || x.null)
				unknown = true;
			else if (value_compare(&x, &v) == 0)
				found = true;
		}
		if (!found && unknown)
			out->nulls[r] = 1;
		else
			res[r] = all ? !found : found;
	}
	return 0;
}

KERNEL(array_any_eq)
{
	(void)nargs;
	return array_quantified(f, args, n, out, false);
}
KERNEL(array_all_ne)
{
	(void)nargs;
	return array_quantified(f, args, n, out, true);
}

/* regexp_match(s, p [, flags]): the groups of the first match as text[] (the whole match when
 * the pattern has none), NULL when nothing matches. */
KERNEL(regexp_match_text)
{
	const Str *s = args[0]->data, *p = args[1]->data;
	RegexRows c;
	regex_rows_init(&c, f, args, cx);
	ArrBuild b;
	arr_build_init(&b, T_VARCHAR);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r] || !first_match_row(&c, s[r], p[r], r, out, cx, &rc))
			continue;
		int groups = rx_groups(c.re);
		for (int g = groups ? 1 : 0; g <= groups; g++) {
			size_t so, eo;
			Value v = value_null(T_VARCHAR);
			if (rx_group(c.m, g, &so, &eo)) {
				v.null = false;
				v.u.s = (Str){s[r].p + so, (uint32_t)(eo - so)};
			}
			arr_build_push(&b, &v);
		}
		VEC_DATA(out, Str)[r] = arr_build_finish(&b, cx->arena);
	}
	arr_build_deinit(&b);
	regex_rows_done(&c);
	return rc;
}

/* ---- the table */

#define B(name, a, b, ret, k) {name, FF_BINOP, 2, {a, b}, ret, true, k}
#define U(name, a, ret, k) {name, FF_PREFIX, 1, {a}, ret, true, k}
#define F1(name, a, ret, k) {name, FF_FUNC, 1, {a}, ret, true, k}
#define F2(name, a, b, ret, k) {name, FF_FUNC, 2, {a, b}, ret, true, k}
#define F3(name, a, b, c, ret, k) {name, FF_FUNC, 3, {a, b, c}, ret, true, k}
#define F4(name, a, b, c, d, ret, k) {name, FF_FUNC, 4, {a, b, c, d}, ret, true, k}

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

/* array_subscript(a, i) is the binder's a[i]; array_ctor(x, ...) its ARRAY[x, ...]. */
#define ARRAY_ENTRIES(tid, name, elem)                                                             \
	B("=", tid, tid, T_BOOL, eq_array), B("<>", tid, tid, T_BOOL, ne_array),                   \
	B("<", tid, tid, T_BOOL, lt_array), B("<=", tid, tid, T_BOOL, le_array),                   \
	B(">", tid, tid, T_BOOL, gt_array), B(">=", tid, tid, T_BOOL, ge_array),                   \
	F2("array_subscript", tid, T_INT4, elem, array_subscript),                                 \
	B("||", tid, tid, tid, array_cat), F2("array_cat", tid, tid, tid, array_cat),              \
	{"array_ctor", FF_FUNC, -1, {elem}, tid, false, array_ctor},                               \
	F2("array_lower", tid, T_INT4, T_INT4, array_lower_fn),                                    \
	F2("array_upper", tid, T_INT4, T_INT4, array_upper_fn),                                    \
	F2("array_length", tid, T_INT4, T_INT4, array_length_fn),                                  \
	F1("cardinality", tid, T_INT4, cardinality_fn),                                            \
	F1("array_ndims", tid, T_INT4, array_ndims_fn),                                            \
	{"array_to_string", FF_FUNC, 2, {tid, T_VARCHAR}, T_VARCHAR, false, array_to_string_fn},   \
	{"array_to_string", FF_FUNC, 3, {tid, T_VARCHAR, T_VARCHAR}, T_VARCHAR, false,             \
	 array_to_string_fn},                                                                      \
	{"array_any_eq", FF_FUNC, 2, {elem, tid}, T_BOOL, false, array_any_eq},                    \
	{"array_all_ne", FF_FUNC, 2, {elem, tid}, T_BOOL, false, array_all_ne},

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
	B("~*", T_VARCHAR, T_VARCHAR, T_BOOL, regexp_like_text),
	F2("regexp_like", T_VARCHAR, T_VARCHAR, T_BOOL, regexp_like_text),
	F3("regexp_like", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_BOOL, regexp_like_text),
	F3("regexp_extract", T_VARCHAR, T_VARCHAR, T_INT4, T_VARCHAR, regexp_extract_text),
	F3("regexp_match_at", T_VARCHAR, T_VARCHAR, T_INT4, T_VARCHAR, regexp_match_at_text),
	F3("regexp_replace", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR, regexp_replace_text),
	F4("regexp_replace", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR,
	   regexp_replace_text),
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

	/* arrays, one set of entries per array type */
	ARRAY_TYPES(ARRAY_ENTRIES)
	F2("regexp_match", T_VARCHAR, T_VARCHAR, T_VARCHAR_ARRAY, regexp_match_text),
	F3("regexp_match", T_VARCHAR, T_VARCHAR, T_VARCHAR, T_VARCHAR_ARRAY, regexp_match_text),
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
