/* agg.c: the aggregate functions (see agg.h).
 *
 * Layer: expr. Every aggregate here is retractable unless it says otherwise: a delete row undoes
 * what the matching insert did. sum and avg keep a count of the non-NULL inputs they hold, so a
 * group whose last value is deleted answers NULL again. min and max keep a multiset of the
 * group's values (a sorted array of value -> count, strings copied with mem_alloc and freed by
 * destroy), so deleting the current minimum finds the next one; on append-only input the planner
 * may pick the plain variants, which keep one value and refuse deletes (retractable = false).
 * count/sum/avg(DISTINCT x) use the same multiset and compute their result from it, and so does
 * approx_percentile (exact for now). Hash aggregation instead gives count/sum/avg(DISTINCT)
 * aggregates over one argument one shared hash table of per-member multiplicities (agg_dset_*,
 * at the end). The variance family keeps n, sum and sum of squares (exactly, in Numeric, for
 * integer and numeric input); first_value/last_value keep one value in arrival order and cannot
 * retract.
 *
 * The states of sum/avg are expanded per input representation by macros; the table at the end
 * lists every (name, argument type) once.
 */
#include "expr/agg.h"

#include "base/bin.h"
#include "base/hash.h"

#include "vec/datetime.h"
#include "vec/numeric.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
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

static void sum_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a);
static void avg_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a);

/* sum/avg(DISTINCT x): the distinct values present, added up in the result's arithmetic. */
typedef struct DistinctSum {
	__int128 isum;
	double fsum;
	Numeric nsum;
	Interval ivsum;
	int64_t k;
} DistinctSum;

static void dsum_init(DistinctSum *d)
{
	memset(d, 0, sizeof *d);
	d->nsum = num_from_int64(0);
}

static void dsum_add(const AggFunc *f, DistinctSum *d, const Value *v)
{
	d->k++;
	if (type_is_integer(f->arg_type))
		d->isum += v->u.i;
	else if (type_is_float(f->arg_type))
		d->fsum += v->u.f;
	else if (f->arg_type == T_NUMERIC)
		num_add(d->nsum, v->u.n, &d->nsum, NULL);
	else
		dt_iv_add(d->ivsum, v->u.iv, &d->ivsum, NULL);
}

static void dsum_value(const AggFunc *f, const DistinctSum *d, Value *sum)
{
	sum->null = false;
	if (type_is_integer(f->arg_type)) {
		sum->type = T_NUMERIC;
		sum->u.n = i128_numeric(d->isum);
	} else if (type_is_float(f->arg_type)) {
		sum->type = T_FLOAT8;
		sum->u.f = d->fsum;
	} else if (f->arg_type == T_NUMERIC) {
		sum->type = T_NUMERIC;
		sum->u.n = d->nsum;
	} else {
		sum->type = T_INTERVAL;
		sum->u.iv = d->ivsum;
	}
}

/* The result of count/sum/avg(DISTINCT) from the distinct values' accumulation. */
static void distinct_result(const AggFunc *f, const DistinctSum *d, Value *out)
{
	Value s;
	dsum_value(f, d, &s);
	int64_t k = d->k;
	if (f->final == count_distinct_final) {
		*out = value_int(T_INT8, k);
		return;
	}
	*out = value_null(f->result_type);
	if (k == 0)
		return;
	if (f->final == sum_distinct_final) {
		if (f->result_type == T_INT8) {
			*out = value_int(T_INT8, (int64_t)s.u.n.m);
		} else {
			*out = s;
			out->type = f->result_type;
		}
	} else if (f->result_type == T_NUMERIC) {
		avg_num_of(s.u.n, k, out);
	} else if (f->result_type == T_FLOAT8) {
		out->null = false;
		out->u.f = s.u.f / (double)k;
	} else if (dt_iv_div(s.u.iv, (double)k, &out->u.iv, NULL) == 0) {
		out->null = false;
	}
}

static void ms_distinct_final(const AggFunc *f, const void *state, Value *out)
{
	const Multiset *m = state;
	DistinctSum d;
	dsum_init(&d);
	for (int i = 0; i < m->len; i++)
		if (m->e[i].count > 0)
			dsum_add(f, &d, &m->e[i].v);
	distinct_result(f, &d, out);
}

