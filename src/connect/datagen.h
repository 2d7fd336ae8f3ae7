/* datagen.h: the datagen connector, random and sequential rows for any declared columns.
 *
 * Layer: connect. Option names follow RisingWave's datagen connector where it has one
 * (datagen.rows.per.second, fields.<col>.kind / start / end / min / max / length / seed); eddy
 * adds datagen.rows, datagen.seed, datagen.base_time and fields.<col>.pattern / values /
 * null_rate / scale and the event_time kind. Row r's value in column c is a function of the seed,
 * the column's name and r alone, so every reader of a source sees the same rows. docs/sources.md
 * documents the options for users.
 */
#ifndef EDDY_CONNECT_DATAGEN_H
#define EDDY_CONNECT_DATAGEN_H

#include "base/err.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "connect/source.h"

/* The connector's check and open (see source.h). A datagen source needs declared columns. */
int datagen_check(const Option *opts, int nopts, ColumnDef **cols, int *ncols, Arena *a,
		  Err *e);
SourceReader *datagen_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e);

#endif
