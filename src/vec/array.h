/* array.h: one-dimensional SQL arrays (integer[], text[], ...): their encoding and text I/O.
 *
 * Layer: vec. An array value is a Str (types.h) whose bytes are this encoding; the element type
 * is not stored, it comes from the array's TypeId. Integers little-endian (eddy runs on
 * little-endian hosts); no alignment, readers copy with memcpy:
 *
 *   off  size  field
 *     0     4  element count n
 *     4     .  n elements in order, each as rowcodec.h encodes one value of the element type
 *              (ROWCODEC_EXACT): 1 byte NULL flag (0 NULL, 1 present), then the value's bytes
 *              (fixed width, or a 4-byte length and the bytes for strings)
 *
 * Lower bounds are always 1 (PostgreSQL's default); dimensions other than one are refused at
 * input. The text form is PostgreSQL's: {1,2,NULL}, {"a b","x\"y",""}.
 */
#ifndef EDDY_VEC_ARRAY_H
#define EDDY_VEC_ARRAY_H

#include "vec/value.h"

/* Builds one array, element by element; reusable after arr_build_finish. */
typedef struct ArrBuild {
	StrBuf sb;
	uint32_t n;
	TypeId elem;
} ArrBuild;

void arr_build_init(ArrBuild *b, TypeId elem);
void arr_build_deinit(ArrBuild *b);
/* Appends v (of the element type, or NULL). */
void arr_build_push(ArrBuild *b, const Value *v);
/* The array built so far, copied into arena a; the builder starts over empty. */
Str arr_build_finish(ArrBuild *b, Arena *a);

/* Walks the elements of an array (strings are referenced inside it, not copied). */
typedef struct ArrIter {
	const unsigned char *p, *end;
	uint32_t left;
	TypeId elem;
} ArrIter;

/* Number of elements (0 for bytes too short to hold a count). */
uint32_t arr_count(Str a);
void arr_iter_init(ArrIter *it, Str a, TypeId elem);
bool arr_next(ArrIter *it, Value *out);
/* Element i (1-based) into *out; false when i is out of range. */
bool arr_get(Str a, TypeId elem, int64_t i, Value *out);

/* Parses PostgreSQL's text form of array type t into *out (bytes in arena a). Errors: 22P02
 * `malformed array literal: "..."`, 0A000 for more than one dimension, and the element type's
 * own input errors. */
int arr_parse(TypeId t, const char *s, size_t n, Str *out, Arena *a, Err *e);
/* Appends the text form of array a of type t (PostgreSQL's array_out). */
void arr_format(TypeId t, Str a, StrBuf *out);
/* PostgreSQL's array order: element by element (NULL elements after all others), then the
 * shorter array first. */
int arr_compare(TypeId elem, Str a, Str b);
/* Whether the bytes are a well-formed array of elem (for data read back from disk). */
bool arr_check(Str a, TypeId elem);
/* Appends a's encoding with every element normalized (rowcodec's ROWCODEC_NORMALIZE), so arrays
 * equal under `=` get equal bytes (grouping and join keys). */
void arr_normalize(Str a, TypeId elem, StrBuf *out);

#endif
