#!/usr/bin/env python3
"""bench/cpu_ticks.py NAME=PID...: one "name ticks" line per argument, the CPU clock ticks the
process has spent so far. hook.sh calls it at both edges of a measurement window; report.py
takes the difference.

A NAME=PID counts the whole process tree: the process, every descendant alive now, and every
descendant that has already exited. That is the only sum that cannot go down over a window.
PostgreSQL's postmaster forks a backend per connection and autovacuum workers that come and go;
summing the children alive at each edge, as the suite did, lost the CPU of every one that
exited inside the window (counted at the start, gone at the end), and PostgreSQL came out at
-0.84 s. When a parent reaps a child the kernel adds the child's utime+stime, and what the child
had reaped, to the parent's cutime+cstime (proc(5), fields 14-17), so a tree's CPU is
utime+stime+cutime+cstime summed over its living members (a zombie still shows its own).

A reap between reading a child and reading its parent would count that child twice or not at
all, so the snapshot is taken again until two in a row agree on every tree's members and on
what each has reaped.

NAME=PID with NAME starting with "self:" (self:loadgen=PID) counts that process alone, without
its children: the load generator's children are hook.sh itself.
"""
import os
import sys

ATTEMPTS = 10


def read_all():
    """{pid: (ppid, own ticks, reaped ticks)} for every process we can read now."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue  # gone meanwhile
        # The command name (field 2) may hold spaces and ')': count fields from the last ')'.
        fields = text[text.rindex(")") + 2:].split()
        # fields[0] is field 3 (state): field n is fields[n - 3].
        ppid = int(fields[1])
        own = int(fields[11]) + int(fields[12])       # utime, stime
        reaped = int(fields[13]) + int(fields[14])    # cutime, cstime
        table[int(entry)] = (ppid, own, reaped)
    return table


def tree(table, root):
    """The pids of root and its living descendants."""
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    members, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            members.append(pid)
            todo.extend(children.get(pid, []))
    return members


def snapshot(roots):
    table = read_all()
    result = {}
    for name, pid, whole_tree in roots:
        members = tree(table, pid) if whole_tree else ([pid] if pid in table else [])
        state = {m: table[m][2] for m in members} if whole_tree else {}
        ticks = sum(table[m][1] + (table[m][2] if whole_tree else 0) for m in members)
        result[name] = (ticks, state)
    return result


def main():
    roots = []
    for arg in sys.argv[1:]:
        name, pid = arg.split("=", 1)
        whole_tree = not name.startswith("self:")
        roots.append((name.removeprefix("self:"), int(pid), whole_tree))
    previous = snapshot(roots)
    for _ in range(ATTEMPTS):
        current = snapshot(roots)
        if all(current[n][1] == previous[n][1] for n, _, _ in roots):
            break
        previous = current
    else:
        print("cpu_ticks.py: process trees kept changing; the last snapshot is used", file=sys.stderr)
    for name, _, _ in roots:
        print(f"{name} {current[name][0]}")


if __name__ == "__main__":
    main()
