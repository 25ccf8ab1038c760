#!/usr/bin/python3
"""Turns the rendered icqcluster chart into what `podman kube play` of Debian 12 (podman 4.3)
can play, changing only what it lacks, so the workloads themselves run as rendered:

* Services, PodDisruptionBudgets, HPAs, ServiceMonitors, PrometheusRules: there is no
  kube-proxy or controller to give them meaning, so they are left out.
* The gateway's UDP container port gets a hostPort: the stand-in for the LoadBalancer.
  podman 4.3 publishes every other declared container port on the host as well, where the
  pods' admin ports collide, so those declarations go, and with them the probes that name
  them (podman has no systemd here to run probes; the test asks /healthz and /readyz
  itself).
* `status.podIP` in the downward API is refused by podman 4.3, and `$(VAR)` references in
  env values are not expanded. The pod's name is what the podman network's DNS answers
  for it, so POD_IP becomes metadata.name, and `$(POD_IP)`/`$(POD_NAME)` are written out
  as the name of the Deployment's only pod, `<deployment>-pod-0` (the gateway advertises
  its pipeline as tcp://$(POD_IP):port); a Deployment that uses them must have one replica.
* A Secret in the played file is stored by podman 4.3 as YAML but read back by secretKeyRef
  as a JSON map of key to base64 value, so each Secret is written in that form for
  `podman secret create` instead.
* Each ConfigMap becomes a podman volume of its name that `kube down` leaves behind: the
  names are listed for the clean-up.
* The migration Job (a Helm hook) becomes a Pod that runs once, played before the rest.

usage: kube_adapt.py RENDERED.yaml OUT_DIR UDP_HOST_PORT
writes OUT_DIR/migrate.yaml, OUT_DIR/cluster.yaml, OUT_DIR/secret-<name>.json and
OUT_DIR/volumes (one name a line)
"""
import base64
import json
import sys

import yaml

NOT_PLAYED = {"Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceMonitor", "PrometheusRule"}


def containers(pod_spec):
    return pod_spec.get("initContainers", []) + pod_spec.get("containers", [])


def pod_identity_by_name(deployment):
    pod_name = deployment["metadata"]["name"] + "-pod-0"
    for c in containers(deployment["spec"]["template"]["spec"]):
        for env in c.get("env", []):
            field = env.get("valueFrom", {}).get("fieldRef", {})
            if field.get("fieldPath") == "status.podIP":
                field["fieldPath"] = "metadata.name"
            value = env.get("value", "")
            if "$(POD_IP)" in value or "$(POD_NAME)" in value:
                if deployment["spec"].get("replicas", 1) != 1:
                    sys.exit(f"kube_adapt: {deployment['metadata']['name']} refers to its pod's name: one replica only")
                env["value"] = value.replace("$(POD_IP)", pod_name).replace("$(POD_NAME)", pod_name)


def publish_udp_only(pod_spec, host_port):
    for c in pod_spec["containers"]:
        c["ports"] = [dict(p, hostPort=host_port) for p in c.get("ports", []) if p.get("protocol") == "UDP"]
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            c.pop(probe, None)


def secret_data(secret):
    data = dict(secret.get("data", {}))
    for key, value in secret.get("stringData", {}).items():
        data[key] = base64.b64encode(value.encode()).decode()
    return data


def job_as_pod(job):
    spec = job["spec"]["template"]["spec"]
    spec["restartPolicy"] = "Never"
    meta = {"name": job["metadata"]["name"], "labels": job["spec"]["template"]["metadata"].get("labels", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def main(rendered, out_dir, udp_host_port):
    cluster, migrate, config_maps = [], [], []
    for doc in yaml.safe_load_all(open(rendered)):
        if not doc or doc["kind"] in NOT_PLAYED:
            continue
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind == "Secret":
            with open(f"{out_dir}/secret-{name}.json", "w") as f:
                json.dump(secret_data(doc), f)
        elif kind == "ConfigMap":
            config_maps.append(doc)
        elif kind == "Job":
            migrate.append(job_as_pod(doc))
        elif kind == "Deployment":
            pod_identity_by_name(doc)
            publish_udp_only(doc["spec"]["template"]["spec"], udp_host_port)
            cluster.append(doc)
        else:
            sys.exit(f"kube_adapt: no rule for {kind} {name}")
    for file, docs in (("migrate", config_maps + migrate), ("cluster", config_maps + cluster)):
        with open(f"{out_dir}/{file}.yaml", "w") as f:
            yaml.safe_dump_all(docs, f)
    with open(f"{out_dir}/volumes", "w") as f:
        f.writelines(c["metadata"]["name"] + "\n" for c in config_maps)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
