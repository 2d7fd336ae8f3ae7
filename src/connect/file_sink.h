/* file_sink.h: the file sink connector (connector = 'file'); see file_sink.c. */
#ifndef EDDY_CONNECT_FILE_SINK_H
#define EDDY_CONNECT_FILE_SINK_H

#include "connect/sink.h"

int file_sink_check(const Option *opts, int nopts, const ColumnDef *cols, int ncols, Err *e);
SinkWriter *file_sink_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e);

#endif
