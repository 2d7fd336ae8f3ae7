/* bind_query.c: queries to logical plans.
 *
 * Layer: plan. Binds SELECT cores (FROM, WHERE, GROUP BY, HAVING, select list, DISTINCT,
 * ORDER BY, LIMIT/OFFSET), VALUES lists, UNION [ALL] and WITH queries (inlined where they are
 * referenced), and TUMBLE windows in FROM. The plan shapes are fixed so that the dataflow
 * builder and EXPLAIN see plain columns everywhere: an aggregation gets a projection below it
 * computing its group keys, arguments and FILTER predicates as columns, then a filter for
 * HAVING and a projection computing the select list over its output (window functions put
 * their OVER operators between the two, over the aggregation's output); ORDER BY on expressions
 * not in the select list adds hidden columns that a last projection drops.
 * Watermark columns and append-only flags are derived here, op by op (see logical.h).
 */
#include <stdlib.h>
#include <string.h>

#include "expr/func.h"
#include "plan/bind_int.h"

/* ---- small builders */

/* op's output columns are child's (same count). */
static void copy_cols(LogicalOp *op, const LogicalOp *child)
{
	if (child->ncols)
		memcpy(op->cols, child->cols, (size_t)child->ncols * sizeof *op->cols);
}

static const char **names_alloc(Binder *b, int n)
{
	return arena_calloc(b->a, (size_t)(n ? n : 1) * sizeof(const char *));
}

void bind_scope_init(Binder *b, Scope *s, const LogicalOp *op, const char *qual)
{
	int n = op->ncols;
	s->ncols = n;
	s->names = names_alloc(b, n);
	s->quals = names_alloc(b, n);
	s->types = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *s->types);
	for (int i = 0; i < n; i++) {
		s->names[i] = op->cols[i].name;
		s->quals[i] = qual;
		s->types[i] = op->cols[i].type;
	}
	s->nrels = qual ? 1 : 0;
	s->rels = names_alloc(b, 1);
	s->rels[0] = qual;
	s->hidden = NULL;
}

static void add_dep(Binder *b, CatObject *obj)
{
	for (int i = 0; i < b->ndeps; i++)
		if (b->deps[i] == obj)
			return;
	if (b->ndeps == b->capdeps) {
		int cap = b->capdeps ? b->capdeps * 2 : 4;
		CatObject **v = arena_alloc(b->a, (size_t)cap * sizeof *v);
		if (b->ndeps)
			memcpy(v, b->deps, (size_t)b->ndeps * sizeof *v);
		b->deps = v;
		b->capdeps = cap;
	}
	b->deps[b->ndeps++] = obj;
}

LogicalOp *bind_scan(Binder *b, CatObject *obj)
{
	LogicalOp *op = lop_new(b->a, LOP_SCAN, obj->ncols, 0);
	for (int i = 0; i < obj->ncols; i++)
		op->cols[i] = obj->cols[i];
	op->obj = obj;
	op->wm_col = obj->wm_col;
	op->append_only = obj->append_only || obj->kind == OBJ_STREAM || obj->kind == OBJ_SOURCE;
	add_dep(b, obj);
	return op;
}

static void count_refs(const Expr *x, int *refs)
{
	if (x->kind == EXPR_COL)
		refs[x->col]++;
	for (int i = 0; i < x->nargs; i++)
		count_refs(x->args[i], refs);
}

/* x with every column reference replaced by the expression that computes it in `below`. */
static Expr *inline_cols(Binder *b, Expr *x, Expr **below)
{
	if (x->kind == EXPR_COL)
		return below[x->col];
	if (x->nargs == 0)
		return x;
	Expr *c = arena_alloc(b->a, sizeof *c);
	*c = *x;
	c->args = arena_alloc(b->a, (size_t)x->nargs * sizeof *c->args);
	for (int i = 0; i < x->nargs; i++)
		c->args[i] = inline_cols(b, x->args[i], below);
	return c;
}

/* Whether a projection over the projection `child` can be folded into one: only when no
 * computed column of child would be evaluated twice. */
static bool can_merge(const LogicalOp *child, int n, Expr **exprs)
{
	int *refs = mem_calloc((size_t)(child->ncols ? child->ncols : 1), sizeof *refs);
	bool ok = true;
	for (int i = 0; i < n; i++)
		count_refs(exprs[i], refs);
	for (int c = 0; c < child->ncols && ok; c++) {
		ExprKind k = child->exprs[c]->kind;
		ok = refs[c] <= 1 || k == EXPR_COL || k == EXPR_CONST;
	}
	mem_free(refs);
	return ok;
}

LogicalOp *bind_project(Binder *b, LogicalOp *child, int n, Expr **exprs, const char **names)
{
	bool trivial = n == child->ncols;
	for (int i = 0; trivial && i < n; i++)
		trivial = exprs[i]->kind == EXPR_COL && exprs[i]->col == i &&
			  strcmp(names[i], child->cols[i].name) == 0;
	if (trivial)
		return child;
	if (child->kind == LOP_PROJECT && can_merge(child, n, exprs)) {
		Expr **merged = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *merged);
		for (int i = 0; i < n; i++)
			merged[i] = inline_cols(b, exprs[i], child->exprs);
		return bind_project(b, child->children[0], n, merged, names);
	}
	LogicalOp *op = lop_new(b->a, LOP_PROJECT, n, 1);
	op->children[0] = child;
	op->nexprs = n;
	op->exprs = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *op->exprs);
	op->append_only = child->append_only;
	for (int i = 0; i < n; i++) {
		Expr *x = exprs[i];
		op->exprs[i] = x;
		op->cols[i].name = arena_strdup(b->a, names[i]);
		op->cols[i].type = x->type;
		op->cols[i].typmod = x->kind == EXPR_CAST ? x->typmod : -1;
		if (x->kind == EXPR_COL) {
			op->cols[i].typmod = child->cols[x->col].typmod;
			op->cols[i].not_null = child->cols[x->col].not_null;
			if (x->col == child->wm_col && op->wm_col < 0)
				op->wm_col = i;
			if (child->wm_col >= 0 && x->col == child->wm_end_col && op->wm_end_col < 0)
				op->wm_end_col = i;
		}
	}
	if (op->wm_col < 0) { /* only window_end kept: its watermark is the one left */
		op->wm_col = op->wm_end_col;
		op->wm_end_col = -1;
	}
	return op;
}

