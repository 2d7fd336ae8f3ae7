/* bind_over.c: window functions (f(...) OVER (...)) and group top-N.
 *
 * Layer: plan. Binds window calls found in a select list or ORDER BY into placeholders (as
 * aggregates are), then builds LOP_OVER operators below the select list's projection: one per
 * run of calls sharing their PARTITION BY / ORDER BY, each appending its calls' columns to its
 * child's. Arguments, partition and order expressions that are not plain columns are computed
 * by a projection below the first OVER.
 *
 * The top-N rewrite recognises the shape every streaming engine special-cases:
 *   SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY k ORDER BY x) AS rn FROM t)
 *   WHERE rn <= N          (also rn < N, rn = 1, N >= rn; RANK and DENSE_RANK alike)
 * that is a Filter on the rank column over a (Project over an) OVER with one rank call, and
 * replaces the OVER by a LOP_TOPN that keeps only the rows ranked <= N. Whether the rank is an
 * output column is decided from what the operators above use, so a dedup that does not show
 * rn never emits updates for rank changes. Nothing here runs a plan.
 */
#include <string.h>

#include "expr/func.h"
#include "plan/bind_int.h"

/* ---- binding calls */

static int frame_offset(BindCx *cx, const AstExpr *x, int64_t *out)
{
	Binder *b = cx->b;
	Expr *e = bind_expr(cx, x);
	if (!e)
		return -1;
	Value v;
	if (!expr_is_const(e) || !type_is_integer(e->type) || bind_eval_const(b, e, &v) < 0)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "frame offsets must be integer constants");
	if (v.null)
		return err_set_pos(b->e, ERR_NULL_VALUE_NOT_ALLOWED, x->location,
				   "frame offset must not be null");
	if (v.u.i < 0)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, x->location,
				   "frame offset must not be negative");
	*out = v.u.i;
	return 0;
}

static WinBound map_bound(AstFrameBound k)
{
	switch (k) {
	case AST_BOUND_UNBOUNDED_PRECEDING:
		return WB_UNBOUNDED_PRECEDING;
	case AST_BOUND_PRECEDING:
		return WB_PRECEDING;
	case AST_BOUND_FOLLOWING:
		return WB_FOLLOWING;
	case AST_BOUND_UNBOUNDED_FOLLOWING:
		return WB_UNBOUNDED_FOLLOWING;
	default:
		return WB_CURRENT_ROW;
	}
}

/* The frame of w into call, with PostgreSQL's checks. */
static int bind_frame(BindCx *cx, const AstWindow *w, WinCall *call)
{
	Binder *b = cx->b;
	int loc = w->location;
	if (w->frame == AST_FRAME_DEFAULT) {
		/* RANGE UNBOUNDED PRECEDING: with ORDER BY up to the last peer, else everything. */
		call->rows = false;
		call->start = WB_UNBOUNDED_PRECEDING;
		call->end = w->norder ? WB_CURRENT_ROW : WB_UNBOUNDED_FOLLOWING;
		return 0;
	}
	if (w->frame == AST_FRAME_GROUPS)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "GROUPS frames are not supported yet");
	call->rows = w->frame == AST_FRAME_ROWS;
	call->start = map_bound(w->start);
	call->end = w->end == AST_BOUND_NONE ? WB_CURRENT_ROW : map_bound(w->end);
	if (call->start == WB_UNBOUNDED_FOLLOWING)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "frame start cannot be UNBOUNDED FOLLOWING");
	if (call->end == WB_UNBOUNDED_PRECEDING)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "frame end cannot be UNBOUNDED PRECEDING");
	if (call->start == WB_CURRENT_ROW && call->end == WB_PRECEDING)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "frame starting from current row cannot have preceding rows");
	if (call->start == WB_FOLLOWING &&
	    (call->end == WB_PRECEDING || call->end == WB_CURRENT_ROW))
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "frame starting from following row cannot have preceding rows");
	bool offsets = call->start == WB_PRECEDING || call->start == WB_FOLLOWING ||
		       call->end == WB_PRECEDING || call->end == WB_FOLLOWING;
	if (!call->rows && offsets)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "RANGE frames with offset PRECEDING or FOLLOWING are not "
				   "supported yet"),
		       err_hint(b->e, "use ROWS BETWEEN n PRECEDING AND CURRENT ROW"), -1;
	if (w->start_offset && frame_offset(cx, w->start_offset, &call->start_off) < 0)
		return -1;
	if (w->end_offset && frame_offset(cx, w->end_offset, &call->end_off) < 0)
		return -1;
	return 0;
}

