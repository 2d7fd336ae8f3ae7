/* test_segment.c: CRC32C (known vectors, hardware against table), batch encoding with every
 * codec, segment files written, reopened from their index file or rebuilt without it, and damage
 * reported as data corruption (storage/crc32c.h, storage/segment.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmp_dir.h"

#include "base/mem.h"
#include "storage/crc32c.h"
#include "storage/segment.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes per sparse index entry: small, so that a few kilobytes of batches make many entries. */
#define IVL 256

static void test_crc_vectors(void **state)
{
	assert_int_equal(crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(crc32c_sw(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(crc32c(0, "", 0), 0);
	uint8_t zeros[32] = {0}, ones[32];
	memset(ones, 0xff, sizeof ones);
	/* RFC 3720 (iSCSI) B.4 test vectors. */
	assert_int_equal(crc32c(0, zeros, 32), 0x8A9136AAu);
	assert_int_equal(crc32c(0, ones, 32), 0x62A8AB43u);
	uint8_t inc[32];
	for (int i = 0; i < 32; i++)
		inc[i] = (uint8_t)i;
	assert_int_equal(crc32c_sw(0, inc, 32), 0x46DD794Eu);
	/* Extending equals checksumming the concatenation; both implementations agree at every
	 * length and alignment. */
	uint8_t buf[300];
	for (int i = 0; i < 300; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n < 200; n++) {
		uint32_t whole = crc32c_sw(0, buf + 1, n);
		assert_int_equal(crc32c(0, buf + 1, n), whole);
		assert_int_equal(crc32c(crc32c(0, buf + 1, n / 3), buf + 1 + n / 3, n - n / 3),
				 whole);
	}
	assert_true(crc32c_hw_enabled() == 0 || crc32c_hw_enabled() == 1);
}

/* A compressible payload: repeated small integers, like a columnar chunk of ids. */
static void fill_payload(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i / 16 + seed) % 7);
}

static void roundtrip_codec(SegCodec codec, bool expect_compressed)
{
	uint8_t payload[4096];
	fill_payload(payload, sizeof payload, 1);
	uint8_t *enc = mem_alloc(seg_batch_bound(sizeof payload));
	size_t n = seg_batch_encode(enc, codec, 3, payload, sizeof payload, 10, -5, 99,
				    SEG_FLAG_END);
	seg_batch_stamp(enc, 1234, 777);
	SegBatchInfo b;
	Err e;
	err_clear(&e);
	assert_int_equal(seg_batch_parse(enc, "x", 64, &b, &e), 0);
	assert_int_equal(b.base_offset, 1234);
	assert_int_equal(b.rows, 10);
	assert_int_equal(b.min_time, -5);
	assert_int_equal(b.max_time, 99);
	assert_int_equal(b.append_time, 777);
	assert_int_equal(b.flags, SEG_FLAG_END);
	assert_int_equal(b.raw_len, sizeof payload);
	assert_int_equal(b.codec, expect_compressed ? codec : SEG_CODEC_NONE);
	assert_int_equal(n, SEG_BATCH_HDR_SIZE + b.stored_len);
	if (expect_compressed)
		assert_true(b.stored_len < sizeof payload / 4);

	/* Read it back through a file. */
	char *dir = make_dir();
	char path[300];
	snprintf(path, sizeof path, "%s/b", dir);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, enc, n, 64), (ssize_t)n);
	b.pos = 64;
	uint8_t *buf = NULL, *scratch = NULL;
	size_t cap = 0, scap = 0;
	assert_int_equal(seg_read_payload(fd, path, &b, &buf, &cap, &scratch, &scap, &e), 0);
	assert_memory_equal(buf, payload, sizeof payload);
	/* One flipped payload bit is a checksum mismatch, never data. */
	uint8_t byte;
	assert_int_equal(pread(fd, &byte, 1, 64 + SEG_BATCH_HDR_SIZE + 3), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, 64 + SEG_BATCH_HDR_SIZE + 3), 1);
	assert_int_equal(seg_read_payload(fd, path, &b, &buf, &cap, &scratch, &scap, &e), -1);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	assert_string_equal(err_sqlstate(e.code), "XX001");
	assert_non_null(strstr(e.msg, "checksum mismatch in file"));
	assert_non_null(strstr(e.msg, "(batch at offset 1234)"));
	close(fd);
	mem_free(buf);
	mem_free(scratch);
	mem_free(enc);
	remove_dir(dir);
}

