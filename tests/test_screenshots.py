"""Screenshots of a failure that shows only in some state are taken in that state (core.model.SHOT_STATES:
320 px, text spacing, text at 200 %, focused, hovered), and the page is put back as it was after each."""
from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (fixture, a failing element the fixture's case file expects, the check's state)
CASES = [("KW020/fails.html", "#indhold", "reflow"), ("KW021/fails.html", "#nyhed", "text-spacing"),
         ("KW022/fails.html", "#hjaelp", "text-200"), ("KW005/fails.html", "#ct-link", "focus"),
         ("KW040/fails.html", "#gebyr", "hover")]

STATE = """() => { const c = document.documentElement.cloneNode(true);
  c.querySelector('#__klartjek_outline__')?.remove();
  return [c.outerHTML, innerWidth, innerHeight, document.activeElement === document.body]; }"""


def test_the_checks_name_their_states():
    from checks import REGISTRY

    states = {m.code: m.screenshot for m in REGISTRY if m.screenshot}
    assert states == {"KW003": "focus", "KW004": "focus", "KW005": "focus", "KW020": "reflow",
                      "KW021": "text-spacing", "KW022": "text-200", "KW040": "hover"}


def test_screenshots_are_taken_in_the_failures_state(tmp_path):
    pytest.importorskip("playwright")
    from PIL import Image

    from audit.browser import find_chromium, launch, start_playwright
    from audit.gather import take_screenshots
    from audit.targets import StaticServer

    server = StaticServer(ROOT / "fixtures" / "checks")

    async def run():
        pw = await start_playwright()
        br = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
        out = {}
        try:
            page = await br.new_page(viewport={"width": 1280, "height": 900})
            for fixture, selector, state in CASES:
                await page.goto(server.url_for(ROOT / "fixtures" / "checks" / fixture))
                await page.evaluate("() => document.fonts.ready")
                before = await page.evaluate(STATE)
                folder = tmp_path / state
                n = await take_screenshots(page, [("plain", selector, None), ("state", selector, state),
                                                  ("again", selector, None)], folder, 5)
                after = await page.evaluate(STATE)
                out[state] = (n, before, after, {p.stem: p.read_bytes() for p in folder.glob("*.jpg")})
        finally:
            await br.close()
            await pw.stop()
        return out

    try:
        got = asyncio.run(run())
    finally:
        server.close()
    for state, (n, before, after, shots) in got.items():
        assert n == 3 and set(shots) == {"plain", "state", "again"}, state
        assert shots["state"] != shots["plain"], state       # the state shows something else
        if state == "hover":         # the page's own script answers the pointer (a tooltip a timer hides)
            assert after[1:] == before[1:]
            continue
        assert after == before, state                        # the page as it was: DOM, viewport, focus
        assert shots["again"] == shots["plain"], state       # … and as it looked
    width = Image.open(io.BytesIO(got["reflow"][3]["state"])).size[0]
    assert width == 320                                      # the window of the reflow state, not beyond it
    assert Image.open(io.BytesIO(got["reflow"][3]["plain"])).size[0] > 320
