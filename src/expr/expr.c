/* expr.c: building, type-checking and printing bound expressions (see expr.h).
 *
 * Layer: expr. The binder calls these builders; they settle every node's type following
 * PostgreSQL's rules: overloads are chosen by exact matches first, then by implicit casts (along
 * int2 < int4 < int8 < numeric < float4 < float8 and date < timestamp < timestamptz), then by
 * preferred types; a string literal of unknown type takes the type its position wants and is
 * parsed right here, so a bad literal fails at bind time, positioned at the literal. Casts of
 * constants are folded. Nothing here evaluates rows (eval.c) or knows any kernel (func.c).
 */
#include "expr/expr.h"

#include "expr/expr_int.h"
#include "expr/func.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- type categories (PostgreSQL's typcategory) */

typedef enum Cat { CAT_BOOL, CAT_NUM, CAT_STR, CAT_DT, CAT_SPAN, CAT_UNK } Cat;

static Cat cat_of(TypeId t)
{
	switch (t) {
	case T_BOOL:
		return CAT_BOOL;
	case T_INT2:
	case T_INT4:
	case T_INT8:
	case T_NUMERIC:
	case T_FLOAT4:
	case T_FLOAT8:
		return CAT_NUM;
	case T_VARCHAR:
		return CAT_STR;
	case T_DATE:
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		return CAT_DT;
	case T_INTERVAL:
		return CAT_SPAN;
	default:
		return CAT_UNK;
	}
}

static bool is_preferred(TypeId t)
{
	return t == T_FLOAT8 || t == T_VARCHAR || t == T_TIMESTAMPTZ || t == T_INTERVAL ||
	       t == T_BOOL;
}

/* Position along the implicit-cast chain of a category. */
static int rank(TypeId t)
{
	switch (t) {
	case T_INT2:
		return 1;
	case T_INT4:
		return 2;
	case T_INT8:
		return 3;
	case T_NUMERIC:
		return 4;
	case T_FLOAT4:
		return 5;
	case T_FLOAT8:
		return 6;
	case T_DATE:
		return 1;
	case T_TIMESTAMP:
		return 2;
	case T_TIMESTAMPTZ:
		return 3;
	default:
		return 0;
	}
}

/* The name used in messages: eddy's strings are one type, which PostgreSQL would call "text"
 * when unconstrained (a varchar column there says "character varying"). */
static const char *tname(TypeId t)
{
	return t == T_VARCHAR ? "text" : type_name(t);
}

static bool is_untyped(TypeId t)
{
	return t == T_UNKNOWN || t == T_NULL;
}

static bool implicit_ok(TypeId from, TypeId to)
{
	if (from == to || is_untyped(from))
		return true;
	Cat cf = cat_of(from), ct = cat_of(to);
	return (cf == CAT_NUM || cf == CAT_DT) && cf == ct && rank(from) < rank(to);
}

bool expr_can_cast(TypeId from, TypeId to, bool explicit_cast)
{
	if (implicit_ok(from, to))
		return true;
	if (!explicit_cast)
		return false;
	Cat cf = cat_of(from), ct = cat_of(to);
	if (cf == CAT_NUM && ct == CAT_NUM)
		return true;
	if (cf == CAT_DT && ct == CAT_DT)
		return true;
	if (to == T_VARCHAR || from == T_VARCHAR)
		return to != T_NULL && to != T_UNKNOWN;
	if ((from == T_BOOL && to == T_INT4) || (from == T_INT4 && to == T_BOOL))
		return true;
	/* Arrays convert element by element where the elements do. */
	if (type_is_array(from) && type_is_array(to))
		return expr_can_cast(type_elem(from), type_elem(to), true);
	return false;
}

