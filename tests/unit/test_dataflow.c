/* test_dataflow.c: unit tests of the incremental dataflow (stream/) and the batch executor.
 *
 * Plans are built by hand (small constructors below) over catalog objects filled by hand, so
 * these tests depend on the binder for nothing. Rows go in as text ("+ 1,10,60" = an insert of
 * (1, 10, 60); timestamp columns are given in seconds) and the output changelog comes back as
 * chunk_print text. Covers project/filter over changelogs, tumble windows, aggregation with
 * retractions, global aggregates, late rows and closed windows, UNION ALL alignment, batch
 * sort/limit and the 0A000 rejections of what a view cannot maintain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "batch/batch.h"
#include "stream/dataflow.h"
#include "stream/mview.h"
#include "stream/operator.h"

static Arena A; /* plans and expressions of one test */
static Err E;

static int setup(void **state)
{
	arena_init(&A, 0);
	err_clear(&E);
	return 0;
}

static int teardown(void **state)
{
	arena_deinit(&A);
	return 0;
}

/* ---- Plan constructors. */

static CatObject *mk_obj(const char *name, int n, const char *const *names, const TypeId *types)
{
	CatObject *o = arena_calloc(&A, sizeof *o);
	o->name = arena_strdup(&A, name);
	o->kind = OBJ_STREAM;
	o->ncols = n;
	o->cols = arena_calloc(&A, (size_t)n * sizeof *o->cols);
	for (int i = 0; i < n; i++) {
		o->cols[i].name = arena_strdup(&A, names[i]);
		o->cols[i].type = types[i];
		o->cols[i].typmod = -1;
	}
	o->wm_col = -1;
	return o;
}

static LogicalOp *mk_lop(LopKind kind, int ncols, LogicalOp *child)
{
	LogicalOp *op = arena_calloc(&A, sizeof *op);
	op->kind = kind;
	op->ncols = ncols;
	op->cols = arena_calloc(&A, (size_t)(ncols + 1) * sizeof *op->cols);
	op->wm_col = -1;
	op->append_only = child ? child->append_only : true;
	if (child) {
		op->nchildren = 1;
		op->children = arena_calloc(&A, sizeof *op->children);
		op->children[0] = child;
	}
	return op;
}

static void set_col(LogicalOp *op, int i, const char *name, TypeId t)
{
	op->cols[i].name = arena_strdup(&A, name);
	op->cols[i].type = t;
	op->cols[i].typmod = -1;
}

static LogicalOp *scan(CatObject *o)
{
	LogicalOp *op = mk_lop(LOP_SCAN, o->ncols, NULL);
	op->obj = o;
	op->append_only = o->append_only;
	op->wm_col = o->wm_col;
	for (int i = 0; i < o->ncols; i++)
		op->cols[i] = o->cols[i];
	return op;
}

static LogicalOp *copy_cols(LogicalOp *op, const LogicalOp *child)
{
	for (int i = 0; i < child->ncols; i++)
		op->cols[i] = child->cols[i];
	return op;
}

static LogicalOp *project(LogicalOp *child, int n, Expr **exprs, const char *const *names)
{
	LogicalOp *op = mk_lop(LOP_PROJECT, n, child);
	op->nexprs = n;
	op->exprs = arena_calloc(&A, (size_t)n * sizeof *op->exprs);
	for (int i = 0; i < n; i++) {
		op->exprs[i] = exprs[i];
		set_col(op, i, names[i], exprs[i]->type);
		if (exprs[i]->kind == EXPR_COL && exprs[i]->col == child->wm_col)
			op->wm_col = i;
	}
	return op;
}

static LogicalOp *filter(LogicalOp *child, Expr *pred)
{
	LogicalOp *op = copy_cols(mk_lop(LOP_FILTER, child->ncols, child), child);
	op->nexprs = 1;
	op->exprs = arena_calloc(&A, sizeof *op->exprs);
	op->exprs[0] = pred;
	op->wm_col = child->wm_col;
	return op;
}

