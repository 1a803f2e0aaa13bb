"""Report formats of a stored run: SARIF and JUnit valid against their schemas, golden files for
JSON, JUnit, SARIF and Markdown of the demo-site run, the HTML report audited by klartjek itself at
phone and desktop width, and untrusted page text escaped in every format.

Golden files live in tests/golden/; after a deliberate change to a report, rewrite them with
    KLARTJEK_UPDATE_GOLDEN=1 bash scripts/test tests/test_reports.py
and review the diff."""
import csv
import io
import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from conftest import load_json, run_cli

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
GOLDEN = HERE / "golden"


@pytest.fixture(scope="module")
def reports(demo_runs, tmp_path_factory):
    """Every format of the demo-site run, rendered from the database by `klartjek report`."""
    tmp = tmp_path_factory.mktemp("reports")
    run_id = demo_runs["site"][1]["id"]
    out = {}
    for fmt, name in (("json", "r.json"), ("sarif", "r.sarif"), ("junit", "r.xml"), ("markdown", "r.md"),
                      ("csv", "r.csv"), ("html", "r.html")):
        res = run_cli("report", run_id, "--report", f"{fmt}:{tmp / name}", "--db", demo_runs["db"])
        assert res.returncode == 0, res.stderr
        out[fmt] = (tmp / name).read_text(encoding="utf-8")
    out["dir"] = tmp
    out["run_id"] = run_id
    return out


def normalise(text: str, run_id: str) -> str:
    """Take out what differs between two audits of the same site: ids, times, versions, paths."""
    text = text.replace(run_id, "RUN-ID")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", "TIME", text)
    text = re.sub(r'(time=)"[\d.]+"', r'\1"T"', text)
    text = re.sub(r'("(?:semantic)?[vV]ersion": )"[^"]*"', r'\1"V"', text)
    text = re.sub(r'("(?:klartjek_version|browser_version)": )"[^"]*"', r'\1"V"', text)
    text = re.sub(r'("config_hash": )"[^"]*"', r'\1"H"', text)
    text = re.sub(r'("(?:content_hash|db)": )"[^"]*"', r'\1"X"', text)
    return text


@pytest.mark.parametrize("fmt,name", [("json", "demo.json"), ("sarif", "demo.sarif"), ("junit", "demo.junit.xml"),
                                      ("markdown", "demo.md")])
def test_golden_files(reports, fmt, name):
    got = normalise(reports[fmt], reports["run_id"])
    path = GOLDEN / name
    if os.environ.get("KLARTJEK_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with KLARTJEK_UPDATE_GOLDEN=1 to write it"
    assert got == path.read_text(encoding="utf-8"), f"{fmt} report differs from {path}"


def test_json_writer_writes_what_the_standard_library_writes(demo_runs):
    from core.model import Run
    from reports.json_report import dumps, run_json

    run = Run.from_dict(demo_runs["site"][1])    # the report straight from the dataclasses, and from to_dict
    assert run_json(run).decode() == json.dumps(run.to_dict(), ensure_ascii=False, indent=2) + "\n"

    data = {"tekst": "Kære borger – æøå \u2028 \"citat\" \\ \x00\x1f\n", "tom": {}, "liste": [], "score": 87.5,
            "tal": [0, -3, 1.25, 0.1 + 0.2, 1e16, None, True, False], "dybt": {"a": [{"b": [[], {}]}]}}
    assert dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)
    big = {"n": 2 ** 70, "ikke-tekst": {1: "en"}}      # beyond orjson: the standard library writes it
    assert dumps(big) == json.dumps(big, ensure_ascii=False, indent=2)


