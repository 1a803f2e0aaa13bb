"""DOCX letters: reading Word documents (audit/letters/docx.py) and the KD checks (checks/docx_checks.py)
as a family, on files made by fixtures/letters/make_docx.py with python-docx: the fixtures, the checks'
metadata, the expected.json sweep, the reader's facts and blocks, and bad input refused. Each check's
verdicts, on the fixtures and on facts, are its cases: checks/cases/KD001.yml … KD006.yml."""
from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from audit.config import defaults, letter_config
from audit.letters import LetterError, gather_letter
from audit.letters.docx import read_docx
from checks import REGISTRY, evaluate_all
from core.model import Category, TargetKind

ROOT = Path(__file__).resolve().parent.parent
DIR = ROOT / "fixtures" / "letters" / "docx"
sys.path.insert(0, str(DIR.parent))
import make_docx  # noqa: E402  (fixtures/letters/make_docx.py)

EXPECTED = json.loads((DIR / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(k for k in EXPECTED if k != "errors")
DOCX_CHECKS = [m for m in REGISTRY if m.family == "docx"]


def evaluate(arts: dict) -> dict:
    return {r.code: r for r in evaluate_all(DOCX_CHECKS, arts, letter_config(defaults()), "letter")}


def audit(name: str) -> dict:
    return evaluate(gather_letter((DIR / name).read_bytes(), name))


def found(results: dict, code: str) -> list[tuple[str, str]]:
    return sorted((f.outcome, f.target) for f in results[code].findings)


def failed_codes(results: dict) -> list[str]:
    return sorted(code for code, r in results.items() if r.outcome == "failed")


# -- the fixtures ---------------------------------------------------------------------------------

def test_the_fixtures_are_the_ones_the_script_makes(tmp_path):
    make_docx.main(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in DIR.iterdir() if p.suffix in (".docx", ".json"))
    for name in made:
        assert (tmp_path / name).read_bytes() == (DIR / name).read_bytes(), name
    for name in made:
        if name != "zip-ratio.docx":     # 20 MB of zeros in a real letter: just under 60 kB
            assert (DIR / name).stat().st_size < 40_000, name


def test_the_six_checks_are_registered():
    metas = {m.code: (m.name, m.impact, m.wcag, m.level, m.requires, m.applies_to) for m in DOCX_CHECKS}
    assert metas == {
        "KD001": ("docx-title", "serious", ("2.4.2",), "A", ("docx",), ("letter",)),
        "KD002": ("docx-language", "serious", ("3.1.1",), "A", ("docx",), ("letter",)),
        "KD003": ("docx-heading-order", "moderate", ("1.3.1",), "A", ("docx",), ("letter",)),
        "KD004": ("docx-fake-heading", "serious", ("1.3.1",), "A", ("docx",), ("letter",)),
        "KD005": ("docx-image-alt", "critical", ("1.1.1",), "A", ("docx",), ("letter",)),
        "KD006": ("docx-table-header", "serious", ("1.3.1",), "A", ("docx",), ("letter",)),
    }
    for m in DOCX_CHECKS:
        assert m.title["da"] and m.title["en"] and m.description["da"] and m.description["en"]
        assert m.help_url.startswith("https://")
        assert (m.category, m.target, m.tags[0]) == (Category.LETTER_STRUCTURE, TargetKind.DOCX, "docx")


@pytest.mark.parametrize("name", FILES)
def test_each_fixture_fails_exactly_the_expected_checks(name):
    results = audit(name)
    assert sorted(results) == ["KD001", "KD002", "KD003", "KD004", "KD005", "KD006"]
    assert failed_codes(results) == EXPECTED[name]["fails"]
    assert not [r for r in results.values() if r.outcome == "error"]


# -- what the reader gathers ----------------------------------------------------------------------

def test_good_letter_facts_and_blocks():
    facts, blocks = read_docx((DIR / "good.docx").read_bytes(), "", "good.docx")
    json.dumps(facts)
    assert (facts["title"], facts["lang"], facts["lang_source"], facts["text_language"]) == (
        "Indkaldelse til undersøgelse af hjertet", "da-DK", "style", "da")
    assert facts["text_langs"][0][0] == "da-DK" and len(facts["text_langs"]) == 1
    assert [b for b in blocks if b[0] == "heading"] == [
        ("heading", 1, "Du har fået en tid til undersøgelse"), ("heading", 2, "Praktisk information"),
        ("heading", 2, "Dine tider"), ("heading", 2, "Hvis du vil flytte eller aflyse tiden")]
    assert blocks[:5] == [
        ("heading", 1, "Du har fået en tid til undersøgelse"),
        ("line", 0, "Afdeling for Hjertesygdomme"), ("line", 0, "Nørrebrogade 44"), ("line", 0, "8000 Aarhus C"),
        ("paragraph", 0, make_docx.TIME)]
    assert ("list_item", 0, "Tag dit sundhedskort med.") in blocks
    assert ("paragraph", 0, "Mød op i receptionen i bygning 2, stuen.") in blocks
    assert [b[2] for b in blocks if b[0] == "table_cell"][:3] == ["Dato", "Tid", "Sted"]
    assert [(d["locator"], d["placement"], d["decorative"], d["kind"]) for d in facts["drawings"]] == [
        ("/w:body/w:p[9]", "inline", False, "picture"), ("/w:body/w:p[10]", "anchor", True, "picture")]
    assert facts["drawings"][0]["descr"] == make_docx.ALT
    assert facts["tables"] == [{"locator": "/w:body/w:tbl[1]", "rows": 3, "header": True,
                                "first_row": "Dato | Tid | Sted"}]
    heading = facts["paragraphs"][0]
    assert {k: heading[k] for k in ("locator", "index", "style", "heading", "bold")} == {
        "locator": "/w:body/w:p[1]", "index": 1, "style": "Heading 1", "heading": 1, "bold": True}
    # the text artifact the plain-language checks read
    text = gather_letter((DIR / "good.docx").read_bytes(), "good.docx")["text"]
    assert text["lang"].startswith("da") and text["source"] == "docx"
    assert text["text"].startswith("Du har fået en tid til undersøgelse\n\nAfdeling for Hjertesygdomme\n\n")


def test_no_language_facts():
    facts, _ = read_docx((DIR / "no-language.docx").read_bytes(), "", "no-language.docx")
    assert (facts["lang"], facts["lang_source"], facts["text_language"]) == (None, None, "da")


def test_text_box_is_read_once_and_fallback_skipped():
    _, blocks = read_docx((DIR / "tricky.docx").read_bytes(), "", "tricky.docx")
    assert [b for b in blocks if "Husk at tage" in b[2]] == [("paragraph", 0, "Husk at tage dit sundhedskort med.")]
    assert blocks[0] == ("heading", 1, "Indkaldelse")      # the Title style is level 1


def _styled_document() -> bytes:
    """Headings by outline level, by name and by style inheritance; hidden and deleted text."""
    doc = docx.Document()
    styles = doc.styles
    custom = styles.add_style("Overskrift 1", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)   # by name, no outline
    custom.base_style = styles["Normal"]
    sub = styles.add_style("Mellemrubrik", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)      # inherits Heading 2
    sub.base_style = styles["Heading 2"]
    doc.add_paragraph("Første overskrift", style="Overskrift 1")
    doc.add_paragraph("Anden overskrift", style="Mellemrubrik")
    p = doc.add_paragraph("Tredje overskrift med direkte niveau")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "2")
    p._p.get_or_add_pPr().append(outline)
    p = doc.add_heading("Brødtekst trods typografien", 1)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "9")
    p._p.get_or_add_pPr().append(outline)
    plain = styles.add_style("Overskrift 3", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)   # named so, but body text
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "9")
    plain.element.get_or_add_pPr().append(outline)
    doc.add_paragraph("Brødtekst trods navnet", style="Overskrift 3")
    p = doc.add_paragraph("Synlig tekst.")
    p.add_run(" Skjult tekst.").font.hidden = True
    deleted = OxmlElement("w:del")
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText")
    t.text = " Slettet tekst."
    run.append(t)
    deleted.append(run)
    p._p.append(deleted)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_heading_levels_from_outline_level_name_and_base_style():
    facts, blocks = read_docx(_styled_document(), "", "styled.docx")
    assert [(p["text"], p["style"], p["heading"]) for p in facts["paragraphs"]] == [
        ("Første overskrift", "Overskrift 1", 1), ("Anden overskrift", "Mellemrubrik", 2),
        ("Tredje overskrift med direkte niveau", "Normal", 3), ("Brødtekst trods typografien", "Heading 1", None),
        ("Brødtekst trods navnet", "Overskrift 3", None), ("Synlig tekst.", "Normal", None)]
    assert blocks[-1] == ("paragraph", 0, "Synlig tekst.")


