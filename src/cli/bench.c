/* bench.c: `eddy bench nexmark`: the Nexmark queries on the built-in generator, measured.
 *
 * Layer: cli. Runs every query through the library's front door (include/eddy.h) as a user
 * would: an in-memory database, bench/nexmark/ddl.sql with the run's options filled in (bounded
 * nexmark sources of N events), the query's SELECT with its output discarded, FLUSH. Each query
 * runs in a child process of its own, so that its peak resident memory and CPU time are its
 * own and not those of the queries before it: the child first warms up (a run of a tenth of the
 * events, by default, on a database it then closes), resets the peak-RSS counter, then measures
 * the real run. The parent draws a progress bar on a terminal and prints the table or JSON.
 *
 * Output into a blackhole: the query becomes `CREATE SINK ... WITH (connector = 'blackhole',
 * type = 'upsert')` (a blackhole takes every change kind), as the Nexmark harnesses do. Where
 * the engine cannot sink a query into a blackhole, the query runs as its materialized view,
 * and the output says so ("output": "mview"): the view's store is then part of the measured
 * work and of the state. q10 is a file sink of its own ("output": "sink", into a temporary
 * folder).
 *
 * State at the end: a view's is what SHOW MATERIALIZED VIEWS reports; a sink's (SHOW SINKS has
 * no such column) is the growth of the bytes allocated through base/mem.h from before CREATE
 * to after FLUSH ("state_source": "heap"), which also counts the dataflow's buffers.
 *
 * Threads: with --threads T > 1 the query runs through eddy_run_parallel: T dataflow instances
 * over key partitions on T threads (stream/parallel.h), output counted and discarded ("output":
 * "parallel"). A query the parallel path cannot run yet (a lookup join, a table input, ...) runs
 * on one thread as above, and the report says so and why ("threads": 1, "single_reason").
 *
 * Never: timing assertions. This is a measuring tool; tests check only the shape of its output.
 */
#define _GNU_SOURCE
#include "cli/cli.h"

#include "base/mem.h"
#include "base/strbuf.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NQUERIES 23

enum { OUT_MVIEW, OUT_BLACKHOLE, OUT_SINK, OUT_PARALLEL };
static const char *const out_names[] = {"mview", "blackhole", "sink", "parallel"};

typedef struct BenchOpts {
	int64_t events;
	int64_t warmup;       /* events of the warm-up run; -1: a tenth of events */
	int threads;
	int64_t seed;
	double rate;
	const char *base_time;
	const char *dir;      /* the folder of ddl.sql and qN.sql */
	int json;
	int progress;
	int try_blackhole;    /* 0 after --no-blackhole */
	const char *csv;      /* --csv DIR: events from its CSV files, not the generator */
} BenchOpts;

/* What a child reports to its parent through a pipe: first a warm-up message (kind 'w'), then
 * the result (kind 'r'). Fixed-size, so one write each. */
typedef struct BenchMsg {
	char kind;
	int ok;
	int output;           /* OUT_MVIEW, OUT_BLACKHOLE, OUT_SINK */
	int state_heap;       /* 1 when state_bytes is the heap's growth, not SHOW's */
	int64_t events;
	double wall_s, cpu_s;
	int64_t peak_rss;
	int64_t state_bytes;  /* -1 when the engine reports none */
	int64_t rows;         /* rows in the view at the end (mview mode), -1 otherwise */
	double warm_eps;      /* warm-up events per wall second ('w') */
	int threads;          /* threads the run used */
	char single[160];     /* why a run asked for threads > 1 used one ("" otherwise) */
	char sqlstate[6];
	char error[512];
} BenchMsg;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Peak resident set of this process in bytes: VmHWM, else ru_maxrss. */
static int64_t peak_rss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (f) {
		char line[256];
		long long kb = -1;
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
				break;
		fclose(f);
		if (kb >= 0)
			return (int64_t)kb * 1024;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)ru.ru_maxrss * 1024;
}

