"""Layout: the page at 320 px, with WCAG's text spacing and with its text at 200 % (checks/layout_checks.py
judges what it records).

``layout`` (default): the page in four states, all measuring the same text nodes (at most MAX_TEXT)
and form controls and media (at most MAX_ITEMS), in two scripts:
  1. *as loaded* (the baseline, at the audit's viewport);
  2. *text spacing* (WCAG 1.4.12's values as a style sheet with !important, as the W3C bookmarklet
     does: line height 1.5, letter spacing 0.12em, word spacing 0.16em, paragraphs 2em apart),
     then removed;
  3. *text at 200 %* (WCAG 1.4.4): every element's computed font size doubled with an inline
     !important font-size (read all, then write all: one layout), as a browser's »zoom text only«
     does, at the same viewport; the style attributes are put back exactly as they were. (A full
     zoom to 200 % is a narrower viewport, which the reflow state at 320 px covers.) States 1–3 are the
     probe's script, which an audit runs with the other probes' scripts inside the check evaluate;
  4. *reflow* (WCAG 1.4.10): the viewport at 320 × 256 CSS px, WCAG's own figures (1280 × 1024 at
     400 %), whatever the audit's window: 256 px high makes the page meet full-height (100vh) blocks
     and sticky bars as a zoomed window does.
  In each state it records the text that is cut off by a box that clips its overflow (``overflow:
  hidden`` or ``clip``; text that a scroll box holds can be scrolled to, and sr-only text is never
  partly visible) and text that lies on top of other text, and in the reflow state what sticks out of
  the 320 px window. Every state is compared with the baseline: only what became worse is recorded
  (a box that already cut text off as loaded is a design — a line clamp, a carousel, a ticker — and
  is left to the eye). The viewport is changed over the DevTools protocol (a round trip of 1–2 ms;
  Playwright's set_viewport_size costs 5–8 ms) and put back as Playwright set it; a page that
  listens for ``resize`` gets one animation frame to react before it is measured.
"""
from __future__ import annotations

import json
import time

from audit.probes import ELEMENT_JS, ProbeContext, probe

MAX_TEXT = 2000          # text nodes measured per state (the first in document order)
MAX_ITEMS = 500          # form controls and media measured in the reflow state
MAX_ZOOM = 5000          # elements whose font size the 200 % state doubles
MAX_REPORTED = 30        # entries of each kind recorded per state
REFLOW_VIEWPORT = (320, 256)
TOL = 2                  # CSS px: what sticks out less than this is rounding, not overflow

# WCAG 1.4.12's values, as the W3C's text spacing bookmarklet applies them
SPACING_CSS = ("* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } "
               "p { margin-bottom: 2em !important; }")

# The shared element helpers (ELEMENT_JS: sel, snip) and what the layout probes add: a text's first words.
HELPERS_JS = ELEMENT_JS + r"""
const words = (s, max) => {
  s = (s || '').replace(/\s+/g, ' ').trim();
  return s.length > (max || 80) ? s.slice(0, (max || 80) - 1) + '\u2026' : s;
};
const shown = (el) => {
  try { return el.checkVisibility({opacityProperty: true, visibilityProperty: true, checkOpacity: true,
                                   checkVisibilityCSS: true}); }
  catch (e) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }
};
"""

