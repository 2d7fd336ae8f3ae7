/* test_stream_store.c: streams of a database on a data directory live in the stream log.
 *
 * Rows survive a reopen, views come back equal to what they were and to their query run as a
 * plain SELECT, stream rows stay out of the statement journal, stream options are checked, DROP
 * removes the log, history queries prune batches by event time, and a damaged sealed segment is
 * reported as XX001, never returned as data. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "eddy.h"
#include "api_harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void expect_error(Eddy *db, const char *sql, const char *state, const char *msg)
{
	EddyError err;
	assert_int_not_equal(eddy_exec(db, sql, NULL, NULL, &err), 0);
	assert_string_equal(err.sqlstate, state);
	if (!strstr(err.message, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, msg);
}

static Eddy *open_dir(const char *dir)
{
	Eddy *db;
	EddyError err;
	if (eddy_open(dir, &db, &err) != 0)
		fail_msg("open %s: %s (%s)", dir, err.message, err.sqlstate);
	return db;
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return p;
}

static const char *const schema =
	"CREATE STREAM bid (auction bigint, price int, date_time timestamp,"
	" WATERMARK FOR date_time AS date_time - INTERVAL '10 seconds');"
	"CREATE TABLE item (id bigint PRIMARY KEY, name varchar);"
	"CREATE MATERIALIZED VIEW per_min AS SELECT window_start, count(*) AS n, sum(price) AS s"
	" FROM TUMBLE(bid, date_time, INTERVAL '1 minute') GROUP BY window_start;"
	"CREATE MATERIALIZED VIEW named AS SELECT i.name, count(*) AS n, max(b.price) AS top"
	" FROM bid b JOIN item i ON b.auction = i.id GROUP BY i.name;"
	"CREATE MATERIALIZED VIEW top3 AS SELECT auction, price FROM (SELECT auction, price,"
	" ROW_NUMBER() OVER (ORDER BY price DESC, auction) AS rn FROM bid) t WHERE rn <= 3;";

/* Each view's query, as a plain SELECT over the stream's stored rows. */
static const char *const views[][2] = {
	{"SELECT * FROM per_min ORDER BY 1",
	 "SELECT window_start, count(*) AS n, sum(price) AS s FROM TUMBLE(bid, date_time, "
	 "INTERVAL '1 minute') GROUP BY window_start ORDER BY 1"},
	{"SELECT * FROM named ORDER BY 1",
	 "SELECT i.name, count(*) AS n, max(b.price) AS top FROM bid b JOIN item i ON b.auction = "
	 "i.id GROUP BY i.name ORDER BY 1"},
	{"SELECT * FROM top3 ORDER BY 2 DESC, 1",
	 "SELECT auction, price FROM bid ORDER BY price DESC, auction LIMIT 3"},
};

static void insert_bids(Eddy *db, int from, int n)
{
	EddyValue *v = calloc((size_t)n * 3, sizeof *v);
	for (int i = 0; i < n; i++) {
		int k = from + i;
		v[i * 3] = (EddyValue){.type = EDDY_INT8, .v.i = k % 7};
		v[i * 3 + 1] = (EddyValue){.type = EDDY_INT4, .v.i = (k * 37) % 1000};
		v[i * 3 + 2] = (EddyValue){.type = EDDY_TIMESTAMP,
					   .v.i = 1700000000000000LL + (int64_t)k * 5000000};
	}
	EddyError err;
	if (eddy_insert(db, "bid", NULL, 3, v, n, &err) != 0)
		fail_msg("insert: %s", err.message);
	free(v);
}

static void check_views(Eddy *db, char **saved)
{
	for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
		char *got = rows_of(db, views[i][0]);
		char *want = rows_of(db, views[i][1]);
		assert_string_equal(got, want);
		if (saved[i])
			assert_string_equal(got, saved[i]);
		free(saved[i]);
		saved[i] = got;
		free(want);
	}
}

static void test_reopen_keeps_rows_and_views(void **state)
{
	char dir[] = "/tmp/eddy_store_XXXXXX";
	assert_non_null(mkdtemp(dir));
	Eddy *db = open_dir(dir);
	exec_ok(db, schema);
	exec_ok(db, "INSERT INTO item VALUES (1, 'one'), (2, 'two')");
	insert_bids(db, 0, 300);
	exec_ok(db, "INSERT INTO bid VALUES (3, 999, '2023-11-14 22:38:20')");
	exec_ok(db, "INSERT INTO item VALUES (3, 'three'); UPDATE item SET name = 'uno' WHERE id = 1");
	insert_bids(db, 300, 2500); /* three chunks in one atomic append */
	exec_ok(db, "DELETE FROM item WHERE id = 2; INSERT INTO item VALUES (4, 'four')");
	insert_bids(db, 2800, 10);
	char *saved[3] = {0};
	check_views(db, saved);
	expect_rows(db, "SELECT count(*), count(DISTINCT auction) FROM bid", "2811|7\n");
	eddy_close(db);

	/* Stream rows are in the stream log, not in the journal. */
	char path[512];
	size_t n;
	snprintf(path, sizeof path, "%s/journal", dir);
	char *j = slurp(path, &n);
	assert_null(memmem(j, n, "INSERT INTO bid", 15));
	assert_non_null(memmem(j, n, "'three'", 7));
	free(j);
	struct stat st;
	snprintf(path, sizeof path, "%s/streams/bid/00000000000000000000.seg", dir);
	assert_int_equal(stat(path, &st), 0);

	for (int round = 0; round < 2; round++) {
		db = open_dir(dir);
		check_views(db, saved);
		char want[64];
		snprintf(want, sizeof want, "%d|7\n", 2811 + 5 * round);
		expect_rows(db, "SELECT count(*), count(DISTINCT auction) FROM bid", want);
		char *show = rows_of(db, "SHOW STREAMS");
		snprintf(want, sizeof want, "bid|%d|", 2811 + 5 * round);
		assert_memory_equal(show, want, strlen(want));
		free(show);
		insert_bids(db, 2811 + round * 5, 5);
		for (int i = 0; i < 3; i++) {
			free(saved[i]);
			saved[i] = NULL;
		}
		check_views(db, saved);
		eddy_close(db);
	}
	db = open_dir(dir);
	check_views(db, saved);
	expect_rows(db, "SELECT count(*) FROM bid", "2821\n");
	eddy_close(db);
	for (int i = 0; i < 3; i++)
		free(saved[i]);
	rm_rf(dir);
}

