/* test_chunk_codec.c: chunks survive the trip through bytes, for every type, with NULLs, ops and
 * empty strings; integer columns and string lengths take the smallest of the plain, frame of
 * reference and delta blocks, drawn here byte by byte; version 1 bytes (built here as the old
 * encoder wrote them) still decode; damaged bytes are refused with ERR_DATA_CORRUPTED, never read
 * past their end, also under thousands of random mutations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "vec/chunk_codec.h"
#include "vec/numeric.h"
#include "vec/value.h"

#include <stdio.h>
#include <string.h>

/* One column of every storable type. */
static const TypeId all_types[] = {T_BOOL,    T_INT2,      T_INT4,        T_INT8,
				   T_FLOAT4,  T_FLOAT8,    T_NUMERIC,     T_VARCHAR,
				   T_UNKNOWN, T_TIMESTAMP, T_TIMESTAMPTZ, T_DATE,
				   T_INTERVAL};
#define NTYPES ((int)(sizeof all_types / sizeof all_types[0]))

static Value value_for(TypeId t, int row)
{
	if (row % 5 == 3)
		return value_null(t);
	Value v = value_int(t, 0);
	static char text[64];
	switch (t) {
	case T_BOOL:
		v.u.i = row & 1;
		break;
	case T_FLOAT4:
	case T_FLOAT8:
		v.u.f = row * 1.25 - 7;
		break;
	case T_NUMERIC:
		v.u.n = num_make((__int128)row * 100000000000LL * 1000000000LL - 5, row % 39);
		break;
	case T_VARCHAR:
	case T_UNKNOWN: {
		int n = row % 7 == 0 ? 0 : snprintf(text, sizeof text, "row %d \xc3\xa9", row);
		v.u.s = (Str){text, (uint32_t)n};
		break;
	}
	case T_INTERVAL:
		v.u.iv = (Interval){.us = row * 1000, .days = -row, .months = row % 12};
		break;
	case T_INT2:
		v.u.i = (int16_t)(row * 31 - 1000);
		break;
	case T_INT4:
	case T_DATE:
		v.u.i = (int32_t)(row * 100003 - 7);
		break;
	default:
		v.u.i = (int64_t)row * 1000000007LL - 3;
		break;
	}
	return v;
}

static Chunk *sample(int nrows, bool ops)
{
	Chunk *c = chunk_new(all_types, NTYPES);
	for (int r = 0; r < nrows; r++) {
		for (int k = 0; k < NTYPES; k++) {
			Value v = value_for(all_types[k], r);
			vec_set_value(&c->cols[k], r, &v, &c->arena);
		}
		c->ops[r] = ops ? (uint8_t)(r % 4) : OP_INSERT;
	}
	c->nrows = nrows;
	return c;
}

static void assert_same(const Chunk *a, const Chunk *b)
{
	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->nrows, b->nrows);
	for (int r = 0; r < a->nrows; r++) {
		assert_int_equal(a->ops[r], b->ops[r]);
		for (int k = 0; k < a->ncols; k++) {
			Value x, y;
			vec_get_value(&a->cols[k], r, &x);
			vec_get_value(&b->cols[k], r, &y);
			assert_int_equal(x.null, y.null);
			if (!x.null)
				assert_true(value_equal(&x, &y));
		}
	}
}

/* sb decodes into a chunk equal to c. */
static void assert_decodes_to(const StrBuf *sb, const Chunk *c)
{
	TypeId types[MAX_COLUMNS];
	for (int k = 0; k < c->ncols; k++)
		types[k] = c->cols[k].type;
	Chunk *d = chunk_new(types, c->ncols);
	Err e;
	err_clear(&e);
	assert_int_equal(chunk_decode(sb->data, sb->len, d, &e), 0);
	assert_same(c, d);
	chunk_free(d);
}

static void round_trip(int nrows, bool ops)
{
	Chunk *c = sample(nrows, ops);
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	Err e;
	err_clear(&e);
	int ncols, rows;
	TypeId types[MAX_COLUMNS];
	assert_int_equal(cc_peek(sb.data, sb.len, &ncols, &rows, types, &e), 0);
	assert_int_equal(ncols, NTYPES);
	assert_int_equal(rows, nrows);
	assert_memory_equal(types, all_types, sizeof all_types);
	assert_decodes_to(&sb, c);
	chunk_free(c);
	sb_deinit(&sb);
}

