/* rowcodec.h: encoding chosen columns of a row as a byte string, and back.
 *
 * Layer: vec. Keys of hash tables (group keys, primary keys, whole rows of a materialized view's
 * multiset) are byte strings made here, so equality is memcmp and hashing is one XXH3 call. The
 * encoding of each column, in order:
 *
 *   offset  size  meaning
 *   0       1     0x00 = NULL (nothing follows), 0x01 = value follows
 *   1       k     the value: fixed-width types as their C representation (little endian);
 *                 VARCHAR as a 4-byte length then the bytes
 *
 * With ROWCODEC_NORMALIZE, values equal under SQL `=` encode equal: numerics drop trailing zeros
 * of their scale and -0.0 becomes 0.0 (group keys); without it the bytes keep the exact value
 * (stored rows). Checkpoints of views store it too: row_check validates what they read back.
 */
#ifndef EDDY_VEC_ROWCODEC_H
#define EDDY_VEC_ROWCODEC_H

#include "base/strbuf.h"
#include "vec/chunk.h"
#include "vec/value.h"

enum { ROWCODEC_EXACT = 0, ROWCODEC_NORMALIZE = 1 };

/* Appends the encoding of columns cols[0..n) of row `row` to out. cols NULL means 0..n-1. */
void row_encode(const Chunk *c, const int *cols, int n, int row, int flags, StrBuf *out);
/* Appends the encoding of one Value. */
void row_encode_value(const Value *v, int flags, StrBuf *out);

/* Decodes n values from p (length len) into row `row` of dst's columns dst_cols[0..n) (NULL means
 * 0..n-1); strings are copied into dst's arena. Returns bytes consumed. */
size_t row_decode(const void *p, size_t len, Chunk *dst, const int *dst_cols, int n, int row);
/* Decodes one value of type t; strings reference p's bytes. Returns bytes consumed. */
size_t row_decode_value(const void *p, TypeId t, Value *out);
/* Whether p (len bytes) holds exactly n encoded values of types[0..n): bytes read back from
 * storage are checked with it before they are decoded, which trusts its input. */
/* Bytes of the one encoded value of type t at p (its NULL flag included) when the avail bytes
 * hold a well-formed one; 0 otherwise. */
size_t row_value_size(const void *p, size_t avail, TypeId t);
bool row_check(const void *p, size_t len, const TypeId *types, int n);
/* The length of the encoding of n values of types[0..n) at p, which must hold them (a row
 * checked or encoded here): lets a store of rows keep no lengths. */
size_t row_skip(const void *p, const TypeId *types, int n);

#endif
