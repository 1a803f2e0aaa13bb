"""Helpers shared by the document checks (PDF, DOCX, MeMo, letter content): findings, targets, snippets."""
from __future__ import annotations

from core.model import Finding, Impact, Outcome

SNIPPET_MAX = 300
JOIN = " >>> "     # a part inside a document, as for iframes: "indkaldelse.pdf >>> /Document/Figure[1]"


def part_target(part: str, locator: str) -> str:
    """A finding's target: the locator, prefixed by the embedded part it lies in (if any)."""
    return f"{part}{JOIN}{locator}" if part else locator


def snippet(s: str | None) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= SNIPPET_MAX else s[: SNIPPET_MAX - 1] + "…"


def finding(target: str, html: str, message: dict[str, str], suggestion: dict[str, str] | None = None,
            impact: Impact | str | None = None, outcome: Outcome = Outcome.FAILED,
            span: list[int] | None = None, excerpt: str | None = None) -> Finding:
    """A finding of a document check; its impact and help URL default to the check's (registry.evaluate)."""
    return Finding(outcome=outcome, target=target, html=snippet(html), message=message,
                   impact=impact, suggestion=suggestion, span=span, excerpt=excerpt)


def ratio_text(r: float) -> tuple[str, str]:
    """A contrast ratio cut (never rounded up: 2.999 is under 3) to two decimals, in Danish (decimal
    comma) and English."""
    s = f"{int(r * 100) / 100:.2f}".rstrip("0").rstrip(".")
    return s.replace(".", ","), s


def probe_failed(artifact: dict | None):
    """A probe that could not finish on the page (its artifact says why): the check's result is an
    error, with that reason; None when the probe did its work."""
    from checks.registry import Verdict

    if artifact and artifact.get("error"):
        return Verdict(Outcome.ERROR, (), str(artifact["error"]))
    return None
