"""Options per page for plain audits ([[pages]], --header … --exclude-element): real Chromium on
fixtures/page-options and on pages served from 127.0.0.1, exact findings; headers reach only the
page's own origin; secrets never reach what is stored."""
from __future__ import annotations

import sqlite3

import pytest

from audit.pageopts import NONE, PageOptions, cli_pages, options_for, parse_pages, public_pages
from core.errors import UsageError
from conftest import ROOT, failed_findings, html_page, load_json, run_cli

SITE = "fixtures/page-options"
INDEX = f"{SITE}/index.html"
# what the page shows to a first-time visitor at load: the cookie banner's pale text, the chat's
# image without a text and its button without a focus outline (the appointments come 3 s later)
AT_LOAD = [("KA034", "color-contrast", "#cookie-banner > p"), ("KA057", "image-alt", "img"),
           ("KW003", "focus-visible", "#chat > button")]
# the appointments' picture without a text, once they have come
LATE = [("KA057", "image-alt", 'img[src$="klinik.svg"]')]


def _audit(tmp_path, *args, name="r.json"):
    res = run_cli("audit", *args, "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / name), "-q")
    return res, load_json(tmp_path / name)


def test_without_options_the_audit_sees_the_page_as_it_loads(tmp_path):
    res, run = _audit(tmp_path, INDEX)
    assert res.returncode == 1, res.stderr
    assert failed_findings(run) == {INDEX: AT_LOAD}


@pytest.mark.parametrize("options", [
    # consent given by cookie (no banner), wait for the appointments, the chat widget not reported
    ("--cookie", "samtykke=noedvendige", "--wait-for", "#app ul", "--exclude-element", "#chat"),
    # the banner taken out of the page, only the main content checked
    ("--hide-element", "#cookie-banner", "--root-element", "main", "--wait-for", "#app img"),
])
def test_command_line_options_apply_to_every_page(tmp_path, options):
    res, run = _audit(tmp_path, INDEX, *options)
    assert res.returncode == 1, res.stderr
    assert failed_findings(run) == {INDEX: LATE}
    assert run["status"] == "complete"


def test_config_pages_apply_by_match_in_order(tmp_path):
    (tmp_path / "klartjek.toml").write_text(
        '[[pages]]\nmatch = "*index.html"\nwait_for = "#app ul"\nexclude = ["#chat", "#cookie-banner"]\n'
        '[[pages]]\nmatch = "*/page-options/*"\nviewport = "390x844"\n'
        '[[pages]]\nmatch = "*bredde.html"\nviewport = "600x800"\n', encoding="utf-8")
    res = run_cli("audit", str(ROOT / SITE), "--config", str(tmp_path / "klartjek.toml"), "--db",
                  str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "r.json"), "-q")
    assert res.returncode == 1, res.stderr
    run = load_json(tmp_path / "r.json")
    by_path = {d["site_path"]: d for d in run["documents"]}
    assert by_path["bredde.html"]["title"] == "Bredde 600"          # the later table's viewport wins
    assert {d["site_path"]: [(c, n, t) for c, n, t in f] for d in run["documents"]
            for f in [failed_findings({"documents": [d]})[d["url"] or d["path"]]]} == \
        {"bredde.html": [], "index.html": LATE}
    assert run["config"]["pages"][0] == {"match": "*index.html", "wait_for": "#app ul",
                                         "exclude": ["#chat", "#cookie-banner"]}


@pytest.mark.parametrize("table, message", [
    ('exclude = ["a["]', "page option selector 'a[' is not valid CSS; fix the hide, include or exclude entry"),
    ('include = "#nothing"', "page option include '#nothing' finds nothing on the page; nothing would be checked "
                             "(fix the selector or the match)"),
    ('wait_for = "#never"', "the element '#never' (page option wait_for) did not show within 2 s; check the "
                            "selector or raise --timeout"),
])
def test_a_page_option_that_cannot_be_done_is_that_page_s_error(tmp_path, table, message):
    (tmp_path / "k.toml").write_text(f'[[pages]]\nmatch = "*index.html"\n{table}\n', encoding="utf-8")
    res, run = _audit(tmp_path, INDEX, f"{SITE}/bredde.html", "--timeout", "2", "--config", str(tmp_path / "k.toml"))
    assert res.returncode == 2
    assert run["status"] == "partial"
    docs = {d["path"]: d for d in run["documents"]}
    assert docs[INDEX]["status"] == "error"
    assert docs[INDEX]["error"] == f"{INDEX}: {message}"
    assert f"klartjek: {INDEX}: {message}" in res.stderr
    assert "Traceback" not in res.stderr
    assert docs[f"{SITE}/bredde.html"]["status"] == "ok"      # the run goes on with the other pages


