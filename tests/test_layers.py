"""The floors of klartjek, as a test over every import (module level and inside functions alike).

    floor 4  cli.py                 wires everything
             workbench/             the editors' web page (`klartjek serve`): a top floor beside cli,
                                    which alone imports it
    floor 3  reports/               the run model (core) and check metadata through the registry (checks)
    floor 2  audit/                 orchestration; may use checks through the registry (the checks package)
                                    — and its gathering modules import no check module at all
    floor 1  checks/                one module per family; metadata and pure functions
    floor 0  core/                  the ground: imports nothing of klartjek above it
docs/architecture.md explains them.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "checks", "audit", "reports", "workbench")
# gathering: what touches the browser, the network and files; it produces artifacts and judges nothing
GATHERING = ("audit.gather", "audit.browser", "audit.crawl", "audit.fetch", "audit.targets",
             "audit.textextract", "audit.letters", "audit.incremental", "audit.aio", "audit.isolate", "audit.probes",
             "audit.journeys", "audit.journeyfile")
# what orchestration may use of the checks: the registry, through the checks package
CHECKS_FACADE = ("checks", "checks.registry")
FACADE_USERS = ("audit", "reports", "workbench")


def modules() -> dict[str, Path]:
    out = {"cli": ROOT / "cli.py"}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, name: str) -> set[str]:
    """Every klartjek module ``path`` imports, wherever in the file."""
    found = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                base = ".".join(up[: len(up) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    mods = modules()
    return {m for m in found if m in mods and m != name}


def floor(mod: str) -> str:
    return mod.split(".")[0]


def within(mod: str, prefixes) -> bool:
    return any(mod == p or mod.startswith(p + ".") for p in prefixes)


def test_the_floors_hold():
    allowed = {"core": {"core"}, "checks": {"core", "checks"}, "audit": {"core", "audit", "checks"},
               "reports": {"core", "reports", "checks"}, "cli": {"core", "audit", "checks", "reports", "workbench"},
               "workbench": {"core", "audit", "checks", "reports", "workbench"}}
    broken = []
    for name, path in modules().items():
        for imp in imports_of(path, name):
            if floor(imp) not in allowed[floor(name)]:
                broken.append(f"{name} imports {imp}")
            elif floor(name) in FACADE_USERS and floor(imp) == "checks" and imp not in CHECKS_FACADE:
                broken.append(f"{name} imports {imp}: use the registry (the checks package)")
            elif within(name, GATHERING) and floor(imp) == "checks":
                broken.append(f"{name} (gathering) imports {imp}: gathering judges nothing")
    assert broken == []


def test_the_test_sees_the_imports_it_judges():
    found = imports_of(ROOT / "audit" / "checking.py", "audit.checking")
    assert {"checks", "core.model", "audit.config"} <= found
    assert "cli" not in {i for m, p in modules().items() for i in imports_of(p, m)}
    assert {m for m, p in modules().items() if floor(m) != "workbench"
            and any(floor(i) == "workbench" for i in imports_of(p, m))} == {"cli"}
