"""CPR numbers (Danish personal identification numbers): found and masked wherever klartjek shows
text that may hold one (a Digital Post message's title, findings quoting it)."""
from __future__ import annotations

import calendar
import re

# DDMMYY-NNNN, DDMMYYNNNN (or DDMMYY NNNN); not part of a longer run of digits.
CPR = re.compile(r"(?<!\d)(?<!\d[-/.])(\d{2})(\d{2})(\d{2})[- ]?(\d{4})(?!\d)(?![-/.,]\d)")


def cpr_matches(text: str) -> list[re.Match]:
    """The CPR numbers in ``text``: the pattern, with a day and month that exist."""
    out = []
    for m in CPR.finditer(text or ""):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        # 2000+YY is a leap year exactly when 1900+YY is (but 1900): 290200 passes, harmlessly
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000 + year, month)[1]:
            out.append(m)
    return out


def mask_cpr(text: str | None) -> str:
    """The text with every CPR number masked: 010203-1234 → 010203-****."""
    text = text or ""
    for m in reversed(cpr_matches(text)):
        text = text[:m.start()] + f"{m.group(1)}{m.group(2)}{m.group(3)}-****" + text[m.end():]
    return text


def blank_cpr(text: str | None) -> tuple[str, list[list[int]]]:
    """The text with the last four digits of every CPR number as ****: the same length, so that the
    offsets of what is found in it stay true; and the spans of the numbers."""
    text = text or ""
    spans = []
    for m in reversed(cpr_matches(text)):
        text = text[:m.start(4)] + "****" + text[m.end(4):]
        spans.append([m.start(), m.end()])
    return text, spans[::-1]
