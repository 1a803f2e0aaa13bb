"""`klartjek sms` (docs/sms.md): the real command on fixtures/sms, exact encoding, segments and codes;
a CPR number never shown; bad input one line and exit 2."""
from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import ROOT, run_cli

SCHEMA = json.loads((ROOT / "reports" / "schema" / "run.schema.json").read_text(encoding="utf-8"))


def _json(*args, **kw):
    res = run_cli("sms", *args, "--report", "json", **kw)
    return res, (json.loads(res.stdout) if res.stdout.startswith("{") else None)


def test_a_good_reminder_template_passes_in_two_gsm_segments():
    res, run = _json("fixtures/sms/god.txt")
    assert res.returncode == 0, res.stderr
    jsonschema.validate(run, SCHEMA)
    doc = run["documents"][0]
    assert (doc["sms"]["encoding"], doc["sms"]["segments"], doc["sms"]["units"], doc["sms"]["per_segment"]) == \
        ("gsm7", 2, 260, 153)
    assert [p["name"] for p in doc["sms"]["placeholders"]] == ["dato", "tid", "afdeling", "link"]
    assert [r["code"] for r in doc["results"] if r["outcome"] in ("failed", "cant_tell")] == []


def test_a_bad_reminder_shows_every_barrier_and_never_the_cpr_number():
    res, run = _json("fixtures/sms/daarlig.txt")
    assert res.returncode == 1
    doc = run["documents"][0]
    assert (doc["sms"]["encoding"], doc["sms"]["segments"], doc["sms"]["units"]) == ("ucs2", 3, 155)
    assert [(f["char"], f["stand_in"]) for f in doc["sms"]["forcing"]] == [("–", "-"), ("“", '"'), ("”", '"')]
    failed = {r["code"]: [f["excerpt"] for f in r["findings"]] for r in doc["results"] if r["outcome"] == "failed"}
    assert failed == {"KL005": ["sygesikringsbevis"], "KL014": ["09:30"], "KT001": [None], "KT002": ["–", "“", "”"],
                      "KT003": ["12/1"], "KT004": [None], "KT005": [None], "KT006": ["010203-****"],
                      "KT007": ["http://bit.ly/3xYz"], "KT008": [None]}
    assert "1234" not in res.stdout
    term = run_cli("sms", "fixtures/sms/daarlig.txt")
    assert "SMS: UCS-2, 155 tegn med de længste værdier → 3 sms'er (67 tegn pr. del); UCS-2 på grund af U+2013, " \
           "U+201C, U+201D" in term.stdout
    assert "010203-****" in term.stdout and "1234" not in term.stdout


def test_standard_input_values_and_the_sender_from_the_command_line():
    res, run = _json("-", "--value", "afdeling=Øjenklinikken", "--sender", "AUH", "--max-segments", "1",
                     input_text="Husk din tid {dato} {tid} i {afdeling}. Kan du ikke komme, så ring på 78 45 12 34.")
    assert res.returncode == 0, res.stderr
    doc = run["documents"][0]
    assert doc["sms"]["units"] == 108 and doc["sms"]["segments"] == 1
    assert [r["code"] for r in doc["results"] if r["outcome"] == "failed"] == []


@pytest.mark.parametrize("data, args, message", [
    (b"", (), "the message is empty; give the text of an SMS"),
    (b"   \n", (), "the message is empty; give the text of an SMS"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", (), "not a text (it holds NUL bytes); give the SMS as a UTF-8 text file"),
    (b"Husk {kode}.", (), "the placeholder {kode} has no longest value; give one with --value kode=… or [sms] "
                          "values in the config (docs/sms.md)"),
    (b"x" * 6000, (), "6,000 characters is no SMS (at most 5,000); check the input"),
    (b"x" * 70000, (), "the text is over the limit of 65,536 bytes (64 KiB for an SMS); check the file"),
    (b"Hej.", ("--value", "nolika"), "--value 'nolika': give NAME=TEXT"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, data, args, message):
    f = tmp_path / "sms.txt"
    f.write_bytes(data)
    res = run_cli("sms", str(f), *args)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr.count("\n") == 1 and message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr
