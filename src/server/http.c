/* http.c: eddy's HTTP API on libmicrohttpd: routing, request bodies, ingest, health, metrics.
 *
 * Layer: server. Talks to the engine only through include/eddy.h. Routes (docs/http.md):
 *   POST /v1/streams/{name}   NDJSON or CSV body -> eddy_ingest -> accepted/rejected counts
 *   POST /v1/sql (/v1/query)  SQL text or {"sql": "..."} -> JSON rows (http_sql.c)
 *   GET  /v1/subscribe/{view} server-sent events of the view's changes (http_sse.c)
 *   GET  /metrics             Prometheus text
 *   GET  /healthz, /readyz
 * Every response body is JSON except /metrics, /healthz, /readyz and the event stream. The daemon
 * runs a thread per connection (blocking handlers are fine); request bodies are collected whole,
 * up to max_body bytes, before they are decoded.
 *
 * Owns: the daemon, per-request state, the request and ingest counters. Never: parses HTTP
 * itself, holds its own lock while calling the engine.
 */
#include "server/http_int.h"

#include "base/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum Route {
	R_NONE,
	R_INGEST,
	R_SQL,
	R_SUBSCRIBE,
	R_METRICS,
	R_HEALTH,
	R_READY,
} Route;

/* One request, from its first call to its completion. */
typedef struct Req {
	Route route;
	const char *label;   /* route as a metrics label */
	char arg[256];       /* the {name} of the path */
	StrBuf body;
	bool too_big;
	bool done;           /* a response was queued early (415, 413) */
} Req;

/* ---- Counters. */

void http_count(Http *h, const char *route, int code)
{
	pthread_mutex_lock(&h->mu);
	int i;
	for (i = 0; i < h->nreqs; i++)
		if (h->reqs[i].route == route && h->reqs[i].code == code)
			break;
	if (i == h->nreqs) {
		if (h->nreqs == h->capreqs) {
			h->capreqs = h->capreqs ? h->capreqs * 2 : 16;
			h->reqs = mem_realloc(h->reqs, sizeof *h->reqs * (size_t)h->capreqs);
		}
		h->reqs[h->nreqs++] = (HttpReqCount){route, code, 0};
	}
	h->reqs[i].n++;
	pthread_mutex_unlock(&h->mu);
}

static void count_ingest(Http *h, const char *name, int64_t accepted, int64_t rejected)
{
	pthread_mutex_lock(&h->mu);
	int i;
	for (i = 0; i < h->ningest; i++)
		if (strcmp(h->ingest[i].name, name) == 0)
			break;
	if (i == h->ningest) {
		if (h->ningest == h->capingest) {
			h->capingest = h->capingest ? h->capingest * 2 : 16;
			h->ingest = mem_realloc(h->ingest, sizeof *h->ingest * (size_t)h->capingest);
		}
		HttpIngestCount *n = &h->ingest[h->ningest++];
		memset(n, 0, sizeof *n);
		snprintf(n->name, sizeof n->name, "%s", name);
	}
	h->ingest[i].accepted += (uint64_t)accepted;
	h->ingest[i].rejected += (uint64_t)rejected;
	pthread_mutex_unlock(&h->mu);
}

/* ---- Responses. */

/* Queues a response with a copy of body; allow (when not NULL) is the Allow header of a 405. */
static enum MHD_Result respond(Http *h, struct MHD_Connection *c, const char *route, int code,
			       const char *ctype, const char *body, size_t len, const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)code, r);
	MHD_destroy_response(r);
	http_count(h, route, code);
	return rc;
}

enum MHD_Result http_reply(Http *h, struct MHD_Connection *c, const char *route, int code,
			   const char *ctype, const char *body, size_t len)
{
	return respond(h, c, route, code, ctype, body, len, NULL);
}

static enum MHD_Result reply_json(Http *h, struct MHD_Connection *c, const char *route, int code,
				  StrBuf *sb)
{
	enum MHD_Result rc =
		http_reply(h, c, route, code, "application/json", sb->data ? sb->data : "", sb->len);
	sb_deinit(sb);
	return rc;
}

