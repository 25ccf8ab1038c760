#!/usr/bin/env bash
# README command 2: install what is missing, build the Debug/ASan+UBSan configuration,
# start a throwaway PostgreSQL cluster, and run every test (unit, Redis, PostgreSQL, fuzz,
# end-to-end); then the Redis and end-to-end tests once more against a Redis Cluster. Each
# Redis test starts its own redis-server (or, with ICQ_TEST_REDIS_CLUSTER=1, its own cluster of
# three); each PostgreSQL test makes its own database in the cluster started here. Exit code:
# the first failing ctest's.
#
# Environment: ICQ_TEST_PG_PORT (25433), ICQ_TEST_JOBS (3: on two cores the load average stayed
# between 1.4 and 1.8 at 2, the end-to-end tests waiting on their processes' timers), ICQ_TEST_ARGS
# (extra ctest args), ICQ_TEST_CLUSTER_PASS (1; 0 skips the second run against a Redis Cluster),
# ICQ_TEST_CLUSTER_JOBS (4: those tests mostly wait on their clusters' timers, not on the CPU).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../deploy/local/lib.sh"

PG_PORT=${ICQ_TEST_PG_PORT:-25433}
JOBS=${ICQ_TEST_JOBS:-3}
BUILD="$ICQ_ROOT/build/test"
VAR="$ICQ_ROOT/var/test"

install_packages "${ICQ_TEST_PACKAGES[@]}" "${ICQ_FUZZ_PACKAGES[@]}"
build "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DICQ_SANITIZE=ON
# The fuzz targets are a clang build of their own: built now, so that ctest's short run
# (fuzz_short) does not compile beside the end-to-end tests.
"$ICQ_ROOT/tests/fuzz/run.sh" --build-only

mkdir -p "$VAR"
STATE=$(state_dir "$VAR")
rm -rf "$STATE/pg"
start_postgres "$STATE/pg" "$PG_PORT"
trap 'stop_postgres "$STATE/pg"' EXIT
export ICQ_TEST_PG_ADMIN_URL="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"

log "running tests"
cd "$BUILD"
# ${ICQ_TEST_ARGS} unquoted on purpose: it may hold several ctest arguments.
# shellcheck disable=SC2086
ctest --output-on-failure -j "$JOBS" ${ICQ_TEST_ARGS:-}
[ "${ICQ_TEST_CLUSTER_PASS:-1}" = 1 ] || exit 0

# The same Redis and end-to-end tests against a Redis Cluster: any multi-key command whose keys
# are on two slots is a CROSSSLOT error there. Tests named "(one Redis server)" are about a
# single server's own features (a Unix socket, a TLS tunnel to one port) and are left out.
log "running the Redis and end-to-end tests against a Redis Cluster"
# shellcheck disable=SC2086
ICQ_TEST_REDIS_CLUSTER=1 ctest --output-on-failure -j "${ICQ_TEST_CLUSTER_JOBS:-4}" -L 'redis|e2e' -E 'one Redis server' ${ICQ_TEST_ARGS:-}
