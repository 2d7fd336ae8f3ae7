/* parser.c: tokens to syntax trees (implements parser.h; trees are defined in ast.h).
 *
 * Layer: sql (depends on base/ only). A hand-written recursive-descent parser over the token
 * array of lexer.c. Expressions follow PostgreSQL's precedence table, one function per level,
 * lowest first: OR, AND, NOT, IS, comparison (non-associative), BETWEEN/IN/LIKE/ILIKE
 * (non-associative), other operators (||), + -, * / %, ^, unary + -, ::, primary.
 * Every node goes into the caller's arena; nothing is freed on its own. The parser never looks
 * at a catalog and never evaluates anything: literals stay text. Errors are PostgreSQL's, with
 * the position of the offending token; the first error wins and parsing stops.
 */
#include "sql/parser.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lexer.h"

/* Nesting deeper than this (parentheses, subqueries, unary chains) is refused rather than
 * risking the C stack: PostgreSQL refuses it too ("stack depth limit exceeded"). */
#define MAX_DEPTH 256

typedef struct Parser {
	const char *sql;
	Arena *a;
	Err *e;
	Token *t;
	int n, i;
	int end_pos;  /* position reported for "at end of input" */
	int depth;
} Parser;

/* ---- token helpers */

static Token *peek(Parser *p) { return &p->t[p->i]; }

static Token *peek_at(Parser *p, int k)
{
	int j = p->i + k;
	if (j >= p->n)
		j = p->n - 1;
	/* Never look past an error token: what follows it was not scanned. */
	for (int x = p->i; x < j; x++)
		if (p->t[x].kind == TOK_ERROR)
			return &p->t[x];
	return &p->t[j];
}

static Token *advance(Parser *p)
{
	Token *t = &p->t[p->i];
	if (t->kind != TOK_EOF && t->kind != TOK_ERROR)
		p->i++;
	return t;
}

static int error_at(Parser *p, const Token *t)
{
	if (t->kind == TOK_ERROR)
		return err_set_pos(p->e, t->code, t->pos, "%s", t->val);
	if (t->kind == TOK_EOF)
		return err_set_pos(p->e, ERR_SYNTAX, p->end_pos, "syntax error at end of input");
	return err_set_pos(p->e, ERR_SYNTAX, t->pos, "syntax error at or near \"%.*s\"", t->len,
			   p->sql + t->off);
}

static int syntax_error(Parser *p) { return error_at(p, peek(p)); }

static bool tok_is_kw(const Token *t, Keyword kw) { return t->kind == TOK_IDENT && t->kw == kw; }
static bool is_kw(Parser *p, Keyword kw) { return tok_is_kw(peek(p), kw); }
static bool is_kw_at(Parser *p, int k, Keyword kw) { return tok_is_kw(peek_at(p, k), kw); }

static bool tok_is_op(const Token *t, const char *op)
{
	return t->kind == TOK_OP && strcmp(t->val, op) == 0;
}
static bool is_op(Parser *p, const char *op) { return tok_is_op(peek(p), op); }
static bool is_op_at(Parser *p, int k, const char *op) { return tok_is_op(peek_at(p, k), op); }

static bool accept_kw(Parser *p, Keyword kw)
{
	if (!is_kw(p, kw))
		return false;
	advance(p);
	return true;
}

static bool accept_op(Parser *p, const char *op)
{
	if (!is_op(p, op))
		return false;
	advance(p);
	return true;
}

static int expect_kw(Parser *p, Keyword kw) { return accept_kw(p, kw) ? 0 : syntax_error(p); }
static int expect_op(Parser *p, const char *op) { return accept_op(p, op) ? 0 : syntax_error(p); }

/* Words that may stand as a (column, table, alias) name: PostgreSQL's ColId. */
static bool tok_is_col_id(const Token *t)
{
	if (t->kind == TOK_QIDENT)
		return true;
	if (t->kind != TOK_IDENT)
		return false;
	return t->kw == KW__NONE || kw_table[t->kw].cat == KW_UNRESERVED ||
	       kw_table[t->kw].cat == KW_COL_NAME;
}

/* Words that may name a function: PostgreSQL's type_function_name. */
static bool tok_is_func_name(const Token *t)
{
	if (t->kind == TOK_QIDENT)
		return true;
	if (t->kind != TOK_IDENT)
		return false;
	return t->kw == KW__NONE || kw_table[t->kw].cat == KW_UNRESERVED ||
	       kw_table[t->kw].cat == KW_TYPE_FUNC;
}

/* Any word at all, reserved or not (PostgreSQL's ColLabel: after AS, in option keys). */
static bool tok_is_label(const Token *t) { return t->kind == TOK_IDENT || t->kind == TOK_QIDENT; }

/* A bare alias (no AS): a ColId, except the words that start a later clause. */
static bool tok_is_bare_alias(const Token *t)
{
	return tok_is_col_id(t) && !tok_is_kw(t, KW_EMIT);
}

static char *col_id(Parser *p, int *loc)
{
	Token *t = peek(p);
	if (!tok_is_col_id(t)) {
		syntax_error(p);
		return NULL;
	}
	if (loc)
		*loc = t->pos;
	advance(p);
	return t->val;
}

static char *col_label(Parser *p, int *loc)
{
	Token *t = peek(p);
	if (!tok_is_label(t)) {
		syntax_error(p);
		return NULL;
	}
	if (loc)
		*loc = t->pos;
	advance(p);
	return t->val;
}

static bool enter(Parser *p)
{
	if (++p->depth > MAX_DEPTH) {
		err_set_pos(p->e, ERR_PROGRAM_LIMIT, peek(p)->pos, "stack depth limit exceeded");
		return false;
	}
	return true;
}

static void leave(Parser *p) { p->depth--; }

/* ---- arena lists */

static void *grow(Parser *p, void *arr, int n, int *cap, size_t el)
{
	if (n < *cap)
		return arr;
	int ncap = *cap ? *cap * 2 : 4;
	void *na = arena_alloc(p->a, el * (size_t)ncap);
	if (n)
		memcpy(na, arr, el * (size_t)n);
	*cap = ncap;
	return na;
}

#define APPEND(p, arr, n, cap, val)                                                                \
	do {                                                                                       \
		(arr) = grow((p), (arr), (n), &(cap), sizeof *(arr));                              \
		(arr)[(n)++] = (val);                                                              \
	} while (0)

/* ---- node constructors */

static AstExpr *mk_expr(Parser *p, AstExprKind kind, int loc)
{
	AstExpr *x = arena_calloc(p->a, sizeof *x);
	x->kind = kind;
	x->location = loc;
	return x;
}

static AstExpr *mk_lit(Parser *p, AstLitKind kind, const char *text, int loc)
{
	AstExpr *x = mk_expr(p, AST_LITERAL, loc);
	x->lit.kind = kind;
	x->lit.text = text ? arena_strdup(p->a, text) : NULL;
	return x;
}

static AstExpr *mk_binary(Parser *p, const char *op, AstExpr *l, AstExpr *r, int loc)
{
	AstExpr *x = mk_expr(p, AST_BINARY, loc);
	x->binary.op = op;
	x->binary.left = l;
	x->binary.right = r;
	return x;
}

static AstExpr *mk_unary(Parser *p, const char *op, AstExpr *arg, int loc)
{
	AstExpr *x = mk_expr(p, AST_UNARY, loc);
	x->unary.op = op;
	x->unary.arg = arg;
	return x;
}

static AstType *mk_type(Parser *p, const char *name, int loc)
{
	AstType *t = arena_calloc(p->a, sizeof *t);
	t->name = arena_strdup(p->a, name);
	t->location = loc;
	return t;
}

static AstQuery *parse_query(Parser *p);
static AstExpr *parse_expr(Parser *p);
static AstExpr *expr_not(Parser *p);
static AstExpr *expr_cmp(Parser *p);
static AstExpr *expr_other(Parser *p);
static AstStmt *parse_stmt(Parser *p);

static bool starts_query(const Token *t)
{
	return tok_is_kw(t, KW_SELECT) || tok_is_kw(t, KW_WITH) || tok_is_kw(t, KW_VALUES);
}

/* ---- types */

static int parse_int_token(Parser *p, int *out)
{
	Token *t = peek(p);
	if (t->kind != TOK_INTEGER)
		return syntax_error(p);
	errno = 0;
	long v = strtol(t->val, NULL, 10);
	if (errno || v > INT_MAX)
		return syntax_error(p);
	*out = (int)v;
	advance(p);
	return 0;
}

static int parse_type_mods(Parser *p, AstType *ty)
{
	if (!accept_op(p, "("))
		return 0;
	do {
		if (ty->nmods == 2)
			return syntax_error(p);
		if (parse_int_token(p, &ty->mods[ty->nmods]) < 0)
			return -1;
		ty->nmods++;
	} while (accept_op(p, ","));
	return expect_op(p, ")");
}

/* A type name as written: see AstType. */
static AstType *parse_type(Parser *p)
{
	Token *t = peek(p);
	AstType *ty;
	if (t->kind == TOK_QIDENT) {
		advance(p);
		ty = mk_type(p, t->val, t->pos);
	} else if (t->kind == TOK_IDENT && t->kw != KW__NONE &&
		   kw_table[t->kw].cat == KW_RESERVED) {
		syntax_error(p);
		return NULL;
	} else if (t->kind != TOK_IDENT) {
		syntax_error(p);
		return NULL;
	} else {
		advance(p);
		switch (t->kw) {
		case KW_DOUBLE:
			if (expect_kw(p, KW_PRECISION) < 0)
				return NULL;
			ty = mk_type(p, "double precision", t->pos);
			break;
		case KW_CHARACTER:
		case KW_CHAR:
		case KW_BIT:
			ty = mk_type(p, accept_kw(p, KW_VARYING) ? arena_printf(p->a, "%s varying", t->val)
								  : t->val,
				     t->pos);
			break;
		case KW_TIMESTAMP:
		case KW_TIME:
			ty = mk_type(p, t->val, t->pos);
			if (parse_type_mods(p, ty) < 0)
				return NULL;
			if (is_kw(p, KW_WITH) || is_kw(p, KW_WITHOUT)) {
				bool with = is_kw(p, KW_WITH);
				advance(p);
				if (expect_kw(p, KW_TIME) < 0 || expect_kw(p, KW_ZONE) < 0)
					return NULL;
				ty->name = arena_printf(p->a, "%s %s time zone", t->val,
							with ? "with" : "without");
			}
			goto array;
		default:
			if (is_op(p, ".") && tok_is_label(peek_at(p, 1))) {
				advance(p);
				Token *t2 = advance(p);
				ty = mk_type(p, arena_printf(p->a, "%s.%s", t->val, t2->val), t->pos);
			} else {
				ty = mk_type(p, t->val, t->pos);
			}
			break;
		}
	}
	if (parse_type_mods(p, ty) < 0)
		return NULL;
array:
	if (accept_op(p, "[")) {
		if (peek(p)->kind == TOK_INTEGER)
			advance(p);
		if (expect_op(p, "]") < 0)
			return NULL;
		ty->array = true;
	}
	return ty;
}

