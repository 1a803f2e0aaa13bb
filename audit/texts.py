"""A stored run of texts (the portfolio's texts channel: PINFO articles, letter templates, web texts
as plain text, Markdown or HTML files): each file checked in plain Danish as `klartjek text` checks
one, and the run stored and scored like an audit, labelled with its project."""
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


def text_files(targets: list[str]) -> tuple[list[Path], list[str]]:
    """The text files the targets name (a folder: its text files, sorted), and the targets that are
    neither a file nor a folder (each a one-line error)."""
    files, errors = [], []
    for t in targets:
        p = Path(t)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            files.append(p)
        else:
            errors.append(f"{t}: no such file or folder; give text files or a folder of them")
    return files, errors


def text_document(path: Path, cfg: dict[str, Any]) -> tuple[Document, dict[str, Any] | None]:
    """One text checked (its language as `klartjek text` finds it); an error document for a file
    that cannot be read."""
    from audit.checking import check_document
    from core.language import language_of_text

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
    if not artifacts["text"].get("lang"):
        artifacts["text"]["lang"] = language_of_text(artifacts["text"]["text"])
    doc = check_document(Document(kind="text", path=name, content_hash=hashlib.sha256(raw).hexdigest()),
                         artifacts, cfg)
    doc.language = (doc.readability or {}).get("language")
    return doc, artifacts


def text_run(store: Store, cfg: dict[str, Any], targets: list[str], project: str | None = None) -> Run:
    """Check every text the targets name and store the run (partial when a target or file could not
    be read: the others are checked all the same)."""
    cfg = {**cfg, "klarsprog": {**cfg["klarsprog"], "enabled": True, "profile": cfg["klarsprog"]["text_profile"]}}
    run = Run(id=new_run_id(), started_at=now(), klartjek_version=__version__, config_hash=config_hash(cfg),
              config=public_config(cfg), targets=list(targets), project=project)
    store.begin_run(run)
    files, errors = text_files(targets)
    docs = [Document(kind="text", path=e.split(":", 1)[0], status="error", error=e) for e in errors]
    for doc in docs:
        store.add_document(run.id, len(run.documents), doc)
        run.documents.append(doc)
    for path in files:
        doc, artifacts = text_document(path, cfg)
        store.add_document(run.id, len(run.documents), doc, artifacts)
        run.documents.append(doc)
    run.status = "complete" if all(d.status == "ok" for d in run.documents) and run.documents else "partial"
    run.ended_at = now()
    run.score = run_score(run.documents, cfg["weights"])
    run.plain_score = run_score(run.documents, cfg["weights"], is_plain)
    store.finish_run(run)
    return run
