"""The demo site end to end in a real Chromium: exactly the documented failures, stored and scored."""
import sqlite3
from pathlib import Path

import jsonschema

from conftest import ROOT, failed_findings, load_json, run_cli

EXPECTED = load_json(ROOT / "fixtures" / "site" / "expected.json")
SCHEMA = load_json(ROOT / "reports" / "schema" / "run.schema.json")


def expected(section):
    return {page: sorted((f["code"], f["name"], f["target"]) for f in items)
            for page, items in EXPECTED[section].items()}


def test_demo_site_yields_exactly_the_documented_failures(demo_runs):
    res, run = demo_runs["site"]
    assert res.returncode == 1, res.stderr          # serious failures present
    assert run["status"] == "complete"
    assert failed_findings(run) == expected("wcag")


def test_plain_language_findings_and_readability_of_the_demo_site(demo_runs):
    _, run = demo_runs["site"]
    found = {d["path"]: sorted(({"code": r["code"], "name": r["name"], "excerpt": f["excerpt"], "span": f["span"]}
                                for r in d["results"] if r["category"] == "plain-language" for f in r["findings"]),
                               key=lambda x: (x["code"], x["span"])) for d in run["documents"]}
    assert found == EXPECTED["klarsprog"]
    readability = {d["path"]: {k: d["readability"].get(k) for k in ("language", "lix", "lix_band",
                                                                       "flesch_reading_ease")}
                   for d in run["documents"]}
    assert readability == EXPECTED["readability"]
    en = next(d for d in run["documents"] if d["path"].endswith("en/visitors.html"))
    assert en["readability"]["language"] == "en" and en["readability"]["flesch_reading_ease"] > 0
    assert all(d["plain_score"] is not None for d in run["documents"])
    assert run["plain_score"] is not None and run["plain_score"] != run["score"]


def test_a_page_in_another_language_is_not_assessed(local_server, tmp_path):
    from conftest import html_page
    srv = local_server({"/de.html": (200, "text/html; charset=utf-8",
                                     html_page("<p>Bitte kommen Sie pünktlich.</p>", lang="de", title="Termin"), 0)})
    res = run_cli("audit", srv.url("/de.html"), "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"))
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert doc["plain_score"] is None and doc["readability"]["assessed"] is False
    assert doc["readability"]["reason"] == ("not assessed: klartjek checks plain language in Danish and English, "
                                            "not 'de'")
    assert not [r for r in doc["results"] if r["category"] == "plain-language"]
    assert "not assessed" in res.stdout


def test_needs_review_is_reported_exactly(demo_runs):
    _, run = demo_runs["site"]
    review = {(d["path"]): sorted((r["code"], r["name"], f["target"]) for r in d["results"]
                                  for f in r["findings"] if f["outcome"] == "cant_tell")
              for d in run["documents"]}
    want = {page: [] for page in EXPECTED["wcag"]} | expected("needs_review")
    assert review == want
    res, _ = demo_runs["site"]
    assert "Til vurdering" in res.stdout and "KA042 duplicate-id-aria" in res.stdout


def test_clean_twin_has_no_failures_even_with_best_practices(demo_runs):
    res, run = demo_runs["clean"]
    assert res.returncode == 0, res.stdout + res.stderr
    found = failed_findings(run)
    assert set(found) == {p.replace("fixtures/site/", "fixtures/site-clean/") for p in EXPECTED["wcag"]}
    assert all(v == [] for v in found.values())
    assert all(d["score"] == 100.0 for d in run["documents"])
    assert run["blocked_requests"] == 0


