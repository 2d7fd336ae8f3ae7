/* backup.c: `eddy backup` and `eddy restore`.
 *
 * Layer: cli. Parses the options and calls eddy_backup / eddy_restore (engine/backup.c), which
 * never take the database lock: a backup runs beside a server using the directory.
 *
 *   eddy backup --data DIR --out FILE
 *   eddy restore FILE --data DIR
 */
#include "cli/cli.h"

#include <string.h>

/* Reads "--data X", "--out X" and one positional argument; 2 on bad usage. */
static int parse(int argc, char **argv, const char **data, const char **out, const char **pos)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			*data = argv[++i];
		else if (out && strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			*out = argv[++i];
		else if (pos && !*pos && argv[i][0] != '-')
			*pos = argv[i];
		else
			return 2;
	}
	return 0;
}

static int report(int rc, const EddyError *err)
{
	if (rc == 0)
		return 0;
	fprintf(stderr, "ERROR:  %s (SQLSTATE %s)\n", err->message, err->sqlstate);
	return 1;
}

int cli_backup(int argc, char **argv)
{
	const char *data = NULL, *out = NULL;
	if (parse(argc, argv, &data, &out, NULL) || !data || !out) {
		fputs("usage: eddy backup --data DIR --out FILE\n", stderr);
		return 2;
	}
	EddyError err;
	return report(eddy_backup(data, out, &err), &err);
}

int cli_restore(int argc, char **argv)
{
	const char *data = NULL, *in = NULL;
	if (parse(argc, argv, &data, NULL, &in) || !data || !in) {
		fputs("usage: eddy restore FILE --data DIR\n", stderr);
		return 2;
	}
	EddyError err;
	return report(eddy_restore(in, data, &err), &err);
}
