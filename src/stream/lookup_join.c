/* lookup_join.c: lookup (processing-time temporal) joins, `s JOIN t FOR SYSTEM_TIME AS OF
 * PROCTIME() ON ...` (inner and left).
 *
 * Layer: stream. Owns the rows of the table side (input 1): an HMap from the join key's
 * ROWCODEC_NORMALIZE encoding to a Bucket, a growable buffer of entries (multiplicity, length,
 * the row's exact encoding padded to 8 bytes). The table's changelog arrives through the
 * dataflow like any scan's and only updates this state: it emits nothing, so a change of the
 * table never changes output already produced (DESIGN.md §2, lookup joins against tables).
 * Each row of the stream side (input 0) probes the state as it is when the row arrives: it is
 * output once per matching table row (with the residual, if any, true over the pair), or, in a
 * left join, once with NULLs when nothing matches. Stream rows are never kept, so the state is
 * the table's size whatever the stream's.
 *
 * The stream side must be append-only: a retraction would probe a table that may have changed
 * since the row was joined, and retract rows that were never output. Its watermarks pass
 * through (its columns come first in the output); the table's are dropped.
 *
 * Before the first barrier (a new view's backfill) the stream rows are held back and probe at
 * the barrier, so rows already in a stream when the view is created see the whole table as it
 * is then, whatever order the backfill feeds the inputs in. A batch query never reaches this
 * file: it runs the join as a plain hash join of the current contents (dataflow.c).
 */
#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "stream/operator.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct Entry {
	uint32_t len;   /* bytes of the row encoding that follows */
	int32_t count;  /* multiplicity */
} Entry;

typedef struct Bucket {
	uint8_t *buf;
	uint32_t len, cap;
} Bucket;

#define ENTRY_SIZE(len) (sizeof(Entry) + (((size_t)(len) + 7) & ~(size_t)7))

typedef struct LookupOp {
	Operator op;
	bool left;            /* a left join: unmatched stream rows are NULL-padded */
	int nl, nr;           /* columns of the stream and table sides */
	HMap map;             /* table key -> Bucket */
	size_t buf_bytes;     /* capacity of every bucket */
	int *lcols, *rcols;   /* output (and candidate) columns of each side's row */
	Chunk *out;
	Chunk *cand;          /* residual candidates: the stream row, then a table row */
	Arena scratch;        /* residual evaluation, reset per candidate chunk */
	Arena key_arena;      /* key vectors, reset per input chunk */
	StrBuf key, row;
	uint8_t keep[CHUNK_CAP];
	const Entry *cand_entry[CHUNK_CAP];
	Chunk **held;         /* stream chunks before the first barrier (copies) */
	int nheld, capheld;
	bool started;         /* the first barrier has passed */
	bool got[2];
} LookupOp;

static const uint8_t *entry_row(const Entry *en)
{
	return (const uint8_t *)(en + 1);
}

static int flush(LookupOp *j, Err *e)
{
	int rc = op_emit(&j->op, j->out, e);
	chunk_reset(j->out);
	return rc;
}

/* Appends stream row r of c joined with table row `tr` (NULL: NULLs), sign d. The stream row's
 * strings are referenced: the output is flushed before the input chunk goes away. */
static int emit(LookupOp *j, const Chunk *c, int r, const Entry *tr, int d, Err *e)
{
	if (chunk_full(j->out) && flush(j, e) < 0)
		return -1;
	int row = j->out->nrows++;
	for (int k = 0; k < j->nl; k++)
		vec_copy_value(&j->out->cols[j->lcols[k]], row, &c->cols[k], r, NULL);
	if (tr)
		row_decode(entry_row(tr), tr->len, j->out, j->rcols, j->nr, row);
	else
		for (int k = 0; k < j->nr; k++)
			j->out->cols[j->rcols[k]].nulls[row] = 1;
	j->out->ops[row] = (uint8_t)(d > 0 ? OP_INSERT : OP_DELETE);
	return 0;
}

