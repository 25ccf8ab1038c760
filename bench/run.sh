#!/usr/bin/env bash
# The benchmark suite in one command (README): builds Release, starts a cluster of its own —
# Redis, PostgreSQL, one gateway, two workers and the scheduler, on ports from 36000 with
# state under var/bench — measures the raw UDP baseline, runs every icq-loadgen scenario at a
# few sizes, the paced keep-alive at 100,000 sessions, latency at light load and a login storm,
# then the light loads again against icqd (the same roles in one process), and rewrites docs/BENCHMARKS.md and docs/benchmarks.png from what it measured.
# Bounded: about 25 minutes with the defaults (the first run on a fresh var/bench also spends a
# few minutes creating accounts: 1,000 at the production argon2id cost take about a minute on
# two cores). Safe to run again.
#
# Environment: ICQ_BENCH_PORT_BASE (36000), ICQ_BENCH_WORKERS (2), ICQ_BENCH_MAX_SESSIONS
# (100000), ICQ_BENCH_SECONDS (6, the measurement of each run), ICQ_BENCH_BUILD (build/bench),
# ICQ_BENCH_NO_BUILD=1 (use the binaries already in ICQ_BENCH_BUILD), ICQ_BENCH_NOTE (a
# sentence for the report, e.g. what else the machine was doing).
#
# The paced keep-alive: ICQ_BENCH_MAX_SESSIONS sessions each keeping alive every 10 s, measured
# over ICQ_BENCH_PACED_SECONDS (20: two keep-alives per session).
#
# The login storm: ICQ_BENCH_STORM clients (1000) with production-cost accounts (auth.* defaults)
# never logged in before log in at once while ICQ_BENCH_STORM_ONLINE sessions (10000) keep alive,
# one keep-alive every 10 s each; bounded by ICQ_BENCH_STORM_BOUND seconds (600 + 0.15 per storm
# client). The default size keeps the suite bounded: a storm costs at least N × one argon2id
# verification ÷ the threads that hash, at most one per core (0.15-0.25 s each on this 2-core
# machine), so issue 11's 10,000 (ICQ_BENCH_STORM=10000) take 13 minutes of storm or more, and
# about as long once to create their accounts. ICQ_BENCH_HASH_THREADS (the workers times
# auth.check_threads, the cores at the most): the threads that hash logins, for the report's formula.
#
# Side by side: ICQ_BENCH_COMPARE=host:port also runs keep-alive and messaging, flat out with
# 1,000 sessions and at 5,000/s and 2,000/s, against that V5 server once the cluster is stopped
# (loopback only, like icq-loadgen), and puts the two side by side in the report. Its accounts
# are the operator's to provision: UINs ICQ_BENCH_COMPARE_FIRST_UIN (2000000) to that + 999,
# each with password ICQ_BENCH_COMPARE_PASSWORD (bench1), and its per-address and login rate
# limits lifted as they are for the cluster below. ICQ_BENCH_COMPARE_PID: its PID, for its CPU
# (with its children's); without it the report says "not measured".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"

# What only the benchmark needs: the plot, the report writer, process CPU, the profiler, and
# the processes' /metrics.
BENCH_PACKAGES=(gnuplot-nox python3 procps linux-perf curl)

PORT_BASE=${ICQ_BENCH_PORT_BASE:-36000}
UDP_PORT=$PORT_BASE
ECHO_PORT=$((PORT_BASE + 1))
ADMIN_BASE=$((PORT_BASE + 100))
REDIS_PORT=$((PORT_BASE + 379))
PG_PORT=$((PORT_BASE + 432))
WORKERS=${ICQ_BENCH_WORKERS:-2}
MAX_SESSIONS=${ICQ_BENCH_MAX_SESSIONS:-100000}
SECONDS_PER_RUN=${ICQ_BENCH_SECONDS:-6}
BIN=${ICQ_BENCH_BUILD:-$ICQ_ROOT/build/bench}
VAR="$ICQ_ROOT/var/bench"
RUNS="$VAR/runs"
BENCH="$ICQ_ROOT/bench"

