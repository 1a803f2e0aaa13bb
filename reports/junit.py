"""JUnit XML, for CI systems that show test results (GitLab, Azure Pipelines, Jenkins).

One <testsuite> per document; in it one <testcase> per category of the checks that ran on it (wcag,
best-practice, letter-structure, digital-post, plain-language, letter-content: core.model.Category).
A testcase fails when the category has failed findings on the document; the failure's text lists
every one (check, impact, selector, place or excerpt, message). A document that could not be
audited is one testcase "audit" with <error>; one found but not checked (an old .doc letter) is
<skipped>. Findings that need review go to <system-out>.

The states of a journey (Document.journey, docs/journeys.md) are one <testsuite> per journey, named
by the journey, where it first appears among the documents; in it one <testcase> per audited state
(name: the state, classname: the journey), failing when the state has failed findings (all listed,
as above), <error> when a step stopped the journey before the state (its message), <skipped> when
not checked. The states' needs-review lines, each after its state's name, go to the suite's
<system-out>. Valid against the Ant JUnit schema (tests/test_reports.py).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import TextIO
from urllib.parse import urlsplit

from core.model import Category, Document, Run, category_of, impact_rank, max_impact

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
UNCATEGORISED = "other"      # a result stored before categories, of a check no longer known


def _seconds(doc: Document) -> str:
    try:
        a = datetime.fromisoformat(doc.started_at.replace("Z", "+00:00"))
        b = datetime.fromisoformat(doc.ended_at.replace("Z", "+00:00"))
        return f"{max(0.0, (b - a).total_seconds()):.3f}"
    except (AttributeError, TypeError, ValueError):
        return "0"


def _timestamp(iso: str | None) -> str:
    try:
        return datetime.fromisoformat((iso or "").replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return "1970-01-01T00:00:00"


def _line(res, f, lang: str) -> str:
    where = f.target or ""
    if f.excerpt is not None:
        where = f"»{f.excerpt}«" + (f" [{f.span[0]}:{f.span[1]}]" if f.span else "")
    msg = " ".join((f.message.get(lang) or f.message.get("en") or "").split())
    return f"{res.code} {res.name} ({f.impact or res.impact or '-'}) {where}: {msg}"


def _failure(case: ET.Element, failed: list, lang: str) -> None:
    """The <failure> of a testcase: every failed finding, the worst impact first."""
    worst = max_impact(f.impact or r.impact for r, f in failed) or "failed"
    failed.sort(key=lambda rf: (-impact_rank(rf[1].impact or rf[0].impact), rf[0].code))
    ET.SubElement(case, "failure", {
        "type": worst, "message": f"{len(failed)} finding(s) in {len({r.code for r, _ in failed})} "
                                  f"check(s), worst impact {worst}"}).text = \
        "\n".join(_line(r, f, lang) for r, f in failed)


def _not_audited(case: ET.Element, doc: Document) -> None:
    """<error> for a document that could not be audited, <skipped> for one not checked."""
    if doc.status == "error":
        ET.SubElement(case, "error", {"type": "not audited", "message": doc.error or "error"}).text = doc.error or ""
    else:
        ET.SubElement(case, "skipped", {"message": doc.error or "not audited"})


def _counts(suite: ET.Element, tests: int, failures: int, errors: int, skipped: int) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))


def _document_suite(root: ET.Element, sid: int, i: int, doc: Document, run: Run, lang: str) -> None:
    """One document's suite: a testcase per category."""
    loc = doc.name or f"document {i + 1}"
    suite = ET.SubElement(root, "testsuite", {
        "package": "klartjek", "id": str(sid), "name": loc,
        "timestamp": _timestamp(doc.started_at or run.started_at),
        "hostname": (urlsplit(doc.url).hostname if doc.url else None) or "localhost",
        "time": _seconds(doc)})
    props = ET.SubElement(suite, "properties")
    for name, value in (("run", run.id), ("kind", doc.kind), ("status", doc.status),
                        ("wcag_score", doc.score), ("plain_score", doc.plain_score)):
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": str(value)})
    tests = failures = errors = skipped = 0
    review: list[str] = []
    if doc.status != "ok":
        tests += 1
        case = ET.SubElement(suite, "testcase", {"name": "audit", "classname": loc, "time": "0"})
        _not_audited(case, doc)
        if doc.status == "error":
            errors += 1
        else:
            skipped += 1
    by_category: dict[str, list] = {}
    for r in doc.results if doc.status == "ok" else []:
        cat = category_of(r.category)
        by_category.setdefault(cat.value if cat else UNCATEGORISED, []).append(r)
    order = [c.value for c in Category] + [UNCATEGORISED]
    for name in sorted(by_category, key=order.index):
        results = by_category[name]
        tests += 1
        case = ET.SubElement(suite, "testcase", {"name": name, "classname": loc, "time": "0"})
        failed = [(r, f) for r in results for f in r.failures]
        review += [_line(r, f, lang) for r in results for f in r.needs_review]
        if failed:
            failures += 1
            _failure(case, failed, lang)
    _counts(suite, tests, failures, errors, skipped)
    ET.SubElement(suite, "system-out").text = "\n".join(review)
    ET.SubElement(suite, "system-err").text = ""


