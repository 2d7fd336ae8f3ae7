/* latency.c: time from an HTTP ingest acknowledgement to the change reaching a subscriber.
 *
 * Usage: latency HTTP_PORT PG_PORT [ROWS_PER_S [SECONDS [BATCH]]]  (50000, 10, 100)
 * Build and the numbers measured: bench/server/README.md. Not run by `make test`.
 *
 * Against a running `eddy server` on 127.0.0.1: creates a stream `lat (b bigint, i int, pad
 * varchar)` and a view `lat_mark` holding the rows with i = 0, subscribes to the view over
 * pgwire (SUBSCRIBE, libpq single-row mode) and over HTTP (server-sent events), then posts
 * NDJSON batches of BATCH rows (b = batch number, i = 0..BATCH-1) on one keep-alive connection,
 * paced to ROWS_PER_S on an absolute schedule. Batch b's marker row reaching each subscriber is
 * timed against the moment the POST's response was read (ack) and the moment it was sent.
 * The engine inserts before it answers, so a change may reach a subscriber before the ack
 * arrives: those samples count as 0 in "ack -> change". Percentiles over every batch.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int nbatches;
static double *t_send, *t_ack, *t_pg, *t_sse;
static volatile int done;
static int http_port, pg_port;

static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static PGconn *pg_connect(void)
{
	char info[128];
	snprintf(info, sizeof info, "host=127.0.0.1 port=%d user=eddy dbname=eddy", pg_port);
	PGconn *c = PQconnectdb(info);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static void mark(double *t, long b)
{
	if (b >= 0 && b < nbatches && t[b] == 0)
		t[b] = now_us();
}

static void *pg_sub(void *arg)
{
	PGconn *c = arg;
	PGresult *r;
	while (!done && (r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) == PGRES_SINGLE_TUPLE)
			mark(t_pg, atol(PQgetvalue(r, 0, 1)));
		PQclear(r);
	}
	return NULL;
}

static void *sse_sub(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];
	size_t have = 0;
	ssize_t n;
	while (!done && (n = recv(fd, buf + have, sizeof buf - 1 - have, 0)) > 0) {
		have += (size_t)n;
		buf[have] = 0;
		char *p = buf, *hit;
		while ((hit = strstr(p, "\"b\":")) != NULL && strchr(hit, '}')) {
			mark(t_sse, atol(hit + 4));
			p = strchr(hit, '}') + 1;
		}
		have -= (size_t)(p - buf);
		memmove(buf, p, have);
	}
	return NULL;
}

/* Reads one HTTP response (headers, then Content-Length bytes of body); 0 when complete. */
static int read_response(int fd, char *buf, size_t cap)
{
	size_t have = 0;
	for (;;) {
		ssize_t n = recv(fd, buf + have, cap - 1 - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		char *cl = strcasestr(buf, "content-length:");
		if (end && cl && have >= (size_t)(end + 4 - buf) + (size_t)atol(cl + 15))
			return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, const double *to, const double *from, int clamp)
{
	double *d = malloc(sizeof(double) * (size_t)nbatches);
	int n = 0, missing = 0;
	for (int b = 0; b < nbatches; b++) {
		if (to[b] == 0 || from[b] == 0) {
			missing++;
			continue;
		}
		double v = to[b] - from[b];
		d[n++] = clamp && v < 0 ? 0 : v;
	}
	qsort(d, (size_t)n, sizeof *d, cmp);
	if (n == 0) {
		printf("%-28s no samples\n", what);
	} else {
		printf("%-28s n=%d p50=%.0f us p99=%.0f us p99.9=%.0f us max=%.0f us missing=%d\n", what, n,
		       d[n / 2], d[(int)(n * 0.99)], d[(int)(n * 0.999)], d[n - 1], missing);
	}
	free(d);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: latency HTTP_PORT PG_PORT [ROWS_PER_S [SECONDS [BATCH]]]\n");
		return 2;
	}
	http_port = atoi(argv[1]);
	pg_port = atoi(argv[2]);
	double rate = argc > 3 ? atof(argv[3]) : 50000;
	double seconds = argc > 4 ? atof(argv[4]) : 10;
	int batch = argc > 5 ? atoi(argv[5]) : 100;
	nbatches = (int)(rate * seconds / batch);
	t_send = calloc((size_t)nbatches, sizeof(double));
	t_ack = calloc((size_t)nbatches, sizeof(double));
	t_pg = calloc((size_t)nbatches, sizeof(double));
	t_sse = calloc((size_t)nbatches, sizeof(double));

	PGconn *ddl = pg_connect();
	PQclear(PQexec(ddl, "CREATE STREAM lat (b bigint, i int, pad varchar);"
			    "CREATE MATERIALIZED VIEW lat_mark AS SELECT b FROM lat WHERE i = 0"));
	PGconn *sub = pg_connect();
	if (!PQsendQuery(sub, "SUBSCRIBE lat_mark WITH (SNAPSHOT false)") ||
	    !PQsetSingleRowMode(sub)) {
		fprintf(stderr, "%s", PQerrorMessage(sub));
		return 1;
	}
	int sse = tcp_connect(http_port);
	const char *get = "GET /v1/subscribe/lat_mark HTTP/1.1\r\nHost: x\r\n\r\n";
	if (send(sse, get, strlen(get), 0) < 0)
		return 1;
	pthread_t tp, ts;
	pthread_create(&tp, NULL, pg_sub, sub);
	pthread_create(&ts, NULL, sse_sub, &sse);
	usleep(200000);

	int fd = tcp_connect(http_port);
	size_t cap = (size_t)batch * 64 + 256;
	char *body = malloc(cap), *req = malloc(cap + 256), resp[4096];
	double period = batch / rate * 1e6, t0 = now_us();
	for (int b = 0; b < nbatches; b++) {
		double due = t0 + b * period;
		while (now_us() < due)
			usleep(50);
		size_t len = 0;
		for (int i = 0; i < batch; i++)
			len += (size_t)snprintf(body + len, cap - len,
						"{\"b\":%d,\"i\":%d,\"pad\":\"card-payment\"}\n", b, i);
		int hl = snprintf(req, 256,
				  "POST /v1/streams/lat HTTP/1.1\r\nHost: x\r\n"
				  "Content-Type: application/x-ndjson\r\nContent-Length: %zu\r\n\r\n",
				  len);
		memcpy(req + hl, body, len);
		t_send[b] = now_us();
		if (send(fd, req, (size_t)hl + len, 0) < 0 || read_response(fd, resp, sizeof resp) < 0) {
			fprintf(stderr, "POST failed at batch %d: %.200s\n", b, resp);
			return 1;
		}
		t_ack[b] = now_us();
	}
	double wall = (now_us() - t0) / 1e6;
	usleep(500000);
	done = 1;
	printf("%d batches of %d rows in %.2f s (%.0f rows/s offered)\n", nbatches, batch, wall,
	       nbatches * (double)batch / wall);
	report("ack -> SUBSCRIBE (pgwire)", t_pg, t_ack, 1);
	report("ack -> SSE", t_sse, t_ack, 1);
	report("send -> SUBSCRIBE (pgwire)", t_pg, t_send, 0);
	report("send -> SSE", t_sse, t_send, 0);
	report("send -> ack", t_ack, t_send, 0);
	shutdown(sse, SHUT_RDWR);
	PGcancel *cc = PQgetCancel(sub);
	char eb[256];
	PQcancel(cc, eb, sizeof eb);
	PQfreeCancel(cc);
	pthread_join(tp, NULL);
	pthread_join(ts, NULL);
	PQfinish(sub);
	PQfinish(ddl);
	return 0;
}
