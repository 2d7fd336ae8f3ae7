/* checkpoint.c: checkpoints of every view's state and every stream's position, and recovery
 * from them.
 *
 * Layer: engine. Owns the state store DIR/state (storage/kv.h, LMDB). A checkpoint is one write
 * transaction, taken under the engine lock at a point between statements and appends (never
 * inside one), after the stream logs were synced: it saves every view's dataflow state and
 * stored rows (only what changed since the previous checkpoint: dataflow.h) and every stream's
 * end offset, tagged with the database-wide sequence number S it covers (every stream append
 * and journal record numbered below S, nothing at or above it). Opening replays the journal as
 * before, but while the replay is below S ("restoring") nothing is published to views: a view
 * created below S loads its state instead of backfilling, streams resume their replay at the
 * saved offsets, and tables are rebuilt from the journal as always. From S on, the replay runs
 * through the live publish path, so each view ends up equal to its query over exactly the
 * acknowledged events, with none counted twice.
 *
 * Format (keys; integers in keys big-endian so that a view's entries are contiguous):
 *
 *   key                                   value
 *   "M"                                   u32 format (1), u64 S, u64 epoch, i64 taken (unix us)
 *   "S" u64 stream id                     u64 end offset, u64 rows, i64 watermark
 *   "H" u64 view id                       u32 runs; per generator reader: u32 input,
 *                                         u64 rows produced, i64 watermark, u8 done;
 *                                         u64 fingerprint of the view's dataflow
 *   "D" u64 view id + dataflow key        the dataflow's entries (dataflow_checkpoint)
 *   "R" u64 view id + store key           the view's rows (mvstore_checkpoint)
 *
 * The fingerprint (XXH3 of the view's EXPLAIN text, dataflow and logical plan, combined with
 * CKPT_STATE_VERSION) tells whether the saved state fits the dataflow this build makes of the
 * view's SQL and reads its entries as they were written. A view whose header
 * lacks it or holds another one (a build that plans it differently) is not restored: it is
 * built from its inputs as they are at the checkpoint and fed the table changes replayed below
 * it (eng_backfill, eng_publish), as a live CREATE would have been; the next checkpoint saves
 * it whole.
 *
 * Ids are the sequence number of the object's CREATE (stable across replays, unlike catalog
 * ids). Values are little-endian (base/bin.h).
 *
 * A view whose dataflow cannot be checkpointed stops checkpoints (the last one stays valid:
 * everything after it replays) and says so once on stderr. Retention never deletes a segment a
 * checkpointed view may still need: each stream read by a view keeps its log from the offset of
 * the last checkpoint (log_keep_from).
 */
#include "engine/engine_int.h"

#include "base/bin.h"
#include "base/hash.h"
#include "storage/kv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CKPT_FORMAT 1
/* The version of what operators and aggregates write into their entries: bump it with any change
 * to one of those formats, so that a checkpoint of another version is rebuilt, never misread.
 * 2: DISTINCT aggregates over one argument share one entry (agg.c, hash_agg.c).
 * 3: append-only sides of inner joins keep rows by join key and position (hash_join.c).
 * 4: joins bounded through another time column (Nexmark q4, q9) are interval joins, whose
 *    rows' time is that column's value; an interval join's append-only side is a log whose
 *    rows carry their time (hash_join.c). */
#define CKPT_STATE_VERSION 4
#define CKPT_DEFAULT_MS 1000

/* tag + big-endian id */
static void id_key(StrBuf *k, char tag, uint64_t id)
{
	sb_reset(k);
	sb_putc(k, tag);
	bin_put_key_u64(k, id);
}

bool eng_restoring(const struct Eddy *db)
{
	return db->replaying && db->kv && db->seq < db->ck_seq;
}

/* ---- opening */

