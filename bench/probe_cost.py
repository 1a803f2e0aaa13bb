#!/usr/bin/env python3
"""What each probe costs per page: the bench site's pages gathered as an audit gathers them (two tabs
at once, axe-core, skip_media), with each profile, interleaved, and each probe's own time.

    python bench/probe_cost.py [PAGES] [--rounds R]     (default 60 pages, 3 rounds)

Makes a 200-page site with bench/make_site.py in a temporary folder, serves it on 127.0.0.1 with
klartjek's own file server and prints, per profile, the median time to gather a page (ms), and per
probe the median and mean of its own time (ms). The figures in docs/benchmarks.md come from here.
"""
from __future__ import annotations

import argparse
import dataclasses
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def main(pages: int, rounds: int) -> None:
    from audit import probes as probes_mod
    from audit.browser import find_chromium, launch, start_playwright
    from audit.config import defaults
    from audit.gather import gather_page, new_context, page_settings, skip_media
    from audit.runner import axe_options
    from audit.targets import StaticServer

    site = Path(tempfile.mkdtemp(prefix="klartjek-probes-"))
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_site.py"), "200", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    files = sorted(site.glob("*.html"))[:pages]
    server = StaticServer(site)
    cfg = defaults()
    settings = page_settings(axe_options(cfg), True)

    spent: dict[str, list[float]] = {}
    probes_mod._load()
    for p in list(probes_mod.PROBES):
        # the probe's own time after the check evaluate (a probe with a script: what its function
        # does with the script's value; the scripts themselves run inside the check evaluate)
        async def timed(page, ctx, *value, _fn=p.fn, _name=p.name):
            t0 = time.perf_counter()
            try:
                return await _fn(page, ctx, *value)
            finally:
                spent.setdefault(_name, []).append((time.perf_counter() - t0) * 1000)
        probes_mod.PROBES[probes_mod.PROBES.index(p)] = dataclasses.replace(p, fn=timed)

    pw = await start_playwright()
    browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
    context = await new_context(browser, None, settings)
    tabs = [await context.new_page() for _ in range(2)]
    for tab in tabs:
        await skip_media(context, tab)
    profiles = [None, "quick", "default"]
    totals: dict[str, list[float]] = {str(p): [] for p in profiles}

    async def worker(tab, queue, profile):
        while queue:
            f = queue.pop()
            t0 = time.perf_counter()
            await gather_page(tab, server.url_for(f), timeout_s=30, settings=settings, location=f.name, probes=profile)
            totals[str(profile)].append((time.perf_counter() - t0) * 1000)

    for r in range(rounds):
        for profile in (profiles if r % 2 == 0 else profiles[::-1]):
            queue = list(files)
            await asyncio.gather(*(worker(t, queue, profile) for t in tabs))
    await browser.close()
    await pw.stop()
    server.close()

    print(f"{len(files)} pages x {rounds} rounds, 2 tabs at once")
    base = statistics.median(totals["None"])
    for p in profiles:
        med = statistics.median(totals[str(p)])
        print(f"  profile {str(p or 'axe only'):9} median {med:6.1f} ms/page  (+{med - base:5.1f} ms)")
    for name, ms in sorted(spent.items()):
        print(f"  probe {name:16} median {statistics.median(ms):6.1f} ms  mean {statistics.mean(ms):6.1f} ms  "
              f"({len(ms)} runs)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="?", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    asyncio.run(main(a.pages, a.rounds))
