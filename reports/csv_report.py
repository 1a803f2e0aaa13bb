"""CSV: one row per finding (failed or needs review), for spreadsheets and dashboards.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
get a leading apostrophe: page text is untrusted.
"""
from __future__ import annotations

import csv
from typing import TextIO

from core.model import Run

COLUMNS = ("run", "document", "kind", "status", "code", "name", "outcome", "impact", "wcag", "level",
           "target", "excerpt", "span_start", "span_end", "message", "suggestion", "fingerprint")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class CsvReporter:
    name = "csv"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS)
        for doc in run.documents:
            if doc.status != "ok":
                w.writerow([safe(v) for v in (run.id, doc.location, doc.kind, doc.status, "", "", "", "", "", "",
                                              "", "", "", "", doc.error, "", "")])
                continue
            for res in doc.results:
                for f in res.findings:
                    span = f.span or [None, None]
                    msg = f.message.get(lang) or f.message.get("en") or ""
                    sug = (f.suggestion or {}).get(lang) or (f.suggestion or {}).get("en") or ""
                    w.writerow([safe(v) for v in (
                        run.id, doc.location, doc.kind, doc.status, res.code, res.name, f.outcome,
                        f.impact or res.impact, " ".join(res.wcag), res.level, f.target, f.excerpt,
                        span[0], span[1], " ".join(msg.split()), sug, f.fingerprint)])
