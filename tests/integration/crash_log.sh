#!/bin/sh
# crash_log.sh: SIGKILLs a process appending to a stream log with fsync='always' at 25 random
# moments (fixed seed) and checks after each that every acknowledged batch survived, intact, with
# contiguous offsets and nothing twice. Runs tests/crash/log_crash.c as built by `make test`
# ($EDDY_BUILD/crash/log_crash). Its last line is "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
bin="$B/crash/log_crash"
if [ ! -x "$bin" ]; then
	echo "crash_log: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
exec "$bin" 25 42
