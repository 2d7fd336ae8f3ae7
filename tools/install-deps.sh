#!/bin/sh
# install-deps.sh: installs the Debian packages eddy's build and tests need.
# Installs only what is missing, so it is cheap to run before every build.
# Run as root (or with sudo available) on a Debian machine.
set -e

PKGS="build-essential pkg-config libxxhash-dev liblz4-dev libzstd-dev liblmdb-dev \
libcmocka-dev libsqlite3-dev sqlite3"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
