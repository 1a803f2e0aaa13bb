"""Reports of one text for content editors: the text with its problem spans marked, the LIX and
its band, the plain-language score, and every finding with its suggestion. Terminal (rich) and a
self-contained HTML page (jinja2, autoescaped: the text is untrusted).

The HTML page and the editors' workbench (workbench/, `klartjek serve`) show the same view
(``text_view``): the marks coloured by kind (``LEGEND``), a "fix these first" list
(``rank_findings``), and links from every finding to its place in the text and back."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from core.model import Document, impact_rank
from core.klarsprog.text import BAND_NAMES
from reports.i18n import t

TEMPLATES = Path(__file__).parent / "templates"
MARKS_CSS = "text_marks.css"     # the marks and the legend: in the HTML report, and served by the workbench
SPAN_STYLE = {"critical": "bold white on red", "serious": "bold red underline", "moderate": "yellow underline",
              "minor": "cyan underline"}
WIDE_STYLE = "on grey19"      # a whole sentence or paragraph
WIDE = ("long-sentence", "long-paragraph")      # findings that mark a whole sentence or paragraph


@dataclass(frozen=True)
class MarkKind:
    """A kind of mark in the text: its CSS class ``k-KEY``, its name and what it marks, and the
    checks whose findings it marks. The marks differ in colour and in the line under them, and
    the legend names each, so colour is never the only sign."""
    key: str
    label: dict[str, str]
    marks: dict[str, str]
    checks: tuple[str, ...]


LEGEND: tuple[MarkKind, ...] = (
    MarkKind("ord", {"da": "Svære ord", "en": "Hard words"},
             {"da": "fagord, kancellisprog, forkortelser, lange ord og links uden indhold",
              "en": "jargon, officialese, abbreviations, long words and empty link texts"},
             ("KL005", "KL011", "KL012", "KL013", "KL017")),
    MarkKind("hvem", {"da": "Hvem gør hvad", "en": "Who does what"},
             {"da": "passiv, navneordsvendinger, »man« og »De«",
              "en": "passive, nominalisations, impersonal »man« and formal »De«"},
             ("KL006", "KL007", "KL008", "KL009", "KL010")),
    MarkKind("saetning", {"da": "Lange sætninger", "en": "Long sentences"},
             {"da": "sætninger og afsnit, der er for lange", "en": "sentences and paragraphs that are too long"},
             ("KL001", "KL002", "KL003", "KL004", "KL018")),
    MarkKind("dato", {"da": "Dato og klokkeslæt", "en": "Dates and times"},
             {"da": "ugedage, datoer og klokkeslæt", "en": "weekdays, dates and times"},
             ("KL014", "KL015", "KL016", "KT003")),
    MarkKind("sms", {"da": "Sms", "en": "SMS"},
             {"da": "CPR-nummer, links og tegn, som gør en sms længere",
              "en": "CPR numbers, links and characters that make an SMS longer"},
             ("KT001", "KT002", "KT004", "KT005", "KT006", "KT007", "KT008")),
    MarkKind("andet", {"da": "Andet", "en": "Other"}, {"da": "andre fund", "en": "other findings"}, ()),
)
KIND_OF = {code: kind.key for kind in LEGEND for code in kind.checks}

# What to fix first: impact first (critical > serious > moderate > minor), then how much a check's
# findings hurt understanding, most first (docs/workbench.md). A wrong weekday sends the citizen on
# the wrong day; a CPR number in an SMS is a breach; a missing place or a way to cancel, a link
# nobody can trust; then a hard text (LIX), words the reader does not know, long sentences …
FIX_ORDER: tuple[str, ...] = (
    "KL016", "KT006", "KT004", "KT005", "KT007", "KL001", "KL018", "KL012", "KL011", "KL003", "KL015",
    "KT003", "KL002", "KL013", "KL009", "KL006", "KL007", "KL017", "KT001", "KT008", "KL008", "KL010",
    "KL005", "KL004", "KL014", "KT002",
)
FIX_WEIGHT = {code: len(FIX_ORDER) - i for i, code in enumerate(FIX_ORDER)}
FIX_FIRST = 5                 # findings in "fix these first"
FIX_FIRST_PER_CHECK = 2       # … at most this many of one check

# What a LIX band means for a reader (Det Danske Sprog- og Litteraturselskab's bands)
LIX_MEANING = {
    "very_easy": {"da": "Teksten er meget let, som en børnebog. Alle kan læse den.",
                  "en": "The text is very easy, like a children's book. Everyone can read it."},
    "easy": {"da": "Teksten er let, som et ugeblad. De fleste kan læse den.",
             "en": "The text is easy, like a weekly magazine. Most people can read it."},
    "medium": {"da": "Teksten er middel, som en avis. Nogle læsere synes, den er svær.",
               "en": "The text is medium, like a newspaper. Some readers find it hard."},
    "hard": {"da": "Teksten er svær, som en fagbog. Mange læsere har svært ved den.",
             "en": "The text is hard, like a textbook. Many readers struggle with it."},
    "very_hard": {"da": "Teksten er meget svær, som en lov. Mange læsere kan ikke læse den.",
                  "en": "The text is very hard, like a law. Many readers cannot read it."},
}


def number(x: float, lang: str) -> str:
    """A number as the language writes it: 41,5 in Danish, 41.5 in English."""
    shown = f"{x:g}"
    return shown.replace(".", ",") if lang == "da" else shown


def rank_key(r, f) -> tuple:
    """The order of "fix these first": failures before needs review, impact, the check's weight,
    place in the text."""
    return (f.outcome != "failed", -impact_rank(f.impact), -FIX_WEIGHT.get(r.code, 0),
            f.span[0] if f.span else 0)


def rank_findings(doc: Document, limit: int | None = None) -> list:
    """(number, check result, finding) of the text's findings, the most important first; with
    ``limit``, that many at most, at most FIX_FIRST_PER_CHECK of one check, and the same advice for
    the same place once (»bedes« is passive and officialese, with one suggestion: the more important
    finding gives it)."""
    ranked = sorted(text_findings(doc), key=lambda nrf: rank_key(nrf[1], nrf[2]))
    if limit is None:
        return ranked
    per_check: Counter = Counter()
    given: set[tuple] = set()
    out = []
    for n, r, f in ranked:
        advice = (tuple(f.span), tuple(sorted((f.suggestion or f.message).items())))
        if len(out) < limit and per_check[r.code] < FIX_FIRST_PER_CHECK and advice not in given:
            per_check[r.code] += 1
            given.add(advice)
            out.append((n, r, f))
    return out


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
        return (f"{t('lix_long', lang)} {number(rd['lix'], lang)} ({band}); {t('without_headings', lang)} "
                f"{number(rd['lix_without_headings'], lang) if rd['lix_without_headings'] is not None else '–'} · "
                f"{rd['words']} {t('words', lang)}, {rd['sentences']} {t('sentences', lang)}, "
                f"{rd['long_words']} {t('long_words', lang)}")
    if rd.get("flesch_reading_ease") is not None:
        return f"Flesch reading ease {number(rd['flesch_reading_ease'], lang)} · {rd['words']} {t('words', lang)}"
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


def _title(code: str, lang: str) -> str:
    from checks import REGISTRY

    meta = REGISTRY.get(code)
    return meta.text("title", lang) if meta else code


def render_terminal(doc: Document, text: str, console: Console, lang: str) -> None:
    numbered = text_findings(doc)
    console.print(f"[bold]{escape(doc.location)}[/] · {t('plain_score', lang)} "
                  f"{'–' if doc.plain_score is None else number(round(doc.plain_score, 1), lang)}")
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
    first = rank_findings(doc, FIX_FIRST)
    if first:                                # the short list an editor starts with
        console.print(f"[bold]{t('fix_first', lang)}:[/] " + ", ".join(
            f"{n}. {escape(_title(r.code, lang))}" for n, r, _ in first))
        console.print()
    for n, r, f in numbered:
        style = SPAN_STYLE.get(f.impact or "", "")
        impact = t(f.impact, lang) if f.impact else ""
        # the check's title in the report's language; its code last, for config and baselines
        console.print(f"[bold]{n}.[/] [{style}]{escape(_title(r.code, lang))}[/] · {impact} · [dim]{r.code}[/]")
        if not _is_whole(f, text):
            console.print(f"   \u00bb{escape(f.excerpt or '')}\u00ab")
        console.print(f"   {escape(f.message.get(lang) or f.message.get('en') or '')}")
        if f.suggestion:
            console.print(f"   → {escape(f.suggestion.get(lang) or f.suggestion.get('en') or '')}")
    if not numbered:
        console.print(t("no_findings_text", lang))


def _kind(covering) -> str:
    """The kind of a piece of text: that of the most important finding covering it, a finding on
    a few words before one on a whole sentence."""
    narrow = [(r, f) for _, r, f in covering if r.name not in WIDE]
    r, f = min(narrow or [(r, f) for _, r, f in covering], key=lambda rf: rank_key(*rf))
    return KIND_OF.get(r.code, "andet")


def text_paragraphs(numbered, text: str) -> list[list[dict]]:
    """The text as paragraphs of pieces cut at the findings' span edges; each piece knows the
    worst impact covering it, the kind of its mark, the numbers of the findings ending on it and
    of those starting on it (``anchors``: the piece is their place in the text)."""
    marks = [(n, r, f) for n, r, f in numbered if not _is_whole(f, text)]
    edges = sorted({0, len(text), *[x for _, _, f in marks for x in f.span]})
    starts: dict[int, list[int]] = {}
    for n, _, f in marks:
        starts.setdefault(f.span[0], []).append(n)
    paragraphs: list[list[dict]] = [[]]
    pending: list[int] = []
    for a, b in zip(edges, edges[1:], strict=False):
        covering = [(n, r, f) for n, r, f in marks if f.span[0] <= a and b <= f.span[1]]
        ending = [n for n, r, f in marks if f.span[1] == b]
        pending += starts.get(a, [])
        chunk = text[a:b]
        parts = chunk.split("\n\n")
        for i, part in enumerate(parts):
            if i:
                paragraphs.append([])
            if part:
                worst = max(covering, key=lambda x: impact_rank(x[2].impact), default=None)
                paragraphs[-1].append({
                    "text": part, "impact": worst[2].impact if worst else None,
                    "wide": bool(covering) and all(r.name in WIDE for _, r, _ in covering),
                    "kind": _kind(covering) if covering else None, "anchors": pending,
                    "refs": ending if i == len(parts) - 1 else []})
                pending = []
    return [p for p in paragraphs if p]


def text_view(doc: Document, text: str, lang: str, limits: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the HTML report and the workbench show of a checked text: figures, "fix these first",
    the marked text, the legend of the kinds found, and every finding with its place in the text
    (``place``: the id of its mark, ``t-N``; None for a finding on the whole text). ``limits``: the
    plain-language profile (its LIX limit is said beside the LIX)."""
    from checks import REGISTRY

    numbered = text_findings(doc)
    paragraphs = text_paragraphs(numbered, text)
    place = {n: f"t-{piece['anchors'][0]}" for para in paragraphs for piece in para for n in piece["anchors"]}
    kinds = {k.key: k for k in LEGEND}

    def item(n, r, f) -> dict[str, Any]:
        meta = REGISTRY.get(r.code)
        kind = kinds[KIND_OF.get(r.code, "andet")]
        return {"n": n, "code": r.code, "title": meta.text("title", lang) if meta else r.name,
                "impact": t(f.impact, lang) if f.impact else "", "kind": kind.key, "kind_label": kind.label[lang],
                "excerpt": None if _is_whole(f, text) else f.excerpt, "place": place.get(n),
                "message": f.message.get(lang) or f.message.get("en") or "",
                "suggestion": (f.suggestion.get(lang) or f.suggestion.get("en")) if f.suggestion else None}

    findings = [item(n, r, f) for n, r, f in numbered]
    by_n = {x["n"]: x for x in findings}
    counts = Counter(x["kind"] for x in findings if x["place"])
    rd = doc.readability or {}
    band = rd.get("lix_band")
    lix_limit = (limits or {}).get("lix_warn") if rd.get("lix") is not None else None
    return {
        "text_lang": doc.language if doc.language and doc.language != lang else None,
        "plain_score": None if doc.plain_score is None else number(round(doc.plain_score, 1), lang),
        "readability": readability_line(doc, lang), "sms": sms_line(doc, lang),
        "lix_meaning": LIX_MEANING[band][lang] if band else None,
        "lix_limit": number(lix_limit, lang) if lix_limit is not None else None,
        "paragraphs": paragraphs, "findings": findings,
        "fix_first": [by_n[n] for n, _, _ in rank_findings(doc, FIX_FIRST)],
        "legend": [{"key": k.key, "label": k.label[lang], "marks": k.marks[lang], "count": counts[k.key]}
                   for k in LEGEND if counts[k.key]],
        "titles": {x["n"]: x["title"] for x in findings},
    }


def render_html(doc: Document, text: str, out: TextIO, lang: str) -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    tmpl = env.get_template("text.html.j2")
    out.write(tmpl.render(v=text_view(doc, text, lang), doc=doc, lang=lang, t=lambda k: t(k, lang),
                          marks_css=(TEMPLATES / MARKS_CSS).read_text(encoding="utf-8")))
