/* bind_window.c: HOP and SESSION windows, their aggregations, and EMIT ON WINDOW CLOSE.
 *
 * Layer: plan. Binds the window table functions HOP(rel, ts, slide, size [, offset]) (RisingWave's
 * argument order) and SESSION(rel, ts, gap) in FROM, and rewrites an aggregation over them:
 *   - an AGG over HOP (possibly through filters that do not read the window columns) grouping
 *     by window_start and/or window_end becomes LOP_HOP_AGG, whose operator aggregates each row
 *     once into its slide-sized pane and combines panes per window (DESIGN.md §4). Aggregates
 *     without a merge (DISTINCT) keep the plain plan: HOP expanding rows, then AGG;
 *   - an AGG over SESSION must group by window_start and/or window_end; its other group columns
 *     partition the sessions. It becomes LOP_SESSION_AGG; SESSION alone cannot run;
 *   - EMIT ON WINDOW CLOSE wraps a view's plan in LOP_EOWC, which needs a watermark on a window
 *     column of the plan's output.
 * Never changes the catalog; nodes live in the binder's arena.
 */
#include <string.h>

#include "plan/bind_int.h"

/* A window duration argument: an interval of days and microseconds, positive. */
static int duration_arg(Binder *b, const AstExpr *x, const char *what, int64_t *out)
{
	Interval iv;
	if (bind_window_interval(b, x, what, &iv) < 0)
		return -1;
	int64_t us = iv.us + (int64_t)iv.days * US_PER_DAY;
	if (iv.months != 0 || us <= 0)
		return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, x->location, "invalid window %s",
				   what);
	*out = us;
	return 0;
}

LogicalOp *bind_window_tvf(Binder *b, const AstTableRef *ref, Scope *scope)
{
	const AstExpr *f = ref->func;
	bool hop = strcmp(f->func.name, "hop") == 0;
	const char *fname = hop ? "HOP" : "SESSION";
	int loc = f->location;
	if (hop ? f->func.nargs < 4 || f->func.nargs > 5 : f->func.nargs != 3)
		return err_set_pos(b->e, ERR_UNDEFINED_FUNCTION, loc,
				   hop ? "function hop takes a relation, a time column, a slide, a "
					 "window size and an optional offset"
				       : "function session takes a relation, a time column and a gap"),
		       NULL;
	const AstExpr *rel = f->func.args[0];
	if (rel->kind != AST_COLUMN || rel->column.star || rel->column.table)
		return err_set_pos(b->e, ERR_SYNTAX, rel->location,
				   "the first argument of %s must be a relation name", fname),
		       NULL;
	const char *qual = ref->alias ? ref->alias->name : rel->column.name;
	Scope in;
	LogicalOp *child = bind_relation(b, rel->column.name, rel->location, &in, qual);
	if (!child)
		return NULL;
	BindCx cx = {.b = b, .scope = &in, .clause = fname};
	Expr *tc = bind_expr(&cx, f->func.args[1]);
	if (!tc)
		return NULL;
	if (tc->kind != EXPR_COL)
		return err_set_pos(b->e, ERR_SYNTAX, f->func.args[1]->location,
				   "the time argument of %s must be a column", fname),
		       NULL;
	if (tc->type != T_TIMESTAMP && tc->type != T_TIMESTAMPTZ)
		return err_set_pos(b->e, ERR_DATATYPE_MISMATCH, f->func.args[1]->location,
				   "the time column of %s must be of type timestamp or timestamp "
				   "with time zone, not type %s",
				   fname, type_name(tc->type)),
		       NULL;
	int n = child->ncols;
	LogicalOp *op = lop_new(b->a, hop ? LOP_HOP : LOP_SESSION, n + 2, 1);
	if (hop) {
		if (duration_arg(b, f->func.args[2], "slide", &op->slide_us) < 0 ||
		    duration_arg(b, f->func.args[3], "size", &op->size_us) < 0)
			return NULL;
		if (op->size_us % op->slide_us != 0) {
			err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE, f->func.args[3]->location,
				    "HOP window size must be a multiple of its slide");
			err_hint(b->e, "Each row belongs to size / slide windows: choose a size "
				       "that is a whole number of slides.");
			return NULL;
		}
		if (f->func.nargs == 5) {
			Interval off;
			if (bind_window_interval(b, f->func.args[4], "offset", &off) < 0)
				return NULL;
			op->offset_us = off.us + (int64_t)off.days * US_PER_DAY;
			if (off.months != 0 || op->offset_us >= op->size_us ||
			    -op->offset_us >= op->size_us)
				return err_set_pos(b->e, ERR_INVALID_PARAMETER_VALUE,
						   f->func.args[4]->location, "invalid window offset"),
				       NULL;
		}
	} else if (duration_arg(b, f->func.args[2], "gap", &op->gap_us) < 0) {
		return NULL;
	}
	if (n)
		memcpy(op->cols, child->cols, (size_t)n * sizeof *op->cols);
	for (int i = 0; i < n; i++)
		op->cols[i].name = (char *)in.names[i];
	op->cols[n] = (ColumnDef){.name = "window_start", .type = tc->type, .typmod = -1};
	op->cols[n + 1] = (ColumnDef){.name = "window_end", .type = tc->type, .typmod = -1};
	op->children[0] = child;
	op->time_col = tc->col;
	op->append_only = child->append_only;
	/* Rows still to come open windows from the one holding the time watermark's slide on; a
	 * session's start can fall back when sessions merge: no watermark survives SESSION. */
	op->wm_col = hop && child->wm_col >= 0 && child->wm_col == tc->col ? n : -1;
	op->wm_end_col = op->wm_col >= 0 ? n + 1 : -1;
	bind_scope_init(b, scope, op, qual);
	if (bind_col_aliases(b, scope, ref->alias) < 0)
		return NULL;
	return op;
}

