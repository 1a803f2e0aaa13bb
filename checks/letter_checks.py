"""Letter content checks (codes KB…): does an appointment letter give the citizen the key facts?

Pure functions of the ``text`` artifact, the ``letter`` artifact and (for Digital Post) ``memo``.
An appointment letter (indkaldelse) must say when (date and time), where (address and department),
what to bring or how to prepare, and how to change or cancel the appointment (docs/letters.md).
A MeMo AFTALE action (the calendar button in Digital Post) whose date and time differ from the
appointment the letter's text states is a finding: MeMo date-times are in UTC (or carry their own
offset), the letter speaks Danish local time (Europe/Copenhagen), so they are compared in that zone.

The checks read Danish text; a letter in another language is not assessed (inapplicable).
Whether a letter is an appointment letter: a MeMo AFTALE action, or words such as "indkaldelse",
"du har fået en tid", "din aftale", "mødetid" in the text. Other letters: inapplicable.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from typing import Any
from zoneinfo import ZoneInfo

from checks.common import finding
from checks.klarsprog.rules import MONTH_NUMBER, MONTHS_DA, MONTHS_EN, NUM_DATE_RE, text_language
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact, Outcome, TargetKind

# W3C's guidance on clear content for people with cognitive and learning disabilities
COGA = "https://www.w3.org/TR/coga-usable/"
letter_check = family("letter", category=Category.LETTER_CONTENT, applies_to=("letter",),
                      requires=("letter", "text"), target=TargetKind.TEXT, tags=("klarsprog-letter",),
                      help_url=COGA)

LOCAL = ZoneInfo("Europe/Copenhagen")
TEXT_TARGET = "text"           # a fact missing from the whole text has no span: this is its target

APPOINTMENT_RE = re.compile(
    r"\b(?:indkald\w*|du har fået (?:en )?tid|du har en tid|din tid\b|din aftale|du skal møde|mødetid|"
    r"mødetidspunkt|vi har reserveret|vi har booket|tid til (?:en |din )?\w+|velkommen til (?:en )?"
    r"(?:undersøgelse|samtale|behandling|operation|konsultation|scanning))")
_MONTHS = "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))
WORD_DATE_RE = re.compile(rf"\b(\d{{1,2}})\.\s*({_MONTHS})\b\.?(?:\s+(\d{{4}}))?")
TIME_RE = re.compile(r"\bkl\.?\s*(\d{1,2})(?:[.:](\d{2}))?(?![\d])|"
                     r"(?<![\d.,:/-])([01]?\d|2[0-3])[.:]([0-5]\d)(?![\d.:/-]\d)")
_STREET_CHARS = "abcdefghijklmnopqrstuvwxyzæøåé-"
_STREET_SUFFIX = (r"(?:gade|vej|allé|alle|boulevard|plads|stræde|vænge|vænget|torv|park|parken|have|bakke|høj|"
                  r"toften)")
# A street and number, "nørrebrogade 44". Searched with has_street(), not this pattern: on a long run of
# letters and hyphens ("a-a-a-…") the pattern starts again at every hyphen: worse than quadratic time.
STREET_RE = re.compile(rf"\b[a-zæøåé-]+{_STREET_SUFFIX}\s+\d+[a-z]?\b")
_STREET_TAIL_RE = re.compile(rf"(?<=[a-zæøåé-]){_STREET_SUFFIX}\s+\d+[a-z]?\b")
_WORD_EDGE_RE = re.compile(r"\b")
POSTCODE_RE = re.compile(r"\b[1-9]\d{3}\s+[A-ZÆØÅ][a-zæøå]")     # read in the text as written: "8000 Aarhus"
PLACE_RE = re.compile(r"\b(?:\w*afdeling\w*|afsnit\w*|\w*ambulatori\w*|\w*klinik\w*|modtagelse\w*|"
                      r"\w*hospital\w*|\w*sygehus\w*|indgang|etage|lokale|\w*center\b|røntgen\w*|"
                      r"skadestue\w*|venteværelse\w*|sal\b|bygning)")
PREPARE_RE = re.compile(r"\b(?:tag\b[^.\n]{0,80}?\bmed\b|medbring\w*|husk\w*|forbered\w*|faste\w*|"
                        r"spis(?:e)? ikke|drik(?:ke)? ikke|må ikke (?:spise|drikke|ryge)|"
                        r"før (?:undersøgelsen|behandlingen|operationen|du kommer|samtalen)|inden du kommer|"
                        r"du skal ikke)")
CHANGE_RE = re.compile(r"\b(?:flytt?e?\b|flyt |aflys\w*|ændre\w*|afbud|ombook\w*|kan ikke komme|"
                       r"ikke kan komme|udeblive\w*)")
CONTACT_RE = re.compile(r"\b\d{2} ?\d{2} ?\d{2} ?\d{2}\b|\+45|https?://|www\.|mineaftaler|sundhed\.dk|"
                        r"\bring\w*\b|\bskriv\w*\b|e-?mail|@|\bsms\b|\bapp(?:en)?\b|digital post")


def _texts(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def _is_appointment(low: str, artifacts: Artifacts) -> bool:
    memo = artifacts.get("memo") or {}
    if any((a.get("action_code") or "").upper() == "AFTALE" for a in memo.get("actions") or []):
        return True
    return bool(APPOINTMENT_RE.search(low))


def _applicable(artifacts: Artifacts, config: dict[str, Any]) -> str | None:
    """The letter's text in lower case when these checks apply to it, else None."""
    text = artifacts["text"]["text"]
    if not text.strip() or text_language(artifacts, config) != "da":
        return None
    low = text.lower()
    return low if _is_appointment(low, artifacts) else None


