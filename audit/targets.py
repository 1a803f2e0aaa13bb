"""Turning command-line targets into pages to audit.

A target is an http(s) URL, a local .html file or a folder holding a static site. Local files are
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


@dataclass(frozen=True)
class PageTarget:
    url: str | None          # what the browser loads (None when the target is an input error)
    document_url: str | None  # recorded in the run for http(s) targets
    document_path: str | None  # recorded in the run for local files
    error: str | None = None

    @property
    def location(self) -> str:
        return self.document_url or self.document_path or ""


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

    def resolve(self, target: str) -> list[PageTarget]:
        parts = urlsplit(target)
        if parts.scheme in ("http", "https"):
            if not parts.hostname:
                return [PageTarget(None, target, None, f"{target}: not a valid URL (no host name)")]
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
            files = sorted(p for p in path.rglob("*")
                           if p.suffix.lower() in HTML_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not files:
                return [PageTarget(None, None, shown, f"{shown}: the folder holds no .html files")]
            server = self._server(path)
            return [PageTarget(server.url_for(f), None, display_path(f)) for f in files]
        if path.suffix.lower() not in HTML_SUFFIXES:
            return [PageTarget(None, None, shown,
                               f"{shown}: not an HTML file; give a .html file, a folder or a URL")]
        if not os.access(path, os.R_OK):
            return [PageTarget(None, None, shown, f"{shown}: cannot read the file (permission denied)")]
        server = self._server(_file_root(path))
        return [PageTarget(server.url_for(path), None, shown)]

    def hosts(self) -> list[str]:
        return [urlsplit(s.base_url).hostname for s in self.servers.values()]

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()
