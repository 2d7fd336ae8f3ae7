/* eowc.c: EMIT ON WINDOW CLOSE: a windowed view's rows, once each, when their window closes.
 *
 * Layer: stream. The root of a view created with EMIT ON WINDOW CLOSE (LOP_EOWC). Its child (a
 * windowed aggregation and the projections above it) sends a changelog and, after each
 * barrier's changes, a watermark W on the window column wm_col. This operator keeps the net rows
 * of windows still open (an HMap from the exact row encoding to a multiplicity and the row's
 * window value); when W arrives it emits every kept row whose window value is below W as
 * inserts and forgets it. So the view only ever receives inserts of final rows, and nothing
 * before the watermark passes. Changes to windows already emitted cannot arrive (the
 * aggregation drops late rows and counts them); should one, it is dropped and counted late.
 *
 * Checkpoints: key 0x00 is the header (has_wm u8, wm i64), 0x01 + the row encoding one entry
 * per held row (count i64, win i64, win_null u8); rows changed or released since the last
 * checkpoint are tracked (ckpt_track.h).
 */
#include "base/bin.h"
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct Held {
	CkLink ck;     /* first: changed since the last checkpoint */
	int64_t count; /* net multiplicity of the row */
	int64_t win;   /* the row's window value (wm_col) */
	uint8_t win_null;
} Held;

typedef struct EowcOp {
	Operator op;
	HMap rows;
	bool has_wm;
	int64_t wm;
	StrBuf key;
	Chunk *out;
	Held **closing;
	size_t ncap;
	CkTrack ck;
	StrBuf hdr;
	TypeId *types;  /* the row's column types, to check restored rows */
} EowcOp;

/* Removes h from the held rows (and from the checkpoint's changes, remembering its key). */
static void held_remove(EowcOp *w, Held *h)
{
	size_t klen;
	const void *key = hmap_key(&w->rows, h, &klen);
	ckt_forget(&w->ck, &h->ck, key, klen);
	hmap_remove_value(&w->rows, h);
}

static int eowc_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	EowcOp *w = (EowcOp *)op;
	int col = op->lop->wm_col;
	const Vector *wv = &c->cols[col];
	uint64_t late = 0;
	for (int r = 0; r < c->nrows; r++) {
		int64_t v = wv->nulls[r] ? 0 : VEC_DATA(wv, int64_t)[r];
		if (!wv->nulls[r] && w->has_wm && v < w->wm) {
			late++;
			continue;
		}
		sb_reset(&w->key);
		row_encode(c, NULL, c->ncols, r, ROWCODEC_EXACT, &w->key);
		bool found;
		Held *h = hmap_upsert(&w->rows, w->key.data, w->key.len,
				      hash_bytes(w->key.data, w->key.len), &found);
		h->win = v;
		h->win_null = wv->nulls[r];
		h->count += op_sign(c->ops[r]);
		if (h->count == 0)
			held_remove(w, h);
		else
			ckt_touch(&w->ck, &h->ck);
	}
	if (late)
		df_count_late(op->df, late);
	return 0;
}

static int eowc_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	EowcOp *w = (EowcOp *)op;
	if (col != op->lop->wm_col || (w->has_wm && ts <= w->wm))
		return 0;
	w->has_wm = true;
	w->wm = ts;
	size_t n = 0;
	Held *h;
	for (size_t it = 0; (h = hmap_next(&w->rows, &it));) {
		if (h->win_null || h->win >= ts)
			continue;
		if (n == w->ncap) {
			w->ncap = w->ncap ? 2 * w->ncap : 64;
			w->closing = mem_realloc(w->closing, w->ncap * sizeof *w->closing);
		}
		w->closing[n++] = h;
	}
	Chunk *out = w->out;
	chunk_reset(out);
	for (size_t i = 0; i < n; i++) {
		h = w->closing[i];
		size_t klen;
		const void *key = hmap_key(&w->rows, h, &klen);
		for (int64_t k = 0; k < h->count; k++) {
			if (chunk_full(out)) {
				if (op_emit(op, out, e) < 0)
					return -1;
				chunk_reset(out);
			}
			int r = out->nrows++;
			row_decode(key, klen, out, NULL, out->ncols, r);
			out->ops[r] = OP_INSERT;
		}
		/* A negative count (a delete without its insert) cannot be emitted: drop it. */
		held_remove(w, h);
	}
	int rc = op_emit(op, out, e);
	chunk_reset(out);
	if (rc < 0)
		return -1;
	return op_emit_watermark(op, col, ts, e);
}

