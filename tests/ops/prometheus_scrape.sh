#!/usr/bin/env bash
# A real Prometheus (Debian package) scrapes a running local cluster — gateway, worker and
# scheduler with their own Redis and PostgreSQL — while a scripted V5 session runs; then its
# HTTP API must hold every metric family of docs/METRICS.md with sane values, promtool must
# accept every process's /metrics, and promtool must accept the chart's alert rules.
# Bounded: every wait has a deadline and the whole run stays under a minute; everything it
# starts is stopped by PID on any exit.
#
# Usage: prometheus_scrape.sh SOURCE_DIR WORK_DIR GATEWAY WORKER SCHEDULER ICQCTL V5_CLIENT
set -euo pipefail

SRC=$(cd "$1" && pwd)
WORK=$2
GATEWAY=$3 WORKER=$4 SCHEDULER=$5 ICQCTL=$6 CLIENT=$7
PY=/usr/bin/python3
RULES="$SRC/helm/icqcluster/files/prometheus-rules.yaml"
source "$SRC/deploy/local/lib.sh"
SECONDS=0

fail() { echo "FAIL: $*" >&2; exit 1; }
read -r REDIS_PORT PG_PORT UDP_PORT GW_ADMIN WK_ADMIN SCH_ADMIN PROM_PORT <<<"$(free_ports 7)"

