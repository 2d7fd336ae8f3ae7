#!/bin/sh
# pgwire_fuzz.sh: runs the pgwire decoder fuzz target (tests/fuzz/fuzz_pgwire.c) for a fixed
# number of pseudo-random and mutated inputs under ASan/UBSan. Longer libFuzzer runs:
# docs/testing.md.
B=${EDDY_BUILD:-build/asan}
bin="$B/fuzz/fuzz_pgwire"
if [ ! -x "$bin" ]; then
	echo "pgwire_fuzz: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
exec "$bin" 200000
