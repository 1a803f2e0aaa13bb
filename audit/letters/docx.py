"""DOCX letters (python-docx and lxml) → the facts checks/docx_checks.py reads.

``read_docx(data, part, name) -> (facts, blocks)``.

Before python-docx opens anything, the zip is checked with :mod:`zipfile`: not a zip, a zip without
``word/document.xml``, or a zip bomb (the declared sizes of the members add up to more than
``MAX_UNZIPPED_BYTES``, or a member over 10 MB is compressed more than 100:1) is refused with a
one-line :class:`LetterError`. (zipfile never unpacks more than a member's declared size, so the
declared sizes bound what python-docx can unpack.) python-docx parses every XML part with
``resolve_entities=False`` and without loading DTDs, so an entity declared in a part is never
read; on top of that a part holding a DOCTYPE is refused, because Word never writes one (OPC
does not allow DTDs in a package).

The facts (JSON-serialisable):

- ``part``: "" for the letter itself, else the name of the embedded file;
- ``title``: the core property title (``docProps/core.xml``), white space collapsed, or None;
- ``lang``: the effective default language: ``w:lang/@w:val`` of the default paragraph style
  (Normal, following ``w:basedOn``), else of ``w:docDefaults/w:rPrDefault``, else None. (The style
  wins over docDefaults because that is what Word applies to Normal text.) ``lang_source`` says
  where it came from: "style" (``lang_style`` is its id), "docDefaults" or None;
- ``text_language``: ``guess_language`` of the text ("da", "en" or None);
- ``text_langs``: ``[[lang or None, characters], …]``, most first: the effective language of every
  visible, non-space character of the text (run → character style → paragraph style →
  docDefaults);
- ``style_langs``: ``{style id: lang}`` for the styles that set a language;
- ``paragraphs``: in document order, each ``{"locator", "index", "container", "style",
  "style_id", "heading", "list", "bold", "text", "words"}``: ``locator`` e.g. "/w:body/w:p[3]" or
  "/w:body/w:tbl[1]/w:tr[2]/w:tc[1]/w:p[1]"; ``index`` the 1-based index among the body's own
  paragraphs (None inside tables and text boxes); ``container`` "body" (also inside content
  controls), "table" or "textbox"; ``heading`` the level 1-9 or None; ``list`` whether it is
  numbered or bulleted; ``bold`` whether every run with text is bold (directly or by style);
- ``drawings``: each ``{"locator" (its paragraph), "id", "name", "descr", "title", "placement"
  ("inline" | "anchor"), "decorative", "kind"}``; kind is picture, chart, smartart, shape, textbox,
  group, canvas or other;
- ``tables``: each ``{"locator", "rows", "header", "first_row"}``: ``header`` whether the first
  row is marked as a header row (``w:trPr/w:tblHeader``).

Headings: the paragraph's own ``w:outlineLvl``, else its style's (following ``w:basedOn``): 0-8
is level 1-9, 9 is body text. A style without an outline level is a heading when it is called
"heading N" (Word's built-in name, whatever the language of Word) or "Overskrift N"; the Title
style ("Title"/"Titel") counts as level 1, so Title followed by Heading 1 or Heading 2 is in order.

Blocks (kind, level, text) in document order: heading (level 1-6; 7-9 become 6), list_item,
table_cell, paragraph; a paragraph with line breaks (an address) gives one "line" block per line.
Text in text boxes is included after the paragraph the box is anchored to. Headers, footers,
footnotes, comments, deleted text, hidden text and the fallback copies of ``mc:AlternateContent``
are left out.
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from typing import Any, Iterator

from audit.letters import MAX_UNZIPPED_BYTES, Block, LetterError, guess_language

MAX_RATIO = 100                # a member compressed more than 100:1 …
RATIO_MIN_BYTES = 10_000_000   # … that unpacks to more than 10 MB is a zip bomb

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "adec": "http://schemas.microsoft.com/office/drawing/2017/decorative",
}
DECORATIVE_URI = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"


def _w(local: str) -> str:
    return f"{{{NS['w']}}}{local}"


W_BODY, W_P, W_R, W_T, W_TBL, W_TR, W_TC = (_w(x) for x in ("body", "p", "r", "t", "tbl", "tr", "tc"))
W_SDT, W_SDTCONTENT, W_CUSTOMXML, W_TXBX = (_w(x) for x in ("sdt", "sdtContent", "customXml", "txbxContent"))
W_PPR, W_RPR, W_PSTYLE, W_RSTYLE = (_w(x) for x in ("pPr", "rPr", "pStyle", "rStyle"))
W_B, W_LANG, W_VAL, W_NUMPR, W_NUMID, W_OUTLINE = (_w(x) for x in ("b", "lang", "val", "numPr", "numId",
                                                                   "outlineLvl"))
W_TAB, W_BR, W_CR, W_NBH, W_VANISH = (_w(x) for x in ("tab", "br", "cr", "noBreakHyphen", "vanish"))
W_DEL, W_MOVEFROM, W_TRPR, W_TBLHEADER = (_w(x) for x in ("del", "moveFrom", "trPr", "tblHeader"))
W_STYLE, W_STYLEID, W_TYPE, W_DEFAULT = (_w(x) for x in ("style", "styleId", "type", "default"))
W_NAME, W_BASEDON, W_DOCDEFAULTS = (_w(x) for x in ("name", "basedOn", "docDefaults"))
MC_FALLBACK = f"{{{NS['mc']}}}Fallback"
WP_INLINE, WP_ANCHOR, WP_DOCPR = (f"{{{NS['wp']}}}{x}" for x in ("inline", "anchor", "docPr"))
A_GRAPHICDATA, A_EXT = f"{{{NS['a']}}}graphicData", f"{{{NS['a']}}}ext"
WPS_TXBX = f"{{{NS['wps']}}}txbx"
ADEC_DECORATIVE = f"{{{NS['adec']}}}decorative"

PREFIX = {W_P: "w:p", W_TBL: "w:tbl", W_SDT: "w:sdt", W_CUSTOMXML: "w:customXml"}
# a run below one of these does not belong to the paragraph being read (or is not shown)
NOT_OWN = {W_P, W_TXBX, MC_FALLBACK, W_DEL, W_MOVEFROM}
HEADING_NAME = re.compile(r"^(?:heading|overskrift)\s*([1-9])$", re.IGNORECASE)
TITLE_NAMES = {"title", "titel"}
GRAPHIC_KINDS = {"picture": "picture", "chart": "chart", "diagram": "smartart", "wordprocessingShape": "shape",
                 "wordprocessingGroup": "group", "wordprocessingCanvas": "canvas"}


def read_docx(data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    """The facts and text blocks of a Word document; LetterError (one line) when it cannot be read."""
    check_zip(data, name)
    doc = _open(data, name)
    _refuse_dtd(doc, name)
    try:
        return _Reader(doc, part).read()
    except Exception as exc:   # a damaged document must give one line, never a traceback
        raise LetterError(f"{name}: the Word document cannot be read ({_reason(exc)}); "
                          "open it in Word and save it again as .docx") from None


# -- the package ----------------------------------------------------------------------------------

def check_zip(data: bytes, name: str) -> None:
    """Refuse what is not a zip, a zip bomb, or a zip that holds no Word document."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except Exception:
        raise LetterError(f"{name}: not a Word document (not a valid DOCX/zip file); save it again as .docx") from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise LetterError(f"{name}: the DOCX unpacks to {total:,} bytes, over the limit of {MAX_UNZIPPED_BYTES:,} "
                          "(a zip bomb?); check the file")
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            ratio = i.file_size // max(i.compress_size, 1)
            raise LetterError(f"{name}: the DOCX unpacks to {total:,} bytes, its part {_clean(i.filename)} "
                              f"compressed {ratio:,}:1, over the limit of {MAX_RATIO}:1 for a part over "
                              f"{RATIO_MIN_BYTES // 1_000_000} MB (a zip bomb?); check the file")
    names = {i.filename.lower() for i in infos}      # part names are not case-sensitive (OPC)
    if "word/document.xml" not in names:
        raise LetterError(f"{name}: a zip file, but not a Word document{_other_kind(names)}; "
                          "save the letter as .docx")