def test_sarif_is_valid_and_complete(reports):
    sarif = json.loads(reports["sarif"])
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    from checks import REGISTRY
    assert [r["id"] for r in rules] == [m.code for m in REGISTRY]          # every check is a rule
    assert all(r.get("helpUri", "").startswith("https://") for r in rules)
    image_alt = next(r for r in rules if r["name"] == "image-alt")
    assert "wcag111" in image_alt["properties"]["tags"] and "WCAG 1.1.1" in image_alt["properties"]["tags"]
    assert image_alt["helpUri"] == "https://dequeuniversity.com/rules/axe/4.12/image-alt"
    lix = next(r for r in rules if r["id"] == "KL001")
    assert lix["helpUri"] == "https://www.w3.org/WAI/WCAG22/Understanding/reading-level"
    results = run["results"]
    demo = load_json(reports["dir"] / "r.json")
    expected = sum(len(r["findings"]) for d in demo["documents"] for r in d["results"])
    assert len(results) == expected
    assert all(r["partialFingerprints"]["klartjekFinding/v1"] for r in results)
    assert len({(r["ruleId"], r["partialFingerprints"]["klartjekFinding/v1"]) for r in results}) == len(results)
    alt = [r for r in results if r["ruleId"] == image_alt["id"]]
    assert [(r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in alt] == \
        [("error", {"uri": "fixtures/site/index.html", "uriBaseId": "%SRCROOT%"})]


def test_junit_is_valid_one_case_per_document_and_category(reports):
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "JUnit.xsd")))
    doc = etree.fromstring(reports["junit"].encode())
    assert xsd.validate(doc), xsd.error_log.last_error
    demo = load_json(reports["dir"] / "r.json")
    suites = doc.findall("testsuite")
    assert [s.get("name") for s in suites] == [d["path"] or d["url"] for d in demo["documents"]]
    for suite, d in zip(suites, demo["documents"], strict=True):
        cases = suite.findall("testcase")
        categories = [c for c in ("wcag", "best-practice", "plain-language")
                      if any(r["category"] == c for r in d["results"])]
        assert [c.get("name") for c in cases] == categories
        for case in cases:
            failed = [(r["code"], f["target"]) for r in d["results"] if r["category"] == case.get("name")
                      for f in r["findings"] if f["outcome"] == "failed"]
            failure = case.find("failure")
            assert (failure is not None) == bool(failed)
            if failed:
                lines = failure.text.splitlines()
                assert len(lines) == len(failed)
                assert sorted(ln.split()[0] for ln in lines) == sorted(c for c, _ in failed)


def _journey_run():
    """Two plain pages (one audited, one skipped) around a journey of three states: one failing, one
    clean, one that a step stopped."""
    from core.model import CheckResult, Document, Finding, Run

    def res(code, name, category, *findings):
        return CheckResult(code=code, name=name, outcome="failed" if any(f.outcome == "failed" for f in findings)
                           else "cant_tell" if findings else "passed", impact="serious",
                           category=category, findings=list(findings))

    def finding(outcome, target, da, impact=None):
        return Finding(outcome=outcome, target=target, html="<x>", message={"da": da, "en": da}, impact=impact)

    def facts(state, step):
        return {"name": "booking", "file": "j/booking.yml", "state": state, "step": step, "line": step + 2,
                "index": step}

    page = Document(url="https://www.example.org/", status="ok", started_at="2026-12-04T10:00:00Z",
                    ended_at="2026-12-04T10:00:01.5Z",
                    results=[res("A1", "image-alt", "wcag", finding("failed", "img", "Mangler alt", "critical"))])
    login = Document(url="http://127.0.0.1:8123/login.html", status="ok", started_at="2026-12-04T10:00:02Z",
                     ended_at="2026-12-04T10:00:04Z", journey=facts("login", 2),
                     results=[res("A2", "label", "wcag", finding("failed", "#cpr", "Intet navn"),
                                  finding("failed", "#kode", "Intet navn", "critical")),
                              res("KJ003", "status-message", "best-practice", finding("failed", "#besked", "Tavs")),
                              res("A3", "color-contrast", "wcag", finding("cant_tell", "h1", "Vurder kontrasten"))])
    clean = Document(url="http://127.0.0.1:8123/oversigt.html", status="ok", started_at="2026-12-04T10:00:05Z",
                     ended_at="2026-12-04T10:00:05.25Z", journey=facts("oversigt", 4),
                     results=[res("A1", "image-alt", "wcag")])
    stopped = Document(status="error", site_path="booking/flyttet", error="j/booking.yml:9: step 6: no element",
                       journey=facts("flyttet", 7))
    outside = Document(url="https://andet.example/side", status="skipped", error="outside the audited site")
    return Run(id="20261204-100000-abcd", started_at="2026-12-04T09:59:59Z", status="partial",
               documents=[page, login, clean, stopped, outside], workdir="")


