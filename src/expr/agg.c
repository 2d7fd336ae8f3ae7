/* agg.c: the aggregate functions (see agg.h).
 *
 * Layer: expr. Every aggregate here is retractable unless it says otherwise: a delete row undoes
 * what the matching insert did. sum and avg keep a count of the non-NULL inputs they hold, so a
 * group whose last value is deleted answers NULL again. min and max keep a multiset of the
 * group's values (a sorted array of value -> count, strings copied with mem_alloc and freed by
 * destroy), so deleting the current minimum finds the next one; on append-only input the planner
 * may pick the plain variants, which keep one value and refuse deletes (retractable = false).
 * count/sum/avg(DISTINCT x) use the same multiset and compute their result from it, and so does
 * approx_percentile (exact for now). The variance family keeps n, sum and sum of squares
 * (exactly, in Numeric, for integer and numeric input); first_value/last_value keep one value
 * in arrival order and cannot retract.
 *
 * The states of sum/avg are expanded per input representation by macros; the table at the end
 * lists every (name, argument type) once.
 */
#include "expr/agg.h"

#include "base/bin.h"

#include "vec/datetime.h"
#include "vec/numeric.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

typedef int (*AggUpdate)(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			 const uint8_t *skip, int n, Err *e);

static bool skipped(const uint8_t *skip, int r)
{
	return skip && skip[r];
}

static void zero_init(const AggFunc *f, void *state)
{
	memset(state, 0, f->state_size);
}

/* ---- count */

typedef struct CountState {
	int64_t n;
} CountState;

static int count_star_update(const AggFunc *f, void **states, const Vector *arg,
			     const uint8_t *ops, const uint8_t *skip, int n, Err *e)
{
	for (int r = 0; r < n; r++)
		if (!skipped(skip, r))
			((CountState *)states[r])->n += op_sign(ops[r]);
	return 0;
}

static int count_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			const uint8_t *skip, int n, Err *e)
{
	for (int r = 0; r < n; r++)
		if (!skipped(skip, r) && !arg->nulls[r])
			((CountState *)states[r])->n += op_sign(ops[r]);
	return 0;
}

static void count_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	*out = value_int(T_INT8, ((const CountState *)state)->n);
}

/* ---- sum and avg, one accumulator per input representation.
 *
 * Sums over float accumulate in a double: a retraction subtracts what an insert added, which
 * can leave last-bit rounding differences compared with summing the remaining rows afresh. */

typedef struct SumInt {
	__int128 sum;
	int64_t n;
} SumInt;
typedef struct SumFloat {
	double sum;
	int64_t n;
} SumFloat;
typedef struct SumNum {
	Numeric sum;
	int64_t n;
} SumNum;
typedef struct SumIv {
	Interval sum;
	int64_t n;
} SumIv;

#define ACC_INT(s, x, sign, e) ((s)->sum += (sign) * (__int128)(x), 0)
#define ACC_FLOAT(s, x, sign, e) ((s)->sum += (sign) * (double)(x), 0)
#define ACC_NUM(s, x, sign, e)                                                                     \
	((sign) > 0 ? num_add((s)->sum, (x), &(s)->sum, (e)) : num_sub((s)->sum, (x), &(s)->sum, (e)))
#define ACC_IV(s, x, sign, e)                                                                      \
	((sign) > 0 ? dt_iv_add((s)->sum, (x), &(s)->sum, (e)) : dt_iv_sub((s)->sum, (x), &(s)->sum, (e)))

#define SUM_UPDATE(name, State, ctype, ACC, CHECK)                                                 \
	static int name(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,    \
			const uint8_t *skip, int n, Err *e)                                        \
	{                                                                                          \
		const ctype *v = (const ctype *)arg->data;                                         \
		for (int r = 0; r < n; r++) {                                                      \
			if (skipped(skip, r) || arg->nulls[r])                                     \
				continue;                                                          \
			State *s = states[r];                                                      \
			int sign = op_sign(ops[r]);                                                \
			if (ACC(s, v[r], sign, e))                                                 \
				return -1;                                                         \
			s->n += sign;                                                              \
			CHECK;                                                                     \
		}                                                                                  \
		return 0;                                                                          \
	}

/* sum(int2/int4) is a bigint and fails as PostgreSQL's does when it leaves bigint's range. */
#define CHECK_INT8                                                                                 \
	if (s->sum > INT64_MAX || s->sum < INT64_MIN)                                              \
		return err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "bigint out of range")
#define CHECK_NONE (void)0

SUM_UPDATE(sum_int2_update, SumInt, int16_t, ACC_INT, CHECK_INT8)
SUM_UPDATE(sum_int4_update, SumInt, int32_t, ACC_INT, CHECK_INT8)
SUM_UPDATE(sum_int8_update, SumInt, int64_t, ACC_INT, CHECK_NONE)
SUM_UPDATE(sum_float4_update, SumFloat, float, ACC_FLOAT, CHECK_NONE)
SUM_UPDATE(sum_float8_update, SumFloat, double, ACC_FLOAT, CHECK_NONE)
SUM_UPDATE(sum_numeric_update, SumNum, Numeric, ACC_NUM, CHECK_NONE)
SUM_UPDATE(sum_interval_update, SumIv, Interval, ACC_IV, CHECK_NONE)
/* avg of small integers needs no bigint check: it accumulates in 128 bits. */
SUM_UPDATE(avg_int2_update, SumInt, int16_t, ACC_INT, CHECK_NONE)
SUM_UPDATE(avg_int4_update, SumInt, int32_t, ACC_INT, CHECK_NONE)

static Numeric i128_numeric(__int128 v)
{
	/* 128-bit sums of int64 values stay far below 10^38 in any realistic stream. */
	return num_make(v, 0);
}

static void sum_int8_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumInt *s = state;
	*out = s->n ? value_int(T_INT8, (int64_t)s->sum) : value_null(T_INT8);
}

static void sum_intnum_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumInt *s = state;
	*out = value_null(T_NUMERIC);
	if (s->n) {
		out->null = false;
		out->u.n = i128_numeric(s->sum);
	}
}

static void sum_float_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumFloat *s = state;
	*out = value_null(f->result_type);
	if (s->n) {
		out->null = false;
		out->u.f = s->sum;
	}
}

static void sum_num_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumNum *s = state;
	*out = value_null(T_NUMERIC);
	if (s->n) {
		out->null = false;
		out->u.n = s->sum;
	}
}

static void sum_iv_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumIv *s = state;
	*out = value_null(T_INTERVAL);
	if (s->n) {
		out->null = false;
		out->u.iv = s->sum;
	}
}

/* avg over integers and numerics is numeric, divided with PostgreSQL's scale rule. */
static void avg_num_of(Numeric sum, int64_t n, Value *out)
{
	*out = value_null(T_NUMERIC);
	if (n <= 0)
		return;
	Numeric q;
	if (num_div(sum, num_from_int64(n), &q, NULL))
		return;
	out->null = false;
	out->u.n = q;
}

static void avg_int_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumInt *s = state;
	avg_num_of(i128_numeric(s->sum), s->n, out);
}

static void avg_num_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumNum *s = state;
	avg_num_of(s->sum, s->n, out);
}

static void avg_float_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumFloat *s = state;
	*out = value_null(T_FLOAT8);
	if (s->n) {
		out->null = false;
		out->u.f = s->sum / (double)s->n;
	}
}

static void avg_iv_result(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const SumIv *s = state;
	*out = value_null(T_INTERVAL);
	if (s->n && dt_iv_div(s->sum, (double)s->n, &out->u.iv, NULL) == 0)
		out->null = false;
}

