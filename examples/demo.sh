#!/bin/sh
# demo.sh: the main job of `make run`: a live demo on the embedded engine.
# Usage: examples/demo.sh path/to/eddy [seconds]   (0 or nothing: until Ctrl-C)
EDDY=${1:-build/eddy}
exec "$EDDY" demo --seconds "${2:-${EDDY_DEMO_SECONDS:-0}}"
