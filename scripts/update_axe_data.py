#!/usr/bin/env python3
"""Regenerate core/data/axe_rules.json and the vendored locale from an axe-core npm package.

Maintainer tool, not run by CI. Usage:

    npm pack axe-core@X.Y.Z && tar xzf axe-core-X.Y.Z.tgz
    python scripts/update_axe_data.py package/

Codes are append-only: a rule keeps its KA code forever; a new rule gets the next free number;
a rule axe-core removed keeps its entry, marked "removed": true, so old runs still resolve.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "checks" / "data" / "axe_rules.json"
VENDOR = ROOT / "checks" / "data" / "axe-core"

NODE_SNIPPET = r"""
const axe = require(process.argv[1] + '/axe.js');
const byId = Object.fromEntries(axe._audit.rules.map(r => [r.id, r]));
const rules = axe.getRules().map(r => ({
  id: r.ruleId, description: r.description, help: r.help,
  helpUrl: r.helpUrl.split('?')[0], tags: r.tags, enabled: r.enabled !== false,
  impact: byId[r.ruleId].impact || null,
}));
console.log(JSON.stringify({version: axe.version, rules}));
"""


def main(pkg: Path) -> None:
    pkg = pkg.resolve()
    raw = subprocess.run(["node", "-e", NODE_SNIPPET, str(pkg)], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(raw)
    da = json.loads((pkg / "locales" / "da.json").read_text(encoding="utf-8"))
    old = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {"rules": []}
    codes = {r["id"]: r["code"] for r in old["rules"]}
    next_no = max([int(c[2:]) for c in codes.values()] or [0]) + 1
    rules = []
    for r in sorted(data["rules"], key=lambda r: r["id"]):
        if r["id"] not in codes:
            codes[r["id"]] = f"KA{next_no:03d}"
            next_no += 1
        loc = da["rules"].get(r["id"], {})
        rules.append({
            "id": r["id"], "code": codes[r["id"]], "impact": r["impact"], "tags": r["tags"],
            "enabled_by_default": r["enabled"], "help_url": r["helpUrl"],
            "title": {"en": r["help"], "da": loc.get("help") or None},
            "description": {"en": r["description"], "da": loc.get("description") or None},
        })
    present = {r["id"] for r in rules}
    for r in old["rules"]:
        if r["id"] not in present:
            rules.append({**r, "removed": True})
    rules.sort(key=lambda r: r["code"])
    OUT.write_text(json.dumps({"axe_version": data["version"], "rules": rules},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    shutil.copy(pkg / "locales" / "da.json", VENDOR / "da.json")
    shutil.copy(pkg / "LICENSE", VENDOR / "LICENSE")
    readme = VENDOR / "README.md"
    readme.write_text(re.sub(r"\d+\.\d+\.\d+", data["version"], readme.read_text()), encoding="utf-8")
    print(f"axe-core {data['version']}: {len(rules)} rules written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
