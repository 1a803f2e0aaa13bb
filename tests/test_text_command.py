"""`klartjek text` for content editors: the real command on real files and standard input."""
import json
import re
import subprocess
import sys

import jsonschema
import pytest

from conftest import ROOT, load_json, run_cli

LETTER = """Indkaldelse til CT-scanning
De bedes møde op i Ambulatorium 3 mandag den 3. marts 2026 kl. 10:30.
Husk at tage din medicinliste med, og søg om befordring i god tid.
"""


def test_terminal_report_shows_lix_score_spans_and_suggestions(tmp_path):
    f = tmp_path / "brev.txt"
    f.write_text(LETTER, encoding="utf-8")
    res = run_cli("text", str(f))
    assert res.returncode == 1                          # the wrong weekday is serious
    out = res.stdout
    assert "Klarsprogsscore" in out and "LIX (mål for læsbarhed)" in out
    # each finding by its Danish title, impact and code; no English check names for an editor
    assert "Ugedag passer ikke med dato · Alvorlig · KL016" in out
    assert "3. marts 2026 er en tirsdag, ikke en mandag." in out
    assert "Fagord · Moderat · KL012" in out and "Skriv »kørsel, transport til og fra hospitalet«" in out
    assert "Klokkeslæt med kolon · Mindre · KL014" in out and "Skriv »10.30«" in out   # "kl." is there
    assert "weekday-date-mismatch" not in out and "medical-jargon" not in out
    assert "   »CT«\n" in out and not re.search(r"^\s+«", out, re.MULTILINE)       # Danish quotes: »…«
    # the short list first: the wrong weekday leads it, and »Ambulatorium 3«, a place's name, is no jargon
    assert re.search(r"Ret disse først: \d+\. Ugedag passer ikke med dato, ", out)
    assert "»Ambulatorium« er et fagord" not in out
    assert "Traceback" not in res.stderr


def test_json_report_validates_and_has_exact_spans(tmp_path):
    f = tmp_path / "brev.txt"
    f.write_text(LETTER, encoding="utf-8")
    out = tmp_path / "r.json"
    res = run_cli("text", str(f), "--format", "json", "--out", str(out))
    assert res.returncode == 1
    run = load_json(out)
    schema = load_json(ROOT / "reports" / "schema" / "run.schema.json")
    jsonschema.Draft202012Validator(schema).validate(run)
    doc = run["documents"][0]
    assert doc["kind"] == "text" and doc["readability"]["language"] == "da"
    spans = {(r["code"], tuple(f["span"])) for r in doc["results"] for f in r["findings"] if f["span"]}
    i = LETTER.index("mandag den 3. marts 2026")
    assert ("KL016", (i, i + len("mandag den 3. marts 2026"))) in spans
    j = LETTER.index("10:30")
    assert ("KL014", (j, j + 5)) in spans
    assert doc["readability"]["profile"] == "patient-info"


