"""Labels of the reports in Danish (default) and English."""
from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "run": {"da": "Kørsel", "en": "Run"},
    "complete": {"da": "fuldført", "en": "complete"},
    "partial": {"da": "delvis", "en": "partial"},
    "documents": {"da": "dokumenter", "en": "documents"},
    "document": {"da": "Dokument", "en": "Document"},
    "score": {"da": "Score", "en": "Score"},
    "run_score": {"da": "Samlet WCAG-score", "en": "Overall WCAG score"},
    "status": {"da": "Status", "en": "Status"},
    "critical": {"da": "Kritisk", "en": "Critical"},
    "serious": {"da": "Alvorlig", "en": "Serious"},
    "moderate": {"da": "Moderat", "en": "Moderate"},
    "minor": {"da": "Mindre", "en": "Minor"},
    "needs_review": {"da": "Skal vurderes", "en": "Needs review"},
    "failures": {"da": "Fejl", "en": "Failures"},
    "error": {"da": "fejl", "en": "error"},
    "not_audited": {"da": "ikke tjekket", "en": "not audited"},
    "no_failures": {"da": "Ingen fejl fundet.", "en": "No failures found."},
    "blocked": {"da": "Blokerede forespørgsler", "en": "Blocked requests"},
    "level": {"da": "niveau", "en": "level"},
    "best_practice": {"da": "god praksis", "en": "best practice"},
    "check_error": {"da": "Tjekket fejlede", "en": "The check failed"},
    "not_assessed": {"da": "–", "en": "–"},
    "elements": {"da": "elementer", "en": "elements"},
    "more": {"da": "flere", "en": "more"},
    "plain_score": {"da": "Klarsprogsscore", "en": "Plain-language score"},
    "run_plain_score": {"da": "Samlet klarsprogsscore", "en": "Overall plain-language score"},
    "without_headings": {"da": "uden overskrifter", "en": "without headings"},
    "words": {"da": "ord", "en": "words"},
    "sentences": {"da": "sætninger", "en": "sentences"},
    "long_words": {"da": "lange ord", "en": "long words"},
    "no_findings_text": {"da": "Ingen fund i teksten.", "en": "No findings in the text."},
    "text_report_title": {"da": "Klarsprogstjek", "en": "Plain-language check"},
    "figures": {"da": "Tal", "en": "Figures"},
    "the_text": {"da": "Teksten", "en": "The text"},
    "findings": {"da": "Fund", "en": "Findings"},
    "finding": {"da": "Fund", "en": "Finding"},
    "suggestion": {"da": "Forslag", "en": "Suggestion"},
    "lix": {"da": "LIX", "en": "LIX"},
    "lix_long": {"da": "LIX (mål for læsbarhed)", "en": "LIX (readability index)"},
    "plain_language": {"da": "klarsprog", "en": "plain language"},
    "plain_short": {"da": "Klarsprog", "en": "Plain"},
}


def t(key: str, lang: str) -> str:
    entry = LABELS[key]
    return entry.get(lang) or entry["en"]