static LogicalOp *make_filter(Binder *b, LogicalOp *child, Expr *cond)
{
	LogicalOp *op = lop_new(b->a, LOP_FILTER, child->ncols, 1);
	copy_cols(op, child);
	op->children[0] = child;
	op->nexprs = 1;
	op->exprs = arena_alloc(b->a, sizeof *op->exprs);
	op->exprs[0] = cond;
	op->wm_col = child->wm_col;
	op->wm_end_col = child->wm_end_col;
	op->append_only = child->append_only;
	return op;
}

/* Narrows a stream scan's event-time range by one WHERE conjunct `col op constant` (either
 * side) on its event-time column; anything else leaves the range as it is. */
static void narrow_time(LogicalOp *scan, const Expr *x)
{
	if (x->kind == EXPR_AND) {
		for (int i = 0; i < x->nargs; i++)
			narrow_time(scan, x->args[i]);
		return;
	}
	if (x->kind != EXPR_FUNC || x->nargs != 2)
		return;
	const char *op = x->fn->name;
	const Expr *col = x->args[0], *k = x->args[1];
	bool flip = col->kind != EXPR_COL;
	if (flip) {
		col = x->args[1];
		k = x->args[0];
	}
	TypeId t = scan->cols[scan->wm_col].type;
	if (col->kind != EXPR_COL || col->col != scan->wm_col || k->kind != EXPR_CONST ||
	    k->val.null || k->type != t || col->type != t)
		return;
	if (t != T_TIMESTAMP && t != T_TIMESTAMPTZ && t != T_INT8)
		return;
	int64_t v = k->val.u.i;
	/* With the constant on the left, `k < col` is `col > k`. */
	bool lt = !strcmp(op, "<"), le = !strcmp(op, "<="), gt = !strcmp(op, ">"),
	     ge = !strcmp(op, ">="), eq = !strcmp(op, "=");
	if (flip) {
		bool l = lt, e = le;
		lt = gt;
		le = ge;
		gt = l;
		ge = e;
	}
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	if (lt || le || eq)
		hi = lt ? (v == INT64_MIN ? v : v - 1) : v;
	if (gt || ge || eq)
		lo = gt ? (v == INT64_MAX ? v : v + 1) : v;
	if (!(lt || le || gt || ge || eq))
		return;
	if (!scan->scan_by_time) {
		scan->scan_by_time = true;
		scan->scan_min_time = INT64_MIN;
		scan->scan_max_time = INT64_MAX;
	}
	if (lo > scan->scan_min_time)
		scan->scan_min_time = lo;
	if (hi < scan->scan_max_time)
		scan->scan_max_time = hi;
}

/* A WHERE directly over a stream scan with an event-time column records the time range its
 * conjuncts imply on the scan, so a scan of the stream's log reads only the batches in it. */
static void scan_time_range(LogicalOp *in, const Expr *where)
{
	if (in->kind != LOP_SCAN || !in->obj || in->obj->kind != OBJ_STREAM || in->wm_col < 0)
		return;
	narrow_time(in, where);
}

/* SELECT DISTINCT / UNION: an aggregation grouping every column, without aggregates. */
static LogicalOp *make_distinct(Binder *b, LogicalOp *child)
{
	LogicalOp *op = lop_new(b->a, LOP_AGG, child->ncols, 1);
	copy_cols(op, child);
	op->children[0] = child;
	op->ngroup = child->ncols;
	op->group_cols = arena_alloc(b->a, (size_t)(child->ncols ? child->ncols : 1) * sizeof(int));
	for (int i = 0; i < child->ncols; i++)
		op->group_cols[i] = i;
	op->wm_col = child->wm_col;
	op->append_only = false;
	return op;
}

/* A projection casting op's columns to `types` (op itself when nothing changes). */
static LogicalOp *coerce_columns(Binder *b, LogicalOp *op, const TypeId *types)
{
	bool same = true;
	for (int i = 0; i < op->ncols; i++)
		same = same && op->cols[i].type == types[i];
	if (same)
		return op;
	Expr **exprs = arena_alloc(b->a, (size_t)op->ncols * sizeof *exprs);
	const char **names = names_alloc(b, op->ncols);
	for (int i = 0; i < op->ncols; i++) {
		exprs[i] = expr_col(b->a, i, op->cols[i].type, 0);
		names[i] = op->cols[i].name;
		if (op->cols[i].type != types[i] &&
		    !(exprs[i] = expr_cast(b->a, exprs[i], types[i], -1, false, 0, b->e)))
			return NULL;
	}
	return bind_project(b, op, op->ncols, exprs, names);
}

/* Unknown-typed (string literal) and untyped NULL columns become text, as PostgreSQL resolves
 * a query's output. */
static LogicalOp *unknowns_to_text(Binder *b, LogicalOp *op)
{
	TypeId *types = arena_alloc(b->a, (size_t)(op->ncols ? op->ncols : 1) * sizeof *types);
	for (int i = 0; i < op->ncols; i++) {
		TypeId t = op->cols[i].type;
		types[i] = t == T_UNKNOWN || t == T_NULL ? T_VARCHAR : t;
	}
	return coerce_columns(b, op, types);
}

/* ---- FROM */


/* Applies `AS t(a, b)` column aliases to a scope. */
int bind_col_aliases(Binder *b, Scope *s, const AstAlias *alias)
{
	if (!alias || alias->ncols == 0)
		return 0;
	if (alias->ncols > s->ncols)
		return err_set_pos(b->e, ERR_INVALID_COLUMN_REFERENCE, alias->location,
				   "table \"%s\" has %d columns available but %d columns specified",
				   alias->name, s->ncols, alias->ncols);
	for (int i = 0; i < alias->ncols; i++)
		s->names[i] = alias->cols[i];
	return 0;
}

