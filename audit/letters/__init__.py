"""Gathering letters: PDF, DOCX, MeMo XML (and HTML, through the browser) → artifacts.

A letter's artifacts:
- ``letter``: {"format": "pdf" | "docx" | "memo" | "html", "name": str, "bytes": int, "parts": [str]}
- ``pdf``: a list, one dict per PDF in the letter (the letter itself, or files embedded in a MeMo
  message), each with ``part`` ("" for the letter itself, else the embedded file's name);
- ``docx``: the same for Word documents;
- ``memo``: the MeMo message (Digital Post), when the letter is one;
- ``text``: the letter's text for the plain-language checks (audit/textextract.py).
Checks (checks/pdf_checks.py, docx_checks.py, memo_checks.py, letter_checks.py) are pure functions
of these. Bad input raises LetterError: one line naming the file and what to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.errors import NotFound, TargetError

# (kind, level, text): a heading (level 1-6), paragraph, list_item, table_cell, caption or line
Block = tuple[str, int, str]

MAX_BYTES = 50_000_000           # a letter file larger than this is refused (letters.max_bytes)
MAX_UNZIPPED_BYTES = 200_000_000  # a DOCX whose parts unzip to more is refused (zip bomb)
MAX_PAGES = 500                   # PDF pages read at most


class LetterError(TargetError):
    """A letter that cannot be read: one line naming the file and what to do."""


class LetterNotFound(NotFound, LetterError):
    """A letter URL that answered 404 or 410."""


def guess_language(text: str) -> str | None:
    """'da', 'en' or None (too little text, or neither): counts common function words."""
    from core.klarsprog.language import guess_language as guess

    return guess(text)


ZIP_MAGIC = b"PK\x03\x04"


def read_source(location: str, is_url: bool, max_bytes: int = MAX_BYTES, timeout: float = 60,
                user_agent: str | None = None, scope=None, allowed=None) -> bytes:
    """A letter's bytes from a local file or an http(s) URL, refusing more than ``max_bytes``. A URL
    is downloaded within ``timeout`` seconds all told; it and every redirect must be allowed by
    ``scope`` (core/netscope.HostScope) and ``allowed`` (the crawl's scope)."""
    too_big = (f"{location}: the letter is over the limit of {max_bytes:,} bytes (letters.max_bytes); "
               "check the file, or raise the limit")
    if not is_url:
        from core.files import FileReadError, FileTooLarge, read_bounded

        try:
            return read_bounded(location, max_bytes)
        except FileTooLarge:
            raise LetterError(too_big) from None
        except FileReadError as exc:
            raise LetterError(f"{location}: cannot read the file ({exc.reason}); give a letter file") from None
    from audit.fetch import FetchError, TooLarge, fetch

    try:
        resp = fetch(location, scope=scope, allowed=allowed, limit=max_bytes, deadline_s=timeout,
                     user_agent=user_agent)
    except TooLarge:
        raise LetterError(too_big) from None
    except FetchError as exc:
        raise LetterError(f"{location}: could not download the letter ({exc.reason}); check the URL") from None
    if resp.status in (404, 410):
        raise LetterNotFound(f"{location}: the server answered HTTP {resp.status}; check the URL", resp.status)
    if resp.status >= 400:
        raise LetterError(f"{location}: the server answered HTTP {resp.status}; check the URL")
    if resp.status != 200:
        raise LetterError(f"{location}: the server answered HTTP {resp.status}, not the letter; check the URL")
    return resp.body


def sniff(data: bytes) -> str | None:
    """The format the bytes are in: pdf, zip (DOCX is a zip), xml, html, or None.

    XML and HTML are looked at as text: UTF-8 (with or without a byte order mark), or UTF-16 little or
    big endian, with a byte order mark or, as XML 1.0 appendix F detects it, without one when the
    file starts with "<" or white space. (MeMo files are UTF-8 as made; a UTF-16 one is read all the
    same: the XML parser decodes it from its byte order mark and encoding declaration.)"""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    utf16 = None
    if head.startswith(b"\xff\xfe"):
        utf16, head = "utf-16-le", head[2:]
    elif head.startswith(b"\xfe\xff"):
        utf16, head = "utf-16-be", head[2:]
    elif len(head) >= 2 and head[0] == 0 and head[1] in b"< \t\r\n":
        utf16 = "utf-16-be"
    elif len(head) >= 2 and head[1] == 0 and head[0] in b"< \t\r\n":
        utf16 = "utf-16-le"
    if utf16:            # a code unit cut at the end of the head is dropped
        head = head.decode(utf16, "ignore").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    if text.startswith(b"<"):
        return "xml"
    return None


SUFFIX_FORMAT = {".pdf": "pdf", ".docx": "docx", ".xml": "memo", ".memo": "memo",
                 ".html": "html", ".htm": "html", ".xhtml": "html"}
FORMAT_NAMES = {"pdf": "a PDF", "docx": "a DOCX (Word) file", "memo": "a MeMo XML message", "html": "an HTML file",
                "xml": "XML", "zip": "a ZIP file (such as DOCX)", "ole": "an old Office file (such as .doc)",
                None: "of a format klartjek does not know"}


def expected_format(name: str) -> str | None:
    low = name.lower().split("?")[0]
    for suffix, fmt in SUFFIX_FORMAT.items():
        if low.endswith(suffix):
            return fmt
    return None


def check_format(data: bytes, name: str) -> str:
    """The letter's format from its extension, after checking the bytes agree; LetterError if not."""
    want = expected_format(name)
    if want is None:
        raise LetterError(f"{name}: not a letter klartjek reads; give a .pdf, .docx, .xml (MeMo) or .html file")
    if not data:
        raise LetterError(f"{name}: the file is empty; check it was saved or downloaded completely")
    got = sniff(data)
    ok = {"pdf": ("pdf",), "docx": ("zip",), "memo": ("xml",), "html": ("html", "xml")}[want]
    if got not in ok:
        shown = FORMAT_NAMES[got]
        raise LetterError(f"{name}: the extension says {FORMAT_NAMES[want]}, but the content is {shown}; "
                          "check the file or give it the right extension")
    return want


@dataclass
class Read:
    """What one reader made of a file: its facts (under ``artifact``), its text, its declared language."""
    artifact: str | None          # "pdf", "docx", or None (no facts of its own)
    facts: dict[str, Any] | None
    text: dict[str, Any] | None
    html: bytes | None = None     # an HTML part, to be rendered in the browser


def _read_pdf(data: bytes, part: str, label: str, lang: str | None) -> Read:
    from audit.letters.pdf import read_pdf
    from audit.textextract import text_from_blocks

    facts, blocks = read_pdf(data, part, label)
    return Read("pdf", facts, text_from_blocks(blocks, lang if part else facts.get("lang"), "pdf"))


def _read_docx(data: bytes, part: str, label: str, lang: str | None) -> Read:
    from audit.letters.docx import read_docx
    from audit.textextract import text_from_blocks

    facts, blocks = read_docx(data, part, label)
    return Read("docx", facts, text_from_blocks(blocks, lang if part else facts.get("lang"), "docx"))


def _read_html(data: bytes, part: str, label: str, lang: str | None) -> Read:
    from audit.textextract import text_from_html

    return Read(None, None, text_from_html(data.decode("utf-8", "replace"), lang=lang), html=data)


def _read_plain(data: bytes, part: str, label: str, lang: str | None) -> Read:
    from audit.textextract import text_from_plain

    return Read(None, None, text_from_plain(data.decode("utf-8", "replace"), lang=lang))


# The readers of the files a letter is (by its format) or holds (a MeMo message's files, by MIME type).
READERS = {"pdf": _read_pdf, "docx": _read_docx}
PART_READERS = {"application/pdf": _read_pdf, "text/html": _read_html, "application/xhtml+xml": _read_html,
                "text/plain": _read_plain}


def _part_reader(mime: str | None):
    kind = (mime or "").split(";")[0].strip().lower()
    return _read_docx if kind.endswith("wordprocessingml.document") else PART_READERS.get(kind)


def gather_letter(data: bytes, name: str, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """The artifacts of one PDF, DOCX or MeMo letter (HTML letters are gathered in the browser)."""
    return read_letter(data, name, max_bytes)[0]


def read_letter(data: bytes, name: str, max_bytes: int = MAX_BYTES
                ) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The artifacts of one PDF, DOCX or MeMo letter, and the HTML parts of a MeMo message (name,
    bytes), which are checked in the browser."""
    if len(data) > max_bytes:
        raise LetterError(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,} (letters.max_bytes); "
                          "check the file, or raise the limit")
    fmt = check_format(data, name)
    if fmt == "html":
        raise LetterError(f"{name}: HTML letters are audited in the browser")
    arts: dict[str, Any] = {"letter": {"format": fmt, "name": name, "bytes": len(data), "parts": []}}
    html_parts: list[tuple[str, bytes]] = []
    if fmt in READERS:
        got = READERS[fmt](data, "", name, None)
        arts[got.artifact] = [got.facts]
        arts["text"] = got.text
        arts["letter"] |= {"title": _title(got.facts), "lang": got.facts.get("lang")}
    else:
        arts |= _read_memo(data, name, html_parts)
    # the plain-language checks read the language the text is in, whatever the file declares
    # (a wrong declaration is a finding of its own: KP004, KD002, KM006)
    arts["text"]["lang"] = guess_language(arts["text"]["text"]) or arts["text"]["lang"]
    import hashlib

    arts["letter"]["content_hash"] = hashlib.sha256(data).hexdigest()
    return arts, html_parts


def _title(facts: dict[str, Any]) -> str | None:
    return facts.get("title_xmp") or facts.get("title_info") or facts.get("title")


def _read_memo(data: bytes, name: str, html_parts: list[tuple[str, bytes]]) -> dict[str, Any]:
    """A MeMo message's artifacts: the message, the facts of the files it holds, the text of its main
    document. A file that cannot be read is an error of that file (in the message's facts)."""
    from audit.letters.memo import read_memo
    from core.cpr import mask_cpr   # the label is the title in reports: no CPR number there

    memo, files = read_memo(data, name)
    arts: dict[str, Any] = {"memo": memo, "letter": {"format": "memo", "name": name, "bytes": len(data),
                                                     "parts": []}}
    texts: list[dict[str, Any]] = []
    for meta, f in zip(memo["files"], files, strict=True):
        part = f["part"]
        arts["letter"]["parts"].append(part)
        reader = _part_reader(f.get("mime"))
        got = None
        if reader is not None:
            try:
                got = reader(f["data"], part, f"{name} >>> {part}", f.get("language"))
            except LetterError as exc:
                meta["error"] = str(exc)
        if got is not None and got.artifact:
            arts.setdefault(got.artifact, []).append(got.facts)
        if got is not None and got.html is not None:
            html_parts.append((part, got.html))
        t = got.text if got is not None else None
        meta["text_language"] = guess_language(t["text"]) if t else None
        if t and meta.get("role") == "MainDocument":
            texts.append(t)
    arts["text"] = _join_texts(texts, memo.get("language"))
    arts["letter"] |= {"title": mask_cpr(memo["label"]) if memo.get("label") else None,
                       "lang": memo.get("language")}
    return arts


def merge_axe(results: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One axe result from those of several HTML files in a letter: each node's target is prefixed
    with the file it is in ("brev.html >>> img"), and a rule's nodes from every file are joined."""
    merged: dict[str, Any] = {}
    index: dict[tuple[str, str], dict[str, Any]] = {}
    for part, res in results:
        for key, value in res.items():
            if not isinstance(value, list):
                merged.setdefault(key, value)
                continue
            for rule in value:
                rule = {**rule, "nodes": [{**n, "target": [part, *(n.get("target") or [])]}
                                          for n in rule.get("nodes") or []]}
                have = index.get((key, rule.get("id")))
                if have is None:
                    index[(key, rule.get("id"))] = rule
                    merged.setdefault(key, []).append(rule)
                else:
                    have["nodes"] += rule["nodes"]
    return merged


def _join_texts(texts: list[dict[str, Any]], lang: str | None) -> dict[str, Any]:
    """One text artifact from several (a MeMo message's main document files), offsets shifted."""
    out = {"text": "", "blocks": [], "links": [], "lang": lang, "source": "memo"}
    for t in texts:
        shift = len(out["text"]) + (2 if out["text"] else 0)
        if out["text"]:
            out["text"] += "\n\n"
        out["text"] += t["text"]
        out["blocks"] += [[s + shift, e + shift, *rest] for s, e, *rest in t["blocks"]]
        out["links"] += [[s + shift, e + shift, *rest] for s, e, *rest in t["links"]]
        out["lang"] = out["lang"] or t.get("lang")
    return out
