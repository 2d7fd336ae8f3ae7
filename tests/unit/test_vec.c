/* test_vec.c: the foundations under every operator: arenas, the hash map, hashing, chunks and
 * the row/key encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/hash.h"
#include "base/hmap.h"
#include "base/mem.h"
#include "base/strbuf.h"
#include "vec/chunk.h"
#include "vec/rowcodec.h"
#include "vec/value.h"

#include <stdio.h>
#include <string.h>

static void test_arena(void **state)
{
	Arena a;
	arena_init(&a, 1024);
	char *p = arena_alloc(&a, 10);
	assert_int_equal((uintptr_t)p % ARENA_ALIGN, 0);
	memset(p, 'x', 10);
	/* A request larger than a block gets a block of its own. */
	char *big = arena_alloc(&a, 100000);
	memset(big, 1, 100000);
	char *q = arena_strdup(&a, "hello");
	assert_string_equal(q, "hello");
	assert_string_equal(arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	arena_reset(&a);
	assert_int_equal(a.used_total, 0);
	char *r = arena_calloc(&a, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(r[i], 0);
	Arena b;
	arena_init(&b, 1024);
	char *kept = arena_strdup(&b, "survives");
	arena_adopt(&a, &b);
	arena_deinit(&b);
	assert_string_equal(kept, "survives");
	arena_deinit(&a);
}

static void test_strbuf(void **state)
{
	StrBuf sb;
	sb_init(&sb);
	for (int i = 0; i < 1000; i++)
		sb_printf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.data));
	assert_memory_equal(sb.data, "0,1,2,", 6);
	sb_reset(&sb);
	sb_append(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 3);
	char *s = sb_take(&sb);
	assert_null(sb.data);
	mem_free(s);
}

static void test_hash(void **state)
{
	assert_int_equal(hash_bytes("abc", 3), hash_bytes("abc", 3));
	assert_int_not_equal(hash_bytes("abc", 3), hash_bytes("abd", 3));
	assert_int_not_equal(hash_u64(1), hash_u64(2));
	/* The mixer spreads consecutive keys over the low bits a table uses. */
	int buckets[16] = {0};
	for (uint64_t i = 0; i < 1600; i++)
		buckets[hash_u64(i) & 15]++;
	for (int i = 0; i < 16; i++)
		assert_in_range(buckets[i], 60, 140);
}

static void test_hmap(void **state)
{
	HMap m;
	hmap_init(&m, sizeof(int64_t));
	char key[32];
	/* Values keep their address while the table grows. */
	int64_t *first = NULL;
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);
		bool found;
		int64_t *v = hmap_upsert(&m, key, (size_t)n, hash_bytes(key, (size_t)n), &found);
		assert_false(found);
		assert_int_equal(*v, 0);
		*v = i;
		if (i == 0)
			first = v;
	}
	assert_int_equal(hmap_count(&m), 5000);
	assert_ptr_equal(hmap_find(&m, "k0", 2, hash_bytes("k0", 2)), first);
	/* Remove every other key; the rest stay findable (backward-shift deletion). */
	for (int i = 0; i < 5000; i += 2) {
		int n = snprintf(key, sizeof key, "k%d", i);
		assert_true(hmap_remove(&m, key, (size_t)n, hash_bytes(key, (size_t)n)));
	}
	assert_false(hmap_remove(&m, "k0", 2, hash_bytes("k0", 2)));
	for (int i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "k%d", i);
		int64_t *v = hmap_find(&m, key, (size_t)n, hash_bytes(key, (size_t)n));
		if (i % 2) {
			assert_non_null(v);
			assert_int_equal(*v, i);
			size_t klen;
			const char *k = hmap_key(&m, v, &klen);
			assert_memory_equal(k, key, klen);
		} else {
			assert_null(v);
		}
	}
	size_t it = 0, seen = 0;
	while (hmap_next(&m, &it))
		seen++;
	assert_int_equal(seen, 2500);
	int64_t *v = hmap_find(&m, "k1", 2, hash_bytes("k1", 2));
	hmap_remove_value(&m, v);
	assert_int_equal(hmap_count(&m), 2499);
	hmap_deinit(&m);
}

static void test_chunk(void **state)
{
	TypeId types[3] = {T_INT8, T_VARCHAR, T_NUMERIC};
	Chunk *c = chunk_new(types, 3);
	for (int r = 0; r < CHUNK_CAP; r++) {
		VEC_DATA(&c->cols[0], int64_t)[r] = r;
		c->cols[0].nulls[r] = 0;
		char buf[16];
		int n = snprintf(buf, sizeof buf, "s%d", r);
		VEC_DATA(&c->cols[1], Str)[r] = chunk_str(c, buf, (size_t)n);
		c->cols[1].nulls[r] = r % 10 == 0;
		Numeric num = {.m = r * 25, .scale = 2};
		VEC_DATA(&c->cols[2], Numeric)[r] = num;
		c->cols[2].nulls[r] = 0;
		c->ops[r] = r % 2 ? OP_DELETE : OP_INSERT;
	}
	c->nrows = CHUNK_CAP;
	assert_true(chunk_full(c));
	Chunk *d = chunk_new(types, 3);
	chunk_append_row(d, c, 7, OP_UPDATE_INSERT);
	chunk_append_row(d, c, 10, OP_UPDATE_DELETE);
	/* Copied strings live in d's arena: resetting c does not disturb d. */
	chunk_reset(c);
	assert_int_equal(c->nrows, 0);
	StrBuf sb;
	sb_init(&sb);
	chunk_print(d, &sb);
	assert_string_equal(sb.data, "U+ 7,s7,1.75\nU- 10,NULL,2.50\n");
	sb_deinit(&sb);
	assert_int_equal(op_sign(OP_UPDATE_INSERT), 1);
	assert_int_equal(op_sign(OP_UPDATE_DELETE), -1);
	chunk_free(c);
	chunk_free(d);
}

