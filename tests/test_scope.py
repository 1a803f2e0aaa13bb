"""Every request of an audit stays in scope, redirects included: klartjek's own (robots.txt,
sitemaps, letters a crawl finds) as well as the browser's; a page that navigates elsewhere is not
audited as if it were that page; downloads have a deadline of their own (docs/security.md)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import ROOT, html_page, load_json, run_cli

PDF = (ROOT / "fixtures" / "letters" / "pdf" / "good.pdf").read_bytes()


def redirect(to: str):
    return (302, "text/plain", to.encode(), 0)


def test_own_fetches_never_follow_a_redirect_out_of_scope(local_server, tmp_path):
    other = local_server({})                  # another port on this machine: another origin
    site = local_server({
        "/": (200, "text/html; charset=utf-8", html_page('<p>Se <a href="/brev.pdf">brevet</a>.</p>'), 0),
        "/robots.txt": redirect(other.url("/robots-leak.txt")),
        "/sitemap.xml": redirect(other.url("/sitemap-leak.xml")),
        "/brev.pdf": redirect(other.url("/leaked-by-redirect.pdf")),
    })
    for block in (True, False):
        res = run_cli("audit", site.url("/"), "--crawl", "--workers", "1", "--json", str(tmp_path / "r.json"),
                      "--db", str(tmp_path / "h.sqlite"), block_external=block)
        assert res.returncode == 2, res.stderr
        run = load_json(tmp_path / "r.json")
        letter = next(d for d in run["documents"] if d["kind"] == "letter")
        why = ("outside the hosts the audit may reach (add it with --allow-host)" if block
               else "outside the audit's scope")
        assert letter["error"] == (f"{site.url('/brev.pdf')}: could not download the letter (redirected to "
                                   f"{other.url('/leaked-by-redirect.pdf')}: {why}); check the URL")
        if block:
            assert other.httpd.seen == []     # robots.txt and sitemap.xml redirects were refused too
            assert run["crawl"]["sitemap_errors"] == [
                f"{site.url('/sitemap.xml')}: could not fetch the sitemap (redirected to "
                f"{other.url('/sitemap-leak.xml')}: outside the hosts the audit may reach (add it with "
                "--allow-host))"]
    # without --block-external robots.txt and sitemaps may move to another host (as the browser
    # may); a letter never leaves the audit's scope
    assert sorted(p for p, _ in other.httpd.seen) == ["/robots-leak.txt", "/sitemap-leak.xml"]


def test_a_missing_sitemap_is_no_error_but_a_listed_one_is(local_server, tmp_path):
    page = html_page("<p>Forside.</p>")
    plain = local_server({"/": (200, "text/html; charset=utf-8", page, 0)})
    res = run_cli("audit", plain.url("/"), "--crawl", "--json", str(tmp_path / "a.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stderr
    assert load_json(tmp_path / "a.json")["crawl"]["sitemap_errors"] == []
    listed = local_server({"/": (200, "text/html; charset=utf-8", page, 0),
                           "/robots.txt": (200, "text/plain", b"Sitemap: /kort.xml\n", 0)})
    res = run_cli("audit", listed.url("/"), "--crawl", "--json", str(tmp_path / "b.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert load_json(tmp_path / "b.json")["crawl"]["sitemap_errors"] == [
        f"{listed.url('/kort.xml')}: could not fetch the sitemap (HTTP 404)"]


class Trickle(BaseHTTPRequestHandler):
    """A PDF sent one byte a second (a slow-loris download), and a page linking it."""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        if self.path == "/":
            body = html_page('<p>Se <a href="/langsom.pdf">brevet</a>.</p>')
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path != "/langsom.pdf":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        try:
            for b in PDF:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass


def trickle_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_a_trickling_download_ends_at_its_deadline(tmp_path):
    httpd, base = trickle_server()
    try:
        (tmp_path / "k.toml").write_text("[letters]\ndownload_timeout = 3\n")
        started = time.monotonic()
        res = run_cli("letter", base + "/langsom.pdf", "--config", str(tmp_path / "k.toml"),
                      "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"))
        took = time.monotonic() - started
    finally:
        httpd.shutdown()
    assert res.returncode == 2
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert doc["error"] == (f"{base}/langsom.pdf: could not download the letter (no complete answer within "
                            "3 s); check the URL")
    assert took < 30          # not the 300 s the byte-a-second PDF would take


def test_sigterm_ends_a_crawl_held_by_a_trickling_download_within_two_seconds(tmp_path):
    httpd, base = trickle_server()
    db = tmp_path / "h.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "audit", "--block-external", base + "/", "--crawl",
                             "--workers", "1", "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:       # the page is done; the letter is downloading
            try:
                if db.exists() and _count(db, "select count(*) from documents") >= 1:
                    break
            except sqlite3.OperationalError:     # the tables are being made
                pass
            time.sleep(0.1)
        time.sleep(1.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
        httpd.shutdown()
    assert proc.returncode == 130, err
    assert "interrupted; the finished documents are kept in run" in err and "Traceback" not in err
    assert took < 2.5, took
    assert _count(db, "select status from runs") == "partial"
    assert _count(db, "select count(*) from documents where status = 'ok'") == 1


def _count(db, sql):
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchone()[0]


def nav_routes(outside: str):
    return {
        "/ud.html": (200, "text/html; charset=utf-8",
                     html_page(f"<p>Væk.</p><script>location.href = '{outside}'</script>", title="Ud"), 0),
        "/ind.html": (200, "text/html; charset=utf-8",
                      html_page("<p>Videre.</p><script>location.href = '/maal.html'</script>", title="Ind"), 0),
        "/maal.html": (200, "text/html; charset=utf-8", html_page("<p>Målet.</p>", title="Målet"), 0),
        "/flyttet.html": redirect(outside),
        "/fil": (200, "application/octet-stream", b"\x00" * 2000, 0),
    }


def test_a_page_that_navigates_away_is_an_error_and_one_that_stays_in_the_site_is_audited_where_it_lands(
        local_server, tmp_path):
    outside = local_server({"/andet.html": (200, "text/html; charset=utf-8", html_page("<p>Andet sted.</p>",
                                                                                      title="Andet"), 0)})
    site = local_server(nav_routes(outside.url("/andet.html")))
    for block in (True, False):
        res = run_cli("audit", *(site.url(p) for p in ("/ud.html", "/ind.html", "/flyttet.html", "/fil")),
                      "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"), block_external=block)
        assert res.returncode == 2, res.stderr
        docs = {d["url"]: d for d in load_json(tmp_path / "r.json")["documents"]}
        gone = docs[site.url("/ud.html")]
        landed = outside.url("/andet.html")      # blocked or not: where it tried to go
        assert (gone["status"], gone["error"], gone["results"]) == (
            "error", f"{site.url('/ud.html')}: the page went on to {landed}, outside the audit's scope; "
            "not audited", [])
        inside = docs[site.url("/ind.html")]
        assert (inside["status"], inside["title"], inside["final_url"]) == ("ok", "Målet", site.url("/maal.html"))
        moved = docs[site.url("/flyttet.html")]
        if block:
            assert moved["error"] == (f"{site.url('/flyttet.html')}: blocked: host outside the audit's allowed "
                                      "hosts (add it with --allow-host)")
        else:
            assert moved["error"] == (f"{site.url('/flyttet.html')}: redirected to {outside.url('/andet.html')}, "
                                      "outside the audit's scope; not audited (audit that URL itself if it is meant)")
        assert docs[site.url("/fil")]["error"] == (
            f"{site.url('/fil')}: the server sent a file to download, not a page; check the URL (PDF and Word "
            "files are checked as letters: klartjek letter URL)")
    assert [p for p, _ in outside.httpd.seen if p != "/favicon.ico"] == ["/andet.html", "/andet.html"]


def test_identical_responses_of_one_site_are_one_document_with_aliases(local_server, tmp_path):
    home = html_page('<p>Forside. <a href="/index.html">Hjem</a> <a href="/om.html">Om os</a></p>', title="Forside")
    site = local_server({"/": (200, "text/html; charset=utf-8", home, 0),
                         "/index.html": (200, "text/html; charset=utf-8", home, 0),
                         "/om.html": (200, "text/html; charset=utf-8", html_page("<p>Om os.</p>", title="Om"), 0)})
    res = run_cli("audit", site.url("/"), "--crawl", "--workers", "1", "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stderr
    run = load_json(tmp_path / "r.json")
    assert [(d["url"], d["aliases"]) for d in run["documents"]] == [
        (site.url("/"), [site.url("/index.html")]), (site.url("/om.html"), [])]
    assert run["crawl"]["skipped"]["duplicate (identical response)"] == 1
    shown = run_cli("show", run["id"], "--db", str(tmp_path / "h.sqlite"))
    assert shown.returncode in (0, 1)