static void sum_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	ms_distinct_final(f, state, out);
}

static void avg_distinct_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	ms_distinct_final(f, state, out);
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
 *   DSet        (shared DISTINCT state of k members, agg_dset_*) len u32, then len times:
 *               VALUE, k multiplicities i64 (no VALUE twice, no entry all 0; saved in
 *               key order: the value's 8 bytes unsigned, or the text's bytes; loaded in any)
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

/* ---- DISTINCT aggregates sharing their argument (agg.h, agg_dset_*).
 *
 * One open-addressing table (linear probing, backward-shift deletion, so no tombstones) per
 * group and argument, with a bitmap of the used slots after the slots. A slot holds the value as
 * an 8-byte key, then k multiplicities of cw bytes each, packed (keys are read with memcpy).
 * Keys are the value's 8 bytes (integers, dates, timestamps, booleans, floats with -0 made 0
 * and every NaN one NaN, so that equal under value_compare means equal bits) or, for text, a
 * pointer to a mem_alloc'd u32 length and the bytes. Hashes are recomputed, not stored.
 * Multiplicities start 2 bytes wide and the table is widened in place (4, then 8 bytes) when one
 * leaves its range, so a small table costs 8 + 2k bytes a slot while any count stays exact
 * (they may go negative when a delete arrives before its insert). An entry leaves the table
 * when all its multiplicities are 0 again; ndist[j] counts the entries whose multiplicity j is
 * positive. */

typedef struct DSet {
	char *tab;         /* cap slots of 8 + cw * k bytes, then the used bitmap */
	uint32_t len, cap; /* entries; slots (0 or a power of two) */
	uint32_t cw;       /* bytes per multiplicity: 2, 4 or 8 (0 before the first entry) */
	uint32_t ndist[];
} DSet;

static size_t ds_esize(const DSet *s, int k)
{
	return 8 + (size_t)s->cw * (size_t)k;
}

static char *ds_slot(const DSet *s, int k, uint32_t i)
{
	return s->tab + ds_esize(s, k) * i;
}

static uint64_t *ds_used(const DSet *s, int k)
{
	return (uint64_t *)(s->tab + ds_esize(s, k) * s->cap);
}

static size_t ds_tab_bytes(const DSet *s, int k)
{
	return ds_esize(s, k) * s->cap + (s->cap + 63) / 64 * 8;
}

static bool ds_is_used(const DSet *s, int k, uint32_t i)
{
	return ds_used(s, k)[i / 64] >> (i % 64) & 1;
}

static uint64_t ds_key_at(const char *x)
{
	uint64_t key;
	memcpy(&key, x, 8);
	return key;
}

static int64_t ds_cnt(const DSet *s, const char *x, int j)
{
	const char *p = x + 8 + (size_t)s->cw * (size_t)j;
	if (s->cw == 2) {
		int16_t c;
		memcpy(&c, p, 2);
		return c;
	}
	if (s->cw == 4) {
		int32_t c;
		memcpy(&c, p, 4);
		return c;
	}
	int64_t c;
	memcpy(&c, p, 8);
	return c;
}

/* Stores c, which must fit cw bytes. */
static void ds_put_cnt(const DSet *s, char *x, int j, int64_t c)
{
	char *p = x + 8 + (size_t)s->cw * (size_t)j;
	if (s->cw == 2) {
		int16_t v = (int16_t)c;
		memcpy(p, &v, 2);
	} else if (s->cw == 4) {
		int32_t v = (int32_t)c;
		memcpy(p, &v, 4);
	} else {
		memcpy(p, &c, 8);
	}
}

static bool ds_fits(uint32_t cw, int64_t c)
{
	return cw == 8 || (cw == 4 ? c >= INT32_MIN && c <= INT32_MAX
				   : c >= INT16_MIN && c <= INT16_MAX);
}

static const char *ds_text(uint64_t key, uint32_t *len)
{
	const char *p = (const char *)(uintptr_t)key;
	memcpy(len, p, 4);
	return p + 4;
}

static uint64_t ds_hash(TypeId t, uint64_t key)
{
	if (t != T_VARCHAR)
		return hash_u64(key);
	uint32_t len;
	const char *p = ds_text(key, &len);
	return hash_bytes(p, len);
}

