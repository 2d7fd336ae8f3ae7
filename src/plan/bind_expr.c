/* bind_expr.c: SQL expressions to typed Expr trees.
 *
 * Layer: plan. Resolves column names against a Scope, turns literals into typed constants as
 * PostgreSQL does (integers int4, then int8, then numeric; decimals numeric; strings of unknown
 * type until context settles them), rewrites the sugar (BETWEEN, IS TRUE, IS DISTINCT FROM,
 * simple CASE, NULLIF) into the primitives of expr/, and collects aggregate calls into the
 * query's AggList, leaving a placeholder column behind. Every typed node is built through the
 * expr/ builders, which resolve operators and insert casts; this file never evaluates per row.
 */
#include <stdio.h>
#include <string.h>

#include "expr/func.h"
#include "plan/bind_int.h"

/* ---- types */

int bind_type(Binder *b, const AstType *t, TypeId *type, int32_t *typmod)
{
	*typmod = -1;
	if (t->array) {
		/* type[]: the array of the element type; element modifiers (varchar(10)[]) are
		 * checked and then not kept, arrays hold their elements as written. */
		AstType et = *t;
		et.array = false;
		TypeId elem;
		if (bind_type(b, &et, &elem, typmod) < 0)
			return -1;
		*typmod = -1;
		if ((*type = type_array_of(elem)) == T_NULL)
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, t->location,
					   "arrays of type %s are not supported", type_name(elem));
		return 0;
	}
	const char *tn = strncmp(t->name, "pg_catalog.", 11) == 0 ? t->name + 11 : t->name;
	if (!type_from_name(tn, type) || *type == T_NULL || *type == T_UNKNOWN)
		return err_set_pos(b->e, ERR_UNDEFINED_OBJECT, t->location,
				   "type \"%s\" does not exist", t->name);
	if (t->nmods == 0)
		return 0;
	switch (*type) {
	case T_VARCHAR:
		if (t->nmods > 1)
			return err_set_pos(b->e, ERR_SYNTAX, t->location,
					   "invalid type modifier for type \"%s\"", t->name);
		if (t->mods[0] < 1)
			return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, t->location,
					   "length for type %s must be at least 1", t->name);
		*typmod = t->mods[0];
		return 0;
	case T_NUMERIC: {
		int p = t->mods[0], s = t->nmods > 1 ? t->mods[1] : 0;
		if (p < 1 || p > NUMERIC_MAX_PRECISION)
			return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, t->location,
					   "NUMERIC precision %d must be between 1 and %d", p,
					   NUMERIC_MAX_PRECISION);
		if (s < 0 || s > p)
			return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, t->location,
					   "NUMERIC scale %d must be between 0 and precision %d", s,
					   p);
		*typmod = p << 16 | s;
		return 0;
	}
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
	case T_INTERVAL:
		/* Fractional-second precision: accepted, values keep microseconds. */
		if (t->nmods > 1 || t->mods[0] < 0 || t->mods[0] > 6)
			return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, t->location,
					   "invalid precision for type %s", t->name);
		return 0;
	default:
		return err_set_pos(b->e, ERR_SYNTAX, t->location,
				   "type modifier is not allowed for type \"%s\"", t->name);
	}
}

/* ---- output column names */

/* PostgreSQL's internal name of a type, which is what a cast names its column. */
static const char *cast_name(const AstType *t)
{
	TypeId id;
	if (strcmp(t->name, "text") == 0)
		return "text";
	if (!type_from_name(t->name, &id))
		return t->name;
	switch (id) {
	case T_BOOL: return "bool";
	case T_INT2: return "int2";
	case T_INT4: return "int4";
	case T_INT8: return "int8";
	case T_FLOAT4: return "float4";
	case T_FLOAT8: return "float8";
	case T_NUMERIC: return "numeric";
	case T_VARCHAR: return "varchar";
	case T_TIMESTAMP: return "timestamp";
	case T_TIMESTAMPTZ: return "timestamptz";
	case T_DATE: return "date";
	case T_INTERVAL: return "interval";
	default: return t->name;
	}
}

