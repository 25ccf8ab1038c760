#!/usr/bin/env python3
"""bench/report.py: turns the records bench/run.sh left in var/bench/runs into docs/BENCHMARKS.md
and the plot's data file. Every number in the document comes from those records; the only text
written here by hand is what the targets are and how each figure is computed."""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_PROCESSES = ("gateway", "worker", "scheduler", "redis", "postgres")


def read_info(path):
    """Redis INFO text as {field: value}."""
    info = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if ":" in line and not line.startswith("#"):
                key, value = line.strip().split(":", 1)
                info[key] = value
    return info


def read_ticks(path):
    ticks = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, value = line.split()
            ticks[name] = int(value)
    return ticks


class Run:
    def __init__(self, directory):
        self.name = directory.name
        self.dir = directory
        self.result = json.loads((directory / "result.json").read_text())
        self.commandstats = read_info(directory / "commandstats.txt")
        self.stats = read_info(directory / "stats.txt")
        self.memory_before = read_info(directory / "memory-before.txt")
        self.memory_online = read_info(directory / "memory-online.txt")
        start, end = read_ticks(directory / "cpu-start.txt"), read_ticks(directory / "cpu-end.txt")
        self.cpu_s = {name: (end[name] - start.get(name, 0)) / CLK_TCK for name in end}
        self.profile = (directory / "profile.txt").read_text() if (directory / "profile.txt").exists() else ""

    @property
    def throughput(self):
        return self.result["throughput_per_s"]

    def latency(self, name, field):
        return self.result.get("latency", {}).get(name, {}).get(field)

    @property
    def primary_latency(self):
        names = {"raw": "raw", "keepalive": "keepalive_ack", "churn": "cycle", "messaging": "delivery",
                 "presence": "presence", "offline": "offline_login"}
        return names[self.result["scenario"]]

    def operations(self):
        return self.result["operations"]

    def server_cpu_s(self):
        return sum(v for k, v in self.cpu_s.items() if k.split("-")[0] in SERVER_PROCESSES)

    def datagrams_in(self):
        """Datagrams the cluster received in the window: what the load generator sent."""
        return self.result["window"]["datagrams_sent"]

    def cpu_us_per_datagram(self):
        n = self.datagrams_in()
        return self.server_cpu_s() * 1e6 / n if n and self.cpu_s else None

    def cpu_us_per_op(self):
        n = self.operations()
        return self.server_cpu_s() * 1e6 / n if n and self.cpu_s else None

    def redis_commands(self):
        total = 0
        per = {}
        for key, value in self.commandstats.items():
            if key.startswith("cmdstat_"):
                calls = int(re.search(r"calls=(\d+)", value).group(1))
                per[key[len("cmdstat_"):]] = calls
                total += calls
        return total, per

    def redis_round_trips(self):
        return int(self.stats.get("total_reads_processed", 0))

    def memory_per_session(self):
        before = int(self.memory_before.get("used_memory", 0))
        online = int(self.memory_online.get("used_memory", 0))
        n = self.result["online_reached"]
        return (online - before) / n if n and online else None


# What would move a figure, by the stage that spent the most CPU in the run it is measured on.
# Each line names what the profile of that stage shows (the table under "Where the time goes").
REMEDIES = {
    "redis": "Redis: its time goes to running the workers' Lua scripts (EVALSHA, {evalsha} µs each by "
             "commandstats, about one per packet: argument conversion, dictionary look-ups, the script's own "
             "HMGET/HSET/SETRANGE) rather than to the network. A keep-alive is down to one HMGET, one GET of "
             "the duplicate window, one SETRANGE and one HSET; the script stays one per UIN so that every "
             "call touches one Redis Cluster slot. What would move it: a duplicate window that is not read "
             "back whole, and on bigger machines Redis Cluster, which the hash-tagged keys already allow.",
    "worker": "Workers: for logins that is argon2id itself (64 MiB, 2 passes "
              "per attempt at the production cost) for each user's first login on a worker; the verifier "
              "cache (auth.verifier_cache_*) answers the repeated ones from memory. Otherwise it is "
              "decoding, building replies and the ZeroMQ hops; more worker processes only help where cores are free.",
    "gateway": "Gateway: receiving, token bucket and the ZeroMQ hand-off per "
               "datagram; several gateway sockets (SO_REUSEPORT) or processes would spread it.",
    "postgres": "PostgreSQL: offline messages are rows inserted, read and deleted; "
                "batching the inserts of one worker batch into one statement would move it.",
    "loadgen": "The load generator: give it a second thread (--threads 2) where a core is free.",
}


