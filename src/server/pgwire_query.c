/* pgwire_query.c: what a session does with Query, Parse, Bind, Describe, Execute, Close, Sync.
 *
 * Layer: server. Every statement becomes a portal: the engine runs it through eddy_query, or the
 * server answers it itself when the engine cannot (SET/SHOW/RESET of session parameters,
 * BEGIN/COMMIT/ROLLBACK, DISCARD, DEALLOCATE; COPY and SUBSCRIBE go to their own files). Both
 * protocols share the portal: the simple protocol runs one per statement of the query string,
 * the extended one keeps named statements and portals. Parameters ($n) are substituted into the
 * SQL text as quoted literals cast to their declared types, since the engine's binder takes no
 * parameters yet; error positions are mapped back to the text the client sent.
 */
#include "server/pgwire.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct PgStmt {
	char *name;
	char *query;
	int ntypes;
	uint32_t *types;
	int nparams;     /* highest $n in the text, or ntypes when larger */
	PgStmt *next;
};

typedef enum PortalKind {
	PK_ENGINE,       /* an engine result */
	PK_LOCAL,        /* rows or a tag made by the server */
	PK_EMPTY,
	PK_COPY,
	PK_SUBSCRIBE
} PortalKind;

struct PgPortal {
	char *name;
	char *orig;      /* the text the client sent */
	char *sql;       /* the text run (parameters substituted) */
	PgSubst map;
	int nrfmts;
	int16_t *rfmts;
	bool started;
	bool done;
	PortalKind kind;
	EddyResult *res;
	char tag[64];
	int lcols;           /* PK_LOCAL rows: up to 3 text columns */
	char lnames[3][64];
	StrBuf lrows;        /* lcols NUL-terminated cells per row */
	size_t lpos;
	int64_t sent;
	PgPortal *next;
};

/* ---- session parameters */

typedef struct GucDef {
	const char *name;
	const char *value;
	bool report;     /* sent as ParameterStatus at startup and when it changes */
	bool readonly;
} GucDef;

static const GucDef gucs[] = {
	{"server_version", "15.0", true, true},
	{"server_version_num", "150000", false, true},
	{"server_encoding", "UTF8", true, true},
	{"client_encoding", "UTF8", true, false},
	{"DateStyle", "ISO, MDY", true, false},
	{"IntervalStyle", "postgres", true, false},
	{"integer_datetimes", "on", true, true},
	{"TimeZone", "UTC", true, false},
	{"standard_conforming_strings", "on", true, false},
	{"application_name", "", true, false},
	{"is_superuser", "on", true, true},
	{"session_authorization", "", true, false},
	{"extra_float_digits", "1", false, false},
	{"search_path", "\"$user\", public", false, false},
	{"transaction_isolation", "read committed", false, false},
	{"default_transaction_isolation", "read committed", false, false},
	{"transaction_read_only", "off", false, false},
	{"default_transaction_read_only", "off", false, false},
	{"statement_timeout", "0", false, false},
	{"lock_timeout", "0", false, false},
	{"idle_in_transaction_session_timeout", "0", false, false},
	{"max_identifier_length", "63", false, true},
	{"bytea_output", "hex", false, false},
	{"lc_messages", "C", false, false},
	{"lc_monetary", "C", false, false},
	{"lc_numeric", "C", false, false},
	{"lc_time", "C", false, false},
	{"timezone_abbreviations", "Default", false, false},
	{"eddy_version", EDDY_VERSION, false, true},
};
#define NGUCS (int)(sizeof gucs / sizeof gucs[0])

void pgq_init_gucs(PgSession *s)
{
	s->nguc = 0;
	for (int i = 0; i < NGUCS; i++) {
		snprintf(s->guc_name[i], sizeof s->guc_name[i], "%s", gucs[i].name);
		snprintf(s->guc_val[i], sizeof s->guc_val[i], "%s", gucs[i].value);
		s->nguc++;
	}
}

static int guc_index(PgSession *s, const char *name)
{
	for (int i = 0; i < s->nguc; i++)
		if (strcasecmp(s->guc_name[i], name) == 0)
			return i;
	return -1;
}

const char *pgq_guc(PgSession *s, const char *name)
{
	int i = guc_index(s, name);
	return i < 0 ? NULL : s->guc_val[i];
}

static bool in_list(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(v, *list) == 0)
			return true;
	return false;
}

/* Does v contain w, ignoring case? */
static bool has_word(const char *v, const char *w)
{
	size_t n = strlen(w);
	for (; *v; v++)
		if (strncasecmp(v, w, n) == 0)
			return true;
	return false;
}

