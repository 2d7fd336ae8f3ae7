/* chunk_codec.c: encoding chunks column by column (chunk_codec.h).
 *
 * Layer: vec. Owns the byte format below and nothing else; it never compresses, checksums or
 * touches files (the stream log does). Decoding trusts nothing: every length is checked against
 * the buffer, so damaged bytes give ERR_DATA_CORRUPTED, never a read out of bounds.
 *
 * Format (integers little-endian; eddy runs on little-endian hosts, so fixed-width values are
 * the memory images of their C types). The encoder writes version 2; the decoder reads 1 and 2
 * (data directories written before version 2 keep working).
 *
 *   off  size   field
 *     0     4   magic "EDCC"
 *     4     2   format version (1 or 2)
 *     6     2   column count n (1 .. 1600)
 *     8     4   row count r (0 .. 1024)
 *    12     1   flags: bit 0 OPS = an op byte per row follows the types (absent: all inserts)
 *    13     3   reserved, zero
 *    16     n   column types, one byte each (TypeId)
 *  [16+n    r   ops, one byte per row (Op), only with the OPS flag]
 *
 *   then per column, in order:
 *     ceil(r/8) bytes   null flags, bit-packed: bit (i % 8) of byte (i / 8) set = row i is NULL
 *
 *   version 2, integer-like columns (smallint, integer, bigint, timestamp, timestamptz, date):
 *     an integer block of the r values (below); NULL rows hold any value (the encoder repeats
 *     the previous one so that they widen nothing) and decode as zero
 *   version 2, strings (varchar, unknown) and arrays: an integer block of the r byte lengths
 *     (NULL rows hold any length and take no bytes), then the non-NULL rows' bytes back to back
 *     (UTF-8, or each array's encoding as vec/array.h draws it, checked element by element)
 *   version 2, other fixed-width types (boolean, real, double precision, interval, numeric):
 *     as in version 1
 *
 *   integer block: 1 byte encoding, then
 *     0 PLAIN   r values of w bytes each (w: the type's width below; lengths 4)
 *     1 FOR     frame of reference: base (8, signed), bit width b (1, 0 .. 64), then
 *               ceil(r*b/8) bytes: value - base (mod 2^64) for each row in b bits
 *     2 DELTA   delta + frame of reference, r >= 1: first value (8), base (8), bit width b (1),
 *               then ceil((r-1)*b/8) bytes: for rows 1 .. r-1, value - previous value - base
 *               (mod 2^64) in b bits
 *     Bits are packed LSB first: value j occupies bits j*b .. j*b+b-1 of the little-endian bit
 *     string (bit k is bit k % 8 of byte k / 8). The encoder computes the range of the values
 *     and of their differences in one pass and picks the smallest block (PLAIN on ties, then
 *     FOR); a decoded value outside its type's range is corruption.
 *
 *   version 1, for every column after the null flags:
 *     fixed-width types: r values of w bytes each (NULL rows hold zeros):
 *       boolean 1 (0/1), smallint 2, integer 4, bigint 8, real 4, double precision 8,
 *       timestamp/timestamptz 8 (microseconds), date 4 (days), interval 16 (us 8, days 4,
 *       months 4), numeric 20 (128-bit mantissa 16, scale 4)
 *     strings (varchar, unknown) and arrays: r + 1 offsets of 4 bytes (the first 0, each the end
 *       of row i's bytes; NULL rows are empty), then offsets[r] bytes
 *
 * There is no padding and no alignment: the decoder copies values out with memcpy.
 */
#include "vec/chunk_codec.h"
#include "vec/array.h"

#include <assert.h>
#include <string.h>

#define CC_FLAG_OPS 1u

/* Encodings of an integer block. */
enum { ENC_PLAIN = 0, ENC_FOR = 1, ENC_DELTA = 2 };

/* Encoded width of a fixed-width value; 0 for strings. */
static size_t width_of(TypeId t)
{
	if (type_is_varlen(t))
		return 0;
	switch (t) {
	case T_NUMERIC:
		return 20;
	default:
		return type_size(t);
	}
}

