/* engine_int.h: the engine's private structures (the `Eddy` context and object runtimes).
 *
 * Layer: engine. The engine is the library's front door: it parses and binds statements, keeps the
 * catalog, and runs everything: stream history, table and view stores, the dataflows that keep
 * views fresh, the readers of generator sources, subscriptions. All of it hangs off one `Eddy`
 * (no globals) and is guarded by one mutex: every API call and the background source pump take
 * it, so the dataflows are single-threaded and deterministic.
 *
 * Data movement: a change to an object (an INSERT into a stream, a table UPDATE, a view's output)
 * is published to every consumer (a dataflow input scanning that object). An epoch ends with a
 * barrier sent to every view's dataflow in creation order, so a view's changes reach the views
 * built on it before their own barrier.
 */
#ifndef EDDY_ENGINE_INT_H
#define EDDY_ENGINE_INT_H

#include "eddy.h"

#include "base/err.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "connect/sink.h"
#include "connect/source.h"
#include "plan/logical.h"
#include "stream/dataflow.h"
#include "stream/mview.h"
#include "storage/log.h"

#include <pthread.h>

typedef struct ObjRt ObjRt;

/* A dataflow input fed by an object. */
typedef struct Consumer {
	ObjRt *view; /* the view whose dataflow reads */
	int input;   /* its input number */
} Consumer;

/* A reader of a generator source feeding one input of one view. */
typedef struct SourceRun {
	ObjRt *src;          /* the source object */
	ObjRt *view;
	int input;
	SourceReader *reader;
	Chunk *chunk;
	bool done;
	int64_t watermark;   /* last watermark sent (INT64_MIN none) */
	uint64_t produced;   /* rows read so far */
	int64_t started_us;  /* wall-clock start, for pacing unbounded sources */
	int64_t active_us;   /* monotonic time it last produced rows (idle timeout) */
} SourceRun;



struct ObjRt {
	CatObject *obj;
	struct Eddy *db;
	Consumer *cons;
	int ncons, capcons;
	/* STREAM in memory: the inserted rows (insert chunks, oldest first), the wall-clock time
	 * and bytes of each, their total, and its retention options (0: none), which drop the
	 * oldest chunks as the log's retention drops segments. */
	Chunk **hist;
	int64_t *hist_us;
	uint64_t *hist_bytes;
	int nhist, caphist;
	uint64_t hist_total;
	uint64_t mem_retention_bytes;
	int64_t mem_retention_us;
	uint64_t rows;       /* rows ever appended (streams) */
	int64_t watermark;   /* streams: current watermark (INT64_MIN none) */
	/* TABLE and MVIEW: the stored rows. */
	MvStore *store;
	/* MVIEW: its dataflow and the readers of sources it scans. */
	Dataflow *df;
	SourceRun **runs;
	int nruns;
	struct EddySubscription *subs;
	/* STREAM on a data directory (stream_log.c): its log, the end of the rows published to
	 * consumers (history scans read [start, end_offset)), its durability mode, the replay
	 * cursor while the database opens, and the pruning counters of the last history scan. */
	Log *log;
	uint64_t end_offset;
	int fsync_mode;           /* a StreamFsync */
	struct ReplayCursor *replay;
	LogScanStats last_scan;
	/* SINK: the writer its dataflow's output goes to (flushed at each barrier). */
	SinkWriter *sink;
	/* STREAM and SOURCE: WITH (watermark.idle_timeout = ...) in microseconds (0: none), and
	 * the monotonic time the stream last published rows. */
	int64_t idle_timeout_us;
	int64_t active_us;
	/* The sequence number of the object's CREATE: its id in checkpoints (stable across
	 * replays), and whether the state store holds its entries (the next checkpoint of a
	 * view writes only its changes). */
	uint64_t cseq;
	bool ck_saved;
	/* Views opened below the checkpoint whose saved state belongs to another dataflow shape
	 * (checkpoint.c: fingerprints): built from their inputs instead, and fed while restoring. */
	bool ck_rebuild;
	uint64_t ck_fp; /* views: ckpt_fingerprint of the dataflow, saved with its state */
	/* Views: entries written and microseconds spent at the last checkpoint, entries loaded
	 * when the database opened (0: not restored). */
	uint64_t ck_entries, ck_restored;
	int64_t ck_us;
};