/* ---- the multiset of min/max and DISTINCT: a sorted array of (value, count) */

typedef struct MsEntry {
	Value v;
	int64_t count; /* may go negative when a delete arrives before its insert */
} MsEntry;

typedef struct Multiset {
	MsEntry *e;
	int32_t len, cap;
	size_t str_bytes;
} Multiset;

static int ms_find(const Multiset *m, const Value *v, bool *found)
{
	int lo = 0, hi = m->len;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = value_compare(&m->e[mid].v, v);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void ms_add(Multiset *m, const Value *v, int sign)
{
	bool found;
	int at = ms_find(m, v, &found);
	if (found) {
		MsEntry *x = &m->e[at];
		x->count += sign;
		if (x->count == 0) {
			if (type_is_varlen(x->v.type)) {
				m->str_bytes -= x->v.u.s.len;
				mem_free((void *)x->v.u.s.p);
			}
			memmove(x, x + 1, sizeof *x * (size_t)(m->len - at - 1));
			m->len--;
		}
		return;
	}
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 4;
		m->e = mem_realloc(m->e, sizeof *m->e * (size_t)m->cap);
	}
	memmove(m->e + at + 1, m->e + at, sizeof *m->e * (size_t)(m->len - at));
	MsEntry *x = &m->e[at];
	x->v = *v;
	x->count = sign;
	if (type_is_varlen(v->type)) {
		char *d = mem_alloc(v->u.s.len ? v->u.s.len : 1);
		memcpy(d, v->u.s.p, v->u.s.len);
		x->v.u.s.p = d;
		m->str_bytes += v->u.s.len;
	}
	m->len++;
}

static int ms_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		     const uint8_t *skip, int n, Err *e)
{
	for (int r = 0; r < n; r++) {
		if (skipped(skip, r) || arg->nulls[r])
			continue;
		Value v;
		vec_get_value(arg, r, &v);
		ms_add(states[r], &v, op_sign(ops[r]));
	}
	return 0;
}

static void ms_destroy(const AggFunc *f, void *state)
{
	Multiset *m = state;
	for (int i = 0; i < m->len; i++)
		if (type_is_varlen(m->e[i].v.type))
			mem_free((void *)m->e[i].v.u.s.p);
	mem_free(m->e);
	memset(m, 0, sizeof *m);
}

static size_t ms_heap_bytes(const AggFunc *f, const void *state)
{
	const Multiset *m = state;
	return sizeof *m->e * (size_t)m->cap + m->str_bytes;
}

static void copy_out(const Value *v, Value *out, Arena *a)
{
	*out = *v;
	if (!v->null && type_is_varlen(v->type)) {
		char *d = arena_alloc(a, v->u.s.len ? v->u.s.len : 1);
		memcpy(d, v->u.s.p, v->u.s.len);
		out->u.s.p = d;
	}
}

static void ms_min_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const Multiset *m = state;
	for (int i = 0; i < m->len; i++) {
		if (m->e[i].count > 0) {
			copy_out(&m->e[i].v, out, a);
			return;
		}
	}
	*out = value_null(f->result_type);
}

static void ms_max_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const Multiset *m = state;
	for (int i = m->len - 1; i >= 0; i--) {
		if (m->e[i].count > 0) {
			copy_out(&m->e[i].v, out, a);
			return;
		}
	}
	*out = value_null(f->result_type);
}

static void count_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const Multiset *m = state;
	int64_t k = 0;
	for (int i = 0; i < m->len; i++)
		k += m->e[i].count > 0;
	*out = value_int(T_INT8, k);
}

/* sum/avg(DISTINCT x): the distinct values present, added up in the result's arithmetic. */
static void distinct_sum(const AggFunc *f, const Multiset *m, Value *sum, int64_t *k)
{
	__int128 isum = 0;
	double fsum = 0;
	Numeric nsum = num_from_int64(0);
	Interval ivsum = {0, 0, 0};
	*k = 0;
	for (int i = 0; i < m->len; i++) {
		if (m->e[i].count <= 0)
			continue;
		const Value *v = &m->e[i].v;
		(*k)++;
		if (type_is_integer(f->arg_type))
			isum += v->u.i;
		else if (type_is_float(f->arg_type))
			fsum += v->u.f;
		else if (f->arg_type == T_NUMERIC)
			num_add(nsum, v->u.n, &nsum, NULL);
		else
			dt_iv_add(ivsum, v->u.iv, &ivsum, NULL);
	}
	sum->null = false;
	if (type_is_integer(f->arg_type)) {
		sum->type = T_NUMERIC;
		sum->u.n = i128_numeric(isum);
	} else if (type_is_float(f->arg_type)) {
		sum->type = T_FLOAT8;
		sum->u.f = fsum;
	} else if (f->arg_type == T_NUMERIC) {
		sum->type = T_NUMERIC;
		sum->u.n = nsum;
	} else {
		sum->type = T_INTERVAL;
		sum->u.iv = ivsum;
	}
}

static void sum_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	Value s;
	int64_t k;
	distinct_sum(f, state, &s, &k);
	*out = value_null(f->result_type);
	if (k == 0)
		return;
	if (f->result_type == T_INT8) {
		*out = value_int(T_INT8, (int64_t)s.u.n.m);
	} else {
		*out = s;
		out->type = f->result_type;
	}
}

static void avg_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	Value s;
	int64_t k;
	distinct_sum(f, state, &s, &k);
	*out = value_null(f->result_type);
	if (k == 0)
		return;
	if (f->result_type == T_NUMERIC) {
		avg_num_of(s.u.n, k, out);
	} else if (f->result_type == T_FLOAT8) {
		out->null = false;
		out->u.f = s.u.f / (double)k;
	} else if (dt_iv_div(s.u.iv, (double)k, &out->u.iv, NULL) == 0) {
		out->null = false;
	}
}

/* ---- min/max on append-only input: one value, no retraction */

typedef struct Extreme {
	Value v;
	bool has;
} Extreme;

/* Replaces the state's value by v (a NULL too, for first_value/last_value), copying strings. */
static void extreme_set(Extreme *s, Value v)
{
	if (s->has && type_is_varlen(s->v.type))
		mem_free((void *)s->v.u.s.p);
	if (type_is_varlen(v.type)) {
		char *d = NULL;
		if (!v.null) {
			d = mem_alloc(v.u.s.len ? v.u.s.len : 1);
			memcpy(d, v.u.s.p, v.u.s.len);
		} else {
			v.u.s.len = 0;
		}
		v.u.s.p = d;
	}
	s->v = v;
	s->has = true;
}

/* Keeps v when it beats the state's value (compares as `want`: -1 min, 1 max). */
static void extreme_offer(Extreme *s, Value v, int want)
{
	if (s->has && value_compare(&v, &s->v) != want)
		return;
	extreme_set(s, v);
}

static int extreme_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			  const uint8_t *skip, int n, Err *e, int want)
{
	for (int r = 0; r < n; r++) {
		if (skipped(skip, r) || arg->nulls[r])
			continue;
		if (op_sign(ops[r]) < 0)
			return err_set(e, ERR_INTERNAL, "%s() on append-only input received a delete",
				       f->name);
		Value v;
		vec_get_value(arg, r, &v);
		extreme_offer(states[r], v, want);
	}
	return 0;
}

static int min1_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		       const uint8_t *skip, int n, Err *e)
{
	return extreme_update(f, states, arg, ops, skip, n, e, -1);
}

