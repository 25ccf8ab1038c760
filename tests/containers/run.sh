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
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"

WORK=${ICQ_CONTAINERS_WORK:-/var/tmp/icq-containers}
CONTEXT_MODE=${ICQ_CONTAINERS_CONTEXT:-head}
UDP_PORT=${ICQ_CONTAINERS_UDP_PORT:-35000}
PROM_PORT=${ICQ_CONTAINERS_PROM_PORT:-35090}
PROJECT=icqtest
WORKERS=2
TAG=test
BASE_IMAGE=localhost/debian-base:bookworm
COMPOSE=(podman-compose -p "$PROJECT" -f "$ICQ_ROOT/deploy/compose.yaml")
PACKAGES=(podman runc netavark aardvark-dns catatonit debootstrap podman-compose curl)
START=$SECONDS

is_root || die "rootful podman: run as root"
[ -r /etc/debian_version ] || die "this script installs what it needs with apt: Debian only"
export DEBIAN_FRONTEND=noninteractive

step() { log "[$((SECONDS - START)) s] $*"; }

# --- podman, configured as TOOLING.md §3.4 found works in this sandbox -------------------
# runc with cgroupfs (crun fails on hybrid cgroups), fixed ulimits (no CAP_SYS_RESOURCE),
# events to a file (no journald); all state, network definitions included, under $WORK.
setup_podman() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p "$WORK/podman" "$WORK/logs"
  cat >"$WORK/podman/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/podman/events.log"
tmp_dir = "$WORK/podman/tmp"
[network]
network_backend = "netavark"
network_config_dir = "$WORK/podman/networks"
EOF
  cat >"$WORK/podman/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$WORK/podman/run"
graphroot = "$WORK/podman/root"
EOF
  export CONTAINERS_CONF="$WORK/podman/containers.conf" CONTAINERS_STORAGE_CONF="$WORK/podman/storage.conf"
}

# --- host side effects: remember what was there, put it back afterwards ----------------
HOST_DIRS=(/etc/containers/networks /var/lib/containers/cache /run/libpod /run/containers/networks)
remember_host() {
  : >"$WORK/host-before"
  for d in "${HOST_DIRS[@]}"; do [ -e "$d" ] && echo "$d" >>"$WORK/host-before"; done
  iptables-save 2>/dev/null | grep -q NETAVARK && echo iptables >>"$WORK/host-before"
  echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)" >>"$WORK/host-before"
}

