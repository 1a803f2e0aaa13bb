"""MeMo (Digital Post) letters: the reader (audit/letters/memo.py) and the KM checks (checks/memo_checks.py),
on the fixtures of fixtures/letters/make_memo.py and on variants built with the same code."""
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
from checks.memo_checks import ACTION_CODES, ALLOWED_MAIN_TYPES
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


def test_bad_fixture_findings_exactly():
    results = evaluate(gather("bad.xml"))
    a1, a2 = f"{MAIN}/Action[1]", f"{MAIN}/Action[2]"
    assert sorted((r.code, f.target, f.impact) for r in results.values() for f in r.failures) == sorted([
        ("KM001", f"{HEAD}/Sender/label", "serious"),
        ("KM002", f"{HEAD}/label", "serious"),
        ("KM003", f"{HEAD}/notification", "critical"),
        ("KM004", f"{HEAD}/notification", "moderate"),
        ("KM005", f"{MAIN}/File[1]", "serious"),
        ("KM006", "/Message/MessageBody/AdditionalDocument[1]/File[1]", "serious"),
        ("KM007", a1, "serious"),
        ("KM008", a1, "serious"), ("KM008", a2, "serious"),
        ("KM009", a1, "serious"), ("KM009", a2, "serious"),
        ("KM010", a1, "serious"), ("KM010", a2, "serious"),
    ])
    f = results["KM010"].failures
    assert "endDateTime" in f[1].message["da"] and "8. december 2026" in f[1].message["da"]
    assert "startDateTime" not in f[1].message["da"]
    assert "før den begynder" in f[0].message["da"]
    assert "199 tegn" in results["KM004"].failures[0].message["da"]
    assert "dansk" in results["KM006"].failures[0].message["da"]
    assert "»RING«" in results["KM007"].failures[0].message["da"]


def test_bad_fixture_never_shows_the_cpr_number():
    results = evaluate(gather("bad.xml"))
    dump = json.dumps([r.__dict__ | {"findings": [f.__dict__ for f in r.findings]} for r in results.values()],
                      ensure_ascii=False)
    assert "010203-1234" in mk.NOTIFICATION_BAD
    assert "010203-1234" not in dump and "0102031234" not in dump
    assert results["KM003"].failures[0].html.count("010203-****") == 1
    assert "010203-****" in results["KM004"].failures[0].html


def test_good_fixtures_pass_their_checks():
    full = evaluate(gather("full.xml"))
    assert {c: r.outcome for c, r in full.items()} == {f"KM{i:03d}": "passed" for i in range(1, 11)}
    minimal = evaluate(gather("minimal.xml"))
    assert {c for c, r in minimal.items() if r.outcome == "passed"} == {"KM001", "KM002", "KM003", "KM005", "KM006"}
    assert {c for c, r in minimal.items() if r.outcome == "inapplicable"} == {
        "KM004", "KM007", "KM008", "KM009", "KM010"}


def test_full_fixture_through_the_dispatcher():
    arts = gather("full.xml")
    assert arts["letter"]["format"] == "memo"
    assert arts["letter"]["parts"] == ["indkaldelse.pdf", "praktiske-oplysninger.html"]
    assert [p["part"] for p in arts["pdf"]] == ["indkaldelse.pdf"]
    assert [f["text_language"] for f in arts["memo"]["files"]] == ["da", "da"]
    assert "8. december 2026" in arts["text"]["text"]
    json.dumps(arts["memo"])                       # no bytes in the memo artifact


def test_nemsms_fixtures():
    long = evaluate(gather("nemsms.xml"))
    assert failing(long) == [("KM004", f"{HEAD}/notification")]
    f = long["KM004"].failures[0]
    assert f.impact == "serious" and f"{len(mk.SMS_LONG)} tegn" in f.message["da"] and len(mk.SMS_LONG) > 150
    ok = evaluate(gather("nemsms-ok.xml"))
    assert failing(ok) == [] and ok["KM004"].outcome == "passed"
    assert ok["KM005"].outcome == "inapplicable"       # a NemSMS has no main document


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


