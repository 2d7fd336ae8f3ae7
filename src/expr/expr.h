/* expr.h: bound scalar expressions: how the binder builds them and how operators evaluate them.
 *
 * Layer: expr (below plan/ and stream/, above vec/). The binder turns SQL expressions into Expr
 * trees whose column references are indexes into an operator's input chunk and whose every node
 * has a settled type. Operators and functions are both EXPR_FUNC nodes naming a FuncDef from one
 * function table (func.c); the builders below resolve overloads with PostgreSQL's rules (implicit
 * casts along int2 < int4 < int8 < numeric < float4 < float8, string literals of unknown type
 * taking the type the other side wants) and insert the casts they need.
 *
 * Evaluation is vectorized: expr_eval computes one result vector for all rows of a chunk. Scratch
 * vectors and result strings come from the context's arena, which the caller resets per chunk.
 * Trees live in the arena of the plan that owns them and are never freed one by one.
 */
#ifndef EDDY_EXPR_EXPR_H
#define EDDY_EXPR_EXPR_H

#include "base/err.h"
#include "base/mem.h"
#include "base/strbuf.h"
#include "vec/chunk.h"
#include "vec/value.h"

typedef enum ExprKind {
	EXPR_COL,         /* input column `col` */
	EXPR_CONST,       /* the constant `val` */
	EXPR_PARAM,       /* statement parameter $`col` (1-based), value from ExprCtx.params */
	EXPR_FUNC,        /* scalar function or operator `fn` applied to args */
	EXPR_CAST,        /* args[0] converted to `type` (with `typmod`) */
	EXPR_AND,         /* args[0] AND args[1] AND ..., three-valued */
	EXPR_OR,          /* args[0] OR args[1] OR ..., three-valued */
	EXPR_NOT,         /* NOT args[0] */
	EXPR_IS_NULL,     /* args[0] IS NULL */
	EXPR_IS_NOT_NULL, /* args[0] IS NOT NULL */
	EXPR_CASE,        /* WHEN args[0] THEN args[1] WHEN args[2] THEN args[3] ... [ELSE last] */
	EXPR_COALESCE,    /* first non-NULL of args */
	EXPR_IN,          /* args[0] IN (args[1], ...); `negated` for NOT IN; SQL NULL rules */
} ExprKind;

typedef struct FuncDef FuncDef; /* one entry of the function table (func.h) */

typedef struct Expr {
	ExprKind kind;
	TypeId type;        /* result type */
	int32_t typmod;     /* EXPR_CAST: varchar length or numeric (precision << 16 | scale); -1 none */
	int location;       /* 1-based position of the expression in the SQL text; 0 unknown */
	int col;            /* EXPR_COL: input column index; EXPR_PARAM: parameter number */
	bool negated;       /* EXPR_IN: NOT IN */
	bool has_else;      /* EXPR_CASE: the last arg is the ELSE result */
	Value val;          /* EXPR_CONST */
	const FuncDef *fn;  /* EXPR_FUNC */
	int nargs;
	struct Expr **args;
	bool assign_cast;   /* EXPR_CAST: an assignment cast (too long for varchar(n) is 22001) */
	void *fstate;       /* EXPR_FUNC: what func_prepare made at bind time (a compiled regex) */
} Expr;

/* ---- Building (binder). Every builder allocates in `a`; on error it returns NULL with e set
 * (positioned at `loc` when the error is about this node). */

Expr *expr_col(Arena *a, int col, TypeId type, int loc);
Expr *expr_const(Arena *a, const Value *v, int loc);
Expr *expr_param(Arena *a, int number, TypeId type, int loc);

/* A function call or operator by name: "+", "-" (binary, or unary with one argument), "*", "/",
 * "%", "=", "<>", "<", "<=", ">", ">=", "||", "like", "not like", "ilike", "not ilike", and
 * function names ("abs", "lower", "date_trunc", ...). Resolves the overload, casts the
 * arguments. Unknown name or no matching overload: 42883 naming the signature, e.g.
 * "operator does not exist: text + integer" or "function foo(integer) does not exist". */
Expr *expr_func(Arena *a, const char *name, Expr **args, int nargs, int loc, Err *e);