static int max1_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		       const uint8_t *skip, int n, Err *e)
{
	return extreme_update(f, states, arg, ops, skip, n, e, 1);
}

static void extreme_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const Extreme *s = state;
	if (!s->has) {
		*out = value_null(f->result_type);
		return;
	}
	copy_out(&s->v, out, a);
}

static void extreme_destroy(const AggFunc *f, void *state)
{
	Extreme *s = state;
	if (s->has && type_is_varlen(s->v.type))
		mem_free((void *)s->v.u.s.p);
	s->has = false;
}

static size_t extreme_heap_bytes(const AggFunc *f, const void *state)
{
	const Extreme *s = state;
	return s->has && type_is_varlen(s->v.type) ? s->v.u.s.len : 0;
}

/* ---- variance and standard deviation
 *
 * Over integers and numerics the result is numeric and exact, computed as PostgreSQL's
 * numeric_stddev_internal does: the state keeps n, sum(x) and sum(x*x) as Numeric (so a delete
 * subtracts exactly what its insert added), the variance is (n*sumsq - sum^2) / (n*(n-1)) (or
 * n*n for the population variants) at PostgreSQL's division scale, a numerator <= 0 gives a
 * plain 0, and the standard deviation is the square root of that, rounded to the variance's
 * scale. Over floats the result is double precision, accumulated as PostgreSQL's float8_accum
 * does (Youngs-Cramer: n, sum(x) and the sum of squared deviations), so that insert-only input
 * gives PostgreSQL's bits; a delete applies the algebraic inverse of an insert, which may leave
 * last-bit differences compared with recomputing. NULL inputs are ignored; with fewer than two
 * values the sample variants are NULL, with none every variant is. */

typedef struct VarNum {
	Numeric sum, sumsq;
	int64_t n;
} VarNum;

typedef struct VarFlt {
	double sx, sxx;
	int64_t n;
} VarFlt;

/* Adds (sign 1) or removes (sign -1) x; SUM_UPDATE counts n afterwards. */
static int var_num_acc(VarNum *s, Numeric x, int sign, Err *e)
{
	Numeric sq;
	if (num_mul(x, x, &sq, e))
		return -1;
	if (sign > 0 ? num_add(s->sum, x, &s->sum, e) || num_add(s->sumsq, sq, &s->sumsq, e)
		     : num_sub(s->sum, x, &s->sum, e) || num_sub(s->sumsq, sq, &s->sumsq, e))
		return -1;
	return 0;
}

/* float8_accum's step for an insert, and its algebraic inverse for a delete (tmp is what the
 * matching insert computed); s->n is the count before the change. */
static void var_flt_acc(VarFlt *s, double x, int sign)
{
	double old = (double)s->n;
	if (sign > 0) {
		double n = old + 1;
		s->sx += x;
		if (old > 0) {
			double tmp = x * n - s->sx;
			s->sxx += tmp * tmp / (n * old);
		} else if (isnan(x) || isinf(x)) {
			s->sxx = NAN;
		}
		return;
	}
	double tmp = x * old - s->sx, rest = old - 1;
	if (rest > 0)
		s->sxx -= tmp * tmp / (old * rest);
	s->sx -= x;
	if (rest == 0)
		s->sx = s->sxx = 0;
	if (s->sxx < 0)
		s->sxx = 0;
}

#define ACC_VAR_INT(s, x, sign, e) var_num_acc((s), num_from_int64(x), (sign), (e))
#define ACC_VAR_NUM(s, x, sign, e) var_num_acc((s), (x), (sign), (e))
#define ACC_VAR_FLT(s, x, sign, e) (var_flt_acc((s), (double)(x), (sign)), 0)

SUM_UPDATE(var_int2_update, VarNum, int16_t, ACC_VAR_INT, CHECK_NONE)
SUM_UPDATE(var_int4_update, VarNum, int32_t, ACC_VAR_INT, CHECK_NONE)
SUM_UPDATE(var_int8_update, VarNum, int64_t, ACC_VAR_INT, CHECK_NONE)
SUM_UPDATE(var_numeric_update, VarNum, Numeric, ACC_VAR_NUM, CHECK_NONE)
SUM_UPDATE(var_float4_update, VarFlt, float, ACC_VAR_FLT, CHECK_NONE)
SUM_UPDATE(var_float8_update, VarFlt, double, ACC_VAR_FLT, CHECK_NONE)

/* 256-bit unsigned integers, just what the square root below needs. */
typedef struct U256 {
	unsigned __int128 hi, lo;
} U256;

static int u256_cmp(U256 a, U256 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static U256 u256_add(U256 a, U256 b)
{
	U256 r = {a.hi + b.hi, a.lo + b.lo};
	r.hi += r.lo < a.lo;
	return r;
}

static U256 u256_sub(U256 a, U256 b)
{
	U256 r = {a.hi - b.hi, a.lo - b.lo};
	r.hi -= a.lo < b.lo;
	return r;
}

static U256 u256_shr(U256 a, int k) /* 0 < k < 128 */
{
	return (U256){a.hi >> k, (a.lo >> k) | (a.hi << (128 - k))};
}

static U256 u256_shl(U256 a, int k) /* 0 < k < 128 */
{
	return (U256){(a.hi << k) | (a.lo >> (128 - k)), a.lo << k};
}

/* The square root of v (> 0) rounded half up at `scale` digits, as PostgreSQL's sqrt_var at
 * rscale: round(sqrt(m * 10^(2*scale - v.scale))) / 10^scale, the radicand in 256 bits (at
 * most 10^76) and the root found bit by bit. */
static Numeric num_sqrt_at(Numeric v, int scale)
{
	U256 rad = {0, (unsigned __int128)v.m};
	int shift = 2 * scale - v.scale;
	for (int i = 0; i < shift; i++) /* rad * 10 = rad * 8 + rad * 2 */
		rad = u256_add(u256_shl(rad, 3), u256_shl(rad, 1));
	for (int i = 0; i > shift; i--) {
		unsigned __int128 q = rad.lo / 10; /* rad < 10^38 here: hi is 0 */
		rad.lo = q;
	}
	U256 res = {0, 0}, bit = {(unsigned __int128)1 << 126, 0};
	while (u256_cmp(bit, rad) > 0)
		bit = u256_shr(bit, 2);
	while (bit.hi || bit.lo) {
		U256 t = u256_add(res, bit);
		res = u256_shr(res, 1);
		if (u256_cmp(rad, t) >= 0) {
			rad = u256_sub(rad, t);
			res = u256_add(res, bit);
		}
		bit = u256_shr(bit, 2);
	}
	/* rad is now the remainder r - q^2, an integer, so r >= (q + 1/2)^2 exactly when it
	 * exceeds q. */
	if (u256_cmp(rad, res) > 0)
		res.lo++;
	return num_make((__int128)res.lo, scale);
}

static void var_num_final(const AggFunc *f, const void *state, Value *out, bool sample,
			  bool root)
{
	const VarNum *s = state;
	*out = value_null(T_NUMERIC);
	if (s->n <= 0 || (sample && s->n < 2))
		return;
	Numeric nn = num_from_int64(s->n), num, sq2, den, var;
	if (num_mul(nn, s->sumsq, &num, NULL) || num_mul(s->sum, s->sum, &sq2, NULL) ||
	    num_sub(num, sq2, &num, NULL))
		return;
	out->null = false;
	if (num_sign(num) <= 0) {
		out->u.n = num_from_int64(0);
		return;
	}
	if (num_mul(nn, sample ? num_from_int64(s->n - 1) : nn, &den, NULL) ||
	    num_div(num, den, &var, NULL)) {
		out->null = true;
		return;
	}
	out->u.n = root ? num_sqrt_at(var, var.scale) : var;
}

static void var_flt_final(const AggFunc *f, const void *state, Value *out, bool sample,
			  bool root)
{
	const VarFlt *s = state;
	*out = value_null(T_FLOAT8);
	if (s->n <= 0 || (sample && s->n < 2))
		return;
	double var = s->sxx / (double)(sample ? s->n - 1 : s->n);
	out->null = false;
	out->u.f = root ? sqrt(var) : var;
}

/* X(suffix, sample, root) for the four results. */
#define VAR_KINDS(X)                                                                               \
	X(var_samp, true, false) X(var_pop, false, false) X(stddev_samp, true, true)               \
	X(stddev_pop, false, true)

#define VAR_FINAL_FNS(kind, sample, root)                                                          \
	static void num_##kind##_final(const AggFunc *f, const void *state, Value *out, Arena *a)  \
	{                                                                                          \
		var_num_final(f, state, out, sample, root);                                        \
	}                                                                                          \
	static void flt_##kind##_final(const AggFunc *f, const void *state, Value *out, Arena *a)  \
	{                                                                                          \
		var_flt_final(f, state, out, sample, root);                                        \
	}
VAR_KINDS(VAR_FINAL_FNS)

static int var_num_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	VarNum *d = dst;
	const VarNum *s = src;
	d->n += s->n;
	return num_add(d->sum, s->sum, &d->sum, e) || num_add(d->sumsq, s->sumsq, &d->sumsq, e)
		       ? -1
		       : 0;
}