/* Resets the peak-RSS counter to the current RSS (Linux >= 4.0), so that the measured run's peak
 * is not the warm-up's. Where it cannot, the warm-up (a tenth of the events) rarely sets it. */
static void reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static char *read_file(const char *dir, const char *name)
{
	StrBuf path;
	sb_init(&path);
	sb_printf(&path, "%s/%s", dir, name);
	FILE *f = fopen(path.data, "rb");
	sb_deinit(&path);
	if (!f)
		return NULL;
	StrBuf sb;
	sb_init(&sb);
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_append(&sb, buf, n);
	fclose(f);
	sb_putc(&sb, '\0');
	return sb_take(&sb);
}

/* Replaces every ${NAME} of the table by its value, as envsubst would. */
static void substitute(StrBuf *out, const char *text, const char *const *names,
		       const char *const *values, int n)
{
	for (const char *p = text; *p;) {
		int hit = -1;
		if (p[0] == '$' && p[1] == '{')
			for (int i = 0; i < n && hit < 0; i++) {
				size_t len = strlen(names[i]);
				if (strncmp(p + 2, names[i], len) == 0 && p[2 + len] == '}')
					hit = i;
			}
		if (hit < 0) {
			sb_putc(out, *p++);
			continue;
		}
		sb_puts(out, values[hit]);
		p += 2 + strlen(names[hit]) + 1;
	}
}

/* The query's statement with its output into a blackhole: CREATE MATERIALIZED VIEW becomes
 * CREATE SINK ... WITH (connector = 'blackhole', type = 'upsert'). Returns 0 when the text has
 * no view to turn (q10 is a sink already). */
static int to_blackhole(const char *q, StrBuf *out)
{
	static const char kw[] = "CREATE MATERIALIZED VIEW";
	const char *at = NULL;
	for (const char *p = q; *p && !at; p++)
		if (strncasecmp(p, kw, sizeof kw - 1) == 0)
			at = p;
	if (!at)
		return 0;
	sb_append(out, q, (size_t)(at - q));
	sb_puts(out, "CREATE SINK");
	const char *rest = at + sizeof kw - 1;
	size_t len = strlen(rest);
	while (len > 0 && (strchr(" \t\r\n;", rest[len - 1])))
		len--;
	sb_append(out, rest, len);
	sb_puts(out, "\nWITH (connector = 'blackhole', type = 'upsert');\n");
	return 1;
}

typedef struct StateSum {
	int64_t state, rows;
	int seen;
} StateSum;

/* Sums the state_bytes (and rows) columns of a SHOW result. */
static int sum_state(void *ctx, EddyResult *res)
{
	StateSum *s = ctx;
	int cs = -1, cr = -1;
	for (int c = 0; c < eddy_result_ncols(res); c++) {
		if (strcmp(eddy_result_colname(res, c), "state_bytes") == 0)
			cs = c;
		if (strcmp(eddy_result_colname(res, c), "rows") == 0)
			cr = c;
	}
	while (eddy_result_next(res)) {
		if (cs >= 0 && !eddy_result_isnull(res, cs)) {
			s->state += eddy_result_int64(res, cs);
			s->seen = 1;
		}
		if (cr >= 0 && !eddy_result_isnull(res, cr))
			s->rows += eddy_result_int64(res, cr);
	}
	return 0;
}