/* Returns NULL when the expression gives no name of its own (PostgreSQL's strength 0). */
static const char *figure_name(const AstExpr *x)
{
	switch (x->kind) {
	case AST_COLUMN:
		return x->column.star ? NULL : x->column.name;
	case AST_FUNC:
		return x->func.name;
	case AST_CAST: {
		const char *inner = figure_name(x->cast.arg);
		return inner ? inner : cast_name(x->cast.type);
	}
	case AST_SUBSCRIPT:
		return figure_name(x->subscript.arg);
	case AST_CASE:
		return "case";
	case AST_EXISTS:
		return "exists";
	case AST_SUBQUERY: {
		/* PostgreSQL names a scalar subquery after its only column. */
		const AstQuery *q = x->sub.query;
		if (q->kind != AST_QUERY_SELECT || q->ntargets != 1)
			return NULL;
		return q->targets[0].alias ? q->targets[0].alias : figure_name(q->targets[0].expr);
	}
	case AST_LITERAL:
		if (x->lit.kind == AST_LIT_BOOL)
			return "bool";
		if (x->lit.kind == AST_LIT_TYPED)
			return cast_name(x->lit.type);
		return NULL;
	default:
		return NULL;
	}
}

const char *bind_colname(Binder *b, const AstExpr *x)
{
	const char *n = figure_name(x);
	return n ? n : "?column?";
}

/* ---- equality and inspection */

static bool value_same(const Value *x, const Value *y)
{
	if (x->type != y->type || x->null != y->null)
		return false;
	if (x->null)
		return true;
	if (x->type == T_NULL)
		return true;
	if (x->type == T_UNKNOWN)
		return x->u.s.len == y->u.s.len && memcmp(x->u.s.p, y->u.s.p, x->u.s.len) == 0;
	return value_equal(x, y);
}

bool bind_expr_equal(const Expr *x, const Expr *y)
{
	if (x == y)
		return true;
	if (!x || !y || x->kind != y->kind || x->type != y->type || x->typmod != y->typmod ||
	    x->nargs != y->nargs || x->negated != y->negated || x->has_else != y->has_else)
		return false;
	switch (x->kind) {
	case EXPR_COL:
	case EXPR_PARAM:
		if (x->col != y->col)
			return false;
		break;
	case EXPR_CONST:
		if (!value_same(&x->val, &y->val))
			return false;
		break;
	case EXPR_FUNC:
		if (x->fn != y->fn)
			return false;
		break;
	default:
		break;
	}
	for (int i = 0; i < x->nargs; i++)
		if (!bind_expr_equal(x->args[i], y->args[i]))
			return false;
	return true;
}

bool bind_has_aggref(const Expr *x)
{
	if (x->kind == EXPR_COL && x->col >= AGGREF_BASE)
		return true;
	for (int i = 0; i < x->nargs; i++)
		if (bind_has_aggref(x->args[i]))
			return true;
	return false;
}

int bind_eval_const(Binder *b, const Expr *x, Value *out)
{
	ExprCtx cx;
	memset(&cx, 0, sizeof cx);
	cx.arena = b->a;
	cx.err = b->e;
	return expr_eval_const(x, out, &cx);
}

/* ---- literals */

static Expr *unknown_const(Binder *b, const char *text, int loc)
{
	Value v;
	memset(&v, 0, sizeof v);
	v.type = T_UNKNOWN;
	v.u.s.p = arena_strdup(b->a, text);
	v.u.s.len = (uint32_t)strlen(text);
	return expr_const(b->a, &v, loc);
}