LAYOUT_JS = r"""
async (arg) => {
  const KEY = '__klartjek_layout__';
  const t0 = performance.now();
""" + HELPERS_JS + r"""
  const html = document.documentElement, body = document.body;
  const TOL = arg.tol, MAXR = arg.maxReported;
  let S = window[KEY];
  if (arg.step === 'base') {
    if (!body) return JSON.stringify({skip: 'the document has no body'});
    // the text nodes and the controls and media every state measures, in document order
    const texts = [];
    const skipParent = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'OPTION', 'OPTGROUP',
                                'SELECT', 'TITLE', 'DESC', 'title', 'desc', 'style', 'script']);
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    let capped = false;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!/\S/.test(n.data) || !n.parentElement || skipParent.has(n.parentElement.tagName)) continue;
      if (texts.length >= arg.maxText) { capped = true; break; }
      texts.push(n);
    }
    const items = [];
    for (const el of body.querySelectorAll('img, svg, video, canvas, iframe, object, embed, input, select, ' +
                                           'textarea, button')) {
      if (el.localName === 'svg' && el.parentElement && el.parentElement.closest('svg')) continue;
      if (el.localName === 'input' && el.type === 'hidden') continue;
      if (items.length >= arg.maxItems) { capped = true; break; }
      items.push(el);
    }
    const listens = (t) => { try { return window.__klartjek_listeners__ ? window.__klartjek_listeners__(t) : []; }
                             catch (e) { return []; } };
    S = {texts, items, capped, results: {}, ms: {},
         resize: listens(window).includes('resize') || typeof window.onresize === 'function'};
    Object.defineProperty(window, KEY, {value: S, configurable: true, enumerable: false, writable: true});
  } else if (!S) {
    return JSON.stringify({error: 'the page was replaced while klartjek measured its layout'});
  } else if (arg.wait && S.resize) {
    // the page's resize handlers run in the next frame
    await new Promise(r => { requestAnimationFrame(() => setTimeout(r, 0)); setTimeout(r, 100); });
  }

  // -- one state: which text is cut off by a clipping box, which text overlaps other text -----------
  const measure = (vw, reflow) => {
    const styles = new Map();
    const style = (el) => {
      let s = styles.get(el);
      if (!s) { s = getComputedStyle(el); styles.set(el, s); }
      return s;
    };
    const rects = new Map();
    const rect = (el) => {
      let r = rects.get(el);
      if (!r) { r = el.getBoundingClientRect(); rects.set(el, r); }
      return r;
    };
    const animated = new Set();
    try { for (const a of document.getAnimations()) {
      const t = a.effect && a.effect.target;
      if (t && a.playState === 'running') animated.add(t);
    } }
    catch (e) {}
    const ROOT = {clips: null, fixed: false, sticky: false, anim: false, out: null, sc: null, inside: false};
    const memo = new Map();
    // an element's containing element: the parent, the nearest positioned ancestor for absolute
    // positioning, none for fixed (the viewport)
    const up = (n, st) => {
      if (n === body || n === html) return null;
      if (st.position === 'fixed') return null;
      if (st.position === 'absolute') return n.offsetParent || body;
      return n.parentElement;
    };
    const info = (el) => {
      let m = memo.get(el);
      if (m) return m;
      const chain = [];
      for (let n = el; n && !memo.has(n); ) {
        const st = style(n);
        chain.push(n);
        const u = up(n, st);
        if (!u) break;
        n = u;
      }
      for (let k = chain.length - 1; k >= 0; k--) {
        const n = chain[k], st = style(n), u = up(n, st);
        const fixed = st.position === 'fixed';
        const P = (u && memo.get(u)) || ROOT;
        const root = n === body || n === html;
        const ox = st.overflowX, oy = st.overflowY;
        const clipX = !root && (ox === 'hidden' || ox === 'clip'), clipY = !root && (oy === 'hidden' || oy === 'clip');
        const scrolls = !root && (ox === 'auto' || ox === 'scroll' || oy === 'auto' || oy === 'scroll');
        const base = fixed ? ROOT : P;
        // what a scroll box holds can be scrolled to: it is not cut off (the chain of clipping boxes
        // that can hide text stops there), but only its visible part can lie over other text
        let clips = scrolls ? {el: n, x: true, y: true, scroll: true, next: base.clips, box: null} : base.clips;
        if (clipX || clipY) clips = {el: n, x: clipX, y: clipY, next: clips, box: null};
        const me = {clips, fixed: fixed || base.fixed, sticky: fixed || st.position === 'sticky' || base.sticky,
                    anim: animated.has(n) || base.anim, out: null, sc: base.sc, inside: base.inside};
        if (reflow) {
          // the outermost box sticking out of the window, unless inside a box that fits and scrolls
          // (reachable) or clips (cut off: judged as clipped text)
          const r = rect(n);
          const beyond = r.width > 0 && r.height > 0 && (r.right > vw + TOL || r.left < -TOL);
          if (!me.inside) me.out = (fixed ? null : P.out) || (beyond ? n : null);
          const sx = !root && (ox === 'auto' || ox === 'scroll');
          if (!beyond && !me.out && (sx || clipX)) { me.inside = true; if (sx) me.sc = n; }
        }
        memo.set(n, me);
      }
      return memo.get(el);
    };
    const boxOf = (c) => {
      if (!c.box) {
        const r = rect(c.el);
        const l = r.left + c.el.clientLeft, t = r.top + c.el.clientTop;
        c.box = {l, t, r: l + c.el.clientWidth, b: t + c.el.clientHeight};
      }
      return c.box;
    };
    const sticks = (r, c) => {
      const b = boxOf(c), ty = Math.max(3, 0.3 * (r.bottom - r.top));
      return (c.x && (r.right > b.r + 3 || r.left < b.l - 3)) || (c.y && (r.bottom > b.b + ty || r.top < b.t - ty));
    };
    const cut = (r, clips, reach) => {
      // the visible part of a line; ``reach``: the part that can be scrolled to (scroll boxes do not cut)
      let l = r.left, t = r.top, rr = r.right, b = r.bottom;
      for (let c = clips; c && !(reach && c.scroll); c = c.next) {
        const x = boxOf(c);
        if (c.x) { l = Math.max(l, x.l); rr = Math.min(rr, x.r); }
        if (c.y) { t = Math.max(t, x.t); b = Math.min(b, x.b); }
      }
      return rr - l >= 1 && b - t >= 1 ? {l, t, r: rr, b} : null;
    };
    const shownMemo = new Map();
    const visible = (el) => {
      let v = shownMemo.get(el);
      if (v === undefined) {
        v = shown(el);
        if (v) { const c = style(el).color; if (c === 'transparent' || /^rgba\(.*,\s*0\)$/.test(c)) v = false; }
        shownMemo.set(el, v);
      }
      return v;
    };
    const range = document.createRange();
    const hiddenBy = new Map();      // clipping box → {hidden, vis, text}
    const boxes = [];                // the visible part of each line of text: [text index, l, t, r, b]
    const lines = [];                // per text node: its visible lines ([l, t, r, b]) and its info
    S.texts.forEach((tn, i) => {
      const p = tn.parentElement;
      if (!p || !p.isConnected || !visible(p)) return;
      const inf = info(p);
      range.selectNodeContents(tn);
      const vis = [], seen = [];
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        let hid = null;
        for (let c = inf.clips; c && !c.scroll; c = c.next) if (sticks(r, c)) { hid = c.el; break; }
        if (hid) {
          let h = hiddenBy.get(hid);
          if (!h) hiddenBy.set(hid, h = {hidden: 0, vis: 0, text: null, anim: false});
          h.hidden++;
          if (!h.text) h.text = words(tn.data);
          if (inf.anim) h.anim = true;
          // a line partly cut off (not a 1-px sr-only box): the box shows some of its text and hides some
          const pv = cut(r, inf.clips);
          if (pv && pv.r - pv.l >= 4 && pv.b - pv.t >= 4) h.vis++;
        } else for (let c = inf.clips; c && !c.scroll; c = c.next) {
          let h = hiddenBy.get(c.el);
          if (!h) hiddenBy.set(c.el, h = {hidden: 0, vis: 0, text: null, anim: false});
          h.vis++;
        }
        const v = cut(r, inf.clips, true);
        if (v) vis.push([v.l, v.t, v.r, v.b]);
        const o = cut(r, inf.clips, false);
        if (o) seen.push([o.l, o.t, o.r, o.b]);
      }
      lines[i] = {vis, inf};
      if (!inf.sticky && !inf.anim) for (const v of seen) boxes.push([i, ...v]);
    });
    // text over text: line boxes of different text nodes that cover a good part of each other
    const pairs = new Set();
    const rows = new Map();
    const ROW = 64;
    boxes.forEach((b, k) => {
      for (let y = Math.floor(b[2] / ROW); y <= Math.floor(b[4] / ROW); y++) {
        let row = rows.get(y); if (!row) rows.set(y, row = []); row.push(k);
      }
    });
    let budget = 300000;
    for (const row of rows.values()) {
      for (let a = 0; a < row.length && budget > 0; a++) for (let c = a + 1; c < row.length; c++) {
        if (--budget <= 0) break;
        const A = boxes[row[a]], B = boxes[row[c]];
        if (A[0] === B[0]) continue;
        const ix = Math.min(A[3], B[3]) - Math.max(A[1], B[1]), iy = Math.min(A[4], B[4]) - Math.max(A[2], B[2]);
        if (ix < 3 || iy < 3) continue;
        const ha = A[4] - A[2], hb = B[4] - B[2];
        const area = Math.min((A[3] - A[1]) * ha, (B[3] - B[1]) * hb);
        if (iy < 0.3 * Math.min(ha, hb) || ix * iy < 0.2 * area) continue;
        pairs.add(A[0] < B[0] ? A[0] + ',' + B[0] : B[0] + ',' + A[0]);
      }
    }
    return {hiddenBy, pairs, lines, info, rect, style, visible, budgetLeft: budget};
  };

  // -- what a state made worse than the page as loaded ------------------------------------------------
  const CONTROL = 'a[href], button, [role="button"], [role="link"], input, select, summary';
  const spill = (el) => {
    // the nearest box that its text spills out of (a fixed height with visible overflow)
    for (let n = el, k = 0; n && n !== body && k < 8; n = n.parentElement, k++) {
      const st = getComputedStyle(n);
      if (st.display.startsWith('inline') || st.display === 'contents') continue;
      if (st.overflowY === 'visible' && n.scrollHeight > n.clientHeight + 2 && n.clientHeight > 0) return n;
    }
    return null;
  };
  const worse = (m) => {
    const B = S.base;
    const clipped = [];
    for (const [el, h] of m.hiddenBy) {
      if (!h.hidden || !h.vis || h.anim) continue;
      if (clipped.length >= MAXR) break;
      const st = getComputedStyle(el);
      const trunc = st.textOverflow === 'ellipsis' ? 'ellipsis'
                    : (st.webkitLineClamp && st.webkitLineClamp !== 'none') ? 'clamp' : null;
      const entry = {target: sel(el), html: snip(el), hidden: h.hidden, base_hidden: B.hidden.get(el) || 0,
                     text: h.text, axis: (st.overflowX === 'hidden' || st.overflowX === 'clip' ? 'x' : '') +
                     (st.overflowY === 'hidden' || st.overflowY === 'clip' ? 'y' : ''), truncation: trunc,
                     in_control: !!el.closest(CONTROL)};
      if (trunc) {
        // a link or button beside the cut text, in its card (up to three levels up): the full text's way
        let other = false;
        for (let a = el.parentElement, k = 0; a && a !== body && k < 3 && !other; a = a.parentElement, k++) {
          let seen = 0;
          for (const c of a.querySelectorAll(CONTROL)) {
            if (++seen > 30) break;
            if (!c.contains(el) && !el.contains(c) && shown(c)) { other = true; break; }
          }
        }
        entry.other_control = other;
      }
      clipped.push(entry);
    }
    const overlaps = [];
    const seenTargets = new Set();
    for (const key of m.pairs) {
      if (B.pairs.has(key)) continue;
      if (overlaps.length >= MAXR) break;
      const [a, b] = key.split(',').map(Number);
      const ta = S.texts[a], tb = S.texts[b];
      const at = spill(ta.parentElement) || spill(tb.parentElement) || ta.parentElement;
      const target = sel(at);
      if (seenTargets.has(target)) continue;
      seenTargets.add(target);
      overlaps.push({target, html: snip(at), text: words(ta.data), other_text: words(tb.data),
                     other_target: sel(tb.parentElement)});
    }
    return {clipped, overlaps, base_overlaps: B.pairs.size};
  };

  if (arg.step === 'base') {
    const vw = html.clientWidth;
    const t1 = performance.now();
    const m = measure(vw, false);
    S.base = {hidden: new Map(), pairs: m.pairs,
              off: m.lines.map(l => !!l && l.vis.length > 0 && l.vis.every(v => v[2] <= 0 || v[0] >= vw))};
    for (const [el, h] of m.hiddenBy) if (h.hidden) S.base.hidden.set(el, h.hidden);
    S.ms.base = Math.round((performance.now() - t1) * 10) / 10;
    const t2 = performance.now();
    const st = document.createElement('style');
    st.id = '__klartjek_probe_style__';
    st.textContent = arg.css;
    (document.head || html).appendChild(st);
    try { S.results.spacing = worse(measure(vw, false)); }
    finally { st.remove(); }
    S.ms.spacing = Math.round((performance.now() - t2) * 10) / 10;
    // text only at 200 %: every element's font size doubled (as a browser's »zoom text only« does), read
    // first and written after, so the page is laid out once; the style attributes put back as they were
    const t3 = performance.now();
    const els = [html], sizes = [], saved = [];
    for (const el of body.getElementsByTagName('*')) {
      if (els.length >= arg.maxZoom) break;
      // a graphic keeps its size: an outer <svg> keeps its font size (its text inherits it), inside it nothing
      const svg = el instanceof SVGElement;
      if (!svg || el.localName === 'svg' && !(el.parentElement instanceof SVGElement)) els.push(el);
    }
    els.splice(1, 0, body);
    for (const el of els) sizes.push(parseFloat(getComputedStyle(el).fontSize) || 0);
    try {
      els.forEach((el, k) => {
        if (!el.style || !sizes[k]) return;
        saved.push([el, el.getAttribute('style')]);
        el.style.setProperty('font-size', (el instanceof SVGElement ? 1 : 2) * sizes[k] + 'px', 'important');
      });
      S.results.zoom = {factor: 2, elements: els.length, ...worse(measure(vw, false))};
    } finally {
      // (reading the attribute first makes Chromium write the inline style to it, which would otherwise
      // come back as style="" after the removal)
      for (const [el, v] of saved) {
        if (v === null) { el.getAttribute('style'); el.removeAttribute('style'); } else el.setAttribute('style', v);
      }
    }
    S.ms.zoom = Math.round((performance.now() - t3) * 10) / 10;
    return JSON.stringify({ok: true, resize: S.resize, screen: [screen.width, screen.height],
                           dpr: window.devicePixelRatio || 1});
  }
  // reflow: the state above, and what sticks out of the window
  const t1 = performance.now();
  const vw = html.clientWidth;
  const m = measure(vw, true);
  const res = {viewport: [vw, innerHeight], scroll_width: (document.scrollingElement || html).scrollWidth,
               ...worse(m)};
  const vo = getComputedStyle(html).overflowX !== 'visible' ? getComputedStyle(html).overflowX
             : getComputedStyle(body).overflowX;
  res.root_clips = vo === 'hidden' || vo === 'clip';
  // content that needs a two-dimensional layout (WCAG 1.4.10's exception): the reason, or null
  const exemptOf = (el) => {
    for (let n = el; n && n !== body; n = n.parentElement) {
      const t = n.localName, role = n.getAttribute('role');
      if (role === 'presentation' || role === 'none') continue;
      if (t === 'table') {
        if (role === 'table' || role === 'grid' || role === 'treegrid' ||
            n.querySelector('th, caption, [role="columnheader"], [role="rowheader"]')) return 'table';
        continue;      // a layout table
      }
      if (t === 'pre' || t === 'code' || t === 'samp' || t === 'kbd') return 'code';
      if (['img', 'picture', 'svg', 'video', 'canvas', 'iframe', 'object', 'embed', 'math'].includes(t) ||
          role === 'img' || role === 'math') return 'media';
      if (role === 'table' || role === 'grid' || role === 'treegrid') return 'table';
      if (role === 'toolbar') return 'toolbar';
      if (role === 'application') return 'application';
    }
    return null;
  };
  const culprits = new Map(), scrollText = new Map();
  const note = (el, what, fixed, excerpt, exempt, over) => {
    let c = culprits.get(el);
    if (!c) culprits.set(el, c = {el, texts: 0, controls: 0, text: null, exempt: new Set(), fixed, over: 0});
    c.over = Math.max(c.over, over);
    if (exempt) { c.exempt.add(exempt); return; }
    if (what === 'text') { c.texts++; if (!c.text) c.text = excerpt; } else c.controls++;
  };
  const overBy = (v) => Math.max(v[2] - vw, -v[0]);
  m.lines.forEach((l, i) => {
    if (!l || !l.vis.length) return;
    const out = l.vis.filter(v => v[2] > vw + TOL || v[0] < -TOL);
    if (!out.length) return;
    const tn = S.texts[i], p = tn.parentElement, inf = l.inf;
    if (out.every(v => v[2] <= 0 || v[0] >= vw)) {
      // wholly out of the window: to the left it is hidden on purpose (the sr-only technique);
      // to the right a drawer, or what was out of the window as loaded too
      if (out.every(v => v[2] <= 0) || res.root_clips || inf.fixed || S.base.off[i]) return;
    }
    const ex = exemptOf(p);
    if (inf.out) note(inf.out, 'text', inf.fixed, words(tn.data), ex, Math.max(...out.map(overBy)));
    else if (inf.sc) {
      // in a box that fits and scrolls: to be read, a line must fit in it
      const w = inf.sc.clientWidth;
      if (!ex && out.some(v => v[2] - v[0] > w + TOL) && !scrollText.has(inf.sc))
        scrollText.set(inf.sc, words(tn.data));
    } else note(p, 'text', inf.fixed, words(tn.data), ex, Math.max(...out.map(overBy)));
  });
  for (const el of S.items) {
    if (!el.isConnected || !m.visible(el)) continue;
    const pinf = m.info(el.parentElement || body);
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    let l = r.left, t = r.top, rr = r.right, b = r.bottom;
    for (let c = pinf.clips; c; c = c.next) {
      const x = c.el.getBoundingClientRect();
      if (c.x) { l = Math.max(l, x.left); rr = Math.min(rr, x.right); }
      if (c.y) { t = Math.max(t, x.top); b = Math.min(b, x.bottom); }
    }
    if (rr - l < 1 || b - t < 1 || (rr <= vw + TOL && l >= -TOL)) continue;
    if (rr <= 0 || (l >= vw && (res.root_clips || pinf.fixed))) continue;
    const inf = m.info(el);
    const media = ['img', 'svg', 'video', 'canvas', 'iframe', 'object', 'embed'].includes(el.localName);
    const ex = media ? 'media' : exemptOf(el);
    const owner = inf.out || pinf.out;
    if (owner) note(owner, 'control', inf.fixed, null, ex, Math.max(rr - vw, -l));
  }
  // what must be read first; then what WCAG lets scroll (tables, code, images …)
  const all = [...culprits.values()];
  const list = all.filter(c => c.texts || c.controls).concat(all.filter(c => !c.texts && !c.controls)).slice(0, MAXR);
  // items side by side in one row that does not wrap (a menu, a row of cards): the row is the culprit
  const rows = new Map();
  for (const c of list) {
    if (!c.texts && !c.controls) continue;
    const p = c.el.parentElement;
    if (!p || p === body) continue;
    let g = rows.get(p); if (!g) rows.set(p, g = []); g.push(c);
  }
  const row = new Set();
  for (const g of rows.values()) {
    if (g.length < 2) continue;
    const r0 = g[0].el.getBoundingClientRect();
    if (g.every(c => { const r = c.el.getBoundingClientRect(); return r.top < r0.bottom && r.bottom > r0.top; }))
      for (const c of g) row.add(c);
  }
  res.culprits = list.map(c => {
    const r = c.el.getBoundingClientRect(), p = c.el.parentElement;
    const out = {target: sel(c.el), html: snip(c.el), texts: c.texts, controls: c.controls, text: c.text,
                 exempt: [...c.exempt].sort(), fixed: !!c.fixed, over: Math.round(c.over),
                 left: Math.round(r.left), width: Math.round(r.width)};
    if (row.has(c)) out.row = [sel(p), snip(p)];
    return out;
  });
  res.culprits_more = culprits.size > list.length;
  res.scroll_text = [...scrollText].slice(0, MAXR).map(([el, text]) => ({target: sel(el), html: snip(el), text,
                                                                          width: el.clientWidth}));
  S.results.reflow = res;
  S.ms.reflow = Math.round((performance.now() - t1) * 10) / 10;
  delete window[KEY];
  return JSON.stringify({texts: S.texts.length, items: S.items.length, capped: S.capped, ms: S.ms, ...S.results});
}
"""

