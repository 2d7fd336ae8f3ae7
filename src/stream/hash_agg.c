/* hash_agg.c: hash aggregation over a changelog, with retractions and windowed state.
 *
 * Layer: stream. Owns one state block per group in an HMap keyed by the group columns' row
 * encoding (ROWCODEC_NORMALIZE, so 1.0 and 1.00 are one group). A block is a Group header (row
 * count = inserts minus deletes, the value of the windowed group column, the dirty link, the
 * aggregate results last emitted, encoded) followed by each AggFunc's state. It knows nothing
 * of what the states mean: AggFunc callbacks do.
 *
 * Per chunk: one hash lookup per row gives the row's group block; then each AggFunc.update
 * runs once over the whole chunk with per-row state pointers (vectorized), its argument column
 * and, for FILTER (WHERE ...), a skip mask. Output happens at the barrier, for dirty groups
 * only: a new group emits +row, a changed one U- old / U+ new, a group whose count fell to 0
 * emits - old and is freed; an unchanged result emits nothing. So an epoch's output is its net
 * change. A global aggregate (no group columns) always has exactly one row, emitted at the
 * first barrier even without input (SELECT count(*) FROM empty gives one row).
 *
 * Windowed state: when the child's watermark column is a group column (window_start from
 * TUMBLE, or window_end when window_start is not grouped), the operator keeps the watermark. A row whose value in that column is below it is
 * late: dropped and counted. Groups below the watermark are closed: after their final
 * emission at a barrier their state is freed (the view keeps their rows), and the watermark
 * is forwarded on the output column. Closing scans the groups when the watermark advanced;
 * an index by window would make it proportional to the closed groups (later).
 *
 * Aggregates that cannot retract (append-only min/max) never receive deletes: building the
 * operator over an input that is not append-only fails with 0A000 in a view.
 */
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct Group {
	int64_t count;           /* rows in the group: inserts minus deletes */
	int64_t wm_val;          /* the windowed group column's value */
	struct Group *next_dirty;
	char *prev;              /* aggregate results last emitted (encoded, heap); NULL: none */
	uint32_t prev_len, prev_cap;
	char *okey;              /* exact encoding of the group columns as first seen, when it may
				  * differ from the normalized key (numeric 1.50 vs 1.5); else NULL */
	uint32_t okey_len;
	uint8_t dirty;
	uint8_t wm_null;
	uint8_t emitted;         /* a row of this group is in the output */
} Group;

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

typedef struct AggOp {
	Operator op;
	int ngroup, naggs;
	const int *group_cols;
	const AggCall *aggs;
	size_t *state_off;       /* offset of each aggregate's state in a block */
	int *agg_out_cols;       /* output column of each aggregate */
	size_t block_size;
	HMap groups;
	Group *dirty;            /* groups changed since the last barrier */
	Group *global;           /* the one group of an aggregate without group columns */
	void *dummy;             /* a block late rows point at (they are skipped) */
	int wm_group;            /* index into group_cols of the windowed column; -1 none */
	bool has_wm, wm_pending, closed;
	bool exact_keys;         /* groups keep their exact key for output (Group.okey) */
	int64_t wm;
	size_t heap_prev;        /* bytes of prev buffers */
	StrBuf key, row;
	Chunk *out;
	Arena scratch;
	Group **closing;
	size_t nclosing, capclosing;
	Group *rowgroup[CHUNK_CAP];
	void *states[CHUNK_CAP];
	uint8_t skip[CHUNK_CAP];
} AggOp;

static void *state_of(const AggOp *a, Group *g, int i)
{
	return (char *)g + a->state_off[i];
}

static void group_init(AggOp *a, Group *g)
{
	for (int i = 0; i < a->naggs; i++)
		a->aggs[i].fn->init(a->aggs[i].fn, state_of(a, g, i));
}

static void group_destroy(AggOp *a, Group *g)
{
	for (int i = 0; i < a->naggs; i++)
		if (a->aggs[i].fn->destroy)
			a->aggs[i].fn->destroy(a->aggs[i].fn, state_of(a, g, i));
	a->heap_prev -= g->prev_cap + g->okey_len;
	mem_free(g->prev);
	mem_free(g->okey);
	g->prev = g->okey = NULL;
	g->prev_cap = g->prev_len = g->okey_len = 0;
	g->emitted = 0;
}