/* Does a keyword type name followed by a string literal start here (TIMESTAMP '...',
 * DOUBLE PRECISION '1', NUMERIC(10,2) '3.5')? Only looks, never reports. */
static bool typed_literal_ahead(Parser *p)
{
	int j = 1;
	bool parens = false;
	for (;;) {
		Token *t = peek_at(p, j);
		if (t->kind == TOK_IDENT &&
		    (t->kw == KW_PRECISION || t->kw == KW_VARYING || t->kw == KW_WITH ||
		     t->kw == KW_WITHOUT || t->kw == KW_TIME || t->kw == KW_ZONE)) {
			j++;
		} else if (tok_is_op(t, "(") && !parens) {
			parens = true;
			j++;
			while (peek_at(p, j)->kind == TOK_INTEGER || tok_is_op(peek_at(p, j), ","))
				j++;
			if (!tok_is_op(peek_at(p, j), ")"))
				return false;
			j++;
		} else {
			return t->kind == TOK_STRING;
		}
	}
}

static bool is_type_keyword(Keyword kw)
{
	switch (kw) {
	case KW_BIGINT: case KW_INT: case KW_INTEGER: case KW_SMALLINT: case KW_REAL:
	case KW_FLOAT: case KW_DOUBLE: case KW_DECIMAL: case KW_DEC: case KW_NUMERIC:
	case KW_BOOLEAN: case KW_CHAR: case KW_CHARACTER: case KW_VARCHAR: case KW_BIT:
	case KW_TIMESTAMP: case KW_TIME:
		return true;
	default:
		return false;
	}
}

/* ---- expressions: primaries */

static const char *const interval_units[] = {"year", "month", "day", "hour", "minute", "second"};

static bool is_plain_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	bool digits = false;
	while (*s >= '0' && *s <= '9')
		s++, digits = true;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9')
			s++, digits = true;
	}
	return digits && *s == '\0';
}

static const char *interval_unit(const Token *t)
{
	if (t->kind != TOK_IDENT)
		return NULL;
	for (size_t k = 0; k < sizeof interval_units / sizeof interval_units[0]; k++)
		if (strcmp(t->val, interval_units[k]) == 0)
			return interval_units[k];
	return NULL;
}

/* INTERVAL ['(' p ')'] 'text' [unit [TO unit]]; the INTERVAL keyword is the current token. */
static AstExpr *interval_literal(Parser *p)
{
	Token *kw = advance(p);
	AstType *ty = mk_type(p, "interval", kw->pos);
	if (parse_type_mods(p, ty) < 0)
		return NULL;
	Token *s = peek(p);
	if (s->kind != TOK_STRING) {
		syntax_error(p);
		return NULL;
	}
	advance(p);
	AstExpr *x = mk_lit(p, AST_LIT_TYPED, s->val, kw->pos);
	x->lit.type = ty;
	const char *unit = interval_unit(peek(p));
	if (unit) {
		advance(p);
		if (strcmp(unit, "second") == 0 && is_op(p, "(")) {
			int prec;
			advance(p);
			if (parse_int_token(p, &prec) < 0 || expect_op(p, ")") < 0)
				return NULL;
		}
		if (accept_kw(p, KW_TO)) {
			/* INTERVAL '1:30' MINUTE TO SECOND: the text already says it all. */
			if (!interval_unit(peek(p))) {
				syntax_error(p);
				return NULL;
			}
			advance(p);
		} else if (is_plain_number(s->val)) {
			x->lit.text = arena_printf(p->a, "%s %s", s->val, unit);
		}
	}
	return x;
}

static AstExpr *func_args(Parser *p, AstExpr *f);

static AstExpr *mk_call(Parser *p, const char *name, int loc, AstCallSyntax syntax)
{
	AstExpr *f = mk_expr(p, AST_FUNC, loc);
	f->func.name = arena_strdup(p->a, name);
	f->func.syntax = syntax;
	return f;
}

static void add_arg(Parser *p, AstExpr *f, AstExpr *arg, int *cap)
{
	APPEND(p, f->func.args, f->func.nargs, *cap, arg);
}

