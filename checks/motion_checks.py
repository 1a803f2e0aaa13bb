"""Sound and motion that start by themselves (codes KW050–KW059): WCAG 1.4.2 Audio control and
2.2.2 Pause, stop, hide. Pure functions of the ``motion`` artifact (audit/probes/motion.py: the
running animations longer than 5 s, <marquee>, <blink>, <audio> and <video>, the controls near
each) and of ``motion_watch`` (slideshows and tickers a repeating timer advances, animated images).

What counts as a way to pause: the element's own controls (``controls`` on <audio> and <video>),
or a button, link, switch or check box named pause/stop/stands/sluk … in the same part of the page
(inside the moving element or one of its nearest ancestors up to the main landmark, or right beside
it), or one for the whole page named after animation or motion (»Stop animationer«). Pausing when
the pointer rests on a slideshow is no such way (keyboard and touch users have none), and nor is
honouring the user's prefers-reduced-motion setting — a finding says when the page does that.
"""
from __future__ import annotations

from typing import Any

from checks.common import finding, probe_failed
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact, Outcome

motion_check = family("motion", category=Category.WCAG)

SOUND_S = 3.0         # 1.4.2: sound playing longer than this by itself needs a way to stop it
MOVING_S = 5.0        # 2.2.2: motion lasting longer than this needs a way to pause it
TINY_PX = 10          # moving content smaller than this on a side is left alone
REGION_PX = 40        # a region a timer changes: smaller than this on a side is left alone (a clock) …
REGION_AREA = 10_000  # … and so is one of less area (a line of text counting down)


