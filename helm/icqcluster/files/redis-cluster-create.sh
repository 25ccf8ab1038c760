#!/bin/sh
# Creates the chart's bundled Redis Cluster once (its Job), and by tests/helm/
# redis_cluster_scripts.sh against local processes: waits until every node answers, then, unless
# the slots are already assigned (an upgrade, or a Job run again), runs `redis-cli --cluster
# create` over their current IPs and waits for cluster_state:ok.
#
#   redis-cluster-create.sh <replicas per master> <host:port>...
# Environment: ICQ_REDIS_PASSWORD, the password of the icq-admin user (redis-cluster-node.sh).
set -eu
replicas=$1
shift
cli() { REDISCLI_AUTH=$ICQ_REDIS_PASSWORD redis-cli --no-auth-warning --user icq-admin "$@"; }
info() { cli -h "${1%:*}" -p "${1##*:}" cluster info 2>/dev/null; }

addresses=""
for node in "$@"; do
  until cli -h "${node%:*}" -p "${node##*:}" ping 2>/dev/null | grep -q PONG; do
    echo "waiting for $node"
    sleep 2
  done
  ip=$(getent ahostsv4 "${node%:*}" | awk 'NR == 1 { print $1 }')
  addresses="$addresses $ip:${node##*:}"
done

if info "$1" | grep -q '^cluster_slots_assigned:16384'; then
  echo "the cluster exists already"
else
  # shellcheck disable=SC2086 # one argument per node
  cli --cluster create $addresses --cluster-replicas "$replicas" --cluster-yes
fi
until info "$1" | grep -q '^cluster_state:ok'; do sleep 1; done
echo "cluster_state:ok"
