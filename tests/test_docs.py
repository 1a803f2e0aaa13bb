"""The check tables of the docs are the registry's (scripts/gen_docs.py makes them)."""
import importlib.util

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
gen_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_docs)


def test_generated_tables_are_current():
    stale = [p.relative_to(ROOT).as_posix() for p, text in gen_docs.targets().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert stale == [], f"run .venv/bin/python scripts/gen_docs.py ({stale})"


def test_every_check_is_in_the_docs_and_every_family_documented():
    from checks import FAMILY_INFO, REGISTRY

    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert all(f"| {m.code} | {m.name} |" in text for m in REGISTRY)
    assert {m.family for m in REGISTRY} == set(FAMILY_INFO)
    for prefix, _module, _what in FAMILY_INFO.values():
        assert f"| {prefix if '–' in prefix else prefix + '…'} |" in text
