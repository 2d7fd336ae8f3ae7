/* test_expr_kernels.c: the chunk-at-a-time kernels against row-at-a-time references.
 *
 * Random full chunks (1024 rows, NULLs included, timestamps nearly in order with jumps, years
 * before 1970 and after 9999 and at the ends of int64, numerics of every size and scale, URL-like strings) are evaluated
 * once as a whole and once per row in a one-row chunk, where nothing is shared between rows:
 * to_char's reuse of the last text, the branch-free comparisons, the widening casts and the
 * short paths of numeric multiplication and comparison must give the same value on every row.
 * Some results are also checked against plain C (num_cmp, num_mul, a naive split_part, the C
 * locale's tolower/toupper).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expr/expr.h"
#include "expr/func.h"
#include "vec/numeric.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { K_TS, K_B, K_I, K_I2, K_N, K_N2, K_S, NK };
static const TypeId ktypes[NK] = {T_TIMESTAMP, T_INT8,    T_INT4,   T_INT2,
				  T_NUMERIC,   T_NUMERIC, T_VARCHAR};
#define NROWS CHUNK_CAP

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

typedef struct Kx {
	Arena arena;
	Chunk *c;
	Err err;
	ExprCtx cx;
} Kx;

static void fill_chunk(Chunk *c)
{
	int64_t t = INT64_C(1436918400000000); /* 2015-07-15 */
	for (int r = 0; r < NROWS; r++) {
		/* Mostly small steps forward, sometimes back, sometimes far. */
		uint64_t k = rnd() % 100;
		if (k < 70)
			t += (int64_t)(rnd() % 5000000);
		else if (k < 80)
			t -= (int64_t)(rnd() % 90000000);
		else if (k < 85)
			t += (int64_t)(rnd() % (US_PER_DAY * 3));
		else if (k == 90)
			t = -(int64_t)(rnd() % (US_PER_DAY * 400)); /* before 1970 */
		else if (k == 91)
			t = INT64_C(253402300800000000) + (int64_t)(rnd() % US_PER_DAY); /* 10000 */
		else if (k == 92)
			t = -INT64_C(62200000000000000); /* before year 0 */
		else if (k == 93)
			t = (t / US_PER_DAY) * US_PER_DAY; /* midnight */
		int64_t v = t;
		if (k == 94)
			v = INT64_MAX - (int64_t)(rnd() % 3); /* the ends of the range, one row */
		else if (k == 95)
			v = INT64_MIN + (int64_t)(rnd() % 3);
		VEC_DATA(&c->cols[K_TS], int64_t)[r] = v;
		int64_t b = (int64_t)(rnd() % 3000000) - 100;
		if (rnd() % 50 == 0)
			b = (int64_t)rnd();
		VEC_DATA(&c->cols[K_B], int64_t)[r] = b;
		VEC_DATA(&c->cols[K_I], int32_t)[r] = (int32_t)(rnd() % 7 == 0 ? b : (int64_t)rnd());
		VEC_DATA(&c->cols[K_I2], int16_t)[r] = (int16_t)(rnd() % 9);
		for (int col = K_N; col <= K_N2; col++) {
			__int128 m = (__int128)(int64_t)rnd() >> (rnd() % 60);
			if (rnd() % 8 == 0)
				m = m * (__int128)(int64_t)(rnd() >> 4); /* above 2^63 */
			int scale = (int)(rnd() % 8);
			if (rnd() % 10 == 0)
				scale = 20 + (int)(rnd() % 19);
			VEC_DATA(&c->cols[col], Numeric)[r] = num_make(m, scale);
		}
		static const char *const urls[] = {
			"https://www.nexmark.com/abc/def/ghi/item.htm?query=1",
			"https://www.nexmark.com/a//b/",
			"",
			"/",
			"no-slash-at-all",
			"//x//y//",
			"https://www.nexmark.com/aa/bb/cc/dd/ee/ff",
			"HTTPS://Www.NexMark.com/Apple/[Z]/\xc3\x84@`{",
			"apple",
		};
		const char *u = urls[rnd() % (sizeof urls / sizeof urls[0])];
		VEC_DATA(&c->cols[K_S], Str)[r] = (Str){u, (uint32_t)strlen(u)};
		for (int col = 0; col < NK; col++)
			c->cols[col].nulls[r] = rnd() % 13 == 0;
	}
	c->nrows = NROWS;
}

static int setup(void **state)
{
	Kx *kx = mem_calloc(1, sizeof *kx);
	arena_init(&kx->arena, 0);
	kx->c = chunk_new(ktypes, NK);
	fill_chunk(kx->c);
	err_clear(&kx->err);
	kx->cx.arena = &kx->arena;
	kx->cx.err = &kx->err;
	*state = kx;
	return 0;
}

