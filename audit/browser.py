"""Finding and launching Chromium, and keeping it from talking to anything the audit does not need.

Discovery order (docs/browser.md): the KLARTJEK_CHROMIUM environment variable, the config's
browser.executable, Playwright's own Chromium where installed, then a system Chromium on PATH.

Network policy. Chromium calls home (update, account and component hosts) even when told not to;
Playwright's request routing never sees those calls. With block_external every request the browser
makes, its own included, goes to a dead loopback proxy, so it fails at once without leaving the
machine, except those to the hosts of the allow list (core/netscope.py), which bypass the proxy.
Without block_external a proxy auto-config (PAC) script sends only the call-home hosts to the dead
proxy.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.errors import UsageError
from core.netscope import HostScope

# A loopback port nothing listens on (discard); connections to it are refused at once.
DEAD_PROXY = "127.0.0.1:9"
# Hosts Chromium contacts on its own (measured with --log-net-log, see docs/browser.md).
CALL_HOME_PATTERNS = (
    "update.googleapis.com", "accounts.google.com", "clients*.google.com",
    "clientservices.googleapis.com", "optimizationguide-pa.googleapis.com",
    "safebrowsing*.googleapis.com", "content-autofill.googleapis.com",
    "android.clients.google.com", "*.gvt1.com", "gvt1.com", "edgedl.me.gvt1.com",
    "redirector.gvt1.com", "chromesyncpasswords-pa.googleapis.com",
)
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BASE_ARGS = (
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-domain-reliability", "--disable-breakpad", "--metrics-recording-only",
)
NO_BROWSER_HELP = (
    "no Chromium found. Install one: as root on Debian/Ubuntu `apt-get install -y chromium`; "
    "or `python -m playwright install chromium` where downloads are allowed; "
    "or point KLARTJEK_CHROMIUM (or [tool.klartjek.browser] executable) at a Chromium or Chrome binary"
)


@dataclass(frozen=True)
class BrowserChoice:
    executable: str | None   # None: Playwright's own, launched without executable_path
    source: str              # env | config | playwright | system


def find_chromium(configured: str = "", playwright_executable: str | None = None) -> BrowserChoice:
    """Pick a Chromium binary; raise UsageError with instructions when there is none."""
    env = os.environ.get("KLARTJEK_CHROMIUM", "").strip()
    for value, source in ((env, "env"), (configured.strip(), "config")):
        if value:
            path = shutil.which(value) or value
            if not (Path(path).is_file() and os.access(path, os.X_OK)):
                name = "KLARTJEK_CHROMIUM" if source == "env" else "browser.executable in the config"
                raise UsageError(f"{name} is {value!r}, which is not an executable file; "
                                 "fix the path or unset it to let klartjek look for a browser")
            return BrowserChoice(str(Path(path).resolve()), source)
    if playwright_executable and Path(playwright_executable).is_file():
        return BrowserChoice(None, "playwright")
    for name in SYSTEM_NAMES:
        found = shutil.which(name)
        if found:
            return BrowserChoice(found, "system")
    raise UsageError(NO_BROWSER_HELP)


def pac_script(allowed_hosts: list[str] | None = None) -> str:
    """PAC: without an allow list, DIRECT for everything but Chromium's call-home hosts (klartjek's
    audits without block_external); with one, DIRECT only for those hosts (for tools that take
    nothing but a PAC, such as the benchmark's peers; Chromium sends loopback addresses DIRECT
    whatever a PAC says). Only string tests: no DNS lookups in the PAC."""
    dead = f"PROXY {DEAD_PROXY}"
    if allowed_hosts is None:
        pats = json.dumps(list(CALL_HOME_PATTERNS))
        body = (f"var p={pats};for(var i=0;i<p.length;i++){{if(shExpMatch(host,p[i]))return '{dead}';}}"
                "return 'DIRECT';")
    else:
        hosts = sorted({h.lower() for h in allowed_hosts})
        body = (f"var a={json.dumps(hosts)};host=host.toLowerCase();"
                f"for(var i=0;i<a.length;i++){{if(host===a[i])return 'DIRECT';}}return '{dead}';")
    return "function FindProxyForURL(url, host) {" + body + "}"


def launch_args(scope: HostScope | None, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Chromium's switches. Without an allow list (``scope`` None or open): a PAC that sends only the
    call-home hosts to the dead proxy. With one: every request goes to the dead proxy but those the
    bypass list names; ``<-loopback>`` removes Chromium's implicit bypass of loopback addresses,
    which a PAC cannot override (a page could otherwise reach any port on the machine)."""
    if scope is None or scope.open:
        pac = base64.b64encode(pac_script().encode()).decode()
        return [*BASE_ARGS, f"--proxy-pac-url=data:application/x-ns-proxy-autoconfig;base64,{pac}", *extra]
    bypass = ";".join(["<-loopback>", *scope.bypass_rules()])
    # Belt and braces: no DNS for hosts outside the allow list, no WebRTC UDP around the proxy.
    excl = "".join(f", EXCLUDE {h}" for h in scope.hosts() if ":" not in h)
    return [*BASE_ARGS, f"--proxy-server={DEAD_PROXY}", f"--proxy-bypass-list={bypass}",
            f"--host-resolver-rules=MAP * ~NOTFOUND{excl}",
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp", *extra]


async def launch(playwright, choice: BrowserChoice, scope: HostScope | None,
                 extra_args: list[str] | tuple[str, ...] = ()):
    kwargs = {"headless": True, "args": launch_args(scope, extra_args)}
    if choice.executable:
        kwargs["executable_path"] = choice.executable
    try:
        return await playwright.chromium.launch(**kwargs)
    except Exception as exc:  # playwright.Error: a binary that is not a browser, missing libraries …
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = choice.executable or "Playwright's Chromium"
        raise UsageError(f"could not start the browser {where} ({choice.source}): {first}; "
                         f"{NO_BROWSER_HELP}") from None


# How a request sent to the dead proxy fails, as Playwright reports it.
BLOCKED_FAILURES = ("net::ERR_PROXY_CONNECTION_FAILED", "net::ERR_TUNNEL_CONNECTION_FAILED")


async def start_playwright():
    """Playwright's driver, started (a Node process); ``.stop()`` it when done."""
    from playwright.async_api import async_playwright

    return await async_playwright().start()