static Expr *bind_literal(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	Value v;
	memset(&v, 0, sizeof v);
	switch (x->lit.kind) {
	case AST_LIT_INTEGER: {
		/* The narrowest of int4, int8, numeric that holds it, as PostgreSQL's lexer does. */
		static const TypeId try[] = {T_INT4, T_INT8, T_NUMERIC};
		size_t n = strlen(x->lit.text);
		for (size_t i = 0; i < sizeof try / sizeof try[0]; i++) {
			Err tmp;
			err_clear(&tmp);
			if (value_parse(try[i], x->lit.text, n, &v, b->a, &tmp) == 0)
				return expr_const(b->a, &v, x->location);
			if (i + 1 == sizeof try / sizeof try[0]) {
				*b->e = tmp;
				err_locate(b->e, x->location);
				return NULL;
			}
		}
		return NULL;
	}
	case AST_LIT_DECIMAL: {
		/* numeric, as in PostgreSQL; beyond numeric's 38 digits (1e300) the literal is a
		 * double precision value instead of an error, as close as eddy's numeric gets. */
		Err tmp;
		err_clear(&tmp);
		size_t n = strlen(x->lit.text);
		if (value_parse(T_NUMERIC, x->lit.text, n, &v, b->a, &tmp) == 0 ||
		    (tmp.code == ERR_NUMERIC_OUT_OF_RANGE &&
		     value_parse(T_FLOAT8, x->lit.text, n, &v, b->a, &tmp) == 0))
			return expr_const(b->a, &v, x->location);
		*b->e = tmp;
		err_locate(b->e, x->location);
		return NULL;
	}
	case AST_LIT_STRING:
		return unknown_const(b, x->lit.text, x->location);
	case AST_LIT_BOOL:
		v = value_int(T_BOOL, strcmp(x->lit.text, "true") == 0);
		return expr_const(b->a, &v, x->location);
	case AST_LIT_NULL:
		v = value_null(T_NULL);
		return expr_const(b->a, &v, x->location);
	case AST_LIT_TYPED: {
		TypeId t;
		int32_t typmod;
		if (bind_type(b, x->lit.type, &t, &typmod) < 0)
			return NULL;
		Expr *s = unknown_const(b, x->lit.text, x->location);
		Expr *r = expr_cast(b->a, s, t, typmod, true, x->location, b->e);
		if (!r)
			err_locate(b->e, x->location);
		return r;
	}
	}
	return NULL;
}

/* ---- column references */

static Expr *bind_column(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const Scope *s = cx->scope;
	const char *table = x->column.table, *name = x->column.name;
	if (x->column.star)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "row expressions (%s*) are not supported here",
				   table ? arena_printf(b->a, "%s.", table) : ""),
		       NULL;
	int found = -1;
	if (table) {
		bool rel = false;
		for (int i = 0; s && i < s->nrels; i++)
			if (s->rels[i] && strcmp(s->rels[i], table) == 0)
				rel = true;
		if (!rel) {
			Expr *o = bind_outer_column(b, table, name, x->location);
			if (o || err_failed(b->e))
				return o;
			err_set_pos(b->e, ERR_UNDEFINED_TABLE, x->location,
				    "missing FROM-clause entry for table \"%s\"", table);
			return NULL;
		}
		for (int i = 0; i < s->ncols; i++) {
			if (!s->quals[i] || strcmp(s->quals[i], table) || strcmp(s->names[i], name))
				continue;
			if (found >= 0) {
				err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN, x->location,
					    "column reference \"%s.%s\" is ambiguous", table, name);
				return NULL;
			}
			found = i;
		}
		if (found < 0) {
			err_set_pos(b->e, ERR_UNDEFINED_COLUMN, x->location,
				    "column %s.%s does not exist", table, name);
			return NULL;
		}
	} else {
		for (int i = 0; s && i < s->ncols; i++) {
			if (strcmp(s->names[i], name) || (s->hidden && s->hidden[i]))
				continue;
			if (found >= 0) {
				err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN, x->location,
					    "column reference \"%s\" is ambiguous", name);
				return NULL;
			}
			found = i;
		}
		if (found < 0) {
			Expr *o = bind_outer_column(b, NULL, name, x->location);
			if (o || err_failed(b->e))
				return o;
			err_set_pos(b->e, ERR_UNDEFINED_COLUMN, x->location,
				    "column \"%s\" does not exist", name);
			return NULL;
		}
	}
	return expr_col(b->a, found, s->types[found], x->location);
}

/* ---- helpers over built nodes */

static Expr *logic(BindCx *cx, ExprKind k, Expr *l, Expr *r, int loc)
{
	Expr *args[2] = {l, r};
	Expr *x = expr_logic(cx->b->a, k, args, r ? 2 : 1, loc, cx->b->e);
	if (!x)
		err_locate(cx->b->e, loc);
	return x;
}

static Expr *func2(BindCx *cx, const char *op, Expr *l, Expr *r, int loc)
{
	Expr *args[2] = {l, r};
	Expr *x = expr_func(cx->b->a, op, args, r ? 2 : 1, loc, cx->b->e);
	if (!x)
		err_locate(cx->b->e, loc);
	return x;
}

