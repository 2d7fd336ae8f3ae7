/* value.h: one boxed SQL value, and the text form of every type.
 *
 * Layer: vec. Vectors hold values unboxed; a Value is for the places that handle one at a time:
 * constants in expressions, rows handed to the library API, literals in INSERT. Integers, booleans,
 * dates and timestamps live in u.i, floats in u.f.
 *
 * value_parse/value_format are the text input/output functions of every type, as PostgreSQL
 * defines them (the text a client sends and the text psql shows): booleans as t/f, timestamps as
 * "2024-01-02 03:04:05.5", intervals as "1 day 02:00:00", floats shortest round-trip, numerics
 * with their scale.
 */
#ifndef EDDY_VEC_VALUE_H
#define EDDY_VEC_VALUE_H

#include "base/err.h"
#include "base/mem.h"
#include "base/strbuf.h"
#include "vec/chunk.h"
#include "vec/types.h"

typedef struct Value {
	TypeId type;
	bool null;
	union {
		int64_t i;
		double f;
		Numeric n;
		Str s;
		Interval iv;
	} u;
} Value;

static inline Value value_null(TypeId t)
{
	Value v;
	v.type = t;
	v.null = true;
	v.u.i = 0;
	return v;
}

static inline Value value_int(TypeId t, int64_t i)
{
	Value v;
	v.type = t;
	v.null = false;
	v.u.i = i;
	return v;
}

/* Reads row `row` of a vector into a Value (strings are referenced, not copied). */
void vec_get_value(const Vector *v, int row, Value *out);
/* Writes a Value of the vector's type into row `row`; strings are copied into arena a when a is
 * not NULL. */
void vec_set_value(Vector *v, int row, const Value *val, Arena *a);

/* Parses the text form of type t. Errors: 22P02 for malformed input naming the type and the text
 * ("invalid input syntax for type integer: \"abc\""), 22003 when out of range, 22007/22008 for
 * dates and times. Strings are copied into arena a. */
int value_parse(TypeId t, const char *s, size_t n, Value *out, Arena *a, Err *e);

/* Appends the text form of v (PostgreSQL output format) to out. NULL appends nothing: callers
 * decide how NULL shows. */
void value_format(const Value *v, StrBuf *out);

/* Total order used by ORDER BY, min/max and sorting: NULLs last; numbers compare by value; strings
 * bytewise (the C collation). Both values must have the same type. */
int value_compare(const Value *a, const Value *b);

/* True when the two values (same type) are equal as SQL `=` would say, NULL equal to NULL (as
 * GROUP BY and DISTINCT treat it). */
bool value_equal(const Value *a, const Value *b);

#endif
