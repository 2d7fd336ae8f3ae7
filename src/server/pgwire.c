/* pgwire.c: the PostgreSQL wire protocol listener and its sessions.
 *
 * Layer: server. Owns the listening socket, one thread per session (capped by max_connections),
 * the startup handshake (SSLRequest answered 'S' and the session wrapped in TLS when the server
 * has a certificate, else 'N'; GSSENCRequest 'N'; CancelRequest; protocol 3.0 startup packet),
 * authentication (trust, or SCRAM-SHA-256 from pgwire_auth.c) and the message
 * loop; what a message asks for is done in pgwire_query.c. A session never trusts a length the
 * client sent: messages above max_message_bytes end the connection with 08P01. A client that
 * vanishes at any point only ends its own session. pgwire_stop shuts every session's socket down
 * and waits for the sessions to finish.
 */
#include "server/pgwire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct Pgwire {
	Server *srv;
	int lfd;
	int stop[2];                 /* a byte on stop[1] ends the accept loop */
	pthread_t acceptor;
	pthread_mutex_t mu;
	pthread_cond_t idle;         /* signalled when nsessions drops */
	PgSession *sessions;
	int nsessions;
	int32_t next_pid;
	bool stopping;
	SSL_CTX *tls;                /* NULL without tls_cert/tls_key */
};

/* ---- socket I/O: every byte of a session goes through sock_send and sock_recv, which speak
 * TLS once the session has switched to it. */

static ssize_t sock_send(PgSession *s, const void *p, size_t n)
{
	if (!s->ssl)
		return send(s->fd, p, n, MSG_NOSIGNAL);
	size_t done = 0;
	int rc = SSL_write_ex(s->ssl, p, n, &done);
	return rc == 1 ? (ssize_t)done : -1;
}

static ssize_t sock_recv(PgSession *s, void *p, size_t n)
{
	if (!s->ssl)
		return recv(s->fd, p, n, 0);
	size_t got = 0;
	int rc = SSL_read_ex(s->ssl, p, n, &got);
	if (rc == 1)
		return (ssize_t)got;
	/* A clean close_notify and a vanished peer both end the session. */
	ERR_clear_error();
	return 0;
}

bool pgs_input_pending(PgSession *s)
{
	return s->ssl && SSL_pending(s->ssl) > 0;
}

int pgs_flush(PgSession *s)
{
	size_t off = 0;
	while (off < s->out.len) {
		ssize_t n = sock_send(s, s->out.data + off, s->out.len - off);
		if (n < 0 && errno == EINTR && !s->ssl)
			continue;
		if (n <= 0) {
			sb_reset(&s->out);
			s->closing = true;
			return -1;
		}
		off += (size_t)n;
	}
	sb_reset(&s->out);
	return 0;
}

/* Reads exactly n bytes through the session's read buffer. Output waiting to go is flushed
 * before blocking, so a client never waits for answers the server is holding back. */
static int read_exact(PgSession *s, void *dst, size_t n)
{
	uint8_t *d = dst;
	while (n > 0) {
		if (s->rpos == s->rlen) {
			if (s->out.len && pgs_flush(s) < 0)
				return -1;
			ssize_t got = sock_recv(s, s->rbuf, s->rcap);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				s->closing = true;
				return -1;
			}
			s->rpos = 0;
			s->rlen = (size_t)got;
		}
		size_t k = s->rlen - s->rpos < n ? s->rlen - s->rpos : n;
		memcpy(d, s->rbuf + s->rpos, k);
		s->rpos += k;
		d += k;
		n -= k;
	}
	return 0;
}

static int read_body(PgSession *s, size_t len)
{
	if (len + 1 > s->body_cap) {
		mem_free(s->body);
		s->body_cap = len + 1;
		s->body = mem_alloc(s->body_cap);
	}
	if (read_exact(s, s->body, len) < 0)
		return -1;
	s->body[len] = 0;
	return 0;
}

int pgs_read_msg(PgSession *s, char *type, size_t *len)
{
	/* A large body buffer from an earlier message is not kept around. */
	if (s->body_cap > (1u << 20)) {
		mem_free(s->body);
		s->body = NULL;
		s->body_cap = 0;
	}
	uint8_t hdr[5];
	if (read_exact(s, hdr, 5) < 0)
		return -1;
	int64_t n = pgm_body_len(hdr, (size_t)s->srv->cfg.max_message_bytes);
	if (n < 0) {
		pgs_fatal(s, "08P01", "invalid message length");
		return -1;
	}
	*type = (char)hdr[0];
	*len = (size_t)n;
	return read_body(s, (size_t)n);
}

