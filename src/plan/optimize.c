/* optimize.c: the logical optimizer: filter pushdown and column pruning.
 *
 * Layer: plan. Runs once over a bound plan (optimize.h) in two passes, as PostgreSQL's and
 * DuckDB's planners do:
 *
 * 1. Filter pushdown (top down). The conjuncts of a FILTER, and of a join's residual, travel
 *    down as a list of predicates over an operator's output. A predicate passes through a
 *    FILTER; through a PROJECT with each column it reads replaced by that column's expression,
 *    when those expressions are safe too (below); below an aggregation when it reads group
 *    columns only (it selects whole groups; of HOP/SESSION aggregations, the group columns
 *    that are not window_start/window_end); below TUMBLE and HOP when it reads only their
 *    input's columns; into every input of a UNION ALL (a copy each); and into the input of a
 *    join it alone reads, when SQL allows: WHERE predicates into either input of an inner join
 *    and into the preserved input of an outer join; residual (ON) conjuncts of an inner join
 *    into either input, of an outer join into the non-preserved one only; semi and anti joins
 *    take predicates on their output (the left rows) into the left input, and residual
 *    conjuncts on the right input only alone (and on the left input too for a semi join).
 *    Null-aware anti joins (NOT IN), full joins and lookup joins keep their conditions. Where a
 *    predicate stops it becomes a FILTER. Only predicates that cannot fail and are not
 *    volatile move (columns, constants, comparisons, AND/OR/NOT, IS NULL, IN and widening
 *    numeric casts), so no row is evaluated that could raise an error or a NULL the original
 *    plan would not have.
 *
 * 2. Column pruning (top down). Each operator learns which of its output columns its parent
 *    reads, asks its inputs only for what it and its parent need, and drops what nobody reads
 *    (PROJECT drops expressions; UNION ALL drops columns from every input alike; the rest pass
 *    narrowed inputs up). Where an input feeds an operator that holds rows as state or that
 *    the parallel runner feeds through an exchange (joins, lookup joins too, aggregations,
 *    HOP/SESSION aggregations, group top-N, window functions, EOWC), or TUMBLE/HOP (which copy
 *    every column, HOP once per window), and still has columns nobody reads (a scan always has
 *    all its columns), a PROJECT of the needed columns goes right above it: below the
 *    exchange, on the sending side. A HOP/SESSION aggregation's shared window node is rebuilt
 *    over its narrowed input (input columns, then window_start, window_end), and its group
 *    columns renumbered in it. Watermark columns are always kept. Every column number living
 *    in the plan is remapped: expressions, group and partition columns, sort keys, aggregate
 *    and window arguments, time_col, wm_col / wm_end_col, the interval join's time columns.
 *
 * The root keeps its output exactly. Per-row subqueries and VALUES keep all their columns.
 * Nothing is changed in place: changed operators and expressions are copies in the
 * statement's arena.
 */
#include "plan/optimize.h"

#include <string.h>

#include "expr/func.h"

typedef struct Opt {
	Arena *a;
} Opt;

/* ---- expressions */

static Expr *copy_expr(Opt *o, const Expr *x)
{
	Expr *n = arena_alloc(o->a, sizeof *n);
	*n = *x;
	if (x->nargs > 0) {
		n->args = arena_alloc(o->a, (size_t)x->nargs * sizeof *n->args);
		for (int i = 0; i < x->nargs; i++)
			n->args[i] = copy_expr(o, x->args[i]);
	}
	return n;
}

static void remap_col(Expr *col, void *arg)
{
	const int *map = arg;
	col->col = map[col->col];
}

static Expr *mapped(Opt *o, const Expr *x, const int *map)
{
	Expr *n = copy_expr(o, x);
	expr_walk_cols(n, remap_col, (void *)map);
	return n;
}

static void mark_col(Expr *col, void *arg)
{
	bool *used = arg;
	used[col->col] = true;
}

static void mark_cols(const Expr *x, bool *used)
{
	if (x)
		expr_walk_cols((Expr *)x, mark_col, used);
}

typedef struct Span {
	int lo, hi; /* columns read: lowest, highest; lo > hi when none */
} Span;

static void span_col(Expr *col, void *arg)
{
	Span *s = arg;
	if (col->col < s->lo)
		s->lo = col->col;
	if (col->col > s->hi)
		s->hi = col->col;
}

static Span span_of(const Expr *x)
{
	Span s = {.lo = 1 << 30, .hi = -1};
	expr_walk_cols((Expr *)x, span_col, &s);
	return s;
}

