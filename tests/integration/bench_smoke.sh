#!/bin/sh
# bench_smoke.sh: the shape of `eddy bench nexmark` output (issue 6), never its numbers.
# Runs q0 on 10 000 events (a second under ASan) and checks that --json prints one object per
# query with every field the harness promises, the human table prints a row, and bad options
# are refused with exit status 2. Machine speed is never asserted. Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
. tests/integration/lib/checks.sh

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$EDDY" bench nexmark --query q0 --events 10000 --threads 1 --json >"$out" 2>/dev/null
check_run "bench --json exits 0" test $? -eq 0
check_run "one line for one query" test "$(wc -l <"$out")" -eq 1
for f in '"query":"q0"' '"events":10000,' '"wall_s":' '"cpu_s":' '"events_per_s":' \
	'"events_per_core_s":' '"peak_rss_bytes":' '"state_bytes":' '"threads":1,' '"output":"'; do
	check_run "json has $f" grep -q -F "$f" "$out"
done
# The numbers are numbers (positive), whatever the machine.
check_run "events_per_core_s is a positive number" \
	grep -q -E '"events_per_core_s":[0-9]+(\.[0-9]+)?,' "$out"
check_run "peak_rss_bytes is positive" grep -q -E '"peak_rss_bytes":[1-9][0-9]*,' "$out"

"$EDDY" bench nexmark --query q1,q2 --events 5000 --warmup 0 --threads 4 >"$out" 2>/dev/null
check_run "table exits 0" test $? -eq 0
check_run "table has a q1 row on 4 threads" grep -q -E '^q1 +parallel +4 +5000 ' "$out"
check_run "table has a q2 row on 4 threads" grep -q -E '^q2 +parallel +4 +5000 ' "$out"
check_run "table says how many threads" grep -q 'threads: 4 parallel dataflow instances' "$out"

# Parallel instances make the generator's chunks between them (instance i: chunks i, i + T, ...):
# together they see every event once. 20 000 events are 18 400 bids (19 chunks), and q3's join
# answers the same on 2 and 3 threads.
rows() { grep -o "\"query\":\"$1\".*\"rows\":[0-9]*" "$2" | sed 's/.*"rows"://'; }
"$EDDY" bench nexmark --query q0,q3 --events 20000 --warmup 0 --threads 2 --json >"$out.2" 2>&1
"$EDDY" bench nexmark --query q0,q3 --events 20000 --warmup 0 --threads 3 --json >"$out.3" 2>&1
check_eq "q0 on 2 threads sees every bid once" 18400 "$(rows q0 "$out.2")"
check_eq "q0 on 3 threads sees every bid once" 18400 "$(rows q0 "$out.3")"
check_run "q3 has rows" test -n "$(rows q3 "$out.2")"
check_eq "q3 on 2 and 3 threads" "$(rows q3 "$out.2")" "$(rows q3 "$out.3")"
rm -f "$out.2" "$out.3"

"$EDDY" bench nexmark --query q99 >/dev/null 2>&1
check_run "unknown query is bad usage" test $? -eq 2
"$EDDY" bench nexmark --events abc >/dev/null 2>&1
check_run "bad event count is bad usage" test $? -eq 2
"$EDDY" bench nexmark --dir /nonexistent --query q0 >/dev/null 2>&1
check_run "missing query folder is an error" test $? -eq 1

finish
