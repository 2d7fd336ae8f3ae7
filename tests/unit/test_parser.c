/* test_parser.c: unit tests of the SQL front end (src/sql/: lexer, parser, AST, printer).
 *
 * Most cases are tables: SQL in, normalized SQL out (the printer parenthesizes every operator
 * expression, so the expected text shows how precedence grouped the input), and SQL in,
 * PostgreSQL error out (SQLSTATE, message, position). Every successful parse is also checked
 * to be a fixed point of print-then-parse, i.e. parse(print(parse(x))) prints like parse(x).
 * A seeded random loop throws bytes and token soups at the parser: it must never crash, and a
 * failure must come with an error code and a position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/keywords.h"
#include "sql/parser.h"

static Arena arena;

static int setup(void **state)
{
	arena_init(&arena, 0);
	return 0;
}

static int teardown(void **state)
{
	arena_deinit(&arena);
	return 0;
}

/* Parses sql (which must succeed), checks the print/parse round trip and returns the printed
 * statements joined with "; " (in the arena). */
static const char *pp(const char *sql)
{
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	if (sql_parse(sql, &arena, &st, &n, &e) < 0)
		fail_msg("parse of [%s] failed: %s (position %d)", sql, e.msg, e.position);
	StrBuf all;
	sb_init(&all);
	for (int i = 0; i < n; i++) {
		StrBuf sb, sb2;
		sb_init(&sb);
		sb_init(&sb2);
		sql_print(st[i], &sb);
		AstStmt **st2;
		int n2;
		Err e2;
		err_clear(&e2);
		if (sql_parse(sb.data, &arena, &st2, &n2, &e2) < 0)
			fail_msg("reparse of [%s] failed: %s (position %d)", sb.data, e2.msg,
				 e2.position);
		assert_int_equal(n2, 1);
		assert_int_equal(st2[0]->kind, st[i]->kind);
		sql_print(st2[0], &sb2);
		assert_string_equal(sb2.data, sb.data);
		if (i)
			sb_puts(&all, "; ");
		sb_puts(&all, sb.data);
		sb_deinit(&sb);
		sb_deinit(&sb2);
	}
	const char *r = arena_strdup(&arena, all.data ? all.data : "");
	sb_deinit(&all);
	return r;
}

static AstStmt *parse1(const char *sql)
{
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	if (sql_parse(sql, &arena, &st, &n, &e) < 0)
		fail_msg("parse of [%s] failed: %s (position %d)", sql, e.msg, e.position);
	assert_int_equal(n, 1);
	return st[0];
}

static AstExpr *target0(const char *sql)
{
	AstStmt *s = parse1(sql);
	assert_int_equal(s->kind, AST_STMT_QUERY);
	return s->query->targets[0].expr;
}

typedef struct {
	const char *in;
	const char *out;
} PrintCase;

static void run_print_cases(const PrintCase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = pp(c[i].in);
		if (strcmp(got, c[i].out) != 0)
			fail_msg("case %zu [%s]\n  got      [%s]\n  expected [%s]", i, c[i].in, got,
				 c[i].out);
	}
}

#define RUN(cases) run_print_cases(cases, sizeof cases / sizeof cases[0])

typedef struct {
	const char *in;
	ErrCode code;
	const char *msg;
	int pos;
} ErrCase;

static void run_error_cases(const ErrCase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		AstStmt **st;
		int ns;
		Err e;
		err_clear(&e);
		int rc = sql_parse(c[i].in, &arena, &st, &ns, &e);
		if (rc == 0)
			fail_msg("case %zu [%s] parsed, expected error [%s]", i, c[i].in, c[i].msg);
		if (e.code != c[i].code || strcmp(e.msg, c[i].msg) != 0 || e.position != c[i].pos)
			fail_msg("case %zu [%s]\n  got      %s [%s] at %d\n  expected %s [%s] at %d", i,
				 c[i].in, err_sqlstate(e.code), e.msg, e.position,
				 err_sqlstate(c[i].code), c[i].msg, c[i].pos);
	}
}

#define RUN_ERR(cases) run_error_cases(cases, sizeof cases / sizeof cases[0])

/* ---- precedence */

static void test_precedence_arith(void **state)
{
	static const PrintCase c[] = {
		{"SELECT 1 + 2 * 3", "SELECT (1 + (2 * 3))"},
		{"SELECT 1 - 2 - 3", "SELECT ((1 - 2) - 3)"},
		{"SELECT (1 + 2) * 3", "SELECT ((1 + 2) * 3)"},
		{"SELECT 10 / 2 % 3", "SELECT ((10 / 2) % 3)"},
		{"SELECT 2 ^ 3 ^ 2", "SELECT ((2 ^ 3) ^ 2)"},
		{"SELECT 2 * 3 ^ 2", "SELECT (2 * (3 ^ 2))"},
		{"SELECT -2 ^ 2", "SELECT (-2 ^ 2)"},
		{"SELECT - x ^ 2", "SELECT ((- x) ^ 2)"},
		{"SELECT - x::int", "SELECT (- x::INT)"},
		{"SELECT -5::text", "SELECT (- 5::TEXT)"},
		{"SELECT (-5)::text", "SELECT (-5)::TEXT"},
		{"SELECT a + b || c", "SELECT ((a + b) || c)"},
		{"SELECT 'a' || 'b' || 'c'", "SELECT (('a' || 'b') || 'c')"},
		{"SELECT 2 - -5", "SELECT (2 - -5)"},
		{"SELECT - - 5, -(-5), +3", "SELECT 5, 5, (+ 3)"},
	};
	RUN(c);
}

