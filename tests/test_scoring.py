import pytest

from audit.config import defaults
from core.model import CheckResult, Document
from core.scoring import document_score, run_score

W = defaults()["weights"]


def r(outcome, impact):
    return CheckResult(code="KA000", name="x", outcome=outcome, impact=impact)


def test_worked_example_from_docs_scoring_md():
    # docs/scoring.md: passed critical, passed serious ×2, failed serious, failed minor,
    # passed moderate, cant_tell serious, inapplicable critical.
    results = [r("passed", "critical"), r("passed", "serious"), r("passed", "serious"),
               r("failed", "serious"), r("failed", "minor"), r("passed", "moderate"),
               r("cant_tell", "serious"), r("inapplicable", "critical")]
    # passed: 10 + 7 + 7 + 3 = 27; applicable: 27 + 7 + 1 = 35; 100 × 27 / 35 = 77.14…
    assert document_score(results, W) == 77.1


def test_all_passed_is_100_and_all_failed_is_0():
    assert document_score([r("passed", "minor"), r("passed", "critical")], W) == 100.0
    assert document_score([r("failed", "minor"), r("failed", "critical")], W) == 0.0


def test_nothing_applicable_has_no_score():
    assert document_score([r("inapplicable", "critical"), r("cant_tell", "serious")], W) is None
    assert document_score([], W) is None


def test_needs_review_and_errors_weigh_nothing():
    base = [r("passed", "serious"), r("failed", "moderate")]
    assert document_score(base + [r("cant_tell", "critical"), r("error", "critical")], W) == \
        document_score(base, W) == pytest.approx(70.0)


def test_weights_come_from_config():
    results = [r("passed", "critical"), r("failed", "minor")]
    assert document_score(results, W) == 90.9
    assert document_score(results, {"critical": 1, "serious": 1, "moderate": 1, "minor": 1}) == 50.0


def test_run_score_pools_the_check_results_of_ok_documents():
    a = Document(results=[r("passed", "critical"), r("failed", "serious")])     # 10 / 17
    b = Document(results=[r("passed", "minor")])                                 # 1 / 1
    broken = Document(status="error", results=[r("failed", "critical")])
    assert run_score([a, b, broken], W) == round(100 * 11 / 18, 1) == 61.1
    assert run_score([broken], W) is None


def test_each_category_counts_towards_its_own_score_and_nothing_reads_the_code():
    from core.model import CATEGORIES, Category, Score
    from core.scoring import is_plain, is_wcag

    plain = {c for c, info in CATEGORIES.items() if info.score == Score.PLAIN}
    assert plain == {Category.PLAIN_LANGUAGE, Category.LETTER_CONTENT}
    for cat in Category:
        # a code that looks like the other score's changes nothing: the category decides
        res = CheckResult(code="KL001" if cat not in plain else "KA001", name="x", outcome="failed",
                          impact="serious", category=cat)
        assert (is_plain(res), is_wcag(res)) == ((cat in plain), (cat not in plain))
    legacy = CheckResult(code="KL001", name="x", outcome="failed", impact="serious")   # stored before 1.3
    assert is_wcag(legacy) and not is_plain(legacy)
