/* segment.c: segment files of record batches, their sparse index and index files (segment.h).
 *
 * Layer: storage. Owns the byte formats below; never decides offsets or durability (log.c).
 * Every integer is little-endian; times are microseconds since 1970 (event times are whatever
 * the caller uses, compared as signed 64-bit integers). A log directory holds, per segment,
 * <base offset as 20 digits>.seg and optionally the same name with .idx.
 *
 * Segment file header (64 bytes, at position 0):
 *   off size field
 *     0    4 magic "EDSG"
 *     4    2 format version (1)
 *     6    2 header size (64)
 *     8    4 stream id
 *    12    4 partition
 *    16    8 base offset (offset of the first row the segment holds)
 *    24    8 creation time
 *    32   28 reserved, zero
 *    60    4 CRC32C of bytes 0..59
 *
 * Then batches, back to back, each a 64-byte header followed by its payload:
 *   off size field
 *     0    4 magic "EDBT"
 *     4    1 format version (1)
 *     5    1 codec of the payload: 0 none, 1 lz4 (block format), 2 zstd (frame)
 *     6    2 flags: bit 0 END = last batch of one append (all earlier bits reserved, zero)
 *     8    8 base offset: its rows have offsets base .. base + rows - 1
 *    16    4 row count (> 0)
 *    20    4 stored payload length (bytes that follow the header)
 *    24    4 raw payload length (after decompression; equals stored when codec is 0)
 *    28    4 reserved, zero
 *    32    8 min event time of the rows
 *    40    8 max event time of the rows
 *    48    8 append time (wall clock)
 *    56    4 reserved, zero
 *    60    4 CRC32C of the stored payload followed by header bytes 0..59
 * The CRC runs over the payload first so that the (expensive) payload checksum is computed
 * before the batch knows its offset, outside the log's lock; stamping the offset under the lock
 * only extends it over 60 header bytes.
 *
 * Index file (<base>.idx), a cache of the sparse index; rebuilt when missing or stale:
 *   off size field
 *     0    4 magic "EDIX"
 *     4    2 format version (1)
 *     6    2 entry size (32)
 *     8    8 segment bytes covered (the .seg size when written: stale when they differ)
 *    16    8 base offset
 *    24    8 next offset (after the segment's last row)
 *    32    8 append time of the last batch
 *    40    8 batch count
 *    48    4 entry count
 *    52    4 index interval in bytes
 *    56    4 CRC32C of the entries
 *    60    4 CRC32C of bytes 0..59
 *    64      entries, 32 bytes each: first offset (8), file position of the first batch (8),
 *            min event time (8) and max event time (8) of the batches up to the next entry
 * An entry starts at the first batch and at the first batch after the previous entry covered at
 * least index_interval bytes (default 64 KiB), so a time-range read skips whole entries without
 * touching the file and, inside an entry, reads the headers only of batches out of range.
 */
#include "storage/segment.h"

#include "base/mem.h"
#include "storage/crc32c.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

static const uint8_t FILE_MAGIC[4] = {'E', 'D', 'S', 'G'};
static const uint8_t BATCH_MAGIC[4] = {'E', 'D', 'B', 'T'};
static const uint8_t INDEX_MAGIC[4] = {'E', 'D', 'I', 'X'};

/* ---- little-endian fields */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* ---- files */

static int io_error(Err *e, const char *what, const char *path)
{
	return err_set(e, ERR_IO, "could not %s file \"%s\": %s", what, path, strerror(errno));
}

/* Reads exactly n bytes at pos; a short read (end of file) is ERR_DATA_CORRUPTED. */
static int pread_full(int fd, const char *path, void *buf, size_t n, uint64_t pos, Err *e)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)pos);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return io_error(e, "read", path);
		}
		if (r == 0)
			return err_set(e, ERR_DATA_CORRUPTED,
				       "unexpected end of file \"%s\" at byte %" PRIu64, path, pos);
		p += r;
		n -= (size_t)r;
		pos += (uint64_t)r;
	}
	return 0;
}

