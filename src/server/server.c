/* server.c: `eddy server`: settings, the run loop, shutdown and log lines.
 *
 * Layer: server. Settings come from one table (SETTINGS below): defaults, then a config file of
 * `key = value` lines, then EDDY_* environment variables, then flags. srv_run opens the
 * database, starts the pgwire and HTTP listeners, waits for SIGTERM or SIGINT (blocked in every
 * thread and taken with sigwait, so no handler runs in a random thread), then stops the
 * listeners, which finish their sessions, and closes the database. Log lines are structured:
 * `ts=... level=... event=... msg="..."`, or one JSON object per line.
 */
#include "server/server.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* ---- log lines */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static bool log_json; /* the one process-wide setting: set once by srv_run before any thread */

static void put_escaped(FILE *f, const char *s, bool json)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, json ? "\\u%04x" : "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void srv_log(const char *level, const char *event, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[64];
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));
	pthread_mutex_lock(&log_mu);
	if (log_json) {
		fprintf(stderr, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",\"msg\":\"", ts, level,
			event);
		put_escaped(stderr, msg, true);
		fputs("\"}\n", stderr);
	} else {
		fprintf(stderr, "ts=%s level=%s event=%s msg=\"", ts, level, event);
		put_escaped(stderr, msg, false);
		fputs("\"\n", stderr);
	}
	fflush(stderr);
	pthread_mutex_unlock(&log_mu);
}

/* ---- settings */

typedef enum SetKind { SET_STR, SET_INT, SET_USER, SET_PASSWORD } SetKind;

typedef struct Setting {
	const char *key;   /* config file key */
	const char *env;   /* environment variable */
	const char *flag;  /* command-line flag, or NULL */
	SetKind kind;
	size_t off;        /* offset in ServerConfig */
	size_t size;       /* for strings */
} Setting;

#define STR(k, e, f, field)                                                                        \
	{k, e, f, SET_STR, offsetof(ServerConfig, field), sizeof(((ServerConfig *)0)->field)}
#define INT(k, e, f, field) {k, e, f, SET_INT, offsetof(ServerConfig, field), sizeof(int)}

static const Setting settings[] = {
	STR("data_dir", "EDDY_DATA_DIR", "--data", data_dir),
	STR("pg_listen", "EDDY_PG_LISTEN", "--pg-listen", pg_listen),
	STR("http_listen", "EDDY_HTTP_LISTEN", "--http-listen", http_listen),
	STR("default_user", "EDDY_USER", "--user", default_user),
	STR("auth", "EDDY_AUTH", "--auth", auth),
	INT("max_connections", "EDDY_MAX_CONNECTIONS", "--max-connections", max_connections),
	INT("subscriber_buffer", "EDDY_SUBSCRIBER_BUFFER", NULL, subscriber_buffer),
	STR("log_format", "EDDY_LOG_FORMAT", "--log-format", log_format),
	INT("max_message_bytes", "EDDY_MAX_MESSAGE_BYTES", NULL, max_message_bytes),
	INT("checkpoint_interval_ms", "EDDY_CHECKPOINT_INTERVAL_MS", "--checkpoint-interval-ms",
	    checkpoint_ms),
	STR("tls_cert", "EDDY_TLS_CERT", "--tls-cert", tls_cert),
	STR("tls_key", "EDDY_TLS_KEY", "--tls-key", tls_key),
	{"user", NULL, NULL, SET_USER, 0, 0},
	{"password", "EDDY_PASSWORD", NULL, SET_PASSWORD, 0, 0},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static int add_user(ServerConfig *cfg, const char *name, const char *password)
{
	for (int i = 0; i < cfg->nusers; i++) {
		if (strcmp(cfg->users[i].name, name) == 0) {
			snprintf(cfg->users[i].password, sizeof cfg->users[i].password, "%s", password);
			return 0;
		}
	}
	if (cfg->nusers == (int)(sizeof cfg->users / sizeof cfg->users[0]))
		return -1;
	snprintf(cfg->users[cfg->nusers].name, sizeof cfg->users[0].name, "%s", name);
	snprintf(cfg->users[cfg->nusers].password, sizeof cfg->users[0].password, "%s", password);
	cfg->nusers++;
	return 0;
}

/* Applies one value; `from` names where it came from for the error message. */
static int apply(ServerConfig *cfg, const Setting *s, const char *val, const char *from)
{
	char *base = (char *)cfg;
	switch (s->kind) {
	case SET_STR:
		if (strlen(val) >= s->size) {
			fprintf(stderr, "eddy server: %s: value of %s is too long\n", from, s->key);
			return -1;
		}
		snprintf(base + s->off, s->size, "%s", val);
		return 0;
	case SET_INT: {
		char *end;
		long v = strtol(val, &end, 10);
		if (!*val || *end || v <= 0 || v > 1L << 30) {
			fprintf(stderr, "eddy server: %s: %s must be a positive integer, not \"%s\"\n",
				from, s->key, val);
			return -1;
		}
		*(int *)(base + s->off) = (int)v;
		return 0;
	}
	case SET_USER: {
		const char *colon = strchr(val, ':');
		char name[64];
		if (!colon || colon == val || (size_t)(colon - val) >= sizeof name) {
			fprintf(stderr, "eddy server: %s: user must be NAME:PASSWORD\n", from);
			return -1;
		}
		snprintf(name, sizeof name, "%.*s", (int)(colon - val), val);
		return add_user(cfg, name, colon + 1);
	}
	case SET_PASSWORD:
		return add_user(cfg, cfg->default_user, val);
	}
	return -1;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	size_t k = strspn(s, " \t");
	memmove(s, s + k, strlen(s + k) + 1);
}

static int read_config(ServerConfig *cfg, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "eddy server: cannot read config file %s\n", path);
		return -1;
	}
	char line[2048];
	int lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		trim(line);
		if (!line[0])
			continue;
		char *eq = strchr(line, '=');
		char from[1100];
		snprintf(from, sizeof from, "%s:%d", path, lineno);
		if (!eq) {
			fprintf(stderr, "eddy server: %s: expected KEY = VALUE\n", from);
			rc = -1;
			break;
		}
		*eq = 0;
		char *key = line, *val = eq + 1;
		trim(key);
		trim(val);
		size_t vl = strlen(val);
		if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
			val[vl - 1] = 0;
			val++;
		}
		size_t i;
		for (i = 0; i < NSETTINGS; i++)
			if (strcmp(settings[i].key, key) == 0)
				break;
		if (i == NSETTINGS) {
			fprintf(stderr, "eddy server: %s: unknown setting \"%s\"\n", from, key);
			rc = -1;
		} else {
			rc = apply(cfg, &settings[i], val, from);
		}
	}
	fclose(f);
	return rc;
}

