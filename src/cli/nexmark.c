/* nexmark.c: `eddy nexmark export`: the nexmark sources' events as CSV files.
 *
 * Layer: cli (uses connect/nexmark.h directly: exporting is not a database operation). The
 * files hold exactly the rows that CREATE SOURCE ... WITH (connector='nexmark', ...) produces
 * with the same options, so other engines can be checked against eddy on the same events. */
#include "cli/cli.h"

#include "connect/nexmark.h"
#include "vec/value.h"

#include <stdlib.h>
#include <string.h>

static int bad(const char *what, const char *v)
{
	fprintf(stderr, "eddy nexmark export: invalid %s \"%s\"\n", what, v);
	return 2;
}

int cli_nexmark(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		fprintf(stderr, "usage: eddy nexmark export --events N [--seed S] [--rate R] "
				"[--base-time 'YYYY-MM-DD HH:MM:SS'] --out DIR\n");
		return 2;
	}
	NexmarkOpts o;
	nexmark_opts_default(&o);
	const char *out = NULL;
	for (int i = 2; i < argc; i++) {
		const char *opt = argv[i];
		if (i + 1 >= argc) {
			fprintf(stderr, "eddy nexmark export: %s needs a value\n", opt);
			return 2;
		}
		const char *v = argv[++i];
		char *end;
		if (strcmp(opt, "--events") == 0) {
			o.events = strtoll(v, &end, 10);
			if (*end || o.events < 0)
				return bad("event count", v);
		} else if (strcmp(opt, "--seed") == 0) {
			o.seed = strtoull(v, &end, 10);
			if (*end)
				return bad("seed", v);
		} else if (strcmp(opt, "--rate") == 0) {
			o.rate = strtod(v, &end);
			if (*end || !(o.rate > 0))
				return bad("rate", v);
		} else if (strcmp(opt, "--base-time") == 0) {
			Value t;
			Err e;
			err_clear(&e);
			if (value_parse(T_TIMESTAMP, v, strlen(v), &t, NULL, &e) < 0)
				return bad("base time", v);
			o.base_time_us = t.u.i;
		} else if (strcmp(opt, "--out") == 0) {
			out = v;
		} else {
			fprintf(stderr, "eddy nexmark export: unknown option \"%s\"\n", opt);
			return 2;
		}
	}
	if (!out || o.events < 0) {
		fprintf(stderr, "eddy nexmark export: --events and --out are required\n");
		return 2;
	}
	Err e;
	err_clear(&e);
	if (nexmark_export(&o, out, &e) < 0) {
		fprintf(stderr, "ERROR:  %s\n", e.msg);
		return 1;
	}
	return 0;
}