/* The kind, argument and result type of the call. */
static int bind_callee(BindCx *cx, const AstExpr *x, WinRef *r)
{
	Binder *b = cx->b;
	const char *name = x->func.name;
	int loc = x->location, n = x->func.nargs;
	static const struct {
		const char *name;
		WinKind kind;
		int minargs, maxargs;
	} fns[] = {
		{"row_number", WIN_ROW_NUMBER, 0, 0}, {"rank", WIN_RANK, 0, 0},
		{"dense_rank", WIN_DENSE_RANK, 0, 0}, {"first_value", WIN_FIRST_VALUE, 1, 1},
		{"last_value", WIN_LAST_VALUE, 1, 1}, {"lag", WIN_LAG, 1, 2},
		{"lead", WIN_LEAD, 1, 2},
	};
	int f = -1;
	for (int i = 0; i < (int)(sizeof fns / sizeof fns[0]); i++)
		if (strcmp(fns[i].name, name) == 0)
			f = i;
	bool agg = f < 0 && agg_is_aggregate(name);
	if (f < 0 && !agg)
		return err_set_pos(b->e, ERR_WRONG_OBJECT_TYPE, loc,
				   "OVER specified, but %s is not a window function nor an "
				   "aggregate function",
				   name);
	if (f >= 0 && (n < fns[f].minargs || n > fns[f].maxargs || x->func.star))
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, loc,
				   "function %s with %d argument%s does not exist", name, n,
				   n == 1 ? "" : "s");
	if (agg && !x->func.star && n != 1)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, loc,
				   "function %s with %d arguments does not exist", name, n);
	if (n > 0) {
		if (!(r->arg = bind_expr(cx, x->func.args[0])))
			return -1;
		if (r->arg->type == T_UNKNOWN &&
		    !(r->arg = expr_cast(b->a, r->arg, T_VARCHAR, -1, false, loc, b->e)))
			return -1;
	}
	if (agg) {
		r->call.kind = WIN_AGG;
		r->call.fn = agg_resolve(name, r->arg ? r->arg->type : T_NULL, x->func.star, false,
					 false, b->e);
		if (!r->call.fn) {
			err_locate(b->e, loc);
			return -1;
		}
		r->type = r->call.fn->result_type;
		return 0;
	}
	r->call.kind = fns[f].kind;
	r->type = r->arg ? r->arg->type : T_INT8;
	r->call.offset = 1;
	if (n == 2) {
		Expr *o = bind_expr(cx, x->func.args[1]);
		Value v;
		if (!o)
			return -1;
		if (!expr_is_const(o) || !type_is_integer(o->type) ||
		    bind_eval_const(b, o, &v) < 0 || v.null || v.u.i < 0)
			return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->func.args[1]->location,
					   "the offset of %s must be a non-negative integer constant",
					   name);
		r->call.offset = v.u.i;
	}
	return 0;
}

