"""Keyboard and focus: what a keyboard user meets on the page (checks/keyboard_checks.py judges it).

Two probes:

- ``keyboard_static`` (quick and default; one evaluate, a few ms): which elements take mouse clicks
  and how a keyboard reaches them. It reads the listener record (audit/gather.py LISTENERS_JS), the
  inline ``on…`` handlers and the tabindex of every element, and records the facts the checks judge:
  elements with click handlers that are not focusable or that have no key handler, mouse-only
  handlers (double-click, hover), and native controls taken out of the tab order.
- ``keyboard`` (default): the sequential focus order, computed in the page (one evaluate: tabindex
  order, the browser's own focusability by focusing), and for each stop (at most MAX_STOPS) what
  focusing it as the keyboard does (``focus({focusVisible: true})``, which scrolls it into view as
  Tab does) changes on screen: its own outline, shadow, border, colours, its pseudo-elements, its
  neighbours (:focus-within, a sibling indicator, a script's class change); the contrast of the
  indicator; whether sticky or fixed content hides it entirely. Only where no style changed does it
  compare pixels (a screenshot of the element's box before and after, MAX_PIXEL_DIFFS at most).
  Real key presses (Tab, Shift+Tab, Escape) are used only for the keyboard-trap test, from elements
  whose own or containers' scripts listen for keys, blur or focus (MAX_TRAP_TESTS at most), each
  press bounded, all of it within a deadline.

Why a computed walk and not pressing Tab through the page: each press is a round trip to the browser
(1–5 ms) plus a read of the focused element; a page with 150 stops would cost 0.5–1 s, and the
computed order gives the same sequence (positive tabindex first, then document order; radio groups;
the browser decides focusability) in one evaluate of a few ms. Focus handlers run the same either way.
Not covered: the insides of iframes and shadow roots (the frame itself is a stop), keyboard-focusable
scroll containers without tabindex.

Both leave the page as they found it: no focus, scroll at the top, no injected style.
"""
from __future__ import annotations

import base64
import re
import time

from audit.probes import ELEMENT_JS, ProbeContext, probe

MAX_STOPS = 150          # focus stops examined for focus visibility, obscuring and contrast
MAX_PIXEL_DIFFS = 5      # stops whose focus no style shows, compared by screenshots
MAX_TRAP_TESTS = 6       # elements tested for a keyboard trap with real key presses
TRAP_STEPS = 4           # presses per direction: a repeat within them is a cycle
DEADLINE_S = 4.0         # the presses and screenshots stop here (the walk itself is one evaluate)

# The shared element helpers (ELEMENT_JS: sel, snip) and what the keyboard probes add to them.
HELPERS_JS = ELEMENT_JS + r"""
const listeners = (t) => { try { return window.__klartjek_listeners__ ? window.__klartjek_listeners__(t) : []; }
                           catch (e) { return []; } };
const hasEvent = (t, types) => {
  const l = listeners(t);
  for (const ty of types) {
    if (l.includes(ty)) return true;
    try { if (typeof t['on' + ty] === 'function') return true; } catch (e) {}
  }
  return false;
};
const NATIVE = (el) => {
  const t = el.localName;
  if (t === 'button' || t === 'select' || t === 'textarea' || t === 'summary' || t === 'label' || t === 'option'
      || t === 'iframe' || t === 'embed' || t === 'object') return true;
  if ((t === 'a' || t === 'area') && el.hasAttribute('href')) return true;
  if (t === 'input') return el.type !== 'hidden';
  if ((t === 'audio' || t === 'video') && el.hasAttribute('controls')) return true;
  if (el.isContentEditable && (!el.parentElement || !el.parentElement.isContentEditable)) return true;
  return false;
};
const rendered = (el) => {
  if (!el.isConnected) return false;
  if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true, opacityProperty: false})) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const hiddenFromAll = (el) => !!el.closest('[inert], [aria-hidden="true"]');
"""

