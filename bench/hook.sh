#!/usr/bin/env bash
# bench/hook.sh <online|end>: called by icq-loadgen (--hook) at the edges of its measurement
# window, so that what the cluster spent is read over exactly the window the load generator
# counted. Writes into $BENCH_RUN_DIR:
#   online: Redis memory with every session online, then resets Redis's command statistics;
#           CPU ticks of every server process and of the load generator;
#   end:    Redis INFO commandstats and stats (commands, reads = round trips), CPU ticks again.
# With BENCH_PROFILE=1, perf samples every server process over the window (profile.txt).
# Environment: BENCH_RUN_DIR, BENCH_REDIS_PORT, BENCH_PIDS (space-separated name=pid).
set -euo pipefail
event=$1
dir=$BENCH_RUN_DIR
redis=(redis-cli -h 127.0.0.1 -p "$BENCH_REDIS_PORT")

# cpu_ticks: "name ticks" for each process (utime + stime, fields 14 and 15 of /proc/PID/stat),
# PostgreSQL's backends summed under its postmaster, the load generator under "loadgen".
cpu_ticks() {
  local name pid
  for entry in $BENCH_PIDS; do
    name=${entry%%=*}
    pid=${entry#*=}
    local pids=("$pid")
    [ "$name" = postgres ] && mapfile -t -O 1 pids < <(pgrep -P "$pid" || true)
    local total=0
    for p in "${pids[@]}"; do
      [ -r "/proc/$p/stat" ] || continue
      total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$name $total"
  done
  # hook.sh's parent is the shell that system() started; its parent is the load generator.
  local loadgen
  loadgen=$(ps -o ppid= -p "$PPID" | tr -d ' ')
  echo "loadgen $(awk '{print $14 + $15}' "/proc/$loadgen/stat")"
}

case $event in
  online)
    "${redis[@]}" INFO memory >"$dir/memory-online.txt"
    "${redis[@]}" CONFIG RESETSTAT >/dev/null
    cpu_ticks >"$dir/cpu-start.txt"
    if [ "${BENCH_PROFILE:-0}" = 1 ]; then
      pids=$(for e in $BENCH_PIDS; do echo "${e#*=}"; done | paste -sd,)
      # A software clock: this machine has no hardware counters (perf stat -e instructions: not supported).
      setsid perf record -q -F 499 -e cpu-clock -p "$pids" -o "$dir/perf.data" >/dev/null 2>&1 &
      echo $! >"$dir/perf.pid"
    fi
    ;;
  end)
    cpu_ticks >"$dir/cpu-end.txt"
    "${redis[@]}" INFO commandstats >"$dir/commandstats.txt"
    "${redis[@]}" INFO stats >"$dir/stats.txt"
    if [ -f "$dir/perf.pid" ]; then
      kill -INT "$(cat "$dir/perf.pid")" 2>/dev/null || true
      while kill -0 "$(cat "$dir/perf.pid")" 2>/dev/null; do sleep 0.1; done
      perf report -q -i "$dir/perf.data" --stdio --sort comm,dso,sym --percent-limit 0.7 >"$dir/profile.txt" 2>/dev/null || true
      rm -f "$dir/perf.pid"
    fi
    ;;
esac
