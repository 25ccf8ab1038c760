#!/usr/bin/env bash
# Faults under load (docs/RELIABILITY.md "Faults under load"): builds Release, starts a cluster
# of its own (tests/faults/cluster.sh: every server process under the local runner's watchdog,
# as in production; ports from 37000, state under var/faults) and runs each fault
# below while icq-loadgen drives messaging between online pairs with --verify: every message
# acknowledged to its sender must reach its recipient, live or offline, and the load generator
# names any that did not. Per fault it writes var/faults/runs/<fault>/ (the report, the JSON,
# the per-second timeline, when the fault began and ended) and at the end prints the table for
# RELIABILITY.md (tests/faults/report.py). Exits 1 if any message was lost.
#
#   tests/faults/run.sh [fault...]     (default: all, in this order; about 12 minutes)
#
#   kill-worker     SIGKILL of worker-0; its watchdog starts it again
#   kill-gateway    SIGKILL of the gateway; clients' datagrams meet a closed port until it is back
#   kill-scheduler  SIGKILL of the scheduler
#   kill-redis      SIGKILL of redis-server, started again on its append-only file 2 s later
#   stop-postgres   PostgreSQL stopped (fast shutdown) for 60 s, then started again; meanwhile
#                   users who logged in before keep churning through login and logoff, and
#                   senders write to offline users (icq-loadgen offline --verify), which the
#                   protocol's retransmissions carry over the outage
#   pause-worker    SIGSTOP of worker-0 for 20 s, then SIGCONT
#
# Environment: ICQ_FAULTS_PORT_BASE (37000), ICQ_FAULTS_SESSIONS (1000), ICQ_FAULTS_RATE (2000
# messages/s offered), ICQ_FAULTS_AT (10: seconds into the window the fault begins),
# ICQ_FAULTS_NO_BUILD=1 (use the binaries already in build/release).
set -euo pipefail
PORT_BASE=${ICQ_FAULTS_PORT_BASE:-37000}
SESSIONS=${ICQ_FAULTS_SESSIONS:-1000}
RATE=${ICQ_FAULTS_RATE:-2000}
FAULT_AT=${ICQ_FAULTS_AT:-10}
FIRST_UIN=4000000
# stop-postgres's side loads: the offline scenario's senders and recipients, then the churn.
OFFLINE_UIN=$((FIRST_UIN + SESSIONS))
OFFLINE_SESSIONS=200
CHURN_UIN=$((OFFLINE_UIN + OFFLINE_SESSIONS))
CHURN_SESSIONS=50
ACCOUNTS=$((SESSIONS + OFFLINE_SESSIONS + CHURN_SESSIONS))
PASSWORD=faults1
ALL_FAULTS=(kill-worker kill-gateway kill-scheduler kill-redis stop-postgres pause-worker)
FAULTS=("$@")
[ ${#FAULTS[@]} -gt 0 ] || FAULTS=("${ALL_FAULTS[@]}")
for fault in "${FAULTS[@]}"; do
  [[ " ${ALL_FAULTS[*]} " == *" $fault "* ]] || { echo "unknown fault '$fault' (one of: ${ALL_FAULTS[*]})" >&2; exit 2; }
done
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VAR="$(cd "$HERE/../.." && pwd)/var/faults"
source "$HERE/cluster.sh"
RUNS="$VAR/runs"
rm -rf "$RUNS"
mkdir -p "$RUNS"

# inject <fault> <run dir>: begins the fault, waits its length, ends it; records both times.
inject() {
  local fault=$1 dir=$2
  date +%s.%N >"$dir/fault-start"
  case $fault in
    kill-worker) kill -KILL "$(child_pid worker-0)" ;;
    kill-gateway) kill -KILL "$(child_pid gateway)" ;;
    kill-scheduler) kill -KILL "$(child_pid scheduler)" ;;
    kill-redis)
      kill -KILL "$(cat "$STATE/redis/redis.pid")"
      sleep 2
      start_redis "$STATE/redis" "$REDIS_PORT"
      ;;
    stop-postgres)
      stop_postgres "$STATE/pg"
      # Five messages from each sender to an offline user: none can be stored until the
      # database is back, so each waits in its sender's retransmissions (12 tries: 132 s).
      "${LOADGEN[@]}" --first-uin "$OFFLINE_UIN" --scenario offline --sessions "$OFFLINE_SESSIONS" \
        --offline-messages 5 --duration 100 --verify --max-tries 12 --first-source 127.61.0.1 --quiet \
        --timeline "$dir/offline-timeline.csv" --json "$dir/offline.json" >"$dir/offline.txt" 2>&1 &
      SIDE_LOADS+=($!)
      sleep 60
      start_postgres "$STATE/pg" "$PG_PORT"
      ;;
    pause-worker)
      local pid
      pid=$(child_pid worker-0)
      kill -STOP "$pid"
      sleep 20
      kill -CONT "$pid"
      ;;
  esac
  date +%s.%N >"$dir/fault-end"
}

