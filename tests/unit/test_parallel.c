/* test_parallel.c: parallel dataflow instances over key partitions (stream/parallel.c).
 *
 * Model tests: a random changelog script (chunks of inserts, deletes and update pairs, advancing
 * watermarks for windowed plans) is generated once per case; each of T = 1, 2, 3 instances
 * feeds the rows of every chunk that hash to it (by the whole row, so a row's insert and delete
 * meet in one instance), barriers every few chunks, and the merged output of all instances,
 * applied to one MvStore under a lock, must equal a batch recomputation (batch_run) over the rows
 * alive at the end. Plans: filter + project, a keyed and a global aggregation, a TUMBLE window
 * aggregate, inner and left joins of two inputs, an aggregation over a join (two stages of
 * exchanges), and a top-N. Also: what cannot run in parallel fails with 0A000, a bad thread count
 * with 22023, and EXPLAIN shows the exchanges.
 */
#define MODEL_SEEDS 2
#define MODEL_KEYS_LO 1
#define MODEL_KEYS_HI 12
#define MODEL_BIG_PUSH 300

#include "model_harness.h"

#include <pthread.h>

#include "base/hash.h"
#include "stream/parallel.h"
#include "vec/rowcodec.h"

/* One step of the script: a chunk for an input, or a watermark for every input. */
typedef struct Step {
	int input;   /* -1: a watermark */
	Chunk *c;
	int64_t wm;
} Step;

typedef struct Script {
	Step *steps;
	int n, cap;
	int ninputs;
	int T;
	int pos[4];       /* per instance: its next step */
	Chunk *mine[4];   /* per instance: its rows of the step */
	StrBuf key[4];
	MvStore *store;
	pthread_mutex_t mu;
} Script;

static void add_step(Script *s, Step st)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->steps = mem_realloc(s->steps, (size_t)s->cap * sizeof *s->steps);
	}
	s->steps[s->n++] = st;
}

/* Generates the script as run_case does, leaving w's live rows as they end. */
static void gen_script(Script *s, World *w, uint64_t seed, bool windowed, int64_t window_s)
{
	rng_state = seed;
	memset(s, 0, sizeof *s);
	s->ninputs = w->ninputs;
	for (int i = 0; i < w->ninputs; i++)
		w->in[i].nlive = 0;
	Params p = { rnd_int(MODEL_KEYS_LO, MODEL_KEYS_HI), 0, 200 };
	int64_t wm_s = -1000000;
	int epochs = rnd_int(15, 30);
	for (int epoch = 1; epoch <= epochs; epoch++) {
		int pushes = rnd_int(1, 4);
		for (int k = 0; k < pushes; k++) {
			int i = rnd_int(0, w->ninputs - 1);
			Input *in = &w->in[i];
			in->chunk = chunk_new(TYPES, NCOLS);
			int64_t min_del = windowed ? tumble_open(wm_s, window_s) : INT64_MIN;
			gen_changes(in, &p, rnd_int(1, rnd_int(0, 3) ? 20 : MODEL_BIG_PUSH),
				    min_del);
			add_step(s, (Step){ i, in->chunk, 0 });
		}
		if (windowed && rnd_int(0, 2) == 0) {
			wm_s = p.min_ts + rnd_int(0, (int)p.ts_span / 2);
			p.min_ts = wm_s;
			add_step(s, (Step){ -1, NULL, wm_s * US_PER_SEC });
		}
	}
}

static void free_script(Script *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->steps[i].c)
			chunk_free(s->steps[i].c);
	mem_free(s->steps);
}

/* Instance inst's share of the next step: the rows whose whole-row hash picks it. */
static int feed(void *arg, ParDataflow *p, int inst, Err *e)
{
	Script *s = arg;
	if (s->pos[inst] == s->n)
		return 0;
	const Step *st = &s->steps[s->pos[inst]++];
	if (st->input < 0) {
		for (int i = 0; i < s->ninputs; i++)
			if (pardf_watermark(p, inst, i, 2, st->wm, e) < 0)
				return -1;
		return 1;
	}
	Chunk *mine = s->mine[inst];
	chunk_reset(mine);
	for (int r = 0; r < st->c->nrows; r++) {
		sb_reset(&s->key[inst]);
		row_encode(st->c, NULL, NCOLS, r, ROWCODEC_EXACT, &s->key[inst]);
		if (hash_bytes(s->key[inst].data, s->key[inst].len) % (uint64_t)s->T ==
		    (uint64_t)inst)
			chunk_append_row(mine, st->c, r, (Op)st->c->ops[r]);
	}
	if (mine->nrows && pardf_push(p, inst, st->input, mine, e) < 0)
		return -1;
	return 1;
}

