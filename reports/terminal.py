"""The terminal report (rich): a table of documents, then findings grouped by document and check."""
from __future__ import annotations

import os
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from core.model import CATEGORIES, IMPACTS, CheckResult, Document, Run, category_of, impact_rank
from core.scoring import is_plain
from reports.console import safe_console
from reports.i18n import t

MAX_FINDINGS_PER_CHECK = 5
IMPACT_STYLE = {"critical": "bold red", "serious": "red", "moderate": "yellow", "minor": "cyan"}


NARROW = 100        # at this width or less, the document column drops the documents' common prefix


def common_prefix(locations: list[str]) -> str:
    """The folder (or site) all the locations lie below, ending in "/"; "" when there is none worth
    dropping (a single document, or nothing in common)."""
    if len(locations) < 2:
        return ""
    prefix = os.path.commonprefix(locations)
    prefix = prefix[: prefix.rfind("/") + 1]
    return prefix if len(prefix) > 8 else ""


def fmt_score(score: float | None, lang: str = "en") -> str:
    """A score with one decimal, in the report's language: 96,9 in Danish, 96.9 in English."""
    s = "–" if score is None else f"{score:.1f}"
    return s.replace(".", ",") if lang == "da" else s


def failure_counts(doc: Document) -> dict[str, int]:
    """Failing elements by impact, WCAG checks only (plain-language findings are counted apart)."""
    counts = {imp: 0 for imp in IMPACTS}
    for res in doc.results:
        if is_plain(res):
            continue
        for f in res.failures:
            if f.impact in counts:
                counts[f.impact] += 1
    return counts


def _wcag(res: CheckResult, lang: str) -> str:
    """What a result is measured against: WCAG criteria, else its category."""
    cat = category_of(res.category)
    if res.wcag:
        return "WCAG " + ", ".join(res.wcag) + (f" ({res.level})" if res.level else "")
    if cat is None:
        return t("best_practice", lang)
    return CATEGORIES[cat].title[lang]


class TerminalReporter:
    name = "terminal"

    def __init__(self, console: Console | None = None) -> None:
        self.console = console

    def render(self, run: Run, out: TextIO | None = None, *, lang: str = "da") -> None:
        con = self.console or safe_console(file=out, soft_wrap=False)
        from checks import REGISTRY

        status = t(run.status, lang)
        con.print(f"[bold]{t('run', lang)} {escape(run.id)}[/] · {status} · "
                  f"{len(run.documents)} {t('documents', lang)} · axe-core {run.axe_version or '?'}"
                  + (f" · {escape(run.browser_version)}" if run.browser_version else ""))
        prefix = common_prefix([d.name for d in run.documents]) if con.width <= NARROW else ""
        if prefix:
            con.print(f"{t('paths_below', lang)} {escape(prefix)}", soft_wrap=True)

        def where(loc: str) -> str:
            return escape(loc[len(prefix):] if prefix and loc.startswith(prefix) else loc)

        table = Table(show_edge=False, pad_edge=False)
        table.add_column(t("document", lang), overflow="fold")
        table.add_column(t("score", lang), justify="right")
        for imp in IMPACTS:
            table.add_column(t(imp, lang), justify="right")
        table.add_column(t("needs_review", lang), justify="right")
        table.add_column(t("plain_short", lang), justify="right")
        table.add_column("LIX", justify="right")
        for doc in run.documents:
            if doc.status != "ok":
                label = f"[red]{t('error', lang)}[/]" if doc.status == "error" else t("not_audited", lang)
                table.add_row(where(doc.name), label, "", "", "", "", "", "", "")
                continue
            counts = failure_counts(doc)
            review = sum(len(r.needs_review) for r in doc.results)
            rd = doc.readability or {}
            lix = rd.get("lix")
            table.add_row(where(doc.name), fmt_score(doc.score, lang),
                          *[str(counts[i]) if counts[i] else "·" for i in IMPACTS],
                          str(review) if review else "·", fmt_score(doc.plain_score, lang),
                          "–" if lix is None else fmt_score(lix, lang).removesuffix(",0").removesuffix(".0"))
        con.print(table)

        for doc in run.documents:
            if doc.status == "error":
                con.print(f"[red]✗ {escape(doc.error or '')}[/]")
            elif doc.status == "skipped":
                con.print(f"[dim]– {escape(doc.name)}: {escape(doc.error or '')}[/]")
        if run.crawl:
            c = run.crawl
            skipped = ", ".join(f"{k} {v}" for k, v in c.get("skipped", {}).items())
            traps = ", ".join(c.get("trapped_patterns") or {})
            con.print(f"Crawl: {c.get('queued', 0)} pages queued, {c.get('duplicates', 0)} duplicates"
                      + (f"; not audited: {escape(skipped)}" if skipped else "")
                      + (f"; crawl traps: {escape(traps)}" if traps else ""))
        for doc in run.documents:
            failed = sorted((r for r in doc.results if r.failures or r.outcome == "error"),
                            key=lambda r: (-impact_rank(r.impact), r.code))
            if not failed:
                continue
            con.print(f"\n[bold underline]{escape(doc.name)}[/]")
            for res in failed:
                meta = REGISTRY.get(res.code)
                title = meta.text("title", lang) if meta else res.name
                style = IMPACT_STYLE.get(res.impact or "", "")
                con.print(f"  [{style}]{res.code} {escape(res.name)}[/] · {res.impact or ''} · "
                          f"{escape(_wcag(res, lang))}")
                con.print(f"    {escape(title)}")
                if res.outcome == "error":
                    con.print(f"    [red]{t('check_error', lang)}: {escape(res.error or '')}[/]")
                for f in res.failures[:MAX_FINDINGS_PER_CHECK]:
                    con.print(f"    [dim]→[/] {escape(f'»{f.excerpt}«' if f.excerpt is not None else f.target)}")
                    msg = (f.message.get(lang) or f.message.get("en") or "").strip()
                    for line in msg.splitlines():
                        con.print(f"      [dim]{escape(line)}[/]")
                    if f.suggestion:
                        sug = f.suggestion.get(lang) or f.suggestion.get("en") or ""
                        con.print(f"      [green]{t('suggestion', lang)}: {escape(sug)}[/]")
                extra = len(res.failures) - MAX_FINDINGS_PER_CHECK
                if extra > 0:
                    con.print(f"    … {extra} {t('more', lang)} {t('elements', lang)}")
        reviews = [(doc, r) for doc in run.documents for r in doc.results if r.needs_review]
        if reviews:
            con.print(f"\n[bold]{t('needs_review', lang)}[/]")
            for doc, r in reviews:
                con.print(f"  {escape(doc.name)}: {r.code} {escape(r.name)} "
                          f"({len(r.needs_review)} {t('elements', lang)})")
        con.print()
        if run.blocked_requests:
            con.print(f"{t('blocked', lang)}: {run.blocked_requests}")
        con.print(f"[bold]{t('run_score', lang)}: {fmt_score(run.score, lang)}[/]")
        if run.plain_score is not None:
            con.print(f"[bold]{t('run_plain_score', lang)}: {fmt_score(run.plain_score, lang)}[/]")
        for doc in run.documents:
            rd = doc.readability or {}
            if rd and not rd.get("assessed"):
                con.print(f"{escape(doc.location)}: {escape(rd.get('reason', ''))}")
