"""GitLab Code Quality (a subset of Code Climate's format): GitLab reads this, not SARIF, and shows
the findings in a merge request's widget and diff (``artifacts: reports: codequality``).

One issue per failed finding: its check as check_name, the message, a severity from the impact,
the location (a file relative to the repository root, as SARIF has it, or the page's URL) and the
finding's fingerprint, which stays the same between runs. Findings that need review are left out:
they are no defects until a person judged them.
"""
from __future__ import annotations

from typing import Any, TextIO

from core.model import Run
from core.scoring import is_plain
from reports.json_report import dumps
from reports.sarif import artifact_location

SEVERITY = {"critical": "critical", "serious": "major", "moderate": "minor", "minor": "info"}


def issues(run: Run, lang: str = "da") -> list[dict[str, Any]]:
    out = []
    for doc in run.documents:
        if doc.status != "ok":
            continue
        where = artifact_location(doc, run.workdir)["uri"]
        for res in doc.results:
            for f in res.failures:
                msg = " ".join((f.message.get(lang) or f.message.get("en") or res.name).split())
                place = f"»{f.excerpt}«" if f.excerpt is not None else f.target
                out.append({"type": "issue", "check_name": f"{res.code} {res.name}",
                            "description": f"{msg} ({place})" if place else msg,
                            "categories": ["Style"] if is_plain(res) else ["Compatibility"],
                            "severity": SEVERITY.get(f.impact or res.impact or "", "info"),
                            "fingerprint": f.fingerprint or f"{res.code}:{where}:{place}",
                            "location": {"path": where, "lines": {"begin": 1}}})
    return out


class CodeQualityReporter:
    name = "codequality"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        out.write(dumps(issues(run, lang)))
        out.write("\n")
