"""JUnit XML, for CI systems that show test results (GitLab, Azure Pipelines, Jenkins).

One <testsuite> per document; in it one <testcase> per category of the checks that ran on it (wcag,
best-practice, letter-structure, digital-post, plain-language, letter-content: core.model.Category).
A testcase fails when the category has failed findings on the document; the failure's text lists
every one (check, impact, selector, place or excerpt, message). A document that could not be
audited is one testcase "audit" with <error>; one found but not checked (an old .doc letter) is
<skipped>. Findings that need review go to <system-out>. Valid against the Ant JUnit schema
(tests/test_reports.py).
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
        where = f"«{f.excerpt}»" + (f" [{f.span[0]}:{f.span[1]}]" if f.span else "")
    msg = " ".join((f.message.get(lang) or f.message.get("en") or "").split())
    return f"{res.code} {res.name} ({f.impact or res.impact or '-'}) {where}: {msg}"


class JunitReporter:
    name = "junit"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        root = ET.Element("testsuites")
        for i, doc in enumerate(run.documents):
            loc = doc.name or f"document {i + 1}"
            suite = ET.SubElement(root, "testsuite", {
                "package": "klartjek", "id": str(i), "name": loc,
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
                if doc.status == "error":
                    errors += 1
                    ET.SubElement(case, "error", {"type": "not audited", "message": doc.error or "error"}).text = \
                        doc.error or ""
                else:
                    skipped += 1
                    ET.SubElement(case, "skipped", {"message": doc.error or "not audited"})
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
                    worst = max_impact(f.impact or r.impact for r, f in failed) or "failed"
                    failed.sort(key=lambda rf: (-impact_rank(rf[1].impact or rf[0].impact), rf[0].code))
                    ET.SubElement(case, "failure", {
                        "type": worst, "message": f"{len(failed)} finding(s) in {len({r.code for r, _ in failed})} "
                                                  f"check(s), worst impact {worst}"}).text = \
                        "\n".join(_line(r, f, lang) for r, f in failed)
            suite.set("tests", str(tests))
            suite.set("failures", str(failures))
            suite.set("errors", str(errors))
            suite.set("skipped", str(skipped))
            ET.SubElement(suite, "system-out").text = "\n".join(review)
            ET.SubElement(suite, "system-err").text = ""
        ET.indent(root)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        # a document's text may hold characters XML 1.0 forbids (ESC, BEL …): shown as escapes
        out.write(NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", ET.tostring(root, encoding="unicode")))
        out.write("\n")
