"""Keyboard and focus (KW001–KW019): what the keyboard probes saw (audit/probes/keyboard.py).

``keyboard_static`` (quick): elements with mouse handlers and how the keyboard reaches them;
``keyboard`` (default): the focus order, what focusing each stop changes on screen, the indicator's
contrast, sticky or fixed content over the focused element, and the trap test's key presses.
"""
from __future__ import annotations

from checks.common import finding, probe_failed, ratio_text
from checks.registry import INAPPLICABLE, family
from core.model import Category, Impact, Outcome, TargetKind

kw_static = family("keyboard", category=Category.WCAG, requires=("keyboard_static",), target=TargetKind.CSS)
kw_check = family("keyboard", category=Category.WCAG, requires=("keyboard",), target=TargetKind.CSS)


def _near_miss(c: dict) -> bool:
    """A click handler that is not a control of its own: on a large container or the page (event
    delegation, a backdrop), inside a native control, around a control the click forwards to, or on an
    item of a composite widget (tabs, menu, toolbar) whose arrow keys move focus."""
    return bool(c.get("large") or c.get("inside_native") or c.get("interactive_inside") or c.get("composite"))


def _name(c: dict) -> str:
    return f"<{c.get('tag')}>" + (f" role=\"{c['role']}\"" if c.get("role") else "")


# -- 2.1.1 Keyboard -------------------------------------------------------------------------------

@kw_static(code="KW001", name="keyboard-operable", impact=Impact.SERIOUS, wcag=("2.1.1",), level="A",
           title={"da": "Elementer, der reagerer på klik, skal kunne nås med tastaturet",
                  "en": "Elements that react to clicks must be reachable with the keyboard"},
           description={
               "da": "Et element med en klik-handler (click, mousedown, pointerdown …), som ikke kan få fokus med "
                     "Tab, kan ikke bruges af dem, der bruger tastatur, skærmlæser eller kontakt. Brug en "
                     "»button« eller et link, eller giv elementet tabindex=\"0\", en rolle og en tastatur-handler.",
               "en": "An element with a click handler (click, mousedown, pointerdown …) that Tab cannot reach "
                     "cannot be used by people on a keyboard, a screen reader or a switch. Use a button or a "
                     "link, or give the element tabindex=\"0\", a role and a key handler."})
def click_not_focusable(artifacts, ctx):
    art = artifacts["keyboard_static"]
    if (err := probe_failed(art)) is not None:
        return err
    if not art.get("clickable"):
        return INAPPLICABLE
    cands = [c for c in art["clickable"] if not c.get("focusable")]
    out = []
    for c in cands:
        if _near_miss(c):
            continue
        minus = c.get("tabindex") is not None and str(c["tabindex"]).strip().startswith("-")
        why = ({"da": f"{_name(c)} reagerer på klik ({', '.join(c['events'])}), men tabindex=\"-1\" tager det ud "
                      "af tastaturets rækkefølge.",
                "en": f"{_name(c)} reacts to clicks ({', '.join(c['events'])}), but tabindex=\"-1\" takes it out "
                      "of the keyboard's order."} if minus else
               {"da": f"{_name(c)} reagerer på klik ({', '.join(c['events'])}), men kan ikke få fokus med Tab.",
                "en": f"{_name(c)} reacts to clicks ({', '.join(c['events'])}), but Tab cannot reach it."})
        out.append(finding(c["target"], c.get("html", ""), why, {
            "da": "Brug et <button>-element (eller et link, hvis det fører et sted hen). Skal det være et andet "
                  "element, så giv det tabindex=\"0\", en passende rolle og en handler for Enter og mellemrum.",
            "en": "Use a <button> element (or a link if it goes somewhere). If it must be another element, give "
                  "it tabindex=\"0\", a suitable role and a handler for Enter and Space."}))
    return out