static bool is_int_type(TypeId t)
{
	return t == T_INT2 || t == T_INT4 || t == T_INT8;
}

/* Whether x can be evaluated on any row without an error and gives the same result each time:
 * what may move to a place where it sees rows the original plan never evaluated it on. */
static bool safe_expr(const Expr *x)
{
	switch (x->kind) {
	case EXPR_COL:
	case EXPR_CONST:
	case EXPR_PARAM:
		return true;
	case EXPR_AND:
	case EXPR_OR:
	case EXPR_NOT:
	case EXPR_IS_NULL:
	case EXPR_IS_NOT_NULL:
	case EXPR_IN:
		break;
	case EXPR_FUNC: {
		static const char *const cmp[] = {"=", "<>", "<", "<=", ">", ">="};
		bool ok = false;
		for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++)
			if (x->fn && x->fn->form == FF_BINOP && strcmp(x->fn->name, cmp[i]) == 0)
				ok = true;
		if (!ok)
			return false;
		break;
	}
	case EXPR_CAST: {
		/* Integers widen to a wider integer, numeric or float without failing. */
		TypeId from = x->args[0]->type, to = x->type;
		if (x->assign_cast || !is_int_type(from))
			return false;
		bool widens = to == T_NUMERIC || to == T_FLOAT8 || to == T_FLOAT4 ||
			      to == T_INT8 || (to == T_INT4 && from != T_INT8);
		if (!widens)
			return false;
		break;
	}
	default:
		return false;
	}
	for (int i = 0; i < x->nargs; i++)
		if (!safe_expr(x->args[i]))
			return false;
	return true;
}

/* A growable list of predicates. */
typedef struct Preds {
	int n, cap;
	Expr **v;
} Preds;

static void preds_add(Opt *o, Preds *p, Expr *x)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		Expr **v = arena_alloc(o->a, (size_t)cap * sizeof *v);
		if (p->n)
			memcpy(v, p->v, (size_t)p->n * sizeof *v);
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = x;
}

/* Adds the conjuncts of x (AND flattened) to p. */
static void split_and(Opt *o, Expr *x, Preds *p)
{
	if (x->kind == EXPR_AND) {
		for (int i = 0; i < x->nargs; i++)
			split_and(o, x->args[i], p);
		return;
	}
	preds_add(o, p, x);
}

/* The conjunction of p's predicates (NULL when none). */
static Expr *and_of(Opt *o, const Preds *p)
{
	if (p->n == 0)
		return NULL;
	if (p->n == 1)
		return p->v[0];
	Expr *x = arena_calloc(o->a, sizeof *x);
	x->kind = EXPR_AND;
	x->type = T_BOOL;
	x->typmod = -1;
	x->location = p->v[0]->location;
	x->nargs = p->n;
	x->args = arena_alloc(o->a, (size_t)p->n * sizeof *x->args);
	memcpy(x->args, p->v, (size_t)p->n * sizeof *x->args);
	return x;
}

static bool *bools(Opt *o, int n)
{
	return arena_calloc(o->a, (size_t)n + 1);
}

static int *ints(Opt *o, int n)
{
	return arena_alloc(o->a, ((size_t)n + 1) * sizeof(int));
}

/* ---- operators */

static LogicalOp *copy_op(Opt *o, const LogicalOp *op)
{
	LogicalOp *n = arena_alloc(o->a, sizeof *n);
	*n = *op;
	if (op->nchildren) {
		n->children = arena_alloc(o->a, (size_t)op->nchildren * sizeof *n->children);
		memcpy(n->children, op->children, (size_t)op->nchildren * sizeof *n->children);
	}
	return n;
}

/* A FILTER of the predicates p over child (child itself when p is empty). */
static LogicalOp *filter_over(Opt *o, LogicalOp *child, const Preds *p)
{
	if (p->n == 0)
		return child;
	LogicalOp *f = lop_new(o->a, LOP_FILTER, 0, 1);
	f->ncols = child->ncols;
	f->cols = child->cols;
	f->children[0] = child;
	f->wm_col = child->wm_col;
	f->wm_end_col = child->wm_end_col;
	f->append_only = child->append_only;
	f->nexprs = 1;
	f->exprs = arena_alloc(o->a, sizeof *f->exprs);
	f->exprs[0] = and_of(o, p);
	return f;
}

static bool opaque(const LogicalOp *op)
{
	return op->kind == LOP_SCAN && op->subq;
}