STATIC_JS = "(opts) => {" + HELPERS_JS + r"""
  const t0 = performance.now();
  const CLICK = ['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup'];
  const KEY = ['keydown', 'keyup', 'keypress'];
  const HOVER = ['mouseover', 'mouseenter'];
  const FOCUS = ['focus', 'focusin'];
  const COMPOSITE = new Set(['tablist', 'menu', 'menubar', 'radiogroup', 'listbox', 'grid', 'treegrid', 'tree',
                             'toolbar', 'tabpanel']);
  const vw = innerWidth, vh = innerHeight;
  const globalKeys = hasEvent(window, KEY) || hasEvent(document, KEY) || hasEvent(document.documentElement, KEY)
    || (document.body && hasEvent(document.body, KEY));
  const all = document.body ? document.body.getElementsByTagName('*') : [];
  const maxEl = opts.maxElements;
  const clickable = [], mouseOnly = [], unreached = [];
  const capped = all.length > maxEl;
  const reachableHref = new Set();
  const outOfOrder = [];
  // is el focusable by the keyboard (in the tab order)? from markup and style, without focusing it
  const tabbable = (el) => el.tabIndex >= 0 && !el.disabled && NATIVE_OR_TABINDEX(el);
  const NATIVE_OR_TABINDEX = (el) => el.hasAttribute('tabindex') || (NATIVE(el) && el.localName !== 'label'
    && el.localName !== 'option');
  const keyAbove = (el) => {          // a key handler on the element or a container below body
    for (let n = el; n && n !== document.body && n !== document.documentElement; n = n.parentElement)
      if (hasEvent(n, KEY)) return true;
    return false;
  };
  const eventAbove = (el, types) => {
    for (let n = el; n; n = n.parentElement) if (hasEvent(n, types)) return true;
    return hasEvent(document, types) || hasEvent(window, types);
  };
  const interactiveInside = (el) => {
    let n = 0;
    for (const d of el.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, '
        + '[tabindex]:not([tabindex^="-"]), iframe, [contenteditable=""], [contenteditable="true"]')) {
      if (!d.disabled && rendered(d)) n++;
      if (n > 1) break;
    }
    return n;
  };
  // inside a composite widget (tabs, menu, toolbar …) whose arrow keys move focus: one item has tabindex 0
  const inComposite = (el) => {
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement)
      if (COMPOSITE.has(n.getAttribute('role')) && n.querySelector('[tabindex]:not([tabindex^="-"])')) return true;
    return false;
  };
  for (let i = 0; i < all.length && i < maxEl; i++) {
    const el = all[i];
    const t = el.localName;
    if (t === 'script' || t === 'style' || t === 'template' || t === 'noscript') continue;
    // one read of the listener record per element (most have none), then the inline handlers
    const l = listeners(el);
    const on = (ty) => l.includes(ty) || el['on' + ty] != null;
    const click = CLICK.filter(on);
    const dbl = on('dblclick');
    const hover = HOVER.filter(on);
    const native = NATIVE(el);
    // native controls taken out of the tab order by tabindex="-1"
    if (native && el.getAttribute('tabindex') !== null && el.tabIndex < 0 && !el.disabled
        && t !== 'label' && t !== 'option' && t !== 'iframe') {
      if (rendered(el) && !hiddenFromAll(el)) outOfOrder.push(el);
    }
    if (!click.length && !dbl && !hover.length) continue;
    if (!rendered(el) || hiddenFromAll(el)) continue;
    const r = el.getBoundingClientRect();
    const large = r.width * r.height >= 0.3 * vw * vh || el === document.body;
    const insideNative = !!(el.parentElement && el.parentElement.closest(
      'a[href], button, label, summary, select, [contenteditable=""], [contenteditable="true"]'));
    const base = {target: sel(el), html: snip(el), tag: t, role: el.getAttribute('role'),
                  tabindex: el.getAttribute('tabindex'), native, large, inside_native: insideNative,
                  interactive_inside: interactiveInside(el)};
    if (click.length && !native) {
      clickable.push({...base, events: click, focusable: tabbable(el), composite: inComposite(el),
                      key: keyAbove(el), global_key: globalKeys});
    }
    if ((dbl || hover.length) && !large && !insideNative) {
      const isField = t === 'input' || t === 'textarea' || el.isContentEditable;
      mouseOnly.push({...base, events: [...(dbl ? ['dblclick'] : []), ...hover], focusable: tabbable(el) || native,
                      key: keyAbove(el), global_key: globalKeys, field: isField,
                      focus_handler: eventAbove(el, FOCUS) || [...el.querySelectorAll('*')].slice(0, 200)
                        .some(d => hasEvent(d, [...FOCUS, ...KEY, 'click'])),
                      click: click.length > 0,
                      hidden_controls: [...el.querySelectorAll('a[href], button, input, select, textarea')]
                        .slice(0, 200).filter(d => !rendered(d)).length});
    }
  }
  // the links Tab reaches, only when a link is out of the order (resolving every href costs)
  if (outOfOrder.some(el => el.localName === 'a'))
    for (const a of document.querySelectorAll('a[href]')) if (tabbable(a) && rendered(a)) reachableHref.add(a.href);
  for (const el of outOfOrder) {
    unreached.push({target: sel(el), html: snip(el), tag: el.localName, role: el.getAttribute('role'),
                    tabindex: el.getAttribute('tabindex'), composite: inComposite(el),
                    same_link_reachable: el.localName === 'a' && reachableHref.has(el.href)});
  }
  const cut = (a) => a.slice(0, opts.maxFindings);
  return {elements: Math.min(all.length, maxEl), capped, listeners: !!window.__klartjek_listeners__,
          clickable: cut(clickable), mouse_only: cut(mouseOnly), unreached: cut(unreached),
          ms: Math.round(performance.now() - t0)};
}
"""


@probe("keyboard_static", profiles=("quick", "default"), timeout_s=5.0, script=STATIC_JS,
       args={"maxElements": 20000, "maxFindings": 100})
