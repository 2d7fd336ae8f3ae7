/* bind_subquery.c: scalar subqueries `(SELECT ...)` and `ARRAY(SELECT ...)` in a select list.
 *
 * Layer: plan. Such a subquery may name columns of the query around it (a correlated
 * subquery: `(SELECT max(x) FROM t WHERE t.k = o.k)`). PostgreSQL evaluates it once per outer
 * row with the outer columns as parameters; eddy does the same for ad-hoc queries, and it is the
 * whole design: the binder wraps the query's input (for the select list, or for WHERE when it
 * holds one) in a LopSubquery scan (the input's columns,
 * then the subquery's value), binds the subquery once with the outer columns as typed NULLs to
 * learn its type, and keeps its syntax tree; the batch executor then binds it again for each
 * outer row with that row's values as constants (plan_subquery_bind) and runs it. Binding per row
 * costs microseconds, so catalog queries and small inputs are cheap; a large outer input pays
 * one small query per row. Because the outer values are constants of the row's plan, every
 * query feature works inside the subquery (joins, aggregates, table functions of outer values).
 *
 * Views cannot hold such a subquery: a view's dataflow would have to re-run it on every outer
 * change and on every change of what it reads, so CREATE MATERIALIZED VIEW rejects it (0A000).
 * Nothing here runs a query or changes the catalog.
 */
#include "plan/bind_int.h"

#include <string.h>

/* What binding the subquery again needs; lives in the statement's arena. */
typedef struct SubqueryBind {
	Catalog *cat;
	const char *sql;
	CteScope *ctes;
	const AstQuery *query;
	OuterScope outer;  /* vals NULL; each row's plan gets a copy holding its values */
} SubqueryBind;

Expr *bind_outer_column(Binder *b, const char *table, const char *name, int loc)
{
	for (const OuterScope *o = b->outer; o; o = o->up) {
		const Scope *s = o->scope;
		int found = -1;
		for (int i = 0; i < s->ncols; i++) {
			if (strcmp(s->names[i], name) != 0)
				continue;
			if (table ? !s->quals[i] || strcmp(s->quals[i], table) != 0
				  : s->hidden && s->hidden[i])
				continue;
			if (found >= 0) {
				err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN, loc,
					    "column reference \"%s\" is ambiguous", name);
				return NULL;
			}
			found = i;
		}
		if (found < 0)
			continue;
		Value v = o->vals ? o->vals[found] : value_null(s->types[found]);
		v.type = s->types[found];
		return expr_const(b->a, &v, loc);
	}
	return NULL;
}

Expr *bind_subquery_expr(BindCx *cx, const AstExpr *x, SubqKind kind)
{
	Binder *b = cx->b;
	if (!cx->input || !cx->scope)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "subqueries are not supported in %s yet", cx->clause),
		       err_hint(b->e, "use a subquery in the select list, or a join"), NULL;
	if (cx->in_agg || cx->in_win)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "subqueries inside aggregate or window calls are not supported"),
		       NULL;
	SubqueryBind *sb = arena_calloc(b->a, sizeof *sb);
	Scope *scope = arena_alloc(b->a, sizeof *scope);
	*scope = *cx->scope; /* the Scope struct may live on the caller's stack, its arrays not */
	sb->cat = b->cat;
	sb->sql = b->sql;
	sb->ctes = b->ctes;
	sb->query = x->sub.query;
	sb->outer = (OuterScope){.scope = scope, .vals = NULL, .up = b->outer};

	/* Bound once now, outer columns as NULLs, for its type and its errors. */
	const OuterScope *saved = b->outer;
	b->outer = &sb->outer;
	LogicalOp *inner = bind_query(b, x->sub.query, true);
	b->outer = saved;
	if (!inner)
		return NULL;
	if (inner->ncols != 1)
		return err_set_pos(b->e, ERR_SYNTAX, x->location,
				   "subquery must return only one column"),
		       NULL;
	if (kind == SUBQ_ARRAY && type_is_array(inner->cols[0].type))
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "multidimensional arrays are not supported"),
		       NULL;

	LogicalOp *outer = *cx->input;
	int n = outer->ncols;
	LogicalOp *op = lop_new(b->a, LOP_SCAN, n + 1, 0);
	if (n)
		memcpy(op->cols, outer->cols, (size_t)n * sizeof *op->cols);
	op->cols[n] = inner->cols[0];
	op->cols[n].name = arena_strdup(b->a, kind == SUBQ_ARRAY ? "array" : bind_colname(b, x));
	if (kind == SUBQ_ARRAY) {
		/* The array of the column's type (text[] for untyped literals). */
		TypeId at = type_array_of(inner->cols[0].type);
		op->cols[n].type = at == T_NULL ? T_VARCHAR_ARRAY : at;
		op->cols[n].typmod = -1;
	}
	op->append_only = true;
	op->subq = arena_calloc(b->a, sizeof *op->subq);
	op->subq->kind = kind;
	op->subq->outer = outer;
	op->subq->bind = sb;
	op->subq->location = x->location;
	*cx->input = op;
	return expr_col(b->a, n, op->cols[n].type, x->location);
}

