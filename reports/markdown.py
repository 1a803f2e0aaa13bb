"""A Markdown summary: for a pull-request comment or a CI step summary ($GITHUB_STEP_SUMMARY).

Scores, a table per document, and the checks that failed most, with links to why they matter.
Page text is untrusted: every cell is escaped (HTML, Markdown table and emphasis characters).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import TextIO

from core.model import IMPACTS, Run
from core.scoring import is_plain
from reports.i18n import t
from reports.terminal import failure_counts, fmt_score
from core.wcag import help_url

MAX_ROWS = 50
_MD = re.compile(r"([\\`*_\[\]|~])")


def md(text) -> str:
    s = "" if text is None else " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD.sub(r"\\\1", s)


class MarkdownReporter:
    name = "markdown"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        from checks import REGISTRY

        w = out.write
        w(f"## klartjek · {t('run', lang)} `{run.id}` · {t(run.status, lang)}\n\n")
        w(f"**{t('run_score', lang)}: {fmt_score(run.score, lang)}** · "
          f"**{t('run_plain_score', lang)}: {fmt_score(run.plain_score, lang)}** · "
          f"{len(run.documents)} {t('documents', lang)}\n\n")
        w(f"| {t('document', lang)} | {t('score', lang)} | "
          + " | ".join(t(i, lang) for i in IMPACTS)
          + f" | {t('needs_review', lang)} | {t('plain_short', lang)} |\n")
        w("|---|---:|" + "---:|" * len(IMPACTS) + "---:|---:|\n")
        docs = sorted(run.documents, key=lambda d: (d.status == "ok", d.score if d.score is not None else 101))
        for doc in docs[:MAX_ROWS]:
            if doc.status != "ok":
                label = t("error", lang) if doc.status == "error" else t("not_audited", lang)
                w(f"| {md(doc.name)} | {label}: {md(doc.error)} |" + " |" * (len(IMPACTS) + 2) + "\n")
                continue
            counts = failure_counts(doc)
            review = sum(len(r.needs_review) for r in doc.results if not is_plain(r))
            name = md(doc.name) + (f" · {md(doc.title)}" if doc.title else "")
            w(f"| {name} | {fmt_score(doc.score, lang)} | "
              + " | ".join(str(counts[i]) for i in IMPACTS)
              + f" | {review} | {fmt_score(doc.plain_score, lang)} |\n")
        if len(docs) > MAX_ROWS:
            w(f"\n… {len(docs) - MAX_ROWS} {t('more', lang)} {t('documents', lang)}\n")
        failing: Counter = Counter()
        pages: dict[str, set[str]] = {}
        plain: set[str] = set()
        for doc in run.documents:
            for res in doc.results:
                if res.failures:
                    failing[res.code] += len(res.failures)
                    pages.setdefault(res.code, set()).add(doc.location)
                    if is_plain(res):
                        plain.add(res.code)
        if failing:
            w(f"\n### {t('failures', lang)}\n\n| {t('check', lang)} | {t('elements', lang)} | "
              f"{t('documents', lang)} |\n|---|---:|---:|\n")
            ranked = sorted(failing.items(), key=lambda kv: (kv[0] in plain, -kv[1], kv[0]))
            for code, n in ranked[:MAX_ROWS]:     # WCAG checks first, then plain language
                meta = REGISTRY.get(code)
                title = meta.text("title", lang) if meta else code
                url = help_url(meta.wcag, meta.help_url) if meta else None
                name = f"[{md(title)}]({url})" if url else md(title)
                w(f"| `{code}` {name} | {n} | {len(pages[code])} |\n")
        else:
            w(f"\n{t('no_failures', lang)}\n")