# -- the checks, one by one ----------------------------------------------------------------------------

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


def test_km001_missing_and_empty_fields():
    ok = run(mk.message())
    assert ok["KM001"].outcome == "passed"
    res = run(mk.message(label="", uuid=None, sender={"senderID": "29190925", "idType": None, "label": "RM"},
                         recipient={"recipientID": "", "idType": "CPR"}))
    assert sorted(f.target for f in res["KM001"].failures) == [
        f"{HEAD}/Recipient/recipientID", f"{HEAD}/Sender/idType", f"{HEAD}/label", f"{HEAD}/messageUUID"]
    by = {f.target: f for f in res["KM001"].failures}
    assert by[f"{HEAD}/label"].message["da"] == "Der står intet i titlen (label)."
    assert by[f"{HEAD}/messageUUID"].message["da"] == "Beskeden mangler beskedens id (messageUUID)."
    assert "2512489996" not in json.dumps([f.__dict__ for f in res["KM001"].failures])


def test_km001_invalid_uuid_and_type():
    res = run(mk.message(uuid="12345", message_type="BREV"))
    assert sorted(f.target for f in res["KM001"].failures) == [f"{HEAD}/messageType", f"{HEAD}/messageUUID"]
    assert any("ikke et UUID" in f.message["da"] for f in res["KM001"].failures)


def test_km001_missing_parent_is_one_finding():
    data = mk.message()
    data = re.sub(rb"\s*<memo:Sender>.*?</memo:Sender>", b"", data, flags=re.S)
    assert b"Sender" not in data
    assert failing(run(data)) == [("KM001", f"{HEAD}/Sender")]


def test_km001_body_required_for_digital_post_only():
    assert failing(run(mk.message(body=False))) == [("KM001", "/Message/MessageBody"),
                                                    ("KM005", f"{MAIN}/File")]
    assert failing(run(mk.message(main=[]))) == [("KM001", f"{MAIN}/File"), ("KM005", f"{MAIN}/File")]
    sms = run(mk.message(message_type="NEMSMS", notification="Husk din tid i morgen kl. 10.30.", body=False))
    assert failing(sms) == []
    no_text = run(mk.message(message_type="NEMSMS", body=False))
    assert failing(no_text) == [("KM001", f"{HEAD}/notification")]


@pytest.mark.parametrize("label, ok", [
    ("Brev", False), ("Meddelelse", False), ("Information", False), ("Digital Post", False),
    ("Vigtig besked", False), ("Ny post", False), ("Besked fra Region Midtjylland", False),
    ("Brev fra Aarhus Universitetshospital", False), ("Meddelelse.", False), ("Hjerteundersøgelse", False),
    ("Indkaldelse til hjerteundersøgelse", True), ("Svar på din ansøgning om hjælpemidler", True),
    ("Årsopgørelse 2025", True)])
def test_km002_label(label, ok):
    res = run(mk.message(label=label))["KM002"]
    assert res.outcome == ("passed" if ok else "failed")
    if not ok:
        assert [f.target for f in res.failures] == [f"{HEAD}/label"]
        assert f"»{label}«" in res.failures[0].message["da"]


def test_km002_missing_label():
    res = run(mk.message(label=None))["KM002"]
    assert [f.target for f in res.failures] == [f"{HEAD}/label"] and "ingen titel" in res.failures[0].message["da"]


def test_km003_cpr_in_each_field():
    res = run(mk.message(label="Indkaldelse for 0102031234 til scanning",
                         notification="Vedr. 311299-4321 og 010203 1234",
                         additional_notification="CPR: 150790-1111."))["KM003"]
    assert [f.target for f in res.failures] == [f"{HEAD}/label", f"{HEAD}/notification",
                                                f"{HEAD}/additionalNotification"]
    assert [f.impact for f in res.failures] == ["critical"] * 3
    assert "2 CPR-numre" in res.failures[1].message["da"]
    assert res.failures[1].html == "Vedr. 311299-**** og 010203-****"
    dump = json.dumps([f.__dict__ for f in res.failures], ensure_ascii=False)
    for full in ("0102031234", "311299-4321", "010203 1234", "150790-1111"):
        assert full not in dump