def test_targets_of_an_attached_document_name_the_part():
    data = (DIR / "bad.docx").read_bytes()
    facts, _ = read_docx(data, "bilag.docx", "brev.xml >>> bilag.docx")
    good, _ = read_docx((DIR / "good.docx").read_bytes(), "", "good.docx")
    results = evaluate({"docx": [good, facts]})
    assert found(results, "KD005") == [("failed", "bilag.docx >>> /w:body/w:p[7]/wp:docPr[@id=1]"),
                                       ("failed", "bilag.docx >>> /w:body/w:p[8]/wp:docPr[@id=2]")]
    assert found(results, "KD001") == [("failed", "bilag.docx >>> /cp:coreProperties/dc:title")]
    assert [r.code for r in evaluate({"docx": []}).values() if r.outcome != "inapplicable"] == []


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["errors"]))
def test_bad_input_is_one_line_naming_the_file(name):
    if name == "entity.docx":
        Path(make_docx.ENTITY_MARKER_FILE).write_text("KLARTJEK-ENTITY-MARKER")
    with pytest.raises(LetterError) as exc:
        gather_letter((DIR / name).read_bytes(), name)
    msg = str(exc.value)
    assert msg.startswith(f"{name}: ") and "\n" not in msg and "Traceback" not in msg
    assert EXPECTED["errors"][name] in msg
    assert "KLARTJEK-ENTITY-MARKER" not in msg


