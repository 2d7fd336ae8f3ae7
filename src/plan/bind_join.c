/* bind_join.c: joins in FROM and IN / EXISTS subqueries in WHERE, to LOP_JOIN plans.
 *
 * Layer: plan. Binds `a [INNER|LEFT|RIGHT|FULL] JOIN b ON ... | USING (...)`, NATURAL and CROSS
 * joins and comma lists into LOP_JOIN nodes whose output is the left columns then the right
 * ones, with a scope that qualifies every column by its relation (USING adds a projection in
 * front: the merged columns, then both sides, the USING columns of each side reachable only
 * qualified). A join condition is split into equi-keys (a conjunct `l = r` whose sides read one
 * input each; expressions are allowed and computed by the operator) and a residual (every other
 * conjunct, part of the match condition). An inner join whose residual
 * bounds r.ts - l.ts on both inputs' watermark columns (or through another timestamp column of
 * one side, r.ts <= l.expires) is marked `interval`, so its operator
 * drops state the watermarks make unreachable. WHERE conjuncts over an inner join are pushed
 * into it (comma lists become equi-joins), and `[NOT] EXISTS (SELECT ...)` and `x [NOT] IN
 * (SELECT ...)` conjuncts become semi / anti joins; correlated subqueries are bound over the
 * outer scope followed by theirs, inner names shadowing outer ones. Changes no catalog state.
 */
#include <string.h>

#include "expr/func.h"
#include "plan/bind_int.h"

/* ---- scopes */

