#!/usr/bin/env python3
"""tests/faults/soak_report.py <soak dir>: the soak's table for docs/RELIABILITY.md, from
samples.csv (tests/faults/soak.sh) and each round's icq-loadgen JSON reports.

Every sampled figure is shown at the end of the first round (the warm-up: pools, caches and
the first sessions made), at its highest after that, and at the end; flat means the end is
within 10 % of the warm-up figure (or within 16 descriptors, or at most 1,000 keys more)."""
import csv
import json
import sys
from pathlib import Path

ROUND_S = 120


def flat(column, start, end):
    if column.endswith("_fds"):
        return abs(end - start) <= 16
    if column == "redis_keys":
        return end <= start + 1000  # the last sample is taken with every session logged off
    if column == "offline_messages":
        return end <= start + 100
    return end <= start * 1.10


def main():
    out = Path(sys.argv[1])
    rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader((out / "samples.csv").open())]
    t0 = rows[0]["unix_s"]
    warm = next((r for r in rows if r["unix_s"] >= t0 + ROUND_S), rows[0])
    after = [r for r in rows if r["unix_s"] >= warm["unix_s"]]
    end = rows[-1]
    minutes = (end["unix_s"] - t0) / 60
    print(f"Soak of {minutes:.0f} minutes, {len(rows)} samples.\n")
    print("| figure | after the first round | highest after it | at the end | flat |")
    print("|---|---|---|---|---|")
    for column in rows[0]:
        if column == "unix_s":
            continue
        top = max(r[column] for r in after)
        print(f"| {column} | {warm[column]:,.0f} | {top:,.0f} | {end[column]:,.0f} "
              f"| {'yes' if flat(column, warm[column], end[column]) else '**no**'} |")
    totals = {"acknowledged": 0, "lost": 0, "duplicates": 0, "keep-alives": 0, "cycles": 0, "errors": 0, "busy": 0}
    rounds = sorted(out.glob("round-*"))
    for d in rounds:
        for name in ("messaging", "keepalive", "churn"):
            path = d / f"{name}.json"
            if not path.exists():
                continue
            r = json.loads(path.read_text())
            totals["errors"] += r["errors"]
            totals["busy"] += r["busy"]
            if name == "messaging":
                totals["acknowledged"] += r["delivery"]["acknowledged"]
                totals["lost"] += r["delivery"]["lost"]
                totals["duplicates"] += r["delivery"]["duplicates"]
            elif name == "keepalive":
                totals["keep-alives"] += r["total"]["keepalives_acked"]
            else:
                totals["cycles"] += r["total"]["cycles"]
    print(f"\n{len(rounds)} rounds: {totals['acknowledged']:,} messages acknowledged, **{totals['lost']} lost**, "
          f"{totals['duplicates']:,} duplicates; {totals['keep-alives']:,} keep-alives acknowledged; "
          f"{totals['cycles']:,} login/logoff cycles; {totals['errors']:,} client errors, {totals['busy']:,} busy replies.")


if __name__ == "__main__":
    main()
