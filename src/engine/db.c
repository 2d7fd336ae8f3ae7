/* db.c: opening and closing a database; object runtimes; moving changes between them.
 *
 * Layer: engine. Owns the Eddy context, the runtime state of every catalog object (ObjRt), the
 * epoch/barrier cycle, and the background pump that reads generator sources. See engine_int.h for
 * the data movement rules. */
#include "engine/engine_int.h"

#include "batch/batch.h"
#include "expr/func.h"
#include "vec/value.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

_Static_assert((int)EDDY_INTERVAL == (int)T_INTERVAL && (int)EDDY_VARCHAR == (int)T_VARCHAR,
	       "EddyType mirrors TypeId");
_Static_assert((int)EDDY_INTERVAL_ARRAY == (int)T_INTERVAL_ARRAY && T_INTERVAL_ARRAY + 1 == T__COUNT,
	       "EddyType mirrors TypeId, arrays included");

int64_t eng_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

int64_t eng_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

void eng_export_error(const Err *in, EddyError *out)
{
	if (!out)
		return;
	memcpy(out->sqlstate, err_sqlstate(in->code), 6);
	out->position = in->position;
	snprintf(out->message, sizeof out->message, "%s", in->msg);
	snprintf(out->hint, sizeof out->hint, "%s", in->hint);
}

/* ---- object runtimes */

ObjRt *rt_new(struct Eddy *db, CatObject *obj)
{
	ObjRt *rt = mem_calloc(1, sizeof *rt);
	rt->obj = obj;
	rt->db = db;
	rt->watermark = INT64_MIN;
	rt->active_us = eng_mono_us();
	rt->cseq = db->seq;
	obj->rt = rt;
	if (obj->kind == OBJ_TABLE || obj->kind == OBJ_MVIEW) {
		TypeId types[MAX_COLUMNS];
		for (int i = 0; i < obj->ncols; i++)
			types[i] = obj->cols[i].type;
		rt->store = mvstore_new(types, obj->ncols, obj->pk, obj->npk);
	}
	return rt;
}

static void run_free(SourceRun *run)
{
	if (run->reader)
		run->reader->close(run->reader);
	chunk_free(run->chunk);
	mem_free(run);
}

void rt_free(ObjRt *rt)
{
	if (!rt)
		return;
	if (rt->obj->kind == OBJ_STREAM)
		eng_stream_close(rt, !rt->db->stopping); /* dropped unless the database closes */
	if (rt->df)
		ckpt_forget(rt->db, rt);
	for (int i = 0; i < rt->nhist; i++)
		chunk_free(rt->hist[i]);
	mem_free(rt->hist);
	mem_free(rt->hist_us);
	mem_free(rt->hist_bytes);
	mem_free(rt->cons);
	if (rt->store)
		mvstore_free(rt->store);
	if (rt->df)
		dataflow_free(rt->df);
	if (rt->sink)
		rt->sink->close(rt->sink);
	for (int i = 0; i < rt->nruns; i++)
		run_free(rt->runs[i]);
	mem_free(rt->runs);
	/* Subscriptions belong to their callers until eddy_unsubscribe: park them. */
	EddySubscription *s = rt->subs;
	while (s) {
		EddySubscription *next = s->next;
		s->rt = NULL;
		s->stopped = true;
		s->next = rt->db->orphans;
		rt->db->orphans = s;
		s = next;
	}
	rt->obj->rt = NULL;
	mem_free(rt);
}

int rt_add_consumer(ObjRt *rt, ObjRt *view, int input)
{
	if (rt->ncons == rt->capcons) {
		rt->capcons = rt->capcons ? rt->capcons * 2 : 4;
		rt->cons = mem_realloc(rt->cons, sizeof(Consumer) * (size_t)rt->capcons);
	}
	rt->cons[rt->ncons].view = view;
	rt->cons[rt->ncons].input = input;
	rt->ncons++;
	return 0;
}

void rt_remove_consumers_of(ObjRt *rt, ObjRt *view)
{
	int j = 0;
	for (int i = 0; i < rt->ncons; i++)
		if (rt->cons[i].view != view)
			rt->cons[j++] = rt->cons[i];
	rt->ncons = j;
}

