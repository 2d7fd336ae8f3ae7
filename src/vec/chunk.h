/* chunk.h: columnar batches, the unit of data that flows between operators.
 *
 * Layer: vec. A Chunk holds up to CHUNK_CAP rows as one Vector per column plus an op column
 * saying, per row, whether it is an insert, a delete, or the two halves of an update (a
 * changelog). Strings in a chunk point into the chunk's own arena (or into memory that outlives the
 * chunk, such as a catalog constant); chunk_reset empties the chunk and its arena for reuse, so a
 * pipeline allocates chunks once and never per row.
 *
 * Null flags are one byte per row (1 = NULL). Every writer of row i sets nulls[i], 0 or 1: a reset
 * chunk's flags are stale, not zero.
 */
#ifndef EDDY_VEC_CHUNK_H
#define EDDY_VEC_CHUNK_H

#include "base/mem.h"
#include "vec/types.h"

#define CHUNK_CAP 1024

/* X(op, symbol) */
#define OP_LIST(X)                                                                                 \
	X(OP_INSERT, "+")                                                                          \
	X(OP_DELETE, "-")                                                                          \
	X(OP_UPDATE_DELETE, "U-")                                                                  \
	X(OP_UPDATE_INSERT, "U+")

typedef enum Op {
#define OP_ENUM(op, sym) op,
	OP_LIST(OP_ENUM)
#undef OP_ENUM
} Op;

const char *op_symbol(Op op);

/* +1 for rows that add to a result (insert, update-insert), -1 for rows that take away. */
static inline int op_sign(uint8_t op)
{
	return (op == OP_INSERT || op == OP_UPDATE_INSERT) ? 1 : -1;
}

typedef struct Vector {
	TypeId type;
	void *data;      /* CHUNK_CAP values of type_size(type) bytes */
	uint8_t *nulls;  /* CHUNK_CAP flags, 1 = NULL */
} Vector;

#define VEC_DATA(v, ctype) ((ctype *)(v)->data)

typedef struct Chunk {
	int ncols;
	int nrows;
	Vector *cols;
	uint8_t *ops;    /* CHUNK_CAP Op values */
	Arena arena;     /* strings written into this chunk */
} Chunk;

/* A chunk with room for CHUNK_CAP rows of the given column types. */
Chunk *chunk_new(const TypeId *types, int ncols);
/* As chunk_new, but the rows' values and NULL flags are not zeroed (the ops are): for a
 * producer that writes every row it keeps, values of NULL rows included. */
Chunk *chunk_new_unzeroed(const TypeId *types, int ncols);
void chunk_free(Chunk *c);
/* Empties the chunk (nrows = 0) and its string arena. */
void chunk_reset(Chunk *c);
static inline bool chunk_full(const Chunk *c)
{
	return c->nrows >= CHUNK_CAP;
}

/* Copies a string into the chunk's arena and returns the reference to store. */
Str chunk_str(Chunk *c, const char *p, size_t n);

/* Appends row srow of src (same column types) to dst with the given op, copying strings into
 * dst's arena. dst must not be full. */
void chunk_append_row(Chunk *dst, const Chunk *src, int srow, Op op);

/* Appends rows sel[0..n) of src (same column types), with their ops, to dst: a column at a time,
 * the strings of a column copied into one block of dst's arena. dst must have room for n. */
void chunk_append_sel(Chunk *dst, const Chunk *src, const uint16_t *sel, int n);

/* Copies row srow of vector src into row drow of vector dst (same type); strings are copied into
 * arena a, or referenced as they are when a is NULL. */
void vec_copy_value(Vector *dst, int drow, const Vector *src, int srow, Arena *a);

/* Prints the chunk as a table with an op column (for tests and debugging). */
struct StrBuf;
void chunk_print(const Chunk *c, struct StrBuf *out);

#endif
