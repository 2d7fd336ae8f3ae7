/* test_model.c: model tests of incremental view maintenance (issue 2, item 4).
 *
 * The model: a view's content must always equal recomputing its query from scratch over the
 * input so far. Each case generates a random, table-like changelog (inserts of random rows,
 * deletes and updates of rows previously inserted and still present), pushes it in random
 * chunks through a DF_STREAMING dataflow, ends epochs at random points with a barrier, and
 * applies the dataflow's output changelog to an MvStore. After every barrier the store's rows
 * are compared, as sorted text, with a DF_BATCH run of the same plan over the surviving input
 * rows (batch_run). Plans: GROUP BY with count/sum/min/max, filter + project, tumble + windowed
 * aggregate under an advancing watermark (rows never late), filter + global aggregate, and an
 * aggregate over UNION ALL of two inputs. Seeds are fixed, so a failure replays exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "batch/batch.h"
#include "stream/dataflow.h"
#include "stream/mview.h"

static Arena A;
static Err E;

/* ---- A deterministic random source (splitmix64). */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int rnd_int(int lo, int hi) /* [lo, hi] */
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- Plan constructors (as in test_dataflow.c). */

#define NCOLS 5
static const char *const NAMES[NCOLS] = { "k", "v", "ts", "name", "amt" };
static const TypeId TYPES[NCOLS] = { T_INT4, T_INT4, T_TIMESTAMP, T_VARCHAR, T_NUMERIC };
static const char *const WORDS[] = { "ant", "bee", "cat", "", "dog", "eel", "émeu" };
#define NWORDS ((int)(sizeof WORDS / sizeof WORDS[0]))