static void fail(BenchMsg *m, const EddyError *err)
{
	m->ok = 0;
	snprintf(m->sqlstate, sizeof m->sqlstate, "%s", err->sqlstate);
	memcpy(m->error, err->message, sizeof m->error);
	m->error[sizeof m->error - 1] = '\0';
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* One run of query q on n events: setup outside the clock, then CREATE + FLUSH measured. With
 * *blackhole set, tries the blackhole sink first and clears *blackhole when the engine has none. */
static void run_once(const BenchOpts *o, int q, int64_t n, int *blackhole, BenchMsg *m)
{
	memset(m, 0, sizeof *m);
	m->kind = 'r';
	m->state_bytes = -1;
	m->rows = -1;
	m->events = n;
	char qname[16];
	snprintf(qname, sizeof qname, "q%d.sql", q);
	char *ddl = read_file(o->dir, "ddl.sql");
	char *qtext = read_file(o->dir, qname);
	char *side = q == 13 ? read_file(o->dir, "side_input.sql") : NULL;
	if (!ddl || !qtext || (q == 13 && !side)) {
		snprintf(m->error, sizeof m->error, "cannot read %s/ddl.sql or %s/%s", o->dir,
			 o->dir, qname);
		snprintf(m->sqlstate, sizeof m->sqlstate, "58P01");
		goto out;
	}
	char outdir[] = "/tmp/eddy-bench-XXXXXX";
	int have_outdir = q == 10 && mkdtemp(outdir) != NULL;
	char ev[32], seed[32], rate[32];
	snprintf(ev, sizeof ev, "%lld", (long long)n);
	snprintf(seed, sizeof seed, "%lld", (long long)o->seed);
	snprintf(rate, sizeof rate, "%.17g", o->rate);
	const char *names[] = {"NEXMARK_EVENTS", "NEXMARK_SEED", "NEXMARK_RATE",
			       "NEXMARK_BASE_TIME", "NEXMARK_OUT"};
	const char *values[] = {ev, seed, rate, o->base_time, outdir};
	StrBuf setup, query, bh;
	sb_init(&setup);
	sb_init(&query);
	sb_init(&bh);
	if (o->csv) /* bench_csv.c: streams in place of the generator's sources */
		sb_puts(&setup, bench_csv_ddl());
	else
		substitute(&setup, ddl, names, values, 5);
	if (side)
		sb_puts(&setup, side);
	substitute(&query, qtext, names, values, 5);

	Eddy *db = NULL;
	EddyError err;
	EddyOptions eo = {.data_dir = NULL, .tick_ms = 1000};
	if (eddy_open_ex(&eo, &db, &err) < 0 || eddy_exec(db, setup.data, NULL, NULL, &err) < 0) {
		fail(m, &err);
		goto close;
	}
	unsigned csv_tables = o->csv ? bench_csv_tables(db, query.data) : 0;
	int is_view = to_blackhole(query.data, &bh);
	int use_bh = *blackhole && is_view;
	size_t heap0 = mem_in_use();
	double c0 = cpu_s(), t0 = now_s();
	m->threads = 1;
	if (o->threads > 1 && is_view) {
		int64_t rows = 0;
		if (eddy_run_parallel(db, query.data, o->threads, &rows, &err) == 0) {
			m->wall_s = now_s() - t0;
			m->cpu_s = cpu_s() - c0;
			m->peak_rss = peak_rss();
			m->output = OUT_PARALLEL;
			m->threads = o->threads;
			m->rows = rows;
			m->ok = 1;
			goto close;
		}
		if (strcmp(err.sqlstate, "0A000")) {
			fail(m, &err);
			goto close;
		}
		snprintf(m->single, sizeof m->single, "%.150s", err.message);
		c0 = cpu_s();
		t0 = now_s();
	}
	if (use_bh && eddy_exec(db, bh.data, NULL, NULL, &err) < 0) {
		/* The engine cannot sink this query into a blackhole: measure the view itself. */
		if (strcmp(err.sqlstate, "0A000") && strcmp(err.sqlstate, "42704") &&
		    strcmp(err.sqlstate, "42601") && strcmp(err.sqlstate, "22023")) {
			fail(m, &err);
			goto close;
		}
		use_bh = 0;
		*blackhole = 0;
		c0 = cpu_s();
		t0 = now_s();
	}
	if ((!use_bh && eddy_exec(db, query.data, NULL, NULL, &err) < 0) ||
	    (o->csv && bench_csv_feed(db, o->csv, n, csv_tables, &err) < 0) ||
	    eddy_flush(db, &err) < 0) {
		fail(m, &err);
		goto close;
	}
	m->wall_s = now_s() - t0;
	m->cpu_s = cpu_s() - c0;
	m->peak_rss = peak_rss();
	m->output = use_bh ? OUT_BLACKHOLE : is_view ? OUT_MVIEW : OUT_SINK;
	size_t heap1 = mem_in_use();
	StateSum st = {0, 0, 0};
	if (eddy_exec(db, "SHOW MATERIALIZED VIEWS", sum_state, &st, &err) == 0 && is_view &&
	    !use_bh)
		m->rows = st.rows;
	if (m->output != OUT_MVIEW) /* a sink's state, where SHOW SINKS reports it */
		(void)eddy_exec(db, "SHOW SINKS", sum_state, &st, &err);
	if (st.seen) {
		m->state_bytes = st.state;
	} else {
		m->state_bytes = heap1 > heap0 ? (int64_t)(heap1 - heap0) : 0;
		m->state_heap = 1;
	}
	m->ok = 1;
close:
	if (db)
		eddy_close(db);
	sb_deinit(&setup);
	sb_deinit(&query);
	sb_deinit(&bh);
	if (have_outdir)
		nftw(outdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
out:
	mem_free(ddl);
	mem_free(qtext);
	mem_free(side);
}

static void child_main(const BenchOpts *o, int q, int fd)
{
	int blackhole = o->try_blackhole;
	BenchMsg m;
	int64_t warm = o->warmup >= 0 ? o->warmup : o->events / 10;
	if (warm > 0) {
		run_once(o, q, warm, &blackhole, &m);
		if (!m.ok) {
			(void)!write(fd, &m, sizeof m);
			return;
		}
		m.kind = 'w';
		m.warm_eps = m.wall_s > 0 ? (double)warm / m.wall_s : 0;
		(void)!write(fd, &m, sizeof m);
	}
	reset_peak_rss();
	run_once(o, q, o->events, &blackhole, &m);
	(void)!write(fd, &m, sizeof m);
}

/* Draws "q5 [#####.....]  45%  12.3 s" on stderr. The fraction is an estimate from the warm-up's
 * rate (the engine has no progress callback), so it stops at 99 % until the run ends. */
static void draw_bar(int q, double elapsed, double expect)
{
	double f = expect > 0 ? elapsed / expect : 0;
	if (f > 0.99)
		f = 0.99;
	char bar[41];
	int w = (int)(f * 40);
	for (int i = 0; i < 40; i++)
		bar[i] = i < w ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\r  q%-3d [%s] %3d%%  %6.1f s  ", q, bar, (int)(f * 100), elapsed);
	fflush(stderr);
}

static int bench_query(const BenchOpts *o, int q, BenchMsg *res)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		child_main(o, q, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	memset(res, 0, sizeof *res);
	res->state_bytes = -1;
	snprintf(res->error, sizeof res->error, "the benchmark process died");
	double start = now_s(), expect = 0, measure_start = 0;
	int got = 0;
	for (;;) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		int pr = poll(&p, 1, o->progress ? 200 : -1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr > 0) {
			BenchMsg m;
			ssize_t n = read(fds[0], &m, sizeof m);
			if (n != (ssize_t)sizeof m)
				break;
			if (m.kind == 'w') {
				measure_start = now_s();
				expect = m.warm_eps > 0 ? (double)o->events / m.warm_eps : 0;
				continue;
			}
			*res = m;
			got = 1;
			break;
		}
		if (o->progress)
			draw_bar(q, now_s() - (measure_start ? measure_start : start),
				 measure_start ? expect : 0);
	}
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 70, "");
	if (!got && WIFSIGNALED(status))
		snprintf(res->error, sizeof res->error, "the benchmark process died of signal %d",
			 WTERMSIG(status));
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const BenchOpts *o, int q, const BenchMsg *m)
{
	printf("{\"query\":\"q%d\",\"input\":\"%s\"", q, o->csv ? "csv" : "generator");
	if (!m->ok) {
		printf(",\"events\":%lld,\"error\":", (long long)o->events);
		json_str(m->error);
		printf(",\"sqlstate\":");
		json_str(m->sqlstate);
		printf("}\n");
		return;
	}
	double cpu = m->cpu_s > 0 ? m->cpu_s : 1e-9, wall = m->wall_s > 0 ? m->wall_s : 1e-9;
	printf(",\"events\":%lld,\"wall_s\":%.6f,\"cpu_s\":%.6f,\"events_per_s\":%.1f,"
	       "\"events_per_core_s\":%.1f,\"peak_rss_bytes\":%lld,\"state_bytes\":",
	       (long long)m->events, m->wall_s, m->cpu_s, (double)m->events / wall,
	       (double)m->events / cpu, (long long)m->peak_rss);
	if (m->state_bytes >= 0)
		printf("%lld", (long long)m->state_bytes);
	else
		printf("null");
	printf(",\"state_source\":\"%s\",\"output\":\"%s\",\"rows\":",
	       m->state_heap ? "heap" : "show", out_names[m->output]);
	if (m->rows >= 0)
		printf("%lld", (long long)m->rows);
	else
		printf("null");
	printf(",\"threads\":%d,\"threads_requested\":%d,\"seed\":%lld,\"rate\":%.17g",
	       m->threads, o->threads, (long long)o->seed, o->rate);
	if (m->single[0]) {
		printf(",\"single_reason\":");
		json_str(m->single);
	}
	printf("}\n");
}

