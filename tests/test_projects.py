"""Runs labelled with their portfolio project (`--project`, config `project`, KLARTJEK_PROJECT) and
`klartjek runs --project --format json|csv`, on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import ROOT, run_cli

LETTER = str(ROOT / "fixtures" / "letters" / "pdf" / "annotations.pdf")


def _letter(db: str, *extra: str, env: dict | None = None) -> str:
    res = run_cli("letter", LETTER, "--db", db, "--fail-on", "none", "-q", *extra, env=env)
    assert res.returncode == 0, res.stderr
    return res.stdout.split("run ")[1].split()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    return request.getfixturevalue("pg_url")


def test_runs_carry_their_project_and_runs_filters_and_exports_them(db, tmp_path):
    pinfo = _letter(db, "--project", "PINFO")
    (tmp_path / "klartjek.toml").write_text('project = "Indkaldelser"\n', encoding="utf-8")
    letters = _letter(db, "--config", str(tmp_path / "klartjek.toml"))
    from_env = _letter(db, env={"KLARTJEK_PROJECT": "Indkaldelser"})
    unlabelled = _letter(db)

    res = run_cli("runs", "--db", db, "--project", "Indkaldelser", "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == [from_env, letters]                 # newest first
    assert {r["project"] for r in rows} == {"Indkaldelser"}
    assert rows[0]["documents"] == 1 and rows[0]["targets"] == [LETTER] and rows[0]["status"] == "complete"

    res = run_cli("runs", "--db", db, "--format", "csv", "--limit", "0")
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [(r["id"], r["project"]) for r in table] == [(unlabelled, ""), (from_env, "Indkaldelser"),
                                                       (letters, "Indkaldelser"), (pinfo, "PINFO")]
    assert list(table[0]) == ["id", "project", "started_at", "ended_at", "status", "documents", "errors", "score",
                              "plain_score", "klartjek_version", "targets", "workers"]
    assert {r["workers"] for r in table} == {""}                     # audited in one process

    res = run_cli("runs", "--db", db)                                       # people: a Project column
    assert "Project" in res.stdout and "PINFO" in res.stdout and "–" in res.stdout

    res = run_cli("report", "--db", db, pinfo, "--report", "json:-")        # and every report carries it
    assert json.loads(res.stdout)["project"] == "PINFO"


def test_an_unknown_project_and_a_bad_name_are_one_line_and_exit_2(tmp_path):
    db = str(tmp_path / "history.sqlite")
    res = run_cli("runs", "--db", db, "--project", "PINFO")
    assert res.returncode == 2 and res.stderr == (
        "klartjek: --project 'PINFO': no stored run has this project; no run has a project yet "
        "(klartjek audit --project NAME labels one)\n")
    _letter(db, "--project", "MineAftaler")
    res = run_cli("runs", "--db", db, "--project", "PINFO")
    assert res.returncode == 2 and res.stderr == (
        "klartjek: --project 'PINFO': no stored run has this project; the projects are: MineAftaler\n")
    for bad in (" PINFO", "x" * 201, "a\tb"):
        res = run_cli("letter", LETTER, "--db", db, "--project", bad)
        assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
        assert "'project' is" in res.stderr and "printable characters" in res.stderr
    res = run_cli("runs", "--db", db, "--limit", "-1")
    assert res.returncode == 2 and "--limit -1: give 0 (all) or more" in res.stderr


PORTFOLIO = f"""
[[portfolio.projects]]
name = "Hospitalernes hjemmesider"
owner = "Webredaktionen"
channel = "web"
targets = ["{ROOT / 'fixtures' / 'site' / 'index.html'}"]

[[portfolio.projects]]
name = "Indkaldelser"
channel = "letters"
targets = ["{LETTER}"]

[[portfolio.projects]]
name = "Gammel brevmappe"
channel = "letters"
targets = ["{ROOT / 'fixtures' / 'letters' / 'findes-ikke'}"]

