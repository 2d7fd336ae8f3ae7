/* dataflow.c: building a dataflow from a logical plan and driving it (see dataflow.h).
 *
 * Layer: stream. Owns the Dataflow: its operators (one per LogicalOp, wired push-style to their
 * parent), the list of scan inputs (numbered in a depth-first walk of the plan, left to right),
 * the leaves that start barriers (scans and VALUES), the output callback and the counters. The
 * operators themselves live in their own files; this file only wires them, forwards the outside
 * world's pushes to the right input, and prints the graph. It never evaluates expressions.
 *
 * Design (DESIGN.md §4): messages are chunks (changelogs), watermarks (an output column and a
 * time in microseconds) and barriers (an epoch). dataflow_barrier sends the barrier into every
 * leaf; an operator with several inputs (UNION ALL) forwards it once all of them delivered it,
 * so every operator sees exactly one barrier per epoch and stateful operators emit their net
 * changes of the epoch there.
 */
#include "stream/dataflow.h"

#include "base/bin.h"
#include "base/mem.h"
#include "stream/operator.h"

#include <string.h>
#include <sys/time.h>

struct Dataflow {
	DataflowMode mode;
	const LogicalOp *plan;
	Operator *root;
	Operator **ops; /* every operator, children before parents */
	int nops, capops;
	Operator **inputs; /* scan operators by input number */
	int ninputs, capinputs;
	Operator **leaves; /* operators a barrier starts from: scans and VALUES */
	int nleaves, capleaves;
	DataflowOutputFn out_fn;
	void *out_arg;
	int64_t now;
	uint64_t late_rows;
	uint64_t row_errors;
	const DataflowSplit *split; /* parallel instances: exchanges and wrappers (or NULL) */
};

/* The scan operator: an input of the dataflow. Chunks pushed from outside pass through. */
typedef struct ScanOp {
	Operator op;
	int input;
	bool idle; /* marked idle by dataflow_input_idle and not active since */
} ScanOp;

static void push_op(Operator ***arr, int *n, int *cap, Operator *op)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*arr = mem_realloc(*arr, (size_t)*cap * sizeof **arr);
	}
	(*arr)[(*n)++] = op;
}

/* ---- Helpers for operators. */

DataflowMode df_mode(const Dataflow *df)
{
	return df->mode;
}

void df_count_late(Dataflow *df, uint64_t n)
{
	df->late_rows += n;
}

void df_count_row_errors(Dataflow *df, uint64_t n)
{
	df->row_errors += n;
}

void df_expr_ctx(const Dataflow *df, ExprCtx *cx, Arena *arena, Err *e)
{
	memset(cx, 0, sizeof *cx);
	cx->arena = arena;
	cx->err = e;
	/* A view must survive one bad row: it becomes NULL and is counted. A query fails. */
	cx->null_on_error = df->mode == DF_STREAMING;
	cx->now = df->now;
}

Chunk *lop_chunk_new(const LogicalOp *lop)
{
	TypeId *types = mem_alloc((size_t)(lop->ncols + 1) * sizeof *types);
	for (int i = 0; i < lop->ncols; i++)
		types[i] = lop->cols[i].type;
	Chunk *c = chunk_new(types, lop->ncols);
	mem_free(types);
	return c;
}

void chunk_copy_cols(Chunk *dst, int dcol, const Chunk *src, int n)
{
	for (int i = 0; i < src->ncols; i++) {
		Vector *d = &dst->cols[dcol + i];
		const Vector *s = &src->cols[i];
		memcpy(d->data, s->data, (size_t)n * type_size(s->type));
		memcpy(d->nulls, s->nulls, (size_t)n);
	}
}

void fmt_duration(StrBuf *out, int64_t us)
{
	if (us != 0 && us % US_PER_SEC == 0)
		sb_printf(out, "%llds", (long long)(us / US_PER_SEC));
	else if (us != 0 && us % 1000 == 0)
		sb_printf(out, "%lldms", (long long)(us / 1000));
	else
		sb_printf(out, "%lldus", (long long)us);
}

