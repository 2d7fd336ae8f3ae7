/* bin.h: fixed-width fields in byte strings, for checkpoint records and other binary formats.
 *
 * Layer: base. Writers append to a StrBuf; a BinReader walks a byte string and never reads past
 * its end: a short read returns zeros and sets `bad`, so a decoder checks once at the end
 * (bin_done) instead of after every field. Values are little-endian, except the bin_put_key_*
 * forms, which are big-endian with the sign bit flipped so that byte order equals numeric order
 * (for keys of an ordered store such as LMDB). Nothing here allocates.
 */
#ifndef EDDY_BASE_BIN_H
#define EDDY_BASE_BIN_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline void bin_put_u8(StrBuf *sb, uint8_t v)
{
	sb_append(sb, &v, 1);
}

static inline void bin_put_u32(StrBuf *sb, uint32_t v)
{
	sb_append(sb, &v, 4);
}

static inline void bin_put_u64(StrBuf *sb, uint64_t v)
{
	sb_append(sb, &v, 8);
}

static inline void bin_put_i64(StrBuf *sb, int64_t v)
{
	sb_append(sb, &v, 8);
}

/* A length (u32) followed by n bytes. */
static inline void bin_put_bytes(StrBuf *sb, const void *p, size_t n)
{
	bin_put_u32(sb, (uint32_t)n);
	sb_append(sb, p, n);
}

/* Big-endian: keys that sort in numeric order. */
static inline void bin_put_key_u16(StrBuf *sb, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	sb_append(sb, b, 2);
}

static inline void bin_put_key_u64(StrBuf *sb, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	sb_append(sb, b, 8);
}

static inline void bin_put_key_i64(StrBuf *sb, int64_t v)
{
	bin_put_key_u64(sb, (uint64_t)v ^ (UINT64_C(1) << 63));
}

typedef struct BinReader {
	const uint8_t *p, *end;
	bool bad;            /* a read ran past the end */
} BinReader;

static inline void bin_reader(BinReader *r, const void *p, size_t n)
{
	r->p = (const uint8_t *)p;
	r->end = r->p + n;
	r->bad = false;
}

/* The next n bytes (NULL, and bad set, when fewer remain). */
static inline const void *bin_get(BinReader *r, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	const void *q = r->p;
	r->p += n;
	return q;
}

static inline uint8_t bin_get_u8(BinReader *r)
{
	const uint8_t *q = (const uint8_t *)bin_get(r, 1);
	return q ? *q : 0;
}

static inline uint32_t bin_get_u32(BinReader *r)
{
	uint32_t v = 0;
	const void *q = bin_get(r, 4);
	if (q)
		memcpy(&v, q, 4);
	return v;
}

static inline uint64_t bin_get_u64(BinReader *r)
{
	uint64_t v = 0;
	const void *q = bin_get(r, 8);
	if (q)
		memcpy(&v, q, 8);
	return v;
}

static inline int64_t bin_get_i64(BinReader *r)
{
	return (int64_t)bin_get_u64(r);
}

/* Bytes written by bin_put_bytes: returns the pointer, *n their length. */
static inline const void *bin_get_bytes(BinReader *r, size_t *n)
{
	*n = bin_get_u32(r);
	const void *q = bin_get(r, *n);
	if (!q)
		*n = 0;
	return q;
}

static inline uint64_t bin_get_key_u64(BinReader *r)
{
	const uint8_t *q = (const uint8_t *)bin_get(r, 8);
	uint64_t v = 0;
	for (int i = 0; q && i < 8; i++)
		v = v << 8 | q[i];
	return v;
}

static inline int64_t bin_get_key_i64(BinReader *r)
{
	return (int64_t)(bin_get_key_u64(r) ^ (UINT64_C(1) << 63));
}

/* Whether the reader consumed exactly its bytes without running short. */
static inline bool bin_done(const BinReader *r)
{
	return !r->bad && r->p == r->end;
}

#endif