bool bind_has_scalar_subquery(const AstExpr *x)
{
	if (!x)
		return false;
	switch (x->kind) {
	case AST_SUBQUERY:
		return true;
	case AST_UNARY:
		return bind_has_scalar_subquery(x->unary.arg);
	case AST_BINARY:
		return bind_has_scalar_subquery(x->binary.left) ||
		       bind_has_scalar_subquery(x->binary.right) ||
		       bind_has_scalar_subquery(x->binary.escape);
	case AST_IS:
		return bind_has_scalar_subquery(x->is.arg) || bind_has_scalar_subquery(x->is.right);
	case AST_BETWEEN:
		return bind_has_scalar_subquery(x->between.arg) ||
		       bind_has_scalar_subquery(x->between.low) ||
		       bind_has_scalar_subquery(x->between.high);
	case AST_IN_LIST:
		for (int i = 0; i < x->in.nlist; i++)
			if (bind_has_scalar_subquery(x->in.list[i]))
				return true;
		return bind_has_scalar_subquery(x->in.arg);
	case AST_IN_SUBQUERY:
		return bind_has_scalar_subquery(x->in.arg);
	case AST_CASE:
		for (int i = 0; i < x->kase.nwhens; i++)
			if (bind_has_scalar_subquery(x->kase.whens[i].cond) ||
			    bind_has_scalar_subquery(x->kase.whens[i].result))
				return true;
		return bind_has_scalar_subquery(x->kase.operand) ||
		       bind_has_scalar_subquery(x->kase.else_);
	case AST_CAST:
		return bind_has_scalar_subquery(x->cast.arg);
	case AST_FUNC:
		for (int i = 0; i < x->func.nargs; i++)
			if (bind_has_scalar_subquery(x->func.args[i]))
				return true;
		return bind_has_scalar_subquery(x->func.filter);
	case AST_SUBSCRIPT:
		return bind_has_scalar_subquery(x->subscript.arg) ||
		       bind_has_scalar_subquery(x->subscript.index);
	default:
		return false; /* columns, literals, parameters; EXISTS is a join of its own */
	}
}

LogicalOp *plan_subquery_bind(const LopSubquery *sq, const Value *outer, Arena *a, Err *e)
{
	const SubqueryBind *sb = sq->bind;
	OuterScope *os = arena_alloc(a, sizeof *os);
	*os = sb->outer;
	os->vals = outer;
	Binder b;
	memset(&b, 0, sizeof b);
	b.cat = sb->cat;
	b.a = a;
	b.e = e;
	b.sql = sb->sql;
	b.ctes = sb->ctes;
	b.outer = os;
	return bind_query(&b, sb->query, true);
}

int bind_check_no_subquery(Binder *b, const LogicalOp *plan)
{
	if (plan->subq)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, plan->subq->location,
				   "subqueries in the select list of a materialized view are not "
				   "supported"),
		       err_hint(b->e, "join the subquery's relation instead, or use the subquery "
				      "in a query of the view"),
		       -1;
	for (int i = 0; i < plan->nchildren; i++)
		if (bind_check_no_subquery(b, plan->children[i]) < 0)
			return -1;
	return 0;
}
