"""`klartjek letter` end to end: every fixture letter checked through the real command (Chromium for
HTML letters and the HTML files inside MeMo messages), against fixtures/letters/expected.json; bad
input gives one line each while the other letters are still checked and stored."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, load_json, run_cli

LETTERS = ROOT / "fixtures" / "letters"
EXPECTED = load_json(LETTERS / "expected.json")
COMPARED = ("KA", "KP", "KD", "KM", "KB")     # plain-language style (KL) has its own tests

sys.path.insert(0, str(LETTERS))
import make_memo  # noqa: E402  (fixtures/letters/make_memo.py: builds MeMo messages)


def failed_codes(doc: dict) -> list[str]:
    return sorted({r["code"] for r in doc["results"] if r["outcome"] == "failed" and r["code"].startswith(COMPARED)})


@pytest.fixture(scope="module")
def letters_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("letters")
    res = run_cli("letter", "fixtures/letters", "--block-external", "--json", str(tmp / "r.json"),
                  "--db", str(tmp / "h.sqlite"), "-q", "--report", f"html:{tmp / 'breve.html'}")
    res.html_report = tmp / "breve.html"
    return res, load_json(tmp / "r.json")


def test_every_fixture_letter_raises_exactly_the_expected_codes(letters_run):
    res, run = letters_run
    docs = {d["path"].removeprefix("fixtures/letters/"): d for d in run["documents"]}
    assert all(d["kind"] == "letter" for d in docs.values())
    expected = {k: v["fails"] for k, v in EXPECTED["letters"].items()}
    got = {k: failed_codes(d) for k, d in docs.items() if d["status"] == "ok"}
    assert got == expected


def test_bad_letters_are_one_line_each_and_the_rest_is_checked(letters_run):
    res, run = letters_run
    assert res.returncode == 2                        # some letters could not be read: exit 2
    assert run["status"] == "partial"
    docs = {d["path"].removeprefix("fixtures/letters/"): d for d in run["documents"]}
    errors = {k: d["error"] for k, d in docs.items() if d["status"] == "error"}
    assert set(errors) == set(EXPECTED["errors"])
    for name, fragment in EXPECTED["errors"].items():
        assert errors[name].startswith(f"fixtures/letters/{name}: "), errors[name]
        assert fragment in errors[name], (name, errors[name])
        assert "\n" not in errors[name]
    # each error on one line of standard error (-q), and no traceback
    for e in errors.values():
        assert f"klartjek: {e}\n" in res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    # nothing lost: every letter file in the folder is a document of the run
    files = sorted(p.relative_to(LETTERS).as_posix() for p in LETTERS.rglob("*")
                   if p.suffix in (".pdf", ".docx", ".xml", ".html") and p.is_file())
    assert sorted(docs) == files


def test_letter_documents_carry_title_language_and_scores(letters_run):
    _res, run = letters_run
    docs = {d["path"].removeprefix("fixtures/letters/"): d for d in run["documents"]}
    full = docs["memo/full.xml"]
    assert full["title"] == "Indkaldelse til hjerteundersøgelse" and full["language"] == "da"
    assert full["score"] == 100.0 and full["plain_score"] is not None
    assert docs["pdf/good.pdf"]["language"].lower().startswith("da")
    assert len(docs["pdf/good.pdf"]["content_hash"]) == 64


def test_memo_html_part_is_checked_in_the_browser(tmp_path):
    """An HTML file inside a MeMo message is audited by axe-core like a page; findings name the file."""
    html = ("<!doctype html><html lang='da'><head><meta charset='utf-8'><title>Praktisk</title></head><body><main>"
            "<h1>Praktiske oplysninger</h1><p><img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' width='20' "
            "height='20'></p><p>Der er parkering ved indgang C.</p></main></body></html>")
    data = make_memo.message(additional=[[make_memo.file("text/html", "praktisk.html", "da", html.encode())]])
    (tmp_path / "besked.xml").write_bytes(data)
    res = run_cli("letter", str(tmp_path / "besked.xml"), "--block-external", "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 1, res.stderr
    doc = load_json(tmp_path / "r.json")["documents"][0]
    alt = [f["target"] for r in doc["results"] if r["code"] == "KA057" for f in r["findings"]]
    assert alt == ["praktisk.html >>> img"]
    assert any(r["code"] == "KA053" and r["outcome"] == "passed" for r in doc["results"])   # html-has-lang ran


def test_aftale_time_differing_from_the_letter_is_a_finding(tmp_path):
    full = (LETTERS / "memo" / "full.xml").read_bytes()
    assert full.count(b"2026-12-08T09:30:00Z") == 1       # the reservation's start: kl. 10.30 Danish time
    (tmp_path / "forkert.xml").write_bytes(full.replace(b"2026-12-08T09:30:00Z", b"2026-12-08T10:30:00Z"))
    res = run_cli("letter", str(tmp_path / "forkert.xml"), "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q", "--lang", "en")
    assert res.returncode == 1
    doc = load_json(tmp_path / "r.json")["documents"][0]
    kb005 = [f for r in doc["results"] if r["code"] == "KB005" for f in r["findings"]]
    assert [(f["target"], f["impact"]) for f in kb005] == [("/Message/MessageBody/MainDocument/Action[1]", "critical")]
    assert "11.30 dansk tid (2026-12-08T10:30:00Z)" in kb005[0]["message"]["da"]


def test_letter_run_is_re_reported_and_gated_like_an_audit(tmp_path):
    shutil.copy(LETTERS / "docx" / "bad.docx", tmp_path / "brev.docx")
    db = str(tmp_path / "h.sqlite")
    res = run_cli("letter", str(tmp_path / "brev.docx"), "--db", db, "-q")
    assert res.returncode == 1
    sarif = run_cli("report", "latest", "--format", "sarif", "--db", db)
    assert sarif.returncode == 0
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"KD001", "KD005"}
    gate = run_cli("gate", "latest", "--no-baseline", "--db", db)
    assert gate.returncode == 1 and "KD005" in gate.stdout


def test_audit_takes_a_pdf_target_as_a_letter(tmp_path):
    res = run_cli("audit", "fixtures/letters/pdf/untagged.pdf", "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 1
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert doc["kind"] == "letter" and failed_codes(doc) == EXPECTED["letters"]["pdf/untagged.pdf"]["fails"]


def test_not_a_letter_and_missing_file(tmp_path):
    (tmp_path / "notat.txt").write_text("hej")
    res = run_cli("letter", str(tmp_path / "notat.txt"), str(tmp_path / "findes-ikke.pdf"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("klartjek: ")]
    assert lines[0].endswith("notat.txt: not a letter klartjek reads; give a .pdf, .docx, .xml (MeMo) or .html "
                             "file, or a folder of them")
    assert lines[1].endswith("findes-ikke.pdf: no such file or folder; check the path")


def test_file_over_the_size_limit(tmp_path):
    (tmp_path / "klartjek.toml").write_text("[letters]\nmax_bytes = 1000\n")
    shutil.copy(LETTERS / "pdf" / "good.pdf", tmp_path / "stor.pdf")
    res = run_cli("letter", str(tmp_path / "stor.pdf"), "--config", str(tmp_path / "klartjek.toml"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 2
    assert "stor.pdf: the letter is over the limit of 1,000 bytes (letters.max_bytes)" in res.stderr


def test_wrong_extension(tmp_path):
    shutil.copy(LETTERS / "docx" / "good.docx", tmp_path / "brev.pdf")
    shutil.copy(LETTERS / "pdf" / "good.pdf", tmp_path / "brev.docx")
    res = run_cli("letter", str(tmp_path / "brev.pdf"), str(tmp_path / "brev.docx"), "--db",
                  str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 2
    assert "brev.pdf: the extension says a PDF, but the content is a ZIP file (such as DOCX)" in res.stderr
    assert "brev.docx: the extension says a DOCX (Word) file, but the content is a PDF" in res.stderr



def test_html_report_of_the_letters_passes_klartjeks_own_audit(letters_run, tmp_path):
    """The HTML report of the letters run (written by the run above): zero findings, best practices on."""
    res, _run = letters_run
    assert len(res.stdout.splitlines()) == 1            # -q: the summary line alone
    report = str(res.html_report)
    audit = run_cli("audit", report, "--best-practices", "--fail-on", "minor", "--json", str(tmp_path / "r.json"),
                    "--db", str(tmp_path / "h.sqlite"), "-q")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert doc["status"] == "ok" and doc["score"] == 100.0
    assert [f for r in doc["results"] for f in r["findings"] if f["outcome"] == "failed"] == []
    html = Path(report).read_text(encoding="utf-8")
    assert "memo/bad.xml" in html
    # a letter's finding names its place in the document (not a CSS selector), the problem and the fix
    assert "Sted i dokumentet: <code>/Catalog/Lang</code>" in html
    assert "Element (CSS-vælger): <code>img</code>" in html            # axe-core on the HTML letter
    assert html.count("<p>Problemet: ") == sum(
        1 for d in _run["documents"] for r in d["results"] if r["code"][:2] in ("KP", "KD", "KM")
        for f in r["findings"] if f["outcome"] == "failed")


def test_old_word_file_is_listed_as_not_checked(tmp_path):
    (tmp_path / "gammel.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    res = run_cli("letter", str(tmp_path / "gammel.doc"), "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 0
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert (doc["kind"], doc["status"]) == ("letter", "skipped")
    assert doc["error"] == "not checked: the old Word format (.doc); save the letter as .docx or PDF"


def test_incremental_reuses_unchanged_letters_and_rechecks_changed_ones(tmp_path):
    shutil.copy(LETTERS / "pdf" / "good.pdf", tmp_path / "a.pdf")
    shutil.copy(LETTERS / "docx" / "good.docx", tmp_path / "b.docx")
    args = ("audit", str(tmp_path / "a.pdf"), str(tmp_path / "b.docx"), "--incremental", "--db",
            str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "r.json"), "-q")
    assert run_cli(*args).returncode == 0
    shutil.copy(LETTERS / "docx" / "bad.docx", tmp_path / "b.docx")         # one letter changes
    res = run_cli(*args)
    assert res.returncode == 1 and " 2 documents (1 reused unchanged from run " in res.stdout
    docs = {Path(d["path"]).name: d for d in load_json(tmp_path / "r.json")["documents"]}
    assert docs["a.pdf"]["reused_from"] is not None and docs["b.docx"]["reused_from"] is None
    assert failed_codes(docs["b.docx"]) == EXPECTED["letters"]["docx/bad.docx"]["fails"]
