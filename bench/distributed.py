#!/usr/bin/env python3
"""Distributed audits (issue 18) against one process: the 200-page bench site (bench/make_site.py),
served on 127.0.0.1, crawled and audited with the default profile

- in one process: `klartjek audit BASE/index.html --crawl …` (default --workers: one per core, at least 2);
- distributed: `klartjek audit … --distributed --broker …` with W `klartjek worker -c C` processes on
  this machine (default configurations 1×2, 2×2 and 2×1), on a throwaway Redis of scripts/redis.

Workers are started first and timed from when their log says "ready"; the wall time is the audit
command's. Each process tree (the audit command; each worker: Python, the Playwright driver, Chromium
and its helpers; Redis) is sampled from /proc every 0.1 s: CPU seconds are the sum of its processes'
own utime+stime over the audit (see Sampler), memory the peak sum of PSS (as bench/measure.py).
"CPU s per page (all)" adds the audit command, the workers and Redis, not the bench's own site
server and sampling (reported apart, "bench_own_cpu_s"). "machine busy" is the share of both cores
busy over the audit, from /proc/stat: other jobs on the machine count too.
Every run stores to a fresh SQLite file (or to --db URL, e.g. PostgreSQL). Each run's stored
documents and failed findings (url, check, target) are compared with the in-process run's.
KLARTJEK_CRAWL__PER_HOST is raised to 8 for every run: the distributed run queues at most that many
documents of one host across all workers (default 4, which would starve 2 workers × 2).

    .venv/bin/python bench/distributed.py [N] [--repeat R] [--profile quick] [--configs inproc,1x2,2x2,2x1]
                                          [--db URL] [--json bench/data/distributed.json]

With --repeat R every configuration runs R times (the order reversed every other repeat) and the
table shows each one's median run by wall time; the JSON keeps every run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from measure import _pss  # noqa: E402
from run import serve  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
KLARTJEK = str(ROOT / ".venv" / "bin" / "klartjek")
CLK = os.sysconf("SC_CLK_TCK")
PER_HOST = 8


def procs() -> dict[int, tuple[int, int, float]]:
    """pid → (parent pid, start time, CPU seconds of the process itself, all its threads)."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    f = fh.read().rsplit(")", 1)[1].split()
                out[int(pid)] = (int(f[1]), int(f[19]), (int(f[11]) + int(f[12])) / CLK)
            except (OSError, IndexError, ValueError):
                pass
    return out


def tree(root: int, table: dict) -> list[int]:
    kids: dict[int, list[int]] = {}
    for pid, row in table.items():
        kids.setdefault(row[0], []).append(pid)
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        if p in table:
            seen.append(p)
            todo += kids.get(p, [])
    return seen


def machine_busy() -> tuple[int, int]:
    """(busy, all) jiffies of the whole machine since boot."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:8]]
    return sum(v) - v[3] - v[4], sum(v)


class Sampler(threading.Thread):
    """Peak PSS (MB) and CPU seconds of each named process tree, sampled every 0.1 s until stopped.

    CPU is the sum over every process ever seen in the tree of its own utime+stime when last seen,
    less what it had at the first sample: the children's times a parent collects when it reaps them
    (cutime) miss most of Chromium's renderers here (20 s against 46 s for one in-process audit), so
    they are not used. A process living less than 0.1 s, and a dying one's last 0.1 s, are missed."""

    def __init__(self, roots: dict[str, int], new: tuple[str, ...] = ("audit",)) -> None:
        super().__init__(daemon=True)
        self.roots, self.done = dict(roots), threading.Event()
        self.peak = dict.fromkeys(roots, 0.0)
        self.seen: dict[str, dict] = {name: {} for name in roots}
        self.base: dict[str, dict] = {}
        self.sample()
        self.base = {name: dict(seen) for name, seen in self.seen.items() if name not in new}

    def sample(self) -> None:
        table = procs()
        for name, root in self.roots.items():
            pids = tree(root, table)
            for p in pids:
                self.seen[name][p, table[p][1]] = table[p][2]
            if pids and name != "redis":
                self.peak[name] = max(self.peak[name], sum(_pss(str(p)) for p in pids) / 1e6)

    def cpu(self, name: str) -> float:
        base = self.base.get(name, {})
        return sum(v - base.get(k, 0.0) for k, v in self.seen[name].items())

    def run(self) -> None:
        while not self.done.wait(0.1):
            self.sample()


