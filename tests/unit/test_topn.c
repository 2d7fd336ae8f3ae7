/* test_topn.c: model tests of group top-N and OVER windows (stream/over_window.c).
 *
 * Each case pushes a random changelog over a table (k, v, name): inserts of rows with few
 * distinct values (so ties are common), deletes and updates of live rows, in random chunks,
 * with barriers at random points, through a DF_STREAMING dataflow of a TOPN or OVER plan with a
 * random N; the output changelog is applied to an MvStore. After every barrier the store must
 * equal, as sorted text, a DF_BATCH run of the same plan over the live rows, and no delete may
 * miss its row. A brute-force count checks that the batch answer itself holds the right number
 * of rows per partition (min(N, rows) for ROW_NUMBER). Seeds are fixed, so failures replay.
 * After about half of the barriers the operator's state goes through a checkpoint cycle
 * (ckpt_harness.h): the dataflow goes on restored, so later comparisons check restored state.
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
#include "ckpt_harness.h"

static Arena A;
static Err E;
static uint64_t seed_state;

static uint64_t next_rand(void)
{
	seed_state ^= seed_state << 13;
	seed_state ^= seed_state >> 7;
	seed_state ^= seed_state << 17;
	return seed_state;
}

static int pick(int lo, int hi)
{
	return lo + (int)(next_rand() % (uint64_t)(hi - lo + 1));
}

#define NC 3
static const TypeId COLT[NC] = {T_INT4, T_INT4, T_VARCHAR};
static const char *const COLN[NC] = {"k", "v", "name"};
static const char *const TEXTS[] = {"x", "yy", "", "zz"};

typedef struct Tup {
	int k, v, name; /* v = -1: NULL */
} Tup;

typedef struct Model {
	CatObject *obj;
	Tup *live;
	int n, cap;
	Chunk *c;
} Model;

static void put_tup(Chunk *c, const Tup *t, Op op)
{
	int r = c->nrows++;
	VEC_DATA(&c->cols[0], int32_t)[r] = t->k;
	c->cols[0].nulls[r] = 0;
	VEC_DATA(&c->cols[1], int32_t)[r] = t->v;
	c->cols[1].nulls[r] = t->v < 0;
	VEC_DATA(&c->cols[2], Str)[r] = chunk_str(c, TEXTS[t->name], strlen(TEXTS[t->name]));
	c->cols[2].nulls[r] = 0;
	c->ops[r] = (uint8_t)op;
}

/* A row of partition kmin .. kmin + nkeys - 1. */
static Tup rand_tup(int kmin, int nkeys)
{
	Tup t = {kmin + pick(0, nkeys - 1), pick(-1, 6), pick(0, 3)};
	return t;
}

static void live_add(Model *m, const Tup *t)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->live = mem_realloc(m->live, (size_t)m->cap * sizeof *m->live);
	}
	m->live[m->n++] = *t;
}

/* n random changes of rows of partitions kmin .. kmin + nkeys - 1 into m->c. With a watermark
 * wm on k (partitions below it closed), a change of a row with k < wm is late: it goes into
 * the chunk but not into the live rows, and *late counts it (an update is two changes, each
 * judged alone, as the operator does). */
static void changes(Model *m, int n, int kmin, int nkeys, int wm, uint64_t *late)
{
	for (int i = 0; i < n && m->c->nrows + 2 <= CHUNK_CAP; i++) {
		int dice = pick(0, 99);
		if (dice < 55 || m->n == 0 || m->obj->append_only) {
			Tup t = rand_tup(kmin, nkeys);
			put_tup(m->c, &t, OP_INSERT);
			if (t.k < wm)
				++*late;
			else
				live_add(m, &t);
			continue;
		}
		int j = pick(0, m->n - 1);
		Tup old = m->live[j];
		bool gone = old.k >= wm;
		if (gone)
			m->live[j] = m->live[--m->n];
		else
			++*late;
		if (dice < 85) {
			put_tup(m->c, &old, OP_DELETE);
			continue;
		}
		Tup t = rand_tup(kmin, nkeys);
		put_tup(m->c, &old, OP_UPDATE_DELETE);
		put_tup(m->c, &t, OP_UPDATE_INSERT);
		if (t.k < wm)
			++*late;
		else
			live_add(m, &t);
	}
}

