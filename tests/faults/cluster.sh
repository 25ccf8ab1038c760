# shellcheck shell=bash
# A cluster for the fault and soak scripts (tests/faults/run.sh, tests/faults/soak.sh): Redis
# (append-only file on), PostgreSQL, one gateway, two workers and the scheduler, each server
# process under the local runner's watchdog (deploy/local/supervise.sh) as in production, on
# ports from PORT_BASE with state under VAR, and ACCOUNTS accounts from FIRST_UIN with
# PASSWORD. Sourced after the caller set PORT_BASE, VAR, ACCOUNTS, FIRST_UIN and PASSWORD;
# builds Release unless ICQ_FAULTS_NO_BUILD=1; ICQ_FAULTS_LOG_LEVEL (warn) sets the servers' log.level. Defines LOADGEN (icq-loadgen aimed at the
# cluster, without --first-uin), child_pid <name> (a server process's current PID) and wait_until_serving.
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"
source "$ICQ_ROOT/deploy/local/supervise.sh"

UDP_PORT=$PORT_BASE
ADMIN_BASE=$((PORT_BASE + 100))
REDIS_PORT=$((PORT_BASE + 379))
PG_PORT=$((PORT_BASE + 432))
BIN="$ICQ_ROOT/build/release"

install_packages python3 procps
[ "${ICQ_FAULTS_NO_BUILD:-0}" = 1 ] || build "$BIN" -DCMAKE_BUILD_TYPE=Release -DICQ_BUILD_TESTS=OFF

mkdir -p "$VAR/logs" "$VAR/run"
STATE=$(state_dir "$VAR")
PIDS=()
start_cluster_stores

write_load_config "$VAR/icq.yaml" tests/faults/cluster.sh "${ICQ_FAULTS_LOG_LEVEL:-warn}"
export ICQ_CONFIG="$VAR/icq.yaml"

psql_icq=(psql -h 127.0.0.1 -p "$PG_PORT" -U icq -d icq -qtAX)
"$BIN/tools/icqctl" migrate >/dev/null
last_uin=$((FIRST_UIN + ACCOUNTS - 1))
if [ "$("${psql_icq[@]}" -c "SELECT count(*) FROM users WHERE uin BETWEEN $FIRST_UIN AND $last_uin")" -ne "$ACCOUNTS" ]; then
  log "creating $ACCOUNTS accounts from UIN $FIRST_UIN"
  "${psql_icq[@]}" -c "DELETE FROM users WHERE uin BETWEEN $FIRST_UIN AND $last_uin"
  "$BIN/tools/icq-bench-users" --first-uin "$FIRST_UIN" --count "$ACCOUNTS" --password "$PASSWORD" \
    --opslimit 1 --memlimit-kib 8 | "${psql_icq[@]}" -c "COPY users (uin, password_hash, nick) FROM STDIN"
fi
# Messages a previous run left offline would reach this run's recipients as strangers' mail.
"${psql_icq[@]}" -c "DELETE FROM offline_messages"

start() {  # start <name> <binary> [args...]: under the watchdog, like the local runner
  local name=$1; shift
  supervise "$name" "$VAR/logs/$name.log" "$VAR/run/$name.pid" "$@"
  PIDS+=("$SUPERVISOR_PID")
}
admin() { echo "admin.listen=127.0.0.1:$((ADMIN_BASE + $1))"; }
start gateway "$BIN/gateway/icq-gateway" --set gateway.id=gateway-0 --set "$(admin 0)"
start worker-0 "$BIN/worker/icq-worker" --set worker.id=worker-0 --set "$(admin 1)"
start worker-1 "$BIN/worker/icq-worker" --set worker.id=worker-1 --set "$(admin 2)"
start scheduler "$BIN/scheduler/icq-scheduler" --set scheduler.id=scheduler-0 --set "$(admin 3)"
SERVER_NAMES=(gateway worker-0 worker-1 scheduler)
child_pid() { cat "$VAR/run/$1.pid"; }

LOADGEN=("$BIN/tools/icq-loadgen" --server "127.0.0.1:$UDP_PORT" --password "$PASSWORD")
wait_until_serving() {
  for _ in $(seq 150); do
    "${LOADGEN[@]}" --first-uin "$FIRST_UIN" --scenario keepalive --sessions 1 --duration 0.2 --connect-timeout 2 --quiet \
      --json "$VAR/smoke.json" >/dev/null 2>&1 && grep -q '"online_reached": 1' "$VAR/smoke.json" && return 0
    sleep 0.2
  done
  die "the cluster does not answer a V5 login; see $VAR/logs/"
}
wait_until_serving