static void mark_dirty(AggOp *a, Group *g)
{
	if (!g->dirty) {
		g->dirty = 1;
		g->next_dirty = a->dirty;
		a->dirty = g;
	}
}

static int64_t int64_at(const Vector *v, int r)
{
	if (v->type == T_DATE || v->type == T_INT4)
		return VEC_DATA(v, int32_t)[r];
	if (v->type == T_INT2)
		return VEC_DATA(v, int16_t)[r];
	return VEC_DATA(v, int64_t)[r];
}

static int agg_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	AggOp *a = (AggOp *)op;
	int n = c->nrows;
	const Vector *wmv = a->wm_group >= 0 ? &c->cols[a->group_cols[a->wm_group]] : NULL;
	uint64_t late = 0;
	for (int r = 0; r < n; r++) {
		if (wmv && a->has_wm && !wmv->nulls[r] && int64_at(wmv, r) < a->wm) {
			/* Its window is closed: it can no longer change the view. */
			a->rowgroup[r] = NULL;
			late++;
			continue;
		}
		Group *g = a->global;
		if (!g) {
			sb_reset(&a->key);
			row_encode(c, a->group_cols, a->ngroup, r, ROWCODEC_NORMALIZE, &a->key);
			uint64_t h = hash_bytes(a->key.data, a->key.len);
			bool found;
			g = hmap_upsert(&a->groups, a->key.data, a->key.len, h, &found);
			if (!found) {
				group_init(a, g);
				if (a->exact_keys) {
					sb_reset(&a->row);
					row_encode(c, a->group_cols, a->ngroup, r, ROWCODEC_EXACT,
						   &a->row);
					g->okey = mem_alloc(a->row.len);
					memcpy(g->okey, a->row.data, a->row.len);
					g->okey_len = (uint32_t)a->row.len;
					a->heap_prev += a->row.len;
				}
				if (wmv) {
					g->wm_null = wmv->nulls[r];
					g->wm_val = wmv->nulls[r] ? 0 : int64_at(wmv, r);
				}
			}
		}
		g->count += op_sign(c->ops[r]);
		mark_dirty(a, g);
		a->rowgroup[r] = g;
	}
	if (late)
		df_count_late(op->df, late);
	for (int i = 0; i < a->naggs; i++) {
		const AggCall *call = &a->aggs[i];
		if (!call->fn->retractable) {
			for (int r = 0; r < n; r++)
				if (a->rowgroup[r] && op_sign(c->ops[r]) < 0)
					return err_set(e, ERR_INTERNAL,
						       "aggregate %s received a retraction",
						       call->fn->name);
		}
		const uint8_t *skip = NULL;
		if (late || call->filter >= 0) {
			const Vector *fv = call->filter >= 0 ? &c->cols[call->filter] : NULL;
			for (int r = 0; r < n; r++)
				a->skip[r] = !a->rowgroup[r] ||
					     (fv && (fv->nulls[r] || !VEC_DATA(fv, uint8_t)[r]));
			skip = a->skip;
		}
		for (int r = 0; r < n; r++)
			a->states[r] = a->rowgroup[r] ? state_of(a, a->rowgroup[r], i)
						      : (char *)a->dummy + a->state_off[i];
		const Vector *arg = call->arg >= 0 ? &c->cols[call->arg] : NULL;
		if (call->fn->update(call->fn, a->states, arg, c->ops, skip, n, e) < 0)
			return -1;
	}
	return 0;
}

static int flush(AggOp *a, Err *e)
{
	int rc = op_emit(&a->op, a->out, e);
	chunk_reset(a->out);
	arena_reset(&a->scratch);
	return rc;
}

/* Appends the group's key and the encoded results (len bytes at p) as one output row. */
static void put_row(AggOp *a, Group *g, const char *p, size_t len, Op o)
{
	int r = a->out->nrows++;
	size_t klen;
	const void *key = hmap_key(&a->groups, g, &klen);
	if (g->okey) {
		key = g->okey;
		klen = g->okey_len;
	}
	if (a->ngroup)
		row_decode(key, klen, a->out, NULL, a->ngroup, r);
	row_decode(p, len, a->out, a->agg_out_cols, a->naggs, r);
	a->out->ops[r] = (uint8_t)o;
}