@kw_static(code="KW006", name="click-without-key-handler", impact=Impact.SERIOUS, wcag=("2.1.1",), level="A",
           title={"da": "Egne knapper skal kunne aktiveres med Enter og mellemrum",
                  "en": "Custom buttons must work with Enter and Space"},
           description={
               "da": "Et element, der kan få fokus og reagerer på klik, men ikke er en rigtig knap eller et link, "
                     "bliver ikke aktiveret af Enter eller mellemrum, medmindre et script lytter efter tasterne. "
                     "Uden en tastatur-handler (keydown, keyup) på elementet eller dets beholder kan det kun "
                     "bruges med mus.",
               "en": "A focusable element that reacts to clicks but is not a real button or link is not activated "
                     "by Enter or Space unless a script listens for the keys. With no key handler (keydown, "
                     "keyup) on it or its container it works with a mouse only."})
def click_without_key_handler(artifacts, ctx):
    art = artifacts["keyboard_static"]
    if (err := probe_failed(art)) is not None:
        return err
    cands = [c for c in art.get("clickable") or [] if c.get("focusable")]
    if not cands:
        return INAPPLICABLE
    out = []
    for c in cands:
        if _near_miss(c) or c.get("key"):
            continue
        review = bool(c.get("global_key"))
        msg = {"da": f"{_name(c)} kan få fokus og reagerer på klik, men intet på elementet eller dets beholdere "
                     "lytter efter taster, så Enter og mellemrum gør ikke det, et klik gør.",
               "en": f"{_name(c)} takes focus and reacts to clicks, but nothing on it or its containers listens "
                     "for keys, so Enter and Space do not do what a click does."}
        if review:
            msg = {"da": msg["da"] + " Siden lytter efter taster et overordnet sted: afprøv Enter og mellemrum.",
                   "en": msg["en"] + " The page listens for keys at the top: try Enter and Space."}
        out.append(finding(c["target"], c.get("html", ""), msg, {
            "da": "Brug et <button>-element, så virker Enter og mellemrum af sig selv. Ellers: håndter keydown for "
                  "Enter og mellemrum på elementet, så de gør det samme som et klik.",
            "en": "Use a <button> element: Enter and Space then work by themselves. Otherwise handle keydown for "
                  "Enter and Space on the element so they do what a click does."},
            outcome=Outcome.CANT_TELL if review else Outcome.FAILED))
    return out


@kw_static(code="KW007", name="mouse-only-handler", impact=Impact.MODERATE, wcag=("2.1.1",), level="A",
           title={"da": "Dobbeltklik og hover skal have en tastaturvej",
                  "en": "Double-click and hover need a keyboard way"},
           description={
               "da": "Et dobbeltklik eller en »mouseover«, der gør noget, uden at et script lytter efter tastatur "
                     "eller fokus det samme sted, kan kun bruges med mus. klartjek kan ikke se, hvad handleren gør, "
                     "så fundet skal gennemgås: findes der en tastaturvej til det samme?",
               "en": "A double-click or a mouseover that does something, with no script listening for keys or "
                     "focus in the same place, works with a mouse only. klartjek cannot see what the handler does, "
                     "so the finding needs review: is there a keyboard way to the same thing?"})
def mouse_only_handler(artifacts, ctx):
    art = artifacts["keyboard_static"]
    if (err := probe_failed(art)) is not None:
        return err
    cands = art.get("mouse_only") or []
    if not cands:
        return INAPPLICABLE
    out = []
    for c in cands:
        events = c.get("events") or []
        if "dblclick" in events and not c.get("key") and not c.get("field"):
            out.append(finding(c["target"], c.get("html", ""), {
                "da": f"{_name(c)} reagerer på dobbeltklik, og intet på elementet eller dets beholdere lytter efter "
                      "taster.",
                "en": f"{_name(c)} reacts to a double-click, and nothing on it or its containers listens for keys."}, {
                "da": "Sørg for, at det, dobbeltklikket gør, også kan gøres med tastaturet (en knap, eller Enter på "
                      "elementet).",
                "en": "Make what the double-click does available from the keyboard too (a button, or Enter on the "
                      "element)."}, outcome=Outcome.CANT_TELL))
        elif (set(events) & {"mouseover", "mouseenter"} and not c.get("focus_handler") and not c.get("click")
              and c.get("hidden_controls")):
            out.append(finding(c["target"], c.get("html", ""), {
                "da": f"{_name(c)} har skjulte links eller knapper og en hover-handler, men intet lytter efter fokus, "
                      "taster eller klik: det, der vises ved hover, kan tastaturet måske ikke nå.",
                "en": f"{_name(c)} holds hidden links or buttons and has a hover handler, but nothing listens for "
                      "focus, keys or clicks: what hover shows may be out of the keyboard's reach."}, {
                "da": "Vis indholdet også, når elementet eller noget i det får fokus (focusin eller :focus-within), "
                      "eller med en knap, der folder det ud.",
                "en": "Show the content also when the element or something in it takes focus (focusin or "
                      ":focus-within), or with a button that expands it."}, outcome=Outcome.CANT_TELL))
    return out