async def keyboard_static(page, ctx: ProbeContext, found: dict) -> dict:
    return found

# The walk: the sequential focus order, then each stop focused as the keyboard focuses it.
WALK_JS = "async (opts) => {" + HELPERS_JS + r"""
  const t0 = performance.now();
  const deadline = t0 + opts.walkMs;
  const KEY = ['keydown', 'keyup', 'keypress'];
  const BLUR = ['blur', 'focusout'];
  const FOCUS = ['focus', 'focusin'];
  const vw = document.documentElement.clientWidth || innerWidth;
  const vh = document.documentElement.clientHeight || innerHeight;
  // -- colours ------------------------------------------------------------------------------
  const parse = (c) => {
    const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(c || '');
    if (!m) return null;
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith('%')) a = a / 100;
    return [+m[1], +m[2], +m[3], a];
  };
  const over = (top, bottom) => {           // top composited over an opaque bottom
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // the colour behind an element (its own background when own), or null under an image or gradient
  const effBg = (el, own) => {
    const layers = [];
    for (let n = own ? el : el.parentElement; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null;
      const c = parse(cs.backgroundColor);
      if (c === null) return null;
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const hex = (c) => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  // -- what focus can change ------------------------------------------------------------------
  const SIDES = ['top', 'right', 'bottom', 'left'];
  const visibleColour = (c) => { const p = parse(c); return p === null || p[3] > 0; };
  const snap = (el, pseudo) => {
    const cs = getComputedStyle(el, pseudo || null);
    if (pseudo && (cs.content === 'none' || cs.content === 'normal')) return {content: 'none'};
    const s = {};
    const ow = parseFloat(cs.outlineWidth) || 0;
    s.outline = (cs.outlineStyle === 'none' || ow === 0 || !visibleColour(cs.outlineColor)) ? 'none'
      : [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.outlineOffset].join(' ');
    s.border = SIDES.map(d => {
      const st = cs.getPropertyValue('border-' + d + '-style');
      const w = parseFloat(cs.getPropertyValue('border-' + d + '-width')) || 0;
      const col = cs.getPropertyValue('border-' + d + '-color');
      return (st === 'none' || st === 'hidden' || w === 0 || !visibleColour(col)) ? 'none' : [st, w, col].join(' ');
    }).join('|');
    s.shadow = cs.boxShadow;
    s.background = (visibleColour(cs.backgroundColor) ? cs.backgroundColor : 'transparent') + ' ' + cs.backgroundImage;
    s.color = cs.color;
    s.decoration = cs.textDecorationLine === 'none' ? 'none'
      : [cs.textDecorationLine, cs.textDecorationStyle, cs.textDecorationColor, cs.textDecorationThickness].join(' ');
    s.shape = [cs.transform, cs.scale, cs.translate, cs.fontWeight, cs.fontStyle, cs.width, cs.height, cs.left,
               cs.top, cs.right, cs.bottom, cs.clip, cs.clipPath, cs.filter, cs.textShadow].join('|');
    s.shown = [cs.visibility, cs.display, cs.opacity].join('|');
    if (pseudo) s.content = cs.content;
    return s;
  };
  const own = (el) => ({self: snap(el), before: snap(el, '::before'), after: snap(el, '::after')});
  const look = own;
  const diff = (a, b) => {
    const out = [];
    for (const part of Object.keys(a)) for (const k of Object.keys(b[part] || {}))
      if (a[part][k] !== b[part][k]) out.push(part === 'self' ? k : part + ':' + k);
    return out;
  };
  const finish = () => {
    try { for (const a of document.getAnimations()) if (a instanceof CSSTransition) a.finish(); } catch (e) {}
  };
  const neighbours = (el) => {
    const out = new Set();
    let n = el.parentElement;
    for (let i = 0; i < 4 && n && n !== document.body; i++, n = n.parentElement) out.add(n);
    for (const s of [el.previousElementSibling, el.nextElementSibling]) if (s) out.add(s);
    const p = el.parentElement;
    if (p) for (const s of [p.previousElementSibling, p.nextElementSibling]) if (s) out.add(s);
    let k = 0;
    for (const d of el.getElementsByTagName('*')) { if (k++ >= 12) break; out.add(d); }
    return out;
  };
  const onScreen = (el) => {              // is any of it drawn where a user can see it, when focused?
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    if (r.right + scrollX <= 0 || r.bottom + scrollY <= 0) return false;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible' || parseFloat(cs.opacity) === 0) return false;
    if (/rect\(\s*0(px)?[ ,]+0(px)?[ ,]+0(px)?[ ,]+0(px)?\s*\)/.test(cs.clip)) return false;
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      const c = getComputedStyle(n);
      if (n !== el && parseFloat(c.opacity) === 0) return false;
      if (/^inset\(50%/.test(c.clipPath)) return false;
      if ((c.overflow === 'hidden' || c.overflow === 'clip') && n !== el) {
        const q = n.getBoundingClientRect();
        if (q.width <= 1 || q.height <= 1) return false;
      }
    }
    return true;
  };
  // -- covered by sticky or fixed content -----------------------------------------------------
  const stuck = (c) => {
    for (let n = c; n && n !== document.documentElement; n = n.parentElement) {
      const p = getComputedStyle(n).position;
      if (p === 'fixed' || p === 'sticky') return n;
    }
    return null;
  };
  const paints = (c, upto) => {        // does c (or a container up to the stuck one) paint over what is under it?
    for (let n = c; n; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage !== 'none') return true;
      const b = parse(cs.backgroundColor);
      if (b === null || b[3] >= 0.5) return true;
      if (/^(img|video|svg|canvas|iframe|object|embed|picture)$/.test(n.localName)) return true;
      if (n === upto) break;
    }
    return false;
  };
  const obscured = (el) => {
    const r = el.getBoundingClientRect();
    let points = 0, covered = 0, by = null;
    for (const fy of [0.15, 0.5, 0.85]) for (const fx of [0.1, 0.5, 0.9]) {
      const x = r.left + fx * r.width, y = r.top + fy * r.height;
      if (x < 0 || y < 0 || x >= vw || y >= vh) continue;
      const stack = document.elementsFromPoint(x, y);
      const idx = stack.findIndex(s => s === el || el.contains(s));
      if (idx < 0) continue;
      points++;
      for (let i = 0; i < idx; i++) {
        const c = stack[i];
        if (c.contains(el)) continue;
        const fixed = stuck(c);
        if (!fixed || fixed.contains(el)) continue;
        if (c.closest('[aria-modal="true"], dialog:modal')) continue;     // a modal dialog: what the user is in
        if (!paints(c, fixed)) continue;
        covered++; by = by || fixed;
        break;
      }
    }
    return {points, covered, by: by ? sel(by) : null};
  };
  // -- the indicator and its contrast -----------------------------------------------------------
  const shadows = (v) => {
    if (!v || v === 'none') return [];
    return v.split(/,(?![^(]*\))/).map(s => {
      const col = (/(rgba?\([^)]*\))/.exec(s) || [])[1];
      const nums = s.replace(/rgba?\([^)]*\)/, '').match(/-?[\d.]+px/g) || [];
      const [x, y, blur, spread] = nums.map(parseFloat).concat([0, 0, 0, 0]);
      return {color: parse(col), inset: /\binset\b/.test(s), x, y, blur: blur || 0, spread: spread || 0};
    });
  };
  const indicator = (el, changed, beforeBg, beforeColor) => {
    const cs = getComputedStyle(el);
    const outer = effBg(el, false), mine = effBg(el, true);
    const alt = {};
    if (changed.includes('background') && beforeBg && mine) alt.background = +ratio(beforeBg, mine).toFixed(2);
    const c0 = parse(beforeColor), c1 = parse(cs.color);
    if (changed.includes('color') && c0 && c1 && mine) alt.color = +ratio(over(c0, mine), over(c1, mine)).toFixed(2);
    if (changed.includes('decoration')) alt.decoration = true;
    if (changed.includes('shape')) alt.shape = true;
    const found = [];
    if (changed.includes('outline') && cs.outlineStyle !== 'none') {
      if (cs.outlineStyle === 'auto') return {kind: 'auto', alt};
      const col = parse(cs.outlineColor), inside = parseFloat(cs.outlineOffset) < 0;
      const against = inside ? mine : outer;
      if (col && against) found.push({kind: 'outline', color: over(col, against), against});
    }
    if (changed.includes('shadow')) for (const s of shadows(cs.boxShadow)) {
      if (!s.color || (s.spread <= 0 && s.blur <= 0 && !s.x && !s.y)) continue;
      const against = s.inset ? mine : outer;
      if (against) found.push({kind: 'box-shadow', color: over(s.color, against), against});
    }
    if (changed.includes('border')) for (const d of SIDES) {
      const col = parse(cs.getPropertyValue('border-' + d + '-color'));
      if (!col || !outer || !mine || cs.getPropertyValue('border-' + d + '-style') === 'none') continue;
      const a = over(col, outer);
      const best = ratio(a, outer) >= ratio(a, mine) ? outer : mine;
      found.push({kind: 'border', color: a, against: best});
    }
    if (!found.length) return Object.keys(alt).length ? {kind: null, alt} : null;
    let top = null;
    for (const f of found) { f.ratio = ratio(f.color, f.against); if (!top || f.ratio > top.ratio) top = f; }
    return {kind: top.kind, color: hex(top.color), against: hex(top.against), ratio: +top.ratio.toFixed(2), alt};
  };
  // -- the order -------------------------------------------------------------------------------
  const all = document.body ? document.body.getElementsByTagName('*') : [];
  const positive = [], zero = [];
  const radios = new Map();
  let scanned = 0;
  for (const el of all) {
    if (++scanned > opts.maxElements) break;
    if (el.tabIndex < 0 || el.disabled) continue;
    const native = NATIVE(el);
    if (!(el.hasAttribute('tabindex') || (native && el.localName !== 'label' && el.localName !== 'option'))) continue;
    if (!rendered(el) && !(el.getClientRects().length)) {
      // a zero-size element can still take focus (a visually hidden skip link); not one that is not rendered
      continue;
    }
    if (el.closest('[inert]')) continue;
    if (el.localName === 'input' && el.type === 'radio' && el.name) {
      const key = (el.form ? 'f' : 'd') + ':' + el.name;
      const g = radios.get(key);
      if (!g) radios.set(key, el);
      else { if (!g.checked && el.checked) { radios.set(key, el); } continue; }
    }
    (el.tabIndex > 0 ? positive : zero).push(el);
  }
  positive.sort((a, b) => a.tabIndex - b.tabIndex);
  let order = positive.concat(zero).filter(el => !(el.localName === 'input' && el.type === 'radio' && el.name
    && radios.get((el.form ? 'f' : 'd') + ':' + el.name) !== el));
  const stops = order.length;
  const capped = stops > opts.maxStops;
  order = order.slice(0, opts.maxStops);
  // -- focus each stop -----------------------------------------------------------------------------
  const mo = new MutationObserver(() => {});
  mo.observe(document.documentElement, {subtree: true, attributes: true, childList: true,
                                        attributeFilter: undefined});
  const changedBy = (records) => {
    const els = new Set(); let added = false;
    for (const r of records) {
      if (r.type === 'attributes' && r.target.nodeType === 1) els.add(r.target);
      if (r.type === 'childList') for (const n of r.addedNodes) if (n.nodeType === 1 && rendered(n)) added = true;
    }
    return {els, added};
  };
  document.activeElement && document.activeElement.blur && document.activeElement.blur();
  window.scrollTo(0, 0);
  const entries = [], pixel = [], notFocused = [];
  let examined = 0, timedOut = false, indicators = 0;
  const globalKeys = hasEvent(window, KEY) || hasEvent(document, KEY) || hasEvent(document.documentElement, KEY)
    || (document.body && hasEvent(document.body, KEY));
  const globalBlur = hasEvent(window, BLUR) || hasEvent(document, BLUR) || hasEvent(document, FOCUS);
  const suspects = [];
  const trapSeen = new Set();
  for (const el of order) {
    if (performance.now() > deadline) { timedOut = true; break; }
    examined++;
    mo.takeRecords();
    const b = own(el);
    const bgBefore = effBg(el, true), colorBefore = getComputedStyle(el).color;
    el.focus({focusVisible: true});
    if (document.activeElement !== el && !(el.shadowRoot && el.contains(document.activeElement))) {
      notFocused.push(sel(el));
      continue;
    }
    finish();
    const a = own(el);
    let changed = diff(b, a), how = changed.length ? 'own' : null, where = null;
    const shown = onScreen(el);
    let m = changedBy(mo.takeRecords());
    if (!how && m.added) how = 'added';
    if (!how || !shown) {
      // nothing of its own (or it is not to be seen): its containers, siblings, content, what a script changed
      const set = neighbours(el);
      for (const x of m.els) if (x !== el && set.size < 40) set.add(x);
      el.blur(); finish(); mo.takeRecords();
      const list = [...set].filter(x => x.isConnected);
      const before = list.map(look);
      el.focus({focusVisible: true}); finish();
      m = changedBy(mo.takeRecords());
      if (m.added) { how = 'added'; where = null; }
      for (let i = 0; i < list.length && how !== 'added' && how !== 'other'; i++) {
        const d = diff(before[i], look(list[i]));
        if (d.length && rendered(list[i])) { how = 'other'; where = sel(list[i]); changed = d; }
      }
    }
    const entry = {target: sel(el), html: snip(el)};
    let notable = false;
    if (!how || (!shown && how === 'own')) {
      Object.assign(entry, {visible: false, shown});
      notable = true;
      if (shown && pixel.length < opts.maxPixel) pixel.push(entry.target);
    } else if (how === 'own') {
      const ind = indicator(el, changed, bgBefore, colorBefore);
      if (ind) {
        indicators++;
        if (ind.ratio !== undefined && ind.ratio < 4.5) { entry.indicator = ind; notable = true; }
      }
    }
    if (shown) {
      const ob = obscured(el);
      if (ob.covered) { entry.obscured = ob; notable = true; }
    }
    if (notable) { entry.how = how; if (where) entry.where = where; if (how) entry.changed = changed.slice(0, 8);
                   entries.push(entry); }
    // a suspect for the trap test: scripts listen for keys or blur on it or its containers
    const ownKey = hasEvent(el, KEY), ownBlur = hasEvent(el, BLUR);
    let reason = null, key = ownKey, blur = ownBlur;
    if (ownKey || ownBlur) reason = 'own';
    else if (el.localName !== 'iframe') {
      for (let n = el.parentElement; n && n !== document.body; n = n.parentElement)
        if (hasEvent(n, KEY) || hasEvent(n, BLUR)) {
          if (!trapSeen.has(n)) {
            trapSeen.add(n); reason = 'container'; key = hasEvent(n, KEY); blur = hasEvent(n, BLUR);
          }
          break;
        }
    }
    if (!reason && (globalKeys || globalBlur)) {
      const dialog = el.closest('[role="dialog"], [role="alertdialog"], [aria-modal="true"], dialog[open]');
      if (dialog && !trapSeen.has(dialog)) { trapSeen.add(dialog); reason = 'dialog'; }
      else if (!trapSeen.has(document)) { trapSeen.add(document); reason = 'page'; }
      key = globalKeys; blur = globalBlur;
    }
    if (reason && suspects.length < opts.maxSuspects)
      suspects.push({el, next: order[examined] || null, target: entry.target, reason, key, blur});
    el.blur(); finish(); mo.takeRecords();
  }
  mo.disconnect();
  // which suspects move focus themselves: a Tab key event their scripts cancel or answer by moving
  // focus, or a blur after which focus does not stay where it went (checked after the scripts' timers)
  const tick = (ms) => new Promise(r => setTimeout(r, ms));
  const tabEvent = (shift) => {
    const e = new KeyboardEvent('keydown', {key: 'Tab', code: 'Tab', shiftKey: shift, bubbles: true, cancelable: true,
                                            composed: true});
    for (const k of ['keyCode', 'which']) Object.defineProperty(e, k, {get: () => 9});
    return e;
  };
  const traps = [];
  for (const c of suspects) {
    if (performance.now() > deadline + opts.suspectMs) { timedOut = true; break; }
    let why = c.reason === 'dialog' ? 'dialog' : null;
    if (!why && c.key) {
      for (const shift of [false, true]) {
        c.el.focus({focusVisible: true, preventScroll: true});
        const e = tabEvent(shift);
        c.el.dispatchEvent(e);
        if (e.defaultPrevented || document.activeElement !== c.el) { why = 'key'; break; }
      }
      await tick(0);
    }
    if (!why && c.blur) {
      c.el.focus({focusVisible: true, preventScroll: true});
      await tick(0);
      const to = c.next && c.next.isConnected ? c.next : null;
      if (to) to.focus({focusVisible: true, preventScroll: true}); else c.el.blur();
      const here = () => to ? document.activeElement === to
        : (!document.activeElement || document.activeElement === document.body);
      if (!here()) why = 'blur';
      else { await tick(25); if (!here()) why = 'blur'; }
    }
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    if (why) traps.push({target: c.target, reason: c.reason, why, wait: c.blur || why === 'blur' || why === 'dialog'});
    await tick(0);
  }
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  window.scrollTo(0, 0);
  const rank = {own: 0, container: 1, dialog: 2, page: 3};
  traps.sort((x, y) => rank[x.reason] - rank[y.reason]);
  return {stops, capped, examined, timed_out: timedOut, order: order.map(sel), not_focused: notFocused.slice(0, 20),
          indicators, focus: entries.slice(0, opts.maxEntries), pixel, trap_candidates: traps.slice(0, opts.maxTraps),
          suspects: suspects.length,
          ms: Math.round(performance.now() - t0)};
}
"""

