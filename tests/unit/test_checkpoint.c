/* test_checkpoint.c: checkpoints of views on a data directory (engine/checkpoint.c).
 *
 * A reopened database restores its views from the last checkpoint (SHOW MATERIALIZED VIEWS
 * restored_entries) and replays only what came after it, so every view equals its query as a
 * plain SELECT; a checkpoint after a small change writes few entries; dropped views leave the
 * store; retention keeps what a checkpointed view still needs and a view restored after
 * retention still counts every row; a damaged state store fails the open with XX001; views
 * whose checkpointed dataflow fingerprint differs are rebuilt instead of restored. The
 * exactly-once behaviour under SIGKILL is tested by tests/crash/views_crash.c. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tmp_dir.h"

#include "eddy.h"
#include "storage/kv.h"
#include "api_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Column `col` of SHOW MATERIALIZED VIEWS for view `name`, as a number. */
static long long show_col(Eddy *db, const char *name, const char *col)
{
	EddyResult *res;
	EddyError err;
	assert_int_equal(eddy_query(db, "SHOW MATERIALIZED VIEWS", &res, &err), 0);
	int c = -1;
	for (int i = 0; i < eddy_result_ncols(res); i++)
		if (strcmp(eddy_result_colname(res, i), col) == 0)
			c = i;
	assert_true(c >= 0);
	long long v = -1;
	while (eddy_result_next(res))
		if (strcmp(eddy_result_text(res, 0), name) == 0)
			v = atoll(eddy_result_text(res, c));
	eddy_result_free(res);
	assert_true(v >= 0);
	return v;
}

/* Opens dir with a checkpoint after every statement (interval 1 ms) or never (-1). */
static Eddy *open_db(const char *dir, int ckpt_ms)
{
	EddyOptions o = {.data_dir = dir, .tick_ms = 0, .checkpoint_ms = ckpt_ms};
	Eddy *db;
	EddyError err;
	if (eddy_open_ex(&o, &db, &err) != 0)
		fail_msg("open %s: %s (%s)", dir, err.message, err.sqlstate);
	return db;
}

static void insert_range(Eddy *db, int from, int to)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO s SELECT k %% 7, k, TIMESTAMP '2024-01-01' + k * INTERVAL '1 second' "
		 "FROM generate_series(%d, %d) AS g(k)",
		 from, to);
	exec_ok(db, sql);
}

/* The view's rows equal its query over the stream. */
static void check_view(Eddy *db, const char *view, const char *query)
{
	char *got = rows_of(db, view), *want = rows_of(db, query);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

#define VIEW_Q "SELECT k, v * 2 AS w FROM s WHERE v % 3 <> 0"

static void test_restore_and_resume(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp) WITH (fsync = 'never')");
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS " VIEW_Q);
	insert_range(db, 1, 500);
	eddy_close(db);

	db = open_db(dir, 1);
	assert_true(show_col(db, "a", "restored_entries") > 1);
	check_view(db, "SELECT * FROM a ORDER BY 1, 2", VIEW_Q " ORDER BY 1, 2");
	insert_range(db, 501, 700);
	check_view(db, "SELECT * FROM a ORDER BY 1, 2", VIEW_Q " ORDER BY 1, 2");
	/* One more row after a checkpoint writes a handful of entries, not the view's ~470
	 * rows: the checkpoints after it (each statement may start one once the previous one
	 * is written) show it. */
	insert_range(db, 701, 701);
	long long entries = 0;
	for (int i = 0; i < 500; i++) {
		usleep(10000);
		exec_ok(db, "SELECT 1");
		entries = show_col(db, "a", "checkpoint_entries");
		if (entries <= 4)
			break;
	}
	assert_true(entries <= 4);
	eddy_close(db);

	/* Without checkpoints since, the reopen replays what came after the last one. */
	db = open_db(dir, -1);
	insert_range(db, 702, 900);
	eddy_close(db);
	db = open_db(dir, -1);
	check_view(db, "SELECT * FROM a ORDER BY 1, 2", VIEW_Q " ORDER BY 1, 2");
	eddy_close(db);
	remove_dir(dir);
}

