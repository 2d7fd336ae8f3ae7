/* rowcodec.c: row and key encoding (format drawn in rowcodec.h). Layer: vec. */
#include "vec/rowcodec.h"
#include "vec/array.h"

#include <string.h>

static Numeric numeric_strip(Numeric n)
{
	while (n.scale > 0 && n.m % 10 == 0) {
		n.m /= 10;
		n.scale--;
	}
	return n;
}

void row_encode_value(const Value *v, int flags, StrBuf *out)
{
	if (v->null || v->type == T_NULL) {
		sb_putc(out, 0);
		return;
	}
	sb_putc(out, 1);
	switch (v->type) {
	case T_BOOL: {
		uint8_t b = v->u.i != 0;
		sb_append(out, &b, 1);
		break;
	}
	case T_INT2: {
		int16_t x = (int16_t)v->u.i;
		sb_append(out, &x, sizeof x);
		break;
	}
	case T_INT4:
	case T_DATE: {
		int32_t x = (int32_t)v->u.i;
		sb_append(out, &x, sizeof x);
		break;
	}
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		sb_append(out, &v->u.i, sizeof v->u.i);
		break;
	case T_FLOAT4: {
		float f = (float)v->u.f;
		if ((flags & ROWCODEC_NORMALIZE) && f == 0)
			f = 0;
		sb_append(out, &f, sizeof f);
		break;
	}
	case T_FLOAT8: {
		double f = v->u.f;
		if ((flags & ROWCODEC_NORMALIZE) && f == 0)
			f = 0;
		sb_append(out, &f, sizeof f);
		break;
	}
	case T_NUMERIC: {
		Numeric n = v->u.n;
		if (flags & ROWCODEC_NORMALIZE)
			n = numeric_strip(n);
		sb_append(out, &n.m, sizeof n.m);
		sb_append(out, &n.scale, sizeof n.scale);
		break;
	}
	case T_VARCHAR:
	case T_UNKNOWN: {
		uint32_t len = v->u.s.len;
		sb_append(out, &len, sizeof len);
		sb_append(out, v->u.s.p, len);
		break;
	}
	case T_INTERVAL:
		sb_append(out, &v->u.iv.us, sizeof v->u.iv.us);
		sb_append(out, &v->u.iv.days, sizeof v->u.iv.days);
		sb_append(out, &v->u.iv.months, sizeof v->u.iv.months);
		break;
	case T_NULL:
	case T__COUNT:
		break;
	default:
		/* Arrays: a 4-byte length and the array's encoding (normalized on request). */
		if (type_is_array(v->type)) {
			uint32_t len = v->u.s.len;
			if (flags & ROWCODEC_NORMALIZE) {
				size_t at = out->len;
				sb_append(out, &len, sizeof len);
				arr_normalize(v->u.s, type_elem(v->type), out);
				len = (uint32_t)(out->len - at - sizeof len);
				memcpy(out->data + at, &len, sizeof len);
				break;
			}
			sb_append(out, &len, sizeof len);
			sb_append(out, v->u.s.p, len);
		}
		break;
	}
}

void row_encode(const Chunk *c, const int *cols, int n, int row, int flags, StrBuf *out)
{
	for (int i = 0; i < n; i++) {
		Value v;
		vec_get_value(&c->cols[cols ? cols[i] : i], row, &v);
		row_encode_value(&v, flags, out);
	}
}