@pytest.mark.parametrize("name, error", [
    ("not-a-zip.docx", "not-a-zip.docx: not a Word document (not a valid DOCX/zip file); save it again as .docx"),
    ("broken-zip.docx", "broken-zip.docx: not a Word document (not a valid DOCX/zip file); save it again as .docx"),
    ("not-word.docx", "not-word.docx: a zip file, but not a Word document (no word/document.xml); "
                      "save the letter as .docx"),
    ("zip-bomb.docx", "zip-bomb.docx: the DOCX unpacks to 210,000,008 bytes, over the limit of 200,000,000 "
                      "(a zip bomb?); check the file"),
])
def test_read_docx_errors(name, error):
    with pytest.raises(LetterError) as exc:
        read_docx((DIR / name).read_bytes(), "", name)
    assert str(exc.value) == error


def test_deflate_zip_bomb_made_as_a_stream(tmp_path):
    path = make_docx.write_zip_bomb(tmp_path / "bombe.docx")
    assert path.stat().st_size < 300_000
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) > 200_000_000
    with pytest.raises(LetterError, match=r"^bombe\.docx: the DOCX unpacks to 210,000,008 bytes, over the limit "
                                          r"of 200,000,000 \(a zip bomb\?\); check the file$"):
        gather_letter(path.read_bytes(), "bombe.docx")


