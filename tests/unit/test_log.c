/* test_log.c: the stream log (storage/log.h): round trips with both codecs and reopening,
 * pruning by event time, offsets across segment rolls, atomic appends, retention by age and size,
 * recovery from a torn write at every byte of the last batch, corruption reported and never
 * returned, group commit across threads, the directory lock and argument errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmp_dir.h"

#include "base/mem.h"
#include "storage/log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The payload of batch i: len bytes that compress (a repeated pattern) but differ per batch. */
static size_t payload_of(uint32_t i, uint8_t *p, size_t cap)
{
	size_t len = 100 + (i * 37) % 900;
	assert_true(len <= cap);
	for (size_t k = 0; k < len; k++)
		p[k] = (uint8_t)(k % 13 == 0 ? i + k / 13 : k % 5);
	return len;
}

/* Appends batch i (rows i % 5 + 1, event times [i*10, i*10+9]) and returns its offset. */
static uint64_t append_one(Log *l, uint32_t i)
{
	uint8_t p[1024];
	LogBatchIn b = {p, payload_of(i, p, sizeof p), i % 5 + 1, (int64_t)i * 10,
			(int64_t)i * 10 + 9};
	uint64_t off = 0;
	Err e;
	err_clear(&e);
	if (log_append(l, &b, 1, &off, &e) != 0)
		fail_msg("append %u: %s", i, e.msg);
	return off;
}

/* Offset of batch i when batches 0..i-1 were appended from offset 0. */
static uint64_t offset_of(uint32_t i)
{
	uint64_t off = 0;
	for (uint32_t k = 0; k < i; k++)
		off += k % 5 + 1;
	return off;
}

/* Reads the whole range and checks batch first, first+1, ... come back intact; returns the
 * count. */
static uint32_t check_scan(Log *l, const LogRange *r, uint32_t first, LogScanStats *st)
{
	Err e;
	err_clear(&e);
	LogScan *s = log_scan_open(l, r, &e);
	assert_non_null(s);
	LogBatch b;
	uint32_t i = first, n = 0;
	int rc;
	while ((rc = log_scan_next(s, &b, &e)) == 1) {
		uint8_t want[1024];
		size_t len = payload_of(i, want, sizeof want);
		assert_int_equal(b.base_offset, offset_of(i));
		assert_int_equal(b.rows, i % 5 + 1);
		assert_int_equal(b.min_time, (int64_t)i * 10);
		assert_int_equal(b.len, len);
		assert_memory_equal(b.payload, want, len);
		i++;
		n++;
	}
	if (rc != 0)
		fail_msg("scan: %s", e.msg);
	if (st)
		log_scan_stats(s, st);
	log_scan_close(s);
	return n;
}

static const LogRange ALL = {0, UINT64_MAX, false, 0, 0};

static Log *open_log(const char *dir, const LogOptions *o, LogRecovery *rec)
{
	Err e;
	err_clear(&e);
	Log *l = log_open(dir, o, rec, &e);
	if (!l)
		fail_msg("open: %s", e.msg);
	return l;
}

static void close_log(Log *l)
{
	Err e;
	err_clear(&e);
	if (log_close(l, &e) != 0)
		fail_msg("close: %s", e.msg);
}

static void roundtrip(SegCodec codec)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.codec = codec;
	o.durability = LOG_FSYNC_NEVER;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(append_one(l, i), offset_of(i));
	assert_int_equal(log_next_offset(l), offset_of(200));
	LogScanStats st;
	assert_int_equal(check_scan(l, &ALL, 0, &st), 200);
	assert_int_equal(st.batches_read, 200);
	/* Compression pays: far fewer bytes stored than raw. */
	assert_true(st.bytes_read * 2 < 200 * 550);
	/* From an offset inside batch 122 (3 rows): that batch is returned whole. */
	LogRange r = {offset_of(122) + 1, offset_of(130), false, 0, 0};
	assert_int_equal(check_scan(l, &r, 122, NULL), 8);
	close_log(l);

	/* Reopening after a clean close keeps everything and rebuilds nothing. */
	LogRecovery rec;
	l = open_log(dir, &o, &rec);
	assert_int_equal(rec.segments, 1);
	assert_int_equal(rec.seg.indexes_rebuilt, 0);
	assert_int_equal(rec.seg.truncated_bytes, 0);
	assert_int_equal(log_next_offset(l), offset_of(200));
	assert_int_equal(append_one(l, 200), offset_of(200));
	assert_int_equal(check_scan(l, &ALL, 0, NULL), 201);
	close_log(l);
	remove_dir(dir);
}

