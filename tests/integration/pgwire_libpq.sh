#!/bin/sh
# pgwire_libpq.sh: libpq from C (tests/tools/pg_client.c) against `eddy server`: simple and
# extended query, binary formats, prepared statements, pipelining, COPY, SUBSCRIBE with a second
# connection, error classes, 200 concurrent sessions, and SCRAM-SHA-256 on a second server.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/pgwire/lib.sh
bin="$B/tools/pg_client"
if [ ! -x "$bin" ]; then
	echo "pgwire_libpq: $bin is missing (build it with make test)"
	echo "0 passed, 1 failed"
	exit 1
fi
# A server with SCRAM first; keep its port and pid while the trust server runs.
EDDY_PASSWORD=s3cret pg_start --auth scram-sha-256 || { finish; exit 1; }
SCRAM_PORT=$PGPORT SCRAM_PID=$SRV_PID SCRAM_LOG=$SRV_LOG
pg_start || { kill -TERM $SCRAM_PID; finish; exit 1; }
"$bin" $PGPORT $SCRAM_PORT eddy s3cret >"$TMP/client.out" 2>&1
add_counts "$TMP/client.out" $?
pg_stop
SRV_PID=$SCRAM_PID SRV_LOG=$SCRAM_LOG
pg_stop
finish
