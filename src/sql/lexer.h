/* lexer.h: SQL text to tokens (private to src/sql/).
 *
 * Layer: sql (depends on base/ only). The lexer turns the whole input into an array of tokens
 * up front, following PostgreSQL's scanner: -- and nested slash-star comments, 'it''s' strings
 * (adjacent strings separated by a newline are joined), E'\n' escape strings,
 * "quoted ""identifiers""", numbers (42, 3.14, .5, 1e10), $n parameters and the operators
 * eddy knows. Unquoted words are folded to lower case and looked up in the keyword table.
 * A lexical error does not stop the scan at once: it becomes a TOK_ERROR token, so the parser
 * reports whichever error comes first in the text, as PostgreSQL's on-demand scanner does.
 * The array always ends with TOK_EOF.
 */
#ifndef EDDY_SQL_LEXER_H
#define EDDY_SQL_LEXER_H

#include "base/err.h"
#include "base/mem.h"
#include "sql/keywords.h"

typedef enum TokKind {
	TOK_EOF,
	TOK_IDENT,    /* unquoted word (folded); kw says which keyword, if any */
	TOK_QIDENT,   /* "quoted identifier" (val without quotes, "" undoubled) */
	TOK_STRING,   /* 'string' or E'string' (val decoded) */
	TOK_INTEGER,  /* 42 */
	TOK_DECIMAL,  /* 3.14, .5, 1e10 */
	TOK_PARAM,    /* $1 (val is the digits) */
	TOK_OP,       /* operator or punctuation: val is its text ("::", "(", ";", "<>" ...) */
	TOK_ERROR,    /* a lexical error: code and val (the message) */
} TokKind;

typedef struct Token {
	TokKind kind;
	Keyword kw;   /* TOK_IDENT only; KW__NONE otherwise */
	int off, len; /* byte span of the raw text */
	int pos;      /* 1-based character position */
	char *val;
	ErrCode code; /* TOK_ERROR */
} Token;

/* Scans all of sql (NUL-terminated) into an array in arena a. Never fails: see TOK_ERROR. */
void lex_all(const char *sql, Arena *a, Token **toks, int *ntoks);

/* 1-based character position just past the end of sql (for "at end of input"). */
int lex_end_pos(const char *sql);

#endif