static enum MHD_Result error_reply(Http *h, struct MHD_Connection *c, const char *route,
				   int code, const char *sqlstate, const char *message,
				   int position, const char *hint, const char *allow)
{
	StrBuf sb;
	sb_init(&sb);
	sb_putc(&sb, '{');
	json_error(&sb, sqlstate, message, position, hint);
	sb_puts(&sb, "}\n");
	enum MHD_Result rc =
		respond(h, c, route, code, "application/json", sb.data, sb.len, allow);
	sb_deinit(&sb);
	return rc;
}

enum MHD_Result http_error(Http *h, struct MHD_Connection *c, const char *route, int code,
			   const char *sqlstate, const char *message, int position,
			   const char *hint)
{
	return error_reply(h, c, route, code, sqlstate, message, position, hint, NULL);
}

static enum MHD_Result eddy_error_reply(Http *h, struct MHD_Connection *c, const char *route,
					int code, const EddyError *err)
{
	return http_error(h, c, route, code, err->sqlstate, err->message, err->position,
			  err->hint);
}

/* ---- Routing. */

typedef struct RouteDef {
	Route route;
	const char *method;
	const char *path;    /* exact, or a prefix ending in '/' followed by {name} */
	bool prefix;
	const char *label;
} RouteDef;

static const RouteDef ROUTES[] = {
	{R_INGEST, "POST", "/v1/streams/", true, "/v1/streams/{name}"},
	{R_SQL, "POST", "/v1/sql", false, "/v1/sql"},
	{R_SQL, "POST", "/v1/query", false, "/v1/sql"},
	{R_SUBSCRIBE, "GET", "/v1/subscribe/", true, "/v1/subscribe/{view}"},
	{R_METRICS, "GET", "/metrics", false, "/metrics"},
	{R_HEALTH, "GET", "/healthz", false, "/healthz"},
	{R_READY, "GET", "/readyz", false, "/readyz"},
};
#define NROUTES ((int)(sizeof ROUTES / sizeof ROUTES[0]))

/* The route of url; *allowed names the method it takes when only the method is wrong. */
static const RouteDef *route_find(const char *method, const char *url, const char **allowed)
{
	*allowed = NULL;
	for (int i = 0; i < NROUTES; i++) {
		const RouteDef *r = &ROUTES[i];
		size_t n = strlen(r->path);
		bool match = r->prefix ? strncmp(url, r->path, n) == 0 && url[n] && !strchr(url + n, '/')
				       : strcmp(url, r->path) == 0;
		if (!match)
			continue;
		bool head = strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
		if (strcmp(method, r->method) == 0 || head)
			return r;
		*allowed = r->method;
	}
	return NULL;
}

/* ---- Ingest. */

