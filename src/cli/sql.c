/* sql.c: `eddy sql`: run statements on the embedded engine and print their results.
 *
 * Layer: cli. -c and -f run in the order given, each text as a unit; without them statements
 * come from standard input. The first error is printed psql-style and ends the run with exit
 * status 1. */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct SqlRun {
	CliFormat fmt;
	FILE *out;
} SqlRun;

static int on_result(void *ctx, EddyResult *res)
{
	SqlRun *run = ctx;
	cli_print_result(run->out, res, run->fmt);
	fflush(run->out);
	return 0;
}

static char *read_all(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = '\0';
	return buf;
}

static int run_text(Eddy *db, SqlRun *run, const char *sql)
{
	EddyError err;
	if (eddy_exec(db, sql, on_result, run, &err) < 0) {
		fflush(run->out);
		cli_print_error(stderr, sql, &err);
		return -1;
	}
	return 0;
}

int cli_sql(int argc, char **argv)
{
	const char *data = NULL;
	SqlRun run = {FMT_TABLE, stdout};
	int ntexts = 0;
	/* First pass: options that apply to the whole run. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data = argv[++i];
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			const char *f = argv[++i];
			if (strcmp(f, "table") == 0)
				run.fmt = FMT_TABLE;
			else if (strcmp(f, "csv") == 0)
				run.fmt = FMT_CSV;
			else if (strcmp(f, "json") == 0)
				run.fmt = FMT_JSON;
			else {
				fprintf(stderr, "eddy sql: unknown format \"%s\" (table, csv, json)\n",
					f);
				return 2;
			}
		} else if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "-f") == 0) &&
			   i + 1 < argc) {
			i++;
			ntexts++;
		} else {
			fprintf(stderr, "eddy sql: unexpected argument \"%s\"\n", argv[i]);
			return 2;
		}
	}
	Eddy *db;
	EddyError err;
	if (eddy_open(data, &db, &err) < 0) {
		cli_print_error(stderr, NULL, &err);
		return 1;
	}
	int status = 0;
	if (ntexts == 0) {
		char *sql = read_all(stdin);
		status = run_text(db, &run, sql) < 0;
		free(sql);
	}
	for (int i = 1; i < argc && status == 0; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			status = run_text(db, &run, argv[++i]) < 0;
		} else if (strcmp(argv[i], "-f") == 0) {
			const char *path = argv[++i];
			FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
			if (!f) {
				fprintf(stderr, "eddy sql: cannot open \"%s\"\n", path);
				status = 1;
				break;
			}
			char *sql = read_all(f);
			if (f != stdin)
				fclose(f);
			status = run_text(db, &run, sql) < 0;
			free(sql);
		} else if (strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--format") == 0) {
			i++;
		}
	}
	eddy_close(db);
	return status;
}