Expr *bind_window_call(BindCx *cx, const AstExpr *x)
{
	Binder *b = cx->b;
	const AstWindow *w = x->func.over;
	int loc = x->location;
	if (cx->in_win)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "window function calls cannot be nested"),
		       NULL;
	/* Window functions run after the aggregation (PostgreSQL's order), so an aggregate
	 * cannot see one, in its argument or in its FILTER. */
	if (cx->in_agg)
		return err_set_pos(b->e, ERR_GROUPING, loc,
				   "aggregate function calls cannot contain window function calls"),
		       NULL;
	if (cx->clause && strcmp(cx->clause, "FILTER") == 0)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "window functions are not allowed in FILTER"),
		       NULL;
	if (!cx->wins)
		return err_set_pos(b->e, ERR_WINDOWING, loc,
				   "window functions are not allowed in %s", cx->clause),
		       NULL;
	if (x->func.distinct)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "DISTINCT is not implemented for window functions"),
		       NULL;
	if (x->func.filter || x->func.norder)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
				   "%s in window function calls is not supported yet",
				   x->func.filter ? "FILTER" : "ORDER BY"),
		       NULL;
	/* Aggregates are allowed in the call's arguments and definition where they are allowed
	 * around it: they are computed by the query's aggregation, which the OVER runs over. */
	BindCx sub = *cx;
	sub.in_win = true;
	sub.clause = "window functions";
	WinRef r;
	memset(&r, 0, sizeof r);
	r.call.arg = -1;
	r.name = x->func.name;
	r.location = loc;
	if (bind_callee(&sub, x, &r) < 0 || bind_frame(&sub, w, &r.call) < 0)
		return NULL;
	r.npart = w->npartition;
	r.part = arena_alloc(b->a, (size_t)(r.npart + 1) * sizeof *r.part);
	for (int i = 0; i < r.npart; i++)
		if (!(r.part[i] = bind_expr(&sub, w->partition[i])))
			return NULL;
	r.norder = w->norder;
	r.order = arena_alloc(b->a, (size_t)(r.norder + 1) * sizeof *r.order);
	r.keys = arena_calloc(b->a, (size_t)(r.norder + 1) * sizeof *r.keys);
	for (int i = 0; i < r.norder; i++) {
		const AstOrderItem *it = &w->order[i];
		if (!(r.order[i] = bind_expr(&sub, it->expr)))
			return NULL;
		r.keys[i].desc = it->desc;
		r.keys[i].nulls_first =
			it->nulls == AST_NULLS_DEFAULT ? it->desc : it->nulls == AST_NULLS_FIRST;
	}
	WinList *l = cx->wins;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 4;
		WinRef *v = arena_alloc(b->a, (size_t)cap * sizeof *v);
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof *v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = r;
	return expr_col(b->a, WINREF_BASE + l->n - 1, r.type, loc);
}

/* ---- building OVER operators */

typedef struct Cols {
	Expr **v;
	int n, cap;
} Cols;

/* The column of the extended input computing x, appending it when new. */
static int col_of(Binder *b, Cols *c, Expr *x)
{
	for (int i = 0; i < c->n; i++)
		if (bind_expr_equal(c->v[i], x))
			return i;
	if (c->n == c->cap) {
		int cap = c->cap * 2 + 8;
		Expr **v = arena_alloc(b->a, (size_t)cap * sizeof *v);
		if (c->n)
			memcpy(v, c->v, (size_t)c->n * sizeof *v);
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n] = x;
	return c->n++;
}

static bool same_window(const LogicalOp *op, const int *part, int npart, const SortKey *keys,
			int nkeys)
{
	if (op->npart != npart || op->nkeys != nkeys)
		return false;
	for (int i = 0; i < npart; i++)
		if (op->part_cols[i] != part[i])
			return false;
	for (int i = 0; i < nkeys; i++)
		if (op->keys[i].col != keys[i].col || op->keys[i].desc != keys[i].desc ||
		    op->keys[i].nulls_first != keys[i].nulls_first)
			return false;
	return true;
}

/* The partition column that carries the child's watermark, or -1: window_start (the child's
 * wm_col), else window_end (its wm_end_col). A window operator partitioned by it closes a
 * partition once the watermark passes it and forwards the watermark on that same column
 * (stream/over_window.c), so EMIT ON WINDOW CLOSE and aggregations above can close too. */
static int part_wm_col(const LogicalOp *child, const int *part, int npart)
{
	int end = -1;
	for (int i = 0; i < npart && child->wm_col >= 0; i++) {
		if (part[i] == child->wm_col)
			return part[i];
		if (part[i] == child->wm_end_col)
			end = part[i];
	}
	return end;
}

/* x with window placeholders replaced by column base + k. */
static Expr *map_winrefs(Binder *b, Expr *x, int base)
{
	if (x->kind == EXPR_COL && x->col >= WINREF_BASE)
		return expr_col(b->a, base + x->col - WINREF_BASE, x->type, x->location);
	if (x->nargs == 0)
		return x;
	Expr *c = arena_alloc(b->a, sizeof *c);
	*c = *x;
	c->args = arena_alloc(b->a, (size_t)x->nargs * sizeof *c->args);
	for (int i = 0; i < x->nargs; i++)
		c->args[i] = map_winrefs(b, x->args[i], base);
	return c;
}

