"""The history store under concurrency and with missing database drivers: real SQLite files,
real processes, the real command; no mocks."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.errors import UsageError
from audit.store import STORE_SCHEMA_VERSION, Store

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 6
ROUNDS = 10


def _collide(worker: int, paths: list[str], barrier, results) -> None:
    """One process: for each fresh file, wait until every process is ready, then all at once
    open the store (creating the database) and write a whole run."""
    from core.model import CheckResult, Document, Finding, Run

    for rnd, path in enumerate(paths):
        try:
            barrier.wait(timeout=120)
        except Exception as exc:  # noqa: BLE001  (a broken barrier: report it, don't hang)
            results.put((rnd, worker, f"barrier: {type(exc).__name__}"))
            continue
        try:
            store = Store(path)
            run = Run(id=f"run-{rnd}-{worker}", started_at="2026-01-01T00:00:00.000Z",
                      klartjek_version="0.1.0", config_hash="abc", targets=[f"w{worker}"])
            store.begin_run(run)
            f = Finding(outcome="failed", target="img", html="<img src=x>", message={"da": "d", "en": "e"},
                        impact="critical", fingerprint="0123456789abcdef")
            doc = Document(path=f"w{worker}.html", title="T", language="da", score=50.0,
                           results=[CheckResult(code="KA057", name="image-alt", outcome="failed",
                                                impact="critical", wcag=["1.1.1"], level="A", findings=[f])])
            store.add_document(run.id, 0, doc, {"page": {"worker": worker}})
            run.documents = [doc]
            run.status, run.ended_at, run.score = "complete", "2026-01-01T00:00:01.000Z", 50.0
            store.finish_run(run)
            store.close()
            results.put((rnd, worker, "ok"))
        except BaseException as exc:  # noqa: BLE001  (every failure is counted, whatever it is)
            results.put((rnd, worker, f"{type(exc).__name__}: {exc}"))


def test_processes_creating_one_fresh_database_at_once_all_succeed(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    paths = [str(tmp_path / f"race{i}" / "history.sqlite") for i in range(ROUNDS)]
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_collide, args=(w, paths, barrier, results)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    outcomes = []
    deadline = time.monotonic() + 300
    while len(outcomes) < WORKERS * ROUNDS and time.monotonic() < deadline:
        try:
            outcomes.append(results.get(timeout=5))
        except Exception:  # noqa: BLE001  (queue.Empty: check the processes are still alive)
            if not any(p.is_alive() for p in procs):
                break
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    failures = sorted(o for o in outcomes if o[2] != "ok")
    print(f"{len(failures)} of {WORKERS * ROUNDS} store openings failed")
    assert len(outcomes) == WORKERS * ROUNDS, f"only {len(outcomes)} outcomes: {failures}"
    assert failures == [], f"{len(failures)} of {WORKERS * ROUNDS} failed: {failures[:8]}"
    for rnd, path in enumerate(paths):
        con = sqlite3.connect(path)
        try:
            ids = {r[0] for r in con.execute("select id from runs where status = 'complete'")}
            assert ids == {f"run-{rnd}-{w}" for w in range(WORKERS)}
            assert con.execute("select count(*) from documents").fetchone() == (WORKERS,)
            assert con.execute("select count(*) from findings").fetchone() == (WORKERS,)
            assert con.execute("select key, value from klartjek_meta").fetchall() == [
                ("schema", str(STORE_SCHEMA_VERSION))]
            assert con.execute("pragma journal_mode").fetchone() == ("wal",)
        finally:
            con.close()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("url, module, message", [
    ("postgresql+psycopg2://user:secret@127.0.0.1/db", "psycopg2",
     "--db 'postgresql+psycopg2://user:***@127.0.0.1/db': the PostgreSQL driver 'psycopg2' is not "
     "installed; install it with pip install psycopg2-binary"),
    ("postgresql://user:secret@127.0.0.1/db", "psycopg",      # SQLAlchemy 2.1's default driver
     "--db 'postgresql://user:***@127.0.0.1/db': the PostgreSQL driver 'psycopg' is not "
     "installed; install it with pip install \"psycopg[binary]\""),
    ("mysql+pymysql://user:secret@127.0.0.1/db", "pymysql",
     "--db 'mysql+pymysql://user:***@127.0.0.1/db': the MySQL driver 'pymysql' is not "
     "installed; install it with pip install PyMySQL"),
])
def test_a_missing_database_driver_is_a_usage_error_without_the_password(url, module, message):
    # the driver hidden from this process (sys.modules[name] = None: importing it fails) when installed
    hide = (f"import sys, runpy; sys.modules[{module!r}] = None; sys.argv[0] = 'klartjek'; "
            "runpy.run_module('cli', run_name='__main__')")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "250"}
    res = subprocess.run([sys.executable, "-c", hide, "runs", "--db", url], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stderr == f"klartjek: {message}\n"
    assert "secret" not in res.stdout + res.stderr


def test_an_async_driver_is_refused_without_the_password():
    res = _cli("runs", "--db", "postgresql+asyncpg://user:secret@127.0.0.1/db")
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("klartjek: --db 'postgresql+asyncpg://user:***@127.0.0.1/db': ")
    assert "secret" not in res.stdout + res.stderr


def test_an_unparsable_url_never_shows_its_password():
    res = _cli("runs", "--db", "postgresql://user:secret@127.0.0.1:notaport/db")
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "secret" not in res.stdout + res.stderr


_HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()          # hold the lock until the test closes our standard input
con.execute("COMMIT")
"""


@pytest.mark.parametrize("existing", [False, True], ids=["fresh-file", "existing-store"])
def test_a_busy_database_times_out_with_one_line(tmp_path, existing):
    path = tmp_path / "busy.sqlite"
    if existing:
        Store(str(path)).close()        # a WAL database with the schema: the schema check must wait
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        with pytest.raises(UsageError) as caught:
            Store(str(path), busy_timeout=0.5)
        waited = time.monotonic() - started
        assert str(caught.value) == (f"--db {str(path)!r}: the database is busy (locked by another "
                                     "klartjek?); try again")
        assert 0.4 <= waited < 10
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    store = Store(str(path), busy_timeout=0.5)     # the lock is gone: it opens at once
    assert store.list_runs() == []
    store.close()
