/* pgwire_sub.c: SUBSCRIBE view: a view's changes streamed to a client as rows.
 *
 * Layer: server. `SUBSCRIBE [TO] name [WITH (SNAPSHOT [=] true|false)]` answers a RowDescription
 * with a text column `op` ('insert', 'delete', 'update_delete', 'update_insert') followed by the
 * view's columns, then one DataRow per change, as it happens, until the client sends a
 * CancelRequest (the statement ends with 57014 and the session goes on) or closes the connection.
 * With SNAPSHOT (the default) the view's current rows come first as inserts.
 *
 * The engine calls the change callback while it holds its lock, so the callback only encodes the
 * DataRow into the session's queue and wakes the session thread through a pipe; it never touches
 * the socket. A subscriber that lets more than subscriber_buffer rows pile up is cut: the
 * callback stops the subscription and the client gets 53400 "subscriber too slow", then the
 * session ends. The engine never waits for a client.
 */
#include "server/pgwire.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const op_names[] = {
	[EDDY_INSERT] = "insert",
	[EDDY_DELETE] = "delete",
	[EDDY_UPDATE_DELETE] = "update_delete",
	[EDDY_UPDATE_INSERT] = "update_insert",
};

static void put_cell(StrBuf *o, const char *v)
{
	if (!v) {
		pgw_i32(o, -1);
		return;
	}
	size_t n = strlen(v);
	pgw_i32(o, (int32_t)n);
	sb_append(o, v, n);
}

static int on_change(void *ctx, EddyOp op, int ncols, const char *const *values)
{
	PgSession *s = ctx;
	pthread_mutex_lock(&s->qmu);
	bool wake = s->queued == 0;
	if (s->overflow || s->queued >= s->srv->cfg.subscriber_buffer) {
		s->overflow = true;
		pthread_mutex_unlock(&s->qmu);
		if (write(s->wake[1], "o", 1) < 0) {
			/* The pipe is full: the session is being woken already. */
		}
		return 1;
	}
	size_t at = pgw_begin(&s->queue, 'D');
	pgw_i16(&s->queue, ncols + 1);
	put_cell(&s->queue, op_names[op]);
	for (int i = 0; i < ncols; i++)
		put_cell(&s->queue, values[i]);
	pgw_end(&s->queue, at);
	s->queued++;
	pthread_mutex_unlock(&s->qmu);
	if (wake && write(s->wake[1], "r", 1) < 0) {
		/* As above. */
	}
	return 0;
}

typedef struct SubStmt {
	char view[128];
	bool snapshot;
} SubStmt;

static int parse_subscribe(const char *sql, SubStmt *st, EddyError *e)
{
	const char *p = sql, *end = sql + strlen(sql);
	PgTok t;
	st->snapshot = true;
	p = pgsql_lex(p, end, &t); /* SUBSCRIBE */
	p = pgsql_lex(p, end, &t);
	if (pgsql_is(&t, "to")) {
		/* SUBSCRIBE TO v, unless the view is itself named "to". */
		PgTok n;
		pgsql_lex(p, end, &n);
		if (n.kind == PGT_WORD || n.kind == PGT_QIDENT)
			p = pgsql_lex(p, end, &t);
	}
	if (t.kind != PGT_WORD && t.kind != PGT_QIDENT)
		goto syntax;
	pgsql_ident(&t, st->view, sizeof st->view);
	p = pgsql_lex(p, end, &t);
	if (pgsql_is(&t, "with")) {
		p = pgsql_lex(p, end, &t);
		if (!pgsql_punct(&t, '('))
			goto syntax;
		for (;;) {
			p = pgsql_lex(p, end, &t);
			if (!pgsql_is(&t, "snapshot"))
				goto syntax;
			p = pgsql_lex(p, end, &t);
			if (pgsql_punct(&t, '='))
				p = pgsql_lex(p, end, &t);
			if (pgsql_is(&t, "false") || pgsql_is(&t, "off")) {
				st->snapshot = false;
				p = pgsql_lex(p, end, &t);
			} else if (pgsql_is(&t, "true") || pgsql_is(&t, "on")) {
				p = pgsql_lex(p, end, &t);
			}
			if (pgsql_punct(&t, ')'))
				break;
			if (!pgsql_punct(&t, ','))
				goto syntax;
		}
		p = pgsql_lex(p, end, &t);
	}
	if (t.kind == PGT_END || t.kind == PGT_SEMI)
		return 0;
syntax:
	if (t.kind == PGT_END)
		pg_err(e, "42601", "syntax error at end of input");
	else
		pg_err(e, "42601", "syntax error at or near \"%.*s\"", (int)t.n, t.s);
	e->position = pgsql_byte_to_char(sql, (size_t)(t.s - sql)) + 1;
	return -1;
}

