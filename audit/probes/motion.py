"""Probes of sound and motion that start by themselves (WCAG 1.4.2 Audio control, 2.2.2 Pause, stop, hide).

``motion`` (quick and default: one evaluate, no waiting) records what plays or moves when klartjek
looks: the running animations and transitions longer than 5 s (document.getAnimations(): CSS and
script animations alike), <marquee> and <blink>, every <audio> and <video> (autoplay, muted, loop,
controls, duration), the controls near each that could pause, stop or silence it, and whether the
style sheets honour prefers-reduced-motion.

``motion_watch`` (default) records what moves on a timer and what moves inside images: slideshows
and tickers that advance by themselves, seen through the timer record the init script keeps
(audit/gather.py TIMERS_JS: a repeating timer whose callback changed a sizeable part of the page),
waiting for the next tick (at most MAX_WAIT_S) only when the page has something that looks like a
slideshow and a timer about to fire; and animated GIF, WebP and PNG images, read again from the
browser's cache and parsed for their frames, delays and loop count (images from other origins
without CORS cannot be read: skipped).

Nothing here judges: checks/motion_checks.py does. Both leave the page as they found it (they only
read; the image requests are answered by the cache).
"""
from __future__ import annotations

import asyncio

from audit.probes import ProbeContext, probe
from audit.probes.hover import DOM_JS

MOVING_MS = 5000            # 2.2.2: what moves for longer than this needs a way to pause it
MAX_WAIT_S = 4.0            # the longest motion_watch waits for a slideshow's next tick
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


@probe("motion", profiles=("quick", "default"), timeout_s=5.0, script=MOTION_JS)
async def motion(page, ctx: ProbeContext, out: dict) -> dict:
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


# Slideshows and tickers: what the repeating timers of 1–15 s changed (TIMERS_JS), as regions (the
# nearest element holding all a tick changed), and when the next timer of 1–10 s fires.
SLIDESHOW_LIKE = ", ".join(
    [f'[aria-roledescription*="{w}" i]' for w in ("carousel", "karrusel", "slide")]
    + ["[data-ride]", "[data-bs-ride]"]
    + [f'[class*="{w}" i]' for w in ("carousel", "karrusel", "slide", "swiper", "slick", "splide", "glide", "owl-",
                                     "rotator", "ticker", "flickity", "embla")]
    + [f'[id*="{w}" i]' for w in ("carousel", "karrusel", "slide", "ticker")])

WATCH_JS = """
() => {
""" + DOM_JS + CONTROLS_JS + """
  const T = typeof window.__klartjek_timers__ === 'function' ? window.__klartjek_timers__() : null;
  const out = {timers: !!T, slideshow_like: 0, due_ms: [], moving: []};
  out.slideshow_like = Array.from(document.querySelectorAll('%(like)s')).slice(0, 200).filter(el => kShown(el)).length;
  if (!T) return out;
  for (const r of T.pending) {
    if (r.delay < 1000 || r.delay > 10000) continue;
    const due = r.kind === 'interval' ? r.t0 + r.delay * (r.fired + 1) : r.t0 + r.delay;
    out.due_ms.push(Math.round(Math.max(0, due - T.now)));
  }
  out.due_ms = out.due_ms.sort((a, b) => a - b).slice(0, 20);
  const regions = [];
  for (const c of T.changed) {
    if (!c.again || c.delay < 1000 || c.delay > 15000) continue;
    const els = c.els.filter(e => e.isConnected);
    if (!els.length) continue;
    let top = els[0];
    for (const e of els.slice(1)) while (top && !top.contains(e)) top = top.parentElement;
    if (!top || top === document.body || top === document.documentElement) continue;
    const same = regions.find(r => r.el === top || r.el.contains(top) || top.contains(r.el));
    if (same) {
      if (top.contains(same.el)) same.el = top;
      same.ticks += 1;
    } else regions.push({el: top, delay: c.delay, kind: c.kind, ticks: 1});
  }
  for (const r of regions.slice(0, %(max)d)) {
    const b = kBox(r.el), shown = kShown(r.el);
    out.moving.push({selector: kSel(r.el), html: kTag(r.el), delay_ms: Math.round(r.delay), timer: r.kind,
                     ticks: r.ticks, shown, width: b.w, height: b.h, pause: shown ? kPauseNear(r.el) : null});
  }
  return out;
}
""" % {"like": SLIDESHOW_LIKE.replace("'", "\\'"), "max": MAX_ITEMS}

