"""Helpers shared by the document checks (PDF, DOCX, MeMo, letter content)."""
from __future__ import annotations

from typing import Any

from audit.model import CheckResult, Finding, max_impact
from checks.registry import CheckMeta

SNIPPET_MAX = 300
JOIN = " >>> "     # a part inside a document, as for iframes: "indkaldelse.pdf >>> /Document/Figure[1]"


def part_target(part: str, locator: str) -> str:
    """A finding's target: the locator, prefixed by the embedded part it lies in (if any)."""
    return f"{part}{JOIN}{locator}" if part else locator


def snippet(s: str | None) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= SNIPPET_MAX else s[: SNIPPET_MAX - 1] + "…"


def failure(meta: CheckMeta, target: str, html: str, message: dict[str, str],
            suggestion: dict[str, str] | None = None, impact: str | None = None,
            outcome: str = "failed") -> Finding:
    return Finding(outcome=outcome, target=target, html=snippet(html), message=message,
                   impact=impact or meta.impact, help_url=meta.help_url, suggestion=suggestion)


def result(meta: CheckMeta, findings: list[Finding] | None) -> CheckResult:
    """failed when any finding failed, cant_tell when all need review, passed when none;
    ``None`` findings: the check does not apply (inapplicable)."""
    if findings is None:
        return CheckResult(code=meta.code, name=meta.name, outcome="inapplicable", impact=meta.impact)
    failed = [f for f in findings if f.outcome == "failed"]
    outcome = "failed" if failed else ("cant_tell" if findings else "passed")
    impact = max_impact(f.impact for f in findings) or meta.impact
    return CheckResult(code=meta.code, name=meta.name, outcome=outcome, impact=impact, findings=findings)


def register_all(registry, family: str, checks: list[dict[str, Any]], requires: tuple[str, ...],
                 applies_to: tuple[str, ...] = ("letter",)) -> None:
    """Register a family's checks from declarative entries: code, name, impact, wcag (tuple), level,
    title {da,en}, description {da,en}, help_url, tags (extra), evaluate(meta, artifacts, config).
    Without a help_url, a check with a WCAG criterion links to that criterion's Understanding page."""
    from reports.wcag import understanding_url   # reads checks/data/wcag.json; no report code

    for c in checks:
        registry.register(CheckMeta(
            code=c["code"], name=c["name"], family=family, title=c["title"], description=c["description"],
            impact=c["impact"], wcag=tuple(c.get("wcag", ())), level=c.get("level"),
            wcag_version=c.get("wcag_version", "2.0" if c.get("wcag") else None),
            tags=(family, *(f"wcag{sc.replace('.', '')}" for sc in c.get("wcag", ())), *c.get("tags", ())),
            help_url=c.get("help_url") or (understanding_url(c["wcag"][0]) if c.get("wcag") else None),
            applies_to=applies_to, requires=requires, evaluate=c["evaluate"]))
