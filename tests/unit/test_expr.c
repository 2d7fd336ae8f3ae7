/* test_expr.c: building and evaluating expressions (expr/expr.h) over a hand-made chunk:
 * overload resolution, casts, NULL logic, CASE/COALESCE/IN, the function table, and every error
 * path with its SQLSTATE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expr/expr.h"
#include "expr/func.h"

#include <string.h>

/* Columns: 0 i int4, 1 b int8, 2 s varchar, 3 n numeric, 4 f float8, 5 d date, 6 ts timestamp,
 * 7 iv interval, 8 flag boolean. */
enum { C_I, C_B, C_S, C_N, C_F, C_D, C_TS, C_IV, C_FLAG, NCOLS };
static const TypeId col_types[NCOLS] = {T_INT4,  T_INT8, T_VARCHAR,   T_NUMERIC, T_FLOAT8,
					T_DATE,  T_TIMESTAMP, T_INTERVAL, T_BOOL};
static const char *const col_names[NCOLS] = {"i", "b", "s", "n", "f", "d", "ts", "iv", "flag"};

typedef struct Fx {
	Arena arena;
	Chunk *c;
	Err err;
	ExprCtx cx;
} Fx;

static void set_text(Fx *fx, int col, int row, const char *text)
{
	Vector *v = &fx->c->cols[col];
	if (!text) {
		v->nulls[row] = 1;
		return;
	}
	Value val;
	Err e;
	err_clear(&e);
	if (value_parse(v->type, text, strlen(text), &val, &fx->c->arena, &e))
		fail_msg("parse %s: %s", text, e.msg);
	vec_set_value(v, row, &val, &fx->c->arena);
}

/* Four rows; row 3 is all NULL, row 1 has i = 0. */
static int setup(void **state)
{
	Fx *fx = mem_calloc(1, sizeof *fx);
	arena_init(&fx->arena, 0);
	fx->c = chunk_new(col_types, NCOLS);
	const char *rows[4][NCOLS] = {
		{"10", "100", "abc", "1.50", "2.5", "2024-01-31", "2024-01-31 10:00:00", "1 day",
		 "t"},
		{"0", "-5", "Hello", "-2", "0.1", "2024-02-29", "2024-02-29 23:59:59.5",
		 "2 hours", "f"},
		{"-7", "9223372036854775807", "a_b%c", "0.001", "-1e20", "2023-12-31",
		 "2023-12-31 00:00:00", "1 mon", "t"},
		{NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < NCOLS; k++)
			set_text(fx, k, r, rows[r][k]);
	fx->c->nrows = 4;
	err_clear(&fx->err);
	fx->cx.arena = &fx->arena;
	fx->cx.err = &fx->err;
	fx->cx.now = 1704067200000000; /* 2024-01-01 00:00:00 UTC */
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	Fx *fx = *state;
	chunk_free(fx->c);
	arena_deinit(&fx->arena);
	mem_free(fx);
	return 0;
}

static Expr *col(Fx *fx, int k)
{
	return expr_col(&fx->arena, k, col_types[k], 0);
}

static Expr *lit(Fx *fx, const char *text, int loc)
{
	Value v;
	v.type = T_UNKNOWN;
	v.null = false;
	v.u.s.p = text;
	v.u.s.len = (uint32_t)strlen(text);
	return expr_const(&fx->arena, &v, loc);
}

static Expr *ival(Fx *fx, int64_t i)
{
	Value v = value_int(T_INT4, i);
	return expr_const(&fx->arena, &v, 0);
}

static Expr *nul(Fx *fx)
{
	Value v = value_null(T_NULL);
	return expr_const(&fx->arena, &v, 0);
}

static Expr *fn(Fx *fx, const char *name, int nargs, ...)
{
	Expr *args[8];
	va_list ap;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, Expr *);
	va_end(ap);
	Expr *x = expr_func(&fx->arena, name, args, nargs, 7, &fx->err);
	if (!x)
		fail_msg("%s: %s", name, fx->err.msg);
	return x;
}