[[portfolio.projects]]
name = "SMS-påmindelser"
channel = "sms"
targets = ["sms/"]
"""


def test_portfolio_run_audits_every_project_and_one_failing_stops_none(tmp_path):
    cfg = tmp_path / "klartjek.toml"
    db = str(tmp_path / "history.sqlite")
    cfg.write_text(f'db = "{db}"\nfail_on = "none"\n' + PORTFOLIO, encoding="utf-8")
    (tmp_path / "sms").mkdir()
    (tmp_path / "sms" / "paamindelse.txt").write_text(
        "Husk din tid tirsdag den 3. marts 2026 kl. 10.30 i {afdeling}. Kan du ikke komme, så ring på "
        "12 34 56 78. Hilsen Demo Hospital", encoding="utf-8")
    (tmp_path / "sms" / "tom.txt").write_text("", encoding="utf-8")
    res = run_cli("portfolio", "run", "--config", str(cfg), cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr           # the worst project's: one could not be read
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Hospitalernes hjemmesider (web): run ") and "complete, 1 document" in lines[0]
    assert lines[1].startswith("Indkaldelser (letters): run ") and "complete, 1 document" in lines[1]
    assert lines[2].startswith("Gammel brevmappe (letters): run ") and "the run is partial (exit 2)" in lines[2]
    assert lines[3].startswith("  ") and "findes-ikke: no such file" in lines[3]   # why, below it
    # SMS templates, each checked as `klartjek sms` checks one; the empty one is an error, the run partial
    assert lines[-2].startswith("SMS-påmindelser (sms): run ") and lines[-2].endswith(
        "partial, 2 SMS templates, plain-language score 100.0 (exit 2)"), lines[-2]
    assert lines[-1].startswith("  ") and "tom.txt" in lines[-1] and "empty" in lines[-1]
    runs = json.loads(run_cli("runs", "--db", db, "--format", "json", "--limit", "0").stdout)
    assert sorted(r["project"] for r in runs if r["status"] == "complete") == ["Hospitalernes hjemmesider",
                                                                                 "Indkaldelser"]
    # one project again: incremental, the unchanged letter reused
    res = run_cli("portfolio", "run", "--config", str(cfg), "--project", "Indkaldelser", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("Indkaldelser (letters): run ")
    newest = json.loads(run_cli("runs", "--db", db, "--format", "json", "--limit", "1").stdout)[0]
    assert newest["project"] == "Indkaldelser" and newest["documents"] == 1


@pytest.mark.parametrize("toml, args, message", [
    ("", [], "no portfolio projects; add [[portfolio.projects]] tables (name, channel, targets), docs/dashboard.md"),
    (PORTFOLIO, ["--project", "PINFO"], "--project 'PINFO': no such project in the portfolio; the projects are: "
     "Hospitalernes hjemmesider, Indkaldelser, Gammel brevmappe, SMS-påmindelser"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "fax"\ntargets = ["a"]\n', [],
     "portfolio project #1 (A): 'channel' is 'fax'; choose one of web, booking, letters, memo, sms, texts"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "web"\ntargets = ["a"]\n'
     '[[portfolio.projects]]\nname = "A"\nchannel = "web"\ntargets = ["b"]\n', [],
     "portfolio project #2: the name 'A' is used twice; each project needs its own"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "booking"\ntargets = ["a"]\njourneys = ["j.yml"]\n', [],
     "portfolio project #1 (A): a project has targets or journeys, not both (the dashboard shows a project's "
     "latest run); make a second project for the journeys"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "letters"\njourneys = ["j.yml"]\n', [],
     "portfolio project #1 (A): journeys run in the browser; give them to a project of channel web or booking"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "booking"\n', [],
     "portfolio project #1 (A): 'targets' must be a list of URLs, files or folders (or give 'journeys')"),
    ('[[portfolio.projects]]\nname = "A"\nchannel = "web"\njourneys = "j.yml"\n', [],
     "portfolio project #1 (A): 'journeys' must be a list of journey files (docs/journeys.md)"),
])
def test_a_bad_portfolio_is_one_line_and_exit_2(tmp_path, toml, args, message):
    cfg = tmp_path / "klartjek.toml"
    cfg.write_text(toml, encoding="utf-8")
    res = run_cli("portfolio", "run", "--config", str(cfg), *args, cwd=tmp_path)
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert message in res.stderr


def test_a_texts_project_with_a_bad_file_is_partial_and_keeps_the_others(tmp_path):
    folder = tmp_path / "tekster"
    folder.mkdir()
    (folder / "god.txt").write_text("Du skal møde klokken 10. Tag dit sundhedskort med.", encoding="utf-8")
    (folder / "billede.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (folder / ".skjult.txt").write_text("Ikke med.", encoding="utf-8")
    (folder / "noter.docx").write_bytes(b"PK")                       # not a text file: not taken
    cfg = tmp_path / "klartjek.toml"
    db = str(tmp_path / "h.sqlite")
    cfg.write_text(f'db = "{db}"\n[[portfolio.projects]]\nname = "PINFO"\nchannel = "texts"\n'
                   f'targets = ["{folder}", "{tmp_path / "mangler"}"]\n', encoding="utf-8")
    res = run_cli("portfolio", "run", "--config", str(cfg), cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("PINFO (texts): run ") and "partial, 3 texts" in lines[0]
    assert lines[1] == f"  {tmp_path / 'mangler'}: no such file or folder; give text files or a folder of them"
    assert lines[2] == (f"  {folder / 'billede.txt'}: looks like a binary file, not text; give a text, Markdown or "
                        "HTML file")
    run = json.loads(run_cli("report", "--db", db, "latest", "--report", "json:-").stdout)
    assert [(d["path"], d["status"]) for d in run["documents"]] == [
        (str(tmp_path / "mangler"), "error"), (str(folder / "billede.txt"), "error"), (str(folder / "god.txt"), "ok")]
    assert run["project"] == "PINFO" and run["plain_score"] is not None
