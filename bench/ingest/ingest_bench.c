/* ingest_bench.c: end-to-end ingest and recovery numbers through the public API (include/eddy.h).
 *
 * Layer: bench (not built by make, not run by make test; bench/ingest/run.sh builds and runs it).
 * Two modes:
 *
 *   ingest_bench writers DIR FSYNC THREADS ROWS_PER_CALL TOTAL_ROWS
 *       T threads call eddy_ingest on one handle with NDJSON bodies of ROWS_PER_CALL ~100-byte
 *       rows each into stream `ev` (created WITH (fsync = FSYNC)), as T HTTP clients posting to
 *       a server would. Prints wall seconds, CPU seconds (user + system of the whole process,
 *       getrusage) and rows/s. The bodies are generated before the clock starts.
 *
 *   ingest_bench recovery DIR TARGET_MB [lookup|regular]
 *       Fills stream `ev` (rows with a 120-byte random payload, so ~TARGET_MB of log needs few
 *       rows) feeding four views: a TUMBLE window aggregate, a join with a table (a lookup join,
 *       or a regular join), a top-N and a GROUP BY over 100 000 users. Then times eddy_open (a) after a clean close, (b) after
 *       SIGKILL of a writer that checkpointed every second, (c) with DIR/state removed (every
 *       view rebuilt from the log). Each open is checked: the window view's count equals the
 *       stream's row count (nothing lost, nothing twice).
 *
 * Never: asserts a time. It measures and prints; run.sh turns the lines into tables.
 */
#define _GNU_SOURCE
#include "eddy.h"

#include <dirent.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, const EddyError *err)
{
	fprintf(stderr, "ingest_bench: %s: %s (SQLSTATE %s)\n", what, err->message, err->sqlstate);
	exit(1);
}

static void exec_or_die(Eddy *db, const char *sql)
{
	EddyError err;
	if (eddy_exec(db, sql, NULL, NULL, &err) != 0)
		die(sql, &err);
}

