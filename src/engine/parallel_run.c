/* parallel_run.c: eddy_run_parallel, a query over bounded sources on parallel dataflow instances.
 *
 * Layer: engine. The benchmark's way into stream/parallel.h: binds one statement's query against
 * the catalog (the plan is built as for a view, but nothing is created), builds T instances and
 * feeds them the sources. The deterministic sequence of a source is cut into chunks of CHUNK_CAP
 * rows, and the instances together see exactly the events one reader would, each instance's
 * chunks in sequence order (so its watermark, the largest `WATERMARK FOR` value of its chunks,
 * never overtakes its own rows). A reader that can skip rows (skip_rows: the nexmark generator)
 * is opened once per instance, and instance i makes chunks i, i + T, i + 2T, ... itself, so
 * generating scales with the threads; any other source is read by one shared reader under a
 * mutex, an instance taking the next chunk. An exhausted source gets the far-future final
 * watermark, as eng_pump gives it. Output is counted per instance and discarded. Never:
 * touching the views, the journal or the database's lock while the threads run (the catalog is
 * only read, before they start).
 */
#include "base/mem.h"
#include "connect/source.h"
#include "engine/engine_int.h"
#include "plan/binder.h"
#include "plan/optimize.h"
#include "sql/parser.h"
#include "stream/parallel.h"

#include <pthread.h>
#include <string.h>

#define PAR_FINAL_WATERMARK (INT64_MAX / 4)

typedef struct ParSource {
	CatObject *obj;
	SourceReader *reader; /* shared, under mu; NULL when each instance has its own */
	SourceReader **own;   /* per instance: its reader, which skips the others' chunks */
	pthread_mutex_t mu;
	bool done;
} ParSource;

typedef struct ParFeed {
	ParSource *src; /* per input */
	int ninputs;
	int T;
	Chunk **chunk;  /* [inst * ninputs + input] */
	int64_t *wm;    /* [inst * ninputs + input]: the watermark pushed */
	bool *ended;    /* [inst * ninputs + input]: the final watermark pushed */
	int *next;      /* per instance: the input it reads next */
	int64_t *rows;  /* per instance: output rows */
	int64_t now;
} ParFeed;

static int feed_one(void *arg, ParDataflow *p, int inst, Err *e)
{
	ParFeed *f = arg;
	for (int tries = 0; tries < f->ninputs; tries++) {
		int i = f->next[inst];
		f->next[inst] = (i + 1) % f->ninputs;
		int k = inst * f->ninputs + i;
		if (f->ended[k])
			continue;
		ParSource *s = &f->src[i];
		Chunk *c = f->chunk[k];
		chunk_reset(c);
		int n = 0;
		if (s->own) {
			SourceReader *r = s->own[inst];
			n = r->next(r, c, e);
			if (n > 0 && r->skip_rows(r, (int64_t)(f->T - 1) * CHUNK_CAP, e) < 0)
				return -1;
		} else {
			pthread_mutex_lock(&s->mu);
			if (!s->done) {
				n = s->reader->next(s->reader, c, e);
				if (n == 0)
					s->done = true;
			}
			pthread_mutex_unlock(&s->mu);
		}
		if (n < 0)
			return -1;
		if (n == 0) {
			f->ended[k] = true;
			if (s->obj->wm_col < 0)
				return 1;
			return pardf_watermark(p, inst, i, s->obj->wm_col, PAR_FINAL_WATERMARK, e) < 0
				       ? -1
				       : 1;
		}
		if (pardf_push(p, inst, i, c, e) < 0)
			return -1;
		int64_t wm;
		if (eng_watermark_of(s->obj, c, f->now, e, &wm) < 0)
			return -1;
		if (wm > f->wm[k]) {
			f->wm[k] = wm;
			if (pardf_watermark(p, inst, i, s->obj->wm_col, wm, e) < 0)
				return -1;
		}
		return 1;
	}
	return 0;
}

/* Gives each instance a reader of s's source positioned at its first chunk (instance t makes
 * chunks t, t + T, ...); the shared reader becomes instance 0's. */
static int own_readers(ParSource *s, int threads, Err *e)
{
	Option *opts;
	int nopts = eng_connector_opts(s->obj, &opts);
	s->own = mem_calloc((size_t)threads, sizeof *s->own);
	s->own[0] = s->reader;
	s->reader = NULL;
	int rc = 0;
	for (int t = 1; t < threads && rc == 0; t++) {
		s->own[t] = source_open(catobj_option(s->obj, "connector"), opts, nopts,
					s->obj->cols, s->obj->ncols, e);
		if (!s->own[t] || s->own[t]->skip_rows(s->own[t], (int64_t)t * CHUNK_CAP, e) < 0)
			rc = -1;
	}
	mem_free(opts);
	return rc;
}

static int count_out(void *arg, int inst, const Chunk *c, Err *e)
{
	ParFeed *f = arg;
	f->rows[inst] += c->nrows;
	return 0;
}

static const LogicalOp *query_of(const BoundStmt *st, Err *e)
{
	if (st->kind == STMT_SELECT ||
	    (st->kind == STMT_CREATE && (st->obj_kind == OBJ_MVIEW || st->obj_kind == OBJ_SINK)))
		if (st->query)
			return st->query;
	err_set(e, ERR_FEATURE_NOT_SUPPORTED,
		"only a query (SELECT, CREATE MATERIALIZED VIEW or CREATE SINK) runs in parallel");
	return NULL;
}

