/* sink.c: the sink connector table (see sink.h).
 *
 * Layer: connect. One row per sink connector: its name and its check/open callbacks, as
 * source.c's table for sources. A new sink is a new file and a row here. The connector name is
 * matched case-insensitively.
 */
#include "connect/sink.h"

#include "connect/blackhole_sink.h"
#include "connect/file_sink.h"

#include <strings.h>

typedef struct SinkConnector {
	const char *name;
	int (*check)(const Option *opts, int nopts, const ColumnDef *cols, int ncols, Err *e);
	SinkWriter *(*open)(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			    Err *e);
} SinkConnector;

static const SinkConnector connectors[] = {
	{"file", file_sink_check, file_sink_open},
	{"blackhole", blackhole_sink_check, blackhole_sink_open},
};

static const SinkConnector *find(const char *name, Err *e)
{
	if (!name || !*name) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"connector\" is required");
		return NULL;
	}
	for (size_t i = 0; i < sizeof connectors / sizeof connectors[0]; i++)
		if (!strcasecmp(connectors[i].name, name))
			return &connectors[i];
	err_set(e, ERR_UNDEFINED_OBJECT, "unknown sink connector \"%s\"", name);
	err_hint(e, "The sink connectors are: file, blackhole.");
	return NULL;
}

int sink_check(const char *connector, const Option *opts, int nopts, const ColumnDef *cols,
	       int ncols, Err *e)
{
	const SinkConnector *c = find(connector, e);
	return c ? c->check(opts, nopts, cols, ncols, e) : -1;
}

SinkWriter *sink_open(const char *connector, const Option *opts, int nopts,
		      const ColumnDef *cols, int ncols, Err *e)
{
	const SinkConnector *c = find(connector, e);
	return c ? c->open(opts, nopts, cols, ncols, e) : NULL;
}