/* PostgreSQL's float8_combine. */
static int var_flt_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	VarFlt *d = dst;
	const VarFlt *s = src;
	if (s->n == 0)
		return 0;
	if (d->n == 0) {
		*d = *s;
		return 0;
	}
	double dn = (double)d->n, sn = (double)s->n;
	double tmp = d->sx / dn - s->sx / sn;
	d->sxx = d->sxx + s->sxx + dn * sn * tmp * tmp / (dn + sn);
	d->sx += s->sx;
	d->n += s->n;
	return 0;
}

/* ---- first_value/last_value as aggregates: the value (NULL included) of the group's first or
 * last row in arrival order. Arrival order cannot be undone, so neither retracts; merging takes
 * dst as the earlier rows and src as the later ones (HOP panes merge in time order). */

typedef struct Pick {
	Extreme x; /* first member: extreme_final/destroy/heap_bytes read it */
} Pick;

static int pick_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		       const uint8_t *skip, int n, Err *e, bool last)
{
	for (int r = 0; r < n; r++) {
		if (skipped(skip, r))
			continue;
		if (op_sign(ops[r]) < 0)
			return err_set(e, ERR_INTERNAL, "%s() received a delete", f->name);
		Pick *s = states[r];
		if (s->x.has && !last)
			continue;
		Value v;
		vec_get_value(arg, r, &v);
		extreme_set(&s->x, v);
	}
	return 0;
}

static int first_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			const uint8_t *skip, int n, Err *e)
{
	return pick_update(f, states, arg, ops, skip, n, e, false);
}

static int last_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
		       const uint8_t *skip, int n, Err *e)
{
	return pick_update(f, states, arg, ops, skip, n, e, true);
}

static int pick_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	Pick *d = dst;
	const Pick *s = src;
	if (s->x.has && (!d->x.has || f->update == last_update))
		extreme_set(&d->x, s->x.v);
	return 0;
}

/* ---- approx_percentile(x, fraction): exact for now. The state is the min/max multiset of the
 * group's values (so deletes retract), and the result is PostgreSQL's percentile_disc over it:
 * the first value, in ascending order, whose cumulative fraction of the rows reaches `fraction`,
 * as double precision. An approximating sketch (t-digest, DDSketch) may replace the multiset for
 * large groups; the results then become approximate, as the name allows. The fraction lives in
 * a PctFunc, an AggFunc followed by the constant, interned so equal calls share one pointer. */

typedef struct PctFunc {
	AggFunc f; /* first member: the AggFunc pointer the callbacks get is the PctFunc's */
	double fraction;
} PctFunc;

static void pct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const Multiset *m = state;
	double fraction = ((const PctFunc *)f)->fraction;
	int64_t total = 0;
	for (int i = 0; i < m->len; i++)
		total += m->e[i].count > 0 ? m->e[i].count : 0;
	*out = value_null(T_FLOAT8);
	if (total == 0)
		return;
	/* percentile_disc: the row numbered ceil(fraction * total), at least the first. */
	int64_t want = (int64_t)ceil(fraction * (double)total), seen = 0;
	if (want < 1)
		want = 1;
	for (int i = 0; i < m->len; i++) {
		if (m->e[i].count <= 0)
			continue;
		seen += m->e[i].count;
		if (seen >= want) {
			const Value *v = &m->e[i].v;
			out->null = false;
			out->u.f = type_is_integer(v->type) ? (double)v->u.i
				   : type_is_float(v->type) ? v->u.f
							    : num_to_double(v->u.n);
			return;
		}
	}
}

/* ---- merging partial states (HOP panes, SESSION windows) */

static int count_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	((CountState *)dst)->n += ((const CountState *)src)->n;
	return 0;
}

static int sum_int_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	SumInt *d = dst;
	const SumInt *s = src;
	d->sum += s->sum;
	d->n += s->n;
	/* sum(int2/int4) is a bigint, as its update checks. */
	if (f->result_type == T_INT8 && (d->sum > INT64_MAX || d->sum < INT64_MIN))
		return err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "bigint out of range");
	return 0;
}

static int sum_float_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	((SumFloat *)dst)->sum += ((const SumFloat *)src)->sum;
	((SumFloat *)dst)->n += ((const SumFloat *)src)->n;
	return 0;
}

static int sum_num_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	SumNum *d = dst;
	d->n += ((const SumNum *)src)->n;
	return num_add(d->sum, ((const SumNum *)src)->sum, &d->sum, e);
}

static int sum_iv_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	SumIv *d = dst;
	d->n += ((const SumIv *)src)->n;
	return dt_iv_add(d->sum, ((const SumIv *)src)->sum, &d->sum, e);
}

/* min/max need only src's extremes (merging whole multisets per window would cost what the
 * panes saved); DISTINCT results need every value. */
static int ms_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	const Multiset *s = src;
	bool extremes = f->final == ms_min_final || f->final == ms_max_final;
	for (int i = 0; i < s->len; i++) {
		if (extremes && s->e[i].count > 0) {
			ms_add(dst, &s->e[i].v, 1);
			break;
		}
		if (!extremes)
			ms_add(dst, &s->e[i].v, (int)s->e[i].count);
	}
	for (int i = s->len - 1; extremes && i >= 0; i--) {
		if (s->e[i].count > 0) {
			ms_add(dst, &s->e[i].v, 1);
			break;
		}
	}
	return 0;
}

static int extreme_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	const Extreme *s = src;
	if (s->has)
		extreme_offer(dst, s->v, f->update == min1_update ? -1 : 1);
	return 0;
}

/* The merge of a state type, by type, so that new aggregates without one get NULL. */
#define MERGE_OF(State)                                                                            \
	_Generic((State *)0, CountState *: count_merge, SumInt *: sum_int_merge,                   \
		 SumFloat *: sum_float_merge, SumNum *: sum_num_merge, SumIv *: sum_iv_merge,      \
		 Multiset *: ms_merge, Extreme *: extreme_merge, VarNum *: var_num_merge,          \
		 VarFlt *: var_flt_merge, Pick *: pick_merge, default: NULL)

