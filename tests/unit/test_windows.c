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
 *
 * Checkpoints: every other barrier, ck_cycle (ckpt_harness.h) checkpoints the dataflows
 * (incrementally), restores fresh ones from the store and goes on with them, so the checks
 * above also cover restored state. UNION ALL's watermarks and idle flags are checked against a
 * twin dataflow that is never restored; VALUES' done flag, the size of incremental checkpoints
 * and damaged entries have their own tests.
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

#include "ckpt_harness.h"

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

/* Recomputed rows whose column `col` (window_start) is below `below`, printed. */
typedef struct Below {
	StrBuf *out;
	int64_t below;
	Chunk *c;
	int col;
} Below;

static int print_below(void *arg, const Chunk *c, Err *e)
{
	Below *b = arg;
	chunk_reset(b->c);
	for (int r = 0; r < c->nrows; r++)
		if (VEC_DATA(&c->cols[b->col], int64_t)[r] < b->below)
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

/* Checkpoint-restore cycles run by run_model, for the tests to print. */
static int ck_cycles;

/* Streams random rows through `plan` (and `eowc`, its EMIT ON WINDOW CLOSE form, when not
 * NULL); after every barrier compares with the recomputation of `oracle`; every other barrier
 * cycles the dataflows through a checkpoint and a restore. */
static void run_model(const LogicalOp *plan, const LogicalOp *oracle, const LogicalOp *eowc,
		      int64_t (*open_from)(int64_t wm), const char *what, uint64_t seed)
{
	CkStore ck, cke;
	bool full = true, fulle = true;
	ck_init(&ck);
	ck_init(&cke);
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
		if (step % 2 == 0)
			ck_cycles += ck_cycle(&df, plan, &ck, &full, apply_out, store, &E, what);
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
			if (step % 2 == 0)
				ck_cycles += ck_cycle(&dfe, eowc, &cke, &fulle, only_inserts, estore,
						      &E, "emit on window close");
			sb_reset(&got);
			sb_reset(&want);
			assert_int_equal(mvstore_scan(estore, print_rows, &got, &E), 0);
			Below b = { &want, open_from(wm), tmp, eowc->wm_col };
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
	ck_deinit(&ck);
	ck_deinit(&cke);
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
	ck_cycles = 0;
	hop_case(2, 6, hop_open_2_6, "hop 2s/6s");
	assert_true(ck_cycles >= 2 * SEEDS * 10); /* both dataflows, at least 20 steps each */
	print_message("checkpoint-restore cycles: %d\n", ck_cycles);
}

/* HOP(1 s, 5 s) and HOP(3 s, 3 s) (one pane per window, a tumble). */
static void test_hop_model_shapes(void **state)
{
	hop_case(1, 5, hop_open_1_5, "hop 1s/5s");
	hop_case(3, 3, hop_open_3_3, "hop 3s/3s");
}

/* EMIT ON WINDOW CLOSE of HOP's rows (no aggregation): each row once per window, when the
 * window closes; the held rows go through checkpoints. */
static void test_eowc_rows_model(void **state)
{
	CatObject *obj;
	LogicalOp *hop = window_of(scan_of(&obj), 2, 6, 0);
	LogicalOp *eowc = eowc_of(hop);
	ck_cycles = 0;
	for (uint64_t seed = 1; seed <= 3; seed++)
		run_model(hop, hop, eowc, hop_open_2_6, "hop rows", seed * 15485863);
	assert_true(ck_cycles >= 3 * 20);
	print_message("checkpoint-restore cycles: %d\n", ck_cycles);
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

/* ---- Checkpoints of UNION ALL, VALUES, and incremental sizes. */

static int count_rows(void *arg, const Chunk *c, Err *e)
{
	*(int *)arg += c->nrows;
	return 0;
}

static void scan_print(MvStore *s, StrBuf *out)
{
	sb_reset(out);
	assert_int_equal(mvstore_scan(s, print_rows, out, &E), 0);
	sort_rows(out);
}

/* Two streams, each HOP(2 s, 6 s), UNION ALL, EMIT ON WINDOW CLOSE on window_start. */
static LogicalOp *union_plan(void)
{
	CatObject *o1, *o2;
	LogicalOp *a = window_of(scan_of(&o1), 2, 6, 0);
	LogicalOp *b = window_of(scan_of(&o2), 2, 6, 0);
	LogicalOp *u = lop_new(&A, LOP_UNION_ALL, NCOLS + 2, 2);
	memcpy(u->cols, a->cols, (NCOLS + 2) * sizeof *u->cols);
	u->children[0] = a;
	u->children[1] = b;
	u->wm_col = NCOLS;
	u->append_only = true;
	return eowc_of(u);
}

/* UNION ALL's per-input watermarks, forwarded watermarks and idle flags survive restores: a
 * dataflow cycled through checkpoints every other barrier emits exactly what a twin that is
 * never restored emits, with inputs going silent, idle and active again at random. */
static void test_union_ckpt(void **state)
{
	LogicalOp *plan = union_plan();
	TypeId types[NCOLS + 2];
	for (int i = 0; i < NCOLS + 2; i++)
		types[i] = plan->cols[i].type;
	int cycles = 0;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		rng = seed * 31337;
		Dataflow *ref = dataflow_build(plan, DF_STREAMING, &E);
		Dataflow *df = dataflow_build(plan, DF_STREAMING, &E);
		assert_non_null(ref);
		assert_non_null(df);
		MvStore *sref = mvstore_new(types, NCOLS + 2, NULL, 0);
		MvStore *sdf = mvstore_new(types, NCOLS + 2, NULL, 0);
		dataflow_set_output(ref, only_inserts, sref);
		dataflow_set_output(df, only_inserts, sdf);
		CkStore ck;
		ck_init(&ck);
		bool full = true;
		Chunk *c = chunk_new(TYPES, NCOLS);
		int64_t maxt[2] = { 0, 0 };
		StrBuf a, b;
		sb_init(&a);
		sb_init(&b);
		for (int step = 1; step <= 40; step++) {
			for (int in = 0; in < 2; in++) {
				if (rnd_int(0, 3) == 0)
					continue; /* this input is silent in this epoch */
				chunk_reset(c);
				for (int i = rnd_int(1, 20); i > 0; i--) {
					int64_t t = maxt[in] + rnd_int(-3, 3);
					if (t < maxt[in] - 3)
						t = maxt[in] - 3;
					maxt[in] = t > maxt[in] ? t : maxt[in];
					Row row = { rnd_int(0, 3), rnd_int(0, 99), false,
						    t * US_PER_SEC };
					put(c, &row);
				}
				assert_int_equal(dataflow_push(ref, in, c, &E), 0);
				assert_int_equal(dataflow_push(df, in, c, &E), 0);
				if (rnd_int(0, 1)) {
					int64_t wm = (maxt[in] - 3) * US_PER_SEC;
					assert_int_equal(dataflow_watermark(ref, in, 2, wm, &E), 0);
					assert_int_equal(dataflow_watermark(df, in, 2, wm, &E), 0);
				}
			}
			if (rnd_int(0, 4) == 0) {
				int in = rnd_int(0, 1);
				bool idle = rnd_int(0, 2) != 0;
				assert_int_equal(dataflow_input_idle(ref, in, idle, &E), 0);
				assert_int_equal(dataflow_input_idle(df, in, idle, &E), 0);
			}
			assert_int_equal(dataflow_barrier(ref, (uint64_t)step, &E), 0);
			assert_int_equal(dataflow_barrier(df, (uint64_t)step, &E), 0);
			if (step % 2 == 0)
				cycles += ck_cycle(&df, plan, &ck, &full, only_inserts, sdf, &E,
						   "union all");
			scan_print(sref, &a);
			scan_print(sdf, &b);
			if (strcmp(a.data ? a.data : "", b.data ? b.data : "") != 0)
				fail_msg("union all: seed %llu step %d: restored dataflow emitted\n%s\n"
					 "instead of\n%s",
					 (unsigned long long)seed, step, b.data, a.data);
			assert_int_equal(dataflow_late_rows(df), dataflow_late_rows(ref));
			for (int in = 0; in < 2; in++)
				assert_int_equal(dataflow_input_is_idle(df, in),
						 dataflow_input_is_idle(ref, in));
		}
		assert_true(a.len > 0); /* windows closed and were emitted */
		sb_deinit(&a);
		sb_deinit(&b);
		chunk_free(c);
		ck_deinit(&ck);
		mvstore_free(sref);
		mvstore_free(sdf);
		dataflow_free(ref);
		dataflow_free(df);
	}
	assert_int_equal(cycles, 4 * 20);
}

/* VALUES emits its rows at the first barrier only, also across a restore. */
static void test_values_ckpt(void **state)
{
	LogicalOp *v = lop_new(&A, LOP_VALUES, 1, 0);
	v->cols[0] = (ColumnDef){ .name = "a", .type = T_INT4, .typmod = -1 };
	v->nrows = 2;
	v->rows = arena_calloc(&A, 2 * sizeof *v->rows);
	for (int r = 0; r < 2; r++) {
		Value val = value_int(T_INT4, r + 1);
		v->rows[r] = arena_calloc(&A, sizeof(Expr *));
		v->rows[r][0] = expr_const(&A, &val, 0);
	}
	Dataflow *df = dataflow_build(v, DF_STREAMING, &E);
	assert_non_null(df);
	int n = 0;
	dataflow_set_output(df, count_rows, &n);
	CkStore ck;
	ck_init(&ck);
	bool full = true;
	/* Restored before its first barrier: it still has its rows to emit. */
	assert_true(ck_cycle(&df, v, &ck, &full, count_rows, &n, &E, "values"));
	assert_int_equal(dataflow_barrier(df, 1, &E), 0);
	assert_int_equal(n, 2);
	uint64_t puts = ck.puts;
	assert_true(ck_cycle(&df, v, &ck, &full, count_rows, &n, &E, "values"));
	assert_int_equal(ck.puts - puts, 2); /* the done flag and the dataflow's counters */
	assert_int_equal(dataflow_barrier(df, 2, &E), 0);
	assert_int_equal(n, 2);
	ck_deinit(&ck);
	dataflow_free(df);
}

/* 200 rows at distinct times 0.1 s apart, from t0 on. */
static void push_rows(Dataflow *df, int64_t t0, int n, Err *e)
{
	Chunk *c = chunk_new(TYPES, NCOLS);
	for (int i = 0; i < n; i++) {
		Row row = { i % 7, i, false, t0 + i * 100000 };
		put(c, &row);
	}
	assert_int_equal(dataflow_push(df, 0, c, e), 0);
	chunk_free(c);
}

/* Checkpoints after a small change write a few entries: EMIT ON WINDOW CLOSE holding 600 rows
 * writes the 3 rows one new input row adds (one per window), the rows a watermark releases
 * are deletes, and HOP_AGG writes the one pane a row changes. */
static void test_ckpt_incremental_small(void **state)
{
	CatObject *obj;
	LogicalOp *hop = window_of(scan_of(&obj), 2, 6, 0);
	LogicalOp *plans[2] = { eowc_of(hop), agg_of(hop, LOP_HOP_AGG) };
	for (int p = 0; p < 2; p++) {
		Dataflow *df = dataflow_build(plans[p], DF_STREAMING, &E);
		assert_non_null(df);
		int n = 0;
		dataflow_set_output(df, count_rows, &n);
		assert_true(dataflow_can_checkpoint(df, NULL));
		push_rows(df, 0, 200, &E);
		assert_int_equal(dataflow_barrier(df, 1, &E), 0);
		CkStore ck;
		ck_init(&ck);
		bool full = true;
		assert_true(ck_cycle(&df, plans[p], &ck, &full, count_rows, &n, &E, "incremental"));
		size_t entries = ck.n;
		assert_true(entries >= (p ? 50 : 600));
		/* One row at 30 s: a new pane, or three new held rows (one per window). */
		uint64_t puts = ck.puts, dels = ck.dels;
		push_rows(df, 30 * US_PER_SEC, 1, &E);
		assert_int_equal(dataflow_barrier(df, 2, &E), 0);
		assert_true(ck_cycle(&df, plans[p], &ck, &full, count_rows, &n, &E, "incremental"));
		assert_int_equal(ck.puts - puts, p ? 1 + 1 : 3 + 1); /* + the dataflow's counters */
		assert_int_equal(ck.dels, dels);
		/* Nothing changed: only the dataflow's own entry. */
		puts = ck.puts;
		assert_int_equal(dataflow_barrier(df, 3, &E), 0);
		assert_true(ck_cycle(&df, plans[p], &ck, &full, count_rows, &n, &E, "incremental"));
		assert_int_equal(ck.puts - puts, 1);
		/* A watermark closes the windows before 10 s: deletes of what it frees, and the
		 * header. */
		puts = ck.puts;
		entries = ck.n;
		assert_int_equal(dataflow_watermark(df, 0, 2, 14 * US_PER_SEC, &E), 0);
		assert_int_equal(dataflow_barrier(df, 4, &E), 0);
		assert_true(ck_cycle(&df, plans[p], &ck, &full, count_rows, &n, &E, "incremental"));
		assert_int_equal(ck.puts - puts, 2);
		assert_true(ck.dels > dels);
		assert_int_equal(entries - ck.n, ck.dels - dels);
		ck_deinit(&ck);
		dataflow_free(df);
	}
}

/* A damaged entry fails the restore with XX001 instead of loading garbage: a short header, a
 * short row or pane entry, a row or pane key that does not decode; in EMIT ON WINDOW CLOSE and
 * in HOP_AGG. */
static void test_ckpt_damaged(void **state)
{
	CatObject *obj;
	LogicalOp *hop = window_of(scan_of(&obj), 2, 6, 0);
	LogicalOp *plans[2] = { eowc_of(hop), agg_of(hop, LOP_HOP_AGG) };
	static const char *const msgs[2][3] = {
		{ "EMIT ON WINDOW CLOSE checkpoint header does not decode",
		  "EMIT ON WINDOW CLOSE checkpoint entry does not decode",
		  "EMIT ON WINDOW CLOSE checkpoint entry does not decode" },
		{ "HOP checkpoint header does not decode", "HOP pane checkpoint does not decode",
		  "HOP checkpoint key does not decode" },
	};
	for (int p = 0; p < 2; p++) {
		Dataflow *df = dataflow_build(plans[p], DF_STREAMING, &E);
		assert_non_null(df);
		push_rows(df, 0, 10, &E);
		assert_int_equal(dataflow_watermark(df, 0, 2, 0, &E), 0);
		assert_int_equal(dataflow_barrier(df, 1, &E), 0);
		CkStore ck;
		ck_init(&ck);
		assert_int_equal(dataflow_checkpoint(df, &ck.w, true, &E), 0);
		dataflow_free(df);
		for (int damage = 0; damage < 3; damage++) {
			Dataflow *fresh = dataflow_build(plans[p], DF_STREAMING, &E);
			int rc = 0;
			for (size_t i = 0; i < ck.n && rc == 0; i++) {
				CkEntry *en = &ck.ents[i];
				bool hdr = en->klen == 3 && en->key[2] == 0;
				bool row = en->klen > 3 && en->key[0] != (char)0xff;
				size_t klen = en->klen, vlen = en->vlen;
				if ((damage == 0 && hdr) || (damage == 1 && row))
					vlen--;
				if (damage == 2 && row)
					klen = 4;
				rc = dataflow_restore(fresh, en->key, klen, en->val, vlen, &E);
			}
			assert_int_equal(rc, -1);
			assert_string_equal(err_sqlstate(E.code), "XX001");
			assert_string_equal(E.msg, msgs[p][damage]);
			err_clear(&E);
			dataflow_free(fresh);
		}
		ck_deinit(&ck);
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

/* A session input with deletes is accepted (rows held); a HOP whose size is not a multiple is
 * refused, and so is a bare SESSION. */
static void test_errors(void **state)
{
	CatObject *obj;
	LogicalOp *sess = window_of(scan_of(&obj), 0, 0, 3);
	sess->children[0]->append_only = false;
	LogicalOp *plan = agg_of(sess, LOP_SESSION_AGG);
	Dataflow *held = dataflow_build(plan, DF_STREAMING, &E);
	assert_non_null(held); /* a changelog input: sessions keep their rows (test_session.c) */
	dataflow_free(held);
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
		cmocka_unit_test_setup_teardown(test_eowc_rows_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_union_ckpt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_ckpt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ckpt_incremental_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ckpt_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
