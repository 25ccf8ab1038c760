#!/usr/bin/env bash
# The local runner's watchdog (deploy/local/supervise.sh) against a real process: a child
# killed with SIGKILL is started again and the restart is logged; one that dies again soon
# waits twice as long; stopping the watchdog stops its child and leaves no process behind.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/deploy/local/supervise.sh"
DIR=$(mktemp -d)
SUPERVISOR_PID=""
cleanup() {
  [ -z "$SUPERVISOR_PID" ] || kill -TERM "$SUPERVISOR_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; echo "--- watchdog log:"; cat "$DIR/watchdog.log" 2>/dev/null || true; exit 1; }
# wait_for <seconds> <what> <command...>: until the command succeeds, or fail at the deadline.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || fail "after ${seconds} s: $what"
    sleep 0.05
  done
}
starts() { [ -f "$DIR/starts" ] && wc -l <"$DIR/starts" || echo 0; }
started_times() { [ "$(starts)" -ge "$1" ]; }
logged() { grep -q -- "$1" "$DIR/watchdog.log" 2>/dev/null; }
current_pid() { cat "$DIR/child.pid" 2>/dev/null || true; }
is_new_child() { local p; p=$(current_pid); [ -n "$p" ] && [ "$p" != "$1" ] && kill -0 "$p" 2>/dev/null; }

SUPERVISE_MAX_DELAY_S=4
SUPERVISE_STEADY_S=60
supervise child "$DIR/child.log" "$DIR/child.pid" \
  bash -c 'echo "$$" >>"$0/starts"; echo "child $$ running"; exec sleep 300' "$DIR" 2>>"$DIR/watchdog.log"

wait_for 10 "the child starts" started_times 1
first=$(current_pid)
[ "$first" = "$(head -1 "$DIR/starts")" ] || fail "the pid file names $first, the child is $(head -1 "$DIR/starts")"

kill -KILL "$first"
wait_for 10 "a killed child is started again" is_new_child "$first"
logged "child exited with status 137; starting it again in 1 s (restart 1" || fail "the restart is not logged"
grep -q "child .* running" "$DIR/child.log" || fail "the child's output does not reach its log"

second=$(current_pid)
kill -KILL "$second"
wait_for 10 "a child that died again soon is started again" is_new_child "$second"
logged "starting it again in 2 s (restart 2" || fail "the second restart in a row does not wait longer"

third=$(current_pid)
kill -TERM "$SUPERVISOR_PID"
wait "$SUPERVISOR_PID" || true
SUPERVISOR_PID=""
! kill -0 "$third" 2>/dev/null || fail "stopping the watchdog left its child $third running"
[ ! -f "$DIR/child.pid" ] || fail "stopping the watchdog left the pid file"
[ "$(starts)" -eq 3 ] || fail "expected 3 starts, counted $(starts)"
echo "ok: restarted twice with back-off, stopped cleanly"
