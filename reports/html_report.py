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

from core.model import CATEGORIES, Category, Document, Run, TargetKind, category_of, impact_rank
from core.scoring import BAND_LABELS, is_plain, score_band
from core import wcag
from reports.i18n import t
from reports.terminal import fmt_score
from reports.text_report import _is_whole, readability_line, text_findings, text_paragraphs

TEMPLATES = Path(__file__).parent / "templates"
SCREENSHOT_MAX_BYTES = 200_000       # a larger file is left out of the report


def _score(score: float | None, lang: str) -> dict[str, Any]:
    band = score_band(score)
    return {"value": fmt_score(score, lang), "band": band or "none",
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
        view = _View(self, run, lang)
        pages = view.pages()
        sections, review = view.sections(pages)
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                          trim_blocks=True, lstrip_blocks=True)
        out.write(env.get_template("run.html.j2").render(
            run=run, lang=lang, t=lambda k: t(k, lang), pages=pages, principles=sections, by_page=view.by_page(pages),
            plain=view.plain(pages), review=review, run_score=_score(run.score, lang),
            run_plain=_score(run.plain_score, lang), impact_label=lambda i: t(i, lang) if i else "–",
            errors=[p for p in pages if p["doc"].status != "ok"], journeys=view.journeys(pages)))