def _texts(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def _seconds(s: float) -> str:
    return f"{s:.0f}" if s >= 10 or float(s).is_integer() else f"{s:.1f}"


def _da(number: str) -> str:
    """A number written the Danish way (decimal comma)."""
    return number.replace(".", ",")


# What a message adds when the motion stops for users who ask their system to reduce motion
# (prefers-reduced-motion): good, but not a way to pause it for everyone else, so it still fails.
REDUCED = _texts(" Bevægelsen stopper, når brugeren har slået »reducer bevægelse« til i sit system, men det er ikke "
                 "nok: brugere, der ikke har slået den til, skal også kunne stoppe den.",
                 " The motion stops when the user has turned on \u201creduce motion\u201d in their system, but "
                 "that is not enough: users who have not turned it on must be able to stop it too.")


def _join(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    return {k: a[k] + b[k] for k in a}


# -- 1.4.2 Audio control ---------------------------------------------------------------------------

@motion_check(
    code="KW050", name="audio-control", impact=Impact.SERIOUS, wcag=("1.4.2",), level="A", requires=("motion",),
    title=_texts("Lyd, der starter af sig selv, skal kunne stoppes",
                 "Sound that starts by itself must be possible to stop"),
    description=_texts(
        "Lyd, der spiller af sig selv i mere end 3 sekunder, skal kunne sættes på pause eller stoppes, eller "
        "have sin egen lydstyrke. Ellers kan den, der bruger en skærmlæser, ikke høre sin skærmlæser.",
        "Sound that plays by itself for more than 3 seconds must be possible to pause or stop, or have its own "
        "volume control. Otherwise a screen reader user cannot hear the screen reader."))
def audio_control(artifacts: Artifacts, ctx: CheckContext):
    motion = artifacts["motion"]
    if (failed := probe_failed(motion)) is not None:
        return failed
    playing = [m for m in motion.get("media") or [] if m.get("autoplay") or m.get("playing")]
    if not playing:
        return INAPPLICABLE
    out: list[Finding] = []
    for m in playing:
        if m.get("muted") or m.get("controls") or m.get("sound"):
            continue
        if m.get("failed"):
            continue                     # its source does not load: nothing plays
        duration = m.get("duration")
        if m.get("loop") or m.get("stream"):
            long, how = True, _texts("igen og igen", "over and over")
        elif duration is not None:
            if duration <= SOUND_S:
                continue
            long, how = True, _texts(f"i {_da(_seconds(duration))} sekunder", f"for {_seconds(duration)} seconds")
        else:
            long, how = False, _texts("", "")
        video = m.get("tag") == "video"
        if long and not video:
            message = _texts(f"Lyden starter af sig selv og spiller {how['da']}, og der er ingen knap til at stoppe "
                             "den eller skrue ned for den.",
                             f"The sound starts by itself and plays {how['en']}, and there is no button to stop it "
                             "or turn it down.")
        elif long:
            message = _texts(f"Videoen starter af sig selv uden at være slået lydløs og spiller {how['da']}, og der er "
                             "ingen knap til at stoppe den eller skrue ned. Hvis den har lyd, kan den, der bruger en "
                             "skærmlæser, ikke høre sin skærmlæser.",
                             f"The video starts by itself without being muted and plays {how['en']}, and there is no "
                             "button to stop it or turn it down. If it has sound, a screen reader user cannot hear "
                             "the screen reader.")
        else:
            message = _texts("Lyden starter af sig selv, og der er ingen knap til at stoppe den eller skrue ned for "
                             "den. klartjek kunne ikke se, hvor længe den spiller: tjek, om den varer mere end 3 "
                             "sekunder.",
                             "The sound starts by itself, and there is no button to stop it or turn it down. "
                             "klartjek could not see how long it plays: check whether it lasts more than 3 seconds.")
        out.append(finding(m["selector"], m.get("html") or "", message, _texts(
            "Lad være med at starte lyd af sig selv. Ellers: giv afspilleren kontroller (attributten controls) "
            "eller en synlig knap, der stopper lyden, eller slå lyden fra fra start (muted).",
            "Do not start sound by itself. Otherwise: give the player controls (the controls attribute) or a visible "
            "button that stops the sound, or start it muted."),
            outcome=Outcome.FAILED if long and not video else Outcome.CANT_TELL))
    return out


# -- 2.2.2 Pause, stop, hide -----------------------------------------------------------------------

PAUSE_FIX = _texts("Giv en synlig knap tæt ved, der sætter bevægelsen på pause eller stopper den (fx »Sæt på pause«), "
                   "eller lad den stoppe af sig selv inden 5 sekunder.",
                   "Give a visible button near it that pauses or stops the motion (e.g. \u201cPause\u201d), or let "
                   "it stop by itself within 5 seconds.")


def _lasting(item: dict[str, Any]) -> dict[str, str]:
    ms = item.get("active_ms")
    if ms is None:
        return _texts("hele tiden", "all the time")
    return _texts(f"i {_da(_seconds(ms / 1000))} sekunder", f"for {_seconds(ms / 1000)} seconds")


def _seen(item: dict[str, Any]) -> bool:
    return bool(item.get("shown")) and item.get("width", 0) >= TINY_PX and item.get("height", 0) >= TINY_PX


@motion_check(
    code="KW051", name="pause-stop-hide", impact=Impact.SERIOUS, wcag=("2.2.2",), level="A", requires=("motion",),
    title=_texts("Bevægelse, der varer mere end 5 sekunder, skal kunne stoppes",
                 "Motion lasting more than 5 seconds must be possible to stop"),
    description=_texts(
        "Animationer, rullende tekst (<marquee>) og video, der starter af sig selv og bevæger sig i mere end 5 "
        "sekunder ved siden af andet indhold, skal kunne sættes på pause, stoppes eller skjules. Bevægelse gør "
        "det svært at læse og koncentrere sig.",
        "Animations, scrolling text (<marquee>) and video that start by themselves and move for more than 5 "
        "seconds beside other content must be possible to pause, stop or hide. Motion makes it hard to read and "
        "to concentrate."))
def pause_stop_hide(artifacts: Artifacts, ctx: CheckContext):
    motion = artifacts["motion"]
    if (failed := probe_failed(motion)) is not None:
        return failed
    videos = [m for m in motion.get("media") or []
              if m.get("tag") == "video" and (m.get("autoplay") or m.get("playing"))]
    animations, marquees, blinks = (motion.get(k) or [] for k in ("animations", "marquees", "blinks"))
    if not (animations or marquees or blinks or videos):
        return INAPPLICABLE
    out: list[Finding] = []
    for a in animations:
        if not _seen(a) or a.get("pause") or a.get("loading"):
            continue                     # a loading indicator: it shows that the user waits
        names = ", ".join(n for n in a.get("names") or [] if n)
        called = (_texts(f" (»{names}«)", f" (\u201c{names}\u201d)") if names else _texts("", ""))
        how = _lasting(a)
        note = REDUCED if a.get("stops_when_reduced") else _texts("", "")
        out.append(finding(a["selector"], a.get("html") or "", _join(_texts(
            f"Elementet bevæger sig {how['da']} af sig selv{called['da']}, og der er ingen knap til at sætte "
            "bevægelsen på pause eller stoppe den.",
            f"The element moves by itself {how['en']}{called['en']}, and there is no button to pause or stop the "
            "motion."), note), PAUSE_FIX))
    for m in marquees:
        if not _seen(m) or m.get("pause"):
            continue
        out.append(finding(m["selector"], m.get("html") or "", _texts(
            "Teksten i <marquee> ruller af sig selv hele tiden, og der er ingen knap til at stoppe den.",
            "The text in <marquee> scrolls by itself all the time, and there is no button to stop it."),
            _texts("Brug almindelig tekst i stedet for <marquee>.", "Use plain text instead of <marquee>.")))
    for b in blinks:
        if not b.get("shown"):
            continue
        out.append(finding(b["selector"], b.get("html") or "", _texts(
            "Elementet <blink> blinker ikke i nutidens browsere, men blinkede i de gamle, og WCAG regner det som en "
            "fejl (F47). Tjek, at teksten ikke blinker på anden måde.",
            "The <blink> element does not blink in today's browsers but did in the old ones, and WCAG counts it as "
            "a failure (F47). Check that the text does not blink in another way."),
            _texts("Brug et almindeligt element i stedet for <blink>.", "Use an ordinary element instead of <blink>."),
            impact=Impact.MINOR, outcome=Outcome.CANT_TELL))
    for v in videos:
        if not _seen(v) or v.get("controls") or v.get("pause"):
            continue
        duration = v.get("duration")
        if v.get("loop") or v.get("stream"):
            how = _texts("igen og igen", "over and over")
        elif v.get("failed"):
            continue                     # its source does not load: nothing moves
        elif duration is not None:
            if duration <= MOVING_S:
                continue
            how = _texts(f"i {_da(_seconds(duration))} sekunder", f"for {_seconds(duration)} seconds")
        else:
            out.append(finding(v["selector"], v.get("html") or "", _texts(
                "Videoen starter af sig selv og har ingen knap til at stoppe den. klartjek kunne ikke se, hvor længe "
                "den spiller: tjek, om den varer mere end 5 sekunder.",
                "The video starts by itself and has no button to stop it. klartjek could not see how long it plays: "
                "check whether it lasts more than 5 seconds."), PAUSE_FIX, outcome=Outcome.CANT_TELL))
            continue
        out.append(finding(v["selector"], v.get("html") or "", _texts(
            f"Videoen starter af sig selv og spiller {how['da']}, og der er ingen knap til at sætte den på pause "
            "eller stoppe den.",
            f"The video starts by itself and plays {how['en']}, and there is no button to pause or stop it."),
            _texts("Giv videoen kontroller (attributten controls) eller en synlig knap, der sætter den på pause, eller "
                   "lad den ikke starte af sig selv.",
                   "Give the video controls (the controls attribute) or a visible button that pauses it, or do not "
                   "start it by itself.")))
    return out


@motion_check(
    code="KW052", name="auto-advancing-content", impact=Impact.SERIOUS, wcag=("2.2.2",), level="A",
    requires=("motion_watch",),
    title=_texts("Karruseller og nyhedsbånd, der skifter af sig selv, skal kunne stoppes",
                 "Carousels and tickers that move on by themselves must be possible to stop"),
    description=_texts(
        "Indhold, der skifter af sig selv med jævne mellemrum (en karrusel med billeder, et nyhedsbånd), skal "
        "kunne sættes på pause eller stoppes. Ellers når brugeren ikke at læse det, og skiftene forstyrrer.",
        "Content that changes by itself at intervals (a carousel of pictures, a news ticker) must be possible to "
        "pause or stop. Otherwise users cannot finish reading it, and the changes distract."))
def auto_advancing_content(artifacts: Artifacts, ctx: CheckContext):
    watch = artifacts["motion_watch"]
    if (failed := probe_failed(watch)) is not None:
        return failed
    moving = watch.get("moving") or []
    if not moving and not watch.get("slideshow_like"):
        return INAPPLICABLE
    out: list[Finding] = []
    for m in moving:
        w, h = m.get("width", 0), m.get("height", 0)
        if not m.get("shown") or w < REGION_PX or h < REGION_PX or w * h < REGION_AREA or m.get("pause"):
            continue
        every = _seconds(m["delay_ms"] / 1000)
        out.append(finding(m["selector"], m.get("html") or "", _texts(
            f"Indholdet skifter af sig selv med {every.replace('.', ',')} sekunders mellemrum, og der er ingen knap "
            "til at sætte det på pause eller stoppe det.",
            f"The content changes by itself every {every} seconds, and there is no button to pause or stop it."),
            _texts("Giv en synlig knap ved indholdet, der stopper de automatiske skift (fx »Sæt på pause«), eller lad "
                   "brugeren skifte selv.",
                   "Give a visible button by the content that stops the automatic changes (e.g. \u201cPause\u201d), "
                   "or let the user change it.")))
    return out


@motion_check(
    code="KW053", name="animated-image", impact=Impact.MODERATE, wcag=("2.2.2",), level="A",
    requires=("motion_watch",),
    title=_texts("Animerede billeder, der bevæger sig i mere end 5 sekunder, skal kunne stoppes",
                 "Animated images moving for more than 5 seconds must be possible to stop"),
    description=_texts(
        "Et animeret billede (GIF, WebP eller PNG), der bliver ved med at bevæge sig i mere end 5 sekunder, "
        "skal kunne stoppes. Billedet selv kan ikke stoppes, så det skal stoppe af sig selv eller have en knap ved "
        "siden af.",
        "An animated image (GIF, WebP or PNG) that keeps moving for more than 5 seconds must be possible to stop. "
        "The image itself cannot be stopped, so it must stop by itself or have a button beside it."))
def animated_image(artifacts: Artifacts, ctx: CheckContext):
    watch = artifacts["motion_watch"]
    if (failed := probe_failed(watch)) is not None:
        return failed
    images = (watch.get("images") or {}).get("animated") or []
    if not images:
        return INAPPLICABLE
    out: list[Finding] = []
    for img in images:
        if img.get("pause") or min(img.get("width", 0), img.get("height", 0)) < TINY_PX:
            continue
        plays, one = img.get("plays"), (img.get("pass_ms") or 0) / 1000
        if plays == 0:
            how = _texts("igen og igen uden at stoppe", "over and over without stopping")
        elif one * plays > MOVING_S:
            how = _texts(f"i {_da(_seconds(one * plays))} sekunder", f"for {_seconds(one * plays)} seconds")
        else:
            continue
        fmt = (img.get("format") or "").upper()
        out.append(finding(img["selector"], img.get("html") or "", _texts(
            f"Billedet er en animation ({fmt}, {img.get('frames')} billeder), der spiller {how['da']}, og der er "
            "ingen knap til at stoppe den.",
            f"The image is an animation ({fmt}, {img.get('frames')} frames) that plays {how['en']}, and there is no "
            "button to stop it."), _texts(
            "Brug et stillbillede, lad animationen stoppe inden 5 sekunder (et begrænset antal gentagelser), eller "
            "vis den som video med kontroller.",
            "Use a still image, let the animation stop within 5 seconds (a limited number of loops), or show it as "
            "a video with controls.")))
    return out
