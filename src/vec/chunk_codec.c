/* chunk_codec.c: encoding chunks column by column (chunk_codec.h).
 *
 * Layer: vec. Owns the byte format below and nothing else; it never compresses, checksums or
 * touches files (the stream log does). Decoding trusts nothing: every length is checked against
 * the buffer, so damaged bytes give ERR_DATA_CORRUPTED, never a read out of bounds.
 *
 * Format (integers little-endian; eddy runs on little-endian hosts, so fixed-width values are
 * the memory images of their C types):
 *
 *   off  size   field
 *     0     4   magic "EDCC"
 *     4     2   format version (1)
 *     6     2   column count n (1 .. 1600)
 *     8     4   row count r (0 .. 1024)
 *    12     1   flags: bit 0 OPS = an op byte per row follows the types (absent: all inserts)
 *    13     3   reserved, zero
 *    16     n   column types, one byte each (TypeId)
 *  [16+n    r   ops, one byte per row (Op), only with the OPS flag]
 *
 *   then per column, in order:
 *     ceil(r/8) bytes   null flags, bit-packed: bit (i % 8) of byte (i / 8) set = row i is NULL
 *     fixed-width types: r values of w bytes each (NULL rows hold zeros):
 *       boolean 1 (0/1), smallint 2, integer 4, bigint 8, real 4, double precision 8,
 *       timestamp/timestamptz 8 (microseconds), date 4 (days), interval 16 (us 8, days 4,
 *       months 4), numeric 20 (128-bit mantissa 16, scale 4)
 *     strings (varchar, unknown): r + 1 offsets of 4 bytes (the first 0, each the end of row
 *       i's bytes; NULL rows are empty), then offsets[r] bytes of UTF-8
 *
 * There is no padding and no alignment: the decoder copies values out with memcpy.
 */
#include "vec/chunk_codec.h"

#include <string.h>

#define CC_FLAG_OPS 1u

/* Encoded width of a fixed-width value; 0 for strings. */
static size_t width_of(TypeId t)
{
	switch (t) {
	case T_VARCHAR:
	case T_UNKNOWN:
		return 0;
	case T_NUMERIC:
		return 20;
	default:
		return type_size(t);
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
		const Str *s = VEC_DATA(v, Str);
		uint32_t off = 0;
		put_u32(out, 0);
		for (int i = 0; i < r; i++) {
			off += v->nulls[i] ? 0 : s[i].len;
			put_u32(out, off);
		}
		for (int i = 0; i < r; i++)
			if (!v->nulls[i])
				sb_append(out, s[i].p, s[i].len);
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
	if (version != CC_VERSION)
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

static int decode_column(Reader *rd, Vector *v, int r, Chunk *out, Err *e)
{
	const uint8_t *bits = take(rd, ((size_t)r + 7) / 8);
	if (!bits)
		return corrupt(e, "truncated null flags");
	for (int i = 0; i < r; i++)
		v->nulls[i] = (bits[i / 8] >> (i % 8)) & 1;
	size_t w = width_of(v->type);
	if (w == 0) {
		const uint8_t *offs = take(rd, 4 * ((size_t)r + 1));
		if (!offs)
			return corrupt(e, "truncated string offsets");
		uint32_t prev, end;
		memcpy(&prev, offs, 4);
		memcpy(&end, offs + 4 * (size_t)r, 4);
		const uint8_t *bytes = take(rd, end);
		if (prev != 0 || !bytes)
			return corrupt(e, "bad string offsets");
		Str *s = VEC_DATA(v, Str);
		for (int i = 0; i < r; i++) {
			uint32_t next;
			memcpy(&next, offs + 4 * ((size_t)i + 1), 4);
			if (next < prev || next > end)
				return corrupt(e, "bad string offsets");
			if (v->nulls[i])
				s[i] = (Str){NULL, 0};
			else
				s[i] = chunk_str(out, (const char *)bytes + prev, next - prev);
			prev = next;
		}
		return 0;
	}
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
	uint32_t flags;
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
		if (decode_column(&rd, &out->cols[k], nrows, out, e) < 0)
			return -1;
	if (rd.left != 0)
		return corrupt(e, "trailing bytes");
	out->nrows = nrows;
	return 0;
}