static int teardown(void **state)
{
	Kx *kx = *state;
	chunk_free(kx->c);
	arena_deinit(&kx->arena);
	mem_free(kx);
	return 0;
}

static Expr *kcol(Kx *kx, int k)
{
	return expr_col(&kx->arena, k, ktypes[k], 0);
}

static Expr *ktext(Kx *kx, const char *text)
{
	Value v;
	v.type = T_UNKNOWN;
	v.null = false;
	v.u.s.p = text;
	v.u.s.len = (uint32_t)strlen(text);
	return expr_const(&kx->arena, &v, 0);
}

static Expr *kint(Kx *kx, int64_t i)
{
	Value v = value_int(i > INT32_MAX || i < INT32_MIN ? T_INT8 : T_INT4, i);
	return expr_const(&kx->arena, &v, 0);
}

static Expr *kfn(Kx *kx, const char *name, int nargs, ...)
{
	Expr *args[4];
	va_list ap;
	va_start(ap, nargs);
	for (int i = 0; i < nargs; i++)
		args[i] = va_arg(ap, Expr *);
	va_end(ap);
	Expr *x = expr_func(&kx->arena, name, args, nargs, 1, &kx->err);
	if (!x)
		fail_msg("%s: %s", name, kx->err.msg);
	return x;
}

static Expr *kcast(Kx *kx, Expr *x, TypeId t)
{
	Expr *c = expr_cast(&kx->arena, x, t, -1, true, 1, &kx->err);
	if (!c)
		fail_msg("cast: %s", kx->err.msg);
	return c;
}

static Expr *kand(Kx *kx, Expr *a, Expr *b)
{
	Expr *args[2] = {a, b};
	Expr *x = expr_logic(&kx->arena, EXPR_AND, args, 2, 1, &kx->err);
	if (!x)
		fail_msg("and: %s", kx->err.msg);
	return x;
}

static void format_row(const Vector *v, int r, StrBuf *sb)
{
	Value val;
	vec_get_value(v, r, &val);
	sb_reset(sb);
	if (val.null)
		sb_puts(sb, "NULL");
	else
		value_format(&val, sb);
}

/* Evaluates x over the whole chunk and over each row alone; every row must agree. Returns the
 * whole chunk's result (in kx->arena) for further checks. */
static Vector *check_rows(Kx *kx, const Expr *x, const char *what)
{
	Vector *all = vec_new_in(&kx->arena, x->type);
	if (expr_eval(x, kx->c, all, &kx->cx))
		fail_msg("%s: %s", what, kx->err.msg);
	Chunk *one = chunk_new(ktypes, NK);
	Vector *single = vec_new_in(&kx->arena, x->type);
	/* Each row's scratch goes to an arena of its own, reset per row. */
	Arena row_arena;
	arena_init(&row_arena, 0);
	ExprCtx rcx = kx->cx;
	rcx.arena = &row_arena;
	StrBuf a, b;
	sb_init(&a);
	sb_init(&b);
	for (int r = 0; r < kx->c->nrows; r++) {
		for (int k = 0; k < NK; k++) {
			Value v;
			vec_get_value(&kx->c->cols[k], r, &v);
			vec_set_value(&one->cols[k], 0, &v, &one->arena);
		}
		one->nrows = 1;
		arena_reset(&row_arena);
		if (expr_eval(x, one, single, &rcx))
			fail_msg("%s row %d: %s", what, r, kx->err.msg);
		format_row(all, r, &a);
		format_row(single, 0, &b);
		if (strcmp(a.data, b.data) != 0) {
			print_error("%s row %d: chunk %s, alone %s\n", what, r, a.data, b.data);
			fail();
		}
	}
	sb_deinit(&a);
	sb_deinit(&b);
	arena_deinit(&row_arena);
	chunk_free(one);
	return all;
}