static void test_views_created_and_dropped(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp)");
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS " VIEW_Q);
	insert_range(db, 1, 100);
	exec_ok(db, "CREATE MATERIALIZED VIEW b AS SELECT k FROM s WHERE k = 1");
	insert_range(db, 101, 200);
	exec_ok(db, "DROP MATERIALIZED VIEW a");
	insert_range(db, 201, 300);
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS SELECT v FROM s WHERE v > 250");
	insert_range(db, 301, 310);
	eddy_close(db);

	db = open_db(dir, 1);
	assert_true(show_col(db, "a", "restored_entries") > 1);
	assert_true(show_col(db, "b", "restored_entries") > 1);
	check_view(db, "SELECT count(*) FROM b", "SELECT count(*) FROM s WHERE k = 1");
	check_view(db, "SELECT * FROM a ORDER BY 1", "SELECT v FROM s WHERE v > 250 ORDER BY 1");
	eddy_close(db);
	remove_dir(dir);
}

/* Retention deletes old segments, but not those after the last checkpoint; the view restored
 * from the checkpoint still has every row. */
static void test_retention_keeps_views_whole(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp) WITH (segment_bytes = '1kB', "
		    "retention_bytes = '2kB')");
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS SELECT v FROM s");
	for (int i = 0; i < 40; i++)
		insert_range(db, i * 500 + 1, i * 500 + 500);
	eddy_close(db);
	db = open_db(dir, 1);
	char *n = rows_of(db, "SELECT count(*) FROM s");
	assert_true(atoi(n) < 20000); /* retention removed segments */
	free(n);
	expect_rows(db, "SELECT count(*), sum(v) FROM a", "20000|200010000\n");
	eddy_close(db);
	/* A backup carries the checkpoint: the restored copy's view is whole too, although its
	 * log holds only the retained segments. */
	char file[300], copy[300];
	snprintf(file, sizeof file, "%s.tar", dir);
	snprintf(copy, sizeof copy, "%s.copy", dir);
	EddyError err;
	assert_int_equal(eddy_backup(dir, file, &err), 0);
	assert_int_equal(eddy_restore(file, copy, &err), 0);
	db = open_db(copy, 1);
	assert_true(show_col(db, "a", "restored_entries") > 1);
	expect_rows(db, "SELECT count(*), sum(v) FROM a", "20000|200010000\n");
	eddy_close(db);
	unlink(file);
	remove_dir(strdup(copy));
	remove_dir(dir);
}

/* A view over a generator source resumes the source where the checkpoint left it: a bounded
 * source read to its end is not read again (nothing counted twice), a paced unbounded one goes
 * on after the rows it had produced. */
static void test_generator_sources_resume(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE SOURCE bids WITH (connector = 'nexmark', nexmark.table.type = 'Bid', "
		    "nexmark.events = '300000')");
	exec_ok(db, "CREATE MATERIALIZED VIEW per_auction AS SELECT auction, count(*) AS n, "
		    "max(price) AS top FROM bids GROUP BY auction");
	/* Closed while the background pump is part way through the source: the close's
	 * checkpoint holds how many rows the view's reader had produced. */
	usleep(30000);
	eddy_close(db);

	db = open_db(dir, 1);
	assert_true(show_col(db, "per_auction", "restored_entries") > 1);
	exec_ok(db, "FLUSH");
	char *before = rows_of(db, "SELECT count(*), sum(n), sum(top) FROM per_auction");
	eddy_close(db);
	/* Read to its end: reopening reads nothing again. */
	db = open_db(dir, 1);
	exec_ok(db, "FLUSH");
	char *after = rows_of(db, "SELECT count(*), sum(n), sum(top) FROM per_auction");
	assert_string_equal(after, before);
	/* The same rows as a view built from scratch over the whole source. */
	exec_ok(db, "CREATE MATERIALIZED VIEW again AS SELECT auction, count(*) AS n, "
		    "max(price) AS top FROM bids GROUP BY auction");
	exec_ok(db, "FLUSH");
	char *fresh = rows_of(db, "SELECT count(*), sum(n), sum(top) FROM again");
	assert_string_equal(fresh, before);
	free(before);
	free(after);
	free(fresh);
	eddy_close(db);
	remove_dir(dir);
}

