"""SMS reminders as a phone sees them: the template with each placeholder at its longest value, the
encoding (GSM 03.38 7-bit with its extension table, else UCS-2), the characters that forced UCS-2,
and the number of segments (160/153 septets, 70/67 UTF-16 units; an escape pair or a surrogate
pair is never split across segments, as phones send them).

The GSM 03.38 character table comes from the ``gsm0338`` codec (PyPI, MIT): its basic set and
extension table are what a character costs (1 septet, or 2 with the escape); this module only
counts. docs/sms.md explains the numbers; ``sms_artifact`` is what the SMS checks (checks/sms_checks.py)
read, beside a ``text`` artifact of the expanded message for the plain-language checks.
"""
from __future__ import annotations

import re
from typing import Any

from gsm0338 import Codec

from core.cpr import blank_cpr
from core.errors import UsageError

GSM = Codec()
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
# the longest value a placeholder usually takes in the region's reminders (Danish style, docs/sms.md);
# [sms] values in the config replaces or adds to these
LONGEST = {
    "dato": "torsdag den 30. september",
    "tid": "kl. 10.30",
    "klokkeslæt": "kl. 10.30",
    "afdeling": "Øre-, Næse- og Halskirurgisk Ambulatorium",
    "sted": "Øre-, Næse- og Halskirurgisk Ambulatorium",
    "adresse": "Palle Juul-Jensens Boulevard 99, indgang J, 8200 Aarhus N",
    "navn": "Anne-Kathrine Vestergaard-Nielsen",
    "telefon": "78 45 12 34",
    "link": "https://mineaftaler.region.dk/a/X7K2M9Q4",
    "afsender": "Aarhus Universitetshospital",
    "hospital": "Aarhus Universitetshospital",
}
SINGLE = {"gsm7": 160, "ucs2": 70}
MULTI = {"gsm7": 153, "ucs2": 67}
MAX_CHARS = 5000          # a reminder longer than this is not an SMS (bad input)
# characters with a GSM 03.38 stand-in a sender can use (typographic quotes and dashes, ellipsis, spaces)
LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
              "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
              "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\u2022": "-", "\u00b4": "'",
              "\u2032": "'", "\u00ad": ""}


def septets(ch: str) -> int | None:
    """What ``ch`` costs in GSM 03.38: 1 septet, 2 (the extension table: € [ ] { } …), or None (not there)."""
    try:
        return len(GSM.encode(ch)[0])
    except (UnicodeEncodeError, KeyError):
        return None


def segments(units: list[int], single: int, multi: int) -> int:
    """How many segments a message of these per-character costs takes (no character split)."""
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    count, used = 1, 0
    for u in units:
        if used + u > multi:
            count, used = count + 1, 0
        used += u
    return count


def expand(template: str, values: dict[str, str], where: str) -> tuple[str, list[dict[str, Any]]]:
    """The template with each {name} at its longest value; the placeholders' places in the result.
    UsageError naming a placeholder without a known longest value."""
    out, places, pos = [], [], 0
    length = 0
    for m in PLACEHOLDER.finditer(template):
        name = m.group(1)
        key = name.lower()
        if key not in values:
            raise UsageError(f"{where}: the placeholder {{{name}}} has no longest value; give one with "
                             f"--value {name}=… or [sms] values in the config (docs/sms.md)")
        out.append(template[pos:m.start()])
        length += m.start() - pos
        value = values[key]
        places.append({"name": name, "value": value, "template": [m.start(), m.end()],
                       "span": [length, length + len(value)]})
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(template[pos:])
    return "".join(out), places


def sms_artifact(template: str, values: dict[str, str] | None = None, where: str = "sms") -> dict[str, Any]:
    """The ``sms`` artifact of a reminder template (UsageError for bad input: empty, too long)."""
    if not template.strip():
        raise UsageError(f"{where}: the message is empty; give the text of an SMS")
    if len(template) > MAX_CHARS:
        raise UsageError(f"{where}: {len(template):,} characters is no SMS (at most {MAX_CHARS:,}); check the input")
    text, places = expand(template.strip(), {**LONGEST, **{k.lower(): v for k, v in (values or {}).items()}}, where)
    # a CPR number goes no further than this: its spans are kept (KT006), its digits are not
    text, cpr = blank_cpr(text)
    template, _ = blank_cpr(template.strip())
    costs = [septets(c) for c in text]
    if all(c is not None for c in costs):
        encoding, units = "gsm7", [int(c) for c in costs]
        forcing: list[dict[str, Any]] = []
    else:
        encoding = "ucs2"
        units = [2 if ord(c) > 0xFFFF else 1 for c in text]
        forcing = [{"char": c, "offset": i, "stand_in": LOOKALIKES.get(c)} for i, (c, k) in
                   enumerate(zip(text, costs, strict=True)) if k is None]
    n = segments(units, SINGLE[encoding], MULTI[encoding])
    return {"template": template, "text": text, "cpr": cpr, "placeholders": places, "encoding": encoding,
            "units": sum(units), "characters": len(text), "segments": n,
            "per_segment": SINGLE[encoding] if n <= 1 else MULTI[encoding], "forcing": forcing[:200]}