int op_emit(Operator *op, const Chunk *c, Err *e)
{
	if (c->nrows == 0)
		return 0;
	if (op->parent)
		return op->parent->on_chunk(op->parent, op->port, c, e);
	if (op->df->out_fn)
		return op->df->out_fn(op->df->out_arg, c, e);
	return 0;
}

int op_emit_watermark(Operator *op, int col, int64_t ts, Err *e)
{
	if (op->parent)
		return op->parent->on_watermark(op->parent, op->port, col, ts, e);
	return 0;
}

int op_emit_barrier(Operator *op, uint64_t epoch, Err *e)
{
	if (op->parent)
		return op->parent->on_barrier(op->parent, op->port, epoch, e);
	return 0;
}

int op_emit_idle(Operator *op, bool idle, Err *e)
{
	for (Operator *cur = op; cur->parent; cur = cur->parent) {
		Operator *p = cur->parent;
		if (p->on_idle)
			return p->on_idle(p, cur->port, idle, e);
		if (p->nchildren > 1)
			return 0;
	}
	return 0;
}

int op_forward_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	return op_emit(op, c, e);
}

int op_forward_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	return op_emit_watermark(op, col, ts, e);
}

int op_forward_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	return op_emit_barrier(op, epoch, e);
}

/* ---- Scan. */

static void scan_explain(const Operator *op, StrBuf *out)
{
	const ScanOp *s = (const ScanOp *)op;
	sb_printf(out, "Scan %s (input %d)", op->lop->obj ? op->lop->obj->name : "?", s->input);
}

static void scan_free(Operator *op)
{
	(void)op;
}

Operator *scan_op_new(Dataflow *df, const LogicalOp *lop, int input, Err *e)
{
	ScanOp *s = mem_calloc(1, sizeof *s);
	s->input = input;
	s->op.kind = "Scan";
	s->op.on_chunk = op_forward_chunk;
	s->op.on_watermark = op_forward_watermark;
	s->op.on_barrier = op_forward_barrier;
	s->op.explain = scan_explain;
	s->op.free = scan_free;
	s->op.stateless = true; /* its idle flag is saved with the dataflow's own entry */
	return &s->op;
}

/* ---- Building. */

/* What a view cannot maintain, checked top-down so that ORDER BY ... LIMIT reports the LIMIT. */
static int streaming_check(const LogicalOp *lop, Err *e)
{
	if (lop->kind == LOP_LIMIT) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"LIMIT in a materialized view is not supported yet");
		err_hint(e, "apply the limit when you query the view: SELECT * FROM v LIMIT n");
		return -1;
	}
	if (lop->kind == LOP_SORT) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"ORDER BY without LIMIT is not supported in materialized views");
		err_hint(e, "order the rows when you query the view: SELECT * FROM v ORDER BY ...");
		return -1;
	}
	return 0;
}

