"""Adding a check is one function and one case file: a check registered here, in a test, appears in
every reporter, counts in its category's score and in JUnit's test case for its category, without
any other file knowing it (docs/adding-a-check.md)."""
from __future__ import annotations

import io
import json

import pytest

from audit.checking import check_document
from audit.config import defaults
from audit.textextract import text_artifact
from checks import REGISTRY
from checks.common import finding
from checks.registry import check
from core.model import Category, Document, Impact, Run, TargetKind
from reports import reporters


@pytest.fixture
def throwaway():
    @check(code="KZ901", name="no-zebra", family="test", category=Category.QUALITY, impact=Impact.SERIOUS,
           applies_to=("text",), requires=("text",), target=TargetKind.TEXT,
           title={"da": "Ingen zebraer i teksten", "en": "No zebras in the text"},
           description={"da": "Zebraer forvirrer.", "en": "Zebras confuse."})
    def no_zebra(artifacts, ctx):
        text = artifacts["text"]["text"]
        at = text.find("zebra")
        if at < 0:
            return []
        return [finding(f"text:{at}-{at + 5}", "", {"da": "En zebra.", "en": "A zebra."}, span=[at, at + 5],
                        excerpt="zebra")]

    yield REGISTRY.get("KZ901")
    REGISTRY.unregister("KZ901")


def test_a_new_check_shows_in_every_reporter(throwaway):
    cfg = defaults()
    doc = check_document(Document(kind="text", path="tekst.txt", site_path="tekst.txt"),
                         {"text": text_artifact("tekst.txt", "Der står en zebra i haven.")}, cfg)
    res = next(r for r in doc.results if r.code == "KZ901")
    assert (res.outcome, res.category, res.impact, [f.span for f in res.findings]) == \
        ("failed", Category.QUALITY, "serious", [[12, 17]])
    assert doc.score == 0.0                      # the quality category counts towards the WCAG score
    run = Run(id="20261204-000000-abcd", started_at="2026-12-04T00:00:00Z", status="complete",
              documents=[doc], workdir="")
    for name, reporter in reporters().items():
        buf = io.StringIO()
        reporter.render(run, buf, lang="en")
        assert "KZ901" in buf.getvalue(), name
    sarif = io.StringIO()
    reporters()["sarif"].render(run, sarif, lang="en")
    rule = next(r for r in json.loads(sarif.getvalue())["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "KZ901")
    assert rule["properties"]["category"] == "quality" and rule["shortDescription"]["text"] == "No zebras in the text"
    junit = io.StringIO()
    reporters()["junit"].render(run, junit, lang="en")
    assert '<testcase name="quality"' in junit.getvalue() and "KZ901 no-zebra (serious)" in junit.getvalue()


def test_the_throwaway_check_is_gone_afterwards():
    assert REGISTRY.get("KZ901") is None
