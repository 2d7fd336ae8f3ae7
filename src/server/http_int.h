/* http_int.h: private interface between the files of the HTTP API (libmicrohttpd).
 *
 * Layer: server. http.c runs the daemon: routing, request bodies, ingest, health, metrics and
 * the counters behind them; http_sql.c answers POST /v1/sql with JSON rows; http_sse.c streams a
 * view's changes as server-sent events. Everything reaches the engine through include/eddy.h.
 * The daemon runs one thread per connection, so a handler may block (an SSE reader waits for
 * changes) without stalling other clients; the engine's subscription callback only appends to a
 * bounded per-client queue.
 */
#ifndef EDDY_SERVER_HTTP_INT_H
#define EDDY_SERVER_HTTP_INT_H

#include "base/strbuf.h"
#include "server/server.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define HTTP_MAX_BODY_DEFAULT (64u << 20) /* bytes; EDDY_HTTP_MAX_BODY overrides */
#define HTTP_MAX_ERRORS 100               /* rejected lines described per ingest response */

typedef struct HttpSse HttpSse;

/* Ingested rows per target, for /metrics. */
typedef struct HttpIngestCount {
	char name[256];
	uint64_t accepted, rejected;
} HttpIngestCount;

/* Requests per (route, status), for /metrics. */
typedef struct HttpReqCount {
	const char *route;
	int code;
	uint64_t n;
} HttpReqCount;

struct Http {
	Server *srv;
	struct MHD_Daemon *daemon;
	size_t max_body;
	pthread_mutex_t mu;        /* guards everything below */
	bool stopping;
	HttpIngestCount *ingest;
	int ningest, capingest;
	HttpReqCount *reqs;
	int nreqs, capreqs;
	HttpSse *sses;             /* live subscriptions (linked through HttpSse.next) */
};

/* Queues a response with a copy of body (Content-Type ctype) and counts it under route. */
enum MHD_Result http_reply(Http *h, struct MHD_Connection *c, const char *route, int code,
			   const char *ctype, const char *body, size_t len);
/* 4xx/5xx with {"error": {"sqlstate", "message", "position"?, "hint"?}}. */
enum MHD_Result http_error(Http *h, struct MHD_Connection *c, const char *route, int code,
			   const char *sqlstate, const char *message, int position,
			   const char *hint);
void http_count(Http *h, const char *route, int code);

/* JSON text helpers (http_sql.c). */
void json_string(StrBuf *out, const char *s);
/* "error": {"sqlstate", "message", "position" (when > 0), "hint" (when set)} */
void json_error(StrBuf *out, const char *sqlstate, const char *message, int position,
		const char *hint);
/* A value of an engine type in JSON: numbers where exact, true/false, else a string. */
void json_value(StrBuf *out, EddyType t, const char *text);
/* The string member `key` of a JSON object body, unescaped into out; -1 when absent or not a
 * string (or the body is not an object). */
int json_member_string(const char *body, size_t len, const char *key, StrBuf *out);

/* POST /v1/sql (http_sql.c). */
enum MHD_Result http_sql(Http *h, struct MHD_Connection *c, const char *route, const char *sql);

/* GET /v1/subscribe/{view} (http_sse.c). */
enum MHD_Result http_subscribe(Http *h, struct MHD_Connection *c, const char *route,
			       const char *view);
/* Open event streams (called with h->mu held). */
int http_sse_count(Http *h);
/* Wakes every SSE reader so it ends (http_stop). */
void http_sse_stop_all(Http *h);

#endif
