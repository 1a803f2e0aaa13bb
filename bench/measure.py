#!/usr/bin/env python3
"""Run a command; print its wall time and the peak memory of it and all its descendants (the sum
of their proportional set size, PSS, so memory shared between browser processes is counted once;
sampled every 0.1 s from /proc).

    python bench/measure.py LABEL -- COMMAND ...
"""
from __future__ import annotations

import os
import subprocess
import sys
import time


def _pss(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(pid))
        rss[int(pid)] = _pss(pid)
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def main() -> None:
    label = sys.argv[1]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.1)
    out = proc.stdout.read()
    wall = time.perf_counter() - t0
    print(f"{label}\twall={wall:.1f}\tpeak_mb={peak / 1e6:.0f}\trc={proc.returncode}")
    sys.stdout.write(out[-2000:])


if __name__ == "__main__":
    main()
