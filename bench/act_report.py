#!/usr/bin/env python3
"""klartjek's ACT implementation report: W3C's ACT Rules test cases run through klartjek.

The W3C ACT Rules test cases (a read-only copy in ../shared/act-rules, see its README.md) are served
from 127.0.0.1 by klartjek's own static server; one `klartjek audit` run (the real command, with
--block-external) checks every case page; each case is then judged by bench/act-mapping.toml, which
says which klartjek checks implement which ACT rule:

- a *failed* case is **detected** when one of the rule's mapped checks fails on the page;
- a *passed* or *inapplicable* case is a **false alarm** when one of them fails on the page.

Per rule, in W3C's terms: *consistent* (every failed case detected, no false alarm), *partially
consistent* (some detected, no false alarm), *inconsistent* (a false alarm, or no failed case
detected), *untested* (no mapped check, or none of them runs in this configuration).

    .venv/bin/python bench/act_report.py                     # approved rules, profile default
    .venv/bin/python bench/act_report.py --profile quick     # the quick profile
    .venv/bin/python bench/act_report.py --all               # proposed rules too
    .venv/bin/python bench/act_report.py --only 674b10 --only 6a7281   # a few rules: print, write nothing
    .venv/bin/python bench/act_report.py --axe               # bare axe-core with every rule on, judged by the
                                                             # mapping in W3C's axe-core report, + the survey
    .venv/bin/python bench/act_report.py --survey-pages fixtures/site fixtures/site-clean   # the axe rules that
                                                             # are off by default, on whole folders

Results of each configuration are kept in bench/act-results.json (one entry per key: klartjek/default,
klartjek/quick, axe-core/all-rules); docs/act-implementation.md is written from all of them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_ACT_ROOT = ROOT.parent / "shared" / "act-rules"
MAPPING_FILE = ROOT / "bench" / "act-mapping.toml"
RESULTS_FILE = ROOT / "bench" / "act-results.json"
SURVEY_FILE = ROOT / "bench" / "axe-survey.json"
DOC_FILE = ROOT / "docs" / "act-implementation.md"

# the other checkers' reports compared in the doc (implementations/NAME.json)
PEERS = (("axe-core", "axe-core"), ("alfa", "Alfa"), ("qualweb", "QualWeb"), ("sortsite", "SortSite"))
CONSISTENT, PARTIAL, INCONSISTENT, UNTESTED = "consistent", "partially consistent", "inconsistent", "untested"
SHORT = {CONSISTENT: "✔ consistent", PARTIAL: "◐ partial", INCONSISTENT: "✘ inconsistent", UNTESTED: "– untested"}
# why a case went wrong (a note's kind in the mapping; some are found without a note)
KINDS = {
    "selection": "klartjek's selection: the mapped check exists but is not run in this configuration",
    "axe-miss": "axe-core's own miss",
    "axe-false-alarm": "axe-core's own false alarm",
    "own-false-alarm": "a false alarm of klartjek's own check",
    "own-miss": "a miss of klartjek's own check",
    "new-check": "needs one of the new checks (keyboard, layout, hover, motion, language, site)",
    "manual": "cannot be decided automatically: needs a human",
    "not-html": "not an HTML page (SVG, XML): klartjek audits HTML pages",
    "environment": "the test environment (a missing asset, no network)",
    "unexplained": "no note yet in bench/act-mapping.toml",
}


# -- the cases and the mapping ----------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    rule_id: str
    rule_name: str
    testcase_id: str
    title: str
    expected: str                 # passed | failed | inapplicable
    url_path: str
    file_type: str
    approved: bool                # the rule is approved
    sc: tuple[str, ...] = ()
    conformance: tuple[str, ...] = ()   # the criteria a failure fails (not those it only relates to)

    @property
    def short(self) -> str:
        return self.testcase_id[:8]


def load_cases(act_root: Path, scope: str = "approved", only: Iterable[str] = ()) -> list[Case]:
    """The manifest's cases of the approved rules (``scope`` "all": every rule), or of ``only``."""
    only = set(only)
    out = []
    for r in json.loads((act_root / "manifest.json").read_text(encoding="utf-8")):
        if only and r["rule_id"] not in only:
            continue
        if not only and scope == "approved" and not r["rule_approved"]:
            continue
        out.append(Case(r["rule_id"], r["rule_name"], r["testcase_id"], r["testcase_title"], r["expected"],
                        r["url_path"], r.get("file_type") or "html", bool(r["rule_approved"]),
                        tuple(r.get("wcag_success_criteria") or ()), tuple(r.get("wcag_sc_for_conformance") or ())))
    return out


@dataclass
class RuleMap:
    rule_id: str
    name: str = ""
    checks: list[str] = field(default_factory=list)   # check codes or names as written in the mapping
    why: str = ""                                      # what the checks do for this rule, or why none does
    untested: str = ""                                 # kind, for a rule no check implements (manual, new-check)
    awaits: str = ""                                   # the family / criterion a future check must cover
    notes: dict[str, dict[str, str]] = field(default_factory=dict)   # case id prefix → {kind, why}

    def note(self, testcase_id: str) -> dict[str, str] | None:
        for key, note in self.notes.items():
            if testcase_id.startswith(key):
                return note
        return None


