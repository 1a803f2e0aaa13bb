"""Crawling a local site on 127.0.0.1: robots.txt, a sitemap index with a gzip sitemap, pages only
reachable by links, an out-of-scope link, a redirect, a robots.txt Disallow, a crawl trap and a PDF."""
import gzip
import re

from audit.crawl import normalise, url_pattern
from conftest import ROOT, html_page, load_json, run_cli


def page(body: str, title: str = "Side", head: str = "") -> bytes:
    html = html_page(body, title=title).decode()
    return html.replace("</head>", head + "</head>").encode()


def site(base_holder):
    b = lambda p: base_holder[0] + p  # noqa: E731
    sm = lambda urls: ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'  # noqa: E731
                       'sitemap/0.9">' + "".join(f"<url><loc>{b(u)}</loc></url>" for u in urls) + "</urlset>").encode()

    def calendar(path):
        n = int(re.search(r"dato=(\d+)", path).group(1))
        return 200, "text/html; charset=utf-8", page(f'<a href="/kalender?dato={n + 1}">Næste dag</a>', f"Dag {n}"), 0

    html = "text/html; charset=utf-8"
    return {
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /privat/\nSitemap: /sitemap-index.xml\n", 0),
        "/sitemap-index.xml": lambda p: (200, "application/xml", (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{b('/sitemap-a.xml')}</loc></sitemap><sitemap><loc>{b('/sitemap-b.xml.gz')}</loc>"
            "</sitemap></sitemapindex>").encode(), 0),
        "/sitemap-a.xml": lambda p: (200, "application/xml", sm(["/", "/om.html", "/privat/hemmelig.html"]
                                                                     + [f"/nyheder/{i}.html" for i in range(1, 6)]), 0),
        "/sitemap-b.xml.gz": lambda p: (200, "application/gzip", gzip.compress(sm(["/kontakt.php?side=1"])), 0),
        "/": (200, html, page('<a href="/om.html">Om os</a> <a href="/dybt/1.html">Dybt</a> '
                              '<a href="https://eksternt.invalid/x">Ude</a> <a href="/gammel.html">Gammel</a> '
                              '<a href="/brev.pdf">Brev</a> <a href="/kalender?dato=1">Kalender</a> '
                              '<a href="mailto:a@b.dk">Skriv</a> <a href="/om.html#top">Om os igen</a>', "Forside"), 0),
        "/om.html": lambda p: (200, html, page("<p>Om hospitalet.</p>", "Om os",
                                               f'<link rel="canonical" href="{b("/om.html")}">'), 0),
        "/gammel.html": lambda p: (301, html, b("/om.html").encode(), 0),
        "/dybt/1.html": (200, html, page('<a href="/dybt/2.html">Videre</a>', "Dybt 1"), 0),
        "/dybt/2.html": (200, html, page("<p>Bunden.</p>", "Dybt 2"), 0),
        "/kalender": calendar,
        "/kontakt.php": (200, html, page("<p>Kontakt.</p>", "Kontakt"), 0),
        "/privat/hemmelig.html": (200, html, page("<p>Hemmelig.</p>", "Hemmelig"), 0),
        "/brev.pdf": (200, "application/pdf", (ROOT / "fixtures/letters/pdf/good.pdf").read_bytes(), 0),
    } | {f"/nyheder/{i}.html": (200, html, page(f"<p>Nyhed {i}.</p>", f"Nyhed {i}"), 0) for i in range(1, 6)}


