/* hop.c: hopping windows: the HOP operator and the pane-sharing HOP aggregation.
 *
 * Layer: stream. Windows are [s, s + size) for s = offset + j * slide; size is a multiple of
 * slide, so every window is the union of k = size / slide panes [p, p + slide), and a row at
 * time t lies in the pane p = tumble_start(t, slide, offset) and in the k windows starting at
 * p - (k - 1) * slide ... p. A NULL time belongs to no window (the row is dropped).
 *
 * HOP (LOP_HOP, plain plan): each row becomes k rows with window_start, window_end appended.
 * Stateless (nothing to checkpoint). Used when an aggregation cannot share panes (DISTINCT) or
 * for SELECT * FROM HOP.
 *
 * HOP_AGG (LOP_HOP_AGG): aggregates each row ONCE, into the state of its (group key, pane)
 * (an HMap keyed by the row encoding of the non-window group columns + the pane start). The
 * first change of a pane in an epoch saves a copy of its states (AggFunc.merge into a fresh
 * state; min/max keep only the extremes). At the barrier, every window touched by a changed
 * pane is computed twice by merging its k panes: as of the last barrier (the saved copies) and
 * now; their difference is emitted (+, -, or U-/U+ when the results differ). So state is one
 * block per (key, pane), never per window, and nothing is recomputed from rows.
 *
 * Watermarks: a watermark W on the time column means rows still to come lie in panes from
 * tumble_start(W) on, so windows starting before ws = tumble_start(W) - size + slide are
 * closed: ws is the window_start watermark and ws + size window_end's (HOP forwards both;
 * HOP_AGG forwards ws on its window_start output column, or ws + size on window_end). In
 * HOP_AGG a row whose pane is below ws is late (all its windows are closed): dropped and
 * counted. At the barrier the panes below ws are freed (no open window needs them), and
 * windows that closed before the epoch began are never emitted again.
 *
 * Checkpoints (between epochs, so no pane is dirty and the results as of the last barrier are
 * the panes themselves): key 0x00 is the header, 0x01 + pane key one entry per pane.
 *   header: has_wm u8, wm_pending u8, ws i64, emit_from i64 (little-endian)
 *   pane:   count i64, then per aggregate a u32 length and AggFunc.save's bytes
 * The pane key is the HMap key (group key row encoding + pane start, 8 bytes, little-endian);
 * panes changed or freed since the last checkpoint are tracked (ckpt_track.h). HOP_AGG can be
 * checkpointed only when every aggregate can save and load its state.
 */
#include "base/bin.h"
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/ckpt_track.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <assert.h>
#include <string.h>

/* The time column as microseconds (dates are midnights). */
static int64_t time_at(const Vector *v, int r)
{
	if (v->type == T_DATE)
		return (int64_t)VEC_DATA(v, int32_t)[r] * US_PER_DAY;
	return VEC_DATA(v, int64_t)[r];
}

/* The first window start that can still receive rows once the time watermark is w. */
static int64_t open_from(const LogicalOp *lop, int64_t w)
{
	return tumble_start(w, lop->slide_us, lop->offset_us) - lop->size_us + lop->slide_us;
}

static void explain_hop(const LogicalOp *lop, StrBuf *out)
{
	sb_puts(out, " slide=");
	fmt_duration(out, lop->slide_us);
	sb_puts(out, " size=");
	fmt_duration(out, lop->size_us);
	if (lop->offset_us) {
		sb_puts(out, " offset=");
		fmt_duration(out, lop->offset_us);
	}
}

/* ---- HOP: row expansion */

typedef struct HopOp {
	Operator op;
	Chunk *out;
	int nchild;
	int k;
} HopOp;

