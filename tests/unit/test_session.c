/* test_session.c: SESSION window aggregation over changelog inputs, and its checkpoints.
 *
 * Model tests (model_harness.h): random table-like changelogs (inserts, deletes and update
 * pairs) pushed through SESSION aggregations in a DF_STREAMING dataflow; after every barrier
 * the view must equal a DF_BATCH run of the same plan over the rows still present (one pass of
 * inserts: the append-only path), with and without an advancing watermark, and over an
 * append-only stream. run_case cycles checkpoint-restore at random epochs, so the restored
 * state is checked too. Then exact changelogs: a delete splitting a session, an update
 * merging two; an incremental checkpoint after a small change writes only the session it
 * touched; a damaged checkpoint entry is XX001.
 */

/* The case shape of model_harness.h. */
#define MODEL_SEEDS 6
#define MODEL_KEYS_LO 1
#define MODEL_KEYS_HI 6
#define MODEL_BIG_PUSH 200

#include "model_harness.h"

#include "stream/operator.h"

/* SESSION(s, ts, gap_s) aggregated per `part` (a column, or -1 for none) and window_start,
 * window_end: count(*), count(v), sum(v), min(name), max(amt), avg(v), count(DISTINCT v). */
static LogicalOp *session_plan(LogicalOp *in, int part, int64_t gap_s)
{
	LogicalOp *win = mk_lop(LOP_SESSION, NCOLS + 2, in);
	set_col(win, NCOLS, "window_start", T_TIMESTAMP);
	set_col(win, NCOLS + 1, "window_end", T_TIMESTAMP);
	win->time_col = 2;
	win->gap_us = gap_s * US_PER_SEC;
	win->wm_col = -1;
	static const char *const fns[] = { "count", "count", "sum", "min", "max", "avg", "count" };
	static const int args[] = { -1, 1, 1, 3, 4, 1, 1 };
	enum { NAGG = 7 };
	int groups[3] = { part, NCOLS, NCOLS + 1 };
	int first = part < 0 ? 1 : 0, ngroup = 3 - first;
	LogicalOp *op = mk_lop(LOP_SESSION_AGG, ngroup + NAGG, in);
	op->window = win;
	op->ngroup = ngroup;
	op->group_cols = arena_calloc(&A, 3 * sizeof(int));
	for (int g = 0; g < ngroup; g++) {
		op->group_cols[g] = groups[first + g];
		op->cols[g] = win->cols[groups[first + g]];
	}
	op->naggs = NAGG;
	op->aggs = arena_calloc(&A, NAGG * sizeof *op->aggs);
	for (int i = 0; i < NAGG; i++) {
		bool star = args[i] < 0, distinct = i == NAGG - 1;
		const AggFunc *f = agg_resolve(fns[i], star ? T_NULL : in->cols[args[i]].type, star,
					       distinct, in->append_only, &E);
		assert_non_null(f);
		op->aggs[i] = (AggCall){ f, args[i], -1, distinct };
		set_col(op, ngroup + i, fns[i], f->result_type);
	}
	op->time_col = 2;
	op->gap_us = win->gap_us;
	op->wm_col = -1;
	op->append_only = false;
	return op;
}

/* Inserts, deletes and updates anywhere in time, no watermark: sessions grow, merge, shrink,
 * split and vanish; the state keeps every row. */
static void test_model_changelog(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	run_seeds(session_plan(scan(w.in[0].obj), 0, 3), &w, "session over a table", false, 0);
}

/* The same under an advancing watermark: changes stay at or after it, closed sessions (and
 * their rows) are freed. */
static void test_model_changelog_watermark(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	w.in[0].obj->wm_col = 2;
	run_seeds(session_plan(scan(w.in[0].obj), 0, 4), &w, "session over a table, watermark",
		  true, 1);
}

/* No partition column (one partition), text partitions, and an append-only stream (the
 * fast path, no rows held). */
static void test_model_shapes(void **state)
{
	World w1 = { .ninputs = 1 }, w2 = { .ninputs = 1 }, w3 = { .ninputs = 1 };
	w1.in[0].obj = mk_obj("t");
	run_seeds(session_plan(scan(w1.in[0].obj), -1, 2), &w1, "session, one partition", false,
		  0);
	w2.in[0].obj = mk_obj("t");
	run_seeds(session_plan(scan(w2.in[0].obj), 3, 5), &w2, "session by name", false, 0);
	w3.in[0].obj = mk_obj("s");
	w3.in[0].obj->append_only = true;
	w3.in[0].obj->wm_col = 2;
	run_seeds(session_plan(scan(w3.in[0].obj), 0, 3), &w3, "session over a stream", true, 1);
}

/* ---- Exact changelogs. */

static Chunk *in_chunk;

static void push_row(Dataflow *df, int k, int v, int64_t ts_s, Op op)
{
	Row row = { .k = k, .v = v, .ts = ts_s * US_PER_SEC, .word = 0, .cents = 100 };
	chunk_reset(in_chunk);
	put(in_chunk, &row, op);
	assert_int_equal(dataflow_push(df, 0, in_chunk, &E), 0);
}

