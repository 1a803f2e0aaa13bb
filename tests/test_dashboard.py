"""The portfolio dashboard built from a history with known numbers (real SQLite, the real command),
its figures checked on the pages, and the pages audited by klartjek itself at 320 and 1280 px."""
from __future__ import annotations

import json

import pytest

from conftest import load_json, run_cli
from core.model import CheckResult, Document, Finding, Run

WEB, LETTERS = "Hospitalernes hjemmesider", "Indkaldelser"


def _finding(target: str, impact: str) -> Finding:
    return Finding(outcome="failed", target=target, html="<x>", message={"da": "d", "en": "e"}, impact=impact,
                   fingerprint=target.ljust(16, "0")[:16])


def _page(i: int, score: float, fails: list[tuple]) -> Document:
    """fails: (code, criterion, impact, elements[, category])."""
    results = [CheckResult(code=f[0], name=f[0].lower(), outcome="failed", impact=f[2], wcag=[f[1]], level="A",
                           category=f[4] if len(f) > 4 else "wcag", target_kind="css",
                           findings=[_finding(f"#e{i}{k}", f[2]) for k in range(f[3])])
               for f in fails]
    results.append(CheckResult(code="KA002", name="document-title", outcome="passed", wcag=["2.4.2"], level="A",
                               category="wcag", target_kind="css"))
    return Document(kind="page", url=f"https://www.example-hospital.dk/side-{i}", title=f"Side {i}", score=score,
                    plain_score=90.0, results=results)


def _run(store, rid: str, day: str, project: str, score: float, docs: list[Document]) -> None:
    run = Run(id=rid, started_at=f"{day}T08:00:00.000Z", klartjek_version="0.1.0", config_hash="x",
              targets=["https://www.example-hospital.dk/"], project=project)
    store.begin_run(run)
    for seq, d in enumerate(docs):
        store.add_document(rid, seq, d)
    run.documents, run.status, run.ended_at, run.score, run.plain_score = (
        docs, "complete", f"{day}T08:05:00.000Z", score, 90.0)
    store.finish_run(run)


def _build(store) -> None:
    for rid, day, score in (("r1", "2026-09-01", 60.0), ("r2", "2026-10-01", 70.0)):
        _run(store, rid, day, WEB, score, [_page(i, score, [("KA057", "1.1.1", "critical", 1)]) for i in range(4)])
    _run(store, "r3", "2026-11-20", WEB, 82.5, [
        _page(0, 70.0, [("KA057", "1.1.1", "critical", 1)]),
        _page(1, 80.0, [("KA010", "1.4.3", "serious", 2)]),
        _page(2, 90.0, [("KA057", "1.1.1", "critical", 1), ("KL001", "3.1.5", "minor", 1, "plain-language")]),
        _page(3, 100.0, [])])
    letter = Document(kind="letter", path="indkaldelse.pdf", title="Indkaldelse", score=88.0, plain_score=75.0)
    _run(store, "l1", "2026-11-02", LETTERS, 88.0, [letter])
    # a run without a project is not in the portfolio
    _run(store, "x1", "2026-11-03", None, 10.0, [_page(9, 10.0, [("KA057", "1.1.1", "critical", 5)])])
    store.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from audit.store import Store

    db = tmp_path_factory.mktemp("dash") / "history.sqlite"
    _build(Store(str(db)))
    cfg = db.parent / "klartjek.toml"
    cfg.write_text(f'db = "{db}"\n[[portfolio.projects]]\nname = "{WEB}"\nowner = "Webredaktionen"\n'
                   f'channel = "web"\ntargets = ["https://www.example-hospital.dk/"]\n'
                   f'[[portfolio.projects]]\nname = "{LETTERS}"\nchannel = "letters"\ntargets = ["breve/"]\n'
                   f'[[portfolio.projects]]\nname = "SMS-påmindelser"\nchannel = "sms"\ntargets = ["sms/"]\n',
                   encoding="utf-8")
    out = db.parent / "dashboard"
    res = run_cli("dashboard", "--out", str(out), "--config", str(cfg))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("klartjek: dashboard of 2 projects written to ")
    return {"out": out, "cfg": cfg, "db": db}


