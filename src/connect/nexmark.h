/* nexmark.h: the Nexmark event generator (persons, auctions and bids of an online auction).
 *
 * Layer: connect. Follows the rules of the reference Flink generator (nexmark/nexmark): one
 * sequence of events numbered 0, 1, 2, ...; event n is a person when n % 50 == 0, an auction when
 * n % 50 is 1..3 and a bid otherwise; ids are sequential from 1000; event n happens at
 * base_time + n * 10^6 / rate microseconds. Every field of event n is a function of (seed, n)
 * alone, so a person source, an auction source and a bid source with the same options walk the
 * same sequence and agree on ids and times, and every reader of a source sees the same rows.
 * docs/sources.md documents the options and the values for users.
 */
#ifndef EDDY_CONNECT_NEXMARK_H
#define EDDY_CONNECT_NEXMARK_H

#include "base/err.h"
#include "base/mem.h"
#include "catalog/catalog.h"
#include "connect/source.h"

/* X(table, name as nexmark.table.type says it, share of events out of 50) */
#define NEXMARK_TABLE_LIST(X)                                                                      \
	X(NEXMARK_PERSON, "person", 1)                                                             \
	X(NEXMARK_AUCTION, "auction", 3)                                                           \
	X(NEXMARK_BID, "bid", 46)

typedef enum NexmarkTable {
#define NEXMARK_TABLE_ENUM(t, name, share) t,
	NEXMARK_TABLE_LIST(NEXMARK_TABLE_ENUM)
#undef NEXMARK_TABLE_ENUM
	NEXMARK__TABLES
} NexmarkTable;

#define NEXMARK_FIRST_ID 1000
#define NEXMARK_TOTAL_PROPORTION 50
/* 2015-07-15 00:00:00, the base time of the Beam and Flink Nexmark suites. */
#define NEXMARK_DEFAULT_BASE_TIME_US INT64_C(1436918400000000)
#define NEXMARK_DEFAULT_RATE 10000.0

typedef struct NexmarkOpts {
	NexmarkTable table;   /* nexmark.table.type (readers only; export writes all three) */
	bool has_table;
	int64_t events;       /* nexmark.events: events of all types together; -1 unbounded */
	uint64_t seed;        /* nexmark.seed (default 0) */
	double rate;          /* nexmark.rate: events per second of event time (default 10000) */
	int64_t base_time_us; /* nexmark.base_time (default 2015-07-15 00:00:00) */
} NexmarkOpts;

void nexmark_opts_default(NexmarkOpts *o);

/* Reads the nexmark.* options of a WITH list over the defaults ("connector" is skipped; the
 * RisingWave options nexmark.split.num, nexmark.min.event.gap.in.ns, nexmark.max.chunk.size and
 * nexmark.use.real.time are accepted and ignored; nexmark.event.num is RisingWave's name for
 * nexmark.events). Errors: 22023 `invalid value for option "nexmark.events": "abc"`, 22023
 * `unknown option "nexmark.foo"`. The table type is not required here. */
int nexmark_opts_parse(const Option *opts, int nopts, NexmarkOpts *o, Err *e);

/* The fixed schema of a table type: column names and types in order. */
int nexmark_ncols(NexmarkTable t);
const char *nexmark_col_name(NexmarkTable t, int i);
TypeId nexmark_col_type(NexmarkTable t, int i);

/* Event n's table type and time. */
NexmarkTable nexmark_event_table(int64_t n);
int64_t nexmark_event_time(const NexmarkOpts *o, int64_t n);

/* The connector's check and open (see source.h). Declared columns may be any subset of the
 * table type's columns, in any order, each with its exact type; none declared means all. */
int nexmark_check(const Option *opts, int nopts, ColumnDef **cols, int *ncols, Arena *a,
		  Err *e);
SourceReader *nexmark_open(const Option *opts, int nopts, const ColumnDef *cols, int ncols,
			   Err *e);

/* A reader of o->table producing the columns proj[0..nproj) (indexes into the table's schema;
 * proj NULL: all columns in order). For benchmarks and the CLI, which have options but no
 * CREATE SOURCE. Returns NULL with 22023 when o->has_table is false. */
SourceReader *nexmark_reader(const NexmarkOpts *o, const int *proj, int nproj, Err *e);

/* Writes person.csv, auction.csv and bid.csv into dir (created if missing): a header row of the
 * column names, then exactly the rows the three sources produce with the same options, RFC 4180
 * quoting where needed, timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff'. o->events must be bounded
 * (22023 otherwise); I/O failures are 58030 naming the file. */
int nexmark_export(const NexmarkOpts *o, const char *dir, Err *e);

#endif