static void save_prev(AggOp *a, Group *g)
{
	if (g->prev_cap < a->row.len) {
		a->heap_prev += a->row.len - g->prev_cap;
		g->prev = mem_realloc(g->prev, a->row.len);
		g->prev_cap = (uint32_t)a->row.len;
	}
	if (a->row.len) /* a grouping with no aggregates has an empty row */
		memcpy(g->prev, a->row.data, a->row.len);
	g->prev_len = (uint32_t)a->row.len;
	g->emitted = 1;
}

/* Emits the change of one dirty group since the last barrier; frees it when it emptied. */
static int emit_group(AggOp *a, Group *g, Err *e)
{
	if (a->out->nrows + 2 > CHUNK_CAP && flush(a, e) < 0)
		return -1;
	g->dirty = 0;
	if (g->count > 0 || g == a->global) {
		sb_reset(&a->row);
		for (int i = 0; i < a->naggs; i++) {
			Value v;
			a->aggs[i].fn->final(a->aggs[i].fn, state_of(a, g, i), &v, &a->scratch);
			row_encode_value(&v, ROWCODEC_EXACT, &a->row);
		}
		if (!g->emitted) {
			put_row(a, g, a->row.data, a->row.len, OP_INSERT);
		} else if (g->prev_len != a->row.len ||
			   memcmp(g->prev, a->row.data, a->row.len) != 0) {
			put_row(a, g, g->prev, g->prev_len, OP_UPDATE_DELETE);
			put_row(a, g, a->row.data, a->row.len, OP_UPDATE_INSERT);
		} else {
			return 0;
		}
		save_prev(a, g);
		return 0;
	}
	if (g->emitted)
		put_row(a, g, g->prev, g->prev_len, OP_DELETE);
	/* The rows are copied out of the key already: the group can go. */
	group_destroy(a, g);
	hmap_remove_value(&a->groups, g);
	return 0;
}

/* Frees the state of every group whose window is below the watermark. */
static void close_windows(AggOp *a)
{
	a->nclosing = 0;
	Group *g;
	for (size_t it = 0; (g = hmap_next(&a->groups, &it));) {
		if (g->wm_null || g->wm_val >= a->wm)
			continue;
		if (a->nclosing == a->capclosing) {
			a->capclosing = a->capclosing ? a->capclosing * 2 : 64;
			a->closing = mem_realloc(a->closing, a->capclosing * sizeof *a->closing);
		}
		a->closing[a->nclosing++] = g;
	}
	for (size_t i = 0; i < a->nclosing; i++) {
		group_destroy(a, a->closing[i]);
		hmap_remove_value(&a->groups, a->closing[i]);
	}
}

static int agg_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	AggOp *a = (AggOp *)op;
	chunk_reset(a->out);
	arena_reset(&a->scratch);
	while (a->dirty) {
		Group *g = a->dirty;
		a->dirty = g->next_dirty;
		if (emit_group(a, g, e) < 0)
			return -1;
	}
	if (flush(a, e) < 0)
		return -1;
	if (a->wm_pending) {
		close_windows(a);
		a->wm_pending = false;
		if (op_emit_watermark(op, a->wm_group, a->wm, e) < 0)
			return -1;
	}
	return op_emit_barrier(op, epoch, e);
}

static int agg_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	AggOp *a = (AggOp *)op;
	/* Only the windowed group column's watermark survives the aggregation; it takes effect
	 * for rows now and for the output at the next barrier, after the pending changes. */
	if (a->wm_group < 0 || col != a->group_cols[a->wm_group])
		return 0;
	if (a->has_wm && ts <= a->wm)
		return 0;
	a->has_wm = true;
	a->wm = ts;
	a->wm_pending = true;
	return 0;
}

static size_t agg_state_bytes(const Operator *op)
{
	const AggOp *a = (const AggOp *)op;
	size_t n = a->groups.bytes + a->heap_prev + a->groups.cap * (sizeof(void *) + 8);
	bool heap = false;
	for (int i = 0; i < a->naggs; i++)
		heap |= a->aggs[i].fn->heap_bytes != NULL;
	if (!heap)
		return n;
	Group *g;
	for (size_t it = 0; (g = hmap_next(&a->groups, &it));)
		for (int i = 0; i < a->naggs; i++)
			if (a->aggs[i].fn->heap_bytes)
				n += a->aggs[i].fn->heap_bytes(a->aggs[i].fn,
							       state_of(a, g, i));
	return n;
}

