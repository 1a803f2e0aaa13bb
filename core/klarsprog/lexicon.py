"""The word lists of the plain-language checks, from data files plus the user's config."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core.klarsprog.text import DATA, Lexicon, read_list

INFLECTIONS = ("erne", "ene", "ens", "ers", "en", "er", "et", "es", "e", "n", "r", "s", "t")


def _pairs(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        word, _, alt = line.partition("=")
        if word.strip():
            out[word.strip().lower()] = alt.strip()
    return out


def find_all(haystack: str, needles) -> list[int]:
    """Every position of every needle, sorted (str.find: a C scan, far faster than a regex
    alternation of literal words)."""
    out = []
    for n in needles:
        i = haystack.find(n)
        while i != -1:
            out.append(i)
            i = haystack.find(n, i + 1)
    out.sort()
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
    jargon_forms: dict[str, str]
    jargon_stems: tuple[str, ...]
    suffix_res: tuple[re.Pattern, ...]
    suffix_stop: frozenset[str]
    bureaucratic: dict[str, str]
    bureaucratic_first: dict[str, list[re.Pattern]]
    known_abbreviations: frozenset[str]
    generic_links: frozenset[str]
    dotted: frozenset[str]           # dotted abbreviations worth explaining: "pga", "mht"


LINK_TRAILING = ".:!»›>→…\u00a0 "   # characters stripped from the end of a link text (a set)


def link_label(text: str) -> str:
    """A link text as the generic-link list has it: lower case, one space between words, without
    final punctuation and arrows."""
    return " ".join(text.strip().rstrip(LINK_TRAILING).strip().lower().split())


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
    jargon_forms: dict[str, str] = {}       # every inflected form → the listed word
    for word in jargon:
        for infl in ("", *INFLECTIONS):
            jargon_forms[word + infl] = word
        if word.endswith("um"):             # ambulatorium → ambulatoriet, ambulatorier
            for infl in ("et", "er", "erne", "ets"):
                jargon_forms[word[:-2] + infl] = word
        elif word[-1] not in "aeiouyæøå":   # tablet → tabletter, tabletterne
            for infl in ("er", "erne", "en", "ens"):
                jargon_forms[word + word[-1] + infl] = word
    jargon_stems = tuple(sorted({w[:5] for w in jargon_forms}))
    # Patterns run on the lower-cased text without a look-behind (the checks test the word start
    # themselves), so the regex engine can scan ahead quickly.

    suffixes = read_list(DATA / "medical-suffixes.txt")
    suffix_res = tuple(re.compile(re.escape(x) + r"(?:en|er|erne|ens)?(?![\w-])") for x in suffixes)
    bureaucratic = _pairs([*read_list(DATA / "bureaucratic.txt"), *extra["bureaucratic"]])
    bur_first: dict[str, list[re.Pattern]] = {}   # a phrase's longest word → the phrases with it
    for phrase in sorted(bureaucratic, key=len, reverse=True):
        bur_first.setdefault(max(phrase.split(), key=len), []).append(
            re.compile(re.escape(phrase).replace(r"\ ", r"\s+") + r"(?!\w)"))
    allow = [*read_list(DATA / "nominalisation-allow.txt"), *extra["allow_nominalisations"]]
    nominal_allow = re.compile("(?:" + _alternation(w.lower() for w in allow) + ")$")
    known = {w.lower().rstrip(".") for w in (*read_list(DATA / "abbreviations-known.txt"),
                                              *extra["known_abbreviations"])}
    generic = {w.lower() for w in (*read_list(DATA / "generic-link-texts.txt"), *extra["generic_link_texts"])}
    bureaucratic_words = {w.rstrip(".") for w in bureaucratic}
    dotted = frozenset(a for a in lex.abbreviations | lex.final_abbreviations
                       if len(a) > 1 and a not in known and a not in bureaucratic_words)
    return Words(
        lexicon=lex,
        deponents=frozenset(read_list(DATA / "deponent-verbs.txt")),
        modals=tuple(read_list(DATA / "modal-verbs.txt")),
        nominal_allow=nominal_allow,
        nominal_stop=frozenset(read_list(DATA / "nominalisation-stop.txt")),
        jargon=jargon, jargon_forms=jargon_forms, jargon_stems=jargon_stems, suffix_res=suffix_res,
        suffix_stop=frozenset(read_list(DATA / "medical-suffix-stop.txt")),
        bureaucratic=bureaucratic, bureaucratic_first=bur_first,
        known_abbreviations=frozenset(known), generic_links=frozenset(generic), dotted=dotted,
    )