static void test_options_and_drop(void **state)
{
	char dir[] = "/tmp/eddy_store_XXXXXX";
	assert_non_null(mkdtemp(dir));
	Eddy *db = open_dir(dir);
	expect_error(db, "CREATE STREAM s (x int) WITH (fsync = 'sometimes')", "22023",
		     "invalid value for parameter \"fsync\": \"sometimes\"");
	expect_error(db, "CREATE STREAM s (x int) WITH (retention = 'soon')", "22023",
		     "invalid value for parameter \"retention\": \"soon\"");
	expect_error(db, "CREATE STREAM s (x int) WITH (retention_bytes = '10 parsecs')", "22023",
		     "invalid value for parameter \"retention_bytes\": \"10 parsecs\"");
	expect_error(db, "CREATE STREAM s (x int) WITH (compression = 'zip')", "22023",
		     "invalid value for parameter \"compression\": \"zip\"");
	exec_ok(db, "CREATE STREAM s (x int) WITH (fsync = 'never', retention = '7 days',"
		    " retention_bytes = '10GB', compression = 'zstd');"
		    "CREATE STREAM s2 (x int) WITH (fsync = 'interval');"
		    "INSERT INTO s VALUES (1), (2); INSERT INTO s2 VALUES (3)");
	expect_rows(db, "SELECT sum(x) FROM s", "3\n");
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/streams", dir);
	assert_int_equal(stat(path, &st), 0);
	exec_ok(db, "DROP STREAM s");
	snprintf(path, sizeof path, "%s/streams/s", dir);
	assert_int_not_equal(stat(path, &st), 0);
	/* A stream of the same name created after the DROP starts empty, also after a reopen. */
	exec_ok(db, "CREATE STREAM s (x int); INSERT INTO s VALUES (40)");
	eddy_close(db);
	db = open_dir(dir);
	expect_rows(db, "SELECT sum(x) FROM s2", "3\n");
	expect_rows(db, "SELECT sum(x) FROM s", "40\n");
	exec_ok(db, "DROP STREAM s");
	eddy_close(db);
	db = open_dir(dir);
	expect_error(db, "SELECT * FROM s", "42P01", "\"s\" does not exist");
	eddy_close(db);
	/* Only s2's log directory is left. */
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test \"$(ls %s/streams)\" = s2", dir);
	assert_int_equal(system(cmd), 0);
	rm_rf(dir);
}

/* Flips one byte of the first (sealed) segment, past its header and first batch header. */
static void damage_first_segment(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/streams/bid/00000000000000000000.seg", dir);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char b;
	assert_int_equal(pread(fd, &b, 1, 64 + 64 + 20), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, 64 + 64 + 20), 1);
	close(fd);
}

static void test_damaged_segment_is_reported(void **state)
{
	char dir[] = "/tmp/eddy_store_XXXXXX";
	assert_non_null(mkdtemp(dir));
	Eddy *db = open_dir(dir);
	exec_ok(db, "CREATE STREAM bid (auction bigint, price int, date_time timestamp)"
		    " WITH (segment_bytes = '4kB', compression = 'none')");
	for (int i = 0; i < 20; i++)
		insert_bids(db, i * 50, 50);
	eddy_close(db);
	damage_first_segment(dir);
	/* The close's checkpoint covers the whole log, so the open reads none of it; a query of
	 * the history reads the damaged batch and fails with XX001 naming the file: no row of it
	 * is ever returned. */
	Eddy *db2;
	EddyError err;
	assert_int_equal(eddy_open(dir, &db2, &err), 0);
	EddyResult *res = NULL;
	assert_int_not_equal(eddy_query(db2, "SELECT count(*) FROM bid", &res, &err), 0);
	assert_null(res);
	assert_string_equal(err.sqlstate, "XX001");
	assert_non_null(strstr(err.message, "checksum mismatch"));
	assert_non_null(strstr(err.message, "00000000000000000000.seg"));
	eddy_close(db2);
	/* Without the checkpoint, rebuilding the stream's history reads the damaged batch: the
	 * open fails with XX001 and names the file. */
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s/state'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_not_equal(eddy_open(dir, &db2, &err), 0);
	assert_string_equal(err.sqlstate, "XX001");
	assert_non_null(strstr(err.message, "checksum mismatch"));
	assert_non_null(strstr(err.message, "00000000000000000000.seg"));
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reopen_keeps_rows_and_views),
		cmocka_unit_test(test_options_and_drop),
		cmocka_unit_test(test_damaged_segment_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
