/* value.c: moving single values in and out of vectors (see value.h). Layer: vec.
 * The text forms and comparisons of values live in value_text.c. */
#include "vec/value.h"

#include <string.h>

void vec_get_value(const Vector *v, int row, Value *out)
{
	out->type = v->type;
	out->null = v->nulls[row] != 0;
	out->u.i = 0;
	if (out->null)
		return;
	switch (v->type) {
	case T_NULL:
		out->null = true;
		break;
	case T_BOOL:
		out->u.i = VEC_DATA(v, uint8_t)[row];
		break;
	case T_INT2:
		out->u.i = VEC_DATA(v, int16_t)[row];
		break;
	case T_INT4:
		out->u.i = VEC_DATA(v, int32_t)[row];
		break;
	case T_DATE:
		out->u.i = VEC_DATA(v, int32_t)[row];
		break;
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		out->u.i = VEC_DATA(v, int64_t)[row];
		break;
	case T_FLOAT4:
		out->u.f = VEC_DATA(v, float)[row];
		break;
	case T_FLOAT8:
		out->u.f = VEC_DATA(v, double)[row];
		break;
	case T_NUMERIC:
		out->u.n = VEC_DATA(v, Numeric)[row];
		break;
	case T_VARCHAR:
	case T_UNKNOWN:
		out->u.s = VEC_DATA(v, Str)[row];
		break;
	case T_INTERVAL:
		out->u.iv = VEC_DATA(v, Interval)[row];
		break;
	case T__COUNT:
		break;
	default: /* arrays */
		out->u.s = VEC_DATA(v, Str)[row];
		break;
	}
}

void vec_set_value(Vector *v, int row, const Value *val, Arena *a)
{
	if (val->null || v->type == T_NULL) {
		v->nulls[row] = 1;
		return;
	}
	v->nulls[row] = 0;
	switch (v->type) {
	case T_NULL:
		break;
	case T_BOOL:
		VEC_DATA(v, uint8_t)[row] = val->u.i != 0;
		break;
	case T_INT2:
		VEC_DATA(v, int16_t)[row] = (int16_t)val->u.i;
		break;
	case T_INT4:
		VEC_DATA(v, int32_t)[row] = (int32_t)val->u.i;
		break;
	case T_DATE:
		VEC_DATA(v, int32_t)[row] = (int32_t)val->u.i;
		break;
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		VEC_DATA(v, int64_t)[row] = val->u.i;
		break;
	case T_FLOAT4:
		VEC_DATA(v, float)[row] = (float)val->u.f;
		break;
	case T_FLOAT8:
		VEC_DATA(v, double)[row] = val->u.f;
		break;
	case T_NUMERIC:
		VEC_DATA(v, Numeric)[row] = val->u.n;
		break;
	case T_VARCHAR:
	case T_UNKNOWN:
	default: { /* strings and arrays */
		Str s = val->u.s;
		if (a) {
			char *d = arena_alloc(a, s.len ? s.len : 1);
			memcpy(d, s.p, s.len);
			s.p = d;
		}
		VEC_DATA(v, Str)[row] = s;
		break;
	}
	case T_INTERVAL:
		VEC_DATA(v, Interval)[row] = val->u.iv;
		break;
	}
}
