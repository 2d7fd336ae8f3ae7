/* test_agg.c: aggregate functions (expr/agg.h) under inserts and deletes: results, NULL when no
 * input remains, min/max retraction finding the next value, DISTINCT (also the state several
 * DISTINCT aggregates over one argument share, against one state each), resolution errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "expr/agg.h"

#include <stdio.h>
#include <string.h>

/* One group fed row by row through update(), as hash aggregation would. */
typedef struct Group {
	const AggFunc *f;
	void *state;
	Vector v;
	Arena arena;
} Group;

static void group_init(Group *g, const char *name, TypeId t, bool star, bool distinct,
		       bool append_only)
{
	Err e;
	err_clear(&e);
	g->f = agg_resolve(name, t, star, distinct, append_only, &e);
	if (!g->f)
		fail_msg("%s: %s", name, e.msg);
	g->state = mem_calloc(1, g->f->state_size);
	g->f->init(g->f, g->state);
	g->v.type = t == T_NULL ? T_INT4 : t;
	g->v.data = mem_calloc(CHUNK_CAP, type_size(g->v.type));
	g->v.nulls = mem_calloc(CHUNK_CAP, 1);
	arena_init(&g->arena, 0);
}

static void group_free(Group *g)
{
	if (g->f->destroy)
		g->f->destroy(g->f, g->state);
	mem_free(g->state);
	mem_free(g->v.data);
	mem_free(g->v.nulls);
	arena_deinit(&g->arena);
}

/* Feeds one value given as text (NULL for SQL NULL) with an op. */
static int feed(Group *g, const char *text, Op op, Err *e)
{
	if (text) {
		Value v;
		Err pe;
		err_clear(&pe);
		if (value_parse(g->v.type, text, strlen(text), &v, &g->arena, &pe))
			fail_msg("parse %s", text);
		vec_set_value(&g->v, 0, &v, &g->arena);
	} else {
		g->v.nulls[0] = 1;
	}
	uint8_t ops[1] = {(uint8_t)op};
	void *states[1] = {g->state};
	return g->f->update(g->f, states, g->f->arg_type == T_NULL ? NULL : &g->v, ops, NULL, 1, e);
}

static void add(Group *g, const char *text)
{
	Err e;
	err_clear(&e);
	if (feed(g, text, OP_INSERT, &e))
		fail_msg("insert: %s", e.msg);
}

static void del(Group *g, const char *text)
{
	Err e;
	err_clear(&e);
	if (feed(g, text, OP_DELETE, &e))
		fail_msg("delete: %s", e.msg);
}

static void expect(Group *g, const char *want)
{
	Value v;
	g->f->final(g->f, g->state, &v, &g->arena);
	assert_int_equal(v.type, g->f->result_type);
	StrBuf sb;
	sb_init(&sb);
	if (v.null)
		sb_puts(&sb, "NULL");
	else
		value_format(&v, &sb);
	assert_string_equal(sb.data, want);
	sb_deinit(&sb);
}

static void test_count(void **st)
{
	Group g;
	group_init(&g, "count", T_NULL, true, false, false);
	expect(&g, "0");
	add(&g, NULL);
	add(&g, "1");
	expect(&g, "2");
	del(&g, "1");
	expect(&g, "1");
	group_free(&g);
	group_init(&g, "count", T_VARCHAR, false, false, false);
	assert_int_equal(g.f->result_type, T_INT8);
	add(&g, "a");
	add(&g, NULL);
	add(&g, "b");
	expect(&g, "2");
	del(&g, "a");
	expect(&g, "1");
	group_free(&g);
}

