/* log_bench.c: throughput, compression and recovery of the stream log (storage/log.h).
 *
 * Usage: log_bench [DIR] [RECOVERY_MB]   (defaults: a new directory under /tmp, 1024 MB)
 * Build and the numbers measured: bench/ingest/README.md. Not run by `make test`.
 *
 * 1. Appends of 100-byte rows (1000 rows per batch) with fsync never and interval from one
 *    thread, and with fsync always from 16 threads (100 rows per append), in rows/s and MB/s.
 * 2. Compressed size of a Nexmark-like bid chunk laid out by column (lz4 and zstd), against the
 *    same rows as NDJSON and against the raw columnar bytes.
 * 3. Recovery: writes a log of RECOVERY_MB, then times log_open after a clean close, after
 *    deleting every index file, and after deleting the tail's (the crash case: the tail segment
 *    is verified by CRC).
 */
#include "base/mem.h"
#include "storage/log.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const Err *e)
{
	fprintf(stderr, "log_bench: %s: %s\n", what, e->msg);
	exit(1);
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- Nexmark-like bids, by column */

static const char *const CHANNELS[] = {"Google", "Facebook", "Baidu", "Apple"};

typedef struct Bids {
	size_t n;
	int64_t *auction, *bidder, *price, *date_time;
	char **channel, **url, **extra;
} Bids;

static Bids make_bids(size_t n, int64_t t0)
{
	Bids b = {n, mem_alloc(n * 8), mem_alloc(n * 8), mem_alloc(n * 8), mem_alloc(n * 8),
		  mem_alloc(n * sizeof(char *)), mem_alloc(n * sizeof(char *)),
		  mem_alloc(n * sizeof(char *))};
	for (size_t i = 0; i < n; i++) {
		b.auction[i] = 1000 + (int64_t)(rnd() % 1000);
		b.bidder[i] = 1000 + (int64_t)(rnd() % 10000);
		b.price[i] = 100 + (int64_t)(rnd() % 1000000);
		b.date_time[i] = t0 + (int64_t)i * 1000 + (int64_t)(rnd() % 1000);
		const char *ch = CHANNELS[rnd() % 4];
		b.channel[i] = mem_strdup(ch);
		char url[128];
		snprintf(url, sizeof url, "https://www.nexmark.com/%s/item.htm?query=1&channel_id=%u",
			 ch, (unsigned)(rnd() % 1000));
		b.url[i] = mem_strdup(url);
		char extra[48];
		size_t el = rnd() % 24;
		for (size_t k = 0; k < el; k++)
			extra[k] = (char)('a' + rnd() % 26);
		extra[el] = '\0';
		b.extra[i] = mem_strdup(extra);
	}
	return b;
}

static void free_bids(Bids *b)
{
	for (size_t i = 0; i < b->n; i++) {
		mem_free(b->channel[i]);
		mem_free(b->url[i]);
		mem_free(b->extra[i]);
	}
	void *cols[] = {b->auction, b->bidder, b->price, b->date_time, b->channel, b->url, b->extra};
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		mem_free(cols[i]);
}

/* Columnar layout: each int64 column as an array; each text column as n+1 uint32 end offsets
 * then the bytes. Returns the length written at p. */
static size_t encode_columns(const Bids *b, uint8_t *p)
{
	uint8_t *o = p;
	const int64_t *ints[] = {b->auction, b->bidder, b->price, b->date_time};
	for (int c = 0; c < 4; c++) {
		memcpy(o, ints[c], b->n * 8);
		o += b->n * 8;
	}
	char **texts[] = {b->channel, b->url, b->extra};
	for (int c = 0; c < 3; c++) {
		uint32_t end = 0;
		memcpy(o, &end, 4);
		o += 4;
		for (size_t i = 0; i < b->n; i++) {
			end += (uint32_t)strlen(texts[c][i]);
			memcpy(o, &end, 4);
			o += 4;
		}
		for (size_t i = 0; i < b->n; i++) {
			size_t l = strlen(texts[c][i]);
			memcpy(o, texts[c][i], l);
			o += l;
		}
	}
	return (size_t)(o - p);
}

static size_t ndjson_size(const Bids *b)
{
	size_t total = 0;
	char line[512];
	for (size_t i = 0; i < b->n; i++)
		total += (size_t)snprintf(line, sizeof line,
					  "{\"auction\":%" PRId64 ",\"bidder\":%" PRId64
					  ",\"price\":%" PRId64 ",\"channel\":\"%s\",\"url\":\"%s\","
					  "\"date_time\":\"2024-01-01 00:%02d:%02d.%03d\",\"extra\":\"%s\"}\n",
					  b->auction[i], b->bidder[i], b->price[i], b->channel[i],
					  b->url[i], (int)(i / 60000 % 60), (int)(i / 1000 % 60),
					  (int)(i % 1000), b->extra[i]);
	return total;
}

static void bench_compression(void)
{
	const size_t n = 1000;
	Bids b = make_bids(n, 1700000000000000);
	uint8_t *raw = mem_alloc(n * 256);
	size_t rawlen = encode_columns(&b, raw);
	size_t json = ndjson_size(&b);
	uint8_t *enc = mem_alloc(seg_batch_bound(rawlen));
	printf("\n## compression of a %zu-row Nexmark-like bid chunk (columnar %zu B, NDJSON %zu B)\n",
	       n, rawlen, json);
	printf("| codec | stored bytes | of NDJSON | of columnar |\n|---|---|---|---|\n");
	SegCodec codecs[] = {SEG_CODEC_LZ4, SEG_CODEC_ZSTD};
	const char *names[] = {"lz4", "zstd (level 3)"};
	for (int c = 0; c < 2; c++) {
		size_t stored = seg_batch_encode(enc, codecs[c], 3, raw, rawlen, (uint32_t)n, 0, 0,
						 SEG_FLAG_END) - SEG_BATCH_HDR_SIZE;
		printf("| %s | %zu | %.1f %% | %.1f %% |\n", names[c], stored,
		       100.0 * (double)stored / (double)json,
		       100.0 * (double)stored / (double)rawlen);
	}
	mem_free(enc);
	mem_free(raw);
	free_bids(&b);
}

/* ---- append throughput */

typedef struct Job {
	Log *log;
	const uint8_t *payload;
	size_t len;
	uint32_t rows;
	uint64_t appends;
} Job;

static void *append_main(void *arg)
{
	Job *j = arg;
	Err e;
	err_clear(&e);
	LogBatchIn b = {j->payload, j->len, j->rows, 0, 0};
	for (uint64_t i = 0; i < j->appends; i++) {
		b.min_time = b.max_time = (int64_t)i;
		if (log_append(j->log, &b, 1, NULL, &e) != 0)
			die("append", &e);
	}
	return NULL;
}

/* 100-byte rows: a few numbers and short strings in a columnar-like byte soup that compresses
 * about as well as real rows (neither all zeros nor random). */
static void make_rows(uint8_t *p, size_t rows)
{
	for (size_t r = 0; r < rows; r++) {
		int n = snprintf((char *)p + r * 100, 101,
				 "%08" PRIu64 ",%06" PRIu64 ",%07" PRIu64 ",Google,https://nexmark/item/%04"
				 PRIu64 ",",
				 rnd() % 100000000, rnd() % 1000000, rnd() % 10000000, rnd() % 10000);
		for (int k = n; k < 100; k++)
			p[r * 100 + (size_t)k] = (uint8_t)('a' + rnd() % 26);
	}
}

static void bench_append(const char *base, const char *label, LogDurability d, int threads,
			 uint32_t rows_per_append, uint64_t total_rows)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/append_%s", base, label);
	LogOptions o;
	log_options_init(&o);
	o.durability = d;
	Err e;
	err_clear(&e);
	Log *l = log_open(dir, &o, NULL, &e);
	if (!l)
		die("open", &e);
	size_t len = (size_t)rows_per_append * 100;
	uint8_t *payload = mem_alloc(len + 1);
	make_rows(payload, rows_per_append);
	Job *jobs = mem_calloc((size_t)threads, sizeof *jobs);
	pthread_t *t = mem_alloc((size_t)threads * sizeof *t);
	uint64_t per = total_rows / rows_per_append / (uint64_t)threads;
	double t0 = now_s();
	for (int i = 0; i < threads; i++) {
		jobs[i] = (Job){l, payload, len, rows_per_append, per};
		pthread_create(&t[i], NULL, append_main, &jobs[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	if (log_sync(l, &e) != 0)
		die("sync", &e);
	double secs = now_s() - t0;
	LogStats st;
	log_stats(l, &st);
	uint64_t rows = per * (uint64_t)threads * rows_per_append;
	printf("| %s | %d | %u | %.0f | %.1f | %" PRIu64 " | %.1f %% |\n", label, threads,
	       rows_per_append, (double)rows / secs, (double)rows * 100 / secs / 1e6, st.fsyncs,
	       100.0 * (double)log_bytes(l) / (double)(rows * 100));
	if (log_close(l, &e) != 0)
		die("close", &e);
	mem_free(t);
	mem_free(jobs);
	mem_free(payload);
}

/* ---- recovery */

static double time_open(const char *dir, LogRecovery *rec)
{
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	Err e;
	err_clear(&e);
	double t0 = now_s();
	Log *l = log_open(dir, &o, rec, &e);
	if (!l)
		die("reopen", &e);
	double secs = now_s() - t0;
	log_close(l, &e);
	return secs;
}

static void bench_recovery(const char *base, uint64_t mb)
{
	char dir[512], cmd[1200];
	snprintf(dir, sizeof dir, "%s/recovery", base);
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	o.codec = SEG_CODEC_NONE; /* the file size is the data size */
	Err e;
	err_clear(&e);
	Log *l = log_open(dir, &o, NULL, &e);
	if (!l)
		die("open", &e);
	const uint32_t rows = 1000;
	uint8_t *payload = mem_alloc(rows * 100 + 1);
	make_rows(payload, rows);
	LogBatchIn b = {payload, rows * 100, rows, 0, 0};
	/* Stop 1 MB short so the tail segment is nearly full: the worst case for a crash. */
	while (log_bytes(l) + (1 << 20) < mb << 20) {
		b.min_time = b.max_time = b.max_time + 1;
		if (log_append(l, &b, 1, NULL, &e) != 0)
			die("append", &e);
	}
	uint64_t bytes = log_bytes(l);
	size_t segs = log_segment_count(l);
	log_close(l, &e);
	mem_free(payload);
	printf("\n## recovery of a %.0f MB log (%zu segments)\n", bytes / 1048576.0, segs);
	printf("| case | open time | indexes rebuilt | batches CRC-verified |\n|---|---|---|---|\n");
	LogRecovery rec;
	double s = time_open(dir, &rec);
	printf("| clean close (index files valid) | %.3f s | %u | %" PRIu64 " |\n", s,
	       rec.seg.indexes_rebuilt, rec.seg.batches_verified);
	char tail[600];
	snprintf(tail, sizeof tail, "ls %s/*.idx | tail -1 | xargs rm -f", dir);
	if (system(tail) != 0)
		fprintf(stderr, "could not remove the tail index\n");
	s = time_open(dir, &rec);
	printf("| crash (tail index stale: tail verified by CRC) | %.3f s | %u | %" PRIu64 " |\n", s,
	       rec.seg.indexes_rebuilt, rec.seg.batches_verified);
	snprintf(cmd, sizeof cmd, "rm -f %s/*.idx", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove index files\n");
	s = time_open(dir, &rec);
	printf("| every index file missing | %.3f s | %u | %" PRIu64 " |\n", s,
	       rec.seg.indexes_rebuilt, rec.seg.batches_verified);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/eddy_bench_XXXXXX";
	const char *base = argc > 1 ? argv[1] : mkdtemp(tmpl);
	uint64_t mb = argc > 2 ? (uint64_t)atoll(argv[2]) : 1024;
	if (!base) {
		perror("mkdtemp");
		return 1;
	}
	printf("## appends of 100-byte rows (lz4) in %s\n", base);
	printf("| fsync | writer threads | rows per append | rows/s | MB/s (raw) | fsyncs |"
	       " stored/raw |\n|---|---|---|---|---|---|---|\n");
	bench_append(base, "never", LOG_FSYNC_NEVER, 1, 1000, 5000000);
	bench_append(base, "interval", LOG_FSYNC_INTERVAL, 1, 1000, 5000000);
	bench_append(base, "always", LOG_FSYNC_ALWAYS, 16, 100, 1600000);
	bench_append(base, "always-1", LOG_FSYNC_ALWAYS, 1, 100, 100000);
	bench_compression();
	bench_recovery(base, mb);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	if (argc <= 1 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	return 0;
}
