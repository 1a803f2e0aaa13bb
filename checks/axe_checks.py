"""axe-core rules as klartjek checks.

Every rule of the shipped axe-core becomes a check with a stable code (KA…), its axe rule id as
name and alias, English texts from axe-core and Danish texts from axe-core's own Danish locale.
The check function reads one artifact, ``axe``: the result of ``axe.run`` in the page, to which the
gatherer added Danish messages (``failureSummary_da``). A rule with a WCAG success criterion is in
the category *wcag*, one without in *best-practice*.
"""
from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any, Callable

from checks.registry import REGISTRY, Artifacts, CheckContext, CheckMeta, Verdict
from core.axe import HTML_SNIPPET_MAX, axe_data, wcag_from_tags
from core.model import Category, Finding, Impact, Outcome, TargetKind

def axe_index(artifacts: Artifacts, ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """rule id → {"violations": rule, "incomplete": rule, ...}: computed once per document."""
    idx: dict[str, dict[str, Any]] = {}
    for kind in ("violations", "incomplete", "passes", "inapplicable"):
        for rule in artifacts["axe"].get(kind) or []:
            idx.setdefault(rule["id"], {})[kind] = rule
    return idx


def format_target(target: list[Any]) -> str:
    """axe's target: one selector per frame, each a string or a list (shadow DOM hops)."""
    parts = [" >> ".join(t) if isinstance(t, list) else str(t) for t in target]
    return " >>> ".join(parts)


def _findings(rule: dict[str, Any], outcome: Outcome, title_en: str, keep: NodeFilter | None = None) -> list[Finding]:
    out = []
    for node in rule.get("nodes") or []:
        if keep is not None and not keep(node):
            continue
        html = node.get("html") or ""
        if len(html) > HTML_SNIPPET_MAX:
            html = html[: HTML_SNIPPET_MAX - 1] + "…"
        en = node.get("failureSummary") or title_en
        out.append(Finding(
            outcome=outcome, target=format_target(node.get("target") or []), html=html,
            message={"da": node.get("failureSummary_da") or en, "en": en},
            impact=node.get("impact") or rule.get("impact")))
    return out


NodeFilter = Callable[[dict[str, Any]], bool]


def evaluate_axe_rule(rule_id: str, title_en: str, artifacts: Artifacts, ctx: CheckContext,
                      keep: NodeFilter | None = None) -> Verdict | None:
    """axe-core's verdict on one rule: its violations fail, its incomplete results need review, its
    own error is an error; passed only when axe-core says so; None when the rule was not run."""
    entry = ctx.computed(axe_index).get(rule_id)
    if not entry:
        return None
    findings: list[Finding] = []
    error = None
    if "violations" in entry:
        findings += _findings(entry["violations"], Outcome.FAILED, title_en, keep)
    if "incomplete" in entry:
        inc = entry["incomplete"]
        if inc.get("error"):
            err = inc["error"]
            error = err.get("message") if isinstance(err, dict) else str(err)
        findings += _findings(inc, Outcome.CANT_TELL, title_en, keep)
    if error and not findings:
        outcome = Outcome.ERROR
    elif any(f.outcome == Outcome.FAILED for f in findings):
        outcome = Outcome.FAILED
    elif findings:
        outcome = Outcome.CANT_TELL
    elif "passes" in entry:
        outcome = Outcome.PASSED
    else:
        outcome = Outcome.INAPPLICABLE
    return Verdict(outcome, tuple(findings), error)


DANISH = Path(__file__).parent / "data" / "axe-da.json"


# axe-core rules klartjek runs by default although axe-core tags them experimental: each raised no
# false alarm on W3C's ACT test cases nor on the fixtures (bench/act_report.py --axe; the reasons and
# the rules left off are in docs/axe-rule-selection.md). Their "experimental" tag becomes
# "axe-experimental", so that `experimental = false` no longer turns them off.
PROMOTED = {
    "css-orientation-lock": "1.3.4 Orientation: 4 of 4 failed ACT cases (b33eff) found, no false alarm",
}


def evaluate_orientation_lock(title_en: str, artifacts: Artifacts, ctx: CheckContext) -> Verdict | None:
    """axe-core's css-orientation-lock cannot tell when a page has no style sheet at all; without
    one nothing can lock the orientation, so that page is inapplicable, not one to review."""
    verdict = evaluate_axe_rule("css-orientation-lock", title_en, artifacts, ctx)
    page = artifacts.get("page") or {}
    if verdict is not None and verdict.outcome == Outcome.CANT_TELL and page.get("stylesheets") == 0:
        return Verdict(Outcome.INAPPLICABLE, ())
    return verdict


def evaluate_inline_spacing(title_en: str, artifacts: Artifacts, ctx: CheckContext) -> Verdict | None:
    """axe-core's avoid-inline-spacing flags every element whose style attribute sets letter, word or
    line spacing with !important, also one that holds no text of its own (an empty box, or one whose
    text sits in children that set their own spacing): no text there gets too little room, and
    WCAG's text spacing applies to text (ACT rules 24afc2, 9e45ec, 78fd32). Those are left out;
    without the gatherer's fact (an older run) every finding stays."""
    return evaluate_axe_rule("avoid-inline-spacing", title_en, artifacts, ctx,
                             keep=lambda node: node.get("ownText") is not False)


def viewport_values_that_block_zoom(content: str) -> list[tuple[str, str]]:
    """The settings of a viewport meta element whose value the browser cannot read and so takes as
    blocking zoom: user-scalable other than yes, no, device-width, device-height or a number is read
    as no; maximum-scale that is not a number is read as 0 (W3C's viewport parsing, as Chromium does).
    axe-core's meta-viewport finds only the readable ones (no, a number under 2)."""
    out = []
    for part in re.split(r"[,;]", content):
        key, _, value = part.partition("=")
        key, value = key.strip().lower(), value.strip().lower()
        if key == "user-scalable" and value not in ("yes", "no", "device-width", "device-height") \
                and not _NUMBER.fullmatch(value):
            out.append((key, value))
        elif key == "maximum-scale" and value not in ("device-width", "device-height") \
                and not _NUMBER.fullmatch(value):
            out.append((key, value))
    return out


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")


def evaluate_meta_viewport(title_en: str, artifacts: Artifacts, ctx: CheckContext) -> Verdict | None:
    """axe-core's meta-viewport, and a viewport setting the browser cannot read (ACT rule b4f0c3:
    »user-scalable=invalid« and »maximum-scale=invalid« block zoom like »no« and »0«)."""
    verdict = evaluate_axe_rule("meta-viewport", title_en, artifacts, ctx)
    content = (artifacts.get("page") or {}).get("viewport")
    if not content or (verdict is not None and verdict.outcome == Outcome.FAILED):
        return verdict
    bad = viewport_values_that_block_zoom(content)
    if not bad:
        return verdict
    said = ", ".join(f"{k}={v}" for k, v in bad)
    return Verdict(Outcome.FAILED, (Finding(
        outcome=Outcome.FAILED, target='meta[name="viewport"]',
        html=f'<meta name="viewport" content="{content[:200]}">',
        message={"da": f"Browseren kan ikke læse »{said}« og spærrer derfor for zoom, som om der stod »no« "
                       "eller 0. Fjern indstillingen, eller skriv en gyldig værdi (user-scalable=yes, "
                       "maximum-scale på mindst 2).",
                 "en": f"The browser cannot read »{said}« and so blocks zooming, as if it said »no« or 0. "
                       "Remove the setting or give a valid value (user-scalable=yes, maximum-scale of at "
                       "least 2)."},
        impact=Impact.CRITICAL),))


SPECIAL = {"meta-viewport": evaluate_meta_viewport, "css-orientation-lock": evaluate_orientation_lock,
           "avoid-inline-spacing": evaluate_inline_spacing}


def register_axe_rules() -> None:
    """Every rule of the vendored axe-core (core/data/axe_rules.json) as a check: data, not code.
    Danish texts: axe-core's own Danish locale, and klartjek's (checks/data/axe-da.json) where the
    locale has none, so that every rule reads in one language."""
    danish = json.loads(DANISH.read_text(encoding="utf-8"))["rules"]
    for r in axe_data()["rules"]:
        if r.get("removed"):
            continue
        scs, level, version = wcag_from_tags(r["tags"])
        tags = tuple("axe-experimental" if r["id"] in PROMOTED and t == "experimental" else t for t in r["tags"])
        ours = danish.get(r["id"], {})
        title = {"en": r["title"]["en"], "da": r["title"].get("da") or ours.get("title")}
        description = {"en": r["description"]["en"], "da": r["description"].get("da") or ours.get("description")}
        REGISTRY.register(CheckMeta(
            code=r["code"], name=r["id"], family="axe",
            category=Category.WCAG if scs or level else Category.BEST_PRACTICE,
            title=title, description=description, impact=Impact(r["impact"]) if r["impact"] else None,
            wcag=scs, level=level, wcag_version=version, tags=tags,
            help_url=r["help_url"], aliases=(r["id"],), applies_to=("page", "letter"),
            requires=("axe",), target=TargetKind.CSS, engine_rule=r["id"],
            evaluate=partial(SPECIAL[r["id"]], r["title"]["en"]) if r["id"] in SPECIAL
            else partial(evaluate_axe_rule, r["id"], r["title"]["en"])))

register_axe_rules()