static int hop_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	HopOp *h = (HopOp *)op;
	const LogicalOp *lop = op->lop;
	const Vector *time = &c->cols[lop->time_col];
	Chunk *out = h->out;
	for (int r = 0; r < c->nrows; r++) {
		if (time->nulls[r])
			continue;
		int64_t last = tumble_start(time_at(time, r), lop->slide_us, lop->offset_us);
		for (int i = h->k - 1; i >= 0; i--) {
			if (chunk_full(out)) {
				if (op_emit(op, out, e) < 0)
					return -1;
				chunk_reset(out);
			}
			int o = out->nrows++;
			for (int col = 0; col < h->nchild; col++)
				vec_copy_value(&out->cols[col], o, &c->cols[col], r, &out->arena);
			int64_t s = last - (int64_t)i * lop->slide_us;
			VEC_DATA(&out->cols[h->nchild], int64_t)[o] = s;
			VEC_DATA(&out->cols[h->nchild + 1], int64_t)[o] = s + lop->size_us;
			out->cols[h->nchild].nulls[o] = out->cols[h->nchild + 1].nulls[o] = 0;
			out->ops[o] = c->ops[r];
		}
	}
	int rc = op_emit(op, out, e);
	chunk_reset(out);
	return rc;
}

static int hop_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	HopOp *h = (HopOp *)op;
	if (op_emit_watermark(op, col, ts, e) < 0)
		return -1;
	if (col != op->lop->time_col)
		return 0;
	int64_t ws = open_from(op->lop, ts);
	if (op_emit_watermark(op, h->nchild, ws, e) < 0)
		return -1;
	return op_emit_watermark(op, h->nchild + 1, ws + op->lop->size_us, e);
}

static void hop_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Hop");
	explain_hop(op->lop, out);
}

static void hop_free(Operator *op)
{
	chunk_free(((HopOp *)op)->out);
}

static bool hop_valid(const LogicalOp *lop, Err *e)
{
	if (lop->slide_us <= 0 || lop->size_us <= 0 || lop->size_us % lop->slide_us) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE,
			"HOP window size must be a positive multiple of its slide");
		return false;
	}
	return true;
}

Operator *hop_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (!hop_valid(lop, e))
		return NULL;
	HopOp *h = mem_calloc(1, sizeof *h);
	h->out = lop_chunk_new(lop);
	h->nchild = lop->ncols - 2;
	h->k = (int)(lop->size_us / lop->slide_us);
	h->op.kind = "Hop";
	h->op.on_chunk = hop_chunk;
	h->op.on_watermark = hop_watermark;
	h->op.on_barrier = op_forward_barrier;
	h->op.explain = hop_explain;
	h->op.free = hop_free;
	h->op.stateless = true;
	return &h->op;
}

/* ---- HOP_AGG: panes */

typedef struct Pane {
	CkLink ck;                /* first: changed since the last checkpoint */
	int64_t count;            /* rows in the pane: inserts minus deletes */
	int64_t start;
	int64_t old_count;        /* count as of the last barrier, while dirty */
	struct Pane *next_dirty;
	char *old;                /* states as of the last barrier (heap) while dirty; NULL:
				   * the pane was empty then */
	uint8_t dirty;
} Pane;

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

typedef struct HopAggOp {
	Operator op;
	int naggs, nkey, k;
	const AggCall *aggs;
	int *key_cols;            /* child columns of the non-window group columns */
	int *out_cols;            /* their output columns, then the aggregates' */
	int ws_out, we_out;       /* output columns of window_start / window_end, -1 absent */
	size_t hdr, states_size;  /* a pane block: Pane header (hdr bytes), then the states */
	size_t *off;              /* offset of aggregate i's state within the states */
	HMap panes;
	HMap wins;                /* windows to emit at this barrier: key + start, no value */
	Pane *dirty;
	bool has_wm, wm_pending;
	int64_t ws;               /* windows starting before ws are closed */
	int64_t emit_from;        /* ws as of the last barrier */
	size_t heap_old;
	StrBuf key, row, prev;
	char *tmp;                /* scratch states for combining a window */
	Chunk *out;
	Arena scratch;
	Pane *rowpane[CHUNK_CAP];
	void *states[CHUNK_CAP];
	uint8_t skip[CHUNK_CAP];
	void *dummy;              /* states late rows update (they are skipped) */
	CkTrack ck;
	StrBuf ckhdr;             /* the checkpoint header being written */
	TypeId *key_types;        /* types of the key columns, to check restored pane keys */
} HopAggOp;

static char *pane_states(const HopAggOp *h, Pane *p)
{
	return (char *)p + h->hdr;
}

