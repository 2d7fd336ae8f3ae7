/* datagen.c: the datagen connector (see datagen.h).
 *
 * Layer: connect. Owns the option rules of datagen sources and the column generators; never
 * touches storage or plans.
 *
 * Options are read once into a Field per declared column (its kind, ranges, pattern, values,
 * null rate); reading fills each chunk column by column, and row r of a column draws from a
 * generator seeded by hash(seed, column name, fields.<col>.seed) and r, so every reader agrees and
 * adding a column changes no other column. A source is bounded by datagen.rows and by the end of
 * any sequence column, whichever comes first.
 */
#include "connect/datagen.h"

#include "connect/genutil.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_ROWS_PER_SECOND 10.0
/* 2024-01-01 00:00:00 */
#define DEFAULT_BASE_TIME_US INT64_C(1704067200000000)
#define MAX_LENGTH 65536

/* X(prop, name) */
#define PROP_LIST(X)                                                                               \
	X(F_KIND, "kind")                                                                          \
	X(F_START, "start")                                                                        \
	X(F_END, "end")                                                                            \
	X(F_MIN, "min")                                                                            \
	X(F_MAX, "max")                                                                            \
	X(F_LENGTH, "length")                                                                      \
	X(F_PATTERN, "pattern")                                                                    \
	X(F_VALUES, "values")                                                                      \
	X(F_NULL_RATE, "null_rate")                                                                \
	X(F_SCALE, "scale")                                                                        \
	X(F_SEED, "seed")

enum {
#define PROP_ENUM(p, name) p,
	PROP_LIST(PROP_ENUM)
#undef PROP_ENUM
	F__N
};

static const char *const prop_names[] = {
#define PROP_NAME(p, name) name,
	PROP_LIST(PROP_NAME)
#undef PROP_NAME
};

typedef enum Kind { K_RANDOM, K_SEQUENCE, K_EVENT_TIME } Kind;

static const char *const kind_names[] = {"random", "sequence", "event_time"};

#define BIT(p) (1u << (p))
/* Which properties each kind takes (null_rate and seed apply to every kind). */
static const unsigned kind_props[] = {
	[K_RANDOM] = BIT(F_KIND) | BIT(F_MIN) | BIT(F_MAX) | BIT(F_LENGTH) | BIT(F_PATTERN) |
		     BIT(F_VALUES) | BIT(F_NULL_RATE) | BIT(F_SCALE) | BIT(F_SEED),
	[K_SEQUENCE] = BIT(F_KIND) | BIT(F_START) | BIT(F_END) | BIT(F_PATTERN) |
		       BIT(F_NULL_RATE) | BIT(F_SCALE) | BIT(F_SEED),
	[K_EVENT_TIME] = BIT(F_KIND) | BIT(F_NULL_RATE) | BIT(F_SEED),
};

/* Which properties each type takes. */
static unsigned type_props(TypeId t)
{
	unsigned all = BIT(F_KIND) | BIT(F_VALUES) | BIT(F_NULL_RATE) | BIT(F_SEED);
	switch (t) {
	case T_BOOL:
		return all;
	case T_INT2:
	case T_INT4:
	case T_INT8:
	case T_FLOAT4:
	case T_FLOAT8:
		return all | BIT(F_START) | BIT(F_END) | BIT(F_MIN) | BIT(F_MAX);
	case T_NUMERIC:
		return all | BIT(F_START) | BIT(F_END) | BIT(F_MIN) | BIT(F_MAX) | BIT(F_SCALE);
	case T_VARCHAR:
		return all | BIT(F_START) | BIT(F_END) | BIT(F_MIN) | BIT(F_MAX) | BIT(F_LENGTH) |
		       BIT(F_PATTERN);
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
	case T_DATE:
		return all | BIT(F_MIN) | BIT(F_MAX);
	default:
		return 0;
	}
}