# The trap test's page side: a log of focus moves (installed for the test, removed after), focusing a
# stop, reading where a key press took focus (the element Tab went to first, where focus settled
# after the page's scripts had their turn), and what the page tells about keys.
TRAP_JS = "(arg) => {" + HELPERS_JS + r"""
  const K = '__klartjek_keyboard__';
  const deep = () => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };
  if (arg.op === 'install') {
    const st = {log: [], seen: []};
    // focus that went nowhere (to the browser's own controls), seen once the page's handlers ran
    st.out = (e) => {
      if (e.relatedTarget === null) queueMicrotask(() => {
        const a = document.activeElement;
        if (!document.hasFocus() || !a || a === document.body || a === document.documentElement) st.log.push(true);
      });
    };
    document.addEventListener('focusout', st.out, true);
    Object.defineProperty(window, K, {value: st, configurable: true, enumerable: false});
    return true;
  }
  const st = window[K];
  if (arg.op === 'remove') {
    if (st) { document.removeEventListener('focusout', st.out, true); delete window[K]; }
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo(0, 0);
    return true;
  }
  if (arg.op === 'focus') {
    let el = null;
    try { el = document.querySelector(arg.target); } catch (e) {}
    if (!el) return false;
    // focus it, and again once timers its neighbours' handlers set have run
    return new Promise(resolve => {
      el.focus({focusVisible: true});
      setTimeout(() => {
        if (deep() !== el) el.focus({focusVisible: true});
        setTimeout(() => {
          st.log = []; st.seen = [deep()];
          resolve(deep() !== el ? false : document.hasFocus() ? true : 'away');
        }, arg.wait);
      }, arg.wait);
    });
  }
  if (arg.op === 'step') {
    return new Promise(resolve => setTimeout(() => {
      const left = st.log.length > 0;
      st.log = [];
      const a = deep();
      const body = !a || a === document.body || a === document.documentElement || !document.hasFocus();
      const frame = !!a && /^(iframe|frame|object|embed)$/.test(a.localName);
      let idx = body ? -1 : st.seen.indexOf(a);
      const cycle = idx >= 0 ? st.seen.slice(idx).map(sel) : null;
      if (!body && idx < 0) st.seen.push(a);
      resolve({left: left || body, frame, cycle, at: body ? null : sel(a)});
    }, arg.wait));
  }
  if (arg.op === 'inside') {        // the cycle's elements: still shown? all in one modal dialog with a button?
    const els = arg.cycle.map(s => { try { return document.querySelector(s); } catch (e) { return null; } });
    const shown = els.some(e => e && rendered(e));
    const dialogs = els.map(e => e && e.closest('[role="dialog"], [role="alertdialog"], [aria-modal="true"], dialog'));
    const d = dialogs[0];
    const modal = !!d && dialogs.every(x => x === d) && (d.localName !== 'dialog' || d.open)
      && !!d.querySelector('button, [role="button"], input[type="button"], input[type="submit"], a[href]');
    const text = (document.body ? document.body.innerText : '').slice(0, 20000);
    return {shown, modal, text};
  }
  return null;
}
"""