/* CAST(x AS type) (explicit) or an implicit coercion (explicit = false). A string literal cast
 * to a type is parsed now, so '2024-13-01'::date fails at bind time with 22008 at `loc`.
 * Impossible casts: 42846 "cannot cast type boolean to date". */
Expr *expr_cast(Arena *a, Expr *x, TypeId type, int32_t typmod, bool explicit_cast, int loc,
		Err *e);

/* AND/OR/NOT/IS NULL/IS NOT NULL. Arguments of AND/OR/NOT must be boolean (unknown literals
 * such as 'true' are coerced): otherwise 42804 "argument of AND must be type boolean, not type
 * integer". */
Expr *expr_logic(Arena *a, ExprKind kind, Expr **args, int nargs, int loc, Err *e);

/* Searched CASE: conds[i] boolean, results unified to one type (42804 "CASE types integer and
 * text cannot be matched"). else_result may be NULL (then NULL). */
Expr *expr_case(Arena *a, Expr **conds, Expr **results, int n, Expr *else_result, int loc,
		Err *e);
Expr *expr_coalesce(Arena *a, Expr **args, int nargs, int loc, Err *e);
Expr *expr_in(Arena *a, Expr *lhs, Expr **list, int n, bool negated, int loc, Err *e);

/* PostgreSQL's rule for UNION/CASE/VALUES/COALESCE: the common type of n types, or false with a
 * 42804 error naming the two types that cannot be matched (`context` is "UNION", "CASE", ...). */
bool expr_common_type(const TypeId *types, int n, const char *context, TypeId *out, Err *e);
/* Whether a value of type `from` may be cast to `to` (explicitly, or implicitly). */
bool expr_can_cast(TypeId from, TypeId to, bool explicit_cast);

/* Coerces x to type t as an assignment (INSERT/UPDATE target): allowed where PostgreSQL allows
 * an assignment cast (any numeric to any numeric, anything to text, text literals to anything).
 * 42804 "column \"x\" is of type integer but expression is of type boolean" otherwise. */
Expr *expr_assign(Arena *a, Expr *x, TypeId t, int32_t typmod, const char *colname, Err *e);

/* ---- Inspecting. */

bool expr_is_const(const Expr *x);          /* no column or parameter references */
bool expr_uses_col(const Expr *x, int col); /* references input column `col` */
/* Calls fn for every EXPR_COL node (for rewriting column indexes). */
void expr_walk_cols(Expr *x, void (*fn)(Expr *col, void *arg), void *arg);
/* Prints the expression as SQL, naming input column i colnames[i] ($i when colnames is NULL). */
void expr_print(const Expr *x, const char *const *colnames, StrBuf *out);

/* ---- Evaluating. */

typedef struct ExprCtx {
	Arena *arena;         /* scratch vectors and result strings; reset by the caller per chunk */
	Err *err;             /* receives the first error */
	bool null_on_error;   /* dataflow mode: a row whose evaluation fails yields NULL, counted */
	uint64_t row_errors;  /* rows turned NULL in that mode */
	const Value *params;  /* EXPR_PARAM values, params[0] is $1 */
	int nparams;
	int64_t now;          /* statement timestamp (microseconds, UTC) for now() */
	const void *fstate;   /* set by the evaluator for the kernel it calls: its node's fstate */
} ExprCtx;

/* Evaluates x for rows [0, in->nrows) of `in`, writing results and null flags into `out`, a
 * vector of type x->type with room for CHUNK_CAP values. `in` may be NULL for constant trees
 * (one row is computed). Returns 0, or -1 with cx->err set (22012 division by zero, 22003
 * out of range, ...) unless cx->null_on_error. */
int expr_eval(const Expr *x, const Chunk *in, Vector *out, ExprCtx *cx);

/* Evaluates a constant tree to one value (strings in cx->arena). */
int expr_eval_const(const Expr *x, Value *out, ExprCtx *cx);

/* Evaluates a boolean predicate and writes, for each row, 1 where it is true (not false, not
 * NULL) into keep[0..nrows). */
int expr_eval_filter(const Expr *x, const Chunk *in, uint8_t *keep, ExprCtx *cx);

/* A vector with room for CHUNK_CAP values of type t, allocated in arena a. */
Vector *vec_new_in(Arena *a, TypeId t);

#endif
