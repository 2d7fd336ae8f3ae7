#!/bin/sh
# bench.sh: eddy server's start-up time, idle memory, and ingest cost through COPY and HTTP.
#
# Usage: bench/server/bench.sh [path/to/eddy] [ROWS]   (defaults: build/eddy, 2000000)
# Not run by `make test`; the numbers it prints go into bench/server/README.md by hand.
#
# Each measurement starts a fresh server (release build) on free loopback ports and an empty
# data directory. Ingest cost is the server process's CPU time (utime + stime from
# /proc/PID/stat) before and after the load, so rows per CPU-second is rows/s per core whatever
# the clients cost on the same machine. The rows are card payments (6 columns: bigint, varchar,
# numeric(10,2), varchar, varchar, timestamp) into a stream with no view, then again with one
# GROUP BY view over it.
EDDY=${1:-build/eddy}
ROWS=${2:-2000000}
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cpu() { # CPU seconds of process $1
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
now_ms() { date +%s%3N; }

start() {
	PG=$(free_port)
	HTTP=$(free_port)
	rm -rf "$T/data"
	"$EDDY" server --data "$T/data" --pg-listen 127.0.0.1:$PG --http-listen 127.0.0.1:$HTTP \
		>"$T/log" 2>&1 &
	SRV=$!
	until psql -X -q -h 127.0.0.1 -p "$PG" -U eddy -c '' 2>/dev/null; do sleep 0.002; done
}
stop() {
	kill "$SRV"
	wait "$SRV" 2>/dev/null
	SRV=
}
q() { psql -X -q -A -t -h 127.0.0.1 -p "$PG" -U eddy -c "$1"; }

DDL="CREATE STREAM tx (card_id bigint, merchant varchar, amount numeric(10,2), country varchar,
                      status varchar, ts timestamp)"
VIEW="CREATE MATERIALIZED VIEW per_card AS
          SELECT card_id, count(*) AS n, sum(amount) AS total FROM tx GROUP BY card_id"

echo "generating $ROWS rows ..."
python3 - "$ROWS" "$T" <<'EOF'
import sys, random
n, d = int(sys.argv[1]), sys.argv[2]
random.seed(1)
m = ["grocer", "fuel", "books", "travel", "games", "pharmacy"]
with open(f"{d}/tx.tsv", "w") as tsv, open(f"{d}/tx.ndjson", "w") as nd:
    for i in range(n):
        c, a = random.randint(1, 10000), random.randint(100, 90000)
        mm, s = m[i % 6], "declined" if i % 10 == 0 else "approved"
        ts = "2024-01-01 %02d:%02d:%02d" % (i // 3600000 % 24, i // 60000 % 60, i // 1000 % 60)
        tsv.write(f"{c}\t{mm}\t{a // 100}.{a % 100:02d}\tUS\t{s}\t{ts}\n")
        nd.write(f'{{"card_id":{c},"merchant":"{mm}","amount":{a // 100}.{a % 100:02d},'
                 f'"country":"US","status":"{s}","ts":"{ts}"}}\n')
EOF
# HTTP bodies of 50000 rows, sent over 4 connections by curl --parallel.
split -l 50000 -d -a 4 "$T/tx.ndjson" "$T/part."

# Start-up time: from fork to the first accepted TCP connection on the pgwire port (Python
# retries connect() in a tight loop), then the idle VmRSS after 0.5 s; 5 runs each.
python3 - "$EDDY" "$T/data" <<'EOF'
import socket, subprocess, sys, time, shutil
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
starts, rss = [], []
for i in range(5):
    shutil.rmtree(sys.argv[2], ignore_errors=True)
    pg, http = free_port(), free_port()
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.argv[1], "server", "--data", sys.argv[2], "--pg-listen",
                          f"127.0.0.1:{pg}", "--http-listen", f"127.0.0.1:{http}"],
                         stderr=subprocess.DEVNULL)
    while True:
        try:
            socket.create_connection(("127.0.0.1", pg)).close()
            break
        except OSError:
            pass
    starts.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.5)
    rss += [int(l.split()[1]) for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")]
    p.terminate(); p.wait()
print("start-up to accepting pgwire connections, ms (5 runs):",
      " ".join("%.1f" % s for s in sorted(starts)))
print("idle VmRSS, kB (5 runs):", " ".join(map(str, sorted(rss))))
EOF

# Loads with copy_load or http_load into a fresh server's stream (and view when $1 is yes) and
# prints rows per CPU-second of the server.
measure() { # view(yes|no) label loader
	start
	q "$DDL" >/dev/null
	[ "$1" = yes ] && q "$VIEW" >/dev/null
	c0=$(cpu "$SRV")
	w0=$(now_ms)
	$3
	w1=$(now_ms)
	c1=$(cpu "$SRV")
	n=$(q "SELECT count(*) FROM tx")
	awk -v n="$n" -v c="$c1" -v c0="$c0" -v w="$((w1 - w0))" -v v="$1" -v l="$2" 'BEGIN {
		printf "%s, view=%s: %d rows, server CPU %.2f s -> %.0f rows/s/core (wall %d ms)\n",
			l, v, n, c - c0, n / (c - c0), w }'
	stop
}
copy_load() {
	psql -X -q -h 127.0.0.1 -p "$PG" -U eddy -c "COPY tx FROM STDIN" <"$T/tx.tsv"
}
http_load() {
	set --
	for f in "$T"/part.*; do
		[ $# -gt 0 ] && set -- "$@" --next
		set -- "$@" -o /dev/null -H 'Content-Type: application/x-ndjson' \
			--data-binary "@$f" "http://127.0.0.1:$HTTP/v1/streams/tx"
	done
	curl -s --no-progress-meter --parallel --parallel-max 4 "$@"
}

for view in no yes; do
	measure $view "COPY text" copy_load
	measure $view "HTTP NDJSON" http_load
done
