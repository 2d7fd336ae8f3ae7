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

/* The case shape of model_harness.h. */
#define MODEL_SEEDS 24
#define MODEL_KEYS_LO 1
#define MODEL_KEYS_HI 12
#define MODEL_BIG_PUSH 600

#include "model_harness.h"

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
	printf("model comparisons: %d, checkpoint-restore cycles: %d\n", comparisons, ckpt_cycles);
	return rc;
}
