/* value_text.c: the text input/output functions and the comparison of every type (see value.h).
 *
 * Layer: vec. Input and output follow PostgreSQL's type I/O exactly where a client can see it:
 * what psql prints is what value_format appends, and what PostgreSQL rejects value_parse rejects
 * with the same SQLSTATE and message. Numerics and date/time types delegate to numeric.c and
 * datetime.c; this file owns booleans, integers, floats and strings.
 */
#include "vec/value.h"
#include "vec/array.h"

#include "vec/datetime.h"
#include "vec/numeric.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int syntax(TypeId t, const char *s, size_t n, Err *e)
{
	return err_set(e, ERR_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type %s: \"%.*s\"",
		       type_name(t), (int)n, s);
}

static int parse_bool(const char *s0, size_t n0, Value *out, Err *e)
{
	static const struct {
		const char *w;
		bool v;
		size_t min; /* PostgreSQL accepts unique prefixes of the words */
	} words[] = {
		{"true", true, 1}, {"false", false, 1}, {"yes", true, 1}, {"no", false, 1},
		{"on", true, 2},   {"off", false, 2},   {"1", true, 1},   {"0", false, 1},
	};
	const char *s = s0;
	size_t n = n0;
	trim(&s, &n);
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		if (n >= words[k].min && n <= strlen(words[k].w) &&
		    strncasecmp(s, words[k].w, n) == 0) {
			out->u.i = words[k].v;
			return 0;
		}
	}
	return err_set(e, ERR_INVALID_TEXT_REPRESENTATION,
		       "invalid input syntax for type boolean: \"%.*s\"", (int)n0, s0);
}

static int parse_int(TypeId t, const char *s0, size_t n0, Value *out, Err *e)
{
	const char *s = s0;
	size_t n = n0;
	trim(&s, &n);
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i == n)
		return syntax(t, s0, n0, e);
	/* Accumulate negatively so that the most negative value parses. */
	int64_t v = 0;
	bool range = false;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return syntax(t, s0, n0, e);
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, s[i] - '0', &v))
			range = true;
	}
	if (!range && !neg && v == INT64_MIN)
		range = true;
	if (!range && !neg)
		v = -v;
	int64_t lo = t == T_INT2 ? INT16_MIN : t == T_INT4 ? INT32_MIN : INT64_MIN;
	int64_t hi = t == T_INT2 ? INT16_MAX : t == T_INT4 ? INT32_MAX : INT64_MAX;
	if (range || v < lo || v > hi)
		return err_set(e, ERR_NUMERIC_OUT_OF_RANGE, "value \"%.*s\" is out of range for type %s",
			       (int)n0, s0, type_name(t));
	out->u.i = v;
	return 0;
}

static int parse_float(TypeId t, const char *s0, size_t n0, Value *out, Err *e)
{
	const char *s = s0;
	size_t n = n0;
	trim(&s, &n);
	char buf[128];
	if (n == 0 || n >= sizeof buf)
		return syntax(t, s0, n0, e);
	memcpy(buf, s, n);
	buf[n] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	double d;
	if (strcasecmp(p, "nan") == 0) {
		d = NAN;
	} else if (strcasecmp(p, "infinity") == 0 || strcasecmp(p, "inf") == 0) {
		d = neg ? -INFINITY : INFINITY;
	} else {
		/* strtod also accepts hex and "infinity" spellings we handled above; refuse hex. */
		if (strchr(p, 'x') || strchr(p, 'X'))
			return syntax(t, s0, n0, e);
		char *end;
		errno = 0;
		d = strtod(buf, &end);
		if (end == buf || *end != '\0')
			return syntax(t, s0, n0, e);
		bool out_of_range = errno == ERANGE && (d == 0 || isinf(d));
		if (t == T_FLOAT4 && !out_of_range && d != 0) {
			float f = (float)d;
			out_of_range = isinf(f) || f == 0;
		}
		if (out_of_range)
			return err_set(e, ERR_NUMERIC_OUT_OF_RANGE,
				       "\"%.*s\" is out of range for type %s", (int)n, s, type_name(t));
	}
	out->u.f = t == T_FLOAT4 ? (double)(float)d : d;
	return 0;
}

