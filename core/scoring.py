"""Scores: a weighted share of applicable checks passed, 0–100 (docs/scoring.md).

score = 100 × Σ w(c) over passed checks / Σ w(c) over passed and failed checks

w(c) is the configured weight of check c's impact (critical 10, serious 7, moderate 3, minor 1 by
default): for a failed check the highest impact among its failures, for a passed check the check's
own impact. Checks that are inapplicable, need review (cant_tell) or errored weigh 0. A document's
score uses its own check results; the run score pools the check results of every audited document.
With nothing applicable the score is None (shown as "–").

Which score a check counts towards is its category's (core.model.CATEGORIES): the plain-language
score counts the categories plain-language and letter-content, the WCAG score every other. The two are
never mixed.
"""
from __future__ import annotations

from typing import Callable, Iterable

from core.model import CATEGORIES, CheckResult, Document, Score, category_of


def score_of(r: CheckResult) -> Score:
    """The score a result counts towards: its category's (a result without one: the WCAG score)."""
    cat = category_of(r.category)
    return CATEGORIES[cat].score if cat is not None else Score.WCAG


def is_wcag(r: CheckResult) -> bool:
    return score_of(r) == Score.WCAG


def is_plain(r: CheckResult) -> bool:
    return score_of(r) == Score.PLAIN


def _sums(results: Iterable[CheckResult], weights: dict[str, float],
          select: Callable[[CheckResult], bool] = is_wcag) -> tuple[float, float]:
    passed = total = 0.0
    for r in results:
        if r.outcome not in ("passed", "failed") or not select(r):
            continue
        w = float(weights.get(r.impact or "", 0))
        total += w
        if r.outcome == "passed":
            passed += w
    return passed, total


def _score(passed: float, total: float) -> float | None:
    return round(100.0 * passed / total, 1) if total > 0 else None


def document_score(results: Iterable[CheckResult], weights: dict[str, float],
                   select: Callable[[CheckResult], bool] = is_wcag) -> float | None:
    return _score(*_sums(results, weights, select))


def run_score(documents: Iterable[Document], weights: dict[str, float],
              select: Callable[[CheckResult], bool] = is_wcag) -> float | None:
    passed = total = 0.0
    for doc in documents:
        if doc.status != "ok":
            continue
        p, t = _sums(doc.results, weights, select)
        passed += p
        total += t
    return _score(passed, total)


# Bands a reader sees beside a score (docs/scoring.md): the lowest score of each band.
SCORE_BANDS = ((95.0, "good"), (85.0, "fair"), (0.0, "poor"))
BAND_LABELS = {"good": {"da": "god", "en": "good"}, "fair": {"da": "middel", "en": "fair"},
               "poor": {"da": "dårlig", "en": "poor"}, None: {"da": "ikke vurderet", "en": "not assessed"}}


def score_band(score: float | None) -> str | None:
    """"good" (95 and up), "fair" (85 to 95), "poor" (below 85); None without a score."""
    if score is None:
        return None
    return next(name for floor, name in SCORE_BANDS if score >= floor)