def test_junit_has_a_suite_per_journey_and_a_case_per_state():
    from reports.junit import JunitReporter

    buf = io.StringIO()
    JunitReporter().render(_journey_run(), buf, lang="da")
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "JUnit.xsd")))
    root = etree.fromstring(buf.getvalue().encode())
    assert xsd.validate(root), xsd.error_log.last_error

    def shape(el):
        return (el.tag, dict(el.attrib), (el.text or "").strip(), [shape(c) for c in el])

    suite_keys = ("package", "id", "name", "timestamp", "hostname", "time", "tests", "failures", "errors", "skipped")
    suites = root.findall("testsuite")
    assert [{k: s.get(k) for k in suite_keys} for s in suites] == [
        {"package": "klartjek", "id": "0", "name": "https://www.example.org/", "timestamp": "2026-12-04T10:00:00",
         "hostname": "www.example.org", "time": "1.500", "tests": "1", "failures": "1", "errors": "0",
         "skipped": "0"},
        {"package": "klartjek", "id": "1", "name": "booking", "timestamp": "2026-12-04T10:00:02",
         "hostname": "127.0.0.1", "time": "2.250", "tests": "3", "failures": "1", "errors": "1", "skipped": "0"},
        {"package": "klartjek", "id": "2", "name": "https://andet.example/side", "timestamp": "2026-12-04T09:59:59",
         "hostname": "andet.example", "time": "0", "tests": "1", "failures": "0", "errors": "0", "skipped": "1"}]
    page, journey, outside = suites
    # the plain documents keep their shape: a case per category, the document's properties
    assert [shape(c) for c in page if c.tag != "properties"] == [
        ("testcase", {"name": "wcag", "classname": "https://www.example.org/", "time": "0"}, "", [
            ("failure", {"type": "critical", "message": "1 finding(s) in 1 check(s), worst impact critical"},
             "A1 image-alt (critical) img: Mangler alt", [])]),
        ("system-out", {}, "", []), ("system-err", {}, "", [])]
    assert [(p.get("name"), p.get("value")) for p in page.find("properties")] == [
        ("run", "20261204-100000-abcd"), ("kind", "page"), ("status", "ok")]
    assert [shape(c) for c in outside if c.tag != "properties"] == [
        ("testcase", {"name": "audit", "classname": "https://andet.example/side", "time": "0"}, "", [
            ("skipped", {"message": "outside the audited site"}, "", [])]),
        ("system-out", {}, "", []), ("system-err", {}, "", [])]
    # the journey: a case per state, in order, named by the state, classed by the journey
    assert [shape(c) for c in journey] == [
        ("properties", {}, "", [("property", {"name": "run", "value": "20261204-100000-abcd"}, "", []),
                                ("property", {"name": "kind", "value": "journey"}, "", [])]),
        ("testcase", {"name": "login", "classname": "booking", "time": "2.000"}, "", [
            ("failure", {"type": "critical", "message": "3 finding(s) in 2 check(s), worst impact critical"},
             "A2 label (critical) #kode: Intet navn\n"
             "A2 label (serious) #cpr: Intet navn\n"
             "KJ003 status-message (serious) #besked: Tavs", [])]),
        ("testcase", {"name": "oversigt", "classname": "booking", "time": "0.250"}, "", []),
        ("testcase", {"name": "flyttet", "classname": "booking", "time": "0"}, "", [
            ("error", {"type": "not audited", "message": "j/booking.yml:9: step 6: no element"},
             "j/booking.yml:9: step 6: no element", [])]),
        ("system-out", {}, "login: A3 color-contrast (serious) h1: Vurder kontrasten", []),
        ("system-err", {}, "", [])]


LETTERS = ["fixtures/letters/pdf/untagged.pdf", "fixtures/letters/docx/bad.docx", "fixtures/letters/memo/bad.xml"]


