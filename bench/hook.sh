#!/usr/bin/env bash
# bench/hook.sh <online|end>: called by icq-loadgen (--hook) at the edges of its measurement
# window, so that what the server spent is read over exactly the window the load generator
# counted. Writes into $BENCH_RUN_DIR:
#   online: Redis memory with every session online, then resets Redis's command statistics;
#           CPU ticks of every server process tree and of the load generator (cpu-start.txt);
#           each admin port's /metrics (metrics-start-NAME.txt); the kernel's UDP counters;
#   end:    Redis INFO commandstats and stats (commands, reads = round trips), CPU ticks, /metrics
#           and the UDP counters again (…-end…).
# With BENCH_PROFILE=1, perf samples every server process over the window (profile.txt).
# Environment: BENCH_RUN_DIR; BENCH_PIDS (space-separated name=pid, each counted with its whole
# process tree: bench/cpu_ticks.py); BENCH_REDIS_PORT and BENCH_METRICS (space-separated
# name=admin-port), either empty for a server that has none (a server compared by address);
# BENCH_REDIS_NODES (space-separated ports): every node of a Redis Cluster, whose memory,
# command statistics and stats go to the same files with "-PORT" before ".txt".
set -euo pipefail
event=$1
dir=$BENCH_RUN_DIR
here=$(dirname "${BASH_SOURCE[0]}")
redis_port=${BENCH_REDIS_PORT:-}
redis=(redis-cli -h 127.0.0.1 -p "$redis_port")

# cpu_ticks <file>: "name ticks" per server process tree, and the load generator's own ticks
# as "loadgen" (hook.sh's parent is the shell system() started; its parent is the load generator).
cpu_ticks() {
  local loadgen
  loadgen=$(ps -o ppid= -p "$PPID" | tr -d ' ')
  # shellcheck disable=SC2086
  python3 "$here/cpu_ticks.py" $BENCH_PIDS "self:loadgen=$loadgen" >"$1"
}

# metrics <edge>: each admin port's /metrics; a process that does not answer leaves no file.
metrics() {
  local entry
  for entry in ${BENCH_METRICS:-}; do
    curl -sf --max-time 5 "http://127.0.0.1:${entry#*=}/metrics" >"$dir/metrics-$1-${entry%%=*}.txt" ||
      rm -f "$dir/metrics-$1-${entry%%=*}.txt"
  done
}

# The kernel's UDP counters (RcvbufErrors: datagrams dropped for a full socket buffer, on any
# socket of this machine, the gateway's and the load generator's alike).
udp_counters() { grep '^Udp:' /proc/net/snmp >"$dir/udp-$1.txt" || true; }

case $event in
  online)
    if [ -n "$redis_port" ]; then
      "${redis[@]}" INFO memory >"$dir/memory-online.txt"
      "${redis[@]}" CONFIG RESETSTAT >/dev/null
    fi
    for node in ${BENCH_REDIS_NODES:-}; do
      redis-cli -p "$node" INFO memory >"$dir/memory-online-$node.txt"
      redis-cli -p "$node" CONFIG RESETSTAT >/dev/null
    done
    metrics start
    udp_counters start
    cpu_ticks "$dir/cpu-start.txt"
    if [ "${BENCH_PROFILE:-0}" = 1 ]; then
      pids=$(for e in $BENCH_PIDS; do echo "${e#*=}"; done | paste -sd,)
      # A software clock: this machine has no hardware counters (perf stat -e instructions: not supported).
      setsid perf record -q -F 499 -e cpu-clock -p "$pids" -o "$dir/perf.data" >/dev/null 2>&1 &
      echo $! >"$dir/perf.pid"
    fi
    ;;
  end)
    cpu_ticks "$dir/cpu-end.txt"
    udp_counters end
    metrics end
    if [ -n "$redis_port" ]; then
      "${redis[@]}" INFO commandstats >"$dir/commandstats.txt"
      "${redis[@]}" INFO stats >"$dir/stats.txt"
    fi
    for node in ${BENCH_REDIS_NODES:-}; do
      redis-cli -p "$node" INFO commandstats >"$dir/commandstats-$node.txt"
      redis-cli -p "$node" INFO stats >"$dir/stats-$node.txt"
    done
    if [ -f "$dir/perf.pid" ]; then
      kill -INT "$(cat "$dir/perf.pid")" 2>/dev/null || true
      while kill -0 "$(cat "$dir/perf.pid")" 2>/dev/null; do sleep 0.1; done
      perf report -q -i "$dir/perf.data" --stdio --sort comm,dso,sym --percent-limit 0.7 >"$dir/profile.txt" 2>/dev/null || true
      rm -f "$dir/perf.pid"
    fi
    ;;
esac
