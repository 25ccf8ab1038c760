#!/bin/sh
# One node of the chart's bundled Redis Cluster (redis.bundled.cluster.enabled): run by each pod
# of the Redis StatefulSet, and by tests/helm/redis_cluster_scripts.sh against local processes.
#
# A pod comes back from a restart with a new IP, and a whole-cluster restart gives every pod a
# new one: the addresses in nodes.conf are then stale and the nodes, which gossip by IP, never
# find each other again. Every node is announced under its stable DNS name as well
# (cluster-announce-hostname, kept in nodes.conf beside the IP), so before the server starts each
# peer's IP is looked up again from its name. The password stays off the command line: the ACL
# user list and masterauth go to files only this user can read, outside the data volume.
#
#   redis-cluster-node.sh <announced host name> <bind address> <port> <bus port> <data dir> <node timeout ms>
# Environment: ICQ_REDIS_PASSWORD. Users: icq (the processes: their keys, no dangerous
# commands) and icq-admin (replication and `redis-cli --cluster`), both with that password.
set -eu
name=$1 bind=$2 port=$3 bus=$4 data=$5 timeout=$6
nodes="$data/nodes.conf"
secrets=${TMPDIR:-/tmp}/icq-redis-$port

if [ -s "$nodes" ]; then
  # Lines are "<id> <ip>:<port>@<bus port>,<host name> <flags> ...": the IP is replaced when the
  # name resolves, anything else is kept as it was.
  while read -r id address rest; do
    host=${address#*,}
    ip=""
    [ "$host" = "$address" ] || ip=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
    if [ -n "$ip" ]; then echo "$id $ip:${address#*:} $rest"; else echo "$id $address $rest"; fi
  done <"$nodes" >"$nodes.resolved"
  mv "$nodes.resolved" "$nodes"
fi

umask 077
mkdir -p "$secrets"
cat >"$secrets/users.acl" <<ACL
user default off
user icq on >$ICQ_REDIS_PASSWORD ~icq:* &* +@all -@dangerous
user icq-admin on >$ICQ_REDIS_PASSWORD ~* &* +@all
ACL
cat >"$secrets/node.conf" <<CONF
aclfile $secrets/users.acl
masteruser icq-admin
masterauth $ICQ_REDIS_PASSWORD
CONF
exec redis-server "$secrets/node.conf" --bind "$bind" --port "$port" --protected-mode no --dir "$data" \
  --cluster-enabled yes --cluster-config-file "$nodes" --cluster-node-timeout "$timeout" \
  --cluster-announce-hostname "$name" --cluster-port "$bus" \
  --save '' --appendonly yes --appendfsync everysec
