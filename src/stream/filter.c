/* filter.c: the FILTER operator: keeps the rows whose predicate is true.
 *
 * Layer: stream. Evaluates the predicate over the whole chunk (expr_eval_filter) and copies the
 * kept rows into a reused output chunk (no selection vectors yet). An update pair (U-, U+) of
 * which only one half survives becomes a plain delete or insert, so the output is always a
 * consistent changelog; a U- or U+ whose partner is not beside it in the chunk is treated the
 * same way. Watermarks and barriers pass through; it keeps no state across chunks.
 */
#include "base/mem.h"
#include "stream/operator.h"

typedef struct FilterOp {
	Operator op;
	Chunk *out;
	Arena scratch;
	uint8_t keep[CHUNK_CAP];
} FilterOp;

/* Appends row r of c to out, referencing strings (they live as long as c, i.e. this call). */
static void keep_row(Chunk *out, const Chunk *c, int r, Op o)
{
	int d = out->nrows++;
	for (int i = 0; i < c->ncols; i++)
		vec_copy_value(&out->cols[i], d, &c->cols[i], r, NULL);
	out->ops[d] = (uint8_t)o;
}

static int filter_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	FilterOp *f = (FilterOp *)op;
	chunk_reset(f->out);
	arena_reset(&f->scratch);
	ExprCtx cx;
	df_expr_ctx(op->df, &cx, &f->scratch, e);
	if (expr_eval_filter(op->lop->exprs[0], c, f->keep, &cx) < 0)
		return -1;
	df_count_row_errors(op->df, cx.row_errors);
	for (int r = 0; r < c->nrows; r++) {
		Op o = (Op)c->ops[r];
		bool paired = o == OP_UPDATE_DELETE && r + 1 < c->nrows &&
			      c->ops[r + 1] == OP_UPDATE_INSERT;
		if (paired) {
			if (f->keep[r] && f->keep[r + 1]) {
				keep_row(f->out, c, r, OP_UPDATE_DELETE);
				keep_row(f->out, c, r + 1, OP_UPDATE_INSERT);
			} else if (f->keep[r]) {
				keep_row(f->out, c, r, OP_DELETE);
			} else if (f->keep[r + 1]) {
				keep_row(f->out, c, r + 1, OP_INSERT);
			}
			r++;
			continue;
		}
		if (!f->keep[r])
			continue;
		if (o == OP_UPDATE_DELETE)
			o = OP_DELETE;
		else if (o == OP_UPDATE_INSERT)
			o = OP_INSERT;
		keep_row(f->out, c, r, o);
	}
	return op_emit(op, f->out, e);
}

static void filter_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Filter");
}

static void filter_free(Operator *op)
{
	FilterOp *f = (FilterOp *)op;
	chunk_free(f->out);
	arena_deinit(&f->scratch);
}

Operator *filter_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	FilterOp *f = mem_calloc(1, sizeof *f);
	f->out = lop_chunk_new(lop);
	arena_init(&f->scratch, 0);
	f->op.kind = "Filter";
	f->op.on_chunk = filter_chunk;
	f->op.on_watermark = op_forward_watermark;
	f->op.on_barrier = op_forward_barrier;
	f->op.explain = filter_explain;
	f->op.free = filter_free;
	f->op.stateless = true;
	return &f->op;
}
