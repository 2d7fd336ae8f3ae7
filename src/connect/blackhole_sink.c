/* blackhole_sink.c: a sink that discards its rows (connector = 'blackhole').
 *
 * Layer: connect. What the Nexmark harnesses sink their queries into (RisingWave's and Flink's
 * `blackhole`), so that a benchmark measures the query and not the writing of its output:
 * `eddy bench nexmark` uses it. It counts the rows it is given (SHOW SINKS) and keeps nothing.
 * Every change kind is accepted, inserts and deletes alike: there is nothing to keep consistent.
 * Options: connector, and type ('append-only' or 'upsert'; both mean the same here).
 * It never allocates per chunk.
 */
#include "connect/blackhole_sink.h"

#include <string.h>
#include <strings.h>

int blackhole_sink_check(const Option *opts, int nopts, const ColumnDef *cols, int ncols, Err *e)
{
	for (int i = 0; i < nopts; i++) {
		const Option *o = &opts[i];
		if (!strcmp(o->key, "connector"))
			continue;
		if (!strcmp(o->key, "type")) {
			if (strcasecmp(o->value, "append-only") && strcasecmp(o->value, "upsert"))
				return err_set(e, ERR_INVALID_PARAMETER_VALUE,
					       "invalid value for option \"type\": \"%s\"", o->value);
			continue;
		}
		return err_set(e, ERR_INVALID_PARAMETER_VALUE, "unknown option \"%s\"", o->key);
	}
	return 0;
}

static int bh_write(SinkWriter *w, const Chunk *c, Err *e)
{
	w->rows += (uint64_t)c->nrows;
	return 0;
}

static int bh_flush(SinkWriter *w, uint64_t epoch, Err *e)
{
	return 0;
}

static void bh_close(SinkWriter *w)
{
	mem_free(w);
}

SinkWriter *blackhole_sink_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
				Err *e)
{
	if (blackhole_sink_check(opts, nopts, cols, ncols, e) < 0)
		return NULL;
	SinkWriter *w = mem_calloc(1, sizeof *w);
	w->write = bh_write;
	w->flush = bh_flush;
	w->close = bh_close;
	return w;
}