static bool content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result do_ingest(Http *h, struct MHD_Connection *c, Req *rq)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	EddyFormat fmt;
	if (ct && (content_type_is(ct, "application/x-ndjson") ||
		   content_type_is(ct, "application/jsonl") ||
		   content_type_is(ct, "application/json")))
		fmt = EDDY_FORMAT_NDJSON;
	else if (ct && content_type_is(ct, "text/csv"))
		fmt = EDDY_FORMAT_CSV;
	else
		return http_error(h, c, rq->label, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "0A000",
				  "unsupported content type (use application/x-ndjson or text/csv)",
				  0, NULL);
	EddyIngestOptions opts = {.csv_header = 1, .csv_delimiter = ','};
	const char *hdr = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "header");
	if (hdr && (strcmp(hdr, "false") == 0 || strcmp(hdr, "0") == 0 || strcmp(hdr, "no") == 0))
		opts.csv_header = 0;
	const char *delim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "delimiter");
	if (delim && strlen(delim) == 1)
		opts.csv_delimiter = delim[0];
	else if (delim && strcmp(delim, "tab") == 0)
		opts.csv_delimiter = '\t';
	else if (delim)
		return http_error(h, c, rq->label, MHD_HTTP_BAD_REQUEST, "22023",
				  "delimiter must be a single character (or \"tab\")", 0, NULL);
	EddyIngestResult res;
	EddyLineError *errs = mem_alloc(sizeof *errs * HTTP_MAX_ERRORS);
	EddyError err;
	if (eddy_ingest(h->srv->db, rq->arg, fmt, rq->body.data ? rq->body.data : "", rq->body.len,
			&opts, &res, errs, HTTP_MAX_ERRORS, &err) < 0) {
		mem_free(errs);
		bool missing = strcmp(err.sqlstate, "42P01") == 0;
		return eddy_error_reply(h, c, rq->label,
					missing ? MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST, &err);
	}
	count_ingest(h, rq->arg, res.accepted, res.rejected);
	StrBuf sb;
	sb_init(&sb);
	sb_printf(&sb, "{\"accepted\":%lld,\"rejected\":%lld,\"errors\":[", (long long)res.accepted,
		  (long long)res.rejected);
	for (int i = 0; i < res.nerrors; i++) {
		sb_printf(&sb, "%s{\"line\":%lld,\"error\":", i ? "," : "", (long long)errs[i].line);
		json_string(&sb, errs[i].message);
		sb_puts(&sb, ",\"sqlstate\":");
		json_string(&sb, errs[i].sqlstate);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, "]}\n");
	mem_free(errs);
	int code = res.rejected == 0 ? MHD_HTTP_OK
		   : res.accepted > 0 ? MHD_HTTP_MULTI_STATUS
				      : MHD_HTTP_BAD_REQUEST;
	return reply_json(h, c, rq->label, code, &sb);
}

/* ---- Metrics. */

/* Runs a SHOW statement and writes one gauge or counter per numeric column it names. */
typedef struct MetricCol {
	const char *column;
	const char *metric;
	const char *type;
	const char *help;
} MetricCol;

static void metrics_from(Eddy *db, const char *sql, const char *label, const MetricCol *mc,
			 int nmc, StrBuf *out)
{
	EddyResult *res;
	EddyError err;
	if (eddy_query(db, sql, &res, &err) < 0)
		return;
	int ncols = eddy_result_ncols(res);
	for (int m = 0; m < nmc; m++) {
		int col = -1;
		for (int k = 0; k < ncols; k++)
			if (strcmp(eddy_result_colname(res, k), mc[m].column) == 0)
				col = k;
		if (col < 0)
			continue;
		sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", mc[m].metric, mc[m].help,
			  mc[m].metric, mc[m].type);
		eddy_result_free(res);
		if (eddy_query(db, sql, &res, &err) < 0)
			return;
		while (eddy_result_next(res)) {
			const char *name = eddy_result_text(res, 0);
			const char *v = eddy_result_text(res, col);
			sb_printf(out, "%s{%s=", mc[m].metric, label);
			json_string(out, name ? name : "");
			sb_printf(out, "} %s\n", v ? v : "0");
		}
	}
	eddy_result_free(res);
}

static const MetricCol VIEW_METRICS[] = {
	{"rows", "eddy_view_rows", "gauge", "Rows in the materialized view."},
	{"state_bytes", "eddy_view_state_bytes", "gauge", "Bytes of state kept by the view."},
	{"late_rows", "eddy_view_late_rows_total", "counter",
	 "Rows dropped because they arrived behind the watermark."},
	{"row_errors", "eddy_view_row_errors_total", "counter",
	 "Rows the view's dataflow could not compute."},
	{"checkpoint_us", "eddy_view_checkpoint_duration_us", "gauge",
	 "Microseconds the last checkpoint spent saving the view's changed state."},
	{"checkpoint_entries", "eddy_view_checkpoint_entries", "gauge",
	 "State entries the last checkpoint wrote or deleted for the view."},
};