void pgs_error(PgSession *s, const EddyError *e, const char *context)
{
	pgw_error(&s->out, 'E', "ERROR", e, context);
}

void pgs_fatal(PgSession *s, const char *sqlstate, const char *msg)
{
	EddyError e;
	pg_err(&e, sqlstate, "%s", msg);
	pgw_error(&s->out, 'E', "FATAL", &e, NULL);
	pgs_flush(s);
	s->closing = true;
}

void pgs_ready(PgSession *s)
{
	size_t at = pgw_begin(&s->out, 'Z');
	sb_putc(&s->out, s->txn);
	pgw_end(&s->out, at);
	pgs_flush(s);
}

/* ---- startup */

static void cancel_request(Pgwire *pg, int32_t pid, int32_t secret)
{
	pthread_mutex_lock(&pg->mu);
	for (PgSession *t = pg->sessions; t; t = t->next) {
		if (t->pid == pid && t->secret == secret) {
			t->cancel = 1;
			if (write(t->wake[1], "c", 1) < 0) {
				/* The pipe is full: the session is being woken already. */
			}
			break;
		}
	}
	pthread_mutex_unlock(&pg->mu);
}

static void auth_request(PgSession *s, int32_t code, const void *data, size_t n)
{
	size_t at = pgw_begin(&s->out, 'R');
	pgw_i32(&s->out, code);
	if (n)
		sb_append(&s->out, data, n);
	pgw_end(&s->out, at);
}

static const char *user_password(const ServerConfig *cfg, const char *user)
{
	for (int i = 0; i < cfg->nusers; i++)
		if (strcmp(cfg->users[i].name, user) == 0)
			return cfg->users[i].password;
	return NULL;
}

static int auth_scram(PgSession *s)
{
	PgScram sc;
	memset(&sc, 0, sizeof sc);
	snprintf(sc.user, sizeof sc.user, "%s", s->user);
	/* A user made by CREATE USER first, then the users of the settings. */
	char verifier[256];
	const char *pw = user_password(&s->srv->cfg, s->user);
	if (eddy_user_verifier(s->srv->db, s->user, verifier, sizeof verifier) == 1 &&
	    pgscram_set_verifier(&sc, verifier) == 0) {
		/* the keys are set */
	} else if (pw) {
		snprintf(sc.password, sizeof sc.password, "%s", pw);
	} else {
		/* An unknown user goes through the same exchange with a password nobody knows, so the
		 * answer does not tell which user names exist. */
		uint8_t r[24];
		RAND_bytes(r, sizeof r);
		for (size_t i = 0; i < sizeof r; i++)
			sc.password[i] = (char)('a' + r[i] % 26);
	}
	auth_request(s, 10, "SCRAM-SHA-256\0", 15);
	char type;
	size_t len;
	const char *why = NULL;
	if (pgs_read_msg(s, &type, &len) < 0)
		return -1;
	if (type != 'p') {
		pgs_fatal(s, "08P01", "expected SASL response");
		return -1;
	}
	PgReader r;
	pgr_init(&r, s->body, len);
	const char *mech = pgr_str(&r);
	int32_t n = pgr_i32(&r);
	const uint8_t *data = n >= 0 ? pgr_bytes(&r, (size_t)n) : NULL;
	if (r.bad || !data || strcmp(mech, "SCRAM-SHA-256") != 0) {
		pgs_fatal(s, "08P01", "malformed SASLInitialResponse or unsupported mechanism");
		return -1;
	}
	if (pgscram_first(&sc, (const char *)data, (size_t)n, &why) < 0) {
		pgs_fatal(s, "08P01", why);
		return -1;
	}
	auth_request(s, 11, sc.server_first, strlen(sc.server_first));
	if (pgs_read_msg(s, &type, &len) < 0)
		return -1;
	if (type != 'p') {
		pgs_fatal(s, "08P01", "expected SASL response");
		return -1;
	}
	char final[256];
	int ok = pgscram_final(&sc, (const char *)s->body, len, final, sizeof final, &why);
	if (ok < 0) {
		pgs_fatal(s, "08P01", why);
		return -1;
	}
	if (ok == 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "password authentication failed for user \"%s\"", s->user);
		srv_log("warn", "auth_failed", "user=%s", s->user);
		pgs_fatal(s, "28P01", msg);
		return -1;
	}
	auth_request(s, 12, final, strlen(final));
	return 0;
}

