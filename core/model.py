"""klartjek's result model: Run → Document → CheckResult → Finding.

The JSON form of these classes is described by reports/schema/run.schema.json (SCHEMA_VERSION);
docs/model.md explains every field. The same classes are written to and read from the history
database, so a stored run can be re-reported without a browser.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = "1.6"


class Impact(StrEnum):
    """How much a failure hurts a user (axe-core's scale)."""
    CRITICAL = "critical"
    SERIOUS = "serious"
    MODERATE = "moderate"
    MINOR = "minor"


class Outcome(StrEnum):
    """A check's verdict on a document (W3C's ACT outcomes, with "cant_tell" for needs review)."""
    PASSED = "passed"
    FAILED = "failed"
    CANT_TELL = "cant_tell"
    INAPPLICABLE = "inapplicable"
    ERROR = "error"


class DocumentKind(StrEnum):
    PAGE = "page"
    LETTER = "letter"
    TEXT = "text"


class DocumentStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    SKIPPED = "skipped"      # found, not checked (an old .doc letter, a link out of an audited folder)


class RunStatus(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"


class Category(StrEnum):
    """What a check judges. Scores, JUnit test cases, SARIF tags, the HTML report's sections,
    screenshots and ``checks.select`` read it; nothing reads a check's code for it."""
    WCAG = "wcag"                          # web content against a WCAG success criterion
    BEST_PRACTICE = "best-practice"        # accessibility beyond WCAG's criteria (axe-core's best practices)
    LETTER_STRUCTURE = "letter-structure"  # PDF/UA and Word structure of a letter
    DIGITAL_POST = "digital-post"          # a Digital Post (MeMo) message's fields and actions
    PLAIN_LANGUAGE = "plain-language"      # plain Danish (klarsprog)
    LETTER_CONTENT = "letter-content"      # the key facts of an appointment letter
    QUALITY = "quality"                    # what works for nobody, beyond WCAG: links that lead nowhere


class Score(StrEnum):
    """The two scores; never mixed (docs/scoring.md)."""
    WCAG = "wcag"
    PLAIN = "plain"


# The states a screenshot of a failing element can be taken in (a check's ``screenshot``), for
# failures that show only so: the page 320 CSS px wide (reflow), with WCAG 1.4.12's text spacing,
# with its text at 200 %, the element focused as the keyboard focuses it, the pointer on it.
SHOT_STATES = ("reflow", "text-spacing", "text-200", "focus", "hover")

@dataclass(frozen=True)
class CategoryInfo:
    score: Score
    title: dict[str, str]          # {"da": …, "en": …}
    accessibility: bool            # SARIF's "accessibility" tag, WCAG conformance


CATEGORIES: dict[Category, CategoryInfo] = {
    Category.WCAG: CategoryInfo(Score.WCAG, {"da": "WCAG", "en": "WCAG"}, True),
    Category.BEST_PRACTICE: CategoryInfo(Score.WCAG, {"da": "God praksis for tilgængelighed",
                                                      "en": "Accessibility best practice"}, True),
    Category.LETTER_STRUCTURE: CategoryInfo(Score.WCAG, {"da": "Brevets opbygning (PDF og Word)",
                                                         "en": "Letter structure (PDF and Word)"}, True),
    Category.DIGITAL_POST: CategoryInfo(Score.WCAG, {"da": "Digital Post", "en": "Digital Post"}, False),
    Category.PLAIN_LANGUAGE: CategoryInfo(Score.PLAIN, {"da": "Klarsprog", "en": "Plain language"}, False),
    Category.LETTER_CONTENT: CategoryInfo(Score.PLAIN, {"da": "Indkaldelsens indhold",
                                                        "en": "Appointment letter content"}, False),
    Category.QUALITY: CategoryInfo(Score.WCAG, {"da": "Indholdets kvalitet", "en": "Content quality"}, False),
}


def category_of(value: str | None) -> Category | None:
    """A stored category name as the enum; None for a run stored before categories (or an unknown one)."""
    try:
        return Category(value) if value else None
    except ValueError:
        return None


class TargetKind(StrEnum):
    """What a finding's target points into."""
    CSS = "css"            # a CSS selector in a page (" >>> " between frames, " >> " into shadow DOM)
    PDF = "pdf"            # a path in a PDF's object or tag tree, e.g. /Document/Sect[1]/Figure[2]
    DOCX = "docx"          # a place in a Word document, e.g. word/document.xml /w:body/w:p[3]
    MEMO = "memo"          # a place in a MeMo message, e.g. /Message/MessageHeader/label
    TEXT = "text"          # a span of the document's text ("text:START-END"), or the text as a whole
    URL = "url"            # a URL the document links to


IMPACTS = tuple(i.value for i in Impact)


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
    outcome: Outcome                  # failed | cant_tell
    target: str                       # where: its CheckResult's target_kind says what it points into
    html: str                         # the element's outer HTML (or the document's own words), shortened
    message: dict[str, str]           # {"da": …, "en": …}
    impact: Impact | None = None
    help_url: str | None = None
    fingerprint: str = ""
    span: list[int] | None = None                  # [start, end) in the document's text (text checks)
    excerpt: str | None = None                     # the text at fault (text checks)
    suggestion: dict[str, str] | None = None       # {"da": …, "en": …}: what to write instead


@dataclass
class CheckResult:
    code: str
    name: str
    outcome: Outcome
    impact: Impact | None = None
    wcag: list[str] = field(default_factory=list)   # success criteria, e.g. ["1.1.1"]
    level: str | None = None                          # A | AA | AAA | None (best practice)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    category: Category | None = None                  # (1.3) what the check judges; None: stored before 1.3
    target_kind: TargetKind | None = None             # (1.3) what its findings' targets point into

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "failed"]

    @property
    def needs_review(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome == "cant_tell"]


@dataclass
class Document:
    kind: DocumentKind = DocumentKind.PAGE
    url: str | None = None            # http(s) targets
    path: str | None = None           # local files, relative to the working directory where possible
    title: str | None = None
    language: str | None = None
    content_hash: str | None = None
    status: DocumentStatus = DocumentStatus.OK
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
    site_path: str | None = None            # (1.3) where it is in the site, wherever the audit ran: see key_location
    journey: dict[str, Any] | None = None   # (1.5) a journey's state: {name, file, state, step, line}
    sms: dict[str, Any] | None = None       # (1.6) an SMS as a phone sees it: encoding, segments … (core/sms.py)
    results: list[CheckResult] = field(default_factory=list)

    @property
    def location(self) -> str:
        return self.url or self.path or ""

    @property
    def name(self) -> str:
        """How reports name the document: its location, or for a journey's state »journey › state (page)«."""
        if self.journey:
            where = f" ({self.location})" if self.location else ""
            return f"{self.journey.get('name')} › {self.journey.get('state')}{where}"
        return self.location

    @property
    def key_location(self) -> str:
        """The document's place for fingerprints and baselines: the same on every machine, from
        every working directory and for every host of the site (site_path: the path below the
        audited folder, or the URL's path and query); a run stored before 1.3 has only location."""
        return self.site_path or self.location


@dataclass
class Run:
    id: str
    started_at: str
    ended_at: str | None = None
    status: RunStatus = RunStatus.PARTIAL   # partial until every target has been audited
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
    workdir: str | None = None              # (1.3) the working directory below the repository root ("" at it)
    project: str | None = None              # (1.4) the portfolio project the run belongs to (--project)
    documents: list[Document] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The run as plain data (what dataclasses.asdict gives, five times faster: no deep copies
        of the leaves, which are strings, numbers and lists of them, and only read afterwards)."""
        return {"schema_version": SCHEMA_VERSION,
                **{k: [document_to_dict(x) for x in v] if k == "documents" else v for k, v in vars(self).items()}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Run:
        d = {k: v for k, v in d.items() if k != "schema_version"}
        docs = [_document_from_dict(x) for x in d.pop("documents", [])]
        return cls(**_known(cls, d), documents=docs)


def document_to_dict(doc: Document) -> dict[str, Any]:
    """A document as plain data (its results and findings too), as in the JSON report."""
    def result(r: CheckResult) -> dict[str, Any]:
        return {k: [dict(vars(f)) for f in v] if k == "findings" else v for k, v in vars(r).items()}

    return {k: [result(r) for r in v] if k == "results" else v for k, v in vars(doc).items()}


def document_from_dict(d: dict[str, Any]) -> Document:
    """The document of ``document_to_dict``'s data."""
    return _document_from_dict(d)


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