/* EXTRACT(field FROM x): the current token is EXTRACT, '(' follows. */
static AstExpr *extract_call(Parser *p)
{
	Token *kw = advance(p);
	advance(p);
	Token *f = peek(p);
	if (f->kind != TOK_IDENT && f->kind != TOK_STRING && f->kind != TOK_QIDENT) {
		syntax_error(p);
		return NULL;
	}
	advance(p);
	char *field = arena_strdup(p->a, f->val);
	for (char *c = field; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	if (expect_kw(p, KW_FROM) < 0)
		return NULL;
	AstExpr *x = parse_expr(p);
	if (!x || expect_op(p, ")") < 0)
		return NULL;
	AstExpr *call = mk_call(p, "extract", kw->pos, AST_CALL_EXTRACT);
	int cap = 0;
	add_arg(p, call, mk_lit(p, AST_LIT_STRING, field, f->pos), &cap);
	add_arg(p, call, x, &cap);
	return call;
}

/* SUBSTRING(x FROM a [FOR b]) | SUBSTRING(x FOR b [FROM a]) | SUBSTRING(x, a[, b]). */
static AstExpr *substring_call(Parser *p)
{
	Token *kw = advance(p);
	advance(p);
	AstExpr *call = mk_call(p, "substring", kw->pos, AST_CALL_SUBSTRING);
	int cap = 0;
	AstExpr *x = parse_expr(p);
	if (!x)
		return NULL;
	add_arg(p, call, x, &cap);
	if (is_kw(p, KW_FROM) || is_kw(p, KW_FOR)) {
		AstExpr *from = NULL, *for_ = NULL;
		int for_loc = 0;
		while (is_kw(p, KW_FROM) || is_kw(p, KW_FOR)) {
			bool is_from = is_kw(p, KW_FROM);
			if ((is_from && from) || (!is_from && for_))
				return syntax_error(p), NULL;
			for_loc = advance(p)->pos;
			AstExpr *v = parse_expr(p);
			if (!v)
				return NULL;
			*(is_from ? &from : &for_) = v;
		}
		add_arg(p, call, from ? from : mk_lit(p, AST_LIT_INTEGER, "1", for_loc), &cap);
		if (for_)
			add_arg(p, call, for_, &cap);
	} else {
		call->func.syntax = AST_CALL_PLAIN;
		while (accept_op(p, ",")) {
			AstExpr *v = parse_expr(p);
			if (!v)
				return NULL;
			add_arg(p, call, v, &cap);
		}
	}
	if (expect_op(p, ")") < 0)
		return NULL;
	return call;
}

/* TRIM([LEADING|TRAILING|BOTH] [chars] FROM x) and TRIM([...] x[, chars]). */
static AstExpr *trim_call(Parser *p)
{
	Token *kw = advance(p);
	advance(p);
	const char *name = "btrim";
	if (accept_kw(p, KW_LEADING))
		name = "ltrim";
	else if (accept_kw(p, KW_TRAILING))
		name = "rtrim";
	else
		accept_kw(p, KW_BOTH);
	AstExpr *call = mk_call(p, name, kw->pos, AST_CALL_TRIM);
	int cap = 0;
	AstExpr *chars = NULL;
	if (!accept_kw(p, KW_FROM)) {
		chars = parse_expr(p);
		if (!chars)
			return NULL;
		if (!accept_kw(p, KW_FROM)) {
			/* TRIM(x[, chars ...]): the first expression is the string. */
			add_arg(p, call, chars, &cap);
			chars = NULL;
			if (!accept_op(p, ","))
				goto close;
		}
	}
	do {
		AstExpr *v = parse_expr(p);
		if (!v)
			return NULL;
		add_arg(p, call, v, &cap);
	} while (accept_op(p, ","));
	if (chars)
		add_arg(p, call, chars, &cap);
close:
	if (expect_op(p, ")") < 0)
		return NULL;
	return call;
}

/* POSITION(needle IN haystack) -> position(haystack, needle), as PostgreSQL. */
static AstExpr *position_call(Parser *p)
{
	Token *kw = advance(p);
	advance(p);
	AstExpr *needle = expr_other(p);
	if (!needle || expect_kw(p, KW_IN) < 0)
		return NULL;
	AstExpr *hay = expr_other(p);
	if (!hay || expect_op(p, ")") < 0)
		return NULL;
	AstExpr *call = mk_call(p, "position", kw->pos, AST_CALL_POSITION);
	int cap = 0;
	add_arg(p, call, hay, &cap);
	add_arg(p, call, needle, &cap);
	return call;
}

static int parse_order_list(Parser *p, AstOrderItem **items, int *n)
{
	int cap = 0;
	do {
		AstOrderItem it = {0};
		it.location = peek(p)->pos;
		it.expr = parse_expr(p);
		if (!it.expr)
			return -1;
		if (accept_kw(p, KW_DESC))
			it.desc = true;
		else
			accept_kw(p, KW_ASC);
		if (accept_kw(p, KW_NULLS)) {
			if (accept_kw(p, KW_FIRST))
				it.nulls = AST_NULLS_FIRST;
			else if (accept_kw(p, KW_LAST))
				it.nulls = AST_NULLS_LAST;
			else
				return syntax_error(p);
		}
		APPEND(p, *items, *n, cap, it);
	} while (accept_op(p, ","));
	return 0;
}

static int parse_expr_list(Parser *p, AstExpr ***items, int *n)
{
	int cap = 0;
	do {
		AstExpr *x = parse_expr(p);
		if (!x)
			return -1;
		APPEND(p, *items, *n, cap, x);
	} while (accept_op(p, ","));
	return 0;
}

static int frame_bound(Parser *p, AstFrameBound *b, AstExpr **off)
{
	if (accept_kw(p, KW_UNBOUNDED)) {
		if (accept_kw(p, KW_PRECEDING))
			*b = AST_BOUND_UNBOUNDED_PRECEDING;
		else if (accept_kw(p, KW_FOLLOWING))
			*b = AST_BOUND_UNBOUNDED_FOLLOWING;
		else
			return syntax_error(p);
		return 0;
	}
	if (accept_kw(p, KW_CURRENT)) {
		*b = AST_BOUND_CURRENT_ROW;
		return expect_kw(p, KW_ROW);
	}
	*off = expr_other(p);
	if (!*off)
		return -1;
	if (accept_kw(p, KW_PRECEDING))
		*b = AST_BOUND_PRECEDING;
	else if (accept_kw(p, KW_FOLLOWING))
		*b = AST_BOUND_FOLLOWING;
	else
		return syntax_error(p);
	return 0;
}

/* OVER ( [PARTITION BY ...] [ORDER BY ...] [frame] ): the current token is '('. */
static AstWindow *window_spec(Parser *p)
{
	AstWindow *w = arena_calloc(p->a, sizeof *w);
	w->location = peek(p)->pos;
	if (expect_op(p, "(") < 0)
		return NULL;
	if (accept_kw(p, KW_PARTITION)) {
		if (expect_kw(p, KW_BY) < 0 || parse_expr_list(p, &w->partition, &w->npartition) < 0)
			return NULL;
	}
	if (accept_kw(p, KW_ORDER)) {
		if (expect_kw(p, KW_BY) < 0 || parse_order_list(p, &w->order, &w->norder) < 0)
			return NULL;
	}
	if (is_kw(p, KW_ROWS) || is_kw(p, KW_RANGE) || is_kw(p, KW_GROUPS)) {
		Token *m = advance(p);
		w->frame = m->kw == KW_ROWS ? AST_FRAME_ROWS
			   : m->kw == KW_RANGE ? AST_FRAME_RANGE : AST_FRAME_GROUPS;
		if (accept_kw(p, KW_BETWEEN)) {
			if (frame_bound(p, &w->start, &w->start_offset) < 0 || expect_kw(p, KW_AND) < 0 ||
			    frame_bound(p, &w->end, &w->end_offset) < 0)
				return NULL;
		} else if (frame_bound(p, &w->start, &w->start_offset) < 0) {
			return NULL;
		}
	}
	if (expect_op(p, ")") < 0)
		return NULL;
	return w;
}

/* The argument list and trailing clauses of a call; the current token is '('. */
static AstExpr *func_args(Parser *p, AstExpr *f)
{
	advance(p);
	int cap = 0;
	if (is_op(p, "*") && tok_is_op(peek_at(p, 1), ")")) {
		advance(p);
		f->func.star = true;
	} else if (!is_op(p, ")")) {
		if (accept_kw(p, KW_DISTINCT))
			f->func.distinct = true;
		else
			accept_kw(p, KW_ALL);
		do {
			AstExpr *x = parse_expr(p);
			if (!x)
				return NULL;
			APPEND(p, f->func.args, f->func.nargs, cap, x);
		} while (accept_op(p, ","));
		if (accept_kw(p, KW_ORDER)) {
			if (expect_kw(p, KW_BY) < 0 ||
			    parse_order_list(p, &f->func.order, &f->func.norder) < 0)
				return NULL;
		}
	}
	if (expect_op(p, ")") < 0)
		return NULL;
	if (is_kw(p, KW_FILTER) && tok_is_op(peek_at(p, 1), "(")) {
		advance(p);
		advance(p);
		if (expect_kw(p, KW_WHERE) < 0)
			return NULL;
		f->func.filter = parse_expr(p);
		if (!f->func.filter || expect_op(p, ")") < 0)
			return NULL;
	}
	if (accept_kw(p, KW_OVER)) {
		f->func.over = window_spec(p);
		if (!f->func.over)
			return NULL;
	}
	return f;
}

static AstExpr *case_expr(Parser *p)
{
	Token *kw = advance(p);
	AstExpr *x = mk_expr(p, AST_CASE, kw->pos);
	if (!is_kw(p, KW_WHEN)) {
		x->kase.operand = parse_expr(p);
		if (!x->kase.operand)
			return NULL;
	}
	int cap = 0;
	if (!is_kw(p, KW_WHEN))
		return syntax_error(p), NULL;
	while (accept_kw(p, KW_WHEN)) {
		AstWhen w;
		w.cond = parse_expr(p);
		if (!w.cond || expect_kw(p, KW_THEN) < 0)
			return NULL;
		w.result = parse_expr(p);
		if (!w.result)
			return NULL;
		APPEND(p, x->kase.whens, x->kase.nwhens, cap, w);
	}
	if (accept_kw(p, KW_ELSE)) {
		x->kase.else_ = parse_expr(p);
		if (!x->kase.else_)
			return NULL;
	}
	if (expect_kw(p, KW_END) < 0)
		return NULL;
	return x;
}

static AstExpr *subquery_expr(Parser *p, AstExprKind kind, int loc)
{
	if (expect_op(p, "(") < 0)
		return NULL;
	if (!starts_query(peek(p)) && !is_op(p, "("))
		return syntax_error(p), NULL;
	AstQuery *q = parse_query(p);
	if (!q || expect_op(p, ")") < 0)
		return NULL;
	AstExpr *x = mk_expr(p, kind, loc);
	x->sub.query = q;
	return x;
}

/* A name in expression position: column reference, t.col, t.*, or a (qualified) call. */
static AstExpr *name_expr(Parser *p)
{
	Token *t = advance(p);
	if (is_op(p, "(")) {
		if (!tok_is_func_name(t))
			return error_at(p, t), NULL;
		AstExpr *f = mk_call(p, t->val, t->pos, AST_CALL_PLAIN);
		return func_args(p, f);
	}
	if (!tok_is_col_id(t))
		return error_at(p, t), NULL;
	AstExpr *x = mk_expr(p, AST_COLUMN, t->pos);
	if (!is_op(p, ".")) {
		x->column.name = t->val;
		return x;
	}
	advance(p);
	Token *t2 = peek(p);
	if (tok_is_op(t2, "*")) {
		advance(p);
		x->column.table = t->val;
		x->column.star = true;
		return x;
	}
	if (!tok_is_label(t2))
		return syntax_error(p), NULL;
	advance(p);
	if (is_op(p, "(")) {
		/* schema.function(...) */
		AstExpr *f = mk_call(p, arena_printf(p->a, "%s.%s", t->val, t2->val), t->pos,
				     AST_CALL_PLAIN);
		return func_args(p, f);
	}
	if (is_op(p, ".")) {
		err_set_pos(p->e, ERR_FEATURE_NOT_SUPPORTED, t->pos,
			    "schema-qualified column references are not supported");
		return NULL;
	}
	x->column.table = t->val;
	x->column.name = t2->val;
	return x;
}

static AstExpr *primary(Parser *p)
{
	Token *t = peek(p);
	switch (t->kind) {
	case TOK_INTEGER:
		advance(p);
		return mk_lit(p, AST_LIT_INTEGER, t->val, t->pos);
	case TOK_DECIMAL:
		advance(p);
		return mk_lit(p, AST_LIT_DECIMAL, t->val, t->pos);
	case TOK_STRING:
		advance(p);
		return mk_lit(p, AST_LIT_STRING, t->val, t->pos);
	case TOK_PARAM: {
		errno = 0;
		long v = strtol(t->val, NULL, 10);
		if (errno || v > INT_MAX || v < 1) {
			err_set_pos(p->e, ERR_SYNTAX, t->pos, "parameter number too large");
			return NULL;
		}
		advance(p);
		AstExpr *x = mk_expr(p, AST_PARAM, t->pos);
		x->param.index = (int)v;
		return x;
	}
	case TOK_QIDENT:
		return name_expr(p);
	case TOK_OP:
		if (tok_is_op(t, "(")) {
			Token *n = peek_at(p, 1);
			if (starts_query(n))
				return subquery_expr(p, AST_SUBQUERY, t->pos);
			if (!enter(p))
				return NULL;
			advance(p);
			AstExpr *x = parse_expr(p);
			leave(p);
			if (!x || expect_op(p, ")") < 0)
				return NULL;
			return x;
		}
		return syntax_error(p), NULL;
	case TOK_IDENT:
		break;
	default:
		return syntax_error(p), NULL;
	}

	bool call = tok_is_op(peek_at(p, 1), "(");
	switch (t->kw) {
	case KW_NULL:
		advance(p);
		return mk_lit(p, AST_LIT_NULL, NULL, t->pos);
	case KW_TRUE:
	case KW_FALSE:
		advance(p);
		return mk_lit(p, AST_LIT_BOOL, t->val, t->pos);
	case KW_CASE:
		return case_expr(p);
	case KW_CAST: {
		advance(p);
		if (expect_op(p, "(") < 0)
			return NULL;
		AstExpr *arg = parse_expr(p);
		if (!arg || expect_kw(p, KW_AS) < 0)
			return NULL;
		AstType *ty = parse_type(p);
		if (!ty || expect_op(p, ")") < 0)
			return NULL;
		AstExpr *x = mk_expr(p, AST_CAST, t->pos);
		x->cast.arg = arg;
		x->cast.type = ty;
		return x;
	}
	case KW_EXISTS:
		if (!call)
			break;
		advance(p);
		return subquery_expr(p, AST_EXISTS, t->pos);
	case KW_ARRAY:
		/* ARRAY(subquery): an array() call whose one argument is the subquery. */
		if (call && starts_query(peek_at(p, 2))) {
			advance(p);
			AstExpr *sub = subquery_expr(p, AST_SUBQUERY, peek(p)->pos);
			if (!sub)
				return NULL;
			AstExpr *f = mk_call(p, "array", t->pos, AST_CALL_PLAIN);
			int cap = 0;
			add_arg(p, f, sub, &cap);
			return f;
		}
		if (tok_is_op(peek_at(p, 1), "[")) {
			/* ARRAY[a, b, ...]: the elements as the arguments of an ARRAY call. */
			advance(p);
			advance(p);
			AstExpr *f = mk_call(p, "array", t->pos, AST_CALL_ARRAY);
			int cap = 0;
			if (!accept_op(p, "]")) {
				do {
					AstExpr *el = parse_expr(p);
					if (!el)
						return NULL;
					add_arg(p, f, el, &cap);
				} while (accept_op(p, ","));
				if (expect_op(p, "]") < 0)
					return NULL;
			}
			return f;
		}
		break;
	case KW_NOT:
		/* `1 = NOT x` parses in PostgreSQL too: NOT binds what follows at its own level. */
		return expr_not(p);
	case KW_EXTRACT:
		if (call)
			return extract_call(p);
		break;
	case KW_SUBSTRING:
		if (call)
			return substring_call(p);
		break;
	case KW_TRIM:
		if (call)
			return trim_call(p);
		break;
	case KW_POSITION:
		if (call)
			return position_call(p);
		break;
	case KW_COALESCE:
	case KW_NULLIF:
	case KW_GREATEST:
	case KW_LEAST:
		if (call) {
			advance(p);
			return func_args(p, mk_call(p, t->val, t->pos, AST_CALL_PLAIN));
		}
		break;
	case KW_INTERVAL:
		if (peek_at(p, 1)->kind == TOK_STRING || call)
			return interval_literal(p);
		break;
	case KW_CURRENT_DATE:
	case KW_CURRENT_TIME:
	case KW_CURRENT_TIMESTAMP:
	case KW_LOCALTIME:
	case KW_LOCALTIMESTAMP:
	case KW_CURRENT_USER:
	case KW_CURRENT_ROLE:
	case KW_SESSION_USER:
	case KW_USER:
	case KW_CURRENT_CATALOG:
	case KW_CURRENT_SCHEMA:
		advance(p);
		return mk_call(p, t->val, t->pos, AST_CALL_SQLVALUE);
	default:
		if (is_type_keyword(t->kw) && typed_literal_ahead(p)) {
			AstType *ty = parse_type(p);
			if (!ty)
				return NULL;
			Token *s = advance(p);
			AstExpr *x = mk_lit(p, AST_LIT_TYPED, s->val, t->pos);
			x->lit.type = ty;
			return x;
		}
		break;
	}
	/* A generic typed literal: type_name 'text' (DATE '2020-01-01', timestamptz '...'). */
	if ((t->kw == KW__NONE || kw_table[t->kw].cat == KW_UNRESERVED) &&
	    peek_at(p, 1)->kind == TOK_STRING) {
		advance(p);
		Token *s = advance(p);
		AstExpr *x = mk_lit(p, AST_LIT_TYPED, s->val, t->pos);
		x->lit.type = mk_type(p, t->val, t->pos);
		return x;
	}
	if (t->kw != KW__NONE && kw_table[t->kw].cat == KW_RESERVED)
		return syntax_error(p), NULL;
	return name_expr(p);
}

/* ---- expressions: operator levels */

static AstExpr *expr_postfix(Parser *p)
{
	AstExpr *x = primary(p);
	while (x && (is_op(p, "::") || is_op(p, "[") || is_kw(p, KW_COLLATE))) {
		Token *op = advance(p);
		if (op->kind == TOK_IDENT) {
			/* x COLLATE [schema.]name: eddy compares strings by bytes (the "C" collation),
			 * so the clause is accepted and changes nothing. */
			Token *n = advance(p);
			if (n->kind == TOK_IDENT && accept_op(p, "."))
				n = advance(p);
			if (n->kind != TOK_IDENT && n->kind != TOK_QIDENT)
				return error_at(p, n), NULL;
			continue;
		}
		if (op->val[0] == '[') {
			/* arg[index]: PostgreSQL's array subscript (the binder decides what exists). */
			AstExpr *s = mk_expr(p, AST_SUBSCRIPT, op->pos);
			s->subscript.arg = x;
			if (!(s->subscript.index = parse_expr(p)) || expect_op(p, "]") < 0)
				return NULL;
			x = s;
			continue;
		}
		AstType *ty = parse_type(p);
		if (!ty)
			return NULL;
		AstExpr *c = mk_expr(p, AST_CAST, op->pos);
		c->cast.arg = x;
		c->cast.type = ty;
		c->cast.colons = true;
		x = c;
	}
	return x;
}

static bool is_numeric_lit(const AstExpr *x)
{
	return x->kind == AST_LITERAL &&
	       (x->lit.kind == AST_LIT_INTEGER || x->lit.kind == AST_LIT_DECIMAL);
}

static AstExpr *expr_unary(Parser *p)
{
	if (!is_op(p, "-") && !is_op(p, "+"))
		return expr_postfix(p);
	Token *op = advance(p);
	if (!enter(p))
		return NULL;
	AstExpr *arg = expr_unary(p);
	leave(p);
	if (!arg)
		return NULL;
	if (op->val[0] == '-' && is_numeric_lit(arg)) {
		/* Fold the sign into the literal, as PostgreSQL's grammar does (so that
		 * -9223372036854775808 is a valid bigint). */
		const char *s = arg->lit.text;
		arg->lit.text = s[0] == '-' ? arena_strdup(p->a, s + 1) : arena_printf(p->a, "-%s", s);
		arg->location = op->pos;
		return arg;
	}
	return mk_unary(p, op->val[0] == '-' ? "-" : "+", arg, op->pos);
}

static AstExpr *expr_pow(Parser *p)
{
	AstExpr *x = expr_unary(p);
	while (x && is_op(p, "^")) {
		Token *op = advance(p);
		AstExpr *r = expr_unary(p);
		if (!r)
			return NULL;
		x = mk_binary(p, "^", x, r, op->pos);
	}
	return x;
}

static AstExpr *expr_mul(Parser *p)
{
	AstExpr *x = expr_pow(p);
	while (x && (is_op(p, "*") || is_op(p, "/") || is_op(p, "%"))) {
		Token *op = advance(p);
		AstExpr *r = expr_pow(p);
		if (!r)
			return NULL;
		x = mk_binary(p, op->val[0] == '*' ? "*" : op->val[0] == '/' ? "/" : "%", x, r,
			      op->pos);
	}
	return x;
}

static AstExpr *expr_add(Parser *p)
{
	AstExpr *x = expr_mul(p);
	while (x && (is_op(p, "+") || is_op(p, "-"))) {
		Token *op = advance(p);
		AstExpr *r = expr_mul(p);
		if (!r)
			return NULL;
		x = mk_binary(p, op->val[0] == '+' ? "+" : "-", x, r, op->pos);
	}
	return x;
}

/* The regular-expression match operators (PostgreSQL's "other" operator level, with ||). */
static const char *regex_op(const Token *t)
{
	static const char *const ops[] = {"~", "!~", "~*", "!~*"};
	if (t->kind != TOK_OP)
		return NULL;
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strcmp(t->val, ops[k]) == 0)
			return ops[k];
	return NULL;
}

