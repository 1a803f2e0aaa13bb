"""Journeys (`klartjek journey`, docs/journeys.md): the MineAftaler-like fixture app, state by state, in real
Chromium on 127.0.0.1. The app's barriers show only after clicks, fills and waiting; each is listed with its
state and the exact findings in fixtures/journeys/mineaftaler/expected.json, and the clean twin has none.
Bad journeys stop at their step with the file, line and step named, keep what was audited before, and
leave the run partial; secrets never reach what is stored or reported."""
from __future__ import annotations

import gzip
import json
import sqlite3

import pytest
from lxml import etree

from audit.journeyfile import parse_journey, read_journey_file
from core.errors import UsageError
from conftest import ROOT, load_json, run_cli

APP = ROOT / "fixtures" / "journeys" / "mineaftaler"
EXPECTED = load_json(APP / "expected.json")
PLAIN = ("plain-language", "letter-content")


def findings_by_state(run: dict, categories_out=PLAIN) -> dict[str, dict[str, list[str]]]:
    """journey › state → {code: sorted targets} of failed and needs-review findings (not plain language)."""
    out: dict[str, dict[str, list[str]]] = {}
    for doc in run["documents"]:
        key = f"{doc['journey']['name']} › {doc['journey']['state']}"
        codes: dict[str, list[str]] = {}
        for r in doc["results"]:
            if r["category"] in categories_out:
                continue
            targets = [f["target"] for f in r["findings"] if f["outcome"] in ("failed", "cant_tell")]
            if targets:
                codes[r["code"]] = sorted(targets)
        out[key] = codes
    return out


@pytest.fixture(scope="module")
def app_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("journeys")
    res = run_cli("journey", str(APP / "booking.yml"), str(APP / "pro.yml"), "--db", str(tmp / "h.sqlite"),
                  "--report", f"json:{tmp / 'run.json'}", "--report", f"html:{tmp / 'run.html'}",
                  "--report", f"junit:{tmp / 'run.xml'}", timeout=600)
    return res, load_json(tmp / "run.json"), tmp


def test_the_app_shows_every_expected_barrier_state_by_state(app_run):
    res, run, _ = app_run
    assert res.returncode == 1, res.stderr
    want = {}
    for file, states in EXPECTED["journeys"].items():
        name = file.removesuffix(".yml")
        for state, entries in states.items():
            want[f"{name} › {state}"] = {e["code"]: sorted(e["targets"]) for e in entries}
    assert findings_by_state(run) == want
    assert run["status"] == "complete" and run["schema_version"] == "1.6"
    doc = next(d for d in run["documents"] if d["journey"]["state"] == "flyttet")
    assert doc["journey"] | {"screenshot": None} == {"name": "booking", "file": str(APP / "booking.yml"),
                                                     "state": "flyttet", "step": 22, "line": doc["journey"]["line"],
                                                     "index": 5, "screenshot": None}
    assert doc["path"] == "fixtures/journeys/mineaftaler/app/flyt.html" and doc["site_path"] == "booking/flyttet"
    kj3 = next(r for r in doc["results"] if r["code"] == "KJ003")
    assert kj3["findings"][0]["message"]["da"] == (
        "Beskeden »Din aftale er flyttet til mandag 18. januar 2027 kl. 10.30.« kom frem efter trin 20 (klik på "
        "role=button name=\"Bekræft flytning\"), men en skærmlæser får den ikke at vide: den står ikke i et "
        "live-område, og fokus flyttes ikke til den.")


