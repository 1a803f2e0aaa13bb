"""A stored run of texts (the portfolio's texts channel: PINFO articles, letter templates, web texts
as plain text, Markdown or HTML files; and its sms channel: SMS templates): each file checked in plain
Danish as `klartjek text` (or `klartjek sms`) checks one, and the run stored and scored like an audit,
labelled with its project."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from audit import __version__
from audit.config import config_hash, public_config
from audit.runner import new_run_id, now
from audit.store import Store
from audit.textextract import decode_text, text_artifact
from core.errors import TargetError
from core.files import FileReadError, FileTooLarge, read_bounded
from core.model import Document, Run
from core.scoring import is_plain, run_score

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
SMS_SUFFIXES = (".txt", ".sms")
SMS_MAX_BYTES = 64 * 1024       # an SMS template is a few hundred bytes: more is not one


def text_files(targets: list[str], suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> tuple[list[Path], list[str]]:
    """The text files the targets name (a folder: its text files, sorted), and the targets that are
    neither a file nor a folder (each a one-line error)."""
    files, errors = [], []
    for t in targets:
        p = Path(t)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{t}: no such file or folder; give text files or a folder of them")
    return files, errors


def check_text(artifact: dict[str, Any], name: str, content_hash: str | None, cfg: dict[str, Any]) -> Document:
    """A text artifact checked as `klartjek text` checks it: in the language it declares (an HTML
    ``lang``, ``--lang``), else the language detected in it; with ``cfg``'s plain-language profile."""
    from audit.checking import check_document
    from core.language import language_of_text

    if not artifact.get("lang"):
        artifact["lang"] = language_of_text(artifact["text"])
    doc = check_document(Document(kind="text", path=name, content_hash=content_hash), {"text": artifact}, cfg)
    doc.language = (doc.readability or {}).get("language")
    return doc


def check_sms(template: str, values: dict[str, str], name: str, content_hash: str | None,
              cfg: dict[str, Any]) -> tuple[Document, dict[str, Any]]:
    """An SMS template checked as `klartjek sms` checks it (``cfg`` with the sms profile): the
    document, with ``sms`` as a phone sees it, and the artifacts (UsageError for bad input)."""
    from audit.checking import check_document
    from audit.textextract import sms_artifacts

    artifacts = sms_artifacts(template, values, name)
    art = artifacts["sms"]
    doc = check_document(Document(kind="text", path=name, content_hash=content_hash), artifacts, cfg)
    doc.language = "da"
    doc.sms = {k: art[k] for k in ("encoding", "segments", "units", "per_segment", "characters", "forcing",
                                   "placeholders", "template")}
    return doc, artifacts


def text_document(path: Path, cfg: dict[str, Any]) -> tuple[Document, dict[str, Any] | None]:
    """One text checked (its language as `klartjek text` finds it); an error document for a file
    that cannot be read."""
    name = str(path)
    try:
        raw = read_bounded(path, int(cfg["letters"]["max_bytes"]))
        artifacts = {"text": text_artifact(name, decode_text(raw, name))}
    except FileTooLarge:
        return Document(kind="text", path=name, status="error",
                        error=f"{name}: the text is over the limit of {cfg['letters']['max_bytes']:,} bytes "
                              "(letters.max_bytes)"), None
    except FileReadError as exc:
        return Document(kind="text", path=name, status="error", error=f"{name}: cannot read it ({exc.reason})"), None
    except TargetError as exc:
        return Document(kind="text", path=name, status="error", error=str(exc)), None
    return check_text(artifacts["text"], name, hashlib.sha256(raw).hexdigest(), cfg), artifacts


def sms_document(path: Path, cfg: dict[str, Any]) -> tuple[Document, dict[str, Any] | None]:
    """One SMS template checked as `klartjek sms` checks it (the longest values of sms.values); an
    error document for a file that is no SMS."""
    from core.errors import KlartjekError

    name = str(path)
    try:
        raw = read_bounded(path, SMS_MAX_BYTES)
        if b"\x00" in raw:
            raise TargetError(f"{name}: not a text (it holds NUL bytes); give the SMS as a UTF-8 text file")
        return check_sms(decode_text(raw, name), dict(cfg["sms"]["values"]), name, hashlib.sha256(raw).hexdigest(),
                         cfg)
    except FileTooLarge:
        error = f"{name}: over 64 KiB, which no SMS is; give one SMS template a file"
    except FileReadError as exc:
        error = f"{name}: cannot read it ({exc.reason})"
    except KlartjekError as exc:
        error = str(exc)
    return Document(kind="text", path=name, status="error", error=error), None


def text_run(store: Store, cfg: dict[str, Any], targets: list[str], project: str | None = None,
             sms: bool = False) -> Run:
    """Check every text (``sms``: SMS template) the targets name and store the run (partial when a
    target or file could not be read: the others are checked all the same)."""
    profile = "sms" if sms else cfg["klarsprog"]["text_profile"]
    cfg = {**cfg, "klarsprog": {**cfg["klarsprog"], "enabled": True, "profile": profile}}
    run = Run(id=new_run_id(), started_at=now(), klartjek_version=__version__, config_hash=config_hash(cfg),
              config=public_config(cfg), targets=list(targets), project=project)
    store.begin_run(run)
    files, errors = text_files(targets, SMS_SUFFIXES if sms else TEXT_SUFFIXES)
    docs = [Document(kind="text", path=e.split(":", 1)[0], status="error", error=e) for e in errors]
    for doc in docs:
        store.add_document(run.id, len(run.documents), doc)
        run.documents.append(doc)
    for path in files:
        doc, artifacts = sms_document(path, cfg) if sms else text_document(path, cfg)
        store.add_document(run.id, len(run.documents), doc, artifacts)
        run.documents.append(doc)
    return _finish(store, run, cfg)


def save_text(store: Store, cfg: dict[str, Any], doc: Document, artifacts: dict[str, Any],
              project: str | None = None) -> Run:
    """Store one text already checked (the editors' workbench, `klartjek serve`) as a run of its own."""
    run = Run(id=new_run_id(), started_at=now(), klartjek_version=__version__, config_hash=config_hash(cfg),
              config=public_config(cfg), targets=[doc.location], project=project)
    store.begin_run(run)
    store.add_document(run.id, 0, doc, artifacts)
    run.documents.append(doc)
    return _finish(store, run, cfg)


def _finish(store: Store, run: Run, cfg: dict[str, Any]) -> Run:
    run.status = "complete" if all(d.status == "ok" for d in run.documents) and run.documents else "partial"
    run.ended_at = now()
    run.score = run_score(run.documents, cfg["weights"])
    run.plain_score = run_score(run.documents, cfg["weights"], is_plain)
    store.finish_run(run)
    return run
