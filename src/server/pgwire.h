/* pgwire.h: private interface between the files of the PostgreSQL wire protocol (v3) server.
 *
 * Layer: server. pgwire.c runs the listener and the sessions; pgwire_msg.c frames, decodes and
 * encodes messages and values; pgwire_sql.c scans SQL text (statement splitting, $n parameters,
 * the statements the server answers itself); pgwire_copy.c decodes COPY data; pgwire_auth.c
 * speaks SCRAM-SHA-256. The decoders are pure functions over byte buffers, so the fuzz target
 * (tests/fuzz/fuzz_pgwire.c) drives them without a socket. Nothing here touches the engine
 * except through include/eddy.h.
 *
 * Frontend message framing (every message after the startup packet):
 *   offset 0  1 byte   type ('Q', 'P', 'B', ...)
 *   offset 1  int32    length of the message in bytes, counting itself but not the type byte
 *   offset 5  ...      body (length - 4 bytes)
 * The startup packet has no type byte: int32 length, int32 protocol code, body. All integers are
 * big-endian (network order).
 */
#ifndef EDDY_SERVER_PGWIRE_H
#define EDDY_SERVER_PGWIRE_H

#include "base/mem.h"
#include "base/strbuf.h"
#include "server/server.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol codes of the startup packet. */
#define PG_PROTO_V3 196608          /* 3.0 */
#define PG_CANCEL_CODE 80877102
#define PG_SSL_CODE 80877103
#define PG_GSSENC_CODE 80877104

#define PG_MAX_STARTUP 10000        /* PostgreSQL's own limit on the startup packet */
#define PG_MAX_PARAMS 65535

/* ---- Decoding (pgwire_msg.c). A reader walks one message body; reading past its end sets bad
 * and returns zeros, so decoders check r->bad once at the end. */
typedef struct PgReader {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
} PgReader;

void pgr_init(PgReader *r, const void *p, size_t len);
uint8_t pgr_u8(PgReader *r);
int16_t pgr_i16(PgReader *r);
int32_t pgr_i32(PgReader *r);
const char *pgr_str(PgReader *r); /* NUL-terminated string inside the body */
const uint8_t *pgr_bytes(PgReader *r, size_t n);

/* Checks a message header (5 bytes: type, length). Returns the body length, or -1 when the length
 * is below 4 or above max. */
int64_t pgm_body_len(const uint8_t hdr[5], size_t max);

typedef struct PgStartup {
	int32_t code;              /* PG_PROTO_V3, PG_CANCEL_CODE, PG_SSL_CODE, ... */
	int nparams;
	const char *keys[64];
	const char *vals[64];
	int32_t pid, secret;       /* CancelRequest */
} PgStartup;

typedef struct PgParseMsg {
	const char *name;
	const char *query;
	int ntypes;
	uint32_t *types;
} PgParseMsg;

typedef struct PgBindMsg {
	const char *portal;
	const char *stmt;
	int nfmts;
	int16_t *fmts;
	int nparams;
	const uint8_t **vals;       /* NULL for SQL NULL */
	int32_t *lens;
	int nrfmts;
	int16_t *rfmts;
} PgBindMsg;

/* Each decoder returns 0, or -1 with a protocol violation message in *why. Arrays are allocated
 * from the arena; strings point into the body. */
int pgm_startup(const uint8_t *b, size_t n, PgStartup *s, const char **why);
int pgm_parse(const uint8_t *b, size_t n, Arena *a, PgParseMsg *m, const char **why);
int pgm_bind(const uint8_t *b, size_t n, Arena *a, PgBindMsg *m, const char **why);
/* Describe and Close: a kind byte ('S' statement or 'P' portal) and a name. */
int pgm_target(const uint8_t *b, size_t n, char *kind, const char **name, const char **why);
int pgm_execute(const uint8_t *b, size_t n, const char **portal, int32_t *max_rows,
		const char **why);

/* Is s[0..n) valid UTF-8? (Overlong forms, surrogates and NUL are invalid, as in PostgreSQL.) */
bool pgm_valid_utf8(const char *s, size_t n);

