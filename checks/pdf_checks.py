"""The PDF checks (codes KP…): pure functions of the ``pdf`` artifact, a list of facts dicts, one per
PDF in the letter (audit/letters/pdf.py describes the keys). Each check goes through every PDF;
a finding's target is prefixed with the embedded file's name when the PDF lies inside a MeMo message.
Each check's cases (fixture PDFs and facts): checks/cases/KP001.yml … KP013.yml.

The rules follow PDF/UA-1 (ISO 14289-1) as veraPDF numbers them (the tags ``pdfua1-…``), kept simple:

- KP009 fonts embedded: a font counts as embedded when its font descriptor has FontFile, FontFile2
  or FontFile3; Type 3 fonts are drawn by the PDF itself and count as embedded. Only fonts that a
  page's content selects (Tf) are checked. (PDF/UA's exception for text in rendering mode 3 is
  not made.)
- KP010 fonts map to Unicode (PDF/UA 7.21.7-1, ISO 32000-1 9.10.2). A font passes when it has a
  /ToUnicode CMap. Without one:
  * a composite (Type 0) font passes when its CIDFont uses one of Adobe's public character
    collections (Adobe-GB1, -CNS1, -Japan1, -Korea1), or its encoding is a predefined CMap other
    than Identity-H/V; Identity-H with an "Adobe-Identity" collection fails: its codes are glyph
    numbers, which mean nothing without ToUnicode;
  * a simple font (Type1, TrueType, Type3) fails when a glyph name in its /Differences is neither
    in the Adobe Glyph List (pdfminer's copy) nor of the uniXXXX/uXXXX form. Otherwise it passes
    when its encoding (or /BaseEncoding) is StandardEncoding, WinAnsiEncoding, MacRomanEncoding or
    MacExpertEncoding, when it has /Differences (all names known), or when it has no encoding and
    is one of the standard 14 fonts; a font left with only its own built-in encoding fails;
  * a simple font flagged symbolic (and not non-symbolic) in its font descriptor, and Symbol and
    ZapfDingbats, are not checked: their codes are pictures, not letters.
- KP012: the /P bits as written: bit 10 (extraction for accessibility), or for revision 2 bit 5.
- KP013: a page with no visible text characters and images covering at least half of it.
"""
from __future__ import annotations

import re
from typing import Any

from checks.common import finding, part_target
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact, Outcome, TargetKind

UA_HELP = "https://github.com/veraPDF/veraPDF-validation-profiles/wiki/PDFUA-Part-1"
SCAN_HELP = "https://www.w3.org/WAI/WCAG22/Understanding/images-of-text.html"
LANG_NAMES = {"da": ("dansk", "Danish"), "en": ("engelsk", "English")}
PUBLIC_COLLECTIONS = frozenset({"Adobe-GB1", "Adobe-CNS1", "Adobe-Japan1", "Adobe-Korea1"})
STANDARD_ENCODINGS = frozenset({"StandardEncoding", "WinAnsiEncoding", "MacRomanEncoding", "MacExpertEncoding"})
SCAN_COVER = 0.5           # a page with no text whose images cover at least this share is a scan
PAGES_LISTED = 5

PLACEHOLDER_TITLES = frozenset({"untitled", "uden titel", "unavngivet", "ingen titel", "no title", "title",
                                "titel", "untitled document", "dokument uden titel", "new document", "nyt dokument"})
OFFICE_TITLE = re.compile(r"^microsoft (word|excel|powerpoint|office word)\s*-\s*", re.I)
FILE_TITLE = re.compile(r"(\.(docx?|dotx?|pdf|odt|ott|rtf|txt|pages|indd|idml|xlsx?|pptx?|html?|xml)$"
                        r"|^(dokument|document|doc|brev|skabelon|template)\s*\d*$)", re.I)

pdf_check = family("pdf", category=Category.LETTER_STRUCTURE, applies_to=("letter",), requires=("pdf",),
                   target=TargetKind.PDF)


def _ua(rule: str) -> dict[str, Any]:
    """A PDF/UA-1 rule: veraPDF's description of the rules, and the rule's tag."""
    return {"help_url": UA_HELP, "tags": (f"pdfua1-{rule}",)}


def _pdfs(artifacts: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in artifacts.get("pdf") or [] if isinstance(f, dict)]


def _doc(facts: dict[str, Any]) -> tuple[str, str]:
    """How a message names the PDF: 'PDF'en' / 'The PDF', with the file name inside a MeMo message."""
    part = facts.get("part") or ""
    if part:
        return f"PDF'en \u00bb{part}\u00ab", f"The PDF \u201c{part}\u201d"
    return "PDF'en", "The PDF"


