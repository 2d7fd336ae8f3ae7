/* blackhole_sink.h: the blackhole sink connector (connector = 'blackhole'); see blackhole_sink.c. */
#ifndef EDDY_CONNECT_BLACKHOLE_SINK_H
#define EDDY_CONNECT_BLACKHOLE_SINK_H

#include "connect/sink.h"

int blackhole_sink_check(const Option *opts, int nopts, const ColumnDef *cols, int ncols, Err *e);
SinkWriter *blackhole_sink_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
				Err *e);

#endif
