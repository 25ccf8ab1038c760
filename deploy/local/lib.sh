# Shared by deploy/local/run.sh (README command 1) and tests/run.sh (command 2):
# installing what is missing, building, and running Redis and PostgreSQL as
# unprivileged processes on loopback ports with their state under a directory we own.
# Sourced, not executed.

ICQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian bookworm packages: toolchain and libraries (shared/docs/TOOLING.md §1), which is
# all the container image's build stage needs, then the test framework and the servers.
ICQ_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config lld
  libzmq3-dev cppzmq-dev libhiredis-dev libpqxx-dev libpq-dev libsodium-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libcurl4-openssl-dev
  prometheus-cpp-dev libcivetweb-dev
)
ICQ_PACKAGES=("${ICQ_BUILD_PACKAGES[@]}" catch2 redis-server postgresql-15 postgresql-client-15)
# What only the tests need: promtool and a real Prometheus to scrape a running cluster,
# and the offline validators for the Helm chart's rendered manifests (TOOLING.md §3.3).
ICQ_TEST_PACKAGES=(prometheus yamllint python3-kubernetes python3-yaml curl openssl stunnel4 python3-aiosmtpd)
# The fuzz targets' compiler and libFuzzer runtime (tests/fuzz/run.sh).
ICQ_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

