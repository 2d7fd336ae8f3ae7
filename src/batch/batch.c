/* batch.c: running a query once over a snapshot (see batch.h).
 *
 * Layer: batch (above stream/ and plan/). A query is a DF_BATCH dataflow: each scan input is fed
 * the current rows of the object it reads (through the caller's `scan`, once per input, so an
 * object read twice is scanned twice), then one barrier ends the only epoch. Aggregations emit
 * each group once, as an insert, at that barrier; SORT and LIMIT operators inside the dataflow
 * put the rows in order.
 *
 * Per-row subqueries (LopSubquery, plan/bind_subquery.c) are scans this file feeds itself: it
 * runs the subquery's outer plan, and for each of its rows binds the subquery with the row's
 * values (plan_subquery_bind), runs it as a batch query of its own and appends its value (the
 * only row's column, NULL without rows, 21000 beyond one row; or every row as an array) to the
 * row. Every chunk fed and every subquery row checks the caller's cancel flag, so a long query
 * stops soon after it is set (57014). Owns nothing beyond the call.
 */
#include "batch/batch.h"

#include "plan/binder.h"
#include "vec/array.h"

#include <string.h>

/* One batch run: the caller's scan callback and cancel flag, passed down to subqueries. */
typedef struct Run {
	BatchScanOpFn scan;
	void *scan_arg;
	const volatile int *cancel;
} Run;

static int check_cancel(const Run *r, Err *e)
{
	if (r->cancel && *r->cancel)
		return err_set(e, ERR_QUERY_CANCELED, "canceling statement due to user request");
	return 0;
}

typedef struct Feed {
	Dataflow *df;
	int input;
	const Run *run;
} Feed;

static int feed(void *arg, const Chunk *c, Err *e)
{
	Feed *f = arg;
	if (check_cancel(f->run, e) < 0)
		return -1;
	return dataflow_push(f->df, f->input, c, e);
}

static int run_scan(const Run *r, const LogicalOp *scan,
		    int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg, Err *e);

static int run_plan(const Run *r, const LogicalOp *plan, DataflowOutputFn out, void *out_arg,
		    Err *e)
{
	Dataflow *df = dataflow_build(plan, DF_BATCH, e);
	if (!df)
		return -1;
	dataflow_set_output(df, out, out_arg);
	int rc = 0;
	for (int i = 0; i < dataflow_ninputs(df) && rc == 0; i++) {
		Feed f = {df, i, r};
		rc = run_scan(r, dataflow_input_op(df, i), feed, &f, e);
	}
	if (rc == 0)
		rc = dataflow_barrier(df, 1, e);
	dataflow_free(df);
	return rc < 0 ? -1 : 0;
}

/* ---- per-row subqueries */

int batch_rows_add(void *arg, const Chunk *c, Err *e)
{
	BatchRows *l = arg;
	if (c->nrows == 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->chunks = mem_realloc(l->chunks, sizeof *l->chunks * (size_t)l->cap);
	}
	TypeId types[MAX_COLUMNS];
	for (int i = 0; i < c->ncols; i++)
		types[i] = c->cols[i].type;
	Chunk *d = chunk_new(types, c->ncols);
	for (int r = 0; r < c->nrows; r++)
		chunk_append_row(d, c, r, OP_INSERT);
	l->chunks[l->n++] = d;
	return 0;
}

void batch_rows_free(BatchRows *l)
{
	for (int i = 0; i < l->n; i++)
		chunk_free(l->chunks[i]);
	mem_free(l->chunks);
	memset(l, 0, sizeof *l);
}

/* The value of a subquery for one outer row, as its rows arrive. */
typedef struct SubqValue {
	SubqKind kind;
	int location;
	int64_t nrows;
	Value v;      /* SUBQ_SCALAR: the row's value, strings copied into `a` */
	ArrBuild arr; /* SUBQ_ARRAY: the elements so far */
	Arena *a;
} SubqValue;

static int subq_collect(void *arg, const Chunk *c, Err *e)
{
	SubqValue *s = arg;
	for (int r = 0; r < c->nrows; r++) {
		Value v;
		vec_get_value(&c->cols[0], r, &v);
		if (s->kind == SUBQ_ARRAY) {
			arr_build_push(&s->arr, &v);
		} else if (s->nrows > 0) {
			return err_set_pos(e, ERR_CARDINALITY, s->location,
					   "more than one row returned by a subquery used as an "
					   "expression");
		} else {
			if (!v.null && type_is_varlen(v.type)) {
				char *p = arena_alloc(s->a, v.u.s.len + 1);
				memcpy(p, v.u.s.p, v.u.s.len);
				v.u.s.p = p;
			}
			s->v = v;
		}
		s->nrows++;
	}
	return 0;
}

