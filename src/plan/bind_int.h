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

/* A window function call found while binding a select list or ORDER BY (bind_over.c). It
 * stands in the expression as EXPR_COL number WINREF_BASE + index until the OVER operators are
 * built below the select list's projection. Expressions are over the query's input, then,
 * in a query that aggregates, over the aggregation's output (bind_query.c rewrites them). */
#define WINREF_BASE (2 << 24)

typedef struct WinRef {
	WinCall call;       /* kind, fn, frame; arg is filled in when the plan is built */
	Expr *arg;          /* NULL: none */
	Expr **part;
	int npart;
	Expr **order;
	SortKey *keys;      /* desc / nulls_first per order expression; col filled in later */
	int norder;
	TypeId type;
	const char *name;
	int location;
} WinRef;

typedef struct WinList {
	WinRef *v;
	int n, cap;
} WinList;

/* The columns visible to an expression: a FROM item's output. Each column remembers the name
 * of the relation (alias) that qualifies it, so `t.x` resolves and joins can be added later. */
typedef struct Scope {
	int ncols;
	const char **names;
	const char **quals;   /* per column; NULL when the relation has no name */
	TypeId *types;
	int nrels;
	const char **rels;    /* relation names in scope (for "missing FROM-clause entry") */
	const uint8_t *hidden; /* per column, 1: reachable only qualified, not by `*` (the USING
				* columns of a join's sides, shadowed outer columns); NULL none */
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
	bool eowc_allowed;    /* the query being bound may say EMIT ON WINDOW CLOSE (a view's) */
	/* While binding a per-row subquery: the columns of the queries around it, innermost
	 * first, which a name not found in the subquery's own scope may refer to. */
	const struct OuterScope *outer;
} Binder;

/* An enclosing query's columns seen from a subquery (bind_subquery.c): a name resolving here
 * binds as a constant, the row's value (vals NULL: a NULL of the column's type, when the
 * subquery is bound only to learn its type). */
typedef struct OuterScope {
	const Scope *scope;
	const Value *vals;
	const struct OuterScope *up;
} OuterScope;

