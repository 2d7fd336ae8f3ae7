#!/bin/sh
# sqlite_tumble.sh: eddy's tumbling-window views against SQLite on random rows (issue 2's oracle
# test). Runs tests/tools/sqlite_oracle.c as built by `make test` ($EDDY_BUILD/tools/
# sqlite_oracle; tests/run.sh sets EDDY_BUILD). Its last line is "N passed, N failed".
B=${EDDY_BUILD:-build/asan}
bin="$B/tools/sqlite_oracle"
if [ ! -x "$bin" ]; then
	echo "sqlite_tumble: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
# Four seeds of 3000 rows each, in random batches, compared after every batch.
exec "$bin" 4 3000