static void test_sum_avg(void **st)
{
	Group g;
	group_init(&g, "sum", T_INT4, false, false, false);
	assert_int_equal(g.f->result_type, T_INT8);
	expect(&g, "NULL");
	add(&g, "2147483647");
	add(&g, "2147483647");
	add(&g, NULL);
	expect(&g, "4294967294");
	del(&g, "2147483647");
	del(&g, "2147483647");
	expect(&g, "NULL"); /* no non-NULL input left */
	group_free(&g);

	group_init(&g, "sum", T_INT8, false, false, false);
	assert_int_equal(g.f->result_type, T_NUMERIC);
	add(&g, "9223372036854775807");
	add(&g, "9223372036854775807");
	expect(&g, "18446744073709551614");
	group_free(&g);

	group_init(&g, "sum", T_NUMERIC, false, false, false);
	add(&g, "1.50");
	add(&g, "2.5");
	expect(&g, "4.00");
	del(&g, "1.50");
	expect(&g, "2.50");
	group_free(&g);

	group_init(&g, "avg", T_INT4, false, false, false);
	assert_int_equal(g.f->result_type, T_NUMERIC);
	add(&g, "1");
	add(&g, "2");
	expect(&g, "1.5000000000000000");
	add(&g, "2");
	expect(&g, "1.6666666666666667");
	del(&g, "1");
	del(&g, "2");
	del(&g, "2");
	expect(&g, "NULL");
	group_free(&g);

	group_init(&g, "avg", T_FLOAT8, false, false, false);
	assert_int_equal(g.f->result_type, T_FLOAT8);
	add(&g, "1");
	add(&g, "2.5");
	expect(&g, "1.75");
	group_free(&g);

	group_init(&g, "sum", T_FLOAT4, false, false, false);
	assert_int_equal(g.f->result_type, T_FLOAT4);
	add(&g, "0.5");
	expect(&g, "0.5");
	group_free(&g);

	group_init(&g, "sum", T_INTERVAL, false, false, false);
	add(&g, "1 day");
	add(&g, "2 hours");
	expect(&g, "1 day 02:00:00");
	group_free(&g);
	group_init(&g, "avg", T_INTERVAL, false, false, false);
	add(&g, "1 day");
	add(&g, "2 hours");
	expect(&g, "13:00:00");
	group_free(&g);
}

static void test_sum_overflow(void **st)
{
	Group g;
	group_init(&g, "sum", T_INT8, false, false, false);
	group_free(&g);
	/* sum(int4) is bigint: it fails only beyond bigint's range, which int4 inputs reach only
	 * after billions of rows; check the error path on the state directly. */
	group_init(&g, "sum", T_INT4, false, false, false);
	for (int i = 0; i < 3; i++)
		add(&g, "2147483647");
	struct {
		__int128 sum;
		int64_t n;
	} *s = g.state;
	s->sum = (__int128)INT64_MAX - 1;
	Err e;
	err_clear(&e);
	assert_int_equal(feed(&g, "5", OP_INSERT, &e), -1);
	assert_string_equal(err_sqlstate(e.code), "22003");
	assert_string_equal(e.msg, "bigint out of range");
	group_free(&g);
}

static void test_min_max_retract(void **st)
{
	Group mn, mx;
	group_init(&mn, "min", T_INT4, false, false, false);
	group_init(&mx, "max", T_INT4, false, false, false);
	assert_true(mn.f->retractable);
	const char *vals[] = {"5", "3", "9", "3", "7"};
	for (int i = 0; i < 5; i++) {
		add(&mn, vals[i]);
		add(&mx, vals[i]);
	}
	expect(&mn, "3");
	expect(&mx, "9");
	del(&mn, "3");
	expect(&mn, "3"); /* one 3 remains */
	del(&mn, "3");
	expect(&mn, "5");
	del(&mx, "9");
	expect(&mx, "7");
	del(&mx, "7");
	del(&mx, "5");
	del(&mx, "3");
	del(&mx, "3");
	expect(&mx, "NULL");
	add(&mx, NULL);
	expect(&mx, "NULL");
	group_free(&mn);
	group_free(&mx);

	/* Strings are copied into the state and freed by destroy. */
	group_init(&mn, "min", T_VARCHAR, false, false, false);
	add(&mn, "pear");
	add(&mn, "apple");
	add(&mn, "fig");
	expect(&mn, "apple");
	assert_true(mn.f->heap_bytes(mn.f, mn.state) > 0);
	del(&mn, "apple");
	expect(&mn, "fig");
	group_free(&mn);

	group_init(&mx, "max", T_TIMESTAMP, false, false, false);
	add(&mx, "2024-01-01 10:00");
	add(&mx, "2024-01-02");
	del(&mx, "2024-01-02");
	expect(&mx, "2024-01-01 10:00:00");
	group_free(&mx);

	group_init(&mx, "max", T_INTERVAL, false, false, false);
	add(&mx, "1 mon");
	add(&mx, "29 days");
	expect(&mx, "1 mon");
	group_free(&mx);
}

