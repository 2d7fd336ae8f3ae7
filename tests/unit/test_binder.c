/* test_binder.c: SQL text through the real parser and the binder to plans and errors.
 *
 * Layer: tests (plan). Each test starts from a catalog filled by binding CREATE statements and
 * applying them the way the engine does (apply() below), then checks plan shapes through
 * lop_print (EXPLAIN's text), result column names and types, BoundStmt fields, and every error
 * path with its SQLSTATE, message and position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan/binder.h"
#include "sql/parser.h"

typedef struct T {
	Catalog *cat;
	Arena a; /* every statement's arena: plans of views stay alive with it */
	Err e;
	StrBuf out;
} T;

/* Makes the catalog object a CREATE statement describes (what the engine does). */
static void apply(T *t, const BoundStmt *s)
{
	if (s->kind == STMT_DROP && s->target) {
		assert_int_equal(catalog_drop(t->cat, s->target, s->cascade, NULL, NULL, &t->e), 0);
		return;
	}
	if (s->kind != STMT_CREATE || s->target)
		return;
	CatObject *o = catalog_create(t->cat, s->obj_kind, s->name, &t->e);
	assert_non_null(o);
	o->ncols = s->ncols;
	o->cols = s->cols;
	o->npk = s->npk;
	o->pk = s->pk;
	o->wm_col = s->wm_col;
	o->wm_expr = s->wm_expr;
	o->nopts = s->nopts;
	o->opts = s->opts;
	o->plan = s->query;
	o->ndeps = s->ndeps;
	o->deps = s->deps;
	if (s->query) {
		o->append_only = s->query->append_only;
		o->wm_col = s->query->wm_col;
	}
}

/* Parses and binds one statement; NULL on error (in t->e). */
static BoundStmt *bind(T *t, const char *sql)
{
	AstStmt **stmts;
	int n;
	err_clear(&t->e);
	if (sql_parse(sql, &t->a, &stmts, &n, &t->e) < 0)
		fail_msg("parse error in [%s]: %s", sql, t->e.msg);
	assert_int_equal(n, 1);
	BoundStmt *s = NULL;
	if (plan_bind(t->cat, stmts[0], sql, &t->a, &s, &t->e) < 0)
		return NULL;
	assert_non_null(s);
	return s;
}

static BoundStmt *run(T *t, const char *sql)
{
	BoundStmt *s = bind(t, sql);
	if (!s)
		fail_msg("bind error in [%s]: %s %s", sql, err_sqlstate(t->e.code), t->e.msg);
	apply(t, s);
	return s;
}

/* The plan of a query (or of the view / INSERT) as EXPLAIN prints it. */
static const char *plan_of(T *t, const char *sql)
{
	BoundStmt *s = run(t, sql);
	if (s->kind == STMT_EXPLAIN)
		s = s->inner;
	assert_non_null(s->query);
	sb_reset(&t->out);
	lop_print(s->query, &t->out);
	return t->out.data;
}

#define ASSERT_PLAN(t, sql, expected)                                                              \
	do {                                                                                       \
		const char *got_ = plan_of(t, sql);                                                \
		if (strcmp(got_, expected) != 0)                                                   \
			fail_msg("plan of [%s]\n--- got:\n%s--- expected:\n%s", sql, got_,         \
				 expected);                                                        \
	} while (0)

static void expect_err(T *t, const char *sql, const char *state, const char *msg, int pos)
{
	BoundStmt *s = bind(t, sql);
	if (s)
		fail_msg("expected error %s for [%s]", state, sql);
	if (strcmp(err_sqlstate(t->e.code), state) != 0 || strcmp(t->e.msg, msg) != 0 ||
	    (pos >= 0 && t->e.position != pos))
		fail_msg("[%s]\n got: %s %s (pos %d)\nwant: %s %s (pos %d)", sql,
			 err_sqlstate(t->e.code), t->e.msg, t->e.position, state, msg, pos);
}

static const char *SCHEMA[] = {
	"CREATE STREAM s (a int, b int, c varchar(10), ts timestamp, "
	"WATERMARK FOR ts AS ts - INTERVAL '1 second')",
	"CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, amount numeric(10,2))",
	"CREATE SOURCE src (x int, y timestamptz) WITH (connector='datagen', "
	"Datagen.Rows.Per.Second='10')",
	"CREATE STREAM bid (auction bigint, bidder bigint, price bigint, channel varchar, "
	"date_time timestamp, WATERMARK FOR date_time AS date_time - INTERVAL '5' SECOND)",
	"CREATE STREAM plain (k int, v double precision)",
};

static int setup(void **state)
{
	T *t = mem_calloc(1, sizeof *t);
	t->cat = catalog_new();
	arena_init(&t->a, 0);
	sb_init(&t->out);
	for (size_t i = 0; i < sizeof SCHEMA / sizeof SCHEMA[0]; i++)
		run(t, SCHEMA[i]);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	T *t = *state;
	catalog_free(t->cat);
	arena_deinit(&t->a);
	sb_deinit(&t->out);
	mem_free(t);
	return 0;
}

