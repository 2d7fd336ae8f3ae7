#!/bin/sh
# nexmark_oracle.sh: every Nexmark query of bench/nexmark/ against SQLite (issue 3's oracle
# test). Runs tests/tools/nexmark_oracle.c as built by `make test` ($EDDY_BUILD/tools/
# nexmark_oracle; tests/run.sh sets EDDY_BUILD and runs this from the source tree). Each query is
# PASS, FAIL or UNSUPPORTED; the unsupported ones are listed on their own line and counted
# neither way, except those listed in tests/nexmark/expected_pass.txt, which must pass. The last
# line is "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
bin="$B/tools/nexmark_oracle"
if [ ! -x "$bin" ]; then
	echo "nexmark_oracle: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
# 100 000 events at 200 a second from 23:58:20: 500 s of event time across midnight (50
# tumbling 10-second windows, 250 hopping windows, two days); q14 uses its own options.
exec "$bin" --events 100000 --rate 200 all
