"""The hover probe: content that appears on hover or focus (WCAG 1.4.13 Content on hover or focus).

One evaluate finds the candidates (the common case, a page with none, ends there): elements a CSS
rule with :hover, :focus or :focus-within reveals something for (a descendant or a following
sibling whose display, visibility, opacity, position, size or clip the rule changes, and which is
hidden now; style sheets from other origins cannot be read: skipped), elements whose
aria-describedby points at something hidden (a tooltip), and elements with mouseenter, mouseover,
pointerenter or focus listeners (audit/gather.py LISTENERS_JS). For at most MAX_CANDIDATES of
them (two per rule or kind of element) klartjek uses the real mouse, or focus: it notes what is on
show, moves the pointer to the element (or focuses it), and sees what appeared. For that content it
records whether it covers other content, whether Escape hides it, whether it stays when the pointer
moves onto it (in steps, straight from the element into the content's nearest point, then further
in, as a hand would), and whether it stays while the pointer rests (PERSIST_S, longer when a timer
set at the hover is due later).
Content that reports an input error is marked so (1.4.13 lets it stay). The browser's own title
tooltips are not in the page and never seen.

It leaves the page as it found it: pointer at 0,0, no focus, scroll at the top. Nothing here
judges: checks/hover_checks.py does.
"""
from __future__ import annotations

import asyncio
import time

from audit.probes import ProbeContext, probe

MAX_CANDIDATES = 8      # elements hovered or focused on a page
BUDGET_S = 5.0          # no new element is tried after this long
APPEAR_S = 0.4          # how long content shown by a script may take to appear
PERSIST_S = 0.3         # how long the pointer rests on the content before klartjek looks again
TIMER_WAIT_S = 3.0      # the longest wait for a timer set at the hover (a tooltip that hides itself)