/* ---- CREATE */

static void test_create_stream(void **state)
{
	T *t = *state;
	CatObject *s = catalog_find(t->cat, "s");
	assert_non_null(s);
	assert_int_equal(s->kind, OBJ_STREAM);
	assert_int_equal(s->ncols, 4);
	assert_string_equal(s->cols[2].name, "c");
	assert_int_equal(s->cols[2].type, T_VARCHAR);
	assert_int_equal(s->cols[2].typmod, 10);
	assert_int_equal(s->cols[0].typmod, -1);
	assert_int_equal(s->wm_col, 3);
	assert_non_null(s->wm_expr);
	assert_int_equal(s->wm_expr->type, T_TIMESTAMP);
	assert_true(s->append_only);

	CatObject *tb = catalog_find(t->cat, "t");
	assert_int_equal(tb->npk, 1);
	assert_int_equal(tb->pk[0], 0);
	assert_true(tb->cols[0].not_null);
	assert_true(tb->cols[1].not_null);
	assert_false(tb->cols[2].not_null);
	assert_int_equal(tb->cols[2].type, T_NUMERIC);
	assert_int_equal(tb->cols[2].typmod, 10 << 16 | 2);
	assert_false(tb->append_only);

	CatObject *src = catalog_find(t->cat, "src");
	assert_string_equal(catobj_option(src, "connector"), "datagen");
	assert_string_equal(catobj_option(src, "datagen.rows.per.second"), "10");
	assert_int_equal(src->cols[1].type, T_TIMESTAMPTZ);

	BoundStmt *b = run(t, "CREATE TABLE t2 (a int, b text, PRIMARY KEY (b, a))");
	assert_string_equal(b->tag, "CREATE TABLE");
	assert_int_equal(b->npk, 2);
	assert_int_equal(b->pk[0], 1);
	assert_int_equal(b->pk[1], 0);
	assert_true(b->cols[0].not_null);

	b = run(t, "CREATE SOURCE nx WITH (connector = 'nexmark', nexmark.table.type = 'Bid')");
	assert_string_equal(b->tag, "CREATE SOURCE");
	assert_int_equal(b->ncols, 0);
	assert_int_equal(b->nopts, 2);
	assert_string_equal(b->opts[1].key, "nexmark.table.type");
	assert_string_equal(b->opts[1].value, "Bid");

	b = run(t, "CREATE SOURCE k (a int) WITH (connector = 'kafka') FORMAT PLAIN ENCODE JSON");
	assert_string_equal(catobj_option(catalog_find(t->cat, "k"), "format"), "json");

	b = run(t, "CREATE STREAM IF NOT EXISTS s (z int)");
	assert_ptr_equal(b->target, catalog_find(t->cat, "s"));
	assert_true(b->if_not_exists);
	assert_int_equal(catalog_find(t->cat, "s")->ncols, 4);

	b = bind(t, "  CREATE STREAM q (a int)");
	assert_int_equal(b->location, 2);
	assert_int_equal(b->length, 23);
}

static void test_create_errors(void **state)
{
	T *t = *state;
	expect_err(t, "CREATE STREAM s (a int)", "42P07", "relation \"s\" already exists", -1);
	expect_err(t, "CREATE TABLE v (a foo)", "42704", "type \"foo\" does not exist", 19);
	expect_err(t, "CREATE STREAM v (a int, a text)", "42701",
		   "column \"a\" specified more than once", 25);
	expect_err(t, "CREATE STREAM v (a int PRIMARY KEY)", "0A000",
		   "primary keys are not supported on streams", -1);
	assert_non_null(strstr(t->e.hint, "append-only"));
	expect_err(t, "CREATE TABLE v (a int, PRIMARY KEY (b))", "42703",
		   "column \"b\" named in key does not exist", -1);
	expect_err(t, "CREATE STREAM v (a int, WATERMARK FOR b AS b)", "42703",
		   "column \"b\" does not exist", -1);
	expect_err(t, "CREATE STREAM v (a int, WATERMARK FOR a AS a)", "42804",
		   "watermark column \"a\" must be of type timestamp or timestamp with time "
		   "zone, not type integer",
		   -1);
	expect_err(t, "CREATE STREAM v (ts timestamp, WATERMARK FOR ts AS ts - 1)", "42883",
		   "operator does not exist: timestamp without time zone - integer", 55);
	expect_err(t, "CREATE STREAM v (ts timestamp, WATERMARK FOR ts AS INTERVAL '1' SECOND)",
		   "42804", "watermark expression must be of type timestamp without time zone, "
			    "not type interval",
		   -1);
	expect_err(t, "CREATE STREAM v (a numeric(50, 2))", "22023",
		   "NUMERIC precision 50 must be between 1 and 38", -1);
	expect_err(t, "CREATE STREAM v (a int, WATERMARK FOR ts AS zz)", "42703",
		   "column \"ts\" does not exist", -1);
}

