"""Layout checks (KW020–KW039): reflow at 320 px, WCAG's text spacing, text enlarged to 200 %, and the
non-text contrast of form fields' edges and of icons.

They judge what audit/probes/layout.py recorded:

``layout`` (default profile), one entry per state, each compared by the probe with the page as loaded:
  {"texts": n, "items": n, "capped": bool, "viewport": [w, h], "ms": {…},
   "spacing" | "zoom" | "reflow": {
       "clipped": [{target, html, hidden, base_hidden, text, axis, truncation, in_control, other_control}],
       "overlaps": [{target, html, text, other_text, other_target}], "viewport": [w, h] (zoom, reflow)},
   "reflow" also: {"root_clips": bool, "scroll_width": n,
       "culprits": [{target, html, texts, controls, text, exempt: [...], fixed, over, left, width, row}],
       "scroll_text": [{target, html, text, width}]}}
``contrast`` (quick and default):
  {"fields": [{target, html, kind, adjacent, indicators: [{what, colour, against}], soft_shadow, unknown}],
   "icons": [{target, html, kind, colours: [...], against, unknown}], "unstyled": n, "inactive": n}

What is judged here, not in the probe: which states count as worse (text cut off by a box that did
not cut it as loaded; a line clamp or an ellipsis beside a »Læs mere« link is a design that keeps
the full text within reach), WCAG 1.4.10's exception for content that needs two dimensions (data
tables, code, images, maps, video, toolbars), and the 3:1 contrast.
"""
from __future__ import annotations

import re

from checks.common import ratio_text, finding as _finding
from checks.common import probe_failed
from checks.registry import INAPPLICABLE, family
from core.model import Category, Impact, Outcome

layout_check = family("layout", category=Category.WCAG, requires=("layout",))
contrast_check = family("layout", category=Category.WCAG, requires=("contrast",))

MAX_FINDINGS = 20
CONTRAST_MIN = 3.0


def _tidy(text: str) -> str:
    """No second full stop after a quote that ends a sentence: »… udgifter.«. → »… udgifter.«"""
    return re.sub(r"([.!?])([\u00bb\u00ab\u201c\u201d])\.", r"\1\2", text)


def finding(target, html, message, suggestion, **kw):
    return _finding(target, html, {k: _tidy(v) for k, v in message.items()}, suggestion, **kw)


def _q(text: str | None) -> tuple[str, str]:
    """A text quoted in Danish and in English (empty when there is none)."""
    if not text:
        return "", ""
    return f" »{text}«", f" \u201c{text}\u201d"


# -- cut off and overlapping text (shared by reflow, 200 % and text spacing) ------------------------------

def _clipped(entries, where: dict[str, str]) -> list:
    """Text a box cuts off in a state but did not as loaded. A box that already cut text off as loaded
    (a line clamp, a carousel, a ticker) is left alone; so is a truncation with an ellipsis or a line
    clamp that has a link or button beside it (»Læs mere«: the full text is one step away). A truncated
    link or button text needs review: its destination may hold the full text, but its name is cut."""
    out = []
    for e in entries or []:
        if e.get("base_hidden"):
            continue
        trunc = e.get("truncation")
        if trunc and e.get("other_control"):
            continue
        da, en = _q(e.get("text"))
        if trunc and e.get("in_control"):
            out.append(finding(e["target"], e["html"], {
                "da": f"{where['da']} afkortes teksten i linket eller knappen med »…«:{da}. Navnet kan ikke længere "
                      "læses helt; tjek, at hele teksten kan læses et andet sted.",
                "en": f"{where['en']} the text of the link or button is cut short with an ellipsis:{en}. Its name "
                      "can no longer be read in full; check that the whole text can be read elsewhere."}, {
                "da": "Lad teksten bryde over flere linjer i stedet for at afkorte den (fjern white-space: nowrap, "
                      "text-overflow: ellipsis og faste bredder).",
                "en": "Let the text wrap onto more lines instead of cutting it short (remove white-space: nowrap, "
                      "text-overflow: ellipsis and fixed widths)."}, outcome=Outcome.CANT_TELL))
            continue
        how = ({"da": "afkortes teksten med »…«, og der er intet link til hele teksten",
                "en": "the text is cut short with an ellipsis, and no link leads to the full text"} if trunc else
               {"da": "bliver teksten skåret af, fordi boksen har fast størrelse og skjuler det, der ikke kan være i "
                      "den (overflow: hidden)",
                "en": "the text is cut off, because the box has a fixed size and hides what does not fit "
                      "(overflow: hidden)"})
        out.append(finding(e["target"], e["html"], {
            "da": f"{where['da']} {how['da']}:{da}.", "en": f"{where['en']} {how['en']}:{en}."}, {
            "da": "Lad boksen vokse med teksten: brug min-height i stedet for height, fjern overflow: hidden, "
                  "og lad teksten bryde over flere linjer.",
            "en": "Let the box grow with its text: use min-height instead of height, remove overflow: hidden, "
                  "and let the text wrap."}))
    return out


