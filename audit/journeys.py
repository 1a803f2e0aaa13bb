"""Doing a journey in Chromium: its steps, what each action changed, and the page at each audited state.

Gathering only (no check is imported here): ``JourneyDriver`` carries out the steps of a
``audit.journeyfile.Journey`` on one tab and, at each ``audit:`` step, hands back what the checks of a
journey judge (the ``journey`` artifact, beside the page's own artifacts that gather.py collects):

- ``action``: the last action before the state (click, fill, press …): the page before it and the
  page now (OBSERVE_JS: new texts and whether they sit in a live region, fields and their errors,
  dialogs, where focus is), whether it navigated, the element it acted on;
- ``dialog``: a dialog that action opened, tried with Tab and Escape (DIALOG_JS) and put back;
- ``commits``: the actions marked ``commits: true`` since the last state, whether a review step came
  before them and an undo after;
- ``entered``: what was typed into which fields earlier in the journey (never the values);
- ``idle``: what the page did while the user did nothing (warnings, a navigation), from ``idle`` steps.
"""
from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from audit.journeyfile import Journey, Locator, Step, mask
from audit.probes import ELEMENT_JS
from core.errors import TargetError

SETTLE_MS = 250          # after an action: what a script shows in answer (a message, a dialog) has come
INPUT_STEPS = ("fill", "select", "check", "upload")
ACTION_STEPS = ("goto", "click", "press", *INPUT_STEPS)