/* Evaluates x over the chunk and compares the text of each row ("NULL" for NULL). */
static void expect(Fx *fx, const Expr *x, const char *const *want)
{
	Vector *out = vec_new_in(&fx->arena, x->type);
	if (expr_eval(x, fx->c, out, &fx->cx))
		fail_msg("eval: %s", fx->err.msg);
	for (int r = 0; r < fx->c->nrows; r++) {
		Value v;
		vec_get_value(out, r, &v);
		StrBuf sb;
		sb_init(&sb);
		if (v.null)
			sb_puts(&sb, "NULL");
		else
			value_format(&v, &sb);
		if (strcmp(sb.data ? sb.data : "", want[r]) != 0) {
			print_error("row %d: got %s, want %s\n", r, sb.data ? sb.data : "", want[r]);
			sb_deinit(&sb);
			fail();
		}
		sb_deinit(&sb);
	}
}

static void expect_eval_error(Fx *fx, const Expr *x, const char *state, const char *msg)
{
	Vector *out = vec_new_in(&fx->arena, x->type);
	assert_int_equal(expr_eval(x, fx->c, out, &fx->cx), -1);
	assert_string_equal(err_sqlstate(fx->err.code), state);
	assert_string_equal(fx->err.msg, msg);
	err_clear(&fx->err);
}

static void expect_print(const Expr *x, const char *want)
{
	StrBuf sb;
	sb_init(&sb);
	expr_print(x, col_names, &sb);
	assert_string_equal(sb.data, want);
	sb_deinit(&sb);
}

#define ROWS(...) ((const char *const[]){__VA_ARGS__})

static void test_arithmetic(void **state)
{
	Fx *fx = *state;
	Expr *x = fn(fx, "+", 2, col(fx, C_I), ival(fx, 1));
	assert_int_equal(x->type, T_INT4);
	expect(fx, x, ROWS("11", "1", "-6", "NULL"));
	expect_print(x, "(i + 1)");
	/* int4 + int8 resolves to int8 + int8. */
	x = fn(fx, "+", 2, col(fx, C_I), col(fx, C_B));
	assert_int_equal(x->type, T_INT8);
	expect_print(x, "((i)::bigint + b)");
	/* int + numeric is numeric; numeric keeps scales. */
	x = fn(fx, "*", 2, col(fx, C_I), col(fx, C_N));
	assert_int_equal(x->type, T_NUMERIC);
	expect(fx, x, ROWS("15.00", "0", "-0.007", "NULL"));
	x = fn(fx, "/", 2, col(fx, C_N), lit(fx, "3", 0));
	expect(fx, x, ROWS("0.50000000000000000000", "-0.66666666666666666667",
			   "0.00033333333333333333", "NULL"));
	/* Integer division truncates; % follows the dividend's sign. */
	x = fn(fx, "/", 2, col(fx, C_I), ival(fx, 3));
	expect(fx, fn(fx, "/", 2, col(fx, C_I), ival(fx, 4)), ROWS("2", "0", "-1", "NULL"));
	expect(fx, fn(fx, "%", 2, col(fx, C_I), ival(fx, 3)), ROWS("1", "0", "-1", "NULL"));
	/* float arithmetic and output. */
	x = fn(fx, "*", 2, col(fx, C_F), col(fx, C_I));
	assert_int_equal(x->type, T_FLOAT8);
	expect(fx, x, ROWS("25", "0", "7e+20", "NULL"));
	expect(fx, fn(fx, "-", 1, col(fx, C_I)), ROWS("-10", "0", "7", "NULL"));
}

static void test_arith_errors(void **state)
{
	Fx *fx = *state;
	expect_eval_error(fx, fn(fx, "/", 2, ival(fx, 1), col(fx, C_I)), "22012", "division by zero");
	expect_eval_error(fx, fn(fx, "/", 2, col(fx, C_N), fn(fx, "*", 2, col(fx, C_I), lit(fx, "0", 0))),
			  "22012", "division by zero");
	expect_eval_error(fx, fn(fx, "/", 2, col(fx, C_F), fn(fx, "-", 2, col(fx, C_F), col(fx, C_F))),
			  "22012", "division by zero");
	expect_eval_error(fx, fn(fx, "+", 2, col(fx, C_B), col(fx, C_B)), "22003", "bigint out of range");
	expect_eval_error(fx, fn(fx, "*", 2, col(fx, C_I), ival(fx, 1000000000)), "22003",
			  "integer out of range");
	Value v = value_int(T_INT2, 32000);
	Expr *s = expr_const(&fx->arena, &v, 0);
	expect_eval_error(fx, fn(fx, "+", 2, s, s), "22003", "smallint out of range");
	/* null_on_error: failing rows become NULL and are counted. */
	fx->cx.null_on_error = true;
	expect(fx, fn(fx, "/", 2, ival(fx, 100), col(fx, C_I)), ROWS("10", "NULL", "-14", "NULL"));
	assert_int_equal(fx->cx.row_errors, 1);
	fx->cx.null_on_error = false;
}