# Bench accounts. The large population is hashed at argon2id's minimum cost so that 100,000
# logins take seconds; the small pool at the production cost (auth.* defaults) is what the
# login-churn figure is quoted on, and the storm's accounts are at that cost too. All are real
# argon2id hashes with their own salts.
FIRST_UIN=2000000
PROD_FIRST_UIN=3000000
PROD_POOL=${ICQ_BENCH_PROD_POOL:-20}
STORM_FIRST_UIN=3100000
STORM=${ICQ_BENCH_STORM:-1000}
STORM_ONLINE=${ICQ_BENCH_STORM_ONLINE:-10000}
STORM_BOUND=${ICQ_BENCH_STORM_BOUND:-$((600 + STORM * 15 / 100))}
PACED_SECONDS=${ICQ_BENCH_PACED_SECONDS:-20}
PASSWORD=bench1
COMPARE=${ICQ_BENCH_COMPARE:-}
COMPARE_PID=${ICQ_BENCH_COMPARE_PID:-}
COMPARE_FIRST_UIN=${ICQ_BENCH_COMPARE_FIRST_UIN:-$FIRST_UIN}
COMPARE_PASSWORD=${ICQ_BENCH_COMPARE_PASSWORD:-$PASSWORD}
[ "$STORM_ONLINE" -le "$MAX_SESSIONS" ] || STORM_ONLINE=$MAX_SESSIONS

install_packages "${BENCH_PACKAGES[@]}"
[ "${ICQ_BENCH_NO_BUILD:-0}" = 1 ] || build "$BIN" -DCMAKE_BUILD_TYPE=Release -DICQ_BUILD_TESTS=OFF

mkdir -p "$VAR/logs" "$VAR/run"
rm -rf "$RUNS"
mkdir -p "$RUNS"
cut -d' ' -f1-3 /proc/loadavg >"$RUNS/loadavg-start.txt"
STATE=$(state_dir "$VAR")
PIDS=()
NAMED_PIDS=""

start_cluster_stores

# Everything at its default but what a flood from one machine trips on purpose: the per-source
# token bucket and the login rate limits (docs/CONFIGURATION.md), and the log level.
write_load_config "$VAR/icq.yaml" bench/run.sh warn "unix_socket: $STATE/redis/redis.sock"
export ICQ_CONFIG="$VAR/icq.yaml"

# The production argon2id cost: the auth.* defaults as the binaries document them.
# (Read whole before matching: under pipefail, grep -q closing the pipe early would fail the test.)
reference=$("$BIN/gateway/icq-gateway" --config-reference 2>/dev/null || true)
default_of() { sed -n "s/^| \`$1\` | \`\([0-9]*\)\`.*/\1/p" <<<"$reference"; }
PROD_OPSLIMIT=$(default_of auth.argon2_opslimit)
PROD_MEMLIMIT_KIB=$(default_of auth.argon2_memlimit_kib)
[ -n "$PROD_OPSLIMIT" ] && [ -n "$PROD_MEMLIMIT_KIB" ] || die "no auth.argon2_* defaults in the configuration reference"
PROD_COST=(--opslimit "$PROD_OPSLIMIT" --memlimit-kib "$PROD_MEMLIMIT_KIB")
HASH_THREADS=${ICQ_BENCH_HASH_THREADS:-$((WORKERS * $(default_of auth.check_threads)))}

psql_icq=(psql -h 127.0.0.1 -p "$PG_PORT" -U icq -d icq -qtAX)
"$BIN/tools/icqctl" migrate >/dev/null
# create_users <first> <count> [icq-bench-users options]: only what is missing (a second run is quick).
create_users() {
  local first=$1 count=$2; shift 2
  local have
  have=$("${psql_icq[@]}" -c "SELECT count(*) FROM users WHERE uin BETWEEN $first AND $((first + count - 1))")
  [ "$have" -eq "$count" ] && return 0
  log "creating $count bench accounts from UIN $first"
  "${psql_icq[@]}" -c "DELETE FROM users WHERE uin BETWEEN $first AND $((first + count - 1))"
  "$BIN/tools/icq-bench-users" --first-uin "$first" --count "$count" --password "$PASSWORD" "$@" |
    "${psql_icq[@]}" -c "COPY users (uin, password_hash, nick) FROM STDIN"
}
create_users "$FIRST_UIN" "$MAX_SESSIONS" --opslimit 1 --memlimit-kib 8
create_users "$PROD_FIRST_UIN" "$PROD_POOL" "${PROD_COST[@]}"
create_users "$STORM_FIRST_UIN" "$STORM" "${PROD_COST[@]}"
"${psql_icq[@]}" -c "DELETE FROM offline_messages" 2>/dev/null || true