/* out = l's columns then r's; `hidden` columns keep their qualifier. */
static void scope_concat(Binder *b, Scope *out, const Scope *l, const Scope *r)
{
	int n = l->ncols + r->ncols, nr = l->nrels + r->nrels;
	out->ncols = n;
	out->names = arena_calloc(b->a, (size_t)(n + 1) * sizeof *out->names);
	out->quals = arena_calloc(b->a, (size_t)(n + 1) * sizeof *out->quals);
	out->types = arena_calloc(b->a, (size_t)(n + 1) * sizeof *out->types);
	uint8_t *hidden = arena_calloc(b->a, (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		const Scope *s = i < l->ncols ? l : r;
		int j = i < l->ncols ? i : i - l->ncols;
		out->names[i] = s->names[j];
		out->quals[i] = s->quals[j];
		out->types[i] = s->types[j];
		hidden[i] = s->hidden ? s->hidden[j] : 0;
	}
	out->hidden = hidden;
	out->rels = arena_calloc(b->a, (size_t)(nr + 1) * sizeof *out->rels);
	out->nrels = 0;
	for (int i = 0; i < l->nrels; i++)
		out->rels[out->nrels++] = l->rels[i];
	for (int i = 0; i < r->nrels; i++)
		out->rels[out->nrels++] = r->rels[i];
}

static bool scope_has_rel(const Scope *s, const char *rel)
{
	for (int i = 0; rel && i < s->nrels; i++)
		if (s->rels[i] && strcmp(s->rels[i], rel) == 0)
			return true;
	return false;
}

/* A correlated subquery's scope: the outer columns then the inner ones. Inner names shadow
 * outer ones: an outer column whose name the inner side also has is reachable only qualified,
 * and an outer relation the inner side names again is not reachable at all. */
static void scope_correlated(Binder *b, Scope *out, const Scope *outer, const Scope *inner)
{
	scope_concat(b, out, outer, inner);
	uint8_t *hidden = (uint8_t *)out->hidden;
	for (int i = 0; i < outer->ncols; i++) {
		for (int j = 0; j < inner->ncols && !hidden[i]; j++)
			hidden[i] = strcmp(out->names[i], inner->names[j]) == 0;
		if (scope_has_rel(inner, out->quals[i])) {
			out->quals[i] = NULL;
			hidden[i] = 1;
		}
	}
	int k = 0;
	for (int i = 0; i < out->nrels; i++)
		if (i >= outer->nrels || !scope_has_rel(inner, out->rels[i]))
			out->rels[k++] = out->rels[i];
	out->nrels = k;
}

/* ---- conditions */

/* Which inputs x reads: bit 1 the left (columns < nl), bit 2 the right. */
static int sides(const Expr *x, int nl)
{
	if (x->kind == EXPR_COL)
		return x->col < nl ? 1 : 2;
	int s = 0;
	for (int i = 0; i < x->nargs; i++)
		s |= sides(x->args[i], nl);
	return s;
}

/* A copy of x with every column index lowered by `shift`. */
static Expr *shift_cols(Binder *b, const Expr *x, int shift)
{
	Expr *c = arena_alloc(b->a, sizeof *c);
	*c = *x;
	if (x->kind == EXPR_COL)
		c->col -= shift;
	if (x->nargs) {
		c->args = arena_alloc(b->a, (size_t)x->nargs * sizeof *c->args);
		for (int i = 0; i < x->nargs; i++)
			c->args[i] = shift_cols(b, x->args[i], shift);
	}
	return c;
}

typedef struct ExprList {
	Expr **v;
	int n, cap;
} ExprList;

static void list_add(Binder *b, ExprList *l, Expr *x)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 8;
		Expr **v = arena_alloc(b->a, (size_t)cap * sizeof *v);
		if (l->n)
			memcpy(v, l->v, (size_t)l->n * sizeof *v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = x;
}

static void conjuncts(Binder *b, Expr *x, ExprList *out)
{
	if (x->kind == EXPR_AND) {
		for (int i = 0; i < x->nargs; i++)
			conjuncts(b, x->args[i], out);
		return;
	}
	list_add(b, out, x);
}

static bool is_func(const Expr *x, const char *name)
{
	return x->kind == EXPR_FUNC && x->nargs == 2 && strcmp(x->fn->name, name) == 0;
}

static Expr *and2(Binder *b, Expr *l, Expr *r)
{
	if (!l)
		return r;
	Expr *args[2] = {l, r};
	return expr_logic(b->a, EXPR_AND, args, 2, r->location, b->e);
}

/* A time term `col [+|- constant interval]`: its column and offset in microseconds. */
static bool time_term(Binder *b, const Expr *x, int *col, int64_t *off)
{
	if (x->kind == EXPR_COL) {
		*col = x->col;
		*off = 0;
		return true;
	}
	bool plus = is_func(x, "+"), minus = is_func(x, "-");
	if (!plus && !minus)
		return false;
	const Expr *c = x->args[0], *k = x->args[1];
	if (plus && c->kind != EXPR_COL) {
		c = x->args[1];
		k = x->args[0];
	}
	Value v;
	if (c->kind != EXPR_COL || k->type != T_INTERVAL || !expr_is_const(k) ||
	    bind_eval_const(b, k, &v) < 0 || v.null || v.u.iv.months != 0)
		return false;
	*col = c->col;
	*off = v.u.iv.us + (int64_t)v.u.iv.days * US_PER_DAY;
	if (minus)
		*off = -*off;
	return true;
}

/* The bounds found so far: lo on r_lo - l_time, hi on r_time - l_hi (column numbers of the
 * child; the side's time column when a bound names it). */
typedef struct Bounds {
	int64_t lo, hi;
	int lo_col, hi_col;
	bool has_lo, has_hi;
} Bounds;

/* Takes bound v on a difference whose own column is col (time: that side's time column):
 * a bound on the two time columns wins over one naming another column, and between bounds on
 * the same columns the tighter one. */
static void take_bound(int64_t v, int col, int time, bool upper, Bounds *bd)
{
	int64_t *cur = upper ? &bd->hi : &bd->lo;
	int *ccol = upper ? &bd->hi_col : &bd->lo_col;
	bool *has = upper ? &bd->has_hi : &bd->has_lo;
	bool take = !*has || (col == *ccol && (upper ? v < *cur : v > *cur)) ||
		    (col == time && *ccol != time);
	if (!take)
		return;
	*cur = v;
	*ccol = col;
	*has = true;
}

/* Tightens the bounds from a conjunct `x op y`, when it is one: over the two time columns
 * both ways; over the right time column and another timestamp column of the left input an
 * upper bound (r_time - l_col <= v), over another of the right input and the left time column
 * a lower one (r_col - l_time >= v): what the operator can expire rows by. */
static void time_bound(Binder *b, const LogicalOp *op, const Expr *x, Bounds *bd)
{
	static const char *const ops[] = {">=", ">", "<=", "<", "="};
	int k = -1;
	for (int i = 0; i < 5 && k < 0; i++)
		if (is_func(x, ops[i]))
			k = i;
	int ca, cb;
	int64_t oa, ob;
	if (k < 0 || !time_term(b, x->args[0], &ca, &oa) || !time_term(b, x->args[1], &cb, &ob))
		return;
	const LogicalOp *l = op->children[0], *r = op->children[1];
	int nl = l->ncols, lt = l->wm_col, rt = r->wm_col + nl;
	bool ge = k < 2, eq = k == 4;
	int64_t v;
	int lc, rc; /* rc - lc op v */
	if (ca >= nl && cb < nl) { /* rc + oa op lc + ob: rc - lc op ob - oa */
		rc = ca;
		lc = cb;
		v = ob - oa;
	} else if (ca < nl && cb >= nl) { /* lc + oa op rc + ob: rc - lc op' oa - ob */
		lc = ca;
		rc = cb;
		v = oa - ob;
		ge = !ge;
	} else {
		return;
	}
	/* Rows keep their times as microseconds of the time columns' type. */
	if (l->cols[lc].type != l->cols[lt].type || r->cols[rc - nl].type != r->cols[rt - nl].type)
		return;
	if ((ge || eq) && lc == lt)
		take_bound(v, rc - nl, rt - nl, false, bd);
	if ((!ge || eq) && rc == rt)
		take_bound(v, lc, lt, true, bd);
}

/* Marks an inner join of inputs with watermarks as an interval join when its condition bounds
 * r_time - l_time on both sides (an equi-key on the two watermark columns bounds it to [0, 0]:
 * a join of windows on their bounds), or bounds it through another timestamp column of one
 * side: r_time <= l_col + hi, r_col - lo >= l_time (Nexmark q4, q9: b.date_time BETWEEN
 * a.date_time AND a.expires). The inputs need not be append-only: a watermark W on a column
 * promises that no change (insert or delete) below W follows, which is all the operator needs
 * (a windowed aggregation keeps it by dropping late rows); a bound through another column
 * needs append-only inputs (a changelog side keeps rows until its own watermark passes their
 * time, which says nothing of the other column). The output's watermark is on the left time
 * column when the upper bound names it (min(wl, wr - hi)), else on the right time column when
 * the lower bound names that (min(wr, wl + lo)), else there is none. */
static void detect_interval(Binder *b, LogicalOp *op)
{
	const LogicalOp *l = op->children[0], *r = op->children[1];
	if (op->join_type != JOIN_INNER || op->lookup || l->wm_col < 0 || r->wm_col < 0)
		return;
	Bounds bd = {0};
	for (int i = 0; i < op->njkeys; i++) {
		Expr *k = op->rkeys[i];
		if (op->lkeys[i]->kind == EXPR_COL && op->lkeys[i]->col == l->wm_col &&
		    k->kind == EXPR_COL && k->col == r->wm_col) {
			bd = (Bounds){0, 0, r->wm_col, l->wm_col, true, true};
		}
	}
	if (op->residual) {
		ExprList cs = {0};
		conjuncts(b, op->residual, &cs);
		for (int i = 0; i < cs.n; i++)
			time_bound(b, op, cs.v[i], &bd);
	}
	if (!bd.has_lo || !bd.has_hi)
		return;
	bool plain = bd.lo_col == r->wm_col && bd.hi_col == l->wm_col;
	if ((plain && bd.lo > bd.hi) || (!plain && (!l->append_only || !r->append_only)))
		return;
	op->interval = true;
	op->l_time = l->wm_col;
	op->r_time = r->wm_col;
	op->lo_us = bd.lo;
	op->hi_us = bd.hi;
	op->l_hi_col = bd.hi_col;
	op->r_lo_col = bd.lo_col;
	if (bd.hi_col == l->wm_col)
		op->wm_col = l->wm_col;
	else if (bd.lo_col == r->wm_col)
		op->wm_col = l->ncols + r->wm_col;
	else
		op->wm_col = -1;
}

/* Adds a condition over the join's left then right columns: equi-conjuncts become keys, the
 * rest joins the residual. */
static int join_add_condition(Binder *b, LogicalOp *op, Expr *cond)
{
	int nl = op->children[0]->ncols;
	ExprList cs = {0};
	conjuncts(b, cond, &cs);
	Expr **lk = arena_alloc(b->a, (size_t)(op->njkeys + cs.n) * sizeof *lk);
	Expr **rk = arena_alloc(b->a, (size_t)(op->njkeys + cs.n) * sizeof *rk);
	if (op->njkeys) {
		memcpy(lk, op->lkeys, (size_t)op->njkeys * sizeof *lk);
		memcpy(rk, op->rkeys, (size_t)op->njkeys * sizeof *rk);
	}
	op->lkeys = lk;
	op->rkeys = rk;
	for (int i = 0; i < cs.n; i++) {
		Expr *c = cs.v[i];
		if (is_func(c, "=") && c->args[0]->type == c->args[1]->type) {
			int s0 = sides(c->args[0], nl), s1 = sides(c->args[1], nl);
			if ((s0 == 1 && s1 == 2) || (s0 == 2 && s1 == 1)) {
				Expr *l = s0 == 1 ? c->args[0] : c->args[1];
				Expr *r = s0 == 1 ? c->args[1] : c->args[0];
				op->lkeys[op->njkeys] = l;
				op->rkeys[op->njkeys++] = shift_cols(b, r, nl);
				continue;
			}
		}
		if (!(op->residual = and2(b, op->residual, c)))
			return -1;
	}
	detect_interval(b, op);
	return 0;
}

static LogicalOp *new_join(Binder *b, JoinType t, LogicalOp *l, LogicalOp *r)
{
	bool semi = t >= JOIN_SEMI;
	int nl = l->ncols, nr = semi ? 0 : r->ncols;
	LogicalOp *op = lop_new(b->a, LOP_JOIN, nl + nr, 2);
	op->children[0] = l;
	op->children[1] = r;
	op->join_type = t;
	for (int i = 0; i < nl; i++) {
		op->cols[i] = l->cols[i];
		if (t == JOIN_RIGHT || t == JOIN_FULL)
			op->cols[i].not_null = false;
	}
	for (int i = 0; i < nr; i++) {
		op->cols[nl + i] = r->cols[i];
		if (t == JOIN_LEFT || t == JOIN_FULL)
			op->cols[nl + i].not_null = false;
	}
	/* Inner and semi joins of append-only inputs only ever add rows; outer joins retract
	 * NULL-padded rows, anti joins retract rows a new match excludes. */
	op->append_only = (t == JOIN_INNER || t == JOIN_SEMI) && l->append_only && r->append_only;
	op->l_time = op->r_time = op->l_hi_col = op->r_lo_col = -1;
	return op;
}

/* ---- FROM */

/* The index of the visible, unqualified-reachable column `name` of s; -1 none, -2 several. */
static int find_common(const Scope *s, const char *name)
{
	int found = -1;
	for (int i = 0; i < s->ncols; i++) {
		if ((s->hidden && s->hidden[i]) || strcmp(s->names[i], name))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}

/* JOIN ... USING (cols) and NATURAL JOIN: the equality condition, then a projection of the
 * merged columns (COALESCE for FULL), the left columns and the right ones. */
static LogicalOp *using_join(Binder *b, LogicalOp *op, const Scope *ls, const Scope *rs,
			     Scope *js, char **cols, int n, int loc)
{
	int nl = ls->ncols, nr = rs->ncols;
	Expr **merged = arena_alloc(b->a, (size_t)(n + 1) * sizeof *merged);
	uint8_t *lhide = arena_calloc(b->a, (size_t)nl + 1);
	uint8_t *rhide = arena_calloc(b->a, (size_t)nr + 1);
	for (int i = 0; i < n; i++) {
		int l = find_common(ls, cols[i]), r = find_common(rs, cols[i]);
		const char *side = l < 0 ? "left" : "right";
		int bad = l < 0 ? l : r;
		if (bad == -2)
			return err_set_pos(b->e, ERR_AMBIGUOUS_COLUMN, loc,
					   "common column name \"%s\" appears more than once in %s "
					   "table",
					   cols[i], side),
			       NULL;
		if (bad == -1)
			return err_set_pos(b->e, ERR_UNDEFINED_COLUMN, loc,
					   "column \"%s\" specified in USING clause does not exist "
					   "in %s table",
					   cols[i], side),
			       NULL;
		for (int j = 0; j < i; j++)
			if (strcmp(cols[i], cols[j]) == 0)
				return err_set_pos(b->e, ERR_DUPLICATE_COLUMN, loc,
						   "column name \"%s\" appears more than once in "
						   "USING clause",
						   cols[i]),
				       NULL;
		Expr *args[2] = {expr_col(b->a, l, ls->types[l], loc),
				 expr_col(b->a, nl + r, rs->types[r], loc)};
		Expr *eq = expr_func(b->a, "=", args, 2, loc, b->e);
		if (!eq || join_add_condition(b, op, eq) < 0)
			return NULL;
		lhide[l] = rhide[r] = 1;
		if (op->join_type == JOIN_FULL)
			merged[i] = expr_coalesce(b->a, eq->args, 2, loc, b->e);
		else
			merged[i] = eq->args[op->join_type == JOIN_RIGHT ? 1 : 0];
		if (!merged[i])
			return NULL;
	}
	Scope ms = {.ncols = n, .names = (const char **)cols};
	ms.quals = arena_calloc(b->a, (size_t)(n + 1) * sizeof *ms.quals);
	ms.types = arena_alloc(b->a, (size_t)(n + 1) * sizeof *ms.types);
	for (int i = 0; i < n; i++)
		ms.types[i] = merged[i]->type;
	Scope l2 = *ls, r2 = *rs, lr;
	l2.hidden = lhide;
	r2.hidden = rhide;
	for (int i = 0; ls->hidden && i < nl; i++)
		lhide[i] |= ls->hidden[i];
	for (int i = 0; rs->hidden && i < nr; i++)
		rhide[i] |= rs->hidden[i];
	scope_concat(b, &lr, &l2, &r2);
	scope_concat(b, js, &ms, &lr);
	Expr **exprs = arena_alloc(b->a, (size_t)(n + nl + nr + 1) * sizeof *exprs);
	for (int i = 0; i < n; i++)
		exprs[i] = merged[i];
	for (int i = 0; i < nl + nr; i++)
		exprs[n + i] = expr_col(b->a, i, op->cols[i].type, 0);
	return bind_project(b, op, n + nl + nr, exprs, js->names);
}

/* Joins `r` (scope rs) onto `l` (scope ls): the join node and its scope in *js. */
static LogicalOp *join_pair(Binder *b, JoinType t, LogicalOp *l, const Scope *ls, LogicalOp *r,
			    const Scope *rs, Scope *js)
{
	LogicalOp *op = new_join(b, t, l, r);
	scope_concat(b, js, ls, rs);
	return op;
}

/* `JOIN t FOR SYSTEM_TIME AS OF PROCTIME()`: a lookup join, inner or left, of a processing-time
 * version (PROCTIME() or NOW(); event-time versions are not supported). */
static int check_lookup(Binder *b, const AstTableRef *ref)
{
	const AstExpr *x = ref->right->as_of;
	if (x->kind != AST_FUNC || x->func.nargs != 0 || x->func.over ||
	    (strcmp(x->func.name, "proctime") != 0 && strcmp(x->func.name, "now") != 0))
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "FOR SYSTEM_TIME AS OF supports only PROCTIME() or NOW()"),
		       err_hint(b->e, "a lookup join reads the table as it is when each row "
				      "arrives; joins on event-time versions are not supported yet"),
		       -1;
	if (ref->join != AST_JOIN_INNER && ref->join != AST_JOIN_LEFT)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->location,
				   "FOR SYSTEM_TIME AS OF is supported in inner and left joins only"),
		       -1;
	if (ref->natural || ref->nusing > 0 || !ref->on)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, ref->location,
				   "a lookup join needs an ON condition"),
		       -1;
	return 0;
}