/* Answers an SSLRequest with 'S' and runs the TLS handshake; the startup packet follows inside
 * TLS. As in PostgreSQL, bytes the client sent after the SSLRequest before the answer would be
 * outside TLS and end the connection. */
static int start_tls(PgSession *s)
{
	if (s->rpos != s->rlen) {
		pgs_fatal(s, "08P01", "received unencrypted data after SSL request");
		return -1;
	}
	sb_putc(&s->out, 'S');
	if (pgs_flush(s) < 0)
		return -1;
	s->ssl = SSL_new(s->pg->tls);
	if (!s->ssl || SSL_set_fd(s->ssl, s->fd) != 1 || SSL_accept(s->ssl) != 1) {
		char why[256];
		ERR_error_string_n(ERR_get_error(), why, sizeof why);
		srv_log("warn", "tls_failed", "handshake failed: %s", why);
		ERR_clear_error();
		SSL_free(s->ssl);
		s->ssl = NULL;
		s->closing = true;
		return -1;
	}
	return 0;
}

/* Reads the startup packet(s). Returns 1 for a session to run, 0 when the connection is done
 * (cancel request, bad packet). */
static int startup(PgSession *s)
{
	for (;;) {
		uint8_t hdr[4];
		if (read_exact(s, hdr, 4) < 0)
			return 0;
		uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
			       (uint32_t)hdr[2] << 8 | hdr[3];
		if (len < 8 || len > PG_MAX_STARTUP) {
			pgs_fatal(s, "08P01", "invalid length of startup packet");
			return 0;
		}
		if (read_body(s, len - 4) < 0)
			return 0;
		PgStartup st;
		const char *why = NULL;
		if (pgm_startup(s->body, len - 4, &st, &why) < 0) {
			pgs_fatal(s, "08P01", why);
			return 0;
		}
		if (st.code == PG_SSL_CODE && s->pg->tls && !s->ssl) {
			if (start_tls(s) < 0)
				return 0;
			continue;
		}
		if (st.code == PG_SSL_CODE || st.code == PG_GSSENC_CODE) {
			sb_putc(&s->out, 'N');
			if (pgs_flush(s) < 0)
				return 0;
			continue;
		}
		if (st.code == PG_CANCEL_CODE) {
			cancel_request(s->pg, st.pid, st.secret);
			return 0;
		}
		if (st.code != PG_PROTO_V3) {
			pgs_fatal(s, "0A000", "unsupported frontend protocol: eddy speaks 3.0");
			return 0;
		}
		EddyError e;
		for (int i = 0; i < st.nparams; i++) {
			const char *k = st.keys[i], *v = st.vals[i];
			if (strcmp(k, "user") == 0) {
				snprintf(s->user, sizeof s->user, "%s", v);
			} else if (strcmp(k, "database") == 0) {
				snprintf(s->database, sizeof s->database, "%s", v);
			} else if (strcmp(k, "replication") == 0 && strcmp(v, "false") != 0) {
				pgs_fatal(s, "0A000", "replication connections are not supported");
				return 0;
			} else if (strcmp(k, "options") != 0 && strncmp(k, "_pq_.", 5) != 0) {
				/* Startup parameters set session parameters; a value eddy cannot honour
				 * is dropped rather than refusing the connection (drivers send their
				 * own defaults). */
				pgq_set_guc(s, k, v, false, &e);
			}
		}
		if (!s->user[0]) {
			pgs_fatal(s, "28000", "no PostgreSQL user name specified in startup packet");
			return 0;
		}
		if (!s->database[0])
			snprintf(s->database, sizeof s->database, "%s", s->user);
		return 1;
	}
}

static void send_welcome(PgSession *s)
{
	auth_request(s, 0, NULL, 0);
	pgq_set_guc(s, "session_authorization", s->user, false, NULL);
	static const char *const reported[] = {
		"server_version", "server_encoding", "client_encoding", "DateStyle",
		"IntervalStyle", "integer_datetimes", "TimeZone", "standard_conforming_strings",
		"application_name", "is_superuser", "session_authorization",
	};
	for (size_t i = 0; i < sizeof reported / sizeof reported[0]; i++) {
		const char *v = pgq_guc(s, reported[i]);
		pgw_param_status(&s->out, reported[i], v ? v : "");
	}
	size_t at = pgw_begin(&s->out, 'K');
	pgw_i32(&s->out, s->pid);
	pgw_i32(&s->out, s->secret);
	pgw_end(&s->out, at);
	pgs_ready(s);
}

