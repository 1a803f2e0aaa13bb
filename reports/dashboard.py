"""The portfolio dashboard: static pages from audit/portfolio.py's view (no JavaScript; they open
from disk or any web server): the overview, one page per project, the method page, and the data as
JSON. Charts are inline SVG made here (see ``line_chart``): a figure with a title, a sentence that
says what it shows, real text labels, markers and direct labels, and its data as a table beside it.
docs/dashboard.md explains every number."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from core.model import IMPACTS
from core.monitoring import BAND_NAMES, BANDS, CRITERIA, ESTIMATE_LABEL, MODEL
from core.wcag import title as criterion_title

TEMPLATES = Path(__file__).with_name("templates")

T = {
    "title": {"da": "Portefølje: tilgængelighed og klarsprog", "en": "Portfolio: accessibility and plain language"},
    "overview": {"da": "Oversigt", "en": "Overview"},
    "method": {"da": "Sådan er tallene regnet ud", "en": "How the numbers are computed"},
    "project": {"da": "Projekt", "en": "Project"},
    "channel": {"da": "Kanal", "en": "Channel"},
    "owner": {"da": "Ejer", "en": "Owner"},
    "last_run": {"da": "Seneste kørsel", "en": "Last run"},
    "wcag": {"da": "WCAG-score", "en": "WCAG score"},
    "plain": {"da": "Klarsprogsscore", "en": "Plain-language score"},
    "estimate": {"da": "Estimeret score i overvågningen (0–500)", "en": "Estimated monitoring score (0–500)"},
    "failures": {"da": "Fejl efter alvor", "en": "Failures by impact"},
    "documents": {"da": "Dokumenter testet af fundet", "en": "Documents tested of found"},
    "change": {"da": "Ændring", "en": "Change"},
    "trend": {"da": "Udvikling", "en": "Trend"},
    "where": {"da": "Hvor skal vi sætte ind?", "en": "Where to push"},
    "where_intro": {"da": "Tallet er den andel af de testede sider i den seneste kørsel, der fejler kriteriet. Det "
                          "er de 15 kriterier, som staten tester selv, når den overvåger, om sider er tilgængelige.",
                    "en": "Share of the pages tested in each project's last run that fail the success criterion "
                          "(the 15 criteria the Agency for Digital Government's monitoring tests automatically)."},
    "criterion": {"da": "Kriterium", "en": "Success criterion"},
    "intro": {"da": "WCAG (de internationale retningslinjer for tilgængeligt webindhold) er grundlaget for "
                    "WCAG-scoren. Scoren for klarsprog måler, om teksterne er skrevet klart.",
              "en": "WCAG (the Web Content Accessibility Guidelines) is what the WCAG score measures against. The "
                    "plain-language score measures whether the texts are written plainly."},
    "worst": {"da": "Dokumenter med den laveste score", "en": "Documents with the lowest score"},
    "document": {"da": "Dokument", "en": "Document"},
    "date": {"da": "Dato", "en": "Date"},
    "run": {"da": "Kørsel", "en": "Run"},
    "statement": {"da": "Link til erklæring om tilgængelighed", "en": "Accessibility statement linked"},
    "yes": {"da": "ja", "en": "yes"}, "no": {"da": "nej", "en": "no"},
    "unknown": {"da": "ikke vurderet (kræver en crawl)", "en": "not judged (needs a crawl)"},
    "no_projects": {"da": "Historikken har ingen kørsler med et projekt endnu. Mærk kørsler med "
                           "klartjek audit --project NAVN, eller kør klartjek portfolio run.",
                    "en": "The history has no runs with a project yet. Label runs with "
                          "klartjek audit --project NAME, or run klartjek portfolio run."},
    "without_runs": {"da": "Projekter uden kørsler", "en": "Projects without runs"},
    "generated": {"da": "Lavet", "en": "Made"},
    "model": {"da": "Model", "en": "Model"},
    "tools": {"da": "Værktøjer", "en": "Tools"},
    "skip": {"da": "Gå til indholdet", "en": "Skip to the content"},
    "pages_tested": {"da": "testede sider", "en": "pages tested"},
    "fixes": {"da": "De rettelser, der når flest", "en": "The fixes that reach furthest"},
    "fixes_intro": {"da": "Her er de tjek, der fejler flest steder i de seneste kørsler. Listen er ordnet efter, "
                          "hvor langt en rettelse når: antal dokumenter gange vægten af fejlen.",
                    "en": "Failing checks in the projects' latest runs, ranked by reach: the documents they fail on "
                          "times the weight of their impact."},
    "check": {"da": "Tjek", "en": "Check"},
    "impact": {"da": "Alvor", "en": "Impact"},
    "reach": {"da": "Rækkevidde", "en": "Reach"},
    "where_found": {"da": "Hvor", "en": "Where"},
    "template": {"da": "samme element på {n} sider i {p}. Det er nok en fælles skabelon, så I kan rette det ét sted",
                 "en": "the same element on {n} pages of {p}: probably a shared template, fixed in one place"},
    "changes": {"da": "Nye og rettede fejl siden forrige periode",
                "en": "New and fixed failures since the previous period"},
    "new": {"da": "Nye", "en": "New"}, "fixed": {"da": "Rettede", "en": "Fixed"},
    "unchanged": {"da": "Uændrede", "en": "Unchanged"},
    "since_run": {"da": "Sammenlignet med", "en": "Compared with"},
    "full_report": {"da": "hele rapporten", "en": "the full report"},
    "site_trend": {"da": "Udvikling pr. websted", "en": "Trend per site"},
    "site_intro": {"da": "Gennemsnittet af WCAG-scoren for webstedets dokumenter i hver kørsel.",
                   "en": "The mean WCAG score of the site's documents in each run."},
    "site": {"da": "Websted", "en": "Site"},
    "mean_score": {"da": "Gennemsnitlig score", "en": "Mean score"},
    "lix": {"da": "LIX (gennemsnit)", "en": "LIX (mean)"},
    "versions": {"da": "Værktøjer i de seneste kørsler", "en": "Tools in the latest runs"},
    "score_axis": {"da": "score", "en": "score"},
}
CHANNEL_NAMES = {"web": {"da": "web", "en": "web"}, "booking": {"da": "booking", "en": "booking"},
                 "letters": {"da": "breve", "en": "letters"}, "memo": {"da": "Digital Post", "en": "Digital Post"},
                 "sms": {"da": "SMS", "en": "SMS"}, "texts": {"da": "tekster", "en": "texts"}}
IMPACT_NAMES = {"critical": {"da": "kritisk", "en": "critical"}, "serious": {"da": "alvorlig", "en": "serious"},
                "moderate": {"da": "moderat", "en": "moderate"}, "minor": {"da": "mindre", "en": "minor"}}
MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def number(v: float | None, lang: str, decimals: int = 1) -> str:
    """A number as its language writes it: 95,4 in Danish, 95.4 in English; – for none."""
    if v is None:
        return "–"
    s = f"{v:,.{decimals}f}" if decimals else f"{round(v):,}"
    if lang == "da":
        s = s.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")
    return s


def day(iso: str | None, lang: str) -> str:
    """2026-03-05T… → »5. marts 2026« / "5 March 2026"."""
    if not iso:
        return "–"
    y, m, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    return f"{d}. {MONTHS_DA[m - 1]} {y}" if lang == "da" else f"{d} {MONTHS_EN[m - 1]} {y}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def change_words(project: dict[str, Any], lang: str) -> str:
    """The WCAG score's change since the previous period, in words with an arrow."""
    prev, latest = project["previous"], project["latest"]
    if not prev or prev["score"] is None or latest["score"] is None:
        return "–"
    delta = round(latest["score"] - prev["score"], 1)
    since = day(prev["started_at"], lang)
    if abs(delta) < 0.05:
        return f"→ uændret siden {since}" if lang == "da" else f"→ unchanged since {since}"
    points = number(abs(delta), lang)
    if delta > 0:
        return f"↑ steget {points} point siden {since}" if lang == "da" else f"↑ up {points} points since {since}"
    return f"↓ faldet {points} point siden {since}" if lang == "da" else f"↓ down {points} points since {since}"