def _overlaps(entries, where: dict[str, str]) -> list:
    out = []
    for e in entries or []:
        da, en = _q(e.get("text"))
        oda, oen = _q(e.get("other_text"))
        out.append(finding(e["target"], e["html"], {
            "da": f"{where['da']} ligger teksten{da} oven i anden tekst{oda}, så ingen af dem kan læses.",
            "en": f"{where['en']} the text{en} lies on top of other text{oen}, so neither can be read."}, {
            "da": "Giv teksten plads til at vokse: ingen fast højde (brug min-height), ingen absolut placering "
                  "oven på andet indhold, og margener i em frem for px.",
            "en": "Give the text room to grow: no fixed height (use min-height), no absolute positioning over "
                  "other content, and margins in em rather than px."}))
    return out


def _state(artifacts, name: str):
    """The layout artifact's ``name`` state, or the answer when there is none to judge."""
    art = artifacts.get("layout") or {}
    failed = probe_failed(art)
    if failed:
        return None, failed
    if art.get("skipped") or not art.get(name) or not (art.get("texts") or art.get("items")):
        return None, INAPPLICABLE
    return art[name], None


# -- 1.4.10 Reflow -----------------------------------------------------------------------------------

EXEMPT = {"table": ("en datatabel", "a data table"), "code": ("kode", "code"), "media": ("et billede, en video eller "
          "et kort", "an image, a video or a map"), "toolbar": ("en værktøjslinje", "a toolbar"),
          "application": ("en applikation", "an application")}


@layout_check(code="KW020", name="reflow", impact=Impact.SERIOUS, wcag=("1.4.10",), level="AA", wcag_version="2.1",
              screenshot="reflow",
              title={"da": "Indholdet skal kunne læses i et 320 px bredt vindue uden vandret rulning",
                     "en": "Content must be readable in a 320 px wide window without horizontal scrolling"},
              description={
                  "da": "klartjek viser siden i et vindue på 320 × 256 CSS-pixel, som svarer til 400 % zoom i et "
                        "vindue på 1280 px. Tekst og knapper, der stikker ud over vinduets kant, så siden skal "
                        "rulles vandret, eller som skæres af og ikke kan nås, er en fejl. Det samme er tekst, der "
                        "først ved 320 px skæres af eller lægger sig oven i anden tekst. Datatabeller, kode, "
                        "billeder, kort, video og værktøjslinjer må gerne rulle vandret.",
                  "en": "klartjek shows the page in a window of 320 × 256 CSS pixels, which equals 400 % zoom in a "
                        "1280 px window. Text and buttons that stick out of the window, so that the page must be "
                        "scrolled sideways, or that are cut off and cannot be reached, fail. So does text that is "
                        "cut off or lies on top of other text only at 320 px. Data tables, code, images, maps, "
                        "video and toolbars may scroll sideways."})
