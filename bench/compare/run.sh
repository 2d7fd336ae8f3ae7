#!/bin/sh
# bench/compare/run.sh [EVENTS] [PG_EVENTS]: eddy side by side with its peers (issue 6), on this
# machine, on the same events, in the same run. Never part of `make test`.
#
#   1. exports EVENTS Nexmark events as CSV (`eddy nexmark export`, seed 0, 10 000 events/s);
#   2. eddy: `eddy bench nexmark --json` on the same events (the generator, in process);
#   3. DuckDB (PyPI, in the venv build/bench-venv, one thread) over the CSV files:
#      bench/nexmark/qN.sql, or bench/compare/duckdb/qN.sql where DuckDB needs a rewrite;
#   4. SQLite (Python's sqlite3) over the same rows: the oracle's tests/nexmark/qN.sqlite.sql;
#   5. PostgreSQL 15, the traditional approach to q7 on the first PG_EVENTS events: every bid
#      an INSERT, the current window's highest bid re-queried every 1000 bids; and eddy's q7 on
#      the same PG_EVENTS events;
#   6. Apache Flink (bench/peers/flink/, Maven Central, local mode, parallelism 1) over the same
#      CSV files, for FLINK_QUERIES (default: every query it has a text for; "none" skips it),
#      and eddy on the same CSV files (`eddy bench nexmark --csv`, through eddy_ingest), after a
#      check that eddy's CSV mode answers as its generator does (csv_check.c, PG_EVENTS events);
#      then both again on FLINK_LARGE events (default 4000000; 0 skips it), so that the report can
#      take the marginal cost of the extra events, free of either side's fixed costs.
# Results go to bench/results/compare_*.json (one JSON object a line); bench/report.py turns
# them into bench/RESULTS.md. The eddy measured is $REL/eddy (REL: default build), built first.
# PEERS (default "duckdb sqlite postgres eddycsv flink") picks the steps: the peers, and eddycsv
# (eddy's side of the Flink comparison: csv_check and `--csv` runs); eddy's generator run is always.
set -e
cd "$(dirname "$0")/../.."
EVENTS=${1:-1000000}
PG_EVENTS=${2:-100000}
REL=${REL:-build}
EDDY=$REL/eddy
if ! make -j2 REL="$REL" all >/dev/null; then
	[ -x "$REL/eddy" ] || exit 1
	echo "$0: the build failed; measuring the existing $REL/eddy" >&2
fi
VENV=build/bench-venv
if ! "$VENV/bin/python" -c "import duckdb, psycopg" 2>/dev/null; then
	python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q --disable-pip-version-check duckdb "psycopg[binary]"
fi
PY="$VENV/bin/python"
DATA=build/bench-compare/data-$EVENTS
PGDATA_CSV=build/bench-compare/data-$PG_EVENTS
for d in "$DATA:$EVENTS" "$PGDATA_CSV:$PG_EVENTS"; do
	dir=${d%%:*} n=${d##*:}
	[ -f "$dir/bid.csv" ] || "$EDDY" nexmark export --events "$n" --seed 0 --rate 10000 \
		--base-time '2015-07-15 00:00:00' --out "$dir"
done
R=bench/results
mkdir -p "$R"
QS=$("$PY" bench/compare/peers.py list)
echo "compare: eddy ($QS) on $EVENTS events" >&2
"$EDDY" bench nexmark --query "$QS" --events "$EVENTS" --threads 1 --json >"$R/compare_eddy.json" || true
# PEERS: which peers to run (default all); the others keep their last results.
PEERS=" ${PEERS:-duckdb sqlite postgres eddycsv flink} "
has() { case "$PEERS" in *" $1 "*) return 0 ;; esac; return 1; }
if has duckdb; then
	echo "compare: DuckDB" >&2
	"$PY" bench/compare/peers.py duckdb "$DATA" "$EVENTS" >"$R/compare_duckdb.json"
fi
if has sqlite; then
	echo "compare: SQLite" >&2
	"$PY" bench/compare/peers.py sqlite "$DATA" "$EVENTS" >"$R/compare_sqlite.json"
fi
if ! has postgres; then
	:
elif command -v pg_ctlcluster >/dev/null 2>&1; then
	echo "compare: PostgreSQL (q7, $PG_EVENTS events)" >&2
	pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start
	# Peer authentication as the invoking user: make that user a role once.
	runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = '$(id -un)'" |
		grep -q 1 || runuser -u postgres -- psql -qc "CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN"
	"$EDDY" bench nexmark --query q7 --events "$PG_EVENTS" --threads 1 --json >"$R/compare_eddy_pg.json"
	PG_DSN="dbname=postgres" "$PY" bench/compare/peers.py postgres "$PGDATA_CSV" "$PG_EVENTS" \
		1000 >"$R/compare_postgres.json"
else
	echo "compare: no PostgreSQL server here (pg_ctlcluster missing); skipped" >&2
	: >"$R/compare_postgres.json"