static void test_precedence_bool(void **state)
{
	static const PrintCase c[] = {
		{"SELECT a OR b AND NOT c", "SELECT (a OR (b AND (NOT c)))"},
		{"SELECT NOT a = b", "SELECT (NOT (a = b))"},
		{"SELECT a = b IS NULL", "SELECT ((a = b) IS NULL)"},
		{"SELECT NOT a IS NULL", "SELECT (NOT (a IS NULL))"},
		{"SELECT a LIKE b = c", "SELECT ((a LIKE b) = c)"},
		{"SELECT a || b LIKE c", "SELECT ((a || b) LIKE c)"},
		{"SELECT a BETWEEN 1 AND 2 AND b", "SELECT ((a BETWEEN 1 AND 2) AND b)"},
		{"SELECT a BETWEEN 1 AND 2 + 3", "SELECT (a BETWEEN 1 AND (2 + 3))"},
		{"SELECT a NOT BETWEEN SYMMETRIC 5 AND 1", "SELECT (a NOT BETWEEN SYMMETRIC 5 AND 1)"},
		{"SELECT (a < b) = true", "SELECT ((a < b) = TRUE)"},
		{"SELECT a IN (1, 2) = b", "SELECT ((a IN (1, 2)) = b)"},
		{"SELECT 1 = NOT true", "SELECT (1 = (NOT TRUE))"},
		{"SELECT a IS NOT DISTINCT FROM b + 1", "SELECT (a IS NOT DISTINCT FROM (b + 1))"},
		{"SELECT a AND b OR c AND d", "SELECT ((a AND b) OR (c AND d))"},
		{"SELECT x ISNULL, y NOTNULL", "SELECT (x IS NULL), (y IS NOT NULL)"},
	};
	RUN(c);
}

static void test_comparison_operators(void **state)
{
	static const PrintCase c[] = {
		{"SELECT a<>b, a!=b, a<=b, a>=b, a<b, a>b, a=b",
		 "SELECT (a <> b), (a <> b), (a <= b), (a >= b), (a < b), (a > b), (a = b)"},
		{"SELECT a<-1, a=-1", "SELECT (a < -1), (a = -1)"},
		{"SELECT a LIKE 'x%' ESCAPE '!', b NOT ILIKE 'y', c ILIKE 'z', d NOT LIKE 'w'",
		 "SELECT (a LIKE 'x%' ESCAPE '!'), (b NOT ILIKE 'y'), (c ILIKE 'z'), (d NOT LIKE 'w')"},
		{"SELECT a IS TRUE, a IS NOT FALSE, a IS UNKNOWN",
		 "SELECT (a IS TRUE), (a IS NOT FALSE), (a IS UNKNOWN)"},
	};
	RUN(c);
}

/* ---- expressions */

static void test_literals(void **state)
{
	static const PrintCase c[] = {
		{"SELECT 42, 3.14, .5, 1e10, 1.5E-3, 1.", "SELECT 42, 3.14, .5, 1e10, 1.5E-3, 1."},
		{"SELECT 'it''s', E'a\\nb', E'\\x41\\101\\u00e9', NULL, true, FALSE",
		 "SELECT 'it''s', 'a\nb', 'AAé', NULL, TRUE, FALSE"},
		{"SELECT 'a'\n  'b'", "SELECT 'ab'"},
		{"SELECT DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00', "
		 "TIMESTAMPTZ '2020-01-01 00:00:00+00', timestamp with time zone '2020-01-01'",
		 "SELECT DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00', "
		 "TIMESTAMPTZ '2020-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2020-01-01'"},
		{"SELECT INTERVAL '4' SECOND, INTERVAL '1' MINUTE, interval '2' hour, INTERVAL '3' DAY, "
		 "INTERVAL '1' MONTH, INTERVAL '1' YEAR, INTERVAL '1.5' SECOND, INTERVAL '1 day'",
		 "SELECT INTERVAL '4 second', INTERVAL '1 minute', INTERVAL '2 hour', "
		 "INTERVAL '3 day', INTERVAL '1 month', INTERVAL '1 year', INTERVAL '1.5 second', "
		 "INTERVAL '1 day'"},
		{"SELECT INTERVAL '1:30' MINUTE TO SECOND", "SELECT INTERVAL '1:30'"},
		{"SELECT $1 + $2", "SELECT ($1 + $2)"},
		{"SELECT int4 '5', numeric(10,2) '3.5', double precision '1'",
		 "SELECT INT4 '5', NUMERIC(10,2) '3.5', DOUBLE PRECISION '1'"},
		{"SELECT CURRENT_TIMESTAMP, current_date", "SELECT CURRENT_TIMESTAMP, CURRENT_DATE"},
	};
	RUN(c);
}

static void test_literal_kinds(void **state)
{
	AstExpr *x = target0("SELECT 42");
	assert_int_equal(x->kind, AST_LITERAL);
	assert_int_equal(x->lit.kind, AST_LIT_INTEGER);
	assert_string_equal(x->lit.text, "42");
	x = target0("SELECT -9223372036854775808");
	assert_int_equal(x->lit.kind, AST_LIT_INTEGER);
	assert_string_equal(x->lit.text, "-9223372036854775808");
	assert_int_equal(x->location, 8);
	x = target0("SELECT 1.5e3");
	assert_int_equal(x->lit.kind, AST_LIT_DECIMAL);
	assert_string_equal(x->lit.text, "1.5e3");
	x = target0("SELECT E'tab\\there'");
	assert_int_equal(x->lit.kind, AST_LIT_STRING);
	assert_string_equal(x->lit.text, "tab\there");
	x = target0("SELECT 'back\\slash'");
	assert_string_equal(x->lit.text, "back\\slash");
	x = target0("SELECT INTERVAL '10' SECOND");
	assert_int_equal(x->lit.kind, AST_LIT_TYPED);
	assert_string_equal(x->lit.type->name, "interval");
	assert_string_equal(x->lit.text, "10 second");
	x = target0("SELECT timestamp '2020-01-01'");
	assert_string_equal(x->lit.type->name, "timestamp");
	x = target0("SELECT true");
	assert_int_equal(x->lit.kind, AST_LIT_BOOL);
	assert_string_equal(x->lit.text, "true");
	x = target0("SELECT NULL");
	assert_int_equal(x->lit.kind, AST_LIT_NULL);
	x = target0("SELECT $12");
	assert_int_equal(x->kind, AST_PARAM);
	assert_int_equal(x->param.index, 12);
}

static void test_casts_and_types(void **state)
{
	static const PrintCase c[] = {
		{"SELECT CAST(x AS varchar(10)), x::numeric(10,2), x::double precision",
		 "SELECT CAST(x AS VARCHAR(10)), x::NUMERIC(10,2), x::DOUBLE PRECISION"},
		{"SELECT x::timestamp with time zone, x::timestamp(3), x::timestamp(3) without time zone",
		 "SELECT x::TIMESTAMP WITH TIME ZONE, x::TIMESTAMP(3), "
		 "x::TIMESTAMP(3) WITHOUT TIME ZONE"},
		{"SELECT x::int::text, x::character varying(5), x::int[]",
		 "SELECT x::INT::TEXT, x::CHARACTER VARYING(5), x::INT[]"},
		{"SELECT CAST(a + 1 AS bigint) * 2", "SELECT (CAST((a + 1) AS BIGINT) * 2)"},
	};
	RUN(c);
	AstExpr *x = target0("SELECT CAST(a AS numeric(12, 3))");
	assert_int_equal(x->kind, AST_CAST);
	assert_false(x->cast.colons);
	assert_string_equal(x->cast.type->name, "numeric");
	assert_int_equal(x->cast.type->nmods, 2);
	assert_int_equal(x->cast.type->mods[0], 12);
	assert_int_equal(x->cast.type->mods[1], 3);
	x = target0("SELECT a::timestamptz");
	assert_true(x->cast.colons);
	assert_int_equal(x->location, 9);
	assert_string_equal(x->cast.type->name, "timestamptz");
}

