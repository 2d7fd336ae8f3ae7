/* cast.c: the conversion kernels between all types (see expr_int.h).
 *
 * Layer: expr. One loop per source representation (expanded by a macro) feeds a store function
 * per target kind: an int64, a double or a Numeric value is range-checked and stored into the
 * target vector. Conversions to and from text go through the types' text I/O (value.h), so a
 * cast prints and parses exactly as a client would see it. PostgreSQL's rounding rules hold:
 * float to integer rounds half to even (rint), numeric to integer rounds half away from zero.
 * Rows whose out->nulls flag is set on entry are skipped.
 */
#include "expr/expr_int.h"
#include "expr/func.h"

#include "vec/array.h"
#include "vec/datetime.h"
#include "vec/numeric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct CastCx {
	Vector *out;
	int32_t typmod;
	bool assign;
	TypeId from;
	ExprCtx *cx;
} CastCx;

static int out_of_range(CastCx *c, int r, TypeId t)
{
	return func_row_error(c->cx, c->out, r, ERR_NUMERIC_OUT_OF_RANGE, "%s out of range",
			      t == T_INT2 ? "smallint" : t == T_INT4 ? "integer" : "bigint");
}

static int store_numeric(CastCx *c, int r, Numeric v)
{
	if (c->typmod >= 0) {
		Err le;
		err_clear(&le);
		if (num_cast(v, (c->typmod >> 16) & 0xffff, c->typmod & 0xffff, &v, &le))
			return func_row_fail(c->cx, c->out, r, &le);
	}
	VEC_DATA(c->out, Numeric)[r] = v;
	return 0;
}

static int store_i64(CastCx *c, int r, int64_t x)
{
	Vector *o = c->out;
	switch (o->type) {
	case T_BOOL:
		VEC_DATA(o, uint8_t)[r] = x != 0;
		return 0;
	case T_INT2:
		if (x < INT16_MIN || x > INT16_MAX)
			return out_of_range(c, r, T_INT2);
		VEC_DATA(o, int16_t)[r] = (int16_t)x;
		return 0;
	case T_INT4:
		if (x < INT32_MIN || x > INT32_MAX)
			return out_of_range(c, r, T_INT4);
		VEC_DATA(o, int32_t)[r] = (int32_t)x;
		return 0;
	case T_INT8:
		VEC_DATA(o, int64_t)[r] = x;
		return 0;
	case T_FLOAT4:
		VEC_DATA(o, float)[r] = (float)x;
		return 0;
	case T_FLOAT8:
		VEC_DATA(o, double)[r] = (double)x;
		return 0;
	case T_NUMERIC:
		return store_numeric(c, r, num_from_int64(x));
	default:
		return func_row_error(c->cx, o, r, ERR_CANNOT_COERCE, "cannot cast type %s to %s",
				      type_name(c->from), type_name(o->type));
	}
}