static void test_min_max_append_only(void **st)
{
	Group g;
	group_init(&g, "max", T_VARCHAR, false, false, true);
	assert_false(g.f->retractable);
	add(&g, "b");
	add(&g, "c");
	add(&g, "a");
	expect(&g, "c");
	Err e;
	err_clear(&e);
	assert_int_equal(feed(&g, "c", OP_DELETE, &e), -1);
	group_free(&g);
	group_init(&g, "min", T_NUMERIC, false, false, true);
	add(&g, "1.5");
	add(&g, "1.25");
	expect(&g, "1.25");
	group_free(&g);
}

static void test_distinct(void **st)
{
	Group g;
	group_init(&g, "count", T_INT4, false, true, false);
	add(&g, "1");
	add(&g, "1");
	add(&g, "2");
	add(&g, NULL);
	expect(&g, "2");
	del(&g, "1");
	expect(&g, "2");
	del(&g, "1");
	expect(&g, "1");
	group_free(&g);
	group_init(&g, "sum", T_INT4, false, true, false);
	add(&g, "5");
	add(&g, "5");
	add(&g, "7");
	expect(&g, "12");
	group_free(&g);
	group_init(&g, "avg", T_NUMERIC, false, true, false);
	add(&g, "1");
	add(&g, "1.0");
	add(&g, "2");
	expect(&g, "1.5000000000000000");
	group_free(&g);
}

/* The text of an aggregate result, "NULL" for NULL. */
static void result_text(const Value *v, StrBuf *out)
{
	sb_reset(out);
	if (v->null)
		sb_puts(out, "NULL");
	else
		value_format(v, out);
}

/* Shared DISTINCT state of k members against one multiset aggregate per member (the state
 * each would keep alone), over random inserts and deletes (a delete may come before its
 * insert) with random masks: every member's result equals its own aggregate's, and a saved
 * state loads back to equal results and equal bytes. */
