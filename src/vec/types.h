/* types.h: eddy's SQL types and how their values sit in memory.
 *
 * Layer: vec. One TypeId per SQL type; every type has one fixed-width physical representation, so a
 * column of n values is a plain C array (strings are (pointer, length) pairs into an arena). The
 * representations are:
 *
 *   type        C type     meaning
 *   BOOL        uint8_t    0 or 1
 *   INT2/4/8    int16/32/64
 *   FLOAT4/8    float/double
 *   NUMERIC     Numeric    exact decimal: m / 10^scale, m a 128-bit integer (38 digits)
 *   VARCHAR     Str        UTF-8 bytes, not NUL-terminated, owned by an arena
 *   TIMESTAMP   int64_t    microseconds since 1970-01-01 00:00:00 (no time zone)
 *   TIMESTAMPTZ int64_t    microseconds since 1970-01-01 00:00:00 UTC (shown in UTC)
 *   DATE        int32_t    days since 1970-01-01
 *   INTERVAL    Interval   months, days and microseconds, kept apart as PostgreSQL does
 *
 * T_NULL is the type of an untyped NULL literal before the binder settles it; T_UNKNOWN is a
 * string literal whose type is still open (PostgreSQL's "unknown").
 */
#ifndef EDDY_VEC_TYPES_H
#define EDDY_VEC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(id, sql name, C type) */
#define TYPE_LIST(X)                                                                               \
	X(T_NULL, "null", uint8_t)                                                                 \
	X(T_UNKNOWN, "unknown", Str)                                                               \
	X(T_BOOL, "boolean", uint8_t)                                                              \
	X(T_INT2, "smallint", int16_t)                                                             \
	X(T_INT4, "integer", int32_t)                                                              \
	X(T_INT8, "bigint", int64_t)                                                               \
	X(T_FLOAT4, "real", float)                                                                 \
	X(T_FLOAT8, "double precision", double)                                                    \
	X(T_NUMERIC, "numeric", Numeric)                                                           \
	X(T_VARCHAR, "character varying", Str)                                                     \
	X(T_TIMESTAMP, "timestamp without time zone", int64_t)                                     \
	X(T_TIMESTAMPTZ, "timestamp with time zone", int64_t)                                      \
	X(T_DATE, "date", int32_t)                                                                 \
	X(T_INTERVAL, "interval", Interval)

typedef struct Str {
	const char *p;
	uint32_t len;
} Str;

typedef struct Numeric {
	__int128 m;    /* unscaled value */
	int32_t scale; /* digits after the decimal point, 0..NUMERIC_MAX_SCALE */
	int32_t pad_;
} Numeric;

#define NUMERIC_MAX_SCALE 38
#define NUMERIC_MAX_PRECISION 38

typedef struct Interval {
	int64_t us;
	int32_t days;
	int32_t months;
} Interval;

typedef enum TypeId {
#define TYPE_ENUM(id, name, ctype) id,
	TYPE_LIST(TYPE_ENUM)
#undef TYPE_ENUM
	T__COUNT
} TypeId;

/* Most columns a relation or query may have (PostgreSQL's limit). */
#define MAX_COLUMNS 1600

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY INT64_C(86400000000)

/* The SQL name PostgreSQL prints for a type ("integer", "character varying", ...). */
const char *type_name(TypeId t);
/* Bytes one value occupies in a vector. */
size_t type_size(TypeId t);
/* Parses a type name as written in SQL ("int", "int4", "varchar", "double precision",
 * "timestamptz", ...), lower case, words separated by single spaces. Returns false if unknown. */
bool type_from_name(const char *name, TypeId *out);

static inline bool type_is_integer(TypeId t)
{
	return t == T_INT2 || t == T_INT4 || t == T_INT8;
}
static inline bool type_is_float(TypeId t)
{
	return t == T_FLOAT4 || t == T_FLOAT8;
}
static inline bool type_is_numeric_family(TypeId t)
{
	return type_is_integer(t) || type_is_float(t) || t == T_NUMERIC;
}
static inline bool type_is_string(TypeId t)
{
	return t == T_VARCHAR || t == T_UNKNOWN;
}
static inline bool type_is_temporal(TypeId t)
{
	return t == T_TIMESTAMP || t == T_TIMESTAMPTZ || t == T_DATE;
}

#endif
