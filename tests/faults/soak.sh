#!/usr/bin/env bash
# The soak (docs/RELIABILITY.md "Soak"): a cluster of its own (tests/faults/cluster.sh, ports
# from 38000, state under var/soak) under a steady mixed load for ICQ_SOAK_MINUTES (60), in
# rounds of two minutes: messaging between online pairs with --verify (nothing acknowledged may
# be lost), sessions keeping alive with a 20-contact list, and login/logoff churn, all paced.
# Every 30 s it samples each server process's resident memory and open descriptors, Redis's
# keys and memory, and PostgreSQL's offline messages, into var/soak/samples.csv; at the end
# tests/faults/soak_report.py prints how each moved between the end of the first round and the
# end (the table for RELIABILITY.md). Run by hand; exits 1 if a message was lost.
#
# Environment: ICQ_SOAK_MINUTES (60), ICQ_SOAK_PORT_BASE (38000), ICQ_FAULTS_NO_BUILD=1.
set -euo pipefail
PORT_BASE=${ICQ_SOAK_PORT_BASE:-38000}
MINUTES=${ICQ_SOAK_MINUTES:-60}
FIRST_UIN=5000000
PAIRS_SESSIONS=1000  # messaging: 500 pairs, 500 messages/s
IDLE_SESSIONS=2000   # keep-alive: one every 10 s each, 20 contacts
CHURN_SESSIONS=50    # churn: 10 cycles/s
ACCOUNTS=$((PAIRS_SESSIONS + IDLE_SESSIONS + CHURN_SESSIONS))
PASSWORD=soak1
ROUND_S=120
SAMPLE_S=30
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"
VAR="$ICQ_ROOT/var/soak"
source "$ICQ_ROOT/tests/faults/cluster.sh"
OUT="$VAR/soak"
rm -rf "$OUT"
mkdir -p "$OUT"
redis=(redis-cli -h 127.0.0.1 -p "$REDIS_PORT")

sample() {
  local line name pid
  line="$(date +%s)"
  for name in "${SERVER_NAMES[@]}"; do
    pid=$(child_pid "$name")
    line+=",$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status"),$(ls "/proc/$pid/fd" | wc -l)"
  done
  line+=",$("${redis[@]}" dbsize),$("${redis[@]}" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
  line+=",$("${psql_icq[@]}" -c "SELECT count(*) FROM offline_messages")"
  echo "$line" >>"$OUT/samples.csv"
}
header="unix_s"
for name in "${SERVER_NAMES[@]}"; do header+=",${name}_rss_kib,${name}_fds"; done
echo "$header,redis_keys,redis_used_memory,offline_messages" >"$OUT/samples.csv"

sampler() { while true; do sample; sleep "$SAMPLE_S"; done; }
sampler &
SAMPLER=$!
PIDS+=("$SAMPLER")

lost=0
rounds=$((MINUTES * 60 / ROUND_S))
for round in $(seq "$rounds"); do
  log "soak round $round of $rounds"
  dir="$OUT/round-$round"
  mkdir -p "$dir"
  common=(--duration "$ROUND_S" --quiet --threads 1)
  "${LOADGEN[@]}" "${common[@]}" --scenario messaging --first-uin "$FIRST_UIN" --sessions "$PAIRS_SESSIONS" --rate 500 \
    --verify --first-source 127.50.0.1 --json "$dir/messaging.json" >"$dir/messaging.txt" &
  messaging=$!
  "${LOADGEN[@]}" "${common[@]}" --scenario keepalive --first-uin $((FIRST_UIN + PAIRS_SESSIONS)) \
    --sessions "$IDLE_SESSIONS" --rate $((IDLE_SESSIONS / 10)) --contacts 20 --first-source 127.51.0.1 \
    --json "$dir/keepalive.json" >"$dir/keepalive.txt" &
  keepalive=$!
  "${LOADGEN[@]}" "${common[@]}" --scenario churn --first-uin $((FIRST_UIN + PAIRS_SESSIONS + IDLE_SESSIONS)) \
    --sessions "$CHURN_SESSIONS" --rate 10 --first-source 127.52.0.1 --json "$dir/churn.json" >"$dir/churn.txt" &
  churn=$!
  status=0
  wait "$messaging" || status=$?
  wait "$keepalive" "$churn" || true
  [ "$status" -ne 3 ] || { lost=1; grep LOST "$dir/messaging.txt" >&2; }
done
sample
kill "$SAMPLER" 2>/dev/null || true

python3 "$ICQ_ROOT/tests/faults/soak_report.py" "$OUT" | tee "$OUT/table.md"
[ "$lost" -eq 0 ] || die "the soak lost acknowledged messages: see LOST in $OUT/round-*/messaging.txt"