# Helpers the hover and motion probes splice into their page functions (plain functions of the page's
# DOM, prefixed k… so they shadow nothing of the page's: each evaluate is its own function scope).
# kSel: a selector document.querySelector finds the element by (an id, else a short path of
# :nth-of-type steps; " >> " into a shadow root); kFind: the element of such a selector. kBox: the
# part of the element's box a user can see, in page coordinates (clipped by ancestors that hide
# their overflow, and by the document's origin: what lies left of or above it is never seen).
# kShown: displayed, visible, not transparent (``own``: its own opacity counts; an element that
# blinks by its opacity is judged by its parent's) and at least 2×2 px of it seen. kName: an
# element's accessible name, near enough (ARIA, labels, text, title, value, images' alt).
# kControls(re): the buttons, links, switches and check boxes whose name matches ``re``, seen or
# reachable by Tab. kTag: the element's start tag (a finding's html). kNear(el, controls): the first
# of ``controls`` inside ``el`` or one of its nearest ancestors up to the main landmark, or right
# beside it.
DOM_JS = r"""
const kSel = el => {
  const root = el.getRootNode();
  const shadow = typeof ShadowRoot !== 'undefined' && root instanceof ShadowRoot;
  const scope = shadow ? root : document;
  const parts = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    if (e.id) {
      const q = '#' + CSS.escape(e.id);
      try { if (scope.querySelectorAll(q).length === 1) { parts.unshift(q); break; } } catch (x) {}
    }
    const tag = CSS.escape(e.localName);
    if (e === document.documentElement || e === document.body) { parts.unshift(tag); break; }
    let i = 1, same = false;
    for (let s = e.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === e.localName) i++;
    same = i > 1;
    for (let s = e.nextElementSibling; !same && s; s = s.nextElementSibling) same = s.localName === e.localName;
    parts.unshift(same ? tag + ':nth-of-type(' + i + ')' : tag);
    try { if (scope.querySelectorAll(parts.join(' > ')).length === 1) break; } catch (x) {}
  }
  const own = parts.join(' > ');
  return shadow ? kSel(root.host) + ' >> ' + own : own;
};
const kFind = sel => {
  let scope = document, el = null;
  for (const part of sel.split(' >> ')) {
    try { el = scope.querySelector(part); } catch (e) { return null; }
    if (!el) return null;
    scope = el.shadowRoot || el;
  }
  return el;
};
const kBox = el => {
  const r = el.getBoundingClientRect();
  let l = r.left, t = r.top, rt = r.right, b = r.bottom, depth = 0;
  for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement && depth < 40;
       a = a.parentElement, depth++) {
    const cs = getComputedStyle(a);
    if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
      const ar = a.getBoundingClientRect();
      if (cs.overflowX !== 'visible') { l = Math.max(l, ar.left); rt = Math.min(rt, ar.right); }
      if (cs.overflowY !== 'visible') { t = Math.max(t, ar.top); b = Math.min(b, ar.bottom); }
    }
    if (cs.position === 'fixed') break;
  }
  l = Math.max(l, -scrollX); t = Math.max(t, -scrollY);
  return {x: Math.round(l + scrollX), y: Math.round(t + scrollY), w: Math.round(Math.max(0, rt - l)),
          h: Math.round(Math.max(0, b - t))};
};
const kShown = (el, own = true) => {
  if (!el.isConnected || !el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) return false;
  const p = own ? el : el.parentElement;
  if (p && !p.checkVisibility({opacityProperty: true})) return false;
  const b = kBox(el);
  return b.w >= 2 && b.h >= 2;
};
const kName = el => {
  const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
    .map(id => document.getElementById(id)).filter(Boolean);
  const t = el.getAttribute('aria-label') || by.map(e => e.textContent).join(' ') ||
    (el.labels && el.labels.length ? Array.from(el.labels, l => l.textContent).join(' ') : '') ||
    el.innerText || el.textContent || el.getAttribute('title') ||
    (el.localName === 'input' && el.type !== 'checkbox' ? el.value : '') ||
    Array.from(el.querySelectorAll('img[alt], svg title, [aria-label]'),
               e => e.getAttribute('alt') || e.getAttribute('aria-label') || e.textContent).join(' ') || '';
  return String(t).replace(/\s+/g, ' ').trim().slice(0, 120);
};
const kControls = re => Array.from(document.querySelectorAll(
    'button, [role="button"], [role="switch"], [aria-pressed], a[href], summary, ' +
    'input[type="button"], input[type="checkbox"], input[type="image"], input[type="submit"]')).slice(0, 3000)
  .filter(c => !c.disabled && (kShown(c) || c.tabIndex >= 0) && re.test(kName(c)));
const kTag = el => {
  let s = '<' + el.localName;
  for (const a of Array.from(el.attributes).slice(0, 12)) s += ' ' + a.name + '="' + a.value.slice(0, 80) + '"';
  return (s.length > 300 ? s.slice(0, 299) + '\u2026' : s) + '>';
};
const kNear = (el, controls) => {
  let a = el;
  for (let depth = 0; depth < 6; depth++) {
    const c = controls.find(c => a.contains(c));
    if (c) return c;
    if (!a.parentElement || a.parentElement.matches('main, [role="main"], body, html')) break;
    a = a.parentElement;
  }
  // or a control beside it (itself, or in a small wrapper of its own)
  const beside = s => s && s.querySelectorAll('*').length <= 4 ? s : null;
  const sides = [beside(a.previousElementSibling), beside(a.nextElementSibling)].filter(Boolean);
  return controls.find(c => sides.some(s => s.contains(c))) || null;
};
"""

# What the hover probe keeps in the page between its steps, under a symbol no page script names.
STATE = "window[Symbol.for('klartjek.hover')]"

# Shown, cheaply (no ancestors walked): what the before/after comparison of the whole page uses.
CHEAP_JS = r"""
const kCheap = el => {
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
  const r = el.getBoundingClientRect();
  return r.width >= 2 && r.height >= 2 && r.right + scrollX > 0 && r.bottom + scrollY > 0;
};
const kAll = () => Array.from(document.querySelectorAll('body *')).slice(0, 8000);
"""

