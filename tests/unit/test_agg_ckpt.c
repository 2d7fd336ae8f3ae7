/* test_agg_ckpt.c: checkpoints of aggregate states (AggFunc.save/load in expr/agg.c). Every
 * aggregate agg_resolve and agg_resolve_param hand out (names x argument types x DISTINCT x
 * append-only, approx_percentile at a few fractions, string_agg at two delimiters) is fed random rows (deletes too where it
 * retracts), saved, loaded into a fresh state, and must then answer the same, save the same
 * bytes and keep answering the same under more rows. Truncated, extended and garbled bytes must
 * fail with XX001 or decode, never crash or leak (ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expr/agg.h"
#include "vec/numeric.h"

#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const words[] = {"", "a", "abc", "b", "hello world", "zz", "\xc3\xa9t\xc3\xa9"};

/* A random value of type t from a small domain, so that values repeat and deletes find them. */
static Value random_value(TypeId t)
{
	Value v = value_int(t, 0);
	switch (t) {
	case T_BOOL:
		v.u.i = rnd(2);
		break;
	case T_FLOAT4:
	case T_FLOAT8:
		v.u.f = (double)rnd(40) / 4 - 3;
		break;
	case T_NUMERIC:
		v.u.n = num_make((__int128)rnd(1000) - 300, (int)rnd(3));
		break;
	case T_VARCHAR:
		v.u.s.p = words[rnd(sizeof words / sizeof words[0])];
		v.u.s.len = (uint32_t)strlen(v.u.s.p);
		break;
	case T_TIMESTAMP:
	case T_TIMESTAMPTZ:
		v.u.i = (int64_t)rnd(1000) * 1000000;
		break;
	case T_INTERVAL:
		v.u.iv = (Interval){(int64_t)rnd(5) * 1000000, (int32_t)rnd(3), (int32_t)rnd(2)};
		break;
	default:
		v.u.i = (int64_t)rnd(20) - 5;
		break;
	}
	return v;
}

/* One aggregate under test: two states fed the same rows after the first was copied into the
 * second by save + load. live[] remembers inserted values so that deletes retract real rows. */
typedef struct Case {
	const AggFunc *f;
	TypeId vt;
	Vector v;
	Value live[64];
	int nlive;
	Arena arena;
} Case;

static void *state_new(const AggFunc *f)
{
	void *s = mem_calloc(1, f->state_size);
	f->init(f, s);
	return s;
}

static void state_free(const AggFunc *f, void *s)
{
	if (f->destroy)
		f->destroy(f, s);
	mem_free(s);
}

/* Feeds n random rows to both states (b may be NULL). */
static void feed(Case *c, void *a, void *b, int n)
{
	for (int i = 0; i < n; i++) {
		uint8_t op = OP_INSERT;
		Value v;
		if (c->f->retractable && c->nlive && rnd(3) == 0) {
			int k = (int)rnd((uint32_t)c->nlive);
			v = c->live[k];
			c->live[k] = c->live[--c->nlive];
			op = OP_DELETE;
		} else {
			v = random_value(c->vt);
			v.null = rnd(8) == 0;
			if (c->nlive < 64)
				c->live[c->nlive++] = v;
		}
		vec_set_value(&c->v, 0, &v, &c->arena);
		c->v.nulls[0] = v.null;
		void *states[1] = {a};
		const Vector *arg = c->f->arg_type == T_NULL ? NULL : &c->v;
		Err e;
		err_clear(&e);
		if (c->f->update(c->f, states, arg, &op, NULL, 1, &e))
			fail_msg("%s(%s) update: %s", c->f->name, type_name(c->vt), e.msg);
		if (b) {
			states[0] = b;
			if (c->f->update(c->f, states, arg, &op, NULL, 1, &e))
				fail_msg("%s(%s) update: %s", c->f->name, type_name(c->vt), e.msg);
		}
	}
}

static void final_text(const AggFunc *f, const void *s, StrBuf *out, Arena *a)
{
	Value v;
	f->final(f, s, &v, a);
	assert_int_equal(v.type, f->result_type);
	sb_reset(out);
	if (v.null)
		sb_puts(out, "NULL");
	else
		value_format(&v, out);
}

static void expect_same(const AggFunc *f, const void *a, const void *b, Arena *arena)
{
	StrBuf x, y;
	sb_init(&x);
	sb_init(&y);
	final_text(f, a, &x, arena);
	final_text(f, b, &y, arena);
	if (strcmp(x.data, y.data) != 0)
		fail_msg("%s(%s): %s before the checkpoint, %s after", f->name,
			 type_name(f->arg_type), x.data, y.data);
	sb_reset(&x);
	sb_reset(&y);
	f->save(f, a, &x);
	f->save(f, b, &y);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.data, y.data, x.len);
	sb_deinit(&x);
	sb_deinit(&y);
}