/* ---- the message loop */

static void message_loop(PgSession *s)
{
	while (!s->closing) {
		char type;
		size_t len;
		if (pgs_read_msg(s, &type, &len) < 0)
			return;
		arena_reset(&s->arena);
		s->cancel = 0;
		switch (type) {
		case 'Q': {
			PgReader r;
			pgr_init(&r, s->body, len);
			const char *sql = pgr_str(&r);
			if (r.bad) {
				pgs_fatal(s, "08P01", "invalid Query message: no terminating NUL");
				return;
			}
			pgq_simple(s, sql);
			break;
		}
		case 'P':
		case 'B':
		case 'D':
		case 'E':
		case 'C':
		case 'S':
		case 'H':
			pgq_extended(s, type, s->body, len);
			break;
		case 'X':
			return;
		case 'd':
		case 'c':
		case 'f':
			/* Leftovers of a COPY that already failed: PostgreSQL ignores them too. */
			break;
		case 'F': {
			EddyError e;
			pg_err(&e, "0A000", "the function call protocol is not supported");
			pgs_error(s, &e, NULL);
			pgs_ready(s);
			break;
		}
		default: {
			char msg[64];
			snprintf(msg, sizeof msg, "invalid frontend message type %d",
				 (int)(unsigned char)type);
			pgs_fatal(s, "08P01", msg);
			return;
		}
		}
	}
}

static void session_free(PgSession *s)
{
	pgq_session_end(s);
	if (s->ssl) {
		SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
		ERR_clear_error();
	}
	close(s->fd);
	close(s->wake[0]);
	close(s->wake[1]);
	pthread_mutex_destroy(&s->qmu);
	sb_deinit(&s->queue);
	sb_deinit(&s->out);
	arena_deinit(&s->arena);
	mem_free(s->rbuf);
	mem_free(s->body);
	mem_free(s);
}

static void *session_main(void *arg)
{
	PgSession *s = arg;
	Pgwire *pg = s->pg;
	if (startup(s) == 1) {
		int rc = 0;
		if (strcmp(s->srv->cfg.auth, "scram-sha-256") == 0)
			rc = auth_scram(s);
		if (rc == 0) {
			srv_log("info", "pg_connect", "pid=%d user=%s database=%s app=%s tls=%s",
				s->pid, s->user, s->database, pgq_guc(s, "application_name"),
				s->ssl ? SSL_get_version(s->ssl) : "off");
			send_welcome(s);
			message_loop(s);
			srv_log("info", "pg_disconnect", "pid=%d", s->pid);
		}
	}
	pgs_flush(s);
	pthread_mutex_lock(&pg->mu);
	for (PgSession **p = &pg->sessions; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&pg->mu);
	session_free(s);
	pthread_mutex_lock(&pg->mu);
	pg->nsessions--;
	pthread_cond_broadcast(&pg->idle);
	pthread_mutex_unlock(&pg->mu);
	return NULL;
}