LogicalOp *bind_join(Binder *b, const AstTableRef *ref, Scope *scope)
{
	static const JoinType types[] = {[AST_JOIN_INNER] = JOIN_INNER, [AST_JOIN_LEFT] = JOIN_LEFT,
					 [AST_JOIN_RIGHT] = JOIN_RIGHT, [AST_JOIN_FULL] = JOIN_FULL,
					 [AST_JOIN_CROSS] = JOIN_INNER};
	Scope ls, rs, js;
	memset(&ls, 0, sizeof ls);
	memset(&rs, 0, sizeof rs);
	LogicalOp *l = bind_from_item(b, ref->left, &ls);
	AstTableRef right = *ref->right;
	right.as_of = NULL;
	if (l && ref->right->as_of && check_lookup(b, ref) < 0)
		return NULL;
	LogicalOp *r = l ? bind_from_item(b, &right, &rs) : NULL;
	if (!r)
		return NULL;
	LogicalOp *op = join_pair(b, types[ref->join], l, &ls, r, &rs, &js);
	LogicalOp *top = op;
	if (ref->right->as_of) {
		/* Right changes emit nothing, so the output only grows with the left side and
		 * carries its watermark (the left columns come first). */
		op->lookup = true;
		op->append_only = l->append_only;
		op->wm_col = l->wm_col;
		op->wm_end_col = l->wm_end_col;
	}
	if (ref->on) {
		BindCx cx = {.b = b, .scope = &js, .clause = "JOIN/ON"};
		Expr *c = bind_condition(&cx, ref->on, "JOIN/ON");
		if (!c || join_add_condition(b, op, c) < 0)
			return NULL;
	} else if (ref->nusing > 0 || ref->natural) {
		char **cols = ref->using_cols;
		int n = ref->nusing;
		if (ref->natural) {
			cols = arena_alloc(b->a, (size_t)(ls.ncols + 1) * sizeof *cols);
			n = 0;
			for (int i = 0; i < ls.ncols; i++)
				if (!(ls.hidden && ls.hidden[i]) &&
				    find_common(&ls, ls.names[i]) == i &&
				    find_common(&rs, ls.names[i]) >= 0)
					cols[n++] = (char *)ls.names[i];
		}
		if (n > 0 && !(top = using_join(b, op, &ls, &rs, &js, cols, n, ref->location)))
			return NULL;
	}
	if (ref->alias) {
		/* (a JOIN b) AS j: every column is j's now. */
		for (int i = 0; i < js.ncols; i++)
			js.quals[i] = ref->alias->name;
		js.nrels = 1;
		js.rels[0] = ref->alias->name;
	}
	*scope = js;
	return top;
}