def test_best_practice_failures_appear_only_with_best_practices(tmp_path):
    pages = sorted(EXPECTED["best_practices"])
    res = run_cli("audit", *pages, "--site-root", "fixtures/site", "--best-practices",
                  "--json", str(tmp_path / "bp.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stderr
    found = failed_findings(load_json(tmp_path / "bp.json"))
    wcag, extra = expected("wcag"), expected("best_practices")
    assert found == {p: sorted(wcag[p] + extra[p]) for p in pages}


def test_scores_are_identical_across_runs(demo_runs):
    _, a = demo_runs["site"]
    _, b = demo_runs["site2"]
    assert a["score"] == b["score"] is not None
    assert [d["score"] for d in a["documents"]] == [d["score"] for d in b["documents"]]

    def strip(run):
        return [(d["path"], [(r["code"], r["outcome"], [(f["target"], f["fingerprint"], f["message"])
                 for f in r["findings"]]) for r in d["results"]]) for d in run["documents"]]
    assert strip(a) == strip(b)
    assert 0 < a["score"] < 100


def test_json_report_validates_against_the_schema(demo_runs):
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for key in ("site", "clean"):
        errors = sorted(validator.iter_errors(demo_runs[key][1]), key=str)
        assert errors == [], errors[:3]


def _axe_codes() -> set[str]:
    from checks import REGISTRY
    return {m.code for m in REGISTRY if m.family == "axe"}


AXE_CODES = _axe_codes()


def test_findings_carry_both_languages_and_metadata(demo_runs):
    _, run = demo_runs["site"]
    findings = [(r, f) for d in run["documents"] for r in d["results"] for f in r["findings"]
                if r["category"] in ("wcag", "best-practice")]
    assert findings
    for r, f in findings:
        assert f["message"]["da"] and f["message"]["en"]
        axe = r["code"] in AXE_CODES                  # axe-core's rules link Deque's pages, klartjek's
        assert f["help_url"].startswith("https://dequeuniversity.com/rules/axe/4.12/" if axe else   # the
                                        "https://www.w3.org/WAI/WCAG22/Understanding/")             # criterion
        assert r["wcag"] and r["level"] in ("A", "AA")
    img = [f for r, f in findings if r["name"] == "image-alt"][0]
    assert img["message"]["da"].startswith("Ret en af følgende:")
    assert img["message"]["en"].startswith("Fix any of the following:")


def test_every_document_is_stored_and_show_reprints_it(demo_runs):
    _, run = demo_runs["site"]
    db = demo_runs["db"]
    with sqlite3.connect(db) as con:
        status, = con.execute("select status from runs where id = ?", (run["id"],)).fetchone()
        n, = con.execute("select count(*) from documents where run_id = ?", (run["id"],)).fetchone()
    assert status == "complete" and n == len(EXPECTED["wcag"])
    out = Path(db).parent / "show.json"
    shown = run_cli("show", run["id"][:17], "--db", db, "--json", str(out))
    assert shown.returncode == 0, shown.stderr
    reprinted = load_json(out)
    assert reprinted == run                           # the stored run is the run, field for field
    assert run["id"] in shown.stdout
    listed = run_cli("runs", "--db", db)
    assert run["id"] in listed.stdout and "complete" in listed.stdout


def test_terminal_report_in_danish_and_english(demo_runs):
    res, run = demo_runs["site"]
    assert "Samlet WCAG-score" in res.stdout and "Billeder skal have en alternativ tekst" in res.stdout
    en = run_cli("show", run["id"], "--db", demo_runs["db"], "--lang", "en")
    assert "Overall WCAG score" in en.stdout and "Images must have alternative text" in en.stdout


def test_fail_on_sets_the_exit_code(demo_runs, tmp_path):
    from checks import REGISTRY
    from core.model import Impact

    page = sorted(p for p, items in EXPECTED["wcag"].items() if items and
                  all(REGISTRY.get(f["code"]).impact == Impact.SERIOUS for f in items))   # serious, none critical
    assert page, "expected.json should have a page whose failures are all serious"
    db = str(tmp_path / "h.sqlite")
    assert run_cli("audit", page[0], "--db", db).returncode == 1
    assert run_cli("audit", page[0], "--db", db, "--fail-on", "critical").returncode == 0
    assert run_cli("audit", page[0], "--db", db, "--fail-on", "none").returncode == 0


def test_checks_lists_every_check():
    res = run_cli("checks")
    assert res.returncode == 0
    assert "KA057" in res.stdout and "image-alt" in res.stdout and "1.1.1" in res.stdout
    from checks import REGISTRY

    # every registered check (docs/checks.md counts them by family)
    assert f"{len(REGISTRY)} checks" in res.stdout
    assert all(m.code in res.stdout for m in REGISTRY)
    assert "KL001" in res.stdout and "lix" in res.stdout
    sel = run_cli("checks", "--selected", "--lang", "en")
    from audit.config import defaults

    chosen = {m.code for k in ("page", "letter") for m in REGISTRY.select(defaults(), k)}
    listed = {m.code for m in REGISTRY if m.code in sel.stdout}
    assert f"{len(listed)} checks" in sel.stdout and "heading-order" not in sel.stdout
    assert "css-orientation-lock" in sel.stdout and "KW003" in sel.stdout    # promoted, and a probe's check
    assert {c for c in listed if REGISTRY.get(c).family == "axe"} <= chosen
