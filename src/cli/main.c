/* main.c: the `eddy` command: subcommand dispatch.
 *
 * Layer: cli. Every subcommand is a thin layer over the library (include/eddy.h); the only other
 * layer it reaches is connect/, for exporting generator output to files. Subcommands:
 *   eddy sql [--data DIR] [-c SQL]... [-f FILE] [--format table|csv|json]
 *   eddy nexmark export --events N [--seed S] [--rate R] [--base-time T] --out DIR
 *   eddy demo [--seconds N]
 *   eddy bench nexmark [--query qN|all] [--events N] [--threads T] [--json]
 *   eddy server [--data DIR] [--pg-listen HOST:PORT] [--http-listen HOST:PORT] [--config FILE]
 *   eddy ingest --data DIR STREAM [FILE|-] [--format ndjson|csv] [--batch N]
 *   eddy version
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: eddy <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  sql [--data DIR] [-c SQL]... [-f FILE] [--format table|csv|json]\n"
	      "        run SQL statements on the embedded engine (in memory without --data);\n"
	      "        with neither -c nor -f, statements are read from standard input\n"
	      "  nexmark export --events N [--seed S] [--rate R] [--base-time T] --out DIR\n"
	      "        write person.csv, auction.csv and bid.csv as the nexmark sources make them\n"
	      "  demo [--seconds N]\n"
	      "        a live view over a generated stream of card transactions, printed as it\n"
	      "        changes (N seconds; 0 runs until interrupted)\n"
	      "  bench nexmark [--query qN[,qM...]|all] [--events N] [--threads T] [--json]\n"
	      "        run the Nexmark queries of bench/nexmark/ on the built-in generator, output\n"
	      "        discarded, and report throughput per core, peak memory and state\n"
	      "  server [--data DIR] [--pg-listen HOST:PORT] [--http-listen HOST:PORT] [--config FILE]\n"
	      "        serve the database over the PostgreSQL protocol (127.0.0.1:4566) and HTTP\n"
	      "        (127.0.0.1:4567) until SIGTERM or SIGINT\n"
	      "  ingest --data DIR STREAM [FILE|-] [--format ndjson|csv] [--batch N]\n"
	      "        append NDJSON or CSV records to a stream in batches of N (1000), printing\n"
	      "        \"acked TOTAL\" as each batch is durable; bad records go to STREAM_rejected\n"
	      "  backup --data DIR --out FILE\n"
	      "        copy a data directory, also while a server uses it, into one archive\n"
	      "  restore FILE --data DIR\n"
	      "        unpack a verified backup into an empty directory\n"
	      "  version\n"
	      "        print the version\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "sql") == 0)
		return cli_sql(argc - 1, argv + 1);
	if (strcmp(cmd, "nexmark") == 0)
		return cli_nexmark(argc - 1, argv + 1);
	if (strcmp(cmd, "demo") == 0)
		return cli_demo(argc - 1, argv + 1);
	if (strcmp(cmd, "bench") == 0)
		return cli_bench(argc - 1, argv + 1);
	if (strcmp(cmd, "server") == 0)
		return cli_server(argc - 1, argv + 1);
	if (strcmp(cmd, "ingest") == 0)
		return cli_ingest(argc - 1, argv + 1);
	if (strcmp(cmd, "backup") == 0)
		return cli_backup(argc - 1, argv + 1);
	if (strcmp(cmd, "restore") == 0)
		return cli_restore(argc - 1, argv + 1);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("eddy %s\n", EDDY_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "eddy: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
