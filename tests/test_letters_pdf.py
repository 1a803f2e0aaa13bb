"""PDF letters: read_pdf (audit/letters/pdf.py) and the KP checks (checks/pdf_checks.py) on real PDFs
made by fixtures/letters/make_pdf.py (Chromium, Pillow, pikepdf)."""
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


def failed(results: dict) -> list[tuple[str, str]]:
    return sorted((r.code, f.target) for r in results.values() for f in r.findings if f.outcome == "failed")


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


FINDINGS = {
    "good.pdf": [],
    "encrypted-allowed.pdf": [],
    "untagged.pdf": [("KP001", "/Catalog/MarkInfo"), ("KP002", "/Catalog/StructTreeRoot"), ("KP004", "/Catalog/Lang"),
                     ("KP005", "/Metadata/dc:title")],
    "claims-pdfua.pdf": [("KP001", "/Catalog/MarkInfo"), ("KP002", "/Catalog/StructTreeRoot"),
                         ("KP004", "/Catalog/Lang")],
    "bad-structure.pdf": [("KP003", "/Catalog/MarkInfo/Suspects"), ("KP004", "/Catalog/Lang"),
                          ("KP005", "/Metadata/dc:title"), ("KP006", "/Catalog/ViewerPreferences/DisplayDocTitle"),
                          ("KP007", "/Document/Billede[1]"), ("KP007", "/Document/Figure[1]"),
                          ("KP008", "/Document/H3[1]")],
    "scanned.pdf": [("KP001", "/Catalog/MarkInfo"), ("KP002", "/Catalog/StructTreeRoot"), ("KP004", "/Catalog/Lang"),
                    ("KP005", "/Metadata/dc:title"), ("KP006", "/Catalog/ViewerPreferences/DisplayDocTitle"),
                    ("KP013", "/Page[1]")],
    "annotations.pdf": [("KP009", "/Font/Helvetica"), ("KP010", "/Font/Kasser"), ("KP011", "/Page[1]")],
    "encrypted-open.pdf": [("KP012", "/Trailer/Encrypt/P")],
}


def test_the_findings_table_covers_every_fixture():
    assert sorted(FINDINGS) == FILES


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_each_fixture_has_exactly_these_findings(name):
    results = audit(name)
    assert failed(results) == FINDINGS[name]
    for r in results.values():
        meta = REGISTRY.get(r.code)
        for f in r.findings:
            assert f.outcome == "failed" and f.impact == meta.impact and f.help_url == meta.help_url
            assert f.html and f.message["da"] and f.message["en"], (r.code, f.target)
            assert f.suggestion["da"] and f.suggestion["en"], (r.code, f.target)


# For each check: a fixture that fails it and one that passes it (passed, not inapplicable).
PAIRS = {
    "KP001": ("untagged.pdf", "good.pdf"), "KP002": ("claims-pdfua.pdf", "good.pdf"),
    "KP003": ("bad-structure.pdf", "good.pdf"), "KP004": ("bad-structure.pdf", "good.pdf"),
    "KP005": ("bad-structure.pdf", "claims-pdfua.pdf"), "KP006": ("scanned.pdf", "untagged.pdf"),
    "KP007": ("bad-structure.pdf", "good.pdf"), "KP008": ("bad-structure.pdf", "good.pdf"),
    "KP009": ("annotations.pdf", "good.pdf"), "KP010": ("annotations.pdf", "good.pdf"),
    "KP011": ("annotations.pdf", "good.pdf"), "KP012": ("encrypted-open.pdf", "encrypted-allowed.pdf"),
    "KP013": ("scanned.pdf", "good.pdf"),
}


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_every_check_fails_one_fixture_and_passes_another(code):
    bad, good = PAIRS[code]
    assert audit(bad)[code].outcome == "failed"
    assert audit(good)[code].outcome == "passed"


def test_checks_that_do_not_apply_say_so():
    assert audit("good.pdf")["KP012"].outcome == "inapplicable"            # not encrypted
    untagged = audit("untagged.pdf")
    assert untagged["KP007"].outcome == untagged["KP008"].outcome == "inapplicable"   # no structure
    scanned = audit("scanned.pdf")
    assert scanned["KP009"].outcome == scanned["KP010"].outcome == "inapplicable"     # no fonts
    assert scanned["KP011"].outcome == "inapplicable"                                 # no annotations
    assert run({"pdf": []})["KP001"].outcome == "inapplicable"


