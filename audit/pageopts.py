"""Per-page options for plain audits, as pa11y-ci users know them: [[pages]] tables in the config
(and the same from `klartjek audit --header/--cookie/--wait-for/--hide/--include/--exclude`).

Each table has ``match`` (a glob on the page's URL or its path in the site, as [[assertions]]) and
any of: ``headers`` and ``cookies`` (tables of name = value; a value may be or hold
``${env:NAME}``), ``wait_for`` (a CSS selector that must be visible before the page is checked),
``hide`` (elements made invisible before anything is checked: a chat bubble or a cookie banner the
audit should not see), ``include`` (only these parts of the page are checked) and ``exclude`` (these
parts are not), and ``viewport``. Every table whose ``match`` fits a page applies, in order; a key
given again replaces the earlier value (headers and cookies are merged by name).

What each does in the browser is in audit/gather.py (``apply_page_options``); docs/configuration.md
and docs/page-options.md tell users. Headers go only to the page's own origin (never to a third
party, nor along a redirect to another host); cookies are set for the page's host in a browser
context of the page's own, so they reach no other page of the run.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Any

from core.errors import UsageError

PAGE_KEYS = ("match", "headers", "cookies", "wait_for", "hide", "include", "exclude", "viewport")
ENV_RE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")         # an HTTP header name (RFC 9110 token)
COOKIE_NAME = TOKEN
MASK = "•••"
# headers the browser sets itself, or that would change what is fetched rather than who asks
REFUSED_HEADERS = frozenset({"host", "content-length", "connection", "transfer-encoding", "upgrade", "cookie"})


@dataclass(frozen=True)
class PageOptions:
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    wait_for: str | None = None
    hide: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    viewport: tuple[int, int] | None = None
    secrets: tuple[str, ...] = ()        # the values ${env:…} gave: never written anywhere

    def __bool__(self) -> bool:
        return bool(self.headers or self.cookies or self.wait_for or self.hide or self.include or self.exclude
                    or self.viewport)

    @property
    def scoped(self) -> bool:
        """Only part of the page is checked (include or exclude)."""
        return bool(self.include or self.exclude)

    @property
    def in_page(self) -> bool:
        """Anything to do in the page before it is checked."""
        return bool(self.hide or self.include or self.exclude)


NONE = PageOptions()


def _selectors(value: Any, here: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(s, str) and s.strip() for s in value):
        raise UsageError(f"{here}: '{key}' must be a CSS selector or a list of them")
    if any(len(s) > 1000 for s in value):
        raise UsageError(f"{here}: '{key}' has a selector of more than 1000 characters")
    return [s.strip() for s in value]


def _pairs(value: Any, here: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f"{here}: '{key}' must be a table of name = \"value\" (e.g. {key}.Accept-Language = \"da\")"
                         if key == "headers" else f"{here}: '{key}' must be a table of name = \"value\"")
    for name, v in value.items():
        if not (COOKIE_NAME if key == "cookies" else TOKEN).match(name):
            raise UsageError(f"{here}: {key} name {name!r} is not a valid {key[:-1]} name")
        if key == "headers" and name.lower() in REFUSED_HEADERS:
            raise UsageError(f"{here}: the header {name!r} is set by the browser; "
                             + ("use 'cookies' for cookies" if name.lower() == "cookie" else "leave it out"))
        if any(c in v for c in "\r\n\x00") or (key == "cookies" and any(c in v for c in ';,"\\ ')):
            raise UsageError(f"{here}: the value of {key[:-1]} {name!r} holds a character it may not hold "
                             + ("(line breaks)" if key == "headers" else "(space, ; , \" or \\)"))
    return dict(value)


def parse_pages(value: Any, where: str) -> list[dict[str, Any]]:
    """[[pages]] tables, validated (UsageError naming the file, the table and the key)."""
    from audit.config import parse_viewport

    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise UsageError(f"{where}: 'pages' must be a list of tables ([[pages]]); see docs/page-options.md")
    out = []
    for i, entry in enumerate(value, 1):
        here = f"{where}: pages #{i}"
        unknown = [k for k in entry if k not in PAGE_KEYS]
        if unknown:
            raise UsageError(f"{here}: unknown key '{unknown[0]}'; known keys: {', '.join(PAGE_KEYS)}")
        match = entry.get("match", "*")
        if not isinstance(match, str) or not match:
            raise UsageError(f"{here}: 'match' must be a glob such as \"*/mineaftaler/*\"")
        item: dict[str, Any] = {"match": match}
        for key in ("headers", "cookies"):
            if key in entry:
                item[key] = _pairs(entry[key], here, key)
        for key in ("hide", "include", "exclude"):
            if key in entry:
                item[key] = _selectors(entry[key], here, key)
        if "wait_for" in entry:
            item["wait_for"] = _selectors(entry["wait_for"], here, "wait_for")[0] \
                if isinstance(entry["wait_for"], str) else _fail_wait(here)
        if "viewport" in entry:
            if not isinstance(entry["viewport"], str):
                raise UsageError(f"{here}: 'viewport' must be a string such as \"390x844\"")
            parse_viewport(entry["viewport"], f"{here}: 'viewport'")
            item["viewport"] = entry["viewport"]
        if len(item) == 1:
            raise UsageError(f"{here}: says nothing to do; give headers, cookies, wait_for, hide, include, exclude "
                             "or viewport")
        out.append(item)
    return out


def _fail_wait(here: str):
    raise UsageError(f"{here}: 'wait_for' must be one CSS selector")


def _expand(value: str, where: str, environ, secrets: list[str]) -> str:
    def one(m: re.Match) -> str:
        name = m.group(1)
        if name not in environ:
            raise UsageError(f"{where}: the environment variable {name} is not set; set it (e.g. as a CI secret) "
                             "or remove it from the [[pages]] table")
        if environ[name] and environ[name] not in secrets:
            secrets.append(environ[name])
        return environ[name]
    return ENV_RE.sub(one, value)


def matches(entry: dict[str, Any], location: str, site_path: str | None = None) -> bool:
    return any(fnmatch.fnmatch(loc, entry["match"]) for loc in (location, site_path) if loc)


def options_for(pages: list[dict[str, Any]], location: str, site_path: str | None = None,
                environ: dict[str, str] | None = None) -> PageOptions:
    """The options of the page at ``location`` (its URL, or a local file's path) from every matching
    [[pages]] table, in order; ``${env:NAME}`` resolved (UsageError when not set)."""
    from audit.config import parse_viewport

    if not pages:
        return NONE
    environ = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    secrets: list[str] = []
    for i, entry in enumerate(pages, 1):
        if not matches(entry, location, site_path):
            continue
        where = f"pages #{i} ({entry['match']})"
        for name, v in entry.get("headers", {}).items():
            headers = {k: x for k, x in headers.items() if k.lower() != name.lower()}
            headers[name] = _expand(v, where, environ, secrets)
        for name, v in entry.get("cookies", {}).items():
            cookies[name] = _expand(v, where, environ, secrets)
        merged |= {k: entry[k] for k in ("wait_for", "hide", "include", "exclude", "viewport") if k in entry}
    if not (merged or headers or cookies):
        return NONE
    return PageOptions(headers=headers, cookies=cookies, wait_for=merged.get("wait_for"),
                       hide=tuple(merged.get("hide", ())), include=tuple(merged.get("include", ())),
                       exclude=tuple(merged.get("exclude", ())),
                       viewport=parse_viewport(merged["viewport"]) if "viewport" in merged else None,
                       secrets=tuple(secrets))


def public_pages(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[[pages]] as a run records them: header and cookie values written in the config are masked (a
    token pasted into a config must not reach the history); a value that takes its secret from
    ``${env:NAME}`` is kept as written (»Bearer ${env:TOKEN}«)."""
    out = []
    for entry in pages:
        item = dict(entry)
        for key in ("headers", "cookies"):
            if key in item:
                item[key] = {n: (v if ENV_RE.search(v) else MASK) for n, v in item[key].items()}
        out.append(item)
    return out


def cli_pages(headers: list[str], cookies: list[str], wait_for: str | None, hide: list[str], include: list[str],
              exclude: list[str]) -> dict[str, Any] | None:
    """The [[pages]] table the command line's options make (for every page), or None."""
    entry: dict[str, Any] = {"match": "*"}
    if headers:
        entry["headers"] = {}
        for h in headers:
            name, sep, value = h.partition(":")
            if not sep or not name.strip():
                raise UsageError(f"--header {h!r}: give \"Name: value\", e.g. --header \"Accept-Language: da\"")
            entry["headers"][name.strip()] = value.strip()
    if cookies:
        entry["cookies"] = {}
        for c in cookies:
            name, sep, value = c.partition("=")
            if not sep or not name.strip():
                raise UsageError(f"--cookie {c!r}: give name=value, e.g. --cookie consent=necessary")
            entry["cookies"][name.strip()] = value.strip()
    if wait_for:
        entry["wait_for"] = wait_for
    for key, value in (("hide", hide), ("include", include), ("exclude", exclude)):
        if value:
            entry[key] = list(value)
    if len(entry) == 1:
        return None
    return parse_pages([entry], "the command line")[0]