static void usage(void)
{
	fputs("usage: eddy server [--data DIR] [--pg-listen HOST:PORT] [--http-listen HOST:PORT]\n"
	      "                   [--config FILE] [--auth trust|scram-sha-256] [--user NAME]\n"
	      "                   [--max-connections N] [--log-format text|json]\n"
	      "                   [--tls-cert FILE --tls-key FILE] [--checkpoint-interval-ms N]\n",
	      stderr);
}

static bool is_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "localhost:", 10) == 0 ||
	       strncmp(listen, "[::1]:", 6) == 0;
}

int srv_config(ServerConfig *cfg, int argc, char **argv)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->pg_listen, sizeof cfg->pg_listen, "127.0.0.1:4566");
	snprintf(cfg->http_listen, sizeof cfg->http_listen, "127.0.0.1:4567");
	snprintf(cfg->default_user, sizeof cfg->default_user, "eddy");
	cfg->max_connections = 1000;
	cfg->subscriber_buffer = 65536;
	cfg->max_message_bytes = 64 << 20;
	snprintf(cfg->log_format, sizeof cfg->log_format, "text");
	/* The config file first (named by --config or EDDY_CONFIG), so the rest override it. */
	const char *config = getenv("EDDY_CONFIG");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
			return -1;
		}
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[i + 1];
	}
	if (config && *config && read_config(cfg, config) < 0)
		return -1;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *v = settings[i].env ? getenv(settings[i].env) : NULL;
		if (v && apply(cfg, &settings[i], v, settings[i].env) < 0)
			return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			i++;
			continue;
		}
		size_t k;
		for (k = 0; k < NSETTINGS; k++)
			if (settings[k].flag && strcmp(settings[k].flag, argv[i]) == 0)
				break;
		if (k == NSETTINGS || i + 1 >= argc) {
			fprintf(stderr, "eddy server: unexpected argument \"%s\"\n", argv[i]);
			usage();
			return -1;
		}
		if (apply(cfg, &settings[k], argv[++i], settings[k].flag) < 0)
			return -1;
	}
	/* Trust is the default only where nobody else can connect. */
	if (!cfg->auth[0])
		snprintf(cfg->auth, sizeof cfg->auth, "%s",
			 is_loopback(cfg->pg_listen) ? "trust" : "scram-sha-256");
	if (strcmp(cfg->auth, "trust") != 0 && strcmp(cfg->auth, "scram-sha-256") != 0) {
		fprintf(stderr, "eddy server: auth must be trust or scram-sha-256, not \"%s\"\n",
			cfg->auth);
		return -1;
	}
	if (strcmp(cfg->log_format, "text") != 0 && strcmp(cfg->log_format, "json") != 0) {
		fprintf(stderr, "eddy server: log_format must be text or json\n");
		return -1;
	}
	return 0;
}

int srv_run(ServerConfig *cfg)
{
	log_json = strcmp(cfg->log_format, "json") == 0;
	/* Block the stop signals in every thread (threads inherit the mask); the main thread takes
	 * them with sigwait. A peer that closes a socket must not kill the process. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	Server srv;
	memset(&srv, 0, sizeof srv);
	srv.cfg = *cfg;
	EddyError err;
	EddyOptions eo = {.data_dir = cfg->data_dir[0] ? cfg->data_dir : NULL,
			  .checkpoint_ms = cfg->checkpoint_ms};
	if (eddy_open_ex(&eo, &srv.db, &err) < 0) {
		srv_log("error", "open_failed", "%s: %s", cfg->data_dir, err.message);
		return 1;
	}
	if (strcmp(cfg->auth, "scram-sha-256") == 0 && cfg->nusers == 0)
		srv_log("warn", "no_users",
			"auth is scram-sha-256 but no user has a password (set EDDY_PASSWORD or "
			"`user = name:password`): nobody can log in");
	if (pgwire_start(&srv, &srv.pg) < 0) {
		eddy_close(srv.db);
		return 1;
	}
	if (http_start(&srv, &srv.http) < 0) {
		pgwire_stop(srv.pg);
		eddy_close(srv.db);
		return 1;
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	srv_log("info", "ready", "eddy %s serving %s (pg %s, http %s) in %.1f ms", EDDY_VERSION,
		cfg->data_dir[0] ? cfg->data_dir : ":memory:", cfg->pg_listen, cfg->http_listen,
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	int sig = 0;
	sigwait(&stop, &sig);
	srv_log("info", "stopping", "signal %s: closing listeners and sessions",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_stop(srv.http);
	pgwire_stop(srv.pg);
	eddy_close(srv.db);
	srv_log("info", "stopped", "database closed");
	return 0;
}