/* OPERATOR(schema.op) as psql writes it: the operator's name, schema dropped; NULL (error set)
 * when malformed or not an operator this level knows. */
static const char *qualified_op(Parser *p)
{
	advance(p); /* OPERATOR */
	advance(p); /* ( */
	while (peek(p)->kind == TOK_IDENT && is_op_at(p, 1, "."))
		advance(p), advance(p);
	Token *t = peek(p);
	const char *op = regex_op(t);
	if (!op && tok_is_op(t, "||"))
		op = "||";
	if (!op)
		return syntax_error(p), NULL;
	advance(p);
	return expect_op(p, ")") < 0 ? NULL : op;
}

static bool is_operator_call(Parser *p)
{
	Token *t = peek(p);
	return t->kind == TOK_IDENT && strcmp(t->val, "operator") == 0 && is_op_at(p, 1, "(");
}

static AstExpr *expr_other(Parser *p)
{
	AstExpr *x = expr_add(p);
	while (x && (is_op(p, "||") || regex_op(peek(p)) || is_operator_call(p))) {
		int pos = peek(p)->pos;
		const char *name;
		if (is_operator_call(p)) {
			if (!(name = qualified_op(p)))
				return NULL;
		} else {
			Token *op = advance(p);
			name = regex_op(op) ? regex_op(op) : "||";
		}
		AstExpr *r = expr_add(p);
		if (!r)
			return NULL;
		x = mk_binary(p, name, x, r, pos);
	}
	return x;
}

static bool pred_start(Parser *p, int k)
{
	Token *t = peek_at(p, k);
	return tok_is_kw(t, KW_BETWEEN) || tok_is_kw(t, KW_IN) || tok_is_kw(t, KW_LIKE) ||
	       tok_is_kw(t, KW_ILIKE);
}

/* BETWEEN / IN / LIKE / ILIKE (non-associative). */
static AstExpr *expr_pred(Parser *p)
{
	AstExpr *x = expr_other(p);
	if (!x)
		return NULL;
	bool neg = false;
	int loc = peek(p)->pos;
	if (is_kw(p, KW_NOT) && pred_start(p, 1)) {
		advance(p);
		neg = true;
	} else if (!pred_start(p, 0)) {
		return x;
	}
	Token *op = advance(p);
	AstExpr *r;
	switch (op->kw) {
	case KW_BETWEEN:
		r = mk_expr(p, AST_BETWEEN, loc);
		r->between.arg = x;
		r->between.negated = neg;
		if (accept_kw(p, KW_SYMMETRIC))
			r->between.symmetric = true;
		else
			accept_kw(p, KW_ASYMMETRIC);
		r->between.low = expr_other(p);
		if (!r->between.low || expect_kw(p, KW_AND) < 0)
			return NULL;
		r->between.high = expr_other(p);
		if (!r->between.high)
			return NULL;
		break;
	case KW_IN:
		if (!is_op(p, "("))
			return syntax_error(p), NULL;
		if (starts_query(peek_at(p, 1))) {
			advance(p);
			r = mk_expr(p, AST_IN_SUBQUERY, loc);
			r->in.query = parse_query(p);
			if (!r->in.query || expect_op(p, ")") < 0)
				return NULL;
		} else {
			advance(p);
			r = mk_expr(p, AST_IN_LIST, loc);
			if (parse_expr_list(p, &r->in.list, &r->in.nlist) < 0 || expect_op(p, ")") < 0)
				return NULL;
		}
		r->in.arg = x;
		r->in.negated = neg;
		break;
	default: {
		bool like = op->kw == KW_LIKE;
		const char *name = like ? (neg ? "not like" : "like") : (neg ? "not ilike" : "ilike");
		AstExpr *pat = expr_other(p);
		if (!pat)
			return NULL;
		r = mk_binary(p, name, x, pat, loc);
		if (accept_kw(p, KW_ESCAPE)) {
			r->binary.escape = expr_other(p);
			if (!r->binary.escape)
				return NULL;
		}
		break;
	}
	}
	if (pred_start(p, 0) || (is_kw(p, KW_NOT) && pred_start(p, 1)))
		return syntax_error(p), NULL;
	return r;
}

static const char *cmp_op(const Token *t)
{
	static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
	if (t->kind != TOK_OP)
		return NULL;
	if (strcmp(t->val, "!=") == 0)
		return "<>";
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strcmp(t->val, ops[k]) == 0)
			return ops[k];
	return NULL;
}