static void test_create_mview(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "CREATE MATERIALIZED VIEW v AS SELECT a, count(*) AS n FROM s GROUP BY a");
	assert_string_equal(b->tag, "CREATE MATERIALIZED VIEW");
	assert_int_equal(b->obj_kind, OBJ_MVIEW);
	assert_int_equal(b->ncols, 2);
	assert_string_equal(b->cols[0].name, "a");
	assert_string_equal(b->cols[1].name, "n");
	assert_int_equal(b->cols[1].type, T_INT8);
	assert_int_equal(b->ndeps, 1);
	assert_ptr_equal(b->deps[0], catalog_find(t->cat, "s"));
	assert_false(b->query->append_only);

	/* A view over a view depends on the view. */
	b = run(t, "CREATE MATERIALIZED VIEW v2 AS SELECT n FROM v WHERE n > 1");
	assert_int_equal(b->ndeps, 1);
	assert_ptr_equal(b->deps[0], catalog_find(t->cat, "v"));

	expect_err(t, "CREATE MATERIALIZED VIEW v AS SELECT 1", "42P07",
		   "relation \"v\" already exists", -1);
	expect_err(t, "CREATE MATERIALIZED VIEW w AS SELECT a, a FROM s", "42701",
		   "column \"a\" specified more than once", -1);
	expect_err(t, "CREATE MATERIALIZED VIEW w AS SELECT count(*), count(a) FROM s", "42701",
		   "column \"count\" specified more than once", -1);
	expect_err(t,
		   "CREATE MATERIALIZED VIEW w AS SELECT a, count(*) FROM "
		   "TUMBLE(s, ts, INTERVAL '1' MINUTE) GROUP BY a EMIT ON WINDOW CLOSE",
		   "0A000", "EMIT ON WINDOW CLOSE needs a watermark on a window column of the view",
		   -1);
	/* window_end carries a watermark too (the end of the window holding the time's). */
	b = run(t, "CREATE MATERIALIZED VIEW w AS SELECT window_end, count(*) FROM "
		   "TUMBLE(s, ts, INTERVAL '1' MINUTE) GROUP BY window_end EMIT ON WINDOW CLOSE");
	assert_int_equal(b->query->wm_col, 0);
	b = run(t, "DROP MATERIALIZED VIEW w");

	/* DROP blocked by the dependent view, then cascaded. */
	b = run(t, "DROP MATERIALIZED VIEW v2");
	assert_string_equal(b->tag, "DROP MATERIALIZED VIEW");
	assert_null(catalog_find(t->cat, "v2"));
}

/* ---- SELECT */

static void test_select_plans(void **state)
{
	T *t = *state;
	ASSERT_PLAN(t, "SELECT a, b + 1 AS c FROM s WHERE a > 10",
		    "Project [a, (b + 1) AS c] (append-only)\n"
		    "  Filter (a > 10) (append-only) watermark=ts\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT * FROM s",
		    "Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT ts, a FROM s AS x WHERE x.b = 2",
		    "Project [ts, a] (append-only) watermark=ts\n"
		    "  Filter (b = 2) (append-only) watermark=ts\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT id, name FROM t", "Project [id, name]\n  Scan t [id, name, amount]\n");
	ASSERT_PLAN(t, "SELECT 1", "Project [1] (append-only)\n  Values 1 row [] (append-only)\n");
}

static void test_select_names_types(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "SELECT a, count(*), sum(b), b::text, 1::int4, CAST(2 AS bigint), "
			      "CASE WHEN a > 1 THEN 1 END, a + 1, 'x', upper(c), 1.5, 3000000000, "
			      "TRUE, DATE '2024-01-01' FROM s GROUP BY a, b, c");
	static const char *names[] = {"a",	  "count", "sum",      "b",	  "int4",
				      "int8",	  "case",  "?column?", "?column?", "upper",
				      "?column?", "?column?", "bool",   "date"};
	static const TypeId types[] = {T_INT4,	 T_INT8,    T_INT8,    T_VARCHAR, T_INT4,
				       T_INT8,	 T_INT4,    T_INT4,    T_VARCHAR, T_VARCHAR,
				       T_NUMERIC, T_INT8,   T_BOOL,    T_DATE};
	assert_string_equal(b->tag, "SELECT");
	assert_int_equal(b->query->ncols, 14);
	for (int i = 0; i < 14; i++) {
		assert_string_equal(b->query->cols[i].name, names[i]);
		assert_int_equal(b->query->cols[i].type, types[i]);
	}
}