/* op with child i replaced by c (op itself when c is that child already). */
static LogicalOp *with_child(Opt *o, LogicalOp *op, int i, LogicalOp *c)
{
	if (c == op->children[i])
		return op;
	LogicalOp *n = copy_op(o, op);
	n->children[i] = c;
	return n;
}

/* A copy of x with each column c replaced by a copy of exprs[c]. */
static Expr *substituted(Opt *o, const Expr *x, Expr *const *exprs)
{
	if (x->kind == EXPR_COL)
		return copy_expr(o, exprs[x->col]);
	Expr *n = arena_alloc(o->a, sizeof *n);
	*n = *x;
	if (x->nargs > 0) {
		n->args = arena_alloc(o->a, (size_t)x->nargs * sizeof *n->args);
		for (int i = 0; i < x->nargs; i++)
			n->args[i] = substituted(o, x->args[i], exprs);
	}
	return n;
}

/* ---- pass 1: filter pushdown */

static LogicalOp *push(Opt *o, LogicalOp *op, Preds *p);

/* Pushes no predicates into each child of op (a copy when a child changed). */
static LogicalOp *push_children(Opt *o, LogicalOp *op)
{
	if (opaque(op))
		return op;
	LogicalOp *n = op;
	for (int i = 0; i < op->nchildren; i++) {
		Preds none = {0};
		LogicalOp *c = push(o, op->children[i], &none);
		if (c != op->children[i]) {
			if (n == op)
				n = copy_op(o, op);
			n->children[i] = c;
		}
	}
	return n;
}

/* A copy of x over join output column c - shift (the right input's numbering). */
static Expr *shifted(Opt *o, const Expr *x, int shift, int ncols)
{
	int *map = arena_alloc(o->a, (size_t)ncols * sizeof *map);
	for (int c = 0; c < ncols; c++)
		map[c] = c - shift;
	return mapped(o, x, map);
}

static LogicalOp *push_join(Opt *o, LogicalOp *op, Preds *p)
{
	int nl = op->children[0]->ncols, nr = op->children[1]->ncols, nout = nl + nr;
	JoinType jt = op->join_type;
	bool semi = jt == JOIN_SEMI || jt == JOIN_ANTI || jt == JOIN_ANTI_NA;
	/* Which inputs take predicates from above (WHERE), and residual conjuncts (ON). */
	bool where_l = jt == JOIN_INNER || jt == JOIN_LEFT || semi;
	bool where_r = jt == JOIN_INNER || jt == JOIN_RIGHT;
	bool on_l = jt == JOIN_INNER || jt == JOIN_RIGHT || jt == JOIN_SEMI;
	bool on_r = jt == JOIN_INNER || jt == JOIN_LEFT || jt == JOIN_SEMI || jt == JOIN_ANTI;
	Preds lp = {0}, rp = {0}, above = {0}, keep = {0};
	for (int i = 0; i < p->n; i++) {
		Span s = span_of(p->v[i]);
		if (s.hi >= 0 && s.hi < nl && where_l)
			preds_add(o, &lp, p->v[i]);
		else if (s.hi >= 0 && s.lo >= nl && where_r)
			preds_add(o, &rp, shifted(o, p->v[i], nl, nout));
		else
			preds_add(o, &above, p->v[i]);
	}
	bool moved = false;
	if (op->residual) {
		Preds conj = {0};
		split_and(o, op->residual, &conj);
		for (int i = 0; i < conj.n; i++) {
			Expr *x = conj.v[i];
			Span s = span_of(x);
			if (safe_expr(x) && s.hi >= 0 && s.hi < nl && on_l) {
				preds_add(o, &lp, x);
				moved = true;
			} else if (safe_expr(x) && s.hi >= 0 && s.lo >= nl && on_r) {
				preds_add(o, &rp, shifted(o, x, nl, nout));
				moved = true;
			} else {
				preds_add(o, &keep, x);
			}
		}
	}
	LogicalOp *l = push(o, op->children[0], &lp);
	LogicalOp *r = push(o, op->children[1], &rp);
	LogicalOp *n = op;
	if (l != op->children[0] || r != op->children[1] || moved) {
		n = copy_op(o, op);
		n->children[0] = l;
		n->children[1] = r;
		if (moved)
			n->residual = and_of(o, &keep);
	}
	return filter_over(o, n, &above);
}

