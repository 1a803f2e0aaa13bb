"""Which language is a text in? Enough to tell Danish from English (and from neither) in a
letter whose declared language must match its text: common function words are counted."""
from __future__ import annotations

import re

DANISH = frozenset("""og at det er du på til med af ikke en et den har vi kan skal din dit dine dig
som for fra om der jeres jer hvis eller vil være bliver også men når hvor hvad efter før kl hos vores
skriv ring må mødes tid aftale venlig hilsen""".split())
ENGLISH = frozenset("""the and to of you is for your with on are be this that it at by from can will
please if or have not we our an as when where what after before appointment regards""".split())
# Letters only Danish (and Norwegian) has; a text with them and few English words is Danish.
WORD = re.compile(r"[^\W\d_]+")
MIN_WORDS = 8


def guess_language(text: str) -> str | None:
    """'da', 'en' or None: too little text (fewer than 8 words) or not clearly either."""
    words = [w.lower() for w in WORD.findall(text[:20000])]
    if len(words) < MIN_WORDS:
        return None
    da = sum(1 for w in words if w in DANISH) + 2 * sum(1 for w in words if any(c in w for c in "æøå"))
    en = sum(1 for w in words if w in ENGLISH)
    if max(da, en) < max(2, len(words) // 20):
        return None
    if da > en * 1.5:
        return "da"
    if en > da * 1.5:
        return "en"
    return None


def primary(lang: str | None) -> str | None:
    """'da-DK' → 'da'; None and '' → None."""
    if not lang:
        return None
    return lang.strip().lower().replace("_", "-").split("-")[0] or None
