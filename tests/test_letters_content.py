"""Letter content checks KB001-KB005: the key facts of an appointment letter, and a Digital Post
AFTALE action that must agree with the letter's text (UTC against Danish local time)."""
from __future__ import annotations

import pytest

from audit.config import defaults, letter_config
from audit.textextract import text_from_plain
from checks import REGISTRY

GOOD = """Du har fået en tid til en hjerteundersøgelse

Tid: tirsdag den 8. december 2026 kl. 10.30.
Sted: Afdeling for Hjertesygdomme, indgang C, Nørrebrogade 44, 8000 Aarhus C.

Tag dit sundhedskort og en liste over din medicin med.

Hvis du vil flytte eller aflyse tiden, så ring til os på 78 45 00 00 på hverdage kl. 8-15."""


def run(code: str, text: str, actions=None, lang: str = "da"):
    cfg = letter_config(defaults())
    arts = {"letter": {"format": "pdf", "name": "brev.pdf", "parts": []}, "text": text_from_plain(text, lang)}
    if actions is not None:
        arts["memo"] = {"actions": actions}
    meta = REGISTRY.get(code)
    return meta.evaluate(meta, arts, cfg)


def failures(res):
    return [(f.target, f.message["da"], f.span) for f in res.findings if f.outcome == "failed"]


@pytest.mark.parametrize("code", ["KB001", "KB002", "KB003", "KB004"])
def test_good_letter_passes(code):
    res = run(code, GOOD)
    assert (res.outcome, res.findings) == ("passed", [])


def test_not_an_appointment_letter_is_inapplicable():
    text = "Kære borger\n\nHer er svar på din blodprøve. Alle værdier er normale.\n\nVenlig hilsen\nLægen"
    for code in ("KB001", "KB002", "KB003", "KB004", "KB005"):
        assert run(code, text).outcome == "inapplicable", code


def test_english_letter_is_not_assessed():
    text = "You have an appointment. Please bring your health card. Call us to change the time."
    assert run("KB001", text, lang="en").outcome == "inapplicable"


def test_kb001_no_date_and_no_time():
    text = "Du har fået en tid til en hjerteundersøgelse.\n\nMød op i Hjerteafdelingen, Nørrebrogade 44, 8000 Aarhus C."
    res = run("KB001", text)
    assert res.outcome == "failed"
    assert failures(res) == [
        ("text", "Brevet siger ikke, hvilken dag borgeren skal komme.", None),
        ("text", "Brevet siger ikke, hvad klokken borgeren skal komme.", None)]


def test_kb001_date_without_time():
    res = run("KB001", "Du har fået en tid den 8. december 2026 i Hjerteafdelingen.")
    assert [m for _t, m, _s in failures(res)] == ["Brevet siger ikke, hvad klokken borgeren skal komme."]


def test_kb002_no_address_and_no_department():
    res = run("KB002", "Du har fået en tid tirsdag den 8. december 2026 kl. 10.30. Tag dit sundhedskort med.")
    assert [m for _t, m, _s in failures(res)] == [
        "Brevet giver ingen adresse (gade og nummer eller postnummer og by).",
        "Brevet siger ikke, hvilken afdeling, klinik eller indgang borgeren skal finde."]


def test_kb002_postcode_and_clinic_pass():
    res = run("KB002", "Din aftale er i Øjenklinikken, 7100 Vejle.")
    assert res.outcome == "passed"


def test_kb003_nothing_to_bring():
    text = GOOD.replace("Tag dit sundhedskort og en liste over din medicin med.", "Vi glæder os til at se dig.")
    res = run("KB003", text)
    assert [m for _t, m, _s in failures(res)] == [
        "Brevet siger ikke, hvad borgeren skal have med, eller hvordan borgeren forbereder sig."]


def test_kb003_fasting_counts_as_preparation():
    text = GOOD.replace("Tag dit sundhedskort og en liste over din medicin med.",
                        "Du må ikke spise de sidste 6 timer før undersøgelsen.")
    assert run("KB003", text).outcome == "passed"