static const MetricCol STREAM_METRICS[] = {
	{"rows", "eddy_stream_rows_total", "counter", "Rows appended to the stream."},
};

static size_t resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	unsigned long size = 0, rss = 0;
	int n = fscanf(f, "%lu %lu", &size, &rss);
	fclose(f);
	return n == 2 ? rss * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static enum MHD_Result do_metrics(Http *h, struct MHD_Connection *c, Req *rq)
{
	StrBuf sb;
	sb_init(&sb);
	metrics_from(h->srv->db, "SHOW MATERIALIZED VIEWS", "view", VIEW_METRICS,
		     (int)(sizeof VIEW_METRICS / sizeof VIEW_METRICS[0]), &sb);
	metrics_from(h->srv->db, "SHOW STREAMS", "stream", STREAM_METRICS,
		     (int)(sizeof STREAM_METRICS / sizeof STREAM_METRICS[0]), &sb);
	pthread_mutex_lock(&h->mu);
	sb_puts(&sb, "# HELP eddy_ingest_rows_total Rows received over HTTP ingest, by result.\n"
		     "# TYPE eddy_ingest_rows_total counter\n");
	for (int i = 0; i < h->ningest; i++)
		for (int k = 0; k < 2; k++) {
			sb_puts(&sb, "eddy_ingest_rows_total{stream=");
			json_string(&sb, h->ingest[i].name);
			sb_printf(&sb, ",result=\"%s\"} %llu\n", k ? "rejected" : "accepted",
				  (unsigned long long)(k ? h->ingest[i].rejected
							 : h->ingest[i].accepted));
		}
	sb_puts(&sb, "# HELP eddy_http_requests_total HTTP requests answered, by route and "
		     "status.\n# TYPE eddy_http_requests_total counter\n");
	for (int i = 0; i < h->nreqs; i++)
		sb_printf(&sb, "eddy_http_requests_total{path=\"%s\",code=\"%d\"} %llu\n",
			  h->reqs[i].route, h->reqs[i].code, (unsigned long long)h->reqs[i].n);
	int nsse = http_sse_count(h);
	pthread_mutex_unlock(&h->mu);
	sb_printf(&sb, "# HELP eddy_http_subscribers Open server-sent event streams.\n"
		       "# TYPE eddy_http_subscribers gauge\neddy_http_subscribers %d\n",
		  nsse);
	sb_printf(&sb, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		       "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "
		       "%zu\n",
		  resident_bytes());
	enum MHD_Result rc = http_reply(h, c, rq->label, MHD_HTTP_OK,
					"text/plain; version=0.0.4; charset=utf-8", sb.data,
					sb.len);
	sb_deinit(&sb);
	return rc;
}

