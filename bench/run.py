#!/usr/bin/env python3
"""The whole-site benchmark of issue 4: one generated site, served on 127.0.0.1, audited one tool
after the other in the same run: klartjek (crawl, storage, every page check), klartjek again with
--incremental on the unchanged site, the bare Playwright+axe loop (bench/bare_loop.py: the floor of
this stack), pa11y-ci and @axe-core/cli (bench/peers.py). Prints pages, wall seconds, pages per
minute, peak memory of the whole process tree and violations found, and each tool's ratio to
klartjek. Run it through bench/run.sh, which installs what it needs first.

    .venv/bin/python bench/run.py [N] [--repeat R] [--only klartjek,bare,...] [--json OUT]

With --repeat R the bare loop and klartjek run R times, alternately, and the table shows the median
run of each (the peers run once, in the first repeat: they take minutes). Because this machine's
speed drifts, the ratios that count are those within one repeat: klartjek against the bare loop
run next to it, and against each peer in the first repeat.
"""
from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from measure import measure  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
KLARTJEK = str(ROOT / ".venv" / "bin" / "klartjek")
TOOLS = ("klartjek", "klartjek-quick", "klartjek-incremental", "bare", "pa11y-ci", "axe-cli")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def klartjek_counts(report: Path) -> tuple[int, int, int]:
    """Pages audited, violation nodes (failed findings of axe-core checks), pages reused."""
    run = json.loads(report.read_text(encoding="utf-8"))
    pages = [d for d in run["documents"] if d["kind"] == "page" and d["status"] == "ok"]
    nodes = sum(len(r["findings"]) for d in pages for r in d["results"]
                if r["code"].startswith("KA") and r["outcome"] == "failed")
    return len(pages), nodes, sum(1 for d in pages if d.get("reused_from"))