def reflow(artifacts, ctx):
    state, answer = _state(artifacts, "reflow")
    if state is None:
        return answer
    where = {"da": "Ved 320 px bredde", "en": "At a width of 320 px"}
    out = []
    rows: set[str] = set()
    for c in state.get("culprits") or []:
        if not (c.get("texts") or c.get("controls")):
            continue            # only content WCAG lets scroll (a table, code, an image …) sticks out
        target, html = c["target"], c["html"]
        if c.get("row"):
            target, html = c["row"]
            if target in rows:
                continue
            rows.add(target)
        da, en = _q(c.get("text"))
        what_da, what_en = ("teksten", "the text") if c.get("texts") else ("knapper eller felter", "buttons or fields")
        if c.get("fixed"):
            msg = {"da": f"{where['da']} stikker det fast placerede element ud over vinduets kant, og {what_da} "
                         f"udenfor kan ikke nås, heller ikke ved at rulle:{da}.",
                   "en": f"{where['en']} the fixed element sticks out of the window, and {what_en} outside it "
                         f"cannot be reached, not even by scrolling:{en}."}
        elif state.get("root_clips"):
            msg = {"da": f"{where['da']} stikker elementet {c.get('over', 0)} px ud over vinduets kant, og siden "
                         f"skjuler det, der er udenfor (overflow-x: hidden), så {what_da} skæres af:{da}.",
                   "en": f"{where['en']} the element sticks out of the window by {c.get('over', 0)} px, and the "
                         f"page hides what lies outside (overflow-x: hidden), so {what_en} is cut off:{en}."}
        elif c.get("row"):
            msg = {"da": f"{where['da']} bryder rækken ikke om, og dens indhold stikker {c.get('over', 0)} px ud "
                         f"over vinduets kant, så siden skal rulles vandret:{da}.",
                   "en": f"{where['en']} the row does not wrap, and its content sticks out of the window by "
                         f"{c.get('over', 0)} px, so the page must be scrolled sideways:{en}."}
        else:
            msg = {"da": f"{where['da']} stikker elementet {c.get('over', 0)} px ud over vinduets kant, så siden "
                         f"skal rulles vandret for at læse {what_da}:{da}.",
                   "en": f"{where['en']} the element sticks out of the window by {c.get('over', 0)} px, so the "
                         f"page must be scrolled sideways to read {what_en}:{en}."}
        out.append(finding(target, html, msg, {
            "da": "Lad elementet følge vinduets bredde: ingen faste bredder i px (brug max-width: 100 %), lad "
                  "rækker bryde om (flex-wrap: wrap), og lad lange ord og adresser bryde (overflow-wrap: anywhere).",
            "en": "Let the element follow the window's width: no fixed widths in px (use max-width: 100%), let "
                  "rows wrap (flex-wrap: wrap), and let long words and addresses break (overflow-wrap: anywhere)."}))
    for s in state.get("scroll_text") or []:
        da, en = _q(s.get("text"))
        out.append(finding(s["target"], s["html"], {
            "da": f"{where['da']} står teksten i en boks, der skal rulles vandret for at læse hver linje:{da}. Kun "
                  "indhold som tabeller, kode og billeder må kræve rulning i to retninger.",
            "en": f"{where['en']} the text sits in a box that must be scrolled sideways to read each line:{en}. "
                  "Only content such as tables, code and images may need scrolling in two directions."}, {
            "da": "Lad teksten bryde om inden for boksens bredde (ingen fast bredde, ingen white-space: nowrap).",
            "en": "Let the text wrap within the box's width (no fixed width, no white-space: nowrap)."}))
    out += _clipped(state.get("clipped"), where)
    out += _overlaps(state.get("overlaps"), where)
    return out[:MAX_FINDINGS]


# -- 1.4.4 Resize text --------------------------------------------------------------------------------

@layout_check(code="KW022", name="resize-text", impact=Impact.SERIOUS, wcag=("1.4.4",), level="AA",
              screenshot="text-200",
              title={"da": "Tekst skal kunne forstørres til 200 % uden at blive skåret af eller overlappe",
                     "en": "Text must be resizable to 200 % without being cut off or overlapping"},
              description={
                  "da": "klartjek forstørrer kun teksten til 200 % (hvert elements skriftstørrelse fordobles, som "
                        "browserens »zoom kun tekst« gør; vinduet er det samme) og sammenligner med siden før. "
                        "Tekst, der først ved 200 % skæres af af en boks med fast størrelse, afkortes med »…« uden "
                        "link til hele teksten, eller lægger sig oven i anden tekst, er en fejl. Det, der allerede "
                        "var afkortet ved 100 %, vurderes ikke her.",
                  "en": "klartjek enlarges only the text to 200 % (every element's font size doubled, as the "
                        "browser's »zoom text only« does; the window stays the same) and compares it with the page "
                        "before. Text that only at 200 % is cut off by a box of fixed size, cut short with an "
                        "ellipsis and no link to the full text, or lies on top of other text fails. What was "
                        "already cut short at 100 % is not judged here."})
