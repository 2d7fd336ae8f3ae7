/* mview.c: the stored rows of a materialized view or a keyed table (see mview.h).
 *
 * Layer: stream. Owns an HMap of rows. A multiset store (npk == 0) keys each entry by the
 * exact encoding of the whole row (ROWCODEC_EXACT: 1.0 and 1.00 stay distinct rows, as a
 * view shows them) and counts its copies. A keyed store keys by the primary-key columns
 * (ROWCODEC_NORMALIZE, as `=` compares them) and keeps the encoded row in a heap buffer per
 * key. Applying a changelog never fails: a delete of a row that is not there (or an insert
 * over a key that is) is a bug upstream, counted in `anomalies` for tests and SHOW to see.
 *
 * Checkpoints write one entry per map entry (format in mview.h). After the first checkpoint or
 * restore, a row that changes goes on the `ck_changed` list (a flag test and an array push: the
 * row keeps its index there, so a row removed before the checkpoint leaves the list in O(1)),
 * and a row removed while the checkpoint store holds it leaves its key in `ck_gone`. An
 * incremental checkpoint writes the dels of those keys (unless the key came back) and the
 * puts of the changed rows: work and writes proportional to the changes, not to the view.
 */
#include "stream/mview.h"

#include "base/bin.h"
#include "base/hash.h"
#include "base/mem.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct MvRow {
	int64_t count;  /* multiset: copies of the row */
	char *data;     /* keyed: the encoded row (heap) */
	uint32_t len, cap;
	uint32_t ck;    /* index in ck_changed + 1 while changed since the last checkpoint */
	uint8_t stored; /* the checkpoint store holds an entry for it */
} MvRow;

MvStore *mvstore_new(const TypeId *types, int ncols, const int *pk, int npk)
{
	MvStore *s = mem_calloc(1, sizeof *s);
	s->ncols = ncols;
	/* The key columns' types follow the columns' (to check keys read back at restore). */
	s->types = mem_calloc((size_t)ncols + (size_t)npk + 1, sizeof *s->types);
	memcpy(s->types, types, (size_t)ncols * sizeof *types);
	s->npk = npk;
	s->pk = mem_calloc((size_t)npk + 1, sizeof *s->pk);
	if (npk)
		memcpy(s->pk, pk, (size_t)npk * sizeof *pk);
	for (int i = 0; i < npk; i++)
		s->types[ncols + i] = types[pk[i]];
	hmap_init(&s->rows, sizeof(MvRow));
	sb_init(&s->key);
	sb_init(&s->row);
	sb_init(&s->ck_gone);
	return s;
}

void mvstore_free(MvStore *s)
{
	if (!s)
		return;
	MvRow *r;
	for (size_t it = 0; (r = hmap_next(&s->rows, &it));)
		mem_free(r->data);
	hmap_deinit(&s->rows);
	sb_deinit(&s->key);
	sb_deinit(&s->row);
	sb_deinit(&s->ck_gone);
	mem_free(s->ck_changed);
	mem_free(s->types);
	mem_free(s->pk);
	mem_free(s);
}

/* Row `row` changed: it goes on the changed list once. */
static inline void touch(MvStore *s, MvRow *row)
{
	if (!s->ck_on || row->ck)
		return;
	if (s->ck_n == s->ck_cap) {
		s->ck_cap = s->ck_cap ? 2 * s->ck_cap : 64;
		s->ck_changed = mem_realloc(s->ck_changed, s->ck_cap * sizeof *s->ck_changed);
	}
	s->ck_changed[s->ck_n++] = row;
	row->ck = (uint32_t)s->ck_n;
}

/* Row `row`, whose key is in s->key, is about to be removed from the map. */
static void forget(MvStore *s, MvRow *row)
{
	if (!s->ck_on)
		return;
	if (row->ck) {
		MvRow *last = s->ck_changed[--s->ck_n];
		s->ck_changed[row->ck - 1] = last;
		last->ck = row->ck;
	}
	if (row->stored)
		bin_put_bytes(&s->ck_gone, s->key.data, s->key.len);
}

static void apply_multiset(MvStore *s, const Chunk *c, int r)
{
	sb_reset(&s->key);
	row_encode(c, NULL, s->ncols, r, ROWCODEC_EXACT, &s->key);
	uint64_t h = hash_bytes(s->key.data, s->key.len);
	if (op_sign(c->ops[r]) > 0) {
		MvRow *row = hmap_upsert(&s->rows, s->key.data, s->key.len, h, NULL);
		row->count++;
		s->nrows++;
		touch(s, row);
		return;
	}
	MvRow *row = hmap_find(&s->rows, s->key.data, s->key.len, h);
	if (!row) {
		s->anomalies++;
		return;
	}
	s->nrows--;
	if (--row->count > 0) {
		touch(s, row);
		return;
	}
	forget(s, row);
	hmap_remove_value(&s->rows, row);
}

static void apply_keyed(MvStore *s, const Chunk *c, int r)
{
	sb_reset(&s->key);
	row_encode(c, s->pk, s->npk, r, ROWCODEC_NORMALIZE, &s->key);
	uint64_t h = hash_bytes(s->key.data, s->key.len);
	if (op_sign(c->ops[r]) < 0) {
		MvRow *row = hmap_find(&s->rows, s->key.data, s->key.len, h);
		if (!row) {
			s->anomalies++;
			return;
		}
		forget(s, row);
		mem_free(row->data);
		hmap_remove_value(&s->rows, row);
		s->nrows--;
		return;
	}
	bool found;
	MvRow *row = hmap_upsert(&s->rows, s->key.data, s->key.len, h, &found);
	if (found)
		s->anomalies++; /* an insert over a live key: the newer row wins */
	else
		s->nrows++;
	sb_reset(&s->row);
	row_encode(c, NULL, s->ncols, r, ROWCODEC_EXACT, &s->row);
	if (row->cap < s->row.len) {
		row->data = mem_realloc(row->data, s->row.len);
		row->cap = (uint32_t)s->row.len;
	}
	memcpy(row->data, s->row.data, s->row.len);
	row->len = (uint32_t)s->row.len;
	row->count = 1;
	touch(s, row);
}