def test_the_overview_shows_the_known_numbers(history):
    html = (history["out"] / "index.html").read_text(encoding="utf-8")
    data = load_json(history["out"] / "data.json")
    web = next(p for p in data["projects"] if p["name"] == WEB)
    # 4 pages tested: 1.1.1 fails on 2, 1.4.3 on 1 → 500 × (1 − (2/4 + 1/4) / 15) = 475, partially compliant
    assert (web["estimate"], web["band"], web["evaluated_pages"]) == (475, "partially", 4)
    assert web["criteria"]["1.1.1"] == 2 and web["criteria"]["1.4.3"] == 1 and data["model"] == "klartjek-estimate-1"
    assert web["latest"]["failures"] == {"critical": 2, "serious": 2, "moderate": 0, "minor": 0}
    assert [p["name"] for p in data["projects"]] == [WEB, LETTERS] and data["without_runs"] == ["SMS-påmindelser"]
    assert "<td class=\"num\">82,5</td>" in html
    assert '<span class="band">475</span> (delvist overholdt)<span class="label" data-klartjek-ignore>Estimat — ' \
           'ikke Digitaliseringsstyrelsens score</span>' in html
    assert "↑ steget 12,5 point siden 1. oktober 2026" in html      # against the last run before the month
    assert "kritisk: 2, alvorlig: 2, moderat: 0, mindre: 0" in html
    assert '<td class="num">4 / 4</td>' in html
    letters = next(p for p in data["projects"] if p["name"] == LETTERS)
    assert letters["estimate"] is None and letters["channel"] == "letters"
    # where to push: the share of pages failing each criterion
    row = html.split('<th scope="row"><span data-klartjek-ignore>1.1.1</span> <span lang="en">Non-text Content</span>'
                     '</th>')[1].split("</tr>")[0]
    assert '<td class="num">50 %</td>' in row and '<td class="num">–</td>' in row
    assert html.count("Estimat — ikke Digitaliseringsstyrelsens score") == 2   # the header and the value


def test_a_project_page_has_its_chart_with_a_summary_and_the_data_as_a_table(history):
    page = next(history["out"].glob("projekt-hospitalernes-hjemmesider.html")).read_text(encoding="utf-8")
    assert "WCAG-scoren steg fra 60,0 til 82,5 siden 1. september 2026." in page
    assert '<svg viewBox="0 0 640 240" width="100%" role="img" aria-labelledby=' in page
    assert page.count("<circle ") == 3 and ">82,5</text>" in page and ">60,0</text>" in page
    # the latest run and the one the change is measured against link to their own full reports
    for day, score in (("2026-09-01", "60,0"), ('<a href="koersel-r2.html">2026-10-01</a>', "70,0"),
                       ('<a href="koersel-r3.html">2026-11-20</a>', "82,5")):
        assert f'<tr><th scope="row">{day}</th><td class="num">{score}</td>' in page
    assert (history["out"] / "koersel-r2.html").is_file() and not (history["out"] / "koersel-r1.html").exists()
    assert ("475 (delvist overholdt, 4 testede sider) — <span data-klartjek-ignore>Estimat — ikke "
            "Digitaliseringsstyrelsens score</span>") in page
    assert ': <a href="koersel-r3.html">hele rapporten</a>' in page       # the latest run's own report
    report = (history["out"] / "koersel-r3.html").read_text(encoding="utf-8")
    assert "r3" in report and "Side 0" in report
    overview = (history["out"] / "index.html").read_text(encoding="utf-8")
    assert 'role="img" aria-label="WCAG-scoren steg fra 60,0 til 82,5 siden 1. september 2026."' in overview
    worst = page.split("<caption>Dokumenter med den laveste score</caption>")[1]
    assert worst.index("Side 0") < worst.index("Side 1") < worst.index("Side 2")


def test_the_dashboard_in_english(history, tmp_path):
    res = run_cli("dashboard", "--out", str(tmp_path / "en"), "--config", str(history["cfg"]), "--lang", "en")
    assert res.returncode == 0, res.stderr
    html = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "↑ up 12.5 points since 1 October 2026" in html
    assert "Estimate — not the Agency for Digital Government&#39;s score" in html
    page = (tmp_path / "en" / "projekt-hospitalernes-hjemmesider.html").read_text(encoding="utf-8")
    assert "The WCAG score rose from 60.0 to 82.5 since 1 September 2026." in page


