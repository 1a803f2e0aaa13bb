"""Turning command-line targets into pages to audit.

A target is an http(s) URL, a local .html file or a folder holding a static site; a .pdf, .docx,
.xml (MeMo) file or URL is a letter, and so is every target of `klartjek letter`. Local files are
served by klartjek itself on 127.0.0.1 (a free port), so relative CSS, JS and images load as they
would on a web server. A folder target audits every .html file in it, in path order. A single file is served from the
working directory when it lies below it, so links to parent folders (../css/…) load too.
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
LETTER_FILE_SUFFIXES = (".pdf", ".docx", ".xml", ".doc")   # letters read without the browser
LETTER_SUFFIXES = (*LETTER_FILE_SUFFIXES, *HTML_SUFFIXES)  # what `klartjek letter` reads


@dataclass(frozen=True)
class PageTarget:
    url: str | None          # what the browser loads (None when the target is an input error)
    document_url: str | None  # recorded in the run for http(s) targets
    document_path: str | None  # recorded in the run for local files
    error: str | None = None
    kind: str = "page"        # page | letter
    via: str | None = None    # a crawled letter: the page that links it

    @property
    def in_browser(self) -> bool:
        """Gathered in the browser: pages and HTML letters (PDF, DOCX and MeMo letters are read as files)."""
        return self.url is not None

    @property
    def location(self) -> str:
        return self.document_url or self.document_path or ""


def _suffix(location: str) -> str:
    path = urlsplit(location).path if "://" in location else location
    return Path(path).suffix.lower()


def letter_target(location: str, via: str | None = None) -> PageTarget:
    """A letter URL found by a crawl (PDF, DOCX …)."""
    return PageTarget(location if _suffix(location) in HTML_SUFFIXES else None, location, None,
                      kind="letter", via=via)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                      ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}

    def log_message(self, format, *args):  # noqa: A002 - keep the terminal clean
        pass

    def list_directory(self, path):  # no directory listings
        self.send_error(404, "No listing")
        return None


class StaticServer:
    """A threaded HTTP server for one folder, on 127.0.0.1 and a free port."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True,
                                       name=f"klartjek-serve-{self.root.name}")
        self.thread.start()

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url_for(self, file: Path) -> str:
        rel = file.resolve().relative_to(self.root).as_posix()
        return self.base_url + quote(rel)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A path relative to the working directory where it lies below it, else absolute."""
    cwd = (cwd or Path.cwd()).resolve()
    p = path.resolve()
    try:
        return p.relative_to(cwd).as_posix()
    except ValueError:
        return p.as_posix()


def _file_root(path: Path) -> Path:
    """Where a single file is served from: the working directory when the file lies below it (so
    links such as ../css/site.css still load), else the file's own folder."""
    cwd = Path.cwd().resolve()
    return cwd if path.resolve().is_relative_to(cwd) else path.resolve().parent


class TargetResolver:
    """Resolves targets to PageTargets, starting one static server per served folder."""

    def __init__(self) -> None:
        self.servers: dict[Path, StaticServer] = {}

    def _server(self, root: Path) -> StaticServer:
        root = root.resolve()
        if root not in self.servers:
            self.servers[root] = StaticServer(root)
        return self.servers[root]

    def resolve(self, target: str, letters: bool = False) -> list[PageTarget]:
        """``letters``: every target is a letter (`klartjek letter`), HTML files included; else only
        .pdf, .docx, .doc and .xml targets are letters, and folders give their .html pages."""
        parts = urlsplit(target)
        if parts.scheme in ("http", "https"):
            if not parts.hostname:
                return [PageTarget(None, target, None, f"{target}: not a valid URL (no host name)")]
            if letters or _suffix(target) in LETTER_FILE_SUFFIXES:
                return [letter_target(target)]
            return [PageTarget(target, target, None)]
        if parts.scheme and len(parts.scheme) > 1 and "://" in target:
            return [PageTarget(None, target, None,
                               f"{target}: klartjek audits http(s) URLs, .html files and folders; "
                               f"'{parts.scheme}:' is not supported")]
        path = Path(target).expanduser()
        shown = display_path(path) if path.exists() else target
        if not path.exists():
            return [PageTarget(None, None, target, f"{target}: no such file or folder; check the path")]
        if path.is_dir():
            wanted = LETTER_SUFFIXES if letters else HTML_SUFFIXES
            files = sorted(p for p in path.rglob("*")
                           if p.suffix.lower() in wanted and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                what = "letters (.pdf, .docx, .xml, .html)" if letters else ".html files"
                return [PageTarget(None, None, shown, f"{shown}: the folder holds no {what}")]
            server = (self._server(path) if not letters or any(f.suffix.lower() in HTML_SUFFIXES for f in files)
                      else None)
            return [self._file(f, server if f.suffix.lower() in HTML_SUFFIXES else None, letters) for f in files]
        if letters or path.suffix.lower() in LETTER_FILE_SUFFIXES:
            if path.suffix.lower() not in LETTER_SUFFIXES:
                return [PageTarget(None, None, shown, f"{shown}: not a letter klartjek reads; give a .pdf, .docx, "
                                   ".xml (MeMo) or .html file, or a folder of them", kind="letter")]
            if not os.access(path, os.R_OK):
                return [PageTarget(None, None, shown, f"{shown}: cannot read the file (permission denied)",
                                   kind="letter")]
            server = self._server(_file_root(path)) if path.suffix.lower() in HTML_SUFFIXES else None
            return [self._file(path, server, True)]
        if path.suffix.lower() not in HTML_SUFFIXES:
            return [PageTarget(None, None, shown,
                               f"{shown}: not an HTML file; give a .html file, a folder or a URL")]
        if not os.access(path, os.R_OK):
            return [PageTarget(None, None, shown, f"{shown}: cannot read the file (permission denied)")]
        server = self._server(_file_root(path))
        return [PageTarget(server.url_for(path), None, shown)]

    @staticmethod
    def _file(f: Path, server: StaticServer | None, letters: bool) -> PageTarget:
        kind = "letter" if letters or f.suffix.lower() in LETTER_FILE_SUFFIXES else "page"
        return PageTarget(server.url_for(f) if server else None, None, display_path(f), kind=kind)

    def hosts(self) -> list[str]:
        return [urlsplit(s.base_url).hostname for s in self.servers.values()]

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()