static LogicalOp *push(Opt *o, LogicalOp *op, Preds *p)
{
	switch (op->kind) {
	case LOP_FILTER: {
		Preds down = {0}, keep = {0};
		for (int i = 0; i < p->n; i++)
			preds_add(o, &down, p->v[i]);
		LopKind ck = op->children[0]->kind;
		bool passes = ck == LOP_JOIN || ck == LOP_PROJECT || ck == LOP_FILTER ||
			      ck == LOP_AGG || ck == LOP_HOP_AGG || ck == LOP_SESSION_AGG ||
			      ck == LOP_TUMBLE || ck == LOP_HOP || ck == LOP_UNION_ALL;
		if (!passes && p->n == 0) {
			/* Nothing to move: keep the filter as written. */
			return push_children(o, op);
		}
		Preds conj = {0};
		split_and(o, op->exprs[0], &conj);
		for (int i = 0; i < conj.n; i++)
			preds_add(o, safe_expr(conj.v[i]) ? &down : &keep, conj.v[i]);
		LogicalOp *c = push(o, op->children[0], &down);
		return filter_over(o, c, &keep);
	}
	case LOP_PROJECT: {
		/* A predicate reading computed columns moves with their expressions in place of
		 * the columns, when those cannot fail either. */
		LogicalOp *child = op->children[0];
		Preds down = {0}, above = {0};
		for (int i = 0; i < p->n; i++) {
			bool *used = bools(o, op->ncols);
			mark_cols(p->v[i], used);
			bool ok = true;
			for (int c = 0; c < op->ncols; c++)
				if (used[c] && !safe_expr(op->exprs[c]))
					ok = false;
			preds_add(o, ok ? &down : &above, ok ? substituted(o, p->v[i], op->exprs)
							     : p->v[i]);
		}
		return filter_over(o, with_child(o, op, 0, push(o, child, &down)), &above);
	}
	case LOP_JOIN:
		if (op->join_type != JOIN_FULL && !op->lookup)
			return push_join(o, op, p);
		return filter_over(o, push_children(o, op), p);
	case LOP_AGG:
	case LOP_HOP_AGG:
	case LOP_SESSION_AGG: {
		/* Conditions on group columns only select whole groups: they hold on the input rows
		 * of those groups. Window columns of HOP and SESSION are no input columns. */
		int nin = op->kind == LOP_AGG ? op->children[0]->ncols : op->window->ncols - 2;
		int *map = ints(o, op->ncols);
		for (int c = 0; c < op->ncols; c++)
			map[c] = c < op->ngroup && op->group_cols[c] < nin ? op->group_cols[c] : -1;
		bool fits = op->ngroup > 0 && op->children[0]->ncols == nin;
		Preds down = {0}, above = {0};
		for (int i = 0; i < p->n; i++) {
			bool *used = bools(o, op->ncols);
			mark_cols(p->v[i], used);
			bool ok = fits && span_of(p->v[i]).hi >= 0;
			for (int c = 0; c < op->ncols; c++)
				if (used[c] && map[c] < 0)
					ok = false;
			preds_add(o, ok ? &down : &above, ok ? mapped(o, p->v[i], map) : p->v[i]);
		}
		LogicalOp *c = push(o, op->children[0], &down);
		return filter_over(o, with_child(o, op, 0, c), &above);
	}
	case LOP_TUMBLE:
	case LOP_HOP: {
		/* The input's columns keep their numbers; window_start and window_end do not
		 * exist below. */
		int nin = op->children[0]->ncols;
		Preds down = {0}, above = {0};
		for (int i = 0; i < p->n; i++) {
			Span s = span_of(p->v[i]);
			preds_add(o, s.hi >= 0 && s.hi < nin ? &down : &above, p->v[i]);
		}
		LogicalOp *c = push(o, op->children[0], &down);
		return filter_over(o, with_child(o, op, 0, c), &above);
	}
	case LOP_UNION_ALL: {
		/* Every input has the union's columns: each takes its own copy. */
		LogicalOp *n = op;
		for (int k = 0; k < op->nchildren; k++) {
			Preds down = {0};
			for (int i = 0; i < p->n; i++)
				preds_add(o, &down, copy_expr(o, p->v[i]));
			LogicalOp *c = push(o, op->children[k], &down);
			if (c != op->children[k]) {
				if (n == op)
					n = copy_op(o, op);
				n->children[k] = c;
			}
		}
		return n;
	}
	default:
		return filter_over(o, push_children(o, op), p);
	}
}

/* ---- pass 2: column pruning
 *
 * prune(op, need, map) returns op narrowed to at least the columns need[] marks (over op's
 * output), and sets map[c] to the new number of column c (-1 dropped). */

static LogicalOp *prune(Opt *o, LogicalOp *op, bool *need, int *map);

static void identity(int *map, int n)
{
	for (int c = 0; c < n; c++)
		map[c] = c;
}