static int scan_model(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		      void *emit_arg, Err *e)
{
	Model *m = arg;
	Chunk *c = chunk_new(COLT, NC);
	int rc = 0;
	for (int i = 0; i < m->n && rc == 0; i++) {
		put_tup(c, &m->live[i], OP_INSERT);
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

static int to_text(void *arg, const Chunk *c, Err *e)
{
	chunk_print(c, arg);
	return 0;
}

static int to_store(void *arg, const Chunk *c, Err *e)
{
	mvstore_apply(arg, c);
	return 0;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of sb, sorted, into a new string (caller frees); *nlines counts them. */
static char *sorted(const StrBuf *sb, int *nlines)
{
	char *text = mem_strndup(sb->data ? sb->data : "", sb->len);
	char **v = mem_calloc(sb->len + 1, sizeof *v);
	int n = 0;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		v[n++] = p;
	qsort(v, (size_t)n, sizeof *v, line_cmp);
	StrBuf out;
	sb_init(&out);
	for (int i = 0; i < n; i++) {
		sb_puts(&out, v[i]);
		sb_putc(&out, '\n');
	}
	char *r = mem_strndup(out.data ? out.data : "", out.len);
	sb_deinit(&out);
	mem_free(v);
	mem_free(text);
	*nlines = n;
	return r;
}

/* ---- plans */

static LogicalOp *new_op(LopKind kind, int ncols, LogicalOp *child)
{
	LogicalOp *op = arena_calloc(&A, sizeof *op);
	op->kind = kind;
	op->ncols = ncols;
	op->cols = arena_calloc(&A, (size_t)(ncols + 1) * sizeof *op->cols);
	op->wm_col = -1;
	op->limit = -1;
	if (child) {
		op->nchildren = 1;
		op->children = arena_calloc(&A, sizeof *op->children);
		op->children[0] = child;
		memcpy(op->cols, child->cols, (size_t)child->ncols * sizeof *op->cols);
	}
	return op;
}

static LogicalOp *scan_of(CatObject *o)
{
	LogicalOp *op = new_op(LOP_SCAN, NC, NULL);
	op->obj = o;
	op->append_only = o->append_only;
	memcpy(op->cols, o->cols, NC * sizeof *op->cols);
	return op;
}

/* PARTITION BY k ORDER BY v DESC, name. */
static void set_window(LogicalOp *op)
{
	op->npart = 1;
	op->part_cols = arena_calloc(&A, sizeof(int));
	op->nkeys = 2;
	op->keys = arena_calloc(&A, 2 * sizeof *op->keys);
	op->keys[0] = (SortKey){1, true, true};
	op->keys[1] = (SortKey){2, false, false};
}

static LogicalOp *topn_plan(LogicalOp *child, WinKind kind, int64_t n, bool rank_out)
{
	LogicalOp *op = new_op(LOP_TOPN, NC + rank_out, child);
	set_window(op);
	op->rank_kind = kind;
	op->limit = n;
	op->rank_output = rank_out;
	if (rank_out)
		op->cols[NC] = (ColumnDef){.name = "rn", .type = T_INT8, .typmod = -1};
	return op;
}

static LogicalOp *over_plan(LogicalOp *child, int64_t preceding)
{
	LogicalOp *op = new_op(LOP_OVER, NC + 3, child);
	set_window(op);
	op->nwins = 3;
	op->wins = arena_calloc(&A, 3 * sizeof *op->wins);
	const AggFunc *sum = agg_resolve("sum", T_INT4, false, false, false, &E);
	const AggFunc *cnt = agg_resolve("count", T_NULL, true, false, false, &E);
	assert_non_null(sum);
	assert_non_null(cnt);
	op->wins[0] = (WinCall){.kind = WIN_RANK, .arg = -1};
	op->wins[1] = (WinCall){.kind = WIN_AGG, .fn = sum, .arg = 1, .rows = true,
				.start = WB_PRECEDING, .start_off = preceding, .end = WB_CURRENT_ROW};
	op->wins[2] = (WinCall){.kind = WIN_AGG, .fn = cnt, .arg = -1, .rows = false,
				.start = WB_UNBOUNDED_PRECEDING, .end = WB_CURRENT_ROW};
	op->cols[NC] = (ColumnDef){.name = "r", .type = T_INT8, .typmod = -1};
	op->cols[NC + 1] = (ColumnDef){.name = "s", .type = sum->result_type, .typmod = -1};
	op->cols[NC + 2] = (ColumnDef){.name = "c", .type = T_INT8, .typmod = -1};
	return op;
}

/* ---- the model loop */

static int checks, cycles;

/* Rows the batch top-N must hold for ROW_NUMBER: min(N, rows) per partition. */
static int expected_rows(const Model *m, int64_t n)
{
	int total = 0, kmax = 0;
	for (int i = 0; i < m->n; i++)
		kmax = m->live[i].k > kmax ? m->live[i].k : kmax;
	for (int k = 0; k <= kmax; k++) {
		int c = 0;
		for (int i = 0; i < m->n; i++)
			c += m->live[i].k == k;
		total += c < n ? c : (int)n;
	}
	return total;
}

/* The view (store) equals the batch run of the plan over the live rows. */
static void check_view(LogicalOp *plan, Model *m, MvStore *store, uint64_t seed, int epoch,
		       bool row_number)
{
	StrBuf got, want;
	sb_init(&got);
	sb_init(&want);
	assert_int_equal(mvstore_scan(store, to_text, &got, &E), 0);
	assert_int_equal(batch_run(plan, scan_model, m, to_text, &want, &E), 0);
	int ng, nw;
	char *g = sorted(&got, &ng), *w = sorted(&want, &nw);
	if (strcmp(g, w) != 0) {
		print_message("seed %llu epoch %d\nview:\n%s\nbatch:\n%s\n",
			      (unsigned long long)seed, epoch, g, w);
		fail();
	}
	if (row_number)
		assert_int_equal(nw, expected_rows(m, plan->limit));
	assert_int_equal(store->anomalies, 0);
	mem_free(g);
	mem_free(w);
	sb_deinit(&got);
	sb_deinit(&want);
	checks++;
}

/* With `windowed`, the plan is partitioned by k and declares k's watermark (wm_col 0): the
 * watermark advances between chunks, changes reach partitions a little below it (late: not in
 * the live rows, counted), and at the end a watermark past every key closes everything, after
 * which the view is unchanged and the operator holds no rows (its checkpoint is the header). */
static void run(LogicalOp *plan, Model *m, uint64_t seed, bool row_number, bool windowed)
{
	seed_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	m->n = 0;
	m->c = chunk_new(COLT, NC);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	TypeId types[NC + 3];
	for (int i = 0; i < plan->ncols; i++)
		types[i] = plan->cols[i].type;
	MvStore *store = mvstore_new(types, plan->ncols, NULL, 0);
	dataflow_set_output(df, to_store, store);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	int nkeys = pick(1, 5), wm = INT32_MIN;
	uint64_t late = 0;
	for (int epoch = 1; epoch <= 25; epoch++) {
		for (int k = pick(0, 3); k > 0; k--) {
			chunk_reset(m->c);
			changes(m, pick(1, pick(0, 4) ? 15 : 400), wm > 0 ? wm - 1 : 0, nkeys, wm,
				&late);
			assert_int_equal(dataflow_push(df, 0, m->c, &E), 0);
			if (windowed && pick(0, 2) == 0) {
				wm = (wm < 0 ? 0 : wm) + pick(0, 2);
				assert_int_equal(dataflow_watermark(df, 0, 0, wm, &E), 0);
			}
		}
		assert_int_equal(dataflow_barrier(df, (uint64_t)epoch, &E), 0);
		if (pick(0, 1))
			cycles += ck_cycle(&df, plan, &ck, &full, to_store, store, &E, "over_window");
		check_view(plan, m, store, seed, epoch, row_number);
		assert_int_equal(dataflow_late_rows(df), late);
	}
	if (windowed) {
		assert_int_equal(dataflow_watermark(df, 0, 0, 1 << 20, &E), 0);
		assert_int_equal(dataflow_barrier(df, 26, &E), 0);
		check_view(plan, m, store, seed, 26, row_number);
		cycles += ck_cycle(&df, plan, &ck, &full, to_store, store, &E, "over_window");
		/* Entries: the operator's header and the dataflow's own; no row is left. */
		assert_int_equal(ck.n, 2);
		assert_int_equal(dataflow_state_bytes(df), 0); /* restored from that: nothing */
		/* A row for a closed partition is late and changes nothing. */
		Tup t = {pick(0, 5), 1, 0};
		chunk_reset(m->c);
		put_tup(m->c, &t, OP_INSERT);
		assert_int_equal(dataflow_push(df, 0, m->c, &E), 0);
		assert_int_equal(dataflow_barrier(df, 27, &E), 0);
		check_view(plan, m, store, seed, 27, row_number);
		assert_int_equal(dataflow_late_rows(df), late + 1);
	}
	mvstore_free(store);
	dataflow_free(df);
	chunk_free(m->c);
	ck_deinit(&ck);
}

static CatObject *table(bool append_only)
{
	CatObject *o = arena_calloc(&A, sizeof *o);
	o->name = "t";
	o->kind = OBJ_TABLE;
	o->ncols = NC;
	o->cols = arena_calloc(&A, NC * sizeof *o->cols);
	for (int i = 0; i < NC; i++)
		o->cols[i] = (ColumnDef){.name = (char *)COLN[i], .type = COLT[i], .typmod = -1};
	o->wm_col = -1;
	o->append_only = append_only;
	return o;
}

static void topn_cases(bool append_only, bool windowed)
{
	static const WinKind kinds[] = {WIN_ROW_NUMBER, WIN_RANK, WIN_DENSE_RANK};
	Model m = {.obj = table(append_only)};
	for (uint64_t seed = 1; seed <= (windowed ? 15 : 30); seed++) {
		seed_state = seed;
		WinKind kind = kinds[seed % 3];
		int64_t n = pick(0, 4);
		bool rank_out = pick(0, 1);
		LogicalOp *plan = topn_plan(scan_of(m.obj), kind, n, rank_out);
		if (windowed)
			plan->wm_col = plan->children[0]->wm_col = 0;
		run(plan, &m, seed, kind == WIN_ROW_NUMBER, windowed);
	}
	mem_free(m.live);
}

static void test_topn_retract(void **state)
{
	topn_cases(false, false);
}

static void test_topn_append_only(void **state)
{
	topn_cases(true, false);
}

/* OVER with three calls and a frame of 0..3 preceding rows. */
static void over_cases(bool windowed)
{
	Model m = {.obj = table(false)};
	for (uint64_t seed = 1; seed <= (windowed ? 12 : 20); seed++) {
		LogicalOp *plan = over_plan(scan_of(m.obj), (int64_t)(seed % 4));
		if (windowed)
			plan->wm_col = plan->children[0]->wm_col = 0;
		run(plan, &m, seed, false, windowed);
	}
	mem_free(m.live);
}

static void test_over_frames(void **state)
{
	over_cases(false);
}

/* Partitioned by the watermark column: closed partitions are freed, late rows counted, and
 * the view equals the recomputation over the rows that were not late. */
static void test_topn_windowed(void **state)
{
	topn_cases(false, true);
}

static void test_topn_windowed_append_only(void **state)
{
	topn_cases(true, true);
}

static void test_over_windowed(void **state)
{
	over_cases(true);
}

/* The recomputation itself on a fixed input: ranks with ties as PostgreSQL numbers them. */
static void test_topn_batch_ranks(void **state)
{
	Model m = {.obj = table(false)};
	static const Tup rows[] = {{0, 5, 0}, {0, 5, 1}, {0, 3, 0}, {0, -1, 0}, {1, 2, 0}};
	m.live = mem_calloc(8, sizeof *m.live);
	memcpy(m.live, rows, sizeof rows);
	m.n = 5;
	LogicalOp *plan = topn_plan(scan_of(m.obj), WIN_RANK, 3, true);
	StrBuf out;
	sb_init(&out);
	assert_int_equal(batch_run(plan, scan_model, &m, to_text, &out, &E), 0);
	int n;
	char *s = sorted(&out, &n);
	/* NULLs first under DESC: the NULL row ranks 1, then the 5s by name; the 3 ranks 4. */
	assert_int_equal(n, 4);
	assert_string_equal(s, "+ 0,5,x,2\n+ 0,5,yy,3\n+ 0,NULL,x,1\n+ 1,2,x,1\n");
	mem_free(s);
	sb_deinit(&out);
	mem_free(m.live);
}

/* Pushes the model's pending chunk and ends the epoch. */
static void push_barrier(Dataflow *df, Model *m, uint64_t epoch)
{
	assert_int_equal(dataflow_push(df, 0, m->c, &E), 0);
	chunk_reset(m->c);
	assert_int_equal(dataflow_barrier(df, epoch, &E), 0);
}

static int discard(void *arg, const Chunk *c, Err *e)
{
	return 0;
}

/* A dataflow of plan (output discarded) after inserting n rows {i % nparts, i / nparts,
 * (i / name_div) % 4} in epochs from *epoch on; m->c is its chunk (the caller frees it). */
static Dataflow *loaded(LogicalOp *plan, Model *m, int n, int nparts, int name_div,
			uint64_t *epoch)
{
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, discard, NULL);
	m->c = chunk_new(COLT, NC);
	for (int i = 0; i < n; i++) {
		Tup t = {i % nparts, i / nparts, (i / name_div) % 4};
		put_tup(m->c, &t, OP_INSERT);
		if (chunk_full(m->c))
			push_barrier(df, m, (*epoch)++);
	}
	push_barrier(df, m, (*epoch)++);
	return df;
}

/* An incremental checkpoint of df into ck writes `puts` and `dels`, leaving n entries. */
static void expect_writes(Dataflow *df, CkStore *ck, uint64_t puts, uint64_t dels, size_t n)
{
	ck->puts = ck->dels = 0;
	assert_int_equal(dataflow_checkpoint(df, &ck->w, false, &E), 0);
	assert_int_equal(ck->puts, puts);
	assert_int_equal(ck->dels, dels);
	assert_int_equal(ck->n, n);
}

/* An incremental checkpoint writes the header and the entries of the rows that changed: after
 * one insert into one partition of 500, one put; after a delete, one del; the same for one
 * change in a single partition of 2000 rows (OVER without partitions). */
static void test_checkpoint_incremental(void **state)
{
	Model m = {.obj = table(false)};
	LogicalOp *plans[2] = {topn_plan(scan_of(m.obj), WIN_ROW_NUMBER, 2, true),
			       over_plan(scan_of(m.obj), 1)};
	plans[1]->npart = 0; /* one partition of every row */
	for (int pl = 0; pl < 2; pl++) {
		uint64_t epoch = 1;
		Dataflow *df = loaded(plans[pl], &m, 2000, 500, 1, &epoch);
		CkStore ck;
		ck_init(&ck);
		assert_int_equal(dataflow_checkpoint(df, &ck.w, true, &E), 0);
		size_t entries = ck.n;
		assert_true(entries >= 2000);

		/* Puts: the header, the dataflow's own entry, then the new row. */
		Tup t = {7, 9, 1}, old = {3, 0, 3};
		put_tup(m.c, &t, OP_INSERT);
		push_barrier(df, &m, epoch++);
		expect_writes(df, &ck, 3, 0, entries + 1);
		put_tup(m.c, &old, OP_DELETE);
		push_barrier(df, &m, epoch++);
		expect_writes(df, &ck, 2, 1, entries);
		/* A second copy inserted, then both deleted: one del (the copy was never saved). */
		put_tup(m.c, &t, OP_INSERT);
		put_tup(m.c, &t, OP_DELETE);
		put_tup(m.c, &t, OP_DELETE);
		push_barrier(df, &m, epoch++);
		expect_writes(df, &ck, 2, 1, entries - 1);
		ck_deinit(&ck);
		chunk_free(m.c);
		dataflow_free(df);
	}
}

/* Closing half of the partitions of a windowed top-N frees their state, and the next
 * incremental checkpoint deletes exactly their rows' entries (and puts only the headers). */
static void test_windowed_close_checkpoint(void **state)
{
	Model m = {.obj = table(false)};
	LogicalOp *plans[2] = {topn_plan(scan_of(m.obj), WIN_ROW_NUMBER, 2, true),
			       over_plan(scan_of(m.obj), 1)};
	for (int pl = 0; pl < 2; pl++) {
		LogicalOp *plan = plans[pl];
		plan->wm_col = plan->children[0]->wm_col = 0;
		/* Partitions 0..9 of 100 distinct rows each. */
		uint64_t epoch = 1;
		Dataflow *df = loaded(plan, &m, 1000, 10, 10, &epoch);
		CkStore ck;
		ck_init(&ck);
		assert_int_equal(dataflow_checkpoint(df, &ck.w, true, &E), 0);
		assert_int_equal(ck.n, 1000 + 2);
		size_t all = dataflow_state_bytes(df);
		StrBuf ex;
		sb_init(&ex);
		dataflow_explain(df, &ex);
		assert_non_null(strstr(ex.data, "closes=k"));
		sb_deinit(&ex);

		/* Watermark 4: partitions 0..3 close at the barrier. */
		assert_int_equal(dataflow_watermark(df, 0, 0, 4, &E), 0);
		push_barrier(df, &m, epoch++);
		expect_writes(df, &ck, 2, 400, 600 + 2);
		/* Measured once the checkpoint wrote the deletes it logged. */
		size_t open = dataflow_state_bytes(df);
		assert_true(open < all * 7 / 10);
		/* Rows of closed partitions are late; an open one's insert is one put. */
		Tup late = {2, 50, 0}, fresh = {7, 50, 0};
		put_tup(m.c, &late, OP_INSERT);
		put_tup(m.c, &fresh, OP_INSERT);
		push_barrier(df, &m, epoch++);
		assert_int_equal(dataflow_late_rows(df), 1);
		expect_writes(df, &ck, 3, 0, 600 + 3);
		/* A restored dataflow keeps the watermark: the same late row is late there too. */
		Dataflow *back = ck_restore(plan, &ck, &E);
		dataflow_set_output(back, discard, NULL);
		put_tup(m.c, &late, OP_INSERT);
		push_barrier(back, &m, 1);
		assert_int_equal(dataflow_late_rows(back), 2);
		dataflow_free(back);
		ck_deinit(&ck);
		chunk_free(m.c);
		dataflow_free(df);
	}
}

/* Damaged entries fail the restore with XX001 instead of crashing. */
static void test_checkpoint_corrupt(void **state)
{
	Model m = {.obj = table(false)};
	LogicalOp *plan = topn_plan(scan_of(m.obj), WIN_RANK, 3, false);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	dataflow_set_output(df, discard, NULL);
	m.c = chunk_new(COLT, NC);
	Tup t = {1, 2, 3};
	put_tup(m.c, &t, OP_INSERT);
	push_barrier(df, &m, 1);
	CkStore ck;
	ck_init(&ck);
	assert_int_equal(dataflow_checkpoint(df, &ck.w, true, &E), 0);
	/* Entries: the operator's header, its row, the dataflow's own (key 0xFFFF). */
	assert_int_equal(ck.n, 3);
	CkEntry *row = &ck.ents[1];
	assert_int_equal(row->key[2], 1);
	for (int damage = 0; damage < 5; damage++) {
		Dataflow *fresh = dataflow_build(plan, DF_STREAMING, &E);
		const char *key = row->key, *val = row->val;
		size_t klen = row->klen, vlen = row->vlen;
		char buf[256];
		assert_true(klen < sizeof buf);
		if (damage == 0) {
			vlen = 3; /* a short count */
		} else if (damage == 1) {
			klen--; /* a truncated row */
		} else if (damage == 2) {
			memcpy(buf, key, klen);
			buf[klen - 5] = 0x7f; /* the name's length runs past the key */
			key = buf;
		} else {
			/* The header with another plan's values, or a watermark flag of 2 (after
			 * the plan's 23 bytes). */
			key = ck.ents[0].key;
			klen = ck.ents[0].klen;
			memcpy(buf, ck.ents[0].val, ck.ents[0].vlen);
			if (damage == 3)
				buf[3] ^= 1;
			else
				buf[23] = 2;
			val = buf;
			vlen = ck.ents[0].vlen;
		}
		assert_int_equal(dataflow_restore(fresh, key, klen, val, vlen, &E), -1);
		assert_string_equal(err_sqlstate(E.code), "XX001");
		err_clear(&E);
		dataflow_free(fresh);
	}
	ck_deinit(&ck);
	chunk_free(m.c);
	dataflow_free(df);
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_topn_retract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topn_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topn_windowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topn_windowed_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_windowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topn_batch_ranks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windowed_close_checkpoint, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("top-n model comparisons: %d, checkpoint-restore cycles: %d\n", checks, cycles);
	return rc;
}
