/* regex.h: compiled regular expressions for the regexp_* functions and the ~ operators.
 *
 * Layer: expr (uses base only). A thin, owned wrapper around PCRE2 (8-bit code units, UTF mode,
 * JIT-compiled when the machine allows it): the one place that includes pcre2.h. It translates
 * PostgreSQL's flag letters into PCRE2 options and PCRE2's compile errors into PostgreSQL's
 * 2201B "invalid regular expression: ..." message. It never sees vectors or rows: func.c runs
 * the row loops and decides when a pattern is compiled (once per expression for constant
 * patterns, see func_prepare in func.h). docs/regex.md lists how PCRE's syntax differs
 * from PostgreSQL's ARE for what eddy supports.
 *
 * Threads: a Regex is immutable once compiled and may be matched from several threads at once;
 * each match needs its own RxMatch, taken with rx_match_take and given back with rx_match_give
 * (one spare block is kept in the Regex so a constant pattern allocates none per call).
 */
#ifndef EDDY_EXPR_REGEX_H
#define EDDY_EXPR_REGEX_H

#include "base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Regex Regex;
typedef struct RxMatch RxMatch;

/* PostgreSQL's flag letters, parsed: the compile options and whether 'g' was given. */
typedef struct RxFlags {
	uint32_t opts; /* PCRE2 compile options */
	bool global;   /* 'g': every match (regexp_replace only) */
} RxFlags;

/* The flags of a pattern without a flags argument: PostgreSQL's defaults (case-sensitive, not
 * newline-sensitive: '.' matches a newline, '^' and '$' only at the ends of the string). */
RxFlags rx_flags_default(void);

/* Applies PostgreSQL flag letters (i c n m s p w x q g) in order to *f (start from
 * rx_flags_default). `func` names the SQL function in messages; `global_ok` says whether 'g' is
 * allowed. Errors: 22023 "invalid regular expression option: "z"", 22023 "regexp_like() does
 * not support the "global" option", 0A000 for the syntax switches 'b' and 'e'. */
int rx_flags_apply(RxFlags *f, const char *s, size_t n, const char *func, bool global_ok, Err *e);

/* Compiles pattern p[0..n) (not NUL-terminated; NUL bytes allowed). NULL with 2201B "invalid
 * regular expression: <PCRE2's reason>" on a bad pattern. Free with rx_free. */
Regex *rx_compile(const char *p, size_t n, uint32_t opts, Err *e);
void rx_free(Regex *re);
/* rx_free with a void * argument, for arena_on_release. */
void rx_free_cb(void *re);

/* The pattern's number of capture groups. */
int rx_groups(const Regex *re);

/* A match block with room for every group of re (the spare one when free, else a new one). */
RxMatch *rx_match_take(Regex *re);
/* Gives m back to re (kept as its spare when it has none, else freed). */
void rx_match_give(Regex *re, RxMatch *m);

/* Looks for the first match in s[start..n): 1 found, 0 none, -1 with 54000 when PCRE2 hit a
 * resource limit. Bytes that are not valid UTF-8 match no pattern character. */
int rx_exec(const Regex *re, RxMatch *m, const char *s, size_t n, size_t start, Err *e);

/* Group g (0 = the whole match) of m's last successful rx_exec as [*so, *eo); false when the
 * group did not take part or g > rx_groups. */
bool rx_group(const RxMatch *m, int g, size_t *so, size_t *eo);

#endif
