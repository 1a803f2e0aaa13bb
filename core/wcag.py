"""WCAG 2.2 success criteria (core/data/wcag.json): titles, principles, Understanding links, and
the criteria the plain-language checks relate to (guidance only: they never count towards WCAG
conformance or the WCAG score)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "wcag.json"

# The plain-language checks and the WCAG criterion each one serves (AAA criteria about language).
KLARSPROG_RELATED = {
    "KL001": "3.1.5", "KL002": "3.1.5", "KL003": "3.1.5", "KL004": "3.1.5", "KL005": "3.1.5",
    "KL006": "3.1.5", "KL007": "3.1.5", "KL008": "3.1.5", "KL009": "3.1.5", "KL010": "3.1.5",
    "KL011": "3.1.4", "KL012": "3.1.3", "KL013": "3.1.3", "KL014": "3.1.5", "KL015": "3.1.5",
    "KL016": "3.1.5", "KL017": "2.4.9", "KL018": "3.1.5",
}


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def criterion(sc: str) -> dict[str, Any] | None:
    return data()["criteria"].get(sc)


def understanding_url(sc: str) -> str | None:
    c = criterion(sc)
    return data()["understanding_base"] + c["slug"] if c else None


def title(sc: str) -> str:
    c = criterion(sc)
    return c["title"] if c else ""


def principle(sc: str, lang: str = "da") -> tuple[str, str]:
    """("1", "Opfattelig") for "1.4.3"."""
    num = sc.split(".")[0]
    p = data()["principles"].get(num, {})
    return num, p.get(lang) or p.get("en") or ""


def sc_key(sc: str) -> tuple[int, ...]:
    return tuple(int(p) for p in sc.split(".") if p.isdigit())


def help_url(code: str, wcag: list[str] | tuple[str, ...], fallback: str | None = None) -> str | None:
    """Where a reader learns why a check matters: the check's own help page when it has one, else
    the Understanding page of its (or its related) success criterion."""
    if fallback:
        return fallback
    sc = (list(wcag) or [KLARSPROG_RELATED.get(code, "")])[0]
    return understanding_url(sc) if sc else None
