"""Reports of one text for content editors: the text with its problem spans marked, the LIX and
its band, the plain-language score, and every finding with its suggestion. Terminal (rich) and a
self-contained HTML page (jinja2, autoescaped: the text is untrusted)."""
from __future__ import annotations

from pathlib import Path
from typing import TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from core.model import Document, impact_rank
from core.klarsprog.text import BAND_NAMES
from reports.i18n import t

TEMPLATES = Path(__file__).parent / "templates"
SPAN_STYLE = {"critical": "bold white on red", "serious": "bold red underline", "moderate": "yellow underline",
              "minor": "cyan underline"}
WIDE_STYLE = "on grey19"      # a whole sentence or paragraph


def text_findings(doc: Document):
    """(number, check result, finding) for every text finding, in text order."""
    items = [(r, f) for r in doc.results for f in r.findings if f.span is not None]
    items.sort(key=lambda rf: (rf[1].span[0], -impact_rank(rf[1].impact), rf[0].code))
    return [(i + 1, r, f) for i, (r, f) in enumerate(items)]


def _is_whole(f, text: str) -> bool:
    return f.span[0] == 0 and f.span[1] >= len(text)


def readability_line(doc: Document, lang: str) -> str:
    rd = doc.readability or {}
    if not rd.get("assessed"):
        return rd.get("reason", "")
    if rd.get("lix") is not None:
        band = BAND_NAMES[rd["lix_band"]][lang]
        return (f"{t('lix_long', lang)} {rd['lix']:g} ({band}); {t('without_headings', lang)} "
                f"{rd['lix_without_headings'] if rd['lix_without_headings'] is not None else '–'} · "
                f"{rd['words']} {t('words', lang)}, {rd['sentences']} {t('sentences', lang)}, "
                f"{rd['long_words']} {t('long_words', lang)}")
    if rd.get("flesch_reading_ease") is not None:
        return f"Flesch reading ease {rd['flesch_reading_ease']:g} · {rd['words']} {t('words', lang)}"
    return ""


def sms_line(doc: Document, lang: str) -> str:
    """An SMS's encoding and length as a phone sees it (empty for other texts)."""
    sms = doc.sms
    if not sms:
        return ""
    n = sms["segments"]
    enc = "GSM 7-bit" if sms["encoding"] == "gsm7" else "UCS-2"
    chars = []
    for f in sms.get("forcing") or []:
        c = f"U+{ord(f['char']):04X}"
        if c not in chars:
            chars.append(c)
    if lang == "da":
        many = "sms" if n == 1 else "sms'er"
        line = (f"SMS: {enc}, {sms['units']} tegn med de længste værdier → {n} {many}"
                f" ({sms['per_segment']} tegn pr. {'sms' if n <= 1 else 'del'})")
        return line + (f"; UCS-2 på grund af {', '.join(chars[:8])}" if chars else "")
    line = (f"SMS: {enc}, {sms['units']} characters with the longest values → {n} "
            f"{'segment' if n == 1 else 'segments'} ({sms['per_segment']} characters a "
            f"{'message' if n <= 1 else 'segment'})")
    return line + (f"; UCS-2 because of {', '.join(chars[:8])}" if chars else "")


def render_terminal(doc: Document, text: str, console: Console, lang: str) -> None:
    from checks import REGISTRY

    numbered = text_findings(doc)
    console.print(f"[bold]{escape(doc.location)}[/] · {t('plain_score', lang)} "
                  f"{'–' if doc.plain_score is None else f'{doc.plain_score:.1f}'}")
    console.print(escape(readability_line(doc, lang)))
    if doc.sms:
        console.print(escape(sms_line(doc, lang)))
    console.print()
    shown = Text(text)
    ends: dict[int, list[int]] = {}
    for n, r, f in numbered:
        if _is_whole(f, text):
            continue
        start, end = f.span
        wide = r.name in ("long-sentence", "long-paragraph")
        shown.stylize(WIDE_STYLE if wide else SPAN_STYLE.get(f.impact or "", "underline"), start, end)
        ends.setdefault(end, []).append(n)
    # number markers after each span, inserted from the end so offsets stay valid
    for end in sorted(ends, reverse=True):
        marker = Text("[" + ",".join(map(str, ends[end])) + "]", style="dim")
        shown = Text.assemble(shown[:end], marker, shown[end:])
    console.print(shown)
    console.print()
    for n, r, f in numbered:
        meta = REGISTRY.get(r.code)
        style = SPAN_STYLE.get(f.impact or "", "")
        console.print(f"[bold]{n}.[/] [{style}]{r.code} {escape(r.name)}[/] · {f.impact} · "
                      f"{escape(meta.text('title', lang) if meta else '')}")
        if not _is_whole(f, text):
            console.print(f"   «{escape(f.excerpt or '')}»")
        console.print(f"   {escape(f.message.get(lang) or f.message.get('en') or '')}")
        if f.suggestion:
            console.print(f"   → {escape(f.suggestion.get(lang) or f.suggestion.get('en') or '')}")
    if not numbered:
        console.print(t("no_findings_text", lang))


def text_paragraphs(numbered, text: str) -> list[list[dict]]:
    """The text as paragraphs of pieces cut at the findings' span edges; each piece knows the
    worst impact covering it and the numbers of the findings ending on it."""
    # Split the text into pieces at span edges; a piece knows which findings cover it.
    marks = [(n, r, f) for n, r, f in numbered if not _is_whole(f, text)]
    edges = sorted({0, len(text), *[x for _, _, f in marks for x in f.span]})
    paragraphs: list[list[dict]] = [[]]
    for a, b in zip(edges, edges[1:], strict=False):
        covering = [(n, r, f) for n, r, f in marks if f.span[0] <= a and b <= f.span[1]]
        ending = [n for n, r, f in marks if f.span[1] == b]
        chunk = text[a:b]
        parts = chunk.split("\n\n")
        for i, part in enumerate(parts):
            if i:
                paragraphs.append([])
            if part:
                worst = max(covering, key=lambda x: impact_rank(x[2].impact), default=None)
                paragraphs[-1].append({
                    "text": part, "impact": worst[2].impact if worst else None,
                    "wide": bool(covering) and all(r.name in ("long-sentence", "long-paragraph")
                                                   for _, r, _ in covering),
                    "refs": ending if i == len(parts) - 1 else []})
    return [p for p in paragraphs if p]


def render_html(doc: Document, text: str, out: TextIO, lang: str) -> None:
    from checks import REGISTRY

    numbered = text_findings(doc)
    paragraphs = text_paragraphs(numbered, text)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    tmpl = env.get_template("text.html.j2")
    out.write(tmpl.render(
        doc=doc, lang=lang, t=lambda k: t(k, lang), readability=readability_line(doc, lang),
        sms=sms_line(doc, lang),
        paragraphs=paragraphs, whole=[(n, r, f) for n, r, f in numbered if _is_whole(f, text)],
        whole_ns={n for n, r, f in numbered if _is_whole(f, text)},
        findings=numbered, title_of=lambda code: (REGISTRY.get(code).text("title", lang) if REGISTRY.get(code)
                                                  else code)))