static void states_init(const HopAggOp *h, char *s)
{
	for (int i = 0; i < h->naggs; i++)
		h->aggs[i].fn->init(h->aggs[i].fn, s + h->off[i]);
}

static void states_destroy(const HopAggOp *h, char *s)
{
	for (int i = 0; i < h->naggs; i++)
		if (h->aggs[i].fn->destroy)
			h->aggs[i].fn->destroy(h->aggs[i].fn, s + h->off[i]);
}

static int states_merge(const HopAggOp *h, char *dst, const char *src, Err *e)
{
	for (int i = 0; i < h->naggs; i++)
		if (h->aggs[i].fn->merge(h->aggs[i].fn, dst + h->off[i], src + h->off[i], e) < 0)
			return -1;
	return 0;
}

static size_t states_heap(const HopAggOp *h, const char *s)
{
	size_t n = 0;
	for (int i = 0; i < h->naggs; i++)
		if (h->aggs[i].fn->heap_bytes)
			n += h->aggs[i].fn->heap_bytes(h->aggs[i].fn, s + h->off[i]);
	return n;
}

/* Marks p changed in this epoch, saving its states as of the last barrier. */
static int pane_touch(HopAggOp *h, Pane *p, Err *e)
{
	if (p->dirty)
		return 0;
	ckt_touch(&h->ck, &p->ck);
	p->dirty = 1;
	p->next_dirty = h->dirty;
	h->dirty = p;
	p->old_count = p->count;
	if (p->count == 0)
		return 0;
	p->old = mem_alloc(h->states_size);
	h->heap_old += h->states_size;
	states_init(h, p->old);
	return states_merge(h, p->old, pane_states(h, p), e);
}

static int hop_agg_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	HopAggOp *h = (HopAggOp *)op;
	const LogicalOp *lop = op->lop;
	const Vector *time = &c->cols[lop->time_col];
	int n = c->nrows;
	uint64_t late = 0;
	bool skipped = false;
	for (int r = 0; r < n; r++) {
		h->rowpane[r] = NULL;
		if (time->nulls[r]) {
			skipped = true;
			continue;
		}
		int64_t p = tumble_start(time_at(time, r), lop->slide_us, lop->offset_us);
		if (h->has_wm && p < h->ws) {
			late++;
			skipped = true;
			continue;
		}
		sb_reset(&h->key);
		row_encode(c, h->key_cols, h->nkey, r, ROWCODEC_NORMALIZE, &h->key);
		sb_append(&h->key, &p, sizeof p);
		bool found;
		Pane *pane = hmap_upsert(&h->panes, h->key.data, h->key.len,
					 hash_bytes(h->key.data, h->key.len), &found);
		if (!found) {
			pane->start = p;
			states_init(h, pane_states(h, pane));
		}
		if (pane_touch(h, pane, e) < 0)
			return -1;
		pane->count += op_sign(c->ops[r]);
		h->rowpane[r] = pane;
	}
	if (late)
		df_count_late(op->df, late);
	for (int i = 0; i < h->naggs; i++) {
		const AggCall *call = &h->aggs[i];
		const uint8_t *skip = NULL;
		if (skipped || call->filter >= 0) {
			const Vector *fv = call->filter >= 0 ? &c->cols[call->filter] : NULL;
			for (int r = 0; r < n; r++)
				h->skip[r] = !h->rowpane[r] ||
					     (fv && (fv->nulls[r] || !VEC_DATA(fv, uint8_t)[r]));
			skip = h->skip;
		}
		for (int r = 0; r < n; r++)
			h->states[r] = (h->rowpane[r] ? pane_states(h, h->rowpane[r])
						      : (char *)h->dummy) +
				       h->off[i];
		const Vector *arg = call->arg >= 0 ? &c->cols[call->arg] : NULL;
		if (call->fn->update(call->fn, h->states, arg, c->ops, skip, n, e) < 0)
			return -1;
	}
	return 0;
}

/* Combines the panes of window [s, s + size) of key (klen bytes) into h->tmp, as of the last
 * barrier (old) or now; returns the row count. */
