/* over_window.c: window functions over partitions: group top-N (LOP_TOPN) and OVER (LOP_OVER).
 *
 * Layer: stream. Both operators keep, per partition (an HMap keyed by the normalized encoding
 * of the partition columns), every row of the partition in one array sorted by the ORDER BY
 * keys (value_compare, DESC and NULLS FIRST/LAST per key), ties broken by the row's exact
 * encoding so the order is total and the same in every run. A row is one heap block: a 12-byte
 * header, the offsets in its encoding of the columns read as values (the ORDER BY keys and the
 * window functions' arguments, decoded when compared or fed: a fixed-width value is a flag test
 * and a copy), then its exact encoding. Inserts and deletes go into the array by binary search
 * as they arrive. A partition holding one row keeps its pointer in place of the array.
 *
 * At a barrier, each partition that changed recomputes its output rows (the top N with their
 * rank, or every row with its window values) and diffs them against what it emitted last:
 * rows that left are deleted, rows that came in are inserted, and a row whose rank or window
 * value changed is one U- / U+ pair. So an epoch's output is its net change, and work is
 * proportional to the partitions touched, not to the state. What a top-N emitted is derivable
 * from its rows: each row holds the rank it was last emitted with (0: not emitted), and a
 * deleted row that was emitted waits on the `retired` list until the barrier deletes its output
 * row. OVER's output carries window values, so a partition keeps what it emitted, encoded.
 *
 * Memory: all rows of every partition (plus OVER's emitted output), because a delete of a row in
 * the top N brings up the next one. When the input is append-only, rows ranked below N can never
 * come back and are freed after each barrier, so a top-N over a stream keeps N rows (plus
 * ties) per partition. The same code runs in DF_BATCH (one barrier) for plain SELECTs.
 *
 * Windows: when a PARTITION BY column carries the input's watermark (the plan's wm_col, set by
 * bind_over.c: window_start or window_end of a windowed aggregation or TUMBLE below), a
 * partition whose value is below the watermark is closed: after its final emission at a
 * barrier its rows and outputs are freed (the view keeps what it emitted), rows arriving for it
 * later are late (dropped, counted), and the watermark goes on to the same output column, so an
 * EMIT ON WINDOW CLOSE or an aggregation above can close too. So a top-N per window keeps only
 * the open windows' partitions.
 *
 * Checkpoints save the rows, one entry per distinct row of a partition, and only the entries
 * that changed since the previous checkpoint; restore rebuilds the sorted arrays and the
 * emitted outputs from them (format and change tracking under "checkpoints" below).
 */
#define _GNU_SOURCE /* qsort_r */
#include "base/bin.h"
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "expr/agg.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* One input row, followed in its heap block by uint32 offsets (OverOp.nslot: where each
 * column read as a value starts in the encoding) and by its exact encoding (len bytes). */
typedef struct Row {
	uint32_t len;
	uint32_t fresh;     /* index in OverOp.fresh + 1 while new since the last checkpoint */
	uint32_t rank;      /* top-N: the rank it was last emitted with; 0: not emitted */
} Row;

/* One emitted output row: the input row's encoding (rowlen bytes), then the extra columns. */
typedef struct Out {
	char *p;
	uint32_t len, rowlen;
} Out;

/* A partition (an HMap value: 48 bytes). Its rows are part_rows(): with cap 1 the one row's
 * pointer is kept in `rows` itself (dedup keeps one row per partition). */
typedef struct Part {
	Row **rows;
	uint32_t n, cap;
	Out *prev;          /* OVER: what it emitted last, sorted (top-N: the rows' ranks) */
	uint32_t nprev, capprev;
	int64_t wm_val;     /* the value of the watermark column (OverOp.wm_col) */
	uint8_t dirty;
	uint8_t wm_null;
} Part;

/* A row new since the last checkpoint, with its partition (whose key names the row's entry). */
typedef struct Fresh {
	Row *row;
	Part *part;
} Fresh;

typedef struct OverOp {
	Operator op;
	const LogicalOp *lop;
	int nin;            /* child columns */
	int nextra;         /* output columns after them */
	int *extra_cols;
	bool trim;          /* append-only top-N: rows below N are dropped */
	bool topn;          /* LOP_TOPN: outputs are derived from the rows' ranks */
	int nslot;          /* columns read as values (per row offsets) */
	int *slot;          /* per child column: its slot, or -1 */
	int nslot_end;      /* the last column with a slot + 1 */
	HMap parts;
	Part **dirty;       /* partitions changed in this epoch */
	uint32_t ndirty, capdirty;
	Row **retired;      /* top-N: rows deleted in this epoch that were emitted */
	uint32_t nretired, capretired;
	size_t bytes;       /* heap bytes of rows, outputs and arrays */
	StrBuf key, row;
	Row *probe;         /* scratch row for deletes */
	size_t probe_cap;
	Chunk *out;
	Arena scratch;      /* per-partition computation */
	Out *cur;           /* the partition's new outputs (scratch) */
	size_t capcur;
	/* Checkpoints (see "checkpoints" below): tracking starts at the first checkpoint or
	 * restore; until then a checkpoint can only be full. */
	bool ck_on;
	Fresh *fresh;       /* rows inserted since the last checkpoint */
	uint32_t nfresh, capfresh;
	StrBuf gone;        /* entry keys (bin_put_bytes) of checkpointed rows freed since */
	TypeId *types;      /* of the child's columns, then of the partition columns */
	/* Windows: the partition column carrying the input's watermark (a child column, which
	 * is also the output column the watermark goes on); -1 none. */
	int wm_col;
	bool has_wm, wm_pending;
	int64_t wm;
	Part **closing;     /* scratch of close_parts */
	size_t capclosing;
} OverOp;

/* ---- rows */

static size_t row_size(const OverOp *o, size_t len)
{
	return sizeof(Row) + (size_t)o->nslot * sizeof(uint32_t) + len;
}

static uint32_t *row_offs(const Row *r)
{
	return (uint32_t *)(r + 1);
}