@pytest.mark.parametrize("viewport", ["1280x900", "320x640"])
@pytest.mark.parametrize("name", ["index.html", "projekt-hospitalernes-hjemmesider.html", "metode.html"])
def test_the_dashboard_passes_klartjeks_own_audit(history, tmp_path, viewport, name):
    page = history["out"] / name
    assert "<script" not in page.read_text(encoding="utf-8")
    res = run_cli("audit", str(page), "--best-practices", "--viewport", viewport, "--json", str(tmp_path / "a.json"),
                  "--db", str(tmp_path / "h.sqlite"), "--fail-on", "minor")
    doc = load_json(tmp_path / "a.json")["documents"][0]
    assert doc["status"] == "ok"
    failed = [(r["code"], f["target"]) for r in doc["results"] for f in r["findings"] if f["outcome"] == "failed"]
    errors = [(r["code"], r["error"]) for r in doc["results"] if r["outcome"] == "error"]
    assert failed == [] and errors == [] and res.returncode == 0, (failed, errors)


@pytest.mark.parametrize("args, message", [
    (["--since", "sidste år"], "--since 'sidste år': not a date; give YYYY-MM-DD"),
])
def test_bad_input_is_one_line_and_exit_2(history, tmp_path, args, message):
    res = run_cli("dashboard", "--out", str(tmp_path / "d"), "--config", str(history["cfg"]), *args)
    assert res.returncode == 2 and res.stderr == f"klartjek: {message}\n"
    assert not (tmp_path / "d").exists()