static int64_t combine(HopAggOp *h, const char *key, size_t klen, int64_t s, bool old, Err *e,
		       int *rc)
{
	int64_t count = 0;
	states_init(h, h->tmp);
	sb_reset(&h->key);
	sb_append(&h->key, key, klen);
	for (int64_t q = s; q < s + h->op.lop->size_us; q += h->op.lop->slide_us) {
		h->key.len = klen;
		sb_append(&h->key, &q, sizeof q);
		Pane *p = hmap_find(&h->panes, h->key.data, h->key.len,
				    hash_bytes(h->key.data, h->key.len));
		if (!p)
			continue;
		if (old && p->dirty) {
			count += p->old_count;
			if (p->old && states_merge(h, h->tmp, p->old, e) < 0)
				*rc = -1;
		} else {
			count += p->count;
			if (states_merge(h, h->tmp, pane_states(h, p), e) < 0)
				*rc = -1;
		}
	}
	return count;
}

/* Encodes the aggregates' results of h->tmp into sb. */
static void encode_results(HopAggOp *h, StrBuf *sb)
{
	sb_reset(sb);
	for (int i = 0; i < h->naggs; i++) {
		Value v;
		h->aggs[i].fn->final(h->aggs[i].fn, h->tmp + h->off[i], &v, &h->scratch);
		row_encode_value(&v, ROWCODEC_EXACT, sb);
	}
}

static int flush_out(HopAggOp *h, Err *e)
{
	int rc = op_emit(&h->op, h->out, e);
	chunk_reset(h->out);
	arena_reset(&h->scratch);
	return rc;
}

static void put_row(HopAggOp *h, const char *key, size_t klen, int64_t s, const StrBuf *res, Op o)
{
	Chunk *out = h->out;
	int r = out->nrows++;
	if (h->nkey)
		row_decode(key, klen, out, h->out_cols, h->nkey, r);
	if (h->ws_out >= 0) {
		VEC_DATA(&out->cols[h->ws_out], int64_t)[r] = s;
		out->cols[h->ws_out].nulls[r] = 0;
	}
	if (h->we_out >= 0) {
		VEC_DATA(&out->cols[h->we_out], int64_t)[r] = s + h->op.lop->size_us;
		out->cols[h->we_out].nulls[r] = 0;
	}
	row_decode(res->data, res->len, out, h->out_cols + h->nkey, h->naggs, r);
	out->ops[r] = (uint8_t)o;
}

/* Emits the change of window s of key since the last barrier. */
static int emit_window(HopAggOp *h, const char *key, size_t klen, int64_t s, Err *e)
{
	int rc = 0;
	if (h->out->nrows + 2 > CHUNK_CAP && flush_out(h, e) < 0)
		return -1;
	int64_t before = combine(h, key, klen, s, true, e, &rc);
	if (before > 0)
		encode_results(h, &h->prev);
	states_destroy(h, h->tmp);
	int64_t now = combine(h, key, klen, s, false, e, &rc);
	if (now > 0)
		encode_results(h, &h->row);
	states_destroy(h, h->tmp);
	if (rc < 0)
		return -1;
	if (before > 0 && now > 0) {
		if (h->prev.len == h->row.len && memcmp(h->prev.data, h->row.data, h->row.len) == 0)
			return 0;
		put_row(h, key, klen, s, &h->prev, OP_UPDATE_DELETE);
		put_row(h, key, klen, s, &h->row, OP_UPDATE_INSERT);
	} else if (before > 0) {
		put_row(h, key, klen, s, &h->prev, OP_DELETE);
	} else if (now > 0) {
		put_row(h, key, klen, s, &h->row, OP_INSERT);
	}
	return 0;
}

/* Removes p from the panes (and from the checkpoint's changes, remembering its key). */
static void pane_remove(HopAggOp *h, Pane *p)
{
	size_t klen;
	const void *key = hmap_key(&h->panes, p, &klen);
	ckt_forget(&h->ck, &p->ck, key, klen);
	hmap_remove_value(&h->panes, p);
}