def run_tool(tool: str, base: str, n: int, work: Path, pac_url: str, urls_file: Path) -> dict:
    db = work / ("klartjek-quick.sqlite" if tool == "klartjek-quick" else "klartjek.sqlite")
    if tool in ("klartjek", "klartjek-quick", "klartjek-incremental"):
        if tool in ("klartjek", "klartjek-quick"):
            for p in work.glob(db.name + "*"):
                p.unlink()
        out = work / f"{tool}.json"
        cmd = [KLARTJEK, "audit", f"{base}/index.html", "--crawl", "--block-external", "--db", str(db),
               "--json", str(out), "-q", "--fail-on", "none", "--max-pages", str(n + 100)]
        if tool == "klartjek-incremental":
            cmd.append("--incremental")
        if tool == "klartjek-quick":            # axe-core and the cheap probes only (docs/wcag-checks.md)
            cmd += ["--profile", "quick"]
        m = measure(cmd)
        pages, nodes, reused = klartjek_counts(out) if m["rc"] == 0 else (0, 0, 0)
        return m | {"pages": pages, "violations": nodes, "reused": reused}
    if tool == "bare":
        m = measure([PY, str(ROOT / "bench" / "bare_loop.py"), base, str(n), "2"])
        words = m["output"].split()
        pages = int(words[words.index("pages") + 1]) if "pages" in words else 0
        nodes = int(words[words.index("violations") + 1]) if "violations" in words else 0
        return m | {"pages": pages, "violations": nodes}
    out = work / f"{tool}.json"
    m = measure([PY, str(ROOT / "bench" / "peers.py"), tool, str(urls_file), pac_url, "--out", str(out)])
    res = json.loads(out.read_text()) if out.exists() else {"pages": 0, "violations": 0}
    return m | {"pages": res["pages"], "violations": res["violations"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=200, help="pages in the generated site (plus an index)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", default=",".join(TOOLS))
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    only = [t for t in TOOLS if t in args.only.split(",")]

    with tempfile.TemporaryDirectory(prefix="klartjek-bench-") as tmp:
        work = Path(tmp)
        site = work / "site"
        subprocess.run([PY, str(ROOT / "bench" / "make_site.py"), str(args.n), str(site)], check=True,
                       stdout=subprocess.DEVNULL)
        expected = json.loads((site / "expected.json").read_text())
        import peers   # bench/peers.py: the PAC the peers' Chromium gets, served from the site
        (site / "proxy.pac").write_text(peers.pac_text())
        httpd, base = serve(site)
        pac_url = f"{base}/proxy.pac"
        urls_file = work / "urls.txt"
        urls_file.write_text("\n".join([f"{base}/index.html"] + [f"{base}/side-{i}.html"
                                                                 for i in range(1, args.n + 1)]) + "\n")
        runs: dict[str, list[dict]] = {t: [] for t in only}
        try:
            for r in range(args.repeat):
                # klartjek and the bare loop swap places every repeat, so neither always runs first
                for tool in (only if r % 2 == 0 else [t for t in only if t not in ("klartjek", "bare")]
                             + [t for t in ("bare", "klartjek") if t in only]):
                    if r and tool in ("pa11y-ci", "axe-cli"):
                        continue
                    res = run_tool(tool, base, args.n, work, pac_url, urls_file)
                    runs[tool].append(res)
                    print(f"  {tool}: {res['pages']} pages, {res['wall']:.1f} s, {res['peak_mb']:.0f} MB, "
                          f"{res['violations']} violations, exit {res['rc']}", file=sys.stderr, flush=True)
                    if res["rc"] != 0:
                        print(res["output"][-1500:], file=sys.stderr)
        finally:
            httpd.shutdown()

    table = {}
    for tool, rs in runs.items():
        med = sorted(rs, key=lambda x: x["wall"])[len(rs) // 2]
        table[tool] = {"pages": med["pages"], "wall": round(med["wall"], 1),
                       "pages_per_min": round(med["pages"] / med["wall"] * 60, 1) if med["wall"] else 0,
                       "peak_mb": round(med["peak_mb"]), "violations": med["violations"],
                       "walls": [round(x["wall"], 1) for x in rs]}
        if "reused" in med:
            table[tool]["reused"] = med["reused"]
    expected_nodes = sum(v for k, v in expected.items() if k != "pages")
    print(f"\n{args.n + 1} pages, {expected_nodes} known violations (nodes); median of {args.repeat} "
          f"for klartjek and the bare loop\n")
    print("| tool | pages | wall | pages/min | peak memory | violations | klartjek's pages/min ÷ this |")
    print("|---|---|---|---|---|---|---|")
    k = table.get("klartjek")
    for tool, row in table.items():
        ratio = f"{k['pages_per_min'] / row['pages_per_min']:.2f}" if k and row["pages_per_min"] else "–"
        extra = f" ({row['reused']} reused)" if "reused" in row else ""
        print(f"| {tool} | {row['pages']}{extra} | {row['wall']} s | {row['pages_per_min']} | "
              f"{row['peak_mb']} MB | {row['violations']} | {ratio} |")
    if k and "klartjek-incremental" in table:
        speedup = k["wall"] / table["klartjek-incremental"]["wall"]
        print(f"\nincremental re-audit: {speedup:.1f}× faster than the full audit")
    paired = None
    if k and "bare" in table:
        print(f"klartjek reaches {100 * k['pages_per_min'] / table['bare']['pages_per_min']:.0f} % of the bare loop's "
              f"pages/min (median runs)")
        # the same ratio within each repeat (the two ran back to back, under the same machine load)
        pairs = [100 * (b["wall"] / b["pages"]) / (kk["wall"] / kk["pages"])
                 for kk, b in zip(runs["klartjek"], runs["bare"], strict=False) if kk["pages"] and b["pages"]]
        if pairs:
            mid = statistics.median(pairs)
            paired = {"each": [round(p) for p in pairs], "median": round(mid)}
            print(f"per repeat: {', '.join(f'{p:.0f} %' for p in pairs)}; median {mid:.0f} %")
    # the peers run once, in the first repeat: their ratios against klartjek and the bare loop of
    # that repeat (the medians may come from another hour of a machine whose speed drifts)
    same_run = {}
    for peer in ("pa11y-ci", "axe-cli"):
        if runs.get(peer) and runs[peer][0]["pages"]:
            rate = lambda r: r["pages"] / r["wall"]  # noqa: E731
            same_run[peer] = {t: round(rate(runs[t][0]) / rate(runs[peer][0]), 2)
                              for t in ("klartjek", "bare") if runs.get(t) and runs[t][0]["pages"]}
            print(f"{peer}, in the same repeat: " + ", ".join(f"{t} {v:.1f}×" for t, v in same_run[peer].items())
                  + " its pages/min")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "repeat": args.repeat, "expected_violations": expected_nodes,
                                         "tools": table, "paired_percent": paired, "peers_same_repeat": same_run},
                                        indent=2))


if __name__ == "__main__":
    main()
