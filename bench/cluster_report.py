#!/usr/bin/env python3
"""bench/cluster_report.py RUNS: the Markdown table of bench/cluster.sh's windows, the inputs of
docs/SCALING.md. Per window: the operations icq-loadgen counted (keep-alives acknowledged,
messages delivered, login cycles) and, per operation, the CPU each kind of process spent over
exactly that window (bench/hook.sh) and the Redis commands the masters ran; for the window that
logs sessions in, the Redis memory they hold, masters and replicas apart. Then the failover
window: messages acknowledged and delivered (icq-loadgen --verify), sessions the server lost,
and how long after the kill the acknowledgements stopped and came back (its --timeline).
"""
import csv
import json
import pathlib
import re
import sys

from report import CLK_TCK, read_info, read_ticks

KINDS = ["redis-master", "redis-slave", "worker", "gateway", "scheduler", "postgres"]


def kind(process):
    for k in KINDS:
        if process.startswith(k):
            return k
    return None


def window(run):
    result = json.loads((run / "result.json").read_text())
    start, end = read_ticks(run / "cpu-start.txt"), read_ticks(run / "cpu-end.txt")
    cpu = {}
    for name in end:
        if name in start and kind(name):
            cpu[kind(name)] = cpu.get(kind(name), 0) + (end[name] - start[name]) / CLK_TCK
    masters = {m.group(1) for name in end if (m := re.match(r"redis-master-(\d+)$", name))}
    commands = 0
    for port in masters:
        stats = read_info(run / f"commandstats-{port}.txt")
        commands += sum(int(re.search(r"calls=(\d+)", v).group(1)) for k, v in stats.items() if k.startswith("cmdstat_"))
    memory = {"redis-master": 0, "redis-slave": 0}
    for name in end:
        m = re.match(r"(redis-master|redis-slave)-(\d+)$", name)
        if m:
            before = int(read_info(run / f"memory-before-{m.group(2)}.txt")["used_memory"])
            online = int(read_info(run / f"memory-online-{m.group(2)}.txt")["used_memory"])
            memory[m.group(1)] += online - before
    return result, cpu, commands, memory


def main():
    runs = pathlib.Path(sys.argv[1])
    print("| window | operations | per second | " + " | ".join(f"{k} µs/op" for k in KINDS) +
          " | master commands/op | memory/session, masters | memory/session, replicas |")
    print("|---|---:|---:|" + "---:|" * len(KINDS) + "---:|---:|---:|")
    for run in sorted(p for p in runs.iterdir() if (p / "result.json").exists() and p.name != "failover"):
        result, cpu, commands, memory = window(run)
        ops = result["operations"]
        per_op = [f"{1e6 * cpu.get(k, 0) / ops:.1f}" if ops else "—" for k in KINDS]
        online = result.get("online_reached", 0)
        per_session = [f"{memory[k] / online:,.0f} B" if run.name.startswith("online") and online else "—"
                       for k in ("redis-master", "redis-slave")]
        print(f"| {run.name} | {ops:,} | {result['throughput_per_s']:,.0f} | " + " | ".join(per_op) +
              f" | {commands / ops:.1f} | " + " | ".join(per_session) + " |")

    failover(runs / "failover")


def failover(run):
    if not (run / "result.json").exists():
        return
    result = json.loads((run / "result.json").read_text())
    delivery = result.get("delivery", {})
    port, killed_at = (run / "killed.txt").read_text().split()
    killed_at = float(killed_at)
    rows = [r for r in csv.DictReader((run / "timeline.csv").open()) if r["phase"] in ("measure", "settle")]
    after = [r for r in rows if float(r["unix_s"]) > killed_at]
    rate = result["offered_rate"]
    quiet = [r for r in after if int(r["messages_acked"]) < rate / 2]
    back = next((float(r["unix_s"]) - killed_at for r in after
                 if int(r["messages_acked"]) >= rate / 2 and float(r["unix_s"]) - killed_at > 1), None)
    print()
    print(f"Failover: the master on port {port} killed with SIGKILL {killed_at - float(rows[0]['unix_s']):.1f} s "
          f"into a window of {result['measured_s']:.0f} s of {rate:,} messages/s offered by {result['sessions']:,} sessions.")
    print()
    print("| acknowledged | delivered | lost | duplicates | sessions lost (SRV_NOT_CONNECTED or GO_AWAY) | "
          "requests given up | seconds below half the offered rate | acknowledgements at half the rate again after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    lost_sessions = sum(int(r["sessions_lost"]) for r in rows)
    gave_up = sum(int(r["gave_up"]) for r in rows)
    print(f"| {delivery.get('acknowledged', 0):,} | {delivery.get('received', 0):,} | {delivery.get('lost', 0):,} | "
          f"{delivery.get('duplicates', 0):,} | {lost_sessions:,} | {gave_up:,} | {len(quiet)} | "
          f"{'—' if back is None else f'{back:.1f} s'} |")


if __name__ == "__main__":
    main()
