"""Gates CI can trust: suppressions, baselines, the gate itself, and the diff of two runs.

Pure functions of stored runs and the configuration (docs/gates.md).

A finding's *baseline key* is its check code, its document's place in the site (``key_location``:
the path below the audited folder, or the URL's path and query — the same from any working
directory, after the folder moved, and on any host that serves the site) and a target robust to
small DOM changes: positional parts of the selector (``:nth-child(3)``,
``:nth-of-type(2)``) are dropped, so inserting an item above an element does not make its old
finding "fixed" and a new one "new"; text findings use their excerpt. Keys are compared as
multisets per document: a fix and a new regression on the same page never cancel out unless they
are the very same problem.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UsageError
from core.model import Finding, Run, impact_rank

BASELINE_VERSION = 2       # 2: keys by the document's place in the site; 1: by its path or URL as audited
_POSITIONAL = re.compile(r":nth-(?:child|of-type|last-child|last-of-type)\([^)]*\)")


def stable_target(target: str) -> str:
    return " ".join(_POSITIONAL.sub("", target or "").split())


def normalised_location(location: str) -> str:
    if location.startswith(("http://", "https://")):
        from audit.crawl import normalise

        return normalise(location)
    return location


def baseline_key(code: str, key_location: str, f: Finding) -> str:
    target = f.excerpt if f.span is not None and f.excerpt is not None else stable_target(f.target)
    raw = f"{code}\x1f{key_location}\x1f{target}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def legacy_key(code: str, location: str, f: Finding) -> str:
    """The key a version 1 baseline holds: by the path relative to the working directory where the
    audit ran (or the normalised URL)."""
    return baseline_key(code, normalised_location(location), f)


@dataclass
class Baseline:
    version: int
    keys: Counter


@dataclass
class Item:
    """One failed finding with what the gate needs to judge and show it."""
    key: str
    code: str
    name: str
    location: str
    impact: str | None
    target: str
    excerpt: str | None
    suppressed_by: int | None = None       # index of the [[ignore]] entry that covers it
    legacy: str = ""                        # the key a version 1 baseline would hold
    key_location: str = ""

    def label(self) -> str:
        where = f"»{self.excerpt}«" if self.excerpt is not None else self.target
        return f"{self.code} {self.name} ({self.impact or '-'}) {self.location} {where}"


def failed_items(run: Run) -> list[Item]:
    items = []
    for doc in run.documents:
        if doc.status != "ok":
            continue
        for res in doc.results:
            for f in res.failures:
                items.append(Item(baseline_key(res.code, doc.key_location, f), res.code, res.name, doc.location,
                                  f.impact or res.impact, f.target, f.excerpt if f.span is not None else None,
                                  legacy=legacy_key(res.code, doc.location, f), key_location=doc.key_location))
    return items


# --- suppressions -----------------------------------------------------------------------------

def _suppression_covers(s: dict[str, Any], item: Item) -> bool:
    from checks import REGISTRY

    meta = REGISTRY.get(s["code"])
    code_ok = item.code == (meta.code if meta else s["code"])
    url_ok = fnmatch.fnmatch(item.location, s["url"]) or fnmatch.fnmatch(normalised_location(item.location), s["url"])
    sel_ok = not s.get("selector") or stable_target(s["selector"]) == stable_target(item.target) \
        or s["selector"] == item.target
    return code_ok and url_ok and sel_ok


def apply_suppressions(items: list[Item], suppressions: list[dict[str, Any]], today: dt.date | None = None
                       ) -> tuple[list[str], list[str]]:
    """Mark suppressed items; (reasons the gate fails for: expired suppressions that still match,
    warnings: suppressions that matched nothing)."""
    today = today or dt.date.today()
    failures, warnings = [], []
    for i, s in enumerate(suppressions):
        expired = dt.date.fromisoformat(s["expires"]) < today
        hits = [it for it in items if it.suppressed_by is None and _suppression_covers(s, it)]
        what = f"suppression #{i + 1} ({s['code']} on {s['url']}{' ' + s['selector'] if s.get('selector') else ''})"
        if expired:
            failures.append(f"{what} expired on {s['expires']}: fix the {len(hits)} finding(s) it covers, "
                            "or renew it with a new date and reason" if hits else
                            f"{what} expired on {s['expires']} and covers nothing: remove it")
            continue
        for it in hits:
            it.suppressed_by = i
        if not hits:
            warnings.append(f"{what} matched no finding: remove it if the problem is fixed")
    return failures, warnings


# --- baselines --------------------------------------------------------------------------------

def baseline_from_run(run: Run) -> dict[str, Any]:
    items = failed_items(run)
    items.sort(key=lambda it: (it.key_location, it.code, it.target, it.excerpt or ""))
    return {"klartjek_baseline": BASELINE_VERSION, "run": run.id, "created": run.ended_at or run.started_at,
            "findings": [{"key": it.key, "code": it.code, "location": it.key_location, "target": it.target,
                          **({"excerpt": it.excerpt} if it.excerpt is not None else {})} for it in items]}


def write_baseline(run: Run, path: Path) -> int:
    from core.files import write_atomic

    data = baseline_from_run(run)
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return len(data["findings"])


BASELINE_MAX_BYTES = 200_000_000


def read_baseline(path: Path) -> Baseline:
    from core.files import FileReadError, read_bounded

    try:
        data = json.loads(read_bounded(path, BASELINE_MAX_BYTES).decode("utf-8"))
    except FileReadError as exc:
        raise UsageError(f"{path}: cannot read the baseline ({exc.reason}); "
                         "make one with `klartjek baseline save RUN_ID`") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a klartjek baseline (not UTF-8 text); "
                         "make one with `klartjek baseline save RUN_ID`") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not a klartjek baseline (invalid JSON: {exc.msg}); "
                         "make one with `klartjek baseline save RUN_ID`") from None
    version = data.get("klartjek_baseline") if isinstance(data, dict) else None
    if version not in (1, BASELINE_VERSION):
        raise UsageError(f"{path}: not a klartjek baseline (version 1 or {BASELINE_VERSION}); "
                         "make one with `klartjek baseline save RUN_ID`")
    return Baseline(version, Counter(f["key"] for f in data.get("findings") or []))


# --- the gate ---------------------------------------------------------------------------------

@dataclass
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)       # why it failed, every one
    warnings: list[str] = field(default_factory=list)
    new: list[Item] = field(default_factory=list)          # at or above the threshold, not in the baseline
    below: list[Item] = field(default_factory=list)        # new, but below the threshold
    known: int = 0                                          # in the baseline
    suppressed: int = 0


def gate(run: Run, config: dict[str, Any], baseline: Baseline | None = None, today: dt.date | None = None
         ) -> GateResult:
    """Judge a run. A version 1 baseline is matched by the keys it was written with (a baseline
    saved again is version 2)."""
    items = failed_items(run)
    legacy = baseline is not None and baseline.version == 1
    res = GateResult(passed=True)
    expired, res.warnings = apply_suppressions(items, config.get("ignore") or [], today)
    res.reasons += expired
    remaining = Counter(baseline.keys if baseline else {})
    floor = impact_rank(config["fail_on"]) if config["fail_on"] != "none" else None
    for it in sorted(items, key=lambda x: (x.location, x.code, x.target)):
        if it.suppressed_by is not None:
            res.suppressed += 1
            continue
        key = it.legacy if legacy else it.key
        if remaining[key] > 0:
            remaining[key] -= 1
            res.known += 1
            continue
        if floor is not None and impact_rank(it.impact) >= floor:
            res.new.append(it)
        else:
            res.below.append(it)
    if res.new:
        res.reasons.append(f"{len(res.new)} new finding(s) at or above '{config['fail_on']}' not in the baseline")
    g = config["gate"]
    if g["min_score"] and (run.score is None or run.score < g["min_score"]):
        res.reasons.append(f"WCAG score {run.score if run.score is not None else '–'} is below min_score "
                           f"{g['min_score']:g}")
    if g["min_plain_score"] and run.plain_score is not None and run.plain_score < g["min_plain_score"]:
        res.reasons.append(f"plain-language score {run.plain_score} is below min_plain_score "
                           f"{g['min_plain_score']:g}")
    if g["max_lix"]:
        for doc in run.documents:
            lix = (doc.readability or {}).get("lix")
            if lix is not None and lix > g["max_lix"]:
                res.reasons.append(f"LIX {lix:g} of {doc.name} is above max_lix {g['max_lix']:g}")
    for reason, level in assertion_failures(run, config.get("assertions") or []):
        (res.reasons if level == "error" else res.warnings).append(reason)
    errors = [d for d in run.documents if d.status == "error"]
    if errors or run.status != "complete":
        res.reasons.append(f"the run is {run.status}: {len(errors)} document(s) could not be audited")
    res.passed = not res.reasons
    return res


def assertion_failures(run: Run, assertions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(reason, level) for every assertion a matching document breaks; level error fails the gate,
    warn only warns, off is never asked."""
    from audit.config import assertion_matches

    out = []
    for i, a in enumerate(assertions, 1):
        if a["level"] == "off":
            continue
        what = f"assertion #{i} ({a['url']})"
        for doc in run.documents:
            if doc.status != "ok" or not assertion_matches(a, doc.location, doc.site_path):
                continue
            if "min_score" in a and (doc.score is None or doc.score < a["min_score"]):
                out.append((f"{what}: WCAG score {doc.score if doc.score is not None else '–'} of {doc.name} "
                            f"is below {a['min_score']:g}", a["level"]))
            if "min_plain_score" in a and doc.plain_score is not None and doc.plain_score < a["min_plain_score"]:
                out.append((f"{what}: plain-language score {doc.plain_score} of {doc.name} is below "
                            f"{a['min_plain_score']:g}", a["level"]))
            lix = (doc.readability or {}).get("lix")
            if "max_lix" in a and lix is not None and lix > a["max_lix"]:
                out.append((f"{what}: LIX {lix:g} of {doc.name} is above {a['max_lix']:g}", a["level"]))
            for code in a.get("checks_pass", []):
                res = next((r for r in doc.results if r.code == code), None)
                if res is not None and res.failures:
                    out.append((f"{what}: {code} {res.name} fails on {doc.name} ({len(res.failures)} "
                                "finding(s))", a["level"]))
    return out