/* ---- checkpoints: every state saved by value, heap-held parts (multisets, strings) included,
 * and rebuilt on load. The bytes of each state kind, all little-endian (base/bin.h):
 *
 *   CountState  n i64
 *   SumInt      sum low u64, sum high i64, n i64
 *   SumFloat    sum (double bits) u64, n i64
 *   SumNum      sum NUM, n i64
 *   SumIv       sum IV, n i64
 *   VarNum      sum NUM, sumsq NUM, n i64
 *   VarFlt      sx u64, sxx u64 (double bits), n i64
 *   Multiset    len u32, then len times: VALUE, count i64 (values strictly ascending)
 *   Extreme     has u8 (0/1), then a VALUE when has
 *   Pick        as Extreme
 *
 *   NUM   = m low u64, m high i64, scale u32 (0..38)
 *   IV    = us i64, days u32, months u32
 *   VALUE = type u8, null u8 (0/1), then unless null: i64 for booleans, integers, dates and
 *           timestamps; the double's bits u64 for floats; NUM; u32 length + bytes for
 *           varchar; IV for intervals
 *
 * A load that does not decode (short, long, out of range, unsorted) fails with XX001 and leaves
 * the state as init left it; nothing it allocated stays behind. */

static void save_i128(StrBuf *out, __int128 v)
{
	bin_put_u64(out, (uint64_t)v);
	bin_put_i64(out, (int64_t)(v >> 64));
}

static __int128 load_i128(BinReader *r)
{
	uint64_t lo = bin_get_u64(r);
	int64_t hi = bin_get_i64(r);
	return (__int128)((unsigned __int128)(uint64_t)hi << 64 | lo);
}

static void save_f64(StrBuf *out, double v)
{
	uint64_t u;
	memcpy(&u, &v, 8);
	bin_put_u64(out, u);
}

static double load_f64(BinReader *r)
{
	uint64_t u = bin_get_u64(r);
	double v;
	memcpy(&v, &u, 8);
	return v;
}

static void save_num(StrBuf *out, Numeric n)
{
	save_i128(out, n.m);
	bin_put_u32(out, (uint32_t)n.scale);
}

static Numeric load_num(BinReader *r)
{
	Numeric n = {0};
	n.m = load_i128(r);
	uint32_t scale = bin_get_u32(r);
	if (scale > NUMERIC_MAX_SCALE)
		r->bad = true;
	else
		n.scale = (int32_t)scale;
	return n;
}

static void save_iv(StrBuf *out, Interval iv)
{
	bin_put_i64(out, iv.us);
	bin_put_u32(out, (uint32_t)iv.days);
	bin_put_u32(out, (uint32_t)iv.months);
}

static Interval load_iv(BinReader *r)
{
	Interval iv;
	iv.us = bin_get_i64(r);
	iv.days = (int32_t)bin_get_u32(r);
	iv.months = (int32_t)bin_get_u32(r);
	return iv;
}

static void save_value(StrBuf *out, const Value *v)
{
	bin_put_u8(out, (uint8_t)v->type);
	bin_put_u8(out, v->null);
	if (v->null)
		return;
	if (type_is_float(v->type))
		save_f64(out, v->u.f);
	else if (v->type == T_NUMERIC)
		save_num(out, v->u.n);
	else if (type_is_varlen(v->type))
		bin_put_bytes(out, v->u.s.p, v->u.s.len);
	else if (v->type == T_INTERVAL)
		save_iv(out, v->u.iv);
	else
		bin_put_i64(out, v->u.i);
}

/* Reads a VALUE of type `want`; strings reference the reader's bytes (callers copy them). */
static Value load_value(BinReader *r, TypeId want)
{
	TypeId t = (TypeId)bin_get_u8(r);
	uint8_t null = bin_get_u8(r);
	Value v = value_null(want);
	if (t != want || null > 1) {
		r->bad = true;
		return v;
	}
	if (null)
		return v;
	v.null = false;
	if (type_is_float(t)) {
		v.u.f = load_f64(r);
	} else if (t == T_NUMERIC) {
		v.u.n = load_num(r);
	} else if (type_is_varlen(t)) {
		size_t n;
		v.u.s.p = bin_get_bytes(r, &n);
		v.u.s.len = (uint32_t)n;
	} else if (t == T_INTERVAL) {
		v.u.iv = load_iv(r);
	} else {
		v.u.i = bin_get_i64(r);
		if (t == T_BOOL && (v.u.i & ~INT64_C(1)))
			r->bad = true;
	}
	return v;
}

static int load_failed(const AggFunc *f, void *state, Err *e)
{
	if (f->destroy)
		f->destroy(f, state);
	f->init(f, state);
	return err_set(e, ERR_DATA_CORRUPTED, "checkpointed state of %s(%s) does not decode",
		       f->name, f->arg_type == T_NULL ? "*" : type_name(f->arg_type));
}

static void count_save(const AggFunc *f, const void *state, StrBuf *out)
{
	bin_put_i64(out, ((const CountState *)state)->n);
}

static void count_load(BinReader *r, const AggFunc *f, void *state)
{
	((CountState *)state)->n = bin_get_i64(r);
}

static void sum_int_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const SumInt *s = state;
	save_i128(out, s->sum);
	bin_put_i64(out, s->n);
}

static void sum_int_load(BinReader *r, const AggFunc *f, void *state)
{
	SumInt *s = state;
	s->sum = load_i128(r);
	s->n = bin_get_i64(r);
}

static void sum_float_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const SumFloat *s = state;
	save_f64(out, s->sum);
	bin_put_i64(out, s->n);
}

static void sum_float_load(BinReader *r, const AggFunc *f, void *state)
{
	SumFloat *s = state;
	s->sum = load_f64(r);
	s->n = bin_get_i64(r);
}

static void sum_num_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const SumNum *s = state;
	save_num(out, s->sum);
	bin_put_i64(out, s->n);
}

static void sum_num_load(BinReader *r, const AggFunc *f, void *state)
{
	SumNum *s = state;
	s->sum = load_num(r);
	s->n = bin_get_i64(r);
}

static void sum_iv_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const SumIv *s = state;
	save_iv(out, s->sum);
	bin_put_i64(out, s->n);
}

static void sum_iv_load(BinReader *r, const AggFunc *f, void *state)
{
	SumIv *s = state;
	s->sum = load_iv(r);
	s->n = bin_get_i64(r);
}

static void var_num_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const VarNum *s = state;
	save_num(out, s->sum);
	save_num(out, s->sumsq);
	bin_put_i64(out, s->n);
}

static void var_num_load(BinReader *r, const AggFunc *f, void *state)
{
	VarNum *s = state;
	s->sum = load_num(r);
	s->sumsq = load_num(r);
	s->n = bin_get_i64(r);
}

static void var_flt_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const VarFlt *s = state;
	save_f64(out, s->sx);
	save_f64(out, s->sxx);
	bin_put_i64(out, s->n);
}

static void var_flt_load(BinReader *r, const AggFunc *f, void *state)
{
	VarFlt *s = state;
	s->sx = load_f64(r);
	s->sxx = load_f64(r);
	s->n = bin_get_i64(r);
}

static void ms_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const Multiset *m = state;
	bin_put_u32(out, (uint32_t)m->len);
	for (int i = 0; i < m->len; i++) {
		save_value(out, &m->e[i].v);
		bin_put_i64(out, m->e[i].count);
	}
}

