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
 *                                         u64 rows produced, i64 watermark, u8 done
 *   "D" u64 view id + dataflow key        the dataflow's entries (dataflow_checkpoint)
 *   "R" u64 view id + store key           the view's rows (mvstore_checkpoint)
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
#include "storage/kv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CKPT_FORMAT 1
#define CKPT_DEFAULT_MS 1000

static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

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
	db->ck_last_us = mono_now();
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

/* ---- restoring */

int ckpt_stream_position(struct Eddy *db, ObjRt *rt, uint64_t *from, Err *e)
{
	if (!eng_restoring(db))
		return 0;
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	StrBuf k;
	sb_init(&k);
	id_key(&k, 'S', rt->cseq);
	const void *v;
	size_t n;
	int rc = kv_get(t, k.data, k.len, &v, &n, e);
	if (rc == 1) {
		BinReader r;
		bin_reader(&r, v, n);
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
	sb_deinit(&k);
	kv_abort(t);
	return rc < 0 ? -1 : 0;
}

typedef struct RestoreArg {
	ObjRt *view;
	size_t skip; /* key prefix to strip */
	uint64_t entries;
} RestoreArg;

static int restore_df(void *arg, const void *key, size_t klen, const void *val, size_t vlen,
		      Err *e)
{
	RestoreArg *a = arg;
	a->entries++;
	return dataflow_restore(a->view->df, (const char *)key + a->skip, klen - a->skip, val,
				vlen, e);
}

static int restore_rows(void *arg, const void *key, size_t klen, const void *val, size_t vlen,
			Err *e)
{
	RestoreArg *a = arg;
	a->entries++;
	return mvstore_restore(a->view->store, (const char *)key + a->skip, klen - a->skip, val,
			       vlen, e);
}

/* Skips the rows a generator reader had produced at the checkpoint. */
static int skip_rows(SourceRun *run, uint64_t rows, Err *e)
{
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

int ckpt_restore_view(struct Eddy *db, ObjRt *view, Err *e)
{
	KvTxn *t;
	if (kv_begin(db->kv, false, &t, e) < 0)
		return -1;
	StrBuf k;
	sb_init(&k);
	id_key(&k, 'H', view->cseq);
	const void *v;
	size_t n;
	int rc = kv_get(t, k.data, k.len, &v, &n, e);
	if (rc == 1) {
		/* Copy the header: the reads below may move LMDB's pages. */
		StrBuf hdr;
		sb_init(&hdr);
		sb_append(&hdr, v, n);
		RestoreArg a = {.view = view, .skip = 9};
		id_key(&k, 'D', view->cseq);
		rc = kv_scan_prefix(t, k.data, k.len, restore_df, &a, e);
		if (rc == 0)
			rc = dataflow_restore_done(view->df, e);
		if (rc == 0 && view->store) {
			id_key(&k, 'R', view->cseq);
			rc = kv_scan_prefix(t, k.data, k.len, restore_rows, &a, e);
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
		if (rc == 0 && (!bin_done(&r) || nruns != (uint32_t)view->nruns))
			rc = err_set(e, ERR_DATA_CORRUPTED, "checkpoint header of view \"%s\" does "
				     "not match its sources", view->obj->name);
		sb_deinit(&hdr);
		if (rc == 0) {
			view->ck_saved = true;
			view->ck_restored = a.entries + 1;
		}
	} else if (rc == 0) {
		/* Not in the checkpoint: the view was dropped before it (its DROP replays
		 * below S), so it stays empty and inert until then. */
	}
	sb_deinit(&k);
	kv_abort(t);
	return rc < 0 ? -1 : 0;
}

void ckpt_forget(struct Eddy *db, ObjRt *rt)
{
	if (!db->kv || db->stopping)
		return;
	db->ck_dropped = mem_realloc(db->ck_dropped, sizeof(uint64_t) * (size_t)(db->nck_dropped + 1));
	db->ck_dropped[db->nck_dropped++] = rt->cseq;
}

/* ---- writing */

/* Writes a view's entries under tag + id. */
typedef struct KvWriter {
	StateWriter w;
	KvTxn *t;
	StrBuf key;
	size_t base; /* length of tag + id */
	uint64_t puts, dels;
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
	kw->puts++;
	return kv_put(kw->t, kw->key.data, kw->key.len, val, vlen, e);
}

static int kw_del(StateWriter *w, const void *key, size_t klen, Err *e)
{
	KvWriter *kw = (KvWriter *)w;
	kw_key(kw, key, klen);
	kw->dels++;
	return kv_del(kw->t, kw->key.data, kw->key.len, e);
}

static void kw_start(KvWriter *kw, char tag, uint64_t id)
{
	id_key(&kw->key, tag, id);
	kw->base = kw->key.len;
}

static int delete_view(KvTxn *t, uint64_t id, Err *e)
{
	StrBuf k;
	sb_init(&k);
	int rc = 0;
	static const char tags[] = {'H', 'D', 'R'};
	for (size_t i = 0; i < sizeof tags && rc == 0; i++) {
		id_key(&k, tags[i], id);
		rc = kv_del_prefix(t, k.data, k.len, e);
	}
	sb_deinit(&k);
	return rc;
}

static int save_view(KvTxn *t, ObjRt *rt, KvWriter *kw, Err *e)
{
	bool full = !rt->ck_saved;
	int64_t t0 = mono_now();
	uint64_t before = kw->puts + kw->dels;
	if (full && delete_view(t, rt->cseq, e) < 0)
		return -1;
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
	StrBuf k;
	sb_init(&k);
	id_key(&k, 'H', rt->cseq);
	int rc = kv_put(t, k.data, k.len, v.data, v.len, e);
	sb_deinit(&k);
	sb_deinit(&v);
	rt->ck_entries = kw->puts + kw->dels - before + 1;
	rt->ck_us = mono_now() - t0;
	return rc;
}

static int save_stream(KvTxn *t, ObjRt *rt, Err *e)
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
	int rc = kv_put(t, k.data, k.len, v.data, v.len, e);
	sb_deinit(&k);
	sb_deinit(&v);
	return rc;
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

int eng_checkpoint(struct Eddy *db, Err *e)
{
	if (!db->kv || !db->ck_ready || db->replaying || db->ck_interval_us < 0 ||
	    !all_checkpointable(db))
		return 0;
	int64_t t0 = mono_now();
	KvTxn *t;
	if (kv_begin(db->kv, true, &t, e) < 0)
		return -1;
	KvWriter kw = {.w = {kw_put, kw_del}, .t = t};
	sb_init(&kw.key);
	int rc = 0;
	for (int i = 0; rc == 0 && i < db->nck_dropped; i++)
		rc = delete_view(t, db->ck_dropped[i], e);
	/* Streams are rewritten whole (one small entry each), which also drops dropped ones. */
	if (rc == 0)
		rc = kv_del_prefix(t, "S", 1, e);
	for (int i = 0; rc == 0 && i < catalog_count(db->cat); i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (!rt)
			continue;
		if (rt->obj->kind == OBJ_STREAM)
			rc = save_stream(t, rt, e);
		else if (rt->df)
			rc = save_view(t, rt, &kw, e);
	}
	if (rc == 0) {
		StrBuf v;
		sb_init(&v);
		bin_put_u32(&v, CKPT_FORMAT);
		bin_put_u64(&v, db->seq);
		bin_put_u64(&v, db->epoch);
		bin_put_i64(&v, eng_now_us());
		rc = kv_put(t, "M", 1, v.data, v.len, e);
		sb_deinit(&v);
	}
	sb_deinit(&kw.key);
	if (rc < 0) {
		kv_abort(t);
	} else {
		rc = kv_commit(t, e);
	}
	/* The operators forgot their changes as they wrote them: after a failure the next
	 * checkpoint rewrites every view whole. */
	for (int i = 0; i < catalog_count(db->cat); i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (rt && rt->df)
			rt->ck_saved = rc == 0;
		if (rc == 0 && rt && rt->log)
			log_keep_from(rt->log, rt->ncons ? rt->end_offset : UINT64_MAX);
	}
	if (rc < 0)
		return -1;
	db->nck_dropped = 0;
	db->ck_seq = db->seq;
	db->ck_count++;
	db->ck_last_us = mono_now();
	db->ck_last_duration_us = db->ck_last_us - t0;
	db->ck_last_puts = kw.puts;
	db->ck_last_dels = kw.dels;
	return 0;
}

void eng_checkpoint_due(struct Eddy *db)
{
	if (!db->kv || db->replaying || db->ck_interval_us < 0 ||
	    mono_now() - db->ck_last_us < db->ck_interval_us)
		return;
	Err e;
	err_clear(&e);
	if (eng_checkpoint(db, &e) < 0) {
		fprintf(stderr, "eddy: checkpoint failed: %s (SQLSTATE %s); retrying in %lld ms\n",
			e.msg, err_sqlstate(e.code), (long long)(db->ck_interval_us / 1000));
		db->ck_last_us = mono_now();
	}
}