static int map_or_none(const int *map, int c)
{
	return c >= 0 ? map[c] : -1;
}

/* The child of op pruned to everything: its output does not change. */
static LogicalOp *prune_all(Opt *o, LogicalOp *child)
{
	bool *need = bools(o, child->ncols);
	int *map = ints(o, child->ncols);
	for (int c = 0; c < child->ncols; c++)
		need[c] = true;
	return prune(o, child, need, map);
}

/* Puts a PROJECT of the needed columns (need, in op's old numbering, mapped to the new one
 * by map) above op when op has others; updates map to the projection's numbering. */
static LogicalOp *cut(Opt *o, LogicalOp *op, const bool *need, int nold, int *map)
{
	bool *keep = bools(o, op->ncols);
	int nkeep = 0;
	for (int c = 0; c < nold; c++)
		if (need[c] && map[c] >= 0 && !keep[map[c]]) {
			keep[map[c]] = true;
			nkeep++;
		}
	if (nkeep == op->ncols || nkeep == 0)
		return op;
	LogicalOp *p = lop_new(o->a, LOP_PROJECT, nkeep, 1);
	p->children[0] = op;
	p->append_only = op->append_only;
	p->nexprs = nkeep;
	p->exprs = arena_alloc(o->a, (size_t)nkeep * sizeof *p->exprs);
	int *to = ints(o, op->ncols);
	int k = 0;
	for (int c = 0; c < op->ncols; c++) {
		to[c] = -1;
		if (!keep[c])
			continue;
		p->cols[k] = op->cols[c];
		p->exprs[k] = expr_col(o->a, c, op->cols[c].type, 0);
		p->exprs[k]->typmod = op->cols[c].typmod;
		to[c] = k++;
	}
	p->wm_col = map_or_none(to, op->wm_col);
	p->wm_end_col = map_or_none(to, op->wm_end_col);
	for (int c = 0; c < nold; c++)
		map[c] = map_or_none(to, map[c]);
	return p;
}

static LogicalOp *prune_project(Opt *o, LogicalOp *op, bool *need, int *map)
{
	LogicalOp *child = op->children[0];
	int nkeep = 0;
	for (int i = 0; i < op->ncols; i++)
		nkeep += need[i];
	if (nkeep == 0) /* keep one column: an operator has at least one */
		need[0] = true, nkeep = 1;
	bool *cneed = bools(o, child->ncols);
	for (int i = 0; i < op->ncols; i++)
		if (need[i])
			mark_cols(op->exprs[i], cneed);
	int *cmap = ints(o, child->ncols);
	LogicalOp *c = prune(o, child, cneed, cmap);
	LogicalOp *n = copy_op(o, op);
	n->children[0] = c;
	n->ncols = n->nexprs = nkeep;
	n->cols = arena_alloc(o->a, (size_t)nkeep * sizeof *n->cols);
	n->exprs = arena_alloc(o->a, (size_t)nkeep * sizeof *n->exprs);
	int k = 0;
	for (int i = 0; i < op->ncols; i++) {
		map[i] = -1;
		if (!need[i])
			continue;
		n->cols[k] = op->cols[i];
		n->exprs[k] = mapped(o, op->exprs[i], cmap);
		map[i] = k++;
	}
	n->wm_col = map_or_none(map, op->wm_col);
	n->wm_end_col = map_or_none(map, op->wm_end_col);
	return n;
}

static SortKey *map_keys(Opt *o, const SortKey *keys, int n, const int *map)
{
	SortKey *k = arena_alloc(o->a, ((size_t)n + 1) * sizeof *k);
	for (int i = 0; i < n; i++) {
		k[i] = keys[i];
		k[i].col = map[keys[i].col];
	}
	return k;
}

static int *map_cols(Opt *o, const int *cols, int n, const int *map)
{
	int *v = ints(o, n);
	for (int i = 0; i < n; i++)
		v[i] = map[cols[i]];
	return v;
}

/* Output columns of a pass-through op: the child's (mapped), then `extra` of its own. */
static void pass_map(LogicalOp *n, const LogicalOp *op, const LogicalOp *c, const int *cmap,
		     int nin, int extra, Opt *o, int *map)
{
	n->ncols = c->ncols + extra;
	n->cols = arena_alloc(o->a, ((size_t)n->ncols + 1) * sizeof *n->cols);
	for (int i = 0; i < nin; i++) {
		map[i] = cmap[i];
		if (cmap[i] >= 0)
			n->cols[cmap[i]] = op->cols[i];
	}
	for (int i = 0; i < extra; i++) {
		map[nin + i] = c->ncols + i;
		n->cols[c->ncols + i] = op->cols[nin + i];
	}
	n->wm_col = map_or_none(map, op->wm_col);
	n->wm_end_col = map_or_none(map, op->wm_end_col);
}

