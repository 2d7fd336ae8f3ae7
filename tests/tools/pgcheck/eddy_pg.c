/* eddy_pg.c: include/eddy.h implemented over a PostgreSQL server, to check the expectations of
 * the sqllogictest files against real PostgreSQL.
 *
 * Role: a development tool, NOT part of eddy or of `make test` (eddy never depends on
 * PostgreSQL; the Makefile only builds the .c files directly in tests/tools, not this folder). Linked with
 * tests/tools/slt.c it gives a runner whose every record executes on PostgreSQL:
 *
 *   sh tests/tools/pgcheck/run.sh $(find tests/sql -name "*.slt")
 *
 * Each eddy_open creates a scratch database (dropped by eddy_close). The few streaming
 * extensions are rewritten into their PostgreSQL meaning before execution, so that plain
 * PostgreSQL computes what a materialized view must contain:
 *   CREATE STREAM            -> CREATE TABLE, without the WATERMARK FOR clause
 *   CREATE MATERIALIZED VIEW -> CREATE VIEW (a view always equals its query over current input)
 *   DROP STREAM / DROP MATERIALIZED VIEW -> DROP TABLE / DROP VIEW
 *   TUMBLE(rel, ts, size)    -> (SELECT *, date_bin(size, ts, TIMESTAMP '1970-01-01') AS
 *                                window_start, ... + size AS window_end FROM rel) AS tumble
 *   FLUSH                    -> a no-op
 * Records that have no PostgreSQL meaning (sources, SHOW, DESCRIBE, late rows, errors that only
 * streams raise) are marked `skipif postgresql` in the .slt files.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "eddy.h"

struct Eddy {
	PGconn *admin; /* connection to the maintenance database, to create and drop ours */
	PGconn *conn;
	char dbname[64];
};

struct EddyResult {
	PGresult *res;
	int row; /* current row, -1 before the first */
	char tag[64];
};

static void set_err(EddyError *err, const char *state, int pos, const char *msg)
{
	if (!err)
		return;
	snprintf(err->sqlstate, sizeof err->sqlstate, "%s", state ? state : "XX000");
	err->position = pos;
	snprintf(err->message, sizeof err->message, "%s", msg ? msg : "");
	err->hint[0] = '\0';
}

static void set_pg_err(EddyError *err, const PGresult *r, PGconn *c)
{
	if (!r) {
		set_err(err, "08006", 0, PQerrorMessage(c));
		return;
	}
	const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
	set_err(err, PQresultErrorField(r, PG_DIAG_SQLSTATE), pos ? atoi(pos) : 0,
		PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
	const char *hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
	if (err && hint)
		snprintf(err->hint, sizeof err->hint, "%s", hint);
}

int eddy_open(const char *path, Eddy **out, EddyError *err)
{
	static int seq;
	(void)path;
	const char *ci = getenv("EDDY_PG_CONNINFO");
	Eddy *db = calloc(1, sizeof *db);
	db->admin = PQconnectdb(ci ? ci : "dbname=postgres");
	if (PQstatus(db->admin) != CONNECTION_OK) {
		set_err(err, "08006", 0, PQerrorMessage(db->admin));
		PQfinish(db->admin);
		free(db);
		return -1;
	}
	snprintf(db->dbname, sizeof db->dbname, "slt_%d_%d", (int)getpid(), seq++);
	char sql[256];
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->dbname);
	PGresult *r = PQexec(db->admin, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_pg_err(err, r, db->admin);
		PQclear(r);
		PQfinish(db->admin);
		free(db);
		return -1;
	}
	PQclear(r);
	const char *keys[] = { "dbname", NULL };
	const char *vals[] = { db->dbname, NULL };
	db->conn = PQconnectdbParams(keys, vals, 0);
	r = PQexec(db->conn, "SET TimeZone = 'UTC'; SET client_min_messages = warning");
	PQclear(r);
	*out = db;
	return 0;
}

int eddy_open_ex(const EddyOptions *opts, Eddy **out, EddyError *err)
{
	return eddy_open(opts ? opts->data_dir : NULL, out, err);
}

void eddy_close(Eddy *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	char sql[256];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db->dbname);
	PQclear(PQexec(db->admin, sql));
	PQfinish(db->admin);
	free(db);
}

/* ---- Rewriting the streaming extensions (see the header comment). */

typedef struct Out {
	char *s;
	size_t n, cap;
} Out;

