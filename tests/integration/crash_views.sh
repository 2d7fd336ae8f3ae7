#!/bin/sh
# crash_views.sh: SIGKILLs a process inserting into a stream with fsync='always' that feeds a
# window aggregate, a join with a table and a top-N, 50 times (200 with EDDY_LONG_TESTS=1), and
# checks after each reopen that every acknowledged row is in the stream, none twice, and every
# view equals its query run over the stream. Runs tests/crash/views_crash.c as built by
# `make test` ($EDDY_BUILD/crash/views_crash). Its last line is "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
bin="$B/crash/views_crash"
if [ ! -x "$bin" ]; then
	echo "crash_views: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
kills=50
[ "${EDDY_LONG_TESTS:-0}" = 1 ] && kills=200
exec "$bin" $kills 7