FIND_JS = "(max) => {\n" + DOM_JS + CHEAP_JS + r"""
  const out = {candidates: [], rules: 0, unreadable_sheets: 0};
  const found = new Map();            // trigger → candidate
  const perKey = new Map();
  const take = (el, how, source, key, rule = null) => {
    if (found.has(el) || !kCheap(el) || el === document.body) return;
    const n = perKey.get(key) || 0;
    if (n >= 2) return;
    perKey.set(key, n + 1);
    found.set(el, {el, how, source, rule: rule ? rule.slice(0, 200) : null});
  };
  // 1. aria-describedby pointing at something hidden: a tooltip
  for (const el of Array.from(document.querySelectorAll('[aria-describedby]')).slice(0, 500)) {
    const refs = el.getAttribute('aria-describedby').split(/\s+/).map(id => id && document.getElementById(id))
      .filter(Boolean);
    if (refs.length && refs.some(r => !kCheap(r))) take(el, 'hover', 'aria-describedby', 'describedby:' + el.localName);
  }
  // 2. CSS rules that reveal a descendant or a following sibling on :hover or :focus
  const SHOWS = new RegExp('^(display|visibility|opacity|clip|clip-path|transform|translate|scale|max-height|height|' +
                           'max-width|width|left|top|right|bottom|inset|margin-left|margin-top|position)$');
  const PSEUDO = /:(hover|focus-within|focus-visible|focus)(?![\w-])/g;
  const split = text => {
    const parts = []; let depth = 0, start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ',' && depth === 0) { parts.push(text.slice(start, i).trim()); start = i + 1; }
    }
    parts.push(text.slice(start).trim());
    return parts;
  };
  const onRule = rule => {
    const text = rule.selectorText;
    if (!text || !/:(hover|focus)/.test(text)) return;
    let shows = false;
    for (let i = 0; i < rule.style.length; i++) if (SHOWS.test(rule.style[i])) { shows = true; break; }
    if (!shows) return;
    for (const part of split(text)) {
      // the last :hover/:focus outside parentheses, and the compound it ends
      let at = -1, name = '', depth = 0;
      for (let i = 0; i < part.length; i++) {
        const c = part[i];
        if (c === '(' || c === '[') depth++;
        else if (c === ')' || c === ']') depth--;
        else if (c === ':' && depth === 0) {
          const m = /^:(hover|focus-within|focus-visible|focus)(?![\w-])/.exec(part.slice(i));
          if (m) { at = i; name = m[1]; }
        }
      }
      if (at < 0) continue;
      let end = at, d = 0;
      for (; end < part.length; end++) {
        const c = part[end];
        if (c === '(' || c === '[') d++;
        else if (c === ')' || c === ']') d--;
        else if (d === 0 && /[\s>+~]/.test(c)) break;
      }
      const rest = part.slice(end).trim();
      if (!rest) continue;                       // the element's own look, not content it reveals
      const trigger = part.slice(0, end).replace(PSEUDO, '').trim();
      const content = (part.slice(0, end).replace(PSEUDO, '') + ' ' + rest).replace(PSEUDO, '').trim();
      if (!trigger || /[>+~]$/.test(trigger)) continue;
      let triggers, contents;
      try {
        triggers = Array.from(document.querySelectorAll(trigger)).slice(0, 50);
        contents = Array.from(document.querySelectorAll(content)).slice(0, 200).filter(c => !kCheap(c));
      } catch (e) { continue; }
      if (!contents.length) continue;
      const how = name === 'hover' ? 'hover' : 'focus';
      for (const t of triggers) {
        if (!contents.some(c => (t !== c && t.contains(c)) || (c.parentElement === t.parentElement &&
            (t.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING)))) continue;
        let el = t;
        if (name === 'focus-within') {
          el = t.querySelector('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]');
          if (!el) continue;
        }
        take(el, how, 'css', 'css:' + part, part);
      }
    }
  };
  const walk = list => {
    for (const r of list) {
      if (++out.rules > 20000) return;
      if (r.selectorText !== undefined && r.style) onRule(r);
      if (r.cssRules && r.cssRules.length) walk(r.cssRules);
    }
  };
  for (const sheet of Array.from(document.styleSheets).slice(0, 200)) {
    let rules = null;
    try { rules = sheet.cssRules; } catch (e) { out.unreadable_sheets++; continue; }
    if (rules) walk(rules);
  }
  // 3. elements a script shows something for on the pointer or on focus
  const L = window.__klartjek_listeners__;
  const HOVER = ['mouseenter', 'mouseover', 'pointerenter', 'pointerover'], FOCUS = ['focus', 'focusin'];
  const key = el => 'listener:' + el.localName + '.' + (el.getAttribute('class') || '');
  for (const el of kAll()) {
    const on = typeof L === 'function' ? L(el) : [];
    if (on.some(t => HOVER.includes(t)) || el.hasAttribute('onmouseover') || el.hasAttribute('onmouseenter'))
      take(el, 'hover', 'listener', key(el));
    else if (on.some(t => FOCUS.includes(t)) || el.hasAttribute('onfocus')) take(el, 'focus', 'listener', key(el));
  }
  for (const c of Array.from(found.values()).slice(0, max))
    out.candidates.push({selector: kSel(c.el), html: kTag(c.el), how: c.how, source: c.source, rule: c.rule});
  out.found = found.size;
  return out;
}
"""