def test_standard_input_markdown_and_english(tmp_path):
    md = "# Om os\n\nVi er et hospital. [Klik her](om.html) for at læse mere.\n"
    proc = subprocess.run([sys.executable, "-m", "cli", "text", "-", "--format", "json"], input=md.encode(),
                          capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)["documents"][0]
    link = [f for r in doc["results"] if r["name"] == "generic-link-text" for f in r["findings"]]
    assert [f["excerpt"] for f in link] == ["Klik her"]
    proc = subprocess.run([sys.executable, "-m", "cli", "text", "-", "--lang", "en", "--format", "json"],
                          input=b"We will see you soon. Please come on time.", capture_output=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    doc = json.loads(proc.stdout)["documents"][0]
    assert doc["readability"]["language"] == "en" and doc["readability"]["flesch_reading_ease"] > 60


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    res = run_cli("text", str(tmp_path / "findes-ikke.txt"))
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0
    assert "findes-ikke.txt: no such file" in res.stderr
    binary = tmp_path / "billede.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    res = run_cli("text", str(binary))
    assert res.returncode == 2 and "looks like a binary file" in res.stderr
    res = run_cli("text", str(binary), "--profile", "nope")
    assert res.returncode == 2 and "Invalid value for '--profile': Value error, 'nope' is not one of" in res.stderr


def test_html_report_escapes_page_text(tmp_path):
    f = tmp_path / "side.html"
    f.write_text('<!doctype html><html lang="da"><body><main><p>Hej <script>alert(1)</script>'
                 '&lt;script&gt;alert(2)&lt;/script&gt; jf. reglerne.</p></main></body></html>', encoding="utf-8")
    out = tmp_path / "r.html"
    res = run_cli("text", str(f), "--format", "html", "--out", str(out))
    assert res.returncode == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
    assert "alert(1)" not in html                        # script content is not page text


def test_html_report_passes_klartjeks_own_audit(tmp_path):
    f = tmp_path / "brev.txt"
    f.write_text(LETTER * 3, encoding="utf-8")
    out = tmp_path / "rapport.html"
    assert run_cli("text", str(f), "--format", "html", "--out", str(out)).returncode == 1
    res = run_cli("audit", str(out), "--best-practices", "--json", str(tmp_path / "a.json"),
                  "--db", str(tmp_path / "h.sqlite"), "--fail-on", "minor")
    run = load_json(tmp_path / "a.json")
    findings = [(r["code"], f["outcome"], f["target"]) for r in run["documents"][0]["results"] for f in r["findings"]]
    assert findings == [] and res.returncode == 0


def test_html_report_ranks_what_to_fix_first_and_links_findings_both_ways(tmp_path):
    f = tmp_path / "brev.txt"
    f.write_text(LETTER, encoding="utf-8")
    out = tmp_path / "r.html"
    assert run_cli("text", str(f), "--report", f"html:{out}").returncode == 1
    html = out.read_text(encoding="utf-8")
    first = re.search(r'<ol class="first">\n<li><a href="#t-(\d+)">Fund \1: Ugedag passer ikke med dato</a> '
                      r'»mandag den 3\. marts 2026«\. Ret ugedagen eller datoen\.</li>', html)
    n = first.group(1)                       # serious, and the first of the checks' weights
    assert f'<mark class="k-dato" id="t-{n}" tabindex="-1">mandag den 3. marts 2026</mark><sup><a href="#f-{n}" ' \
           f'aria-label="Fund {n}: Ugedag passer ikke med dato">{n}</a></sup>' in html
    assert f'<li id="f-{n}" tabindex="-1">' in html and f'<p><a href="#t-{n}">Vis fund {n} i teksten</a></p>' in html
    assert '<li><mark class="k-dato">Dato og klokkeslæt</mark>: ugedage, datoer og klokkeslæt (2 fund)</li>' in html
    assert re.search(r"<p>LIX \(mål for læsbarhed\) \d+(,\d)? \(", html)          # a decimal comma in Danish


ENGLISH = ("Your appointment at the hospital is on Monday morning. Please bring your health insurance card and a "
           "list of the medicines you take. If you cannot come, call us so that another patient can have the time.")
DANISH = ("Din tid på hospitalet er mandag formiddag. Tag dit sundhedskort med og en liste over den medicin, du tager. "
          "Hvis du ikke kan komme, skal du ringe til os, så en anden patient kan få tiden.")


@pytest.mark.parametrize("text, lang", [(ENGLISH, "en"), (DANISH, "da"),
                                        ("Please come on time.", "da")])   # too short to tell: the default
def test_the_language_of_a_text_without_one_is_detected(text, lang):
    proc = subprocess.run([sys.executable, "-m", "cli", "text", "-", "--report", "json"], input=text.encode(),
                          capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    doc = json.loads(proc.stdout)["documents"][0]
    assert doc["readability"]["language"] == lang and doc["language"] == lang
    assert ("flesch_reading_ease" in doc["readability"]) == (lang == "en")