int ckpt_open(struct Eddy *db, int interval_ms, Err *e)
{
	db->ck_interval_us = (int64_t)(interval_ms ? interval_ms : CKPT_DEFAULT_MS) * 1000;
	db->ck_last_us = eng_mono_us();
	char path[4200];
	snprintf(path, sizeof path, "%s/state", db->data_dir);
	if (kv_open(path, &db->kv, e) < 0)
		return -1;
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	const void *v;
	size_t n;
	int rc = kv_get(t, "M", 1, &v, &n, e);
	if (rc == 1) {
		BinReader r;
		bin_reader(&r, v, n);
		uint32_t fmt = bin_get_u32(&r);
		db->ck_seq = bin_get_u64(&r);
		db->epoch = bin_get_u64(&r);
		(void)bin_get_i64(&r);
		if (!bin_done(&r) || fmt != CKPT_FORMAT) {
			rc = err_set(e, ERR_DATA_CORRUPTED,
				     "checkpoint in \"%s\" has format %u or is damaged (expected "
				     "format %d)", path, fmt, CKPT_FORMAT);
			db->ck_seq = 0;
		}
	}
	kv_abort(t);
	return rc < 0 ? -1 : 0;
}

void ckpt_close(struct Eddy *db)
{
	kv_close(db->kv);
	db->kv = NULL;
	mem_free(db->ck_dropped);
	db->ck_dropped = NULL;
}

/* ---- fingerprints */

/* A hash of the view's dataflow and logical plan as EXPLAIN prints them, and of the state
 * formats' version. Taken while its CREATE runs (the plan's names may point into the
 * statement's text, gone after it). */
uint64_t ckpt_fingerprint(const ObjRt *view)
{
	StrBuf sb;
	sb_init(&sb);
	if (view->df)
		dataflow_explain(view->df, &sb);
	lop_print(view->obj->plan, &sb);
	uint64_t h = hash_combine(hash_bytes(sb.data, sb.len), CKPT_STATE_VERSION);
	sb_deinit(&sb);
	return h;
}

/* ---- restoring */

/* Copies the value of entry tag + id into val: 1 found, 0 absent, -1 error. */
static int get_entry(KvTxn *t, char tag, uint64_t id, StrBuf *val, Err *e)
{
	StrBuf k;
	sb_init(&k);
	id_key(&k, tag, id);
	const void *v;
	size_t n;
	int rc = kv_get(t, k.data, k.len, &v, &n, e);
	if (rc == 1) {
		sb_reset(val);
		sb_append(val, v, n);
	}
	sb_deinit(&k);
	return rc;
}

int ckpt_stream_position(struct Eddy *db, ObjRt *rt, uint64_t *from, Err *e)
{
	if (!eng_restoring(db))
		return 0;
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	StrBuf v;
	sb_init(&v);
	int rc = get_entry(t, 'S', rt->cseq, &v, e);
	kv_abort(t);
	if (rc == 1) {
		BinReader r;
		bin_reader(&r, v.data, v.len);
		uint64_t end = bin_get_u64(&r);
		rt->rows = bin_get_u64(&r);
		rt->watermark = bin_get_i64(&r);
		if (!bin_done(&r))
			rc = err_set(e, ERR_DATA_CORRUPTED, "checkpoint entry of stream \"%s\" is "
				     "damaged", rt->obj->name);
		if (end > *from)
			*from = end;
		log_keep_from(rt->log, *from);
	} else if (rc == 0) {
		/* Not in the checkpoint: dropped before it, so nothing of it is replayed. */
		*from = log_next_offset(rt->log);
	}
	sb_deinit(&v);
	return rc < 0 ? -1 : 0;
}

typedef struct RestoreArg {
	ObjRt *view;
	size_t skip; /* key prefix to strip: tag + id */
	bool rows;   /* entries of the view's rows ('R'), else of its dataflow ('D') */
	uint64_t entries;
} RestoreArg;

static int restore_entry(void *arg, const void *key, size_t klen, const void *val, size_t vlen,
			 Err *e)
{
	RestoreArg *a = arg;
	a->entries++;
	const char *k = (const char *)key + a->skip;
	klen -= a->skip;
	return a->rows ? mvstore_restore(a->view->store, k, klen, val, vlen, e)
		       : dataflow_restore(a->view->df, k, klen, val, vlen, e);
}

