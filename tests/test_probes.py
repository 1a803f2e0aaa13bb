"""The probe framework (audit/probes): a probe that fails, runs out of time or wedges the page ends
with an error artifact and the page's other results stay; the page's state is restored; a page that
no longer answers is closed so that the worker's next document gets a fresh tab."""
import asyncio
import time

import pytest

from audit import probes as probes_mod
from audit.probes import Probe, ProbeContext, run_probes


def _run(page_html: str, probes: list[Probe], monkeypatch) -> tuple[dict, bool, float, dict]:
    monkeypatch.setattr(probes_mod, "PROBES", probes)

    async def go():
        from playwright.async_api import async_playwright

        from audit.browser import find_chromium, launch
        from audit.gather import new_context

        async with async_playwright() as pw:
            browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
            try:
                context = await new_context(browser)
                page = await context.new_page()
                await page.set_viewport_size({"width": 1280, "height": 900})
                await page.set_content(page_html)
                t0 = time.monotonic()
                out = await run_probes(page, "quick", ProbeContext((1280, 900)))
                took = time.monotonic() - t0
                state = {} if page.is_closed() else await page.evaluate(
                    "() => ({w: innerWidth, style: !!document.getElementById('__klartjek_probe_style__'),"
                    " focus: document.activeElement && document.activeElement.tagName, y: scrollY})")
                return out, page.is_closed(), took, state
            finally:
                await browser.close()

    return asyncio.run(go())


def _probe(name: str, fn, timeout_s: float = 1.0) -> Probe:
    return Probe(name, ("quick",), timeout_s, fn)


async def _fine(page, ctx):
    return {"ok": await page.evaluate("() => document.title")}


PAGE = ("<!doctype html><html lang='da'><title>Side</title><body style='height:3000px'>"
        "<input id='felt'><p>Tekst</p></body></html>")


def test_a_probe_that_fails_half_way_is_an_error_and_the_page_is_restored(monkeypatch):
    async def breaks(page, ctx):
        await page.set_viewport_size({"width": 320, "height": 256})
        await page.evaluate("() => { const s = document.createElement('style'); s.id = '__klartjek_probe_style__';"
                            " document.head.append(s); document.getElementById('felt').focus();"
                            " window.scrollTo(0, 500); }")
        await page.evaluate("() => { throw new Error('ødelagt') }")

    out, closed, _, state = _run(PAGE, [_probe("breaks", breaks), _probe("fine", _fine)], monkeypatch)
    assert out["breaks"]["error"].startswith("the page stopped the probe (")
    assert "ødelagt" in out["breaks"]["error"]
    assert out["fine"] == {"ok": "Side"}            # the next probe ran on the restored page
    assert not closed
    assert state == {"w": 1280, "style": False, "focus": "BODY", "y": 0}


def test_a_probe_out_of_time_is_an_error_and_the_next_probe_runs(monkeypatch):
    async def slow(page, ctx):
        await asyncio.sleep(5)

    out, closed, took, _ = _run(PAGE, [_probe("slow", slow, 0.5), _probe("fine", _fine)], monkeypatch)
    assert out == {"slow": {"error": "the page did not let klartjek finish this within 0.5 s"}, "fine": {"ok": "Side"}}
    assert not closed and took < 4


def test_a_page_stuck_in_a_loop_is_closed_and_the_probes_left_are_errors(monkeypatch):
    async def wedges(page, ctx):
        await page.evaluate("() => { setTimeout(() => { for (;;) {} }, 0); }")
        await page.evaluate("() => new Promise(r => setTimeout(r, 60000))")

    out, closed, took, _ = _run(PAGE, [_probe("wedges", wedges, 1.0), _probe("fine", _fine)], monkeypatch)
    assert out == {"wedges": {"error": "the page did not let klartjek finish this within 1 s"},
                   "fine": {"error": "not checked: the page stopped responding while klartjek checked wedges"}}
    assert closed
    assert took < 8       # the probe's limit, the restore's limit and the close: bounded, never a hang