static void pane_free(HopAggOp *h, Pane *p)
{
	states_destroy(h, pane_states(h, p));
	if (p->old) {
		states_destroy(h, p->old);
		mem_free(p->old);
		h->heap_old -= h->states_size;
		p->old = NULL;
	}
}

/* Frees the panes no open window needs (start below ws). */
static void free_closed(HopAggOp *h)
{
	Pane *p, *gone = NULL;
	for (size_t it = 0; (p = hmap_next(&h->panes, &it));) {
		if (p->start < h->ws) {
			p->next_dirty = gone; /* the dirty list is empty between barriers */
			gone = p;
		}
	}
	while (gone) {
		p = gone;
		gone = p->next_dirty;
		pane_free(h, p);
		pane_remove(h, p);
	}
}

static int hop_agg_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	HopAggOp *h = (HopAggOp *)op;
	const LogicalOp *lop = op->lop;
	chunk_reset(h->out);
	arena_reset(&h->scratch);
	/* The windows touched by changed panes, once each. */
	for (Pane *p = h->dirty; p; p = p->next_dirty) {
		size_t klen;
		const char *key = hmap_key(&h->panes, p, &klen);
		klen -= sizeof(int64_t);
		for (int i = 0; i < h->k; i++) {
			int64_t s = p->start - (int64_t)i * lop->slide_us;
			if (s < h->emit_from)
				break; /* closed before this epoch: final already */
			sb_reset(&h->key);
			sb_append(&h->key, key, klen);
			sb_append(&h->key, &s, sizeof s);
			hmap_upsert(&h->wins, h->key.data, h->key.len,
				    hash_bytes(h->key.data, h->key.len), NULL);
		}
	}
	void *w;
	for (size_t it = 0; (w = hmap_next(&h->wins, &it));) {
		size_t klen;
		const char *wk = hmap_key(&h->wins, w, &klen);
		int64_t s;
		memcpy(&s, wk + klen - sizeof s, sizeof s);
		/* combine() reuses h->key: work on a copy of the window key. */
		char *copy = arena_alloc(&h->scratch, klen);
		memcpy(copy, wk, klen);
		if (emit_window(h, copy, klen - sizeof s, s, e) < 0)
			return -1;
	}
	hmap_deinit(&h->wins);
	hmap_init(&h->wins, 8);
	while (h->dirty) {
		Pane *p = h->dirty;
		h->dirty = p->next_dirty;
		p->dirty = 0;
		if (p->old) {
			states_destroy(h, p->old);
			mem_free(p->old);
			h->heap_old -= h->states_size;
			p->old = NULL;
		}
		if (p->count == 0) {
			states_destroy(h, pane_states(h, p));
			pane_remove(h, p);
		}
	}
	if (flush_out(h, e) < 0)
		return -1;
	if (h->wm_pending) {
		h->wm_pending = false;
		free_closed(h);
		h->emit_from = h->ws;
		if (lop->wm_col >= 0) {
			int64_t v = lop->wm_col == h->ws_out ? h->ws : h->ws + lop->size_us;
			if (op_emit_watermark(op, lop->wm_col, v, e) < 0)
				return -1;
		}
	}
	return op_emit_barrier(op, epoch, e);
}

static int hop_agg_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	HopAggOp *h = (HopAggOp *)op;
	if (col != op->lop->time_col)
		return 0;
	int64_t ws = open_from(op->lop, ts);
	if (h->has_wm && ws <= h->ws)
		return 0;
	h->has_wm = true;
	h->ws = ws;
	h->wm_pending = true;
	return 0;
}

static size_t hop_agg_state_bytes(const Operator *op)
{
	const HopAggOp *h = (const HopAggOp *)op;
	size_t n = h->panes.bytes + h->panes.cap * (sizeof(void *) + 8) + h->heap_old;
	bool heap = false;
	for (int i = 0; i < h->naggs; i++)
		heap |= h->aggs[i].fn->heap_bytes != NULL;
	Pane *p;
	for (size_t it = 0; heap && (p = hmap_next(&h->panes, &it));)
		n += states_heap(h, pane_states(h, p));
	return n;
}

/* ---- HOP_AGG: checkpoints (format at the top of the file) */

