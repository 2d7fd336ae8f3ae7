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
	printf("join model comparisons: %d, checkpoint-restore cycles: %d\n", comparisons,
	       ckpt_cycles);
	return rc;
}