static char *row_bytes(const OverOp *o, const Row *r)
{
	return (char *)(row_offs(r) + o->nslot);
}

/* The value of child column col (one with a slot); strings point into the row. */
static Value row_val(const OverOp *o, const Row *r, int col)
{
	Value v;
	row_decode_value(row_bytes(o, r) + row_offs(r)[o->slot[col]],
			 o->lop->children[0]->cols[col].type, &v);
	return v;
}

/* Fills row r (a block of row_size bytes) from the encoding in o->row. */
static void row_fill(const OverOp *o, Row *r)
{
	r->len = (uint32_t)o->row.len;
	r->rank = 0;
	char *b = row_bytes(o, r);
	memcpy(b, o->row.data, o->row.len);
	uint32_t *offs = row_offs(r);
	size_t off = 0;
	for (int c = 0; c < o->nslot_end; c++) {
		if (o->slot[c] >= 0)
			offs[o->slot[c]] = (uint32_t)off;
		Value v;
		off += row_decode_value(b + off, o->lop->children[0]->cols[c].type, &v);
	}
}

static int key_cmp(const OverOp *o, const Row *a, const Row *b)
{
	for (int k = 0; k < o->lop->nkeys; k++) {
		const SortKey *key = &o->lop->keys[k];
		Value va = row_val(o, a, key->col), vb = row_val(o, b, key->col);
		int c;
		if (va.null || vb.null) {
			if (va.null && vb.null)
				continue;
			c = va.null ? 1 : -1;
			if (key->nulls_first)
				c = -c;
		} else {
			c = value_compare(&va, &vb);
			if (key->desc)
				c = -c;
		}
		if (c)
			return c;
	}
	return 0;
}

static int bytes_cmp(const char *a, uint32_t na, const char *b, uint32_t nb)
{
	uint32_t m = na < nb ? na : nb;
	int c = m ? memcmp(a, b, m) : 0;
	return c ? c : (na > nb) - (na < nb);
}

static int row_cmp(const OverOp *o, const Row *a, const Row *b)
{
	int c = key_cmp(o, a, b);
	return c ? c : bytes_cmp(row_bytes(o, a), a->len, row_bytes(o, b), b->len);
}

/* The rows of p, in order. */
static Row **part_rows(const Part *p)
{
	return p->cap <= 1 ? (Row **)&p->rows : p->rows;
}

/* The first position whose row is >= r (> r with `after`). */
static uint32_t lower_bound(const OverOp *o, const Part *p, const Row *r, bool after)
{
	Row **rows = part_rows(p);
	uint32_t lo = 0, hi = p->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = row_cmp(o, rows[mid], r);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A new row of partition p from the encoding in o->row, with room for it in p->rows (the
 * caller places it). */
static Row *row_new(OverOp *o, Part *p)
{
	size_t sz = row_size(o, o->row.len);
	Row *r = mem_alloc(sz);
	row_fill(o, r);
	r->fresh = 0;
	if (p->n == p->cap) {
		/* 0 -> 1 (the pointer in place of the array) -> 4 -> 8 ... */
		uint32_t cap = p->cap ? (p->cap == 1 ? 4 : p->cap * 2) : 1;
		if (cap > 1) {
			Row **rows = mem_alloc((size_t)cap * sizeof *rows);
			memcpy(rows, part_rows(p), (size_t)p->n * sizeof *rows);
			if (p->cap > 1)
				mem_free(p->rows);
			o->bytes += (size_t)(cap - (p->cap > 1 ? p->cap : 0)) * sizeof *rows;
			p->rows = rows;
		}
		p->cap = cap;
	}
	o->bytes += sz;
	return r;
}

static void part_insert(OverOp *o, Part *p)
{
	Row *r = row_new(o, p);
	/* After its equals: a copy of a row already ranked leaves the earlier copies' ranks. */
	uint32_t at = lower_bound(o, p, r, true);
	Row **rows = part_rows(p);
	memmove(rows + at + 1, rows + at, (size_t)(p->n - at) * sizeof *rows);
	rows[at] = r;
	p->n++;
	if (o->ck_on) {
		if (o->nfresh == o->capfresh) {
			o->capfresh = o->capfresh ? 2 * o->capfresh : 64;
			o->fresh = mem_realloc(o->fresh, (size_t)o->capfresh * sizeof *o->fresh);
		}
		o->fresh[o->nfresh++] = (Fresh){r, p};
		r->fresh = o->nfresh;
	}
}

static void row_free(OverOp *o, Row *r)
{
	o->bytes -= row_size(o, r->len);
	mem_free(r);
}

static void entry_key(const OverOp *o, const Part *p, const Row *r, StrBuf *out);

/* Remembers for the next checkpoint that the entry of row r of partition p (leaving it)
 * changed: a fresh row leaves the fresh list, a checkpointed one logs its key. */
static void row_untrack(OverOp *o, Part *p, Row *r)
{
	if (o->ck_on && r->fresh) {
		Fresh last = o->fresh[--o->nfresh];
		o->fresh[r->fresh - 1] = last;
		if (last.row)
			last.row->fresh = r->fresh;
	} else if (o->ck_on) {
		sb_reset(&o->key);
		entry_key(o, p, r, &o->key);
		bin_put_bytes(&o->gone, o->key.data, o->key.len);
	}
	r->fresh = 0;
}

/* Frees row r of partition p (already out of its rows). */
static void row_drop(OverOp *o, Part *p, Row *r)
{
	row_untrack(o, p, r);
	row_free(o, r);
}

/* Removes one row equal to o->row; a delete of a row never inserted is ignored. */
static void part_delete(OverOp *o, Part *p)
{
	size_t sz = row_size(o, o->row.len);
	if (sz > o->probe_cap) {
		o->probe = mem_realloc(o->probe, sz);
		o->probe_cap = sz;
	}
	row_fill(o, o->probe);
	Row **rows = part_rows(p);
	uint32_t at = lower_bound(o, p, o->probe, false);
	if (at >= p->n || row_cmp(o, rows[at], o->probe) != 0)
		return;
	/* Of equal copies, the last: the earlier ones keep their ranks. */
	while (at + 1 < p->n && row_cmp(o, rows[at + 1], o->probe) == 0)
		at++;
	Row *r = rows[at];
	memmove(rows + at, rows + at + 1, (size_t)(p->n - at - 1) * sizeof *rows);
	p->n--;
	if (!r->rank) {
		row_drop(o, p, r);
		return;
	}
	/* Its output row is deleted at the barrier. */
	row_untrack(o, p, r);
	if (o->nretired == o->capretired) {
		o->capretired = o->capretired ? 2 * o->capretired : 16;
		o->retired = mem_realloc(o->retired, (size_t)o->capretired * sizeof *o->retired);
	}
	o->retired[o->nretired++] = r;
}

static int over_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	OverOp *o = (OverOp *)op;
	const LogicalOp *lop = o->lop;
	uint64_t late = 0;
	for (int r = 0; r < c->nrows; r++) {
		Value wv = {.null = true};
		if (o->wm_col >= 0)
			vec_get_value(&c->cols[o->wm_col], r, &wv);
		if (o->has_wm && !wv.null && wv.u.i < o->wm) {
			/* Its partition is closed: the view keeps its final rows. */
			late++;
			continue;
		}
		sb_reset(&o->key);
		row_encode(c, lop->part_cols, lop->npart, r, ROWCODEC_NORMALIZE, &o->key);
		/* No PARTITION BY: one partition under the empty key. */
		const char *k = o->key.len ? o->key.data : "";
		bool found;
		Part *p = hmap_upsert(&o->parts, k, o->key.len, hash_bytes(k, o->key.len), &found);
		if (!found) {
			p->wm_null = wv.null;
			p->wm_val = wv.null ? 0 : wv.u.i;
		}
		sb_reset(&o->row);
		row_encode(c, NULL, o->nin, r, ROWCODEC_EXACT, &o->row);
		if (op_sign(c->ops[r]) > 0)
			part_insert(o, p);
		else
			part_delete(o, p);
		/* o->key may have been reused as scratch by part_delete: only p is used now. */
		if (!p->dirty) {
			p->dirty = 1;
			if (o->ndirty == o->capdirty) {
				o->capdirty = o->capdirty ? 2 * o->capdirty : 64;
				o->dirty = mem_realloc(o->dirty, o->capdirty * sizeof *o->dirty);
			}
			o->dirty[o->ndirty++] = p;
		}
	}
	if (late)
		df_count_late(op->df, late);
	return 0;
}