_COMBO = re.compile(r"\b(ctrl|control|strg|alt|shift|cmd|command|option)\s*\+\s*(?:(ctrl|control|alt|shift)\s*\+\s*)?"
                    r"([a-zæøå0-9]|f\d{1,2}|tab|enter|esc|escape|home|end)\b", re.I)
_MOD = {"ctrl": "Control", "control": "Control", "strg": "Control", "alt": "Alt", "option": "Alt", "shift": "Shift",
        "cmd": "Meta", "command": "Meta"}
_KEYS = {"tab": "Tab", "enter": "Enter", "esc": "Escape", "escape": "Escape", "home": "Home", "end": "End"}


def advised_keys(text: str) -> list[str]:
    """The key combinations a page's text advises (»Tryk Ctrl+M for at komme ud«), as Playwright keys."""
    out: list[str] = []
    for m in _COMBO.finditer(text or ""):
        mods = [_MOD[m.group(1).lower()]] + ([_MOD[m.group(2).lower()]] if m.group(2) else [])
        key = m.group(3)
        key = _KEYS.get(key.lower()) or (key.upper() if re.fullmatch(r"f\d{1,2}", key, re.I) else key.lower())
        combo = "+".join(mods + [key])
        if combo not in out:
            out.append(combo)
    return out[:2]