static void test_where_errors(void **state)
{
	T *t = *state;
	expect_err(t, "SELECT a FROM nope", "42P01", "relation \"nope\" does not exist", 15);
	expect_err(t, "SELECT zz FROM s", "42703", "column \"zz\" does not exist", 8);
	expect_err(t, "SELECT s.zz FROM s", "42703", "column s.zz does not exist", 8);
	expect_err(t, "SELECT q.a FROM s", "42P01", "missing FROM-clause entry for table \"q\"", 8);
	expect_err(t, "SELECT s.a FROM s AS x", "42P01",
		   "missing FROM-clause entry for table \"s\"", 8);
	expect_err(t, "SELECT a FROM s WHERE a", "42804",
		   "argument of WHERE must be type boolean, not type integer", 23);
	expect_err(t, "SELECT a FROM s WHERE count(*) > 1", "42803",
		   "aggregate functions are not allowed in WHERE", 23);
	expect_err(t, "SELECT a FROM s GROUP BY count(*)", "42803",
		   "aggregate functions are not allowed in GROUP BY", 26);
	expect_err(t, "SELECT sum(count(*)) FROM s", "42803",
		   "aggregate function calls cannot be nested", 12);
	expect_err(t, "SELECT a, b FROM s GROUP BY a", "42803",
		   "column \"s.b\" must appear in the GROUP BY clause or be used in an aggregate "
		   "function",
		   11);
	expect_err(t, "SELECT a, count(*) FROM s", "42803",
		   "column \"s.a\" must appear in the GROUP BY clause or be used in an aggregate "
		   "function",
		   8);
	expect_err(t, "SELECT * FROM (SELECT a AS x, b AS x FROM s) q WHERE x > 1", "42702",
		   "column reference \"x\" is ambiguous", 54);
	expect_err(t, "SELECT a FROM s ORDER BY 3", "42P10", "ORDER BY position 3 is not in select list",
		   26);
	expect_err(t, "SELECT a FROM s GROUP BY 2", "42P10", "GROUP BY position 2 is not in select list",
		   26);
	expect_err(t, "SELECT *", "42601", "SELECT * with no tables specified is not valid", 8);
	expect_err(t, "SELECT a FROM s LIMIT -1", "22023", "LIMIT must not be negative", -1);
	expect_err(t, "SELECT a FROM s LIMIT 'x'", "22P02",
		   "invalid input syntax for type bigint: \"x\"", -1);
	expect_err(t, "SELECT DISTINCT a FROM s ORDER BY b", "42P10",
		   "for SELECT DISTINCT, ORDER BY expressions must appear in select list", 35);
	expect_err(t, "SELECT foo(a) FROM s", "42883", "function foo(integer) does not exist", 8);
	expect_err(t, "SELECT a + 'x' FROM s", "22P02",
		   "invalid input syntax for type integer: \"x\"", -1);
}

static void test_unsupported(void **state)
{
	T *t = *state;
	expect_err(t, "SELECT a FROM s WHERE a NOT IN (SELECT id FROM t WHERE t.id = s.a)", "0A000",
		   "NOT IN with a correlated subquery is not supported", -1);
	expect_err(t, "SELECT a FROM s WHERE a = 1 OR a IN (SELECT id FROM t)", "0A000",
		   "EXISTS and IN (subquery) are supported only as top-level AND conditions of "
		   "WHERE", -1);
	expect_err(t, "SELECT a FROM s WHERE row_number() OVER (ORDER BY a) = 1", "42P20",
		   "window functions are not allowed in WHERE", 23);
	expect_err(t, "SELECT sum(a) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) "
		      "FROM s",
		   "0A000", "GROUPS frames are not supported yet", 20);
	expect_err(t, "SELECT * FROM HOP(s, ts, INTERVAL '2' MINUTE, INTERVAL '5' MINUTE)", "22023",
		   "HOP window size must be a multiple of its slide", 47);
	expect_err(t, "SELECT a FROM s INTERSECT SELECT b FROM s", "0A000",
		   "INTERSECT is not supported yet", -1);
}