/* Comparison (non-associative: `a < b < c` is a syntax error, as in PostgreSQL). */
static AstExpr *expr_cmp(Parser *p)
{
	AstExpr *x = expr_pred(p);
	if (!x)
		return NULL;
	const char *op = cmp_op(peek(p));
	if (!op)
		return x;
	Token *t = advance(p);
	AstExpr *r;
	Token *q = peek(p);
	if ((tok_is_kw(q, KW_ANY) || tok_is_kw(q, KW_SOME) || tok_is_kw(q, KW_ALL)) &&
	    tok_is_op(peek_at(p, 1), "(")) {
		/* a op ANY|SOME|ALL (array or subquery): a call named "any" or "all" on the right,
		 * which the binder reads as the quantifier. */
		advance(p);
		AstExpr *arg = starts_query(peek_at(p, 1)) ? subquery_expr(p, AST_SUBQUERY, q->pos)
							   : (advance(p), parse_expr(p));
		if (!arg || (arg->kind != AST_SUBQUERY && expect_op(p, ")") < 0))
			return NULL;
		r = mk_call(p, q->kw == KW_ALL ? "all" : "any", q->pos, AST_CALL_PLAIN);
		int cap = 0;
		add_arg(p, r, arg, &cap);
	} else if (!(r = expr_pred(p))) {
		return NULL;
	}
	if (cmp_op(peek(p)))
		return syntax_error(p), NULL;
	return mk_binary(p, op, x, r, t->pos);
}

static AstExpr *mk_is(Parser *p, AstExpr *arg, AstIsTest test, bool neg, int loc)
{
	AstExpr *x = mk_expr(p, AST_IS, loc);
	x->is.arg = arg;
	x->is.test = test;
	x->is.negated = neg;
	return x;
}

static AstExpr *expr_is(Parser *p)
{
	AstExpr *x = expr_cmp(p);
	while (x) {
		Token *t = peek(p);
		if (tok_is_kw(t, KW_ISNULL) || tok_is_kw(t, KW_NOTNULL)) {
			advance(p);
			x = mk_is(p, x, AST_IS_NULL, t->kw == KW_NOTNULL, t->pos);
			continue;
		}
		if (!tok_is_kw(t, KW_IS))
			break;
		advance(p);
		bool neg = accept_kw(p, KW_NOT);
		if (accept_kw(p, KW_NULL)) {
			x = mk_is(p, x, AST_IS_NULL, neg, t->pos);
		} else if (accept_kw(p, KW_TRUE)) {
			x = mk_is(p, x, AST_IS_TRUE, neg, t->pos);
		} else if (accept_kw(p, KW_FALSE)) {
			x = mk_is(p, x, AST_IS_FALSE, neg, t->pos);
		} else if (accept_kw(p, KW_UNKNOWN)) {
			x = mk_is(p, x, AST_IS_UNKNOWN, neg, t->pos);
		} else if (accept_kw(p, KW_DISTINCT)) {
			if (expect_kw(p, KW_FROM) < 0)
				return NULL;
			AstExpr *r = expr_cmp(p);
			if (!r)
				return NULL;
			x = mk_is(p, x, AST_IS_DISTINCT_FROM, neg, t->pos);
			x->is.right = r;
		} else {
			return syntax_error(p), NULL;
		}
	}
	return x;
}

static AstExpr *expr_not(Parser *p)
{
	if (!is_kw(p, KW_NOT))
		return expr_is(p);
	Token *t = advance(p);
	if (!enter(p))
		return NULL;
	AstExpr *arg = expr_not(p);
	leave(p);
	return arg ? mk_unary(p, "not", arg, t->pos) : NULL;
}

static AstExpr *expr_and(Parser *p)
{
	AstExpr *x = expr_not(p);
	while (x && is_kw(p, KW_AND)) {
		Token *op = advance(p);
		AstExpr *r = expr_not(p);
		if (!r)
			return NULL;
		x = mk_binary(p, "and", x, r, op->pos);
	}
	return x;
}

static AstExpr *parse_expr(Parser *p)
{
	if (!enter(p))
		return NULL;
	AstExpr *x = expr_and(p);
	while (x && is_kw(p, KW_OR)) {
		Token *op = advance(p);
		AstExpr *r = expr_and(p);
		if (!r) {
			x = NULL;
			break;
		}
		x = mk_binary(p, "or", x, r, op->pos);
	}
	leave(p);
	return x;
}

/* ---- FROM clause */

static int parse_name_list(Parser *p, char ***names, int *n)
{
	int cap = 0;
	if (expect_op(p, "(") < 0)
		return -1;
	do {
		char *s = col_id(p, NULL);
		if (!s)
			return -1;
		APPEND(p, *names, *n, cap, s);
	} while (accept_op(p, ","));
	return expect_op(p, ")");
}

/* [AS] alias [(cols)]; `required` for nothing (PostgreSQL 16 made subquery aliases optional). */
static int opt_alias(Parser *p, AstAlias **out)
{
	Token *t = peek(p);
	char *name;
	if (accept_kw(p, KW_AS)) {
		name = col_id(p, NULL);
		if (!name)
			return -1;
	} else if (tok_is_bare_alias(t)) {
		advance(p);
		name = t->val;
	} else {
		return 0;
	}
	AstAlias *al = arena_calloc(p->a, sizeof *al);
	al->name = name;
	al->location = t->pos;
	if (is_op(p, "(") && parse_name_list(p, &al->cols, &al->ncols) < 0)
		return -1;
	*out = al;
	return 0;
}

static AstTableRef *table_ref(Parser *p);

static AstTableRef *mk_ref(Parser *p, AstRefKind kind, int loc)
{
	AstTableRef *r = arena_calloc(p->a, sizeof *r);
	r->kind = kind;
	r->location = loc;
	return r;
}

static AstTableRef *table_primary(Parser *p)
{
	Token *t = peek(p);
	AstTableRef *r;
	if (tok_is_op(t, "(")) {
		if (starts_query(peek_at(p, 1))) {
			advance(p);
			r = mk_ref(p, AST_REF_SUBQUERY, t->pos);
			r->query = parse_query(p);
			if (!r->query || expect_op(p, ")") < 0)
				return NULL;
		} else {
			if (!enter(p))
				return NULL;
			advance(p);
			r = table_ref(p);
			leave(p);
			if (!r || expect_op(p, ")") < 0)
				return NULL;
		}
	} else if ((tok_is_func_name(t) && tok_is_op(peek_at(p, 1), "(")) ||
		   (tok_is_col_id(t) && tok_is_op(peek_at(p, 1), ".") &&
		    tok_is_label(peek_at(p, 2)) && tok_is_op(peek_at(p, 3), "("))) {
		/* name(args) or schema.name(args): a table function (pg_catalog's are the
		 * unqualified ones; other schemas keep their name for the binder to refuse). */
		advance(p);
		const char *name = t->val;
		if (is_op(p, ".")) {
			advance(p);
			const char *fn = advance(p)->val;
			name = strcmp(t->val, "pg_catalog") == 0 ? fn
								 : arena_printf(p->a, "%s.%s", t->val, fn);
		}
		r = mk_ref(p, AST_REF_FUNC, t->pos);
		r->func = func_args(p, mk_call(p, name, t->pos, AST_CALL_PLAIN));
		if (!r->func)
			return NULL;
	} else if (tok_is_col_id(t)) {
		advance(p);
		r = mk_ref(p, AST_REF_TABLE, t->pos);
		r->name = t->val;
		if (is_op(p, ".") && tok_is_label(peek_at(p, 1))) {
			advance(p);
			r->schema = r->name;
			r->name = advance(p)->val;
		}
		/* FOR SYSTEM_TIME AS OF expr (SQL:2011; Flink's and RisingWave's lookup joins). */
		const Token *st = peek_at(p, 1);
		if (is_kw(p, KW_FOR) && st->kind == TOK_IDENT && strcmp(st->val, "system_time") == 0) {
			advance(p);
			advance(p);
			const Token *of = peek_at(p, 1);
			if (expect_kw(p, KW_AS) < 0)
				return NULL;
			if (of->kind != TOK_IDENT || strcmp(of->val, "of") != 0)
				return syntax_error(p), NULL;
			advance(p);
			if (!(r->as_of = parse_expr(p)))
				return NULL;
		}
	} else {
		return syntax_error(p), NULL;
	}
	if (opt_alias(p, &r->alias) < 0)
		return NULL;
	return r;
}

static AstTableRef *table_ref(Parser *p)
{
	AstTableRef *l = table_primary(p);
	while (l) {
		Token *t = peek(p);
		AstJoinType jt = AST_JOIN_INNER;
		bool natural = false;
		if (tok_is_kw(t, KW_CROSS)) {
			advance(p);
			if (expect_kw(p, KW_JOIN) < 0)
				return NULL;
			jt = AST_JOIN_CROSS;
		} else {
			if (tok_is_kw(t, KW_NATURAL)) {
				advance(p);
				natural = true;
			}
			if (accept_kw(p, KW_INNER)) {
				jt = AST_JOIN_INNER;
			} else if (is_kw(p, KW_LEFT) || is_kw(p, KW_RIGHT) || is_kw(p, KW_FULL)) {
				Keyword k = advance(p)->kw;
				jt = k == KW_LEFT ? AST_JOIN_LEFT
				     : k == KW_RIGHT ? AST_JOIN_RIGHT : AST_JOIN_FULL;
				accept_kw(p, KW_OUTER);
			} else if (!is_kw(p, KW_JOIN)) {
				if (natural)
					return syntax_error(p), NULL;
				break;
			}
			if (expect_kw(p, KW_JOIN) < 0)
				return NULL;
		}
		AstTableRef *j = mk_ref(p, AST_REF_JOIN, t->pos);
		j->join = jt;
		j->natural = natural;
		j->left = l;
		j->right = table_primary(p);
		if (!j->right)
			return NULL;
		if (jt != AST_JOIN_CROSS && !natural) {
			if (accept_kw(p, KW_ON)) {
				j->on = parse_expr(p);
				if (!j->on)
					return NULL;
			} else if (accept_kw(p, KW_USING)) {
				if (parse_name_list(p, &j->using_cols, &j->nusing) < 0)
					return NULL;
			} else {
				return syntax_error(p), NULL;
			}
		}
		l = j;
	}
	return l;
}

/* ---- queries */

static AstQuery *mk_query(Parser *p, AstQueryKind kind, int loc)
{
	AstQuery *q = arena_calloc(p->a, sizeof *q);
	q->kind = kind;
	q->location = loc;
	return q;
}

static bool accept_emit(Parser *p, AstQuery *q)
{
	if (!is_kw(p, KW_EMIT))
		return true;
	advance(p);
	if (expect_kw(p, KW_ON) < 0 || expect_kw(p, KW_WINDOW) < 0 || expect_kw(p, KW_CLOSE) < 0)
		return false;
	q->emit_on_window_close = true;
	return true;
}