static void test_comparisons(void **state)
{
	Fx *fx = *state;
	expect(fx, fn(fx, "<", 2, col(fx, C_I), col(fx, C_N)), ROWS("f", "f", "t", "NULL"));
	expect(fx, fn(fx, "=", 2, col(fx, C_N), lit(fx, "1.5", 0)), ROWS("t", "f", "f", "NULL"));
	expect(fx, fn(fx, ">=", 2, col(fx, C_S), lit(fx, "a", 0)), ROWS("t", "f", "t", "NULL"));
	expect(fx, fn(fx, "<>", 2, col(fx, C_FLAG), lit(fx, "true", 0)), ROWS("f", "t", "f", "NULL"));
	/* date vs timestamp compares as timestamps; a literal takes the column's type. */
	expect(fx, fn(fx, "<", 2, col(fx, C_D), col(fx, C_TS)), ROWS("t", "t", "f", "NULL"));
	expect(fx, fn(fx, "=", 2, col(fx, C_D), lit(fx, "2024-02-29", 0)), ROWS("f", "t", "f", "NULL"));
	/* intervals compare by span: 1 mon > 1 day > 2 hours. */
	expect(fx, fn(fx, ">", 2, col(fx, C_IV), lit(fx, "1 day", 0)), ROWS("f", "f", "t", "NULL"));
	expect(fx, fn(fx, "<", 2, col(fx, C_F), col(fx, C_I)), ROWS("t", "f", "t", "NULL"));
}