LogicalOp *bind_over_build(Binder *b, LogicalOp *input, WinList *wins, Expr **out, int nout)
{
	Cols cols = {0};
	for (int i = 0; i < input->ncols; i++)
		col_of(b, &cols, expr_col(b->a, i, input->cols[i].type, 0));
	int **parts = arena_alloc(b->a, (size_t)wins->n * sizeof *parts);
	SortKey **keys = arena_alloc(b->a, (size_t)wins->n * sizeof *keys);
	for (int k = 0; k < wins->n; k++) {
		WinRef *r = &wins->v[k];
		if (r->arg)
			r->call.arg = col_of(b, &cols, r->arg);
		parts[k] = arena_alloc(b->a, (size_t)(r->npart + 1) * sizeof **parts);
		for (int i = 0; i < r->npart; i++)
			parts[k][i] = col_of(b, &cols, r->part[i]);
		keys[k] = r->keys;
		for (int i = 0; i < r->norder; i++)
			keys[k][i].col = col_of(b, &cols, r->order[i]);
	}
	LogicalOp *child = input;
	if (cols.n > input->ncols) {
		const char **names = arena_alloc(b->a, (size_t)cols.n * sizeof *names);
		for (int i = 0; i < cols.n; i++)
			names[i] = i < input->ncols ? input->cols[i].name
						    : arena_printf(b->a, "_w%d", i - input->ncols);
		child = bind_project(b, input, cols.n, cols.v, names);
	}
	int base = child->ncols;
	for (int k = 0; k < wins->n; k++) {
		WinRef *r = &wins->v[k];
		ColumnDef col = {.name = (char *)r->name, .type = r->type, .typmod = -1};
		if (child->kind == LOP_OVER && k > 0 &&
		    same_window(child, parts[k], r->npart, keys[k], r->norder)) {
			/* Same partition and order: one more call of the same operator. */
			ColumnDef *cs = arena_alloc(b->a, (size_t)(child->ncols + 1) * sizeof *cs);
			memcpy(cs, child->cols, (size_t)child->ncols * sizeof *cs);
			cs[child->ncols++] = col;
			child->cols = cs;
			WinCall *ws = arena_alloc(b->a, (size_t)(child->nwins + 1) * sizeof *ws);
			memcpy(ws, child->wins, (size_t)child->nwins * sizeof *ws);
			ws[child->nwins++] = r->call;
			child->wins = ws;
			continue;
		}
		LogicalOp *op = lop_new(b->a, LOP_OVER, child->ncols + 1, 1);
		memcpy(op->cols, child->cols, (size_t)child->ncols * sizeof *op->cols);
		op->cols[child->ncols] = col;
		op->children[0] = child;
		op->npart = r->npart;
		op->part_cols = parts[k];
		op->nkeys = r->norder;
		op->keys = keys[k];
		op->nwins = 1;
		op->wins = arena_alloc(b->a, sizeof *op->wins);
		op->wins[0] = r->call;
		op->wm_col = part_wm_col(child, op->part_cols, op->npart);
		child = op;
	}
	for (int i = 0; i < nout; i++)
		out[i] = map_winrefs(b, out[i], base);
	return child;
}

/* ---- the top-N rewrite */

static bool is_rank(const LogicalOp *op)
{
	return op->kind == LOP_OVER && op->nwins == 1 &&
	       (op->wins[0].kind == WIN_ROW_NUMBER || op->wins[0].kind == WIN_RANK ||
		op->wins[0].kind == WIN_DENSE_RANK);
}

/* Whether x, over the filter's input, refers to the rank column. */
static bool uses_rank(const Expr *x, const LogicalOp *proj, int rc)
{
	if (!proj)
		return expr_uses_col(x, rc);
	for (int i = 0; i < proj->ncols; i++)
		if (expr_uses_col(proj->exprs[i], rc) && expr_uses_col(x, i))
			return true;
	return false;
}

/* The limit N when x is `rank <= N`, `rank < N`, `rank = 1` (or mirrored); -1 otherwise. */
static int64_t rank_limit(Binder *b, const Expr *x, const LogicalOp *proj, int rc)
{
	if (x->kind != EXPR_FUNC || x->nargs != 2)
		return -1;
	static const char *const ops[][2] = {{"<=", ">="}, {"<", ">"}, {"=", "="}};
	const char *name = x->fn->name;
	for (int side = 0; side < 2; side++) {
		const Expr *c = x->args[side], *k = x->args[1 - side];
		if (c->kind != EXPR_COL || !expr_is_const(k))
			continue;
		bool is_rc = proj ? proj->exprs[c->col]->kind == EXPR_COL &&
					    proj->exprs[c->col]->col == rc
				  : c->col == rc;
		if (!is_rc)
			continue;
		Value v;
		if (!type_is_integer(k->type) || bind_eval_const(b, k, &v) < 0 || v.null) {
			err_clear(b->e);
			return -1;
		}
		for (int o = 0; o < 3; o++) {
			if (strcmp(name, ops[o][side]) != 0)
				continue;
			if (o == 0)
				return v.u.i < 0 ? 0 : v.u.i;
			if (o == 1)
				return v.u.i < 1 ? 0 : v.u.i - 1;
			return v.u.i == 1 ? 1 : -1;
		}
	}
	return -1;
}

