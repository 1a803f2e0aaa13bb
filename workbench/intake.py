"""From the workbench's form to a checked text: the pasted text or the uploaded file, read and
checked as `klartjek text`, `klartjek sms` and `klartjek letter` read and check them.

Bad input is an InputError: an HTTP status and a message for the editor, never a traceback. A
file's type is taken from its name and confirmed from its bytes (audit.letters.sniff and
check_format). PDF, Word and Digital Post letters are read in a child process with a memory
limit (audit/isolate.py), as audits read them; only their text is checked, not their structure.
A CPR number goes no further than this module: its last four digits are blanked (the same
length, so the findings' spans stay true) in the text checked, shown and stored."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from starlette.concurrency import run_in_threadpool

from audit.isolate import ChildFailed, run_isolated
from audit.letters import LetterError, check_format, read_letter, sniff
from audit.textextract import decode_text, text_artifact
from audit.texts import TEXT_SUFFIXES, check_sms, check_text
from core.cpr import blank_cpr
from core.errors import TargetError
from core.model import Document
from core.sms import LONGEST, MAX_CHARS, PLACEHOLDER

LETTER_SUFFIXES = (".pdf", ".docx", ".xml", ".memo")
ACCEPT = ",".join((".docx", ".pdf", ".xml", *TEXT_SUFFIXES))     # the file field's accept attribute
BINARY = ("pdf", "zip", "ole")                                   # what sniff finds that is no text file


class InputError(Exception):
    """Input the workbench cannot check: ``key`` names the message (workbench/texts.py, err_KEY),
    ``field`` the form field it is about ("text" or "file")."""

    def __init__(self, status: int, key: str, field: str | None = None, **values: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.field, self.values = status, key, field, values


@dataclass
class Checked:
    doc: Document
    text: str                    # the text the findings' spans point into
    source: str                  # what the text box shows again
    name: str
    artifacts: dict[str, Any] = field(default_factory=dict)
    cpr_masked: bool = False


def upload_name(filename: str) -> str:
    """The file name an upload gives, without folders or control characters, at most 120 characters."""
    name = PurePath(filename.replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:120] or "fil"


async def check_form(text: str, upload: tuple[str, bytes] | None, profile: str, cfg: dict[str, Any],
                     limit: int, pasted_name: str) -> Checked:
    """Check the pasted ``text``, or the ``upload`` (name, bytes) when there is one, with the
    plain-language ``profile``; ``limit``: the largest file in bytes."""
    if profile not in cfg["klarsprog"]["profiles"]:
        raise InputError(400, "profile")
    cfg = {**cfg, "klarsprog": {**cfg["klarsprog"], "profile": profile, "enabled": True}}
    if upload is not None:
        name, data = upload
        source, artifact = await _read_upload(name, data, limit)
    else:
        if not text.strip():
            raise InputError(400, "empty", "text")
        name, data, source, artifact = pasted_name, text.encode("utf-8"), text, None
    content_hash = hashlib.sha256(data).hexdigest()
    shown, cpr = blank_cpr(source)
    if profile == "sms":
        # the template as written: core/sms.py blanks a CPR number itself, and KT006 reports it
        template = artifact["text"] if artifact and not _is_text_file(name) else source
        _check_sms_input(template, cfg["sms"]["values"])
        doc, artifacts = await run_in_threadpool(check_sms, template, cfg["sms"]["values"], name, content_hash, cfg)
        masked = bool(cpr or artifacts["sms"]["cpr"])
        return Checked(doc, artifacts["sms"]["text"], shown, name, artifacts, masked)
    artifact = artifact or text_artifact(name, shown)
    artifact["text"], in_text = blank_cpr(artifact["text"])
    doc = await run_in_threadpool(check_text, artifact, name, content_hash, cfg)
    return Checked(doc, artifact["text"], shown, name, {"text": artifact}, bool(cpr or in_text))


def _is_text_file(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES)


async def _read_upload(name: str, data: bytes, limit: int) -> tuple[str, dict[str, Any]]:
    """An uploaded file's text (for the text box) and its text artifact."""
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise InputError(400, "empty_file", "file", name=name)
    if len(data) > limit:
        raise InputError(413, "too_large", "file")
    if suffix in LETTER_SUFFIXES:
        try:
            check_format(data, name)
        except LetterError:
            raise InputError(415, "wrong_content", "file", name=name, suffix=suffix) from None
        try:
            artifacts, _html_parts = await run_isolated(read_letter, data, name, limit)
        except (LetterError, ChildFailed):
            raise InputError(400, "unreadable", "file", name=name) from None
        artifact = artifacts["text"]
        if not artifact["text"].strip():
            raise InputError(400, "no_text", "file", name=name)
        return artifact["text"], artifact
    if suffix in TEXT_SUFFIXES:
        try:
            if sniff(data) in BINARY:
                raise TargetError(name)
            content = decode_text(data, name)
        except TargetError:
            raise InputError(415, "not_text", "file", name=name) from None
        if not content.strip():
            raise InputError(400, "empty_file", "file", name=name)
        return content, text_artifact(name, content)
    raise InputError(415, "unknown_type", "file", name=name)


def _check_sms_input(template: str, values: dict[str, str]) -> None:
    """The bad input core/sms.py refuses, as a message for the editor: too long, a placeholder
    with no longest value."""
    if len(template) > MAX_CHARS:
        raise InputError(400, "sms_long", "text", max=MAX_CHARS)
    known = {**LONGEST, **{k.lower(): v for k, v in values.items()}}
    for m in PLACEHOLDER.finditer(template):
        if m.group(1).lower() not in known:
            raise InputError(400, "sms_placeholder", "text", name=m.group(1))
