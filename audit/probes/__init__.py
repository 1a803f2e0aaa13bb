"""Probes: gathering that acts on a rendered page after axe-core has looked at it.

axe-core judges one snapshot of the DOM. Many WCAG failures show only when the page is used: press
Tab, narrow the window, widen the text spacing, hover, wait and watch what moves. A probe does one
such thing and records what it saw as an artifact (a dict named after the probe); the checks
(checks/*) judge the artifact, so a stored run can be checked again without a browser, as for axe.

The rules a probe keeps:
- it leaves the page as it found it (viewport, styles, focus, scroll, pointer) for the next probe;
- it has a time limit; a probe that fails or runs out of time gives ``{"error": "…"}``, which the
  checks reading it report as an *error* result — the page's other results stay;
- it runs in the profiles it names: ``quick`` (axe-core and the checks that cost next to nothing)
  and ``default`` (everything). docs/checks.md lists the profiles.

A probe is a module in this package with a ``@probe(...)`` function; PROBE_MODULES lists them in the
order they run (the cheap, read-only ones first).

A probe whose first step only reads the page gives that step as ``script`` (a JavaScript function
expression of ``args``, returning a JSON value or a JSON string). An audit runs the scripts of all the
probes of its profile inside the evaluate that runs axe-core (gather.py CHECK_PAGE_JS, see
``inline_js``): one round trip for all of them instead of one each, which was most of what the cheap
probes cost while the other tab kept both cores busy (docs/benchmarks.md). The probe's function
then gets the script's value (``fn(page, ctx, value)``) and does what needs the driver: pressing
keys, resizing, hovering, waiting. Run alone (``Probe.run``), a probe evaluates its script itself.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

PROFILES = ("quick", "default")


@dataclass
class ProbeContext:
    """What a probe may know besides the page: the viewport it must restore, its settings."""
    viewport: tuple[int, int]
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    name: str                      # the artifact it writes
    profiles: tuple[str, ...]
    timeout_s: float
    fn: Callable[..., Awaitable[dict[str, Any]]]   # (page, ctx), or (page, ctx, value) with a script
    script: str | None = None      # a read-only first step, run in the page (see the module's text)
    args: Any = None               # the script's argument (JSON)

    async def run(self, page, ctx: ProbeContext) -> dict[str, Any]:
        """The probe on its own: its script evaluated (when it has one), then its function."""
        if self.script is None:
            return await self.fn(page, ctx)
        return await self.fn(page, ctx, _value(await page.evaluate(self.script, self.args)))


def _value(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


# Shared by the keyboard and layout probes (prepended to their scripts): sel(el), a unique CSS selector
# (an id, else a path with :nth-of-type from the nearest unique id or from body), and snip(el), the
# start of its HTML.
ELEMENT_JS = r"""
const uniqueId = (n) => n.id && document.querySelectorAll('#' + CSS.escape(n.id)).length === 1;
const sel = (el) => {
  if (!el || el.nodeType !== 1) return null;
  if (uniqueId(el)) return '#' + CSS.escape(el.id);
  if (el === document.documentElement) return 'html';
  if (el === document.body) return 'body';
  const parts = [];
  let n = el;
  while (n && n.nodeType === 1 && n !== document.documentElement && n !== document.body) {
    if (n !== el && uniqueId(n)) { parts.unshift('#' + CSS.escape(n.id)); return parts.join(' > '); }
    let part = CSS.escape(n.localName);
    const p = n.parentElement;
    if (p) {
      let same = 0, idx = 0;
      for (const c of p.children) if (c.localName === n.localName) { same++; if (c === n) idx = same; }
      if (same > 1) part += ':nth-of-type(' + idx + ')';
    }
    parts.unshift(part);
    n = p;
  }
  if (n === document.body) parts.unshift('body');
  return parts.join(' > ');
};
const snip = (el) => {
  const h = el.outerHTML || '';
  return h.length > 300 ? h.slice(0, 299) + '\u2026' : h;
};
"""

PROBES: list[Probe] = []
# (the layout probe before the keyboard one: nothing happens to the page between its first state, read
# with the other scripts, and its reflow state)
PROBE_MODULES = ("audit.probes.links", "audit.probes.language", "audit.probes.layout", "audit.probes.keyboard",
                 "audit.probes.hover", "audit.probes.motion")

# A JavaScript function expression, el => a CSS selector that finds exactly ``el`` with
# document.querySelector: the nearest unique id, then tag names with :nth-of-type where a
# sibling shares the tag, from there down (the targets of the probes' findings).
SELECTOR_JS = """(el => {
  const unique = sel => { try { return document.querySelectorAll(sel).length === 1; } catch (e) { return false; } };
  const parts = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    if (n.id && unique('#' + CSS.escape(n.id))) { parts.unshift('#' + CSS.escape(n.id)); break; }
    let part = CSS.escape(n.localName);
    const parent = n.parentElement;
    if (parent) {
      const same = Array.prototype.filter.call(parent.children, c => c.localName === n.localName);
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(n) + 1) + ')';
    }
    parts.unshift(part);
    if (n.localName === 'html' || unique(parts.join(' > '))) break;
  }
  return parts.join(' > ');
})"""


def probe(name: str, profiles: tuple[str, ...] = ("default",), timeout_s: float = 10.0, *,
          script: str | None = None, args: Any = None):
    """Register ``fn`` as the probe ``name``: ``fn(page, ctx)``, or with ``script``
    ``fn(page, ctx, value)`` where value is what the script returned. ``timeout_s`` bounds fn (and
    the script, when the probe runs alone)."""
    def register(fn: Callable[..., Awaitable[dict[str, Any]]]):
        PROBES.append(Probe(name, tuple(profiles), timeout_s, fn, script, args))
        return fn
    return register


# What the scripts run inside the check evaluate may take together; those left after it give an error.
INLINE_BUDGET_MS = 5000
ERROR_KEY = "__klartjek_probe_error__"


def inline_js(profile: str | None) -> str | None:
    """A JavaScript function expression ``async () => ({name: value})`` running the scripts of the
    profile's probes one after the other, each one's exception or the spent budget giving
    ``{ERROR_KEY: message}`` for it; None when the profile has no such script."""
    if not profile:
        return None
    steps = [f"[{json.dumps(p.name)}, ({p.script}), {json.dumps(p.args)}]" for p in selected(profile) if p.script]
    if not steps:
        return None
    return ("async () => {\n  const t0 = performance.now(), out = {};\n  const steps = [\n"
            + ",\n".join(steps) + "];\n"
            f"  for (const [name, fn, arg] of steps) {{\n"
            f"    if (performance.now() - t0 > {INLINE_BUDGET_MS}) {{\n"
            f"      out[name] = {{{ERROR_KEY}: 'not checked: the page took klartjek more than "
            f"{INLINE_BUDGET_MS // 1000} s to read'}}; continue; }}\n"
            "    try { const v = await fn(arg); out[name] = typeof v === 'string' ? JSON.parse(v) : v; }\n"
            f"    catch (e) {{ out[name] = {{{ERROR_KEY}: 'the page stopped the probe (' + "
            "String(e && e.message || e).split('\\n')[0].slice(0, 200) + ')'}; }\n"
            "  }\n  return out;\n}")


def _load() -> None:
    if not PROBES:
        for module in PROBE_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:        # a probe not written yet
                if exc.name != module:
                    raise


def selected(profile: str) -> list[Probe]:
    _load()
    return [p for p in PROBES if profile in p.profiles]


RESTORE_TIMEOUT_S = 2.0


async def run_probes(page, profile: str, ctx: ProbeContext,
                     inline: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every probe of ``profile`` on ``page``, one after the other; each one's artifact, or its error.
    ``inline``: what the scripts of ``inline_js(profile)`` returned, when the page ran them already.

    A probe that fails or runs out of time is followed by a restore of the page's state. A page that
    does not answer even that (a script stuck in a loop, a renderer that hung) is closed — the
    worker opens a fresh tab for its next document — and the probes left give an error too."""
    from playwright.async_api import Error as PlaywrightError

    out: dict[str, dict[str, Any]] = {}
    stuck = None
    for p in selected(profile):
        if stuck is not None:
            out[p.name] = {"error": stuck}
            continue
        try:
            if p.script is not None and inline is not None:
                value = inline.get(p.name, {ERROR_KEY: "the page did not give klartjek what it read"})
                if isinstance(value, dict) and ERROR_KEY in value:
                    out[p.name] = {"error": str(value[ERROR_KEY])}
                    continue
                out[p.name] = await asyncio.wait_for(p.fn(page, ctx, value), p.timeout_s)
            else:
                out[p.name] = await asyncio.wait_for(p.run(page, ctx), p.timeout_s)
            continue
        except asyncio.TimeoutError:
            out[p.name] = {"error": f"the page did not let klartjek finish this within {p.timeout_s:g} s"}
        except PlaywrightError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            out[p.name] = {"error": f"the page stopped the probe ({first})"}
        if not await _restore(page, ctx):
            stuck = f"not checked: the page stopped responding while klartjek checked {p.name}"
            with contextlib.suppress(Exception):
                await asyncio.wait_for(page.close(run_before_unload=False), RESTORE_TIMEOUT_S)
    return out


async def _restore(page, ctx: ProbeContext) -> bool:
    """After a probe that failed half-way: the viewport and the pointer back, no focus, no scroll.
    False when the page does not answer within RESTORE_TIMEOUT_S (or is gone)."""
    from playwright.async_api import Error as PlaywrightError

    async def restore() -> None:
        await page.set_viewport_size({"width": ctx.viewport[0], "height": ctx.viewport[1]})
        await page.mouse.move(0, 0)
        await page.evaluate("() => { document.getElementById('__klartjek_probe_style__')?.remove();"
                            " document.activeElement?.blur?.(); window.scrollTo(0, 0); }")

    if page.is_closed():
        return False
    try:
        await asyncio.wait_for(restore(), RESTORE_TIMEOUT_S)
        return True
    except (PlaywrightError, asyncio.TimeoutError):
        return False