/* Assignment casts: implicit ones, any number to any number, anything to text, datetimes. */
static bool assign_ok(TypeId from, TypeId to)
{
	if (implicit_ok(from, to) || to == T_VARCHAR)
		return true;
	Cat cf = cat_of(from), ct = cat_of(to);
	return (cf == CAT_NUM && ct == CAT_NUM) || (cf == CAT_DT && ct == CAT_DT);
}

/* ---- node construction */

static Expr *node(Arena *a, ExprKind kind, TypeId type, int loc, int nargs)
{
	Expr *x = arena_calloc(a, sizeof *x);
	x->kind = kind;
	x->type = type;
	x->typmod = -1;
	x->location = loc;
	x->nargs = nargs;
	if (nargs)
		x->args = arena_calloc(a, sizeof(Expr *) * (size_t)nargs);
	return x;
}

Expr *expr_col(Arena *a, int col, TypeId type, int loc)
{
	Expr *x = node(a, EXPR_COL, type, loc, 0);
	x->col = col;
	return x;
}

Expr *expr_const(Arena *a, const Value *v, int loc)
{
	Expr *x = node(a, EXPR_CONST, v->type, loc, 0);
	x->val = *v;
	if (!v->null && type_is_varlen(v->type)) {
		/* The constant lives as long as the plan: copy its bytes into the plan's arena. */
		char *d = arena_alloc(a, v->u.s.len ? v->u.s.len : 1);
		memcpy(d, v->u.s.p, v->u.s.len);
		x->val.u.s.p = d;
	}
	return x;
}

Expr *expr_param(Arena *a, int number, TypeId type, int loc)
{
	Expr *x = node(a, EXPR_PARAM, type, loc, 0);
	x->col = number;
	return x;
}

/* Converts x to type t; constants are converted now (a bad literal fails here, at its own
 * position). No checking of whether the cast is allowed: callers decide that. */
static Expr *coerce(Arena *a, Expr *x, TypeId t, int32_t typmod, bool assign, int loc, Err *e)
{
	if (x->type == t && (typmod < 0 || (t != T_VARCHAR && t != T_NUMERIC)))
		return x;
	if (x->kind == EXPR_CONST) {
		Value v;
		if (cast_value(&x->val, t, typmod, assign, &v, a, e)) {
			err_locate(e, x->location ? x->location : loc);
			return NULL;
		}
		Expr *c = expr_const(a, &v, x->location ? x->location : loc);
		c->type = t;
		c->val.type = t;
		return c;
	}
	Expr *c = node(a, EXPR_CAST, t, loc ? loc : x->location, 1);
	c->typmod = typmod;
	c->assign_cast = assign;
	c->args[0] = x;
	return c;
}

Expr *expr_cast(Arena *a, Expr *x, TypeId type, int32_t typmod, bool explicit_cast, int loc,
		Err *e)
{
	if (!expr_can_cast(x->type, type, explicit_cast)) {
		err_set_pos(e, ERR_CANNOT_COERCE, loc, "cannot cast type %s to %s", tname(x->type),
			    tname(type));
		return NULL;
	}
	if (x->type == type && typmod < 0 && x->kind != EXPR_CONST) {
		/* Keep a visible node for explicit no-op casts only when they matter. */
		return x;
	}
	return coerce(a, x, type, typmod, false, loc, e);
}

Expr *expr_assign(Arena *a, Expr *x, TypeId t, int32_t typmod, const char *colname, Err *e)
{
	if (!assign_ok(x->type, t)) {
		err_set_pos(e, ERR_DATATYPE_MISMATCH, x->location,
			    "column \"%s\" is of type %s but expression is of type %s", colname,
			    tname(t), tname(x->type));
		err_hint(e, "You will need to rewrite or cast the expression.");
		return NULL;
	}
	return coerce(a, x, t, typmod, true, x->location, e);
}

/* ---- common types (UNION, CASE, COALESCE, IN, greatest/least) */