static void human_bytes(char *buf, size_t n, int64_t b)
{
	if (b < 0)
		snprintf(buf, n, "-");
	else if (b >= 1 << 30)
		snprintf(buf, n, "%.2f GiB", (double)b / (1 << 30));
	else if (b >= 1 << 20)
		snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, n, "%.1f KiB", (double)b / 1024);
}

static void print_row(int q, const BenchMsg *m)
{
	if (!m->ok) {
		printf("q%-4d error: %s%s%s%s\n", q, m->error, m->sqlstate[0] ? " (SQLSTATE " : "",
		       m->sqlstate, m->sqlstate[0] ? ")" : "");
		return;
	}
	char rss[32], st[32];
	human_bytes(rss, sizeof rss, m->peak_rss);
	human_bytes(st, sizeof st, m->state_bytes);
	double cpu = m->cpu_s > 0 ? m->cpu_s : 1e-9, wall = m->wall_s > 0 ? m->wall_s : 1e-9;
	printf("q%-4d %-9s %7d %11lld %8.2f %8.2f %12.0f %14.0f %11s %11s\n", q,
	       out_names[m->output], m->threads, (long long)m->events, m->wall_s, m->cpu_s,
	       (double)m->events / wall, (double)m->events / cpu, rss, st);
	if (m->single[0])
		printf("      one thread: %s\n", m->single);
}