static Expr *bool_const(BindCx *cx, bool v, int loc)
{
	Value val = value_int(T_BOOL, v);
	return expr_const(cx->b->a, &val, loc);
}

/* Coerces a condition to boolean (an unknown literal such as 'true' is cast). */
static Expr *to_bool(BindCx *cx, Expr *x, const char *what, int loc)
{
	Binder *b = cx->b;
	if (x->type == T_BOOL)
		return x;
	if (x->type == T_UNKNOWN || x->type == T_NULL) {
		Expr *c = expr_cast(b->a, x, T_BOOL, -1, false, loc, b->e);
		if (!c)
			err_locate(b->e, loc);
		return c;
	}
	err_set_pos(b->e, ERR_DATATYPE_MISMATCH, loc, "argument of %s must be type boolean, not type %s",
		    what, type_name(x->type));
	return NULL;
}

Expr *bind_condition(BindCx *cx, const AstExpr *x, const char *clause)
{
	Expr *r = bind_expr(cx, x);
	return r ? to_bool(cx, r, clause, x->location) : NULL;
}

/* ---- compound syntaxes */

static Expr *bind_is(BindCx *cx, const AstExpr *x)
{
	int loc = x->location;
	Expr *arg = bind_expr(cx, x->is.arg);
	if (!arg)
		return NULL;
	bool neg = x->is.negated;
	switch (x->is.test) {
	case AST_IS_NULL:
		return logic(cx, neg ? EXPR_IS_NOT_NULL : EXPR_IS_NULL, arg, NULL, loc);
	case AST_IS_UNKNOWN:
		if (!(arg = to_bool(cx, arg, neg ? "IS NOT UNKNOWN" : "IS UNKNOWN", loc)))
			return NULL;
		return logic(cx, neg ? EXPR_IS_NOT_NULL : EXPR_IS_NULL, arg, NULL, loc);
	case AST_IS_TRUE:
	case AST_IS_FALSE: {
		/* x IS TRUE = coalesce(x, false); x IS FALSE = coalesce(NOT x, false). */
		bool is_true = x->is.test == AST_IS_TRUE;
		const char *what = is_true ? (neg ? "IS NOT TRUE" : "IS TRUE")
					   : (neg ? "IS NOT FALSE" : "IS FALSE");
		if (!(arg = to_bool(cx, arg, what, loc)))
			return NULL;
		if (!is_true && !(arg = logic(cx, EXPR_NOT, arg, NULL, loc)))
			return NULL;
		Expr *args[2] = {arg, bool_const(cx, false, loc)};
		Expr *r = expr_coalesce(cx->b->a, args, 2, loc, cx->b->e);
		if (r && neg)
			r = logic(cx, EXPR_NOT, r, NULL, loc);
		return r;
	}
	case AST_IS_DISTINCT_FROM: {
		/* CASE WHEN a IS NULL THEN b IS [NOT] NULL WHEN b IS NULL THEN <distinct>
		 * ELSE a <>|= b END */
		Expr *r = bind_expr(cx, x->is.right);
		if (!r)
			return NULL;
		Expr *cmp = func2(cx, neg ? "=" : "<>", arg, r, loc);
		Expr *anull = logic(cx, EXPR_IS_NULL, arg, NULL, loc);
		Expr *bnull = logic(cx, EXPR_IS_NULL, r, NULL, loc);
		Expr *bnotnull = logic(cx, neg ? EXPR_IS_NULL : EXPR_IS_NOT_NULL, r, NULL, loc);
		if (!cmp || !anull || !bnull || !bnotnull)
			return NULL;
		Expr *conds[2] = {anull, bnull};
		Expr *results[2] = {bnotnull, bool_const(cx, !neg, loc)};
		Expr *c = expr_case(cx->b->a, conds, results, 2, cmp, loc, cx->b->e);
		if (!c)
			err_locate(cx->b->e, loc);
		return c;
	}
	}
	return NULL;
}

static Expr *between(BindCx *cx, Expr *a, Expr *lo, Expr *hi, bool neg, int loc)
{
	Expr *l = func2(cx, neg ? "<" : ">=", a, lo, loc);
	Expr *h = l ? func2(cx, neg ? ">" : "<=", a, hi, loc) : NULL;
	return h ? logic(cx, neg ? EXPR_OR : EXPR_AND, l, h, loc) : NULL;
}

