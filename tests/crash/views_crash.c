/* views_crash.c: kill -9 against a database whose stream feeds views (include/eddy.h).
 *
 * Usage: views_crash [KILLS [SEED]]   (defaults: 20 kills, seed 7)
 *
 * A stream `bid` (fsync='always', small segments so they roll) feeds three views: a TUMBLE window
 * aggregate, a join with the table `item`, and a top-N. Each round forks a child that opens the
 * database and inserts batches of bids with consecutive ids through eddy_insert, now and then a
 * table change through SQL, printing "acked ID" (the last id of the batch) on stdout, flushed,
 * as soon as eddy_insert returns. The parent SIGKILLs it after a random delay, reopens the
 * database and checks: (a) every acknowledged id is in the stream, (b) no id is there twice and
 * ids have no gap, (c) every view equals its query run as a plain SELECT over the stream. The
 * child checkpoints every 15 ms, so each reopen restores the views from a checkpoint (taken
 * before, during or between the child's inserts) and replays the rest: (c) is the
 * exactly-once check of checkpoints (nothing lost, nothing counted twice). The
 * next round continues after the last stored id. The last line is "N passed, N failed".
 */
#include "eddy.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const schema =
	"CREATE STREAM bid (id bigint, auction bigint, price int, date_time timestamp,"
	" WATERMARK FOR date_time AS date_time - INTERVAL '10 seconds')"
	" WITH (fsync = 'always', segment_bytes = '64kB');"
	"CREATE TABLE item (id bigint PRIMARY KEY, name varchar);"
	"INSERT INTO item VALUES (0, 'zero'), (1, 'one');"
	"CREATE MATERIALIZED VIEW per_min AS SELECT window_start, count(*) AS n, sum(price) AS s"
	" FROM TUMBLE(bid, date_time, INTERVAL '1 minute') GROUP BY window_start;"
	"CREATE MATERIALIZED VIEW named AS SELECT i.name, count(*) AS n, max(b.price) AS top"
	" FROM bid b JOIN item i ON b.auction = i.id GROUP BY i.name;"
	"CREATE MATERIALIZED VIEW top3 AS SELECT id, price FROM (SELECT id, price,"
	" ROW_NUMBER() OVER (ORDER BY price DESC, id) AS rn FROM bid) t WHERE rn <= 3;";

static const char *const checks[][2] = {
	{"SELECT * FROM per_min ORDER BY 1",
	 "SELECT window_start, count(*) AS n, sum(price) AS s FROM TUMBLE(bid, date_time, "
	 "INTERVAL '1 minute') GROUP BY window_start ORDER BY 1"},
	{"SELECT * FROM named ORDER BY 1",
	 "SELECT i.name, count(*) AS n, max(b.price) AS top FROM bid b JOIN item i ON b.auction = "
	 "i.id GROUP BY i.name ORDER BY 1"},
	{"SELECT * FROM top3 ORDER BY 2 DESC, 1",
	 "SELECT id, price FROM bid ORDER BY price DESC, id LIMIT 3"},
};

/* The rows of a query as text, "a|b\n" per row; NULL on error (printed). */
static char *rows_of(Eddy *db, const char *sql)
{
	EddyResult *res;
	EddyError err;
	if (eddy_query(db, sql, &res, &err) != 0) {
		printf("query failed: %s: %s (%s)\n", sql, err.message, err.sqlstate);
		return NULL;
	}
	size_t cap = 1024, len = 0;
	char *out = calloc(1, cap);
	while (eddy_result_next(res))
		for (int c = 0; c < eddy_result_ncols(res); c++) {
			const char *v = eddy_result_text(res, c);
			v = v ? v : "NULL";
			if (len + strlen(v) + 3 >= cap) {
				cap = cap * 2 + strlen(v);
				out = realloc(out, cap);
			}
			len += (size_t)sprintf(out + len, "%s%s", v,
					       c + 1 == eddy_result_ncols(res) ? "\n" : "|");
		}
	eddy_result_free(res);
	return out;
}