def resize_text(artifacts, ctx):
    state, answer = _state(artifacts, "zoom")
    if state is None:
        return answer
    where = {"da": "Med teksten forstørret til 200 %", "en": "With the text enlarged to 200 %"}
    return (_clipped(state.get("clipped"), where) + _overlaps(state.get("overlaps"), where))[:MAX_FINDINGS]


# -- 1.4.12 Text spacing -------------------------------------------------------------------------------

@layout_check(code="KW021", name="text-spacing", impact=Impact.SERIOUS, wcag=("1.4.12",), level="AA",
              wcag_version="2.1",
              screenshot="text-spacing",
              title={"da": "Tekst må ikke skæres af eller overlappe, når afstanden mellem linjer, ord og bogstaver "
                           "øges",
                     "en": "Text must not be cut off or overlap when line, word and letter spacing are increased"},
              description={
                  "da": "klartjek giver siden WCAG's tekstafstande (linjehøjde 1,5, afstand efter afsnit 2 gange "
                        "skriftstørrelsen, bogstavafstand 0,12 og ordafstand 0,16 gange skriftstørrelsen), som "
                        "W3C's bogmærke gør, og sammenligner med siden før. Tekst, der derefter skæres af af en boks "
                        "med fast størrelse eller lægger sig oven i anden tekst, er en fejl. Afstande sat med "
                        "!important i style-attributter finder axe-core's regel avoid-inline-spacing (KA030).",
                  "en": "klartjek gives the page WCAG's text spacing (line height 1.5, spacing after paragraphs 2 "
                        "times the font size, letter spacing 0.12 and word spacing 0.16 times the font size), as "
                        "the W3C bookmarklet does, and compares it with the page before. Text that is then cut off "
                        "by a box of fixed size or lies on top of other text fails. Spacing set with !important in "
                        "style attributes is found by axe-core's rule avoid-inline-spacing (KA030)."})
def text_spacing(artifacts, ctx):
    state, answer = _state(artifacts, "spacing")
    if state is None:
        return answer
    where = {"da": "Med større tekstafstand", "en": "With wider text spacing"}
    return (_clipped(state.get("clipped"), where) + _overlaps(state.get("overlaps"), where))[:MAX_FINDINGS]


# -- 1.4.11 Non-text contrast -------------------------------------------------------------------------