static Expr *bind_between(BindCx *cx, const AstExpr *x)
{
	int loc = x->location;
	Expr *a = bind_expr(cx, x->between.arg);
	Expr *lo = a ? bind_expr(cx, x->between.low) : NULL;
	Expr *hi = lo ? bind_expr(cx, x->between.high) : NULL;
	if (!hi)
		return NULL;
	bool neg = x->between.negated;
	Expr *r = between(cx, a, lo, hi, neg, loc);
	if (r && x->between.symmetric) {
		Expr *r2 = between(cx, a, hi, lo, neg, loc);
		r = r2 ? logic(cx, neg ? EXPR_AND : EXPR_OR, r, r2, loc) : NULL;
	}
	return r;
}

static Expr *bind_in(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	Expr *lhs = bind_expr(cx, x->in.arg);
	if (!lhs)
		return NULL;
	Expr **list = arena_alloc(b->a, (size_t)x->in.nlist * sizeof *list);
	for (int i = 0; i < x->in.nlist; i++)
		if (!(list[i] = bind_expr(cx, x->in.list[i])))
			return NULL;
	Expr *r = expr_in(b->a, lhs, list, x->in.nlist, x->in.negated, x->location, b->e);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

static Expr *bind_case(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	int n = x->kase.nwhens;
	Expr *operand = NULL;
	if (x->kase.operand && !(operand = bind_expr(cx, x->kase.operand)))
		return NULL;
	Expr **conds = arena_alloc(b->a, (size_t)n * sizeof *conds);
	Expr **results = arena_alloc(b->a, (size_t)n * sizeof *results);
	for (int i = 0; i < n; i++) {
		const AstWhen *w = &x->kase.whens[i];
		if (operand) {
			Expr *v = bind_expr(cx, w->cond);
			if (!v || !(conds[i] = func2(cx, "=", operand, v, w->cond->location)))
				return NULL;
		} else if (!(conds[i] = bind_condition(cx, w->cond, "CASE/WHEN"))) {
			return NULL;
		}
		if (!(results[i] = bind_expr(cx, w->result)))
			return NULL;
	}
	Expr *els = NULL;
	if (x->kase.else_ && !(els = bind_expr(cx, x->kase.else_)))
		return NULL;
	Expr *r = expr_case(b->a, conds, results, n, els, x->location, b->e);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

static Expr *bind_cast(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	TypeId t;
	int32_t typmod;
	Expr *arg = bind_expr(cx, x->cast.arg);
	if (!arg)
		return NULL;
	Expr *sys = x->cast.type->array ? NULL : syscat_cast(cx, arg, x->cast.type->name, x->location);
	if (sys || err_failed(b->e))
		return sys;
	if (bind_type(b, x->cast.type, &t, &typmod) < 0)
		return NULL;
	Expr *r = expr_cast(b->a, arg, t, typmod, true, x->location, b->e);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

/* ---- function calls and aggregates */

static Expr *bind_agg(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const char *name = x->func.name;
	int loc = x->location;
	if (!cx->aggs)
		return err_set_pos(b->e, ERR_GROUPING, loc,
				   "aggregate functions are not allowed in %s", cx->clause),
		       NULL;
	if (cx->in_agg)
		return err_set_pos(b->e, ERR_GROUPING, loc,
				   "aggregate function calls cannot be nested"),
		       NULL;
	if (x->func.norder)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "ORDER BY in aggregate calls is not supported yet"),
		       NULL;
	BindCx sub = *cx;
	sub.in_agg = true;
	Expr *arg = NULL;
	Value param;
	bool has_param = !x->func.star && x->func.nargs == 2 && agg_has_param(name);
	if (has_param) {
		/* approx_percentile(x, fraction): the fraction is a constant, folded here. */
		Expr *p = bind_expr(&sub, x->func.args[1]);
		if (!p)
			return NULL;
		if (!expr_is_const(p))
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->func.args[1]->location,
					   "the second argument of %s must be a constant", name),
			       NULL;
		if (bind_eval_const(b, p, &param) < 0) {
			err_locate(b->e, x->func.args[1]->location);
			return NULL;
		}
	}
	if (!x->func.star) {
		if (x->func.nargs != 1 && !has_param) {
			StrBuf sig;
			sb_init(&sig);
			for (int i = 0; i < x->func.nargs; i++) {
				Expr *ai = bind_expr(&sub, x->func.args[i]);
				if (!ai) {
					sb_deinit(&sig);
					return NULL;
				}
				sb_printf(&sig, "%s%s", i ? ", " : "", type_name(ai->type));
			}
			err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, loc,
				    "function %s(%s) does not exist", name, sig.data ? sig.data : "");
			sb_deinit(&sig);
			return NULL;
		}
		if (!(arg = bind_expr(&sub, x->func.args[0])))
			return NULL;
		/* An unknown literal argument is text, as PostgreSQL resolves it. */
		if (arg->type == T_UNKNOWN &&
		    !(arg = expr_cast(b->a, arg, T_VARCHAR, -1, false, loc, b->e)))
			return NULL;
	}
	Expr *filter = NULL;
	if (x->func.filter) {
		BindCx fcx = *cx;
		fcx.aggs = NULL;
		fcx.clause = "FILTER";
		if (!(filter = bind_condition(&fcx, x->func.filter, "FILTER")))
			return NULL;
	}
	const AggFunc *fn = has_param && !x->func.distinct
				    ? agg_resolve_param(name, arg->type, &param, b->e)
				    : agg_resolve(name, arg ? arg->type : T_NULL, x->func.star,
						  x->func.distinct, cx->append_only, b->e);
	if (!fn) {
		err_locate(b->e, loc);
		return NULL;
	}
	AggList *l = cx->aggs;
	int k;
	for (k = 0; k < l->n; k++) {
		AggRef *r = &l->v[k];
		if (r->fn == fn && r->distinct == x->func.distinct && bind_expr_equal(r->arg, arg) &&
		    bind_expr_equal(r->filter, filter))
			break;
	}
	if (k == l->n) {
		if (l->n == l->cap) {
			int cap = l->cap ? l->cap * 2 : 8;
			AggRef *v = arena_alloc(b->a, (size_t)cap * sizeof *v);
			if (l->n)
				memcpy(v, l->v, (size_t)l->n * sizeof *v);
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = (AggRef){.name = name,
					.fn = fn,
					.arg = arg,
					.filter = filter,
					.distinct = x->func.distinct,
					.location = loc};
	}
	return expr_col(b->a, AGGREF_BASE + k, fn->result_type, loc);
}

static Expr *bind_func(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const char *name = x->func.name;
	int loc = x->location;
	if (strncmp(name, "pg_catalog.", 11) == 0)
		name += 11;
	if (x->func.over)
		return bind_window_call(cx, x);
	if (agg_is_aggregate(name))
		return bind_agg(cx, x);
	if (x->func.distinct || x->func.filter || x->func.star || x->func.norder) {
		const char *what = x->func.distinct ? "DISTINCT"
				   : x->func.filter ? "FILTER"
				   : x->func.star   ? arena_printf(b->a, "%s(*)", name)
						    : "ORDER BY";
		return err_set_pos(b->e, ERR_WRONG_OBJECT_TYPE, loc,
				   "%s specified, but %s is not an aggregate function", what, name),
		       NULL;
	}
	if (strcmp(name, "regexp_match") == 0 && !func_exists(name))
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "arrays are not supported yet"),
		       err_hint(b->e, "regexp_match returns an array: take one element, as in "
				      "(regexp_match(s, p))[1]"),
		       NULL;
	int n = x->func.nargs;
	Expr **args = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *args);
	for (int i = 0; i < n; i++)
		if (!(args[i] = bind_expr(cx, x->func.args[i])))
			return NULL;
	Expr *r = syscat_func(cx, name, args, n, loc);
	if (r || err_failed(b->e))
		return r;
	if (strcmp(name, "coalesce") == 0) {
		r = expr_coalesce(b->a, args, n, loc, b->e);
	} else if (strcmp(name, "nullif") == 0 && n == 2) {
		/* NULLIF(a, b) = CASE WHEN a = b THEN NULL ELSE a END, typed as a. */
		Expr *eq = func2(cx, "=", args[0], args[1], loc);
		if (!eq)
			return NULL;
		Value nv = value_null(args[0]->type);
		Expr *null = expr_const(b->a, &nv, loc);
		r = expr_case(b->a, &eq, &null, 1, args[0], loc, b->e);
	} else {
		/* EXTRACT(f FROM x) is date_part('f', x) where the function table has no extract. */
		if (strcmp(name, "extract") == 0 && !func_exists("extract"))
			name = "date_part";
		r = expr_func(b->a, name, args, n, loc, b->e);
	}
	if (!r)
		err_locate(b->e, loc);
	return r;
}