static void test_case_in_exists(void **state)
{
	static const PrintCase c[] = {
		{"SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END",
		 "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"},
		{"SELECT case x when 1 then 'a' end", "SELECT CASE x WHEN 1 THEN 'a' END"},
		{"SELECT a IN (1, 2, 3), a NOT IN (SELECT b FROM t)",
		 "SELECT (a IN (1, 2, 3)), (a NOT IN (SELECT b FROM t))"},
		{"SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 1 FROM t WHERE t.a = u.a)",
		 "SELECT EXISTS (SELECT 1), (NOT EXISTS (SELECT 1 FROM t WHERE (t.a = u.a)))"},
		{"SELECT (SELECT max(x) FROM t) + 1", "SELECT ((SELECT max(x) FROM t) + 1)"},
	};
	RUN(c);
}

static void test_functions(void **state)
{
	static const PrintCase c[] = {
		{"SELECT count(*), count(DISTINCT a), sum(a) FILTER (WHERE a > 0), coalesce(a, b, 0), "
		 "nullif(a, b), greatest(a, b), least(a, b)",
		 "SELECT count(*), count(DISTINCT a), sum(a) FILTER (WHERE (a > 0)), "
		 "coalesce(a, b, 0), nullif(a, b), greatest(a, b), least(a, b)"},
		{"SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC)",
		 "SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC)"},
		{"SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), "
		 "rank() over ()",
		 "SELECT sum(x) OVER (ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), "
		 "rank() OVER ()"},
		{"SELECT string_agg(s, ',' ORDER BY s), left(s, 2), \"Upper\"(x), pg_catalog.now()",
		 "SELECT string_agg(s, ',' ORDER BY s), left(s, 2), \"Upper\"(x), pg_catalog.now()"},
	};
	RUN(c);
	AstExpr *x = target0("SELECT  count(*) FILTER (WHERE b)");
	assert_int_equal(x->kind, AST_FUNC);
	assert_string_equal(x->func.name, "count");
	assert_true(x->func.star);
	assert_non_null(x->func.filter);
	assert_int_equal(x->location, 9);
}

static void test_special_syntax(void **state)
{
	static const PrintCase c[] = {
		{"SELECT extract(year from ts), EXTRACT(EPOCH FROM ts), extract('dow' FROM d)",
		 "SELECT EXTRACT(YEAR FROM ts), EXTRACT(epoch FROM ts), EXTRACT(dow FROM d)"},
		{"SELECT substring(s from 2 for 3), substring(s FOR 2), substring(s from 2), "
		 "substring(s, 1, 2)",
		 "SELECT SUBSTRING(s FROM 2 FOR 3), SUBSTRING(s FROM 1 FOR 2), SUBSTRING(s FROM 2), "
		 "substring(s, 1, 2)"},
		{"SELECT trim(both 'x' from s), trim(s), trim(leading from s), trim(trailing ' ' from s)",
		 "SELECT TRIM(BOTH 'x' FROM s), TRIM(BOTH FROM s), TRIM(LEADING FROM s), "
		 "TRIM(TRAILING ' ' FROM s)"},
		{"SELECT position('a' in s)", "SELECT POSITION('a' IN s)"},
	};
	RUN(c);
	AstExpr *x = target0("SELECT EXTRACT(HOUR FROM ts)");
	assert_string_equal(x->func.name, "extract");
	assert_int_equal(x->func.nargs, 2);
	assert_string_equal(x->func.args[0]->lit.text, "hour");
	x = target0("SELECT position('b' IN 'abc')");
	assert_string_equal(x->func.name, "position");
	assert_string_equal(x->func.args[0]->lit.text, "abc");
	assert_string_equal(x->func.args[1]->lit.text, "b");
	x = target0("SELECT trim(leading 'x' FROM s)");
	assert_string_equal(x->func.name, "ltrim");
	assert_int_equal(x->func.args[0]->kind, AST_COLUMN);
	assert_string_equal(x->func.args[1]->lit.text, "x");
}

static void test_identifiers(void **state)
{
	static const PrintCase c[] = {
		{"SELECT Foo, \"Foo\", \"a \"\"b\"\"\", t.\"Col\", \"select\" FROM \"My Table\" t",
		 "SELECT foo, \"Foo\", \"a \"\"b\"\"\", t.\"Col\", \"select\" FROM \"My Table\" AS t"},
		{"SELECT date_time, window_start, timestamp, name, value, type, source, stream, key, "
		 "date, time, interval, position, filter, first FROM t",
		 "SELECT date_time, window_start, \"timestamp\", name, value, type, source, stream, "
		 "key, date, \"time\", \"interval\", \"position\", filter, first FROM t"},
		{"SELECT t.*, * FROM t", "SELECT t.*, * FROM t"},
		{"SELECT a AS \"from\", b AS from, c d FROM t", "SELECT a AS from, b AS from, c AS d FROM t"},
		{"SELECT café FROM t", "SELECT café FROM t"},
	};
	RUN(c);
	AstExpr *x = target0("SELECT T.ColA FROM t");
	assert_int_equal(x->kind, AST_COLUMN);
	assert_string_equal(x->column.table, "t");
	assert_string_equal(x->column.name, "cola");
	x = target0("SELECT \"MiXed\"");
	assert_string_equal(x->column.name, "MiXed");
}

static void test_locations(void **state)
{
	AstStmt *s = parse1("SELECT a + b FROM t WHERE c = 1");
	AstExpr *x = s->query->targets[0].expr;
	assert_int_equal(x->location, 10);
	assert_int_equal(x->binary.left->location, 8);
	assert_int_equal(x->binary.right->location, 12);
	assert_int_equal(s->query->from[0]->location, 19);
	assert_int_equal(s->query->where->binary.left->location, 27);
	/* Positions count characters, not bytes. */
	s = parse1("SELECT 'é', b");
	assert_int_equal(s->query->targets[1].expr->location, 13);
}