fi
# Not q6 (Flink SQL has no OVER over a changelog), q10 (a file sink), q13 (Flink 1.20 has no
# processing-time temporal join over a filesystem table: "not supported yet").
FLINK_ALL="q0 q1 q2 q3 q4 q5 q7 q8 q9 q11 q12 q14 q15 q16 q17 q18 q19 q20 q21 q22"
FLINK_QUERIES=${FLINK_QUERIES:-$FLINK_ALL}
FQ=$(echo $FLINK_QUERIES | tr ' ' ,)
# eddy's CSV mode on DIR's first N events, into OUT: per query three runs, each after the files
# are read into the page cache (both sides read them from memory: the engines are measured, not
# the disk), and the run with the median CPU seconds kept.
eddy_csv() { # DIR N OUT
	: >"$3"
	for q in $FLINK_QUERIES; do
		for i in 1 2 3; do
			cat "$1"/*.csv >/dev/null
			"$EDDY" bench nexmark --csv "$1" --query "$q" --events "$2" --threads 1 --json ||
				true
		done >"$3.runs"
		"$PY" -c 'import json, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = sorted((r for r in runs if "error" not in r), key=lambda r: r["cpu_s"])
print(json.dumps(ok[len(ok) // 2] if ok else runs[0]))' "$3.runs" >>"$3"
	done
	rm -f "$3.runs"
}
LARGE=${FLINK_LARGE:-4000000}
LDATA=build/bench-compare/data-$LARGE
if [ "$LARGE" -gt "$EVENTS" ] && [ ! -f "$LDATA/bid.csv" ] && { has flink || has eddycsv; }; then
	"$EDDY" nexmark export --events "$LARGE" --seed 0 --rate 10000 \
		--base-time '2015-07-15 00:00:00' --out "$LDATA"
fi
if [ "$FLINK_QUERIES" != none ] && has eddycsv; then
	# eddy's CSV mode must answer as its generator does: the views' rows, on PG_EVENTS events
	# (not q10, a file sink, nor q12, whose processing-time windows differ from run to run).
	echo "compare: eddy --csv against its generator ($PG_EVENTS events)" >&2
	sed -e "s/\${NEXMARK_EVENTS}/$PG_EVENTS/; s/\${NEXMARK_SEED}/0/; s/\${NEXMARK_RATE}/10000/" \
		-e "s/\${NEXMARK_BASE_TIME}/2015-07-15 00:00:00/" bench/nexmark/ddl.sql \
		>build/bench-compare/gen_ddl.sql
	# The libraries are the Makefile's LIBS.
	cc -std=gnu11 -O2 -Isrc -Iinclude bench/compare/csv_check.c src/cli/bench_csv.c \
		"$REL/libeddy.a" -lxxhash -llz4 -lzstd -llmdb -lmicrohttpd -lpcre2-8 -lssl -lcrypto \
		-lm -lpthread -o build/bench-compare/csv_check
	build/bench-compare/csv_check build/bench-compare/gen_ddl.sql bench/nexmark/side_input.sql \
		"$PGDATA_CSV" "$PG_EVENTS" \
		bench/nexmark/q[0-9].sql bench/nexmark/q11.sql bench/nexmark/q1[3-9].sql \
		bench/nexmark/q2[0-2].sql \
		>"$R/compare_csv_check.txt" || true
	tail -n 1 "$R/compare_csv_check.txt" >&2
	echo "compare: eddy --csv ($FQ) on $EVENTS events" >&2
	eddy_csv "$DATA" "$EVENTS" "$R/compare_eddy_csv.json"
	: >"$R/compare_eddy_csv_large.json"
	if [ "$LARGE" -gt "$EVENTS" ]; then
		echo "compare: eddy --csv again on $LARGE events" >&2
		eddy_csv "$LDATA" "$LARGE" "$R/compare_eddy_csv_large.json"
	fi
fi
if [ "$FLINK_QUERIES" != none ] && has flink; then
	echo "compare: Flink ($FLINK_QUERIES; one JVM each, slow to start)" >&2
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	# shellcheck disable=SC2086
	sh bench/peers/flink/run.sh "$DATA" "$EVENTS" $FLINK_QUERIES >"$R/compare_flink.json"
	: >"$R/compare_flink_large.json"
	if [ "$LARGE" -gt "$EVENTS" ]; then
		echo "compare: Flink again on $LARGE events" >&2
		# shellcheck disable=SC2086
		sh bench/peers/flink/run.sh "$LDATA" "$LARGE" $FLINK_QUERIES \
			>"$R/compare_flink_large.json"
	fi
	# How busy the machine was (other work shares it): the load averages before and after.
	printf '{"date":"%s","cores":%s,"load_before":"%s","load_after":"%s"}\n' \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$load0" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" >"$R/compare_flink_env.json"
fi
echo "compare: done; now python3 bench/report.py" >&2