/* ---- computing a partition's output */

/* rank[i] of every row for a rank kind (1-based). */
static void compute_ranks(const OverOp *o, const Part *p, WinKind kind, int64_t *rank)
{
	Row **rows = part_rows(p);
	for (uint32_t i = 0; i < p->n; i++) {
		bool peer = i > 0 && key_cmp(o, rows[i - 1], rows[i]) == 0;
		if (kind == WIN_ROW_NUMBER)
			rank[i] = i + 1;
		else if (kind == WIN_RANK)
			rank[i] = peer ? rank[i - 1] : i + 1;
		else
			rank[i] = peer ? rank[i - 1] : (i ? rank[i - 1] + 1 : 1);
	}
}

/* The frame [*lo, *hi] of row i (empty when *lo > *hi). */
static void frame_of(const OverOp *o, const Part *p, const WinCall *w, int64_t i, int64_t *lo,
		     int64_t *hi)
{
	int64_t n = p->n, s = 0, t = n - 1;
	Row **rows = part_rows(p);
	switch (w->start) {
	case WB_PRECEDING:
		s = i - w->start_off;
		break;
	case WB_FOLLOWING:
		s = i + w->start_off;
		break;
	case WB_CURRENT_ROW:
		s = i;
		while (!w->rows && s > 0 && key_cmp(o, rows[s - 1], rows[i]) == 0)
			s--;
		break;
	default:
		s = 0;
	}
	switch (w->end) {
	case WB_PRECEDING:
		t = i - w->end_off;
		break;
	case WB_FOLLOWING:
		t = i + w->end_off;
		break;
	case WB_CURRENT_ROW:
		t = i;
		while (!w->rows && t + 1 < n && key_cmp(o, rows[t + 1], rows[i]) == 0)
			t++;
		break;
	default:
		t = n - 1;
	}
	*lo = s < 0 ? 0 : s;
	*hi = t >= n ? n - 1 : t;
}

/* Feeds rows [lo, hi] of the partition into one aggregate state. */
static int agg_feed(OverOp *o, const Part *p, const WinCall *w, void *state, int64_t lo,
		    int64_t hi, Vector *arg, Err *e)
{
	static const uint8_t ops[CHUNK_CAP]; /* OP_INSERT is 0 */
	void *states[CHUNK_CAP];
	while (lo <= hi) {
		int m = hi - lo + 1 > CHUNK_CAP ? CHUNK_CAP : (int)(hi - lo + 1);
		for (int k = 0; k < m; k++) {
			states[k] = state;
			if (arg) {
				Value v = row_val(o, part_rows(p)[lo + k], w->arg);
				vec_set_value(arg, k, &v, NULL);
			}
		}
		if (w->fn->update(w->fn, states, arg, ops, NULL, m, e) < 0)
			return -1;
		lo += m;
	}
	return 0;
}

/* vals[i] = the aggregate over row i's frame. Frames starting at the partition's first row
 * grow with i and share one running state; others are computed from scratch per row. */