static void bench_usage(FILE *f)
{
	fputs("usage: eddy bench nexmark [--query qN[,qM...]|all] [--events N] [--warmup N]\n"
	      "                          [--threads T] [--seed S] [--rate R] [--base-time T]\n"
	      "                          [--dir DIR] [--csv DIR] [--no-blackhole] [--json]\n",
	      f);
}

static int parse_queries(const char *v, int *sel)
{
	if (strcmp(v, "all") == 0) {
		for (int i = 0; i < NQUERIES; i++)
			sel[i] = 1;
		return 0;
	}
	for (const char *p = v; *p;) {
		if (*p == 'q' || *p == 'Q')
			p++;
		char *end;
		long n = strtol(p, &end, 10);
		if (end == p || n < 0 || n >= NQUERIES || (*end && *end != ','))
			return -1;
		sel[n] = 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int cli_bench(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "nexmark") != 0) {
		bench_usage(stderr);
		return 2;
	}
	/* --threads defaults to every online core; the per-core tables pass --threads 1. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	BenchOpts o = {.events = 1000000, .warmup = -1, .threads = cores > 1 ? (int)cores : 1,
		       .seed = 0, .rate = 10000, .base_time = "2015-07-15 00:00:00",
		       .dir = "bench/nexmark", .try_blackhole = 1};
	int sel[NQUERIES] = {0};
	int any = 0;
	for (int i = 2; i < argc; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "--json") == 0) {
			o.json = 1;
			continue;
		}
		if (strcmp(opt, "--no-blackhole") == 0) {
			o.try_blackhole = 0;
			continue;
		}
		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			bench_usage(stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "eddy bench: %s needs a value\n", opt);
			return 2;
		}
		const char *v = argv[++i];
		char *end = NULL;
		if (strcmp(opt, "--query") == 0) {
			if (parse_queries(v, sel) < 0) {
				fprintf(stderr, "eddy bench: invalid query \"%s\" (q0 ... q22 or all)\n",
					v);
				return 2;
			}
			any = 1;
			continue;
		}
		if (strcmp(opt, "--events") == 0)
			o.events = strtoll(v, &end, 10);
		else if (strcmp(opt, "--warmup") == 0)
			o.warmup = strtoll(v, &end, 10);
		else if (strcmp(opt, "--threads") == 0)
			o.threads = (int)strtol(v, &end, 10);
		else if (strcmp(opt, "--seed") == 0)
			o.seed = strtoll(v, &end, 10);
		else if (strcmp(opt, "--rate") == 0)
			o.rate = strtod(v, &end);
		else if (strcmp(opt, "--base-time") == 0)
			o.base_time = v;
		else if (strcmp(opt, "--dir") == 0)
			o.dir = v;
		else if (strcmp(opt, "--csv") == 0)
			o.csv = v;
		else {
			fprintf(stderr, "eddy bench: unknown option \"%s\"\n", opt);
			bench_usage(stderr);
			return 2;
		}
		if (end && (*end || end == v || o.events < 1 || o.warmup < -1 || o.threads < 1 ||
			    !(o.rate > 0))) {
			fprintf(stderr, "eddy bench: invalid value \"%s\" for %s\n", v, opt);
			return 2;
		}
	}
	if (!any)
		parse_queries("all", sel);
	char *probe = read_file(o.dir, "ddl.sql");
	if (!probe) {
		fprintf(stderr, "eddy bench: cannot read %s/ddl.sql (run from the source tree, or "
				"pass --dir bench/nexmark)\n", o.dir);
		return 1;
	}
	mem_free(probe);
	o.progress = isatty(2);
	signal(SIGPIPE, SIG_IGN);
	if (!o.json) {
		printf("eddy %s: Nexmark, %lld events per query (warm-up %lld), seed %lld, "
		       "%.17g events/s of event time\n",
		       EDDY_VERSION, (long long)o.events,
		       (long long)(o.warmup >= 0 ? o.warmup : o.events / 10), (long long)o.seed,
		       o.rate);
		if (o.threads > 1)
			printf("threads: %d parallel dataflow instances over key partitions (output "
			       "\"parallel\": counted, discarded); a query that cannot run in "
			       "parallel yet runs on one thread and says why\n", o.threads);
		else
			printf("threads: 1 (--threads T runs T parallel dataflow instances)\n");
		if (o.csv)
			printf("input: %s/{person,auction,bid}.csv through eddy_ingest\n", o.csv);
		printf("%-5s %-9s %7s %11s %8s %8s %12s %14s %11s %11s\n", "query", "output",
		       "threads", "events", "wall_s", "cpu_s", "events/s", "events/s/core",
		       "peak_rss", "state");
	}
	int failed = 0, mview = 0;
	for (int q = 0; q < NQUERIES; q++) {
		if (!sel[q])
			continue;
		BenchMsg m;
		if (bench_query(&o, q, &m) < 0) {
			perror("eddy bench");
			return 1;
		}
		failed += !m.ok;
		mview += m.ok && m.output == OUT_MVIEW;
		if (o.json)
			print_json(&o, q, &m);
		else
			print_row(q, &m);
		fflush(stdout);
	}
	if (!o.json && mview)
		printf("output \"mview\": the engine could not sink these queries into a blackhole, so "
		       "they ran as their materialized view; its store is included in time, memory "
		       "and state.\n");
	return failed ? 1 : 0;
}
