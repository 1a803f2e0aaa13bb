"""Gathering text: HTML, Markdown or plain text → the ``text`` artifact the plain-language checks read.

The artifact: {"text": str, "blocks": [[start, end, kind, level], …], "links": [[start, end, href], …],
"lang": str | None, "source": str}. Blocks are separated by a blank line in ``text``; every block ends
a sentence. Block kinds: heading (with level), paragraph, list_item, table_cell, caption, line.
"""
from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from core.klarsprog.text import blocks_from_lines

SKIP = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "video", "audio", "select", "textarea", "input", "button", "head", "title", "meta",
        "link"}
BOILERPLATE = {"nav", "aside", "footer", "header"}
BLOCKS = {"p": "paragraph", "li": "list_item", "td": "table_cell", "th": "table_cell",
          "dt": "paragraph", "dd": "paragraph", "caption": "caption", "figcaption": "caption",
          "blockquote": "paragraph", "address": "line", "pre": "line", "summary": "heading",
          "legend": "heading", "label": "paragraph", "option": "line"}
CONTAINERS = {"div", "section", "article", "main", "form", "fieldset", "ul", "ol", "dl", "table",
              "thead", "tbody", "tfoot", "tr", "figure", "details", "body", "html", "header",
              "footer", "nav", "aside", "hr"}
HEADINGS = {f"h{i}": i for i in range(1, 7)}
BOILERPLATE_RE = re.compile(r"cookie|consent|gdpr|skip-?link|breadcrumb", re.IGNORECASE)
WS_RE = re.compile(r"\s+")


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[list[Any]] = []
        self.links: list[list[Any]] = []
        self.buf: list[str] = []
        self.buf_len = 0
        self.pending_links: list[list[Any]] = []

    def add_text(self, s: str) -> None:
        s = WS_RE.sub(" ", s)
        if not s:
            return
        if (not self.buf or self.buf[-1].endswith(" ")) and s.startswith(" "):
            s = s[1:]
        if s:
            self.buf.append(s)
            self.buf_len += len(s)

    def flush(self, kind: str = "paragraph", level: int = 0) -> None:
        text = "".join(self.buf)
        stripped = text.rstrip()
        lead = len(text) - len(text.lstrip())
        stripped = stripped.lstrip()
        if stripped:
            if self.parts:
                self.parts.append("\n\n")
                self.length += 2
            start = self.length
            self.parts.append(stripped)
            self.length += len(stripped)
            self.blocks.append([start, self.length, kind, level])
            for ls, le, href in self.pending_links:
                s = max(0, min(ls - lead, len(stripped)))
                e = max(s, min(le - lead, len(stripped)))
                while s < e and stripped[s] == " ":
                    s += 1
                while e > s and stripped[e - 1] == " ":
                    e -= 1
                if e > s:
                    self.links.append([start + s, start + e, href])
        self.buf, self.buf_len, self.pending_links = [], 0, []

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _hidden(el: Tag) -> bool:
    """Not displayed, or marked data-klartjek-ignore (quoted text, such as klartjek's own reports)."""
    if el.has_attr("hidden") or el.get("aria-hidden") == "true" or el.has_attr("data-klartjek-ignore"):
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _boilerplate(el: Tag) -> bool:
    if el.name in BOILERPLATE or el.get("role") in ("navigation", "banner", "contentinfo", "complementary"):
        return True
    ident = " ".join([el.get("id") or "", *(el.get("class") or [])])
    return bool(ident.strip()) and bool(BOILERPLATE_RE.search(ident))


_END = object()