static void encode_held(const void *owner, const void *value, StrBuf *out)
{
	const Held *h = value;
	bin_put_i64(out, h->count);
	bin_put_i64(out, h->win);
	bin_put_u8(out, h->win_null);
}

static int eowc_checkpoint(Operator *op, StateWriter *sw, bool full, Err *e)
{
	EowcOp *w = (EowcOp *)op;
	sb_reset(&w->hdr);
	bin_put_u8(&w->hdr, w->has_wm);
	bin_put_i64(&w->hdr, w->wm);
	if (ckt_write_header(&w->ck, &w->hdr, sw, full, e) < 0)
		return -1;
	return ckt_write(&w->ck, &w->rows, 1, encode_held, w, sw, full, e);
}

static int eowc_restore(Operator *op, const void *key, size_t klen, const void *val, size_t vlen,
			Err *e)
{
	EowcOp *w = (EowcOp *)op;
	const uint8_t *k = key;
	BinReader r;
	bin_reader(&r, val, vlen);
	if (klen == 1 && k[0] == 0) {
		w->has_wm = bin_get_u8(&r) != 0;
		w->wm = bin_get_i64(&r);
		if (!bin_done(&r))
			return err_set(e, ERR_DATA_CORRUPTED,
				       "EMIT ON WINDOW CLOSE checkpoint header does not decode");
		ckt_restored_header(&w->ck, val, vlen);
		return 0;
	}
	Held h = { .count = bin_get_i64(&r), .win = bin_get_i64(&r), .win_null = bin_get_u8(&r) };
	if (klen < 2 || k[0] != 1 || !bin_done(&r) ||
	    !row_check(k + 1, klen - 1, w->types, op->lop->ncols))
		return err_set(e, ERR_DATA_CORRUPTED,
			       "EMIT ON WINDOW CLOSE checkpoint entry does not decode");
	bool found;
	Held *p = hmap_upsert(&w->rows, k + 1, klen - 1, hash_bytes(k + 1, klen - 1), &found);
	*p = h;
	ckt_restored(&p->ck);
	return 0;
}

static size_t eowc_state_bytes(const Operator *op)
{
	const EowcOp *w = (const EowcOp *)op;
	return w->rows.bytes + w->rows.cap * (sizeof(void *) + 8);
}

static void eowc_explain(const Operator *op, StrBuf *out)
{
	sb_printf(out, "EmitOnWindowClose window=%s state=open windows' rows",
		  op->lop->cols[op->lop->wm_col].name);
}

static void eowc_free(Operator *op)
{
	EowcOp *w = (EowcOp *)op;
	hmap_deinit(&w->rows);
	sb_deinit(&w->key);
	chunk_free(w->out);
	mem_free(w->closing);
	ckt_deinit(&w->ck);
	sb_deinit(&w->hdr);
	mem_free(w->types);
}

Operator *eowc_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (lop->wm_col < 0) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"EMIT ON WINDOW CLOSE needs a watermark on a window column");
		return NULL;
	}
	EowcOp *w = mem_calloc(1, sizeof *w);
	hmap_init(&w->rows, sizeof(Held));
	sb_init(&w->key);
	w->out = lop_chunk_new(lop);
	w->op.kind = "EmitOnWindowClose";
	w->op.on_chunk = eowc_chunk;
	w->op.on_watermark = eowc_watermark;
	w->op.on_barrier = op_forward_barrier;
	w->op.explain = eowc_explain;
	w->op.free = eowc_free;
	w->op.state_bytes = eowc_state_bytes;
	w->op.checkpoint = eowc_checkpoint;
	w->op.restore = eowc_restore;
	ckt_init(&w->ck);
	sb_init(&w->hdr);
	w->types = mem_calloc((size_t)lop->ncols + 1, sizeof *w->types);
	for (int i = 0; i < lop->ncols; i++)
		w->types[i] = lop->cols[i].type;
	return &w->op;
}
