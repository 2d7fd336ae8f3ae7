/* test_join.c: model tests of the join operator (hash_join.c) under changelogs.
 *
 * The model of test_model.c: random table-like changelogs (inserts, deletes, update pairs) on
 * BOTH inputs, pushed in random chunks through a DF_STREAMING dataflow of a join, epochs ended
 * at random points; after every barrier the view (an MvStore fed the output) must equal a
 * DF_BATCH run of the same plan over the surviving rows (which takes the operator's batch
 * path: build both sides, join once). Joins: inner, left, right, full, semi, anti and NOT IN's
 * null-aware anti, on a key with duplicates on both sides (k) and on one with NULLs (v), with
 * and without a residual, a join under an aggregation, and an interval join of two inputs with
 * watermarks on ts (a.ts = b.ts: rows dropped below the watermarks), and interval joins whose
 * bound names another column (b.ts BETWEEN a.ts AND a.te, both ways round, with offsets) over
 * append-only inputs whose watermarks move apart, with late rows, against the join of the rows
 * not late, ending with nothing held. Seeds are fixed. The
 * harness checkpoints and restores the dataflow at random barriers (ckpt_harness.h). Also: an
 * incremental checkpoint after one change to a join of big buckets writes O(1) entries (also
 * for inner joins of append-only inputs, which keep rows as logs per key), and a
 * join whose inputs are both idle stops holding back the watermark of a UNION ALL above it.
 */

/* The case shape of model_harness.h; few keys: joins grow as products. */
#define MODEL_SEEDS 8
#define MODEL_KEYS_LO 3
#define MODEL_KEYS_HI 40
#define MODEL_BIG_PUSH 150

#include "model_harness.h"

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
	op->l_time = op->r_time = op->l_hi_col = op->r_lo_col = -1;
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

/* Inner joins of append-only inputs keep their rows as logs per key, without a row index
 * (hash_join.c, Side.log); equal rows are common here (few distinct values). */
static void run_join_log(int key, bool residual, bool one_side, const char *what)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	w.in[0].obj->append_only = true;
	w.in[1].obj->append_only = !one_side;
	LogicalOp *plan = join(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_INNER, key, residual);
	run_seeds(plan, &w, what, false, 0);
}

static void test_inner_append_only(void **state)
{
	run_join_log(0, false, false, "inner on k, append-only");
	run_join_log(1, true, false, "inner on v (NULLs), residual, append-only");
	run_join_log(0, true, true, "inner on k, residual, left append-only");
	run_join_log(1, false, true, "inner on v, left append-only");
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

/* a JOIN b ON a.k = b.k AND a.ts = b.ts, inputs with watermarks on ts: an interval join over
 * [0, 0] (changelog inputs: rows are kept until below both watermarks). */
static void test_interval(void **state)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	w.in[0].obj->wm_col = w.in[1].obj->wm_col = 2;
	LogicalOp *j = join(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_INNER, 0, false);
	j->njkeys = 2;
	j->lkeys = arena_calloc(&A, 2 * sizeof(Expr *));
	j->rkeys = arena_calloc(&A, 2 * sizeof(Expr *));
	for (int i = 0; i < 2; i++)
		j->lkeys[i] = j->rkeys[i] = col(i * 2, TYPES[i * 2]);
	j->interval = true;
	j->l_time = j->r_time = j->l_hi_col = j->r_lo_col = 2;
	j->wm_col = 2;
	/* Windows of one second: changes never touch rows below the watermark. */
	run_seeds(j, &w, "interval join on k, ts", true, 1);
}

static int count_rows(void *arg, const Chunk *c, Err *e)
{
	*(int *)arg += c->nrows;
	return 0;
}

/* Pushes n rows with k = i % nkeys (i from first) into input `in` with sign op. */
static void push_rows(Dataflow *df, int in, int first, int n, int nkeys, Op op)
{
	Chunk *c = chunk_new(TYPES, NCOLS);
	for (int i = first; i < first + n; i++) {
		Row row = { .k = i % nkeys, .v = i, .ts = (int64_t)i * US_PER_SEC, .word = i % 3,
			    .cents = i };
		put(c, &row, op);
		if (chunk_full(c) || i == first + n - 1) {
			assert_int_equal(dataflow_push(df, in, c, &E), 0);
			chunk_reset(c);
		}
	}
	chunk_free(c);
}