bool agg_dset_shareable(const AggFunc *f)
{
	/* min/max(DISTINCT x) are min/max: they keep their own multiset. */
	if (f < distinct_aggs || f >= distinct_aggs + NELEM(distinct_aggs) ||
	    (f->final != count_distinct_final && f->final != sum_distinct_final &&
	     f->final != avg_distinct_final))
		return false;
	switch (f->arg_type) {
	case T_BOOL:
	case T_INT2:
	case T_INT4:
	case T_INT8:
	case T_FLOAT4:
	case T_FLOAT8:
	case T_VARCHAR:
	case T_DATE:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		return true;
	default:
		return false;
	}
}

size_t agg_dset_size(int k)
{
	return sizeof(DSet) + sizeof(uint32_t) * (size_t)k;
}

/* Rebuilds the table with ncap slots and multiplicities ncw bytes wide. */
static void ds_rebuild(DSet *s, TypeId t, int k, uint32_t ncap, uint32_t ncw)
{
	DSet old = *s;
	s->cap = ncap;
	s->cw = ncw;
	s->tab = mem_calloc(1, ds_tab_bytes(s, k));
	uint64_t *used = ds_used(s, k);
	for (uint32_t i = 0; i < old.cap; i++) {
		if (!ds_is_used(&old, k, i))
			continue;
		const char *x = ds_slot(&old, k, i);
		uint64_t key = ds_key_at(x);
		uint32_t j = (uint32_t)ds_hash(t, key) & (ncap - 1);
		while (used[j / 64] >> (j % 64) & 1)
			j = (j + 1) & (ncap - 1);
		used[j / 64] |= UINT64_C(1) << (j % 64);
		char *y = ds_slot(s, k, j);
		memcpy(y, &key, 8);
		for (int m = 0; m < k; m++)
			ds_put_cnt(s, y, m, ds_cnt(&old, x, m));
	}
	mem_free(old.tab);
}

/* The key of a non-NULL value of a shareable type; text points at the value's bytes until
 * ds_upsert copies it. */
static uint64_t ds_word(const Value *v)
{
	if (type_is_float(v->type)) {
		double d = isnan(v->u.f) ? NAN : v->u.f == 0 ? 0.0 : v->u.f;
		uint64_t key;
		memcpy(&key, &d, 8);
		return key;
	}
	return (uint64_t)v->u.i;
}

static bool ds_text_eq(uint64_t key, const Value *v)
{
	uint32_t len;
	const char *p = ds_text(key, &len);
	return len == v->u.s.len && (len == 0 || memcmp(p, v->u.s.p, len) == 0);
}

/* The slot holding key, which is present (text: the very pointer). */
static char *ds_find_key(const DSet *s, TypeId t, int k, uint64_t key)
{
	uint32_t mask = s->cap - 1;
	uint32_t i = (uint32_t)ds_hash(t, key) & mask;
	while (!ds_is_used(s, k, i) || ds_key_at(ds_slot(s, k, i)) != key)
		i = (i + 1) & mask;
	return ds_slot(s, k, i);
}

/* The slot of v, inserted with zero multiplicities when absent; text is copied on insert. */
static char *ds_upsert(DSet *s, TypeId t, int k, const Value *v, bool *found)
{
	if (!s->cw)
		s->cw = 2;
	if ((s->len + 1) * 4 > s->cap * 3)
		ds_rebuild(s, t, k, s->cap ? s->cap * 2 : 8, s->cw);
	bool text = t == T_VARCHAR;
	uint64_t key = text ? 0 : ds_word(v);
	uint64_t h = text ? hash_bytes(v->u.s.p, v->u.s.len) : hash_u64(key);
	uint32_t mask = s->cap - 1;
	uint64_t *used = ds_used(s, k);
	for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
		char *x = ds_slot(s, k, i);
		if (!(used[i / 64] >> (i % 64) & 1)) {
			used[i / 64] |= UINT64_C(1) << (i % 64);
			if (text) {
				char *d = mem_alloc(4 + (size_t)v->u.s.len);
				memcpy(d, &v->u.s.len, 4);
				memcpy(d + 4, v->u.s.p, v->u.s.len);
				key = (uint64_t)(uintptr_t)d;
			}
			memset(x, 0, ds_esize(s, k));
			memcpy(x, &key, 8);
			s->len++;
			*found = false;
			return x;
		}
		if (!text ? ds_key_at(x) == key : ds_text_eq(ds_key_at(x), v)) {
			*found = true;
			return x;
		}
	}
}

