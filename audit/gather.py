"""Gathering: load a page in Chromium and collect the artifacts checks need.

Artifacts of a page: ``page`` (final URL, HTTP status, content type, title, language, content
hash) and ``axe`` (axe-core's result, with Danish messages added from axe-core's own Danish
locale, cut to what the checks read: for each rule its id, impact and tags, for each node its
target, html, impact and messages). Nothing here judges the page: that is for checks/.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import json
from functools import partial
from dataclasses import dataclass, field
from typing import Any, Callable

from axe_playwright_python.base import AXE_SCRIPT
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from audit.aio import blocking
from audit.browser import BLOCKED_FAILURES
from audit.pageopts import NONE as NO_OPTIONS, PageOptions
from core.errors import NotFound, TargetError
from audit.textextract import text_from_html
from core.axe import HTML_SNIPPET_MAX, danish_locale

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAIN_HTML_MAX = 5_000_000      # characters of a page's main HTML read for its text (a bound on the work)

# One round trip per page: the page's facts (title, language, canonical, links), then axe-core
# (which must see the page untouched), each finding's message rendered again with axe-core's
# Danish locale (axe.utils.getCheckMessage and the locale's failure summaries) so both languages
# are stored, then the rendered main content (the main landmark, else the body) without what is
# not displayed, for the plain-language checks. The axe options and the locale are put in the page
# once per context by an init script (window.__klartjek__): sending the 35 kB locale with every
# page cost 60 ms of Python a page in the driver's serialiser.
CHECK_PAGE_JS = """
async (arg) => {
  const k = arg || window.__klartjek__;
  const nav = performance.getEntriesByType('navigation')[0];
  const info = {title: document.title || null, docUrl: nav ? nav.name : null,
    lang: document.documentElement.getAttribute('lang') || null,
    canonical: (document.querySelector('link[rel~="canonical"]') || {}).href || null,
    links: Array.from(document.querySelectorAll('a[href], area[href]'), a => a.href).slice(0, 5000)};
  // what the checks of a whole site compare across pages: navigation (its name, where it lies, its
  // language, a selector of it and of each link below it), link names, search
  const words = el => (el.getAttribute('aria-label') || el.innerText || el.textContent ||
    (el.querySelector('img[alt]') || {}).alt || el.getAttribute('title') || '')
    .replace(/\\s+/g, ' ').trim().slice(0, 200);
  const named = el => [el.href, words(el)];
  // e's step in a selector: its tag, with :nth-of-type when its parent has more of that tag (each
  // parent's children counted once: a menu of 300 items costs 300 steps, not 300 × 300)
  const nth = new Map();
  const step = e => { const p = e.parentElement; let m = nth.get(p);
    if (!m) { m = {index: new Map(), counts: {}};
      for (const s of p.children) m.index.set(s, m.counts[s.localName] = (m.counts[s.localName] || 0) + 1);
      nth.set(p, m); }
    return m.counts[e.localName] > 1 ? e.localName + ':nth-of-type(' + m.index.get(e) + ')' : e.localName; };
  // a selector of e below top (exclusive), else from the nearest ancestor with a unique id, else from html
  const path = (e, top) => { const parts = [];
    for (let i = 0; e && e !== top && i < 40; e = e.parentElement, i++) {
      if (!top && e.id && /^[A-Za-z][\\w-]*$/.test(e.id) && document.querySelectorAll('#' + e.id).length === 1) {
        parts.unshift('#' + e.id); break; }
      if (!e.parentElement) { parts.unshift(e.localName); break; }
      parts.unshift(step(e));
    }
    return parts.join(' > '); };
  const REGIONS = {header: 'banner', footer: 'contentinfo', aside: 'complementary', main: 'main'};
  const region = n => { const r = n.parentElement && n.parentElement.closest('header, footer, aside, main, ' +
    '[role="banner"], [role="contentinfo"], [role="complementary"], [role="main"]');
    return r ? (r.getAttribute('role') || REGIONS[r.localName]) : null; };
  const labelOf = n => (n.getAttribute('aria-label') || (n.getAttribute('aria-labelledby') || '').split(/\\s+/)
    .map(id => (id && document.getElementById(id) || {}).textContent || '').join(' '))
    .replace(/\\s+/g, ' ').trim().slice(0, 200) || null;
  info.nav = Array.from(document.querySelectorAll('nav, [role="navigation"]')).slice(0, 20).map(n => ({
    label: labelOf(n), region: region(n), lang: (n.closest('[lang]') || {lang: null}).lang || null, sel: path(n),
    links: Array.from(n.querySelectorAll('a[href]')).slice(0, 300).map(a => [a.href, words(a), path(a, n)])}));
  // the first and the last links of a long page (its footer is last)
  const anchors = Array.from(document.querySelectorAll('a[href]'));
  info.link_names = (anchors.length > 2000 ? anchors.slice(0, 1500).concat(anchors.slice(-500)) : anchors).map(named);
  // style sheets the page has (an orientation lock needs one; axe-core cannot tell without any)
  info.stylesheets = document.styleSheets.length;
  // the viewport's settings as written (the browser reads the last such meta element)
  const vps = document.querySelectorAll('meta[name="viewport" i]');
  info.viewport = vps.length ? (vps[vps.length - 1].getAttribute('content') || '').slice(0, 500) : null;
  info.search = !!document.querySelector('input[type="search"], [role="search"], form[action*="search" i], ' +
    'form[action*="soeg" i], form[action*="søg" i], input[name="q"], input[name="query"]');
  // a JSON string: one string crosses to Python instead of an object tree the driver walks twice
  if (!k || !window.axe || typeof window.axe.run !== 'function') return JSON.stringify({info, axe: null, main: null});
  // [[pages]] include/exclude (apply_page_options): axe-core checks only that part of the page
  const sc = window.__klartjek_scope__ || null;
  const context = sc ? Object.assign({}, sc.include.length ? {include: sc.include.map(s => [s])} : {},
                                     sc.exclude.length ? {exclude: sc.exclude.map(s => [s])} : {}) : document;
  const res = await axe.run(context, k.options);
  const slim = r => ({id: r.id});
  res.passes = res.passes.map(slim);
  res.inapplicable = res.inapplicable.map(slim);
  // the locale is applied only when there is something to say in Danish: configuring it
  // recompiles every message template
  if (res.violations.length || res.incomplete.length) try {
    axe.configure({locale: k.locale});
    const sums = axe._audit.data.failureSummaries;
    const localise = (rules, type) => {
      for (const rule of rules) for (const node of rule.nodes) {
        const msgs = {};
        for (const key of ['any', 'all', 'none']) for (const check of node[key]) {
          let m = check.message;
          try { m = axe.utils.getCheckMessage(check.id, type, check.data); }
          catch (e) { try { m = axe.utils.getCheckMessage(check.id, 'fail', check.data); } catch (e2) {} }
          msgs[key] = (msgs[key] || []).concat([m || check.message || '']);
        }
        const parts = [];
        const none = (msgs.none || []).concat(msgs.all || []);
        if ((msgs.any || []).length && sums.any && typeof sums.any.failureMessage === 'function')
          parts.push(sums.any.failureMessage(msgs.any));
        if (none.length && sums.none && typeof sums.none.failureMessage === 'function')
          parts.push(sums.none.failureMessage(none));
        node.failureSummary_da = parts.join('\\n\\n') || null;
      }
    };
    localise(res.violations, 'fail');
    localise(res.incomplete, 'incomplete');
  } catch (e) { res.localeError = String(e); }
  // keep what the checks read: a node's target, html, impact and messages (the check details
  // and related nodes made up most of the result, and each byte costs time in the driver)
  const cut = h => (h && h.length > k.htmlMax) ? h.slice(0, k.htmlMax - 1) + '\u2026' : h;
  // a fact the checks weigh axe-core's avoid-inline-spacing with: does the element hold text of its
  // own (a box whose text sits in children that set their own spacing has none to widen)
  const ownText = n => { if (n.target.length !== 1 || typeof n.target[0] !== 'string') return null;
    let el = null; try { el = document.querySelector(n.target[0]); } catch (e) { return null; }
    return el ? Array.from(el.childNodes).some(c => c.nodeType === 3 && c.data.trim() !== '') : null; };
  const slimRule = r => ({id: r.id, impact: r.impact, tags: r.tags, ...(r.error ? {error: r.error} : {}),
    nodes: r.nodes.map(n => ({target: n.target, html: cut(n.html), impact: n.impact,
      failureSummary: n.failureSummary, failureSummary_da: n.failureSummary_da,
      ...(r.id === 'avoid-inline-spacing' ? {ownText: ownText(n)} : {})}))});
  res.violations = res.violations.map(slimRule);
  res.incomplete = res.incomplete.map(slimRule);
  delete res.toolOptions; delete res.testEnvironment;
  let main = null, mainCut = false;
  if (k.text) {
    // the main landmark, else the body; with [[pages]] include, the parts included (outermost ones)
    let roots = [document.querySelector('main, [role="main"]') || document.body];
    if (sc && sc.include.length) {
      const found = sc.include.flatMap(s => Array.from(document.querySelectorAll(s)));
      roots = found.filter((r, i) => found.indexOf(r) === i && !found.some(o => o !== r && o.contains(r)));
    }
    const inert = document.implementation.createHTMLDocument('');
    for (const root of roots.filter(Boolean)) {
      const live = [root, ...root.querySelectorAll('*')];
      // copied into an inert document: a copy made in this one would load its images, audio and
      // video again (media requests that could outlive the tab's interception, see skip_media)
      const clone = inert.importNode(root, true);
      const copies = [clone, ...clone.querySelectorAll('*')];
      for (let i = live.length - 1; i > 0; i--) {
        const cs = getComputedStyle(live[i]);
        if (cs.display === 'none' || cs.visibility === 'hidden') copies[i].remove();
      }
      main = (main || '') + clone.outerHTML;
    }
    // a page's text is checked after this many characters of its HTML no more (bounded work)
    if (main !== null && main.length > k.mainMax) { main = main.slice(0, k.mainMax); mainCut = true; }
  }
  // the read-only first steps of the profile's probes (audit/probes inline_js), or none
  const probeScripts = /*PROBES*/null;
  const probes = probeScripts ? await probeScripts() : null;
  return JSON.stringify({info, axe: res, main, mainCut, probes});
}
"""


@functools.lru_cache(maxsize=4)
def check_page_js(profile: str | None) -> str:
    """CHECK_PAGE_JS with the read-only scripts of ``profile``'s probes run after the rest (None: none)."""
    from audit.probes import inline_js

    scripts = inline_js(profile)
    return CHECK_PAGE_JS.replace("/*PROBES*/null", scripts) if scripts else CHECK_PAGE_JS