/* A full join of 2 x 3000 rows over 5 keys (buckets of 600 rows): after a full checkpoint, one
 * insert and one delete change the match counts of 1200 rows, yet the next checkpoint writes
 * the header, the new row, the dataflow's own entry and the delete of the old row. */
static void test_incremental_checkpoint_is_small(void **state)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	LogicalOp *plan = join(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_FULL, 0, false);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	int out = 0;
	dataflow_set_output(df, count_rows, &out);
	push_rows(df, 0, 0, 3000, 5, OP_INSERT);
	push_rows(df, 1, 0, 3000, 5, OP_INSERT);
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "big join"));
	assert_true(ck.n > 6000);
	push_rows(df, 0, 3000, 1, 5, OP_INSERT);
	push_rows(df, 1, 7, 1, 5, OP_DELETE);
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	ck.puts = ck.dels = 0;
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "big join"));
	assert_true(ck.puts <= 3);
	assert_int_equal(ck.dels, 1);
	/* The restored join goes on: a row of key 0 meets the 600 (less one) of the other side. */
	out = 0;
	push_rows(df, 1, 3005, 1, 5, OP_INSERT);
	assert_int_equal(out, 601);
	ck_deinit(&ck);
	dataflow_free(df);
}

/* An inner join of append-only inputs (log sides): after a full checkpoint one new row is one
 * put, whatever its bucket's size; equal rows count twice; a delete (which such an input does
 * not send) still finds its row, and the checkpoint rewrites the rows after it. */
static void test_log_checkpoint(void **state)
{
	CatObject *a = mk_obj("a"), *b = mk_obj("b");
	a->append_only = b->append_only = true;
	LogicalOp *plan = join(scan(a), scan(b), JOIN_INNER, 0, false);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	int out = 0;
	dataflow_set_output(df, count_rows, &out);
	push_rows(df, 0, 0, 3000, 5, OP_INSERT);
	push_rows(df, 1, 0, 10, 5, OP_INSERT);
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	assert_int_equal(out, 3000 * 2);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "log join"));
	assert_true(ck.n > 3000);
	ck.puts = ck.dels = 0;
	push_rows(df, 0, 3000, 1, 5, OP_INSERT);
	push_rows(df, 0, 3000, 1, 5, OP_INSERT); /* the same row again */
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "log join"));
	assert_true(ck.puts <= 4); /* two rows, the header, the dataflow's entry */
	assert_int_equal(ck.dels, 0);
	/* Key 0 now holds 601 rows on the left (the copy twice): a right row meets them all. */
	out = 0;
	push_rows(df, 1, 3000, 1, 5, OP_INSERT);
	assert_int_equal(out, 602);
	push_rows(df, 0, 5, 1, 5, OP_DELETE); /* row 5 of key 0, early in its bucket */
	assert_int_equal(dataflow_barrier(df, 3, &E), 0);
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "log join"));
	out = 0;
	push_rows(df, 1, 3005, 1, 5, OP_INSERT);
	assert_int_equal(out, 601);
	ck_deinit(&ck);
	dataflow_free(df);
}

/* EOWC(a SEMI JOIN b ON k UNION ALL c) on ts: c's watermark closes its rows only once the
 * join is idle, that is once both its inputs are. */
static void test_idle_inputs(void **state)
{
	CatObject *a = mk_obj("a"), *b = mk_obj("b"), *c = mk_obj("c");
	LogicalOp *j = join(scan(a), scan(b), JOIN_SEMI, 0, false);
	LogicalOp *u = union_all(j, scan(c));
	LogicalOp *plan = mk_lop(LOP_EOWC, NCOLS, u);
	plan->wm_col = 2;
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	int out = 0;
	dataflow_set_output(df, count_rows, &out);
	push_rows(df, 2, 10, 3, 2, OP_INSERT); /* c: times 10 s .. 12 s */
	assert_int_equal(dataflow_watermark(df, 2, 2, 20 * US_PER_SEC, &E), 0);
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	assert_int_equal(out, 0);
	assert_int_equal(dataflow_input_idle(df, 0, true, &E), 0);
	assert_int_equal(out, 0); /* b still active: the join may still produce rows */
	assert_int_equal(dataflow_input_idle(df, 1, true, &E), 0);
	assert_int_equal(out, 3);
	/* Checkpointed and restored, the idle marks hold; b speaks again and holds it back. */
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	assert_true(ck_cycle(&df, plan, &ck, &full, count_rows, &out, &E, "idle join"));
	push_rows(df, 1, 30, 1, 2, OP_INSERT);
	push_rows(df, 2, 30, 1, 2, OP_INSERT);
	assert_int_equal(dataflow_watermark(df, 2, 2, 40 * US_PER_SEC, &E), 0);
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	assert_int_equal(out, 3);
	ck_deinit(&ck);
	dataflow_free(df);
}