CLEANUP_JS = ("() => { try { delete window.__klartjek_layout__; } catch (e) {} "
              "document.getElementById('__klartjek_probe_style__')?.remove(); }")


async def _cdp(page):
    """The tab's DevTools session (shared with the screenshots, audit/gather.py)."""
    cdp = getattr(page, "_klartjek_cdp", None)
    if cdp is None:
        cdp = page._klartjek_cdp = await page.context.new_cdp_session(page)
    return cdp


async def _viewport(cdp, size: tuple[int, int], screen: list[int], dpr: float) -> None:
    """The viewport as Playwright sets it (Emulation.setDeviceMetricsOverride), the screen unchanged."""
    await cdp.send("Emulation.setDeviceMetricsOverride", {
        "width": int(size[0]), "height": int(size[1]), "deviceScaleFactor": dpr, "mobile": False,
        "screenWidth": int(screen[0]), "screenHeight": int(screen[1]),
        "screenOrientation": {"angle": 0, "type": "landscapePrimary"}})


def _args(step: str) -> dict:
    return {"step": step, "css": SPACING_CSS, "tol": TOL, "maxText": MAX_TEXT, "maxItems": MAX_ITEMS,
            "maxReported": MAX_REPORTED, "maxZoom": MAX_ZOOM, "wait": step != "base"}