/* A named relation: a WITH query in scope, else a catalog object. */
LogicalOp *bind_relation(Binder *b, const char *name, int loc, Scope *scope, const char *qual)
{
	for (CteScope *c = b->ctes; c; c = c->next) {
		if (strcmp(c->cte->name, name))
			continue;
		/* The WITH query sees only the CTEs defined before it. */
		CteScope *saved = b->ctes;
		b->ctes = c->next;
		LogicalOp *op = bind_query(b, c->cte->query, true);
		b->ctes = saved;
		if (!op)
			return NULL;
		bind_scope_init(b, scope, op, qual);
		if (c->cte->ncols > op->ncols)
			return err_set_pos(b->e, ERR_INVALID_COLUMN_REFERENCE, c->cte->location,
					   "WITH query \"%s\" has %d columns available but %d "
					   "columns specified",
					   name, op->ncols, c->cte->ncols),
			       NULL;
		for (int i = 0; i < c->cte->ncols; i++)
			scope->names[i] = c->cte->cols[i];
		return op;
	}
	/* pg_catalog comes first in the search path, as in PostgreSQL; then public. */
	LogicalOp *sys = syscat_relation(b, name, loc, scope, qual);
	if (sys || err_failed(b->e))
		return sys;
	CatObject *obj = catalog_find(b->cat, name);
	if (!obj)
		return err_set_pos(b->e, ERR_UNDEFINED_TABLE, loc, "relation \"%s\" does not exist",
				   name),
		       NULL;
	if (obj->kind == OBJ_SINK)
		return err_set_pos(b->e, ERR_WRONG_OBJECT_TYPE, loc,
				   "\"%s\" is a sink: its rows go out, they cannot be read", name),
		       NULL;
	LogicalOp *op = bind_scan(b, obj);
	bind_scope_init(b, scope, op, qual);
	return op;
}

/* A constant interval argument of a window function, in microseconds. */
int bind_window_interval(Binder *b, const AstExpr *x, const char *what, Interval *out)
{
	BindCx cx = {.b = b, .clause = "window arguments"};
	Expr *v = bind_expr(&cx, x);
	if (!v)
		return -1;
	if (v->type == T_UNKNOWN && !(v = expr_cast(b->a, v, T_INTERVAL, -1, false, 0, b->e)))
		return -1;
	if (v->type != T_INTERVAL)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, x->location,
				   "window %s must be of type interval, not type %s", what,
				   type_name(v->type));
	Value val;
	if (bind_eval_const(b, v, &val) < 0) {
		err_locate(b->e, x->location);
		return -1;
	}
	if (val.null)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, x->location,
				   "invalid window %s", what);
	*out = val.u.iv;
	return 0;
}

static LogicalOp *bind_tumble(Binder *b, const AstTableRef *ref, Scope *scope)
{
	const AstExpr *f = ref->func;
	int loc = f->location;
	if (f->func.nargs < 3 || f->func.nargs > 4)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, loc,
				   "function tumble takes a relation, a time column, a window size "
				   "and an optional offset"),
		       NULL;
	const AstExpr *rel = f->func.args[0];
	if (rel->kind != AST_COLUMN || rel->column.star || rel->column.table)
		return err_set_pos(b->e, ERR_SYNTAX, rel->location,
				   "the first argument of TUMBLE must be a relation name"),
		       NULL;
	const char *qual = ref->alias ? ref->alias->name : rel->column.name;
	Scope in;
	LogicalOp *child = bind_relation(b, rel->column.name, rel->location, &in, qual);
	if (!child)
		return NULL;
	BindCx cx = {.b = b, .scope = &in, .clause = "TUMBLE"};
	Expr *tc = bind_expr(&cx, f->func.args[1]);
	if (!tc)
		return NULL;
	if (tc->kind != EXPR_COL)
		return err_set_pos(b->e, ERR_SYNTAX, f->func.args[1]->location,
				   "the time argument of TUMBLE must be a column"),
		       NULL;
	if (tc->type != T_TIMESTAMP && tc->type != T_TIMESTAMPTZ)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, f->func.args[1]->location,
				   "the time column of TUMBLE must be of type timestamp or "
				   "timestamp with time zone, not type %s",
				   type_name(tc->type)),
		       NULL;
	Interval size, offset = {0, 0, 0};
	if (bind_window_interval(b, f->func.args[2], "size", &size) < 0)
		return NULL;
	int64_t size_us = size.us + (int64_t)size.days * US_PER_DAY;
	if (size.months != 0 || size_us <= 0)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, f->func.args[2]->location,
				   "invalid window size"),
		       NULL;
	int64_t offset_us = 0;
	if (f->func.nargs == 4) {
		if (bind_window_interval(b, f->func.args[3], "offset", &offset) < 0)
			return NULL;
		offset_us = offset.us + (int64_t)offset.days * US_PER_DAY;
		if (offset.months != 0 || offset_us >= size_us || -offset_us >= size_us)
			return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE,
					   f->func.args[3]->location, "invalid window offset"),
			       NULL;
	}

	int n = child->ncols;
	LogicalOp *op = lop_new(b->a, LOP_TUMBLE, n + 2, 1);
	if (n)
		memcpy(op->cols, child->cols, (size_t)n * sizeof *op->cols);
	/* Scope names (CTE column aliases) win over the child's own names. */
	for (int i = 0; i < n; i++)
		op->cols[i].name = (char *)in.names[i];
	op->cols[n] = (ColumnDef){.name = "window_start", .type = tc->type, .typmod = -1};
	op->cols[n + 1] = (ColumnDef){.name = "window_end", .type = tc->type, .typmod = -1};
	op->children[0] = child;
	op->time_col = tc->col;
	op->size_us = size_us;
	op->offset_us = offset_us;
	op->append_only = child->append_only;
	op->wm_col = child->wm_col >= 0 && child->wm_col == tc->col ? n : -1;
	op->wm_end_col = op->wm_col >= 0 ? n + 1 : -1;
	bind_scope_init(b, scope, op, qual);
	if (bind_col_aliases(b, scope, ref->alias) < 0)
		return NULL;
	return op;
}

