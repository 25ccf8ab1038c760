# shellcheck shell=bash
# supervise: the local runner's watchdog (deploy/local/run.sh), what Restart=on-failure is to
# the systemd units and restartPolicy to the chart. A server process that dies is started
# again after a back-off — 1 s, doubling up to SUPERVISE_MAX_DELAY_S while it keeps dying
# within SUPERVISE_STEADY_S of its start, back to 1 s once it has run that long — and each
# exit and restart is logged, so one crash never takes the whole cluster down.
# Sourced, not executed; tests/local/supervise_test.sh runs it against a real process.

SUPERVISE_MAX_DELAY_S=${SUPERVISE_MAX_DELAY_S:-30}
SUPERVISE_STEADY_S=${SUPERVISE_STEADY_S:-60}

# supervise <name> <log file> <pid file> <command...>: runs the command in a session of its
# own (a Ctrl-C reaches only the runner), appending its output to the log file, and keeps
# the current child's PID in the pid file. Prints nothing; sets SUPERVISOR_PID to the
# watchdog's PID: SIGTERM to it stops the child, waits for it and ends the watchdog.
supervise() {
  local name=$1 logfile=$2 pidfile=$3; shift 3
  supervise_loop "$name" "$logfile" "$pidfile" "$@" &
  # shellcheck disable=SC2034 # read by the caller
  SUPERVISOR_PID=$!
}

supervise_loop() {
  local name=$1 logfile=$2 pidfile=$3; shift 3
  local child="" nap="" delay=1 restarts=0 started status
  trap 'supervise_stop "$child" "$pidfile"; [ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM INT
  while true; do
    started=$SECONDS
    setsid "$@" >>"$logfile" 2>&1 &
    child=$!
    echo "$child" >"$pidfile"
    status=0
    wait "$child" || status=$?
    child=""
    if ((SECONDS - started >= SUPERVISE_STEADY_S)); then delay=1; fi
    restarts=$((restarts + 1))
    supervise_log "$name exited with status $status; starting it again in ${delay} s (restart $restarts; see $logfile)"
    sleep "$delay" &
    nap=$!
    wait "$nap" || true
    nap=""
    delay=$((delay * 2 > SUPERVISE_MAX_DELAY_S ? SUPERVISE_MAX_DELAY_S : delay * 2))
  done
}

# A child that ignores SIGTERM for 10 s gets SIGKILL: stopping the runner must not hang.
supervise_stop() {
  local child=$1 pidfile=$2
  [ -n "$child" ] || return 0
  kill -TERM "$child" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$child" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null || true
  wait "$child" 2>/dev/null || true
  rm -f "$pidfile"
}

supervise_log() { printf '\033[1m[icq]\033[0m %s %s\n' "$(date -u +%H:%M:%SZ)" "$*" >&2; }
