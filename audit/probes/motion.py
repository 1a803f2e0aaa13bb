"""Probes of sound and motion that start by themselves (WCAG 1.4.2 Audio control, 2.2.2 Pause, stop, hide).

``motion`` (quick and default: one evaluate, no waiting) records what plays or moves when klartjek
looks: the running animations and transitions longer than 5 s (document.getAnimations(): CSS and
script animations alike), <marquee> and <blink>, every <audio> and <video> (autoplay, muted, loop,
controls, duration), the controls near each that could pause, stop or silence it, and which of the
animations stop when the user asks to reduce motion (prefers-reduced-motion emulated).

Nothing here judges: checks/motion_checks.py does. It leaves the page as it found it (it reads, and
turns the emulation of prefers-reduced-motion on and off again).
"""
from __future__ import annotations

from audit.probes import ProbeContext, probe
from audit.probes.hover import DOM_JS

MOVING_MS = 5000            # 2.2.2: what moves for longer than this needs a way to pause it
MAX_ITEMS = 20              # items of each kind recorded

# Names of the controls that pause, stop or hide moving content (Danish and English), of those that
# stop all animation on the page, and of those that stop or silence sound.
CONTROLS_JS = r"""
const kWord = words => new RegExp('(?<!\\p{L})(' + words + ')(?!\\p{L})', 'iu');
const PAUSE = kWord('pause|pauser|pausér|pausere|stop|stoppe|stands|standse|sluk|afbryd|skjul|hide');
const EVERY = kWord('animation|animationer|animationerne|animations|bevægelse|bevægelser|bevægelige|motion|autoplay');
const SOUND = kWord('pause|pauser|pausér|stop|stoppe|stands|sluk|lyd|lyden|lydløs|lydstyrke|mute|unmute|sound|' +
                    'volume|audio');
let kPauses = null;
const kPauseNear = (el, re = PAUSE) => {
  if (!kPauses) {
    const all = kControls(PAUSE);
    const every = kControls(EVERY).filter(c => PAUSE.test(kName(c)) || c.hasAttribute('aria-pressed') ||
      c.getAttribute('role') === 'switch' || c.type === 'checkbox');
    kPauses = {all, every};
  }
  const c = re === PAUSE ? (kNear(el, kPauses.all) || kPauses.every[0]) : kNear(el, kControls(re));
  return c ? {selector: kSel(c), name: kName(c)} : null;
};
"""

