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
 *   <type>[]    Str        a one-dimensional array of <type>, encoded as vec/array.h draws it
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
	X(T_INTERVAL, "interval", Interval)                                                        \
	ARRAY_TYPE_LIST(X, TYPE_ARRAY_ENTRY)

/* The array types: X(array id, sql name, element id). Arrays come after every scalar type so the
 * TypeId numbers stored in chunk encodings and checkpoints keep their meaning. An array value is
 * a Str holding its encoding (vec/array.h); its element type is static, from the TypeId. Arrays
 * of arrays do not exist (a multidimensional literal is 0A000). */
#define ARRAY_TYPE_LIST(X, A)                                                                      \
	A(X, T_BOOL_ARRAY, "boolean[]", T_BOOL)                                                    \
	A(X, T_INT2_ARRAY, "smallint[]", T_INT2)                                                   \
	A(X, T_INT4_ARRAY, "integer[]", T_INT4)                                                    \
	A(X, T_INT8_ARRAY, "bigint[]", T_INT8)                                                     \
	A(X, T_FLOAT4_ARRAY, "real[]", T_FLOAT4)                                                   \
	A(X, T_FLOAT8_ARRAY, "double precision[]", T_FLOAT8)                                       \
	A(X, T_NUMERIC_ARRAY, "numeric[]", T_NUMERIC)                                              \
	A(X, T_VARCHAR_ARRAY, "character varying[]", T_VARCHAR)                                    \
	A(X, T_TIMESTAMP_ARRAY, "timestamp without time zone[]", T_TIMESTAMP)                      \
	A(X, T_TIMESTAMPTZ_ARRAY, "timestamp with time zone[]", T_TIMESTAMPTZ)                     \
	A(X, T_DATE_ARRAY, "date[]", T_DATE)                                                       \
	A(X, T_INTERVAL_ARRAY, "interval[]", T_INTERVAL)
#define TYPE_ARRAY_ENTRY(X, id, name, elem) X(id, name, Str)
#define ARRAY_ENTRY_PLAIN(X, id, name, elem) X(id, name, elem)
#define ARRAY_TYPES(X) ARRAY_TYPE_LIST(X, ARRAY_ENTRY_PLAIN)

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
/* Arrays: T_BOOL_ARRAY .. the last type. */
static inline bool type_is_array(TypeId t)
{
	return t >= T_BOOL_ARRAY && t < T__COUNT;
}
/* Types whose values are a Str (strings and arrays): variable width in every encoding. */
static inline bool type_is_varlen(TypeId t)
{
	return type_is_string(t) || type_is_array(t);
}
/* The element type of array type t; T_NULL when t is no array. */
TypeId type_elem(TypeId t);
/* The array type whose elements are t; T_NULL when there is none (T_UNKNOWN gives text[]). */
TypeId type_array_of(TypeId t);

static inline bool type_is_temporal(TypeId t)
{
	return t == T_TIMESTAMP || t == T_TIMESTAMPTZ || t == T_DATE;
}

#endif
