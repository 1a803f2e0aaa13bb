"""Content that appears on hover or focus (codes KW040–KW049): WCAG 1.4.13 Content on hover or focus.

Pure functions of the ``hover`` artifact (audit/probes/hover.py): for each element klartjek hovered
with the mouse (or focused), what appeared, whether it covers other content, whether Escape hid it,
whether it stayed when the pointer moved onto it, and whether it stayed while the pointer rested.

What 1.4.13 lets be, and this check leaves alone: the browser's own title tooltips (not in the page:
never seen); content the user opened by a click (the probe never clicks); content that covers
nothing, or that reports an input error (it need not be dismissible); content shown on focus need
not be hoverable (there is no pointer on it).
"""
from __future__ import annotations

from typing import Any

from checks.common import finding, probe_failed
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact

hover_check = family("hover", category=Category.WCAG, requires=("hover",), wcag=("1.4.13",), level="AA",
                     wcag_version="2.1")


def _texts(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def _what(t: dict[str, Any]) -> dict[str, str]:
    """»The content "…" shown when …«."""
    text = (t.get("content_text") or "").strip()
    if len(text) > 60:
        text = text[:59] + "…"
    da = f"Indholdet »{text}«" if text else "Indholdet"
    en = f"The content \u201c{text}\u201d" if text else "The content"
    if t.get("how") == "focus":
        return _texts(f"{da}, der vises, når elementet får fokus,", f"{en} shown when the element gets focus")
    return _texts(f"{da}, der vises, når musen holdes over elementet,",
                  f"{en} shown when the pointer rests on the element")


def _seconds(ms: float) -> tuple[str, str]:
    """A time in ms as »N sekunder« and "N seconds" (one decimal where it has one; 1 is singular)."""
    s = f"{ms / 1000:.1f}".removesuffix(".0")
    if s == "1":
        return "1 sekund", "1 second"
    return f"{s.replace('.', ',')} sekunder", f"{s} seconds"


def _fails(t: dict[str, Any]) -> list[tuple[dict[str, str], dict[str, str]]]:
    """The conditions of 1.4.13 the content fails: (what is wrong, how to fix it) for each."""
    out = []
    if t.get("dismissed") is False and t.get("covers") and not t.get("error"):
        out.append((_texts("det dækker andet indhold og forsvinder ikke, når man trykker Escape",
                           "it covers other content and does not go away when Escape is pressed"),
                    _texts("luk indholdet, når brugeren trykker Escape, uden at musen eller fokus skal flyttes",
                           "close the content when the user presses Escape, without moving the pointer or focus")))
    if t.get("how") == "hover" and t.get("hoverable") is False:
        out.append((_texts("det forsvinder, når musen flyttes fra elementet hen på indholdet",
                           "it disappears when the pointer moves from the element onto the content"),
                    _texts("lad indholdet blive vist, mens musen er over det (ingen afstand mellem elementet og "
                           "indholdet, eller en kort forsinkelse, før det skjules)",
                           "keep the content shown while the pointer is over it (no gap between the element and the "
                           "content, or a short delay before it hides)")))
    if t.get("persistent") is False:
        if t.get("timer_ms"):          # hidden by a timer set when it was shown: its delay
            da, en = _seconds(t["timer_ms"])
            when = _texts(f"efter {da}", f"after {en}")
        else:
            da, en = _seconds(t.get("waited_ms") or 0)
            when = _texts(f"inden for {da}", f"within {en}")
        out.append((_texts(f"det forsvinder af sig selv {when['da']}, selv om musen og fokus ikke er flyttet",
                           f"it disappears by itself {when['en']} although neither the pointer nor focus moved"),
                    _texts("fjern den timer, der skjuler indholdet: lad det blive, indtil brugeren flytter musen eller "
                           "fokus eller lukker det",
                           "remove the timer that hides the content: let it stay until the user moves the pointer or "
                           "focus, or closes it")))
    return out


def _sentences(parts: list[str]) -> str:
    return " ".join(p[0].upper() + p[1:] + "." for p in parts)


@hover_check(
    code="KW040", name="content-on-hover", impact=Impact.SERIOUS,
    screenshot="hover",
    title=_texts("Indhold, der vises ved hover eller fokus, skal kunne lukkes, nås med musen og blive vist",
                 "Content shown on hover or focus must be dismissible, hoverable and persistent"),
    description=_texts(
        "Et værktøjstip eller en menu, der vises, når musen holdes over et element eller elementet får fokus, skal "
        "kunne lukkes med Escape, hvis det dækker andet indhold, blive vist, når musen flyttes hen på det, og blive, "
        "indtil brugeren flytter musen eller fokus. Ellers kan den, der bruger forstørrelse, hverken læse det eller "
        "se det, der bliver dækket.",
        "A tooltip or menu shown when the pointer rests on an element or the element gets focus must close with "
        "Escape if it covers other content, stay shown when the pointer moves onto it, and stay until the user "
        "moves the pointer or focus. Otherwise someone using magnification can neither read it nor see what it "
        "covers."))
def content_on_hover(artifacts: Artifacts, ctx: CheckContext):
    hover = artifacts["hover"]
    if (failed := probe_failed(hover)) is not None:
        return failed
    tried = [t for t in hover.get("tried") or [] if t.get("appeared")]
    if not tried:
        return INAPPLICABLE
    out: list[Finding] = []
    for t in tried:
        fails = _fails(t)
        if not fails:
            continue
        what = _what(t)
        da = "; ".join(w["da"] for w, _ in fails)
        en = "; ".join(w["en"] for w, _ in fails)
        out.append(finding(t["trigger"], t.get("html") or "",
                           _texts(f"{what['da']} svigter: {da}.", f"{what['en']} fails: {en}."),
                           _texts(_sentences([f["da"] for _, f in fails]), _sentences([f["en"] for _, f in fails]))))
    return out