/* The subquery's value for outer row `row` of chunk c into *out. */
static int subq_value(const Run *r, const LopSubquery *sq, TypeId type, const Chunk *c, int row,
		      Arena *a, Value *out, Err *e)
{
	Value *vals = arena_alloc(a, sizeof *vals * (size_t)(c->ncols ? c->ncols : 1));
	for (int i = 0; i < c->ncols; i++)
		vec_get_value(&c->cols[i], row, &vals[i]);
	LogicalOp *plan = plan_subquery_bind(sq, vals, a, e);
	if (!plan)
		return -1;
	SubqValue s = {.kind = sq->kind, .location = sq->location, .v = value_null(type), .a = a};
	arr_build_init(&s.arr, type_is_array(type) ? type_elem(type) : T_VARCHAR);
	int rc = run_plan(r, plan, subq_collect, &s, e);
	if (rc == 0 && sq->kind == SUBQ_ARRAY) {
		s.v = value_null(type);
		s.v.null = false;
		s.v.u.s = arr_build_finish(&s.arr, a);
	}
	arr_build_deinit(&s.arr);
	if (rc == 0 && !s.v.null && s.v.type != type)
		rc = err_set(e, ERR_INTERNAL, "a subquery's type changed from row to row");
	*out = s.v;
	return rc;
}

static int subquery_scan(const Run *r, const LogicalOp *scan,
			 int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg, Err *e)
{
	const LopSubquery *sq = scan->subq;
	BatchRows outer = {0};
	int rc = run_plan(r, sq->outer, batch_rows_add, &outer, e);
	TypeId types[MAX_COLUMNS];
	for (int i = 0; i < scan->ncols; i++)
		types[i] = scan->cols[i].type;
	int n = scan->ncols - 1;
	Chunk *o = chunk_new(types, scan->ncols);
	Arena a;
	arena_init(&a, 16 * 1024);
	for (int k = 0; k < outer.n && rc == 0; k++) {
		const Chunk *c = outer.chunks[k];
		for (int row = 0; row < c->nrows && rc == 0; row++) {
			Value v;
			arena_reset(&a);
			if ((rc = check_cancel(r, e)) < 0 ||
			    (rc = subq_value(r, sq, types[n], c, row, &a, &v, e)) < 0)
				break;
			for (int i = 0; i < n; i++)
				vec_copy_value(&o->cols[i], o->nrows, &c->cols[i], row, &o->arena);
			vec_set_value(&o->cols[n], o->nrows, &v, &o->arena);
			o->ops[o->nrows++] = OP_INSERT;
			if (chunk_full(o)) {
				rc = emit(emit_arg, o, e);
				chunk_reset(o);
			}
		}
	}
	if (rc == 0 && o->nrows)
		rc = emit(emit_arg, o, e);
	arena_deinit(&a);
	chunk_free(o);
	batch_rows_free(&outer);
	return rc < 0 ? -1 : 0;
}

static int run_scan(const Run *r, const LogicalOp *scan,
		    int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg, Err *e)
{
	if (scan->subq)
		return subquery_scan(r, scan, emit, emit_arg, e);
	return r->scan(r->scan_arg, scan, emit, emit_arg, e);
}

/* ---- entry points */

int batch_run_cancel(const LogicalOp *plan, BatchScanOpFn scan, void *scan_arg,
		     DataflowOutputFn out, void *out_arg, const volatile int *cancel, Err *e)
{
	Run r = {scan, scan_arg, cancel};
	return run_plan(&r, plan, out, out_arg, e);
}

int batch_run_scans(const LogicalOp *plan, BatchScanOpFn scan, void *scan_arg,
		    DataflowOutputFn out, void *out_arg, Err *e)
{
	return batch_run_cancel(plan, scan, scan_arg, out, out_arg, NULL, e);
}

/* batch_run's object-only callback, seen through batch_run_scans. */
typedef struct ObjScan {
	BatchScanFn fn;
	void *arg;
} ObjScan;

static int obj_scan(void *arg, const LogicalOp *scan,
		    int (*emit)(void *emit_arg, const Chunk *c, Err *e), void *emit_arg, Err *e)
{
	ObjScan *o = arg;
	return o->fn(o->arg, scan->obj, emit, emit_arg, e);
}

int batch_run(const LogicalOp *plan, BatchScanFn scan, void *scan_arg, DataflowOutputFn out,
	      void *out_arg, Err *e)
{
	ObjScan o = {scan, scan_arg};
	return batch_run_scans(plan, obj_scan, &o, out, out_arg, e);
}
