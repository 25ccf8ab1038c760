#!/usr/bin/env bash
# README command 1: install what is missing, build, and run a whole icqcluster on this
# machine — Redis, PostgreSQL, one gateway on UDP 4000, two workers and the scheduler —
# with a demo account. Ctrl-C stops everything. Safe to run again.
#
# Environment: ICQ_UDP_PORT (4000), ICQ_LOCAL_REDIS_PORT (16379), ICQ_LOCAL_PG_PORT (15432),
# ICQ_REDIS_CLUSTER (0; 1: a Redis Cluster of six nodes, three masters with a replica each, on
# ICQ_LOCAL_REDIS_PORT and the five ports after it),
# ICQ_WORKERS (2, at most 5), ICQ_DEMO_UIN (100000), ICQ_ADMIN_PORT (9464: the gateway's admin
# port; workers take the next ones, the scheduler ICQ_ADMIN_PORT + 6).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/supervise.sh"

UDP_PORT=${ICQ_UDP_PORT:-4000}
REDIS_PORT=${ICQ_LOCAL_REDIS_PORT:-16379}
PG_PORT=${ICQ_LOCAL_PG_PORT:-15432}
WORKERS=${ICQ_WORKERS:-2}
DEMO_UIN=${ICQ_DEMO_UIN:-100000}
ADMIN_PORT=${ICQ_ADMIN_PORT:-9464}
[ "$WORKERS" -le 5 ] || die "ICQ_WORKERS=$WORKERS: at most 5 (their admin ports lie between the gateway's and the scheduler's)"
VAR="$ICQ_ROOT/var/local"
BIN="$ICQ_ROOT/build/release"

install_packages
build "$BIN" -DCMAKE_BUILD_TYPE=Release -DICQ_BUILD_TESTS=OFF

mkdir -p "$VAR/logs" "$VAR/run"
STATE=$(state_dir "$VAR")
PIDS=()

