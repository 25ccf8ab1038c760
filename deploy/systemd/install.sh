#!/usr/bin/env bash
# Package-style install of icqcluster under systemd, what IServerd's init scripts were:
# the binaries to /usr/local/bin, the units and their shared sandboxing drop-in to
# /etc/systemd/system, and a configuration in /etc/icqcluster unless one is there.
# Redis and PostgreSQL are the distribution's (apt-get install redis-server postgresql).
#
#   deploy/systemd/install.sh [build dir]     (default build/release, see README.md)
#   DESTDIR=/tmp/stage deploy/systemd/install.sh   stages into a directory instead
#
# Then: edit /etc/icqcluster/icq.env, and
#   systemctl enable --now icq-migrate icq-gateway@4000 icq-worker@9470 icq-worker@9471 \
#     icq-scheduler icqcluster.target
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

BIN=${1:-$ICQ_ROOT/build/release}
ROOT=${DESTDIR:-}
HERE="$ICQ_ROOT/deploy/systemd"
UNITS=(icqcluster.target icq-migrate.service icq-gateway@.service icq-worker@.service icq-scheduler.service)

[ -n "$ROOT" ] || is_root || die "run as root (or stage with DESTDIR=...)"
for b in gateway/icq-gateway worker/icq-worker scheduler/icq-scheduler tools/icqctl; do
  [ -x "$BIN/$b" ] || die "$BIN/$b is missing: build first (README.md, 'Build by hand')"
  install -D -m 755 "$BIN/$b" "$ROOT/usr/local/bin/$(basename "$b")"
done

for unit in "${UNITS[@]}"; do
  install -D -m 644 "$HERE/$unit" "$ROOT/etc/systemd/system/$unit"
  if [[ $unit == *.service ]]; then
    install -D -m 644 "$HERE/hardening.conf" "$ROOT/etc/systemd/system/$unit.d/hardening.conf"
  fi
done

# Never overwrite an operator's configuration.
install -d -m 755 "$ROOT/etc/icqcluster"
[ -e "$ROOT/etc/icqcluster/icq.yaml" ] || install -m 644 "$HERE/icq.yaml.example" "$ROOT/etc/icqcluster/icq.yaml"
[ -e "$ROOT/etc/icqcluster/icq.env" ] || install -m 600 "$HERE/icq.env.example" "$ROOT/etc/icqcluster/icq.env"

if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
fi
log "installed into ${ROOT:-/}; set the database password in /etc/icqcluster/icq.env, then enable the units (deploy/README.md)"
