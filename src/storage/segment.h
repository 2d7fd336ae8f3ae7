/* segment.h: one append-only segment file of a stream log, and the record batches inside it.
 *
 * Layer: storage (base only; knows nothing of SQL, of columns or of rows beyond their count). A
 * segment owns its file descriptor, its in-memory sparse index and its index file; it never
 * decides offsets, durability or when to roll (log.c does). The byte layout of the segment file,
 * of a batch and of the index file is drawn at the top of segment.c and in docs/storage.md.
 *
 * Batches are encoded outside any lock (seg_batch_encode: compression and the payload checksum),
 * then stamped with their offset and append time under the log's lock (seg_batch_stamp, which
 * completes the CRC over the header) and written in one system call (seg_write).
 */
#ifndef EDDY_STORAGE_SEGMENT_H
#define EDDY_STORAGE_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SEG_FILE_HDR_SIZE 64
#define SEG_BATCH_HDR_SIZE 64
#define SEG_INDEX_HDR_SIZE 64
#define SEG_INDEX_ENTRY_SIZE 32
#define SEG_FORMAT_VERSION 1
/* Largest raw payload of one batch: lengths are stored in 32 bits, and a batch is read whole. */
#define SEG_MAX_PAYLOAD (1u << 30)

typedef enum SegCodec {
	SEG_CODEC_NONE = 0,
	SEG_CODEC_LZ4 = 1,
	SEG_CODEC_ZSTD = 2,
} SegCodec;

/* Batch flags. SEG_FLAG_END marks the last batch of one append: recovery keeps only whole
 * appends, so batches after the last SEG_FLAG_END of a segment are an interrupted append. */
#define SEG_FLAG_END 0x0001u

/* A batch header, decoded. */
typedef struct SegBatchInfo {
	uint64_t pos;         /* file position of the batch header */
	uint64_t base_offset; /* offset of its first row; its rows use [base_offset, +rows) */
	uint32_t rows;
	uint32_t stored_len;  /* payload bytes on disk (compressed) */
	uint32_t raw_len;     /* payload bytes after decompression */
	uint16_t flags;
	uint8_t codec;
	int64_t min_time;     /* event time bounds of the rows, as the caller gave them */
	int64_t max_time;
	int64_t append_time;  /* wall clock (microseconds since 1970) of the append */
	uint32_t crc;
} SegBatchInfo;

/* One sparse index entry: the batches from pos up to the next entry (or the end of the file),
 * their first offset and the union of their event time ranges. */
typedef struct SegIndexEntry {
	uint64_t offset;
	uint64_t pos;
	int64_t min_time;
	int64_t max_time;
} SegIndexEntry;

typedef struct Segment {
	char *path;            /* owned: DIR/<base offset, 20 digits>.seg */
	int fd;                /* read/write */
	uint32_t stream_id;
	uint32_t partition;
	uint64_t base_offset;
	int64_t created;       /* microseconds since 1970, from the file header */
	uint64_t size;         /* bytes of valid data: header plus whole batches */
	uint64_t next_offset;  /* offset after its last row */
	int64_t last_append;   /* append time of its last batch (created when empty) */
	uint64_t batches;
	SegIndexEntry *index;  /* owned, sorted by offset and position */
	size_t n_index, cap_index;
	uint32_t index_interval; /* bytes of batches an index entry covers before a new one starts */
	uint64_t entry_bytes;  /* bytes covered by the newest entry so far */
	bool index_synced;     /* the .idx file matches the segment */
} Segment;

/* What opening a segment found and repaired (added to the caller's counters). */
typedef struct SegRecovery {
	uint32_t indexes_rebuilt;   /* index file missing, damaged or stale: rebuilt from the data */
	uint64_t batches_verified;  /* batches whose CRC was checked while opening */
	uint64_t truncated_bytes;   /* bytes cut from a torn tail */
	uint32_t truncated_batches; /* whole batches cut because their append was incomplete */
	uint32_t corrupt_batches;   /* whole batches with a bad CRC kept in place (reads report them) */
} SegRecovery;