def chart_summary(values: list[tuple[str, float]], lang: str, what: str) -> str:
    """One sentence: »Scoren steg fra 402 til 455 siden 3. marts 2026.«"""
    if not values:
        return ""
    (first_day, first), (_, last) = values[0], values[-1]
    since = day(first_day, lang)
    a, b = number(first, lang), number(last, lang)
    if len(values) == 1:
        return (f"{what} var {b} ved den eneste kørsel {since}." if lang == "da"
                else f"{what} was {b} at the only run, {since}.")
    if round(last - first, 1) == 0:
        return (f"{what} er uændret, {b}, siden {since}." if lang == "da"
                else f"{what} is unchanged at {b} since {since}.")
    verb_da, verb_en = ("steg", "rose") if last > first else ("faldt", "fell")
    return (f"{what} {verb_da} fra {a} til {b} siden {since}." if lang == "da"
            else f"{what} {verb_en} from {a} to {b} since {since}.")


def line_chart(values: list[tuple[str, float]], *, title: str, summary: str, lang: str, y_max: float = 100,
               chart_id: str = "c") -> Markup:
    """An inline SVG line chart of (ISO date, value): a title and a description the SVG points at,
    axes with text labels, a marker at every point, the first and last values written beside them.
    Dark blue on white (8.6:1), grid lines grey (at least 3:1 where they carry meaning: none do)."""
    w, h, left, right, top, bottom = 640, 240, 48, 56, 16, 40
    n = len(values)
    pw, ph = w - left - right, h - top - bottom

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (1 - v / y_max)

    parts = [f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
             f'focusable="false" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(summary)}</desc>']
    for tick in (0, y_max / 2, y_max):
        parts.append(f'<line x1="{left}" x2="{w - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#767676" '
                     'stroke-width="1" stroke-dasharray="2 4"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#1b1b1b">{escape(number(tick, lang, 0))}</text>')
    if n:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(values))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#0b4f8a" stroke-width="2.5"/>')
        for i, (_, v) in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="#0b4f8a"/>')
        for i in sorted({0, n - 1}):
            d, v = values[i]
            anchor = "start" if i == n - 1 else "end"
            dx = 8 if i == n - 1 else -8
            if n == 1:
                anchor, dx = "start", 8
            parts.append(f'<text x="{x(i) + dx:.1f}" y="{y(v) - 8:.1f}" text-anchor="{anchor}" font-size="13" '
                         f'font-weight="bold" fill="#1b1b1b">{escape(number(v, lang))}</text>')
        for i in sorted({0, n - 1}):
            parts.append(f'<text x="{x(i):.1f}" y="{h - 12}" text-anchor="middle" font-size="12" '
                         f'fill="#1b1b1b">{escape(values[i][0][:10])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: list[float], label: str) -> Markup:
    """A small line of the values (0–100) for a table cell: an image whose name says what it shows."""
    w, h = 80, 20
    if len(values) < 2:
        return Markup("")
    pts = " ".join(f"{2 + (w - 4) * i / (len(values) - 1):.1f},{h - 2 - (h - 4) * v / 100:.1f}"
                    for i, v in enumerate(values))
    last = values[-1]
    return Markup(f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{escape(label)}" '
                  f'focusable="false" xmlns="http://www.w3.org/2000/svg"><polyline points="{pts}" fill="none" '
                  f'stroke="#0b4f8a" stroke-width="1.5"/><circle cx="{w - 2}" cy="{h - 2 - (h - 4) * last / 100:.1f}" '
                  'r="2.5" fill="#0b4f8a"/></svg>')


def slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")).strip("-")
    return s or "projekt"


def render(view: dict[str, Any], out_dir: Path, lang: str = "da", versions: dict[str, str] | None = None) -> list[Path]:
    """Write the dashboard into ``out_dir``; the files written."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    t = lambda key: T[key][lang]                       # noqa: E731
    used: set[str] = set()
    for p in view["projects"]:
        base = slug(p["name"])
        s, k = base, 2
        while s in used:
            s, k = f"{base}-{k}", k + 1
        used.add(s)
        p["file"] = f"projekt-{s}.html"
        scores = [(h["started_at"], h["score"]) for h in p["history"] if h["score"] is not None]
        what = "WCAG-scoren" if lang == "da" else "The WCAG score"
        summary = chart_summary(scores, lang, what)
        p["chart"] = line_chart(scores, title=f"{t('wcag')}: {p['name']}", summary=summary, lang=lang,
                                chart_id=f"score-{s}")
        p["chart_summary"] = summary
        p["sparkline"] = sparkline([v for _, v in scores], summary)
        for k, site in enumerate(p["sites"]):
            points = [(h["started_at"], h["score"]) for h in site["history"] if h["score"] is not None]
            what_site = (f"Den gennemsnitlige score på {site['site']}" if lang == "da"
                         else f"The mean score on {site['site']}")
            site["summary"] = chart_summary(points, lang, what_site)
            site["chart"] = line_chart(points, title=f"{t('site_trend')}: {site['site']}", summary=site["summary"],
                                       lang=lang, chart_id=f"site-{s}-{k}")
        p["change_words"] = change_words(p, lang)
    common = dict(view=view, lang=lang, t=t, number=number, day=day, plural=plural, impacts=IMPACTS,
                  impact_names=IMPACT_NAMES, channel_names=CHANNEL_NAMES, criteria=CRITERIA,
                  criterion_title=criterion_title, band_names=BAND_NAMES,
                  estimate_label=ESTIMATE_LABEL[lang], bands=BANDS, model=MODEL, versions=versions or {})
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    pages = [("index.html", "dashboard_index.html.j2", {}), ("metode.html", "dashboard_method.html.j2", {})]
    pages += [(p["file"], "dashboard_project.html.j2", {"p": p}) for p in view["projects"]]
    for name, template, extra in pages:
        html = env.get_template(template).render(**common, **extra, page=name)
        tmp = out_dir / (name + ".tmp")
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out_dir / name)
        written.append(out_dir / name)
    data = {k: v for k, v in view.items()}
    data["projects"] = [{k: v for k, v in p.items() if k not in ("chart", "sparkline")} | {
        "sites": [{k: v for k, v in s.items() if k != "chart"} for s in p["sites"]]} for p in view["projects"]]
    (out_dir / "data.json").write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    written.append(out_dir / "data.json")
    return written