@pytest.mark.parametrize("text", ["Ring på 78 45 00 00", "Sag 20261208-1234", "Konto 01020312345", "321303-1234",
                                  "310203-1234", "Tid: 2026-12-08 kl. 10.30", "Journal 1234-010203-1234"])
def test_km003_not_a_cpr_number(text):
    assert run(mk.message(notification=text))["KM003"].outcome == "passed"


def test_mask_cpr():
    assert mask_cpr("a 010203-1234 b 0102031234 c") == "a 010203-**** b 010203-**** c"
    assert mask_cpr("12345678901") == "12345678901"


def test_km004_notification_length():
    assert run(mk.message(notification="x" * 150))["KM004"].outcome == "passed"
    res = run(mk.message(notification="x" * 151))["KM004"]
    assert [(f.target, f.impact) for f in res.failures] == [(f"{HEAD}/notification", "moderate")]
    assert "151 tegn" in res.failures[0].message["da"] and "151 characters" in res.failures[0].message["en"]
    sms = run(mk.message(message_type="NEMSMS", notification="x" * 151, body=False))["KM004"]
    assert [(f.target, f.impact) for f in sms.failures] == [(f"{HEAD}/notification", "serious")]
    assert run(mk.message())["KM004"].outcome == "inapplicable"


def test_km005_main_document_types():
    for mime in ALLOWED_MAIN_TYPES:
        assert run(mk.message(main=[txt(mime=mime)]))["KM005"].outcome == "passed", mime
    assert run(mk.message(main=[txt(mime="text/plain; charset=utf-8")]))["KM005"].outcome == "passed"
    res = run(mk.message(main=[txt(), txt(mime="image/jpeg", filename="scan.jpg"), txt(mime=None)]))["KM005"]
    assert [f.target for f in res.failures] == [f"{MAIN}/File[2]", f"{MAIN}/File[3]"]
    assert "»scan.jpg«" in res.failures[0].message["da"] and "»image/jpeg«" in res.failures[0].message["da"]
    assert run(mk.message(message_type="NEMSMS", notification="Hej", body=False))["KM005"].outcome == "inapplicable"


def test_km006_declared_language():
    res = run(mk.message(main=[txt(lang=None), txt(lang="dansk", filename="b.txt"), txt(lang="da-DK",
                                                                                      filename="c.txt")],
                         additional=[[txt(lang="", filename="d.txt")]],
                         technical=[[mk.file("application/xml", "data.xml", None, b"<a/>")]]))["KM006"]
    assert [f.target for f in res.failures] == [f"{MAIN}/File[1]", f"{MAIN}/File[2]",
                                                "/Message/MessageBody/AdditionalDocument[1]/File[1]"]
    assert "intet sprog" in res.failures[0].message["da"] and "ikke er en sprogkode" in res.failures[1].message["da"]


def test_km006_text_language_from_the_dispatcher():
    english = "Your appointment is on Tuesday 8 December at 10.30. Please bring your health card with you."
    data = mk.message(main=[txt(lang="da")], additional=[[txt(english, lang="da", filename="en.txt")],
                                                          [txt(english, lang="en-GB", filename="en2.txt")]])
    arts = gather_letter(data, "m.xml")
    assert [f["text_language"] for f in arts["memo"]["files"]] == ["da", "en", "en"]
    res = evaluate(arts)["KM006"]
    assert [f.target for f in res.failures] == ["/Message/MessageBody/AdditionalDocument[1]/File[1]"]
    assert "teksten er på engelsk" in res.failures[0].message["da"]
    assert run(data)["KM006"].outcome == "passed"     # read_memo alone: no text language, so no mismatch


