/* project.c: the PROJECT operator: one expression per output column.
 *
 * Layer: stream. Evaluates each output expression over the whole input chunk (vectorized
 * expr_eval) into a reused output chunk; ops pass through unchanged, so a changelog stays a
 * changelog. In a view (DF_STREAMING) a row whose expression fails yields NULL and is counted;
 * in a query (DF_BATCH) the error fails the query. A watermark on an input column becomes a
 * watermark on every output column that is that plain column. Holds no state across chunks.
 */
#include "base/mem.h"
#include "stream/operator.h"

#include <string.h>

typedef struct ProjectOp {
	Operator op;
	Chunk *out;
	Arena scratch; /* expression results; reset per chunk */
} ProjectOp;

static int project_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	ProjectOp *p = (ProjectOp *)op;
	const LogicalOp *lop = op->lop;
	chunk_reset(p->out);
	arena_reset(&p->scratch);
	ExprCtx cx;
	df_expr_ctx(op->df, &cx, &p->scratch, e);
	for (int i = 0; i < lop->ncols; i++)
		if (expr_eval(lop->exprs[i], c, &p->out->cols[i], &cx) < 0)
			return -1;
	df_count_row_errors(op->df, cx.row_errors);
	memcpy(p->out->ops, c->ops, (size_t)c->nrows);
	p->out->nrows = c->nrows;
	return op_emit(op, p->out, e);
}

static int project_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	const LogicalOp *lop = op->lop;
	for (int i = 0; i < lop->ncols; i++) {
		const Expr *x = lop->exprs[i];
		if (x->kind == EXPR_COL && x->col == col && op_emit_watermark(op, i, ts, e) < 0)
			return -1;
	}
	return 0;
}

static void project_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Project");
}

static void project_free(Operator *op)
{
	ProjectOp *p = (ProjectOp *)op;
	chunk_free(p->out);
	arena_deinit(&p->scratch);
}

Operator *project_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	ProjectOp *p = mem_calloc(1, sizeof *p);
	p->out = lop_chunk_new(lop);
	arena_init(&p->scratch, 0);
	p->op.kind = "Project";
	p->op.on_chunk = project_chunk;
	p->op.on_watermark = project_watermark;
	p->op.on_barrier = op_forward_barrier;
	p->op.explain = project_explain;
	p->op.free = project_free;
	p->op.stateless = true;
	return &p->op;
}
