/* test_join.c: model tests of the join operator (hash_join.c) under changelogs.
 *
 * The model of test_model.c: random table-like changelogs (inserts, deletes, update pairs) on
 * BOTH inputs, pushed in random chunks through a DF_STREAMING dataflow of a join, epochs ended
 * at random points; after every barrier the view (an MvStore fed the output) must equal a
 * DF_BATCH run of the same plan over the surviving rows (which takes the operator's batch
 * path: build both sides, join once). Joins: inner, left, right, full, semi, anti and NOT IN's
 * null-aware anti, on a key with duplicates on both sides (k) and on one with NULLs (v), with
 * and without a residual, and a join under an aggregation. Seeds are fixed.
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

static Expr *bin(const char *op, Expr *a, Expr *b)
{
	Expr *args[2] = { a, b };
	Expr *x = expr_func(&A, op, args, 2, 0, &E);
	assert_non_null(x);
	return x;
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
	Params p = { rnd_int(3, 40), 0, 200 }; /* few keys: joins grow as products */
	int64_t wm_s = -1000000; /* the watermark in seconds */
	int epochs = rnd_int(15, 30);
	for (int epoch = 1; epoch <= epochs; epoch++) {
		int pushes = rnd_int(0, 4);
		for (int k = 0; k < pushes; k++) {
			int i = rnd_int(0, w->ninputs - 1);
			Input *in = &w->in[i];
			chunk_reset(in->chunk);
			int64_t min_del = windowed ? tumble_open(wm_s, window_s) : INT64_MIN;
			gen_changes(in, &p, rnd_int(1, rnd_int(0, 3) ? 20 : 150), min_del);
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

#define SEEDS 8

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

/* A join of a and b on a.col = b.col, residual a.v < b.v when asked. */
static LogicalOp *join(LogicalOp *a, LogicalOp *b, JoinType t, int key, bool residual)
{
	bool semi = t >= JOIN_SEMI;
	int n = a->ncols + (semi ? 0 : b->ncols);
	LogicalOp *op = mk_lop(LOP_JOIN, n, NULL);
	op->nchildren = 2;
	op->children = arena_calloc(&A, 2 * sizeof *op->children);
	op->children[0] = a;
	op->children[1] = b;
	for (int i = 0; i < n; i++)
		op->cols[i] = i < a->ncols ? a->cols[i] : b->cols[i - a->ncols];
	op->join_type = t;
	op->njkeys = 1;
	op->lkeys = arena_calloc(&A, sizeof(Expr *));
	op->rkeys = arena_calloc(&A, sizeof(Expr *));
	op->lkeys[0] = col(key, TYPES[key]);
	op->rkeys[0] = col(key, TYPES[key]);
	if (residual)
		op->residual = bin("<", col(1, T_INT4), col(a->ncols + 1, T_INT4));
	op->l_time = op->r_time = -1;
	return op;
}

static void run_join(JoinType t, int key, bool residual, const char *what)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	LogicalOp *plan = join(scan(w.in[0].obj), scan(w.in[1].obj), t, key, residual);
	run_seeds(plan, &w, what, false, 0);
}

static void test_inner(void **state)
{
	run_join(JOIN_INNER, 0, false, "inner on k");
	run_join(JOIN_INNER, 1, true, "inner on v (NULLs), residual");
}

static void test_left(void **state)
{
	run_join(JOIN_LEFT, 0, false, "left on k");
	run_join(JOIN_LEFT, 1, false, "left on v");
	run_join(JOIN_LEFT, 0, true, "left on k, residual");
}

static void test_right(void **state)
{
	run_join(JOIN_RIGHT, 0, true, "right on k, residual");
	run_join(JOIN_RIGHT, 1, false, "right on v");
}

static void test_full(void **state)
{
	run_join(JOIN_FULL, 0, false, "full on k");
	run_join(JOIN_FULL, 1, true, "full on v, residual");
}

static void test_semi(void **state)
{
	run_join(JOIN_SEMI, 0, false, "semi on k");
	run_join(JOIN_SEMI, 1, true, "semi on v, residual");
}

static void test_anti(void **state)
{
	run_join(JOIN_ANTI, 0, true, "anti on k, residual");
	run_join(JOIN_ANTI, 1, false, "anti on v");
	run_join(JOIN_ANTI_NA, 1, false, "not in on v");
	run_join(JOIN_ANTI_NA, 0, false, "not in on k");
}

/* SELECT a.k, count(*), sum(b.v) FROM a LEFT JOIN b ON a.k = b.k GROUP BY a.k */
static void test_join_agg(void **state)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	LogicalOp *j = join(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_LEFT, 0, false);
	static const char *const fns[] = { "count(*)", "sum" };
	static const int args[] = { -1, NCOLS + 1 };
	int groups[1] = { 0 };
	run_seeds(agg(j, 1, groups, 2, fns, args), &w, "left join + agg", false, 0);
}

/* A view over a cross join is rejected; a batch query runs it. */
static void test_cross_rejected(void **state)
{
	LogicalOp *j = join(scan(mk_obj("a")), scan(mk_obj("b")), JOIN_INNER, 0, false);
	j->njkeys = 0;
	err_clear(&E);
	assert_null(dataflow_build(j, DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "a cross join cannot be maintained incrementally");
	Dataflow *df = dataflow_build(j, DF_BATCH, &E);
	assert_non_null(df);
	dataflow_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_right, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_semi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anti, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_rejected, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("join model comparisons: %d\n", comparisons);
	return rc;
}