def _dates(low: str) -> list[tuple[int, int, int, int, int | None]]:
    """(start, end, day, month, year or None) of every date the text states."""
    out = []
    for m in WORD_DATE_RE.finditer(low):
        out.append((m.start(), m.end(), int(m.group(1)), MONTH_NUMBER[m.group(2)],
                    int(m.group(3)) if m.group(3) else None))
    for m in NUM_DATE_RE.finditer(low):
        d, mo, y = (m.group(1), m.group(3), m.group(4)) if m.group(1) else (m.group(5), m.group(6), m.group(7))
        if 1 <= int(d) <= 31 and 1 <= int(mo) <= 12:
            out.append((m.start(), m.end(), int(d), int(mo), int(y) + 2000 if len(y) == 2 else int(y)))
    return sorted(out)


def _covered(dates) -> tuple[list[int], list[int]]:
    """The starts of the dates (sorted by start) and, for each, the largest end of it and the dates
    before it: a position x is inside some date [s, e) exactly when that largest end, taken at the
    last date starting at or before x, is past x (dates may overlap or nest)."""
    starts, reach, far = [], [], -1
    for s, e, *_ in dates:
        far = max(far, e)
        starts.append(s)
        reach.append(far)
    return starts, reach


def _times(low: str, dates) -> list[tuple[int, int, int, int]]:
    """(start, end, hour, minute) of every clock time outside the dates (sorted by start, as _dates
    gives them)."""
    starts, reach = _covered(dates)
    out = []
    for m in TIME_RE.finditer(low):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and reach[i] > m.start():
            continue
        h, mi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if int(h) <= 23 and int(mi or 0) <= 59:
            out.append((m.start(), m.end(), int(h), int(mi or 0)))
    return out


def _breaks(low: str) -> list[int]:
    """Every index where "\\n\\n" starts (overlapping: three newlines are two breaks), in order."""
    out, i = [], low.find("\n\n")
    while i >= 0:
        out.append(i)
        i = low.find("\n\n", i + 1)
    return out


def appointments(low: str) -> list[tuple[int, int, int, int, int | None, int, int]]:
    """Date and time stated together: (start, end, day, month, year, hour, minute). A time counts
    for a date when it follows within 80 characters (or precedes it within 30) in the same paragraph
    (no "\\n\\n" between them); of several, the first in the text.

    Times do not overlap, so their starts and their ends both increase: the first time after a date
    is found by bisection, and a paragraph break between two positions a < b, i.e. "\\n\\n" starting
    at some i with a <= i <= b - 2, by bisection in the sorted break positions."""
    dates = _dates(low)
    times = _times(low, dates)
    t_starts = [t[0] for t in times]
    t_ends = [t[1] for t in times]
    breaks = _breaks(low)
    out = []
    for ds, de, day, month, year in dates:
        # following: the first time starting at or after the date's end; a later one is further
        # away and has at least the same text (so the same breaks) in between
        k = bisect_left(t_starts, de)
        if k < len(times) and times[k][0] - de <= 80:
            b = bisect_left(breaks, de)
            if b < len(breaks) and breaks[b] <= times[k][0] - 2:
                k = -1
        else:
            k = -1
        if k < 0:
            # preceding: times ending in [ds - 30, ds] with no break in [end, ds - 2], i.e. ending
            # after the last break that starts at or before ds - 2; the first of them
            b = bisect_right(breaks, ds - 2) - 1
            lo = max(ds - 30, breaks[b] + 1 if b >= 0 else 0)
            k = bisect_left(t_ends, lo)
            if k >= len(times) or times[k][1] > ds:
                k = -1
        if k >= 0:
            ts, te, h, mi = times[k]
            out.append((min(ds, ts), max(de, te), day, month, year, h, mi))
    return out