static void test_to_char_rows(void **state)
{
	Kx *kx = *state;
	static const char *const fmts[] = {"YYYY-MM-DD", "HH:mm", "HH:MI",
					   "YYYY-MM-DD HH24:MI:SS.MS US", "MI", "SS", "x"};
	int shared = 0;
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		Expr *x = kfn(kx, "to_char", 2, kcol(kx, K_TS), ktext(kx, fmts[i]));
		Vector *v = check_rows(kx, x, fmts[i]);
		for (int r = 1; r < NROWS; r++)
			shared += !v->nulls[r] && !v->nulls[r - 1] &&
				  VEC_DATA(v, Str)[r].p == VEC_DATA(v, Str)[r - 1].p;
	}
	/* The day's text is shared by rows of the same day (most rows here). */
	assert_true(shared > NROWS);

	/* A known time: the text the first row of a unit gets is the one later rows share. */
	Chunk *c = kx->c;
	int64_t base = INT64_C(1436965445123456); /* 2015-07-15 13:04:05.123456 */
	for (int r = 0; r < 4; r++) {
		VEC_DATA(&c->cols[K_TS], int64_t)[r] = base + r * INT64_C(1000000);
		c->cols[K_TS].nulls[r] = 0;
	}
	c->nrows = 4;
	Expr *x = kfn(kx, "to_char", 2, kcol(kx, K_TS), ktext(kx, "YYYY-MM-DD HH24:MI:SS"));
	Vector *v = vec_new_in(&kx->arena, x->type);
	assert_int_equal(expr_eval(x, c, v, &kx->cx), 0);
	StrBuf sb;
	sb_init(&sb);
	format_row(v, 3, &sb);
	assert_string_equal(sb.data, "2015-07-15 13:04:08");
	x = kfn(kx, "to_char", 2, kcol(kx, K_TS), ktext(kx, "HH:mm"));
	assert_int_equal(expr_eval(x, c, v, &kx->cx), 0);
	format_row(v, 2, &sb);
	assert_string_equal(sb.data, "01:07");
	sb_deinit(&sb);
	c->nrows = NROWS;
}

static void test_compare_rows(void **state)
{
	Kx *kx = *state;
	Expr *lt = kfn(kx, "<", 2, kcol(kx, K_B), kint(kx, 10000));
	Vector *v = check_rows(kx, lt, "b < 10000");
	const Vector *b = &kx->c->cols[K_B];
	for (int r = 0; r < NROWS; r++) {
		assert_int_equal(v->nulls[r], b->nulls[r]);
		if (!b->nulls[r])
			assert_int_equal(VEC_DATA(v, uint8_t)[r], VEC_DATA(b, int64_t)[r] < 10000);
	}
	check_rows(kx,
		   kand(kx, kfn(kx, ">=", 2, kcol(kx, K_B), kint(kx, 10000)),
			kfn(kx, "<", 2, kcol(kx, K_B), kint(kx, 1000000))),
		   "b range");
	static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
	for (int i = 0; i < 6; i++) {
		check_rows(kx, kfn(kx, ops[i], 2, kcol(kx, K_I), kcol(kx, K_B)), ops[i]);
		check_rows(kx, kfn(kx, ops[i], 2, kcol(kx, K_I2), kcol(kx, K_I)), ops[i]);
		check_rows(kx, kfn(kx, ops[i], 2, kcol(kx, K_TS), kcol(kx, K_TS)), ops[i]);
	}
}

static void test_numeric_rows(void **state)
{
	Kx *kx = *state;
	const Vector *n1 = &kx->c->cols[K_N], *n2 = &kx->c->cols[K_N2];
	static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
	for (int i = 0; i < 6; i++) {
		Vector *v = check_rows(kx, kfn(kx, ops[i], 2, kcol(kx, K_N), kcol(kx, K_N2)), ops[i]);
		for (int r = 0; r < NROWS; r++) {
			if (v->nulls[r])
				continue;
			int c = num_cmp(VEC_DATA(n1, Numeric)[r], VEC_DATA(n2, Numeric)[r]);
			bool want = i == 0 ? c == 0 : i == 1 ? c != 0 : i == 2 ? c < 0 : i == 3 ? c <= 0
				  : i == 4 ? c > 0 : c >= 0;
			assert_int_equal(VEC_DATA(v, uint8_t)[r], want);
		}
	}
	/* Multiplication: overflowing rows fail, so compare row by row in null_on_error mode. */
	kx->cx.null_on_error = true;
	Vector *m = check_rows(kx, kfn(kx, "*", 2, kcol(kx, K_N), kcol(kx, K_N2)), "n * n2");
	for (int r = 0; r < NROWS; r++) {
		if (n1->nulls[r] || n2->nulls[r])
			continue;
		Numeric want;
		Err le;
		err_clear(&le);
		int rc = num_mul(VEC_DATA(n1, Numeric)[r], VEC_DATA(n2, Numeric)[r], &want, &le);
		assert_int_equal(m->nulls[r], rc != 0);
		if (rc == 0)
			assert_int_equal(num_cmp(VEC_DATA(m, Numeric)[r], want), 0);
	}
	kx->cx.null_on_error = false;
	/* q14's shape: a numeric constant times an int8 column, compared with integers. */
	Value k = {.type = T_NUMERIC, .u.n = num_make(908, 3)};
	Expr *price = kfn(kx, "*", 2, expr_const(&kx->arena, &k, 0), kcol(kx, K_B));
	check_rows(kx, price, "0.908 * b");
	check_rows(kx, kfn(kx, ">", 2, price, kint(kx, 1000000)), "0.908 * b > 1000000");
	check_rows(kx, kfn(kx, "<", 2, price, kcol(kx, K_N)), "0.908 * b < n");
}

