"""PDF letters: structure (pikepdf) and text (pdfplumber) → the facts checks/pdf_checks.py reads.

``read_pdf(data, part, name) -> (facts, blocks)``. ``facts`` is JSON-serialisable:

- ``part``: "" for the letter itself, else the name of the file embedded in a MeMo message;
- ``pages`` (in the file), ``pages_read`` (at most MAX_PAGES: only these are read for text, fonts
  and page facts), ``version`` ("1.7");
- ``lang``: the catalog's /Lang, or None; ``text_language``: guess_language(the text): 'da', 'en', None;
- ``pdfua_claimed`` (XMP pdfuaid:part is present) and ``pdfua_part``;
- ``tagged`` (/MarkInfo /Marked is true), ``marked`` (/Marked as written: True, False, None when
  absent), ``suspects`` (/MarkInfo /Suspects is true);
- ``struct_tree`` (a /StructTreeRoot exists), ``struct_children`` (structure elements directly under it);
- ``title_xmp`` (XMP dc:title), ``title_info`` (the Info dictionary's /Title), ``display_doc_title``
  (/ViewerPreferences /DisplayDocTitle: True, False, None when absent);
- ``figures``: [{path, type, page, alt, actual_text}] — structure elements that are Figure (also by
  /RoleMap); ``headings``: [{path, type, level, text, page}] — H1–H6 in reading (structure) order;
  ``path`` is the element's place in the tag tree with its own tag names, e.g. "/Document/Sect[1]/Figure[2]";
- ``fonts``: [{name (without the subset prefix), base_font, subtype, embedded, to_unicode, symbolic,
  standard_14, encoding, differences (has /Differences), unmapped_glyphs (its glyph names that are
  not in the Adobe Glyph List), cid_collection ("Adobe-Identity"), pages}] — every font that a
  page's content (or a form XObject it draws) selects with Tf;
- ``page_info``: [{page, annotations, tabs, chars, images, image_cover}] — chars counts visible
  text characters that are not white space; image_cover is the share of the page that images cover;
- ``encrypted`` and ``encryption`` ({revision, p, accessibility, extract} or None): the /P
  permission bits as written.

``blocks``: (kind, level, text). For a tagged PDF, the structure tree's H1–H6 (heading), P
(paragraph), LI (list_item), TD/TH (table_cell) and Caption (caption), with the text of their marked
content (pdfplumber's characters carry the MCID). Text that lies outside those elements becomes
paragraphs of its own. An untagged PDF (or one whose tags hold less than half of the text on its
pages) gives paragraphs made from pdfplumber's text lines, split where the vertical gap is larger
than usual.
"""
from __future__ import annotations

import base64
import io
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from audit.letters import MAX_PAGES, MAX_UNZIPPED_BYTES, Block, LetterError, guess_language

QUIET_LOGGERS = ("pdfminer", "pdfplumber", "pikepdf")   # they log every repaired oddity of a damaged file

# PDF 1.7 standard structure types (ISO 32000-1, 14.8.4) and PDF 2.0's additions.
STANDARD_TYPES = frozenset("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private
P H H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry
Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form DocumentFragment Aside Title FENote Sub
Em Strong Artifact""".split())
BLOCK_TYPES = {"H1": ("heading", 1), "H2": ("heading", 2), "H3": ("heading", 3), "H4": ("heading", 4),
               "H5": ("heading", 5), "H6": ("heading", 6), "H": ("heading", 0), "Title": ("heading", 0),
               "P": ("paragraph", 0), "LI": ("list_item", 0), "TD": ("table_cell", 0),
               "TH": ("table_cell", 0), "Caption": ("caption", 0), "TOCI": ("line", 0)}
INLINE_TYPES = frozenset("""Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP
NonStruct Private Lbl LBody Sub Em Strong FENote Form""".split())
NO_TEXT_TYPES = frozenset({"Figure", "Formula", "Artifact"})   # what they show is not running text
STANDARD_14 = frozenset("""Times-Roman Times-Bold Times-Italic Times-BoldItalic Helvetica Helvetica-Bold
Helvetica-Oblique Helvetica-BoldOblique Courier Courier-Bold Courier-Oblique Courier-BoldOblique Symbol
ZapfDingbats""".split())
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
UNI_GLYPH = re.compile(r"^(uni([0-9A-F]{4})+|u[0-9A-F]{4,6})(\..*)?$")
MAX_ELEMENTS = 200_000        # structure elements walked at most (a loop or a bomb stops there)
MAX_DEPTH = 200
MAX_FORM_DEPTH = 12           # nested form XObjects followed at most when looking for fonts
MAX_GLYPHS_LISTED = 20
# Decompression bombs (see _check_bombs): qpdf and pdfminer unpack a stream whole, so a 2 MB file
# whose one stream inflates to 2 GB needs gigabytes. A page scanned at 300 dpi in colour, stored as
# Flate, is 26 MB unpacked (A4; A3 52 MB): one stream may unpack to 100 MB, four times that. All the
# streams of a letter together may unpack to as much as a Word document may unzip to (200 MB: about
# seven such colour pages; letters scanned as JPEG, JBIG2 or CCITT are not counted, as they are not
# unpacked here).
MAX_STREAM_BYTES = 100_000_000
MAX_INFLATED_BYTES = MAX_UNZIPPED_BYTES


def read_pdf(data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    """The facts and text blocks of one PDF; LetterError (one line, naming ``name``) when it cannot be read."""
    loggers = [logging.getLogger(n) for n in QUIET_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        return _read_pdf(data, part, name)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _read_pdf(data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    import pikepdf

    if b"%%EOF" not in data[-65536:].rstrip(b"\x00 \t\r\n")[-2048:]:
        raise LetterError(f"{name}: not a readable PDF (it ends early: no %%EOF marker); check the file is complete")
    scan = _check_bombs(data, name)       # before qpdf or pdfminer unpack anything
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise LetterError(f"{name}: the PDF is password-protected; save a copy without a password to check it") \
            from None
    except Exception as exc:  # pikepdf.PdfError, and whatever else qpdf raises on a broken file
        if "encrypt" in str(exc).lower():     # e.g. certificate security, which needs the recipient's key
            raise LetterError(f"{name}: the PDF is encrypted in a way klartjek cannot open ({_reason(exc)}); "
                              "save a copy without security to check it") from None
        raise _unreadable(name, exc) from None
    try:
        with pdf:
            if pdf.is_encrypted:          # the raw scan saw only encrypted bytes
                _check_encrypted_bombs(pdf, scan, name)
            return _read(pdf, data, part, name)
    except LetterError:
        raise
    except Exception as exc:  # a damaged object, stream or content stream deep inside the file
        raise _unreadable(name, exc) from None


PAGE_LOOP = re.compile(r"loop detected in /Pages", re.IGNORECASE)   # qpdf's words for a cyclic page tree


def _unreadable(name: str, exc: BaseException) -> LetterError:
    if PAGE_LOOP.search(str(exc)):
        return LetterError(f"{name}: not a readable PDF (its page tree loops); check the file")
    return LetterError(f"{name}: not a readable PDF ({_reason(exc)}); check the file is complete")


def _reason(exc: BaseException) -> str:
    """The gist of a pikepdf/pdfminer error in one short line, without qpdf's file-name prefix
    (for an in-memory file qpdf names it by the repr of the BytesIO) or object context."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = re.sub(r"^(stream )?(<[^<>]*>|\(empty filename\)|[^:]*\.pdf)\s*"
                  r"(\((object \d+ \d+|[^)]*offset \d+)\))?:\s*", "", text)
    text = re.sub(r"\s*<[^<>]* (object )?at 0x[0-9a-fA-F]+>", "", text).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