/* Loads bytes that are not a state: must fail with XX001 (or, for garbled bytes that happen to
 * decode, succeed), and leave a state destroy frees. */
static void load_bad(const AggFunc *f, const void *p, size_t n, bool must_fail)
{
	void *s = state_new(f);
	Err e;
	err_clear(&e);
	int rc = f->load(f, s, p, n, &e);
	if (must_fail && rc == 0)
		fail_msg("%s(%s) loaded %zu bad bytes", f->name, type_name(f->arg_type), n);
	if (rc) {
		assert_int_equal(e.code, ERR_DATA_CORRUPTED);
		assert_non_null(strstr(e.msg, "does not decode"));
	}
	Arena a;
	arena_init(&a, 0);
	StrBuf sb;
	sb_init(&sb);
	final_text(f, s, &sb, &a); /* a state that loaded (or failed) still answers */
	sb_deinit(&sb);
	arena_deinit(&a);
	state_free(f, s);
}

static void fuzz(const AggFunc *f, const StrBuf *good)
{
	for (size_t n = 0; n < good->len; n++)
		load_bad(f, good->data, n, true);
	char *buf = mem_alloc(good->len + 1);
	memcpy(buf, good->data, good->len);
	buf[good->len] = 0;
	load_bad(f, buf, good->len + 1, true);
	for (int k = 0; k < 16; k++) {
		memcpy(buf, good->data, good->len);
		for (int j = 0; j < 3; j++)
			buf[rnd((uint32_t)good->len)] ^= (char)(1 + rnd(255));
		load_bad(f, buf, good->len, false);
	}
	mem_free(buf);
}

static void check_one(const AggFunc *f)
{
	Case c = {.f = f};
	c.vt = f->arg_type == T_NULL ? T_INT4 : f->arg_type;
	c.v.type = c.vt;
	c.v.data = mem_calloc(CHUNK_CAP, type_size(c.vt));
	c.v.nulls = mem_calloc(CHUNK_CAP, 1);
	arena_init(&c.arena, 0);
	assert_non_null(f->save);
	assert_non_null(f->load);

	void *a = state_new(f);
	int rounds = (int)rnd(3);
	for (int round = 0; round <= rounds; round++) {
		feed(&c, a, NULL, (int)rnd(40));
		StrBuf saved;
		sb_init(&saved);
		f->save(f, a, &saved);
		void *b = state_new(f);
		Err e;
		err_clear(&e);
		if (f->load(f, b, saved.data, saved.len, &e))
			fail_msg("%s(%s) load: %s", f->name, type_name(f->arg_type), e.msg);
		expect_same(f, a, b, &c.arena);
		if (round == 0)
			fuzz(f, &saved);
		feed(&c, a, b, (int)rnd(40));
		expect_same(f, a, b, &c.arena);
		state_free(f, b);
		sb_deinit(&saved);
	}
	state_free(f, a);
	mem_free(c.v.data);
	mem_free(c.v.nulls);
	arena_deinit(&c.arena);
}

static const char *const names[] = {
	"count",    "sum",    "avg",         "min",        "max",         "stddev",  "stddev_samp",
	"stddev_pop", "variance", "var_samp", "var_pop", "first_value", "last_value",
};

/* Every resolvable aggregate once (pointers deduplicated). */
static int all_aggs(const AggFunc **out, int cap)
{
	int n = 0;
	Err e;
	err_clear(&e);
	out[n++] = agg_resolve("count", T_NULL, true, false, false, &e);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		for (TypeId t = T_BOOL; t <= T_INTERVAL; t++)
			for (int mode = 0; mode < 4; mode++) {
				err_clear(&e);
				const AggFunc *f = agg_resolve(names[i], t, false, mode & 1, mode & 2, &e);
				bool seen = false;
				for (int k = 0; k < n && f; k++)
					seen |= out[k] == f;
				if (f && !seen && n < cap)
					out[n++] = f;
			}
	static const double fractions[] = {0, 0.25, 0.5, 0.99, 1};
	for (TypeId t = T_BOOL; t <= T_INTERVAL; t++)
		for (size_t i = 0; i < sizeof fractions / sizeof fractions[0]; i++) {
			err_clear(&e);
			Value p = value_null(T_FLOAT8);
			p.null = false;
			p.u.f = fractions[i];
			const AggFunc *f = agg_resolve_param("approx_percentile", t, &p, &e);
			if (f && n < cap)
				out[n++] = f;
		}
	/* string_agg(text, delimiter) at two delimiters. */
	static const char *const delims[] = {", ", ""};
	for (size_t i = 0; i < sizeof delims / sizeof delims[0]; i++) {
		err_clear(&e);
		Value d = value_null(T_VARCHAR);
		d.null = false;
		d.u.s = (Str){delims[i], (uint32_t)strlen(delims[i])};
		const AggFunc *f = agg_resolve_param("string_agg", T_VARCHAR, &d, &e);
		assert_non_null(f);
		if (n < cap)
			out[n++] = f;
	}
	return n;
}

