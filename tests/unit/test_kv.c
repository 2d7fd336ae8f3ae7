/* test_kv.c: the embedded key/value store (storage/kv.h): put/get/delete, prefix scans and
 * deletes in key order, atomic commit and abort, durability across reopening, and a damaged
 * data file reported as an error, never read as data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmp_dir.h"

#include "base/mem.h"
#include "storage/kv.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put_str(KvTxn *t, const char *k, const char *v)
{
	Err e;
	err_clear(&e);
	assert_int_equal(kv_put(t, k, strlen(k), v, strlen(v), &e), 0);
}

/* The value of k as a string ("" when absent). */
static const char *get_str(KvTxn *t, const char *k, char *buf, size_t cap)
{
	Err e;
	err_clear(&e);
	const void *v;
	size_t n;
	int rc = kv_get(t, k, strlen(k), &v, &n, &e);
	assert_true(rc >= 0);
	buf[0] = '\0';
	if (rc == 1) {
		assert_true(n < cap);
		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	return buf;
}

static int collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen, Err *e)
{
	char *out = arg;
	strncat(out, key, klen);
	strcat(out, "=");
	strncat(out, val, vlen);
	strcat(out, ";");
	return 0;
}

static void test_put_get_scan_delete(void **state)
{
	char *dir = make_dir();
	Kv *kv;
	Err e;
	err_clear(&e);
	assert_int_equal(kv_open(dir, &kv, &e), 0);
	KvTxn *t;
	assert_int_equal(kv_begin(kv, true, &t, &e), 0);
	put_str(t, "b1", "x");
	put_str(t, "a", "1");
	put_str(t, "b", "2");
	put_str(t, "b2", "y");
	put_str(t, "c", "3");
	put_str(t, "b", "22"); /* overwrite */
	char buf[256] = "";
	assert_string_equal(get_str(t, "b", buf, sizeof buf), "22");
	assert_int_equal(kv_scan_prefix(t, "b", 1, collect, buf, &e), 0);
	assert_string_equal(buf, "22b=22;b1=x;b2=y;");
	assert_int_equal(kv_del(t, "zz", 2, &e), 0); /* absent: fine */
	assert_int_equal(kv_del(t, "a", 1, &e), 0);
	assert_int_equal(kv_del_prefix(t, "b", 1, &e), 0);
	buf[0] = '\0';
	assert_int_equal(kv_scan_prefix(t, "", 0, collect, buf, &e), 0);
	assert_string_equal(buf, "c=3;");
	/* Deleting a prefix that ends the store. */
	assert_int_equal(kv_del_prefix(t, "c", 1, &e), 0);
	buf[0] = '\0';
	assert_int_equal(kv_scan_prefix(t, "", 0, collect, buf, &e), 0);
	assert_string_equal(buf, "");
	assert_int_equal(kv_commit(t, &e), 0);
	kv_close(kv);
	remove_dir(dir);
}

static void test_commit_abort_reopen(void **state)
{
	char *dir = make_dir();
	Kv *kv;
	Err e;
	err_clear(&e);
	assert_int_equal(kv_open(dir, &kv, &e), 0);
	KvTxn *t;
	assert_int_equal(kv_begin(kv, true, &t, &e), 0);
	for (int i = 0; i < 5000; i++) {
		char k[32], v[32];
		snprintf(k, sizeof k, "k%05d", i);
		snprintf(v, sizeof v, "v%d", i * 7);
		put_str(t, k, v);
	}
	assert_int_equal(kv_commit(t, &e), 0);
	assert_int_equal(kv_begin(kv, true, &t, &e), 0);
	put_str(t, "k00001", "changed");
	assert_int_equal(kv_del_prefix(t, "k0", 2, &e), 0);
	kv_abort(t); /* none of it happened */
	kv_close(kv);

	assert_int_equal(kv_open(dir, &kv, &e), 0);
	assert_int_equal(kv_begin(kv, false, &t, &e), 0);
	char buf[64];
	assert_string_equal(get_str(t, "k00001", buf, sizeof buf), "v7");
	assert_string_equal(get_str(t, "k04999", buf, sizeof buf), "v34993");
	assert_string_equal(get_str(t, "k05000", buf, sizeof buf), "");
	kv_abort(t);
	assert_true(kv_file_bytes(kv) > 0);
	kv_close(kv);
	remove_dir(dir);
}

static void test_damaged_file(void **state)
{
	char *dir = make_dir();
	char path[300];
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	char junk[8192];
	memset(junk, 0x5a, sizeof junk);
	assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);
	Kv *kv;
	Err e;
	err_clear(&e);
	assert_int_equal(kv_open(dir, &kv, &e), -1);
	assert_null(kv);
	assert_string_equal(err_sqlstate(e.code), "XX001");
	assert_non_null(strstr(e.msg, "state store"));
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_scan_delete),
		cmocka_unit_test(test_commit_abort_reopen),
		cmocka_unit_test(test_damaged_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