static void out_add(Out *o, const char *s, size_t n)
{
	if (o->n + n + 1 > o->cap) {
		o->cap = (o->n + n + 1) * 2 + 64;
		o->s = realloc(o->s, o->cap);
	}
	memcpy(o->s + o->n, s, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void out_str(Out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* Does the keyword sequence kw (single spaces) start at p, case-insensitively, ending at a word
 * boundary? Returns the length matched, 0 if not. */
static size_t match_kw(const char *start, const char *p, const char *kw)
{
	if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return 0;
	const char *q = p;
	for (const char *k = kw; *k; k++) {
		if (*k == ' ') {
			if (!isspace((unsigned char)*q))
				return 0;
			while (isspace((unsigned char)*q))
				q++;
		} else {
			if (tolower((unsigned char)*q) != *k)
				return 0;
			q++;
		}
	}
	if (isalnum((unsigned char)*q) || *q == '_')
		return 0;
	return (size_t)(q - p);
}

/* Skips a quoted string or identifier starting at p; returns the character after it. */
static const char *skip_quoted(const char *p)
{
	char q = *p++;
	while (*p) {
		if (*p == q) {
			if (p[1] == q) {
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
	return p;
}

/* From just after an opening parenthesis, finds its closing one (top level). */
static const char *find_close(const char *p)
{
	int depth = 1;
	while (*p) {
		if (*p == '\'' || *p == '"') {
			p = skip_quoted(p);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
		p++;
	}
	return p;
}

/* Splits the top-level comma-separated arguments between p and end. */
static int split_args(const char *p, const char *end, const char **a, const char **ae, int max)
{
	int n = 0, depth = 0;
	const char *s = p;
	while (p < end) {
		if (*p == '\'' || *p == '"') {
			p = skip_quoted(p);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == ',' && depth == 0 && n < max - 1) {
			a[n] = s;
			ae[n++] = p;
			s = p + 1;
		}
		p++;
	}
	a[n] = s;
	ae[n++] = end;
	return n;
}

static char *rewrite(const char *sql)
{
	Out o = { 0 };
	out_str(&o, "");
	const char *p = sql;
	int in_stream_def = 0;
	while (*p) {
		size_t n;
		if (*p == '\'' || *p == '"') {
			const char *e = skip_quoted(p);
			out_add(&o, p, (size_t)(e - p));
			p = e;
		} else if (*p == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if ((n = match_kw(sql, p, "create stream"))) {
			out_str(&o, "CREATE TABLE");
			p += n;
			in_stream_def = 1;
		} else if ((n = match_kw(sql, p, "drop stream"))) {
			out_str(&o, "DROP TABLE");
			p += n;
		} else if ((n = match_kw(sql, p, "create materialized view"))) {
			out_str(&o, "CREATE VIEW");
			p += n;
		} else if ((n = match_kw(sql, p, "drop materialized view"))) {
			out_str(&o, "DROP VIEW");
			p += n;
		} else if ((n = match_kw(sql, p, "flush"))) {
			out_str(&o, "SELECT 1 WHERE false");
			p += n;
		} else if (in_stream_def && *p == ',' &&
			   match_kw(sql, p + 1 + strspn(p + 1, " \t\n"), "watermark")) {
			/* Drops ", WATERMARK FOR ts AS expr" up to the closing parenthesis of the
			 * column list (or the next top-level comma). */
			const char *q = p + 1;
			int depth = 0;
			while (*q) {
				if (*q == '\'' || *q == '"') {
					q = skip_quoted(q);
					continue;
				}
				if (*q == '(')
					depth++;
				else if (*q == ')' && depth-- == 0)
					break;
				else if (*q == ',' && depth == 0)
					break;
				q++;
			}
			p = q;
			in_stream_def = 0;
		} else if ((n = match_kw(sql, p, "tumble")) && p[n + strspn(p + n, " \t\n")] == '(') {
			const char *open = p + n + strspn(p + n, " \t\n");
			const char *close = find_close(open + 1);
			const char *a[3], *ae[3];
			int na = split_args(open + 1, close, a, ae, 3);
			if (na != 3) {
				out_add(&o, p, n);
				p += n;
				continue;
			}
			char buf[2048];
			snprintf(buf, sizeof buf,
				 "(SELECT *, date_bin(%.*s, %.*s, TIMESTAMP '1970-01-01') AS window_start, "
				 "date_bin(%.*s, %.*s, TIMESTAMP '1970-01-01') + %.*s AS window_end "
				 "FROM %.*s) AS tumble",
				 (int)(ae[2] - a[2]), a[2], (int)(ae[1] - a[1]), a[1],
				 (int)(ae[2] - a[2]), a[2], (int)(ae[1] - a[1]), a[1],
				 (int)(ae[2] - a[2]), a[2], (int)(ae[0] - a[0]), a[0]);
			out_str(&o, buf);
			p = *close ? close + 1 : close;
		} else {
			if (*p == ';')
				in_stream_def = 0;
			out_add(&o, p, 1);
			p++;
		}
	}
	return o.s;
}

/* ---- Executing. */

static PGresult *run(Eddy *db, const char *sql, EddyError *err)
{
	char *q = rewrite(sql);
	if (getenv("EDDY_PG_TRACE"))
		fprintf(stderr, "pg: %s\n", q);
	PGresult *r = PQexec(db->conn, q);
	free(q);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		set_pg_err(err, r, db->conn);
		PQclear(r);
		return NULL;
	}
	return r;
}

int eddy_exec(Eddy *db, const char *sql, EddyResultFn fn, void *ctx, EddyError *err)
{
	PGresult *r = run(db, sql, err);
	if (!r)
		return -1;
	if (fn) {
		EddyResult res = { r, -1, "" };
		fn(ctx, &res);
	}
	PQclear(r);
	return 0;
}

int eddy_query(Eddy *db, const char *sql, EddyResult **out, EddyError *err)
{
	*out = NULL;
	PGresult *r = run(db, sql, err);
	if (!r)
		return -1;
	EddyResult *res = calloc(1, sizeof *res);
	res->res = r;
	res->row = -1;
	snprintf(res->tag, sizeof res->tag, "%s", PQcmdStatus(r));
	*out = res;
	return 0;
}

void eddy_result_free(EddyResult *res)
{
	if (!res)
		return;
	PQclear(res->res);
	free(res);
}

const char *eddy_result_tag(const EddyResult *res)
{
	return res->tag;
}

int eddy_result_ncols(const EddyResult *res)
{
	return PQnfields(res->res);
}

const char *eddy_result_colname(const EddyResult *res, int col)
{
	return PQfname(res->res, col);
}

EddyType eddy_result_coltype(const EddyResult *res, int col)
{
	switch (PQftype(res->res, col)) {
	case 16: return EDDY_BOOL;
	case 21: return EDDY_INT2;
	case 23: return EDDY_INT4;
	case 20: return EDDY_INT8;
	case 700: return EDDY_FLOAT4;
	case 701: return EDDY_FLOAT8;
	case 1700: return EDDY_NUMERIC;
	case 1114: return EDDY_TIMESTAMP;
	case 1184: return EDDY_TIMESTAMPTZ;
	case 1082: return EDDY_DATE;
	case 1186: return EDDY_INTERVAL;
	default: return EDDY_VARCHAR;
	}
}

const char *eddy_type_name(EddyType t)
{
	(void)t;
	return "unknown";
}

int64_t eddy_result_nrows(const EddyResult *res)
{
	return PQntuples(res->res);
}

int eddy_result_next(EddyResult *res)
{
	if (res->row + 1 >= PQntuples(res->res))
		return 0;
	res->row++;
	return 1;
}

int eddy_result_isnull(const EddyResult *res, int col)
{
	return PQgetisnull(res->res, res->row, col);
}

const char *eddy_result_text(EddyResult *res, int col)
{
	return PQgetisnull(res->res, res->row, col) ? NULL : PQgetvalue(res->res, res->row, col);
}

int64_t eddy_result_int64(const EddyResult *res, int col)
{
	return strtoll(PQgetvalue(res->res, res->row, col), NULL, 10);
}

double eddy_result_double(const EddyResult *res, int col)
{
	return strtod(PQgetvalue(res->res, res->row, col), NULL);
}

/* Builds an INSERT with literals; timestamps are formatted from microseconds. */
int eddy_insert(Eddy *db, const char *target, const char *const *columns, int ncols,
		const EddyValue *values, int nrows, EddyError *err)
{
	Out o = { 0 };
	out_str(&o, "INSERT INTO ");
	out_str(&o, target);
	if (columns) {
		out_str(&o, " (");
		for (int c = 0; c < ncols; c++) {
			out_str(&o, c ? ", " : "");
			out_str(&o, columns[c]);
		}
		out_str(&o, ")");
	}
	out_str(&o, " VALUES ");
	for (int r = 0; r < nrows; r++) {
		out_str(&o, r ? ", (" : "(");
		for (int c = 0; c < ncols; c++) {
			const EddyValue *v = &values[r * ncols + c];
			char buf[128];
			switch (v->type) {
			case EDDY_NULL: snprintf(buf, sizeof buf, "NULL"); break;
			case EDDY_BOOL: snprintf(buf, sizeof buf, v->v.i ? "true" : "false"); break;
			case EDDY_FLOAT4:
			case EDDY_FLOAT8: snprintf(buf, sizeof buf, "%.17g", v->v.f); break;
			case EDDY_TIMESTAMP:
			case EDDY_TIMESTAMPTZ:
				snprintf(buf, sizeof buf, "to_timestamp(%lld / 1000000.0) AT TIME ZONE 'UTC'",
					 (long long)v->v.i);
				break;
			case EDDY_DATE:
				snprintf(buf, sizeof buf, "DATE '1970-01-01' + %lld", (long long)v->v.i);
				break;
			case EDDY_VARCHAR: {
				char *q = PQescapeLiteral(db->conn, v->v.s, strlen(v->v.s));
				snprintf(buf, sizeof buf, "%s", q);
				PQfreemem(q);
				break;
			}
			default: snprintf(buf, sizeof buf, "%lld", (long long)v->v.i); break;
			}
			out_str(&o, c ? ", " : "");
			out_str(&o, buf);
		}
		out_str(&o, ")");
	}
	PGresult *r = PQexec(db->conn, o.s);
	free(o.s);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_pg_err(err, r, db->conn);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	return 0;
}

int eddy_subscribe(Eddy *db, const char *view, int snapshot, EddyChangeFn fn, void *ctx,
		   EddySubscription **out, EddyError *err)
{
	set_err(err, "0A000", 0, "eddy_subscribe is not available in the PostgreSQL check");
	return -1;
}

void eddy_unsubscribe(EddySubscription *sub)
{
}

int eddy_flush(Eddy *db, EddyError *err)
{
	return 0;
}