size_t row_decode_value(const void *p, TypeId t, Value *out)
{
	const unsigned char *s = p;
	out->type = t;
	out->u.i = 0;
	if (s[0] == 0) {
		out->null = true;
		return 1;
	}
	out->null = false;
	s++;
	switch (t) {
	case T_BOOL:
		out->u.i = s[0];
		return 2;
	case T_INT2: {
		int16_t x;
		memcpy(&x, s, sizeof x);
		out->u.i = x;
		return 1 + sizeof x;
	}
	case T_INT4:
	case T_DATE: {
		int32_t x;
		memcpy(&x, s, sizeof x);
		out->u.i = x;
		return 1 + sizeof x;
	}
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		memcpy(&out->u.i, s, sizeof out->u.i);
		return 1 + sizeof out->u.i;
	case T_FLOAT4: {
		float f;
		memcpy(&f, s, sizeof f);
		out->u.f = f;
		return 1 + sizeof f;
	}
	case T_FLOAT8:
		memcpy(&out->u.f, s, sizeof out->u.f);
		return 1 + sizeof out->u.f;
	case T_NUMERIC:
		memset(&out->u.n, 0, sizeof out->u.n);
		memcpy(&out->u.n.m, s, sizeof out->u.n.m);
		memcpy(&out->u.n.scale, s + sizeof out->u.n.m, sizeof out->u.n.scale);
		return 1 + sizeof out->u.n.m + sizeof out->u.n.scale;
	case T_VARCHAR:
	case T_UNKNOWN: {
		uint32_t len;
		memcpy(&len, s, sizeof len);
		out->u.s.p = (const char *)s + sizeof len;
		out->u.s.len = len;
		return 1 + sizeof len + len;
	}
	case T_INTERVAL:
		memcpy(&out->u.iv.us, s, 8);
		memcpy(&out->u.iv.days, s + 8, 4);
		memcpy(&out->u.iv.months, s + 12, 4);
		return 1 + 16;
	case T_NULL:
	case T__COUNT:
		break;
	default:
		if (type_is_array(t)) {
			uint32_t len;
			memcpy(&len, s, sizeof len);
			out->u.s.p = (const char *)s + sizeof len;
			out->u.s.len = len;
			return 1 + sizeof len + len;
		}
		break;
	}
	return 1;
}

size_t row_decode(const void *p, size_t len, Chunk *dst, const int *dst_cols, int n, int row)
{
	const unsigned char *s = p;
	size_t off = 0;
	for (int i = 0; i < n && off < len; i++) {
		Vector *v = &dst->cols[dst_cols ? dst_cols[i] : i];
		Value val;
		off += row_decode_value(s + off, v->type, &val);
		vec_set_value(v, row, &val, &dst->arena);
	}
	return off;
}

/* The bytes after the NULL flag of a non-NULL value of type t whose encoding starts at s with
 * `avail` bytes left; 0 for an encoding no value of t has. */
static size_t value_width(const unsigned char *s, size_t avail, TypeId t)
{
	Value v;
	switch (t) {
	case T_BOOL:
		return 1;
	case T_INT2:
		return 2;
	case T_INT4:
	case T_DATE:
	case T_FLOAT4:
		return 4;
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
	case T_FLOAT8:
		return 8;
	case T_NUMERIC:
		return sizeof v.u.n.m + sizeof v.u.n.scale;
	case T_VARCHAR:
	case T_UNKNOWN: {
		uint32_t len;
		if (avail < sizeof len)
			return 0;
		memcpy(&len, s, sizeof len);
		return sizeof len + (size_t)len;
	}
	case T_INTERVAL:
		return sizeof v.u.iv.us + sizeof v.u.iv.days + sizeof v.u.iv.months;
	case T_NULL:
	case T__COUNT:
		break;
	default:
		if (type_is_array(t)) {
			uint32_t len;
			if (avail < sizeof len)
				return 0;
			memcpy(&len, s, sizeof len);
			if (len > avail - sizeof len ||
			    !arr_check((Str){(const char *)s + sizeof len, len}, type_elem(t)))
				return 0;
			return sizeof len + (size_t)len;
		}
		break;
	}
	return 0;
}

size_t row_value_size(const void *p, size_t avail, TypeId t)
{
	const unsigned char *s = p;
	if (avail == 0 || s[0] > 1)
		return 0;
	if (s[0] == 0)
		return 1;
	size_t w = value_width(s + 1, avail - 1, t);
	return w == 0 || w > avail - 1 ? 0 : 1 + w;
}

size_t row_skip(const void *p, const TypeId *types, int n)
{
	const unsigned char *s = p;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		if (s[off++] == 0)
			continue;
		TypeId t = types[i];
		if (t == T_VARCHAR || t == T_UNKNOWN || type_is_array(t)) {
			uint32_t len;
			memcpy(&len, s + off, sizeof len);
			off += sizeof len + (size_t)len;
		} else {
			off += value_width(s + off, 0, t);
		}
	}
	return off;
}

bool row_check(const void *p, size_t len, const TypeId *types, int n)
{
	const unsigned char *s = p;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		if (off >= len || s[off] > 1)
			return false;
		if (s[off++] == 0)
			continue;
		size_t w = value_width(s + off, len - off, types[i]);
		if (w == 0 || w > len - off)
			return false;
		off += w;
	}
	return off == len;
}