static void test_aggregate_plans(void **state)
{
	T *t = *state;
	ASSERT_PLAN(t,
		    "SELECT window_start, count(*), max(price) FROM "
		    "TUMBLE(bid, date_time, INTERVAL '1' MINUTE) GROUP BY window_start",
		    "Agg group=[window_start] aggs=[count(*), max(price)] watermark=window_start\n"
		    "  Tumble time=date_time size='00:01:00' (append-only) watermark=window_start\n"
		    "    Scan bid [auction, bidder, price, channel, date_time] (append-only) "
		    "watermark=date_time\n");
	ASSERT_PLAN(t, "SELECT a + 1, sum(b * 2) FILTER (WHERE c = 'x') AS total FROM s GROUP BY a + 1 "
		       "HAVING count(*) > 2",
		    "Project [(a + 1), sum AS total]\n"
		    "  Filter (count > 2)\n"
		    "    Agg group=[(a + 1)] aggs=[sum((b * 2)) FILTER (WHERE (c = 'x')), "
		    "count(*)]\n"
		    "      Project [(a + 1), (b * 2), (c = 'x')] (append-only)\n"
		    "        Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT DISTINCT a, b FROM s",
		    "Agg group=[a, b] aggs=[]\n"
		    "  Project [a, b] (append-only)\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	/* Group by output name and ordinal. */
	ASSERT_PLAN(t, "SELECT b % 10 AS k, count(*) FROM s GROUP BY k ORDER BY 2 DESC LIMIT 3",
		    "Limit 3\n"
		    "  Sort [count DESC]\n"
		    "    Project [(b % 10) AS k, count]\n"
		    "      Agg group=[(b % 10)] aggs=[count(*)]\n"
		    "        Project [(b % 10)] (append-only)\n"
		    "          Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT count(*) FROM s",
		    "Agg group=[] aggs=[count(*)]\n"
		    "  Scan s [a, b, c, ts] (append-only) watermark=ts\n");
}

static void test_tumble(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "SELECT * FROM TUMBLE(s, ts, INTERVAL '10' SECOND) AS w WHERE w.a > 0");
	assert_int_equal(b->query->ncols, 6);
	assert_string_equal(b->query->cols[4].name, "window_start");
	assert_int_equal(b->query->cols[5].type, T_TIMESTAMP);
	assert_int_equal(b->query->wm_col, 4);
	ASSERT_PLAN(t, "SELECT * FROM TUMBLE(src, y, INTERVAL '1 hour', INTERVAL '15 minutes')",
		    "Tumble time=y size='01:00:00' offset='00:15:00' (append-only)\n"
		    "  Scan src [x, y] (append-only)\n");
	expect_err(t, "SELECT * FROM TUMBLE(s, a, INTERVAL '1' SECOND)", "42804",
		   "the time column of TUMBLE must be of type timestamp or timestamp with time "
		   "zone, not type integer",
		   25);
	expect_err(t, "SELECT * FROM TUMBLE(s, ts, INTERVAL '1 month')", "22023",
		   "invalid window size", 29);
	expect_err(t, "SELECT * FROM TUMBLE(s, ts, INTERVAL '-1 second')", "22023",
		   "invalid window size", 29);
	expect_err(t, "SELECT * FROM TUMBLE(nope, ts, INTERVAL '1' SECOND)", "42P01",
		   "relation \"nope\" does not exist", 22);
	expect_err(t, "SELECT * FROM TUMBLE(s, zz, INTERVAL '1' SECOND)", "42703",
		   "column \"zz\" does not exist", 25);
}

static void test_order_limit(void **state)
{
	T *t = *state;
	ASSERT_PLAN(t, "SELECT a FROM s ORDER BY b DESC, a NULLS FIRST LIMIT 5 OFFSET 2",
		    "Limit 5 offset=2 (append-only)\n"
		    "  Project [a] (append-only)\n"
		    "    Sort [b DESC, a NULLS FIRST] (append-only)\n"
		    "      Project [a, b] (append-only)\n"
		    "        Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT a AS x FROM s ORDER BY x",
		    "Sort [x] (append-only)\n"
		    "  Project [a AS x] (append-only)\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
}

static void test_union_values_cte(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "VALUES (1, 'a'), (2.5, NULL)");
	assert_int_equal(b->query->kind, LOP_VALUES);
	assert_int_equal(b->query->cols[0].type, T_NUMERIC);
	assert_int_equal(b->query->cols[1].type, T_VARCHAR);
	assert_string_equal(b->query->cols[0].name, "column1");

	ASSERT_PLAN(t, "SELECT a FROM s UNION ALL SELECT k FROM plain UNION ALL SELECT 1",
		    "UnionAll (append-only)\n"
		    "  Project [a] (append-only)\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n"
		    "  Project [k] (append-only)\n"
		    "    Scan plain [k, v] (append-only)\n"
		    "  Project [1] (append-only)\n"
		    "    Values 1 row [] (append-only)\n");
	expect_err(t, "SELECT a, b FROM s UNION SELECT 1", "42601",
		   "each UNION query must have the same number of columns", 26);
	b = run(t, "SELECT a FROM s UNION SELECT v FROM plain");
	assert_int_equal(b->query->kind, LOP_AGG);
	assert_int_equal(b->query->cols[0].type, T_FLOAT8);

	b = run(t, "WITH w AS (SELECT a, b FROM s WHERE a > 1), w2 (z) AS (SELECT a FROM w) "
		   "SELECT z FROM w2");
	assert_int_equal(b->query->ncols, 1);
	assert_string_equal(b->query->cols[0].name, "z");
	ASSERT_PLAN(t, "SELECT x.n FROM (SELECT count(*) AS n FROM plain) AS x",
		    "Project [count AS n]\n"
		    "  Agg group=[] aggs=[count(*)]\n"
		    "    Scan plain [k, v] (append-only)\n");
}

/* ---- INSERT, DELETE, UPDATE */

