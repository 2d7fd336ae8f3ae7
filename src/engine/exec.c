/* exec.c: executing SQL text: parse, bind, run each statement, hand back its result.
 *
 * Layer: engine. Statements run one at a time under the database lock, in the order written;
 * the first error stops the text. DDL changes the catalog and builds or drops runtimes; a CREATE
 * keeps its statement's arena as the new object's memory (the bound plan lives there). */
#include "engine/engine_int.h"

#include "batch/batch.h"
#include "plan/binder.h"
#include "plan/optimize.h"
#include "sql/parser.h"
#include "vec/value.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void type_text(TypeId t, int32_t typmod, StrBuf *out)
{
	sb_puts(out, type_name(t));
	if (typmod < 0)
		return;
	if (t == T_VARCHAR)
		sb_printf(out, "(%d)", (int)typmod);
	else if (t == T_NUMERIC)
		sb_printf(out, "(%d,%d)", (int)(typmod >> 16), (int)(typmod & 0xffff));
}

static int view_output(void *arg, const Chunk *c, Err *e)
{
	ObjRt *rt = arg;
	mvstore_apply(rt->store, c);
	return eng_publish(rt, c, e);
}

static int sink_output(void *arg, const Chunk *c, Err *e)
{
	ObjRt *rt = arg;
	return rt->sink->write(rt->sink, c, e);
}

/* Detaches a dropped object's runtime from everything that feeds it. */
static void on_drop(void *arg, CatObject *obj)
{
	ObjRt *rt = obj->rt;
	if (!rt)
		return;
	if (rt->df) {
		for (int i = 0; i < dataflow_ninputs(rt->df); i++) {
			CatObject *in = dataflow_input(rt->df, i);
			if (in->rt)
				rt_remove_consumers_of(in->rt, rt);
		}
	}
	rt_free(rt);
}

static int exec_create(struct Eddy *db, BoundStmt *st, const char *sql, Arena *a,
		       EddyResult **res, Err *e)
{
	CatObject *old = catalog_find(db->cat, st->name);
	if (old && st->if_not_exists) {
		*res = result_new(0, NULL, NULL);
		result_set_tag(*res, "%s", st->tag);
		return 0;
	}
	CatObject *obj = catalog_create(db->cat, st->obj_kind, st->name, e);
	if (!obj)
		return -1;
	arena_adopt(&obj->arena, a);
	obj->ncols = st->ncols;
	obj->cols = st->cols;
	obj->npk = st->npk;
	obj->pk = st->pk;
	obj->wm_col = st->wm_col;
	obj->wm_expr = st->wm_expr;
	obj->nopts = st->nopts;
	obj->opts = st->opts;
	obj->sql = arena_strndup(&obj->arena, sql + st->location, (size_t)st->length);
	obj->plan = st->query;
	obj->ndeps = st->ndeps;
	obj->deps = st->deps;
	switch (st->obj_kind) {
	case OBJ_STREAM:
	case OBJ_SOURCE:
		obj->append_only = true;
		break;
	case OBJ_TABLE:
		obj->append_only = false;
		break;
	case OBJ_SINK:
	case OBJ_MVIEW:
		obj->append_only = st->query->append_only;
		if (!st->ncols) {
			obj->ncols = st->query->ncols;
			obj->cols = st->query->cols;
		}
		break;
	}
	if (st->obj_kind == OBJ_SOURCE) {
		const char *conn = catobj_option(obj, "connector");
		if (!conn) {
			err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"connector\" is required");
			goto fail;
		}
		Option *opts;
		int nopts = eng_connector_opts(obj, &opts);
		int rc = source_check(conn, opts, nopts, &obj->cols, &obj->ncols, &obj->arena, e);
		mem_free(opts);
		if (rc < 0)
			goto fail;
	}
	int64_t idle_us = 0;
	if ((st->obj_kind == OBJ_STREAM || st->obj_kind == OBJ_SOURCE) &&
	    eng_idle_timeout(obj, &idle_us, e) < 0)
		goto fail;
	if (st->obj_kind == OBJ_SINK &&
	    sink_check(catobj_option(obj, "connector"), obj->opts, obj->nopts, obj->cols,
		       obj->ncols, e) < 0)
		goto fail;
	ObjRt *rt = rt_new(db, obj);
	rt->idle_timeout_us = idle_us;
	if (st->obj_kind == OBJ_STREAM && eng_stream_open(db, rt, e) < 0)
		goto fail;
	if (st->obj_kind == OBJ_MVIEW || st->obj_kind == OBJ_SINK) {
		rt->df = dataflow_build(obj->plan, DF_STREAMING, e);
		if (!rt->df)
			goto fail;
		/* A sink runs like a view whose output goes to its writer instead of a store. */
		if (st->obj_kind == OBJ_SINK &&
		    !(rt->sink = sink_open(catobj_option(obj, "connector"), obj->opts, obj->nopts,
					   obj->cols, obj->ncols, e)))
			goto fail;
		dataflow_set_output(rt->df, rt->sink ? sink_output : view_output, rt);
		if (eng_backfill(db, rt, e) < 0 ||
		    (rt->sink && rt->sink->flush(rt->sink, db->epoch, e) < 0))
			goto fail;
	}
	*res = result_new(0, NULL, NULL);
	result_set_tag(*res, "%s", st->tag);
	return 0;