static int run(struct Eddy *db, const LogicalOp *plan, int threads, int64_t *rows_out, Err *e)
{
	ParDataflow *p = pardf_build(plan, threads, e);
	if (!p)
		return -1;
	Dataflow *df0 = pardf_instance(p, 0);
	ParFeed f = {.ninputs = dataflow_ninputs(df0), .T = threads, .now = eng_now_us()};
	int rc = 0;
	f.src = mem_calloc((size_t)f.ninputs + 1, sizeof *f.src);
	for (int i = 0; i < f.ninputs && rc == 0; i++) {
		CatObject *obj = dataflow_input(df0, i);
		f.src[i].obj = obj;
		pthread_mutex_init(&f.src[i].mu, NULL);
		if (obj->kind != OBJ_SOURCE) {
			rc = err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				     "parallel runs read only sources, not \"%s\"", obj->name);
			break;
		}
		Option *opts;
		int nopts = eng_connector_opts(obj, &opts);
		f.src[i].reader = source_open(catobj_option(obj, "connector"), opts, nopts,
					      obj->cols, obj->ncols, e);
		mem_free(opts);
		if (!f.src[i].reader)
			rc = -1;
		else if (!f.src[i].reader->bounded)
			rc = err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				     "parallel runs read only bounded sources, not \"%s\"",
				     obj->name);
		else if (f.src[i].reader->skip_rows && threads > 1)
			rc = own_readers(&f.src[i], threads, e);
	}
	size_t nk = (size_t)threads * (size_t)f.ninputs + 1;
	f.chunk = mem_calloc(nk, sizeof *f.chunk);
	f.wm = mem_alloc(nk * sizeof *f.wm);
	f.ended = mem_calloc(nk, sizeof *f.ended);
	f.next = mem_calloc((size_t)threads, sizeof *f.next);
	f.rows = mem_calloc((size_t)threads, sizeof *f.rows);
	for (int t = 0; t < threads && rc == 0; t++)
		for (int i = 0; i < f.ninputs; i++) {
			CatObject *obj = f.src[i].obj;
			TypeId types[MAX_COLUMNS];
			for (int c = 0; c < obj->ncols; c++)
				types[c] = obj->cols[c].type;
			f.chunk[t * f.ninputs + i] = chunk_new(types, obj->ncols);
			f.wm[t * f.ninputs + i] = INT64_MIN;
		}
	if (rc == 0) {
		pardf_set_output(p, count_out, &f);
		/* A barrier every 64 chunks per instance, as the engine's pump ends an epoch after
		 * up to 64 chunks of each source. */
		rc = pardf_run(p, feed_one, &f, 64, e);
	}
	*rows_out = 0;
	for (int t = 0; t < threads; t++)
		*rows_out += f.rows[t];
	for (size_t k = 0; k < nk; k++)
		if (f.chunk[k])
			chunk_free(f.chunk[k]);
	for (int i = 0; i < f.ninputs; i++) {
		if (f.src[i].reader)
			f.src[i].reader->close(f.src[i].reader);
		for (int t = 0; f.src[i].own && t < threads; t++)
			if (f.src[i].own[t])
				f.src[i].own[t]->close(f.src[i].own[t]);
		mem_free(f.src[i].own);
		if (f.src[i].obj)
			pthread_mutex_destroy(&f.src[i].mu);
	}
	mem_free(f.src);
	mem_free(f.chunk);
	mem_free(f.wm);
	mem_free(f.ended);
	mem_free(f.next);
	mem_free(f.rows);
	pardf_free(p);
	(void)db;
	return rc;
}

int eddy_run_parallel(Eddy *db, const char *sql, int threads, int64_t *rows_out,
		      EddyError *err)
{
	Err e;
	err_clear(&e);
	*rows_out = 0;
	Arena parse;
	arena_init(&parse, 16 * 1024);
	Arena *a = arena_new(16 * 1024);
	AstStmt **stmts;
	int n = 0;
	BoundStmt *st = NULL;
	const LogicalOp *plan = NULL;
	pthread_mutex_lock(&db->mu);
	int rc = sql_parse(sql, &parse, &stmts, &n, &e);
	if (rc == 0 && n != 1)
		rc = err_set(&e, ERR_SYNTAX, "expected exactly one statement, got %d", n);
	if (rc == 0) {
		db->stmt_now = eng_now_us();
		rc = plan_bind(db->cat, stmts[0], sql, a, &st, &e);
		if (rc == 0)
			plan_optimize_stmt(st, a);
	}
	if (rc == 0 && !(plan = query_of(st, &e)))
		rc = -1;
	pthread_mutex_unlock(&db->mu);
	/* The threads run without the lock: they read only the plan and the sources' options,
	 * which nothing changes while the caller waits here. */
	if (rc == 0)
		rc = run(db, plan, threads, rows_out, &e);
	arena_free(a);
	arena_deinit(&parse);
	if (rc < 0)
		eng_export_error(&e, err);
	return rc;
}