static int compute_agg(OverOp *o, const Part *p, const WinCall *w, Value *vals, Err *e)
{
	const AggFunc *fn = w->fn;
	void *state = arena_calloc(&o->scratch, fn->state_size + 16);
	Vector *arg = w->arg >= 0 ? vec_new_in(&o->scratch, fn->arg_type) : NULL;
	bool running = w->start == WB_UNBOUNDED_PRECEDING;
	int64_t fed = -1;
	fn->init(fn, state);
	for (int64_t i = 0; i < p->n; i++) {
		int64_t lo, hi;
		frame_of(o, p, w, i, &lo, &hi);
		if (!running) {
			if (fn->destroy)
				fn->destroy(fn, state);
			memset(state, 0, fn->state_size);
			fn->init(fn, state);
			fed = lo - 1;
		}
		if (hi > fed && agg_feed(o, p, w, state, fed + 1, hi, arg, e) < 0) {
			if (fn->destroy)
				fn->destroy(fn, state);
			return -1;
		}
		if (hi > fed)
			fed = hi;
		fn->final(fn, state, &vals[i], &o->scratch);
	}
	if (fn->destroy)
		fn->destroy(fn, state);
	return 0;
}

static int compute_call(OverOp *o, const Part *p, const WinCall *w, TypeId type, Value *vals,
			Err *e)
{
	int64_t n = p->n;
	Row **rows = part_rows(p);
	if (w->kind == WIN_ROW_NUMBER || w->kind == WIN_RANK || w->kind == WIN_DENSE_RANK) {
		int64_t *rank = arena_alloc(&o->scratch, (size_t)(n + 1) * sizeof *rank);
		compute_ranks(o, p, w->kind, rank);
		for (int64_t i = 0; i < n; i++)
			vals[i] = value_int(T_INT8, rank[i]);
		return 0;
	}
	if (w->kind == WIN_AGG)
		return compute_agg(o, p, w, vals, e);
	for (int64_t i = 0; i < n; i++) {
		int64_t lo, hi, at;
		frame_of(o, p, w, i, &lo, &hi);
		if (w->kind == WIN_FIRST_VALUE)
			at = lo <= hi ? lo : -1;
		else if (w->kind == WIN_LAST_VALUE)
			at = lo <= hi ? hi : -1;
		else
			at = w->kind == WIN_LAG ? i - w->offset : i + w->offset;
		vals[i] = at >= 0 && at < n ? row_val(o, rows[at], w->arg) : value_null(type);
	}
	return 0;
}

/* Appends output row i (the row's encoding and extra values) to o->cur[k]. */
static void put_cur(OverOp *o, size_t k, const Row *r, const Value *extra)
{
	sb_reset(&o->key);
	sb_append(&o->key, row_bytes(o, r), r->len);
	for (int x = 0; x < o->nextra; x++)
		row_encode_value(&extra[x], ROWCODEC_EXACT, &o->key);
	char *p = arena_alloc(&o->scratch, o->key.len + 1);
	memcpy(p, o->key.data, o->key.len);
	o->cur[k] = (Out){p, (uint32_t)o->key.len, r->len};
}

/* Fills o->cur with an OVER partition's output rows; returns how many. */
static int64_t compute_part(OverOp *o, Part *p, Err *e)
{
	const LogicalOp *lop = o->lop;
	if (o->capcur < (size_t)p->n + 1) {
		o->capcur = (size_t)p->n + 1;
		o->cur = mem_realloc(o->cur, o->capcur * sizeof *o->cur);
	}
	Value **vals = arena_alloc(&o->scratch, (size_t)lop->nwins * sizeof *vals);
	for (int w = 0; w < lop->nwins; w++) {
		vals[w] = arena_alloc(&o->scratch, ((size_t)p->n + 1) * sizeof **vals);
		if (compute_call(o, p, &lop->wins[w], lop->cols[o->nin + w].type, vals[w], e) < 0)
			return -1;
	}
	Value *extra = arena_alloc(&o->scratch, (size_t)lop->nwins * sizeof *extra);
	for (uint32_t i = 0; i < p->n; i++) {
		for (int w = 0; w < lop->nwins; w++)
			extra[w] = vals[w][i];
		put_cur(o, i, part_rows(p)[i], extra);
	}
	return p->n;
}

/* ---- emitting the difference */

static int out_cmp(const void *pa, const void *pb)
{
	const Out *a = pa, *b = pb;
	int c = bytes_cmp(a->p, a->rowlen, b->p, b->rowlen);
	return c ? c : bytes_cmp(a->p + a->rowlen, a->len - a->rowlen, b->p + b->rowlen,
				 b->len - b->rowlen);
}

static int flush(OverOp *o, Err *e)
{
	int rc = op_emit(&o->op, o->out, e);
	chunk_reset(o->out);
	return rc;
}

static int put_out(OverOp *o, const Out *x, Op op, Err *e)
{
	if (chunk_full(o->out) && flush(o, e) < 0)
		return -1;
	int r = o->out->nrows++;
	row_decode(x->p, x->rowlen, o->out, NULL, o->nin, r);
	if (o->nextra)
		row_decode(x->p + x->rowlen, x->len - x->rowlen, o->out, o->extra_cols, o->nextra,
			   r);
	o->out->ops[r] = (uint8_t)op;
	return 0;
}

/* Emits the multiset difference prev -> cur (both sorted): equal entries cancel, a removed and
 * an added entry of the same input row are an update. */
static int emit_diff(OverOp *o, const Out *prev, size_t np, const Out *cur, size_t nc, Err *e)
{
	size_t i = 0, j = 0;
	/* The chunk's strings are copied at decode; keep a pair in one chunk. */
	while (i < np || j < nc) {
		if (o->out->nrows + 2 > CHUNK_CAP && flush(o, e) < 0)
			return -1;
		int c = i == np ? 1 : j == nc ? -1 : out_cmp(&prev[i], &cur[j]);
		if (c == 0) {
			i++, j++;
			continue;
		}
		bool same_row = i < np && j < nc &&
				bytes_cmp(prev[i].p, prev[i].rowlen, cur[j].p, cur[j].rowlen) == 0;
		if (same_row) {
			if (put_out(o, &prev[i++], OP_UPDATE_DELETE, e) < 0 ||
			    put_out(o, &cur[j++], OP_UPDATE_INSERT, e) < 0)
				return -1;
		} else if (c < 0) {
			if (put_out(o, &prev[i++], OP_DELETE, e) < 0)
				return -1;
		} else if (put_out(o, &cur[j++], OP_INSERT, e) < 0) {
			return -1;
		}
	}
	return 0;
}