def load_mapping(path: Path = MAPPING_FILE) -> dict[str, RuleMap]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for rule_id, entry in (data.get("rules") or {}).items():
        notes = {}
        for key, note in (entry.get("cases") or {}).items():
            note = {"why": note} if isinstance(note, str) else dict(note)
            notes[key] = {"kind": note.get("kind", "unexplained"), "why": note.get("why", "")}
        out[rule_id] = RuleMap(rule_id, entry.get("name", ""), list(entry.get("checks") or []), entry.get("why", ""),
                               entry.get("untested", ""), entry.get("awaits", ""), notes)
    return out


def axe_mapping(act_root: Path) -> dict[str, RuleMap]:
    """The mapping of W3C's axe-core implementation report (its rules per ACT rule), for a bare axe run."""
    data = json.loads((act_root / "implementations" / "axe-core.json").read_text(encoding="utf-8"))
    return {m["ruleId"]: RuleMap(m["ruleId"], m["ruleName"], list(m["procedureNames"]),
                                 "axe-core's own mapping (W3C implementation report)",
                                 "" if m["procedureNames"] else "not in axe-core's report")
            for m in data["actRuleMapping"]}


def resolve(mapping: dict[str, RuleMap], registry=None) -> tuple[dict[str, list[str]], list[str]]:
    """ACT rule → check codes, and a warning for each mapped key that names no check (another
    helper's code not merged yet: a warning, never a failure)."""
    if registry is None:
        import checks  # noqa: F401  (registers every family)
        from checks.registry import REGISTRY as registry
    codes, warnings = {}, []
    for rule_id, rm in mapping.items():
        codes[rule_id] = []
        for key in rm.checks:
            meta = registry.get(key)
            if meta is None:
                warnings.append(f"{rule_id}: mapped check {key!r} does not exist (yet); ignored")
            elif meta.code not in codes[rule_id]:
                codes[rule_id].append(meta.code)
    return codes, warnings


def off_reason(meta, config: dict[str, Any]) -> str:
    """Why the registry's selection leaves a check out under ``config`` (checks/registry.py _wanted)."""
    from checks.registry import LEVEL_ORDER
    tags = set(meta.tags)
    if "experimental" in tags and not config.get("experimental"):
        return "experimental"
    if "deprecated" in tags:
        return "deprecated"
    if meta.category.value == "best-practice" and not config.get("best_practices"):
        return "best-practice"
    if meta.level and LEVEL_ORDER[meta.level] > LEVEL_ORDER[config.get("level", "AA")]:
        return f"level {meta.level}"
    return "not selected"


# -- judging --------------------------------------------------------------------------------------

@dataclass
class Page:
    """What the audit said about one case page: status, and per check code its outcome and findings."""
    status: str = "missing"                 # ok | error | missing
    error: str | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)   # code → {name, outcome, findings}

    def outcome(self, code: str) -> str | None:
        r = self.results.get(code)
        return r["outcome"] if r else None


def pages_of_run(run: dict[str, Any]) -> dict[str, Page]:
    """URL path → Page, from a run's JSON (a document and its aliases: identical responses)."""
    from urllib.parse import urlsplit

    out = {}
    for doc in run["documents"]:
        page = Page(doc["status"], doc.get("error"), {
            r["code"]: {"name": r["name"], "outcome": r["outcome"],
                        "findings": [{"target": f["target"], "outcome": f["outcome"],
                                      "message": (f.get("message") or {}).get("en") or ""}
                                     for f in r["findings"]][:5]}
            for r in doc.get("results") or []})
        for loc in [doc.get("url"), *(doc.get("aliases") or [])]:
            if loc:
                out[urlsplit(loc).path] = page
    return out


@dataclass
class Verdict:
    rule_id: str
    testcase_id: str
    title: str
    expected: str
    result: str                   # detected | missed | false-alarm | ok
    failing: list[str] = field(default_factory=list)      # mapped checks (names) that failed
    review: list[str] = field(default_factory=list)       # mapped checks that need review (cant_tell)
    kind: str = ""                # for a miss or false alarm: KINDS
    why: str = ""
    file_type: str = "html"