/* ---- Interval joins bounded through another column (Nexmark q4: b.ts BETWEEN a.ts AND
 * a.expires). */

static Expr *secs(int64_t n)
{
	Value v = {.type = T_INTERVAL};
	v.u.iv.us = n * US_PER_SEC;
	return expr_const(&A, &v, 0);
}

/* a's columns and te = ts + v seconds (NULL with v): an auction and its expiry. */
static LogicalOp *with_expiry(LogicalOp *a)
{
	LogicalOp *op = mk_lop(LOP_PROJECT, NCOLS + 1, a);
	op->nexprs = NCOLS + 1;
	op->exprs = arena_calloc(&A, (size_t)(NCOLS + 1) * sizeof *op->exprs);
	for (int i = 0; i < NCOLS; i++)
		op->exprs[i] = col(i, TYPES[i]);
	op->exprs[NCOLS] = bin("+", col(2, T_TIMESTAMP), bin("*", col(1, T_INT4), secs(1)));
	set_col(op, NCOLS, "te", T_TIMESTAMP);
	op->wm_col = 2;
	return op;
}

/* mirror false: a' JOIN b ON k AND b.ts >= a'.ts + lo AND b.ts <= a'.te + hi (the upper bound
 * through the left's te); true: b JOIN a' ON k AND a'.ts <= b.ts - lo AND b.ts <= a'.te + hi,
 * i.e. r_time - l_time <= -lo and r_te - l_time >= -hi (the lower bound through the right's
 * te). a' is a with te; both inputs append-only with watermarks on ts. w's inputs: the left
 * one first. */
static LogicalOp *bounded_join(World *w, bool mirror, int64_t lo, int64_t hi)
{
	/* The dataflow's inputs are its scans in plan order, the left one first. */
	LogicalOp *a = with_expiry(scan(w->in[mirror].obj)), *b = scan(w->in[!mirror].obj);
	LogicalOp *l = mirror ? b : a, *r = mirror ? a : b;
	LogicalOp *j = join(l, r, JOIN_INNER, 0, false);
	int nl = l->ncols;
	int ats = mirror ? nl + 2 : 2, ate = mirror ? nl + NCOLS : NCOLS, bts = mirror ? 2 : nl + 2;
	Expr *lower = bin(">=", col(bts, T_TIMESTAMP), bin("+", col(ats, T_TIMESTAMP), secs(lo)));
	Expr *upper = bin("<=", col(bts, T_TIMESTAMP), bin("+", col(ate, T_TIMESTAMP), secs(hi)));
	Expr *args[2] = {lower, upper};
	j->residual = expr_logic(&A, EXPR_AND, args, 2, 0, &E);
	j->interval = true;
	j->l_time = j->r_time = 2;
	if (mirror) {
		j->lo_us = -hi * US_PER_SEC;
		j->hi_us = -lo * US_PER_SEC;
		j->l_hi_col = 2;
		j->r_lo_col = NCOLS;
		j->wm_col = 2;
	} else {
		j->lo_us = lo * US_PER_SEC;
		j->hi_us = hi * US_PER_SEC;
		j->l_hi_col = NCOLS;
		j->r_lo_col = 2;
		j->wm_col = nl + 2;
	}
	return j;
}

/* Random rows on both inputs, each with its own advancing watermark (now and then one far
 * ahead of the other, as when sources are read one after the other), some rows below their
 * side's watermark: the view must equal the join of the rows not late, recomputed, late rows
 * must be counted, checkpoint-restore cycles must not change that, and once both watermarks
 * pass every time the join holds nothing. */
