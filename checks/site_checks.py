"""Checks of a whole crawl (codes KS…): pure functions of the ``site`` artifact the crawl makes.

``site``: {"pages": [page, …], "broken": {normalised URL: {"url": str, "status": int}}}, a page:
    {"location": str, "links": [normalised URL, …], "title": str | None, "lang": str | None,
     "aliases": [other URLs of the same response, …] (optional),
     "search": bool, "link_names": [[normalised URL, name], …],
     "nav": [{"label": str | None, "region": "banner" | "contentinfo" | "complementary" | "main" | None,
              "lang": str | None, "sel": CSS selector, "links": [[normalised URL, name, selector below the
              nav], …]}, …]}
``search``, ``link_names`` and ``nav`` are None for a page stored by a klartjek that did not gather them
(unknown, not absent): the checks that read them give such a page no result.
Each answers per page: {page location: [findings]} ([] passed); a page not answered gets no result.

How many pages a check needs (a crawl of fewer gives no result, never "passed"): broken-link and
accessibility-statement 1, page-titled 2, consistent-navigation and consistent-identification 3 (a
navigation block is "repeated" when it is on at least 3 pages), multiple-ways 5.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from checks.common import finding
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, SiteVerdict, family
from core.model import Category, Impact, Outcome, TargetKind

site_check = family("site", applies_to=("site",), requires=("site",))


@site_check(code="KS001", name="broken-link", category=Category.QUALITY, impact=Impact.SERIOUS,
            target=TargetKind.URL, related_wcag=("2.4.4",),
            title={"da": "Linket fører ingen steder hen", "en": "The link leads nowhere"},
            description={"da": "Et link til en side, der ikke findes (HTTP 404 eller 410), efterlader borgeren "
                               "uden vej videre.",
                         "en": "A link to a page that does not exist (HTTP 404 or 410) leaves the citizen with no "
                               "way on."})
def broken_link(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    site = artifacts["site"]
    broken = site.get("broken") or {}
    out: SiteVerdict = {}
    for page in site.get("pages") or []:
        found = []
        for link in dict.fromkeys(page.get("links") or []):
            dead = broken.get(link)
            if dead is None:
                continue
            status, url = dead["status"], dead["url"]
            found.append(finding(url, f'<a href="{url}">', {
                "da": f"Linket fører til en side, der ikke findes (HTTP {status}): »{url}«.",
                "en": f"The link leads to a page that does not exist (HTTP {status}): \u201c{url}\u201d."}, {
                "da": "Ret linket, så det peger på den rigtige side, eller fjern det.",
                "en": "Correct the link so that it points to the right page, or remove it."}))
        out[page["location"]] = found
    return out


# -- shared: pages, places, names ------------------------------------------------------------------

INDEX_FILE = re.compile(r"/(?:index|default|forside)\.(?:s?html?|php|aspx?|jsp)$", re.I)
LANGUAGES = ("da|en|de|sv|no|nb|nn|fi|is|fo|kl|fr|es|it|nl|pl|pt|ro|lt|lv|et|uk|ru|ar|tr|so|ur|fa|ti|prs|ps|"
             "ku|sq|bs|hr|sr|vi|th|zh")
LANG_LAST = re.compile(rf"/(?:{LANGUAGES})(?:[-_][a-z]{{2}})?$", re.I)


def _pages(artifacts: Artifacts) -> list[dict[str, Any]]:
    return list(artifacts["site"].get("pages") or [])


def _place(url: str) -> tuple[str, str]:
    """A page's origin and its path as a reader sees the page: no trailing slash, no index file."""
    p = urlsplit(url)
    path = INDEX_FILE.sub("/", unquote(p.path) or "/")
    return f"{p.scheme}://{p.netloc}", (path.rstrip("/") or "/")