/* Normalises a value eddy can honour; -1 with e set for one it cannot (eddy always speaks UTF8
 * and prints dates in ISO style and timestamptz in UTC). */
static int check_value(const char *name, const char *v, char *norm, size_t cap, EddyError *e)
{
	snprintf(norm, cap, "%s", v);
	static const char *const utf8[] = {"UTF8", "UTF-8", "unicode", NULL};
	static const char *const utc[] = {"UTC", "GMT", "Etc/UTC", "Etc/GMT", "Z", "0", "+00",
					  "00:00", "+00:00", "UCT", "Zulu", "default", NULL};
	const char *hint = NULL;
	if (strcasecmp(name, "client_encoding") == 0) {
		if (in_list(v, utf8) || strcasecmp(v, "default") == 0)
			snprintf(norm, cap, "UTF8");
		else if (strcasecmp(v, "SQL_ASCII") != 0)
			hint = "eddy sends and receives UTF8 only.";
	} else if (strcasecmp(name, "TimeZone") == 0) {
		if (in_list(v, utc))
			snprintf(norm, cap, "UTC");
		else
			hint = "eddy shows timestamptz values in UTC.";
	} else if (strcasecmp(name, "DateStyle") == 0) {
		const char *order = has_word(v, "DMY") ? "DMY" : has_word(v, "YMD") ? "YMD" : "MDY";
		if (has_word(v, "SQL") || has_word(v, "Postgres") || has_word(v, "German"))
			hint = "eddy formats dates in ISO style.";
		snprintf(norm, cap, "ISO, %s", order);
	} else if (strcasecmp(name, "IntervalStyle") == 0) {
		if (strcasecmp(v, "postgres") != 0 && strcasecmp(v, "default") != 0)
			hint = "eddy formats intervals in the postgres style.";
		snprintf(norm, cap, "postgres");
	} else if (strcasecmp(name, "standard_conforming_strings") == 0) {
		if (strcasecmp(v, "on") != 0 && strcasecmp(v, "true") != 0 &&
		    strcasecmp(v, "default") != 0)
			hint = "eddy always uses standard conforming strings.";
		snprintf(norm, cap, "on");
	}
	if (hint) {
		pg_err(e, "22023", "invalid value for parameter \"%s\": \"%s\"", name, v);
		snprintf(e->hint, sizeof e->hint, "%s", hint);
		return -1;
	}
	return 0;
}

int pgq_set_guc(PgSession *s, const char *name, const char *value, bool report, EddyError *e)
{
	EddyError ignore;
	if (!e)
		e = &ignore;
	int i = guc_index(s, name);
	int def = -1;
	for (int k = 0; k < NGUCS; k++)
		if (strcasecmp(gucs[k].name, name) == 0)
			def = k;
	if (def >= 0 && gucs[def].readonly) {
		pg_err(e, "55P02", "parameter \"%s\" cannot be changed", gucs[def].name);
		return -1;
	}
	char norm[256];
	if (check_value(def >= 0 ? gucs[def].name : name, value, norm, sizeof norm, e) < 0)
		return -1;
	if (strcasecmp(value, "default") == 0 && def >= 0)
		snprintf(norm, sizeof norm, "%s", gucs[def].value);
	if (i < 0) {
		/* Parameters eddy does not know are kept so SHOW returns them (drivers set a few
		 * of their own); they change nothing. */
		if (s->nguc == PG_MAX_GUCS) {
			pg_err(e, "54000", "too many session parameters");
			return -1;
		}
		i = s->nguc++;
		snprintf(s->guc_name[i], sizeof s->guc_name[i], "%s", name);
	}
	snprintf(s->guc_val[i], sizeof s->guc_val[i], "%s", norm);
	if (report && def >= 0 && gucs[def].report)
		pgw_param_status(&s->out, gucs[def].name, norm);
	return 0;
}

/* ---- statements the server answers itself */

/* The words of a statement's head, lower-cased (up to 4). */
static int head_words(const char *sql, char words[4][32])
{
	const char *p = sql, *end = sql + strlen(sql);
	int n = 0;
	PgTok t;
	while (n < 4) {
		p = pgsql_lex(p, end, &t);
		if (t.kind != PGT_WORD)
			break;
		pgsql_ident(&t, words[n], sizeof words[n]);
		n++;
	}
	return n;
}

static void local_row(PgPortal *p, const char *a, const char *b, const char *c)
{
	const char *cells[3] = {a, b, c};
	for (int i = 0; i < p->lcols; i++) {
		sb_puts(&p->lrows, cells[i] ? cells[i] : "");
		sb_putc(&p->lrows, 0);
	}
}