static void test_bind_errors(void **state)
{
	Fx *fx = *state;
	Expr *args[2] = {col(fx, C_S), ival(fx, 1)};
	assert_null(expr_func(&fx->arena, "+", args, 2, 3, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42883");
	assert_string_equal(fx->err.msg, "operator does not exist: text + integer");
	assert_string_equal(fx->err.hint, "No operator matches the given name and argument types. "
					  "You might need to add explicit type casts.");
	assert_int_equal(fx->err.position, 3);
	err_clear(&fx->err);
	assert_null(expr_func(&fx->arena, "foo", args + 1, 1, 3, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42883");
	assert_string_equal(fx->err.msg, "function foo(integer) does not exist");
	err_clear(&fx->err);
	/* A bad literal fails at bind time, positioned at the literal. */
	Expr *bad[2] = {col(fx, C_D), lit(fx, "2024-13-01", 12)};
	assert_null(expr_func(&fx->arena, "=", bad, 2, 5, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "22008");
	assert_string_equal(fx->err.msg, "date/time field value out of range: \"2024-13-01\"");
	assert_int_equal(fx->err.position, 12);
	err_clear(&fx->err);
	Expr *bad2[2] = {col(fx, C_I), lit(fx, "abc", 9)};
	assert_null(expr_func(&fx->arena, "=", bad2, 2, 5, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "22P02");
	assert_string_equal(fx->err.msg, "invalid input syntax for type integer: \"abc\"");
	assert_int_equal(fx->err.position, 9);
	err_clear(&fx->err);
	assert_null(expr_cast(&fx->arena, col(fx, C_FLAG), T_DATE, -1, true, 4, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42846");
	assert_string_equal(fx->err.msg, "cannot cast type boolean to date");
	err_clear(&fx->err);
	/* CASE branches of incompatible types. */
	Expr *cond = col(fx, C_FLAG);
	Expr *res = ival(fx, 1);
	assert_null(expr_case(&fx->arena, &cond, &res, 1, col(fx, C_S), 1, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42804");
	assert_string_equal(fx->err.msg, "CASE types text and integer cannot be matched");
	err_clear(&fx->err);
	Expr *notbool = col(fx, C_I);
	assert_null(expr_logic(&fx->arena, EXPR_AND, &notbool, 1, 1, &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42804");
	assert_string_equal(fx->err.msg, "argument of AND must be type boolean, not type integer");
	err_clear(&fx->err);
	assert_null(expr_assign(&fx->arena, col(fx, C_FLAG), T_INT4, -1, "x", &fx->err));
	assert_string_equal(err_sqlstate(fx->err.code), "42804");
	assert_string_equal(fx->err.msg,
			    "column \"x\" is of type integer but expression is of type boolean");
	err_clear(&fx->err);
	TypeId ts[2] = {T_INT4, T_VARCHAR};
	TypeId out;
	assert_false(expr_common_type(ts, 2, "UNION", &out, &fx->err));
	assert_string_equal(fx->err.msg, "UNION types integer and text cannot be matched");
	err_clear(&fx->err);
}

static void test_casts(void **state)
{
	Fx *fx = *state;
	Arena *a = &fx->arena;
	Err *e = &fx->err;
	expect(fx, expr_cast(a, col(fx, C_I), T_INT8, -1, true, 0, e), ROWS("10", "0", "-7", "NULL"));
	expect(fx, expr_cast(a, col(fx, C_N), T_FLOAT8, -1, true, 0, e),
	       ROWS("1.5", "-2", "0.001", "NULL"));
	expect(fx, expr_cast(a, col(fx, C_D), T_TIMESTAMPTZ, -1, true, 0, e),
	       ROWS("2024-01-31 00:00:00+00", "2024-02-29 00:00:00+00", "2023-12-31 00:00:00+00",
		    "NULL"));
	expect(fx, expr_cast(a, col(fx, C_TS), T_DATE, -1, true, 0, e),
	       ROWS("2024-01-31", "2024-02-29", "2023-12-31", "NULL"));
	expect(fx, expr_cast(a, col(fx, C_FLAG), T_INT4, -1, true, 0, e), ROWS("1", "0", "1", "NULL"));
	/* float -> int rounds half to even, as PostgreSQL's rint(). */
	Value h = {T_FLOAT8, false, {.f = 2.5}};
	Expr *k = expr_cast(a, expr_const(a, &h, 0), T_INT4, -1, true, 0, e);
	assert_int_equal(k->val.u.i, 2);
	h.u.f = 3.5;
	k = expr_cast(a, expr_const(a, &h, 0), T_INT4, -1, true, 0, e);
	assert_int_equal(k->val.u.i, 4);
}

static void test_cast_rules(void **state)
{
	Fx *fx = *state;
	Arena *a = &fx->arena;
	Err *e = &fx->err;
	/* float -> int rounds half to even; -1e20 does not fit. */
	Expr *x = expr_cast(a, col(fx, C_F), T_INT4, -1, true, 0, e);
	expect_eval_error(fx, x, "22003", "integer out of range");
	/* numeric -> int rounds half away from zero. */
	expect(fx, expr_cast(a, col(fx, C_N), T_INT4, -1, true, 0, e), ROWS("2", "-2", "0", "NULL"));
	expect(fx, expr_cast(a, col(fx, C_N), T_NUMERIC, (5 << 16) | 1, true, 0, e),
	       ROWS("1.5", "-2.0", "0.0", "NULL"));
	expect_eval_error(fx, expr_cast(a, col(fx, C_I), T_NUMERIC, (2 << 16) | 1, true, 0, e),
			  "22003", "numeric field overflow");
	/* anything -> text, text -> anything. */
	expect(fx, expr_cast(a, col(fx, C_TS), T_VARCHAR, -1, true, 0, e),
	       ROWS("2024-01-31 10:00:00", "2024-02-29 23:59:59.5", "2023-12-31 00:00:00", "NULL"));
	expect(fx, expr_cast(a, col(fx, C_FLAG), T_VARCHAR, -1, true, 0, e), ROWS("true", "false", "true", "NULL"));
}

static void test_cast_rules_text(void **state)
{
	Fx *fx = *state;
	Arena *a = &fx->arena;
	Err *e = &fx->err;
	expect_eval_error(fx, expr_cast(a, col(fx, C_S), T_INT4, -1, true, 0, e), "22P02",
			  "invalid input syntax for type integer: \"abc\"");
	/* explicit varchar(n) truncates; assignment fails with 22001. */
	expect(fx, expr_cast(a, col(fx, C_S), T_VARCHAR, 2, true, 0, e), ROWS("ab", "He", "a_", "NULL"));
	expect_eval_error(fx, expr_assign(a, col(fx, C_S), T_VARCHAR, 4, "s", e), "22001",
			  "value too long for type character varying(4)");
	expect(fx, expr_assign(a, col(fx, C_I), T_INT2, -1, "s", e), ROWS("10", "0", "-7", "NULL"));
	expect_eval_error(fx, expr_assign(a, col(fx, C_B), T_INT4, -1, "x", e), "22003",
			  "integer out of range");
	Expr *k = expr_cast(a, lit(fx, "99999999999", 3), T_INT4, -1, true, 3, e);
	assert_null(k);
	assert_string_equal(err_sqlstate(e->code), "22003");
	assert_string_equal(e->msg, "value \"99999999999\" is out of range for type integer");
	err_clear(e);
	/* Folded constant cast. */
	k = expr_cast(a, lit(fx, " 42 ", 0), T_INT8, -1, true, 0, e);
	assert_int_equal(k->kind, EXPR_CONST);
	assert_int_equal(k->val.u.i, 42);
}

static void test_logic_nulls(void **state)
{
	Fx *fx = *state;
	Arena *a = &fx->arena;
	Err *e = &fx->err;
	/* flag AND NULL: f AND NULL = f, t AND NULL = NULL. */
	Expr *args[2] = {col(fx, C_FLAG), expr_cast(a, nul(fx), T_BOOL, -1, true, 0, e)};
	expect(fx, expr_logic(a, EXPR_AND, args, 2, 0, e), ROWS("NULL", "f", "NULL", "NULL"));
	expect(fx, expr_logic(a, EXPR_OR, args, 2, 0, e), ROWS("t", "NULL", "t", "NULL"));
	Expr *one = col(fx, C_FLAG);
	expect(fx, expr_logic(a, EXPR_NOT, &one, 1, 0, e), ROWS("f", "t", "f", "NULL"));
	Expr *s = col(fx, C_S);
	expect(fx, expr_logic(a, EXPR_IS_NULL, &s, 1, 0, e), ROWS("f", "f", "f", "t"));
	expect(fx, expr_logic(a, EXPR_IS_NOT_NULL, &s, 1, 0, e), ROWS("t", "t", "t", "f"));
	/* i <> 0 AND 10 / i > 1 never divides by zero. */
	Expr *guard[2] = {fn(fx, "<>", 2, col(fx, C_I), ival(fx, 0)),
			  fn(fx, ">", 2, fn(fx, "/", 2, ival(fx, 10), col(fx, C_I)), ival(fx, 0))};
	expect(fx, expr_logic(a, EXPR_AND, guard, 2, 0, e), ROWS("t", "f", "f", "NULL"));
	/* filter */
	uint8_t keep[4];
	assert_int_equal(expr_eval_filter(col(fx, C_FLAG), fx->c, keep, &fx->cx), 0);
	assert_int_equal(keep[0], 1);
	assert_int_equal(keep[1], 0);
	assert_int_equal(keep[2], 1);
	assert_int_equal(keep[3], 0);
}

static void test_case_coalesce_in(void **state)
{
	Fx *fx = *state;
	Arena *a = &fx->arena;
	Err *e = &fx->err;
	/* CASE WHEN i = 0 THEN 0 ELSE 100 / i END: no division by zero. */
	Expr *cond = fn(fx, "=", 2, col(fx, C_I), ival(fx, 0));
	Expr *res = ival(fx, 0);
	Expr *x = expr_case(a, &cond, &res, 1, fn(fx, "/", 2, ival(fx, 100), col(fx, C_I)), 0, e);
	expect(fx, x, ROWS("10", "0", "-14", "NULL"));
	expect_print(x, "CASE WHEN (i = 0) THEN 0 ELSE (100 / i) END");
	/* CASE without ELSE and mixed int/numeric results. */
	Expr *conds[2] = {col(fx, C_FLAG), fn(fx, "<", 2, col(fx, C_I), ival(fx, 5))};
	Expr *ress[2] = {col(fx, C_I), col(fx, C_N)};
	x = expr_case(a, conds, ress, 2, NULL, 0, e);
	assert_int_equal(x->type, T_NUMERIC);
	expect(fx, x, ROWS("10", "-2", "-7", "NULL"));
	/* COALESCE evaluates later arguments only where needed. */
	Expr *co[3] = {nul(fx), col(fx, C_I), fn(fx, "/", 2, ival(fx, 1), ival(fx, 0))};
	expect_eval_error(fx, expr_coalesce(a, co, 3, 0, e), "22012", "division by zero");
	Expr *co2[2] = {col(fx, C_S), lit(fx, "none", 0)};
	x = expr_coalesce(a, co2, 2, 0, e);
	assert_int_equal(x->type, T_VARCHAR);
	expect(fx, x, ROWS("abc", "Hello", "a_b%c", "none"));
	/* IN with NULL semantics. */
	Expr *list[3] = {ival(fx, 10), lit(fx, "-7", 0), ival(fx, 3)};
	x = expr_in(a, col(fx, C_I), list, 3, false, 0, e);
	expect(fx, x, ROWS("t", "f", "t", "NULL"));
	expect_print(x, "(i IN (10, -7, 3))");
	Expr *list2[2] = {ival(fx, 10), expr_cast(a, nul(fx), T_INT4, -1, true, 0, e)};
	expect(fx, expr_in(a, col(fx, C_I), list2, 2, true, 0, e), ROWS("f", "NULL", "NULL", "NULL"));
}

static void test_strings(void **state)
{
	Fx *fx = *state;
	expect(fx, fn(fx, "||", 2, col(fx, C_S), col(fx, C_I)), ROWS("abc10", "Hello0", "a_b%c-7", "NULL"));
	expect(fx, fn(fx, "like", 2, col(fx, C_S), lit(fx, "%b%", 0)), ROWS("t", "f", "t", "NULL"));
	expect(fx, fn(fx, "like", 2, col(fx, C_S), lit(fx, "a\\_b\\%_", 0)), ROWS("f", "f", "t", "NULL"));
	expect(fx, fn(fx, "like", 2, col(fx, C_S), lit(fx, "_b_", 0)), ROWS("t", "f", "f", "NULL"));
	expect(fx, fn(fx, "ilike", 2, col(fx, C_S), lit(fx, "hel%", 0)), ROWS("f", "t", "f", "NULL"));
	expect(fx, fn(fx, "not like", 2, col(fx, C_S), lit(fx, "a%", 0)), ROWS("f", "t", "f", "NULL"));
	expect(fx, fn(fx, "upper", 1, col(fx, C_S)), ROWS("ABC", "HELLO", "A_B%C", "NULL"));
	expect(fx, fn(fx, "length", 1, col(fx, C_S)), ROWS("3", "5", "5", "NULL"));
	expect(fx, fn(fx, "substr", 3, col(fx, C_S), ival(fx, 2), ival(fx, 2)), ROWS("bc", "el", "_b", "NULL"));
	expect(fx, fn(fx, "substring", 2, col(fx, C_S), ival(fx, 3)), ROWS("c", "llo", "b%c", "NULL"));
	expect(fx, fn(fx, "strpos", 2, col(fx, C_S), lit(fx, "l", 0)), ROWS("0", "3", "0", "NULL"));
	expect(fx, fn(fx, "replace", 3, col(fx, C_S), lit(fx, "l", 0), lit(fx, "L", 0)),
	       ROWS("abc", "HeLLo", "a_b%c", "NULL"));
	expect(fx, fn(fx, "left", 2, col(fx, C_S), ival(fx, -1)), ROWS("ab", "Hell", "a_b%", "NULL"));
	expect(fx, fn(fx, "right", 2, col(fx, C_S), ival(fx, 2)), ROWS("bc", "lo", "%c", "NULL"));
	expect(fx, fn(fx, "split_part", 3, col(fx, C_S), lit(fx, "_", 0), ival(fx, 2)),
	       ROWS("", "", "b%c", "NULL"));
	expect(fx, fn(fx, "split_part", 3, lit(fx, "a,b,c", 0), lit(fx, ",", 0), ival(fx, -1)),
	       ROWS("c", "c", "c", "c"));
	expect(fx, fn(fx, "position", 2, col(fx, C_S), lit(fx, "b", 0)), ROWS("2", "0", "3", "NULL"));
	expect_eval_error(fx, fn(fx, "split_part", 3, col(fx, C_S), lit(fx, ",", 0), ival(fx, 0)),
			  "22023", "field position must not be zero");
	expect(fx, fn(fx, "concat", 3, col(fx, C_S), nul(fx), col(fx, C_I)), ROWS("abc10", "Hello0", "a_b%c-7", ""));
	expect(fx, fn(fx, "concat_ws", 3, lit(fx, "-", 0), col(fx, C_S), col(fx, C_N)),
	       ROWS("abc-1.50", "Hello--2", "a_b%c-0.001", ""));
	expect(fx, fn(fx, "btrim", 2, col(fx, C_S), lit(fx, "aHc", 0)), ROWS("b", "ello", "_b%", "NULL"));
	expect(fx, fn(fx, "starts_with", 2, col(fx, C_S), lit(fx, "He", 0)), ROWS("f", "t", "f", "NULL"));
	expect_eval_error(fx, fn(fx, "substr", 3, col(fx, C_S), ival(fx, 1), ival(fx, -1)), "22011",
			  "negative substring length not allowed");
}

static void test_math_functions(void **state)
{
	Fx *fx = *state;
	expect(fx, fn(fx, "abs", 1, col(fx, C_I)), ROWS("10", "0", "7", "NULL"));
	expect(fx, fn(fx, "round", 1, col(fx, C_N)), ROWS("2", "-2", "0", "NULL"));
	expect(fx, fn(fx, "round", 2, col(fx, C_N), ival(fx, 1)), ROWS("1.5", "-2.0", "0.0", "NULL"));
	Expr *x = fn(fx, "round", 1, col(fx, C_I));
	assert_int_equal(x->type, T_FLOAT8);
	expect(fx, fn(fx, "floor", 1, col(fx, C_F)), ROWS("2", "0", "-1e+20", "NULL"));
	expect(fx, fn(fx, "ceil", 1, col(fx, C_N)), ROWS("2", "-2", "1", "NULL"));
	expect(fx, fn(fx, "sign", 1, col(fx, C_N)), ROWS("1", "-1", "1", "NULL"));
	expect(fx, fn(fx, "mod", 2, col(fx, C_I), ival(fx, 4)), ROWS("2", "0", "-3", "NULL"));
	expect(fx, fn(fx, "power", 2, col(fx, C_I), ival(fx, 2)), ROWS("100", "0", "49", "NULL"));
	expect(fx, fn(fx, "greatest", 3, col(fx, C_I), col(fx, C_N), ival(fx, 1)), ROWS("10", "1", "1", "1"));
	expect(fx, fn(fx, "least", 2, col(fx, C_I), nul(fx)), ROWS("10", "0", "-7", "NULL"));
	expect(fx, fn(fx, "nullif", 2, col(fx, C_I), ival(fx, 0)), ROWS("10", "NULL", "-7", "NULL"));
	expect_eval_error(fx, fn(fx, "sqrt", 1, col(fx, C_I)), "2201F",
			  "cannot take square root of a negative number");
}

static void test_datetime_ops(void **state)
{
	Fx *fx = *state;
	Expr *x = fn(fx, "+", 2, col(fx, C_TS), lit(fx, "1 month", 0));
	assert_int_equal(x->type, T_TIMESTAMP);
	expect(fx, x, ROWS("2024-02-29 10:00:00", "2024-03-29 23:59:59.5", "2024-01-31 00:00:00", "NULL"));
	expect(fx, fn(fx, "+", 2, col(fx, C_TS), col(fx, C_IV)),
	       ROWS("2024-02-01 10:00:00", "2024-03-01 01:59:59.5", "2024-01-31 00:00:00", "NULL"));
	expect(fx, fn(fx, "-", 2, col(fx, C_TS), col(fx, C_D)),
	       ROWS("10:00:00", "23:59:59.5", "00:00:00", "NULL"));
	expect(fx, fn(fx, "-", 2, col(fx, C_D), lit(fx, "2023-12-31", 0)), ROWS("31", "60", "0", "NULL"));
	expect(fx, fn(fx, "+", 2, col(fx, C_D), ival(fx, 1)),
	       ROWS("2024-02-01", "2024-03-01", "2024-01-01", "NULL"));
	x = fn(fx, "+", 2, col(fx, C_D), col(fx, C_IV));
	assert_int_equal(x->type, T_TIMESTAMP);
	expect(fx, x, ROWS("2024-02-01 00:00:00", "2024-02-29 02:00:00", "2024-01-31 00:00:00", "NULL"));
	expect(fx, fn(fx, "*", 2, col(fx, C_IV), lit(fx, "1.5", 0)),
	       ROWS("1 day 12:00:00", "03:00:00", "1 mon 15 days", "NULL"));
	expect(fx, fn(fx, "-", 1, col(fx, C_IV)), ROWS("-1 days", "-02:00:00", "-1 mons", "NULL"));
	expect(fx, fn(fx, "date_trunc", 2, lit(fx, "month", 0), col(fx, C_TS)),
	       ROWS("2024-01-01 00:00:00", "2024-02-01 00:00:00", "2023-12-01 00:00:00", "NULL"));
	expect(fx, fn(fx, "date_part", 2, lit(fx, "second", 0), col(fx, C_TS)), ROWS("0", "59.5", "0", "NULL"));
	expect(fx, fn(fx, "date_part", 2, lit(fx, "dow", 0), col(fx, C_D)), ROWS("3", "4", "0", "NULL"));
	x = fn(fx, "now", 0);
	assert_int_equal(x->type, T_TIMESTAMPTZ);
	expect(fx, x, ROWS("2024-01-01 00:00:00+00", "2024-01-01 00:00:00+00", "2024-01-01 00:00:00+00",
			   "2024-01-01 00:00:00+00"));
	expect(fx, fn(fx, "to_timestamp", 1, ival(fx, 86400)),
	       ROWS("1970-01-02 00:00:00+00", "1970-01-02 00:00:00+00", "1970-01-02 00:00:00+00",
		    "1970-01-02 00:00:00+00"));
	expect_eval_error(fx, fn(fx, "date_trunc", 2, lit(fx, "fortnight", 0), col(fx, C_TS)), "22023",
			  "timestamp units \"fortnight\" not recognized");
}

static void test_const_and_params(void **state)
{
	Fx *fx = *state;
	Expr *x = fn(fx, "+", 2, ival(fx, 1), ival(fx, 2));
	assert_true(expr_is_const(x));
	assert_false(expr_is_const(col(fx, C_I)));
	Value v;
	assert_int_equal(expr_eval_const(x, &v, &fx->cx), 0);
	assert_int_equal(v.u.i, 3);
	Value p[1] = {value_int(T_INT4, 5)};
	fx->cx.params = p;
	fx->cx.nparams = 1;
	Expr *y = fn(fx, "*", 2, expr_param(&fx->arena, 1, T_INT4, 0), col(fx, C_I));
	assert_true(expr_uses_col(y, C_I));
	assert_false(expr_uses_col(y, C_S));
	expect(fx, y, ROWS("50", "0", "-35", "NULL"));
	fx->cx.params = NULL;
	fx->cx.nparams = 0;
	/* Both sides unknown: compared as text. */
	x = fn(fx, "=", 2, lit(fx, "a", 0), lit(fx, "a", 0));
	assert_int_equal(expr_eval_const(x, &v, &fx->cx), 0);
	assert_int_equal(v.u.i, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arithmetic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arith_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_comparisons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_casts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cast_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cast_rules_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logic_nulls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_coalesce_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_math_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datetime_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_const_and_params, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