static LogicalOp *tumble(LogicalOp *child, int time_col, int64_t size_s)
{
	LogicalOp *op = copy_cols(mk_lop(LOP_TUMBLE, child->ncols + 2, child), child);
	set_col(op, child->ncols, "window_start", T_TIMESTAMP);
	set_col(op, child->ncols + 1, "window_end", T_TIMESTAMP);
	op->time_col = time_col;
	op->size_us = size_s * US_PER_SEC;
	op->wm_col = child->wm_col == time_col ? child->ncols : child->wm_col;
	return op;
}

/* aggs: name, argument column (-1: count(*)), output name. */
typedef struct AggSpec {
	const char *fn;
	int arg;
	const char *name;
} AggSpec;

static LogicalOp *agg(LogicalOp *child, int ngroup, const int *groups, int naggs,
		      const AggSpec *specs)
{
	LogicalOp *op = mk_lop(LOP_AGG, ngroup + naggs, child);
	op->ngroup = ngroup;
	op->group_cols = arena_calloc(&A, (size_t)(ngroup + 1) * sizeof(int));
	for (int g = 0; g < ngroup; g++) {
		op->group_cols[g] = groups[g];
		op->cols[g] = child->cols[groups[g]];
		if (groups[g] == child->wm_col)
			op->wm_col = g;
	}
	op->naggs = naggs;
	op->aggs = arena_calloc(&A, (size_t)(naggs + 1) * sizeof *op->aggs);
	for (int i = 0; i < naggs; i++) {
		int arg = specs[i].arg;
		const AggFunc *f = agg_resolve(specs[i].fn, arg >= 0 ? child->cols[arg].type : T_NULL,
					       arg < 0, false, child->append_only, &E);
		assert_non_null(f);
		op->aggs[i] = (AggCall){ f, arg, -1, false };
		set_col(op, ngroup + i, specs[i].name, f->result_type);
	}
	op->append_only = false;
	return op;
}

static LogicalOp *union_all(LogicalOp *a, LogicalOp *b)
{
	LogicalOp *op = copy_cols(mk_lop(LOP_UNION_ALL, a->ncols, a), a);
	op->nchildren = 2;
	op->children = arena_calloc(&A, 2 * sizeof *op->children);
	op->children[0] = a;
	op->children[1] = b;
	op->append_only = a->append_only && b->append_only;
	op->wm_col = a->wm_col >= 0 && a->wm_col == b->wm_col ? a->wm_col : -1;
	return op;
}

static LogicalOp *sort(LogicalOp *child, int nkeys, const SortKey *keys)
{
	LogicalOp *op = copy_cols(mk_lop(LOP_SORT, child->ncols, child), child);
	op->nkeys = nkeys;
	op->keys = arena_calloc(&A, (size_t)nkeys * sizeof *op->keys);
	memcpy(op->keys, keys, (size_t)nkeys * sizeof *keys);
	return op;
}

static LogicalOp *limit(LogicalOp *child, int64_t lim, int64_t off)
{
	LogicalOp *op = copy_cols(mk_lop(LOP_LIMIT, child->ncols, child), child);
	op->limit = lim;
	op->offset = off;
	return op;
}

static Expr *col(int i, TypeId t)
{
	return expr_col(&A, i, t, 0);
}

static Expr *cint(int64_t v)
{
	Value val = value_int(T_INT4, v);
	return expr_const(&A, &val, 0);
}

static Expr *bin(const char *op, Expr *a, Expr *b)
{
	Expr *args[2] = { a, b };
	Expr *x = expr_func(&A, op, args, 2, 0, &E);
	assert_non_null(x);
	return x;
}

/* ---- Rows in, rows out. */

/* "+ 1,10,60; - 2,NULL,0": one row per ';', op then comma-separated values; timestamps in
 * seconds. */
