/* union_all.c: UNION ALL: the rows of every input, with barrier and watermark alignment.
 *
 * Layer: stream. Chunks from any input pass through unchanged. A barrier is forwarded once
 * every input delivered it for the epoch (so downstream sees one barrier per epoch, after all
 * of the epoch's rows). A column's watermark is the minimum over the inputs, forwarded when
 * every input has one and the minimum advanced. An input marked idle (dataflow_input_idle)
 * does not hold the minimum back: it is taken over the active inputs, or, when every input is
 * idle, is the maximum seen; the union itself is idle for its parent while all its inputs are.
 * Owns only those counters.
 *
 * Checkpoint: one entry, key 0x00, written when it changed: per input and column has_wm u8 and
 * wm i64 (input-major), per column has_sent u8 and sent_wm i64, per input idle u8 and got u8
 * (its barrier of the current epoch arrived; all zero between epochs).
 */
#include "base/bin.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"

typedef struct UnionOp {
	Operator op;
	int ninputs, ncols;
	int arrived;       /* inputs whose barrier of the current epoch arrived */
	uint8_t *got;      /* per input: barrier arrived */
	int64_t *wm;       /* [input * ncols + col] */
	uint8_t *has_wm;   /* same layout */
	int64_t *sent_wm;  /* per column, the watermark forwarded */
	uint8_t *has_sent;
	uint8_t *idle;     /* per input: marked idle */
	int nidle;
	CkTrack ck;        /* only its header */
	StrBuf hdr;
} UnionOp;

/* Forwards column col's watermark if the minimum over the active inputs (the maximum when all
 * are idle) advanced; an active input without a watermark yet holds it back. */
static int send_watermark(UnionOp *u, int col, Err *e)
{
	bool all_idle = u->nidle == u->ninputs, any = false;
	int64_t w = 0;
	for (int i = 0; i < u->ninputs; i++) {
		size_t j = (size_t)i * (size_t)u->ncols + (size_t)col;
		if (!all_idle && u->idle[i])
			continue;
		if (!u->has_wm[j]) {
			if (all_idle)
				continue;
			return 0;
		}
		if (!any || (all_idle ? u->wm[j] > w : u->wm[j] < w))
			w = u->wm[j];
		any = true;
	}
	if (!any || (u->has_sent[col] && w <= u->sent_wm[col]))
		return 0;
	u->has_sent[col] = 1;
	u->sent_wm[col] = w;
	return op_emit_watermark(&u->op, col, w, e);
}

static int union_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	UnionOp *u = (UnionOp *)op;
	size_t k = (size_t)port * (size_t)u->ncols + (size_t)col;
	if (u->has_wm[k] && ts <= u->wm[k])
		return 0;
	u->wm[k] = ts;
	u->has_wm[k] = 1;
	return send_watermark(u, col, e);
}

static int union_idle(Operator *op, int port, bool idle, Err *e)
{
	UnionOp *u = (UnionOp *)op;
	if ((bool)u->idle[port] == idle)
		return 0;
	bool was_idle = u->nidle == u->ninputs;
	u->idle[port] = idle;
	u->nidle += idle ? 1 : -1;
	for (int col = 0; col < u->ncols; col++)
		if (send_watermark(u, col, e) < 0)
			return -1;
	if (was_idle != (u->nidle == u->ninputs))
		return op_emit_idle(op, !was_idle, e);
	return 0;
}

static int union_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	UnionOp *u = (UnionOp *)op;
	if (!u->got[port]) {
		u->got[port] = 1;
		u->arrived++;
	}
	if (u->arrived < u->ninputs)
		return 0;
	u->arrived = 0;
	for (int i = 0; i < u->ninputs; i++)
		u->got[i] = 0;
	return op_emit_barrier(op, epoch, e);
}

static void encode_state(const UnionOp *u, StrBuf *out)
{
	size_t n = (size_t)u->ninputs * (size_t)u->ncols;
	sb_reset(out);
	for (size_t j = 0; j < n; j++) {
		bin_put_u8(out, u->has_wm[j]);
		bin_put_i64(out, u->wm[j]);
	}
	for (int col = 0; col < u->ncols; col++) {
		bin_put_u8(out, u->has_sent[col]);
		bin_put_i64(out, u->sent_wm[col]);
	}
	for (int i = 0; i < u->ninputs; i++) {
		bin_put_u8(out, u->idle[i]);
		bin_put_u8(out, u->got[i]);
	}
}

static int union_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	UnionOp *u = (UnionOp *)op;
	encode_state(u, &u->hdr);
	return ckt_write_header(&u->ck, &u->hdr, w, full, e);
}

static int union_restore(Operator *op, const void *key, size_t klen, const void *val,
			 size_t vlen, Err *e)
{
	UnionOp *u = (UnionOp *)op;
	size_t n = (size_t)u->ninputs * (size_t)u->ncols;
	BinReader r;
	bin_reader(&r, val, vlen);
	for (size_t j = 0; j < n; j++) {
		u->has_wm[j] = bin_get_u8(&r) != 0;
		u->wm[j] = bin_get_i64(&r);
	}
	for (int col = 0; col < u->ncols; col++) {
		u->has_sent[col] = bin_get_u8(&r) != 0;
		u->sent_wm[col] = bin_get_i64(&r);
	}
	u->nidle = u->arrived = 0;
	for (int i = 0; i < u->ninputs; i++) {
		u->idle[i] = bin_get_u8(&r) != 0;
		u->got[i] = bin_get_u8(&r) != 0;
		u->nidle += u->idle[i];
		u->arrived += u->got[i];
	}
	if (klen != 1 || *(const uint8_t *)key != 0 || !bin_done(&r))
		return err_set(e, ERR_DATA_CORRUPTED, "UNION ALL checkpoint does not decode");
	ckt_restored_header(&u->ck, val, vlen);
	return 0;
}

static void union_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "UnionAll");
}

static void union_free(Operator *op)
{
	UnionOp *u = (UnionOp *)op;
	mem_free(u->got);
	mem_free(u->wm);
	mem_free(u->has_wm);
	mem_free(u->sent_wm);
	mem_free(u->has_sent);
	mem_free(u->idle);
	ckt_deinit(&u->ck);
	sb_deinit(&u->hdr);
}

Operator *union_all_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	UnionOp *u = mem_calloc(1, sizeof *u);
	u->ninputs = lop->nchildren;
	u->ncols = lop->ncols;
	size_t n = (size_t)u->ninputs * (size_t)u->ncols + 1;
	u->got = mem_calloc((size_t)u->ninputs + 1, 1);
	u->wm = mem_calloc(n, sizeof *u->wm);
	u->has_wm = mem_calloc(n, 1);
	u->sent_wm = mem_calloc((size_t)u->ncols + 1, sizeof *u->sent_wm);
	u->has_sent = mem_calloc((size_t)u->ncols + 1, 1);
	u->idle = mem_calloc((size_t)u->ninputs + 1, 1);
	u->op.kind = "UnionAll";
	u->op.on_chunk = op_forward_chunk;
	u->op.on_watermark = union_watermark;
	u->op.on_barrier = union_barrier;
	u->op.on_idle = union_idle;
	u->op.explain = union_explain;
	u->op.free = union_free;
	u->op.checkpoint = union_checkpoint;
	u->op.restore = union_restore;
	ckt_init(&u->ck);
	sb_init(&u->hdr);
	return &u->op;
}