/* Integer-like types: stored as integer blocks from version 2 on. X(type, C type, min, max) */
#define CC_INT_TYPES(X)                                                                            \
	X(T_INT2, int16_t, INT16_MIN, INT16_MAX)                                                   \
	X(T_INT4, int32_t, INT32_MIN, INT32_MAX)                                                   \
	X(T_INT8, int64_t, INT64_MIN, INT64_MAX)                                                   \
	X(T_TIMESTAMP, int64_t, INT64_MIN, INT64_MAX)                                              \
	X(T_TIMESTAMPTZ, int64_t, INT64_MIN, INT64_MAX)                                            \
	X(T_DATE, int32_t, INT32_MIN, INT32_MAX)

static bool is_int_like(TypeId t)
{
	switch (t) {
#define CC_CASE(type, ctype, lo, hi) case type:
		CC_INT_TYPES(CC_CASE)
#undef CC_CASE
		return true;
	default:
		return false;
	}
}

static void put_u16(StrBuf *out, uint16_t v)
{
	sb_append(out, &v, 2);
}

static void put_u32(StrBuf *out, uint32_t v)
{
	sb_append(out, &v, 4);
}

static void put_u64(StrBuf *out, uint64_t v)
{
	sb_append(out, &v, 8);
}

/* Bits needed to hold every value 0 .. range. */
static int bits_for(uint64_t range)
{
	return range ? 64 - __builtin_clzll(range) : 0;
}

static size_t packed_size(int count, int bits)
{
	return ((size_t)count * (size_t)bits + 7) / 8;
}

/* Appends x[0 .. n-1], each < 2^bits, packed LSB first in bits bits each. Each value is ORed
 * into an unaligned 64-bit word (plus a ninth byte when it straddles one), so the buffer gets 9
 * zeroed bytes of slack beyond what it keeps. */
static void pack(StrBuf *out, const uint64_t *x, int n, int bits)
{
	size_t nb = packed_size(n, bits);
	sb_reserve(out, nb + 9);
	uint8_t *dst = (uint8_t *)out->data + out->len;
	memset(dst, 0, nb + 9);
	size_t pos = 0;
	for (int i = 0; i < n && bits > 0; i++, pos += (size_t)bits) {
		uint8_t *p = dst + pos / 8;
		unsigned sh = pos % 8;
		uint64_t w;
		memcpy(&w, p, 8);
		w |= x[i] << sh;
		memcpy(p, &w, 8);
		if (sh + (unsigned)bits > 64)
			p[8] |= (uint8_t)(x[i] >> (64 - sh));
	}
	out->len += nb;
}

/* Reads n values of bits bits from src (packed_size(n, bits) bytes, bounds already checked). The
 * bytes are first copied into a zero-padded buffer so that every word load stays inside it. */
static void unpack(const uint8_t *src, int n, int bits, uint64_t *x)
{
	uint8_t buf[CHUNK_CAP * 8 + 16];
	size_t nb = packed_size(n, bits);
	memcpy(buf, src, nb);
	memset(buf + nb, 0, 16);
	uint64_t mask = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
	size_t pos = 0;
	for (int i = 0; i < n; i++, pos += (size_t)bits) {
		const uint8_t *p = buf + pos / 8;
		unsigned sh = pos % 8;
		uint64_t w;
		memcpy(&w, p, 8);
		w >>= sh;
		if (sh + (unsigned)bits > 64)
			w |= (uint64_t)p[8] << (64 - sh);
		x[i] = w & mask;
	}
}

/* Gives NULL rows of x the previous non-NULL value (leading NULLs the first one), so that they
 * widen neither the frame nor the deltas. */
static void fill_nulls(uint64_t *x, const uint8_t *nulls, int r)
{
	int first = 0;
	while (first < r && nulls[first])
		first++;
	uint64_t prev = first < r ? x[first] : 0;
	for (int i = 0; i < r; i++) {
		if (nulls[i])
			x[i] = prev;
		prev = x[i];
	}
}