LogicalOp *bind_from_item(Binder *b, const AstTableRef *ref, Scope *scope)
{
	switch (ref->kind) {
	case AST_REF_TABLE: {
		const char *rname = ref->name;
		if (ref->schema && (strcmp(ref->schema, "pg_catalog") == 0 ||
				    strcmp(ref->schema, "information_schema") == 0))
			rname = arena_printf(b->a, "%s.%s", ref->schema, ref->name);
		else if (ref->schema && strcmp(ref->schema, "public") != 0)
			return err_set_pos(b->e, ERR_UNDEFINED_TABLE, ref->location,
					   "relation \"%s.%s\" does not exist", ref->schema,
					   ref->name),
			       NULL;
		if (ref->as_of)
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->as_of->location,
					   "FOR SYSTEM_TIME AS OF is only supported on the right "
					   "side of a JOIN"),
			       NULL;
		const char *qual = ref->alias ? ref->alias->name : ref->name;
		LogicalOp *op = bind_relation(b, rname, ref->location, scope, qual);
		if (!op || bind_col_aliases(b, scope, ref->alias) < 0)
			return NULL;
		return op;
	}
	case AST_REF_SUBQUERY: {
		LogicalOp *op = bind_query(b, ref->query, true);
		if (!op)
			return NULL;
		bind_scope_init(b, scope, op, ref->alias ? ref->alias->name : NULL);
		if (bind_col_aliases(b, scope, ref->alias) < 0)
			return NULL;
		return op;
	}
	case AST_REF_FUNC: {
		const char *name = ref->func->func.name;
		if (strcmp(name, "tumble") == 0)
			return bind_tumble(b, ref, scope);
		if (strcmp(name, "hop") == 0 || strcmp(name, "session") == 0)
			return bind_window_tvf(b, ref, scope);
		if (strcmp(name, "generate_series") == 0)
			return bind_generate_series(b, ref, scope);
		if (strcmp(name, "unnest") == 0 || strcmp(name, "pg_options_to_table") == 0)
			return bind_unnest(b, ref, scope);
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->location,
				   "table function %s is not supported", name),
		       NULL;
	}
	case AST_REF_JOIN:
		return bind_join(b, ref, scope);
	}
	return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->location,
			   "joins are not supported yet"),
	       NULL;
}

/* ---- ORDER BY and LIMIT */

static void sort_key(SortKey *k, int col, const AstOrderItem *it)
{
	k->col = col;
	k->desc = it->desc;
	k->nulls_first = it->nulls == AST_NULLS_DEFAULT ? it->desc : it->nulls == AST_NULLS_FIRST;
}

static LogicalOp *make_sort(Binder *b, LogicalOp *child, SortKey *keys, int nkeys)
{
	LogicalOp *op = lop_new(b->a, LOP_SORT, child->ncols, 1);
	copy_cols(op, child);
	op->children[0] = child;
	op->keys = keys;
	op->nkeys = nkeys;
	op->wm_col = child->wm_col;
	op->append_only = child->append_only;
	return op;
}

/* The output column an ORDER BY / GROUP BY item names by position ("ORDER BY 2"), 0 when the
 * item is not an integer literal, -1 on error. */
static int position_ref(Binder *b, const AstExpr *x, int ncols, const char *clause)
{
	if (x->kind != AST_LITERAL || x->lit.kind != AST_LIT_INTEGER)
		return 0;
	long long k = strtoll(x->lit.text, NULL, 10);
	if (k < 1 || k > ncols)
		return err_set_pos(b->e, ERR_INVALID_COLUMN_REFERENCE, x->location,
				   "%s position %s is not in select list", clause, x->lit.text);
	return (int)k;
}

/* ORDER BY over a query's output only (VALUES, set operations): names and positions. */
static LogicalOp *order_by_output(Binder *b, const AstQuery *q, LogicalOp *op)
{
	if (q->norder == 0)
		return op;
	SortKey *keys = arena_alloc(b->a, (size_t)q->norder * sizeof *keys);
	for (int i = 0; i < q->norder; i++) {
		const AstOrderItem *it = &q->order[i];
		const AstExpr *x = it->expr;
		int pos = position_ref(b, x, op->ncols, "ORDER BY");
		if (pos < 0)
			return NULL;
		if (pos == 0 && x->kind == AST_COLUMN && !x->column.table && !x->column.star) {
			for (int c = 0; c < op->ncols && !pos; c++)
				if (strcmp(op->cols[c].name, x->column.name) == 0)
					pos = c + 1;
			if (!pos)
				return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, x->location,
						   "column \"%s\" does not exist", x->column.name),
				       NULL;
		}
		if (!pos) {
			err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				    "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
			err_hint(b->e,
				 "Only result column names can be used, not expressions or functions.");
			return NULL;
		}
		sort_key(&keys[i], pos - 1, it);
	}
	return make_sort(b, op, keys, q->norder);
}

static int limit_value(Binder *b, const AstExpr *x, const char *what, int64_t *out)
{
	BindCx cx = {.b = b, .clause = what};
	Expr *v = bind_expr(&cx, x);
	if (!v)
		return -1;
	if (v->type == T_UNKNOWN || v->type == T_INT2 || v->type == T_INT4) {
		if (!(v = expr_cast(b->a, v, T_INT8, -1, false, x->location, b->e)))
			return -1;
	} else if (v->type != T_INT8 && v->type != T_NULL) {
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, x->location,
				   "argument of %s must be type bigint, not type %s", what,
				   type_name(v->type));
	}
	Value val;
	if (bind_eval_const(b, v, &val) < 0) {
		err_locate(b->e, x->location);
		return -1;
	}
	if (val.null) {
		*out = -1; /* LIMIT NULL is LIMIT ALL; OFFSET NULL is OFFSET 0 */
		return 0;
	}
	if (val.u.i < 0)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, x->location,
				   "%s must not be negative", what);
	*out = val.u.i;
	return 0;
}

