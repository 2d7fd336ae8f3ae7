/* model_harness.h: the shared harness of the model tests of incremental view maintenance.
 *
 * Header-only (every function is static), included by tests/unit/test_model.c and
 * tests/unit/test_join.c, each built as its own binary. It provides: a deterministic random
 * source (splitmix64: rng_state, rnd, rnd_int); plan builders over a five-column table
 * (k int4, v int4, ts timestamp, name varchar, amt numeric): mk_obj, mk_lop, set_col, scan,
 * col, cint, bin, filter, project, tumble, agg, union_all; the input model (Row, Input, Params,
 * put, random_row, gen_changes: random table-like changelogs of inserts, deletes and update
 * pairs); and the check (World, scan_live, sort_lines, check_equal, run_case): a DF_STREAMING
 * dataflow's output applied to an MvStore must equal, as sorted text after every barrier, a
 * DF_BATCH run of the same plan over the surviving rows; run_seeds runs MODEL_SEEDS cases of a
 * plan, and setup/teardown are the cmocka group fixtures (arena A, error E). The checks done
 * are counted in `comparisons`. The including file defines, before the #include, the case
 * shape: MODEL_SEEDS, MODEL_KEYS_LO and MODEL_KEYS_HI (the range of the number of distinct
 * keys) and MODEL_BIG_PUSH (the most changes of one push in four; the others carry up to 20).
 * Test-only code: it must never be linked into the library.
 */
#ifndef EDDY_TESTS_MODEL_HARNESS_H
#define EDDY_TESTS_MODEL_HARNESS_H

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

#include "ckpt_harness.h"

#if !defined(MODEL_SEEDS) || !defined(MODEL_KEYS_LO) || !defined(MODEL_KEYS_HI) || \
	!defined(MODEL_BIG_PUSH)
#error "define MODEL_SEEDS, MODEL_KEYS_LO, MODEL_KEYS_HI and MODEL_BIG_PUSH before model_harness.h"
#endif

static Arena A;
static Err E;

/* ---- A deterministic random source (splitmix64). */

static uint64_t rng_state;

static inline uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline int rnd_int(int lo, int hi) /* [lo, hi] */
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- Plan constructors. */

#define NCOLS 5
static const char *const NAMES[NCOLS] = { "k", "v", "ts", "name", "amt" };
static const TypeId TYPES[NCOLS] = { T_INT4, T_INT4, T_TIMESTAMP, T_VARCHAR, T_NUMERIC };
static const char *const WORDS[] = { "ant", "bee", "cat", "", "dog", "eel", "émeu" };
#define NWORDS ((int)(sizeof WORDS / sizeof WORDS[0]))

static inline CatObject *mk_obj(const char *name)
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

static inline LogicalOp *mk_lop(LopKind kind, int ncols, LogicalOp *child)
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

static inline void set_col(LogicalOp *op, int i, const char *name, TypeId t)
{
	op->cols[i].name = (char *)name;
	op->cols[i].type = t;
	op->cols[i].typmod = -1;
}

static inline LogicalOp *scan(CatObject *o)
{
	LogicalOp *op = mk_lop(LOP_SCAN, NCOLS, NULL);
	op->obj = o;
	op->wm_col = o->wm_col;
	op->append_only = o->append_only;
	for (int i = 0; i < NCOLS; i++)
		op->cols[i] = o->cols[i];
	return op;
}

static inline Expr *col(int i, TypeId t)
{
	return expr_col(&A, i, t, 0);
}

static inline Expr *cint(int64_t v)
{
	Value val = value_int(T_INT4, v);
	return expr_const(&A, &val, 0);
}

static inline Expr *bin(const char *op, Expr *a, Expr *b)
{
	Expr *args[2] = { a, b };
	Expr *x = expr_func(&A, op, args, 2, 0, &E);
	assert_non_null(x);
	return x;
}

static inline LogicalOp *filter(LogicalOp *child, Expr *pred)
{
	LogicalOp *op = mk_lop(LOP_FILTER, child->ncols, child);
	op->nexprs = 1;
	op->exprs = arena_calloc(&A, sizeof *op->exprs);
	op->exprs[0] = pred;
	return op;
}

static inline LogicalOp *project(LogicalOp *child, int n, Expr **exprs)
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