# --- diff -------------------------------------------------------------------------------------

def diff(a: Run, b: Run) -> list[dict[str, Any]]:
    """Per document (by its place in the site): new, fixed and unchanged findings, score change."""
    def by_doc(run: Run) -> dict[str, tuple[Any, Counter, dict[str, Item]]]:
        out: dict[str, tuple[Any, Counter, dict[str, Item]]] = {}
        for doc in run.documents:
            out[doc.key_location] = (doc, Counter(), {})
        for it in failed_items(run):
            doc, keys, examples = out[it.key_location]
            keys[it.key] += 1
            examples.setdefault(it.key, it)
        return out

    da, db = by_doc(a), by_doc(b)
    rows = []
    for loc in sorted(set(da) | set(db)):
        doc_a, keys_a, ex_a = da.get(loc, (None, Counter(), {}))
        doc_b, keys_b, ex_b = db.get(loc, (None, Counter(), {}))
        new = keys_b - keys_a
        fixed = keys_a - keys_b
        same = keys_a & keys_b
        rows.append({"location": (doc_b or doc_a).location,
                     "score": (doc_a.score if doc_a else None, doc_b.score if doc_b else None),
                     "plain_score": (doc_a.plain_score if doc_a else None, doc_b.plain_score if doc_b else None),
                     "new": [ex_b[k] for k in sorted(new.elements())],
                     "fixed": [ex_a[k] for k in sorted(fixed.elements())],
                     "unchanged": sum(same.values()),
                     "only_in": "a" if doc_b is None else "b" if doc_a is None else None})
    return rows
