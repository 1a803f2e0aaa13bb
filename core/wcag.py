"""WCAG 2.2 success criteria (core/data/wcag.json): titles, principles, Understanding links.
The criteria a plain-language check relates to are its ``related_wcag`` (guidance only: they never
count towards WCAG conformance or the WCAG score)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "wcag.json"


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


def help_url(wcag: list[str] | tuple[str, ...], fallback: str | None = None) -> str | None:
    """Where a reader learns why a check matters: the check's own help page (``fallback``: its
    help_url) when it has one, else the Understanding page of its first success criterion."""
    if fallback:
        return fallback
    return understanding_url(wcag[0]) if wcag else None
