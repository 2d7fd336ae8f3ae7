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
 * and, for FILTER (WHERE ...), a skip mask. DISTINCT aggregates over the same argument column
 * (q16's count(DISTINCT bidder) under four FILTERs) share one state, a DistinctSet: a hash table
 * per group from value to one multiplicity per member (agg.h, agg_dset_*), updated once per row
 * with a bit mask of the members whose FILTER passes; it sits where the first member's state
 * would. Output happens at the barrier, for dirty groups only: a new group emits +row, a changed
 * one U- old / U+ new, a group whose count fell to 0 emits - old and is freed; an unchanged
 * result emits nothing. So an epoch's output is its net change. A global aggregate (no group
 * columns) always has exactly one row, emitted at the first barrier even without input
 * (SELECT count(*) FROM empty gives one row).
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
 *
 * Checkpoints (operator.h): besides the per-epoch dirty list, every group touched or emitted
 * since the last checkpoint is on a changed list (a flag and a doubly linked list, so a freed
 * group leaves it at once), and the keys of freed groups that the store holds (emptied groups,
 * closed windows) wait in a buffer to be deleted. A checkpoint writes those deletes, one put per
 * changed group and the header; a full one writes every group. Entries (keys after the
 * dataflow's operator prefix; values little-endian, base/bin.h):
 *
 *   key                       value
 *   0x00                      header: has_wm u8, wm i64, wm_pending u8, groups u64
 *   0x01 + group key (the     count i64, wm_val i64, flags u8 (1 wm_null, 2 emitted, 4 dirty:
 *   normalized row encoding;  pending output this epoch, 8 okey present), then prev (u32 length
 *   empty for the global      + bytes) when emitted, okey (u32 length + bytes) when present, and
 *   group)                    per aggregate its AggFunc.save bytes (u32 length + bytes); for a
 *                             DistinctSet its first member holds the set's bytes (agg.h,
 *                             agg_dset_save) and the other members hold none (length 0)
 *
 * Restore rebuilds each group (keys, prev and okey are checked to decode as rows of the
 * operator's columns, states through AggFunc.load) and the header; restore_done checks that
 * the number of groups matches the header's.
 */
#include "base/bin.h"
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
	uint8_t ck_changed;      /* on the changed-since-checkpoint list */
	uint8_t in_store;        /* the checkpoint store holds an entry of this group */
	struct Group *ck_next, *ck_prev;
} Group;

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

/* DISTINCT aggregates over one argument column that share one state (agg.h, agg_dset_*). */
typedef struct DistinctSet {
	int arg;                 /* the child column */
	TypeId type;
	int k;                   /* members */
	int first;               /* the first member aggregate: its state is the set's */
	int members[AGG_DSET_MAX];
} DistinctSet;

typedef struct AggOp {
	Operator op;
	int ngroup, naggs;
	const int *group_cols;
	const AggCall *aggs;
	size_t *state_off;       /* offset of each aggregate's state in a block (its set's for a
				  * member of a DistinctSet) */
	int *agg_set;            /* per aggregate: its DistinctSet, -1 for a state of its own */
	int *agg_member;         /* per aggregate in a set: its member index */
	DistinctSet *sets;
	int nsets;
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
	Group *changed;          /* groups changed since the last checkpoint (ck_next/ck_prev) */
	StrBuf gone;             /* keys (u32 length + bytes) of freed groups the store holds */
	StrBuf ck_key, ck_val;
	bool restored_header;    /* restore saw the header entry */
	uint64_t restored_groups, header_groups;
	Group *rowgroup[CHUNK_CAP];
	void *states[CHUNK_CAP];
	uint8_t skip[CHUNK_CAP];
	uint64_t mask[CHUNK_CAP];
} AggOp;

static void *state_of(const AggOp *a, Group *g, int i)
{
	return (char *)g + a->state_off[i];
}

/* The set aggregate i is the first member of, or NULL. */
static const DistinctSet *set_first(const AggOp *a, int i)
{
	return a->agg_set[i] >= 0 && a->sets[a->agg_set[i]].first == i ? &a->sets[a->agg_set[i]]
								     : NULL;
}