/* Views of every kind the engine checkpoints, each compared with its query after reopens that
 * restore it from a checkpoint (with and without a tail to replay). */
static const char *const kinds[][2] = {
	{"tum", "SELECT window_start, k, count(*) AS n, sum(v) AS s FROM TUMBLE(ev, ts, "
		"INTERVAL '10' SECOND) GROUP BY window_start, k"},
	{"hop", "SELECT window_start, count(*) AS n, max(v) AS top FROM HOP(ev, ts, "
		"INTERVAL '5' SECOND, INTERVAL '15' SECOND) GROUP BY window_start"},
	{"ses", "SELECT k, window_start, window_end, count(*) AS n FROM SESSION(ev, ts, "
		"INTERVAL '3' SECOND) GROUP BY k, window_start, window_end"},
	{"joined", "SELECT t.name, count(*) AS n, min(e.v) AS lo FROM ev e JOIN t ON e.k = t.k "
		   "GROUP BY t.name"},
	{"top2", "SELECT k, v FROM (SELECT k, v, row_number() OVER (PARTITION BY k ORDER BY v "
		 "DESC, ts) AS rn FROM ev) x WHERE rn <= 2"},
	{"distinct_v", "SELECT k, count(DISTINCT v % 10) AS d, stddev(v) AS sd FROM ev GROUP BY k"},
	{"on_view", "SELECT k, sum(n) AS n FROM tum GROUP BY k"},
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows of a query as sorted lines (views may hold equal rows in any order). */
static char *sorted_rows(Eddy *db, const char *sql)
{
	char *text = rows_of(db, sql), *lines[4096];
	size_t n = 0, len = strlen(text);
	for (char *p = strtok(text, "\n"); p && n < 4096; p = strtok(NULL, "\n"))
		lines[n++] = p;
	assert_true(n < 4096);
	qsort(lines, n, sizeof *lines, cmp_line);
	char *out = calloc(1, len + 2);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(text);
	return out;
}

static void check_kinds(Eddy *db)
{
	for (int i = 0; i < NKINDS; i++) {
		char view[128];
		snprintf(view, sizeof view, "SELECT * FROM %s", kinds[i][0]);
		char *got = sorted_rows(db, view), *want = sorted_rows(db, kinds[i][1]);
		if (strcmp(got, want) != 0)
			fail_msg("view %s differs from its query:\n%s\nquery:\n%s", kinds[i][0], got,
				 want);
		free(got);
		free(want);
	}
}

/* Rows first..last: event time one second apart with up to 2 s of disorder (the watermark
 * allows 5), so no row is late and views equal their queries over the whole stream. */
static void insert_events(Eddy *db, int first, int last)
{
	char sql[400];
	snprintf(sql, sizeof sql,
		 "INSERT INTO ev SELECT g %% 5, (g * 7919) %% 1000, TIMESTAMP '2024-01-01' + "
		 "(g + g %% 3) * INTERVAL '1 second' FROM generate_series(%d, %d) AS g(g)",
		 first, last);
	exec_ok(db, sql);
}

static void test_every_kind_restores(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM ev (k int, v int, ts timestamp, "
		    "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)");
	exec_ok(db, "CREATE TABLE t (k int PRIMARY KEY, name varchar)");
	exec_ok(db, "INSERT INTO t VALUES (0, 'zero'), (1, 'one'), (2, 'two')");
	for (int i = 0; i < NKINDS; i++) {
		char sql[700];
		snprintf(sql, sizeof sql, "CREATE MATERIALIZED VIEW %s AS %s", kinds[i][0],
			 kinds[i][1]);
		exec_ok(db, sql);
	}
	for (int b = 0; b < 10; b++)
		insert_events(db, b * 40, b * 40 + 39);
	eddy_close(db);

	db = open_db(dir, 1); /* restored, nothing to replay */
	for (int i = 0; i < NKINDS; i++)
		assert_true(show_col(db, kinds[i][0], "restored_entries") > 0);
	check_kinds(db);
	exec_ok(db, "UPDATE t SET name = 'uno' WHERE k = 1");
	exec_ok(db, "INSERT INTO t VALUES (3, 'three')");
	for (int b = 10; b < 20; b++)
		insert_events(db, b * 40, b * 40 + 39);
	check_kinds(db);
	eddy_close(db);

	db = open_db(dir, -1); /* restored, then no more checkpoints: the tail replays */
	check_kinds(db);
	exec_ok(db, "DELETE FROM t WHERE k = 0");
	for (int b = 20; b < 30; b++)
		insert_events(db, b * 40, b * 40 + 39);
	eddy_close(db);
	db = open_db(dir, 1);
	check_kinds(db);
	eddy_close(db);
	remove_dir(dir);
}

static void test_damaged_store(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp)");
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS " VIEW_Q);
	insert_range(db, 1, 10);
	eddy_close(db);
	char path[400];
	snprintf(path, sizeof path, "%s/state/data.mdb", dir);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	char junk[4096];
	memset(junk, 0x33, sizeof junk);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
	assert_int_equal(pwrite(fd, junk, sizeof junk, 4096), (ssize_t)sizeof junk);
	close(fd);
	EddyOptions o = {.data_dir = dir};
	EddyError err;
	Eddy *bad = NULL;
	assert_int_equal(eddy_open_ex(&o, &bad, &err), -1);
	assert_null(bad);
	assert_string_equal(err.sqlstate, "XX001");
	assert_non_null(strstr(err.message, "state store"));
	remove_dir(dir);
}

