#!/bin/sh
# bench/peers/flink/run.sh DATA_DIR EVENTS [qN ...]: Apache Flink (Maven Central, local mode,
# parallelism 1) on the CSV files of `eddy nexmark export` in DATA_DIR; one JSON line per query
# on standard output (NexmarkCsv.java). Needs mvn and a JDK (17); the first run downloads Flink
# into ~/.m2. Prints nothing and exits 0 when they are missing (bench/compare/run.sh says so).
set -e
DATA=$(cd "$1" && pwd)
cd "$(dirname "$0")"
EVENTS=$2
shift 2
QS=${*:-"q0 q1 q2 q3 q4 q5 q7 q8 q9 q11 q12 q14 q15 q16 q17 q18 q19 q20 q21 q22"}
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
	echo "flink: mvn or javac missing; skipped" >&2
	exit 0
fi
B=../../../build/bench-flink
# The header-less copies, one folder per input folder (a copy of other events is never reused).
H=$B/$(basename "$DATA")
mkdir -p "$H"
mvn -q -B -DskipTests compile >&2
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$B/cp.txt" >&2
# Flink's CSV format cannot skip a header line: strip it once.
for t in person auction bid; do
	[ "$H/$t.csv" -nt "$DATA/$t.csv" ] || tail -n +2 "$DATA/$t.csv" >"$H/$t.csv"
done
# q13's side input, as bench/nexmark/side_input.sql fills eddy's: keys 0..9999, each its own text.
[ -f "$H/side_input.csv" ] || seq 0 9999 | awk '{ print $1 "," $1 }' >"$H/side_input.csv"
DATA_NOHDR=$(cd "$H" && pwd)
# Java 17 needs these for Flink's serializers (as Flink's own start scripts pass them).
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED"
for q in $QS; do
	# Read from memory, as eddy's side is (bench/compare/run.sh): the JVMs' heaps evict files.
	cat "$DATA_NOHDR"/*.csv >/dev/null
	# shellcheck disable=SC2086
	line=$(java $OPENS -cp "$B/target/classes:$(cat "$B/cp.txt")" eddy.bench.NexmarkCsv \
		"$DATA_NOHDR" "$EVENTS" "$q" 2>"$B/$q.log" | tail -n 1) || true
	[ -n "$line" ] || line=$(printf '{"peer":"flink","query":"%s","events":%s,"error":"%s"}' \
		"$q" "$EVENTS" "$(grep -m1 -E 'Exception|Error' "$B/$q.log" | tr -d '"\\' |
			cut -c1-200)")
	echo "$line"
done