def _walk(el: Tag, b: _Builder, kind: str, level: int, strip_boilerplate: bool) -> None:
    """Walk ``el``'s children into ``b``, in document order.

    Iterative, with an explicit stack, so deeply nested HTML (thousands of nested elements, which
    lxml parses fine) cannot exhaust Python's recursion limit. Each frame is (children still to
    visit, the kind and level their text goes into, what to do when they are done): ("flush", kind,
    level) after a block or container, ("link", start, href) after a link, or None (inline).
    """
    stack: list[tuple[Any, str, int, tuple[Any, ...] | None]] = [(iter(el.children), kind, level, None)]
    while stack:
        children, kind, level, _ = stack[-1]
        child = next(children, _END)
        if child is _END:
            done = stack.pop()[3]
            if done is None:
                continue
            if done[0] == "flush":
                b.flush(done[1], done[2])
            else:                                  # a link: its span, recorded after its children
                b.pending_links.append([done[1], b.buf_len, done[2]])
            continue
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            b.add_text(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in SKIP or _hidden(child):
            continue
        if strip_boilerplate and _boilerplate(child):
            continue
        if name == "br":
            b.flush("line" if kind == "paragraph" else kind, level)
            continue
        if name == "img":
            continue
        if name in HEADINGS or name in BLOCKS:
            b.flush(kind, level)
            ck, cl = ("heading", HEADINGS[name]) if name in HEADINGS else (BLOCKS[name], 0)
            stack.append((iter(child.children), ck, cl, ("flush", ck, cl)))
            continue
        if name in CONTAINERS:
            b.flush(kind, level)
            stack.append((iter(child.children), kind, level, ("flush", kind, level)))
            continue
        if name == "a" and child.get("href"):
            stack.append((iter(child.children), kind, level, ("link", b.buf_len, child.get("href"))))
            continue
        stack.append((iter(child.children), kind, level, None))   # inline: span, strong, em …


def text_from_html(html: str, *, whole_page: bool = True, lang: str | None = None,
                   source: str = "html") -> dict[str, Any]:
    """The text artifact of an HTML document or fragment.

    ``whole_page``: pick the main content — the main landmark, else the body without navigation,
    header, footer, asides and cookie banners.
    """
    soup = BeautifulSoup(html, "lxml")
    root: Tag = soup
    strip = False
    if whole_page:
        main = soup.find("main") or soup.find(attrs={"role": "main"})
        if main is not None:
            root, source = main, f"{source}:main"
        else:
            root, strip, source = (soup.body or soup), True, f"{source}:body"
    if lang is None:
        html_el = soup.find("html")
        lang = html_el.get("lang") if isinstance(html_el, Tag) else None
    b = _Builder()
    _walk(root, b, "paragraph", 0, strip)
    b.flush()
    return {"text": b.text, "blocks": b.blocks, "links": b.links, "lang": lang, "source": source}


def text_from_markdown(md: str, lang: str | None = None) -> dict[str, Any]:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(md)
    return text_from_html(html, whole_page=False, lang=lang, source="markdown")


def text_from_plain(text: str, lang: str | None = None) -> dict[str, Any]:
    """Plain text: every line is a block (a letter's lines), a blank line separates paragraphs, a
    line starting in lower case continues the one before (hard-wrapped prose)."""
    blocks = blocks_from_lines(text)
    return {"text": text, "blocks": [[b.start, b.end, b.kind, b.level] for b in blocks], "links": [],
            "lang": lang, "source": "plain"}


def detect_format(name: str, content: str) -> str:
    low = name.lower()
    if low.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if low.endswith((".md", ".markdown")):
        return "markdown"
    if low.endswith(".txt"):
        return "plain"
    head = content.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<p", "<div", "<main", "<h1")):
        return "html"
    if re.search(r"^(#{1,6} |[-*] |\d+\. )", content, re.MULTILINE):
        return "markdown"
    return "plain"


def text_artifact(name: str, content: str, lang: str | None = None) -> dict[str, Any]:
    fmt = detect_format(name, content)
    if fmt == "html":
        return text_from_html(content, lang=lang)
    if fmt == "markdown":
        return text_from_markdown(content, lang=lang)
    return text_from_plain(content, lang=lang)


def text_from_blocks(blocks, lang: str | None = None, source: str = "letter") -> dict[str, Any]:
    """The text artifact of a document read block by block (PDF, DOCX): (kind, level, text) each."""
    b = _Builder()
    for kind, level, text in blocks:
        b.add_text(text)
        b.flush(kind, level)
    return {"text": b.text, "blocks": b.blocks, "links": [], "lang": lang, "source": source}


def decode_text(raw: bytes, name: str) -> str:
    """A text file's bytes as text: UTF-8 (with or without a BOM), else Windows-1252 (older Danish
    Windows texts); TargetError for a binary file or one that is neither."""
    from core.errors import TargetError

    if b"\x00" in raw[:4096]:
        raise TargetError(f"{name}: looks like a binary file, not text; give a text, Markdown or HTML file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise TargetError(f"{name}: not UTF-8 text; save it as UTF-8 and try again") from None


def sms_artifacts(template: str, values: dict[str, str] | None = None, where: str = "sms") -> dict[str, Any]:
    """The artifacts of an SMS (`klartjek sms`): ``sms`` (core/sms.py) and the ``text`` of the message as a
    phone shows it, with the placeholders' spans as ``values`` (not judged in plain language)."""
    from core.sms import sms_artifact

    art = sms_artifact(template, values, where)
    text = text_from_plain(art["text"], "da")
    if text["text"] != art["text"]:          # the spans of both artifacts must be the same text's
        raise ValueError("the SMS text changed in extraction")
    text["values"] = [p["span"] for p in art["placeholders"]]
    return {"sms": art, "text": text}
