"""Shared test helpers. Browser tests use a real Chromium on pages served from 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KLARTJEK = [sys.executable, "-m", "cli"]


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 300,
            block_external: bool = True, input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run the real `klartjek` command in a subprocess (audits always with --block-external)."""
    argv = list(args)
    if block_external and argv and argv[0] in ("audit", "journey"):
        argv.insert(1, "--block-external")
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    return subprocess.run([*KLARTJEK, *argv], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, input=input_text)


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def failed_findings(run: dict, categories: tuple[str, ...] = ("wcag", "best-practice")
                    ) -> dict[str, list[tuple[str, str, str]]]:
    """document location → sorted (code, name, target) of its failed findings of checks in
    ``categories`` (by default the page accessibility checks: WCAG and best practice)."""
    out = {}
    for doc in run["documents"]:
        loc = doc["url"] or doc["path"]
        out[loc] = sorted((r["code"], r["name"], f["target"]) for r in doc["results"]
                          for f in r["findings"] if f["outcome"] == "failed" and r["category"] in categories)
    return out


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("User-Agent", "")))
        self.server.cookies.append((self.path, self.headers.get("Cookie")))
        self.server.headers.append((self.path, dict(self.headers.items())))
        route = self.routes.get(self.path) or self.routes.get(self.path.split("?")[0])
        if callable(route):
            route = route(self.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!doctype html><title>404</title><h1>Not found</h1>")
            return
        status, ctype, body, delay = route
        if delay:
            time.sleep(delay)
        self.send_response(status)
        if status in (301, 302, 307, 308):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class LocalServer:
    """A small HTTP server on 127.0.0.1 with fixed routes: path → (status, type, body, delay), or
    path → a function of the full path giving that tuple. For a redirect the body is the Location."""

    def __init__(self, routes: dict) -> None:
        handler = type("H", (_Handler,), {"routes": routes})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.seen = []            # (path, User-Agent) of every request
        self.httpd.cookies = []         # (path, Cookie header or None) of every request
        self.httpd.headers = []         # (path, every header) of every request
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    servers = []

    def make(routes: dict) -> LocalServer:
        s = LocalServer(routes)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def html_page(body: str, lang: str = "da", title: str = "Testside") -> bytes:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f'</head><body><main><h1>{title}</h1>{body}</main></body></html>').encode()


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory):
    """The demo site audited twice and its clean twin once (with best practices), as JSON."""
    tmp = tmp_path_factory.mktemp("demo")
    db = str(tmp / "h.sqlite")
    out = {}
    for name, args in (("site", ["fixtures/site", "--screenshots", "on"]), ("site2", ["fixtures/site"]),
                       ("clean", ["fixtures/site-clean", "--best-practices"])):
        res = run_cli("audit", *args, "--json", str(tmp / f"{name}.json"), "--db", db)
        out[name] = (res, load_json(tmp / f"{name}.json"))
    out["db"] = db
    return out


@pytest.fixture
def browser_page():
    """Evaluate a JS expression in a real Chromium page that has axe-core loaded."""

    async def evaluate(expression: str):
        from playwright.async_api import async_playwright

        from audit.browser import find_chromium, launch
        from audit.gather import new_context

        async with async_playwright() as pw:
            browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
            try:
                context = await new_context(browser)
                page = await context.new_page()
                await page.set_content("<!doctype html><html lang='da'><title>t</title></html>")
                return await page.evaluate(expression)
            finally:
                await browser.close()

    return evaluate


@pytest.fixture
def pg_url():
    """A fresh, empty database on the PostgreSQL server that scripts/test starts on 127.0.0.1
    (KLARTJEK_TEST_PG_URL), dropped afterwards. Skipped without a server, unless
    KLARTJEK_REQUIRE_PG=1 (.ci/run sets it): then a missing server fails the test."""
    base = os.environ.get("KLARTJEK_TEST_PG_URL")
    if not base:
        if os.environ.get("KLARTJEK_REQUIRE_PG") == "1":
            pytest.fail("KLARTJEK_REQUIRE_PG=1 but no PostgreSQL server: run the tests with bash scripts/test")
        pytest.skip("no PostgreSQL server: bash scripts/test starts one (KLARTJEK_TEST_PG_URL)")
    import secrets

    import sqlalchemy as sa

    name = "t_" + secrets.token_hex(6)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
