"""Where klartjek may connect: one allow list for the browser and for klartjek's own fetches.

With ``block_external`` an audit reaches only the hosts it audits, ``allow_hosts`` and klartjek's
own file servers. An entry is a host (any port: ``cdn.region.dk``) or a host and a port
(``127.0.0.1:8000``). Loopback addresses are never allowed as a whole: another port on the same
machine is another service (a database's web console, a developer's admin page), so the audited
loopback origins and klartjek's own servers are listed with their ports. The browser gets the list
as Chromium's proxy bypass list (audit/browser.py); klartjek's own fetches (audit/fetch.py) ask
``allows`` before every request and every redirect.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import UsageError

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))*$")


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host_port(url: str) -> tuple[str, int] | None:
    """(host in lower case, port with the scheme's default filled in), or None for a URL without a host."""
    try:
        p = urlsplit(url)
        port = p.port
    except ValueError:
        return None
    if not p.hostname:
        return None
    return p.hostname.lower(), port or DEFAULT_PORTS.get(p.scheme.lower(), 0)


@dataclass(frozen=True)
class Entry:
    host: str           # lower case; an IPv6 address without brackets
    port: int | None    # None: any port

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


def parse_entry(value: str, where: str = "allow_hosts") -> Entry:
    """``host`` or ``host:port`` (``[::1]:8000`` for IPv6); UsageError for anything else (a URL, a
    pattern, a list)."""
    v = value.strip().lower()
    host, port = v, None
    m = re.fullmatch(r"\[([0-9a-f:.]+)\](?::(\d{1,5}))?", v)
    if m:
        host, port = m.group(1), m.group(2)
    elif v.count(":") == 1:
        host, port = v.split(":")
    ok = bool(host) and (port is None or (port.isdigit() and 0 < int(port) < 65536))
    if ok and not m:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            ok = bool(_HOST_RE.match(host))
    elif ok:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            ok = False
    if not ok:
        raise UsageError(f"{where}: {value!r} is not a host name; give a host such as cdn.region.dk, "
                         "optionally with a port (127.0.0.1:8000)")
    return Entry(host, int(port) if port is not None else None)


def origin_entry(url: str) -> Entry | None:
    """What auditing ``url`` allows: its host on any port, but a loopback host on its own port only."""
    hp = url_host_port(url)
    if hp is None:
        return None
    host, port = hp
    return Entry(host, port if is_loopback(host) else None)


class HostScope:
    """The allow list (``entries``), or no list at all (``HostScope(None)``: any host)."""

    def __init__(self, entries=None) -> None:
        self.entries: frozenset[Entry] | None = None if entries is None else frozenset(entries)

    @property
    def open(self) -> bool:
        return self.entries is None

    def allows(self, url: str) -> bool:
        if self.entries is None:
            return True
        hp = url_host_port(url)
        if hp is None:
            return False
        host, port = hp
        return Entry(host, None) in self.entries or Entry(host, port) in self.entries

    def bypass_rules(self) -> list[str]:
        """The entries as Chromium proxy bypass rules (``host`` or ``host:port``)."""
        return sorted(str(e) for e in self.entries or ())

    def hosts(self) -> list[str]:
        return sorted({e.host for e in self.entries or ()})
