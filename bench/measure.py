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
import tempfile
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


def tree_pss(root: int) -> int:
    """The PSS of ``root`` and all its descendants, in bytes."""
    children: dict[int, list[int]] = {}
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
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += _pss(str(p))
        todo += children.get(p, [])
    return total


def measure(cmd: list[str], interval: float = 0.1, env: dict | None = None) -> dict:
    """Run ``cmd``; its wall time (s), peak memory of its process tree (MB), exit code and output."""
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_pss(proc.pid))
            time.sleep(interval)
        wall = time.perf_counter() - t0
        out.seek(0)
        return {"wall": wall, "peak_mb": peak / 1e6, "rc": proc.returncode, "output": out.read()}


def main() -> None:
    label = sys.argv[1]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    m = measure(cmd)
    print(f"{label}\twall={m['wall']:.1f}\tpeak_mb={m['peak_mb']:.0f}\trc={m['rc']}")
    sys.stdout.write(m["output"][-2000:])


if __name__ == "__main__":
    main()