# Scroll the trigger into view, find a point of it the pointer reaches, note what is on show.
PREPARE_JS = "(sel) => {\n" + DOM_JS + CHEAP_JS + r"""
  const t = kFind(sel);
  if (!t) return null;
  t.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
  const r = t.getBoundingClientRect();
  let point = null;
  for (const [fx, fy] of [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75], [0.1, 0.1]]) {
    const x = r.left + r.width * fx, y = r.top + r.height * fy;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
    const hit = document.elementFromPoint(x, y);
    if (hit && (t.contains(hit) || (t.shadowRoot && t.shadowRoot.contains(hit)))) { point = {x, y}; break; }
  }
  const shown = new Set(kAll().filter(kCheap));
  """ + STATE + r""" = {t, shown, t0: performance.now(), roots: []};
  return {point};
}
"""

# Settle: two frames, then the roots' finite animations and transitions (a fade), at most 600 ms.
SETTLE_JS = r"""
const kFrames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
const kSettle = async roots => {
  await kFrames();
  const running = roots.flatMap(r => r.isConnected ? r.getAnimations({subtree: true}) : [])
    .filter(a => a.playState === 'running' && Number.isFinite(a.effect.getComputedTiming().endTime));
  if (running.length) await Promise.race([Promise.all(running.map(a => a.finished.catch(() => null))),
                                          new Promise(r => setTimeout(r, 600))]);
};
"""

