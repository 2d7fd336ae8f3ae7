#!/bin/sh
# run.sh: runs sqllogictest files against PostgreSQL instead of eddy, to verify their expected
# results (see eddy_pg.c). A development tool: needs libpq-dev and a running PostgreSQL server
# (e.g. `pg_ctlcluster 15 main start`); never part of `make test`.
#
# Usage: sh tests/tools/pgcheck/run.sh FILE...   (as root it connects as the postgres user;
# otherwise set EDDY_PG_CONNINFO, e.g. "host=localhost user=me dbname=postgres").
# Records marked `skipif postgresql` are skipped; every other record must pass.
cd "$(dirname "$0")/../../.." || exit 1
out=${TMPDIR:-/tmp}/eddy-pgcheck
mkdir -p "$out"
cc -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -I/usr/include/postgresql \
	-O1 -g tests/tools/slt.c tests/tools/pgcheck/eddy_pg.c -lpq -o "$out/slt_pg" || exit 1
chmod 755 "$out" "$out/slt_pg"
if [ "$(id -u)" -eq 0 ] && [ -z "$EDDY_PG_CONNINFO" ]; then
	exec runuser -u postgres -- "$out/slt_pg" --name postgresql "$@"
fi
exec "$out/slt_pg" --name postgresql "$@"