static inline LogicalOp *tumble(LogicalOp *child, int time_col, int64_t size_s)
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
static inline LogicalOp *agg(LogicalOp *child, int ngroup, const int *groups, int naggs,
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

static inline LogicalOp *union_all(LogicalOp *a, LogicalOp *b)
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

static inline void put(Chunk *c, const Row *row, Op op)
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

static inline Row random_row(const Params *p)
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
static inline int pick_live(Input *in, int64_t min_ts_us)
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

static inline void add_live(Input *in, Row row)
{
	if (in->nlive == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		in->live = mem_realloc(in->live, (size_t)in->cap * sizeof *in->live);
	}
	in->live[in->nlive++] = row;
}

/* Appends n random changes to in->chunk (which has room): inserts, deletes of live rows, and
 * update pairs. Deletes and updates touch only rows with time >= min_del_us. */
static inline void gen_changes(Input *in, const Params *p, int n, int64_t min_del_us)
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

static inline int scan_live(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
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

static inline int print_rows(void *arg, const Chunk *c, Err *e)
{
	chunk_print(c, arg);
	return 0;
}

static inline int apply_out(void *arg, const Chunk *c, Err *e)
{
	mvstore_apply(arg, c);
	return 0;
}

static inline int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of sb in place. */
static inline void sort_lines(StrBuf *sb)
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
static int ckpt_cycles; /* checkpoint-restore cycles done (ckpt_harness.h) */

/* The earliest time (microseconds) still in an open window once the watermark is wm_s. */
static inline int64_t tumble_open(int64_t wm_s, int64_t window_s)
{
	int64_t size = window_s * US_PER_SEC, t = wm_s * US_PER_SEC;
	int64_t m = t % size;
	return t - (m < 0 ? m + size : m);
}

static inline void check_equal(const LogicalOp *plan, World *w, MvStore *store, const char *what,
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
 * watermark on ts and changes never touch closed windows. The number of distinct keys is drawn
 * from [keys_lo, keys_hi]; one push in four carries up to big_push changes (else up to 20). */
static inline void run_case(const LogicalOp *plan, World *w, uint64_t seed, const char *what,
			    bool windowed, int64_t window_s, int keys_lo, int keys_hi,
			    int big_push)
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
	Params p = { rnd_int(keys_lo, keys_hi), 0, 200 };
	int64_t wm_s = -1000000; /* the watermark in seconds */
	int epochs = rnd_int(15, 30);
	CkStore ck;
	ck_init(&ck);
	bool ck_full = true;
	for (int epoch = 1; epoch <= epochs; epoch++) {
		int pushes = rnd_int(0, 4);
		for (int k = 0; k < pushes; k++) {
			int i = rnd_int(0, w->ninputs - 1);
			Input *in = &w->in[i];
			chunk_reset(in->chunk);
			int64_t min_del = windowed ? tumble_open(wm_s, window_s) : INT64_MIN;
			gen_changes(in, &p, rnd_int(1, rnd_int(0, 3) ? 20 : big_push), min_del);
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
		/* Now and then the dataflow is checkpointed and replaced by one restored from the
		 * checkpoint: the next epochs' checks then cover the restored state. */
		if (rnd_int(0, 2) == 0 &&
		    ck_cycle(&df, plan, &ck, &ck_full, apply_out, store, &E, what))
			ckpt_cycles++;
	}
	ck_deinit(&ck);
	assert_int_equal(dataflow_late_rows(df), 0);
	assert_int_equal(dataflow_row_errors(df), 0);
	for (int i = 0; i < w->ninputs; i++)
		chunk_free(w->in[i].chunk);
	mvstore_free(store);
	dataflow_free(df);
}

static inline void run_seeds(const LogicalOp *plan, World *w, const char *what, bool windowed,
			     int64_t window_s)
{
	for (uint64_t seed = 1; seed <= MODEL_SEEDS; seed++)
		run_case(plan, w, seed * 7919, what, windowed, window_s, MODEL_KEYS_LO,
			 MODEL_KEYS_HI, MODEL_BIG_PUSH);
	for (int i = 0; i < w->ninputs; i++)
		mem_free(w->in[i].live);
}

static inline int setup(void **state)
{
	arena_init(&A, 0);
	err_clear(&E);
	return 0;
}

static inline int teardown(void **state)
{
	arena_deinit(&A);
	return 0;
}

#endif