# What the page is now, for comparing before and after an action. Texts: elements with text of their
# own that are shown, with the live region they are in (role alert/status/log, aria-live, output),
# whether they look like an error (red, an error class, an error word, the message of an invalid
# field), the one field they stand beside (the nearest ancestor holding exactly one field or radio
# group), whether they are a heading or hold a control. Fields: their name, description, errors.
OBSERVE_JS = ELEMENT_JS + r"""
(() => {
  if (!window.__klartjek_doc__) Object.defineProperty(window, '__klartjek_doc__',
    {value: Math.random().toString(36).slice(2), enumerable: false});
  const shown = el => { if (!el.getClientRects().length) return false;
    const cs = getComputedStyle(el); return cs.visibility !== 'hidden' && cs.display !== 'none' &&
        +cs.opacity > 0.05; };
  const clean = s => (s || '').replace(/\s+/g, ' ').trim();
  const byIds = ids => clean((ids || '').split(/\s+/).map(id => (id && document.getElementById(id) ||
      {}).textContent || '').join(' '));
  const FIELD = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), ' +
    'select, textarea';
  const LIVE = '[role=alert], [role=status], [role=log], [aria-live], output, [role=alertdialog]';
  const liveOf = el => { for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const r = n.getAttribute('role'), l = n.getAttribute('aria-live');
      if (l === 'off') return null;
      if (r === 'alert' || r === 'alertdialog' || l === 'assertive') return {kind: 'assertive', sel: sel(n)};
      if (r === 'status' || r === 'log' || l === 'polite' || n.localName === 'output') return {kind: 'polite',
          sel: sel(n)};
    } return null; };
  const dialogOf = el => el.closest('dialog[open], [role=dialog], [role=alertdialog]');
  const labelOf = f => {
    let t = byIds(f.getAttribute('aria-labelledby')) || clean(f.getAttribute('aria-label'));
    if (!t && f.labels && f.labels.length) t = clean(Array.from(f.labels, l => l.innerText || l.textContent).join(' '));
    if (!t && (f.type === 'radio' || f.type === 'checkbox')) { const fs = f.closest('fieldset');
      const lg = fs && fs.querySelector('legend'); if (lg) t = clean(lg.textContent); }
    return (t || clean(f.getAttribute('title')) || clean(f.getAttribute('placeholder'))).slice(0, 200);
  };
  // a radio or checkbox group is one field: its fieldset (or radiogroup), else its name
  const groupOf = f => (f.type === 'radio' || f.type === 'checkbox') &&
    (f.closest('fieldset, [role=radiogroup], [role=group]') || null);
  const fieldKey = f => { const g = groupOf(f); return g || f; };
  const red = el => { const m = getComputedStyle(el).color.match(/\d+(\.\d+)?/g);
    if (!m) return false; const [r, g, b] = m.map(Number); return r >= 150 && g <= 110 && b <= 110 &&
        r - Math.max(g, b) >= 70; };
  const redBorder = el => { const cs = getComputedStyle(el);
    for (const side of ['Top', 'Bottom', 'Left']) { const w = parseFloat(cs['border' + side + 'Width']);
      const m = cs['border' + side + 'Color'].match(/\d+(\.\d+)?/g);
      if (w >= 1 && m) { const [r, g, b] = m.map(Number); if (r >= 150 && g <= 110 && b <= 110 && r - Math.max(g,
          b) >= 70) return true; } }
    return false; };
  const ERROR_WORDS = new RegExp('\\b(fejl|forkert|ugyldig|mangler|påkrævet|skal udfyldes|skal vælges|' +
    'error|invalid|required|missing|must)\\b', 'i');
  const errorClass = el => { for (let n = el, i = 0; n && n.nodeType === 1 && i < 3; n = n.parentElement, i++) {
      const c = ((n.getAttribute('class') || '') + ' ' + (n.id || '')).toLowerCase();
      if (/(^|[\s_-])(error|errors|fejl|fejlbesked|invalid|ugyldig|danger)([\s_-]|$)/.test(c)) return true; }
    return false; };
  const fields = [];
  const keys = new Map();
  for (const f of document.querySelectorAll(FIELD)) {
    if (fields.length >= 200) break;
    if (!shown(f) && !(f.type === 'radio' || f.type === 'checkbox')) continue;
    const key = fieldKey(f);
    const group = key !== f ? key : null;
    const members = group ? Array.from(group.querySelectorAll(FIELD)) : [f];
    if (keys.has(key)) continue;
    if (!members.some(shown) && !shown(key)) continue;
    const described = clean([byIds(key.getAttribute && key.getAttribute('aria-describedby')),
      ...members.map(m => byIds(m.getAttribute('aria-describedby')) + ' ' +
        byIds(m.getAttribute('aria-errormessage')))].join(' '));
    const legend = group && group.querySelector('legend');
    const entry = {sel: sel(key), type: group ? 'group' : (f.localName === 'input' ? (f.type || 'text') : f.localName),
      label: group ? clean((legend || {}).textContent || group.getAttribute('aria-label') ||
          byIds(group.getAttribute('aria-labelledby'))).slice(0, 200) : labelOf(f),
      name: (f.getAttribute('name') || '').slice(0, 100), autocomplete: (f.getAttribute('autocomplete') ||
          '').trim().toLowerCase().slice(0, 100),
      described: described.slice(0, 400),
      invalid: members.some(m => m.getAttribute('aria-invalid') === 'true') || (group &&
          group.getAttribute('aria-invalid') === 'true'),
      empty: members.every(m => (m.type === 'radio' || m.type === 'checkbox') ? !m.checked : !m.value),
      redBorder: members.some(m => shown(m) && redBorder(m)), required: members.some(m => m.required ||
          m.getAttribute('aria-required') === 'true'),
      disabled: members.every(m => m.disabled), readonly: members.every(m => m.readOnly),
      dialog: !!dialogOf(key),
      // the format the field asks for, where its markup tells (an error about it can say how to fix it)
      pattern: group ? '' : (f.getAttribute('pattern') || '').slice(0, 200),
      min: group ? '' : (f.getAttribute('min') || '').slice(0, 40),
      max: group ? '' : (f.getAttribute('max') || '').slice(0, 40),
      minlength: group ? '' : (f.getAttribute('minlength') || '').slice(0, 10),
      maxlength: group ? '' : (f.getAttribute('maxlength') || '').slice(0, 10),
      inputmode: group ? '' : (f.getAttribute('inputmode') || '').slice(0, 20)};
    keys.set(key, entry);
    fields.push(entry);
  }
  const fieldEls = Array.from(keys.keys());
  // the one field a text stands beside: the nearest of its three closest ancestors holding fields,
  // when it holds exactly one (an error summary's ancestors hold several: no field)
  const besideField = el => { for (let n = el.parentElement, i = 0; n && n !== document.body &&
      i < 4; n = n.parentElement, i++) {
      const inside = fieldEls.filter(k => n.contains(k) || (k.contains && k.contains(el)));
      if (inside.length === 1) return keys.get(inside[0]).sel;
      if (inside.length > 1) return null;
    } return null; };
  const texts = [];
  const all = document.body ? document.body.querySelectorAll('*') : [];
  for (const el of all) {
    if (texts.length >= 1500) break;
    if (['script', 'style', 'noscript', 'template', 'option', 'title'].includes(el.localName)) continue;
    let own = '';
    for (const c of el.childNodes) if (c.nodeType === 3) own += c.data;
    if (!clean(own) || !shown(el)) continue;
    const text = clean(el.innerText || el.textContent).slice(0, 300);
    if (!text) continue;
    const live = liveOf(el);
    const errorish = red(el) || errorClass(el) || ERROR_WORDS.test(text) || (live && live.kind === 'assertive' &&
        !dialogOf(el));
    texts.push({sel: sel(el), text, live: live && live.kind, liveSel: live && live.sel, dialog: !!dialogOf(el),
      field: besideField(el), error: !!errorish, heading: /^h[1-6]$/.test(el.localName) ||
          el.getAttribute('role') === 'heading',
      control: (c => c ? (c.matches('a[href], [role=link]') ? 'link' : 'other') : null)(
        el.closest('a[href], button, label, summary, [role=button], [role=link], [role=tab], legend')),
      form: !!el.closest('form, fieldset, [role=form], [role=group]'),
      inField: !!el.closest('label, legend')});
  }
  const dialogs = Array.from(document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog]')).filter(shown)
    .slice(0, 10).map(d => ({sel: sel(d), modal: d.getAttribute('aria-modal') === 'true' ||
        (d.localName === 'dialog' && d.matches(':modal')),
      name: clean(d.getAttribute('aria-label') || byIds(d.getAttribute('aria-labelledby'))).slice(0, 200),
      text: clean(d.innerText).slice(0, 300), alert: d.getAttribute('role') === 'alertdialog',
      buttons: Array.from(d.querySelectorAll('button, [role=button], a[href], input[type=submit], input[type=button]'))
        .filter(shown)
        .slice(0, 20).map(b => clean(b.getAttribute('aria-label') || b.innerText || b.value).slice(0, 100))}));
  const controls = Array.from(document.querySelectorAll('a[href], button, [role=button], [role=link], ' +
      'input[type=submit], input[type=button], summary'))
    .filter(shown).slice(0, 500).map(c => [sel(c), clean(c.getAttribute('aria-label') || c.innerText || c.value ||
        c.getAttribute('title')).slice(0, 100)]);
  const live = Array.from(document.querySelectorAll(LIVE)).slice(0, 100).map(sel);
  const a = document.activeElement;
  const active = a && a !== document.body && a !== document.documentElement ? a : null;
  const activeText = active ? clean(active.innerText || active.textContent).slice(0, 300) : null;
  return JSON.stringify({doc: window.__klartjek_doc__, url: location.href, title: document.title,
    active: active ? sel(active) : null, activeText, activeTag: active ? active.localName : null,
    activeDialog: active && dialogOf(active) ? sel(dialogOf(active)) : null,
    texts, fields, dialogs, controls, live});
})()
"""