/* Skips the rows a generator reader had produced at the checkpoint: at once when the reader can
 * (skip_rows), else by making them. */
static int skip_rows(SourceRun *run, uint64_t rows, Err *e)
{
	if (run->reader->skip_rows) {
		if (run->reader->skip_rows(run->reader, (int64_t)rows, e) < 0)
			return -1;
		run->produced = rows;
		return 0;
	}
	uint64_t done = 0;
	while (done < rows) {
		chunk_reset(run->chunk);
		uint64_t left = rows - done;
		run->reader->max_rows = left < CHUNK_CAP ? (int)left : 0;
		int n = run->reader->next(run->reader, run->chunk, e);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	run->reader->max_rows = 0;
	run->produced = done;
	return 0;
}

int ckpt_view_stale(struct Eddy *db, ObjRt *view, Err *e)
{
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	StrBuf hdr;
	sb_init(&hdr);
	int rc = get_entry(t, 'H', view->cseq, &hdr, e);
	kv_abort(t);
	if (rc == 1) {
		BinReader r;
		bin_reader(&r, hdr.data, hdr.len);
		uint32_t nruns = bin_get_u32(&r);
		/* Each run is u32 + u64 + i64 + u8; the fingerprint follows them. */
		size_t want = 4 + (size_t)nruns * 21 + 8;
		if (r.bad || (hdr.len != want && hdr.len != want - 8)) {
			rc = 0; /* damaged: ckpt_restore_view says so */
		} else if (hdr.len == want - 8) {
			rc = 1; /* written before headers held fingerprints */
		} else {
			bin_reader(&r, hdr.data + want - 8, 8);
			rc = bin_get_u64(&r) != view->ck_fp;
		}
	}
	sb_deinit(&hdr);
	return rc;
}

int ckpt_restore_view(struct Eddy *db, ObjRt *view, Err *e)
{
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	StrBuf k, hdr;
	sb_init(&k);
	sb_init(&hdr);
	int rc = get_entry(t, 'H', view->cseq, &hdr, e);
	if (rc == 1) {
		RestoreArg a = {.view = view, .skip = 9};
		id_key(&k, 'D', view->cseq);
		rc = kv_scan_prefix(t, k.data, k.len, restore_entry, &a, e);
		if (rc == 0)
			rc = dataflow_restore_done(view->df, e);
		if (rc == 0 && view->store) {
			id_key(&k, 'R', view->cseq);
			a.rows = true;
			rc = kv_scan_prefix(t, k.data, k.len, restore_entry, &a, e);
		}
		BinReader r;
		bin_reader(&r, hdr.data, hdr.len);
		uint32_t nruns = bin_get_u32(&r);
		for (uint32_t i = 0; rc == 0 && i < nruns && !r.bad; i++) {
			int input = (int)bin_get_u32(&r);
			uint64_t produced = bin_get_u64(&r);
			int64_t wm = bin_get_i64(&r);
			bool done = bin_get_u8(&r) != 0;
			for (int j = 0; j < view->nruns; j++) {
				SourceRun *run = view->runs[j];
				if (run->input != input)
					continue;
				rc = skip_rows(run, produced, e);
				run->watermark = wm;
				run->done = done;
			}
		}
		(void)bin_get_u64(&r); /* the fingerprint, matched by ckpt_view_stale */
		if (rc == 0 && (!bin_done(&r) || nruns != (uint32_t)view->nruns))
			rc = err_set(e, ERR_DATA_CORRUPTED, "checkpoint header of view \"%s\" does "
				     "not match its sources", view->obj->name);
		if (rc == 0) {
			view->ck_saved = true;
			view->ck_restored = a.entries + 1;
		}
	} else if (rc == 0) {
		/* Not in the checkpoint: the view was dropped before it (its DROP replays
		 * below S), so it stays empty and inert until then. */
	}
	sb_deinit(&hdr);
	sb_deinit(&k);
	kv_abort(t);
	return rc < 0 ? -1 : 0;
}

static void ckpt_forget_id(struct Eddy *db, uint64_t id)
{
	db->ck_dropped = mem_realloc(db->ck_dropped, sizeof(uint64_t) * (size_t)(db->nck_dropped + 1));
	db->ck_dropped[db->nck_dropped++] = id;
}

void ckpt_forget(struct Eddy *db, ObjRt *rt)
{
	if (db->kv && !db->stopping)
		ckpt_forget_id(db, rt->cseq);
}

/* ---- writing
 *
 * A checkpoint happens in two halves. Under the engine lock, `collect` asks every dataflow and
 * view store for its changes and records them, with the stream offsets and the meta entry, as a
 * batch of operations in memory (encoding only: no LMDB work), after syncing the stream logs.
 * The checkpoint thread then applies the batch in one LMDB write transaction and commits it,
 * while writers go on; at most one batch is in flight (a due checkpoint waits for the next
 * chance). When it is done, the thread takes the engine lock briefly to record the outcome: on
 * success the retention floors move to the batch's offsets; on failure every view is marked for
 * a full rewrite (its operators already forgot the changes they wrote) and the dropped views'
 * deletions are queued again. */

enum { OP_PUT = 1, OP_DEL = 2, OP_DEL_PREFIX = 3 };

typedef struct CkBatch {
	StrBuf ops;          /* per op: u8 kind, u32 key length, u32 value length, key, value */
	uint64_t puts, dels;
	uint64_t seq;        /* what the checkpoint covers */
	uint64_t *dropped;   /* views whose entries it deletes */
	int ndropped;
	uint64_t *stream_ids, *stream_offsets;
	int nstreams;
	int64_t t0;          /* when collecting began */
} CkBatch;

static void batch_free(CkBatch *b)
{
	if (!b)
		return;
	sb_deinit(&b->ops);
	mem_free(b->dropped);
	mem_free(b->stream_ids);
	mem_free(b->stream_offsets);
	mem_free(b);
}

static void batch_op(CkBatch *b, int kind, const void *key, size_t klen, const void *val,
		     size_t vlen)
{
	bin_put_u8(&b->ops, (uint8_t)kind);
	bin_put_u32(&b->ops, (uint32_t)klen);
	bin_put_u32(&b->ops, (uint32_t)vlen);
	sb_append(&b->ops, key, klen);
	sb_append(&b->ops, val, vlen);
}

/* Records a view's entries under tag + id into the batch. */
typedef struct KvWriter {
	StateWriter w;
	CkBatch *b;
	StrBuf key;
	size_t base; /* length of tag + id */
} KvWriter;

static void kw_key(KvWriter *kw, const void *key, size_t klen)
{
	kw->key.len = kw->base;
	sb_append(&kw->key, key, klen);
}

static int kw_put(StateWriter *w, const void *key, size_t klen, const void *val, size_t vlen,
		  Err *e)
{
	KvWriter *kw = (KvWriter *)w;
	kw_key(kw, key, klen);
	kw->b->puts++;
	batch_op(kw->b, OP_PUT, kw->key.data, kw->key.len, val, vlen);
	return 0;
}

static int kw_del(StateWriter *w, const void *key, size_t klen, Err *e)
{
	KvWriter *kw = (KvWriter *)w;
	kw_key(kw, key, klen);
	kw->b->dels++;
	batch_op(kw->b, OP_DEL, kw->key.data, kw->key.len, NULL, 0);
	return 0;
}

static void kw_start(KvWriter *kw, char tag, uint64_t id)
{
	id_key(&kw->key, tag, id);
	kw->base = kw->key.len;
}

static void delete_view(CkBatch *b, uint64_t id)
{
	StrBuf k;
	sb_init(&k);
	static const char tags[] = {'H', 'D', 'R'};
	for (size_t i = 0; i < sizeof tags; i++) {
		id_key(&k, tags[i], id);
		batch_op(b, OP_DEL_PREFIX, k.data, k.len, NULL, 0);
	}
	sb_deinit(&k);
}

static int save_view(ObjRt *rt, KvWriter *kw, Err *e)
{
	bool full = !rt->ck_saved;
	int64_t t0 = eng_mono_us();
	uint64_t before = kw->b->puts + kw->b->dels;
	if (full)
		delete_view(kw->b, rt->cseq);
	kw_start(kw, 'D', rt->cseq);
	if (dataflow_checkpoint(rt->df, &kw->w, full, e) < 0)
		return -1;
	if (rt->store) {
		kw_start(kw, 'R', rt->cseq);
		if (mvstore_checkpoint(rt->store, &kw->w, full, e) < 0)
			return -1;
	}
	StrBuf v;
	sb_init(&v);
	bin_put_u32(&v, (uint32_t)rt->nruns);
	for (int i = 0; i < rt->nruns; i++) {
		SourceRun *run = rt->runs[i];
		bin_put_u32(&v, (uint32_t)run->input);
		bin_put_u64(&v, run->produced);
		bin_put_i64(&v, run->watermark);
		bin_put_u8(&v, run->done);
	}
	bin_put_u64(&v, rt->ck_fp);
	StrBuf k;
	sb_init(&k);
	id_key(&k, 'H', rt->cseq);
	batch_op(kw->b, OP_PUT, k.data, k.len, v.data, v.len);
	kw->b->puts++;
	sb_deinit(&k);
	sb_deinit(&v);
	rt->ck_saved = true; /* the batch holds it; a failed write undoes this (finish) */
	rt->ck_entries = kw->b->puts + kw->b->dels - before;
	rt->ck_us = eng_mono_us() - t0;
	return 0;
}

static int save_stream(CkBatch *b, ObjRt *rt, Err *e)
{
	if (rt->log && log_sync(rt->log, e) < 0)
		return -1;
	StrBuf k, v;
	sb_init(&k);
	sb_init(&v);
	id_key(&k, 'S', rt->cseq);
	bin_put_u64(&v, rt->end_offset);
	bin_put_u64(&v, rt->rows);
	bin_put_i64(&v, rt->watermark);
	batch_op(b, OP_PUT, k.data, k.len, v.data, v.len);
	b->puts++;
	sb_deinit(&k);
	sb_deinit(&v);
	if (rt->log) {
		b->stream_ids = mem_realloc(b->stream_ids, sizeof(uint64_t) * (size_t)(b->nstreams + 1));
		b->stream_offsets =
			mem_realloc(b->stream_offsets, sizeof(uint64_t) * (size_t)(b->nstreams + 1));
		b->stream_ids[b->nstreams] = rt->cseq;
		/* Retention keeps what a view restored from this checkpoint replays. */
		b->stream_offsets[b->nstreams++] = rt->ncons ? rt->end_offset : UINT64_MAX;
	}
	return 0;
}

/* Whether every dataflow can be checkpointed; says once which cannot. */
static bool all_checkpointable(struct Eddy *db)
{
	for (int i = 0; i < catalog_count(db->cat); i++) {
		CatObject *o = catalog_at(db->cat, i);
		ObjRt *rt = o->rt;
		const char *why = NULL;
		if (rt && rt->df && !dataflow_can_checkpoint(rt->df, &why)) {
			if (!db->ck_blocked)
				fprintf(stderr, "eddy: checkpoints paused: %s \"%s\" has an operator "
					"(%s) whose state cannot be saved; a reopen replays the "
					"log from the last checkpoint\n",
					objkind_name(o->kind), o->name, why ? why : "?");
			db->ck_blocked = true;
			return false;
		}
	}
	db->ck_blocked = false;
	return true;
}

/* A batch that will not be written: its views' operators already forgot the changes it holds,
 * so the next checkpoint rewrites every view whole, and its dropped views are queued again. */
static void undo(struct Eddy *db, const CkBatch *b)
{
	for (int i = 0; i < catalog_count(db->cat); i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (rt && rt->df)
			rt->ck_saved = false;
	}
	for (int i = 0; i < b->ndropped; i++)
		ckpt_forget_id(db, b->dropped[i]);
}

/* The first half, under the engine lock. NULL with e set on failure (then every view is
 * rewritten whole next time). */
static CkBatch *collect(struct Eddy *db, Err *e)
{
	CkBatch *b = mem_calloc(1, sizeof *b);
	sb_init(&b->ops);
	b->t0 = eng_mono_us();
	b->seq = db->seq;
	b->dropped = db->ck_dropped;
	b->ndropped = db->nck_dropped;
	db->ck_dropped = NULL;
	db->nck_dropped = 0;
	for (int i = 0; i < b->ndropped; i++)
		delete_view(b, b->dropped[i]);
	/* Streams are rewritten whole (one small entry each), which also drops dropped ones. */
	batch_op(b, OP_DEL_PREFIX, "S", 1, NULL, 0);
	KvWriter kw = {.w = {kw_put, kw_del}, .b = b};
	sb_init(&kw.key);
	int rc = 0;
	for (int i = 0; rc == 0 && i < catalog_count(db->cat); i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (!rt)
			continue;
		if (rt->obj->kind == OBJ_STREAM)
			rc = save_stream(b, rt, e);
		else if (rt->df)
			rc = save_view(rt, &kw, e);
	}
	sb_deinit(&kw.key);
	StrBuf v;
	sb_init(&v);
	bin_put_u32(&v, CKPT_FORMAT);
	bin_put_u64(&v, db->seq);
	bin_put_u64(&v, db->epoch);
	bin_put_i64(&v, eng_now_us());
	batch_op(b, OP_PUT, "M", 1, v.data, v.len);
	sb_deinit(&v);
	if (rc < 0) {
		undo(db, b);
		batch_free(b);
		return NULL;
	}
	return b;
}

/* The second half: one LMDB transaction. Needs no engine lock. */
static int apply(Kv *kv, const CkBatch *b, Err *e)
{
	KvTxn *t;
	if (kv_begin(kv, true, &t, e) < 0)
		return -1;
	BinReader r;
	bin_reader(&r, b->ops.data, b->ops.len);
	int rc = 0;
	while (rc == 0 && r.p < r.end) {
		int kind = bin_get_u8(&r);
		uint32_t klen = bin_get_u32(&r), vlen = bin_get_u32(&r);
		const void *key = bin_get(&r, klen), *val = bin_get(&r, vlen);
		if (r.bad)
			rc = err_set(e, ERR_INTERNAL, "checkpoint batch is malformed");
		else if (kind == OP_PUT)
			rc = kv_put(t, key, klen, val, vlen, e);
		else if (kind == OP_DEL)
			rc = kv_del(t, key, klen, e);
		else
			rc = kv_del_prefix(t, key, klen, e);
	}
	if (rc < 0) {
		kv_abort(t);
		return -1;
	}
	return kv_commit(t, e);
}

/* Records the outcome of a batch; the engine lock is held. */
static void finish(struct Eddy *db, CkBatch *b, int rc, const Err *e)
{
	if (rc < 0) {
		fprintf(stderr, "eddy: checkpoint failed: %s (SQLSTATE %s); retrying in %lld ms\n",
			e->msg, err_sqlstate(e->code), (long long)(db->ck_interval_us / 1000));
		undo(db, b);
		return;
	}
	for (int i = 0; i < catalog_count(db->cat); i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (!rt || !rt->log)
			continue;
		for (int k = 0; k < b->nstreams; k++)
			if (b->stream_ids[k] == rt->cseq)
				log_keep_from(rt->log, b->stream_offsets[k]);
	}
	db->ck_seq = b->seq;
	db->ck_count++;
	db->ck_last_duration_us = eng_mono_us() - b->t0;
	db->ck_last_puts = b->puts;
	db->ck_last_dels = b->dels;
}

static void *ckpt_main(void *arg)
{
	struct Eddy *db = arg;
	pthread_mutex_lock(&db->ck_mu);
	for (;;) {
		while (!db->ck_pending && !db->ck_stop)
			pthread_cond_wait(&db->ck_cv, &db->ck_mu);
		if (!db->ck_pending)
			break;
		CkBatch *b = db->ck_pending;
		pthread_mutex_unlock(&db->ck_mu);
		Err e;
		err_clear(&e);
		int rc = apply(db->kv, b, &e);
		pthread_mutex_lock(&db->mu);
		finish(db, b, rc, &e);
		pthread_mutex_unlock(&db->mu);
		batch_free(b);
		pthread_mutex_lock(&db->ck_mu);
		db->ck_pending = NULL;
		pthread_cond_broadcast(&db->ck_cv);
	}
	pthread_mutex_unlock(&db->ck_mu);
	return NULL;
}

static bool in_flight(struct Eddy *db)
{
	pthread_mutex_lock(&db->ck_mu);
	bool busy = db->ck_pending != NULL;
	pthread_mutex_unlock(&db->ck_mu);
	return busy;
}

void ckpt_wait(struct Eddy *db)
{
	if (!db->ck_thread_on)
		return;
	pthread_mutex_lock(&db->ck_mu);
	while (db->ck_pending)
		pthread_cond_wait(&db->ck_cv, &db->ck_mu);
	pthread_mutex_unlock(&db->ck_mu);
}

static bool may_checkpoint(struct Eddy *db)
{
	return db->kv && db->ck_ready && !db->replaying && db->ck_interval_us >= 0 &&
	       all_checkpointable(db);
}

int eng_checkpoint(struct Eddy *db, Err *e)
{
	if (!may_checkpoint(db))
		return 0;
	/* Synchronously, with the lock held; a batch still in flight finishes first (its thread
	 * needs the lock to record its outcome). */
	while (in_flight(db)) {
		pthread_mutex_unlock(&db->mu);
		ckpt_wait(db);
		pthread_mutex_lock(&db->mu);
	}
	CkBatch *b = collect(db, e);
	if (!b)
		return -1;
	int rc = apply(db->kv, b, e);
	finish(db, b, rc, e);
	db->ck_last_us = eng_mono_us();
	batch_free(b);
	return rc;
}

void eng_checkpoint_due(struct Eddy *db)
{
	if (!db->kv || eng_mono_us() - db->ck_last_us < db->ck_interval_us || !may_checkpoint(db) ||
	    in_flight(db))
		return;
	db->ck_last_us = eng_mono_us();
	Err e;
	err_clear(&e);
	CkBatch *b = collect(db, &e);
	if (!b) {
		fprintf(stderr, "eddy: checkpoint failed: %s (SQLSTATE %s); retrying in %lld ms\n",
			e.msg, err_sqlstate(e.code), (long long)(db->ck_interval_us / 1000));
		return;
	}
	if (!db->ck_thread_on) {
		if (pthread_create(&db->ck_thread, NULL, ckpt_main, db) != 0) {
			/* No thread: write it here, under the lock. */
			int rc = apply(db->kv, b, &e);
			finish(db, b, rc, &e);
			batch_free(b);
			return;
		}
		db->ck_thread_on = true;
	}
	pthread_mutex_lock(&db->ck_mu);
	db->ck_pending = b;
	pthread_cond_signal(&db->ck_cv);
	pthread_mutex_unlock(&db->ck_mu);
}

void ckpt_stop(struct Eddy *db)
{
	if (!db->ck_thread_on)
		return;
	pthread_mutex_lock(&db->ck_mu);
	db->ck_stop = true;
	pthread_cond_broadcast(&db->ck_cv);
	pthread_mutex_unlock(&db->ck_mu);
	pthread_join(db->ck_thread, NULL);
	db->ck_thread_on = false;
}
