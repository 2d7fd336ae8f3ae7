/* http_server_test.c: the HTTP API alone on an in-memory database, for tests.
 *
 * Usage: http_server_test --http-listen HOST:PORT [--subscriber-buffer N]
 * Starts http_start (src/server/http.c) on a fresh in-memory database and serves until SIGTERM
 * or SIGINT, then stops the listener and closes the database. tests/integration/http_curl.sh uses
 * it when `eddy server` is not built; it lets the HTTP API be tested without the pgwire listener.
 */
#include "server/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The server's own srv_log (server.c) wins when it is linked in. */
__attribute__((weak)) void srv_log(const char *level, const char *event, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "level=%s event=%s msg=\"", level, event);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\"\n");
	va_end(ap);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	static Server srv;
	snprintf(srv.cfg.http_listen, sizeof srv.cfg.http_listen, "127.0.0.1:4567");
	srv.cfg.subscriber_buffer = 65536;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--http-listen") == 0)
			snprintf(srv.cfg.http_listen, sizeof srv.cfg.http_listen, "%s", argv[i + 1]);
		else if (strcmp(argv[i], "--subscriber-buffer") == 0)
			srv.cfg.subscriber_buffer = atoi(argv[i + 1]);
		else
			fprintf(stderr, "http_server_test: ignoring %s\n", argv[i]);
	}
	EddyError err;
	if (eddy_open(NULL, &srv.db, &err) != 0) {
		fprintf(stderr, "http_server_test: %s\n", err.message);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (http_start(&srv, &srv.http) != 0) {
		eddy_close(srv.db);
		return 1;
	}
	while (!stop)
		pause();
	http_stop(srv.http);
	eddy_close(srv.db);
	return 0;
}
