#!/usr/bin/python3
"""Prints the environment Kubernetes would give a rendered workload's first container, one
NAME=value a line, so check.sh can start the real binary with it.

Usage: pod_env.py FILE KIND/NAME

Downward-API fields get stand-ins (POD_NAME pod-0, POD_IP 10.0.0.7), secret keys the text
`secret:<secret>/<key>`, and $(VAR) references are expanded as the kubelet does: only to
variables defined earlier in the list.
"""
import re
import sys

import yaml

FIELDS = {"metadata.name": "pod-0", "status.podIP": "10.0.0.7", "metadata.namespace": "icq"}


def main(path, ref):
    kind, _, name = ref.partition("/")
    with open(path) as stream:
        doc = next(d for d in yaml.safe_load_all(stream)
                   if d and d.get("kind") == kind and d["metadata"]["name"] == name)
    env = {}
    for item in doc["spec"]["template"]["spec"]["containers"][0].get("env", []):
        source = item.get("valueFrom") or {}
        if "fieldRef" in source:
            value = FIELDS[source["fieldRef"]["fieldPath"]]
        elif "secretKeyRef" in source:
            value = f"secret:{source['secretKeyRef']['name']}/{source['secretKeyRef']['key']}"
        else:
            value = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                           lambda m: env.get(m.group(1), m.group(0)), str(item.get("value", "")))
        env[item["name"]] = value
        print(f"{item['name']}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
