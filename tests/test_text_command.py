"""`klartjek text` for content editors: the real command on real files and standard input."""
import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import ROOT, load_json, run_cli

LETTER = """Indkaldelse til CT-scanning
De bedes møde op i Ambulatorium 3 mandag den 3. marts 2026 kl. 10:30.
Husk at tage din medicinliste med.
"""


def test_terminal_report_shows_lix_score_spans_and_suggestions(tmp_path):
    f = tmp_path / "brev.txt"
    f.write_text(LETTER, encoding="utf-8")
    res = run_cli("text", str(f))
    assert res.returncode == 1                          # the wrong weekday is serious
    out = res.stdout
    assert "Klarsprogsscore" in out and "LIX (mål for læsbarhed)" in out
    assert "KL016 weekday-date-mismatch" in out and "3. marts 2026 er en tirsdag, ikke en mandag." in out
    assert "KL012 medical-jargon" in out and "Skriv »dagafsnit«" in out
    assert "KL014 time-format" in out and "Skriv »10.30«" in out     # "kl." is already there
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
