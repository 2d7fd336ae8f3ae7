/* logical.c: logical plan nodes: construction and the EXPLAIN printer.
 *
 * Layer: plan. Owns nothing but the code that allocates LogicalOps in a caller's arena and
 * prints them; it never resolves names (the binder does) and never runs a plan (stream/ and
 * batch/ do). The printed form is what EXPLAIN shows and what the binder's tests assert on, so
 * it is stable: one operator a line, two spaces of indentation per level, every expression
 * printed with its input's column names.
 */
#include "plan/logical.h"

#include <string.h>

#include "vec/value.h"

static const char *const kind_names[] = {
	[LOP_SCAN] = "Scan",	     [LOP_VALUES] = "Values", [LOP_PROJECT] = "Project",
	[LOP_FILTER] = "Filter",     [LOP_TUMBLE] = "Tumble", [LOP_AGG] = "Agg",
	[LOP_UNION_ALL] = "UnionAll", [LOP_SORT] = "Sort",     [LOP_LIMIT] = "Limit",
	[LOP_HOP] = "Hop", [LOP_HOP_AGG] = "HopAgg", [LOP_SESSION] = "Session",
	[LOP_SESSION_AGG] = "SessionAgg", [LOP_EOWC] = "EmitOnWindowClose",
	[LOP_TOPN] = "TopN", [LOP_OVER] = "Over",
	[LOP_JOIN] = "Join",
};

const char *lop_kind_name(LopKind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

LogicalOp *lop_new(Arena *a, LopKind kind, int ncols, int nchildren)
{
	LogicalOp *op = arena_calloc(a, sizeof *op);
	op->kind = kind;
	op->ncols = ncols;
	op->cols = ncols ? arena_calloc(a, (size_t)ncols * sizeof *op->cols) : NULL;
	op->nchildren = nchildren;
	op->children =
		nchildren ? arena_calloc(a, (size_t)nchildren * sizeof *op->children) : NULL;
	op->wm_col = -1;
	op->wm_end_col = -1;
	op->time_col = -1;
	op->limit = -1;
	return op;
}

const char **lop_colnames(const LogicalOp *op, Arena *a)
{
	const char **names = arena_alloc(a, (size_t)(op->ncols + 1) * sizeof *names);
	for (int i = 0; i < op->ncols; i++)
		names[i] = op->cols[i].name;
	names[op->ncols] = NULL;
	return names;
}

/* Column names of op for printing, on the heap (lop_print has no arena). */
static const char **heap_colnames(const LogicalOp *op)
{
	const char **names = mem_alloc((size_t)(op ? op->ncols + 1 : 1) * sizeof *names);
	int n = op ? op->ncols : 0;
	for (int i = 0; i < n; i++)
		names[i] = op->cols[i].name;
	names[n] = NULL;
	return names;
}

static void print_colname(const char *const *names, int n, int col, StrBuf *out)
{
	if (col >= 0 && col < n)
		sb_puts(out, names[col]);
	else
		sb_printf(out, "$%d", col);
}

static void print_interval_us(int64_t us, StrBuf *out)
{
	Value v;
	memset(&v, 0, sizeof v);
	v.type = T_INTERVAL;
	v.u.iv.us = us;
	sb_putc(out, '\'');
	value_format(&v, out);
	sb_putc(out, '\'');
}

static void print_project(const LogicalOp *op, const char *const *in, StrBuf *out)
{
	StrBuf tmp;
	sb_init(&tmp);
	sb_putc(out, '[');
	for (int i = 0; i < op->nexprs; i++) {
		if (i)
			sb_puts(out, ", ");
		sb_reset(&tmp);
		expr_print(op->exprs[i], in, &tmp);
		sb_puts(out, tmp.data ? tmp.data : "");
		/* Name the column when it is not simply what the expression prints as. */
		const char *name = i < op->ncols ? op->cols[i].name : NULL;
		if (name && strcmp(name, "?column?") != 0 && (!tmp.data || strcmp(tmp.data, name)))
			sb_printf(out, " AS %s", name);
	}
	sb_putc(out, ']');
	sb_deinit(&tmp);
}

static void print_agg(const LogicalOp *op, const char *const *in, int nin, StrBuf *out)
{
	sb_puts(out, " group=[");
	for (int i = 0; i < op->ngroup; i++) {
		if (i)
			sb_puts(out, ", ");
		print_colname(in, nin, op->group_cols[i], out);
	}
	sb_puts(out, "] aggs=[");
	for (int i = 0; i < op->naggs; i++) {
		const AggCall *ac = &op->aggs[i];
		if (i)
			sb_puts(out, ", ");
		sb_printf(out, "%s(", ac->fn ? ac->fn->name : "?");
		if (ac->distinct)
			sb_puts(out, "DISTINCT ");
		if (ac->arg < 0)
			sb_putc(out, '*');
		else
			print_colname(in, nin, ac->arg, out);
		sb_putc(out, ')');
		if (ac->filter >= 0) {
			sb_puts(out, " FILTER (WHERE ");
			print_colname(in, nin, ac->filter, out);
			sb_putc(out, ')');
		}
	}
	sb_putc(out, ']');
}

/* The time column and durations of HOP/SESSION (and their aggregations). */
static void print_window(const LogicalOp *op, const char *const *in, int nin, StrBuf *out)
{
	sb_puts(out, " time=");
	print_colname(in, nin, op->time_col, out);
	if (op->kind == LOP_SESSION || op->kind == LOP_SESSION_AGG) {
		sb_puts(out, " gap=");
		print_interval_us(op->gap_us, out);
		return;
	}
	sb_puts(out, " slide=");
	print_interval_us(op->slide_us, out);
	sb_puts(out, " size=");
	print_interval_us(op->size_us, out);
	if (op->offset_us) {
		sb_puts(out, " offset=");
		print_interval_us(op->offset_us, out);
	}
}

static void print_sort_keys(const SortKey *keys, int nkeys, const char *const *in, int nin,
			    StrBuf *out)
{
	for (int i = 0; i < nkeys; i++) {
		const SortKey *k = &keys[i];
		if (i)
			sb_puts(out, ", ");
		print_colname(in, nin, k->col, out);
		if (k->desc)
			sb_puts(out, " DESC");
		/* PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending. */
		if (k->nulls_first != k->desc)
			sb_puts(out, k->nulls_first ? " NULLS FIRST" : " NULLS LAST");
	}
}

static const char *const win_names[] = {
	[WIN_ROW_NUMBER] = "row_number", [WIN_RANK] = "rank",
	[WIN_DENSE_RANK] = "dense_rank", [WIN_AGG] = "?",
	[WIN_FIRST_VALUE] = "first_value", [WIN_LAST_VALUE] = "last_value",
	[WIN_LAG] = "lag", [WIN_LEAD] = "lead",
};

static void print_bound(WinBound b, int64_t off, StrBuf *out)
{
	static const char *const names[] = {"UNBOUNDED PRECEDING", "PRECEDING", "CURRENT ROW",
					    "FOLLOWING", "UNBOUNDED FOLLOWING"};
	if (b == WB_PRECEDING || b == WB_FOLLOWING)
		sb_printf(out, "%lld ", (long long)off);
	sb_puts(out, names[b]);
}

/* TOPN and OVER: partition, order, then the limit or the calls. */
static void print_over(const LogicalOp *op, const char *const *in, int nin, StrBuf *out)
{
	sb_puts(out, " partition=[");
	for (int i = 0; i < op->npart; i++) {
		if (i)
			sb_puts(out, ", ");
		print_colname(in, nin, op->part_cols[i], out);
	}
	sb_puts(out, "] order=[");
	print_sort_keys(op->keys, op->nkeys, in, nin, out);
	sb_putc(out, ']');
	if (op->kind == LOP_TOPN) {
		sb_printf(out, " %s <= %lld%s", win_names[op->rank_kind], (long long)op->limit,
			  op->rank_output ? " (rank output)" : "");
		return;
	}
	sb_puts(out, " calls=[");
	for (int i = 0; i < op->nwins; i++) {
		const WinCall *w = &op->wins[i];
		if (i)
			sb_puts(out, ", ");
		sb_printf(out, "%s(", w->kind == WIN_AGG ? w->fn->name : win_names[w->kind]);
		if (w->arg >= 0)
			print_colname(in, nin, w->arg, out);
		else if (w->kind == WIN_AGG)
			sb_putc(out, '*');
		sb_putc(out, ')');
		if (w->kind == WIN_AGG || w->kind == WIN_FIRST_VALUE || w->kind == WIN_LAST_VALUE) {
			sb_puts(out, w->rows ? " ROWS " : " RANGE ");
			print_bound(w->start, w->start_off, out);
			sb_puts(out, " AND ");
			print_bound(w->end, w->end_off, out);
		}
	}
	sb_putc(out, ']');
}

/* JOIN: type=left keys=[(a.x = b.y)] residual=... [interval=...]. Right columns are named
 * after the left ones, as the residual sees them. */
static void print_join(const LogicalOp *op, const char *const *lnames, StrBuf *out)
{
	static const char *const types[] = {"inner", "left", "right", "full",
					    "semi", "anti", "anti-null-aware"};
	const LogicalOp *r = op->children[1];
	int nl = op->children[0]->ncols;
	const char **names = mem_alloc((size_t)(nl + r->ncols + 1) * sizeof *names);
	for (int i = 0; i < nl; i++)
		names[i] = lnames[i];
	for (int i = 0; i < r->ncols; i++)
		names[nl + i] = r->cols[i].name;
	sb_printf(out, " type=%s%s keys=[", op->lookup ? "lookup-" : "", types[op->join_type]);
	for (int i = 0; i < op->njkeys; i++) {
		sb_puts(out, i ? ", (" : "(");
		expr_print(op->lkeys[i], names, out);
		sb_puts(out, " = ");
		expr_print(op->rkeys[i], names + nl, out);
		sb_putc(out, ')');
	}
	sb_putc(out, ']');
	if (op->residual) {
		sb_puts(out, " residual=");
		expr_print(op->residual, names, out);
	}
	if (op->interval) {
		sb_printf(out, " interval=%s-%s in [", names[nl + op->r_time], names[op->l_time]);
		print_interval_us(op->lo_us, out);
		sb_puts(out, ", ");
		print_interval_us(op->hi_us, out);
		sb_putc(out, ']');
		if (op->r_lo_col != op->r_time)
			sb_printf(out, " lower-by=%s", names[nl + op->r_lo_col]);
		if (op->l_hi_col != op->l_time)
			sb_printf(out, " upper-by=%s", names[op->l_hi_col]);
	}
	mem_free(names);
}

static void print_op(const LogicalOp *op, int depth, StrBuf *out)
{
	const LogicalOp *child = op->nchildren > 0 ? op->children[0] : NULL;
	const char **in = heap_colnames(child);
	int nin = child ? child->ncols : 0;

	sb_indent(out, depth * 2);
	sb_puts(out, lop_kind_name(op->kind));
	switch (op->kind) {
	case LOP_SCAN:
		sb_printf(out, " %s [", op->obj ? op->obj->name
					       : op->subq ? "per-row subquery" : "?");
		for (int i = 0; i < op->ncols; i++)
			sb_printf(out, "%s%s", i ? ", " : "", op->cols[i].name);
		sb_putc(out, ']');
		break;
	case LOP_VALUES:
		sb_printf(out, " %d row%s [", op->nrows, op->nrows == 1 ? "" : "s");
		for (int i = 0; i < op->ncols; i++)
			sb_printf(out, "%s%s", i ? ", " : "", op->cols[i].name);
		sb_putc(out, ']');
		break;
	case LOP_PROJECT:
		sb_putc(out, ' ');
		print_project(op, in, out);
		break;
	case LOP_FILTER:
		sb_putc(out, ' ');
		if (op->nexprs > 0)
			expr_print(op->exprs[0], in, out);
		break;
	case LOP_TUMBLE:
		sb_puts(out, " time=");
		print_colname(in, nin, op->time_col, out);
		sb_puts(out, " size=");
		print_interval_us(op->size_us, out);
		if (op->offset_us) {
			sb_puts(out, " offset=");
			print_interval_us(op->offset_us, out);
		}
		break;
	case LOP_AGG:
		print_agg(op, in, nin, out);
		break;
	case LOP_HOP:
	case LOP_SESSION:
		print_window(op, in, nin, out);
		break;
	case LOP_HOP_AGG:
	case LOP_SESSION_AGG: {
		/* Group and argument columns count in the window's output. */
		const char **win = heap_colnames(op->window);
		print_window(op, in, nin, out);
		print_agg(op, win, op->window->ncols, out);
		mem_free(win);
		break;
	}
	case LOP_EOWC:
		break;
	case LOP_TOPN:
	case LOP_OVER:
		print_over(op, in, nin, out);
		break;
	case LOP_JOIN:
		print_join(op, in, out);
		break;
	case LOP_UNION_ALL:
		break;
	case LOP_SORT:
		sb_puts(out, " [");
		print_sort_keys(op->keys, op->nkeys, in, nin, out);
		sb_putc(out, ']');
		break;
	case LOP_LIMIT:
		if (op->limit >= 0)
			sb_printf(out, " %lld", (long long)op->limit);
		else
			sb_puts(out, " ALL");
		if (op->offset > 0)
			sb_printf(out, " offset=%lld", (long long)op->offset);
		break;
	}
	if (op->append_only)
		sb_puts(out, " (append-only)");
	if (op->wm_col >= 0 && op->wm_col < op->ncols)
		sb_printf(out, " watermark=%s", op->cols[op->wm_col].name);
	sb_putc(out, '\n');
	mem_free(in);

	for (int i = 0; i < op->nchildren; i++)
		print_op(op->children[i], depth + 1, out);
	if (op->subq) /* the rows the subquery runs for */
		print_op(op->subq->outer, depth + 1, out);
}

void lop_print(const LogicalOp *op, StrBuf *out)
{
	if (op)
		print_op(op, 0, out);
}