static int run_show(PgSession *s, PgPortal *p, char words[4][32], int n, EddyError *e)
{
	const char *name = n > 1 ? words[1] : "";
	if (n > 2 && strcmp(words[1], "time") == 0 && strcmp(words[2], "zone") == 0)
		name = "TimeZone";
	else if (n > 3 && strcmp(words[1], "transaction") == 0)
		name = "transaction_isolation";
	p->kind = PK_LOCAL;
	snprintf(p->tag, sizeof p->tag, "SHOW");
	if (strcasecmp(name, "all") == 0) {
		p->lcols = 3;
		strcpy(p->lnames[0], "name");
		strcpy(p->lnames[1], "setting");
		strcpy(p->lnames[2], "description");
		for (int i = 0; i < s->nguc; i++)
			local_row(p, s->guc_name[i], s->guc_val[i], "");
		return 0;
	}
	const char *v = pgq_guc(s, name);
	if (!v) {
		pg_err(e, "42704", "unrecognized configuration parameter \"%s\"", name);
		return -1;
	}
	p->lcols = 1;
	snprintf(p->lnames[0], sizeof p->lnames[0], "%s", s->guc_name[guc_index(s, name)]);
	local_row(p, v, NULL, NULL);
	return 0;
}

/* SET [SESSION|LOCAL] name {TO|=} value[, ...] | DEFAULT; SET TIME ZONE v; SET NAMES v;
 * RESET name | ALL. */
static int run_set(PgSession *s, PgPortal *p, bool reset, EddyError *e)
{
	const char *q = p->sql, *end = q + strlen(q);
	PgTok t;
	char name[64];
	p->kind = PK_LOCAL;
	snprintf(p->tag, sizeof p->tag, reset ? "RESET" : "SET");
	q = pgsql_lex(q, end, &t); /* SET / RESET */
	q = pgsql_lex(q, end, &t);
	if (pgsql_is(&t, "session") || pgsql_is(&t, "local")) {
		const char *q2 = pgsql_lex(q, end, &t);
		if (pgsql_is(&t, "characteristics") || pgsql_is(&t, "authorization"))
			return 0;
		q = q2;
	}
	if (pgsql_is(&t, "transaction"))
		return 0;
	if (t.kind != PGT_WORD && t.kind != PGT_QIDENT) {
		pg_err(e, "42601", "syntax error at or near \"%.*s\"", (int)t.n, t.s);
		e->position = pgsql_byte_to_char(p->sql, (size_t)(t.s - p->sql)) + 1;
		return -1;
	}
	pgsql_ident(&t, name, sizeof name);
	if (strcmp(name, "time") == 0) {
		q = pgsql_lex(q, end, &t);
		snprintf(name, sizeof name, "TimeZone");
	} else if (strcmp(name, "names") == 0) {
		snprintf(name, sizeof name, "client_encoding");
	} else {
		/* name.with.dots */
		for (;;) {
			PgTok dot;
			const char *q2 = pgsql_lex(q, end, &dot);
			if (!pgsql_punct(&dot, '.'))
				break;
			q = pgsql_lex(q2, end, &t);
			size_t l = strlen(name);
			snprintf(name + l, sizeof name - l, ".%.*s", (int)t.n, t.s);
		}
	}
	if (reset) {
		if (strcmp(name, "all") == 0) {
			pgq_init_gucs(s);
			return 0;
		}
		return pgq_set_guc(s, name, "default", true, e);
	}
	if (strcmp(name, "client_encoding") != 0 || !pgsql_is(&t, "names")) {
		if (strcmp(name, "TimeZone") != 0) {
			q = pgsql_lex(q, end, &t);
			if (!(pgsql_is(&t, "to") || pgsql_punct(&t, '='))) {
				pg_err(e, "42601", "syntax error at or near \"%.*s\"", (int)t.n, t.s);
				e->position = pgsql_byte_to_char(p->sql, (size_t)(t.s - p->sql)) + 1;
				return -1;
			}
		}
	}
	StrBuf val, one;
	sb_init(&val);
	sb_init(&one);
	for (;;) {
		q = pgsql_lex(q, end, &t);
		if (t.kind == PGT_END || t.kind == PGT_SEMI)
			break;
		if (pgsql_punct(&t, ',')) {
			sb_puts(&val, ", ");
			continue;
		}
		if (t.kind == PGT_QIDENT) {
			sb_append(&val, t.s, t.n);
			continue;
		}
		pgsql_string(&t, &one);
		sb_append(&val, one.data ? one.data : "", one.len);
	}
	int rc = pgq_set_guc(s, name, val.data ? val.data : "", true, e);
	sb_deinit(&val);
	sb_deinit(&one);
	return rc;
}