static LogicalOp *prune_join(Opt *o, LogicalOp *op, bool *need, int *map)
{
	LogicalOp *l = op->children[0], *r = op->children[1];
	int nl = l->ncols, nr = r->ncols;
	bool semi = op->join_type == JOIN_SEMI || op->join_type == JOIN_ANTI ||
		    op->join_type == JOIN_ANTI_NA;
	bool *ln = bools(o, nl), *rn = bools(o, nr), *both = bools(o, nl + nr);
	for (int c = 0; c < nl; c++)
		ln[c] = need[c];
	for (int c = 0; !semi && c < nr; c++)
		rn[c] = need[nl + c];
	for (int i = 0; i < op->njkeys; i++) {
		mark_cols(op->lkeys[i], ln);
		mark_cols(op->rkeys[i], rn);
	}
	mark_cols(op->residual, both);
	for (int c = 0; c < nl; c++)
		ln[c] |= both[c];
	for (int c = 0; c < nr; c++)
		rn[c] |= both[nl + c];
	if (op->interval) {
		ln[op->l_time] = true;
		rn[op->r_time] = true;
		ln[op->l_hi_col] = true;
		rn[op->r_lo_col] = true;
	}
	int *lmap = ints(o, nl), *rmap = ints(o, nr);
	LogicalOp *l2 = prune(o, l, ln, lmap);
	l2 = cut(o, l2, ln, nl, lmap);
	LogicalOp *r2 = prune(o, r, rn, rmap);
	r2 = cut(o, r2, rn, nr, rmap);
	int *jmap = ints(o, nl + nr);
	for (int c = 0; c < nl; c++)
		jmap[c] = lmap[c];
	for (int c = 0; c < nr; c++)
		jmap[nl + c] = rmap[c] >= 0 ? l2->ncols + rmap[c] : -1;
	LogicalOp *n = copy_op(o, op);
	n->children[0] = l2;
	n->children[1] = r2;
	n->lkeys = arena_alloc(o->a, ((size_t)op->njkeys + 1) * sizeof *n->lkeys);
	n->rkeys = arena_alloc(o->a, ((size_t)op->njkeys + 1) * sizeof *n->rkeys);
	for (int i = 0; i < op->njkeys; i++) {
		n->lkeys[i] = mapped(o, op->lkeys[i], lmap);
		n->rkeys[i] = mapped(o, op->rkeys[i], rmap);
	}
	n->residual = op->residual ? mapped(o, op->residual, jmap) : NULL;
	if (op->interval) {
		n->l_time = lmap[op->l_time];
		n->r_time = rmap[op->r_time];
		n->l_hi_col = lmap[op->l_hi_col];
		n->r_lo_col = rmap[op->r_lo_col];
	}
	n->ncols = semi ? l2->ncols : l2->ncols + r2->ncols;
	n->cols = arena_alloc(o->a, ((size_t)n->ncols + 1) * sizeof *n->cols);
	for (int c = 0; c < op->ncols; c++) {
		map[c] = jmap[c];
		if (jmap[c] >= 0)
			n->cols[jmap[c]] = op->cols[c];
	}
	n->wm_col = map_or_none(map, op->wm_col);
	n->wm_end_col = map_or_none(map, op->wm_end_col);
	return n;
}

/* UNION ALL: every input is pruned to the columns needed of the union, and cut to exactly
 * those, so that column k of each input is still column k of the others. */
static LogicalOp *prune_union(Opt *o, LogicalOp *op, bool *need, int *map)
{
	int nc = op->ncols, nkeep = 0;
	for (int c = 0; c < nc; c++)
		nkeep += need[c];
	if (nkeep == 0)
		need[0] = true, nkeep = 1;
	LogicalOp *n = copy_op(o, op);
	for (int i = 0; i < op->nchildren; i++) {
		bool *cneed = bools(o, nc);
		memcpy(cneed, need, (size_t)nc);
		int *cmap = ints(o, nc);
		LogicalOp *c = prune(o, op->children[i], cneed, cmap);
		c = cut(o, c, need, nc, cmap);
		if (c->ncols != nkeep) {
			/* An input kept more than asked (cannot happen with the rules above). */
			n = copy_op(o, op);
			for (int k = 0; k < op->nchildren; k++)
				n->children[k] = prune_all(o, op->children[k]);
			identity(map, nc);
			return n;
		}
		n->children[i] = c;
	}
	n->ncols = nkeep;
	n->cols = arena_alloc(o->a, ((size_t)nkeep + 1) * sizeof *n->cols);
	int k = 0;
	for (int c = 0; c < nc; c++) {
		map[c] = -1;
		if (!need[c])
			continue;
		n->cols[k] = op->cols[c];
		map[c] = k++;
	}
	n->wm_col = map_or_none(map, op->wm_col);
	n->wm_end_col = map_or_none(map, op->wm_end_col);
	return n;
}

