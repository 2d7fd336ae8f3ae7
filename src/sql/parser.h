/* parser.h: SQL text to syntax trees (the front door of the sql/ layer).
 *
 * Layer: sql (depends on base/ only). sql_parse splits text into statements and parses each into
 * an AstStmt (defined in ast.h) allocated in the caller's arena. Errors are PostgreSQL's:
 * 42601 `syntax error at or near "x"` (or `at end of input`) with the token's position.
 */
#ifndef EDDY_SQL_PARSER_H
#define EDDY_SQL_PARSER_H

#include "base/err.h"
#include "base/mem.h"
#include "base/strbuf.h"
#include "sql/ast.h"

typedef struct AstStmt AstStmt;

/* Parses every statement of `sql` (separated by semicolons; empty statements skipped). */
int sql_parse(const char *sql, Arena *a, AstStmt ***stmts, int *nstmts, Err *e);

/* The span of a statement in the text it was parsed from (0-based offset, length in bytes). */
void sql_stmt_span(const AstStmt *s, int *offset, int *length);

/* Prints a statement back as SQL (normalized: keywords upper case, fully parenthesized
 * expressions); parsing the printed text gives the same tree. */
void sql_print(const AstStmt *s, StrBuf *out);

/* Prints one expression / query the same way (for EXPLAIN, error messages and column names). */
void sql_print_expr(const AstExpr *x, StrBuf *out);
void sql_print_query(const AstQuery *q, StrBuf *out);

/* Parses exactly one expression (e.g. a DEFAULT or WATERMARK text kept by the catalog). */
int sql_parse_expr(const char *sql, Arena *a, AstExpr **out, Err *e);

#endif