LogicalOp *bind_from_list(Binder *b, AstTableRef **items, int n, Scope *scope)
{
	Scope acc;
	memset(&acc, 0, sizeof acc);
	LogicalOp *op = bind_from_item(b, items[0], &acc);
	for (int i = 1; op && i < n; i++) {
		Scope rs, js;
		memset(&rs, 0, sizeof rs);
		LogicalOp *r = bind_from_item(b, items[i], &rs);
		if (!r)
			return NULL;
		op = join_pair(b, JOIN_INNER, op, &acc, r, &rs, &js);
		acc = js;
	}
	*scope = acc;
	return op;
}

/* ---- WHERE */

/* Adds conjunct c (over op's output) to the lowest inner join of the tree at op that covers
 * its columns; false when op is not an inner join or c reads no column. */
static bool push_conjunct(Binder *b, LogicalOp *op, Expr *c, int *rc)
{
	if (op->kind != LOP_JOIN || op->join_type != JOIN_INNER)
		return false;
	int nl = op->children[0]->ncols, s = sides(c, nl);
	if (s == 0)
		return false;
	if (s == 1 && push_conjunct(b, op->children[0], c, rc))
		return true;
	if (s == 2 && push_conjunct(b, op->children[1], shift_cols(b, c, nl), rc))
		return true;
	*rc = join_add_condition(b, op, c);
	return true;
}

