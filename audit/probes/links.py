"""The ``links`` probe (quick): each link's accessible name and the context a user gets with it.

WCAG 2.4.4 (Link Purpose, In Context) lets a link's purpose come from its text together with its
programmatically determined context: the enclosing sentence, paragraph, list item or table cell, the
table's header cells for that cell, the heading before it, or text the link points at with
aria-describedby (Understanding 2.4.4; techniques H77–H81, ARIA1). One evaluate
records, for every visible link (at most LINKS_MAX), its name and that context; the checks in
checks/link_checks.py judge it. Read-only: it leaves the page as it was.
"""
from __future__ import annotations

from audit.probes import SELECTOR_JS, ProbeContext, probe

LINKS_MAX = 400          # links recorded per page
CONTEXT_MAX = 300        # characters of context kept per link

LINKS_JS = """
([max, ctxMax]) => {
  const selector = """ + SELECTOR_JS + """;
  const squash = s => (s || '').replace(/\\s+/g, ' ').trim();
  const byIds = (el, attr) => squash((el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)
    .map(id => { const t = document.getElementById(id); return t ? t.textContent : ''; }).join(' '));
  // the accessible name, as far as links go: aria-labelledby, aria-label, the content (img alt,
  // svg title, hidden parts left out), then title
  const content = node => {
    if (node.nodeType === 3) return node.data;
    if (node.nodeType !== 1) return '';
    const el = node;
    if (el.getAttribute('aria-hidden') === 'true') return '';
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') return '';
    if (el.getAttribute('aria-label')) return ' ' + el.getAttribute('aria-label') + ' ';
    if (el.tagName === 'IMG' || (el.tagName === 'INPUT' && el.type === 'image'))
      return ' ' + (el.getAttribute('alt') || '') + ' ';
    if (el.tagName.toLowerCase() === 'svg') {
      const t = el.querySelector('title');
      return t ? ' ' + t.textContent + ' ' : '';
    }
    const block = /^(block|flex|grid|list-item|table)/.test(cs.display) ? ' ' : '';
    return block + Array.from(el.childNodes, content).join('') + block;
  };
  const nameOf = a => byIds(a, 'aria-labelledby') || squash(a.getAttribute('aria-label'))
    || squash(content(a)) || squash(a.getAttribute('title'));
  const visible = el => {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height && !el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && el.closest('[aria-hidden="true"], [hidden], [inert]') === null;
  };
  // the text of an element without the link itself
  const without = (container, a) => {
    const copy = container.cloneNode(true);
    const path = [];
    for (let n = a; n && n !== container; n = n.parentNode)
      path.unshift(Array.prototype.indexOf.call(n.parentNode.childNodes, n));
    let twin = copy;
    for (const i of path) twin = twin && twin.childNodes[i];
    if (twin && twin.parentNode) twin.parentNode.removeChild(twin);
    return squash(copy.textContent);
  };
  // the heading before a link that introduces the content it is part of (H80): the last heading
  // before it in document order whose sectioning element (article, section, aside, nav) also
  // holds the link — a heading inside an article that has ended introduces nothing after it
  const HEADING = /^H[1-6]$/;
  const SECTIONING = 'article, section, aside, nav';
  const headings = [], lastBefore = new Map();
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_ELEMENT);
  for (let n = walker.currentNode; n; n = walker.nextNode()) {
    if (HEADING.test(n.tagName) || n.getAttribute('role') === 'heading') headings.push(n);
    else if (n.matches('a[href], area[href], [role="link"]')) lastBefore.set(n, headings.length - 1);
  }
  const heading = a => {
    for (let i = lastBefore.get(a) ?? -1, steps = 0; i >= 0 && steps < 100; i--, steps++) {
      const sec = headings[i].closest(SECTIONING);
      if (!sec || sec.contains(a)) return headings[i];
    }
    return null;
  };
  const headerCells = cell => {
    const table = cell.closest('table');
    if (!table) return '';
    const ids = byIds(cell, 'headers');
    if (ids) return ids;
    const row = cell.parentElement, col = cell.cellIndex, out = [];
    const th = row && row.querySelector('th');
    if (th && th !== cell) out.push(th.textContent);
    const head = table.tHead && table.tHead.rows[0];
    if (head && head.cells[col]) out.push(head.cells[col].textContent);
    return squash(out.join(' '));
  };
  const links = Array.from(document.querySelectorAll('a[href], area[href], [role="link"]'));
  const out = [];
  let capped = false;
  for (const a of links) {
    if (!visible(a)) continue;
    if (out.length >= max) { capped = true; break; }
    const name = nameOf(a);
    const words = name.split(' ').filter(Boolean).length;
    const rec = {target: selector(a), name: name.slice(0, 200), href: a.href || a.getAttribute('href') || null,
                 html: a.outerHTML.slice(0, 300)};
    if (words <= 6) {          // context matters for short names only: a long name says enough
      const block = a.parentElement && a.parentElement.closest('p, li, td, th, dd, dt, figcaption, blockquote, ' +
                                                              '[role="listitem"], [role="cell"], [role="gridcell"]');
      const cell = a.closest('td, [role="cell"], [role="gridcell"]');
      rec.context = {
        block: block ? without(block, a).slice(0, ctxMax) : '',
        headers: cell ? headerCells(cell).slice(0, ctxMax) : '',
        heading: (h => h ? squash(h.textContent).slice(0, ctxMax) : '')(heading(a)),
        described: byIds(a, 'aria-describedby').slice(0, ctxMax),
      };
    }
    out.push(rec);
  }
  return {links: out, capped};
}
"""


@probe("links", profiles=("quick", "default"), timeout_s=5.0, script=LINKS_JS, args=[LINKS_MAX, CONTEXT_MAX])
async def links(page, ctx: ProbeContext, found: dict) -> dict:
    return found