/* ---- The table side's state. */

/* Adds d copies of the encoded row j->row under key j->key. */
static void state_update(LookupOp *j, int d)
{
	uint64_t h = hash_bytes(j->key.data, j->key.len);
	bool found;
	Bucket *bk = d > 0 ? hmap_upsert(&j->map, j->key.data, j->key.len, h, &found)
			   : hmap_find(&j->map, j->key.data, j->key.len, h);
	if (!bk)
		return;
	for (uint32_t off = 0; off < bk->len;) {
		Entry *en = (Entry *)(bk->buf + off);
		size_t sz = ENTRY_SIZE(en->len);
		if (en->len == j->row.len && memcmp(entry_row(en), j->row.data, j->row.len) == 0) {
			en->count += d;
			if (en->count <= 0) {
				memmove(bk->buf + off, bk->buf + off + sz, bk->len - off - sz);
				bk->len -= (uint32_t)sz;
			}
			if (bk->len == 0) {
				j->buf_bytes -= bk->cap;
				mem_free(bk->buf);
				hmap_remove_value(&j->map, bk);
			}
			return;
		}
		off += (uint32_t)sz;
	}
	if (d < 0)
		return;
	size_t sz = ENTRY_SIZE(j->row.len);
	if (bk->len + sz > bk->cap) {
		size_t cap = bk->cap ? bk->cap * 2 : 64;
		while (cap < bk->len + sz)
			cap *= 2;
		j->buf_bytes += cap - bk->cap;
		bk->buf = mem_realloc(bk->buf, cap);
		bk->cap = (uint32_t)cap;
	}
	Entry *en = (Entry *)(bk->buf + bk->len);
	en->len = (uint32_t)j->row.len;
	en->count = d;
	memcpy(en + 1, j->row.data, j->row.len);
	bk->len += (uint32_t)sz;
}

/* Evaluates side `s`'s key expressions over c into a chunk of key columns (j->key_arena). */
static int eval_keys(LookupOp *j, int s, const Chunk *c, Chunk *kc, Err *e)
{
	const LogicalOp *lop = j->op.lop;
	Expr **keys = s == 0 ? lop->lkeys : lop->rkeys;
	int nk = lop->njkeys;
	arena_reset(&j->key_arena);
	ExprCtx cx;
	df_expr_ctx(j->op.df, &cx, &j->key_arena, e);
	Vector *kv = arena_alloc(&j->key_arena, (size_t)(nk + 1) * sizeof *kv);
	for (int k = 0; k < nk; k++) {
		Vector *v = vec_new_in(&j->key_arena, keys[k]->type);
		if (expr_eval(keys[k], c, v, &cx) < 0)
			return -1;
		kv[k] = *v;
	}
	df_count_row_errors(j->op.df, cx.row_errors);
	*kc = (Chunk){.ncols = nk, .nrows = c->nrows, .cols = kv};
	return 0;
}

/* Whether row r of the key chunk has a NULL (NULL = x is never true: it matches nothing). */
static bool key_null(const Chunk *kc, int r)
{
	for (int k = 0; k < kc->ncols; k++)
		if (kc->cols[k].nulls[r])
			return true;
	return false;
}

static int table_chunk(LookupOp *j, const Chunk *c, Err *e)
{
	Chunk kc;
	if (eval_keys(j, 1, c, &kc, e) < 0)
		return -1;
	for (int r = 0; r < c->nrows; r++) {
		if (key_null(&kc, r))
			continue; /* never probed, never output: nothing to keep */
		sb_reset(&j->key);
		sb_reset(&j->row);
		row_encode(&kc, NULL, kc.ncols, r, ROWCODEC_NORMALIZE, &j->key);
		row_encode(c, NULL, c->ncols, r, ROWCODEC_EXACT, &j->row);
		state_update(j, op_sign(c->ops[r]));
	}
	return 0;
}

/* ---- Probing. */