/* arg[index]: element index (1-based) of an array, NULL out of range. regexp_match(s, p)[n]
 * (Nexmark q21) binds to regexp_match_at(s, p, n), which computes that element without building
 * the array. */
static Expr *bind_subscript(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const AstExpr *f = x->subscript.arg;
	Expr *args[3];
	if (f->kind == AST_FUNC && strcmp(f->func.name, "regexp_match") == 0 &&
	    f->func.nargs == 2 && !f->func.over && !f->func.distinct && !f->func.filter &&
	    !f->func.star && !f->func.norder) {
		for (int i = 0; i < 2; i++)
			if (!(args[i] = bind_expr(cx, f->func.args[i])))
				return NULL;
		if (!(args[2] = bind_expr(cx, x->subscript.index)))
			return NULL;
		Expr *r = expr_func(b->a, "regexp_match_at", args, 3, f->location, b->e);
		if (!r)
			err_locate(b->e, x->location);
		return r;
	}
	if (!(args[0] = bind_expr(cx, f)) || !(args[1] = bind_expr(cx, x->subscript.index)))
		return NULL;
	if (!type_is_array(args[0]->type))
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, x->location,
				   "cannot subscript type %s because it does not support subscripting",
				   args[0]->type == T_VARCHAR ? "text" : type_name(args[0]->type)),
		       NULL;
	if (!type_is_integer(args[1]->type) && args[1]->type != T_UNKNOWN &&
	    args[1]->type != T_NULL)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, x->subscript.index->location,
				   "array subscript must have type integer"),
		       NULL;
	Expr *r = expr_func(b->a, "array_subscript", args, 2, x->location, b->e);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

