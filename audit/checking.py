"""From gathered artifacts to a checked Document: checks, fingerprints, scores, readability.

No browser and no network here: a letter is read and checked in a child process (audit/isolate.py)
through ``letter_job``, a page is checked where its artifacts were gathered.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit.config import letter_config
from audit.crawl import url_site_path
from core.model import Document, fingerprint
from core.scoring import document_score, is_plain
from audit.targets import PageTarget
from checks import REGISTRY, CheckContext, evaluate_all, readability_summary


def build_document(target: PageTarget, artifacts: dict[str, Any] | None, config: dict[str, Any],
                   error: str | None = None) -> Document:
    """A page or letter Document from gathered artifacts (or the error that stopped gathering).
    Letters are checked with the letter configuration (audit.config.letter_config)."""
    doc = Document(kind=target.kind, url=target.document_url, path=target.document_path,
                   site_path=target.site_path or (url_site_path(target.document_url) if target.document_url else None))
    if error is not None or artifacts is None:
        doc.status, doc.error = ("skipped" if target.skipped else "error"), error
        return doc
    if "page" in artifacts:
        page = artifacts["page"]
        doc.title, doc.language, doc.content_hash = page["title"], page["lang"], page["content_hash"]
    letter = artifacts.get("letter")
    if letter is not None and letter["format"] != "html":
        doc.title, doc.language, doc.content_hash = letter.get("title"), letter.get("lang"), letter["content_hash"]
    return check_document(doc, artifacts, letter_config(config) if doc.kind == "letter" else config)


def check_document(doc: Document, artifacts: dict[str, Any], config: dict[str, Any]) -> Document:
    """Run the checks for the document's kind on its artifacts; fingerprints, scores, readability."""
    ctx = CheckContext(artifacts, config, doc.kind)
    doc.results = evaluate_all(REGISTRY.select(config, doc.kind), artifacts, ctx=ctx)
    for res in doc.results:
        for f in res.findings:
            f.fingerprint = fingerprint(res.code, doc.key_location, f.excerpt if f.span else f.target)
    doc.score = document_score(doc.results, config["weights"])
    if "text" in artifacts and config["klarsprog"]["enabled"]:
        doc.readability = readability_summary(artifacts, config, ctx)
        if doc.readability["assessed"]:
            doc.plain_score = document_score(doc.results, config["weights"], is_plain)
    return doc


@dataclass(frozen=True)
class LetterJob:
    """What a child process needs to read and check one PDF, DOCX or MeMo letter."""
    target: PageTarget
    config: dict[str, Any]
    host_scope: Any = None       # core.netscope.HostScope: the hosts a download may reach
    doc_scope: Any = None        # where a download may be redirected (the audit's scope)


def letter_job(job: LetterJob) -> tuple[Document | None, dict[str, Any], list[tuple[str, bytes]]]:
    """Read (download) and check a letter: (the checked document, its artifacts, its HTML parts).
    A MeMo letter with HTML parts comes back unchecked (document None): the parts are rendered in
    the browser first, then ``check_letter`` checks it. LetterError for a letter that cannot be read."""
    from audit.letters import read_letter, read_source

    cfg = job.config
    loc = job.target.location
    limit = int(cfg["letters"]["max_bytes"])
    if job.target.document_url:
        data = read_source(loc, True, limit, float(cfg["letters"]["download_timeout"]),
                           scope=job.host_scope, allowed=job.doc_scope.allows if job.doc_scope else None)
    else:
        data = read_source(loc, False, limit)
    artifacts, parts = read_letter(data, loc, limit)
    if parts:
        return None, artifacts, parts
    return build_document(job.target, artifacts, cfg), artifacts, []


def check_letter(target: PageTarget, artifacts: dict[str, Any], config: dict[str, Any]) -> Document:
    return build_document(target, artifacts, config)