static void test_cast_rows(void **state)
{
	Kx *kx = *state;
	const TypeId to[] = {T_INT4, T_INT8, T_FLOAT8, T_NUMERIC};
	for (int i = 0; i < 4; i++) {
		check_rows(kx, kcast(kx, kcol(kx, K_I2), to[i]), "int2 cast");
		if (to[i] != T_INT4) {
			check_rows(kx, kcast(kx, kcol(kx, K_I), to[i]), "int4 cast");
			check_rows(kx, kcast(kx, kcol(kx, K_B), to[i]), "int8 cast");
		}
	}
	Vector *v = check_rows(kx, kcast(kx, kcol(kx, K_B), T_NUMERIC), "int8 numeric");
	const Vector *b = &kx->c->cols[K_B];
	for (int r = 0; r < NROWS; r++)
		if (!b->nulls[r])
			assert_true(VEC_DATA(v, Numeric)[r].m == VEC_DATA(b, int64_t)[r] &&
				    VEC_DATA(v, Numeric)[r].scale == 0);
}

/* split_part the slow way: cut a copy at every delimiter. */
static Str naive_split(Str s, const char *delim, int k)
{
	size_t dl = strlen(delim);
	Str f = {s.p, 0};
	if (s.len == 0)
		return f;
	int i = 1;
	size_t start = 0;
	for (size_t p = 0; p + dl <= s.len;) {
		if (memcmp(s.p + p, delim, dl) == 0) {
			if (i == k)
				return (Str){s.p + start, (uint32_t)(p - start)};
			i++;
			p += dl;
			start = p;
		} else {
			p++;
		}
	}
	if (i == k)
		return (Str){s.p + start, (uint32_t)(s.len - start)};
	return f;
}

static void test_split_part_rows(void **state)
{
	Kx *kx = *state;
	const Vector *s = &kx->c->cols[K_S];
	static const char *const delims[] = {"/", "//", "."};
	for (int d = 0; d < 3; d++) {
		for (int k = 1; k <= 8; k++) {
			Expr *x = kfn(kx, "split_part", 3, kcol(kx, K_S), ktext(kx, delims[d]),
				      kint(kx, k));
			Vector *v = check_rows(kx, x, "split_part");
			for (int r = 0; r < NROWS; r++) {
				assert_int_equal(v->nulls[r], s->nulls[r]);
				if (s->nulls[r])
					continue;
				Str want = naive_split(VEC_DATA(s, Str)[r], delims[d], k);
				Str got = VEC_DATA(v, Str)[r];
				assert_int_equal(got.len, want.len);
				assert_memory_equal(got.p, want.p, want.len);
			}
		}
		check_rows(kx, kfn(kx, "split_part", 3, kcol(kx, K_S), ktext(kx, delims[d]),
				   kint(kx, -2)),
			   "split_part -2");
	}
}

static void test_text_rows(void **state)
{
	Kx *kx = *state;
	const Vector *s = &kx->c->cols[K_S];
	static const char *const fns[] = {"lower", "upper"};
	for (int f = 0; f < 2; f++) {
		Vector *v = check_rows(kx, kfn(kx, fns[f], 1, kcol(kx, K_S)), fns[f]);
		for (int r = 0; r < NROWS; r++) {
			if (s->nulls[r])
				continue;
			Str x = VEC_DATA(s, Str)[r], got = VEC_DATA(v, Str)[r];
			assert_int_equal(got.len, x.len);
			for (uint32_t k = 0; k < x.len; k++) {
				int c = (unsigned char)x.p[k];
				assert_int_equal((unsigned char)got.p[k], f ? toupper(c) : tolower(c));
			}
		}
	}
	check_rows(kx, kfn(kx, "=", 2, kcol(kx, K_S), kfn(kx, "lower", 1, kcol(kx, K_S))), "s = lower");
	check_rows(kx, kfn(kx, "<>", 2, kcol(kx, K_S), ktext(kx, "apple")), "s <> apple");
	Vector *v = check_rows(kx, kfn(kx, "=", 2, kfn(kx, "lower", 1, kcol(kx, K_S)),
					ktext(kx, "apple")),
			       "lower(s) = apple");
	for (int r = 0; r < NROWS; r++)
		if (!s->nulls[r])
			assert_int_equal(VEC_DATA(v, uint8_t)[r],
					 strcmp(VEC_DATA(s, Str)[r].p, "apple") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_to_char_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numeric_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cast_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_part_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_rows, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