# Newer binaries open an admin HTTP port (admin.listen); give each server process one of ours,
# and read its /metrics around each window (NAMED_METRICS).
admin_port=$ADMIN_BASE
has_admin_port=0
[[ $reference == *'`admin.listen`'* ]] && has_admin_port=1
NAMED_METRICS=""
start() {  # start <name> <binary> [args...]
  local name=$1; shift
  local extra=()
  if [ "$has_admin_port" = 1 ] && [ "$name" != echo ]; then
    extra=(--set "admin.listen=127.0.0.1:$admin_port")
    NAMED_METRICS+="$name=$admin_port "
    admin_port=$((admin_port + 1))
  fi
  setsid "$@" "${extra[@]}" >>"$VAR/logs/$name.log" 2>&1 &
  PIDS+=($!)
  NAMED_PIDS+="$name=$! "
  echo $! >"$VAR/run/$name.pid"
}
start gateway "$BIN/gateway/icq-gateway" --set gateway.id=bench-gw
for i in $(seq 0 $((WORKERS - 1))); do start "worker-$i" "$BIN/worker/icq-worker" --set "worker.id=bench-worker-$i"; done
start scheduler "$BIN/scheduler/icq-scheduler" --set scheduler.id=bench-scheduler
NAMED_PIDS+="redis=$(cat "$STATE/redis/redis.pid") postgres=$(head -1 "$STATE/pg/postmaster.pid")"
CLUSTER_PIDS=$NAMED_PIDS
start echo "$BIN/tools/icq-udp-echo" --bind 127.0.0.1 --port "$ECHO_PORT" --seconds 3600
NAMED_PIDS=$CLUSTER_PIDS  # the echo server is not part of what the cluster spends

LOADGEN=("$BIN/tools/icq-loadgen" --threads 1)
CLUSTER=(--server "127.0.0.1:$UDP_PORT" --password "$PASSWORD")
wait_for_login() {
  rm -f "$VAR/smoke.json"
  for _ in $(seq 100); do
    "${LOADGEN[@]}" "${CLUSTER[@]}" --scenario keepalive --first-uin "$FIRST_UIN" --sessions 1 --duration 0.2 --connect-timeout 2 \
      --quiet --json "$VAR/smoke.json" >/dev/null 2>&1 && grep -q '"online_reached": 1' "$VAR/smoke.json" && return 0
    sleep 0.3
  done
  die "the bench cluster does not answer a V5 login; see $VAR/logs/"
}
wait_for_login

# run_case <name> <icq-loadgen arguments...>: one measurement with its Redis, CPU and metrics
# records, against the server in TARGET (the cluster; the compared server at the end).
# BENCH_PROFILE=1 in the environment also samples the server processes with perf meanwhile.
TARGET=("${CLUSTER[@]}")
TARGET_PIDS=$NAMED_PIDS
TARGET_REDIS=$REDIS_PORT
TARGET_METRICS=$NAMED_METRICS
run_case() {
  local name=$1; shift
  local dir="$RUNS/$name"
  local duration=(--duration "$SECONDS_PER_RUN")
  [[ " $* " == *" --duration "* ]] && duration=()  # the case sets its own
  mkdir -p "$dir"
  log "run $name: $*"
  [ -z "$TARGET_REDIS" ] || redis-cli -h 127.0.0.1 -p "$TARGET_REDIS" INFO memory >"$dir/memory-before.txt"
  BENCH_RUN_DIR=$dir BENCH_REDIS_PORT=$TARGET_REDIS BENCH_PIDS=$TARGET_PIDS BENCH_METRICS=$TARGET_METRICS \
    BENCH_PROFILE=${BENCH_PROFILE:-0} \
    "${LOADGEN[@]}" "${TARGET[@]}" "${duration[@]}" --hook "$BENCH/hook.sh" --json "$dir/result.json" "$@" |
    tee "$dir/report.txt"
  echo "$*" >"$dir/args.txt"
}

SMALL=1000
MID=$((MAX_SESSIONS < 10000 ? MAX_SESSIONS : 10000))
users=(--first-uin "$FIRST_UIN")

# 1. The machine's own limit, measured now.
"${LOADGEN[@]}" --scenario raw --server "127.0.0.1:$ECHO_PORT" --first-uin 1 --sessions "$SMALL" --duration "$SECONDS_PER_RUN" \
  --json "$RUNS/raw.json" | tee "$RUNS/raw.txt"