/* HOP_AGG, SESSION_AGG: the output stays; the input is cut to the group, argument and time
 * columns, and the shared window node is rebuilt over it (its first columns are the input's,
 * then window_start, window_end), so group columns count in the new window's output. */
static LogicalOp *prune_window_agg(Opt *o, LogicalOp *op, int *map)
{
	LogicalOp *child = op->children[0];
	const LogicalOp *win = op->window;
	int n = win->ncols - 2;
	identity(map, op->ncols);
	if (child->ncols != n) {
		LogicalOp *same = copy_op(o, op);
		same->children[0] = prune_all(o, child);
		return same;
	}
	bool *cneed = bools(o, n);
	for (int g = 0; g < op->ngroup; g++)
		if (op->group_cols[g] < n)
			cneed[op->group_cols[g]] = true;
	for (int i = 0; i < op->naggs; i++) {
		if (op->aggs[i].arg >= 0)
			cneed[op->aggs[i].arg] = true;
		if (op->aggs[i].filter >= 0)
			cneed[op->aggs[i].filter] = true;
	}
	cneed[op->time_col] = true;
	cneed[win->time_col] = true;
	int *cmap = ints(o, n);
	LogicalOp *c = prune(o, child, cneed, cmap);
	c = cut(o, c, cneed, n, cmap);
	int nn = c->ncols;
	int *wmap = ints(o, n + 2);
	for (int i = 0; i < n; i++)
		wmap[i] = cmap[i];
	wmap[n] = nn;
	wmap[n + 1] = nn + 1;
	LogicalOp *w = copy_op(o, win);
	if (w->nchildren > 0)
		w->children[0] = c;
	w->ncols = nn + 2;
	w->cols = arena_alloc(o->a, ((size_t)nn + 2) * sizeof *w->cols);
	for (int i = 0; i < n + 2; i++)
		if (wmap[i] >= 0)
			w->cols[wmap[i]] = win->cols[i];
	w->time_col = cmap[win->time_col];
	w->wm_col = map_or_none(wmap, win->wm_col);
	w->wm_end_col = map_or_none(wmap, win->wm_end_col);
	LogicalOp *r = copy_op(o, op);
	r->children[0] = c;
	r->window = w;
	r->time_col = cmap[op->time_col];
	r->group_cols = map_cols(o, op->group_cols, op->ngroup, wmap);
	r->aggs = arena_alloc(o->a, ((size_t)op->naggs + 1) * sizeof *r->aggs);
	for (int i = 0; i < op->naggs; i++) {
		r->aggs[i] = op->aggs[i];
		r->aggs[i].arg = map_or_none(cmap, op->aggs[i].arg);
		r->aggs[i].filter = map_or_none(cmap, op->aggs[i].filter);
	}
	return r;
}

