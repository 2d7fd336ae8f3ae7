/* mview.h: the stored rows of a materialized view (a multiset) and of a table (keyed rows).
 *
 * Layer: stream. An MvStore applies a changelog to a multiset of rows: an insert adds one copy of
 * its row, a delete removes one (deleting a row that is not there is a bug upstream and is
 * counted, never ignored silently). A keyed store (npk > 0) keeps one row per key and is what a
 * TABLE with a PRIMARY KEY holds. Reading a store produces chunks of inserts.
 *
 * Checkpoints save a store as one entry per distinct row (per key when keyed) through a
 * StateWriter, and after the first one only the entries that changed since the previous one.
 */
#ifndef EDDY_STREAM_MVIEW_H
#define EDDY_STREAM_MVIEW_H

#include "base/err.h"
#include "base/hmap.h"
#include "base/strbuf.h"
#include "stream/dataflow.h"
#include "vec/chunk.h"

typedef struct MvStore {
	int ncols;
	TypeId *types;
	int npk;            /* > 0: rows keyed by these columns */
	int *pk;
	HMap rows;          /* key encoding -> MvRow */
	uint64_t nrows;     /* total rows (counting duplicates) */
	uint64_t anomalies; /* deletes of rows that were not present */
	StrBuf key;         /* scratch */
	StrBuf row;         /* scratch */
	/* Checkpoint change tracking, on from the first checkpoint or restore (mview.c). */
	bool ck_on;
	struct MvRow **ck_changed; /* rows changed since the last checkpoint */
	size_t ck_n, ck_cap;
	StrBuf ck_gone;     /* keys of checkpointed rows removed since: u32 length + bytes */
} MvStore;

MvStore *mvstore_new(const TypeId *types, int ncols, const int *pk, int npk);
void mvstore_free(MvStore *s);

/* Applies a changelog chunk. */
void mvstore_apply(MvStore *s, const Chunk *c);

/* Keyed stores: the row stored under the key columns of row `row` of c (as laid out in the
 * store's columns), decoded into row `drow` of dst; returns false when absent. */
bool mvstore_lookup(MvStore *s, const Chunk *c, int row, Chunk *dst, int drow);

/* Calls emit with chunks of all stored rows as inserts (a multiset row appears as many times as
 * it is stored). Stops and returns -1 if emit fails. */
int mvstore_scan(MvStore *s, int (*emit)(void *arg, const Chunk *c, Err *e), void *arg, Err *e);

size_t mvstore_bytes(const MvStore *s);

/* Writes the store's rows into a checkpoint: with `full`, every row (the checkpoint store
 * holds nothing of this store); otherwise only the rows changed since the last checkpoint or
 * restore (puts) and the ones gone since (dels), so the checkpoint store again equals a full
 * checkpoint. Entries: key = the row's map key (multiset: the exact row encoding; keyed: the
 * normalized key columns), value = i64 copies of the row, then for a keyed store its exact
 * encoding. Before the first checkpoint or restore every checkpoint is full (the store holds
 * nothing of a store never checkpointed nor restored, nor of one restored from no entries). */
int mvstore_checkpoint(MvStore *s, StateWriter *w, bool full, Err *e);
/* Loads one entry written by mvstore_checkpoint into a store created empty with the same
 * columns (in any order, each key once). An entry that does not decode fails with XX001. */
int mvstore_restore(MvStore *s, const void *key, size_t klen, const void *val, size_t vlen,
		    Err *e);

#endif
