/* eval.c: vectorized evaluation of bound expressions (see expr.h).
 *
 * Layer: expr. Each node is evaluated for all rows of a chunk at once: children into scratch
 * vectors from cx->arena (column references are read in place, never copied), then one kernel
 * call over all rows. Rows travel with an optional activity mask: a row that is not active is
 * NULL in every result and no kernel looks at it. CASE, COALESCE, AND and OR narrow the mask for
 * the branches they evaluate, so a branch runs only on the rows that need it, and
 * `CASE WHEN x = 0 THEN 0 ELSE 1/x END` never divides by zero. In null_on_error mode a failing
 * row becomes NULL and is counted in cx->row_errors (func_row_error).
 */
#include "expr/expr.h"

#include "expr/expr_int.h"
#include "expr/func.h"

#include <string.h>

Vector *vec_new_in(Arena *a, TypeId t)
{
	Vector *v = arena_alloc(a, sizeof *v);
	v->type = t;
	v->data = arena_alloc(a, CHUNK_CAP * type_size(t));
	v->nulls = arena_alloc(a, CHUNK_CAP);
	return v;
}

static int eval_node(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		     ExprCtx *cx);

/* A child's result: the input column itself for column references, else a scratch vector. */
static const Vector *eval_child(const Expr *x, const Chunk *in, int n, const uint8_t *active,
				ExprCtx *cx)
{
	if (x->kind == EXPR_COL && in)
		return &in->cols[x->col];
	Vector *v = vec_new_in(cx->arena, x->type);
	if (eval_node(x, in, n, active, v, cx))
		return NULL;
	return v;
}

/* Replicates row 0 of v into rows [1, n), by the value's width: constants are filled for every
 * chunk, so this is a plain store loop, not a conversion per row. */
static void replicate_row0(Vector *v, int n)
{
	switch (type_size(v->type)) {
	case 1:
		memset(v->data, VEC_DATA(v, uint8_t)[0], (size_t)n);
		return;
	case 2: {
		int16_t x = VEC_DATA(v, int16_t)[0];
		for (int r = 1; r < n; r++)
			VEC_DATA(v, int16_t)[r] = x;
		return;
	}
	case 4: {
		int32_t x = VEC_DATA(v, int32_t)[0];
		for (int r = 1; r < n; r++)
			VEC_DATA(v, int32_t)[r] = x;
		return;
	}
	case 8: {
		int64_t x = VEC_DATA(v, int64_t)[0];
		for (int r = 1; r < n; r++)
			VEC_DATA(v, int64_t)[r] = x;
		return;
	}
	case 16:
		for (int r = 1; r < n; r++)
			memcpy((char *)v->data + (size_t)r * 16, v->data, 16);
		return;
	case 32:
		for (int r = 1; r < n; r++)
			memcpy((char *)v->data + (size_t)r * 32, v->data, 32);
		return;
	default: {
		size_t w = type_size(v->type);
		for (int r = 1; r < n; r++)
			memcpy((char *)v->data + (size_t)r * w, v->data, w);
		return;
	}
	}
}

/* Copies the rows of src marked in take into out (values and null flags) and clears them in
 * rest. One loop per value width, so that the copy of a row is a move, not a memcpy call. */
#define TAKE_LOOP(W)                                                                               \
	for (int r = 0; r < n; r++) {                                                              \
		if (!take[r])                                                                      \
			continue;                                                                  \
		out->nulls[r] = src->nulls[r];                                                     \
		memcpy((char *)out->data + (size_t)r * (W), (const char *)src->data + (size_t)r * (W), \
		       (W));                                                                       \
		rest[r] = 0;                                                                       \
	}
