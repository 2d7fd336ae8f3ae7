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
 * aggregate over UNION ALL of two inputs; between them every kind of aggregate state appears
 * (DISTINCT, also shared by several FILTERs over one argument, variance, approx_percentile,
 * first_value/last_value too), so the checkpoint-restore cycles of the harness cover each
 * kind's AggFunc.save/load inside HashAgg. A last test checks
 * that an incremental checkpoint after touching one group of 1000 writes O(1) entries. Seeds
 * are fixed, so a failure replays exactly.
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

/* Replaces aggregate i of an agg() plan by f (DISTINCT and parameterized calls). */
static void set_agg(LogicalOp *plan, int i, const char *name, const AggFunc *f)
{
	assert_non_null(f);
	plan->aggs[i].fn = f;
	set_col(plan, plan->ngroup + i, name, f->result_type);
}

/* SELECT k, count(DISTINCT v), sum(DISTINCT amt), avg(amt), stddev(v), var_pop(amt),
 * approx_percentile(v, 0.5), max(DISTINCT name) FROM s GROUP BY k */
static void test_model_distinct_variance(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	static const char *const fns[] = { "count", "sum", "avg", "stddev", "var_pop", "count",
					   "max" };
	static const int args[] = { 1, 4, 4, 1, 4, 1, 3 };
	int groups[1] = { 0 };
	LogicalOp *plan = agg(scan(w.in[0].obj), 1, groups, 7, fns, args);
	set_agg(plan, 0, "count_distinct", agg_resolve("count", T_INT4, false, true, false, &E));
	set_agg(plan, 1, "sum_distinct", agg_resolve("sum", T_NUMERIC, false, true, false, &E));
	Value half = value_null(T_FLOAT8);
	half.null = false;
	half.u.f = 0.5;
	set_agg(plan, 5, "approx_percentile",
		agg_resolve_param("approx_percentile", T_INT4, &half, &E));
	set_agg(plan, 6, "max_distinct", agg_resolve("max", T_VARCHAR, false, true, false, &E));
	run_seeds(plan, &w, "distinct + variance", false, 0);
}

/* SELECT c0, count(DISTINCT c1), count(DISTINCT c1) FILTER (WHERE c3),
 *        count(DISTINCT c1) FILTER (WHERE c4), sum(DISTINCT c1) FILTER (WHERE c5),
 *        count(DISTINCT c2) FILTER (WHERE c3), count(DISTINCT c2), count(*) FILTER (WHERE c4),
 *        avg(DISTINCT c1) FILTER (WHERE c3)
 * FROM (SELECT k, v, name, v > 3, v < 8, k + v > 6 FROM s) GROUP BY c0: DISTINCT aggregates
 * over one argument share one state (two here, int4 and text), each member under its FILTER
 * (NULL when v is), through deletes and checkpoint-restore cycles. */
static void test_model_distinct_shared(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	static const char *const names[] = { "c0", "c1", "c2", "c3", "c4", "c5" };
	Expr *ex[6] = { col(0, T_INT4), col(1, T_INT4), col(3, T_VARCHAR),
			bin(">", col(1, T_INT4), cint(3)), bin("<", col(1, T_INT4), cint(8)),
			bin(">", bin("+", col(0, T_INT4), col(1, T_INT4)), cint(6)) };
	LogicalOp *p = mk_lop(LOP_PROJECT, 6, scan(w.in[0].obj));
	p->wm_col = -1;
	p->nexprs = 6;
	p->exprs = arena_calloc(&A, 6 * sizeof *p->exprs);
	for (int i = 0; i < 6; i++) {
		p->exprs[i] = ex[i];
		set_col(p, i, names[i], ex[i]->type);
	}
	static const char *const fns[] = { "count", "count", "count", "sum", "count", "count",
					   "count(*)", "avg" };
	static const int args[] = { 1, 1, 1, 1, 2, 2, -1, 1 };
	static const int filters[] = { -1, 3, 4, 5, 3, -1, 4, 3 };
	int groups[1] = { 0 };
	LogicalOp *plan = agg(p, 1, groups, 8, fns, args);
	for (int i = 0; i < 8; i++) {
		plan->aggs[i].filter = filters[i];
		if (args[i] < 0)
			continue;
		const AggFunc *f = agg_resolve(fns[i], p->cols[args[i]].type, false, true, false,
					       &E);
		set_agg(plan, i, fns[i], f);
		plan->aggs[i].distinct = true;
		assert_true(agg_dset_shareable(f));
	}
	run_seeds(plan, &w, "shared distinct", false, 0);
}

/* SELECT name, first_value(v), last_value(amt), min(name), max(ts), count(*) FROM s GROUP BY
 * name over an append-only stream (states that cannot retract, strings in them). */
