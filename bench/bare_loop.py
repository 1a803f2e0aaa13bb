#!/usr/bin/env python3
"""The floor of this stack: one browser, 2 pages in flight, axe-core on each URL; no crawling,
no storage, no plain-language checks. Prints pages and violations found (nodes).

    python bench/bare_loop.py BASE_URL N [IN_FLIGHT]
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from axe_playwright_python.base import AXE_SCRIPT  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from audit.browser import find_chromium, launch  # noqa: E402
from core.netscope import HostScope, origin_entry  # noqa: E402


async def main(base: str, n: int, in_flight: int) -> None:
    urls = [f"{base}/side-{i}.html" for i in range(1, n + 1)] + [f"{base}/index.html"]
    queue = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    found = 0
    async with async_playwright() as pw:
        # the same network policy as `klartjek audit --block-external`: the bench site's origin only
        browser = await launch(pw, find_chromium("", pw.chromium.executable_path), HostScope([origin_entry(base)]))
        context = await browser.new_context()

        async def worker():
            nonlocal found
            page = await context.new_page()
            while not queue.empty():
                url = queue.get_nowait()
                await page.goto(url, wait_until="load")
                await page.evaluate(AXE_SCRIPT)
                res = await page.evaluate("axe.run({runOnly: {type: 'tag', values: ['wcag2a','wcag2aa',"
                                          "'wcag21a','wcag21aa','wcag22aa']}, resultTypes: ['violations']})")
                found += sum(len(v["nodes"]) for v in res["violations"])
        await asyncio.gather(*[worker() for _ in range(in_flight)])
        await browser.close()
    print(f"pages {len(urls)} violations {found}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2))