static void encode_pane(const void *owner, const void *value, StrBuf *out)
{
	const HopAggOp *h = owner;
	const Pane *p = value;
	bin_put_i64(out, p->count);
	for (int i = 0; i < h->naggs; i++) {
		const AggFunc *fn = h->aggs[i].fn;
		size_t at = out->len;
		bin_put_u32(out, 0);
		fn->save(fn, pane_states(h, (Pane *)p) + h->off[i], out);
		uint32_t n = (uint32_t)(out->len - at - 4);
		memcpy(out->data + at, &n, 4);
	}
}

static int hop_agg_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	HopAggOp *h = (HopAggOp *)op;
	assert(!h->dirty); /* checkpoints come between epochs */
	sb_reset(&h->ckhdr);
	bin_put_u8(&h->ckhdr, h->has_wm);
	bin_put_u8(&h->ckhdr, h->wm_pending);
	bin_put_i64(&h->ckhdr, h->ws);
	bin_put_i64(&h->ckhdr, h->emit_from);
	if (ckt_write_header(&h->ck, &h->ckhdr, w, full, e) < 0)
		return -1;
	return ckt_write(&h->ck, &h->panes, 1, encode_pane, h, w, full, e);
}

static int restore_pane(HopAggOp *h, const uint8_t *key, size_t klen, const void *val,
			size_t vlen, Err *e)
{
	bool found;
	Pane *p = hmap_upsert(&h->panes, key, klen, hash_bytes(key, klen), &found);
	if (found)
		return err_set(e, ERR_DATA_CORRUPTED, "HOP pane checkpointed twice");
	ckt_restored(&p->ck);
	memcpy(&p->start, key + klen - sizeof p->start, sizeof p->start);
	states_init(h, pane_states(h, p));
	BinReader r;
	bin_reader(&r, val, vlen);
	p->count = bin_get_i64(&r);
	for (int i = 0; i < h->naggs && !r.bad; i++) {
		const AggFunc *fn = h->aggs[i].fn;
		size_t n;
		const void *b = bin_get_bytes(&r, &n);
		if (b && fn->load(fn, pane_states(h, p) + h->off[i], b, n, e) < 0)
			return -1;
	}
	if (!bin_done(&r))
		return err_set(e, ERR_DATA_CORRUPTED, "HOP pane checkpoint does not decode");
	return 0;
}

static int hop_agg_restore(Operator *op, const void *key, size_t klen, const void *val,
			   size_t vlen, Err *e)
{
	HopAggOp *h = (HopAggOp *)op;
	const uint8_t *k = key;
	if (klen == 1 && k[0] == 0) {
		BinReader r;
		bin_reader(&r, val, vlen);
		h->has_wm = bin_get_u8(&r) != 0;
		h->wm_pending = bin_get_u8(&r) != 0;
		h->ws = bin_get_i64(&r);
		h->emit_from = bin_get_i64(&r);
		if (!bin_done(&r))
			return err_set(e, ERR_DATA_CORRUPTED, "HOP checkpoint header does not decode");
		ckt_restored_header(&h->ck, val, vlen);
		return 0;
	}
	if (klen < 1 + sizeof(int64_t) || k[0] != 1 ||
	    !row_check(k + 1, klen - 1 - sizeof(int64_t), h->key_types, h->nkey))
		return err_set(e, ERR_DATA_CORRUPTED, "HOP checkpoint key does not decode");
	return restore_pane(h, k + 1, klen - 1, val, vlen, e);
}

static void hop_agg_explain(const Operator *op, StrBuf *out)
{
	const HopAggOp *h = (const HopAggOp *)op;
	sb_puts(out, "HopAgg");
	explain_hop(op->lop, out);
	sb_puts(out, " group=[");
	for (int i = 0; i < op->lop->ngroup; i++)
		sb_printf(out, "%s%s", i ? ", " : "", op->lop->cols[i].name);
	sb_printf(out, "] state=panes (%d windows share each pane)", h->k);
}