def judge_case(case: Case, page: Page, codes: list[str], selected: set[str], rm: RuleMap | None,
               names: dict[str, str], off: dict[str, str]) -> Verdict:
    """One case: which mapped checks failed on its page, and what that means for its expectation."""
    run_codes = [c for c in codes if c in selected]
    failing = [c for c in run_codes if page.outcome(c) == "failed"]
    review = [c for c in run_codes if page.outcome(c) == "cant_tell"]
    if case.expected == "failed":
        result = "detected" if failing else "missed"
    else:
        result = "false-alarm" if failing else "ok"
    v = Verdict(case.rule_id, case.testcase_id, case.title, case.expected, result,
                [names.get(c, c) for c in failing], [names.get(c, c) for c in review], file_type=case.file_type)
    if result in ("detected", "ok"):
        return v
    note = rm.note(case.testcase_id) if rm else None
    if result == "false-alarm":
        found = []
        for c in failing:
            f = next((f for f in page.results[c]["findings"] if f["outcome"] == "failed"), None)
            if f:
                first = f['message'].splitlines()[0] if f['message'] else ''
                found.append(f"{names.get(c, c)} on `{f['target']}`: {first}"
                             .rstrip(": "))
        v.kind = note["kind"] if note else "unexplained"
        v.why = "; ".join(filter(None, [note["why"] if note else "", "; ".join(found)]))
        return v
    # a miss
    if not codes:
        v.kind = (rm.untested if rm and rm.untested else "unexplained")
        v.why = (note["why"] if note else "") or (rm.why if rm else "no mapping")
    elif page.status != "ok":
        v.kind = "not-html" if case.file_type != "html" else (note["kind"] if note else "environment")
        v.why = "; ".join(filter(None, [note["why"] if note else "", f"not audited: {page.error or page.status}"]))
    elif not run_codes:
        v.kind = "selection"
        v.why = "; ".join(filter(None, [
            "mapped check(s) not run: " + ", ".join(f"{names.get(c, c)} ({off.get(c, 'off')})" for c in codes),
            note["why"] if note else ""]))
    else:
        v.kind = note["kind"] if note else "unexplained"
        parts = [note["why"] if note else ""]
        if review:
            parts.append("needs review only: " + ", ".join(names.get(c, c) for c in review))
        unrun = [c for c in codes if c not in selected]
        if unrun:
            parts.append("not run: " + ", ".join(f"{names.get(c, c)} ({off.get(c, 'off')})" for c in unrun))
            if not note:
                v.kind = "selection"
        v.why = "; ".join(filter(None, parts))
    return v


@dataclass
class RuleVerdict:
    rule_id: str
    name: str
    approved: bool
    sc: list[str]
    checks: list[str]             # mapped checks (names), as resolved
    run: list[str]                # of those, the ones run in this configuration
    consistency: str
    failed: int
    detected: int
    passed_inapplicable: int
    false_alarms: int
    review: int                   # failed cases whose mapped checks said only "needs review"
    in_level: bool = True         # a criterion it fails is within the configured level (A, AA)
    manual: bool = False          # the mapping says only a human can judge it
    why: str = ""
    awaits: str = ""


def consistency(failed: int, detected: int, false_alarms: int, tested: bool) -> str:
    """W3C's terms for one rule."""
    if not tested:
        return UNTESTED
    if false_alarms:
        return INCONSISTENT
    if failed and detected == failed:
        return CONSISTENT
    if detected:
        return PARTIAL
    return INCONSISTENT if failed else CONSISTENT


def in_level(conformance: Iterable[str], level: str) -> bool:
    """Does failing the rule fail a criterion at or below ``level``? (A rule without conformance
    criteria — ARIA validity, the secondary rules — counts as within.)"""
    from checks.registry import LEVEL_ORDER
    from core.wcag import criterion

    levels = [(criterion(sc) or {}).get("level", "A") for sc in conformance]
    return not levels or any(LEVEL_ORDER[lv] <= LEVEL_ORDER[level] for lv in levels)


def judge_rule(rule_id: str, cases: list[Case], verdicts: list[Verdict], codes: list[str], selected: set[str],
               rm: RuleMap | None, names: dict[str, str], level: str = "AA") -> RuleVerdict:
    failed = sum(c.expected == "failed" for c in cases)
    detected = sum(v.result == "detected" for v in verdicts)
    alarms = sum(v.result == "false-alarm" for v in verdicts)
    review = sum(v.result == "missed" and bool(v.review) for v in verdicts)
    run = [c for c in codes if c in selected]
    return RuleVerdict(rule_id, cases[0].rule_name, cases[0].approved, list(cases[0].sc),
                       [names.get(c, c) for c in codes],
                       [names.get(c, c) for c in run], consistency(failed, detected, alarms, bool(run)), failed,
                       detected, len(cases) - failed, alarms, review, in_level(cases[0].conformance, level),
                       bool(rm and rm.untested == "manual" and not codes), rm.why if rm else "",
                       rm.awaits if rm else "")


def totals(rules: list[RuleVerdict]) -> dict[str, Any]:
    failed = sum(r.failed for r in rules)
    detected = sum(r.detected for r in rules)
    pi = sum(r.passed_inapplicable for r in rules)
    alarms = sum(r.false_alarms for r in rules)
    tested = [r for r in rules if r.consistency != UNTESTED]
    t_failed = sum(r.failed for r in tested)
    auto = [r for r in rules if r.in_level and not r.manual]
    a_failed, a_detected = sum(r.failed for r in auto), sum(r.detected for r in auto)
    return {"rules": len(rules), "failed": failed, "detected": detected,
            "detected_pct": round(100 * detected / failed, 1) if failed else None,
            "automatable_rules": len(auto), "automatable_failed": a_failed, "automatable_detected": a_detected,
            "automatable_detected_pct": round(100 * a_detected / a_failed, 1) if a_failed else None,
            "passed_inapplicable": pi, "false_alarms": alarms,
            "false_alarm_pct": round(100 * alarms / pi, 1) if pi else None,
            "tested_rules": len(tested), "tested_failed": t_failed,
            "tested_detected_pct": round(100 * detected / t_failed, 1) if t_failed else None,
            "consistency": dict(Counter(r.consistency for r in rules))}