static void prev_clear(OverOp *o, Part *p)
{
	for (uint32_t i = 0; i < p->nprev; i++) {
		o->bytes -= p->prev[i].len;
		mem_free(p->prev[i].p);
	}
	p->nprev = 0;
}

static void part_free(OverOp *o, Part *p)
{
	prev_clear(o, p);
	for (uint32_t i = 0; i < p->n; i++)
		row_free(o, part_rows(p)[i]);
	if (p->cap > 1) {
		o->bytes -= (size_t)p->cap * sizeof *p->rows;
		mem_free(p->rows);
	}
	o->bytes -= (size_t)p->capprev * sizeof *p->prev;
	mem_free(p->prev);
}

/* Appends row r with rank `rank` (when the rank is output) to the output with op. */
static int put_row(OverOp *o, const Row *r, uint32_t rank, Op op, Err *e)
{
	if (chunk_full(o->out) && flush(o, e) < 0)
		return -1;
	int at = o->out->nrows++;
	row_decode(row_bytes(o, r), r->len, o->out, NULL, o->nin, at);
	if (o->nextra) {
		Value v = value_int(T_INT8, rank);
		vec_set_value(&o->out->cols[o->extra_cols[0]], at, &v, &o->out->arena);
	}
	o->out->ops[at] = (uint8_t)op;
	return 0;
}

/* A top-N partition: each row's new rank against the one it was emitted with (a row that
 * enters or leaves the top N is an insert or a delete, one whose output rank moves is one
 * U- / U+ pair); with `emit` false (restore) the ranks are only set. Append-only: the rows
 * after the top N can never rise again and are dropped. */
static int emit_topn(OverOp *o, Part *p, bool emit, Err *e)
{
	int64_t *rank = arena_alloc(&o->scratch, ((size_t)p->n + 1) * sizeof *rank);
	compute_ranks(o, p, o->lop->rank_kind, rank);
	Row **rows = part_rows(p);
	uint32_t keep = 0;
	for (uint32_t i = 0; i < p->n; i++) {
		Row *r = rows[i];
		uint32_t now = rank[i] <= o->lop->limit ? (uint32_t)rank[i] : 0, was = r->rank;
		r->rank = now;
		if (now)
			keep = i + 1;
		if (!emit || now == was || (now && was && !o->nextra))
			continue;
		/* The chunk's strings are copied at decode; keep a pair in one chunk. */
		if (o->out->nrows + 2 > CHUNK_CAP && flush(o, e) < 0)
			return -1;
		int rc;
		if (!now)
			rc = put_row(o, r, was, OP_DELETE, e);
		else if (!was)
			rc = put_row(o, r, now, OP_INSERT, e);
		else
			rc = put_row(o, r, was, OP_UPDATE_DELETE, e) < 0
				     ? -1
				     : put_row(o, r, now, OP_UPDATE_INSERT, e);
		if (rc < 0)
			return -1;
	}
	if (o->trim) {
		uint32_t n = p->n;
		p->n = keep;
		for (uint32_t i = keep; i < n; i++)
			row_drop(o, p, rows[i]);
	}
	return 0;
}

/* Recomputes partition p's output and keeps it as p->prev; with `emit`, sends the difference
 * from the previous one (without, at restore, p->prev is only rebuilt). */
static int emit_part(OverOp *o, Part *p, bool emit, Err *e)
{
	p->dirty = 0;
	if (o->topn) {
		int rc = emit_topn(o, p, emit, e);
		arena_reset(&o->scratch);
		if (rc == 0 && p->n == 0) {
			part_free(o, p);
			hmap_remove_value(&o->parts, p);
		}
		return rc;
	}
	int64_t nc = compute_part(o, p, e);
	if (nc < 0)
		return -1;
	qsort(o->cur, (size_t)nc, sizeof *o->cur, out_cmp);
	if (emit && emit_diff(o, p->prev, p->nprev, o->cur, (size_t)nc, e) < 0)
		return -1;
	prev_clear(o, p);
	if ((uint32_t)nc > p->capprev) {
		o->bytes += ((size_t)nc - p->capprev) * sizeof *p->prev;
		p->prev = mem_realloc(p->prev, (size_t)nc * sizeof *p->prev);
		p->capprev = (uint32_t)nc;
	}
	for (int64_t i = 0; i < nc; i++) {
		Out x = o->cur[i];
		char *q = mem_alloc(x.len + 1);
		memcpy(q, x.p, x.len);
		p->prev[i] = (Out){q, x.len, x.rowlen};
		o->bytes += x.len;
	}
	p->nprev = (uint32_t)nc;
	arena_reset(&o->scratch);
	if (p->n == 0 && p->nprev == 0) {
		part_free(o, p);
		hmap_remove_value(&o->parts, p);
	}
	return 0;
}

/* Frees every partition whose window is below the watermark, after its final emission: no
 * row can reach it any more (they are late), and the view keeps what it emitted. Its rows'
 * checkpoint entries are deleted at the next checkpoint. Scans the partitions, like
 * hash_agg.c's close_windows, only when the watermark advanced. */
static void close_parts(OverOp *o)
{
	size_t n = 0;
	Part *p;
	for (size_t it = 0; (p = hmap_next(&o->parts, &it));) {
		if (p->wm_null || p->wm_val >= o->wm)
			continue;
		if (n == o->capclosing) {
			o->capclosing = o->capclosing ? o->capclosing * 2 : 64;
			o->closing = mem_realloc(o->closing, o->capclosing * sizeof *o->closing);
		}
		o->closing[n++] = p;
	}
	for (size_t i = 0; i < n; i++) {
		p = o->closing[i];
		/* row_drop names the entries by the partition's key: drop them while it exists. */
		for (uint32_t r = 0; r < p->n; r++)
			row_drop(o, p, part_rows(p)[r]);
		p->n = 0;
		part_free(o, p);
		hmap_remove_value(&o->parts, p);
	}
}