def _luminance(colour: str) -> float:
    c = colour.lstrip("#")
    out = []
    for k in (0, 2, 4):
        v = int(c[k:k + 2], 16) / 255
        out.append(v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours given as #rrggbb."""
    x, y = _luminance(a), _luminance(b)
    return (max(x, y) + 0.05) / (min(x, y) + 0.05)



INDICATOR = {"fill": ("baggrundsfarve", "fill"), "border": ("kant", "border"), "underline": ("understregning",
             "underline"), "outline": ("omrids", "outline"), "shadow": ("skygge", "shadow")}


def _indicator_name(what: str) -> tuple[str, str]:
    if what.startswith("wrapper-"):
        da, en = _indicator_name(what[len("wrapper-"):])
        return f"den omgivende boks' {da}", f"the surrounding box's {en}"
    if what.startswith("border-"):
        return "kant", "border"
    return INDICATOR.get(what, (what, what))


@contrast_check(code="KW023", name="field-boundary-contrast", impact=Impact.SERIOUS, wcag=("1.4.11",), level="AA",
                wcag_version="2.1",
                title={"da": "Et formularfelts kant skal have kontrast 3:1 til baggrunden",
                       "en": "A form field's edge must have a contrast of 3:1 against its background"},
                description={
                    "da": "Når et tekstfelt, en rulleliste, et tekstområde eller et selvtegnet afkrydsningsfelt kun "
                          "kan ses på sin kant, understregning eller baggrundsfarve, skal den have kontrast mindst "
                          "3:1 til farven omkring feltet. Browserens egne, ustylede felter, deaktiverede felter og "
                          "felter uden nogen kant er undtaget, og felter over et billede, en gradient eller et "
                          "andet element vurderes ikke.",
                    "en": "When a text field, select, text area or custom-drawn checkbox can be seen only by its "
                          "border, underline or fill, that must have a contrast of at least 3:1 against the colour "
                          "around the field. The browser's own unstyled fields, disabled fields and fields with no "
                          "edge at all are exempt, and fields over an image, a gradient or another element are not "
                          "judged."})
def field_boundary_contrast(artifacts, ctx):
    art = artifacts.get("contrast") or {}
    failed = probe_failed(art)
    if failed:
        return failed
    fields = art.get("fields") or []
    if not fields and not art.get("unstyled"):
        return INAPPLICABLE
    out, judged = [], bool(art.get("unstyled"))
    for f in fields:
        if f.get("unknown"):
            continue
        marks = [(contrast_ratio(i["colour"], i["against"]), i) for i in f.get("indicators") or []]
        if not marks or any(r >= CONTRAST_MIN for r, _ in marks):
            judged = True     # no edge at all (WCAG asks for none), or one that can be seen
            continue
        if f.get("soft_shadow"):
            continue          # a blurred shadow may show the field: not judged
        judged = True
        r, best = max(marks, key=lambda m: m[0])
        rda, ren = ratio_text(r)
        nda, nen = _indicator_name(best["what"])
        out.append(finding(f["target"], f["html"], {
            "da": f"Feltets {nda} ({best['colour']}) har kontrast {rda}:1 mod farven omkring det ({best['against']}); "
                  "der kræves mindst 3:1, for at feltet kan ses.",
            "en": f"The field's {nen} ({best['colour']}) has a contrast of {ren}:1 against the colour around it "
                  f"({best['against']}); at least 3:1 is needed for the field to be seen."}, {
            "da": "Gør kanten mørkere (fx #767676 eller mørkere på hvid), eller giv feltet en baggrundsfarve med "
                  "mindst 3:1 mod omgivelserne.",
            "en": "Make the border darker (e.g. #767676 or darker on white), or give the field a fill with at least "
                  "3:1 against its surroundings."}))
    if not out and not judged:
        return None           # every field over an image or another element: no verdict
    return out[:MAX_FINDINGS]


@contrast_check(code="KW024", name="icon-contrast", impact=Impact.SERIOUS, wcag=("1.4.11",), level="AA",
                wcag_version="2.1",
                title={"da": "Ikoner, der bærer betydning, skal have kontrast 3:1 til baggrunden",
                       "en": "Icons that carry meaning must have a contrast of 3:1 against their background"},
                description={
                    "da": "Et ikon, der er det eneste indhold i et link eller en knap, eller et SVG-ikon med "
                          "rollen img eller et navn, skal have kontrast mindst 3:1 til baggrunden. Pyntende ikoner "
                          "ved siden af tekst (aria-hidden), deaktiverede knapper og ikoner over et billede eller "
                          "en gradient vurderes ikke; tekstens kontrast vurderer axe-core.",
                    "en": "An icon that is the only content of a link or button, or an SVG icon with the role img "
                          "or a name, must have a contrast of at least 3:1 against its background. Decorative icons "
                          "beside text (aria-hidden), disabled buttons and icons over an image or a gradient are not "
                          "judged; axe-core judges the contrast of text."})
def icon_contrast(artifacts, ctx):
    art = artifacts.get("contrast") or {}
    failed = probe_failed(art)
    if failed:
        return failed
    icons = [i for i in art.get("icons") or [] if i.get("unknown") != "image"]
    if not icons:
        return INAPPLICABLE      # no icons, or only images (a logo link): their pixels are not judged here
    out, judged = [], False
    for i in icons:
        if i.get("unknown") or not i.get("colours") or not i.get("against"):
            continue
        judged = True
        r, colour = max((contrast_ratio(c, i["against"]), c) for c in i["colours"])
        if r >= CONTRAST_MIN:
            continue
        rda, ren = ratio_text(r)
        where = ({"da": "Ikonet i linket eller knappen", "en": "The icon in the link or button"}
                 if i.get("kind") == "control" else {"da": "Ikonet", "en": "The icon"})
        out.append(finding(i["target"], i["html"], {
            "da": f"{where['da']} ({colour}) har kontrast {rda}:1 mod baggrunden ({i['against']}); der kræves mindst "
                  "3:1, for at det kan ses.",
            "en": f"{where['en']} ({colour}) has a contrast of {ren}:1 against its background ({i['against']}); at "
                  "least 3:1 is needed for it to be seen."}, {
            "da": "Giv ikonet en mørkere farve (eller en lysere på mørk baggrund), så kontrasten bliver mindst 3:1.",
            "en": "Give the icon a darker colour (or a lighter one on a dark background) so that the contrast is at "
                  "least 3:1."}))
    if not out and not judged:
        return None
    return out[:MAX_FINDINGS]
