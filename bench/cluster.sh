#!/usr/bin/env bash
# The inputs of docs/SCALING.md's capacity model, measured on a Redis Cluster: builds Release,
# starts six local Redis nodes (three masters with a replica each), PostgreSQL, one gateway,
# two workers and the scheduler on ports from 37000 (state under var/bench-cluster), then runs
# icq-loadgen at real client shapes and records, per window, what every process spent
# (bench/hook.sh, bench/cpu_ticks.py) and every Redis node's memory and command counts:
#
#   online-N      N sessions log in and each keeps alive once every 10 s (a 10 s window):
#                 Redis memory per online session, CPU per keep-alive
#   messaging     1,000 sessions exchange 2,000 messages/s: CPU per delivered message
#   …-flat        keep-alives and messages as fast as the cluster takes them: the cost per
#                 operation once every process is busy (at light load, wake-ups dominate it)
#   churn         1,000 cheap-hash accounts log in, send their contact list, log off, flat out:
#                 CPU per login (argon2id left out: its cost is in docs/BENCHMARKS.md)
#
# then a master killed under load (below), and prints the tables bench/cluster_report.py makes of
# them (docs/SCALING.md quotes them). About six minutes; safe to run again. Environment:
# ICQ_BENCH_PORT_BASE (37000), ICQ_BENCH_SESSIONS (20000), ICQ_BENCH_BUILD (build/bench),
# ICQ_BENCH_NO_BUILD=1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"

PORT_BASE=${ICQ_BENCH_PORT_BASE:-37000}
UDP_PORT=$PORT_BASE
ADMIN_BASE=$((PORT_BASE + 100))
REDIS_PORT=$((PORT_BASE + 200))
PG_PORT=$((PORT_BASE + 432))
SESSIONS=${ICQ_BENCH_SESSIONS:-20000}
BIN=${ICQ_BENCH_BUILD:-$ICQ_ROOT/build/bench}
VAR="$ICQ_ROOT/var/bench-cluster"
RUNS="$VAR/runs"
BENCH="$ICQ_ROOT/bench"
FIRST_UIN=2000000
PASSWORD=bench1
export ICQ_REDIS_CLUSTER=1

install_packages python3 procps curl
[ "${ICQ_BENCH_NO_BUILD:-0}" = 1 ] || build "$BIN" -DCMAKE_BUILD_TYPE=Release -DICQ_BUILD_TESTS=OFF
mkdir -p "$VAR/logs" "$VAR/run"
rm -rf "$RUNS" && mkdir -p "$RUNS"
STATE=$(state_dir "$VAR")
PIDS=()
start_cluster_stores
write_load_config "$VAR/icq.yaml" bench/cluster.sh warn "cluster_nodes: $ICQ_REDIS_CLUSTER_SEEDS"
export ICQ_CONFIG="$VAR/icq.yaml"

NODE_PORTS=$(seq "$REDIS_PORT" $((REDIS_PORT + ICQ_REDIS_CLUSTER_NODES - 1)) | paste -sd' ')
NAMED_PIDS=""
for port in $NODE_PORTS; do
  role=$(redis-cli -p "$port" ROLE | head -1)
  NAMED_PIDS+="redis-$role-$port=$(cat "$STATE/redis-cluster/node-$((port - REDIS_PORT))/redis.pid") "
done
NAMED_PIDS+="postgres=$(head -1 "$STATE/pg/postmaster.pid")"

psql_icq=(psql -h 127.0.0.1 -p "$PG_PORT" -U icq -d icq -qtAX)
"$BIN/tools/icqctl" migrate >/dev/null
have=$("${psql_icq[@]}" -c "SELECT count(*) FROM users WHERE uin BETWEEN $FIRST_UIN AND $((FIRST_UIN + SESSIONS - 1))")
if [ "$have" -ne "$SESSIONS" ]; then
  log "creating $SESSIONS bench accounts"
  "${psql_icq[@]}" -c "DELETE FROM users WHERE uin BETWEEN $FIRST_UIN AND $((FIRST_UIN + SESSIONS - 1))"
  "$BIN/tools/icq-bench-users" --first-uin "$FIRST_UIN" --count "$SESSIONS" --password "$PASSWORD" --opslimit 1 --memlimit-kib 8 |
    "${psql_icq[@]}" -c "COPY users (uin, password_hash, nick) FROM STDIN"
