"""MeMo (Digital Post) letters: the reader (audit/letters/memo.py), and the KM checks (checks/memo_checks.py)
as a whole: their metadata, the fixtures of fixtures/letters/make_memo.py (expected.json), which checks
fail on a message, and that no finding shows a CPR number. Each check's own cases are data beside it:
checks/cases/KM001.yml … KM010.yml (tests/test_check_cases.py)."""
from __future__ import annotations

import base64
import importlib.util
import json
import re
from pathlib import Path

import pytest

from audit.config import defaults
from audit.letters import LetterError, gather_letter
from audit.letters.memo import read_memo
from checks import REGISTRY, evaluate_all
from core.cpr import mask_cpr

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "letters" / "memo"
EXPECTED = json.loads((FIX / "expected.json").read_text(encoding="utf-8"))
HEAD = "/Message/MessageHeader"
MAIN = "/Message/MessageBody/MainDocument"

_spec = importlib.util.spec_from_file_location("make_memo", ROOT / "fixtures" / "letters" / "make_memo.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def memo_checks(config=None):
    cfg = config or defaults()
    return [m for m in REGISTRY.select(cfg, "letter") if m.family == "memo"]


def evaluate(arts, config=None):
    cfg = config or defaults()
    return {r.code: r for r in evaluate_all(memo_checks(cfg), arts, cfg)}


def run(data: bytes, name: str = "brev.xml", config=None):
    """The KM results of a message read by read_memo alone (no embedded file read)."""
    memo, _files = read_memo(data, name)
    return evaluate({"memo": memo}, config)


def failing(results) -> list[tuple[str, str]]:
    return sorted((r.code, f.target) for r in results.values() for f in r.failures)


def gather(name: str):
    """The artifacts of a fixture through the real dispatcher; skipped only while the PDF reader is a stub."""
    try:
        return gather_letter((FIX / name).read_bytes(), name)
    except NotImplementedError:
        pytest.skip("audit/letters/pdf.py read_pdf is still a stub (NotImplementedError)")


def txt(text: str = mk.LETTER_DA, lang: str | None = "da", mime: str | None = "text/plain",
        filename: str | None = "brev.txt"):
    return mk.file(mime, filename, lang, text.encode())


# -- the fixtures -------------------------------------------------------------------------------------

GOOD = sorted(k for k in EXPECTED if k != "errors")


def test_expected_json_is_the_generators():
    assert EXPECTED == mk.EXPECTED
    assert set(GOOD) == {"minimal.xml", "full.xml", "bad.xml", "nemsms.xml", "nemsms-ok.xml"}


def test_fixtures_are_what_the_generator_makes_and_small():
    """Re-running make_memo.py (with the PDF already embedded in full.xml) gives the committed bytes."""
    memo, files = read_memo((FIX / "full.xml").read_bytes(), "full.xml")
    pdf = files[0]["data"]
    assert pdf.startswith(b"%PDF-") and files[0]["part"] == "indkaldelse.pdf"
    made = mk.fixtures(pdf)
    assert sorted(made) == sorted([*GOOD, *EXPECTED["errors"], mk.MARKER_FILE])
    for name, data in made.items():
        assert (FIX / name).read_bytes() == data, name
        assert len(data) < 60_000, name


@pytest.mark.parametrize("name", GOOD)
def test_fixture_fails_exactly_the_expected_checks(name):
    arts = gather(name)
    results = evaluate(arts)
    assert sorted(r.code for r in results.values() if r.outcome == "failed") == EXPECTED[name]["fails"]
    assert not [r for r in results.values() if r.outcome == "error"]


def test_bad_fixture_never_shows_the_cpr_number():
    results = evaluate(gather("bad.xml"))
    dump = json.dumps([r.__dict__ | {"findings": [f.__dict__ for f in r.findings]} for r in results.values()],
                      ensure_ascii=False)
    assert "010203-1234" in mk.NOTIFICATION_BAD
    assert "010203-1234" not in dump and "0102031234" not in dump
    assert results["KM003"].failures[0].html.count("010203-****") == 1
    assert "010203-****" in results["KM004"].failures[0].html


def test_full_fixture_through_the_dispatcher():
    arts = gather("full.xml")
    assert arts["letter"]["format"] == "memo"
    assert arts["letter"]["parts"] == ["indkaldelse.pdf", "praktiske-oplysninger.html"]
    assert [p["part"] for p in arts["pdf"]] == ["indkaldelse.pdf"]
    assert [f["text_language"] for f in arts["memo"]["files"]] == ["da", "da"]
    assert "8. december 2026" in arts["text"]["text"]
    json.dumps(arts["memo"])                       # no bytes in the memo artifact


def test_text_language_from_the_dispatcher():
    """gather_letter reads each file's text and guesses its language (KM006 compares it with inLanguage)."""
    english = "Your appointment is on Tuesday 8 December at 10.30. Please bring your health card with you."
    data = mk.message(main=[txt(lang="da")], additional=[[txt(english, lang="da", filename="en.txt")],
                                                          [txt(english, lang="en-GB", filename="en2.txt")]])
    arts = gather_letter(data, "m.xml")
    assert [f["text_language"] for f in arts["memo"]["files"]] == ["da", "en", "en"]
    memo, _files = read_memo(data, "m.xml")
    assert [f.get("text_language") for f in memo["files"]] == [None, None, None]


# -- bad input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["errors"]))
def test_bad_input_is_one_line_naming_the_file(name):
    data = (FIX / name).read_bytes()
    for read in (lambda: read_memo(data, name), lambda: gather_letter(data, name)):
        with pytest.raises(LetterError) as exc:
            read()
        msg = str(exc.value)
        assert msg.startswith(f"{name}: ") and "\n" not in msg and "Traceback" not in msg
        assert EXPECTED["errors"][name] in msg
        assert mk.MARKER not in msg and "lollol" not in msg


def test_external_entity_never_read(tmp_path):
    """Neither the fixture's relative entity nor an absolute path to a marker file is ever read."""
    secret = tmp_path / "secret.txt"
    secret.write_text(mk.MARKER, encoding="utf-8")
    fixture = (FIX / "external-entity.xml").read_text(encoding="utf-8")
    assert mk.MARKER_FILE in fixture and (FIX / mk.MARKER_FILE).read_text(encoding="utf-8").strip() == mk.MARKER
    absolute = fixture.replace(mk.MARKER_FILE, secret.as_uri())
    also = fixture.replace(mk.MARKER_FILE, str(secret))
    for name, data in (("a.xml", fixture), ("b.xml", absolute), ("c.xml", also)):
        with pytest.raises(LetterError) as exc:
            gather_letter(data.encode(), name)
        assert mk.MARKER not in str(exc.value) and "DOCTYPE" in str(exc.value)


def test_a_harmless_doctype_is_refused_too():
    data = mk.message().replace(b"?>\n", b"?>\n<!DOCTYPE memo:Message>\n", 1)
    assert b"<!DOCTYPE" in data
    with pytest.raises(LetterError, match=r"^x\.xml: the XML has a DOCTYPE"):
        read_memo(data, "x.xml")


@pytest.mark.parametrize("version, says", [("2.0", "MeMo version '2.0' is not one klartjek reads"),
                                           ("1.0", "MeMo version '1.0'"), ("", "has no memoVersion")])
def test_other_memo_versions_are_refused(version, says):
    data = mk.message(version="1.2").replace(b'memoVersion="1.2"', f'memoVersion="{version}"'.encode())
    with pytest.raises(LetterError) as exc:
        read_memo(data, "v.xml")
    assert str(exc.value).startswith("v.xml: ") and says in str(exc.value) and "1.1 and 1.2" in str(exc.value)


def test_message_root_in_another_namespace_is_not_memo():
    data = mk.message().replace(mk.NS.encode(), b"urn:example:other")
    with pytest.raises(LetterError, match=r"not a MeMo message \(root <Message> in namespace urn:example:other\)"):
        read_memo(data, "n.xml")


def test_bad_base64_names_the_file():
    data = mk.message(main=[txt(), mk.file("application/pdf", "bilag.pdf", "da", "%%% ikke base64 %%%")])
    with pytest.raises(LetterError) as exc:
        read_memo(data, "b.xml")
    assert "File[2] ('bilag.pdf', /Message/MessageBody/MainDocument/File[2]) is not valid base64" in str(exc.value)


def test_not_well_formed_gives_the_line():
    data = mk.message().replace(b"</memo:label>", b"</memo:titel>", 1)
    line = data[:data.index(b"</memo:titel>")].count(b"\n") + 1
    with pytest.raises(LetterError, match=rf"^w\.xml: not well-formed XML \(line {line}: mismatched tag\); check"):
        read_memo(data, "w.xml")


# -- the reader ----------------------------------------------------------------------------------------

def test_read_memo_shape():
    res = mk.RESERVATION
    data = mk.message(
        version="1.1", notification="Læs dit brev.", additional_notification="Fra hjerteafdelingen.",
        main=[txt(lang="da"), mk.file("text/html", None, "en", b"<p>Hello</p>")],
        main_actions=[mk.action("Tilføj til kalender", "AFTALE", reservation=res),
                      mk.action("Flyt din tid", "SELVBETJENING", start="2026-12-01T08:00:00Z",
                                url="https://example.dk/flyt")],
        additional=[[txt(filename="brev.txt")], [mk.file("text/plain", "bilag.txt", None, b"bilag")]],
        technical=[[mk.file("application/xml", "data.xml", None, b"<a/>")]])
    memo, files = read_memo(data, "s.xml")
    assert json.loads(json.dumps(memo)) == memo
    assert memo["version"] == "1.1" and memo["message_type"] == "DIGITALPOST" and memo["part"] == ""
    assert memo["label"] == "Indkaldelse til hjerteundersøgelse" and memo["language"] == "da"
    assert memo["notification"] == "Læs dit brev." and memo["additional_notification"] == "Fra hjerteafdelingen."
    assert set(memo["header"].values()) == {"ok"}
    assert [(f["part"], f["filename"], f["mime"], f["language"], f["role"], f["locator"], f["bytes"])
            for f in memo["files"]] == [
        ("brev.txt", "brev.txt", "text/plain", "da", "MainDocument", f"{MAIN}/File[1]", len(mk.LETTER_DA.encode())),
        ("File[2]", None, "text/html", "en", "MainDocument", f"{MAIN}/File[2]", 12),
        ("brev.txt (2)", "brev.txt", "text/plain", "da", "AdditionalDocument",
         "/Message/MessageBody/AdditionalDocument[1]/File[1]", len(mk.LETTER_DA.encode())),
        ("bilag.txt", "bilag.txt", "text/plain", None, "AdditionalDocument",
         "/Message/MessageBody/AdditionalDocument[2]/File[1]", 5),
        ("data.xml", "data.xml", "application/xml", None, "TechnicalDocument",
         "/Message/MessageBody/TechnicalDocument[1]/File[1]", 4)]
    assert [(f["part"], f["role"], f["data"]) for f in files][1:] == [
        ("File[2]", "MainDocument", b"<p>Hello</p>"), ("brev.txt (2)", "AdditionalDocument", mk.LETTER_DA.encode()),
        ("bilag.txt", "AdditionalDocument", b"bilag"), ("data.xml", "TechnicalDocument", b"<a/>")]
    assert memo["actions"] == [
        {"locator": f"{MAIN}/Action[1]", "label": "Tilføj til kalender", "action_code": "AFTALE",
         "start": res["startDateTime"], "end": res["endDateTime"], "url": None, "reservation": True},
        {"locator": f"{MAIN}/Action[2]", "label": "Flyt din tid", "action_code": "SELVBETJENING",
         "start": "2026-12-01T08:00:00Z", "end": None, "url": "https://example.dk/flyt", "reservation": False}]


def test_language_element_is_read_too():
    data = mk.message().replace(b"inLanguage>", b"language>")
    assert b"<memo:language>da</memo:language>" in data
    memo, _ = read_memo(data, "l.xml")
    assert memo["files"][0]["language"] == "da" == memo["language"]


def test_children_without_namespace_are_read():
    data = re.sub(rb"<(/?)memo:(?!Message[ >])", rb"<\1", mk.message())
    assert b"<label>" in data and b"<memo:Message " in data
    memo, files = read_memo(data, "u.xml")
    assert memo["label"] == "Indkaldelse til hjerteundersøgelse" and files[0]["data"] == mk.LETTER_DA.encode()


# -- the checks as a whole -----------------------------------------------------------------------------

def test_registry_entries():
    metas = {m.code: m for m in memo_checks()}
    assert sorted(metas) == [f"KM{i:03d}" for i in range(1, 11)]
    assert {c: (m.name, m.wcag, m.level, m.impact) for c, m in metas.items()} == {
        "KM001": ("memo-required-fields", (), None, "serious"),
        "KM002": ("memo-label", ("2.4.2",), "A", "serious"),
        "KM003": ("memo-cpr", (), None, "critical"),
        "KM004": ("memo-notification-length", (), None, "serious"),
        "KM005": ("memo-main-document", (), None, "serious"),
        "KM006": ("memo-file-language", ("3.1.1",), "A", "serious"),
        "KM007": ("memo-action-code", (), None, "serious"),
        "KM008": ("memo-action-label", ("2.4.4",), "A", "serious"),
        "KM009": ("memo-action-url", (), None, "serious"),
        "KM010": ("memo-action-time", (), None, "serious")}
    for m in metas.values():
        assert m.requires == ("memo",) and m.applies_to == ("letter",) and m.family == "memo"
        assert m.title["da"] and m.title["en"] and m.description["da"] and m.description["en"]
        assert m.help_url.startswith("https://")
    assert metas["KM002"].help_url.endswith("/Understanding/page-titled")


def test_mask_cpr():
    assert mask_cpr("a 010203-1234 b 0102031234 c") == "a 010203-**** b 010203-**** c"
    assert mask_cpr("12345678901") == "12345678901"


def _without_sender() -> bytes:
    data = re.sub(rb"\s*<memo:Sender>.*?</memo:Sender>", b"", mk.message(), flags=re.S)
    assert b"Sender" not in data
    return data


@pytest.mark.parametrize("data, fails", [
    (_without_sender(), [("KM001", f"{HEAD}/Sender")]),
    (mk.message(body=False), [("KM001", "/Message/MessageBody"), ("KM005", f"{MAIN}/File")]),
    (mk.message(main=[]), [("KM001", f"{MAIN}/File"), ("KM005", f"{MAIN}/File")]),
    (mk.message(message_type="NEMSMS", notification="Husk din tid i morgen kl. 10.30.", body=False), []),
    (mk.message(message_type="NEMSMS", body=False), [("KM001", f"{HEAD}/notification")])],
    ids=["no-sender", "no-body", "no-main-file", "nemsms", "nemsms-without-text"])
def test_a_missing_part_fails_only_the_checks_about_it(data, fails):
    """A missing parent is one finding (not one per field inside it), and no other check fails for it."""
    assert failing(run(data)) == fails


def test_every_finding_has_both_languages_and_a_suggestion():
    results = evaluate(gather("bad.xml"))
    for r in results.values():
        for f in r.findings:
            assert f.message["da"] and f.message["en"] and f.suggestion["da"] and f.suggestion["en"], r.code
            assert f.help_url, r.code


def test_base64_with_line_breaks_decodes():
    data = mk.message()
    assert re.search(rb"<memo:content>[A-Za-z0-9+/=]+\n[A-Za-z0-9+/=]", data)
    _memo, files = read_memo(data, "x.xml")
    assert files[0]["data"] == base64.b64decode(base64.b64encode(mk.LETTER_DA.encode()))