static AstQuery *select_core(Parser *p)
{
	Token *kw = advance(p);
	AstQuery *q = mk_query(p, AST_QUERY_SELECT, kw->pos);
	if (accept_kw(p, KW_DISTINCT)) {
		q->distinct = true;
		if (accept_kw(p, KW_ON)) {
			if (expect_op(p, "(") < 0 ||
			    parse_expr_list(p, &q->distinct_on, &q->ndistinct_on) < 0 ||
			    expect_op(p, ")") < 0)
				return NULL;
		}
	} else {
		accept_kw(p, KW_ALL);
	}
	int cap = 0;
	do {
		AstTarget tg = {0};
		Token *t = peek(p);
		tg.location = t->pos;
		if (tok_is_op(t, "*")) {
			advance(p);
			tg.expr = mk_expr(p, AST_COLUMN, t->pos);
			tg.expr->column.star = true;
		} else {
			tg.expr = parse_expr(p);
			if (!tg.expr)
				return NULL;
			if (accept_kw(p, KW_AS)) {
				tg.alias = col_label(p, NULL);
				if (!tg.alias)
					return NULL;
			} else if (tok_is_bare_alias(peek(p))) {
				tg.alias = advance(p)->val;
			}
		}
		APPEND(p, q->targets, q->ntargets, cap, tg);
	} while (accept_op(p, ","));
	if (accept_kw(p, KW_FROM)) {
		cap = 0;
		do {
			AstTableRef *r = table_ref(p);
			if (!r)
				return NULL;
			APPEND(p, q->from, q->nfrom, cap, r);
		} while (accept_op(p, ","));
	}
	if (accept_kw(p, KW_WHERE)) {
		q->where = parse_expr(p);
		if (!q->where)
			return NULL;
	}
	if (accept_kw(p, KW_GROUP)) {
		if (expect_kw(p, KW_BY) < 0)
			return NULL;
		accept_kw(p, KW_ALL);
		if (parse_expr_list(p, &q->group_by, &q->ngroup_by) < 0)
			return NULL;
	}
	if (accept_kw(p, KW_HAVING)) {
		q->having = parse_expr(p);
		if (!q->having)
			return NULL;
	}
	if (!accept_emit(p, q))
		return NULL;
	return q;
}

static AstQuery *values_query(Parser *p)
{
	Token *kw = advance(p);
	AstQuery *q = mk_query(p, AST_QUERY_VALUES, kw->pos);
	int cap = 0;
	do {
		AstValuesRow row = {0};
		if (expect_op(p, "(") < 0 || parse_expr_list(p, &row.items, &row.nitems) < 0 ||
		    expect_op(p, ")") < 0)
			return NULL;
		APPEND(p, q->rows, q->nrows, cap, row);
	} while (accept_op(p, ","));
	return q;
}

static AstQuery *set_primary(Parser *p)
{
	if (is_kw(p, KW_SELECT))
		return select_core(p);
	if (is_kw(p, KW_VALUES))
		return values_query(p);
	if (is_op(p, "(")) {
		advance(p);
		AstQuery *q = parse_query(p);
		if (!q || expect_op(p, ")") < 0)
			return NULL;
		return q;
	}
	return syntax_error(p), NULL;
}

static AstQuery *mk_setop(Parser *p, AstSetOp op, Token *t, AstQuery *l)
{
	AstQuery *s = mk_query(p, AST_QUERY_SETOP, t->pos);
	s->setop = op;
	if (accept_kw(p, KW_ALL))
		s->all = true;
	else
		accept_kw(p, KW_DISTINCT);
	s->left = l;
	return s;
}

static AstQuery *set_term(Parser *p)
{
	AstQuery *l = set_primary(p);
	while (l && is_kw(p, KW_INTERSECT)) {
		AstQuery *s = mk_setop(p, AST_SETOP_INTERSECT, advance(p), l);
		s->right = set_primary(p);
		if (!s->right)
			return NULL;
		l = s;
	}
	return l;
}

static AstQuery *set_expr(Parser *p)
{
	AstQuery *l = set_term(p);
	while (l && (is_kw(p, KW_UNION) || is_kw(p, KW_EXCEPT))) {
		Token *t = advance(p);
		AstQuery *s = mk_setop(p, t->kw == KW_UNION ? AST_SETOP_UNION : AST_SETOP_EXCEPT, t, l);
		s->right = set_term(p);
		if (!s->right)
			return NULL;
		l = s;
	}
	return l;
}

static int dup_clause(Parser *p, const Token *t, const char *what)
{
	return err_set_pos(p->e, ERR_SYNTAX, t->pos, "multiple %s clauses not allowed", what);
}

/* ORDER BY, LIMIT, OFFSET, FETCH, EMIT ON WINDOW CLOSE after a query expression. */
static int query_tail(Parser *p, AstQuery *q)
{
	for (;;) {
		Token *t = peek(p);
		if (tok_is_kw(t, KW_ORDER)) {
			if (q->norder)
				return dup_clause(p, t, "ORDER BY");
			advance(p);
			if (expect_kw(p, KW_BY) < 0 || parse_order_list(p, &q->order, &q->norder) < 0)
				return -1;
		} else if (tok_is_kw(t, KW_LIMIT)) {
			if (q->limit || q->limit_all)
				return dup_clause(p, t, "LIMIT");
			advance(p);
			if (accept_kw(p, KW_ALL))
				q->limit_all = true;
			else if (!(q->limit = parse_expr(p)))
				return -1;
		} else if (tok_is_kw(t, KW_FETCH)) {
			if (q->limit || q->limit_all)
				return dup_clause(p, t, "LIMIT");
			advance(p);
			if (!accept_kw(p, KW_FIRST) && expect_kw(p, KW_NEXT) < 0)
				return -1;
			if (is_kw(p, KW_ROW) || is_kw(p, KW_ROWS))
				q->limit = mk_lit(p, AST_LIT_INTEGER, "1", peek(p)->pos);
			else if (!(q->limit = expr_postfix(p)))
				return -1;
			if (!accept_kw(p, KW_ROW) && expect_kw(p, KW_ROWS) < 0)
				return -1;
			if (expect_kw(p, KW_ONLY) < 0)
				return -1;
		} else if (tok_is_kw(t, KW_OFFSET)) {
			if (q->offset)
				return dup_clause(p, t, "OFFSET");
			advance(p);
			if (!(q->offset = parse_expr(p)))
				return -1;
			if (!accept_kw(p, KW_ROW))
				accept_kw(p, KW_ROWS);
		} else if (tok_is_kw(t, KW_EMIT)) {
			if (!accept_emit(p, q))
				return -1;
		} else {
			return 0;
		}
	}
}

static AstQuery *parse_query(Parser *p)
{
	if (!enter(p))
		return NULL;
	AstQuery *q = NULL;
	Token *with = peek(p);
	AstCte *ctes = NULL;
	int nctes = 0, cap = 0;
	bool recursive = false;
	if (accept_kw(p, KW_WITH)) {
		recursive = accept_kw(p, KW_RECURSIVE);
		do {
			AstCte c = {0};
			c.name = col_id(p, &c.location);
			if (!c.name)
				goto out;
			if (is_op(p, "(") && parse_name_list(p, &c.cols, &c.ncols) < 0)
				goto out;
			if (expect_kw(p, KW_AS) < 0 || expect_op(p, "(") < 0)
				goto out;
			c.query = parse_query(p);
			if (!c.query || expect_op(p, ")") < 0)
				goto out;
			APPEND(p, ctes, nctes, cap, c);
		} while (accept_op(p, ","));
	}
	q = set_expr(p);
	if (!q)
		goto out;
	if (nctes) {
		if (q->nctes) {
			dup_clause(p, with, "WITH");
			q = NULL;
			goto out;
		}
		q->ctes = ctes;
		q->nctes = nctes;
		q->recursive = recursive;
		q->location = with->pos;
	}
	if (query_tail(p, q) < 0)
		q = NULL;
out:
	leave(p);
	return q;
}

/* ---- statements */

static AstStmt *mk_stmt(Parser *p, AstStmtKind kind, int loc)
{
	AstStmt *s = arena_calloc(p->a, sizeof *s);
	s->kind = kind;
	s->location = loc;
	return s;
}

static bool accept_if_not_exists(Parser *p, bool *flag)
{
	if (!is_kw(p, KW_IF))
		return true;
	advance(p);
	if (expect_kw(p, KW_NOT) < 0 || expect_kw(p, KW_EXISTS) < 0)
		return false;
	*flag = true;
	return true;
}

static char *rel_name(Parser *p, int *loc)
{
	char *name = col_id(p, loc);
	if (name && is_op(p, ".") && tok_is_label(peek_at(p, 1))) {
		advance(p);
		name = arena_printf(p->a, "%s.%s", name, advance(p)->val);
	}
	return name;
}

/* WITH ( key = value [, ...] ) */
static int parse_options(Parser *p, AstOption **opts, int *n)
{
	int cap = 0;
	if (expect_op(p, "(") < 0)
		return -1;
	do {
		AstOption o = {0};
		Token *t = peek(p);
		o.location = t->pos;
		if (t->kind == TOK_STRING) {
			advance(p);
			o.key = t->val;
		} else if (tok_is_label(t)) {
			advance(p);
			o.key = t->val;
			while (is_op(p, ".") && tok_is_label(peek_at(p, 1))) {
				advance(p);
				o.key = arena_printf(p->a, "%s.%s", o.key, advance(p)->val);
			}
		} else {
			return syntax_error(p);
		}
		if (expect_op(p, "=") < 0)
			return -1;
		Token *v = peek(p);
		bool neg = false;
		if ((tok_is_op(v, "-") || tok_is_op(v, "+")) &&
		    (peek_at(p, 1)->kind == TOK_INTEGER || peek_at(p, 1)->kind == TOK_DECIMAL)) {
			neg = v->val[0] == '-';
			advance(p);
			v = peek(p);
		}
		if (v->kind == TOK_STRING) {
			o.kind = AST_OPT_STRING;
			o.value = v->val;
		} else if (v->kind == TOK_INTEGER || v->kind == TOK_DECIMAL) {
			o.kind = AST_OPT_NUMBER;
			o.value = neg ? arena_printf(p->a, "-%s", v->val) : v->val;
		} else if (tok_is_label(v)) {
			o.kind = AST_OPT_IDENT;
			o.value = v->val;
		} else {
			return syntax_error(p);
		}
		advance(p);
		APPEND(p, *opts, *n, cap, o);
	} while (accept_op(p, ","));
	return expect_op(p, ")");
}