/* RowDescription: op, then the view's columns (found with a LIMIT 0 query). */
static int describe_view(PgSession *s, const char *view, EddyError *e)
{
	EddyResult *res = pgq_columns_of(s, view, e);
	if (!res)
		return -1;
	int n = eddy_result_ncols(res);
	size_t at = pgw_begin(&s->out, 'T');
	pgw_i16(&s->out, n + 1);
	pgw_column(&s->out, "op", PG_OID_TEXT, 0);
	for (int i = 0; i < n; i++)
		pgw_column(&s->out, eddy_result_colname(res, i), pgt_oid(eddy_result_coltype(res, i)),
			   0);
	pgw_end(&s->out, at);
	eddy_result_free(res);
	return 0;
}

/* Moves the queued rows to the output. Returns true when the queue overflowed. */
static bool drain(PgSession *s)
{
	char junk[64];
	while (read(s->wake[0], junk, sizeof junk) > 0)
		;
	pthread_mutex_lock(&s->qmu);
	sb_append(&s->out, s->queue.data ? s->queue.data : "", s->queue.len);
	sb_reset(&s->queue);
	s->queued = 0;
	bool over = s->overflow;
	pthread_mutex_unlock(&s->qmu);
	return over;
}

/* Waits for changes, a cancel or the client. Returns 0 when the subscription ends by cancel
 * (e set), -1 when the session must end (e set when the client should hear why). */
static int sub_loop(PgSession *s, const char *view, EddyError *e)
{
	for (;;) {
		struct pollfd p[2] = {{s->fd, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
		if (poll(p, 2, pgs_input_pending(s) ? 0 : -1) < 0 && errno != EINTR)
			return -1;
		bool over = drain(s);
		if (pgs_flush(s) < 0)
			return -1;
		if (over) {
			pg_err(e, "53400",
			       "subscriber too slow: more than %d changes of \"%s\" waited to be sent",
			       s->srv->cfg.subscriber_buffer, view);
			snprintf(e->hint, sizeof e->hint,
				 "Read changes faster, or raise subscriber_buffer.");
			return -1;
		}
		if (s->cancel) {
			pg_err(e, "57014", "canceling statement due to user request");
			return 0;
		}
		if (p[0].revents || pgs_input_pending(s)) {
			char type;
			size_t len;
			if (pgs_read_msg(s, &type, &len) < 0)
				return -1;
			if (type == 'X') {
				s->closing = true;
				return -1;
			}
			if (type != 'H' && type != 'S') {
				pg_err(e, "08P01", "unexpected message type 0x%02X during SUBSCRIBE",
				       (unsigned char)type);
				return -1;
			}
		}
	}
}

int pgsub_describe(PgSession *s, const char *sql, EddyError *e)
{
	SubStmt st;
	if (parse_subscribe(sql, &st, e) < 0)
		return -1;
	return describe_view(s, st.view, e);
}

int pgsub_run(PgSession *s, const char *sql, bool describe)
{
	SubStmt st;
	EddyError e;
	size_t mark = s->out.len;
	if (parse_subscribe(sql, &st, &e) < 0 || (describe && describe_view(s, st.view, &e) < 0)) {
		pgs_error(s, &e, NULL);
		return -1;
	}
	pthread_mutex_lock(&s->qmu);
	sb_reset(&s->queue);
	s->queued = 0;
	s->overflow = false;
	pthread_mutex_unlock(&s->qmu);
	EddySubscription *sub;
	if (eddy_subscribe(s->srv->db, st.view, st.snapshot, on_change, s, &sub, &e) < 0) {
		s->out.len = mark; /* the RowDescription is not sent after all */
		pgs_error(s, &e, NULL);
		return -1;
	}
	srv_log("info", "subscribe", "pid=%d view=%s", s->pid, st.view);
	e.sqlstate[0] = 0;
	int rc = sub_loop(s, st.view, &e);
	eddy_unsubscribe(sub);
	drain(s);
	sb_reset(&s->out);
	srv_log("info", "unsubscribe", "pid=%d view=%s reason=%s", s->pid, st.view,
		e.sqlstate[0] ? e.sqlstate : "closed");
	if (e.sqlstate[0])
		pgs_error(s, &e, NULL);
	if (rc < 0) {
		pgs_flush(s);
		s->closing = true;
	}
	return -1;
}
