/* chunk_codec.h: a chunk as bytes, column by column: the payload of a stream log batch.
 *
 * Layer: vec. Turns a Chunk into a self-describing, position-independent byte string (column
 * types, row count, bit-packed null flags, integer columns and string lengths bit-packed against
 * a frame of reference or as deltas, other fixed-width value arrays, string bytes) and back.
 * Knows nothing of files or compression: the storage layer compresses the bytes (lz4/zstd),
 * checksums and stores them. The format is drawn byte by byte at the top of
 * chunk_codec.c.
 */
#ifndef EDDY_VEC_CHUNK_CODEC_H
#define EDDY_VEC_CHUNK_CODEC_H

#include "base/err.h"
#include "base/strbuf.h"
#include "vec/chunk.h"

#define CC_MAGIC "EDCC"
#define CC_VERSION 2 /* written; chunk_decode also reads version 1 */
#define CC_HEADER 16

/* Appends the encoding of c's rows (all of them, with their ops) to out. */
void chunk_encode(const Chunk *c, StrBuf *out);

/* Reads the header: column count, row count and (when types is not NULL, with room for
 * MAX_COLUMNS) the column types. ERR_DATA_CORRUPTED when the bytes are not a chunk. */
int cc_peek(const void *p, size_t n, int *ncols, int *nrows, TypeId *types, Err *e);

/* Decodes into out, which must be empty (chunk_reset) and have the encoded column types; strings
 * are copied into out's arena. ERR_DATA_CORRUPTED when the bytes are not a well-formed chunk of
 * out's column types, nothing else (a damaged payload is never read past its end). */
int chunk_decode(const void *p, size_t n, Chunk *out, Err *e);

#endif
