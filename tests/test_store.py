import sqlite3

import pytest

from core.errors import UsageError
from core.model import CheckResult, Document, Finding, Run
from audit.store import Store


def sample_run(run_id="20260101-000000-aaaa", started="2026-01-01T00:00:00.000Z"):
    return Run(id=run_id, started_at=started, klartjek_version="0.1.0", axe_version="4.12.1",
               config_hash="abc", config={"level": "AA"}, targets=["fixtures/site"])


def sample_doc(path="a.html"):
    f = Finding(outcome="failed", target="img", html="<img src=x>",
                message={"da": "Ret en af følgende", "en": "Fix any of the following"},
                impact="critical", help_url="https://example.invalid/h", fingerprint="0123456789abcdef")
    return Document(path=path, title="T", language="da", content_hash="0" * 64, score=50.0,
                    results=[CheckResult(code="KA057", name="image-alt", outcome="failed",
                                         impact="critical", wcag=["1.1.1"], level="A", findings=[f],
                                         category="wcag", target_kind="css"),
                             CheckResult(code="KA034", name="color-contrast", outcome="passed",
                                         impact="serious", wcag=["1.4.3"], level="AA", category="wcag",
                                         target_kind="css")], site_path="a.html")


def test_round_trip_keeps_everything(tmp_path):
    store = Store(str(tmp_path / "h.sqlite"))
    run = sample_run()
    store.begin_run(run)
    doc = sample_doc()
    store.add_document(run.id, 0, doc, {"page": {"x": 1}, "text": {"text": "Hej"}})
    err = Document(url="http://127.0.0.1:9/", status="error", error="connection refused")
    store.add_document(run.id, 1, err)
    run.documents = [doc, err]
    run.status, run.ended_at, run.score = "partial", "2026-01-01T00:00:01.000Z", 50.0
    store.finish_run(run)
    loaded = store.load_run(run.id)
    assert loaded.to_dict() == run.to_dict()
    assert store.load_artifacts(run.id) == [{"page": {"x": 1}, "text": {"text": "Hej"}}, None]   # all of them


def test_a_run_is_partial_until_finished(tmp_path):
    store = Store(str(tmp_path / "h.sqlite"))
    store.begin_run(sample_run())
    store.add_document("20260101-000000-aaaa", 0, sample_doc())
    # a second connection, as after a crash: the document is there, the run still partial
    con = sqlite3.connect(tmp_path / "h.sqlite")
    assert con.execute("select status, ended_at from runs").fetchall() == [("partial", None)]
    assert con.execute("select count(*) from documents").fetchone() == (1,)


def test_run_ids_resolve_by_prefix_and_latest(tmp_path):
    store = Store(str(tmp_path / "h.sqlite"))
    with pytest.raises(UsageError, match="no stored runs yet"):
        store.resolve_run_id("latest")
    store.begin_run(sample_run("20260101-000000-aaaa", "2026-01-01T00:00:00.000Z"))
    store.begin_run(sample_run("20260101-000000-aabb", "2026-01-01T00:00:05.000Z"))
    assert store.resolve_run_id("latest") == "20260101-000000-aabb"
    assert store.resolve_run_id("20260101-000000-aaa") == "20260101-000000-aaaa"
    with pytest.raises(UsageError, match="ambiguous"):
        store.resolve_run_id("20260101")
    with pytest.raises(UsageError, match="no stored run 'zzz'"):
        store.resolve_run_id("zzz")
    assert [r["id"] for r in store.list_runs()] == ["20260101-000000-aabb", "20260101-000000-aaaa"]


@pytest.mark.parametrize("value, message", [
    ("nosuchdb://x/y", "is not a usable database URL"),
    ("sqlite:////proc/nope/x.sqlite", "cannot open the database"),
])
def test_invalid_db_is_a_usage_error(value, message):
    with pytest.raises(UsageError, match=message):
        Store(value)


def test_a_plain_path_makes_its_folder(tmp_path):
    Store(str(tmp_path / "deep" / "er" / "h.sqlite"))
    assert (tmp_path / "deep" / "er" / "h.sqlite").is_file()


def test_a_result_stored_before_categories_gets_its_checks_category(tmp_path):
    store = Store(str(tmp_path / "h.sqlite"))
    run = sample_run()
    store.begin_run(run)
    doc = sample_doc()
    for r in doc.results:
        r.category = r.target_kind = None         # as klartjek stored results before 1.3
    doc.results.append(CheckResult(code="KX999", name="gone", outcome="passed", impact="minor"))
    store.add_document(run.id, 0, doc)
    got = [(r.code, r.category, r.target_kind) for r in store.load_run(run.id).documents[0].results]
    assert got == [("KA057", "wcag", "css"), ("KA034", "wcag", "css"), ("KX999", None, None)]