@pytest.fixture(scope="module")
def letter_runs(tmp_path_factory):
    """A letters run and a mixed run (pages and letters), each as JUnit and SARIF."""
    tmp = tmp_path_factory.mktemp("letter-reports")
    db = str(tmp / "h.sqlite")
    out = {}
    for name, argv in (("letters", ["letter", *LETTERS]),
                       ("mixed", ["audit", "fixtures/site/index.html", "fixtures/letters/pdf/untagged.pdf"])):
        res = run_cli(*argv, "--report", f"junit:{tmp / name}.xml", "--report", f"sarif:{tmp / name}.sarif",
                      "--json", str(tmp / f"{name}.json"), "--db", db)
        assert res.returncode == 1, res.stderr
        run = load_json(tmp / f"{name}.json")
        out[name] = {"run": run, "junit": (tmp / f"{name}.xml").read_text(encoding="utf-8"),
                     "sarif": (tmp / f"{name}.sarif").read_text(encoding="utf-8")}
    return out


@pytest.mark.parametrize("name", ["letters", "mixed"])
@pytest.mark.parametrize("fmt", ["junit", "sarif"])
def test_letter_and_mixed_runs_golden_and_valid(letter_runs, name, fmt):
    got = normalise(letter_runs[name][fmt], letter_runs[name]["run"]["id"])
    path = GOLDEN / f"{name}.{'junit.xml' if fmt == 'junit' else 'sarif'}"
    if os.environ.get("KLARTJEK_UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{fmt} report differs from {path}"
    if fmt == "junit":
        xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "JUnit.xsd")))
        assert xsd.validate(etree.fromstring(letter_runs[name][fmt].encode())), xsd.error_log.last_error
    else:
        schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            json.loads(letter_runs[name][fmt]))


def test_letter_failures_are_in_junit_and_sarif_under_their_category(letter_runs):
    """A critical KP001 failure made JUnit say tests="0" failures="0" before categories."""
    run = letter_runs["letters"]["run"]
    junit = etree.fromstring(letter_runs["letters"]["junit"].encode())
    pdf = next(s for s in junit.findall("testsuite") if s.get("name").endswith("untagged.pdf"))
    assert int(pdf.get("tests")) >= 2 and int(pdf.get("failures")) >= 1
    structure = pdf.find("testcase[@name='letter-structure']")
    assert structure is not None and "KP001 pdf-tagged (critical)" in structure.find("failure").text
    memo = next(s for s in junit.findall("testsuite") if s.get("name").endswith("bad.xml"))
    assert memo.find("testcase[@name='digital-post']/failure") is not None
    sarif = json.loads(letter_runs["letters"]["sarif"])["runs"][0]
    rules = {r["id"]: r for r in sarif["tool"]["driver"]["rules"]}
    assert rules["KP001"]["properties"]["category"] == "letter-structure"
    assert "accessibility" in rules["KP001"]["properties"]["tags"]
    assert "plain-language" not in rules["KP001"]["properties"]["tags"]
    assert rules["KM003"]["properties"]["tags"][0] == "digital-post"
    failed = {(d["path"], r["code"]) for d in run["documents"] for r in d["results"] if r["outcome"] == "failed"}
    in_sarif = {(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], res["ruleId"])
                for res in sarif["results"] if res["kind"] == "fail"}
    assert failed == in_sarif
    assert all(res["locations"][0]["physicalLocation"]["artifactLocation"].get("uriBaseId") == "%SRCROOT%"
               for res in sarif["results"])


def test_csv_has_a_row_per_finding(reports):
    rows = list(csv.DictReader(io.StringIO(reports["csv"])))
    demo = load_json(reports["dir"] / "r.json")
    assert len(rows) == sum(len(r["findings"]) for d in demo["documents"] for r in d["results"])
    alt = [r for r in rows if r["name"] == "image-alt"]
    assert [(r["document"], r["outcome"], r["impact"], r["wcag"]) for r in alt] == \
        [("fixtures/site/index.html", "failed", "critical", "1.1.1")]