/* Appends the smallest integer block of x[0 .. r-1] (bit patterns of signed values); plain
 * values are w bytes wide. Overwrites x. */
static void encode_ints(uint64_t *x, int r, size_t w, StrBuf *out)
{
	int64_t lo = 0, hi = 0, dlo = 0, dhi = 0;
	for (int i = 0; i < r; i++) {
		int64_t v = (int64_t)x[i];
		if (i == 0 || v < lo)
			lo = v;
		if (i == 0 || v > hi)
			hi = v;
		if (i == 0)
			continue;
		int64_t d = (int64_t)(x[i] - x[i - 1]);
		if (i == 1 || d < dlo)
			dlo = d;
		if (i == 1 || d > dhi)
			dhi = d;
	}
	int fbits = bits_for((uint64_t)hi - (uint64_t)lo);
	int dbits = bits_for((uint64_t)dhi - (uint64_t)dlo);
	size_t plain = w * (size_t)r;
	size_t fsize = 9 + packed_size(r, fbits);
	size_t dsize = r >= 2 ? 17 + packed_size(r - 1, dbits) : SIZE_MAX;
	if (plain <= fsize && plain <= dsize) {
		sb_putc(out, ENC_PLAIN);
		sb_reserve(out, plain);
		for (int i = 0; i < r; i++)
			memcpy(out->data + out->len + w * (size_t)i, &x[i], w);
		out->len += plain;
	} else if (fsize <= dsize) {
		sb_putc(out, ENC_FOR);
		put_u64(out, (uint64_t)lo);
		sb_putc(out, (char)fbits);
		for (int i = 0; i < r; i++)
			x[i] -= (uint64_t)lo;
		pack(out, x, r, fbits);
	} else {
		sb_putc(out, ENC_DELTA);
		put_u64(out, x[0]);
		put_u64(out, (uint64_t)dlo);
		sb_putc(out, (char)dbits);
		for (int i = r - 1; i >= 1; i--)
			x[i] = x[i] - x[i - 1] - (uint64_t)dlo;
		pack(out, x + 1, r - 1, dbits);
	}
}

static void encode_int_column(const Vector *v, int r, StrBuf *out)
{
	uint64_t x[CHUNK_CAP];
	switch (v->type) {
#define CC_LOAD(type, ctype, lo, hi)                                                               \
	case type:                                                                                 \
		for (int i = 0; i < r; i++)                                                        \
			x[i] = (uint64_t)(int64_t)VEC_DATA(v, ctype)[i];                           \
		break;
		CC_INT_TYPES(CC_LOAD)
#undef CC_LOAD
	default:
		assert(!"not an integer-like type");
	}
	fill_nulls(x, v->nulls, r);
	encode_ints(x, r, width_of(v->type), out);
}

static void encode_str_column(const Vector *v, int r, StrBuf *out)
{
	const Str *s = VEC_DATA(v, Str);
	uint64_t x[CHUNK_CAP];
	size_t total = 0;
	for (int i = 0; i < r; i++) {
		x[i] = s[i].len;
		total += v->nulls[i] ? 0 : s[i].len;
	}
	fill_nulls(x, v->nulls, r);
	encode_ints(x, r, 4, out);
	sb_reserve(out, total);
	for (int i = 0; i < r; i++)
		if (!v->nulls[i])
			sb_append(out, s[i].p, s[i].len);
}