/* ---- queries */

static void test_select_clauses(void **state)
{
	static const PrintCase c[] = {
		{"SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid;",
		 "SELECT auction, bidder, (0.908 * price) AS price, date_time FROM bid"},
		{"select distinct a from t where a > 1 group by a having count(*) > 2 order by a desc "
		 "nulls first, b asc nulls last limit 10 offset 5",
		 "SELECT DISTINCT a FROM t WHERE (a > 1) GROUP BY a HAVING (count(*) > 2) ORDER BY a "
		 "DESC NULLS FIRST, b NULLS LAST LIMIT 10 OFFSET 5"},
		{"SELECT DISTINCT ON (a) a, b FROM t", "SELECT DISTINCT ON (a) a, b FROM t"},
		{"SELECT a FROM t LIMIT ALL", "SELECT a FROM t LIMIT ALL"},
		{"SELECT a FROM t OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY", "SELECT a FROM t LIMIT 3 OFFSET 2"},
		{"SELECT a FROM (SELECT 1 AS a) AS s, (SELECT 2) u",
		 "SELECT a FROM (SELECT 1 AS a) AS s, (SELECT 2) AS u"},
		{"SELECT 1", "SELECT 1"},
	};
	RUN(c);
}

static void test_joins(void **state)
{
	static const PrintCase c[] = {
		{"SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id) "
		 "RIGHT JOIN d ON true FULL JOIN e ON false CROSS JOIN f NATURAL JOIN g INNER JOIN h ON x",
		 "SELECT * FROM a JOIN b ON (a.id = b.id) LEFT JOIN c USING (id) RIGHT JOIN d ON TRUE "
		 "FULL JOIN e ON FALSE CROSS JOIN f NATURAL JOIN g JOIN h ON x"},
		{"SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x",
		 "SELECT * FROM a JOIN (b JOIN c ON (b.x = c.x)) ON (a.x = b.x)"},
		{"SELECT * FROM (a JOIN b ON x) AS j(p, q), c",
		 "SELECT * FROM (a JOIN b ON x) AS j (p, q), c"},
		{"SELECT * FROM public.t AS x(a, b)", "SELECT * FROM public.t AS x (a, b)"},
	};
	RUN(c);
	AstStmt *s = parse1("SELECT * FROM a LEFT JOIN b USING (k, l)");
	AstTableRef *j = s->query->from[0];
	assert_int_equal(j->kind, AST_REF_JOIN);
	assert_int_equal(j->join, AST_JOIN_LEFT);
	assert_int_equal(j->nusing, 2);
	assert_string_equal(j->using_cols[1], "l");
}

static void test_windows_nexmark(void **state)
{
	static const PrintCase c[] = {
		{"SELECT window_start, window_end, count(*) AS n FROM TUMBLE(bid, date_time, "
		 "INTERVAL '10' SECOND) GROUP BY window_start, window_end",
		 "SELECT window_start, window_end, count(*) AS n FROM tumble(bid, date_time, "
		 "INTERVAL '10 second') GROUP BY window_start, window_end"},
		{"SELECT auction, count(*) FROM HOP(bid, date_time, INTERVAL '2' SECOND, "
		 "INTERVAL '10' SECOND) AS h GROUP BY auction, window_start, window_end "
		 "EMIT ON WINDOW CLOSE",
		 "SELECT auction, count(*) FROM hop(bid, date_time, INTERVAL '2 second', "
		 "INTERVAL '10 second') AS h GROUP BY auction, window_start, window_end "
		 "EMIT ON WINDOW CLOSE"},
		{"SELECT * FROM SESSION(bid, date_time, INTERVAL '5 minutes') s",
		 "SELECT * FROM session(bid, date_time, INTERVAL '5 minutes') AS s"},
		{"SELECT B.auction, B.price FROM bid B WHERE B.price = (SELECT MAX(B1.price) FROM bid "
		 "B1 WHERE B1.date_time BETWEEN B.date_time - INTERVAL '10' SECOND AND B.date_time)",
		 "SELECT b.auction, b.price FROM bid AS b WHERE (b.price = (SELECT max(b1.price) FROM "
		 "bid AS b1 WHERE (b1.date_time BETWEEN (b.date_time - INTERVAL '10 second') AND "
		 "b.date_time)))"},
		{"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price "
		 "DESC) AS rn FROM bid) t WHERE rn <= 10",
		 "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price "
		 "DESC) AS rn FROM bid) AS t WHERE (rn <= 10)"},
		/* q21's subscript and q13's lookup join. */
		{"SELECT (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2], a[i + 1][1] FROM bid",
		 "SELECT (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2], ((a)[(i + 1)])[1] FROM "
		 "bid"},
		{"SELECT B.auction, S.value FROM bid B join side_input FOR SYSTEM_TIME AS OF "
		 "PROCTIME() S on mod(B.auction, 10000) = S.key",
		 "SELECT b.auction, s.value FROM bid AS b JOIN side_input FOR SYSTEM_TIME AS OF "
		 "proctime() AS s ON (mod(b.auction, 10000) = s.key)"},
	};
	RUN(c);
	AstStmt *sub = parse1("SELECT x[1]");
	assert_int_equal(sub->query->targets[0].expr->kind, AST_SUBSCRIPT);
	assert_int_equal(sub->query->targets[0].expr->location, 9);
	AstStmt *s = parse1("SELECT * FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)");
	AstTableRef *r = s->query->from[0];
	assert_int_equal(r->kind, AST_REF_FUNC);
	assert_string_equal(r->func->func.name, "tumble");
	assert_int_equal(r->func->func.nargs, 3);
	assert_string_equal(r->func->func.args[2]->lit.text, "10 second");
}