static CatObject *mk_obj(const char *name)
{
	CatObject *o = arena_calloc(&A, sizeof *o);
	o->name = arena_strdup(&A, name);
	o->kind = OBJ_TABLE;
	o->ncols = NCOLS;
	o->cols = arena_calloc(&A, NCOLS * sizeof *o->cols);
	for (int i = 0; i < NCOLS; i++) {
		o->cols[i].name = (char *)NAMES[i];
		o->cols[i].type = TYPES[i];
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
	if (child) {
		op->nchildren = 1;
		op->children = arena_calloc(&A, sizeof *op->children);
		op->children[0] = child;
		op->append_only = child->append_only;
		for (int i = 0; i < ncols && i < child->ncols; i++)
			op->cols[i] = child->cols[i];
		op->wm_col = child->wm_col;
	}
	return op;
}

static void set_col(LogicalOp *op, int i, const char *name, TypeId t)
{
	op->cols[i].name = (char *)name;
	op->cols[i].type = t;
	op->cols[i].typmod = -1;
}

static LogicalOp *scan(CatObject *o)
{
	LogicalOp *op = mk_lop(LOP_SCAN, NCOLS, NULL);
	op->obj = o;
	op->wm_col = o->wm_col;
	op->append_only = o->append_only;
	for (int i = 0; i < NCOLS; i++)
		op->cols[i] = o->cols[i];
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

static LogicalOp *filter(LogicalOp *child, Expr *pred)
{
	LogicalOp *op = mk_lop(LOP_FILTER, child->ncols, child);
	op->nexprs = 1;
	op->exprs = arena_calloc(&A, sizeof *op->exprs);
	op->exprs[0] = pred;
	return op;
}

static LogicalOp *project(LogicalOp *child, int n, Expr **exprs)
{
	static const char *const names[] = { "c0", "c1", "c2", "c3" };
	LogicalOp *op = mk_lop(LOP_PROJECT, n, child);
	op->wm_col = -1;
	op->nexprs = n;
	op->exprs = arena_calloc(&A, (size_t)n * sizeof *op->exprs);
	for (int i = 0; i < n; i++) {
		op->exprs[i] = exprs[i];
		set_col(op, i, names[i], exprs[i]->type);
	}
	return op;
}

static LogicalOp *tumble(LogicalOp *child, int time_col, int64_t size_s)
{
	LogicalOp *op = mk_lop(LOP_TUMBLE, child->ncols + 2, child);
	set_col(op, child->ncols, "window_start", T_TIMESTAMP);
	set_col(op, child->ncols + 1, "window_end", T_TIMESTAMP);
	op->time_col = time_col;
	op->size_us = size_s * US_PER_SEC;
	if (child->wm_col == time_col)
		op->wm_col = child->ncols;
	return op;
}

/* aggs[i] is "count(*)", "count", "sum", "min" or "max" over column args[i]. */
static LogicalOp *agg(LogicalOp *child, int ngroup, const int *groups, int naggs,
		      const char *const *fns, const int *args)
{
	LogicalOp *op = mk_lop(LOP_AGG, ngroup + naggs, child);
	op->wm_col = -1;
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
		bool star = strcmp(fns[i], "count(*)") == 0;
		const AggFunc *f = agg_resolve(star ? "count" : fns[i],
					       star ? T_NULL : child->cols[args[i]].type, star,
					       false, child->append_only, &E);
		assert_non_null(f);
		op->aggs[i] = (AggCall){ f, star ? -1 : args[i], -1, false };
		set_col(op, ngroup + i, fns[i], f->result_type);
	}
	op->append_only = false;
	return op;
}

static LogicalOp *union_all(LogicalOp *a, LogicalOp *b)
{
	LogicalOp *op = mk_lop(LOP_UNION_ALL, a->ncols, a);
	op->nchildren = 2;
	op->children = arena_calloc(&A, 2 * sizeof *op->children);
	op->children[0] = a;
	op->children[1] = b;
	op->append_only = a->append_only && b->append_only;
	op->wm_col = -1;
	return op;
}

/* ---- The input model: one table-like changelog per input object. */

typedef struct Row {
	int32_t k, v;
	bool vnull;
	int64_t ts;    /* microseconds */
	int word;      /* name: WORDS[word], or NULL when -1 */
	int64_t cents; /* amt: cents / 100, numeric with scale 2 */
} Row;

typedef struct Input {
	CatObject *obj;
	Row *live; /* the rows present now (a multiset) */
	int nlive, cap;
	Chunk *chunk; /* the changes being built */
} Input;

typedef struct Params {
	int nkeys;         /* k in [0, nkeys) */
	int64_t min_ts;    /* new rows' times are at least this (seconds) */
	int64_t ts_span;   /* ... and below min_ts + ts_span */
} Params;

static void put(Chunk *c, const Row *row, Op op)
{
	int r = c->nrows++;
	VEC_DATA(&c->cols[0], int32_t)[r] = row->k;
	c->cols[0].nulls[r] = 0;
	VEC_DATA(&c->cols[1], int32_t)[r] = row->v;
	c->cols[1].nulls[r] = row->vnull;
	VEC_DATA(&c->cols[2], int64_t)[r] = row->ts;
	c->cols[2].nulls[r] = 0;
	c->cols[3].nulls[r] = row->word < 0;
	if (row->word >= 0)
		VEC_DATA(&c->cols[3], Str)[r] = chunk_str(c, WORDS[row->word],
							 strlen(WORDS[row->word]));
	Numeric n = { row->cents, 2, 0 };
	VEC_DATA(&c->cols[4], Numeric)[r] = n;
	c->cols[4].nulls[r] = 0;
	c->ops[r] = (uint8_t)op;
}

static Row random_row(const Params *p)
{
	Row row;
	row.k = rnd_int(0, p->nkeys - 1);
	row.vnull = rnd_int(0, 9) == 0;
	row.v = row.vnull ? 0 : rnd_int(-50, 50);
	row.ts = (p->min_ts + rnd_int(0, (int)p->ts_span - 1)) * US_PER_SEC;
	row.word = rnd_int(-1, NWORDS - 1);
	row.cents = rnd_int(-100000, 100000);
	return row;
}

/* A live row that may still change: its time is at least min_ts_us (-1: any). */
static int pick_live(Input *in, int64_t min_ts_us)
{
	if (in->nlive == 0)
		return -1;
	for (int tries = 0; tries < 8; tries++) {
		int i = rnd_int(0, in->nlive - 1);
		if (in->live[i].ts >= min_ts_us)
			return i;
	}
	return -1;
}

static void add_live(Input *in, Row row)
{
	if (in->nlive == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		in->live = mem_realloc(in->live, (size_t)in->cap * sizeof *in->live);
	}
	in->live[in->nlive++] = row;
}

/* Appends n random changes to in->chunk (which has room): inserts, deletes of live rows, and
 * update pairs. Deletes and updates touch only rows with time >= min_del_us. */
static void gen_changes(Input *in, const Params *p, int n, int64_t min_del_us)
{
	for (int i = 0; i < n && in->chunk->nrows + 2 <= CHUNK_CAP; i++) {
		int dice = rnd_int(0, 99);
		int j = dice < 55 || in->obj->append_only ? -1 : pick_live(in, min_del_us);
		if (j < 0) {
			Row row = random_row(p);
			put(in->chunk, &row, OP_INSERT);
			add_live(in, row);
		} else if (dice < 85) {
			put(in->chunk, &in->live[j], OP_DELETE);
			in->live[j] = in->live[--in->nlive];
		} else {
			Row row = random_row(p);
			put(in->chunk, &in->live[j], OP_UPDATE_DELETE);
			put(in->chunk, &row, OP_UPDATE_INSERT);
			in->live[j] = row;
		}
	}
}

/* ---- Recomputation and comparison. */

typedef struct World {
	Input in[2];
	int ninputs;
} World;

static int scan_live(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		     void *emit_arg, Err *e)
{
	World *w = arg;
	Input *in = NULL;
	for (int i = 0; i < w->ninputs; i++)
		if (w->in[i].obj == obj)
			in = &w->in[i];
	assert_non_null(in);
	Chunk *c = chunk_new(TYPES, NCOLS);
	int rc = 0;
	for (int i = 0; i < in->nlive && rc == 0; i++) {
		put(c, &in->live[i], OP_INSERT);
		if (chunk_full(c)) {
			rc = emit(emit_arg, c, e);
			chunk_reset(c);
		}
	}
	if (rc == 0 && c->nrows)
		rc = emit(emit_arg, c, e);
	chunk_free(c);
	return rc;
}

static int print_rows(void *arg, const Chunk *c, Err *e)
{
	chunk_print(c, arg);
	return 0;
}

static int apply_out(void *arg, const Chunk *c, Err *e)
{
	mvstore_apply(arg, c);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of sb in place. */
static void sort_lines(StrBuf *sb)
{
	if (!sb->len)
		return;
	char *text = mem_strndup(sb->data, sb->len);
	size_t n = 0;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	char **lines = mem_calloc(n + 1, sizeof *lines);
	size_t k = 0;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		lines[k++] = p;
	qsort(lines, k, sizeof *lines, cmp_line);
	sb_reset(sb);
	for (size_t i = 0; i < k; i++) {
		sb_puts(sb, lines[i]);
		sb_putc(sb, '\n');
	}
	mem_free(lines);
	mem_free(text);
}

static int comparisons;

/* The earliest time (microseconds) still in an open window once the watermark is wm_s. */
static int64_t tumble_open(int64_t wm_s, int64_t window_s)
{
	int64_t size = window_s * US_PER_SEC, t = wm_s * US_PER_SEC;
	int64_t m = t % size;
	return t - (m < 0 ? m + size : m);
}

static void check_equal(const LogicalOp *plan, World *w, MvStore *store, const char *what,
			uint64_t seed, int epoch)
{
	StrBuf got, want;
	sb_init(&got);
	sb_init(&want);
	assert_int_equal(mvstore_scan(store, print_rows, &got, &E), 0);
	assert_int_equal(batch_run(plan, scan_live, w, print_rows, &want, &E), 0);
	sort_lines(&got);
	sort_lines(&want);
	const char *g = got.data ? got.data : "", *x = want.data ? want.data : "";
	if (strcmp(g, x) != 0) {
		print_message("%s: seed %llu epoch %d: view differs from recomputation\n"
			      "view:\n%s\nrecomputed:\n%s\n",
			      what, (unsigned long long)seed, epoch, g, x);
		fail();
	}
	assert_int_equal(store->anomalies, 0);
	comparisons++;
	sb_deinit(&got);
	sb_deinit(&want);
}

/* Runs one random case of `plan` (over w's inputs). windowed: the inputs carry an advancing
 * watermark on ts and changes never touch closed windows. */
static void run_case(const LogicalOp *plan, World *w, uint64_t seed, const char *what,
		     bool windowed, int64_t window_s)
{
	rng_state = seed;
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	assert_int_equal(dataflow_ninputs(df), w->ninputs);
	TypeId *types = mem_alloc((size_t)plan->ncols * sizeof *types);
	for (int i = 0; i < plan->ncols; i++)
		types[i] = plan->cols[i].type;
	MvStore *store = mvstore_new(types, plan->ncols, NULL, 0);
	mem_free(types);
	dataflow_set_output(df, apply_out, store);
	for (int i = 0; i < w->ninputs; i++) {
		w->in[i].nlive = 0;
		w->in[i].chunk = chunk_new(TYPES, NCOLS);
	}
	Params p = { rnd_int(1, 12), 0, 200 };
	int64_t wm_s = -1000000; /* the watermark in seconds */
	int epochs = rnd_int(15, 30);
	for (int epoch = 1; epoch <= epochs; epoch++) {
		int pushes = rnd_int(0, 4);
		for (int k = 0; k < pushes; k++) {
			int i = rnd_int(0, w->ninputs - 1);
			Input *in = &w->in[i];
			chunk_reset(in->chunk);
			int64_t min_del = windowed ? tumble_open(wm_s, window_s) : INT64_MIN;
			gen_changes(in, &p, rnd_int(1, rnd_int(0, 3) ? 20 : 600), min_del);
			assert_int_equal(dataflow_push(df, i, in->chunk, &E), 0);
		}
		if (windowed && rnd_int(0, 2) == 0) {
			/* Advance the watermark; new rows start at or after it. */
			wm_s = p.min_ts + rnd_int(0, (int)p.ts_span / 2);
			p.min_ts = wm_s;
			for (int i = 0; i < w->ninputs; i++)
				assert_int_equal(dataflow_watermark(df, i, 2, wm_s * US_PER_SEC, &E),
						 0);
		}
		assert_int_equal(dataflow_barrier(df, (uint64_t)epoch, &E), 0);
		check_equal(plan, w, store, what, seed, epoch);
	}
	assert_int_equal(dataflow_late_rows(df), 0);
	assert_int_equal(dataflow_row_errors(df), 0);
	for (int i = 0; i < w->ninputs; i++)
		chunk_free(w->in[i].chunk);
	mvstore_free(store);
	dataflow_free(df);
}

#define SEEDS 24

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

static void run_seeds(const LogicalOp *plan, World *w, const char *what, bool windowed,
		      int64_t window_s)
{
	for (uint64_t seed = 1; seed <= SEEDS; seed++)
		run_case(plan, w, seed * 7919, what, windowed, window_s);
	for (int i = 0; i < w->ninputs; i++)
		mem_free(w->in[i].live);
}

/* SELECT k, count(*), count(v), sum(v), min(v), max(v) FROM s GROUP BY k */
static void test_model_group_by(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	static const char *const fns[] = { "count(*)", "count", "sum", "min", "max" };
	static const int args[] = { -1, 1, 1, 1, 1 };
	int groups[1] = { 0 };
	LogicalOp *plan = agg(scan(w.in[0].obj), 1, groups, 5, fns, args);
	run_seeds(plan, &w, "group by k", false, 0);
}

/* SELECT name, count(*), sum(amt), min(name), max(amt), min(ts), count(name)
 * FROM s GROUP BY name (strings and numerics through keys, states and outputs) */
static void test_model_group_by_text(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	static const char *const fns[] = { "count(*)", "sum", "min", "max", "min", "count" };
	static const int args[] = { -1, 4, 3, 4, 2, 3 };
	int groups[1] = { 3 };
	LogicalOp *plan = agg(scan(w.in[0].obj), 1, groups, 6, fns, args);
	run_seeds(plan, &w, "group by name", false, 0);
}

/* The same over an append-only stream: min/max take their variants that cannot retract. */
static void test_model_append_only(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	w.in[0].obj->append_only = true;
	static const char *const fns[] = { "count(*)", "min", "max", "max", "sum" };
	static const int args[] = { -1, 1, 3, 4, 4 };
	int groups[1] = { 0 };
	LogicalOp *plan = agg(scan(w.in[0].obj), 1, groups, 5, fns, args);
	assert_false(plan->aggs[1].fn->retractable);
	run_seeds(plan, &w, "append-only group by", false, 0);
}

/* SELECT v * 2, k + v, k FROM s WHERE v > 0 */
static void test_model_filter_project(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	LogicalOp *f = filter(scan(w.in[0].obj), bin(">", col(1, T_INT4), cint(0)));
	Expr *ex[3] = { bin("*", col(1, T_INT4), cint(2)), bin("+", col(0, T_INT4), col(1, T_INT4)),
			col(0, T_INT4) };
	LogicalOp *plan = project(f, 3, ex);
	run_seeds(plan, &w, "filter + project", false, 0);
}

/* SELECT window_start, k, count(*), sum(v), min(v), max(v)
 * FROM TUMBLE(s, ts, INTERVAL '10 seconds') GROUP BY window_start, k, under a watermark. */
static void test_model_tumble_agg(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	w.in[0].obj->wm_col = 2;
	static const char *const fns[] = { "count(*)", "sum", "min", "max" };
	static const int args[] = { -1, 1, 1, 1 };
	int groups[2] = { NCOLS, 0 };
	LogicalOp *t = tumble(scan(w.in[0].obj), 2, 10);
	LogicalOp *plan = agg(t, 2, groups, 4, fns, args);
	assert_int_equal(plan->wm_col, 0);
	run_seeds(plan, &w, "tumble + agg", true, 10);
}

/* SELECT count(*), sum(v), min(v), max(v) FROM s WHERE k % 2 = 0 */
static void test_model_filter_global_agg(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	LogicalOp *f = filter(scan(w.in[0].obj),
			      bin("=", bin("%", col(0, T_INT4), cint(2)), cint(0)));
	static const char *const fns[] = { "count(*)", "sum", "min", "max" };
	static const int args[] = { -1, 1, 1, 1 };
	LogicalOp *plan = agg(f, 0, NULL, 4, fns, args);
	run_seeds(plan, &w, "filter + global agg", false, 0);
}

/* SELECT k, count(*), sum(v) FROM (SELECT * FROM s UNION ALL SELECT * FROM t) GROUP BY k */
static void test_model_union_agg(void **state)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("s");
	w.in[1].obj = mk_obj("t");
	static const char *const fns[] = { "count(*)", "sum", "max" };
	static const int args[] = { -1, 1, 1 };
	int groups[1] = { 0 };
	LogicalOp *u = union_all(scan(w.in[0].obj), scan(w.in[1].obj));
	LogicalOp *plan = agg(u, 1, groups, 3, fns, args);
	run_seeds(plan, &w, "union all + agg", false, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_group_by, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_group_by_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_filter_project, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_tumble_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_filter_global_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_union_agg, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("model comparisons: %d\n", comparisons);
	return rc;
}