static int pwrite_full(int fd, const char *path, const void *buf, size_t n, uint64_t pos, Err *e)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)pos);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return io_error(e, "write to", path);
		}
		p += w;
		n -= (size_t)w;
		pos += (uint64_t)w;
	}
	return 0;
}

char *seg_path(const char *dir, uint64_t base_offset)
{
	size_t n = strlen(dir) + 32;
	char *p = mem_alloc(n);
	snprintf(p, n, "%s/%020" PRIu64 ".seg", dir, base_offset);
	return p;
}

/* The .idx path of a .seg path. */
static char *index_path(const char *seg)
{
	char *p = mem_strdup(seg);
	size_t n = strlen(p);
	if (n > 4 && strcmp(p + n - 4, ".seg") == 0)
		memcpy(p + n - 4, ".idx", 4);
	return p;
}

int seg_sync_dir(const char *dir, Err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return io_error(e, "open directory", dir);
	int rc = fsync(fd);
	close(fd);
	if (rc != 0)
		return io_error(e, "fsync directory", dir);
	return 0;
}

int seg_sync(Segment *s, Err *e)
{
	if (fdatasync(s->fd) != 0)
		return io_error(e, "fsync", s->path);
	return 0;
}

int seg_remove_files(const char *seg_path_, Err *e)
{
	char *idx = index_path(seg_path_);
	int rc = 0;
	if (unlink(seg_path_) != 0 && errno != ENOENT)
		rc = io_error(e, "remove", seg_path_);
	if (unlink(idx) != 0 && errno != ENOENT)
		rc = io_error(e, "remove", idx);
	mem_free(idx);
	return rc;
}

/* ---- the sparse index in memory */

static void index_reset(Segment *s)
{
	s->n_index = 0;
	s->entry_bytes = 0;
	s->next_offset = s->base_offset;
	s->last_append = s->created;
	s->batches = 0;
}

static void index_add(Segment *s, const SegBatchInfo *b)
{
	uint64_t bytes = SEG_BATCH_HDR_SIZE + (uint64_t)b->stored_len;
	if (s->n_index == 0 || s->entry_bytes >= s->index_interval) {
		if (s->n_index == s->cap_index) {
			s->cap_index = s->cap_index ? s->cap_index * 2 : 16;
			s->index = mem_realloc(s->index, s->cap_index * sizeof *s->index);
		}
		s->index[s->n_index++] = (SegIndexEntry){b->base_offset, b->pos, b->min_time,
							 b->max_time};
		s->entry_bytes = 0;
	} else {
		SegIndexEntry *x = &s->index[s->n_index - 1];
		if (b->min_time < x->min_time)
			x->min_time = b->min_time;
		if (b->max_time > x->max_time)
			x->max_time = b->max_time;
	}
	s->entry_bytes += bytes;
	s->next_offset = b->base_offset + b->rows;
	s->last_append = b->append_time;
	s->batches++;
}