static Chunk *mk_chunk(const LogicalOp *shape, const char *spec)
{
	Chunk *c = lop_chunk_new(shape);
	const char *p = spec;
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		int r = c->nrows++;
		Op op = OP_INSERT;
		if (strncmp(p, "U-", 2) == 0)
			op = OP_UPDATE_DELETE;
		else if (strncmp(p, "U+", 2) == 0)
			op = OP_UPDATE_INSERT;
		else if (*p == '-')
			op = OP_DELETE;
		c->ops[r] = (uint8_t)op;
		p = strchr(p, ' ') + 1;
		for (int i = 0; i < c->ncols; i++) {
			size_t n = strcspn(p, ",;");
			Vector *v = &c->cols[i];
			if (n == 4 && strncmp(p, "NULL", 4) == 0) {
				v->nulls[r] = 1;
			} else if (v->type == T_TIMESTAMP) {
				Value val = value_int(T_TIMESTAMP, strtoll(p, NULL, 10) * US_PER_SEC);
				vec_set_value(v, r, &val, NULL);
			} else {
				Value val;
				assert_int_equal(value_parse(v->type, p, n, &val, &c->arena, &E), 0);
				vec_set_value(v, r, &val, &c->arena);
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
	return c;
}

static void push(Dataflow *df, int input, const LogicalOp *shape, const char *spec)
{
	Chunk *c = mk_chunk(shape, spec);
	int rc = dataflow_push(df, input, c, &E);
	chunk_free(c);
	assert_int_equal(rc, 0);
}

static StrBuf out_log;

static int to_log(void *arg, const Chunk *c, Err *e)
{
	chunk_print(c, &out_log);
	if (arg)
		mvstore_apply(arg, c);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The log's lines sorted (for outputs whose order within a barrier is not specified); the log
 * is emptied. Returns a string in A. */
static const char *take_sorted(void)
{
	char *text = arena_strdup(&A, out_log.data ? out_log.data : "");
	sb_reset(&out_log);
	char *lines[256];
	int n = 0;
	for (char *s = strtok(text, "\n"); s && n < 256; s = strtok(NULL, "\n"))
		lines[n++] = s;
	qsort(lines, (size_t)n, sizeof *lines, cmp_line);
	StrBuf sb;
	sb_init(&sb);
	for (int i = 0; i < n; i++) {
		sb_puts(&sb, lines[i]);
		sb_putc(&sb, '\n');
	}
	char *res = arena_strdup(&A, sb.data ? sb.data : "");
	sb_deinit(&sb);
	return res;
}

static const char *take_log(void)
{
	char *res = arena_strdup(&A, out_log.data ? out_log.data : "");
	sb_reset(&out_log);
	return res;
}

static void barrier(Dataflow *df, uint64_t epoch)
{
	assert_int_equal(dataflow_barrier(df, epoch, &E), 0);
}

static const char *explain(const Dataflow *df)
{
	StrBuf sb;
	sb_init(&sb);
	dataflow_explain(df, &sb);
	char *res = arena_strdup(&A, sb.data);
	sb_deinit(&sb);
	return res;
}

static const char *const KV_NAMES[] = { "k", "v", "ts" };
static const TypeId KV_TYPES[] = { T_INT4, T_INT4, T_TIMESTAMP };

/* ---- Tests. */

static void test_project_filter_changelog(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	LogicalOp *f = filter(sc, bin(">", col(1, T_INT4), cint(10)));
	Expr *ex[2] = { col(0, T_INT4), bin("+", col(1, T_INT4), cint(1)) };
	const char *names[2] = { "k", "v1" };
	LogicalOp *p = project(f, 2, ex, names);
	Dataflow *df = dataflow_build(p, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_int_equal(dataflow_ninputs(df), 1);
	assert_ptr_equal(dataflow_input(df, 0), s);
	assert_string_equal(explain(df), "Project\n  Filter\n    Scan s (input 0)\n");

	push(df, 0, sc, "+ 1,5; + 2,20; - 2,20; + 3,30");
	assert_string_equal(take_log(), "+ 2,21\n- 2,21\n+ 3,31\n");
	/* Update pairs: both halves kept, only the old one, only the new one, neither. */
	push(df, 0, sc, "U- 5,11; U+ 5,12; U- 3,30; U+ 3,5; U- 4,5; U+ 4,50; U- 6,1; U+ 6,2");
	assert_string_equal(take_log(), "U- 5,12\nU+ 5,13\n- 3,31\n+ 4,51\n");
	/* A half without its partner in the chunk is a plain delete or insert. */
	push(df, 0, sc, "U+ 7,70");
	assert_string_equal(take_log(), "+ 7,71\n");
	push(df, 0, sc, "U- 7,70");
	assert_string_equal(take_log(), "- 7,71\n");
	barrier(df, 1);
	assert_string_equal(take_log(), "");
	assert_int_equal(dataflow_state_bytes(df), 0);
	dataflow_free(df);
}

static void test_project_row_error(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	Expr *ex[2] = { col(0, T_INT4), bin("/", col(1, T_INT4), col(0, T_INT4)) };
	const char *names[2] = { "k", "q" };
	LogicalOp *p = project(sc, 2, ex, names);
	/* In a view the bad row yields NULL and is counted. */
	Dataflow *df = dataflow_build(p, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	push(df, 0, sc, "+ 2,10; + 0,5; + 5,10");
	assert_string_equal(take_log(), "+ 2,5\n+ 0,NULL\n+ 5,2\n");
	assert_int_equal(dataflow_row_errors(df), 1);
	dataflow_free(df);
	/* In a query it fails the query. */
	df = dataflow_build(p, DF_BATCH, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	Chunk *c = mk_chunk(sc, "+ 2,10; + 0,5");
	assert_int_equal(dataflow_push(df, 0, c, &E), -1);
	assert_string_equal(err_sqlstate(E.code), "22012");
	assert_string_equal(E.msg, "division by zero");
	chunk_free(c);
	dataflow_free(df);
	sb_reset(&out_log);
}

static void test_tumble_windows(void **state)
{
	CatObject *s = mk_obj("s", 3, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	LogicalOp *t = tumble(sc, 2, 60);
	Dataflow *df = dataflow_build(t, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_string_equal(explain(df), "Tumble size=60s\n  Scan s (input 0)\n");
	push(df, 0, sc, "+ 1,1,0; + 1,2,59; - 1,3,60; + 1,4,-1; + 1,5,NULL");
	assert_string_equal(take_log(),
			    "+ 1,1,1970-01-01 00:00:00,1970-01-01 00:00:00,1970-01-01 00:01:00\n"
			    "+ 1,2,1970-01-01 00:00:59,1970-01-01 00:00:00,1970-01-01 00:01:00\n"
			    "- 1,3,1970-01-01 00:01:00,1970-01-01 00:01:00,1970-01-01 00:02:00\n"
			    "+ 1,4,1969-12-31 23:59:59,1969-12-31 23:59:00,1970-01-01 00:00:00\n"
			    "+ 1,5,NULL,NULL,NULL\n");
	dataflow_free(df);
	assert_int_equal(tumble_start(-1, 60, 0), -60);
	assert_int_equal(tumble_start(-60, 60, 0), -60);
	assert_int_equal(tumble_start(59, 60, 0), 0);
	assert_int_equal(tumble_start(14, 10, 5), 5);
	assert_int_equal(tumble_start(4, 10, 5), -5);
}

static void test_agg_retractions(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	int groups[1] = { 0 };
	AggSpec specs[4] = { { "count", -1, "n" }, { "sum", 1, "s" }, { "min", 1, "lo" },
			     { "max", 1, "hi" } };
	LogicalOp *a = agg(sc, 1, groups, 4, specs);
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_string_equal(explain(df), "HashAgg group=[k] state=keyed\n  Scan s (input 0)\n");

	push(df, 0, sc, "+ 1,10; + 1,20; + 2,5; + 3,NULL");
	assert_string_equal(take_log(), ""); /* output waits for the barrier */
	barrier(df, 1);
	assert_string_equal(take_sorted(), "+ 1,2,30,10,20\n+ 2,1,5,5,5\n+ 3,1,NULL,NULL,NULL\n");
	size_t full = dataflow_state_bytes(df);
	assert_true(full > 0);

	push(df, 0, sc, "- 1,10");
	barrier(df, 2);
	assert_string_equal(take_log(), "U- 1,2,30,10,20\nU+ 1,1,20,20,20\n");

	/* A group whose count drops to 0 is deleted and its state freed. */
	push(df, 0, sc, "- 2,5; - 3,NULL");
	barrier(df, 3);
	assert_string_equal(take_sorted(), "- 2,1,5,5,5\n- 3,1,NULL,NULL,NULL\n");
	assert_true(dataflow_state_bytes(df) < full);

	/* Net-unchanged epochs emit nothing; a group born and gone in one epoch neither. */
	barrier(df, 4);
	push(df, 0, sc, "+ 1,30; - 1,30; + 9,1; - 9,1");
	barrier(df, 5);
	assert_string_equal(take_log(), "");

	/* An update of a row moves it between groups. */
	push(df, 0, sc, "U- 1,20; U+ 4,20");
	barrier(df, 6);
	assert_string_equal(take_sorted(), "+ 4,1,20,20,20\n- 1,1,20,20,20\n");
	dataflow_free(df);
}

static void test_agg_filter_clause(void **state)
{
	static const char *const names[] = { "k", "v", "b" };
	static const TypeId types[] = { T_INT4, T_INT4, T_BOOL };
	CatObject *s = mk_obj("s", 3, names, types);
	LogicalOp *sc = scan(s);
	int groups[1] = { 0 };
	/* count(*), sum(v) FILTER (WHERE b) */
	AggSpec specs[2] = { { "count", -1, "n" }, { "sum", 1, "s" } };
	LogicalOp *a = agg(sc, 1, groups, 2, specs);
	a->aggs[1].filter = 2;
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	push(df, 0, sc, "+ 1,10,t; + 1,20,f; + 1,40,NULL; + 1,80,t");
	barrier(df, 1);
	assert_string_equal(take_log(), "+ 1,4,90\n");
	push(df, 0, sc, "- 1,80,t; - 1,20,f");
	barrier(df, 2);
	assert_string_equal(take_log(), "U- 1,4,90\nU+ 1,2,10\n");
	dataflow_free(df);
}

static void test_push_mismatch(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	CatObject *t = mk_obj("t", 3, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	Dataflow *df = dataflow_build(sc, DF_STREAMING, &E);
	assert_non_null(df);
	Chunk *c = mk_chunk(scan(t), "+ 1,2,3");
	assert_int_equal(dataflow_push(df, 0, c, &E), -1);
	assert_string_equal(err_sqlstate(E.code), "XX000");
	err_clear(&E);
	assert_int_equal(dataflow_push(df, 1, c, &E), -1);
	assert_string_equal(E.msg, "dataflow has no input 1");
	chunk_free(c);
	dataflow_free(df);
}

static void test_global_agg_empty(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	AggSpec specs[2] = { { "count", -1, "n" }, { "sum", 1, "s" } };
	LogicalOp *a = agg(sc, 0, NULL, 2, specs);
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_string_equal(explain(df), "HashAgg group=[] state=global\n  Scan s (input 0)\n");
	barrier(df, 1);
	assert_string_equal(take_log(), "+ 0,NULL\n");
	barrier(df, 2);
	assert_string_equal(take_log(), "");
	push(df, 0, sc, "+ 1,5");
	barrier(df, 3);
	assert_string_equal(take_log(), "U- 0,NULL\nU+ 1,5\n");
	push(df, 0, sc, "- 1,5");
	barrier(df, 4);
	assert_string_equal(take_log(), "U- 1,5\nU+ 0,NULL\n");
	dataflow_free(df);
}

static void test_windowed_agg_late_rows(void **state)
{
	CatObject *s = mk_obj("s", 3, KV_NAMES, KV_TYPES);
	s->wm_col = 2;
	s->append_only = true;
	LogicalOp *sc = scan(s);
	LogicalOp *t = tumble(sc, 2, 60);
	int groups[1] = { 3 };
	AggSpec specs[2] = { { "count", -1, "n" }, { "sum", 1, "s" } };
	LogicalOp *a = agg(t, 1, groups, 2, specs);
	assert_int_equal(a->wm_col, 0);
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_string_equal(explain(df), "HashAgg group=[window_start] state=windowed\n"
					 "  Tumble size=60s\n"
					 "    Scan s (input 0)\n");
	push(df, 0, sc, "+ 1,1,10; + 1,2,70; + 1,4,130");
	barrier(df, 1);
	assert_string_equal(take_sorted(), "+ 1970-01-01 00:00:00,1,1\n"
					   "+ 1970-01-01 00:01:00,1,2\n"
					   "+ 1970-01-01 00:02:00,1,4\n");
	size_t open3 = dataflow_state_bytes(df);

	/* Watermark 125 s: windows [0,60) and [60,120) are closed. */
	assert_int_equal(dataflow_watermark(df, 0, 2, 125 * US_PER_SEC, &E), 0);
	push(df, 0, sc, "+ 1,8,50; + 1,16,121; + 1,32,119");
	assert_int_equal(dataflow_late_rows(df), 2);
	barrier(df, 2);
	assert_string_equal(take_log(),
			    "U- 1970-01-01 00:02:00,1,4\nU+ 1970-01-01 00:02:00,2,20\n");
	/* The closed windows' state is freed; their rows stay in the view (no deletes). */
	assert_true(dataflow_state_bytes(df) < open3);
	push(df, 0, sc, "+ 1,64,70");
	assert_int_equal(dataflow_late_rows(df), 3);
	barrier(df, 3);
	assert_string_equal(take_log(), "");
	/* An older watermark changes nothing. */
	assert_int_equal(dataflow_watermark(df, 0, 2, 10 * US_PER_SEC, &E), 0);
	push(df, 0, sc, "+ 1,1,125");
	barrier(df, 4);
	assert_string_equal(take_log(),
			    "U- 1970-01-01 00:02:00,2,20\nU+ 1970-01-01 00:02:00,3,21\n");
	assert_int_equal(dataflow_late_rows(df), 3);
	dataflow_free(df);
}

static int first_update(const AggFunc *f, void **states, const Vector *arg, const uint8_t *ops,
			const uint8_t *skip, int n, Err *e)
{
	return 0;
}

static void first_init(const AggFunc *f, void *state)
{
}

static void first_final(const AggFunc *f, const void *state, Value *out, Arena *a)
{
	*out = value_null(T_INT4);
}

static void test_non_retractable_rejected(void **state)
{
	static const AggFunc first = { "first_value", T_INT4, T_INT4, 8, false, first_init,
				       first_update, first_final, NULL, NULL, NULL, NULL, NULL };
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	int groups[1] = { 0 };
	AggSpec specs[1] = { { "count", -1, "n" } };
	LogicalOp *a = agg(sc, 1, groups, 1, specs);
	a->aggs[0].fn = &first;
	a->aggs[0].arg = 1;
	assert_null(dataflow_build(a, DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "aggregate function first_value cannot retract rows, but its "
				   "input has updates or deletes");
	assert_true(strlen(E.hint) > 0);
	/* Over an append-only input it is fine, and so is a query. */
	err_clear(&E);
	sc->append_only = true;
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_free(df);
	sc->append_only = false;
	df = dataflow_build(a, DF_BATCH, &E);
	assert_non_null(df);
	dataflow_free(df);
}

static int barriers_seen;

static int count_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	barriers_seen++;
	return 0;
}

static int64_t wm_seen;

static int note_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	wm_seen = ts;
	return 0;
}

static void test_union_all_alignment(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	CatObject *t = mk_obj("t", 2, KV_NAMES, KV_TYPES);
	LogicalOp *u = union_all(scan(s), scan(t));
	Operator *op = union_all_op_new(NULL, u, &E);
	op->lop = u;
	Operator probe = { .on_barrier = count_barrier, .on_watermark = note_watermark };
	op->parent = &probe;
	barriers_seen = 0;
	assert_int_equal(op->on_barrier(op, 0, 1, &E), 0);
	assert_int_equal(op->on_barrier(op, 0, 1, &E), 0);
	assert_int_equal(barriers_seen, 0);
	assert_int_equal(op->on_barrier(op, 1, 1, &E), 0);
	assert_int_equal(barriers_seen, 1);
	assert_int_equal(op->on_barrier(op, 1, 2, &E), 0);
	assert_int_equal(barriers_seen, 1);
	assert_int_equal(op->on_barrier(op, 0, 2, &E), 0);
	assert_int_equal(barriers_seen, 2);
	/* Watermarks: the minimum over inputs, once every input has one. */
	wm_seen = -1;
	assert_int_equal(op->on_watermark(op, 0, 1, 100, &E), 0);
	assert_int_equal(wm_seen, -1);
	assert_int_equal(op->on_watermark(op, 1, 1, 50, &E), 0);
	assert_int_equal(wm_seen, 50);
	assert_int_equal(op->on_watermark(op, 1, 1, 200, &E), 0);
	assert_int_equal(wm_seen, 100);
	op->free(op);
	mem_free(op);

	/* Through a whole dataflow: two inputs in plan order, one barrier per epoch below. */
	AggSpec specs[1] = { { "count", -1, "n" } };
	LogicalOp *a = agg(u, 0, NULL, 1, specs);
	Dataflow *df = dataflow_build(a, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_int_equal(dataflow_ninputs(df), 2);
	assert_ptr_equal(dataflow_input(df, 0), s);
	assert_ptr_equal(dataflow_input(df, 1), t);
	assert_string_equal(explain(df), "HashAgg group=[] state=global\n"
					 "  UnionAll\n"
					 "    Scan s (input 0)\n"
					 "    Scan t (input 1)\n");
	push(df, 0, u, "+ 1,1");
	push(df, 1, u, "+ 2,2; + 3,3");
	barrier(df, 1);
	assert_string_equal(take_log(), "+ 3\n");
	push(df, 1, u, "- 2,2");
	barrier(df, 2);
	assert_string_equal(take_log(), "U- 3\nU+ 2\n");
	dataflow_free(df);
}

typedef struct ScanRows {
	const LogicalOp *shape;
	const char *spec;
	int calls;
} ScanRows;

static int scan_rows(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		     void *emit_arg, Err *e)
{
	ScanRows *sr = arg;
	sr->calls++;
	Chunk *c = mk_chunk(sr->shape, sr->spec);
	int rc = emit(emit_arg, c, e);
	chunk_free(c);
	return rc;
}

static void test_batch_sort_limit(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	SortKey keys[1] = { { 1, true, true } }; /* v DESC (NULLS FIRST, the default) */
	LogicalOp *so = sort(sc, 1, keys);
	ScanRows sr = { sc, "+ 1,10; + 2,30; + 3,NULL; + 4,10; + 5,20; + 6,10", 0 };
	assert_int_equal(batch_run(so, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 3,NULL\n+ 2,30\n+ 5,20\n+ 1,10\n+ 4,10\n+ 6,10\n");
	/* ASC NULLS LAST, then k DESC as the tie-breaker. */
	SortKey keys2[2] = { { 1, false, false }, { 0, true, false } };
	so = sort(sc, 2, keys2);
	assert_int_equal(batch_run(so, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 6,10\n+ 4,10\n+ 1,10\n+ 5,20\n+ 2,30\n+ 3,NULL\n");
	LogicalOp *li = limit(so, 2, 1);
	assert_int_equal(batch_run(li, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 4,10\n+ 1,10\n");
	li = limit(so, -1, 4);
	assert_int_equal(batch_run(li, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 2,30\n+ 3,NULL\n");
	li = limit(so, 0, 0);
	assert_int_equal(batch_run(li, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "");

	/* A batch aggregate emits each group once as an insert; a global one over nothing, one
	 * row. The same object scanned twice is scanned twice. */
	int groups[1] = { 1 };
	AggSpec specs[1] = { { "count", -1, "n" } };
	LogicalOp *a = agg(sc, 1, groups, 1, specs);
	assert_int_equal(batch_run(a, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_sorted(), "+ 10,3\n+ 20,1\n+ 30,1\n+ NULL,1\n");
	LogicalOp *g = agg(union_all(sc, scan(s)), 0, NULL, 1, specs);
	sr.calls = 0;
	assert_int_equal(batch_run(g, scan_rows, &sr, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 12\n");
	assert_int_equal(sr.calls, 2);
	ScanRows empty = { sc, "", 0 };
	assert_int_equal(batch_run(g, scan_rows, &empty, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 0\n");
}

static void test_values(void **state)
{
	LogicalOp *v = mk_lop(LOP_VALUES, 2, NULL);
	set_col(v, 0, "a", T_INT4);
	set_col(v, 1, "b", T_INT4);
	v->nrows = 2;
	v->rows = arena_calloc(&A, 2 * sizeof *v->rows);
	for (int r = 0; r < 2; r++) {
		v->rows[r] = arena_calloc(&A, 2 * sizeof(Expr *));
		v->rows[r][0] = cint(r + 1);
		v->rows[r][1] = cint(10 * (r + 1));
	}
	assert_int_equal(batch_run(v, scan_rows, NULL, to_log, NULL, &E), 0);
	assert_string_equal(take_log(), "+ 1,10\n+ 2,20\n");
	Dataflow *df = dataflow_build(v, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, to_log, NULL);
	assert_int_equal(dataflow_ninputs(df), 0);
	assert_string_equal(explain(df), "Values rows=2\n");
	barrier(df, 1);
	barrier(df, 2);
	assert_string_equal(take_log(), "+ 1,10\n+ 2,20\n");
	dataflow_free(df);
}

static void test_streaming_rejects_sort_limit(void **state)
{
	CatObject *s = mk_obj("s", 2, KV_NAMES, KV_TYPES);
	LogicalOp *sc = scan(s);
	SortKey keys[1] = { { 1, false, false } };
	LogicalOp *so = sort(sc, 1, keys);
	assert_null(dataflow_build(so, DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "ORDER BY without LIMIT is not supported in materialized views");
	assert_string_equal(E.hint,
			    "order the rows when you query the view: SELECT * FROM v ORDER BY ...");
	err_clear(&E);
	assert_null(dataflow_build(limit(so, 10, 0), DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "LIMIT in a materialized view is not supported yet");
	assert_string_equal(E.hint,
			    "apply the limit when you query the view: SELECT * FROM v LIMIT n");
	err_clear(&E);
	/* Deeper in the plan too. */
	Expr *ex[1] = { col(0, T_INT4) };
	const char *names[1] = { "k" };
	assert_null(dataflow_build(project(limit(sc, 1, 0), 1, ex, names), DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	err_clear(&E);
	Dataflow *df = dataflow_build(limit(so, 10, 0), DF_BATCH, &E);
	assert_non_null(df);
	assert_string_equal(explain(df), "Limit 10\n  Sort [v]\n    Scan s (input 0)\n");
	dataflow_free(df);
}

int main(void)
{
	sb_init(&out_log);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_project_filter_changelog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_row_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tumble_windows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agg_retractions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agg_filter_clause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_agg_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windowed_agg_late_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_retractable_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_union_all_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_sort_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streaming_rejects_sort_limit, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sb_deinit(&out_log);
	return rc;
}