bool expr_common_type(const TypeId *types, int n, const char *context, TypeId *out, Err *e)
{
	TypeId cand = T_NULL;
	for (int i = 0; i < n; i++) {
		TypeId t = types[i];
		if (is_untyped(t))
			continue;
		if (cand == T_NULL) {
			cand = t;
			continue;
		}
		if (t == cand)
			continue;
		if (cat_of(t) != cat_of(cand)) {
			err_set(e, ERR_DATATYPE_MISMATCH, "%s types %s and %s cannot be matched", context,
				tname(cand), tname(t));
			return false;
		}
		/* Move to the later type when the candidate converts to it implicitly and not back,
		 * or when it is the category's preferred type. */
		if ((implicit_ok(cand, t) && !implicit_ok(t, cand)) || is_preferred(t))
			if (!is_preferred(cand))
				cand = t;
	}
	if (cand == T_NULL) {
		*out = T_VARCHAR;
		return true;
	}
	for (int i = 0; i < n; i++) {
		if (!implicit_ok(types[i], cand)) {
			err_set(e, ERR_DATATYPE_MISMATCH, "%s could not convert type %s to %s", context,
				tname(types[i]), tname(cand));
			return false;
		}
	}
	*out = cand;
	return true;
}

/* ---- function and operator resolution */

static bool is_operator_name(const char *name)
{
	return !isalpha((unsigned char)name[0]) || strcmp(name, "like") == 0 ||
	       strcmp(name, "not like") == 0 || strcmp(name, "ilike") == 0 ||
	       strcmp(name, "not ilike") == 0;
}

static void no_such(const char *name, Expr **args, int nargs, int loc, Err *e)
{
	char sig[256];
	size_t off = 0;
	sig[0] = '\0';
	if (is_operator_name(name)) {
		if (nargs == 2)
			snprintf(sig, sizeof sig, "%s %s %s", tname(args[0]->type), name,
				 tname(args[1]->type));
		else
			snprintf(sig, sizeof sig, "%s %s", name, nargs ? tname(args[0]->type) : "");
		err_set_pos(e, ERR_UNDEFINED_FUNCTION, loc, "operator does not exist: %s", sig);
		err_hint(e, "No operator matches the given name and argument types. You might need "
			    "to add explicit type casts.");
		return;
	}
	for (int i = 0; i < nargs && off < sizeof sig - 40; i++)
		off += (size_t)snprintf(sig + off, sizeof sig - off, "%s%s", i ? ", " : "",
					tname(args[i]->type));
	err_set_pos(e, ERR_UNDEFINED_FUNCTION, loc, "function %s(%s) does not exist", name, sig);
	err_hint(e, "No function matches the given name and argument types. You might need to "
		    "add explicit type casts.");
}

static Expr *make_call(Arena *a, const FuncDef *fn, Expr **args, int nargs, int loc, Err *e)
{
	Expr *x = node(a, EXPR_FUNC, fn->ret, loc, nargs);
	x->fn = fn;
	for (int i = 0; i < nargs; i++) {
		TypeId want = fn->nargs < 0 ? fn->args[0] : fn->args[i];
		if (want == T_NULL)
			want = is_untyped(args[i]->type) ? T_VARCHAR : args[i]->type;
		x->args[i] = coerce(a, args[i], want, -1, false, loc, e);
		if (!x->args[i])
			return NULL;
	}
	if (fn->kernel == NULL) /* unary plus: the argument itself */
		return x->args[0];
	if (func_prepare(fn, x->args, nargs, a, &x->fstate, e))
		return NULL;
	return x;
}