static void take_rows(Vector *out, const Vector *src, const uint8_t *take, uint8_t *rest, int n)
{
	size_t w = type_size(out->type);
	switch (w) {
	case 1:
		TAKE_LOOP(1)
		break;
	case 2:
		TAKE_LOOP(2)
		break;
	case 4:
		TAKE_LOOP(4)
		break;
	case 8:
		TAKE_LOOP(8)
		break;
	case 16:
		TAKE_LOOP(16)
		break;
	case 32:
		TAKE_LOOP(32)
		break;
	default:
		TAKE_LOOP(w)
		break;
	}
}

/* dst[r] = extra | !src[r] and dst[r] |= src[r] over rows [0, n): the null masks. */
EXPR_VECTORIZE static void mask_not(uint8_t *restrict dst, const uint8_t *restrict src,
				    uint8_t extra, int n)
{
	for (int r = 0; r < n; r++)
		dst[r] = (uint8_t)(extra | !src[r]);
}

EXPR_VECTORIZE static void mask_or(uint8_t *restrict dst, const uint8_t *restrict src, int n)
{
	for (int r = 0; r < n; r++)
		dst[r] |= src[r];
}

static void fill_value(Vector *out, int n, const uint8_t *active, const Value *v)
{
	if (n <= 0)
		return;
	/* Strings are referenced: constants outlive the chunk. */
	vec_set_value(out, 0, v, NULL);
	uint8_t null = out->nulls[0];
	if (!null)
		replicate_row0(out, n);
	if (active)
		mask_not(out->nulls, active, null, n);
	else
		memset(out->nulls, null, (size_t)n);
}

/* Presets out->nulls: inactive rows and, for strict nodes, rows with a NULL argument. */
static void preset_nulls(Vector *out, int n, const uint8_t *active, const Vector *const *args,
			 int nargs, bool strict)
{
	if (active)
		mask_not(out->nulls, active, 0, n);
	else
		memset(out->nulls, 0, (size_t)n);
	if (!strict)
		return;
	for (int k = 0; k < nargs; k++)
		mask_or(out->nulls, args[k]->nulls, n);
}

static uint8_t *new_mask(ExprCtx *cx, int n)
{
	return arena_alloc(cx->arena, (size_t)(n ? n : 1));
}

static int eval_func(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		     ExprCtx *cx)
{
	const Vector **args = arena_alloc(cx->arena, sizeof(Vector *) * (size_t)(x->nargs + 1));
	for (int i = 0; i < x->nargs; i++) {
		args[i] = eval_child(x->args[i], in, n, active, cx);
		if (!args[i])
			return -1;
	}
	preset_nulls(out, n, active, args, x->nargs, x->fn->strict);
	cx->fstate = x->fstate;
	int rc = x->fn->kernel(x->fn, args, x->nargs, n, out, cx);
	cx->fstate = NULL;
	return rc;
}

static int eval_cast(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		     ExprCtx *cx)
{
	const Vector *src = eval_child(x->args[0], in, n, active, cx);
	if (!src)
		return -1;
	preset_nulls(out, n, active, &src, 1, true);
	return cast_vector(src, out, x->typmod, x->assign_cast, n, cx);
}

/* AND/OR with SQL's three-valued logic. An argument is evaluated only on rows whose result is
 * still open (AND: not yet false; OR: not yet true), so later conjuncts can rely on earlier
 * ones (x <> 0 AND 1/x > 1). */
static int eval_andor(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		      ExprCtx *cx)
{
	bool is_and = x->kind == EXPR_AND;
	uint8_t *res = out->data;
	uint8_t *open = new_mask(cx, n);
	uint8_t *saw_null = new_mask(cx, n);
	for (int r = 0; r < n; r++) {
		open[r] = active ? active[r] : 1;
		saw_null[r] = 0;
		res[r] = is_and;
	}
	for (int i = 0; i < x->nargs; i++) {
		const Vector *v = eval_child(x->args[i], in, n, open, cx);
		if (!v)
			return -1;
		const uint8_t *b = v->data;
		for (int r = 0; r < n; r++) {
			if (!open[r])
				continue;
			if (v->nulls[r]) {
				saw_null[r] = 1;
			} else if ((b[r] != 0) != is_and) {
				res[r] = !is_and;
				open[r] = 0;
			}
		}
	}
	for (int r = 0; r < n; r++) {
		bool act = active ? active[r] : true;
		out->nulls[r] = !act || (open[r] && saw_null[r]);
	}
	return 0;
}

