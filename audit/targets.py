"""Turning command-line targets into pages to audit.

A target is an http(s) URL, a local .html file or a folder holding a static site; a .pdf, .docx,
.xml (MeMo) file or URL is a letter, and so is every target of `klartjek letter`. Local files are
served by klartjek itself on 127.0.0.1 (a free port), so relative CSS, JS and images load as they
would on a web server. A folder target audits every .html file in it, in path order; a single file
is served from its own folder. The file server serves nothing else (see _SafeHandler).
"""
from __future__ import annotations

import http.server
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from core.files import file_kind, is_regular

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
    skipped: bool = False     # found, not checked (``error`` says why): not an error of the run
    site_path: str | None = None   # a local file's path below the audited folder (or its served root)

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


# Never served, wherever they lie: klartjek's own configuration and databases.
DENY_NAMES = frozenset({"klartjek.toml", "pyproject.toml", "klartjek-baseline.json"})
DENY_SUFFIXES = (".sqlite", ".sqlite3", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".db")


class _SafeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the regular files below ``root`` by GET and HEAD, nothing else: no dotfiles or dot
    folders (.git, .env, .klartjek), nothing a symbolic link leads to outside the root, no FIFOs or
    devices, no folder listings, never klartjek's configuration or a database (``deny``)."""

    root: Path = Path("/nonexistent")
    deny: frozenset[Path] = frozenset()
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                      ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}

    def log_message(self, format, *args):  # noqa: A002 - keep the terminal clean
        pass

    def _refuse_method(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def _file(self) -> Path | str | None:
        """The file to serve, a redirect location (a folder without its slash), or None."""
        path = urlsplit(self.path).path
        parts = [p for p in unquote(path).split("/") if p]
        if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
            return None
        try:
            real = self.root.joinpath(*parts).resolve()
        except (OSError, ValueError, RuntimeError):
            return None
        if not real.is_relative_to(self.root):
            return None
        if real.is_dir():
            if not path.endswith("/"):
                return path + "/"
            for index in ("index.html", "index.htm"):
                cand = (real / index).resolve()
                if cand.is_relative_to(self.root) and is_regular(cand):
                    real = cand
                    break
            else:
                return None
        if (real in self.deny or real.name.lower() in DENY_NAMES
                or real.name.lower().endswith(DENY_SUFFIXES) or not is_regular(real)):
            return None
        return real

    def send_head(self):
        found = self._file()
        if found is None:
            self.send_error(404, "File not found")
            return None
        if isinstance(found, str):
            self.send_response(301)
            self.send_header("Location", quote(found))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        try:
            fd = os.open(found, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            self.send_error(404, "File not found")
            return None
        fh = os.fdopen(fd, "rb")
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            fh.close()
            self.send_error(404, "File not found")
            return None
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(found)))
        self.send_header("Content-Length", str(st.st_size))
        self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
        self.end_headers()
        return fh


class _QuietServer(http.server.ThreadingHTTPServer):
    """A browser that closes a connection early (a page navigating on, a tab closed) is no error to
    print: the standard server would put a traceback on the user's terminal."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class StaticServer:
    """A threaded HTTP server for one folder, on 127.0.0.1 and a free port. ``deny``: files never
    served (the history database, the configuration file), as resolved paths."""

    def __init__(self, root: Path, deny: frozenset[Path] | set[Path] = frozenset()) -> None:
        self.root = root.resolve()
        handler = type("Handler", (_SafeHandler,), {"root": self.root, "deny": frozenset(deny)})
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
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


def display_path(path: Path, cwd: Path | None = None, resolve: bool = True) -> str:
    """A path relative to the working directory where it lies below it, else absolute."""
    cwd = (cwd or Path.cwd()).resolve()
    p = path.resolve() if resolve else Path(os.path.abspath(path))
    try:
        return p.relative_to(cwd).as_posix()
    except ValueError:
        return p.as_posix()


def _below(file: Path, root: Path) -> str:
    """``file``'s path below ``root`` (a served or audited folder), the same wherever the command runs."""
    file, root = Path(os.path.abspath(file)), Path(os.path.abspath(root))
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.resolve().relative_to(root.resolve()).as_posix()