static int over_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	OverOp *o = (OverOp *)op;
	chunk_reset(o->out);
	/* Top-N rows deleted since the last barrier: their output rows go. */
	for (uint32_t i = 0; i < o->nretired; i++) {
		Row *r = o->retired[i];
		int rc = put_row(o, r, r->rank, OP_DELETE, e);
		row_free(o, r);
		if (rc < 0) {
			while (++i < o->nretired)
				row_free(o, o->retired[i]);
			o->nretired = 0;
			return -1;
		}
	}
	o->nretired = 0;
	for (uint32_t i = 0; i < o->ndirty; i++) {
		if (emit_part(o, o->dirty[i], true, e) < 0) {
			o->ndirty = 0;
			return -1;
		}
	}
	o->ndirty = 0;
	if (flush(o, e) < 0)
		return -1;
	if (o->wm_pending) {
		close_parts(o);
		o->wm_pending = false;
		/* The output's column wm_col is the input's: its closed values never change. */
		if (op_emit_watermark(op, o->wm_col, o->wm, e) < 0)
			return -1;
	}
	return op_emit_barrier(op, epoch, e);
}

/* Only the watermark of the windowed partition column survives: other columns' output rows
 * are retracted at any time. It takes effect for rows now and for closing at the next
 * barrier, after the changes pending in this epoch (the final ones of the windows it closes). */
static int over_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	OverOp *o = (OverOp *)op;
	if (o->wm_col < 0 || col != o->wm_col || (o->has_wm && ts <= o->wm))
		return 0;
	o->has_wm = true;
	o->wm = ts;
	o->wm_pending = true;
	return 0;
}

/* ---- checkpoints
 *
 * The state is the multiset of rows of every partition; everything else (the sorted order,
 * the emitted outputs, byte counts) is derived from it, so restore rebuilds it. Checkpoints are
 * taken after a barrier, when every partition's emitted outputs are what its rows compute to
 * (trimmed rows of an append-only top-N were ranked below N, so they never change the output).
 * Entries (keys are the operator's own, see operator.h):
 *
 *   key                                           value
 *   0x00                                          header: u8 version (2), u8 plan kind, u8 trim,
 *                                                 i64 limit, u32 child columns, u32 outputs,
 *                                                 u32 wm_col + 1 (0: none); then the watermark:
 *                                                 u8 has_wm, i64 wm, u8 wm_pending
 *   0x01, u32 n + n bytes partition key (bin_put_bytes), row encoding (exact)
 *                                                 u32 copies of the row in the partition
 *
 * One entry per distinct row, so a checkpoint writes what changed even in one big partition:
 * rows inserted since the last checkpoint are on the `fresh` list (each knows its place in it,
 * so a row deleted again leaves it in O(1)); a checkpointed row that is freed logs its entry
 * key in `gone`. At the checkpoint each such entry is written once with its current count, or
 * deleted when no copy is left. A partition closed by the watermark frees its rows as a delete
 * does, so its entries are deleted; a restored partition takes its window value from a row. */
enum { OVER_CK_VERSION = 2, OVER_KEY_HEADER = 0, OVER_KEY_ROW = 1 };

static void entry_key(const OverOp *o, const Part *p, const Row *r, StrBuf *out)
{
	size_t pklen;
	const void *pk = hmap_key(&o->parts, p, &pklen);
	bin_put_u8(out, OVER_KEY_ROW);
	bin_put_bytes(out, pk, pklen);
	sb_append(out, row_bytes(o, r), r->len);
}

/* Writes the entry of the row group (equal rows) starting at part_rows(p)[at]; its fresh rows are
 * now checkpointed (their slots in `fresh` become NULL). */
static int put_group(OverOp *o, StateWriter *w, Part *p, uint32_t at, StrBuf *kb, Err *e)
{
	uint32_t n = 0;
	Row **rows = part_rows(p);
	for (; at + n < p->n && (n == 0 || row_cmp(o, rows[at], rows[at + n]) == 0); n++) {
		Row *r = rows[at + n];
		if (r->fresh)
			o->fresh[r->fresh - 1].row = NULL;
		r->fresh = 0;
	}
	sb_reset(kb);
	entry_key(o, p, part_rows(p)[at], kb);
	return w->put(w, kb->data, kb->len, &n, sizeof n, e);
}

static int bytes_ptr_cmp(const void *a, const void *b)
{
	const uint8_t *x = *(const uint8_t *const *)a, *y = *(const uint8_t *const *)b;
	uint32_t nx, ny;
	memcpy(&nx, x, 4);
	memcpy(&ny, y, 4);
	return bytes_cmp((const char *)x + 4, nx, (const char *)y + 4, ny);
}

/* The entries of rows freed since the last checkpoint: deleted unless a copy is left (each
 * distinct key once: several copies of a row may have gone). */
static int write_gone(OverOp *o, StateWriter *w, StrBuf *kb, Err *e)
{
	size_t n = 0, cap = 16;
	const uint8_t **recs = mem_alloc(cap * sizeof *recs);
	BinReader g;
	bin_reader(&g, o->gone.data, o->gone.len);
	while (g.p < g.end) {
		if (n == cap)
			recs = mem_realloc(recs, (cap *= 2) * sizeof *recs);
		recs[n++] = g.p;
		size_t len;
		bin_get_bytes(&g, &len);
	}
	qsort(recs, n, sizeof *recs, bytes_ptr_cmp);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i > 0 && bytes_ptr_cmp(&recs[i - 1], &recs[i]) == 0)
			continue;
		BinReader r;
		uint32_t klen;
		memcpy(&klen, recs[i], 4);
		bin_reader(&r, recs[i] + 5, klen - 1);
		size_t pklen;
		const void *pk = bin_get_bytes(&r, &pklen);
		Part *p = hmap_find(&o->parts, pk, pklen, hash_bytes(pk, pklen));
		uint32_t at = 0;
		if (p) {
			sb_reset(&o->row);
			sb_append(&o->row, r.p, (size_t)(r.end - r.p));
			size_t sz = row_size(o, o->row.len);
			if (sz > o->probe_cap) {
				o->probe = mem_realloc(o->probe, sz);
				o->probe_cap = sz;
			}
			row_fill(o, o->probe);
			at = lower_bound(o, p, o->probe, false);
		}
		if (p && at < p->n && row_cmp(o, part_rows(p)[at], o->probe) == 0)
			rc = put_group(o, w, p, at, kb, e);
		else
			rc = w->del(w, recs[i] + 4, klen, e);
	}
	mem_free(recs);
	return rc;
}

