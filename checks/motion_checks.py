"""Sound and motion that start by themselves (codes KW050–KW059): WCAG 1.4.2 Audio control and
2.2.2 Pause, stop, hide. Pure functions of the ``motion`` artifact (audit/probes/motion.py: the
running animations longer than 5 s, <marquee>, <blink>, <audio> and <video>, the controls near
each).

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


def _reduced(motion: dict[str, Any]) -> dict[str, str]:
    """The sentence a message ends with when the page honours prefers-reduced-motion."""
    if not motion.get("reduced_motion"):
        return _texts("", "")
    return _texts(" Siden tager hensyn til indstillingen »reducer bevægelse«, men det er ikke nok: brugere, der ikke "
                  "har slået den til, skal også kunne stoppe bevægelsen.",
                  " The page honours the \u201creduce motion\u201d setting, but that is not enough: users who have "
                  "not turned it on must be able to stop the motion too.")


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
            long, how = True, _texts(f"i {_seconds(duration)} sekunder", f"for {_seconds(duration)} seconds")
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
