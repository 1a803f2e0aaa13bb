"""axe-core rules as klartjek checks.

Every rule of the shipped axe-core becomes a check with a stable code (KA…), its axe rule id as
name and alias, English texts from axe-core and Danish texts from axe-core's own Danish locale.
The check function reads one artifact, ``axe``: the raw result of ``axe.run`` in the page, to
which the gatherer added Danish messages (``failureSummary_da``).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from audit.model import CheckResult, Finding, max_impact
from checks.registry import REGISTRY, Artifacts, CheckMeta

DATA = Path(__file__).parent / "data"
RULES_FILE = DATA / "axe_rules.json"
LOCALE_FILE = DATA / "axe-core" / "da.json"
HTML_SNIPPET_MAX = 500

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


def _index(artifacts: Artifacts) -> dict[str, dict[str, Any]]:
    """rule id → {"violations": rule, "incomplete": rule, ...}, built once per document and kept
    under "_axe_index" (artifact keys starting with "_" are derived and never stored)."""
    idx = artifacts.get("_axe_index")
    if idx is None:
        idx = {}
        for kind in ("violations", "incomplete", "passes", "inapplicable"):
            for rule in artifacts["axe"].get(kind) or []:
                idx.setdefault(rule["id"], {})[kind] = rule
        artifacts["_axe_index"] = idx
    return idx


def format_target(target: list[Any]) -> str:
    """axe's target: one selector per frame, each a string or a list (shadow DOM hops)."""
    parts = [" >> ".join(t) if isinstance(t, list) else str(t) for t in target]
    return " >>> ".join(parts)


def _findings(rule: dict[str, Any], outcome: str, meta: CheckMeta) -> list[Finding]:
    out = []
    for node in rule.get("nodes") or []:
        html = node.get("html") or ""
        if len(html) > HTML_SNIPPET_MAX:
            html = html[: HTML_SNIPPET_MAX - 1] + "…"
        en = node.get("failureSummary") or meta.text("title", "en")
        out.append(Finding(
            outcome=outcome,
            target=format_target(node.get("target") or []),
            html=html,
            message={"da": node.get("failureSummary_da") or en, "en": en},
            impact=node.get("impact") or rule.get("impact") or meta.impact,
            help_url=meta.help_url,
        ))
    return out


def evaluate_axe_rule(meta: CheckMeta, artifacts: Artifacts, config=None) -> CheckResult | None:
    rule_id = meta.aliases[0]
    entry = _index(artifacts).get(rule_id)
    if not entry:
        return None  # not run on this document
    findings: list[Finding] = []
    error = None
    if "violations" in entry:
        findings += _findings(entry["violations"], "failed", meta)
    if "incomplete" in entry:
        inc = entry["incomplete"]
        if inc.get("error"):
            err = inc["error"]
            error = err.get("message") if isinstance(err, dict) else str(err)
        findings += _findings(inc, "cant_tell", meta)
    if error and not findings:
        outcome = "error"
    elif any(f.outcome == "failed" for f in findings):
        outcome = "failed"
    elif findings:
        outcome = "cant_tell"
    elif "passes" in entry:
        outcome = "passed"
    else:
        outcome = "inapplicable"
    impact = max_impact(f.impact for f in findings if f.outcome == "failed") or meta.impact
    return CheckResult(code=meta.code, name=meta.name, outcome=outcome, impact=impact,
                       wcag=list(meta.wcag), level=meta.level, findings=findings, error=error)


def register_axe_rules() -> None:
    data = axe_data()
    for r in data["rules"]:
        if r.get("removed"):
            continue
        scs, level, version = wcag_from_tags(r["tags"])
        REGISTRY.register(CheckMeta(
            code=r["code"], name=r["id"], family="axe",
            title=r["title"], description=r["description"], impact=r["impact"],
            wcag=scs, level=level, wcag_version=version, tags=tuple(r["tags"]),
            help_url=r["help_url"], aliases=(r["id"],), applies_to=("page", "letter"),
            requires=("axe",), evaluate=evaluate_axe_rule,
        ))


def axe_rule_ids(checks) -> list[str]:
    """The axe rule ids behind the selected checks, for axe.run's runOnly option."""
    return [m.aliases[0] for m in checks if m.family == "axe"]
