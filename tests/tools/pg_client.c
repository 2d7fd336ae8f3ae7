/* pg_client.c: libpq against `eddy server`, nothing mocked (issue 5).
 *
 * Usage: pg_client PORT [SCRAM_PORT USER PASSWORD]
 * Connects to 127.0.0.1:PORT as user eddy and checks: simple queries, PQexecParams with text and
 * binary parameters and binary results, PQprepare/PQexecPrepared/PQdescribePrepared, pipeline
 * mode, COPY through PQputCopyData (and a failing COPY), SUBSCRIBE receiving the changes made by
 * a second connection and ended by PQcancel, a long query ended by PQcancel, the error classes with their SQLSTATE and position,
 * 200 concurrent sessions each running a query, and, with SCRAM_PORT, SCRAM-SHA-256 logins with
 * the right and a wrong password. Prints one line per failed check and "N passed, N failed".
 * Run by tests/integration/pgwire_libpq.sh.
 */
#include <postgresql/libpq-fe.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

static const char *port;

static PGconn *connect_as(const char *p, const char *user, const char *password)
{
	char conninfo[512];
	snprintf(conninfo, sizeof conninfo,
		 "host=127.0.0.1 port=%s user=%s dbname=eddy connect_timeout=10%s%s", p, user,
		 password ? " password=" : "", password ? password : "");
	return PQconnectdb(conninfo);
}

static PGconn *conn(void)
{
	PGconn *c = connect_as(port, "eddy", NULL);
	if (PQstatus(c) != CONNECTION_OK) {
		printf("FAIL connect: %s\n", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static void ok_cmd(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	CHECK(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

static void expect_error(PGconn *c, const char *sql, const char *state, const char *pos)
{
	PGresult *r = PQexec(c, sql);
	const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR && got && strcmp(got, state) == 0,
	      "%s: want %s, got %s (%s)", sql, state, got ? got : "none", PQerrorMessage(c));
	if (pos) {
		const char *p = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
		CHECK(p && strcmp(p, pos) == 0, "%s: position %s, want %s", sql, p ? p : "none", pos);
	}
	PQclear(r);
}

static uint32_t be32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

static void test_simple(PGconn *c)
{
	ok_cmd(c, "CREATE STREAM s (id int, v varchar, amount float8, ts timestamptz, d date, "
		  "n numeric)");
	ok_cmd(c, "CREATE MATERIALIZED VIEW m AS SELECT v, count(*) AS n FROM s GROUP BY v");
	PGresult *r = PQexec(c, "INSERT INTO s VALUES (1, 'a', 1.5, '2000-01-01 00:00:01+00', "
				"'2000-01-02', 12.5); SELECT count(*) FROM s");
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "1") == 0,
	      "multi-statement query: %s", PQerrorMessage(c));
	CHECK(PQftype(r, 0) == 20, "count(*) is bigint, OID %u", PQftype(r, 0));
	PQclear(r);
	r = PQexec(c, "");
	CHECK(PQresultStatus(r) == PGRES_EMPTY_QUERY, "empty query");
	PQclear(r);
}

static void test_params(PGconn *c)
{
	/* Text parameters, untyped and typed, one with a quote inside. */
	const char *vals[2] = {"2", "it's"};
	PGresult *r = PQexecParams(c, "INSERT INTO s (id, v) VALUES ($1, $2)", 2, NULL, vals, NULL,
				   NULL, 0);
	CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "insert with params: %s", PQerrorMessage(c));
	PQclear(r);
	/* A binary int4 parameter; binary results. */
	uint32_t one = htonl(1);
	const char *bv[1] = {(const char *)&one};
	int lens[1] = {4}, fmts[1] = {1};
	Oid types[1] = {23};
	r = PQexecParams(c, "SELECT id, amount, ts, d, n, v FROM s WHERE id = $1", 1, types, bv,
			 lens, fmts, 1);
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "binary select: %s",
	      PQerrorMessage(c));
	if (PQntuples(r) == 1) {
		CHECK(PQfformat(r, 0) == 1 && PQgetlength(r, 0, 0) == 4 &&
			      be32(PQgetvalue(r, 0, 0)) == 1,
		      "int4 binary");
		uint64_t u = (uint64_t)be32(PQgetvalue(r, 0, 1)) << 32 | be32(PQgetvalue(r, 0, 1) + 4);
		double d;
		memcpy(&d, &u, 8);
		CHECK(d == 1.5, "float8 binary: %g", d);
		uint64_t ts = (uint64_t)be32(PQgetvalue(r, 0, 2)) << 32 |
			      be32(PQgetvalue(r, 0, 2) + 4);
		CHECK(ts == 1000000, "timestamptz binary is microseconds since 2000: %llu",
		      (unsigned long long)ts);
		CHECK(be32(PQgetvalue(r, 0, 3)) == 1, "date binary is days since 2000");
		/* numeric 12.5: ndigits 2, weight 0, sign 0, dscale 1, digits 12, 5000 */
		const unsigned char *nb = (const unsigned char *)PQgetvalue(r, 0, 4);
		CHECK(PQgetlength(r, 0, 4) == 12 && nb[1] == 2 && nb[3] == 0 && nb[7] == 1 &&
			      nb[9] == 12 && (nb[10] << 8 | nb[11]) == 5000,
		      "numeric binary");
		CHECK(strcmp(PQgetvalue(r, 0, 5), "a") == 0, "varchar binary is its text");
	}
	PQclear(r);
	/* Text parameter containing $1 and a quote: stays a literal. */
	const char *tv[1] = {"x'$1"};
	r = PQexecParams(c, "SELECT $1::varchar AS t, '$1' AS lit", 1, NULL, tv, NULL, NULL, 0);
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "x'$1") == 0 &&
		      strcmp(PQgetvalue(r, 0, 1), "$1") == 0,
	      "parameter quoting: %s", PQerrorMessage(c));
	PQclear(r);
	/* NULL parameter and a binary int8 one. */
	uint32_t big[2] = {htonl(0), htonl(7)};
	const char *nv[2] = {NULL, (const char *)big};
	int nl[2] = {0, 8}, nf[2] = {0, 1};
	Oid nt[2] = {0, 20};
	r = PQexecParams(c, "SELECT $1::int4 IS NULL, $2 + 1", 2, nt, nv, nl, nf, 0);
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
		      strcmp(PQgetvalue(r, 0, 1), "8") == 0,
	      "NULL and int8 binary params: %s", PQerrorMessage(c));
	PQclear(r);
	/* An error position in a parameterised query points into the original text. */
	r = PQexecParams(c, "SELECT $1::int4 + nope", 1, NULL, vals, NULL, NULL, 0);
	const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
	CHECK(pos && strcmp(pos, "19") == 0, "mapped error position %s", pos ? pos : "none");
	PQclear(r);
}

