{{/* Names, labels and the few values that several templates derive the same way. */}}

{{- define "icq.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's base name; component objects append -gateway, -worker, ... */}}
{{- define "icq.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "icq.selectorLabels" -}}
app.kubernetes.io/name: {{ include "icq.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/* Call with (dict "root" $ "component" "gateway"); component may be empty. */}}
{{- define "icq.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: icqcluster
{{ include "icq.selectorLabels" . }}
{{- end -}}

{{/* image reference for a component: its own image values over the global ones. */}}
{{- define "icq.image" -}}
{{- $img := mergeOverwrite (deepCopy .root.Values.image) (.own | default dict) -}}
{{- printf "%s:%s" $img.repository (toString (default .root.Chart.AppVersion $img.tag)) -}}
{{- end -}}

{{- define "icq.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "icq.fullname" .) -}}
{{- end -}}

{{/* "true" when the processes reach an external Redis through the stunnel sidecar, else empty. */}}
{{- define "icq.redisTls" -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.tls.enabled -}}true{{- end -}}
{{- end -}}

{{/* The bundled Redis Cluster's pod count: every master with its replicas. */}}
{{- define "icq.redisClusterSize" -}}
{{- $c := .Values.redis.bundled.cluster -}}
{{- mul $c.masters (add 1 $c.replicasPerMaster) -}}
{{- end -}}

{{/* The bundled Redis Cluster's nodes by their stable names, as host:port, one per line. */}}
{{- define "icq.redisClusterPods" -}}
{{- $fullname := include "icq.fullname" . -}}
{{- range $i := until (int (include "icq.redisClusterSize" .)) }}
{{ printf "%s-redis-%d.%s-redis.%s.svc:6379" $fullname $i $fullname $.Release.Namespace }}
{{- end -}}
{{- end -}}

{{/*
redis.cluster_nodes ("host:port,host:port"): an external Redis Cluster's seeds, or every node of
the bundled one; else empty.
*/}}
{{- define "icq.redisClusterNodes" -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.clusterNodes -}}
{{- if .Values.redis.external.tls.enabled -}}
{{- fail "redis.external.tls cannot be used with redis.external.clusterNodes: the stunnel sidecar reaches one server, a cluster client every master" -}}
{{- end -}}
{{- join "," .Values.redis.external.clusterNodes -}}
{{- else if and (eq .Values.redis.mode "bundled") .Values.redis.bundled.cluster.enabled -}}
{{- include "icq.redisClusterPods" . | trim | splitList "\n" | join "," -}}
{{- end -}}
{{- end -}}

{{- define "icq.redisHost" -}}
{{- if include "icq.redisTls" . -}}
127.0.0.1
{{- else if eq .Values.redis.mode "bundled" -}}
{{- printf "%s-redis" (include "icq.fullname" .) -}}
{{- else -}}
{{- required "redis.external.host is required when redis.mode is external" .Values.redis.external.host -}}
{{- end -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the value given, else the one already in the
named Secret in the cluster, else a new random one. Call with
(dict "root" $ "secret" NAME "key" KEY "given" VALUE).
*/}}
{{- define "icq.persistentSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if .given -}}
{{- .given -}}
{{- else if and $existing (hasKey ($existing.data | default dict) .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* The config file every process reads: what the chart knows, then .Values.config over it. */}}
{{- define "icq.configFile" -}}
{{- $redisPort := 6379 -}}
{{- $redisDb := 0 -}}
{{- if eq .Values.redis.mode "external" -}}
{{- $redisPort = .Values.redis.external.port -}}
{{- $redisDb = .Values.redis.external.db -}}
{{- end -}}
{{- if include "icq.redisTls" . -}}
{{- $redisPort = .Values.redis.external.tls.localPort -}}
{{- end -}}
{{- $redis := dict -}}
{{- if include "icq.redisClusterNodes" . -}}
{{- $redis = dict "cluster_nodes" (include "icq.redisClusterNodes" .) -}}
{{- else -}}
{{- $redis = dict "host" (include "icq.redisHost" .) "port" $redisPort "db" $redisDb -}}
{{- end -}}
{{- $redisUser := ternary "icq" .Values.redis.external.username (eq .Values.redis.mode "bundled") -}}
{{- if $redisUser -}}
{{- $_ := set $redis "username" $redisUser -}}
{{- end -}}
{{- $base := dict
  "log" (dict "level" .Values.logLevel)
  "redis" $redis
  "gateway" (dict
    "udp_port" .Values.gateway.udpPort
    "pipeline_bind" (printf "tcp://0.0.0.0:%d" (int .Values.gateway.pipelinePort)))
  "worker" (dict "peer_bind" (printf "tcp://0.0.0.0:%d" (int .Values.worker.peerPort)))
  "admin" (dict "listen" (printf "0.0.0.0:%d" (int .Values.admin.port)))
-}}
{{- if .Values.actions.rules -}}
{{- $_ := set $base "actions" (dict "rules_file" "/etc/icqcluster/actions.yaml") -}}
{{- end -}}
{{- toYaml (mergeOverwrite $base (deepCopy .Values.config)) -}}
{{- end -}}

{{- define "icq.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "icq.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
ICQ_REDIS_PASSWORD for every process that talks to Redis, from the Secret; optional, since an
external Redis may take no password (the bundled one always has one).
*/}}
{{- define "icq.redisEnv" -}}
- name: ICQ_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "icq.secretName" . }}
      key: {{ .Values.secrets.redisPasswordKey }}
      optional: {{ ne .Values.redis.mode "bundled" }}
{{- end -}}

{{/*
ICQ_POSTGRES_URL for the processes that use PostgreSQL: from the Secret with an external
server; for the bundled one a URL without password, which libpq takes from PGPASSWORD.
*/}}
{{- define "icq.postgresEnv" -}}
{{- if eq .Values.postgres.mode "bundled" -}}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "icq.fullname" . }}-postgres
      key: password
- name: ICQ_POSTGRES_URL
  value: postgresql://icq@{{ include "icq.fullname" . }}-postgres:5432/icq
{{- else -}}
- name: ICQ_POSTGRES_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "icq.secretName" . }}
      key: {{ .Values.secrets.postgresUrlKey }}
{{- end -}}
{{- end -}}

{{/*
The stunnel client config of the Redis TLS sidecar: plain on 127.0.0.1:localPort, TLS to the
external Redis, its certificate checked against the CA and the server name. The same settings as
docs/OPERATIONS.md's tunnel, which tests/support/stunnel.cpp runs against a TLS-only Redis.
*/}}
{{- define "icq.redisTlsConfig" -}}
{{- $r := .Values.redis.external -}}
foreground = yes
pid =
[redis]
client = yes
accept = 127.0.0.1:{{ $r.tls.localPort }}
connect = {{ $r.host }}:{{ $r.port }}
CAfile = /etc/stunnel/ca/{{ $r.tls.caKey }}
verifyChain = yes
checkHost = {{ $r.tls.serverName | default $r.host }}
{{- end -}}

{{/*
The sidecar beside a role's container. Kubernetes stops every container of a pod at once, but the
role still needs Redis while it drains: the preStop sleep keeps stunnel up for the whole grace
period (call with (dict "root" $ "grace" SECONDS)).
*/}}
{{- define "icq.redisTlsContainer" -}}
{{- $tls := .root.Values.redis.external.tls -}}
- name: redis-tls
  image: {{ include "icq.image" (dict "root" .root) }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["stunnel4", "/etc/stunnel/conf/stunnel.conf"]
  lifecycle:
    preStop:
      exec:
        command: ["sleep", "{{ .grace }}"]
  resources:
    {{- toYaml $tls.resources | nindent 4 }}
  securityContext:
    {{- include "icq.containerSecurityContext" .root | nindent 4 }}
  volumeMounts:
    - name: redis-tls-config
      mountPath: /etc/stunnel/conf
      readOnly: true
    - name: redis-tls-ca
      mountPath: /etc/stunnel/ca
      readOnly: true
{{- end -}}

{{- define "icq.redisTlsVolumes" -}}
- name: redis-tls-config
  configMap:
    name: {{ include "icq.fullname" . }}-redis-tls
- name: redis-tls-ca
  secret:
    secretName: {{ required "redis.external.tls.caSecret (a Secret holding the CA certificate) is required when redis.external.tls.enabled is true" .Values.redis.external.tls.caSecret }}
{{- end -}}

{{/* "true" when an external PostgreSQL's CA is mounted at /etc/postgres-ca (sslrootcert), else empty. */}}
{{- define "icq.postgresCa" -}}
{{- if and (eq .Values.postgres.mode "external") .Values.postgres.external.caSecret -}}true{{- end -}}
{{- end -}}

{{- define "icq.postgresCaMount" -}}
- name: postgres-ca
  mountPath: /etc/postgres-ca
  readOnly: true
{{- end -}}

{{- define "icq.postgresCaVolume" -}}
- name: postgres-ca
  secret:
    secretName: {{ .Values.postgres.external.caSecret }}
{{- end -}}
