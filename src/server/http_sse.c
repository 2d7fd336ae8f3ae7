/* http_sse.c: GET /v1/subscribe/{view}: a view's changes as server-sent events.
 *
 * Layer: server. Each client gets an eddy_subscribe subscription whose callback (run under the
 * engine's lock, so it must be quick and must not block) formats the change as one event,
 *   data: {"op":"+","row":{"col":value,...}}
 * (op "+" insert, "-" delete, "U-"/"U+" the two halves of an update) and appends it to the
 * client's queue. The connection's thread (libmicrohttpd's content reader callback) waits on the
 * queue and hands the bytes over, with a comment line as keep-alive every few seconds (which is
 * also how a vanished client is noticed). A client more than cfg.subscriber_buffer rows behind
 * has its queue dropped, gets a final `event: error` and is disconnected, so a slow reader costs
 * the engine nothing but that bounded queue. When the response ends for any reason the
 * subscription is removed.
 *
 * Never: blocks or calls into the engine from the change callback.
 */
#include "server/http_int.h"

#include "base/mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#define KEEPALIVE_SECONDS 2

struct HttpSse {
	HttpSse *next;           /* in Http.sses */
	Http *h;
	EddySubscription *sub;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	StrBuf q;                /* events not yet handed over */
	size_t sent;             /* bytes of q handed over */
	int64_t rows;            /* rows in q */
	int64_t limit;
	int ncols;
	char **keys;             /* per column: "\"name\":" */
	EddyType *types;
	bool overflow;           /* fell behind: error event, then the end */
	bool finished;           /* the last event is queued */
	bool stop;               /* the server is stopping */
};

static const char *const OP_NAMES[] = {
	[EDDY_INSERT] = "+",
	[EDDY_DELETE] = "-",
	[EDDY_UPDATE_DELETE] = "U-",
	[EDDY_UPDATE_INSERT] = "U+",
};

static int on_change(void *ctx, EddyOp op, int ncols, const char *const *values)
{
	HttpSse *s = ctx;
	pthread_mutex_lock(&s->mu);
	if (s->overflow || s->stop) {
		pthread_mutex_unlock(&s->mu);
		return 1;
	}
	if (s->rows >= s->limit) {
		s->overflow = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		return 1;
	}
	StrBuf *q = &s->q;
	sb_printf(q, "data: {\"op\":\"%s\",\"row\":{", OP_NAMES[op]);
	for (int k = 0; k < ncols && k < s->ncols; k++) {
		if (k)
			sb_putc(q, ',');
		sb_puts(q, s->keys[k]);
		json_value(q, s->types[k], values[k]);
	}
	sb_puts(q, "}}\n\n");
	s->rows++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	HttpSse *s = cls;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->sent < s->q.len) {
			size_t n = s->q.len - s->sent < max ? s->q.len - s->sent : max;
			memcpy(buf, s->q.data + s->sent, n);
			s->sent += n;
			if (s->sent == s->q.len) {
				sb_reset(&s->q);
				s->sent = 0;
				s->rows = 0;
			}
			pthread_mutex_unlock(&s->mu);
			return (ssize_t)n;
		}
		if (s->finished || s->stop) {
			pthread_mutex_unlock(&s->mu);
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (s->overflow) {
			sb_reset(&s->q);
			s->sent = 0;
			sb_printf(&s->q,
				  "event: error\ndata: {\"error\":{\"sqlstate\":\"53400\",\"message\":"
				  "\"subscriber fell more than %lld rows behind; disconnected\"}}\n\n",
				  (long long)s->limit);
			s->finished = true;
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += KEEPALIVE_SECONDS;
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT && s->q.len == 0)
			sb_puts(&s->q, ": keep-alive\n\n");
	}
}

static void sse_free(void *cls)
{
	HttpSse *s = cls;
	eddy_unsubscribe(s->sub);
	Http *h = s->h;
	pthread_mutex_lock(&h->mu);
	for (HttpSse **p = &h->sses; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	pthread_mutex_unlock(&h->mu);
	for (int k = 0; k < s->ncols; k++)
		mem_free(s->keys[k]);
	mem_free(s->keys);
	mem_free(s->types);
	sb_deinit(&s->q);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	mem_free(s);
}

/* The view's columns (names and types), from a query that returns no rows. */
static int describe(Eddy *db, const char *view, HttpSse *s, EddyError *err)
{
	StrBuf sql;
	sb_init(&sql);
	sb_puts(&sql, "SELECT * FROM \"");
	for (const char *p = view; *p; p++) {
		if (*p == '"')
			sb_putc(&sql, '"');
		sb_putc(&sql, *p);
	}
	sb_puts(&sql, "\" LIMIT 0");
	EddyResult *res;
	int rc = eddy_query(db, sql.data, &res, err);
	sb_deinit(&sql);
	if (rc < 0)
		return -1;
	s->ncols = eddy_result_ncols(res);
	s->keys = mem_calloc((size_t)(s->ncols ? s->ncols : 1), sizeof *s->keys);
	s->types = mem_calloc((size_t)(s->ncols ? s->ncols : 1), sizeof *s->types);
	for (int k = 0; k < s->ncols; k++) {
		StrBuf key;
		sb_init(&key);
		json_string(&key, eddy_result_colname(res, k));
		sb_putc(&key, ':');
		s->keys[k] = sb_take(&key);
		s->types[k] = eddy_result_coltype(res, k);
	}
	eddy_result_free(res);
	return 0;
}

enum MHD_Result http_subscribe(Http *h, struct MHD_Connection *c, const char *route,
			       const char *view)
{
	const char *snap = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "snapshot");
	bool snapshot = snap && (strcmp(snap, "true") == 0 || strcmp(snap, "1") == 0);
	HttpSse *s = mem_calloc(1, sizeof *s);
	s->h = h;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	sb_init(&s->q);
	s->limit = h->srv->cfg.subscriber_buffer > 0 ? h->srv->cfg.subscriber_buffer : 65536;
	EddyError err;
	/* A comment first, so the client sees the stream open before any change. */
	sb_puts(&s->q, ": subscribed\n\n");
	if (describe(h->srv->db, view, s, &err) < 0 ||
	    eddy_subscribe(h->srv->db, view, snapshot, on_change, s, &s->sub, &err) < 0) {
		s->sub = NULL;
		sse_free(s);
		int code = strcmp(err.sqlstate, "42P01") == 0 ? MHD_HTTP_NOT_FOUND
							      : MHD_HTTP_BAD_REQUEST;
		return http_error(h, c, route, code, err.sqlstate, err.message, 0, err.hint);
	}
	pthread_mutex_lock(&h->mu);
	s->next = h->sses;
	h->sses = s;
	if (h->stopping)
		s->stop = true;
	pthread_mutex_unlock(&h->mu);
	struct MHD_Response *r =
		MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, s, sse_free);
	if (!r) {
		sse_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	http_count(h, route, MHD_HTTP_OK);
	return rc;
}

int http_sse_count(Http *h)
{
	int n = 0;
	for (HttpSse *s = h->sses; s; s = s->next)
		n++;
	return n;
}

void http_sse_stop_all(Http *h)
{
	pthread_mutex_lock(&h->mu);
	for (HttpSse *s = h->sses; s; s = s->next) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_unlock(&h->mu);
}
