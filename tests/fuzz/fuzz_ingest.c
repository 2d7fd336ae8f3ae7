/* fuzz_ingest.c: fuzz target for the HTTP ingest decoders (src/connect/decode*.c, eddy_ingest).
 *
 * The first input byte picks the format and options (NDJSON; CSV with or without a header; the
 * delimiter) and the batch size; the rest is the body. Each input is decoded batch by batch and
 * every row and error is checked (line numbers in range and increasing, cells inside the input
 * or the batch text); one input in eight also goes through eddy_ingest into an in-memory
 * table, whose counts must add up. Bad input must be reported, never crash, hang or read out of
 * bounds (ASan/UBSan watch).
 *
 * Two ways to run it:
 *   - `make test` builds it with main() below, which feeds a fixed number of mutated valid
 *     inputs (a few seconds; tests/integration/fuzz.sh);
 *   - libFuzzer, for long runs (docs/testing.md):
 *       clang -g -O1 -fsanitize=fuzzer,address,undefined -DEDDY_LIBFUZZER -Isrc -Iinclude \
 *           tests/fuzz/fuzz_ingest.c build/asan/libeddy.a -lxxhash -llz4 -lzstd -llmdb \
 *           -lmicrohttpd -lm -o fuzz_ingest && ./fuzz_ingest -max_total_time=600
 *     (with a libeddy.a built by clang: make CC=clang ASAN=build/clang build/clang/libeddy.a)
 */
#include "connect/decode.h"
#include "eddy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const COLS[] = {"id", "name", "amount", "ts"};

static Eddy *db;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_ingest: invariant broken: %s\n", what);
	abort();
}