static Operator *build(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (df->mode == DF_STREAMING && streaming_check(lop, e) < 0)
		return NULL;
	Operator **children = NULL;
	if (lop->nchildren > 0)
		children = mem_calloc((size_t)lop->nchildren, sizeof *children);
	for (int i = 0; i < lop->nchildren; i++) {
		children[i] = build(df, lop->children[i], e);
		if (children[i] && df->split)
			children[i] = df->split->cut(df->split, df, lop, i, children[i], e);
		if (!children[i]) {
			mem_free(children);
			return NULL;
		}
	}
	Operator *op = NULL;
	switch (lop->kind) {
	case LOP_SCAN:
		op = scan_op_new(df, lop, df->ninputs, e);
		if (op)
			push_op(&df->inputs, &df->ninputs, &df->capinputs, op);
		break;
	case LOP_VALUES:
		op = values_op_new(df, lop, e);
		break;
	case LOP_PROJECT:
		op = project_op_new(df, lop, e);
		break;
	case LOP_FILTER:
		op = filter_op_new(df, lop, e);
		break;
	case LOP_TUMBLE:
		op = tumble_op_new(df, lop, e);
		break;
	case LOP_AGG:
		op = hash_agg_op_new(df, lop, e);
		break;
	case LOP_UNION_ALL:
		op = union_all_op_new(df, lop, e);
		break;
	case LOP_SORT:
		op = sort_op_new(df, lop, e);
		break;
	case LOP_LIMIT:
		op = limit_op_new(df, lop, e);
		break;
	case LOP_HOP:
		op = hop_op_new(df, lop, e);
		break;
	case LOP_HOP_AGG:
		op = hop_agg_op_new(df, lop, e);
		break;
	case LOP_SESSION:
		err_set(e, ERR_FEATURE_NOT_SUPPORTED, "SESSION windows must be aggregated");
		err_hint(e, "GROUP BY the partition columns and window_start, window_end.");
		break;
	case LOP_SESSION_AGG:
		op = session_agg_op_new(df, lop, e);
		break;
	case LOP_EOWC:
		op = eowc_op_new(df, lop, e);
		break;
	case LOP_TOPN:
		op = topn_op_new(df, lop, e);
		break;
	case LOP_OVER:
		op = over_op_new(df, lop, e);
		break;
	case LOP_JOIN:
		/* A lookup join in a batch query is a join of the current contents. */
		if (lop->lookup && df->mode == DF_STREAMING)
			op = lookup_join_op_new(df, lop, e);
		else
			op = hash_join_op_new(df, lop, e);
		break;
	}
	if (!op) {
		mem_free(children);
		return NULL;
	}
	op->df = df;
	op->lop = lop;
	op->nchildren = lop->nchildren;
	op->children = children;
	for (int i = 0; i < lop->nchildren; i++) {
		children[i]->parent = op;
		children[i]->port = i;
	}
	push_op(&df->ops, &df->nops, &df->capops, op);
	if (lop->kind == LOP_SCAN || lop->kind == LOP_VALUES)
		push_op(&df->leaves, &df->nleaves, &df->capleaves, op);
	if (df->split)
		return df->split->wrap(df->split, df, lop, op, e);
	return op;
}

Dataflow *dataflow_build(const LogicalOp *plan, DataflowMode mode, Err *e)
{
	return dataflow_build_split(plan, mode, NULL, e);
}

Dataflow *dataflow_build_split(const LogicalOp *plan, DataflowMode mode,
			       const DataflowSplit *split, Err *e)
{
	Dataflow *df = mem_calloc(1, sizeof *df);
	df->mode = mode;
	df->split = split;
	df->plan = plan;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	df->now = (int64_t)tv.tv_sec * US_PER_SEC + tv.tv_usec;
	df->root = build(df, plan, e);
	if (!df->root) {
		dataflow_free(df);
		return NULL;
	}
	return df;
}

void df_add_op(Dataflow *df, Operator *op)
{
	op->df = df;
	push_op(&df->ops, &df->nops, &df->capops, op);
}

Operator *df_root(const Dataflow *df)
{
	return df->root;
}

Operator *df_input(const Dataflow *df, int i)
{
	return df->inputs[i];
}

void dataflow_free(Dataflow *df)
{
	if (!df)
		return;
	for (int i = 0; i < df->nops; i++) {
		Operator *op = df->ops[i];
		mem_free(op->children);
		op->free(op);
		mem_free(op);
	}
	mem_free(df->ops);
	mem_free(df->inputs);
	mem_free(df->leaves);
	mem_free(df);
}

void dataflow_set_output(Dataflow *df, DataflowOutputFn fn, void *arg)
{
	df->out_fn = fn;
	df->out_arg = arg;
}

int dataflow_ninputs(const Dataflow *df)
{
	return df->ninputs;
}