static void test_insert(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "INSERT INTO s VALUES (1, 2, 'x', '2024-01-01 00:00:00'), (3, 4, NULL, NULL)");
	assert_string_equal(b->tag, "INSERT");
	assert_ptr_equal(b->target, catalog_find(t->cat, "s"));
	assert_int_equal(b->query->kind, LOP_VALUES);
	assert_int_equal(b->query->nrows, 2);
	assert_int_equal(b->query->ncols, 4);
	assert_int_equal(b->query->rows[0][3]->type, T_TIMESTAMP);
	assert_int_equal(b->query->rows[1][2]->type, T_VARCHAR);

	b = run(t, "INSERT INTO t (name, id) VALUES ('n', 7)");
	assert_int_equal(b->query->ncols, 3);
	assert_int_equal(b->query->rows[0][0]->type, T_INT4);
	assert_int_equal(b->query->rows[0][1]->type, T_VARCHAR);
	assert_int_equal(b->query->rows[0][2]->kind, EXPR_CONST);
	assert_true(b->query->rows[0][2]->val.null);
	assert_int_equal(b->query->rows[0][2]->type, T_NUMERIC);

	ASSERT_PLAN(t, "INSERT INTO plain SELECT a, b FROM s",
		    "Project [a AS k, (b)::double precision AS v] (append-only)\n"
		    "  Scan s [a, b, c, ts] (append-only) watermark=ts\n");

	expect_err(t, "INSERT INTO plain VALUES (1, 2, 3)", "42601",
		   "INSERT has more expressions than target columns", 33);
	expect_err(t, "INSERT INTO plain (k, v) VALUES (1)", "42601",
		   "INSERT has more target columns than expressions", -1);
	expect_err(t, "INSERT INTO plain (zz) VALUES (1)", "42703",
		   "column \"zz\" of relation \"plain\" does not exist", -1);
	expect_err(t, "INSERT INTO plain (k, k) VALUES (1, 2)", "42701",
		   "column \"k\" specified more than once", -1);
	expect_err(t, "INSERT INTO plain VALUES (true)", "42804",
		   "column \"k\" is of type integer but expression is of type boolean", 27);
	expect_err(t, "INSERT INTO nope VALUES (1)", "42P01", "relation \"nope\" does not exist", 13);
	run(t, "CREATE MATERIALIZED VIEW mv AS SELECT k FROM plain");
	expect_err(t, "INSERT INTO mv VALUES (1)", "42809",
		   "cannot insert into materialized view \"mv\"", 13);
	expect_err(t, "INSERT INTO src VALUES (1)", "42809", "cannot insert into source \"src\"", 13);
}

static void test_delete_update(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "DELETE FROM t WHERE id = 3");
	assert_string_equal(b->tag, "DELETE");
	assert_non_null(b->where);
	assert_int_equal(b->where->type, T_BOOL);
	b = run(t, "UPDATE t SET amount = amount * 2, id = id + 1 WHERE name = 'x'");
	assert_string_equal(b->tag, "UPDATE");
	assert_int_equal(b->nsets, 2);
	assert_int_equal(b->set_cols[0], 2);
	assert_int_equal(b->set_cols[1], 0);
	assert_int_equal(b->set_exprs[0]->type, T_NUMERIC);
	assert_non_null(b->where);

	expect_err(t, "DELETE FROM s", "42809", "cannot delete from stream \"s\"", 13);
	assert_string_equal(t->e.hint, "streams are append-only");
	expect_err(t, "UPDATE s SET a = 1", "42809", "cannot update stream \"s\"", 8);
	expect_err(t, "UPDATE t SET zz = 1", "42703", "column \"zz\" of relation \"t\" does not exist",
		   14);
	expect_err(t, "UPDATE t SET id = 1, id = 2", "42601",
		   "multiple assignments to same column \"id\"", 22);
	expect_err(t, "DELETE FROM t WHERE zz = 1", "42703", "column \"zz\" does not exist", 21);
	expect_err(t, "DELETE FROM t WHERE id", "42804",
		   "argument of WHERE must be type boolean, not type integer", 21);
}

/* ---- DROP and the small statements */

static void test_drop(void **state)
{
	T *t = *state;
	run(t, "CREATE MATERIALIZED VIEW dv AS SELECT a FROM s");
	expect_err(t, "DROP TABLE s", "42809", "\"s\" is not a table", 12);
	assert_string_equal(t->e.hint, "Use DROP STREAM to remove a stream.");
	expect_err(t, "DROP STREAM nope", "42P01", "stream \"nope\" does not exist", 13);
	BoundStmt *b = run(t, "DROP STREAM IF EXISTS nope");
	assert_null(b->target);
	assert_string_equal(b->tag, "DROP STREAM");
	b = bind(t, "DROP STREAM s");
	assert_non_null(b);
	assert_int_equal(catalog_drop(t->cat, b->target, false, NULL, NULL, &t->e), -1);
	assert_string_equal(err_sqlstate(t->e.code), "2BP01");
	b = run(t, "DROP STREAM s CASCADE");
	assert_true(b->cascade);
	assert_null(catalog_find(t->cat, "s"));
	assert_null(catalog_find(t->cat, "dv"));
	expect_err(t, "DROP STREAM plain, bid", "0A000",
		   "dropping several objects in one statement is not supported yet", 20);
}

