/* mview.c: the stored rows of a materialized view or a keyed table (see mview.h).
 *
 * Layer: stream. Owns an HMap of rows. A multiset store (npk == 0) keys each entry by the
 * exact encoding of the whole row (ROWCODEC_EXACT: 1.0 and 1.00 stay distinct rows, as a
 * view shows them) and counts its copies. A keyed store keys by the primary-key columns
 * (ROWCODEC_NORMALIZE, as `=` compares them) and keeps the encoded row in a heap buffer per
 * key. Applying a changelog never fails: a delete of a row that is not there (or an insert
 * over a key that is) is a bug upstream, counted in `anomalies` for tests and SHOW to see.
 */
#include "stream/mview.h"

#include "base/hash.h"
#include "base/mem.h"
#include "vec/rowcodec.h"

#include <string.h>

typedef struct MvRow {
	int64_t count;  /* multiset: copies of the row */
	char *data;     /* keyed: the encoded row (heap) */
	uint32_t len, cap;
} MvRow;

MvStore *mvstore_new(const TypeId *types, int ncols, const int *pk, int npk)
{
	MvStore *s = mem_calloc(1, sizeof *s);
	s->ncols = ncols;
	s->types = mem_calloc((size_t)ncols + 1, sizeof *s->types);
	memcpy(s->types, types, (size_t)ncols * sizeof *types);
	s->npk = npk;
	s->pk = mem_calloc((size_t)npk + 1, sizeof *s->pk);
	if (npk)
		memcpy(s->pk, pk, (size_t)npk * sizeof *pk);
	hmap_init(&s->rows, sizeof(MvRow));
	sb_init(&s->key);
	sb_init(&s->row);
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
	mem_free(s->types);
	mem_free(s->pk);
	mem_free(s);
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
		return;
	}
	MvRow *row = hmap_find(&s->rows, s->key.data, s->key.len, h);
	if (!row) {
		s->anomalies++;
		return;
	}
	s->nrows--;
	if (--row->count == 0)
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
	size_t n = sizeof *s + s->rows.bytes + s->rows.cap * (sizeof(void *) + 8);
	if (s->npk) {
		MvRow *r;
		for (size_t it = 0; (r = hmap_next(&s->rows, &it));)
			n += r->cap;
	}
	return n;
}
