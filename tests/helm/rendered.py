#!/usr/bin/python3
"""Reads one value out of rendered manifests, for the assertions of check.sh.

Usage: rendered.py FILE KIND/NAME [PATH]
PATH is dotted (a dot inside a key is written \.), with [n] for list items and [name=x] for the list item whose `name` is x
(e.g. spec.template.spec.containers[0].env[name=ICQ_CONFIG].value). Prints the value (YAML
for maps and lists), or `absent` when the object or the path does not exist; with no PATH,
prints `present` or `absent`.
"""
import re
import sys

import yaml


def find(docs, ref):
    kind, _, name = ref.partition("/")
    for doc in docs:
        if doc and doc.get("kind") == kind and (doc.get("metadata") or {}).get("name") == name:
            return doc
    return None


def walk(node, path):
    for part in re.findall(r"(?:\\\.|[^.\[\]])+|\[[^\]]*\]", path):
        part = part.replace("\\.", ".")
        if part.startswith("["):
            key = part[1:-1]
            if not isinstance(node, list):
                return None
            if "=" in key:
                field, _, wanted = key.partition("=")
                node = next((item for item in node if isinstance(item, dict) and str(item.get(field)) == wanted), None)
            else:
                index = int(key)
                node = node[index] if index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def main(argv):
    with open(argv[1]) as stream:
        docs = list(yaml.safe_load_all(stream))
    node = find(docs, argv[2])
    if len(argv) > 3 and node is not None:
        node = walk(node, argv[3])
    if node is None:
        print("absent")
    elif len(argv) <= 3:
        print("present")
    elif isinstance(node, (dict, list)):
        print(yaml.safe_dump(node, sort_keys=False), end="")
    else:
        print(node)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
