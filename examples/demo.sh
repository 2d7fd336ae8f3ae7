#!/bin/sh
# demo.sh: `eddy demo`, the live demo on the embedded engine (`make run` now starts the server
# with the fraud example instead: examples/fraud/run.sh).
# Usage: examples/demo.sh path/to/eddy [seconds]   (0 or nothing: until Ctrl-C)
EDDY=${1:-build/eddy}
exec "$EDDY" demo --seconds "${2:-${EDDY_DEMO_SECONDS:-0}}"
