#!/usr/bin/env bash
# The Grafana dashboard against live traffic: a gateway, a worker and a scheduler with their
# own Redis and PostgreSQL, a real Prometheus (Debian package) scraping their admin ports with
# the chart's alert rules loaded, and a scripted V5 session (login, keep-alives); then every
# dashboard query is sent to Prometheus as Grafana would send it (query_dashboard.py), and
# the panels an operator looks at first must show the session, and every alert rule must have
# been evaluated against the real series without an error. Grafana itself is not
# packaged for Debian, so this is as close to "the dashboard shows live traffic" as this
# machine gets.
#
# Usage: live_dashboard.sh SOURCE_DIR WORK_DIR GATEWAY WORKER SCHEDULER ICQCTL V5_CLIENT
set -euo pipefail

SRC=$(cd "$1" && pwd)
WORK=$2
GATEWAY=$3 WORKER=$4 SCHEDULER=$5 ICQCTL=$6 CLIENT=$7
PY=/usr/bin/python3
source "$SRC/deploy/local/lib.sh"

read -r REDIS_PORT PG_PORT UDP_PORT GW_ADMIN WK_ADMIN SCH_ADMIN PROM_PORT <<<"$(free_ports 7)"

rm -rf "$WORK" && mkdir -p "$WORK/logs"
STATE=$(state_dir "$WORK/state")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_postgres "$STATE/pg"
  stop_redis "$STATE/redis" "$REDIS_PORT"
}
trap cleanup EXIT
start_redis "$STATE/redis" "$REDIS_PORT"
start_postgres "$STATE/pg" "$PG_PORT"

cat >"$WORK/icq.yaml" <<YAML
redis: {port: $REDIS_PORT}
postgres: {url: "postgresql://icq:icq@127.0.0.1:$PG_PORT/icq"}
gateway: {udp_port: $UDP_PORT, pipeline_bind: "tcp://127.0.0.1:*"}
admin: {api_token: live-dashboard}
YAML
export ICQ_CONFIG="$WORK/icq.yaml"
"$ICQCTL" migrate >"$WORK/logs/migrate.log"
UIN=$("$ICQCTL" --json user create --password secret1 --nick live | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["uin"])')

start() {  # start <name> <binary> <admin port> [args...]
  local name=$1 binary=$2 port=$3; shift 3
  "$binary" --set "admin.listen=127.0.0.1:$port" "$@" >"$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
}
start gateway "$GATEWAY" "$GW_ADMIN" --set gateway.id=gateway-0
start worker "$WORKER" "$WK_ADMIN" --set worker.id=worker-0
start scheduler "$SCHEDULER" "$SCH_ADMIN" --set scheduler.id=scheduler-0

# pod and namespace are what a Kubernetes scrape adds; the dashboard groups by them.
cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$SRC/helm/icqcluster/files/prometheus-rules.yaml"]
scrape_configs:
  - job_name: icqcluster
    static_configs:
      - {targets: ["127.0.0.1:$GW_ADMIN"], labels: {pod: gateway-0, namespace: icq}}
      - {targets: ["127.0.0.1:$WK_ADMIN"], labels: {pod: worker-0, namespace: icq}}
      - {targets: ["127.0.0.1:$SCH_ADMIN"], labels: {pod: scheduler-0, namespace: icq}}
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/logs/prometheus.log" 2>&1 &
PIDS+=($!)

# The session starts only once Prometheus scrapes all three and all three are ready, so its
# first packets fall inside the scraped history.
prom_value() {
  curl -s --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    "$PY" -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}
for _ in $(seq 120); do
  [ "$(prom_value 'sum(up)')" = 3 ] && [ "$(prom_value 'sum(icq_ready)')" = 3 ] && break
  sleep 0.25
done
[ "$(prom_value 'sum(icq_ready)')" = 3 ] || { echo "the three processes are not scraped ready; see $WORK/logs"; exit 1; }

# The panels are read while the client is still logged in (it keeps alive for 30 s), as an
# operator would watch them. A panel shows a rate only once Prometheus holds two scrapes of a
# counter that moved, and how soon that is depends on the machine: the panels are asked again
# until all of them show data, for as long as the client stays, and the last answer counts.
"$CLIENT" --port "$UDP_PORT" --uin "$UIN" --password secret1 --keepalives 30 >"$WORK/logs/client.log" 2>&1 &
CLIENT_PID=$!
PIDS+=("$CLIENT_PID")
query_panels() {
  "$PY" "$SRC/tests/helm/query_dashboard.py" "http://127.0.0.1:$PROM_PORT" \
    "$SRC/helm/icqcluster/dashboards/icqcluster.json" --rate-interval 30s \
    --require "Online users" --require "Datagrams in /s" --require "UDP datagrams /s" --require "UDP bytes /s" \
    --require "Datagrams in per gateway /s" --require "Worker packets by command /s (top 10)" \
    --require "Logins by result /s" --require "Worker stage latency p99" --require "Worker batch latency" \
    --require "Gateway queue wait (receive to worker)" --require "Workers connected per gateway" \
    --require "Worker credits held by gateways" --require "Scheduler job runs /s" \
    --require "Redis command latency p99" --require "PostgreSQL query latency p99" \
    --require "CPU by pod" --require "Resident memory by pod" --require "Running versions"
}
deadline=$((SECONDS + 25))
until query_panels >"$WORK/logs/panels.txt" || ((SECONDS >= deadline)); do sleep 1; done
cat "$WORK/logs/panels.txt"
grep -q " 0 errors$" "$WORK/logs/panels.txt"
wait "$CLIENT_PID" || { echo "the V5 session failed: $(cat "$WORK/logs/client.log")"; exit 1; }

# Prometheus evaluated every alert rule against the real series without an error.
curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules" | "$PY" -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
bad = [r["name"] + ": " + (r.get("lastError") or r["health"]) for r in rules if r["health"] != "ok"]
print(f"{len(rules)} alert rules loaded, {len(bad)} failing to evaluate")
print("\n".join(bad))
sys.exit(1 if bad or not rules else 0)'