static LogicalOp *apply_limit(Binder *b, const AstQuery *q, LogicalOp *child)
{
	if (!q->limit && !q->offset)
		return child;
	int64_t limit = -1, offset = 0;
	if (q->limit && limit_value(b, q->limit, "LIMIT", &limit) < 0)
		return NULL;
	if (q->offset && limit_value(b, q->offset, "OFFSET", &offset) < 0)
		return NULL;
	if (offset < 0)
		offset = 0;
	LogicalOp *op = lop_new(b->a, LOP_LIMIT, child->ncols, 1);
	copy_cols(op, child);
	op->children[0] = child;
	op->limit = limit;
	op->offset = offset;
	op->wm_col = child->wm_col;
	op->append_only = child->append_only;
	return op;
}

/* ---- SELECT */

/* State of one SELECT core while it is bound. */
typedef struct Select {
	Binder *b;
	Scope scope;          /* the FROM clause's columns */
	LogicalOp *input;     /* FROM (and WHERE) */
	AggList aggs;
	/* Output columns: the select list, then hidden ORDER BY columns. */
	Expr **out;
	const char **names;
	int nout, nvisible, cap;
	Expr **keys;          /* GROUP BY expressions over the input, distinct */
	int nkeys;
	Expr *having;
	WinList wins;         /* window function calls of the select list and ORDER BY */
} Select;

static void add_output(Select *s, Expr *x, const char *name)
{
	if (s->nout == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		Expr **out = arena_alloc(s->b->a, (size_t)cap * sizeof *out);
		const char **names = names_alloc(s->b, cap);
		if (s->nout) {
			memcpy(out, s->out, (size_t)s->nout * sizeof *out);
			memcpy(names, s->names, (size_t)s->nout * sizeof *names);
		}
		s->out = out;
		s->names = names;
		s->cap = cap;
	}
	s->out[s->nout] = x;
	s->names[s->nout] = name;
	s->nout++;
}

static BindCx select_cx(Select *s, bool aggs_allowed, const char *clause)
{
	BindCx cx = {.b = s->b,
		     .scope = &s->scope,
		     .aggs = aggs_allowed ? &s->aggs : NULL,
		     .clause = clause,
		     .append_only = s->input->append_only};
	return cx;
}

static int bind_targets(Select *s, const AstQuery *q, bool resolve)
{
	Binder *b = s->b;
	for (int i = 0; i < q->ntargets; i++) {
		const AstTarget *t = &q->targets[i];
		const AstExpr *x = t->expr;
		if (x->kind == AST_COLUMN && x->column.star) {
			const char *qual = x->column.table;
			if (q->nfrom == 0)
				return err_set_pos(b->e, ERR_SYNTAX, x->location,
						   "SELECT * with no tables specified is not valid");
			bool rel = !qual;
			for (int r = 0; qual && r < s->scope.nrels; r++)
				rel = rel || (s->scope.rels[r] && !strcmp(s->scope.rels[r], qual));
			if (!rel)
				return err_set_pos(b->e, ERR_UNDEFINED_TABLE, x->location,
						   "missing FROM-clause entry for table \"%s\"",
						   qual);
			for (int c = 0; c < s->scope.ncols; c++) {
				if (qual && (!s->scope.quals[c] || strcmp(s->scope.quals[c], qual)))
					continue;
				if (!qual && s->scope.hidden && s->scope.hidden[c])
					continue;
				add_output(s, expr_col(b->a, c, s->scope.types[c], x->location),
					   s->scope.names[c]);
			}
			continue;
		}
		BindCx cx = select_cx(s, true, "SELECT");
		cx.wins = &s->wins;
		cx.input = &s->input; /* a scalar subquery wraps the input (bind_subquery.c) */
		Expr *e = bind_expr(&cx, x);
		if (!e)
			return -1;
		if (resolve && (e->type == T_UNKNOWN || e->type == T_NULL) &&
		    !(e = expr_cast(b->a, e, T_VARCHAR, -1, false, x->location, b->e)))
			return -1;
		add_output(s, e, t->alias ? t->alias : bind_colname(b, x));
	}
	s->nvisible = s->nout;
	return 0;
}

/* The position of the first window function placeholder in x; -1 when there is none. */
static int winref_loc(const Expr *x)
{
	if (x->kind == EXPR_COL && x->col >= WINREF_BASE)
		return x->location;
	for (int i = 0; i < x->nargs; i++) {
		int loc = winref_loc(x->args[i]);
		if (loc >= 0)
			return loc;
	}
	return -1;
}

static int add_group_key(Select *s, Expr *k, int loc)
{
	int wloc = winref_loc(k); /* GROUP BY 2 naming a window function's column */
	if (wloc >= 0)
		return err_set_pos(s->b->e, ERR_WINDOWING, wloc,
				   "window functions are not allowed in GROUP BY");
	if (bind_has_aggref(k))
		return err_set_pos(s->b->e, ERR_GROUPING, loc,
				   "aggregate functions are not allowed in GROUP BY");
	for (int i = 0; i < s->nkeys; i++)
		if (bind_expr_equal(s->keys[i], k))
			return 0;
	s->keys[s->nkeys++] = k;
	return 0;
}

static int bind_group_by(Select *s, const AstQuery *q)
{
	Binder *b = s->b;
	s->keys = arena_alloc(b->a, (size_t)(q->ngroup_by ? q->ngroup_by : 1) * sizeof *s->keys);
	for (int i = 0; i < q->ngroup_by; i++) {
		const AstExpr *x = q->group_by[i];
		int pos = position_ref(b, x, s->nvisible, "GROUP BY");
		if (pos < 0)
			return -1;
		if (pos > 0) {
			if (add_group_key(s, s->out[pos - 1], x->location) < 0)
				return -1;
			continue;
		}
		/* A bare name is an input column first, then an output column (PostgreSQL). */
		if (x->kind == AST_COLUMN && !x->column.table && !x->column.star) {
			bool input = false;
			for (int c = 0; c < s->scope.ncols && !input; c++)
				input = strcmp(s->scope.names[c], x->column.name) == 0;
			int match = -1;
			for (int c = 0; !input && c < s->nvisible; c++)
				if (strcmp(s->names[c], x->column.name) == 0) {
					if (match >= 0 && !bind_expr_equal(s->out[match], s->out[c]))
						return err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN,
								   x->location,
								   "GROUP BY \"%s\" is ambiguous",
								   x->column.name);
					match = c;
				}
			if (match >= 0) {
				if (add_group_key(s, s->out[match], x->location) < 0)
					return -1;
				continue;
			}
		}
		BindCx cx = select_cx(s, false, "GROUP BY");
		Expr *k = bind_expr(&cx, x);
		if (!k || add_group_key(s, k, x->location) < 0)
			return -1;
	}
	return 0;
}

