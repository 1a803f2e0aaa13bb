import asyncio
import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from checks import REGISTRY
from checks.axe_checks import format_target
from checks.registry import CheckMeta, Registry
from core.axe import axe_data, danish_locale, wcag_from_tags
from core.model import Category


def test_every_axe_rule_has_a_unique_stable_code():
    rules = axe_data()["rules"]
    codes = [r["code"] for r in rules]
    assert len(codes) == len(set(codes)) == 105
    assert all(re.fullmatch(r"KA\d{3}", c) for c in codes)
    # Codes never change once given: a few pinned here.
    assert REGISTRY.get("image-alt").code == "KA057"
    assert REGISTRY.get("color-contrast").code == "KA034"
    assert REGISTRY.get("label").code == "KA061"
    assert REGISTRY.get("KA057").name == "image-alt"
    assert REGISTRY.get("IMAGE-ALT").code == "KA057"   # lookups ignore case


def test_engine_data_and_locale_are_the_same_axe_core_version():
    engine = re.search(r"axe v(\d+\.\d+\.\d+)", AXE_SCRIPT[:200]).group(1)
    assert engine == axe_data()["axe_version"] == "4.12.1"
    vendored = (REGISTRY.get("image-alt").title["da"])
    assert vendored == danish_locale()["rules"]["image-alt"]["help"] == "Billeder skal have en alternativ tekst"


def test_registry_matches_the_rules_of_the_shipped_engine(browser_page):
    rules = asyncio.run(browser_page("axe.getRules().map(r => r.ruleId)"))
    assert sorted(rules) == sorted(r["id"] for r in axe_data()["rules"] if not r.get("removed"))


def test_wcag_tags_become_success_criteria_level_and_version():
    assert wcag_from_tags(["cat.color", "wcag2aa", "wcag143", "EN-9.1.4.3"]) == (("1.4.3",), "AA", "2.0")
    assert wcag_from_tags(["wcag21aa", "wcag1412"]) == (("1.4.12",), "AA", "2.1")
    assert wcag_from_tags(["wcag22aa", "wcag258"]) == (("2.5.8",), "AA", "2.2")
    assert wcag_from_tags(["best-practice", "cat.keyboard"]) == ((), None, None)


def test_selection_by_level_version_and_best_practice():
    names = lambda cfg: {m.name for m in REGISTRY.select(cfg)}  # noqa: E731
    aa22 = names({"level": "AA", "wcag_version": "2.2"})
    assert {"image-alt", "color-contrast", "target-size", "label"} <= aa22
    assert "color-contrast-enhanced" not in aa22            # AAA
    assert "heading-order" not in aa22                      # best practice
    assert "duplicate-id" not in aa22                       # 4.1.1, obsolete in WCAG 2.2
    assert "p-as-heading" not in aa22                       # experimental
    a = names({"level": "A", "wcag_version": "2.2"})
    assert "image-alt" in a and "color-contrast" not in a
    aa21 = names({"level": "AA", "wcag_version": "2.1"})
    assert "duplicate-id" in aa21 and "target-size" not in aa21
    assert "heading-order" in names({"level": "AA", "best_practices": True})
    assert "color-contrast-enhanced" in names({"level": "AAA"})


def test_registry_refuses_duplicate_keys():
    reg = Registry()
    meta = CheckMeta(code="KX001", name="x", family="test", category=Category.WCAG, title={"en": "X"},
                     description={"en": ""}, impact="minor")
    reg.register(meta)
    with pytest.raises(ValueError):
        reg.register(CheckMeta(code="KX002", name="x", family="test", category=Category.WCAG, title={"en": "Y"},
                               description={"en": ""}, impact="minor"))


def test_every_check_reads_in_danish_and_in_english():
    metas = list(REGISTRY)
    assert all(m.title["en"] and m.title["da"] and m.description["en"] and m.description["da"] for m in metas)
    # axe-core 4.12.1's own Danish locale titles 81 of its 105 rules; klartjek's checks/data/axe-da.json the rest,
    # and every rule's description (the locale has none)
    locale = danish_locale()["rules"]
    axe = [m for m in metas if m.family == "axe"]
    assert sum(1 for m in axe if (locale.get(m.name) or {}).get("help")) == 81
    assert all(m.title["da"] == locale[m.name]["help"] for m in axe if (locale.get(m.name) or {}).get("help"))
    assert REGISTRY.get("target-size").title["da"] == ("Alle trykflader skal være mindst 24 px store eller have "
                                                      "plads nok omkring sig")


def test_target_formatting_for_frames_and_shadow_dom():
    assert format_target(["#main img"]) == "#main img"
    assert format_target(["iframe", "img"]) == "iframe >>> img"
    assert format_target([["my-el", "button"]]) == "my-el >> button"


def test_checks_select_and_ignore_by_code_name_family_and_tag():
    from audit.config import load_config
    from core.errors import UsageError
    from checks import REGISTRY

    cfg = load_config(overrides={"checks": {"select": ["wcag111", "klarsprog"], "ignore": ["KL001", "area-alt"]}})
    codes = [m.code for m in REGISTRY.select(cfg)]
    assert "KA057" in codes and "KL002" in codes                  # image-alt (wcag111), a plain-language check
    assert "KL001" not in codes and REGISTRY.get("area-alt").code not in codes
    assert all(m.family == "klarsprog" or "wcag111" in m.tags for m in REGISTRY.select(cfg))
    with pytest.raises(UsageError, match="'checks.select' names no check, family, category or tag: 'nope'"):
        load_config(overrides={"checks": {"select": ["nope"]}})