static void run_bounded(bool mirror, int64_t lo, int64_t hi, const char *what)
{
	World w = {.ninputs = 2};
	w.in[mirror].obj = mk_obj("a");
	w.in[!mirror].obj = mk_obj("b");
	for (int i = 0; i < 2; i++) {
		w.in[i].obj->append_only = true;
		w.in[i].obj->wm_col = 2;
	}
	LogicalOp *plan = bounded_join(&w, mirror, lo, hi);
	for (uint64_t seed = 1; seed <= MODEL_SEEDS; seed++) {
		rng_state = seed * 104729;
		Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
		assert_non_null(df);
		TypeId *types = mem_alloc((size_t)plan->ncols * sizeof *types);
		for (int i = 0; i < plan->ncols; i++)
			types[i] = plan->cols[i].type;
		MvStore *store = mvstore_new(types, plan->ncols, NULL, 0);
		mem_free(types);
		dataflow_set_output(df, apply_out, store);
		int64_t wm[2] = {-1000, -1000}; /* seconds; -1000: none yet */
		uint64_t late = 0;
		Params p = {rnd_int(2, 6), 0, 40};
		for (int i = 0; i < 2; i++) {
			w.in[i].nlive = 0;
			w.in[i].chunk = chunk_new(TYPES, NCOLS);
		}
		CkStore ck;
		ck_init(&ck);
		bool ck_full = true;
		int epochs = rnd_int(20, 40);
		for (int epoch = 1; epoch <= epochs; epoch++) {
			for (int k = rnd_int(0, 4); k > 0; k--) {
				int i = rnd_int(0, 1);
				Input *in = &w.in[i];
				chunk_reset(in->chunk);
				for (int n = rnd_int(1, 30); n > 0; n--) {
					/* Times from a little below the side's watermark. */
					Params q = p;
					q.min_ts = (wm[i] > -1000 ? wm[i] : p.min_ts) - 5;
					Row row = random_row(&q);
					put(in->chunk, &row, OP_INSERT);
					/* A row of a with a NULL te meets nothing: skipped, not
					 * counted. */
					if (wm[i] > -1000 && row.ts < wm[i] * US_PER_SEC &&
					    !(i == (int)mirror && row.vnull))
						late++;
					else
						add_live(in, row);
				}
				assert_int_equal(dataflow_push(df, i, in->chunk, &E), 0);
			}
			int dice = rnd_int(0, 5);
			if (dice < 3) {
				/* One side's watermark moves on, now and then far ahead. */
				int i = rnd_int(0, 1);
				int64_t to = (wm[i] > -1000 ? wm[i] : p.min_ts) +
					     (dice == 0 ? rnd_int(30, 120) : rnd_int(0, 10));
				wm[i] = to;
				if (wm[0] > p.min_ts && wm[1] > p.min_ts)
					p.min_ts = wm[0] < wm[1] ? wm[0] : wm[1];
				assert_int_equal(dataflow_watermark(df, i, 2, to * US_PER_SEC, &E), 0);
			}
			assert_int_equal(dataflow_barrier(df, (uint64_t)epoch, &E), 0);
			check_equal(plan, &w, store, what, seed, epoch);
			if (rnd_int(0, 2) == 0 &&
			    ck_cycle(&df, plan, &ck, &ck_full, apply_out, store, &E, what))
				ckpt_cycles++;
		}
		assert_int_equal(dataflow_late_rows(df), late);
		assert_int_equal(dataflow_row_errors(df), 0);
		/* Past every time (te is at most ts + 50 s): nothing is held. */
		size_t held = dataflow_state_bytes(df);
		for (int i = 0; i < 2; i++)
			assert_int_equal(dataflow_watermark(df, i, 2,
							    (wm[0] + wm[1] + 10000) * US_PER_SEC, &E),
					 0);
		assert_true(dataflow_state_bytes(df) < held || held < 4096);
		assert_int_equal(dataflow_barrier(df, (uint64_t)epochs + 1, &E), 0);
		ck_deinit(&ck);
		for (int i = 0; i < 2; i++)
			chunk_free(w.in[i].chunk);
		mvstore_free(store);
		dataflow_free(df);
	}
	for (int i = 0; i < 2; i++)
		mem_free(w.in[i].live);
}

static void test_interval_bounded(void **state)
{
	run_bounded(false, 0, 0, "b.ts between a.ts and a.te");
	run_bounded(false, -3, 5, "b.ts between a.ts - 3 s and a.te + 5 s");
	run_bounded(true, 0, 0, "mirror: b join a on b.ts between a.ts and a.te");
	run_bounded(true, 2, -4, "mirror: b.ts between a.ts + 2 s and a.te - 4 s");
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
		cmocka_unit_test_setup_teardown(test_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_checkpoint_is_small, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idle_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inner_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_checkpoint, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("join model comparisons: %d, checkpoint-restore cycles: %d\n", comparisons,
	       ckpt_cycles);
	return rc;
}