restore_host() {
  [ -f "$WORK/host-before" ] || return 0
  local undone=()
  for d in "${HOST_DIRS[@]}"; do
    if [ -e "$d" ] && ! grep -qx "$d" "$WORK/host-before"; then
      rm -rf "$d"
      undone+=("$d")
    fi
  done
  if ! grep -qx iptables "$WORK/host-before" && iptables-save 2>/dev/null | grep -q NETAVARK; then
    undone+=("iptables NETAVARK chains")
    for table in nat filter; do
      iptables -t "$table" -S 2>/dev/null | grep -- '-j NETAVARK' | sed 's/^-A/-D/' |
        while read -r rule; do eval "iptables -t $table $rule" || true; done
      # Flush them all before deleting any: they jump to each other.
      local chains
      chains=$(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ { print $2 }')
      for chain in $chains; do iptables -t "$table" -F "$chain" || true; done
      for chain in $chains; do iptables -t "$table" -X "$chain" || true; done
    done
  fi
  local forward
  forward=$(grep ip_forward "$WORK/host-before")
  if [ "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)" != "$forward" ]; then
    sysctl -qw "net.ipv4.$forward" || true
    undone+=("net.ipv4.$forward")
  fi
  rm -f "$WORK/host-before"
  [ ${#undone[@]} -eq 0 ] || step "host changes undone: ${undone[*]}"
}

# --- the cluster -------------------------------------------------------------------------
export ICQ_IMAGE=localhost/icqcluster:$TAG ICQ_REDIS_IMAGE=localhost/icq-redis:$TAG
export ICQ_POSTGRES_IMAGE=localhost/icq-postgres:$TAG ICQ_PROMETHEUS_IMAGE=localhost/icq-prometheus:$TAG
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

# --- images --------------------------------------------------------------------------------
base_image() {
  podman image exists "$BASE_IMAGE" && return
  local tarball="$WORK/debian-bookworm-rootfs.tar"
  if [ ! -s "$tarball" ]; then
    local mirror
    mirror=$(grep -rhoE 'https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1)
    step "debootstrap bookworm from ${mirror:=http://deb.debian.org/debian}"
    rm -rf "$WORK/rootfs"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" "$mirror" >"$WORK/logs/debootstrap.log"
    rm -rf "$WORK"/rootfs/var/cache/apt/archives/*.deb "$WORK"/rootfs/var/lib/apt/lists/*
    tar -C "$WORK/rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$WORK/rootfs"
  fi
  step "importing the base image"
  podman import --change 'CMD ["/bin/bash"]' "$tarball" "$BASE_IMAGE" >/dev/null
}

build_images() {
  local context="$ICQ_ROOT"
  if [ "$CONTEXT_MODE" = head ]; then
    context="$WORK/context"
    rm -rf "$context" && mkdir -p "$context"
    git -C "$ICQ_ROOT" archive HEAD | tar -x -C "$context"
    step "building what is committed: $(git -C "$ICQ_ROOT" log -1 --format='%h %s' | cut -c1-70)"
  fi
  local t0=$SECONDS
  podman build -f "$context/deploy/container/Containerfile" --build-arg BASE="$BASE_IMAGE" \
    -t "$ICQ_IMAGE" "$context" >"$WORK/logs/build-icqcluster.log" 2>&1 ||
    { tail -30 "$WORK/logs/build-icqcluster.log"; die "image build failed (log: $WORK/logs/build-icqcluster.log)"; }
  step "icqcluster image built in $((SECONDS - t0)) s, $(podman image inspect -f '{{.Size}}' "$ICQ_IMAGE" | numfmt --to=si)B"
  t0=$SECONDS
  for target in redis postgres prometheus; do
    podman build -f "$context/deploy/container/services.Containerfile" --build-arg BASE="$BASE_IMAGE" \
      --target "$target" -t "localhost/icq-$target:$TAG" "$context" >"$WORK/logs/build-$target.log" 2>&1 ||
      die "stand-in image $target failed (log: $WORK/logs/build-$target.log)"
  done
  step "Redis, PostgreSQL and Prometheus stand-ins built in $((SECONDS - t0)) s"
}

# --- checks --------------------------------------------------------------------------------
container() { echo "${PROJECT}_$1_1"; }
icq_containers() {
  echo "$(container gateway-1) $(container gateway-2) $(container scheduler)"
  for i in $(seq "$WORKERS"); do echo "${PROJECT}_worker_$i"; done
}

# podman has no systemd here to run healthchecks on a timer, so run the compose file's
# healthcheck by hand until it passes.
wait_healthy() {  # wait_healthy <seconds> <container...>
  local deadline=$((SECONDS + $1)); shift
  for c in "$@"; do
    until podman healthcheck run "$c" >/dev/null 2>&1; do
      [ $SECONDS -lt $deadline ] || { podman logs --tail 20 "$c" >&2 || true; die "$c is not healthy"; }
      sleep 1
    done
  done
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
  setup_podman
  remember_host
  trap down EXIT
  trap 'exit 130' INT TERM
  # A run that was killed may have left its cluster behind.
  podman ps -aq --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman rm -f -t 0 >/dev/null
  podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null

  if [ "${ICQ_CONTAINERS_REUSE:-}" = 1 ]; then
    step "reusing the images of the last build"
  else
    base_image
    build_images
  fi

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
    podman exec "$c" icq-healthcheck /readyz || die "$c: /readyz is not 200"
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