/* The keys of a prefix scan (checkpoint keys are short). */
typedef struct Keys {
	char key[16][64];
	size_t len[16];
	int n;
} Keys;

static int collect_key(void *arg, const void *key, size_t klen, const void *val, size_t vlen,
		       Err *e)
{
	Keys *k = arg;
	assert_true(k->n < 16 && klen <= sizeof k->key[0]);
	memcpy(k->key[k->n], key, klen);
	k->len[k->n++] = klen;
	return 0;
}

/* Rewrites every entry of DIR/state whose key starts with prefix: with 3 bad bytes (garble), or
 * with its last byte changed (in a view header: the fingerprint of the view's dataflow).
 * Returns how many entries there were. */
static int rewrite_entries(const char *dir, const char *prefix, bool garble)
{
	char path[300];
	snprintf(path, sizeof path, "%s/state", dir);
	Kv *kv;
	KvTxn *t;
	Err e;
	err_clear(&e);
	Keys keys = {.n = 0};
	assert_int_equal(kv_open(path, &kv, &e), 0);
	assert_int_equal(kv_begin(kv, true, &t, &e), 0);
	assert_int_equal(kv_scan_prefix(t, prefix, strlen(prefix), collect_key, &keys, &e), 0);
	for (int i = 0; i < keys.n; i++) {
		char val[256] = "bad";
		size_t n = 3;
		if (!garble) {
			const void *v;
			assert_int_equal(kv_get(t, keys.key[i], keys.len[i], &v, &n, &e), 1);
			assert_true(n >= 12 && n <= sizeof val);
			memcpy(val, v, n);
			val[n - 1] ^= 0x5a;
		}
		assert_int_equal(kv_put(t, keys.key[i], keys.len[i], val, n, &e), 0);
	}
	assert_int_equal(kv_commit(t, &e), 0);
	kv_close(kv);
	return keys.n;
}

/* A damaged checkpoint entry (the meta entry, a stream's position, a view's header) fails the
 * open with XX001 naming what is damaged; nothing is guessed. */