static bool reads_window_cols(const Expr *x, int n)
{
	if (x->kind == EXPR_COL && x->col >= n)
		return true;
	for (int i = 0; i < x->nargs; i++)
		if (reads_window_cols(x->args[i], n))
			return true;
	return false;
}

/* The filters between agg and the window op moved below the window (they read only the
 * window's input columns, which keep their numbers); NULL when a filter reads the window. */
static LogicalOp *filters_below(Binder *b, const LogicalOp *top, const LogicalOp *win)
{
	if (top == win)
		return win->children[0];
	if (top->kind != LOP_FILTER || reads_window_cols(top->exprs[0], win->ncols - 2))
		return NULL;
	LogicalOp *below = filters_below(b, top->children[0], win);
	if (!below)
		return NULL;
	LogicalOp *f = lop_new(b->a, LOP_FILTER, below->ncols, 1);
	memcpy(f->cols, below->cols, (size_t)below->ncols * sizeof *f->cols);
	f->children[0] = below;
	f->nexprs = 1;
	f->exprs = top->exprs;
	f->wm_col = below->wm_col;
	f->append_only = below->append_only;
	return f;
}

LogicalOp *bind_window_agg(Binder *b, LogicalOp *agg)
{
	const LogicalOp *win = agg->children[0];
	while (win->kind == LOP_FILTER)
		win = win->children[0];
	if (win->kind != LOP_HOP && win->kind != LOP_SESSION)
		return agg;
	bool session = win->kind == LOP_SESSION;
	int n = win->ncols - 2;
	int ws = -1, we = -1;
	for (int k = 0; k < agg->ngroup; k++) {
		if (agg->group_cols[k] == n && ws < 0)
			ws = k;
		if (agg->group_cols[k] == n + 1 && we < 0)
			we = k;
	}
	bool shareable = ws >= 0 || we >= 0;
	const char *why = "it does not group by window_start or window_end";
	for (int i = 0; i < agg->naggs && shareable; i++) {
		const AggCall *c = &agg->aggs[i];
		if (c->arg >= n || c->filter >= n) {
			shareable = false;
			why = "an aggregate reads window_start or window_end";
		} else if (!c->fn->merge) {
			shareable = false;
			why = "an aggregate cannot combine partial states (DISTINCT?)";
		}
	}
	LogicalOp *below = shareable ? filters_below(b, agg->children[0], win) : NULL;
	if (!below && shareable) {
		shareable = false;
		why = "a WHERE condition reads window_start or window_end";
	}
	if (!shareable) {
		if (!session)
			return agg; /* the plain plan: HOP expands rows, AGG groups them */
		err_set(b->e, ERR_FEATURE_NOT_SUPPORTED,
			"this aggregation over SESSION windows is not supported: %s", why);
		err_hint(b->e, "Aggregate with count, sum, avg, min or max, GROUP BY the partition "
			       "columns and window_start, window_end.");
		return NULL;
	}
	LogicalOp *op = lop_new(b->a, session ? LOP_SESSION_AGG : LOP_HOP_AGG, 0, 1);
	LogicalOp **kids = op->children;
	*op = *agg; /* the aggregation's fields, then the window's */
	op->kind = session ? LOP_SESSION_AGG : LOP_HOP_AGG;
	op->children = kids;
	op->children[0] = below;
	op->window = (LogicalOp *)win;
	op->time_col = win->time_col;
	op->slide_us = win->slide_us;
	op->size_us = win->size_us;
	op->offset_us = win->offset_us;
	op->gap_us = win->gap_us;
	op->append_only = false;
	/* The output watermark: window_start when grouped, else window_end (HOP only). */
	op->wm_col = -1;
	if (!session && below->wm_col >= 0 && below->wm_col == win->time_col)
		op->wm_col = ws >= 0 ? ws : we;
	return op;
}

LogicalOp *bind_window_eowc(Binder *b, LogicalOp *plan, int loc)
{
	if (plan->wm_col < 0) {
		err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, loc,
			    "EMIT ON WINDOW CLOSE needs a watermark on a window column of the view");
		err_hint(b->e, "Aggregate over TUMBLE or HOP of a stream with WATERMARK FOR its time "
			       "column, and select window_start (or window_end).");
		return NULL;
	}
	LogicalOp *op = lop_new(b->a, LOP_EOWC, plan->ncols, 1);
	memcpy(op->cols, plan->cols, (size_t)plan->ncols * sizeof *op->cols);
	op->children[0] = plan;
	op->wm_col = plan->wm_col;
	op->append_only = true;
	return op;
}
