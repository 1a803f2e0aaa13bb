"""klartjek's own HTTP requests: robots.txt, sitemaps, letters a crawl finds, --incremental checks.

Every request and every redirect it is sent on must be allowed by the audit's scope (the same
allow list the browser has, core/netscope.py, and for documents of a crawl the crawl's own scope);
a redirect elsewhere is refused, not followed. A response is read up to a byte limit, and the whole
request — connecting, the headers, the body — has one deadline: a server that sends a byte a
second cannot hold a run. ``abort_all`` ends every request under way at once (a run that is being
interrupted must not wait for them).
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

from audit import __version__
from core.netscope import HostScope

USER_AGENT = f"klartjek/{__version__} (accessibility and plain-language audit)"
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that did not give a usable response: ``reason`` is one short clause for the user."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class TooLarge(FetchError):
    pass


@dataclass
class Response:
    url: str                     # the final URL, after redirects
    status: int
    headers: dict[str, str]      # lower-case names
    body: bytes
    redirects: list[str] = field(default_factory=list)


_LIVE: set[socket.socket] = set()
_LIVE_LOCK = threading.Lock()
_ABORTED = threading.Event()


def abort_all() -> None:
    """End every request under way, and refuse new ones (the run is being interrupted)."""
    _ABORTED.set()
    with _LIVE_LOCK:
        socks = list(_LIVE)
    for s in socks:
        _shutdown(s)


def reset() -> None:
    """Allow requests again (tests run several audits in one process)."""
    _ABORTED.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def fetch(url: str, *, scope: HostScope | None = None, allowed: Callable[[str], bool] | None = None,
          limit: int, deadline_s: float, headers: dict[str, str] | None = None,
          user_agent: str | None = None, method: str = "GET") -> Response:
    """GET ``url`` (following at most MAX_REDIRECTS redirects, each checked against ``scope`` and
    ``allowed``) and read at most ``limit`` bytes of the body within ``deadline_s`` seconds in all.
    Any status is returned (the caller judges it); FetchError when there is no response, when a
    redirect leaves the scope, when the body is over ``limit`` (TooLarge) or the deadline passes."""
    end = time.monotonic() + deadline_s
    redirects: list[str] = []
    current = url
    while True:
        _check_allowed(current, scope, allowed, redirected=bool(redirects))
        status, hdrs, body = _request(current, method, headers, user_agent, limit, end, deadline_s)
        if status in (301, 302, 303, 307, 308) and hdrs.get("location"):
            if len(redirects) >= MAX_REDIRECTS:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects")
            nxt = urljoin(current, hdrs["location"].strip())
            redirects.append(nxt)
            current = nxt
            continue
        return Response(current, status, hdrs, body, redirects)


def _check_allowed(url: str, scope: HostScope | None, allowed, redirected: bool) -> None:
    parts = urlsplit(url)
    where = f"redirected to {url}" if redirected else url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{where}: not an http(s) URL")
    if scope is not None and not scope.allows(url):
        raise FetchError(f"{where}: outside the hosts the audit may reach (add it with --allow-host)")
    if allowed is not None and not allowed(url):
        raise FetchError(f"{where}: outside the audit's scope")


def _request(url: str, method: str, headers: dict[str, str] | None, user_agent: str | None, limit: int,
             end: float, deadline_s: float) -> tuple[int, dict[str, str], bytes]:
    if _ABORTED.is_set():
        raise FetchError("interrupted")
    p = urlsplit(url)
    remaining = end - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"no complete answer within {deadline_s:g} s")
    if p.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            p.hostname, p.port, timeout=remaining, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(p.hostname, p.port, timeout=remaining)
    timer = None
    try:
        try:
            conn.connect()
        except (OSError, ValueError) as exc:
            raise FetchError(_os_reason(exc)) from None
        sock = conn.sock
        with _LIVE_LOCK:
            _LIVE.add(sock)
        # the deadline is kept by shutting the socket down: a read blocked on a trickling server
        # returns at once (a per-read timeout would wait a byte a second forever)
        timer = threading.Timer(max(0.0, end - time.monotonic()), _shutdown, (sock,))
        timer.daemon = True
        timer.start()
        target = p.path or "/"
        if p.query:
            target += "?" + p.query
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            conn.putheader("User-Agent", user_agent or USER_AGENT)
            conn.putheader("Accept-Encoding", "identity")
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            resp = conn.getresponse()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            declared = hdrs.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise TooLarge(f"over the limit of {limit:,} bytes", resp.status)
            chunks, size = [], 0
            while True:
                chunk = resp.read1(CHUNK) if hasattr(resp, "read1") else resp.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"over the limit of {limit:,} bytes", resp.status)
                chunks.append(chunk)
                if time.monotonic() >= end:
                    raise FetchError(f"no complete answer within {deadline_s:g} s")
            if time.monotonic() >= end or _ABORTED.is_set():
                raise FetchError("interrupted" if _ABORTED.is_set() else
                                 f"no complete answer within {deadline_s:g} s")
            return resp.status, hdrs, b"".join(chunks)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if _ABORTED.is_set():
                raise FetchError("interrupted") from None
            if time.monotonic() >= end:
                raise FetchError(f"no complete answer within {deadline_s:g} s") from None
            raise FetchError(_os_reason(exc)) from None
    finally:
        if timer is not None:
            timer.cancel()
        if conn.sock is not None:
            with _LIVE_LOCK:
                _LIVE.discard(conn.sock)
        conn.close()


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "the TLS certificate is not trusted"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:160]