void mvstore_apply(MvStore *s, const Chunk *c)
{
	for (int r = 0; r < c->nrows; r++) {
		if (s->npk)
			apply_keyed(s, c, r);
		else
			apply_multiset(s, c, r);
	}
}

bool mvstore_lookup(MvStore *s, const Chunk *c, int row, Chunk *dst, int drow)
{
	sb_reset(&s->key);
	row_encode(c, s->pk, s->npk, row, ROWCODEC_NORMALIZE, &s->key);
	MvRow *r = hmap_find(&s->rows, s->key.data, s->key.len,
			     hash_bytes(s->key.data, s->key.len));
	if (!r)
		return false;
	row_decode(r->data, r->len, dst, NULL, s->ncols, drow);
	return true;
}

int mvstore_scan(MvStore *s, int (*emit)(void *arg, const Chunk *c, Err *e), void *arg, Err *e)
{
	Chunk *c = chunk_new(s->types, s->ncols);
	MvRow *r;
	int rc = 0;
	for (size_t it = 0; rc == 0 && (r = hmap_next(&s->rows, &it));) {
		size_t klen;
		const void *p = s->npk ? r->data : hmap_key(&s->rows, r, &klen);
		size_t len = s->npk ? r->len : klen;
		for (int64_t k = 0; k < r->count; k++) {
			if (chunk_full(c)) {
				rc = emit(arg, c, e);
				chunk_reset(c);
				if (rc < 0)
					break;
			}
			row_decode(p, len, c, NULL, s->ncols, c->nrows);
			c->ops[c->nrows++] = OP_INSERT;
		}
	}
	if (rc == 0 && c->nrows > 0)
		rc = emit(arg, c, e);
	chunk_free(c);
	return rc < 0 ? -1 : 0;
}

size_t mvstore_bytes(const MvStore *s)
{
	size_t n = sizeof *s + s->rows.bytes + s->rows.cap * (sizeof(void *) + 8) +
		   s->ck_cap * sizeof *s->ck_changed + s->ck_gone.cap;
	if (s->npk) {
		MvRow *r;
		for (size_t it = 0; (r = hmap_next(&s->rows, &it));)
			n += r->cap;
	}
	return n;
}

/* ---- checkpoints */

static int put_row(MvStore *s, StateWriter *w, MvRow *r, StrBuf *val, Err *e)
{
	size_t klen;
	const void *key = hmap_key(&s->rows, r, &klen);
	sb_reset(val);
	bin_put_i64(val, r->count);
	if (s->npk)
		sb_append(val, r->data, r->len);
	r->stored = 1;
	r->ck = 0;
	return w->put(w, key, klen, val->data, val->len, e);
}

/* The dels of removed rows whose key did not come back (a key that did is a changed row). */
static int write_gone(MvStore *s, StateWriter *w, Err *e)
{
	BinReader g;
	bin_reader(&g, s->ck_gone.data, s->ck_gone.len);
	while (g.p < g.end) {
		size_t klen;
		const void *key = bin_get_bytes(&g, &klen);
		if (!hmap_find(&s->rows, key, klen, hash_bytes(key, klen)) &&
		    w->del(w, key, klen, e) < 0)
			return -1;
	}
	return 0;
}

int mvstore_checkpoint(MvStore *s, StateWriter *w, bool full, Err *e)
{
	StrBuf val;
	sb_init(&val);
	int rc = 0;
	if (full || !s->ck_on) {
		MvRow *r;
		for (size_t it = 0; rc == 0 && (r = hmap_next(&s->rows, &it));)
			rc = put_row(s, w, r, &val, e);
	} else {
		rc = write_gone(s, w, e);
		for (size_t i = 0; i < s->ck_n && rc == 0; i++)
			rc = put_row(s, w, s->ck_changed[i], &val, e);
	}
	sb_deinit(&val);
	if (rc < 0)
		return -1;
	s->ck_n = 0;
	sb_reset(&s->ck_gone);
	s->ck_on = true;
	return 0;
}

int mvstore_restore(MvStore *s, const void *key, size_t klen, const void *val, size_t vlen,
		    Err *e)
{
	BinReader v;
	bin_reader(&v, val, vlen);
	int64_t count = bin_get_i64(&v);
	const void *row = v.p;
	size_t rowlen = v.bad ? 0 : (size_t)(v.end - v.p);
	bool ok = s->npk ? row_check(key, klen, s->types + s->ncols, s->npk) &&
				   !v.bad && count == 1 &&
				   row_check(row, rowlen, s->types, s->ncols)
			 : row_check(key, klen, s->types, s->ncols) && bin_done(&v) && count > 0;
	if (!ok)
		return err_set(e, ERR_DATA_CORRUPTED, "checkpoint of a view's rows: an entry of %zu "
			       "bytes does not decode", klen);
	bool found;
	MvRow *r = hmap_upsert(&s->rows, key, klen, hash_bytes(key, klen), &found);
	if (found)
		return err_set(e, ERR_DATA_CORRUPTED, "checkpoint of a view's rows: a key appears "
			       "twice");
	r->count = count;
	if (s->npk) {
		r->data = mem_alloc(rowlen + 1);
		memcpy(r->data, row, rowlen);
		r->len = r->cap = (uint32_t)rowlen;
	}
	r->stored = 1;
	s->nrows += (uint64_t)count;
	s->ck_on = true;
	return 0;
}