/* FORMAT word ENCODE word [( options )]: kept as the text after FORMAT. */
static int parse_format(Parser *p, char **out)
{
	if (!accept_kw(p, KW_FORMAT))
		return 0;
	Token *first = peek(p);
	if (!tok_is_label(first))
		return syntax_error(p);
	advance(p);
	if (expect_kw(p, KW_ENCODE) < 0)
		return -1;
	if (!tok_is_label(peek(p)))
		return syntax_error(p);
	advance(p);
	if (is_op(p, "(")) {
		AstOption *o = NULL;
		int n = 0;
		if (parse_options(p, &o, &n) < 0)
			return -1;
	}
	Token *last = &p->t[p->i - 1];
	*out = arena_strndup(p->a, p->sql + first->off, (size_t)(last->off + last->len - first->off));
	return 0;
}

static int column_def(Parser *p, AstCreate *c, int *cap)
{
	AstColumnDef d = {0};
	d.name = col_id(p, &d.location);
	if (!d.name)
		return -1;
	d.type = parse_type(p);
	if (!d.type)
		return -1;
	for (;;) {
		if (accept_kw(p, KW_CONSTRAINT)) {
			if (!col_id(p, NULL))
				return -1;
		}
		if (is_kw(p, KW_NOT)) {
			advance(p);
			if (expect_kw(p, KW_NULL) < 0)
				return -1;
			d.not_null = true;
		} else if (accept_kw(p, KW_NULL)) {
			d.not_null = false;
		} else if (accept_kw(p, KW_PRIMARY)) {
			if (expect_kw(p, KW_KEY) < 0)
				return -1;
			d.primary_key = true;
		} else if (accept_kw(p, KW_DEFAULT)) {
			d.default_ = expr_other(p);
			if (!d.default_)
				return -1;
		} else {
			break;
		}
	}
	APPEND(p, c->cols, c->ncols, *cap, d);
	return 0;
}

static int table_element(Parser *p, AstCreate *c, int *cap)
{
	Token *t = peek(p);
	if (tok_is_kw(t, KW_WATERMARK) && is_kw_at(p, 1, KW_FOR)) {
		if (c->wm_col) {
			return err_set_pos(p->e, ERR_FEATURE_NOT_SUPPORTED, t->pos,
					   "only one WATERMARK per relation is supported");
		}
		advance(p);
		advance(p);
		c->wm_location = t->pos;
		c->wm_col = col_id(p, NULL);
		if (!c->wm_col || expect_kw(p, KW_AS) < 0)
			return -1;
		c->wm_expr = parse_expr(p);
		return c->wm_expr ? 0 : -1;
	}
	if (tok_is_kw(t, KW_CONSTRAINT) && is_kw_at(p, 2, KW_PRIMARY)) {
		advance(p);
		advance(p);
		t = peek(p);
	}
	if (tok_is_kw(t, KW_PRIMARY)) {
		if (c->npkey) {
			return err_set_pos(p->e, ERR_SYNTAX, t->pos,
					   "multiple primary keys for table \"%s\" are not allowed",
					   c->name);
		}
		advance(p);
		c->pkey_location = t->pos;
		if (expect_kw(p, KW_KEY) < 0)
			return -1;
		return parse_name_list(p, &c->pkey, &c->npkey);
	}
	return column_def(p, c, cap);
}

static AstStmt *create_rel(Parser *p, AstStmtKind kind, int loc)
{
	AstStmt *s = mk_stmt(p, kind, loc);
	AstCreate *c = &s->create;
	if (!accept_if_not_exists(p, &c->if_not_exists))
		return NULL;
	c->name = rel_name(p, NULL);
	if (!c->name)
		return NULL;
	if (accept_op(p, "(")) {
		c->has_columns = true;
		int cap = 0;
		if (!is_op(p, ")")) {
			do {
				if (table_element(p, c, &cap) < 0)
					return NULL;
			} while (accept_op(p, ","));
		}
		if (expect_op(p, ")") < 0)
			return NULL;
	} else if (kind != AST_STMT_CREATE_SOURCE) {
		return syntax_error(p), NULL;
	}
	if (accept_kw(p, KW_WITH) && parse_options(p, &c->opts, &c->nopts) < 0)
		return NULL;
	if (parse_format(p, &c->format) < 0)
		return NULL;
	return s;
}

static AstStmt *create_mview(Parser *p, int loc)
{
	AstStmt *s = mk_stmt(p, AST_STMT_CREATE_MVIEW, loc);
	AstCreateMView *m = &s->mview;
	if (!accept_if_not_exists(p, &m->if_not_exists))
		return NULL;
	m->name = rel_name(p, NULL);
	if (!m->name)
		return NULL;
	if (accept_kw(p, KW_WITH) && parse_options(p, &m->opts, &m->nopts) < 0)
		return NULL;
	if (expect_kw(p, KW_AS) < 0)
		return NULL;
	m->query_offset = peek(p)->off;
	m->query = parse_query(p);
	if (!m->query)
		return NULL;
	m->emit_on_window_close = m->query->emit_on_window_close;
	return s;
}

static AstStmt *create_sink(Parser *p, int loc)
{
	AstStmt *s = mk_stmt(p, AST_STMT_CREATE_SINK, loc);
	AstCreateSink *k = &s->sink;
	if (!accept_if_not_exists(p, &k->if_not_exists))
		return NULL;
	k->name = rel_name(p, NULL);
	if (!k->name)
		return NULL;
	if (accept_kw(p, KW_FROM)) {
		k->from = rel_name(p, NULL);
		if (!k->from)
			return NULL;
	} else if (accept_kw(p, KW_AS)) {
		k->query = parse_query(p);
		if (!k->query)
			return NULL;
	} else {
		return syntax_error(p), NULL;
	}
	if (accept_kw(p, KW_WITH) && parse_options(p, &k->opts, &k->nopts) < 0)
		return NULL;
	if (parse_format(p, &k->format) < 0)
		return NULL;
	return s;
}

static bool is_word(Parser *p, const char *w)
{
	Token *t = peek(p);
	return t->kind == TOK_IDENT && strcmp(t->val, w) == 0;
}

/* USER or ROLE after CREATE / ALTER / DROP. */
static bool is_user_kw(Parser *p) { return is_kw(p, KW_USER) || is_word(p, "role"); }

/* The rest of CREATE|ALTER|DROP USER|ROLE (the two words already read). */
static AstStmt *user_stmt(Parser *p, AstStmtKind kind, int pos)
{
	AstStmt *s = mk_stmt(p, kind, pos);
	AstUser *u = &s->user;
	if (kind == AST_STMT_DROP_USER && accept_kw(p, KW_IF)) {
		if (expect_kw(p, KW_EXISTS) < 0)
			return NULL;
		u->if_exists = true;
	}
	if (!(u->name = col_id(p, &u->name_location)))
		return NULL;
	if (kind == AST_STMT_DROP_USER)
		return s;
	accept_kw(p, KW_WITH);
	if (kind == AST_STMT_CREATE_USER && !is_word(p, "password"))
		return s;
	if (!is_word(p, "password"))
		return syntax_error(p), NULL;
	advance(p);
	u->has_password = true;
	if (accept_kw(p, KW_NULL))
		return s;
	Token *t = peek(p);
	if (t->kind != TOK_STRING)
		return syntax_error(p), NULL;
	advance(p);
	u->password = t->val;
	return s;
}

static AstStmt *create_stmt(Parser *p)
{
	Token *kw = advance(p);
	Token *t = peek(p);
	if (tok_is_kw(t, KW_STREAM)) {
		advance(p);
		return create_rel(p, AST_STMT_CREATE_STREAM, kw->pos);
	}
	if (tok_is_kw(t, KW_TABLE)) {
		advance(p);
		return create_rel(p, AST_STMT_CREATE_TABLE, kw->pos);
	}
	if (tok_is_kw(t, KW_SOURCE)) {
		advance(p);
		return create_rel(p, AST_STMT_CREATE_SOURCE, kw->pos);
	}
	if (tok_is_kw(t, KW_MATERIALIZED)) {
		advance(p);
		if (expect_kw(p, KW_VIEW) < 0)
			return NULL;
		return create_mview(p, kw->pos);
	}
	if (tok_is_kw(t, KW_SINK)) {
		advance(p);
		return create_sink(p, kw->pos);
	}
	if (is_user_kw(p)) {
		advance(p);
		return user_stmt(p, AST_STMT_CREATE_USER, kw->pos);
	}
	return syntax_error(p), NULL;
}

static AstStmt *drop_stmt(Parser *p)
{
	Token *kw = advance(p);
	if (is_user_kw(p)) {
		advance(p);
		return user_stmt(p, AST_STMT_DROP_USER, kw->pos);
	}
	AstStmt *s = mk_stmt(p, AST_STMT_DROP, kw->pos);
	AstDrop *d = &s->drop;
	Token *t = advance(p);
	switch (t->kind == TOK_IDENT ? t->kw : KW__NONE) {
	case KW_STREAM: d->obj = AST_OBJ_STREAM; break;
	case KW_TABLE: d->obj = AST_OBJ_TABLE; break;
	case KW_SOURCE: d->obj = AST_OBJ_SOURCE; break;
	case KW_SINK: d->obj = AST_OBJ_SINK; break;
	case KW_VIEW: d->obj = AST_OBJ_VIEW; break;
	case KW_MATERIALIZED:
		d->obj = AST_OBJ_MVIEW;
		if (expect_kw(p, KW_VIEW) < 0)
			return NULL;
		break;
	default:
		return error_at(p, t), NULL;
	}
	if (accept_kw(p, KW_IF)) {
		if (expect_kw(p, KW_EXISTS) < 0)
			return NULL;
		d->if_exists = true;
	}
	int cap = 0, lcap = 0;
	do {
		int loc;
		char *name = rel_name(p, &loc);
		if (!name)
			return NULL;
		int n = d->nnames;
		APPEND(p, d->names, d->nnames, cap, name);
		APPEND(p, d->name_locations, n, lcap, loc);
	} while (accept_op(p, ","));
	if (accept_kw(p, KW_CASCADE))
		d->cascade = true;
	else
		accept_kw(p, KW_RESTRICT);
	return s;
}

static AstStmt *insert_stmt(Parser *p)
{
	Token *kw = advance(p);
	AstStmt *s = mk_stmt(p, AST_STMT_INSERT, kw->pos);
	if (expect_kw(p, KW_INTO) < 0)
		return NULL;
	s->insert.table = rel_name(p, &s->insert.table_location);
	if (!s->insert.table)
		return NULL;
	/* `(` starts a column list unless a query follows it: INSERT INTO t (SELECT ...). */
	if (is_op(p, "(") && !starts_query(peek_at(p, 1)) &&
	    parse_name_list(p, &s->insert.cols, &s->insert.ncols) < 0)
		return NULL;
	if (!starts_query(peek(p)) && !is_op(p, "("))
		return syntax_error(p), NULL;
	s->insert.query = parse_query(p);
	return s->insert.query ? s : NULL;
}

