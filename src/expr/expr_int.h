/* expr_int.h: what the files of src/expr/ share and nobody else may call.
 *
 * Layer: expr (private). The cast kernels (cast.c) used by the evaluator and by constant folding
 * in the builders.
 */
#ifndef EDDY_EXPR_INT_H
#define EDDY_EXPR_INT_H

#include "expr/expr.h"

/* Converts rows [0, n) of src into out (of the target type), skipping rows whose out->nulls is
 * set on entry. typmod: varchar length or numeric (precision << 16 | scale), -1 for none.
 * `assign` makes a too-long varchar an error (22001) instead of truncating it, as PostgreSQL's
 * assignment and explicit casts differ. */
int cast_vector(const Vector *src, Vector *out, int32_t typmod, bool assign, int n, ExprCtx *cx);

/* The same for one value (constant folding). Strings go to arena a. */
int cast_value(const Value *in, TypeId to, int32_t typmod, bool assign, Value *out, Arena *a,
	       Err *e);

/* For the few kernels whose loop does the same to every row (null masks, comparisons of plain
 * values, widening casts): gcc's -O2 vectorizes only loops that need no scalar remainder, which
 * rules out a loop over n rows; the cheap cost model takes them. */
#if defined(__GNUC__) && !defined(__clang__)
#define EXPR_VECTORIZE __attribute__((optimize("tree-vectorize", "vect-cost-model=cheap")))
#else
#define EXPR_VECTORIZE
#endif

#endif