/* SHOW STREAMS, TABLES, SOURCES, SINKS, MATERIALIZED VIEWS and COLUMNS FROM x are catalog
 * listings the engine answers; every other SHOW names a session parameter. */
static bool engine_show(char words[4][32], int n)
{
	static const char *const lists[] = {"streams", "tables",       "sources",
					    "sinks",   "materialized", "columns"};
	for (size_t i = 0; n > 1 && i < sizeof lists / sizeof lists[0]; i++)
		if (strcmp(words[1], lists[i]) == 0)
			return true;
	return false;
}

/* Statements the server runs itself: returns 1 when handled (p filled), 0 when the engine
 * should run it, -1 on error. */
static int run_local(PgSession *s, PgPortal *p, EddyError *e)
{
	char w[4][32];
	int n = head_words(p->sql, w);
	if (n == 0)
		return 0;
	p->kind = PK_LOCAL;
	if (strcmp(w[0], "begin") == 0 || (strcmp(w[0], "start") == 0 && n > 1)) {
		s->txn = 'T';
		snprintf(p->tag, sizeof p->tag, strcmp(w[0], "begin") == 0 ? "BEGIN"
									  : "START TRANSACTION");
		return 1;
	}
	if (strcmp(w[0], "commit") == 0 || strcmp(w[0], "end") == 0) {
		s->txn = 'I';
		snprintf(p->tag, sizeof p->tag, "COMMIT");
		return 1;
	}
	if (strcmp(w[0], "rollback") == 0 || strcmp(w[0], "abort") == 0) {
		s->txn = 'I';
		snprintf(p->tag, sizeof p->tag, "ROLLBACK");
		return 1;
	}
	if (strcmp(w[0], "set") == 0 || strcmp(w[0], "reset") == 0)
		return run_set(s, p, w[0][0] == 'r', e) < 0 ? -1 : 1;
	if (strcmp(w[0], "show") == 0 && !engine_show(w, n))
		return run_show(s, p, w, n, e) < 0 ? -1 : 1;
	if (strcmp(w[0], "discard") == 0) {
		snprintf(p->tag, sizeof p->tag, "DISCARD ALL");
		return 1;
	}
	if (strcmp(w[0], "deallocate") == 0) {
		snprintf(p->tag, sizeof p->tag, "DEALLOCATE");
		return 1;
	}
	if (strcmp(w[0], "copy") == 0) {
		p->kind = PK_COPY;
		return 1;
	}
	if (strcmp(w[0], "subscribe") == 0) {
		p->kind = PK_SUBSCRIBE;
		return 1;
	}
	p->kind = PK_ENGINE;
	return 0;
}

/* ---- portals */

static void portal_clear(PgPortal *p)
{
	if (p->res)
		eddy_result_free(p->res);
	mem_free(p->name);
	mem_free(p->orig);
	mem_free(p->sql);
	mem_free(p->rfmts);
	pgsql_subst_deinit(&p->map);
	sb_deinit(&p->lrows);
	memset(p, 0, sizeof *p);
}