static void test_roundtrip_lz4(void **state)
{
	roundtrip(SEG_CODEC_LZ4);
}

static void test_roundtrip_zstd(void **state)
{
	roundtrip(SEG_CODEC_ZSTD);
}

static void test_prune_by_time(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	o.index_interval = 1024; /* a few batches per index entry */
	o.segment_bytes = 16 * 1024;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 300; i++)
		append_one(l, i);
	assert_true(log_segment_count(l) > 3);
	/* Batches 100..139 hold times 1000..1399. */
	LogRange r = {0, UINT64_MAX, true, 1000, 1399};
	LogScanStats st;
	assert_int_equal(check_scan(l, &r, 100, &st), 40);
	assert_int_equal(st.batches_read, 40);
	/* Most of the other 260 were pruned by the index without reading their headers. */
	assert_true(st.entries_skipped > 20);
	assert_true(st.batches_skipped < 20);
	/* A range touching one batch by its upper bound. */
	LogRange one = {0, UINT64_MAX, true, 2999, 2999};
	assert_int_equal(check_scan(l, &one, 299, &st), 1);
	/* Nothing in range. */
	LogRange none = {0, UINT64_MAX, true, 5000, 6000};
	assert_int_equal(check_scan(l, &none, 0, &st), 0);
	assert_int_equal(st.batches_read, 0);
	close_log(l);
	remove_dir(dir);
}

static void test_rolls_and_atomic_appends(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	o.codec = SEG_CODEC_NONE;
	o.segment_bytes = 4096;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(append_one(l, i), offset_of(i));
	size_t segs = log_segment_count(l);
	assert_true(segs > 10);
	/* A batch larger than a whole segment goes alone into a new one. */
	uint8_t *big = mem_calloc(1, 10000);
	LogBatchIn b = {big, 10000, 3, 0, 0};
	uint64_t off;
	Err e;
	err_clear(&e);
	assert_int_equal(log_append(l, &b, 1, &off, &e), 0);
	assert_int_equal(off, offset_of(100));
	assert_int_equal(log_segment_count(l), segs + 1);
	/* A multi-batch append does not straddle segments. */
	LogBatchIn three[3] = {{big, 2000, 1, 0, 0}, {big, 2000, 2, 0, 0}, {big, 2000, 4, 0, 0}};
	uint64_t offs[3];
	assert_int_equal(log_append(l, three, 3, offs, &e), 0);
	assert_int_equal(offs[0], offset_of(100) + 3);
	assert_int_equal(offs[1], offs[0] + 1);
	assert_int_equal(offs[2], offs[1] + 2);
	assert_int_equal(log_segment_count(l), segs + 2);
	close_log(l);
	mem_free(big);

	/* Reopen: every segment's offsets chain, reads cross segment boundaries. */
	LogRecovery rec;
	l = open_log(dir, &o, &rec);
	assert_int_equal(rec.segments, segs + 2);
	assert_int_equal(log_next_offset(l), offset_of(100) + 10);
	LogRange r = {offset_of(37), offset_of(90), false, 0, 0};
	assert_int_equal(check_scan(l, &r, 37, NULL), 53);
	close_log(l);
	remove_dir(dir);
}

static int64_t fake_now;

static int64_t fake_clock(void *ctx)
{
	return fake_now;
}

static void test_retention(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	o.codec = SEG_CODEC_NONE;
	o.clock = fake_clock;
	o.segment_age_us = 1000; /* roll every 1 ms of fake time */
	fake_now = 1000000;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 50; i++) {
		append_one(l, i);
		fake_now += 500; /* two batches per segment */
	}
	assert_int_equal(log_segment_count(l), 25);
	uint64_t bytes = log_bytes(l);

	/* By age: the segments whose last batch is older than 10 ms of fake time. */
	Err e;
	err_clear(&e);
	uint32_t removed;
	assert_int_equal(log_retain(l, &removed, &e), 0);
	assert_int_equal(removed, 0); /* no retention configured yet */
	close_log(l);
	o.retention_age_us = 10000;
	l = open_log(dir, &o, NULL);
	/* now = 1000000 + 25000; batch i was appended at 1000000 + 500 i; a segment goes when
	 * its last batch (2k+1) is older than 10000: 500 (2k+1) < 15000, k <= 14. */
	assert_int_equal(log_retain(l, &removed, &e), 0);
	assert_int_equal(removed, 15);
	assert_int_equal(log_segment_count(l), 10);
	assert_int_equal(log_start_offset(l), offset_of(30));
	assert_true(log_bytes(l) < bytes);
	/* Reading from 0 starts at what is left. */
	assert_int_equal(check_scan(l, &ALL, 30, NULL), 20);
	/* The active segment is never removed, however old. */
	fake_now += 1000000000;
	assert_int_equal(log_retain(l, &removed, &e), 0);
	assert_int_equal(removed, 9);
	assert_int_equal(log_segment_count(l), 1);
	assert_int_equal(check_scan(l, &ALL, 48, NULL), 2);
	LogStats st;
	log_stats(l, &st);
	assert_int_equal(st.segments_deleted, 24);
	close_log(l);

	/* By size: keep at most about four segments' worth. */
	char *dir2 = make_dir();
	o.retention_age_us = 0;
	fake_now = 1000000;
	l = open_log(dir2, &o, NULL);
	for (uint32_t i = 0; i < 40; i++) {
		append_one(l, i);
		fake_now += 500;
	}
	uint64_t limit = log_bytes(l) / 5;
	close_log(l);
	o.retention_bytes = limit;
	l = open_log(dir2, &o, NULL);
	assert_int_equal(log_retain(l, &removed, &e), 0);
	assert_true(removed >= 15);
	assert_true(log_bytes(l) <= limit);
	uint32_t first = 0;
	while (offset_of(first) < log_start_offset(l))
		first++;
	assert_int_equal(check_scan(l, &ALL, first, NULL), 40 - first);
	close_log(l);
	remove_dir(dir2);
	remove_dir(dir);
}

