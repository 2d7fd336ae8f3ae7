/* genutil.h: what the built-in generators (nexmark.c, datagen.c) share: a small counter-based
 * random number generator, strict parsing of WITH option values, and timestamp text.
 *
 * Layer: connect (private to the generators; nothing outside src/connect/ includes it).
 * Generators are deterministic functions of (seed, row number): every row re-seeds a generator
 * from a hash of the two, so any reader, starting anywhere, sees the same values, and readers of
 * different sources that share a seed agree. The generator is wyrand: one add and one 64x64->128
 * multiply per draw, far cheaper than the rows it feeds. Nothing here allocates.
 */
#ifndef EDDY_CONNECT_GENUTIL_H
#define EDDY_CONNECT_GENUTIL_H

#include "base/err.h"
#include "base/hash.h"
#include "catalog/catalog.h"
#include "vec/datetime.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct GenRng {
	uint64_t s;
} GenRng;

/* The half of gen_rng that depends on (seed, stream) alone: a reader computes it once and calls
 * gen_rng_at per row (the same generator as gen_rng, one hash cheaper). */
static inline uint64_t gen_stream_key(uint64_t seed, uint64_t stream)
{
	return hash_u64(seed ^ (stream * 0x9e3779b97f4a7c15ULL));
}

static inline GenRng gen_rng_at(uint64_t key, uint64_t n)
{
	GenRng r;
	r.s = hash_combine(key, n);
	return r;
}

/* A generator for row `n` of the stream of values named by `stream` under `seed`. */
static inline GenRng gen_rng(uint64_t seed, uint64_t stream, uint64_t n)
{
	return gen_rng_at(gen_stream_key(seed, stream), n);
}

static inline uint64_t gen_next(GenRng *r)
{
	r->s += 0xa0761d6478bd642fULL;
	unsigned __int128 t = (unsigned __int128)r->s * (r->s ^ 0xe7037ed1a0b428dbULL);
	return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* Uniform in [0, n) (n > 0) by Lemire's multiply-shift; the bias is below n / 2^64. */
static inline uint64_t gen_below(GenRng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)gen_next(r) * n) >> 64);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double gen_unit(GenRng *r)
{
	return (double)(gen_next(r) >> 11) * 0x1.0p-53;
}

/* Eight letters from the eight bytes of x at once: each byte b becomes 'a' + b * 26 / 256,
 * computed in 16-bit lanes (b * 26 < 2^16, so lanes never carry into each other). Byte k of the
 * result (in memory order on a little-endian machine) is the letter of byte k of x. */
static inline uint64_t gen_letters8(uint64_t x)
{
	const uint64_t lo = 0x00ff00ff00ff00ffULL;
	uint64_t even = (((x & lo) * 26) >> 8) & lo;
	uint64_t odd = ((((x >> 8) & lo) * 26) >> 8) & lo;
	return (even | (odd << 8)) + 0x6161616161616161ULL;
}

/* Fills p[0..n) with lower-case letters, eight per draw ('a' + byte * 26 / 256: the letters are
 * uniform to within one part in 26). */
void gen_letters(GenRng *r, char *p, size_t n);

/* Decimal digits of v into p (20 bytes suffice); returns how many. */
int gen_utoa(uint64_t v, char *p);

/* Strict parsers of option values: the whole text (surrounding spaces allowed) must be the
 * number. On failure they set 22023 `invalid value for option "key": "value"`. */
int gen_opt_int64(const Option *o, int64_t *out, Err *e);
int gen_opt_double(const Option *o, double *out, Err *e);
int gen_opt_bool(const Option *o, bool *out, Err *e);
/* 'YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]]' as microseconds since 1970 (no time zone). */
int gen_opt_timestamp(const Option *o, int64_t *out, Err *e);
int gen_bad_value(const Option *o, Err *e);

/* Text parsers behind the option parsers (false on bad text). */
bool gen_parse_int64(const char *s, size_t n, int64_t *out);
bool gen_parse_double(const char *s, size_t n, double *out);
bool gen_parse_timestamp(const char *s, size_t n, int64_t *out);
bool gen_parse_date(const char *s, size_t n, int32_t *out);
/* A decimal '[-+]digits[.digits]' as a mantissa at `scale` digits (rounded half away from zero);
 * false when malformed or beyond 38 digits. */
bool gen_parse_decimal(const char *s, size_t n, int scale, __int128 *out);

/* base + n * 10^6 / rate microseconds, rounded down: exact integer arithmetic when the rate is a
 * whole number (the usual case), long double otherwise. */
int64_t gen_time_at(int64_t base, double rate, int64_t n);

/* Formats a timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' (always six fraction digits) into buf
 * (32 bytes); returns the length. */
int gen_format_timestamp(int64_t us, char *buf);

#endif