static int portal_start(PgSession *s, PgPortal *p, EddyError *e)
{
	if (p->started)
		return 0;
	p->started = true;
	PgTok t;
	pgsql_lex(p->sql, p->sql + strlen(p->sql), &t);
	if (t.kind == PGT_END || t.kind == PGT_SEMI) {
		p->kind = PK_EMPTY;
		return 0;
	}
	int rc = run_local(s, p, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (eddy_query_cancel(s->srv->db, p->sql, &s->cancel, &p->res, e) < 0) {
		p->res = NULL;
		e->position = pgsql_map_pos(&p->map, p->orig, p->sql, e->position);
		return -1;
	}
	snprintf(p->tag, sizeof p->tag, "%s", eddy_result_tag(p->res));
	return 0;
}

static int portal_ncols(const PgPortal *p)
{
	if (p->kind == PK_ENGINE)
		return p->res ? eddy_result_ncols(p->res) : 0;
	return p->kind == PK_LOCAL ? p->lcols : 0;
}

static int col_format(const PgPortal *p, int col)
{
	if (p->nrfmts == 0)
		return 0;
	return p->rfmts[p->nrfmts == 1 ? 0 : col];
}

/* RowDescription, or NoData when the portal returns no rows and nodata is set. */
static void portal_describe(PgSession *s, PgPortal *p, bool nodata)
{
	int n = portal_ncols(p);
	if (n == 0) {
		if (nodata)
			pgw_simple(&s->out, 'n');
		return;
	}
	size_t at = pgw_begin(&s->out, 'T');
	pgw_i16(&s->out, n);
	for (int i = 0; i < n; i++) {
		if (p->kind == PK_ENGINE)
			pgw_column(&s->out, eddy_result_colname(p->res, i),
				   pgt_oid(eddy_result_coltype(p->res, i)), col_format(p, i));
		else
			pgw_column(&s->out, p->lnames[i], PG_OID_TEXT, col_format(p, i));
	}
	pgw_end(&s->out, at);
}

static int data_row(PgSession *s, PgPortal *p, EddyError *e)
{
	int n = portal_ncols(p);
	size_t at = pgw_begin(&s->out, 'D');
	pgw_i16(&s->out, n);
	for (int i = 0; i < n; i++) {
		const char *text;
		if (p->kind == PK_LOCAL) {
			text = p->lrows.data + p->lpos;
			p->lpos += strlen(text) + 1;
		} else if (eddy_result_isnull(p->res, i)) {
			pgw_i32(&s->out, -1);
			continue;
		} else {
			text = eddy_result_text(p->res, i);
		}
		size_t lenat = s->out.len;
		pgw_i32(&s->out, 0);
		if (col_format(p, i) == 1 && p->kind == PK_ENGINE) {
			EddyType ty = eddy_result_coltype(p->res, i);
			bool flt = ty == EDDY_FLOAT4 || ty == EDDY_FLOAT8;
			if (pgt_binary_out(&s->out, ty, text,
					   flt ? 0 : eddy_result_int64(p->res, i),
					   flt ? eddy_result_double(p->res, i) : 0, e) < 0)
				return -1;
		} else {
			sb_puts(&s->out, text);
		}
		uint32_t len = (uint32_t)(s->out.len - lenat - 4);
		uint8_t *lp = (uint8_t *)s->out.data + lenat;
		lp[0] = (uint8_t)(len >> 24);
		lp[1] = (uint8_t)(len >> 16);
		lp[2] = (uint8_t)(len >> 8);
		lp[3] = (uint8_t)len;
	}
	pgw_end(&s->out, at);
	return 0;
}

/* Sends up to max rows (0: all). Returns 1 when rows remain, 0 when done, -1 on error. */
static int portal_rows(PgSession *s, PgPortal *p, int64_t max, EddyError *e)
{
	int64_t n = 0;
	for (;;) {
		if (max > 0 && n == max)
			return 1;
		bool more = p->kind == PK_ENGINE ? p->res && eddy_result_next(p->res)
						 : p->kind == PK_LOCAL && p->lpos < p->lrows.len;
		if (!more)
			break;
		if (data_row(s, p, e) < 0)
			return -1;
		n++;
		p->sent++;
		if (s->out.len > 65536) {
			if (s->cancel) {
				pg_err(e, "57014", "canceling statement due to user request");
				return -1;
			}
			if (pgs_flush(s) < 0)
				return -1;
		}
	}
	p->done = true;
	return 0;
}

static void portal_complete(PgSession *s, PgPortal *p)
{
	if (p->kind == PK_EMPTY) {
		pgw_simple(&s->out, 'I');
		return;
	}
	/* A portal read in several Executes reports the rows of all of them. */
	if (p->kind == PK_ENGINE && p->res && eddy_result_ncols(p->res) > 0 &&
	    strncmp(p->tag, "SELECT", 6) == 0)
		snprintf(p->tag, sizeof p->tag, "SELECT %lld", (long long)p->sent);
	pgw_tag(&s->out, p->tag);
}

EddyResult *pgq_columns_of(PgSession *s, const char *name, EddyError *e)
{
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" LIMIT 0", name);
	EddyResult *res;
	if (eddy_query(s->srv->db, sql, &res, e) < 0) {
		e->position = 0; /* the position is in our text, not the client's */
		return NULL;
	}
	return res;
}

/* ---- simple query */

void pgq_stmt_error(PgSession *s, EddyError *e, const char *query, size_t at)
{
	if (e->position > 0)
		e->position += pgsql_byte_to_char(query, at);
	pgs_error(s, e, NULL);
}