# Redis lets in only the cluster's ACL user (lib.sh ICQ_REDIS_USER), with a password made once
# and kept like the demo password; the processes get it by environment, never in a file of theirs.
[ -s "$VAR/redis-password" ] || (umask 077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$VAR/redis-password")
REDIS_PASSWORD=$(cat "$VAR/redis-password")
export ICQ_REDIS_PASSWORD=$REDIS_PASSWORD
start_cluster_stores

if [ "${ICQ_REDIS_CLUSTER:-0}" = 1 ]; then
  REDIS_KEYS="cluster_nodes: $ICQ_REDIS_CLUSTER_SEEDS"
  REDIS_WHERE="a Redis Cluster on 127.0.0.1:$REDIS_PORT-$((REDIS_PORT + ICQ_REDIS_CLUSTER_NODES - 1)) (three masters, a replica each)"
else
  REDIS_KEYS="port: $REDIS_PORT
  unix_socket: $STATE/redis/redis.sock"
  REDIS_WHERE="Redis on 127.0.0.1:$REDIS_PORT"
fi
cat > "$VAR/icq.yaml" <<YAML
# Written by deploy/local/run.sh; every key is documented in docs/CONFIGURATION.md.
redis:
  $REDIS_KEYS
  username: $ICQ_REDIS_USER
postgres:
  url: postgresql://icq:icq@127.0.0.1:$PG_PORT/icq
gateway:
  udp_port: $UDP_PORT
  pipeline_bind: tcp://127.0.0.1:*
YAML
export ICQ_CONFIG="$VAR/icq.yaml"

# The demo password is made once and kept, so a second run prints the same credentials.
# Eight characters: ICQ 99 accepts no more. No pipes: under pipefail a SIGPIPE'd tr would fail.
if [ ! -s "$VAR/demo-password" ]; then
  alphabet=abcdefghijkmnpqrstuvwxyz23456789
  password=""
  for byte in $(od -An -N8 -tu1 /dev/urandom); do password+=${alphabet:byte%${#alphabet}:1}; done
  echo "$password" >"$VAR/demo-password"
fi
DEMO_PASSWORD=$(cat "$VAR/demo-password")
# The admin API's bearer token, kept like the demo password; only the scheduler gets it.
[ -s "$VAR/admin-token" ] || od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$VAR/admin-token"
ADMIN_TOKEN=$(cat "$VAR/admin-token")
"$BIN/tools/icqctl" migrate >/dev/null
"$BIN/tools/icqctl" user create --uin "$DEMO_UIN" --password "$DEMO_PASSWORD" --nick demo >/dev/null 2>&1 ||
  "$BIN/tools/icqctl" user passwd --uin "$DEMO_UIN" --password "$DEMO_PASSWORD" >/dev/null

start() {  # start <name> <binary> [args...]: under the watchdog, which starts it again if it dies
  local name=$1; shift
  supervise "$name" "$VAR/logs/$name.log" "$VAR/run/$name.pid" "$@"
  PIDS+=("$SUPERVISOR_PID")
}
# Every process has its own admin port (/metrics, /healthz, /readyz) on loopback.
admin() { echo "admin.listen=127.0.0.1:$(($ADMIN_PORT + $1))"; }
start gateway "$BIN/gateway/icq-gateway" --set gateway.id=gateway-0 --set "$(admin 0)"
for i in $(seq 0 $((WORKERS - 1))); do
  start "worker-$i" "$BIN/worker/icq-worker" --set "worker.id=worker-$i" --set "$(admin $((i + 1)))"
done
ICQ_ADMIN_API_TOKEN=$ADMIN_TOKEN start scheduler "$BIN/scheduler/icq-scheduler" --set scheduler.id=scheduler-0 --set "$(admin 6)"

# Prove the path end to end before telling anyone it works.
for _ in $(seq 50); do
  "$BIN/tools/icq-v5-client" --port "$UDP_PORT" --uin "$DEMO_UIN" --password "$DEMO_PASSWORD" >/dev/null 2>&1 && break
  sleep 0.2
done
"$BIN/tools/icq-v5-client" --port "$UDP_PORT" --uin "$DEMO_UIN" --password "$DEMO_PASSWORD" >"$VAR/logs/smoke.txt" 2>&1 ||
  die "the cluster does not answer a V5 login; see $VAR/logs/"

cat <<TEXT

  icqcluster is running: gateway on UDP 127.0.0.1:$UDP_PORT, $WORKERS workers, scheduler,
  $REDIS_WHERE (user $ICQ_REDIS_USER, password in var/local/redis-password),
  PostgreSQL on 127.0.0.1:$PG_PORT. Logs: var/local/logs/

  Demo account     UIN: $DEMO_UIN     password: $DEMO_PASSWORD

  Metrics (Prometheus text format) and health, one admin port per process:
    gateway    http://127.0.0.1:$ADMIN_PORT/metrics   (/healthz, /readyz)
    workers    http://127.0.0.1:$((ADMIN_PORT + 1))/metrics ... http://127.0.0.1:$((ADMIN_PORT + WORKERS))/metrics
    scheduler  http://127.0.0.1:$((ADMIN_PORT + 6))/metrics   (cluster gauges: icq_online_users)

  Admin API (docs/admin-api.yaml) and icqctl through it: status, sessions, disconnect, broadcast, pager:
    export ICQ_ADMIN_API=http://127.0.0.1:$((ADMIN_PORT + 6)) ICQ_ADMIN_API_TOKEN=\$(cat var/local/admin-token)
    $BIN/tools/icqctl status

  ICQ 99a/99b, ICQ 98a or another V5 client: in the client's server settings
  (ICQ 99: Preferences → Connections → Server) set host 127.0.0.1 (or this machine's
  address) and port $UDP_PORT, then register an existing UIN with the credentials above.
  From a terminal:  $BIN/tools/icq-v5-client --uin $DEMO_UIN --password $DEMO_PASSWORD --keepalives 3

  A server process that dies is started again (logged here and in its log).
  Press Ctrl-C to stop everything.
TEXT

wait