@pytest.mark.parametrize("viewport", ["1280x900", "320x640"])
def test_html_report_passes_klartjeks_own_audit(reports, tmp_path, viewport):
    html = reports["dir"] / "r.html"
    assert "<script" not in reports["html"] and "http://" not in reports["html"].split("<body", 1)[0]
    res = run_cli("audit", str(html), "--best-practices", "--viewport", viewport, "--json", str(tmp_path / "a.json"),
                  "--db", str(tmp_path / "h.sqlite"), "--fail-on", "minor")
    run = load_json(tmp_path / "a.json")
    doc = run["documents"][0]
    assert doc["status"] == "ok"
    findings = [(r["code"], f["outcome"], f["target"]) for r in doc["results"] for f in r["findings"]]
    assert findings == [] and res.returncode == 0
    # the report shows the demo's failures, grouped by principle and criterion, and the marked text
    assert '<h4 id="sc-1-1-1">1.1.1 Non-text Content' in reports["html"]
    assert 'href="https://www.w3.org/WAI/WCAG22/Understanding/non-text-content"' in reports["html"]
    assert "<mark class=" in reports["html"] and 'id="vurder-' in reports["html"]


def test_untrusted_page_text_is_escaped_in_every_format(local_server, tmp_path):
    evil = "<script>alert('klartjek')</script>"
    title = evil + " Forside"
    sentence = ("Når du kommer til hospitalet den første gang, skal du " + evil + " huske at tage dit sundhedskort, "
                "din medicinliste, dine briller og en pårørende med, fordi vi skal tale om mange ting, og fordi "
                "det ofte er svært at huske alt det, lægen siger, når man er nervøs og træt efter en lang rejse.")
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
    page = (f'<!doctype html><html lang="da"><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
            f'<body><main><h1>Velkommen</h1><p>{esc(sentence)}</p><img src="x.png">'
            '<p><button type="button"></button></p></main></body></html>')
    srv = local_server({"/": (200, "text/html; charset=utf-8", page.encode(), 0),
                        "/x.png": (404, "text/plain", b"", 0)})
    out = {f: tmp_path / f"r.{f}" for f in ("html", "json", "sarif", "junit", "csv", "markdown")}
    res = run_cli("audit", srv.url("/"), "--db", str(tmp_path / "h.sqlite"),
                  *[a for f, p in out.items() for a in ("--report", f"{f}:{p}")])
    assert res.returncode == 1, res.stderr
    texts = {f: p.read_text(encoding="utf-8") for f, p in out.items()}
    for f in ("html", "junit", "markdown"):             # markup formats: escaped, never raw
        assert "<script>" not in texts[f], f
        assert "&lt;script&gt;" in texts[f], f
    for f in ("json", "sarif"):                          # data formats: the text, as a JSON string
        assert evil in json.dumps(json.loads(texts[f]), ensure_ascii=False), f
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    assert any(evil in (r["excerpt"] or "") for r in rows)
    assert "alert('klartjek')" in texts["html"].replace("&#39;", "'")  # shown, as text
    # screenshots = "auto": this audit writes an HTML report, so the nameless button was photographed
    assert len(list((tmp_path / "screenshots").glob("*/*.jpg"))) >= 1
    assert '<img class="shot" src="data:image/jpeg;base64,' in texts["html"]


def test_screenshots_of_failing_elements(demo_runs, reports):
    """Up to 5 failing elements a page are photographed beside the database, named by the
    finding's fingerprint, and embedded in the HTML report."""
    run = demo_runs["site"][1]
    folder = Path(demo_runs["db"]).parent / "screenshots" / run["id"]
    expected = set()
    for d in run["documents"]:
        shots = [f["fingerprint"] for r in d["results"] if r["target_kind"] == "css"
                 for f in r["findings"] if f["outcome"] == "failed" and ">>" not in f["target"]]
        expected |= set(shots[:5])
    files = {p.stem for p in folder.glob("*.jpg")}
    assert expected and files == expected
    for p in folder.glob("*.jpg"):
        data = p.read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and len(data) < 200_000      # a real, bounded JPEG
    # the report of that run embeds each of them
    assert reports["html"].count('<img class="shot" src="data:image/jpeg;base64,') == len(expected)
