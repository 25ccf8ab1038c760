#!/usr/bin/env bash
# The systemd units as installed: stages deploy/systemd/install.sh with the binaries of
# <build dir> into a scratch root next to a copy of this machine's system units, then has
# systemd itself (systemd-analyze, offline) load every unit with its drop-in. Fails on any
# warning (an unknown or misspelt setting is only a warning to systemd) and when a
# server's sandbox scores worse than the threshold of `systemd-analyze security`.
#
#   tests/systemd/check.sh <build dir>
set -euo pipefail
BUILD=${1:?usage: check.sh <build dir>}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
UNITS=(/etc/systemd/system/icq-gateway@4000.service /etc/systemd/system/icq-worker@9470.service
  /etc/systemd/system/icq-scheduler.service /etc/systemd/system/icq-migrate.service
  /etc/systemd/system/icqcluster.target)
# On the 0..100 scale of --threshold, where the report shows tenths: 25 is "2.5".
EXPOSURE_LIMIT=25

DESTDIR="$STAGE" "$ROOT/deploy/systemd/install.sh" "$BUILD" 2>/dev/null
mkdir -p "$STAGE/usr/lib/systemd"
cp -r /lib/systemd/system "$STAGE/usr/lib/systemd/"

cd "$STAGE"
if ! out=$(systemd-analyze verify --root="$STAGE" "${UNITS[@]}" 2>&1) || [ -n "$out" ]; then
  echo "systemd-analyze verify:"; echo "$out"; exit 1
fi
for unit in "${UNITS[@]}"; do
  [[ $unit == *.service ]] || continue
  systemd-analyze security --offline=yes --root="$STAGE" --threshold="$EXPOSURE_LIMIT" "$unit" >/dev/null ||
    { echo "$unit: exposure above $((EXPOSURE_LIMIT / 10)).$((EXPOSURE_LIMIT % 10)):"; systemd-analyze security --offline=yes --root="$STAGE" "$unit" | grep -v '✓'; exit 1; }
done
echo "systemd units: ${#UNITS[@]} verified, sandbox exposure of every service at most $((EXPOSURE_LIMIT / 10)).$((EXPOSURE_LIMIT % 10))"