/* ---- moving changes */

int eng_publish(ObjRt *rt, const Chunk *c, Err *e)
{
	if (c->nrows == 0)
		return 0;
	/* Below the checkpoint only views being rebuilt (ckpt_view_stale) are fed. */
	bool restoring = eng_restoring(rt->db);
	if (!restoring)
		rt->active_us = eng_mono_us();
	for (int i = 0; i < rt->ncons; i++) {
		Consumer *k = &rt->cons[i];
		if (restoring && !k->view->ck_rebuild)
			continue;
		if (dataflow_push(k->view->df, k->input, c, e) < 0)
			return -1;
	}
	if (!restoring)
		eng_notify_subscribers(rt, c);
	return 0;
}

int eng_end_epoch(struct Eddy *db, Err *e)
{
	if (eng_restoring(db)) {
		/* The views are as of the checkpoint: only those being rebuilt take changes. */
		for (int i = 0; i < catalog_count(db->cat); i++) {
			ObjRt *rt = catalog_at(db->cat, i)->rt;
			if (rt && rt->ck_rebuild && rt->df &&
			    dataflow_barrier(rt->df, db->epoch, e) < 0)
				return -1;
		}
		return 0;
	}
	db->epoch++;
	int n = catalog_count(db->cat);
	for (int i = 0; i < n; i++) {
		CatObject *obj = catalog_at(db->cat, i);
		ObjRt *rt = obj->rt;
		if ((obj->kind == OBJ_MVIEW || obj->kind == OBJ_SINK) && rt && rt->df)
			if (dataflow_barrier(rt->df, db->epoch, e) < 0)
				return -1;
		if (rt && rt->sink && rt->sink->flush(rt->sink, db->epoch, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- sources */

/* The largest watermark expression value over the rows of c, or INT64_MIN. */
/* True when the watermark expression x is the column col of type timestamp shifted by a constant
 * (`col`, `col - INTERVAL '4' SECOND`, `col + ...`; days only without a time zone): it never
 * goes down as the column goes up, so its largest value over a chunk is the column's largest
 * value shifted by *shift. */
static bool wm_shift(const Expr *x, int col, TypeId type, int64_t *shift)
{
	*shift = 0;
	if (x->kind == EXPR_COL)
		return x->col == col;
	if (x->kind != EXPR_FUNC || x->nargs != 2 || (type != T_TIMESTAMP && type != T_TIMESTAMPTZ))
		return false;
	bool minus = strcmp(x->fn->name, "-") == 0;
	const Expr *c = x->args[0], *k = x->args[1];
	if ((!minus && strcmp(x->fn->name, "+") != 0) || c->kind != EXPR_COL || c->col != col ||
	    k->kind != EXPR_CONST || k->type != T_INTERVAL || k->val.null ||
	    k->val.u.iv.months != 0 || (type == T_TIMESTAMPTZ && k->val.u.iv.days != 0))
		return false;
	*shift = k->val.u.iv.us + (int64_t)k->val.u.iv.days * US_PER_DAY;
	if (minus)
		*shift = -*shift;
	return true;
}

int eng_watermark_of(CatObject *obj, const Chunk *c, int64_t stmt_now, Err *e, int64_t *out)
{
	*out = INT64_MIN;
	if (obj->wm_col < 0 || !obj->wm_expr || c->nrows == 0)
		return 0;
	int64_t shift, top = INT64_MIN, w;
	const Vector *col = &c->cols[obj->wm_col];
	if (wm_shift(obj->wm_expr, obj->wm_col, col->type, &shift)) {
		const int64_t *ts = VEC_DATA(col, int64_t);
		for (int i = 0; i < c->nrows; i++)
			if (!col->nulls[i] && ts[i] > top)
				top = ts[i];
		if (top == INT64_MIN || !__builtin_add_overflow(top, shift, &w)) {
			*out = top == INT64_MIN ? INT64_MIN : w;
			return 0;
		}
	}
	Arena scratch;
	arena_init(&scratch, 16 * 1024);
	ExprCtx cx = {.arena = &scratch, .err = e, .null_on_error = true, .now = stmt_now};
	Vector *v = vec_new_in(&scratch, obj->wm_expr->type);
	int rc = expr_eval(obj->wm_expr, c, v, &cx);
	if (rc == 0) {
		const int64_t *ts = VEC_DATA(v, int64_t);
		for (int i = 0; i < c->nrows; i++)
			if (!v->nulls[i] && ts[i] > *out)
				*out = ts[i];
	}
	arena_deinit(&scratch);
	return rc;
}

/* Pushes one chunk read from a source into its view, and the watermark that follows it. */
static int run_push(struct Eddy *db, SourceRun *run, Err *e)
{
	CatObject *src = run->src->obj;
	run->active_us = eng_mono_us();
	if (dataflow_push(run->view->df, run->input, run->chunk, e) < 0)
		return -1;
	int64_t wm;
	if (eng_watermark_of(src, run->chunk, db->stmt_now, e, &wm) < 0)
		return -1;
	if (wm > run->watermark) {
		run->watermark = wm;
		if (dataflow_watermark(run->view->df, run->input, src->wm_col, wm, e) < 0)
			return -1;
	}
	return 0;
}

/* A far-future watermark sent when a bounded source ends: no row will ever come again. */
#define FINAL_WATERMARK (INT64_MAX / 4)

static int run_step(struct Eddy *db, SourceRun *run, Err *e)
{
	chunk_reset(run->chunk);
	int n = run->reader->next(run->reader, run->chunk, e);
	if (n < 0)
		return -1;
	if (n == 0) {
		run->done = true;
		if (run->src->obj->wm_col >= 0) {
			run->watermark = FINAL_WATERMARK;
			return dataflow_watermark(run->view->df, run->input, run->src->obj->wm_col,
						  FINAL_WATERMARK, e);
		}
		return 0;
	}
	run->produced += (uint64_t)n;
	return run_push(db, run, e);
}

/* The time input i of view last produced rows, for its idle timeout. */
static int64_t input_active_us(const ObjRt *view, int input, const ObjRt *in)
{
	for (int r = 0; r < view->nruns; r++)
		if (view->runs[r]->input == input)
			return view->runs[r]->active_us;
	return in->active_us;
}

/* Marks idle every view input whose object has an idle timeout and produced nothing for that
 * long (wall clock), so that it stops holding the view's watermark back (docs/windows.md).
 * Returns the number of inputs newly marked. */
static int mark_idle_inputs(struct Eddy *db, Err *e)
{
	int marked = 0;
	int64_t now = eng_mono_us();
	int n = catalog_count(db->cat);
	for (int i = 0; i < n; i++) {
		ObjRt *rt = catalog_at(db->cat, i)->rt;
		if (!rt || !rt->df)
			continue;
		for (int k = 0; k < dataflow_ninputs(rt->df); k++) {
			const ObjRt *in = dataflow_input(rt->df, k)->rt;
			if (!in || !in->idle_timeout_us || dataflow_input_is_idle(rt->df, k) ||
			    now - input_active_us(rt, k, in) < in->idle_timeout_us)
				continue;
			if (dataflow_input_idle(rt->df, k, true, e) < 0)
				return -1;
			marked++;
		}
	}
	return marked;
}

int eng_idle_timeout(const CatObject *obj, int64_t *out, Err *e)
{
	*out = 0;
	const char *v = catobj_option(obj, "watermark.idle_timeout");
	return v ? eng_parse_age("watermark.idle_timeout", v, out, e) : 0;
}

int eng_connector_opts(const CatObject *obj, Option **out)
{
	Option *o = mem_alloc(sizeof *o * (size_t)(obj->nopts + 1));
	int n = 0;
	for (int i = 0; i < obj->nopts; i++)
		if (strncmp(obj->opts[i].key, "watermark.", 10) != 0)
			o[n++] = obj->opts[i];
	*out = o;
	return n;
}

int eng_pump(struct Eddy *db, int max_chunks, Err *e)
{
	int pumped = 0;
	int n = catalog_count(db->cat);
	for (int i = 0; i < n; i++) {
		CatObject *obj = catalog_at(db->cat, i);
		ObjRt *rt = obj->rt;
		if ((obj->kind != OBJ_MVIEW && obj->kind != OBJ_SINK) || !rt)
			continue;
		for (int r = 0; r < rt->nruns; r++) {
			SourceRun *run = rt->runs[r];
			if (!run->reader->bounded && run->reader->rate > 0) {
				/* Pace unbounded sources to wall-clock time at their event rate: read
				 * just the rows that are due. */
				/* A reader restored from a checkpoint goes on at its pace. */
				if (!run->started_us)
					run->started_us = eng_mono_us() -
							  (int64_t)((double)run->produced /
								    run->reader->rate * 1e6);
				double due = (double)(eng_mono_us() - run->started_us) / 1e6 *
					     run->reader->rate;
				double lag = due - (double)run->produced;
				for (int k = 0; lag >= 1 && (max_chunks < 0 || k < max_chunks); k++) {
					run->reader->max_rows = lag < CHUNK_CAP ? (int)lag : CHUNK_CAP;
					if (run_step(db, run, e) < 0)
						return -1;
					lag -= run->reader->max_rows;
					pumped++;
				}
				continue;
			}
			for (int k = 0; !run->done && (max_chunks < 0 || k < max_chunks); k++) {
				if (run_step(db, run, e) < 0)
					return -1;
				pumped++;
			}
		}
	}
	int idled = mark_idle_inputs(db, e);
	if (idled < 0)
		return -1;
	if ((pumped || idled) && eng_end_epoch(db, e) < 0)
		return -1;
	return pumped;
}

int eng_flush(struct Eddy *db, Err *e)
{
	/* Bounded sources are drained; unbounded ones catch up with their pace. */
	for (;;) {
		int n = eng_pump(db, 64, e);
		if (n < 0)
			return -1;
		bool pending = false;
		int cnt = catalog_count(db->cat);
		for (int i = 0; i < cnt && !pending; i++) {
			ObjRt *rt = catalog_at(db->cat, i)->rt;
			for (int r = 0; rt && r < rt->nruns; r++)
				if (rt->runs[r]->reader->bounded && !rt->runs[r]->done)
					pending = true;
		}
		if (!pending)
			break;
	}
	return eng_end_epoch(db, e);
}

static void *pump_main(void *arg)
{
	struct Eddy *db = arg;
	pthread_mutex_lock(&db->mu);
	while (!db->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t ns = ts.tv_nsec + (int64_t)db->tick_ms * 1000000;
		ts.tv_sec += ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		pthread_cond_timedwait(&db->pump_cv, &db->mu, &ts);
		if (db->stopping)
			break;
		Err e;
		err_clear(&e);
		db->stmt_now = eng_now_us();
		if (eng_pump(db, 16, &e) < 0)
			fprintf(stderr, "eddy: source pump: %s (SQLSTATE %s)\n", e.msg,
				err_sqlstate(e.code));
		eng_checkpoint_due(db);
	}
	pthread_mutex_unlock(&db->mu);
	return NULL;
}

void eng_start_pump(struct Eddy *db)
{
	if (db->pump_started)
		return;
	if (pthread_create(&db->pump, NULL, pump_main, db) == 0)
		db->pump_started = true;
}

/* ---- snapshots */

int eng_scan_op(void *arg, const LogicalOp *scan, int (*emit)(void *, const Chunk *, Err *),
		void *emit_arg, Err *e)
{
	ObjRt *rt = scan->obj->rt;
	if (scan->scan_by_time && scan->obj->kind == OBJ_STREAM && rt->log)
		return eng_stream_scan(rt, true, scan->scan_min_time, scan->scan_max_time, emit,
				       emit_arg, e);
	return eng_scan_object(arg, scan->obj, emit, emit_arg, e);
}

int eng_scan_object(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		    void *emit_arg, Err *e)
{
	ObjRt *rt = obj->rt;
	switch (obj->kind) {
	case OBJ_STREAM:
		if (rt->log)
			return eng_stream_scan(rt, false, 0, 0, emit, emit_arg, e);
		for (int i = 0; i < rt->nhist; i++)
			if (emit(emit_arg, rt->hist[i], e) < 0)
				return -1;
		return 0;
	case OBJ_TABLE:
	case OBJ_MVIEW:
		return mvstore_scan(rt->store, emit, emit_arg, e);
	case OBJ_SINK:
		return 0; /* never read: the binder refuses FROM sink */
	case OBJ_SOURCE: {
		Option *opts;
		int nopts = eng_connector_opts(obj, &opts);
		SourceReader *r = source_open(catobj_option(obj, "connector"), opts, nopts,
					      obj->cols, obj->ncols, e);
		mem_free(opts);
		if (!r)
			return -1;
		if (!r->bounded) {
			r->close(r);
			err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				"cannot read unbounded source \"%s\" in a query", obj->name);
			err_hint(e, "Create a materialized view over it, or give the source a "
				    "bounded number of events.");
			return -1;
		}
		TypeId types[MAX_COLUMNS];
		for (int i = 0; i < obj->ncols; i++)
			types[i] = obj->cols[i].type;
		Chunk *c = chunk_new(types, obj->ncols);
		int rc = 0;
		for (;;) {
			chunk_reset(c);
			int n = r->next(r, c, e);
			if (n <= 0) {
				rc = n;
				break;
			}
			if (emit(emit_arg, c, e) < 0) {
				rc = -1;
				break;
			}
		}
		chunk_free(c);
		r->close(r);
		return rc;
	}
	}
	return 0;
}

typedef struct PushArg {
	Dataflow *df;
	int input;
} PushArg;

static int push_emit(void *arg, const Chunk *c, Err *e)
{
	PushArg *p = arg;
	return dataflow_push(p->df, p->input, c, e);
}

int eng_backfill(struct Eddy *db, ObjRt *view, Err *e)
{
	Dataflow *df = view->df;
	view->ck_fp = ckpt_fingerprint(view);
	bool restoring = eng_restoring(db);
	if (restoring) {
		int stale = ckpt_view_stale(db, view, e);
		if (stale < 0)
			return -1;
		/* Built as a live view is: from its inputs as they are at the checkpoint (streams
		 * are read up to its offsets), then fed the table changes replayed below it. */
		view->ck_rebuild = stale == 1;
		restoring = stale == 0;
	}
	for (int i = 0; i < dataflow_ninputs(df); i++) {
		CatObject *in = dataflow_input(df, i);
		ObjRt *src = in->rt;
		if (in->kind == OBJ_SOURCE) {
			/* Each view reads its sources from the start, pumped in the background. */
			SourceRun *run = mem_calloc(1, sizeof *run);
			run->src = src;
			run->view = view;
			run->input = i;
			run->watermark = INT64_MIN;
			run->active_us = eng_mono_us();
			Option *opts;
			int nopts = eng_connector_opts(in, &opts);
			run->reader = source_open(catobj_option(in, "connector"), opts, nopts,
						  in->cols, in->ncols, e);
			mem_free(opts);
			if (!run->reader) {
				mem_free(run);
				return -1;
			}
			TypeId types[MAX_COLUMNS];
			for (int k = 0; k < in->ncols; k++)
				types[k] = in->cols[k].type;
			run->chunk = chunk_new(types, in->ncols);
			view->runs = mem_realloc(view->runs, sizeof(SourceRun *) * (size_t)(view->nruns + 1));
			view->runs[view->nruns++] = run;
			continue;
		}
		rt_add_consumer(src, view, i);
		if (restoring)
			continue;
		PushArg pa = {df, i};
		if (eng_scan_object(db, in, push_emit, &pa, e) < 0)
			return -1;
		if (in->kind == OBJ_STREAM && src->watermark != INT64_MIN)
			if (dataflow_watermark(df, i, in->wm_col, src->watermark, e) < 0)
				return -1;
	}
	/* Below the checkpoint the view loads its state instead (checkpoint.c). */
	if (restoring ? ckpt_restore_view(db, view, e) < 0
		      : dataflow_barrier(df, db->epoch, e) < 0)
		return -1;
	/* The pump also marks idle inputs, so it runs for inputs with an idle timeout. */
	bool timed = false;
	for (int i = 0; i < dataflow_ninputs(df); i++) {
		const ObjRt *in = dataflow_input(df, i)->rt;
		if (in && in->idle_timeout_us)
			timed = true;
	}
	if (view->nruns || timed)
		eng_start_pump(db);
	return 0;
}

/* ---- open / close */

int eddy_open_ex(const EddyOptions *opts, Eddy **out, EddyError *err)
{
	*out = NULL;
	const char *path = opts ? opts->data_dir : NULL;
	if (path && strcmp(path, ":memory:") == 0)
		path = NULL;
	if (path && mkdir(path, 0755) < 0 && errno != EEXIST) {
		Err e;
		err_clear(&e);
		err_set(&e, ERR_IO, "could not create data directory \"%s\": %s", path,
			strerror(errno));
		eng_export_error(&e, err);
		return -1;
	}
	struct Eddy *db = mem_calloc(1, sizeof *db);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->pump_cv, NULL);
	pthread_rwlock_init(&db->sync_lock, NULL);
	pthread_mutex_init(&db->ck_mu, NULL);
	pthread_cond_init(&db->ck_cv, NULL);
	db->cat = catalog_new();
	db->data_dir = path ? mem_strdup(path) : NULL;
	db->tick_ms = opts && opts->tick_ms > 0 ? opts->tick_ms : 10;
	db->lock_fd = db->journal_fd = -1;
	if (path) {
		Err e;
		err_clear(&e);
		pthread_mutex_lock(&db->mu);
		db->replaying = true;
		int rc = journal_lock(db, &e);
		if (rc == 0)
			rc = ckpt_open(db, opts->checkpoint_ms, &e);
		if (rc == 0)
			rc = journal_replay(db, eng_exec_locked, &e);
		db->replaying = false;
		/* New items are numbered above everything the checkpoint covers. */
		if (db->seq < db->ck_seq)
			db->seq = db->ck_seq;
		db->ck_ready = rc == 0;
		pthread_mutex_unlock(&db->mu);
		if (rc < 0) {
			eng_export_error(&e, err);
			eddy_close(db);
			return -1;
		}
	}
	if (err) {
		memcpy(err->sqlstate, "00000", 6);
		err->message[0] = err->hint[0] = '\0';
		err->position = 0;
	}
	*out = db;
	return 0;
}

int eddy_open(const char *path, Eddy **out, EddyError *err)
{
	EddyOptions o = {.data_dir = path, .tick_ms = 0};
	return eddy_open_ex(&o, out, err);
}

void eddy_close(Eddy *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&db->mu);
	db->stopping = true;
	pthread_cond_broadcast(&db->pump_cv);
	pthread_mutex_unlock(&db->mu);
	if (db->pump_started)
		pthread_join(db->pump, NULL);
	/* A clean close ends with a checkpoint, so the next open replays nothing. */
	ckpt_wait(db);
	if (db->ck_ready) {
		Err e;
		err_clear(&e);
		pthread_mutex_lock(&db->mu);
		if (eng_checkpoint(db, &e) < 0)
			fprintf(stderr, "eddy: final checkpoint failed: %s (SQLSTATE %s)\n", e.msg,
				err_sqlstate(e.code));
		pthread_mutex_unlock(&db->mu);
	}
	ckpt_stop(db);
	/* Views first (newest first), so nothing points at a freed object. */
	for (int i = catalog_count(db->cat) - 1; i >= 0; i--)
		rt_free(catalog_at(db->cat, i)->rt);
	catalog_free(db->cat);
	ckpt_close(db);
	journal_close(db);
	while (db->orphans) {
		EddySubscription *next = db->orphans->next;
		mem_free(db->orphans);
		db->orphans = next;
	}
	mem_free(db->data_dir);
	pthread_cond_destroy(&db->pump_cv);
	pthread_rwlock_destroy(&db->sync_lock);
	pthread_mutex_destroy(&db->ck_mu);
	pthread_cond_destroy(&db->ck_cv);
	pthread_mutex_destroy(&db->mu);
	mem_free(db);
}

int eddy_flush(Eddy *db, EddyError *err)
{
	Err e;
	err_clear(&e);
	pthread_mutex_lock(&db->mu);
	db->stmt_now = eng_now_us();
	int rc = eng_flush(db, &e);
	eng_checkpoint_due(db);
	pthread_mutex_unlock(&db->mu);
	if (rc < 0)
		eng_export_error(&e, err);
	return rc;
}