@kw_static(code="KW008", name="control-out-of-tab-order", impact=Impact.SERIOUS, wcag=("2.1.1",), level="A",
           title={"da": "Synlige links og knapper skal kunne nås med Tab",
                  "en": "Visible links and controls must be reachable with Tab"},
           description={
               "da": "Et synligt link, en knap eller et formularfelt med tabindex=\"-1\" springes over, når man "
                     "bruger Tab. Undtaget er elementer i en sammensat widget (faner, menuer, værktøjslinjer), hvor "
                     "piletasterne flytter fokus, og links, hvis mål også nås af et andet link.",
               "en": "A visible link, button or form field with tabindex=\"-1\" is skipped by Tab. Exempt are "
                     "elements in a composite widget (tabs, menus, toolbars) where arrow keys move focus, and links "
                     "whose target another link reaches."})
def control_out_of_tab_order(artifacts, ctx):
    art = artifacts["keyboard_static"]
    if (err := probe_failed(art)) is not None:
        return err
    cands = art.get("unreached") or []
    if not cands:
        return INAPPLICABLE
    return [finding(c["target"], c.get("html", ""), {
                "da": f"<{c.get('tag')}> er synlig, men tabindex=\"{c.get('tabindex')}\" gør, at Tab springer "
                      "den over.",
                "en": f"<{c.get('tag')}> is visible, but tabindex=\"{c.get('tabindex')}\" makes Tab skip it."}, {
                "da": "Fjern tabindex=\"-1\", eller skjul elementet helt, hvis det ikke skal bruges.",
                "en": "Remove tabindex=\"-1\", or hide the element entirely if it is not meant to be used."})
            for c in cands if not c.get("composite") and not c.get("same_link_reachable")]


# -- 2.1.2 No keyboard trap -----------------------------------------------------------------------

@kw_check(code="KW002", name="no-keyboard-trap", impact=Impact.CRITICAL, wcag=("2.1.2",), level="A",
          title={"da": "Fokus må ikke blive fanget", "en": "Focus must not be trapped"},
          description={
              "da": "klartjek trykker Tab og Skift+Tab fra elementer, hvis scripts lytter efter taster eller "
                    "fokus. Kommer fokus tilbage til de samme elementer i begge retninger, og hjælper hverken Escape "
                    "eller en tastekombination, som siden selv nævner, er fokus fanget. En modal dialog, der holder "
                    "fokus inde, er i orden, når Escape eller en knap i dialogen lukker den.",
              "en": "klartjek presses Tab and Shift+Tab from elements whose scripts listen for keys or focus. When "
                    "focus comes back to the same elements in both directions, and neither Escape nor a key "
                    "combination the page itself names helps, focus is trapped. A modal dialog that keeps focus "
                    "inside is fine when Escape or a button in it closes it."})