/* Emits stream row r of c with every table row of bk it matches; *m counts them. */
static int probe(LookupOp *j, const Chunk *c, int r, const Bucket *bk, int64_t *m, Err *e)
{
	const Expr *res = j->op.lop->residual;
	int d = op_sign(c->ops[r]);
	uint32_t off = 0;
	while (off < bk->len) {
		int n = 0;
		while (off < bk->len && n < CHUNK_CAP) {
			const Entry *en = (const Entry *)(bk->buf + off);
			j->cand_entry[n++] = en;
			off += (uint32_t)ENTRY_SIZE(en->len);
		}
		if (res) {
			chunk_reset(j->cand);
			arena_reset(&j->scratch);
			for (int i = 0; i < n; i++) {
				const Entry *en = j->cand_entry[i];
				for (int k = 0; k < j->nl; k++)
					vec_copy_value(&j->cand->cols[j->lcols[k]], i, &c->cols[k], r,
						       NULL);
				row_decode(entry_row(en), en->len, j->cand, j->rcols, j->nr, i);
			}
			j->cand->nrows = n;
			ExprCtx cx;
			df_expr_ctx(j->op.df, &cx, &j->scratch, e);
			if (expr_eval_filter(res, j->cand, j->keep, &cx) < 0)
				return -1;
			df_count_row_errors(j->op.df, cx.row_errors);
		}
		for (int i = 0; i < n; i++) {
			if (res && !j->keep[i])
				continue;
			const Entry *en = j->cand_entry[i];
			*m += en->count;
			for (int32_t k = 0; k < en->count; k++)
				if (emit(j, c, r, en, d, e) < 0)
					return -1;
		}
	}
	return 0;
}

static int stream_chunk(LookupOp *j, const Chunk *c, Err *e)
{
	Chunk kc;
	if (eval_keys(j, 0, c, &kc, e) < 0)
		return -1;
	for (int r = 0; r < c->nrows; r++) {
		int64_t m = 0;
		if (!key_null(&kc, r)) {
			sb_reset(&j->key);
			row_encode(&kc, NULL, kc.ncols, r, ROWCODEC_NORMALIZE, &j->key);
			const Bucket *bk = hmap_find(&j->map, j->key.data, j->key.len,
						     hash_bytes(j->key.data, j->key.len));
			if (bk && probe(j, c, r, bk, &m, e) < 0)
				return -1;
		}
		if (j->left && m == 0 && emit(j, c, r, NULL, op_sign(c->ops[r]), e) < 0)
			return -1;
	}
	return j->out->nrows ? flush(j, e) : 0;
}

/* Keeps a copy of a stream chunk until the first barrier. */
static void hold(LookupOp *j, const Chunk *c)
{
	TypeId types[MAX_COLUMNS];
	for (int k = 0; k < c->ncols; k++)
		types[k] = c->cols[k].type;
	Chunk *d = chunk_new(types, c->ncols);
	for (int r = 0; r < c->nrows; r++)
		chunk_append_row(d, c, r, (Op)c->ops[r]);
	if (j->nheld == j->capheld) {
		j->capheld = j->capheld ? j->capheld * 2 : 8;
		j->held = mem_realloc(j->held, (size_t)j->capheld * sizeof *j->held);
	}
	j->held[j->nheld++] = d;
}

static void drop_held(LookupOp *j)
{
	for (int i = 0; i < j->nheld; i++)
		chunk_free(j->held[i]);
	mem_free(j->held);
	j->held = NULL;
	j->nheld = j->capheld = 0;
}

/* ---- Callbacks. */

static int lookup_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	LookupOp *j = (LookupOp *)op;
	if (port == 1)
		return table_chunk(j, c, e);
	if (!j->started) {
		if (c->nrows)
			hold(j, c);
		return 0;
	}
	return stream_chunk(j, c, e);
}

static int lookup_watermark(Operator *op, int port, int col, int64_t ts, Err *e)
{
	/* The stream's columns keep their numbers; the table's time says nothing of the output. */
	return port == 0 ? op_emit_watermark(op, col, ts, e) : 0;
}