/* A subquery's select list is a single expression that needs no aggregation. */
static bool simple_subquery(const AstQuery *q, bool in)
{
	if (q->kind != AST_QUERY_SELECT || q->nfrom == 0 || q->ngroup_by || q->having ||
	    q->distinct || q->ndistinct_on || q->limit || q->offset || q->nctes)
		return false;
	return !in || (q->ntargets == 1 && q->targets[0].expr->kind != AST_FUNC &&
		       !(q->targets[0].expr->kind == AST_COLUMN && q->targets[0].expr->column.star));
}

/* `[NOT] EXISTS (q)` / `x [NOT] IN (q)` as a semi or anti join of *input with q. */
static int bind_subquery_join(BindCx *cx, LogicalOp **input, const AstExpr *x)
{
	Binder *b = cx->b;
	bool neg = false;
	if (x->kind == AST_UNARY) {
		neg = true;
		x = x->unary.arg;
	}
	const AstExpr *lhs = x->kind == AST_IN_SUBQUERY ? x->in.arg : NULL;
	const AstQuery *q = lhs ? x->in.query : x->sub.query;
	if (lhs)
		neg = x->in.negated;
	LogicalOp *outer = *input, *inner;
	int nl = outer->ncols;
	Expr *cond = NULL, *target = NULL; /* over outer then inner columns */
	if (simple_subquery(q, lhs != NULL)) {
		Scope is, cs;
		memset(&is, 0, sizeof is);
		if (!(inner = bind_from_list(b, q->from, q->nfrom, &is)))
			return -1;
		scope_correlated(b, &cs, cx->scope, &is);
		BindCx icx = {.b = b, .scope = &cs, .clause = "WHERE"};
		Expr *w = NULL;
		if (q->where && !(w = bind_condition(&icx, q->where, "WHERE")))
			return -1;
		if (lhs) {
			icx.clause = "SELECT";
			if (!(target = bind_expr(&icx, q->targets[0].expr)))
				return -1;
			if (sides(target, nl) & 1)
				return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
						   "a subquery's select list referring to the outer "
						   "query is not supported"),
				       -1;
		}
		/* Conjuncts over the subquery alone filter it before the join. */
		ExprList cs2 = {0}, below = {0};
		if (w)
			conjuncts(b, w, &cs2);
		for (int i = 0; i < cs2.n; i++) {
			if (sides(cs2.v[i], nl) == 2)
				list_add(b, &below, shift_cols(b, cs2.v[i], nl));
			else if (!(cond = and2(b, cond, cs2.v[i])))
				return -1;
		}
		if (below.n) {
			Expr *f = NULL;
			for (int i = 0; i < below.n; i++)
				f = and2(b, f, below.v[i]);
			LogicalOp *fo = lop_new(b->a, LOP_FILTER, inner->ncols, 1);
			memcpy(fo->cols, inner->cols, (size_t)inner->ncols * sizeof *fo->cols);
			fo->children[0] = inner;
			fo->nexprs = 1;
			fo->exprs = arena_alloc(b->a, sizeof *fo->exprs);
			fo->exprs[0] = f;
			fo->wm_col = inner->wm_col;
			fo->append_only = inner->append_only;
			inner = fo;
		}
	} else {
		if (!(inner = bind_query(b, q, true)))
			return -1;
		if (lhs && inner->ncols != 1)
			return err_set_pos(b->e, ERR_SYNTAX, x->location,
					   "subquery has too %s columns",
					   inner->ncols > 1 ? "many" : "few"),
			       -1;
		if (lhs)
			target = expr_col(b->a, nl, inner->cols[0].type, x->location);
	}
	JoinType t = neg ? JOIN_ANTI : JOIN_SEMI;
	if (lhs) {
		Expr *l = bind_expr(cx, lhs);
		if (!l)
			return -1;
		Expr *args[2] = {l, target};
		Expr *eq = expr_func(b->a, "=", args, 2, x->location, b->e);
		if (!eq) {
			err_locate(b->e, x->location);
			return -1;
		}
		if (neg) {
			/* NOT IN is NULL-aware: it needs the bare key comparison. */
			if (cond || sides(l, nl) != 1)
				return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
						   "NOT IN with a correlated subquery is not "
						   "supported"),
				       err_hint(b->e, "write NOT EXISTS (SELECT ... WHERE ...)"),
				       -1;
			t = JOIN_ANTI_NA;
		}
		if (!(cond = and2(b, cond, eq)))
			return -1;
	}
	LogicalOp *op = new_join(b, t, outer, inner);
	if (cond && join_add_condition(b, op, cond) < 0)
		return -1;
	if (t == JOIN_ANTI_NA && op->njkeys != 1)
		return err_set_pos(b->e, ERR_FEATURE_NOT_SUPPORTED, x->location,
				   "NOT IN over these types is not supported"),
		       -1;
	*input = op;
	return 0;
}

