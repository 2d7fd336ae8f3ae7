/* fuzz_chunk_codec.c: fuzz target for the chunk decoder (src/vec/chunk_codec.c), which reads
 * what the stream log hands back from disk.
 *
 * The input is a chunk encoding (any version). Whatever chunk_decode makes of it must be either
 * ERR_DATA_CORRUPTED (XX001) or a chunk that survives the trip again: its encoding decodes, and
 * encoding that gives the same bytes. Bad input must never crash, hang or read out of bounds
 * (ASan/UBSan watch).
 *
 * Two ways to run it:
 *   - `make test` builds it with main() below, which mutates encodings of a few chunks (both
 *     versions, every integer block, strings, arrays, ops) a fixed number of times (a few
 *     seconds; tests/integration/fuzz.sh);
 *   - libFuzzer, for long runs (docs/testing.md):
 *       clang -g -O1 -fsanitize=fuzzer,address,undefined -DEDDY_LIBFUZZER -Isrc -Iinclude \
 *           tests/fuzz/fuzz_chunk_codec.c build/clang/libeddy.a -lxxhash -llz4 -lzstd -llmdb \
 *           -lmicrohttpd -lpcre2-8 -lm -o fuzz_chunk_codec
 *       ./fuzz_chunk_codec -max_total_time=600
 */
#include "base/strbuf.h"
#include "vec/chunk_codec.h"
#include "vec/value.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
	fprintf(stderr, "fuzz_chunk_codec: invariant broken: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ncols, nrows;
	TypeId types[MAX_COLUMNS];
	Err e;
	err_clear(&e);
	if (cc_peek(data, size, &ncols, &nrows, types, &e) < 0) {
		if (e.code != ERR_DATA_CORRUPTED)
			die("cc_peek failed without XX001");
		return 0;
	}
	Chunk *c = chunk_new(types, ncols);
	if (chunk_decode(data, size, c, &e) < 0) {
		if (e.code != ERR_DATA_CORRUPTED)
			die("chunk_decode failed without XX001");
		chunk_free(c);
		return 0;
	}
	if (c->nrows != nrows)
		die("row count differs from the header");
	StrBuf b1, b2;
	sb_init(&b1);
	sb_init(&b2);
	chunk_encode(c, &b1);
	Chunk *d = chunk_new(types, ncols);
	if (chunk_decode(b1.data, b1.len, d, &e) < 0)
		die(e.msg);
	chunk_encode(d, &b2);
	if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		die("encoding of the decoded chunk changed on a second trip");
	sb_deinit(&b1);
	sb_deinit(&b2);
	chunk_free(c);
	chunk_free(d);
	return 0;
}

#ifndef EDDY_LIBFUZZER

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Seed chunks: integers of every kind (plain, frame of reference, deltas), strings, an array,
 * floats, numerics and intervals, with NULLs and ops. */
static Chunk *seed_chunk(int variant, int nrows)
{
	static const TypeId types[] = {T_INT2,    T_INT4,     T_INT8,    T_TIMESTAMP, T_DATE,
				       T_VARCHAR, T_BOOL,     T_FLOAT8,  T_NUMERIC,   T_INTERVAL,
				       T_INT4_ARRAY, T_TIMESTAMPTZ, T_UNKNOWN};
	int ncols = (int)(sizeof types / sizeof types[0]);
	Chunk *c = chunk_new(types, ncols);
	char text[32];
	for (int r = 0; r < nrows; r++) {
		for (int k = 0; k < ncols; k++) {
			TypeId t = types[k];
			Value v = value_int(t, 0);
			bool null = variant == 1 && (r + k) % 4 == 0;
			switch (t) {
			case T_INT2:
				v.u.i = (int16_t)(r * 7 - 50);
				break;
			case T_INT4:
				v.u.i = (int32_t)next();
				break;
			case T_INT8:
			case T_TIMESTAMP:
			case T_TIMESTAMPTZ:
				v.u.i = INT64_C(1436918400000000) + r * 400 + (int64_t)(next() % 3);
				break;
			case T_DATE:
				v.u.i = 19000 + r / 10;
				break;
			case T_BOOL:
				v.u.i = r & 1;
				break;
			case T_FLOAT8:
				v.u.f = r * 0.5;
				break;
			case T_NUMERIC:
				v.u.n.m = r * 1001;
				v.u.n.scale = 2;
				break;
			case T_INTERVAL:
				v.u.iv = (Interval){.us = r, .days = 1, .months = 0};
				break;
			case T_INT4_ARRAY: {
				/* {r, NULL}: count 2, then per element a NULL flag and 4 bytes. */
				uint8_t *a = arena_alloc(&c->arena, 11);
				uint32_t n = 2;
				int32_t x = r;
				memcpy(a, &n, 4);
				a[4] = 1;
				memcpy(a + 5, &x, 4);
				a[9] = 0;
				v.u.s = (Str){(const char *)a, 10};
				break;
			}
			default: {
				int n = snprintf(text, sizeof text, "row%d", r % 13);
				v.u.s = (Str){text, (uint32_t)n};
				break;
			}
			}
			if (null)
				v = value_null(t);
			vec_set_value(&c->cols[k], r, &v, &c->arena);
		}
		c->ops[r] = variant == 1 ? (uint8_t)(r % 4) : OP_INSERT;
	}
	c->nrows = nrows;
	return c;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	StrBuf seeds[4];
	static const int rows[4] = {1, 17, 100, 300};
	for (int s = 0; s < 4; s++) {
		sb_init(&seeds[s]);
		Chunk *c = seed_chunk(s & 1, rows[s]);
		chunk_encode(c, &seeds[s]);
		chunk_free(c);
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[s].data, seeds[s].len);
	}
	size_t cap = seeds[3].len + 64;
	uint8_t *buf = mem_alloc(cap);
	for (long it = 0; it < iters; it++) {
		const StrBuf *sd = &seeds[next() % 4];
		size_t n = sd->len;
		memcpy(buf, sd->data, n);
		int edits = 1 + (int)(next() % 4);
		for (int j = 0; j < edits; j++) {
			size_t at = CC_HEADER + (size_t)(next() % (n - CC_HEADER));
			switch (next() % 6) {
			case 0: /* a small bit width or encoding byte */
				buf[at] = (uint8_t)(next() % 70);
				break;
			case 1: /* cut the tail */
				n = at;
				break;
			case 2: /* the version: 1 reads the same bytes the old way */
				buf[4] = (uint8_t)(1 + next() % 2);
				break;
			default:
				buf[at] = (uint8_t)next();
				break;
			}
			if (n <= CC_HEADER)
				break;
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	mem_free(buf);
	for (int s = 0; s < 4; s++)
		sb_deinit(&seeds[s]);
	printf("fuzz_chunk_codec: %ld inputs\n1 passed, 0 failed\n", iters + 4);
	return 0;
}

#endif