def judge(cases: list[Case], pages: dict[str, Page], mapping: dict[str, RuleMap], config: dict[str, Any],
          registry=None) -> dict[str, Any]:
    """Every case and every rule judged; the figures by scope (approved, proposed)."""
    if registry is None:
        import checks  # noqa: F401
        from checks.registry import REGISTRY as registry
    codes, warnings = resolve(mapping, registry)
    selected = {m.code for m in registry.select(config, "page")}
    names, off = {}, {}
    for cs in codes.values():
        for c in cs:
            meta = registry.get(c)
            names[c] = meta.name
            if c not in selected:
                off[c] = off_reason(meta, config)
    by_rule: dict[str, list[Case]] = {}
    for c in cases:
        by_rule.setdefault(c.rule_id, []).append(c)
    verdicts, rules = [], []
    for rule_id, rcases in by_rule.items():
        rm = mapping.get(rule_id)
        if rm is None:
            warnings.append(f"{rule_id}: no entry in the mapping (add one, with checks = [] and why)")
        rc = codes.get(rule_id, [])
        vs = [judge_case(c, pages.get(c.url_path, Page()), rc, selected, rm, names, off) for c in rcases]
        verdicts += vs
        rules.append(judge_rule(rule_id, rcases, vs, rc, selected, rm, names, config.get("level", "AA")))
    return {"warnings": warnings,
            "totals": {"approved": totals([r for r in rules if r.approved]),
                       "proposed": totals([r for r in rules if not r.approved])},
            "rules": [asdict(r) for r in rules], "cases": [asdict(v) for v in verdicts],
            "kinds": dict(Counter(v.kind for v in verdicts if v.result in ("missed", "false-alarm")))}


# -- the audit ------------------------------------------------------------------------------------

