"""The language probe: the page's text blocks, each with the language its markup gives it, and the
page's main text, for the language checks (checks/language_checks.py, WCAG 3.1.1 and 3.1.2).

One evaluate reads the page (it changes nothing): every text node of the body that a reader meets
(not in script, style, noscript, template, code, pre, kbd, samp, var, svg, math, form fields'
lists, nor in what is hidden, aria-hidden or marked translate="no") is given to its block — the
nearest p, li, td, th, heading, blockquote, figcaption, dd, dt, label, button, caption, legend,
summary, address, or other container, or the nearest element with a lang attribute, so that a
marked part is a block of its own. A block's effective language is the nearest lang (or xml:lang)
of it or an ancestor. The artifact ``language``:

- ``page_lang``: the html element's lang (or xml:lang), as written, or None;
- ``blocks``: [{sel, tag, lang, words, text, group}] in document order: a unique CSS selector, its
  start tag (attributes as written, cut at 200 characters), the effective language (None when
  nothing says), the number of words (tokens with a letter), the text (at most BLOCK_CHARS
  characters), and the index of the block's group (its list, table or description list for an
  item or cell, else its parent element): consecutive short blocks of one group may together form
  a passage;
- ``groups``: {index: selector} of the groups with more than one block;
- ``main``: {text, words, sel}: the text of the main landmark (else the body) whose effective
  language is the page's (parts marked with another language left out), at most MAIN_CHARS;
- ``truncated``: True when a limit cut the blocks or the walk; ``ms``: the time the page took.

Limits: at most MAX_BLOCKS blocks (one-word blocks dropped first) and TOTAL_CHARS characters of
blocks, a walk of at most MAX_NODES nodes and WALK_MS milliseconds.
"""
from __future__ import annotations

from audit.probes import ProbeContext, probe

MAX_BLOCKS = 300
BLOCK_CHARS = 1000
TOTAL_CHARS = 60_000
MAIN_CHARS = 5_000
MAX_NODES = 200_000
WALK_MS = 1_000

