"""The Danish plain-language checks KL001–KL018 (checks/klarsprog/rules.py): what they share.

Each check's verdicts (failing texts with their exact findings, passing near misses, the known false
positives) are its cases in checks/cases/KL001.yml … KL018.yml, run by tests/test_check_cases.py.
Here: the checks' metadata, and the language gating every check goes through (klarsprog_check).
"""
from __future__ import annotations

import copy

import pytest

from audit.config import load_config
from audit.textextract import text_from_plain
from checks import REGISTRY
from checks.registry import evaluate_all
from core.model import Category, Impact, TargetKind
from core.wcag import understanding_url

KL_CODES = [f"KL{i:03d}" for i in range(1, 19)]
DA, BOTH, EN = ("da",), ("da", "en"), ("en",)
# code: name, impact, the languages it assesses, the WCAG criterion it relates to (guidance only)
KL_TABLE = {
    "KL001": ("lix", Impact.SERIOUS, DA, "3.1.5"),
    "KL002": ("sentence-length-average", Impact.MODERATE, BOTH, "3.1.5"),
    "KL003": ("long-sentence", Impact.MODERATE, BOTH, "3.1.5"),
    "KL004": ("long-paragraph", Impact.MINOR, BOTH, "3.1.5"),
    "KL005": ("long-compound", Impact.MINOR, DA, "3.1.5"),
    "KL006": ("s-passive", Impact.MINOR, DA, "3.1.5"),
    "KL007": ("blive-passive", Impact.MINOR, DA, "3.1.5"),
    "KL008": ("nominalisations", Impact.MINOR, DA, "3.1.5"),
    "KL009": ("formal-address", Impact.MODERATE, DA, "3.1.5"),
    "KL010": ("impersonal-man", Impact.MINOR, DA, "3.1.5"),
    "KL011": ("unexplained-abbreviation", Impact.MODERATE, DA, "3.1.4"),
    "KL012": ("medical-jargon", Impact.MODERATE, DA, "3.1.3"),
    "KL013": ("bureaucratic-word", Impact.MINOR, DA, "3.1.3"),
    "KL014": ("time-format", Impact.MINOR, DA, "3.1.5"),
    "KL015": ("ambiguous-date", Impact.MODERATE, DA, "3.1.5"),
    "KL016": ("weekday-date-mismatch", Impact.SERIOUS, DA, "3.1.5"),
    "KL017": ("generic-link-text", Impact.MODERATE, BOTH, "2.4.9"),
    "KL018": ("english-readability", Impact.SERIOUS, EN, "3.1.5"),
}


@pytest.fixture(scope="module")
def base_config(tmp_path_factory):
    # an empty folder: the built-in defaults only, no project config file
    return load_config(cwd=tmp_path_factory.mktemp("klarsprog-config"))


def test_all_eighteen_checks_are_registered():
    assert [m.code for m in REGISTRY if m.family == "klarsprog"] == KL_CODES == list(KL_TABLE)
    for code in KL_CODES:
        meta = REGISTRY.get(code)
        assert meta is not None and meta.family == "klarsprog", code
        assert meta.title["da"] and meta.title["en"]
        assert meta.description["da"] and meta.description["en"]


@pytest.mark.parametrize("code", KL_CODES)
def test_metadata(code):
    name, impact, languages, related = KL_TABLE[code]
    meta = REGISTRY.get(code)
    assert (meta.name, meta.impact, meta.category, meta.target) == (name, impact, Category.PLAIN_LANGUAGE,
                                                                     TargetKind.TEXT)
    assert meta.tags == ("klarsprog", *(f"lang-{lang}" for lang in languages))
    assert meta.applies_to == ("page", "letter", "text") and meta.requires == ("text",)
    # guidance only: no WCAG criterion of its own, and so no level
    assert (meta.wcag, meta.level, meta.wcag_version) == ((), None, None)
    assert meta.related_wcag == (related,)
    assert meta.help_url == understanding_url(related) and meta.help_url.startswith("https://")


# -- languages: the gating every check goes through -------------------------------------------------

def test_other_languages_are_not_assessed(base_config):
    art = {"text": text_from_plain("Sie werden am Montag um 10:30 Uhr einbestellt. Man muss nüchtern sein.",
                                   "de")}
    assert evaluate_all([REGISTRY.get(code) for code in KL_CODES], art, copy.deepcopy(base_config)) == []


def test_empty_text_is_inapplicable(base_config):
    art = {"text": text_from_plain("", "da")}
    results = evaluate_all([REGISTRY.get(code) for code in KL_CODES], art, copy.deepcopy(base_config))
    assert [r.code for r in results] == KL_CODES
    assert {r.outcome for r in results} == {"inapplicable"}
