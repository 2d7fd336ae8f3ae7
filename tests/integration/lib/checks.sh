# checks.sh: the checks the integration scripts share (sourced, never run on its own).
#
#   . "$(dirname "$0")/lib/checks.sh"
#   check_eq  NAME EXPECTED ACTUAL      the two texts are equal
#   check_has NAME SUBSTRING ACTUAL     ACTUAL contains SUBSTRING
#   check_run NAME COMMAND [ARG...]     the command succeeds (its output is discarded)
#   ok / bad MESSAGE                    count a pass / a failure the script decided itself
#   free_port                           a loopback TCP port nobody listens on right now
#   finish                              prints "N passed, N failed"; fails when one failed
#
# tests/run.sh sums the last line of every part, so each script ends with `finish`. A failure
# prints FAIL with the check's name and what differed, and the script goes on.

pass=0
fail=0

ok() { pass=$((pass + 1)); }

bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

check_eq() {
	if [ "$2" = "$3" ]; then
		ok
	else
		fail=$((fail + 1))
		printf 'FAIL: %s\n--- expected\n%s\n--- actual\n%s\n' "$1" "$2" "$3"
	fi
}

check_has() {
	case "$3" in
	*"$2"*) ok ;;
	*) bad "$1: expected [$2] in [$3]" ;;
	esac
}

check_run() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok; else bad "$name"; fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