static void agg_explain(const Operator *op, StrBuf *out)
{
	const AggOp *a = (const AggOp *)op;
	sb_puts(out, "HashAgg group=[");
	for (int i = 0; i < a->ngroup; i++) {
		if (i)
			sb_puts(out, ", ");
		sb_puts(out, op->lop->cols[i].name);
	}
	sb_puts(out, "] state=");
	sb_puts(out, a->wm_group >= 0 ? "windowed" : a->ngroup ? "keyed" : "global");
}

static void agg_free(Operator *op)
{
	AggOp *a = (AggOp *)op;
	Group *g;
	for (size_t it = 0; (g = hmap_next(&a->groups, &it));)
		group_destroy(a, g);
	hmap_deinit(&a->groups);
	if (a->dummy) {
		group_destroy(a, a->dummy);
		mem_free(a->dummy);
	}
	mem_free(a->state_off);
	mem_free(a->agg_out_cols);
	mem_free(a->closing);
	sb_deinit(&a->key);
	sb_deinit(&a->row);
	chunk_free(a->out);
	arena_deinit(&a->scratch);
}

Operator *hash_agg_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	const LogicalOp *child = lop->children[0];
	if (df_mode(df) == DF_STREAMING && !child->append_only) {
		for (int i = 0; i < lop->naggs; i++) {
			if (lop->aggs[i].fn->retractable)
				continue;
			err_set(e, ERR_FEATURE_NOT_SUPPORTED,
				"aggregate function %s cannot retract rows, but its input has "
				"updates or deletes",
				lop->aggs[i].fn->name);
			err_hint(e, "aggregate an append-only stream, or use an aggregate that "
				    "supports retraction");
			return NULL;
		}
	}
	AggOp *a = mem_calloc(1, sizeof *a);
	a->ngroup = lop->ngroup;
	a->naggs = lop->naggs;
	a->group_cols = lop->group_cols;
	a->aggs = lop->aggs;
	a->state_off = mem_calloc((size_t)lop->naggs + 1, sizeof *a->state_off);
	a->agg_out_cols = mem_calloc((size_t)lop->naggs + 1, sizeof *a->agg_out_cols);
	size_t off = ALIGN16(sizeof(Group));
	for (int i = 0; i < lop->naggs; i++) {
		a->state_off[i] = off;
		off += ALIGN16(lop->aggs[i].fn->state_size);
		a->agg_out_cols[i] = lop->ngroup + i;
	}
	a->block_size = off;
	hmap_init(&a->groups, a->block_size);
	/* Numbers that compare equal may print differently (1.5, 1.50; -0, 0): such groups keep
	 * the exact form of their first row to show. */
	for (int g = 0; g < lop->ngroup; g++) {
		TypeId t = child->cols[lop->group_cols[g]].type;
		if (t == T_NUMERIC || type_is_float(t))
			a->exact_keys = true;
	}
	a->wm_group = -1;
	for (int g = 0; g < lop->ngroup && child->wm_col >= 0; g++)
		if (lop->group_cols[g] == child->wm_col)
			a->wm_group = g;
	/* Grouped by TUMBLE's window_end but not window_start: window_end's watermark (the
	 * planner sets wm_end_col only beside a wm_col; plans built by hand leave it 0). */
	for (int g = 0; g < lop->ngroup && a->wm_group < 0 && child->wm_col >= 0 &&
			child->wm_end_col >= 0;
	     g++)
		if (lop->group_cols[g] == child->wm_end_col)
			a->wm_group = g;
	sb_init(&a->key);
	sb_init(&a->row);
	a->out = lop_chunk_new(lop);
	arena_init(&a->scratch, 0);
	a->dummy = mem_calloc(1, a->block_size);
	group_init(a, a->dummy);
	if (lop->ngroup == 0) {
		/* The one row of a global aggregate exists from the start. */
		a->global = hmap_upsert(&a->groups, "", 0, hash_bytes("", 0), NULL);
		group_init(a, a->global);
		mark_dirty(a, a->global);
	}
	a->op.kind = "HashAgg";
	a->op.on_chunk = agg_chunk;
	a->op.on_watermark = agg_watermark;
	a->op.on_barrier = agg_barrier;
	a->op.explain = agg_explain;
	a->op.free = agg_free;
	a->op.state_bytes = agg_state_bytes;
	return &a->op;
}
