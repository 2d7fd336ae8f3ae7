#!/bin/sh
# install-deps.sh: installs the Debian packages eddy's build and tests need.
# Installs only what is missing, so it is cheap to run before every build.
# Run as root (or with sudo available) on a Debian machine.
set -e

PKGS="build-essential pkg-config libxxhash-dev liblz4-dev libzstd-dev liblmdb-dev \
libcmocka-dev libsqlite3-dev sqlite3 libmicrohttpd-dev curl libssl-dev libpq-dev \
postgresql-client python3-venv libpcre2-dev"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	echo "install-deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >/dev/null
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Python drivers for the real-client tests (tests/integration/pgwire_psycopg.sh), in a venv under
# build/. Without network access this is skipped and the test says SKIP.
cd "$(dirname "$0")/.."
VENV=build/pyvenv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import psycopg" 2>/dev/null; then
	mkdir -p build
	if python3 -m venv "$VENV" >/dev/null 2>&1 &&
		"$VENV/bin/pip" install -q --disable-pip-version-check "psycopg[binary]" >/dev/null 2>&1; then
		echo "install-deps: psycopg installed in $VENV" >&2
	else
		echo "install-deps: could not install psycopg into $VENV (offline?)" >&2
	fi
fi
exit 0
