"""The layout probe leaves the page as it found it: the DOM (no style attributes left behind, not even
empty ones), the probe's style sheet removed, the viewport put back."""
from __future__ import annotations

import asyncio

import pytest

PAGE = """<!doctype html><html lang="da"><head><title>t</title>
<style>.b{height:20px;overflow:hidden}.b p{margin:0}</style></head>
<body><main><p style="color: red; font-size: 12px">Hej</p><div class="b"><p>Tekst tekst tekst tekst</p></div>
<svg><text>x</text></svg></main><script>addEventListener('resize', () => {})</script></body></html>"""


def test_layout_probe_restores_the_page():
    pytest.importorskip("playwright")
    from audit.browser import find_chromium, launch, start_playwright
    from audit.probes import ProbeContext, selected

    async def run():
        pw = await start_playwright()
        br = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
        try:
            page = await br.new_page(viewport={"width": 1280, "height": 900})
            await page.set_content(PAGE)
            state = "() => [document.documentElement.outerHTML, innerWidth, innerHeight]"
            before = await page.evaluate(state)
            probe = next(p for p in selected("default") if p.name == "layout")
            out = await probe.run(page, ProbeContext((1280, 900)))
            after = await page.evaluate(state)
            return before, after, out
        finally:
            await br.close()
            await pw.stop()

    before, after, out = asyncio.run(run())
    assert "error" not in out and out["zoom"]["clipped"] and not out["spacing"]["clipped"]
    assert after == before