/* ARRAY[a, b, ...]: the elements converted to their common type (text for literals only). */
static Expr *bind_array_ctor(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	int n = x->func.nargs;
	if (n == 0)
		return err_set_pos(b->e, ERR_INDETERMINATE_DATATYPE, x->location,
				   "cannot determine type of empty array"),
		       err_hint(b->e, "Explicitly cast to the desired type, for example "
				      "ARRAY[]::integer[]."),
		       NULL;
	Expr **args = arena_alloc(b->a, (size_t)n * sizeof *args);
	TypeId *types = arena_alloc(b->a, (size_t)n * sizeof *types);
	for (int i = 0; i < n; i++) {
		if (!(args[i] = bind_expr(cx, x->func.args[i])))
			return NULL;
		types[i] = args[i]->type;
		if (type_is_array(types[i]))
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->func.args[i]->location,
					   "multidimensional arrays are not supported"),
			       NULL;
	}
	TypeId common;
	if (!expr_common_type(types, n, "ARRAY", &common, b->e)) {
		err_locate(b->e, x->location);
		return NULL;
	}
	if (common == T_NULL || common == T_UNKNOWN)
		common = T_VARCHAR;
	if (type_array_of(common) == T_NULL)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "arrays of type %s are not supported", type_name(common)),
		       NULL;
	for (int i = 0; i < n; i++)
		if (!(args[i] = expr_cast(b->a, args[i], common, -1, false, x->location, b->e))) {
			err_locate(b->e, x->func.args[i]->location);
			return NULL;
		}
	Expr *r = expr_func(b->a, "array_ctor", args, n, x->location, b->e);
	if (!r)
		err_locate(b->e, x->location);
	return r;
}

/* ---- the dispatcher */

