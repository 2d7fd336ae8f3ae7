/* ast.h: the syntax trees the parser builds (PostgreSQL dialect plus streaming extensions).
 *
 * Layer: sql (depends on base/ only). The AST records what the user wrote, nothing more: names
 * are not resolved, literals stay text (with their kind), nothing is typed. The binder (plan/)
 * reads these trees; the printer (print.c) turns them back into SQL.
 *
 * Conventions
 * - Every node lives in the caller's Arena and is never freed on its own.
 * - `location` is the 1-based character position (not byte) of the node's first token in the
 *   full SQL text given to sql_parse, as PostgreSQL reports positions. For a binary operator
 *   node it is the operator token's position (as PostgreSQL reports "operator does not exist");
 *   for a function call, the function name's.
 * - Identifiers: unquoted ones are folded to lower case, "quoted" ones are kept as written
 *   (without the quotes, "" undoubled). Keywords that PostgreSQL does not reserve may be used as
 *   names (a column called date, time, timestamp, name, value, type, source, key ...).
 * - Lists are a pointer array plus a count (`AstExpr **args; int nargs`); an empty list is
 *   NULL with count 0.
 * - Operators are named by lower-case strings: unary "-", "+", "not"; binary "+", "-", "*", "/",
 *   "%", "^", "||", "=", "<>" (also for !=), "<", "<=", ">", ">=", "and", "or", "like",
 *   "not like", "ilike", "not ilike" (the LIKE family may carry an ESCAPE expression). Unary minus
 *   on a numeric literal is folded into the literal ("-5"), as PostgreSQL's grammar does.
 * - Literals: AST_LIT_INTEGER "42" (digits, maybe a leading '-'), AST_LIT_DECIMAL "3.14",
 *   ".5", "1e10" (as written), AST_LIT_STRING (the value, escapes already decoded), AST_LIT_BOOL
 *   "true"/"false", AST_LIT_NULL, AST_LIT_TYPED: `DATE '2020-01-01'`, `TIMESTAMP '...'`,
 *   `TIMESTAMPTZ '...'`, `INTERVAL '...'` (type in lit.type, string in lit.text). The SQL-standard
 *   `INTERVAL '4' SECOND` form is normalized to INTERVAL '4 second' (unit singular, lower case).
 * - The special syntaxes EXTRACT, SUBSTRING, TRIM and POSITION become ordinary function calls
 *   (AST_FUNC) with PostgreSQL's argument order; `func.syntax` remembers the form for printing:
 *     EXTRACT(f FROM x)            -> extract('f', x)          (field as a string literal, lower)
 *     SUBSTRING(x FROM a FOR b)    -> substring(x, a, b)       (FOR only: substring(x, 1, b))
 *     TRIM([BOTH] [c] FROM x)      -> btrim(x[, c])            (LEADING: ltrim, TRAILING: rtrim)
 *     POSITION(a IN b)             -> position(b, a)
 *   COALESCE, NULLIF, GREATEST, LEAST are ordinary calls too (names lower case).
 * - A query (AstQuery) is a SELECT core, a VALUES list or a set operation of two queries;
 *   ORDER BY / LIMIT / OFFSET / WITH hang on whichever node they follow.
 */
#ifndef EDDY_SQL_AST_H
#define EDDY_SQL_AST_H

#include <stdbool.h>

typedef struct AstExpr AstExpr;
typedef struct AstQuery AstQuery;
typedef struct AstStmt AstStmt;
typedef struct AstTableRef AstTableRef;

/* ---- types (CAST targets, column definitions, typed literals) */

/* A type as written. `name` is lower case with multi-word names joined by one space and the
 * PostgreSQL spellings kept: "int", "integer", "bigint", "smallint", "int4", "float8", "real",
 * "double precision", "numeric", "decimal", "varchar", "character varying", "char",
 * "character", "text", "boolean", "bool", "date", "time", "timestamp",
 * "timestamp with time zone", "timestamp without time zone", "timestamptz", "interval", "bytea"
 * ... (any identifier is accepted; the binder decides what exists). A quoted type name is kept
 * as written. Modifiers are the integers in parentheses: varchar(10), numeric(10,2),
 * timestamp(3). */