/* Binds ORDER BY into sort keys over the output columns, adding hidden columns for
 * expressions that are not in the select list. */
static SortKey *bind_order_by(Select *s, const AstQuery *q)
{
	Binder *b = s->b;
	SortKey *keys = arena_alloc(b->a, (size_t)(q->norder ? q->norder : 1) * sizeof *keys);
	for (int i = 0; i < q->norder; i++) {
		const AstOrderItem *it = &q->order[i];
		const AstExpr *x = it->expr;
		int pos = position_ref(b, x, s->nvisible, "ORDER BY");
		if (pos < 0)
			return NULL;
		/* A bare name is an output column first, then an input column (PostgreSQL). */
		if (!pos && x->kind == AST_COLUMN && !x->column.table && !x->column.star) {
			for (int c = 0; c < s->nvisible; c++) {
				if (strcmp(s->names[c], x->column.name))
					continue;
				if (pos && !bind_expr_equal(s->out[pos - 1], s->out[c]))
					return err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN, x->location,
							   "ORDER BY \"%s\" is ambiguous",
							   x->column.name),
					       NULL;
				if (!pos)
					pos = c + 1;
			}
		}
		if (!pos) {
			BindCx cx = select_cx(s, true, "ORDER BY");
			cx.wins = &s->wins;
			Expr *e = bind_expr(&cx, x);
			if (!e)
				return NULL;
			for (int c = 0; c < s->nout && !pos; c++)
				if (bind_expr_equal(s->out[c], e))
					pos = c + 1;
			if (!pos) {
				if (q->distinct)
					return err_set_pos(b->e, ERR_INVALID_COLUMN_REFERENCE,
							   x->location,
							   "for SELECT DISTINCT, ORDER BY expressions "
							   "must appear in select list"),
					       NULL;
				add_output(s, e, bind_colname(b, x));
				pos = s->nout;
			}
		}
		sort_key(&keys[i], pos - 1, it);
	}
	return keys;
}

/* Rewrites an expression over the input into one over the aggregation's output: group keys
 * become their key column, aggregate placeholders their result column; any other column of
 * the input is an ungrouped column (42803). Window placeholders stay: the OVER operators run
 * over the aggregation's output. */
static Expr *regroup(Select *s, Expr *x)
{
	Binder *b = s->b;
	for (int k = 0; k < s->nkeys; k++)
		if (bind_expr_equal(x, s->keys[k]))
			return expr_col(b->a, k, x->type, x->location);
	if (x->kind == EXPR_COL && x->col >= WINREF_BASE)
		return x;
	if (x->kind == EXPR_COL) {
		if (x->col >= AGGREF_BASE)
			return expr_col(b->a, s->nkeys + x->col - AGGREF_BASE, x->type, x->location);
		const char *q = s->scope.quals[x->col], *n = s->scope.names[x->col];
		err_set_pos(b->e, ERR_GROUPING, x->location,
			    "column \"%s%s%s\" must appear in the GROUP BY clause or be used in an "
			    "aggregate function",
			    q ? q : "", q ? "." : "", n);
		return NULL;
	}
	if (x->nargs == 0)
		return x;
	Expr *c = arena_alloc(b->a, sizeof *c);
	*c = *x;
	c->args = arena_alloc(b->a, (size_t)x->nargs * sizeof *c->args);
	for (int i = 0; i < x->nargs; i++)
		if (!(c->args[i] = regroup(s, x->args[i])))
			return NULL;
	return c;
}

/* Index of x in the pre-aggregation column list, appending it when new. */
static int pre_col(Select *s, Expr **pre, int *npre, Expr *x)
{
	for (int i = 0; i < *npre; i++)
		if (bind_expr_equal(pre[i], x))
			return i;
	pre[*npre] = x;
	return (*npre)++;
}

static char *expr_text(Binder *b, const Expr *x, const LogicalOp *in)
{
	StrBuf sb;
	sb_init(&sb);
	expr_print(x, lop_colnames(in, b->a), &sb);
	char *r = arena_strdup(b->a, sb.data ? sb.data : "?column?");
	sb_deinit(&sb);
	return r;
}

/* Projection (when needed) + aggregation + HAVING; returns the op the select list is computed
 * over and rewrites s->out to it. */