fail:
	catalog_drop(db->cat, obj, true, on_drop, db, NULL);
	return -1;
}

static int exec_drop(struct Eddy *db, BoundStmt *st, EddyResult **res, Err *e)
{
	if (st->target && catalog_drop(db->cat, st->target, st->cascade, on_drop, db, e) < 0)
		return -1;
	*res = result_new(0, NULL, NULL);
	result_set_tag(*res, "%s", st->tag);
	return 0;
}

static int exec_insert(struct Eddy *db, BoundStmt *st, EddyResult **res, Err *e)
{
	BatchRows l = {0};
	uint64_t count = 0;
	int rc = batch_run_cancel(st->query, eng_scan_op, db, batch_rows_add, &l, db->cancel, e);
	if (rc == 0)
		rc = eng_insert_chunks(db, st->target, l.chunks, l.n, &count, e);
	batch_rows_free(&l);
	if (rc < 0)
		return -1;
	*res = result_new(0, NULL, NULL);
	result_set_tag(*res, "INSERT 0 %" PRIu64, count);
	return 0;
}

static EddyResult *result_for(const LogicalOp *plan)
{
	const char *names[MAX_COLUMNS];
	TypeId types[MAX_COLUMNS];
	for (int i = 0; i < plan->ncols; i++) {
		names[i] = plan->cols[i].name;
		types[i] = plan->cols[i].type;
	}
	return result_new(plan->ncols, names, types);
}

static int exec_select(struct Eddy *db, BoundStmt *st, EddyResult **res, Err *e)
{
	EddyResult *r = result_for(st->query);
	if (batch_run_cancel(st->query, eng_scan_op, db, result_collect, r, db->cancel, e) < 0) {
		eddy_result_free(r);
		return -1;
	}
	result_set_tag(r, "SELECT %" PRId64, r->nrows);
	*res = r;
	return 0;
}

static void add_lines(EddyResult *r, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = mem_strndup(p, n);
		const char *vals[1] = {line};
		result_add_text_row(r, vals);
		mem_free(line);
		p += n + (nl ? 1 : 0);
	}
}

static int exec_explain(struct Eddy *db, BoundStmt *st, EddyResult **res, Err *e)
{
	BoundStmt *in = st->inner;
	StrBuf sb;
	sb_init(&sb);
	const LogicalOp *plan = in->query;
	if (!plan) {
		sb_deinit(&sb);
		return err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			       "EXPLAIN shows queries and materialized views only");
	}
	int rc = 0;
	if (in->kind == STMT_CREATE && (in->obj_kind == OBJ_MVIEW || in->obj_kind == OBJ_SINK)) {
		Dataflow *df = dataflow_build(plan, DF_STREAMING, e);
		if (!df) {
			sb_deinit(&sb);
			return -1;
		}
		sb_puts(&sb, "Dataflow:\n");
		if (in->obj_kind == OBJ_SINK) {
			/* A sink's dataflow feeds its writer: shown as the root above the plan. */
			const char *conn = "?";
			for (int i = 0; i < in->nopts; i++)
				if (strcmp(in->opts[i].key, "connector") == 0)
					conn = in->opts[i].value;
			sb_printf(&sb, "Sink %s connector=%s\n", in->name, conn);
		}
		dataflow_explain(df, &sb);
		sb_puts(&sb, "Logical plan:\n");
		lop_print(plan, &sb);
		dataflow_free(df);
	} else {
		lop_print(plan, &sb);
	}
	const char *name = "QUERY PLAN";
	TypeId t = T_VARCHAR;
	EddyResult *r = result_new(1, &name, &t);
	add_lines(r, sb.data ? sb.data : "");
	sb_deinit(&sb);
	result_set_tag(r, "EXPLAIN");
	*res = r;
	return rc;
}