typedef struct AstType {
	char *name;
	int nmods;        /* 0, 1 or 2 */
	int mods[2];
	bool array;       /* name[] (parsed, for a clear "not supported" from the binder) */
	int location;
} AstType;

/* ---- expressions */

typedef enum AstExprKind {
	AST_COLUMN,      /* column.table/name/star: [table.]column, `*`, `t.*` */
	AST_LITERAL,     /* lit */
	AST_PARAM,       /* param: $1 */
	AST_UNARY,       /* unary: op arg */
	AST_BINARY,      /* binary: left op right [ESCAPE escape] */
	AST_IS,          /* is: arg IS [NOT] NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM right */
	AST_BETWEEN,     /* between: arg [NOT] BETWEEN [SYMMETRIC] low AND high */
	AST_IN_LIST,     /* in: arg [NOT] IN (list...) */
	AST_IN_SUBQUERY, /* in: arg [NOT] IN (subquery) */
	AST_EXISTS,      /* sub: [NOT] EXISTS (subquery); NOT is an AST_UNARY "not" around it */
	AST_SUBQUERY,    /* sub: (subquery) used as a scalar */
	AST_CASE,        /* kase */
	AST_CAST,        /* cast: CAST(arg AS type) or arg::type */
	AST_FUNC,        /* func: name(args) [FILTER (WHERE ...)] [OVER (...)] */
	AST_SUBSCRIPT,   /* subscript: arg[index] (location: the '[') */
} AstExprKind;

typedef enum AstLitKind {
	AST_LIT_INTEGER,
	AST_LIT_DECIMAL,
	AST_LIT_STRING,
	AST_LIT_BOOL,
	AST_LIT_NULL,
	AST_LIT_TYPED,
} AstLitKind;

typedef enum AstIsTest {
	AST_IS_NULL,
	AST_IS_TRUE,
	AST_IS_FALSE,
	AST_IS_UNKNOWN,
	AST_IS_DISTINCT_FROM,
} AstIsTest;

typedef enum AstCallSyntax {
	AST_CALL_PLAIN,
	AST_CALL_EXTRACT,
	AST_CALL_SUBSTRING,
	AST_CALL_TRIM,
	AST_CALL_POSITION,
	AST_CALL_SQLVALUE, /* CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIME ... (no parentheses) */
	AST_CALL_ARRAY,    /* ARRAY[a, b, ...]: a call named "array" with the elements as args */
} AstCallSyntax;

typedef struct AstOrderItem {
	AstExpr *expr;
	bool desc;
	int nulls;        /* 0: default, 1: NULLS FIRST, 2: NULLS LAST */
	int location;
} AstOrderItem;

enum { AST_NULLS_DEFAULT = 0, AST_NULLS_FIRST = 1, AST_NULLS_LAST = 2 };

typedef enum AstFrameBound {
	AST_BOUND_NONE,               /* no frame clause / no end bound given */
	AST_BOUND_UNBOUNDED_PRECEDING,
	AST_BOUND_PRECEDING,          /* offset PRECEDING */
	AST_BOUND_CURRENT_ROW,
	AST_BOUND_FOLLOWING,          /* offset FOLLOWING */
	AST_BOUND_UNBOUNDED_FOLLOWING,
} AstFrameBound;

typedef enum AstFrameMode {
	AST_FRAME_DEFAULT,  /* no ROWS/RANGE clause */
	AST_FRAME_ROWS,
	AST_FRAME_RANGE,
	AST_FRAME_GROUPS,
} AstFrameMode;

/* OVER ( [PARTITION BY ...] [ORDER BY ...] [ROWS|RANGE [BETWEEN] start [AND end]] ) */
typedef struct AstWindow {
	AstExpr **partition;
	int npartition;
	AstOrderItem *order;
	int norder;
	AstFrameMode frame;
	AstFrameBound start, end;   /* end is AST_BOUND_NONE when no BETWEEN */
	AstExpr *start_offset, *end_offset;
	int location;
} AstWindow;

typedef struct AstWhen {
	AstExpr *cond;    /* WHEN cond (a value to compare with for simple CASE) */
	AstExpr *result;  /* THEN result */
} AstWhen;