typedef struct Field {
	const char *name;
	TypeId type;
	Kind kind;
	uint64_t seed;
	double null_rate;
	int64_t lo, hi;       /* random integers, days, microseconds, pattern numbers */
	__int128 nlo, nhi;    /* random numeric mantissas */
	double flo, fhi;      /* random floats */
	int scale;            /* numeric */
	int64_t start;        /* sequence */
	int length;           /* random letters */
	bool has_pattern;
	bool numbers;         /* varchar random: a number (pattern or min/max given), not letters */
	char *pre, *post;     /* pattern around its number (heap) */
	int prelen, postlen, width;
	bool zero_pad;
	int nvalues;
	void *values;         /* nvalues values of type_size(type) (Str into the heap) */
} Field;

typedef struct DgReader {
	SourceReader base;
	int nf;
	Field *f;
	int64_t row, end;     /* next row, one past the last (INT64_MAX unbounded) */
	int64_t base_time;
	double rate;
} DgReader;

/* ---- options */

static int bad(const Option *o, Err *e)
{
	return gen_bad_value(o, e);
}

static int not_applicable(const Option *o, const char *what, Err *e)
{
	err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"%s\" does not apply to %s", o->key,
		what);
	if (o->location > 0)
		err_locate(e, o->location);
	return -1;
}

static int64_t int_min(TypeId t)
{
	return t == T_INT2 ? INT16_MIN : t == T_INT4 ? INT32_MIN : INT64_MIN;
}

static int64_t int_max(TypeId t)
{
	return t == T_INT2 ? INT16_MAX : t == T_INT4 ? INT32_MAX : INT64_MAX;
}

