#!/bin/bash
# icq-healthcheck [path] [port]: exit 0 when the admin port answers 200, for container
# healthchecks. Uses bash's /dev/tcp so the runtime image needs no curl or wget.
path=${1:-/healthz}
port=${2:-9464}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
IFS= read -r -t 3 status <&3 || exit 1
[[ $status == HTTP/1.[01]\ 200* ]]
