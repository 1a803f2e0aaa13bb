"""Reporters: one small protocol, one module per format.

A reporter renders a stored or fresh Run; it never talks to the browser or the store, so any
stored run can be re-reported (`klartjek report RUN_ID --format F`).
"""
from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Protocol, TextIO

from core.files import write_atomic
from core.model import Run
from core.safe_text import json_safe, markup_safe, printable

# how each format is made safe for standard output without changing what it says
STDOUT_SAFE = {"json": json_safe, "sarif": json_safe, "codequality": json_safe, "junit": markup_safe,
               "html": markup_safe}

# the file a format is written to when `--report FORMAT` gives no path
DEFAULT_FILES = {"json": "klartjek.json", "sarif": "klartjek.sarif", "junit": "klartjek-junit.xml",
                 "codequality": "gl-code-quality-report.json",
                 "csv": "klartjek.csv", "markdown": "klartjek.md", "html": "klartjek.html",
                 "terminal": "klartjek.txt"}


class Reporter(Protocol):
    name: str            # the format's name on the command line, e.g. "json"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        """Write the report of ``run`` to ``out``."""


def reporters() -> dict[str, Reporter]:
    from reports.codequality import CodeQualityReporter
    from reports.csv_report import CsvReporter
    from reports.html_report import HtmlReporter
    from reports.json_report import JsonReporter
    from reports.junit import JunitReporter
    from reports.markdown import MarkdownReporter
    from reports.sarif import SarifReporter
    from reports.terminal import TerminalReporter

    return {r.name: r for r in (TerminalReporter(), JsonReporter(), HtmlReporter(), JunitReporter(),
                                SarifReporter(), CodeQualityReporter(), CsvReporter(), MarkdownReporter())}


def parse_spec(spec: str) -> tuple[str, Path | None]:
    """"sarif:out/k.sarif" → ("sarif", Path("out/k.sarif")); "sarif" → ("sarif", Path("klartjek.sarif"));
    ValueError naming the formats when the format is unknown."""
    fmt, sep, path = spec.partition(":")
    fmt = fmt.strip().lower()
    if fmt not in DEFAULT_FILES:
        raise ValueError(f"report format {fmt!r} is unknown; choose one of {', '.join(sorted(DEFAULT_FILES))}")
    if sep and path == "-":
        return fmt, None
    return fmt, Path(path) if sep and path else Path(DEFAULT_FILES[fmt])


def html_reporter_for(run: Run, store=None):
    """The HTML reporter, given the page texts stored with the run (for the marked spans)."""
    from reports.html_report import HtmlReporter

    if store is None:
        return HtmlReporter()
    cache: list = []

    def texts(i: int) -> str | None:
        if not cache:
            cache.append(store.load_artifacts(run.id))
        arts = cache[0]
        art = arts[i] if i < len(arts) else None
        return ((art or {}).get("text") or {}).get("text")

    def screenshot(fingerprint: str, run_id: str) -> Path:
        return Path(store.files_dir) / run_id / f"{fingerprint}.jpg"

    return HtmlReporter(texts=texts, screenshot=screenshot)


def write_report(run: Run, fmt: str, path: Path | None, lang: str = "da", store=None) -> None:
    """Render ``run`` as ``fmt`` to ``path`` (written whole, then moved into place), or to
    standard output when ``path`` is None. ``store``: the history store the run is in, for what
    a format shows beyond the run itself (the page texts in the HTML report)."""
    reporter = html_reporter_for(run, store) if fmt == "html" else reporters()[fmt]
    buf = io.StringIO()
    reporter.render(run, buf, lang=lang)
    if path is None:         # to a terminal, perhaps: no control character of a page gets there
        sys.stdout.write(STDOUT_SAFE.get(fmt, printable)(buf.getvalue()))
        return
    write_atomic(path, buf.getvalue().encode("utf-8"))