static int store_f64(CastCx *c, int r, double x)
{
	Vector *o = c->out;
	switch (o->type) {
	case T_INT2:
	case T_INT4:
	case T_INT8: {
		/* PostgreSQL rounds with rint(): half to even. */
		double d = rint(x);
		if (isnan(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
			return out_of_range(c, r, o->type);
		return store_i64(c, r, (int64_t)d);
	}
	case T_FLOAT4: {
		float f = (float)x;
		if (isinf(f) && !isinf(x))
			return func_row_error(c->cx, o, r, ERR_NUMERIC_OUT_OF_RANGE,
					      "value out of range: overflow");
		if (f == 0 && x != 0)
			return func_row_error(c->cx, o, r, ERR_NUMERIC_OUT_OF_RANGE,
					      "value out of range: underflow");
		VEC_DATA(o, float)[r] = f;
		return 0;
	}
	case T_FLOAT8:
		VEC_DATA(o, double)[r] = x;
		return 0;
	case T_NUMERIC: {
		Numeric v;
		Err le;
		err_clear(&le);
		int rc;
		if (c->from == T_FLOAT4 && !isnan(x) && !isinf(x)) {
			/* float4 keeps 6 significant digits, as PostgreSQL's float4_numeric. */
			char buf[48];
			int len = snprintf(buf, sizeof buf, "%.6g", x);
			rc = num_parse(buf, (size_t)len, &v, &le);
		} else {
			rc = num_from_double(x, &v, &le);
		}
		if (rc)
			return func_row_fail(c->cx, o, r, &le);
		return store_numeric(c, r, v);
	}
	default:
		return func_row_error(c->cx, o, r, ERR_CANNOT_COERCE, "cannot cast type %s to %s",
				      type_name(c->from), type_name(o->type));
	}
}

static int store_num(CastCx *c, int r, Numeric v)
{
	Vector *o = c->out;
	if (o->type == T_NUMERIC)
		return store_numeric(c, r, v);
	if (type_is_float(o->type))
		return store_f64(c, r, num_to_double(v));
	int64_t i;
	if (!num_to_int64(v, &i))
		return out_of_range(c, r, o->type);
	return store_i64(c, r, i);
}

/* One loop per source C type, each row handed to a store function. */
#define CAST_LOOP(ctype, STORE, CONV)                                                              \
	do {                                                                                       \
		const ctype *a_ = (const ctype *)src->data;                                        \
		for (int r = 0; r < n; r++) {                                                      \
			if (out->nulls[r])                                                         \
				continue;                                                          \
			if (STORE(&c, r, CONV(a_[r])))                                             \
				return -1;                                                         \
		}                                                                                  \
	} while (0)

#define AS_I64(x) ((int64_t)(x))
#define AS_F64(x) ((double)(x))
#define AS_IS(x) (x)

/* Number of bytes of the first `chars` UTF-8 characters of s (all of s when shorter). */
static size_t utf8_prefix(const char *s, size_t n, int64_t chars)
{
	size_t i = 0;
	while (i < n && chars > 0) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

/* varchar(n): explicit casts truncate, assignments fail unless only spaces are cut. */
static int apply_varchar_typmod(CastCx *c, int r, Str *s)
{
	if (c->typmod < 0)
		return 0;
	size_t keep = utf8_prefix(s->p, s->len, c->typmod);
	if (keep == s->len)
		return 0;
	if (c->assign) {
		for (size_t k = keep; k < s->len; k++)
			if (s->p[k] != ' ')
				return func_row_error(c->cx, c->out, r, ERR_STRING_TOO_LONG,
						      "value too long for type character varying(%d)",
						      (int)c->typmod);
	}
	s->len = (uint32_t)keep;
	return 0;
}

static int to_text(CastCx *c, const Vector *src, int n)
{
	Vector *out = c->out;
	StrBuf sb;
	sb_init(&sb);
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		Str s;
		if (type_is_string(src->type)) {
			s = VEC_DATA(src, Str)[r];
		} else if (src->type == T_BOOL) {
			/* PostgreSQL's boolean-to-text cast spells the words out. */
			bool b = VEC_DATA(src, uint8_t)[r] != 0;
			s.p = b ? "true" : "false";
			s.len = b ? 4 : 5;
		} else {
			Value v;
			vec_get_value(src, r, &v);
			sb_reset(&sb);
			value_format(&v, &sb);
			char *d = arena_alloc(c->cx->arena, sb.len ? sb.len : 1);
			memcpy(d, sb.data, sb.len);
			s.p = d;
			s.len = (uint32_t)sb.len;
		}
		if (apply_varchar_typmod(c, r, &s)) {
			sb_deinit(&sb);
			return -1;
		}
		VEC_DATA(out, Str)[r] = s;
	}
	sb_deinit(&sb);
	return 0;
}

static int from_text(CastCx *c, const Vector *src, int n)
{
	Vector *out = c->out;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		Str s = VEC_DATA(src, Str)[r];
		Value v;
		Err le;
		err_clear(&le);
		/* An array is built while parsing: it needs the arena; scalars need none. */
		Arena *a = type_is_array(out->type) ? c->cx->arena : NULL;
		if (value_parse(out->type, s.p, s.len, &v, a, &le)) {
			if (func_row_fail(c->cx, out, r, &le))
				return -1;
			continue;
		}
		if (out->type == T_NUMERIC) {
			if (store_numeric(c, r, v.u.n))
				return -1;
			continue;
		}
		vec_set_value(out, r, &v, NULL);
	}
	return 0;
}

static int datetime_cast(CastCx *c, const Vector *src, int n)
{
	Vector *out = c->out;
	TypeId from = src->type, to = out->type;
	for (int r = 0; r < n; r++) {
		if (out->nulls[r])
			continue;
		if (from == T_DATE) {
			VEC_DATA(out, int64_t)[r] = dt_date_to_ts(VEC_DATA(src, int32_t)[r]);
		} else if (to == T_DATE) {
			VEC_DATA(out, int32_t)[r] = dt_ts_to_date(VEC_DATA(src, int64_t)[r]);
		} else {
			/* timestamp <-> timestamptz: eddy shows and reads both in UTC. */
			VEC_DATA(out, int64_t)[r] = VEC_DATA(src, int64_t)[r];
		}
	}
	return 0;
}

/* Between array types: every element through the element types' cast. */
static int array_cast(CastCx *c, const Vector *src, int n)
{
	Vector *out = c->out;
	TypeId from = type_elem(src->type), to = type_elem(out->type);
	ArrBuild b;
	arr_build_init(&b, to);
	int rc = 0;
	for (int r = 0; r < n && rc == 0; r++) {
		if (out->nulls[r])
			continue;
		ArrIter it;
		arr_iter_init(&it, VEC_DATA(src, Str)[r], from);
		Value v, w;
		Err le;
		err_clear(&le);
		bool bad = false;
		while (!bad && arr_next(&it, &v)) {
			if (v.null) {
				w = value_null(to);
			} else if (cast_value(&v, to, -1, c->assign, &w, c->cx->arena, &le) < 0) {
				bad = true;
				break;
			}
			arr_build_push(&b, &w);
		}
		Str a = arr_build_finish(&b, c->cx->arena);
		if (bad)
			rc = func_row_fail(c->cx, out, r, &le);
		else
			VEC_DATA(out, Str)[r] = a;
	}
	arr_build_deinit(&b);
	return rc;
}

/* One loop over all rows converting every value; a NULL row's value is converted too and
 * ignored (the conversions below cannot fail). */
#define WIDEN_LOOP(ftype, ttype, CONV)                                                             \
	do {                                                                                       \
		const ftype *restrict a_ = (const ftype *)src->data;                               \
		ttype *restrict o_ = (ttype *)out->data;                                           \
		for (int r = 0; r < n; r++)                                                        \
			o_[r] = CONV(a_[r]);                                                       \
	} while (0)
#define TO_NUMERIC(x) num_from_int64((int64_t)(x))
#define WIDEN_FROM(ftype)                                                                          \
	switch (out->type) {                                                                       \
	case T_INT8:                                                                               \
		WIDEN_LOOP(ftype, int64_t, AS_I64);                                                \
		return true;                                                                       \
	case T_FLOAT8:                                                                             \
		WIDEN_LOOP(ftype, double, AS_F64);                                                 \
		return true;                                                                       \
	case T_NUMERIC:                                                                            \
		if (typmod >= 0)                                                                   \
			return false;                                                              \
		WIDEN_LOOP(ftype, Numeric, TO_NUMERIC);                                            \
		return true;                                                                       \
	default:                                                                                   \
		return false;                                                                      \
	}

/* The casts that cannot fail and need no per-row checks: integers to a wider integer, to
 * float8 and to numeric without a typmod (the implicit casts of mixed arithmetic). Returns
 * whether it converted src. */
EXPR_VECTORIZE static bool widen(const Vector *src, Vector *out, int32_t typmod, int n)
{
	switch (src->type) {
	case T_INT2:
		if (out->type == T_INT4) {
			WIDEN_LOOP(int16_t, int32_t, (int32_t));
			return true;
		}
		WIDEN_FROM(int16_t)
	case T_INT4:
		WIDEN_FROM(int32_t)
	case T_INT8:
		WIDEN_FROM(int64_t)
	default:
		return false;
	}
}

int cast_vector(const Vector *src, Vector *out, int32_t typmod, bool assign, int n, ExprCtx *cx)
{
	CastCx c = {out, typmod, assign, src->type, cx};
	TypeId from = src->type, to = out->type;
	if (from == T_NULL) {
		memset(out->nulls, 1, (size_t)n);
		return 0;
	}
	if (to == T_VARCHAR || to == T_UNKNOWN)
		return to_text(&c, src, n);
	if (type_is_string(from))
		return from_text(&c, src, n);
	if (from == to && (to != T_NUMERIC || typmod < 0)) {
		memcpy(out->data, src->data, (size_t)n * type_size(to));
		return 0;
	}
	if (type_is_temporal(from) && type_is_temporal(to))
		return datetime_cast(&c, src, n);
	if (type_is_array(from) && type_is_array(to))
		return array_cast(&c, src, n);
	if (widen(src, out, typmod, n))
		return 0;
	switch (from) {
	case T_BOOL:
		CAST_LOOP(uint8_t, store_i64, AS_I64);
		return 0;
	case T_INT2:
		CAST_LOOP(int16_t, store_i64, AS_I64);
		return 0;
	case T_INT4:
		CAST_LOOP(int32_t, store_i64, AS_I64);
		return 0;
	case T_INT8:
		CAST_LOOP(int64_t, store_i64, AS_I64);
		return 0;
	case T_FLOAT4:
		CAST_LOOP(float, store_f64, AS_F64);
		return 0;
	case T_FLOAT8:
		CAST_LOOP(double, store_f64, AS_F64);
		return 0;
	case T_NUMERIC:
		CAST_LOOP(Numeric, store_num, AS_IS);
		return 0;
	default:
		break;
	}
	return err_set(cx->err, ERR_CANNOT_COERCE, "cannot cast type %s to %s", type_name(from),
		       type_name(to));
}

int cast_value(const Value *in, TypeId to, int32_t typmod, bool assign, Value *out, Arena *a,
	       Err *e)
{
	/* One-row vectors over local storage: the kernels only touch row 0. */
	union {
		int64_t i;
		double f;
		Numeric n;
		Str s;
		Interval iv;
	} sbuf, dbuf;
	uint8_t snull = in->null, dnull = in->null;
	Vector src = {in->type, &sbuf, &snull};
	Vector dst = {to, &dbuf, &dnull};
	vec_set_value(&src, 0, in, NULL);
	ExprCtx cx;
	memset(&cx, 0, sizeof cx);
	cx.arena = a;
	cx.err = e;
	if (cast_vector(&src, &dst, typmod, assign, 1, &cx))
		return -1;
	vec_get_value(&dst, 0, out);
	return 0;
}