/* Filter f over (Project over) a rank OVER: the top-N plan, or f unchanged. used: which of
 * f's output columns the operators above read (NULL: all). */
static LogicalOp *try_topn(Binder *b, LogicalOp *f, const bool *used)
{
	LogicalOp *proj = f->children[0], *over = proj;
	if (proj->kind == LOP_PROJECT)
		over = proj->children[0];
	else
		proj = NULL;
	if (!is_rank(over))
		return f;
	int rc = over->ncols - 1;
	Expr *pred = f->exprs[0];
	int n = pred->kind == EXPR_AND ? pred->nargs : 1;
	Expr **conj = pred->kind == EXPR_AND ? pred->args : &pred;
	int hit = -1;
	int64_t limit = -1;
	for (int i = 0; i < n && hit < 0; i++)
		if ((limit = rank_limit(b, conj[i], proj, rc)) >= 0)
			hit = i;
	if (hit < 0)
		return f;
	Expr **rest = arena_alloc(b->a, (size_t)n * sizeof *rest);
	int nrest = 0;
	bool need = false;
	for (int i = 0; i < n; i++)
		if (i != hit) {
			rest[nrest++] = conj[i];
			need = need || uses_rank(conj[i], proj, rc);
		}
	for (int i = 0; i < f->ncols; i++)
		if (!used || used[i])
			need = need || (proj ? expr_uses_col(proj->exprs[i], rc) : i == rc);

	LogicalOp *t = lop_new(b->a, LOP_TOPN, need ? over->ncols : over->ncols - 1, 1);
	memcpy(t->cols, over->cols, (size_t)t->ncols * sizeof *t->cols);
	t->children[0] = over->children[0];
	t->npart = over->npart;
	t->part_cols = over->part_cols;
	t->nkeys = over->nkeys;
	t->keys = over->keys;
	t->rank_kind = over->wins[0].kind;
	t->rank_output = need;
	t->limit = limit;
	/* The OVER's watermark (a partition column, below the rank column) stays the TopN's, and
	 * the projection and filter above keep the one they took from it. */
	t->wm_col = over->wm_col;
	LogicalOp *top = t;
	if (proj) {
		proj->children[0] = t;
		/* Outputs nobody reads may still name the rank: they become NULL. */
		for (int i = 0; !need && i < proj->ncols; i++)
			if (expr_uses_col(proj->exprs[i], rc)) {
				Value nv = value_null(proj->exprs[i]->type);
				proj->exprs[i] = expr_const(b->a, &nv, 0);
			}
		proj->append_only = false;
		top = proj;
	}
	if (nrest == 0)
		return top;
	f->children[0] = top;
	f->exprs[0] = nrest == 1 ? rest[0] : expr_logic(b->a, EXPR_AND, rest, nrest, 0, b->e);
	f->append_only = false;
	return f;
}

static void mark_used(Expr *col, void *arg)
{
	((bool *)arg)[col->col] = true;
}

static LogicalOp *rewrite(Binder *b, LogicalOp *op, const bool *used)
{
	if (op->kind == LOP_FILTER) {
		LogicalOp *r = try_topn(b, op, used);
		if (r != op)
			return rewrite(b, r, used);
	}
	for (int c = 0; c < op->nchildren; c++) {
		LogicalOp *child = op->children[c];
		bool *cu = NULL;
		if (op->kind == LOP_PROJECT || op->kind == LOP_FILTER) {
			cu = arena_calloc(b->a, (size_t)child->ncols + 1);
			if (op->kind == LOP_PROJECT) {
				for (int i = 0; i < op->ncols; i++)
					if (!used || used[i])
						expr_walk_cols(op->exprs[i], mark_used, cu);
			} else {
				for (int i = 0; i < child->ncols; i++)
					cu[i] = !used || used[i];
				expr_walk_cols(op->exprs[0], mark_used, cu);
			}
		}
		op->children[c] = rewrite(b, child, cu);
	}
	return op;
}

LogicalOp *bind_topn_rewrite(Binder *b, LogicalOp *op)
{
	return rewrite(b, op, NULL);
}