def page_settings(axe_options: dict[str, Any], extract_text: bool = True) -> dict[str, Any]:
    """What CHECK_PAGE_JS needs besides the page: axe options, the Danish locale, whether to take
    the main content."""
    return {"options": axe_options, "locale": danish_locale(), "text": extract_text, "htmlMax": HTML_SNIPPET_MAX,
            "mainMax": MAIN_HTML_MAX}


# Which elements listen for which events (the keyboard and hover probes ask): addEventListener is
# wrapped before the page's own scripts run; the record is a WeakMap no page script can see by name.
LISTENERS_JS = """
(() => {
  const seen = new WeakMap();
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    try { let s = seen.get(this); if (!s) { s = new Set(); seen.set(this, s); } s.add(String(type)); } catch (e) {}
    return add.call(this, type, listener, options);
  };
  Object.defineProperty(window, '__klartjek_listeners__', {value: el => Array.from(seen.get(el) || []),
    enumerable: false, configurable: false, writable: false});
})();
"""


# Timers (the motion and hover probes ask): setTimeout and setInterval calls of 200 ms to 20 s are
# noted while pending (when they fire next), and what the first callbacks of a timer of 1 s or more
# changed in the DOM is kept (not what was written again as it was), by a MutationObserver alive
# only while the callback runs: a slideshow that advances by itself shows as a repeating timer that
# changed its slides. Shorter timers and string callbacks go straight to the browser's own functions.
TIMERS_JS = """
(() => {
  const W = window, now = () => performance.now();
  const setT = W.setTimeout, setI = W.setInterval, clrT = W.clearTimeout, clrI = W.clearInterval;
  const pending = new Map(), changed = [];
  let current = null;
  const watch = (rec, fn) => function () {
    rec.fired += 1;
    const outer = current;
    current = rec;
    let mo = null;
    if (rec.delay >= 1000 && rec.fired <= 3 && changed.length < 50) try {
      mo = new MutationObserver(() => {});
      mo.observe(document, {subtree: true, attributes: true, attributeOldValue: true, childList: true,
                            characterData: true, characterDataOldValue: true});
    } catch (e) { mo = null; }
    try { return fn.apply(this, arguments); } finally {
      current = outer;
      if (rec.kind === 'timeout') pending.delete(rec.id);
      if (mo) {
        try {
          const els = new Set();
          const same = list => Array.from(list, n => n.nodeType === 1 ? n.outerHTML : n.textContent).join('');
          for (const r of mo.takeRecords()) {
            // what was written again as it was (a poll that renders the same) changed nothing
            if (r.type === 'attributes' && r.target.getAttribute(r.attributeName) === r.oldValue) continue;
            if (r.type === 'characterData' && r.target.textContent === r.oldValue) continue;
            if (r.type === 'childList' && same(r.addedNodes) === same(r.removedNodes)) continue;
            const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
            if (el) els.add(el);
            if (els.size >= 20) break;
          }
          if (els.size) changed.push({kind: rec.kind, delay: rec.delay, again: rec.kind === 'interval' || rec.again,
                                      at: now(), els: Array.from(els)});
        } catch (e) {}
        mo.disconnect();
      }
    }
  };
  const add = (kind, native) => function (fn, delay) {
    const d = +delay || 0;
    if (typeof fn !== 'function' || !(d >= 200 && d <= 20000) || pending.size >= 500) return native.apply(W, arguments);
    const rec = {kind, delay: d, t0: now(), fired: 0, id: 0, again: false};
    // a timeout set again by its own callback with about the same delay repeats (a chain)
    if (current && kind === 'timeout' && current.kind === 'timeout' && Math.abs(current.delay - d) <= d / 10) {
      current.again = true;
    }
    const args = Array.prototype.slice.call(arguments);
    args[0] = watch(rec, fn);
    rec.id = native.apply(W, args);
    pending.set(rec.id, rec);
    return rec.id;
  };
  const clear = native => function (id) { pending.delete(id); return native.apply(W, arguments); };
  W.setTimeout = add('timeout', setT);
  W.setInterval = add('interval', setI);
  W.clearTimeout = clear(clrT);
  W.clearInterval = clear(clrI);
  Object.defineProperty(W, '__klartjek_timers__', {value: () => ({now: now(),
    pending: Array.from(pending.values(), r => ({kind: r.kind, delay: r.delay, t0: r.t0, fired: r.fired})), changed}),
    enumerable: false, configurable: false, writable: false});
})();
"""