int value_parse(TypeId t, const char *s, size_t n, Value *out, Arena *a, Err *e)
{
	out->type = t;
	out->null = false;
	out->u.i = 0;
	switch (t) {
	case T_NULL:
		out->null = true;
		return 0;
	case T_BOOL:
		return parse_bool(s, n, out, e);
	case T_INT2:
	case T_INT4:
	case T_INT8:
		return parse_int(t, s, n, out, e);
	case T_FLOAT4:
	case T_FLOAT8:
		return parse_float(t, s, n, out, e);
	case T_NUMERIC:
		return num_parse(s, n, &out->u.n, e);
	case T_VARCHAR:
	case T_UNKNOWN: {
		char *d = a ? arena_alloc(a, n ? n : 1) : NULL;
		if (d)
			memcpy(d, s, n);
		out->u.s.p = d ? d : s;
		out->u.s.len = (uint32_t)n;
		return 0;
	}
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		return dt_parse_timestamp(s, n, t == T_TIMESTAMPTZ, &out->u.i, e);
	case T_DATE: {
		int32_t d;
		if (dt_parse_date(s, n, &d, e))
			return -1;
		out->u.i = d;
		return 0;
	}
	case T_INTERVAL:
		return dt_parse_interval(s, n, &out->u.iv, e);
	case T__COUNT:
		break;
	default:
		if (type_is_array(t))
			return arr_parse(t, s, n, &out->u.s, a, e);
		break;
	}
	return err_set(e, ERR_INTERNAL, "cannot parse type %d", (int)t);
}

/* Shortest text that reads back as the same float (PostgreSQL 12+ output): plain notation for
 * decimal exponents in [-4, precision), exponential ("1e+20", "1.5e-05") otherwise. */
static void format_float(double d, bool single, StrBuf *out)
{
	if (isnan(d)) {
		sb_puts(out, "NaN");
		return;
	}
	if (isinf(d)) {
		sb_puts(out, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (d == 0) {
		sb_puts(out, signbit(d) ? "-0" : "0");
		return;
	}
	char buf[64];
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
		if (single ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d)
			break;
	}
	/* buf is "[-]d.ddde[+-]xx": split digits and exponent. */
	char digits[32];
	int nd = 0;
	const char *p = buf;
	bool neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	int ex = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	int limit = single ? 6 : 15;
	if (neg)
		sb_putc(out, '-');
	if (ex < -4 || ex >= limit) {
		sb_putc(out, digits[0]);
		if (nd > 1) {
			sb_putc(out, '.');
			sb_append(out, digits + 1, (size_t)nd - 1);
		}
		sb_printf(out, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
	} else if (ex < 0) {
		sb_puts(out, "0.");
		for (int k = 0; k < -ex - 1; k++)
			sb_putc(out, '0');
		sb_append(out, digits, (size_t)nd);
	} else {
		for (int k = 0; k <= ex; k++)
			sb_putc(out, k < nd ? digits[k] : '0');
		if (nd > ex + 1) {
			sb_putc(out, '.');
			sb_append(out, digits + ex + 1, (size_t)(nd - ex - 1));
		}
	}
}

void value_format(const Value *v, StrBuf *out)
{
	if (v->null)
		return;
	switch (v->type) {
	case T_NULL:
		break;
	case T_BOOL:
		sb_putc(out, v->u.i ? 't' : 'f');
		break;
	case T_INT2:
	case T_INT4:
	case T_INT8:
		sb_printf(out, "%lld", (long long)v->u.i);
		break;
	case T_FLOAT4:
		format_float(v->u.f, true, out);
		break;
	case T_FLOAT8:
		format_float(v->u.f, false, out);
		break;
	case T_NUMERIC:
		num_format(v->u.n, out);
		break;
	case T_VARCHAR:
	case T_UNKNOWN:
		sb_append(out, v->u.s.p, v->u.s.len);
		break;
	case T_TIMESTAMP:
		dt_format_timestamp(v->u.i, false, out);
		break;
	case T_TIMESTAMPTZ:
		dt_format_timestamp(v->u.i, true, out);
		break;
	case T_DATE:
		dt_format_date((int32_t)v->u.i, out);
		break;
	case T_INTERVAL:
		dt_format_interval(v->u.iv, out);
		break;
	case T__COUNT:
		break;
	default:
		if (type_is_array(v->type))
			arr_format(v->type, v->u.s, out);
		break;
	}
}

static int cmp_str(Str a, Str b)
{
	uint32_t l = a.len < b.len ? a.len : b.len;
	int c = l ? memcmp(a.p, b.p, l) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return a.len < b.len ? -1 : a.len > b.len;
}

/* PostgreSQL orders NaN above every other float and equal to itself. */
static int cmp_float(double a, double b)
{
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return a < b ? -1 : a > b;
}

int value_compare(const Value *a, const Value *b)
{
	if (a->null || b->null)
		return a->null == b->null ? 0 : (a->null ? 1 : -1);
	switch (a->type) {
	case T_FLOAT4:
	case T_FLOAT8:
		return cmp_float(a->u.f, b->u.f);
	case T_NUMERIC:
		return num_cmp(a->u.n, b->u.n);
	case T_VARCHAR:
	case T_UNKNOWN:
		return cmp_str(a->u.s, b->u.s);
	case T_INTERVAL:
		return dt_iv_cmp(a->u.iv, b->u.iv);
	default:
		if (type_is_array(a->type))
			return arr_compare(type_elem(a->type), a->u.s, b->u.s);
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	}
}

bool value_equal(const Value *a, const Value *b)
{
	return value_compare(a, b) == 0;
}