static void test_prepared(PGconn *c)
{
	PGresult *r = PQprepare(c, "q1", "SELECT id, v FROM s WHERE id = $1", 1, NULL);
	CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare: %s", PQerrorMessage(c));
	PQclear(r);
	r = PQdescribePrepared(c, "q1");
	CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 1 && PQnfields(r) == 2 &&
		      PQftype(r, 0) == 23 && strcmp(PQfname(r, 1), "v") == 0,
	      "describe prepared: %s", PQerrorMessage(c));
	PQclear(r);
	for (int i = 1; i <= 2; i++) {
		char id[16];
		snprintf(id, sizeof id, "%d", i);
		const char *v[1] = {id};
		r = PQexecPrepared(c, "q1", 1, v, NULL, NULL, 0);
		CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
			      strcmp(PQgetvalue(r, 0, 0), id) == 0,
		      "exec prepared %d: %s", i, PQerrorMessage(c));
		PQclear(r);
	}
	r = PQprepare(c, "q1", "SELECT 1", 0, NULL);
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	CHECK(st && strcmp(st, "42P05") == 0, "duplicate prepared statement");
	PQclear(r);
}

static void test_pipeline(PGconn *c)
{
	CHECK(PQenterPipelineMode(c) == 1, "enter pipeline");
	const char *v[1] = {"1"};
	PQsendQueryParams(c, "SELECT $1::int4 + 1", 1, NULL, v, NULL, NULL, 0);
	PQsendQueryParams(c, "SELECT count(*) FROM s", 0, NULL, NULL, NULL, NULL, 0);
	PQsendQueryParams(c, "SELECT 10", 0, NULL, NULL, NULL, NULL, 0);
	PQpipelineSync(c);
	const char *want[3] = {"2", "2", "10"};
	for (int i = 0; i < 3; i++) {
		PGresult *r = PQgetResult(c);
		CHECK(r && PQresultStatus(r) == PGRES_TUPLES_OK &&
			      strcmp(PQgetvalue(r, 0, 0), want[i]) == 0,
		      "pipeline result %d: %s", i, PQerrorMessage(c));
		PQclear(r);
		r = PQgetResult(c); /* NULL ends each query's results */
		CHECK(r == NULL, "pipeline end of result %d", i);
	}
	PGresult *r = PQgetResult(c);
	CHECK(r && PQresultStatus(r) == PGRES_PIPELINE_SYNC, "pipeline sync");
	PQclear(r);
	CHECK(PQexitPipelineMode(c) == 1, "exit pipeline");
}