class TargetResolver:
    """Resolves targets to PageTargets, starting one static server per served folder. ``deny``:
    files the servers never serve (the history database, the configuration file)."""

    def __init__(self, deny: list[str | Path] | tuple = (), site_root: str | Path | None = None) -> None:
        self.servers: dict[Path, StaticServer] = {}
        self.site_root = Path(site_root).resolve() if site_root else None
        denied = set()
        for d in deny:
            p = Path(d).resolve()
            denied |= {p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm"),
                       p.with_name(p.name + "-journal")}
        self.deny = frozenset(denied)

    def _server(self, root: Path) -> StaticServer:
        root = root.resolve()
        if root not in self.servers:
            self.servers[root] = StaticServer(root, self.deny)
        return self.servers[root]

    def resolve(self, target: str, letters: bool = False) -> list[PageTarget]:
        """``letters``: every target is a letter (`klartjek letter`), HTML files included; else only
        .pdf, .docx, .doc and .xml targets are letters, and folders give their .html pages."""
        parts = urlsplit(target)
        if parts.scheme in ("http", "https"):
            try:
                ok = bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                ok = False
            if not ok:
                return [PageTarget(None, target, None, f"{target}: not a valid URL (check the host name and port)")]
            if letters or _suffix(target) in LETTER_FILE_SUFFIXES:
                return [letter_target(target)]
            return [PageTarget(target, target, None)]
        if parts.scheme and len(parts.scheme) > 1 and "://" in target:
            return [PageTarget(None, target, None,
                               f"{target}: klartjek audits http(s) URLs, .html files and folders; "
                               f"'{parts.scheme}:' is not supported")]
        path = Path(target).expanduser()
        shown = display_path(path, resolve=False) if path.exists() else target
        kind = "letter" if letters or path.suffix.lower() in LETTER_FILE_SUFFIXES else "page"
        if not path.exists():
            return [PageTarget(None, None, target, f"{target}: no such file or folder; check the path", kind=kind)]
        if path.is_dir():
            return self._folder(path, shown, letters)
        if not is_regular(path):
            return [PageTarget(None, None, shown, f"{shown}: not a regular file ({file_kind(os.stat(path).st_mode)}); "
                               "give a file or a folder", kind=kind)]
        if kind == "letter":
            if path.suffix.lower() not in LETTER_SUFFIXES:
                return [PageTarget(None, None, shown, f"{shown}: not a letter klartjek reads; give a .pdf, .docx, "
                                   ".xml (MeMo) or .html file, or a folder of them", kind="letter")]
            if not os.access(path, os.R_OK):
                return [PageTarget(None, None, shown, f"{shown}: cannot read the file (permission denied)",
                                   kind="letter")]
            root = self._file_root(path)
            server = self._server(root) if path.suffix.lower() in HTML_SUFFIXES else None
            return [self._file(path, server, True, root)]
        if path.suffix.lower() not in HTML_SUFFIXES:
            return [PageTarget(None, None, shown,
                               f"{shown}: not an HTML file; give a .html file, a folder or a URL")]
        if not os.access(path, os.R_OK):
            return [PageTarget(None, None, shown, f"{shown}: cannot read the file (permission denied)")]
        root = self._file_root(path)
        server = self._server(root)
        return [PageTarget(server.url_for(path), None, shown, site_path=_below(path, root))]

    def _file_root(self, path: Path) -> Path:
        """Where a single file is served from: ``site_root`` (--site-root) when the file lies below
        it, so that links such as ../css/site.css load; else the file's own folder (its real one,
        when it is a link) and nothing above it."""
        real = path.resolve()
        if self.site_root is not None and real.is_relative_to(self.site_root):
            return self.site_root
        return real.parent

    def _folder(self, path: Path, shown: str, letters: bool) -> list[PageTarget]:
        """Every .html file below a folder (every letter, for `klartjek letter`), not in dot folders;
        a file that is a link to somewhere outside the folder is listed as skipped, not served."""
        wanted = LETTER_SUFFIXES if letters else HTML_SUFFIXES
        root = path.resolve()
        files = sorted(p for p in path.rglob("*")
                       if p.suffix.lower() in wanted and is_regular(p)
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not files:
            what = "letters (.pdf, .docx, .xml, .html)" if letters else ".html files"
            return [PageTarget(None, None, shown, f"{shown}: the folder holds no {what}")]
        inside = [f for f in files if f.resolve().is_relative_to(root)]
        server = (self._server(path) if any(f.suffix.lower() in HTML_SUFFIXES for f in inside) else None)
        out = []
        for f in files:
            if f not in inside:
                kind = "letter" if letters or f.suffix.lower() in LETTER_FILE_SUFFIXES else "page"
                out.append(PageTarget(None, None, display_path(f, resolve=False), kind=kind, skipped=True,
                                      error=f"{display_path(f, resolve=False)}: not checked: a link to a file "
                                      "outside the folder"))
                continue
            out.append(self._file(f, server if f.suffix.lower() in HTML_SUFFIXES else None, letters, path))
        return out

    @staticmethod
    def _file(f: Path, server: StaticServer | None, letters: bool, root: Path) -> PageTarget:
        kind = "letter" if letters or f.suffix.lower() in LETTER_FILE_SUFFIXES else "page"
        return PageTarget(server.url_for(f) if server else None, None, display_path(f, resolve=False), kind=kind,
                          site_path=_below(f, root))

    def origins(self) -> list[str]:
        """The base URLs of klartjek's own file servers."""
        return [s.base_url for s in self.servers.values()]

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()
