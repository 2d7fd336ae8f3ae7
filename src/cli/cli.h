/* cli.h: the subcommands of the `eddy` command and what they share.
 *
 * Layer: cli. Each subcommand parses its own options and returns the process exit status:
 * 0 success, 1 an error reported by the engine, 2 bad usage. */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

#include "eddy.h"

#include <stdio.h>

int cli_sql(int argc, char **argv);
int cli_nexmark(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_server(int argc, char **argv); /* server.c */
int cli_bench(int argc, char **argv);  /* bench.c */
int cli_ingest(int argc, char **argv); /* ingest.c */
int cli_backup(int argc, char **argv);  /* backup.c */
int cli_restore(int argc, char **argv); /* backup.c */

/* `eddy bench nexmark --csv DIR` (bench_csv.c): the STREAMs person, auction, bid that replace the
 * generator's sources, and the feed of DIR's CSV files (as `eddy nexmark export` writes them)
 * into them through eddy_ingest, merged in event order: the first `events` events. */
const char *bench_csv_ddl(void);
/* Which of person, auction, bid (bits 0, 1, 2) the query (a CREATE MATERIALIZED VIEW or SINK
 * text) reads, from its EXPLAIN; all three when EXPLAIN fails. */
unsigned bench_csv_tables(Eddy *db, const char *query);
int bench_csv_feed(Eddy *db, const char *dir, int64_t events, unsigned tables_read,
		   EddyError *err);

typedef enum CliFormat { FMT_TABLE, FMT_CSV, FMT_JSON } CliFormat;

/* Prints a statement's result in the given format (print.c). */
void cli_print_result(FILE *out, EddyResult *res, CliFormat fmt);
/* Prints an error as psql does, with the statement line and a caret under the position. */
void cli_print_error(FILE *out, const char *sql, const EddyError *err);

#endif