static void encode_column(const Vector *v, int r, StrBuf *out)
{
	size_t nb = ((size_t)r + 7) / 8;
	sb_reserve(out, nb);
	uint8_t *bits = (uint8_t *)out->data + out->len;
	memset(bits, 0, nb);
	for (int i = 0; i < r; i++)
		if (v->nulls[i])
			bits[i / 8] |= (uint8_t)(1u << (i % 8));
	out->len += nb;
	size_t w = width_of(v->type);
	if (w == 0) {
		encode_str_column(v, r, out);
		return;
	}
	if (is_int_like(v->type)) {
		encode_int_column(v, r, out);
		return;
	}
	sb_reserve(out, w * (size_t)r);
	uint8_t *dst = (uint8_t *)out->data + out->len;
	for (int i = 0; i < r; i++, dst += w) {
		if (v->nulls[i]) {
			memset(dst, 0, w);
		} else if (v->type == T_NUMERIC) {
			const Numeric *n = &VEC_DATA(v, Numeric)[i];
			memcpy(dst, &n->m, 16);
			memcpy(dst + 16, &n->scale, 4);
		} else {
			memcpy(dst, (const uint8_t *)v->data + w * (size_t)i, w);
		}
	}
	out->len += w * (size_t)r;
}

void chunk_encode(const Chunk *c, StrBuf *out)
{
	bool ops = false;
	for (int i = 0; i < c->nrows && !ops; i++)
		ops = c->ops[i] != OP_INSERT;
	sb_append(out, CC_MAGIC, 4);
	put_u16(out, CC_VERSION);
	put_u16(out, (uint16_t)c->ncols);
	put_u32(out, (uint32_t)c->nrows);
	put_u32(out, ops ? CC_FLAG_OPS : 0);
	for (int k = 0; k < c->ncols; k++)
		sb_putc(out, (char)c->cols[k].type);
	if (ops)
		sb_append(out, c->ops, (size_t)c->nrows);
	for (int k = 0; k < c->ncols; k++)
		encode_column(&c->cols[k], c->nrows, out);
}

static int corrupt(Err *e, const char *what)
{
	return err_set(e, ERR_DATA_CORRUPTED, "invalid chunk encoding: %s", what);
}

int cc_peek(const void *p, size_t n, int *ncols, int *nrows, TypeId *types, Err *e)
{
	const uint8_t *b = p;
	if (n < CC_HEADER || memcmp(b, CC_MAGIC, 4) != 0)
		return corrupt(e, "bad magic");
	uint16_t version, nc;
	uint32_t nr, flags;
	memcpy(&version, b + 4, 2);
	memcpy(&nc, b + 6, 2);
	memcpy(&nr, b + 8, 4);
	memcpy(&flags, b + 12, 4);
	if (version < 1 || version > CC_VERSION)
		return err_set(e, ERR_DATA_CORRUPTED, "unsupported chunk encoding version %u",
			       (unsigned)version);
	if (nc == 0 || nc > MAX_COLUMNS || nr > CHUNK_CAP || (flags & ~CC_FLAG_OPS) != 0)
		return corrupt(e, "bad header");
	if (n < CC_HEADER + (size_t)nc)
		return corrupt(e, "truncated column types");
	for (int k = 0; k < nc; k++) {
		if (b[CC_HEADER + k] >= T__COUNT)
			return corrupt(e, "unknown column type");
		if (types)
			types[k] = (TypeId)b[CC_HEADER + k];
	}
	*ncols = nc;
	*nrows = (int)nr;
	return 0;
}

/* A bounded reader over the payload. */
typedef struct Reader {
	const uint8_t *p;
	size_t left;
} Reader;

static const uint8_t *take(Reader *rd, size_t n)
{
	if (n > rd->left)
		return NULL;
	const uint8_t *p = rd->p;
	rd->p += n;
	rd->left -= n;
	return p;
}

/* Reads a u64 and a bit width (0 .. 64) of a FOR or DELTA block; returns the width or -1. */
static int take_frame(Reader *rd, uint64_t *base)
{
	const uint8_t *p = take(rd, 9);
	if (!p || p[8] > 64)
		return -1;
	memcpy(base, p, 8);
	return p[8];
}

/* Reads an integer block of r values into x; plain values are w bytes, sign-extended when sign.
 */
