/* log.h: the durable log of one stream partition: a directory of segment files.
 *
 * Layer: storage (base only; knows nothing of SQL). A Log owns its directory (locked against a
 * second opener, in this process or another), its segments, the offset sequence and the
 * durability policy. Payloads are opaque bytes: the engine hands in an already encoded columnar
 * chunk with its row count and event-time bounds, and gets the same bytes back.
 *
 * Offsets count rows, as in Kafka: a batch of n rows appended when the log ends at offset k holds
 * offsets k .. k+n-1 and the next batch starts at k+n. Offsets are never reused, also after
 * retention deleted the oldest segments.
 *
 * Atomicity: one log_append call (one or many batches) is all or nothing after a crash: its last
 * batch carries an END flag and recovery cuts every batch after the last END. All batches of one
 * append go into one segment (the log rolls before an append that would not fit).
 *
 * Threads: log_append, log_sync, log_retain and scans may run concurrently from several threads;
 * log_open and log_close may not overlap anything else.
 */
#ifndef EDDY_STORAGE_LOG_H
#define EDDY_STORAGE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "storage/segment.h"

typedef enum LogDurability {
	LOG_FSYNC_ALWAYS,   /* an append returns after its batches are on disk (group commit) */
	LOG_FSYNC_INTERVAL, /* a background thread syncs every interval_ms */
	LOG_FSYNC_NEVER,    /* the OS writes back when it likes; a clean close syncs nothing */
} LogDurability;

typedef struct LogOptions {
	uint32_t stream_id;        /* recorded in every segment header */
	uint32_t partition;
	SegCodec codec;            /* default SEG_CODEC_LZ4 */
	int zstd_level;            /* default 3 */
	LogDurability durability;  /* default LOG_FSYNC_ALWAYS */
	uint32_t interval_ms;      /* LOG_FSYNC_INTERVAL period, default 100 */
	uint64_t segment_bytes;    /* roll when an append would exceed it, default 128 MiB */
	int64_t segment_age_us;    /* roll when the active segment is older, default 1 h */
	uint32_t index_interval;   /* bytes of batches per sparse index entry, default 64 KiB */
	int64_t retention_age_us;  /* delete segments whose last append is older; 0 keeps all */
	uint64_t retention_bytes;  /* delete the oldest segments beyond this total; 0: no limit */
	/* Wall clock in microseconds since 1970 (NULL: the real clock); tests move time with it. */
	int64_t (*clock)(void *ctx);
	void *clock_ctx;
	/* Receives one line per recovery action and a summary at open (NULL: silent). */
	void (*report)(void *ctx, const char *msg);
	void *report_ctx;
} LogOptions;

/* Fills o with the defaults above. */
void log_options_init(LogOptions *o);

/* What log_open found and repaired. */
typedef struct LogRecovery {
	uint32_t segments;      /* segment files opened */
	uint32_t removed_files; /* tail segment files too short to hold a header, removed */
	SegRecovery seg;        /* sums over the segments */
	int64_t elapsed_us;
} LogRecovery;

typedef struct LogStats {
	uint64_t appends;          /* log_append calls that succeeded */
	uint64_t batches;          /* batches they wrote */
	uint64_t fsyncs;           /* fdatasync calls on segment data */
	uint64_t segments_created;
	uint64_t segments_deleted; /* by retention */
} LogStats;

/* One batch to append: the payload is copied (and compressed) before log_append returns. */
typedef struct LogBatchIn {
	const void *payload;
	size_t len;        /* at most SEG_MAX_PAYLOAD */
	uint32_t rows;     /* > 0 */
	int64_t min_time;  /* event time bounds, min_time <= max_time */
	int64_t max_time;
} LogBatchIn;

typedef struct Log Log;

/* Opens (creating the directory and a first segment when needed) and recovers the log in dir:
 * verifies the tail segment by CRC, cuts a torn or incomplete last append, removes a torn empty
 * tail file and rebuilds missing or stale index files. rec (may be NULL) receives the counters.
 * ERR_LOCK_NOT_AVAILABLE when another Log holds the directory; ERR_DATA_CORRUPTED when a sealed
 * segment is damaged; ERR_IO naming the file and the OS error. */
Log *log_open(const char *dir, const LogOptions *opt, LogRecovery *rec, Err *e);

/* Appends n batches atomically; offsets (may be NULL) receives the base offset of each. With
 * LOG_FSYNC_ALWAYS it returns once they are on disk: threads appending meanwhile share one
 * fdatasync. After a failed fsync every later append fails too (the page cache can no longer be
 * trusted to match the disk). */
int log_append(Log *l, const LogBatchIn *batches, size_t n, uint64_t *offsets, Err *e);

/* Makes every append so far durable, whatever the mode. */
int log_sync(Log *l, Err *e);

/* Deletes whole sealed segments beyond the retention options (never the active one); *removed
 * (may be NULL) receives how many. Also run after every roll. */
int log_retain(Log *l, uint32_t *removed, Err *e);
/* Retention keeps every segment holding offsets at or above `offset` whatever its options say
 * (a reader still needs them: the engine passes the offset its last checkpoint covers).
 * UINT64_MAX, the default, sets no floor. */
void log_keep_from(Log *l, uint64_t offset);

/* Syncs (unless LOG_FSYNC_NEVER), writes the active segment's index and frees everything; l may
 * be NULL. Returns -1 with e set when the final sync failed (l is freed all the same). */
int log_close(Log *l, Err *e);

uint64_t log_start_offset(Log *l); /* first offset still stored */
uint64_t log_next_offset(Log *l);  /* offset the next appended row gets */
uint64_t log_bytes(Log *l);        /* bytes in all segment files */
size_t log_segment_count(Log *l);
void log_stats(Log *l, LogStats *out);

/* ---- reading */

/* What to read: offsets [from_offset, to_offset) (a batch is returned whole when it holds any
 * offset of the range), and with by_time only batches whose [min_time, max_time] intersects
 * [min_time, max_time] (both ends inclusive). */
typedef struct LogRange {
	uint64_t from_offset;
	uint64_t to_offset; /* UINT64_MAX: to the end as of log_scan_open */
	bool by_time;
	int64_t min_time;
	int64_t max_time;
} LogRange;

typedef struct LogBatch {
	uint64_t base_offset;
	uint32_t rows;
	int64_t min_time;
	int64_t max_time;
	int64_t append_time;
	const void *payload; /* decompressed; owned by the scan, valid until the next call */
	size_t len;
} LogBatch;

typedef struct LogScanStats {
	uint64_t batches_read;    /* payloads read, verified and returned */
	uint64_t batches_skipped; /* headers read, payload skipped: out of the time range */
	uint64_t entries_skipped; /* sparse index entries pruned without touching the file */
	uint64_t bytes_read;      /* stored payload bytes read */
} LogScanStats;

typedef struct LogScan LogScan;

/* A scan sees the batches appended before it was opened. */
LogScan *log_scan_open(Log *l, const LogRange *r, Err *e);

/* 1 with *out filled, 0 at the end, -1 on error. A batch failing its CRC is ERR_DATA_CORRUPTED
 * naming the file, position and offset, and is never returned; calling again continues after it. */
int log_scan_next(LogScan *s, LogBatch *out, Err *e);
void log_scan_stats(const LogScan *s, LogScanStats *out);
void log_scan_close(LogScan *s);

#endif
