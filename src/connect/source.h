/* source.h: built-in event sources (generators now; files, Kafka, MQTT later).
 *
 * Layer: connect (depends on catalog/ for column and option definitions, vec/ for chunks).
 * A connector is a struct of callbacks in one table (source.c): it checks a CREATE SOURCE's
 * options and columns, and opens readers. Every reader of a source walks the same deterministic
 * sequence from the start, so two views over one source see the same events.
 */
#ifndef EDDY_CONNECT_SOURCE_H
#define EDDY_CONNECT_SOURCE_H

#include "base/err.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "vec/chunk.h"

typedef struct SourceReader SourceReader;

struct SourceReader {
	/* Fills `out` (reset by the caller; columns = the source's columns) with up to CHUNK_CAP
	 * inserts. Returns the number of rows, 0 when a bounded source is exhausted, -1 on error. */
	int (*next)(SourceReader *r, Chunk *out, Err *e);
	/* Passes over the next `rows` rows of the sequence without making them; 0, or -1 on error.
	 * NULL for a reader that can only walk the sequence (rows past the end are no error). */
	int (*skip_rows)(SourceReader *r, int64_t rows, Err *e);
	void (*close)(SourceReader *r);
	bool bounded;
	/* Events per second of event time the source is configured for (0 unknown); an unbounded
	 * source is paced to wall-clock time at this rate by the engine. */
	double rate;
	/* When > 0, next() returns at most this many rows (the engine paces unbounded sources with
	 * it); 0 means up to CHUNK_CAP. */
	int max_rows;
};

/* The most rows a call to r->next may produce. */
static inline int source_room(const SourceReader *r)
{
	return r->max_rows > 0 && r->max_rows < CHUNK_CAP ? r->max_rows : CHUNK_CAP;
}

/* Checks the options (and declared columns) of a CREATE SOURCE for `connector`. When ncols is 0
 * and the connector has a fixed schema (nexmark), the columns are filled in from it (allocated
 * in a). Errors name the offending option: 22023 `invalid value for option "nexmark.events":
 * "abc"`, 42704 `unknown connector "foo"`, 42601 for a declared column that does not match. */
int source_check(const char *connector, const Option *opts, int nopts, ColumnDef **cols,
		 int *ncols, Arena *a, Err *e);

/* Opens a reader from the start of the source's sequence. */
SourceReader *source_open(const char *connector, const Option *opts, int nopts,
			  const ColumnDef *cols, int ncols, Err *e);

#endif