static void test_copy(PGconn *c)
{
	PGresult *r = PQexec(c, "COPY s (id, v) FROM STDIN WITH (FORMAT csv)");
	CHECK(PQresultStatus(r) == PGRES_COPY_IN, "copy in: %s", PQerrorMessage(c));
	PQclear(r);
	char buf[64];
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(buf, sizeof buf, "%d,\"c,%d\"\n", 100 + i, i % 3);
		/* Rows split across CopyData messages at odd places. */
		PQputCopyData(c, buf, 3);
		PQputCopyData(c, buf + 3, n - 3);
	}
	PQputCopyEnd(c, NULL);
	r = PQgetResult(c);
	CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdTuples(r), "1000") == 0,
	      "copy result %s: %s", PQcmdTuples(r), PQerrorMessage(c));
	PQclear(r);
	PQclear(PQgetResult(c));
	/* A bad row fails the whole COPY, naming the line. */
	r = PQexec(c, "COPY s (id, v) FROM STDIN");
	PQclear(r);
	const char *rows = "5000\tok\nbad\tno\n";
	PQputCopyData(c, rows, (int)strlen(rows));
	PQputCopyEnd(c, NULL);
	r = PQgetResult(c);
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT);
	CHECK(st && strcmp(st, "22P02") == 0 && ctx && strstr(ctx, "line 2"),
	      "bad COPY row: %s / %s", st ? st : "-", ctx ? ctx : "-");
	PQclear(r);
	while ((r = PQgetResult(c)))
		PQclear(r);
	r = PQexec(c, "SELECT count(*) FROM s WHERE id = 5000");
	CHECK(strcmp(PQgetvalue(r, 0, 0), "0") == 0, "failed COPY inserted nothing");
	PQclear(r);
	/* CopyFail from the client. */
	PQclear(PQexec(c, "COPY s FROM STDIN"));
	PQputCopyEnd(c, "client gave up");
	r = PQgetResult(c);
	st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	CHECK(st && strcmp(st, "57014") == 0, "CopyFail gives 57014");
	PQclear(r);
	while ((r = PQgetResult(c)))
		PQclear(r);
}

/* Reads single-row results of the view m (op, v, n) until the row of group v = 'zz' with n = 2
 * arrives (or 5 s pass). Returns the op of that row, or "" when it did not come. */
static const char *read_until_zz2(PGconn *c, char *op, size_t cap)
{
	op[0] = 0;
	for (int spins = 0; !op[0] && spins < 500; spins++) {
		struct pollfd p = {PQsocket(c), POLLIN, 0};
		poll(&p, 1, 10);
		PQconsumeInput(c);
		while (!op[0] && !PQisBusy(c)) {
			PGresult *r = PQgetResult(c);
			if (!r)
				break;
			if (PQresultStatus(r) == PGRES_SINGLE_TUPLE && PQnfields(r) == 3 &&
			    strcmp(PQgetvalue(r, 0, 1), "zz") == 0 &&
			    strcmp(PQgetvalue(r, 0, 2), "2") == 0)
				snprintf(op, cap, "%s", PQgetvalue(r, 0, 0));
			PQclear(r);
		}
	}
	return op;
}

/* Sends a CancelRequest for c's running statement and reads its results: whether it ended
 * with 57014 "canceling statement due to user request". */
static bool cancel_ends_57014(PGconn *c)
{
	PGcancel *cancel = PQgetCancel(c);
	char err[256];
	CHECK(PQcancel(cancel, err, sizeof err) == 1, "cancel: %s", err);
	PQfreeCancel(cancel);
	PGresult *r;
	bool cancelled = false;
	while ((r = PQgetResult(c))) {
		const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (PQresultStatus(r) == PGRES_FATAL_ERROR && st && strcmp(st, "57014") == 0 &&
		    strstr(PQresultErrorMessage(r), "canceling statement due to user request"))
			cancelled = true;
		PQclear(r);
	}
	return cancelled;
}