static int exec_show(struct Eddy *db, BoundStmt *st, EddyResult **res)
{
	static const char *const stream_cols[] = {"name", "rows", "watermark",
						  "last_scan_batches_read",
						  "last_scan_batches_skipped"};
	static const char *const table_cols[] = {"name", "rows"};
	static const char *const source_cols[] = {"name", "connector"};
	static const char *const sink_cols[] = {"name", "connector", "rows"};
	static const char *const view_cols[] = {
		"name",	      "rows",		      "state_bytes",	"rows_bytes",
		"late_rows", "row_errors",	      "checkpoint_entries", "checkpoint_us",
		"restored_entries"};
	const char *const *cols;
	int ncols;
	switch (st->show_kind) {
	case OBJ_STREAM:
		cols = stream_cols;
		ncols = 5;
		break;
	case OBJ_TABLE:
		cols = table_cols;
		ncols = 2;
		break;
	case OBJ_SOURCE:
		cols = source_cols;
		ncols = 2;
		break;
	case OBJ_SINK:
		cols = sink_cols;
		ncols = 3;
		break;
	default:
		cols = view_cols;
		ncols = 9;
		break;
	}
	TypeId types[9] = {T_VARCHAR, T_INT8, T_INT8, T_INT8, T_INT8,
			   T_INT8,    T_INT8, T_INT8, T_INT8};
	if (st->show_kind == OBJ_STREAM)
		types[2] = T_VARCHAR;
	if (st->show_kind == OBJ_SOURCE || st->show_kind == OBJ_SINK)
		types[1] = T_VARCHAR;
	EddyResult *r = result_new(ncols, cols, types);
	for (int i = 0; i < catalog_count(db->cat); i++) {
		CatObject *o = catalog_at(db->cat, i);
		ObjRt *rt = o->rt;
		if (o->kind != st->show_kind || !rt)
			continue;
		char b[8][32];
		const char *vals[9] = {o->name, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]};
		switch (o->kind) {
		case OBJ_STREAM:
			snprintf(b[0], sizeof b[0], "%" PRIu64, rt->rows);
			if (rt->watermark == INT64_MIN) {
				vals[2] = NULL;
			} else {
				StrBuf sb;
				sb_init(&sb);
				Value v = value_int(o->cols[o->wm_col].type, rt->watermark);
				value_format(&v, &sb);
				snprintf(b[1], sizeof b[1], "%s", sb.data);
				sb_deinit(&sb);
			}
			/* The pruning of the last history scan (0 without a data directory). */
			snprintf(b[2], sizeof b[2], "%" PRIu64, rt->last_scan.batches_read);
			snprintf(b[3], sizeof b[3], "%" PRIu64, rt->last_scan.batches_skipped);
			break;
		case OBJ_TABLE:
			snprintf(b[0], sizeof b[0], "%" PRIu64, rt->store->nrows);
			break;
		case OBJ_SOURCE:
			vals[1] = catobj_option(o, "connector");
			break;
		case OBJ_SINK:
			vals[1] = catobj_option(o, "connector");
			vals[2] = b[1];
			snprintf(b[1], sizeof b[1], "%" PRIu64, rt->sink->rows);
			break;
		case OBJ_MVIEW:
			snprintf(b[0], sizeof b[0], "%" PRIu64, rt->store->nrows);
			/* Operator state (what windows free) apart from the view's own rows. */
			snprintf(b[1], sizeof b[1], "%zu", dataflow_state_bytes(rt->df));
			snprintf(b[2], sizeof b[2], "%zu", mvstore_bytes(rt->store));
			snprintf(b[3], sizeof b[3], "%" PRIu64, dataflow_late_rows(rt->df));
			snprintf(b[4], sizeof b[4], "%" PRIu64, dataflow_row_errors(rt->df));
			snprintf(b[5], sizeof b[5], "%" PRIu64, rt->ck_entries);
			snprintf(b[6], sizeof b[6], "%" PRId64, rt->ck_us);
			snprintf(b[7], sizeof b[7], "%" PRIu64, rt->ck_restored);
			break;
		}
		result_add_text_row(r, vals);
	}
	result_set_tag(r, "SHOW");
	*res = r;
	return 0;
}

static int exec_describe(struct Eddy *db, BoundStmt *st, EddyResult **res)
{
	static const char *const cols[] = {"name", "type"};
	TypeId types[2] = {T_VARCHAR, T_VARCHAR};
	EddyResult *r = result_new(2, cols, types);
	CatObject *o = st->target;
	StrBuf sb;
	sb_init(&sb);
	for (int i = 0; i < o->ncols; i++) {
		sb_reset(&sb);
		type_text(o->cols[i].type, o->cols[i].typmod, &sb);
		const char *vals[2] = {o->cols[i].name, sb.data};
		result_add_text_row(r, vals);
	}
	sb_deinit(&sb);
	result_set_tag(r, "DESCRIBE");
	*res = r;
	return 0;
}