class _View:
    """The report's view model, section by section, from the run (and the registry's texts)."""

    def __init__(self, reporter: HtmlReporter, run: Run, lang: str) -> None:
        from checks import REGISTRY

        self.reporter, self.run, self.lang, self.registry = reporter, run, lang, REGISTRY

    def title_of(self, code: str) -> str:
        meta = self.registry.get(code)
        return meta.text("title", self.lang) if meta else code

    def why_of(self, code: str) -> str:
        meta = self.registry.get(code)
        return meta.text("description", self.lang) if meta else ""

    def msg(self, d: dict[str, str] | None) -> str:
        return ((d or {}).get(self.lang) or (d or {}).get("en") or "").strip()

    def pages(self) -> list[dict[str, Any]]:
        """Every document with its scores and counts."""
        out = []
        for i, doc in enumerate(self.run.documents):
            wcag_results = [r for r in doc.results if not is_plain(r)]
            out.append({
                "i": i, "anchor": f"side-{i + 1}", "doc": doc, "location": doc.name,
                "score": _score(doc.score, self.lang), "plain": _score(doc.plain_score, self.lang),
                "failures": sum(len(r.failures) for r in wcag_results),
                "review": sum(len(r.needs_review) for r in wcag_results),
                "plain_findings": sum(len(r.failures) for r in doc.results if is_plain(r)),
                "readability": readability_line(doc, self.lang) if doc.readability else "",
            })
        return out

    def journeys(self, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The journeys of the run, each a sequence of its audited states (with a screenshot of each)."""
        out: dict[str, dict[str, Any]] = {}
        for p in pages:
            j = p["doc"].journey
            if not j:
                continue
            entry = out.setdefault(j["name"], {"name": j["name"], "file": j.get("file"), "states": []})
            entry["states"].append({"page": p, "state": j["state"], "step": j.get("step"), "line": j.get("line"),
                                    "image": self.reporter._image((j.get("screenshot") or "").removesuffix(".jpg"),
                                                                  self.run.id) if j.get("screenshot") else None})
        return list(out.values())

    def _item(self, page: dict[str, Any], res, f) -> dict[str, Any]:
        doc: Document = page["doc"]
        return {"page": page, "res": res, "f": f, "message": self.msg(f.message),
                "suggestion": self.msg(f.suggestion) if f.suggestion else None,
                # a letter's finding points into a PDF, DOCX or MeMo structure, not at a CSS selector
                "where": t("selector" if res.target_kind in (TargetKind.CSS, None) else "location", self.lang),
                "image": self.reporter._image(f.fingerprint, doc.reused_from or self.run.id)
                if f.outcome == "failed" else None}

    def sections(self, pages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Failures of the checks outside the plain-language score: by WCAG principle → success
        criterion → check; checks without a criterion by their category (best practice, Digital
        Post, content quality) after the principles. And what needs review, by check."""
        groups: dict[str, dict[str, dict[str, list]]] = {}
        review: dict[str, list] = {}
        for page in pages:
            for res in page["doc"].results:
                if is_plain(res):
                    continue
                for f in res.findings:
                    item = self._item(page, res, f)
                    if f.outcome == "cant_tell":
                        review.setdefault(res.code, []).append(item)
                        continue
                    sc = sorted(res.wcag, key=wcag.sc_key)[0] if res.wcag else ""
                    key = sc.split(".")[0] if sc else (category_of(res.category) or Category.BEST_PRACTICE).value
                    groups.setdefault(key, {}).setdefault(sc, {}).setdefault(res.code, []).append(item)
        order = [c.value for c in Category]
        sections = [self._section(key, groups[key])
                    for key in sorted(groups, key=lambda k: (not k.isdigit(), k if k.isdigit() else order.index(k)))]
        review_list = [{"code": code, "title": self.title_of(code), "entries": items}
                       for code, items in sorted(review.items())]
        return sections, review_list

    def _section(self, key: str, by_sc: dict[str, dict[str, list]]) -> dict[str, Any]:
        criteria = []
        for sc in sorted(by_sc, key=lambda s: wcag.sc_key(s) if s else (99,)):
            checks = []
            for code in sorted(by_sc[sc]):
                items = by_sc[sc][code]
                items.sort(key=lambda it: (-impact_rank(it["f"].impact), it["page"]["i"], it["f"].target))
                meta = self.registry.get(code)
                checks.append({"code": code, "anchor": f"tjek-{code}", "title": self.title_of(code),
                               "why": self.why_of(code), "name": meta.name if meta else code, "entries": items,
                               "help_url": meta.help_url if meta else None,
                               "help_lang": _url_lang(meta.help_url) if meta else "en",
                               "pages": len({it["page"]["i"] for it in items})})
            crit = wcag.criterion(sc) if sc else None
            criteria.append({"sc": sc, "title": crit["title"] if crit else self._category_title(key),
                             "level": crit["level"] if crit else None,
                             "url": wcag.understanding_url(sc) if sc else None,
                             "anchor": f"sc-{sc.replace('.', '-')}" if sc else f"kategori-{key}",
                             "checks": checks, "count": sum(len(c["entries"]) for c in checks)})
        name = wcag.principle(key + ".0", self.lang)[1] if key.isdigit() else self._category_title(key)
        return {"key": key, "numbered": key.isdigit(), "name": name, "anchor": f"princip-{key}",
                "criteria": criteria, "count": sum(c["count"] for c in criteria)}

    def _category_title(self, key: str) -> str:
        if key == Category.BEST_PRACTICE.value:
            return t("best_practice_long", self.lang)
        return CATEGORIES[Category(key)].title[self.lang]

    def by_page(self, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for page in pages:
            rows = [(r, len(r.failures)) for r in page["doc"].results if not is_plain(r) and r.failures]
            rows.sort(key=lambda x: (-impact_rank(x[0].impact), x[0].code))
            if rows:
                out.append({"page": page, "rows": [{"code": r.code, "title": self.title_of(r.code),
                                                    "impact": r.impact, "n": n} for r, n in rows]})
        return out

    def plain(self, pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each document's plain-language findings, marked in its text where the text is stored."""
        out = []
        texts = self.reporter.texts
        for page in pages:
            doc = page["doc"]
            numbered = [(n, r, f) for n, r, f in text_findings(doc) if f.outcome == "failed"]
            if not numbered and not doc.readability:
                continue
            text = texts(page["i"]) if texts else None
            usable = text is not None and all(f.span[1] <= len(text) for _, _, f in numbered)
            out.append({
                "page": page, "paragraphs": text_paragraphs(numbered, text) if usable else None,
                "findings": [{"n": n, "res": r, "f": f, "title": self.title_of(r.code), "message": self.msg(f.message),
                              "suggestion": self.msg(f.suggestion), "whole": usable and _is_whole(f, text)}
                             for n, r, f in numbered]})
        return out


def _url_lang(url: str | None) -> str:
    """The language of a help page: Danish on .dk hosts, else English (W3C, Deque, Microsoft, veraPDF)."""
    from urllib.parse import urlsplit

    host = urlsplit(url or "").hostname or ""
    return "da" if host.endswith(".dk") else "en"
