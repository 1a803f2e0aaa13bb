"""Reporters: one small protocol, one module per format.

A reporter renders a stored or fresh Run; it never talks to the browser or the store, so any
stored run can be re-reported.
"""
from __future__ import annotations

from typing import Protocol, TextIO

from audit.model import Run


class Reporter(Protocol):
    name: str            # the format's name on the command line, e.g. "json"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        """Write the report of ``run`` to ``out``."""


def reporters() -> dict[str, Reporter]:
    from reports.json_report import JsonReporter
    from reports.terminal import TerminalReporter

    return {r.name: r for r in (JsonReporter(), TerminalReporter())}