static void check_decoder(const uint8_t *data, size_t size, DecFormat fmt, bool header,
			  char delim, int batch)
{
	int64_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	Decoder d;
	dec_init(&d, fmt, COLS, 4);
	dec_csv_options(&d, header, delim);
	dec_input(&d, (const char *)data, size);
	Err e;
	err_clear(&e);
	int64_t last = 0;
	int rc;
	while ((rc = dec_next(&d, batch, &e)) > 0) {
		if (d.nrows > batch || d.nerrs > batch)
			die("batch larger than asked");
		for (int r = 0; r < d.nrows; r++) {
			if (d.lines[r] < 1 || d.lines[r] > lines || d.lines[r] <= last)
				die("row line number out of order");
			last = d.lines[r];
			for (int c = 0; c < 4; c++) {
				size_t n;
				const char *s = dec_cell(&d, r, c, &n);
				const DecCell *k = &d.cells[(size_t)r * 4 + (size_t)c];
				const char *lo = k->where == DEC_INPUT ? d.buf : d.text.data;
				size_t len = k->where == DEC_INPUT ? d.len : d.text.len;
				if (s && n && (s < lo || s + n > lo + len))
					die("cell outside the input and the batch text");
			}
		}
		for (int i = 0; i < d.nerrs; i++)
			if (d.errs[i].line < 1 || d.errs[i].line > lines || !d.errs[i].msg[0])
				die("error without a line or message");
	}
	if (rc < 0 && !e.msg[0])
		die("fatal error without a message");
	dec_deinit(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	DecFormat fmt = sel & 1 ? DEC_CSV : DEC_NDJSON;
	bool header = (sel & 2) == 0;
	char delim = sel & 4 ? ';' : ',';
	int batch = (sel & 8) ? 1 : 64;
	check_decoder(data, size, fmt, header, delim, batch);
	if ((sel & 0x70) == 0) {
		if (!db) {
			EddyError err;
			if (eddy_open(NULL, &db, &err) != 0 ||
			    eddy_exec(db,
				      "CREATE TABLE t (id int, name varchar, amount numeric(8,2), "
				      "ts timestamp)",
				      NULL, NULL, &err) != 0)
				die("setup");
		}
		EddyIngestOptions o = {.csv_header = header, .csv_delimiter = delim};
		EddyIngestResult res;
		EddyLineError errs[8];
		EddyError err;
		if (eddy_ingest(db, "t", fmt == DEC_CSV ? EDDY_FORMAT_CSV : EDDY_FORMAT_NDJSON,
				(const char *)data, size, &o, &res, errs, 8, &err) == 0) {
			if (res.accepted < 0 || res.rejected < 0 || res.nerrors > 8 ||
			    (res.rejected > 0 && res.nerrors == 0))
				die("ingest counts");
			for (int i = 1; i < res.nerrors; i++)
				if (errs[i].line < errs[i - 1].line)
					die("ingest errors out of line order");
		} else if (!err.message[0]) {
			die("ingest error without a message");
		}
		/* Keep the table small. */
		eddy_exec(db, "DELETE FROM t", NULL, NULL, &err);
	}
	return 0;
}

#ifndef EDDY_LIBFUZZER

static const char *const SEEDS[] = {
	"{\"id\":1,\"name\":\"a\",\"amount\":1.5,\"ts\":\"2024-01-01 00:00:00\"}\n{\"id\":2}\n",
	"{\"name\":\"\\u00e9\\ud83d\\ude00\\n\",\"x\":{\"y\":[1,2,{\"z\":null}]},\"id\":-0.5e3}\r\n\n",
	"{\"id\":true,\"name\":false,\"amount\":null}\n[1]\n{\"id\":\"x\"}\n",
	"id,name,amount,ts\n1,\"a,b\",2,\n2,\"say \"\"hi\"\"\",,2024-01-01\r\n\n3,\"two\nlines\",3,x\n",
	"name;id\n\"q\";7\n;8\n",
	"1,x,2.5,2024-01-01 00:00:00\n2,,,\n",
	"\xEF\xBB\xBF{\"id\":1}\n",
};

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 100000;
	static const char special[] = "\"\\{}[],:;\n\r\t u0123456789.eE-+tfnx";
	static const uint8_t bytes[] = {0xff, 0xc3, 0xa9, 0xed, 0xa0, 0xf0, 0x9f, 0x00, 0x80};
	uint8_t buf[4096];
	int nseeds = (int)(sizeof SEEDS / sizeof SEEDS[0]);
	for (long it = 0; it < iters; it++) {
		const char *seed = SEEDS[next() % (uint64_t)nseeds];
		size_t n = strlen(seed);
		buf[0] = (uint8_t)next();
		memcpy(buf + 1, seed, n);
		n++;
		int muts = (int)(next() % 8);
		for (int m = 0; m < muts; m++) {
			size_t at = 1 + (size_t)(next() % n);
			switch (next() % 6) {
			case 0: /* overwrite with a JSON/CSV metacharacter */
				if (at < n)
					buf[at] = (uint8_t)special[next() % (sizeof special - 1)];
				break;
			case 1: /* overwrite with a non-ASCII or NUL byte */
				if (at < n)
					buf[at] = bytes[next() % sizeof bytes];
				break;
			case 2: /* insert a metacharacter */
				if (n + 1 < sizeof buf) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)special[next() % (sizeof special - 1)];
					n++;
				}
				break;
			case 3: /* delete a byte */
				if (at < n) {
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;
				}
				break;
			case 4: /* truncate */
				n = at;
				break;
			default: /* duplicate a span */ {
				size_t len = (size_t)(next() % 32);
				if (at + len <= n && n + len < sizeof buf) {
					memmove(buf + at + len, buf + at, n - at);
					n += len;
				}
			}
			}
		}
		LLVMFuzzerTestOneInput(buf, n);
	}
	/* Pure random bytes too. */
	for (long it = 0; it < iters / 10; it++) {
		size_t n = 1 + (size_t)(next() % 256);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)next();
		LLVMFuzzerTestOneInput(buf, n);
	}
	if (db)
		eddy_close(db);
	printf("fuzz_ingest: %ld inputs\n1 passed, 0 failed\n", iters + iters / 10);
	return 0;
}

#endif