def _homes(pages: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """The places of the site's front pages: "/" of each origin, the folder every page lies in (a crawl
    of https://x.dk/borger/), and a language's front page below one of those (/en, /da-dk, /borger/en)."""
    places = [_place(p["location"]) for p in pages]
    homes = {(o, "/") for o, _ in places}
    for origin in {o for o, _ in places}:
        parts = [path.strip("/").split("/") if path != "/" else [] for o, path in places if o == origin]
        common: list[str] = []
        for segs in zip(*parts, strict=False):
            if len(set(segs)) != 1:
                break
            common.append(segs[0])
        if common and len(parts) > 1:
            homes.add((origin, "/" + "/".join(common)))
    # a language's front page: /en, or /en below a front page (a crawl of https://x.dk/borger/ has /borger/en)
    homes |= {(o, path) for o, path in places if (m := LANG_LAST.search(path))
              and (o, path[:m.start()] or "/") in homes}
    return homes


def _is_home(page: dict[str, Any], homes: set[tuple[str, str]]) -> bool:
    return _place(page["location"]) in homes


def _shown(url: str, here: str) -> str:
    """A URL as a message names it: its path (and query) on this page's site, else in full."""
    p, h = urlsplit(url), urlsplit(here)
    if (p.scheme, p.netloc) == (h.scheme, h.netloc):
        return unquote(p.path or "/") + (f"?{p.query}" if p.query else "")
    return url


def _some(names: list[str], lang: str, quote: bool = False, n: int = 3) -> str:
    """"a, b, c og 4 andre" / "a, b, c and 4 others"."""
    q = (lambda s: f"»{s}«") if lang == "da" and quote else (lambda s: f"\u201c{s}\u201d") if quote else str
    shown = [q(s) for s in names[:n]]
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + (f" og {rest} {'anden' if rest == 1 else 'andre'}" if lang == "da"
                                   else f" and {rest} other{'s' if rest > 1 else ''}")
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + (" og " if lang == "da" else " and ") + shown[-1]


def _other_pages(n: int, lang: str) -> str:
    if lang == "da":
        return f"{n} {'anden side' if n == 1 else 'andre sider'}"
    return f"{n} other page{'' if n == 1 else 's'}"


def _plain(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _lang(value: str | None) -> str:
    return (value or "").split("-")[0].strip().lower()


# -- KS002 page-titled --------------------------------------------------------------------------

SEPARATOR = re.compile(r"\s+(?:[-–—|·•»›:/]|::)\s+|\s*[|·•»›]\s*")
PLACEHOLDER = re.compile(r"(?:untitled(?: document| page)?|unavngivet|uden (?:titel|navn)|ikke navngivet|navnløs|"
                         r"dokument|document|ny side|new page|side|page|titel|title|sidetitel|page title|default|"
                         r"ny fane|new tab|testside|test page|skabelon|template)\s*\d*")
FILE_NAME = re.compile(r"[\w~ .-]*\w\.(?:s?html?|aspx?|php\d?|jsp|cfm|cgi|docx?|pdf|txt|xml)")
DUPLICATE_FAILS = 3        # pages (distinct places) sharing a title: a failure; 2: needs review


def _segments(title: str) -> list[str]:
    return [s for s in (x.strip() for x in SEPARATOR.split(_plain(title))) if s]


def _site_name(titles: list[list[str]]) -> set[str]:
    """The segments every title carries as its site name (a common end or start, as in "Kontakt – Region
    Demo"): of the proper suffixes and prefixes of titles of two or more segments, the one most titles
    share (the longest of equals), when at least 3 titles and 60 % of them have it."""
    counts: Counter[tuple[str, ...]] = Counter()
    for segs in titles:
        for k in range(1, len(segs)):
            counts[("end", *segs[-k:])] += 1
            counts[("start", *segs[:k])] += 1
    need = max(3, math.ceil(0.6 * len(titles)))
    best = max(((n, len(key), key) for key, n in counts.items() if n >= need), default=None)
    return set(best[2][1:]) if best else set()


@site_check(code="KS002", name="page-titled", category=Category.WCAG, impact=Impact.SERIOUS,
            wcag=("2.4.2",), level="A", target=TargetKind.CSS,
            title={"da": "Sidens titel skal skelne den fra de andre sider",
                   "en": "A page's title must tell it apart from the other pages"},
            description={"da": "Titlen (fanebladets navn) skal sige, hvad netop denne side handler om. Den samme "
                               "titel på mange sider, en titel, der kun er webstedets navn, eller et filnavn som "
                               "»index.html« hjælper ikke borgeren med at finde rundt mellem faner og i historikken.",
                         "en": "The title (the tab's name) must say what this page is about. The same title on many "
                               "pages, a title that is only the site's name, or a file name such as \u201cindex.html"
                               "\u201d does not help the citizen find their way between tabs and in the history."})
def page_titled(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    """Pages without a title are axe-core's document-title: not answered here. Pages at the same place
    (differing only in the query, e.g. ?side=2, or index.html beside /) count once when titles are
    compared; a front page may carry only the site's name."""
    pages = _pages(artifacts)
    if len(pages) < 2:
        return {}
    titled = [p for p in pages if (p.get("title") or "").strip()]
    homes = _homes(pages)
    site_name = _site_name([segs for p in titled if len(segs := _segments(p["title"])) >= 2]) \
        if len(titled) >= 3 else set()
    by_title: dict[str, dict[tuple[str, str], list[str]]] = {}
    for p in titled:
        by_title.setdefault(_plain(p["title"]), {}).setdefault(_place(p["location"]), []).append(p["location"])
    out: SiteVerdict = {}
    for p in titled:
        title = " ".join(p["title"].split())
        plain = _plain(title)
        host = (urlsplit(p["location"]).hostname or "").lower()
        segs = _segments(title)
        html = f"<title>{title}</title>"
        fix = {"da": "Skriv en titel, der siger, hvad netop denne side handler om, og sæt webstedets navn efter, "
                     "fx »Parkering – Region Demo«.",
               "en": "Write a title that says what this page is about, followed by the site's name, e.g. "
                     "\u201cParking \u2013 Region Demo\u201d."}
        if FILE_NAME.fullmatch(plain) or PLACEHOLDER.fullmatch(plain):
            kind_da, kind_en = ("et filnavn", "a file name") if FILE_NAME.fullmatch(plain) else \
                ("en standardtitel", "a placeholder")
            out[p["location"]] = [finding("head > title", html, {
                "da": f"Titlen »{title}« er {kind_da}; den siger ikke, hvad siden handler om.",
                "en": f"The title \u201c{title}\u201d is {kind_en}; it does not say what the page is about."},
                fix)]
            continue
        if plain in {host, host.removeprefix("www.")} and host:
            out[p["location"]] = [finding("head > title", html, {
                "da": f"Titlen »{title}« er kun værtsnavnet; den siger ikke, hvad siden handler om.",
                "en": f"The title \u201c{title}\u201d is only the host name; it does not say what the page is "
                      "about."}, fix)]
            continue
        if site_name and segs and set(segs) <= site_name:
            if _is_home(p, homes):           # a front page's title may be the site's name (one a language)
                out[p["location"]] = []
                continue
            out[p["location"]] = [finding("head > title", html, {
                "da": f"Titlen »{title}« er kun webstedets navn, som alle siders titler har; den siger ikke, "
                      "hvad denne side handler om.",
                "en": f"The title \u201c{title}\u201d is only the site's name, which every page's title has; it "
                      "does not say what this page is about."}, fix)]
            continue
        same = by_title[plain]
        if len(same) >= 2:
            others = sorted(_shown(locs[0], p["location"]) for place, locs in same.items()
                            if place != _place(p["location"]))
            outcome = Outcome.FAILED if len(same) >= DUPLICATE_FAILS else Outcome.CANT_TELL
            n = len(others)
            out[p["location"]] = [finding("head > title", html, {
                "da": f"Titlen »{title}« er den samme på {n} {'anden side' if n == 1 else 'andre sider'}: "
                      f"{_some(others, 'da')}; så skelner titlen ikke siderne fra hinanden.",
                "en": f"The title \u201c{title}\u201d is the same on {n} other page{'s' if n > 1 else ''}: "
                      f"{_some(others, 'en')}; so the title does not tell the pages apart."}, fix, outcome=outcome)]
            continue
        out[p["location"]] = []
    return out


# -- navigation blocks repeated across pages (KS003, KS004, KS005) ---------------------------------

# navigation that is not the same on every page by design: a trail to this page, lists of related
# pages, tags, pagination, a table of contents of this page
NOT_REPEATED = re.compile(r"br[øo]dkrumme|breadcrumb|crumb|du er her|you are here|\bsti\b|placering|"
                          r"relater|related|se også|see also|læs også|læs mere|read more|andre (?:har )?(?:læser|"
                          r"læste|så)|populær|mest (?:læste|besøgte)|most (?:read|popular)|seneste|latest|"
                          r"\btags?\b|emneord|paginering|pagination|sideskift|sider i|pages|på denne side|"
                          r"on this page|indholdsfortegnelse|table of contents|\bindhold\b|contents", re.I)
REPEATED_PAGES = 3          # a navigation block on at least this many pages is "repeated"
CORE_SHARE = 2 / 3          # its core: the links on at least this share of those pages


@dataclass
class Instance:
    """One navigation block on one page."""
    location: str
    sel: str
    label: str | None
    items: list[str]                         # link targets in order, each once, the page's own left out
    names: dict[str, list[str]]              # target → the link names it has in the block
    rels: dict[str, str | None]              # target → the first link's selector below the block


@dataclass
class Cluster:
    """A navigation block and its copies on other pages: same name, same region, same language (when
    known) and mostly the same links."""
    key: tuple[str, str]
    lang: str = ""
    union: set[str] = field(default_factory=set)
    instances: list[Instance] = field(default_factory=list)
    core: list[str] = field(default_factory=list)

    @property
    def repeated(self) -> bool:
        return len(self.instances) >= REPEATED_PAGES and len(self.core) >= 3


def _web(href: str) -> bool:
    return href.startswith(("http://", "https://"))


def nav_clusters(artifacts: Artifacts, ctx: CheckContext) -> list[Cluster]:
    """Every page's navigation blocks (<nav>, role=navigation), grouped with their copies on other
    pages: the same accessible name and landmark region, the same language (a block of a page without
    one goes with either), and at least half of the block's links seen in the group before (a page
    gives a group one block). Breadcrumbs, related pages, tags,
    pagination and tables of contents (by their name) are left out, as are links to the page itself."""
    groups: dict[tuple[str, str], list[Cluster]] = {}
    clusters: list[Cluster] = []
    for page in _pages(artifacts):
        selfs = {page["location"], *(page.get("aliases") or [])}
        taken: set[int] = set()
        for nav in page.get("nav") or []:
            label = " ".join((nav.get("label") or "").split()) or None
            if label and NOT_REPEATED.search(label):
                continue
            items: list[str] = []
            names: dict[str, list[str]] = {}
            rels: dict[str, str | None] = {}
            for link in nav.get("links") or []:
                href = link[0]
                if href in selfs or not _web(href):
                    continue
                if href not in names:
                    items.append(href)
                    names[href] = []
                    rels[href] = link[2] if len(link) > 2 else None
                names[href].append(" ".join((link[1] or "").split()))
            if len(items) < 2:
                continue
            key = (_plain(label), nav.get("region") or "")
            lang = _lang(nav.get("lang") or page.get("lang"))
            inst = Instance(page["location"], nav.get("sel") or "nav", label, items, names, rels)
            best, best_share = None, 0.5
            for c in groups.get(key, []):
                share = len(set(items) & c.union) / len(items)
                if id(c) not in taken and (not lang or not c.lang or lang == c.lang) and share >= best_share \
                        and (best is None or share > best_share):
                    best, best_share = c, share
            if best is None:
                best = Cluster(key)
                groups.setdefault(key, []).append(best)
                clusters.append(best)
            best.lang = best.lang or lang
            best.instances.append(inst)
            best.union |= set(items)
            taken.add(id(best))
    for c in clusters:
        counts = Counter(t for inst in c.instances for t in inst.items)
        need = math.ceil(CORE_SHARE * len(c.instances))
        c.core = [t for t, n in counts.items() if n >= need]
    return clusters


def _nav_name(inst: Instance, lang: str) -> str:
    if inst.label:
        return f"»{inst.label}«" if lang == "da" else f"\u201c{inst.label}\u201d"
    first = [inst.names[t][0] for t in inst.items[:2] if inst.names[t] and inst.names[t][0]]
    if lang == "da":
        return "med linkene " + ", ".join(f"»{n}«" for n in first) + " …" if first else "uden navn"
    return "with the links " + ", ".join(f"\u201c{n}\u201d" for n in first) + " \u2026" if first else "without a name"


def _nav_html(inst: Instance) -> str:
    return f'<nav aria-label="{inst.label}">' if inst.label else "<nav>"


def _nav_answers(artifacts: Artifacts, ctx: CheckContext, judge) -> SiteVerdict:
    """Per page: ``judge(cluster)``'s findings {location: [findings]} on the repeated navigation blocks
    it holds; a page holding none is inapplicable; a page whose navigation is unknown gets no result.
    Fewer than REPEATED_PAGES pages with known navigation: no result at all."""
    pages = [p for p in _pages(artifacts) if p.get("nav") is not None]
    if len(pages) < REPEATED_PAGES:
        return {}
    out: SiteVerdict = {}
    for c in ctx.computed(nav_clusters):
        if not c.repeated:
            continue
        found = judge(c)
        for inst in c.instances:
            out.setdefault(inst.location, []).extend(found.get(inst.location, []))
    for p in pages:
        out.setdefault(p["location"], INAPPLICABLE)
    return out


# -- KS003 consistent-navigation ------------------------------------------------------------------

def _order(c: Cluster) -> dict[str, list]:
    """A repeated block's core links out of the order most of its pages give them: per page, the pairs
    (a, b, pages with b before a) it has the other way round, and "tie" when as many pages have each
    order."""
    core = set(c.core)
    seqs = [[t for t in inst.items if t in core] for inst in c.instances]
    before: Counter[tuple[str, str]] = Counter()
    for s in seqs:
        for i, a in enumerate(s):
            for b in s[i + 1:]:
                before[(a, b)] += 1
    out: dict[str, list] = {}
    for inst, s in zip(c.instances, seqs, strict=True):
        for i, a in enumerate(s):
            for b in s[i + 1:]:
                here, there = before[(a, b)], before[(b, a)]
                if there >= 2 and there >= here:
                    out.setdefault(inst.location, []).append((inst, a, b, there, there == here))
    return out


def _moved(pairs: list) -> list[str]:
    """The fewest links whose moving explains the pairs out of order (greedily: the link in most pairs
    first)."""
    left, moved = list(pairs), []
    while left:
        counts = Counter(t for x in left for t in (x[1], x[2]))
        worst = max(counts, key=lambda t: (counts[t], -min(i for i, x in enumerate(left) if t in x[1:3])))
        moved.append(worst)
        left = [x for x in left if worst not in x[1:3]]
    return moved


def _consistent_navigation_findings(c: Cluster) -> dict[str, list]:
    found: dict[str, list] = {}
    for location, pairs in _order(c).items():
        wrong = [x for x in pairs if not x[4]]
        moved = _moved(wrong)
        inst, a, b, there, tie = next(x for x in wrong if moved[0] in x[1:3]) if wrong else pairs[0]
        na, nb = inst.names[a][0], inst.names[b][0]
        also = [inst.names[t][0] for t in moved[1:]]
        fix = {"da": "Giv navigationen linkene i samme rækkefølge på alle sider. Det er i orden, at en side har et "
                     "link mere eller mindre, men ikke, at linkene bytter plads.",
               "en": "Give the navigation its links in the same order on every page. A page may have a link more "
                     "or less, but the links must not change places."}
        if wrong:
            msg = {"da": f"Navigationen {_nav_name(inst, 'da')} har ikke linkene i samme rækkefølge som på de andre "
                         f"sider: her står »{na}« før »{nb}«, men på {there} andre sider står »{nb}« før »{na}«."
                         + (f" Også {_some(also, 'da', True)} står et andet sted." if also else ""),
                   "en": f"The navigation {_nav_name(inst, 'en')} does not have its links in the same order as on "
                         f"the other pages: here \u201c{na}\u201d comes before \u201c{nb}\u201d, but on {there} other "
                         f"pages \u201c{nb}\u201d comes before \u201c{na}\u201d."
                         + (f" {_some(also, 'en', True)} {'is' if len(also) == 1 else 'are'} elsewhere too."
                            if also else "")}
            found.setdefault(location, []).append(finding(inst.sel, _nav_html(inst), msg, fix))
        else:
            msg = {"da": f"Navigationen {_nav_name(inst, 'da')} har linkene i forskellig rækkefølge på siderne: her "
                         f"står »{na}« før »{nb}« som på {_other_pages(there - 1, 'da')}, men {there} sider har "
                         f"»{nb}« før »{na}«. Vælg én rækkefølge.",
                   "en": f"The navigation {_nav_name(inst, 'en')} has its links in different orders on the pages: "
                         f"here \u201c{na}\u201d comes before \u201c{nb}\u201d as on {_other_pages(there - 1, 'en')}, "
                         f"but {there} pages have \u201c{nb}\u201d before \u201c{na}\u201d. Choose one order."}
            found.setdefault(location, []).append(finding(inst.sel, _nav_html(inst), msg, fix,
                                                          outcome=Outcome.CANT_TELL))
    return found


@site_check(code="KS003", name="consistent-navigation", category=Category.WCAG, impact=Impact.MODERATE,
            wcag=("3.2.3",), level="AA", target=TargetKind.CSS,
            title={"da": "Navigation, der går igen, skal have samme rækkefølge",
                   "en": "Navigation repeated on pages must keep its order"},
            description={"da": "En menu, der går igen på flere sider, skal have linkene i samme rækkefølge på alle "
                               "siderne, så borgeren kan finde dem igen. Et link mere eller mindre er i orden; "
                               "links, der bytter plads, er ikke.",
                         "en": "A menu repeated on several pages must have its links in the same order on all of "
                               "them, so that the citizen finds them again. A link more or less is fine; links that "
                               "change places are not."})
def consistent_navigation(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    """Only the links most pages of a repeated block have (its core) are compared, pair by pair: a
    page has a pair the other way round from at least 2 other pages and from no fewer pages than
    share its order (as many each way: needs review)."""
    return _nav_answers(artifacts, ctx, _consistent_navigation_findings)


# -- KS004 consistent-identification --------------------------------------------------------------

def _name_key(name: str) -> str:
    """A link name as compared: case, digits (»Side 4«, »Kurv (2)«) and punctuation left out."""
    return " ".join(re.sub(r"[\W\d_]+", " ", name.casefold()).split())


def _same_function_name(a: str, b: str) -> bool:
    """»Kontakt« and »Kontakt os«: one name holds the other, word for word."""
    return a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _identification_findings(c: Cluster) -> dict[str, list]:
    found: dict[str, list] = {}
    for target in c.core:
        held = [(inst, {k for n in inst.names[target] if (k := _name_key(n))}) for inst in c.instances
                if target in inst.names]
        held = [(inst, keys) for inst, keys in held if keys]
        votes = Counter(k for _, keys in held for k in keys)
        if len(votes) < 2:
            continue
        common = max(votes, key=lambda k: (votes[k], -len(k), k))
        agree = [inst for inst, keys in held if any(_same_function_name(k, common) for k in keys)]
        differ = [inst for inst, keys in held if not any(_same_function_name(k, common) for k in keys)]
        if not differ:
            continue
        common_name = next(n for inst in agree for n in inst.names[target] if _name_key(n) == common)
        tie = len(differ) >= len(agree)
        for inst in differ + (agree if tie else []):
            name = inst.names[target][0]
            shown = _shown(target, inst.location)
            sel = f"{inst.sel} > {inst.rels[target]}" if inst.rels.get(target) else inst.sel
            html = f'<a href="{target}">{name}</a>'
            if not tie:
                n = len(agree)
                msg = {"da": f"Linket til {shown} hedder »{name}« her, men »{common_name}« i samme navigation på "
                             f"{n} andre sider.",
                       "en": f"The link to {shown} is called \u201c{name}\u201d here, but \u201c{common_name}\u201d "
                             f"in the same navigation on {n} other pages."}
                fix = {"da": f"Giv linket samme navn som på de andre sider: »{common_name}«.",
                       "en": f"Give the link the same name as on the other pages: \u201c{common_name}\u201d."}
                found.setdefault(inst.location, []).append(finding(sel, html, msg, fix))
            else:
                others = sorted({n for i, _ in held for n in i.names[target][:1]} - {name})
                msg = {"da": f"Linket til {shown} hedder »{name}« her, men {_some(others, 'da', True)} i samme "
                             "navigation på andre sider.",
                       "en": f"The link to {shown} is called \u201c{name}\u201d here, but "
                             f"{_some(others, 'en', True)} in the same navigation on other pages."}
                fix = {"da": "Vælg ét navn til linket, og brug det på alle sider.",
                       "en": "Choose one name for the link and use it on every page."}
                found.setdefault(inst.location, []).append(finding(sel, html, msg, fix, outcome=Outcome.CANT_TELL))
    return found


@site_check(code="KS004", name="consistent-identification", category=Category.WCAG, impact=Impact.MINOR,
            wcag=("3.2.4",), level="AA", target=TargetKind.CSS,
            title={"da": "Samme link skal hedde det samme på alle sider",
                   "en": "The same link must have the same name on every page"},
            description={"da": "Et link i en menu, der går igen på flere sider, skal hedde det samme på alle "
                               "siderne: hedder »Kontakt« pludselig »Skriv til os«, tror borgeren, det er noget "
                               "andet.",
                         "en": "A link in a menu repeated on several pages must have the same name on all of them: "
                               "when \u201cContact\u201d is suddenly called \u201cWrite to us\u201d, the citizen takes "
                               "it for something else."})
def consistent_identification(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    """Names are compared only within a repeated navigation block (the same component on each page),
    for its core links: elsewhere a link may name its target in its context (»Læs mere om
    åbningstider«). Names that differ only in case, digits or punctuation, or where one holds the
    other word for word (»Kontakt« – »Kontakt os«), are consistent; links to the page itself (which
    may say »nuværende side«) are left out."""
    return _nav_answers(artifacts, ctx, _identification_findings)


# -- KS005 multiple-ways --------------------------------------------------------------------------

MIN_PAGES_WAYS = 5
SITE_MAP = re.compile(r"site\s?-?map|sitemap|sidekort|sideoversigt|oversigt over (?:alle )?(?:sider|indhold)|"
                      r"alle sider|all pages|\ba\s?[-–]\s?[zå]\b|indeks\b|\bindex of\b", re.I)
SITE_MAP_PATH = re.compile(r"(?:^|/)(?:site-?map|sitemap|sidekort|sideoversigt|a-(?:z|aa|å))(?:[./]|$)", re.I)
SITE_MAP_SHARE = 0.8        # a page linking to this share of the other pages is a site map (G126, G185)
SEARCH_LINK = re.compile(r"^(?:søg|soeg|search|søgning|find)\b", re.I)
PROCESS_STEP = re.compile(r"(?:trin|step)-?\d+|kvittering|receipt|bekr(?:ae|æ)ftelse|confirm(?:ation)?|checkout|"
                          r"betaling|payment|tak-for|thank-?you|thanks|kurv|basket|cart")


def _is_process_step(location: str) -> bool:
    p = urlsplit(location)
    words = re.split(r"[^a-z0-9æøå-]+", unquote(f"{p.path}?{p.query}").casefold())
    return any(PROCESS_STEP.fullmatch(w) for w in words if w)


@site_check(code="KS005", name="multiple-ways", category=Category.WCAG, impact=Impact.MODERATE,
            wcag=("2.4.5",), level="AA", target=TargetKind.CSS,
            title={"da": "Der skal være mere end én vej til en side",
                   "en": "There must be more than one way to a page"},
            description={"da": "Borgeren skal kunne finde en side på mere end én måde: fra menuen, en søgning, et "
                               "sidekort eller en liste over alle sider. En side, der kun kan findes via et link i "
                               "teksten på en anden side, er svær at finde igen.",
                         "en": "The citizen must be able to find a page in more than one way: from the menu, a "
                               "search, a site map or a list of all pages. A page that can be found only through a "
                               "link in the text of another page is hard to find again."})
def multiple_ways(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    """From MIN_PAGES_WAYS pages. A search on any page, or a link named like a site map that the crawl did
    not follow, is a way to every page: all pass. Otherwise a page passes when a site map links it
    (a page titled or pathed like one, or linking to 80 % of the other pages outside its navigation
    blocks), when a navigation block
    of another page links it, or when at least half of the pages (3 or more) link it (a header or
    footer). The front page passes; steps of a process (trin-2, kvittering, checkout …: WCAG's
    exception) are inapplicable; a page no crawled page links to gets no result (found in a sitemap
    file: how users reach it, the crawl cannot tell)."""
    pages = _pages(artifacts)
    if len(pages) < MIN_PAGES_WAYS or any(p.get("nav") is None or p.get("search") is None for p in pages):
        return {}
    locations = {p["location"] for p in pages}
    canonical = {a: p["location"] for p in pages for a in p.get("aliases") or []}
    if any(p["search"] for p in pages):
        return {p["location"]: [] for p in pages}
    for p in pages:
        for href, name, *_ in p.get("link_names") or []:
            if (SITE_MAP.search(name or "") or SEARCH_LINK.search(name or "")) \
                    and canonical.get(href, href) not in locations:
                return {q["location"]: [] for q in pages}      # a site map or search the crawl did not reach
    linked_from: dict[str, set[str]] = {}
    for p in pages:
        for href in p.get("links") or []:
            target = canonical.get(href, href)
            if target in locations and target != p["location"]:
                linked_from.setdefault(target, set()).add(p["location"])
    maps = set()
    for p in pages:              # a site map lists the pages in its content: its menus do not count
        menus = {canonical.get(link[0], link[0]) for nav in p["nav"] or [] for link in nav.get("links") or []}
        reach = ({canonical.get(h, h) for h in p.get("links") or []} - menus) & locations - {p["location"]}
        if SITE_MAP.search(p.get("title") or "") or SITE_MAP_PATH.search(urlsplit(p["location"]).path) \
                or len(reach) >= SITE_MAP_SHARE * (len(pages) - 1):
            maps.add(p["location"])
    in_map = {t for t, sources in linked_from.items() if sources & maps}
    in_nav = {canonical.get(link[0], link[0]) for p in pages for nav in p["nav"] or []
              for link in nav.get("links") or [] if canonical.get(link[0], link[0]) != p["location"]}
    repeated = {t for t, sources in linked_from.items() if len(sources) >= max(3, len(pages) / 2)}
    homes = _homes(pages)
    out: SiteVerdict = {}
    for p in pages:
        loc = p["location"]
        if _is_home(p, homes) or loc in maps or loc in in_map or loc in in_nav or loc in repeated:
            out[loc] = []
        elif _is_process_step(loc):
            out[loc] = INAPPLICABLE
        elif loc not in linked_from:
            continue
        else:
            sources = sorted(_shown(s, loc) for s in linked_from[loc])
            out[loc] = [finding("html", "<html>", {
                "da": f"Siden kan kun findes ad én vej: via links i teksten på {_some(sources, 'da')}. Webstedet har "
                      "ingen søgning og intet sidekort, og ingen navigation fører hertil.",
                "en": f"The page can be found in one way only: through links in the text of {_some(sources, 'en')}. "
                      "The site has no search and no site map, and no navigation leads here."}, {
                "da": "Giv borgeren en vej mere til siden: en søgning på webstedet, et sidekort, der linker til alle "
                      "sider, eller et link i menuen.",
                "en": "Give the citizen one more way to the page: a search of the site, a site map linking to every "
                      "page, or a link in the menu."})]
    return out


# -- KS006 accessibility-statement ----------------------------------------------------------------

STATEMENT_HOST = "was.digst.dk"
STATEMENT_NAME = re.compile(r"tilgængelighedserklæring|tilgaengelighedserklaering|webtilgængelighed|"
                            r"erklæring om (?:web)?tilgængelighed|accessibility statement|"
                            r"^(?:tilgængelighed|accessibility)$", re.I)
STATEMENT_PATH = re.compile(r"tilg(?:ae|æ)ngelighedserkl(?:ae|æ)ring|webtilg(?:ae|æ)ngelighed|"
                            r"accessibility-?statement", re.I)


def _same_target(href: str, url: str) -> bool:
    """A link to the statement's URL as configured (host case, "www." and a trailing slash aside)."""
    a, b = urlsplit(href), urlsplit(url)
    host = lambda p: (p.hostname or "").lower().removeprefix("www.")  # noqa: E731
    return (host(a), a.path.rstrip("/"), a.query) == (host(b), b.path.rstrip("/"), b.query)


def _statement_link(href: str, name: str, statements: set[str], named: str | None = None) -> bool:
    host = (urlsplit(href).hostname or "").lower()
    return (host == STATEMENT_HOST or host.endswith("." + STATEMENT_HOST) or href in statements
            or bool(named and _same_target(href, named))
            or bool(STATEMENT_PATH.search(unquote(urlsplit(href).path)))
            or bool(STATEMENT_NAME.search(" ".join((name or "").split()))))


def statement_setting(config: dict[str, Any]) -> tuple[bool, str | None]:
    """``[site] accessibility_statement``: "auto" (any link recognised as a statement), "off", or the
    statement's URL (a link to it counts too)."""
    value = (config.get("site") or {}).get("accessibility_statement", "auto")
    if value is False or str(value).strip().lower() in ("off", "false", "no", ""):
        return False, None
    text = str(value).strip()
    return True, text if text.startswith(("http://", "https://")) else None


@site_check(code="KS006", name="accessibility-statement", category=Category.QUALITY, impact=Impact.MODERATE,
            target=TargetKind.CSS, help_url="https://www.was.digst.dk/",
            title={"da": "Siden skal linke til tilgængelighedserklæringen",
                   "en": "The page must link to the accessibility statement"},
            description={"da": "Offentlige myndigheder skal have en tilgængelighedserklæring lavet i "
                               "Digitaliseringsstyrelsens værktøj på was.digst.dk (webtilgængelighedsloven) og "
                               "linke til den, hvor borgeren finder den: normalt i sidefoden på alle sider. Slå "
                               "kontrollen fra med [site] accessibility_statement = \"off\" uden for Danmark.",
                         "en": "Danish public bodies must publish an accessibility statement made with the Agency "
                               "for Digital Government's tool on was.digst.dk (the Danish web accessibility act) and "
                               "link to it where users find it: usually in the footer of every page. Turn the check "
                               "off with [site] accessibility_statement = \"off\" outside Denmark."})
def accessibility_statement(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    """From 1 page; off with ``site.accessibility_statement = "off"``. A link counts when it leads to
    was.digst.dk, to the URL the setting names, to a path named like a statement, or to a crawled page
    titled like one, or when its
    name is »Tilgængelighedserklæring«, »Webtilgængelighed«, »Tilgængelighed«, »Accessibility
    statement« …. The statement page itself passes."""
    on, named = statement_setting(ctx.config)
    if not on:
        return {}
    pages = _pages(artifacts)
    statements = {p["location"] for p in pages if STATEMENT_NAME.search(" ".join((p.get("title") or "").split()))}
    statements |= {a for p in pages if p["location"] in statements for a in p.get("aliases") or []}
    having = {p["location"] for p in pages if p.get("link_names") is not None
              and any(_statement_link(h, n, statements, named) for h, n, *_ in p["link_names"])}
    out: SiteVerdict = {}
    for p in pages:
        if p.get("link_names") is None:
            continue
        if p["location"] in statements or p["location"] in having:
            out[p["location"]] = []
            continue
        n = len(having)
        context = ({"da": f"; det har {n} {'anden side' if n == 1 else 'andre sider'}",
                    "en": f"; {n} other page{'s have' if n > 1 else ' has'} one"} if n else {"da": "", "en": ""})
        out[p["location"]] = [finding("html", "<html>", {
            "da": "Siden har intet link til en tilgængelighedserklæring (was.digst.dk)" + context["da"] + ".",
            "en": "The page has no link to an accessibility statement (was.digst.dk)" + context["en"] + "."}, {
            "da": "Link til jeres tilgængelighedserklæring på was.digst.dk fra alle sider, fx i sidefoden, med "
                  "teksten »Tilgængelighedserklæring«.",
            "en": "Link to your accessibility statement on was.digst.dk from every page, e.g. in the footer, with "
                  "the text \u201cTilgængelighedserklæring\u201d (Accessibility statement)."})]
    return out