static int decode_ints(Reader *rd, int r, size_t w, bool sign, uint64_t *x, Err *e)
{
	const uint8_t *enc = take(rd, 1);
	if (!enc)
		return corrupt(e, "truncated values");
	uint64_t base, first = 0;
	int bits;
	switch (*enc) {
	case ENC_PLAIN: {
		const uint8_t *src = take(rd, w * (size_t)r);
		if (!src)
			return corrupt(e, "truncated values");
		unsigned drop = 64 - 8 * (unsigned)w;
		for (int i = 0; i < r; i++) {
			uint64_t v = 0;
			memcpy(&v, src + w * (size_t)i, w);
			x[i] = sign ? (uint64_t)((int64_t)(v << drop) >> drop) : v;
		}
		return 0;
	}
	case ENC_FOR:
		bits = take_frame(rd, &base);
		break;
	case ENC_DELTA: {
		const uint8_t *p = take(rd, 8);
		if (!p || r < 1)
			return corrupt(e, "truncated values");
		memcpy(&first, p, 8);
		bits = take_frame(rd, &base);
		break;
	}
	default:
		return corrupt(e, "unknown value encoding");
	}
	if (bits < 0)
		return corrupt(e, "bad bit width");
	int n = *enc == ENC_DELTA ? r - 1 : r;
	const uint8_t *src = take(rd, packed_size(n, bits));
	if (!src)
		return corrupt(e, "truncated values");
	uint64_t *dst = *enc == ENC_DELTA ? x + 1 : x;
	unpack(src, n, bits, dst);
	if (*enc == ENC_FOR) {
		for (int i = 0; i < r; i++)
			x[i] += base;
	} else {
		x[0] = first;
		for (int i = 1; i < r; i++)
			x[i] += x[i - 1] + base;
	}
	return 0;
}

static int decode_int_column(Reader *rd, Vector *v, int r, Err *e)
{
	uint64_t x[CHUNK_CAP];
	if (decode_ints(rd, r, width_of(v->type), true, x, e) < 0)
		return -1;
	switch (v->type) {
#define CC_STORE(type, ctype, lo, hi)                                                              \
	case type:                                                                                 \
		for (int i = 0; i < r; i++) {                                                      \
			int64_t s = v->nulls[i] ? 0 : (int64_t)x[i];                               \
			if (s < lo || s > hi)                                                      \
				return corrupt(e, "value out of range");                           \
			VEC_DATA(v, ctype)[i] = (ctype)s;                                          \
		}                                                                                  \
		break;
		CC_INT_TYPES(CC_STORE)
#undef CC_STORE
	default:
		assert(!"not an integer-like type");
	}
	return 0;
}

/* Row i of a string or array column: len bytes at p, copied into out's arena. */
static int set_str(Vector *v, int i, const uint8_t *p, size_t len, Chunk *out, Err *e)
{
	Str *s = &VEC_DATA(v, Str)[i];
	if (v->nulls[i]) {
		*s = (Str){NULL, 0};
		return 0;
	}
	*s = chunk_str(out, (const char *)p, len);
	if (type_is_array(v->type) && !arr_check(*s, type_elem(v->type)))
		return corrupt(e, "bad array value");
	return 0;
}

/* Version 1 strings: r + 1 offsets, then the bytes. */
static int decode_str_v1(Reader *rd, Vector *v, int r, Chunk *out, Err *e)
{
	const uint8_t *offs = take(rd, 4 * ((size_t)r + 1));
	if (!offs)
		return corrupt(e, "truncated string offsets");
	uint32_t prev, end;
	memcpy(&prev, offs, 4);
	memcpy(&end, offs + 4 * (size_t)r, 4);
	const uint8_t *bytes = take(rd, end);
	if (prev != 0 || !bytes)
		return corrupt(e, "bad string offsets");
	for (int i = 0; i < r; i++) {
		uint32_t next;
		memcpy(&next, offs + 4 * ((size_t)i + 1), 4);
		if (next < prev || next > end)
			return corrupt(e, "bad string offsets");
		if (set_str(v, i, bytes + prev, next - prev, out, e) < 0)
			return -1;
		prev = next;
	}
	return 0;
}

