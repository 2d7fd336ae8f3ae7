/* func.h: the one table of scalar functions and operators.
 *
 * Layer: expr. Every operator ("+", "=", "||", "like", ...) and scalar function ("abs", "lower",
 * "date_trunc", ...) is one FuncDef: a name, argument and result types, whether it is strict
 * (NULL in, NULL out, handled by the evaluator before the kernel runs) and a vectorized kernel.
 * Kernels are expanded from macros per type (func.c); overload resolution lives in expr.c and
 * only reads this table.
 *
 * Kernel contract: compute row r for every r < n whose out->nulls[r] is 0 on entry, and set
 * out->nulls[r] (1 for a NULL result); rows whose flag is 1 on entry are not touched (they are
 * NULL because an argument was, or not wanted at all: CASE branches not taken). Strings are
 * written into cx->arena. A row that fails calls func_row_error, which either fails the whole
 * call or, in null_on_error mode, turns that row NULL and counts it.
 */
#ifndef EDDY_EXPR_FUNC_H
#define EDDY_EXPR_FUNC_H

#include "expr/expr.h"

#define FUNC_MAX_ARGS 4

typedef enum FuncForm {
	FF_FUNC,   /* name(args) */
	FF_BINOP,  /* (a op b) */
	FF_PREFIX, /* (op a) */
} FuncForm;

typedef int (*FuncKernel)(const FuncDef *f, const Vector *const *args, int nargs, int n,
			  Vector *out, ExprCtx *cx);

struct FuncDef {
	const char *name;
	FuncForm form;
	int nargs;                  /* fixed count; -1 variadic (at least one argument) */
	TypeId args[FUNC_MAX_ARGS]; /* variadic: args[0] is every argument's type, T_NULL = any */
	TypeId ret;
	bool strict;
	FuncKernel kernel;
};

/* The table: func_count() entries, grouped by name. */
const FuncDef *func_table(void);
int func_count(void);
/* Whether any entry has this name. */
bool func_exists(const char *name);

/* Bind-time preparation of a call to f with its (coerced) arguments, for the functions that
 * have one: the regexp functions compile a constant pattern here, once per expression, and fail
 * a bad one now (2201B). *state receives what f's kernel reads as cx->fstate (NULL when nothing
 * was prepared); anything it owns is released with arena a. Returns 0, or -1 with e set. */
int func_prepare(const FuncDef *f, Expr *const *args, int nargs, Arena *a, void **state, Err *e);

/* The equality operator of type t ("=" on (t, t)), used by IN lists; NULL when t has none. */
const FuncDef *func_eq(TypeId t);

/* Reports a failing row: in null_on_error mode sets out->nulls[row], counts it and returns 0;
 * otherwise records the error and returns -1. */
int func_row_error(ExprCtx *cx, Vector *out, int row, ErrCode code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The same with an error already recorded in a row-local Err. */
int func_row_fail(ExprCtx *cx, Vector *out, int row, const Err *le);

/* LIKE matching on bytes with % and _ (one UTF-8 character) and backslash escapes. */
bool func_like(const char *s, size_t n, const char *p, size_t pn, bool icase);

#endif