# Password and one-time-code fields: does the page stop a paste into them (WCAG 3.3.8: a password
# manager or a pasted code must work)? A paste event is sent to each (nothing is put in the field).
PASTE_JS = ELEMENT_JS + r"""
(() => Array.from(document.querySelectorAll('input[type=password], input[autocomplete~="one-time-code"]'))
  .filter(f => f.getClientRects().length).slice(0, 10).map(f => {
    let blocked = null;
    try {
      const dt = new DataTransfer();
      dt.setData('text/plain', 'x');
      const ev = new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true});
      f.dispatchEvent(ev);
      blocked = ev.defaultPrevented;
    } catch (e) {}
    const label = ((f.labels && f.labels[0] && f.labels[0].innerText) || f.getAttribute('aria-label') ||
        '').replace(/\s+/g, ' ').trim();
    return {sel: sel(f), label: label.slice(0, 200), paste_blocked: blocked, html: snip(f),
            autocomplete: (f.getAttribute('autocomplete') || '').toLowerCase()};
  }))()
"""

# While idle: which document this is, the dialogs shown and the texts in live regions (a warning).
IDLE_JS = ELEMENT_JS + r"""
(() => {
  const shown = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const clean = s => (s || '').replace(/\s+/g, ' ').trim();
  const dialogs = Array.from(document.querySelectorAll('dialog[open], [role=dialog], [role=alertdialog]')).filter(shown)
    .slice(0, 10).map(d => ({sel: sel(d), text: clean(d.innerText).slice(0, 300),
      buttons: Array.from(d.querySelectorAll('button, [role=button], a[href], input[type=submit], input[type=button]'))
        .filter(shown).slice(0, 20).map(b => clean(b.getAttribute('aria-label') || b.innerText || b.value).slice(0,
            100))}));
  const live = Array.from(document.querySelectorAll('[role=alert], [role=status], [aria-live]:not([aria-live=off])'))
    .filter(shown).slice(0, 50).map(r => clean(r.innerText).slice(0, 300)).filter(Boolean);
  return JSON.stringify({doc: window.__klartjek_doc__ || null, url: location.href, dialogs, live});
})()
"""