static void test_damaged_entries(void **state)
{
	static const struct {
		const char *prefix, *message;
	} cases[] = {
		{"M", "has format"},
		{"S", "checkpoint entry of stream \"s\" is damaged"},
		{"H", "checkpoint header of view \"a\" does not match its sources"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		char *dir = make_dir();
		Eddy *db = open_db(dir, 1);
		exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp)");
		exec_ok(db, "CREATE MATERIALIZED VIEW a AS " VIEW_Q);
		insert_range(db, 1, 10);
		eddy_close(db);
		assert_true(rewrite_entries(dir, cases[c].prefix, true) > 0);
		EddyOptions o = {.data_dir = dir};
		EddyError err;
		Eddy *bad = NULL;
		assert_int_equal(eddy_open_ex(&o, &bad, &err), -1);
		assert_null(bad);
		assert_string_equal(err.sqlstate, "XX001");
		if (!strstr(err.message, cases[c].message))
			fail_msg("%s: %s", cases[c].prefix, err.message);
		remove_dir(dir);
	}
}

#define JOIN_Q "SELECT t.name, count(*) AS n, sum(s.v) AS sv FROM s JOIN t ON s.k = t.k " \
	       "WHERE s.v % 2 = 0 GROUP BY t.name"
#define ON_A_Q "SELECT k, count(*) AS n FROM a GROUP BY k"

/* A checkpoint whose view headers carry another dataflow fingerprint (a build that plans the
 * views differently) is not restored into them: each view is rebuilt from its inputs (the
 * stream up to the checkpoint, the table changes after the view's CREATE, the view below it)
 * and equals its query; the next checkpoint saves them whole and they restore again. */
static void test_stale_fingerprint_rebuilds(void **state)
{
	char *dir = make_dir();
	Eddy *db = open_db(dir, 1);
	exec_ok(db, "CREATE STREAM s (k int, v int, ts timestamp) WITH (fsync = 'never')");
	exec_ok(db, "CREATE TABLE t (k int PRIMARY KEY, name varchar)");
	exec_ok(db, "INSERT INTO t VALUES (0, 'zero'), (1, 'one')");
	exec_ok(db, "CREATE MATERIALIZED VIEW a AS " VIEW_Q);
	exec_ok(db, "CREATE MATERIALIZED VIEW j AS " JOIN_Q);
	exec_ok(db, "CREATE MATERIALIZED VIEW on_a AS " ON_A_Q);
	insert_range(db, 1, 300);
	exec_ok(db, "INSERT INTO t VALUES (2, 'two'), (3, 'three')");
	insert_range(db, 301, 400);
	exec_ok(db, "DELETE FROM t WHERE k = 1");
	eddy_close(db);
	assert_int_equal(rewrite_entries(dir, "H", false), 3);

	db = open_db(dir, 1);
	assert_int_equal(show_col(db, "a", "restored_entries"), 0);
	assert_int_equal(show_col(db, "j", "restored_entries"), 0);
	assert_int_equal(show_col(db, "on_a", "restored_entries"), 0);
	check_view(db, "SELECT * FROM a ORDER BY 1, 2", VIEW_Q " ORDER BY 1, 2");
	check_view(db, "SELECT * FROM j ORDER BY 1", JOIN_Q " ORDER BY 1");
	check_view(db, "SELECT * FROM on_a ORDER BY 1", ON_A_Q " ORDER BY 1");
	insert_range(db, 401, 450);
	exec_ok(db, "INSERT INTO t VALUES (4, 'four')");
	eddy_close(db);

	db = open_db(dir, 1);
	assert_true(show_col(db, "a", "restored_entries") > 1);
	assert_true(show_col(db, "j", "restored_entries") > 1);
	check_view(db, "SELECT * FROM a ORDER BY 1, 2", VIEW_Q " ORDER BY 1, 2");
	check_view(db, "SELECT * FROM j ORDER BY 1", JOIN_Q " ORDER BY 1");
	check_view(db, "SELECT * FROM on_a ORDER BY 1", ON_A_Q " ORDER BY 1");
	eddy_close(db);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_and_resume),
		cmocka_unit_test(test_views_created_and_dropped),
		cmocka_unit_test(test_retention_keeps_views_whole),
		cmocka_unit_test(test_generator_sources_resume),
		cmocka_unit_test(test_every_kind_restores),
		cmocka_unit_test(test_damaged_store),
		cmocka_unit_test(test_damaged_entries),
		cmocka_unit_test(test_stale_fingerprint_rebuilds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
