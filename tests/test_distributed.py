"""Distributed audits (docs/scale.md): real Redis (scripts/redis), real PostgreSQL, real `klartjek worker`
processes with their own Chromium, on a 60-page site served from 127.0.0.1 that counts its requests."""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import KLARTJEK, ROOT, failed_findings, load_json, run_cli

PAGE_DELAY = 0.15          # seconds the server takes for a page: loads overlap, and the limit shows
VISIBILITY = "10"          # seconds before a task a lost worker held goes to another


@pytest.fixture
def redis_url():
    """The Redis server scripts/test starts on 127.0.0.1 (KLARTJEK_TEST_REDIS_URL), emptied first.
    Skipped without one, unless KLARTJEK_REQUIRE_REDIS=1 (.ci/run sets it)."""
    url = os.environ.get("KLARTJEK_TEST_REDIS_URL")
    if not url:
        if os.environ.get("KLARTJEK_REQUIRE_REDIS") == "1":
            pytest.fail("KLARTJEK_REQUIRE_REDIS=1 but no Redis server: run the tests with bash scripts/test")
        pytest.skip("no Redis server: bash scripts/test starts one (KLARTJEK_TEST_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


# -- the site ---------------------------------------------------------------------------------------

def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html lang='da'><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><header><a href='/'>Forside</a></header><main><h1>{title}</h1>{body}</main>"
            "</body></html>").encode()


NAMES = ("aabningstider", "adresse", "parkering", "besoeg", "kontakt", "forberedelse", "efter-undersoegelsen",
         "sygdomme", "behandling", "personale", "rettigheder")     # the pages of a section (not numbered:
#                                                                     numbered pages would be a crawl trap)


def leaf(k: int, j: int) -> str:
    return f"/afsnit/{k}/{NAMES[j - 1]}.html"


LETTER = "/breve/indkaldelse.pdf"


def site_routes() -> dict[str, bytes]:
    """60 pages: the front page, 5 sections of 11 (or 10) pages each linking its neighbours, a few
    barriers (an image without alt text, a field without a label); a PDF letter without structure; a
    page robots.txt forbids, a link that leads nowhere, links out of scope."""
    routes: dict[str, bytes] = {}
    sections = {k: (11 if k < 5 else 10) for k in range(1, 6)}
    links = "".join(f"<li><a href='/afsnit/{k}.html'>Afsnit {k}</a></li>" for k in sections)
    routes["/"] = _page("Forside", f"<p>Velkommen til hospitalet.</p><ul>{links}</ul>"
                        "<p><a href='/privat/noter.html'>Noter</a> <a href='/mangler.html'>Gamle sider</a> "
                        "<a href='/breve/indkaldelse.pdf'>Indkaldelse (PDF)</a> "
                        "<a href='mailto:info@example.invalid'>Skriv</a> "
                        "<a href='http://example.invalid/'>Regionen</a></p>")
    for k, n in sections.items():
        items = "".join(f"<li><a href='{leaf(k, j)}'>Side {j} i afsnit {k}</a></li>"
                        for j in range(1, n + 1))
        routes[f"/afsnit/{k}.html"] = _page(f"Afsnit {k}", f"<p>Sider i afsnit {k}.</p><ul>{items}</ul>")
        for j in range(1, n + 1):
            i = (k - 1) * 11 + j
            extra = ""
            if i % 7 == 0:
                extra += "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' width='20' height='20'>"
            if i % 9 == 0:
                extra += "<form><input type='text' name='q'><button>Søg</button></form>"
            nxt = leaf(k, j % n + 1)
            routes[leaf(k, j)] = _page(
                f"Side {j} i afsnit {k}",
                f"<p>Her står side {j} i afsnit {k}. Du kan læse mere på næste side.</p>{extra}"
                f"<p><a href='{nxt}'>Næste side</a> <a href='/afsnit/{k}.html'>Tilbage til afsnit {k}</a></p>")
    routes["/privat/noter.html"] = _page("Noter", "<p>Ikke til søgemaskiner.</p>")
    routes[LETTER] = (ROOT / "fixtures" / "letters" / "pdf" / "bad-structure.pdf").read_bytes()
    return routes