static void check_dset(TypeId t, const char *const *fns, int k, uint64_t seed)
{
	Group own[8];
	const AggFunc *fn[8];
	Err e;
	err_clear(&e);
	for (int j = 0; j < k; j++) {
		group_init(&own[j], fns[j], t, false, true, false);
		fn[j] = own[j].f;
		assert_true(agg_dset_shareable(fn[j]));
	}
	void *ds = mem_calloc(1, agg_dset_size(k));
	Vector arg = {.type = t};
	arg.data = mem_calloc(CHUNK_CAP, type_size(t));
	arg.nulls = mem_calloc(CHUNK_CAP, 1);
	Arena a;
	arena_init(&a, 0);
	StrBuf got, want, bytes, again;
	sb_init(&got);
	sb_init(&want);
	sb_init(&bytes);
	sb_init(&again);
	uint8_t ops[64], skip[64];
	uint64_t mask[64];
	void *states[64];
	for (int round = 0; round < 60; round++) {
		int n = 1 + (int)(seed % 64);
		for (int r = 0; r < n; r++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			uint64_t x = seed >> 20;
			int val = (int)(x % 23) - 3;
			char buf[16];
			snprintf(buf, sizeof buf, "w%d", val);
			Value v = value_int(t, val);
			if (t == T_FLOAT8) {
				v.u.f = val == 0 && (x & 64) ? -0.0 : val / 2.0;
			} else if (t == T_VARCHAR) {
				v.u.s.p = buf;
				v.u.s.len = val == -3 ? 0 : (uint32_t)strlen(buf);
			}
			v.null = (x >> 8) % 17 == 0;
			vec_set_value(&arg, r, &v, &a);
			arg.nulls[r] = v.null;
			/* Mostly inserts, so sets fill up; deletes of absent values too. */
			ops[r] = (x >> 12) % 5 < 3 ? OP_INSERT : OP_DELETE;
			mask[r] = (x >> 16) & ((UINT64_C(1) << k) - 1);
			states[r] = ds;
		}
		assert_int_equal(agg_dset_update(states, t, k, &arg, ops, mask, n), 0);
		for (int j = 0; j < k; j++) {
			void *st1[64];
			for (int r = 0; r < n; r++) {
				skip[r] = !(mask[r] >> j & 1);
				st1[r] = own[j].state;
			}
			assert_int_equal(fn[j]->update(fn[j], st1, &arg, ops, skip, n, &e), 0);
			Value v, w;
			agg_dset_final(fn[j], ds, k, j, &v);
			fn[j]->final(fn[j], own[j].state, &w, &a);
			assert_int_equal(v.type, fn[j]->result_type);
			result_text(&v, &got);
			result_text(&w, &want);
			assert_string_equal(got.data, want.data);
		}
		if (round % 10 == 9) {
			/* Save, load into a fresh state, compare and carry on with the loaded one. */
			sb_reset(&bytes);
			agg_dset_save(ds, t, k, &bytes);
			void *ds2 = mem_calloc(1, agg_dset_size(k));
			assert_int_equal(agg_dset_load(ds2, t, k, bytes.data, bytes.len, &e), 0);
			sb_reset(&again);
			agg_dset_save(ds2, t, k, &again);
			assert_int_equal(again.len, bytes.len);
			assert_memory_equal(again.data, bytes.data, bytes.len);
			assert_int_equal(agg_dset_heap_bytes(ds2, t, k) > 0, agg_dset_heap_bytes(ds, t, k) > 0);
			for (int j = 0; j < k; j++) {
				Value v, w;
				agg_dset_final(fn[j], ds, k, j, &v);
				agg_dset_final(fn[j], ds2, k, j, &w);
				result_text(&v, &got);
				result_text(&w, &want);
				assert_string_equal(got.data, want.data);
			}
			agg_dset_destroy(ds, t, k);
			mem_free(ds);
			ds = ds2;
		}
	}
	/* Damaged bytes: truncated, or claiming another member count, fail with XX001 and leave
	 * an empty state behind. */
	sb_reset(&bytes);
	agg_dset_save(ds, t, k, &bytes);
	assert_true(bytes.len > 4);
	for (size_t cut = 0; cut < bytes.len; cut += 1 + cut / 4) {
		void *ds2 = mem_calloc(1, agg_dset_size(k));
		err_clear(&e);
		assert_int_equal(agg_dset_load(ds2, t, k, bytes.data, cut, &e), -1);
		assert_string_equal(err_sqlstate(e.code), "XX001");
		assert_int_equal(agg_dset_heap_bytes(ds2, t, k), 0);
		mem_free(ds2);
	}
	void *ds3 = mem_calloc(1, agg_dset_size(k + 1));
	err_clear(&e);
	assert_int_equal(agg_dset_load(ds3, t, k + 1, bytes.data, bytes.len, &e), -1);
	mem_free(ds3);
	agg_dset_destroy(ds, t, k);
	mem_free(ds);
	for (int j = 0; j < k; j++)
		group_free(&own[j]);
	mem_free(arg.data);
	mem_free(arg.nulls);
	arena_deinit(&a);
	sb_deinit(&got);
	sb_deinit(&want);
	sb_deinit(&bytes);
	sb_deinit(&again);
}

