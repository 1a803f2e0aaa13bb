"""Every check's cases, as data beside the checks: checks/cases/CODE.yml (docs/adding-a-check.md).

One parametrised test runs them all: it builds the case's artifacts as gathering would (a text, a
letter's text, a fixture file or a MeMo message read by the letter readers, a page rendered in
Chromium, where axe-core runs the rules an audit with the case's configuration runs, or artifacts
written out), runs the one check through the registry with the default configuration (and the case's
overrides), and compares the outcome and the findings exactly: every finding, in order, on the keys
the case gives (target, span, excerpt, impact, outcome, message, suggestion).
A second test holds every registered check to having a case file with a failing and a passing case.
"""
from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from audit.config import defaults, letter_config
from audit.textextract import text_artifact, text_from_plain
from checks import REGISTRY, CheckContext, evaluate_all, evaluate_site

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "checks" / "cases"
INPUTS = ("text", "html", "markdown", "letter", "file", "memo", "artifacts", "page", "page_file", "journey", "sms")


CANNOT_PASS: dict[str, str] = {}     # code → why the check has no passing outcome (the case file says)


def load_cases() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["check"] == path.stem, f"{path.name} holds the cases of {data['check']}"
        if data.get("cannot_pass"):
            CANNOT_PASS[data["check"]] = data["cannot_pass"]
        for case in data["cases"]:
            out.append((data["check"], {**copy.deepcopy(data.get("defaults") or {}), **case}))
    return out


ALL = load_cases()


def _merge(base: dict, new: dict) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _merge(base[k], v)
        else:
            base[k] = v


def config_for(case: dict, kind: str) -> dict:
    cfg = defaults()
    cfg["best_practices"] = cfg["experimental"] = True
    _merge(cfg, case.get("config") or {})
    return letter_config(cfg) if kind == "letter" else cfg


def artifacts_for(case: dict, page_gatherer) -> tuple[dict, str]:
    """The case's artifacts and the document kind, made as gathering makes them."""
    given = [k for k in INPUTS if k in case]
    assert len(given) == 1, f"a case has exactly one of {INPUTS}, not {given}"
    kind = given[0]
    lang = case.get("lang")
    if kind in ("text", "html", "markdown"):
        name = {"text": "case.txt", "html": "case.html", "markdown": "case.md"}[kind]
        return {"text": text_artifact(name, case[kind], lang)}, "text"
    if kind == "sms":       # an SMS template (with {placeholders}), optionally its longest values
        from audit.textextract import sms_artifacts

        spec = case["sms"] if isinstance(case["sms"], dict) else {"text": case["sms"]}
        return sms_artifacts(spec["text"], spec.get("values")), "text"
    if kind == "letter":
        arts = {"letter": {"format": "pdf", "name": "brev.pdf", "parts": []},
                "text": text_from_plain(case["letter"], lang)}
        if "memo_actions" in case:
            arts["memo"] = {"actions": case["memo_actions"]}
        return arts, "letter"
    if kind in ("file", "memo"):
        from audit.letters import gather_letter

        if kind == "file":
            data, name = (ROOT / case["file"]).read_bytes(), case["file"]
        else:
            data, name = memo_message(case["memo"]), "case.xml"
        return gather_letter(data, name), "letter"
    if kind == "artifacts":
        return copy.deepcopy(case["artifacts"]), case.get("kind", "letter")
    if kind == "journey":
        return page_gatherer.journey(case["journey"]), "page"
    if kind == "page_file":
        return page_gatherer(None, config_for(case, "page"), ROOT / case["page_file"]), "page"
    return page_gatherer(case["page"], config_for(case, "page")), "page"


