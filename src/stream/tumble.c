/* tumble.c: the TUMBLE operator: assigns each row its tumbling window.
 *
 * Layer: stream. Appends window_start = t - ((t - offset) mod size) (floored, also for times
 * before 1970) and window_end = window_start + size to the child's columns; a NULL time gives
 * NULL windows. A watermark W on the time column also becomes a watermark on window_start of
 * value tumble_start(W): every window [s, s + size) with s + size <= W is then closed (Flink's
 * rule), which is exactly "window_start below the watermark". Likewise window_end gets the
 * watermark tumble_start(W) + size, the end of the window holding W: an aggregation grouping by
 * window_end alone (Nexmark q7) closes its windows by it. Stateless.
 */
#include "base/mem.h"
#include "stream/operator.h"

#include <string.h>

typedef struct TumbleOp {
	Operator op;
	Chunk *out;
	int nchild; /* child columns; window_start is column nchild */
} TumbleOp;

/* The time column as microseconds (dates are midnights). */
static int64_t time_at(const Vector *v, int r)
{
	if (v->type == T_DATE)
		return (int64_t)VEC_DATA(v, int32_t)[r] * US_PER_DAY;
	return VEC_DATA(v, int64_t)[r];
}

static int tumble_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	TumbleOp *t = (TumbleOp *)op;
	const LogicalOp *lop = op->lop;
	Chunk *out = t->out;
	chunk_reset(out);
	chunk_copy_cols(out, 0, c, c->nrows);
	const Vector *time = &c->cols[lop->time_col];
	Vector *ws = &out->cols[t->nchild], *we = &out->cols[t->nchild + 1];
	for (int r = 0; r < c->nrows; r++) {
		if (time->nulls[r]) {
			ws->nulls[r] = we->nulls[r] = 1;
			continue;
		}
		int64_t s = tumble_start(time_at(time, r), lop->size_us, lop->offset_us);
		VEC_DATA(ws, int64_t)[r] = s;
		VEC_DATA(we, int64_t)[r] = s + lop->size_us;
		ws->nulls[r] = we->nulls[r] = 0;
	}
	memcpy(out->ops, c->ops, (size_t)c->nrows);
	out->nrows = c->nrows;
	return op_emit(op, out, e);
}

static int tumble_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	TumbleOp *t = (TumbleOp *)op;
	if (op_emit_watermark(op, col, ts, e) < 0)
		return -1;
	if (col != op->lop->time_col)
		return 0;
	int64_t s = tumble_start(ts, op->lop->size_us, op->lop->offset_us);
	if (op_emit_watermark(op, t->nchild, s, e) < 0)
		return -1;
	return op_emit_watermark(op, t->nchild + 1, s + op->lop->size_us, e);
}

static void tumble_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Tumble size=");
	fmt_duration(out, op->lop->size_us);
	if (op->lop->offset_us) {
		sb_puts(out, " offset=");
		fmt_duration(out, op->lop->offset_us);
	}
}

static void tumble_free(Operator *op)
{
	chunk_free(((TumbleOp *)op)->out);
}

Operator *tumble_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (lop->size_us <= 0) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "tumble window size must be positive");
		return NULL;
	}
	TumbleOp *t = mem_calloc(1, sizeof *t);
	t->out = lop_chunk_new(lop);
	t->nchild = lop->ncols - 2;
	t->op.kind = "Tumble";
	t->op.on_chunk = tumble_chunk;
	t->op.on_watermark = tumble_watermark;
	t->op.on_barrier = op_forward_barrier;
	t->op.explain = tumble_explain;
	t->op.free = tumble_free;
	t->op.stateless = true;
	return &t->op;
}
