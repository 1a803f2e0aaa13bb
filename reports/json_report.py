"""The JSON report: the Run as described by reports/schema/run.schema.json (versioned)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from audit.model import Run

SCHEMA_FILE = Path(__file__).parent / "schema" / "run.schema.json"


class JsonReporter:
    name = "json"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        json.dump(run.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")


def write_json(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        JsonReporter().render(run, fh)
    tmp.replace(path)
