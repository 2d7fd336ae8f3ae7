/* decode.h: the ingest decoders: NDJSON and CSV byte buffers into batches of text cells.
 *
 * Layer: connect (uses base only). Shared by the HTTP API, `eddy ingest` and COPY through
 * eddy_ingest (src/engine/ingest.c). A Decoder is bound to the target's column names; each call
 * to dec_next decodes up to `maxrows` records from the input into a batch: one cell per target
 * column per row, NULL-able, in text form (the engine converts text to the column's type as
 * INSERT would), plus the 1-based line number each row started on. Records that cannot be
 * decoded (broken JSON, an unterminated quote, invalid UTF-8, a wrong number of CSV fields) go
 * to the batch's error list with their line number and a reason naming the field; they never
 * stop the records after them.
 *
 * Hand-written on purpose (DESIGN §8): this is the ingest hot path. The batch's buffers (cells,
 * line numbers, the text they point into, the error list) are reused from batch to batch, so a
 * decoder allocates only while they grow, never per row. Unknown JSON keys and CSV header
 * columns are ignored (as RisingWave does); a missing key or an unquoted empty CSV field is NULL.
 * Nested JSON objects and arrays are kept as their JSON text (so a varchar column receives them
 * as JSON, another type rejects them when converting).
 *
 * Never: allocates per row, stops at a bad record, or knows anything of the engine.
 */
#ifndef EDDY_CONNECT_DECODE_H
#define EDDY_CONNECT_DECODE_H

#include "base/err.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum DecFormat { DEC_NDJSON, DEC_CSV } DecFormat;

/* A record that could not be decoded. */
typedef struct DecError {
	int64_t line;   /* 1-based line the record starts on */
	int column;     /* target column at fault, -1 when not one column's */
	ErrCode code;
	char msg[256];  /* names the field when there is one */
} DecError;

/* Where a cell's bytes are. */
enum { DEC_NULL, DEC_INPUT, DEC_TEXT };

/* One cell: len bytes at offset off of the input (DEC_INPUT) or of the batch text (DEC_TEXT). */
typedef struct DecCell {
	int64_t off;
	int32_t len;
	int32_t where;
} DecCell;

typedef struct Decoder {
	DecFormat format;
	const char *const *names; /* target column names (borrowed) */
	int ncols;
	bool csv_header;          /* CSV: the first record names the columns */
	char delim;               /* CSV field separator */
	/* Input. */
	const char *buf;
	size_t len, pos;
	int64_t line;             /* line number at pos */
	bool header_done;
	/* CSV: fields of the current record and, after a header, which target column each field
	 * feeds (-1: ignored). */
	DecCell *fields;
	int nfields, capfields;
	int *fieldmap;
	int nmap;
	bool csv_full;            /* the header's fields feed every target column */
	bool csv_general;         /* every record through the general reader (tests compare it
				   * with the one-pass reader of the common record) */
	bool csv_avx2;            /* the one-pass reader uses AVX2 (set when the processor has
				   * it; tests clear it to check the SSE2 one) */
	/* NDJSON: the column the k-th key of the previous line named, tried first. */
	int *keyguess;
	int capguess;
	StrBuf key;               /* the current JSON key, unescaped */
	StrBuf scratch;           /* strings of ignored or nested values */
	/* The current batch. */
	int nrows, caprows;
	DecCell *cells;           /* nrows * ncols cells */
	int64_t *lines;           /* line of each row */
	StrBuf text;              /* cell texts that are not in the input as they are */
	DecError *errs;
	int nerrs, caperrs;
} Decoder;

void dec_init(Decoder *d, DecFormat fmt, const char *const *names, int ncols);
/* CSV settings (defaults: header, ','). */
void dec_csv_options(Decoder *d, bool header, char delim);
/* Starts decoding a new input (line numbers restart at 1; a CSV header is read again). */
void dec_input(Decoder *d, const char *buf, size_t len);
/* Decodes the next batch of up to maxrows rows (and the bad records met on the way). Returns 1
 * when the batch holds rows or errors, 0 at the end of the input, -1 (e set) when the input as a
 * whole is unusable (a CSV header that cannot be read or names a column twice). */
int dec_next(Decoder *d, int maxrows, Err *e);
void dec_deinit(Decoder *d);

/* The bytes of a cell of the current batch (*n of them; not NUL-terminated), NULL for SQL NULL.
 * Valid until the next dec_next or dec_input. */
static inline const char *dec_cell_at(const Decoder *d, const DecCell *c, size_t *n)
{
	*n = c->where == DEC_NULL ? 0 : (size_t)c->len;
	if (c->where == DEC_NULL)
		return NULL;
	const char *base = c->where == DEC_INPUT ? d->buf : d->text.data;
	return base ? base + c->off : ""; /* "" before the text buffer holds anything */
}
static inline const char *dec_cell(const Decoder *d, int row, int col, size_t *n)
{
	return dec_cell_at(d, &d->cells[(size_t)row * (size_t)d->ncols + (size_t)col], n);
}

/* ---- Shared by decode_ndjson.c and decode_csv.c. */

/* Length of the valid UTF-8 prefix of p[0..n) (n when all of it is valid); NUL is invalid. */
size_t dec_utf8_valid(const char *p, size_t n);
/* Target column named by key[0..n) (exact match first, then case-insensitive), or -1. */
int dec_column(const Decoder *d, const char *key, size_t n, int guess);
/* Starts a row: its cells are NULL until set. Returns the row's cells. */
DecCell *dec_row_begin(Decoder *d, int64_t line);
/* Starts a row whose cells the caller sets, every one of them. */
DecCell *dec_row_slot(Decoder *d, int64_t line);
/* Keeps the row begun last. */
void dec_row_end(Decoder *d);
/* Drops the row begun last (and the text it wrote since text_mark) and records why. */
void dec_row_fail(Decoder *d, size_t text_mark, int64_t line, int column, ErrCode code,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Appends p[0..n) to the batch text; returns its cell. */
DecCell dec_put(Decoder *d, const char *p, size_t n);
/* The cell of input bytes p[0..n) (p points into the input). */
static inline DecCell dec_in(const Decoder *d, const char *p, size_t n)
{
	DecCell c = {(int64_t)(p - d->buf), (int32_t)n, DEC_INPUT};
	return c;
}

/* One NDJSON line (without its newline) into the batch; blank lines add nothing. */
void dec_ndjson_line(Decoder *d, const char *p, size_t n, int64_t line);
/* The next CSV record from d->pos into the batch. Returns 0, or -1 (e set) for a bad header. */
int dec_csv_record(Decoder *d, Err *e);

#endif