# -- contrast: form fields' edges and icons (WCAG 1.4.11) ------------------------------------------------

MAX_FIELDS = 100
MAX_ICONS = 100
MAX_CONTROLS = 400       # links and buttons looked at for an icon as their only content

CONTRAST_JS = r"""
(arg) => {
  const t0 = performance.now();
""" + HELPERS_JS + r"""
  const html = document.documentElement, body = document.body;
  if (!body) return JSON.stringify({fields: [], icons: [], skipped: 'the document has no body'});
  // colours as [r, g, b, a]; any CSS colour through a 1-pixel canvas
  const cv = document.createElement('canvas');
  cv.width = cv.height = 1;
  const cx = cv.getContext('2d', {willReadFrequently: true});
  const parsed = new Map();
  const rgba = (s) => {
    let c = parsed.get(s);
    if (c) return c;
    const m = /^rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\s*\)$/.exec(s);
    if (m) c = [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]];
    else if (s === 'transparent') c = [0, 0, 0, 0];
    else {
      cx.clearRect(0, 0, 1, 1); cx.fillStyle = '#000'; cx.fillStyle = s; cx.fillRect(0, 0, 1, 1);
      const d = cx.getImageData(0, 0, 1, 1).data;
      c = [d[0], d[1], d[2], d[3] / 255];
    }
    parsed.set(s, c);
    return c;
  };
  const over = (top, bottom, alpha) => {
    const a = top[3] * (alpha === undefined ? 1 : alpha);
    return [0, 1, 2].map(k => top[k] * a + bottom[k] * (1 - a)).concat([1]);
  };
  const hex = (c) => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // what lies under an element: its ancestors' background colours over the white canvas; unknown
  // where an image, a gradient, a filter, a blend or a see-through ancestor is in the way
  const behind = (el) => {
    const layers = [];
    let fade = 1;
    for (let n = el; n; n = n.parentElement) {
      const st = getComputedStyle(n);
      if (st.backgroundImage !== 'none') return {unknown: 'background image'};
      if (st.filter !== 'none' || st.mixBlendMode !== 'normal' || st.backdropFilter && st.backdropFilter !== 'none')
        return {unknown: 'filter'};
      const c = rgba(st.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      const op = parseFloat(st.opacity);
      if (op < 1) {
        if (layers.length) return {unknown: 'opacity'};
        fade *= op;                 // below the background: fades what is drawn on it
      }
    }
    let c = [255, 255, 255, 1];
    for (let k = layers.length - 1; k >= 0; k--) c = over(layers[k], c);
    return {colour: c, fade};
  };
  // an element laid under or over this one that is not its ancestor (a photo behind a hero's
  // button, a positioned backdrop): its colours are not the ancestors' (checked for failures only)
  const layered = (el) => {
    const r = el.getBoundingClientRect(), area = r.width * r.height;
    let k = 0;
    for (const n of body.getElementsByTagName('*')) {
      if (++k > 3000) return true;
      if (n.contains(el) || el.contains(n)) continue;
      const q = n.getBoundingClientRect();
      const ix = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const iy = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (ix <= 0 || iy <= 0 || ix * iy < 0.25 * area) continue;
      if (['img', 'picture', 'video', 'canvas', 'svg', 'iframe', 'object', 'embed'].includes(n.localName)) return true;
      const st = getComputedStyle(n);
      if (st.visibility === 'hidden' || st.display === 'none') continue;
      if (st.backgroundImage !== 'none' || rgba(st.backgroundColor)[3] > 0) return true;
    }
    return false;
  };
  const disabled = (el) => el.matches(':disabled') || !!el.closest('[aria-disabled="true"]');
  const sized = (el) => { const r = el.getBoundingClientRect(); return r.width >= 4 && r.height >= 4; };

  // -- form fields --------------------------------------------------------------------------------------
  const TEXTY = new Set(['', 'text', 'search', 'email', 'tel', 'url', 'password', 'number', 'date', 'time',
                         'datetime-local', 'month', 'week']);
  const kindOf = (el, st) => {
    const t = el.localName;
    if (t === 'select') return 'select';
    if (t === 'textarea') return 'textarea';
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (TEXTY.has(type) || !['checkbox', 'radio', 'range', 'color', 'file', 'image', 'submit', 'button', 'reset',
                             'hidden'].includes(type)) return 'text';
    if ((type === 'checkbox' || type === 'radio') && st.appearance === 'none') return type;
    return null;
  };
  // the browser's own look of each kind, from fields in a closed shadow root the page's styles do not reach
  const EDGE = ['borderTopStyle', 'borderTopWidth', 'borderTopColor', 'borderRightStyle', 'borderRightWidth',
                'borderRightColor', 'borderBottomStyle', 'borderBottomWidth', 'borderBottomColor', 'borderLeftStyle',
                'borderLeftWidth', 'borderLeftColor', 'backgroundColor', 'backgroundImage', 'boxShadow',
                'outlineStyle'];
  const defaults = {};
  const fields = [];
  let unstyled = 0, inactive = 0, capped = false;
  const candidates = [];
  for (const el of body.querySelectorAll('input, select, textarea')) {
    const st = getComputedStyle(el);
    const kind = kindOf(el, st);
    if (!kind || !shown(el) || !sized(el)) continue;
    if (disabled(el)) { inactive++; continue; }
    candidates.push([el, st, kind]);
  }
  if (candidates.length) {
    const host = document.createElement('div');
    host.style.cssText = 'display:none';
    const root = host.attachShadow({mode: 'closed'});
    root.innerHTML = '<input><select></select><textarea></textarea>';
    html.appendChild(host);
    try {
      for (const [k, e] of [['text', root.children[0]], ['select', root.children[1]], ['textarea', root.children[2]]]) {
        const st = getComputedStyle(e);
        defaults[k] = EDGE.map(p => st[p]).join('|');
      }
    } finally { host.remove(); }
  }
  for (const [el, st, kind] of candidates) {
    if (kind in defaults && EDGE.map(p => st[p]).join('|') === defaults[kind]) { unstyled++; continue; }
    if (fields.length >= arg.maxFields) { capped = true; break; }
    const entry = {target: sel(el), html: snip(el), kind, indicators: [], unknown: null};
    fields.push(entry);
    const around = behind(el.parentElement || body);
    if (around.unknown) { entry.unknown = around.unknown; continue; }
    if (st.backgroundImage !== 'none') { entry.unknown = 'background image'; continue; }
    const adj = around.colour, fill = over(rgba(st.backgroundColor), adj, parseFloat(st.opacity) * around.fade);
    entry.adjacent = hex(adj);
    const add = (what, colour, against) => entry.indicators.push({what, colour: hex(colour), against: hex(against)});
    if (ratio(fill, adj) > 1.05) add('fill', fill, adj);
    const drawn = (cs, s) => !['none', 'hidden'].includes(cs['border' + s + 'Style']) &&
                             parseFloat(cs['border' + s + 'Width']) >= 1;
    const sides = ['Top', 'Right', 'Bottom', 'Left'].filter(s => drawn(st, s));
    const col = (s) => over(rgba(st['border' + s + 'Color']), fill);
    const same = sides.length === 4 && sides.every(s => st['border' + s + 'Color'] === st.borderTopColor);
    if (same) add('border', col('Top'), adj);
    else if (sides.length === 1 && sides[0] === 'Bottom') add('underline', col('Bottom'), adj);
    else for (const s of sides) add('border-' + s.toLowerCase(), col(s), adj);
    if (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 1)
      add('outline', over(rgba(st.outlineColor), adj), adj);
    if (st.boxShadow !== 'none') {
      const re = new RegExp('(rgba?\\([^)]*\\)|#[0-9a-f]+|[a-z]+)\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+([\\d.]+)px' +
                            '(?:\\s+(-?[\\d.]+)px)?(\\s+inset)?', 'gi');
      let m, sharp = false, soft = false;
      while ((m = re.exec(st.boxShadow))) {
        const blur = +m[4], spread = +(m[5] || 0), offset = Math.max(Math.abs(+m[2]), Math.abs(+m[3]));
        if (blur <= 1 && (spread >= 1 || offset >= 1)) {
          sharp = true;
          add('shadow', over(rgba(m[1]), m[6] ? fill : adj), adj);
        }
        else if (blur > 1) soft = true;
      }
      if (soft && !sharp) entry.soft_shadow = true;
    }
    if (entry.indicators.some(i => ratio(rgba(i.colour), rgba(i.against)) >= 3)) continue;
    // faint on its own: a close wrapper (a search box's frame round the field and its button) may draw
    // the edge instead; something laid under it makes its colours unknown
    const fr = el.getBoundingClientRect();
    for (let w = el.parentElement, k = 0; w && w !== body && k < 2; w = w.parentElement, k++) {
      const wr = w.getBoundingClientRect();
      if (wr.height > fr.height + 24 || w.querySelectorAll('input, select, textarea, button').length > 3) break;
      const ws = getComputedStyle(w);
      const wa = behind(w.parentElement || body);
      if (wa.unknown) { entry.unknown = wa.unknown; break; }
      const wfill = over(rgba(ws.backgroundColor), wa.colour);
      if (ratio(wfill, wa.colour) > 1.05) add('wrapper-fill', wfill, wa.colour);
      for (const s of ['Top', 'Right', 'Bottom', 'Left'])
        if (drawn(ws, s))
          add('wrapper-border-' + s.toLowerCase(), over(rgba(ws['border' + s + 'Color']), wfill), wa.colour);
      if (ws.boxShadow !== 'none') entry.soft_shadow = true;
    }
    if (!entry.unknown && layered(el)) entry.unknown = 'layered';
  }

  // -- icons ------------------------------------------------------------------------------------------
  const icons = [];
  const glyph = (el, which) => {
    const ps = getComputedStyle(el, which);
    const c = ps.content;
    if (!c || c === 'none' || c === 'normal') return null;
    const m = /^"(.+)"$/u.exec(c);
    if (!m) return null;
    const ch = [...m[1]];
    const pua = ch.length === 1 && /[\uE000-\uF8FF]|[\u{F0000}-\u{FFFFD}]/u.test(ch[0]);
    if (!pua && !(ch.length <= 2 && /icon|awesome|glyph|symbol|material/i.test(ps.fontFamily))) return null;
    return ps;
  };
  const svgColours = (svg) => {
    const out = [];
    let k = 0;
    const SHAPES = 'path, circle, rect, ellipse, line, polyline, polygon, text, use, image, foreignObject';
    for (const s of svg.querySelectorAll(SHAPES)) {
      if (++k > 60) break;
      if (s.closest('defs, symbol, mask, clipPath, pattern, marker')) continue;
      if (s.localName === 'image' || s.localName === 'foreignObject') return {unknown: 'image in the icon'};
      const st = getComputedStyle(s);
      if (st.display === 'none' || st.visibility === 'hidden') continue;
      if (st.filter !== 'none' || st.mask !== 'none' && st.mask) return {unknown: 'filter'};
      let op = 1;
      for (let n = s; n && n !== svg.parentElement; n = n.parentElement) op *= parseFloat(getComputedStyle(n).opacity);
      if (s.localName === 'use') {
        const ref = (s.getAttribute('href') || s.getAttribute('xlink:href') || '');
        let target = null;
        try { target = ref.startsWith('#') ? document.querySelector(ref) : null; } catch (e) {}
        if (!target) return {unknown: 'an icon drawn elsewhere'};
        for (const d of target.querySelectorAll('[fill], [stroke], [style]'))
          if (!/^(none|currentcolor|inherit)?$/i.test(d.getAttribute('fill') || '') ||
              !/^(none|currentcolor|inherit)?$/i.test(d.getAttribute('stroke') || '') || d.getAttribute('style'))
            return {unknown: 'an icon drawn elsewhere'};
      }
      const paints = [[st.fill, st.fillOpacity, 1], [st.stroke, st.strokeOpacity, parseFloat(st.strokeWidth)]];
      for (const [paint, po, w] of paints) {
        if (!paint || paint === 'none' || w < 0.5) continue;
        if (paint.startsWith('url(')) return {unknown: 'gradient'};
        const c = rgba(paint);
        const a = c[3] * parseFloat(po) * op;
        if (a > 0) out.push([c, a]);
      }
    }
    return {colours: out};
  };
  const CONTROLS = 'a[href], button, [role="button"], [role="link"]';
  const visibleText = (el) => {
    const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const rg = document.createRange();
    let k = 0;
    for (let n = w.nextNode(); n && k < 40; n = w.nextNode(), k++) {
      if (!/\S/.test(n.data) || !n.parentElement || n.parentElement.closest('svg')) continue;
      const p = n.parentElement;
      if (!shown(p)) continue;
      const pr = p.getBoundingClientRect();
      if (pr.width <= 2 || pr.height <= 2) continue;
      rg.selectNodeContents(n);
      const r = rg.getBoundingClientRect();
      if (r.width >= 3 && r.height >= 3) return true;
    }
    return false;
  };
  const record = (target, kind, icon, found) => {
    if (icons.length >= arg.maxIcons) { capped = true; return; }
    const entry = {target: sel(target), html: snip(target), kind, colours: [], unknown: null};
    icons.push(entry);
    if (found.unknown) { entry.unknown = found.unknown; return; }
    const bg = behind(icon);
    if (bg.unknown) { entry.unknown = bg.unknown; return; }
    entry.against = hex(bg.colour);
    entry.colours = [...new Set(found.colours.map(([c, a]) => hex(over(c, bg.colour, a * bg.fade))))];
    if (!entry.colours.length) { entry.unknown = 'no colour'; return; }
    if (entry.colours.every(c => ratio(rgba(c), bg.colour) < 3) && layered(icon)) entry.unknown = 'layered';
  };
  const done = new Set();
  let k = 0;
  for (const c of body.querySelectorAll(CONTROLS)) {
    if (++k > arg.maxControls) { capped = true; break; }
    if (disabled(c) || !shown(c) || !sized(c) || visibleText(c)) continue;
    let icon = null, found = null;
    for (const svg of c.querySelectorAll('svg')) {
      if (shown(svg) && sized(svg)) { icon = svg; found = svgColours(svg); break; }
    }
    if (!icon) {
      let j = 0;
      for (const e of [c, ...c.querySelectorAll('*')]) {
        if (++j > 20) break;
        for (const which of ['::before', '::after']) {
          const ps = glyph(e, which);
          if (ps && ps.display !== 'none' && ps.visibility !== 'hidden') {
            icon = e; found = {colours: [[rgba(ps.color), parseFloat(ps.opacity)]]}; break;
          }
        }
        if (icon) break;
      }
    }
    if (!icon) {
      const img = c.querySelector('img, [role="img"]');
      if (img && shown(img) && sized(img)) { icon = img; found = {unknown: 'image'}; }
    }
    if (!icon) continue;
    done.add(icon);
    record(c, 'control', icon, found);
  }
  for (const svg of body.querySelectorAll('svg[role="img"], svg[aria-label], svg[aria-labelledby], svg')) {
    if (done.has(svg) || (svg.parentElement && svg.parentElement.closest('svg'))) continue;
    const named = svg.getAttribute('role') === 'img' || svg.hasAttribute('aria-label') ||
                  svg.hasAttribute('aria-labelledby') ||
                  [...svg.children].some(t => t.localName === 'title' && /\S/.test(t.textContent));
    if (!named || svg.closest('[aria-hidden="true"]') || !shown(svg) || !sized(svg)) continue;
    const ctl = svg.closest(CONTROLS);
    if (ctl && disabled(ctl)) continue;
    done.add(svg);
    record(svg, 'named', svg, svgColours(svg));
  }
  return JSON.stringify({fields, icons, unstyled, inactive, capped,
                         ms: Math.round((performance.now() - t0) * 10) / 10});
}
"""