def _journey_suite(root: ET.Element, sid: int, states: list[Document], run: Run, lang: str) -> None:
    """One journey's suite: a testcase per audited state, in the order of the documents."""
    journey = str(states[0].journey.get("name") or "journey")
    first_url = next((d.url for d in states if d.url), None)
    suite = ET.SubElement(root, "testsuite", {
        "package": "klartjek", "id": str(sid), "name": journey,
        "timestamp": _timestamp(states[0].started_at or run.started_at),
        "hostname": (urlsplit(first_url).hostname if first_url else None) or "localhost",
        "time": f"{sum(float(_seconds(d)) for d in states):.3f}"})
    props = ET.SubElement(suite, "properties")
    for name, value in (("run", run.id), ("kind", "journey")):
        ET.SubElement(props, "property", {"name": name, "value": str(value)})
    tests = failures = errors = skipped = 0
    review: list[str] = []
    for doc in states:
        state = str(doc.journey.get("state") or f"state {tests + 1}")
        tests += 1
        case = ET.SubElement(suite, "testcase", {"name": state, "classname": journey, "time": _seconds(doc)})
        if doc.status != "ok":
            _not_audited(case, doc)
            if doc.status == "error":
                errors += 1
            else:
                skipped += 1
            continue
        failed = [(r, f) for r in doc.results for f in r.failures]
        review += [f"{state}: {_line(r, f, lang)}" for r in doc.results for f in r.needs_review]
        if failed:
            failures += 1
            _failure(case, failed, lang)
    _counts(suite, tests, failures, errors, skipped)
    ET.SubElement(suite, "system-out").text = "\n".join(review)
    ET.SubElement(suite, "system-err").text = ""


class JunitReporter:
    name = "junit"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        root = ET.Element("testsuites")
        # a document, or a journey's states gathered where its first state is: (index, document) or [states]
        suites: list[tuple[int, Document] | list[Document]] = []
        journeys: dict[tuple, list[Document]] = {}
        for i, doc in enumerate(run.documents):
            if doc.journey:
                key = (doc.journey.get("name"), doc.journey.get("file"))
                if key not in journeys:
                    suites.append(journeys.setdefault(key, []))
                journeys[key].append(doc)
            else:
                suites.append((i, doc))
        for sid, entry in enumerate(suites):
            if isinstance(entry, list):
                _journey_suite(root, sid, entry, run, lang)
            else:
                _document_suite(root, sid, *entry, run, lang)
        ET.indent(root)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        # a document's text may hold characters XML 1.0 forbids (ESC, BEL …): shown as escapes
        out.write(NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", ET.tostring(root, encoding="unicode")))
        out.write("\n")