static void test_misc(void **state)
{
	T *t = *state;
	BoundStmt *b = run(t, "SHOW STREAMS");
	assert_int_equal(b->kind, STMT_SHOW);
	assert_int_equal(b->show_kind, OBJ_STREAM);
	b = run(t, "SHOW MATERIALIZED VIEWS");
	assert_int_equal(b->show_kind, OBJ_MVIEW);
	b = run(t, "SHOW COLUMNS FROM t");
	assert_int_equal(b->kind, STMT_DESCRIBE);
	assert_ptr_equal(b->target, catalog_find(t->cat, "t"));
	b = run(t, "DESCRIBE s");
	assert_int_equal(b->kind, STMT_DESCRIBE);
	assert_string_equal(b->tag, "DESCRIBE");
	expect_err(t, "DESCRIBE nope", "42P01", "relation \"nope\" does not exist", 10);
	b = run(t, "FLUSH");
	assert_int_equal(b->kind, STMT_FLUSH);
	static const char *noops[][2] = {
		{"BEGIN", "BEGIN"}, {"COMMIT", "COMMIT"}, {"ROLLBACK", "ROLLBACK"},
		{"SET x = 1", "SET"}, {"SHOW timezone", "SHOW"},
	};
	for (size_t i = 0; i < sizeof noops / sizeof noops[0]; i++) {
		b = run(t, noops[i][0]);
		assert_int_equal(b->kind, STMT_NOOP);
		assert_string_equal(b->tag, noops[i][1]);
	}
	b = run(t, "EXPLAIN SELECT a FROM s");
	assert_int_equal(b->kind, STMT_EXPLAIN);
	assert_string_equal(b->tag, "EXPLAIN");
	assert_int_equal(b->inner->kind, STMT_SELECT);
	b = run(t, "EXPLAIN CREATE MATERIALIZED VIEW ev AS SELECT a FROM s");
	assert_int_equal(b->inner->kind, STMT_CREATE);
	assert_null(catalog_find(t->cat, "ev"));
}

static void test_expressions(void **state)
{
	T *t = *state;
	ASSERT_PLAN(t,
		    "SELECT a FROM s WHERE a BETWEEN 1 AND 5 AND b IS NOT NULL AND c LIKE 'x%' "
		    "AND a IN (1, 2) AND COALESCE(b, 0) <> 3",
		    "Project [a] (append-only)\n"
		    "  Filter ((a >= 1) AND (a <= 5) AND (b IS NOT NULL) AND (c LIKE 'x%') AND "
		    "(a IN (1, 2)) AND (COALESCE(b, 0) <> 3)) (append-only) watermark=ts\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	BoundStmt *b = run(t, "SELECT ts + INTERVAL '1 day', ts - TIMESTAMP '2024-01-01', "
			      "NULLIF(a, 0), a IS DISTINCT FROM b, (a > b) IS TRUE FROM s");
	assert_int_equal(b->query->cols[0].type, T_TIMESTAMP);
	assert_int_equal(b->query->cols[1].type, T_INTERVAL);
	assert_int_equal(b->query->cols[2].type, T_INT4);
	assert_string_equal(b->query->cols[2].name, "nullif");
	assert_int_equal(b->query->cols[3].type, T_BOOL);
	expect_err(t, "SELECT b IS TRUE FROM s", "42804",
		   "argument of IS TRUE must be type boolean, not type integer", -1);
}