async def _focus(page, target: str, wait: int) -> bool:
    """Focus ``target`` for a test. When an earlier press took focus out of the page (to the browser's
    own controls), the page's script can no longer bring it back: one Tab brings it into the page."""
    got = await page.evaluate(TRAP_JS, {"op": "focus", "target": target, "wait": wait})
    if got == "away":
        await page.keyboard.press("Tab")
        got = await page.evaluate(TRAP_JS, {"op": "focus", "target": target, "wait": wait})
    return got is True


async def _direction(page, target: str, key: str, wait: int, deadline: float) -> tuple[bool | None, list[str]]:
    """From ``target``, press ``key`` up to TRAP_STEPS times: (True, the cycle) when focus comes back
    to where it was without leaving the page, (False, []) when it leaves or keeps moving on, (None, [])
    when the test could not tell (an iframe took focus, the element could not be focused, no time)."""
    if not await _focus(page, target, wait):
        return None, []
    for _ in range(TRAP_STEPS):
        if time.monotonic() > deadline:
            return None, []
        await page.keyboard.press(key)
        res = await page.evaluate(TRAP_JS, {"op": "step", "wait": wait})
        if res["left"]:
            return False, []
        if res["frame"]:
            return None, []
        if res["cycle"]:
            return True, res["cycle"]
    return False, []