def test_headers_and_cookies_reach_only_the_page_s_own_origin_and_secrets_are_never_stored(tmp_path, local_server):
    other = local_server({"/widget.js": (200, "text/javascript", b"window.widget = 1;", 0)})
    page = html_page(f'<p>Velkommen tilbage.</p><script src="{other.url("/widget.js")}"></script>',
                     title="Min side")
    site = local_server({"/min-side": (200, "text/html; charset=utf-8", page, 0),
                         "/fri": (200, "text/html; charset=utf-8", html_page("<p>Fri adgang.</p>", title="Fri"), 0)})
    token = "tok-4f9a1c77e2"
    (tmp_path / "klartjek.toml").write_text(
        '[[pages]]\nmatch = "*/min-side"\nheaders.Authorization = "Bearer ${env:KT_TEST_TOKEN}"\n'
        'cookies.session = "${env:KT_TEST_TOKEN}"\n', encoding="utf-8")
    res = run_cli("audit", site.url("/min-side"), site.url("/fri"), "--config", str(tmp_path / "klartjek.toml"),
                  "--header", "X-Klartjek-Test: literal-value-9", "--allow-host", other.base.split("//")[1],
                  "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "r.json"), "-q",
                  env={"KT_TEST_TOKEN": token})
    assert res.returncode in (0, 1) and load_json(tmp_path / "r.json")["status"] == "complete", res.stderr
    seen = {path: headers for path, headers in site.httpd.headers}
    assert seen["/min-side"]["Authorization"] == f"Bearer {token}"
    assert seen["/min-side"]["X-Klartjek-Test"] == "literal-value-9"
    assert seen["/min-side"]["Cookie"] == f"session={token}"
    assert "Authorization" not in seen["/fri"] and "Cookie" not in seen["/fri"]   # the table matched one page
    assert seen["/fri"]["X-Klartjek-Test"] == "literal-value-9"                    # the command line: every page
    widget = [h for p, h in other.httpd.headers if p == "/widget.js"]
    assert widget and all("Authorization" not in h and "X-Klartjek-Test" not in h for h in widget)
    run = load_json(tmp_path / "r.json")
    assert run["config"]["pages"] == [
        {"match": "*/min-side", "headers": {"Authorization": "Bearer ${env:KT_TEST_TOKEN}"},
         "cookies": {"session": "${env:KT_TEST_TOKEN}"}},
        {"match": "*", "headers": {"X-Klartjek-Test": "•••"}}]
    stored = (tmp_path / "h.sqlite").read_bytes() + (tmp_path / "r.json").read_bytes()
    assert token.encode() not in stored and b"literal-value-9" not in stored
    with sqlite3.connect(tmp_path / "h.sqlite") as db:
        assert token not in repr(db.execute("select * from runs").fetchall())


def test_an_unset_secret_is_an_error_of_the_pages_it_matches(tmp_path, local_server):
    site = local_server({"/a": (200, "text/html; charset=utf-8", html_page("<p>A.</p>", title="A"), 0)})
    (tmp_path / "k.toml").write_text('[[pages]]\nheaders.Authorization = "${env:KT_UNSET_VAR_X}"\n',
                                     encoding="utf-8")
    res, run = _audit(tmp_path, site.url("/a"), "--config", str(tmp_path / "k.toml"))
    assert res.returncode == 2
    assert run["documents"][0]["error"] == (
        f"{site.url('/a')}: pages #1 (*): the environment variable KT_UNSET_VAR_X is not set; set it (e.g. as a CI "
        "secret) or remove it from the [[pages]] table")


# -- the configuration, without a browser ------------------------------------------------------------

