/* demo.c: `eddy demo`: a live view over generated card transactions, shown as it changes.
 *
 * Layer: cli. The demo is ordinary SQL on the embedded engine: a datagen source paced to the
 * wall clock, two materialized views (velocity per card per 10-second window, totals per
 * country), and a query of each printed once a second, as a risk analyst would watch them. */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static const char *const setup_fmt =
	"CREATE SOURCE card_tx (\n"
	"    card_id bigint, merchant varchar, amount numeric(10,2), country varchar,\n"
	"    ts timestamp,\n"
	"    WATERMARK FOR ts AS ts - INTERVAL '2 seconds'\n"
	") WITH (\n"
	"    connector = 'datagen', datagen.rows.per.second = '400', datagen.seed = '7',\n"
	"    datagen.base_time = '%s',\n"
	"    fields.card_id.kind = 'random', fields.card_id.min = '1', fields.card_id.max = '40',\n"
	"    fields.merchant.values = 'grocer,fuel,books,travel,games,pharmacy',\n"
	"    fields.amount.kind = 'random', fields.amount.min = '1', fields.amount.max = '900',\n"
	"    fields.country.values = 'US,US,US,US,DE,FR,GB,BR',\n"
	"    fields.ts.kind = 'event_time'\n"
	");\n"
	"CREATE MATERIALIZED VIEW card_velocity AS\n"
	"    SELECT card_id, window_start, count(*) AS tx, sum(amount) AS total\n"
	"    FROM TUMBLE(card_tx, ts, INTERVAL '10 seconds')\n"
	"    GROUP BY card_id, window_start;\n"
	"CREATE MATERIALIZED VIEW country_totals AS\n"
	"    SELECT country, count(*) AS tx, sum(amount) AS total, max(amount) AS largest\n"
	"    FROM card_tx GROUP BY country;\n";

static const char *const watch_sql =
	"SELECT card_id, window_start, tx, total FROM card_velocity\n"
	"    WHERE tx >= 14 ORDER BY window_start DESC, tx DESC, card_id LIMIT 6;\n"
	"SELECT * FROM country_totals ORDER BY total DESC;\n"
	"SHOW MATERIALIZED VIEWS;\n";

static int print_result(void *ctx, EddyResult *res)
{
	cli_print_result(stdout, res, FMT_TABLE);
	return 0;
}

int cli_demo(int argc, char **argv)
{
	int seconds = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: eddy demo [--seconds N]\n");
			return 2;
		}
	}
	char now[32];
	time_t t = time(NULL);
	strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S", gmtime(&t));
	char setup[4096];
	snprintf(setup, sizeof setup, setup_fmt, now);

	Eddy *db;
	EddyError err;
	if (eddy_open(NULL, &db, &err) < 0) {
		cli_print_error(stderr, NULL, &err);
		return 1;
	}
	printf("eddy demo: card transactions generated at 400 per second.\n\n%s\n", setup);
	if (eddy_exec(db, setup, NULL, NULL, &err) < 0) {
		cli_print_error(stderr, setup, &err);
		eddy_close(db);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int status = 0;
	for (int tick = 1; !interrupted && (seconds <= 0 || tick <= seconds); tick++) {
		sleep(1);
		printf("---- %d s ------------------------------------------------------------\n",
		       tick);
		printf("Cards with 14 or more transactions in a 10-second window:\n");
		if (eddy_exec(db, watch_sql, print_result, NULL, &err) < 0) {
			cli_print_error(stderr, watch_sql, &err);
			status = 1;
			break;
		}
		fflush(stdout);
	}
	eddy_close(db);
	return status;
}
