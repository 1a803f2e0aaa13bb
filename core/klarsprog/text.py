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
from functools import cached_property, lru_cache
from operator import itemgetter
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
# Possessive quantifiers: no backtracking inside a word. A dotted run (kl.kl.kl…) that is not
# followed by a full stop is no abbreviation; the branch "x" then takes all of its pieces but the
# last at once (_words splits them into words; the last piece is left for "w"), so the
# abbreviation branch does not scan the rest of the run again from every piece (it was quadratic
# on "kl.kl.kl…kl"). "x" is only tried where "a" failed, and its group stops at the run's last
# piece, which is never followed by a full stop.
TOKEN_RE = re.compile(r"""
    (?P<a>[^\W\d_]{1,4}+(?:\.[^\W\d_]{1,4}+)++)(?=\.)
  | (?P<x>(?:[^\W\d_]{1,4}+\.)++)(?=[^\W\d_])
  | (?P<w>[^\W\d_]++(?:[-'’][^\W_]++)*+)
  | (?P<n>\d++(?:[.,:/]\d++)*+(?:-[^\W_]++(?:[.,:/]\d++)*+)*+)
""", re.VERBOSE)

# A candidate sentence end: punctuation, optional closing quotes/brackets, whitespace, then a
# capital letter or a digit (possibly after an opening quote or bracket).
# Danish quotes open with » and close with «; both directions are accepted.
# Whether a run of punctuation ends a sentence does not depend on where in the run the match
# starts, so a match starts only where a run starts (the look-behind; end_matches handles a
# block that starts inside a run), and nothing is given back (possessive quantifiers): linear on
# long runs of . : ! ? instead of quadratic.
END_HEAD = (r"([.!?:]++)[)\]\"'»«”’]*+"
            r"(?=\s++[\"'«»„“(]*+(?:[^\W\d_a-zæøåäöüéèáà]|\d))")
END_RE = re.compile(r"(?<![.!?:])" + END_HEAD)
END_AT = re.compile(END_HEAD)
END_CHARS = frozenset(".!?:")
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


@dataclass(slots=True)
class Block:
    start: int
    end: int
    kind: str = "paragraph"
    level: int = 0          # heading level, 1–6
    n_sentences: int = 0    # filled in by analyse
    n_words: int = 0


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    block: int              # index of its block
    first_word: int         # offset of its first word
    n_tokens: int           # words
    long_words: int


@dataclass
class Analysis:
    text: str
    blocks: list[Block]
    sentences: list[Sentence]
    specials: list[tuple[int, int, str]] = field(repr=False, default_factory=list)  # URLs, e-mails
    compounds: list[tuple[int, str]] = field(repr=False, default_factory=list)  # (search from, word)
    _tokens: list[tuple[int, int, str]] | None = field(repr=False, default=None)

    @cached_property
    def words(self) -> int:
        return sum(s.n_tokens for s in self.sentences)

    @cached_property
    def long_words(self) -> int:
        return sum(s.long_words for s in self.sentences)

    @property
    def tokens(self) -> list[tuple[int, int, str]]:
        """Every word as (start, end, kind), built on first use (the counts above do not need it)."""
        if self._tokens is None:
            starts = [sp[0] for sp in self.specials]
            self._tokens = [t for b in self.blocks
                            for t in _tokenise(self.text, b.start, b.end, self.specials, starts)]
        return self._tokens

    @property
    def long_flags(self) -> list[bool]:
        return [is_long(self.text[s:e], k) for s, e, k in self.tokens]

    def in_special(self, pos: int) -> bool:
        """Whether ``pos`` lies inside a URL or an e-mail address."""
        specials = self.specials
        if not specials:
            return False
        # The start offsets are kept between calls (the checks ask once per time or date; building
        # them every time made a text with many URLs quadratic); rebuilt if the list changes.
        index = self.__dict__.get("_special_index")
        if index is None or index[0] is not specials or index[1] != len(specials):
            index = self.__dict__["_special_index"] = (specials, len(specials), [sp[0] for sp in specials])
        k = bisect.bisect_right(index[2], pos) - 1
        return k >= 0 and pos < specials[k][1]

    @cached_property
    def heading_totals(self) -> tuple[int, int, int]:
        """(words, sentences, long words) in headings."""
        w = n = lw = 0
        for b in self.blocks:
            if b.kind == "heading":
                w, n = w + b.n_words, n + b.n_sentences
                lw += sum(s.long_words for s in self.sentences_of(b))
        return w, n, lw

    def sentences_of(self, block: Block) -> list[Sentence]:
        i = bisect.bisect_left(self._sentence_starts, block.start)
        out = []
        while i < len(self.sentences) and self.sentences[i].start < block.end:
            out.append(self.sentences[i])
            i += 1
        return out

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def lix(self, headings: bool = True) -> float | None:
        if headings:
            return lix_of(self.words, len(self.sentences), self.long_words)
        hw, hn, hl = self.heading_totals
        return lix_of(self.words - hw, len(self.sentences) - hn, self.long_words - hl)


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


