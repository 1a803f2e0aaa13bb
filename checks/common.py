"""Helpers shared by the document checks (PDF, DOCX, MeMo, letter content): findings, targets, snippets."""
from __future__ import annotations

from typing import Any

from checks.registry import CheckMeta
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


# -- transitional: the former declarations, until every family uses @check --------------------------

def failure(meta: CheckMeta, target: str, html: str, message: dict[str, str],
            suggestion: dict[str, str] | None = None, impact: str | None = None,
            outcome: str = "failed") -> Finding:
    return Finding(outcome=outcome, target=target, html=snippet(html), message=message,
                   impact=impact or meta.impact, help_url=meta.help_url, suggestion=suggestion)


def result(meta: CheckMeta, findings: list[Finding] | None):
    return Outcome.INAPPLICABLE if findings is None else findings


def register_all(registry, family: str, checks: list[dict[str, Any]], requires: tuple[str, ...],
                 applies_to: tuple[str, ...] = ("letter",), category=None, target=None) -> None:
    from core.wcag import understanding_url

    for c in checks:
        def run(artifacts, ctx, _c=c):
            meta = registry.get(_c["code"])
            return _c["evaluate"](meta, artifacts, ctx.config)
        registry.register(CheckMeta(
            code=c["code"], name=c["name"], family=family, title=c["title"], description=c["description"],
            category=c.get("category", category), target=c.get("target", target),
            impact=c["impact"], wcag=tuple(c.get("wcag", ())), level=c.get("level"),
            wcag_version=c.get("wcag_version", "2.0" if c.get("wcag") else None),
            tags=(family, *(f"wcag{sc.replace('.', '')}" for sc in c.get("wcag", ())), *c.get("tags", ())),
            help_url=c.get("help_url") or (understanding_url(c["wcag"][0]) if c.get("wcag") else None),
            applies_to=applies_to, requires=requires, evaluate=run))