# What appeared since PREPARE_JS: the new shown elements whose parent is not new (the roots), at
# most three; whether they cover other content; whether they report an input error.
APPEARED_JS = "async (wait) => {\n" + DOM_JS + CHEAP_JS + SETTLE_JS + r"""
  const st = """ + STATE + r""";
  if (!st) return null;
  const t = st.t;
  const find = () => {
    const fresh = new Set(kAll().filter(el => !st.shown.has(el) && kCheap(el)));
    return Array.from(fresh).filter(el => !fresh.has(el.parentElement) && !el.contains(t))
      .filter(el => { const b = kBox(el); return b.w >= 8 && b.h >= 8 && kShown(el); });
  };
  await kFrames();
  let roots = find();
  const until = performance.now() + wait;
  while (!roots.length && performance.now() < until) {
    await new Promise(r => setTimeout(r, 50));
    roots = find();
  }
  if (!roots.length) return {roots: []};
  await kSettle(roots);
  roots = roots.filter(el => kShown(el)).slice(0, 3);
  st.roots = roots;
  // covers: under a point of the content lies something of the page's with text or an image, which
  // neither holds the content nor is part of the trigger
  const solid = e => e.matches('img, svg, video, canvas, iframe, input, select, textarea, button, picture, object') ||
    Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  let covered = null;
  for (const root of roots) {
    const b = root.getBoundingClientRect();
    for (const fx of [0.1, 0.3, 0.5, 0.7, 0.9]) for (const fy of [0.15, 0.5, 0.85]) {
      if (covered) break;
      const x = b.left + b.width * fx, y = b.top + b.height * fy;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      const stack = document.elementsFromPoint(x, y);
      const i = stack.findIndex(e => root.contains(e));
      if (i < 0) continue;
      covered = stack.slice(i + 1).find(e => !roots.some(r => r.contains(e) || e.contains(r)) &&
        !t.contains(e) && !e.contains(t) && e !== document.body && e !== document.documentElement && solid(e)) || null;
    }
  }
  const ERROR = /(^|[\s_-])(error|errors|fejl|invalid|ugyldig)([\s_-]|$)/i;
  const error = t.getAttribute('aria-invalid') === 'true' || roots.some(r => r.getAttribute('role') === 'alert' ||
    ERROR.test((r.getAttribute('class') || '') + ' ' + r.id) ||
    (!!r.id && t.getAttribute('aria-errormessage') === r.id));
  const text = r => (r.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 80);
  return {roots: roots.map(r => ({selector: kSel(r), html: kTag(r), text: text(r)})),
          covers: covered ? kSel(covered) : null, error};
}
"""

# Whether the content is still on show (after it settles).
SHOWN_JS = "async () => {\n" + DOM_JS + SETTLE_JS + r"""
  const st = """ + STATE + r""";
  if (!st || !st.roots.length) return false;
  await kSettle(st.roots);
  return st.roots.some(r => kShown(r));
}
"""

# Points of the content the pointer reaches, in the viewport: where the way from the trigger's point
# (``from``) enters it (the content's nearest point, as a hand moves straight across a gap, not
# diagonally out of a narrow menu item), and a point well inside it.
CONTENT_POINT_JS = "(from) => {\n" + r"""
  const st = """ + STATE + r""";
  const root = st && st.roots[0];
  if (!root) return null;
  const r = root.getBoundingClientRect();
  const hits = (x, y) => {
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
    const hit = document.elementFromPoint(x, y);
    return !!hit && root.contains(hit);
  };
  let target = null;
  for (const [fx, fy] of [[0.5, 0.5], [0.5, 0.25], [0.25, 0.5], [0.75, 0.5], [0.5, 0.75], [0.2, 0.2], [0.8, 0.8]]) {
    const x = r.left + r.width * fx, y = r.top + r.height * fy;
    if (hits(x, y)) { target = {x, y}; break; }
  }
  if (!target) return null;
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const ex = clamp(from.x, r.left + 3, r.right - 3), ey = clamp(from.y, r.top + 3, r.bottom - 3);
  return {entry: hits(ex, ey) ? {x: ex, y: ey} : null, target};
}
"""

# Timers set since the hover that fire within TIMER_WAIT_S: how long until the last of them fires,
# and the delay it was set with (ms).
TIMERS_SINCE_JS = "(limit) => {\n" + r"""
  const st = """ + STATE + r""";
  const T = typeof window.__klartjek_timers__ === 'function' ? window.__klartjek_timers__() : null;
  if (!st || !T) return {left: 0, delay: 0};
  let last = 0, delay = 0;
  for (const r of T.pending) {
    if (r.t0 < st.t0 || r.kind !== 'timeout') continue;
    const left = r.t0 + r.delay - T.now;
    if (left > 0 && left <= limit && left > last) { last = left; delay = r.delay; }
  }
  return {left: Math.round(last), delay: Math.round(delay)};
}
"""

FOCUS_JS = "(sel) => {\n" + DOM_JS + r"""
  const t = kFind(sel);
  if (!t) return false;
  t.focus({preventScroll: true});
  return document.activeElement === t || (t.shadowRoot && t.shadowRoot.activeElement !== null);
}
"""