static void test_set_operations(void **state)
{
	static const PrintCase c[] = {
		{"SELECT 1 UNION ALL SELECT 2 UNION SELECT 3",
		 "(SELECT 1 UNION ALL SELECT 2) UNION SELECT 3"},
		{"SELECT 1 UNION SELECT 2 INTERSECT SELECT 3",
		 "SELECT 1 UNION (SELECT 2 INTERSECT SELECT 3)"},
		{"SELECT a FROM t EXCEPT SELECT a FROM u ORDER BY 1 LIMIT 5",
		 "SELECT a FROM t EXCEPT SELECT a FROM u ORDER BY 1 LIMIT 5"},
		{"(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)",
		 "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u"},
		{"VALUES (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')"},
		{"WITH a (x) AS (SELECT 1), b AS (VALUES (1), (2)) SELECT * FROM a UNION ALL SELECT * "
		 "FROM b",
		 "WITH a (x) AS (SELECT 1), b AS (VALUES (1), (2)) SELECT * FROM a UNION ALL SELECT * "
		 "FROM b"},
	};
	RUN(c);
	AstStmt *s = parse1("SELECT 1 UNION SELECT 2 UNION SELECT 3");
	assert_int_equal(s->query->kind, AST_QUERY_SETOP);
	assert_int_equal(s->query->left->kind, AST_QUERY_SETOP); /* left-deep */
	assert_int_equal(s->query->right->kind, AST_QUERY_SELECT);
}

/* ---- statements */

static void test_create_stream(void **state)
{
	static const PrintCase c[] = {
		{"CREATE STREAM IF NOT EXISTS bid (auction BIGINT, bidder BIGINT NOT NULL, price "
		 "NUMERIC(10,2), date_time TIMESTAMP, WATERMARK FOR date_time AS date_time - "
		 "INTERVAL '5' SECOND) WITH (nexmark.table.type = 'Bid', rate = 10, 'Weird Key' = on)",
		 "CREATE STREAM IF NOT EXISTS bid (auction BIGINT, bidder BIGINT NOT NULL, price "
		 "NUMERIC(10,2), date_time TIMESTAMP, WATERMARK FOR date_time AS (date_time - "
		 "INTERVAL '5 second')) WITH (nexmark.table.type = 'Bid', rate = 10, 'Weird Key' = on)"},
		{"create stream s (a int)", "CREATE STREAM s (a INT)"},
	};
	RUN(c);
	AstStmt *s = parse1("CREATE STREAM s (ts timestamp, v int DEFAULT 0, "
			    "WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (x.y = -1.5, z = TRUE)");
	assert_int_equal(s->kind, AST_STMT_CREATE_STREAM);
	assert_string_equal(s->create.name, "s");
	assert_int_equal(s->create.ncols, 2);
	assert_string_equal(s->create.cols[0].type->name, "timestamp");
	assert_non_null(s->create.cols[1].default_);
	assert_string_equal(s->create.wm_col, "ts");
	assert_int_equal(s->create.wm_expr->kind, AST_BINARY);
	assert_int_equal(s->create.nopts, 2);
	assert_string_equal(s->create.opts[0].key, "x.y");
	assert_string_equal(s->create.opts[0].value, "-1.5");
	assert_int_equal(s->create.opts[0].kind, AST_OPT_NUMBER);
	assert_string_equal(s->create.opts[1].value, "true");
	assert_int_equal(s->create.opts[1].kind, AST_OPT_IDENT);
}

static void test_create_table(void **state)
{
	static const PrintCase c[] = {
		{"CREATE TABLE t (id int primary key, name text, value double precision, key "
		 "timestamp with time zone, type timestamp(3))",
		 "CREATE TABLE t (id INT PRIMARY KEY, name TEXT, value DOUBLE PRECISION, key "
		 "TIMESTAMP WITH TIME ZONE, type TIMESTAMP(3))"},
		{"CREATE TABLE t (a int, b varchar, CONSTRAINT pk PRIMARY KEY (a, b)) WITH (x = 'y')",
		 "CREATE TABLE t (a INT, b VARCHAR, PRIMARY KEY (a, b)) WITH (x = 'y')"},
	};
	RUN(c);
	AstStmt *s = parse1("CREATE TABLE t (a int NOT NULL, b int, PRIMARY KEY (b, a))");
	assert_int_equal(s->kind, AST_STMT_CREATE_TABLE);
	assert_true(s->create.cols[0].not_null);
	assert_int_equal(s->create.npkey, 2);
	assert_string_equal(s->create.pkey[0], "b");
	assert_int_equal(s->create.pkey_location, 40);
}

static void test_create_source(void **state)
{
	static const PrintCase c[] = {
		{"CREATE SOURCE bid WITH (connector='nexmark', nexmark.table.type='Bid', "
		 "nexmark.events='1000')",
		 "CREATE SOURCE bid WITH (connector = 'nexmark', nexmark.table.type = 'Bid', "
		 "nexmark.events = '1000')"},
		{"CREATE SOURCE IF NOT EXISTS s (a int, ts timestamp, WATERMARK FOR ts AS ts) WITH "
		 "(connector = 'datagen') FORMAT PLAIN ENCODE JSON",
		 "CREATE SOURCE IF NOT EXISTS s (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH "
		 "(connector = 'datagen') FORMAT PLAIN ENCODE JSON"},
	};
	RUN(c);
	AstStmt *s = parse1("CREATE SOURCE s WITH (connector = 'kafka') FORMAT PLAIN ENCODE JSON");
	assert_false(s->create.has_columns);
	assert_string_equal(s->create.format, "PLAIN ENCODE JSON");
}

static void test_create_mview_sink(void **state)
{
	static const PrintCase c[] = {
		{"CREATE MATERIALIZED VIEW IF NOT EXISTS mv WITH (parallelism = 2) AS SELECT a FROM t "
		 "EMIT ON WINDOW CLOSE",
		 "CREATE MATERIALIZED VIEW IF NOT EXISTS mv WITH (parallelism = 2) AS SELECT a FROM t "
		 "EMIT ON WINDOW CLOSE"},
		{"CREATE SINK s FROM mv WITH (connector = 'blackhole')",
		 "CREATE SINK s FROM mv WITH (connector = 'blackhole')"},
		{"CREATE SINK s AS SELECT * FROM t WITH (connector = 'kafka') FORMAT PLAIN ENCODE JSON",
		 "CREATE SINK s AS SELECT * FROM t WITH (connector = 'kafka') FORMAT PLAIN ENCODE JSON"},
	};
	RUN(c);
	const char *sql = "CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM t EMIT ON WINDOW CLOSE";
	AstStmt *s = parse1(sql);
	assert_int_equal(s->kind, AST_STMT_CREATE_MVIEW);
	assert_true(s->mview.emit_on_window_close);
	assert_string_equal(sql + s->mview.query_offset, "SELECT count(*) FROM t EMIT ON WINDOW CLOSE");
}

