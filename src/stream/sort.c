/* sort.c: ORDER BY in a query: buffers every row, sorts at the barrier, emits in order.
 *
 * Layer: stream. Only in DF_BATCH (dataflow_build rejects ORDER BY in a view with 0A000 and a
 * hint to order when querying). Owns the buffered rows, kept in chunks of its own (strings
 * copied into their arenas), and an index of row ids sorted by the keys with value_compare,
 * DESC and NULLS FIRST/LAST as each SortKey says; ties keep arrival order (stable).
 */
#define _GNU_SOURCE /* qsort_r */
#include "base/mem.h"
#include "stream/operator.h"

#include <stdlib.h>

typedef struct SortOp {
	Operator op;
	Chunk **bufs;      /* buffered rows, CHUNK_CAP per chunk */
	int nbufs, capbufs;
	uint32_t *idx;     /* row ids: chunk * CHUNK_CAP + row */
	size_t nidx;
	Chunk *out;
} SortOp;

static int sort_chunk(Operator *op, int port, const Chunk *c, Err *e)
{
	SortOp *s = (SortOp *)op;
	for (int r = 0; r < c->nrows; r++) {
		if (s->nbufs == 0 || chunk_full(s->bufs[s->nbufs - 1])) {
			if (s->nbufs == s->capbufs) {
				s->capbufs = s->capbufs ? s->capbufs * 2 : 8;
				s->bufs = mem_realloc(s->bufs, (size_t)s->capbufs * sizeof *s->bufs);
			}
			s->bufs[s->nbufs++] = lop_chunk_new(op->lop);
		}
		chunk_append_row(s->bufs[s->nbufs - 1], c, r, OP_INSERT);
	}
	return 0;
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const SortOp *s = arg;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const Chunk *ca = s->bufs[a / CHUNK_CAP], *cb = s->bufs[b / CHUNK_CAP];
	int ra = (int)(a % CHUNK_CAP), rb = (int)(b % CHUNK_CAP);
	for (int k = 0; k < s->op.lop->nkeys; k++) {
		const SortKey *key = &s->op.lop->keys[k];
		Value va, vb;
		vec_get_value(&ca->cols[key->col], ra, &va);
		vec_get_value(&cb->cols[key->col], rb, &vb);
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
	return a < b ? -1 : a > b;
}

static int sort_barrier(Operator *op, int port, uint64_t epoch, Err *e)
{
	SortOp *s = (SortOp *)op;
	size_t n = 0;
	for (int i = 0; i < s->nbufs; i++)
		n += (size_t)s->bufs[i]->nrows;
	s->idx = mem_realloc(s->idx, (n + 1) * sizeof *s->idx);
	s->nidx = 0;
	for (int i = 0; i < s->nbufs; i++)
		for (int r = 0; r < s->bufs[i]->nrows; r++)
			s->idx[s->nidx++] = (uint32_t)i * CHUNK_CAP + (uint32_t)r;
	qsort_r(s->idx, s->nidx, sizeof *s->idx, compare_rows, s);
	chunk_reset(s->out);
	for (size_t i = 0; i < s->nidx; i++) {
		if (chunk_full(s->out)) {
			if (op_emit(op, s->out, e) < 0)
				return -1;
			chunk_reset(s->out);
		}
		uint32_t id = s->idx[i];
		const Chunk *src = s->bufs[id / CHUNK_CAP];
		int d = s->out->nrows++;
		for (int c = 0; c < src->ncols; c++)
			vec_copy_value(&s->out->cols[c], d, &src->cols[c], (int)(id % CHUNK_CAP),
				       NULL);
		s->out->ops[d] = OP_INSERT;
	}
	if (op_emit(op, s->out, e) < 0)
		return -1;
	/* A query has one barrier; drop the rows so a second epoch starts empty. */
	for (int i = 0; i < s->nbufs; i++)
		chunk_free(s->bufs[i]);
	s->nbufs = 0;
	return op_emit_barrier(op, epoch, e);
}

static size_t sort_state_bytes(const Operator *op)
{
	const SortOp *s = (const SortOp *)op;
	size_t n = 0;
	for (int i = 0; i < s->nbufs; i++)
		n += (size_t)s->bufs[i]->nrows * 16 + s->bufs[i]->arena.used_total;
	return n;
}

static void sort_explain(const Operator *op, StrBuf *out)
{
	sb_puts(out, "Sort [");
	for (int k = 0; k < op->lop->nkeys; k++) {
		const SortKey *key = &op->lop->keys[k];
		if (k)
			sb_puts(out, ", ");
		sb_puts(out, op->lop->cols[key->col].name);
		if (key->desc)
			sb_puts(out, " DESC");
		if (key->nulls_first != key->desc)
			sb_puts(out, key->nulls_first ? " NULLS FIRST" : " NULLS LAST");
	}
	sb_putc(out, ']');
}

static void sort_free(Operator *op)
{
	SortOp *s = (SortOp *)op;
	for (int i = 0; i < s->nbufs; i++)
		chunk_free(s->bufs[i]);
	mem_free(s->bufs);
	mem_free(s->idx);
	chunk_free(s->out);
}

Operator *sort_op_new(Dataflow *df, const LogicalOp *lop, Err *e)
{
	SortOp *s = mem_calloc(1, sizeof *s);
	s->out = lop_chunk_new(lop);
	s->op.kind = "Sort";
	s->op.on_chunk = sort_chunk;
	s->op.on_watermark = op_forward_watermark;
	s->op.on_barrier = sort_barrier;
	s->op.explain = sort_explain;
	s->op.free = sort_free;
	s->op.state_bytes = sort_state_bytes;
	return &s->op;
}