/* A set's state is zeroed memory when empty, as a new block is. */
static void group_init(AggOp *a, Group *g)
{
	for (int i = 0; i < a->naggs; i++)
		if (a->agg_set[i] < 0)
			a->aggs[i].fn->init(a->aggs[i].fn, state_of(a, g, i));
}

static void group_destroy(AggOp *a, Group *g)
{
	for (int i = 0; i < a->naggs; i++) {
		const DistinctSet *ds = set_first(a, i);
		if (ds)
			agg_dset_destroy(state_of(a, g, i), ds->type, ds->k);
		else if (a->agg_set[i] < 0 && a->aggs[i].fn->destroy)
			a->aggs[i].fn->destroy(a->aggs[i].fn, state_of(a, g, i));
	}
	a->heap_prev -= g->prev_cap + g->okey_len;
	mem_free(g->prev);
	mem_free(g->okey);
	g->prev = g->okey = NULL;
	g->prev_cap = g->prev_len = g->okey_len = 0;
	g->emitted = 0;
}

static void push_dirty(AggOp *a, Group *g)
{
	if (!g->dirty) {
		g->dirty = 1;
		g->next_dirty = a->dirty;
		a->dirty = g;
	}
}

/* Puts g on the changed-since-checkpoint list. */
static void mark_changed(AggOp *a, Group *g)
{
	if (g->ck_changed)
		return;
	g->ck_changed = 1;
	g->ck_prev = NULL;
	g->ck_next = a->changed;
	if (a->changed)
		a->changed->ck_prev = g;
	a->changed = g;
}

static void unlink_changed(AggOp *a, Group *g)
{
	if (!g->ck_changed)
		return;
	if (g->ck_prev)
		g->ck_prev->ck_next = g->ck_next;
	else
		a->changed = g->ck_next;
	if (g->ck_next)
		g->ck_next->ck_prev = g->ck_prev;
	g->ck_changed = 0;
}

static void mark_dirty(AggOp *a, Group *g)
{
	push_dirty(a, g);
	mark_changed(a, g);
}

