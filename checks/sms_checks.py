"""SMS reminders (codes KT…): pure functions of the ``sms`` artifact (core/sms.py) — the template, the
message as a phone shows it with every placeholder at its longest value (``text``), the encoding, the
characters that forced UCS-2 and the segments — of `klartjek sms`. Spans are in that message.

What a reminder must hold (the date with its weekday, the place, how to change or cancel,
the sender), and what it must not (a CPR number, a link a citizen cannot judge), reuse the date,
time and place patterns of the appointment letter checks (checks/letter_checks.py). The plain-language
checks run on the same message with the ``sms`` profile (the time's Danish style is theirs: KL014), but
not on the placeholders' values, which the editor did not write (the ``text`` artifact's ``values``).
docs/sms.md says what each leaves alone.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from checks.common import finding
from checks.klarsprog.rules import WEEKDAYS_DA
from checks.letter_checks import COGA, CHANGE_RE, CONTACT_RE, PLACE_RE, POSTCODE_RE, _dates, _times, has_street
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.cpr import mask_cpr
from core.model import Category, Finding, Impact, TargetKind

sms_check = family("sms", category=Category.LETTER_CONTENT, applies_to=("text",), requires=("sms",),
                   target=TargetKind.TEXT, tags=("sms",), help_url=COGA)
URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"»«]+", re.I)
BARE_DOMAIN_RE = re.compile(r"(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:dk|com|net|org|eu|info|io|ly|gl|co|me|to|at|gd)"
                            r"(?:/[^\s<>\"»«]*)?(?![\w.-])", re.I)
# link shorteners: the citizen cannot see where the link leads (and phishing uses them)
SHORTENERS = frozenset({"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
                        "cutt.ly", "shorturl.at", "tiny.cc", "t.ly", "rb.gy", "s.id", "urlz.fr", "lnkd.in"})
# a sender named in the text: a greeting, a hospital, clinic or department, or »fra«/»Region« and a name
SENDER_RE = re.compile(r"(?i:\b(?:hilsen|mvh|\w*hospital\w*|\w*sygehus\w*|\w*klinik\w*|\w*ambulatori\w*|"
                       r"\w*afdeling\w*)\b)|\b[Ff]ra\s+[A-ZÆØÅ][\w-]+|\bRegion\s+[A-ZÆØÅ]")
WEEKDAY_RE = re.compile(r"\b(?:" + "|".join(WEEKDAYS_DA) + r")(?:\s+(?:den|d\.))?\s*$")
# how a reminder says what to do when one cannot come, beside the letter checks' words (CHANGE_RE)
CANNOT_COME_RE = re.compile(r"\b(?:kan du ikke komme|hvis du ikke kan|afmeld\w*|meld fra|svar nej)\b")
# a day and month in numbers without a year, as reminders write them: »12/1«, »12.1.«
SHORT_DATE_RE = re.compile(r"(?<![\w/.])(\d{1,2})(?:/(\d{1,2})|\.(\d{1,2})\.)(?![\d/]|\.\d)")


def _texts(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def _q(text: str) -> tuple[str, str]:
    return f"»{text}«", f"\u201c{text}\u201d"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _is_reminder(sms: dict[str, Any]) -> bool:
    """A reminder of an appointment: the message states a date or a clock time."""
    low = sms["text"].lower()
    dates = _dates(low)
    return bool(dates or _times(low, dates))


def _whole(sms: dict[str, Any], message, suggestion) -> Finding:
    """A finding on the message as a whole (what it lacks): its span is the whole text."""
    n = len(sms["text"])
    return finding(f"text:0-{n}", "", message, suggestion, span=[0, n])


def _span_finding(sms: dict[str, Any], start: int, end: int, message, suggestion) -> Finding:
    return finding(f"text:{start}-{end}", "", message, suggestion, span=[start, end],
                   excerpt=mask_cpr(sms["text"][start:end]))


@sms_check(code="KT001", name="sms-segments", impact=Impact.MODERATE,
           title=_texts("Beskeden fylder for mange sms'er", "The message takes too many SMS segments"),
           description=_texts(
               "En sms over 160 tegn (70, når den sendes som UCS-2) deles i flere dele. Telefonen samler dem, men "
               "hver del koster, og en lang påmindelse bliver ikke læst til ende. Grænsen sættes med "
               "sms.max_segments.",
               "An SMS over 160 characters (70 when sent as UCS-2) is split into segments. The phone joins them, "
               "but each costs, and a long reminder is not read to the end. sms.max_segments sets the limit."))
def sms_segments(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    limit = int((ctx.config.get("sms") or {}).get("max_segments", 2))
    n = sms["segments"]
    if n <= limit:
        return []
    enc = "GSM 7-bit" if sms["encoding"] == "gsm7" else "UCS-2"
    return [_whole(sms, _texts(
        f"Beskeden fylder {n} sms'er ({enc}, {sms['units']} tegn med de længste værdier; {sms['per_segment']} "
        f"pr. del); grænsen er {limit}.",
        f"The message takes {n} segments ({enc}, {sms['units']} characters with the longest values; "
        f"{sms['per_segment']} a segment); the limit is {limit}."), _texts(
        "Skær ned til det, borgeren skal vide: hvornår, hvor, og hvordan man flytter eller aflyser.",
        "Cut it down to what the citizen needs: when, where, and how to move or cancel."))]


@sms_check(code="KT002", name="sms-ucs2-characters", impact=Impact.MINOR,
           title=_texts("Tegn, som gør beskeden dobbelt så lang", "Characters that make the message twice as long"),
           description=_texts(
               "Ét tegn uden for GSM-tegnsættet (fx typografiske anførselstegn, en lang tankestreg, en emoji) får "
               "hele beskeden sendt som UCS-2, hvor en sms kun rummer 70 tegn i stedet for 160.",
               "One character outside the GSM character set (typographic quotes, a long dash, an emoji) sends the "
               "whole message as UCS-2, where an SMS holds 70 characters instead of 160."))
def sms_ucs2(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    if sms["encoding"] != "ucs2":
        return []
    out: list[Finding] = []
    for f in sms["forcing"]:
        i, ch, stand = f["offset"], f["char"], f.get("stand_in")
        name = f"U+{ord(ch):04X}"
        if stand is not None:
            shown = _q(stand) if stand.strip() else ("et almindeligt mellemrum", "a plain space")
            sugg = _texts(f"Skriv {shown[0]} i stedet." if stand else "Slet tegnet.",
                          f"Write {shown[1]} instead." if stand else "Delete the character.")
        else:
            sugg = _texts("Skriv det med almindelige bogstaver, eller lad det være ude.",
                          "Write it in plain letters, or leave it out.")
        out.append(_span_finding(sms, i, i + len(ch), _texts(
            f"Tegnet {_q(ch)[0]} ({name}) findes ikke i GSM-tegnsættet, så hele beskeden sendes som UCS-2 (70 tegn "
            "pr. sms).",
            f"The character {_q(ch)[1]} ({name}) is not in the GSM character set, so the whole message is sent as "
            "UCS-2 (70 characters an SMS)."), sugg))
    return out


@sms_check(code="KT003", name="sms-date-weekday", impact=Impact.MODERATE,
           title=_texts("Datoen står uden ugedag", "The date has no weekday"),
           description=_texts(
               "»Tirsdag den 12. januar« er lettere at huske og tjekke i kalenderen end »12/1«: ugedagen fanger "
               "også en forkert dato.",
               "“Tuesday 12 January” is easier to remember and to check in a calendar than “12/1”: the weekday also "
               "catches a wrong date."))
def sms_date_weekday(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    low = sms["text"].lower()
    dates = [(d[0], d[1]) for d in _dates(low)]
    taken = dates + [(t[0], t[1]) for t in _times(low, _dates(low))]
    for m in SHORT_DATE_RE.finditer(low):
        day, month = int(m.group(1)), int(m.group(2) or m.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12 and not any(a < m.end() and m.start() < b for a, b in taken):
            dates.append((m.start(), m.end()))
    if not dates:
        return INAPPLICABLE
    out = []
    for s, e in sorted(dates):
        if sms["text"][e - 1] == "." and not sms["text"][s:e - 1].rstrip(".").endswith(tuple("0123456789")):
            e -= 1          # »den 3. februar.«: the full stop ends the sentence
        if WEEKDAY_RE.search(low[max(0, s - 16):s]):
            continue
        out.append(_span_finding(sms, s, e, _texts(
            f"Datoen {_q(sms['text'][s:e])[0]} står uden ugedag.",
            f"The date {_q(sms['text'][s:e])[1]} has no weekday."), _texts(
            "Skriv ugedagen foran, fx »tirsdag den 12. januar«.",
            "Put the weekday in front, e.g. “tirsdag den 12. januar”.")))
    return out


@sms_check(code="KT004", name="sms-place", impact=Impact.SERIOUS,
           title=_texts("Påmindelsen siger ikke hvor", "The reminder does not say where"),
           description=_texts(
               "En påmindelse om en aftale skal sige, hvor borgeren skal møde: afdeling, hospital eller adresse.",
               "An appointment reminder must say where to come: the department, the hospital or the address."))
def sms_place(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    if not _is_reminder(sms):
        return INAPPLICABLE
    low = sms["text"].lower()
    if PLACE_RE.search(low) or has_street(low) or POSTCODE_RE.search(sms["text"]):
        return []
    return [_whole(sms, _texts(
        "Påmindelsen nævner dato eller tid, men ikke hvor borgeren skal møde.",
        "The reminder states a date or time, but not where to come."), _texts(
        "Skriv afdelingen og hospitalet, fx »Øjenambulatoriet, Aarhus Universitetshospital«, eller {afdeling}.",
        "Name the department and the hospital, e.g. “Øjenambulatoriet, Aarhus Universitetshospital”, or "
        "{afdeling}."))]


@sms_check(code="KT005", name="sms-change-cancel", impact=Impact.SERIOUS,
           title=_texts("Påmindelsen siger ikke, hvordan man flytter eller aflyser",
                        "The reminder does not say how to move or cancel"),
           description=_texts(
               "Den, der ikke kan komme, skal kunne se i beskeden, hvordan tiden flyttes eller aflyses: et "
               "telefonnummer, et link eller »svar på denne sms«.",
               "Someone who cannot come must see in the message how to move or cancel: a phone number, a link or "
               "“reply to this SMS”."))
def sms_change_cancel(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    if not _is_reminder(sms):
        return INAPPLICABLE
    low = sms["text"].lower()
    if (CHANGE_RE.search(low) or CANNOT_COME_RE.search(low)) and (CONTACT_RE.search(low) or "svar" in low):
        return []
    return [_whole(sms, _texts(
        "Påmindelsen siger ikke, hvordan borgeren flytter eller aflyser tiden.",
        "The reminder does not say how to move or cancel the appointment."), _texts(
        "Skriv fx »Kan du ikke komme, så ring på 78 45 12 34 eller flyt tiden på {link}.«",
        "Add e.g. “Kan du ikke komme, så ring på 78 45 12 34 eller flyt tiden på {link}.”"))]


@sms_check(code="KT006", name="sms-no-cpr", impact=Impact.CRITICAL,
           title=_texts("Beskeden viser et CPR-nummer", "The message shows a CPR number"),
           description=_texts(
               "En sms kan læses af andre på en låst skærm og ligger ukrypteret hos teleselskabet: den må aldrig "
               "vise et CPR-nummer.",
               "An SMS can be read by others on a locked screen and is stored unencrypted by the operator: it must "
               "never show a CPR number."))
def sms_no_cpr(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    return [_span_finding(sms, s, e, _texts(
        f"Beskeden viser CPR-nummeret {sms['text'][s:e]}.",
        f"The message shows the CPR number {sms['text'][s:e]}."), _texts(
        "Fjern CPR-nummeret; borgeren kan se sine oplysninger efter log-in.",
        "Remove the CPR number; the citizen can see their details after logging in."))
        for s, e in sms.get("cpr") or []]


@sms_check(code="KT007", name="sms-link", impact=Impact.SERIOUS,
           title=_texts("Et link, borgeren ikke kan stole på", "A link the citizen cannot trust"),
           description=_texts(
               "Links i en sms skal bruge https og vise det rigtige domæne, så borgeren kan se, at beskeden kommer "
               "fra hospitalet og ikke er svindel. Et forkortet link (bit.ly …) skjuler, hvor det fører hen.",
               "Links in an SMS must use https and show the real domain, so the citizen can see that the message "
               "comes from the hospital and is no fraud. A shortened link (bit.ly …) hides where it leads."))
def sms_link(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    text = sms["text"]
    links = [(m.start(), m.end()) for m in URL_RE.finditer(text)]
    links += [(m.start(), m.end()) for m in BARE_DOMAIN_RE.finditer(text)
              if not any(s <= m.start() < e for s, e in links)]
    if not links:
        return INAPPLICABLE
    out = []
    for s, e in sorted(links):
        url = text[s:e].rstrip(".,;:!?)")
        e = s + len(url)
        host = (urlsplit(url if "://" in url else "https://" + url).hostname or "").lower()
        bare = host.removeprefix("www.")
        if bare in SHORTENERS:
            out.append(_span_finding(sms, s, e, _texts(
                f"Linket {_q(url)[0]} er forkortet, så borgeren ikke kan se, hvor det fører hen.",
                f"The link {_q(url)[1]} is shortened, so the citizen cannot see where it leads."), _texts(
                "Brug hospitalets eget domæne i linket, fx https://mineaftaler.region.dk/….",
                "Use the hospital's own domain in the link, e.g. https://mineaftaler.region.dk/….")))
        elif url.lower().startswith("http://"):
            out.append(_span_finding(sms, s, e, _texts(
                f"Linket {_q(url)[0]} bruger http, ikke https.",
                f"The link {_q(url)[1]} uses http, not https."), _texts(
                "Skriv https:// – og sørg for, at siden svarer på https.",
                "Write https:// – and make sure the page answers on https.")))
    return out


@sms_check(code="KT008", name="sms-sender", impact=Impact.MODERATE,
           title=_texts("Beskeden siger ikke, hvem den er fra", "The message does not say who sent it"),
           description=_texts(
               "Borgeren skal kunne se, hvem der skriver: hospitalet eller afdelingen i teksten eller som "
               "afsendernavn (sms.sender). En besked fra et ukendt nummer ligner svindel.",
               "The citizen must see who is writing: the hospital or department in the text or as the sender name "
               "(sms.sender). A message from an unknown number looks like fraud."))
def sms_sender(artifacts: Artifacts, ctx: CheckContext):
    sms = artifacts["sms"]
    if (ctx.config.get("sms") or {}).get("sender") or SENDER_RE.search(sms["text"]):
        return []
    return [_whole(sms, _texts(
        "Beskeden siger ikke, hvem den er fra, og der er ikke sat et afsendernavn (sms.sender).",
        "The message does not say who sent it, and no sender name is set (sms.sender)."), _texts(
        "Slut med fx »Hilsen Øjenambulatoriet, Aarhus Universitetshospital«, eller send med hospitalets navn som "
        "afsender.",
        "End with e.g. “Hilsen Øjenambulatoriet, Aarhus Universitetshospital”, or send with the hospital's name as "
        "the sender."))]