# The window outlasts the fault by 30 s, so that the recovery shows in it; then the load
# generator settles until every acknowledged message has arrived (or 180 s).
window_of() {
  case $1 in
    stop-postgres) echo $((FAULT_AT + 60 + 30)) ;;
    pause-worker) echo $((FAULT_AT + 20 + 30)) ;;
    *) echo $((FAULT_AT + 30)) ;;
  esac
}

# side_loads <fault> <run dir> <window>: what runs beside the messaging while the fault lasts.
# stop-postgres: login churn of users the workers remember (they logged in before the outage),
# and the offline senders and recipients logged in once, so that they are remembered too.
side_loads() {
  local fault=$1 dir=$2 window=$3
  [ "$fault" = stop-postgres ] || return 0
  "${LOADGEN[@]}" --first-uin "$OFFLINE_UIN" --scenario keepalive --sessions "$OFFLINE_SESSIONS" --duration 0.5 \
    --first-source 127.61.0.1 --quiet >/dev/null
  "${LOADGEN[@]}" --first-uin "$CHURN_UIN" --scenario churn --sessions "$CHURN_SESSIONS" --rate 10 \
    --duration "$window" --first-source 127.62.0.1 --quiet --timeline "$dir/churn-timeline.csv" \
    --json "$dir/churn.json" >"$dir/churn.txt" 2>&1 &
  SIDE_LOADS+=($!)
}

# wait_side_loads <run dir>: their reports after the main one; a loss among them counts too.
wait_side_loads() {
  local pid status
  for pid in "${SIDE_LOADS[@]}"; do
    status=0
    wait "$pid" || status=$?
    [ "$status" -ne 3 ] || lost=1
  done
  SIDE_LOADS=()
  for report in "$1"/offline.txt "$1"/churn.txt; do [ ! -f "$report" ] || cat "$report"; done
}

lost=0
SIDE_LOADS=()
for fault in "${FAULTS[@]}"; do
  dir="$RUNS/$fault"
  mkdir -p "$dir"
  log "fault $fault: $SESSIONS sessions, $RATE messages/s offered, the fault $FAULT_AT s into a $(window_of "$fault") s window"
  rm -f "$dir/online"
  status=0
  "${LOADGEN[@]}" --first-uin "$FIRST_UIN" --scenario messaging --sessions "$SESSIONS" --rate "$RATE" --duration "$(window_of "$fault")" \
    --verify --settle-timeout 180 --max-tries 10 --hook "$HERE/hook.sh $dir" --timeline "$dir/timeline.csv" \
    --json "$dir/result.json" >"$dir/report.txt" 2>"$dir/progress.txt" &
  loadgen=$!
  for _ in $(seq 3000); do [ -f "$dir/online" ] || [ ! -d "/proc/$loadgen" ] && break; sleep 0.1; done
  [ -f "$dir/online" ] || die "fault $fault: the load generator did not bring its sessions online; see $dir/"
  side_loads "$fault" "$dir" "$(window_of "$fault")"
  sleep "$FAULT_AT"
  inject "$fault" "$dir"
  wait "$loadgen" || status=$?
  cat "$dir/report.txt"
  wait_side_loads "$dir"
  [ "$status" -eq 0 ] || { [ "$status" -eq 3 ] && lost=1; } || die "fault $fault: icq-loadgen failed ($status)"
  # The next fault starts from a whole cluster: every process back and serving.
  wait_until_serving
done

python3 "$HERE/report.py" "$RUNS" "$RATE" "${FAULTS[@]}" | tee "$RUNS/table.md"
[ "$lost" -eq 0 ] || die "a fault lost acknowledged messages: see LOST in $RUNS/*/report.txt"