# -- decompression bombs ----------------------------------------------------------------------------
#
# Before qpdf or pdfminer see the file, every stream in the raw bytes is unpacked once, a chunk at a
# time, counting the bytes and keeping none: a stream is wherever the keyword ``stream`` is (object
# streams cannot hold streams, so every stream is at the top level of the file). Its filters are read
# from its dictionary (the text from "N G obj" up to the keyword) when that parses; FlateDecode,
# LZWDecode, ASCIIHexDecode, ASCII85Decode and RunLengthDecode are unpacked (qpdf's and pdfminer's
# own; the image codecs DCT, JPX, JBIG2 and CCITT are not unpacked when a letter is read). Whatever
# the dictionary says, data that begins as zlib data is inflated too, and so is output that does
# (Flate inside Flate). An encrypted file's streams are measured after qpdf opens it (see
# _check_encrypted_bombs). Limits: MAX_STREAM_BYTES, MAX_INFLATED_BYTES.

_IN_CHUNK = 1 << 16           # compressed bytes fed at a time
_OUT_CHUNK = 1 << 20          # unpacked bytes made at a time, at most (about)
_MAX_NESTED = 8               # Flate inside Flate inside …, followed at most
_WS = b"\x00\t\n\f\r "
_STREAM_KW = re.compile(rb"(?<!end)stream[\x00\t\n\f\r ]*")
_OBJ_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\f\r ]+([0-9]{1,5})[\x00\t\n\f\r ]+obj\Z")
_DICT_TOKEN = re.compile(rb"/[^\x00\t\n\f\r ()<>\[\]{}/%]*|<<|>>|\[|\]|<[^<>]*>|\((?:[^()\\]|\\.)*\)|"
                         rb"[^\x00\t\n\f\r ()<>\[\]{}/%]+|[()]|%[^\r\n]*", re.S)   # white space is skipped
_FILTERS = {"FlateDecode": "flate", "Fl": "flate", "LZWDecode": "lzw", "LZW": "lzw",
            "ASCIIHexDecode": "hex", "AHx": "hex", "ASCII85Decode": "a85", "A85": "a85",
            "RunLengthDecode": "rl", "RL": "rl"}


class _Bomb(Exception):
    def __init__(self, total: bool) -> None:
        super().__init__()
        self.total = total


def _bomb_error(name: str, total: bool) -> LetterError:
    if total:
        return LetterError(f"{name}: refused: the compressed streams in the PDF unpack to more than "
                           f"{MAX_INFLATED_BYTES // 1_000_000} MB together (a decompression bomb?); check the file")
    return LetterError(f"{name}: refused: a compressed stream in the PDF unpacks to more than "
                       f"{MAX_STREAM_BYTES // 1_000_000} MB (a decompression bomb?); check the file")


class _BombScan:
    """What the raw scan found: the unpacked bytes in all, and per object (N, G) its stream's share."""

    def __init__(self) -> None:
        self.total = 0
        self.sizes: dict[tuple[int, int], int] = {}