def settings_script(settings: dict[str, Any]) -> str:
    return (LISTENERS_JS + TIMERS_JS + "Object.defineProperty(window, '__klartjek__', {value: " + json.dumps(settings)
            + ", enumerable: false, configurable: false, writable: false});")


def watch_blocked(page) -> set[str]:
    """The distinct URLs the browser was kept from (the allow-list proxy) since this call. The
    listener is added once per tab: adding and removing it for every page costs two round trips
    to the driver."""
    if not hasattr(page, "_klartjek_blocked"):
        def on_failed(request):
            if request.failure in BLOCKED_FAILURES:
                page._klartjek_blocked.add(request.url)
        page.on("requestfailed", on_failed)
    page._klartjek_blocked = set()
    return page._klartjek_blocked


class TabCrashed(TargetError):
    """The tab crashed or was closed under us: worth one more try in a new tab."""


@dataclass
class Gathered:
    artifacts: dict[str, Any]
    blocked_requests: int = 0
    notes: list[str] = field(default_factory=list)
    page: Any = None                       # a tab of its own the page is still in (else the worker's tab)
    close: Callable[[], Any] | None = None  # closes that tab's context, after the screenshots


def _net_error(exc: Exception) -> str:
    text = str(exc)
    for line in text.splitlines():
        if "net::ERR_" in line:
            code = line[line.index("net::ERR_"):].split()[0].rstrip(":")
            return {
                "net::ERR_CONNECTION_REFUSED": "connection refused; is the server running?",
                "net::ERR_NAME_NOT_RESOLVED": "host name not found; check the URL",
                "net::ERR_ADDRESS_UNREACHABLE": "address unreachable; check the URL and the network",
                "net::ERR_CONNECTION_TIMED_OUT": "connection timed out",
                "net::ERR_PROXY_CONNECTION_FAILED": "blocked: host outside the audit's allowed hosts "
                                                    "(add it with --allow-host)",
                "net::ERR_TUNNEL_CONNECTION_FAILED": "blocked: host outside the audit's allowed hosts "
                                                     "(add it with --allow-host)",
                "net::ERR_CERT_AUTHORITY_INVALID": "the TLS certificate is not trusted",
                "net::ERR_ABORTED": "the browser aborted loading (a download, not a page?)",
            }.get(code, f"could not load the page ({code})")
    if "Download is starting" in text:
        return ("the server sent a file to download, not a page; check the URL (PDF and Word files "
                "are checked as letters: klartjek letter URL)")
    return f"could not load the page ({text.splitlines()[0] if text else type(exc).__name__})"