static bool is_subquery_test(const AstExpr *x)
{
	if (x->kind == AST_UNARY && strcmp(x->unary.op, "not") == 0)
		x = x->unary.arg;
	return x->kind == AST_EXISTS || x->kind == AST_IN_SUBQUERY;
}

static void ast_conjuncts(Binder *b, const AstExpr *x, const AstExpr **v, int *n)
{
	if (x->kind == AST_BINARY && strcmp(x->binary.op, "and") == 0) {
		ast_conjuncts(b, x->binary.left, v, n);
		ast_conjuncts(b, x->binary.right, v, n);
		return;
	}
	v[(*n)++] = x;
}

static int count_conjuncts(const AstExpr *x)
{
	if (x->kind == AST_BINARY && strcmp(x->binary.op, "and") == 0)
		return count_conjuncts(x->binary.left) + count_conjuncts(x->binary.right);
	return 1;
}

/* Adds the conjuncts of a bound condition to the inner join at *input where they fit, the
 * others to *rest. */
static int push_condition(Binder *b, LogicalOp *input, Expr *c, Expr **rest)
{
	ExprList cs = {0};
	conjuncts(b, c, &cs);
	for (int i = 0; i < cs.n; i++) {
		int rc = 0;
		if (push_conjunct(b, input, cs.v[i], &rc)) {
			if (rc < 0)
				return -1;
		} else if (!(*rest = and2(b, *rest, cs.v[i]))) {
			return -1;
		}
	}
	return 0;
}

int bind_where_joins(BindCx *cx, LogicalOp **input, const AstExpr *where, Expr **rest)
{
	Binder *b = cx->b;
	int n = 0, nsub = 0;
	const AstExpr **v = arena_alloc(b->a, (size_t)count_conjuncts(where) * sizeof *v);
	ast_conjuncts(b, where, v, &n);
	for (int i = 0; i < n; i++)
		nsub += is_subquery_test(v[i]);
	*rest = NULL;
	bool join = (*input)->kind == LOP_JOIN && (*input)->join_type == JOIN_INNER;
	if (nsub == 0) {
		/* Bound whole, as written, so its plan and errors are those of any WHERE. */
		Expr *c = bind_condition(cx, where, "WHERE");
		if (!c)
			return -1;
		if (!join) {
			*rest = c;
			return 0;
		}
		return push_condition(b, *input, c, rest);
	}
	for (int i = 0; i < n; i++) {
		if (is_subquery_test(v[i]))
			continue;
		Expr *c = bind_condition(cx, v[i], "WHERE");
		if (!c || push_condition(b, *input, c, rest) < 0)
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (is_subquery_test(v[i]) && bind_subquery_join(cx, input, v[i]) < 0)
			return -1;
	return 0;
}