def _check_bombs(data: bytes, name: str) -> _BombScan:
    """Refuse a PDF whose streams unpack to more than the limits, unpacking nothing whole."""
    import bisect

    scan = _BombScan()
    view = memoryview(data)
    ends: list[int] | None = None         # where each "endstream" is, found when first needed
    lo = 0
    try:
        for m in _STREAM_KW.finditer(data):
            kw, start = m.start(), m.end()
            objgen, filters, length = _stream_dict(data, lo, kw)
            lo = kw + 6
            if not _zlib_header(data[start:start + 2]) and not (filters and any(f != "flate" for f in filters)):
                continue      # nothing to unpack: an image codec, data stored as it is, or not a stream at all
            if length is not None and _is_stream_end(data, start + length):
                end = start + length
            else:             # a /Length that is indirect or wrong: the data ends at the next endstream
                if ends is None:
                    ends = [e.start() for e in re.finditer(rb"endstream", data)]
                i = bisect.bisect_left(ends, start)
                end = ends[i] if i < len(ends) else len(data)
            size = _measure_stream(view[start:end], filters, scan.total)
            if size:
                scan.total += size
                if objgen is not None:
                    scan.sizes[objgen] = scan.sizes.get(objgen, 0) + size
    except _Bomb as bomb:
        raise _bomb_error(name, bomb.total) from None
    return scan


def _check_encrypted_bombs(pdf, scan: _BombScan, name: str) -> None:
    """An encrypted file's streams, measured as qpdf decrypts them: each top-level stream object alone
    (``read_raw_bytes`` decrypts but does not unpack; nothing else is resolved)."""
    import pikepdf

    try:
        table = pdf.get_xref_table()
        objgens = [og for og, entry in table.items() if int(entry.type) == 1]   # objects not in object streams
    except Exception:  # an older pikepdf: the objects the raw scan found
        objgens = list(scan.sizes)
    total = scan.total
    try:
        for og in objgens:
            try:
                obj = pdf.get_object(og)
                if not isinstance(obj, pikepdf.Stream):
                    continue
                filters = _pike_filters(obj.get("/Filter"))
                raw = obj.read_raw_bytes()
            except Exception:  # a damaged object: qpdf will say so when the letter is read
                continue
            known = scan.sizes.get(og, 0)          # e.g. the cross-reference stream, which is not encrypted
            base = total - known
            size = _measure_stream(memoryview(raw), filters, base)
            del raw
            total = base + max(size, known)
    except _Bomb as bomb:
        raise _bomb_error(name, bomb.total) from None


def _pike_filters(value) -> list[str] | None:
    import pikepdf

    if isinstance(value, pikepdf.Name):
        return [_FILTERS.get(str(value)[1:], "other")]
    if isinstance(value, pikepdf.Array):
        return [_FILTERS.get(str(v)[1:], "other") if isinstance(v, pikepdf.Name) else "other" for v in value]
    return None


def _is_stream_end(data: bytes, pos: int) -> bool:
    if pos > len(data):
        return False
    head = data[pos:pos + 16].lstrip(_WS)
    return head.startswith(b"endstream")


def _stream_dict(data: bytes, lo: int, kw: int) -> tuple[tuple[int, int] | None, list[str] | None, int | None]:
    """((N, G), filters, /Length) of the stream whose keyword is at ``kw``, read from the raw text of its
    dictionary; None for what cannot be read (a dictionary that does not parse, an indirect /Length)."""
    end = kw
    while True:
        p = data.rfind(b"obj", max(lo, kw - 65536), end)
        if p < 0 or data[max(p - 3, 0):p] == b"end":
            return None, None, None
        m = _OBJ_HEADER.search(data, max(lo, p - 40), p + 3)
        if m:
            break
        end = p
    objgen = (int(m.group(1)), int(m.group(2)))
    stack: list[bytes] = []             # the open << and [ around the token
    closed = False
    tokens: list[bytes] = []            # the stream dictionary's own entries, and its arrays' items

    def own() -> bool:
        return len(stack) == 1 or (len(stack) == 2 and stack[1] == b"[")

    for tok in _DICT_TOKEN.findall(data, p + 3, kw):
        if tok[:1] == b"%":
            continue
        if closed or tok == b"(" or tok == b")" or (not stack and tok != b"<<"):
            return objgen, None, None      # not a dictionary alone, or a string with parentheses in it
        if tok == b"<<" or tok == b"[":
            if stack and own():
                tokens.append(tok)
            stack.append(tok)
        elif tok == b">>" or tok == b"]":
            stack.pop()
            if not stack:
                closed = True
            elif own():
                tokens.append(tok)
        elif own():
            tokens.append(tok)
    if not closed:
        return objgen, None, None
    filters = length = None
    for k, tok in enumerate(tokens):
        key = _name(tok)
        if key == "Filter" and k + 1 < len(tokens):
            nxt = tokens[k + 1]
            if nxt.startswith(b"/"):
                filters = [_FILTERS.get(_name(nxt) or "", "other")]
            elif nxt == b"[":
                names = []
                for t2 in tokens[k + 2:]:
                    if t2 == b"]":
                        break
                    names.append(_FILTERS.get(_name(t2) or "", "other") if t2.startswith(b"/") else "other")
                filters = names
            else:
                filters = None                      # an indirect reference: not known here
        elif key == "Length" and k + 1 < len(tokens):
            nums = tokens[k + 1:k + 4]
            if nums[0].isdigit() and not (len(nums) == 3 and nums[1].isdigit() and nums[2] == b"R"):
                length = int(nums[0])
            else:
                length = None
    return objgen, filters, length


def _name(tok: bytes) -> str | None:
    if not tok.startswith(b"/"):
        return None
    if b"#" not in tok:
        return tok[1:].decode("latin-1")
    raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), tok[1:])
    return raw.decode("latin-1")


def _measure_stream(raw: memoryview, filters: list[str] | None, base: int) -> int:
    """A stream's unpacked size: as zlib data (whatever its dictionary says), and through its filters
    when they are more than Flate (e.g. [/ASCII85Decode /FlateDecode])."""
    size = _measure(raw, [], base)
    if filters and any(f != "flate" for f in filters):
        size = max(size, _measure(raw, filters, base))
    return size