static Expr *resolve_variadic(Arena *a, const char *name, Expr **args, int nargs, int loc,
			      Err *e)
{
	const FuncDef *tab = func_table();
	int nf = func_count();
	if (nargs == 0) {
		no_such(name, args, nargs, loc, e);
		return NULL;
	}
	/* concat-style functions take any types. */
	for (int i = 0; i < nf; i++)
		if (strcmp(tab[i].name, name) == 0 && tab[i].nargs < 0 && tab[i].args[0] == T_NULL)
			return make_call(a, &tab[i], args, nargs, loc, e);
	/* greatest/least: every argument converted to the common type. */
	TypeId *types = arena_alloc(a, sizeof(TypeId) * (size_t)nargs);
	for (int i = 0; i < nargs; i++)
		types[i] = args[i]->type;
	char ctx[32];
	size_t l = strlen(name) < sizeof ctx - 1 ? strlen(name) : sizeof ctx - 1;
	for (size_t k = 0; k < l; k++)
		ctx[k] = (char)toupper((unsigned char)name[k]);
	ctx[l] = '\0';
	TypeId common;
	if (!expr_common_type(types, nargs, ctx, &common, e)) {
		err_locate(e, loc);
		return NULL;
	}
	for (int i = 0; i < nf; i++)
		if (strcmp(tab[i].name, name) == 0 && tab[i].nargs < 0 && tab[i].args[0] == common)
			return make_call(a, &tab[i], args, nargs, loc, e);
	no_such(name, args, nargs, loc, e);
	return NULL;
}

Expr *expr_func(Arena *a, const char *name, Expr **args, int nargs, int loc, Err *e)
{
	const FuncDef *tab = func_table();
	int nf = func_count();
	bool is_op = is_operator_name(name);
	bool variadic = false, named = false;
	for (int i = 0; i < nf; i++) {
		if (strcmp(tab[i].name, name) == 0) {
			named = true;
			variadic |= tab[i].nargs < 0;
		}
	}
	if (!named) {
		no_such(name, args, nargs, loc, e);
		return NULL;
	}
	if (variadic)
		return resolve_variadic(a, name, args, nargs, loc, e);

	TypeId at[FUNC_MAX_ARGS];
	if (nargs > FUNC_MAX_ARGS) {
		no_such(name, args, nargs, loc, e);
		return NULL;
	}
	for (int i = 0; i < nargs; i++)
		at[i] = args[i]->type;
	if (is_op && nargs == 2) {
		/* text || anything: PostgreSQL converts the other side to text. */
		if (strcmp(name, "||") == 0) {
			bool s0 = type_is_string(at[0]) || at[0] == T_NULL;
			bool s1 = type_is_string(at[1]) || at[1] == T_NULL;
			if (s0 || s1)
				at[0] = at[1] = T_VARCHAR;
		}
		/* Both sides untyped: treat them as text. */
		if (is_untyped(at[0]) && is_untyped(at[1]))
			at[0] = at[1] = T_VARCHAR;
		/* One side untyped: first look for an operator taking the other side's type
		 * twice. */
		int u = is_untyped(at[0]) ? 0 : is_untyped(at[1]) ? 1 : -1;
		if (u >= 0) {
			TypeId other = at[1 - u];
			for (int i = 0; i < nf; i++) {
				const FuncDef *f = &tab[i];
				if (strcmp(f->name, name) == 0 && f->nargs == 2 && f->args[0] == other &&
				    f->args[1] == other)
					return make_call(a, f, args, nargs, loc, e);
			}
		}
	}
	const FuncDef *best = NULL;
	int best_exact = -1, best_pref = -1, ties = 0;
	for (int i = 0; i < nf; i++) {
		const FuncDef *f = &tab[i];
		if (strcmp(f->name, name) != 0 || f->nargs != nargs)
			continue;
		if (is_op && ((nargs == 1) != (f->form == FF_PREFIX)))
			continue;
		int exact = 0, pref = 0;
		bool ok = true;
		for (int k = 0; k < nargs && ok; k++) {
			TypeId want = f->args[k];
			if (at[k] == want)
				exact++;
			else if (!implicit_ok(at[k], want))
				ok = false;
			else if (is_preferred(want) || (at[k] == T_UNKNOWN && want == T_VARCHAR))
				pref++;
		}
		if (!ok)
			continue;
		if (exact > best_exact || (exact == best_exact && pref > best_pref)) {
			best = f;
			best_exact = exact;
			best_pref = pref;
			ties = 0;
		} else if (exact == best_exact && pref == best_pref) {
			ties++;
		}
	}
	if (!best) {
		Expr *shown[FUNC_MAX_ARGS];
		Expr tmp[FUNC_MAX_ARGS];
		for (int i = 0; i < nargs; i++) {
			tmp[i] = *args[i];
			tmp[i].type = at[i];
			shown[i] = &tmp[i];
		}
		no_such(name, shown, nargs, loc, e);
		return NULL;
	}
	if (ties) {
		err_set_pos(e, ERR_AMBIGUOUS_FUNCTION, loc, "%s is not unique: %s",
			    is_op ? "operator" : "function", name);
		err_hint(e, "Could not choose a best candidate %s. You might need to add explicit "
			    "type casts.", is_op ? "operator" : "function");
		return NULL;
	}
	return make_call(a, best, args, nargs, loc, e);
}

