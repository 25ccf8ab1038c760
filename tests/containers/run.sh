#!/usr/bin/env bash
# The container test, too slow for CI (it compiles the project inside the image build):
# builds the icqcluster image and the Redis/PostgreSQL/Prometheus stand-ins with podman
# from a debootstrapped Debian 12 base (no registry is reachable here), runs
# deploy/compose.yaml with podman-compose, and checks from outside what an operator would:
# a V5 login through each gateway's published UDP port, a wrong password refused,
# /healthz and /readyz of every icqcluster container, every admin port scraped by
# Prometheus with the login counted, and a gateway that stops cleanly on SIGTERM.
# Everything it started is removed on exit, pass or fail, and so are the host changes
# rootful podman makes that were not there before (shared/docs/TOOLING.md §3.4).
#
# Debian 12, as root. Environment:
#   ICQ_CONTAINERS_WORK      podman state, base image cache, logs (/var/tmp/icq-containers)
#   ICQ_CONTAINERS_CONTEXT   head: build what is committed (git archive HEAD); worktree: the
#                            working tree as it is (head)
#   ICQ_CONTAINERS_UDP_PORT  first gateway's published UDP port, the second gets +1 (35000)
#   ICQ_CONTAINERS_PROM_PORT Prometheus's published port (35090)
#   ICQ_CONTAINERS_KEEP=1    leave the cluster running (then remove it with --down)
#   ICQ_CONTAINERS_REUSE=1   run with the images of the last build instead of building
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UDP_PORT=${ICQ_CONTAINERS_UDP_PORT:-35000}
PROM_PORT=${ICQ_CONTAINERS_PROM_PORT:-35090}
PROJECT=icqtest
WORKERS=2
COMPOSE=(podman-compose -p "$PROJECT" -f "$ICQ_ROOT/deploy/compose.yaml")

# --- the cluster -------------------------------------------------------------------------
export ICQ_UDP_PORT=$UDP_PORT ICQ_UDP_PORT_2=$((UDP_PORT + 1)) ICQ_PROMETHEUS_PORT=$PROM_PORT
export ICQ_WORKERS=$WORKERS ICQ_DB_PASSWORD=icq-test-db ICQ_ADMIN_API_TOKEN=icq-test-token

down() {
  local status=$?
  trap - EXIT
  if [ "${ICQ_CONTAINERS_KEEP:-}" = 1 ] && [ "$status" -eq 0 ]; then
    log "left running (ICQ_CONTAINERS_KEEP=1); remove with: $0 --down"
    return
  fi
  step "tearing down"
  for c in $(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" 2>/dev/null); do
    [ "$status" -eq 0 ] || podman logs --tail 30 "$c" >"$WORK/logs/$(podman inspect -f '{{.Name}}' "$c").log" 2>&1 || true
  done
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
  podman pod rm -f "pod_$PROJECT" >/dev/null 2>&1 || true
  restore_host
  [ "$status" -eq 0 ] || log "FAILED after $((SECONDS - START)) s; last container logs in $WORK/logs/"
  exit "$status"
}

if [ "${1:-}" = --down ]; then
  setup_podman
  trap down EXIT
  exit 0
fi

# --- checks --------------------------------------------------------------------------------
container() { echo "${PROJECT}_$1_1"; }
icq_containers() {
  echo "$(container gateway-1) $(container gateway-2) $(container scheduler)"
  for i in $(seq "$WORKERS"); do echo "${PROJECT}_worker_$i"; done
}

# podman has no systemd here to run healthchecks on a timer, so run the compose file's
# healthcheck by hand until it passes.
wait_healthy() {  # wait_healthy <seconds> <container...>
  local seconds=$1; shift
  for c in "$@"; do until_ok "$seconds" "$c is not healthy" podman healthcheck run "$c"; done
}

client() {  # client <port> <password>: the project's V5 client, on the host's network
  podman run --rm --network host "$ICQ_IMAGE" icq-v5-client --port "$1" --uin 100000 --password "$2"
}

prom_query() {  # prom_query <promql>: the first value of an instant query, or nothing
  curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}

wait_prom() {  # wait_prom <seconds> <promql> <expected>: until the query returns <expected>
  local deadline=$((SECONDS + $1)) got=""
  until got=$(prom_query "$2" 2>/dev/null) && [ "$got" = "$3" ]; do
    [ $SECONDS -lt $deadline ] || die "Prometheus: '$2' is '${got}', want '$3'"
    sleep 2
  done
}

main() {
  begin down
  # A run that was killed may have left its cluster behind.
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f -t 0 >/dev/null
  podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null

  images

  # podman-compose 1.0.3 orders by depends_on but does not wait for conditions: start the
  # stores, wait for their healthchecks, migrate, then the rest, as `docker compose` would.
  local t0=$SECONDS
  step "starting Redis, PostgreSQL, Prometheus"
  "${COMPOSE[@]}" up -d redis postgres prometheus >"$WORK/logs/compose-up.log" 2>&1
  wait_healthy 60 "$(container redis)" "$(container postgres)"
  "${COMPOSE[@]}" up -d --no-deps migrate >>"$WORK/logs/compose-up.log" 2>&1
  [ "$(podman wait "$(container migrate)")" = 0 ] || { podman logs "$(container migrate)" >&2; die "icqctl migrate failed"; }
  step "schema migrated; starting gateways, workers, scheduler"
  "${COMPOSE[@]}" up -d >>"$WORK/logs/compose-up.log" 2>&1
  # shellcheck disable=SC2046
  wait_healthy 60 $(icq_containers)
  step "all containers healthy (/healthz) $((SECONDS - t0)) s after the first start"
  for c in $(icq_containers); do
    until_ok 30 "$c: /readyz is not 200" podman exec "$c" icq-healthcheck /readyz
    [ "$(podman exec "$c" id -u)" = 10001 ] || die "$c does not run as uid 10001"
  done

  podman exec "$(container scheduler)" icqctl user create --uin 100000 --password secret1 --nick box >/dev/null
  local out
  for port in "$UDP_PORT" "$((UDP_PORT + 1))"; do
    for _ in $(seq 20); do out=$(client "$port" secret1 2>&1) && break; sleep 0.5; done
    grep -q "login: accepted" <<<"$out" && grep -q "logoff: acknowledged" <<<"$out" ||
      { echo "$out" >&2; die "no V5 login through published UDP port $port"; }
    step "V5 login, keep-alive and logoff through published UDP port $port"
  done
  out=$(client "$UDP_PORT" wrong12 2>&1) && die "a wrong password logged in"
  grep -q "bad password" <<<"$out" || { echo "$out" >&2; die "a wrong password was not refused with SRV_BAD_PASS"; }

  step "waiting for Prometheus to scrape every admin port"
  wait_prom 90 'count(up{job=~"icq-.*"} == 1)' "$((WORKERS + 3))"
  wait_prom 60 'sum(icq_worker_logins_total{result="accepted"}) >= bool 2' 1
  step "Prometheus scrapes $((WORKERS + 3)) admin ports and counted the logins"

  # The gateway is PID 1 of its container: it must act on SIGTERM itself (exit 0, not
  # SIGKILLed at the end of the grace period, which podman reports as 137).
  t0=$SECONDS
  podman stop -t 20 "$(container gateway-2)" >/dev/null
  local code
  code=$(podman inspect -f '{{.State.ExitCode}}' "$(container gateway-2)")
  [ "$code" = 0 ] || die "gateway-2 exited with $code on SIGTERM"
  step "gateway-2 drained and stopped on SIGTERM in $((SECONDS - t0)) s"
  step "PASSED in $((SECONDS - START)) s"
}

main "$@"
