"""A killed run keeps every finished document and stays partial."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import ROOT, html_page, run_cli


def start_audit(urls, db):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "cli", "audit", "--block-external", "--workers", "1",
                             "--db", str(db), *urls], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_documents(db, n, proc, limit=60):
    deadline = time.time() + limit
    while time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    if con.execute("select count(*) from documents").fetchone()[0] >= n:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.1)
    raise AssertionError("no document was stored in time")


def routes():
    r = {"/p0.html": (200, "text/html", html_page("<p>Hurtig side.</p>"), 0)}
    for i in range(1, 6):
        r[f"/p{i}.html"] = (200, "text/html", html_page(f"<p>Langsom side {i}.</p>"), 3)
    return r


def test_sigkill_keeps_finished_documents_and_leaves_the_run_partial(local_server, tmp_path):
    srv = local_server(routes())
    db = tmp_path / "h.sqlite"
    proc = start_audit([srv.url(f"/p{i}.html") for i in range(6)], db)
    wait_for_documents(db, 1, proc)
    proc.kill()
    proc.wait(30)
    with sqlite3.connect(db) as con:
        (run_id, status, ended), = con.execute("select id, status, ended_at from runs").fetchall()
        docs = con.execute("select url, status from documents order by seq").fetchall()
        n_results = con.execute("select count(*) from check_results").fetchone()[0]
    assert status == "partial" and ended is None
    assert docs[0] == (srv.url("/p0.html"), "ok") and len(docs) < 6
    assert n_results > 0
    listed = run_cli("runs", "--db", str(db))
    assert run_id in listed.stdout and "partial (interrupted)" in listed.stdout
    shown = run_cli("show", run_id, "--db", str(db))
    assert shown.returncode == 0 and "p0.html" in shown.stdout


def test_sigterm_ends_the_run_partial_with_exit_130(local_server, tmp_path):
    srv = local_server(routes())
    db = tmp_path / "h.sqlite"
    proc = start_audit([srv.url(f"/p{i}.html") for i in range(6)], db)
    wait_for_documents(db, 1, proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; the finished documents are kept in run" in err and "Traceback" not in err
    with sqlite3.connect(db) as con:
        (status, ended), = con.execute("select status, ended_at from runs").fetchall()
        docs = con.execute("select status from documents").fetchall()
    assert status == "partial" and ended is not None
    assert 1 <= len(docs) < 6 and all(d == ("ok",) for d in docs)


def test_resume_after_sigkill_audits_only_the_missing_pages(local_server, tmp_path):
    hits: dict[str, int] = {}

    def counted(path, body, delay):
        def route(full):
            hits[full] = hits.get(full, 0) + 1
            return 200, "text/html; charset=utf-8", body, delay
        return route

    links = "".join(f'<a href="/p{i}.html">Side {i}</a> ' for i in range(1, 6)) + '<a href="/brev.pdf">Brev</a>'
    routes = {"/": counted("/", html_page(links, title="Forside"), 0)}
    for i in range(1, 6):
        routes[f"/p{i}.html"] = counted(f"/p{i}.html", html_page(f"<p>Side {i}.</p>", title=f"Side {i}"), 1.5)
    routes["/brev.pdf"] = (200, "application/pdf", (ROOT / "fixtures/letters/pdf/good.pdf").read_bytes(), 0)
    srv = local_server(routes)
    db = tmp_path / "h.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "audit", "--block-external", "--crawl", "--workers", "1",
                             "--db", str(db), srv.url("/")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_documents(db, 2, proc)
    proc.kill()
    proc.wait(30)
    with sqlite3.connect(db) as con:
        (run_id,), = con.execute("select id from runs").fetchall()
        finished = [r[0] for r in con.execute("select url from documents")]
    assert 2 <= len(finished) < 6
    before = dict(hits)
    res = run_cli("audit", "--resume", run_id[:15], "--db", str(db))
    assert res.returncode in (0, 1), res.stderr
    with sqlite3.connect(db) as con:
        urls = sorted(r[0] for r in con.execute("select url from documents where run_id = ?", (run_id,)))
        (status, ended), = con.execute("select status, ended_at from runs").fetchall()
    assert urls == sorted([srv.url("/"), srv.url("/brev.pdf")] + [srv.url(f"/p{i}.html") for i in range(1, 6)])
    assert status == "complete" and ended is not None
    for url in finished:                      # finished pages were not loaded again
        path = url.replace(srv.base, "")
        assert hits[path] == before[path] == 1
    again = run_cli("audit", "--resume", run_id, "--db", str(db))
    assert again.returncode == 2 and "is complete; there is nothing to resume" in again.stderr
