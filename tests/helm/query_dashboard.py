#!/usr/bin/python3
"""Runs every query of the Grafana dashboard against a live Prometheus, as Grafana would.

Usage: query_dashboard.py PROMETHEUS_URL DASHBOARD_JSON [--rate-interval 30s] [--require TITLE]...

Each panel's queries are sent to PROMETHEUS_URL/api/v1/query with Grafana's variables
filled in ($__rate_interval, $namespace = all). A query Prometheus refuses is an error; a
panel named by --require whose queries all return no series (or only zeros) is an error, so
a test that has just driven traffic through the cluster can say "these panels show it".
Prints one line per panel (series count, first value) and exits 1 on any error.
"""
import argparse
import json
import sys
import urllib.parse
import urllib.request


def query(base, expr):
    url = f"{base.rstrip('/')}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        body = json.load(error)
    if body.get("status") != "success":
        raise ValueError(body.get("error", "query failed"))
    return body["data"]["result"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("prometheus")
    parser.add_argument("dashboard")
    parser.add_argument("--rate-interval", default="30s")
    parser.add_argument("--require", action="append", default=[])
    args = parser.parse_args()
    with open(args.dashboard) as stream:
        dashboard = json.load(stream)
    variables = {"$__rate_interval": args.rate_interval, "$namespace": ".*"}

    errors, showing = [], set()
    for panel in dashboard["panels"]:
        title = panel.get("title")
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in variables.items():
                expr = expr.replace(name, value)
            try:
                result = query(args.prometheus, expr)
            except ValueError as error:
                errors.append(f"{title}: Prometheus refuses {expr}: {error}")
                continue
            values = [float(series["value"][1]) for series in result]
            if any(value == value and value != 0 for value in values):  # NaN: no data
                showing.add(title)
            first = f"{values[0]:g}" if values else "-"
            print(f"{title} [{target.get('legendFormat', '')}]: {len(result)} series, first {first}")
    titles = {panel.get("title") for panel in dashboard["panels"]}
    for title in args.require:
        if title not in titles:
            errors.append(f"no panel titled {title!r}")
        elif title not in showing:
            errors.append(f"panel {title!r} shows nothing")
    for error in errors:
        print(f"ERROR {error}")
    print(f"{len(showing)} panels show data; {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