static LogicalOp *build_agg(Select *s)
{
	Binder *b = s->b;
	LogicalOp *in = s->input;
	int maxpre = s->nkeys + 2 * s->aggs.n;
	Expr **pre = arena_alloc(b->a, (size_t)(maxpre ? maxpre : 1) * sizeof *pre);
	int npre = 0;
	int *group = arena_alloc(b->a, (size_t)(s->nkeys ? s->nkeys : 1) * sizeof *group);
	AggCall *calls = arena_alloc(b->a, (size_t)(s->aggs.n ? s->aggs.n : 1) * sizeof *calls);
	for (int k = 0; k < s->nkeys; k++)
		group[k] = pre_col(s, pre, &npre, s->keys[k]);
	for (int i = 0; i < s->aggs.n; i++) {
		const AggRef *r = &s->aggs.v[i];
		calls[i] = (AggCall){.fn = r->fn,
				     .arg = r->arg ? pre_col(s, pre, &npre, r->arg) : -1,
				     .filter = r->filter ? pre_col(s, pre, &npre, r->filter) : -1,
				     .distinct = r->distinct};
	}
	/* Plain columns need no projection: point the aggregation at the input directly. */
	bool all_cols = true;
	for (int i = 0; i < npre; i++)
		all_cols = all_cols && pre[i]->kind == EXPR_COL;
	LogicalOp *aggin = in;
	if (all_cols) {
		for (int k = 0; k < s->nkeys; k++)
			group[k] = pre[group[k]]->col;
		for (int i = 0; i < s->aggs.n; i++) {
			if (calls[i].arg >= 0)
				calls[i].arg = pre[calls[i].arg]->col;
			if (calls[i].filter >= 0)
				calls[i].filter = pre[calls[i].filter]->col;
		}
	} else {
		const char **names = names_alloc(b, npre);
		for (int i = 0; i < npre; i++)
			names[i] = pre[i]->kind == EXPR_COL ? in->cols[pre[i]->col].name
							    : expr_text(b, pre[i], in);
		aggin = bind_project(b, in, npre, pre, names);
	}

	LogicalOp *agg = lop_new(b->a, LOP_AGG, s->nkeys + s->aggs.n, 1);
	agg->children[0] = aggin;
	agg->ngroup = s->nkeys;
	agg->group_cols = group;
	agg->naggs = s->aggs.n;
	agg->aggs = calls;
	agg->append_only = false;
	for (int k = 0; k < s->nkeys; k++) {
		agg->cols[k] = aggin->cols[group[k]];
		agg->cols[k].not_null = false;
		if (group[k] == aggin->wm_col && agg->wm_col < 0)
			agg->wm_col = k;
	}
	/* Grouped by window_end but not window_start: window_end's watermark closes groups. */
	for (int k = 0; k < s->nkeys && agg->wm_col < 0 && aggin->wm_col >= 0; k++)
		if (group[k] == aggin->wm_end_col)
			agg->wm_col = k;
	for (int i = 0; i < s->aggs.n; i++)
		agg->cols[s->nkeys + i] = (ColumnDef){.name = (char *)s->aggs.v[i].name,
						      .type = s->aggs.v[i].fn->result_type,
						      .typmod = -1};
	/* Over HOP or SESSION: the windowed aggregation that shares panes (bind_window.c). */
	if (!(agg = bind_window_agg(b, agg)))
		return NULL;

	LogicalOp *top = agg;
	if (s->having) {
		Expr *h = regroup(s, s->having);
		if (!h)
			return NULL;
		top = make_filter(b, agg, h);
	}
	for (int i = 0; i < s->nout; i++)
		if (!(s->out[i] = regroup(s, s->out[i])))
			return NULL;
	/* Window functions are evaluated after GROUP BY and HAVING: their arguments, PARTITION
	 * BY and ORDER BY see group keys and aggregates only, like the select list. */
	for (int k = 0; k < s->wins.n; k++) {
		WinRef *r = &s->wins.v[k];
		if (r->arg && !(r->arg = regroup(s, r->arg)))
			return NULL;
		for (int i = 0; i < r->npart; i++)
			if (!(r->part[i] = regroup(s, r->part[i])))
				return NULL;
		for (int i = 0; i < r->norder; i++)
			if (!(r->order[i] = regroup(s, r->order[i])))
				return NULL;
	}
	return top;
}

static LogicalOp *bind_select(Binder *b, const AstQuery *q, bool resolve)
{
	Select s;
	memset(&s, 0, sizeof s);
	s.b = b;
	if (q->ndistinct_on)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, q->distinct_on[0]->location,
				   "DISTINCT ON is not supported yet"),
		       NULL;
	if (q->nfrom == 0) {
		/* SELECT without FROM reads one empty row. */
		s.input = lop_new(b->a, LOP_VALUES, 0, 0);
		s.input->nrows = 1;
		s.input->rows = arena_calloc(b->a, sizeof *s.input->rows);
		s.input->append_only = true;
		bind_scope_init(b, &s.scope, s.input, NULL);
	} else if (!(s.input = bind_from_list(b, q->from, q->nfrom, &s.scope))) {
		return NULL;
	}
	if (q->where) {
		BindCx cx = select_cx(&s, false, "WHERE");
		Expr *w = NULL;
		if (bind_has_scalar_subquery(q->where)) {
			/* The filter runs over the input's rows with the subquery's values. */
			cx.input = &s.input;
			if (!(w = bind_condition(&cx, q->where, "WHERE")))
				return NULL;
		} else if (bind_where_joins(&cx, &s.input, q->where, &w) < 0) {
			return NULL;
		}
		if (w) {
			scan_time_range(s.input, w);
			s.input = make_filter(b, s.input, w);
		}
	}
	if (bind_targets(&s, q, resolve) < 0 || bind_group_by(&s, q) < 0)
		return NULL;
	if (q->having) {
		BindCx cx = select_cx(&s, true, "HAVING");
		if (!(s.having = bind_condition(&cx, q->having, "HAVING")))
			return NULL;
	}
	SortKey *keys = bind_order_by(&s, q);
	if (!keys)
		return NULL;

	LogicalOp *base = s.input;
	if ((s.nkeys || s.aggs.n || s.having) && base->subq)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, base->subq->location,
				   "subqueries in the select list of a grouped query are not "
				   "supported yet"),
		       NULL;
	if (s.nkeys || s.aggs.n || s.having) {
		if (!(base = build_agg(&s)))
			return NULL;
	}
	if (s.wins.n && !(base = bind_over_build(b, base, &s.wins, s.out, s.nout)))
		return NULL;
	LogicalOp *op = bind_project(b, base, s.nout, s.out, s.names);
	if (q->distinct)
		op = make_distinct(b, op);
	if (q->norder)
		op = make_sort(b, op, keys, q->norder);
	if (s.nout > s.nvisible) {
		Expr **cols = arena_alloc(b->a, (size_t)(s.nvisible ? s.nvisible : 1) * sizeof *cols);
		for (int i = 0; i < s.nvisible; i++)
			cols[i] = expr_col(b->a, i, op->cols[i].type, 0);
		op = bind_project(b, op, s.nvisible, cols, s.names);
	}
	return apply_limit(b, q, op);
}

/* ---- VALUES and set operations */

