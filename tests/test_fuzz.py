"""A bounded, reproducible fuzz of the readers: the text engine (with the plain-language checks), MeMo,
DOCX and PDF letters.

The property: a reader returns its artifacts, or raises LetterError with one line that names the
file. Any other exception — and a check that raises, which evaluate_all turns into an "error"
result — is a bug. The artifacts must also be sound: blocks, links and finding spans inside the text,
and the facts JSON-serialisable (as the readers promise).

Every test has a fixed seed, no example database and a small example budget, so a run is the same
every time and takes well under a minute. For a longer local hunt, scale the budgets and change the
seed: KLARTJEK_FUZZ_SCALE=20 KLARTJEK_FUZZ_SEED=7 .venv/bin/python -m pytest tests/test_fuzz.py
"""
from __future__ import annotations

import copy
import importlib.util
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, currently_in_test_context, event, example, given, seed, settings
from hypothesis import strategies as st

from audit.config import load_config
from audit.letters import LetterError, gather_letter
from core.model import Document
from audit.runner import check_document
from audit.textextract import text_artifact

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "fixtures" / "letters"
SCALE = float(os.environ.get("KLARTJEK_FUZZ_SCALE", "1"))
SEED = int(os.environ.get("KLARTJEK_FUZZ_SEED", "20261204"))