# A selector of the element a locator found (for the record of the action).
SELECTOR_OF_JS = "el => {" + ELEMENT_JS + """ return [sel(el), el.hasAttribute('aria-expanded') ||
  el.hasAttribute('aria-controls') || el.getAttribute('role') === 'tab' || !!el.closest('summary')]; }"""


def _step_facts(step: Step) -> dict[str, Any]:
    """How findings name a step: its number, line, kind, its own name and its element."""
    return {"step": step.index, "line": step.line, "kind": step.kind, "name": step.name,
            "locator": step.locator.describe() if step.locator else None,
            "key": step.value if step.kind == "press" else None}


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    """What an action changed: new texts (not there, with the same words, before), dialogs opened,
    fields newly in error, live regions that were there before; ``navigated`` when it is another
    document."""
    if before is None or before.get("doc") != after.get("doc"):
        # another document: only what it marks as an error itself counts (aria-invalid)
        return {"navigated": True, "texts": [], "dialogs": [], "live_before": [],
                "fields": [{**f, "was_invalid": False, "was_red": True, "was_described": ""} for f in after["fields"]],
                "controls_before": []}
    old = {(t["sel"], t["text"]) for t in before["texts"]}
    old_words = {t["text"] for t in before["texts"]}
    new_texts = [t for t in after["texts"] if (t["sel"], t["text"]) not in old and t["text"] not in old_words]
    before_dialogs = {d["sel"] for d in before["dialogs"]}
    before_fields = {f["sel"]: f for f in before["fields"]}
    return {"navigated": False, "texts": new_texts,
            "dialogs": [d for d in after["dialogs"] if d["sel"] not in before_dialogs],
            "live_before": before["live"],
            "fields": [{**f, "was_invalid": bool(before_fields.get(f["sel"], {}).get("invalid")),
                        "was_red": bool(before_fields.get(f["sel"], {}).get("redBorder")),
                        "was_described": before_fields.get(f["sel"], {}).get("described", "")}
                       for f in after["fields"]],
            "controls_before": [c[0] for c in before["controls"]]}


class JourneyStop(TargetError):
    """The journey could not go on at a step (the message names the file, line and step)."""


@dataclass
class ActionRecord:
    step: Step
    before: dict[str, Any] | None
    target: str | None = None           # a selector of the element acted on
    expands: bool = False               # it opens and closes a part of the page (aria-expanded, a tab …)
    after_doc: str | None = None


