"""PDF letters: read_pdf (audit/letters/pdf.py), and the KP checks (checks/pdf_checks.py) as a family
on real PDFs made by fixtures/letters/make_pdf.py (Chromium, Pillow, pikepdf): their metadata, and
every fixture failing exactly the checks expected.json lists. Each check's own cases, with their exact
findings, are in checks/cases/KP001.yml … KP013.yml (tests/test_check_cases.py)."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import audit.letters.pdf as pdfmod
from audit.letters import LetterError, gather_letter
from audit.letters.pdf import read_pdf
from checks import REGISTRY, evaluate_all
from checks.pdf_checks import title_problem, unicode_problem

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "letters" / "pdf"
EXPECTED = json.loads((FIX / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(k for k in EXPECTED if k != "errors")
PDF_CHECKS = [m for m in REGISTRY if m.family == "pdf"]


def run(artifacts: dict) -> dict:
    return {r.code: r for r in evaluate_all(PDF_CHECKS, artifacts, {})}


def audit(name: str) -> dict:
    return run(gather_letter((FIX / name).read_bytes(), name))


def facts_of(name: str, part: str = "") -> dict:
    return read_pdf((FIX / name).read_bytes(), part, name)[0]


# -- the checks' metadata -----------------------------------------------------------------------------

def test_the_pdf_checks_and_their_metadata():
    table = {m.code: (m.name, m.impact, m.wcag, m.level, tuple(t for t in m.tags if t.startswith("pdfua1-")))
             for m in PDF_CHECKS}
    assert table == {
        "KP001": ("pdf-tagged", "critical", ("1.3.1",), "A", ("pdfua1-6.2-1",)),
        "KP002": ("pdf-structure-tree", "critical", ("1.3.1",), "A", ("pdfua1-7.1-11",)),
        "KP003": ("pdf-suspects", "serious", ("1.3.1",), "A", ("pdfua1-7.1-4",)),
        "KP004": ("pdf-language", "serious", ("3.1.1",), "A", ("pdfua1-7.2-34",)),
        "KP005": ("pdf-title", "serious", ("2.4.2",), "A", ("pdfua1-7.1-9",)),
        "KP006": ("pdf-display-title", "moderate", ("2.4.2",), "A", ("pdfua1-7.1-10",)),
        "KP007": ("pdf-figure-alt", "critical", ("1.1.1",), "A", ("pdfua1-7.3-1",)),
        "KP008": ("pdf-heading-order", "moderate", ("1.3.1",), "A", ("pdfua1-7.4.2-1",)),
        "KP009": ("pdf-fonts-embedded", "serious", ("1.3.1",), "A", ("pdfua1-7.21.4.1-1",)),
        "KP010": ("pdf-font-tounicode", "serious", ("1.3.1",), "A", ("pdfua1-7.21.7-1",)),
        "KP011": ("pdf-tab-order", "moderate", ("2.4.3",), "A", ("pdfua1-7.18.3-1",)),
        "KP012": ("pdf-encryption-access", "critical", ("1.3.1",), "A", ("pdfua1-7.16-1",)),
        "KP013": ("pdf-scanned", "critical", ("1.1.1", "1.4.5"), "A", ()),
    }
    for m in PDF_CHECKS:
        assert m.requires == ("pdf",) and m.applies_to == ("letter",) and m.family == "pdf"
        assert all(m.title[lang] and m.description[lang] for lang in ("da", "en")), m.code
        assert m.help_url.startswith("https://"), m.code
        assert "pdf" in m.tags and all(f"wcag{sc.replace('.', '')}" in m.tags for sc in m.wcag)
    assert REGISTRY.get("KP013").help_url == "https://www.w3.org/WAI/WCAG22/Understanding/images-of-text.html"
    assert REGISTRY.get("pdf-tagged").help_url == \
        "https://github.com/veraPDF/veraPDF-validation-profiles/wiki/PDFUA-Part-1"
    # selected by a run at level AA (letters), not in a page audit
    assert {m.code for m in REGISTRY.select({"level": "AA"}, kind="letter")} >= set(table)
    assert not {m.code for m in REGISTRY.select({"level": "AA"}, kind="page")} & set(table)


# -- every fixture: exactly the failures expected.json lists ----------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_each_fixture_fails_exactly_the_expected_checks(name):
    results = audit(name)
    assert not [r for r in results.values() if r.outcome == "error"]
    assert sorted(c for c, r in results.items() if r.outcome == "failed") == EXPECTED[name]["fails"]
    for r in results.values():
        meta = REGISTRY.get(r.code)
        for f in r.findings:
            assert f.outcome == "failed" and f.impact == meta.impact and f.help_url == meta.help_url
            assert f.html and f.message["da"] and f.message["en"], (r.code, f.target)
            assert f.suggestion["da"] and f.suggestion["en"], (r.code, f.target)


# -- read_pdf: facts and text ---------------------------------------------------------------------------

def test_good_pdf_blocks_follow_the_tags():
    facts, blocks = read_pdf((FIX / "good.pdf").read_bytes(), "", "good.pdf")
    json.dumps(facts)                                                     # JSON-serialisable
    assert facts["part"] == "" and facts["lang"] == "da" and facts["text_language"] == "da"
    assert facts["tagged"] and facts["struct_tree"] and not facts["pdfua_claimed"]
    assert facts["pages"] == facts["pages_read"] == 1
    assert [(lvl, t) for kind, lvl, t in blocks if kind == "heading"] == [
        (1, "Du har fået en tid til en hjerteundersøgelse"), (2, "Hvor skal du møde op?"),
        (2, "Det skal du tage med"),
        (2, "Hvis du vil flytte eller aflyse tiden"),     # "fl" is a ligature inside a nested marked-content span
    ]
    assert [t for kind, _, t in blocks if kind == "list_item"] == [
        "Tag dit sundhedskort med.", "Tag en liste over den medicin, du tager."]
    paragraphs = [t for kind, _, t in blocks if kind == "paragraph"]
    assert "Du har fået en tid til en undersøgelse af dit hjerte tirsdag den 8. december 2026 kl. 10.30." in paragraphs
    assert "Læs mere om undersøgelsen på hospitalets side om hjerteundersøgelser." in paragraphs   # link joined
    assert blocks[0] == ("heading", 1, "Du har fået en tid til en hjerteundersøgelse")
    assert facts["headings"][1] == {"path": "/Document/H2[1]", "type": "H2", "level": 2,
                                    "text": "Hvor skal du møde op?", "page": 1}
    assert facts["figures"] == [{"path": "/Document/Figure[1]", "type": "Figure", "page": 1,
                                 "alt": "Aarhus Universitetshospitals logo", "actual_text": None}]


def test_untagged_pdf_gives_paragraphs_from_the_layout():
    facts, blocks = read_pdf((FIX / "untagged.pdf").read_bytes(), "", "untagged.pdf")
    assert facts["text_language"] == "da" and facts["lang"] is None and not facts["tagged"]
    assert {kind for kind, _, _ in blocks} == {"paragraph"}
    texts = [t for _, _, t in blocks]
    # a paragraph that wraps over two lines is one block; the blocks keep the letter's order
    assert "Du har fået en tid til en undersøgelse af dit hjerte tirsdag den 8. december 2026 kl. 10.30." in texts
    assert texts[0] == "Du har fået en tid til en hjerteundersøgelse"
    assert texts[-1] == "Venlig hilsen, Afdeling for Hjertesygdomme"


def test_tags_that_leave_most_of_the_text_out_give_way_to_the_layout():
    import io

    import pikepdf

    with pikepdf.open(FIX / "good.pdf") as pdf:
        document = pdf.Root.StructTreeRoot.K
        assert document.S == "/Document" and document.K[1].S == "/H1"
        document.K = pikepdf.Array(list(document.K)[:2])          # only the logo and the H1 stay tagged
        buf = io.BytesIO()
        pdf.save(buf)
    facts, blocks = read_pdf(buf.getvalue(), "", "partly-tagged.pdf")
    assert [h["text"] for h in facts["headings"]] == ["Du har fået en tid til en hjerteundersøgelse"]
    assert {kind for kind, _, _ in blocks} == {"paragraph"}
    assert any("Nørrebrogade 44" in t for _, _, t in blocks) and len(blocks) > 5


def test_gather_letter_makes_the_pdf_and_text_artifacts():
    arts = gather_letter((FIX / "good.pdf").read_bytes(), "good.pdf")
    assert arts["letter"]["format"] == "pdf" and len(arts["pdf"]) == 1
    assert "Nørrebrogade 44, 8000 Aarhus C" in arts["text"]["text"]
    assert arts["text"]["lang"] == "da"
    assert [b[2:] for b in arts["text"]["blocks"]][:2] == [["heading", 1], ["paragraph", 0]]


def test_facts_of_the_other_fixtures():
    claims = facts_of("claims-pdfua.pdf")
    assert claims["pdfua_claimed"] and claims["pdfua_part"] == "1" and not claims["tagged"]
    scanned = facts_of("scanned.pdf")
    assert scanned["text_language"] is None and scanned["fonts"] == []
    assert [(p["page"], p["chars"], p["images"], p["image_cover"]) for p in scanned["page_info"]] == [
        (1, 0, 1, 1.0), (2, 0, 0, 0.0)]                  # page 2 is genuinely empty: no finding
    enc = facts_of("encrypted-open.pdf")["encryption"]
    assert enc["revision"] == 3 and enc["accessibility"] is False and enc["extract"] is False
    allowed = facts_of("encrypted-allowed.pdf")
    assert allowed["encryption"]["accessibility"] is True and allowed["encryption"]["extract"] is False
    assert allowed["text_language"] == "da"             # the text is read through the encryption
    fonts = {f["name"]: f for f in facts_of("annotations.pdf")["fonts"]}
    assert fonts["Helvetica"]["embedded"] is False and fonts["Helvetica"]["pages"] == [2]
    assert fonts["Kasser"]["subtype"] == "Type3" and fonts["Kasser"]["embedded"] is True
    assert fonts["Kasser"]["unmapped_glyphs"] == ["g1", "g2"]
    assert fonts["DejaVuSans"]["to_unicode"] and fonts["DejaVuSans"]["encoding"] == "Identity-H"


def test_a_pdf_inside_a_memo_message_has_its_part_in_the_facts():
    facts, _ = read_pdf((FIX / "untagged.pdf").read_bytes(), "bilag.pdf", "brev.xml >>> bilag.pdf")
    assert facts["part"] == "bilag.pdf" and facts == {**facts_of("untagged.pdf"), "part": "bilag.pdf"}


def test_pages_past_the_limit_are_not_read(monkeypatch):
    monkeypatch.setattr(pdfmod, "MAX_PAGES", 1)
    facts = facts_of("annotations.pdf")
    assert facts["pages"] == 2 and facts["pages_read"] == 1 and len(facts["page_info"]) == 1
    assert "Helvetica" not in {f["name"] for f in facts["fonts"]}          # it is used on page 2 only


# -- bad input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED["errors"]))
def test_bad_input_is_one_line_naming_the_file(name):
    data = (FIX / name).read_bytes()
    for call in (lambda: gather_letter(data, name), lambda: read_pdf(data, "", name)):
        with pytest.raises(LetterError) as err:
            call()
        msg = str(err.value)
        assert msg.startswith(f"{name}: ") and EXPECTED["errors"][name] in msg
        assert "\n" not in msg and "Traceback" not in msg and "BytesIO" not in msg
    assert "check the file is complete" in msg or "without a password" in msg


def test_more_bad_input():
    good = (FIX / "good.pdf").read_bytes()
    with pytest.raises(LetterError, match=r"^x\.pdf: not a readable PDF \(it ends early"):
        read_pdf(good[:-300], "", "x.pdf")
    with pytest.raises(LetterError, match=r"^x\.pdf: not a readable PDF \(.+\); check the file is complete$"):
        read_pdf(b"%PDF-1.4\n" + b"\x00garbage" * 50 + b"\n%%EOF\n", "", "x.pdf")
    facts, _ = read_pdf(good + b"\r\n\x00\x00  \n", "", "x.pdf")     # padding after %%EOF is fine
    assert facts["tagged"]


# -- the helpers behind KP005 and KP010 (each check's verdicts: checks/cases/KP*.yml) ---------------------

@pytest.mark.parametrize("title, bad", [
    ("Indkaldelse til hjerteundersøgelse", False), ("Din tid hos os", False), ("", True), ("   ", True),
    ("Untitled", True), ("Uden titel", True), ("Microsoft Word - indkaldelse.docx", True), ("brev.docx", True),
    ("Dokument1", True), ("Document1", True), ("indkaldelse.pdf", True), ("Brev til patienter om tider", False),
])
def test_title_rules(title, bad):
    assert (title_problem(title) is not None) is bad


@pytest.mark.parametrize("font, ok", [
    ({"subtype": "Type0", "to_unicode": True, "encoding": "Identity-H", "cid_collection": "Adobe-Identity"}, True),
    ({"subtype": "Type0", "to_unicode": False, "encoding": "Identity-H", "cid_collection": "Adobe-Identity"}, False),
    ({"subtype": "Type0", "to_unicode": False, "encoding": "Identity-H", "cid_collection": "Adobe-Japan1"}, True),
    ({"subtype": "Type0", "to_unicode": False, "encoding": "UniJIS-UCS2-H", "cid_collection": "Adobe-Identity"}, True),
    ({"subtype": "TrueType", "to_unicode": False, "encoding": "WinAnsiEncoding", "unmapped_glyphs": []}, True),
    ({"subtype": "Type1", "to_unicode": False, "encoding": "WinAnsiEncoding", "differences": True,
      "unmapped_glyphs": []}, True),                                   # Differences with Adobe glyph names
    ({"subtype": "Type1", "to_unicode": False, "encoding": "WinAnsiEncoding", "unmapped_glyphs": ["g7"]}, False),
    ({"subtype": "Type1", "to_unicode": False, "encoding": None, "standard_14": True, "name": "Helvetica"}, True),
    ({"subtype": "Type1", "to_unicode": False, "encoding": None, "standard_14": False, "name": "MinFont"}, False),
    ({"subtype": "TrueType", "to_unicode": False, "encoding": None, "symbolic": True, "name": "Wingdings"}, True),
    ({"subtype": "Type3", "to_unicode": False, "encoding": None, "unmapped_glyphs": ["a1"]}, False),
    ({"subtype": "Type3", "to_unicode": False, "encoding": None, "differences": True, "unmapped_glyphs": []}, True),
    ({"subtype": "Type3", "to_unicode": False, "encoding": None, "differences": False}, False),
    ({"subtype": "TrueType", "to_unicode": False, "encoding": "Custom", "unmapped_glyphs": []}, False),
    ({"subtype": "Type3", "to_unicode": False, "encoding": None, "symbolic": True, "unmapped_glyphs": ["g1"]}, False),
])
def test_tounicode_rules(font, ok):
    assert (unicode_problem(font) is None) is ok


# -- the fixtures themselves ------------------------------------------------------------------------------

def test_fixtures_are_small_and_expected_json_is_the_generators():
    spec = importlib.util.spec_from_file_location("make_pdf", ROOT / "fixtures" / "letters" / "make_pdf.py")
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)
    assert make_pdf.EXPECTED == EXPECTED
    names = sorted(p.name for p in FIX.glob("*.pdf"))
    assert names == sorted([*FILES, *EXPECTED["errors"]])
    assert all((FIX / n).stat().st_size < 60_000 for n in names)