struct EddySubscription {
	struct Eddy *db;
	ObjRt *rt;
	EddyChangeFn fn;
	void *ctx;
	struct EddySubscription *next;
	bool stopped;
};

struct Eddy {
	pthread_mutex_t mu;
	Catalog *cat;
	char *data_dir;      /* NULL in memory */
	uint64_t epoch;
	int tick_ms;
	pthread_t pump;
	pthread_cond_t pump_cv;
	bool pump_started;
	bool stopping;
	int64_t stmt_now;    /* now() of the statement being executed */
	struct EddySubscription *orphans; /* subscriptions whose object was dropped */
	int lock_fd;         /* data directory LOCK file, -1 in memory */
	int journal_fd;      /* statement journal, -1 in memory */
	bool replaying;      /* replaying the journal: do not append to it */
	/* Data directory: the next sequence number of the database-wide order of stream appends
	 * and journal records (replay interleaves them by it; stream_log.c). */
	uint64_t seq;
	/* API inserts into a fsync='always' stream write under the lock and sync after dropping
	 * it, so concurrent writers share fsyncs (group commit): defer_sync asks for that and
	 * `deferred` receives the log to sync; sync_lock (held shared while syncing) keeps a DROP
	 * from closing the log meanwhile. */
	bool defer_sync;
	Log *deferred;
	pthread_rwlock_t sync_lock;
	/* Checkpoints (checkpoint.c): the state store, the sequence number the last checkpoint
	 * covers (while replaying: the one being restored), its interval (< 0: never), views
	 * dropped since (their entries go at the next one), and figures for SHOW and metrics. */
	struct Kv *kv;
	uint64_t ck_seq;
	int64_t ck_interval_us;
	int64_t ck_last_us;
	uint64_t *ck_dropped;
	int nck_dropped;
	bool ck_blocked;
	bool ck_ready;       /* opened completely: checkpoints may be written */
	uint64_t ck_count, ck_last_puts, ck_last_dels;
	int64_t ck_last_duration_us;
	/* The checkpoint thread writing the batch collected under the lock (checkpoint.c):
	 * ck_mu guards ck_pending (at most one in flight) and ck_stop. */
	pthread_t ck_thread;
	bool ck_thread_on;
	pthread_mutex_t ck_mu;
	pthread_cond_t ck_cv;
	struct CkBatch *ck_pending;
	bool ck_stop;
	/* eddy_query_cancel: the caller's cancel flag while its statement runs, else NULL. */
	const volatile int *cancel;
};

/* db.c */
ObjRt *rt_new(struct Eddy *db, CatObject *obj);
void rt_free(ObjRt *rt);
int rt_add_consumer(ObjRt *rt, ObjRt *view, int input);
void rt_remove_consumers_of(ObjRt *rt, ObjRt *view);
/* Sends a change chunk of rt's object to its consumers and subscribers. */
int eng_publish(ObjRt *rt, const Chunk *c, Err *e);
/* The largest value of obj's watermark expression over the rows of c (INT64_MIN when it has
 * none); rows whose expression fails are skipped. */
int eng_watermark_of(CatObject *obj, const Chunk *c, int64_t stmt_now, Err *e, int64_t *out);
/* Ends the epoch: a barrier to every view in creation order. */
int eng_end_epoch(struct Eddy *db, Err *e);
/* Pumps sources: bounded ones up to `max_chunks` chunks each (all when < 0), unbounded paced
 * ones up to their wall-clock allowance. Returns chunks pumped, -1 on error. */
