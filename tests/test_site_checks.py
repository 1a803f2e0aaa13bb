"""The checks of a whole crawl end to end: each fixture pair fixtures/checks/KS00N/{fails,passes}/ (a small
Danish site) served and crawled in Chromium; every site-check finding on every page is asserted, so a
passing site is also free of the other site checks' findings."""
import pytest

from conftest import ROOT, load_json, run_cli

SITES = ROOT / "fixtures" / "checks"
NAV = "html > body > header > nav"
DUP = ("The title \u201cBorgerservice \u2013 Demo Kommune\u201d is the same on 2 other pages: {0} and {1}; so the "
       "title does not tell the pages apart.")

EXPECTED = {
    ("KS002", "fails"): {
        "/affald.html": [("KS002", "head > title", "The title \u201cDemo Kommune\u201d is only the site's name, which "
                          "every page's title has; it does not say what this page is about.")],
        "/skoler.html": [("KS002", "head > title", DUP.format("/kontakt.html", "/veje.html"))],
        "/veje.html": [("KS002", "head > title", DUP.format("/kontakt.html", "/skoler.html"))],
        "/kontakt.html": [("KS002", "head > title", DUP.format("/skoler.html", "/veje.html"))],
        "/ny.html": [("KS002", "head > title", "The title \u201cNy side\u201d is a placeholder; it does not say what "
                      "the page is about.")],
    },
    ("KS002", "passes"): {},
    ("KS003", "fails"): {
        "/veje.html": [("KS003", NAV, "The navigation \u201cHovedmenu\u201d does not have its links in the same order "
                        "as on the other pages: here \u201cSkoler\u201d comes before \u201cAffald\u201d, but on 2 "
                        "other pages \u201cAffald\u201d comes before \u201cSkoler\u201d.")],
    },
    ("KS003", "passes"): {},
    ("KS004", "fails"): {
        "/skoler.html": [("KS004", NAV + " > ul > li:nth-of-type(4) > a", "The link to /kontakt.html is called "
                          "\u201cSkriv til os\u201d here, but \u201cKontakt\u201d in the same navigation on 3 other "
                          "pages.")],
    },
    ("KS004", "passes"): {},
    ("KS005", "fails"): {
        "/haveaffald.html": [("KS005", "html", "The page can be found in one way only: through links in the text of "
                              "/affald.html. The site has no search and no site map, and no navigation leads here.")],
    },
    ("KS005", "passes"): {},
    ("KS006", "fails"): {
        "/kampagne.html": [("KS006", "html", "The page has no link to an accessibility statement (was.digst.dk); 4 "
                            "other pages have one.")],
    },
    ("KS006", "passes"): {},
}
# what must have a result of the pair's check (no result would pass any expectation of no findings)
OUTCOMES = {
    ("KS005", "passes"): {"/ansoeg/trin-2.html": "inapplicable", "/haveaffald.html": "passed"},
    ("KS006", "passes"): {"/en/index.html": "passed", "/tilgaengelighed.html": "passed", "/veje.html": "passed"},
    ("KS002", "passes"): {"/en/index.html": "passed", "/nyheder.html": "passed"},
    ("KS003", "passes"): {"/affald.html": "passed", "/skoler.html": "passed"},
    ("KS004", "passes"): {"/affald.html": "passed", "/skoler.html": "passed", "/kontakt.html": "passed"},
}


@pytest.mark.parametrize(("code", "kind"), sorted(EXPECTED))
def test_site_check_fixture_pair(code, kind, local_server, tmp_path):
    folder = SITES / code / kind
    routes = {"/" + p.relative_to(folder).as_posix(): (200, "text/html; charset=utf-8", p.read_bytes(), 0)
              for p in sorted(folder.rglob("*.html"))}
    srv = local_server(routes)
    res = run_cli("audit", srv.url("/index.html"), "--crawl", "--workers", "2", "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode in (0, 1), res.stdout + res.stderr
    run = load_json(tmp_path / "r.json")
    paths = {d["url"][len(srv.base):]: d for d in run["documents"]}
    assert set(paths) == set(routes)                   # every page crawled
    found = {path: [(r["code"], f["target"], f["message"]["en"]) for r in d["results"] if r["code"].startswith("KS")
                    for f in r["findings"]] for path, d in paths.items()}
    assert {p: f for p, f in found.items() if f} == EXPECTED[(code, kind)]
    outcomes = {path: next(r["outcome"] for r in d["results"] if r["code"] == code) for path, d in paths.items()}
    assert all(outcomes[p] == "failed" for p in EXPECTED[(code, kind)])
    assert all(o != "failed" for p, o in outcomes.items() if p not in EXPECTED[(code, kind)])
    for path, outcome in OUTCOMES.get((code, kind), {}).items():
        assert outcomes[path] == outcome, (path, outcomes)


def test_pages_reused_by_an_incremental_crawl_are_part_of_the_site(local_server, tmp_path):
    """A second crawl reuses every unchanged page: the site checks still see all of them, and each
    reused document has this run's site results once (those of its first run replaced)."""
    folder = SITES / "KS006" / "fails"
    routes = {"/" + p.relative_to(folder).as_posix(): (200, "text/html; charset=utf-8", p.read_bytes(), 0)
              for p in sorted(folder.rglob("*.html"))}
    srv = local_server(routes)
    runs = []
    for name, extra in (("a", []), ("b", ["--incremental"])):
        res = run_cli("audit", srv.url("/index.html"), "--crawl", "--workers", "2", *extra,
                      "--json", str(tmp_path / f"{name}.json"), "--db", str(tmp_path / "h.sqlite"))
        assert res.returncode in (0, 1), res.stdout + res.stderr
        runs.append(load_json(tmp_path / f"{name}.json"))
    a, b = runs
    assert all(d["reused_from"] == a["id"] for d in b["documents"])

    def site(run):
        return {d["url"]: sorted((r["code"], r["outcome"], [f["message"]["en"] for f in r["findings"]])
                                 for r in d["results"] if r["code"].startswith("KS")) for d in run["documents"]}
    assert site(b) == site(a)
    assert all(len(results) == 6 for results in site(b).values())     # KS001–KS006, each once
    assert site(b)[srv.url("/kampagne.html")][-1][:2] == ("KS006", "failed")
