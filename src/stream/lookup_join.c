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
 * file: it runs the join as a plain hash join of the current contents (dataflow.c). The join is
 * idle for its parent while its stream side is (the output's watermark is that side's).
 *
 * Checkpoints: key 0x00 is the header (started u8); 0x01 + the join key encoding + the row
 * encoding + the key's length (u32) one entry per table row (count i64); 0x02 + a big-endian
 * u32 index one entry per stream chunk held before the first barrier (per row: op u8, then the
 * row encoding as u32 length + bytes). The table rows changed since the last checkpoint are
 * kept in a map of their entry keys with whether the store holds them, so a checkpoint writes
 * only those; held chunks are only ever added, then all dropped at the first barrier.
 */
#include "base/bin.h"
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
	HMap changed;         /* entry key (0x01 ...) of a table row changed -> Changed */
	int nsaved;           /* held chunks the store holds */
	TypeId *ltypes;       /* the stream side's column types */
	TypeId *ttypes;       /* the table side's column types, then the key's */
	StrBuf ck, val;       /* checkpoint scratch */
} LookupOp;

/* A table row changed since the last checkpoint. */
typedef struct Changed {
	bool stored; /* the store holds an entry for it */
} Changed;

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

/* The checkpoint key of the table row j->row under key j->key, into j->ck. */
static void table_entry_key(LookupOp *j)
{
	uint32_t klen = (uint32_t)j->key.len;
	sb_reset(&j->ck);
	bin_put_u8(&j->ck, 1);
	sb_append(&j->ck, j->key.data, j->key.len);
	sb_append(&j->ck, j->row.data, j->row.len);
	sb_append(&j->ck, &klen, sizeof klen);
}

/* The table row j->row under j->key changes; `existed`: it was held before the change. Its
 * first change since the last checkpoint also tells whether the store holds it. */
static void track(LookupOp *j, bool existed)
{
	table_entry_key(j);
	bool found;
	Changed *c = hmap_upsert(&j->changed, j->ck.data, j->ck.len,
				 hash_bytes(j->ck.data, j->ck.len), &found);
	if (!found)
		c->stored = existed;
}

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
			track(j, true);
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
	track(j, false);
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

/* The stream side's idleness is the join's: the table's changes never make output. */
static int lookup_idle(Operator *op, int port, bool idle, Err *e)
{
	return port == 0 ? op_emit_idle(op, idle, e) : 0;
}

/* ---- Checkpoints. */

/* The multiplicity of the table row j->row under j->key (0: not held). */
static int64_t table_count(const LookupOp *j)
{
	const Bucket *bk = hmap_find(&j->map, j->key.data, j->key.len,
				     hash_bytes(j->key.data, j->key.len));
	for (uint32_t off = 0; bk && off < bk->len;) {
		const Entry *en = (const Entry *)(bk->buf + off);
		if (en->len == j->row.len && memcmp(entry_row(en), j->row.data, j->row.len) == 0)
			return en->count;
		off += (uint32_t)ENTRY_SIZE(en->len);
	}
	return 0;
}

/* Writes the entry of table row j->row under j->key (`stored`: the store holds one). */
static int write_row(LookupOp *j, bool stored, StateWriter *w, Err *e)
{
	int64_t count = table_count(j);
	table_entry_key(j);
	if (count == 0)
		return stored ? w->del(w, j->ck.data, j->ck.len, e) : 0;
	sb_reset(&j->val);
	bin_put_i64(&j->val, count);
	return w->put(w, j->ck.data, j->ck.len, j->val.data, j->val.len, e);
}

static void held_key(LookupOp *j, int i)
{
	sb_reset(&j->ck);
	bin_put_u8(&j->ck, 2);
	bin_put_key_u64(&j->ck, (uint64_t)i);
}

static int put_held(LookupOp *j, int i, StateWriter *w, Err *e)
{
	const Chunk *c = j->held[i];
	sb_reset(&j->val);
	for (int r = 0; r < c->nrows; r++) {
		bin_put_u8(&j->val, c->ops[r]);
		sb_reset(&j->row);
		row_encode(c, NULL, c->ncols, r, ROWCODEC_EXACT, &j->row);
		bin_put_bytes(&j->val, j->row.data, j->row.len);
	}
	held_key(j, i);
	return w->put(w, j->ck.data, j->ck.len, j->val.data, j->val.len, e);
}

/* Splits a table row's entry key (0x01, key, row, key length) into j->key and j->row; false
 * when its lengths do not add up. */
static bool split_entry_key(LookupOp *j, const uint8_t *k, size_t n)
{
	uint32_t kl;
	if (n <= 1 + sizeof kl)
		return false;
	memcpy(&kl, k + n - sizeof kl, sizeof kl);
	if (kl > n - 1 - sizeof kl)
		return false;
	sb_reset(&j->key);
	sb_append(&j->key, k + 1, kl);
	sb_reset(&j->row);
	sb_append(&j->row, k + 1 + kl, n - 1 - kl - sizeof kl);
	return true;
}

