#!/usr/bin/env bash
# The chart's bundled Redis Cluster scripts (helm/icqcluster/files) against real redis-server
# processes on loopback: six nodes started by redis-cluster-node.sh as the StatefulSet starts
# them, the cluster made by redis-cluster-create.sh as the Job makes it (three masters with a
# replica each, the icq user allowed its keys only), and a second run of the Job finding it made.
# Then every node is stopped and the peers' IPs in each nodes.conf made stale, as after a
# whole-cluster restart in Kubernetes (every pod gets a new IP): started again, the nodes look
# their peers up by the announced name and the cluster is ok again, with the keys it held.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$ROOT/deploy/local/lib.sh"
FILES="$ROOT/helm/icqcluster/files"
DIR=$(mktemp -d)
export TMPDIR=$DIR ICQ_REDIS_PASSWORD=test-password-1
read -r -a PORTS <<<"$(free_ports 12)"
PIDS=()

stop_nodes() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  PIDS=()
}
trap 'stop_nodes; rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*"; tail -n 5 "$DIR"/node-*/log 2>/dev/null || true; exit 1; }
cli() { REDISCLI_AUTH=$ICQ_REDIS_PASSWORD redis-cli --no-auth-warning --user "$1" -p "$2" "${@:3}"; }
wait_for() {  # wait_for <seconds> <what> <command...>
  local seconds=$1 what=$2 deadline=$((SECONDS + $1)); shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "after $seconds s: $what"
    sleep 0.1
  done
}

start_nodes() {
  local i
  for i in 0 1 2 3 4 5; do
    mkdir -p "$DIR/node-$i"
    sh "$FILES/redis-cluster-node.sh" localhost 127.0.0.1 "${PORTS[$i]}" "${PORTS[$((i + 6))]}" \
      "$DIR/node-$i" 2000 >"$DIR/node-$i/log" 2>&1 &
    PIDS+=($!)
  done
}
cluster_ok() { cli icq-admin "${PORTS[0]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }
# Every replica has its master's replication link up and no node sees another as failing: a
# node that reached none of its peers still says cluster_state:ok until its node timeout passes,
# so that alone does not show the nodes found each other.
all_linked() {
  local i
  for i in 0 1 2 3 4 5; do
    ! cli icq-admin "${PORTS[$i]}" cluster nodes 2>/dev/null | grep -q fail || return 1
    if cli icq-admin "${PORTS[$i]}" info replication 2>/dev/null | grep -q '^role:slave'; then
      cli icq-admin "${PORTS[$i]}" info replication | grep -q '^master_link_status:up' || return 1
    fi
  done
  cluster_ok
}
count_role() { cli icq-admin "${PORTS[0]}" cluster nodes | awk -v role="$1" '$3 ~ role' | wc -l; }
three_masters_three_replicas() { [ "$(count_role master)" = 3 ] && [ "$(count_role slave)" = 3 ]; }
create() { sh "$FILES/redis-cluster-create.sh" 1 $(printf 'localhost:%s ' "${PORTS[@]:0:6}"); }

start_nodes
create >"$DIR/create.log" 2>&1 || fail "redis-cluster-create.sh: $(tail -n 5 "$DIR/create.log")"
cluster_ok || fail "the create script returned before cluster_state:ok"
# The first node learns the others' roles by gossip, a moment after the slots are assigned.
wait_for 20 "three masters with a replica each" three_masters_three_replicas
echo "ok: six nodes made a cluster of three masters with a replica each"
create >"$DIR/create-again.log" 2>&1 && grep -q "the cluster exists already" "$DIR/create-again.log" || fail "a second run of the Job did not find the cluster made: $(cat "$DIR/create-again.log")"
echo "ok: the Job run again leaves the cluster as it is"

cli icq "${PORTS[0]}" -c set 'icq:{100000}:probe' kept >/dev/null
[ "$(cli icq "${PORTS[0]}" -c get 'icq:{100000}:probe')" = kept ] || fail "the icq user cannot write its keys"
cli icq "${PORTS[0]}" -c set other 1 2>&1 | grep -q NOPERM || fail "the icq user may write keys outside icq:*"
echo "ok: the icq user reaches its keys on any node and no others"

stop_nodes
sed -i 's/ 127\.0\.0\.1:/ 192.0.2.1:/' "$DIR"/node-*/nodes.conf
grep -q ' 192\.0\.2\.1:' "$DIR/node-0/nodes.conf" || fail "the stale addresses were not written"
start_nodes
wait_for 60 "every node of the restarted cluster links to every other" all_linked
! grep -q '192\.0\.2\.1' "$DIR"/node-*/nodes.conf || fail "a stale address is left in nodes.conf"
[ "$(cli icq "${PORTS[0]}" -c get 'icq:{100000}:probe')" = kept ] || fail "the key is gone after the restart"
echo "ok: after a restart with every peer's address stale the cluster is ok again, key kept"