struct AstExpr {
	AstExprKind kind;
	int location;
	union {
		struct {
			char *table;  /* NULL when unqualified */
			char *name;   /* NULL when star */
			bool star;    /* `*` or `table.*` */
		} column;
		struct {
			AstLitKind kind;
			char *text;       /* NULL for AST_LIT_NULL */
			AstType *type;    /* AST_LIT_TYPED only */
		} lit;
		struct {
			int index;        /* $1 -> 1 */
		} param;
		struct {
			const char *op;
			AstExpr *arg;
		} unary;
		struct {
			const char *op;
			AstExpr *left, *right;
			AstExpr *escape;  /* LIKE ... ESCAPE e; NULL otherwise */
		} binary;
		struct {
			AstExpr *arg;
			AstIsTest test;
			bool negated;     /* IS NOT ... */
			AstExpr *right;   /* DISTINCT FROM only */
		} is;
		struct {
			AstExpr *arg, *low, *high;
			bool negated;
			bool symmetric;
		} between;
		struct {
			AstExpr *arg;
			bool negated;
			AstExpr **list;   /* IN_LIST */
			int nlist;
			AstQuery *query;  /* IN_SUBQUERY */
		} in;
		struct {
			AstQuery *query;
		} sub;
		struct {
			AstExpr *operand; /* simple CASE operand; NULL for searched CASE */
			AstWhen *whens;
			int nwhens;
			AstExpr *else_;   /* NULL when absent */
		} kase;
		struct {
			AstExpr *arg;
			AstType *type;
			bool colons;      /* written as arg::type */
		} cast;
		struct {
			char *name;       /* lower case unless quoted */
			AstExpr **args;
			int nargs;
			bool distinct;    /* f(DISTINCT x) */
			bool star;        /* count(*) */
			AstOrderItem *order;  /* aggregate ORDER BY: string_agg(x, ',' ORDER BY y) */
			int norder;
			AstExpr *filter;  /* FILTER (WHERE ...) */
			AstWindow *over;  /* OVER (...) */
			AstCallSyntax syntax;
		} func;
		struct {
			AstExpr *arg, *index;
		} subscript;
	};
};

/* ---- queries */

typedef struct AstTarget {
	AstExpr *expr;    /* may be an AST_COLUMN star */
	char *alias;      /* AS alias (or bare alias); NULL when none */
	int location;
} AstTarget;

typedef struct AstAlias {
	char *name;
	char **cols;      /* AS t(a, b): column aliases */
	int ncols;
	int location;
} AstAlias;

typedef enum AstRefKind {
	AST_REF_TABLE,    /* [schema.]name [AS alias] */
	AST_REF_SUBQUERY, /* (query) [AS] alias */
	AST_REF_FUNC,     /* TUMBLE(bid, date_time, INTERVAL '10' SECOND) [AS alias]: func (AST_FUNC) */
	AST_REF_JOIN,     /* left JOIN right ON cond | USING (cols) */
} AstRefKind;

typedef enum AstJoinType {
	AST_JOIN_INNER,
	AST_JOIN_LEFT,
	AST_JOIN_RIGHT,
	AST_JOIN_FULL,
	AST_JOIN_CROSS,
} AstJoinType;

struct AstTableRef {
	AstRefKind kind;
	int location;
	AstAlias *alias;      /* NULL when none (JOIN: only for a parenthesized join with alias) */
	char *schema;         /* TABLE: NULL when unqualified */
	char *name;           /* TABLE */
	AstQuery *query;      /* SUBQUERY */
	AstExpr *func;        /* FUNC: an AST_FUNC node */
	AstJoinType join;     /* JOIN */
	bool natural;         /* NATURAL JOIN */
	AstTableRef *left, *right;
	AstExpr *on;          /* JOIN ... ON; NULL for CROSS / USING / NATURAL */
	char **using_cols;    /* JOIN ... USING (a, b) */
	int nusing;
	AstExpr *as_of;       /* TABLE: FOR SYSTEM_TIME AS OF expr (a lookup join's table side:
			       * PROCTIME() or NOW()); NULL when absent */
};

typedef struct AstCte {
	char *name;
	char **cols;          /* WITH name(a, b) AS (...) */
	int ncols;
	AstQuery *query;
	int location;
} AstCte;