def _pages(pages: list[int], lang: str) -> str:
    """[1, 2, 3] → 'side 1, 2 og 3' / 'page 1, 2 and 3' (at most five listed)."""
    word = ("side", "page" if len(pages) == 1 else "pages")[lang == "en"]
    shown = [str(p) for p in pages[:PAGES_LISTED]]
    more = len(pages) > PAGES_LISTED
    if len(shown) == 1:
        return f"{word} {shown[0]}"
    if more:
        return f"{word} {', '.join(shown)} …"
    joiner = " og " if lang == "da" else " and "
    return f"{word} {', '.join(shown[:-1])}{joiner}{shown[-1]}"


def _on_page(page: int | None, lang: str) -> str:
    if not page:
        return ""
    return f" på side {page}" if lang == "da" else f" on page {page}"


# -- KP001 … KP006: the document ------------------------------------------------------------------

TAG_FIX = {"da": "Lav PDF'en igen fra Word: Fil \u203a Gem som \u203a PDF \u203a Indstillinger, og sæt hak ved "
                 "\u00bbDokumentstrukturkoder til tilgængelighed\u00ab. Har du kun PDF'en, så lad Acrobat Pro "
                 "tilføje koder (Tilgængelighed \u203a Tilføj automatisk koder til dokument), og gennemgå dem "
                 "bagefter.",
           "en": "Export the PDF again from Word: File \u203a Save As \u203a PDF \u203a Options, and tick "
                 "\u201cDocument structure tags for accessibility\u201d. If you only have the PDF, let Acrobat Pro "
                 "add tags (Accessibility \u203a Autotag document) and review them afterwards."}


@pdf_check(code="KP001", name="pdf-tagged", impact=Impact.CRITICAL, wcag=("1.3.1",), level="A",
           title={"da": "PDF'en skal være tagget", "en": "The PDF must be tagged"},
           description={"da": "Tags fortæller skærmlæsere, hvad der er overskrifter, afsnit, lister og billeder. "
                              "Uden tags bliver PDF'en læst op som én lang tekst, eller slet ikke.",
                        "en": "Tags tell screen readers what is a heading, a paragraph, a list or an image. Without "
                              "them the PDF is read aloud as one long text, or not at all."},
           **_ua("6.2-1"))
