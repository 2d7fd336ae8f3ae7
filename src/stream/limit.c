/* limit.c: LIMIT/OFFSET in a query: passes rows through, counting.
 *
 * Layer: stream. Only in DF_BATCH (its input is inserts, in order): skips the first `offset`
 * rows and passes at most `limit` (-1: all). A view cannot keep "the first n rows" of a
 * changelog without ordering state, so dataflow_build rejects it in a view (0A000, a hint).
 */
#include "base/mem.h"
#include "stream/operator.h"

typedef struct LimitOp {
	Operator op;
	int64_t seen;    /* rows received */
	Chunk *out;
} LimitOp;

static int limit_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	LimitOp *l = (LimitOp *)op;
	int64_t off = op->lop->offset, lim = op->lop->limit;
	int64_t first = l->seen, end = l->seen + c->nrows;
	l->seen = end;
	int64_t lo = off > first ? off : first;
	int64_t hi = end;
	if (lim >= 0 && off + lim < hi)
		hi = off + lim;
	if (lo >= hi)
		return 0;
	if (lo == first && hi == end)
		return op_emit(op, c, e);
	chunk_reset(l->out);
	for (int64_t r = lo; r < hi; r++) {
		int d = l->out->nrows++;
		for (int i = 0; i < c->ncols; i++)
			vec_copy_value(&l->out->cols[i], d, &c->cols[i], (int)(r - first), NULL);
		l->out->ops[d] = c->ops[r - first];
	}
	return op_emit(op, l->out, e);
}

static void limit_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Limit");
	if (op->lop->limit >= 0)
		sb_printf(out, " %lld", (long long)op->lop->limit);
	if (op->lop->offset > 0)
		sb_printf(out, " offset=%lld", (long long)op->lop->offset);
}

static void limit_free(Operator *op)
{
	chunk_free(((LimitOp *)op)->out);
}

Operator *limit_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	LimitOp *l = mem_calloc(1, sizeof *l);
	l->out = lop_chunk_new(lop);
	l->op.kind = "Limit";
	l->op.on_chunk = limit_chunk;
	l->op.on_watermark = op_forward_watermark;
	l->op.on_barrier = op_forward_barrier;
	l->op.explain = limit_explain;
	l->op.free = limit_free;
	return &l->op;
}
