"""Every check klartjek runs, in one registry (checks/registry.py).

FAMILIES lists the modules that declare checks; importing one registers its checks (``@check``, or
axe-core's rules from their data). A new check is a function with ``@check`` in one of them (or in a
new module listed here) and its cases in checks/cases/CODE.yml (docs/adding-a-check.md).
"""
import importlib

from checks.registry import REGISTRY, CheckContext, CheckMeta, evaluate_all, evaluate_site

FAMILIES = (
    "checks.axe_checks",        # KA: axe-core's rules, from its data
    "checks.klarsprog.rules",   # KL: plain Danish
    "checks.pdf_checks",        # KP: PDF letters (PDF/UA)
    "checks.docx_checks",       # KD: Word letters
    "checks.memo_checks",       # KM: Digital Post (MeMo) messages
    "checks.letter_checks",     # KB: the key facts of an appointment letter
    "checks.site_checks",       # KS: a whole crawl (links that lead nowhere, titles, navigation …)
    "checks.keyboard_checks",   # KW001–KW019: keyboard and focus, by pressing Tab
    "checks.layout_checks",     # KW020–KW039: reflow, text size, text spacing, non-text contrast
    "checks.hover_checks",      # KW040–KW049: content on hover or focus
    "checks.motion_checks",     # KW050–KW059: sound and motion that start by themselves
    "checks.language_checks",   # KW060–KW069: the language of the page and of its parts
    "checks.link_checks",       # KW070–KW079: a link's purpose, with and without its context
    "checks.journey_checks",    # KJ: what a journey's actions showed (errors, status messages, dialogs …)
    "checks.sms_checks",        # KT: SMS reminders (length and encoding as phones see them, what they must hold)
)
for _module in FAMILIES:
    importlib.import_module(_module)

# Each family's code letters, module and what its checks read (docs/checks.md is made from this).
FAMILY_INFO = {
    "axe": ("KA", "checks/axe_checks.py", "axe-core's results in the rendered page (`axe`)"),
    "klarsprog": ("KL", "checks/klarsprog/rules.py", "the text of a page, letter or text (`text`)"),
    "pdf": ("KP", "checks/pdf_checks.py", "the facts of a PDF letter (`pdf`)"),
    "docx": ("KD", "checks/docx_checks.py", "the facts of a Word letter (`docx`)"),
    "memo": ("KM", "checks/memo_checks.py", "a Digital Post message (`memo`)"),
    "letter": ("KB", "checks/letter_checks.py", "a letter's text and its Digital Post actions (`letter`, `text`)"),
    "site": ("KS", "checks/site_checks.py", "a whole crawl: its pages, their titles, navigation and links "
             "(`site`)"),
    "keyboard": ("KW001–KW019", "checks/keyboard_checks.py", "what pressing Tab through the page showed (`keyboard`)"),
    "layout": ("KW020–KW039", "checks/layout_checks.py", "the page at 320 px, at 200 % text and with wider text "
               "spacing; form fields' edges (`layout`, `contrast`)"),
    "hover": ("KW040–KW049", "checks/hover_checks.py", "content that appears on hover or focus (`hover`)"),
    "motion": ("KW050–KW059", "checks/motion_checks.py", "sound and motion after the page loaded (`motion`)"),
    "language": ("KW060–KW069", "checks/language_checks.py", "the language of the page's text and of its "
                 "passages (`language`)"),
    "links": ("KW070–KW079", "checks/link_checks.py", "each link's name and the context around it (`links`)"),
    "journey": ("KJ", "checks/journey_checks.py", "a journey's state: what its last action changed, a dialog it "
                "opened, commitments, fields filled before, password fields, idle time (`journey`)"),
    "sms": ("KT", "checks/sms_checks.py", "an SMS reminder as a phone shows it: its text with the longest values, "
            "encoding and segments (`sms`)"),
}



def readability_summary(artifacts, config, ctx=None):
    """LIX, counts and why a text is not assessed, beside the plain-language score (from the
    analysis the plain-language checks made, given their context)."""
    from checks.klarsprog.rules import readability_summary as summary

    return summary(artifacts, config, ctx)


__all__ = ["REGISTRY", "CheckContext", "CheckMeta", "evaluate_all", "evaluate_site", "FAMILIES", "FAMILY_INFO",
           "readability_summary"]