mkdir -p "$RUNS/raw" && mv "$RUNS/raw.json" "$RUNS/raw/result.json" && mv "$RUNS/raw.txt" "$RUNS/raw/report.txt"

# 2. Keep-alive: flat out at each size (cost per packet as the population grows), then
#    offered-load steps for the plot, and the Redis memory per session with 20 contacts.
for n in $(printf '%s\n' "$SMALL" "$MID" "$MAX_SESSIONS" | sort -nu); do
  run_case "keepalive-flat-$n" --scenario keepalive "${users[@]}" --sessions "$n"
done
BENCH_PROFILE=1 run_case "keepalive-profile" --scenario keepalive "${users[@]}" --sessions "$MID"
for rate in 5000 10000 20000 40000 80000; do
  run_case "keepalive-rate-$rate" --scenario keepalive "${users[@]}" --sessions "$MID" --rate "$rate"
done
run_case "keepalive-contacts-$MID" --scenario keepalive "${users[@]}" --sessions "$MID" --contacts 20 --rate 1000

# 2b. Paced keep-alive: every session keeps alive once every 10 s, so the cost per keep-alive
#     can be compared with the flat-out 1,000 (a cache that only helps chatty sessions shows here).
run_case "keepalive-paced-$MAX_SESSIONS" --scenario keepalive "${users[@]}" --sessions "$MAX_SESSIONS" \
  --rate "$((MAX_SESSIONS / 10))" --duration "$PACED_SECONDS"

# 2c. Latency at light load, the loads issue 11 quotes IServerd at: keep-alives at 5,000/s and
#     messages at 2,000/s, 1,000 sessions each (the side-by-side runs the same).
run_case "light-keepalive-5000" --scenario keepalive "${users[@]}" --sessions "$SMALL" --rate 5000
run_case "light-messaging-2000" --scenario messaging "${users[@]}" --sessions "$SMALL" --rate 2000
BENCH_PROFILE=1 run_case "light-keepalive-5000-profile" --scenario keepalive "${users[@]}" --sessions "$SMALL" --rate 5000

# 3. Login churn: the production-cost pool (the target's promise), then the cheap hashes
#    (what the rest of the path could do with a verifier cache). The pool retransmits after
#    the 10 s the server advertises (v5.retransmit_timeout_s): a login is not deduplicated, so
#    every early retransmission would cost the server another argon2id check.
BENCH_PROFILE=1 run_case "churn-production-cost" --scenario churn --first-uin "$PROD_FIRST_UIN" --sessions "$PROD_POOL" \
  --contacts 20 --rto 10
run_case "churn-minimum-cost" --scenario churn "${users[@]}" --sessions "$SMALL" --contacts 20

# 4. Messaging between online pairs: flat out, then at half the target rate for the p99.
BENCH_PROFILE=1 run_case "messaging-flat-$SMALL" --scenario messaging "${users[@]}" --sessions "$SMALL"
run_case "messaging-flat-$MID" --scenario messaging "${users[@]}" --sessions "$MID"
run_case "messaging-rate-20000" --scenario messaging "${users[@]}" --sessions "$SMALL" --rate 20000

# 4b. What Redis's append-only file costs (on by default, DECISIONS.md "Redis persistence"):
#     messaging flat out and at 2,000/s with the file switched off and on again at runtime,
#     alternating, three rounds each. Turning it on rewrites the file in the background first.
set_appendonly() {
  local info
  redis-cli -s "$STATE/redis/redis.sock" CONFIG SET appendonly "$1" >/dev/null
  for _ in $(seq 300); do
    info=$(redis-cli -s "$STATE/redis/redis.sock" INFO persistence)
    grep -q '^aof_rewrite_in_progress:0' <<<"$info" && grep -q '^aof_rewrite_scheduled:0' <<<"$info" && return 0
    sleep 0.1
  done
  die "Redis did not finish rewriting its append-only file"
}
for round in 1 2 3; do
  for aof in no yes; do
    set_appendonly "$aof"
    run_case "aof-$aof-messaging-flat-$SMALL-r$round" --scenario messaging "${users[@]}" --sessions "$SMALL"
    run_case "aof-$aof-light-messaging-2000-r$round" --scenario messaging "${users[@]}" --sessions "$SMALL" --rate 2000
  done
done

# 5. Presence fan-out, 6. offline delivery.
run_case "presence-fanout-10" --scenario presence "${users[@]}" --sessions 1100 --fanout 10
run_case "offline-2000" --scenario offline "${users[@]}" --sessions 2000 --offline-messages 10