static void test_drop(void **state)
{
	static const PrintCase c[] = {
		{"DROP STREAM s", "DROP STREAM s"},
		{"drop table if exists a, b cascade", "DROP TABLE IF EXISTS a, b CASCADE"},
		{"DROP SOURCE s RESTRICT", "DROP SOURCE s"},
		{"DROP MATERIALIZED VIEW mv; DROP SINK k",
		 "DROP MATERIALIZED VIEW mv; DROP SINK k"},
	};
	RUN(c);
	AstStmt *s = parse1("DROP TABLE x, y");
	assert_int_equal(s->drop.obj, AST_OBJ_TABLE);
	assert_int_equal(s->drop.nnames, 2);
	assert_int_equal(s->drop.name_locations[1], 15);
}

static void test_dml(void **state)
{
	static const PrintCase c[] = {
		{"INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)",
		 "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL)"},
		{"insert into t select * from u where a > 1",
		 "INSERT INTO t SELECT * FROM u WHERE (a > 1)"},
		{"INSERT INTO t (SELECT 1)", "INSERT INTO t SELECT 1"},
		{"DELETE FROM t WHERE a = 1", "DELETE FROM t WHERE (a = 1)"},
		{"DELETE FROM t", "DELETE FROM t"},
		{"UPDATE t SET a = a + 1, b = 'x' WHERE c", "UPDATE t SET a = (a + 1), b = 'x' WHERE c"},
	};
	RUN(c);
	AstStmt *s = parse1("INSERT INTO t (a) VALUES (1), (2)");
	assert_int_equal(s->insert.ncols, 1);
	assert_int_equal(s->insert.query->kind, AST_QUERY_VALUES);
	assert_int_equal(s->insert.query->nrows, 2);
}

static void test_utility_statements(void **state)
{
	static const PrintCase c[] = {
		{"EXPLAIN SELECT 1", "EXPLAIN SELECT 1"},
		{"EXPLAIN VERBOSE CREATE MATERIALIZED VIEW m AS SELECT 1",
		 "EXPLAIN VERBOSE CREATE MATERIALIZED VIEW m AS SELECT 1"},
		{"SHOW STREAMS; show tables; SHOW MATERIALIZED VIEWS; SHOW SOURCES; SHOW SINKS",
		 "SHOW STREAMS; SHOW TABLES; SHOW MATERIALIZED VIEWS; SHOW SOURCES; SHOW SINKS"},
		{"SHOW COLUMNS FROM t; SHOW time zone; SHOW search_path",
		 "SHOW COLUMNS FROM t; SHOW timezone; SHOW search_path"},
		{"DESCRIBE t; DESC u", "DESCRIBE t; DESCRIBE u"},
		{"FLUSH", "FLUSH"},
		{"BEGIN; START TRANSACTION; COMMIT; END; ROLLBACK; BEGIN WORK; ABORT",
		 "BEGIN; BEGIN; COMMIT; COMMIT; ROLLBACK; BEGIN; ROLLBACK"},
		{"SET x = 1; SET SESSION y TO 'abc'; SET LOCAL z = on; SET TIME ZONE 'UTC'; "
		 "SET a = DEFAULT; RESET b",
		 "SET x = '1'; SET y = 'abc'; SET LOCAL z = 'on'; SET timezone = 'UTC'; "
		 "SET a = DEFAULT; SET b = DEFAULT"},
	};
	RUN(c);
	AstStmt *s = parse1("SET streaming.parallelism TO 4");
	assert_int_equal(s->kind, AST_STMT_SET);
	assert_string_equal(s->set.name, "streaming.parallelism");
	assert_string_equal(s->set.value, "4");
	s = parse1("SHOW COLUMNS FROM bid");
	assert_int_equal(s->show.what, AST_SHOW_COLUMNS);
	assert_string_equal(s->show.name, "bid");
}

static void test_spans_and_comments(void **state)
{
	const char *sql = " ;; SELECT 1 -- one\n ; /* a /* nested */ comment */ CREATE STREAM s "
			  "(a int)  ;";
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	assert_int_equal(sql_parse(sql, &arena, &st, &n, &e), 0);
	assert_int_equal(n, 2);
	int off, len;
	sql_stmt_span(st[0], &off, &len);
	assert_int_equal(off, 4);
	assert_int_equal(len, 8);
	sql_stmt_span(st[1], &off, &len);
	assert_string_equal(arena_strndup(&arena, sql + off, (size_t)len), "CREATE STREAM s (a int)");
	assert_int_equal(st[1]->location, off + 1);
	/* Empty input is zero statements, not an error. */
	assert_int_equal(sql_parse("  -- nothing\n ; ", &arena, &st, &n, &e), 0);
	assert_int_equal(n, 0);
}

static void test_parse_expr(void **state)
{
	AstExpr *x;
	Err e;
	err_clear(&e);
	assert_int_equal(sql_parse_expr("ts - INTERVAL '5' SECOND", &arena, &x, &e), 0);
	StrBuf sb;
	sb_init(&sb);
	sql_print_expr(x, &sb);
	assert_string_equal(sb.data, "(ts - INTERVAL '5 second')");
	sb_deinit(&sb);
	assert_int_equal(sql_parse_expr("a b", &arena, &x, &e), -1);
	assert_string_equal(e.msg, "syntax error at or near \"b\"");
	assert_int_equal(e.position, 3);
}

/* ---- errors */