static AstStmt *delete_stmt(Parser *p)
{
	Token *kw = advance(p);
	AstStmt *s = mk_stmt(p, AST_STMT_DELETE, kw->pos);
	if (expect_kw(p, KW_FROM) < 0)
		return NULL;
	s->del.table = rel_name(p, &s->del.table_location);
	if (!s->del.table)
		return NULL;
	if (accept_kw(p, KW_WHERE) && !(s->del.where = parse_expr(p)))
		return NULL;
	return s;
}

static AstStmt *update_stmt(Parser *p)
{
	Token *kw = advance(p);
	AstStmt *s = mk_stmt(p, AST_STMT_UPDATE, kw->pos);
	s->update.table = rel_name(p, &s->update.table_location);
	if (!s->update.table || expect_kw(p, KW_SET) < 0)
		return NULL;
	int cap = 0;
	do {
		AstSetClause c = {0};
		c.col = col_id(p, &c.location);
		if (!c.col || expect_op(p, "=") < 0)
			return NULL;
		c.expr = parse_expr(p);
		if (!c.expr)
			return NULL;
		APPEND(p, s->update.sets, s->update.nsets, cap, c);
	} while (accept_op(p, ","));
	if (accept_kw(p, KW_WHERE) && !(s->update.where = parse_expr(p)))
		return NULL;
	return s;
}

static bool word_is(const Token *t, const char *w)
{
	return t->kind == TOK_IDENT && strcmp(t->val, w) == 0;
}

/* A setting name: word[.word...], lower case. */
static char *setting_name(Parser *p)
{
	Token *t = peek(p);
	if (!tok_is_label(t))
		return syntax_error(p), NULL;
	advance(p);
	char *name = t->val;
	while (is_op(p, ".") && tok_is_label(peek_at(p, 1))) {
		advance(p);
		name = arena_printf(p->a, "%s.%s", name, advance(p)->val);
	}
	return name;
}

static AstStmt *show_stmt(Parser *p)
{
	Token *kw = advance(p);
	AstStmt *s = mk_stmt(p, AST_STMT_SHOW, kw->pos);
	AstShow *sh = &s->show;
	Token *t = peek(p);
	static const struct {
		const char *word;
		AstShowKind what;
	} lists[] = {{"streams", AST_SHOW_STREAMS}, {"tables", AST_SHOW_TABLES},
		     {"sources", AST_SHOW_SOURCES}, {"sinks", AST_SHOW_SINKS}};
	for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
		if (word_is(t, lists[k].word)) {
			advance(p);
			sh->what = lists[k].what;
			return s;
		}
	}
	if (tok_is_kw(t, KW_MATERIALIZED) && word_is(peek_at(p, 1), "views")) {
		advance(p);
		advance(p);
		sh->what = AST_SHOW_MVIEWS;
		return s;
	}
	if (word_is(t, "columns") && is_kw_at(p, 1, KW_FROM)) {
		advance(p);
		advance(p);
		sh->what = AST_SHOW_COLUMNS;
		sh->name = rel_name(p, &sh->name_location);
		return sh->name ? s : NULL;
	}
	sh->what = AST_SHOW_PARAM;
	sh->name_location = t->pos;
	if (tok_is_kw(t, KW_TIME) && is_kw_at(p, 1, KW_ZONE)) {
		advance(p);
		advance(p);
		sh->name = "timezone";
		return s;
	}
	sh->name = setting_name(p);
	return sh->name ? s : NULL;
}

/* The value of SET: a comma list of strings, numbers and words, or DEFAULT. */
static char *set_value(Parser *p)
{
	if (accept_kw(p, KW_DEFAULT))
		return "DEFAULT";
	char *v = NULL;
	do {
		Token *t = peek(p);
		const char *sign = "";
		if ((tok_is_op(t, "-") || tok_is_op(t, "+")) &&
		    (peek_at(p, 1)->kind == TOK_INTEGER || peek_at(p, 1)->kind == TOK_DECIMAL)) {
			sign = t->val[0] == '-' ? "-" : "";
			advance(p);
			t = peek(p);
		}
		if (t->kind != TOK_STRING && t->kind != TOK_INTEGER && t->kind != TOK_DECIMAL &&
		    !tok_is_label(t))
			return syntax_error(p), NULL;
		advance(p);
		v = v ? arena_printf(p->a, "%s, %s%s", v, sign, t->val)
		      : arena_printf(p->a, "%s%s", sign, t->val);
	} while (accept_op(p, ","));
	return v;
}

static AstStmt *set_stmt(Parser *p)
{
	Token *kw = advance(p);
	AstStmt *s = mk_stmt(p, AST_STMT_SET, kw->pos);
	AstSet *st = &s->set;
	if (kw->kw == KW_RESET) {
		if (accept_kw(p, KW_ALL))
			st->name = "all";
		else if (is_kw(p, KW_TIME) && is_kw_at(p, 1, KW_ZONE)) {
			advance(p);
			advance(p);
			st->name = "timezone";
		} else if (!(st->name = setting_name(p)))
			return NULL;
		st->value = "DEFAULT";
		return s;
	}
	if (accept_kw(p, KW_LOCAL))
		st->local = true;
	else
		accept_kw(p, KW_SESSION);
	if (is_kw(p, KW_TIME) && is_kw_at(p, 1, KW_ZONE)) {
		advance(p);
		advance(p);
		st->name = "timezone";
		if (accept_kw(p, KW_LOCAL))
			st->value = "DEFAULT";
		else
			st->value = set_value(p);
		return st->value ? s : NULL;
	}
	st->name = setting_name(p);
	if (!st->name)
		return NULL;
	if (!accept_kw(p, KW_TO) && expect_op(p, "=") < 0)
		return NULL;
	st->value = set_value(p);
	return st->value ? s : NULL;
}

static AstStmt *simple_stmt(Parser *p, AstStmtKind kind)
{
	Token *kw = advance(p);
	if (kw->kw == KW_START && expect_kw(p, KW_TRANSACTION) < 0)
		return NULL;
	if (kind != AST_STMT_FLUSH && !accept_kw(p, KW_WORK))
		accept_kw(p, KW_TRANSACTION);
	return mk_stmt(p, kind, kw->pos);
}

static AstStmt *parse_stmt(Parser *p)
{
	Token *t = peek(p);
	if (starts_query(t) || tok_is_op(t, "(")) {
		AstStmt *s = mk_stmt(p, AST_STMT_QUERY, t->pos);
		s->query = parse_query(p);
		return s->query ? s : NULL;
	}
	if (t->kind != TOK_IDENT)
		return syntax_error(p), NULL;
	if (strcmp(t->val, "alter") == 0 && peek_at(p, 1)->kind == TOK_IDENT &&
	    (tok_is_kw(peek_at(p, 1), KW_USER) || strcmp(peek_at(p, 1)->val, "role") == 0)) {
		advance(p);
		advance(p);
		return user_stmt(p, AST_STMT_ALTER_USER, t->pos);
	}
	switch (t->kw) {
	case KW_CREATE: return create_stmt(p);
	case KW_DROP: return drop_stmt(p);
	case KW_INSERT: return insert_stmt(p);
	case KW_DELETE: return delete_stmt(p);
	case KW_UPDATE: return update_stmt(p);
	case KW_SHOW: return show_stmt(p);
	case KW_SET:
	case KW_RESET: return set_stmt(p);
	case KW_FLUSH: return simple_stmt(p, AST_STMT_FLUSH);
	case KW_BEGIN:
	case KW_START: return simple_stmt(p, AST_STMT_BEGIN);
	case KW_COMMIT:
	case KW_END: return simple_stmt(p, AST_STMT_COMMIT);
	case KW_ROLLBACK:
	case KW_ABORT: return simple_stmt(p, AST_STMT_ROLLBACK);
	case KW_DESCRIBE:
	case KW_DESC: {
		advance(p);
		AstStmt *s = mk_stmt(p, AST_STMT_DESCRIBE, t->pos);
		s->describe.name = rel_name(p, &s->describe.name_location);
		return s->describe.name ? s : NULL;
	}
	case KW_EXPLAIN: {
		advance(p);
		AstStmt *s = mk_stmt(p, AST_STMT_EXPLAIN, t->pos);
		s->explain.verbose = accept_kw(p, KW_VERBOSE);
		if (is_kw(p, KW_EXPLAIN))
			return syntax_error(p), NULL;
		if (!enter(p))
			return NULL;
		s->explain.stmt = parse_stmt(p);
		leave(p);
		if (!s->explain.stmt)
			return NULL;
		s->explain.stmt->offset = s->explain.stmt->length = 0;
		Token *last = &p->t[p->i - 1];
		Token *first = t + (s->explain.verbose ? 2 : 1);
		s->explain.stmt->offset = first->off;
		s->explain.stmt->length = last->off + last->len - first->off;
		return s;
	}
	default:
		return syntax_error(p), NULL;
	}
}

/* ---- entry points */

static void parser_init(Parser *p, const char *sql, Arena *a, Err *e)
{
	memset(p, 0, sizeof *p);
	p->sql = sql;
	p->a = a;
	p->e = e;
	lex_all(sql, a, &p->t, &p->n);
	p->end_pos = lex_end_pos(sql);
}

int sql_parse(const char *sql, Arena *a, AstStmt ***stmts, int *nstmts, Err *e)
{
	Parser p;
	parser_init(&p, sql, a, e);
	AstStmt **out = NULL;
	int n = 0, cap = 0;
	*stmts = NULL;
	*nstmts = 0;
	for (;;) {
		while (accept_op(&p, ";"))
			;
		Token *first = peek(&p);
		if (first->kind == TOK_EOF)
			break;
		AstStmt *s = parse_stmt(&p);
		if (!s)
			return -1;
		Token *last = &p.t[p.i - 1];
		s->offset = first->off;
		s->length = last->off + last->len - first->off;
		if (!is_op(&p, ";") && peek(&p)->kind != TOK_EOF)
			return syntax_error(&p);
		APPEND(&p, out, n, cap, s);
	}
	*stmts = out;
	*nstmts = n;
	return 0;
}

int sql_parse_expr(const char *sql, Arena *a, AstExpr **out, Err *e)
{
	Parser p;
	parser_init(&p, sql, a, e);
	AstExpr *x = parse_expr(&p);
	if (!x)
		return -1;
	if (peek(&p)->kind != TOK_EOF)
		return syntax_error(&p);
	*out = x;
	return 0;
}

void sql_stmt_span(const AstStmt *s, int *offset, int *length)
{
	*offset = s->offset;
	*length = s->length;
}