def test_an_empty_history_gives_a_dashboard_that_says_so(tmp_path):
    res = run_cli("dashboard", "--out", str(tmp_path / "d"), "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 0, res.stderr
    assert "Historikken har ingen kørsler med et projekt endnu." in (tmp_path / "d" / "index.html").read_text()
    assert json.loads((tmp_path / "d" / "data.json").read_text())["projects"] == []


def test_the_same_numbers_from_a_postgresql_history(history, pg_url, tmp_path):
    from audit.store import Store

    _build(Store(pg_url))
    res = run_cli("dashboard", "--out", str(tmp_path / "pg"), "--config", str(history["cfg"]), "--db", pg_url)
    assert res.returncode == 0, res.stderr
    keep = ("name", "estimate", "band", "criteria", "evaluated_pages", "worst", "statement", "channel")
    pick = lambda d: [({k: p[k] for k in keep}, [(h["id"], h["score"], h["failures"], h["found"], h["tested"])  # noqa: E731
                                                 for h in p["history"]]) for p in d["projects"]]
    assert pick(load_json(tmp_path / "pg" / "data.json")) == pick(load_json(history["out"] / "data.json"))


def test_the_top_fixes_are_ranked_by_reach_and_a_shared_template_is_named(history, tmp_path):
    data = load_json(history["out"] / "data.json")
    assert [(f["code"], f["documents"], f["reach"]) for f in data["top_fixes"]] == [("KA057", 2, 20), ("KA010", 1, 7)]
    web = next(p for p in data["projects"] if p["name"] == WEB)
    # against r2 (the last run before the month): #e30 fixed, #e11 new, three still failing
    assert web["changes"] == {"new": 1, "fixed": 1, "unchanged": 3}
    html = (history["out"] / "index.html").read_text(encoding="utf-8")
    assert "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">3</td><td>1. oktober 2026</td>" in html

    from audit.portfolio import portfolio_view
    from audit.store import Store

    store = Store(str(tmp_path / "t.sqlite"))
    logo = [("KA057", "1.1.1", "critical", 1)]
    docs = [_page(i, 50.0, logo) for i in range(6)]
    for d in docs[:5]:                      # five of six pages: the same logo in the header fails
        d.results[0].findings[0].target = "#logo"
    _run(store, "t1", "2026-11-01", "Skabelon", 50.0, docs)
    view = portfolio_view(store, [])
    store.close()
    fix = view["top_fixes"][0]
    assert (fix["code"], fix["documents"], fix["reach"]) == ("KA057", 6, 60)
    assert fix["templates"] == [{"project": "Skabelon", "target": "#logo", "documents": 5}]


def test_the_bundled_portfolio_from_portfolio_run_to_dashboard(tmp_path):
    """fixtures/portfolio: the demo site, its clean twin, the MineAftaler booking journey, letters and
    MeMo messages, texts and SMS templates, audited by `portfolio run` and shown by `dashboard`."""
    cfg = ["--config", "fixtures/portfolio/klartjek.toml", "--db", str(tmp_path / "p.sqlite")]
    res = run_cli("portfolio", "run", *cfg)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count(": run ") == 7
    assert "SMS-påmindelser (sms): run " in res.stdout and "complete, 2 SMS templates" in res.stdout
    assert "MineAftaler – booking (booking): run " in res.stdout and "complete, 8 documents" in res.stdout
    assert "Patientinformation (texts): run " in res.stdout and "complete, 2 texts" in res.stdout
    res = run_cli("dashboard", *cfg, "--out", str(tmp_path / "d"))
    assert res.returncode == 0, res.stderr
    data = load_json(tmp_path / "d" / "data.json")
    got = {p["name"]: (p["channel"], p["estimate"], p["band"], p["evaluated_pages"], p["latest"]["tested"])
           for p in data["projects"]}
    assert got == {"Hospitalernes hjemmesider": ("web", 473, "partially", 11, 11),
                   "Den rettede hjemmeside": ("web", 500, "compliant", 11, 11),
                   "MineAftaler – booking": ("booking", 479, "compliant", 8, 8),
                   "Indkaldelser": ("letters", None, None, 0, 3),
                   "Digital Post": ("memo", None, None, 0, 2),
                   "Patientinformation": ("texts", None, None, 0, 2),
                   "SMS-påmindelser": ("sms", None, None, 0, 2)}
    # the journey's states, each named as the reports name it; the worst first
    booking = next(p for p in data["projects"] if p["name"] == "MineAftaler – booking")
    assert booking["worst"][0]["location"] == "booking › aflyst (fixtures/journeys/mineaftaler/app/aftaler.html)"
    assert len(booking["worst"]) == 8
    pinfo = next(p for p in data["projects"] if p["name"] == "Patientinformation")
    # the texts, worst first by their plain-language score: the officialese one before the plain one
    assert [d["location"] for d in pinfo["worst"]] == ["fixtures/portfolio/tekster/kolonoskopi.txt",
                                                        "fixtures/portfolio/tekster/forberedelse.md"]
    assert pinfo["latest"]["score"] is None and pinfo["latest"]["plain_score"] < 80
    sms = next(p for p in data["projects"] if p["name"] == "SMS-påmindelser")
    assert [d["location"] for d in sms["worst"]] == ["fixtures/sms/daarlig.txt", "fixtures/sms/god.txt"]
    assert data["without_runs"] == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_lix_and_the_trend_of_each_site_are_read_in_sql(backend, tmp_path, request):
    from audit.portfolio import portfolio_view
    from audit.store import Store

    url = str(tmp_path / "s.sqlite") if backend == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    for rid, day, scores in (("s1", "2026-10-01", (60.0, 80.0, 90.0)), ("s2", "2026-11-01", (70.0, 90.0, 100.0))):
        fails = [("KA057", "1.1.1", "critical", 2)] if rid == "s2" else []
        docs = [_page(i, sc, fails if i == 0 else []) for i, sc in enumerate(scores)]
        docs[2].url = "https://booking.example-hospital.dk:8443/tid?x=1"
        for i, d in enumerate(docs):
            d.readability = {"lix": 30.0 + 10 * i, "assessed": True} if i < 2 else {"assessed": False}
        _run(store, rid, day, "To websteder", sum(scores) / 3, docs)
    view = portfolio_view(store, [])
    store.close()
    p = view["projects"][0]
    assert [h["lix"] for h in p["history"]] == [35.0, 35.0]          # the mean of 30 and 40; none for the third
    assert [(s["site"], [(h["score"], h["documents"]) for h in s["history"]]) for s in p["sites"]] == [
        ("https://booking.example-hospital.dk:8443", [(90.0, 1), (100.0, 1)]),
        ("https://www.example-hospital.dk", [(70.0, 2), (80.0, 2)])]
    assert [[h["failures"]["critical"] for h in s["history"]] for s in p["sites"]] == [[0, 0], [0, 2]]