static void test_every_aggregate_round_trips(void **st)
{
	const AggFunc *fs[512];
	int n = all_aggs(fs, 512);
	/* count(*), count x 12 types, sum/avg x 14, min/max x 2 variants x 11, variances x 36,
	 * first/last x 24, DISTINCT count/sum/avg/min/max x 48, approx_percentile x 30. */
	assert_true(n >= 200);
	print_message("%d aggregates\n", n);
	int kinds[7] = {0};
	for (int i = 0; i < n; i++) {
		check_one(fs[i]);
		kinds[0] += strcmp(fs[i]->name, "approx_percentile") == 0;
		kinds[1] += !fs[i]->retractable && strcmp(fs[i]->name, "min") == 0;
		kinds[2] += strcmp(fs[i]->name, "first_value") == 0;
		kinds[3] += fs[i]->arg_type == T_INTERVAL && strcmp(fs[i]->name, "sum") == 0;
		kinds[4] += fs[i]->arg_type == T_NULL;
		kinds[5] += strcmp(fs[i]->name, "var_pop") == 0;
		kinds[6] += strcmp(fs[i]->name, "string_agg") == 0;
	}
	for (int k = 0; k < 7; k++)
		assert_true(kinds[k] > 0);
}

/* Hand-made damage: a numeric scale out of range, unsorted or zero-count multiset entries, a
 * value of the wrong type, a has flag that is neither 0 nor 1. */
static void test_bad_bytes(void **st)
{
	Err e;
	err_clear(&e);
	const AggFunc *sum = agg_resolve("sum", T_NUMERIC, false, false, false, &e);
	const AggFunc *min = agg_resolve("min", T_INT4, false, false, false, &e);
	const AggFunc *min1 = agg_resolve("min", T_VARCHAR, false, false, true, &e);
	assert_non_null(sum);
	assert_non_null(min);
	assert_non_null(min1);

	uint8_t num[28] = {0}; /* m, scale, n */
	num[16] = 39; /* scale */
	load_bad(sum, num, sizeof num, true);
	num[16] = 2;
	void *s = state_new(sum);
	assert_int_equal(sum->load(sum, s, num, sizeof num, &e), 0);
	state_free(sum, s);

	/* Multiset of int4: len 2, then (type, notnull, i64, count i64) twice. */
	uint8_t ms[4 + 2 * 18] = {2};
	for (int i = 0; i < 2; i++) {
		uint8_t *x = ms + 4 + 18 * i;
		x[0] = T_INT4;
		x[2] = (uint8_t)(7 - i); /* 7 then 6: descending */
		x[10] = 1;
	}
	load_bad(min, ms, sizeof ms, true);
	ms[4 + 18 + 2] = 8; /* ascending now */
	s = state_new(min);
	assert_int_equal(min->load(min, s, ms, sizeof ms, &e), 0);
	state_free(min, s);
	ms[4 + 18 + 10] = 0; /* a zero count */
	load_bad(min, ms, sizeof ms, true);
	ms[4 + 18 + 10] = 1;
	ms[4] = T_INT8; /* the wrong type */
	load_bad(min, ms, sizeof ms, true);
	uint8_t huge[4] = {0xff, 0xff, 0xff, 0x7f};
	load_bad(min, huge, sizeof huge, true);

	uint8_t ex[] = {2};
	load_bad(min1, ex, sizeof ex, true);
	uint8_t ex_str[] = {1, T_VARCHAR, 0, 3, 0, 0, 0, 'a', 'b', 'c'};
	s = state_new(min1);
	assert_int_equal(min1->load(min1, s, ex_str, sizeof ex_str, &e), 0);
	assert_int_equal(min1->heap_bytes(min1, s), 3);
	state_free(min1, s);
	ex_str[3] = 4; /* the string runs past the end */
	load_bad(min1, ex_str, sizeof ex_str, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_aggregate_round_trips),
		cmocka_unit_test(test_bad_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