@probe("contrast", profiles=("quick", "default"), timeout_s=5.0, script=CONTRAST_JS,
       args={"maxFields": MAX_FIELDS, "maxIcons": MAX_ICONS, "maxControls": MAX_CONTROLS})
async def contrast(page, ctx: ProbeContext, found: dict) -> dict:
    return found


@probe("layout", profiles=("default",), timeout_s=10.0, script=LAYOUT_JS, args=_args("base"))
async def layout(page, ctx: ProbeContext, first: dict) -> dict:
    """After the script's first state (as loaded, text spacing, 200 % text), the reflow state at 320 px."""
    from playwright.async_api import Error as PlaywrightError

    if first.get("skip"):
        return {"skipped": first["skip"]}
    screen, dpr = first["screen"], first["dpr"]
    t1 = time.perf_counter()
    cdp = await _cdp(page)
    out: dict = {}
    done = False
    try:
        await _viewport(cdp, REFLOW_VIEWPORT, screen, dpr)
        t2 = time.perf_counter()
        out = json.loads(await page.evaluate(LAYOUT_JS, _args("reflow")))
        t3 = time.perf_counter()
        if out.get("error"):
            return {"error": out["error"]}
        done = True
    finally:
        try:
            await _viewport(cdp, ctx.viewport, screen, dpr)
            if not done:
                await page.evaluate(CLEANUP_JS)
        except PlaywrightError:
            pass
    out["viewport"] = list(ctx.viewport)
    out["resize_wait"] = bool(first.get("resize"))
    t4 = time.perf_counter()
    # the driver's time after the first state: the viewport narrowed, the reflow state, the viewport back
    out["ms"]["total"] = round((t4 - t1) * 1000, 1)
    out["ms"]["steps"] = [round((b - a) * 1000, 1) for a, b in ((t1, t2), (t2, t3), (t3, t4))]
    return out