static void test_round_trip_every_type(void **state)
{
	(void)state;
	round_trip(1, false);
	round_trip(9, false);
	round_trip(CHUNK_CAP, false);
	round_trip(0, false);
}

static void test_round_trip_ops(void **state)
{
	(void)state;
	round_trip(17, true);
}

static void expect_corrupt(const void *p, size_t n, Chunk *d, const char *msg)
{
	Err e;
	err_clear(&e);
	chunk_reset(d);
	assert_int_equal(chunk_decode(p, n, d, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	assert_string_equal(err_sqlstate(e.code), "XX001");
	assert_non_null(strstr(e.msg, msg));
}

/* A one-column chunk of n integer-like values, NULL where nulls[i] (nulls may be NULL). */
static Chunk *int_column(TypeId t, const int64_t *vals, const bool *nulls, int n)
{
	Chunk *c = chunk_new(&t, 1);
	for (int i = 0; i < n; i++) {
		Value v = nulls && nulls[i] ? value_null(t) : value_int(t, vals[i]);
		vec_set_value(&c->cols[0], i, &v, NULL);
	}
	c->nrows = n;
	return c;
}

/* Encodes one column of n rows and checks the bytes after the header, the type byte and the
 * null flags, and the trip back. */
static void check_column(TypeId t, const int64_t *vals, const bool *nulls, int n,
			 const uint8_t *want, size_t nwant)
{
	Chunk *c = int_column(t, vals, nulls, n);
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	size_t skip = CC_HEADER + 1 + ((size_t)n + 7) / 8;
	assert_int_equal(sb.len, skip + nwant);
	assert_memory_equal(sb.data + skip, want, nwant);
	assert_decodes_to(&sb, c);
	chunk_free(c);
	sb_deinit(&sb);
}

static void test_layout(void **state)
{
	(void)state;
	/* One int4 column, rows 5 and NULL: header (version 2), type byte, null bits, then a PLAIN
	 * block (8 bytes beat FOR's 9): the NULL row repeats 5. */
	TypeId t = T_INT4;
	Chunk *c = chunk_new(&t, 1);
	Value v = value_int(T_INT4, 5);
	vec_set_value(&c->cols[0], 0, &v, NULL);
	v = value_null(T_INT4);
	vec_set_value(&c->cols[0], 1, &v, NULL);
	c->nrows = 2;
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	static const uint8_t want[] = {'E', 'D', 'C', 'C', 2, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0,
				       T_INT4, 0x02, 0, 5, 0, 0, 0, 5, 0, 0, 0};
	assert_int_equal(sb.len, sizeof want);
	assert_memory_equal(sb.data, want, sizeof want);
	chunk_free(c);
	sb_deinit(&sb);
}

static void test_layout_for(void **state)
{
	(void)state;
	/* 16 bigints 1000 + i % 4: FOR, base 1000, 2 bits; 0,1,2,3 LSB first is 0xe4 (13 bytes
	 * against 128 plain and 23 as deltas, which range from -3 to 1). */
	int64_t vals[16];
	for (int i = 0; i < 16; i++)
		vals[i] = 1000 + i % 4;
	static const uint8_t want[] = {1, 0xe8, 3, 0, 0, 0, 0, 0, 0, 2, 0xe4, 0xe4, 0xe4, 0xe4};
	check_column(T_INT8, vals, NULL, 16, want, sizeof want);
	/* Negative smallints: the base is signed, the offsets are not (11 bytes against 16). */
	int64_t small[8] = {-3, -1, -2, -3, -3, -1, -2, -3};
	static const uint8_t want2[] = {1, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0x18,
					0x18};
	check_column(T_INT2, small, NULL, 8, want2, sizeof want2);
}

static void test_layout_delta(void **state)
{
	(void)state;
	/* 64 timestamps 1 000 000 + 10 i: DELTA, first 1000000, base 10, 0 bits: 17 bytes. */
	int64_t vals[64];
	bool nulls[64] = {false};
	for (int i = 0; i < 64; i++)
		vals[i] = 1000000 + 10 * i;
	static const uint8_t want[] = {2,  0x40, 0x42, 0x0f, 0, 0, 0, 0, 0,
				       10, 0,    0,    0,    0, 0, 0, 0, 0};
	check_column(T_TIMESTAMP, vals, nulls, 64, want, sizeof want);
	/* A NULL row repeats the previous value: deltas 10 but 0 at the NULL row and 20 after it,
	 * 0 .. 20 around base 0 in 5 bits each: 63 deltas in 40 bytes (FOR would need 10 bits). */
	nulls[5] = true;
	uint8_t want2[18 + 40] = {2, 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
	for (int j = 0; j < 63; j++) {
		unsigned d = j == 4 ? 0 : j == 5 ? 20 : 10;
		for (int b = 0; b < 5; b++)
			if (d >> b & 1)
				want2[18 + (j * 5 + b) / 8] |= (uint8_t)(1u << ((j * 5 + b) % 8));
	}
	check_column(T_TIMESTAMP, vals, nulls, 64, want2, sizeof want2);
	/* Dates count days as int32: FOR base 19000 (0x4a38), offsets 0, 1, 3 in 2 bits. */
	int64_t days[3] = {19000, 19001, 19003};
	static const uint8_t want3[] = {1, 0x38, 0x4a, 0, 0, 0, 0, 0, 0, 2, 0x34};
	check_column(T_DATE, days, NULL, 3, want3, sizeof want3);
}

static void test_layout_strings(void **state)
{
	(void)state;
	/* "ab", NULL, "cde": lengths 2, 2 (the NULL row repeats), 3 as FOR base 2 with 1 bit (10
	 * bytes against 12 plain), then the non-NULL bytes. */
	TypeId t = T_VARCHAR;
	Chunk *c = chunk_new(&t, 1);
	const char *text[3] = {"ab", NULL, "cde"};
	for (int i = 0; i < 3; i++) {
		Value v = value_null(t);
		if (text[i]) {
			v.null = false;
			v.u.s = (Str){text[i], (uint32_t)strlen(text[i])};
		}
		vec_set_value(&c->cols[0], i, &v, &c->arena);
	}
	c->nrows = 3;
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	static const uint8_t want[] = {T_VARCHAR, 0x02, 1, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0x04,
				       'a', 'b', 'c', 'd', 'e'};
	assert_int_equal(sb.len, CC_HEADER + sizeof want);
	assert_memory_equal(sb.data + CC_HEADER, want, sizeof want);
	assert_decodes_to(&sb, c);
	chunk_free(c);
	sb_deinit(&sb);
}

/* Values that stress the frames: extremes of each type, all NULL, leading NULLs, constants,
 * random bits (PLAIN wins) and sorted runs (DELTA wins), for every integer-like type. */
static void test_round_trip_integer_edges(void **state)
{
	(void)state;
	static const TypeId ints[] = {T_INT2, T_INT4, T_INT8, T_TIMESTAMP, T_TIMESTAMPTZ, T_DATE};
	uint64_t seed = 42;
	for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
		TypeId t = ints[k];
		int bits = (int)type_size(t) * 8;
		int64_t hi = bits == 64 ? INT64_MAX : (INT64_C(1) << (bits - 1)) - 1;
		int64_t lo = -hi - 1;
		for (int pattern = 0; pattern < 7; pattern++) {
			int n = pattern == 6 ? 1 : CHUNK_CAP - pattern;
			int64_t *vals = mem_alloc(sizeof *vals * (size_t)n);
			bool *nulls = mem_alloc(sizeof *nulls * (size_t)n);
			for (int i = 0; i < n; i++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				int64_t rnd = (int64_t)(seed >> 1);
				int64_t x;
				switch (pattern) {
				case 0: /* alternating extremes */
					x = i % 2 ? hi : lo;
					break;
				case 1: /* random over the whole type */
					x = bits == 64 ? (int64_t)seed : lo + rnd % (hi - lo + 1);
					break;
				case 2: /* sorted with small random steps */
					x = lo / 2 + i * 7 + rnd % 5;
					break;
				case 3: /* a constant */
					x = hi;
					break;
				default: /* small values around zero */
					x = rnd % 100 - 50;
					break;
				}
				vals[i] = x;
				nulls[i] = pattern == 4 ? true : pattern == 5 ? i < 10 || i % 9 == 0
									       : false;
			}
			Chunk *c = int_column(t, vals, nulls, n);
			StrBuf sb;
			sb_init(&sb);
			chunk_encode(c, &sb);
			assert_decodes_to(&sb, c);
			size_t enc = CC_HEADER + 1 + ((size_t)n + 7) / 8;
			if (pattern == 1 && n > 1)
				assert_int_equal(sb.data[enc], 0); /* PLAIN */
			if (pattern == 2)
				assert_int_equal(sb.data[enc], 2); /* DELTA */
			if (pattern == 3)
				assert_int_equal(sb.len, enc + 10); /* FOR with 0 bits */
			chunk_free(c);
			sb_deinit(&sb);
			mem_free(vals);
			mem_free(nulls);
		}
	}
}

/* The version 1 encoder, as it was: every fixed-width value as its memory image (NULL rows
 * zero), strings as r + 1 offsets and the bytes. */
static void encode_v1(const Chunk *c, StrBuf *out)
{
	bool ops = false;
	for (int i = 0; i < c->nrows; i++)
		ops = ops || c->ops[i] != OP_INSERT;
	uint16_t u16[2] = {1, (uint16_t)c->ncols};
	uint32_t u32[2] = {(uint32_t)c->nrows, ops ? 1u : 0u};
	sb_append(out, "EDCC", 4);
	sb_append(out, u16, 4);
	sb_append(out, u32, 8);
	for (int k = 0; k < c->ncols; k++)
		sb_putc(out, (char)c->cols[k].type);
	if (ops)
		sb_append(out, c->ops, (size_t)c->nrows);
	for (int k = 0; k < c->ncols; k++) {
		const Vector *v = &c->cols[k];
		uint8_t bits[CHUNK_CAP / 8] = {0};
		for (int i = 0; i < c->nrows; i++)
			bits[i / 8] |= (uint8_t)(v->nulls[i] << (i % 8));
		sb_append(out, bits, ((size_t)c->nrows + 7) / 8);
		if (type_is_varlen(v->type)) {
			const Str *s = VEC_DATA(v, Str);
			uint32_t off = 0;
			sb_append(out, &off, 4);
			for (int i = 0; i < c->nrows; i++) {
				off += v->nulls[i] ? 0 : s[i].len;
				sb_append(out, &off, 4);
			}
			for (int i = 0; i < c->nrows; i++)
				if (!v->nulls[i])
					sb_append(out, s[i].p, s[i].len);
			continue;
		}
		size_t w = v->type == T_NUMERIC ? 20 : type_size(v->type);
		for (int i = 0; i < c->nrows; i++) {
			uint8_t val[20] = {0};
			const uint8_t *src =
				(const uint8_t *)v->data + type_size(v->type) * (size_t)i;
			if (!v->nulls[i] && v->type == T_NUMERIC) {
				const Numeric *num = (const Numeric *)src;
				memcpy(val, &num->m, 16);
				memcpy(val + 16, &num->scale, 4);
			} else if (!v->nulls[i]) {
				memcpy(val, src, w);
			}
			sb_append(out, val, w);
		}
	}
}

static void test_decode_version_1(void **state)
{
	(void)state;
	/* The bytes version 1 wrote for one int4 column, rows 5 and NULL. */
	static const uint8_t v1[] = {'E', 'D', 'C', 'C', 1, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0,
				     T_INT4, 0x02, 5, 0, 0, 0, 0, 0, 0, 0};
	TypeId t = T_INT4;
	Chunk *d = chunk_new(&t, 1);
	Err e;
	err_clear(&e);
	assert_int_equal(chunk_decode(v1, sizeof v1, d, &e), 0);
	assert_int_equal(d->nrows, 2);
	assert_int_equal(VEC_DATA(&d->cols[0], int32_t)[0], 5);
	assert_int_equal(d->cols[0].nulls[0], 0);
	assert_int_equal(d->cols[0].nulls[1], 1);
	chunk_free(d);
	/* Every type, NULLs, ops, 0 .. CHUNK_CAP rows; the truncations are refused. */
	static const int sizes[] = {0, 1, 9, 40, CHUNK_CAP};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		Chunk *c = sample(sizes[k], sizes[k] == 9);
		StrBuf sb;
		sb_init(&sb);
		encode_v1(c, &sb);
		assert_decodes_to(&sb, c);
		d = chunk_new(all_types, NTYPES);
		for (size_t n = 0; sizes[k] == 40 && n < sb.len; n++)
			expect_corrupt(sb.data, n, d, "invalid chunk encoding");
		chunk_free(c);
		chunk_free(d);
		sb_deinit(&sb);
	}
}

static void test_damage(void **state)
{
	(void)state;
	Chunk *c = sample(40, false);
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	Chunk *d = chunk_new(all_types, NTYPES);
	/* Every truncation is refused. */
	for (size_t n = 0; n < sb.len; n++)
		expect_corrupt(sb.data, n, d, "invalid chunk encoding");
	char *bad = mem_alloc(sb.len + 1);
	memcpy(bad, sb.data, sb.len);
	bad[sb.len] = 0;
	expect_corrupt(bad, sb.len + 1, d, "trailing bytes");
	bad[0] = 'X';
	expect_corrupt(bad, sb.len, d, "bad magic");
	memcpy(bad, sb.data, sb.len);
	bad[4] = 9;
	expect_corrupt(bad, sb.len, d, "unsupported chunk encoding version 9");
	memcpy(bad, sb.data, sb.len);
	bad[CC_HEADER] = (char)T_INT8;
	expect_corrupt(bad, sb.len, d, "column 1 has type bigint where boolean was expected");
	memcpy(bad, sb.data, sb.len);
	bad[CC_HEADER] = (char)200;
	expect_corrupt(bad, sb.len, d, "unknown column type");
	TypeId one = T_BOOL;
	Chunk *narrow = chunk_new(&one, 1);
	expect_corrupt(sb.data, sb.len, narrow, "13 columns where 1 were expected");
	mem_free(bad);
	chunk_free(narrow);
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

static void test_bad_string_offsets(void **state)
{
	(void)state;
	TypeId t = T_VARCHAR;
	Chunk *c = chunk_new(&t, 1);
	Value v = value_int(T_VARCHAR, 0);
	v.u.s = (Str){"abc", 3};
	vec_set_value(&c->cols[0], 0, &v, &c->arena);
	vec_set_value(&c->cols[0], 1, &v, &c->arena);
	vec_set_value(&c->cols[0], 2, &v, &c->arena);
	c->nrows = 3;
	StrBuf sb;
	sb_init(&sb);
	encode_v1(c, &sb);
	/* Version 1: offsets at 18 (after the type byte and the null bits): 0, 3, 6, 9. Make
	 * the second one run backwards past the third. */
	uint32_t big = 7;
	memcpy(sb.data + CC_HEADER + 2 + 4, &big, 4);
	Chunk *d = chunk_new(&t, 1);
	expect_corrupt(sb.data, sb.len, d, "bad string offsets");
	/* Version 2: lengths 3, 3, 3 as FOR base 3, 0 bits (10 bytes at 18), then "abcabcabc". */
	sb_reset(&sb);
	chunk_encode(c, &sb);
	assert_int_equal(sb.len, CC_HEADER + 2 + 10 + 9);
	uint64_t base = 4;
	memcpy(sb.data + CC_HEADER + 3, &base, 8);
	expect_corrupt(sb.data, sb.len, d, "truncated strings");
	base = UINT64_C(1) << 32;
	memcpy(sb.data + CC_HEADER + 3, &base, 8);
	expect_corrupt(sb.data, sb.len, d, "bad string length");
	base = 2;
	memcpy(sb.data + CC_HEADER + 3, &base, 8);
	expect_corrupt(sb.data, sb.len, d, "trailing bytes");
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

/* Damaged integer blocks: unknown encodings, widths over 64, values outside their type. */
static void test_bad_integer_blocks(void **state)
{
	(void)state;
	TypeId t = T_INT2;
	Chunk *c = chunk_new(&t, 1);
	for (int i = 0; i < 8; i++) {
		Value v = value_int(T_INT2, -3 + i % 3);
		vec_set_value(&c->cols[0], i, &v, NULL);
	}
	c->nrows = 8;
	StrBuf sb;
	sb_init(&sb);
	chunk_encode(c, &sb);
	/* Header, type byte, null byte; then FOR (1), base (8), width (1), 2 bytes. */
	size_t at = CC_HEADER + 2;
	assert_int_equal(sb.len, at + 12);
	assert_int_equal(sb.data[at], 1);
	Chunk *d = chunk_new(&t, 1);
	sb.data[at] = 3;
	expect_corrupt(sb.data, sb.len, d, "unknown value encoding");
	sb.data[at] = 1;
	sb.data[at + 9] = 65;
	expect_corrupt(sb.data, sb.len, d, "bad bit width");
	sb.data[at + 9] = 9;
	expect_corrupt(sb.data, sb.len, d, "truncated values");
	sb.data[at + 9] = 2;
	int64_t base = 32767;
	memcpy(sb.data + at + 1, &base, 8);
	expect_corrupt(sb.data, sb.len, d, "value out of range");
	base = -3;
	memcpy(sb.data + at + 1, &base, 8);
	sb.data[at] = 2; /* DELTA reads one more u64 than FOR: the block no longer fits */
	expect_corrupt(sb.data, sb.len, d, "invalid chunk encoding");
	/* A DELTA block in a chunk of no rows has no first value to hold. */
	static const uint8_t empty[] = {'E', 'D', 'C', 'C', 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					T_INT2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					0};
	expect_corrupt(empty, sizeof empty, d, "truncated values");
	chunk_free(c);
	chunk_free(d);
	sb_deinit(&sb);
}

/* A small fuzzer: thousands of random mutations (bytes changed, cut, repeated) of chunks in both
 * versions; each must decode or fail with XX001, never crash or read out of bounds (ASan). */
static void test_mutations(void **state)
{
	(void)state;
	Chunk *c = sample(40, true);
	StrBuf good[3];
	for (int k = 0; k < 3; k++)
		sb_init(&good[k]);
	chunk_encode(c, &good[0]);
	encode_v1(c, &good[1]);
	Chunk *full = sample(CHUNK_CAP, false);
	chunk_encode(full, &good[2]);
	Chunk *d = chunk_new(all_types, NTYPES);
	uint64_t seed = 7;
	int decoded = 0, refused = 0;
	for (int round = 0; round < 6000; round++) {
		const StrBuf *g = &good[round % 3];
		size_t n = g->len;
		uint8_t *p = mem_alloc(n + 8);
		memcpy(p, g->data, n);
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int flips = 1 + (int)(seed >> 60) % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			size_t at = CC_HEADER + (size_t)(seed >> 33) % (n - CC_HEADER);
			p[at] = (uint8_t)(seed >> 8);
		}
		if (seed % 7 == 0)
			n -= (size_t)(seed >> 40) % 16;
		else if (seed % 7 == 1)
			memcpy(p + n, p + n - 8, 8), n += 8;
		Err e;
		err_clear(&e);
		chunk_reset(d);
		if (chunk_decode(p, n, d, &e) == 0) {
			decoded++;
		} else {
			assert_string_equal(err_sqlstate(e.code), "XX001");
			refused++;
		}
		mem_free(p);
	}
	assert_true(refused > 1000);
	assert_true(decoded > 100); /* flipped value bytes still make a chunk */
	for (int k = 0; k < 3; k++)
		sb_deinit(&good[k]);
	chunk_free(c);
	chunk_free(full);
	chunk_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_type),
		cmocka_unit_test(test_round_trip_ops),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_layout_for),
		cmocka_unit_test(test_layout_delta),
		cmocka_unit_test(test_layout_strings),
		cmocka_unit_test(test_round_trip_integer_edges),
		cmocka_unit_test(test_decode_version_1),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_bad_string_offsets),
		cmocka_unit_test(test_bad_integer_blocks),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