int eng_pump(struct Eddy *db, int max_chunks, Err *e);
int eng_flush(struct Eddy *db, Err *e);
int64_t eng_now_us(void);
/* Monotonic microseconds, for intervals (pacing, idle timeouts, checkpoints). */
int64_t eng_mono_us(void);
void eng_start_pump(struct Eddy *db);

/* Feeds a view's dataflow the current contents of everything it reads and ends the epoch. */
int eng_backfill(struct Eddy *db, ObjRt *view, Err *e);
/* Parses option `key`'s value v as a positive interval into *out (microseconds, a month as 30
 * days), or fails with 22023 (stream_log.c). */
int eng_parse_age(const char *key, const char *v, int64_t *out, Err *e);
/* Validates obj's watermark.idle_timeout option into *out (microseconds, 0 when absent). */
int eng_idle_timeout(const CatObject *obj, int64_t *out, Err *e);
/* obj's options without the engine's own (watermark.*), for its connector; free with mem_free. */
int eng_connector_opts(const CatObject *obj, Option **out);
/* Supplies the current rows of obj (BatchScanFn). */
int eng_scan_object(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		    void *emit_arg, Err *e);
/* Supplies the rows of a query's LOP_SCAN (BatchScanOpFn): a stream's log scan skips the batches
 * outside the scan's event-time range. */
int eng_scan_op(void *arg, const LogicalOp *scan, int (*emit)(void *, const Chunk *, Err *),
		void *emit_arg, Err *e);

/* insert.c */
/* Validates and applies rows (chunks with the target's columns, inserts) to a stream or table
 * atomically, publishing the changes. */
int eng_insert_chunks(struct Eddy *db, CatObject *target, Chunk **chunks, int n, uint64_t *count,
		      Err *e);
int eng_delete_update(struct Eddy *db, const BoundStmt *st, uint64_t *count, Err *e);
/* eddy_insert_partial for rows of text cells (cells[r * ncols + k], p NULL for NULL, not
 * NUL-terminated): each converted as INSERT converts a string literal (eddy_ingest). */
int64_t eng_insert_text(Eddy *db, const char *target, const char *const *columns, int ncols,
			const Str *cells, int nrows, EddyRowError *errors, int max_errors,
			int *nerrors, EddyError *err);

/* subscribe.c */
int eng_notify_subscribers(ObjRt *rt, const Chunk *c);

/* journal.c */
int journal_lock(struct Eddy *db, Err *e);
int journal_replay(struct Eddy *db, int (*run)(struct Eddy *, const char *, Err *), Err *e);
int journal_append(struct Eddy *db, const char *text, size_t n, Err *e);
void journal_close(struct Eddy *db);
/* The CRC of a journal record over its 8-byte sequence number and text (backup.c verifies). */
uint32_t journal_crc(const void *seq, const void *text, size_t n);

/* stream_log.c: streams kept in the stream log on a data directory. */
typedef enum StreamFsync { STREAM_FSYNC_ALWAYS, STREAM_FSYNC_INTERVAL, STREAM_FSYNC_NEVER } StreamFsync;
/* Opens (creating) the log of a stream under DIR/streams/<id>/ from the stream's options; a
 * no-op in memory. While the journal replays, also positions the replay cursor at its start. */
int eng_stream_open(struct Eddy *db, ObjRt *rt, Err *e);
/* Closes the log; with `drop`, removes its directory. */
void eng_stream_close(ObjRt *rt, bool drop);
/* Appends chunks as one atomic append tagged with the next sequence number. Synced before
 * returning for fsync='always' unless db->defer_sync, which leaves it in db->deferred. */
int eng_stream_write(struct Eddy *db, ObjRt *rt, Chunk **chunks, int n, Err *e);
/* Called with the lock held after an API insert: drops the lock and syncs db->deferred (if
 * any) while holding sync_lock shared. */
int eng_unlock_and_sync(struct Eddy *db, Err *e);
/* Emits the stream's stored rows [start, end_offset), restricted to batches whose event time
 * intersects [min_time, max_time] when by_time. */