# Animated images: GIF, WebP and PNG (APNG) images on show, read again (from the cache) up to 4 MB
# and parsed for their frames, each frame's delay (browsers show a delay of 10 ms or less as 100 ms)
# and how many times they play (0: for ever).
IMAGES_JS = """
async () => {
""" + DOM_JS + CONTROLS_JS + """
  const FULL = 4 << 20, HEAD = 64 << 10;
  const u16 = (d, i) => d[i] | d[i + 1] << 8;
  const be32 = (d, i) => ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
  const ms = v => v <= 10 ? 100 : v;
  const gif = d => {
    let p = 13, frames = 0, pass = 0, plays = 1, delay = 0;
    if (d[10] & 0x80) p += 3 << ((d[10] & 7) + 1);
    const skip = () => { while (p < d.length && d[p]) p += d[p] + 1; p += 1; };
    while (p < d.length) {
      const b = d[p];
      if (b === 0x21) {
        const label = d[p + 1];
        if (label === 0xF9) delay = u16(d, p + 4) * 10;
        if (label === 0xFF && String.fromCharCode(...d.subarray(p + 3, p + 11)) === 'NETSCAPE' && d[p + 15] === 1) {
          const n = u16(d, p + 16);
          plays = n === 0 ? 0 : n + 1;
        }
        p += 2; skip();
      } else if (b === 0x2C) {
        frames += 1; pass += ms(delay); delay = 0;
        const packed = d[p + 9];
        p += 10;
        if (packed & 0x80) p += 3 << ((packed & 7) + 1);
        p += 1; skip();
      } else break;
    }
    return {format: 'gif', frames, plays, pass_ms: pass};
  };
  const webp = d => {
    let p = 12, frames = 0, pass = 0, plays = 1, animated = false;
    while (p + 8 <= d.length) {
      const id = String.fromCharCode(...d.subarray(p, p + 4)), size = u16(d, p + 4) + (u16(d, p + 6) << 16), c = p + 8;
      if (id === 'VP8X') animated = !!(d[c] & 2);
      else if (id === 'ANIM') plays = u16(d, c + 4);
      else if (id === 'ANMF') { frames += 1; pass += ms(d[c + 12] | d[c + 13] << 8 | d[c + 14] << 16); }
      else if (!animated && (id === 'VP8 ' || id === 'VP8L')) break;
      p = c + size + (size & 1);
    }
    return {format: 'webp', frames: animated ? frames : 1, plays, pass_ms: pass, animated};
  };
  const png = d => {
    let p = 8, frames = 0, pass = 0, plays = 1, animated = false;
    while (p + 8 <= d.length) {
      const len = be32(d, p), id = String.fromCharCode(...d.subarray(p + 4, p + 8)), c = p + 8;
      if (id === 'acTL') { animated = true; plays = be32(d, c + 4); }
      else if (id === 'fcTL') {
        frames += 1;
        pass += ms(Math.round(1000 * ((d[c + 20] << 8) | d[c + 21]) / (((d[c + 22] << 8) | d[c + 23]) || 100)));
      }
      else if (id === 'IDAT' && !animated) break;
      else if (id === 'IEND') break;
      p = c + len + 4;
    }
    return {format: 'png', frames: animated ? frames : 1, plays, pass_ms: pass, animated};
  };
  const read = async (src, LIMIT) => {
    const r = await fetch(src, {signal: AbortSignal.timeout(2500), cache: 'force-cache'});
    if (!r.ok || !r.body) return null;
    const reader = r.body.getReader(), chunks = [];
    let n = 0;
    while (n < LIMIT) {
      const {done, value} = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
    reader.cancel().catch(() => {});
    const d = new Uint8Array(Math.min(n, LIMIT));
    let o = 0;
    for (const c of chunks) { const k = Math.min(c.length, d.length - o); d.set(c.subarray(0, k), o); o += k; }
    return {d, cut: n >= LIMIT};
  };
  const pick = Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0 &&
      /^data:image\\/(gif|webp|png|apng)|\\.(gif|webp|png|apng)([?#]|$)/i.test(i.currentSrc)).slice(0, 50)
    .filter(i => { const b = kBox(i); return b.w >= 16 && b.h >= 16 && kShown(i); }).slice(0, 10);
  const out = {inspected: pick.length, unreadable: 0, animated: []};
  await Promise.all(pick.map(async img => {
    try {
      // the first 64 kB tell whether a PNG or WebP is animated (acTL before the image data, the VP8X
      // flag); only an animation, or a GIF, is read on (up to 4 MB) for its frames
      let got = await read(img.currentSrc, HEAD);
      if (!got) { out.unreadable += 1; return; }
      const kind = d => {
        const sig = String.fromCharCode(...d.subarray(0, 4));
        return sig === 'GIF8' ? gif : sig === 'RIFF' ? webp : d[0] === 0x89 && sig.slice(1) === 'PNG' ? png : null;
      };
      const parse = kind(got.d);
      if (!parse) return;
      if (got.cut && (parse === gif || parse(got.d).animated)) {
        got = await read(img.currentSrc, FULL);
        if (!got) { out.unreadable += 1; return; }
      }
      const {animated, ...info} = parse(got.d);
      if (!info || info.frames < 2) return;
      const b = kBox(img);
      out.animated.push({selector: kSel(img), html: kTag(img), src: img.currentSrc.slice(0, 200), ...info, cut: got.cut,
                         width: b.w, height: b.h, pause: kPauseNear(img)});
    } catch (e) { out.unreadable += 1; }
  }));
  out.animated.sort((a, b) => a.selector < b.selector ? -1 : 1);
  return out;
}
"""


# The first look (the timers' record) and the animated images, read in one script.
WATCH_FIRST_JS = ("async () => {\n  const out = (" + WATCH_JS + ")();\n"
                  "  out.images = await (" + IMAGES_JS + ")();\n  return out;\n}")


@probe("motion_watch", profiles=("default",), timeout_s=10.0, script=WATCH_FIRST_JS)
async def motion_watch(page, ctx: ProbeContext, out: dict) -> dict:
    out["waited_ms"] = 0
    due = [d for d in out.pop("due_ms") if d <= MAX_WAIT_S * 1000]
    if out["slideshow_like"] and due and not any(m["shown"] for m in out["moving"]):
        # what may be a slideshow has not moved yet: wait until the timers about to fire have fired
        # (and a little for their callbacks), then look again
        out["waited_ms"] = max(due) + 250
        await asyncio.sleep(out["waited_ms"] / 1000)
        out["moving"] = (await page.evaluate(WATCH_JS))["moving"]
    return out