static int merge_out(void *arg, int inst, const Chunk *c, Err *e)
{
	Script *s = arg;
	pthread_mutex_lock(&s->mu);
	mvstore_apply(s->store, c);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

/* Runs the plan on T instances over seeds of random scripts; checks every result. */
static void run_parallel(const LogicalOp *plan, World *w, const char *what, bool windowed,
			 int64_t window_s)
{
	for (uint64_t seed = 1; seed <= MODEL_SEEDS; seed++) {
		Script s;
		gen_script(&s, w, seed * 104729, windowed, window_s);
		for (int T = 1; T <= 3; T++) {
			s.T = T;
			memset(s.pos, 0, sizeof s.pos);
			TypeId types[16];
			for (int i = 0; i < plan->ncols; i++)
				types[i] = plan->cols[i].type;
			s.store = mvstore_new(types, plan->ncols, NULL, 0);
			pthread_mutex_init(&s.mu, NULL);
			for (int i = 0; i < T; i++) {
				s.mine[i] = chunk_new(TYPES, NCOLS);
				sb_init(&s.key[i]);
			}
			ParDataflow *p = pardf_build(plan, T, &E);
			assert_non_null(p);
			pardf_set_output(p, merge_out, &s);
			int rc = pardf_run(p, feed, &s, 3, &E);
			if (rc != 0)
				print_message("%s: T=%d: %s\n", what, T, E.msg);
			assert_int_equal(rc, 0);
			char label[128];
			snprintf(label, sizeof label, "%s, %d instances", what, T);
			check_equal(plan, w, s.store, label, seed, 0);
			assert_int_equal(pardf_late_rows(p), 0);
			assert_int_equal(pardf_row_errors(p), 0);
			pardf_free(p);
			for (int i = 0; i < T; i++) {
				chunk_free(s.mine[i]);
				sb_deinit(&s.key[i]);
			}
			pthread_mutex_destroy(&s.mu);
			mvstore_free(s.store);
		}
		free_script(&s);
	}
	for (int i = 0; i < w->ninputs; i++) {
		mem_free(w->in[i].live);
		w->in[i].live = NULL;
		w->in[i].nlive = w->in[i].cap = 0;
	}
}

static LogicalOp *join2(LogicalOp *a, LogicalOp *b, JoinType t)
{
	LogicalOp *op = mk_lop(LOP_JOIN, a->ncols + b->ncols, NULL);
	op->nchildren = 2;
	op->children = arena_calloc(&A, 2 * sizeof *op->children);
	op->children[0] = a;
	op->children[1] = b;
	for (int i = 0; i < op->ncols; i++)
		op->cols[i] = i < a->ncols ? a->cols[i] : b->cols[i - a->ncols];
	op->join_type = t;
	op->njkeys = 1;
	op->lkeys = arena_calloc(&A, sizeof(Expr *));
	op->rkeys = arena_calloc(&A, sizeof(Expr *));
	op->lkeys[0] = col(0, T_INT4);
	op->rkeys[0] = col(0, T_INT4);
	op->l_time = op->r_time = -1;
	return op;
}

static void test_filter_project(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	Expr *exprs[3] = { col(0, T_INT4), col(3, T_VARCHAR), bin("+", col(1, T_INT4), cint(1)) };
	LogicalOp *plan = project(filter(scan(w.in[0].obj), bin(">", col(1, T_INT4), cint(-10))),
				  3, exprs);
	run_parallel(plan, &w, "filter + project", false, 0);
}

static void test_group_agg(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	int groups[2] = { 0, 3 };
	const char *fns[4] = { "count(*)", "sum", "min", "max" };
	int args[4] = { 0, 1, 4, 3 };
	run_parallel(agg(scan(w.in[0].obj), 2, groups, 4, fns, args), &w, "group by k, name",
		     false, 0);
	/* A numeric key: its rows go to an instance by the key's normalized encoding. */
	int ngroups[1] = { 4 };
	run_parallel(agg(scan(w.in[0].obj), 1, ngroups, 4, fns, args), &w, "group by amount",
		     false, 0);
}

static void test_global_agg(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	const char *fns[2] = { "count(*)", "sum" };
	int args[2] = { 0, 4 };
	run_parallel(agg(scan(w.in[0].obj), 0, NULL, 2, fns, args), &w, "global aggregate", false,
		     0);
}

static void test_tumble_agg(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	w.in[0].obj->wm_col = 2;
	LogicalOp *s = scan(w.in[0].obj);
	LogicalOp *t = tumble(s, 2, 10);
	int groups[2] = { 0, 5 };
	const char *fns[2] = { "count(*)", "max" };
	int args[2] = { 0, 1 };
	run_parallel(agg(t, 2, groups, 2, fns, args), &w, "tumble 10 s aggregate", true, 10);
}

static void test_joins(void **state)
{
	World w = { .ninputs = 2 };
	w.in[0].obj = mk_obj("a");
	w.in[1].obj = mk_obj("b");
	run_parallel(join2(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_INNER), &w, "inner join",
		     false, 0);
	run_parallel(join2(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_LEFT), &w, "left join",
		     false, 0);
	/* Two stages: the join's output goes through a second exchange keyed by b.name. */
	int groups[1] = { 8 };
	const char *fns[2] = { "count(*)", "sum" };
	int args[2] = { 0, 1 };
	LogicalOp *j = join2(scan(w.in[0].obj), scan(w.in[1].obj), JOIN_FULL);
	run_parallel(agg(j, 1, groups, 2, fns, args), &w, "full join + agg", false, 0);
}

static void test_topn(void **state)
{
	World w = { .ninputs = 1 };
	w.in[0].obj = mk_obj("t");
	LogicalOp *s = scan(w.in[0].obj);
	LogicalOp *op = mk_lop(LOP_TOPN, NCOLS, s);
	op->npart = 1;
	op->part_cols = arena_calloc(&A, sizeof(int));
	op->nkeys = 1;
	op->keys = arena_calloc(&A, sizeof *op->keys);
	op->keys[0] = (SortKey){ 1, true, true };
	op->rank_kind = WIN_RANK;
	op->limit = 2;
	op->wm_col = -1;
	run_parallel(op, &w, "top 2 by v per k", false, 0);
}

static void test_errors_and_explain(void **state)
{
	CatObject *o = mk_obj("t");
	LogicalOp *s = scan(o);
	LogicalOp *v = mk_lop(LOP_VALUES, 1, NULL);
	set_col(v, 0, "x", T_INT4);
	LogicalOp *u = union_all(s, s);
	u->children[1] = v; /* shapes do not matter: it is refused before it is built */
	const char *why = NULL;
	assert_false(pardf_supported(u, &why));
	assert_string_equal(why, "VALUES");
	err_clear(&E);
	assert_null(pardf_build(u, 2, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "parallel dataflows do not support VALUES yet");
	err_clear(&E);
	assert_null(pardf_build(s, 0, &E));
	assert_string_equal(err_sqlstate(E.code), "22023");
	assert_string_equal(E.msg, "threads must be between 1 and 256");
	err_clear(&E);

	int groups[1] = { 0 };
	const char *fns[1] = { "count(*)" };
	int args[1] = { 0 };
	ParDataflow *p = pardf_build(agg(s, 1, groups, 1, fns, args), 2, &E);
	assert_non_null(p);
	assert_int_equal(pardf_threads(p), 2);
	assert_int_equal(pardf_exchanges(p), 1);
	StrBuf sb;
	sb_init(&sb);
	pardf_explain(p, &sb);
	assert_non_null(strstr(sb.data, "2 instances, 1 exchanges each"));
	assert_non_null(strstr(sb.data, "Exchange (from 2 instances)"));
	assert_non_null(strstr(sb.data, "ExchangeSend hash(#0)"));
	const char *why2 = NULL;
	assert_false(dataflow_can_checkpoint(pardf_instance(p, 0), &why2));
	sb_deinit(&sb);
	pardf_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_filter_project, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tumble_agg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_joins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_explain, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
