#!/bin/sh
# run.sh: end-to-end ingest and recovery benchmarks of eddy's data directory (issue 4, Performance).
#
# Usage (from anywhere): sh bench/ingest/run.sh [ROWS] [RECOVERY_MB] [SECTIONS]
#   ROWS         ~100-byte NDJSON/CSV rows per `eddy ingest` run (default 2000000)
#   RECOVERY_MB  stream log size for the recovery runs (default 1024)
#   SECTIONS     any of: cli writers http nexmark recovery regular (default: all but regular,
#                the recovery run with a regular join instead of a lookup join, 100 MB)
#   env REL=DIR  build tree to build and measure (default build); if the build fails the binary
#                already there is measured, and the script says so
#
# Not run by `make test` (numbers belong to the machine). Prints tables in the form of
# bench/ingest/README.md; every run is in a fresh data directory under a temporary directory,
# removed at the end. CPU seconds are user + system of the process doing the work (for `eddy
# ingest`, /usr/bin/time; for the server, /proc/PID/stat; for ingest_bench, getrusage).
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROWS=${1:-2000000}
RECOVERY_MB=${2:-1024}
SECTIONS=${3:-cli writers http nexmark recovery}
REL=${REL:-build}
if ! make -j2 REL="$REL" all >/dev/null 2>&1; then
	echo "NOTE: make REL=$REL all failed; measuring the binaries already in $REL"
fi
E=$REL/eddy
W=$(mktemp -d "${TMPDIR:-/tmp}/eddy_ingest_bench_XXXXXX")
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
gcc -std=gnu11 -O2 -g -Iinclude bench/ingest/ingest_bench.c "$REL/libeddy.a" -lxxhash -llz4 \
	-lzstd -llmdb -lmicrohttpd -lpcre2-8 -lssl -lcrypto -lm -lpthread -o "$W/ingest_bench"
has() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)," \
	"load before: $(cut -d' ' -f1-3 /proc/loadavg); $(git rev-parse --short HEAD 2>/dev/null) +" \
	"working tree; $(date -u '+%Y-%m-%d %H:%M UTC')"

# ~98-byte rows: the same rows as NDJSON and as CSV (with a header line).
gen() { # ROWS FORMAT
	awk -v n="$1" -v fmt="$2" 'BEGIN {
		srand(7)
		if (fmt == "csv") print "id,user_id,amount,ts,tag"
		for (i = 0; i < n; i++) {
			u = int(rand() * 100000); a = int(rand() * 1000000); t = int(rand() * 1e8)
			ts = sprintf("2024-01-01 %02d:%02d:%02d.%06d", int(i / 3600000) % 24,
				int(i / 60000) % 60, int(i / 1000) % 60, (i % 1000) * 1000)
			if (fmt == "csv") printf "%d,%d,%d,%s,t%08d\n", i, u, a, ts, t
			else printf "{\"id\":%d,\"user_id\":%d,\"amount\":%d,\"ts\":\"%s\",\"tag\":\"t%08d\"}\n", i, u, a, ts, t
		}
	}'
}
DDL="CREATE STREAM ev (id bigint, user_id bigint, amount int, ts timestamp, tag varchar,
	WATERMARK FOR ts AS ts - INTERVAL '5 seconds')"
bytes() { du -sb "$1" | cut -f1; }

# One `eddy ingest` run into a fresh directory: prints a table row.
cli_run() { # FORMAT FSYNC BATCH FILE
	d=$W/d_cli
	rm -rf "$d"
	"$E" sql --data "$d" -c "$DDL WITH (fsync = '$2')" >/dev/null
	/usr/bin/time -f "%e %U %S" -o "$W/time" "$E" ingest --data "$d" ev "$4" --format "$1" \
		--batch "$3" >"$W/out" 2>"$W/err"
	n=$(tail -1 "$W/out" | cut -d' ' -f2)
	read -r wall user sys <"$W/time"
	awk -v f="$1" -v m="$2" -v b="$3" -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" \
		-v st="$(bytes "$d/streams/ev")" -v sz="$(stat -c %s "$4")" 'BEGIN {
		printf "| %s | %s | %d | %d | %.2f | %.2f | %.0f | **%.0f** | %.1f %% |\n",
			f, m, b, n, w, u + s, n / w, n / (u + s), 100 * st / sz }'
}

