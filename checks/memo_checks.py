"""MeMo (Digital Post) checks, codes KM…: pure functions of the ``memo`` artifact (audit/letters/memo.py).

artifacts["memo"]: {"part", "version", "message_type", "message_uuid", "label", "notification",
"additional_notification", "language", "header": {locator: "ok" | "empty" | "missing" | "invalid"},
"files": [{"part", "filename", "mime", "language", "role", "locator", "bytes", "text_language", "error"?}],
"actions": [{"locator", "label", "action_code", "start", "end", "url", "reservation"}]}.
Each check is a function ``fn(artifacts, ctx)`` declared with ``@memo_check`` (checks/registry.py), its
cases in checks/cases/KM001.yml … KM010.yml. A CPR number is never shown in full in any finding: every
finding is made by ``_fail``, which sends every text shown through ``mask_cpr``.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from checks.common import finding, part_target
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.cpr import cpr_matches, mask_cpr
from core.model import Category, Finding, Impact, Outcome, TargetKind

DATA = Path(__file__).parent / "data"
DIGST = "https://digst.dk/it-loesninger/digital-post/"
memo_check = family("memo", category=Category.DIGITAL_POST, applies_to=("letter",), requires=("memo",),
                    target=TargetKind.MEMO)
ALLOWED_MAIN_TYPES = ("application/pdf", "text/html", "text/plain")
ACTION_CODES = ("AFTALE", "BETALING", "SELVBETJENING", "INFORMATION", "UNDERSKRIV", "BEKRAEFT", "FORBEREDELSE",
                "TILMELDING")
NOTIFICATION_MAX = 150
LABEL_MIN_WORDS = 2
ACTION_MIN_WORDS = 2
# Action labels that say nothing, besides the generic link texts of core/klarsprog/data/generic-link-texts.txt
GENERIC_ACTION_LABELS = frozenset({"gå til", "åbn", "tryk", "se", "start", "videre", "gå videre", "næste", "ok",
                                   "svar", "klik", "klik for at åbne", "go to", "open", "click", "continue", "next"})
TRAILING = ".:!»›>→…  "
WORD = re.compile(r"[^\W_]+")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

FIELD_NAMES = {"label": {"da": "titlen (label)", "en": "the title (label)"},
               "notification": {"da": "notifikationen (notification)", "en": "the notification"},
               "additional_notification": {"da": "den ekstra notifikation (additionalNotification)",
                                           "en": "the additional notification (additionalNotification)"}}
FIELD_LOCATORS = {"label": "/Message/MessageHeader/label", "notification": "/Message/MessageHeader/notification",
                  "additional_notification": "/Message/MessageHeader/additionalNotification"}
Texts = dict[str, str]


# -- helpers --------------------------------------------------------------------------------------

def _q(text: str | None, lang: str) -> str:
    t = mask_cpr(" ".join((text or "").split()))
    if len(t) > 80:
        t = t[:79] + "…"
    return f"\u00bb{t}\u00ab" if lang == "da" else f"\u201c{t}\u201d"


def _fail(memo: dict[str, Any], locator: str, html: str | None, message: Texts, suggestion: Texts,
          impact: Impact | None = None) -> Finding:
    """A failed finding (impact: the check's unless given); every text in it has its CPR numbers masked."""
    message = {k: mask_cpr(v) for k, v in message.items()}
    suggestion = {k: mask_cpr(v) for k, v in suggestion.items()}
    return finding(part_target(memo.get("part", ""), locator), mask_cpr(html), message, suggestion, impact)


def _is_nemsms(memo: dict[str, Any]) -> bool:
    return memo.get("message_type") == "NEMSMS"


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _norm(text: str) -> str:
    return " ".join(text.strip().rstrip(TRAILING).strip().lower().split())


@lru_cache(maxsize=1)
def generic_label_patterns() -> tuple[re.Pattern, ...]:
    from core.klarsprog.text import read_list

    return tuple(re.compile(re.escape(" ".join(x.lower().split())).replace("…", ".+"))
                 for x in read_list(DATA / "memo-generic-labels.txt"))


def _primary(lang: str | None) -> str | None:
    from core.klarsprog.language import primary

    return primary(lang)


# -- the checks -----------------------------------------------------------------------------------

REQUIRED_TEXT = {
    "/Message/MessageHeader": ("beskedens hoved (MessageHeader)", "the message header (MessageHeader)"),
    "/Message/MessageHeader/messageType": ("beskedtypen (messageType: DIGITALPOST eller NEMSMS)",
                                           "the message type (messageType: DIGITALPOST or NEMSMS)"),
    "/Message/MessageHeader/messageUUID": ("beskedens id (messageUUID)", "the message id (messageUUID)"),
    "/Message/MessageHeader/label": ("titlen (label)", "the title (label)"),
    "/Message/MessageHeader/Sender": ("afsenderen (Sender)", "the sender (Sender)"),
    "/Message/MessageHeader/Sender/senderID": ("afsenderens id (Sender/senderID)", "the sender's id (Sender/senderID)"),
    "/Message/MessageHeader/Sender/idType": ("afsenderens id-type (Sender/idType)",
                                             "the sender's id type (Sender/idType)"),
    "/Message/MessageHeader/Sender/label": ("afsenderens navn (Sender/label)", "the sender's name (Sender/label)"),
    "/Message/MessageHeader/Recipient": ("modtageren (Recipient)", "the recipient (Recipient)"),
    "/Message/MessageHeader/Recipient/recipientID": ("modtagerens id (Recipient/recipientID)",
                                                     "the recipient's id (Recipient/recipientID)"),
    "/Message/MessageHeader/Recipient/idType": ("modtagerens id-type (Recipient/idType)",
                                                "the recipient's id type (Recipient/idType)"),
    "/Message/MessageHeader/notification": ("NemSMS-teksten (notification)", "the NemSMS text (notification)"),
    "/Message/MessageBody": ("beskedens indhold (MessageBody)", "the message body (MessageBody)"),
    "/Message/MessageBody/MainDocument": ("hoveddokumentet (MainDocument)", "the main document (MainDocument)"),
    "/Message/MessageBody/MainDocument/File": ("en fil i hoveddokumentet (MainDocument/File)",
                                               "a file in the main document (MainDocument/File)"),
}
BODY = "/Message/MessageBody"


@memo_check(code="KM001", name="memo-required-fields", impact=Impact.SERIOUS,
            title={"da": "MeMo-beskeden har de felter, der skal være der",
                   "en": "The MeMo message has its required fields"},
            description={"da": "Uden afsender, modtager, titel og et brev kan Digital Post afvise beskeden, "
                               "eller modtageren kan ikke se, hvem den er fra.",
                         "en": "Without sender, recipient, title and a letter, Digital Post may reject the message, "
                               "or the recipient cannot see who it is from."},
            help_url=DIGST)
def check_required_fields(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    out, missing = [], []
    for loc, status in (memo.get("header") or {}).items():
        if status == "ok" or any(loc.startswith(p + "/") for p in missing):
            continue
        if loc.startswith(BODY) and _is_nemsms(memo):
            continue
        missing.append(loc)
        da, en = REQUIRED_TEXT.get(loc, (loc, loc))
        field = loc.rsplit("/", 1)[-1]
        if status == "invalid" and field == "messageUUID":
            msg = {"da": f"Beskedens id (messageUUID) {_q(memo.get('message_uuid'), 'da')} er ikke et UUID.",
                   "en": f"The message id (messageUUID) {_q(memo.get('message_uuid'), 'en')} is not a UUID."}
            sug = {"da": "Lad systemet, der laver beskeden, sætte messageUUID til et nyt UUID "
                         "(fx 3f2b8c1e-5d4a-4b7e-9c0d-2a1f6e8b7c90).",
                   "en": "Have the system that makes the message set messageUUID to a new UUID."}
            html = memo.get("message_uuid")
        elif status == "invalid":
            msg = {"da": f"Beskedtypen (messageType) {_q(memo.get('message_type'), 'da')} findes ikke; "
                         "den skal være DIGITALPOST eller NEMSMS.",
                   "en": f"The message type (messageType) {_q(memo.get('message_type'), 'en')} does not exist; "
                         "it must be DIGITALPOST or NEMSMS."}
            sug = {"da": "Sæt messageType til DIGITALPOST (et brev) eller NEMSMS (en sms).",
                   "en": "Set messageType to DIGITALPOST (a letter) or NEMSMS (a text message)."}
            html = memo.get("message_type")
        else:
            if status == "empty":
                msg = {"da": f"Der står intet i {da}.", "en": f"{en[0].upper() + en[1:]} is empty."}
            else:
                msg = {"da": f"Beskeden mangler {da}.", "en": f"The message lacks {en}."}
            sug = {"da": f"Udfyld {field} i MeMo-beskeden, i det system der laver beskeden. "
                         "Digital Post kan afvise en besked uden.",
                   "en": f"Fill in {field} in the MeMo message, in the system that makes it. "
                         "Digital Post may reject a message without it."}
            html = f"<{field}></{field}>" if status == "empty" else f"(no <{field}>)"
        out.append(_fail(memo, loc, html, msg, sug))
    return out


@memo_check(code="KM002", name="memo-label", impact=Impact.SERIOUS, wcag=("2.4.2",), level="A",
            title={"da": "Beskedens titel siger, hvad den handler om",
                   "en": "The message title says what it is about"},
            description={"da": "Titlen (label) er det, modtageren ser i indbakken. En titel som \u00bbBrev\u00ab "
                               "eller \u00bbBesked fra …\u00ab gør det svært at finde og forstå brevet.",
                         "en": "The title (label) is what the recipient sees in the inbox. A title like "
                               "\u201cLetter\u201d or \u201cMessage from …\u201d makes the letter hard to find and "
                               "understand."})
def check_label(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    label = memo.get("label")
    loc = FIELD_LOCATORS["label"]
    sug = {"da": "Skriv i feltet label, hvad brevet handler om, fx \u00bbIndkaldelse til hjerteundersøgelse\u00ab. "
                 "Det er titlen, modtageren ser i indbakken i Digital Post.",
           "en": "Say in the label field what the letter is about, e.g. \u201cInvitation to a heart examination\u201d. "
                 "It is the title the recipient sees in the Digital Post inbox."}
    if not label:
        return [_fail(memo, loc, "", {
            "da": "Beskeden har ingen titel (label), så modtageren kan ikke se i indbakken, hvad den handler om.",
            "en": "The message has no title (label), so the recipient cannot tell in the inbox what it is about."},
            sug)]
    norm = _norm(label)
    if any(p.fullmatch(norm) for p in generic_label_patterns()):
        msg = {"da": f"Titlen {_q(label, 'da')} er for generel; den siger ikke, hvad brevet handler om.",
               "en": f"The title {_q(label, 'en')} is too general; it does not say what the letter is about."}
    elif _words(label) < LABEL_MIN_WORDS:
        msg = {"da": f"Titlen {_q(label, 'da')} er kun ét ord; den siger ikke nok om, hvad brevet handler om.",
               "en": f"The title {_q(label, 'en')} is a single word; it does not say enough about the letter."}
    else:
        return []
    return [_fail(memo, loc, label, msg, sug)]


@memo_check(code="KM003", name="memo-cpr", impact=Impact.CRITICAL,
            title={"da": "Intet CPR-nummer i titel eller notifikation",
                   "en": "No CPR number in the title or notification"},
            description={"da": "Titel og notifikation vises i indbakken og på telefonens låseskærm, hvor andre "
                               "kan se dem. Et CPR-nummer må ikke stå der.",
                         "en": "The title and notification are shown in the inbox and on the phone's lock screen, "
                               "where others can see them. A CPR number must not be there."},
            help_url=DIGST)
def check_cpr(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    out = []
    for key in ("label", "notification", "additional_notification"):
        text = memo.get(key)
        found = cpr_matches(text or "")
        if not found:
            continue
        n = len(found)
        name = FIELD_NAMES[key]
        count_da = "et CPR-nummer" if n == 1 else f"{n} CPR-numre"
        count_en = "a CPR number" if n == 1 else f"{n} CPR numbers"
        out.append(_fail(memo, FIELD_LOCATORS[key], text, {
            "da": f"{name['da'][0].upper() + name['da'][1:]} indeholder {count_da}. Den vises i indbakken og "
                  "på telefonens låseskærm, hvor andre kan se den.",
            "en": f"{name['en'][0].upper() + name['en'][1:]} contains {count_en}. It is shown in the inbox and "
                  "on the phone's lock screen, where others can see it."},
            {"da": "Fjern CPR-nummeret fra feltet. Skriv det kun i selve brevet, hvis det er nødvendigt.",
             "en": "Remove the CPR number from the field. Put it only in the letter itself, if it is needed."}))
    return out


@memo_check(code="KM004", name="memo-notification-length", impact=Impact.SERIOUS,
            title={"da": "Notifikationen er højst 150 tegn", "en": "The notification is at most 150 characters"},
            description={"da": "En længere notifikation bliver skåret af på telefonen, og en NemSMS kommer ikke "
                               "med i sin helhed.",
                         "en": "A longer notification is cut off on the phone, and a NemSMS is not sent in full."},
            help_url=DIGST)
def check_notification_length(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    text = memo.get("notification")
    if not text:
        return INAPPLICABLE
    n = len(text)
    if n <= NOTIFICATION_MAX:
        return []
    loc = FIELD_LOCATORS["notification"]
    if _is_nemsms(memo):
        return [_fail(memo, loc, text, {
            "da": f"NemSMS-teksten (notification) er {n} tegn; højst {NOTIFICATION_MAX} tegn kommer med.",
            "en": f"The NemSMS text (notification) is {n} characters; at most {NOTIFICATION_MAX} are sent."},
            {"da": f"Forkort teksten i notification til højst {NOTIFICATION_MAX} tegn. Skriv det vigtigste først.",
             "en": f"Shorten the notification to at most {NOTIFICATION_MAX} characters. Put the key point first."},
            impact=Impact.SERIOUS)]
    return [_fail(memo, loc, text, {
        "da": f"Notifikationen er {n} tegn; på en telefon bliver den skåret af efter omkring "
              f"{NOTIFICATION_MAX} tegn.",
        "en": f"The notification is {n} characters; on a phone it is cut off after about {NOTIFICATION_MAX}."},
        {"da": f"Forkort notification til højst {NOTIFICATION_MAX} tegn, så hele beskeden kan ses.",
         "en": f"Shorten the notification to at most {NOTIFICATION_MAX} characters, so all of it is seen."},
        impact=Impact.MODERATE)]


@memo_check(code="KM005", name="memo-main-document", impact=Impact.SERIOUS,
            title={"da": "Hoveddokumentet er en PDF, HTML eller tekst",
                   "en": "The main document is PDF, HTML or text"},
            description={"da": "Modtageren skal kunne åbne brevet og få det læst op. Andre filtyper, fx billeder, "
                               "kan mange ikke åbne eller læse.",
                         "en": "The recipient must be able to open the letter and have it read aloud. Other file "
                               "types, such as images, many cannot open or read."},
            help_url=DIGST)
def check_main_document(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    if _is_nemsms(memo):
        return INAPPLICABLE
    allowed = ", ".join(ALLOWED_MAIN_TYPES)
    main = [f for f in memo.get("files") or [] if f.get("role") == "MainDocument"]
    if not main:
        return [_fail(memo, "/Message/MessageBody/MainDocument/File", "", {
            "da": "Beskeden har ingen fil i hoveddokumentet (MainDocument), så modtageren har intet brev at læse.",
            "en": "The message has no file in its main document (MainDocument), so there is no letter to read."},
            {"da": f"Læg brevet som en fil i MainDocument, i et format alle kan åbne ({allowed}).",
             "en": f"Put the letter as a file in MainDocument, in a format everyone can open ({allowed})."})]
    out = []
    for f in main:
        kind = (f.get("mime") or "").split(";")[0].strip().lower()
        if kind in ALLOWED_MAIN_TYPES:
            continue
        name = f.get("filename") or f["part"]
        shown = f.get("mime") or ""
        out.append(_fail(memo, f["locator"], f"<encodingFormat>{shown}</encodingFormat>", {
            "da": f"Hoveddokumentets fil \u00bb{name}\u00ab har typen \u00bb{shown or 'ingen'}\u00ab; modtageren kan "
                  "ikke regne med at kunne åbne eller få den læst op.",
            "en": f"The main document's file \u201c{name}\u201d is of type \u201c{shown or 'none'}\u201d; the "
                  "recipient cannot count on opening it or having it read aloud."},
            {"da": f"Send brevet som PDF (tilgængelig, med tags), HTML eller ren tekst ({allowed}), og sæt "
                   "encodingFormat til den rigtige type.",
             "en": f"Send the letter as a (tagged, accessible) PDF, HTML or plain text ({allowed}), and set "
                   "encodingFormat to the right type."}))
    return out


@memo_check(code="KM006", name="memo-file-language", impact=Impact.SERIOUS, wcag=("3.1.1",), level="A",
            title={"da": "Hver fil har det rigtige sprog", "en": "Each file has the right language"},
            description={"da": "Oplæsning bruger filens sprog til udtalen. Mangler sproget, eller er det forkert, "
                               "bliver teksten svær at forstå.",
                         "en": "Read-aloud uses the file's language for pronunciation. A missing or wrong language "
                               "makes the text hard to understand."})
def check_file_language(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    files = [f for f in memo.get("files") or [] if f.get("role") != "TechnicalDocument"]
    if not files:
        return INAPPLICABLE
    out = []
    for f in files:
        lang = (f.get("language") or "").strip()
        name = f.get("filename") or f["part"]
        said = _primary(lang)
        text = f.get("text_language")
        html = f"<inLanguage>{lang}</inLanguage>"
        sug = {"da": "Sæt filens sprog (inLanguage) til sprogkoden for det sprog, filen er skrevet på, "
                     "fx \u00bbda\u00ab for dansk og \u00bben\u00ab for engelsk.",
               "en": "Set the file's language (inLanguage) to the code of the language it is written in, "
                     "e.g. \u201cda\u201d for Danish, \u201cen\u201d for English."}
        if not lang:
            out.append(_fail(memo, f["locator"], "", {
                "da": f"Filen \u00bb{name}\u00ab har intet sprog (inLanguage), så oplæsning kan bruge den forkerte "
                      "udtale.",
                "en": f"The file \u201c{name}\u201d has no language (inLanguage), so it may be read aloud with "
                      "the wrong pronunciation."}, sug))
        elif not LANG_TAG.fullmatch(lang):
            out.append(_fail(memo, f["locator"], html, {
                "da": f"Filen \u00bb{name}\u00ab har sproget {_q(lang, 'da')}, som ikke er en sprogkode.",
                "en": f"The file \u201c{name}\u201d has the language {_q(lang, 'en')}, which is not a language "
                      "code."}, sug))
        elif text and said != text:
            out.append(_fail(memo, f["locator"], html, {
                "da": f"Filen \u00bb{name}\u00ab er markeret som {_q(lang, 'da')}, men teksten er på "
                      f"{_LANG_NAMES['da'].get(text, text)}.",
                "en": f"The file \u201c{name}\u201d is marked {_q(lang, 'en')}, but its text is in "
                      f"{_LANG_NAMES['en'].get(text, text)}."},
                {"da": f"Sæt filens sprog (inLanguage) til \u00bb{text}\u00ab.",
                 "en": f"Set the file's language (inLanguage) to \u201c{text}\u201d."}))
    return out


_LANG_NAMES = {"da": {"da": "dansk", "en": "engelsk"}, "en": {"da": "Danish", "en": "English"}}


@memo_check(code="KM007", name="memo-action-code", impact=Impact.SERIOUS,
            title={"da": "Handlinger har en gyldig handlingskode", "en": "Actions have a valid action code"},
            description={"da": "Digital Post viser en handling ud fra dens kode. En ukendt kode kan betyde, at "
                               "knappen ikke vises eller vises forkert.",
                         "en": "Digital Post shows an action by its code. An unknown code may mean the button is "
                               "not shown, or shown wrongly."},
            help_url=DIGST)
def check_action_code(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    actions = memo.get("actions") or []
    if not actions:
        return INAPPLICABLE
    codes = ", ".join(ACTION_CODES)
    out = []
    for a in actions:
        code = a.get("action_code")
        if code in ACTION_CODES:
            continue
        what_da = f"handlingskoden (actionCode) {_q(code, 'da')}, som ikke findes" if code else \
            "ingen handlingskode (actionCode)"
        what_en = f"the action code (actionCode) {_q(code, 'en')}, which does not exist" if code else \
            "no action code (actionCode)"
        out.append(_fail(memo, a["locator"], f"<actionCode>{code or ''}</actionCode>", {
            "da": f"Handlingen {_q(a.get('label'), 'da')} har {what_da}. Så kan Digital Post ikke vise den rigtigt.",
            "en": f"The action {_q(a.get('label'), 'en')} has {what_en}, so Digital Post cannot show it properly."},
            {"da": f"Sæt actionCode til en af: {codes}.", "en": f"Set actionCode to one of: {codes}."}))
    return out


def _generic_action_labels(config: dict[str, Any]) -> frozenset[str]:
    from core.klarsprog.lexicon import words_for

    return words_for(config.get("klarsprog") or {}).generic_links | GENERIC_ACTION_LABELS


@memo_check(code="KM008", name="memo-action-label", impact=Impact.SERIOUS, wcag=("2.4.4",), level="A",
            title={"da": "Handlinger har en tekst, der siger, hvad de gør",
                   "en": "Actions say what they do"},
            description={"da": "Knapteksten skal sige, hvad der sker. \u00bbKlik her\u00ab siger intet, især ikke "
                               "for den, der får siden læst op.",
                         "en": "The button text must say what happens. \u201cClick here\u201d says nothing, least of "
                               "all to someone who has the page read aloud."})
def check_action_label(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    actions = memo.get("actions") or []
    if not actions:
        return INAPPLICABLE
    generic = _generic_action_labels(ctx.config)
    sug = {"da": "Skriv i handlingens label, hvad knappen gør, fx \u00bbFlyt eller aflys din tid\u00ab "
                 "eller \u00bbBetal regningen\u00ab.",
           "en": "Say in the action's label what the button does, e.g. \u201cMove or cancel your appointment\u201d "
                 "or \u201cPay the bill\u201d."}
    out = []
    for a in actions:
        label = a.get("label") or ""
        code = a.get("action_code") or "?"
        if not label:
            msg = {"da": f"Handlingen ({code}) har ingen tekst (label), så knappen siger ikke, hvad den gør.",
                   "en": f"The action ({code}) has no text (label), so the button does not say what it does."}
        elif _norm(label) in generic:
            msg = {"da": f"Knapteksten {_q(label, 'da')} siger ikke, hvad handlingen gør.",
                   "en": f"The button text {_q(label, 'en')} does not say what the action does."}
        elif _words(label) < ACTION_MIN_WORDS:
            msg = {"da": f"Knapteksten {_q(label, 'da')} er kun ét ord; den siger ikke nok om, hvad handlingen gør.",
                   "en": f"The button text {_q(label, 'en')} is a single word; it does not say enough about "
                         "what the action does."}
        else:
            continue
        out.append(_fail(memo, a["locator"], f"<label>{label}</label>", msg, sug))
    return out


@memo_check(code="KM009", name="memo-action-url", impact=Impact.SERIOUS,
            title={"da": "Handlinger fører til en sikker https-adresse",
                   "en": "Actions lead to a secure https address"},
            description={"da": "En handling skal føre til en fuld, sikker adresse. En usikker eller forkert adresse "
                               "virker ikke eller kan misbruges.",
                         "en": "An action must lead to a full, secure address. An insecure or wrong address does "
                               "not work or can be abused."},
            help_url=DIGST)
def check_action_url(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    actions = memo.get("actions") or []
    if not actions:
        return INAPPLICABLE
    out = []
    for a in actions:
        url = a.get("url")
        name_da, name_en = _q(a.get("label"), "da"), _q(a.get("label"), "en")
        if not url:
            if a.get("action_code") == "AFTALE" and a.get("reservation"):
                continue
            out.append(_fail(memo, a["locator"], "", {
                "da": f"Handlingen {name_da} har ingen adresse (EntryPoint/url), så knappen fører ingen steder hen.",
                "en": f"The action {name_en} has no address (EntryPoint/url), so the button leads nowhere."},
                {"da": "Sæt EntryPoint/url til den fulde https://-adresse, knappen skal åbne.",
                 "en": "Set EntryPoint/url to the full https:// address the button should open."}))
            continue
        try:
            parts = urlsplit(url.strip())
            ok = parts.scheme.lower() == "https" and bool(parts.hostname)
        except ValueError:
            ok = False
        if ok:
            continue
        out.append(_fail(memo, a["locator"], f"<url>{url}</url>", {
            "da": f"Handlingen {name_da} har adressen {_q(url, 'da')}, som ikke er en fuld https://-adresse.",
            "en": f"The action {name_en} has the address {_q(url, 'en')}, which is not a full https:// address."},
            {"da": "Brug en fuld, sikker adresse, der begynder med https:// (ikke http:, javascript: eller en "
                   "relativ adresse).",
             "en": "Use a full, secure address starting with https:// (not http:, javascript: or a relative "
                   "address)."}))
    return out


def _parse_time(s: str) -> dt.datetime | None:
    if not ISO_DATETIME.fullmatch(s.strip()):
        return None
    try:
        return dt.datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _aware(t: dt.datetime) -> dt.datetime:
    """A MeMo date-time as an instant: without an offset, UTC is meant (xs:dateTime in MeMo, as
    KB005 and docs/letters.md read it)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.timezone.utc)


@memo_check(code="KM010", name="memo-action-time", impact=Impact.SERIOUS,
            title={"da": "Handlingers tider er gyldige", "en": "Action times are valid"},
            description={"da": "En aftale med en ugyldig tid, eller som slutter før den begynder, kan ikke lægges "
                               "i kalenderen og forvirrer modtageren.",
                         "en": "An appointment with an invalid time, or one that ends before it starts, cannot be "
                               "added to a calendar and confuses the recipient."},
            help_url=DIGST)
def check_action_time(artifacts: Artifacts, ctx: CheckContext) -> list[Finding] | Outcome:
    memo = artifacts["memo"]
    actions = [a for a in memo.get("actions") or [] if a.get("start") or a.get("end")]
    if not actions:
        return INAPPLICABLE
    out = []
    for a in actions:
        da, en, html = [], [], []
        times = {}
        for key, field in (("start", "startDateTime"), ("end", "endDateTime")):
            value = a.get(key)
            if not value:
                continue
            html.append(f"<{field}>{value}</{field}>")
            times[key] = _parse_time(value)
            if times[key] is None:
                da.append(f"{field} {_q(value, 'da')} er ikke en gyldig dato og tid")
                en.append(f"{field} {_q(value, 'en')} is not a valid date and time")
        if times.get("start") and times.get("end") and _aware(times["start"]) > _aware(times["end"]):
            da.append(f"tiden slutter ({a['end']}), før den begynder ({a['start']})")
            en.append(f"it ends ({a['end']}) before it starts ({a['start']})")
        if not da:
            continue
        out.append(_fail(memo, a["locator"], " ".join(html), {
            "da": f"Handlingen {_q(a.get('label'), 'da')}: " + "; ".join(da) + ".",
            "en": f"The action {_q(a.get('label'), 'en')}: " + "; ".join(en) + "."},
            {"da": "Skriv tiderne som ISO-dato og tid, fx 2026-12-08T09:30:00Z, og lad starten komme før slutningen.",
             "en": "Write the times as ISO date and time, e.g. 2026-12-08T09:30:00Z, with the start before the end."}))
    return out
