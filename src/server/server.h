/* server.h: `eddy server`: one database served over the PostgreSQL wire protocol and HTTP.
 *
 * Layer: server. Talks to the engine only through include/eddy.h. A Server owns the database
 * handle, its settings (flags > environment > config file > defaults) and the two listeners;
 * each listener is its own module with a start/stop pair (pgwire.c, http.c) running its own
 * threads. Structured log lines go through srv_log.
 */
#ifndef EDDY_SERVER_SERVER_H
#define EDDY_SERVER_SERVER_H

#include "eddy.h"

#include <stdarg.h>
#include <stdbool.h>

typedef struct Pgwire Pgwire; /* pgwire.c */
typedef struct Http Http;     /* http.c */

typedef struct ServerConfig {
	char data_dir[1024];     /* "" = in memory */
	char pg_listen[256];     /* HOST:PORT, default 127.0.0.1:4566 */
	char http_listen[256];   /* HOST:PORT, default 127.0.0.1:4567 */
	char default_user[64];   /* "eddy" */
	char auth[16];           /* "trust" (default on loopback) or "scram-sha-256" */
	int max_connections;     /* pgwire sessions (default 1000) */
	int subscriber_buffer;   /* rows buffered per slow subscriber before it is cut (65536) */
	char log_format[16];     /* "text" or "json" */
	int max_message_bytes;   /* largest frontend message accepted (default 64 MiB) */
	int nusers;              /* users from the config file (fallback to CREATE USER) */
	struct {
		char name[64];
		char password[128];
	} users[32];
	/* TLS for the PostgreSQL protocol: PEM files; both empty = SSLRequest is answered 'N'. */
	char tls_cert[1024];
	char tls_key[1024];
	int checkpoint_ms;       /* checkpoint interval of a data directory (0: 1000 ms) */
} ServerConfig;

typedef struct Server {
	ServerConfig cfg;
	Eddy *db;
	Pgwire *pg;
	Http *http;
} Server;

/* Fills cfg with defaults, then a config file (KEY = VALUE lines), then EDDY_* environment
 * variables, then the flags of `eddy server`. Returns 0, or -1 after printing what is wrong. */
int srv_config(ServerConfig *cfg, int argc, char **argv);

/* Runs the server until SIGTERM/SIGINT; returns the process exit status. */
int srv_run(ServerConfig *cfg);

/* One structured log line: level ("info", "warn", "error"), event name, then printf text. */
void srv_log(const char *level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int pgwire_start(Server *srv, Pgwire **out);
void pgwire_stop(Pgwire *pg);

int http_start(Server *srv, Http **out);
void http_stop(Http *h);

#endif