/* Frees a group (not the global one); the next checkpoint deletes its entry. */
static void group_remove(AggOp *a, Group *g)
{
	unlink_changed(a, g);
	if (g->in_store) {
		size_t klen;
		const void *key = hmap_key(&a->groups, g, &klen);
		bin_put_bytes(&a->gone, key, klen);
	}
	group_destroy(a, g);
	hmap_remove_value(&a->groups, g);
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
		if (a->agg_set[i] >= 0)
			continue;
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
	for (int d = 0; d < a->nsets; d++) {
		/* One lookup per row for all members: bit j says whether member j counts it. */
		const DistinctSet *ds = &a->sets[d];
		for (int r = 0; r < n; r++) {
			a->mask[r] = a->rowgroup[r] ? (~(uint64_t)0 >> (64 - ds->k)) : 0;
			a->states[r] = a->rowgroup[r] ? state_of(a, a->rowgroup[r], ds->first) : NULL;
		}
		for (int j = 0; j < ds->k; j++) {
			int f = a->aggs[ds->members[j]].filter;
			if (f < 0)
				continue;
			const Vector *fv = &c->cols[f];
			const uint8_t *fd = VEC_DATA(fv, uint8_t);
			for (int r = 0; r < n; r++)
				if (fv->nulls[r] || !fd[r])
					a->mask[r] &= ~((uint64_t)1 << j);
		}
		if (agg_dset_update(a->states, ds->type, ds->k, &c->cols[ds->arg], c->ops, a->mask,
				    n) < 0)
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
	mark_changed(a, g); /* its prev and emitted may change, or it goes */
	if (g->count > 0 || g == a->global) {
		sb_reset(&a->row);
		for (int i = 0; i < a->naggs; i++) {
			Value v;
			if (a->agg_set[i] >= 0)
				agg_dset_final(a->aggs[i].fn, state_of(a, g, i),
					       a->sets[a->agg_set[i]].k, a->agg_member[i], &v);
			else
				a->aggs[i].fn->final(a->aggs[i].fn, state_of(a, g, i), &v,
						     &a->scratch);
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
	group_remove(a, g);
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
	for (size_t i = 0; i < a->nclosing; i++)
		group_remove(a, a->closing[i]);
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
	bool heap = a->nsets > 0;
	for (int i = 0; i < a->naggs; i++)
		heap |= a->agg_set[i] < 0 && a->aggs[i].fn->heap_bytes != NULL;
	if (!heap)
		return n;
	Group *g;
	for (size_t it = 0; (g = hmap_next(&a->groups, &it));) {
		for (int i = 0; i < a->naggs; i++) {
			const DistinctSet *ds = set_first(a, i);
			if (ds)
				n += agg_dset_heap_bytes(state_of(a, g, i), ds->type, ds->k);
			else if (a->agg_set[i] < 0 && a->aggs[i].fn->heap_bytes)
				n += a->aggs[i].fn->heap_bytes(a->aggs[i].fn,
							       state_of(a, g, i));
		}
	}
	return n;
}

/* ---- Checkpoints (the entries are drawn at the top of the file). */

enum { KEY_HEADER = 0x00, KEY_GROUP = 0x01 };
enum { GF_WM_NULL = 1, GF_EMITTED = 2, GF_DIRTY = 4, GF_OKEY = 8 };

static int put_group(AggOp *a, Group *g, StateWriter *w, Err *e)
{
	size_t klen;
	const void *key = hmap_key(&a->groups, g, &klen);
	sb_reset(&a->ck_key);
	bin_put_u8(&a->ck_key, KEY_GROUP);
	sb_append(&a->ck_key, key, klen);
	StrBuf *v = &a->ck_val;
	sb_reset(v);
	bin_put_i64(v, g->count);
	bin_put_i64(v, g->wm_val);
	bin_put_u8(v, (uint8_t)((g->wm_null ? GF_WM_NULL : 0) | (g->emitted ? GF_EMITTED : 0) |
				(g->dirty ? GF_DIRTY : 0) | (g->okey ? GF_OKEY : 0)));
	if (g->emitted)
		bin_put_bytes(v, g->prev, g->prev_len);
	if (g->okey)
		bin_put_bytes(v, g->okey, g->okey_len);
	for (int i = 0; i < a->naggs; i++) {
		/* A length, patched once the state is saved. */
		size_t at = v->len;
		bin_put_u32(v, 0);
		const DistinctSet *ds = set_first(a, i);
		if (ds)
			agg_dset_save(state_of(a, g, i), ds->type, ds->k, v);
		else if (a->agg_set[i] < 0)
			a->aggs[i].fn->save(a->aggs[i].fn, state_of(a, g, i), v);
		uint32_t n = (uint32_t)(v->len - at - 4);
		memcpy(v->data + at, &n, 4);
	}
	g->in_store = 1;
	return w->put(w, a->ck_key.data, a->ck_key.len, v->data, v->len, e);
}

static int agg_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	AggOp *a = (AggOp *)op;
	Group *g;
	if (full) {
		for (size_t it = 0; (g = hmap_next(&a->groups, &it));)
			if (put_group(a, g, w, e) < 0)
				return -1;
	} else {
		BinReader r;
		bin_reader(&r, a->gone.data, a->gone.len);
		while (r.p < r.end) {
			size_t klen;
			const void *key = bin_get_bytes(&r, &klen);
			sb_reset(&a->ck_key);
			bin_put_u8(&a->ck_key, KEY_GROUP);
			sb_append(&a->ck_key, key, klen);
			if (w->del(w, a->ck_key.data, a->ck_key.len, e) < 0)
				return -1;
		}
		for (g = a->changed; g; g = g->ck_next)
			if (put_group(a, g, w, e) < 0)
				return -1;
	}
	while (a->changed)
		unlink_changed(a, a->changed);
	sb_reset(&a->gone);
	sb_reset(&a->ck_val);
	bin_put_u8(&a->ck_val, a->has_wm);
	bin_put_i64(&a->ck_val, a->wm);
	bin_put_u8(&a->ck_val, a->wm_pending);
	bin_put_u64(&a->ck_val, hmap_count(&a->groups));
	uint8_t key = KEY_HEADER;
	return w->put(w, &key, 1, a->ck_val.data, a->ck_val.len, e);
}

/* Whether p[0..n) is exactly the row encoding (vec/rowcodec.h) of the operator's output
 * columns [from, from + ncols), so that row_decode may read it. */
static bool row_valid(const AggOp *a, int from, int ncols, const void *p, size_t n)
{
	BinReader r;
	bin_reader(&r, p, n);
	for (int i = from; i < from + ncols && !r.bad; i++) {
		TypeId t = a->op.lop->cols[i].type;
		uint8_t tag = bin_get_u8(&r);
		if (tag > 1)
			return false;
		if (tag == 0)
			continue;
		if (type_is_varlen(t)) {
			size_t len;
			bin_get_bytes(&r, &len);
		} else if (t == T_NUMERIC) {
			/* The unscaled value (16 bytes), then the scale. */
			bin_get(&r, 16);
			uint32_t scale = bin_get_u32(&r);
			if (scale > NUMERIC_MAX_SCALE)
				return false;
		} else {
			bin_get(&r, type_size(t));
		}
	}
	return bin_done(&r);
}

static int corrupted(Err *e, const char *what)
{
	return err_set(e, ERR_DATA_CORRUPTED, "checkpoint of HashAgg: %s does not decode", what);
}

static int restore_header(AggOp *a, const void *val, size_t vlen, Err *e)
{
	BinReader r;
	bin_reader(&r, val, vlen);
	uint8_t has_wm = bin_get_u8(&r);
	int64_t wm = bin_get_i64(&r);
	uint8_t pending = bin_get_u8(&r);
	uint64_t ngroups = bin_get_u64(&r);
	if (!bin_done(&r) || has_wm > 1 || pending > 1 || a->restored_header ||
	    a->restored_groups)
		return corrupted(e, "the header");
	a->has_wm = has_wm;
	a->wm = wm;
	a->wm_pending = pending;
	a->header_groups = ngroups;
	a->restored_header = true;
	/* A global group starts out dirty (its first row is due at the first barrier); its
	 * entry says whether it still is. */
	if (a->global) {
		a->global->dirty = 0;
		a->dirty = NULL;
		unlink_changed(a, a->global);
	}
	return 0;
}

static int restore_group(AggOp *a, const uint8_t *key, size_t klen, const void *val,
			 size_t vlen, Err *e)
{
	if (!a->restored_header || (a->ngroup == 0 ? klen != 0 : !row_valid(a, 0, a->ngroup, key,
									   klen)))
		return corrupted(e, "a group key");
	BinReader r;
	bin_reader(&r, val, vlen);
	int64_t count = bin_get_i64(&r), wm_val = bin_get_i64(&r);
	uint8_t flags = bin_get_u8(&r);
	size_t prev_len = 0, okey_len = 0;
	const void *prev = flags & GF_EMITTED ? bin_get_bytes(&r, &prev_len) : NULL;
	const void *okey = flags & GF_OKEY ? bin_get_bytes(&r, &okey_len) : NULL;
	if (r.bad || flags > 15 || (okey && (!a->exact_keys || !row_valid(a, 0, a->ngroup, okey,
									   okey_len))) ||
	    (prev && !row_valid(a, a->ngroup, a->naggs, prev, prev_len)))
		return corrupted(e, "a group");
	Group *g = a->global;
	if (!g) {
		bool found;
		g = hmap_upsert(&a->groups, key, klen, hash_bytes(key, klen), &found);
		if (found)
			return corrupted(e, "a duplicate group");
		group_init(a, g);
	} else if (a->restored_groups) {
		return corrupted(e, "a duplicate group");
	}
	a->restored_groups++;
	g->count = count;
	g->wm_val = wm_val;
	g->wm_null = (flags & GF_WM_NULL) != 0;
	g->in_store = 1;
	if (prev) {
		sb_reset(&a->row);
		sb_append(&a->row, prev, prev_len);
		save_prev(a, g);
	}
	if (okey) {
		g->okey = mem_alloc(okey_len ? okey_len : 1);
		memcpy(g->okey, okey, okey_len);
		g->okey_len = (uint32_t)okey_len;
		a->heap_prev += okey_len;
	}
	if (flags & GF_DIRTY)
		push_dirty(a, g);
	for (int i = 0; i < a->naggs; i++) {
		size_t n;
		const void *p = bin_get_bytes(&r, &n);
		if (r.bad || (a->agg_set[i] >= 0 && !set_first(a, i) && n != 0))
			return corrupted(e, "a group");
		const DistinctSet *ds = set_first(a, i);
		if (ds) {
			if (agg_dset_load(state_of(a, g, i), ds->type, ds->k, p, n, e) < 0)
				return -1;
		} else if (a->agg_set[i] < 0 &&
			   a->aggs[i].fn->load(a->aggs[i].fn, state_of(a, g, i), p, n, e) < 0) {
			return -1;
		}
	}
	return bin_done(&r) ? 0 : corrupted(e, "a group");
}

static int agg_restore(Operator *op, const void *key, size_t klen, const void *val, size_t vlen,
		       Err *e)
{
	AggOp *a = (AggOp *)op;
	const uint8_t *k = key;
	if (klen == 1 && k[0] == KEY_HEADER)
		return restore_header(a, val, vlen, e);
	if (klen >= 1 && k[0] == KEY_GROUP)
		return restore_group(a, k + 1, klen - 1, val, vlen, e);
	return corrupted(e, "an entry key");
}

static int agg_restore_done(Operator *op, Err *e)
{
	AggOp *a = (AggOp *)op;
	if (a->restored_header && a->restored_groups != a->header_groups)
		return err_set(e, ERR_DATA_CORRUPTED,
			       "checkpoint of HashAgg: %llu groups restored, the header says %llu",
			       (unsigned long long)a->restored_groups,
			       (unsigned long long)a->header_groups);
	return 0;
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
	mem_free(a->agg_set);
	mem_free(a->agg_member);
	mem_free(a->sets);
	mem_free(a->agg_out_cols);
	mem_free(a->closing);
	sb_deinit(&a->gone);
	sb_deinit(&a->ck_key);
	sb_deinit(&a->ck_val);
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
	a->agg_set = mem_calloc((size_t)lop->naggs + 1, sizeof *a->agg_set);
	a->agg_member = mem_calloc((size_t)lop->naggs + 1, sizeof *a->agg_member);
	a->sets = mem_calloc((size_t)lop->naggs + 1, sizeof *a->sets);
	for (int i = 0; i < lop->naggs; i++) {
		const AggCall *call = &lop->aggs[i];
		a->agg_set[i] = -1;
		if (call->arg < 0 || !agg_dset_shareable(call->fn))
			continue;
		int d = 0;
		while (d < a->nsets && (a->sets[d].arg != call->arg ||
					a->sets[d].type != call->fn->arg_type ||
					a->sets[d].k == AGG_DSET_MAX))
			d++;
		if (d == a->nsets)
			a->sets[a->nsets++] = (DistinctSet){.arg = call->arg,
							    .type = call->fn->arg_type,
							    .first = i};
		a->agg_set[i] = d;
		a->agg_member[i] = a->sets[d].k;
		a->sets[d].members[a->sets[d].k++] = i;
	}
	/* States are 8-byte aligned, 16 when their size says they may hold a 16-byte type. */
	size_t off = ALIGN16(sizeof(Group));
	for (int i = 0; i < lop->naggs; i++) {
		a->agg_out_cols[i] = lop->ngroup + i;
		if (a->agg_set[i] >= 0 && !set_first(a, i))
			continue;
		size_t sz = a->agg_set[i] >= 0 ? agg_dset_size(a->sets[a->agg_set[i]].k)
					       : lop->aggs[i].fn->state_size;
		if (sz % 16 == 0)
			off = ALIGN16(off);
		a->state_off[i] = off;
		off += (sz + 7) & ~(size_t)7;
	}
	for (int i = 0; i < lop->naggs; i++)
		if (a->agg_set[i] >= 0)
			a->state_off[i] = a->state_off[a->sets[a->agg_set[i]].first];
	off = ALIGN16(off);
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
	a->op.checkpoint = agg_checkpoint;
	a->op.restore = agg_restore;
	a->op.restore_done = agg_restore_done;
	return &a->op;
}