def has_street(low: str) -> bool:
    """Whether STREET_RE matches somewhere in ``low``, in linear time.

    A match is a run of the letters and hyphens of _STREET_CHARS that starts at a word edge (\\b),
    ends in a street suffix, and is followed by white space and a number. The suffix ends where the
    run of such characters ends (white space follows it), so each candidate is found once from its
    suffix (_STREET_TAIL_RE, which also requires at least one such character before it); it is a
    match when there is a word edge between the start of that run and the suffix."""
    pos = 0
    while (m := _STREET_TAIL_RE.search(low, pos)) is not None:
        s = r = m.start()
        while r and low[r - 1] in _STREET_CHARS:
            r -= 1
        edge = _WORD_EDGE_RE.search(low, r, s)
        if edge is not None and edge.start() < s:
            return True
        pos = s + 1
    return False


@letter_check(code="KB001", name="letter-when", impact=Impact.SERIOUS,
              title=_texts("Indkaldelsen siger ikke hvornår", "Appointment letter does not say when"),
              description=_texts("Et brev om en aftale skal sige dato og klokkeslæt, så borgeren kommer til "
                                 "tiden.", "An appointment letter must state the date and time so the citizen "
                                 "comes on time."))
def check_when(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    low = _applicable(artifacts, ctx.config)
    if low is None:
        return INAPPLICABLE
    dates = _dates(low)
    found = []
    if not dates:
        found.append(finding(TEXT_TARGET, "", _texts(
            "Brevet siger ikke, hvilken dag borgeren skal komme.",
            "The letter does not say which day the citizen should come."), _texts(
            "Skriv datoen med ugedag og månedsnavn, fx »tirsdag den 8. december 2026«.",
            "State the date with weekday and month name, e.g. \u201ctirsdag den 8. december 2026\u201d.")))
    if not _times(low, dates):
        found.append(finding(TEXT_TARGET, "", _texts(
            "Brevet siger ikke, hvad klokken borgeren skal komme.",
            "The letter does not say at what time the citizen should come."), _texts(
            "Skriv klokkeslættet, fx »kl. 10.30«.", "State the time, e.g. \u201ckl. 10.30\u201d.")))
    return found


@letter_check(code="KB002", name="letter-where", impact=Impact.SERIOUS,
              title=_texts("Indkaldelsen siger ikke hvor", "Appointment letter does not say where"),
              description=_texts("Borgeren skal kunne finde vej: adresse og afdeling, gerne indgang og etage.",
                                 "The citizen must find the way: address and department, ideally entrance "
                                 "and floor."))
def check_where(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    low = _applicable(artifacts, ctx.config)
    if low is None:
        return INAPPLICABLE
    found = []
    if not (has_street(low) or POSTCODE_RE.search(artifacts["text"]["text"])):
        found.append(finding(TEXT_TARGET, "", _texts(
            "Brevet giver ingen adresse (gade og nummer eller postnummer og by).",
            "The letter gives no address (street and number, or postcode and town)."), _texts(
            "Skriv den fulde adresse, fx »Nørrebrogade 44, 8000 Aarhus C«.",
            "State the full address, e.g. \u201cNørrebrogade 44, 8000 Aarhus C\u201d.")))
    if not PLACE_RE.search(low):
        found.append(finding(TEXT_TARGET, "", _texts(
            "Brevet siger ikke, hvilken afdeling, klinik eller indgang borgeren skal finde.",
            "The letter does not say which department, clinic or entrance to find."), _texts(
            "Skriv afdelingens navn og gerne indgang og etage, fx »Hjerteafdelingen, indgang C, 2. sal«.",
            "Name the department, and the entrance and floor, e.g. \u201cHjerteafdelingen, indgang C, 2. sal\u201d.")))
    return found


@letter_check(code="KB003", name="letter-prepare", impact=Impact.MODERATE,
              title=_texts("Indkaldelsen siger ikke, hvad man skal have med",
                           "Appointment letter says nothing on what to bring"),
              description=_texts("Borgeren skal vide, hvad der skal med, og hvordan man forbereder sig.",
                                 "The citizen must know what to bring and how to prepare."))
def check_prepare(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    low = _applicable(artifacts, ctx.config)
    if low is None:
        return INAPPLICABLE
    if PREPARE_RE.search(low):
        return []
    return [finding(TEXT_TARGET, "", _texts(
        "Brevet siger ikke, hvad borgeren skal have med, eller hvordan borgeren forbereder sig.",
        "The letter does not say what to bring or how to prepare."), _texts(
        "Skriv fx »Tag dit sundhedskort og en liste over din medicin med«, eller hvad borgeren skal "
        "gøre før (faste, medicin). Skriv det, hvis der intet er at forberede.",
        "Write e.g. \u201cBring your health card and a list of your medicines\u201d, or what to do "
        "beforehand (fasting, medicines). Say so if there is nothing to prepare."))]


@letter_check(code="KB004", name="letter-change-cancel", impact=Impact.SERIOUS,
              title=_texts("Indkaldelsen siger ikke, hvordan man flytter eller aflyser",
                           "Appointment letter does not say how to change or cancel"),
              description=_texts("Borgere, der ikke kan komme, skal let kunne flytte eller aflyse tiden.",
                                 "Citizens who cannot come must easily be able to change or cancel."))
def check_change(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    low = _applicable(artifacts, ctx.config)
    if low is None:
        return INAPPLICABLE
    found = []
    change = [m for m in CHANGE_RE.finditer(low)]
    if not change:
        found.append(finding(TEXT_TARGET, "", _texts(
            "Brevet siger ikke, hvordan borgeren flytter eller aflyser tiden.",
            "The letter does not say how to change or cancel the appointment."), _texts(
            "Skriv fx »Hvis du vil flytte eller aflyse tiden, så ring til os på 78 45 00 00 "
            "(hverdage kl. 8-15) eller brug MineAftaler.«",
            "Write e.g. \u201cTo change or cancel, call us on 78 45 00 00 (weekdays 8-15) or use "
            "MineAftaler.\u201d")))
    elif not any(CONTACT_RE.search(low, max(0, m.start() - 200), m.end() + 300) for m in change):
        m = change[0]
        f = finding(TEXT_TARGET, "", _texts(
            "Brevet nævner at flytte eller aflyse, men ikke hvordan (telefon, link eller MineAftaler).",
            "The letter mentions changing or cancelling, but not how (phone, link or MineAftaler)."), _texts(
            "Skriv telefonnummer og telefontid, eller et link, lige ved teksten om at flytte eller aflyse.",
            "Give a phone number and hours, or a link, right by the text about changing or cancelling."))
        f.span, f.excerpt = [m.start(), m.end()], artifacts["text"]["text"][m.start():m.end()]
        found.append(f)
    return found


def _parse_instant(s: str | None) -> dt.datetime | None:
    """A MeMo date-time (xs:dateTime): with Z or an offset it is an instant; without one, MeMo means UTC."""
    if not s:
        return None
    try:
        v = dt.datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)


def _fmt_da(d: dt.datetime) -> str:
    return f"{d.day}. {MONTHS_DA[d.month - 1]} {d.year} kl. {d.hour}.{d.minute:02d}"


def _fmt_en(d: dt.datetime) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year} at {d.hour}:{d.minute:02d}"


@letter_check(code="KB005", name="letter-appointment-mismatch", impact=Impact.CRITICAL,
              target=TargetKind.MEMO,
              title=_texts("Aftalen i Digital Post passer ikke med brevet",
                           "Digital Post appointment differs from the letter"),
              description=_texts("Kalenderknappen i Digital Post og brevets tekst skal sige samme tid, ellers "
                                 "møder borgeren op på det forkerte tidspunkt.",
                                 "The Digital Post calendar button and the letter's text must give the same "
                                 "time, or the citizen comes at the wrong time."))
def check_action_matches(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts.get("memo") or {}
    actions = [a for a in memo.get("actions") or [] if (a.get("action_code") or "").upper() == "AFTALE"]
    low = _applicable(artifacts, ctx.config)
    stated = appointments(low) if low is not None else []
    if not actions or not stated:
        return INAPPLICABLE
    text = artifacts["text"]["text"]
    found: list[Finding] = []
    for a in actions:
        start = _parse_instant(a.get("start"))
        if start is None:
            continue                          # KM010 reports a malformed date-time
        local = start.astimezone(LOCAL)
        if any(day == local.day and month == local.month and year in (None, local.year)
               and h == local.hour and mi == local.minute for _s, _e, day, month, year, h, mi in stated):
            continue
        s, e = stated[0][:2]
        said = " ".join(text[s:e].split())
        f = finding(a.get("locator") or "", f"{a.get('label') or ''} {a.get('start')}".strip(), _texts(
            f"Brevet siger »{said}«, men aftalen i Digital Post (kalenderknappen) er {_fmt_da(local)} "
            f"dansk tid ({a.get('start')}).",
            f"The letter says \u201c{said}\u201d, but the Digital Post appointment (the calendar button) is "
            f"{_fmt_en(local)} Danish time ({a.get('start')})."), _texts(
            "Ret tidspunktet i brevet eller i aftalen, så de er ens. Husk at MeMo-tider er i UTC: "
            "dansk tid er UTC + 1 time om vinteren og + 2 timer om sommeren.",
            "Correct the time in the letter or in the action so they agree. MeMo times are in UTC: "
            "Danish time is UTC + 1 hour in winter and + 2 hours in summer."))
        f.span, f.excerpt = [s, e], said
        found.append(f)
    return found