def test_km007_action_codes():
    good = [mk.action(f"Gør noget med {c.lower()}", c, url="https://example.dk/") for c in ACTION_CODES]
    assert run(mk.message(main_actions=good))["KM007"].outcome == "passed"
    res = run(mk.message(main_actions=[*good, mk.action("Ring til os", "RING", url="https://example.dk/"),
                                       mk.action("Ring til os", None, url="https://example.dk/"),
                                       mk.action("Ring til os", "aftale", url="https://example.dk/")]))["KM007"]
    n = len(ACTION_CODES)
    assert [f.target for f in res.failures] == [f"{MAIN}/Action[{i}]" for i in (n + 1, n + 2, n + 3)]
    assert "ingen handlingskode" in res.failures[1].message["da"]


@pytest.mark.parametrize("label, ok", [("Klik her", False), ("Læs mere", False), ("Her", False), ("Link", False),
                                       ("Åbn", False), ("Gå til", False), ("Klik her.", False), ("Betal", False),
                                       ("", False), ("Flyt eller aflys din tid", True), ("Betal regningen", True)])
def test_km008_action_label(label, ok):
    res = run(mk.message(main_actions=[mk.action(label or None, "SELVBETJENING", url="https://example.dk/")]))
    assert res["KM008"].outcome == ("passed" if ok else "failed")
    if not ok:
        assert [f.target for f in res["KM008"].failures] == [f"{MAIN}/Action[1]"]


def test_km008_config_generic_link_texts():
    config = defaults()
    config["klarsprog"]["generic_link_texts"] = ["se din tid"]
    data = mk.message(main_actions=[mk.action("Se din tid", "SELVBETJENING", url="https://example.dk/")])
    assert run(data)["KM008"].outcome == "passed"
    assert run(data, config=config)["KM008"].outcome == "failed"


def test_km009_action_url():
    res = mk.RESERVATION
    ok = [mk.action("Tilføj til kalender", "AFTALE", reservation=res),
          mk.action("Flyt din tid", "SELVBETJENING", url="https://www.rm.dk/flyt?id=1")]
    assert run(mk.message(main_actions=ok))["KM009"].outcome == "passed"
    bad = [mk.action("Tilføj til kalender", "AFTALE"), mk.action("Flyt din tid", "SELVBETJENING"),
           mk.action("Flyt din tid", "SELVBETJENING", url="http://www.rm.dk/flyt"),
           mk.action("Flyt din tid", "SELVBETJENING", url="javascript:alert(1)"),
           mk.action("Flyt din tid", "SELVBETJENING", url="/flyt"),
           mk.action("Flyt din tid", "SELVBETJENING", url="https:///flyt")]
    r = run(mk.message(main_actions=[*ok, *bad]))["KM009"]
    assert [f.target for f in r.failures] == [f"{MAIN}/Action[{i}]" for i in range(3, 9)]
    assert "ingen adresse" in r.failures[0].message["da"] and "»/flyt«" in r.failures[4].message["da"]


def test_km010_action_time():
    res = mk.RESERVATION
    good = [mk.action("Tilføj til kalender", "AFTALE", reservation=res),
            mk.action("Book en tid", "AFTALE", start="2026-12-08T10:30:00+01:00", end="2026-12-08T09:30:00Z",
                      url="https://example.dk/"),
            mk.action("Book en tid", "AFTALE", start="2026-12-08T10:30", url="https://example.dk/")]
    assert run(mk.message(main_actions=good))["KM010"].outcome == "passed"
    swapped = {**res, "startDateTime": res["endDateTime"], "endDateTime": res["startDateTime"]}
    bad = [mk.action("Tilføj til kalender", "AFTALE", reservation=swapped),
           mk.action("Book en tid", "AFTALE", start="2026-12-08", end="2026-12-08T25:00:00Z", url="https://x.dk/"),
           mk.action("Book en tid", "AFTALE", start="2026-12-08T11:00:00+01:00", end="2026-12-08T09:30:00Z",
                     url="https://x.dk/")]
    r = run(mk.message(main_actions=[*good, *bad]))["KM010"]
    assert [f.target for f in r.failures] == [f"{MAIN}/Action[{i}]" for i in (4, 5, 6)]
    two = r.failures[1].message["da"]
    assert "startDateTime »2026-12-08«" in two and "endDateTime »2026-12-08T25:00:00Z«" in two
    assert run(mk.message())["KM010"].outcome == "inapplicable"


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