def _measure(raw: memoryview, filters: list[str], base: int) -> int:
    """The unpacked size of one stream: its largest layer of output, counted as it is made; _Bomb when
    it, or ``base`` (the streams before it) plus it, is over the limit."""
    if not filters and not _zlib_header(bytes(raw[:2])):
        return 0
    layers: list[int] = []

    def count(chunks: Iterable[bytes]) -> Iterator[bytes]:
        k = len(layers)
        layers.append(0)
        for out in chunks:
            layers[k] += len(out)
            if layers[k] > MAX_STREAM_BYTES:
                raise _Bomb(total=False)
            if base + layers[k] > MAX_INFLATED_BYTES:
                raise _Bomb(total=True)
            yield out

    chunks: Iterable[bytes] = (raw[i:i + _IN_CHUNK] for i in range(0, len(raw), _IN_CHUNK))
    for f in filters:
        decoder = _DECODERS.get(f)
        if decoder is None:       # an image codec, or a filter klartjek does not know: not unpacked
            break
        chunks = count(decoder(chunks))
    for _ in _nested_flate(chunks, count, _MAX_NESTED):
        pass
    return max(layers, default=0)


def _nested_flate(chunks: Iterable[bytes], count, depth: int) -> Iterator[bytes]:
    """The chunks, or, when they begin as zlib data, what they inflate to (and so on, ``depth`` deep)."""
    it = iter(chunks)
    head = b""
    first: list[bytes] = []
    for c in it:
        first.append(c)
        head += bytes(c[:2 - len(head)])
        if len(head) >= 2:
            break
    rest = _chain(first, it)
    if depth > 0 and _zlib_header(head):
        yield from _nested_flate(count(_inflate(rest)), count, depth - 1)
    else:
        yield from rest


def _chain(first: list, it: Iterator) -> Iterator:
    yield from first
    yield from it


def _zlib_header(head: bytes) -> bool:
    return len(head) == 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and not head[1] & 0x20 \
        and (head[0] << 8 | head[1]) % 31 == 0


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    d = zlib.decompressobj()
    try:
        for chunk in chunks:
            buf = chunk
            while buf:
                out = d.decompress(buf, _OUT_CHUNK)
                if out:
                    yield out
                if d.eof:
                    return
                buf = d.unconsumed_tail
        while True:          # output still pending when the input has all been read
            out = d.decompress(b"", _OUT_CHUNK)
            if not out:
                return
            yield out
    except zlib.error:       # not zlib data, or damaged: qpdf and pdfminer stop there too
        return


