#!/usr/bin/python3
"""Checks the chart's Grafana dashboard and alert rules against the metric reference.

Usage: check_queries.py METRICS_DOC DASHBOARD_JSON RULES_YAML PROMTOOL_OUT

- the dashboard is JSON with the fixed uid, a Prometheus `datasource` variable, and every
  panel and target on that variable (so it works with whatever the data source is called);
- every metric name a dashboard query or an alert uses is documented in METRICS_DOC
  (histogram series may add _bucket, _sum or _count to a documented name);
- every dashboard query is written into PROMTOOL_OUT as a recording rule, so that
  `promtool check rules PROMTOOL_OUT` parses each one as PromQL.
Prints each problem on its own line; exit code 1 if there is any.
"""
import json
import re
import sys

import yaml

DASHBOARD_UID = "icqcluster-overview"
METRIC = re.compile(r"\b(?:icq|process)_[a-z0-9_]+\b")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Grafana's variables, replaced by what Grafana would put there, so promtool can parse.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$namespace": ".*"}


def documented_names(path):
    with open(path) as stream:
        return set(METRIC.findall(stream.read()))


def undocumented(expr, known):
    # Label names such as icq_... never occur; strings (legend text, regexes) are left out.
    code = re.sub(r'"[^"]*"', '""', expr)
    missing = []
    for name in METRIC.findall(code):
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), name)
        if name not in known and base not in known:
            missing.append(name)
    return missing


def dashboard_queries(dashboard, problems):
    if dashboard.get("uid") != DASHBOARD_UID:
        problems.append(f"dashboard uid is {dashboard.get('uid')!r}, not {DASHBOARD_UID!r}")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    source = variables.get("datasource", {})
    if source.get("type") != "datasource" or source.get("query") != "prometheus":
        problems.append("dashboard has no Prometheus `datasource` variable")
    queries = []
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            continue
        title = panel.get("title")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"panel {title!r} has no query")
        for thing in [panel] + targets:
            if (thing.get("datasource") or {}).get("uid") != "${datasource}":
                problems.append(f"panel {title!r} does not use the datasource variable")
        queries += [(title, target.get("expr", "")) for target in targets]
    return queries


def main(metrics_doc, dashboard_path, rules_path, promtool_out):
    problems = []
    known = documented_names(metrics_doc)
    if not known:
        problems.append(f"{metrics_doc} names no metric")
    with open(dashboard_path) as stream:
        dashboard = json.load(stream)
    queries = dashboard_queries(dashboard, problems)
    with open(rules_path) as stream:
        rules = [rule for group in yaml.safe_load(stream)["groups"] for rule in group["rules"]]
    for title, expr in queries:
        problems += [f"dashboard panel {title!r}: {name} is not in {metrics_doc}" for name in undocumented(expr, known)]
    for rule in rules:
        problems += [f"alert {rule.get('alert')}: {name} is not in {metrics_doc}" for name in undocumented(rule["expr"], known)]

    recorded = []
    for i, (title, expr) in enumerate(queries):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        if "$" in re.sub(r'"[^"]*"', "", expr):
            problems.append(f"dashboard panel {title!r}: unknown variable in {expr}")
        recorded.append({"record": f"dashboard:query_{i}", "expr": expr})
    with open(promtool_out, "w") as stream:
        yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recorded}]}, stream)

    for problem in problems:
        print(problem)
    print(f"{len(queries)} dashboard queries and {len(rules)} alerts checked against {metrics_doc}: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
