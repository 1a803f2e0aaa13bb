"""Scores: a weighted share of applicable checks passed, 0–100 (docs/scoring.md).

score = 100 × Σ w(c) over passed checks / Σ w(c) over passed and failed checks

w(c) is the configured weight of check c's impact (critical 10, serious 7, moderate 3, minor 1 by
default): for a failed check the highest impact among its failures, for a passed check the check's
own impact. Checks that are inapplicable, need review (cant_tell) or errored weigh 0. A document's
score uses its own check results; the run score pools the check results of every audited document.
With nothing applicable the score is None (shown as "–").
"""
from __future__ import annotations

from typing import Iterable

from audit.model import CheckResult, Document


def _sums(results: Iterable[CheckResult], weights: dict[str, float]) -> tuple[float, float]:
    passed = total = 0.0
    for r in results:
        if r.outcome not in ("passed", "failed"):
            continue
        w = float(weights.get(r.impact or "", 0))
        total += w
        if r.outcome == "passed":
            passed += w
    return passed, total


def _score(passed: float, total: float) -> float | None:
    return round(100.0 * passed / total, 1) if total > 0 else None


def document_score(results: Iterable[CheckResult], weights: dict[str, float]) -> float | None:
    return _score(*_sums(results, weights))


def run_score(documents: Iterable[Document], weights: dict[str, float]) -> float | None:
    passed = total = 0.0
    for doc in documents:
        if doc.status != "ok":
            continue
        p, t = _sums(doc.results, weights)
        passed += p
        total += t
    return _score(passed, total)