static int64_t query_int(Eddy *db, const char *sql)
{
	EddyResult *r;
	EddyError err;
	if (eddy_query(db, sql, &r, &err) != 0)
		die(sql, &err);
	int64_t v = eddy_result_next(r) && !eddy_result_isnull(r, 0) ? eddy_result_int64(r, 0) : 0;
	eddy_result_free(r);
	return v;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Appends NDJSON rows first .. first+n-1 to out (sized by the caller). A row is ~98 bytes; with
 * payload, 120 more random letters. Event time advances 1 ms per row id. */
static size_t gen_rows(char *out, int64_t first, int n, uint64_t *rng, int payload)
{
	size_t len = 0;
	for (int k = 0; k < n; k++) {
		int64_t id = first + k;
		long long ms = (long long)(id % 86400000);
		len += (size_t)sprintf(out + len,
				       "{\"id\":%lld,\"user_id\":%llu,\"amount\":%llu,"
				       "\"ts\":\"2024-01-01 %02lld:%02lld:%02lld.%06lld\","
				       "\"tag\":\"t%08llu\"",
				       (long long)id, (unsigned long long)(rng_next(rng) % 100000),
				       (unsigned long long)(rng_next(rng) % 1000000), ms / 3600000,
				       ms / 60000 % 60, ms / 1000 % 60, ms % 1000 * 1000,
				       (unsigned long long)(rng_next(rng) % 100000000));
		if (payload) {
			memcpy(out + len, ",\"payload\":\"", 12);
			len += 12;
			for (int i = 0; i < 120; i++)
				out[len++] = (char)('a' + rng_next(rng) % 26);
			out[len++] = '"';
		}
		out[len++] = '}';
		out[len++] = '\n';
	}
	out[len] = '\0';
	return len;
}

static void ingest_or_die(Eddy *db, const char *buf, size_t len, int n)
{
	EddyIngestResult res;
	EddyError err;
	if (eddy_ingest(db, "ev", EDDY_FORMAT_NDJSON, buf, len, NULL, &res, NULL, 0, &err) != 0)
		die("eddy_ingest", &err);
	if (res.accepted != n) {
		fprintf(stderr, "ingest_bench: %lld of %d rows accepted\n", (long long)res.accepted, n);
		exit(1);
	}
}

/* ---- writers */

#define BODIES 16

typedef struct Writer {
	Eddy *db;
	int rows_per_call;
	int64_t calls;
	char *body[BODIES];
	size_t len[BODIES];
} Writer;

static void *writer_run(void *arg)
{
	Writer *w = arg;
	for (int64_t c = 0; c < w->calls; c++)
		ingest_or_die(w->db, w->body[c % BODIES], w->len[c % BODIES], w->rows_per_call);
	return NULL;
}

static int writers(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: ingest_bench writers DIR FSYNC THREADS ROWS_PER_CALL "
				"TOTAL_ROWS\n");
		return 2;
	}
	const char *dir = argv[2], *fsync = argv[3];
	int nthreads = atoi(argv[4]), per_call = atoi(argv[5]);
	int64_t total = atoll(argv[6]);
	if (nthreads < 1 || per_call < 1 || total < (int64_t)nthreads * per_call) {
		fprintf(stderr, "ingest_bench: bad numbers\n");
		return 2;
	}
	Eddy *db;
	EddyError err;
	if (eddy_open(dir, &db, &err) != 0)
		die("eddy_open", &err);
	char sql[512];
	snprintf(sql, sizeof sql,
		 "CREATE STREAM ev (id bigint, user_id bigint, amount int, ts timestamp, tag varchar,"
		 " WATERMARK FOR ts AS ts - INTERVAL '5 seconds') WITH (fsync = '%s')",
		 fsync);
	exec_or_die(db, sql);
	int64_t calls = total / ((int64_t)nthreads * per_call);
	Writer *ws = calloc((size_t)nthreads, sizeof *ws);
	pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
	for (int t = 0; t < nthreads; t++) {
		uint64_t rng = 0x9E3779B97F4A7C15ull * (uint64_t)(t + 1);
		ws[t] = (Writer){.db = db, .rows_per_call = per_call, .calls = calls};
		for (int b = 0; b < BODIES; b++) {
			ws[t].body[b] = malloc((size_t)per_call * 120 + 1);
			int64_t first = ((int64_t)t * BODIES + b) * per_call;
			ws[t].len[b] = gen_rows(ws[t].body[b], first, per_call, &rng, 0);
		}
	}
	double c0 = cpu_s(), t0 = now_s();
	for (int t = 0; t < nthreads; t++)
		pthread_create(&tids[t], NULL, writer_run, &ws[t]);
	for (int t = 0; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	double wall = now_s() - t0, cpu = cpu_s() - c0;
	int64_t rows = calls * nthreads * per_call;
	int64_t stored = query_int(db, "SELECT count(*) FROM ev");
	printf("writers fsync=%s threads=%d rows_per_call=%d rows=%lld stored=%lld wall_s=%.3f "
	       "cpu_s=%.3f rows_per_s=%.0f rows_per_cpu_s=%.0f\n",
	       fsync, nthreads, per_call, (long long)rows, (long long)stored, wall, cpu,
	       (double)rows / wall, (double)rows / cpu);
	eddy_close(db);
	for (int t = 0; t < nthreads; t++)
		for (int b = 0; b < BODIES; b++)
			free(ws[t].body[b]);
	free(ws);
	free(tids);
	return stored == rows ? 0 : 1;
}

/* ---- recovery */

#define REC_BATCH 10000

/* The join's %s: "" (a regular join, which keeps every stream row as state) or a lookup join's
 * "FOR SYSTEM_TIME AS OF PROCTIME()" (which keeps only the table). */