static void test_distinct_shared(void **st)
{
	static const char *const ints[] = {"count", "count", "sum", "avg", "count"};
	check_dset(T_INT8, ints, 5, 1);
	check_dset(T_INT4, ints, 4, 7);
	static const char *const flts[] = {"count", "sum", "avg"};
	check_dset(T_FLOAT8, flts, 3, 3);
	static const char *const texts[] = {"count", "count"};
	check_dset(T_VARCHAR, texts, 2, 5);
	check_dset(T_VARCHAR, texts, 1, 9);
	/* Multiplicities past 16 bits (positive and negative) widen the table in place. */
	Err e;
	err_clear(&e);
	const AggFunc *cd = agg_resolve("count", T_INT8, false, true, false, &e);
	void *ds = mem_calloc(1, agg_dset_size(2));
	Vector arg = {.type = T_INT8};
	int64_t vals[CHUNK_CAP];
	uint8_t nulls[CHUNK_CAP] = {0}, ins[CHUNK_CAP], dels[CHUNK_CAP];
	uint64_t m1[CHUNK_CAP], m2[CHUNK_CAP];
	void *states[CHUNK_CAP];
	arg.data = (char *)vals;
	arg.nulls = nulls;
	for (int r = 0; r < CHUNK_CAP; r++) {
		vals[r] = r % 4; /* 0 .. 3, each a quarter of the rows */
		ins[r] = OP_INSERT;
		dels[r] = OP_DELETE;
		m1[r] = 1;
		m2[r] = 2;
		states[r] = ds;
	}
	int64_t each = 0;
	while (each <= 40000) {
		assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, ins, m1, CHUNK_CAP), 0);
		assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, dels, m2, CHUNK_CAP), 0);
		each += CHUNK_CAP / 4;
	}
	Value v;
	agg_dset_final(cd, ds, 2, 0, &v);
	assert_int_equal(v.u.i, 4);
	agg_dset_final(cd, ds, 2, 1, &v);
	assert_int_equal(v.u.i, 0);
	StrBuf b;
	sb_init(&b);
	agg_dset_save(ds, T_INT8, 2, &b);
	void *ds2 = mem_calloc(1, agg_dset_size(2));
	assert_int_equal(agg_dset_load(ds2, T_INT8, 2, b.data, b.len, &e), 0);
	/* Bring member 0 back to 0 and member 1 to -1 per value on the loaded copy. */
	for (int64_t i = 0; i < each; i += CHUNK_CAP / 4) {
		for (int r = 0; r < CHUNK_CAP; r++)
			states[r] = ds2;
		assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, dels, m1, CHUNK_CAP), 0);
		assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, ins, m2, CHUNK_CAP), 0);
	}
	agg_dset_final(cd, ds2, 2, 0, &v);
	assert_int_equal(v.u.i, 0);
	assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, dels, m2, 4), 0);
	agg_dset_final(cd, ds2, 2, 1, &v);
	assert_int_equal(v.u.i, 0);
	assert_int_equal(agg_dset_heap_bytes(ds2, T_INT8, 2) > 0, true);
	sb_reset(&b);
	agg_dset_save(ds2, T_INT8, 2, &b);
	assert_int_equal(b.len, 4 + 4 * (10 + 16)); /* four values at (0, -1) */
	assert_int_equal(agg_dset_update(states, T_INT8, 2, &arg, ins, m2, 4), 0);
	sb_reset(&b);
	agg_dset_save(ds2, T_INT8, 2, &b);
	assert_int_equal(b.len, 4); /* all multiplicities 0 again: no entries */
	sb_deinit(&b);
	agg_dset_destroy(ds, T_INT8, 2);
	agg_dset_destroy(ds2, T_INT8, 2);
	mem_free(ds);
	mem_free(ds2);
	/* min/max(DISTINCT) and numeric arguments keep their own states. */
	assert_false(agg_dset_shareable(agg_resolve("max", T_INT8, false, true, false, &e)));
	assert_false(agg_dset_shareable(agg_resolve("count", T_NUMERIC, false, true, false, &e)));
	assert_false(agg_dset_shareable(agg_resolve("count", T_INT8, false, false, false, &e)));
}

static void test_resolve_errors(void **st)
{
	Err e;
	err_clear(&e);
	assert_null(agg_resolve("sum", T_VARCHAR, false, false, false, &e));
	assert_string_equal(err_sqlstate(e.code), "42883");
	assert_string_equal(e.msg, "function sum(text) does not exist");
	err_clear(&e);
	assert_null(agg_resolve("min", T_BOOL, false, false, false, &e));
	assert_string_equal(err_sqlstate(e.code), "42883");
	assert_string_equal(e.msg, "function min(boolean) does not exist");
	err_clear(&e);
	assert_null(agg_resolve("avg", T_DATE, false, false, false, &e));
	assert_string_equal(e.msg, "function avg(date) does not exist");
	assert_true(agg_is_aggregate("count"));
	assert_false(agg_is_aggregate("lower"));
}

/* stddev/variance: exact numeric under inserts and deletes, NULL rules, merge of partials. */
static void test_variance(void **st)
{
	Group g, h;
	group_init(&g, "stddev", T_INT4, false, false, false);
	expect(&g, "NULL");
	add(&g, "1");
	expect(&g, "NULL");
	add(&g, "2");
	add(&g, "4");
	expect(&g, "1.5275252316519467");
	add(&g, "100");
	del(&g, "100");
	expect(&g, "1.5275252316519467");
	group_init(&h, "stddev", T_INT4, false, false, false);
	add(&h, "10");
	Err e;
	err_clear(&e);
	assert_int_equal(g.f->merge(g.f, g.state, h.state, &e), 0);
	expect(&g, "4.0311288741492748");
	group_free(&h);
	del(&g, "1");
	del(&g, "2");
	del(&g, "4");
	del(&g, "10");
	expect(&g, "NULL");
	group_free(&g);

	group_init(&g, "var_pop", T_NUMERIC, false, false, false);
	add(&g, "5");
	expect(&g, "0");
	add(&g, "0.001");
	expect(&g, "6.2475002500000000");
	group_free(&g);

	/* A 24-digit scale square root needs the 256-bit radicand. */
	group_init(&g, "stddev_samp", T_NUMERIC, false, false, false);
	add(&g, "0.001");
	add(&g, "0.002");
	add(&g, "0.0035");
	expect(&g, "0.001258305739211791616074");
	group_free(&g);

	group_init(&g, "variance", T_FLOAT8, false, false, false);
	group_init(&h, "variance", T_FLOAT8, false, false, false);
	add(&g, "1.5");
	add(&g, "2.25");
	add(&h, "4.125");
	add(&h, "10");
	err_clear(&e);
	assert_int_equal(g.f->merge(g.f, g.state, h.state, &e), 0);
	expect(&g, "14.81640625");
	del(&g, "10");
	del(&g, "4.125");
	del(&g, "2.25");
	expect(&g, "NULL");
	group_free(&h);
	group_free(&g);
}