typedef enum AstQueryKind {
	AST_QUERY_SELECT,
	AST_QUERY_VALUES,
	AST_QUERY_SETOP,
} AstQueryKind;

typedef enum AstSetOp {
	AST_SETOP_UNION,
	AST_SETOP_INTERSECT,
	AST_SETOP_EXCEPT,
} AstSetOp;

typedef struct AstValuesRow {
	AstExpr **items;
	int nitems;
} AstValuesRow;

struct AstQuery {
	AstQueryKind kind;
	int location;

	/* WITH, on the node it precedes (normally the top of the query) */
	AstCte *ctes;
	int nctes;
	bool recursive;

	/* SELECT core */
	bool distinct;
	AstExpr **distinct_on;  /* DISTINCT ON (exprs) */
	int ndistinct_on;
	AstTarget *targets;
	int ntargets;
	AstTableRef **from;     /* comma list; each may be a join tree */
	int nfrom;
	AstExpr *where;
	AstExpr **group_by;
	int ngroup_by;
	AstExpr *having;

	/* VALUES (...), (...) */
	AstValuesRow *rows;
	int nrows;

	/* set operation: left op [ALL] right (left-deep for a chain of the same precedence) */
	AstSetOp setop;
	bool all;
	AstQuery *left, *right;

	/* apply to the whole node */
	AstOrderItem *order;
	int norder;
	AstExpr *limit;         /* NULL when absent or LIMIT ALL */
	bool limit_all;
	AstExpr *offset;

	/* streaming: EMIT ON WINDOW CLOSE (also mirrored on CREATE MATERIALIZED VIEW) */
	bool emit_on_window_close;
};

/* ---- statements */

typedef enum AstStmtKind {
	AST_STMT_QUERY,          /* query: SELECT / VALUES / WITH ... */
	AST_STMT_CREATE_STREAM,  /* create */
	AST_STMT_CREATE_TABLE,   /* create */
	AST_STMT_CREATE_SOURCE,  /* create */
	AST_STMT_CREATE_MVIEW,   /* mview */
	AST_STMT_CREATE_SINK,    /* sink */
	AST_STMT_DROP,           /* drop */
	AST_STMT_INSERT,         /* insert */
	AST_STMT_DELETE,         /* del */
	AST_STMT_UPDATE,         /* update */
	AST_STMT_EXPLAIN,        /* explain */
	AST_STMT_SHOW,           /* show */
	AST_STMT_DESCRIBE,       /* describe */
	AST_STMT_FLUSH,
	AST_STMT_BEGIN,
	AST_STMT_COMMIT,
	AST_STMT_ROLLBACK,
	AST_STMT_SET,            /* set */
	AST_STMT_CREATE_USER,    /* user */
	AST_STMT_ALTER_USER,     /* user */
	AST_STMT_DROP_USER,      /* user */
} AstStmtKind;

typedef enum AstOptKind {
	AST_OPT_STRING,  /* 'value' */
	AST_OPT_NUMBER,  /* 42, -1.5 (as written) */
	AST_OPT_IDENT,   /* a bare word (true, on, json ...), lower-cased unless quoted */
} AstOptKind;

/* One `key = value` of a WITH (...) list. Keys are dotted identifiers (nexmark.table.type,
 * folded and joined with '.') or quoted strings (kept as written). */
typedef struct AstOption {
	char *key;
	char *value;
	AstOptKind kind;
	int location;
} AstOption;

typedef struct AstColumnDef {
	char *name;
	AstType *type;
	bool not_null;       /* NOT NULL */
	bool primary_key;    /* column constraint PRIMARY KEY */
	AstExpr *default_;   /* DEFAULT expr (NULL when none) */
	int location;
} AstColumnDef;

/* CREATE STREAM | TABLE | SOURCE */
typedef struct AstCreate {
	char *name;
	bool if_not_exists;
	bool has_columns;       /* a column list was given (SOURCE may omit it) */
	AstColumnDef *cols;
	int ncols;
	char **pkey;            /* table constraint PRIMARY KEY (a, b) */
	int npkey;
	int pkey_location;
	char *wm_col;           /* WATERMARK FOR wm_col AS wm_expr; NULL when none */
	AstExpr *wm_expr;
	int wm_location;
	AstOption *opts;        /* WITH (...) */
	int nopts;
	char *format;           /* RisingWave `FORMAT PLAIN ENCODE JSON [(...)]`: the clause text
				   after FORMAT as written ("PLAIN ENCODE JSON"); NULL when none */
} AstCreate;