static void hop_agg_free(Operator *op)
{
	HopAggOp *h = (HopAggOp *)op;
	Pane *p;
	for (size_t it = 0; (p = hmap_next(&h->panes, &it));)
		pane_free(h, p);
	hmap_deinit(&h->panes);
	hmap_deinit(&h->wins);
	states_destroy(h, h->dummy);
	mem_free(h->dummy);
	ckt_deinit(&h->ck);
	sb_deinit(&h->ckhdr);
	mem_free(h->key_types);
	mem_free(h->tmp);
	mem_free(h->off);
	mem_free(h->key_cols);
	mem_free(h->out_cols);
	sb_deinit(&h->key);
	sb_deinit(&h->row);
	sb_deinit(&h->prev);
	chunk_free(h->out);
	arena_deinit(&h->scratch);
}

Operator *hop_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	if (!hop_valid(lop, e))
		return NULL;
	const LogicalOp *child = lop->children[0];
	for (int i = 0; i < lop->naggs; i++) {
		const AggFunc *fn = lop->aggs[i].fn;
		if (!fn->merge) {
			err_set(e, ERR_INTERNAL, "aggregate %s cannot combine panes", fn->name);
			return NULL;
		}
		if (df_mode(df) == DF_STREAMING && !child->append_only && !fn->retractable) {
			err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				"aggregate function %s cannot retract rows, but its input has "
				"updates or deletes",
				fn->name);
			return NULL;
		}
	}
	int n = lop->window->ncols - 2; /* window_start is window column n */
	HopAggOp *h = mem_calloc(1, sizeof *h);
	h->naggs = lop->naggs;
	h->aggs = lop->aggs;
	h->k = (int)(lop->size_us / lop->slide_us);
	h->key_cols = mem_calloc((size_t)lop->ngroup + 1, sizeof *h->key_cols);
	h->out_cols = mem_calloc((size_t)(lop->ngroup + lop->naggs) + 1, sizeof *h->out_cols);
	h->ws_out = h->we_out = -1;
	for (int g = 0; g < lop->ngroup; g++) {
		int c = lop->group_cols[g];
		if (c == n)
			h->ws_out = g;
		else if (c == n + 1)
			h->we_out = g;
		else {
			h->key_cols[h->nkey] = c;
			h->out_cols[h->nkey++] = g;
		}
	}
	for (int i = 0; i < lop->naggs; i++)
		h->out_cols[h->nkey + i] = lop->ngroup + i;
	h->off = mem_calloc((size_t)lop->naggs + 1, sizeof *h->off);
	size_t off = 0;
	for (int i = 0; i < lop->naggs; i++) {
		h->off[i] = off;
		off += ALIGN16(lop->aggs[i].fn->state_size);
	}
	h->states_size = off ? off : 16;
	h->hdr = ALIGN16(sizeof(Pane));
	hmap_init(&h->panes, h->hdr + h->states_size);
	hmap_init(&h->wins, 8);
	h->tmp = mem_calloc(1, h->states_size);
	h->dummy = mem_calloc(1, h->states_size);
	states_init(h, h->dummy);
	h->emit_from = INT64_MIN;
	sb_init(&h->key);
	sb_init(&h->row);
	sb_init(&h->prev);
	h->out = lop_chunk_new(lop);
	arena_init(&h->scratch, 0);
	h->op.kind = "HopAgg";
	h->op.on_chunk = hop_agg_chunk;
	h->op.on_watermark = hop_agg_watermark;
	h->op.on_barrier = hop_agg_barrier;
	h->op.explain = hop_agg_explain;
	h->op.free = hop_agg_free;
	h->op.state_bytes = hop_agg_state_bytes;
	ckt_init(&h->ck);
	sb_init(&h->ckhdr);
	h->key_types = mem_calloc((size_t)h->nkey + 1, sizeof *h->key_types);
	for (int i = 0; i < h->nkey; i++)
		h->key_types[i] = child->cols[h->key_cols[i]].type;
	bool saves = true;
	for (int i = 0; i < lop->naggs; i++)
		saves &= lop->aggs[i].fn->save && lop->aggs[i].fn->load;
	if (saves) { /* else dataflow_can_checkpoint names HopAgg */
		h->op.checkpoint = hop_agg_checkpoint;
		h->op.restore = hop_agg_restore;
	}
	return &h->op;
}