static void test_group_order(void **state)
{
	T *t = *state;
	/* ORDER BY an aggregate that is not selected: hidden column, sorted, projected away. */
	ASSERT_PLAN(t, "SELECT a FROM s GROUP BY a ORDER BY max(b)",
		    "Project [a]\n"
		    "  Sort [max]\n"
		    "    Agg group=[a] aggs=[max(b)]\n"
		    "      Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	/* Ordinals; the select list is the aggregation's output, so no projection. */
	ASSERT_PLAN(t, "SELECT a, count(*) FROM s GROUP BY 1 ORDER BY 2",
		    "Sort [count]\n"
		    "  Agg group=[a] aggs=[count(*)]\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	/* Grouping on the watermark column keeps it. */
	ASSERT_PLAN(t, "SELECT ts, count(*) FROM s GROUP BY ts",
		    "Agg group=[ts] aggs=[count(*)] watermark=ts\n"
		    "  Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT count(*) FROM s HAVING count(*) > 1",
		    "Filter (count > 1)\n"
		    "  Agg group=[] aggs=[count(*)]\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	/* A bare GROUP BY name is an input column before an output column. */
	expect_err(t, "SELECT a AS b FROM s GROUP BY b", "42803",
		   "column \"s.a\" must appear in the GROUP BY clause or be used in an aggregate "
		   "function",
		   8);
	expect_err(t, "SELECT a FROM s GROUP BY a HAVING b > 1", "42803",
		   "column \"s.b\" must appear in the GROUP BY clause or be used in an aggregate "
		   "function",
		   35);
	expect_err(t, "SELECT max(a) FROM s ORDER BY a", "42803",
		   "column \"s.a\" must appear in the GROUP BY clause or be used in an aggregate "
		   "function",
		   31);
	expect_err(t, "SELECT count(a) FILTER (WHERE count(*) > 1) FROM s", "42803",
		   "aggregate functions are not allowed in FILTER", 31);
	expect_err(t, "SELECT sum(c) FROM s", "42883", "function sum(text) does not exist", 8);
	expect_err(t, "SELECT lower(*) FROM s", "42809",
		   "lower(*) specified, but lower is not an aggregate function", 8);
	/* A subquery's projection folds into the outer one. */
	ASSERT_PLAN(t, "SELECT y.n, y.n * 2 AS m FROM (SELECT a + 1 AS n, b FROM s) y",
		    "Project [n, (n * 2) AS m] (append-only)\n"
		    "  Project [(a + 1) AS n, b] (append-only)\n"
		    "    Scan s [a, b, c, ts] (append-only) watermark=ts\n");
	ASSERT_PLAN(t, "SELECT n FROM (SELECT a + 1 AS n, b FROM s) y",
		    "Project [(a + 1) AS n] (append-only)\n"
		    "  Scan s [a, b, c, ts] (append-only) watermark=ts\n");
}

static void test_more_errors(void **state)
{
	T *t = *state;
	expect_err(t, "CREATE TABLE w (a int PRIMARY KEY, b int, PRIMARY KEY (b))", "42601",
		   "multiple primary keys for table \"w\" are not allowed", 43);
	expect_err(t, "CREATE TABLE w (a int, b int, PRIMARY KEY (a, a))", "42701",
		   "column \"a\" appears twice in primary key constraint", 31);
	expect_err(t, "CREATE TABLE w (a int DEFAULT 1)", "0A000", "DEFAULT is not supported yet",
		   31);
	expect_err(t, "CREATE TABLE w (a varchar(0))", "22023",
		   "length for type varchar must be at least 1", 19);
	expect_err(t, "DROP VIEW s", "42809", "\"s\" is not a view", 11);
	expect_err(t, "SELECT * FROM TUMBLE(s, ts, INTERVAL '1' SECOND, INTERVAL '2' SECOND)",
		   "22023", "invalid window offset", 50);
	expect_err(t, "SELECT * FROM TUMBLE(s, ts, 5)", "42804",
		   "window size must be of type interval, not type integer", 29);
	expect_err(t, "WITH w AS (SELECT 1), w AS (SELECT 2) SELECT * FROM w", "42P07",
		   "WITH query name \"w\" specified more than once", 23);
	expect_err(t, "WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r", "0A000",
		   "WITH RECURSIVE is not supported yet", -1);
	expect_err(t, "SELECT a FROM s LIMIT 1.5", "42804",
		   "argument of LIMIT must be type bigint, not type numeric", 23);
	expect_err(t, "SELECT a FROM s UNION SELECT c FROM s", "42804",
		   "UNION types integer and text cannot be matched", -1);
	expect_err(t, "SELECT a FROM s UNION ALL SELECT b FROM s ORDER BY a + 1", "0A000",
		   "invalid UNION/INTERSECT/EXCEPT ORDER BY clause", 54);
	expect_err(t, "SELECT a FROM s WHERE NOT a", "42804",
		   "argument of NOT must be type boolean, not type integer", 27);
	expect_err(t, "SELECT CAST(a AS foo) FROM s", "42704", "type \"foo\" does not exist", 18);
	expect_err(t, "SELECT DATE '2024-13-01'", "22008",
		   "date/time field value out of range: \"2024-13-01\"", 8);
	expect_err(t, "SELECT a FROM other.s", "42P01", "relation \"other.s\" does not exist", 15);
	expect_err(t, "EXPLAIN DROP TABLE t", "0A000",
		   "EXPLAIN supports queries, INSERT, CREATE MATERIALIZED VIEW and CREATE SINK", 9);
	expect_err(t, "UPDATE t SET id = count(*)", "42803",
		   "aggregate functions are not allowed in UPDATE", 19);
	expect_err(t, "INSERT INTO t VALUES (1, 'y', 'abc')", "22P02",
		   "invalid input syntax for type numeric: \"abc\"", 31);
	expect_err(t, "SELECT $1", "0A000", "parameters are not supported yet", 8);
	expect_err(t, "CREATE SINK k AS SELECT a, count(*) FROM s GROUP BY a WITH (connector='file')",
		   "0A000", "the query of sink \"k\" is not append-only: it updates or deletes rows",
		   -1);
	expect_err(t, "SELECT * FROM s FOR SYSTEM_TIME AS OF PROCTIME()", "0A000",
		   "FOR SYSTEM_TIME AS OF is only supported on the right side of a JOIN", 39);
	expect_err(t, "SELECT (a)[1] FROM s", "42804",
		   "cannot subscript type integer because it does not support subscripting", 11);
	expect_err(t, "SELECT ARRAY[] FROM s", "42P18", "cannot determine type of empty array", 8);
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T_(test_create_stream),	  T_(test_create_errors),  T_(test_create_mview),
		T_(test_select_plans),	  T_(test_select_names_types), T_(test_where_errors),
		T_(test_unsupported),	  T_(test_aggregate_plans), T_(test_tumble),
		T_(test_order_limit),	  T_(test_union_values_cte), T_(test_insert),
		T_(test_delete_update),	  T_(test_drop),	   T_(test_misc),
		T_(test_expressions),	  T_(test_group_order),	   T_(test_more_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