class CountingSite:
    """The site, counting each page's requests and how many pages were being served at once."""

    def __init__(self) -> None:
        routes = site_routes()
        self.pages = [p for p in routes if p not in ("/privat/noter.html", LETTER)]
        self.documents = [*self.pages, LETTER]
        self.hits: Counter = Counter()
        self.now = self.most = 0
        lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?")[0]
                if path == "/robots.txt":
                    self._send(200, b"User-agent: *\nDisallow: /privat/\n", "text/plain")
                    return
                body = routes.get(path)
                if body is None:
                    self._send(404, b"<!doctype html><title>404</title>", "text/html")
                    return
                with lock:
                    site.hits[path] += 1
                    site.now += 1
                    site.most = max(site.most, site.now)
                try:
                    time.sleep(PAGE_DELAY)
                    self._send(200, body, "application/pdf" if path.endswith(".pdf") else "text/html; charset=utf-8")
                finally:
                    with lock:
                        site.now -= 1

            def _send(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def locations(self) -> set[str]:
        """The URL of each document the site has (its pages and its letter)."""
        return {self.url.rstrip("/") + p for p in self.documents}

    def reset(self) -> None:
        self.hits.clear()
        self.now = self.most = 0

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site():
    s = CountingSite()
    yield s
    s.close()


# -- workers ----------------------------------------------------------------------------------------

class Workers:
    def __init__(self, broker: str, tmp: Path, env: dict[str, str]) -> None:
        self.broker, self.tmp, self.env = broker, tmp, env
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, *names: str, concurrency: int = 2) -> None:
        for name in names:
            log = open(self.tmp / f"{name}.log", "w")
            self.procs[name] = subprocess.Popen(
                [*KLARTJEK, "worker", "--broker", self.broker, "-c", str(concurrency), "-n", f"{name}@test"],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **self.env}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)      # a process group: it and its Chromium

    def kill(self, name: str) -> None:
        """SIGKILL, the worker and its browser at once: no warm shutdown, nothing given back."""
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(10)

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)

    def busy_with(self, name: str, site: CountingSite, timeout: float = 60) -> str:
        """The URL of a document the worker has started, whose page the site has served, and that the
        worker has not finished (by its log)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            log = self.log(name)
            finished = set(re.findall(r"document (\d+) \S+: (?!started)", log))
            for seq, url in re.findall(r"document (\d+) (\S+): started", log):
                if seq not in finished and site.hits[urlsplit(url).path] >= 1:
                    return url
            time.sleep(0.02)
        raise AssertionError(f"{name} was never found in the middle of a page")

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")


ALL = ("wcag", "best-practice", "quality", "plain-language", "letter-structure", "letter-content")
ENV = {"KLARTJEK_DISTRIBUTED__VISIBILITY_TIMEOUT": VISIBILITY, "KLARTJEK_CRAWL__PER_HOST": "2"}


@pytest.fixture
def workers(redis_url, tmp_path):
    w = Workers(redis_url, tmp_path, ENV)
    yield w
    w.stop()


def audit_args(site: CountingSite, db: str, out: Path, *extra: str) -> list[str]:
    return ["audit", site.url, "--crawl", "--profile", "quick", "--db", db, "--json", str(out), "-q", *extra]


@contextlib.contextmanager
def audit_process(site: CountingSite, db: str, broker: str, out: Path, env: dict[str, str]):
    """A distributed audit of the site running in the background (killed at the end if it still runs)."""
    argv = [*KLARTJEK, *audit_args(site, db, out, "--distributed", "--broker", broker, "--block-external")]
    run = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield run
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()


def documents(run: dict) -> dict[str, dict]:
    locs = [d["url"] for d in run["documents"]]
    assert len(locs) == len(set(locs)), [loc for loc, n in Counter(locs).items() if n > 1]
    return {d["url"]: d for d in run["documents"]}


def stored(db: str, run_id: str) -> list[tuple[str, str | None]]:
    """(location, worker) of each stored document of a run, straight from the database."""
    import sqlalchemy as sa

    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(
                "select url, worker from documents where run_id = :r order by seq"), {"r": run_id})]
    finally:
        engine.dispose()


def wait_for_documents(db: str, n: int, timeout: float = 120) -> str:
    """The id of the one run in ``db`` once it has stored ``n`` documents."""
    import sqlalchemy as sa

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        engine = sa.create_engine(db)
        try:
            with engine.connect() as conn:
                row = conn.execute(sa.text("select run_id, count(*) from documents group by run_id")).first()
        except sa.exc.SQLAlchemyError:
            row = None
        finally:
            engine.dispose()
        if row and row[1] >= n:
            return row[0]
        time.sleep(0.2)
    raise AssertionError(f"fewer than {n} documents stored in {timeout} s")


# -- the tests ----------------------------------------------------------------------------------------

def test_three_workers_audit_every_page_once_with_the_results_of_one_process_and_keep_to_the_host_limit(
        site, workers, redis_url, pg_url, tmp_path):
    env = {**ENV}
    local = run_cli(*audit_args(site, str(tmp_path / "one.sqlite"), tmp_path / "one.json"), env=env)
    assert local.returncode == 1, local.stderr
    assert site.most == 2                          # one process: at most per_host pages at once, and it was reached
    site.reset()
    workers.start("w1", "w2", "w3")
    res = run_cli(*audit_args(site, pg_url, tmp_path / "many.json", "--distributed", "--broker", redis_url),
                  env=env)
    assert res.returncode == 1, res.stderr + res.stdout
    one, many = load_json(tmp_path / "one.json"), load_json(tmp_path / "many.json")
    assert many["status"] == "complete" and len(many["documents"]) == 61
    # every page audited exactly once: one request each at the server, one stored document each
    assert dict(site.hits) == {p: 1 for p in site.documents}
    docs_one, docs_many = documents(one), documents(many)
    assert set(docs_many) == site.locations() == set(docs_one)
    # the same results as in one process: findings, scores, what the crawl skipped and why
    assert failed_findings(many, ALL) == failed_findings(one, ALL)
    assert failed_findings(many, ("letter-structure",))[site.url + LETTER[1:]]      # the letter's own checks ran
    assert {u: (d["score"], d["plain_score"]) for u, d in docs_many.items()} == \
        {u: (d["score"], d["plain_score"]) for u, d in docs_one.items()}
    assert (many["score"], many["plain_score"]) == (one["score"], one["plain_score"])
    assert many["crawl"] == one["crawl"]
    assert many["crawl"]["skipped"] == {"disallowed by robots.txt": 1, "out of scope": 1}
    assert [b["url"] for b in many["crawl"]["broken_links"]] == [site.url + "mangler.html"]
    base = site.url.rstrip("/")
    expected = {base + "/": {"target-size"}} | {f"{base}/afsnit/{k}.html": {"target-size"} for k in range(1, 6)}
    for i in range(1, 55):                 # the barriers the site was built with, and nothing else
        names = {"image-alt"} if i % 7 == 0 else set()
        names |= {"label"} if i % 9 == 0 else set()
        if names:
            expected[base + leaf((i - 1) // 11 + 1, (i - 1) % 11 + 1)] = names
    assert {u: {name for _, name, _ in f} for u, f in failed_findings(many).items() if f} == expected
    # politeness across the three workers: never more than per_host pages at once
    assert site.most == 2
    # which worker did what, stored with each document and shown by `klartjek runs`
    by_worker = Counter(w for _, w in stored(pg_url, many["id"]))
    assert sum(by_worker.values()) == 61 and set(by_worker) <= {"w1@test", "w2@test", "w3@test"}
    assert len(by_worker) >= 2
    listed = run_cli("runs", "--db", pg_url, "--format", "json")
    assert json.loads(listed.stdout)[0]["workers"] == dict(by_worker)
    table = run_cli("runs", "--db", pg_url)
    assert "Workers (documents)" in table.stdout and "w1@test" in table.stdout.replace("\n", "")


def test_a_worker_killed_mid_run_has_its_pages_redone_by_the_others_and_nothing_is_lost_or_twice(
        site, redis_url, pg_url, tmp_path):
    env = {**ENV, "KLARTJEK_CRAWL__PER_HOST": "6"}      # every worker busy: the killed one holds pages
    w = Workers(redis_url, tmp_path, env)
    try:
        w.start("w1", "w2", "w3")
        with audit_process(site, pg_url, redis_url, tmp_path / "run.json", env) as run:
            run_id = wait_for_documents(pg_url, 15)
            held = w.busy_with("w1", site)            # a page w1 has loaded and not finished
            hits_before = sum(site.hits.values())
            w.kill("w1")
            out, errs = run.communicate(timeout=240)
            assert run.returncode == 1, errs + out
    finally:
        w.stop()
    result = load_json(tmp_path / "run.json")
    assert result["id"] == run_id and result["status"] == "complete"
    docs = documents(result)
    assert set(docs) == site.locations()
    rows = stored(pg_url, run_id)
    assert len(rows) == 61 and len({u for u, _ in rows}) == 61          # committed once each
    # the pages the killed worker held were loaded again, by the others
    assert sum(site.hits.values()) > 61 and hits_before < 61
    redone = {p for p, n in site.hits.items() if n > 1}
    workers_of = dict(rows)
    assert urlsplit(held).path in redone
    assert all(workers_of[site.url.rstrip("/") + p] in ("w2@test", "w3@test") for p in redone)


def test_the_broker_restarted_mid_run_and_the_run_completes(site, redis_url, pg_url, tmp_path):
    folder = os.environ.get("KLARTJEK_TEST_REDIS_DIR")
    if not folder:
        pytest.skip("the Redis server was not started by scripts/test (KLARTJEK_TEST_REDIS_DIR)")
    w = Workers(redis_url, tmp_path, ENV)
    try:
        w.start("w1", "w2")
        with audit_process(site, pg_url, redis_url, tmp_path / "run.json", ENV) as run:
            wait_for_documents(pg_url, 10)
            restart = subprocess.run(["bash", str(ROOT / "scripts" / "redis"), "restart", folder],
                                     capture_output=True, text=True, timeout=60)
            assert restart.returncode == 0, restart.stderr
            out, errs = run.communicate(timeout=240)
            assert run.returncode == 1, errs + out
    finally:
        w.stop()
    result = load_json(tmp_path / "run.json")
    assert result["status"] == "complete"
    assert set(documents(result)) == site.locations()
    assert len(stored(pg_url, result["id"])) == 61


def test_an_interrupted_distributed_run_is_partial_and_resumes_where_it_stopped(
        site, workers, redis_url, pg_url, tmp_path):
    workers.start("w1", "w2")
    with audit_process(site, pg_url, redis_url, tmp_path / "run.json", ENV) as run:
        run_id = wait_for_documents(pg_url, 12)
        run.send_signal(signal.SIGTERM)
        out, errs = run.communicate(timeout=60)
    assert run.returncode == 130, errs
    assert f"the finished documents are kept in run {run_id} (partial)" in errs
    kept = stored(pg_url, run_id)
    assert 12 <= len(kept) < 61
    listed = json.loads(run_cli("runs", "--db", pg_url, "--format", "json").stdout)
    assert [(r["id"], r["status"], r["ended_at"] is not None) for r in listed] == [(run_id, "partial", True)]
    site.reset()
    res = run_cli("audit", "--resume", run_id, "--distributed", "--broker", redis_url, "--db", pg_url,
                  "--json", str(tmp_path / "resumed.json"), "-q", env=ENV)
    assert res.returncode == 1, res.stderr
    resumed = load_json(tmp_path / "resumed.json")
    assert resumed["id"] == run_id and resumed["status"] == "complete"
    assert set(documents(resumed)) == site.locations()
    rows = stored(pg_url, run_id)
    assert len(rows) == 61 and len({u for u, _ in rows}) == 61
    # the documents finished before were not audited again
    assert not {u for u, _ in kept} & {site.url.rstrip("/") + p for p in site.hits}


def test_bad_input_is_one_line_naming_the_broker_or_the_database(site, redis_url, tmp_path):
    dead = "redis://:geheim@127.0.0.1:9/0"
    for argv in (["audit", site.url, "--distributed", "--broker", dead, "--db", str(tmp_path / "h.sqlite")],
                 ["worker", "--broker", dead]):
        res = run_cli(*argv, timeout=60)
        assert res.returncode == 2, res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("klartjek: --broker redis://:***@127.0.0.1:9/0: the broker "
                                                       "does not answer ("), lines
        assert "geheim" not in res.stderr + res.stdout
    res = run_cli("audit", site.url, "--distributed", "--broker", redis_url,
                  "--db", "postgresql+psycopg://klartjek:geheim@127.0.0.1:9/klartjek", timeout=60)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1 and lines[0].startswith("klartjek: --db "), res.stderr
    assert "cannot open the database" in lines[0] and "geheim" not in res.stderr
    for argv, start in ((["audit", "fixtures/site", "--distributed", "--broker", redis_url],
                         "klartjek: --distributed audits http(s) URLs; 'fixtures/site' is a local file or folder"),
                        (["audit", site.url, "--distributed", "--broker", redis_url, "--serve-command", "true"],
                         "klartjek: --distributed cannot audit a --serve-command build"),
                        (["audit", site.url, "--distributed"],
                         "klartjek: a distributed audit needs a broker"),
                        (["audit", site.url, "--distributed", "--broker", "http://127.0.0.1:9/"],
                         "klartjek: --broker 'http://127.0.0.1:9/': give a Redis URL")):
        res = run_cli(*argv, "--db", str(tmp_path / "h.sqlite"), timeout=60)
        lines = res.stderr.strip().splitlines()
        assert res.returncode == 2 and len(lines) == 1 and lines[0].startswith(start), (argv, res.stderr)
    assert sum(site.hits.values()) == 0                # nothing was audited


def test_the_broker_is_never_stored_with_a_run(site, workers, redis_url, tmp_path):
    workers.start("w1", concurrency=1)
    db = tmp_path / "h.sqlite"
    res = run_cli("audit", site.url, "--profile", "quick", "--db", str(db), "--json", str(tmp_path / "r.json"),
                  "--report", f"html:{tmp_path / 'r.html'}", "-q", "--distributed", "--broker", redis_url, env=ENV)
    assert res.returncode == 1, res.stderr           # the front page's links are too small (target-size)
    run = load_json(tmp_path / "r.json")
    # the worker photographed the failing elements; the run stored the pictures beside its database
    shots = sorted(f.stem for f in (tmp_path / "screenshots" / run["id"]).glob("*.jpg"))
    failed = sorted(f["fingerprint"] for r in run["documents"][0]["results"] for f in r["findings"]
                    if f["outcome"] == "failed")
    assert len(shots) == 5 and set(shots) <= set(failed)
    assert (tmp_path / "r.html").read_text().count("data:image/jpeg;base64,") == 5   # and the report shows them
    assert [d["url"] for d in run["documents"]] == [site.url] and "distributed" not in run["config"]
    assert redis_url.encode() not in db.read_bytes() and b"distributed" not in db.read_bytes()


def test_portfolio_run_queues_projects_side_by_side_and_the_host_limit_holds_across_their_runs(
        site, workers, redis_url, pg_url, tmp_path):
    """Two web projects on the same host, queued at the same time by two runs: the limit of pages of a host
    at once holds across the runs (Redis keeps the places), each run stores every page once; the letters
    project is audited here, as without --distributed."""
    letters = tmp_path / "breve"
    letters.mkdir()
    (letters / "indkaldelse.html").write_text("<!doctype html><html lang='da'><title>Indkaldelse</title>"
                                              "<h1>Indkaldelse</h1><p>Du skal møde op kl. 10.</p></html>")
    config = tmp_path / "klartjek.toml"
    config.write_text(f'''db = "{pg_url}"
profile = "quick"
block_external = true
[crawl]
per_host = 2
[[portfolio.projects]]
name = "Afsnit"
channel = "web"
targets = ["{site.url}afsnit/1.html"]
crawl = true
[[portfolio.projects]]
name = "Forsiden"
channel = "web"
targets = ["{site.url}"]
crawl = true
[[portfolio.projects]]
name = "Breve"
channel = "letters"
targets = ["{letters}"]
''')
    workers.start("w1", "w2", "w3")
    res = run_cli("portfolio", "run", "--config", str(config), "--distributed", "--broker", redis_url, timeout=400)
    assert res.returncode == 1, res.stderr + res.stdout          # findings (target-size, the letter's language)
    lines = res.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Breve (letters)", "Afsnit (web)", "Forsiden (web)"], lines
    listed = {r["project"]: r for r in json.loads(run_cli("runs", "--db", pg_url, "--format", "json").stdout)}
    assert listed["Forsiden"]["documents"] == 61 and listed["Afsnit"]["documents"] == 61
    assert set(listed["Forsiden"]["workers"]) <= {"w1@test", "w2@test", "w3@test"}
    assert listed["Breve"]["workers"] == {}                       # audited by the portfolio run itself
    web = [listed["Forsiden"], listed["Afsnit"]]
    assert max(r["started_at"] for r in web) < min(r["ended_at"] for r in web)     # side by side
    for name in ("Forsiden", "Afsnit"):
        locations = [u for u, _ in stored(pg_url, listed[name]["id"])]
        assert len(locations) == len(set(locations)) == 61
    assert dict(site.hits) == {p: 2 for p in site.documents}           # each page once in each run
    assert site.most == 2                                          # and never more than 2 at once, all told


def test_a_run_without_workers_stops_partial_after_the_stall_timeout_and_its_queued_pages_are_dropped(
        site, redis_url, pg_url, tmp_path):
    env = {**ENV, "KLARTJEK_DISTRIBUTED__STALL_TIMEOUT": "3"}
    res = run_cli(*audit_args(site, pg_url, tmp_path / "r.json", "--distributed", "--broker", redis_url), env=env)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(lines) == 1, res.stderr
    run_id = json.loads(run_cli("runs", "--db", pg_url, "--format", "json").stdout)[0]["id"]
    assert lines[0] == (f"klartjek: no worker finished a document for 3 s; start workers (`klartjek worker --broker "
                        f"{redis_url}`) and continue with `klartjek audit --resume {run_id} --distributed`")
    # a worker started now finds the front page queued, but the run has ended: it loads nothing
    w = Workers(redis_url, tmp_path, ENV)
    try:
        w.start("late", concurrency=1)
        end = time.monotonic() + 60
        while "the run has ended; dropped" not in w.log("late") and time.monotonic() < end:
            time.sleep(0.2)
    finally:
        w.stop()
    assert "the run has ended; dropped" in w.log("late") and sum(site.hits.values()) == 0
    res = run_cli("runs", "--db", pg_url, "--format", "json")
    assert [(r["status"], r["documents"]) for r in json.loads(res.stdout)] == [("partial", 0)]