def test_the_reports_show_the_journeys_as_sequences_of_states(app_run):
    _, run, tmp = app_run
    html = (tmp / "run.html").read_text(encoding="utf-8")
    assert '<h2 id="forloeb">Forløb</h2>' in html
    assert html.count('alt="Skærmbillede af tilstanden ') == 11      # a screenshot of each of the 8 + 3 states
    assert html.index(">flyt-tjek<") < html.index(">flyttet<") < html.index(">parkeringskort<")
    # JUnit: a suite per journey, a case per state (its classname the journey); a state fails on any failed
    # finding, plain language included (aftaler has no barrier in expected.json, and its words, with the
    # department's name »Ambulatorium« no longer taken for jargon, pass too)
    junit = etree.fromstring((tmp / "run.xml").read_bytes())
    suites = junit.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites] \
        == [("booking", "8", "7", "0", "0"), ("pro", "3", "2", "0", "0")]
    assert [[(c.get("classname"), c.get("name"), [e.tag for e in c]) for c in s.findall("testcase")]
            for s in suites] == [
        [("booking", "aftaler", [])] + [("booking", state, ["failure"]) for state in (
            "flyt-vaelg-dato", "flyt-mangler-dato", "flyt-tjek", "flyttet", "parkeringskort", "aflyst", "efter-pause")],
        [("pro", "skema", ["failure"]), ("pro", "skema-fejl", ["failure"]), ("pro", "skema-sendt", [])]]
    assert all([p.get("value") for p in s.find("properties")] == [run["id"], "journey"] for s in suites)
    failed = {(d["journey"]["name"], d["journey"]["state"]): sorted(r["code"] for r in d["results"]
                                                                    for f in r["findings"] if f["outcome"] == "failed")
              for d in run["documents"]}
    for s in suites:
        for case in s.findall("testcase[failure]"):
            lines = case.find("failure").text.splitlines()
            assert sorted(ln.split()[0] for ln in lines) == failed[(s.get("name"), case.get("name"))]
    flyttet = junit.find("testsuite[@name='booking']/testcase[@name='flyttet']/failure").text
    assert flyttet.startswith("KJ003 status-message (serious) #flyttet-besked: Beskeden »Din aftale er flyttet ")


def test_the_clean_twin_has_no_barrier_in_any_state(tmp_path):
    res = run_cli("journey", str(APP / "booking-clean.yml"), str(APP / "pro-clean.yml"), "--best-practices",
                  "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "run.json"), timeout=600)
    run = load_json(tmp_path / "run.json")
    assert res.returncode == 0, res.stdout[-3000:]
    want = {f"{f.removesuffix('.yml')} › {s}": {} for f, states in EXPECTED["clean"].items() for s in states}
    assert findings_by_state(run) == want
    # the journey checks ran where they apply (and passed), not merely never
    outcomes = {(d["journey"]["state"], r["code"]): r["outcome"] for d in run["documents"] for r in d["results"]}
    assert outcomes[("aflyst", "KJ006")] == outcomes[("aflyst", "KJ003")] == "passed"
    assert outcomes[("parkeringskort", "KJ004")] == outcomes[("parkeringskort", "KJ005")] == "passed"
    assert outcomes[("efter-pause", "KJ009")] == "passed"     # logged out after a warning with a button
    assert outcomes[("skema-fejl", "KJ001")] == outcomes[("skema-fejl", "KJ002")] == "passed"


def test_a_step_that_cannot_be_done_stops_the_journey_and_keeps_what_was_audited(tmp_path):
    journey = tmp_path / "j.yml"
    journey.write_text(f"""name: stop
start: {APP / 'app'}
steps:
  - goto: index.html
  - audit: login
  - click: {{role: button, name: Findes ikke, timeout: 1}}
  - audit: efter
  - audit: senere
""", encoding="utf-8")
    res = run_cli("journey", str(journey), "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "run.json"),
                  "--report", f"junit:{tmp_path / 'run.xml'}")
    assert res.returncode == 2
    message = (f'{journey}:6: step 3 (click role=button name="Findes ikke"): no element matches role=button '
               'name="Findes ikke" within 1 s; check the locator against the page')
    assert message in (res.stdout + res.stderr).replace("\n", "")
    run = load_json(tmp_path / "run.json")
    assert run["status"] == "partial"
    assert [(d["journey"]["state"], d["status"]) for d in run["documents"]] == [
        ("login", "ok"), ("efter", "error"), ("senere", "error")]
    assert run["documents"][1]["error"] == message
    assert run["documents"][2]["error"] == f"{journey}:8: step 5 (audit senere): not reached ({message})"
    # JUnit: the states not reached are errors of the journey's suite, with the stop's message
    suite = etree.fromstring((tmp_path / "run.xml").read_bytes()).find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("errors")) == ("stop", "3", "2")
    assert [(c.get("name"), [(e.tag, e.get("message")) for e in c if e.tag == "error"])
            for c in suite.findall("testcase")] == [
        ("login", []), ("efter", [("error", message)]),
        ("senere", [("error", f"{journey}:8: step 5 (audit senere): not reached ({message})")])]


