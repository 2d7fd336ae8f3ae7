#!/bin/sh
# fuzz.sh: runs every fuzz target built under $EDDY_BUILD/fuzz/ (tests/fuzz/*.c) with its
# default (short, fixed) number of inputs under ASan/UBSan. A target that has a script of its
# own, tests/integration/<name>_fuzz.sh for fuzz_<name> (pgwire_fuzz.sh), is left to it.
# Longer libFuzzer runs: docs/testing.md. Last line: "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib/checks.sh
for bin in "$B"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	case "$bin" in *.d | *.o) continue ;; esac
	name=$(basename "$bin")
	[ -e "tests/integration/${name#fuzz_}_fuzz.sh" ] && continue
	if "$bin" >"$B/fuzz/$name.log" 2>&1; then
		ok
		echo "ok   $name"
	else
		bad "$name"
		tail -n 30 "$B/fuzz/$name.log"
	fi
done
if [ $((pass + fail)) -eq 0 ]; then
	echo "fuzz: no fuzz targets under $B/fuzz (build them with make test)"
	fail=1
fi
finish