/* Rebuilds the sorted array in one allocation; entries must come strictly ascending with
 * nonzero counts, as ms_add keeps them. */
static void ms_load(BinReader *r, const AggFunc *f, void *state)
{
	Multiset *m = state;
	uint32_t len = bin_get_u32(r);
	/* Every entry takes at least 10 bytes: a bound that refuses absurd lengths up front. */
	if (len > (size_t)(r->end - r->p) / 10 || len > INT32_MAX / 2) {
		r->bad = true;
		return;
	}
	if (len) {
		m->e = mem_alloc(sizeof *m->e * len);
		m->cap = (int32_t)len;
	}
	for (uint32_t i = 0; i < len && !r->bad; i++) {
		Value v = load_value(r, f->arg_type);
		int64_t count = bin_get_i64(r);
		if (r->bad || v.null || count == 0 ||
		    (m->len && value_compare(&m->e[m->len - 1].v, &v) >= 0)) {
			r->bad = true;
			break;
		}
		if (type_is_varlen(v.type)) {
			char *d = mem_alloc(v.u.s.len ? v.u.s.len : 1);
			memcpy(d, v.u.s.p, v.u.s.len);
			v.u.s.p = d;
			m->str_bytes += v.u.s.len;
		}
		m->e[m->len++] = (MsEntry){v, count};
	}
}

static void extreme_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const Extreme *s = state;
	bin_put_u8(out, s->has);
	if (s->has)
		save_value(out, &s->v);
}

static void extreme_load(BinReader *r, const AggFunc *f, void *state)
{
	uint8_t has = bin_get_u8(r);
	if (has > 1)
		r->bad = true;
	if (!has || r->bad)
		return;
	Value v = load_value(r, f->arg_type);
	if (!r->bad)
		extreme_set(state, v); /* copies a string */
}

static void pick_save(const AggFunc *f, const void *state, StrBuf *out)
{
	extreme_save(f, &((const Pick *)state)->x, out);
}

static void pick_load(BinReader *r, const AggFunc *f, void *state)
{
	extreme_load(r, f, &((Pick *)state)->x);
}

/* One load callback per state kind around its decoder: the decoder reads fields through r
 * (which notes a short read), the wrapper checks that exactly the bytes were used. */
#define LOAD_FN(kind)                                                                              \
	static int kind##_load_cb(const AggFunc *f, void *state, const void *p, size_t n, Err *e)  \
	{                                                                                          \
		BinReader r;                                                                       \
		bin_reader(&r, p, n);                                                              \
		kind##_load(&r, f, state);                                                         \
		return bin_done(&r) ? 0 : load_failed(f, state, e);                                \
	}
LOAD_FN(count)
LOAD_FN(sum_int)
LOAD_FN(sum_float)
LOAD_FN(sum_num)
LOAD_FN(sum_iv)
LOAD_FN(var_num)
LOAD_FN(var_flt)
LOAD_FN(ms)
LOAD_FN(extreme)
LOAD_FN(pick)

/* save and load of a state type, by type, as MERGE_OF picks merge. */
#define SAVE_OF(State)                                                                             \
	_Generic((State *)0, CountState *: count_save, SumInt *: sum_int_save,                     \
		 SumFloat *: sum_float_save, SumNum *: sum_num_save, SumIv *: sum_iv_save,         \
		 Multiset *: ms_save, Extreme *: extreme_save, VarNum *: var_num_save,             \
		 VarFlt *: var_flt_save, Pick *: pick_save)
#define LOAD_OF(State)                                                                             \
	_Generic((State *)0, CountState *: count_load_cb, SumInt *: sum_int_load_cb,               \
		 SumFloat *: sum_float_load_cb, SumNum *: sum_num_load_cb,                         \
		 SumIv *: sum_iv_load_cb, Multiset *: ms_load_cb, Extreme *: extreme_load_cb,      \
		 VarNum *: var_num_load_cb, VarFlt *: var_flt_load_cb, Pick *: pick_load_cb)

/* ---- the table */

/* X(TypeId) for every type min/max/count(DISTINCT) accept. */
#define ORDERED_TYPES(X)                                                                           \
	X(T_INT2) X(T_INT4) X(T_INT8) X(T_FLOAT4) X(T_FLOAT8) X(T_NUMERIC) X(T_VARCHAR) X(T_DATE)  \
	X(T_TIMESTAMP) X(T_TIMESTAMPTZ) X(T_INTERVAL)

#define AGG(name, arg, ret, State, retract, upd, fin, destroy, heap)                               \
	{name, arg, ret, sizeof(State), retract, zero_init, upd, fin, destroy, heap, MERGE_OF(State), \
	 SAVE_OF(State), LOAD_OF(State)}

#define COUNT_ENTRY(t) AGG("count", t, T_INT8, CountState, true, count_update, count_final, NULL, NULL),
#define MINMAX_ENTRIES(t)                                                                          \
	AGG("min", t, t, Multiset, true, ms_update, ms_min_final, ms_destroy, ms_heap_bytes),      \
	AGG("max", t, t, Multiset, true, ms_update, ms_max_final, ms_destroy, ms_heap_bytes),
#define MINMAX1_ENTRIES(t)                                                                         \
	AGG("min", t, t, Extreme, false, min1_update, extreme_final, extreme_destroy,              \
	    extreme_heap_bytes),                                                                   \
	AGG("max", t, t, Extreme, false, max1_update, extreme_final, extreme_destroy,              \
	    extreme_heap_bytes),
#define COUNT_DISTINCT_ENTRY(t)                                                                    \
	AGG("count", t, T_INT8, Multiset, true, ms_update, count_distinct_final, ms_destroy,       \
	    ms_heap_bytes),

