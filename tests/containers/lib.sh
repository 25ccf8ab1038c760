# Shared by the container tests (run.sh: compose; kube_play.sh: the Helm chart): podman
# set up as shared/docs/TOOLING.md §3.4 found works in this sandbox, the host changes of
# rootful podman recorded and undone, the debootstrapped base image and the image builds.
# Sourced, not executed.
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"

WORK=${ICQ_CONTAINERS_WORK:-/var/tmp/icq-containers}
CONTEXT_MODE=${ICQ_CONTAINERS_CONTEXT:-head}
TAG=test
BASE_IMAGE=localhost/debian-base:bookworm
PACKAGES=(podman runc netavark aardvark-dns catatonit debootstrap podman-compose curl)
export ICQ_IMAGE=localhost/icqcluster:$TAG ICQ_REDIS_IMAGE=localhost/icq-redis:$TAG
export ICQ_POSTGRES_IMAGE=localhost/icq-postgres:$TAG ICQ_PROMETHEUS_IMAGE=localhost/icq-prometheus:$TAG
START=$SECONDS

is_root || die "rootful podman: run as root"
[ -r /etc/debian_version ] || die "this script installs what it needs with apt: Debian only"

step() { log "[$((SECONDS - START)) s] $*"; }

# begin <teardown function>: podman ready, the host's state noted, the teardown armed for
# every way out.
begin() {
  setup_podman
  remember_host
  trap "$1" EXIT
  trap 'exit 130' INT TERM
}

until_ok() {  # until_ok <seconds> <message if it never is> <command...>
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what"
    sleep 1
  done
}

# --- podman -------------------------------------------------------------------------------
# runc with cgroupfs (crun fails on hybrid cgroups), fixed ulimits (no CAP_SYS_RESOURCE),
# events to a file (no journald); all state, network definitions included, under $WORK.
setup_podman() {
  install_missing "${PACKAGES[@]}"
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
  # Name the build stage (all cached by now) so that the next build starts from its
  # packages, and drop the build stages of earlier builds (about 850 MB each). Not from
  # the working tree: files edited since the build would make it compile again.
  [ "$CONTEXT_MODE" = head ] || return 0
  podman build -f "$context/deploy/container/Containerfile" --build-arg BASE="$BASE_IMAGE" \
    --target build -t "localhost/icqcluster-build:$TAG" "$context" >/dev/null 2>&1
  podman image prune -f >/dev/null
}

# images: builds them, or with ICQ_CONTAINERS_REUSE=1 takes those of the last build.
images() {
  if [ "${ICQ_CONTAINERS_REUSE:-}" = 1 ]; then
    step "reusing the images of the last build"
  else
    base_image
    build_images
  fi
}