def test_kb004_no_way_to_change():
    text = GOOD.replace("Hvis du vil flytte eller aflyse tiden, så ring til os på 78 45 00 00 på hverdage kl. 8-15.",
                        "Vi glæder os til at se dig.")
    res = run("KB004", text)
    assert [m for _t, m, _s in failures(res)] == ["Brevet siger ikke, hvordan borgeren flytter eller aflyser tiden."]


def test_kb004_cancel_without_how():
    text = GOOD.replace("Hvis du vil flytte eller aflyse tiden, så ring til os på 78 45 00 00 på hverdage kl. 8-15.",
                        "Du kan flytte tiden.")
    res = run("KB004", text)
    start = text.index("flytte tiden")
    assert failures(res) == [("text", "Brevet nævner at flytte eller aflyse, men ikke hvordan (telefon, link eller "
                              "MineAftaler).", [start, start + len("flytte")])]


def test_kb004_mineaftaler_is_a_way():
    text = GOOD.replace("så ring til os på 78 45 00 00 på hverdage kl. 8-15", "så brug MineAftaler")
    assert run("KB004", text).outcome == "passed"


ACTION = "/Message/MessageBody/MainDocument/Action[1]"


def aftale(start: str, end: str | None = None):
    return [{"locator": ACTION, "label": "Tilføj til kalender", "action_code": "AFTALE", "start": start,
             "end": end, "url": None, "reservation": True}]


def test_kb005_winter_utc_matches_local_time():
    # 8 December: Danish time is UTC+1, so 09:30Z is kl. 10.30
    assert run("KB005", GOOD, aftale("2026-12-08T09:30:00Z")).outcome == "passed"


def test_kb005_summer_utc_matches_local_time():
    # 9 June: Danish summer time is UTC+2, so 08:30Z is kl. 10.30
    text = GOOD.replace("tirsdag den 8. december 2026", "tirsdag den 9. juni 2026")
    assert run("KB005", text, aftale("2026-06-09T08:30:00Z")).outcome == "passed"
    # the same instant read naively as local time (10:30Z) would be kl. 12.30: a finding
    res = run("KB005", text, aftale("2026-06-09T10:30:00Z"))
    assert res.outcome == "failed"


def test_kb005_offset_is_respected():
    assert run("KB005", GOOD, aftale("2026-12-08T10:30:00+01:00")).outcome == "passed"


def test_kb005_mismatch_names_both_times():
    res = run("KB005", GOOD, aftale("2026-12-08T10:30:00Z"))   # kl. 11.30 Danish time
    start = GOOD.index("8. december 2026")
    end = GOOD.index("10.30") + len("10.30")
    assert failures(res) == [(ACTION, "Brevet siger »8. december 2026 kl. 10.30«, men aftalen i Digital Post "
                              "(kalenderknappen) er 8. december 2026 kl. 11.30 dansk tid (2026-12-08T10:30:00Z).",
                              [start, end])]
    assert res.findings[0].excerpt == "8. december 2026 kl. 10.30"
    assert res.impact == "critical"


def test_kb005_wrong_day():
    res = run("KB005", GOOD, aftale("2026-12-09T09:30:00Z"))
    assert res.outcome == "failed" and len(res.findings) == 1


def test_kb005_without_action_is_inapplicable():
    assert run("KB005", GOOD).outcome == "inapplicable"
    assert run("KB005", GOOD, []).outcome == "inapplicable"


def test_kb005_numeric_date_and_time_before_date():
    text = GOOD.replace("tirsdag den 8. december 2026 kl. 10.30", "kl. 10.30 den 08.12.2026")
    assert run("KB005", text, aftale("2026-12-08T09:30:00Z")).outcome == "passed"


def test_aftale_action_makes_any_letter_an_appointment_letter():
    text = "Kære borger\n\nVi ses den 8. december 2026 kl. 10.30."
    assert run("KB003", text).outcome == "inapplicable"
    assert run("KB003", text, aftale("2026-12-08T09:30:00Z")).outcome == "failed"


def test_letter_checks_count_in_the_plain_language_score():
    from audit.model import CheckResult
    from audit.scoring import is_plain, is_wcag

    r = CheckResult(code="KB001", name="letter-when", outcome="failed", impact="serious")
    assert is_plain(r) and not is_wcag(r)
