"""klartjek's result model: Run → Document → CheckResult → Finding.

The JSON form of these classes is described by reports/schema/run.schema.json (SCHEMA_VERSION);
docs/model.md explains every field. The same classes are written to and read from the history
database, so a stored run can be re-reported without a browser.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = "1.3"

IMPACTS = ("critical", "serious", "moderate", "minor")
OUTCOMES = ("passed", "failed", "cant_tell", "inapplicable", "error")
# Which outcome describes a check when its parts differ: the first one present wins.
OUTCOME_PRECEDENCE = ("error", "failed", "cant_tell", "passed", "inapplicable")
DOCUMENT_KINDS = ("page", "letter", "text")
DOCUMENT_STATUSES = ("ok", "error", "skipped")   # skipped: found, not checked (e.g. an old .doc letter)
RUN_STATUSES = ("complete", "partial")


def impact_rank(impact: str | None) -> int:
    """critical → 4 … minor → 1; None (no impact) → 0."""
    return len(IMPACTS) - IMPACTS.index(impact) if impact in IMPACTS else 0


def max_impact(impacts) -> str | None:
    best = None
    for imp in impacts:
        if impact_rank(imp) > impact_rank(best):
            best = imp
    return best


def fingerprint(code: str, location: str, target: str) -> str:
    """A stable identity for a finding: the same problem on the same element in two runs.
    For text findings ``target`` is the excerpt, not the offsets, so editing the text above a
    problem does not change its identity."""
    return hashlib.sha256(f"{code}\x1f{location}\x1f{target}".encode()).hexdigest()[:16]


@dataclass
class Finding:
    outcome: str                      # failed | cant_tell
    target: str                       # CSS selector (iframes and shadow roots joined by " >>> ")
    html: str                         # the element's outer HTML, shortened
    message: dict[str, str]           # {"da": …, "en": …}
    impact: str | None = None
    help_url: str | None = None
    fingerprint: str = ""
    span: list[int] | None = None                  # [start, end) in the document's text (text checks)
    excerpt: str | None = None                     # the text at fault (text checks)
    suggestion: dict[str, str] | None = None       # {"da": …, "en": …}: what to write instead


@dataclass
class CheckResult:
    code: str
    name: str
    outcome: str
    impact: str | None = None
    wcag: list[str] = field(default_factory=list)   # success criteria, e.g. ["1.1.1"]
    level: str | None = None                          # A | AA | AAA | None (best practice)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "failed"]

    @property
    def needs_review(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "cant_tell"]


@dataclass
class Document:
    kind: str = "page"
    url: str | None = None            # http(s) targets
    path: str | None = None           # local files, relative to the working directory where possible
    title: str | None = None
    language: str | None = None
    content_hash: str | None = None
    status: str = "ok"
    error: str | None = None
    score: float | None = None                     # WCAG score (docs/scoring.md)
    plain_score: float | None = None               # plain-language score, never mixed into score
    readability: dict[str, Any] | None = None      # LIX and its band, counts, or why not assessed
    blocked_requests: int = 0
    started_at: str | None = None
    ended_at: str | None = None
    reused_from: str | None = None          # --incremental: the run whose results were reused
    final_url: str | None = None            # where the page landed (redirects, scripts), when not url
    aliases: list[str] = field(default_factory=list)   # other URLs giving the identical response
    results: list[CheckResult] = field(default_factory=list)

    @property
    def location(self) -> str:
        return self.url or self.path or ""


@dataclass
class Run:
    id: str
    started_at: str
    ended_at: str | None = None
    status: str = "partial"           # partial until every target has been audited
    klartjek_version: str = ""
    axe_version: str | None = None
    browser_version: str | None = None
    config_hash: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)
    score: float | None = None
    plain_score: float | None = None
    blocked_requests: int = 0
    crawl: dict[str, Any] | None = None     # what a crawl found and skipped (docs/crawling.md)
    documents: list[Document] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The run as plain data (what dataclasses.asdict gives, five times faster: no deep copies
        of the leaves, which are strings, numbers and lists of them, and only read afterwards)."""
        def result(r: CheckResult) -> dict[str, Any]:
            return {k: [dict(vars(f)) for f in v] if k == "findings" else v for k, v in vars(r).items()}

        def document(doc: Document) -> dict[str, Any]:
            return {k: [result(r) for r in v] if k == "results" else v for k, v in vars(doc).items()}

        return {"schema_version": SCHEMA_VERSION,
                **{k: [document(x) for x in v] if k == "documents" else v for k, v in vars(self).items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Run:
        d = {k: v for k, v in d.items() if k != "schema_version"}
        docs = [_document_from_dict(x) for x in d.pop("documents", [])]
        return cls(**_known(cls, d), documents=docs)


def _known(cls, d: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in d.items() if k in names}


def _document_from_dict(d: dict[str, Any]) -> Document:
    d = dict(d)
    results = [_result_from_dict(r) for r in d.pop("results", [])]
    return Document(**_known(Document, d), results=results)


def _result_from_dict(d: dict[str, Any]) -> CheckResult:
    d = dict(d)
    findings = [Finding(**_known(Finding, f)) for f in d.pop("findings", [])]
    return CheckResult(**_known(CheckResult, d), findings=findings)
