"""The HTML report of a run, for the strategy group and for the people fixing pages.

One self-contained file (inline CSS, screenshots as data: URIs, no JavaScript), printable, in
Danish (default) or English. Page text is untrusted: jinja2 autoescapes everything.

Sections: the run's WCAG and plain-language scores with their bands; every document with its
scores; failures grouped by WCAG principle → success criterion → check (with a link to the
Understanding page), each finding with its page, selector, HTML snippet, screenshot when one was
taken, what is wrong and how to fix it; the same failures by page; what needs review; and the
plain-language findings as marked spans in each page's text.
"""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Callable, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.model import Document, Run, TargetKind, impact_rank
from core.scoring import BAND_LABELS, is_plain, score_band
from core import wcag
from reports.i18n import t
from reports.text_report import _is_whole, readability_line, text_findings, text_paragraphs

TEMPLATES = Path(__file__).parent / "templates"
SCREENSHOT_MAX_BYTES = 200_000       # a larger file is left out of the report


def _score(score: float | None, lang: str) -> dict[str, Any]:
    band = score_band(score)
    return {"value": "–" if score is None else f"{score:.1f}", "band": band or "none",
            "label": BAND_LABELS[band][lang]}


class HtmlReporter:
    name = "html"

    def __init__(self, texts: Callable[[int], str | None] | None = None,
                 screenshot: Callable[[str, str], Path | None] | None = None) -> None:
        """``texts(i)``: the extracted text of document i, when stored (for the marked spans);
        ``screenshot(fingerprint, run_id)``: where the screenshot of a finding taken in that run
        is kept (it may not exist)."""
        self.texts = texts
        self.screenshot = screenshot

    def _image(self, fingerprint: str, run_id: str) -> str | None:
        if not self.screenshot or not fingerprint:
            return None
        path = self.screenshot(fingerprint, run_id)
        if path is None or not path.is_file() or path.stat().st_size > SCREENSHOT_MAX_BYTES:
            return None
        kind = "png" if path.suffix == ".png" else "jpeg"
        return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode()

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        from checks import REGISTRY

        def title_of(code: str) -> str:
            meta = REGISTRY.get(code)
            return meta.text("title", lang) if meta else code

        def why_of(code: str) -> str:
            meta = REGISTRY.get(code)
            return meta.text("description", lang) if meta else ""

        def msg(d: dict[str, str] | None) -> str:
            return ((d or {}).get(lang) or (d or {}).get("en") or "").strip()

        pages = []
        for i, doc in enumerate(run.documents):
            wcag_results = [r for r in doc.results if not is_plain(r)]
            pages.append({
                "i": i, "anchor": f"side-{i + 1}", "doc": doc, "location": doc.location,
                "score": _score(doc.score, lang), "plain": _score(doc.plain_score, lang),
                "failures": sum(len(r.failures) for r in wcag_results),
                "review": sum(len(r.needs_review) for r in wcag_results),
                "plain_findings": sum(len(r.failures) for r in doc.results if is_plain(r)),
                "readability": readability_line(doc, lang) if doc.readability else "",
            })

        # principle → criterion → check → findings (WCAG checks; best practices apart)
        groups: dict[str, dict[str, dict[str, list]]] = {}
        review: dict[str, list] = {}
        for page in pages:
            doc: Document = page["doc"]
            for res in doc.results:
                if is_plain(res):
                    continue
                for f in res.findings:
                    item = {"page": page, "res": res, "f": f, "message": msg(f.message),
                            "suggestion": msg(f.suggestion) if f.suggestion else None,
                            # a letter's finding points into a PDF, DOCX or MeMo structure, not at a CSS selector
                            "where": t("selector" if res.target_kind in (TargetKind.CSS, None) else "location", lang),
                            "image": self._image(f.fingerprint, doc.reused_from or run.id)
                            if f.outcome == "failed" else None}
                    if f.outcome == "cant_tell":
                        review.setdefault(res.code, []).append(item)
                        continue
                    sc = sorted(res.wcag, key=wcag.sc_key)[0] if res.wcag else ""
                    principle = sc.split(".")[0] if sc else "bp"
                    groups.setdefault(principle, {}).setdefault(sc, {}).setdefault(res.code, []).append(item)
        principles = []
        for p in sorted(groups, key=lambda k: (k == "bp", k)):
            criteria = []
            for sc in sorted(groups[p], key=lambda s: wcag.sc_key(s) if s else (99,)):
                checks = []
                for code in sorted(groups[p][sc]):
                    items = groups[p][sc][code]
                    items.sort(key=lambda it: (-impact_rank(it["f"].impact), it["page"]["i"], it["f"].target))
                    meta = REGISTRY.get(code)
                    checks.append({"code": code, "anchor": f"tjek-{code}", "title": title_of(code), "why": why_of(code),
                                   "name": meta.name if meta else code, "entries": items,
                                   "help_url": meta.help_url if meta else None,
                                   "help_lang": _url_lang(meta.help_url) if meta else "en",
                                   "pages": len({it["page"]["i"] for it in items})})
                crit = wcag.criterion(sc) if sc else None
                criteria.append({"sc": sc, "title": crit["title"] if crit else t("best_practice", lang),
                                 "level": crit["level"] if crit else None,
                                 "url": wcag.understanding_url(sc) if sc else None,
                                 "anchor": f"sc-{sc.replace('.', '-')}" if sc else "god-praksis",
                                 "checks": checks, "count": sum(len(c["entries"]) for c in checks)})
            name = wcag.principle(p + ".0", lang)[1] if p != "bp" else t("best_practice_long", lang)
            principles.append({"key": p, "name": name, "anchor": f"princip-{p}", "criteria": criteria,
                               "count": sum(c["count"] for c in criteria)})

        by_page = []
        for page in pages:
            doc = page["doc"]
            rows = [(r, len(r.failures)) for r in doc.results
                    if not is_plain(r) and r.failures]
            rows.sort(key=lambda x: (-impact_rank(x[0].impact), x[0].code))
            if rows:
                by_page.append({"page": page, "rows": [{"code": r.code, "title": title_of(r.code),
                                                        "impact": r.impact, "n": n} for r, n in rows]})

        plain = []
        for page in pages:
            doc = page["doc"]
            numbered = [(n, r, f) for n, r, f in text_findings(doc) if f.outcome == "failed"]
            if not numbered and not doc.readability:
                continue
            text = self.texts(page["i"]) if self.texts else None
            usable = text is not None and all(f.span[1] <= len(text) for _, _, f in numbered)
            plain.append({
                "page": page, "paragraphs": text_paragraphs(numbered, text) if usable else None,
                "findings": [{"n": n, "res": r, "f": f, "title": title_of(r.code), "message": msg(f.message),
                              "suggestion": msg(f.suggestion), "whole": usable and _is_whole(f, text)}
                             for n, r, f in numbered]})

        review_list = [{"code": code, "title": title_of(code), "entries": items}
                       for code, items in sorted(review.items())]
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                          trim_blocks=True, lstrip_blocks=True)
        out.write(env.get_template("run.html.j2").render(
            run=run, lang=lang, t=lambda k: t(k, lang), pages=pages, principles=principles, by_page=by_page,
            plain=plain, review=review_list, run_score=_score(run.score, lang),
            run_plain=_score(run.plain_score, lang), impact_label=lambda i: t(i, lang) if i else "–",
            errors=[p for p in pages if p["doc"].status != "ok"]))


def _url_lang(url: str | None) -> str:
    """The language of a help page: Danish on .dk hosts, else English (W3C, Deque, Microsoft, veraPDF)."""
    from urllib.parse import urlsplit

    host = urlsplit(url or "").hostname or ""
    return "da" if host.endswith(".dk") else "en"
