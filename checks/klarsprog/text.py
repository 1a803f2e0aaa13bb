"""Danish text analysis: blocks → sentences → words, with character offsets, and LIX.

Rules (docs/klarsprog.md):
- A text is a list of blocks (heading, paragraph, list item, table cell, line of a letter …).
  Every block ends a sentence.
- Inside a block a sentence ends at . ! ? or : followed by whitespace and a capital letter or a
  digit, except a full stop that belongs to a known abbreviation (f.eks., kl., nr. …), a single
  capital initial after a name (H.C. Andersen, Jens P. Hansen) or an ordinal before a month ("3. marts").
  Abbreviations that may close a sentence (osv., kr., min.) end it before a capital letter only. Full stops inside
  numbers (10.30, 5.678), URLs and e-mail addresses never end a sentence.
- A word is a run of letters, hyphenated compounds included (CT-scanning is one word); a number
  is a word (10.30, 3-værelses); a URL or e-mail address is one word. A long word has more than 6
  letters; numbers, URLs and e-mail addresses are never long.
- LIX = words / sentences + 100 × long words / words.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DATA = Path(__file__).parent / "data"

# Token kinds
WORD, NUMBER, ABBR, URL, EMAIL = "w", "n", "a", "u", "e"

# URLs and e-mail addresses are found first (they are rare; looking for them at every word would
# cost more than all the rest), then words and numbers between them.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]*[^\s<>\"'«».,;:!?)\]]")
EMAIL_LEFT = re.compile(r"[^\W_][\w.+-]*\Z")
EMAIL_RIGHT = re.compile(r"[^\W_][\w-]*(?:\.[\w-]+)+")
TOKEN_RE = re.compile(r"""
    (?P<a>[^\W\d_]{1,4}+(?:\.[^\W\d_]{1,4}+)++)(?=\.)
  | (?P<w>[^\W\d_]++(?:[-'’][^\W_]++)*+)
  | (?P<n>\d++(?:[.,:/]\d++)*+(?:-[^\W_]++(?:[.,:/]\d++)*+)*+)
""", re.VERBOSE)   # possessive quantifiers: no backtracking inside a word

# A candidate sentence end: punctuation, optional closing quotes/brackets, whitespace, then a
# capital letter or a digit (possibly after an opening quote or bracket).
# Danish quotes open with » and close with «; both directions are accepted.
END_RE = re.compile(r"([.!?:]+)[)\]\"'»«”’]*(?=\s+[\"'«»„“(]*[^\W\d_a-zæøåäöüéèáà]|\s+[\"'«»„“(]*\d)")
NON_LETTER = re.compile(r"[-'’.]")

BLOCK_KINDS = ("heading", "paragraph", "list_item", "table_cell", "line", "caption")


def read_list(path: Path) -> list[str]:
    """A word-list data file: one entry per line; '#' starts a comment."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


@lru_cache(maxsize=None)
def _default_list(name: str) -> tuple[str, ...]:
    return tuple(read_list(DATA / name))


@dataclass(frozen=True)
class Lexicon:
    """Word lists the analysis needs; users extend them through config."""
    abbreviations: frozenset[str]       # without the final full stop, lower case: "f.eks", "kl"
    final_abbreviations: frozenset[str]  # may end a sentence before a capital letter: "osv", "kr"
    months: frozenset[str]

    @classmethod
    def default(cls, extra_abbreviations: Iterable[str] = ()) -> Lexicon:
        abbr = {a.lower().rstrip(".") for a in (*_default_list("abbreviations.txt"), *extra_abbreviations)}
        final = {a.lower().rstrip(".") for a in _default_list("abbreviations-final.txt")}
        return cls(abbreviations=frozenset(abbr - final), final_abbreviations=frozenset(final),
                   months=frozenset(_default_list("months.txt")))


@dataclass
class Block:
    start: int
    end: int
    kind: str = "paragraph"
    level: int = 0          # heading level, 1–6


@dataclass
class Sentence:
    start: int
    end: int
    block: int              # index of its block
    first_token: int        # index into Analysis.tokens
    n_tokens: int
    long_words: int


@dataclass
class Analysis:
    text: str
    blocks: list[Block]
    tokens: list[tuple[int, int, str]]      # (start, end, kind)
    sentences: list[Sentence]
    long_flags: list[bool] = field(repr=False, default_factory=list)
    specials: list[tuple[int, int, str]] = field(repr=False, default_factory=list)  # URLs, e-mails

    def in_special(self, pos: int) -> bool:
        """Whether ``pos`` lies inside a URL or an e-mail address."""
        k = bisect.bisect_right([sp[0] for sp in self.specials], pos) - 1 if self.specials else -1
        return k >= 0 and pos < self.specials[k][1]

    @property
    def words(self) -> int:
        return len(self.tokens)

    @property
    def long_words(self) -> int:
        return sum(s.long_words for s in self.sentences)

    def lix(self, headings: bool = True) -> float | None:
        sents = self.sentences if headings else [s for s in self.sentences
                                                 if self.blocks[s.block].kind != "heading"]
        return lix_of(sum(s.n_tokens for s in sents), len(sents), sum(s.long_words for s in sents))

    def token_text(self, i: int) -> str:
        s, e, _ = self.tokens[i]
        return self.text[s:e]

    def sentence_starts(self) -> set[int]:
        """Token indices that begin a sentence."""
        return {s.first_token for s in self.sentences}


def lix_of(words: int, sentences: int, long_words: int) -> float | None:
    if not words or not sentences:
        return None
    return round(words / sentences + 100.0 * long_words / words, 1)


LIX_BANDS = ((24, "very_easy"), (34, "easy"), (44, "medium"), (54, "hard"))
BAND_NAMES = {
    "very_easy": {"da": "meget let", "en": "very easy"},
    "easy": {"da": "let", "en": "easy"},
    "medium": {"da": "middel", "en": "medium"},
    "hard": {"da": "svær", "en": "hard"},
    "very_hard": {"da": "meget svær", "en": "very hard"},
}


def lix_band(lix: float) -> str:
    """Band by Det Danske Sprog- og Litteraturselskab, on LIX rounded to a whole number."""
    whole = int(lix + 0.5)
    for top, name in LIX_BANDS:
        if whole <= top:
            return name
    return "very_hard"


def is_long(token: str, kind: str) -> bool:
    if kind != WORD and kind != ABBR:
        return False
    letters = len(token) - len(NON_LETTER.findall(token)) if ("-" in token or "'" in token or "’" in token
                                                             or "." in token) else len(token)
    return letters > 6


def special_spans(text: str) -> list[tuple[int, int, str]]:
    """URLs and e-mail addresses in ``text``, in order."""
    urls = [(m.start(), m.end(), URL) for m in URL_RE.finditer(text)]
    url_starts = [u[0] for u in urls]
    out = list(urls)
    i = text.find("@")
    while i != -1:
        left = EMAIL_LEFT.search(text, max(0, i - 64), i)
        right = EMAIL_RIGHT.match(text, i + 1)
        if left and right:
            k = bisect.bisect_right(url_starts, left.start()) - 1
            if k < 0 or urls[k][1] <= left.start():          # not inside a URL
                out.append((left.start(), right.end(), EMAIL))
        i = text.find("@", i + 1)
    out.sort()
    return out


def _tokenise(text: str, start: int, end: int, specials: list[tuple[int, int, str]],
              starts: list[int]):
    finditer = TOKEN_RE.finditer
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    inside = specials[lo:hi]
    if not inside:
        return [(m.start(), m.end(), m.lastgroup) for m in finditer(text, start, end)]
    out, pos = [], start
    for sp in inside:
        out += [(m.start(), m.end(), m.lastgroup) for m in finditer(text, pos, max(pos, sp[0]))]
        out.append(sp)
        pos = sp[1]
    out += [(m.start(), m.end(), m.lastgroup) for m in finditer(text, pos, end)]
    return out


def _long(text: str, s: int, e: int, kind: str) -> bool:
    if e - s <= 6 or (kind != WORD and kind != ABBR):
        return False
    if text.find("-", s, e) < 0 and text.find(".", s, e) < 0 and text.find("'", s, e) < 0 \
            and text.find("’", s, e) < 0:
        return True
    return is_long(text[s:e], kind)


def analyse(text: str, blocks: list[Block] | None = None, lexicon: Lexicon | None = None) -> Analysis:
    """Tokenise ``text`` (split into ``blocks``; by default one block per non-empty line)."""
    lex = lexicon or Lexicon.default()
    if blocks is None:
        blocks = blocks_from_lines(text)
    tokens: list[tuple[int, int, str]] = []
    long_flags: list[bool] = []
    sentences: list[Sentence] = []
    abbreviations, finals, months = lex.abbreviations, lex.final_abbreviations, lex.months
    specials = special_spans(text) if ("@" in text or "www." in text or "http" in text) else []
    special_starts = [sp[0] for sp in specials]
    for bi, block in enumerate(blocks):
        first = len(tokens)
        toks = _tokenise(text, block.start, block.end, specials, special_starts)
        tokens += toks
        if ("-" in text[block.start:block.end] or "'" in text[block.start:block.end]
                or "’" in text[block.start:block.end]):
            long_flags += [_long(text, s, e, k) for s, e, k in toks]
        else:   # no hyphen or apostrophe in the block: a word is long when it has over 6 letters
            long_flags += [e - s > 6 and k != NUMBER and k != URL and k != EMAIL
                           and (k != ABBR or is_long(text[s:e], k)) for s, e, k in toks]
        last = len(tokens)
        if last == first:
            continue
        # token indices after which a sentence ends inside the block
        cut_after: list[int] = []
        ti = first
        for m in END_RE.finditer(text, block.start, block.end):
            pos = m.start()
            while ti < last and tokens[ti][1] <= pos:
                ti += 1
            prev = ti - 1
            if prev < first or (cut_after and cut_after[-1] == prev) or prev == last - 1:
                continue
            if (m.group(1) == "." and tokens[prev][1] == pos
                    and not _ends_sentence(text, tokens, prev, last, abbreviations, finals, months)):
                continue
            cut_after.append(prev)
        start_tok = first
        for cut in [*cut_after, last - 1]:
            n = cut - start_tok + 1
            if n <= 0:
                continue
            s_start = tokens[start_tok][0]
            while s_start > block.start and text[s_start - 1] in "»«\"'„“(":
                s_start -= 1                         # an opening quote belongs to its sentence
            s_end = _sentence_end(text, tokens[cut][1], block.end)
            sentences.append(Sentence(start=s_start, end=s_end, block=bi, first_token=start_tok,
                                      n_tokens=n, long_words=sum(long_flags[start_tok:cut + 1])))
            start_tok = cut + 1
    return Analysis(text=text, blocks=blocks, tokens=tokens, sentences=sentences, long_flags=long_flags,
                    specials=specials)


def _sentence_end(text: str, pos: int, limit: int) -> int:
    """Extend a sentence over its closing punctuation and quotes."""
    while pos < limit and text[pos] in ".!?:)]\"'»«”’…":
        pos += 1
    return pos


def _ends_sentence(text, tokens, prev, last, abbreviations, finals, months) -> bool:
    s, e, kind = tokens[prev]
    word = text[s:e]
    if kind in (WORD, ABBR):
        if len(word) > 1 and word.isupper() and "." not in word:
            return True                                # an acronym (MR, CT), not the abbreviation mr.
        low = word.lower()
        if low in abbreviations:
            return False
        if low in finals:                              # "… 5 kr. Skriv", but "kr. 500"
            return prev + 1 < last and not text[tokens[prev + 1][0]].isdigit()
        if kind == ABBR and all(len(p) == 1 and p.isupper() for p in word.split(".")):
            return False                               # initials: H.C. Andersen
        if len(word) == 1 and word.isupper() and prev > 0:
            ps, pe, pk = tokens[prev - 1]              # Jens P. Hansen, but not "afsnit B. Du …"
            if pk == WORD and text[ps].isupper():
                return False
    elif kind == NUMBER and len(word) <= 2 and word.isdigit() and prev + 1 < last:
        ns, ne, _ = tokens[prev + 1]
        if text[ns:ne].lower().rstrip(".") in months:  # "3. Marts" written with a capital
            return False
    return True


def blocks_from_lines(text: str) -> list[Block]:
    """Plain text: every non-empty line is a block (the line of a letter), except that a line
    starting with a lower-case letter continues the line before it (hard-wrapped prose)."""
    blocks: list[Block] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        start = pos + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        pos += len(line)
        if not stripped:
            blocks.append(None)  # type: ignore[arg-type]  # a blank line: a paragraph break
            continue
        prev = blocks[-1] if blocks else None
        if prev is not None and stripped[0].islower():
            prev.end = end
        else:
            blocks.append(Block(start, end, "line"))
    return [b for b in blocks if b is not None]