async def _freed(page, target: str, cycle: list[str], key: str, wait: int) -> bool:
    """Does ``key`` (Escape, or a combination the page advises) take focus out of the cycle?"""
    if not await _focus(page, target, wait):
        return False
    await page.keyboard.press(key)
    res = await page.evaluate(TRAP_JS, {"op": "step", "wait": wait})
    if res["left"]:
        return True
    if res["at"] and res["at"] not in cycle:
        # out of the cycle: freed, unless the page's timers pull focus back into it
        again = await page.evaluate(TRAP_JS, {"op": "step", "wait": max(wait, 30)})
        return again["left"] or again["at"] not in cycle
    inside = await page.evaluate(TRAP_JS, {"op": "inside", "cycle": cycle})
    return not inside["shown"]


async def trap_test(page, cand: dict, deadline: float) -> dict | None:
    """One element's trap test; None when it could not tell."""
    wait = 30 if cand["wait"] else 0
    target = cand["target"]
    fwd, cycle = await _direction(page, target, "Tab", wait, deadline)
    if not fwd:
        return None if fwd is None else {"target": target, "trapped": False}
    back, back_cycle = await _direction(page, target, "Shift+Tab", wait, deadline)
    if not back:
        return None if back is None else {"target": target, "trapped": False, "one_way": cycle}
    cycle = list(dict.fromkeys(cycle + back_cycle))
    out = {"target": target, "trapped": True, "cycle": cycle[:10], "exit": None, "advice": []}
    if await _freed(page, target, cycle, "Escape", wait):
        out["exit"] = "escape"
        return out
    inside = await page.evaluate(TRAP_JS, {"op": "inside", "cycle": cycle})
    if inside["modal"]:
        out["exit"] = "dialog"
        return out
    out["advice"] = advised_keys(inside["text"])
    for combo in out["advice"]:
        if time.monotonic() < deadline and await _freed(page, target, cycle, combo, wait):
            out["exit"] = "advised:" + combo
            return out
    return out