rm -rf "$WORK" && mkdir -p "$WORK/logs"
STATE=$(state_dir "$WORK/state")
PIDS=()
stop_everything() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres "$STATE/pg" >/dev/null 2>&1 || true
  stop_redis "$STATE/redis" "$REDIS_PORT" >/dev/null 2>&1 || true
  [ $code -eq 0 ] || { echo "logs: $WORK/logs" >&2; tail -n 5 "$WORK"/logs/*.log >&2 || true; }
  exit $code
}
trap stop_everything EXIT
start_redis "$STATE/redis" "$REDIS_PORT"
start_postgres "$STATE/pg" "$PG_PORT"

cat >"$WORK/icq.yaml" <<YAML
redis: {port: $REDIS_PORT}
postgres: {url: "postgresql://icq:icq@127.0.0.1:$PG_PORT/icq"}
gateway: {udp_port: $UDP_PORT, udp_bind: 127.0.0.1, pipeline_bind: "tcp://127.0.0.1:*"}
YAML
export ICQ_CONFIG="$WORK/icq.yaml"
"$ICQCTL" migrate >"$WORK/logs/migrate.log"
"$ICQCTL" user create --uin 100000 --password secret1 --nick scrape >"$WORK/logs/user.log"

serve() {  # serve <name> <binary> <admin port> [args...]
  local name=$1 binary=$2 port=$3; shift 3
  "$binary" --set "admin.listen=127.0.0.1:$port" "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
}
serve gateway "$GATEWAY" "$GW_ADMIN" --set gateway.id=gateway-0
serve worker "$WORKER" "$WK_ADMIN" --set worker.id=worker-0
serve scheduler "$SCHEDULER" "$SCH_ADMIN" --set scheduler.id=scheduler-0

cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: icq
    static_configs:
      - {targets: ["127.0.0.1:$GW_ADMIN"], labels: {role: gateway}}
      - {targets: ["127.0.0.1:$WK_ADMIN"], labels: {role: worker}}
      - {targets: ["127.0.0.1:$SCH_ADMIN"], labels: {role: scheduler}}
YAML
promtool check config "$WORK/prometheus.yml" >"$WORK/logs/promtool-config.log"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/logs/prometheus.log" 2>&1 &
PIDS+=($!)

query() {  # query <PromQL>: the first result's value, or "" when there is none
  curl -s --max-time 2 --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    "$PY" -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' \
      2>/dev/null || true
}
wait_for() {  # wait_for <seconds> <PromQL> <value>: until the query gives the value
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(query "$2")" = "$3" ] && return 0
    sleep 0.25
  done
  fail "after $1 s, $2 is '$(query "$2")', not $3"
}

# All three scraped and ready (a worker is ready once it has found the gateway).
wait_for 20 'sum(up{job="icq"})' 3
wait_for 15 'sum(icq_ready)' 3

# A V5 session: login, keep-alives, logoff. While it lasts the scheduler sees one user online.
"$CLIENT" --port "$UDP_PORT" --uin 100000 --password secret1 --keepalives 4 >"$WORK/logs/client.log" 2>&1 &
CLIENT_PID=$!
PIDS+=($CLIENT_PID)
wait_for 10 'icq_online_users' 1
wait "$CLIENT_PID" || fail "the V5 session failed: $(cat "$WORK/logs/client.log")"
wait_for 10 'icq_online_users' 0
wait_for 5 'icq_worker_logins_total{result="accepted",version="5"} >= bool 1' 1
wait_for 5 'icq_worker_packets_total{command="CMD_KEEP_ALIVE",result="ok"} >= bool 4' 1
wait_for 5 'icq_gateway_udp_packets_received_total{version="5"} >= bool 6' 1
wait_for 5 'icq_gateway_udp_packets_sent_total >= bool 6' 1
wait_for 5 'icq_sessions_expired_total + icq_retransmit_giveups_total' 0

# Every family of docs/METRICS.md, as Prometheus stored it (histograms by their _bucket series).
curl -s --max-time 5 --get "http://127.0.0.1:$PROM_PORT/api/v1/label/__name__/values" >"$WORK/names.json"
"$PY" - "$WORK/names.json" <<'PYTHON'
import json, sys
names = set(json.load(open(sys.argv[1]))["data"])
histograms = """icq_redis_command_duration_seconds icq_db_query_duration_seconds icq_gateway_queue_wait_seconds
icq_worker_batch_duration_seconds icq_worker_stage_duration_seconds icq_scheduler_job_duration_seconds""".split()
others = """icq_build_info icq_ready process_cpu_seconds_total process_resident_memory_bytes
process_virtual_memory_bytes process_open_fds process_max_fds process_start_time_seconds
icq_redis_errors_total icq_db_errors_total
icq_gateway_udp_packets_received_total icq_gateway_udp_packets_sent_total icq_gateway_udp_bytes_received_total
icq_gateway_udp_bytes_sent_total icq_gateway_packets_dropped_total icq_gateway_busy_replies_total
icq_gateway_hold_queue_depth icq_gateway_worker_credits icq_gateway_workers_connected
icq_worker_packets_total icq_worker_decode_errors_total icq_worker_logins_total icq_worker_messages_total
icq_worker_busy_replies_total icq_online_users icq_retransmit_queue_depth icq_retransmits_total
icq_retransmit_giveups_total icq_sessions_expired_total icq_scheduler_job_runs_total
icq_scheduler_job_last_success_timestamp_seconds""".split()
missing = [h for h in histograms if h + "_bucket" not in names] + [n for n in others if n not in names]
print(f"{len(histograms) + len(others)} families expected, {len(missing)} missing in Prometheus")
if missing:
    print("missing:", *missing)
    sys.exit(1)
PYTHON

# What each process serves passes promtool's exposition-format checks.
for port in "$GW_ADMIN" "$WK_ADMIN" "$SCH_ADMIN"; do
  curl -sf --max-time 5 "http://127.0.0.1:$port/metrics" >"$WORK/metrics-$port.txt"
  promtool check metrics <"$WORK/metrics-$port.txt" || fail "promtool check metrics on port $port"
done
echo "promtool check metrics: the three /metrics pass"

if [ -f "$RULES" ]; then
  promtool check rules "$RULES"
else
  echo "SKIPPED promtool check rules: $RULES does not exist (the chart's plain rules file)"
fi
echo "OK in $SECONDS s"