static PgSession *session_new(Pgwire *pg, int fd)
{
	PgSession *s = mem_calloc(1, sizeof *s);
	s->pg = pg;
	s->srv = pg->srv;
	s->fd = fd;
	s->txn = 'I';
	s->rcap = 65536;
	s->rbuf = mem_alloc(s->rcap);
	sb_init(&s->out);
	sb_init(&s->queue);
	arena_init(&s->arena, 0);
	pthread_mutex_init(&s->qmu, NULL);
	if (pipe(s->wake) == 0) {
		fcntl(s->wake[0], F_SETFL, O_NONBLOCK);
		fcntl(s->wake[1], F_SETFL, O_NONBLOCK);
	} else {
		s->wake[0] = s->wake[1] = -1;
	}
	uint8_t r[4];
	RAND_bytes(r, 4);
	s->secret = (int32_t)((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 |
			      r[3]);
	pgq_init_gucs(s);
	return s;
}

static void *accept_main(void *arg)
{
	Pgwire *pg = arg;
	for (;;) {
		struct pollfd p[2] = {{pg->lfd, POLLIN, 0}, {pg->stop[0], POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		int fd = accept(pg->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		/* A client that stops reading cannot hold a session thread forever. */
		struct timeval tv = {60, 0};
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		PgSession *s = session_new(pg, fd);
		pthread_mutex_lock(&pg->mu);
		bool full = pg->nsessions >= pg->srv->cfg.max_connections || pg->stopping;
		if (!full) {
			s->pid = ++pg->next_pid;
			s->next = pg->sessions;
			pg->sessions = s;
			pg->nsessions++;
		}
		pthread_mutex_unlock(&pg->mu);
		if (full) {
			pgs_fatal(s, "53300", "sorry, too many clients already");
			session_free(s);
			continue;
		}
		pthread_t t;
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, session_main, s) != 0) {
			pthread_mutex_lock(&pg->mu);
			pg->sessions = s->next;
			pg->nsessions--;
			pthread_mutex_unlock(&pg->mu);
			pgs_fatal(s, "53000", "could not start a session thread");
			session_free(s);
		}
		pthread_attr_destroy(&attr);
	}
	return NULL;
}

/* Splits "HOST:PORT" (HOST may be [v6]) and binds a listening socket. */
static int listen_on(const char *spec, int *out)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec) {
		srv_log("error", "pg_listen", "bad address \"%s\" (want HOST:PORT)", spec);
		return -1;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = 0;
	}
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc != 0) {
		srv_log("error", "pg_listen", "cannot resolve \"%s\": %s", spec, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 512) < 0) {
		srv_log("error", "pg_listen", "cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	*out = fd;
	return 0;
}

/* Loads the certificate chain and key named by tls_cert/tls_key into a server context (TLS 1.2
 * or later). Both settings or neither; NULL context when neither. */
static int tls_init(const ServerConfig *cfg, SSL_CTX **out)
{
	*out = NULL;
	if (!cfg->tls_cert[0] && !cfg->tls_key[0])
		return 0;
	if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
		srv_log("error", "pg_listen", "tls_cert and tls_key must be set together");
		return -1;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	const char *what = NULL;
	if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		what = "cannot create a TLS context";
	else if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1)
		what = "cannot load tls_cert";
	else if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1)
		what = "cannot load tls_key";
	else if (SSL_CTX_check_private_key(ctx) != 1)
		what = "tls_key does not match tls_cert";
	if (!what) {
		*out = ctx;
		return 0;
	}
	char why[256];
	ERR_error_string_n(ERR_get_error(), why, sizeof why);
	ERR_clear_error();
	srv_log("error", "pg_listen", "%s (%s, %s): %s", what, cfg->tls_cert, cfg->tls_key, why);
	SSL_CTX_free(ctx);
	return -1;
}

int pgwire_start(Server *srv, Pgwire **out)
{
	Pgwire *pg = mem_calloc(1, sizeof *pg);
	pg->srv = srv;
	pthread_mutex_init(&pg->mu, NULL);
	pthread_cond_init(&pg->idle, NULL);
	if (tls_init(&srv->cfg, &pg->tls) < 0) {
		mem_free(pg);
		return -1;
	}
	if (listen_on(srv->cfg.pg_listen, &pg->lfd) < 0 || pipe(pg->stop) < 0) {
		SSL_CTX_free(pg->tls);
		mem_free(pg);
		return -1;
	}
	if (pthread_create(&pg->acceptor, NULL, accept_main, pg) != 0) {
		close(pg->lfd);
		SSL_CTX_free(pg->tls);
		mem_free(pg);
		return -1;
	}
	srv_log("info", "pg_listen", "PostgreSQL protocol on %s (auth %s, tls %s)",
		srv->cfg.pg_listen, srv->cfg.auth, pg->tls ? "on" : "off");
	*out = pg;
	return 0;
}

void pgwire_stop(Pgwire *pg)
{
	if (!pg)
		return;
	if (write(pg->stop[1], "x", 1) < 0) {
		/* The accept loop also ends when the listener closes. */
	}
	pthread_join(pg->acceptor, NULL);
	close(pg->lfd);
	pthread_mutex_lock(&pg->mu);
	pg->stopping = true;
	for (PgSession *s = pg->sessions; s; s = s->next) {
		shutdown(s->fd, SHUT_RDWR);
		if (write(s->wake[1], "x", 1) < 0) {
			/* Already being woken. */
		}
	}
	while (pg->nsessions > 0)
		pthread_cond_wait(&pg->idle, &pg->mu);
	pthread_mutex_unlock(&pg->mu);
	close(pg->stop[0]);
	close(pg->stop[1]);
	pthread_mutex_destroy(&pg->mu);
	pthread_cond_destroy(&pg->idle);
	SSL_CTX_free(pg->tls);
	mem_free(pg);
}