static void test_syntax_errors(void **state)
{
	static const ErrCase c[] = {
		{"SELECT FROM t", ERR_SYNTAX, "syntax error at or near \"FROM\"", 8},
		{"SELECT a[1", ERR_SYNTAX, "syntax error at end of input", 11},
		{"SELECT * FROM t FOR SYSTEM_TIME AS PROCTIME()", ERR_SYNTAX,
		 "syntax error at or near \"PROCTIME\"", 36},
		{"SELECT 1 +", ERR_SYNTAX, "syntax error at end of input", 11},
		{"SELECT a FROM t WHERE", ERR_SYNTAX, "syntax error at end of input", 22},
		{"FOO BAR", ERR_SYNTAX, "syntax error at or near \"FOO\"", 1},
		{"SELECT 1 < 2 < 3", ERR_SYNTAX, "syntax error at or near \"<\"", 14},
		{"SELECT a < b = true", ERR_SYNTAX, "syntax error at or near \"=\"", 14},
		{"SELECT a LIKE b LIKE c", ERR_SYNTAX, "syntax error at or near \"LIKE\"", 17},
		{"SELECT 1; SELECT 2 +", ERR_SYNTAX, "syntax error at end of input", 21},
		{"SELECT 'é', FROM", ERR_SYNTAX, "syntax error at or near \"FROM\"", 13},
		{"SELECT 1 1", ERR_SYNTAX, "syntax error at or near \"1\"", 10},
		{"SELECT 'a' 'b'", ERR_SYNTAX, "syntax error at or near \"'b'\"", 12},
		{"SELECT a FROM t GROUP a", ERR_SYNTAX, "syntax error at or near \"a\"", 23},
		{"CREATE VIEW v AS SELECT 1", ERR_SYNTAX, "syntax error at or near \"VIEW\"", 8},
		{"DROP FOO x", ERR_SYNTAX, "syntax error at or near \"FOO\"", 6},
		{"INSERT INTO t", ERR_SYNTAX, "syntax error at end of input", 14},
		{"SELECT (1", ERR_SYNTAX, "syntax error at end of input", 10},
		{"SELECT a @ b", ERR_SYNTAX, "syntax error at or near \"@\"", 10},
		{"SELECT * FROM a JOIN b", ERR_SYNTAX, "syntax error at end of input", 23},
		{"CREATE STREAM s", ERR_SYNTAX, "syntax error at end of input", 16},
		{"CREATE STREAM s (a int, b)", ERR_SYNTAX, "syntax error at or near \")\"", 26},
		{"SELECT CASE END", ERR_SYNTAX, "syntax error at or near \"END\"", 13},
		{"SELECT x::", ERR_SYNTAX, "syntax error at end of input", 11},
		{"SELECT select", ERR_SYNTAX, "syntax error at or near \"select\"", 8},
		{"(SELECT 1 ORDER BY 1) ORDER BY 1", ERR_SYNTAX,
		 "multiple ORDER BY clauses not allowed", 23},
		{"SELECT a FROM t LIMIT 1 LIMIT 2", ERR_SYNTAX, "multiple LIMIT clauses not allowed", 25},
		{"SELECT a.b.c FROM t", ERR_FEATURE_NOT_SUPPORTED,
		 "schema-qualified column references are not supported", 8},
		{"CREATE TABLE t (a int, PRIMARY KEY (a), PRIMARY KEY (a))", ERR_SYNTAX,
		 "multiple primary keys for table \"t\" are not allowed", 41},
		{"SELECT 1 EMIT ON WINDOW", ERR_SYNTAX, "syntax error at end of input", 24},
	};
	RUN_ERR(c);
}

static void test_lexical_errors(void **state)
{
	static const ErrCase c[] = {
		{"SELECT 'abc", ERR_SYNTAX, "unterminated quoted string at or near \"'abc\"", 8},
		{"SELECT E'ab\\'", ERR_SYNTAX, "unterminated quoted string at or near \"E'ab\\'\"", 8},
		{"SELECT \"abc", ERR_SYNTAX, "unterminated quoted identifier at or near \"\"abc\"", 8},
		{"SELECT 1 /* x /* y */", ERR_SYNTAX,
		 "unterminated /* comment at or near \"/* x /* y */\"", 10},
		{"SELECT \"\"", ERR_SYNTAX, "zero-length delimited identifier at or near \"\"\"\"", 8},
		{"SELECT 123abc", ERR_SYNTAX, "trailing junk after numeric literal at or near \"123abc\"", 8},
		{"SELECT 1e", ERR_SYNTAX, "trailing junk after numeric literal at or near \"1e\"", 8},
		{"SELECT $1abc", ERR_SYNTAX, "trailing junk after parameter at or near \"$1abc\"", 8},
		{"SELECT $", ERR_SYNTAX, "syntax error at or near \"$\"", 8},
		{"SELECT E'\\x00'", ERR_DATA_EXCEPTION,
		 "invalid byte sequence for encoding \"UTF8\": 0x00 at or near \"\\x00\"", 10},
		{"SELECT E'\\u12'", ERR_INVALID_ESCAPE, "invalid Unicode escape at or near \"\\u12\"", 10},
		/* The first error in the text wins, as with PostgreSQL's on-demand scanner. */
		{"SELECT FROM 'abc", ERR_SYNTAX, "syntax error at or near \"FROM\"", 8},
		{"SELECT 'abc' FROM 'x", ERR_SYNTAX, "unterminated quoted string at or near \"'x\"", 19},
	};
	RUN_ERR(c);
}

static void test_depth_limit(void **state)
{
	StrBuf sb;
	sb_init(&sb);
	sb_puts(&sb, "SELECT ");
	for (int i = 0; i < 5000; i++)
		sb_putc(&sb, '(');
	sb_putc(&sb, '1');
	for (int i = 0; i < 5000; i++)
		sb_putc(&sb, ')');
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	assert_int_equal(sql_parse(sb.data, &arena, &st, &n, &e), -1);
	assert_int_equal(e.code, ERR_PROGRAM_LIMIT);
	assert_string_equal(e.msg, "stack depth limit exceeded");
	assert_true(e.position > 0);
	/* Moderate nesting is fine. */
	sb_reset(&sb);
	sb_puts(&sb, "SELECT ");
	for (int i = 0; i < 50; i++)
		sb_puts(&sb, "(- ");
	sb_puts(&sb, "x");
	for (int i = 0; i < 50; i++)
		sb_putc(&sb, ')');
	err_clear(&e);
	assert_int_equal(sql_parse(sb.data, &arena, &st, &n, &e), 0);
	sb_deinit(&sb);
}

/* ---- keyword table */

static void test_keyword_table(void **state)
{
	for (int i = 2; i < KW__COUNT; i++)
		assert_true(strcmp(kw_table[i - 1].text, kw_table[i].text) < 0);
	for (int i = 1; i < KW__COUNT; i++)
		assert_int_equal(kw_lookup(kw_table[i].text, (int)strlen(kw_table[i].text)), i);
	assert_int_equal(kw_lookup("selec", 5), KW__NONE);
	assert_int_equal(kw_lookup("selectx", 7), KW__NONE);
	assert_int_equal(kw_lookup("select", 6), KW_SELECT);
}

