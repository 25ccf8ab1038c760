#!/usr/bin/python3
"""Offline structural check of rendered Kubernetes manifests (no cluster, no network).

Every object whose kind python3-kubernetes models is walked against the model's field table:
an unknown field (a typo such as `readinesProbe`), a wrong type (`containerPort: "4000"`) or a
missing required field (a Deployment without `selector`) is an error. The prometheus-operator
objects the chart renders have no model there, so their top-level shape is checked by hand
below; any other kind is an error, so nothing passes unchecked.

Usage: /usr/bin/python3 validate_manifests.py FILE...   (Debian's python3 sees python3-kubernetes)
Exit code 0 when every object is valid; the errors, one per line, otherwise.
"""
import re
import sys

import yaml
from kubernetes.client import models

# The models are Kubernetes 1.22's: autoscaling/v2 went GA later with v2beta2's exact shape.
MODEL_ALIASES = {("autoscaling/v2", "HorizontalPodAutoscaler"): "V2beta2HorizontalPodAutoscaler"}
PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object}

# What the chart may put in the CRD objects it renders (monitoring.coreos.com/v1).
CRD_FIELDS = {
    "ServiceMonitor": {"selector", "endpoints", "namespaceSelector", "jobLabel", "podTargetLabels",
                       "targetLabels", "sampleLimit"},
    "PrometheusRule": {"groups"},
}
ENDPOINT_FIELDS = {"port", "path", "interval", "scrapeTimeout", "relabelings", "metricRelabelings",
                   "honorLabels", "scheme"}
RULE_FIELDS = {"alert", "record", "expr", "for", "labels", "annotations"}


def model_for(api_version, kind):
    alias = MODEL_ALIASES.get((api_version, kind))
    if alias:
        return getattr(models, alias)
    version = api_version.split("/")[-1]
    return getattr(models, version[0].upper() + version[1:] + kind, None)


def check(type_name, value, path, errors):
    if value is None:
        return
    match = re.fullmatch(r"list\[(.*)\]", type_name)
    if match:
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list, got {value!r}")
            return
        for i, item in enumerate(value):
            check(match.group(1), item, f"{path}[{i}]", errors)
        return
    match = re.fullmatch(r"dict\(([^,]*), (.*)\)", type_name)
    if match:
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map, got {value!r}")
            return
        for key, item in value.items():
            check(match.group(2), item, f"{path}.{key}", errors)
        return
    if type_name in PRIMITIVES:
        # YAML's 4000 is an int and "4000" a str: Kubernetes rejects either in the other's place.
        if type_name == "str" and isinstance(value, (int, float, bool)):
            errors.append(f"{path}: expected a string, got {value!r}")
        elif type_name in ("int", "float") and isinstance(value, bool):
            errors.append(f"{path}: expected a number, got {value!r}")
        elif not isinstance(value, PRIMITIVES[type_name]):
            errors.append(f"{path}: expected {type_name}, got {value!r}")
        return
    if type_name == "datetime":
        return
    model = getattr(models, type_name, None)
    if model is None:
        errors.append(f"{path}: no model {type_name} to check against")
        return
    if not isinstance(value, dict):
        if not model.openapi_types:  # IntOrString, Quantity and the like
            return
        errors.append(f"{path}: expected an object ({type_name}), got {value!r}")
        return
    attribute_of = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, item in value.items():
        if key not in attribute_of:
            errors.append(f"{path}.{key}: unknown field for {type_name}")
            continue
        check(model.openapi_types[attribute_of[key]], item, f"{path}.{key}", errors)
    # The model's constructor refuses a missing required field (its setters check only that).
    arguments = {attribute_of[key]: item for key, item in value.items()
                 if key in attribute_of and item is not None}
    try:
        model(**arguments)
    except (ValueError, TypeError) as error:
        errors.append(f"{path}: {error}")


def check_crd(doc, path, errors):
    kind = doc["kind"]
    if doc.get("apiVersion") != "monitoring.coreos.com/v1":
        errors.append(f"{path}: expected apiVersion monitoring.coreos.com/v1")
    check("V1ObjectMeta", doc.get("metadata"), f"{path}.metadata", errors)
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        errors.append(f"{path}.spec: missing")
        return
    errors.extend(f"{path}.spec.{key}: unknown field for {kind}" for key in set(spec) - CRD_FIELDS[kind])
    if kind == "ServiceMonitor":
        check("V1LabelSelector", spec.get("selector"), f"{path}.spec.selector", errors)
        endpoints = spec.get("endpoints") or []
        if not endpoints:
            errors.append(f"{path}.spec.endpoints: none")
        for i, endpoint in enumerate(endpoints):
            errors.extend(f"{path}.spec.endpoints[{i}].{key}: unknown field"
                          for key in set(endpoint) - ENDPOINT_FIELDS)
    else:
        groups = spec.get("groups") or []
        if not groups:
            errors.append(f"{path}.spec.groups: none")
        for group in groups:
            for rule in group.get("rules") or []:
                where = f"{path}.spec.groups[{group.get('name')}].{rule.get('alert') or rule.get('record')}"
                errors.extend(f"{where}.{key}: unknown field" for key in set(rule) - RULE_FIELDS)
                if not isinstance(rule.get("expr"), str) or not rule["expr"].strip():
                    errors.append(f"{where}: no expr")


def main(files):
    errors, checked = [], 0
    for name in files:
        with open(name) as stream:
            for doc in yaml.safe_load_all(stream):
                if not doc:
                    continue
                kind, api_version = doc.get("kind"), doc.get("apiVersion", "")
                path = f"{name}: {kind}/{(doc.get('metadata') or {}).get('name')}"
                checked += 1
                if kind in CRD_FIELDS:
                    check_crd(doc, path, errors)
                    continue
                model = model_for(api_version, kind)
                if model is None:
                    errors.append(f"{path}: no model for {api_version} {kind}")
                    continue
                check(model.__name__, doc, path, errors)
    for error in errors:
        print(error)
    print(f"checked {checked} objects, {len(errors)} errors")
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
