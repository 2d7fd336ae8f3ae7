/* log_crash.c: kill -9 against the stream log (storage/log.h).
 *
 * Usage: log_crash [KILLS [SEED]]   (defaults: 25 kills, seed 42)
 *
 * Each round forks a child that opens the log in a temporary directory with fsync='always' and
 * appends batches (sometimes several in one append) as fast as it can, printing the base offset
 * of every acknowledged batch on stdout, flushed, as soon as log_append returns. The parent kills
 * it with SIGKILL after a random delay, reads every acknowledgement it printed, reopens the log
 * (recovery) and checks: every acknowledged batch is present with its bytes, offsets run from 0
 * without gap or repetition, and every stored batch (acknowledged or not) is intact. Payloads are
 * a function of their offset, so any stored batch can be checked. The next round appends to the
 * same log. The last line is "N passed, N failed" (one check per round).
 */
#include "base/mem.h"
#include "storage/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The batch starting at offset: its rows, length and bytes. */
static uint32_t rows_at(uint64_t off)
{
	return (uint32_t)(1 + off % 7);
}

static size_t fill_at(uint64_t off, uint8_t *p)
{
	size_t len = 40 + (size_t)(off * 131 % 3000);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i % 9 == 0 ? off + i : i % 4);
	return len;
}

static void options(LogOptions *o)
{
	log_options_init(o);
	o->durability = LOG_FSYNC_ALWAYS;
	o->segment_bytes = 256 * 1024; /* rolls happen during the test, too */
	o->codec = SEG_CODEC_LZ4;
}

static void child(const char *dir, int outfd, unsigned seed)
{
	LogOptions o;
	options(&o);
	Err e;
	err_clear(&e);
	Log *l = log_open(dir, &o, NULL, &e);
	if (!l) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(2);
	}
	FILE *out = fdopen(outfd, "w");
	srand(seed);
	static uint8_t bufs[3][4096];
	for (;;) {
		uint64_t off = log_next_offset(l);
		int n = 1 + rand() % 3;
		LogBatchIn b[3];
		for (int i = 0; i < n; i++) {
			b[i] = (LogBatchIn){bufs[i], fill_at(off, bufs[i]), rows_at(off),
					    (int64_t)off, (int64_t)off};
			off += rows_at(off);
		}
		uint64_t offs[3];
		if (log_append(l, b, (size_t)n, offs, &e) != 0) {
			fprintf(stderr, "child: %s\n", e.msg);
			_exit(3);
		}
		for (int i = 0; i < n; i++)
			fprintf(out, "%llu\n", (unsigned long long)offs[i]);
		fflush(out);
	}
}

/* Reopens the log and checks it against the acknowledged offsets; 1 when all is well. */
static int verify(const char *dir, const uint8_t *acked, uint64_t nacked, uint64_t *end)
{
	LogOptions o;
	options(&o);
	Err e;
	err_clear(&e);
	LogRecovery rec;
	Log *l = log_open(dir, &o, &rec, &e);
	if (!l) {
		printf("reopen failed: %s\n", e.msg);
		return 0;
	}
	LogRange all = {0, UINT64_MAX, false, 0, 0};
	LogScan *s = log_scan_open(l, &all, &e);
	LogBatch b;
	uint64_t expect = 0;
	int ok = 1, rc;
	static uint8_t want[4096];
	uint8_t *found = mem_calloc(1, nacked + 1);
	while ((rc = log_scan_next(s, &b, &e)) == 1) {
		size_t len = fill_at(b.base_offset, want);
		if (b.base_offset != expect || b.rows != rows_at(b.base_offset) || b.len != len ||
		    memcmp(b.payload, want, len) != 0) {
			printf("bad batch at offset %llu (expected offset %llu)\n",
			       (unsigned long long)b.base_offset, (unsigned long long)expect);
			ok = 0;
			break;
		}
		if (b.base_offset < nacked)
			found[b.base_offset] = 1;
		expect += b.rows;
	}
	if (rc < 0) {
		printf("read failed: %s\n", e.msg);
		ok = 0;
	}
	for (uint64_t i = 0; ok && i < nacked; i++)
		if (acked[i] && !found[i]) {
			printf("acknowledged batch at offset %llu is missing\n",
			       (unsigned long long)i);
			ok = 0;
		}
	mem_free(found);
	log_scan_close(s);
	*end = expect;
	if (log_close(l, &e) != 0) {
		printf("close failed: %s\n", e.msg);
		ok = 0;
	}
	return ok;
}

int main(int argc, char **argv)
{
	int kills = argc > 1 ? atoi(argv[1]) : 25;
	unsigned seed = argc > 2 ? (unsigned)atoi(argv[2]) : 42;
	char tmpl[] = "/tmp/eddy_crash_XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	srand(seed);
	uint64_t cap = 1 << 20, total_acked = 0;
	uint8_t *acked = mem_calloc(1, cap);
	int passed = 0, failed = 0;
	for (int round = 0; round < kills; round++) {
		int fds[2];
		if (pipe(fds) != 0) {
			perror("pipe");
			return 1;
		}
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			child(dir, fds[1], seed + (unsigned)round);
		}
		close(fds[1]);
		/* Kill after 20..120 ms: long enough to open, recover and append a while. */
		struct timespec d = {0, (20 + rand() % 100) * 1000000L};
		nanosleep(&d, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		FILE *in = fdopen(fds[0], "r");
		unsigned long long off;
		uint64_t n = 0;
		while (fscanf(in, "%llu", &off) == 1) {
			while (off >= cap) {
				acked = mem_realloc(acked, cap * 2);
				memset(acked + cap, 0, cap);
				cap *= 2;
			}
			acked[off] = 1;
			n++;
		}
		fclose(in);
		total_acked += n;
		uint64_t end;
		bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
		if (killed && verify(dir, acked, cap, &end)) {
			passed++;
		} else {
			printf("round %d failed (child status %d)\n", round, status);
			failed++;
		}
	}
	printf("%llu batches acknowledged over %d kills\n", (unsigned long long)total_acked, kills);
	mem_free(acked);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
