/* eddy.h: the eddy library, the one front door to the engine.
 *
 * eddy is a streaming SQL database: open a database, declare streams, tables and materialized
 * views in SQL, push events in, and read answers that stay correct as events arrive. The server
 * and the command line are thin layers over this API; whatever they do, a C program can do.
 *
 * Threads: an Eddy handle may be used from several threads; calls are serialized inside. Callbacks
 * (result rows, subscriptions) run while the database is locked and must not call back into the
 * same handle.
 *
 * Errors: functions return 0 on success and -1 on failure, filling the EddyError the caller
 * passed (which may be NULL). Every error has a PostgreSQL SQLSTATE, a message and, for errors in
 * SQL text, the 1-based character position of the offending token.
 */
#ifndef EDDY_H
#define EDDY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDDY_VERSION "0.1.0"

typedef struct Eddy Eddy;
typedef struct EddyResult EddyResult;
typedef struct EddySubscription EddySubscription;

typedef struct EddyError {
	char sqlstate[6];   /* "42P01"; "00000" when there is no error */
	int position;       /* 1-based character position in the SQL text, 0 when none */
	char message[512];
	char hint[512];     /* "" when none */
} EddyError;

/* Column types as the API reports them. */
typedef enum EddyType {
	EDDY_NULL,
	EDDY_UNKNOWN,
	EDDY_BOOL,
	EDDY_INT2,
	EDDY_INT4,
	EDDY_INT8,
	EDDY_FLOAT4,
	EDDY_FLOAT8,
	EDDY_NUMERIC,
	EDDY_VARCHAR,
	EDDY_TIMESTAMP,
	EDDY_TIMESTAMPTZ,
	EDDY_DATE,
	EDDY_INTERVAL,
	/* One-dimensional arrays of the types above (values travel as PostgreSQL's array text,
	 * '{1,2,NULL}'). */
	EDDY_BOOL_ARRAY,
	EDDY_INT2_ARRAY,
	EDDY_INT4_ARRAY,
	EDDY_INT8_ARRAY,
	EDDY_FLOAT4_ARRAY,
	EDDY_FLOAT8_ARRAY,
	EDDY_NUMERIC_ARRAY,
	EDDY_VARCHAR_ARRAY,
	EDDY_TIMESTAMP_ARRAY,
	EDDY_TIMESTAMPTZ_ARRAY,
	EDDY_DATE_ARRAY,
	EDDY_INTERVAL_ARRAY
} EddyType;

/* Change kinds delivered to subscribers. */
typedef enum EddyOp { EDDY_INSERT, EDDY_DELETE, EDDY_UPDATE_DELETE, EDDY_UPDATE_INSERT } EddyOp;

typedef struct EddyOptions {
	const char *data_dir;   /* NULL or ":memory:" for an in-memory database */
	int tick_ms;            /* how often background sources are polled (default 10) */
	int checkpoint_ms;      /* data directory: checkpoint interval (0: 1000 ms, < 0: never) */
} EddyOptions;

/* Opens a database. `path` is a data directory (created if missing) or NULL / ":memory:". */
int eddy_open(const char *path, Eddy **out, EddyError *err);
int eddy_open_ex(const EddyOptions *opts, Eddy **out, EddyError *err);
void eddy_close(Eddy *db);

/* ---- Executing SQL. */

/* Called once per statement with its result; return non-zero to stop executing further
 * statements. */
typedef int (*EddyResultFn)(void *ctx, EddyResult *res);

/* Executes every statement of `sql` in order; stops at the first error. For each statement that
 * succeeds, fn (which may be NULL) receives its result. */
int eddy_exec(Eddy *db, const char *sql, EddyResultFn fn, void *ctx, EddyError *err);

/* Executes exactly one statement and returns its result (free with eddy_result_free). */
int eddy_query(Eddy *db, const char *sql, EddyResult **out, EddyError *err);
void eddy_result_free(EddyResult *res);
/* eddy_query that gives up with 57014 "canceling statement due to user request" soon after
 * *cancel becomes non-zero: another thread (a server's cancel request) sets it while the
 * statement runs; it is read between the chunks of rows a query reads. NULL: never. */