CatObject *dataflow_input(const Dataflow *df, int i)
{
	return df->inputs[i]->lop->obj;
}

const LogicalOp *dataflow_input_op(const Dataflow *df, int i)
{
	return df->inputs[i]->lop;
}

/* ---- Driving. */

int dataflow_push(Dataflow *df, int input, const Chunk *c, Err *e)
{
	if (input < 0 || input >= df->ninputs)
		return err_set(e, ERR_INTERNAL, "dataflow has no input %d", input);
	Operator *op = df->inputs[input];
	if (c->ncols != op->lop->ncols)
		return err_set(e, ERR_INTERNAL, "chunk of %d columns pushed into an input of %d",
			       c->ncols, op->lop->ncols);
	for (int i = 0; i < c->ncols; i++)
		if (c->cols[i].type != op->lop->cols[i].type)
			return err_set(e, ERR_INTERNAL,
				       "column %d pushed as %s into an input of type %s", i,
				       type_name(c->cols[i].type), type_name(op->lop->cols[i].type));
	if (c->nrows > CHUNK_CAP)
		return err_set(e, ERR_INTERNAL, "chunk of %d rows", c->nrows);
	if (c->nrows > 0 && dataflow_input_idle(df, input, false, e) < 0)
		return -1;
	return op->on_chunk(op, 0, c, e);
}

int dataflow_watermark(Dataflow *df, int input, int col, int64_t ts, Err *e)
{
	if (input < 0 || input >= df->ninputs)
		return err_set(e, ERR_INTERNAL, "dataflow has no input %d", input);
	Operator *op = df->inputs[input];
	if (dataflow_input_idle(df, input, false, e) < 0)
		return -1;
	return op->on_watermark(op, 0, col, ts, e);
}

int dataflow_input_idle(Dataflow *df, int input, bool idle, Err *e)
{
	if (input < 0 || input >= df->ninputs)
		return err_set(e, ERR_INTERNAL, "dataflow has no input %d", input);
	ScanOp *s = (ScanOp *)df->inputs[input];
	if (s->idle == idle)
		return 0;
	s->idle = idle;
	return op_emit_idle(&s->op, idle, e);
}

bool dataflow_input_is_idle(const Dataflow *df, int input)
{
	return input >= 0 && input < df->ninputs && ((const ScanOp *)df->inputs[input])->idle;
}

int dataflow_barrier(Dataflow *df, uint64_t epoch, Err *e)
{
	for (int i = 0; i < df->nleaves; i++)
		if (df->leaves[i]->on_barrier(df->leaves[i], 0, epoch, e) < 0)
			return -1;
	return 0;
}

uint64_t dataflow_late_rows(const Dataflow *df)
{
	return df->late_rows;
}

uint64_t dataflow_row_errors(const Dataflow *df)
{
	return df->row_errors;
}

size_t dataflow_state_bytes(const Dataflow *df)
{
	size_t n = 0;
	for (int i = 0; i < df->nops; i++)
		if (df->ops[i]->state_bytes)
			n += df->ops[i]->state_bytes(df->ops[i]);
	return n;
}

/* ---- Checkpoints.
 *
 * Keys: the operator's number (its index in `ops`, big-endian u16) followed by the operator's
 * own key; DF_SELF_KEY holds the dataflow's entry: late_rows u64, row_errors u64, then one
 * byte per input (1 = idle). */
enum { DF_SELF_KEY = 0xFFFF };

/* Prefixes the keys an operator writes with its number. */
typedef struct OpWriter {
	StateWriter w;
	StateWriter *inner;
	StrBuf key;
	int op;
} OpWriter;

static void op_key(OpWriter *ow, const void *key, size_t klen)
{
	sb_reset(&ow->key);
	bin_put_key_u16(&ow->key, (uint16_t)ow->op);
	sb_append(&ow->key, key, klen);
}

