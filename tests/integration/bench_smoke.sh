#!/bin/sh
# bench_smoke.sh: the shape of `eddy bench nexmark` output (issue 6), never its numbers.
# Runs q0 on 10 000 events (a second under ASan) and checks that --json prints one object per
# query with every field the harness promises, the human table prints a row, and bad options
# are refused with exit status 2. Machine speed is never asserted. Last line "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
EDDY=${EDDY_BIN:-build/asan/eddy}
passed=0
failed=0
check() { # name, then a command that must succeed
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$EDDY" bench nexmark --query q0 --events 10000 --threads 1 --json >"$out" 2>/dev/null
check "bench --json exits 0" test $? -eq 0
check "one line for one query" test "$(wc -l <"$out")" -eq 1
for f in '"query":"q0"' '"events":10000,' '"wall_s":' '"cpu_s":' '"events_per_s":' \
	'"events_per_core_s":' '"peak_rss_bytes":' '"state_bytes":' '"threads":1,' '"output":"'; do
	check "json has $f" grep -q -F "$f" "$out"
done
# The numbers are numbers (positive), whatever the machine.
check "events_per_core_s is a positive number" \
	grep -q -E '"events_per_core_s":[0-9]+(\.[0-9]+)?,' "$out"
check "peak_rss_bytes is positive" grep -q -E '"peak_rss_bytes":[1-9][0-9]*,' "$out"

"$EDDY" bench nexmark --query q1,q2 --events 5000 --warmup 0 --threads 4 >"$out" 2>/dev/null
check "table exits 0" test $? -eq 0
check "table has a q1 row on 4 threads" grep -q -E '^q1 +parallel +4 +5000 ' "$out"
check "table has a q2 row on 4 threads" grep -q -E '^q2 +parallel +4 +5000 ' "$out"
check "table says how many threads" grep -q 'threads: 4 parallel dataflow instances' "$out"

"$EDDY" bench nexmark --query q99 >/dev/null 2>&1
check "unknown query is bad usage" test $? -eq 2
"$EDDY" bench nexmark --events abc >/dev/null 2>&1
check "bad event count is bad usage" test $? -eq 2
"$EDDY" bench nexmark --dir /nonexistent --query q0 >/dev/null 2>&1
check "missing query folder is an error" test $? -eq 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