static int eval_case(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		     ExprCtx *cx)
{
	int pairs = (x->nargs - x->has_else) / 2;
	uint8_t *rest = new_mask(cx, n);  /* rows not yet given a branch */
	uint8_t *taken = new_mask(cx, n); /* rows taking the current branch */
	for (int r = 0; r < n; r++) {
		rest[r] = active ? active[r] : 1;
		out->nulls[r] = 1;
	}
	for (int i = 0; i <= pairs; i++) {
		const Expr *result;
		if (i < pairs) {
			const Vector *c = eval_child(x->args[2 * i], in, n, rest, cx);
			if (!c)
				return -1;
			const uint8_t *b = c->data;
			bool any = false;
			for (int r = 0; r < n; r++) {
				taken[r] = rest[r] && !c->nulls[r] && b[r];
				any |= taken[r];
			}
			if (!any)
				continue;
			result = x->args[2 * i + 1];
		} else {
			if (!x->has_else)
				break;
			memcpy(taken, rest, (size_t)n);
			result = x->args[x->nargs - 1];
		}
		const Vector *v = eval_child(result, in, n, taken, cx);
		if (!v)
			return -1;
		take_rows(out, v, taken, rest, n);
	}
	return 0;
}

static int eval_coalesce(const Expr *x, const Chunk *in, int n, const uint8_t *active,
			 Vector *out, ExprCtx *cx)
{
	uint8_t *rest = new_mask(cx, n);
	uint8_t *take = new_mask(cx, n);
	for (int r = 0; r < n; r++) {
		rest[r] = active ? active[r] : 1;
		out->nulls[r] = 1;
	}
	for (int i = 0; i < x->nargs; i++) {
		const Vector *v = eval_child(x->args[i], in, n, rest, cx);
		if (!v)
			return -1;
		bool more = false;
		for (int r = 0; r < n; r++)
			take[r] = rest[r] && !v->nulls[r];
		take_rows(out, v, take, rest, n);
		for (int r = 0; r < n && !more; r++)
			more = rest[r];
		if (!more)
			break;
	}
	return 0;
}

/* x IN (a, b, ...): true if some item equals x; else NULL if x or some item is NULL; else
 * false. NOT IN negates, keeping NULL. */
static int eval_in(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		   ExprCtx *cx)
{
	const Vector *lhs = eval_child(x->args[0], in, n, active, cx);
	if (!lhs)
		return -1;
	uint8_t *res = out->data;
	uint8_t *saw_null = new_mask(cx, n);
	Vector *eq = vec_new_in(cx->arena, T_BOOL);
	for (int r = 0; r < n; r++) {
		res[r] = 0;
		saw_null[r] = lhs->nulls[r];
	}
	for (int i = 1; i < x->nargs; i++) {
		const Vector *item = eval_child(x->args[i], in, n, active, cx);
		if (!item)
			return -1;
		const Vector *pair[2] = {lhs, item};
		preset_nulls(eq, n, active, pair, 2, true);
		if (x->fn->kernel(x->fn, pair, 2, n, eq, cx))
			return -1;
		for (int r = 0; r < n; r++) {
			if (eq->nulls[r])
				saw_null[r] |= item->nulls[r] || lhs->nulls[r];
			else if (VEC_DATA(eq, uint8_t)[r])
				res[r] = 1;
		}
	}
	for (int r = 0; r < n; r++) {
		bool act = active ? active[r] : true;
		out->nulls[r] = !act || (!res[r] && saw_null[r]);
		if (x->negated)
			res[r] = !res[r];
	}
	return 0;
}