if has cli; then
	gen "$ROWS" ndjson >"$W/rows.ndjson"
	gen "$ROWS" csv >"$W/rows.csv"
	echo
	echo "## eddy ingest, one process, $ROWS rows of $(awk '{ s += length($0) + 1 } END { printf "%.0f", s / NR }' "$W/rows.ndjson") bytes (NDJSON)"
	echo
	echo "| format | fsync | --batch | rows | wall s | CPU s | rows/s | rows/CPU-s | stored / input |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for fs in never interval always; do cli_run ndjson $fs 1000 "$W/rows.ndjson"; done
	cli_run ndjson interval 10000 "$W/rows.ndjson"
	for fs in never interval; do cli_run csv $fs 1000 "$W/rows.csv"; done
	cli_run csv interval 10000 "$W/rows.csv"
fi

if has writers; then
	echo
	echo "## eddy_ingest from T threads on one handle (bench/ingest/ingest_bench.c writers)"
	echo
	echo "| fsync | threads | rows per call | rows | wall s | CPU s | rows/s | rows/CPU-s |"
	echo "|---|---|---|---|---|---|---|---|"
	for cfg in "always 16 100 960000" "always 16 1000 3200000" "always 1 100 100000" \
		"interval 16 1000 3200000" "never 1 1000 3200000"; do
		set -- $cfg
		rm -rf "$W/d_w"
		"$W/ingest_bench" writers "$W/d_w" "$@" | awk '{
			for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			printf "| %s | %s | %s | %s | %.2f | %.2f | %.0f | %.0f |\n", v["fsync"],
				v["threads"], v["rows_per_call"], v["rows"], v["wall_s"], v["cpu_s"],
				v["rows_per_s"], v["rows_per_cpu_s"] }'
	done
fi

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if has http; then
	[ -f "$W/rows.ndjson" ] || gen "$ROWS" ndjson >"$W/rows.ndjson"
	echo
	echo "## HTTP: 16 concurrent clients POSTing NDJSON to eddy server, fsync='always'"
	echo
	echo "| rows per POST | POSTs | rows | wall s | server CPU s | rows/s | rows/server-CPU-s |"
	echo "|---|---|---|---|---|---|---|"
	for per in 100 1000; do
		total=$((per * 3200))
		[ "$total" -gt "$ROWS" ] && total=$ROWS
		rm -rf "$W/d_h" "$W/parts" && mkdir "$W/parts"
		head -n "$total" "$W/rows.ndjson" | split -l "$per" -a 5 - "$W/parts/p."
		"$E" sql --data "$W/d_h" -c "$DDL WITH (fsync = 'always')" >/dev/null
		HTTP=$(free_port)
		"$E" server --data "$W/d_h" --pg-listen 127.0.0.1:$(free_port) \
			--http-listen 127.0.0.1:$HTTP >"$W/srv.log" 2>&1 &
		SRV=$!
		until curl -s -o /dev/null "http://127.0.0.1:$HTTP/healthz"; do sleep 0.01; done
		: >"$W/curl.cfg"
		for f in "$W"/parts/p.*; do
			printf 'next\nurl = "http://127.0.0.1:%s/v1/streams/ev"\noutput = "/dev/null"\nheader = "Content-Type: application/x-ndjson"\ndata-binary = "@%s"\n' \
				"$HTTP" "$f" >>"$W/curl.cfg"
		done
		sed -i 1d "$W/curl.cfg"
		c0=$(awk '{ print $14 + $15 }' "/proc/$SRV/stat")
		t0=$(date +%s%N)
		curl -s --no-progress-meter --parallel --parallel-max 16 -K "$W/curl.cfg"
		t1=$(date +%s%N)
		c1=$(awk '{ print $14 + $15 }' "/proc/$SRV/stat")
		n=$(curl -s -H 'Content-Type: text/plain' --data-binary 'SELECT count(*) AS n FROM ev' \
			"http://127.0.0.1:$HTTP/v1/sql" |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["results"][0]["rows"][0][0])')
		kill "$SRV" && wait "$SRV" 2>/dev/null || true
		SRV=
		awk -v per="$per" -v n="$n" -v w="$(((t1 - t0) / 1000000))" -v c="$((c1 - c0))" \
			-v hz="$(getconf CLK_TCK)" -v posts="$(ls "$W/parts" | wc -l)" 'BEGIN {
			printf "| %d | %d | %d | %.2f | %.2f | %.0f | %.0f |\n", per, posts, n,
				w / 1000, c / hz, n / (w / 1000), n / (c / hz) }'
	done