static LogicalOp *bind_values(Binder *b, const AstQuery *q, bool resolve)
{
	int ncols = q->nrows ? q->rows[0].nitems : 0;
	LogicalOp *op = lop_new(b->a, LOP_VALUES, ncols, 0);
	op->nrows = q->nrows;
	op->rows = arena_alloc(b->a, (size_t)(q->nrows ? q->nrows : 1) * sizeof *op->rows);
	op->append_only = true;
	BindCx cx = {.b = b, .clause = "VALUES"};
	for (int r = 0; r < q->nrows; r++) {
		const AstValuesRow *row = &q->rows[r];
		if (row->nitems != ncols)
			return err_set_pos(b->e, ERR_SYNTAX,
					   row->nitems ? row->items[0]->location : q->location,
					   "VALUES lists must all be the same length"),
			       NULL;
		op->rows[r] = arena_alloc(b->a, (size_t)(ncols ? ncols : 1) * sizeof(Expr *));
		for (int c = 0; c < ncols; c++)
			if (!(op->rows[r][c] = bind_expr(&cx, row->items[c])))
				return NULL;
	}
	TypeId *types = arena_alloc(b->a, (size_t)(q->nrows ? q->nrows : 1) * sizeof *types);
	for (int c = 0; c < ncols; c++) {
		for (int r = 0; r < q->nrows; r++)
			types[r] = op->rows[r][c]->type;
		TypeId t;
		if (!expr_common_type(types, q->nrows, "VALUES", &t, b->e)) {
			err_locate(b->e, q->rows[0].items[c]->location);
			return NULL;
		}
		if (resolve && (t == T_UNKNOWN || t == T_NULL))
			t = T_VARCHAR;
		for (int r = 0; r < q->nrows; r++) {
			Expr *x = op->rows[r][c];
			if (x->type != t &&
			    !(op->rows[r][c] = expr_cast(b->a, x, t, -1, false, x->location, b->e))) {
				err_locate(b->e, x->location);
				return NULL;
			}
		}
		op->cols[c] = (ColumnDef){.name = arena_printf(b->a, "column%d", c + 1),
					  .type = t,
					  .typmod = -1};
	}
	return op;
}

static LogicalOp *bind_setop(Binder *b, const AstQuery *q, bool resolve)
{
	static const char *const names[] = {"UNION", "INTERSECT", "EXCEPT"};
	const char *what = names[q->setop];
	if (q->setop != AST_SETOP_UNION)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, q->location,
				   "%s is not supported yet", what),
		       NULL;
	LogicalOp *l = bind_query(b, q->left, false);
	LogicalOp *r = l ? bind_query(b, q->right, false) : NULL;
	if (!r)
		return NULL;
	if (l->ncols != r->ncols)
		return err_set_pos(b->e, ERR_SYNTAX, q->right->location,
				   "each %s query must have the same number of columns", what),
		       NULL;
	int n = l->ncols;
	TypeId *types = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *types);
	for (int c = 0; c < n; c++) {
		TypeId pair[2] = {l->cols[c].type, r->cols[c].type};
		if (!expr_common_type(pair, 2, what, &types[c], b->e)) {
			err_locate(b->e, q->right->location);
			return NULL;
		}
		if (resolve && (types[c] == T_UNKNOWN || types[c] == T_NULL))
			types[c] = T_VARCHAR;
	}
	LogicalOp *lc = coerce_columns(b, l, types);
	LogicalOp *rc = lc ? coerce_columns(b, r, types) : NULL;
	if (!rc)
		return NULL;
	/* A chain of UNION ALLs becomes one operator with many children. */
	bool merge = lc->kind == LOP_UNION_ALL;
	int nl = merge ? lc->nchildren : 1;
	LogicalOp *op = lop_new(b->a, LOP_UNION_ALL, n, nl + 1);
	for (int c = 0; c < n; c++)
		op->cols[c] = (ColumnDef){.name = lc->cols[c].name, .type = types[c], .typmod = -1};
	if (merge)
		memcpy(op->children, lc->children, (size_t)nl * sizeof *op->children);
	else
		op->children[0] = lc;
	op->children[nl] = rc;
	op->append_only = true;
	for (int i = 0; i < op->nchildren; i++)
		op->append_only = op->append_only && op->children[i]->append_only;
	/* A column every input has a watermark on keeps one: stream/union_all.c forwards the
	 * minimum over the inputs (over the active ones when some are idle). */
	if (lc->wm_col >= 0 && lc->wm_col == rc->wm_col)
		op->wm_col = lc->wm_col;
	if (lc->wm_end_col >= 0 && lc->wm_end_col == rc->wm_end_col)
		op->wm_end_col = lc->wm_end_col;
	return q->all ? op : make_distinct(b, op);
}

LogicalOp *bind_query(Binder *b, const AstQuery *q, bool resolve_unknowns)
{
	if (q->recursive)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, q->location,
				   "WITH RECURSIVE is not supported yet"),
		       NULL;
	if (q->emit_on_window_close && !b->eowc_allowed)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, q->location,
				   "EMIT ON WINDOW CLOSE is only supported in CREATE MATERIALIZED "
				   "VIEW"),
		       NULL;
	b->eowc_allowed = false; /* not in subqueries */
	CteScope *saved = b->ctes;
	for (int i = 0; i < q->nctes; i++) {
		for (int j = 0; j < i; j++)
			if (strcmp(q->ctes[i].name, q->ctes[j].name) == 0)
				return err_set_pos(b->e, ERR_DUPLICATE_TABLE, q->ctes[i].location,
						   "WITH query name \"%s\" specified more than "
						   "once",
						   q->ctes[i].name),
				       NULL;
		CteScope *c = arena_alloc(b->a, sizeof *c);
		c->cte = &q->ctes[i];
		c->next = b->ctes;
		b->ctes = c;
	}
	LogicalOp *op = NULL;
	switch (q->kind) {
	case AST_QUERY_SELECT:
		op = bind_select(b, q, resolve_unknowns);
		break;
	case AST_QUERY_VALUES:
		op = bind_values(b, q, resolve_unknowns);
		if (op && !(op = order_by_output(b, q, op)))
			break;
		if (op)
			op = apply_limit(b, q, op);
		break;
	case AST_QUERY_SETOP:
		op = bind_setop(b, q, resolve_unknowns);
		if (op && !(op = order_by_output(b, q, op)))
			break;
		if (op)
			op = apply_limit(b, q, op);
		break;
	}
	b->ctes = saved;
	if (op && resolve_unknowns)
		op = unknowns_to_text(b, op);
	if (op)
		op = bind_topn_rewrite(b, op);
	return op;
}