LANGUAGE_JS = r"""
(lim) => {
  const t0 = performance.now();
  const root = document.body;
  const html = document.documentElement;
  const attrLang = el => el.hasAttribute('lang') ? el.getAttribute('lang')
    : (el.hasAttribute('xml:lang') ? el.getAttribute('xml:lang') : undefined);
  const pageLang = html ? (attrLang(html) ?? null) : null;
  if (!root) return JSON.stringify({page_lang: pageLang, blocks: [], groups: {}, main: {text: '', words: 0, sel: null},
                                    truncated: false, ms: 0});
  const SKIP = new Set(['script', 'style', 'noscript', 'template', 'code', 'pre', 'kbd', 'samp', 'var', 'svg',
                        'math', 'textarea', 'select', 'option', 'datalist', 'iframe', 'object', 'canvas',
                        'video', 'audio', 'head', 'title']);
  const BLOCK = new Set(['p', 'li', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'figcaption',
                         'dd', 'dt', 'label', 'button', 'caption', 'legend', 'summary', 'address', 'div', 'section',
                         'article', 'aside', 'header', 'footer', 'nav', 'main', 'form', 'fieldset', 'figure',
                         'details', 'dialog', 'body', 'ul', 'ol', 'dl', 'table', 'tr', 'tbody', 'thead', 'tfoot',
                         'menu', 'search', 'hgroup']);
  // the nearest ancestor-or-self with a fact, memoised, without recursion (deep pages)
  const upward = (memo, el, own) => {
    const chain = [];
    let n = el, found;
    while (n && n.nodeType === 1) {
      if (memo.has(n)) { found = memo.get(n); break; }
      const v = own(n);
      if (v !== undefined) { found = v; memo.set(n, v); break; }
      chain.push(n);
      n = n.parentElement;
    }
    if (found === undefined) found = null;
    for (const c of chain) memo.set(c, found);
    return found;
  };
  const langMemo = new Map(), ownerMemo = new Map();
  const langOf = el => upward(langMemo, el, attrLang);
  const ownerOf = el => upward(ownerMemo, el,
                               n => (BLOCK.has(n.localName) || attrLang(n) !== undefined) ? n : undefined);
  const primary = t => (t || '').trim().toLowerCase().split(/[-_]/)[0];
  const pagePrimary = primary(pageLang);
  const mainRoot = document.querySelector('main, [role="main"]') || root;
  // a unique selector: the nearest ancestor with a unique id, then tag:nth-of-type steps
  const selMemo = new Map();
  const idOk = id => {
    try { return document.querySelectorAll('#' + CSS.escape(id)).length === 1; } catch (e) { return false; }
  };
  const step = el => {
    const p = el.parentElement;
    let part = CSS.escape(el.localName);
    if (p) {
      let i = 0, n = 0;
      for (const c of p.children) if (c.localName === el.localName) { n++; if (c === el) i = n; }
      if (n > 1) part += ':nth-of-type(' + i + ')';
    }
    return part;
  };
  const sel = el => {
    const chain = [];
    let n = el, base = null;
    while (n) {
      if (selMemo.has(n)) { base = selMemo.get(n); break; }
      if (n === html) { base = 'html'; selMemo.set(n, base); break; }
      if (n === document.body) { base = 'body'; selMemo.set(n, base); break; }
      if (n.id && idOk(n.id)) { base = '#' + CSS.escape(n.id); selMemo.set(n, base); break; }
      chain.push(n);
      n = n.parentElement;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      base = (base ? base + ' > ' : '') + step(chain[i]);
      selMemo.set(chain[i], base);
    }
    return base;
  };
  // an element's start tag, for the report (its attributes as written, cut)
  const tag = el => {
    let t = '<' + el.localName;
    for (const a of el.attributes) {
      t += ' ' + a.name + '="' + a.value.replace(/"/g, '&quot;') + '"';
      if (t.length > 200) break;
    }
    return (t.length > 200 ? t.slice(0, 199) + '…' : t) + '>';
  };
  const blocks = new Map();
  const mainParts = [];
  let mainLen = 0, lastMainOwner = null, nodes = 0, truncated = false;
  const mainMemo = new Map();
  const inMain = el => mainRoot === root || upward(mainMemo, el, n => n === mainRoot ? true : undefined) === true;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {acceptNode: n => {
    if (n.nodeType !== 1 || n.localName === 'br') return NodeFilter.FILTER_ACCEPT;
    if (SKIP.has(n.localName) || n.getAttribute('aria-hidden') === 'true' || n.getAttribute('translate') === 'no'
        || n.hidden) return NodeFilter.FILTER_REJECT;
    if (n.checkVisibility && !n.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true}))
      return NodeFilter.FILTER_REJECT;
    return NodeFilter.FILTER_SKIP;
  }});
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (++nodes > lim.maxNodes || (nodes % 512 === 0 && performance.now() - t0 > lim.walkMs)) {
      truncated = true;
      break;
    }
    if (node.nodeType === 1) {                      // a line break: a space in its block's text
      const b = blocks.get(ownerOf(node));
      if (b) b.parts.push(' ');
      if (lastMainOwner !== null && lastMainOwner === ownerOf(node)) mainParts.push(' ');
      continue;
    }
    const data = node.data;
    if (!/\S/.test(data)) continue;
    const parent = node.parentElement;
    if (!parent) continue;
    const owner = ownerOf(parent);
    if (!owner) continue;
    let b = blocks.get(owner);
    if (!b) { b = {parts: [], chars: 0}; blocks.set(owner, b); }
    if (b.chars < lim.blockChars) { b.parts.push(data); b.chars += data.length; }
    if (mainLen < lim.mainChars && inMain(parent)) {
      const l = langOf(parent);
      if (!pagePrimary || primary(l) === pagePrimary) {
        if (lastMainOwner !== null && lastMainOwner !== owner) mainParts.push('\u0001');
        mainParts.push(data);
        mainLen += data.length;
        lastMainOwner = owner;
      }
    }
  }
  const norm = s => s.replace(/\s+/g, ' ').trim();
  const countWords = s => (s.match(/\S*\p{L}\S*/gu) || []).length;
  let list = [];
  for (const [el, b] of blocks) {
    const text = norm(b.parts.join('')).slice(0, lim.blockChars);
    const words = countWords(text);
    if (words) list.push({el, text, words});
  }
  if (list.length > lim.maxBlocks) { list = list.filter(b => b.words > 1); truncated = true; }
  if (list.length > lim.maxBlocks) list = list.slice(0, lim.maxBlocks);
  const out = [], groupIds = new Map(), groupCount = new Map();
  let total = 0;
  for (const b of list) {
    if (total + b.text.length > lim.totalChars) { truncated = true; break; }
    total += b.text.length;
    const name = b.el.localName;
    const g = (['li', 'dd', 'dt', 'td', 'th'].includes(name) && b.el.parentElement
               && b.el.parentElement.closest('ul, ol, menu, dl, table')) || b.el.parentElement || b.el;
    if (!groupIds.has(g)) groupIds.set(g, groupIds.size);
    const gid = groupIds.get(g);
    groupCount.set(gid, (groupCount.get(gid) || 0) + 1);
    out.push({sel: sel(b.el), tag: tag(b.el), lang: langOf(b.el), words: b.words, text: b.text, group: gid});
  }
  const groups = {};
  for (const [g, id] of groupIds) if (groupCount.get(id) > 1) groups[id] = sel(g);
  // blocks on lines of their own
  const mainText = mainParts.join('').split('\u0001').map(norm).filter(Boolean).join('\n').slice(0, lim.mainChars);
  return JSON.stringify({page_lang: pageLang, blocks: out, groups,
                         main: {text: mainText, words: countWords(mainText), sel: sel(mainRoot)},
                         truncated, ms: Math.round((performance.now() - t0) * 10) / 10});
}
"""


LIMITS = {"maxBlocks": MAX_BLOCKS, "blockChars": BLOCK_CHARS, "totalChars": TOTAL_CHARS,
          "mainChars": MAIN_CHARS, "maxNodes": MAX_NODES, "walkMs": WALK_MS}


@probe("language", profiles=("quick", "default"), timeout_s=10.0, script=LANGUAGE_JS, args=LIMITS)
async def run(page, ctx: ProbeContext, found: dict) -> dict:
    """The text blocks and main text of the page, with their languages (the script alone; read only)."""
    return found