/* Version 2 strings: a block of lengths, then the non-NULL rows' bytes. */
static int decode_str_v2(Reader *rd, Vector *v, int r, Chunk *out, Err *e)
{
	uint64_t len[CHUNK_CAP];
	if (decode_ints(rd, r, 4, false, len, e) < 0)
		return -1;
	uint64_t total = 0;
	for (int i = 0; i < r; i++) {
		if (v->nulls[i])
			continue;
		if (len[i] > UINT32_MAX)
			return corrupt(e, "bad string length");
		total += len[i];
	}
	const uint8_t *bytes = total <= rd->left ? take(rd, (size_t)total) : NULL;
	if (!bytes)
		return corrupt(e, "truncated strings");
	for (int i = 0; i < r; i++) {
		size_t n = v->nulls[i] ? 0 : (size_t)len[i];
		if (set_str(v, i, bytes, n, out, e) < 0)
			return -1;
		bytes += n;
	}
	return 0;
}

static int decode_column(Reader *rd, int version, Vector *v, int r, Chunk *out, Err *e)
{
	const uint8_t *bits = take(rd, ((size_t)r + 7) / 8);
	if (!bits)
		return corrupt(e, "truncated null flags");
	for (int i = 0; i < r; i++)
		v->nulls[i] = (bits[i / 8] >> (i % 8)) & 1;
	size_t w = width_of(v->type);
	if (w == 0)
		return version == 1 ? decode_str_v1(rd, v, r, out, e)
				    : decode_str_v2(rd, v, r, out, e);
	if (version > 1 && is_int_like(v->type))
		return decode_int_column(rd, v, r, e);
	const uint8_t *src = take(rd, w * (size_t)r);
	if (!src)
		return corrupt(e, "truncated values");
	if (v->type == T_NUMERIC) {
		Numeric *n = VEC_DATA(v, Numeric);
		for (int i = 0; i < r; i++, src += w) {
			memcpy(&n[i].m, src, 16);
			memcpy(&n[i].scale, src + 16, 4);
			n[i].pad_ = 0;
			if (n[i].scale < 0 || n[i].scale > NUMERIC_MAX_SCALE)
				return corrupt(e, "bad numeric scale");
		}
	} else {
		memcpy(v->data, src, w * (size_t)r);
	}
	return 0;
}

int chunk_decode(const void *p, size_t n, Chunk *out, Err *e)
{
	int ncols, nrows;
	TypeId types[MAX_COLUMNS];
	if (cc_peek(p, n, &ncols, &nrows, types, e) < 0)
		return -1;
	if (ncols != out->ncols)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "invalid chunk encoding: %d columns where %d were expected", ncols,
			       out->ncols);
	for (int k = 0; k < ncols; k++)
		if (types[k] != out->cols[k].type)
			return err_set(e, ERR_DATA_CORRUPTED,
				       "invalid chunk encoding: column %d has type %s where %s was "
				       "expected",
				       k + 1, type_name(types[k]), type_name(out->cols[k].type));
	uint16_t version;
	uint32_t flags;
	memcpy(&version, (const uint8_t *)p + 4, 2);
	memcpy(&flags, (const uint8_t *)p + 12, 4);
	Reader rd = {(const uint8_t *)p + CC_HEADER + ncols, n - CC_HEADER - (size_t)ncols};
	if (flags & CC_FLAG_OPS) {
		const uint8_t *ops = take(&rd, (size_t)nrows);
		if (!ops)
			return corrupt(e, "truncated ops");
		for (int i = 0; i < nrows; i++) {
			if (ops[i] > OP_UPDATE_INSERT)
				return corrupt(e, "bad op");
			out->ops[i] = ops[i];
		}
	} else {
		memset(out->ops, OP_INSERT, (size_t)nrows);
	}
	for (int k = 0; k < ncols; k++)
		if (decode_column(&rd, version, &out->cols[k], nrows, out, e) < 0)
			return -1;
	if (rd.left != 0)
		return corrupt(e, "trailing bytes");
	out->nrows = nrows;
	return 0;
}