/* Where an expression is bound. */
typedef struct BindCx {
	Binder *b;
	const Scope *scope;   /* NULL: no columns (VALUES, LIMIT, constants) */
	AggList *aggs;        /* where aggregate calls are collected; NULL: not allowed ... */
	const char *clause;   /* ... in this clause ("WHERE", "GROUP BY", ...) */
	bool in_agg;          /* inside an aggregate's argument: nested calls are errors */
	bool append_only;     /* the input emits inserts only (cheaper aggregate variants) */
	WinList *wins;        /* where window function calls are collected; NULL: not allowed */
	bool in_win;          /* inside a window call's arguments or definition */
	LogicalOp **input;    /* the operator scope's columns come from, which a scalar subquery
			       * wraps (bind_subquery.c); NULL: subqueries are not allowed here */
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

/* ---- bind_subquery.c */
/* `(SELECT ...)` (SUBQ_SCALAR) or `ARRAY(SELECT ...)` (SUBQ_ARRAY) in an expression: wraps
 * *cx->input in a per-row subquery scan and returns its value column. */
Expr *bind_subquery_expr(BindCx *cx, const AstExpr *x, SubqKind kind);
/* A name not in the scope of the expression being bound: the enclosing query's column as a
 * constant, or NULL (no error set) when none has that name. */
Expr *bind_outer_column(Binder *b, const char *table, const char *name, int loc);
/* Whether x holds a scalar or ARRAY subquery (not EXISTS / IN, which become joins). */
bool bind_has_scalar_subquery(const AstExpr *x);
/* 0A000 when `plan` (a view's) holds a per-row subquery. */
int bind_check_no_subquery(Binder *b, const LogicalOp *plan);

/* ---- bind_series.c */
/* generate_series(start, stop [, step]) in FROM, over constant integers. */
LogicalOp *bind_generate_series(Binder *b, const AstTableRef *ref, Scope *scope);

/* ---- bind_unnest.c */
/* unnest(array) in FROM, over a constant array: one row per element. */
LogicalOp *bind_unnest(Binder *b, const AstTableRef *ref, Scope *scope);

/* ---- bind_over.c */
/* Binds f(...) OVER (...): records it in cx->wins and returns its placeholder. Not allowed
 * there (WHERE, GROUP BY, ...): 42P20 "window functions are not allowed in WHERE". */
Expr *bind_window_call(BindCx *cx, const AstExpr *x);
/* Builds the OVER operators for the window calls over `input` (a projection below computes
 * expressions that are not plain columns) and rewrites the placeholders in out[0..nout) to
 * their columns. In a query that aggregates, `input` is the aggregation (and HAVING) and the
 * calls' expressions have been rewritten over its output. */
LogicalOp *bind_over_build(Binder *b, LogicalOp *input, WinList *wins, Expr **out, int nout);
/* Turns filters on a rank column (rn <= N, rn < N, rn = 1) over ROW_NUMBER/RANK/DENSE_RANK
 * into group top-N operators, anywhere in the plan. */
LogicalOp *bind_topn_rewrite(Binder *b, LogicalOp *op);

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
/* One FROM item (table, subquery, table function, join) and its scope. */
LogicalOp *bind_from_item(Binder *b, const AstTableRef *ref, Scope *scope);

/* ---- bind_join.c */
/* A JOIN tree FROM item. */
LogicalOp *bind_join(Binder *b, const AstTableRef *ref, Scope *scope);
/* A comma list of FROM items: inner joins without condition (WHERE may add one). */
LogicalOp *bind_from_list(Binder *b, AstTableRef **items, int n, Scope *scope);
/* Binds WHERE over *input (scope cx->scope): conjuncts over an inner join are pushed into it,
 * [NOT] EXISTS / [NOT] IN subqueries become semi/anti joins on *input; *rest receives what
 * remains to filter (NULL: nothing). */
int bind_where_joins(BindCx *cx, LogicalOp **input, const AstExpr *where, Expr **rest);
/* A named relation (a WITH query in scope, else a catalog object) and its scope. */
LogicalOp *bind_relation(Binder *b, const char *name, int loc, Scope *scope, const char *qual);
/* Renames the scope's columns (and relation) after `alias`; NULL alias: nothing. */
int bind_col_aliases(Binder *b, Scope *s, const AstAlias *alias);
/* A constant interval argument of a window table function. */
int bind_window_interval(Binder *b, const AstExpr *x, const char *what, Interval *out);

/* ---- bind_window.c */
/* HOP(rel, ts, slide, size [, offset]) and SESSION(rel, ts, gap) in FROM. */
LogicalOp *bind_window_tvf(Binder *b, const AstTableRef *ref, Scope *scope);
/* An aggregation over HOP (grouping by window_start or window_end) becomes HOP_AGG, which
 * shares per-slide panes; over SESSION, SESSION_AGG. Other aggregations are returned as they
 * are. NULL with b->e set when the aggregation cannot run over the window. */
LogicalOp *bind_window_agg(Binder *b, LogicalOp *agg);
/* Wraps a view's plan for EMIT ON WINDOW CLOSE (0A000 when it has no windowed watermark). */
LogicalOp *bind_window_eowc(Binder *b, LogicalOp *plan, int loc);

/* ---- syscat.c: the system catalog relations (pg_catalog, information_schema) and users */
/* A system relation named `name` ("pg_class", "pg_catalog.pg_class", "information_schema.
 * tables"): its rows, generated from the catalog now, and its scope. NULL with no error set when
 * the name is not a system relation. */
LogicalOp *syscat_relation(Binder *b, const char *name, int loc, Scope *scope, const char *qual);
/* The catalog functions psql and drivers call (pg_get_userbyid, format_type, ...) over bound
 * arguments; NULL with no error set when `name` is not one of them. */
Expr *syscat_func(BindCx *cx, const char *name, Expr **args, int nargs, int loc);
/* Casts to the catalog types: regclass, regtype, regnamespace, regrole, oid, name ...;
 * NULL with no error set when `type` is not one of them. */
Expr *syscat_cast(BindCx *cx, Expr *arg, const char *type, int loc);
/* a = ANY (array text), a <> ALL (array text): the parser's "any"/"all" call on the right. */
Expr *syscat_quantified(BindCx *cx, const AstExpr *x);
/* CREATE / ALTER / DROP USER. */
int syscat_bind_user(Binder *b, const AstStmt *st, BoundStmt **out);

#endif