RESET_JS = "() => { document.activeElement?.blur?.(); delete " + STATE + "; window.scrollTo(0, 0); }"


async def _rest(page, seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _try(page, cand: dict) -> dict:
    """Hover (or focus) one candidate and record what its content does."""
    rec = {"trigger": cand["selector"], "html": cand["html"], "how": cand["how"], "source": cand["source"],
           "rule": cand.get("rule"), "appeared": False}
    prep = await page.evaluate(PREPARE_JS, cand["selector"])
    if not prep or (cand["how"] == "hover" and not prep.get("point")):
        rec["reached"] = False
        return rec
    rec["reached"] = True
    point = prep.get("point")

    async def show() -> None:
        if cand["how"] == "hover":
            await page.mouse.move(point["x"], point["y"])
        else:
            await page.evaluate(FOCUS_JS, cand["selector"])

    await show()
    wait_ms = 0 if cand["source"] == "css" else APPEAR_S * 1000
    got = await page.evaluate(APPEARED_JS, wait_ms)
    if not got or not got["roots"]:
        return rec
    rec.update(appeared=True, content=got["roots"][0]["selector"], content_html=got["roots"][0]["html"],
               content_text=got["roots"][0]["text"], covers=got["covers"], error=got["error"])
    # dismissible: Escape, with the pointer (or focus) where it is
    await page.keyboard.press("Escape")
    rec["dismissed"] = not await page.evaluate(SHOWN_JS)
    if rec["dismissed"]:                  # show it again: away and back
        if cand["how"] == "hover":
            await page.mouse.move(0, 0)
        else:
            await page.evaluate("() => document.activeElement?.blur?.()")
        await page.evaluate(SHOWN_JS)
        await show()
        if not await page.evaluate(SHOWN_JS):
            rec["hoverable"] = rec["persistent"] = None
            return rec
    # hoverable: the pointer moves onto the content, in steps, from the trigger
    if cand["how"] == "hover":
        way = await page.evaluate(CONTENT_POINT_JS, point)
        if way is None:
            rec["hoverable"] = None
        else:
            at = point
            for stop in (way["entry"], way["target"]):
                if stop is None:
                    continue
                steps = max(2, min(12, int((abs(stop["x"] - at["x"]) + abs(stop["y"] - at["y"])) / 12)))
                await page.mouse.move(stop["x"], stop["y"], steps=steps)
                at = stop
    await _rest(page, PERSIST_S)
    still = await page.evaluate(SHOWN_JS)
    if cand["how"] == "hover" and "hoverable" not in rec:
        rec["hoverable"] = still
    # persistent: a timer set at the hover may hide it later: wait for the last of them
    timer = await page.evaluate(TIMERS_SINCE_JS, TIMER_WAIT_S * 1000) if still else {"left": 0, "delay": 0}
    later = timer["left"]
    if later:
        await _rest(page, later / 1000 + 0.1)
        still = await page.evaluate(SHOWN_JS)
    rec["waited_ms"] = int(PERSIST_S * 1000 + (later + 100 if later else 0))
    rec["timer_ms"] = timer["delay"] if later else None     # the timer set at the hover klartjek waited for
    rec["persistent"] = still if (cand["how"] != "hover" or rec.get("hoverable") is not False) else None
    return rec


@probe("hover", profiles=("default",), timeout_s=12.0, script=FIND_JS, args=MAX_CANDIDATES)
async def hover(page, ctx: ProbeContext, found: dict) -> dict:
    out = {"found": found["found"], "unreadable_sheets": found["unreadable_sheets"], "tried": [], "untried": 0}
    if not found["candidates"]:
        return out
    start = time.monotonic()
    try:
        for cand in found["candidates"]:
            if time.monotonic() - start > BUDGET_S:
                out["untried"] += 1
                continue
            try:
                out["tried"].append(await _try(page, cand))
            finally:
                await page.mouse.move(0, 0)
                await page.evaluate("() => document.activeElement?.blur?.()")
    finally:
        await page.mouse.move(0, 0)
        await page.evaluate(RESET_JS)
    return out
