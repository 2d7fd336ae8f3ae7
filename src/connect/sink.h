/* sink.h: sinks, where a CREATE SINK's output changelog goes (files now; Kafka later).
 *
 * Layer: connect (depends on catalog/ for column and option definitions, vec/ for chunks). A
 * sink connector is a struct of callbacks in one table (sink.c, beside source.c's): it checks
 * a CREATE SINK's options against the query's columns, and opens writers. The engine runs a
 * sink's query as a dataflow, hands every output chunk to write() and calls flush() at each
 * barrier, so an epoch's rows are durable in the sink when the barrier has passed.
 */
#ifndef EDDY_CONNECT_SINK_H
#define EDDY_CONNECT_SINK_H

#include "base/err.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "vec/chunk.h"

typedef struct SinkWriter SinkWriter;

struct SinkWriter {
	/* Takes a chunk of the sink's output (columns = the sink's columns). Append-only sinks
	 * accept inserts only: any other op is an error (XX000, a bug upstream). */
	int (*write)(SinkWriter *w, const Chunk *c, Err *e);
	/* Makes everything written so far durable (the end of epoch `epoch`). */
	int (*flush)(SinkWriter *w, uint64_t epoch, Err *e);
	void (*close)(SinkWriter *w);
	uint64_t rows;  /* rows written so far (SHOW SINKS) */
};

/* Checks the options of a CREATE SINK for `connector` against the sink's columns. Errors name
 * the offending option: 42704 `unknown sink connector "foo"`, 22023 `option "path" is
 * required`, `unknown option "x"`, `invalid value for option "format": "xml"`, 42703 for a
 * partition column that is not one of the sink's, 0A000 for type = 'upsert'. */
int sink_check(const char *connector, const Option *opts, int nopts, const ColumnDef *cols,
	       int ncols, Err *e);

/* Opens a writer (creates the sink's directory or connection). */
SinkWriter *sink_open(const char *connector, const Option *opts, int nopts,
		      const ColumnDef *cols, int ncols, Err *e);

#endif
