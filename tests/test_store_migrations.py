"""The history store's migrations (Alembic, audit/migrations): a store written before them upgrades in
place with nothing lost, the migrations build exactly the model, a newer store is refused — on SQLite
and on a real PostgreSQL server (scripts/test starts one on 127.0.0.1)."""
from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import time

import pytest
import sqlalchemy as sa

from audit.store import STORE_REVISION, STORE_SCHEMA_VERSION, Store, metadata
from conftest import ROOT, run_cli
from core.errors import UsageError

OLD = ROOT / "fixtures" / "history" / "store-schema-2.sqlite"   # written by klartjek before the migrations
TABLES = ("runs", "documents", "check_results", "findings", "artifacts")


def _rows(path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        out = {}
        for t in TABLES:
            cols = [r[1] for r in con.execute(f"pragma table_info({t})")
                    if r[1] not in ("project", "journey", "worker")]
            out[t] = con.execute(f"select {', '.join(cols)} from {t} order by 1").fetchall()
        return out
    finally:
        con.close()


def test_a_store_written_before_the_migrations_upgrades_in_place(tmp_path):
    db = tmp_path / "history.sqlite"
    shutil.copy(OLD, db)
    before = _rows(db)
    assert {t: len(r) for t, r in before.items()} == {"runs": 2, "documents": 35, "check_results": 952,
                                                      "findings": 81, "artifacts": 21}
    store = Store(str(db))
    runs = [store.load_run(r["id"]) for r in store.list_runs(None)]
    store.close()
    assert _rows(db) == before                                    # nothing lost, nothing changed
    con = sqlite3.connect(db)
    assert con.execute("select version_num from alembic_version").fetchall() == [(STORE_REVISION,)]
    assert con.execute("select value from klartjek_meta where key = 'schema'").fetchone() == (
        str(STORE_SCHEMA_VERSION),)
    assert con.execute("select count(*) from runs where project is null").fetchone() == (2,)
    assert con.execute("select count(*) from documents where journey is null").fetchone() == (35,)
    assert con.execute("select count(*) from documents where worker is null").fetchone() == (35,)
    con.close()
    assert sorted(len(r.documents) for r in runs) == [1, 34]
    assert sum(len(res.findings) for r in runs for d in r.documents for res in d.results) == 81
    res = run_cli("runs", "--db", str(db), "--format", "json")       # and the command reads it
    assert res.returncode == 0 and res.stdout.count('"project": null') == 2


def test_the_newest_migration_is_the_stores_revision():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "audit" / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == STORE_REVISION


def _diff(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store(url)
    try:
        with store.engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        store.close()


def test_the_migrations_build_exactly_the_model_on_sqlite(tmp_path):
    assert _diff(str(tmp_path / "fresh.sqlite")) == []
    db = tmp_path / "old.sqlite"
    shutil.copy(OLD, db)
    assert _diff(str(db)) == []                    # and so does the upgrade of an old store


def test_the_migrations_build_exactly_the_model_on_postgresql(pg_url):
    assert _diff(pg_url) == []


@pytest.mark.parametrize("table, value, message", [
    ("alembic_version", "9999", "written by a newer klartjek (store revision 9999); upgrade klartjek"),
    ("klartjek_meta", "4", "written by a newer klartjek (store schema 4); upgrade klartjek")])
def test_a_store_written_by_a_newer_klartjek_is_refused(tmp_path, table, value, message):
    db = tmp_path / "history.sqlite"
    Store(str(db)).close()
    con = sqlite3.connect(db)
    col = "version_num" if table == "alembic_version" else "value"
    con.execute(f"update {table} set {col} = ?", (value,))
    con.commit()
    con.close()
    with pytest.raises(UsageError) as err:
        Store(str(db))
    assert str(err.value) == f"--db {str(db)!r}: {message}"


def _write_runs(url: str, worker: int, n: int, barrier, results) -> None:
    from core.model import CheckResult, Document, Finding, Run

    try:
        barrier.wait(timeout=60)
        store = Store(url)
        for i in range(n):
            run = Run(id=f"w{worker}-{i}", started_at=f"2026-01-01T00:00:{i:02d}.000Z", klartjek_version="0.1.0",
                      config_hash="abc", targets=["t"], project=f"projekt-{worker % 2}")
            store.begin_run(run)
            f = Finding(outcome="failed", target="img", html="<img>", message={"da": "d", "en": "e"},
                        impact="critical", fingerprint="0123456789abcdef")
            doc = Document(path="a.html", score=50.0, results=[CheckResult(
                code="KA057", name="image-alt", outcome="failed", impact="critical", wcag=["1.1.1"], level="A",
                findings=[f])])
            store.add_document(run.id, 0, doc, {"page": {"i": i}})
            run.documents, run.status, run.ended_at, run.score = [doc], "complete", "2026-01-01T00:01:00.000Z", 50.0
            store.finish_run(run)
        store.close()
        results.put((worker, "ok"))
    except BaseException as exc:  # noqa: BLE001  (every failure is counted)
        results.put((worker, f"{type(exc).__name__}: {exc}"))


def test_processes_writing_one_postgresql_history_at_once_lose_nothing(pg_url):
    """Four processes create the (fresh) store at the same moment and each write 5 runs."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_write_runs, args=(pg_url, w, 5, barrier, results)) for w in range(4)]
    for p in procs:
        p.start()
    outcomes, deadline = [], time.monotonic() + 120
    while len(outcomes) < 4 and time.monotonic() < deadline:
        try:
            outcomes.append(results.get(timeout=5))
        except Exception:  # noqa: BLE001  (queue.Empty)
            if not any(p.is_alive() for p in procs):
                break
    for p in procs:
        p.join(timeout=30)
    assert sorted(outcomes) == [(w, "ok") for w in range(4)]
    store = Store(pg_url)
    try:
        assert len(store.list_runs(None)) == 20
        assert [len(store.list_runs(None, project=p)) for p in store.projects()] == [10, 10]
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("select count(*) from findings")).scalar() == 20
            assert conn.execute(sa.text("select version_num from alembic_version")).scalar() == STORE_REVISION
    finally:
        store.close()


def test_an_unreachable_database_is_one_line_and_exit_2():
    res = run_cli("runs", "--db", "postgresql+psycopg://klartjek:hemmelig@127.0.0.1:9/historik")
    assert res.returncode == 2 and res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith("klartjek: --db 'postgresql+psycopg://klartjek:***@127.0.0.1:9/historik': "
                                 "cannot open the database")
    assert "hemmelig" not in res.stdout + res.stderr