static int lookup_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	LookupOp *j = (LookupOp *)op;
	j->got[port] = true;
	if (!j->got[0] || !j->got[1])
		return 0;
	j->got[0] = j->got[1] = false;
	if (!j->started) {
		j->started = true;
		for (int i = 0; i < j->nheld; i++) {
			if (stream_chunk(j, j->held[i], e) < 0) {
				drop_held(j);
				return -1;
			}
		}
		drop_held(j);
	}
	return op_emit_barrier(op, epoch, e);
}

static void lookup_explain(const Operator *op, StrBuf *out)
{
	const LookupOp *j = (const LookupOp *)op;
	sb_printf(out, "LookupJoin type=%s keys=%d", j->left ? "left" : "inner", op->lop->njkeys);
	if (op->lop->residual)
		sb_puts(out, " residual");
	sb_puts(out, " state=the table side's rows by key (its changes emit nothing)");
}

static size_t lookup_state_bytes(const Operator *op)
{
	const LookupOp *j = (const LookupOp *)op;
	return j->map.bytes + j->buf_bytes +
	       j->map.cap * (sizeof *j->map.slots + sizeof *j->map.hashes);
}

static void lookup_free(Operator *op)
{
	LookupOp *j = (LookupOp *)op;
	Bucket *bk;
	for (size_t it = 0; (bk = hmap_next(&j->map, &it));)
		mem_free(bk->buf);
	hmap_deinit(&j->map);
	drop_held(j);
	mem_free(j->lcols);
	mem_free(j->rcols);
	chunk_free(j->out);
	chunk_free(j->cand);
	arena_deinit(&j->scratch);
	arena_deinit(&j->key_arena);
	sb_deinit(&j->key);
	sb_deinit(&j->row);
}

Operator *lookup_join_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	const LogicalOp *l = lop->children[0], *r = lop->children[1];
	if (!l->append_only) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED,
			"the left side of a lookup join must be append-only");
		err_hint(e, "join a stream or source (FOR SYSTEM_TIME AS OF applies to the right "
			    "side); a changelog on the left needs a regular join");
		return NULL;
	}
	if (lop->njkeys == 0) {
		err_set(e, ERR_FEATURE_NOT_SUPPORTED, "a lookup join needs an equality condition");
		err_hint(e, "join on an equality between columns of both sides, such as "
			    "ON s.k = t.k");
		return NULL;
	}
	LookupOp *j = mem_calloc(1, sizeof *j);
	j->left = lop->join_type == JOIN_LEFT;
	j->nl = l->ncols;
	j->nr = r->ncols;
	hmap_init(&j->map, sizeof(Bucket));
	j->lcols = mem_alloc((size_t)(j->nl + 1) * sizeof(int));
	j->rcols = mem_alloc((size_t)(j->nr + 1) * sizeof(int));
	TypeId *types = mem_alloc((size_t)(j->nl + j->nr + 1) * sizeof *types);
	for (int c = 0; c < j->nl; c++) {
		j->lcols[c] = c;
		types[c] = l->cols[c].type;
	}
	for (int c = 0; c < j->nr; c++) {
		j->rcols[c] = j->nl + c;
		types[j->nl + c] = r->cols[c].type;
	}
	j->out = lop_chunk_new(lop);
	j->cand = chunk_new(types, j->nl + j->nr);
	mem_free(types);
	arena_init(&j->scratch, 0);
	arena_init(&j->key_arena, 0);
	sb_init(&j->key);
	sb_init(&j->row);
	j->op.kind = "LookupJoin";
	j->op.on_chunk = lookup_chunk;
	j->op.on_watermark = lookup_watermark;
	j->op.on_barrier = lookup_barrier;
	j->op.explain = lookup_explain;
	j->op.free = lookup_free;
	j->op.state_bytes = lookup_state_bytes;
	return &j->op;
}