static __int128 pow10_128(int n)
{
	__int128 p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

/* Parses one value of the field's type from text; false when malformed or out of range. */
static bool parse_value(const Field *f, const char *s, size_t n, void *out)
{
	switch (f->type) {
	case T_BOOL: {
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if ((n == 4 && !strncasecmp(s, "true", 4)) || (n == 1 && (*s == 't' || *s == '1')))
			*(uint8_t *)out = 1;
		else if ((n == 5 && !strncasecmp(s, "false", 5)) ||
			 (n == 1 && (*s == 'f' || *s == '0')))
			*(uint8_t *)out = 0;
		else
			return false;
		return true;
	}
	case T_INT2:
	case T_INT4:
	case T_INT8: {
		int64_t v;
		if (!gen_parse_int64(s, n, &v) || v < int_min(f->type) || v > int_max(f->type))
			return false;
		*(int64_t *)out = v;
		return true;
	}
	case T_FLOAT4:
	case T_FLOAT8:
		return gen_parse_double(s, n, (double *)out);
	case T_NUMERIC:
		return gen_parse_decimal(s, n, f->scale, (__int128 *)out);
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		return gen_parse_timestamp(s, n, (int64_t *)out);
	case T_DATE: {
		int32_t d;
		if (!gen_parse_date(s, n, &d))
			return false;
		*(int64_t *)out = d;
		return true;
	}
	default:
		return false;
	}
}

/* Stores a parsed value (parse_value's representation) as a vector value. */
static void store_parsed(const Field *f, const void *parsed, void *dst)
{
	switch (f->type) {
	case T_BOOL:
		*(uint8_t *)dst = *(const uint8_t *)parsed;
		break;
	case T_INT2:
		*(int16_t *)dst = (int16_t)*(const int64_t *)parsed;
		break;
	case T_INT4:
		*(int32_t *)dst = (int32_t)*(const int64_t *)parsed;
		break;
	case T_INT8:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		*(int64_t *)dst = *(const int64_t *)parsed;
		break;
	case T_DATE:
		*(int32_t *)dst = (int32_t)*(const int64_t *)parsed;
		break;
	case T_FLOAT4:
		*(float *)dst = (float)*(const double *)parsed;
		break;
	case T_FLOAT8:
		*(double *)dst = *(const double *)parsed;
		break;
	case T_NUMERIC: {
		Numeric v;
		memset(&v, 0, sizeof v);
		v.m = *(const __int128 *)parsed;
		v.scale = f->scale;
		*(Numeric *)dst = v;
		break;
	}
	default:
		break;
	}
}

static int parse_values(Field *f, const Option *o, Err *e)
{
	const char *v = o->value ? o->value : "";
	int n = 1;
	for (const char *p = v; *p; p++)
		n += *p == ',';
	size_t w = type_size(f->type);
	f->values = mem_calloc((size_t)n, w);
	f->nvalues = n;
	const char *p = v;
	for (int i = 0; i < n; i++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *dst = (char *)f->values + (size_t)i * w;
		if (f->type == T_VARCHAR) {
			const char *s = p;
			while (len && isspace((unsigned char)*s))
				s++, len--;
			while (len && isspace((unsigned char)s[len - 1]))
				len--;
			Str str = {mem_strndup(s, len), (uint32_t)len};
			*(Str *)dst = str;
		} else {
			union {
				int64_t i;
				double d;
				__int128 m;
				uint8_t b;
			} tmp;
			if (!parse_value(f, p, len, &tmp))
				return bad(o, e);
			store_parsed(f, &tmp, dst);
		}
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

/* A pattern holds one integer directive %d, %Nd or %0Nd; %% is a percent sign. */
static int parse_pattern(Field *f, const Option *o, Err *e)
{
	const char *v = o->value ? o->value : "";
	size_t n = strlen(v);
	char *pre = mem_alloc(n + 1), *post = mem_alloc(n + 1);
	int prelen = 0, postlen = 0, directives = 0;
	for (size_t i = 0; i < n; i++) {
		char *dst = directives ? post : pre;
		int *dlen = directives ? &postlen : &prelen;
		if (v[i] != '%') {
			dst[(*dlen)++] = v[i];
			continue;
		}
		if (i + 1 < n && v[i + 1] == '%') {
			dst[(*dlen)++] = '%';
			i++;
			continue;
		}
		size_t j = i + 1;
		bool zero = j < n && v[j] == '0';
		int width = 0;
		for (; j < n && isdigit((unsigned char)v[j]); j++)
			width = width * 10 + (v[j] - '0');
		if (j >= n || v[j] != 'd' || width > 30 || ++directives > 1) {
			mem_free(pre);
			mem_free(post);
			return bad(o, e);
		}
		f->zero_pad = zero;
		f->width = width;
		i = j;
	}
	if (directives != 1) {
		mem_free(pre);
		mem_free(post);
		return bad(o, e);
	}
	f->pre = pre;
	f->post = post;
	f->prelen = prelen;
	f->postlen = postlen;
	f->has_pattern = true;
	return 0;
}

/* Reads a min/max bound of the field's type. */
static int parse_bound(Field *f, const Option *o, bool is_max, Err *e)
{
	const char *v = o->value ? o->value : "";
	size_t n = strlen(v);
	switch (f->type) {
	case T_FLOAT4:
	case T_FLOAT8:
		if (!gen_parse_double(v, n, is_max ? &f->fhi : &f->flo))
			return bad(o, e);
		return 0;
	case T_NUMERIC:
		if (!gen_parse_decimal(v, n, f->scale, is_max ? &f->nhi : &f->nlo))
			return bad(o, e);
		return 0;
	case T_VARCHAR:
		if (!gen_parse_int64(v, n, is_max ? &f->hi : &f->lo))
			return bad(o, e);
		return 0;
	default: {
		int64_t x;
		if (!parse_value(f, v, n, &x))
			return bad(o, e);
		if (f->type == T_DATE)
			x = (int32_t)x;
		*(is_max ? &f->hi : &f->lo) = x;
		return 0;
	}
	}
}

static void field_free(Field *f)
{
	if (f->type == T_VARCHAR && f->values)
		for (int i = 0; i < f->nvalues; i++)
			mem_free((void *)((Str *)f->values)[i].p);
	mem_free(f->values);
	mem_free(f->pre);
	mem_free(f->post);
}

static int build_field(DgReader *rd, Field *f, const ColumnDef *col, const Option **opt,
		       uint64_t seed, Err *e)
{
	f->name = col->name;
	f->type = col->type;
	unsigned tp = type_props(f->type);
	if (!tp)
		return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			       "datagen cannot generate column \"%s\" of type %s", col->name,
			       type_name(col->type));
	/* The kind. */
	bool is_time = f->type == T_TIMESTAMP || f->type == T_TIMESTAMPTZ;
	f->kind = is_time && !opt[F_MIN] && !opt[F_MAX] && !opt[F_VALUES] ? K_EVENT_TIME
									   : K_RANDOM;
	if (opt[F_KIND]) {
		int k = 0;
		for (; k < 3; k++)
			if (opt[F_KIND]->value && !strcasecmp(opt[F_KIND]->value, kind_names[k]))
				break;
		if (k == 3)
			return bad(opt[F_KIND], e);
		f->kind = (Kind)k;
		bool ok = f->kind == K_RANDOM ||
			  (f->kind == K_SEQUENCE && (tp & BIT(F_START))) ||
			  (f->kind == K_EVENT_TIME && (is_time || f->type == T_DATE));
		if (!ok) {
			err_set(e, ERR_INVALID_PARAMETER_VALUE,
				"kind \"%s\" (option \"%s\") does not apply to a column of type %s",
				kind_names[k], opt[F_KIND]->key, type_name(f->type));
			if (opt[F_KIND]->location > 0)
				err_locate(e, opt[F_KIND]->location);
			return -1;
		}
	}
	for (int p = 0; p < F__N; p++) {
		if (!opt[p])
			continue;
		if (!(tp & BIT(p))) {
			char what[96];
			snprintf(what, sizeof what, "a column of type %s", type_name(f->type));
			return not_applicable(opt[p], what, e);
		}
		if (!(kind_props[f->kind] & BIT(p))) {
			char what[64];
			snprintf(what, sizeof what, "kind %s", kind_names[f->kind]);
			return not_applicable(opt[p], what, e);
		}
	}
	/* Seed, null rate, scale. */
	f->seed = hash_combine(hash_combine(seed, hash_bytes(col->name, strlen(col->name))), 0);
	if (opt[F_SEED]) {
		int64_t s;
		if (gen_opt_int64(opt[F_SEED], &s, e) < 0)
			return -1;
		f->seed = hash_combine(f->seed, (uint64_t)s);
	}
	if (opt[F_NULL_RATE]) {
		if (gen_opt_double(opt[F_NULL_RATE], &f->null_rate, e) < 0)
			return -1;
		if (f->null_rate < 0 || f->null_rate > 1)
			return bad(opt[F_NULL_RATE], e);
	}
	f->scale = 2;
	if (f->type == T_NUMERIC && col->typmod >= 0)
		f->scale = col->typmod & 0xffff;
	if (opt[F_SCALE]) {
		int64_t s;
		if (gen_opt_int64(opt[F_SCALE], &s, e) < 0)
			return -1;
		if (s < 0 || s > 18)
			return bad(opt[F_SCALE], e);
		f->scale = (int)s;
	}
	/* Defaults of the ranges, then the options over them. */
	int64_t base_day = rd->base_time / US_PER_DAY;
	switch (f->type) {
	case T_DATE:
		f->lo = base_day - 364;
		f->hi = base_day;
		break;
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		f->lo = rd->base_time;
		f->hi = rd->base_time + US_PER_DAY - 1;
		break;
	case T_VARCHAR:
		f->lo = 0;
		f->hi = 9999;
		break;
	default:
		f->lo = 0;
		f->hi = 1000;
		break;
	}
	f->flo = 0;
	f->fhi = 1000;
	f->nlo = 0;
	f->nhi = 1000 * pow10_128(f->scale);
	f->length = 10;
	if (opt[F_MIN] && parse_bound(f, opt[F_MIN], false, e) < 0)
		return -1;
	if (opt[F_MAX] && parse_bound(f, opt[F_MAX], true, e) < 0)
		return -1;
	bool inverted = f->type == T_NUMERIC ? f->nlo > f->nhi
			: type_is_float(f->type) ? f->flo > f->fhi
						  : f->lo > f->hi;
	if (inverted && f->kind == K_RANDOM) {
		const Option *o = opt[F_MIN] ? opt[F_MIN] : opt[F_MAX];
		err_set(e, ERR_INVALID_PARAMETER_VALUE,
			"option \"fields.%s.min\" must not be greater than option \"fields.%s.max\"",
			f->name, f->name);
		if (o->location > 0)
			err_locate(e, o->location);
		return -1;
	}
	if (opt[F_LENGTH]) {
		int64_t len;
		if (gen_opt_int64(opt[F_LENGTH], &len, e) < 0)
			return -1;
		if (len < 0 || len > MAX_LENGTH)
			return bad(opt[F_LENGTH], e);
		f->length = (int)len;
	}
	if (opt[F_PATTERN] && parse_pattern(f, opt[F_PATTERN], e) < 0)
		return -1;
	f->numbers = opt[F_PATTERN] || opt[F_MIN] || opt[F_MAX];
	if (opt[F_VALUES] && parse_values(f, opt[F_VALUES], e) < 0)
		return -1;
	/* A sequence: start, end, and the bound it puts on the source. */
	if (f->kind == K_SEQUENCE) {
		int64_t start = 1, end = INT64_MAX;
		bool has_end = false;
		if (opt[F_START] && gen_opt_int64(opt[F_START], &start, e) < 0)
			return -1;
		if (opt[F_END]) {
			if (gen_opt_int64(opt[F_END], &end, e) < 0)
				return -1;
			has_end = true;
		}
		if (type_is_integer(f->type)) {
			if (start < int_min(f->type) || start > int_max(f->type))
				return bad(opt[F_START], e);
			if (end > int_max(f->type)) {
				if (has_end)
					return bad(opt[F_END], e);
				end = int_max(f->type);
			}
			has_end = true;
		}
		if (has_end && end < start) {
			err_set(e, ERR_INVALID_PARAMETER_VALUE,
				"option \"fields.%s.end\" must not be less than option "
				"\"fields.%s.start\"",
				f->name, f->name);
			return -1;
		}
		f->start = start;
		if (has_end && (uint64_t)end - (uint64_t)start < (uint64_t)INT64_MAX) {
			int64_t count = (int64_t)((uint64_t)end - (uint64_t)start) + 1;
			if (count < rd->end)
				rd->end = count;
		}
	}
	return 0;
}

static void dg_close(SourceReader *base)
{
	DgReader *rd = (DgReader *)base;
	for (int i = 0; i < rd->nf; i++)
		field_free(&rd->f[i]);
	mem_free(rd->f);
	mem_free(rd);
}

static int unknown_option(const Option *o, Err *e)
{
	err_set(e, ERR_INVALID_PARAMETER_VALUE, "unknown option \"%s\"", o->key);
	if (o->location > 0)
		err_locate(e, o->location);
	return -1;
}

static int dg_next(SourceReader *base, Chunk *out, Err *e);

static DgReader *dg_build(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			  Err *e)
{
	if (ncols == 0) {
		err_set(e, ERR_SYNTAX, "a datagen source needs column definitions");
		return NULL;
	}
	DgReader *rd = mem_calloc(1, sizeof *rd);
	rd->base.next = dg_next;
	rd->base.close = dg_close;
	rd->nf = ncols;
	rd->f = mem_calloc((size_t)ncols, sizeof(Field));
	rd->end = INT64_MAX;
	rd->base_time = DEFAULT_BASE_TIME_US;
	rd->rate = DEFAULT_ROWS_PER_SECOND;
	const Option **fopt = mem_calloc((size_t)ncols * F__N, sizeof *fopt);
	int64_t seed = 0;
	for (int i = 0; i < nopts; i++) {
		const Option *o = &opts[i];
		const char *k = o->key;
		if (!strcmp(k, "connector") || !strcmp(k, "datagen.split.num"))
			continue;
		if (!strcmp(k, "datagen.rows.per.second")) {
			if (gen_opt_double(o, &rd->rate, e) < 0)
				goto fail;
			if (!(rd->rate > 0) || rd->rate > 1e12) {
				bad(o, e);
				goto fail;
			}
		} else if (!strcmp(k, "datagen.rows")) {
			int64_t rows;
			if (gen_opt_int64(o, &rows, e) < 0)
				goto fail;
			if (rows < 0) {
				bad(o, e);
				goto fail;
			}
			if (rows < rd->end)
				rd->end = rows;
		} else if (!strcmp(k, "datagen.seed")) {
			if (gen_opt_int64(o, &seed, e) < 0)
				goto fail;
		} else if (!strcmp(k, "datagen.base_time")) {
			if (gen_opt_timestamp(o, &rd->base_time, e) < 0)
				goto fail;
		} else if (!strncmp(k, "fields.", 7)) {
			const char *col = k + 7, *dot = strrchr(col, '.');
			if (!dot || dot == col) {
				unknown_option(o, e);
				goto fail;
			}
			int c = 0;
			for (; c < ncols; c++)
				if (strlen(cols[c].name) == (size_t)(dot - col) &&
				    !strncmp(cols[c].name, col, (size_t)(dot - col)))
					break;
			int p = 0;
			for (; p < F__N; p++)
				if (!strcmp(dot + 1, prop_names[p]))
					break;
			if (p == F__N) {
				unknown_option(o, e);
				goto fail;
			}
			if (c == ncols) {
				err_set(e, ERR_UNDEFINED_COLUMN, "option \"%s\" names no column", k);
				if (o->location > 0)
					err_locate(e, o->location);
				goto fail;
			}
			fopt[c * F__N + p] = o;
		} else {
			unknown_option(o, e);
			goto fail;
		}
	}
	for (int c = 0; c < ncols; c++)
		if (build_field(rd, &rd->f[c], &cols[c], &fopt[c * F__N], (uint64_t)seed, e) < 0)
			goto fail;
	mem_free(fopt);
	rd->base.bounded = rd->end != INT64_MAX;
	rd->base.rate = rd->rate;
	return rd;
fail:
	mem_free(fopt);
	dg_close(&rd->base);
	return NULL;
}

int datagen_check(const Option *opts, int nopts, ColumnDef **cols, int *ncols, Arena *a,
		  Err *e)
{
	DgReader *rd = dg_build(opts, nopts, *cols, *ncols, e);
	if (!rd)
		return -1;
	dg_close(&rd->base);
	return 0;
}

SourceReader *datagen_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e)
{
	DgReader *rd = dg_build(opts, nopts, cols, ncols, e);
	return rd ? &rd->base : NULL;
}

/* ---- generation */

static inline void put_int(Vector *v, int row, int64_t x)
{
	switch (v->type) {
	case T_INT2:
		VEC_DATA(v, int16_t)[row] = (int16_t)x;
		break;
	case T_INT4:
	case T_DATE:
		VEC_DATA(v, int32_t)[row] = (int32_t)x;
		break;
	default:
		VEC_DATA(v, int64_t)[row] = x;
		break;
	}
}

static inline void put_float(Vector *v, int row, double x)
{
	if (v->type == T_FLOAT4)
		VEC_DATA(v, float)[row] = (float)x;
	else
		VEC_DATA(v, double)[row] = x;
}

static inline void put_numeric(Vector *v, int row, __int128 m, int scale)
{
	Numeric n;
	memset(&n, 0, sizeof n);
	n.m = m;
	n.scale = scale;
	VEC_DATA(v, Numeric)[row] = n;
}

static inline int64_t rand_range(GenRng *g, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
	return (int64_t)((uint64_t)lo + (span ? gen_below(g, span) : gen_next(g)));
}

static inline __int128 rand_range128(GenRng *g, __int128 lo, __int128 hi)
{
	unsigned __int128 span = (unsigned __int128)(hi - lo) + 1;
	if (span >> 64 == 0)
		return lo + (__int128)gen_below(g, (uint64_t)span);
	unsigned __int128 x = ((unsigned __int128)gen_next(g) << 64) | gen_next(g);
	return lo + (__int128)(x % span);
}

/* The text of number x under the field's pattern (or plain decimal). */
static Str number_text(Chunk *c, const Field *f, int64_t x)
{
	char digits[24], *d = digits;
	uint64_t ux = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
	int nd = gen_utoa(ux, digits + 1);
	d = digits + 1;
	if (x < 0) {
		*--d = '-';
		nd++;
	}
	int pad = f->width > nd ? f->width - nd : 0;
	size_t len = (size_t)f->prelen + (size_t)pad + (size_t)nd + (size_t)f->postlen;
	char *p = arena_alloc(&c->arena, len ? len : 1), *q = p;
	if (f->prelen)
		memcpy(q, f->pre, (size_t)f->prelen);
	q += f->prelen;
	if (pad && f->zero_pad && x < 0) {
		*q++ = '-';
		d++;
		nd--;
	}
	memset(q, f->zero_pad ? '0' : ' ', (size_t)pad);
	q += pad;
	memcpy(q, d, (size_t)nd);
	q += nd;
	if (f->postlen)
		memcpy(q, f->post, (size_t)f->postlen);
	Str s = {p, (uint32_t)len};
	return s;
}

static void gen_value(DgReader *rd, const Field *f, Vector *v, Chunk *c, int row, int64_t r)
{
	GenRng g = gen_rng(f->seed, 0, (uint64_t)r);
	if (f->null_rate > 0 && gen_unit(&g) < f->null_rate) {
		v->nulls[row] = 1;
		return;
	}
	v->nulls[row] = 0;
	if (f->nvalues) {
		int i = (int)gen_below(&g, (uint64_t)f->nvalues);
		size_t w = type_size(f->type);
		const char *src = (const char *)f->values + (size_t)i * w;
		if (f->type == T_VARCHAR) {
			Str s = *(const Str *)src;
			VEC_DATA(v, Str)[row] = chunk_str(c, s.p, s.len);
		} else {
			memcpy((char *)v->data + (size_t)row * w, src, w);
		}
		return;
	}
	if (f->kind == K_EVENT_TIME) {
		int64_t ts = gen_time_at(rd->base_time, rd->rate, r);
		if (f->type == T_DATE)
			put_int(v, row, ts >= 0 ? ts / US_PER_DAY : -((-ts - 1) / US_PER_DAY) - 1);
		else
			put_int(v, row, ts);
		return;
	}
	bool seq = f->kind == K_SEQUENCE;
	int64_t seqv = (int64_t)((uint64_t)f->start + (uint64_t)r);
	switch (f->type) {
	case T_BOOL:
		VEC_DATA(v, uint8_t)[row] = (uint8_t)(gen_next(&g) >> 63);
		break;
	case T_INT2:
	case T_INT4:
	case T_INT8:
	case T_DATE:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		put_int(v, row, seq ? seqv : rand_range(&g, f->lo, f->hi));
		break;
	case T_FLOAT4:
	case T_FLOAT8:
		put_float(v, row, seq ? (double)seqv : f->flo + gen_unit(&g) * (f->fhi - f->flo));
		break;
	case T_NUMERIC:
		put_numeric(v, row,
			    seq ? (__int128)seqv * pow10_128(f->scale)
				: rand_range128(&g, f->nlo, f->nhi),
			    f->scale);
		break;
	case T_VARCHAR:
		if (seq) {
			VEC_DATA(v, Str)[row] = number_text(c, f, seqv);
		} else if (f->numbers) {
			VEC_DATA(v, Str)[row] = number_text(c, f, rand_range(&g, f->lo, f->hi));
		} else {
			char *p = arena_alloc(&c->arena, f->length ? (size_t)f->length : 1);
			gen_letters(&g, p, (size_t)f->length);
			Str s = {p, (uint32_t)f->length};
			VEC_DATA(v, Str)[row] = s;
		}
		break;
	default:
		break;
	}
}

static int dg_next(SourceReader *base, Chunk *out, Err *e)
{
	DgReader *rd = (DgReader *)base;
	if (out->ncols != rd->nf)
		return err_set(e, ERR_INTERNAL, "datagen reader: chunk has %d columns, reader %d",
			       out->ncols, rd->nf);
	int64_t room = CHUNK_CAP - out->nrows, left = rd->end - rd->row;
	if (room > source_room(base))
		room = source_room(base);
	int n = (int)(left < room ? left : room);
	for (int j = 0; j < rd->nf; j++) {
		Vector *v = &out->cols[j];
		for (int i = 0; i < n; i++)
			gen_value(rd, &rd->f[j], v, out, out->nrows + i, rd->row + i);
	}
	for (int i = 0; i < n; i++)
		out->ops[out->nrows + i] = OP_INSERT;
	out->nrows += n;
	rd->row += n;
	return n;
}