/* ---- Encoding (pgwire_msg.c). pgw_begin writes a type byte and a length placeholder and returns
 * where the message starts; pgw_end patches the length. */
size_t pgw_begin(StrBuf *o, char type);
void pgw_end(StrBuf *o, size_t at);
void pgw_i16(StrBuf *o, int v);
void pgw_i32(StrBuf *o, int32_t v);
void pgw_str(StrBuf *o, const char *s);
/* An ErrorResponse ('E') or NoticeResponse ('N') with the fields PostgreSQL sends. context may
 * be NULL. */
void pgw_error(StrBuf *o, char type, const char *severity, const EddyError *e,
	       const char *context);
void pgw_simple(StrBuf *o, char type); /* a message without a body: '1', '2', '3', 'n', 'I', 's' */
void pgw_tag(StrBuf *o, const char *tag); /* CommandComplete */
void pgw_param_status(StrBuf *o, const char *name, const char *value);
/* One field of a RowDescription (the caller writes 'T' and the count). */
void pgw_column(StrBuf *o, const char *name, uint32_t oid, int format);

/* Fills e (sqlstate, formatted message, no position or hint). */
void pg_err(EddyError *e, const char *sqlstate, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- Types and values (pgwire_msg.c). */
#define PG_OID_TEXT 25
uint32_t pgt_oid(EddyType t);
int16_t pgt_len(uint32_t oid);
/* The SQL name of a parameter type for a cast ("integer"), or NULL when there is none to add. */
const char *pgt_cast(uint32_t oid);
/* Appends the binary form of a result value given as text (and, for the integral kinds, its
 * int64/double from the result cursor). Returns 0, or -1 with e set when the type has no binary
 * form here. */
int pgt_binary_out(StrBuf *o, EddyType t, const char *text, int64_t i, double f, EddyError *e);
/* Appends the text form of a binary parameter of type oid; -1 with e set when malformed. */
int pgt_binary_in(StrBuf *o, uint32_t oid, const uint8_t *v, size_t n, int param,
		  EddyError *e);

/* ---- SQL text (pgwire_sql.c). */
typedef enum PgTokKind {
	PGT_END,
	PGT_WORD,     /* identifier or keyword, n bytes at s */
	PGT_QIDENT,   /* "quoted identifier" (with the quotes) */
	PGT_STRING,   /* '...', E'...', $tag$...$tag$ (with the quotes) */
	PGT_NUMBER,
	PGT_PARAM,    /* $n; param holds n */
	PGT_SEMI,
	PGT_OTHER     /* an operator or punctuation character */
} PgTokKind;

typedef struct PgTok {
	PgTokKind kind;
	const char *s;
	size_t n;
	int param;
} PgTok;

/* Scans the token at p (skipping white space and comments); returns the position after it. An
 * unterminated string or comment runs to end (the engine reports it). */
const char *pgsql_lex(const char *p, const char *end, PgTok *t);
/* Does the token equal the keyword kw (lower case), ignoring case? */
bool pgsql_is(const PgTok *t, const char *kw);
/* Is the token the punctuation character c? */
bool pgsql_punct(const PgTok *t, char c);
/* Returns the end of the statement starting at p (at its ';' or at end). */
const char *pgsql_stmt_end(const char *p, const char *end);
/* The identifier of a word or quoted identifier token, folded as PostgreSQL folds it. */
void pgsql_ident(const PgTok *t, char *out, size_t cap);
/* The value of a string token (quotes removed, escapes resolved) or a word/number as written. */
void pgsql_string(const PgTok *t, StrBuf *out);

/* Replaces $n outside strings, comments and quoted identifiers by the literal texts lits[n-1]
 * (NULL for SQL NULL), each cast to casts[n-1] when that is not NULL. Returns 0, or -1 with e
 * set (42P02) when a $n has no value. map receives (original offset, new offset) pairs of every
 * replacement so error positions can be mapped back (pgsql_map_pos). */
typedef struct PgSubst {
	int n;
	int cap;
	size_t *orig;   /* byte offset of the $n in the original text */
	size_t *olen;
	size_t *at;     /* byte offset of its replacement in the new text */
	size_t *alen;
} PgSubst;
int pgsql_substitute(const char *sql, int nparams, const char *const *lits,
		     const char *const *casts, StrBuf *out, PgSubst *map, EddyError *e);
void pgsql_subst_deinit(PgSubst *map);
/* Maps a 1-based character position in the substituted text back to the original text. */
int pgsql_map_pos(const PgSubst *map, const char *orig, const char *subst, int pos);
/* 1-based character position <-> byte offset. */
size_t pgsql_char_to_byte(const char *s, int pos);
int pgsql_byte_to_char(const char *s, size_t off);

/* ---- COPY (pgwire_copy.c). */
typedef struct PgCopyStmt {
	char target[128];
	int ncols;
	char cols[64][128];
	bool csv;
	bool header;
	char delim;
	char quote;
	char escape;
	char null_str[64];
} PgCopyStmt;

/* Parses `COPY name [(cols)] FROM STDIN [[WITH] (options) | legacy options]`. Returns 1 when the
 * statement is such a COPY, 0 when it is not a COPY at all, -1 with e set when it is a COPY this
 * server cannot run or a malformed one. */
int pgcopy_parse(const char *sql, size_t n, PgCopyStmt *c, EddyError *e);

/* The COPY data decoder: feed it CopyData payloads; it calls row() for each complete row with
 * its cells (NULL for SQL NULL) and 1-based line number. */
typedef int (*PgCopyRowFn)(void *ctx, int ncells, const char *const *cells, int64_t line);

typedef struct PgCopyDec {
	const PgCopyStmt *stmt;
	StrBuf pending;     /* bytes of the row being received */
	size_t scanned;     /* bytes of pending already scanned for the row's end */
	bool in_quote;      /* CSV: scan state at `scanned` */
	int64_t line;       /* lines consumed so far */
	bool header_done;
	bool ended;         /* saw the `\.` end marker */
	StrBuf cell;        /* decoding scratch */
	StrBuf cells;       /* all cells of the current row, NUL-separated */
	int ncap;
	const char **ptrs;
} PgCopyDec;

void pgcopy_init(PgCopyDec *d, const PgCopyStmt *stmt);
void pgcopy_deinit(PgCopyDec *d);
/* Returns 0, or -1 with e set (invalid data, 22P04/22021, or the callback's error). */
int pgcopy_feed(PgCopyDec *d, const char *data, size_t n, PgCopyRowFn row, void *ctx,
		EddyError *e);
/* At CopyDone: decodes a last row without a newline. */
int pgcopy_finish(PgCopyDec *d, PgCopyRowFn row, void *ctx, EddyError *e);

/* ---- SCRAM-SHA-256 (pgwire_auth.c). */
typedef struct PgScram {
	char user[64];
	char password[128];
	char client_first_bare[512];
	char server_first[512];
	char nonce[128];
	uint8_t salt[16];
	int iterations;
	/* Set by pgscram_set_verifier: the keys of a stored verifier (CREATE USER), used instead
	 * of the password; salt and iterations then come from the verifier too. */
	bool have_keys;
	uint8_t stored_key[32], server_key[32];
} PgScram;

/* Takes a stored verifier "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" (base64, a
 * 16-byte salt) instead of a password. 0, or -1 when it cannot be read. */
int pgscram_set_verifier(PgScram *s, const char *verifier);

/* Answers a SASLInitialResponse's client-first message: fills server_first. -1 when malformed. */
int pgscram_first(PgScram *s, const char *client_first, size_t n, const char **why);
/* Checks the client-final message; on success fills server_final ("v=...") and returns 1; 0 for
 * a wrong proof; -1 when malformed. */
int pgscram_final(PgScram *s, const char *client_final, size_t n, char *server_final,
		  size_t cap, const char **why);

/* ---- Sessions (pgwire.c runs them; pgwire_query.c executes what they receive). */
#include <pthread.h>

#define PG_MAX_GUCS 64

typedef struct PgStmt PgStmt;       /* a prepared statement (Parse) */
typedef struct PgPortal PgPortal;   /* a bound statement (Bind) or a simple-query statement */

typedef struct PgSession {
	struct Pgwire *pg;
	Server *srv;
	int fd;
	int32_t pid, secret;
	char user[64];
	char database[64];
	char txn;                    /* ReadyForQuery status: 'I' idle, 'T' in a block */
	bool ext_error;              /* extended protocol: skip messages until Sync */
	bool closing;                /* the session ends after the current message */
	/* Buffered input and output. */
	uint8_t *rbuf;
	size_t rpos, rlen, rcap;
	uint8_t *body;               /* the current message's body */
	size_t body_cap;
	StrBuf out;
	Arena arena;                 /* per message */
	/* Session parameters (SET/SHOW), names as given at first use. */
	int nguc;
	char guc_name[PG_MAX_GUCS][64];
	char guc_val[PG_MAX_GUCS][256];
	PgStmt *stmts;
	PgPortal *portals;
	/* Cancel and subscription wake-ups: another thread writes a byte to wake[1]. */
	int wake[2];
	volatile int cancel;
	pthread_mutex_t qmu;
	StrBuf queue;                /* DataRows encoded by the subscription callback */
	int64_t queued;              /* rows in queue */
	bool overflow;
	int sub_ncols;
	struct PgSession *next;
	struct ssl_st *ssl;          /* after SSLRequest on a server with a certificate, else NULL */
} PgSession;

/* pgwire.c: I/O of a session. Each returns 0, or -1 when the peer is gone (or the server stops). */
int pgs_flush(PgSession *s);
/* True when TLS holds decrypted input that poll() on the socket would no longer show (bytes
 * already in the session's read buffer do not count: they are the rest of what the client sent
 * with the current message, e.g. the Sync after an Execute, and wait their turn). */
bool pgs_input_pending(PgSession *s);
/* Reads one message: type and body (in s->body). -1 when the peer is gone or sent a malformed
 * header (an 08P01 FATAL has been queued then). */
int pgs_read_msg(PgSession *s, char *type, size_t *len);
/* Queues an ErrorResponse (severity ERROR). */
void pgs_error(PgSession *s, const EddyError *e, const char *context);
void pgs_fatal(PgSession *s, const char *sqlstate, const char *msg);
void pgs_ready(PgSession *s);

/* pgwire_query.c */
void pgq_simple(PgSession *s, const char *sql);
/* One extended-protocol message ('P', 'B', 'D', 'E', 'C', 'S', 'H'). */
void pgq_extended(PgSession *s, char type, const uint8_t *body, size_t len);
void pgq_session_end(PgSession *s);
/* Session parameters: the value, or NULL when unknown. */
const char *pgq_guc(PgSession *s, const char *name);
/* Sets a parameter; reports it with ParameterStatus when it is one clients track. Returns 0 or
 * -1 with e set for a value eddy cannot honour. */
int pgq_set_guc(PgSession *s, const char *name, const char *value, bool report, EddyError *e);
void pgq_init_gucs(PgSession *s);
/* Queues an error for statement text stmt that starts at byte offset `at` of the query text
 * `query` (positions are made relative to the whole query). */
void pgq_stmt_error(PgSession *s, EddyError *e, const char *query, size_t at);

/* The columns of a table or view, as an empty result (free with eddy_result_free); NULL with e
 * set when there is no such relation. */
EddyResult *pgq_columns_of(PgSession *s, const char *name, EddyError *e);

/* pgwire_copy.c: runs COPY ... FROM STDIN in a simple query. Returns 0 (CommandComplete sent) or
 * -1 (ErrorResponse sent). */
int pgcopy_run(PgSession *s, const char *sql);
/* pgwire_sub.c: runs SUBSCRIBE until the client cancels or goes (with its RowDescription first
 * when describe; the extended protocol sends it at Describe). Returns 0 or -1 as above. */
int pgsub_run(PgSession *s, const char *sql, bool describe);
int pgsub_describe(PgSession *s, const char *sql, EddyError *e);

#endif