static void child(const char *dir, long next_id, unsigned seed)
{
	Eddy *db;
	EddyError err;
	/* Checkpoints every 15 ms, so kills also land in and between them. */
	EddyOptions o = {.data_dir = dir, .checkpoint_ms = 15};
	if (eddy_open_ex(&o, &db, &err) != 0) {
		fprintf(stderr, "child: open: %s\n", err.message);
		_exit(3);
	}
	printf("ready\n");
	fflush(stdout);
	srand(seed);
	EddyValue v[64 * 4];
	for (long id = next_id;; ) {
		int n = 1 + rand() % 64;
		for (int i = 0; i < n; i++) {
			long k = id + i;
			v[i * 4] = (EddyValue){.type = EDDY_INT8, .v.i = k};
			v[i * 4 + 1] = (EddyValue){.type = EDDY_INT8, .v.i = k % 5};
			v[i * 4 + 2] = (EddyValue){.type = EDDY_INT4, .v.i = (int)((k * 7919) % 100000)};
			v[i * 4 + 3] = (EddyValue){.type = EDDY_TIMESTAMP,
						   .v.i = 1700000000000000LL + k * 250000};
		}
		if (eddy_insert(db, "bid", NULL, 4, v, n, &err) != 0) {
			fprintf(stderr, "child: insert: %s\n", err.message);
			_exit(3);
		}
		id += n;
		printf("acked %ld\n", id - 1);
		fflush(stdout);
		if (rand() % 8 == 0) {
			char sql[160];
			long key = 2 + rand() % 3;
			snprintf(sql, sizeof sql,
				 "DELETE FROM item WHERE id = %ld; INSERT INTO item VALUES (%ld, 'i%ld')",
				 key, key, id);
			if (eddy_exec(db, sql, NULL, NULL, &err) != 0) {
				fprintf(stderr, "child: %s\n", err.message);
				_exit(3);
			}
		}
	}
}

/* Checks the database after a kill; returns the next id to insert, -1 on failure. */
static long check(const char *dir, long acked, int round)
{
	Eddy *db;
	EddyError err;
	if (eddy_open(dir, &db, &err) != 0) {
		printf("round %d: reopen failed: %s (%s)\n", round, err.message, err.sqlstate);
		return -1;
	}
	long next = -1;
	char *ids = rows_of(db, "SELECT count(*), count(DISTINCT id), coalesce(max(id), -1) FROM bid");
	long cnt, distinct, max;
	if (ids && sscanf(ids, "%ld|%ld|%ld", &cnt, &distinct, &max) == 3) {
		if (cnt != distinct)
			printf("round %d: %ld rows but %ld distinct ids\n", round, cnt, distinct);
		else if (max != cnt - 1)
			printf("round %d: ids are not 0..%ld (max %ld)\n", round, cnt - 1, max);
		else if (max < acked)
			printf("round %d: acknowledged id %ld lost (max %ld)\n", round, acked, max);
		else
			next = cnt;
	}
	free(ids);
	for (size_t i = 0; next >= 0 && i < sizeof checks / sizeof checks[0]; i++) {
		char *got = rows_of(db, checks[i][0]);
		char *want = rows_of(db, checks[i][1]);
		if (!got || !want || strcmp(got, want) != 0) {
			printf("round %d: view differs from its query: %s\n--- view\n%s--- query\n%s",
			       round, checks[i][0], got ? got : "", want ? want : "");
			next = -1;
		}
		free(got);
		free(want);
	}
	eddy_close(db);
	return next;
}

int main(int argc, char **argv)
{
	int kills = argc > 1 ? atoi(argv[1]) : 20;
	unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 7;
	char dir[] = "/tmp/eddy_views_crash_XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	Eddy *db;
	EddyError err;
	if (eddy_open(dir, &db, &err) != 0 || eddy_exec(db, schema, NULL, NULL, &err) != 0) {
		printf("setup: %s\n0 passed, 1 failed\n", err.message);
		return 1;
	}
	eddy_close(db);
	srand(seed);
	int passed = 0, failed = 0;
	long next = 0, acked = -1;
	for (int round = 0; round < kills && next >= 0; round++) {
		int fd[2];
		if (pipe(fd) != 0)
			return 1;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(fd[0]);
			dup2(fd[1], 1);
			child(dir, next, seed + (unsigned)round);
		}
		close(fd[1]);
		FILE *in = fdopen(fd[0], "r");
		char line[64];
		/* Kill a random time after the child is ready (its open replays the history). */
		if (fgets(line, sizeof line, in)) {
			struct timespec ts = {0, (long)(rand() % 40000) * 1000};
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (fgets(line, sizeof line, in))
			if (strncmp(line, "acked ", 6) == 0)
				acked = atol(line + 6);
		fclose(in);
		next = check(dir, acked, round);
		if (next >= 0)
			passed++;
		else
			failed++;
	}
	if (next >= 0) {
		char cmd[256];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	} else {
		printf("data directory kept for inspection: %s\n", dir);
	}
	printf("last acknowledged id %ld\n%d passed, %d failed\n", acked, passed, failed);
	return failed ? 1 : 0;
}