def test_crawl_finds_exactly_the_expected_set(local_server, tmp_path):
    holder = [""]
    srv = local_server(site(holder))
    holder[0] = srv.base
    (tmp_path / "klartjek.toml").write_text("[crawl]\ntrap_limit = 3\n")
    res = run_cli("audit", srv.url("/"), "--crawl", "--workers", "1", "--config", str(tmp_path / "klartjek.toml"),
                  "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stderr
    run = load_json(tmp_path / "r.json")
    pages = sorted(d["url"].replace(srv.base, "") for d in run["documents"] if d["kind"] == "page")
    assert pages == (["/", "/dybt/1.html", "/dybt/2.html", "/kalender?dato=1", "/kalender?dato=2",
                     "/kalender?dato=3", "/kontakt.php?side=1"]
                     + [f"/nyheder/{i}.html" for i in range(1, 6)] + ["/om.html"])   # the sitemap's: never a trap
    assert all(d["status"] == "ok" for d in run["documents"] if d["kind"] == "page")
    letters = [d for d in run["documents"] if d["kind"] == "letter"]
    assert [(d["url"].replace(srv.base, ""), d["status"]) for d in letters] == [("/brev.pdf", "ok")]
    # the linked PDF is read and checked as a letter: PDF/UA checks ran and passed
    pdf_results = {r["code"]: r["outcome"] for r in letters[0]["results"] if r["category"] == "letter-structure"}
    assert pdf_results["KP001"] == pdf_results["KP002"] == "passed"
    failed = [r["code"] for r in letters[0]["results"] if r["outcome"] == "failed"]
    assert [c for c in failed if c[:2] in ("KP", "KA")] == []
    crawl = run["crawl"]
    assert crawl["skipped"]["disallowed by robots.txt"] == 1
    assert crawl["skipped"]["out of scope"] == 1
    assert crawl["skipped"]["crawl trap"] == 1
    assert crawl["duplicates"] == 1                       # /gammel.html redirects to /om.html
    assert crawl["trapped_patterns"] == {f"127.0.0.1:{srv.base.rsplit(':', 1)[1]}/kalender?dato": 1}
    assert crawl["letters"] == 1 and crawl["sitemap_errors"] == []
    assert run["status"] == "complete"
    agents = {ua for path, ua in srv.httpd.seen}
    assert agents and all("klartjek/" in ua for ua in agents)        # robots, sitemaps and the browser


def test_max_pages_include_exclude_and_ignore_robots(local_server, tmp_path):
    holder = [""]
    srv = local_server(site(holder))
    holder[0] = srv.base
    res = run_cli("audit", srv.url("/"), "--crawl", "--workers", "1", "--max-pages", "3",
                  "--json", str(tmp_path / "a.json"), "--db", str(tmp_path / "h.sqlite"))
    pages = [d for d in load_json(tmp_path / "a.json")["documents"] if d["kind"] == "page"]
    assert len(pages) == 3 and res.returncode in (0, 1)
    run_cli("audit", srv.url("/"), "--crawl", "--workers", "1", "--exclude", "*/kalender*", "--ignore-robots",
            "--include", f"{srv.base}/*", "--json", str(tmp_path / "b.json"), "--db", str(tmp_path / "h.sqlite"))
    urls = {d["url"].replace(srv.base, "") for d in load_json(tmp_path / "b.json")["documents"]}
    assert "/privat/hemmelig.html" in urls and not any(u.startswith("/kalender") for u in urls)


def test_normalisation_and_patterns():
    assert normalise("HTTP://Example.DK:80/a?utm_source=x&b=2#frag") == "http://example.dk/a?b=2"
    assert normalise("https://example.dk:443") == "https://example.dk/"
    assert normalise("https://example.dk:8443/x") == "https://example.dk:8443/x"
    assert url_pattern("http://h/kalender/2026/03?dato=17&vis=uge") == "h/kalender/N/N?dato&vis"


def test_incremental_reaudits_only_the_changed_page(tmp_path):
    import shutil

    from conftest import ROOT
    site = tmp_path / "site"
    shutil.copytree(ROOT / "fixtures" / "site", site)
    db = str(tmp_path / "h.sqlite")
    first = run_cli("audit", "site", "--json", str(tmp_path / "a.json"), "--db", db, cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    page = site / "parkering.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "<p>Ny tekst om parkering.</p></main>"),
                    encoding="utf-8")
    second = run_cli("audit", "site", "--incremental", "--json", str(tmp_path / "b.json"), "--db", db, cwd=tmp_path)
    assert second.returncode == 1, second.stderr
    a, b = load_json(tmp_path / "a.json"), load_json(tmp_path / "b.json")
    rendered = [d["path"] for d in b["documents"] if d["reused_from"] is None]
    assert rendered == ["site/parkering.html"]
    assert all(d["reused_from"] == a["id"] for d in b["documents"] if d["path"] != "site/parkering.html")
    assert f"Reused {len(a['documents']) - 1} unchanged document(s) from run {a['id']}." in second.stdout
    strip = lambda d: {k: v for k, v in d.items() if k not in ("started_at", "ended_at", "reused_from")}  # noqa: E731
    for da, db_ in zip(a["documents"], b["documents"], strict=True):
        if da["path"] != "site/parkering.html":
            assert strip(da) == strip(db_)                 # identical results, findings, scores
    changed = next(d for d in b["documents"] if d["path"] == "site/parkering.html")
    old = next(d for d in a["documents"] if d["path"] == "site/parkering.html")
    assert changed["content_hash"] != old["content_hash"]


def test_browser_contexts_are_replaced_after_recycle_after_documents(local_server, tmp_path):
    """Each page sets a cookie; a request without one is the first of a fresh browser context. With
    browser.recycle_after = 3, seven pages go to three contexts, and the results are those of one."""
    script = '<script>document.cookie = "k=1; path=/";</script>'
    pages = {f"/p{i}.html": (200, "text/html; charset=utf-8", page(f"<p>Side {i}.</p><img src=x.png>{script}",
                                                                  f"Side {i}"), 0) for i in range(1, 8)}
    srv = local_server(pages)
    urls = [srv.url(f"/p{i}.html") for i in range(1, 8)]
    findings = {}
    for recycle in (3, 200):
        srv.httpd.cookies.clear()
        (tmp_path / "k.toml").write_text(f"[browser]\nrecycle_after = {recycle}\n")
        res = run_cli("audit", *urls, "--workers", "1", "--config", str(tmp_path / "k.toml"),
                      "--json", str(tmp_path / f"{recycle}.json"), "--db", str(tmp_path / "h.sqlite"))
        assert res.returncode == 1, res.stderr
        fresh = [path for path, cookie in srv.httpd.cookies if path.endswith(".html") and not cookie]
        assert fresh == (["/p1.html", "/p4.html", "/p7.html"] if recycle == 3 else ["/p1.html"])
        run = load_json(tmp_path / f"{recycle}.json")
        assert run["status"] == "complete" and len(run["documents"]) == 7
        findings[recycle] = [sorted((r["name"], f["target"]) for r in d["results"] for f in r["findings"]
                                    if f["outcome"] == "failed") for d in run["documents"]]
    assert findings[3] == findings[200]
    assert all(("image-alt", "img") in doc for doc in findings[3])       # image-alt on every page


def test_a_broken_link_is_a_finding_on_the_page_that_links_it_and_the_run_stays_complete(local_server, tmp_path):
    html = "text/html; charset=utf-8"
    srv = local_server({
        "/": (200, html, page('<a href="/om.html">Om os</a> <a href="/findes-ikke.html">Væk</a> '
                              '<a href="/slettet.pdf">Gammelt brev</a>', "Forside"), 0),
        "/om.html": (200, html, page('<a href="/">Forside</a> <a href="/fjernet.html">Fjernet</a>', "Om os"), 0),
        "/fjernet.html": (410, html, page("<p>Væk.</p>", "Væk"), 0),
    })
    res = run_cli("audit", srv.url("/"), "--crawl", "--workers", "1", "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stderr            # not 2: the site itself was audited
    run = load_json(tmp_path / "r.json")
    assert run["status"] == "complete"
    assert [d["url"] for d in run["documents"]] == [srv.url("/"), srv.url("/om.html")]
    found = {d["url"]: [(r["outcome"], [(f["target"], f["message"]["en"]) for f in r["findings"]])
                        for r in d["results"] if r["code"] == "KS001"] for d in run["documents"]}
    assert found == {
        srv.url("/"): [("failed", [
            (srv.url("/findes-ikke.html"), f"The link leads to a page that does not exist (HTTP 404): "
                                           f"\u201c{srv.url('/findes-ikke.html')}\u201d."),
            (srv.url("/slettet.pdf"), f"The link leads to a page that does not exist (HTTP 404): "
                                      f"\u201c{srv.url('/slettet.pdf')}\u201d.")])],
        srv.url("/om.html"): [("failed", [
            (srv.url("/fjernet.html"), f"The link leads to a page that does not exist (HTTP 410): "
                                       f"\u201c{srv.url('/fjernet.html')}\u201d.")])],
    }
    assert [(b["url"], b["status"], b["found_on"]) for b in run["crawl"]["broken_links"]] == [
        (srv.url("/findes-ikke.html"), 404, srv.url("/")), (srv.url("/fjernet.html"), 410, srv.url("/om.html")),
        (srv.url("/slettet.pdf"), 404, srv.url("/"))]
    gate = run_cli("gate", run["id"], "--no-baseline", "--fail-on", "critical", "--db", str(tmp_path / "h.sqlite"))
    assert "partial" not in gate.stdout
