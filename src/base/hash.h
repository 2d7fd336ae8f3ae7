/* hash.h: hashing for eddy's hash tables and partitioning.
 *
 * Layer: base. XXH3 (libxxhash) for byte strings, a cheap mixer for fixed-width values, and a
 * combiner for multi-column keys. Hash values are 64-bit; nothing persisted depends on them yet,
 * but treat them as a format: changing the seed changes state layouts.
 */
#ifndef EDDY_BASE_HASH_H
#define EDDY_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static inline uint64_t hash_bytes(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

/* Final mixer of MurmurHash3 / splitmix64: good avalanche for integer keys. */
static inline uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t hash_combine(uint64_t h, uint64_t v)
{
	return hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

#endif