int eng_stream_scan(ObjRt *rt, bool by_time, int64_t min_time, int64_t max_time,
		    int (*emit)(void *, const Chunk *, Err *), void *emit_arg, Err *e);
/* Journal replay: publishes every stream append with a sequence number below `seq` in order. */
int eng_replay_streams(struct Eddy *db, uint64_t seq, Err *e);

/* insert.c: publishes rows appended to a stream (consumers, subscribers, watermark). */
int eng_stream_publish(struct Eddy *db, CatObject *s, Chunk **chunks, int n, Err *e);

/* exec.c: runs SQL text under the lock already held (journal replay). */
int eng_exec_locked(struct Eddy *db, const char *sql, Err *e);

/* syscat.c: CREATE / ALTER / DROP USER (SCRAM-SHA-256 verifiers). */
int eng_exec_user(struct Eddy *db, BoundStmt *st, Arena *a, EddyResult **res, Err *e);

/* checkpoint.c */
/* Opens DIR/state and reads the last checkpoint's sequence number and epoch (before the
 * journal replays). interval_ms: 0 for the default (1000), < 0 never. */
int ckpt_open(struct Eddy *db, int interval_ms, Err *e);
void ckpt_close(struct Eddy *db);
/* Whether the replay is still below the checkpoint: nothing is published to views then. */
bool eng_restoring(const struct Eddy *db);
/* While restoring: where a stream's replay starts (*from raised to the checkpoint's offset;
 * the log's end for a stream the checkpoint does not know), and its rows and watermark. */
int ckpt_stream_position(struct Eddy *db, ObjRt *rt, uint64_t *from, Err *e);
/* While restoring: loads a view's dataflow, rows and source positions (views the checkpoint
 * does not hold stay empty: they are dropped before it). */
int ckpt_restore_view(struct Eddy *db, ObjRt *view, Err *e);
/* While restoring: 1 when the checkpoint holds a view's state for another dataflow than the
 * one it has now (the plan changed between builds), so it must be rebuilt; 0 otherwise. */
int ckpt_view_stale(struct Eddy *db, ObjRt *view, Err *e);
/* A hash of a view's dataflow and plan (taken when it is built, kept in ObjRt.ck_fp). */
uint64_t ckpt_fingerprint(const ObjRt *view);
/* A view or stream was dropped: its entries go at the next checkpoint. */
void ckpt_forget(struct Eddy *db, ObjRt *rt);
/* Takes a checkpoint now and writes it before returning (under the lock, between statements;
 * waits for one in flight, dropping the lock meanwhile). */
int eng_checkpoint(struct Eddy *db, Err *e);
/* When the interval has passed and no checkpoint is in flight: collects one under the lock and
 * hands it to the checkpoint thread; a failure is reported on stderr and retried. */
void eng_checkpoint_due(struct Eddy *db);
/* Waits (without the engine lock) until no checkpoint is in flight; ckpt_stop ends the
 * checkpoint thread. */
void ckpt_wait(struct Eddy *db);
void ckpt_stop(struct Eddy *db);

/* error conversion */
void eng_export_error(const Err *in, EddyError *out);

#endif

/* result.c: statement results (the EddyResult behind the API). */
struct EddyResult {
	char tag[64];
	int ncols;
	char **names;
	TypeId *types;
	Chunk **chunks;      /* the rows, in order */
	int nchunks, capchunks;
	int64_t nrows;
	int cur_chunk, cur_row;
	StrBuf *text;        /* per column: the current row's text */
	Arena arena;
};

EddyResult *result_new(int ncols, const char *const *names, const TypeId *types);
void result_set_tag(EddyResult *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the rows of c (only inserts are expected). */
void result_add_chunk(EddyResult *r, const Chunk *c);
/* Appends one row given as the text forms of the columns' types (NULL pointer = SQL NULL). */
void result_add_text_row(EddyResult *r, const char *const *values);
/* DataflowOutputFn appending to a result. */
int result_collect(void *arg, const Chunk *c, Err *e);
