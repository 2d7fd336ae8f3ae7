/* values.c: VALUES: literal rows, emitted once at the first barrier.
 *
 * Layer: stream. A leaf of the dataflow that is not a scan input: its rows are constant
 * expressions, evaluated and emitted as inserts when the first barrier reaches it (in a query,
 * the only barrier; in a view, its rows are there from the first epoch on). Holds only whether
 * it has emitted.
 *
 * Checkpoint: one entry, key 0x00, value done u8; written when it changed.
 */
#include "base/bin.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"

typedef struct ValuesOp {
	Operator op;
	bool done;
	Chunk *out;
	Arena scratch;
	CkTrack ck;     /* only its header */
	StrBuf hdr;
} ValuesOp;

static int values_emit(ValuesOp *v, Err *e)
{
	const LogicalOp *lop = v->op.lop;
	ExprCtx cx;
	df_expr_ctx(v->op.df, &cx, &v->scratch, e);
	/* A constant row that fails is an error even in a view: there is no row to NULL out. */
	cx.null_on_error = false;
	chunk_reset(v->out);
	for (int r = 0; r < lop->nrows; r++) {
		if (chunk_full(v->out)) {
			if (op_emit(&v->op, v->out, e) < 0)
				return -1;
			chunk_reset(v->out);
			arena_reset(&v->scratch);
		}
		int d = v->out->nrows++;
		for (int c = 0; c < lop->ncols; c++) {
			Value val;
			if (expr_eval_const(lop->rows[r][c], &val, &cx) < 0)
				return -1;
			vec_set_value(&v->out->cols[c], d, &val, &v->out->arena);
		}
		v->out->ops[d] = OP_INSERT;
	}
	return op_emit(&v->op, v->out, e);
}

static int values_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	ValuesOp *v = (ValuesOp *)op;
	if (!v->done) {
		v->done = true;
		if (values_emit(v, e) < 0)
			return -1;
	}
	return op_emit_barrier(op, epoch, e);
}

static int values_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	ValuesOp *v = (ValuesOp *)op;
	sb_reset(&v->hdr);
	bin_put_u8(&v->hdr, v->done);
	return ckt_write_header(&v->ck, &v->hdr, w, full, e);
}

static int values_restore(Operator *op, const void *key, size_t klen, const void *val,
			  size_t vlen, Err *e)
{
	ValuesOp *v = (ValuesOp *)op;
	BinReader r;
	bin_reader(&r, val, vlen);
	v->done = bin_get_u8(&r) != 0;
	if (klen != 1 || *(const uint8_t *)key != 0 || !bin_done(&r))
		return err_set(e, ERR_DATA_CORRUPTED, "VALUES checkpoint does not decode");
	ckt_restored_header(&v->ck, val, vlen);
	return 0;
}

static void values_explain(const Operator *op, StrBuf *out)
{
	sb_printf(out, "Values rows=%d", op->lop->nrows);
}

static void values_free(Operator *op)
{
	ValuesOp *v = (ValuesOp *)op;
	chunk_free(v->out);
	arena_deinit(&v->scratch);
	ckt_deinit(&v->ck);
	sb_deinit(&v->hdr);
}

Operator *values_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	ValuesOp *v = mem_calloc(1, sizeof *v);
	v->out = lop_chunk_new(lop);
	arena_init(&v->scratch, 0);
	v->op.kind = "Values";
	v->op.on_chunk = op_forward_chunk;
	v->op.on_watermark = op_forward_watermark;
	v->op.on_barrier = values_barrier;
	v->op.explain = values_explain;
	v->op.free = values_free;
	v->op.checkpoint = values_checkpoint;
	v->op.restore = values_restore;
	ckt_init(&v->ck);
	sb_init(&v->hdr);
	return &v->op;
}
