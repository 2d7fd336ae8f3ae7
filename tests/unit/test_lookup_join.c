/* test_lookup_join.c: the lookup join operator (lookup_join.c) at the dataflow level.
 *
 * Checkpoints: one dataflow is checkpointed and replaced by a restored copy at every barrier
 * (and once before the first one, while stream rows are still held back), another runs the same
 * changes untouched; both must produce the same output. An incremental checkpoint after one
 * table change writes that row only. Idleness: the join is idle for a UNION ALL above it while
 * its stream side is, so the union's watermark is not held back by a silent stream. SQL-level
 * behaviour is in tests/sql/join/lookup.slt.
 */

/* model_harness.h's case shape (unused here: only its builders and rows are). */
#define MODEL_SEEDS 1
#define MODEL_KEYS_LO 1
#define MODEL_KEYS_HI 1
#define MODEL_BIG_PUSH 1

#include "model_harness.h"

/* s JOIN t FOR SYSTEM_TIME AS OF PROCTIME() ON s.k = t.k, s an append-only stream. */
static LogicalOp *lookup_join(CatObject *s, CatObject *t)
{
	s->append_only = true;
	LogicalOp *l = scan(s), *r = scan(t);
	LogicalOp *op = mk_lop(LOP_JOIN, 2 * NCOLS, NULL);
	op->nchildren = 2;
	op->children = arena_calloc(&A, 2 * sizeof *op->children);
	op->children[0] = l;
	op->children[1] = r;
	for (int i = 0; i < 2 * NCOLS; i++)
		op->cols[i] = i < NCOLS ? l->cols[i] : r->cols[i - NCOLS];
	op->join_type = JOIN_INNER;
	op->lookup = true;
	op->njkeys = 1;
	op->lkeys = arena_calloc(&A, sizeof(Expr *));
	op->rkeys = arena_calloc(&A, sizeof(Expr *));
	op->lkeys[0] = op->rkeys[0] = col(0, T_INT4);
	op->l_time = op->r_time = -1;
	op->append_only = true;
	op->wm_col = l->wm_col;
	return op;
}

static int print_out(void *arg, const Chunk *c, Err *e)
{
	chunk_print(c, arg);
	return 0;
}

/* Pushes one row (k, v, ts = t seconds) into input `in`. */
static void push1(Dataflow *df, int in, int k, int v, int64_t t, Op op)
{
	Chunk *c = chunk_new(TYPES, NCOLS);
	Row row = { .k = k, .v = v, .ts = t * US_PER_SEC, .word = v % 3, .cents = v };
	put(c, &row, op);
	assert_int_equal(dataflow_push(df, in, c, &E), 0);
	chunk_free(c);
}

static void test_checkpoint_restore(void **state)
{
	LogicalOp *plan = lookup_join(mk_obj("s"), mk_obj("t"));
	Dataflow *ref = dataflow_build(plan, DF_STREAMING, &E);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(ref);
	assert_non_null(df);
	StrBuf want, got;
	sb_init(&want);
	sb_init(&got);
	dataflow_set_output(ref, print_out, &want);
	dataflow_set_output(df, print_out, &got);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	rng_state = 42;
	int tv[8] = { 0 }; /* the table's row per key: v, 0 when absent */
	for (int epoch = 1; epoch <= 12; epoch++) {
		for (int i = 0; i < 6; i++) {
			int k = rnd_int(0, 7), v = rnd_int(1, 50), sk = rnd_int(0, 7);
			Dataflow *both[2] = { ref, df };
			for (int d = 0; d < 2; d++) {
				if (tv[k])
					push1(both[d], 1, k, tv[k], 0, OP_DELETE);
				push1(both[d], 1, k, v, 0, OP_INSERT);
				push1(both[d], 0, sk, i, epoch, OP_INSERT);
			}
			tv[k] = v;
		}
		/* Before the first barrier the stream rows are held in the checkpoint too. */
		if (epoch == 1)
			assert_true(ck_cycle(&df, plan, &ck, &full, print_out, &got, &E, "held"));
		assert_int_equal(dataflow_barrier(ref, (uint64_t)epoch, &E), 0);
		assert_int_equal(dataflow_barrier(df, (uint64_t)epoch, &E), 0);
		assert_true(ck_cycle(&df, plan, &ck, &full, print_out, &got, &E, "lookup"));
	}
	sort_lines(&want);
	sort_lines(&got);
	assert_true(want.len > 0);
	assert_string_equal(got.data, want.data);
	/* One table row replaced: its delete and the new row, plus the operator's small header and
	 * the dataflow's own entry. */
	ck.puts = ck.dels = 0;
	int k = tv[0] ? 0 : 1;
	push1(df, 1, k, tv[k], 0, OP_DELETE);
	push1(df, 1, k, 99, 0, OP_INSERT);
	assert_int_equal(dataflow_barrier(df, 13, &E), 0);
	assert_true(ck_cycle(&df, plan, &ck, &full, print_out, &got, &E, "one change"));
	assert_int_equal(ck.puts, 3);
	assert_int_equal(ck.dels, 1);
	ck_deinit(&ck);
	sb_deinit(&want);
	sb_deinit(&got);
	dataflow_free(ref);
	dataflow_free(df);
}

static int count_rows(void *arg, const Chunk *c, Err *e)
{
	*(int *)arg += c->nrows;
	return 0;
}

/* EOWC(a JOIN t UNION ALL c JOIN t) on ts: c's watermark closes its joined rows once the silent
 * stream a is marked idle. */
static void test_idle_stream(void **state)
{
	CatObject *a = mk_obj("a"), *c = mk_obj("c"), *t = mk_obj("t");
	a->wm_col = c->wm_col = 2;
	LogicalOp *u = union_all(lookup_join(a, t), lookup_join(c, t));
	LogicalOp *plan = mk_lop(LOP_EOWC, 2 * NCOLS, u);
	plan->wm_col = 2;
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	assert_int_equal(dataflow_ninputs(df), 4); /* a, t, c, t */
	int out = 0;
	dataflow_set_output(df, count_rows, &out);
	push1(df, 3, 1, 1, 0, OP_INSERT);
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	push1(df, 2, 1, 5, 10, OP_INSERT);
	push1(df, 2, 1, 6, 11, OP_INSERT);
	assert_int_equal(dataflow_watermark(df, 2, 2, 20 * US_PER_SEC, &E), 0);
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	assert_int_equal(out, 0);
	assert_int_equal(dataflow_input_idle(df, 1, true, &E), 0); /* a table idle: no change */
	assert_int_equal(out, 0);
	assert_int_equal(dataflow_input_idle(df, 0, true, &E), 0);
	assert_int_equal(out, 2);
	dataflow_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_checkpoint_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_stream, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
