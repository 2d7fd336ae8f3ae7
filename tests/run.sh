#!/bin/sh
# run.sh: runs every test of eddy against one build tree and prints the totals.
#
# Usage: tests/run.sh BUILD_DIR   (the sanitizer tree, build/asan, from `make test`)
# Runs, in order: unit tests (cmocka binaries), sqllogictest files, the embedding example,
# integration scripts. Each part's pass/fail counts are summed into the last line,
# "N passed, N failed". Exits non-zero when anything failed.
B=${1:-build/asan}
cd "$(dirname "$0")/.." || exit 1
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export EDDY_BIN="$B/eddy"
export EDDY_BUILD="$B"

passed=0
failed=0
log=$(mktemp -d)

count() { # name status logfile: adds the counts a part printed
	name=$1 rc=$2 f=$3
	p=0 fl=0
	# cmocka summary lines
	cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$f" | tail -1)
	cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$f" | tail -1)
	# plain summary lines "N passed, N failed"
	pp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$f" | tail -1)
	pf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$f" | tail -1)
	if [ -n "$cp$cf" ]; then
		p=${cp:-0}
		fl=${cf:-0}
	elif [ -n "$pp" ]; then
		p=$pp
		fl=$pf
	else
		[ "$rc" -eq 0 ] && p=1 || fl=1
	fi
	if [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ]; then
		fl=1
	fi
	passed=$((passed + p))
	failed=$((failed + fl))
	if [ "$fl" -ne 0 ]; then
		echo "FAIL $name ($p passed, $fl failed; exit $rc)"
		tail -n 40 "$f" | sed 's/^/    /'
	else
		echo "ok   $name ($p passed)"
	fi
}

run_part() { # name command...
	name=$1
	shift
	f="$log/$(echo "$name" | tr '/ ' '__').log"
	"$@" >"$f" 2>&1
	count "$name" $? "$f"
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	run_part "unit/$(basename "$t")" "$t"
done

if [ -x "$B/tools/slt" ]; then
	for f in $(find tests/sql -name '*.slt' | sort); do
		run_part "sql/${f#tests/sql/}" "$B/tools/slt" "$f"
	done
fi

if [ -x "$B/examples/embed" ]; then
	run_part "examples/embed" "$B/examples/embed"
fi

for s in tests/integration/*.sh; do
	[ -e "$s" ] || continue
	run_part "integration/$(basename "$s")" sh "$s"
done

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