typedef struct AstCreateMView {
	char *name;
	bool if_not_exists;
	AstOption *opts;        /* WITH (...) before AS */
	int nopts;
	AstQuery *query;
	bool emit_on_window_close;
	int query_offset;       /* byte offset of the query text after AS (for the catalog) */
} AstCreateMView;

typedef struct AstCreateSink {
	char *name;
	bool if_not_exists;
	char *from;             /* FROM name; NULL when AS query */
	AstQuery *query;        /* AS query */
	AstOption *opts;
	int nopts;
	char *format;           /* as in AstCreate */
} AstCreateSink;

typedef enum AstObjKind {
	AST_OBJ_STREAM,
	AST_OBJ_TABLE,
	AST_OBJ_SOURCE,
	AST_OBJ_MVIEW,
	AST_OBJ_SINK,
	AST_OBJ_VIEW,
} AstObjKind;

typedef struct AstDrop {
	AstObjKind obj;
	bool if_exists;
	char **names;
	int *name_locations;
	int nnames;
	bool cascade;           /* CASCADE (RESTRICT is the default) */
} AstDrop;

typedef struct AstInsert {
	char *table;
	int table_location;
	char **cols;            /* NULL when no column list */
	int ncols;
	AstQuery *query;        /* VALUES (...) or a SELECT */
} AstInsert;

typedef struct AstDelete {
	char *table;
	int table_location;
	AstExpr *where;
} AstDelete;

typedef struct AstSetClause {
	char *col;
	AstExpr *expr;
	int location;
} AstSetClause;

typedef struct AstUpdate {
	char *table;
	int table_location;
	AstSetClause *sets;
	int nsets;
	AstExpr *where;
} AstUpdate;

typedef struct AstExplain {
	bool verbose;
	AstStmt *stmt;
} AstExplain;

typedef enum AstShowKind {
	AST_SHOW_STREAMS,
	AST_SHOW_TABLES,
	AST_SHOW_MVIEWS,
	AST_SHOW_SOURCES,
	AST_SHOW_SINKS,
	AST_SHOW_COLUMNS,   /* SHOW COLUMNS FROM name */
	AST_SHOW_PARAM,     /* SHOW name (a setting; "all" for SHOW ALL) */
} AstShowKind;

typedef struct AstShow {
	AstShowKind what;
	char *name;         /* COLUMNS: the relation; PARAM: the setting (dotted, lower case) */
	int name_location;
} AstShow;

typedef struct AstDescribe {
	char *name;
	int name_location;
} AstDescribe;

/* SET [SESSION|LOCAL] name {=|TO} value[, ...] | SET TIME ZONE value. A no-op for now. */
typedef struct AstSet {
	char *name;         /* lower case; "timezone" for SET TIME ZONE */
	char *value;        /* the value text as written (strings unquoted, lists joined with ", "),
			       "DEFAULT" for DEFAULT */
	bool local;
} AstSet;

/* CREATE USER|ROLE name [[WITH] PASSWORD 'x' | PASSWORD NULL], ALTER USER|ROLE name [WITH]
 * PASSWORD ..., DROP USER|ROLE [IF EXISTS] name. */
typedef struct AstUser {
	char *name;
	int name_location;
	char *password;     /* NULL: no password (or PASSWORD NULL) */
	bool has_password;  /* a PASSWORD clause was given */
	bool if_exists;
} AstUser;

struct AstStmt {
	AstStmtKind kind;
	int location;       /* 1-based character position of the first token */
	int offset, length; /* byte span in the input (see sql_stmt_span), without the ';' */
	union {
		AstQuery *query;
		AstCreate create;
		AstCreateMView mview;
		AstCreateSink sink;
		AstDrop drop;
		AstInsert insert;
		AstDelete del;
		AstUpdate update;
		AstExplain explain;
		AstShow show;
		AstDescribe describe;
		AstSet set;
		AstUser user;
	};
};

/* AST-READY */
#endif