static int write_fresh(OverOp *o, StateWriter *w, StrBuf *kb, Err *e)
{
	for (uint32_t i = 0; i < o->nfresh; i++) {
		Fresh f = o->fresh[i];
		if (f.row &&
		    put_group(o, w, f.part, lower_bound(o, f.part, f.row, false), kb, e) < 0)
			return -1;
	}
	return 0;
}

static int write_all(OverOp *o, StateWriter *w, StrBuf *kb, Err *e)
{
	Part *p;
	for (size_t it = 0; (p = hmap_next(&o->parts, &it));) {
		for (uint32_t at = 0; at < p->n;) {
			if (put_group(o, w, p, at, kb, e) < 0)
				return -1;
			at++;
			while (at < p->n && row_cmp(o, part_rows(p)[at - 1], part_rows(p)[at]) == 0)
				at++;
		}
	}
	return 0;
}

/* The header's fixed part: what the plan says (restore checks it is the same plan). */
static void header_plan(const OverOp *o, StrBuf *v)
{
	bin_put_u8(v, OVER_CK_VERSION);
	bin_put_u8(v, (uint8_t)o->lop->kind);
	bin_put_u8(v, o->trim);
	bin_put_i64(v, o->lop->limit);
	bin_put_u32(v, (uint32_t)o->nin);
	bin_put_u32(v, (uint32_t)o->nextra);
	bin_put_u32(v, (uint32_t)(o->wm_col + 1));
}

static void header(const OverOp *o, StrBuf *v)
{
	header_plan(o, v);
	bin_put_u8(v, o->has_wm);
	bin_put_i64(v, o->wm);
	bin_put_u8(v, o->wm_pending);
}

static int over_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	OverOp *o = (OverOp *)op;
	assert(o->ndirty == 0); /* between epochs: every output is up to date */
	full = full || !o->ck_on; /* nothing tracked yet: the store holds nothing of ours */
	StrBuf kb;
	sb_init(&kb);
	header(o, &kb);
	uint8_t hk = OVER_KEY_HEADER;
	int rc = w->put(w, &hk, 1, kb.data, kb.len, e);
	if (rc == 0 && full)
		rc = write_all(o, w, &kb, e);
	else if (rc == 0)
		rc = write_gone(o, w, &kb, e) < 0 ? -1 : write_fresh(o, w, &kb, e);
	sb_deinit(&kb);
	if (rc < 0)
		return -1;
	for (uint32_t i = 0; i < o->nfresh; i++)
		if (o->fresh[i].row)
			o->fresh[i].row->fresh = 0;
	/* Both logs are empty until rows change again: give their memory back (a close of many
	 * partitions logs as many keys as it freed rows). */
	o->nfresh = o->capfresh = 0;
	mem_free(o->fresh);
	o->fresh = NULL;
	sb_deinit(&o->gone);
	sb_init(&o->gone);
	o->ck_on = true;
	return 0;
}

static int corrupt(const OverOp *o, const char *what, Err *e)
{
	return err_set(e, ERR_DATA_CORRUPTED, "checkpoint of %s: %s does not decode", o->op.kind,
		       what);
}

static int over_restore(Operator *op, const void *key, size_t klen, const void *val,
			size_t vlen, Err *e)
{
	OverOp *o = (OverOp *)op;
	if (klen == 1 && *(const uint8_t *)key == OVER_KEY_HEADER) {
		StrBuf want;
		sb_init(&want);
		header_plan(o, &want);
		size_t plen = want.len;
		bool same = plen <= vlen && memcmp(want.data, val, plen) == 0;
		sb_deinit(&want);
		if (!same)
			return corrupt(o, "the header (another plan?)", e);
		BinReader h;
		bin_reader(&h, (const char *)val + plen, vlen - plen);
		uint8_t has_wm = bin_get_u8(&h);
		int64_t wm = bin_get_i64(&h);
		uint8_t pending = bin_get_u8(&h);
		if (!bin_done(&h) || has_wm > 1 || pending > 1)
			return corrupt(o, "the header's watermark", e);
		o->has_wm = has_wm;
		o->wm = wm;
		o->wm_pending = pending;
		return 0;
	}
	BinReader r, v;
	bin_reader(&r, key, klen);
	bin_reader(&v, val, vlen);
	size_t pklen;
	uint8_t tag = bin_get_u8(&r);
	const void *pk = bin_get_bytes(&r, &pklen);
	uint32_t count = bin_get_u32(&v);
	const LogicalOp *lop = o->lop;
	if (tag != OVER_KEY_ROW || r.bad || !row_check(pk, pklen, o->types + o->nin, lop->npart) ||
	    !row_check(r.p, (size_t)(r.end - r.p), o->types, o->nin))
		return corrupt(o, "a row key", e);
	if (!bin_done(&v) || count == 0)
		return corrupt(o, "a row count", e);
	/* An empty partition key is stored as "" (see over_chunk). */
	const char *k = pklen ? pk : "";
	Part *p = hmap_upsert(&o->parts, k, pklen, hash_bytes(k, pklen), NULL);
	sb_reset(&o->row);
	sb_append(&o->row, r.p, (size_t)(r.end - r.p));
	for (uint32_t i = 0; i < count; i++) {
		Row *row = row_new(o, p);
		part_rows(p)[p->n++] = row;
	}
	if (o->wm_col >= 0) {
		/* The window column's value, from the row's encoding (checked above). */
		const uint8_t *b = r.p;
		size_t off = 0;
		for (int c = 0; c < o->wm_col; c++)
			off += row_value_size(b + off, (size_t)(r.end - r.p) - off, o->types[c]);
		Value wv;
		row_decode_value(b + off, o->types[o->wm_col], &wv);
		p->wm_null = wv.null;
		p->wm_val = wv.null ? 0 : wv.u.i;
	}
	return 0;
}

