/* chunk.c: columnar batches (see chunk.h). Layer: vec. */
#include "vec/chunk.h"

#include "base/strbuf.h"
#include "vec/value.h"

#include <assert.h>
#include <string.h>

static const char *const op_symbols[] = {
#define OP_SYM(op, sym) sym,
	OP_LIST(OP_SYM)
#undef OP_SYM
};

const char *op_symbol(Op op)
{
	return op_symbols[op];
}

Chunk *chunk_new(const TypeId *types, int ncols)
{
	Chunk *c = mem_calloc(1, sizeof *c);
	c->ncols = ncols;
	c->cols = mem_calloc((size_t)(ncols ? ncols : 1), sizeof(Vector));
	for (int i = 0; i < ncols; i++) {
		c->cols[i].type = types[i];
		c->cols[i].data = mem_calloc(CHUNK_CAP, type_size(types[i]));
		c->cols[i].nulls = mem_calloc(CHUNK_CAP, 1);
	}
	c->ops = mem_calloc(CHUNK_CAP, 1);
	arena_init(&c->arena, 16 * 1024);
	return c;
}

Chunk *chunk_new_unzeroed(const TypeId *types, int ncols)
{
	Chunk *c = mem_calloc(1, sizeof *c);
	c->ncols = ncols;
	c->cols = mem_calloc((size_t)(ncols ? ncols : 1), sizeof(Vector));
	for (int i = 0; i < ncols; i++) {
		c->cols[i].type = types[i];
		c->cols[i].data = mem_alloc(CHUNK_CAP * type_size(types[i]));
		c->cols[i].nulls = mem_alloc(CHUNK_CAP);
	}
	c->ops = mem_calloc(CHUNK_CAP, 1);
	arena_init(&c->arena, 16 * 1024);
	return c;
}

void chunk_free(Chunk *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->ncols; i++) {
		mem_free(c->cols[i].data);
		mem_free(c->cols[i].nulls);
	}
	mem_free(c->cols);
	mem_free(c->ops);
	arena_deinit(&c->arena);
	mem_free(c);
}

void chunk_reset(Chunk *c)
{
	c->nrows = 0;
	arena_reset(&c->arena);
}

Str chunk_str(Chunk *c, const char *p, size_t n)
{
	Str s;
	char *d = arena_alloc(&c->arena, n ? n : 1);
	memcpy(d, p, n);
	s.p = d;
	s.len = (uint32_t)n;
	return s;
}

void vec_copy_value(Vector *dst, int drow, const Vector *src, int srow, Arena *a)
{
	dst->nulls[drow] = src->nulls[srow];
	size_t w = type_size(src->type);
	memcpy((char *)dst->data + (size_t)drow * w, (const char *)src->data + (size_t)srow * w, w);
	if (type_is_varlen(src->type) && a && !src->nulls[srow]) {
		Str *s = &VEC_DATA(dst, Str)[drow];
		char *d = arena_alloc(a, s->len ? s->len : 1);
		memcpy(d, s->p, s->len);
		s->p = d;
	}
}

void chunk_append_row(Chunk *dst, const Chunk *src, int srow, Op op)
{
	int r = dst->nrows++;
	for (int i = 0; i < src->ncols; i++)
		vec_copy_value(&dst->cols[i], r, &src->cols[i], srow, &dst->arena);
	dst->ops[r] = (uint8_t)op;
}

/* Gathers n values of width W (a C type) from src at sel into dst from row base on. */
#define GATHER(ctype)                                                                          \
	do {                                                                                   \
		ctype *d_ = (ctype *)dv->data + base;                                          \
		const ctype *s_ = (const ctype *)sv->data;                                     \
		for (int j = 0; j < n; j++)                                                    \
			d_[j] = s_[sel[j]];                                                    \
	} while (0)

void chunk_append_sel(Chunk *dst, const Chunk *src, const uint16_t *sel, int n)
{
	int base = dst->nrows;
	assert(base + n <= CHUNK_CAP);
	for (int i = 0; i < src->ncols; i++) {
		const Vector *sv = &src->cols[i];
		Vector *dv = &dst->cols[i];
		for (int j = 0; j < n; j++)
			dv->nulls[base + j] = sv->nulls[sel[j]];
		size_t w = type_size(sv->type);
		switch (w) {
		case 1: GATHER(uint8_t); break;
		case 2: GATHER(uint16_t); break;
		case 4: GATHER(uint32_t); break;
		case 8: GATHER(uint64_t); break;
		default:
			for (int j = 0; j < n; j++)
				memcpy((char *)dv->data + (size_t)(base + j) * w,
				       (const char *)sv->data + (size_t)sel[j] * w, w);
		}
		if (!type_is_varlen(sv->type))
			continue;
		Str *ds = VEC_DATA(dv, Str) + base;
		size_t total = 0;
		for (int j = 0; j < n; j++)
			if (!dv->nulls[base + j])
				total += ds[j].len;
		char *p = arena_alloc(&dst->arena, total ? total : 1);
		for (int j = 0; j < n; j++)
			if (!dv->nulls[base + j]) {
				memcpy(p, ds[j].p, ds[j].len);
				ds[j].p = p;
				p += ds[j].len;
			}
	}
	for (int j = 0; j < n; j++)
		dst->ops[base + j] = src->ops[sel[j]];
	dst->nrows += n;
}

void chunk_print(const Chunk *c, StrBuf *out)
{
	for (int r = 0; r < c->nrows; r++) {
		sb_puts(out, op_symbol(c->ops[r]));
		for (int i = 0; i < c->ncols; i++) {
			Value v;
			vec_get_value(&c->cols[i], r, &v);
			sb_putc(out, i ? ',' : ' ');
			if (v.null)
				sb_puts(out, "NULL");
			else
				value_format(&v, out);
		}
		sb_putc(out, '\n');
	}
}