static int write_table(LookupOp *j, StateWriter *w, bool full, Err *e)
{
	if (full) {
		Bucket *bk;
		for (size_t it = 0; (bk = hmap_next(&j->map, &it));) {
			size_t klen;
			const void *key = hmap_key(&j->map, bk, &klen);
			for (uint32_t off = 0; off < bk->len;) {
				const Entry *en = (const Entry *)(bk->buf + off);
				sb_reset(&j->key);
				sb_append(&j->key, key, klen);
				sb_reset(&j->row);
				sb_append(&j->row, entry_row(en), en->len);
				if (write_row(j, false, w, e) < 0)
					return -1;
				off += (uint32_t)ENTRY_SIZE(en->len);
			}
		}
		return 0;
	}
	Changed *c;
	for (size_t it = 0; (c = hmap_next(&j->changed, &it));) {
		size_t n;
		const uint8_t *k = hmap_key(&j->changed, c, &n);
		split_entry_key(j, k, n);
		if (write_row(j, c->stored, w, e) < 0)
			return -1;
	}
	return 0;
}

static void forget_changes(LookupOp *j)
{
	hmap_deinit(&j->changed);
	hmap_init(&j->changed, sizeof(Changed));
}

static int lookup_checkpoint(Operator *op, StateWriter *w, bool full, Err *e)
{
	LookupOp *j = (LookupOp *)op;
	uint8_t hk = 0, started = j->started;
	if (w->put(w, &hk, 1, &started, 1, e) < 0 || write_table(j, w, full, e) < 0)
		return -1;
	forget_changes(j);
	if (full)
		j->nsaved = 0;
	for (int i = 0; i < j->nsaved && j->started; i++) {
		held_key(j, i);
		if (w->del(w, j->ck.data, j->ck.len, e) < 0)
			return -1;
	}
	for (int i = j->started ? j->nheld : j->nsaved; i < j->nheld; i++)
		if (put_held(j, i, w, e) < 0)
			return -1;
	j->nsaved = j->nheld;
	return 0;
}

/* A stream chunk held before the first barrier, back from the store. */
static int restore_held(LookupOp *j, const void *val, size_t vlen)
{
	Chunk *d = chunk_new(j->ltypes, j->nl);
	BinReader r;
	bin_reader(&r, val, vlen);
	while (!r.bad && r.p < r.end && d->nrows < CHUNK_CAP) {
		uint8_t o = bin_get_u8(&r);
		size_t n;
		const void *p = bin_get_bytes(&r, &n);
		if (r.bad || o > OP_UPDATE_INSERT || !row_check(p, n, j->ltypes, j->nl))
			break;
		row_decode(p, n, d, NULL, j->nl, d->nrows);
		d->ops[d->nrows++] = o;
	}
	if (!bin_done(&r) || d->nrows == 0) {
		chunk_free(d);
		return -1;
	}
	hold(j, d);
	chunk_free(d);
	j->nsaved = j->nheld;
	return 0;
}

static int lookup_restore(Operator *op, const void *key, size_t klen, const void *val,
			  size_t vlen, Err *e)
{
	LookupOp *j = (LookupOp *)op;
	const uint8_t *k = key;
	BinReader r;
	bin_reader(&r, val, vlen);
	if (klen == 1 && k[0] == 0) {
		j->started = bin_get_u8(&r) != 0;
		if (bin_done(&r))
			return 0;
	} else if (klen > 0 && k[0] == 1 && split_entry_key(j, k, klen)) {
		int64_t count = bin_get_i64(&r);
		if (bin_done(&r) && count > 0 && count <= INT32_MAX &&
		    row_check(j->key.data, j->key.len, j->ttypes + j->nr, op->lop->njkeys) &&
		    row_check(j->row.data, j->row.len, j->ttypes, j->nr)) {
			state_update(j, (int)count);
			return 0;
		}
	} else if (klen == 9 && k[0] == 2 && restore_held(j, val, vlen) == 0) {
		return 0;
	}
	return err_set(e, ERR_DATA_CORRUPTED, "lookup join checkpoint entry does not decode");
}

static int lookup_restore_done(Operator *op, Err *e)
{
	forget_changes((LookupOp *)op);
	return 0;
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
	hmap_deinit(&j->changed);
	drop_held(j);
	mem_free(j->ltypes);
	mem_free(j->ttypes);
	sb_deinit(&j->ck);
	sb_deinit(&j->val);
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
	hmap_init(&j->changed, sizeof(Changed));
	j->ltypes = mem_alloc((size_t)(j->nl + 1) * sizeof(TypeId));
	j->ttypes = mem_alloc((size_t)(j->nr + lop->njkeys + 1) * sizeof(TypeId));
	for (int c = 0; c < j->nl; c++)
		j->ltypes[c] = l->cols[c].type;
	for (int c = 0; c < j->nr; c++)
		j->ttypes[c] = r->cols[c].type;
	for (int k = 0; k < lop->njkeys; k++)
		j->ttypes[j->nr + k] = lop->rkeys[k]->type;
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
	sb_init(&j->ck);
	sb_init(&j->val);
	j->op.kind = "LookupJoin";
	j->op.on_chunk = lookup_chunk;
	j->op.on_watermark = lookup_watermark;
	j->op.on_barrier = lookup_barrier;
	j->op.explain = lookup_explain;
	j->op.free = lookup_free;
	j->op.state_bytes = lookup_state_bytes;
	j->op.on_idle = lookup_idle;
	j->op.checkpoint = lookup_checkpoint;
	j->op.restore = lookup_restore;
	j->op.restore_done = lookup_restore_done;
	return &j->op;
}
