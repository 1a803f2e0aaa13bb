"""`klartjek doctor`: is this machine ready to audit? (Lighthouse CI's healthcheck.)

Each item says what was checked and, when it fails, what to do. Nothing leaves the machine: the
browser loads an empty page and one address of Chromium's own call-home hosts, which the network
policy must send to the dead proxy on loopback.
"""
from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Item:
    what: str
    ok: bool
    detail: str


def diagnose(config: Path | None, db: str | None, block_external: bool | None, allow_hosts: list[str]) -> list[Item]:
    from audit.config import environment_overrides, load_config
    from core import __version__
    from core.axe import axe_data
    from core.errors import KlartjekError

    items = [Item("klartjek", True, f"{__version__} on Python {sys.version.split()[0]}")]
    try:
        cfg = load_config(config, {"db": db, "block_external": block_external})
    except KlartjekError as exc:
        items.append(Item("configuration", False, str(exc)))
        return items
    env = sorted(k for k in os.environ if k.startswith("KLARTJEK_") and k not in ("KLARTJEK_CHROMIUM",
                                                                                  "KLARTJEK_DEBUG"))
    used = environment_overrides(os.environ, cfg)
    items.append(Item("configuration", True, (cfg["_source"] or "no file: the built-in defaults")
                      + (f"; from the environment: {', '.join(env)}" if used else "")))
    items.append(Item("axe-core", True, f"{axe_data()['axe_version']}, with its Danish locale"))
    items.append(_database(cfg))
    scope_item, scope = _scope(cfg, allow_hosts)
    items.append(scope_item)
    if scope_item.ok:
        items += _browser(cfg, scope)
    return items


def _database(cfg) -> Item:
    from audit.store import Store, shown_db
    from core.errors import KlartjekError

    try:
        store = Store(str(cfg["db"]))
    except KlartjekError as exc:
        return Item("history database", False, str(exc))
    try:
        n = len(store.list_runs(10_000))
    finally:
        store.close()
    return Item("history database", True, f"{shown_db(str(cfg['db']))}: {n} stored run{'s' if n != 1 else ''}")


def _scope(cfg, allow_hosts: list[str]):
    from core.errors import KlartjekError
    from core.netscope import HostScope, parse_entry

    try:
        entries = [parse_entry(h) for h in [*cfg["allow_hosts"], *allow_hosts]]
    except KlartjekError as exc:
        return Item("network scope", False, str(exc)), None
    if not cfg["block_external"]:
        return Item("network scope", True, "open: pages may load from any host (Chromium's calls home are "
                                           "blocked); --block-external keeps an audit to its own hosts"), None
    hosts = ", ".join(str(e) for e in entries) or "no other host"
    return Item("network scope", True, f"--block-external: the audited hosts and {hosts}"), HostScope(entries)


def _browser(cfg, scope) -> list[Item]:
    from audit.browser import BLOCKED_FAILURES, find_chromium, launch, start_playwright
    from core.errors import KlartjekError

    async def probe():
        pw = await start_playwright()
        try:
            choice = find_chromium(cfg["browser"]["executable"], pw.chromium.executable_path)
            browser = await launch(pw, choice, scope, cfg["browser"]["args"])
            try:
                page = await browser.new_page()
                await page.goto("about:blank")
                failed: list[str] = []
                page.on("requestfailed", lambda r: failed.append(r.failure or ""))
                try:
                    await page.goto("https://update.googleapis.com/klartjek-doctor", timeout=10_000)
                except Exception:  # noqa: BLE001 - refused: what we want
                    pass
                blocked = any(f in BLOCKED_FAILURES for f in failed)
                return (f"{choice.executable or pw.chromium.executable_path} ({choice.source}), Chromium "
                        f"{browser.version}"), blocked
            finally:
                await browser.close()
        finally:
            await pw.stop()

    try:
        detail, blocked = asyncio.run(probe())
    except KlartjekError as exc:
        return [Item("browser", False, str(exc))]
    except Exception as exc:  # noqa: BLE001 - the driver or the browser would not start
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [Item("browser", False, f"could not start it ({first}); `klartjek browser` says how to get one")]
    return [Item("browser", True, detail),
            Item("Chromium's calls home", blocked, "sent to the dead proxy on loopback" if blocked else
                 "NOT blocked: a request to update.googleapis.com was not refused; report this")]