/* Prints the output changelog: op, k, start and end (seconds), count(*), sum(v). */
static int print_changes(void *arg, const Chunk *c, Err *e)
{
	StrBuf *sb = arg;
	for (int r = 0; r < c->nrows; r++)
		sb_printf(sb, "%s %d [%lld,%lld) n=%lld sum=%lld\n", op_symbol((Op)c->ops[r]),
			  VEC_DATA(&c->cols[0], int32_t)[r],
			  (long long)(VEC_DATA(&c->cols[1], int64_t)[r] / US_PER_SEC),
			  (long long)(VEC_DATA(&c->cols[2], int64_t)[r] / US_PER_SEC),
			  (long long)VEC_DATA(&c->cols[3], int64_t)[r],
			  (long long)VEC_DATA(&c->cols[5], int64_t)[r]);
	return 0;
}

static void expect_epoch(Dataflow *df, StrBuf *sb, uint64_t epoch, const char *want)
{
	sb_reset(sb);
	assert_int_equal(dataflow_barrier(df, epoch, &E), 0);
	assert_string_equal(sb->data ? sb->data : "", want);
}

/* A delete splits a session, another shrinks one, an update's new half bridges two sessions
 * (merge) and its old half empties one; U-/U+ when only results change. */
static void test_split_and_merge(void **state)
{
	CatObject *t = mk_obj("t");
	LogicalOp *plan = session_plan(scan(t), 0, 10);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	StrBuf sb;
	sb_init(&sb);
	dataflow_set_output(df, print_changes, &sb);
	in_chunk = chunk_new(TYPES, NCOLS);
	push_row(df, 1, 1, 0, OP_INSERT);
	push_row(df, 1, 2, 8, OP_INSERT);
	push_row(df, 1, 4, 16, OP_INSERT);
	push_row(df, 1, 8, 40, OP_INSERT);
	expect_epoch(df, &sb, 1, "+ 1 [0,26) n=3 sum=7\n+ 1 [40,50) n=1 sum=8\n");
	/* Without the row at 8 s, 0 s and 16 s are 16 s apart: two sessions. */
	push_row(df, 1, 2, 8, OP_DELETE);
	expect_epoch(df, &sb, 2, "- 1 [0,26) n=3 sum=7\n+ 1 [0,10) n=1 sum=1\n"
				 "+ 1 [16,26) n=1 sum=4\n");
	/* A second copy of the row at 16 s, then one copy deleted: results and bounds as before,
	 * so nothing changes. */
	push_row(df, 1, 4, 16, OP_INSERT);
	push_row(df, 1, 4, 16, OP_DELETE);
	expect_epoch(df, &sb, 3, "");
	/* The row at 40 s moves to 24 s: its session goes, and 24 s touches [16, 26), which
	 * grows to [16, 34). */
	push_row(df, 1, 8, 40, OP_UPDATE_DELETE);
	push_row(df, 1, 8, 24, OP_UPDATE_INSERT);
	expect_epoch(df, &sb, 4, "- 1 [40,50) n=1 sum=8\n- 1 [16,26) n=1 sum=4\n"
				 "+ 1 [16,34) n=2 sum=12\n");
	/* A row at 9 s bridges [0, 10) and [16, 34). */
	push_row(df, 1, 16, 9, OP_INSERT);
	expect_epoch(df, &sb, 5, "- 1 [16,34) n=2 sum=12\n- 1 [0,10) n=1 sum=1\n"
				 "+ 1 [0,34) n=4 sum=29\n");
	/* Results alone change: U-/U+. */
	push_row(df, 1, 16, 9, OP_UPDATE_DELETE);
	push_row(df, 1, 32, 9, OP_UPDATE_INSERT);
	expect_epoch(df, &sb, 6, "U- 1 [0,34) n=4 sum=29\nU+ 1 [0,34) n=4 sum=45\n");
	/* Deleting everything retracts the session and frees the partition. */
	push_row(df, 1, 1, 0, OP_DELETE);
	push_row(df, 1, 32, 9, OP_DELETE);
	push_row(df, 1, 4, 16, OP_DELETE);
	push_row(df, 1, 8, 24, OP_DELETE);
	expect_epoch(df, &sb, 7, "- 1 [0,34) n=4 sum=45\n");
	size_t empty = dataflow_state_bytes(df);
	/* A delete of a row no session holds is counted as late. */
	push_row(df, 2, 1, 5, OP_DELETE);
	expect_epoch(df, &sb, 8, "");
	assert_int_equal(dataflow_late_rows(df), 1);
	assert_int_equal(dataflow_state_bytes(df), empty);
	sb_reset(&sb);
	dataflow_explain(df, &sb);
	assert_string_equal(sb.data, "SessionAgg gap=10s group=[k, window_start, window_end] "
				     "state=sessions+rows\n"
				     "  Scan t (input 0)\n");
	sb_deinit(&sb);
	chunk_free(in_chunk);
	dataflow_free(df);
}