static int row_qcmp(const void *a, const void *b, void *arg)
{
	return row_cmp(arg, *(Row *const *)a, *(Row *const *)b);
}

/* Sorts each restored partition and recomputes what it emitted; change tracking starts. */
static int over_restore_done(Operator *op, Err *e)
{
	OverOp *o = (OverOp *)op;
	Part *p;
	for (size_t it = 0; (p = hmap_next(&o->parts, &it));) {
		qsort_r(part_rows(p), p->n, sizeof(Row *), row_qcmp, o);
		if (emit_part(o, p, false, e) < 0)
			return -1;
	}
	o->ck_on = true;
	return 0;
}

static size_t over_state_bytes(const Operator *op)
{
	const OverOp *o = (const OverOp *)op;
	return o->bytes + o->parts.bytes + o->parts.cap * (sizeof(void *) + 8) +
	       o->capdirty * sizeof *o->dirty + o->capretired * sizeof *o->retired +
	       o->capfresh * sizeof *o->fresh + o->gone.cap + o->capclosing * sizeof *o->closing;
}

static void over_explain(const Operator *op, StrBuf *out)
{
	const OverOp *o = (const OverOp *)op;
	const LogicalOp *lop = o->lop;
	if (lop->kind == LOP_TOPN)
		sb_printf(out, "TopN limit=%lld", (long long)lop->limit);
	else
		sb_printf(out, "OverWindow calls=%d", lop->nwins);
	sb_printf(out, " partition=%d keys=%d state=%s", lop->npart, lop->nkeys,
		  o->trim ? "top-n rows" : "all rows");
	if (o->wm_col >= 0)
		sb_printf(out, " closes=%s", lop->cols[o->wm_col].name);
}

static void over_free(Operator *op)
{
	OverOp *o = (OverOp *)op;
	Part *p;
	for (size_t it = 0; (p = hmap_next(&o->parts, &it));)
		part_free(o, p);
	hmap_deinit(&o->parts);
	sb_deinit(&o->key);
	sb_deinit(&o->row);
	for (uint32_t i = 0; i < o->nretired; i++)
		row_free(o, o->retired[i]);
	mem_free(o->retired);
	mem_free(o->dirty);
	mem_free(o->probe);
	mem_free(o->cur);
	mem_free(o->slot);
	mem_free(o->extra_cols);
	mem_free(o->fresh);
	mem_free(o->types);
	mem_free(o->closing);
	sb_deinit(&o->gone);
	chunk_free(o->out);
	arena_deinit(&o->scratch);
}

static Operator *over_new(Dataflow *df, const LogicalOp *lop, const char *kind)
{
	OverOp *o = mem_calloc(1, sizeof *o);
	o->lop = lop;
	o->nin = lop->children[0]->ncols;
	o->nextra = lop->ncols - o->nin;
	o->extra_cols = mem_calloc((size_t)o->nextra + 1, sizeof *o->extra_cols);
	for (int i = 0; i < o->nextra; i++)
		o->extra_cols[i] = o->nin + i;
	o->types = mem_calloc((size_t)(o->nin + lop->npart) + 1, sizeof *o->types);
	for (int i = 0; i < o->nin; i++)
		o->types[i] = lop->children[0]->cols[i].type;
	for (int i = 0; i < lop->npart; i++)
		o->types[o->nin + i] = lop->children[0]->cols[lop->part_cols[i]].type;
	/* Windowed when the plan declares the watermark on a partition column (bind_over.c). */
	o->wm_col = -1;
	for (int i = 0; i < lop->npart; i++)
		if (lop->wm_col >= 0 && lop->wm_col < o->nin && lop->part_cols[i] == lop->wm_col)
			o->wm_col = lop->wm_col;
	/* Columns read as values: the ORDER BY keys and the window functions' arguments. */
	o->topn = lop->kind == LOP_TOPN;
	o->slot = mem_alloc((size_t)(o->nin + 1) * sizeof *o->slot);
	for (int i = 0; i < o->nin; i++)
		o->slot[i] = -1;
	for (int k = 0; k < lop->nkeys; k++)
		if (o->slot[lop->keys[k].col] < 0)
			o->slot[lop->keys[k].col] = o->nslot++;
	for (int w = 0; !o->topn && w < lop->nwins; w++)
		if (lop->wins[w].arg >= 0 && o->slot[lop->wins[w].arg] < 0)
			o->slot[lop->wins[w].arg] = o->nslot++;
	for (int i = 0; i < o->nin; i++)
		if (o->slot[i] >= 0)
			o->nslot_end = i + 1;
	hmap_init(&o->parts, sizeof(Part));
	sb_init(&o->gone);
	sb_init(&o->key);
	sb_init(&o->row);
	arena_init(&o->scratch, 0);
	o->out = lop_chunk_new(lop);
	o->op.kind = kind;
	o->op.on_chunk = over_chunk;
	o->op.on_watermark = over_watermark;
	o->op.on_barrier = over_barrier;
	o->op.explain = over_explain;
	o->op.free = over_free;
	o->op.state_bytes = over_state_bytes;
	o->op.checkpoint = over_checkpoint;
	o->op.restore = over_restore;
	o->op.restore_done = over_restore_done;
	return &o->op;
}

Operator *topn_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	Operator *op = over_new(df, lop, "TopN");
	((OverOp *)op)->trim = lop->children[0]->append_only;
	return op;
}

Operator *over_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	return over_new(df, lop, "OverWindow");
}