static int eval_node(const Expr *x, const Chunk *in, int n, const uint8_t *active, Vector *out,
		     ExprCtx *cx)
{
	switch (x->kind) {
	case EXPR_COL: {
		if (!in)
			return err_set(cx->err, ERR_INTERNAL, "column reference without input");
		const Vector *c = &in->cols[x->col];
		memcpy(out->data, c->data, (size_t)n * type_size(x->type));
		if (active) {
			mask_not(out->nulls, active, 0, n);
			mask_or(out->nulls, c->nulls, n);
		} else {
			memcpy(out->nulls, c->nulls, (size_t)n);
		}
		return 0;
	}
	case EXPR_CONST:
		fill_value(out, n, active, &x->val);
		return 0;
	case EXPR_PARAM: {
		if (x->col < 1 || x->col > cx->nparams)
			return err_set(cx->err, ERR_UNDEFINED_OBJECT,
				       "there is no parameter $%d", x->col);
		const Value *p = &cx->params[x->col - 1];
		if (p->type == x->type || p->null) {
			Value v = *p;
			v.type = x->type;
			fill_value(out, n, active, &v);
			return 0;
		}
		Value v;
		if (cast_value(p, x->type, -1, false, &v, cx->arena, cx->err))
			return -1;
		fill_value(out, n, active, &v);
		return 0;
	}
	case EXPR_FUNC:
		return eval_func(x, in, n, active, out, cx);
	case EXPR_CAST:
		return eval_cast(x, in, n, active, out, cx);
	case EXPR_AND:
	case EXPR_OR:
		return eval_andor(x, in, n, active, out, cx);
	case EXPR_NOT: {
		const Vector *v = eval_child(x->args[0], in, n, active, cx);
		if (!v)
			return -1;
		preset_nulls(out, n, active, &v, 1, true);
		for (int r = 0; r < n; r++)
			VEC_DATA(out, uint8_t)[r] = !VEC_DATA(v, uint8_t)[r];
		return 0;
	}
	case EXPR_IS_NULL:
	case EXPR_IS_NOT_NULL: {
		const Vector *v = eval_child(x->args[0], in, n, active, cx);
		if (!v)
			return -1;
		bool want = x->kind == EXPR_IS_NULL;
		for (int r = 0; r < n; r++) {
			out->nulls[r] = active ? !active[r] : 0;
			VEC_DATA(out, uint8_t)[r] = (v->nulls[r] != 0) == want;
		}
		return 0;
	}
	case EXPR_CASE:
		return eval_case(x, in, n, active, out, cx);
	case EXPR_COALESCE:
		return eval_coalesce(x, in, n, active, out, cx);
	case EXPR_IN:
		return eval_in(x, in, n, active, out, cx);
	}
	return err_set(cx->err, ERR_INTERNAL, "unknown expression kind %d", (int)x->kind);
}

int expr_eval(const Expr *x, const Chunk *in, Vector *out, ExprCtx *cx)
{
	int n = in ? in->nrows : 1;
	return eval_node(x, in, n, NULL, out, cx);
}

int expr_eval_const(const Expr *x, Value *out, ExprCtx *cx)
{
	Vector *v = vec_new_in(cx->arena, x->type);
	if (eval_node(x, NULL, 1, NULL, v, cx))
		return -1;
	vec_get_value(v, 0, out);
	if (!out->null && type_is_varlen(out->type)) {
		char *d = arena_alloc(cx->arena, out->u.s.len ? out->u.s.len : 1);
		memcpy(d, out->u.s.p, out->u.s.len);
		out->u.s.p = d;
	}
	return 0;
}

int expr_eval_filter(const Expr *x, const Chunk *in, uint8_t *keep, ExprCtx *cx)
{
	int n = in ? in->nrows : 1;
	const Vector *v = eval_child(x, in, n, NULL, cx);
	if (!v)
		return -1;
	for (int r = 0; r < n; r++)
		keep[r] = !v->nulls[r] && VEC_DATA(v, uint8_t)[r];
	return 0;
}