def memo_message(memo: dict | str) -> bytes:
    """A ``memo:`` case's MeMo message: its XML as written, or fixtures/letters/make_memo.py's message()
    of the keyword arguments given; a file is {mime, name, lang, text (base64-encoded) or base64 (as is)},
    an action make_memo.action's keyword arguments."""
    if isinstance(memo, str):
        return memo.encode("utf-8")
    spec = importlib.util.spec_from_file_location("make_memo", ROOT / "fixtures" / "letters" / "make_memo.py")
    mk = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mk)

    def file(f: dict):
        return mk.file(f.get("mime"), f.get("name"), f.get("lang"), f["text"].encode() if "text" in f else f["base64"])

    kw = {**memo, "main_actions": [mk.action(**a) for a in memo.get("main_actions") or ()]}
    if memo.get("main") is not None:
        kw["main"] = [file(f) for f in memo["main"]]
    for key in ("additional", "technical"):
        kw[key] = [[file(f) for f in doc] for doc in memo.get(key) or ()]
    return mk.message(**kw)


@pytest.fixture(scope="session")
def page_gatherer(tmp_path_factory):
    """Render case pages in one real Chromium, from files served on 127.0.0.1, as an audit does."""
    from audit.browser import find_chromium, launch, start_playwright
    from audit.gather import gather_page, new_context, page_settings
    from audit.runner import axe_options
    from audit.targets import StaticServer

    folder = tmp_path_factory.mktemp("case-pages")
    server = StaticServer(folder)
    loop = asyncio.new_event_loop()
    state: dict = {}
    tabs: dict = {}

    async def start():
        state["pw"] = await start_playwright()
        state["browser"] = await launch(state["pw"], find_chromium("", state["pw"].chromium.executable_path), None)

    async def tab(settings: dict):
        context = await new_context(state["browser"], None, settings)
        return await context.new_page()

    servers: dict = {}

    def gather(html: str | None, cfg: dict, file: Path | None = None) -> dict:
        """axe runs the rules an audit with the case's configuration runs (one tab per set of rules),
        then the probes of its profile act on the page. ``file``: a fixture page, served from its folder."""
        if "browser" not in state:        # the browser starts with the first page case
            loop.run_until_complete(start())
        settings = page_settings(axe_options(cfg), True)
        key = json.dumps(settings["options"], sort_keys=True)
        if key not in tabs:
            tabs[key] = loop.run_until_complete(tab(settings))
        if file is None:
            n = len(list(folder.iterdir()))
            file = folder / f"case{n}.html"
            file.write_text(html, encoding="utf-8")
            srv = server
        else:
            srv = servers.get(file.parent) or servers.setdefault(file.parent, StaticServer(file.parent))
        got = loop.run_until_complete(gather_page(tabs[key], srv.url_for(file), timeout_s=30, settings=settings,
                                                  location=file.name, probes=cfg.get("profile", "default")))
        return got.artifacts

    def journey(spec: dict) -> dict:
        """A ``journey:`` case: its page served, its steps done from it in a fresh context (the clock
        installed when it idles), and the journey artifact of its last audited state (the checks of a
        journey read only that)."""
        from audit.journeyfile import journey_from_data
        from audit.journeys import JourneyDriver

        if "browser" not in state:
            loop.run_until_complete(start())
        n = len(list(folder.iterdir()))
        file = folder / f"journey{n}.html"
        file.write_text(spec["page"], encoding="utf-8")
        j = journey_from_data({"name": "case", "steps": [{"goto": server.url_for(file) + spec.get("hash", "")},
                                                         *spec["steps"]]},
                              "case.yml", folder)

        async def go() -> dict:
            context = await state["browser"].new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
            try:
                if any(s.kind == "idle" for s in j.steps):
                    await context.clock.install()
                driver = JourneyDriver(j, await context.new_page(), None, lambda url: True)
                art = None
                for step in j.steps:
                    if step.kind == "audit":
                        art = await driver.state_artifact(step, await driver.observe())
                        await driver.try_dialog(art)
                    else:
                        await driver.run_step(step)
                return {"journey": art}
            finally:
                await context.close()

        return loop.run_until_complete(go())

    gather.journey = journey
    try:
        yield gather
    finally:
        if state.get("browser"):
            loop.run_until_complete(state["browser"].close())
            loop.run_until_complete(state["pw"].stop())
        loop.close()
        for srv in (server, *servers.values()):
            srv.close()