@pytest.mark.parametrize("profile, expected", [("quick", {"links"}), ("default", {"links"})])
def test_the_profiles_name_their_probes(profile, expected):
    names = {p.name for p in probes_mod.selected(profile)}
    assert expected <= names
    assert all(profile in p.profiles for p in probes_mod.selected(profile))


def _gather(url: str, profile: str, then=None):
    """gather_page(url) with ``profile``'s probes (their scripts inside the check evaluate), then
    ``then(page)`` on the same page; (artifacts, what then gave)."""
    async def go():
        from playwright.async_api import async_playwright

        from audit.browser import find_chromium, launch
        from audit.config import defaults
        from audit.gather import gather_page, new_context, page_settings
        from audit.runner import axe_options

        settings = page_settings(axe_options(defaults()), True)
        async with async_playwright() as pw:
            browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
            try:
                page = await (await new_context(browser, None, settings)).new_page()
                got = await gather_page(page, url, timeout_s=30, settings=settings, location=url, probes=profile)
                return got.artifacts, (await then(page) if then else None)
            finally:
                await browser.close()

    return asyncio.run(go())


def _without_times(v):
    if isinstance(v, dict):
        return {k: _without_times(x) for k, x in v.items() if k not in ("ms", "walk_ms")}
    if isinstance(v, list):
        return [_without_times(x) for x in v]
    return v


@pytest.mark.parametrize("fixture", ["KW001/fails.html", "KW023/fails.html", "KW051/fails.html",
                                     "KW061/fails.html", "KW070/fails.html"])
def test_scripts_run_with_the_check_give_what_the_probes_give_alone(fixture):
    """The read-only first steps run inside the check evaluate (one round trip); the artifacts are
    those of each probe run on its own on the same page."""
    from pathlib import Path

    from audit.targets import StaticServer

    root = Path(__file__).resolve().parent.parent / "fixtures" / "checks"
    inline = [p for p in probes_mod.selected("quick") if p.script]
    assert {p.name for p in inline} == {"links", "language", "keyboard_static", "contrast", "motion"}

    async def alone(page):
        return {p.name: await p.run(page, ProbeContext((1280, 900))) for p in inline}

    server = StaticServer(root)
    try:
        artifacts, separate = _gather(server.url_for(root / fixture), "quick", alone)
    finally:
        server.close()
    for p in inline:
        assert "error" not in artifacts[p.name], p.name
        assert _without_times(artifacts[p.name]) == _without_times(separate[p.name]), p.name


def test_a_script_that_throws_is_an_error_for_its_probe_alone(monkeypatch):
    from audit import gather
    from audit.targets import StaticServer

    async def passthrough(page, ctx, value):
        return value

    probes = [Probe("first", ("quick",), 1.0, passthrough, "() => ({n: document.links.length})"),
              Probe("throws", ("quick",), 1.0, passthrough, "() => { throw new Error('ødelagt\\nmere') }"),
              Probe("json", ("quick",), 1.0, passthrough, "(a) => JSON.stringify({got: a})", {"x": [1, 2]})]
    monkeypatch.setattr(probes_mod, "PROBES", probes)
    gather.check_page_js.cache_clear()
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    (folder / "side.html").write_text("<!doctype html><html lang='da'><title>Side</title><body>"
                                      "<a href='a.html'>A</a><a href='b.html'>B</a></body></html>", encoding="utf-8")
    server = StaticServer(folder)
    try:
        artifacts, _ = _gather(server.url_for(folder / "side.html"), "quick")
    finally:
        server.close()
        gather.check_page_js.cache_clear()
    assert artifacts["first"] == {"n": 2}
    assert artifacts["throws"] == {"error": "the page stopped the probe (ødelagt)"}
    assert artifacts["json"] == {"got": {"x": [1, 2]}}
    assert artifacts["axe"]["violations"] is not None          # the page's other results stay