/* Creates DIR/<base>.seg with its file header (fsynced, with the directory, when sync). */
Segment *seg_create(const char *dir, uint32_t stream_id, uint32_t partition, uint64_t base_offset,
		    int64_t now, uint32_t index_interval, bool sync, Err *e);

/* Opens an existing segment. A sealed segment (tail=false) trusts its index file when it matches
 * the data, else rebuilds the index from the batch headers; a damaged batch chain in a sealed
 * segment is ERR_DATA_CORRUPTED. The tail segment (tail=true) is verified by CRC from its start
 * unless its index file matches exactly (a clean close): a torn last batch and an incomplete
 * append are truncated, counted in rec. Returns NULL with e set on error; sets *empty_torn when
 * the file is too short to hold its header (the caller removes such a file). */
Segment *seg_open(const char *path, uint32_t index_interval, bool tail, SegRecovery *rec,
		  bool *empty_torn, Err *e);

/* Closes the file and frees the segment (the files stay). */
void seg_close(Segment *s);

/* Bytes seg_batch_encode may write for a payload of raw_len bytes. */
size_t seg_batch_bound(size_t raw_len);

/* Encodes a batch at dst (header and compressed payload; falls back to SEG_CODEC_NONE when
 * compression does not shrink it) and returns its size in bytes. The header's offset and append
 * time are left for seg_batch_stamp. */
size_t seg_batch_encode(void *dst, SegCodec codec, int level, const void *payload, size_t len,
			uint32_t rows, int64_t min_time, int64_t max_time, uint16_t flags);

/* Fills in the base offset and append time of an encoded batch and completes its CRC. */
void seg_batch_stamp(void *batch, uint64_t base_offset, int64_t append_time);

/* Decodes and checks a batch header read from a file (magic, version, lengths); -1 with
 * ERR_DATA_CORRUPTED naming path and pos when it is not one. */
int seg_batch_parse(const uint8_t *hdr, const char *path, uint64_t pos, SegBatchInfo *out, Err *e);

/* Appends n encoded bytes (whole stamped batches) at the end of the segment and indexes them.
 * A failed or short write is undone (the file is truncated back) and reported as ERR_IO. */
int seg_write(Segment *s, const void *buf, size_t n, Err *e);

/* Reads the header of the batch at pos (pos < s->size). */
int seg_read_header(int fd, const char *path, uint64_t pos, SegBatchInfo *out, Err *e);

/* Reads the payload of a batch whose header was read, verifies the CRC (ERR_DATA_CORRUPTED
 * naming the file, position and offset on mismatch) and decompresses it into *buf (grown with
 * mem_realloc as needed; *cap is its size). */
int seg_read_payload(int fd, const char *path, const SegBatchInfo *b, uint8_t **buf, size_t *cap,
		     uint8_t **scratch, size_t *scratch_cap, Err *e);

/* Index of the entry covering offset: the last one whose first offset is <= offset (0 when
 * offset precedes them all). The segment must have at least one entry. */
size_t seg_index_find(const Segment *s, uint64_t offset);

/* Writes the index file DIR/<base>.idx (atomically: a temporary file renamed over it). */
int seg_write_index(Segment *s, bool sync, Err *e);

/* Flushes the segment's data to disk (fdatasync). */
int seg_sync(Segment *s, Err *e);

/* Deletes a closed segment's files (path is the .seg path). */
int seg_remove_files(const char *seg_path, Err *e);

/* "DIR/<20 digit offset>.seg" into an allocated string (mem_free it). */
char *seg_path(const char *dir, uint64_t base_offset);

/* Fsyncs a directory so that created, renamed and removed entries are durable. */
int seg_sync_dir(const char *dir, Err *e);

#endif