fi
"${psql_icq[@]}" -c "DELETE FROM offline_messages"

admin_port=$ADMIN_BASE
NAMED_METRICS=""
start() {  # start <name> <binary> [args...]
  local name=$1; shift
  setsid "$@" --set "admin.listen=127.0.0.1:$admin_port" >>"$VAR/logs/$name.log" 2>&1 &
  PIDS+=($!)
  NAMED_PIDS+=" $name=$!"
  NAMED_METRICS+="$name=$admin_port "
  admin_port=$((admin_port + 1))
  echo $! >"$VAR/run/$name.pid"
}
start gateway "$BIN/gateway/icq-gateway" --set gateway.id=bench-gw
start worker-0 "$BIN/worker/icq-worker" --set worker.id=bench-worker-0
start worker-1 "$BIN/worker/icq-worker" --set worker.id=bench-worker-1
start scheduler "$BIN/scheduler/icq-scheduler" --set scheduler.id=bench-scheduler

LOADGEN=("$BIN/tools/icq-loadgen" --threads 1 --server "127.0.0.1:$UDP_PORT" --password "$PASSWORD" --first-uin "$FIRST_UIN")
for _ in $(seq 100); do
  "${LOADGEN[@]}" --scenario keepalive --sessions 1 --duration 0.2 --connect-timeout 2 --quiet --json "$VAR/smoke.json" \
    >/dev/null 2>&1 && grep -q '"online_reached": 1' "$VAR/smoke.json" && break
  sleep 0.3
done
grep -q '"online_reached": 1' "$VAR/smoke.json" || die "the bench cluster does not answer a V5 login; see $VAR/logs/"

run_case() {  # run_case <name> <icq-loadgen arguments...>
  local name=$1; shift
  local dir="$RUNS/$name"
  mkdir -p "$dir"
  log "run $name: $*"
  for port in $NODE_PORTS; do redis-cli -p "$port" INFO memory >"$dir/memory-before-$port.txt"; done
  BENCH_RUN_DIR=$dir BENCH_REDIS_PORT="" BENCH_REDIS_NODES=$NODE_PORTS BENCH_PIDS=$NAMED_PIDS BENCH_METRICS=$NAMED_METRICS \
    "${LOADGEN[@]}" --hook "$BENCH/hook.sh" --json "$dir/result.json" "$@" |
    tee "$dir/report.txt"
}

run_case "online-$SESSIONS" --scenario keepalive --sessions "$SESSIONS" --rate $((SESSIONS / 10)) --duration 10
run_case messaging --scenario messaging --sessions 1000 --rate 2000 --duration 10
run_case keepalive-flat --scenario keepalive --sessions 1000 --duration 10
run_case messaging-flat --scenario messaging --sessions 1000 --duration 10
run_case churn --scenario churn --sessions 1000 --contacts 20 --duration 10

# Failover under load: 1,000 sessions exchange 1,000 messages/s for 30 s with every
# acknowledged message checked delivered (--verify); 8 s into the window the master of the first
# bench UIN's slot is killed with SIGKILL and its replica takes over. The timeline's seconds
# say how long traffic stopped and how many sessions the server had lost.
failover() {
  local dir="$RUNS/failover" port reply victim=""
  mkdir -p "$dir"
  log "run failover: a master killed 8 s into 30 s of messaging"
  "${LOADGEN[@]}" --scenario messaging --sessions 1000 --rate 1000 --duration 30 --verify --quiet \
    --timeline "$dir/timeline.csv" --json "$dir/result.json" >"$dir/report.txt" 2>&1 &
  local loadgen=$!
  until grep -q ',measure,' "$dir/timeline.csv" 2>/dev/null; do sleep 0.2; done
  sleep 8
  for port in $NODE_PORTS; do  # every node but the slot's master answers MOVED
    reply=$(redis-cli -p "$port" GET "probe{$FIRST_UIN}" 2>&1)
    [[ $reply == MOVED* ]] || { victim=$port; break; }
  done
  [ -n "$victim" ] || die "no master answers for UIN $FIRST_UIN's slot"
  echo "$victim $(date +%s.%N)" >"$dir/killed.txt"
  kill -KILL "$(cat "$STATE/redis-cluster/node-$((victim - REDIS_PORT))/redis.pid")"
  wait "$loadgen" || true
}
failover

python3 "$BENCH/cluster_report.py" "$RUNS" | tee "$RUNS/summary.md"
