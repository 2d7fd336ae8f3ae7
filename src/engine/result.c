/* result.c: statement results: rows kept as chunks, read through a cursor (eddy.h).
 *
 * Layer: engine. A result copies the rows it is given into chunks of its own, so it outlives the
 * statement that made it; text forms are made on demand, one row at a time. */
#include "engine/engine_int.h"

#include "vec/value.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

EddyResult *result_new(int ncols, const char *const *names, const TypeId *types)
{
	EddyResult *r = mem_calloc(1, sizeof *r);
	arena_init(&r->arena, 4096);
	r->ncols = ncols;
	r->names = arena_alloc(&r->arena, sizeof(char *) * (size_t)(ncols ? ncols : 1));
	r->types = arena_alloc(&r->arena, sizeof(TypeId) * (size_t)(ncols ? ncols : 1));
	r->text = mem_calloc((size_t)(ncols ? ncols : 1), sizeof(StrBuf));
	for (int i = 0; i < ncols; i++) {
		r->names[i] = arena_strdup(&r->arena, names[i]);
		r->types[i] = types[i] == T_UNKNOWN || types[i] == T_NULL ? T_VARCHAR : types[i];
		sb_init(&r->text[i]);
	}
	r->cur_chunk = 0;
	r->cur_row = -1;
	return r;
}

void result_set_tag(EddyResult *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->tag, sizeof r->tag, fmt, ap);
	va_end(ap);
}

static Chunk *tail_chunk(EddyResult *r)
{
	if (r->nchunks && !chunk_full(r->chunks[r->nchunks - 1]))
		return r->chunks[r->nchunks - 1];
	if (r->nchunks == r->capchunks) {
		r->capchunks = r->capchunks ? r->capchunks * 2 : 8;
		r->chunks = mem_realloc(r->chunks, sizeof(Chunk *) * (size_t)r->capchunks);
	}
	Chunk *c = chunk_new(r->types, r->ncols);
	r->chunks[r->nchunks++] = c;
	return c;
}

void result_add_chunk(EddyResult *r, const Chunk *c)
{
	for (int i = 0; i < c->nrows; i++) {
		Chunk *t = tail_chunk(r);
		int row = t->nrows++;
		for (int k = 0; k < r->ncols; k++) {
			if (c->cols[k].type == r->types[k]) {
				vec_copy_value(&t->cols[k], row, &c->cols[k], i, &t->arena);
			} else {
				/* NULL/unknown-typed columns are shown as text. */
				Value v;
				vec_get_value(&c->cols[k], i, &v);
				if (!v.null && v.type == T_UNKNOWN)
					v.type = T_VARCHAR;
				if (v.type != r->types[k])
					v.null = true;
				vec_set_value(&t->cols[k], row, &v, &t->arena);
			}
		}
		t->ops[row] = OP_INSERT;
		r->nrows++;
	}
}

void result_add_text_row(EddyResult *r, const char *const *values)
{
	Chunk *t = tail_chunk(r);
	int row = t->nrows++;
	for (int k = 0; k < r->ncols; k++) {
		Value v = value_null(r->types[k]);
		if (values[k]) {
			/* Text of the column's type (as produced by value_format). */
			Err e;
			err_clear(&e);
			if (value_parse(r->types[k], values[k], strlen(values[k]), &v, &t->arena, &e) < 0)
				v = value_null(r->types[k]);
		}
		vec_set_value(&t->cols[k], row, &v, &t->arena);
	}
	t->ops[row] = OP_INSERT;
	r->nrows++;
}

int result_collect(void *arg, const Chunk *c, Err *e)
{
	result_add_chunk(arg, c);
	return 0;
}

void eddy_result_free(EddyResult *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nchunks; i++)
		chunk_free(r->chunks[i]);
	mem_free(r->chunks);
	for (int i = 0; i < r->ncols; i++)
		sb_deinit(&r->text[i]);
	mem_free(r->text);
	arena_deinit(&r->arena);
	mem_free(r);
}

const char *eddy_result_tag(const EddyResult *r)
{
	return r->tag;
}

int eddy_result_ncols(const EddyResult *r)
{
	return r->ncols;
}

const char *eddy_result_colname(const EddyResult *r, int col)
{
	return col >= 0 && col < r->ncols ? r->names[col] : NULL;
}

EddyType eddy_result_coltype(const EddyResult *r, int col)
{
	if (col < 0 || col >= r->ncols)
		return EDDY_NULL;
	/* EddyType lists the types in TypeId order. */
	return (EddyType)r->types[col];
}

const char *eddy_type_name(EddyType t)
{
	return type_name((TypeId)t);
}

int64_t eddy_result_nrows(const EddyResult *r)
{
	return r->nrows;
}

int eddy_result_next(EddyResult *r)
{
	for (int i = 0; i < r->ncols; i++)
		sb_reset(&r->text[i]);
	while (r->cur_chunk < r->nchunks) {
		if (r->cur_row + 1 < r->chunks[r->cur_chunk]->nrows) {
			r->cur_row++;
			return 1;
		}
		r->cur_chunk++;
		r->cur_row = -1;
	}
	return 0;
}

static bool current(const EddyResult *r, int col, Value *v)
{
	if (col < 0 || col >= r->ncols || r->cur_chunk >= r->nchunks || r->cur_row < 0)
		return false;
	vec_get_value(&r->chunks[r->cur_chunk]->cols[col], r->cur_row, v);
	return true;
}

int eddy_result_isnull(const EddyResult *r, int col)
{
	Value v;
	return !current(r, col, &v) || v.null;
}

const char *eddy_result_text(EddyResult *r, int col)
{
	Value v;
	if (!current(r, col, &v) || v.null)
		return NULL;
	StrBuf *sb = &r->text[col];
	sb_reset(sb);
	value_format(&v, sb);
	if (!sb->data)
		sb_puts(sb, "");
	return sb->data;
}

int64_t eddy_result_int64(const EddyResult *r, int col)
{
	Value v;
	if (!current(r, col, &v) || v.null)
		return 0;
	if (type_is_float(v.type))
		return (int64_t)v.u.f;
	if (v.type == T_NUMERIC) {
		__int128 m = v.u.n.m;
		for (int i = 0; i < v.u.n.scale; i++)
			m /= 10;
		return (int64_t)m;
	}
	return v.u.i;
}

double eddy_result_double(const EddyResult *r, int col)
{
	Value v;
	if (!current(r, col, &v) || v.null)
		return 0;
	if (type_is_float(v.type))
		return v.u.f;
	if (v.type == T_NUMERIC) {
		double d = (double)v.u.n.m;
		for (int i = 0; i < v.u.n.scale; i++)
			d /= 10;
		return d;
	}
	return (double)v.u.i;
}