static int simple_stmt(PgSession *s, const char *query, size_t at, const char *stmt)
{
	PgPortal p;
	memset(&p, 0, sizeof p);
	p.orig = mem_strdup(stmt);
	p.sql = mem_strdup(stmt);
	EddyError e;
	int rc = portal_start(s, &p, &e);
	if (rc == 0 && p.kind == PK_COPY) {
		rc = pgcopy_run(s, stmt);
		portal_clear(&p);
		return rc;
	}
	if (rc == 0 && p.kind == PK_SUBSCRIBE) {
		rc = pgsub_run(s, stmt, true);
		portal_clear(&p);
		return rc;
	}
	if (rc == 0) {
		portal_describe(s, &p, false);
		rc = portal_rows(s, &p, 0, &e);
		if (rc == 0)
			portal_complete(s, &p);
	}
	if (rc < 0)
		pgq_stmt_error(s, &e, query, at);
	portal_clear(&p);
	return rc;
}

static void drop_portal(PgSession *s, const char *name);
static void drop_stmt(PgSession *s, const char *name);

void pgq_simple(PgSession *s, const char *sql)
{
	size_t len = strlen(sql);
	drop_portal(s, "");
	drop_stmt(s, "");
	if (!pgm_valid_utf8(sql, len)) {
		EddyError e;
		pg_err(&e, "22021", "invalid byte sequence for encoding \"UTF8\"");
		pgs_error(s, &e, NULL);
		pgs_ready(s);
		return;
	}
	const char *p = sql, *end = sql + len;
	bool any = false;
	while (p < end && !s->closing) {
		const char *stop = pgsql_stmt_end(p, end);
		PgTok t;
		pgsql_lex(p, stop, &t);
		if (t.kind != PGT_END) {
			any = true;
			char *stmt = arena_strndup(&s->arena, p, (size_t)(stop - p));
			if (simple_stmt(s, sql, (size_t)(p - sql), stmt) < 0)
				break;
		}
		p = stop < end ? stop + 1 : end;
	}
	if (!any)
		pgw_simple(&s->out, 'I');
	if (!s->closing)
		pgs_ready(s);
}

/* ---- extended query */