# 7. The login storm, last: it is the longest run. First what one login's hashing costs on this
#    machine, timed while the cluster idles (the report's "time the hashing itself needs" is
#    N × that ÷ the threads that hash). The storm's clients retransmit after the server's 10 s
#    and start over after their tenth try; the online sessions keep alive every 10 s.
mkdir -p "$RUNS/login-storm"
"$BIN/tools/icq-bench-users" --password "$PASSWORD" "${PROD_COST[@]}" --time-verify 5 >"$RUNS/login-storm/hash-verify.json"
echo "{\"hash_threads\": $HASH_THREADS, \"cores\": $(nproc)}" >"$RUNS/login-storm/hash-threads.json"
run_case "login-storm" --scenario storm "${users[@]}" --sessions "$STORM_ONLINE" --rate "$((STORM_ONLINE / 10))" \
  --storm "$STORM" --storm-first-uin "$STORM_FIRST_UIN" --rto 10 --max-tries 10 --duration "$STORM_BOUND"

# 8. The one-box shape: icqd runs the gateway, the same number of workers and the scheduler in
#    one process, the pipelines and the peer links over inproc:// (no loopback TCP, no ZeroMQ I/O
#    thread between the roles), against the same Redis and PostgreSQL. The light loads and the
#    flat-out 1,000 again: the difference to the runs above is what the hops between processes cost.
for entry in $CLUSTER_PIDS; do
  case ${entry%%=*} in gateway | worker-* | scheduler) kill -TERM "${entry#*=}" && wait "${entry#*=}" || true ;; esac
done
icqd_admin=$admin_port
start icqd "$BIN/icqd/icqd" --set gateway.id=bench-icqd --set "icqd.workers=$WORKERS"
TARGET_PIDS="icqd=$(cat "$VAR/run/icqd.pid") redis=$(cat "$STATE/redis/redis.pid") postgres=$(head -1 "$STATE/pg/postmaster.pid")"
TARGET_METRICS="icqd=$icqd_admin"
wait_for_login
run_case "onebox-light-keepalive-5000" --scenario keepalive "${users[@]}" --sessions "$SMALL" --rate 5000
run_case "onebox-light-messaging-2000" --scenario messaging "${users[@]}" --sessions "$SMALL" --rate 2000
run_case "onebox-keepalive-flat-$SMALL" --scenario keepalive "${users[@]}" --sessions "$SMALL"
run_case "onebox-messaging-flat-$SMALL" --scenario messaging "${users[@]}" --sessions "$SMALL"

cut -d' ' -f1-3 /proc/loadavg >"$RUNS/loadavg-end.txt"
stop_cluster

# 9. Side by side: the same four loads against the compared server, with the cluster stopped.
if [ -n "$COMPARE" ]; then
  TARGET=(--server "$COMPARE" --password "$COMPARE_PASSWORD")
  TARGET_PIDS=${COMPARE_PID:+other=$COMPARE_PID}
  TARGET_REDIS=""
  TARGET_METRICS=""
  other=(--first-uin "$COMPARE_FIRST_UIN")
  echo "$COMPARE" >"$RUNS/compare-server.txt"
  run_case "compare-keepalive-flat-$SMALL" --scenario keepalive "${other[@]}" --sessions "$SMALL"
  run_case "compare-light-keepalive-5000" --scenario keepalive "${other[@]}" --sessions "$SMALL" --rate 5000
  run_case "compare-messaging-flat-$SMALL" --scenario messaging "${other[@]}" --sessions "$SMALL"
  run_case "compare-light-messaging-2000" --scenario messaging "${other[@]}" --sessions "$SMALL" --rate 2000
  cut -d' ' -f1-3 /proc/loadavg >"$RUNS/loadavg-end.txt"
fi
log "writing docs/BENCHMARKS.md and docs/benchmarks.png"
python3 "$BENCH/report.py" --runs "$RUNS" --out "$ICQ_ROOT/docs/BENCHMARKS.md" --plot-data "$RUNS/plot.dat" \
  --workers "$WORKERS" --note "${ICQ_BENCH_NOTE:-}"
gnuplot -e "datafile='$RUNS/plot.dat'; outfile='$ICQ_ROOT/docs/benchmarks.png'" "$BENCH/plot.gp"
log "done: docs/BENCHMARKS.md, docs/benchmarks.png"