size_t seg_index_find(const Segment *s, uint64_t offset)
{
	size_t lo = 0, hi = s->n_index; /* answer in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->index[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* ---- batches */

size_t seg_batch_bound(size_t raw_len)
{
	size_t b = raw_len;
	size_t l = (size_t)LZ4_compressBound((int)raw_len);
	size_t z = ZSTD_compressBound(raw_len);
	if (l > b)
		b = l;
	if (z > b)
		b = z;
	return SEG_BATCH_HDR_SIZE + b;
}

size_t seg_batch_encode(void *dst, SegCodec codec, int level, const void *payload, size_t len,
			uint32_t rows, int64_t min_time, int64_t max_time, uint16_t flags)
{
	uint8_t *h = dst, *body = h + SEG_BATCH_HDR_SIZE;
	size_t stored = 0;
	if (codec == SEG_CODEC_LZ4 && len > 0) {
		int n = LZ4_compress_default(payload, (char *)body, (int)len,
					     LZ4_compressBound((int)len));
		stored = n > 0 ? (size_t)n : 0;
	} else if (codec == SEG_CODEC_ZSTD && len > 0) {
		size_t n = ZSTD_compress(body, ZSTD_compressBound(len), payload, len,
					 level > 0 ? level : 3);
		stored = ZSTD_isError(n) ? 0 : n;
	}
	/* Data that does not shrink is stored as is: reading it back costs nothing. */
	if (stored == 0 || stored >= len) {
		codec = SEG_CODEC_NONE;
		stored = len;
		if (len > 0)
			memcpy(body, payload, len);
	}
	memset(h, 0, SEG_BATCH_HDR_SIZE);
	memcpy(h, BATCH_MAGIC, 4);
	h[4] = SEG_FORMAT_VERSION;
	h[5] = (uint8_t)codec;
	put16(h + 6, flags);
	put32(h + 16, rows);
	put32(h + 20, (uint32_t)stored);
	put32(h + 24, (uint32_t)len);
	put64(h + 32, (uint64_t)min_time);
	put64(h + 40, (uint64_t)max_time);
	/* The payload's checksum waits in the CRC field until seg_batch_stamp completes it. */
	put32(h + 60, crc32c(0, body, stored));
	return SEG_BATCH_HDR_SIZE + stored;
}

void seg_batch_stamp(void *batch, uint64_t base_offset, int64_t append_time)
{
	uint8_t *h = batch;
	put64(h + 8, base_offset);
	put64(h + 48, (uint64_t)append_time);
	put32(h + 60, crc32c(get32(h + 60), h, 60));
}

static int corrupt(Err *e, const char *path, uint64_t pos, const char *why)
{
	return err_set(e, ERR_DATA_CORRUPTED, "invalid batch in file \"%s\" at byte %" PRIu64 ": %s",
		       path, pos, why);
}

int seg_batch_parse(const uint8_t *h, const char *path, uint64_t pos, SegBatchInfo *b, Err *e)
{
	if (memcmp(h, BATCH_MAGIC, 4) != 0)
		return corrupt(e, path, pos, "bad magic number");
	if (h[4] != SEG_FORMAT_VERSION)
		return corrupt(e, path, pos, "unsupported format version");
	b->pos = pos;
	b->codec = h[5];
	b->flags = get16(h + 6);
	b->base_offset = get64(h + 8);
	b->rows = get32(h + 16);
	b->stored_len = get32(h + 20);
	b->raw_len = get32(h + 24);
	b->min_time = (int64_t)get64(h + 32);
	b->max_time = (int64_t)get64(h + 40);
	b->append_time = (int64_t)get64(h + 48);
	b->crc = get32(h + 60);
	if (b->codec > SEG_CODEC_ZSTD)
		return corrupt(e, path, pos, "unknown codec");
	if (b->rows == 0 || b->raw_len > SEG_MAX_PAYLOAD ||
	    b->stored_len > seg_batch_bound(SEG_MAX_PAYLOAD) ||
	    (b->codec == SEG_CODEC_NONE && b->stored_len != b->raw_len))
		return corrupt(e, path, pos, "impossible lengths");
	return 0;
}

int seg_read_header(int fd, const char *path, uint64_t pos, SegBatchInfo *b, Err *e)
{
	uint8_t h[SEG_BATCH_HDR_SIZE];
	if (pread_full(fd, path, h, sizeof h, pos, e) != 0)
		return -1;
	return seg_batch_parse(h, path, pos, b, e);
}

static void grow(uint8_t **buf, size_t *cap, size_t n)
{
	if (*cap < n) {
		*cap = n + n / 4;
		mem_free(*buf);
		*buf = mem_alloc(*cap);
	}
}

/* CRC of a batch from its stored payload and header. */
static uint32_t batch_crc(const SegBatchInfo *b, const uint8_t *payload)
{
	uint8_t h[SEG_BATCH_HDR_SIZE];
	memset(h, 0, sizeof h);
	memcpy(h, BATCH_MAGIC, 4);
	h[4] = SEG_FORMAT_VERSION;
	h[5] = b->codec;
	put16(h + 6, b->flags);
	put64(h + 8, b->base_offset);
	put32(h + 16, b->rows);
	put32(h + 20, b->stored_len);
	put32(h + 24, b->raw_len);
	put64(h + 32, (uint64_t)b->min_time);
	put64(h + 40, (uint64_t)b->max_time);
	put64(h + 48, (uint64_t)b->append_time);
	return crc32c(crc32c(0, payload, b->stored_len), h, 60);
}

int seg_read_payload(int fd, const char *path, const SegBatchInfo *b, uint8_t **buf, size_t *cap,
		     uint8_t **scratch, size_t *scratch_cap, Err *e)
{
	bool plain = b->codec == SEG_CODEC_NONE;
	uint8_t **in = plain ? buf : scratch;
	grow(in, plain ? cap : scratch_cap, b->stored_len ? b->stored_len : 1);
	if (pread_full(fd, path, *in, b->stored_len, b->pos + SEG_BATCH_HDR_SIZE, e) != 0)
		return -1;
	/* Reserved header bytes are zero in every valid batch, so rebuilding the header from the
	 * parsed fields checks them too. */
	if (batch_crc(b, *in) != b->crc)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "checksum mismatch in file \"%s\" at byte %" PRIu64
			       " (batch at offset %" PRIu64 ")",
			       path, b->pos, b->base_offset);
	if (plain)
		return 0;
	grow(buf, cap, b->raw_len ? b->raw_len : 1);
	size_t got;
	if (b->codec == SEG_CODEC_LZ4) {
		int n = LZ4_decompress_safe((const char *)*in, (char *)*buf, (int)b->stored_len,
					    (int)b->raw_len);
		got = n < 0 ? (size_t)-1 : (size_t)n;
	} else {
		got = ZSTD_decompress(*buf, b->raw_len, *in, b->stored_len);
		if (ZSTD_isError(got))
			got = (size_t)-1;
	}
	if (got != b->raw_len)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "could not decompress batch in file \"%s\" at byte %" PRIu64, path,
			       b->pos);
	return 0;
}