def check_tagged(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        if f.get("tagged"):
            continue
        da, en = _doc(f)
        marked = f.get("marked")
        state = ("er false", "is false") if marked is False else ("mangler", "is missing")
        claim_da = " Den siger ellers i sine metadata, at den følger PDF/UA." if f.get("pdfua_claimed") else ""
        claim_en = " Yet its metadata claim that it conforms to PDF/UA." if f.get("pdfua_claimed") else ""
        findings.append(finding(
            part_target(f.get("part", ""), "/Catalog/MarkInfo"),
            "/MarkInfo << /Marked false >>" if marked is False else "(no /MarkInfo /Marked true)",
            {"da": f"{da} er ikke tagget: /MarkInfo /Marked {state[0]}.{claim_da}",
             "en": f"{en} is not tagged: /MarkInfo /Marked {state[1]}.{claim_en}"},
            TAG_FIX))
    return findings


@pdf_check(code="KP002", name="pdf-structure-tree", impact=Impact.CRITICAL, wcag=("1.3.1",), level="A",
           title={"da": "PDF'en skal have et strukturtræ", "en": "The PDF must have a structure tree"},
           description={"da": "Strukturtræet er den ordnede liste over overskrifter, afsnit, lister og billeder, som "
                              "skærmlæsere læser op efter og lader brugeren springe rundt i.",
                        "en": "The structure tree is the ordered list of headings, paragraphs, lists and images that "
                              "screen readers read from and let the user move around in."},
           **_ua("7.1-11"))
def check_structure_tree(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        da, en = _doc(f)
        if not f.get("struct_tree"):
            msg = {"da": f"{da} har intet strukturtræ (/StructTreeRoot mangler), så der er ingen overskrifter, "
                         "afsnit eller billeder, som en skærmlæser kan finde.",
                   "en": f"{en} has no structure tree (/StructTreeRoot is missing), so there are no headings, "
                         "paragraphs or images a screen reader can find."}
            html = "(no /StructTreeRoot)"
        elif not f.get("struct_children"):
            msg = {"da": f"{da} har et tomt strukturtræ: /StructTreeRoot har ingen elementer.",
                   "en": f"{en} has an empty structure tree: /StructTreeRoot has no elements."}
            html = "/StructTreeRoot << >>"
        else:
            continue
        findings.append(finding(part_target(f.get("part", ""), "/Catalog/StructTreeRoot"), html, msg, TAG_FIX))
    return findings


@pdf_check(code="KP003", name="pdf-suspects", impact=Impact.SERIOUS, wcag=("1.3.1",), level="A",
           title={"da": "PDF'ens tags skal være til at stole på", "en": "The PDF's tags must be reliable"},
           description={"da": "/Suspects true betyder, at programmet, der lavede PDF'en, ikke selv er sikker på, at "
                              "tagsene passer til indholdet.",
                        "en": "/Suspects true means that the program that made the PDF is not sure its tags match "
                              "the content."},
           **_ua("7.1-4"))
def check_suspects(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        if not f.get("suspects"):
            continue
        da, en = _doc(f)
        findings.append(finding(
            part_target(f.get("part", ""), "/Catalog/MarkInfo/Suspects"), "/MarkInfo << /Suspects true >>",
            {"da": f"{da} har /MarkInfo /Suspects true: programmet, der lavede den, har selv markeret "
                   "tagsene som usikre.",
             "en": f"{en} has /MarkInfo /Suspects true: the program that made it marked its own tags as "
                   "unreliable."},
            {"da": "Lav PDF'en igen fra det oprindelige dokument med tags slået til (Word: Gem som PDF med "
                   "\u00bbDokumentstrukturkoder til tilgængelighed\u00ab). Har du kun PDF'en, så gennemgå og ret "
                   "tagsene i Acrobat Pro, og gem den igen.",
             "en": "Make the PDF again from the original document with tags on (Word: Save As PDF with "
                   "\u201cDocument structure tags for accessibility\u201d). If you only have the PDF, review and "
                   "fix the tags in Acrobat Pro and save it again."}))
    return findings


@pdf_check(code="KP004", name="pdf-language", impact=Impact.SERIOUS, wcag=("3.1.1",), level="A",
           title={"da": "PDF'en skal have det rigtige sprog", "en": "The PDF must declare the right language"},
           description={"da": "Skærmlæsere bruger sproget til at udtale teksten. Mangler det eller er det forkert, "
                              "bliver dansk læst op med engelsk udtale.",
                        "en": "Screen readers use the language to pronounce the text. If it is missing or wrong, "
                              "Danish is read aloud with English pronunciation."},
           **_ua("7.2-34"))
def check_language(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        da, en = _doc(f)
        lang = (f.get("lang") or "").strip()
        text_lang = f.get("text_language")
        want = text_lang or "da"
        fix = {"da": f"Sæt sproget til {LANG_NAMES.get(want, (want, want))[0]} ({want}): i Word under Gennemse "
                     "\u203a Sprog \u203a Angiv korrektursprog, før du gemmer som PDF; i Acrobat under Filer "
                     "\u203a Egenskaber \u203a Avanceret \u203a Sprog.",
               "en": f"Set the language to {LANG_NAMES.get(want, (want, want))[1]} ({want}): in Word under Review "
                     "\u203a Language \u203a Set Proofing Language before you save as PDF; in Acrobat under File "
                     "\u203a Properties \u203a Advanced \u203a Language."}
        target = part_target(f.get("part", ""), "/Catalog/Lang")
        if not lang:
            findings.append(finding(target, "(no /Lang)",
                                    {"da": f"{da} siger ikke, hvilket sprog den er skrevet på (/Lang mangler).",
                                     "en": f"{en} does not say which language it is in (/Lang is missing)."}, fix))
            continue
        primary = lang.lower().replace("_", "-").split("-")[0]
        if text_lang and primary != text_lang:
            names = LANG_NAMES.get(text_lang, (text_lang, text_lang))
            findings.append(finding(target, f"/Lang ({lang})",
                                    {"da": f"{da} siger, at den er på \u00bb{lang}\u00ab, men teksten er på "
                                           f"{names[0]}.",
                                     "en": f"{en} says it is in \u201c{lang}\u201d, but the text is in {names[1]}."},
                                    fix))
    return findings


def title_problem(title: str) -> tuple[str, str] | None:
    """Why a document title is not a real one ('da', 'en'), or None when it is fine."""
    t = " ".join(title.split())
    low = t.lower()
    if not t:
        return "tom", "empty"
    if low in PLACEHOLDER_TITLES or low.startswith("untitled") or low.startswith("uden titel"):
        return "ikke en rigtig titel", "not a real title"
    if OFFICE_TITLE.match(t):
        return ("den titel, Office laver ud fra filnavnet", "the title Office makes from the file name")
    if FILE_TITLE.search(low):
        return "et filnavn", "a file name"
    return None


@pdf_check(code="KP005", name="pdf-title", impact=Impact.SERIOUS, wcag=("2.4.2",), level="A",
           title={"da": "PDF'en skal have en rigtig titel", "en": "The PDF must have a real title"},
           description={"da": "Titlen er det første, en skærmlæser læser op, og den står i vinduet. Et filnavn eller "
                              "\u00bbMicrosoft Word - …\u00ab siger ikke, hvad brevet handler om.",
                        "en": "The title is the first thing a screen reader reads and it is shown in the window. A "
                              "file name or \u201cMicrosoft Word - …\u201d does not say what the letter is about."},
           **_ua("7.1-9"))
def check_title(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    fix = {"da": "Skriv en titel, der siger, hvad brevet handler om, fx \u00bbIndkaldelse til "
                 "hjerteundersøgelse\u00ab: i Word under Fil \u203a Oplysninger \u203a Egenskaber \u203a Titel, før "
                 "du gemmer som PDF; i Acrobat under Filer \u203a Egenskaber \u203a Beskrivelse \u203a Titel.",
           "en": "Write a title that says what the letter is about, e.g. \u201cAppointment for a heart "
                 "examination\u201d: in Word under File \u203a Info \u203a Properties \u203a Title before you save "
                 "as PDF; in Acrobat under File \u203a Properties \u203a Description \u203a Title."}
    findings = []
    for f in pdfs:
        da, en = _doc(f)
        target = part_target(f.get("part", ""), "/Metadata/dc:title")
        title = f.get("title_xmp")
        if title is None:
            info = (f.get("title_info") or "").strip()
            extra_da = (f" Dokumentoplysningerne har titlen \u00bb{info}\u00ab, men den står ikke i XMP-metadata, "
                        "hvor PDF/UA kræver den." if info else "")
            extra_en = (f" The document information has the title \u201c{info}\u201d, but it is not in the XMP "
                        "metadata, where PDF/UA requires it." if info else "")
            findings.append(finding(target, f"/Info /Title ({info})" if info else "(no dc:title)",
                                    {"da": f"{da} har ingen titel i sine metadata (XMP dc:title).{extra_da}",
                                     "en": f"{en} has no title in its metadata (XMP dc:title).{extra_en}"}, fix))
            continue
        why = title_problem(title)
        if why:
            findings.append(finding(target, f"dc:title: {title}",
                                    {"da": f"Titlen på {da} (\u00bb{title.strip()}\u00ab) er {why[0]}.",
                                     "en": f"The title of {en[0].lower() + en[1:]} (\u201c{title.strip()}\u201d) "
                                           f"is {why[1]}."}, fix))
    return findings


@pdf_check(code="KP006", name="pdf-display-title", impact=Impact.MODERATE, wcag=("2.4.2",), level="A",
           title={"da": "PDF'en skal vise sin titel, ikke filnavnet",
                  "en": "The PDF must show its title, not its file name"},
           description={"da": "Når DisplayDocTitle er slået til, viser PDF-læseren dokumentets titel i vinduet i "
                              "stedet for filnavnet, og skærmlæsere læser titlen op.",
                        "en": "With DisplayDocTitle on, the PDF viewer shows the document title in the window instead "
                              "of the file name, and screen readers read the title aloud."},
           **_ua("7.1-10"))
def check_display_title(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        value = f.get("display_doc_title")
        if value is True:
            continue
        da, en = _doc(f)
        state = ("er false", "is false") if value is False else ("mangler", "is missing")
        findings.append(finding(
            part_target(f.get("part", ""), "/Catalog/ViewerPreferences/DisplayDocTitle"),
            "/ViewerPreferences << /DisplayDocTitle false >>" if value is False else "(no /DisplayDocTitle true)",
            {"da": f"{da} viser filnavnet i vinduets titellinje i stedet for dokumentets titel: "
                   f"/ViewerPreferences /DisplayDocTitle {state[0]}.",
             "en": f"{en} shows its file name in the window's title bar instead of the document title: "
                   f"/ViewerPreferences /DisplayDocTitle {state[1]}."},
            {"da": "I Acrobat: Filer \u203a Egenskaber \u203a Startvisning \u203a Vis: Dokumenttitel, og gem PDF'en.",
             "en": "In Acrobat: File \u203a Properties \u203a Initial View \u203a Show: Document Title, and save "
                   "the PDF."}))
    return findings


# -- KP007, KP008: the structure ------------------------------------------------------------------

@pdf_check(code="KP007", name="pdf-figure-alt", impact=Impact.CRITICAL, wcag=("1.1.1",), level="A",
           title={"da": "Billeder i PDF'en skal have en alternativ tekst",
                  "en": "Images in the PDF must have alternative text"},
           description={"da": "En skærmlæser kan ikke se et billede; den læser den alternative tekst op. Uden den "
                              "får læseren intet at vide om billedet.",
                        "en": "A screen reader cannot see an image; it reads the alternative text aloud. Without it "
                              "the reader learns nothing about the image."},
           **_ua("7.3-1"))
def check_figure_alt(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(f.get("figures") for f in pdfs):
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        for i, fig in enumerate(f.get("figures") or [], 1):
            alt, actual = fig.get("alt"), fig.get("actual_text")
            if (alt and alt.strip()) or (actual and actual.strip()):
                continue
            raw = fig.get("type") or "Figure"
            as_da = "" if raw == "Figure" else f" (tagget <{raw}>, som betyder Figure)"
            as_en = "" if raw == "Figure" else f" (tagged <{raw}>, which means Figure)"
            empty = alt is not None or actual is not None
            state = ("en tom alternativ tekst", "an empty alternative text") if empty else \
                ("ingen alternativ tekst (/Alt)", "no alternative text (/Alt)")
            findings.append(finding(
                part_target(f.get("part", ""), fig.get("path") or f"/Figure[{i}]"),
                f"<{raw}> /Alt ()" if empty else f"<{raw}>",
                {"da": f"Billede {i}{_on_page(fig.get('page'), 'da')}{as_da} har {state[0]}.",
                 "en": f"Image {i}{_on_page(fig.get('page'), 'en')}{as_en} has {state[1]}."},
                {"da": "Skriv, hvad billedet viser eller fortæller: i Word højreklikker du på billedet og vælger "
                       "\u00bbVis alternativ tekst\u00ab; i Acrobat under Tilgængelighed \u203a Angiv alternativ "
                       "tekst. Er billedet kun pynt, så markér det som dekorativt i Word eller som artefakt i Acrobat.",
                 "en": "Write what the image shows or tells: in Word, right-click the image and choose \u201cView "
                       "Alt Text\u201d; in Acrobat, Accessibility \u203a Set Alternate Text. If the image is only "
                       "decoration, mark it as decorative in Word or as an artifact in Acrobat."}))
    return findings


@pdf_check(code="KP008", name="pdf-heading-order", impact=Impact.MODERATE, wcag=("1.3.1",), level="A",
           title={"da": "Overskrifterne i PDF'en må ikke springe niveauer over",
                  "en": "Headings in the PDF must not skip levels"},
           description={"da": "Skærmlæserbrugere springer mellem overskrifterne for at finde rundt. Springer "
                              "niveauerne fra H1 til H3, ser det ud, som om noget mangler.",
                        "en": "Screen reader users jump between headings to find their way. If the levels jump from "
                              "H1 to H3, it looks as if something is missing."},
           **_ua("7.4.2-1"))
def check_heading_order(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(f.get("struct_tree") and f.get("headings") for f in pdfs):
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        prev = None
        for h in f.get("headings") or []:
            level = int(h.get("level") or 0)
            text = h.get("text") or ""
            shown = text if len(text) <= 80 else text[:79] + "…"
            where_da, where_en = _on_page(h.get("page"), "da"), _on_page(h.get("page"), "en")
            target = part_target(f.get("part", ""), h.get("path") or f"/H{level}")
            html = f"<{h.get('type') or f'H{level}'}> {text}"
            if prev is None and level != 1:
                findings.append(finding(
                    target, html,
                    {"da": f"Den første overskrift, \u00bb{shown}\u00ab{where_da}, er H{level}; den første bør "
                           "være H1.",
                     "en": f"The first heading, \u201c{shown}\u201d{where_en}, is H{level}; the first should be H1."},
                    {"da": "Giv brevets første overskrift typografien Overskrift 1 i Word (H1 i Acrobats panel "
                           "Koder), og lad de andre følge efter i rækkefølge.",
                     "en": "Give the letter's first heading the style Heading 1 in Word (H1 in Acrobat's Tags "
                           "panel), and let the others follow in order."}))
            elif prev is not None and level > prev + 1:
                findings.append(finding(
                    target, html,
                    {"da": f"Overskriften \u00bb{shown}\u00ab{where_da} er H{level}, men overskriften før den er "
                           f"H{prev}: H{prev + 1} er sprunget over.",
                     "en": f"The heading \u201c{shown}\u201d{where_en} is H{level}, but the heading before it is "
                           f"H{prev}: H{prev + 1} is skipped."},
                    {"da": f"Brug overskriftsniveauerne i rækkefølge: gør den til Overskrift {prev + 1} i Word "
                           f"(H{prev + 1} i Acrobats panel Koder).",
                     "en": f"Use heading levels in order: make it Heading {prev + 1} in Word (H{prev + 1} in "
                           "Acrobat's Tags panel)."}))
            prev = level
    return findings


# -- KP009, KP010: fonts ----------------------------------------------------------------------------

def _fonts_by_name(f: dict[str, Any]) -> list[dict[str, Any]]:
    """The PDF's fonts, one per name (subsets of one font merged), pages joined."""
    out: dict[str, dict[str, Any]] = {}
    for font in f.get("fonts") or []:
        name = font.get("name") or "(unnamed)"
        if name not in out:
            out[name] = {**font, "pages": list(font.get("pages") or [])}
        else:
            out[name]["pages"] = sorted({*out[name]["pages"], *(font.get("pages") or [])})
            for key in ("embedded", "to_unicode"):
                out[name][key] = out[name][key] and font.get(key)
            out[name]["unmapped_glyphs"] = list(dict.fromkeys([*out[name]["unmapped_glyphs"],
                                                               *(font.get("unmapped_glyphs") or [])]))
    return list(out.values())


@pdf_check(code="KP009", name="pdf-fonts-embedded", impact=Impact.SERIOUS, wcag=("1.3.1",), level="A",
           title={"da": "Skrifttyperne skal være indlejret i PDF'en", "en": "Fonts must be embedded in the PDF"},
           description={"da": "En skrifttype, der ikke er indlejret, skal findes på læserens maskine. Ellers vises en "
                              "anden skrift, og tegn kan gå tabt eller blive forkerte.",
                        "en": "A font that is not embedded must be on the reader's machine. Otherwise another "
                              "typeface is shown, and characters can be lost or come out wrong."},
           **_ua("7.21.4.1-1"))
def check_fonts_embedded(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(f.get("fonts") for f in pdfs):
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        for font in _fonts_by_name(f):
            if font.get("embedded"):
                continue
            name, subtype, pages = font["name"], font.get("subtype") or "?", font.get("pages") or []
            findings.append(finding(
                part_target(f.get("part", ""), f"/Font/{name}"),
                f"/Font << /Subtype /{subtype} /BaseFont /{font.get('base_font') or name} >> (no FontFile)",
                {"da": f"Skrifttypen {name} ({subtype}) på {_pages(pages, 'da')} er ikke indlejret i PDF'en, så "
                       "den kan blive vist med en anden skrift, og tegn kan gå tabt.",
                 "en": f"The font {name} ({subtype}) on {_pages(pages, 'en')} is not embedded in the PDF, so it "
                       "may be shown in another typeface, and characters may be lost."},
                {"da": "Lav PDF'en igen, så skrifttyperne kommer med: brug Gem som PDF i Word (ikke en "
                       "PDF-printer), eller vælg en eksport, der integrerer alle skrifttyper (InDesign gør det som "
                       "standard). Har du kun PDF'en, kan Preflight i Acrobat Pro integrere manglende skrifttyper.",
                 "en": "Make the PDF again with the fonts included: use Save As PDF in Word (not a PDF printer), "
                       "or an export setting that embeds all fonts (InDesign does by default). If you only have "
                       "the PDF, Preflight in Acrobat Pro can embed missing fonts."}))
    return findings


def unicode_problem(font: dict[str, Any]) -> tuple[str, str] | None:
    """Why a font's character codes cannot be turned into Unicode ('da', 'en'), or None when they can
    (or the font is symbolic, which this check leaves alone). The rule is in the module docstring."""
    if font.get("to_unicode"):
        return None
    subtype = font.get("subtype") or ""
    encoding = font.get("encoding")
    if subtype == "Type0":
        coll = font.get("cid_collection")
        if coll in PUBLIC_COLLECTIONS:
            return None
        if encoding and encoding not in ("Identity-H", "Identity-V", "(embedded CMap)"):
            return None
        return (f"dens tegnkoder ({encoding or 'ukendt kodning'}, {coll or 'ukendt tegnsamling'}) er "
                "glyfnumre, som ikke betyder noget uden den",
                f"its character codes ({encoding or 'unknown encoding'}, {coll or 'unknown collection'}) are "
                "glyph numbers, which mean nothing without one")
    if subtype != "Type3" and (font.get("symbolic") or font.get("name") in ("Symbol", "ZapfDingbats")):
        return None
    unmapped = font.get("unmapped_glyphs") or []
    if unmapped:
        names = ", ".join(unmapped[:5]) + (" …" if len(unmapped) > 5 else "")
        return (f"tegnnavnene i dens kodning ({names}) findes ikke i Adobes liste over tegnnavne",
                f"the glyph names in its encoding ({names}) are not in the Adobe Glyph List")
    if encoding in STANDARD_ENCODINGS or font.get("differences"):    # Differences: known names only (above)
        return None
    if encoding is None and font.get("standard_14") and subtype != "Type3":
        return None
    if encoding is None:
        return ("den bruger fontens egen kodning, som ikke siger, hvilke bogstaver koderne er",
                "it uses the font's own encoding, which does not say which letters the codes are")
    return (f"dens kodning ({encoding}) er ikke en standardkodning",
            f"its encoding ({encoding}) is not a standard one")


@pdf_check(code="KP010", name="pdf-font-tounicode", impact=Impact.SERIOUS, wcag=("1.3.1",), level="A",
           title={"da": "Teksten i PDF'en skal kunne læses som bogstaver",
                  "en": "Text in the PDF must map to Unicode"},
           description={"da": "Uden en tabel fra tegnkoder til Unicode (ToUnicode) ved skærmlæsere og søgning ikke, "
                              "hvilke bogstaver der står: teksten bliver til volapyk eller tavshed.",
                        "en": "Without a map from character codes to Unicode (ToUnicode), screen readers and search "
                              "do not know which letters are there: the text becomes gibberish or silence."},
           **_ua("7.21.7-1"))
def check_font_tounicode(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(f.get("fonts") for f in pdfs):
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        for font in _fonts_by_name(f):
            why = unicode_problem(font)
            if why is None:
                continue
            name, subtype, pages = font["name"], font.get("subtype") or "?", font.get("pages") or []
            findings.append(finding(
                part_target(f.get("part", ""), f"/Font/{name}"),
                f"/Font << /Subtype /{subtype} /BaseFont /{font.get('base_font') or name} >> (no /ToUnicode)",
                {"da": f"Skrifttypen {name} ({subtype}) på {_pages(pages, 'da')} har ingen ToUnicode-tabel, og "
                       f"{why[0]}: skærmlæsere, søgning og kopiering får ikke de rigtige bogstaver.",
                 "en": f"The font {name} ({subtype}) on {_pages(pages, 'en')} has no ToUnicode map, and "
                       f"{why[1]}: screen readers, search and copying do not get the right letters."},
                {"da": "Lav PDF'en igen fra det oprindelige dokument med Gem som PDF (ikke via en PDF-printer), "
                       "eller skift til en almindelig skrifttype som Arial eller Calibri. Det kan ikke rettes "
                       "pålideligt i selve PDF'en.",
                 "en": "Make the PDF again from the original document with Save As PDF (not through a PDF "
                       "printer), or switch to a common font such as Arial or Calibri. It cannot be fixed "
                       "reliably in the PDF itself."}))
    return findings


# -- KP011, KP012, KP013: pages and permissions ---------------------------------------------------

@pdf_check(code="KP011", name="pdf-tab-order", impact=Impact.MODERATE, wcag=("2.4.3",), level="A",
           title={"da": "Sider med links og felter skal have tabulatorrækkefølge efter strukturen",
                  "en": "Pages with links or fields must use the structure for the tab order"},
           description={"da": "Med /Tabs /S følger tabulatortasten dokumentets struktur, så man når links og felter i "
                              "den rækkefølge, de bliver læst.",
                        "en": "With /Tabs /S the Tab key follows the document structure, so links and fields are "
                              "reached in the order they are read."},
           **_ua("7.18.3-1"))
def check_tab_order(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(p.get("annotations") for f in pdfs for p in f.get("page_info") or []):
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        for p in f.get("page_info") or []:
            n_annots = p.get("annotations") or 0
            if not n_annots or p.get("tabs") == "S":
                continue
            tabs = p.get("tabs")
            n = p.get("page")
            state = (f"er /{tabs}", f"is /{tabs}") if tabs else ("mangler", "is missing")
            findings.append(finding(
                part_target(f.get("part", ""), f"/Page[{n}]"), f"/Tabs /{tabs}" if tabs else "(no /Tabs)",
                {"da": f"Side {n} har {n_annots} " + ("link, felt eller kommentar" if n_annots == 1 else
                                                     "links, felter eller kommentarer") +
                       f", men tabulatortasten følger ikke dokumentets struktur: /Tabs {state[0]}.",
                 "en": f"Page {n} has {n_annots} " + ("link, field or comment" if n_annots == 1 else
                                                     "links, fields or comments") +
                       f", but the Tab key does not follow the document structure: /Tabs {state[1]}."},
                {"da": "I Acrobat: åbn Sideminiaturer, markér alle sider, vælg Sideegenskaber \u203a "
                       "Tabulatorrækkefølge \u203a \u00bbBrug dokumentstruktur\u00ab, og gem.",
                 "en": "In Acrobat: open Page Thumbnails, select all pages, choose Page Properties \u203a Tab Order "
                       "\u203a \u201cUse Document Structure\u201d, and save."}))
    return findings


@pdf_check(code="KP012", name="pdf-encryption-access", impact=Impact.CRITICAL, wcag=("1.3.1",), level="A",
           title={"da": "Kryptering må ikke spærre for skærmlæsere",
                  "en": "Encryption must not lock out screen readers"},
           description={"da": "En PDF med sikkerhedsindstillinger kan forbyde, at teksten hentes ud. Er adgang for "
                              "tilgængelighed slået fra, må skærmlæsere ikke læse teksten op.",
                        "en": "A PDF with security settings can forbid extracting its text. If access for "
                              "accessibility is off, screen readers may not read the text aloud."},
           **_ua("7.16-1"))
def check_encryption(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = [f for f in _pdfs(artifacts) if f.get("encrypted")]
    if not pdfs:
        return INAPPLICABLE
    findings = []
    for f in pdfs:
        enc = f.get("encryption") or {}
        if enc.get("accessibility", True):
            continue
        da, en = _doc(f)
        perms = enc.get("p")
        findings.append(finding(
            part_target(f.get("part", ""), "/Trailer/Encrypt/P"), f"/Encrypt << /P {perms} >>",
            {"da": f"{da} er krypteret, og dens sikkerhedsindstillinger forbyder, at teksten hentes ud til "
                   "tilgængelighed, så skærmlæsere må ikke læse den op.",
             "en": f"{en} is encrypted, and its security settings forbid extracting the text for "
                   "accessibility, so screen readers may not read it aloud."},
            {"da": "Fjern sikkerheden, eller tillad tekstadgang: i Acrobat under Filer \u203a Egenskaber \u203a "
                   "Sikkerhed \u203a Sikkerhedsmetode: Ingen sikkerhed — eller under Adgangskodesikkerhed med hak "
                   "ved \u00bbAktivér tekstadgang for skærmlæserenheder for synshandicappede\u00ab.",
             "en": "Remove the security, or allow text access: in Acrobat under File \u203a Properties \u203a "
                   "Security \u203a Security Method: No Security — or under Password Security with \u201cEnable "
                   "text access for screen reader devices for the visually impaired\u201d ticked."}))
    return findings


@pdf_check(code="KP013", name="pdf-scanned", impact=Impact.CRITICAL, wcag=("1.1.1", "1.4.5"), level="A",
           title={"da": "Siderne må ikke være billeder af tekst", "en": "Pages must not be images of text"},
           description={"da": "En skannet side er et billede: den har ingen tekst, som skærmlæsere kan læse op, eller "
                              "som kan forstørres og søges i.",
                        "en": "A scanned page is a picture: it has no text that screen readers can read aloud or "
                              "that can be enlarged and searched."},
           help_url=SCAN_HELP)
def check_scanned(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    pdfs = _pdfs(artifacts)
    if not any(f.get("page_info") for f in pdfs):
        return INAPPLICABLE
    findings: list[Finding] = []
    for f in pdfs:
        for p in f.get("page_info") or []:
            cover = float(p.get("image_cover") or 0)
            if p.get("chars") or cover < SCAN_COVER:
                continue
            n, pct = p.get("page"), round(cover * 100)
            findings.append(finding(
                part_target(f.get("part", ""), f"/Page[{n}]"), f"page {n}: no text; images cover {pct} %",
                {"da": f"Side {n} har ingen tekst, men et billede dækker {pct} % af siden: den er skannet eller "
                       "et billede af tekst, som skærmlæsere ikke kan læse op, og som ikke kan forstørres eller "
                       "søges i.",
                 "en": f"Page {n} has no text, but an image covers {pct} % of it: it is scanned or a picture of "
                       "text, which screen readers cannot read aloud and which cannot be enlarged or searched."},
                {"da": "Lav PDF'en fra det oprindelige dokument (Word: Gem som PDF) i stedet for at skanne det. "
                       "Har du kun papiret, så kør tekstgenkendelse (OCR), fx i Acrobat under Scan og OCR \u203a "
                       "Genkend tekst, og tag PDF'en bagefter.",
                 "en": "Make the PDF from the original document (Word: Save As PDF) instead of scanning it. If "
                       "you only have paper, run text recognition (OCR), e.g. in Acrobat under Scan & OCR \u203a "
                       "Recognize Text, and tag the PDF afterwards."}))
    return findings