def run_case(code: str, case: dict, page_gatherer):
    meta = REGISTRY.get(code)
    assert meta is not None, f"no check {code}"
    arts, kind = artifacts_for(case, page_gatherer)
    if "site" in meta.applies_to:          # a check of a whole crawl: its results per document
        return {loc: results[0] for loc, results in evaluate_site([meta], arts, config_for(case, "page")).items()}
    cfg = config_for(case, kind)
    results = evaluate_all([meta], arts, cfg, kind, ctx=CheckContext(arts, cfg, kind))
    return results[0] if results else None


def assert_expected(res, expect: dict) -> None:
    outcome = res.outcome if res is not None else "none"
    assert outcome == expect["outcome"], (outcome, [(f.target, f.message.get("en")) for f in
                                                     (res.findings if res else [])])
    if "findings" not in expect:
        return
    got = res.findings if res is not None else []
    want = expect["findings"]
    assert len(got) == len(want), [(f.target, f.span, f.excerpt) for f in got]
    for f, w in zip(got, want, strict=True):
        seen = {"target": f.target, "span": f.span, "excerpt": f.excerpt, "impact": f.impact,
                "outcome": f.outcome, "message": f.message, "suggestion": f.suggestion, "html": f.html}
        for key, value in w.items():
            if key in ("message", "suggestion"):
                for lang, text in value.items():
                    assert (seen[key] or {}).get(lang) == text, (key, lang, seen[key])
            else:
                assert seen[key] == value, (key, seen[key], value)


def _param(code: str, case: dict):
    """A case the check is known to get wrong carries ``known_issue: why`` (a strict xfail: it must
    fail, so a fix is noticed)."""
    marks = [pytest.mark.xfail(reason=case["known_issue"], strict=True)] if case.get("known_issue") else []
    return pytest.param(code, case, marks=marks, id=f"{code}:{case['name']}")


@pytest.mark.parametrize("code, case", [_param(c, case) for c, case in ALL])
def test_check_case(code, case, page_gatherer):
    got = run_case(code, case, page_gatherer)
    if isinstance(got, dict):              # a site check: expect.documents gives each page's result
        want = case["expect"]["documents"]
        assert sorted(got) == sorted(want)
        for location, expect in want.items():
            assert_expected(got[location], expect)
        return
    assert_expected(got, case["expect"])


def test_every_check_has_failing_and_passing_cases():
    """Every check has a failing case (failed or needs review) and a passing one — or, for a check
    that cannot pass (its case file says why in ``cannot_pass``), an inapplicable one. A check no
    configuration runs (axe-core's deprecated rules) has a case showing it gives no result."""
    by_code: dict[str, set[str]] = {}
    for code, case in ALL:
        if not case.get("known_issue"):
            expects = case["expect"]["documents"].values() if "documents" in case["expect"] else [case["expect"]]
            by_code.setdefault(code, set()).update(e["outcome"] for e in expects)
    every_config = [{"level": "AAA", "wcag_version": v, "best_practices": True, "experimental": True}
                    for v in ("2.0", "2.1", "2.2")]
    runs = {m.code for cfg in every_config for kind in ("page", "letter", "text", "site")
            for m in REGISTRY.select(cfg, kind)}
    never_runs = {m.code for m in REGISTRY} - runs
    missing = [m.code for m in REGISTRY if m.code not in by_code]
    lacking = [code for code, outs in by_code.items() if code not in never_runs
               and not ({"failed", "cant_tell"} & outs
                        and ("passed" in outs or (code in CANNOT_PASS and "inapplicable" in outs)))]
    silent = [code for code in never_runs if by_code.get(code) != {"none"}]
    unknown = [code for code in by_code if REGISTRY.get(code) is None]
    assert (missing, lacking, silent, unknown) == ([], [], [], [])