/* Removes the entry in slot x, shifting later entries of its probe run back. */
static void ds_remove(DSet *s, int k, TypeId t, char *x)
{
	if (t == T_VARCHAR)
		mem_free((void *)(uintptr_t)ds_key_at(x));
	size_t es = ds_esize(s, k);
	uint32_t mask = s->cap - 1;
	uint64_t *used = ds_used(s, k);
	uint32_t i = (uint32_t)((x - s->tab) / es);
	for (uint32_t j = (i + 1) & mask; used[j / 64] >> (j % 64) & 1; j = (j + 1) & mask) {
		char *y = ds_slot(s, k, j);
		uint32_t home = (uint32_t)ds_hash(t, ds_key_at(y)) & mask;
		/* y may move to the hole at i when its home is not cyclically within (i, j]. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(ds_slot(s, k, i), y, es);
			i = j;
		}
	}
	used[i / 64] &= ~(UINT64_C(1) << (i % 64));
	s->len--;
}

/* Adds sign to multiplicity j of the entry in slot *x, widening the table when the result
 * leaves its width (which moves the entry: *x follows it). Returns whether it became 0. */
static bool ds_add(DSet *s, TypeId t, int k, char **x, int j, int sign)
{
	int64_t c = ds_cnt(s, *x, j), nc = c + sign;
	if (!ds_fits(s->cw, nc)) {
		uint64_t key = ds_key_at(*x);
		ds_rebuild(s, t, k, s->cap, s->cw * 2);
		*x = ds_find_key(s, t, k, key);
	}
	ds_put_cnt(s, *x, j, nc);
	s->ndist[j] += (uint32_t)((nc > 0) - (c > 0));
	return nc == 0;
}

int agg_dset_update(void **states, TypeId t, int k, const Vector *arg, const uint8_t *ops,
		    const uint64_t *mask, int n)
{
	for (int r = 0; r < n; r++) {
		if (!mask[r] || arg->nulls[r])
			continue;
		Value v;
		vec_get_value(arg, r, &v);
		DSet *s = states[r];
		bool found;
		char *x = ds_upsert(s, t, k, &v, &found);
		int sign = op_sign(ops[r]);
		bool zeroed = false;
		for (uint64_t m = mask[r]; m; m &= m - 1)
			zeroed |= ds_add(s, t, k, &x, __builtin_ctzll(m), sign);
		/* All 0 again (a delete, or an insert after its early delete): the value goes. */
		bool zero = zeroed;
		for (int j = 0; j < k && zero; j++)
			zero = ds_cnt(s, x, j) == 0;
		if (zero)
			ds_remove(s, k, t, x);
	}
	return 0;
}

/* The value of a used slot. */
static Value ds_value(const char *x, TypeId t)
{
	Value v = value_null(t);
	v.null = false;
	uint64_t key = ds_key_at(x);
	if (t == T_VARCHAR) {
		v.u.s.p = ds_text(key, &v.u.s.len);
	} else if (type_is_float(t)) {
		memcpy(&v.u.f, &key, 8);
	} else {
		v.u.i = (int64_t)key;
	}
	return v;
}

void agg_dset_final(const AggFunc *f, const void *state, int k, int j, Value *out)
{
	const DSet *s = state;
	if (f->final == count_distinct_final) {
		*out = value_int(T_INT8, s->ndist[j]);
		return;
	}
	DistinctSum d;
	dsum_init(&d);
	for (uint32_t i = 0; i < s->cap; i++) {
		const char *x = ds_slot(s, k, i);
		if (ds_is_used(s, k, i) && ds_cnt(s, x, j) > 0) {
			Value v = ds_value(x, f->arg_type);
			dsum_add(f, &d, &v);
		}
	}
	distinct_result(f, &d, out);
}

void agg_dset_destroy(void *state, TypeId t, int k)
{
	DSet *s = state;
	if (t == T_VARCHAR)
		for (uint32_t i = 0; i < s->cap; i++)
			if (ds_is_used(s, k, i))
				mem_free((void *)(uintptr_t)ds_key_at(ds_slot(s, k, i)));
	mem_free(s->tab);
	memset(s, 0, agg_dset_size(k));
}

size_t agg_dset_heap_bytes(const void *state, TypeId t, int k)
{
	const DSet *s = state;
	size_t n = ds_tab_bytes(s, k);
	if (t == T_VARCHAR)
		for (uint32_t i = 0; i < s->cap; i++)
			if (ds_is_used(s, k, i))
				n += 4 + ds_value(ds_slot(s, k, i), t).u.s.len;
	return n;
}

/* Canonical order for saving: keys as unsigned integers, or text bytewise. */
static int ds_cmp_word(const void *pa, const void *pb)
{
	uint64_t a = ds_key_at(*(const char *const *)pa), b = ds_key_at(*(const char *const *)pb);
	return a < b ? -1 : a > b;
}

static int ds_cmp_text(const void *pa, const void *pb)
{
	uint32_t la, lb;
	const char *a = ds_text(ds_key_at(*(const char *const *)pa), &la);
	const char *b = ds_text(ds_key_at(*(const char *const *)pb), &lb);
	uint32_t l = la < lb ? la : lb;
	int c = l ? memcmp(a, b, l) : 0;
	return c ? c : (la > lb) - (la < lb);
}

/* Entries go out in key order, so that equal sets save equal bytes whatever the table's
 * history (a restored table is laid out afresh). */
void agg_dset_save(const void *state, TypeId t, int k, StrBuf *out)
{
	const DSet *s = state;
	bin_put_u32(out, s->len);
	if (!s->len)
		return;
	const char **ord = mem_alloc(sizeof *ord * s->len);
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->cap; i++)
		if (ds_is_used(s, k, i))
			ord[n++] = ds_slot(s, k, i);
	qsort(ord, n, sizeof *ord, t == T_VARCHAR ? ds_cmp_text : ds_cmp_word);
	for (uint32_t i = 0; i < n; i++) {
		Value v = ds_value(ord[i], t);
		save_value(out, &v);
		for (int j = 0; j < k; j++)
			bin_put_i64(out, ds_cnt(s, ord[i], j));
	}
	mem_free(ord);
}

int agg_dset_load(void *state, TypeId t, int k, const void *p, size_t n, Err *e)
{
	DSet *s = state;
	BinReader r;
	bin_reader(&r, p, n);
	uint32_t len = bin_get_u32(&r);
	/* Every entry takes at least 6 + 8k bytes (an empty text): refuse absurd lengths up front. */
	if (k < 1 || k > AGG_DSET_MAX || len > (size_t)(r.end - r.p) / (6 + 8 * (size_t)k))
		r.bad = true;
	for (uint32_t i = 0; i < len && !r.bad; i++) {
		Value v = load_value(&r, t);
		bool zero = true;
		int64_t cnt[AGG_DSET_MAX];
		for (int j = 0; j < k; j++) {
			cnt[j] = bin_get_i64(&r);
			zero &= cnt[j] == 0;
		}
		if (r.bad || v.null || zero) {
			r.bad = true;
			break;
		}
		bool found;
		char *x = ds_upsert(s, t, k, &v, &found);
		if (found) {
			r.bad = true;
			break;
		}
		for (int j = 0; j < k; j++) {
			uint64_t key = ds_key_at(x);
			while (!ds_fits(s->cw, cnt[j])) {
				/* Widen, and find the entry again where it moved. */
				ds_rebuild(s, t, k, s->cap, s->cw * 2);
				x = ds_find_key(s, t, k, key);
			}
			ds_put_cnt(s, x, j, cnt[j]);
			s->ndist[j] += cnt[j] > 0;
		}
	}
	if (bin_done(&r))
		return 0;
	agg_dset_destroy(state, t, k);
	return err_set(e, ERR_DATA_CORRUPTED,
		       "checkpointed state of DISTINCT aggregates over %s does not decode",
		       t == T_VARCHAR ? "text" : type_name(t));
}