/* ---- segment files */

static Segment *seg_new(const char *path, int fd, uint32_t index_interval)
{
	Segment *s = mem_calloc(1, sizeof *s);
	s->path = mem_strdup(path);
	s->fd = fd;
	s->index_interval = index_interval ? index_interval : 64 * 1024;
	return s;
}

void seg_close(Segment *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	mem_free(s->index);
	mem_free(s->path);
	mem_free(s);
}

Segment *seg_create(const char *dir, uint32_t stream_id, uint32_t partition, uint64_t base_offset,
		    int64_t now, uint32_t index_interval, bool sync, Err *e)
{
	char *path = seg_path(dir, base_offset);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		io_error(e, "create", path);
		mem_free(path);
		return NULL;
	}
	Segment *s = seg_new(path, fd, index_interval);
	mem_free(path);
	s->stream_id = stream_id;
	s->partition = partition;
	s->base_offset = base_offset;
	s->created = now;
	index_reset(s);
	uint8_t h[SEG_FILE_HDR_SIZE];
	memset(h, 0, sizeof h);
	memcpy(h, FILE_MAGIC, 4);
	put16(h + 4, SEG_FORMAT_VERSION);
	put16(h + 6, SEG_FILE_HDR_SIZE);
	put32(h + 8, stream_id);
	put32(h + 12, partition);
	put64(h + 16, base_offset);
	put64(h + 24, (uint64_t)now);
	put32(h + 60, crc32c(0, h, 60));
	if (pwrite_full(fd, s->path, h, sizeof h, 0, e) != 0 ||
	    (sync && (seg_sync(s, e) != 0 || seg_sync_dir(dir, e) != 0))) {
		unlink(s->path);
		seg_close(s);
		return NULL;
	}
	s->size = SEG_FILE_HDR_SIZE;
	return s;
}