/* ---- logic, CASE, COALESCE, IN */

static Expr *to_bool(Arena *a, Expr *x, const char *what, Err *e)
{
	if (x->type == T_BOOL)
		return x;
	if (is_untyped(x->type))
		return coerce(a, x, T_BOOL, -1, false, x->location, e);
	err_set_pos(e, ERR_DATATYPE_MISMATCH, x->location, "argument of %s must be type boolean, not "
		    "type %s", what, tname(x->type));
	return NULL;
}

Expr *expr_logic(Arena *a, ExprKind kind, Expr **args, int nargs, int loc, Err *e)
{
	Expr *x = node(a, kind, T_BOOL, loc, nargs);
	const char *what = kind == EXPR_AND ? "AND" : kind == EXPR_OR ? "OR" : "NOT";
	for (int i = 0; i < nargs; i++) {
		if (kind == EXPR_IS_NULL || kind == EXPR_IS_NOT_NULL)
			x->args[i] = args[i];
		else
			x->args[i] = to_bool(a, args[i], what, e);
		if (!x->args[i])
			return NULL;
	}
	return x;
}

/* Converts every expression to their common type. */
static bool unify(Arena *a, Expr **xs, int n, const char *context, int loc, TypeId *out, Err *e)
{
	TypeId types[64] = {T_NULL};
	TypeId *tp = n <= 64 ? types : arena_alloc(a, sizeof(TypeId) * (size_t)n);
	for (int i = 0; i < n; i++)
		tp[i] = xs[i]->type;
	if (!expr_common_type(tp, n, context, out, e)) {
		/* Point at the first expression of the offending type, as PostgreSQL does. */
		err_locate(e, loc);
		return false;
	}
	for (int i = 0; i < n; i++) {
		xs[i] = coerce(a, xs[i], *out, -1, false, loc, e);
		if (!xs[i])
			return false;
	}
	return true;
}

Expr *expr_case(Arena *a, Expr **conds, Expr **results, int n, Expr *else_result, int loc,
		Err *e)
{
	int nres = n + (else_result != NULL);
	Expr **rs = arena_alloc(a, sizeof(Expr *) * (size_t)(nres ? nres : 1));
	/* PostgreSQL resolves the ELSE branch first, so its type leads in messages. */
	int k = 0;
	if (else_result)
		rs[k++] = else_result;
	for (int i = 0; i < n; i++)
		rs[k++] = results[i];
	TypeId t;
	if (!unify(a, rs, nres, "CASE", loc, &t, e))
		return NULL;
	Expr *x = node(a, EXPR_CASE, t, loc, 2 * n + (else_result != NULL));
	for (int i = 0; i < n; i++) {
		Expr *c = conds[i];
		if (c->type != T_BOOL && !is_untyped(c->type)) {
			err_set_pos(e, ERR_DATATYPE_MISMATCH, c->location,
				    "argument of CASE/WHEN must be type boolean, not type %s",
				    tname(c->type));
			return NULL;
		}
		x->args[2 * i] = to_bool(a, c, "CASE/WHEN", e);
		if (!x->args[2 * i])
			return NULL;
		x->args[2 * i + 1] = rs[i + (else_result != NULL)];
	}
	if (else_result) {
		x->has_else = true;
		x->args[2 * n] = rs[0];
	}
	return x;
}

