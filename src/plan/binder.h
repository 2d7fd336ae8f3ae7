/* binder.h: syntax trees to bound statements and logical plans.
 *
 * Layer: plan (depends on sql/, catalog/, expr/). The binder resolves names against the catalog,
 * types every expression, checks what PostgreSQL checks (42P01 unknown relation, 42703 unknown
 * column, 42702 ambiguous column, 42803 ungrouped column, 42804 mismatched types ...) with the
 * position of the offending name, and builds the LogicalOp tree. It does not change the catalog:
 * executing the statement is the engine's job.
 */
#ifndef EDDY_PLAN_BINDER_H
#define EDDY_PLAN_BINDER_H

#include "plan/logical.h"
#include "sql/parser.h"

/* Binds one statement. `sql` is the full text the statement was parsed from (for error
 * positions and for recording the CREATE text). Everything is allocated in `a`. */
int plan_bind(Catalog *cat, const AstStmt *stmt, const char *sql, Arena *a, BoundStmt **out,
	      Err *e);

/* The plan of a per-row subquery (LopSubquery) for one row of its outer input: outer[i] is the
 * value of the outer input's column i. Allocated in `a`. bind_subquery.c. */
LogicalOp *plan_subquery_bind(const LopSubquery *sq, const Value *outer, Arena *a, Err *e);

#endif