_KIND = itemgetter(2)


def _words(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """The words in text[a:b] as (start, end, kind)."""
    out = [(m.start(), m.end(), m.lastgroup) for m in TOKEN_RE.finditer(text, a, b)]
    if "x" not in map(_KIND, out):
        return out
    words = []
    for s, e, kind in out:
        if kind == "x":                 # the pieces of a dotted run that is no abbreviation: words
            for piece in text[s:e].split(".")[:-1]:
                words.append((s, s + len(piece), WORD))
                s += len(piece) + 1
        else:
            words.append((s, e, kind))
    return words


def _tokenise(text: str, start: int, end: int, specials: list[tuple[int, int, str]],
              starts: list[int]):
    lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
    inside = specials[lo:hi]
    if not inside:
        return _words(text, start, end)
    out, pos = [], start
    for sp in inside:
        out += _words(text, pos, max(pos, sp[0]))
        out.append(sp)
        pos = sp[1]
    out += _words(text, pos, end)
    return out


# Counting without building a token list (the hot path): a word is a run that starts and ends
# with a letter or digit and may hold . , : / - ' inside (f.eks, 10.30, CT-scanning, 3-værelses);
# findall returns the words as strings, in C, and only words over 6 characters are looked at.
COUNT_RE = re.compile(r"[^\W_](?:[\w.,:/'’-]*(?<=[^\W_]))?")
BACK_CHARS = frozenset(".-'’")
COMPOUND_MIN = 12          # words with more letters are kept as long-compound candidates


def _letters_long(w: str) -> bool:
    """Over 6 letters, not a number (numbers are never long)."""
    if w.isalpha():
        return True
    if w[0].isdigit():
        return False
    return sum(c.isalpha() for c in w) > 6


def _count(text: str, a: int, b: int, compounds: list) -> tuple[int, int]:
    """(words, long words) in text[a:b], which holds no URL or e-mail address."""
    if a >= b:
        return 0, 0
    ws = COUNT_RE.findall(text, a, b)
    longs = [w for w in ws if len(w) > 6]
    n_long = 0
    for w in longs:
        if _letters_long(w):
            n_long += 1
            if len(w) > COMPOUND_MIN:
                compounds.append((a, w))
    return len(ws), n_long


def _count_span(text: str, a: int, b: int, specials, starts, compounds) -> tuple[int, int]:
    lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
    if lo == hi:
        return _count(text, a, b, compounds)
    n = long_ = 0
    pos = a
    for sp in specials[lo:hi]:
        w, lw = _count(text, pos, sp[0], compounds)
        n, long_, pos = n + w + 1, long_ + lw, sp[1]   # a URL or e-mail is one word, never long
    w, lw = _count(text, pos, b, compounds)
    return n + w, long_ + lw


def analyse(text: str, blocks: list[Block] | None = None, lexicon: Lexicon | None = None) -> Analysis:
    """Split ``text`` (in ``blocks``; by default one block per non-empty line) into sentences and
    count their words and long words."""
    lex = lexicon or Lexicon.default()
    if blocks is None:
        blocks = blocks_from_lines(text)
    sentences: list[Sentence] = []
    abbreviations, finals, months = lex.abbreviations, lex.final_abbreviations, lex.months
    specials = special_spans(text) if ("@" in text or "www." in text or "http" in text) else []
    starts = [sp[0] for sp in specials]
    compounds: list[tuple[int, str]] = []
    findall = COUNT_RE.findall
    for bi, block in enumerate(blocks):
        bs, be = block.start, block.end
        block.n_sentences = block.n_words = 0
        cuts = []
        for m in end_matches(text, bs, be):
            pos = m.start()
            if m.group(1) == ".":
                j = pos
                while j > bs and (text[j - 1].isalnum() or text[j - 1] in BACK_CHARS):
                    j -= 1
                if j < pos and not _ends_after(text, j, pos, m.end(), bs, abbreviations, finals, months):
                    continue
            cuts.append(m.end())
        a = bs
        for b in [*cuts, be]:
            if specials:
                n, long_ = _count_span(text, a, b, specials, starts, compounds)
            else:                                    # _count, inlined: the hot path
                ws = findall(text, a, b)
                n, long_ = len(ws), 0
                for w in ws:
                    if len(w) > 6 and (w.isalpha() or _letters_long(w)):
                        long_ += 1
                        if len(w) > COMPOUND_MIN:
                            compounds.append((a, w))
            if n:
                fw = a
                while fw < b and not text[fw].isalnum():
                    fw += 1                          # the first word (or URL) of the sentence
                s_start = fw
                while s_start > bs and text[s_start - 1] in "»«\"'„“(":
                    s_start -= 1                     # an opening quote belongs to its sentence
                end = b
                while end > s_start and text[end - 1].isspace():
                    end -= 1
                sentences.append(Sentence(s_start, end, bi, fw, n, long_))
                block.n_sentences += 1
                block.n_words += n
            a = b
    return Analysis(text=text, blocks=blocks, sentences=sentences, specials=specials,
                    compounds=compounds)


_RUN_PAIRS = frozenset(a + b for a in END_CHARS for b in END_CHARS)


def end_matches(text: str, bs: int, be: int):
    """The candidate sentence ends in text[bs:be], in order; group 1 is the punctuation."""
    if 0 < bs < be and text[bs - 1:bs + 1] in _RUN_PAIRS:
        return _end_matches_in_run(text, bs, be)
    return END_RE.finditer(text, bs, be)


def _end_matches_in_run(text: str, bs: int, be: int):
    """A block that starts inside a run of . ! ? : — END_RE's look-behind would wrongly skip the
    run's part inside the block."""
    m = END_AT.match(text, bs, be)
    if m:
        yield m
        bs = m.end()
    yield from END_RE.finditer(text, bs, be)


def _ends_after(text, j, pos, after, bs, abbreviations, finals, months) -> bool:
    """Whether the full stop at ``pos``, after the word text[j:pos], ends a sentence."""
    word = text[j:pos]
    if word[0].isdigit():
        if len(word) <= 2 and word.isdigit():       # "3. Marts" written with a capital
            nxt = re.match(r"\s*([^\W\d_]+)", text[after:after + 20])
            if nxt and nxt.group(1).lower() in months:
                return False
        return True
    if "." not in word and len(word) > 1 and word.isupper():
        return True                                 # an acronym (MR, CT), not the abbreviation mr.
    low = word.lower()
    if low in abbreviations:
        return False
    if low in finals:                               # "… 5 kr. Skriv", but "kr. 500"
        rest = text[after:after + 8].lstrip(" \t\"'«»„“(")
        return not (rest[:1].isdigit())
    parts = word.split(".")
    if len(parts) > 1 and all(len(p) == 1 and p.isupper() for p in parts):
        return False                                # initials: H.C. Andersen
    if len(word) == 1 and word.isupper() and j > bs:
        k = j - 1
        while k > bs and text[k - 1] == " ":
            k -= 1
        if k < j - 1:                               # Jens P. Hansen, but not "afsnit B. Du …"
            i = k
            while i > bs and text[i - 1].isalpha():
                i -= 1
            if i < k and text[i].isupper():
                return False
    return True


# A line's text without its outer spaces. The look-behind: a match never starts after a space (a
# line of spaces, or the spaces after a line's text, would be scanned again from each of them).
LINE_RE = re.compile(r"(?<![^\S\n])[^\S\n]*+(\S(?:[^\n]*\S)?)")


def blocks_from_lines(text: str) -> list[Block]:
    """Plain text: every non-empty line is a block (the line of a letter), except that a line
    starting with a lower-case letter continues the line before it (hard-wrapped prose); a blank
    line separates paragraphs."""
    blocks: list[Block] = []
    prev_end = -2
    count = text.count
    for m in LINE_RE.finditer(text):
        start, end = m.span(1)
        if blocks and text[start].islower() and count("\n", prev_end, start) == 1:
            blocks[-1].end = end
        else:
            blocks.append(Block(start, end, "line"))
        prev_end = end
    return blocks