/* Under a watermark, closed sessions free their rows; a delete behind it is late. */
static void test_watermark_frees_rows(void **state)
{
	CatObject *t = mk_obj("t");
	t->wm_col = 2;
	LogicalOp *plan = session_plan(scan(t), 0, 10);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	StrBuf sb;
	sb_init(&sb);
	dataflow_set_output(df, print_changes, &sb);
	in_chunk = chunk_new(TYPES, NCOLS);
	expect_epoch(df, &sb, 1, "");
	size_t empty = dataflow_state_bytes(df);
	for (int i = 0; i < 50; i++)
		push_row(df, i % 5, i, i / 5, OP_INSERT);
	expect_epoch(df, &sb, 2, "+ 4 [0,19) n=10 sum=265\n+ 3 [0,19) n=10 sum=255\n"
				 "+ 2 [0,19) n=10 sum=245\n+ 1 [0,19) n=10 sum=235\n"
				 "+ 0 [0,19) n=10 sum=225\n");
	size_t full = dataflow_state_bytes(df);
	assert_true(full > empty + 5 * 10 * 40);
	assert_int_equal(dataflow_watermark(df, 0, 2, 20 * US_PER_SEC, &E), 0);
	expect_epoch(df, &sb, 3, "");
	size_t closed = dataflow_state_bytes(df);
	assert_true(closed < empty + (full - empty) / 4);
	push_row(df, 0, 0, 0, OP_DELETE);
	expect_epoch(df, &sb, 4, "");
	assert_int_equal(dataflow_late_rows(df), 1);
	sb_deinit(&sb);
	chunk_free(in_chunk);
	dataflow_free(df);
}

static int ignore_out(void *arg, const Chunk *c, Err *e)
{
	return 0;
}

/* After a full checkpoint, a change to one session writes that session's entry (plus the
 * header when the watermark moved) and deletes what went; a damaged entry is XX001. */
static void test_checkpoint_incremental(void **state)
{
	CatObject *t = mk_obj("t");
	LogicalOp *plan = session_plan(scan(t), 0, 10);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	if (!dataflow_can_checkpoint(df, NULL)) {
		/* Aggregates without save/load yet (agg.c): nothing to check. */
		dataflow_free(df);
		skip();
	}
	dataflow_set_output(df, ignore_out, NULL);
	in_chunk = chunk_new(TYPES, NCOLS);
	for (int i = 0; i < 200; i++)
		push_row(df, i % 20, i, (i / 20) * 15, OP_INSERT); /* 20 keys x 10 sessions */
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	CkStore ck;
	ck_init(&ck);
	assert_int_equal(dataflow_checkpoint(df, &ck.w, true, &E), 0);
	size_t entries = ck.n;
	assert_true(entries > 200);
	/* One row more in one session: its entry, and the dataflow's own counters. */
	ck.puts = ck.dels = 0;
	push_row(df, 3, 7, 62, OP_INSERT);
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	assert_int_equal(dataflow_checkpoint(df, &ck.w, false, &E), 0);
	assert_int_equal(ck.puts, 2);
	assert_int_equal(ck.dels, 0);
	/* A bridge merges two sessions of key 4 (one entry goes), a delete empties one of key 5. */
	ck.puts = ck.dels = 0;
	push_row(df, 4, 1, 97, OP_INSERT);
	push_row(df, 5, 5, 0, OP_DELETE);
	assert_int_equal(dataflow_barrier(df, 3, &E), 0);
	assert_int_equal(dataflow_checkpoint(df, &ck.w, false, &E), 0);
	assert_int_equal(ck.puts, 2);
	assert_int_equal(ck.dels, 2);
	assert_int_equal(ck.n, entries - 2);
	/* The store is what a full checkpoint writes, and restores to the same. */
	bool full = false;
	assert_true(ck_cycle(&df, plan, &ck, &full, ignore_out, NULL, &E, "incremental"));
	/* A session entry cut short does not decode. */
	Dataflow *fresh = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(fresh);
	size_t bad = 0;
	for (size_t i = 0; i < ck.n; i++)
		if (ck.ents[i].klen > ck.ents[bad].klen)
			bad = i; /* a session entry */
	const CkEntry *x = &ck.ents[bad];
	int rc = 0;
	for (size_t i = 0; i < ck.n && rc == 0; i++)
		if (i != bad)
			rc = dataflow_restore(fresh, ck.ents[i].key, ck.ents[i].klen, ck.ents[i].val,
				      ck.ents[i].vlen, &E);
	assert_int_equal(rc, 0);
	assert_int_equal(dataflow_restore(fresh, x->key, x->klen, x->val, x->vlen - 1, &E), -1);
	assert_string_equal(err_sqlstate(E.code), "XX001");
	err_clear(&E);
	dataflow_free(fresh);
	ck_deinit(&ck);
	chunk_free(in_chunk);
	dataflow_free(df);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_model_changelog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_changelog_watermark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watermark_frees_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_incremental, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	printf("model comparisons: %d, checkpoint-restore cycles: %d\n", comparisons, ckpt_cycles);
	return rc;
}
