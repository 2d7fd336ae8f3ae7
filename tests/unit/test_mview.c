/* test_mview.c: unit tests of MvStore, the stored rows of views (multisets) and tables (keyed).
 *
 * Changelog chunks are built by hand; the store's content is read back with mvstore_scan and
 * compared as sorted text rows. Covers duplicates, update pairs, deletes of absent rows
 * (anomalies), keyed upserts and lookups, scans longer than one chunk, and the byte count.
 * Checkpoints: random changes with a checkpoint cycle after each batch (incremental equals
 * full, a store restored from it holds the same rows and checkpoints the same), the entries an
 * incremental checkpoint writes after one change among 10,000 rows, and damaged entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "stream/mview.h"
#include "vec/value.h"
#include "ckpt_harness.h"

static const TypeId TYPES[3] = { T_INT4, T_VARCHAR, T_NUMERIC };

/* "+ 1,abc,1.50; - 2,NULL,0": one row per ';', op then values. */
static Chunk *mk_chunk(const char *spec)
{
	Chunk *c = chunk_new(TYPES, 3);
	const char *p = spec;
	Err e;
	err_clear(&e);
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		int r = c->nrows++;
		Op op = OP_INSERT;
		if (strncmp(p, "U-", 2) == 0)
			op = OP_UPDATE_DELETE;
		else if (strncmp(p, "U+", 2) == 0)
			op = OP_UPDATE_INSERT;
		else if (*p == '-')
			op = OP_DELETE;
		c->ops[r] = (uint8_t)op;
		p = strchr(p, ' ') + 1;
		for (int i = 0; i < 3; i++) {
			size_t n = strcspn(p, ",;");
			if (n == 4 && strncmp(p, "NULL", 4) == 0) {
				c->cols[i].nulls[r] = 1;
			} else {
				Value v;
				assert_int_equal(value_parse(TYPES[i], p, n, &v, &c->arena, &e), 0);
				vec_set_value(&c->cols[i], r, &v, &c->arena);
			}
			p += n;
			if (*p == ',')
				p++;
		}
	}
	return c;
}

static void apply(MvStore *s, const char *spec)
{
	Chunk *c = mk_chunk(spec);
	mvstore_apply(s, c);
	chunk_free(c);
}

typedef struct Lines {
	StrBuf text;
	int chunks;
} Lines;