static void test_model_append_only_pick(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("s");
	w.in[0].obj->append_only = true;
	static const char *const fns[] = { "first_value", "last_value", "min", "max", "count(*)" };
	static const int args[] = { 1, 4, 3, 2, -1 };
	int groups[1] = { 3 };
	LogicalOp *plan = agg(scan(w.in[0].obj), 1, groups, 5, fns, args);
	assert_false(plan->aggs[0].fn->retractable);
	assert_false(plan->aggs[2].fn->retractable);
	run_seeds(plan, &w, "append-only first/last", false, 0);
}

/* Pushes rows with k = from .. to - 1 (v = k) and ends the epoch. */
static void push_keys(Dataflow *df, Chunk *c, int from, int to, Op op, uint64_t epoch)
{
	for (int k = from; k < to;) {
		chunk_reset(c);
		for (; k < to && !chunk_full(c); k++) {
			Row row = { .k = k, .v = k, .word = -1 };
			put(c, &row, op);
		}
		assert_int_equal(dataflow_push(df, 0, c, &E), 0);
	}
	assert_int_equal(dataflow_barrier(df, epoch, &E), 0);
}

static int ignore_out(void *arg, const Chunk *c, Err *e)
{
	return 0;
}

/* A checkpoint after one group of 1000 changed writes that group, HashAgg's header and the
 * dataflow's own entry; one after a group emptied writes one delete. */
static void test_incremental_checkpoint_is_small(void **state)
{
	CatObject *obj = mk_obj("s");
	static const char *const fns[] = { "count(*)", "sum", "min", "count" };
	static const int args[] = { -1, 1, 1, 1 };
	int groups[1] = { 0 };
	LogicalOp *plan = agg(scan(obj), 1, groups, 4, fns, args);
	set_agg(plan, 3, "count_distinct", agg_resolve("count", T_INT4, false, true, false, &E));
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	dataflow_set_output(df, ignore_out, NULL);
	Chunk *c = chunk_new(TYPES, NCOLS);
	push_keys(df, c, 0, 1000, OP_INSERT, 1);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	assert_true(ck_cycle(&df, plan, &ck, &full, ignore_out, NULL, &E, "small"));
	assert_int_equal(ck.n, 1002); /* 1000 groups, the header, the dataflow */

	ck.puts = ck.dels = 0;
	push_keys(df, c, 5, 6, OP_INSERT, 2);
	assert_true(ck_cycle(&df, plan, &ck, &full, ignore_out, NULL, &E, "small"));
	assert_int_equal(ck.puts, 3);
	assert_int_equal(ck.dels, 0);

	ck.puts = ck.dels = 0;
	push_keys(df, c, 7, 8, OP_DELETE, 3);
	assert_true(ck_cycle(&df, plan, &ck, &full, ignore_out, NULL, &E, "small"));
	assert_int_equal(ck.puts, 2);
	assert_int_equal(ck.dels, 1);
	assert_int_equal(ck.n, 1001);

	/* Nothing changed: the headers only. */
	ck.puts = ck.dels = 0;
	assert_int_equal(dataflow_barrier(df, 4, &E), 0);
	assert_true(ck_cycle(&df, plan, &ck, &full, ignore_out, NULL, &E, "small"));
	assert_int_equal(ck.puts, 2);
	assert_int_equal(ck.dels, 0);

	/* Damaged entries (truncated, or with a byte changed) fail with XX001 or restore, never
	 * crash or leak. The first entries are HashAgg's header and the first groups. */
	for (size_t i = 0; i < 4; i++) {
		const CkEntry *x = &ck.ents[i];
		for (size_t cut = 0; cut <= x->vlen; cut++) {
			char *val = mem_alloc(x->vlen + 1);
			memcpy(val, x->val, x->vlen);
			size_t vlen = cut < x->vlen ? cut : x->vlen;
			if (cut == x->vlen)
				val[rnd_int(0, (int)x->vlen - 1)] ^= (char)rnd_int(1, 255);
			Dataflow *d = dataflow_build(plan, DF_STREAMING, &E);
			assert_non_null(d);
			Err e;
			err_clear(&e);
			/* The header first, so that a group entry is judged on its own bytes. */
			int rc = i ? dataflow_restore(d, ck.ents[0].key, ck.ents[0].klen,
						      ck.ents[0].val, ck.ents[0].vlen, &e)
				   : 0;
			assert_int_equal(rc, 0);
			rc = dataflow_restore(d, x->key, x->klen, val, vlen, &e);
			if (cut < x->vlen)
				assert_int_equal(rc, -1);
			if (rc)
				assert_string_equal(err_sqlstate(e.code), "XX001");
			mem_free(val);
			dataflow_free(d);
		}
	}
	ck_deinit(&ck);
	chunk_free(c);
	dataflow_free(df);
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
		cmocka_unit_test_setup_teardown(test_model_distinct_variance, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_distinct_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_append_only_pick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_checkpoint_is_small, setup,
						teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("model comparisons: %d, checkpoint-restore cycles: %d\n", comparisons, ckpt_cycles);
	return rc;
}