def keyboard_trap(artifacts, ctx):
    art = artifacts["keyboard"]
    if (err := probe_failed(art)) is not None:
        return err
    if not art.get("stops"):
        return INAPPLICABLE
    out = []
    reported: set[str] = set()
    for t in art.get("traps") or []:
        if not t.get("trapped") or t.get("exit") or t["target"] in reported:
            continue
        reported.update(t.get("cycle") or [])      # one finding per trap: its other members are the same trap
        # the cycle's members depend on the page's timers, so the message names none of them
        advice = " ".join(t.get("advice") or [])
        msg = {"da": "Fra dette element bringer både Tab og Skift+Tab fokus tilbage hertil uden at komme videre på "
                     "siden, og Escape hjælper ikke.",
               "en": "From this element both Tab and Shift+Tab bring focus back here without getting on through "
                     "the page, and Escape does not help."}
        if advice:
            msg = {"da": msg["da"] + f" Siden nævner {advice}, men det hjælper heller ikke.",
                   "en": msg["en"] + f" The page names {advice}, but that does not help either."}
        out.append(finding(t["target"], t["target"], msg, {
            "da": "Lad Tab og Skift+Tab flytte fokus videre (flyt ikke fokus tilbage ved blur eller keydown). En "
                  "dialog, der skal holde på fokus, skal kunne lukkes med Escape.",
            "en": "Let Tab and Shift+Tab move focus on (do not move focus back on blur or keydown). A dialog that "
                  "must keep focus must close on Escape."}))
    return out


# -- 2.4.7 Focus visible --------------------------------------------------------------------------

@kw_check(code="KW003", name="focus-visible", impact=Impact.SERIOUS, wcag=("2.4.7",), level="AA",
          screenshot="focus",
          title={"da": "Det skal kunne ses, hvor fokus er", "en": "Keyboard focus must be visible"},
          description={
              "da": "klartjek giver hvert element i Tab-rækkefølgen fokus, som tastaturet gør, og sammenligner "
                    "udseendet før og efter: omrids, skygge, kant, baggrund, farve, understregning, form, "
                    "::before/::after, beholdere (:focus-within), søskende og det, scripts ændrer. Ændrer intet "
                    "sig (heller ikke i pixels), eller er elementet usynligt med fokus, kan brugeren ikke se, "
                    "hvor fokus er.",
              "en": "klartjek focuses every element in the Tab order as the keyboard does and compares how things "
                    "look before and after: outline, shadow, border, background, colour, underline, shape, "
                    "::before/::after, containers (:focus-within), siblings and what scripts change. When nothing "
                    "changes (not even a pixel), or the element is invisible when focused, the user cannot see "
                    "where focus is."})
def focus_not_visible(artifacts, ctx):
    art = artifacts["keyboard"]
    if (err := probe_failed(art)) is not None:
        return err
    if not art.get("stops"):
        return INAPPLICABLE
    out = []
    for e in art.get("focus") or []:
        if e.get("visible", True) is not False or e.get("pixels"):
            continue
        if e.get("shown") is False:
            msg = {"da": "Elementet kan få fokus med Tab, men er usynligt, mens det har fokus (uden for skærmen, "
                         "klippet væk eller gennemsigtigt).",
                   "en": "The element takes focus with Tab but is invisible while it has it (off-screen, clipped "
                         "or transparent)."}
            fix = {"da": "Vis elementet, når det har fokus (fx et »spring til indhold«-link), eller tag det ud af "
                         "Tab-rækkefølgen, hvis det ikke skal bruges.",
                   "en": "Show the element when it has focus (as a skip link does), or take it out of the Tab order "
                         "if it is not meant to be used."}
        else:
            msg = {"da": "Intet ændrer sig på skærmen, når elementet får fokus: der er ingen fokusmarkering.",
                   "en": "Nothing changes on screen when the element takes focus: there is no focus indicator."}
            fix = {"da": "Fjern »outline: none«, eller giv :focus-visible en tydelig markering (outline, box-shadow "
                         "eller kant).",
                   "en": "Remove »outline: none«, or give :focus-visible a clear indicator (outline, box-shadow or "
                         "border)."}
        out.append(finding(e["target"], e.get("html", ""), msg, fix))
    return out


# -- 2.4.11 Focus not obscured (minimum) ----------------------------------------------------------

@kw_check(code="KW004", name="focus-not-obscured", impact=Impact.SERIOUS, wcag=("2.4.11",), level="AA",
          wcag_version="2.2",
          screenshot="focus",
          title={"da": "Elementet med fokus må ikke være skjult af faste bjælker",
                 "en": "The focused element must not be hidden by sticky or fixed content"},
          description={
              "da": "Når et element får fokus og er rullet frem som ved Tab, må det ikke være helt dækket af "
                    "indhold, der ligger fast (sticky eller fixed): sidehoveder, cookie-bjælker, chat-knapper. "
                    "Delvist dækket er tilladt på niveau AA.",
              "en": "When an element takes focus and is scrolled into view as Tab does, it must not be entirely "
                    "covered by content that stays in place (sticky or fixed): headers, cookie banners, chat "
                    "buttons. Partly covered is allowed at level AA."})