static const char *const REC_DDL =
	"CREATE STREAM ev (id bigint, user_id bigint, amount int, ts timestamp, tag varchar,"
	" payload varchar, WATERMARK FOR ts AS ts - INTERVAL '5 seconds') WITH (fsync = 'never');"
	"CREATE TABLE users (user_id bigint PRIMARY KEY, region varchar);"
	"INSERT INTO users SELECT g, 'region' || (g %% 50) FROM generate_series(0, 99999) g;"
	"CREATE MATERIALIZED VIEW per_min AS SELECT window_start, count(*) AS n, sum(amount) AS s"
	" FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY window_start;"
	"CREATE MATERIALIZED VIEW per_region AS SELECT u.region, count(*) AS n, max(e.amount) AS top"
	" FROM ev e JOIN users %s u ON e.user_id = u.user_id GROUP BY u.region;"
	"CREATE MATERIALIZED VIEW top10 AS SELECT id, amount FROM (SELECT id, amount,"
	" ROW_NUMBER() OVER (ORDER BY amount DESC, id) AS rn FROM ev) t WHERE rn <= 10;"
	"CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n, sum(amount) AS s"
	" FROM ev GROUP BY user_id;";

static int64_t dir_bytes(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int64_t sum = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		if (lstat(p, &st) != 0)
			continue;
		sum += S_ISDIR(st.st_mode) ? dir_bytes(p) : st.st_size;
	}
	closedir(d);
	return sum;
}

/* Ingests REC_BATCH rows at a time from row `next` on until `stop` says so; returns next. */
static int64_t fill(Eddy *db, int64_t next, char *buf, uint64_t *rng, const char *logdir,
		    int64_t target_bytes, double seconds)
{
	double t0 = now_s();
	for (int64_t i = 0;; i++) {
		size_t len = gen_rows(buf, next, REC_BATCH, rng, 1);
		ingest_or_die(db, buf, len, REC_BATCH);
		next += REC_BATCH;
		if (target_bytes > 0 && i % 10 == 9 && dir_bytes(logdir) >= target_bytes)
			return next;
		if (seconds > 0 && now_s() - t0 >= seconds)
			return next;
	}
}

/* eddy_open with the checkpoint interval of INGEST_BENCH_CHECKPOINT_MS (default: the engine's,
 * 1000 ms; -1: never), to measure what checkpoints cost the writer. */
static int bench_open(const char *dir, Eddy **db, EddyError *err)
{
	const char *ms = getenv("INGEST_BENCH_CHECKPOINT_MS");
	EddyOptions o = {.data_dir = dir, .checkpoint_ms = ms ? atoi(ms) : 0};
	return eddy_open_ex(&o, db, err);
}

/* Opens DIR, timing eddy_open; checks the views against the stream; prints one line. */
static void timed_open(const char *dir, const char *name)
{
	Eddy *db;
	EddyError err;
	double t0 = now_s(), c0 = cpu_s();
	if (bench_open(dir, &db, &err) != 0)
		die("eddy_open", &err);
	double open_s = now_s() - t0, open_cpu = cpu_s() - c0;
	int64_t stream = query_int(db, "SELECT count(*) FROM ev");
	int64_t win = query_int(db, "SELECT sum(n) FROM per_min");
	int64_t reg = query_int(db, "SELECT sum(n) FROM per_region");
	int64_t usr = query_int(db, "SELECT sum(n) FROM per_user");
	int64_t top = query_int(db, "SELECT count(*) FROM top10");
	bool ok = win == stream && reg == stream && usr == stream && top == 10;
	t0 = now_s();
	eddy_close(db);
	printf("recovery case=%s open_s=%.3f open_cpu_s=%.3f rows=%lld views_match=%s "
	       "close_s=%.3f\n",
	       name, open_s, open_cpu, (long long)stream, ok ? "yes" : "NO", now_s() - t0);
	fflush(stdout);
	if (!ok)
		fprintf(stderr, "ingest_bench: views disagree: stream %lld, per_min %lld, "
				"per_region %lld, per_user %lld, top10 %lld\n",
			(long long)stream, (long long)win, (long long)reg, (long long)usr,
			(long long)top);
}