@pytest.mark.parametrize("tables, message", [
    ([{"match": "*", "colour": "red"}], "pages #1: unknown key 'colour'; known keys: match, headers, cookies, "
                                        "wait_for, hide, include, exclude, viewport"),
    ([{"match": "*"}], "pages #1: says nothing to do; give headers, cookies, wait_for, hide, include, exclude or "
                       "viewport"),
    ([{"headers": {"Cookie": "a=b"}}], "pages #1: the header 'Cookie' is set by the browser; use 'cookies' for "
                                       "cookies"),
    ([{"headers": {"Bad Name": "x"}}], "pages #1: headers name 'Bad Name' is not a valid header name"),
    ([{"headers": {"X-A": "a\r\nX-B: b"}}], "pages #1: the value of header 'X-A' holds a character it may not "
                                            "hold (line breaks)"),
    ([{"cookies": {"s": "a;b"}}], "pages #1: the value of cookie 's' holds a character it may not hold "
                                  "(space, ; , \" or \\)"),
    ([{"hide": []}], "pages #1: 'hide' must be a CSS selector or a list of them"),
    ([{"wait_for": ["#a", "#b"]}], "pages #1: 'wait_for' must be one CSS selector"),
    ([{"viewport": "wide"}], "pages #1: 'viewport' is 'wide'; give WIDTHxHEIGHT in CSS pixels, e.g. 320x640 or "
                             "1280x900"),
    ({"match": "*"}, "'pages' must be a list of tables ([[pages]]); see docs/page-options.md"),
])
def test_bad_pages_tables_are_named(tables, message):
    with pytest.raises(UsageError) as exc:
        parse_pages(tables, "klartjek.toml")
    assert str(exc.value) == f"klartjek.toml: {message}"


def test_options_merge_in_order_and_resolve_secrets():
    pages = parse_pages([
        {"match": "*/mineaftaler/*", "headers": {"Accept-Language": "da"}, "hide": "#chat", "viewport": "390x844"},
        {"match": "*/mineaftaler/profil*", "headers": {"accept-language": "en", "Authorization": "Bearer ${env:T}"},
         "cookies": {"samtykke": "ja"}, "include": ["main", "#hjaelp"]},
        {"match": "*.pdf", "wait_for": "#x"},
    ], "k.toml")
    opts = options_for(pages, "https://r.dk/mineaftaler/profil", None, {"T": "s3"})
    assert opts == PageOptions(headers={"accept-language": "en", "Authorization": "Bearer s3"},
                               cookies={"samtykke": "ja"}, hide=("#chat",), include=("main", "#hjaelp"),
                               viewport=(390, 844), secrets=("s3",))
    assert opts.scoped and opts.in_page
    only_first = options_for(pages, "https://r.dk/mineaftaler/liste", None, {})
    assert only_first.headers == {"Accept-Language": "da"} and not only_first.scoped
    assert options_for(pages, "https://r.dk/andet", None, {}) is NONE
    assert options_for(pages, "site/x.html", "da/mineaftaler/profil.html", {"T": "1"}).include == ("main", "#hjaelp")
    with pytest.raises(UsageError, match="the environment variable T is not set"):
        options_for(pages, "https://r.dk/mineaftaler/profil", None, {})


def test_recorded_tables_mask_written_values_and_keep_env_references():
    pages = parse_pages([{"headers": {"A": "plain", "B": "${env:B}", "C": "x ${env:C}"}, "cookies": {"k": "v"}}], "k")
    assert public_pages(pages) == [{"match": "*", "headers": {"A": "•••", "B": "${env:B}", "C": "x ${env:C}"},
                                    "cookies": {"k": "•••"}}]
    assert pages[0]["headers"]["A"] == "plain"                      # the run's own tables are untouched


@pytest.mark.parametrize("args, message", [
    ((["NoColon"], [], None, [], [], []), "--header 'NoColon': give \"Name: value\", e.g. --header "
                                          "\"Accept-Language: da\""),
    (([], ["novalue"], None, [], [], []), "--cookie 'novalue': give name=value, e.g. --cookie consent=necessary"),
])
def test_bad_command_line_options_are_named(args, message):
    with pytest.raises(UsageError) as exc:
        cli_pages(*args)
    assert str(exc.value) == message


def test_command_line_options_make_one_table_for_every_page():
    assert cli_pages([], [], None, [], [], []) is None
    assert cli_pages(["X-A: 1 2"], ["c=d"], "#app", ["#chat"], ["main"], [".ad"]) == {
        "match": "*", "headers": {"X-A": "1 2"}, "cookies": {"c": "d"}, "wait_for": "#app", "hide": ["#chat"],
        "include": ["main"], "exclude": [".ad"]}