static int collect(void *arg, const Chunk *c, Err *e)
{
	Lines *l = arg;
	l->chunks++;
	for (int r = 0; r < c->nrows; r++)
		assert_int_equal(c->ops[r], OP_INSERT);
	chunk_print(c, &l->text);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The store's rows as sorted text lines; the caller frees the result. */
static char *content(MvStore *s, int *chunks)
{
	Lines l = { { 0 }, 0 };
	sb_init(&l.text);
	Err e;
	err_clear(&e);
	assert_int_equal(mvstore_scan(s, collect, &l, &e), 0);
	if (chunks)
		*chunks = l.chunks;
	char *text = l.text.data ? l.text.data : "";
	size_t n = 0;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	char **lines = mem_calloc(n + 1, sizeof *lines);
	size_t k = 0;
	for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
		lines[k++] = p;
	qsort(lines, k, sizeof *lines, cmp_line);
	StrBuf out;
	sb_init(&out);
	sb_puts(&out, "");
	for (size_t i = 0; i < k; i++) {
		sb_puts(&out, lines[i]);
		sb_putc(&out, '\n');
	}
	mem_free(lines);
	sb_deinit(&l.text);
	return sb_take(&out);
}

static void assert_content(MvStore *s, const char *want)
{
	char *got = content(s, NULL);
	assert_string_equal(got, want);
	mem_free(got);
}

static void test_multiset(void **state)
{
	MvStore *s = mvstore_new(TYPES, 3, NULL, 0);
	assert_content(s, "");
	size_t empty = mvstore_bytes(s);
	apply(s, "+ 1,a,1.50; + 1,a,1.50; + 2,NULL,NULL; + 3,c,2");
	assert_int_equal(s->nrows, 4);
	assert_content(s, "+ 1,a,1.50\n+ 1,a,1.50\n+ 2,NULL,NULL\n+ 3,c,2\n");
	assert_true(mvstore_bytes(s) > empty);
	/* Stored rows keep their exact value: 1.5 is not the row 1.50. */
	apply(s, "- 1,a,1.5");
	assert_int_equal(s->anomalies, 1);
	apply(s, "- 1,a,1.50; U- 3,c,2; U+ 3,c,4");
	assert_int_equal(s->nrows, 3);
	assert_content(s, "+ 1,a,1.50\n+ 2,NULL,NULL\n+ 3,c,4\n");
	apply(s, "- 1,a,1.50; - 1,a,1.50; - 2,NULL,NULL; U- 9,z,9");
	assert_int_equal(s->anomalies, 3);
	assert_int_equal(s->nrows, 1);
	assert_content(s, "+ 3,c,4\n");
	apply(s, "- 3,c,4");
	assert_int_equal(s->nrows, 0);
	assert_int_equal(hmap_count(&s->rows), 0);
	mvstore_free(s);
}

static void test_keyed(void **state)
{
	int pk[1] = { 0 };
	MvStore *s = mvstore_new(TYPES, 3, pk, 1);
	apply(s, "+ 1,a,1; + 2,b,2; + 3,NULL,NULL");
	assert_int_equal(s->nrows, 3);
	assert_content(s, "+ 1,a,1\n+ 2,b,2\n+ 3,NULL,NULL\n");
	/* An update pair replaces the row under its key. */
	apply(s, "U- 2,b,2; U+ 2,bb,22");
	assert_content(s, "+ 1,a,1\n+ 2,bb,22\n+ 3,NULL,NULL\n");
	/* Lookup by key: the row comes back whole. */
	Chunk *probe = mk_chunk("+ 2,NULL,NULL; + 7,NULL,NULL");
	Chunk *dst = chunk_new(TYPES, 3);
	assert_true(mvstore_lookup(s, probe, 0, dst, 0));
	dst->nrows = 1;
	dst->ops[0] = OP_INSERT;
	StrBuf sb;
	sb_init(&sb);
	chunk_print(dst, &sb);
	assert_string_equal(sb.data, "+ 2,bb,22\n");
	assert_false(mvstore_lookup(s, probe, 1, dst, 0));
	/* Delete by key, whatever the other columns say; absent keys are anomalies. */
	apply(s, "- 1,x,0; - 7,q,0");
	assert_int_equal(s->anomalies, 1);
	/* An insert over a live key is an anomaly too; the newer row wins. */
	apply(s, "+ 3,new,3");
	assert_int_equal(s->anomalies, 2);
	assert_int_equal(s->nrows, 2);
	assert_content(s, "+ 2,bb,22\n+ 3,new,3\n");
	assert_true(mvstore_bytes(s) > sizeof *s);
	sb_deinit(&sb);
	chunk_free(probe);
	chunk_free(dst);
	mvstore_free(s);
}

static int fail_emit(void *arg, const Chunk *c, Err *e)
{
	return err_set(e, ERR_INTERNAL, "stop");
}

static void test_scan_many(void **state)
{
	MvStore *s = mvstore_new(TYPES, 3, NULL, 0);
	Chunk *c = chunk_new(TYPES, 3);
	/* 1500 distinct rows and one row stored 700 times: the scan spans chunks. */
	for (int i = 0; i < 2200; i++) {
		int r = c->nrows++;
		Value k = value_int(T_INT4, i < 1500 ? i : -1);
		vec_set_value(&c->cols[0], r, &k, NULL);
		c->cols[1].nulls[r] = 1;
		c->cols[2].nulls[r] = 1;
		c->ops[r] = OP_INSERT;
		if (chunk_full(c)) {
			mvstore_apply(s, c);
			chunk_reset(c);
		}
	}
	mvstore_apply(s, c);
	chunk_free(c);
	assert_int_equal(s->nrows, 2200);
	int chunks = 0;
	char *text = content(s, &chunks);
	assert_int_equal(chunks, 3);
	size_t lines = 0, dup = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	for (char *p = strstr(text, "+ -1,"); p; p = strstr(p + 1, "+ -1,"))
		dup++;
	assert_int_equal(lines, 2200);
	assert_int_equal(dup, 700);
	mem_free(text);
	Err e;
	err_clear(&e);
	assert_int_equal(mvstore_scan(s, fail_emit, NULL, &e), -1);
	assert_string_equal(e.msg, "stop");
	mvstore_free(s);
}

/* ---- checkpoints */

static uint64_t rnd_state;

static int rnd(int n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (int)(rnd_state % (uint64_t)n);
}

/* The live rows of a test ("k,name,num"), to delete and update existing ones. */
typedef struct Live {
	char rows[64][32];
	int n;
} Live;

static void rand_row(char *out, int k)
{
	static const char *const names[] = {"a", "bb", "NULL"};
	static const char *const nums[] = {"1.5", "1.50", "2", "NULL"};
	snprintf(out, 32, "%d,%s,%s", k, names[rnd(3)], nums[rnd(4)]);
}

/* Random changes: inserts, deletes and updates of live rows (keyed: keys stay unique). */
static void rand_changes(MvStore *s, Live *l, int n)
{
	StrBuf spec;
	sb_init(&spec);
	for (int i = 0; i < n; i++) {
		int dice = rnd(10), j = l->n ? rnd(l->n) : 0;
		char row[32];
		if (l->n == 0 || (dice < 5 && l->n < 64)) {
			int k = rnd(12);
			bool live = false;
			for (int x = 0; s->npk && x < l->n; x++)
				live |= atoi(l->rows[x]) == k;
			if (live)
				continue;
			rand_row(row, k);
			sb_printf(&spec, "+ %s;", row);
			memcpy(l->rows[l->n++], row, 32);
		} else if (dice < 8) {
			sb_printf(&spec, "- %s;", l->rows[j]);
			memcpy(l->rows[j], l->rows[--l->n], 32);
		} else {
			rand_row(row, atoi(l->rows[j]));
			sb_printf(&spec, "U- %s; U+ %s;", l->rows[j], row);
			memcpy(l->rows[j], row, 32);
		}
	}
	apply(s, spec.data ? spec.data : "");
	sb_deinit(&spec);
}

static MvStore *restored(const CkStore *ck, const int *pk, int npk)
{
	Err e;
	err_clear(&e);
	MvStore *r = mvstore_new(TYPES, 3, pk, npk);
	for (size_t i = 0; i < ck->n; i++)
		assert_int_equal(mvstore_restore(r, ck->ents[i].key, ck->ents[i].klen,
						 ck->ents[i].val, ck->ents[i].vlen, &e),
				 0);
	return r;
}

/* The MvStore counterpart of ck_cycle: an incremental checkpoint into ck equals a full one; a
 * store restored from ck holds the same rows and checkpoints to ck again; the test goes on
 * with the restored store or (to test tracking across checkpoints) the same one. */
static void mv_cycle(MvStore **s, CkStore *ck, bool *full)
{
	Err e;
	err_clear(&e);
	assert_int_equal(mvstore_checkpoint(*s, &ck->w, *full, &e), 0);
	*full = false;
	CkStore all, again;
	ck_init(&all);
	assert_int_equal(mvstore_checkpoint(*s, &all.w, true, &e), 0);
	ck_assert_equal(ck, &all, "mview");
	MvStore *r = restored(ck, (*s)->pk, (*s)->npk);
	char *want = content(*s, NULL), *got = content(r, NULL);
	assert_string_equal(got, want);
	assert_int_equal(r->nrows, (*s)->nrows);
	ck_init(&again);
	assert_int_equal(mvstore_checkpoint(r, &again.w, true, &e), 0);
	ck_assert_equal(ck, &again, "mview restored");
	if (rnd(2)) {
		mvstore_free(*s);
		*s = r;
	} else {
		mvstore_free(r);
	}
	mem_free(want);
	mem_free(got);
	ck_deinit(&all);
	ck_deinit(&again);
}

static void test_checkpoint_random(void **state)
{
	int pk[1] = {0};
	int cycles = 0;
	for (int keyed = 0; keyed < 2; keyed++) {
		for (uint64_t seed = 1; seed <= 20; seed++) {
			rnd_state = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)keyed;
			MvStore *s = mvstore_new(TYPES, 3, pk, keyed);
			Live l = {.n = 0};
			CkStore ck;
			ck_init(&ck);
			bool full = true;
			for (int step = 0; step < 30; step++) {
				rand_changes(s, &l, 1 + rnd(rnd(4) ? 6 : 40));
				if (rnd(3)) {
					mv_cycle(&s, &ck, &full);
					cycles++;
				}
			}
			assert_int_equal(s->anomalies, 0);
			ck_deinit(&ck);
			mvstore_free(s);
		}
	}
	assert_true(cycles > 500);
}

