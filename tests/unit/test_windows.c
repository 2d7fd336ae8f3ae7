/* test_windows.c: model tests of HOP (pane sharing), SESSION and EMIT ON WINDOW CLOSE, and the
 * flatness of windowed state on long inputs.
 *
 * The model: random append-only streams in event-time order with bounded disorder (each row's
 * time is at least the watermark, max time seen - DISORDER), pushed in random chunks through a
 * DF_STREAMING dataflow with a barrier after every push. After every barrier the view (an
 * MvStore fed the output changelog) must equal a DF_BATCH recomputation over the input so far:
 * of the PLAIN plan for HOP (HOP expanding each row into its windows, then a hash aggregation:
 * no panes), and of the same plan for SESSION (one pass over all rows). EMIT ON WINDOW CLOSE is
 * checked to hold exactly the recomputed rows of closed windows, inserts only. Seeds are fixed.
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
#include "stream/operator.h"

static Arena A;
static Err E;
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int rnd_int(int lo, int hi)
{
	return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

#define NCOLS 3
static const TypeId TYPES[NCOLS] = { T_INT4, T_INT4, T_TIMESTAMP };
static const char *const NAMES[NCOLS] = { "k", "v", "ts" };

/* ---- Plans: scan -> HOP -> AGG (plain), HOP_AGG (panes), SESSION_AGG, EOWC. */

static LogicalOp *scan_of(CatObject **objp)
{
	CatObject *o = arena_calloc(&A, sizeof *o);
	o->name = "s";
	o->kind = OBJ_STREAM;
	o->ncols = NCOLS;
	o->cols = arena_calloc(&A, NCOLS * sizeof *o->cols);
	for (int i = 0; i < NCOLS; i++)
		o->cols[i] = (ColumnDef){ .name = (char *)NAMES[i], .type = TYPES[i], .typmod = -1 };
	o->wm_col = 2;
	o->append_only = true;
	LogicalOp *op = lop_new(&A, LOP_SCAN, NCOLS, 0);
	memcpy(op->cols, o->cols, NCOLS * sizeof *op->cols);
	op->obj = o;
	op->wm_col = 2;
	op->append_only = true;
	*objp = o;
	return op;
}

/* HOP or SESSION over child (gap_s > 0: SESSION). */
static LogicalOp *window_of(LogicalOp *child, int64_t slide_s, int64_t size_s, int64_t gap_s)
{
	LogicalOp *op = lop_new(&A, gap_s ? LOP_SESSION : LOP_HOP, NCOLS + 2, 1);
	memcpy(op->cols, child->cols, NCOLS * sizeof *op->cols);
	op->cols[NCOLS] = (ColumnDef){ .name = "window_start", .type = T_TIMESTAMP, .typmod = -1 };
	op->cols[NCOLS + 1] = (ColumnDef){ .name = "window_end", .type = T_TIMESTAMP, .typmod = -1 };
	op->children[0] = child;
	op->time_col = 2;
	op->slide_us = slide_s * US_PER_SEC;
	op->size_us = size_s * US_PER_SEC;
	op->gap_us = gap_s * US_PER_SEC;
	op->append_only = true;
	op->wm_col = gap_s ? -1 : NCOLS;
	return op;
}

/* SELECT k, window_start, window_end, count(*), count(v), sum(v), min(v), max(v), avg(v)
 * GROUP BY k, window_start, window_end over `win`; kind LOP_AGG (plain) or the windowed one. */
static LogicalOp *agg_of(LogicalOp *win, LopKind kind)
{
	static const char *const fns[] = { "count", "count", "sum", "min", "max", "avg" };
	enum { NAGG = 6 };
	LogicalOp *op = lop_new(&A, kind, 3 + NAGG, 1);
	op->children[0] = kind == LOP_AGG ? win : win->children[0];
	op->window = kind == LOP_AGG ? NULL : win;
	op->ngroup = 3;
	op->group_cols = arena_calloc(&A, 3 * sizeof(int));
	int groups[3] = { 0, NCOLS, NCOLS + 1 };
	for (int g = 0; g < 3; g++) {
		op->group_cols[g] = groups[g];
		op->cols[g] = win->cols[groups[g]];
	}
	op->naggs = NAGG;
	op->aggs = arena_calloc(&A, NAGG * sizeof *op->aggs);
	for (int i = 0; i < NAGG; i++) {
		bool star = i == 0;
		const AggFunc *f = agg_resolve(fns[i], star ? T_NULL : T_INT4, star, false, true, &E);
		assert_non_null(f);
		op->aggs[i] = (AggCall){ f, star ? -1 : 1, -1, false };
		op->cols[3 + i] = (ColumnDef){ .name = (char *)fns[i], .type = f->result_type,
					       .typmod = -1 };
	}
	op->time_col = win->time_col;
	op->slide_us = win->slide_us;
	op->size_us = win->size_us;
	op->gap_us = win->gap_us;
	op->wm_col = win->wm_col >= 0 ? 1 : -1;
	return op;
}