def _other_kind(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return " (it looks like an Excel workbook)"
    if "ppt/presentation.xml" in names:
        return " (it looks like a PowerPoint presentation)"
    if "content.xml" in names and "mimetype" in names:
        return " (it looks like an OpenDocument file)"
    return " (no word/document.xml)"


def _clean(s: str, limit: int = 80) -> str:
    s = " ".join("".join(c if c.isprintable() else " " for c in s).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _reason(exc: Exception) -> str:
    from lxml import etree

    if isinstance(exc, etree.XMLSyntaxError):
        return "a part of it is not well-formed XML"
    if isinstance(exc, ValueError) and "content type" in str(exc):
        return "the zip holds another kind of Office file, such as a template or a macro-enabled document"
    if isinstance(exc, (KeyError, zipfile.BadZipFile, EOFError, zlib.error)):
        return "it is damaged: a part is missing, cut off or cannot be unpacked"
    return "it is damaged or not a Word document"


def _open(data: bytes, name: str):
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise LetterError(f"{name}: the Word document cannot be read ({_reason(exc)}); "
                          "open it in Word and save it again as .docx") from None


def _refuse_dtd(doc, name: str) -> None:
    """python-docx's parser does not resolve entities nor load DTDs; a part that declares a DTD at all
    is refused, since Word never writes one."""
    from docx.opc.part import XmlPart

    for p in doc.part.package.iter_parts():
        if isinstance(p, XmlPart):
            info = p.element.getroottree().docinfo
            if info.internalDTD is not None or info.doctype or info.system_url or info.public_id:
                raise LetterError(f"{name}: the part {_clean(str(p.partname))} declares a DTD (<!DOCTYPE>), which "
                                  "Word never writes; open the letter in Word and save it again as .docx")


# -- styles ---------------------------------------------------------------------------------------

def _on(el) -> bool:
    """A Word on/off property: present without w:val, or with a value other than 0/false/off."""
    val = el.get(W_VAL)
    return val is None or val.strip().lower() not in ("0", "false", "off")


def _rpr_props(rpr) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rpr is None:
        return out
    b = rpr.find(W_B)
    if b is not None:
        out["bold"] = _on(b)
    lang = rpr.find(W_LANG)
    if lang is not None and (lang.get(W_VAL) or "").strip():
        out["lang"] = lang.get(W_VAL).strip()
    vanish = rpr.find(W_VANISH)
    if vanish is not None:
        out["hidden"] = _on(vanish)
    return out


def _int(s: str | None) -> int | None:
    try:
        return int(s) if s is not None else None
    except ValueError:
        return None


class _Styles:
    def __init__(self, root) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}
        self.default_para: str | None = None
        self.defaults: dict[str, Any] = {}
        if root is None:
            return
        dd = root.find(W_DOCDEFAULTS)
        if dd is not None:
            self.defaults = _rpr_props(dd.find(f"{_w('rPrDefault')}/{W_RPR}"))
        for s in root.findall(W_STYLE):
            sid = s.get(W_STYLEID)
            if not sid:
                continue
            name_el, based = s.find(W_NAME), s.find(W_BASEDON)
            ppr = s.find(W_PPR)
            info: dict[str, Any] = {"type": s.get(W_TYPE) or "paragraph",
                                    "name": name_el.get(W_VAL) if name_el is not None else sid,
                                    "based_on": based.get(W_VAL) if based is not None else None,
                                    **_rpr_props(s.find(W_RPR))}
            if ppr is not None:
                outline = ppr.find(W_OUTLINE)
                if outline is not None and _int(outline.get(W_VAL)) is not None:
                    info["outline"] = _int(outline.get(W_VAL))
                num = ppr.find(W_NUMPR)
                if num is not None:
                    num_id = num.find(W_NUMID)
                    info["list"] = num_id is None or num_id.get(W_VAL) != "0"
            self.by_id[sid] = info
            if info["type"] == "paragraph" and s.get(W_DEFAULT) in ("1", "true", "on") and self.default_para is None:
                self.default_para = sid

    def chain(self, sid: str | None) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        while sid and sid in self.by_id and sid not in seen and len(seen) < 50:
            seen.add(sid)
            yield self.by_id[sid]
            sid = self.by_id[sid]["based_on"]

    def first(self, sid: str | None, key: str) -> Any:
        for info in self.chain(sid):
            if key in info:
                return info[key]
        return None

    def name(self, sid: str | None) -> str | None:
        """The style's name as Word shows it ("Heading 1" for the built-in "heading 1")."""
        from docx.styles import BabelFish

        return BabelFish.internal2ui(self.by_id[sid]["name"]) if sid in self.by_id else sid

    def heading_level(self, sid: str | None) -> int | None:
        outline = self.first(sid, "outline")
        if outline is not None:
            return outline + 1 if 0 <= outline <= 8 else None
        for info in self.chain(sid):
            name = (info["name"] or "").strip()
            m = HEADING_NAME.match(name)
            if m:
                return int(m.group(1))
            if name.lower() in TITLE_NAMES:
                return 1
        return None


# -- the document ---------------------------------------------------------------------------------

def _own(el, top) -> bool:
    """Whether ``el`` belongs to ``top`` itself: not to a paragraph nested in it (a text box), not to
    deleted text and not to the fallback copy of mc:AlternateContent."""
    node = el.getparent()
    while node is not None and node is not top:
        if node.tag in NOT_OWN:
            return False
        node = node.getparent()
    return node is top


class _Reader:
    def __init__(self, doc, part: str) -> None:
        self.doc = doc
        self.part = part
        self.styles = _Styles(doc.styles.element)
        self.paragraphs: list[dict[str, Any]] = []
        self.drawings: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.blocks: list[Block] = []
        self.langs: Counter = Counter()

    def read(self) -> tuple[dict[str, Any], list[Block]]:
        body = self.doc.element.find(W_BODY)
        if body is not None:
            self._walk(body, "/w:body", "body")
        lang, source, style_id = self._default_language()
        text = "\n\n".join(t for _, _, t in self.blocks)
        title = " ".join((self.doc.core_properties.title or "").split())
        facts = {
            "part": self.part, "title": title or None,
            "lang": lang, "lang_source": source, "lang_style": style_id,
            "text_language": guess_language(text),
            "text_langs": [[k or None, n] for k, n in sorted(self.langs.items(), key=lambda kv: (-kv[1], kv[0]))],
            "style_langs": {sid: s["lang"] for sid, s in self.styles.by_id.items() if s.get("lang")},
            "paragraphs": self.paragraphs, "drawings": self.drawings, "tables": self.tables,
        }
        return facts, self.blocks

    def _default_language(self) -> tuple[str | None, str | None, str | None]:
        sid = self.styles.default_para or ("Normal" if "Normal" in self.styles.by_id else None)
        for info in self.styles.chain(sid):
            if info.get("lang"):
                return info["lang"], "style", sid
        if self.styles.defaults.get("lang"):
            return self.styles.defaults["lang"], "docDefaults", None
        return None, None, None

    def _walk(self, el, path: str, container: str) -> None:
        counts: Counter = Counter()
        for child in el:
            tag = child.tag
            if tag not in PREFIX:
                continue
            counts[tag] += 1
            step = f"{path}/{PREFIX[tag]}[{counts[tag]}]"
            if tag == W_P:
                index = counts[tag] if path == "/w:body" else None
                self._paragraph(child, step, index, container)
            elif tag == W_TBL:
                self._table(child, step)
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    self._walk(content, f"{step}/w:sdtContent", container)
            else:
                self._walk(child, step, container)

    def _table(self, tbl, path: str) -> None:
        rows = tbl.findall(W_TR)
        first = rows[0] if rows else None
        header = False
        if first is not None:
            trpr = first.find(W_TRPR)
            mark = trpr.find(W_TBLHEADER) if trpr is not None else None
            header = mark is not None and _on(mark)
        entry = {"locator": path, "rows": len(rows), "header": header, "first_row": ""}
        self.tables.append(entry)
        cells = []
        for r, row in enumerate(rows, 1):
            for c, cell in enumerate(row.findall(W_TC), 1):
                start = len(self.paragraphs)
                self._walk(cell, f"{path}/w:tr[{r}]/w:tc[{c}]", "table")
                if r == 1:
                    cells.append(" ".join(p["text"] for p in self.paragraphs[start:] if p["container"] == "table"
                                          and p["locator"].startswith(f"{path}/w:tr[1]/w:tc[{c}]/")))
        entry["first_row"] = " | ".join(" ".join(c.split()) for c in cells)

    def _paragraph(self, p, path: str, index: int | None, container: str) -> None:
        st = self.styles
        ppr = p.find(W_PPR)
        style_el = ppr.find(W_PSTYLE) if ppr is not None else None
        sid = style_el.get(W_VAL) if style_el is not None else None
        if sid not in st.by_id:             # no style, or one the document does not define: Normal
            sid = st.default_para or sid
        direct_outline = ppr.find(W_OUTLINE) if ppr is not None else None
        outline = _int(direct_outline.get(W_VAL)) if direct_outline is not None else None
        if outline is not None:
            level = outline + 1 if 0 <= outline <= 8 else None
        else:
            level = st.heading_level(sid)
        num = ppr.find(W_NUMPR) if ppr is not None else None
        if num is not None:
            num_id = num.find(W_NUMID)
            listed = num_id is None or num_id.get(W_VAL) != "0"
        else:
            listed = bool(st.first(sid, "list"))

        lines, bold_runs, any_text = self._runs(p, sid)
        text = "\n".join(" ".join(line.split()) for line in lines).strip("\n")
        info = {"locator": path, "index": index, "container": container, "style": st.name(sid), "style_id": sid,
                "heading": level, "list": listed, "bold": any_text and all(bold_runs), "text": text,
                "words": len(text.split())}
        self.paragraphs.append(info)
        self._add_blocks(info, [" ".join(line.split()) for line in lines])

        for el in p.iter(WP_INLINE, WP_ANCHOR):
            if _own(el, p):
                self._drawing(el, path)
        boxes = 0
        for box in p.iter(W_TXBX):
            if _own(box, p):
                boxes += 1
                self._walk(box, f"{path}//w:txbxContent[{boxes}]", "textbox")

    def _runs(self, p, sid: str | None) -> tuple[list[str], list[bool], bool]:
        """The paragraph's lines of visible text, and for each run with visible text whether it is bold.
        Each visible character is counted under its run's effective language."""
        st = self.styles
        lines = [""]
        bold: list[bool] = []
        for r in p.iter(W_R):
            if not _own(r, p):
                continue
            props = _rpr_props(r.find(W_RPR))
            rstyle = r.find(f"{W_RPR}/{W_RSTYLE}")
            rsid = rstyle.get(W_VAL) if rstyle is not None else None

            def prop(key: str, props=props, rsid=rsid) -> Any:
                for value in (props.get(key), st.first(rsid, key), st.first(sid, key), st.defaults.get(key)):
                    if value is not None:
                        return value
                return None

            if prop("hidden"):
                continue
            visible = 0
            for child in r:
                if child.tag == W_T:
                    lines[-1] += child.text or ""
                    visible += sum(1 for c in child.text or "" if not c.isspace())
                elif child.tag == W_TAB:
                    lines[-1] += "\t"
                elif child.tag == W_NBH:
                    lines[-1] += "-"
                    visible += 1
                elif child.tag in (W_BR, W_CR):
                    lines.append("")
            if visible:
                bold.append(bool(prop("bold")))
                self.langs[prop("lang") or ""] += visible
        return lines, bold, bool(bold)

    def _add_blocks(self, info: dict[str, Any], lines: list[str]) -> None:
        lines = [line for line in lines if line]
        if not lines:
            return
        if info["heading"] is not None and info["container"] != "textbox":
            self.blocks.append(("heading", min(info["heading"], 6), " ".join(lines)))
        elif info["list"]:
            self.blocks.append(("list_item", 0, " ".join(lines)))
        elif info["container"] == "table":
            self.blocks.append(("table_cell", 0, " ".join(lines)))
        elif len(lines) > 1:
            self.blocks.extend(("line", 0, line) for line in lines)
        else:
            self.blocks.append(("paragraph", 0, lines[0]))

    def _drawing(self, el, path: str) -> None:
        docpr = el.find(WP_DOCPR)
        if docpr is None:
            return
        decorative = False
        for ext in docpr.iter(A_EXT):
            if ext.get("uri") == DECORATIVE_URI:
                mark = ext.find(ADEC_DECORATIVE)
                decorative = mark is not None and (mark.get("val") or "").strip().lower() in ("1", "true", "on")
        data = el.find(f"{{{NS['a']}}}graphic/{A_GRAPHICDATA}")
        uri = (data.get("uri") or "") if data is not None else ""
        kind = GRAPHIC_KINDS.get(uri.rstrip("/").rsplit("/", 1)[-1], "other")
        if kind == "shape" and data is not None and data.find(f".//{WPS_TXBX}") is not None:
            kind = "textbox"
        self.drawings.append({
            "locator": path, "id": docpr.get("id") or "", "name": docpr.get("name") or "",
            "descr": docpr.get("descr"), "title": docpr.get("title"),
            "placement": "anchor" if el.tag == WP_ANCHOR else "inline", "decorative": decorative, "kind": kind})