static Expr *bind_binary(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const char *op = x->binary.op;
	Expr *l = bind_expr(cx, x->binary.left);
	Expr *r = l ? bind_expr(cx, x->binary.right) : NULL;
	if (!r)
		return NULL;
	bool is_and = strcmp(op, "and") == 0;
	if (is_and || strcmp(op, "or") == 0) {
		/* Flatten chains into one n-ary node: (a AND b AND c). */
		ExprKind k = is_and ? EXPR_AND : EXPR_OR;
		int nl = l->kind == k ? l->nargs : 1, nr = r->kind == k ? r->nargs : 1;
		Expr **args = arena_alloc(b->a, (size_t)(nl + nr) * sizeof *args);
		if (l->kind == k)
			memcpy(args, l->args, (size_t)nl * sizeof *args);
		else
			args[0] = l;
		if (r->kind == k)
			memcpy(args + nl, r->args, (size_t)nr * sizeof *args);
		else
			args[nl] = r;
		Expr *res = expr_logic(b->a, k, args, nl + nr, x->location, b->e);
		if (!res)
			err_locate(b->e, x->location);
		return res;
	}
	if (x->binary.escape) {
		/* ESCAPE '\\' is the default; another escape character goes through like_escape
		 * (PostgreSQL's rewrite of the pattern) where the function table has it. */
		const AstExpr *ex = x->binary.escape;
		bool dflt = ex->kind == AST_LITERAL && ex->lit.kind == AST_LIT_STRING &&
			    strcmp(ex->lit.text, "\\") == 0;
		if (!dflt) {
			if (!func_exists("like_escape"))
				return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ex->location,
						   "LIKE with an ESCAPE character other than "
						   "backslash is not supported yet"),
				       NULL;
			Expr *esc = bind_expr(cx, ex);
			if (!esc || !(r = func2(cx, "like_escape", r, esc, ex->location)))
				return NULL;
		}
	}
	if (strcmp(op, "!~") == 0 || strcmp(op, "!~*") == 0) {
		/* a !~ p is NOT (a ~ p), a !~* p NOT (a ~* p) (case-insensitive matching). */
		Expr *m = func2(cx, op + 1, l, r, x->location);
		return m && op[0] == '!' ? logic(cx, EXPR_NOT, m, NULL, x->location) : m;
	}
	return func2(cx, op, l, r, x->location);
}

Expr *bind_expr(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	switch (x->kind) {
	case AST_COLUMN:
		return bind_column(cx, x);
	case AST_LITERAL:
		return bind_literal(cx, x);
	case AST_PARAM:
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "parameters are not supported yet"),
		       NULL;
	case AST_UNARY: {
		Expr *arg = bind_expr(cx, x->unary.arg);
		if (!arg)
			return NULL;
		if (strcmp(x->unary.op, "not") == 0)
			return logic(cx, EXPR_NOT, arg, NULL, x->location);
		if (strcmp(x->unary.op, "+") == 0 && type_is_numeric_family(arg->type))
			return arg;
		return func2(cx, x->unary.op, arg, NULL, x->location);
	}
	case AST_BINARY:
		if (x->binary.right->kind == AST_FUNC && x->binary.right->func.nargs == 1 &&
		    (strcmp(x->binary.right->func.name, "any") == 0 ||
		     strcmp(x->binary.right->func.name, "all") == 0))
			return syscat_quantified(cx, x);
		return bind_binary(cx, x);
	case AST_IS:
		return bind_is(cx, x);
	case AST_BETWEEN:
		return bind_between(cx, x);
	case AST_IN_LIST:
		return bind_in(cx, x);
	case AST_SUBQUERY:
		return bind_subquery_expr(cx, x, SUBQ_SCALAR);
	case AST_IN_SUBQUERY:
	case AST_EXISTS:
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "EXISTS and IN (subquery) are supported only as top-level AND "
				   "conditions of WHERE"),
		       err_hint(b->e, "not under OR or NOT (but NOT EXISTS / NOT IN), and not in a "
				      "WHERE that also holds a scalar subquery"),
		       NULL;
	case AST_CASE:
		return bind_case(cx, x);
	case AST_CAST:
		return bind_cast(cx, x);
	case AST_FUNC:
		/* ARRAY(SELECT ...): the parser's array() call over one subquery. */
		if (strcmp(x->func.name, "array") == 0 && x->func.nargs == 1 &&
		    x->func.args[0]->kind == AST_SUBQUERY)
			return bind_subquery_expr(cx, x->func.args[0], SUBQ_ARRAY);
		if (x->func.syntax == AST_CALL_ARRAY)
			return bind_array_ctor(cx, x);
		return bind_func(cx, x);
	case AST_SUBSCRIPT:
		return bind_subscript(cx, x);
	}
	return err_set_pos(b->e, ERR_INTERNAL, x->location, "unknown expression kind %d", x->kind),
	       NULL;
}