def test_a_locator_matching_several_elements_and_an_expectation_not_met(tmp_path):
    journey = tmp_path / "j.yml"
    journey.write_text(f"""start: {APP / 'app'}
steps:
  - goto: index.html
  - expect: {{text: Velkommen tilbage, timeout: 1}}
  - audit: login
""", encoding="utf-8")
    res = run_cli("journey", str(journey), "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 2
    assert (f"{journey}:4: step 2 (expect): expected, but no text »Velkommen tilbage« is shown; the app did not do "
            "what the journey says") in res.stderr.replace("\n", "")
    journey.write_text(f"""start: {APP / 'app'}
steps:
  - goto: index.html
  - click: {{role: textbox}}
  - audit: login
""", encoding="utf-8")
    res = run_cli("journey", str(journey), "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 2
    assert (f"{journey}:4: step 2 (click role=textbox): role=textbox matches 2 elements; make it match one") \
        in res.stderr.replace("\n", "")


@pytest.mark.parametrize("text, message", [
    ("steps:\n  - goto: [1\n", "j.yml:3:1: not valid YAML (expected ',' or ']'"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - klik: x\n  - audit: a\n",
     "j.yml:3: step 2: 'klik' is not a step; a step is one of goto, click, fill"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - click: {role: knap, name: x}\n  - audit: a\n",
     "j.yml:3: step 2 (click): 'knap' is not an ARIA role"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - fill: {label: Navn}\n  - audit: a\n",
     "j.yml:3: step 2 (fill label=\"Navn\"): 'fill' needs a 'value'"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - click: {label: a, css: b}\n  - audit: a\n",
     "give one way to find the element, not label and css"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - idle: soon\n  - audit: a\n",
     "j.yml:3: step 2 (idle): 'idle' needs a duration such as 90s or 15m"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - audit: a\n  - audit: a\n",
     "j.yml:4: step 3 (audit a): a state named 'a' is audited already"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n", "the journey has no 'audit' step"),
    ("steps:\n  - goto: side.html\n  - audit: a\n", "a relative URL needs 'start'"),
    ("start: ikke-her/\nsteps:\n  - goto: x.html\n  - audit: a\n",
     "j.yml:1: 'start' 'ikke-her/' is neither an http(s) URL nor a folder"),
    ("steps:\n  - goto: http://127.0.0.1:9/\n  - fill: {label: Kode, value: '${env:KLARTJEK_TEST_NOT_SET}'}\n"
     "  - audit: a\n", "j.yml:3: step 2 (fill label=\"Kode\"): the environment variable KLARTJEK_TEST_NOT_SET is "
     "not set"),
    ("nmae: x\nsteps: []\n", "j.yml:1: unknown key 'nmae'"),
])
def test_journey_file_mistakes_are_named_with_file_and_line(tmp_path, text, message):
    with pytest.raises(UsageError) as err:
        parse_journey(text, "j.yml", tmp_path, environ={})
    assert message in str(err.value)


def test_the_fixture_journeys_parse_with_their_steps_and_lines():
    j = read_journey_file(APP / "booking.yml")
    assert j.name == "booking" and j.start == str((APP / "app").resolve())
    assert j.states == ["aftaler", "flyt-vaelg-dato", "flyt-mangler-dato", "flyt-tjek", "flyttet", "parkeringskort",
                        "aflyst", "efter-pause"]
    commits = [s for s in j.steps if s.options.get("commits")]
    assert [(s.kind, s.locator.describe()) for s in commits] == [
        ("click", 'role=button name="Bekræft flytning"'), ("click", 'role=button name="Aflys Røntgen af knæ"')]
    lines = (APP / "booking.yml").read_text(encoding="utf-8").splitlines()
    assert all(lines[s.line - 1].lstrip().startswith(f"- {s.kind}:") for s in j.steps)


SECRET = "S3krEt-kode-4417"
ECHO = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Log ind</title></head>
<body><main><h1>Log ind</h1><form id="f"><label for="b">Brugernavn</label> <input id="b" autocomplete="username">
<label for="k">Adgangskode</label> <input id="k" type="password" autocomplete="current-password">
<button>Log ind</button></form><p id="hej"></p>
<script>document.getElementById('f').onsubmit = e => { e.preventDefault();
  document.getElementById('hej').textContent = 'Velkommen, ' + document.getElementById('b').value + '. Din kode er ' +
    document.getElementById('k').value + '.'; };</script></main></body></html>"""


def test_secrets_never_reach_the_history_reports_or_logs(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(ECHO, encoding="utf-8")
    journey = tmp_path / "j.yml"
    journey.write_text("""name: hemmelig
start: site/
steps:
  - goto: index.html
  - fill: {label: Brugernavn, value: "${env:KT_USER}"}
  - fill: {label: Adgangskode, value: "${env:KT_PASSWORD}"}
  - click: {role: button, name: Log ind}
  - audit: inde
  - expect: {text: "Velkommen, nogen-andre"}
""", encoding="utf-8")
    db = tmp_path / "h.sqlite"
    res = run_cli("journey", str(journey), "--db", str(db), "--report", f"json:{tmp_path / 'r.json'}",
                  "--report", f"html:{tmp_path / 'r.html'}", "--report", f"sarif:{tmp_path / 'r.sarif'}",
                  "--screenshots", "on", env={"KT_USER": "anna.hansen", "KT_PASSWORD": SECRET})
    assert res.returncode == 2        # the expect step after the last state fails: the run is partial
    assert load_json(tmp_path / "r.json")["status"] == "partial"
    for out in (res.stdout, res.stderr, *(p.read_text(encoding="utf-8") for p in tmp_path.glob("r.*"))):
        assert SECRET not in out and "anna.hansen" not in out
    con = sqlite3.connect(db)
    blobs = [gzip.decompress(b).decode() for (b,) in con.execute("select data from artifacts")]
    dump = "\n".join(con.iterdump())
    assert blobs and all(SECRET not in b and "anna.hansen" not in b for b in blobs)
    assert "•" * len(SECRET) in json.loads(blobs[0])["text"]["text"]
    assert SECRET not in dump and "anna.hansen" not in dump
    shots = list((tmp_path / "screenshots").rglob("state-*.jpg"))
    assert len(shots) == 1 and shots[0].stat().st_size > 1000


def test_journeys_from_the_config(tmp_path):
    (tmp_path / "klartjek.toml").write_text(f"""[[journeys]]
name = "login"
start = "{(APP / 'app-clean').as_posix()}"
steps = [{{goto = "index.html"}}, {{audit = "login"}}]
""", encoding="utf-8")
    res = run_cli("journey", "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    run = load_json(tmp_path / "r.json")
    assert [d["journey"]["state"] for d in run["documents"]] == ["login"]
    assert run["targets"] == [f"{tmp_path / 'klartjek.toml'} [[journeys]] #1"]


@pytest.mark.parametrize("viewport", ["1280x900", "320x640"])
def test_the_journey_report_passes_klartjeks_own_audit(app_run, tmp_path, viewport):
    _, _, tmp = app_run
    res = run_cli("audit", str(tmp / "run.html"), "--best-practices", "--viewport", viewport, "--json",
                  str(tmp_path / "a.json"), "--db", str(tmp_path / "h.sqlite"), "--fail-on", "minor")
    doc = load_json(tmp_path / "a.json")["documents"][0]
    assert doc["status"] == "ok"
    assert [(r["code"], f["outcome"], f["target"]) for r in doc["results"] for f in r["findings"]] == []
    assert res.returncode == 0


def test_journey_runs_pass_through_the_same_baselines_and_gates(app_run, tmp_path):
    """A journey run is gated as a page run: its findings (fingerprinted by journey/state) go into a
    baseline, the gate passes on that baseline, fails without it, and [[assertions]] match states."""
    _, run, tmp = app_run
    db = ["--db", str(tmp / "h.sqlite")]
    res = run_cli("baseline", "save", run["id"], "--out", str(tmp_path / "b.json"), *db)
    assert res.returncode == 0, res.stderr
    baseline = load_json(tmp_path / "b.json")
    assert {e["location"] for e in baseline["findings"]} >= {"booking/flyttet", "pro/skema-fejl"}
    res = run_cli("gate", run["id"], "--baseline", str(tmp_path / "b.json"), *db)
    assert res.returncode == 0, res.stdout + res.stderr
    res = run_cli("gate", run["id"], "--no-baseline", *db)
    assert res.returncode == 1 and "KJ003" in res.stdout
    (tmp_path / "k.toml").write_text('[[assertions]]\nurl = "pro/*"\nchecks_pass = ["error-suggestion"]\n',
                                     encoding="utf-8")
    res = run_cli("gate", run["id"], "--baseline", str(tmp_path / "b.json"), "--config", str(tmp_path / "k.toml"), *db)
    assert res.returncode == 1
    assert ("assertion #1 (pro/*): KJ012 error-suggestion fails on pro › skema-fejl "
            "(fixtures/journeys/mineaftaler/app/pro.html) (1 finding(s))") in res.stdout