def test_messages_name_the_object_at_fault():
    bad = audit("bad-structure.pdf")
    figs = {f.target: f for f in bad["KP007"].findings}
    assert figs["/Document/Figure[1]"].message["da"] == "Billede 1 på side 1 har ingen alternativ tekst (/Alt)."
    assert figs["/Document/Billede[1]"].message["en"] == \
        "Image 3 on page 1 (tagged <Billede>, which means Figure) has no alternative text (/Alt)."
    (head,) = bad["KP008"].findings
    assert head.message["da"] == ("Overskriften \u00bbHvor skal du møde op?\u00ab på side 1 er H3, men overskriften "
                                  "før den er H1: H2 er sprunget over.")
    assert head.html == "<H3> Hvor skal du møde op?"
    (lang,) = bad["KP004"].findings
    assert "en-US" in lang.message["da"] and "dansk" in lang.message["da"] and lang.html == "/Lang (en-US)"
    (title,) = bad["KP005"].findings
    assert "Microsoft Word - indkaldelse.docx" in title.message["da"] and "Fil \u203a Oplysninger" in \
        title.suggestion["da"]
    (pdfua,) = audit("claims-pdfua.pdf")["KP001"].findings
    assert "PDF/UA" in pdfua.message["da"] and "PDF/UA" in pdfua.message["en"]
    (scan,) = audit("scanned.pdf")["KP013"].findings
    assert scan.message["da"].startswith("Side 1 har ingen tekst, men et billede dækker 100 % af siden")
    ann = audit("annotations.pdf")
    assert "Helvetica (Type1) på side 2" in ann["KP009"].findings[0].message["da"]
    assert "(g1, g2)" in ann["KP010"].findings[0].message["da"]
    assert ann["KP011"].findings[0].message["en"].startswith("Page 1 has 1 link, field or comment")
    (untitled,) = audit("untagged.pdf")["KP005"].findings
    assert "\u00bbIndkaldelse til hjerteundersøgelse\u00ab" in untitled.message["da"]   # the Info title, not in XMP


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


def test_a_pdf_inside_a_memo_message_prefixes_its_targets():
    facts, _ = read_pdf((FIX / "untagged.pdf").read_bytes(), "bilag.pdf", "brev.xml >>> bilag.pdf")
    results = run({"pdf": [facts, facts_of("good.pdf")]})
    assert failed(results) == [("KP001", "bilag.pdf >>> /Catalog/MarkInfo"),
                               ("KP002", "bilag.pdf >>> /Catalog/StructTreeRoot"),
                               ("KP004", "bilag.pdf >>> /Catalog/Lang"),
                               ("KP005", "bilag.pdf >>> /Metadata/dc:title")]
    assert results["KP001"].findings[0].message["da"].startswith("PDF'en \u00bbbilag.pdf\u00ab er ikke tagget")


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


# -- the rules, on facts ----------------------------------------------------------------------------------

def _facts(**kw) -> dict:
    base = facts_of("good.pdf")
    base.update(kw)
    return base


def test_heading_order_rules():
    h = lambda path, level, text: {"path": path, "type": f"H{level}", "level": level, "text": text, "page": 2}  # noqa: E731
    res = run({"pdf": [_facts(headings=[h("/Document/H2[1]", 2, "Tid"), h("/Document/H3[1]", 3, "Sted"),
                                         h("/Document/H2[2]", 2, "Medbring"), h("/Document/H4[1]", 4, "Mad")])]})
    assert [(f.target, f.message["en"]) for f in res["KP008"].findings] == [
        ("/Document/H2[1]", "The first heading, \u201cTid\u201d on page 2, is H2; the first should be H1."),
        ("/Document/H4[1]", "The heading \u201cMad\u201d on page 2 is H4, but the heading before it is H2: H3 is "
                            "skipped.")]
    assert run({"pdf": [_facts(headings=[])]})["KP008"].outcome == "inapplicable"


def test_structure_language_and_scan_rules():
    assert failed(run({"pdf": [_facts(struct_children=0)]})) == [("KP002", "/Catalog/StructTreeRoot")]
    assert run({"pdf": [_facts(lang="da-DK")]})["KP004"].outcome == "passed"
    assert run({"pdf": [_facts(lang="en", text_language=None)]})["KP004"].outcome == "passed"   # nothing to compare
    assert run({"pdf": [_facts(lang="  ")]})["KP004"].findings[0].html == "(no /Lang)"
    page = {"page": 1, "annotations": 0, "tabs": None, "images": 1}
    assert run({"pdf": [_facts(page_info=[{**page, "chars": 0, "image_cover": 0.3}])]})["KP013"].outcome == "passed"
    assert run({"pdf": [_facts(page_info=[{**page, "chars": 12, "image_cover": 1.0}])]})["KP013"].outcome == "passed"
    assert failed(run({"pdf": [_facts(page_info=[{**page, "chars": 0, "image_cover": 0.6}])]})) == [
        ("KP013", "/Page[1]")]
    assert failed(run({"pdf": [_facts(figures=[{"path": "/Document/Figure[1]", "type": "Figure", "page": 1,
                                               "alt": "  ", "actual_text": None}])]})) == [
        ("KP007", "/Document/Figure[1]")]


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