static uint8_t *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = mem_alloc(*n);
	assert_int_equal(fread(p, 1, *n, f), *n);
	fclose(f);
	return p;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void test_torn_write_every_byte(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 5; i++)
		append_one(l, i);
	uint64_t before = log_bytes(l);
	append_one(l, 5);
	close_log(l);
	char seg[300], idx[300];
	snprintf(seg, sizeof seg, "%s/%020d.seg", dir, 0);
	snprintf(idx, sizeof idx, "%s/%020d.idx", dir, 0);
	size_t n;
	uint8_t *whole = read_file(seg, &n);
	assert_true(n > before + 64);
	for (size_t cut = before; cut < n; cut++) {
		write_file(seg, whole, cut);
		unlink(idx);
		LogRecovery rec;
		l = open_log(dir, &o, &rec);
		assert_int_equal(rec.seg.truncated_bytes, cut - before);
		assert_int_equal(log_next_offset(l), offset_of(5));
		assert_int_equal(check_scan(l, &ALL, 0, NULL), 5);
		/* The log goes on from there. */
		assert_int_equal(append_one(l, 5), offset_of(5));
		assert_int_equal(check_scan(l, &ALL, 0, NULL), 6);
		close_log(l);
	}

	/* A multi-batch append cut inside its last batch loses all of its batches. */
	write_file(seg, whole, before);
	unlink(idx);
	l = open_log(dir, &o, NULL);
	uint8_t p[3][1024];
	LogBatchIn three[3];
	for (uint32_t k = 0; k < 3; k++)
		three[k] = (LogBatchIn){p[k], payload_of(5 + k, p[k], 1024), (5 + k) % 5 + 1,
					(int64_t)(5 + k) * 10, (int64_t)(5 + k) * 10 + 9};
	Err e;
	err_clear(&e);
	assert_int_equal(log_append(l, three, 3, NULL, &e), 0);
	assert_int_equal(check_scan(l, &ALL, 0, NULL), 8);
	close_log(l);
	mem_free(whole);
	whole = read_file(seg, &n);
	write_file(seg, whole, n - 5);
	unlink(idx);
	LogRecovery rec;
	l = open_log(dir, &o, &rec);
	assert_int_equal(rec.seg.truncated_batches, 2);
	assert_int_equal(rec.seg.truncated_bytes, n - 5 - before);
	assert_int_equal(check_scan(l, &ALL, 0, NULL), 5);
	close_log(l);
	mem_free(whole);
	remove_dir(dir);
}

/* File position of batch i when batches 0.. were stored uncompressed in one segment. */
static uint64_t pos_of(uint32_t i)
{
	uint64_t pos = SEG_FILE_HDR_SIZE;
	uint8_t p[1024];
	for (uint32_t k = 0; k < i; k++)
		pos += SEG_BATCH_HDR_SIZE + payload_of(k, p, sizeof p);
	return pos;
}

static void flip(const char *path, uint64_t pos)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, (off_t)pos), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)pos), 1);
	close(fd);
}