MOTION_JS = """
() => {
""" + DOM_JS + CONTROLS_JS + """
  const LONG = %(moving)d, MAX = %(max)d;
  const cls = el => (el.getAttribute('class') || '') + ' ' + (el.id || '');
  const loading = el => {
    for (let a = el, d = 0; a && d < 4; a = a.parentElement, d++)
      if (a.getAttribute('role') === 'progressbar' || a.getAttribute('aria-busy') === 'true' ||
          /spinner|loader|loading|indl(æ|ae)s|progress/i.test(cls(a))) return true;
    return false;
  };
  const size = el => {
    const r = el.getBoundingClientRect();
    let w = el.offsetWidth ?? r.width, h = el.offsetHeight ?? r.height, depth = 0;
    for (let a = el.parentElement; a && a !== document.body && depth < 40; a = a.parentElement, depth++) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible') w = Math.min(w, a.clientWidth);
      if (cs.overflowY !== 'visible') h = Math.min(h, a.clientHeight);
    }
    return {w: Math.round(w), h: Math.round(h)};
  };
  const out = {count: 0, animations: [], marquees: [], blinks: [], media: []};
  // what keeps moving: running animations (and transitions) whose active time is over 5 s
  const all = document.getAnimations();
  out.count = all.length;
  const byEl = new Map();
  for (const a of all.slice(0, 1000)) {
    const eff = a.effect, el = eff && eff.target;
    if (a.playState !== 'running' || !(el instanceof Element)) continue;
    const t = eff.getComputedTiming();
    if (!(t.activeDuration > LONG)) continue;
    let props = [];
    if (a.transitionProperty) props = [a.transitionProperty];
    else try {
      props = [...new Set(eff.getKeyframes().flatMap(k => Object.keys(k)))]
        .filter(p => !['offset', 'easing', 'composite', 'computedOffset'].includes(p));
    } catch (e) {}
    const name = a.animationName || a.transitionProperty || a.id || '';
    const kind = a.animationName !== undefined ? 'css-animation'
      : a.transitionProperty !== undefined ? 'css-transition' : 'script';
    const seen = byEl.get(el);
    if (seen) {
      if (!seen.names.includes(name)) seen.names.push(name);
      seen.props = [...new Set(seen.props.concat(props))];
      if (!Number.isFinite(t.activeDuration)) seen.active_ms = null;
      continue;
    }
    byEl.set(el, {el, names: [name], kind, props, pseudo: eff.pseudoElement || null,
                  active_ms: Number.isFinite(t.activeDuration) ? Math.round(t.activeDuration) : null});
  }
  // an element moving inside another that moves is part of it
  const moving = Array.from(byEl.values());
  for (const m of moving) {
    if (moving.some(o => o !== m && o.el.contains(m.el))) continue;
    // judged by its layout box (its size and its parent on show), not by where the motion has taken
    // it now: a ticker moved half out of its frame, or a text that blinks, is in the off phase, moves still
    const blinks = m.props.some(p => p === 'opacity' || p === 'visibility');
    const b = size(m.el);
    const shown = m.el.checkVisibility() && (blinks || m.el.checkVisibility({visibilityProperty: true})) &&
      (!m.el.parentElement || m.el.parentElement === document.body || kShown(m.el.parentElement)) &&
      b.w >= 2 && b.h >= 2;
    out.animations.push({selector: kSel(m.el), html: kTag(m.el), names: m.names, kind: m.kind, properties: m.props,
      pseudo: m.pseudo, active_ms: m.active_ms, shown, width: b.w, height: b.h, loading: loading(m.el),
      pause: shown ? kPauseNear(m.el) : null, parts: moving.filter(o => o !== m && m.el.contains(o.el)).length});
    if (out.animations.length >= MAX) break;
  }
  for (const el of Array.from(document.querySelectorAll('marquee')).slice(0, MAX)) {
    const b = kBox(el), shown = kShown(el);
    out.marquees.push({selector: kSel(el), html: kTag(el), shown, width: b.w, height: b.h,
                       loop: el.loop, pause: shown ? kPauseNear(el) : null});
  }
  for (const el of Array.from(document.querySelectorAll('blink')).slice(0, MAX)) {
    const b = kBox(el);
    out.blinks.push({selector: kSel(el), html: kTag(el), shown: kShown(el), width: b.w, height: b.h});
  }
  for (const m of Array.from(document.querySelectorAll('audio, video')).slice(0, MAX)) {
    const d = m.duration, b = kBox(m), shown = kShown(m);
    // a media fragment (#t=10,20) plays only its part
    let part = null;
    const frag = /#t=([\\d.]+)?(?:,([\\d.]+))?/.exec(m.currentSrc || '');
    if (frag && Number.isFinite(d)) part = Math.max(0, (frag[2] ? +frag[2] : d) - (frag[1] ? +frag[1] : 0));
    out.media.push({selector: kSel(m), html: kTag(m), tag: m.localName, autoplay: m.autoplay,
      playing: !m.paused && !m.ended, muted: m.muted || m.hasAttribute('muted') || m.volume === 0, loop: m.loop,
      controls: m.controls, duration: part !== null ? part : Number.isFinite(d) ? d : null, stream: d === Infinity,
      ready: m.readyState, failed: !!m.error || m.networkState === 3, shown, width: b.w, height: b.h,
      pause: kPauseNear(m), sound: kPauseNear(m, SOUND)});
  }
  return out;
}
""" % {"moving": MOVING_MS, "max": MAX_ITEMS}


@probe("motion", profiles=("quick", "default"), timeout_s=5.0)
async def motion(page, ctx: ProbeContext) -> dict:
    out = await page.evaluate(MOTION_JS)
    if out["animations"]:
        # which of them stop when the user asks the system to reduce motion (prefers-reduced-motion)
        await page.emulate_media(reduced_motion="reduce")
        try:
            still = set(await page.evaluate(STILL_MOVING_JS, [a["selector"] for a in out["animations"]]))
        finally:
            await page.emulate_media(reduced_motion="null")
        for a in out["animations"]:
            a["stops_when_reduced"] = a["selector"] not in still
    return out


# The selectors (of those given) whose elements still run an animation longer than 5 s.
STILL_MOVING_JS = "(sels) => {\n" + DOM_JS + """
  return sels.filter(sel => {
    const el = kFind(sel);
    return !!el && el.getAnimations().some(a => a.playState === 'running' &&
      a.effect.getComputedTiming().activeDuration > %(moving)d);
  });
}
""" % {"moving": MOVING_MS}