MAX_HOPS = 3      # script navigations followed from a page to the document the user lands on


def _same_document(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


# [[pages]] hide, include, exclude (audit/pageopts.py), done in the page before it is checked: hidden
# elements are taken out of the page (display: none), excluded ones are marked so that the main text
# leaves them out, and the scope is left for CHECK_PAGE_JS's axe-core run. Selectors that are not
# valid CSS, and include selectors that find nothing, come back to be reported.
PREPARE_JS = """
(o) => {
  const bad = [];
  const all = s => { try { return Array.from(document.querySelectorAll(s)); }
                     catch (e) { if (!bad.includes(s)) bad.push(s); return []; } };
  for (const s of o.hide) for (const el of all(s)) el.style.setProperty('display', 'none', 'important');
  for (const s of o.exclude) for (const el of all(s)) el.setAttribute('data-klartjek-ignore', '');
  const missing = o.include.filter(s => !all(s).length);
  if (o.include.length || o.exclude.length)
    Object.defineProperty(window, '__klartjek_scope__', {value: {include: o.include, exclude: o.exclude},
                                                          configurable: true});
  return {bad, missing: missing.filter(s => !bad.includes(s))};
}
"""

# Which of the probes' targets lie outside [[pages]] include, or inside exclude (as the page is after
# the probes restored it): their findings are not reported (checks/registry.py evaluate).
OUTSIDE_JS = """
(a) => {
  const all = s => { try { return Array.from(document.querySelectorAll(s)); } catch (e) { return []; } };
  const inc = a.include.flatMap(all), exc = a.exclude.flatMap(all);
  return a.targets.filter(t => {
    let el = null;
    try { el = document.querySelector(t); } catch (e) { return false; }
    if (!el) return false;
    return exc.some(x => x.contains(el)) || (inc.length > 0 && !inc.some(x => x.contains(el)));
  });
}
"""
MAX_SCOPE_TARGETS = 20_000


def _targets(value: Any, out: set[str]) -> None:
    """Every string under a "target" key in ``value`` (the probes' artifacts), bounded."""
    if len(out) >= MAX_SCOPE_TARGETS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "target" and isinstance(v, str):
                out.add(v)
            else:
                _targets(v, out)
    elif isinstance(value, list):
        for v in value:
            _targets(v, out)


async def _before_load(page, url: str, options: PageOptions) -> Callable[[], Any]:
    """[[pages]] viewport and headers, set in the tab before ``url`` loads; returns what undoes them.
    Headers go only to ``url``'s own origin: added by a route whose matcher is that origin (a redirect
    to another host is a new request the route does not match)."""
    undo: list[Callable[[], Any]] = []
    if options.viewport:
        before = page.viewport_size
        await page.set_viewport_size({"width": options.viewport[0], "height": options.viewport[1]})
        if before:
            undo.append(lambda: page.set_viewport_size(before))
    if options.headers:
        own = _origin(url)
        extra = dict(options.headers)

        def same_origin(u: str) -> bool:
            return _origin(u) == own

        async def add_headers(route, request) -> None:
            headers = {k: v for k, v in (await request.all_headers()).items()
                       if k.lower() not in {n.lower() for n in extra}}
            await route.fallback(headers=headers | extra)

        await page.route(same_origin, add_headers)
        undo.append(lambda: page.unroute(same_origin, add_headers))

    async def restore() -> None:
        for fn in undo:
            with contextlib.suppress(Exception):
                await fn()
    return restore


def _origin(url: str) -> tuple[str, str, int | None]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme, (parts.hostname or ""), port


async def _in_page(page, options: PageOptions, location: str, timeout_s: float) -> None:
    """[[pages]] wait_for, then hide, include and exclude (PREPARE_JS); TargetError naming the
    selector when one is not valid CSS, the awaited element never shows, or include finds nothing."""
    if options.wait_for:
        try:
            await page.wait_for_selector(options.wait_for, state="visible", timeout=timeout_s * 1000)
        except PlaywrightTimeoutError:
            raise TargetError(f"{location}: the element {options.wait_for!r} (page option wait_for) did not show "
                              f"within {timeout_s:g} s; check the selector or raise --timeout") from None
        except PlaywrightError as exc:
            if "is not a valid selector" in str(exc) or "SyntaxError" in str(exc):
                raise TargetError(f"{location}: the page option wait_for {options.wait_for!r} is not a valid CSS "
                                  "selector") from None
            raise
    if options.in_page:
        got = await page.evaluate(PREPARE_JS, {"hide": list(options.hide), "include": list(options.include),
                                               "exclude": list(options.exclude)})
        if got["bad"]:
            raise TargetError(f"{location}: page option selector {got['bad'][0]!r} is not valid CSS; fix the "
                              "hide, include or exclude entry")
        if got["missing"]:
            raise TargetError(f"{location}: page option include {got['missing'][0]!r} finds nothing on the page; "
                              "nothing would be checked (fix the selector or the match)")


async def _scope(page, artifacts: dict[str, Any], options: PageOptions) -> dict[str, Any]:
    """The ``scope`` artifact: the include and exclude selectors, and the probes' targets outside them."""
    found: set[str] = set()
    _targets({k: v for k, v in artifacts.items() if k not in ("page", "axe", "text")}, found)
    outside = await page.evaluate(OUTSIDE_JS, {"targets": sorted(found), "include": list(options.include),
                                               "exclude": list(options.exclude)}) if found else []
    return {"include": list(options.include), "exclude": list(options.exclude), "hide": list(options.hide),
            "outside": sorted(outside)}


async def gather_page(page, url: str, *, timeout_s: float, settings: dict[str, Any], location: str,
                      in_scope: Callable[[str], bool] | None = None, probes: str | None = None,
                      options: PageOptions = NO_OPTIONS) -> Gathered:
    """Load ``url`` in ``page`` (a tab a worker reuses: a new tab costs about 0.3 s) and gather its
    artifacts; TargetError on failure. ``in_scope``: where the page may end up after redirects and
    script navigations (``location.href = …``): the document the user lands on is audited when it
    is in scope (``final_url``), and the page is an error otherwise — never another site's page, nor
    the browser's own error page. ``probes``: the profile whose probes act on the page after axe-core
    (audit/probes), or None for none (a letter's HTML part). ``options``: the page's [[pages]] options
    (audit/pageopts.py; cookies are the caller's: they need a context of the page's own)."""
    blocked = watch_blocked(page)
    restore = await _before_load(page, url, options) if options else None
    try:
        try:
            response = await page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        except PlaywrightTimeoutError:
            raise TargetError(f"{location}: the page did not finish loading within {timeout_s:g} s; "
                              "check the page or raise --timeout") from None
        except PlaywrightError as exc:
            raise TargetError(f"{location}: {_net_error(exc)}") from None
        if response is None:
            raise TargetError(f"{location}: the browser got no response")
        if in_scope is not None and not in_scope(response.url):
            raise TargetError(f"{location}: redirected to {response.url}, outside the audit's scope; "
                              "not audited (audit that URL itself if it is meant)")
        if response.status >= 400:
            kind = partial(NotFound, status=response.status) if response.status in (404, 410) else TargetError
            raise kind(f"{location}: the server answered {response.status} "
                       f"{response.status_text or ''}".rstrip() + "; check the URL")
        ctype = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            raise TargetError(f"{location}: not an HTML page (content type {ctype}); "
                              "klartjek audits web pages here")
        async def read_body() -> bytes:
            try:
                return await response.body()
            except PlaywrightError:
                try:
                    return (await page.content()).encode()
                except PlaywrightError:
                    return b""

        body_task = asyncio.ensure_future(read_body())
        try:
            if options.wait_for or options.in_page:
                await _in_page(page, options, location, timeout_s)
            out = await _check_landing(_checker(page, probes, settings, timeout_s), page, timeout_s)
        except BaseException:
            body_task.cancel()
            raise
        final = out["info"].get("docUrl") or page.url
        if not _same_document(final, response.url) and in_scope is not None and not in_scope(final):
            raise TargetError(f"{location}: the page went on to {final}, outside the audit's scope; "
                              "not audited")
        body = await body_task
        artifacts = {"page": page_artifact(url, final, out["info"], response.status, ctype, body, blocked,
                                           response.headers),
                     "axe": out["axe"]}
        await _after_check(page, out, artifacts, probes, settings)
        if options.scoped:
            artifacts["scope"] = await _scope(page, artifacts, options)
        return Gathered(artifacts=artifacts, blocked_requests=len(blocked))
    except (PlaywrightTimeoutError, asyncio.TimeoutError):
        raise TargetError(f"{location}: the page took longer than {timeout_s:g} s to check; "
                          "raise --timeout") from None
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        kind = TabCrashed if ("crash" in first.lower() or "has been closed" in first) else TargetError
        raise kind(f"{location}: the browser failed while checking the page ({first})") from None
    finally:
        if restore is not None:
            await restore()


def _checker(page, probes: str | None, settings: dict[str, Any], timeout_s: float):
    """The one evaluate that checks a page (CHECK_PAGE_JS with the profile's probe scripts), with
    axe-core injected again when the page's own scripts replaced it."""
    script = check_page_js(probes)

    async def check() -> dict[str, Any]:
        out = json.loads(await asyncio.wait_for(page.evaluate(script), timeout_s))
        if out["axe"] is None:  # the init script did not take (e.g. the page replaced window.axe)
            await page.evaluate(AXE_SCRIPT)
            out = json.loads(await asyncio.wait_for(page.evaluate(script, settings), timeout_s))
        return out

    return check


async def _after_check(page, out: dict[str, Any], artifacts: dict[str, Any], probes: str | None,
                       settings: dict[str, Any]) -> None:
    """The probes' acting steps and the main text, after the checking evaluate (into ``artifacts``)."""
    if probes:
        from audit.probes import ProbeContext, run_probes

        vp = page.viewport_size or {"width": 1280, "height": 900}
        artifacts |= await run_probes(page, probes, ProbeContext((vp["width"], vp["height"]), settings),
                                      out.get("probes"))
    if out.get("main") is not None:
        artifacts["text"] = await blocking(partial(text_from_html, out["main"], lang=out["info"]["lang"],
                                                   source="page"))
        if out.get("mainCut"):
            artifacts["text"]["truncated"] = True


def page_artifact(url: str, final: str, info: dict[str, Any], status: int | None, ctype: str | None, body: bytes,
                  blocked: set[str], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``page`` artifact: what the page is, from the checking evaluate's facts and the response."""
    headers = headers or {}
    return {
        "url": url, "final_url": final, "status": status,
        "content_type": ctype or None, "title": info["title"], "lang": info["lang"],
        "content_hash": hashlib.sha256(body).hexdigest(),
        "blocked_urls": sorted(blocked)[:100],
        "canonical": info["canonical"], "links": info["links"],
        "nav": info.get("nav") or [], "link_names": info.get("link_names") or [],
        "search": bool(info.get("search")), "stylesheets": info.get("stylesheets"),
        "viewport": info.get("viewport"),
        "etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
    }


async def gather_current(page, *, timeout_s: float, settings: dict[str, Any], location: str,
                         probes: str | None = None) -> Gathered:
    """The artifacts of the page as it is now, without loading it (a journey's state, reached by
    clicks and keys): what gather_page collects after the load. The content hash is of the DOM now."""
    blocked = watch_blocked(page)
    try:
        out = await _check_landing(_checker(page, probes, settings, timeout_s), page, timeout_s)
        body = (await page.content()).encode()
        final = page.url
        artifacts = {"page": page_artifact(final, final, out["info"], 200, "text/html", body, blocked),
                     "axe": out["axe"]}
        await _after_check(page, out, artifacts, probes, settings)
        return Gathered(artifacts=artifacts, blocked_requests=len(blocked))
    except (PlaywrightTimeoutError, asyncio.TimeoutError):
        raise TargetError(f"{location}: the page took longer than {timeout_s:g} s to check; "
                          "raise --timeout") from None
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TargetError(f"{location}: the browser failed while checking the page ({first})") from None


async def _check_landing(check, page, timeout_s: float) -> dict[str, Any]:
    """``check()``, again on the next document when a script navigates away while it runs."""
    for _ in range(MAX_HOPS):
        try:
            return await check()
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc):
                raise
            await _settle(page, timeout_s)
    return await check()


async def _settle(page, timeout_s: float) -> None:
    """Wait for the document a script navigated to (its load event), within the page's timeout."""
    try:
        await page.wait_for_load_state("load", timeout=timeout_s * 1000)
    except PlaywrightError:
        pass


# Where a failing element is, in page coordinates, with a red outline drawn around it (an overlay,
# so the element itself is not changed); None when it is not found or has no size.
OUTLINE_JS = """
(arg) => {
  let el = null;
  try { el = document.querySelector(arg.selector); } catch (e) { return null; }
  if (!el) return null;
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  if (arg.focus) el.focus({focusVisible: true, preventScroll: true});
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return null;
  let box = document.getElementById('__klartjek_outline__');
  if (arg.focus) { box?.remove(); box = null; }
  else if (!box) {
    box = document.createElement('div');
    box.id = '__klartjek_outline__';
    box.setAttribute('aria-hidden', 'true');
    document.documentElement.appendChild(box);
  }
  const x = r.left + window.scrollX, y = r.top + window.scrollY;
  if (box) box.style.cssText = 'position:absolute;pointer-events:none;z-index:2147483647;box-sizing:border-box;' +
    'border:3px solid #d00000;left:' + (x - 4) + 'px;top:' + (y - 4) + 'px;width:' + (r.width + 8) +
    'px;height:' + (r.height + 8) + 'px';
  const de = document.documentElement;
  return {x, y, width: r.width, height: r.height, cx: r.left + r.width / 2, cy: r.top + r.height / 2,
          sx: window.scrollX, sy: window.scrollY, vw: de.clientWidth || innerWidth, vh: de.clientHeight || innerHeight};
}
"""
SHOT_MAX = (800, 600)      # CSS pixels: a screenshot shows the element and its surroundings, cropped
SHOT_MARGIN = 24


# A page state for screenshots (core.model.SHOT_STATES) put on and taken off again: WCAG's text
# spacing as a style sheet, or every element's font size doubled (as the layout probe does); the
# reflow state and the focus and hover states are set from Python.
SHOT_STATE_JS = """
(arg) => {
  const KEY = '__klartjek_shot_state__';
  const html = document.documentElement, body = document.body;
  if (!arg.on) {
    document.getElementById(KEY)?.remove();
    for (const [el, v] of (window[KEY] || [])) {
      if (v === null) { el.getAttribute('style'); el.removeAttribute('style'); } else el.setAttribute('style', v);
    }
    delete window[KEY];
    document.activeElement?.blur?.();
    return true;
  }
  if (arg.state === 'text-spacing') {
    const st = document.createElement('style');
    st.id = KEY;
    st.textContent = arg.css;
    html.appendChild(st);
  } else if (arg.state === 'text-200' && body) {
    const els = [html, body];
    for (const el of body.getElementsByTagName('*')) {
      if (els.length >= arg.max) break;
      const svg = el instanceof SVGElement;
      if (!svg || el.localName === 'svg' && !(el.parentElement instanceof SVGElement)) els.push(el);
    }
    const sizes = els.map(el => parseFloat(getComputedStyle(el).fontSize) || 0);
    const saved = [];
    els.forEach((el, k) => {
      if (!el.style || !sizes[k]) return;
      saved.push([el, el.getAttribute('style')]);
      el.style.setProperty('font-size', (el instanceof SVGElement ? 1 : 2) * sizes[k] + 'px', 'important');
    });
    Object.defineProperty(window, KEY, {value: saved, configurable: true, enumerable: false, writable: true});
  }
  return [screen.width, screen.height, window.devicePixelRatio || 1];
}
"""
SHOT_REFLOW = (320, 600)   # CSS px: the reflow state's window for a screenshot (WCAG's 320 wide)


async def take_screenshots(page, items: list[tuple[str, str, str | None]], folder, limit: int) -> int:
    """Screenshots of failing elements, cropped around each with its outline drawn, as JPEG files
    named by the finding's fingerprint in ``folder``. ``items``: (fingerprint, CSS selector, the
    state the failure shows in: None for the page as loaded, else one of core.model.SHOT_STATES:
    320 px wide, text spacing, text at 200 %, the element focused as the keyboard focuses it (its
    focus indicator is what the shot is for, so no outline is drawn), or the pointer on it). The
    page is put back as it was after each run of items in one state. At most ``limit``, the first;
    elements in frames or shadow roots, and any error, are skipped: a screenshot is never worth
    failing a page for. Returns how many were taken."""
    from audit.probes.layout import SPACING_CSS, _viewport

    taken = 0
    runs: list[tuple[str | None, list[tuple[str, str]]]] = []     # consecutive items of one state
    for fp, selector, state in [it for it in items if ">>" not in it[1]][:limit]:
        if not runs or runs[-1][0] != state:
            runs.append((state, []))
        runs[-1][1].append((fp, selector))
    for state, shots in runs:
        vp = page.viewport_size or {"width": 1280, "height": 900}
        cdp = getattr(page, "_klartjek_cdp", None)
        screen = None
        try:
            if cdp is None:
                cdp = page._klartjek_cdp = await page.context.new_cdp_session(page)
            if state in ("text-spacing", "text-200", "reflow"):
                screen = await page.evaluate(SHOT_STATE_JS, {"on": True, "state": state, "css": SPACING_CSS,
                                                             "max": 5000})
            if state == "reflow":
                await _viewport(cdp, SHOT_REFLOW, screen[:2], screen[2])
            for fp, selector in shots:
                if await _shot(page, cdp, fp, selector, state, folder):
                    taken += 1
        except (PlaywrightError, OSError, TypeError):
            pass
        finally:
            with contextlib.suppress(PlaywrightError, TypeError):
                if state == "reflow" and screen:
                    await _viewport(cdp, (vp["width"], vp["height"]), screen[:2], screen[2])
                if state is not None:
                    await page.mouse.move(0, 0)
                    await page.evaluate(SHOT_STATE_JS, {"on": False})
    return taken


async def _shot(page, cdp, fp: str, selector: str, state: str | None, folder) -> bool:
    """One screenshot (see take_screenshots); False when the element is not there or not shown."""
    try:
        box = await page.evaluate(OUTLINE_JS, {"selector": selector, "focus": state == "focus"})
        if not box:
            return False
        if state == "hover":
            await page.mouse.move(box["cx"], box["cy"])
            await asyncio.sleep(0.3)            # what a hover shows may fade in
        if state == "reflow":                   # the narrow window, not beyond it
            clip = {"x": box["sx"], "y": max(box["sy"], box["y"] - SHOT_MARGIN), "width": box["vw"],
                    "height": min(box["height"] + 2 * SHOT_MARGIN, box["vh"])}
        elif state == "hover":                  # what the pointer shows lies beside the element
            clip = {"x": max(0.0, box["x"] - SHOT_MARGIN), "y": max(0.0, box["y"] - SHOT_MARGIN),
                    "width": SHOT_MAX[0], "height": SHOT_MAX[1]}
        else:
            clip = {"x": max(0.0, box["x"] - SHOT_MARGIN), "y": max(0.0, box["y"] - SHOT_MARGIN),
                    "width": min(box["width"] + 2 * SHOT_MARGIN, SHOT_MAX[0]),
                    "height": min(box["height"] + 2 * SHOT_MARGIN, SHOT_MAX[1])}
        folder.mkdir(parents=True, exist_ok=True)
        # straight over the DevTools protocol: Playwright's full-page screenshot resizes the
        # page for every shot, which cost about half a second each
        shot = await cdp.send("Page.captureScreenshot", {
            "format": "jpeg", "quality": 60, "clip": {**clip, "scale": 1}, "captureBeyondViewport": False})
        (folder / f"{fp}.jpg").write_bytes(base64.b64decode(shot["data"]))
        return True
    except (PlaywrightError, OSError, KeyError, TypeError):
        return False
    finally:
        if state in ("focus", "hover"):
            with contextlib.suppress(PlaywrightError):
                await page.mouse.move(0, 0)
                await page.evaluate("() => document.activeElement?.blur?.()")


# Is a media URL the source of an element whose own media data a check judges? Media that play by
# themselves (autoplay): axe-core waits for their metadata (no-autoplay-audio, up to its 10 s preload
# limit when the download is failed) and 1.4.2 and 2.2.2 judge how long they play. A muted loop
# plays for ever whatever its length, so it is skipped still.
AUTOPLAY_SOURCE_JS = """
(url) => Array.from(document.querySelectorAll('audio[autoplay], video[autoplay]')).slice(0, 50).some(m =>
  !((m.muted || m.hasAttribute('muted')) && m.loop) &&
  [m.currentSrc, m.src, ...Array.from(m.querySelectorAll('source[src]'), s => s.src)].includes(url))
"""


async def skip_media(context, page) -> None:
    """Fail the tab's audio and video downloads before they start (Chrome DevTools Protocol's Fetch
    domain, paused only for resources of type Media, so other requests never wait on us) — except
    the sources of media that play by themselves (AUTOPLAY_SOURCE_JS): how long they play is what
    axe-core's no-autoplay-audio and klartjek's motion checks judge, and axe-core would wait 10 s
    for them. No check reads other media data; axe-core's media rules look at the elements and their
    tracks. The results with and without skipping are compared in tests/test_media.py."""
    cdp = await context.new_cdp_session(page)

    async def autoplays(url: str) -> bool:
        """Asked in every frame (the event's frame id is not Playwright's); no answer is a no."""
        try:
            found = await asyncio.wait_for(asyncio.gather(
                *(f.evaluate(AUTOPLAY_SOURCE_JS, url) for f in page.frames[:20]), return_exceptions=True), 2)
        except asyncio.TimeoutError:
            return False
        return any(x is True for x in found)

    async def decide(event: dict[str, Any]) -> None:
        try:
            if await autoplays(event["request"]["url"]):
                await cdp.send("Fetch.continueRequest", {"requestId": event["requestId"]})
            else:
                await cdp.send("Fetch.failRequest", {"requestId": event["requestId"], "errorReason": "Aborted"})
        except PlaywrightError:
            pass        # the tab moved on or closed

    cdp.on("Fetch.requestPaused", lambda event: asyncio.ensure_future(decide(event)))
    await cdp.send("Fetch.enable", {"patterns": [{"resourceType": "Media", "requestStage": "Request"}]})


async def new_context(browser, user_agent: str | None = None, settings: dict[str, Any] | None = None,
                      viewport: tuple[int, int] = (1280, 900), **options: Any):
    """A browser context with axe-core (and the settings CHECK_PAGE_JS reads) injected into every
    frame before the page's own scripts."""
    context = await browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen",
                                        viewport={"width": viewport[0], "height": viewport[1]},
                                        user_agent=user_agent, **options)
    script = AXE_SCRIPT if settings is None else AXE_SCRIPT + "\n;" + settings_script(settings)
    await context.add_init_script(script=script)
    return context