/* Runs one bound statement. `a` is the statement's arena; a CREATE adopts it. */
static int exec_bound(struct Eddy *db, BoundStmt *st, const char *sql, Arena *a, EddyResult **res,
		      Err *e)
{
	uint64_t count;
	switch (st->kind) {
	case STMT_CREATE:
		return exec_create(db, st, sql, a, res, e);
	case STMT_DROP:
		return exec_drop(db, st, res, e);
	case STMT_INSERT:
		return exec_insert(db, st, res, e);
	case STMT_DELETE:
	case STMT_UPDATE:
		if (eng_delete_update(db, st, &count, e) < 0)
			return -1;
		*res = result_new(0, NULL, NULL);
		result_set_tag(*res, "%s %" PRIu64, st->kind == STMT_DELETE ? "DELETE" : "UPDATE",
			       count);
		return 0;
	case STMT_SELECT:
		return exec_select(db, st, res, e);
	case STMT_EXPLAIN:
		return exec_explain(db, st, res, e);
	case STMT_SHOW:
		return exec_show(db, st, res);
	case STMT_DESCRIBE:
		return exec_describe(db, st, res);
	case STMT_FLUSH:
		if (eng_flush(db, e) < 0)
			return -1;
		*res = result_new(0, NULL, NULL);
		result_set_tag(*res, "FLUSH");
		return 0;
	case STMT_NOOP:
		*res = result_new(0, NULL, NULL);
		result_set_tag(*res, "%s", st->tag);
		return 0;
	case STMT_USER:
		return eng_exec_user(db, st, a, res, e);
	}
	return err_set(e, ERR_INTERNAL, "unknown statement kind %d", (int)st->kind);
}

/* Statements the journal records as text. An INSERT is not one of them: stream rows go to the
 * stream log and table rows are journaled as values by eng_insert_chunks. */
static bool changes_database(const BoundStmt *st)
{
	switch (st->kind) {
	case STMT_CREATE:
	case STMT_DROP:
	case STMT_DELETE:
	case STMT_UPDATE:
	case STMT_USER:
		return true;
	default:
		return false;
	}
}

/* Runs every statement; `keep` receives the last result instead of fn (eddy_query). */
static int exec_text(struct Eddy *db, const char *sql, EddyResultFn fn, void *ctx,
		     EddyResult **keep, Err *e)
{
	Arena parse;
	arena_init(&parse, 16 * 1024);
	AstStmt **stmts;
	int n;
	int rc = sql_parse(sql, &parse, &stmts, &n, e);
	if (rc == 0 && keep && n != 1)
		rc = err_set(e, ERR_SYNTAX, "expected exactly one statement, got %d", n);
	for (int i = 0; rc == 0 && i < n; i++) {
		Arena *a = arena_new(16 * 1024);
		BoundStmt *st;
		EddyResult *res = NULL;
		db->stmt_now = eng_now_us();
		rc = plan_bind(db->cat, stmts[i], sql, a, &st, e);
		if (rc == 0) {
			plan_optimize_stmt(st, a);
			rc = exec_bound(db, st, sql, a, &res, e);
		}
		if (rc == 0 && changes_database(st))
			rc = st->journal_sql
				     ? journal_append(db, st->journal_sql, strlen(st->journal_sql), e)
				     : journal_append(db, sql + st->location, (size_t)st->length, e);
		arena_free(a);
		if (rc < 0)
			break;
		if (keep) {
			*keep = res;
		} else {
			int stop = fn ? fn(ctx, res) : 0;
			eddy_result_free(res);
			if (stop)
				break;
		}
	}
	arena_deinit(&parse);
	return rc;
}

int eng_exec_locked(struct Eddy *db, const char *sql, Err *e)
{
	return exec_text(db, sql, NULL, NULL, NULL, e);
}

int eddy_exec(Eddy *db, const char *sql, EddyResultFn fn, void *ctx, EddyError *err)
{
	Err e;
	err_clear(&e);
	pthread_mutex_lock(&db->mu);
	int rc = exec_text(db, sql, fn, ctx, NULL, &e);
	eng_checkpoint_due(db);
	pthread_mutex_unlock(&db->mu);
	if (rc < 0)
		eng_export_error(&e, err);
	return rc;
}

int eddy_query(Eddy *db, const char *sql, EddyResult **out, EddyError *err)
{
	return eddy_query_cancel(db, sql, NULL, out, err);
}

int eddy_query_cancel(Eddy *db, const char *sql, const volatile int *cancel, EddyResult **out,
		      EddyError *err)
{
	Err e;
	err_clear(&e);
	*out = NULL;
	pthread_mutex_lock(&db->mu);
	db->cancel = cancel;
	int rc = exec_text(db, sql, NULL, NULL, out, &e);
	db->cancel = NULL;
	eng_checkpoint_due(db);
	pthread_mutex_unlock(&db->mu);
	if (rc < 0)
		eng_export_error(&e, err);
	return rc;
}