/* ---- robustness */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static void check_no_crash(const char *sql)
{
	Arena a;
	arena_init(&a, 0);
	AstStmt **st;
	int n;
	Err e;
	err_clear(&e);
	if (sql_parse(sql, &a, &st, &n, &e) < 0) {
		assert_int_not_equal(e.code, ERR_OK);
		assert_true(e.position >= 1);
		assert_true(e.msg[0] != '\0');
	} else {
		/* Whatever parses must print and parse back to the same text. */
		for (int i = 0; i < n; i++) {
			StrBuf sb, sb2;
			sb_init(&sb);
			sb_init(&sb2);
			sql_print(st[i], &sb);
			AstStmt **st2;
			int n2;
			err_clear(&e);
			if (sql_parse(sb.data, &a, &st2, &n2, &e) < 0)
				fail_msg("[%s] printed as [%s] does not parse: %s", sql, sb.data, e.msg);
			assert_int_equal(n2, 1);
			sql_print(st2[0], &sb2);
			if (strcmp(sb.data, sb2.data) != 0)
				fail_msg("[%s]: [%s] != [%s]", sql, sb.data, sb2.data);
			sb_deinit(&sb);
			sb_deinit(&sb2);
		}
	}
	arena_deinit(&a);
}

static void test_random_bytes(void **state)
{
	char buf[128];
	for (int it = 0; it < 3000; it++) {
		int len = (int)(rnd() % (sizeof buf - 1));
		for (int i = 0; i < len; i++) {
			char c = (char)(rnd() % 255 + 1);
			buf[i] = c;
		}
		buf[len] = '\0';
		check_no_crash(buf);
	}
}

static void test_random_token_soup(void **state)
{
	static const char *const toks[] = {
		"SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "OFFSET",
		"UNION", "ALL", "INTERSECT", "EXCEPT", "WITH", "AS", "VALUES", "(", ")", ",", ";",
		".", "*", "+", "-", "/", "%", "^", "||", "=", "<>", "<", "<=", ">", ">=", "::", "AND",
		"OR", "NOT", "IS", "NULL", "TRUE", "BETWEEN", "IN", "LIKE", "ILIKE", "ESCAPE", "EXISTS",
		"CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "INTERVAL", "'1'", "SECOND", "TO",
		"DATE", "TIMESTAMP", "'x'", "E'\\n'", "1", "2.5", ".5", "1e3", "$1", "a", "b", "t",
		"\"Q\"", "count", "sum", "(*)", "DISTINCT", "FILTER", "OVER", "PARTITION", "ROWS",
		"PRECEDING", "CURRENT", "ROW", "JOIN", "LEFT", "ON", "USING", "CROSS", "NATURAL",
		"TUMBLE", "HOP", "CREATE", "STREAM", "TABLE", "SOURCE", "MATERIALIZED", "VIEW",
		"SINK", "DROP", "IF", "INSERT", "INTO", "DELETE", "UPDATE", "SET", "EXPLAIN", "SHOW",
		"DESCRIBE", "FLUSH", "BEGIN", "COMMIT", "WATERMARK", "FOR", "PRIMARY", "KEY", "EMIT",
		"WINDOW", "CLOSE", "EXTRACT", "SUBSTRING", "TRIM", "POSITION", "int", "varchar",
		"double", "precision", "--", "/*", "*/", "'", "\"", "FORMAT", "ENCODE", "NULLS",
		"FIRST", "DESC", "ASC", "SYMMETRIC", "DEFAULT", "ISNULL", "@",
	};
	size_t ntoks = sizeof toks / sizeof toks[0];
	StrBuf sb;
	sb_init(&sb);
	for (int it = 0; it < 6000; it++) {
		sb_reset(&sb);
		int n = (int)(rnd() % 24);
		/* Half the soups start like a statement so the parser gets past the first word. */
		if (it % 2)
			sb_puts(&sb, it % 4 == 1 ? "SELECT " : "CREATE STREAM s (");
		for (int i = 0; i < n; i++) {
			sb_puts(&sb, toks[rnd() % ntoks]);
			sb_putc(&sb, ' ');
		}
		check_no_crash(sb.data);
	}
	sb_deinit(&sb);
}

static void test_mutated_statements(void **state)
{
	/* Valid statements with one character deleted or replaced: near misses exercise the
	 * error paths deep inside each construct. */
	static const char *const base[] = {
		"SELECT a, count(*) FILTER (WHERE b > 1) FROM TUMBLE(s, ts, INTERVAL '1' MINUTE) "
		"GROUP BY a, window_start HAVING sum(b) > 0 ORDER BY 1 DESC LIMIT 3",
		"CREATE STREAM s (a int NOT NULL, ts timestamp, WATERMARK FOR ts AS ts - INTERVAL "
		"'5 seconds', PRIMARY KEY (a)) WITH (k.x = 'v', n = 1)",
		"WITH c AS (SELECT 1 AS x) SELECT CASE WHEN x IN (1, 2) THEN 'a' ELSE E'b\\n' END, "
		"CAST(x AS numeric(10,2)), x::text FROM c LEFT JOIN d USING (x) UNION ALL VALUES (1)",
		"INSERT INTO t (a, b) VALUES (1, 'x'); UPDATE t SET a = -1 WHERE b IS NOT NULL; "
		"DELETE FROM t WHERE a BETWEEN 1 AND 2",
	};
	char buf[512];
	for (size_t b = 0; b < sizeof base / sizeof base[0]; b++) {
		check_no_crash(base[b]);
		size_t len = strlen(base[b]);
		for (size_t i = 0; i < len; i++) {
			/* delete character i */
			memcpy(buf, base[b], i);
			memcpy(buf + i, base[b] + i + 1, len - i);
			check_no_crash(buf);
			/* replace it with a random printable byte */
			memcpy(buf, base[b], len + 1);
			buf[i] = (char)(' ' + rnd() % 95);
			check_no_crash(buf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence_arith),
		cmocka_unit_test(test_precedence_bool),
		cmocka_unit_test(test_comparison_operators),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_literal_kinds),
		cmocka_unit_test(test_casts_and_types),
		cmocka_unit_test(test_case_in_exists),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_special_syntax),
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_select_clauses),
		cmocka_unit_test(test_joins),
		cmocka_unit_test(test_windows_nexmark),
		cmocka_unit_test(test_set_operations),
		cmocka_unit_test(test_create_stream),
		cmocka_unit_test(test_create_table),
		cmocka_unit_test(test_create_source),
		cmocka_unit_test(test_create_mview_sink),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_dml),
		cmocka_unit_test(test_utility_statements),
		cmocka_unit_test(test_spans_and_comments),
		cmocka_unit_test(test_parse_expr),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_lexical_errors),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_keyword_table),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_random_token_soup),
		cmocka_unit_test(test_mutated_statements),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
