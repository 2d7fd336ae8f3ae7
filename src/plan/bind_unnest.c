/* bind_unnest.c: unnest(array) and pg_options_to_table(options) in FROM.
 *
 * Layer: plan. PostgreSQL's set-returning unnest over a one-dimensional array, as a FROM item:
 * like generate_series (bind_series.c) the binder evaluates its constant argument and hands the
 * plan a VALUES operator holding the elements in order, one row each (NULL elements included),
 * so it joins, filters and aggregates like any relation. Inside a per-row subquery the outer
 * query's columns are constants (`array(SELECT x FROM unnest(t.a) x)` works there). A NULL or
 * empty array gives no rows. pg_options_to_table(text[]) splits each 'name=value' element into
 * (option_name, option_value), as psql reads the options of foreign tables. Never evaluates per
 * row.
 */
#include "plan/bind_int.h"

#include "vec/array.h"

#include <string.h>

LogicalOp *bind_unnest(Binder *b, const AstTableRef *ref, Scope *scope)
{
	const AstExpr *f = ref->func;
	bool options = strcmp(f->func.name, "pg_options_to_table") == 0;
	if (f->func.nargs != 1)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->location,
				   "unnest with %d arguments is not supported", f->func.nargs),
		       NULL;
	BindCx cx = {.b = b, .clause = "FROM"};
	Expr *x = bind_expr(&cx, f->func.args[0]);
	if (!x)
		return NULL;
	if (x->type == T_UNKNOWN)
		return err_set_pos(b->e, ERR_AMBIGUOUS_FUNCTION, ref->location,
				   "function unnest(unknown) is not unique"),
		       err_hint(b->e, "Could not choose a best candidate function. You might need "
				      "to add explicit type casts."),
		       NULL;
	if (!type_is_array(x->type) && x->type != T_NULL)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, ref->location,
				   "function unnest(%s) does not exist", type_name(x->type)),
		       NULL;
	if (!expr_is_const(x))
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, f->func.args[0]->location,
				   "the argument of unnest must be a constant"),
		       NULL;
	Value v;
	if (bind_eval_const(b, x, &v) < 0)
		return NULL;
	TypeId elem = x->type == T_NULL ? T_VARCHAR : type_elem(x->type);
	if (options && elem != T_VARCHAR)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, ref->location,
				   "function pg_options_to_table(%s) does not exist",
				   type_name(x->type)),
		       NULL;
	uint32_t n = v.null ? 0 : arr_count(v.u.s);
	const char *alias = ref->alias ? ref->alias->name : NULL;
	const char *fname = options ? "pg_options_to_table" : "unnest";
	LogicalOp *op = lop_new(b->a, LOP_VALUES, options ? 2 : 1, 0);
	op->cols[0].name = arena_strdup(b->a, options ? "option_name" : alias ? alias : "unnest");
	op->cols[0].type = elem;
	op->cols[0].typmod = -1;
	if (options) {
		op->cols[1].name = "option_value";
		op->cols[1].type = T_VARCHAR;
		op->cols[1].typmod = -1;
	}
	op->append_only = true;
	op->nrows = (int)n;
	op->rows = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *op->rows);
	ArrIter it;
	if (n)
		arr_iter_init(&it, v.u.s, elem);
	for (int r = 0; r < op->nrows; r++) {
		Value e;
		arr_next(&it, &e);
		op->rows[r] = arena_alloc(b->a, (size_t)op->ncols * sizeof *op->rows[r]);
		if (options) {
			/* 'name=value': split at the first '='; no '=' gives a NULL value. */
			Value val = value_null(T_VARCHAR);
			const char *eq = e.null ? NULL : memchr(e.u.s.p, '=', e.u.s.len);
			if (eq) {
				val.null = false;
				val.u.s = (Str){eq + 1, (uint32_t)(e.u.s.len - (uint32_t)(eq + 1 - e.u.s.p))};
				e.u.s.len = (uint32_t)(eq - e.u.s.p);
			}
			op->rows[r][1] = expr_const(b->a, &val, ref->location);
		}
		op->rows[r][0] = expr_const(b->a, &e, ref->location);
	}
	bind_scope_init(b, scope, op, alias ? alias : fname);
	if (bind_col_aliases(b, scope, ref->alias) < 0)
		return NULL;
	return op;
}
