"""The check registry: every check klartjek knows, with its metadata.

A check is declarative metadata plus a pure function of gathered artifacts. Checks are looked up
by their stable code (``KA012``), their readable name (``image-alt``) or an alias.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from audit.model import CheckResult

# artifacts: a dict of what gathering produced for one document, e.g. {"axe": {...}, "dom": {...}}
Artifacts = dict[str, Any]
# evaluate(meta, artifacts, config): a pure function of the artifacts and the run's configuration
Evaluate = Callable[["CheckMeta", Artifacts, dict[str, Any]], CheckResult | None]

LEVEL_ORDER = {"A": 1, "AA": 2, "AAA": 3}


@dataclass(frozen=True)
class CheckMeta:
    code: str                              # stable, never reused: KA001 …
    name: str                              # readable, kebab-case
    family: str                            # e.g. "axe"
    title: dict[str, str | None]           # {"en": …, "da": …}; da None when no translation exists
    description: dict[str, str | None]
    impact: str | None                     # the check's default impact
    wcag: tuple[str, ...] = ()             # success criteria, e.g. ("1.1.1",)
    level: str | None = None               # A | AA | AAA; None for best practice
    wcag_version: str | None = None        # the WCAG version that introduced the criterion
    tags: tuple[str, ...] = ()
    help_url: str | None = None
    aliases: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ("page",)
    requires: tuple[str, ...] = ()         # artifact names the evaluate function reads
    evaluate: Evaluate | None = field(default=None, compare=False, repr=False)

    def text(self, what: str, lang: str) -> str:
        """title or description in ``lang``, falling back to English."""
        texts = getattr(self, what)
        return texts.get(lang) or texts.get("en") or ""

    def translated(self, lang: str) -> bool:
        return bool(self.title.get(lang))


class Registry:
    def __init__(self) -> None:
        self._by_code: dict[str, CheckMeta] = {}
        self._lookup: dict[str, str] = {}

    def register(self, meta: CheckMeta) -> CheckMeta:
        for key in (meta.code, meta.name, *meta.aliases):
            owner = self._lookup.get(key.lower())
            if owner and owner != meta.code:
                raise ValueError(f"check key {key!r} of {meta.code} is already used by {owner}")
        if meta.code in self._by_code:
            raise ValueError(f"check code {meta.code} registered twice")
        self._by_code[meta.code] = meta
        for key in (meta.code, meta.name, *meta.aliases):
            self._lookup[key.lower()] = meta.code
        return meta

    def get(self, key: str) -> CheckMeta | None:
        code = self._lookup.get(key.lower())
        return self._by_code[code] if code else None

    def __iter__(self):
        return iter(sorted(self._by_code.values(), key=lambda m: m.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def select(self, config: dict[str, Any], kind: str = "page") -> list[CheckMeta]:
        """The checks a run with this configuration evaluates on documents of ``kind``."""
        chosen = config.get("checks") or {}
        select = {k.lower() for k in chosen.get("select") or []}
        ignore = {k.lower() for k in chosen.get("ignore") or []}
        return [m for m in self if kind in m.applies_to and _wanted(m, config)
                and (not select or _matches(m, select)) and not _matches(m, ignore)]

    def unknown_keys(self, keys) -> list[str]:
        """Those of ``keys`` that name no check, family or tag (for a clear config error)."""
        known = {k.lower() for m in self for k in (m.code, m.name, m.family, *m.aliases, *m.tags)}
        return [k for k in keys if k.lower() not in known]


def _matches(meta: CheckMeta, keys: set[str]) -> bool:
    """Does a check answer to one of ``keys``: its code, name, alias, family or one of its tags?"""
    if not keys:
        return False
    return any(k.lower() in keys for k in (meta.code, meta.name, meta.family, *meta.aliases, *meta.tags))


def _wanted(meta: CheckMeta, config: dict[str, Any]) -> bool:
    if meta.family in ("klarsprog", "letter"):
        return bool(config.get("klarsprog", {}).get("enabled", True))
    tags = set(meta.tags)
    if "experimental" in tags and not config.get("experimental"):
        return False
    version = config.get("wcag_version", "2.2")
    if "wcag2a-obsolete" in tags:        # 4.1.1 Parsing: part of WCAG 2.0 and 2.1, obsolete in 2.2
        return version in ("2.0", "2.1")
    if "deprecated" in tags:
        return False
    if meta.level is None:               # no success criterion: axe's best practices, or ours
        return meta.family != "axe" or bool(config.get("best_practices"))
    if LEVEL_ORDER[meta.level] > LEVEL_ORDER[config.get("level", "AA")]:
        return False
    return _version_key(meta.wcag_version or "2.0") <= _version_key(version)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def evaluate_all(checks: Iterable[CheckMeta], artifacts: Artifacts,
                 config: dict[str, Any] | None = None) -> list[CheckResult]:
    """Run every check whose artifacts are present; a check that raises becomes an error result."""
    results = []
    for meta in checks:
        if meta.evaluate is None or any(a not in artifacts for a in meta.requires):
            continue
        try:
            res = meta.evaluate(meta, artifacts, config or {})
        except Exception as exc:  # a faulty check must not sink the document
            res = CheckResult(code=meta.code, name=meta.name, outcome="error",
                              impact=meta.impact, wcag=list(meta.wcag), level=meta.level,
                              error=f"{type(exc).__name__}: {exc}")
        if res is not None and meta.family != "axe":
            res.wcag, res.level = list(meta.wcag), meta.level
        if res is not None:
            results.append(res)
    return results


REGISTRY = Registry()
