"""Crawling a site: robots.txt, sitemaps and links found in the rendered pages, inside a scope.

The frontier decides which URLs are audited: same origin as the start URLs by default,
``include``/``exclude`` globs, robots.txt Disallow (unless ignored), a maximum number of pages and
a maximum link depth, URL normalisation (fragments, default ports, tracking parameters), and a
crawl-trap guard (at most ``trap_limit`` URLs per URL pattern: endless calendars and filters).
Every URL that is not audited is counted with its reason; PDF and Word documents found are
recorded as letters, not dropped.
"""
from __future__ import annotations

import fnmatch
import re
import urllib.robotparser
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from defusedxml import ElementTree as SafeET

from audit.fetch import USER_AGENT, FetchError, Response, fetch
from core.netscope import HostScope

DEFAULT_STRIP = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid",
                 "gclid", "mc_cid", "mc_eid")
LETTER_SUFFIXES = (".pdf", ".docx", ".doc")
SKIP_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".css", ".js", ".zip",
                 ".mp4", ".mp3", ".xml", ".json", ".txt", ".xlsx", ".pptx")
SITEMAP_MAX_BYTES = 50 * 1024 * 1024     # the sitemap protocol's own limit
SITEMAP_MAX_FILES = 200
FETCH_DEADLINE = 30.0                    # seconds for robots.txt or one sitemap, all told
SM_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def normalise(url: str, strip_params=DEFAULT_STRIP) -> str:
    """Lower-case scheme and host, no fragment, no default port, "/" for an empty path, tracking
    parameters removed (the order of the others kept)."""
    p = urlsplit(url.strip())
    scheme = p.scheme.lower()
    host = (p.hostname or "").lower()
    port = p.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
                       if k.lower() not in strip_params])
    return urlunsplit((scheme, host, p.path or "/", query, ""))


def url_site_path(url: str) -> str:
    """A URL's place in its site, the same on every host that serves it (staging, production, a
    build on 127.0.0.1): the normalised path and query."""
    try:
        p = urlsplit(normalise(url))
    except ValueError:
        return url
    return p.path + (f"?{p.query}" if p.query else "")


def origin(url: str) -> str:
    p = urlsplit(normalise(url))
    return f"{p.scheme}://{p.netloc}"


def url_pattern(url: str) -> str:
    """The shape of a URL for the trap guard: digits become N, query values are dropped."""
    p = urlsplit(url)
    path = re.sub(r"\d+", "N", p.path)
    keys = sorted({k for k, _ in parse_qsl(p.query, keep_blank_values=True)})
    return f"{p.netloc}{path}?{'&'.join(keys)}" if keys else f"{p.netloc}{path}"


@dataclass
class Scope:
    origins: set[str]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_pages: int = 500
    max_depth: int = 10
    trap_limit: int = 50
    strip_params: tuple[str, ...] = DEFAULT_STRIP

    def allows(self, url: str) -> bool:
        """Is ``url`` inside the crawl's origins, include and exclude globs? (Where a page or a
        letter may end up after redirects; robots.txt, depth and limits are not asked.)"""
        norm = normalise(url, self.strip_params)
        p = urlsplit(norm)
        return p.scheme in ("http", "https") and self.reason(norm, p) is None

    def reason(self, norm: str, p) -> str | None:
        if f"{p.scheme}://{p.netloc}" not in self.origins:
            return "out of scope"
        if self.include and not any(fnmatch.fnmatch(norm, g) for g in self.include):
            return "not included"
        if any(fnmatch.fnmatch(norm, g) for g in self.exclude):
            return "excluded"
        return None


@dataclass
class AuditScope:
    """Where an audited document may be, after redirects and script navigations: the origins of the
    targets (and klartjek's own file servers), and the crawl's scope when crawling."""
    origins: set[str]
    crawl: Scope | None = None

    def allows(self, url: str) -> bool:
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        return origin(url) in self.origins or (self.crawl is not None and self.crawl.allows(url))


