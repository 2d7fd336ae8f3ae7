/* bind_series.c: generate_series(start, stop [, step]) in FROM.
 *
 * Layer: plan. PostgreSQL's set-returning function over integers, as a FROM item: the binder
 * evaluates its constant arguments and hands the plan a VALUES operator holding the series, so
 * it joins, filters and aggregates like any relation. Arguments must be constants when the
 * query is bound; inside a per-row subquery (bind_subquery.c) the outer query's columns are
 * constants, so `FROM generate_series(0, o.n) s` works there. A NULL argument gives no rows,
 * as in PostgreSQL. The series is capped (SERIES_MAX rows): its rows are plan constants.
 */
#include "plan/bind_int.h"

#include <string.h>

#define SERIES_MAX 1000000

/* Argument i as an integer: 0, or 1 when it is NULL, -1 on error. */
static int series_arg(Binder *b, const AstExpr *a, TypeId *type, int64_t *out)
{
	BindCx cx = {.b = b, .clause = "FROM"};
	Expr *x = bind_expr(&cx, a);
	if (!x)
		return -1;
	if (!type_is_integer(x->type) && x->type != T_UNKNOWN && x->type != T_NULL)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, a->location,
				   "generate_series over %s is not supported yet",
				   type_name(x->type));
	if (!expr_is_const(x))
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, a->location,
				   "arguments of generate_series must be constants");
	if (x->type == T_INT8)
		*type = T_INT8;
	if (!(x = expr_cast(b->a, x, T_INT8, -1, false, a->location, b->e))) {
		err_locate(b->e, a->location);
		return -1;
	}
	Value v;
	if (bind_eval_const(b, x, &v) < 0)
		return -1;
	*out = v.null ? 0 : v.u.i;
	return v.null ? 1 : 0;
}

LogicalOp *bind_generate_series(Binder *b, const AstTableRef *ref, Scope *scope)
{
	const AstExpr *f = ref->func;
	if (f->func.nargs < 2 || f->func.nargs > 3)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, ref->location,
				   "function generate_series with %d arguments does not exist",
				   f->func.nargs),
		       NULL;
	int64_t v[3] = {0, 0, 1};
	TypeId type = T_INT4;
	bool null = false;
	for (int i = 0; i < f->func.nargs; i++) {
		int rc = series_arg(b, f->func.args[i], &type, &v[i]);
		if (rc < 0)
			return NULL;
		null = null || rc;
	}
	if (!null && v[2] == 0)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, ref->location,
				   "step size cannot equal zero"),
		       NULL;
	/* How many values: computed in 128 bits, as stop - start may overflow 64. */
	__int128 span = (__int128)v[1] - v[0];
	__int128 n = null || (span != 0 && (span < 0) != (v[2] < 0)) ? 0 : span / v[2] + 1;
	if (n > SERIES_MAX)
		return err_set_pos(b->e, ERR_PROGRAM_LIMIT, ref->location,
				   "generate_series of more than %d rows is not supported",
				   SERIES_MAX),
		       NULL;
	const char *alias = ref->alias ? ref->alias->name : NULL;
	LogicalOp *op = lop_new(b->a, LOP_VALUES, 1, 0);
	op->cols[0].name = arena_strdup(b->a, alias ? alias : "generate_series");
	op->cols[0].type = type;
	op->cols[0].typmod = -1;
	op->append_only = true;
	op->nrows = (int)n;
	op->rows = arena_alloc(b->a, (size_t)(n ? n : 1) * sizeof *op->rows);
	for (int r = 0; r < op->nrows; r++) {
		Value x = value_int(type, v[0] + (int64_t)r * v[2]);
		op->rows[r] = arena_alloc(b->a, sizeof *op->rows[r]);
		op->rows[r][0] = expr_const(b->a, &x, ref->location);
	}
	bind_scope_init(b, scope, op, alias ? alias : "generate_series");
	if (bind_col_aliases(b, scope, ref->alias) < 0)
		return NULL;
	return op;
}
