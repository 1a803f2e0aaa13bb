"""What only a journey shows (codes KJ001–KJ019): errors after a submit and how to fix them, status messages, dialogs,
commitments, information asked twice, logins, time limits.

Pure functions of the ``journey`` artifact (audit/journeys.py): the page before and after the last
action, a dialog that action opened and how it behaved under Tab and Escape, the actions marked
``commits: true``, the fields filled earlier in the journey, the paste test of password fields, and
what the page did while the user was idle. docs/journeys.md says what each check leaves alone.
"""
from __future__ import annotations

import re
from typing import Any

from checks.common import finding
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.model import Category, Finding, Impact, Outcome

journey_check = family("journey", category=Category.WCAG, requires=("journey",))

KIND_DA = {"click": "klik på", "fill": "udfyld", "select": "vælg i", "check": "afkryds", "press": "tryk",
           "upload": "upload til", "goto": "gå til"}
KIND_EN = {"click": "click", "fill": "fill", "select": "select in", "check": "check", "press": "press",
           "upload": "upload to", "goto": "go to"}


def _texts(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def _q(text: str, n: int = 80) -> tuple[str, str]:
    """A page's words quoted, shortened: »…« in Danish, “…” in English."""
    t = " ".join((text or "").split())
    if len(t) > n:
        t = t[: n - 1] + "…"
    return f"»{t}«", f"\u201c{t}\u201d"


def step_words(a: dict[str, Any]) -> tuple[str, str]:
    """»trin 7 (klik på role=button name="Send svar")« and "step 7 (click role=button …)"."""
    if a.get("name"):
        return f"trin {a['step']} ({a['name']})", f"step {a['step']} ({a['name']})"
    what = " ".join(x for x in (a.get("key"), a.get("locator")) if x)
    da = f"{KIND_DA.get(a['kind'], a['kind'])} {what}".strip()
    en = f"{KIND_EN.get(a['kind'], a['kind'])} {what}".strip()
    return f"trin {a['step']} ({da})", f"step {a['step']} ({en})"


def _action(artifacts: Artifacts) -> dict[str, Any] | None:
    a = (artifacts.get("journey") or {}).get("action")
    return a if a and a.get("kind") != "goto" else None


def _field_label(f: dict[str, Any]) -> tuple[str, str]:
    if f.get("label"):
        return _q(f["label"], 60)
    return "uden navn", "without a name"


def _errors(a: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """What the action showed as input errors: (new error texts, fields now in error). A field is in
    error when it became aria-invalid, or got a red border, or an error text appeared beside it."""
    if a.get("navigated"):
        texts = []
        fields = [f for f in a.get("fields") or [] if f.get("invalid")]
        return texts, fields
    marked = [f for f in a.get("fields") or [] if not f.get("dialog") and not f.get("disabled") and (
        (f.get("invalid") and not f.get("was_invalid")) or (f.get("redBorder") and not f.get("was_red")))]
    # an error-looking text (red, an error class or word, an alert) is an input error beside a field, in a
    # form, or when fields were marked in error: a red »Aflyst« in a list of appointments is none
    texts = [t for t in a.get("texts") or [] if t.get("error") and not t.get("dialog")
             and (t.get("field") or t.get("form") or marked) and re.search(r"[^\W\d_]{2}", t["text"])]
    beside = {t["field"] for t in texts if t.get("field")}
    fields = marked + [f for f in a.get("fields") or [] if f["sel"] in beside and f not in marked
                       and not f.get("dialog") and not f.get("disabled")]
    return texts, fields


def _tied(text: str, f: dict[str, Any]) -> bool:
    """Is an error text part of the field's name or description (what a screen reader reads with it)?"""
    norm = lambda s: " ".join((s or "").lower().split())    # noqa: E731
    t = norm(text)
    return bool(t) and (t in norm(f.get("described")) or t in norm(f.get("label")))


@journey_check(
    code="KJ001", name="error-identified", impact=Impact.SERIOUS, wcag=("3.3.1", "1.3.1"), level="A",
    title=_texts("En fejl i et felt skal siges i tekst, der er knyttet til feltet",
                 "An input error must be described in text tied to its field"),
    description=_texts(
        "Når en formular afviser det, brugeren har skrevet, skal fejlen stå i tekst (ikke kun som en rød kant), og "
        "teksten skal være knyttet til feltet (aria-describedby eller aria-errormessage, eller i feltets "
        "ledetekst), så en skærmlæser læser den op, når feltet får fokus.",
        "When a form rejects what the user entered, the error must be described in text (not only by a red "
        "border), and the text must be tied to the field (aria-describedby or aria-errormessage, or inside its "
        "label) so that a screen reader reads it when the field gets focus."))
def error_identified(artifacts: Artifacts, ctx: CheckContext):
    a = _action(artifacts)
    if a is None:
        return INAPPLICABLE
    texts, fields = _errors(a)
    if not fields:
        return INAPPLICABLE
    out: list[Finding] = []
    for f in fields:
        near = [t for t in texts if t.get("field") == f["sel"]]
        if any(_tied(t["text"], f) for t in near):
            continue
        la, le = _field_label(f)
        if near:
            qa, qe = _q(near[0]["text"])
            out.append(finding(f["sel"], near[0]["text"], _texts(
                f"Fejlteksten {qa} står ved feltet {la}, men er ikke knyttet til feltet, så en skærmlæser ikke "
                "læser den, når feltet får fokus.",
                f"The error text {qe} stands beside the field {le} but is not tied to it, so a screen reader does "
                "not read it when the field gets focus."), _texts(
                "Knyt fejlteksten til feltet med aria-describedby (eller aria-errormessage sammen med "
                "aria-invalid=\"true\"); for en gruppe af radioknapper på fieldset'et eller i legend.",
                "Tie the error text to the field with aria-describedby (or aria-errormessage together with "
                "aria-invalid=\"true\"); for a group of radio buttons on the fieldset or in its legend.")))
        elif f.get("described") and f["described"] != f.get("was_described"):
            continue        # a new description came with the error: the error in text, tied
        elif not any(_tied(t["text"], f) for t in texts):
            out.append(finding(f["sel"], f.get("label") or "", _texts(
                f"Feltet {la} er markeret som fejl, men ingen tekst ved feltet siger, hvad der er galt.",
                f"The field {le} is marked as in error, but no text tied to it says what is wrong."), _texts(
                "Skriv fejlen i tekst ved feltet (fx »Skriv en e-mailadresse med @«) og knyt teksten til feltet "
                "med aria-describedby.",
                "Describe the error in text at the field (e.g. “Enter an email address with @”) and tie the text "
                "to the field with aria-describedby.")))
    return out


def _announced(t: dict[str, Any], a: dict[str, Any]) -> Outcome | None:
    """Is a new text announced: PASSED in an alert (or assertive region), or in a polite region that was
    there before the action; CANT_TELL in a polite region added with the text (often not read); None
    in no live region."""
    if t.get("live") == "assertive":
        return Outcome.PASSED
    if t.get("live") == "polite":
        return Outcome.PASSED if t.get("liveSel") in (a.get("live_before") or []) else Outcome.CANT_TELL
    return None


def _focus_on(j: dict[str, Any], a: dict[str, Any], texts: list[dict], fields: list[dict]) -> bool:
    """Did focus move (away from the element acted on) to one of ``fields`` or to an element that
    holds one of ``texts`` (an error summary, a message)?"""
    active = j.get("active")
    if not active or active == a.get("target"):
        return False
    if any(f["sel"] == active or (f["sel"] and active.startswith(f["sel"] + " >")) for f in fields):
        return True
    at = " ".join((j.get("active_text") or "").split())
    return bool(at) and any(t["text"] in at or (t["sel"] == active) for t in texts)


@journey_check(
    code="KJ002", name="error-announced", impact=Impact.SERIOUS, wcag=("4.1.3",), level="AA", wcag_version="2.1",
    title=_texts("Fejl efter en indsendelse skal læses op eller have fokus",
                 "Errors after a submit must be announced or receive focus"),
    description=_texts(
        "Når fejlbeskeder kommer frem uden at siden skifter, skal en skærmlæser få dem at vide: de skal stå i et "
        "live-område (role=\"alert\", eller aria-live, der fandtes før beskeden), eller fokus skal flyttes til en "
        "fejloversigt eller det første felt med fejl.",
        "When error messages appear without a new page, a screen reader must learn of them: they must be in a "
        "live region (role=\"alert\", or an aria-live region that was there before the message), or focus must "
        "move to an error summary or to the first field in error."))
def error_announced(artifacts: Artifacts, ctx: CheckContext):
    a = _action(artifacts)
    if a is None or a.get("navigated"):
        return INAPPLICABLE
    texts, fields = _errors(a)
    if not texts and not [f for f in fields if f.get("invalid")]:
        return INAPPLICABLE
    j = artifacts["journey"]
    verdicts = [_announced(t, a) for t in texts]
    if Outcome.PASSED in verdicts or _focus_on(j, a, texts, fields):
        return []
    sa, se = step_words(a)
    first = texts[0] if texts else {"sel": fields[0]["sel"], "text": fields[0].get("label") or ""}
    qa, qe = _q(first["text"])
    if Outcome.CANT_TELL in verdicts:
        return [finding(first["sel"], first["text"], _texts(
            f"Fejlbeskeden {qa} efter {sa} kom i et live-område, der blev sat ind sammen med den; skærmlæsere "
            "læser ofte ikke sådan en besked op.",
            f"The error message {qe} after {se} came in a live region added together with it; screen readers "
            "often do not read such a message."), _texts(
            "Lad live-området (role=\"status\" eller aria-live) være på siden fra starten, tomt, og skriv beskeden "
            "ind i det; eller brug role=\"alert\".",
            "Keep the live region (role=\"status\" or aria-live) on the page from the start, empty, and write the "
            "message into it; or use role=\"alert\"."), outcome=Outcome.CANT_TELL)]
    n = len(texts)
    many_da = f"{n} fejlbeskeder, bl.a. {qa}," if n > 1 else f"Fejlbeskeden {qa}"
    many_en = f"{n} error messages, such as {qe}," if n > 1 else f"The error message {qe}"
    return [finding(first["sel"], first["text"], _texts(
        f"{many_da[0].upper() + many_da[1:]} kom frem efter {sa}, men en skærmlæser får det ikke at vide: "
        f"{'de står' if n > 1 else 'den står'} ikke i et live-område, og fokus bliver på det element, der blev "
        "brugt.",
        f"{many_en} appeared after {se}, but a screen reader is not told: {'they are' if n > 1 else 'it is'} in no "
        "live region, and focus stays on the element used."), _texts(
        "Flyt fokus til en fejloversigt øverst i formularen (med links til felterne) eller til det første felt "
        "med fejl; eller skriv fejlene i et live-område (role=\"alert\").",
        "Move focus to an error summary at the top of the form (with links to the fields) or to the first field "
        "in error; or write the errors into a live region (role=\"alert\")."))]


def _status_candidates(a: dict[str, Any]) -> list[dict]:
    """New texts that make a status message: shown in answer to an action without a new page, not an
    error, not in a dialog, not inside what was acted on; none when the new content is a new view (it
    has a heading or a control other than a link) or the action opened a disclosure."""
    if a.get("navigated") or a.get("dialogs") or a.get("expands"):
        return []
    texts = [t for t in a.get("texts") or [] if not t.get("dialog") and not t.get("inField")
             and not (a.get("target") and (t["sel"] == a["target"] or t["sel"].startswith(a["target"] + " >")))
             and re.search(r"[^\W\d_]{2}", t["text"])]
    if _errors(a)[0] or any(t.get("heading") or t.get("control") == "other" for t in texts):
        return []
    if sum(len(t["text"]) for t in texts) > 400:
        return []
    return texts


@journey_check(
    code="KJ003", name="status-message", impact=Impact.SERIOUS, wcag=("4.1.3",), level="AA", wcag_version="2.1",
    title=_texts("En statusbesked skal læses op", "A status message must be announced"),
    description=_texts(
        "En besked, der kommer frem efter en handling uden at siden skifter (»Din aftale er flyttet«, »Gemt«), "
        "skal stå i et live-område (role=\"status\" eller aria-live, der fandtes før beskeden), eller fokus skal "
        "flyttes til den, så en skærmlæser læser den op.",
        "A message that appears after an action without a new page (“Your appointment has been moved”, "
        "“Saved”) must be in a live region (role=\"status\" or an aria-live region that was there before the "
        "message), or focus must move to it, so that a screen reader reads it."))
def status_message(artifacts: Artifacts, ctx: CheckContext):
    a = _action(artifacts)
    if a is None:
        return INAPPLICABLE
    texts = _status_candidates(a)
    if not texts:
        return INAPPLICABLE
    j = artifacts["journey"]
    verdicts = [_announced(t, a) for t in texts]
    if Outcome.PASSED in verdicts or _focus_on(j, a, texts, []):
        return []
    sa, se = step_words(a)
    main = max(texts, key=lambda t: len(t["text"]))
    qa, qe = _q(main["text"])
    if Outcome.CANT_TELL in verdicts:
        return [finding(main["sel"], main["text"], _texts(
            f"Beskeden {qa} efter {sa} kom i et live-område, der blev sat ind sammen med den; skærmlæsere læser "
            "ofte ikke sådan en besked op.",
            f"The message {qe} after {se} came in a live region added together with it; screen readers often do "
            "not read such a message."), _texts(
            "Lad live-området (role=\"status\") være på siden fra starten, tomt, og skriv beskeden ind i det.",
            "Keep the live region (role=\"status\") on the page from the start, empty, and write the message into "
            "it."), outcome=Outcome.CANT_TELL)]
    return [finding(main["sel"], main["text"], _texts(
        f"Beskeden {qa} kom frem efter {sa}, men en skærmlæser får den ikke at vide: den står ikke i et "
        "live-område, og fokus flyttes ikke til den.",
        f"The message {qe} appeared after {se}, but a screen reader is not told: it is in no live region, and "
        "focus does not move to it."), _texts(
        "Skriv beskeden ind i et element med role=\"status\", der er på siden fra starten.",
        "Write the message into an element with role=\"status\" that is on the page from the start."))]


@journey_check(
    code="KJ004", name="dialog-focus", impact=Impact.SERIOUS, wcag=("2.4.3",), level="A",
    title=_texts("En dialog skal tage fokus, holde det og give det tilbage",
                 "A dialog must take focus, keep it and give it back"),
    description=_texts(
        "Når en handling åbner en dialog, skal fokus flyttes ind i den; en modal dialog skal holde fokus, mens "
        "den er åben (Tab må ikke føre om bag den); og når den lukkes, skal fokus tilbage til det element, der "
        "åbnede den. Ellers ved den, der bruger tastatur eller skærmlæser, ikke, hvor de er.",
        "When an action opens a dialog, focus must move into it; a modal dialog must keep focus while it is open "
        "(Tab must not lead behind it); and when it closes, focus must return to the element that opened it. "
        "Otherwise keyboard and screen-reader users lose their place."))
def dialog_focus(artifacts: Artifacts, ctx: CheckContext):
    d = (artifacts.get("journey") or {}).get("dialog")
    if not d:
        return INAPPLICABLE
    if d.get("error"):
        from checks.registry import Verdict

        return Verdict(Outcome.ERROR, (), f"the dialog could not be tried ({d['error']})")
    a = artifacts["journey"]["action"]
    sa, se = step_words(a)
    parts: list[tuple[str, str]] = []
    fixes: list[tuple[str, str]] = []
    if not d.get("focus_inside_on_open"):
        parts.append(("fokus flyttes ikke ind i den, da den åbnes", "focus does not move into it when it opens"))
        fixes.append(("Flyt fokus til dialogens første knap eller overskrift, når den åbnes (showModal() på et "
                      "<dialog>-element gør det)", "Move focus to the dialog's first button or its heading when it "
                      "opens (showModal() on a <dialog> element does it)"))
    if d.get("modal") and d.get("tab_leaves"):
        parts.append(("Tab fører fokus ud af den til siden bag den", "Tab moves focus out of it to the page behind"))
        fixes.append(("Hold fokus i dialogen, mens den er åben (showModal(), eller inert på resten af siden)",
                      "Keep focus in the dialog while it is open (showModal(), or inert on the rest of the page)"))
    if d.get("closed_by") and not d.get("focus_returned"):
        how = ("lukkes med Escape", "closes with Escape") if d["closed_by"] == "escape" else \
            ("lukkes med dens knap", "is closed with its button")
        parts.append((f"når den {how[0]}, kommer fokus ikke tilbage til det element, der åbnede den",
                      f"when it {how[1]}, focus does not return to the element that opened it"))
        fixes.append(("Sæt fokus tilbage på det element, der åbnede dialogen, når den lukkes",
                      "Put focus back on the element that opened the dialog when it closes"))
    if not parts:
        return []
    name_da, name_en = _q(d.get("name") or "", 60) if d.get("name") else ("", "")
    da = "; ".join(p[0] for p in parts)
    en = "; ".join(p[1] for p in parts)
    return [finding(d["sel"], d.get("name") or "", _texts(
        f"Dialogen {name_da + ' ' if name_da else ''}åbnet af {sa}: {da}.".replace("  ", " "),
        f"The dialog {name_en + ' ' if name_en else ''}opened by {se}: {en}.".replace("  ", " ")),
        _texts(". ".join(f[0] for f in fixes) + ".", ". ".join(f[1] for f in fixes) + "."))]


@journey_check(
    code="KJ005", name="dialog-escape", impact=Impact.MODERATE, category=Category.BEST_PRACTICE,
    related_wcag=("2.1.2",),
    title=_texts("En dialog skal kunne lukkes med Escape", "A dialog must close with Escape"),
    description=_texts(
        "Brugere af tastatur og skærmlæser forventer, at Escape lukker en dialog (WAI-ARIA Authoring Practices).",
        "Keyboard and screen-reader users expect Escape to close a dialog (WAI-ARIA Authoring Practices)."))
def dialog_escape(artifacts: Artifacts, ctx: CheckContext):
    d = (artifacts.get("journey") or {}).get("dialog")
    if not d or d.get("error") or "escape_closes" not in d:
        return INAPPLICABLE
    if d["escape_closes"]:
        return []
    sa, se = step_words(artifacts["journey"]["action"])
    return [finding(d["sel"], d.get("name") or "", _texts(
        f"Dialogen åbnet af {sa} lukker ikke, når man trykker Escape.",
        f"The dialog opened by {se} does not close when Escape is pressed."), _texts(
        "Luk dialogen på Escape (et <dialog>-element åbnet med showModal() gør det selv).",
        "Close the dialog on Escape (a <dialog> element opened with showModal() does it by itself)."))]


UNDO = re.compile(r"\b(fortryd|gendan|genopret|annull[eé]r (?:aflysningen|ændringen|flytningen)|undo|restore)\b", re.I)


@journey_check(
    code="KJ006", name="review-before-commit", impact=Impact.SERIOUS, wcag=("3.3.4",), level="AA",
    title=_texts("En aftale skal kunne tjekkes før den bekræftes, eller fortrydes",
                 "A commitment must be reviewed before it is confirmed, or be undoable"),
    description=_texts(
        "En handling, der booker, flytter eller aflyser en aftale eller sender data, skal have et trin, hvor "
        "brugeren ser og bekræfter det, før det sker (en oversigt eller en bekræftelsesdialog), eller kunne "
        "fortrydes bagefter. Journeyen markerer sådan en handling med commits: true.",
        "An action that books, moves or cancels an appointment or sends data must have a step where the user "
        "sees and confirms it before it happens (a review or a confirmation dialog), or be undoable afterwards. "
        "The journey marks such an action with commits: true."))
def review_before_commit(artifacts: Artifacts, ctx: CheckContext):
    j = artifacts.get("journey") or {}
    commits = j.get("commits") or []
    if not commits:
        return INAPPLICABLE
    out: list[Finding] = []
    for c in commits:
        if c.get("reviewed"):
            continue
        before = set(c.get("controls_before") or [])
        if any(UNDO.search(name or "") and sel not in before for sel, name in j.get("controls") or []):
            continue
        sa, se = step_words(c)
        out.append(finding(c.get("target") or "html", "", _texts(
            f"Handlingen i {sa} gennemføres med det samme: der kom ikke noget trin før den, hvor brugeren kunne "
            "tjekke og bekræfte den, og der er ingen knap til at fortryde den bagefter.",
            f"The action in {se} takes effect at once: no step before it let the user review and confirm it, and "
            "there is no button to undo it afterwards."), _texts(
            "Vis en bekræftelse før handlingen (»Vil du aflyse …? Ja, aflys / Nej«) eller en oversigt, der skal "
            "godkendes, eller giv en knap til at fortryde bagefter.",
            "Show a confirmation before the action (“Cancel …? Yes, cancel / No”) or a review to approve, or offer "
            "an undo button afterwards.")))
    return out


STOP_WORDS = {"dit", "din", "dine", "det", "den", "til", "for", "af", "på", "i", "og", "your", "the", "of",
              "to", "a", "an", "eller", "or", "med", "with", "vores", "our", "evt", "evt."}
LOGIN = re.compile(r"brugernavn|bruger-?id|username|user name|log ?ind|login", re.I)
OTHER_PERSON = re.compile(r"pårørende|ægtefælle|barn|børn|kontaktperson|læge|værge|next of kin|relative|"
                          r"spouse|child|doctor|guardian", re.I)


def _purpose_words(label: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_][\w-]*", (label or "").lower()) if w not in STOP_WORDS]


def _same_purpose(f: dict[str, Any], e: dict[str, Any]) -> bool:
    """Do a field now and one filled earlier ask for the same information: the same autocomplete
    purpose, or the same first word of their labels (»Telefonnummer til sms« and »Telefonnummer«)."""
    ac_f, ac_e = (f.get("autocomplete") or "").split(), (e.get("autocomplete") or "").split()
    if ac_f and ac_e and ac_f[-1] not in ("on", "off") and ac_f[-1] == ac_e[-1]:
        return True
    wf, we = _purpose_words(f.get("label")), _purpose_words(e.get("label"))
    return bool(wf and we) and wf[0] == we[0] and len(wf[0]) >= 4


@journey_check(
    code="KJ007", name="redundant-entry", impact=Impact.MODERATE, wcag=("3.3.7",), level="A", wcag_version="2.2",
    title=_texts("Oplysninger, brugeren har givet, må ikke spørges om igen",
                 "Information the user has given must not be asked for again"),
    description=_texts(
        "Når brugeren har skrevet en oplysning tidligere i samme forløb, skal den ikke skrives igen: udfyld "
        "feltet på forhånd, vis oplysningen, eller lad brugeren vælge den. Adgangskoder må godt spørges om igen.",
        "When the user entered a piece of information earlier in the same process, it must not be typed again: "
        "fill the field in, show the information, or let the user select it. Passwords may be asked again."))
def redundant_entry(artifacts: Artifacts, ctx: CheckContext):
    j = artifacts.get("journey") or {}
    entered = [e for e in j.get("entered") or [] if e.get("type") != "password"]
    if not entered:
        return INAPPLICABLE
    out: list[Finding] = []
    for f in j.get("fields") or []:
        if not f.get("empty") or f.get("disabled") or f.get("readonly") or f.get("type") in (
                "password", "group", "checkbox", "radio", "file", "search", "hidden"):
            continue
        if OTHER_PERSON.search(f.get("label") or ""):
            continue
        # a login asked again (after a time-out, or to confirm who acts) is the security exception
        if (f.get("autocomplete") or "").split()[-1:] == ["username"] or LOGIN.search(f.get("label") or ""):
            continue
        if any(e.get("sel") == f["sel"] and e.get("doc") == j.get("doc") for e in entered):
            continue            # the same field, emptied: not asked again
        earlier = next((e for e in entered if _same_purpose(f, e)), None)
        if earlier is None:
            continue
        la, le = _field_label(f)
        ea, ee = _q(earlier.get("label") or "", 60)
        out.append(finding(f["sel"], f.get("label") or "", _texts(
            f"Feltet {la} spørger igen om det, brugeren skrev i feltet {ea} i trin {earlier['step']}.",
            f"The field {le} asks again for what the user entered in the field {ee} in step {earlier['step']}."),
            _texts("Vis oplysningen, brugeren allerede har givet, eller udfyld feltet med den på forhånd.",
                   "Show the information the user already gave, or fill the field in with it.")))
    return out


@journey_check(
    code="KJ008", name="paste-allowed", impact=Impact.SERIOUS, wcag=("3.3.8",), level="AA", wcag_version="2.2",
    title=_texts("Man skal kunne sætte en adgangskode eller kode ind",
                 "Pasting a password or code must work"),
    description=_texts(
        "Et login må ikke forhindre, at brugeren sætter adgangskoden eller en engangskode ind (fra en "
        "adgangskodeadministrator eller en sms): at skulle huske og skrive den tegn for tegn er en kognitiv test.",
        "A login must not stop the user pasting the password or a one-time code (from a password manager or a "
        "text message): having to remember and type it character by character is a cognitive function test."))
def paste_allowed(artifacts: Artifacts, ctx: CheckContext):
    fields = (artifacts.get("journey") or {}).get("auth")
    if not fields:
        return INAPPLICABLE
    out: list[Finding] = []
    for f in fields:
        if f.get("paste_blocked"):
            la, le = _q(f["label"], 60) if f.get("label") else ("uden navn", "without a name")
            out.append(finding(f["sel"], f.get("html") or "", _texts(
                f"Feltet {la} forhindrer, at man sætter noget ind (paste), så en adgangskodeadministrator eller "
                "en kopieret kode ikke kan bruges.",
                f"The field {le} blocks pasting, so a password manager or a copied code cannot be used."), _texts(
                "Fjern den kode, der stopper paste-hændelsen (preventDefault på paste).",
                "Remove the script that stops the paste event (preventDefault on paste).")))
    return out


def _mins(ms: float) -> tuple[str, str]:
    """A duration as »15 minutter« / "15 minutes", or seconds under a minute."""
    if ms < 60_000:
        s = round(ms / 1000)
        return (f"{s} sekund" if s == 1 else f"{s} sekunder"), (f"{s} second" if s == 1 else f"{s} seconds")
    m = ms / 60_000
    t = f"{m:.1f}".removesuffix(".0")
    return (f"{t.replace('.', ',')} minut" if t == "1" else f"{t.replace('.', ',')} minutter",
            f"{t} minute" if t == "1" else f"{t} minutes")


@journey_check(
    code="KJ009", name="timing-adjustable", impact=Impact.SERIOUS, wcag=("2.2.1",), level="A",
    title=_texts("En tidsgrænse skal varsles og kunne forlænges", "A time limit must warn and be extendable"),
    description=_texts(
        "Når en side logger brugeren ud eller skifter side efter en tid uden aktivitet, skal den advare mindst "
        "20 sekunder før og lade brugeren forlænge tiden med en enkel handling.",
        "When a page logs the user out or moves on after a time without activity, it must warn at least 20 "
        "seconds before and let the user extend the time with a simple action."))
def timing_adjustable(artifacts: Artifacts, ctx: CheckContext):
    idles = (artifacts.get("journey") or {}).get("idle") or []
    timed = [i for i in idles if any(e["kind"] == "navigated" for e in i.get("events") or [])]
    if not timed:
        return INAPPLICABLE
    out: list[Finding] = []
    for i in timed:
        nav = next(e for e in i["events"] if e["kind"] == "navigated")
        warnings = [e for e in i["events"] if e["kind"] == "warning" and e["at_ms"] <= nav["at_ms"] - 20_000]
        if any(w.get("buttons") for w in warnings):
            continue
        ta, te = _mins(nav["at_ms"])
        sa, se = step_words(i)
        what_da = "uden at advare først" if not warnings else "efter en advarsel uden en knap til at forlænge tiden"
        what_en = "without a warning first" if not warnings else "after a warning with no button to extend the time"
        out.append(finding("html", "", _texts(
            f"Under {sa} skiftede siden til {nav['url']} efter omkring {ta} uden aktivitet, {what_da}.",
            f"During {se} the page went to {nav['url']} after about {te} without activity, {what_en}."), _texts(
            "Vis en advarsel (en dialog, der tager fokus) mindst 20 sekunder før, med en knap, der forlænger tiden.",
            "Show a warning (a dialog that takes focus) at least 20 seconds before, with a button that extends the "
            "time.")))
    return out


PURPOSES = (
    ("email", re.compile(r"\be-?mail|\bmail\b", re.I), ("email",)),
    ("tel", re.compile(r"\btelefon|\bmobil|\btlf\b|\bphone\b", re.I), ("tel",)),
    ("name", re.compile(r"^(dit |fulde |dit fulde )?navn\b|\bfulde navn\b|^(your |full )?name\b", re.I), ()),
    ("given-name", re.compile(r"\bfornavn|\bfirst name|\bgiven name", re.I), ()),
    ("family-name", re.compile(r"\befternavn|\blast name|\bsurname|\bfamily name", re.I), ()),
    ("street-address", re.compile(r"^(din |dit )?(adresse|vejnavn|gade)\b|^(street )?address\b", re.I), ()),
    ("postal-code", re.compile(r"\bpostnummer|\bpostnr|\bpostal code|\bzip", re.I), ()),
    ("bday", re.compile(r"\bfødselsdag|\bfødselsdato|\bdate of birth|\bbirthday", re.I), ()),
)


@journey_check(
    code="KJ010", name="input-purpose", impact=Impact.MODERATE, wcag=("1.3.5",), level="AA", wcag_version="2.1",
    title=_texts("Felter til brugerens egne oplysninger skal have autocomplete",
                 "Fields for the user's own information must have autocomplete"),
    description=_texts(
        "Et felt, der spørger om brugerens navn, e-mail, telefon, adresse eller fødselsdato, skal sige hvad det "
        "er til med autocomplete (fx autocomplete=\"email\"), så browseren kan udfylde det, og hjælpemidler kan "
        "vise et kendt symbol.",
        "A field that asks for the user's name, email, phone, address or date of birth must say what it is for "
        "with autocomplete (e.g. autocomplete=\"email\"), so that the browser can fill it in and assistive "
        "technology can show a familiar symbol."))
def input_purpose(artifacts: Artifacts, ctx: CheckContext):
    fields = [f for f in (artifacts.get("journey") or {}).get("fields") or []
              if f.get("type") not in ("group", "password", "hidden", "file", "search", "checkbox", "radio",
                                       "submit", "number", "range", "date", "select")
              and not f.get("disabled") and not f.get("readonly")]
    out: list[Finding] = []
    applicable = False
    for f in fields:
        label = f.get("label") or ""
        if OTHER_PERSON.search(label):
            continue
        token = next((t for t, rx, types in PURPOSES if f.get("type") in types or rx.search(label)), None)
        if token is None:
            continue
        applicable = True
        ac = (f.get("autocomplete") or "").split()
        if ac and ac[-1] not in ("on", "off"):
            continue
        la, le = _field_label(f)
        out.append(finding(f["sel"], label, _texts(
            f"Feltet {la} spørger om brugerens egne oplysninger, men har ikke autocomplete=\"{token}\".",
            f"The field {le} asks for the user's own information but has no autocomplete=\"{token}\"."), _texts(
            f"Sæt autocomplete=\"{token}\" på feltet.", f"Put autocomplete=\"{token}\" on the field.")))
    return out if applicable else INAPPLICABLE


@journey_check(
    code="KJ011", name="focus-not-lost", impact=Impact.SERIOUS, wcag=("2.4.3",), level="A",
    title=_texts("Fokus må ikke forsvinde, når det brugte element forsvinder",
                 "Focus must not be lost when the element used disappears"),
    description=_texts(
        "Når en knap eller et link, brugeren lige har brugt, forsvinder (fordi et trin skifter, eller en aftale "
        "fjernes), skal fokus flyttes et fornuftigt sted hen, fx til en besked eller overskrift. Ellers falder "
        "fokus tilbage til starten af siden, og den, der bruger tastatur eller skærmlæser, mister sin plads.",
        "When a button or link the user just used disappears (a step changes, an appointment is removed), focus "
        "must move somewhere sensible, such as a message or a heading. Otherwise focus falls back to the start "
        "of the page, and keyboard and screen-reader users lose their place."))
def focus_not_lost(artifacts: Artifacts, ctx: CheckContext):
    a = _action(artifacts)
    if a is None or a.get("kind") not in ("click", "press") or a.get("navigated") or a.get("target_shown") is not False:
        return INAPPLICABLE
    j = artifacts["journey"]
    if j.get("active") or j.get("dialog"):
        return []
    sa, se = step_words(a)
    return [finding(a["target"], "", _texts(
        f"Elementet, der blev brugt i {sa}, forsvandt bagefter, og fokus faldt tilbage til starten af siden.",
        f"The element used in {se} disappeared afterwards, and focus fell back to the start of the page."), _texts(
        "Flyt fokus til beskeden om, hvad der skete, eller til overskriften på det nye indhold (tabindex=\"-1\" "
        "og focus()).",
        "Move focus to the message saying what happened, or to the heading of the new content (tabindex=\"-1\" and "
        "focus())."))]


# Words that say only that something is wrong, not how to put it right (Danish and English); with the
# field's own name taken away, an error text of nothing else suggests nothing.
GENERIC_ERROR_WORDS = frozenset("""
fejl fejlen fejlet ugyldig ugyldigt ugyldige forkert forkerte ikke gyldig gyldigt gyldige værdi værdien
værdier input indtastning indtastningen data felt feltet format formatet er en et den det der har du dit din
i på af til prøv igen venligst udfyldt korrekt korrekte accepteret godkendt
error errors invalid wrong incorrect not valid value field format the a an is was please try again entered
""".split())
FORMAT_TYPES = ("email", "date", "time", "datetime-local", "month", "week", "number", "url")


def _format_known(f: dict[str, Any]) -> bool:
    """Does the field's markup say which format or range it takes (so an error can say how to fix it)?"""
    return bool(f.get("type") in FORMAT_TYPES or f.get("pattern") or f.get("min") or f.get("max")
                or f.get("minlength") or f.get("inputmode") in ("numeric", "decimal", "email", "tel"))


def _says_only_wrong(text: str, label: str) -> bool:
    """An error text that, without the field's own name, holds only words saying it is wrong."""
    own = set(re.findall(r"[^\W_]+", (label or "").lower()))
    words = re.findall(r"[^\W_]+", text.lower())
    # the field's name in another form counts as its name (»datoen«, »e-mailadressen« for »Dato«, »E-mail«)
    named = lambda w: w in own or any(len(o) >= 4 and w.startswith(o) for o in own)    # noqa: E731
    return bool(words) and all(w in GENERIC_ERROR_WORDS or named(w) for w in words)


@journey_check(
    code="KJ012", name="error-suggestion", impact=Impact.MODERATE, wcag=("3.3.3",), level="AA",
    title=_texts("En fejlbesked skal sige, hvordan fejlen rettes, når det vides",
                 "An error message must say how to correct the error when that is known"),
    description=_texts(
        "Når et felt beder om et bestemt format eller interval (en e-mailadresse, en dato, et tal mellem 1 og 10, "
        "et mønster), ved formularen, hvad der skal til. Så skal fejlbeskeden sige det – fx »Skriv datoen som "
        "dd.mm.åååå« – og ikke kun »Ugyldig værdi«.",
        "When a field asks for a given format or range (an email address, a date, a number from 1 to 10, a "
        "pattern), the form knows what is needed. Then the error message must say it – e.g. “Enter the date as "
        "dd.mm.yyyy” – not only “Invalid value”."))
def error_suggestion(artifacts: Artifacts, ctx: CheckContext):
    a = _action(artifacts)
    if a is None:
        return INAPPLICABLE
    texts, fields = _errors(a)
    fields = [f for f in fields if f.get("type") != "group" and _format_known(f)]
    if not fields:
        return INAPPLICABLE
    out: list[Finding] = []
    for f in fields:
        said = [t["text"] for t in texts if t.get("field") == f["sel"] or _tied(t["text"], f)]
        if f.get("described") and f["described"] != f.get("was_described"):
            said.append(f["described"])
        if not said or not all(_says_only_wrong(t, f.get("label") or "") for t in said):
            continue        # no text at all is KJ001's; any text that says more may be the suggestion
        la, le = _field_label(f)
        qa, qe = _q(said[0])
        out.append(finding(f["sel"], said[0], _texts(
            f"Fejlbeskeden {qa} ved feltet {la} siger kun, at noget er galt, ikke hvad feltet skal have, selv om "
            "formularen ved det.",
            f"The error message {qe} at the field {le} only says that something is wrong, not what the field "
            "needs, though the form knows."), _texts(
            "Sig i fejlbeskeden, hvad der skal til, fx »Skriv en e-mailadresse som navn@eksempel.dk« eller »Skriv "
            "et tal fra 1 til 10«.",
            "Say in the error message what is needed, e.g. “Enter an email address such as name@example.com” or "
            "“Enter a number from 1 to 10”.")))
    return out