@dataclass
class Frontier:
    scope: Scope
    robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict)
    respect_robots: bool = True
    seen: set[str] = field(default_factory=set)
    queue: deque = field(default_factory=deque)        # (url, depth, found_on)
    letters: dict[str, str] = field(default_factory=dict)   # letter URL → page that links it
    skipped: Counter = field(default_factory=Counter)
    trapped: Counter = field(default_factory=Counter)
    patterns: Counter = field(default_factory=Counter)
    accepted: int = 0
    sitemap_errors: list[str] = field(default_factory=list)

    def add(self, url: str, depth: int = 0, found_on: str | None = None) -> str | None:
        """Queue ``url`` if it is in scope; return why not otherwise (None when queued)."""
        if not url or url.startswith(("mailto:", "tel:", "javascript:", "data:", "#")):
            return "not a page"
        norm = normalise(url, self.scope.strip_params)
        p = urlsplit(norm)
        if p.scheme not in ("http", "https"):
            return "not a page"
        if norm in self.seen:
            return "duplicate"
        self.seen.add(norm)
        # URLs a sitemap lists are the site owner's own list of pages: never a trap
        reason = self._reason(norm, p, depth, trap_guard=found_on != "sitemap")
        if reason is None and p.path.lower().endswith(LETTER_SUFFIXES):
            self.letters.setdefault(norm, found_on or "")
            return "letter"
        if reason is not None:
            self.skipped[reason] += 1
            return reason
        self.accepted += 1
        self.queue.append((norm, depth, found_on))
        return None

    def _reason(self, norm: str, p, depth: int, trap_guard: bool = True) -> str | None:
        reason = self.scope.reason(norm, p)
        if reason is not None:
            return reason
        if p.path.lower().endswith(SKIP_SUFFIXES):
            return "not a page"
        if self.respect_robots:
            rp = self.robots.get(f"{p.scheme}://{p.netloc}")
            if rp is not None and not rp.can_fetch(USER_AGENT, norm):
                return "disallowed by robots.txt"
        if depth > self.scope.max_depth:
            return "too deep"
        if trap_guard:
            pattern = url_pattern(norm)
            self.patterns[pattern] += 1
            if self.patterns[pattern] > self.scope.trap_limit:
                self.trapped[pattern] += 1
                return "crawl trap"
        if self.accepted >= self.scope.max_pages:
            return "over max pages"
        return None

    def summary(self) -> dict[str, Any]:
        return {"queued": self.accepted, "skipped": dict(sorted(self.skipped.items())),
                "trapped_patterns": dict(sorted(self.trapped.items())),
                "letters": len(self.letters)}


def _get(url: str, scope: HostScope | None, limit: int, deadline_s: float = FETCH_DEADLINE) -> Response:
    return fetch(url, scope=scope, limit=limit, deadline_s=deadline_s)


def read_robots(origin_url: str, scope: HostScope | None = None
                ) -> tuple[urllib.robotparser.RobotFileParser, list[str]]:
    """robots.txt of an origin (none, unreadable or over 512 kB: everything allowed) and the
    sitemaps it lists."""
    rp = urllib.robotparser.RobotFileParser()
    try:
        resp = _get(origin_url + "/robots.txt", scope, 512 * 1024)
        body = resp.body if resp.status == 200 else b""
    except FetchError:
        body = b""
    rp.parse(body.decode("utf-8", "replace").splitlines())
    return rp, [urljoin(origin_url + "/", u) for u in (rp.site_maps() or [])]


def gunzip(body: bytes, limit: int = SITEMAP_MAX_BYTES) -> bytes:
    """A gzip body unpacked to at most ``limit`` bytes (a gzip bomb stops there); ValueError when it
    is not gzip or unpacks to more."""
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ValueError("not a valid gzip file") from exc
    if len(out) > limit:
        raise ValueError(f"unpacks to more than {limit:,} bytes")
    return out


def sitemap_urls(start: list[str], max_files: int = SITEMAP_MAX_FILES, scope: HostScope | None = None,
                 guessed: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Page URLs from sitemaps and sitemap index files (gzip too); and the errors met. XML is
    parsed with defusedxml: no DTDs, no entities. ``guessed``: sitemap URLs no robots.txt listed
    (the usual /sitemap.xml); that one missing is no error."""
    pages: list[str] = []
    errors: list[str] = []
    todo, done = deque(start), set()
    while todo and len(done) < max_files:
        sm = todo.popleft()
        if sm in done:
            continue
        done.add(sm)
        try:
            resp = _get(sm, scope, SITEMAP_MAX_BYTES)
        except FetchError as exc:
            errors.append(f"{sm}: could not fetch the sitemap ({exc.reason})")
            continue
        if resp.status != 200:
            if not (sm in guessed and resp.status in (404, 410)):
                errors.append(f"{sm}: could not fetch the sitemap (HTTP {resp.status})")
            continue
        body = resp.body
        if sm.endswith(".gz") or body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body)
            except ValueError as exc:
                errors.append(f"{sm}: {exc}")
                continue
        try:
            root = SafeET.fromstring(body, forbid_dtd=True)
        except Exception as exc:  # defusedxml raises its own errors for DTDs and entities
            errors.append(f"{sm}: not a valid sitemap ({type(exc).__name__})")
            continue
        tag = root.tag.replace(SM_NS, "")
        locs = [(el.text or "").strip() for el in root.iter(f"{SM_NS}loc")] or \
               [(el.text or "").strip() for el in root.iter("loc")]
        if tag == "sitemapindex":
            todo.extend(urljoin(sm, u) for u in locs if u)
        else:
            pages.extend(urljoin(sm, u) for u in locs if u)
    return pages, errors