static int parse_file_header(Segment *s, const uint8_t *h, Err *e)
{
	if (memcmp(h, FILE_MAGIC, 4) != 0 || get32(h + 60) != crc32c(0, h, 60))
		return err_set(e, ERR_DATA_CORRUPTED, "invalid segment header in file \"%s\"",
			       s->path);
	if (get16(h + 4) != SEG_FORMAT_VERSION || get16(h + 6) != SEG_FILE_HDR_SIZE)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "unsupported segment format version %u in file \"%s\"", get16(h + 4),
			       s->path);
	s->stream_id = get32(h + 8);
	s->partition = get32(h + 12);
	s->base_offset = get64(h + 16);
	s->created = (int64_t)get64(h + 24);
	return 0;
}

/* Loads the index file when it exists and matches the segment's data; 1 when loaded. */
static int load_index(Segment *s, uint64_t file_size)
{
	char *ip = index_path(s->path);
	int fd = open(ip, O_RDONLY | O_CLOEXEC);
	mem_free(ip);
	if (fd < 0)
		return 0;
	uint8_t h[SEG_INDEX_HDR_SIZE];
	int ok = 0;
	uint8_t *ents = NULL;
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
		goto out;
	if (memcmp(h, INDEX_MAGIC, 4) != 0 || get32(h + 60) != crc32c(0, h, 60) ||
	    get16(h + 4) != SEG_FORMAT_VERSION || get16(h + 6) != SEG_INDEX_ENTRY_SIZE ||
	    get64(h + 8) != file_size || get64(h + 16) != s->base_offset)
		goto out;
	uint32_t n = get32(h + 48);
	if (n == 0 || (uint64_t)n * SEG_INDEX_ENTRY_SIZE > file_size)
		goto out;
	size_t bytes = (size_t)n * SEG_INDEX_ENTRY_SIZE;
	ents = mem_alloc(bytes);
	if (pread(fd, ents, bytes, SEG_INDEX_HDR_SIZE) != (ssize_t)bytes ||
	    crc32c(0, ents, bytes) != get32(h + 56))
		goto out;
	s->index = mem_realloc(s->index, n * sizeof *s->index);
	s->n_index = s->cap_index = n;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = ents + (size_t)i * SEG_INDEX_ENTRY_SIZE;
		s->index[i] = (SegIndexEntry){get64(p), get64(p + 8), (int64_t)get64(p + 16),
					      (int64_t)get64(p + 24)};
	}
	s->next_offset = get64(h + 24);
	s->last_append = (int64_t)get64(h + 32);
	s->batches = get64(h + 40);
	s->entry_bytes = file_size - s->index[n - 1].pos;
	s->size = file_size;
	s->index_synced = true;
	ok = 1;
out:
	mem_free(ents);
	close(fd);
	return ok;
}

