/* agg.c: the aggregate functions (see agg.h).
 *
 * Layer: expr. Every aggregate here is retractable unless it says otherwise: a delete row undoes
 * what the matching insert did. sum and avg keep a count of the non-NULL inputs they hold, so a
 * group whose last value is deleted answers NULL again. min and max keep a multiset of the
 * group's values (a sorted array of value -> count, strings copied with mem_alloc and freed by
 * destroy), so deleting the current minimum finds the next one; on append-only input the planner
 * may pick the plain variants, which keep one value and refuse deletes (retractable = false).
 * count/sum/avg(DISTINCT x) use the same multiset and compute their result from it.
 *
 * The states of sum/avg are expanded per input representation by macros; the table at the end
 * lists every (name, argument type) once.
 */
#include "expr/agg.h"

#include "vec/datetime.h"
#include "vec/numeric.h"

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
			if (type_is_string(x->v.type)) {
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
	if (type_is_string(v->type)) {
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
		if (type_is_string(m->e[i].v.type))
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
	if (!v->null && type_is_string(v->type)) {
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

/* Keeps v when it beats the state's value (compares as `want`: -1 min, 1 max). */
static void extreme_offer(Extreme *s, Value v, int want)
{
	if (s->has && value_compare(&v, &s->v) != want)
		return;
	if (type_is_string(v.type)) {
		if (s->has)
			mem_free((void *)s->v.u.s.p);
		char *d = mem_alloc(v.u.s.len ? v.u.s.len : 1);
		memcpy(d, v.u.s.p, v.u.s.len);
		v.u.s.p = d;
	}
	s->v = v;
	s->has = true;
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
	if (s->has && type_is_string(s->v.type))
		mem_free((void *)s->v.u.s.p);
	s->has = false;
}

static size_t extreme_heap_bytes(const AggFunc *f, const void *state)
{
	const Extreme *s = state;
	return s->has && type_is_string(s->v.type) ? s->v.u.s.len : 0;
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
		 Multiset *: ms_merge, Extreme *: extreme_merge, default: NULL)

/* ---- the table */

/* X(TypeId) for every type min/max/count(DISTINCT) accept. */
#define ORDERED_TYPES(X)                                                                           \
	X(T_INT2) X(T_INT4) X(T_INT8) X(T_FLOAT4) X(T_FLOAT8) X(T_NUMERIC) X(T_VARCHAR) X(T_DATE)  \
	X(T_TIMESTAMP) X(T_TIMESTAMPTZ) X(T_INTERVAL)

#define AGG(name, arg, ret, State, retract, upd, fin, destroy, heap)                               \
	{name, arg, ret, sizeof(State), retract, zero_init, upd, fin, destroy, heap, MERGE_OF(State)}

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
	return strcmp(name, "count") == 0 || strcmp(name, "sum") == 0 || strcmp(name, "avg") == 0 ||
	       strcmp(name, "min") == 0 || strcmp(name, "max") == 0;
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