pytestmark = [pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning"),
              pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")]

_spec = importlib.util.spec_from_file_location("make_memo", LETTERS / "make_memo.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def budget(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), print_blob=True)


def fixtures(folder: str, suffix: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((LETTERS / folder).glob("*" + suffix))}


MEMO = fixtures("memo", ".xml")
MEMO["minimal-utf16.xml"] = (MEMO["minimal.xml"].decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'")
                             .replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
DOCX = fixtures("docx", ".docx")
PDF = fixtures("pdf", ".pdf")
FAST_PDF = {k: v for k, v in PDF.items() if k != "annotations.pdf"}     # the slow one is read by the rest


# -- the property ------------------------------------------------------------------------------------

def assert_sound_text(t: dict) -> None:
    text = t["text"]
    assert isinstance(text, str)
    last = 0
    for s, e, kind, level in t["blocks"]:
        assert last <= s <= e <= len(text), (s, e, len(text))
        assert isinstance(kind, str) and isinstance(level, int)
        last = e
    for s, e, href in t["links"]:
        assert 0 <= s < e <= len(text) and isinstance(href, str), (s, e, len(text))


def read_letter(data: bytes, name: str) -> dict | None:
    """gather_letter's artifacts, or None after a proper LetterError; any other exception propagates."""
    try:
        arts = gather_letter(data, name)
    except LetterError as exc:
        msg = str(exc)
        assert len(msg.splitlines()) == 1, f"LetterError over several lines: {msg!r}"
        assert name in msg, f"LetterError does not name the file: {msg!r}"
        _event("refused: " + msg.removeprefix(name + ": ")[:40])
        return None
    assert arts["letter"]["format"] in ("pdf", "docx", "memo")
    assert_sound_text(arts["text"])
    for meta in (arts.get("memo") or {}).get("files", []):
        err = meta.get("error")
        assert err is None or (len(err.splitlines()) == 1 and name in err), f"part error: {err!r}"
    json.dumps(arts)   # the facts are JSON-serialisable
    _event("read")
    return arts


def _event(what: str) -> None:
    """How the examples ended (pytest --hypothesis-show-statistics): are they read, or refused early?"""
    if currently_in_test_context():
        event(what)


# -- byte mutations -------------------------------------------------------------------------------------

TOKENS = [b"<", b">", b"/>", b"</", b"&", b"&amp;", b"&#0;", b"&#x10FFFF;", b"]]>", b"<![CDATA[", b"<!--", b"-->",
          b"<?x?>", b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\n", b" ", b'"', b"'", b"=", b"PK\x03\x04",
          b"%PDF-1.7", b"%%EOF", b"obj", b"endobj", b"stream", b"endstream", b"xref", b"trailer", b"<<", b">>",
          b"[", b"]", b"(", b")", b"R", b"0", b"-1", b"99999999999999999999", b"/", b"/Type", b"/K", b"/Lang"]

positions = st.integers(min_value=0, max_value=2**31)
byte_op = st.one_of(
    st.tuples(st.just("flip"), positions, st.integers(1, 255)),
    st.tuples(st.just("set"), positions, st.integers(0, 255)),
    st.tuples(st.just("truncate"), positions, st.just(0)),
    st.tuples(st.just("insert"), positions, st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8))),
    st.tuples(st.just("delete"), positions, st.integers(1, 64)),
    st.tuples(st.just("repeat"), positions, st.integers(1, 64)),
)
byte_ops = st.lists(byte_op, min_size=1, max_size=6)


def mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op, pos, arg in ops:
        if not buf and op != "insert":
            continue
        i = pos % (len(buf) + (op in ("insert", "truncate")))
        if op == "flip":
            buf[i] ^= arg
        elif op == "set":
            buf[i] = arg
        elif op == "truncate":
            del buf[i:]
        elif op == "insert":
            buf[i:i] = arg
        elif op == "delete":
            del buf[i:i + arg]
        elif op == "repeat":
            buf[i:i] = buf[i:i + arg]
    return bytes(buf)


# -- the text engine and the plain-language checks ------------------------------------------------------

@pytest.fixture(scope="module")
def text_config(tmp_path_factory):
    cfg = load_config(cwd=tmp_path_factory.mktemp("fuzz-config"))    # an empty folder: the defaults
    cfg["klarsprog"]["enabled"] = True
    return cfg


WORDS = ["Du", "skal", "møde", "op", "på", "hospitalet", "kl.", "10:30", "10.30", "mandag", "den", "3.", "marts",
         "2026", "De", "bedes", "venligst", "medicinliste", "ambulatorium", "Klik", "her", "CPR-nummer",
         "010203-1234", "blev", "undersøgt", "af", "lægen", "the", "patient", "will", "be", "seen", "æøå", "ÆØÅ",
         "i.", "e.", "f.eks.", "osv.", "—", "–", "…", "(", ")", "\"", "»", "«", ".", ",", "!", "?", ":", ";",
         "\n", "\n\n", " ", "  ", "\t", "\u00a0", "\u200b", "1.", "-", "*", "#", "##", ">", "|", "`", "[", "]",
         "tirsdag", "søndag", "29.", "30.", "31.", "0.", "32.", "februar", "april", "december", "2027", "0000",
         "99999999999999999999", "3/3-2026", "29/2", "2026-02-30", "31.12.9999", "24.00", "25:61", "0:00", "Monday",
         "February", "30,", "a.m.", "CPR", "311299-9999", "+45", "78 45 00 00"]
prose = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
any_text = st.one_of(st.text(max_size=300), prose, st.lists(st.one_of(prose, st.text(max_size=20)),
                                                             max_size=5).map("".join))

TAGS = ["div", "p", "span", "a", "li", "ul", "ol", "table", "tr", "td", "th", "caption", "h1", "h2", "h6", "br",
        "img", "nav", "footer", "header", "aside", "main", "section", "article", "b", "em", "strong", "script",
        "style", "pre", "summary", "details", "label", "option", "select", "button", "hr", "blockquote",
        "address", "dl", "dt", "dd", "figure", "figcaption", "noscript", "template", "body", "html", "head",
        "title", "form", "svg", "math", "iframe", "x-custom", "A", "P", "TD"]
ATTRS = ["", "", "", ' href="/side"', ' href=""', " href", ' href="javascript:x()"', " hidden",
         ' aria-hidden="true"', ' style="display:none"', ' style="visibility: hidden"', ' class="cookie-banner"',
         ' id="breadcrumb"', ' role="navigation"', ' role="main"', " data-klartjek-ignore", ' lang="en"',
         ' lang="da"', ' class=""', ' role="banner"', ' class="skip-link nav"']


@st.composite
def html_fragment(draw, depth: int = 0) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4 if depth < 5 else 0))):
        if draw(st.booleans()):
            tag, attrs = draw(st.sampled_from(TAGS)), draw(st.sampled_from(ATTRS))
            inner = draw(html_fragment(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", f"</{tag}>", "", "</p>", "</div>"]))
            out.append(f"<{tag}{attrs}>{inner}{close}")
        else:
            out.append(draw(st.one_of(prose, st.text(max_size=12), st.sampled_from(
                ["&amp;", "&nbsp;", "&lt;", "&#0;", "&#xD800;", "<!-- c -->", "<!doctype html>", "<", "&", "]]>"]))))
    return "".join(out)


html_text = st.one_of(html_fragment(),
                      html_fragment().map(lambda h: f'<!doctype html><html lang="da"><body>{h}</body></html>'))
MD_LINES = ["# Overskrift", "## Afsnit", "- punkt", "1. første", "> citat", "```", "    kode", "| a | b |",
            "|---|---|", "[Klik her](om.html)", "**fed** _kursiv_", "<div>rå html</div>", "***", "", "Tekst.",
            "![billede](x.png)", "<https://x.dk>", "[a]: http://x", "Setext\n===", "\\", "1) a", "* * *"]
md_text = st.lists(st.one_of(st.sampled_from(MD_LINES), prose), max_size=20).map("\n".join)


def check_text(name: str, content: str, lang: str | None, profile: str, cfg: dict) -> None:
    art = text_artifact(name, content, lang)
    assert_sound_text(art)
    cfg = copy.copy(cfg)
    cfg["klarsprog"] = {**cfg["klarsprog"], "profile": profile}
    artifacts = {"text": art}
    doc = check_document(Document(kind="text", path="x"), artifacts, cfg)
    errors = [(r.code, r.error) for r in doc.results if r.outcome == "error"]
    assert not errors, f"a check raised: {errors}"
    for r in doc.results:
        for f in r.findings:
            if f.span:
                s, e = f.span
                assert 0 <= s <= e <= len(art["text"]), (r.code, f.span, len(art["text"]))
    assert doc.readability is not None


names = st.sampled_from(["x.txt", "x.md", "x.html", "x", "-"])
langs = st.sampled_from([None, "da", "en"])
profiles = st.sampled_from(["patient-info", "letter", "web"])


@seed(SEED)
@budget(250)
@given(name=names, content=any_text, lang=langs, profile=profiles)
def test_fuzz_text_engine_on_any_text(text_config, name, content, lang, profile):
    check_text(name, content, lang, profile, text_config)


@seed(SEED + 1)
@budget(200)
@given(content=html_text, lang=langs, profile=profiles)
def test_fuzz_text_engine_on_html(text_config, content, lang, profile):
    check_text("x.html", content, lang, profile, text_config)
    check_text("x", content, lang, profile, text_config)          # sniffed


@seed(SEED + 2)
@budget(150)
@given(content=md_text, lang=langs, profile=profiles)
def test_fuzz_text_engine_on_markdown(text_config, content, lang, profile):
    check_text("x.md", content, lang, profile, text_config)


# -- MeMo ------------------------------------------------------------------------------------------------

@seed(SEED + 3)
@budget(250)
@given(fixture=st.sampled_from(sorted(MEMO)), ops=byte_ops)
def test_fuzz_memo_mutated_bytes(fixture, ops):
    read_letter(mutate(MEMO[fixture], ops), "x.xml")


xml_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t"), max_size=40),
    prose, st.sampled_from(["", " ", "1.2", "1.1", "DIGITALPOST", "NEMSMS", "da", "en", "CPR", "CVR",
                            mk.UUID, "2026-12-08T09:30:00Z", "8. december", "https://x.dk", "javascript:x()"]))
maybe_text = st.one_of(st.none(), xml_text)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIMES = [None, "text/plain", "text/html", "application/xhtml+xml", "application/pdf", "image/tiff", "",
         "text/html; charset=utf-8", "TEXT/PLAIN", DOCX_MIME]
SMALL_FILES = [PDF["scanned.pdf"], PDF["corrupt.pdf"], PDF["truncated.pdf"][:3000], DOCX["tricky.docx"],
               DOCX["not-word.docx"], DOCX["broken-zip.docx"], b"", b"\x00\xff"]
content = st.one_of(
    st.binary(max_size=200),
    prose.map(str.encode),
    html_fragment().map(str.encode),
    st.tuples(st.sampled_from(SMALL_FILES), byte_ops).map(lambda t: mutate(*t)),
    st.sampled_from(["Dette er ikke base64!", "", "QUJD", "QUJD=", "====", "  QU JD  "]),   # written as is
)
filename_like = st.tuples(st.sampled_from(["brev", "", "..", "/tmp/", "æøå", "C:\\"]),
                          st.sampled_from(["", " ", "\n", "\r\n", "\t", "'", '"', "&", "<", "\u2028"]),
                          st.sampled_from([".pdf", ".docx", ".html", "", " x"])).map("".join)
filenames = st.one_of(filename_like, filename_like, maybe_text)
memo_file = st.builds(mk.file, st.sampled_from(MIMES), filenames, st.sampled_from([None, "da", "en", "", "xx"]),
                      content)
memo_action = st.builds(mk.action, maybe_text, st.sampled_from([None, "AFTALE", "SELVBETJENING", "RING",
                                                                "BETALING", "", "?"]),
                        maybe_text, maybe_text, maybe_text,
                        st.one_of(st.none(), st.dictionaries(st.sampled_from(list(mk.RESERVATION)), xml_text,
                                                             max_size=4)))
party = st.one_of(st.none(), st.dictionaries(st.sampled_from(["senderID", "recipientID", "idType", "label"]),
                                             maybe_text, max_size=4))


@st.composite
def memo_message(draw) -> bytes:
    return mk.message(
        version=draw(st.sampled_from(["1.2", "1.2", "1.1", "1.2.0", " 1.2 ", "2.0", "", "1.2.x"])),
        schema_version=draw(st.one_of(st.none(), xml_text)),
        message_type=draw(st.sampled_from(["DIGITALPOST", "NEMSMS", None, "", "Brev"])),
        uuid=draw(st.one_of(st.none(), st.just(mk.UUID), xml_text)), label=draw(maybe_text),
        notification=draw(maybe_text), additional_notification=draw(maybe_text),
        sender=draw(party), recipient=draw(party), body=draw(st.sampled_from([True, True, True, False])),
        main=draw(st.one_of(st.none(), st.lists(memo_file, max_size=3))),
        main_actions=draw(st.lists(memo_action, max_size=2)),
        additional=draw(st.lists(st.lists(memo_file, max_size=2), max_size=2)),
        technical=draw(st.lists(st.lists(memo_file, max_size=1), max_size=1)))


@seed(SEED + 4)
@budget(150)
@given(data=memo_message())
# found by this fuzz: an embedded file's name with a line break makes its error (memo["files"][i]["error"])
# span several lines
@example(data=mk.message(technical=[[mk.file("application/pdf", "brev\n.pdf", None, b"")]]))
@example(data=mk.message(additional=[[mk.file(DOCX_MIME, "brev\u2028.docx", "da", b"PK")]]))
def test_fuzz_memo_generated_messages(data):
    read_letter(data, "x.xml")


MEMO_NAMES = ["Message", "MessageHeader", "MessageBody", "messageType", "messageUUID", "label", "notification",
              "Sender", "Recipient", "senderID", "recipientID", "idType", "MainDocument", "AdditionalDocument",
              "TechnicalDocument", "File", "encodingFormat", "filename", "inLanguage", "language", "content",
              "Action", "actionCode", "startDateTime", "endDateTime", "EntryPoint", "url", "Reservation",
              "createdDateTime", "Other"]
NAMESPACES = ["memo:", "memo:", "", "o:"]


def xml_attr(value: str) -> str:
    """An XML attribute value, escaped as an XML writer does (line breaks as character references)."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\r", "&#13;").replace("\t", "&#9;"))


XML_BITS = ["&amp;", "&#0;", "&#x1F600;", "&lt;", "<![CDATA[<p>x</p>]]>", "<!-- c -->", "<?pi x?>", "&undefined;"]


@st.composite
def xml_tree(draw, depth: int = 0) -> str:
    out = []
    for _ in range(draw(st.integers(0, 4 if depth < 6 else 0))):
        kind = draw(st.integers(0, 3))
        if kind <= 1:
            tag = draw(st.sampled_from(NAMESPACES)) + draw(st.sampled_from(MEMO_NAMES))
            attrs = draw(st.sampled_from(["", ' memoVersion="1.2"', ' a="&quot;"', ' xmlns:o="urn:o"']))
            out.append(f"<{tag}{attrs}>{draw(xml_tree(depth + 1))}</{tag}>")
        elif kind == 2:
            out.append(draw(st.sampled_from(XML_BITS)))
        else:
            out.append(draw(xml_text).replace("&", "&amp;").replace("<", "&lt;"))
    return "".join(out)


@seed(SEED + 5)
@budget(150)
@given(body=xml_tree(), version=st.one_of(st.sampled_from(["1.2", "1.1", "1.2.0", "3", ""]), xml_text),
       ns=st.one_of(st.just(mk.NS), st.just(mk.NS), xml_text),
       decl=st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "",
                             '<?xml version="1.0" encoding="latin-1"?>']),
       enc=st.sampled_from(["utf-8"] * 5 + ["utf-16"]))
# found by this fuzz: a root namespace with a line break gives a LetterError over several lines
@example(body="", version="1.2", ns="\n", decl="", enc="utf-8")
@example(body="", version="1.2", ns="urn:a\u2028b", decl="", enc="utf-8")
def test_fuzz_memo_generated_xml(body, version, ns, decl, enc):
    xml = (f'{decl}<memo:Message xmlns:memo="{xml_attr(ns)}" xmlns:o="urn:o" memoVersion="{xml_attr(version)}">'
           f"{body}</memo:Message>")
    try:
        data = xml.encode(enc)
    except UnicodeEncodeError:
        data = xml.encode("utf-8", "replace")
    read_letter(data, "x.xml")


# -- DOCX -----------------------------------------------------------------------------------------------

@seed(SEED + 6)
@budget(120)
@given(fixture=st.sampled_from(sorted(DOCX)), ops=byte_ops)
def test_fuzz_docx_mutated_zip_bytes(fixture, ops):
    read_letter(mutate(DOCX[fixture], ops), "x.docx")


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
           "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
           "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
           "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
           "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture"}
FRAGMENTS = [
    "<w:p><w:r><w:t>Tekst</w:t></w:r></w:p>", "<w:r><w:t xml:space='preserve'> x </w:t></w:r>", "<w:br/>",
    "<w:tab/>", "<w:cr/>", "<w:noBreakHyphen/>", "<w:pPr><w:pStyle w:val='Heading1'/></w:pPr>",
    "<w:pPr><w:outlineLvl w:val='0'/><w:numPr><w:numId w:val='1'/></w:numPr></w:pPr>",
    "<w:rPr><w:b/><w:lang w:val='en-US'/><w:vanish/><w:rStyle w:val='x'/></w:rPr>",
    "<w:tbl><w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>c</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    "<w:tr><w:tc/></w:tr>", "<w:tc><w:tbl/></w:tc>",
    "<w:sdt><w:sdtContent><w:p><w:r><w:t>s</w:t></w:r></w:p></w:sdtContent></w:sdt>",
    "<w:customXml><w:p/></w:customXml>", "<w:del><w:r><w:t>slettet</w:t></w:r></w:del>",
    "<w:moveFrom><w:r><w:t>m</w:t></w:r></w:moveFrom>",
    "<mc:AlternateContent><mc:Choice Requires='wps'><w:r><w:t>c</w:t></w:r></mc:Choice>"
    "<mc:Fallback><w:r><w:t>f</w:t></w:r></mc:Fallback></mc:AlternateContent>",
    "<w:r><w:drawing><wp:inline><wp:docPr id='1' name='b' descr=''/><a:graphic><a:graphicData "
    "uri='http://schemas.openxmlformats.org/drawingml/2006/picture'/></a:graphic></wp:inline></w:drawing></w:r>",
    "<w:r><w:drawing><wp:anchor><wp:docPr id='x'/><a:graphic><a:graphicData uri='http://schemas.microsoft.com/"
    "office/word/2010/wordprocessingShape'><wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>boks</w:t></w:r>"
    "</w:p></w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>",
    "<wp:docPr/>", "<w:txbxContent/>", "<w:body/>", "<w:p><w:p/></w:p>",
    "<w:style w:type='paragraph' w:styleId='Heading1'><w:name w:val='heading 1'/>"
    "<w:basedOn w:val='Heading1'/></w:style>",
    "<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val=''/></w:rPr></w:rPrDefault></w:docDefaults>",
]
XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in DOCX_NS.items())
W_TAGS = ["p", "r", "t", "tbl", "tr", "tc", "sdt", "sdtContent", "br", "tab", "pPr", "rPr", "pStyle", "rStyle",
          "lang", "b", "outlineLvl", "numPr", "numId", "del", "style", "basedOn", "name", "docDefaults", "body",
          "txbxContent", "vanish", "tblHeader", "trPr", "drawing"]
W_ATTRS = ["val", "styleId", "type", "default", "space"]
ODD_VALUES = ["", "0", "1", "9", "10", "-1", "99999999999999999999", "1.5", "abc", "true", "off", "Heading1",
              "heading 1", "Overskrift 2", "Title", "Normal", "da-DK", "en-US", "x" * 300, "\u00e6\u00f8\u00e5"]
DOCX_PARTS = ["word/document.xml", "word/document.xml", "word/document.xml", "word/styles.xml", "docProps/core.xml",
              "[Content_Types].xml", "word/_rels/document.xml.rels", "_rels/.rels", "word/numbering.xml"]
tree_op = st.tuples(st.sampled_from(["delete", "dup", "move", "attr", "text", "insert", "rename", "wrap"]),
                    positions, positions, st.sampled_from(FRAGMENTS), st.sampled_from(W_TAGS),
                    st.sampled_from(W_ATTRS), st.one_of(st.sampled_from(ODD_VALUES), xml_text))


def mutate_tree(xml: bytes, ops) -> bytes:
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    for op, i, j, frag, tag, attr, value in ops:
        els = list(root.iter())
        el, other = els[i % len(els)], els[j % len(els)]
        parent = el.getparent()
        if op == "delete" and parent is not None:
            parent.remove(el)
        elif op == "dup" and parent is not None:
            el.addnext(copy.deepcopy(el))
        elif op == "move" and parent is not None and el not in list(other.iterancestors()) and el is not other:
            other.insert(j % (len(other) + 1), el)
        elif op == "attr":
            el.set(f"{{{W}}}{attr}", value)
        elif op == "text" and isinstance(el.tag, str):
            el.text = value
        elif op == "insert":
            wrapper = etree.fromstring(f"<w:x {XMLNS}>{frag}</w:x>")
            for k, node in enumerate(list(wrapper)):
                el.insert(j % (len(el) + 1) + k, node)
        elif op == "rename" and isinstance(el.tag, str):
            el.tag = f"{{{W}}}{tag}"
        elif op == "wrap" and parent is not None:
            box = etree.Element(f"{{{W}}}{tag}")
            el.addprevious(box)
            box.append(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rebuild(data: bytes, part: str, change) -> bytes | None:
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {i.filename: src.read(i) for i in src.infolist()}
    if part not in members:
        return None
    members[part] = change(members[part])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in members.items():
            z.writestr(n, b)
    return out.getvalue()


WORD_DOCX = sorted(k for k in DOCX if k in ("good.docx", "tricky.docx", "bad.docx", "no-headings.docx",
                                            "no-language.docx"))


@seed(SEED + 7)
@budget(200)
@given(fixture=st.sampled_from(WORD_DOCX), part=st.sampled_from(DOCX_PARTS),
       tree_ops=st.lists(tree_op, min_size=1, max_size=5), bytes_ops=st.one_of(st.just([]), byte_ops))
def test_fuzz_docx_mutated_document_xml(fixture, part, tree_ops, bytes_ops):
    data = rebuild(DOCX[fixture], part, lambda xml: mutate(mutate_tree(xml, tree_ops), bytes_ops))
    assume(data is not None)
    read_letter(data, "x.docx")


# -- PDF ------------------------------------------------------------------------------------------------

@seed(SEED + 8)
@budget(50)
@given(fixture=st.sampled_from(sorted(FAST_PDF)), ops=byte_ops)
def test_fuzz_pdf_mutated_bytes(fixture, ops):
    read_letter(mutate(FAST_PDF[fixture], ops), "x.pdf")


PDF_KEYS = ["/K", "/S", "/P", "/Pg", "/MCID", "/Lang", "/Alt", "/ActualText", "/Type", "/Marked", "/Suspects",
            "/StructTreeRoot", "/RoleMap", "/ParentTree", "/Font", "/Resources", "/Contents", "/Title", "/Annots",
            "/Tabs", "/BaseFont", "/Subtype", "/ToUnicode", "/Encoding", "/Differences", "/FontDescriptor",
            "/FontFile2", "/Kids", "/Count", "/MediaBox", "/Metadata", "/MarkInfo", "/ViewerPreferences",
            "/DisplayDocTitle", "/Parent", "/XObject", "/BBox", "/Width", "/Height", "/CIDSystemInfo", "/Filter"]
PDF_NAMES = ["/P", "/H1", "/H7", "/H", "/Figure", "/Document", "/Span", "/LI", "/TD", "/Caption", "/Artifact",
             "/Type0", "/TrueType", "/Type3", "/Identity-H", "/WinAnsiEncoding", "/StructElem", "/Page", "/Pages",
             "/Form", "/Image", "/S", "/Helvetica", "/ABCDEF+Font", "/FlateDecode", "/"]
CONTENT_TOKENS = [b" BT ", b" ET ", b" /F1 12 Tf ", b" /Nope 1 Tf ", b" (tekst) Tj ", b" [(a) -20 (b)] TJ ",
                  b" /P <</MCID 0>> BDC ", b" /Span <</MCID 999>> BDC ", b" EMC ", b" /Im1 Do ", b" /Fm0 Do ",
                  b" q ", b" Q ", b" 1 0 0 1 0 0 cm ", b" 0 0 Td ", b" <00410042> Tj ", b" /Artifact BMC ",
                  b" 100 100 200 200 re f ", b" BI /W 1 /H 1 ID x EI "]
pdf_value = st.one_of(st.sampled_from(PDF_NAMES).map(lambda n: ("name", n)),
                      st.sampled_from([-1, 0, 1, 2, 7, 2**31, 10**15]).map(lambda n: ("int", n)),
                      st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: ("real", f)),
                      st.binary(max_size=12).map(lambda b: ("str", b)),
                      st.booleans().map(lambda b: ("bool", b)),
                      positions.map(lambda i: ("ref", i)),
                      st.lists(positions, max_size=3).map(lambda ix: ("array", ix)),
                      st.just(("dict", None)))
pdf_op = st.one_of(
    st.tuples(st.just("set"), positions, st.one_of(st.sampled_from(PDF_KEYS), positions), pdf_value),
    st.tuples(st.just("del"), positions, st.one_of(st.sampled_from(PDF_KEYS), positions), st.just(None)),
    st.tuples(st.just("content"), positions, st.just(0),
              st.lists(st.one_of(byte_op, st.tuples(st.just("insert"), positions, st.sampled_from(CONTENT_TOKENS))),
                       min_size=1, max_size=4)),
)


def _pdf_value(pdf_objects, kind, v):
    import pikepdf

    if kind == "name":
        return pikepdf.Name(v) if len(v) > 1 else pikepdf.Name("/X")
    if kind in ("int", "bool"):
        return v
    if kind == "real":
        return float(v)
    if kind == "str":
        return pikepdf.String(v)
    if kind == "ref":
        return pdf_objects[v % len(pdf_objects)]
    if kind == "array":
        return pikepdf.Array([pdf_objects[i % len(pdf_objects)] for i in v])
    return pikepdf.Dictionary({"/Type": pikepdf.Name("/StructElem"), "/S": pikepdf.Name("/P"), "/K": 0})


def mutate_pdf(data: bytes, ops) -> bytes | None:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            objects = [o for o in pdf.objects if isinstance(o, (pikepdf.Dictionary, pikepdf.Array))]
            for op, i, key, value in ops:
                if op == "content":
                    page = pdf.pages[i % len(pdf.pages)]
                    page.contents_coalesce()
                    page.obj.Contents.write(mutate(page.obj.Contents.read_bytes(), value))
                    continue
                obj = objects[i % len(objects)]
                if isinstance(obj, pikepdf.Array):
                    if not len(obj) and op == "del":
                        continue
                    idx = (key if isinstance(key, int) else i) % (len(obj) + (op == "set"))
                    if op == "del":
                        del obj[idx]
                    elif idx == len(obj):
                        obj.append(_pdf_value(objects, *value))
                    else:
                        obj[idx] = _pdf_value(objects, *value)
                    continue
                keys = list(obj.keys())
                k = key if isinstance(key, str) else (keys[key % len(keys)] if keys else "/K")
                if op == "del":
                    if k in obj:
                        del obj[k]
                elif k not in ("/Length",):
                    obj[k] = _pdf_value(objects, *value)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True)
            return out.getvalue()
    except Exception:      # a mutation qpdf will not write: not an input to test
        return None


STRUCT_PDF = ["good.pdf", "bad-structure.pdf", "untagged.pdf", "claims-pdfua.pdf", "encrypted-open.pdf"]


@seed(SEED + 9)
@budget(50)
@given(fixture=st.sampled_from(STRUCT_PDF), ops=st.lists(pdf_op, min_size=1, max_size=5))
def test_fuzz_pdf_mutated_objects(fixture, ops):
    data = mutate_pdf(PDF[fixture], ops)
    assume(data is not None)
    read_letter(data, "x.pdf")


def test_fuzz_fixtures_themselves_are_read_or_refused():
    """The unmutated fixtures: the baseline the fuzz starts from."""
    for group, suffix in ((MEMO, ".xml"), (DOCX, ".docx"), (PDF, ".pdf")):
        for data in group.values():
            read_letter(data, "x" + suffix)
    read_letter(b"%PDF-", "x.pdf")
