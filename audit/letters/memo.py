"""MeMo (Digital Post) messages → the facts checks/memo_checks.py reads.

MeMo ("Message Model") is the XML format of Danish Digital Post (Digitaliseringsstyrelsen), namespace
``https://DigitalPost.dk/MeMo-1``. This reader follows the public MeMo 1.1/1.2 structure as we know
it from Digitaliseringsstyrelsen's MeMo documentation (the "MeMo – Message Model" specification and
its XSD, as published for Digital Post); it was written without the XSD at hand, so it is lenient:

- the root must be ``<Message>`` in the MeMo namespace, with ``memoVersion`` 1.1 or 1.2 (a third part
  such as "1.2.0" is accepted); ``memoSchVersion`` is read but not judged;
- every other element is found by its local name, whatever its namespace (the XSD puts a few leaf
  elements in other namespaces; a producer that uses no namespace on children is still read);
- a File's language is ``inLanguage`` in the published schema; ``language`` is read as well;
- the structure read::

    Message/MessageHeader: messageType (DIGITALPOST | NEMSMS), messageUUID, messageID?, label,
        notification?, additionalNotification?, reply?, mandatory?, legalNotification?,
        Sender (senderID, idType, label), Recipient (recipientID, idType, label?), ContentData?, …
    Message/MessageBody (absent in a NEMSMS message): createdDateTime,
        MainDocument (mainDocumentID?, label?, File+, Action*), AdditionalDocument*, TechnicalDocument*
        (the same shape), where File = encodingFormat, filename, inLanguage, content (base64) and
        Action = label, actionCode, startDateTime?, endDateTime?, EntryPoint/url?,
        Reservation? (description, reservationUUID?, abstract?, location?, startDateTime, endDateTime, …).

The encoding is the XML parser's (expat's) to find, from the byte order mark and the XML declaration:
MeMo files are made as UTF-8, and a UTF-16 one (little or big endian, with or without a byte order
mark) is read the same, with no finding about it.

Parsing is safe: defusedxml refuses any DOCTYPE (so no entities, no external references, no DTD
fetched). Only element text is read; nothing is ever resolved or fetched. Bad input raises LetterError,
one line naming the input. The dispatcher (audit/letters/__init__.py) reads the embedded files and adds
"text_language" (and "error") to each entry of memo["files"].
"""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from audit.letters import LetterError
from core.safe_text import printable

NS = "https://DigitalPost.dk/MeMo-1"
DOCUMENT_ROLES = ("MainDocument", "AdditionalDocument", "TechnicalDocument")
# What KM001 requires (paths below Message; containers before their fields). The body is needed
# for DIGITALPOST only: the check decides.
REQUIRED = ("MessageHeader", "MessageHeader/messageType", "MessageHeader/messageUUID", "MessageHeader/label",
            "MessageHeader/Sender", "MessageHeader/Sender/senderID", "MessageHeader/Sender/idType",
            "MessageHeader/Sender/label", "MessageHeader/Recipient", "MessageHeader/Recipient/recipientID",
            "MessageHeader/Recipient/idType", "MessageBody", "MessageBody/MainDocument",
            "MessageBody/MainDocument/File")
CONTAINERS = frozenset({"MessageHeader", "MessageHeader/Sender", "MessageHeader/Recipient", "MessageBody",
                        "MessageBody/MainDocument", "MessageBody/MainDocument/File"})
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
VERSION_RE = re.compile(r"1\.[12](?:\.\d+)?")


def _local(tag: Any) -> str:
    if not isinstance(tag, str):       # comments and processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _children(el: Element | None, name: str) -> list[Element]:
    if el is None:
        return []
    return [c for c in el if _local(c.tag) == name]


def _child(el: Element | None, name: str) -> Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _path(el: Element | None, path: str) -> Element | None:
    for name in path.split("/"):
        el = _child(el, name)
    return el


def _text(el: Element | None, path: str | None = None) -> str | None:
    """The element's text, white space trimmed; None when the element is absent ("" when empty)."""
    if path is not None:
        el = _path(el, path)
    if el is None:
        return None
    return "".join(el.itertext()).strip()


def _parse(data: bytes, name: str) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise LetterError(f"{name}: the XML has a DOCTYPE (a DTD or entities), which klartjek refuses for safety; "
                          "a MeMo message needs none, so remove it") from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc).strip().splitlines()[0] if str(exc) else "")
        raise LetterError(f"{name}: not well-formed XML (line {line}: {reason or 'parse error'}); "
                          "check the file") from None
    except Exception as exc:  # anything else the parser may raise: never a traceback
        raise LetterError(f"{name}: the XML could not be read ({type(exc).__name__}); check the file") from None


def _root_name(root: Element) -> str:
    tag = root.tag if isinstance(root.tag, str) else "?"
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return f"<{local}> in namespace {ns}"
    return f"<{tag}>"


