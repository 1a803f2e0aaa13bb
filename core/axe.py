"""axe-core's rule data and its Danish locale, as klartjek vendors them (core/data/): what the
gatherer gives axe-core in the page (the locale, the snippet length) and what the axe checks are made
from (core/data/axe_rules.json, written by scripts/update_axe_data.py)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
RULES_FILE = DATA / "axe_rules.json"
LOCALE_FILE = DATA / "axe-core" / "da.json"
HTML_SNIPPET_MAX = 500          # characters of a failing element's HTML kept

_SC_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")
_LEVEL_TAGS = {
    "wcag2a": ("A", "2.0"), "wcag2aa": ("AA", "2.0"), "wcag2aaa": ("AAA", "2.0"),
    "wcag21a": ("A", "2.1"), "wcag21aa": ("AA", "2.1"), "wcag21aaa": ("AAA", "2.1"),
    "wcag22a": ("A", "2.2"), "wcag22aa": ("AA", "2.2"), "wcag22aaa": ("AAA", "2.2"),
    "wcag2a-obsolete": ("A", "2.0"),
}


def wcag_from_tags(tags: list[str]) -> tuple[tuple[str, ...], str | None, str | None]:
    """(success criteria, level, WCAG version) from axe tags such as wcag2aa, wcag1412."""
    scs = tuple(".".join(m.groups()) for t in tags if (m := _SC_TAG.match(t)))
    level = version = None
    for t in tags:
        if t in _LEVEL_TAGS:
            level, version = _LEVEL_TAGS[t]
    return scs, level, version


@lru_cache(maxsize=1)
def axe_data() -> dict[str, Any]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def danish_locale() -> dict[str, Any]:
    return json.loads(LOCALE_FILE.read_text(encoding="utf-8"))