/* Rows k = 0..n-1 with NULL name and num, or one row with `op`. */
static void apply_keys(MvStore *s, int from, int to, Op op)
{
	Chunk *c = chunk_new(TYPES, 3);
	for (int i = from; i < to; i++) {
		int r = c->nrows++;
		Value k = value_int(T_INT4, i);
		vec_set_value(&c->cols[0], r, &k, NULL);
		c->cols[1].nulls[r] = 1;
		c->cols[2].nulls[r] = 1;
		c->ops[r] = (uint8_t)op;
		if (chunk_full(c)) {
			mvstore_apply(s, c);
			chunk_reset(c);
		}
	}
	mvstore_apply(s, c);
	chunk_free(c);
}

/* An incremental checkpoint of s into ck writes `puts` and `dels`, leaving n entries. */
static void mv_expect_writes(MvStore *s, CkStore *ck, uint64_t puts, uint64_t dels, size_t n)
{
	Err e;
	err_clear(&e);
	ck->puts = ck->dels = 0;
	assert_int_equal(mvstore_checkpoint(s, &ck->w, false, &e), 0);
	assert_int_equal(ck->puts, puts);
	assert_int_equal(ck->dels, dels);
	assert_int_equal(ck->n, n);
}

/* One changed row of 10,000 is one entry written. */
static void test_checkpoint_one_row(void **state)
{
	int pk[1] = {0};
	Err e;
	err_clear(&e);
	for (int keyed = 0; keyed < 2; keyed++) {
		MvStore *s = mvstore_new(TYPES, 3, pk, keyed);
		apply_keys(s, 0, 10000, OP_INSERT);
		CkStore ck;
		ck_init(&ck);
		assert_int_equal(mvstore_checkpoint(s, &ck.w, true, &e), 0);
		assert_int_equal(ck.n, 10000);
		/* Multiset: a second copy of row 5; keyed: row 5 replaced. */
		if (keyed)
			apply(s, "U- 5,NULL,NULL; U+ 5,five,5");
		else
			apply_keys(s, 5, 6, OP_INSERT);
		mv_expect_writes(s, &ck, 1, 0, 10000);
		/* A row deleted: one del; a row deleted and inserted again: one put. */
		apply_keys(s, 7, 8, OP_DELETE);
		apply_keys(s, 9, 10, OP_DELETE);
		apply_keys(s, 9, 10, OP_INSERT);
		mv_expect_writes(s, &ck, 1, 1, 9999);
		/* Nothing changed: nothing written. */
		mv_expect_writes(s, &ck, 0, 0, 9999);
		ck_deinit(&ck);
		mvstore_free(s);
	}
}

