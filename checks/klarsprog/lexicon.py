"""The word lists of the plain-language checks, from data files plus the user's config."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from checks.klarsprog.text import DATA, Lexicon, read_list

INFLECTIONS = ("erne", "ene", "ens", "ers", "en", "er", "et", "es", "e", "n", "r", "s", "t")


def _pairs(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        word, _, alt = line.partition("=")
        if word.strip():
            out[word.strip().lower()] = alt.strip()
    return out


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Words:
    lexicon: Lexicon
    deponents: frozenset[str]
    modals: tuple[str, ...]
    nominal_allow: re.Pattern
    nominal_stop: frozenset[str]
    jargon: dict[str, str]
    jargon_re: re.Pattern
    suffix_re: re.Pattern
    suffix_stop: frozenset[str]
    bureaucratic: dict[str, str]
    bureaucratic_re: re.Pattern
    known_abbreviations: frozenset[str]
    generic_links: frozenset[str]
    dotted_re: re.Pattern            # dotted abbreviations worth explaining: "pga.", "mht."


def words_for(settings: dict[str, Any]) -> Words:
    """Word lists for the klarsprog settings of a config (cached per distinct settings)."""
    key = json.dumps({k: settings.get(k, []) for k in (
        "abbreviations", "known_abbreviations", "allow_nominalisations", "jargon", "bureaucratic",
        "generic_link_texts")}, sort_keys=True)
    return _words(key)


@lru_cache(maxsize=8)
def _words(key: str) -> Words:
    extra = json.loads(key)
    lex = Lexicon.default(extra["abbreviations"])
    jargon = _pairs([*read_list(DATA / "medical-jargon.txt"), *extra["jargon"]])
    forms = []
    for word in jargon:
        forms.append(re.escape(word) + "(?:" + "|".join(INFLECTIONS) + ")?")
        if word.endswith("um"):             # ambulatorium → ambulatoriet, ambulatorier
            forms.append(re.escape(word[:-2]) + "(?:et|er|erne|ets)")
        elif word[-1] not in "aeiouyæøå" and " " not in word:   # tablet → tabletter, tabletterne
            forms.append(re.escape(word + word[-1]) + "(?:er|erne|en|ens)")
    # Patterns run on the lower-cased text and start with their literal text (no look-behind):
    # the checks test the word start themselves. That keeps the regex engine's fast scan.
    jargon_re = re.compile("(?:" + "|".join(sorted(forms, key=len, reverse=True)) + r")(?![\w-])")
    suffixes = read_list(DATA / "medical-suffixes.txt")
    suffix_re = re.compile("(?:" + _alternation(suffixes) + r")(?:en|er|erne|ens)?(?![\w-])")
    bureaucratic = _pairs([*read_list(DATA / "bureaucratic.txt"), *extra["bureaucratic"]])
    bur_re = re.compile("(?:" + _alternation(bureaucratic).replace(r"\ ", r"\s+") + r")(?!\w)")
    allow = [*read_list(DATA / "nominalisation-allow.txt"), *extra["allow_nominalisations"]]
    nominal_allow = re.compile("(?:" + _alternation(w.lower() for w in allow) + ")$")
    known = {w.lower().rstrip(".") for w in (*read_list(DATA / "abbreviations-known.txt"),
                                              *extra["known_abbreviations"])}
    generic = {w.lower() for w in (*read_list(DATA / "generic-link-texts.txt"), *extra["generic_link_texts"])}
    bureaucratic_words = {w.rstrip(".") for w in bureaucratic}
    dotted = sorted(a for a in lex.abbreviations | lex.final_abbreviations
                    if len(a) > 1 and a not in known and a not in bureaucratic_words)
    dotted_re = re.compile("(" + _alternation(dotted) + r")\.")
    return Words(
        lexicon=lex,
        deponents=frozenset(read_list(DATA / "deponent-verbs.txt")),
        modals=tuple(read_list(DATA / "modal-verbs.txt")),
        nominal_allow=nominal_allow,
        nominal_stop=frozenset(read_list(DATA / "nominalisation-stop.txt")),
        jargon=jargon, jargon_re=jargon_re, suffix_re=suffix_re,
        suffix_stop=frozenset(read_list(DATA / "medical-suffix-stop.txt")),
        bureaucratic=bureaucratic, bureaucratic_re=bur_re,
        known_abbreviations=frozenset(known), generic_links=frozenset(generic), dotted_re=dotted_re,
    )