static LogicalOp *eowc_of(LogicalOp *child)
{
	LogicalOp *op = lop_new(&A, LOP_EOWC, child->ncols, 1);
	memcpy(op->cols, child->cols, (size_t)child->ncols * sizeof *op->cols);
	op->children[0] = child;
	op->wm_col = child->wm_col;
	op->append_only = true;
	return op;
}

/* ---- The input so far, and recomputation. */

typedef struct Row {
	int32_t k, v;
	bool vnull;
	int64_t ts;
} Row;

static Row *rows;
static int nrows, caprows;

static void put(Chunk *c, const Row *row)
{
	int r = c->nrows++;
	VEC_DATA(&c->cols[0], int32_t)[r] = row->k;
	VEC_DATA(&c->cols[1], int32_t)[r] = row->v;
	VEC_DATA(&c->cols[2], int64_t)[r] = row->ts;
	c->cols[0].nulls[r] = c->cols[2].nulls[r] = 0;
	c->cols[1].nulls[r] = row->vnull;
	c->ops[r] = OP_INSERT;
}

static int scan_rows(void *arg, CatObject *obj, int (*emit)(void *, const Chunk *, Err *),
		     void *emit_arg, Err *e)
{
	Chunk *c = chunk_new(TYPES, NCOLS);
	int rc = 0;
	for (int i = 0; i < nrows && rc == 0; i++) {
		put(c, &rows[i]);
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

static int only_inserts(void *arg, const Chunk *c, Err *e)
{
	for (int r = 0; r < c->nrows; r++)
		if (c->ops[r] != OP_INSERT)
			return err_set(e, ERR_INTERNAL, "EMIT ON WINDOW CLOSE emitted a retraction");
	mvstore_apply(arg, c);
	return 0;
}

/* Recomputed rows whose column 1 (window_start) is below `below`, printed. */
typedef struct Below {
	StrBuf *out;
	int64_t below;
	Chunk *c;
} Below;

static int print_below(void *arg, const Chunk *c, Err *e)
{
	Below *b = arg;
	chunk_reset(b->c);
	for (int r = 0; r < c->nrows; r++)
		if (VEC_DATA(&c->cols[1], int64_t)[r] < b->below)
			chunk_append_row(b->c, c, r, OP_INSERT);
	chunk_print(b->c, b->out);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The data lines of sb, sorted (chunk_print's header lines dropped: they are not rows). */
static void sort_rows(StrBuf *sb)
{
	char *text = mem_strndup(sb->data ? sb->data : "", sb->len);
	size_t n = 1;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	char **lines = mem_calloc(n, sizeof *lines);
	size_t k = 0;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		if (p[0] == '+' || p[0] == '-' || p[0] == 'U' || p[0] == ' ')
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

static void expect_same(StrBuf *got, StrBuf *want, const char *what, uint64_t seed, int step)
{
	sort_rows(got);
	sort_rows(want);
	const char *g = got->data ? got->data : "", *w = want->data ? want->data : "";
	if (strcmp(g, w) != 0) {
		print_message("%s: seed %llu step %d: view differs from recomputation\nview:\n%s\n"
			      "recomputed:\n%s\n",
			      what, (unsigned long long)seed, step, g, w);
		fail();
	}
}

#define DISORDER_S 7

/* Streams random rows through `plan` (and `eowc`, its EMIT ON WINDOW CLOSE form, when not
 * NULL); after every barrier compares with the recomputation of `oracle`. */
static void run_model(const LogicalOp *plan, const LogicalOp *oracle, const LogicalOp *eowc,
		      int64_t (*open_from)(int64_t wm), const char *what, uint64_t seed)
{
	rng = seed;
	nrows = 0;
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	Dataflow *dfe = eowc ? dataflow_build(eowc, DF_STREAMING, &E) : NULL;
	TypeId types[16];
	for (int i = 0; i < plan->ncols; i++)
		types[i] = plan->cols[i].type;
	MvStore *store = mvstore_new(types, plan->ncols, NULL, 0);
	MvStore *estore = mvstore_new(types, plan->ncols, NULL, 0);
	dataflow_set_output(df, apply_out, store);
	if (dfe)
		dataflow_set_output(dfe, only_inserts, estore);
	Chunk *c = chunk_new(TYPES, NCOLS);
	Chunk *tmp = lop_chunk_new(plan);
	int nkeys = rnd_int(1, 5);
	int64_t maxt = 0;
	int steps = rnd_int(20, 40);
	for (int step = 1; step <= steps; step++) {
		chunk_reset(c);
		int n = rnd_int(1, rnd_int(0, 3) ? 12 : 300);
		for (int i = 0; i < n; i++) {
			Row row = { rnd_int(0, nkeys - 1), rnd_int(-40, 40), rnd_int(0, 9) == 0, 0 };
			int64_t t = maxt + rnd_int(-DISORDER_S, 4);
			if (t < maxt - DISORDER_S)
				t = maxt - DISORDER_S;
			row.ts = t * US_PER_SEC + rnd_int(0, 999) * 1000;
			if (t > maxt)
				maxt = t;
			put(c, &row);
			if (nrows == caprows) {
				caprows = caprows ? 2 * caprows : 256;
				rows = mem_realloc(rows, (size_t)caprows * sizeof *rows);
			}
			rows[nrows++] = row;
		}
		int64_t wm = (maxt - DISORDER_S) * US_PER_SEC;
		assert_int_equal(dataflow_push(df, 0, c, &E), 0);
		assert_int_equal(dataflow_watermark(df, 0, 2, wm, &E), 0);
		assert_int_equal(dataflow_barrier(df, (uint64_t)step, &E), 0);
		StrBuf got, want;
		sb_init(&got);
		sb_init(&want);
		assert_int_equal(mvstore_scan(store, print_rows, &got, &E), 0);
		assert_int_equal(batch_run(oracle, scan_rows, NULL, print_rows, &want, &E), 0);
		expect_same(&got, &want, what, seed, step);
		if (dfe) {
			assert_int_equal(dataflow_push(dfe, 0, c, &E), 0);
			assert_int_equal(dataflow_watermark(dfe, 0, 2, wm, &E), 0);
			assert_int_equal(dataflow_barrier(dfe, (uint64_t)step, &E), 0);
			sb_reset(&got);
			sb_reset(&want);
			assert_int_equal(mvstore_scan(estore, print_rows, &got, &E), 0);
			Below b = { &want, open_from(wm), tmp };
			assert_int_equal(batch_run(oracle, scan_rows, NULL, print_below, &b, &E), 0);
			expect_same(&got, &want, "emit on window close", seed, step);
		}
		sb_deinit(&got);
		sb_deinit(&want);
		assert_int_equal(store->anomalies, 0);
	}
	assert_int_equal(dataflow_late_rows(df), 0);
	chunk_free(c);
	chunk_free(tmp);
	mvstore_free(store);
	mvstore_free(estore);
	dataflow_free(df);
	dataflow_free(dfe);
}

/* ---- Cases. */

static int64_t hop_open_2_6(int64_t wm)
{
	return tumble_start(wm, 2 * US_PER_SEC, 0) - 4 * US_PER_SEC;
}

static int64_t hop_open_1_5(int64_t wm)
{
	return tumble_start(wm, US_PER_SEC, 0) - 4 * US_PER_SEC;
}

static int64_t hop_open_3_3(int64_t wm)
{
	return tumble_start(wm, 3 * US_PER_SEC, 0);
}

#define SEEDS 8

static void hop_case(int64_t slide, int64_t size, int64_t (*open)(int64_t), const char *what)
{
	CatObject *obj;
	LogicalOp *hop = window_of(scan_of(&obj), slide, size, 0);
	LogicalOp *plain = agg_of(hop, LOP_AGG);
	LogicalOp *panes = agg_of(hop, LOP_HOP_AGG);
	LogicalOp *eowc = eowc_of(panes);
	for (uint64_t seed = 1; seed <= SEEDS; seed++)
		run_model(panes, plain, eowc, open, what, seed * 104729);
}

/* HOP(2 s, 6 s): three windows share each pane; pane sharing equals the plain plan. */
static void test_hop_model(void **state)
{
	hop_case(2, 6, hop_open_2_6, "hop 2s/6s");
}

/* HOP(1 s, 5 s) and HOP(3 s, 3 s) (one pane per window, a tumble). */
static void test_hop_model_shapes(void **state)
{
	hop_case(1, 5, hop_open_1_5, "hop 1s/5s");
	hop_case(3, 3, hop_open_3_3, "hop 3s/3s");
}

/* SESSION(gap 3 s) per k: incremental growth and merging equals one pass over all rows. */
static void test_session_model(void **state)
{
	CatObject *obj;
	LogicalOp *sess = window_of(scan_of(&obj), 0, 0, 3);
	LogicalOp *plan = agg_of(sess, LOP_SESSION_AGG);
	for (uint64_t seed = 1; seed <= SEEDS; seed++)
		run_model(plan, plan, NULL, NULL, "session 3s", seed * 7919);
}

/* State stays flat on an unbounded input once windows close: 2 million rows, 1 ms apart,
 * through HOP(2 s, 10 s) and TUMBLE(10 s) aggregations per key; the state after 2 million
 * rows is not larger than 1.5 times the state after 1 million. */
static void test_state_flat(void **state)
{
	CatObject *obj;
	LogicalOp *scan = scan_of(&obj);
	LogicalOp *hop = agg_of(window_of(scan, 2, 10, 0), LOP_HOP_AGG);
	LogicalOp *tum = lop_new(&A, LOP_TUMBLE, NCOLS + 2, 1);
	memcpy(tum->cols, hop->window->cols, (NCOLS + 2) * sizeof *tum->cols);
	tum->children[0] = scan;
	tum->time_col = 2;
	tum->size_us = 10 * US_PER_SEC;
	tum->wm_col = NCOLS;
	tum->append_only = true;
	LogicalOp *tagg = agg_of(tum, LOP_AGG);
	const LogicalOp *plans[2] = { hop, tagg };
	for (int p = 0; p < 2; p++) {
		Dataflow *df = dataflow_build(plans[p], DF_STREAMING, &E);
		assert_non_null(df);
		Chunk *c = chunk_new(TYPES, NCOLS);
		size_t at1m = 0, peak = 0;
		rng = 42;
		int64_t t = 0;
		for (int chunk = 0; chunk * CHUNK_CAP < 2000000; chunk++) {
			chunk_reset(c);
			for (int i = 0; i < CHUNK_CAP; i++) {
				Row row = { rnd_int(0, 19), rnd_int(0, 1000), false, t };
				put(c, &row);
				t += 1000;
			}
			assert_int_equal(dataflow_push(df, 0, c, &E), 0);
			assert_int_equal(dataflow_watermark(df, 0, 2, t - 4 * US_PER_SEC, &E), 0);
			if (chunk % 4 == 3)
				assert_int_equal(dataflow_barrier(df, (uint64_t)chunk, &E), 0);
			size_t bytes = dataflow_state_bytes(df);
			if (bytes > peak)
				peak = bytes;
			if ((chunk + 1) * CHUNK_CAP >= 1000000 && !at1m)
				at1m = peak;
		}
		assert_true(at1m > 0);
		if ((double)peak > 1.5 * (double)at1m)
			fail_msg("%s state grew from %zu bytes (1M rows) to %zu (2M rows)",
				 p ? "TUMBLE" : "HOP", at1m, peak);
		assert_int_equal(dataflow_late_rows(df), 0);
		chunk_free(c);
		dataflow_free(df);
	}
}

/* EXPLAIN of the pane-sharing plan names its operator and panes. */
static void test_explain(void **state)
{
	CatObject *obj;
	LogicalOp *plan = agg_of(window_of(scan_of(&obj), 2, 10, 0), LOP_HOP_AGG);
	Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(df);
	StrBuf sb;
	sb_init(&sb);
	dataflow_explain(df, &sb);
	assert_string_equal(sb.data, "HopAgg slide=2s size=10s group=[k, window_start, window_end] "
				     "state=panes (5 windows share each pane)\n"
				     "  Scan s (input 0)\n");
	sb_reset(&sb);
	lop_print(plan, &sb);
	assert_non_null(strstr(sb.data, "HopAgg time=ts slide='00:00:02' size='00:00:10' "
					"group=[k, window_start, window_end]"));
	sb_deinit(&sb);
	dataflow_free(df);
}

/* A session input with deletes is refused; so is a HOP whose size is not a multiple. */
static void test_errors(void **state)
{
	CatObject *obj;
	LogicalOp *sess = window_of(scan_of(&obj), 0, 0, 3);
	sess->children[0]->append_only = false;
	LogicalOp *plan = agg_of(sess, LOP_SESSION_AGG);
	assert_null(dataflow_build(plan, DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "0A000");
	assert_string_equal(E.msg, "SESSION windows need an append-only input, but this one has "
				   "updates or deletes");
	err_clear(&E);
	LogicalOp *hop = window_of(scan_of(&obj), 2, 5, 0);
	assert_null(dataflow_build(hop, DF_STREAMING, &E));
	assert_string_equal(err_sqlstate(E.code), "22023");
	err_clear(&E);
	LogicalOp *bare = window_of(scan_of(&obj), 0, 0, 3);
	assert_null(dataflow_build(bare, DF_BATCH, &E));
	assert_string_equal(E.msg, "SESSION windows must be aggregated");
	err_clear(&E);
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
	mem_free(rows);
	rows = NULL;
	nrows = caprows = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hop_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hop_model_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