/* Damaged entries fail with XX001 and leave the store as it was. */
static void test_checkpoint_corrupt(void **state)
{
	int pk[1] = {0};
	for (int keyed = 0; keyed < 2; keyed++) {
		MvStore *s = mvstore_new(TYPES, 3, pk, keyed);
		apply(s, "+ 1,abc,1.5");
		CkStore ck;
		ck_init(&ck);
		Err e;
		err_clear(&e);
		assert_int_equal(mvstore_checkpoint(s, &ck.w, true, &e), 0);
		assert_int_equal(ck.n, 1);
		const CkEntry *x = &ck.ents[0];
		char val[128];
		memcpy(val, x->val, x->vlen);
		int64_t two = 2, zero = 0;
		memcpy(val, keyed ? &two : &zero, 8);
		MvStore *r = mvstore_new(TYPES, 3, pk, keyed);
		struct {
			size_t klen, vlen;
			const char *val;
		} bad[] = {
			{x->klen - 1, x->vlen, x->val}, /* a truncated key */
			{x->klen, 5, x->val},           /* a short value */
			{x->klen, x->vlen, val},        /* a count of 0 (keyed: of 2) */
			{x->klen, keyed ? x->vlen - 1 : x->vlen + 1, x->val}, /* a bad row, a tail */
		};
		char longer[128];
		memcpy(longer, x->val, x->vlen);
		longer[x->vlen] = 1;
		bad[3].val = keyed ? x->val : longer;
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			assert_int_equal(mvstore_restore(r, x->key, bad[i].klen, bad[i].val,
							 bad[i].vlen, &e),
					 -1);
			assert_string_equal(err_sqlstate(e.code), "XX001");
			err_clear(&e);
		}
		assert_int_equal(r->nrows, 0);
		assert_int_equal(mvstore_restore(r, x->key, x->klen, x->val, x->vlen, &e), 0);
		assert_int_equal(mvstore_restore(r, x->key, x->klen, x->val, x->vlen, &e), -1);
		assert_string_equal(e.msg, "checkpoint of a view's rows: a key appears twice");
		assert_content(r, "+ 1,abc,1.5\n");
		mvstore_free(r);
		ck_deinit(&ck);
		mvstore_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiset),
		cmocka_unit_test(test_keyed),
		cmocka_unit_test(test_scan_many),
		cmocka_unit_test(test_checkpoint_random),
		cmocka_unit_test(test_checkpoint_one_row),
		cmocka_unit_test(test_checkpoint_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
