"""Word (DOCX) letter checks (codes KD…): pure functions of the ``docx`` artifact.

``artifacts["docx"]`` is a list of facts dicts, one per Word document in the letter (the letter
itself, or files attached to a MeMo message); audit/letters/docx.py describes the facts. Every
finding's target is the document part (if any) joined to a locator in the document's XML, such as
``/w:body/w:p[3]``.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from checks.common import finding, part_target
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact, Outcome, TargetKind

Texts = dict[str, str]
Facts = dict[str, Any]
MS_HELP = ("https://support.microsoft.com/en-us/office/make-your-word-documents-accessible-to-people-with-"
           "disabilities-d9bf3683-87ac-47ea-b91a-78dcacb3c66d")
docx_check = family("docx", category=Category.LETTER_STRUCTURE, applies_to=("letter",), requires=("docx",),
                    target=TargetKind.DOCX)

PLACEHOLDER_TITLE = re.compile(r"^(?:dokument|document|doc|untitled|unavngivet|uden titel|titel|title|nyt dokument|"
                               r"new document|skabelon|template)\s*\d*$", re.IGNORECASE)
FILE_NAME = re.compile(r"(?:^|[\\/])[^\\/]*\.(?:docx?|dotx?|docm|pdf|rtf|odt|txt|png|jpe?g|gif|bmp|tiff?|emf|wmf|"
                       r"svg|webp)$", re.IGNORECASE)
AUTO_ALT = re.compile(r"automatisk genereret beskrivelse|description automatically generated", re.IGNORECASE)
BODY_TEXT_WORDS = 5        # a paragraph of body text has at least this many words (not an address line)
NO_HEADINGS_AFTER = 3      # a letter with more paragraphs of body text than this needs headings
FAKE_HEADING_WORDS = 10    # a fake heading is at most this many words

LANGUAGE_NAMES = {"da": ("dansk", "Danish"), "en": ("engelsk", "English"), "de": ("tysk", "German"),
                  "sv": ("svensk", "Swedish"), "nb": ("norsk", "Norwegian"), "nn": ("norsk", "Norwegian"),
                  "no": ("norsk", "Norwegian"), "fr": ("fransk", "French"), "es": ("spansk", "Spanish"),
                  "fo": ("færøsk", "Faroese"), "kl": ("grønlandsk", "Greenlandic"), "pl": ("polsk", "Polish"),
                  "ar": ("arabisk", "Arabic"), "tr": ("tyrkisk", "Turkish"), "uk": ("ukrainsk", "Ukrainian")}
DRAWING_NAMES = {"picture": ("Billedet", "The picture"), "chart": ("Diagrammet", "The chart"),
                 "smartart": ("SmartArt-grafikken", "The SmartArt graphic"), "shape": ("Figuren", "The shape"),
                 "group": ("Gruppen af figurer", "The group of shapes"), "canvas": ("Tegnelærredet", "The canvas"),
                 "other": ("Grafikken", "The graphic")}


def _primary(lang: str | None) -> str | None:
    if not lang:
        return None
    return lang.strip().lower().replace("_", "-").split("-")[0] or None


def _lang_name(lang: str | None, i: int) -> str:
    names = LANGUAGE_NAMES.get(_primary(lang) or "")
    return names[i] if names else (lang or "?")


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _where(locator: str) -> Texts:
    """Where a paragraph lies, in words: "afsnit 3", "tabel 1", "en tekstboks"."""
    if "txbxContent" in locator:
        return {"da": "i en tekstboks", "en": "in a text box"}
    m = re.match(r"^/w:body/w:tbl\[(\d+)\]", locator)
    if m:
        return {"da": f"i tabel {m.group(1)}", "en": f"in table {m.group(1)}"}
    m = re.match(r"^/w:body/w:p\[(\d+)\]", locator)
    if m:
        return {"da": f"i afsnit {m.group(1)}", "en": f"in paragraph {m.group(1)}"}
    return {"da": "i brevet", "en": "in the letter"}


def per_document(artifacts: Artifacts, fn: Callable[[Facts], list[Finding] | None]) -> list[Finding] | Outcome:
    """``fn`` on the facts of every Word document of the letter, their findings in turn: ``fn`` returns
    one document's findings, or None when the check does not apply to it. INAPPLICABLE when it applies
    to none of them (or there is none)."""
    findings: list[Finding] | None = None
    for facts in artifacts.get("docx") or []:
        got = fn(facts)
        if got is not None:
            findings = (findings or []) + got
    return INAPPLICABLE if findings is None else findings


# -- the checks: each runs a function of one document's facts (per_document) ------------------------

def _title(f: Facts) -> list[Finding] | None:
    title = " ".join((f.get("title") or "").split())
    target = part_target(f["part"], "/cp:coreProperties/dc:title")
    fix = {"da": "Skriv en titel, der siger hvad brevet handler om, under Filer › Oplysninger › Egenskaber › Titel, "
                 "fx »Indkaldelse til undersøgelse af hjertet«.",
           "en": "Set a title that says what the letter is about under File › Info › Properties › Title, "
                 "e.g. “Appointment for a heart examination”."}
    if not title:
        msg = {"da": "Dokumentet har ingen titel i egenskaberne. En skærmlæser læser filnavnet op i stedet.",
               "en": "The document has no title in its properties. A screen reader reads the file name instead."}
    elif FILE_NAME.search(title):
        msg = {"da": f"Dokumentets titel er et filnavn: »{_quote(title)}«.",
               "en": f"The document's title is a file name: “{_quote(title)}”."}
    elif PLACEHOLDER_TITLE.match(title):
        msg = {"da": f"Dokumentets titel »{_quote(title)}« siger ikke, hvad brevet handler om.",
               "en": f"The document's title “{_quote(title)}” does not say what the letter is about."}
    else:
        return []
    return [finding(target, title, msg, fix)]


@docx_check(code="KD001", name="docx-title", impact=Impact.SERIOUS, wcag=("2.4.2",), level="A",
            title={"da": "Word-dokumentet har ingen rigtig titel", "en": "The Word document has no real title"},
            description={"da": "Titlen i dokumentets egenskaber er det første, en skærmlæser læser op. Den skal "
                               "sige, hvad brevet handler om.",
                         "en": "The title in the document's properties is the first thing a screen reader reads. "
                               "It should say what the letter is about."})
def check_title(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _title)


def _language(f: Facts) -> list[Finding] | None:
    """The document's language must be set and must be the language the text is written in.

    Three cases fail (one finding at most per document): (1) most of the text has no language at
    all (no default language, and runs do not set one); (2) the text's language is known
    (``text_language``) and the default language (Normal style, else docDefaults) is another; (3)
    the text's language is known and the language most of the text is marked with (the runs' own
    ``w:lang``, character and paragraph styles, by visible characters) is another, e.g. Danish text
    pasted in as en-US into a da-DK document. A few words marked in another language (a quotation)
    are fine: only the language covering most of the text counts.
    """
    default, text_lang = f.get("lang"), f.get("text_language")
    dist = f.get("text_langs") or []
    total = sum(n for _, n in dist)
    main, main_chars = (dist[0][0], dist[0][1]) if dist else (default, 0)
    if f.get("lang_source") == "style":
        where = f"/w:styles/w:style[@w:styleId='{f.get('lang_style')}']/w:rPr/w:lang"
    else:
        where = "/w:styles/w:docDefaults/w:rPrDefault/w:rPr/w:lang"
    want = _lang_name(text_lang, 0) if text_lang else "dansk"
    fix = {"da": f"Markér al teksten (Ctrl+A), og vælg {want} under Gennemse › Sprog › Angiv korrektursprog. "
                 "Tryk også på Angiv som standard, så nye afsnit får samme sprog.",
           "en": f"Select all text (Ctrl+A) and choose {_lang_name(text_lang, 1) if text_lang else 'Danish'} under "
                 "Review › Language › Set Proofing Language. Also click Set As Default, so new text gets it too."}
    if main is None:
        return [finding(part_target(f["part"], "/w:styles/w:docDefaults"), "",
                        {"da": "Dokumentet har intet sprog angivet. En skærmlæser ved ikke, hvilken udtale den "
                               "skal bruge.",
                         "en": "The document has no language set. A screen reader cannot tell which pronunciation "
                               "to use."}, fix)]
    if not text_lang:
        return []
    if default and _primary(default) != text_lang:
        return [finding(part_target(f["part"], where), f'w:lang w:val="{default}"',
                        {"da": f"Dokumentets sprog er {default} ({_lang_name(default, 0)}), men teksten er på "
                               f"{_lang_name(text_lang, 0)}. En skærmlæser læser den med forkert udtale.",
                         "en": f"The document's language is {default} ({_lang_name(default, 1)}), but the text is "
                               f"in {_lang_name(text_lang, 1)}. A screen reader will mispronounce it."}, fix)]
    if total and _primary(main) != text_lang and main_chars * 2 > total:
        share = round(100 * main_chars / total)
        return [finding(part_target(f["part"], "/w:body"), f'w:lang w:val="{main}"',
                        {"da": f"{share} % af teksten er markeret som {main} ({_lang_name(main, 0)}), men teksten "
                               f"er på {_lang_name(text_lang, 0)}. En skærmlæser læser den med forkert udtale.",
                         "en": f"{share}% of the text is marked as {main} ({_lang_name(main, 1)}), but the text is "
                               f"in {_lang_name(text_lang, 1)}. A screen reader will mispronounce it."}, fix)]
    return []


@docx_check(code="KD002", name="docx-language", impact=Impact.SERIOUS, wcag=("3.1.1",), level="A",
            title={"da": "Word-dokumentets sprog mangler eller er forkert",
                   "en": "The Word document's language is missing or wrong"},
            description={"da": "Skærmlæsere og oplæsning bruger dokumentets sprog til udtalen. Dansk tekst læst "
                               "med engelsk udtale er svær at forstå.",
                         "en": "Screen readers and read-aloud use the document's language to pronounce it. Danish "
                               "read with English pronunciation is hard to understand."})
def check_language(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _language)


def _heading_order(f: Facts) -> list[Finding] | None:
    """Headings (heading styles) start at level 1 and never skip a level. A letter with more than
    three paragraphs of body text (a line of at least five words, so an address, the date and the
    greeting do not count) and no heading at all has one finding."""
    paras = f.get("paragraphs") or []
    headings = [p for p in paras if p["heading"] is not None and p["container"] != "textbox" and p["text"]]
    if not headings:
        body = [p for p in paras if p["container"] == "body"
                and max(len(line.split()) for line in p["text"].split("\n")) >= BODY_TEXT_WORDS]
        if len(body) <= NO_HEADINGS_AFTER:
            return None
        return [finding(part_target(f["part"], "/w:body"), body[0]["text"],
                        {"da": f"Brevet har {len(body)} afsnit tekst, men ingen overskrifter. Med en skærmlæser kan "
                               "man ikke springe til den del af brevet, man leder efter.",
                         "en": f"The letter has {len(body)} paragraphs of text but no headings. Screen reader users "
                               "cannot jump to the part they are looking for."},
                        {"da": "Giv overskrifterne typografien Overskrift 1 og Overskrift 2 under Startside › "
                               "Typografier, fx »Din tid« og »Praktisk information«.",
                         "en": "Give the headings the styles Heading 1 and Heading 2 (Home › Styles), e.g. "
                               "“Your appointment” and “Practical information”."})]
    out = []
    prev = None
    for h in headings:
        level, text = h["heading"], _quote(h["text"])
        if prev is None and level > 1:
            out.append(finding(part_target(f["part"], h["locator"]), h["text"],
                               {"da": f"Den første overskrift »{text}« er på niveau {level}. Den første overskrift "
                                      "skal være på niveau 1.",
                                "en": f"The first heading “{text}” is at level {level}. The first heading should be "
                                      "at level 1."},
                               {"da": "Giv den typografien Overskrift 1 under Startside › Typografier.",
                                "en": "Give it the style Heading 1 (Home › Styles)."}))
        elif prev is not None and level > prev + 1:
            out.append(finding(part_target(f["part"], h["locator"]), h["text"],
                               {"da": f"Overskriften »{text}« er på niveau {level}, men overskriften før er på niveau "
                                      f"{prev}: niveau {prev + 1} er sprunget over.",
                                "en": f"The heading “{text}” is at level {level}, but the heading before it is at "
                                      f"level {prev}: level {prev + 1} is skipped."},
                               {"da": f"Giv den typografien Overskrift {prev + 1} under Startside › Typografier.",
                                "en": f"Give it the style Heading {prev + 1} (Home › Styles)."}))
        prev = level
    return out


@docx_check(code="KD003", name="docx-heading-order", impact=Impact.MODERATE, wcag=("1.3.1",), level="A",
            help_url=MS_HELP,
            title={"da": "Overskrifterne mangler eller springer niveauer over",
                   "en": "Headings are missing or skip levels"},
            description={"da": "Overskrifter i rigtig rækkefølge lader skærmlæserbrugere få overblik og springe "
                               "rundt i brevet.",
                         "en": "Headings in the right order let screen reader users get an overview and move "
                               "around the letter."})
def check_heading_order(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _heading_order)


CLOSING = re.compile(r"^(?:med )?venlig(?:e|st)? hilsen|^mvh\b|^(?:kind |best )?regards\b"
                     r"|^yours (?:sincerely|faithfully)", re.IGNORECASE)


def _fake_heading(f: Facts) -> list[Finding] | None:
    """A body paragraph that is not a heading, not a list item, short (at most ten words, no final
    full stop) and all bold, followed by a paragraph of ordinary text (not a heading, not all bold):
    it looks like a heading but is not one. (A bold line followed by another bold line, such as a
    bold sender's address, is not flagged until its last line.)"""
    paras = [p for p in (f.get("paragraphs") or []) if p["container"] != "textbox"]
    if not any(p["container"] == "body" and p["text"] for p in paras):
        return None
    out = []
    signed = False          # after "Venlig hilsen": a bold name over a plain title is a signature
    for i, p in enumerate(paras):
        text = p["text"].strip()
        signed = signed or bool(CLOSING.match(text))
        if (signed or p["container"] != "body" or p["heading"] is not None or p["list"] or not p["bold"] or not text
                or p["words"] > FAKE_HEADING_WORDS or text.endswith(".") or not any(c.isalpha() for c in text)):
            continue
        nxt = next((q for q in paras[i + 1:] if q["text"].strip()), None)
        if nxt is None or nxt["heading"] is not None or nxt["bold"]:
            continue
        if nxt["words"] <= FAKE_HEADING_WORDS and not nxt["text"].strip().endswith((".", "!", "?", ":")):
            continue        # a heading introduces text; a short line without a sentence is no such text
        out.append(finding(part_target(f["part"], p["locator"]), text,
                           {"da": f"»{_quote(text)}« ligner en overskrift (kort og fed), men er almindelig tekst. "
                                  "En skærmlæser kan ikke finde den som overskrift.",
                            "en": f"“{_quote(text)}” looks like a heading (short and bold) but is ordinary text. "
                                  "A screen reader cannot find it as a heading."},
                           {"da": "Giv linjen en overskriftstypografi, fx Overskrift 2, under Startside › Typografier, "
                                  "i stedet for at gøre den fed.",
                            "en": "Give the line a heading style, e.g. Heading 2 (Home › Styles), instead of making it "
                                  "bold."}))
    return out


@docx_check(code="KD004", name="docx-fake-heading", impact=Impact.SERIOUS, wcag=("1.3.1",), level="A",
            help_url=MS_HELP,
            title={"da": "Fed tekst, der ligner en overskrift", "en": "Bold text that looks like a heading"},
            description={"da": "En linje, der kun er gjort fed, ser ud som en overskrift, men skærmlæsere kan ikke "
                               "finde den som overskrift.",
                         "en": "A line that is only made bold looks like a heading, but screen readers cannot find "
                               "it as one."})
def check_fake_heading(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _fake_heading)


def _image_alt(f: Facts) -> list[Finding] | None:
    """Every drawing, inline or floating (pictures, charts, SmartArt, shapes; not text boxes, whose
    text is read), has alternative text (wp:docPr/@descr), unless it is marked as decorative. Alt
    text that is a file name fails; alt text Word wrote itself ("Automatisk genereret beskrivelse")
    needs a person to check it."""
    drawings = [d for d in (f.get("drawings") or []) if d["kind"] != "textbox"]
    if not drawings:
        return None
    out = []
    for d in drawings:
        if d["decorative"]:
            continue
        descr = " ".join((d.get("descr") or "").split())
        kind_da, kind_en = DRAWING_NAMES.get(d["kind"], DRAWING_NAMES["other"])
        floating = {"da": " (flydende)", "en": " (floating)"} if d["placement"] == "anchor" else {"da": "", "en": ""}
        where = _where(d["locator"])
        label = {"da": f"{kind_da}{floating['da']} »{_quote(d['name'], 40)}« {where['da']}",
                 "en": f"{kind_en}{floating['en']} “{_quote(d['name'], 40)}” {where['en']}"}
        target = part_target(f["part"], f"{d['locator']}/wp:docPr[@id={d['id']}]")
        html = f'<wp:docPr id="{d["id"]}" name="{d["name"]}" descr="{descr}"/>'
        fix = {"da": "Højreklik på billedet, vælg Vis alternativ tekst, og skriv kort, hvad billedet viser. Er det "
                     "kun pynt, så sæt flueben i Markér som dekorativ.",
               "en": "Right-click the picture, choose View Alt Text and say briefly what it shows. If it is only "
                     "decoration, tick Mark as decorative."}
        if not descr:
            out.append(finding(target, html, {"da": f"{label['da']} har ingen alternativ tekst.",
                                              "en": f"{label['en']} has no alternative text."}, fix))
        elif FILE_NAME.search(descr):
            out.append(finding(target, html,
                               {"da": f"{label['da']} har et filnavn som alternativ tekst: »{_quote(descr)}«.",
                                "en": f"{label['en']} has a file name as alternative text: “{_quote(descr)}”."}, fix))
        elif AUTO_ALT.search(descr):
            out.append(finding(target, html,
                               {"da": f"{label['da']} har en alternativ tekst, som Word selv har skrevet: "
                                      f"»{_quote(descr)}«.",
                                "en": f"{label['en']} has alternative text Word wrote itself: “{_quote(descr)}”."},
                               {"da": "Tjek at teksten beskriver billedet rigtigt, ret den, og slet »Automatisk "
                                      "genereret beskrivelse« (højreklik › Vis alternativ tekst).",
                                "en": "Check that it describes the picture, correct it, and delete “Description "
                                      "automatically generated” (right-click › View Alt Text)."},
                               outcome=Outcome.CANT_TELL))
    return out


@docx_check(code="KD005", name="docx-image-alt", impact=Impact.CRITICAL, wcag=("1.1.1",), level="A",
            help_url=MS_HELP,
            title={"da": "Billede uden alternativ tekst", "en": "Image without alternative text"},
            description={"da": "Alternativ tekst fortæller, hvad et billede viser, til dem der ikke kan se det.",
                         "en": "Alternative text tells people who cannot see a picture what it shows."})
def check_image_alt(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _image_alt)


def _table_header(f: Facts) -> list[Finding] | None:
    tables = [t for t in (f.get("tables") or []) if t["rows"] > 1]
    if not tables:
        return None
    out = []
    for t in tables:
        if t["header"]:
            continue
        first = _quote(t["first_row"], 60)
        out.append(finding(part_target(f["part"], t["locator"]), t["first_row"],
                           {"da": f"Tabellen med {t['rows']} rækker (første række: »{first}«) har ingen "
                                  "overskriftsrække. En skærmlæser kan ikke sige, hvilken kolonne en celle hører til.",
                            "en": f"The table of {t['rows']} rows (first row: “{first}”) has no header row. A "
                                  "screen reader cannot tell which column a cell belongs to."},
                           {"da": "Sæt markøren i første række, og vælg Tabellayout › Gentag overskriftsrækker. Er "
                                  "tabellen kun brugt til opsætning, så brug tabulatorer eller afsnit i stedet.",
                            "en": "Put the cursor in the first row and choose Table Layout › Repeat Header Rows. If "
                                  "the table is only used for layout, use tabs or paragraphs instead."}))
    return out


@docx_check(code="KD006", name="docx-table-header", impact=Impact.SERIOUS, wcag=("1.3.1",), level="A",
            help_url=MS_HELP,
            title={"da": "Tabel uden overskriftsrække", "en": "Table without a header row"},
            description={"da": "En markeret overskriftsrække lader skærmlæsere læse kolonnens overskrift op sammen "
                               "med hver celle.",
                         "en": "A marked header row lets screen readers read the column heading with each cell."})
def check_table_header(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    return per_document(artifacts, _table_header)