/* ---- The request handler. */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	Http *h = cls;
	Req *rq = *con_cls;
	if (!rq) {
		rq = mem_calloc(1, sizeof *rq);
		sb_init(&rq->body);
		*con_cls = rq;
		const char *allowed;
		const RouteDef *r = route_find(method, url, &allowed);
		rq->label = r ? r->label : "other";
		if (!r && allowed) {
			rq->done = true;
			char msg[300];
			snprintf(msg, sizeof msg, "method %s is not allowed for %.200s (use %s)",
				 method, url, allowed);
			return error_reply(h, c, "other", MHD_HTTP_METHOD_NOT_ALLOWED, "42601", msg, 0,
					   NULL, allowed);
		}
		if (!r) {
			rq->done = true;
			char msg[300];
			snprintf(msg, sizeof msg, "no such endpoint: %.200s", url);
			return http_error(h, c, "other", MHD_HTTP_NOT_FOUND, "42704", msg, 0, NULL);
		}
		rq->route = r->route;
		if (r->prefix)
			snprintf(rq->arg, sizeof rq->arg, "%s", url + strlen(r->path));
		/* A declared length over the limit is refused before the body is read. */
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > h->max_body)
			rq->too_big = true;
		else if (cl && rq->route != R_SUBSCRIBE)
			sb_reserve(&rq->body, (size_t)strtoull(cl, NULL, 10) + 1);
		if (!rq->too_big)
			return MHD_YES;
	}
	if (rq->done) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_big) {
		rq->done = true;
		*upload_size = 0;
		char msg[128];
		snprintf(msg, sizeof msg, "request body exceeds the limit of %zu bytes", h->max_body);
		return http_error(h, c, rq->label, MHD_HTTP_CONTENT_TOO_LARGE, "54000", msg, 0, NULL);
	}
	if (*upload_size > 0) {
		if (rq->body.len + *upload_size > h->max_body)
			rq->too_big = true;
		else
			sb_append(&rq->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	/* The whole request is in. */
	switch (rq->route) {
	case R_INGEST:
		return do_ingest(h, c, rq);
	case R_SQL: {
		const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
		if (ct && content_type_is(ct, "application/json")) {
			StrBuf sql;
			sb_init(&sql);
			enum MHD_Result rc;
			if (json_member_string(rq->body.data ? rq->body.data : "", rq->body.len, "sql",
					       &sql) < 0)
				rc = http_error(h, c, rq->label, MHD_HTTP_BAD_REQUEST, "22P02",
						"the JSON body must be an object with a string "
						"member \"sql\"",
						0, NULL);
			else
				rc = http_sql(h, c, rq->label, sql.data ? sql.data : "");
			sb_deinit(&sql);
			return rc;
		}
		sb_putc(&rq->body, '\0');
		return http_sql(h, c, rq->label, rq->body.data);
	}
	case R_SUBSCRIBE:
		return http_subscribe(h, c, rq->label, rq->arg);
	case R_METRICS:
		return do_metrics(h, c, rq);
	case R_HEALTH:
		return http_reply(h, c, rq->label, MHD_HTTP_OK, "text/plain", "ok\n", 3);
	case R_READY:
		if (h->srv->db)
			return http_reply(h, c, rq->label, MHD_HTTP_OK, "text/plain", "ready\n", 6);
		return http_reply(h, c, rq->label, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
				  "not ready\n", 10);
	default:
		return MHD_NO;
	}
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	Req *rq = *con_cls;
	if (!rq)
		return;
	sb_deinit(&rq->body);
	mem_free(rq);
	*con_cls = NULL;
}

/* ---- Start and stop. */

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into a socket address. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *port;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':')
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(end - spec - 1), spec + 1);
		port = end + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (!colon)
			return -1;
		snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int http_start(Server *srv, Http **out)
{
	*out = NULL;
	struct sockaddr_storage ss;
	socklen_t slen;
	if (parse_listen(srv->cfg.http_listen, &ss, &slen) < 0) {
		srv_log("error", "http_listen", "cannot parse listen address \"%s\" (HOST:PORT)",
			srv->cfg.http_listen);
		return -1;
	}
	Http *h = mem_calloc(1, sizeof *h);
	h->srv = srv;
	h->max_body = HTTP_MAX_BODY_DEFAULT;
	const char *mb = getenv("EDDY_HTTP_MAX_BODY");
	if (mb && strtoull(mb, NULL, 10) > 0)
		h->max_body = (size_t)strtoull(mb, NULL, 10);
	pthread_mutex_init(&h->mu, NULL);
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
				     (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				     MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!h->daemon) {
		srv_log("error", "http_listen", "cannot listen on %s: %s", srv->cfg.http_listen,
			strerror(errno));
		pthread_mutex_destroy(&h->mu);
		mem_free(h);
		return -1;
	}
	/* Report the port actually bound (the configured one may be 0). */
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv_log("info", "http_listen", "HTTP API on %s (port %u)", srv->cfg.http_listen,
		di ? (unsigned)di->port : 0u);
	*out = h;
	return 0;
}

void http_stop(Http *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = true;
	pthread_mutex_unlock(&h->mu);
	http_sse_stop_all(h);
	MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->mu);
	mem_free(h->ingest);
	mem_free(h->reqs);
	mem_free(h);
}
