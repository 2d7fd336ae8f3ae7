/* state_probe.c: samples the state size of materialized views while a bounded source runs.
 *
 * Test tool (tests/integration/nexmark_state.sh). Usage:
 *     state_probe BIDS EVERY SQL...
 * Opens an in-memory database through the library API, runs each SQL argument (the Nexmark DDL
 * with its options substituted, then the queries), adds a view counting the bids read, and
 * while the background pump reads the sources prints, each time another EVERY bids have been
 * read and once BIDS have been, one line per view of SHOW MATERIALIZED VIEWS:
 *     bids=<n> view=<name> state_bytes=<operator state> rows_bytes=<stored rows> late_rows=<n>
 * The sample is taken between two pump steps (the database lock), so each view has read about
 * as many bids as the counting view (each view reads its own copy of the source). Exits 1 on
 * any error or when the bids do not arrive within 10 minutes.
 */
#include "eddy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS "state_probe_progress"

static int fail(const char *what, const EddyError *err)
{
	fprintf(stderr, "state_probe: %s: %s (SQLSTATE %s)\n", what, err->message, err->sqlstate);
	return 1;
}

/* Bids read so far, or -1 with err set. */
static int64_t bids_read(Eddy *db, EddyError *err)
{
	EddyResult *res;
	if (eddy_query(db, "SELECT n FROM " PROGRESS, &res, err) < 0)
		return -1;
	int64_t n = eddy_result_next(res) && !eddy_result_isnull(res, 0)
			    ? eddy_result_int64(res, 0)
			    : 0;
	eddy_result_free(res);
	return n;
}

static int col_of(const EddyResult *res, const char *name)
{
	for (int c = 0; c < eddy_result_ncols(res); c++)
		if (strcmp(eddy_result_colname(res, c), name) == 0)
			return c;
	return -1;
}

static int sample(Eddy *db, int64_t bids, EddyError *err)
{
	EddyResult *res;
	if (eddy_query(db, "SHOW MATERIALIZED VIEWS", &res, err) < 0)
		return -1;
	int cn = col_of(res, "name"), cs = col_of(res, "state_bytes"),
	    cr = col_of(res, "rows_bytes"), cl = col_of(res, "late_rows");
	while (eddy_result_next(res)) {
		const char *name = eddy_result_text(res, cn);
		if (strcmp(name, PROGRESS) == 0)
			continue;
		printf("bids=%lld view=%s state_bytes=%s", (long long)bids, name,
		       eddy_result_text(res, cs));
		printf(" rows_bytes=%s late_rows=%s\n", cr >= 0 ? eddy_result_text(res, cr) : "?",
		       eddy_result_text(res, cl));
	}
	eddy_result_free(res);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: state_probe BIDS EVERY SQL...\n");
		return 2;
	}
	int64_t total = atoll(argv[1]), every = atoll(argv[2]);
	EddyOptions opts = {.data_dir = NULL, .tick_ms = 1};
	Eddy *db;
	EddyError err;
	if (eddy_open_ex(&opts, &db, &err) < 0)
		return fail("open", &err);
	int rc = 1;
	for (int i = 3; i < argc; i++)
		if (eddy_exec(db, argv[i], NULL, NULL, &err) < 0) {
			rc = fail(argv[i], &err);
			goto done;
		}
	if (eddy_exec(db, "CREATE MATERIALIZED VIEW " PROGRESS " AS SELECT count(*) AS n FROM bid",
		      NULL, NULL, &err) < 0) {
		rc = fail("progress view", &err);
		goto done;
	}
	int64_t next = every;
	time_t deadline = time(NULL) + 600;
	for (;;) {
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		int64_t n = bids_read(db, &err);
		if (n < 0) {
			rc = fail("progress", &err);
			goto done;
		}
		if (n >= next || n >= total) {
			if (sample(db, n, &err) < 0) {
				rc = fail("SHOW MATERIALIZED VIEWS", &err);
				goto done;
			}
			while (next <= n)
				next += every;
		}
		if (n >= total) {
			rc = 0;
			break;
		}
		if (time(NULL) > deadline) {
			fprintf(stderr, "state_probe: only %lld of %lld bids after 10 minutes\n",
				(long long)n, (long long)total);
			break;
		}
	}
done:
	eddy_close(db);
	return rc;
}