/* first_value/last_value: arrival order, NULLs kept, strings owned by the state, no deletes. */
static void test_first_last(void **st)
{
	Group g, h;
	group_init(&g, "first_value", T_VARCHAR, false, false, false);
	group_init(&h, "last_value", T_VARCHAR, false, false, false);
	assert_false(g.f->retractable);
	expect(&g, "NULL");
	add(&g, "alpha");
	add(&g, "beta");
	add(&h, "alpha");
	add(&h, "beta");
	expect(&g, "alpha");
	expect(&h, "beta");
	Group l;
	group_init(&l, "last_value", T_VARCHAR, false, false, false);
	add(&l, "gamma");
	Err e;
	err_clear(&e);
	assert_int_equal(h.f->merge(h.f, h.state, l.state, &e), 0);
	expect(&h, "gamma");
	assert_int_equal(h.f->heap_bytes(h.f, h.state), 5);
	add(&h, NULL);
	expect(&h, "NULL");
	err_clear(&e);
	assert_int_not_equal(feed(&g, "alpha", OP_DELETE, &e), 0);
	group_free(&l);
	group_free(&h);
	group_free(&g);
}

static Value fval(double d)
{
	Value v = value_null(T_FLOAT8);
	v.null = false;
	v.u.f = d;
	return v;
}

/* approx_percentile: percentile_disc of the current multiset; the fraction's checks. */
static void test_percentile(void **st)
{
	Err e;
	err_clear(&e);
	Value half = fval(0.5);
	const AggFunc *f = agg_resolve_param("approx_percentile", T_INT4, &half, &e);
	assert_non_null(f);
	assert_ptr_equal(agg_resolve_param("approx_percentile", T_INT4, &half, &e), f);
	assert_true(agg_has_param("approx_percentile"));
	Group g;
	group_init(&g, "count", T_INT4, false, false, false);
	mem_free(g.state);
	g.f = f;
	g.state = mem_calloc(1, f->state_size);
	f->init(f, g.state);
	expect(&g, "NULL");
	add(&g, "4");
	add(&g, "1");
	add(&g, "3");
	add(&g, "2");
	expect(&g, "2");
	del(&g, "1");
	expect(&g, "3");
	group_free(&g);

	Value big = fval(1.5), nul = value_null(T_FLOAT8);
	assert_null(agg_resolve_param("approx_percentile", T_INT4, &big, &e));
	assert_string_equal(err_sqlstate(e.code), "22023");
	assert_string_equal(e.msg, "percentile value 1.5 is not between 0 and 1");
	err_clear(&e);
	assert_null(agg_resolve_param("approx_percentile", T_INT4, &nul, &e));
	assert_string_equal(err_sqlstate(e.code), "22023");
	err_clear(&e);
	assert_null(agg_resolve_param("approx_percentile", T_VARCHAR, &half, &e));
	assert_string_equal(err_sqlstate(e.code), "42883");
	assert_string_equal(e.msg, "function approx_percentile(character varying, double "
				   "precision) does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),           cmocka_unit_test(test_sum_avg),
		cmocka_unit_test(test_sum_overflow),    cmocka_unit_test(test_min_max_retract),
		cmocka_unit_test(test_min_max_append_only), cmocka_unit_test(test_distinct),
		cmocka_unit_test(test_resolve_errors),  cmocka_unit_test(test_variance),
		cmocka_unit_test(test_first_last),      cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_distinct_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