@dataclass
class StateGathered:
    """One audited state: the step, the page's URL, and the journey artifact."""
    step: Step
    url: str
    journey: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class JourneyDriver:
    """Carries out a journey's steps on ``page``; ``on_state(step)`` is awaited at each audit step
    (the caller gathers the page's artifacts there and calls ``state_artifact`` for the journey's own)."""

    def __init__(self, journey: Journey, page, base_url: str | None, in_scope: Callable[[str], bool],
                 files: Callable[[str], str] | None = None) -> None:
        self.journey, self.page, self.base = journey, page, base_url
        self.in_scope = in_scope
        self.files = files
        self.last_action: ActionRecord | None = None
        self.actions: list[ActionRecord] = []
        self.commits: list[dict[str, Any]] = []
        self.entered: list[dict[str, Any]] = []
        self.idle: list[dict[str, Any]] = []
        self.state_index = 0
        self.secret_fields: list[str] = []     # selectors of fields filled from a secret (masked in screenshots)

    def where(self, step: Step) -> str:
        return mask(self.journey.where(step), self.journey.secrets)

    async def observe(self) -> dict[str, Any] | None:
        for _ in range(3):
            try:
                return json.loads(await self.page.evaluate(OBSERVE_JS))
            except PlaywrightError as exc:
                if "context was destroyed" in str(exc) or "navigation" in str(exc).lower():
                    with contextlib.suppress(PlaywrightError):
                        await self.page.wait_for_load_state("load", timeout=5000)
                    continue
                raise
        return None

    def locate(self, loc: Locator):
        p = self.page
        if loc.by == "role":
            kw: dict[str, Any] = {"exact": loc.exact} if loc.name is not None else {}
            return p.get_by_role(loc.value, name=loc.name, **kw) if loc.name is not None else p.get_by_role(loc.value)
        if loc.by == "css":
            return p.locator(loc.value)
        fn = {"label": p.get_by_label, "text": p.get_by_text, "placeholder": p.get_by_placeholder,
              "alt": p.get_by_alt_text, "title": p.get_by_title}.get(loc.by)
        if fn is not None:
            return fn(loc.value, exact=loc.exact)
        return p.get_by_test_id(loc.value)

    async def one(self, step: Step):
        """The one element the step's locator finds, shown (waited for up to the step's timeout)."""
        loc = self.locate(step.locator)
        deadline = time.monotonic() + step.timeout_s
        while True:
            n = await loc.count()
            if n == 1:
                return loc
            if n > 1:
                raise JourneyStop(f"{self.where(step)}: {step.locator.describe()} matches {n} elements; make it "
                                  "match one (a role with its name, a label, or a CSS selector)")
            if time.monotonic() >= deadline:
                raise JourneyStop(f"{self.where(step)}: no element matches {step.locator.describe()} within "
                                  f"{step.timeout_s:g} s; check the locator against the page")
            await asyncio.sleep(0.1)

    async def run_step(self, step: Step) -> None:
        """One step; JourneyStop when it cannot be done (the app did not do what the journey says)."""
        try:
            await asyncio.wait_for(self._step(step), step.timeout_s + 5)
        except JourneyStop:
            raise
        except (PlaywrightTimeoutError, asyncio.TimeoutError):
            raise JourneyStop(f"{self.where(step)}: did not finish within {step.timeout_s:g} s") from None
        except PlaywrightError as exc:
            first = mask(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                         self.journey.secrets)
            raise JourneyStop(f"{self.where(step)}: the browser could not do it ({first})") from None

    async def _step(self, step: Step) -> None:
        page, ms = self.page, step.timeout_s * 1000
        if step.kind in ACTION_STEPS:
            before = await self.observe() if step.kind != "goto" else None
            record = ActionRecord(step, before)
        if step.kind == "goto":
            url = urljoin(self.base or "", step.value)
            if not self.in_scope(url):
                raise JourneyStop(f"{self.where(step)}: {url} is outside the journey's scope (its start and "
                                  "--allow-host hosts); not visited")
            try:
                response = await page.goto(url, wait_until="load", timeout=ms)
            except PlaywrightTimeoutError:
                raise JourneyStop(f"{self.where(step)}: the page did not finish loading within "
                                  f"{step.timeout_s:g} s") from None
            except PlaywrightError as exc:
                from audit.gather import _net_error

                raise JourneyStop(f"{self.where(step)}: {_net_error(exc)}") from None
            if response is not None and response.status >= 400:
                raise JourneyStop(f"{self.where(step)}: the server answered {response.status}; check the URL")
        elif step.kind == "click":
            el = await self.one(step)
            record.target, record.expands = await self._describe(el)
            if step.options.get("commits"):
                self._commit(step, record)
            await el.click(timeout=ms)
        elif step.kind == "fill":
            el = await self.one(step)
            record.target, record.expands = await self._describe(el)
            await el.fill(step.value, timeout=ms)
            if step.secret and record.target:
                self.secret_fields.append(record.target)
            await self._entered(step, el)
        elif step.kind == "select":
            el = await self.one(step)
            record.target, record.expands = await self._describe(el)
            try:
                await el.select_option(label=step.value, timeout=ms)
            except PlaywrightError:
                await el.select_option(value=step.value, timeout=ms)
            await self._entered(step, el)
        elif step.kind == "check":
            el = await self.one(step)
            record.target, record.expands = await self._describe(el)
            await el.set_checked(bool(step.value), timeout=ms)
        elif step.kind == "upload":
            el = await self.one(step)
            record.target, record.expands = await self._describe(el)
            paths = [str((self.journey.folder / f).resolve()) for f in step.value]
            missing = [f for f, p in zip(step.value, paths, strict=True) if not __import__("os").path.isfile(p)]
            if missing:
                raise JourneyStop(f"{self.where(step)}: no file {missing[0]!r} beside the journey; check the path")
            await el.set_input_files(paths, timeout=ms)
        elif step.kind == "press":
            if step.locator is not None:
                el = await self.one(step)
                record.target, record.expands = await self._describe(el)
                if step.options.get("commits"):
                    self._commit(step, record)
                await el.press(step.value, timeout=ms)
            else:
                if step.options.get("commits"):
                    active = (before or {}).get("active")
                    record.target = active
                    self._commit(step, record)
                await page.keyboard.press(step.value)
        elif step.kind == "wait_for":
            await self._wait_for(step)
        elif step.kind == "expect":
            await self._expect(step)
        elif step.kind == "idle":
            await self._idle(step)
        if step.kind in ACTION_STEPS:
            await self._settle(step.kind == "goto")
            self.last_action = record
            self.actions.append(record)
            self._check_scope(step)

    def _check_scope(self, step: Step) -> None:
        url = self.page.url
        if url.startswith(("http://", "https://")) and not self.in_scope(url):
            raise JourneyStop(f"{self.where(step)}: the page went on to {url}, outside the journey's scope; "
                              "the journey stops here")

    async def _settle(self, loaded: bool) -> None:
        """After an action: a navigation it started has loaded, and what a script shows in answer is there."""
        await asyncio.sleep(SETTLE_MS / 1000)
        with contextlib.suppress(PlaywrightError):
            await self.page.wait_for_load_state("load", timeout=10_000)

    async def _describe(self, el) -> tuple[str | None, bool]:
        """A selector of the element acted on, and whether it opens and closes a part of the page (a
        disclosure: aria-expanded or aria-controls, a tab, a summary)."""
        try:
            sel, expands = await el.evaluate(SELECTOR_OF_JS)
            return sel, bool(expands)
        except (PlaywrightError, TypeError, ValueError):
            return None, False

    def _commit(self, step: Step, record: ActionRecord) -> None:
        """A committing action: was a review step before it (the control it uses appeared in answer to
        the user's last click or key, not on a page merely opened), with the data entered on that view
        in between allowed."""
        reviewed, via = False, None
        for prev in reversed(self.actions):
            if prev.step.kind in INPUT_STEPS:
                continue
            if prev.step.kind in ("click", "press") and prev.before is not None and record.target is not None \
                    and not prev.step.options.get("commits"):
                reviewed = record.target not in set(c[0] for c in prev.before.get("controls", [])) \
                    or prev.before.get("doc") != (record.before or {}).get("doc")
                via = prev.step.label()
            break
        self.commits.append({**_step_facts(step), "target": record.target,
                             "reviewed": reviewed, "review_step": via if reviewed else None,
                             "controls_before": [c[0] for c in (record.before or {}).get("controls", [])]})

    async def _entered(self, step: Step, el) -> None:
        """A field filled in: its purpose (label, name, type, autocomplete), never its value."""
        try:
            info = await el.evaluate("""f => ({type: f.localName === 'input' ? (f.type || 'text') : f.localName,
              name: f.getAttribute('name') || '', autocomplete: (f.getAttribute('autocomplete') || '').toLowerCase(),
              label: ((f.labels && f.labels.length ? Array.from(f.labels, l => l.innerText).join(' ') : '') ||
                      f.getAttribute('aria-label') || f.getAttribute('placeholder') || '')
                      .replace(/\\s+/g, ' ').trim().slice(0, 200)})""")
        except PlaywrightError:
            return
        doc = (await self.observe() or {}).get("doc")
        self.entered.append({**info, "step": step.index, "doc": doc, "sel": (await self._describe(el))[0]})

    async def _wait_for(self, step: Step) -> None:
        page, ms, opts = self.page, step.timeout_s * 1000, step.options
        try:
            if "url" in opts:
                pattern = opts["url"]
                await page.wait_for_url(lambda u: fnmatch.fnmatchcase(u, pattern) or u == pattern, timeout=ms)
            elif opts.get("network_idle"):
                await page.wait_for_load_state("networkidle", timeout=ms)
            elif "text" in opts:
                await page.get_by_text(opts["text"]).first.wait_for(state=opts["state"], timeout=ms)
            else:
                await self.locate(step.locator).first.wait_for(state=opts["state"], timeout=ms)
        except PlaywrightTimeoutError:
            raise JourneyStop(f"{self.where(step)}: waited {step.timeout_s:g} s, and it did not happen") from None

    async def _expect(self, step: Step) -> None:
        page, opts = self.page, step.options
        deadline = time.monotonic() + step.timeout_s
        while True:
            failed = None
            if "url" in opts and not (fnmatch.fnmatchcase(page.url, opts["url"]) or page.url == opts["url"]
                                      or fnmatch.fnmatchcase(page.url, "*" + opts["url"])):
                failed = f"the URL is {page.url}, not {opts['url']}"
            elif "title" in opts and opts["title"] not in (await page.title()):
                failed = f"the title is »{await page.title()}«, without »{opts['title']}«"
            elif "text" in opts and not await page.get_by_text(opts["text"]).first.is_visible():
                failed = f"no text »{opts['text']}« is shown"
            elif "visible" in opts and not await self.locate(opts["visible"]).first.is_visible():
                failed = f"{opts['visible'].describe()} is not shown"
            elif "hidden" in opts and await self.locate(opts["hidden"]).first.is_visible():
                failed = f"{opts['hidden'].describe()} is still shown"
            if failed is None:
                return
            if time.monotonic() >= deadline:
                raise JourneyStop(f"{self.where(step)}: expected, but {mask(failed, self.journey.secrets)}; the app "
                                  "did not do what the journey says")
            await asyncio.sleep(0.1)

    async def _idle(self, step: Step) -> None:
        """Let the page's clock run on (Playwright's clock, installed when the journey has idle steps)
        in chunks of IDLE_CHUNK_MS, noting a warning (a dialog, or a live region saying something) and
        a navigation (the session ended, or a timed redirect)."""
        page = self.page
        start = await self.observe()         # (marks the document, which IDLE_JS then reads)

        async def look() -> dict[str, Any] | None:
            try:
                return json.loads(await page.evaluate(IDLE_JS))
            except PlaywrightError:
                return None                  # navigating

        first = await look() or {}
        seen_dialogs = {d["sel"] for d in first.get("dialogs", [])}
        seen_live = set(first.get("live", []))
        events: list[dict[str, Any]] = []
        elapsed = 0
        while elapsed < step.value:
            chunk = min(IDLE_CHUNK_MS, step.value - elapsed)
            try:
                await page.clock.run_for(chunk)
            except PlaywrightError:
                pass              # the page navigated while its timers ran
            elapsed += chunk
            now = await look()
            if now is None or now.get("doc") != (start or {}).get("doc"):
                with contextlib.suppress(PlaywrightError):
                    await page.wait_for_load_state("load", timeout=5000)
                events.append({"at_ms": elapsed, "kind": "navigated", "url": page.url})
                break
            for d in now["dialogs"]:
                if d["sel"] not in seen_dialogs:
                    seen_dialogs.add(d["sel"])
                    events.append({"at_ms": elapsed, "kind": "warning", "text": d["text"][:200],
                                   "buttons": d["buttons"], "dialog": True})
            for text in now["live"]:
                if text not in seen_live:
                    seen_live.add(text)
                    events.append({"at_ms": elapsed, "kind": "warning", "text": text[:200], "buttons": [],
                                   "dialog": False})
        self.idle.append({**_step_facts(step), "ms": step.value,
                          "events": events, "start_url": (start or {}).get("url")})
        self._check_scope(step)

    async def state_artifact(self, step: Step, after: dict[str, Any]) -> dict[str, Any]:
        """The ``journey`` artifact of the state audited at ``step`` (``after``: OBSERVE_JS now, taken
        before anything else touched the page). The commits and idle records since the last state go
        with it and are cleared."""
        self.state_index += 1
        action = None
        if self.last_action is not None:
            a = self.last_action
            action = {**_step_facts(a.step),
                      "target": a.target, "commits": bool(a.step.options.get("commits")),
                      "expands": a.expands, **diff(a.before, after)}
            if a.target is not None and not action["navigated"]:
                try:
                    action["target_shown"] = await self.page.evaluate(
                        """s => { let e = null; try { e = document.querySelector(s); } catch (x) { return null; }
                        return !!(e && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'); }""",
                        a.target)
                except PlaywrightError:
                    action["target_shown"] = None
        art = {"name": self.journey.name, "file": self.journey.source, "state": step.value, "step": step.index,
               "line": step.line, "index": self.state_index, "url": after.get("url"),
               "active": after.get("active"), "active_text": after.get("activeText"),
               "active_dialog": after.get("activeDialog"), "action": action,
               "commits": self.commits, "idle": self.idle,
               "entered": [e for e in self.entered],
               "fields": after.get("fields", []), "doc": after.get("doc"),
               "controls": after.get("controls", [])[:300]}
        try:
            art["auth"] = await self.page.evaluate(PASTE_JS)
        except PlaywrightError:
            art["auth"] = []
        self.commits, self.idle = [], []
        return art

    async def try_dialog(self, art: dict[str, Any]) -> None:
        """A dialog the last action opened: Tab through it (does focus stay in a modal one), Escape
        (does it close, and focus go back to what opened it), else its close button; then open it again
        with the same action, so the journey goes on as written. The findings are the checks'."""
        action = art.get("action") or {}
        dialogs = action.get("dialogs") or []
        if not dialogs or self.last_action is None or self.last_action.step.kind not in ("click", "press"):
            return
        d = dialogs[0]
        page = self.page
        out: dict[str, Any] = {"sel": d["sel"], "modal": d["modal"], "name": d["name"],
                               "focus_inside_on_open": art.get("active_dialog") == d["sel"],
                               "opener": self.last_action.target}
        inside = f"""() => {{ const d = document.querySelector({json.dumps(d['sel'])});
            const a = document.activeElement;
            return !!(d && a && d.contains(a) && a !== d.ownerDocument.body); }}"""
        behind = f"""() => {{ const d = document.querySelector({json.dumps(d['sel'])});
            const a = document.activeElement;
            return !!(d && a && !d.contains(a) && a !== document.body && a !== document.documentElement); }}"""
        shown = f"""() => {{ const d = document.querySelector({json.dumps(d['sel'])});
            return !!(d && d.getClientRects().length && getComputedStyle(d).visibility !== 'hidden'
                      && (d.localName !== 'dialog' || d.open)); }}"""
        active_sel = ("() => { " + ELEMENT_JS +
                      " const a = document.activeElement; return a && a !== document.body ? sel(a) : null; }")
        try:
            n = await page.evaluate(f"""() => {{ const d = document.querySelector({json.dumps(d['sel'])});
                return d ? d.querySelectorAll(FOCUSABLE).length : 0; }}""".replace("FOCUSABLE", FOCUSABLE))
            if d["modal"]:
                left = False
                if not await page.evaluate(inside):
                    await page.evaluate(f"""() => {{ const d = document.querySelector({json.dumps(d['sel'])});
                        const f = d && d.querySelector(FOCUSABLE);
                        if (f) f.focus(); }}""".replace("FOCUSABLE", FOCUSABLE))
                # (past a native modal dialog's last control focus goes to the browser's own controls, not
                # to the page: only an element of the page behind counts as leaving)
                for _ in range(min(n, 30) + 2):
                    await page.keyboard.press("Tab")
                    if await page.evaluate(behind):
                        left = True
                        break
                out["tab_leaves"] = left
            await page.keyboard.press("Escape")
            await asyncio.sleep(0.25)
            out["escape_closes"] = not await page.evaluate(shown)
            closed_by = "escape" if out["escape_closes"] else None
            if not closed_by:
                names = d.get("buttons") or []
                import re

                close = next((b for b in names if re.search(r"^(luk|close|annull[eé]r|fortryd|nej\b|×|x$)", b.strip(),
                                                             re.I)), None)
                if close:
                    await self.page.locator(d["sel"]).get_by_role("button", name=close, exact=True).first.click(
                        timeout=3000)
                    await asyncio.sleep(0.25)
                    if not await page.evaluate(shown):
                        closed_by = "button"
            out["closed_by"] = closed_by
            if closed_by:
                now = await page.evaluate(active_sel)
                out["focus_after_close"] = now
                out["focus_returned"] = now is not None and now == self.last_action.target
                # open it again as the journey left it
                with contextlib.suppress(JourneyStop, PlaywrightError):
                    await self._reopen()
                out["reopened"] = bool(await page.evaluate(shown))
        except PlaywrightError as exc:
            out["error"] = str(exc).splitlines()[0][:200] if str(exc) else "the browser failed"
        art["dialog"] = out

    async def _reopen(self) -> None:
        a = self.last_action
        if a.step.locator is not None:
            el = await self.one(a.step)
            if a.step.kind == "click":
                await el.click(timeout=3000)
            else:
                await el.press(a.step.value, timeout=3000)
        elif a.target:
            await self.page.locator(a.target).first.press(a.step.value, timeout=3000)
        await asyncio.sleep(SETTLE_MS / 1000)


IDLE_CHUNK_MS = 5_000
FOCUSABLE = json.dumps('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')
