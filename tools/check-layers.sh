#!/bin/sh
# check-layers.sh: fails when a source file includes a header from a layer it must not use.
# The layers and what each may include (DESIGN §3); dependencies point one way.
cd "$(dirname "$0")/.." || exit 1

allowed() {
	case "$1" in
	base) echo "base" ;;
	vec) echo "base vec" ;;
	sql) echo "base sql" ;;
	expr) echo "base vec expr" ;;
	catalog) echo "base vec expr catalog" ;;
	plan) echo "base vec sql expr catalog plan" ;;
	stream) echo "base vec expr catalog plan stream" ;;
	batch) echo "base vec expr catalog plan stream batch" ;;
	storage) echo "base storage" ;;
	connect) echo "base vec expr catalog connect" ;;
	engine) echo "base vec sql expr catalog plan stream batch storage connect engine" ;;
	server) echo "base server" ;;
	cli) echo "base vec catalog connect server cli" ;;
	*) echo "" ;;
	esac
}

status=0
for f in src/*/*.c src/*/*.h; do
	[ -e "$f" ] || continue
	layer=$(echo "$f" | cut -d/ -f2)
	ok=$(allowed "$layer")
	for inc in $(sed -n 's/^#include "\([a-z_]*\)\/.*"/\1/p' "$f"); do
		case " $ok " in
		*" $inc "*) ;;
		*)
			echo "check-layers: $f ($layer) must not include $inc/" >&2
			status=1
			;;
		esac
	done
done
exit $status
