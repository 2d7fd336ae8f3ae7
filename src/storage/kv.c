/* kv.c: the embedded key/value store over LMDB (see kv.h).
 *
 * Layer: storage. Owns the LMDB environment and its one unnamed database. The map size is a
 * reservation of address space, not of disk: LMDB grows data.mdb as pages are used, so it is
 * set large (KV_MAP_BYTES) once. MDB_NOTLS lets a transaction be used from whichever thread
 * holds the engine's lock. Commits use LMDB's default durability (fsync of data and meta
 * page), which is what makes a checkpoint a checkpoint.
 */
#include "storage/kv.h"

#include "base/mem.h"

#include <errno.h>
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>

#define KV_MAP_BYTES ((size_t)64 << 30)

struct Kv {
	MDB_env *env;
	MDB_dbi dbi;
	char *path;
};

struct KvTxn {
	Kv *kv;
	MDB_txn *txn;
};

static int lmdb_err(const Kv *kv, int rc, const char *what, Err *e)
{
	int code = rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH
			   ? ERR_DATA_CORRUPTED
			   : ERR_IO;
	return err_set(e, code, "state store \"%s\": %s: %s", kv->path, what, mdb_strerror(rc));
}

int kv_open(const char *dir, Kv **out, Err *e)
{
	*out = NULL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "could not create directory \"%s\": %s", dir,
			       strerror(errno));
	Kv *kv = mem_calloc(1, sizeof *kv);
	kv->path = mem_strdup(dir);
	int rc = mdb_env_create(&kv->env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(kv->env, KV_MAP_BYTES);
	if (rc == 0)
		rc = mdb_env_open(kv->env, dir, MDB_NOTLS, 0644);
	MDB_txn *txn = NULL;
	if (rc == 0)
		rc = mdb_txn_begin(kv->env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, NULL, 0, &kv->dbi);
	if (rc == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (rc != 0) {
		if (txn)
			mdb_txn_abort(txn);
		lmdb_err(kv, rc, "open", e);
		kv_close(kv);
		return -1;
	}
	*out = kv;
	return 0;
}

void kv_close(Kv *kv)
{
	if (!kv)
		return;
	if (kv->env)
		mdb_env_close(kv->env);
	mem_free(kv->path);
	mem_free(kv);
}

int kv_begin(Kv *kv, bool write, KvTxn **out, Err *e)
{
	*out = NULL;
	MDB_txn *txn;
	int rc = mdb_txn_begin(kv->env, NULL, write ? 0 : MDB_RDONLY, &txn);
	if (rc != 0)
		return lmdb_err(kv, rc, "begin", e);
	KvTxn *t = mem_calloc(1, sizeof *t);
	t->kv = kv;
	t->txn = txn;
	*out = t;
	return 0;
}

int kv_commit(KvTxn *t, Err *e)
{
	int rc = mdb_txn_commit(t->txn);
	Kv *kv = t->kv;
	mem_free(t);
	return rc == 0 ? 0 : lmdb_err(kv, rc, "commit", e);
}

void kv_abort(KvTxn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	mem_free(t);
}

static MDB_val val_of(const void *p, size_t n)
{
	return (MDB_val){.mv_size = n, .mv_data = (void *)p};
}

int kv_put(KvTxn *t, const void *key, size_t klen, const void *val, size_t vlen, Err *e)
{
	MDB_val k = val_of(key, klen), v = val_of(val, vlen);
	int rc = mdb_put(t->txn, t->kv->dbi, &k, &v, 0);
	return rc == 0 ? 0 : lmdb_err(t->kv, rc, "put", e);
}

int kv_del(KvTxn *t, const void *key, size_t klen, Err *e)
{
	MDB_val k = val_of(key, klen);
	int rc = mdb_del(t->txn, t->kv->dbi, &k, NULL);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : lmdb_err(t->kv, rc, "delete", e);
}

int kv_get(KvTxn *t, const void *key, size_t klen, const void **val, size_t *vlen, Err *e)
{
	MDB_val k = val_of(key, klen), v;
	int rc = mdb_get(t->txn, t->kv->dbi, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return lmdb_err(t->kv, rc, "get", e);
	*val = v.mv_data;
	*vlen = v.mv_size;
	return 1;
}

/* Walks the keys starting with prefix; with `del`, deletes each instead of calling fn. */
static int walk(KvTxn *t, const void *prefix, size_t plen, bool del, KvScanFn fn, void *arg,
		Err *e)
{
	MDB_cursor *cur;
	int rc = mdb_cursor_open(t->txn, t->kv->dbi, &cur);
	if (rc != 0)
		return lmdb_err(t->kv, rc, "cursor", e);
	MDB_val k = val_of(prefix, plen), v;
	int ret = 0;
	rc = mdb_cursor_get(cur, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
	while (rc == 0 && k.mv_size >= plen && memcmp(k.mv_data, prefix, plen) == 0) {
		if (del) {
			rc = mdb_cursor_del(cur, 0);
			if (rc != 0)
				break;
			rc = mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT);
			if (rc == EINVAL || rc == MDB_NOTFOUND) /* deleted the last key */
				break;
			if (rc != 0)
				break;
			continue;
		}
		if (fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size, e) < 0) {
			ret = -1;
			break;
		}
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	if (ret == 0 && rc != 0 && rc != MDB_NOTFOUND && rc != EINVAL)
		ret = lmdb_err(t->kv, rc, del ? "delete" : "scan", e);
	return ret;
}

int kv_del_prefix(KvTxn *t, const void *prefix, size_t plen, Err *e)
{
	return walk(t, prefix, plen, true, NULL, NULL, e);
}

int kv_scan_prefix(KvTxn *t, const void *prefix, size_t plen, KvScanFn fn, void *arg, Err *e)
{
	return walk(t, prefix, plen, false, fn, arg, e);
}

int kv_copy(const char *dir, int fd, Err *e)
{
	Kv tmp = {.path = (char *)dir};
	MDB_env *env;
	int rc = mdb_env_create(&env);
	if (rc != 0)
		return lmdb_err(&tmp, rc, "copy", e);
	rc = mdb_env_set_mapsize(env, KV_MAP_BYTES);
	if (rc == 0)
		rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0644);
	if (rc == 0)
		rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
	mdb_env_close(env);
	return rc == 0 ? 0 : lmdb_err(&tmp, rc, "copy", e);
}

size_t kv_file_bytes(Kv *kv)
{
	MDB_envinfo info;
	MDB_stat st;
	if (mdb_env_info(kv->env, &info) != 0 || mdb_env_stat(kv->env, &st) != 0)
		return 0;
	return (size_t)(info.me_last_pgno + 1) * st.ms_psize;
}
