/* source.c: the connector table (see source.h).
 *
 * Layer: connect. One row per connector: its name and its check/open callbacks. A new connector
 * is a new file and a row here. The connector name is matched case-insensitively.
 */
#include "connect/source.h"

#include "connect/datagen.h"
#include "connect/nexmark.h"

#include <strings.h>

typedef struct Connector {
	const char *name;
	int (*check)(const Option *opts, int nopts, ColumnDef **cols, int *ncols, Arena *a,
		     Err *e);
	SourceReader *(*open)(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			      Err *e);
} Connector;

static const Connector connectors[] = {
	{"nexmark", nexmark_check, nexmark_open},
	{"datagen", datagen_check, datagen_open},
};

static const Connector *find(const char *name, Err *e)
{
	if (!name || !*name) {
		err_set(e, ERR_INVALID_PARAMETER_VALUE, "option \"connector\" is required");
		return NULL;
	}
	for (size_t i = 0; i < sizeof connectors / sizeof connectors[0]; i++)
		if (!strcasecmp(connectors[i].name, name))
			return &connectors[i];
	err_set(e, ERR_UNDEFINED_OBJECT, "unknown connector \"%s\"", name);
	return NULL;
}

int source_check(const char *connector, const Option *opts, int nopts, ColumnDef **cols,
		 int *ncols, Arena *a, Err *e)
{
	const Connector *c = find(connector, e);
	return c ? c->check(opts, nopts, cols, ncols, a, e) : -1;
}

SourceReader *source_open(const char *connector, const Option *opts, int nopts,
			  const ColumnDef *cols, int ncols, Err *e)
{
	const Connector *c = find(connector, e);
	return c ? c->open(opts, nopts, cols, ncols, e) : NULL;
}