static void test_codecs(void **state)
{
	roundtrip_codec(SEG_CODEC_LZ4, true);
	roundtrip_codec(SEG_CODEC_ZSTD, true);
	roundtrip_codec(SEG_CODEC_NONE, false);
}

static void test_incompressible_stored_plain(void **state)
{
	uint8_t payload[256];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof payload; i++) {
		x = x * 1103515245u + 12345u;
		payload[i] = (uint8_t)(x >> 16);
	}
	uint8_t *enc = mem_alloc(seg_batch_bound(sizeof payload));
	seg_batch_encode(enc, SEG_CODEC_LZ4, 0, payload, sizeof payload, 1, 0, 0, 0);
	SegBatchInfo b;
	assert_int_equal(seg_batch_parse(enc, "x", 0, &b, NULL), 0);
	assert_int_equal(b.codec, SEG_CODEC_NONE);
	assert_int_equal(b.stored_len, sizeof payload);
	mem_free(enc);
}

static void test_parse_errors(void **state)
{
	uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	uint8_t enc[SEG_BATCH_HDR_SIZE + 64];
	seg_batch_encode(enc, SEG_CODEC_NONE, 0, payload, 8, 1, 0, 0, 0);
	SegBatchInfo b;
	Err e;
	struct {
		int at;
		uint8_t val;
		const char *msg;
	} cases[] = {
		{0, 'X', "invalid batch in file \"f\" at byte 64: bad magic number"},
		{4, 9, "invalid batch in file \"f\" at byte 64: unsupported format version"},
		{5, 7, "invalid batch in file \"f\" at byte 64: unknown codec"},
		{16, 0, "invalid batch in file \"f\" at byte 64: impossible lengths"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t h[SEG_BATCH_HDR_SIZE];
		memcpy(h, enc, sizeof h);
		h[cases[i].at] = cases[i].val;
		if (cases[i].at == 16)
			memset(h + 16, 0, 4);
		err_clear(&e);
		assert_int_equal(seg_batch_parse(h, "f", 64, &b, &e), -1);
		assert_int_equal(e.code, ERR_DATA_CORRUPTED);
		assert_string_equal(e.msg, cases[i].msg);
	}
}

/* Writes batches of `rows` rows each into a new segment, one append per batch. */
static void write_batches(Segment *s, int count, uint32_t rows, size_t len)
{
	uint8_t *payload = mem_alloc(len);
	uint8_t *enc = mem_alloc(seg_batch_bound(len));
	Err e;
	err_clear(&e);
	for (int i = 0; i < count; i++) {
		fill_payload(payload, len, (uint32_t)i);
		size_t n = seg_batch_encode(enc, SEG_CODEC_LZ4, 0, payload, len, rows, i * 10,
					    i * 10 + 9, SEG_FLAG_END);
		seg_batch_stamp(enc, s->next_offset, 1000 + i);
		assert_int_equal(seg_write(s, enc, n, &e), 0);
	}
	mem_free(enc);
	mem_free(payload);
}

static void test_segment_files(void **state)
{
	char *dir = make_dir();
	Err e;
	err_clear(&e);
	Segment *s = seg_create(dir, 7, 2, 500, 42, IVL, true, &e);
	assert_non_null(s);
	write_batches(s, 50, 4, 3000); /* ~100 bytes each compressed */
	assert_int_equal(s->next_offset, 700);
	assert_int_equal(s->batches, 50);
	assert_true(s->n_index > 10 && s->n_index < 50);
	assert_int_equal(s->index[0].offset, 500);
	assert_int_equal(s->index[0].pos, SEG_FILE_HDR_SIZE);
	assert_int_equal(s->index[seg_index_find(s, 500)].offset, 500);
	size_t k = seg_index_find(s, 650);
	assert_true(s->index[k].offset <= 650);
	assert_true(k + 1 == s->n_index || s->index[k + 1].offset > 650);
	SegIndexEntry saved[64];
	size_t nsaved = s->n_index;
	memcpy(saved, s->index, nsaved * sizeof *saved);
	uint64_t size = s->size;
	assert_int_equal(seg_write_index(s, true, &e), 0);
	char *path = mem_strdup(s->path);
	seg_close(s);

	/* Reopened from its index file: nothing rebuilt, the same index. */
	SegRecovery rec = {0};
	bool torn;
	s = seg_open(path, IVL, false, &rec, &torn, &e);
	assert_non_null(s);
	assert_int_equal(rec.indexes_rebuilt, 0);
	assert_int_equal(s->stream_id, 7);
	assert_int_equal(s->partition, 2);
	assert_int_equal(s->base_offset, 500);
	assert_int_equal(s->created, 42);
	assert_int_equal(s->size, size);
	assert_int_equal(s->next_offset, 700);
	assert_int_equal(s->last_append, 1049);
	assert_int_equal(s->n_index, nsaved);
	assert_memory_equal(s->index, saved, nsaved * sizeof *saved);
	seg_close(s);

	/* A stale index file (another size) is rebuilt from the batch headers: same result. */
	char idx[300];
	snprintf(idx, sizeof idx, "%s/%020d.idx", dir, 500);
	int fd = open(idx, O_RDWR);
	assert_true(fd >= 0);
	uint8_t junk = 1;
	assert_int_equal(pwrite(fd, &junk, 1, 8), 1);
	close(fd);
	s = seg_open(path, IVL, false, &rec, &torn, &e);
	assert_non_null(s);
	assert_int_equal(rec.indexes_rebuilt, 1);
	assert_int_equal(s->n_index, nsaved);
	assert_memory_equal(s->index, saved, nsaved * sizeof *saved);
	seg_close(s);

	/* Missing: rebuilt too, and written back. */
	assert_int_equal(unlink(idx), 0);
	s = seg_open(path, IVL, false, &rec, &torn, &e);
	assert_non_null(s);
	assert_int_equal(rec.indexes_rebuilt, 2);
	seg_close(s);
	struct stat st;
	assert_int_equal(stat(idx, &st), 0);

	/* A sealed segment cut in the middle of a batch is damaged, not silently shortened. */
	assert_int_equal(unlink(idx), 0);
	assert_int_equal(truncate(path, (off_t)size - 10), 0);
	err_clear(&e);
	s = seg_open(path, IVL, false, &rec, &torn, &e);
	assert_null(s);
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	assert_non_null(strstr(e.msg, "is damaged at byte"));
	assert_non_null(strstr(e.msg, "incomplete payload"));

	/* A bad file header. */
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, "XXXX", 4, 0), 4);
	close(fd);
	err_clear(&e);
	assert_null(seg_open(path, IVL, true, &rec, &torn, &e));
	assert_int_equal(e.code, ERR_DATA_CORRUPTED);
	char want[400];
	snprintf(want, sizeof want, "invalid segment header in file \"%s\"", path);
	assert_string_equal(e.msg, want);

	/* Too short for a header: the tail case is reported to the caller, not an error. */
	assert_int_equal(truncate(path, 10), 0);
	err_clear(&e);
	assert_null(seg_open(path, IVL, true, &rec, &torn, &e));
	assert_true(torn);
	assert_int_equal(e.code, ERR_OK);

	/* Creating over an existing file and opening a missing one are I/O errors. */
	err_clear(&e);
	assert_null(seg_create(dir, 7, 2, 500, 42, IVL, false, &e));
	assert_int_equal(e.code, ERR_IO);
	snprintf(want, sizeof want, "could not create file \"%s\": File exists", path);
	assert_string_equal(e.msg, want);
	assert_int_equal(seg_remove_files(path, &e), 0);
	err_clear(&e);
	assert_null(seg_open(path, IVL, true, &rec, &torn, &e));
	snprintf(want, sizeof want, "could not open file \"%s\": No such file or directory", path);
	assert_string_equal(e.msg, want);
	assert_string_equal(err_sqlstate(e.code), "58030");
	mem_free(path);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_incompressible_stored_plain),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_segment_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