int eddy_query_cancel(Eddy *db, const char *sql, const volatile int *cancel, EddyResult **out,
		      EddyError *err);

/* PostgreSQL-style command tag: "SELECT 3", "INSERT 0 2", "CREATE MATERIALIZED VIEW", ... */
const char *eddy_result_tag(const EddyResult *res);
/* Columns of a row-returning statement (0 for others). */
int eddy_result_ncols(const EddyResult *res);
const char *eddy_result_colname(const EddyResult *res, int col);
EddyType eddy_result_coltype(const EddyResult *res, int col);
const char *eddy_type_name(EddyType t); /* "integer", "character varying", ... */
/* Number of rows. */
int64_t eddy_result_nrows(const EddyResult *res);
/* Moves to the next row: 1 when there is one, 0 at the end. Starts before the first row. */
int eddy_result_next(EddyResult *res);
/* Values of the current row. Text is PostgreSQL's text form (valid until the next call to
 * eddy_result_next); NULL for SQL NULL. */
int eddy_result_isnull(const EddyResult *res, int col);
const char *eddy_result_text(EddyResult *res, int col);
int64_t eddy_result_int64(const EddyResult *res, int col); /* integers, booleans, timestamps
							     * (microseconds), dates (days) */
double eddy_result_double(const EddyResult *res, int col);

/* ---- Inserting without SQL text. */

typedef struct EddyValue {
	EddyType type;      /* EDDY_NULL for NULL; EDDY_VARCHAR for text in any type's text form */
	union {
		int64_t i;      /* BOOL, INT2/4/8, TIMESTAMP(TZ) (microseconds), DATE (days) */
		double f;       /* FLOAT4/8 */
		const char *s;  /* VARCHAR (NUL-terminated) */
	} v;
} EddyValue;

/* Inserts nrows rows of ncols values each (row-major) into a stream or table. columns names
 * the target columns (NULL: all, in order; missing columns are NULL). A value is converted to its
 * column's type as INSERT would (text is parsed). All rows are inserted or none: on error nothing
 * is inserted and the error names the row (1-based) and column. */
int eddy_insert(Eddy *db, const char *target, const char *const *columns, int ncols,
		const EddyValue *values, int nrows, EddyError *err);

/* A row that eddy_insert_partial could not insert. */
typedef struct EddyRowError {
	int64_t row;        /* 0-based index of the input row */
	int column;         /* 0-based target column at fault, -1 when not one column's */
	char sqlstate[6];
	char message[256];
} EddyRowError;

/* Like eddy_insert, but a row that cannot be converted or breaks a constraint (NOT NULL, primary
 * key) is left out and reported instead of failing the batch: the other rows are inserted, all
 * together. The first max_errors rejected rows are described in errors; *nerrors receives how
 * many were rejected in all. Returns the number of rows inserted, or -1 (err set) when the batch
 * as a whole is wrong (unknown target or column). */
int64_t eddy_insert_partial(Eddy *db, const char *target, const char *const *columns, int ncols,
			    const EddyValue *values, int nrows, EddyRowError *errors,
			    int max_errors, int *nerrors, EddyError *err);

/* ---- Ingesting encoded data (NDJSON, CSV). */

typedef enum EddyFormat { EDDY_FORMAT_NDJSON, EDDY_FORMAT_CSV } EddyFormat;

typedef struct EddyIngestOptions {
	int csv_header;      /* CSV: 1 when the first record names the columns, 0 positional */
	char csv_delimiter;  /* CSV field separator; 0 means ',' */
} EddyIngestOptions;

/* A line (record) that eddy_ingest could not insert. */
typedef struct EddyLineError {
	int64_t line;       /* 1-based line of the input the record starts on */
	int column;         /* 0-based target column at fault, -1 when not one column's */
	char sqlstate[6];
	char message[320];  /* names the field ("column \"amount\": invalid input syntax ...") */
} EddyLineError;