static LogicalOp *prune(Opt *o, LogicalOp *op, bool *need, int *map)
{
	/* Watermark columns stay: operators above may close windows or drop state on them. */
	if (op->wm_col >= 0 && op->wm_col < op->ncols)
		need[op->wm_col] = true;
	if (op->wm_end_col >= 0 && op->wm_end_col < op->ncols)
		need[op->wm_end_col] = true;
	if (op->kind == LOP_PROJECT)
		return prune_project(o, op, need, map);
	if (op->kind == LOP_JOIN)
		return prune_join(o, op, need, map);
	if (op->kind == LOP_UNION_ALL)
		return prune_union(o, op, need, map);
	if (op->kind == LOP_HOP_AGG || op->kind == LOP_SESSION_AGG)
		return prune_window_agg(o, op, map);
	bool rows = op->kind == LOP_TOPN || op->kind == LOP_OVER;
	/* Inputs cut to what is used: where rows are held or sent to other instances, and
	 * below TUMBLE and HOP, which copy every input column (HOP once per window). */
	bool narrow = rows || op->kind == LOP_TUMBLE || op->kind == LOP_HOP ||
		      op->kind == LOP_EOWC;
	bool pass = op->kind == LOP_FILTER || op->kind == LOP_SORT || op->kind == LOP_LIMIT ||
		    op->kind == LOP_EOWC || op->kind == LOP_TUMBLE || op->kind == LOP_HOP || rows;
	if (pass) {
		LogicalOp *child = op->children[0];
		int nin = child->ncols;
		bool *cneed = bools(o, nin);
		for (int c = 0; c < nin && c < op->ncols; c++)
			cneed[c] = need[c];
		if (op->kind == LOP_FILTER)
			mark_cols(op->exprs[0], cneed);
		if (op->kind == LOP_TUMBLE || op->kind == LOP_HOP)
			cneed[op->time_col] = true;
		for (int i = 0; i < op->nkeys; i++)
			cneed[op->keys[i].col] = true;
		for (int i = 0; rows && i < op->npart; i++)
			cneed[op->part_cols[i]] = true;
		for (int i = 0; op->kind == LOP_OVER && i < op->nwins; i++)
			if (op->wins[i].arg >= 0)
				cneed[op->wins[i].arg] = true;
		int *cmap = ints(o, nin);
		LogicalOp *c = prune(o, child, cneed, cmap);
		if (narrow)
			c = cut(o, c, cneed, nin, cmap);
		LogicalOp *n = copy_op(o, op);
		n->children[0] = c;
		int extra = op->ncols - nin;
		pass_map(n, op, c, cmap, nin, extra, o, map);
		if (op->kind == LOP_FILTER) {
			n->exprs = arena_alloc(o->a, sizeof *n->exprs);
			n->exprs[0] = mapped(o, op->exprs[0], cmap);
		}
		if (op->kind == LOP_TUMBLE || op->kind == LOP_HOP)
			n->time_col = cmap[op->time_col];
		if (op->nkeys)
			n->keys = map_keys(o, op->keys, op->nkeys, cmap);
		if (rows && op->npart)
			n->part_cols = map_cols(o, op->part_cols, op->npart, cmap);
		if (op->kind == LOP_OVER) {
			n->wins = arena_alloc(o->a, ((size_t)op->nwins + 1) * sizeof *n->wins);
			for (int i = 0; i < op->nwins; i++) {
				n->wins[i] = op->wins[i];
				n->wins[i].arg = map_or_none(cmap, op->wins[i].arg);
			}
		}
		return n;
	}
	if (op->kind == LOP_AGG) {
		LogicalOp *child = op->children[0];
		bool *cneed = bools(o, child->ncols);
		for (int i = 0; i < op->ngroup; i++)
			cneed[op->group_cols[i]] = true;
		for (int i = 0; i < op->naggs; i++) {
			if (op->aggs[i].arg >= 0)
				cneed[op->aggs[i].arg] = true;
			if (op->aggs[i].filter >= 0)
				cneed[op->aggs[i].filter] = true;
		}
		int *cmap = ints(o, child->ncols);
		LogicalOp *c = prune(o, child, cneed, cmap);
		c = cut(o, c, cneed, child->ncols, cmap);
		LogicalOp *n = copy_op(o, op);
		n->children[0] = c;
		n->group_cols = map_cols(o, op->group_cols, op->ngroup, cmap);
		n->aggs = arena_alloc(o->a, ((size_t)op->naggs + 1) * sizeof *n->aggs);
		for (int i = 0; i < op->naggs; i++) {
			n->aggs[i] = op->aggs[i];
			n->aggs[i].arg = map_or_none(cmap, op->aggs[i].arg);
			n->aggs[i].filter = map_or_none(cmap, op->aggs[i].filter);
		}
		identity(map, op->ncols);
		return n;
	}
	/* Everything else keeps its columns; its inputs are pruned for what they must give. */
	identity(map, op->ncols);
	if (opaque(op) || op->kind == LOP_SCAN || op->kind == LOP_VALUES)
		return op;
	LogicalOp *n = copy_op(o, op);
	for (int i = 0; i < op->nchildren; i++)
		n->children[i] = prune_all(o, op->children[i]);
	return n;
}

LogicalOp *plan_optimize(LogicalOp *plan, Arena *a)
{
	if (!plan)
		return NULL;
	Opt o = {.a = a};
	Preds none = {0};
	LogicalOp *p = push(&o, plan, &none);
	return prune_all(&o, p);
}

void plan_optimize_stmt(BoundStmt *st, Arena *a)
{
	if (!st)
		return;
	st->query = plan_optimize(st->query, a);
	if (st->inner)
		plan_optimize_stmt(st->inner, a);
}