def test_the_unzipped_limit_counts_every_part(monkeypatch):
    """Not only bombs: a real letter whose parts add up to more than the limit is refused."""
    import audit.letters.docx as reader

    monkeypatch.setattr(reader, "MAX_UNZIPPED_BYTES", 100_000)
    with pytest.raises(LetterError, match=r"^good\.docx: the DOCX unpacks to [\d,]+ bytes, over the limit of 100,000"):
        read_docx((DIR / "good.docx").read_bytes(), "", "good.docx")


def test_damaged_parts_give_one_line():
    good = (DIR / "good.docx").read_bytes()
    broken_xml = make_docx.normalise(good, {"word/document.xml": b"<w:document><w:body>"})
    with pytest.raises(LetterError) as exc:
        read_docx(broken_xml, "", "brev.docx")
    assert str(exc.value) == ("brev.docx: the Word document cannot be read (a part of it is not well-formed XML); "
                              "open it in Word and save it again as .docx")
    types = zipfile.ZipFile(io.BytesIO(good)).read("[Content_Types].xml")
    macro = make_docx.normalise(good, {"[Content_Types].xml": types.replace(
        b"wordprocessingml.document.main+xml", b"macroEnabled.main+xml")})
    with pytest.raises(LetterError, match=r"^brev\.docx: the Word document cannot be read \(the zip holds another "
                                          r"kind of Office file"):
        read_docx(macro, "", "brev.docx")


# -- entities -------------------------------------------------------------------------------------

MARKER = "KLARTJEK-SECRET-7f3a"


def _all_output(doc) -> str:
    """Every XML part python-docx parsed, serialised, and every paragraph's text."""
    from docx.opc.part import XmlPart

    xml = [etree.tostring(p.element, encoding="unicode") for p in doc.part.package.iter_parts()
           if isinstance(p, XmlPart)]
    return "\n".join(xml + [p.text for p in doc.paragraphs])


def test_python_docx_does_not_resolve_an_external_entity(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(MARKER)
    data = make_docx.with_doctype((DIR / "good.docx").read_bytes(),
                                  f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>')
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    # the fixture works: a parser that resolves entities reads the file
    assert MARKER in etree.tostring(etree.fromstring(xml, etree.XMLParser(resolve_entities=True)), encoding="unicode")
    # python-docx's parser does not
    doc = docx.Document(io.BytesIO(data))
    assert doc.element.getroottree().docinfo.internalDTD is not None
    assert MARKER not in _all_output(doc)
    # and klartjek refuses the document, without the marker
    with pytest.raises(LetterError) as exc:
        read_docx(data, "", "entity.docx")
    assert str(exc.value) == ("entity.docx: the part /word/document.xml declares a DTD (<!DOCTYPE>), which Word never "
                              "writes; open the letter in Word and save it again as .docx")
    assert MARKER not in str(exc.value)


def test_a_parameter_entity_is_not_loaded(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY xxe "{MARKER}">')
    data = make_docx.with_doctype((DIR / "good.docx").read_bytes(),
                                  f'<!DOCTYPE w:document [<!ENTITY % ext SYSTEM "file://{dtd}"> %ext;]>')
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert MARKER in etree.tostring(etree.fromstring(xml, etree.XMLParser(resolve_entities=True, load_dtd=True)),
                                    encoding="unicode")
    with pytest.raises(LetterError) as exc:
        read_docx(data, "", "entity.docx")
    assert str(exc.value).startswith("entity.docx: the Word document cannot be read (a part of it is not well-formed")
    assert MARKER not in str(exc.value)


def test_the_committed_entity_fixture_never_shows_the_marker():
    Path(make_docx.ENTITY_MARKER_FILE).write_text(MARKER)
    data = (DIR / "entity.docx").read_bytes()
    assert f"file://{make_docx.ENTITY_MARKER_FILE}".encode() in zipfile.ZipFile(io.BytesIO(data)).read(
        "word/document.xml")
    assert MARKER not in _all_output(docx.Document(io.BytesIO(data)))
    with pytest.raises(LetterError) as exc:
        read_docx(data, "", "entity.docx")
    assert MARKER not in str(exc.value)
