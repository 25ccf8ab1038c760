#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, build/fuzz) and runs each for a bounded
# time from its committed seeds (tests/fuzz/seeds/<target>), its earlier findings
# (tests/fuzz/regressions/<target>, every one replayed first) and the corpus earlier runs
# grew (var/fuzz/corpus/<target>). A crash, leak, timeout or out-of-memory fails the run and
# leaves the input in var/fuzz/findings/. Prints one Markdown row per target for
# docs/RELIABILITY.md.
#
#   tests/fuzz/run.sh [--seconds N] [target...]    (default: 10 s each, every target)
#   tests/fuzz/run.sh --build-only                 (what tests/run.sh does before the tests run)
#
# The test command runs the short form (ctest's fuzz_short); a long run is by hand, e.g.
# `tests/fuzz/run.sh --seconds 1800 v5_worker`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"

SECONDS_EACH=10
BUILD_ONLY=0
TARGETS=()
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_EACH=$2; shift 2 ;;
    --build-only) BUILD_ONLY=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
FUZZ_DIR="$ICQ_ROOT/tests/fuzz"
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=($(ls "$FUZZ_DIR"/*_fuzz.cpp | xargs -n1 basename | sed 's/_fuzz\.cpp$//'))

install_missing "${ICQ_FUZZ_PACKAGES[@]}"
BUILD="$ICQ_ROOT/build/fuzz"
log "building the fuzz targets in ${BUILD#$ICQ_ROOT/}"
cmake -S "$ICQ_ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DICQ_FUZZ=ON >/dev/null
cmake --build "$BUILD" --target icq_fuzzers -j "$(nproc)" >/dev/null
[ "$BUILD_ONLY" = 0 ] || exit 0

VAR="$ICQ_ROOT/var/fuzz"
mkdir -p "$VAR/findings"
failed=0
echo "| target | seconds | executions | executions/s | edges covered | corpus | result |"
echo "|---|---:|---:|---:|---:|---:|---|"
for target in "${TARGETS[@]}"; do
  binary="$BUILD/tests/fuzz/${target}_fuzz"
  [ -x "$binary" ] || die "no fuzz target '$target' (tests/fuzz/${target}_fuzz.cpp)"
  corpus="$VAR/corpus/$target"
  mkdir -p "$corpus" "$FUZZ_DIR/regressions/$target"
  output="$VAR/$target.log"
  result=ok
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a parser must not need 2 GiB.
  if ! "$binary" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$VAR/findings/$target-" "$corpus" "$FUZZ_DIR/regressions/$target" \
      "$FUZZ_DIR/seeds/$target" >"$output" 2>&1; then
    result="FAILED: $(grep -m1 -E 'ERROR:|SUMMARY:' "$output" || echo 'see log') — $output"
    failed=1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$output")
  edges=$(grep -oE 'cov: [0-9]+' "$output" | tail -1 | cut -d' ' -f2)
  files=$(find "$corpus" -type f | wc -l)
  echo "| $target | $SECONDS_EACH | ${executions:-0} | ${rate:-0} | ${edges:-?} | $files | $result |"
done
exit $failed