static void test_subscribe(PGconn *c)
{
	PGconn *w = conn();
	/* With the snapshot, the group's final state arrives whether the inserts land before or
	 * after the subscription starts: as an insert (snapshot) or as an update. */
	CHECK(PQsendQuery(c, "SUBSCRIBE m") == 1, "send subscribe");
	CHECK(PQsetSingleRowMode(c) == 1, "single row mode");
	ok_cmd(w, "INSERT INTO s (id, v) VALUES (9001, 'zz')");
	ok_cmd(w, "INSERT INTO s (id, v) VALUES (9002, 'zz')");
	char op[32];
	read_until_zz2(c, op, sizeof op);
	CHECK(strcmp(op, "update_insert") == 0 || strcmp(op, "insert") == 0,
	      "subscribe delivered the change of group zz (op \"%s\")", op);
	CHECK(cancel_ends_57014(c), "cancelled subscription ends with 57014");
	PGresult *r = PQexec(c, "SELECT 1");
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "session goes on after cancel: %s",
	      PQerrorMessage(c));
	PQclear(r);
	PQfinish(w);
}

static void test_errors(PGconn *c)
{
	expect_error(c, "SELECT 1 FROM", "42601", NULL);
	expect_error(c, "SELEC 1", "42601", "1");
	expect_error(c, "SELECT * FROM nowhere", "42P01", "15");
	expect_error(c, "SELECT 1/0", "22012", NULL);
	expect_error(c, "SHOW nothing_here", "42704", NULL);
	/* The session is still usable. */
	ok_cmd(c, "SELECT 1");
}

static void test_many(void)
{
	enum { N = 200 };
	PGconn *cs[N];
	int ok = 0;
	for (int i = 0; i < N; i++) {
		cs[i] = connect_as(port, "eddy", NULL);
		if (PQstatus(cs[i]) == CONNECTION_OK &&
		    PQsendQuery(cs[i], "SELECT count(*) FROM s") == 1)
			ok++;
	}
	CHECK(ok == N, "%d of %d concurrent sessions connected", ok, N);
	int good = 0;
	for (int i = 0; i < N; i++) {
		PGresult *r;
		while ((r = PQgetResult(cs[i]))) {
			if (PQresultStatus(r) == PGRES_TUPLES_OK)
				good++;
			PQclear(r);
		}
		PQfinish(cs[i]);
	}
	CHECK(good == N, "%d of %d concurrent queries answered", good, N);
}

static void test_scram(const char *p, const char *user, const char *password)
{
	PGconn *c = connect_as(p, user, password);
	CHECK(PQstatus(c) == CONNECTION_OK, "scram login: %s", PQerrorMessage(c));
	PQfinish(c);
	c = connect_as(p, user, "wrong");
	CHECK(PQstatus(c) != CONNECTION_OK &&
		      strstr(PQerrorMessage(c), "password authentication failed for user"),
	      "wrong password refused: %s", PQerrorMessage(c));
	PQfinish(c);
}

/* A long ad-hoc query (a per-row subquery over 20000 rows: 20000 scans of the stream) is
 * cancelled from another thread's PQcancel, ends with 57014, and the session goes on. */
static void test_cancel_query(PGconn *c)
{
	ok_cmd(c, "CREATE STREAM big (k int)");
	ok_cmd(c, "INSERT INTO big VALUES (1)");
	for (int i = 0; i < 14; i++) /* doubling: 16384 rows */
		ok_cmd(c, "INSERT INTO big SELECT k + 1 FROM big");
	CHECK(PQsendQuery(c, "SELECT count(*) FROM (SELECT (SELECT count(*) FROM big b "
			     "WHERE b.k = a.k) FROM big a) s") == 1,
	      "send a long query");
	struct timespec pause = {0, 300 * 1000 * 1000};
	nanosleep(&pause, NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(cancel_ends_57014(c), "cancelled query ends with 57014");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(ms < 2000, "the query stopped %.0f ms after the cancel", ms);
	PGresult *r = PQexec(c, "SELECT count(*) FROM big");
	CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "16384") == 0,
	      "session goes on after cancel: %s", PQerrorMessage(c));
	PQclear(r);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pg_client PORT [SCRAM_PORT USER PASSWORD]\n");
		return 2;
	}
	port = argv[1];
	PGconn *c = conn();
	test_simple(c);
	test_params(c);
	test_prepared(c);
	test_pipeline(c);
	test_copy(c);
	test_errors(c);
	test_subscribe(c);
	test_cancel_query(c);
	PQfinish(c);
	test_many();
	if (argc >= 5)
		test_scram(argv[2], argv[3], argv[4]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