# A screenshot of a stop's box and its surroundings, before and after it takes focus; the caret and
# transitions are kept out of the picture.
PIXEL_JS = "(arg) => {" + HELPERS_JS + r"""
  let el = null;
  try { el = document.querySelector(arg.target); } catch (e) {}
  if (!el) return null;
  if (arg.op === 'focus') {
    el.focus({focusVisible: true, preventScroll: true});
    try { for (const a of document.getAnimations()) if (a instanceof CSSTransition) a.finish(); } catch (e) {}
    return document.activeElement === el;
  }
  if (!document.getElementById('__klartjek_probe_style__')) {
    const s = document.createElement('style');
    s.id = '__klartjek_probe_style__';
    s.textContent = '*, *::before, *::after { caret-color: transparent !important; }';
    document.documentElement.appendChild(s);
  }
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  try { for (const a of document.getAnimations()) if (a instanceof CSSTransition) a.finish(); } catch (e) {}
  const r = el.getBoundingClientRect();
  const m = 8, vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const x = Math.max(0, r.left - m), y = Math.max(0, r.top - m);
  const w = Math.min(vw, r.right + m) - x, h = Math.min(vh, r.bottom + m) - y;
  if (w < 1 || h < 1) return null;
  return {x: x + scrollX, y: y + scrollY, width: Math.min(w, 1200), height: Math.min(h, 800)};
}
"""


async def _shot(page, clip: dict) -> bytes:
    cdp = getattr(page, "_klartjek_cdp", None)
    if cdp is None:
        cdp = page._klartjek_cdp = await page.context.new_cdp_session(page)
    shot = await cdp.send("Page.captureScreenshot", {"format": "png", "clip": {**clip, "scale": 1},
                                                     "captureBeyondViewport": False})
    return base64.b64decode(shot["data"])


async def pixel_change(page, target: str) -> bool | None:
    """Does focusing ``target`` change any pixel in its box (and 8 px around)? None: could not tell."""
    clip = await page.evaluate(PIXEL_JS, {"target": target, "op": "prepare"})
    if not clip:
        return None
    before = await _shot(page, clip)
    if not await page.evaluate(PIXEL_JS, {"target": target, "op": "focus"}):
        return None
    after = await _shot(page, clip)
    return before != after


@probe("keyboard", profiles=("default",), timeout_s=12.0)
async def keyboard(page, ctx: ProbeContext) -> dict:
    started = time.monotonic()
    deadline = started + DEADLINE_S
    out = await page.evaluate(WALK_JS, {"maxElements": 20000, "maxStops": MAX_STOPS, "maxPixel": MAX_PIXEL_DIFFS,
                                        "maxEntries": 100, "maxTraps": MAX_TRAP_TESTS, "walkMs": 3000,
                                        "maxSuspects": 20, "suspectMs": 1000})
    pixels, candidates = out.pop("pixel"), out.pop("trap_candidates")
    acted = bool(pixels or candidates)     # the walk restored the page itself; later steps need a clean-up
    try:
        for target in pixels:
            if time.monotonic() > deadline:
                out["timed_out"] = True
                break
            changed = await pixel_change(page, target)
            for entry in out["focus"]:
                if entry["target"] == target:
                    entry["pixels"] = changed
        traps = []
        if candidates:
            await page.evaluate(TRAP_JS, {"op": "install"})
            for cand in candidates:
                if time.monotonic() > deadline:
                    out["timed_out"] = True
                    break
                res = await trap_test(page, cand, deadline)
                if res is not None:
                    traps.append(res)
        out["traps"] = traps
        out["trap_tested"] = len(candidates)
    finally:
        if acted:
            await page.evaluate("() => { document.getElementById('__klartjek_probe_style__')?.remove();"
                                " const k = window.__klartjek_keyboard__; if (k) { document.removeEventListener("
                                "'focusout', k.out, true); delete window.__klartjek_keyboard__; }"
                                " document.activeElement?.blur?.(); window.scrollTo(0, 0); }")
    out["walk_ms"] = out.pop("ms")
    out["ms"] = round((time.monotonic() - started) * 1000)
    return out
