/* ckpt_harness.h: checking dataflow checkpoints in unit tests (header-only, test code only).
 *
 * A CkStore is an ordered key/value store in memory with the byte order LMDB uses (memcmp, the
 * shorter key first on a tie), written through a StateWriter. ck_cycle is the whole check of a
 * dataflow's checkpoints at one point of a test, between epochs:
 *   1. an incremental checkpoint into the test's store (a full one the first time), which must
 *      then equal a full checkpoint into a fresh store: incremental writes lose nothing and
 *      leave nothing stale;
 *   2. a new dataflow of the same plan is restored from the store, and a full checkpoint of it
 *      must equal the store again (restore loads everything that was saved);
 *   3. the new dataflow replaces the old one (same output), so the test goes on with it and
 *      its own checks (views equal recomputation) now cover the restored state.
 * Dataflows whose operators cannot be checkpointed are left alone (ck_cycle returns false).
 */
#ifndef EDDY_TESTS_CKPT_HARNESS_H
#define EDDY_TESTS_CKPT_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/mem.h"
#include "stream/dataflow.h"

typedef struct CkEntry {
	char *key, *val;
	size_t klen, vlen;
} CkEntry;

typedef struct CkStore {
	StateWriter w;
	CkEntry *ents;
	size_t n, cap;
	uint64_t puts, dels; /* writes received, for tests of incremental checkpoints */
} CkStore;

static inline int ck_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

/* The index of key, or of where it would go (*found false). */
static inline size_t ck_find(const CkStore *s, const void *key, size_t klen, bool *found)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = ck_cmp(s->ents[mid].key, s->ents[mid].klen, key, klen);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static inline char *ck_dup(const void *p, size_t n)
{
	char *d = mem_alloc(n + 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

static inline int ck_put(StateWriter *w, const void *key, size_t klen, const void *val,
			 size_t vlen, Err *e)
{
	CkStore *s = (CkStore *)w;
	bool found;
	size_t i = ck_find(s, key, klen, &found);
	s->puts++;
	if (found) {
		mem_free(s->ents[i].val);
	} else {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 64;
			s->ents = mem_realloc(s->ents, s->cap * sizeof *s->ents);
		}
		memmove(&s->ents[i + 1], &s->ents[i], (s->n - i) * sizeof *s->ents);
		s->n++;
		s->ents[i].key = ck_dup(key, klen);
		s->ents[i].klen = klen;
	}
	s->ents[i].val = ck_dup(val, vlen);
	s->ents[i].vlen = vlen;
	return 0;
}

static inline int ck_del(StateWriter *w, const void *key, size_t klen, Err *e)
{
	CkStore *s = (CkStore *)w;
	bool found;
	size_t i = ck_find(s, key, klen, &found);
	s->dels++;
	if (found) {
		mem_free(s->ents[i].key);
		mem_free(s->ents[i].val);
		memmove(&s->ents[i], &s->ents[i + 1], (s->n - i - 1) * sizeof *s->ents);
		s->n--;
	}
	return 0;
}

static inline void ck_init(CkStore *s)
{
	memset(s, 0, sizeof *s);
	s->w.put = ck_put;
	s->w.del = ck_del;
}

static inline void ck_deinit(CkStore *s)
{
	for (size_t i = 0; i < s->n; i++) {
		mem_free(s->ents[i].key);
		mem_free(s->ents[i].val);
	}
	mem_free(s->ents);
	memset(s, 0, sizeof *s);
}

/* Fails the test, naming the first entry where a and b differ. */
static inline void ck_assert_equal(const CkStore *a, const CkStore *b, const char *what)
{
	for (size_t i = 0; i < a->n || i < b->n; i++) {
		bool same = i < a->n && i < b->n &&
			    ck_cmp(a->ents[i].key, a->ents[i].klen, b->ents[i].key,
				   b->ents[i].klen) == 0 &&
			    a->ents[i].vlen == b->ents[i].vlen &&
			    memcmp(a->ents[i].val, b->ents[i].val, a->ents[i].vlen) == 0;
		if (!same) {
			const CkEntry *x = i < a->n ? &a->ents[i] : &b->ents[i];
			print_message("%s: checkpoint stores differ at entry %zu of %zu/%zu (key of "
				      "%zu bytes, first byte pair %02x%02x)\n",
				      what, i, a->n, b->n, x->klen,
				      x->klen > 0 ? (unsigned char)x->key[0] : 0,
				      x->klen > 1 ? (unsigned char)x->key[1] : 0);
			fail();
		}
	}
}

/* Builds a dataflow of plan and restores it from s. */
static inline Dataflow *ck_restore(const LogicalOp *plan, const CkStore *s, Err *e)
{
	Dataflow *df = dataflow_build(plan, DF_STREAMING, e);
	assert_non_null(df);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(dataflow_restore(df, s->ents[i].key, s->ents[i].klen,
						  s->ents[i].val, s->ents[i].vlen, e),
				 0);
	assert_int_equal(dataflow_restore_done(df, e), 0);
	return df;
}

/* The check described at the top; `*full` is true until the first checkpoint into s. Returns
 * false (and does nothing) when the dataflow cannot be checkpointed. */
static inline bool ck_cycle(Dataflow **df, const LogicalOp *plan, CkStore *s, bool *full,
			    DataflowOutputFn fn, void *arg, Err *e, const char *what)
{
	if (!dataflow_can_checkpoint(*df, NULL))
		return false;
	assert_int_equal(dataflow_checkpoint(*df, &s->w, *full, e), 0);
	*full = false;
	CkStore all;
	ck_init(&all);
	assert_int_equal(dataflow_checkpoint(*df, &all.w, true, e), 0);
	ck_assert_equal(s, &all, what);
	ck_deinit(&all);

	Dataflow *fresh = ck_restore(plan, s, e);
	CkStore again;
	ck_init(&again);
	assert_int_equal(dataflow_checkpoint(fresh, &again.w, true, e), 0);
	ck_assert_equal(s, &again, what);
	ck_deinit(&again);
	dataflow_set_output(fresh, fn, arg);
	dataflow_free(*df);
	*df = fresh;
	return true;
}

#endif
