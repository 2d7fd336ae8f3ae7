/* bind_int.h: what the binder's files share (private to plan/).
 *
 * Layer: plan. The binder is split by concern: binder.c binds statements (DDL, DML and the
 * small ones), bind_query.c queries (FROM, WHERE, GROUP BY, ORDER BY, set operations, VALUES),
 * bind_expr.c scalar expressions and aggregate calls. They share the Binder (one per statement:
 * catalog, arena, error, CTEs in scope, catalog objects read), Scope (the columns a name may
 * refer to) and BindCx (where an expression is being bound: which scope, whether aggregates are
 * allowed there). Nothing here changes the catalog.
 */
#ifndef EDDY_PLAN_BIND_INT_H
#define EDDY_PLAN_BIND_INT_H

#include "plan/binder.h"

/* An aggregate call found while binding a select list, HAVING or ORDER BY. Until the
 * aggregation is built, it stands in the expression as EXPR_COL number AGGREF_BASE + index
 * (its result type set), and is rewritten to the aggregation's output column afterwards. */
#define AGGREF_BASE (1 << 24)

typedef struct AggRef {
	const char *name;   /* as written, lower case: the output column's name */
	const AggFunc *fn;
	Expr *arg;          /* over the query's input; NULL for count(*) */
	Expr *filter;       /* FILTER (WHERE ...) over the input; NULL none */
	bool distinct;
	int location;
} AggRef;

typedef struct AggList {
	AggRef *v;
	int n, cap;
} AggList;

/* The columns visible to an expression: a FROM item's output. Each column remembers the name
 * of the relation (alias) that qualifies it, so `t.x` resolves and joins can be added later. */
typedef struct Scope {
	int ncols;
	const char **names;
	const char **quals;   /* per column; NULL when the relation has no name */
	TypeId *types;
	int nrels;
	const char **rels;    /* relation names in scope (for "missing FROM-clause entry") */
} Scope;

/* A WITH query in scope, innermost first. */
typedef struct CteScope {
	const AstCte *cte;
	struct CteScope *next;
} CteScope;

typedef struct Binder {
	Catalog *cat;
	Arena *a;
	Err *e;
	const char *sql;
	CteScope *ctes;
	CatObject **deps;     /* distinct catalog objects scanned, in order of first use */
	int ndeps, capdeps;
} Binder;

/* Where an expression is bound. */
typedef struct BindCx {
	Binder *b;
	const Scope *scope;   /* NULL: no columns (VALUES, LIMIT, constants) */
	AggList *aggs;        /* where aggregate calls are collected; NULL: not allowed ... */
	const char *clause;   /* ... in this clause ("WHERE", "GROUP BY", ...) */
	bool in_agg;          /* inside an aggregate's argument: nested calls are errors */
	bool append_only;     /* the input emits inserts only (cheaper aggregate variants) */
} BindCx;

/* ---- bind_expr.c */
Expr *bind_expr(BindCx *cx, const AstExpr *x);
/* Binds a condition: boolean (or an unknown literal coerced to it), else 42804 "argument of
 * WHERE must be type boolean, not type integer" at the expression. */
Expr *bind_condition(BindCx *cx, const AstExpr *x, const char *clause);
/* Type name as written to TypeId and typmod (42704 for unknown names). */
int bind_type(Binder *b, const AstType *t, TypeId *type, int32_t *typmod);
/* The output column name PostgreSQL gives an unaliased select-list expression. */
const char *bind_colname(Binder *b, const AstExpr *x);
/* Structural equality of bound expressions (positions ignored). */
bool bind_expr_equal(const Expr *x, const Expr *y);
/* Whether x contains an aggregate placeholder. */
bool bind_has_aggref(const Expr *x);
/* Evaluates a constant expression. */
int bind_eval_const(Binder *b, const Expr *x, Value *out);

/* ---- bind_query.c */
/* Binds a query to a plan whose output columns carry the query's column names. Unless
 * resolve_unknowns is false (INSERT sources and set-operation branches, as in PostgreSQL),
 * string literals of still unknown type become text. */
LogicalOp *bind_query(Binder *b, const AstQuery *q, bool resolve_unknowns);
/* A projection of child computing exprs named names (the child itself when trivial). */
LogicalOp *bind_project(Binder *b, LogicalOp *child, int n, Expr **exprs, const char **names);
/* A scan of a catalog object, recorded as a dependency. */
LogicalOp *bind_scan(Binder *b, CatObject *obj);
/* The scope of op's output columns, all qualified by `qual` (may be NULL). */
void bind_scope_init(Binder *b, Scope *s, const LogicalOp *op, const char *qual);

#endif