Expr *expr_coalesce(Arena *a, Expr **args, int nargs, int loc, Err *e)
{
	Expr **xs = arena_alloc(a, sizeof(Expr *) * (size_t)nargs);
	memcpy(xs, args, sizeof(Expr *) * (size_t)nargs);
	TypeId t;
	if (!unify(a, xs, nargs, "COALESCE", loc, &t, e))
		return NULL;
	Expr *x = node(a, EXPR_COALESCE, t, loc, nargs);
	memcpy(x->args, xs, sizeof(Expr *) * (size_t)nargs);
	return x;
}

Expr *expr_in(Arena *a, Expr *lhs, Expr **list, int n, bool negated, int loc, Err *e)
{
	Expr **xs = arena_alloc(a, sizeof(Expr *) * (size_t)(n + 1));
	xs[0] = lhs;
	memcpy(xs + 1, list, sizeof(Expr *) * (size_t)n);
	TypeId t;
	if (!unify(a, xs, n + 1, "IN", loc, &t, e))
		return NULL;
	const FuncDef *eq = func_eq(t);
	if (!eq) {
		err_set_pos(e, ERR_UNDEFINED_FUNCTION, loc, "operator does not exist: %s = %s",
			    tname(t), tname(t));
		return NULL;
	}
	Expr *x = node(a, EXPR_IN, T_BOOL, loc, n + 1);
	memcpy(x->args, xs, sizeof(Expr *) * (size_t)(n + 1));
	x->negated = negated;
	x->fn = eq;
	return x;
}

/* ---- inspecting */

bool expr_is_const(const Expr *x)
{
	if (x->kind == EXPR_COL || x->kind == EXPR_PARAM)
		return false;
	if (x->kind == EXPR_FUNC && strcmp(x->fn->name, "now") == 0)
		return true; /* constant within a statement */
	for (int i = 0; i < x->nargs; i++)
		if (!expr_is_const(x->args[i]))
			return false;
	return true;
}

bool expr_uses_col(const Expr *x, int col)
{
	if (x->kind == EXPR_COL)
		return x->col == col;
	for (int i = 0; i < x->nargs; i++)
		if (expr_uses_col(x->args[i], col))
			return true;
	return false;
}

void expr_walk_cols(Expr *x, void (*fn)(Expr *col, void *arg), void *arg)
{
	if (x->kind == EXPR_COL) {
		fn(x, arg);
		return;
	}
	for (int i = 0; i < x->nargs; i++)
		expr_walk_cols(x->args[i], fn, arg);
}

static void print_const(const Value *v, StrBuf *out)
{
	if (v->null) {
		sb_puts(out, "NULL");
		return;
	}
	if (type_is_numeric_family(v->type) || v->type == T_BOOL) {
		if (v->type == T_BOOL) {
			sb_puts(out, v->u.i ? "true" : "false");
			return;
		}
		value_format(v, out);
		return;
	}
	StrBuf t;
	sb_init(&t);
	value_format(v, &t);
	sb_putc(out, '\'');
	for (size_t i = 0; i < t.len; i++) {
		if (t.data[i] == '\'')
			sb_putc(out, '\'');
		sb_putc(out, t.data[i]);
	}
	sb_putc(out, '\'');
	sb_deinit(&t);
	if (v->type != T_VARCHAR && v->type != T_UNKNOWN)
		sb_printf(out, "::%s", type_name(v->type));
}

static void print_list(Expr *const *xs, int n, const char *const *colnames, StrBuf *out)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		expr_print(xs[i], colnames, out);
	}
}

