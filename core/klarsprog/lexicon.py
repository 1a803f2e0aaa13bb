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
    deponents: dict[str, tuple[str, ...]]   # verb → the conditions that make it passive or reciprocal
    modals: tuple[str, ...]
    nominal_allow: re.Pattern
    nominal_stop: frozenset[str]
    jargon: dict[str, str]
    jargon_forms: dict[str, str]
    jargon_stems: tuple[str, ...]
    jargon_phrases: tuple[tuple[re.Pattern, str], ...]
    jargon_acronyms: frozenset[str]       # the acronyms among them, as written: NSAID, MinSP
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
    jargon_lines = [*read_list(DATA / "medical-jargon.txt"), *extra["jargon"]]
    jargon = _pairs(jargon_lines)
    phrases = []                            # acronyms (NSAID, MinSP), dotted (p.n.) and multi-word terms
    for line in jargon_lines:
        word, _, alt = (x.strip() for x in line.partition("="))
        if " " in word or "." in word or word != word.lower():
            if word != word.lower():        # an acronym, case as written, also first in a compound: INR-værdi
                pat = re.compile(rf"(?<![\w-]){re.escape(word)}(?:-[^\W\d_]+)*(?![\w-])")
            else:
                body = re.escape(word).replace(r"\ ", r"\s+")
                pat = re.compile(rf"(?<![\w-]){body}(?:e|en|er|erne)?(?![\w-])", re.IGNORECASE)
            phrases.append((pat, alt))
            jargon.pop(word.lower(), None)
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
        deponents={line.split()[0]: tuple(line.split()[1:]) for line in read_list(DATA / "deponent-verbs.txt")},
        modals=tuple(read_list(DATA / "modal-verbs.txt")),
        nominal_allow=nominal_allow,
        nominal_stop=frozenset(read_list(DATA / "nominalisation-stop.txt")),
        jargon=jargon, jargon_forms=jargon_forms, jargon_phrases=tuple(phrases),
        jargon_acronyms=frozenset(w for w in (x.split("=")[0].strip() for x in jargon_lines)
                                  if w != w.lower() and " " not in w), jargon_stems=jargon_stems, suffix_res=suffix_res,
        suffix_stop=frozenset(read_list(DATA / "medical-suffix-stop.txt")),
        bureaucratic=bureaucratic, bureaucratic_first=bur_first,
        known_abbreviations=frozenset(known), generic_links=frozenset(generic), dotted=dotted,
    )


# -- Danish verb forms and words, from Debian's Danish Hunspell dictionary ---------------------------

IRREGULAR_PRESENT = {"gøre": "gør", "vide": "ved", "være": "er", "kunne": "kan", "skulle": "skal", "ville": "vil",
                     "burde": "bør", "turde": "tør", "måtte": "må", "have": "har", "spørge": "spørger"}


@dataclass(frozen=True)
class Verbs:
    """s-passive forms and past participles with their infinitive (core/klarsprog/data/da-verbs.tsv.gz,
    made from hunspell-da by scripts/build_da_verbs.py), and the dictionary's words (compound parts)."""
    passive: dict[str, str]          # varetages → varetage, sendtes → sende
    participle: dict[str, str]       # kontaktet → kontakte, indkaldt → indkalde
    infinitives: frozenset[str]
    words: frozenset[str]

    def present(self, infinitive: str) -> str:
        """The present tense: tage → tager, gå → går, gøre → gør."""
        return IRREGULAR_PRESENT.get(infinitive, infinitive + "r")

    def is_verb_present(self, word: str) -> bool:
        """Whether a word in -r is a verb in the present tense (ringer, bringer), not a noun in -ing."""
        return word.endswith("r") and word[:-1] in self.infinitives


def _gz_lines(name: str) -> list[str]:
    import gzip

    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def verbs() -> Verbs:
    passive, participle = {}, {}
    for line in _gz_lines("da-verbs.tsv.gz"):
        form, kind, lemma = line.split("\t")
        (passive if kind == "pas" else participle)[form] = lemma
    return Verbs(passive=passive, participle=participle,
                 infinitives=frozenset(passive.values()) | frozenset(participle.values()),
                 words=frozenset(_gz_lines("da-words.txt.gz")))


INFL_RIGHT = ("erne", "ene", "ens", "ets", "ers", "en", "et", "er", "es", "e", "s", "n", "r", "t")


PART_MAX = 10      # letters in one part of an everyday compound (without inflection)


def _split(w: str, parts: frozenset[str], min_part: int = 3) -> tuple[str, str] | None:
    """The first split of ``w`` into two dictionary words (a linking -s-/-e- and an inflected last part
    allowed), or None."""
    for i in range(min_part, len(w) - min_part + 1):
        left, right = w[:i], w[i:]
        if left not in parts and not (left[-1] in "se" and left[:-1] in parts and len(left) > 4):
            continue
        if right in parts or any(right.endswith(x) and len(right) - len(x) >= min_part and right[: -len(x)] in parts
                                 for x in INFL_RIGHT):
            return left, right
    return None


def _base(part: str, parts: frozenset[str]) -> str:
    if part in parts:
        return part
    for x in INFL_RIGHT:
        if part.endswith(x) and part[: -len(x)] in parts:
            return part[: -len(x)]
    return part[:-1] if part[-1] in "se" and part[:-1] in parts else part


def two_part_compound(word: str, parts: frozenset[str]) -> tuple[str, str] | None:
    """The two short dictionary words a compound is made of (handicap|parkeringen, parkerings|pladsen),
    with a linking -s- or -e- and an inflected last part allowed; None when it is not two words, or when
    a part has over PART_MAX letters (sygesikrings|kort: the first part is a compound itself)."""
    w = word.lower()
    found = None
    if "-" in w:
        a, _, b = w.partition("-")
        if a in parts and _base(b, parts) in parts:
            found = (a, b)
    else:
        found = _split(w, parts)
    if found is None:
        return None
    if any(len(_base(p, parts)) > PART_MAX for p in found):
        return None                           # a long part is a compound itself: syge|sikrings|kort
    return found