fi

if has nexmark; then
	echo
	echo "## Nexmark bids: stored size against the input (eddy nexmark export, then eddy ingest)"
	echo
	"$E" nexmark export --events 2000000 --out "$W/nx" >/dev/null
	python3 - "$W/nx/bid.csv" "$W/nx/bid.ndjson" <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline='') as f, open(sys.argv[2], 'w') as out:
    for r in csv.DictReader(f):
        for k in ('auction', 'bidder', 'price'):
            r[k] = int(r[k])
        out.write(json.dumps(r, separators=(',', ':')) + '\n')
EOF
	BID="CREATE STREAM bid (auction bigint, bidder bigint, price bigint, channel varchar,
		url varchar, date_time timestamp, extra varchar,
		WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)"
	nd=$(stat -c %s "$W/nx/bid.ndjson")
	cs=$(stat -c %s "$W/nx/bid.csv")
	nrows=$(($(wc -l <"$W/nx/bid.csv") - 1))
	echo "bid rows: $nrows; NDJSON $nd bytes ($((nd / nrows)) per row), CSV $cs bytes"
	echo
	echo "| compression | input | --batch | stored bytes | of NDJSON | of CSV | rows/CPU-s |"
	echo "|---|---|---|---|---|---|---|"
	for cfg in "lz4 ndjson 1000" "lz4 csv 1000" "lz4 ndjson 10000" "zstd ndjson 1000" \
		"zstd csv 1000" "none ndjson 1000"; do
		set -- $cfg
		rm -rf "$W/d_nx"
		"$E" sql --data "$W/d_nx" -c "$BID WITH (fsync = 'never', compression = '$1')" >/dev/null
		/usr/bin/time -f "%e %U %S" -o "$W/time" "$E" ingest --data "$W/d_nx" bid \
			"$W/nx/bid.$2" --format "$2" --batch "$3" >/dev/null 2>&1
		read -r wall user sys <"$W/time"
		awk -v c="$1" -v f="$2" -v b="$3" -v st="$(bytes "$W/d_nx/streams/bid")" -v nd="$nd" \
			-v cs="$cs" -v n="$((nrows))" -v cpu="$(echo "$user $sys" | awk '{ print $1 + $2 }')" 'BEGIN {
			printf "| %s | %s | %d | %d | **%.1f %%** | %.1f %% | %.0f |\n", c, f, b, st,
				100 * st / nd, 100 * st / cs, n / cpu }'
	done
fi

# The recovery lines of ingest_bench as a table; the rest (build, views' checkpoint columns) as is.
rec_table() {
	awk '/^recovery / {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		t[++n] = sprintf("| %s | **%.3f** | %.3f | %s | %s | %.3f |", v["case"], v["open_s"],
			v["open_cpu_s"], v["rows"], v["views_match"], v["close_s"]); next }
		{ print "    " $0 }
		END { print ""
			print "| case | eddy_open s | its CPU s | rows in the stream | views = their queries | eddy_close s |"
			print "|---|---|---|---|---|---|"; for (i = 1; i <= n; i++) print t[i] }'
}
if has recovery; then
	echo
	echo "## Recovery: $RECOVERY_MB MB stream log, four views, lookup join (ingest_bench recovery)"
	echo
	"$W/ingest_bench" recovery "$W/d_rec" "$RECOVERY_MB" lookup | rec_table
	rm -rf "$W/d_rec"
fi
# Not in the default list: the same with a regular join, which keeps every stream row as state.
if has regular; then
	echo
	echo "## Recovery: 100 MB stream log, four views, regular join (ingest_bench recovery)"
	echo
	"$W/ingest_bench" recovery "$W/d_reg" 100 regular | rec_table
	rm -rf "$W/d_reg"
fi
