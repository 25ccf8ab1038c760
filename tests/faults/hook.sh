#!/usr/bin/env bash
# tests/faults/hook.sh <run dir> <online|end>: icq-loadgen's --hook for tests/faults/run.sh;
# marks when the window opened, which is when the fault's clock starts.
set -euo pipefail
date +%s.%N >"$1/$2"