def audit(act_root: Path, cases: list[Case], settings: dict[str, Any], workers: int | None = None,
          keep: Path | None = None) -> tuple[dict[str, Any], float]:
    """One `klartjek audit` of every case page (served by klartjek's static server on 127.0.0.1,
    --block-external); the run's JSON and the seconds it took."""
    from audit.targets import StaticServer

    server = StaticServer(act_root)
    try:
        base = server.base_url.rstrip("/")
        urls = list(dict.fromkeys(base + c.url_path for c in cases))
        work = Path(tempfile.mkdtemp(prefix="klartjek-act-")) if keep is None else keep
        work.mkdir(parents=True, exist_ok=True)
        cfg = {"targets": urls, "block_external": True, "screenshots": "off", "fail_on": "none", "timeout": 20,
               **({"workers": workers} if workers else {}), **settings}
        (work / "klartjek.toml").write_text(_toml(cfg), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KLARTJEK_") or k == "KLARTJEK_CHROMIUM"}
        env["PYTHONPATH"] = str(ROOT)
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "cli", "audit", "--config", str(work / "klartjek.toml"),
                               "--json", str(work / "run.json"), "--db", str(work / "history.sqlite"), "-q"],
                              cwd=work, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        if not (work / "run.json").exists():
            raise SystemExit(f"klartjek audit failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        run = json.loads((work / "run.json").read_text(encoding="utf-8"))
        run["_base"] = base
        return run, seconds
    finally:
        server.close()


def _toml(cfg: dict[str, Any]) -> str:
    lines, tables = [], []
    for key, value in cfg.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for key, value in tables:
        lines.append(f"[{key}]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in value.items()]
    return "\n".join(lines) + "\n"


CONFIGS = {
    # key → (klartjek settings, the mapping to judge with)
    "klartjek/default": ({"profile": "default"}, "klartjek"),
    "klartjek/quick": ({"profile": "quick"}, "klartjek"),
    # what klartjek can find when asked for every level (AAA rules such as enhanced contrast included)
    "klartjek/default-AAA": ({"profile": "default", "level": "AAA"}, "klartjek"),
    # bare axe-core: every rule it has (experimental, best practice, AAA), judged by its own report's mapping
    "axe-core/all-rules": ({"profile": "quick", "level": "AAA", "experimental": True, "best_practices": True,
                            "klarsprog": {"enabled": False}}, "axe"),
}


def selected_config(run: dict[str, Any]) -> dict[str, Any]:
    """The run's effective configuration (its JSON records it), for the registry's selection."""
    from audit.config import defaults

    cfg = defaults()
    for k, v in (run.get("config") or {}).items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k] = {**cfg[k], **v}
        else:
            cfg[k] = v
    return cfg


# -- survey of the axe rules that are off by default ------------------------------------------------

# best-practice rules the issue names besides those an ACT rule maps to
NAMED_CANDIDATES = ("meta-viewport-large",)


def candidate_rules(act_root: Path, mapping: dict[str, RuleMap]) -> dict[str, dict[str, Any]]:
    """Every axe rule the default selection does not run: name → facts, with its group: "wcag" (a
    WCAG tag: off as experimental, deprecated or above the level), "act" (best practice, but an ACT
    rule maps to it — in klartjek's mapping or in axe-core's report — or the issue names it), or
    "best-practice" (the rest)."""
    import checks  # noqa: F401
    from audit.config import defaults
    from checks.registry import REGISTRY

    cfg = defaults()
    on = {m.code for m in REGISTRY.select(cfg, "page")}
    act_of: dict[str, set[str]] = {}
    for rm in [*mapping.values(), *axe_mapping(act_root).values()]:
        for key in rm.checks:
            meta = REGISTRY.get(key)
            if meta is not None:
                act_of.setdefault(meta.name, set()).add(rm.rule_id)
    out = {}
    for meta in REGISTRY:
        if meta.family != "axe" or meta.code in on:
            continue
        wcag_tag = any(t.startswith("wcag") and t[4:5].isdigit() for t in meta.tags) or bool(meta.wcag)
        group = ("wcag" if wcag_tag else "act" if meta.name in act_of or meta.name in NAMED_CANDIDATES
                 else "best-practice")
        tags = [t for t in meta.tags
                if not t.startswith(("cat.", "TT", "EN-", "ACT", "RGAA", "section")) and t != "axe"]
        out[meta.name] = {"code": meta.code, "group": group, "tags": tags, "wcag": list(meta.wcag),
                          "level": meta.level, "why_off": off_reason(meta, cfg),
                          "act_rules": sorted(act_of.get(meta.name, ())), "title": meta.title.get("en")}
    return out


def survey(run: dict[str, Any], cases: list[Case], candidates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each candidate's failures on the ACT cases: on failed cases (what it catches) and on passed
    and inapplicable cases of every rule (potential false alarms, listed)."""
    pages = pages_of_run(run)
    out = {}
    for name, facts in candidates.items():
        code = facts["code"]
        hits: dict[str, list[str]] = {"failed": [], "passed": [], "inapplicable": []}
        review = 0
        for c in cases:
            page = pages.get(c.url_path, Page())
            if page.outcome(code) == "failed":
                hits[c.expected].append(f"{c.rule_id}/{c.short}")
            elif page.outcome(code) == "cant_tell":
                review += 1
        own = [h for h in hits["passed"] + hits["inapplicable"] if h.split("/")[0] in facts["act_rules"]]
        out[name] = {**facts, "fails_on_failed": len(hits["failed"]), "fails_on_passed": hits["passed"],
                     "fails_on_inapplicable": hits["inapplicable"], "needs_review": review,
                     "false_alarms_own_rules": own,
                     "detected_own_rules": sorted(h for h in hits["failed"] if h.split("/")[0] in facts["act_rules"])}
    return out


def survey_pages(folders: list[Path], candidates: dict[str, dict[str, Any]], workers: int | None) -> dict[str, Any]:
    """The candidates' failed findings on every page of whole folders (fixtures, the bench site),
    from one audit with every axe rule on."""
    work = Path(tempfile.mkdtemp(prefix="klartjek-survey-"))
    cfg = {"targets": [str(f.resolve()) for f in folders], "block_external": True, "screenshots": "off",
           "fail_on": "none", "level": "AAA", "experimental": True, "best_practices": True, "profile": "quick",
           "klarsprog": {"enabled": False}, **({"workers": workers} if workers else {})}
    (work / "klartjek.toml").write_text(_toml(cfg), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLARTJEK_") or k == "KLARTJEK_CHROMIUM"}
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run([sys.executable, "-m", "cli", "audit", "--config", str(work / "klartjek.toml"), "--json",
                    str(work / "run.json"), "--db", str(work / "h.sqlite"), "-q"], cwd=work, env=env,
                   capture_output=True, text=True)
    run = json.loads((work / "run.json").read_text(encoding="utf-8"))
    codes = {f["code"]: n for n, f in candidates.items()}
    found: dict[str, list[str]] = {n: [] for n in candidates}
    review: dict[str, int] = {n: 0 for n in candidates}
    pages = 0
    for doc in run["documents"]:
        if doc["kind"] != "page" or doc["status"] != "ok":
            continue
        pages += 1
        where = _shown(doc.get("path") or doc.get("url") or "")
        for r in doc["results"]:
            if r["code"] in codes:
                review[codes[r["code"]]] += r["outcome"] == "cant_tell"
                for f in r["findings"]:
                    if f["outcome"] == "failed":
                        found[codes[r["code"]]].append(f"{where} {f['target']}")
    return {"folders": [_shown(str(f)) for f in folders], "pages": pages, "failed": found,
            "pages_needing_review": review}


def _shown(path: str) -> str:
    """A path below the repository relative to it; a temporary folder as <tmp>/…."""
    for base, label in ((str(ROOT) + "/", ""), (tempfile.gettempdir() + "/", "<tmp>/")):
        if path.startswith(base):
            return label + path[len(base):]
    return path


# -- the document ------------------------------------------------------------------------------------

def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f} %"


def peer_consistency(act_root: Path) -> dict[str, dict[str, str]]:
    """implementation key → ACT rule → consistency in W3C's terms (from its published report)."""
    out = {}
    for key, _label in PEERS:
        data = json.loads((act_root / "implementations" / f"{key}.json").read_text(encoding="utf-8"))
        per = {}
        for m in data["actRuleMapping"]:
            c = m.get("consistency")
            per[m["ruleId"]] = (CONSISTENT if c == "complete" else PARTIAL if c == "partial"
                                else INCONSISTENT if m.get("procedureNames") else UNTESTED)
        out[key] = {"rules": per, "version": data.get("version", "")}
    return out


def render(results: dict[str, Any], act_root: Path, mapping: dict[str, RuleMap]) -> str:
    main_key = "klartjek/default" if "klartjek/default" in results else sorted(results)[0]
    main = results[main_key]
    peers = peer_consistency(act_root)
    L = []
    add = L.append
    add("# klartjek's ACT implementation report")
    add("")
    add("Written by `bench/act_report.py` from `bench/act-results.json`: do not edit by hand. W3C's "
        "[ACT Rules](https://www.w3.org/WAI/standards-guidelines/act/rules/) test cases (a copy at commit "
        f"`{main['meta']['act_commit'][:12]}`) run through klartjek's real pipeline: one `klartjek audit` of every "
        "case page, served from 127.0.0.1 with `--block-external`. Each case is judged by "
        "`bench/act-mapping.toml` (ACT rule → the klartjek checks that implement it): a *failed* case is "
        "**detected** when a mapped check fails on the page; a *passed* or *inapplicable* case is a **false "
        "alarm** when a mapped check fails on it. A check that only says *needs review* neither detects nor "
        "raises a false alarm.")
    add("")
    add("Per rule, in W3C's terms: **consistent** — every failed case detected, no false alarm; **partially "
        "consistent** — some detected, no false alarm; **inconsistent** — a false alarm, or no failed case "
        "detected; **untested** — no klartjek check implements the rule, or none of those that do runs in the "
        "configuration.")
    add("")
    add("## Totals")
    add("")
    add("| configuration | klartjek | axe-core | date | rules | failed cases detected | … of the automatable rules "
        "within the level | false alarms (passed + inapplicable cases) | consistent / partial / inconsistent / "
        "untested | audit time |")
    add("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(results):
        r = results[key]
        for scope in ("approved", "proposed"):
            t = r["totals"].get(scope)
            if not t or not t["rules"]:
                continue
            c = t["consistency"]
            add(f"| `{key}` {scope} | {r['meta']['klartjek_version']} | {r['meta']['axe_version']} | "
                f"{r['meta']['date']} | {t['rules']} | {t['detected']}/{t['failed']} = "
                f"**{_pct(t['detected_pct'])}** | {t['automatable_detected']}/{t['automatable_failed']} = "
                f"**{_pct(t['automatable_detected_pct'])}** ({t['automatable_rules']} rules)"
                f" | {t['false_alarms']}/{t['passed_inapplicable']} = **{_pct(t['false_alarm_pct'])}** | "
                f"{c.get(CONSISTENT, 0)} / {c.get(PARTIAL, 0)} / {c.get(INCONSISTENT, 0)} / {c.get(UNTESTED, 0)} | "
                f"{r['meta']['seconds']:.0f} s |")
    add("")
    add("`klartjek/default` and `klartjek/quick`: klartjek's default configuration (WCAG 2.2 A + AA) with that "
        "profile, judged by klartjek's mapping; `klartjek/default-AAA`: the default profile at level AAA (what "
        "klartjek can find when asked for every level). `axe-core/all-rules`: the same axe-core with every rule on "
        "(experimental, best practice, AAA), judged by the mapping of W3C's axe-core report (its own rules per "
        "ACT rule) — what axe-core alone does on these cases. *Failed cases detected* counts over every failed "
        "case of the rules in scope, untested rules included. *… of the automatable rules within the level* leaves "
        "out the rules only a human can judge (descriptive titles and image names, images of text …) and those whose "
        "failure fails only a criterion above the configured level (AAA, for klartjek's level AA): the rules a "
        "checker at this level should detect, whether it does yet or not.")
    add("")
    add("Reproduce (from the repository, with ../shared/act-rules present):")
    add("")
    add("```")
    for key in sorted(results):
        add(results[key]["meta"]["command"])
    add("```")
    add("")
    kinds = Counter()
    for v in main["cases"]:
        if v["result"] in ("missed", "false-alarm"):
            kinds[(v["result"], v["kind"])] += 1
    if kinds:
        add(f"## Why cases go wrong (`{main_key}`)")
        add("")
        add("| what | kind | cases |")
        add("|---|---|---|")
        for (res, kind), n in sorted(kinds.items(), key=lambda kv: (kv[0][0], -kv[1])):
            add(f"| {'miss' if res == 'missed' else 'false alarm'} | {KINDS.get(kind, kind)} | {n} |")
        add("")
    for scope, title in (("approved", "Approved rules"), ("proposed", "Proposed rules")):
        rules = [r for r in main["rules"] if r["approved"] == (scope == "approved")]
        if not rules:
            continue
        add(f"## {title} (`{main_key}`)")
        add("")
        add("| ACT rule | SC | klartjek | detected | false alarms | klartjek checks | "
            + " | ".join(label for _k, label in PEERS) + " |")
        add("|---|---|---|---|---|---|" + "---|" * len(PEERS))
        for r in sorted(rules, key=lambda r: r["name"].lower()):
            peer = " | ".join(SHORT[peers[k]["rules"].get(r["rule_id"], UNTESTED)] for k, _l in PEERS)
            checks = ", ".join(f"`{c}`" + ("" if c in r["run"] else " (off)") for c in r["checks"]) or "–"
            scope_mark = " (manual)" if r["manual"] else "" if r["in_level"] else " (AAA)"
            add(f"| [{r['name']}](https://www.w3.org/WAI/standards-guidelines/act/rules/{r['rule_id']}/) "
                f"`{r['rule_id']}` | {', '.join(r['sc']) or '–'} | {SHORT[r['consistency']]} | "
                f"{r['detected']}/{r['failed']}{scope_mark} | {r['false_alarms']}/{r['passed_inapplicable']} | "
                f"{checks} | {peer} |")
        add("")
        add("*(off)*: a mapped check klartjek's default selection does not run; *(manual)*: a rule only a human can "
            "judge; *(AAA)*: a rule whose failure fails only AAA criteria. Peers: W3C's published implementation "
            "reports (" + ", ".join(f"{label} {peers[k]['version']}" for k, label in PEERS) + ").")
        add("")
        add("### Each rule: what implements it, and every miss and false alarm")
        add("")
        by_rule: dict[str, list[dict[str, Any]]] = {}
        for v in main["cases"]:
            by_rule.setdefault(v["rule_id"], []).append(v)
        for r in sorted(rules, key=lambda r: r["name"].lower()):
            add(f"**{r['name']}** (`{r['rule_id']}`): {r['consistency']}, {r['detected']} of {r['failed']} failed "
                f"cases detected, {r['false_alarms']} false alarm(s) on {r['passed_inapplicable']} passed and "
                "inapplicable cases." + (f" {r['why']}" if r["why"] else "")
                + (f" Awaits: {r['awaits']}." if r.get("awaits") else ""))
            bad = [v for v in by_rule.get(r["rule_id"], []) if v["result"] in ("missed", "false-alarm")]
            if bad:
                add("")
                for v in bad:
                    what = "missed" if v["result"] == "missed" else "false alarm"
                    add(f"- `{v['testcase_id'][:8]}` {v['title']} — {what} ({v['kind']}): {v['why'] or '–'}")
            add("")
    add("## The mapping")
    add("")
    add("`bench/act-mapping.toml`: per ACT rule the klartjek checks (codes or names) that implement it and why, "
        "or why none does (`untested`: manual — a human must judge; new-check — a check still to come, with the "
        "criterion), and a note per case that goes wrong (`[rules.ID.cases]`: kind and one line). A mapped code "
        "that does not exist (yet) is a warning, not an error.")
    add("")
    return "\n".join(L)


# -- main -------------------------------------------------------------------------------------------

def run_key(key: str, act_root: Path, scope: str, only: list[str], workers: int | None, keep: Path | None,
            mapping: dict[str, RuleMap], run_json: Path | None = None
            ) -> tuple[dict[str, Any], dict[str, Any], list[Case]]:
    from core import __version__

    settings, which = CONFIGS[key]
    cases = load_cases(act_root, scope, only)
    if run_json:
        run = json.loads(run_json.read_text(encoding="utf-8"))
        seconds = (dt.datetime.fromisoformat(run["ended_at"].replace("Z", "+00:00"))
                   - dt.datetime.fromisoformat(run["started_at"].replace("Z", "+00:00"))).total_seconds()
    else:
        run, seconds = audit(act_root, cases, settings, workers, keep)
    pages = pages_of_run(run)
    used = mapping if which == "klartjek" else axe_mapping(act_root)
    config = selected_config(run)
    result = judge(cases, pages, used, config)
    summary = json.loads((act_root / "summary.json").read_text(encoding="utf-8"))
    args = {"klartjek/default": [], "klartjek/quick": ["--profile", "quick"],
            "klartjek/default-AAA": ["--level", "AAA"]}.get(key, ["--axe"])
    result["meta"] = {"key": key, "date": dt.date.today().isoformat(), "klartjek_version": run.get("klartjek_version")
                      or __version__, "axe_version": run.get("axe_version"),
                      "browser_version": run.get("browser_version"),
                      "scope": "only " + ",".join(only) if only else scope, "seconds": round(seconds, 1),
                      "pages": len(run["documents"]), "act_commit": summary["source"]["commit"],
                      "command": " ".join([".venv/bin/python bench/act_report.py", *args,
                                           *(["--all"] if scope == "all" and key != "axe-core/all-rules" else [])]),
                      "settings": settings}
    return result, run, cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--act-root", type=Path, default=DEFAULT_ACT_ROOT,
                    help="the ACT Rules copy (default ../shared/act-rules)")
    ap.add_argument("--all", action="store_true", help="proposed rules too")
    ap.add_argument("--profile", choices=("quick", "default"), default="default")
    ap.add_argument("--only", action="append", default=[], metavar="RULE_ID", help="only these ACT rules (repeatable); "
                    "prints the verdicts and writes nothing")
    ap.add_argument("--axe", action="store_true", help="bare axe-core, every rule on, every case (approved and "
                    "proposed), judged by axe-core's report; also the survey of the axe rules off by default")
    ap.add_argument("--survey-pages", nargs="+", type=Path, metavar="DIR", help="the axe rules off by default, on "
                    "every page of these folders (one audit with every rule on); adds to bench/axe-survey.json")
    ap.add_argument("--level", choices=("AA", "AAA"), default="AA", help="AAA: klartjek at every level "
                    "(the result is kept as klartjek/default-AAA)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="keep the audit's files (config, run JSON) in this folder")
    ap.add_argument("--run-json", type=Path, default=None, help="judge a run JSON written before instead of auditing")
    ap.add_argument("--mapping", type=Path, default=MAPPING_FILE)
    ap.add_argument("--results", type=Path, default=RESULTS_FILE)
    ap.add_argument("--doc", type=Path, default=DOC_FILE)
    args = ap.parse_args(argv)

    act_root = args.act_root.resolve()
    if not (act_root / "manifest.json").is_file():
        print(f"no ACT Rules copy at {act_root} (manifest.json); give --act-root", file=sys.stderr)
        return 2
    mapping = load_mapping(args.mapping)
    stored = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}

    if args.survey_pages:
        cands = candidate_rules(act_root, mapping)
        started = time.monotonic()
        res = survey_pages(args.survey_pages, cands, args.workers)
        res["seconds"] = round(time.monotonic() - started, 1)
        data = json.loads(SURVEY_FILE.read_text(encoding="utf-8")) if SURVEY_FILE.exists() else {}
        data.setdefault("pages", {})[" ".join(res["folders"])] = res
        SURVEY_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for name, hits in res["failed"].items():
            print(f"{name:34} {len(hits):4} failed finding(s), {res['pages_needing_review'][name]:4} page(s) needing "
                  f"review, of {res['pages']} pages" + (f": {hits[:6]}" if hits else ""))
        return 0

    key = ("axe-core/all-rules" if args.axe else f"klartjek/{args.profile}"
           + ("-AAA" if args.level == "AAA" and args.profile == "default" else ""))
    scope = "all" if (args.all or args.axe) else "approved"
    result, run, cases = run_key(key, act_root, scope, args.only, args.workers, args.keep, mapping, args.run_json)
    for w in result["warnings"]:
        print("warning:", w, file=sys.stderr)
    for scope_name, t in result["totals"].items():
        if t["rules"]:
            print(f"{key} {scope_name}: {t['rules']} rules, detected {t['detected']}/{t['failed']} "
                  f"({_pct(t['detected_pct'])}; automatable within the level {t['automatable_detected']}/"
                  f"{t['automatable_failed']} {_pct(t['automatable_detected_pct'])}), false alarms "
                  f"{t['false_alarms']}/{t['passed_inapplicable']} ({_pct(t['false_alarm_pct'])}), {t['consistency']}")
    print(f"audit: {result['meta']['pages']} documents in {result['meta']['seconds']:.0f} s")
    if args.only:
        for v in result["cases"]:
            if v["result"] in ("missed", "false-alarm"):
                print(f"  {v['rule_id']} {v['testcase_id'][:8]} {v['title']}: {v['result']} ({v['kind']}) {v['why']}")
        return 0
    if args.axe:
        cands = candidate_rules(act_root, mapping)
        all_cases = load_cases(act_root, "all")
        data = json.loads(SURVEY_FILE.read_text(encoding="utf-8")) if SURVEY_FILE.exists() else {}
        data["act"] = {"meta": result["meta"], "rules": survey(run, all_cases, cands)}
        SURVEY_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        for name, s in data["act"]["rules"].items():
            print(f"{name:34} {s['group']:13} {s['why_off']:13} fails on failed {s['fails_on_failed']:3} "
                  f"(own rules {len(s['detected_own_rules'])}), on passed+inapplicable "
                  f"{len(s['fails_on_passed']) + len(s['fails_on_inapplicable'])} (own rules "
                  f"{len(s['false_alarms_own_rules'])}: {s['false_alarms_own_rules'][:4]}) "
                  f"{(s['fails_on_passed'] + s['fails_on_inapplicable'])[:6]}")
    stored[key] = result
    args.results.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    args.doc.write_text(render(stored, act_root, mapping), encoding="utf-8")
    unexplained = [v for v in result["cases"] if v["kind"] == "unexplained"]
    if unexplained and key.startswith("klartjek"):
        print(f"{len(unexplained)} miss(es) or false alarm(s) without a note in {args.mapping.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