static void test_corruption_reported(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	o.codec = SEG_CODEC_NONE;
	Log *l = open_log(dir, &o, NULL);
	for (uint32_t i = 0; i < 10; i++)
		append_one(l, i);
	close_log(l);
	char seg[300];
	snprintf(seg, sizeof seg, "%s/%020d.seg", dir, 0);
	flip(seg, pos_of(4) + SEG_BATCH_HDR_SIZE + 10);

	/* Reopened without its index: recovery verifies every batch, keeps the damaged one in
	 * place (valid batches follow it, so it is no torn tail) and counts it. */
	char idx[300];
	snprintf(idx, sizeof idx, "%s/%020d.idx", dir, 0);
	unlink(idx);
	LogRecovery rec;
	l = open_log(dir, &o, &rec);
	assert_int_equal(rec.seg.corrupt_batches, 1);
	assert_int_equal(rec.seg.truncated_bytes, 0);
	assert_int_equal(log_next_offset(l), offset_of(10));

	Err e;
	err_clear(&e);
	LogScan *s = log_scan_open(l, &ALL, &e);
	LogBatch b;
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(log_scan_next(s, &b, &e), 1);
		assert_int_equal(b.base_offset, offset_of(i));
	}
	assert_int_equal(log_scan_next(s, &b, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	assert_string_equal(err_sqlstate(e.code), "XX001");
	char want[400];
	snprintf(want, sizeof want,
		 "checksum mismatch in file \"%s\" at byte %llu (batch at offset %llu)", seg,
		 (unsigned long long)pos_of(4), (unsigned long long)offset_of(4));
	assert_string_equal(e.msg, want);
	/* The damaged batch is skipped, never returned; reading goes on after it. */
	err_clear(&e);
	for (uint32_t i = 5; i < 10; i++) {
		assert_int_equal(log_scan_next(s, &b, &e), 1);
		assert_int_equal(b.base_offset, offset_of(i));
	}
	assert_int_equal(log_scan_next(s, &b, &e), 0);
	log_scan_close(s);

	/* The same through a time-range read that covers the damaged batch. */
	LogRange r = {0, UINT64_MAX, true, 40, 49};
	s = log_scan_open(l, &r, &e);
	assert_int_equal(log_scan_next(s, &b, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	err_clear(&e);
	assert_int_equal(log_scan_next(s, &b, &e), 0);
	log_scan_close(s);
	close_log(l);
	remove_dir(dir);
}

typedef struct Writer {
	Log *log;
	uint32_t first; /* batch ids first, first+stride, ... */
	uint32_t count;
	uint64_t offsets[64];
	uint32_t rows[64];
} Writer;

static void *writer_main(void *arg)
{
	Writer *w = arg;
	for (uint32_t k = 0; k < w->count; k++) {
		uint8_t p[256];
		memset(p, (int)(w->first + k), sizeof p);
		w->rows[k] = 1 + k % 3;
		LogBatchIn b = {p, sizeof p, w->rows[k], k, k};
		Err e;
		err_clear(&e);
		if (log_append(w->log, &b, 1, &w->offsets[k], &e) != 0)
			return (void *)1;
	}
	return NULL;
}

static void test_group_commit(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_ALWAYS;
	Log *l = open_log(dir, &o, NULL);
	enum { THREADS = 8, EACH = 40 };
	Writer w[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (Writer){.log = l, .first = (uint32_t)i * 100, .count = EACH};
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	uint64_t rows = 0;
	for (int i = 0; i < THREADS; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		assert_null(rc);
		for (int k = 0; k < EACH; k++)
			rows += w[i].rows[k];
	}
	LogStats st;
	log_stats(l, &st);
	assert_int_equal(st.appends, THREADS * EACH);
	/* Every append waited for an fdatasync, but they shared them. */
	assert_true(st.fsyncs >= 1);
	assert_true(st.fsyncs < st.appends);
	print_message("group commit: %llu appends, %llu fsyncs\n",
		      (unsigned long long)st.appends, (unsigned long long)st.fsyncs);
	assert_int_equal(log_next_offset(l), rows);
	close_log(l);

	/* Reopened: every acknowledged batch is there at its offset with its bytes. */
	l = open_log(dir, &o, NULL);
	Err e;
	err_clear(&e);
	uint8_t *seen = mem_calloc(1, rows);
	for (int i = 0; i < THREADS; i++) {
		for (int k = 0; k < EACH; k++) {
			LogRange r = {w[i].offsets[k], w[i].offsets[k] + 1, false, 0, 0};
			LogScan *s = log_scan_open(l, &r, &e);
			LogBatch b;
			assert_int_equal(log_scan_next(s, &b, &e), 1);
			assert_int_equal(b.base_offset, w[i].offsets[k]);
			assert_int_equal(b.rows, w[i].rows[k]);
			assert_int_equal(((const uint8_t *)b.payload)[0], (uint8_t)(w[i].first + k));
			for (uint32_t x = 0; x < b.rows; x++) {
				assert_int_equal(seen[b.base_offset + x], 0);
				seen[b.base_offset + x] = 1;
			}
			log_scan_close(s);
		}
	}
	for (uint64_t x = 0; x < rows; x++)
		assert_int_equal(seen[x], 1);
	mem_free(seen);
	close_log(l);
	remove_dir(dir);
}

static void test_interval_mode(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_INTERVAL;
	o.interval_ms = 5;
	Log *l = open_log(dir, &o, NULL);
	append_one(l, 0);
	LogStats st;
	for (int tries = 0; tries < 200; tries++) {
		log_stats(l, &st);
		if (st.fsyncs > 0)
			break;
		usleep(5000);
	}
	assert_true(st.fsyncs > 0); /* the flusher synced without being asked */
	append_one(l, 1);
	Err e;
	err_clear(&e);
	assert_int_equal(log_sync(l, &e), 0);
	close_log(l);
	l = open_log(dir, &o, NULL);
	assert_int_equal(check_scan(l, &ALL, 0, NULL), 2);
	close_log(l);
	remove_dir(dir);
}

static void reported(void *ctx, const char *msg)
{
	(*(int *)ctx)++;
}

static void test_lock_and_errors(void **state)
{
	char *dir = make_dir();
	LogOptions o;
	log_options_init(&o);
	o.durability = LOG_FSYNC_NEVER;
	int lines = 0;
	o.report = reported;
	o.report_ctx = &lines;
	Log *l = open_log(dir, &o, NULL);
	assert_int_equal(lines, 1);
	Err e;
	err_clear(&e);
	assert_null(log_open(dir, &o, NULL, &e));
	assert_int_equal(e.code, ERR_LOCK_NOT_AVAILABLE);
	char want[400];
	snprintf(want, sizeof want, "log directory \"%s\" is in use by process %ld", dir,
		 (long)getpid());
	assert_string_equal(e.msg, want);

	uint8_t p[4] = {0};
	LogBatchIn bad[] = {{p, 4, 0, 0, 0}, {p, 4, 1, 5, 4}, {p, SEG_MAX_PAYLOAD + 1u, 1, 0, 0}};
	const char *msgs[] = {"batch 1 of an append has no rows",
			      "batch 1 has min_time 5 after max_time 4",
			      "batch payload of 1073741825 bytes exceeds the maximum of 1073741824 bytes"};
	ErrCode codes[] = {ERR_INVALID_PARAMETER_VALUE, ERR_INVALID_PARAMETER_VALUE,
			   ERR_PROGRAM_LIMIT};
	for (int i = 0; i < 3; i++) {
		err_clear(&e);
		assert_int_equal(log_append(l, &bad[i], 1, NULL, &e), -1);
		assert_int_equal(e.code, codes[i]);
		assert_string_equal(e.msg, msgs[i]);
	}
	err_clear(&e);
	assert_int_equal(log_append(l, bad, 0, NULL, &e), -1);
	assert_string_equal(e.msg, "an append needs at least one batch");
	err_clear(&e);
	LogRange r = {5, 4, false, 0, 0};
	assert_null(log_scan_open(l, &r, &e));
	assert_string_equal(e.msg, "invalid log range");
	assert_int_equal(log_next_offset(l), 0);
	close_log(l);

	err_clear(&e);
	o.segment_bytes = 0;
	assert_null(log_open(dir, &o, NULL, &e));
	assert_int_equal(e.code, ERR_INVALID_PARAMETER_VALUE);
	log_options_init(&o);
	err_clear(&e);
	assert_null(log_open("/proc/no/such/dir", &o, NULL, &e));
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.msg,
			    "could not create directory \"/proc/no/such/dir\": No such file or directory");

	/* A tail segment torn while being created is removed. */
	char seg[300];
	snprintf(seg, sizeof seg, "%s/%020d.seg", dir, 7);
	write_file(seg, (const uint8_t *)"EDSG", 4);
	LogRecovery rec;
	l = open_log(dir, &o, &rec);
	assert_int_equal(rec.removed_files, 1);
	struct stat st;
	assert_int_equal(stat(seg, &st), -1);
	close_log(l);
	assert_int_equal(log_close(NULL, &e), 0);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_lz4),
		cmocka_unit_test(test_roundtrip_zstd),
		cmocka_unit_test(test_prune_by_time),
		cmocka_unit_test(test_rolls_and_atomic_appends),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_torn_write_every_byte),
		cmocka_unit_test(test_corruption_reported),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_interval_mode),
		cmocka_unit_test(test_lock_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