/* Prints each view's checkpoint columns of SHOW MATERIALIZED VIEWS as `view k=v ...` lines. */
static void show_views(Eddy *db)
{
	EddyResult *r;
	EddyError err;
	if (eddy_query(db, "SHOW MATERIALIZED VIEWS", &r, &err) != 0)
		die("SHOW MATERIALIZED VIEWS", &err);
	while (eddy_result_next(r)) {
		printf("view");
		for (int c = 0; c < eddy_result_ncols(r); c++) {
			const char *n = eddy_result_colname(r, c);
			if (c == 0 || strstr(n, "state") || strstr(n, "checkpoint") ||
			    strstr(n, "restored") || strcmp(n, "rows") == 0)
				printf(" %s=%s", n,
				       eddy_result_isnull(r, c) ? "NULL" : eddy_result_text(r, c));
		}
		printf("\n");
	}
	eddy_result_free(r);
}

static int recovery(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: ingest_bench recovery DIR TARGET_MB [lookup|regular]\n");
		return 2;
	}
	bool regular = argc == 5 && strcmp(argv[4], "regular") == 0;
	char ddl[2048];
	snprintf(ddl, sizeof ddl, REC_DDL, regular ? "" : "FOR SYSTEM_TIME AS OF PROCTIME()");
	const char *dir = argv[2];
	int64_t target = atoll(argv[3]) * 1024 * 1024;
	char logdir[4096], state[4096], cmd[8300];
	snprintf(logdir, sizeof logdir, "%s/streams/ev", dir);
	snprintf(state, sizeof state, "%s/state", dir);
	char *buf = malloc((size_t)REC_BATCH * 260 + 1);
	uint64_t rng = 42;
	Eddy *db;
	EddyError err;

	/* Build: ~target bytes of log, the views kept up to date as it grows. */
	if (bench_open(dir, &db, &err) != 0)
		die("eddy_open", &err);
	exec_or_die(db, ddl);
	double t0 = now_s(), c0 = cpu_s();
	int64_t next = fill(db, 0, buf, &rng, logdir, target, 0);
	double fill_s = now_s() - t0, fill_cpu = cpu_s() - c0;
	show_views(db);
	t0 = now_s();
	eddy_close(db);
	printf("build join=%s rows=%lld log_bytes=%lld wall_s=%.1f cpu_s=%.1f rows_per_cpu_s=%.0f "
	       "close_s=%.3f\n",
	       regular ? "regular" : "lookup", (long long)next, (long long)dir_bytes(logdir), fill_s,
	       fill_cpu, (double)next / fill_cpu, now_s() - t0);
	fflush(stdout);

	/* (a) after a clean close: three opens, each checked. */
	for (int i = 0; i < 3; i++)
		timed_open(dir, "clean");

	/* (b) SIGKILL of a writer that ran 3.5 s with the default 1 s checkpoints. */
	for (int i = 0; i < 2; i++) {
		/* Ids (and event times, 1 ms per id) far after every earlier row: none is late. */
		int64_t first = next + (int64_t)(i + 1) * 5000000;
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (bench_open(dir, &db, &err) != 0)
				die("eddy_open", &err);
			fill(db, first, buf, &rng, logdir, 0, 1e9);
			_exit(0);
		}
		usleep(3500 * 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		timed_open(dir, "sigkill");
	}

	/* What the open restored; then what a checkpoint writes when few rows changed (100 rows
	 * every 100 ms for 2.5 s): it should be proportional to the changes, not to the state. */
	if (bench_open(dir, &db, &err) != 0)
		die("eddy_open", &err);
	show_views(db);
	int64_t first = next + 15000000;
	for (int i = 0; i < 25; i++) {
		size_t len = gen_rows(buf, first + (int64_t)i * 100, 100, &rng, 1);
		ingest_or_die(db, buf, len, 100);
		usleep(100 * 1000);
	}
	printf("trickle: 2500 rows in 2.5 s, 100 rows per call; the last checkpoint:\n");
	show_views(db);
	eddy_close(db);

	/* (c) DIR/state removed: every view rebuilt from the whole log. */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state);
	if (system(cmd) != 0)
		return 1;
	timed_open(dir, "no_state");
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "writers") == 0)
		return writers(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "recovery") == 0)
		return recovery(argc, argv);
	fprintf(stderr, "usage: ingest_bench writers|recovery ...\n");
	return 2;
}