int seg_write_index(Segment *s, bool sync, Err *e)
{
	if (s->n_index == 0)
		return 0; /* an empty segment needs no index */
	size_t bytes = s->n_index * SEG_INDEX_ENTRY_SIZE;
	uint8_t *buf = mem_alloc(SEG_INDEX_HDR_SIZE + bytes);
	uint8_t *h = buf, *p = buf + SEG_INDEX_HDR_SIZE;
	for (size_t i = 0; i < s->n_index; i++, p += SEG_INDEX_ENTRY_SIZE) {
		put64(p, s->index[i].offset);
		put64(p + 8, s->index[i].pos);
		put64(p + 16, (uint64_t)s->index[i].min_time);
		put64(p + 24, (uint64_t)s->index[i].max_time);
	}
	memset(h, 0, SEG_INDEX_HDR_SIZE);
	memcpy(h, INDEX_MAGIC, 4);
	put16(h + 4, SEG_FORMAT_VERSION);
	put16(h + 6, SEG_INDEX_ENTRY_SIZE);
	put64(h + 8, s->size);
	put64(h + 16, s->base_offset);
	put64(h + 24, s->next_offset);
	put64(h + 32, (uint64_t)s->last_append);
	put64(h + 40, s->batches);
	put32(h + 48, (uint32_t)s->n_index);
	put32(h + 52, s->index_interval);
	put32(h + 56, crc32c(0, buf + SEG_INDEX_HDR_SIZE, bytes));
	put32(h + 60, crc32c(0, h, 60));

	char *ip = index_path(s->path);
	size_t tn = strlen(ip) + 8;
	char *tmp = mem_alloc(tn);
	snprintf(tmp, tn, "%s.tmp", ip);
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		io_error(e, "create", tmp);
		goto out;
	}
	if (pwrite_full(fd, tmp, buf, SEG_INDEX_HDR_SIZE + bytes, 0, e) != 0 ||
	    (sync && fdatasync(fd) != 0 && io_error(e, "fsync", tmp))) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, ip) != 0) {
		io_error(e, "rename", tmp);
		unlink(tmp);
		goto out;
	}
	s->index_synced = true;
	rc = 0;
out:
	mem_free(tmp);
	mem_free(ip);
	mem_free(buf);
	return rc;
}

/* Batches read while scanning the tail that belong to an append not yet seen whole. */
typedef struct Pending {
	SegBatchInfo *v;
	size_t n, cap;
} Pending;

static void pending_push(Pending *p, const SegBatchInfo *b)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = mem_realloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = *b;
}

/* Whether a whole, valid-looking batch header starts at pos (used to tell a damaged batch in
 * the middle of the tail segment, which is kept and reported, from a torn end, which is cut). */
static bool batch_follows(const Segment *s, uint64_t pos, uint64_t file_size)
{
	SegBatchInfo b;
	if (file_size - pos < SEG_BATCH_HDR_SIZE ||
	    seg_read_header(s->fd, s->path, pos, &b, NULL) != 0)
		return false;
	return pos + SEG_BATCH_HDR_SIZE + b.stored_len <= file_size;
}

/* Walks the batches from the file header to file_size, indexing them. With verify (the tail
 * segment), checks every CRC and stops at the first torn batch; only whole appends are kept and
 * the rest of the file is cut. Without it (a sealed segment), reads headers only and any break
 * in the chain is ERR_DATA_CORRUPTED. */
