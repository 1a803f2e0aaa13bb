"""The workbench's own words, in Danish (the default) and English. Labels it shares with the text
report (headings, "Forslag", impacts) come from reports/i18n.py."""
from __future__ import annotations

from reports.i18n import LABELS

TEXTS: dict[str, dict[str, str]] = {
    "title": {"da": "Tjek din tekst", "en": "Check your text"},
    "brand": {"da": "klartjek: værkstedet for klart sprog", "en": "klartjek: the plain-language workbench"},
    "intro": {"da": "Skriv din tekst, sæt den ind, eller vælg en fil. Så viser vi, hvad der gør teksten svær at "
                    "læse, og hvad du kan skrive i stedet.",
              "en": "Type or paste your text, or choose a file. We show what makes it hard to read and what you "
                    "can write instead."},
    "privacy": {"da": "Teksten bliver på din computer. Vi gemmer intet, før du selv trykker på »Gem i historikken«.",
                "en": "The text stays on your computer. Nothing is saved until you press \u201cSave to the "
                      "history\u201d."},
    "text_label": {"da": "Din tekst", "en": "Your text"},
    "text_help": {"da": "Du kan også sætte en sms-skabelon ind, fx med {dato} og {tid}.",
                  "en": "You can also paste an SMS template, e.g. with {dato} and {tid}."},
    "live_help": {"da": "Resultatet kommer af sig selv, når du holder en pause.",
                  "en": "The result updates by itself when you pause."},
    "file_label": {"da": "Eller vælg en fil", "en": "Or choose a file"},
    "file_help": {"da": "Word (.docx), PDF, Digital Post (.xml) eller tekst (.txt, .md, .html). Højst {mb} megabyte. "
                        "Vælger du en fil, tjekker vi filen og ikke feltet ovenfor.",
                  "en": "Word (.docx), PDF, Digital Post (.xml) or text (.txt, .md, .html). At most {mb} MB. "
                        "With a file chosen, the file is checked, not the box above."},
    "file_note": {"da": "Vi tjekker kun sproget i en fil, ikke om selve PDF- eller Word-filen er tilgængelig.",
                  "en": "Only the language of a file is checked, not whether the PDF or Word file itself is "
                        "accessible."},
    "profile_legend": {"da": "Hvad er det for en tekst?", "en": "What kind of text is it?"},
    "profile_web": {"da": "Webside", "en": "Web page"},
    "profile_letter": {"da": "Brev", "en": "Letter"},
    "profile_patient-info": {"da": "Information til patienter", "en": "Patient information"},
    "profile_sms": {"da": "Sms", "en": "SMS"},
    "check": {"da": "Tjek teksten", "en": "Check the text"},
    "save": {"da": "Gem i historikken", "en": "Save to the history"},
    "save_help": {"da": "»Gem i historikken« tjekker teksten og gemmer den med fundene i {db}.",
                  "en": "\u201cSave to the history\u201d checks the text and saves it with its findings in {db}."},
    "result": {"da": "Resultat", "en": "Result"},
    "checked": {"da": "Tjekket: »{name}« som {profile}.", "en": "Checked: \u201c{name}\u201d as {profile}."},
    "status_checked": {"da": "Teksten er tjekket: {n} fund.", "en": "The text is checked: {n} findings."},
    "status_clean": {"da": "Teksten er tjekket. Vi fandt ingen problemer.",
                     "en": "The text is checked. We found no problems."},
    "status_failed": {"da": "Teksten kunne ikke tjekkes. Prøv igen.",
                      "en": "The text could not be checked. Try again."},
    "saved": {"da": "Gemt i historikken som kørsel {id}. Du kan se den igen med »klartjek show {id}«.",
              "en": "Saved to the history as run {id}. See it again with \u201cklartjek show {id}\u201d."},
    "cpr_masked": {"da": "Vi har skjult de sidste fire cifre i et CPR-nummer.",
                   "en": "The last four digits of a CPR number are hidden."},
    "problem": {"da": "Der er et problem", "en": "There is a problem"},
    "footer": {"da": "klartjek kører på din egen computer. Intet sendes videre.",
               "en": "klartjek runs on your own computer. Nothing is sent anywhere."},
    "pasted": {"da": "indsat tekst", "en": "pasted text"},
    # errors: one line each, the form kept as it was
    "err_empty": {"da": "Skriv en tekst, sæt den ind, eller vælg en fil.",
                  "en": "Type or paste a text, or choose a file."},
    "err_empty_file": {"da": "Filen »{name}« er tom. Vælg en fil med tekst i.",
                       "en": "The file \u201c{name}\u201d is empty. Choose a file with text in it."},
    "err_too_large": {"da": "Filen eller teksten er for stor. Den må højst fylde {mb} megabyte.",
                      "en": "The file or text is too large. It may be at most {mb} MB."},
    "err_unknown_type": {"da": "Vi kan ikke læse filer som »{name}«. Vælg en Word-fil (.docx), en PDF, en Digital "
                               "Post-besked (.xml) eller en tekstfil (.txt, .md, .html).",
                         "en": "Files such as \u201c{name}\u201d cannot be read. Choose a Word file (.docx), a PDF, a "
                               "Digital Post message (.xml) or a text file (.txt, .md, .html)."},
    "err_not_text": {"da": "»{name}« er ikke en tekstfil. Vælg en tekstfil, en Word-fil eller en PDF.",
                     "en": "\u201c{name}\u201d is not a text file. Choose a text file, a Word file or a PDF."},
    "err_wrong_content": {"da": "»{name}« hedder {suffix}, men indholdet passer ikke til det. Gem filen igen, og "
                                "prøv igen.",
                          "en": "\u201c{name}\u201d is named {suffix}, but its content is something else. Save the "
                                "file again and retry."},
    "err_unreadable": {"da": "Vi kunne ikke læse »{name}«. Filen er måske ødelagt. Gem den igen, og prøv igen.",
                       "en": "\u201c{name}\u201d could not be read. The file may be damaged. Save it again and retry."},
    "err_no_text": {"da": "Vi fandt ingen tekst i »{name}«. Er det en skannet side, kan vi ikke læse den.",
                    "en": "There is no text in \u201c{name}\u201d. A scanned page cannot be read."},
    "err_sms_long": {"da": "Teksten er for lang til en sms. Den må højst have {max} tegn.",
                     "en": "The text is too long for an SMS. It may have at most {max} characters."},
    "err_sms_placeholder": {"da": "Vi kender ikke den længste værdi af {{{name}}}. Skriv en værdi i stedet, eller "
                                  "sæt den i [sms] values i konfigurationen.",
                            "en": "{{{name}}} has no known longest value. Write a value instead, or set it in "
                                  "[sms] values in the configuration."},
    "err_profile": {"da": "Vælg, hvad det er for en tekst.", "en": "Choose what kind of text it is."},
    "err_form": {"da": "Vi kunne ikke læse formularen. Prøv igen.", "en": "The form could not be read. Try again."},
    "err_save": {"da": "Vi kunne ikke gemme i historikken. Se beskeden i terminalen.",
                 "en": "The text could not be saved to the history. See the message in the terminal."},
    "err_internal": {"da": "Noget gik galt, da vi tjekkede teksten. Se beskeden i terminalen.",
                     "en": "Something went wrong while checking the text. See the message in the terminal."},
}


def text(key: str, lang: str, **values) -> str:
    """A workbench text (or a report label) in ``lang``, with its {placeholders} filled in."""
    entry = TEXTS.get(key) or LABELS[key]
    s = entry.get(lang) or entry["en"]
    return s.format(**values) if values else s
