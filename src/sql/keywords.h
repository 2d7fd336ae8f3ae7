/* keywords.h: the SQL keyword table (one list, expanded where needed).
 *
 * Layer: sql (private to src/sql/). Each keyword carries PostgreSQL's category, which decides
 * where it may stand as a name: RESERVED words never (unless quoted), TYPE_FUNC names only as
 * function or type names, COL_NAME words as column/table names but not as function names, and
 * UNRESERVED words anywhere. Words eddy adds for streaming (stream, source, sink, watermark,
 * emit, flush ...) are all unreserved so existing schemas keep working. The list must stay in
 * strict alphabetical order: the lexer looks words up by binary search (a unit test checks).
 */
#ifndef EDDY_SQL_KEYWORDS_H
#define EDDY_SQL_KEYWORDS_H

typedef enum KwCat { KW_UNRESERVED, KW_COL_NAME, KW_TYPE_FUNC, KW_RESERVED } KwCat;

/* X(ID, "text", category) */
#define KEYWORD_LIST(X)                                                                            \
	X(ABORT, "abort", KW_UNRESERVED)                                                           \
	X(ALL, "all", KW_RESERVED)                                                                 \
	X(ANALYSE, "analyse", KW_RESERVED)                                                         \
	X(ANALYZE, "analyze", KW_RESERVED)                                                         \
	X(AND, "and", KW_RESERVED)                                                                 \
	X(ANY, "any", KW_RESERVED)                                                                 \
	X(ARRAY, "array", KW_RESERVED)                                                             \
	X(AS, "as", KW_RESERVED)                                                                   \
	X(ASC, "asc", KW_RESERVED)                                                                 \
	X(ASYMMETRIC, "asymmetric", KW_RESERVED)                                                   \
	X(AUTHORIZATION, "authorization", KW_TYPE_FUNC)                                            \
	X(BEGIN, "begin", KW_UNRESERVED)                                                           \
	X(BETWEEN, "between", KW_COL_NAME)                                                         \
	X(BIGINT, "bigint", KW_COL_NAME)                                                           \
	X(BINARY, "binary", KW_TYPE_FUNC)                                                          \
	X(BIT, "bit", KW_COL_NAME)                                                                 \
	X(BOOLEAN, "boolean", KW_COL_NAME)                                                         \
	X(BOTH, "both", KW_RESERVED)                                                               \
	X(BY, "by", KW_UNRESERVED)                                                                 \
	X(CASCADE, "cascade", KW_UNRESERVED)                                                       \
	X(CASE, "case", KW_RESERVED)                                                               \
	X(CAST, "cast", KW_RESERVED)                                                               \
	X(CHAR, "char", KW_COL_NAME)                                                               \
	X(CHARACTER, "character", KW_COL_NAME)                                                     \
	X(CHECK, "check", KW_RESERVED)                                                             \
	X(CLOSE, "close", KW_UNRESERVED)                                                           \
	X(COALESCE, "coalesce", KW_COL_NAME)                                                       \
	X(COLLATE, "collate", KW_RESERVED)                                                         \
	X(COLLATION, "collation", KW_TYPE_FUNC)                                                    \
	X(COLUMN, "column", KW_RESERVED)                                                           \
	X(COMMIT, "commit", KW_UNRESERVED)                                                         \
	X(CONCURRENTLY, "concurrently", KW_TYPE_FUNC)                                              \
	X(CONSTRAINT, "constraint", KW_RESERVED)                                                   \
	X(CREATE, "create", KW_RESERVED)                                                           \
	X(CROSS, "cross", KW_TYPE_FUNC)                                                            \
	X(CURRENT, "current", KW_UNRESERVED)                                                       \
	X(CURRENT_CATALOG, "current_catalog", KW_RESERVED)                                         \
	X(CURRENT_DATE, "current_date", KW_RESERVED)                                               \
	X(CURRENT_ROLE, "current_role", KW_RESERVED)                                               \
	X(CURRENT_SCHEMA, "current_schema", KW_TYPE_FUNC)                                          \
	X(CURRENT_TIME, "current_time", KW_RESERVED)                                               \
	X(CURRENT_TIMESTAMP, "current_timestamp", KW_RESERVED)                                     \
	X(CURRENT_USER, "current_user", KW_RESERVED)                                               \
	X(DAY, "day", KW_UNRESERVED)                                                               \
	X(DEC, "dec", KW_COL_NAME)                                                                 \
	X(DECIMAL, "decimal", KW_COL_NAME)                                                         \
	X(DEFAULT, "default", KW_RESERVED)                                                         \
	X(DEFERRABLE, "deferrable", KW_RESERVED)                                                   \
	X(DELETE, "delete", KW_UNRESERVED)                                                         \
	X(DESC, "desc", KW_RESERVED)                                                               \
	X(DESCRIBE, "describe", KW_UNRESERVED)                                                     \
	X(DISTINCT, "distinct", KW_RESERVED)                                                       \
	X(DO, "do", KW_RESERVED)                                                                   \
	X(DOUBLE, "double", KW_UNRESERVED)                                                         \
	X(DROP, "drop", KW_UNRESERVED)                                                             \
	X(ELSE, "else", KW_RESERVED)                                                               \
	X(EMIT, "emit", KW_UNRESERVED)                                                             \
	X(ENCODE, "encode", KW_UNRESERVED)                                                         \
	X(END, "end", KW_RESERVED)                                                                 \
	X(ESCAPE, "escape", KW_UNRESERVED)                                                         \
	X(EXCEPT, "except", KW_RESERVED)                                                           \
	X(EXISTS, "exists", KW_COL_NAME)                                                           \
	X(EXPLAIN, "explain", KW_UNRESERVED)                                                       \
	X(EXTRACT, "extract", KW_COL_NAME)                                                         \
	X(FALSE, "false", KW_RESERVED)                                                             \
	X(FETCH, "fetch", KW_RESERVED)                                                             \
	X(FILTER, "filter", KW_UNRESERVED)                                                         \
	X(FIRST, "first", KW_UNRESERVED)                                                           \
	X(FLOAT, "float", KW_COL_NAME)                                                             \
	X(FLUSH, "flush", KW_UNRESERVED)                                                           \
	X(FOLLOWING, "following", KW_UNRESERVED)                                                   \
	X(FOR, "for", KW_RESERVED)                                                                 \
	X(FOREIGN, "foreign", KW_RESERVED)                                                         \
	X(FORMAT, "format", KW_UNRESERVED)                                                         \
	X(FREEZE, "freeze", KW_TYPE_FUNC)                                                          \
	X(FROM, "from", KW_RESERVED)                                                               \
	X(FULL, "full", KW_TYPE_FUNC)                                                              \
	X(GRANT, "grant", KW_RESERVED)                                                             \
	X(GREATEST, "greatest", KW_COL_NAME)                                                       \
	X(GROUP, "group", KW_RESERVED)                                                             \
	X(GROUPING, "grouping", KW_COL_NAME)                                                       \
	X(GROUPS, "groups", KW_UNRESERVED)                                                         \
	X(HAVING, "having", KW_RESERVED)                                                           \
	X(HOUR, "hour", KW_UNRESERVED)                                                             \
	X(IF, "if", KW_UNRESERVED)                                                                 \
	X(ILIKE, "ilike", KW_TYPE_FUNC)                                                            \
	X(IN, "in", KW_RESERVED)                                                                   \
	X(INITIALLY, "initially", KW_RESERVED)                                                     \
	X(INNER, "inner", KW_TYPE_FUNC)                                                            \
	X(INSERT, "insert", KW_UNRESERVED)                                                         \
	X(INT, "int", KW_COL_NAME)                                                                 \
	X(INTEGER, "integer", KW_COL_NAME)                                                         \
	X(INTERSECT, "intersect", KW_RESERVED)                                                     \
	X(INTERVAL, "interval", KW_COL_NAME)                                                       \
	X(INTO, "into", KW_RESERVED)                                                               \
	X(IS, "is", KW_TYPE_FUNC)                                                                  \
	X(ISNULL, "isnull", KW_TYPE_FUNC)                                                          \
	X(JOIN, "join", KW_TYPE_FUNC)                                                              \
	X(KEY, "key", KW_UNRESERVED)                                                               \
	X(LAST, "last", KW_UNRESERVED)                                                             \
	X(LATERAL, "lateral", KW_RESERVED)                                                         \
	X(LEADING, "leading", KW_RESERVED)                                                         \
	X(LEAST, "least", KW_COL_NAME)                                                             \
	X(LEFT, "left", KW_TYPE_FUNC)                                                              \
	X(LIKE, "like", KW_TYPE_FUNC)                                                              \
	X(LIMIT, "limit", KW_RESERVED)                                                             \
	X(LOCAL, "local", KW_UNRESERVED)                                                           \
	X(LOCALTIME, "localtime", KW_RESERVED)                                                     \
	X(LOCALTIMESTAMP, "localtimestamp", KW_RESERVED)                                           \
	X(MATERIALIZED, "materialized", KW_UNRESERVED)                                             \
	X(MINUTE, "minute", KW_UNRESERVED)                                                         \
	X(MONTH, "month", KW_UNRESERVED)                                                           \
	X(NATIONAL, "national", KW_COL_NAME)                                                       \
	X(NATURAL, "natural", KW_TYPE_FUNC)                                                        \
	X(NCHAR, "nchar", KW_COL_NAME)                                                             \
	X(NEXT, "next", KW_UNRESERVED)                                                             \
	X(NONE, "none", KW_COL_NAME)                                                               \
	X(NOT, "not", KW_RESERVED)                                                                 \
	X(NOTNULL, "notnull", KW_TYPE_FUNC)                                                        \
	X(NULL, "null", KW_RESERVED)                                                               \
	X(NULLIF, "nullif", KW_COL_NAME)                                                           \
	X(NULLS, "nulls", KW_UNRESERVED)                                                           \
	X(NUMERIC, "numeric", KW_COL_NAME)                                                         \
	X(OFFSET, "offset", KW_RESERVED)                                                           \
	X(ON, "on", KW_RESERVED)                                                                   \
	X(ONLY, "only", KW_RESERVED)                                                               \
	X(OR, "or", KW_RESERVED)                                                                   \
	X(ORDER, "order", KW_RESERVED)                                                             \
	X(OUTER, "outer", KW_TYPE_FUNC)                                                            \
	X(OVER, "over", KW_UNRESERVED)                                                             \
	X(OVERLAPS, "overlaps", KW_TYPE_FUNC)                                                      \
	X(OVERLAY, "overlay", KW_COL_NAME)                                                         \
	X(PARTITION, "partition", KW_UNRESERVED)                                                   \
	X(PLACING, "placing", KW_RESERVED)                                                         \
	X(POSITION, "position", KW_COL_NAME)                                                       \
	X(PRECEDING, "preceding", KW_UNRESERVED)                                                   \
	X(PRECISION, "precision", KW_COL_NAME)                                                     \
	X(PRIMARY, "primary", KW_RESERVED)                                                         \
	X(RANGE, "range", KW_UNRESERVED)                                                           \
	X(REAL, "real", KW_COL_NAME)                                                               \
	X(RECURSIVE, "recursive", KW_UNRESERVED)                                                   \
	X(REFERENCES, "references", KW_RESERVED)                                                   \
	X(RESET, "reset", KW_UNRESERVED)                                                           \
	X(RESTRICT, "restrict", KW_UNRESERVED)                                                     \
	X(RETURNING, "returning", KW_RESERVED)                                                     \
	X(RIGHT, "right", KW_TYPE_FUNC)                                                            \
	X(ROLLBACK, "rollback", KW_UNRESERVED)                                                     \
	X(ROW, "row", KW_COL_NAME)                                                                 \
	X(ROWS, "rows", KW_UNRESERVED)                                                             \
	X(SECOND, "second", KW_UNRESERVED)                                                         \
	X(SELECT, "select", KW_RESERVED)                                                           \
	X(SESSION, "session", KW_UNRESERVED)                                                       \
	X(SESSION_USER, "session_user", KW_RESERVED)                                               \
	X(SET, "set", KW_UNRESERVED)                                                               \
	X(SETOF, "setof", KW_COL_NAME)                                                             \
	X(SHOW, "show", KW_UNRESERVED)                                                             \
	X(SIMILAR, "similar", KW_TYPE_FUNC)                                                        \
	X(SINK, "sink", KW_UNRESERVED)                                                             \
	X(SMALLINT, "smallint", KW_COL_NAME)                                                       \
	X(SOME, "some", KW_RESERVED)                                                               \
	X(SOURCE, "source", KW_UNRESERVED)                                                         \
	X(START, "start", KW_UNRESERVED)                                                           \
	X(STREAM, "stream", KW_UNRESERVED)                                                         \
	X(SUBSTRING, "substring", KW_COL_NAME)                                                     \
	X(SYMMETRIC, "symmetric", KW_RESERVED)                                                     \
	X(SYSTEM_USER, "system_user", KW_RESERVED)                                                 \
	X(TABLE, "table", KW_RESERVED)                                                             \
	X(TABLESAMPLE, "tablesample", KW_TYPE_FUNC)                                                \
	X(THEN, "then", KW_RESERVED)                                                               \
	X(TIME, "time", KW_COL_NAME)                                                               \
	X(TIMESTAMP, "timestamp", KW_COL_NAME)                                                     \
	X(TO, "to", KW_RESERVED)                                                                   \
	X(TRAILING, "trailing", KW_RESERVED)                                                       \
	X(TRANSACTION, "transaction", KW_UNRESERVED)                                               \
	X(TREAT, "treat", KW_COL_NAME)                                                             \
	X(TRIM, "trim", KW_COL_NAME)                                                               \
	X(TRUE, "true", KW_RESERVED)                                                               \
	X(UNBOUNDED, "unbounded", KW_UNRESERVED)                                                   \
	X(UNION, "union", KW_RESERVED)                                                             \
	X(UNIQUE, "unique", KW_RESERVED)                                                           \
	X(UNKNOWN, "unknown", KW_UNRESERVED)                                                       \
	X(UPDATE, "update", KW_UNRESERVED)                                                         \
	X(USER, "user", KW_RESERVED)                                                               \
	X(USING, "using", KW_RESERVED)                                                             \
	X(VALUES, "values", KW_COL_NAME)                                                           \
	X(VARCHAR, "varchar", KW_COL_NAME)                                                         \
	X(VARIADIC, "variadic", KW_RESERVED)                                                       \
	X(VARYING, "varying", KW_UNRESERVED)                                                       \
	X(VERBOSE, "verbose", KW_TYPE_FUNC)                                                        \
	X(VIEW, "view", KW_UNRESERVED)                                                             \
	X(WATERMARK, "watermark", KW_UNRESERVED)                                                   \
	X(WHEN, "when", KW_RESERVED)                                                               \
	X(WHERE, "where", KW_RESERVED)                                                             \
	X(WINDOW, "window", KW_RESERVED)                                                           \
	X(WITH, "with", KW_RESERVED)                                                               \
	X(WITHOUT, "without", KW_UNRESERVED)                                                       \
	X(WORK, "work", KW_UNRESERVED)                                                             \
	X(YEAR, "year", KW_UNRESERVED)                                                             \
	X(ZONE, "zone", KW_UNRESERVED)

typedef enum Keyword {
	KW__NONE = 0,
#define KW_ENUM(id, text, cat) KW_##id,
	KEYWORD_LIST(KW_ENUM)
#undef KW_ENUM
	KW__COUNT
} Keyword;

typedef struct KwInfo {
	const char *text;
	KwCat cat;
} KwInfo;

/* kw_table[KW_x]; index 0 (KW__NONE) is a placeholder. */
extern const KwInfo kw_table[KW__COUNT];

/* The keyword spelled by the lower-case word s (length n), or KW__NONE. */
Keyword kw_lookup(const char *s, int n);

#endif