/* stddev and variance are the sample variants under their short names, as in PostgreSQL. */
#define VAR_ENTRIES(t, ret, upd, State, rep)                                                       \
	AGG("var_samp", t, ret, State, true, upd, rep##_var_samp_final, NULL, NULL),               \
	AGG("variance", t, ret, State, true, upd, rep##_var_samp_final, NULL, NULL),               \
	AGG("var_pop", t, ret, State, true, upd, rep##_var_pop_final, NULL, NULL),                 \
	AGG("stddev_samp", t, ret, State, true, upd, rep##_stddev_samp_final, NULL, NULL),         \
	AGG("stddev", t, ret, State, true, upd, rep##_stddev_samp_final, NULL, NULL),              \
	AGG("stddev_pop", t, ret, State, true, upd, rep##_stddev_pop_final, NULL, NULL),
#define PICK_ENTRIES(t)                                                                            \
	AGG("first_value", t, t, Pick, false, first_update, extreme_final, extreme_destroy,        \
	    extreme_heap_bytes),                                                                   \
	AGG("last_value", t, t, Pick, false, last_update, extreme_final, extreme_destroy,          \
	    extreme_heap_bytes),

static const AggFunc count_star = AGG("count", T_NULL, T_INT8, CountState, true,
				      count_star_update, count_final, NULL, NULL);

static const AggFunc plain_aggs[] = {
	COUNT_ENTRY(T_BOOL) ORDERED_TYPES(COUNT_ENTRY)
	AGG("sum", T_INT2, T_INT8, SumInt, true, sum_int2_update, sum_int8_result, NULL, NULL),
	AGG("sum", T_INT4, T_INT8, SumInt, true, sum_int4_update, sum_int8_result, NULL, NULL),
	AGG("sum", T_INT8, T_NUMERIC, SumInt, true, sum_int8_update, sum_intnum_result, NULL, NULL),
	AGG("sum", T_NUMERIC, T_NUMERIC, SumNum, true, sum_numeric_update, sum_num_result, NULL,
	    NULL),
	AGG("sum", T_FLOAT4, T_FLOAT4, SumFloat, true, sum_float4_update, sum_float_result, NULL,
	    NULL),
	AGG("sum", T_FLOAT8, T_FLOAT8, SumFloat, true, sum_float8_update, sum_float_result, NULL,
	    NULL),
	AGG("sum", T_INTERVAL, T_INTERVAL, SumIv, true, sum_interval_update, sum_iv_result, NULL,
	    NULL),
	AGG("avg", T_INT2, T_NUMERIC, SumInt, true, avg_int2_update, avg_int_result, NULL, NULL),
	AGG("avg", T_INT4, T_NUMERIC, SumInt, true, avg_int4_update, avg_int_result, NULL, NULL),
	AGG("avg", T_INT8, T_NUMERIC, SumInt, true, sum_int8_update, avg_int_result, NULL, NULL),
	AGG("avg", T_NUMERIC, T_NUMERIC, SumNum, true, sum_numeric_update, avg_num_result, NULL,
	    NULL),
	AGG("avg", T_FLOAT4, T_FLOAT8, SumFloat, true, sum_float4_update, avg_float_result, NULL,
	    NULL),
	AGG("avg", T_FLOAT8, T_FLOAT8, SumFloat, true, sum_float8_update, avg_float_result, NULL,
	    NULL),
	AGG("avg", T_INTERVAL, T_INTERVAL, SumIv, true, sum_interval_update, avg_iv_result, NULL,
	    NULL),
	ORDERED_TYPES(MINMAX_ENTRIES)
	VAR_ENTRIES(T_INT2, T_NUMERIC, var_int2_update, VarNum, num)
	VAR_ENTRIES(T_INT4, T_NUMERIC, var_int4_update, VarNum, num)
	VAR_ENTRIES(T_INT8, T_NUMERIC, var_int8_update, VarNum, num)
	VAR_ENTRIES(T_NUMERIC, T_NUMERIC, var_numeric_update, VarNum, num)
	VAR_ENTRIES(T_FLOAT4, T_FLOAT8, var_float4_update, VarFlt, flt)
	VAR_ENTRIES(T_FLOAT8, T_FLOAT8, var_float8_update, VarFlt, flt)
	PICK_ENTRIES(T_BOOL) ORDERED_TYPES(PICK_ENTRIES)
};

/* approx_percentile's entries, templates for the interned PctFuncs (fraction unset). */
#define PCT_ENTRY(t)                                                                               \
	AGG("approx_percentile", t, T_FLOAT8, Multiset, true, ms_update, pct_final, ms_destroy,    \
	    ms_heap_bytes),
static const AggFunc pct_aggs[] = {
	PCT_ENTRY(T_INT2) PCT_ENTRY(T_INT4) PCT_ENTRY(T_INT8) PCT_ENTRY(T_FLOAT4)
	PCT_ENTRY(T_FLOAT8) PCT_ENTRY(T_NUMERIC)
};

static const AggFunc append_only_aggs[] = {ORDERED_TYPES(MINMAX1_ENTRIES)};

#define SUMAVG_DISTINCT(t, sumret, avgret)                                                         \
	AGG("sum", t, sumret, Multiset, true, ms_update, sum_distinct_final, ms_destroy,           \
	    ms_heap_bytes),                                                                        \
	AGG("avg", t, avgret, Multiset, true, ms_update, avg_distinct_final, ms_destroy,           \
	    ms_heap_bytes),

static const AggFunc distinct_aggs[] = {
	COUNT_DISTINCT_ENTRY(T_BOOL) ORDERED_TYPES(COUNT_DISTINCT_ENTRY)
	SUMAVG_DISTINCT(T_INT2, T_INT8, T_NUMERIC)
	SUMAVG_DISTINCT(T_INT4, T_INT8, T_NUMERIC)
	SUMAVG_DISTINCT(T_INT8, T_NUMERIC, T_NUMERIC)
	SUMAVG_DISTINCT(T_NUMERIC, T_NUMERIC, T_NUMERIC)
	SUMAVG_DISTINCT(T_FLOAT4, T_FLOAT4, T_FLOAT8)
	SUMAVG_DISTINCT(T_FLOAT8, T_FLOAT8, T_FLOAT8)
	SUMAVG_DISTINCT(T_INTERVAL, T_INTERVAL, T_INTERVAL)
	ORDERED_TYPES(MINMAX_ENTRIES)
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const AggFunc *find(const AggFunc *tab, size_t n, const char *name, TypeId arg)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0 && tab[i].arg_type == arg)
			return &tab[i];
	return NULL;
}

bool agg_is_aggregate(const char *name)
{
	static const char *const names[] = {
		"count", "sum", "avg", "min", "max", "stddev", "stddev_samp", "stddev_pop",
		"variance", "var_samp", "var_pop", "first_value", "last_value", "approx_percentile",
		"string_agg",
	};
	for (size_t i = 0; i < NELEM(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

bool agg_has_param(const char *name)
{
	return strcmp(name, "approx_percentile") == 0 || strcmp(name, "string_agg") == 0;
}

/* Interned PctFuncs: a static pool, so that a resolved aggregate outlives every plan that
 * points at it without heap memory to account for. */
#define PCT_POOL 256
static PctFunc pct_pool[PCT_POOL];
static int pct_used;
static pthread_mutex_t pct_lock = PTHREAD_MUTEX_INITIALIZER;

static const AggFunc *pct_intern(const AggFunc *tmpl, double fraction, Err *e)
{
	const AggFunc *r = NULL;
	pthread_mutex_lock(&pct_lock);
	for (int i = 0; i < pct_used && !r; i++)
		if (pct_pool[i].f.arg_type == tmpl->arg_type && pct_pool[i].fraction == fraction)
			r = &pct_pool[i].f;
	if (!r && pct_used < PCT_POOL) {
		pct_pool[pct_used] = (PctFunc){*tmpl, fraction};
		r = &pct_pool[pct_used++].f;
	}
	pthread_mutex_unlock(&pct_lock);
	if (!r)
		err_set(e, ERR_PROGRAM_LIMIT,
			"too many distinct approx_percentile fractions (at most %d)", PCT_POOL);
	return r;
}

/* ---- string_agg(text, delimiter): the group's non-NULL values joined in arrival order, NULL
 * when there are none. Arrival order cannot be undone, so it does not retract (a view over
 * updates or deletes is refused with 0A000, as for first_value); merging appends src's text to
 * dst's (HOP panes merge in time order). The delimiter is a constant of the call (PostgreSQL
 * allows a per-row one), kept in a StrAggFunc interned like approx_percentile's fraction. */

#define STRAGG_MAX_DELIM 64

typedef struct StrAggFunc {
	AggFunc f; /* first member: the AggFunc pointer the callbacks get is the StrAggFunc's */
	uint32_t delim_len;
	char delim[STRAGG_MAX_DELIM];
} StrAggFunc;

typedef struct StrAgg {
	char *p; /* heap; NULL until the first value */
	uint32_t len, cap;
	bool has;
} StrAgg;

static void stragg_append(StrAgg *s, const char *p, size_t n)
{
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 32;
		while (cap < s->len + n)
			cap *= 2;
		s->p = mem_realloc(s->p, cap);
		s->cap = (uint32_t)cap;
	}
	if (n)
		memcpy(s->p + s->len, p, n);
	s->len += (uint32_t)n;
}

static void stragg_add(const AggFunc *f, StrAgg *s, const char *p, size_t n)
{
	const StrAggFunc *sf = (const StrAggFunc *)f;
	if (s->has)
		stragg_append(s, sf->delim, sf->delim_len);
	stragg_append(s, p, n);
	s->has = true;
}

static int stragg_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			 const uint8_t *skip, int n, Err *e)
{
	for (int r = 0; r < n; r++) {
		if (skipped(skip, r) || arg->nulls[r])
			continue;
		if (op_sign(ops[r]) < 0)
			return err_set(e, ERR_INTERNAL, "%s() received a delete", f->name);
		Str v = VEC_DATA(arg, Str)[r];
		stragg_add(f, states[r], v.p, v.len);
	}
	return 0;
}

static void stragg_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	const StrAgg *s = state;
	*out = value_null(T_VARCHAR);
	if (!s->has)
		return;
	char *d = arena_alloc(a, s->len ? s->len : 1);
	if (s->len)
		memcpy(d, s->p, s->len);
	out->null = false;
	out->u.s = (Str){d, s->len};
}

static void stragg_destroy(const AggFunc *f, void *state)
{
	StrAgg *s = state;
	mem_free(s->p);
	memset(s, 0, sizeof *s);
}

static size_t stragg_heap_bytes(const AggFunc *f, const void *state)
{
	return ((const StrAgg *)state)->cap;
}

static int stragg_merge(const AggFunc *f, void *dst, const void *src, Err *e)
{
	const StrAgg *s = src;
	if (s->has)
		stragg_add(f, dst, s->p, s->len);
	return 0;
}

/* Checkpoint bytes: has u8 (0/1), then u32 length + the text so far when has. */
static void stragg_save(const AggFunc *f, const void *state, StrBuf *out)
{
	const StrAgg *s = state;
	bin_put_u8(out, s->has);
	if (s->has)
		bin_put_bytes(out, s->p ? s->p : "", s->len);
}

static int stragg_load(const AggFunc *f, void *state, const void *p, size_t n, Err *e)
{
	BinReader r;
	bin_reader(&r, p, n);
	uint8_t has = bin_get_u8(&r);
	if (has > 1)
		r.bad = true;
	if (has == 1 && !r.bad) {
		size_t len;
		const void *b = bin_get_bytes(&r, &len);
		if (!r.bad) {
			StrAgg *s = state;
			stragg_append(s, b, len);
			s->has = true;
		}
	}
	return bin_done(&r) ? 0 : load_failed(f, state, e);
}

static const AggFunc stragg_tmpl = {"string_agg", T_VARCHAR, T_VARCHAR, sizeof(StrAgg), false,
				    zero_init, stragg_update, stragg_final, stragg_destroy,
				    stragg_heap_bytes, stragg_merge, stragg_save, stragg_load};

/* Interned StrAggFuncs: a static pool, as for approx_percentile. */
#define STRAGG_POOL 64
static StrAggFunc stragg_pool[STRAGG_POOL];
static int stragg_used;
static pthread_mutex_t stragg_lock = PTHREAD_MUTEX_INITIALIZER;

static const AggFunc *stragg_resolve(const Value *delim, Err *e)
{
	if (delim->null)
		return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			       "the delimiter of string_agg must not be NULL"),
		       NULL;
	Str d = delim->u.s;
	if (d.len > STRAGG_MAX_DELIM)
		return err_set(e, ERR_PROGRAM_LIMIT,
			       "the delimiter of string_agg is longer than %d bytes",
			       STRAGG_MAX_DELIM),
		       NULL;
	const AggFunc *r = NULL;
	pthread_mutex_lock(&stragg_lock);
	for (int i = 0; i < stragg_used && !r; i++)
		if (stragg_pool[i].delim_len == d.len && memcmp(stragg_pool[i].delim, d.p, d.len) == 0)
			r = &stragg_pool[i].f;
	if (!r && stragg_used < STRAGG_POOL) {
		StrAggFunc *sf = &stragg_pool[stragg_used++];
		sf->f = stragg_tmpl;
		sf->delim_len = d.len;
		memcpy(sf->delim, d.p, d.len);
		r = &sf->f;
	}
	pthread_mutex_unlock(&stragg_lock);
	if (!r)
		err_set(e, ERR_PROGRAM_LIMIT,
			"too many distinct string_agg delimiters (at most %d)", STRAGG_POOL);
	return r;
}

const AggFunc *agg_resolve_param(const char *name, TypeId arg, const Value *param, Err *e)
{
	if (strcmp(name, "string_agg") == 0 && (arg == T_VARCHAR || arg == T_UNKNOWN) &&
	    (type_is_string(param->type) || param->type == T_NULL))
		return stragg_resolve(param, e);
	const AggFunc *tmpl = find(pct_aggs, NELEM(pct_aggs), name, arg);
	bool numeric_param = type_is_integer(param->type) || type_is_float(param->type) ||
			     param->type == T_NUMERIC || param->type == T_NULL;
	if (!tmpl || !numeric_param) {
		err_set(e, ERR_UNDEFINED_FUNCTION, "function %s(%s, %s) does not exist", name,
			arg == T_UNKNOWN ? "text" : type_name(arg),
			param->type == T_UNKNOWN ? "unknown" : type_name(param->type));
		err_hint(e, "No function matches the given name and argument types. You might need "
			    "to add explicit type casts.");
		return NULL;
	}
	double fraction = NAN;
	if (!param->null)
		fraction = type_is_integer(param->type) ? (double)param->u.i
			   : type_is_float(param->type) ? param->u.f
							: num_to_double(param->u.n);
	if (!(fraction >= 0 && fraction <= 1)) {
		if (param->null)
			err_set(e, ERR_INVALID_PARAMETER_VALUE,
				"the fraction of %s must not be NULL", name);
		else
			err_set(e, ERR_INVALID_PARAMETER_VALUE,
				"percentile value %g is not between 0 and 1", fraction);
		return NULL;
	}
	return pct_intern(tmpl, fraction, e);
}

const AggFunc *agg_resolve(const char *name, TypeId arg, bool star, bool distinct,
			   bool append_only, Err *e)
{
	if (star) {
		if (strcmp(name, "count") == 0)
			return &count_star;
		err_set(e, ERR_WRONG_OBJECT_TYPE, "%s(*) must be used to call a parameterless "
			"aggregate function", name);
		return NULL;
	}
	/* An untyped literal argument is text, as PostgreSQL resolves it for these. */
	TypeId t = (arg == T_UNKNOWN) ? T_VARCHAR : arg;
	const AggFunc *f = NULL;
	if (distinct)
		f = find(distinct_aggs, NELEM(distinct_aggs), name, t);
	else if (append_only && (strcmp(name, "min") == 0 || strcmp(name, "max") == 0))
		f = find(append_only_aggs, NELEM(append_only_aggs), name, t);
	if (!f && !distinct)
		f = find(plain_aggs, NELEM(plain_aggs), name, t);
	if (!f && strcmp(name, "count") == 0 && t == T_NULL)
		f = find(plain_aggs, NELEM(plain_aggs), name, T_BOOL);
	if (f)
		return f;
	err_set(e, ERR_UNDEFINED_FUNCTION, "function %s(%s%s) does not exist", name,
		distinct ? "DISTINCT " : "", t == T_VARCHAR ? "text" : type_name(t));
	err_hint(e, "No function matches the given name and argument types. You might need to add "
		    "explicit type casts.");
	return NULL;
}
