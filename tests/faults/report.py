#!/usr/bin/env python3
"""tests/faults/report.py <runs dir> <offered rate> <fault>...: the Markdown table of
tests/faults/run.sh for docs/RELIABILITY.md, from each fault's result.json (icq-loadgen
--verify), timeline.csv (--timeline: counts per second) and fault-start / fault-end.

Recovered: the first second after the fault ended from which messages were received at 90 % of
the offered rate or more for three seconds running, counted from the fault's end (for a kill,
its start). Lowest: the fewest messages received in one second between the fault's start and
that recovery."""
import csv
import json
import sys
from pathlib import Path

RECOVERED_SHARE = 0.9
RECOVERED_SECONDS = 3


def read_time(path):
    return float(path.read_text().strip())


def recovery(rows, rate, start, end):
    measured = [r for r in rows if r["phase"] == "measure" and float(r["unix_s"]) > start]
    run = 0
    lowest = None
    for i, r in enumerate(measured):
        received = int(r["messages_received"])
        good = received >= RECOVERED_SHARE * rate and float(r["unix_s"]) > end + 1
        run = run + 1 if good else 0
        if run == RECOVERED_SECONDS:
            first = measured[i - RECOVERED_SECONDS + 1]
            return float(first["unix_s"]) - 1 - end, lowest if lowest is not None else received
        if not good:
            lowest = received if lowest is None else min(lowest, received)
    return None, lowest


def during(rows, start, end, column):
    return sum(int(r[column]) for r in rows if start < float(r["unix_s"]) <= end + 1)


def during_fault(rows, start, end):
    if end - start < 1:
        return "-"  # a kill: the fault is over in an instant
    return f"{during(rows, start, end, 'messages_acked'):,} in {end - start:.0f} s"


def side_loads(runs, faults):
    """stop-postgres: what the logins of remembered users and the offline messages did."""
    for fault in faults:
        d = runs / fault
        if not (d / "churn.json").exists():
            continue
        start, end = read_time(d / "fault-start"), read_time(d / "fault-end")
        churn = list(csv.DictReader((d / "churn-timeline.csv").open()))
        churn_result = json.loads((d / "churn.json").read_text())
        offline = json.loads((d / "offline.json").read_text())
        offline_rows = list(csv.DictReader((d / "offline-timeline.csv").open()))
        v = offline["delivery"]
        print(f"\n{fault}: {during(churn, start, end, 'logins'):,} logins of remembered users while the database "
              f"was down ({end - start:.0f} s), {churn_result['total']['busy']:,} busy replies and "
              f"{churn_result['errors']:,} errors to them over the run. Offline messages: "
              f"{during(offline_rows, start, end, 'messages_acked'):,} acknowledged while it was down, "
              f"{v['acknowledged']:,} in all, {v['received']:,} received at their recipients' login, "
              f"**{v['lost']} lost**; their senders retransmitted {offline['total']['retransmits']:,} times "
              f"and gave up {offline['total']['gave_up']:,} times.")


def main():
    runs, rate, faults = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
    print("| fault | acknowledged | received | lost | duplicates | acked during the fault | lowest received/s "
          "| recovered after | settled after | sessions lost | busy | gave up | retransmits |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for fault in faults:
        d = runs / fault
        result = json.loads((d / "result.json").read_text())
        rows = list(csv.DictReader((d / "timeline.csv").open()))
        start, end = read_time(d / "fault-start"), read_time(d / "fault-end")
        recovered, lowest = recovery(rows, rate, start, end)
        v, total = result["delivery"], result["total"]
        print(f"| {fault} | {v['acknowledged']:,} | {v['received']:,} | **{v['lost']}** | {v['duplicates']} "
              f"| {during_fault(rows, start, end)} "
              f"| {lowest if lowest is not None else '-'} "
              f"| {f'{recovered:.0f} s' if recovered is not None else 'not in the window'} "
              f"| {v['settle_s']:.1f} s | {total['not_connected'] + total['go_away']:,} | {total['busy']:,} "
              f"| {total['gave_up']:,} | {total['retransmits']:,} |")
    side_loads(runs, faults)


if __name__ == "__main__":
    main()