def fmt_int(v):
    return "—" if v is None else f"{v:,.0f}"


def fmt_ms(us):
    return "—" if us is None else f"{us / 1000:.2f}"


def fmt_f(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}"


def machine_section(note, workers, runs_dir):
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    load = Path("/proc/loadavg").read_text().split()[:3]
    start_file = Path(runs_dir) / "loadavg-start.txt"
    start = start_file.read_text().split() if start_file.exists() else ["?"]

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "unknown"

    lines = [
        f"- CPU: {cpu}, {os.cpu_count()} cores; {mem_kb / 1024 / 1024:.1f} GiB RAM; Linux {platform.release()}",
        f"- {version(['redis-server', '--version'])}; {version(['/usr/lib/postgresql/15/bin/postgres', '--version'])}",
        f"- Cluster: 1 gateway, {workers} workers, 1 scheduler, Redis and PostgreSQL, and the load generator "
        f"(1 thread), all on these {os.cpu_count()} cores; Release build; loopback only.",
        f"- Load average (1, 5, 15 min) when the suite started: {' '.join(start)}; when it ended: {' '.join(load)}.",
    ]
    if note:
        lines.append(f"- {note}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--plot-data", required=True)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    runs = {}
    # In the order they ran.
    for d in sorted(Path(args.runs).iterdir(), key=lambda d: (d / "result.json").stat().st_mtime
                    if (d / "result.json").exists() else 0):
        if (d / "result.json").exists():
            runs[d.name] = Run(d)
    raw = runs["raw"]
    raw_rate = raw.throughput

    def ratio(v):
        return f"{100 * v / raw_rate:.1f} %" if raw_rate else "—"

    def find(prefix):
        return [r for n, r in runs.items() if n.startswith(prefix)]

    def by_sessions(rs):
        return sorted(rs, key=lambda r: r.result["sessions"])

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Written by `./bench/run.sh` (the one command; it builds Release, starts its own cluster, runs every")
    w("scenario of `icq-loadgen` and rewrites this file and `benchmarks.png`). Do not edit by hand: run it.")
    w(f"Generated {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M')} UTC.")
    w("")
    w("## The machine")
    w("")
    w(machine_section(args.note, args.workers, args.runs))
    w("")
    w("Everything shares the same cores, so every figure is the cluster's *and* the load generator's cost;")
    w("on a machine that is busy with other work too, the figures are lower bounds.")
    w("")

    # --- raw baseline
    w("## The raw baseline")
    w("")
    w(f"`icq-udp-echo` answers every datagram with the same recvmmsg/sendmmsg batches the load generator uses")
    w(f"and no work per packet; `icq-loadgen --scenario raw` drives it with {raw.result['sessions']:,} clients.")
    w(f"Measured in this run: **{raw_rate:,.0f} request/response pairs per second** "
      f"(p50 {fmt_ms(raw.latency('raw', 'p50_us'))} ms, p99 {fmt_ms(raw.latency('raw', 'p99_us'))} ms). "
      "Every throughput below is also given as a percentage of it.")
    w("")

    # --- targets
    keep_flat = by_sessions(find("keepalive-flat-"))
    best_keep = max(keep_flat, key=lambda r: r.throughput) if keep_flat else None
    churn_prod = runs.get("churn-production-cost")
    churn_min = runs.get("churn-minimum-cost")
    msg_flat = find("messaging-flat-")
    best_msg = max(msg_flat, key=lambda r: r.throughput) if msg_flat else None
    msg_half = runs.get("messaging-rate-20000")
    keep_mid = keep_flat[1] if len(keep_flat) > 1 else (keep_flat[0] if keep_flat else None)
    contacts = find("keepalive-contacts-")
    small_keep, big_keep = (keep_flat[0], keep_flat[-1]) if keep_flat else (None, None)

    def rt_per_op(r):
        return r.redis_round_trips() / r.operations() if r and r.operations() else None

    def met(ok):
        return "**met**" if ok else "**missed**"

    rows = []
    missed_runs = []

    def judged(target, measured, ok, run):
        rows.append((target, measured, met(ok)))
        if not ok:
            missed_runs.append((target, run))

    if best_keep:
        judged("keep-alive ≥ 100,000 acknowledged/s", f"{best_keep.throughput:,.0f}/s ({best_keep.name})",
               best_keep.throughput >= 100000, best_keep)
        judged("keep-alive ≥ 40 % of the raw baseline", ratio(best_keep.throughput),
               best_keep.throughput >= 0.4 * raw_rate, best_keep)
    if churn_prod:
        measured = f"{churn_prod.throughput:,.1f}/s"
        if churn_min:
            measured += f" (minimum-cost hashes: {churn_min.throughput:,.0f}/s)"
        judged("login churn ≥ 2,500 cycles/s, production-cost argon2id at rest", measured,
               churn_prod.throughput >= 2500, churn_prod)
    if best_msg:
        judged("messaging ≥ 40,000 delivered/s", f"{best_msg.throughput:,.0f}/s ({best_msg.name})",
               best_msg.throughput >= 40000, best_msg)
    if msg_half:
        p99 = msg_half.latency("delivery", "p99_us")
        judged("messaging p99 send→delivery < 5 ms at 20,000/s offered",
               f"{fmt_ms(p99)} ms at {msg_half.throughput:,.0f}/s delivered",
               p99 is not None and p99 < 5000 and msg_half.throughput >= 19000, msg_half)
    if keep_mid:
        v = rt_per_op(keep_mid)
        judged("Redis ≤ 1 round trip per keep-alive", f"{fmt_f(v)} ({keep_mid.name})", v is not None and v <= 1,
               keep_mid)
    if best_msg:
        v = rt_per_op(best_msg)
        judged("Redis ≤ 2 round trips per delivered message", f"{fmt_f(v)} ({best_msg.name})",
               v is not None and v <= 2, best_msg)
    if big_keep:
        m = big_keep.memory_per_session()
        judged("Redis ≤ 1 KiB per online session, no contacts",
               f"{fmt_int(m)} B ({big_keep.result['online_reached']:,} online)", m is not None and m <= 1024, None)
    if contacts:
        m = contacts[0].memory_per_session()
        judged("Redis ≤ 2 KiB per online session, 20 contacts",
               f"{fmt_int(m)} B ({contacts[0].result['online_reached']:,} online)", m is not None and m <= 2048, None)
    if small_keep and big_keep and small_keep is not big_keep:
        a, b = small_keep.cpu_us_per_datagram(), big_keep.cpu_us_per_datagram()
        judged(f"cost per packet at {big_keep.result['sessions']:,} sessions ≤ 1.25 × at "
               f"{small_keep.result['sessions']:,}",
               f"{fmt_f(b)} µs vs {fmt_f(a)} µs = {fmt_f(b / a if a and b else None)} ×",
               a is not None and b is not None and b <= 1.25 * a, big_keep)
    w("## Targets (issue 7)")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    for row in rows:
        w(f"| {row[0]} | {row[1]} | {row[2]} |")
    w("")

    # --- every run
    w("## Every run")
    w("")
    w("Throughput is per second of the measurement window; latencies are the scenario's own (keep-alive: "
      "CMD_KEEP_ALIVE → SRV_ACK; churn: CMD_LOGIN → SRV_ACK of the logoff; messaging: CMD_SEND_MESSAGE → "
      "SRV_SYS_DELIVERED_MESS at the recipient; presence: CMD_STATUS_CHANGE → SRV_STATUS_UPDATE at a watcher; "
      "offline: the recipient's CMD_LOGIN → SRV_END_OFFLINE_MESSAGES). CPU is the cluster's (gateway, workers, "
      "scheduler, Redis, PostgreSQL; from /proc/PID/stat) over the window, per datagram the cluster received. "
      "Errors: refused logins, SRV_NOT_CONNECTED, SRV_GO_AWAY, requests unanswered after every retransmission, "
      "malformed replies.")
    w("")
    w("| run | sessions | offered/s | throughput/s | of raw | p50 ms | p99 ms | p99.9 ms | errors | busy | "
      "retransmits | CPU µs/datagram |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in runs.items():
        lat = r.primary_latency
        offered = "flat out" if not r.result["offered_rate"] else f"{r.result['offered_rate']:,.0f}"
        w(f"| {name} | {r.result['sessions']:,} | {offered} | {r.throughput:,.0f} {r.result['unit']} | "
          f"{ratio(r.throughput)} | {fmt_ms(r.latency(lat, 'p50_us'))} | {fmt_ms(r.latency(lat, 'p99_us'))} | "
          f"{fmt_ms(r.latency(lat, 'p999_us'))} | {r.result['errors']} | {r.result['busy']} | "
          f"{r.result['retransmits']} | {fmt_f(r.cpu_us_per_datagram())} |")
    w("")
    for name, r in runs.items():
        if r.result["online_wanted"] and r.result["online_reached"] < r.result["online_wanted"]:
            w(f"- {name}: only {r.result['online_reached']:,} of {r.result['online_wanted']:,} sessions came online "
              f"within the connect bound.")
    w("")

    # --- CPU per process
    w("## CPU per packet, by process")
    w("")
    w("CPU microseconds each process spent per datagram the cluster received, over the window (the load")
    w("generator's own per datagram it sent).")
    w("")
    names = sorted({k for r in runs.values() for k in r.cpu_s})
    w("| run | " + " | ".join(names) + " |")
    w("|---|" + "---|" * len(names))
    for name, r in runs.items():
        n = r.datagrams_in()
        if not r.cpu_s or not n:
            continue
        w(f"| {name} | " + " | ".join(fmt_f(r.cpu_s.get(k, 0) * 1e6 / n, 2) for k in names) + " |")
    w("")

    # --- Redis per operation
    w("## Redis per operation")
    w("")
    w("From Redis `INFO commandstats` and `INFO stats` (reset when the window opens). Commands run by a Lua "
      "script are counted as well as the EVALSHA that ran them. A round trip is one `total_reads_processed` "
      "event, i.e. one pipelined batch read from a client: the workers check a whole batch of packets in one, "
      "so under load a round trip serves many operations. Background work (gateway heartbeats, scheduler "
      "ticks, workers following the registry) is included.")
    w("")
    w("| run | operations | commands/op | round trips/op | Redis CPU µs/op | top commands (calls/op) |")
    w("|---|---|---|---|---|---|")
    for name, r in runs.items():
        total, per = r.redis_commands()
        ops = r.operations()
        if not ops or not r.commandstats:
            continue
        top = sorted(per.items(), key=lambda kv: -kv[1])[:5]
        w(f"| {name} | {ops:,} | {total / ops:.2f} | {r.redis_round_trips() / ops:.2f} | "
          f"{r.cpu_s.get('redis', 0) * 1e6 / ops:.1f} | "
          + ", ".join(f"{k} {v / ops:.2f}" for k, v in top) + " |")
    w("")

    # --- memory
    w("## Redis memory per online session")
    w("")
    w("`used_memory` with every session online minus before the logins, divided by the sessions online.")
    w("")
    w("| run | online | contacts | bytes per session |")
    w("|---|---|---|---|")
    for name, r in runs.items():
        m = r.memory_per_session()
        if m is None or r.result["scenario"] != "keepalive":
            continue
        w(f"| {name} | {r.result['online_reached']:,} | {r.result['contacts']} | {m:,.0f} |")
    w("")

    # --- scaling
    if keep_flat:
        w("## From 1,000 to 100,000 online sessions")
        w("")
        w("| sessions | keep-alives acked/s | p99 ms | CPU µs/datagram | connect s (logins/s) |")
        w("|---|---|---|---|---|")
        for r in keep_flat:
            logins = r.result["online_reached"] / r.result["connect_s"] if r.result["connect_s"] else 0
            w(f"| {r.result['sessions']:,} | {r.throughput:,.0f} | {fmt_ms(r.latency('keepalive_ack', 'p99_us'))} | "
              f"{fmt_f(r.cpu_us_per_datagram())} | {r.result['connect_s']:.1f} ({logins:,.0f}/s) |")
        w("")

    # --- plot
    rate_runs = sorted(find("keepalive-rate-"), key=lambda r: r.result["offered_rate"])
    with open(args.plot_data, "w") as f:
        for r in rate_runs:
            f.write(f"{r.result['offered_rate']} {r.throughput} {(r.latency('keepalive_ack', 'p99_us') or 0) / 1000}\n")
    w("## Throughput and p99 against offered load")
    w("")
    w("![keep-alive throughput and p99 against offered load](benchmarks.png)")
    w("")
    w("| offered/s | acknowledged/s | p99 ms | busy | retransmits |")
    w("|---|---|---|---|---|")
    for r in rate_runs:
        w(f"| {r.result['offered_rate']:,.0f} | {r.throughput:,.0f} | {fmt_ms(r.latency('keepalive_ack', 'p99_us'))} | "
          f"{r.result['busy']} | {r.result['retransmits']} |")
    w("")

    # --- bottlenecks
    w("## What limits each missed target, and what would move it")
    w("")
    w("For each missed target: the run it is judged on, the process that spent the most CPU there, and how much")
    w("of the machine the benchmark's processes got. Where that share is well below the cores there are, the")
    w("cluster spent the window waiting: for CPU the machine gave to other work (see the load average above)")
    w("or on its own round trips; the figure is then a lower bound, and the busiest process is where more CPU")
    w("would go first.")
    w("")
    cores = os.cpu_count() or 1
    stages = {}
    for row, run in missed_runs:
        if not run or not run.cpu_s:
            continue
        busiest = max(run.cpu_s.items(), key=lambda kv: kv[1])
        stage = busiest[0].split("-")[0]
        used = sum(run.cpu_s.values()) / (run.result["measured_s"] * cores)
        w(f"- **{row}** (run `{run.name}`): busiest {busiest[0]}, {busiest[1]:.2f} CPU s of the "
          f"{run.result['measured_s']:.1f} s window; all of the benchmark's processes used {100 * used:.0f} % "
          f"of the {cores} cores.")
        stages.setdefault(stage, run)
    w("")
    for stage, run in stages.items():
        calls = run.commandstats.get("cmdstat_evalsha", "")
        match = re.search(r"usec_per_call=([\d.]+)", calls)
        w(REMEDIES.get(stage, "").format(evalsha=match.group(1) if match else "?"))
        w("")

    # --- profile
    profiled = [r for r in runs.values() if r.profile]
    if profiled:
        w("## Where the time goes (perf, cpu-clock samples over the window)")
        w("")
        for r in profiled:
            shares = sorted(r.cpu_s.items(), key=lambda kv: -kv[1])
            w(f"Run `{r.name}`: CPU seconds over the window: "
              + ", ".join(f"{k} {v:.2f}" for k, v in shares) + ".")
            w("")
            w("```")
            lines = [l for l in r.profile.splitlines() if l.strip() and not l.startswith("#")][:40]
            w("\n".join(lines))
            w("```")
            w("")
    Path(args.out).write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
