/* kv.h: an embedded, crash-safe, ordered key/value store (LMDB underneath).
 *
 * Layer: storage (depends on base/ only; knows nothing of SQL). One store is one directory
 * holding LMDB's data.mdb and lock.mdb. Keys and values are byte strings; keys sort by memcmp,
 * the shorter first on a tie. Writes happen in one write transaction at a time, which commits
 * atomically and durably (fsync) or not at all: a crash leaves the store as of the last commit.
 * Readers see a snapshot. Errors are 58030 (ERR_IO) naming the store's path and LMDB's reason;
 * a store that does not open as LMDB data is XX001.
 */
#ifndef EDDY_STORAGE_KV_H
#define EDDY_STORAGE_KV_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct Kv Kv;
typedef struct KvTxn KvTxn;

/* Opens (creating) the store in directory `dir`. */
int kv_open(const char *dir, Kv **out, Err *e);
void kv_close(Kv *kv);

/* Begins a transaction: a write one (only one at a time) or a read-only snapshot. */
int kv_begin(Kv *kv, bool write, KvTxn **out, Err *e);
/* Commits (durably) and frees the transaction, also when the commit fails. */
int kv_commit(KvTxn *t, Err *e);
/* Discards the transaction's writes and frees it; t may be NULL. */
void kv_abort(KvTxn *t);

int kv_put(KvTxn *t, const void *key, size_t klen, const void *val, size_t vlen, Err *e);
/* Deletes key; a missing key is not an error. */
int kv_del(KvTxn *t, const void *key, size_t klen, Err *e);
/* Deletes every key starting with prefix. */
int kv_del_prefix(KvTxn *t, const void *prefix, size_t plen, Err *e);
/* Looks up key: 1 found (*val, *vlen valid until the transaction ends), 0 absent, -1 error. */
int kv_get(KvTxn *t, const void *key, size_t klen, const void **val, size_t *vlen, Err *e);

/* Calls fn for every key starting with prefix, in key order; fn returns 0 to go on, -1 (with e
 * set) to stop with an error. Keys and values are valid during the call only. */
typedef int (*KvScanFn)(void *arg, const void *key, size_t klen, const void *val, size_t vlen,
			Err *e);
int kv_scan_prefix(KvTxn *t, const void *prefix, size_t plen, KvScanFn fn, void *arg, Err *e);

/* Writes a consistent, compacted copy of the store in directory `dir` (possibly in use by a
 * writer in another process) to fd, as an LMDB data file. Must not run in a process that has
 * the same store open (LMDB's rule). */
int kv_copy(const char *dir, int fd, Err *e);

/* Bytes the store's data file occupies. */
size_t kv_file_bytes(Kv *kv);

#endif