static int op_put(StateWriter *w, const void *key, size_t klen, const void *val, size_t vlen,
		  Err *e)
{
	OpWriter *ow = (OpWriter *)w;
	op_key(ow, key, klen);
	return ow->inner->put(ow->inner, ow->key.data, ow->key.len, val, vlen, e);
}

static int op_del(StateWriter *w, const void *key, size_t klen, Err *e)
{
	OpWriter *ow = (OpWriter *)w;
	op_key(ow, key, klen);
	return ow->inner->del(ow->inner, ow->key.data, ow->key.len, e);
}

bool dataflow_can_checkpoint(const Dataflow *df, const char **why)
{
	for (int i = 0; i < df->nops; i++) {
		const Operator *op = df->ops[i];
		if (!op->stateless && (!op->checkpoint || !op->restore)) {
			if (why)
				*why = op->kind;
			return false;
		}
	}
	return df->mode == DF_STREAMING && df->nops < DF_SELF_KEY;
}

int dataflow_checkpoint(Dataflow *df, StateWriter *w, bool full, Err *e)
{
	const char *why = NULL;
	if (!dataflow_can_checkpoint(df, &why))
		return err_set(e, ERR_FEATURE_NOT_SUPPORTED, "operator %s cannot be checkpointed",
			       why ? why : "?");
	OpWriter ow = {.w = {op_put, op_del}, .inner = w};
	sb_init(&ow.key);
	int rc = 0;
	for (int i = 0; i < df->nops && rc == 0; i++) {
		Operator *op = df->ops[i];
		if (op->stateless)
			continue;
		ow.op = i;
		rc = op->checkpoint(op, &ow.w, full, e);
	}
	if (rc == 0) {
		StrBuf v;
		sb_init(&v);
		bin_put_u64(&v, df->late_rows);
		bin_put_u64(&v, df->row_errors);
		for (int i = 0; i < df->ninputs; i++)
			bin_put_u8(&v, ((ScanOp *)df->inputs[i])->idle);
		ow.op = DF_SELF_KEY;
		rc = op_put(&ow.w, NULL, 0, v.data, v.len, e);
		sb_deinit(&v);
	}
	sb_deinit(&ow.key);
	return rc;
}

int dataflow_restore(Dataflow *df, const void *key, size_t klen, const void *val, size_t vlen,
		     Err *e)
{
	BinReader r;
	bin_reader(&r, key, klen);
	const uint8_t *k = bin_get(&r, 2);
	int i = k ? k[0] << 8 | k[1] : -1;
	if (i == DF_SELF_KEY) {
		bin_reader(&r, val, vlen);
		df->late_rows = bin_get_u64(&r);
		df->row_errors = bin_get_u64(&r);
		for (int j = 0; j < df->ninputs; j++)
			((ScanOp *)df->inputs[j])->idle = bin_get_u8(&r) != 0;
		if (bin_done(&r))
			return 0;
	} else if (i >= 0 && i < df->nops && !df->ops[i]->stateless) {
		Operator *op = df->ops[i];
		return op->restore(op, (const uint8_t *)key + 2, klen - 2, val, vlen, e);
	}
	return err_set(e, ERR_DATA_CORRUPTED, "checkpoint entry of operator %d does not match the "
		       "view's dataflow", i);
}

int dataflow_restore_done(Dataflow *df, Err *e)
{
	for (int i = 0; i < df->nops; i++) {
		Operator *op = df->ops[i];
		if (!op->stateless && op->restore_done && op->restore_done(op, e) < 0)
			return -1;
	}
	return 0;
}

static void explain(const Operator *op, int depth, StrBuf *out)
{
	sb_indent(out, 2 * depth);
	op->explain(op, out);
	sb_putc(out, '\n');
	for (int i = 0; i < op->nchildren; i++)
		explain(op->children[i], depth + 1, out);
}

void dataflow_explain(const Dataflow *df, StrBuf *out)
{
	explain(df->root, 0, out);
}
