/* optimize.h: the logical optimizer, run on every bound statement before it is executed.
 *
 * Layer: plan. Rewrites a LogicalOp tree into an equivalent one that holds less state: filters
 * move below joins and aggregations (and through projections, filters, windows and UNION ALL)
 * where SQL's semantics allow, and the inputs of joins, aggregations, group top-N, window
 * functions and UNION ALL keep only the columns used above them.
 * The rewritten tree shares nothing mutable with the binder's: every changed operator and
 * expression is a copy in the statement's arena, so the result has the same output columns
 * (names, types, order) and rows as the input. optimize.c describes the rules.
 */
#ifndef EDDY_PLAN_OPTIMIZE_H
#define EDDY_PLAN_OPTIMIZE_H

#include "plan/logical.h"

/* The optimized form of plan (NULL stays NULL), allocated in a. */
LogicalOp *plan_optimize(LogicalOp *plan, Arena *a);

/* Optimizes every plan a bound statement holds: its query, and an EXPLAIN's inner one. */
void plan_optimize_stmt(BoundStmt *st, Arena *a);

#endif