static PgStmt *find_stmt(PgSession *s, const char *name)
{
	for (PgStmt *t = s->stmts; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static PgPortal *find_portal(PgSession *s, const char *name)
{
	for (PgPortal *p = s->portals; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void drop_stmt(PgSession *s, const char *name)
{
	for (PgStmt **t = &s->stmts; *t; t = &(*t)->next) {
		if (strcmp((*t)->name, name) == 0) {
			PgStmt *x = *t;
			*t = x->next;
			mem_free(x->name);
			mem_free(x->query);
			mem_free(x->types);
			mem_free(x);
			return;
		}
	}
}

static void drop_portal(PgSession *s, const char *name)
{
	for (PgPortal **p = &s->portals; *p; p = &(*p)->next) {
		if (strcmp((*p)->name, name) == 0) {
			PgPortal *x = *p;
			*p = x->next;
			portal_clear(x);
			mem_free(x);
			return;
		}
	}
}

static int max_param(const char *sql)
{
	const char *p = sql, *end = sql + strlen(sql);
	PgTok t;
	int n = 0;
	for (;;) {
		p = pgsql_lex(p, end, &t);
		if (t.kind == PGT_END)
			return n;
		if (t.kind == PGT_PARAM && t.param > n)
			n = t.param;
	}
}

/* A malformed message: the error is sent and the connection ends, as the rest of the stream
 * can no longer be trusted. */
static int violation(PgSession *s, EddyError *e, const char *why)
{
	pg_err(e, "08P01", "%s", why);
	s->closing = true;
	return -1;
}

static int do_parse(PgSession *s, const uint8_t *b, size_t n, EddyError *e)
{
	PgParseMsg m;
	const char *why;
	if (pgm_parse(b, n, &s->arena, &m, &why) < 0)
		return violation(s, e, why);
	if (!pgm_valid_utf8(m.query, strlen(m.query))) {
		pg_err(e, "22021", "invalid byte sequence for encoding \"UTF8\"");
		return -1;
	}
	if (m.name[0] && find_stmt(s, m.name)) {
		pg_err(e, "42P05", "prepared statement \"%s\" already exists", m.name);
		return -1;
	}
	/* One statement per Parse, as in PostgreSQL. */
	const char *end = m.query + strlen(m.query), *stop = pgsql_stmt_end(m.query, end);
	PgTok t;
	if (stop < end && pgsql_lex(stop + 1, end, &t) && t.kind != PGT_END) {
		pg_err(e, "42601", "cannot insert multiple commands into a prepared statement");
		return -1;
	}
	drop_stmt(s, m.name);
	PgStmt *st = mem_calloc(1, sizeof *st);
	st->name = mem_strdup(m.name);
	st->query = mem_strdup(m.query);
	st->ntypes = m.ntypes;
	st->types = mem_calloc((size_t)m.ntypes + 1, sizeof(uint32_t));
	memcpy(st->types, m.types, sizeof(uint32_t) * (size_t)m.ntypes);
	int mp = max_param(st->query);
	st->nparams = mp > m.ntypes ? mp : m.ntypes;
	st->next = s->stmts;
	s->stmts = st;
	pgw_simple(&s->out, '1');
	return 0;
}

/* Makes the portal text: parameters as literals cast to their declared types. */
static int bind_text(PgStmt *st, const PgBindMsg *m, Arena *a, PgPortal *p, EddyError *e)
{
	const char **lits = arena_calloc(a, sizeof(char *) * (size_t)(st->nparams + 1));
	const char **casts = arena_calloc(a, sizeof(char *) * (size_t)(st->nparams + 1));
	StrBuf one;
	sb_init(&one);
	int rc = 0;
	for (int i = 0; i < st->nparams && rc == 0; i++) {
		uint32_t oid = i < st->ntypes ? st->types[i] : 0;
		casts[i] = pgt_cast(oid);
		if (!m->vals[i])
			continue;
		int fmt = m->nfmts == 0 ? 0 : m->fmts[m->nfmts == 1 ? 0 : i];
		sb_reset(&one);
		if (fmt == 1) {
			rc = pgt_binary_in(&one, oid, m->vals[i], (size_t)m->lens[i], i + 1, e);
		} else if (!pgm_valid_utf8((const char *)m->vals[i], (size_t)m->lens[i])) {
			pg_err(e, "22021", "invalid byte sequence for encoding \"UTF8\"");
			rc = -1;
		} else {
			sb_append(&one, m->vals[i], (size_t)m->lens[i]);
		}
		lits[i] = arena_strndup(a, one.data ? one.data : "", one.len);
	}
	sb_deinit(&one);
	if (rc < 0)
		return -1;
	StrBuf out;
	sb_init(&out);
	if (pgsql_substitute(st->query, st->nparams, lits, casts, &out, &p->map, e) < 0) {
		sb_deinit(&out);
		return -1;
	}
	p->sql = out.data ? sb_take(&out) : mem_strdup("");
	return 0;
}

static int do_bind(PgSession *s, const uint8_t *b, size_t n, EddyError *e)
{
	PgBindMsg m;
	const char *why;
	if (pgm_bind(b, n, &s->arena, &m, &why) < 0)
		return violation(s, e, why);
	PgStmt *st = find_stmt(s, m.stmt);
	if (!st) {
		if (m.stmt[0])
			pg_err(e, "26000", "prepared statement \"%s\" does not exist", m.stmt);
		else
			pg_err(e, "26000", "unnamed prepared statement does not exist");
		return -1;
	}
	if (m.nparams != st->nparams) {
		pg_err(e, "08P01",
		       "bind message supplies %d parameters, but prepared statement \"%s\" requires "
		       "%d",
		       m.nparams, st->name, st->nparams);
		return -1;
	}
	if (m.portal[0] && find_portal(s, m.portal)) {
		pg_err(e, "42P03", "cursor \"%s\" already exists", m.portal);
		return -1;
	}
	drop_portal(s, m.portal);
	PgPortal *p = mem_calloc(1, sizeof *p);
	if (bind_text(st, &m, &s->arena, p, e) < 0) {
		portal_clear(p);
		mem_free(p);
		return -1;
	}
	p->name = mem_strdup(m.portal);
	p->orig = mem_strdup(st->query);
	p->nrfmts = m.nrfmts;
	p->rfmts = mem_calloc((size_t)m.nrfmts + 1, sizeof(int16_t));
	for (int i = 0; i < m.nrfmts; i++) {
		if (m.rfmts[i] != 0 && m.rfmts[i] != 1) {
			pg_err(e, "22023", "unsupported format code: %d", m.rfmts[i]);
			portal_clear(p);
			mem_free(p);
			return -1;
		}
		p->rfmts[i] = m.rfmts[i];
	}
	p->next = s->portals;
	s->portals = p;
	pgw_simple(&s->out, '2');
	return 0;
}

/* Describe of a statement: parameter types, then the columns of a read-only statement found by
 * running it with NULL parameters (the engine has no describe-only call). */
static int describe_stmt(PgSession *s, PgStmt *st, EddyError *e)
{
	size_t at = pgw_begin(&s->out, 't');
	pgw_i16(&s->out, st->nparams);
	for (int i = 0; i < st->nparams; i++) {
		uint32_t oid = i < st->ntypes ? st->types[i] : 0;
		pgw_i32(&s->out, (int32_t)(oid && pgt_cast(oid) ? oid : PG_OID_TEXT));
	}
	pgw_end(&s->out, at);
	char w[4][32];
	int n = head_words(st->query, w);
	bool reads = n > 0 && (strcmp(w[0], "select") == 0 || strcmp(w[0], "with") == 0 ||
			       strcmp(w[0], "values") == 0 || strcmp(w[0], "table") == 0 ||
			       strcmp(w[0], "show") == 0);
	if (!reads) {
		pgw_simple(&s->out, 'n');
		return 0;
	}
	PgPortal p;
	memset(&p, 0, sizeof p);
	PgBindMsg m;
	memset(&m, 0, sizeof m);
	m.nparams = st->nparams;
	m.vals = arena_calloc(&s->arena, sizeof(uint8_t *) * (size_t)(st->nparams + 1));
	int rc = bind_text(st, &m, &s->arena, &p, e);
	p.orig = mem_strdup(st->query);
	if (rc == 0)
		rc = portal_start(s, &p, e);
	if (rc == 0)
		portal_describe(s, &p, true);
	portal_clear(&p);
	return rc;
}

/* The named portal, run if it has not been: NULL with e set when missing or failing. */
static PgPortal *started_portal(PgSession *s, const char *name, EddyError *e)
{
	PgPortal *p = find_portal(s, name);
	if (!p) {
		pg_err(e, "34000", "portal \"%s\" does not exist", name);
		return NULL;
	}
	return portal_start(s, p, e) < 0 ? NULL : p;
}

static int do_describe(PgSession *s, const uint8_t *b, size_t n, EddyError *e)
{
	char kind;
	const char *name, *why;
	if (pgm_target(b, n, &kind, &name, &why) < 0)
		return violation(s, e, why);
	if (kind == 'S') {
		PgStmt *st = find_stmt(s, name);
		if (!st) {
			pg_err(e, "26000", "prepared statement \"%s\" does not exist", name);
			return -1;
		}
		return describe_stmt(s, st, e);
	}
	PgPortal *p = started_portal(s, name, e);
	if (!p)
		return -1;
	if (p->kind == PK_SUBSCRIBE)
		return pgsub_describe(s, p->sql, e);
	portal_describe(s, p, true);
	return 0;
}

static int do_execute(PgSession *s, const uint8_t *b, size_t n, EddyError *e)
{
	const char *name, *why;
	int32_t max;
	if (pgm_execute(b, n, &name, &max, &why) < 0)
		return violation(s, e, why);
	PgPortal *p = started_portal(s, name, e);
	if (!p)
		return -1;
	if (p->kind == PK_SUBSCRIBE) {
		/* The subscription sends its own error when it ends; the messages up to Sync are
		 * skipped as after any error. */
		pgsub_run(s, p->sql, false);
		s->ext_error = true;
		return 0;
	}
	if (p->kind == PK_COPY) {
		pg_err(e, "0A000", "COPY is supported in the simple query protocol only");
		return -1;
	}
	int rc = portal_rows(s, p, max > 0 ? max : 0, e);
	if (rc < 0)
		return -1;
	if (rc == 1)
		pgw_simple(&s->out, 's');
	else
		portal_complete(s, p);
	return 0;
}

static int do_close(PgSession *s, const uint8_t *b, size_t n, EddyError *e)
{
	char kind;
	const char *name, *why;
	if (pgm_target(b, n, &kind, &name, &why) < 0)
		return violation(s, e, why);
	if (kind == 'S')
		drop_stmt(s, name);
	else
		drop_portal(s, name);
	pgw_simple(&s->out, '3');
	return 0;
}

void pgq_extended(PgSession *s, char type, const uint8_t *body, size_t len)
{
	if (type == 'S') {
		s->ext_error = false;
		drop_portal(s, "");
		pgs_ready(s);
		return;
	}
	if (type == 'H') {
		pgs_flush(s);
		return;
	}
	if (s->ext_error)
		return;
	EddyError e;
	int rc = 0;
	switch (type) {
	case 'P':
		rc = do_parse(s, body, len, &e);
		break;
	case 'B':
		rc = do_bind(s, body, len, &e);
		break;
	case 'D':
		rc = do_describe(s, body, len, &e);
		break;
	case 'E':
		rc = do_execute(s, body, len, &e);
		break;
	case 'C':
		rc = do_close(s, body, len, &e);
		break;
	}
	if (rc < 0) {
		pgs_error(s, &e, NULL);
		s->ext_error = true;
		if (s->closing)
			pgs_flush(s);
	}
}

void pgq_session_end(PgSession *s)
{
	while (s->portals)
		drop_portal(s, s->portals->name);
	while (s->stmts)
		drop_stmt(s, s->stmts->name);
}