def _unhex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        s = bytes(chunk)
        end = s.find(b">")
        s = carry + (s if end < 0 else s[:end]).translate(None, _WS)
        carry, s = (s[-1:], s[:-1]) if len(s) % 2 else (b"", s)
        try:
            yield bytes.fromhex(s.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            return
        if end >= 0:
            break
    if carry:                # an odd last digit is followed by 0
        yield bytes.fromhex((carry + b"0").decode("ascii"))


def _una85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        s = bytes(chunk)
        end = s.find(b"~")
        s = carry + (s if end < 0 else s[:end]).translate(None, _WS).replace(b"z", b"!!!!!")
        n = len(s) - len(s) % 5
        try:
            yield base64.a85decode(s[:n])
        except ValueError:
            return
        carry = s[n:]
        if end >= 0:
            break
    if len(carry) > 1:
        try:
            yield base64.a85decode(carry + b"u" * (5 - len(carry)))[:len(carry) - 1]
        except ValueError:
            return


def _unrl(chunks: Iterable[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        buf = pending + bytes(chunk)
        out = bytearray()
        i, n = 0, len(buf)
        while i < n:
            length = buf[i]
            if length == 128:
                yield bytes(out)
                return
            if length < 128:
                if i + length + 2 > n:
                    break
                out += buf[i + 1:i + length + 2]
                i += length + 2
            else:
                if i + 2 > n:
                    break
                out += buf[i + 1:i + 2] * (257 - length)
                i += 2
            if len(out) >= _OUT_CHUNK:
                yield bytes(out)
                out = bytearray()
        pending = buf[i:]
        yield bytes(out)


def _unlzw(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """LZW as PDF has it (EarlyChange 1, the default), with a table of at most 4096 entries as the
    format allows (pdfminer's decoder lets its table grow without end)."""
    table: list[bytes] = [bytes((c,)) for c in range(256)] + [b"", b""]
    prev: bytes | None = None
    width, acc, nbits = 9, 0, 0
    out = bytearray()
    for chunk in chunks:
        for byte in bytes(chunk):
            acc = (acc << 8) | byte
            nbits += 8
            while nbits >= width:
                nbits -= width
                code = acc >> nbits
                acc &= (1 << nbits) - 1
                if code == 256:
                    del table[258:]
                    prev, width = None, 9
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table) and code != 256:
                    entry = table[code]
                    if prev is not None and len(table) < 4096:
                        table.append(prev + entry[:1])
                elif code == len(table) and prev is not None:
                    entry = prev + prev[:1]
                    table.append(entry)
                else:
                    yield bytes(out)
                    return
                out += entry
                prev = entry
                size = len(table) + 1
                width = 12 if size >= 2048 else 11 if size >= 1024 else 10 if size >= 512 else 9
                if len(out) >= _OUT_CHUNK:
                    yield bytes(out)
                    out = bytearray()
    yield bytes(out)


_DECODERS = {"flate": _inflate, "hex": _unhex, "a85": _una85, "rl": _unrl, "lzw": _unlzw}


def _read(pdf, data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    import pikepdf

    root = pdf.Root
    n_pages = len(pdf.pages)
    if n_pages == 0:
        raise LetterError(f"{name}: not a readable PDF (it has no pages); check the file is complete")
    n_read = min(n_pages, MAX_PAGES)
    page_numbers = {pdf.pages[i].obj.objgen: i + 1 for i in range(n_pages)}

    mark = root.get("/MarkInfo")
    marked = _bool(mark.get("/Marked")) if isinstance(mark, pikepdf.Dictionary) else None
    suspects = bool(_bool(mark.get("/Suspects"))) if isinstance(mark, pikepdf.Dictionary) else False
    vp = root.get("/ViewerPreferences")
    display = _bool(vp.get("/DisplayDocTitle")) if isinstance(vp, pikepdf.Dictionary) else None
    xmp_title, pdfua_part = _xmp(pdf)
    info_title = None
    try:
        if "/Title" in pdf.docinfo:
            info_title = _str(pdf.docinfo["/Title"])
    except Exception:  # a broken Info dictionary is not the letter's problem
        info_title = None
    lang = _str(root.get("/Lang"))
    lang = lang.strip() if lang and lang.strip() else None

    encryption = None
    if pdf.is_encrypted:
        # The permission bits as written (ISO 32000-1, table 22), which PDF/UA-1 7.16 looks at: bit 10
        # allows extraction for accessibility (revision 3 and later), bit 5 all extraction; revision 2
        # has no bit 10. (PDF 2.0 deprecates bit 10, and qpdf always sets it when it writes AES files.)
        rev, perms = int(pdf.encryption.R), int(pdf.encryption.P)
        encryption = {"revision": rev, "p": perms, "extract": bool(perms & 16),
                      "accessibility": bool(perms & (512 if rev >= 3 else 16))}

    tree = _StructTree(pdf, root, page_numbers)
    page_info, texts, fonts = _pages(pdf, data, n_read)
    blocks = tree.blocks(texts) if tree.elements else []
    layout_chars = sum(len(ln["text"]) for pt in texts for ln in pt.lines)
    if sum(len(t) for _, _, t in blocks) < 0.5 * layout_chars:
        # no tags, or tags that leave most of the text out: the layout's paragraphs tell more
        blocks = _layout_blocks(texts)
    all_text = "\n".join(t for _, _, t in blocks)

    facts: dict[str, Any] = {
        "part": part, "pages": n_pages, "pages_read": n_read, "version": str(pdf.pdf_version),
        "lang": lang, "text_language": guess_language(all_text),
        "pdfua_claimed": pdfua_part is not None, "pdfua_part": pdfua_part,
        "tagged": marked is True, "marked": marked, "suspects": suspects,
        "struct_tree": tree.present, "struct_children": tree.top_count,
        "title_xmp": xmp_title, "title_info": info_title, "display_doc_title": display,
        "figures": tree.figures(), "headings": tree.headings(texts),
        "fonts": fonts, "page_info": page_info,
        "encrypted": bool(pdf.is_encrypted), "encryption": encryption,
    }
    return facts, blocks


def _bool(obj) -> bool | None:
    if obj is None:
        return None
    if isinstance(obj, bool):
        return obj
    try:
        return bool(obj)
    except Exception:
        return None


def _str(obj) -> str | None:
    """A PDF string or name as text; None for anything else."""
    import pikepdf

    if obj is None:
        return None
    if isinstance(obj, pikepdf.String):
        return str(obj)
    if isinstance(obj, pikepdf.Name):
        return str(obj)[1:]
    if isinstance(obj, str):
        return obj
    return None


def _xmp(pdf) -> tuple[str | None, str | None]:
    """(dc:title, pdfuaid:part) from the XMP metadata; (None, None) when there is none or it is unreadable."""
    if "/Metadata" not in pdf.Root:
        return None, None
    try:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        title = meta.get("dc:title")
        part = meta.get("pdfuaid:part")
    except Exception:  # XMP that does not parse counts as none
        return None, None
    title = str(title) if title is not None else None
    part = str(part).strip() if part is not None and str(part).strip() else None
    return title, part


# -- pages: text, fonts, annotations, images ------------------------------------------------------

class _PageText:
    """One page's text: its marked-content pieces by MCID and its text lines (for untagged PDFs)."""

    def __init__(self, number: int, pieces: dict[int, dict[str, Any]], lines: list[dict[str, Any]]) -> None:
        self.number = number
        self.pieces = pieces
        self.lines = lines


def _pages(pdf, data: bytes, n_read: int):
    import pdfplumber
    from pdfplumber.utils import extract_text

    plain = data
    if pdf.is_encrypted:      # pdfminer gets a decrypted copy: qpdf has already opened it
        buf = io.BytesIO()
        pdf.save(buf, encryption=False)
        plain = buf.getvalue()
    fonts: dict[Any, dict[str, Any]] = {}
    infos: list[dict[str, Any]] = []
    texts: list[_PageText] = []
    for i in range(n_read):
        page = pdf.pages[i]
        annots = page.obj.get("/Annots")
        n_annots = len(annots) if annots is not None and hasattr(annots, "__len__") else 0
        tabs = _str(page.obj.get("/Tabs"))
        for key, fd in _page_fonts(page):
            entry = fonts.get(key)
            if entry is None:
                entry = fonts[key] = _font_facts(fd)
            if i + 1 not in entry["pages"]:
                entry["pages"].append(i + 1)
        infos.append({"page": i + 1, "annotations": n_annots, "tabs": tabs})
    with pdfplumber.open(io.BytesIO(plain), pages=list(range(1, n_read + 1))) as doc:
        for i in range(n_read):
            page = doc.pages[i]
            try:
                _layout(page)
            except (AttributeError, ImportError, TypeError):  # a pdfplumber whose insides differ: its own layout
                pass
            chars = [c for c in page.chars if c.get("text")]
            for c in chars:
                if c["text"] in LIGATURES:
                    c["text"] = LIGATURES[c["text"]]
            by_mcid: dict[int, list[dict[str, Any]]] = {}
            for c in chars:
                if c.get("mcid") is not None:
                    by_mcid.setdefault(c["mcid"], []).append(c)
            pieces = {}
            for mcid, cs in by_mcid.items():
                t = " ".join(extract_text(cs).split())
                inked = [c for c in cs if not c["text"].isspace()]
                if t and inked:
                    pieces[mcid] = {"text": t, "first": _geom(inked[0]), "last": _geom(inked[-1]),
                                    "space_before": cs[0]["text"].isspace(), "space_after": cs[-1]["text"].isspace()}
            lines = [{"text": ln["text"], "top": ln["top"], "bottom": ln["bottom"]}
                     for ln in page.extract_text_lines(return_chars=False)] if chars else []
            area = float(page.width * page.height) or 1.0
            cover = 0.0
            for im in page.images:
                x0, x1 = max(im["x0"], 0), min(im["x1"], page.width)
                top, bottom = max(im["top"], 0), min(im["bottom"], page.height)
                if x1 > x0 and bottom > top:
                    cover += float((x1 - x0) * (bottom - top))
            infos[i].update({"chars": sum(1 for c in chars if not c["text"].isspace()),
                             "images": len(page.images), "image_cover": round(min(cover / area, 1.0), 3)})
            texts.append(_PageText(i + 1, pieces, lines))
            page.close()
    font_list = sorted(fonts.values(), key=lambda f: (f["pages"][0], f["name"]))
    return infos, texts, font_list


LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
             "\ufb06": "st"}


def _layout(page) -> None:
    """Lay the page out as pdfplumber does, but with marked content tracked as a stack.

    pdfplumber forgets the MCID when a nested sequence begins or ends (Chromium and Word put
    ``/Span <</ActualText (fl)>> BDC … EMC`` inside a paragraph's ``<</MCID 3>> BDC``): every
    character after the first ligature would lose its MCID. Here a nested sequence without an
    MCID inherits the one around it, and EMC returns to it."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    from pdfplumber.utils import decode_text

    class Aggregator(PDFPageAggregatorWithMarkedContent):
        def begin_tag(self, tag, props=None) -> None:
            stack = self.__dict__.setdefault("_mc_stack", [])
            outer = stack[-1] if stack else (None, None)
            mcid = props.get("MCID") if isinstance(props, dict) else None
            entry = (decode_text(tag.name), mcid if isinstance(mcid, int) else outer[1])
            stack.append(entry)
            self.cur_tag, self.cur_mcid = entry

        def end_tag(self) -> None:
            stack = self.__dict__.setdefault("_mc_stack", [])
            if stack:
                stack.pop()
            self.cur_tag, self.cur_mcid = stack[-1] if stack else (None, None)

    device = Aggregator(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()


def _geom(c: dict[str, Any]) -> tuple[float, float, float, float]:
    return (float(c["x0"]), float(c["x1"]), float(c["top"]), float(c.get("size") or c["bottom"] - c["top"]))


def _page_fonts(page):
    """(key, font dictionary) of each font the page's content selects with Tf, following form XObjects."""
    import pikepdf

    seen: set = set()
    out = []

    def visit(stream_owner, resources, depth):
        if depth > MAX_FORM_DEPTH or not isinstance(resources, pikepdf.Dictionary):
            return
        font_res = resources.get("/Font")
        xobj_res = resources.get("/XObject")
        try:
            ops = pikepdf.parse_content_stream(stream_owner, "Tf Do")
        except Exception:  # content that does not parse: count every font the resources name
            ops = None
        if ops is None:
            names_tf = list(font_res.keys()) if isinstance(font_res, pikepdf.Dictionary) else []
            names_do: list[str] = []
        else:
            names_tf = [str(op.operands[0]) for op in ops if str(op.operator) == "Tf" and op.operands]
            names_do = [str(op.operands[0]) for op in ops if str(op.operator) == "Do" and op.operands]
        for nm in dict.fromkeys(names_tf):
            fd = font_res.get(nm) if isinstance(font_res, pikepdf.Dictionary) else None
            if not isinstance(fd, pikepdf.Dictionary):
                continue
            key = fd.objgen if fd.is_indirect else (id(stream_owner), nm)
            if key not in seen:
                seen.add(key)
                out.append((key, fd))
        for nm in dict.fromkeys(names_do):
            xo = xobj_res.get(nm) if isinstance(xobj_res, pikepdf.Dictionary) else None
            if not isinstance(xo, pikepdf.Stream) or xo.get("/Subtype") != pikepdf.Name.Form:
                continue
            key = ("form", xo.objgen) if xo.is_indirect else None
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            visit(xo, xo.get("/Resources") or resources, depth + 1)

    visit(page, page.obj.get("/Resources"), 0)
    return out


def _font_facts(fd) -> dict[str, Any]:
    import pikepdf
    from pdfminer.glyphlist import glyphname2unicode

    subtype = _str(fd.get("/Subtype")) or ""
    base = _str(fd.get("/BaseFont")) or _str(fd.get("/Name")) or ""
    desc = fd
    cid_collection = None
    if subtype == "Type0":
        kids = fd.get("/DescendantFonts")
        desc = kids[0] if isinstance(kids, pikepdf.Array) and len(kids) else pikepdf.Dictionary()
        info = desc.get("/CIDSystemInfo")
        if isinstance(info, pikepdf.Dictionary):
            cid_collection = f"{_str(info.get('/Registry')) or ''}-{_str(info.get('/Ordering')) or ''}"
    fdesc = desc.get("/FontDescriptor")
    if not isinstance(fdesc, pikepdf.Dictionary):
        fdesc = None
    embedded = subtype == "Type3" or (fdesc is not None and any(k in fdesc for k in
                                                                 ("/FontFile", "/FontFile2", "/FontFile3")))
    flags = int(fdesc.get("/Flags", 0)) if fdesc is not None and isinstance(fdesc.get("/Flags"), int) else None
    plain_name = SUBSET_PREFIX.sub("", base)
    if flags is not None:
        symbolic = bool(flags & 4) and not bool(flags & 32)
    else:
        symbolic = plain_name in ("Symbol", "ZapfDingbats")
    enc = fd.get("/Encoding")
    encoding: str | None
    differences: list[str] = []
    if isinstance(enc, pikepdf.Name):
        encoding = _str(enc)
    elif isinstance(enc, pikepdf.Dictionary):
        encoding = _str(enc.get("/BaseEncoding"))
        diffs = enc.get("/Differences")
        if isinstance(diffs, pikepdf.Array):
            differences = [str(d)[1:] for d in diffs if isinstance(d, pikepdf.Name)]
    elif isinstance(enc, pikepdf.Stream):
        encoding = "(embedded CMap)"
    else:
        encoding = None
    unmapped = [g for g in dict.fromkeys(differences)
                if g not in glyphname2unicode and not UNI_GLYPH.match(g) and g != ".notdef"]
    return {"name": plain_name or "(unnamed)", "base_font": base, "subtype": subtype, "embedded": embedded,
            "to_unicode": "/ToUnicode" in fd, "symbolic": symbolic, "standard_14": plain_name in STANDARD_14,
            "encoding": encoding, "differences": bool(differences),
            "unmapped_glyphs": unmapped[:MAX_GLYPHS_LISTED], "cid_collection": cid_collection, "pages": []}


# -- the structure tree -----------------------------------------------------------------------------

class _Elem:
    __slots__ = ("raw", "type", "path", "page", "items", "alt", "actual_text")

    def __init__(self, raw: str, type_: str, path: str, page: int | None) -> None:
        self.raw, self.type, self.path, self.page = raw, type_, path, page
        self.items: list[Any] = []          # _Elem children and (page, mcid) pairs, in order
        self.alt: str | None = None
        self.actual_text: str | None = None


class _StructTree:
    """The tag tree, walked once: elements with their own names, role-mapped types, pages and MCIDs."""

    def __init__(self, pdf, root, page_numbers: dict) -> None:
        import pikepdf

        self.present = False
        self.top_count = 0
        self.elements: list[_Elem] = []      # top level
        self.all: list[_Elem] = []           # every element, in reading order
        self._page_numbers = page_numbers
        str_root = root.get("/StructTreeRoot")
        if not isinstance(str_root, pikepdf.Dictionary):
            return
        self.present = True
        rm = str_root.get("/RoleMap")
        self._rolemap = {str(k)[1:]: _str(v) for k, v in rm.items()} if isinstance(rm, pikepdf.Dictionary) else {}
        self._seen: set = set()
        kids = [k for k in _as_list(str_root.get("/K")) if _is_elem(k)]
        self.top_count = len(kids)
        self.elements = self._children(kids, "", None, 0)

    def role(self, raw: str) -> str:
        t, steps = raw, 0
        while t not in STANDARD_TYPES and t in self._rolemap and self._rolemap[t] and steps < 10:
            t, steps = self._rolemap[t], steps + 1
        return t

    def _children(self, kids: list, parent_path: str, page: int | None, depth: int) -> list[_Elem]:
        counts: dict[str, int] = {}
        totals: dict[str, int] = {}
        for k in kids:
            raw = _str(k.get("/S")) or "?"
            totals[raw] = totals.get(raw, 0) + 1
        out = []
        for k in kids:
            raw = _str(k.get("/S")) or "?"
            counts[raw] = counts.get(raw, 0) + 1
            step = raw if depth == 0 and totals[raw] == 1 else f"{raw}[{counts[raw]}]"
            e = self._elem(k, raw, f"{parent_path}/{step}", page, depth)
            if e is not None:
                out.append(e)
        return out

    def _elem(self, d, raw: str, path: str, page: int | None, depth: int) -> _Elem | None:
        import pikepdf

        if depth > MAX_DEPTH or len(self.all) >= MAX_ELEMENTS:
            return None
        if d.is_indirect:
            if d.objgen in self._seen:
                return None
            self._seen.add(d.objgen)
        pg = d.get("/Pg")
        if isinstance(pg, pikepdf.Dictionary) and pg.is_indirect:
            page = self._page_numbers.get(pg.objgen, page)
        e = _Elem(raw, self.role(raw), path, page)
        e.alt = _str(d.get("/Alt"))
        e.actual_text = _str(d.get("/ActualText"))
        self.all.append(e)
        kids = _as_list(d.get("/K"))
        counts: dict[str, int] = {}
        for k in kids:
            if isinstance(k, int) and not isinstance(k, bool):
                e.items.append((page, int(k)))
            elif isinstance(k, pikepdf.Dictionary) and _str(k.get("/Type")) == "MCR":
                mpg = k.get("/Pg")
                p = self._page_numbers.get(mpg.objgen, page) if isinstance(mpg, pikepdf.Dictionary) \
                    and mpg.is_indirect else page
                if isinstance(k.get("/MCID"), int):
                    e.items.append((p, int(k.get("/MCID"))))
                    if e.page is None:
                        e.page = p
            elif _is_elem(k):
                kraw = _str(k.get("/S")) or "?"
                counts[kraw] = counts.get(kraw, 0) + 1
                child = self._elem(k, kraw, f"{path}/{kraw}[{counts[kraw]}]", page, depth + 1)
                if child is not None:
                    e.items.append(child)
        if e.page is None:
            e.page = next((c.page for c in e.items if isinstance(c, _Elem) and c.page), None)
        return e

    # text

    def text(self, e: _Elem, texts: dict[int, _PageText], skip_labels: bool = False) -> str:
        if e.actual_text is not None:
            return " ".join(e.actual_text.split())
        pieces: list[dict[str, Any]] = []
        self._collect(e, texts, pieces, skip_labels)
        return _join(pieces)

    def _collect(self, e: _Elem, texts, pieces: list, skip_labels: bool) -> None:
        for it in e.items:
            if isinstance(it, _Elem):
                if it.type in NO_TEXT_TYPES or (skip_labels and it.type == "Lbl" and self._is_bullet(it, texts)):
                    continue
                if it.actual_text is not None:
                    pieces.append({"text": " ".join(it.actual_text.split()), "first": None, "last": None})
                else:
                    self._collect(it, texts, pieces, skip_labels)
            else:
                page, mcid = it
                pt = texts.get(page)
                piece = pt.pieces.get(mcid) if pt else None
                if piece:
                    pieces.append(piece)

    def _is_bullet(self, e: _Elem, texts) -> bool:
        t = self.text(e, texts)
        return not any(ch.isalnum() for ch in t)

    def blocks(self, page_texts: list[_PageText]) -> list[Block]:
        texts = {pt.number: pt for pt in page_texts}
        out: list[Block] = []
        loose: list[dict[str, Any]] = []

        def flush():
            t = _join(loose)
            if t:
                out.append(("paragraph", 0, t))
            loose.clear()

        def walk(e: _Elem):
            if e.type in NO_TEXT_TYPES:
                return
            if e.type in BLOCK_TYPES:
                flush()
                kind, level = BLOCK_TYPES[e.type]
                t = self.text(e, texts, skip_labels=e.type == "LI")
                if t:
                    out.append((kind, level, t))
                return
            if e.actual_text is not None and e.type in INLINE_TYPES:
                loose.append({"text": " ".join(e.actual_text.split()), "first": None, "last": None})
                return
            for it in e.items:
                if isinstance(it, _Elem):
                    walk(it)
                else:
                    pt = texts.get(it[0])
                    piece = pt.pieces.get(it[1]) if pt else None
                    if piece:
                        loose.append(piece)
            if e.type not in INLINE_TYPES:
                flush()

        for e in self.elements:
            walk(e)
        flush()
        return out

    def figures(self) -> list[dict[str, Any]]:
        return [{"path": e.path, "type": e.raw, "page": e.page, "alt": e.alt, "actual_text": e.actual_text}
                for e in self.all if e.type == "Figure"]

    def headings(self, page_texts: list[_PageText]) -> list[dict[str, Any]]:
        texts = {pt.number: pt for pt in page_texts}
        return [{"path": e.path, "type": e.raw, "level": int(e.type[1]), "text": self.text(e, texts),
                 "page": e.page} for e in self.all if re.fullmatch(r"H[1-6]", e.type)]


def _as_list(k) -> list:
    import pikepdf

    if k is None:
        return []
    if isinstance(k, pikepdf.Array):
        return list(k)
    return [k]


def _is_elem(k) -> bool:
    import pikepdf

    return isinstance(k, pikepdf.Dictionary) and "/S" in k and _str(k.get("/Type")) not in ("MCR", "OBJR")


def _join(pieces: list[dict[str, Any]]) -> str:
    """Marked-content pieces joined as they lie on the page: a space where there is a gap or a new line."""
    out = ""
    prev = None
    for p in pieces:
        t = p["text"]
        if out:
            gap = True
            if prev and prev.get("space_after") or p.get("space_before"):
                gap = True
            elif prev and prev.get("last") and p.get("first"):
                x0l, x1l, topl, sizel = prev["last"]
                x0f, _, topf, _ = p["first"]
                same_line = abs(topf - topl) < sizel * 0.5
                gap = not same_line or x0f - x1l > sizel * 0.15
            if gap and not out.endswith(" ") and not t.startswith(" "):
                out += " "
        out += t
        prev = p
    return " ".join(out.split())


def _layout_blocks(page_texts: list[_PageText]) -> list[Block]:
    """Paragraphs from text lines: a new paragraph where the gap above a line is larger than usual."""
    out: list[Block] = []
    for pt in page_texts:
        para: list[str] = []
        prev = None
        for ln in pt.lines:
            if prev is not None:
                height = max(prev["bottom"] - prev["top"], ln["bottom"] - ln["top"], 1.0)
                if ln["top"] - prev["bottom"] > 0.8 * height:
                    out.append(("paragraph", 0, " ".join(" ".join(para).split())))
                    para = []
            para.append(ln["text"])
            prev = ln
        if para:
            out.append(("paragraph", 0, " ".join(" ".join(para).split())))
    return [b for b in out if b[2]]