def stop_group(proc: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGTERM the process group of ``proc`` (started with start_new_session), SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        end = time.monotonic() + wait
        try:
            os.killpg(proc.pid, sig)
            while time.monotonic() < end:
                if proc.returncode is None:
                    proc.poll()                     # reap the leader, so the group can empty
                os.killpg(proc.pid, 0)              # raises once no process of the group is left
                time.sleep(0.1)
        except ProcessLookupError:
            return


def start_worker(i: int, conc: int, broker: str, work: Path, env: dict, started: list) -> subprocess.Popen:
    log = open(work / f"worker-{i}.log", "w+")  # noqa: SIM115 - closed with the temp folder
    proc = subprocess.Popen([KLARTJEK, "worker", "--broker", broker, "-c", str(conc), "-n", f"bench{i}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work, start_new_session=True)
    started.append(proc)
    proc.log = log
    return proc


def wait_ready(proc: subprocess.Popen, timeout: float = 90.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if " ready." in Path(proc.log.name).read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise RuntimeError(f"worker {proc.args[-1]} not ready:\n{Path(proc.log.name).read_text()[-2000:]}")


def failed_findings(report: dict) -> Counter:
    out = Counter()
    for d in report["documents"]:
        for r in d["results"]:
            for f in r["findings"]:
                if f.get("outcome", r["outcome"]) == "failed":
                    out[(d["url"] or d["path"] or "", r["code"], f.get("target") or "")] += 1
    return out


def one_run(cfg: str, base: str, n: int, work: Path, args, broker: str, redis_pid: int, env: dict,
            started: list) -> dict:
    """One audit of the site in configuration ``cfg`` (inproc or WxC); its raw figures."""
    tag = f"{cfg}-{len(started)}"
    db = args.db or str(work / f"{tag}.sqlite")
    out = work / f"{tag}.json"
    cmd = [KLARTJEK, "audit", f"{base}/index.html", "--crawl", "--block-external", "--db", db, "--json", str(out),
           "-q", "--fail-on", "none", "--max-pages", str(n + 100), "--profile", args.profile]
    workers: list[subprocess.Popen] = []
    if cfg != "inproc":
        nw, conc = (int(x) for x in cfg.split("x"))
        workers = [start_worker(i + 1, conc, broker, work, env, started) for i in range(nw)]
        for w in workers:
            wait_ready(w)
        cmd += ["--distributed", "--broker", broker]
    own0, busy0, load0 = resource.getrusage(resource.RUSAGE_SELF), machine_busy(), os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=work,
                            start_new_session=True)
    started.append(proc)
    sampler = Sampler({"audit": proc.pid, "redis": redis_pid} | {f"w{i}": w.pid for i, w in enumerate(workers)})
    sampler.start()
    output = proc.stdout.read().decode(errors="replace")
    proc.wait()
    wall = time.perf_counter() - t0
    sampler.done.set()
    sampler.join()
    sampler.sample()                              # the workers' and Redis's last figures
    own1, busy1, load1 = resource.getrusage(resource.RUSAGE_SELF), machine_busy(), os.getloadavg()
    for w in workers:
        stop_group(w)
    stop_group(proc, grace=2)                     # anything the audit left behind
    audit_cpu = sampler.cpu("audit")
    w_cpu = [sampler.cpu(f"w{i}") for i in range(len(workers))]
    r_cpu = sampler.cpu("redis") if workers else 0.0
    res = {"config": cfg, "workers": len(workers), "concurrency": int(cfg.split("x")[1]) if workers else None,
           "rc": proc.returncode, "wall_s": round(wall, 2), "pages": 0, "documents_stored": None,
           "docs_by_worker": {}, "audit_cpu_s": round(audit_cpu, 2), "audit_peak_mb": round(sampler.peak["audit"]),
           "worker_cpu_s": [round(c, 2) for c in w_cpu],
           "worker_peak_mb": [round(sampler.peak[f"w{i}"]) for i in range(len(workers))],
           "redis_cpu_s": round(r_cpu, 2), "all_cpu_s": round(audit_cpu + sum(w_cpu) + r_cpu, 2),
           "bench_own_cpu_s": round(own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime, 2),
           "machine_busy_pct": round(100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]), 1),
           "machine_busy_cpu_s": round((busy1[0] - busy0[0]) / CLK, 1),
           "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in load1]}
    res["others_cpu_s"] = round(res["machine_busy_cpu_s"] - res["all_cpu_s"] - res["bench_own_cpu_s"], 1)
    if proc.returncode != 0 or not out.exists():
        print(f"  {cfg}: exit {proc.returncode}\n{output[-2000:]}", file=sys.stderr)
        return res | {"findings": Counter()}
    report = json.loads(out.read_text(encoding="utf-8"))
    res["pages"] = sum(1 for d in report["documents"] if d["kind"] == "page" and d["status"] == "ok")
    res["browser_version"], res["klartjek_version"] = report.get("browser_version"), report.get("klartjek_version")
    listed = subprocess.run([KLARTJEK, "runs", "--format", "json", "--limit", "20", "--db", db], cwd=work, env=env,
                            capture_output=True, text=True)
    for row in json.loads(listed.stdout or "[]"):
        if row["id"] == report["id"]:
            res["documents_stored"], res["docs_by_worker"] = row["documents"], row["workers"]
    return res | {"findings": failed_findings(report)}


def row_of(runs: list[dict]) -> dict:
    med = sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]
    return med | {"walls": [r["wall_s"] for r in runs]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=200, help="pages in the generated site (plus an index)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--profile", default="default", help="check profile passed to every audit (default, quick)")
    ap.add_argument("--configs", default="inproc,1x2,2x2,2x1", help="inproc and/or WORKERSxCONCURRENCY")
    ap.add_argument("--db", help="a database URL for every run (e.g. PostgreSQL) instead of fresh SQLite files")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "data" / "distributed.json")
    args = ap.parse_args()
    configs = args.configs.split(",")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))      # so the finally blocks below run
    env = os.environ | {"KLARTJEK_CRAWL__PER_HOST": str(PER_HOST)}
    started: list[subprocess.Popen] = []
    runs: dict[str, list[dict]] = {c: [] for c in configs}
    with tempfile.TemporaryDirectory(prefix="klartjek-bench-dist-") as tmp:
        work = Path(tmp)
        subprocess.run([PY, str(ROOT / "bench" / "make_site.py"), str(args.n), str(work / "site")], check=True,
                       stdout=subprocess.DEVNULL)
        httpd, base = serve(work / "site")
        up = subprocess.run(["bash", str(ROOT / "scripts" / "redis"), "start"], capture_output=True, text=True,
                            check=True).stdout
        redis = dict(line.split("=", 1) for line in up.split())
        try:
            broker, rdir = redis["KLARTJEK_TEST_REDIS_URL"], redis["KLARTJEK_TEST_REDIS_DIR"]
            redis_pid = int(Path(rdir, "redis.pid").read_text())
            for r in range(args.repeat):
                for cfg in configs if r % 2 == 0 else configs[::-1]:
                    res = one_run(cfg, base, args.n, work, args, broker, redis_pid, env, started)
                    runs[cfg].append(res)
                    print(f"  {cfg}: {res['pages']} pages, {res['wall_s']} s, CPU {res['all_cpu_s']} s, "
                          f"exit {res['rc']}", file=sys.stderr, flush=True)
        finally:
            for p in started:
                stop_group(p, grace=10)
            httpd.shutdown()
            subprocess.run(["bash", str(ROOT / "scripts" / "redis"), "stop", redis["KLARTJEK_TEST_REDIS_DIR"]],
                           check=False)

    ref = runs.get("inproc", [None])[0] or next(iter(runs.values()))[0]
    ref_findings = ref["findings"]
    for cfg, rs in runs.items():
        for i, r in enumerate(rs):
            if r["documents_stored"] != ref["documents_stored"]:
                print(f"WARNING: {cfg} run {i + 1} stored {r['documents_stored']} documents, "
                      f"{ref['config']} {ref['documents_stored']}")
            diff = (r["findings"] - ref_findings) + (ref_findings - r["findings"])
            r["findings_equal"] = not diff
            r["failed_findings"] = sum(r.pop("findings").values())
            if diff:
                print(f"WARNING: {cfg} run {i + 1}: {sum(diff.values())} failed findings differ from "
                      f"{ref['config']}'s, e.g. {sorted(diff)[:3]}")
    rows = [row_of(rs) for rs in runs.values() if rs]
    print(f"\n{args.n + 1}-page site, profile {args.profile}, crawl.per_host {PER_HOST}, {args.repeat} "
          f"repeat(s) (median run by wall), os.cpu_count() {os.cpu_count()}, load (1/5/15 min) "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| mode | workers × concurrency | pages | wall s | pages/min | CPU s per page (all) | peak PSS per worker "
          "tree MB | coordinator CPU s | coordinator PSS MB | machine busy | findings = in-process |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        dist = r["workers"] > 0
        shape = f"{r['workers']} × {r['concurrency']}" if dist else f"1 × {max(2, os.cpu_count() or 1)} (--workers)"
        ppm = round(r["pages"] / r["wall_s"] * 60) if r["wall_s"] else 0
        per_page = f"{r['all_cpu_s'] / r['pages']:.2f}" if r["pages"] else "–"
        print(f"| {'distributed' if dist else 'in-process'} | {shape} | {r['pages']} | {r['wall_s']:.1f} | {ppm} | "
              f"{per_page} | {', '.join(str(m) for m in r['worker_peak_mb']) if dist else r['audit_peak_mb']} | "
              f"{r['audit_cpu_s'] if dist else '–'} | {r['audit_peak_mb'] if dist else '–'} | "
              f"{r['machine_busy_pct']:.0f} % | {'yes' if r['findings_equal'] else 'NO'} |")
    for r in rows:
        print(f"{r['config']}: " + (f"worker CPU s {r['worker_cpu_s']}, Redis {r['redis_cpu_s']} s, documents by "
                                    f"worker {r['docs_by_worker']}; " if r["workers"] else "")
              + f"machine busy {r['machine_busy_cpu_s']} CPU s: the bench's own {r['bench_own_cpu_s']} (site server, "
              f"sampling), other jobs {r['others_cpu_s']}")
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
            "command": " ".join([".venv/bin/python", "bench/distributed.py", *sys.argv[1:]]),
            "n": args.n, "repeat": args.repeat, "profile": args.profile, "crawl_per_host": PER_HOST,
            "db": "given URL" if args.db else "sqlite", "cpu_count": os.cpu_count(),
            "klartjek_version": ref.get("klartjek_version"), "browser_version": ref.get("browser_version")}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "table": rows, "runs": runs}, indent=2) + "\n", encoding="utf-8")
    print(f"\nraw figures: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