void expr_print(const Expr *x, const char *const *colnames, StrBuf *out)
{
	switch (x->kind) {
	case EXPR_COL:
		if (colnames)
			sb_puts(out, colnames[x->col]);
		else
			sb_printf(out, "$%d", x->col);
		break;
	case EXPR_CONST:
		print_const(&x->val, out);
		break;
	case EXPR_PARAM:
		sb_printf(out, "$%d", x->col);
		break;
	case EXPR_FUNC:
		if (x->fn->form == FF_BINOP) {
			sb_putc(out, '(');
			expr_print(x->args[0], colnames, out);
			char op[16];
			size_t l = strlen(x->fn->name);
			for (size_t k = 0; k < l && k < sizeof op - 1; k++)
				op[k] = (char)toupper((unsigned char)x->fn->name[k]);
			op[l < sizeof op - 1 ? l : sizeof op - 1] = '\0';
			sb_printf(out, " %s ", isalpha((unsigned char)op[0]) ? op : x->fn->name);
			expr_print(x->args[1], colnames, out);
			sb_putc(out, ')');
		} else if (x->fn->form == FF_PREFIX) {
			sb_printf(out, "(%s", x->fn->name);
			expr_print(x->args[0], colnames, out);
			sb_putc(out, ')');
		} else {
			sb_printf(out, "%s(", x->fn->name);
			print_list(x->args, x->nargs, colnames, out);
			sb_putc(out, ')');
		}
		break;
	case EXPR_CAST:
		sb_putc(out, '(');
		expr_print(x->args[0], colnames, out);
		sb_printf(out, ")::%s", type_name(x->type));
		if (x->typmod >= 0 && x->type == T_VARCHAR)
			sb_printf(out, "(%d)", (int)x->typmod);
		if (x->typmod >= 0 && x->type == T_NUMERIC)
			sb_printf(out, "(%d,%d)", (int)(x->typmod >> 16), (int)(x->typmod & 0xffff));
		break;
	case EXPR_AND:
	case EXPR_OR:
		sb_putc(out, '(');
		for (int i = 0; i < x->nargs; i++) {
			if (i)
				sb_puts(out, x->kind == EXPR_AND ? " AND " : " OR ");
			expr_print(x->args[i], colnames, out);
		}
		sb_putc(out, ')');
		break;
	case EXPR_NOT:
		sb_puts(out, "(NOT ");
		expr_print(x->args[0], colnames, out);
		sb_putc(out, ')');
		break;
	case EXPR_IS_NULL:
	case EXPR_IS_NOT_NULL:
		sb_putc(out, '(');
		expr_print(x->args[0], colnames, out);
		sb_puts(out, x->kind == EXPR_IS_NULL ? " IS NULL)" : " IS NOT NULL)");
		break;
	case EXPR_CASE: {
		int pairs = (x->nargs - x->has_else) / 2;
		sb_puts(out, "CASE");
		for (int i = 0; i < pairs; i++) {
			sb_puts(out, " WHEN ");
			expr_print(x->args[2 * i], colnames, out);
			sb_puts(out, " THEN ");
			expr_print(x->args[2 * i + 1], colnames, out);
		}
		if (x->has_else) {
			sb_puts(out, " ELSE ");
			expr_print(x->args[x->nargs - 1], colnames, out);
		}
		sb_puts(out, " END");
		break;
	}
	case EXPR_COALESCE:
		sb_puts(out, "COALESCE(");
		print_list(x->args, x->nargs, colnames, out);
		sb_putc(out, ')');
		break;
	case EXPR_IN:
		sb_putc(out, '(');
		expr_print(x->args[0], colnames, out);
		sb_puts(out, x->negated ? " NOT IN (" : " IN (");
		print_list(x->args + 1, x->nargs - 1, colnames, out);
		sb_puts(out, "))");
		break;
	}
}