def focus_obscured(artifacts, ctx):
    art = artifacts["keyboard"]
    if (err := probe_failed(art)) is not None:
        return err
    if not art.get("stops"):
        return INAPPLICABLE
    out = []
    for e in art.get("focus") or []:
        ob = e.get("obscured") or {}
        if not ob.get("points") or ob.get("covered", 0) < ob["points"]:
            continue
        by = ob.get("by") or "?"
        out.append(finding(e["target"], e.get("html", ""), {
            "da": f"Med fokus er elementet helt dækket af fast indhold ({by}).",
            "en": f"With focus, the element is entirely covered by content that stays in place ({by})."}, {
            "da": "Giv siden scroll-padding (fx »html { scroll-padding-top/bottom: … }«) svarende til bjælkens "
                  "højde, eller lad bjælken fylde mindre eller lukke.",
            "en": "Give the page scroll padding (e.g. »html { scroll-padding-top/bottom: … }«) as large as the "
                  "bar, or make the bar smaller or closable."}))
    return out


# -- 1.4.11 Non-text contrast: focus indicators -----------------------------------------------------

# The focus indicator's kinds (the keyboard probe's names) in Danish
INDICATOR_DA = {"outline": "omrids", "box-shadow": "skygge", "border": "kant"}

@kw_check(code="KW005", name="focus-indicator-contrast", impact=Impact.MODERATE, wcag=("1.4.11",), level="AA",
          wcag_version="2.1",
          screenshot="focus",
          title={"da": "Fokusmarkeringen skal have kontrast 3:1",
                 "en": "Focus indicators must have a 3:1 contrast"},
          description={
              "da": "Den markering, der kommer frem ved fokus (outline, box-shadow eller kant), skal have mindst "
                    "3:1 i kontrast til baggrunden ved siden af. Det kræves ikke, når fokus også vises på en anden "
                    "måde med nok kontrast (fx en baggrund, der skifter med 3:1, en understregning), eller når "
                    "markeringen er browserens egen.",
              "en": "The indicator focus brings (outline, box-shadow or border) needs at least 3:1 contrast "
                    "against the background next to it. Not required when focus is also shown another way with "
                    "enough contrast (a background that changes by 3:1, an underline), or when the indicator is "
                    "the browser's own."})
def focus_indicator_contrast(artifacts, ctx):
    art = artifacts["keyboard"]
    if (err := probe_failed(art)) is not None:
        return err
    if not art.get("indicators"):
        return INAPPLICABLE
    out = []
    for e in art.get("focus") or []:
        ind = e.get("indicator") or {}
        ratio = ind.get("ratio")
        if ratio is None or ratio >= 3 or ind.get("kind") in (None, "auto"):
            continue
        alt = ind.get("alt") or {}
        if (alt.get("decoration") or alt.get("shape") or (alt.get("background") or 0) >= 3
                or (alt.get("color") or 0) >= 3):
            continue
        da, en = ratio_text(ratio)
        kind_da = INDICATOR_DA.get(ind["kind"], ind["kind"])
        out.append(finding(e["target"], e.get("html", ""), {
            "da": f"Fokusmarkeringen ({kind_da} {ind.get('color')}) har kun {da}:1 i kontrast til "
                  f"baggrunden {ind.get('against')}; der skal være mindst 3:1.",
            "en": f"The focus indicator ({ind['kind']} {ind.get('color')}) has only {en}:1 contrast against "
                  f"the background {ind.get('against')}; at least 3:1 is needed."}, {
            "da": "Brug en mørkere (eller lysere) farve til fokusmarkeringen, så den står tydeligt mod baggrunden.",
            "en": "Use a darker (or lighter) colour for the focus indicator so it stands out from the background."}))
    return out