def _decode(content: str | None, name: str, where: str) -> bytes:
    raw = re.sub(r"\s+", "", content or "")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise LetterError(f"{name}: the content of {where} is not valid base64; check how the message was made "
                          "(a File's content must be the file in base64)") from None


def _unique(part: str, used: set[str]) -> str:
    out, n = part, 2
    while out in used:
        out, n = f"{part} ({n})", n + 1
    used.add(out)
    return out


def read_memo(data: bytes, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The facts of a MeMo message (JSON-serialisable, no file bytes) and its embedded files (with bytes)."""
    root = _parse(data, name)
    if _local(root.tag) != "Message" or not str(root.tag).startswith("{" + NS + "}"):
        raise LetterError(f"{name}: not a MeMo message (root {_root_name(root)}); klartjek reads MeMo 1.1 and 1.2 "
                          f"(root <Message> in namespace {NS})")
    version = (root.get("memoVersion") or "").strip()
    if not version:
        raise LetterError(f"{name}: the MeMo message has no memoVersion; klartjek reads MeMo 1.1 and 1.2, "
                          "so set memoVersion=\"1.1\" or \"1.2\"")
    if not VERSION_RE.fullmatch(version):
        raise LetterError(f"{name}: MeMo version {version!r} is not one klartjek reads; it reads MeMo 1.1 and 1.2")
    try:
        return _read(root, version[:3], name)
    except LetterError:
        raise
    except Exception as exc:  # e.g. RecursionError on absurdly nested text: never a traceback
        raise LetterError(f"{name}: the MeMo message could not be read ({type(exc).__name__}); "
                          "check the file") from None


def _read(root: Element, version: str, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header = _child(root, "MessageHeader")
    body = _child(root, "MessageBody")
    message_type = _text(header, "messageType")
    uuid = _text(header, "messageUUID")

    fields: dict[str, str] = {}          # locator → ok | empty | missing | invalid, parents before children
    for path in REQUIRED:
        el = _path(root, path)
        value = None if el is None else ("x" if path in CONTAINERS else _text(el))
        fields["/Message/" + path] = "missing" if value is None else ("empty" if not value else "ok")
    if uuid and not UUID_RE.fullmatch(uuid):
        fields["/Message/MessageHeader/messageUUID"] = "invalid"
    if message_type and message_type not in ("DIGITALPOST", "NEMSMS"):
        fields["/Message/MessageHeader/messageType"] = "invalid"
    notification = _text(header, "notification")
    if message_type == "NEMSMS":         # a NemSMS is its notification: the text sent to the phone
        fields["/Message/MessageHeader/notification"] = (
            "missing" if notification is None else ("empty" if not notification else "ok"))

    files_meta: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    used: set[str] = set()
    for role in DOCUMENT_ROLES:
        docs = _children(body, role)
        for d_index, doc in enumerate(docs, 1):
            indexed = role != "MainDocument" or len(docs) > 1
            doc_loc = f"/Message/MessageBody/{role}" + (f"[{d_index}]" if indexed else "")
            for f_index, f in enumerate(_children(doc, "File"), 1):
                locator = f"{doc_loc}/File[{f_index}]"
                filename = _text(f, "filename") or None
                lang = _text(f, "inLanguage")
                if lang is None:
                    lang = _text(f, "language")
                mime = _text(f, "encodingFormat") or None
                where = f"File[{len(files) + 1}]" + (f" ({filename!r}, {locator})" if filename else f" ({locator})")
                content = _decode(_text(f, "content"), name, where)
                # the part's name shows in targets and messages: one line, no control characters
                part = _unique(printable(filename, one_line=True) if filename else f"File[{len(files) + 1}]", used)
                files_meta.append({"part": part, "filename": filename, "mime": mime, "language": lang or None,
                                   "role": role, "locator": locator, "bytes": len(content)})
                files.append({"part": part, "mime": mime, "language": lang or None, "role": role, "data": content})
            for a_index, a in enumerate(_children(doc, "Action"), 1):
                reservation = _child(a, "Reservation")
                start = _text(a, "startDateTime") or _text(reservation, "startDateTime") or None
                end = _text(a, "endDateTime") or _text(reservation, "endDateTime") or None
                actions.append({"locator": f"{doc_loc}/Action[{a_index}]", "label": _text(a, "label"),
                                "action_code": _text(a, "actionCode"), "start": start, "end": end,
                                "url": _text(a, "EntryPoint/url") or None, "reservation": reservation is not None})

    main_files = [m for m in files_meta if m["role"] == "MainDocument"]
    memo = {
        "part": "",
        "version": version,
        "schema_version": (root.get("memoSchVersion") or "").strip() or None,
        "message_type": message_type or None,
        "message_uuid": uuid or None,
        "label": _text(header, "label"),
        "notification": notification,
        "additional_notification": _text(header, "additionalNotification"),
        "language": main_files[0]["language"] if main_files else None,
        "header": fields,
        "files": files_meta,
        "actions": actions,
    }
    return memo, files