static int scan(Segment *s, uint64_t file_size, bool verify, SegRecovery *rec, Err *e)
{
	uint8_t *buf = NULL, *scratch = NULL;
	size_t cap = 0, scap = 0;
	Pending pend = {0};
	uint64_t pos = SEG_FILE_HDR_SIZE, good = SEG_FILE_HDR_SIZE;
	int rc = 0;
	index_reset(s);
	while (pos < file_size) {
		SegBatchInfo b;
		Err be;
		err_clear(&be);
		const char *why = NULL;
		uint64_t expect = pend.n ? pend.v[pend.n - 1].base_offset + pend.v[pend.n - 1].rows
					 : s->next_offset;
		if (file_size - pos < SEG_BATCH_HDR_SIZE)
			why = "incomplete batch header";
		else if (seg_read_header(s->fd, s->path, pos, &b, &be) != 0)
			why = be.msg;
		else if (pos + SEG_BATCH_HDR_SIZE + b.stored_len > file_size)
			why = "incomplete payload";
		else if (b.base_offset != expect)
			why = "offset out of sequence";
		if (!why && verify) {
			err_clear(&be);
			if (seg_read_payload(s->fd, s->path, &b, &buf, &cap, &scratch, &scap, &be) !=
			    0) {
				uint64_t end = pos + SEG_BATCH_HDR_SIZE + b.stored_len;
				if (be.code != ERR_DATA_CORRUPTED) {
					rc = err_set(e, be.code, "%s", be.msg);
					goto out;
				}
				if (end < file_size && batch_follows(s, end, file_size))
					rec->corrupt_batches++; /* damaged in place: reads report it */
				else
					why = be.msg;
			}
			if (!why)
				rec->batches_verified++;
		}
		if (why) {
			if (!verify) {
				rc = err_set(e, ERR_DATA_CORRUPTED,
					     "segment file \"%s\" is damaged at byte %" PRIu64 ": %s",
					     s->path, pos, why);
				goto out;
			}
			break;
		}
		pending_push(&pend, &b);
		pos += SEG_BATCH_HDR_SIZE + b.stored_len;
		if ((b.flags & SEG_FLAG_END) || !verify) {
			for (size_t i = 0; i < pend.n; i++)
				index_add(s, &pend.v[i]);
			pend.n = 0;
			good = pos;
		}
	}
	if (good < file_size) {
		rec->truncated_bytes += file_size - good;
		rec->truncated_batches += (uint32_t)pend.n;
		if (ftruncate(s->fd, (off_t)good) != 0 || fdatasync(s->fd) != 0) {
			rc = io_error(e, "truncate", s->path);
			goto out;
		}
	}
	s->size = good;
out:
	mem_free(pend.v);
	mem_free(buf);
	mem_free(scratch);
	return rc;
}

Segment *seg_open(const char *path, uint32_t index_interval, bool tail, SegRecovery *rec,
		  bool *empty_torn, Err *e)
{
	*empty_torn = false;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		io_error(e, "open", path);
		return NULL;
	}
	Segment *s = seg_new(path, fd, index_interval);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		io_error(e, "stat", path);
		goto fail;
	}
	uint64_t size = (uint64_t)st.st_size;
	uint8_t h[SEG_FILE_HDR_SIZE];
	if (size < SEG_FILE_HDR_SIZE) {
		/* Only a crash while creating the tail segment leaves this. */
		*empty_torn = tail;
		if (!tail)
			err_set(e, ERR_DATA_CORRUPTED, "segment file \"%s\" is too short", path);
		goto fail;
	}
	if (pread_full(fd, path, h, sizeof h, 0, e) != 0 || parse_file_header(s, h, e) != 0)
		goto fail;
	index_reset(s);
	if (load_index(s, size))
		return s;
	rec->indexes_rebuilt++;
	if (scan(s, size, tail, rec, e) != 0)
		goto fail;
	/* A rebuilt index is written back for sealed segments; the tail's is written at seal. */
	if (!tail && seg_write_index(s, false, e) != 0)
		goto fail;
	return s;
fail:
	seg_close(s);
	return NULL;
}

int seg_write(Segment *s, const void *buf, size_t n, Err *e)
{
	if (pwrite_full(s->fd, s->path, buf, n, s->size, e) != 0) {
		/* Undo a partial write so the file still ends on a whole batch. */
		if (ftruncate(s->fd, (off_t)s->size) != 0)
			err_hint(e, "the file could not be truncated back either");
		return -1;
	}
	const uint8_t *p = buf;
	uint64_t pos = s->size;
	while (p < (const uint8_t *)buf + n) {
		SegBatchInfo b;
		/* Our own encoder wrote these bytes a moment ago. */
		if (seg_batch_parse(p, s->path, pos, &b, NULL) != 0)
			return err_set(e, ERR_INTERNAL, "seg_write: buffer is not whole batches");
		index_add(s, &b);
		p += SEG_BATCH_HDR_SIZE + b.stored_len;
		pos += SEG_BATCH_HDR_SIZE + b.stored_len;
	}
	s->size = pos;
	s->index_synced = false;
	return 0;
}