/* chunk_append_sel gathers rows by index, a column at a time, with their ops; strings land in
 * the destination's arena; a destination can be filled by several calls. */
static void test_chunk_append_sel(void **state)
{
	TypeId types[4] = {T_INT4, T_VARCHAR, T_NUMERIC, T_BOOL};
	Chunk *c = chunk_new(types, 4);
	for (int r = 0; r < 8; r++) {
		VEC_DATA(&c->cols[0], int32_t)[r] = r * 10;
		c->cols[0].nulls[r] = r == 5;
		char buf[16];
		int n = snprintf(buf, sizeof buf, r == 3 ? "" : "str%d", r);
		VEC_DATA(&c->cols[1], Str)[r] = chunk_str(c, buf, (size_t)n);
		c->cols[1].nulls[r] = r == 6;
		Numeric num = {.m = r * 5, .scale = 1};
		VEC_DATA(&c->cols[2], Numeric)[r] = num;
		c->cols[2].nulls[r] = 0;
		VEC_DATA(&c->cols[3], uint8_t)[r] = r % 2;
		c->cols[3].nulls[r] = 0;
		c->ops[r] = r % 3 == 0 ? OP_DELETE : OP_INSERT;
	}
	c->nrows = 8;
	Chunk *d = chunk_new(types, 4);
	const uint16_t sel1[3] = {6, 3, 0};
	const uint16_t sel2[2] = {5, 7};
	chunk_append_sel(d, c, sel1, 3);
	chunk_append_sel(d, c, sel2, 2);
	chunk_append_sel(d, c, sel2, 0);
	assert_int_equal(d->nrows, 5);
	chunk_reset(c);
	StrBuf sb;
	sb_init(&sb);
	chunk_print(d, &sb);
	assert_string_equal(sb.data, "- 60,NULL,3.0,f\n- 30,,1.5,t\n- 0,str0,0.0,f\n"
				     "+ NULL,str5,2.5,t\n+ 70,str7,3.5,t\n");
	sb_deinit(&sb);
	chunk_free(c);
	chunk_free(d);
}

static void test_rowcodec(void **state)
{
	TypeId types[5] = {T_INT4, T_VARCHAR, T_NUMERIC, T_FLOAT8, T_INTERVAL};
	Chunk *c = chunk_new(types, 5);
	Value vals[5] = {value_int(T_INT4, -5), value_null(T_VARCHAR), {.type = T_NUMERIC},
			 {.type = T_FLOAT8}, {.type = T_INTERVAL}};
	vals[2].u.n.m = 150;
	vals[2].u.n.scale = 2; /* 1.50 */
	vals[3].u.f = -0.0;
	vals[4].u.iv.months = 1;
	vals[4].u.iv.days = 2;
	vals[4].u.iv.us = 3;
	for (int i = 0; i < 5; i++)
		vec_set_value(&c->cols[i], 0, &vals[i], &c->arena);
	Value s = {.type = T_VARCHAR};
	s.u.s.p = "héllo";
	s.u.s.len = (uint32_t)strlen("héllo");
	vec_set_value(&c->cols[1], 1, &s, &c->arena);
	for (int i = 0; i < 5; i++)
		if (i != 1)
			vec_set_value(&c->cols[i], 1, &vals[i], &c->arena);
	c->nrows = 2;
	StrBuf a, b;
	sb_init(&a);
	sb_init(&b);
	row_encode(c, NULL, 5, 0, ROWCODEC_EXACT, &a);
	Chunk *d = chunk_new(types, 5);
	size_t used = row_decode(a.data, a.len, d, NULL, 5, 0);
	assert_int_equal(used, a.len);
	d->nrows = 1;
	row_encode(d, NULL, 5, 0, ROWCODEC_EXACT, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	Value got;
	vec_get_value(&d->cols[2], 0, &got);
	assert_true(got.u.n.m == 150 && got.u.n.scale == 2);
	assert_true(d->cols[1].nulls[0]);
	/* Rows differing only in the string encode differently. */
	sb_reset(&b);
	row_encode(c, NULL, 5, 1, ROWCODEC_EXACT, &b);
	assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	/* Normalized keys: 1.50 = 1.5 and -0.0 = 0.0. */
	int cols[2] = {2, 3};
	sb_reset(&a);
	row_encode(c, cols, 2, 0, ROWCODEC_NORMALIZE, &a);
	Value n15 = {.type = T_NUMERIC}, zero = {.type = T_FLOAT8};
	n15.u.n.m = 15;
	n15.u.n.scale = 1;
	zero.u.f = 0.0;
	sb_reset(&b);
	row_encode_value(&n15, ROWCODEC_NORMALIZE, &b);
	row_encode_value(&zero, ROWCODEC_NORMALIZE, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	sb_deinit(&a);
	sb_deinit(&b);
	chunk_free(c);
	chunk_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena),   cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_hash),    cmocka_unit_test(test_hmap),
		cmocka_unit_test(test_chunk),
		cmocka_unit_test(test_chunk_append_sel),
		cmocka_unit_test(test_rowcodec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