log() { printf '\033[1m[icq]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[icq] %s\033[0m\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# install_packages [package...]: ICQ_PACKAGES plus the ones named.
install_packages() { install_missing "${ICQ_PACKAGES[@]}" "$@"; }

# install_missing <package...>: installs only what is missing, so a second run costs one
# dpkg query.
install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  is_root || die "missing packages (${missing[*]}); run as root, or install them first"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build <dir> <cmake args...>
build() {
  local dir=$1; shift
  log "building in ${dir#$ICQ_ROOT/}"
  cmake -S "$ICQ_ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

PGBIN=/usr/lib/postgresql/15/bin

# as_user <user> <command...>: drop privileges when we have them (Redis and PostgreSQL
# run unprivileged; initdb refuses root outright).
as_user() {
  local user=$1; shift
  if is_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# state_dir <wanted>: the directory to keep server state in. The servers run as their
# own users, who must be able to reach it; a checkout under /root is not reachable, so
# fall back to a directory of ours under /var/tmp.
# free_ports N: N distinct loopback ports, free for TCP and UDP when tried, from below the
# kernel's ephemeral range: a port the kernel picks (bind to 0) is one it may hand to the next
# wildcard bind (a gateway's "tcp://127.0.0.1:*" pipeline) or outgoing connection before the
# server meant to have it binds it.
free_ports() {
  /usr/bin/python3 - "$1" <<'PY'
import random, socket, sys
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
picked = []
while len(picked) < int(sys.argv[1]):
    port = random.randint(1024, low - 1)
    socks = [socket.socket(socket.AF_INET, kind) for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", port))
        if port not in picked:
            picked.append(port)
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
print(" ".join(map(str, picked)))
PY
}

state_dir() {
  local wanted=$1
  mkdir -p "$wanted"
  if ! is_root || runuser -u postgres -- test -x "$wanted" 2>/dev/null; then
    echo "$wanted"
    return
  fi
  local fallback="/var/tmp/icqcluster-$(echo "$wanted" | md5sum | cut -c1-12)"
  log "$wanted is not reachable by the postgres user; keeping server state in $fallback"
  mkdir -p "$fallback"
  chmod 755 "$fallback"
  echo "$fallback"
}

# The cluster's Redis user when it has a password: its keys (icq:*), every command but the
# dangerous ones (no FLUSHALL, CONFIG, KEYS, SHUTDOWN...). tests/support/redis_server.hpp gives
# the tests' servers the same rules.
ICQ_REDIS_USER=icq
ICQ_REDIS_RULES='~icq:* &* +@all -@dangerous'

# start_redis <dir> <port> [password]: with a password, the default user is off and only
# ICQ_REDIS_USER gets in (an ACL file readable by Redis alone, so the password is in no
# command line).
start_redis() {
  local dir=$1 port=$2 password=${3:-}
  mkdir -p "$dir"
  is_root && chown redis:redis "$dir"
  stop_redis "$dir" "$port"
  local acl=()
  if [ -n "$password" ]; then
    (umask 077; printf 'user default off\nuser %s on >%s %s\n' "$ICQ_REDIS_USER" "$password" "$ICQ_REDIS_RULES" \
      >"$dir/users.acl")
    is_root && chown redis:redis "$dir/users.acl"
    acl=(--aclfile "$dir/users.acl")
  fi
  # Also on a Unix socket (redis.sock in its directory): the local runner and the bench talk to
  # it there, a fraction of the loopback's time per round trip. The append-only file keeps
  # what a session's next owner needs (unconfirmed messages among it) across a Redis crash.
  as_user redis redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' \
    --appendonly yes --appendfsync everysec \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --unixsocket "$dir/redis.sock" --unixsocketperm 777 "${acl[@]}"
  for _ in $(seq 100); do
    # NOAUTH is an answer too: the server is up, its default user off.
    redis-cli -h 127.0.0.1 -p "$port" ping 2>&1 | grep -qE 'PONG|NOAUTH' && return 0
    sleep 0.1
  done
  die "Redis did not start on port $port (see $dir/redis.log)"
}

# stop_redis <dir> <port>: SHUTDOWN (refused when the default user is off) or SIGTERM (Redis
# flushes its append-only file either way), and wait until it is gone so the port is free again.
stop_redis() {
  local dir=$1 port=$2 pid
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  [ -f "$dir/redis.pid" ] || return 0
  pid=$(cat "$dir/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$dir/redis.pid"
}

# start_redis_cluster <dir> <first port> [password]: a Redis Cluster of six nodes on the ports
# from <first port> (their cluster bus 1000 above), three masters with a replica each, as
# `redis-cli --cluster create` makes it; with a password like start_redis, the replicas
# authenticating to their masters as ICQ_REDIS_USER (from a file of each node's, not the
# command line). The cluster is created, checked and replicated by a second user,
# ICQ_REDIS_CLUSTER_ADMIN (same password): icqcluster's own may not run INFO, CLUSTER MEET or
# PSYNC. A cluster already created in <dir> is started again as it was.
ICQ_REDIS_CLUSTER_NODES=6
ICQ_REDIS_CLUSTER_ADMIN=icq-admin
start_redis_cluster() {
  local dir=$1 first=$2 password=${3:-} i port nodes=() seeds=""
  for i in $(seq 0 $((ICQ_REDIS_CLUSTER_NODES - 1))); do
    port=$((first + i))
    local node="$dir/node-$i"
    mkdir -p "$node"
    is_root && chown redis:redis "$node"
    stop_redis "$node" "$port"
    (umask 077
     printf 'cluster-enabled yes\ncluster-config-file %s\ncluster-port %s\ncluster-node-timeout 3000\n' \
       "$node/nodes.conf" $((port + 1000)) >"$node/node.conf"
     if [ -n "$password" ]; then
       printf 'user default off\nuser %s on >%s %s\nuser %s on >%s ~* &* +@all\n' "$ICQ_REDIS_USER" "$password" \
         "$ICQ_REDIS_RULES" "$ICQ_REDIS_CLUSTER_ADMIN" "$password" >"$node/users.acl"
       printf 'aclfile %s\nmasteruser %s\nmasterauth %s\n' "$node/users.acl" "$ICQ_REDIS_CLUSTER_ADMIN" "$password" \
         >>"$node/node.conf"
     fi)
    is_root && chown redis:redis "$node"/*
    as_user redis redis-server "$node/node.conf" --bind 127.0.0.1 --port "$port" --daemonize yes --save '' \
      --appendonly yes --appendfsync everysec --dir "$node" --pidfile "$node/redis.pid" --logfile "$node/redis.log"
    nodes+=("127.0.0.1:$port")
    seeds+="${seeds:+,}127.0.0.1:$port"
  done
  # The password by environment (REDISCLI_AUTH), never on a command line.
  cli() {
    if [ -n "$password" ]; then REDISCLI_AUTH=$password redis-cli --user "$ICQ_REDIS_CLUSTER_ADMIN" "$@"
    else redis-cli "$@"; fi
  }
  for i in $(seq 0 $((ICQ_REDIS_CLUSTER_NODES - 1))); do
    for _ in $(seq 100); do
      cli -p $((first + i)) ping 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
  done
  if ! cli -p "$first" cluster info 2>/dev/null | grep -q 'cluster_slots_assigned:16384'; then
    cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
      die "redis-cli --cluster create failed (see $dir/create.log)"
  fi
  for _ in $(seq 300); do
    cli -p "$first" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && { ICQ_REDIS_CLUSTER_SEEDS=$seeds; return 0; }
    sleep 0.1
  done
  die "the Redis Cluster in $dir did not become ready"
}

stop_redis_cluster() {
  local dir=$1 first=$2 i
  for i in $(seq 0 $((ICQ_REDIS_CLUSTER_NODES - 1))); do stop_redis "$dir/node-$i" $((first + i)); done
}

# start_postgres <dir> <port> [name=value...]: initialises the cluster on first use, then
# starts it (with the server settings given, e.g. ssl=on; values without spaces) and makes
# sure role and database "icq" exist.
start_postgres() {
  local dir=$1 port=$2 settings="" setting
  shift 2
  for setting in "$@"; do settings+=" -c $setting"; done
  mkdir -p "$dir"
  is_root && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_user postgres "$PGBIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  stop_postgres "$dir"
  as_user postgres "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off$settings" \
    start >/dev/null || die "PostgreSQL did not start (see $dir/server.log)"
  local psql=(psql -h 127.0.0.1 -p "$port" -U postgres -qtAX)
  "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='icq'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE ROLE icq LOGIN PASSWORD 'icq'"
  "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='icq'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE DATABASE icq OWNER icq"
}

stop_postgres() {
  local dir=$1
  if [ -f "$dir/postmaster.pid" ]; then
    as_user postgres "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# A local cluster's life cycle, shared by deploy/local/run.sh and bench/run.sh. The caller sets
# VAR (pid files in $VAR/run), STATE (the stores' data), REDIS_PORT, PG_PORT and the array PIDS
# of the processes it starts; start_cluster_stores first stops what a killed previous run left
# behind, starts Redis and PostgreSQL, and makes every exit stop it all (130 on Ctrl-C).
stop_cluster() {
  trap - EXIT
  log "stopping"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$VAR"/run/*.pid
  stop_postgres "$STATE/pg"
  if [ "${ICQ_REDIS_CLUSTER:-0}" = 1 ]; then stop_redis_cluster "$STATE/redis-cluster" "$REDIS_PORT"
  else stop_redis "$STATE/redis" "$REDIS_PORT"; fi
  log "stopped"
}

start_cluster_stores() {
  for pidfile in "$VAR"/run/*.pid; do
    [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  # ICQ_REDIS_CLUSTER=1: a six-node Redis Cluster instead (its seeds in ICQ_REDIS_CLUSTER_SEEDS).
  if [ "${ICQ_REDIS_CLUSTER:-0}" = 1 ]; then start_redis_cluster "$STATE/redis-cluster" "$REDIS_PORT" "${REDIS_PASSWORD:-}"
  else start_redis "$STATE/redis" "$REDIS_PORT" "${REDIS_PASSWORD:-}"; fi
  start_postgres "$STATE/pg" "$PG_PORT"
  trap stop_cluster EXIT
  trap 'exit 130' INT TERM
}

# write_load_config <file> <written by> <log level> [<redis line>...]: the configuration of a
# cluster one machine floods on purpose (bench/run.sh, tests/faults/cluster.sh): every key at its
# default but the per-source token bucket and the login rate limits, which such a flood trips.
# Each <redis line> (e.g. "unix_socket: /path") goes under redis:. Needs REDIS_PORT, PG_PORT and
# UDP_PORT.
write_load_config() {
  local file=$1 by=$2 level=$3 line
  shift 3
  {
    printf '# Written by %s; every key is documented in docs/CONFIGURATION.md.\n' "$by"
    printf 'log:\n  level: %s\nredis:\n  port: %s\n' "$level" "$REDIS_PORT"
    for line in "$@"; do printf '  %s\n' "$line"; done
    cat <<YAML
postgres:
  url: postgresql://icq:icq@127.0.0.1:$PG_PORT/icq
gateway:
  udp_bind: 127.0.0.1
  udp_port: $UDP_PORT
  pipeline_bind: tcp://127.0.0.1:*
  rate_per_s: 1000000
  rate_burst: 1000000
v5:
  login_rate_per_ip: 0
  login_rate_per_uin: 0
YAML
  } >"$file"
}