typedef struct EddyIngestResult {
	int64_t accepted;   /* rows inserted */
	int64_t rejected;   /* lines rejected, all of them */
	int nerrors;        /* how many rejected lines are described in errors (<= max_errors) */
} EddyIngestResult;

/* Decodes buf[0..len) (NDJSON: one JSON object per line, keys naming columns; CSV: RFC 4180)
 * and inserts its rows into a stream or table as eddy_insert_partial does: a line that cannot
 * be decoded or converted, or breaks a constraint, is left out and reported with its line number
 * (in line order, the first max_errors of them in errors), and never stops the good lines. Unknown
 * JSON keys and CSV header columns are ignored; missing ones are NULL. opts may be NULL (CSV
 * with a header, ','). Rows are inserted in batches, each visible to views when inserted.
 * Returns 0, or -1 (err set) when the input as a whole is refused: an unknown target, a CSV
 * header that cannot be read. */
int eddy_ingest(Eddy *db, const char *target, EddyFormat fmt, const char *buf, size_t len,
		const EddyIngestOptions *opts, EddyIngestResult *res, EddyLineError *errors,
		int max_errors, EddyError *err);

/* ---- Parallel runs (benchmarks).
 *
 * Runs the query of one statement (SELECT, or CREATE MATERIALIZED VIEW / SINK ... AS SELECT)
 * over the database's bounded generator sources as `threads` parallel dataflow instances over
 * key partitions, the output counted and discarded (a blackhole), without creating anything.
 * Views themselves still run on one thread. Returns 0 with *rows_out = output rows summed over
 * the instances; -1 with err set, 0A000 when the query cannot run in parallel yet (its message
 * says why: a lookup join, an input that is not a bounded source, ...). */
int eddy_run_parallel(Eddy *db, const char *sql, int threads, int64_t *rows_out,
		      EddyError *err);

/* ---- Subscribing to changes. */

/* Called for each changed row of a view: op, then the row's values in text form (NULL for SQL
 * NULL). Return non-zero to stop the subscription. */
typedef int (*EddyChangeFn)(void *ctx, EddyOp op, int ncols, const char *const *values);

/* Subscribes to the changes of a materialized view (or table) from now on. With `snapshot`, the
 * current rows are delivered first as inserts. */
int eddy_subscribe(Eddy *db, const char *view, int snapshot, EddyChangeFn fn, void *ctx,
		   EddySubscription **out, EddyError *err);
void eddy_unsubscribe(EddySubscription *sub);

/* Waits until every view has consumed all input that existed when called (as FLUSH does). */
int eddy_flush(Eddy *db, EddyError *err);

/* ---- Users (CREATE USER ... PASSWORD). */

/* Copies the SCRAM-SHA-256 verifier of a user made by CREATE USER into out, in PostgreSQL's
 * format "SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>"
 * (the password itself is never stored). Returns 1 when the user exists and has a password, 0
 * when the database has no such user or it has no password, -1 when cap is too small. */
int eddy_user_verifier(Eddy *db, const char *user, char *out, size_t cap);

/* ---- Backup (engine/backup.c; docs/storage.md). */

/* Copies the data directory data_dir, possibly in use by another process (its lock is not
 * taken), into out_file: a consistent cut of its journal and stream logs plus the last checkpoint
 * of its views' state, as a ustar archive with a CRC32C manifest. Run it in a process that does
 * not have data_dir open (the CLI's `eddy backup` is one): it reads the state store as a second
 * LMDB reader, which LMDB allows across processes but not twice in one. */
int eddy_backup(const char *data_dir, const char *out_file, EddyError *err);
/* Verifies in_file and unpacks it into data_dir, which must be missing or empty. */
int eddy_restore(const char *in_file, const char *data_dir, EddyError *err);

#ifdef __cplusplus
}
#endif

#endif
