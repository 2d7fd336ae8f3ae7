/* codec_bench.c: the cost and the size of the chunk encoding (vec/chunk_codec.h) on Nexmark bids.
 *
 * Usage: codec_bench [BIDS]   (default 200 000 bids from the Nexmark generator, seed 0)
 * Build and the numbers measured: bench/ingest/README.md. Not run by `make test`.
 *
 * Generates the bids as chunks of CHUNK_CAP rows (connect/nexmark.h), then times chunk_encode
 * and chunk_decode over all of them (best of five passes, ns per row) and sums the encoded bytes
 * and their lz4 and zstd (level 3, the log's default) compressed sizes, so that a change of the
 * encoding is measured without NDJSON parsing, SQL or disk in the way.
 */
#include "base/mem.h"
#include "base/strbuf.h"
#include "connect/nexmark.h"
#include "vec/chunk_codec.h"

#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zstd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int64_t want = argc > 1 ? atoll(argv[1]) : 200000;
	NexmarkOpts o;
	nexmark_opts_default(&o);
	o.table = NEXMARK_BID;
	o.has_table = true;
	o.events = want * 50 / 46 + 100;
	Err e;
	err_clear(&e);
	SourceReader *r = nexmark_reader(&o, NULL, 0, &e);
	if (!r) {
		fprintf(stderr, "codec_bench: %s\n", e.msg);
		return 1;
	}
	int ncols = nexmark_ncols(NEXMARK_BID);
	TypeId types[16];
	for (int k = 0; k < ncols; k++)
		types[k] = nexmark_col_type(NEXMARK_BID, k);
	int nchunks = 0, cap = 16;
	Chunk **chunks = mem_alloc(sizeof *chunks * (size_t)cap);
	int64_t rows = 0;
	while (rows < want) {
		Chunk *c = chunk_new(types, ncols);
		if (r->next(r, c, &e) < 0 || c->nrows == 0) {
			chunk_free(c);
			break;
		}
		if (nchunks == cap)
			chunks = mem_realloc(chunks, sizeof *chunks * (size_t)(cap *= 2));
		chunks[nchunks++] = c;
		rows += c->nrows;
	}
	r->close(r);
	StrBuf *enc = mem_alloc(sizeof *enc * (size_t)nchunks);
	for (int i = 0; i < nchunks; i++)
		sb_init(&enc[i]);
	double best_enc = 1e9, best_dec = 1e9;
	Chunk *d = chunk_new(types, ncols);
	for (int pass = 0; pass < 5; pass++) {
		double t0 = now_s();
		for (int i = 0; i < nchunks; i++) {
			sb_reset(&enc[i]);
			chunk_encode(chunks[i], &enc[i]);
		}
		double t1 = now_s();
		for (int i = 0; i < nchunks; i++) {
			chunk_reset(d);
			if (chunk_decode(enc[i].data, enc[i].len, d, &e) < 0) {
				fprintf(stderr, "codec_bench: %s\n", e.msg);
				return 1;
			}
		}
		double t2 = now_s();
		best_enc = t1 - t0 < best_enc ? t1 - t0 : best_enc;
		best_dec = t2 - t1 < best_dec ? t2 - t1 : best_dec;
	}
	size_t raw = 0, lz = 0, zs = 0;
	char *tmp = mem_alloc(ZSTD_compressBound(1 << 22));
	double lz_s = 0, zs_s = 0;
	for (int i = 0; i < nchunks; i++) {
		raw += enc[i].len;
		double t0 = now_s();
		lz += (size_t)LZ4_compress_default(enc[i].data, tmp, (int)enc[i].len,
						   LZ4_compressBound((int)enc[i].len));
		double t1 = now_s();
		zs += ZSTD_compress(tmp, ZSTD_compressBound(enc[i].len), enc[i].data, enc[i].len,
				    3);
		zs_s += now_s() - t1;
		lz_s += t1 - t0;
	}
	printf("codec version=%d bids=%lld chunks=%d encode_ns_per_row=%.1f decode_ns_per_row=%.1f "
	       "encoded_bytes_per_row=%.1f lz4_bytes_per_row=%.1f zstd_bytes_per_row=%.1f "
	       "lz4_ns_per_row=%.1f zstd_ns_per_row=%.1f\n",
	       CC_VERSION, (long long)rows, nchunks, best_enc * 1e9 / (double)rows,
	       best_dec * 1e9 / (double)rows, (double)raw / (double)rows, (double)lz / (double)rows,
	       (double)zs / (double)rows, lz_s * 1e9 / (double)rows, zs_s * 1e9 / (double)rows);
	mem_free(tmp);
	for (int i = 0; i < nchunks; i++) {
		sb_deinit(&enc[i]);
		chunk_free(chunks[i]);
	}
	mem_free(enc);
	mem_free(chunks);
	chunk_free(d);
	return 0;
}
