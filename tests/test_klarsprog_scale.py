"""The Danish text engine (core/klarsprog/text.py) at scale: the sentence ends (END_RE), the lines
of a plain text (LINE_RE), the tokeniser (TOKEN_RE) and the URL look-up (Analysis.in_special) take
linear time on hostile text, with exactly the results of the former code, which is kept below as
the reference.

The former code was quadratic on long runs of one kind of character: END_RE on a run of . : ! ?
(or ...) that ends no sentence (8 kB 2.2 s, 32 kB 34 s); LINE_RE on a line of spaces or tabs, or
on the spaces after a line's text (32 kB 4.4 s); TOKEN_RE's abbreviation branch on a dotted run
like kl.kl.kl…kl that does not end in a full stop (32 kB 4.4 s); Analysis.in_special built the list
of URL starts at every call (the checks call it for every time and date: quadratic in a text with
many URLs and times).

Set KLARTJEK_SCALE_REFERENCE=1 to also run the scale tests against the reference code (they then
show that it grows quadratically; about two minutes).
"""
from __future__ import annotations

import ast
import bisect
import functools
import gc
import math
import os
import random
import re
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from audit.textextract import text_from_html, text_from_markdown, text_from_plain
from core.klarsprog import text as kt
from core.klarsprog.text import (BACK_CHARS, COMPOUND_MIN, COUNT_RE, Analysis, Block, Lexicon,
                                   Sentence, _count_span, _ends_after, _letters_long, analyse,
                                   blocks_from_lines, is_long, special_spans)

ROOT = Path(__file__).resolve().parent.parent


# ---- the reference: the former code, verbatim -----------------------------------------------------

REF_TOKEN_RE = re.compile(r"""
    (?P<a>[^\W\d_]{1,4}+(?:\.[^\W\d_]{1,4}+)++)(?=\.)
  | (?P<w>[^\W\d_]++(?:[-'’][^\W_]++)*+)
  | (?P<n>\d++(?:[.,:/]\d++)*+(?:-[^\W_]++(?:[.,:/]\d++)*+)*+)
""", re.VERBOSE)   # possessive quantifiers: no backtracking inside a word

REF_END_RE = re.compile(r"([.!?:]+)[)\]\"'»«”’]*(?=\s+[\"'«»„“(]*[^\W\d_a-zæøåäöüéèáà]|\s+[\"'«»„“(]*\d)")

REF_LINE_RE = re.compile(r"[^\S\n]*+(\S(?:[^\n]*\S)?)")   # a line's text without its outer spaces


def ref_tokenise(text: str, start: int, end: int, specials: list[tuple[int, int, str]],
                 starts: list[int]):
    finditer = REF_TOKEN_RE.finditer
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


def ref_tokens(self: Analysis) -> list[tuple[int, int, str]]:
    """Analysis.tokens, without the cache."""
    starts = [sp[0] for sp in self.specials]
    return [t for b in self.blocks for t in ref_tokenise(self.text, b.start, b.end, self.specials, starts)]


def ref_in_special(self: Analysis, pos: int) -> bool:
    """Whether ``pos`` lies inside a URL or an e-mail address."""
    k = bisect.bisect_right([sp[0] for sp in self.specials], pos) - 1 if self.specials else -1
    return k >= 0 and pos < self.specials[k][1]


def ref_blocks_from_lines(text: str) -> list[Block]:
    blocks: list[Block] = []
    prev_end = -2
    count = text.count
    for m in REF_LINE_RE.finditer(text):
        start, end = m.span(1)
        if blocks and text[start].islower() and count("\n", prev_end, start) == 1:
            blocks[-1].end = end
        else:
            blocks.append(Block(start, end, "line"))
        prev_end = end
    return blocks


def ref_analyse(text: str, blocks: list[Block] | None = None, lexicon: Lexicon | None = None) -> Analysis:
    lex = lexicon or Lexicon.default()
    if blocks is None:
        blocks = ref_blocks_from_lines(text)
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
        for m in REF_END_RE.finditer(text, bs, be):
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


# ---- comparing the two -------------------------------------------------------------------------------

def _probe_positions(a: Analysis) -> list[int]:
    n = len(a.text)
    if n <= 1500:
        return list(range(-1, n + 2))
    pos = set(range(0, n, max(1, n // 500)))
    for s, e, _ in a.specials:
        pos.update((s - 1, s, s + 1, e - 1, e, e + 1))
    return sorted(pos)


def _snapshot(a: Analysis, tokens, in_special) -> dict:
    """Everything the public interface of an analysis gives."""
    return {
        "blocks": [(b.start, b.end, b.kind, b.level, b.n_sentences, b.n_words) for b in a.blocks],
        "sentences": [(s.start, s.end, s.block, s.first_word, s.n_tokens, s.long_words) for s in a.sentences],
        "specials": list(a.specials), "compounds": list(a.compounds), "tokens": list(tokens),
        "long_flags": [is_long(a.text[s:e], k) for s, e, k in tokens],
        "words": a.words, "long_words": a.long_words, "lix": a.lix(), "lix_no_headings": a.lix(headings=False),
        "heading_totals": a.heading_totals,
        "sentences_of": [[(s.start, s.end) for s in a.sentences_of(b)] for b in a.blocks],
        "in_special": [in_special(p) for p in _probe_positions(a)],
    }


def _copy_blocks(blocks):
    return None if blocks is None else [Block(b.start, b.end, b.kind, b.level) for b in blocks]


def check_same(text: str, blocks: list[Block] | None = None) -> None:
    """The new analysis gives exactly what the reference gives, in every public output."""
    ref = ref_analyse(text, _copy_blocks(blocks))
    new = analyse(text, _copy_blocks(blocks))
    want = _snapshot(ref, ref_tokens(ref), lambda p: ref_in_special(ref, p))
    got = _snapshot(new, new.tokens, new.in_special)
    assert got["long_flags"] == new.long_flags
    assert got == want, f"differs on {text[:200]!r} with blocks {blocks and [(b.start, b.end) for b in blocks]}"


def check_parts_same(text: str, spans) -> None:
    """The three patterns' uses, compared directly on arbitrary spans (blocks may start anywhere,
    inside a run of full stops too)."""
    got_lines = [(b.start, b.end, b.kind, b.level) for b in blocks_from_lines(text)]
    assert got_lines == [(b.start, b.end, b.kind, b.level) for b in ref_blocks_from_lines(text)], text[:200]
    for bs, be in spans:
        want = [(m.start(), m.end(), m.group(1)) for m in REF_END_RE.finditer(text, bs, be)]
        assert [(m.start(), m.end(), m.group(1)) for m in kt.end_matches(text, bs, be)] == want, (text[:200], bs, be)
        want = [(m.start(), m.end(), m.lastgroup) for m in REF_TOKEN_RE.finditer(text, bs, be)]
        assert kt._words(text, bs, be) == want, (text[:200], bs, be)


def _spans(rng: random.Random, n: int, k: int = 12) -> list[tuple[int, int]]:
    out = [(0, n), (-1, n + 1), (n, n), (1, n)]
    for _ in range(k):
        a = rng.randint(-1, n + 1)
        out.append((a, rng.randint(a, n + 1) if rng.random() < 0.9 else rng.randint(-1, n + 1)))
    return out


KINDS = (("paragraph", 0), ("heading", 1), ("heading", 2), ("list_item", 0), ("table_cell", 0), ("line", 0),
         ("caption", 0))


def _cut_blocks(rng: random.Random, n: int) -> list[Block]:
    """Blocks that cut the text anywhere (inside words and runs of punctuation too), sometimes
    with gaps between them."""
    cuts = sorted({0, n, *(rng.randint(0, n) for _ in range(rng.randint(0, 8)))})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if rng.random() < 0.2:
            a = min(b, a + rng.randint(0, 3))
        kind, level = rng.choice(KINDS)
        out.append(Block(a, b, kind, level))
    return out


def check_all(text: str, rng: random.Random) -> None:
    check_same(text)
    check_same(text, [Block(0, len(text))])
    check_same(text, _cut_blocks(rng, len(text)))
    check_parts_same(text, _spans(rng, len(text)))


# ---- (a) the fixtures, the docs and the texts of the klarsprog tests --------------------------------

def _fixture_texts() -> list[tuple[str, str]]:
    out = []
    for pattern in ("fixtures/**/*", "docs/*.md", "README.md", "tests/golden/*.md"):
        for path in sorted(ROOT.glob(pattern)):
            if path.suffix in (".html", ".md", ".txt", ".xml", ".json") and path.is_file():
                out.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8", errors="replace")))
    return out


def _test_strings() -> list[str]:
    """Every string in the klarsprog tests (their example texts)."""
    out = []
    for name in ("test_klarsprog_checks.py", "test_klarsprog_text.py", "test_text_command.py"):
        tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
        out += sorted({n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                       and isinstance(n.value, str) and len(n.value) >= 2})
    return out


def test_fixture_files_give_the_same_analysis():
    rng = random.Random(7)
    files = _fixture_texts()
    assert len(files) > 30 and any(name.endswith(".html") for name, _ in files)
    for name, content in files:
        check_all(content, rng)                                 # the raw file as plain text
        arts = [text_from_plain(content)]
        if name.endswith(".html"):
            arts += [text_from_html(content), text_from_html(content, whole_page=False)]
        elif name.endswith(".md"):
            arts.append(text_from_markdown(content))
        for art in arts:
            check_same(art["text"], [Block(*b) for b in art["blocks"]])
            check_all(art["text"], rng)


def test_klarsprog_test_texts_give_the_same_analysis():
    rng = random.Random(8)
    texts = _test_strings()
    assert len(texts) > 200
    for text in texts:
        check_all(text, rng)
        art = text_from_markdown(text)
        check_same(art["text"], [Block(*b) for b in art["blocks"]])


# ---- (b) edge cases ------------------------------------------------------------------------------------

EDGE_CASES = [
    "", " ", "\n", ".", "..", "...", "....", ". A", ".. A", "... A", "a. A", "a.. A", "a... A", "a..", "a...",
    "Mød op kl. 10.30 den 3. marts 2026. Tag f.eks. en bog med, bl.a. til ventetiden.",
    "Tag f.eks. en bog. Tag bl.a. Bogen. Vi ses kl. 10.30. Den 3. december. Den 3. December kommer.",
    "Nå... Så er det nu. Hvad?! Nej!? Ja!!! Hvorfor??? Øh... hm.. Ok.", "Han sagde: »Kom nu.« Så gik han.",
    "Han sagde: »Kom nu!« »Så gik han.«", 'Hun sagde: "Ja." "Nej." (Måske.) [Ok.] Slut.', "Tid: kl. 10.30",
    "Husk: Kom i god tid.", "Prisen er 1.234,5 kr. pr. år. Det koster kr. 500. Det koster 20 kr. Husk det.",
    "Læs mere på www.regiondemo.dk/ct. Skriv til ct-ambulatoriet@regiondemo.dk: Vi svarer.",
    "Se https://example.com/a.b?c=d. Eller http://x.dk. Eller www.x.dk, www.y.dk; www.z.dk! www. A",
    "a@b.dk a.b@c.d.e x@y @z.dk @ @@ a@ @a. a@b. a@b.c. mail.mail@mail.mail.", "www.www.www.www.",
    "# Overskrift uden punktum\nBrødtekst her.\n## Anden overskrift\n- punkt et\n- punkt to",
    "Spørg H.C. Andersen om det. Spørg Jens P. Hansen. Gå til afsnit B. Du bliver hentet.",
    "kl.kl.kl.kl", "kl.kl.kl.kl.", "kl.kl.abcde.kl", "kl.abcde", "a.b.c.d.e.f", "a.b.c.d.e.f.", "abcde.fg.",
    "ab-cd.ef.gh", "ab-3kl.kl.kl", "3kl.kl.kl", "kl.1", "kl.kl.1", "f.eks.3", "kl.kl.\u00e6\u00f8\u00e5",
    "CT-scanningen varer 10.30-11.00 i 3-værelses lejligheder og koster 1,5 mio.", "10:30. Kl. 9:00: Mød op.",
    "Han's bog. Don’t. 'Citat.' ’Citat.’ „Citat.“ “Citat.”", "A.\n\nB.\nc.\n  d  \n\te\t\n", "a\r\nB\r\n\r\nc",
    "Det er 3. Marts. Det er 12. maj. Uge 12. Husk.", "osv. Det. osv. det. etc. Ok. m.fl. Og. mfl. 500",
    "MR. CT. Mr. Dr. Hansen. dr. Jensen.", "x. Y. z. Æ. Ø. Å. É. 1. 2. (3.) (A.) »B.« «C.»", "_._. _. A",
    "a .b . c .  D", "\u00a0Hej.\u00a0Du.\u2003Kom.\u3000Nu.", "Ja.\tNej.\vJa.\fNej.\x1cJa.\x85Nej.",
    " " * 50 + "\n" + "\t" * 50 + "\n" + "Hej" + " " * 50 + "\nDu" + "\t" * 30,
    "." * 60 + " A", ":" * 60, "..." * 20 + " 5", "?!" * 30 + " Hvad", "Se" + "." * 40, "a" + "!" * 40 + ")" * 5 + " B",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_give_the_same_analysis(text):
    rng = random.Random(text)
    check_all(text, rng)
    for _ in range(5):
        check_same(text, _cut_blocks(rng, len(text)))
    # every block start and end, on a short text: blocks that start inside a run of punctuation
    if len(text) <= 60:
        check_parts_same(text, [(a, b) for a in range(len(text) + 1) for b in range(a, len(text) + 1)])


# ---- (c) random texts ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _data(name: str) -> list[str]:
    return kt.read_list(kt.DATA / name)


WORDS = ("du", "skal", "møde", "op", "i", "god", "tid", "husk", "dit", "sygesikringskort", "undersøgelsen",
         "ambulatoriet", "medicin", "at", "og", "en", "der", "til", "med", "på", "hospitalet", "CT-scanning",
         "blodprøve", "venteværelset", "De", "Du", "Vi", "Region", "Hovedstaden", "Ærø", "Østerbro", "Århus",
         "é", "Kolding", "København", "MR", "CT", "H", "P", "B", "ø", "æblegrød", "hjertestopsbehandling",
         "can't", "Han's", "x", "Ab", "abcde", "fyrretyvende")
PUNCT = (".", ":", "!", "?", "...", "?!", ",", ";", "…", ".)", ".«", ".»", ".”", ".'", ").", "-", "/", "@", "_")
QUOTES = ("»", "«", '"', "'", "„", "“", "”", "’", "(", ")", "[", "]")
SPACES = (" ", " ", " ", "  ", "\t", "\n", "\n\n", " \n ", "\r\n", "\u00a0", "\u2003", "\t \t")


def _piece(rng: random.Random, abbrs: list[str], months: list[str]) -> str:
    r = rng.random()
    if r < 0.30:
        w = rng.choice(WORDS)
        return w.capitalize() if rng.random() < 0.25 else w
    if r < 0.40:
        return rng.choice(abbrs)
    if r < 0.48:
        return rng.choice((f"{rng.randint(0, 40)}.", f"{rng.randint(0, 23)}.{rng.randint(0, 59):02d}",
                           f"{rng.randint(0, 23)}:{rng.randint(0, 59):02d}", "1.234,5", "5.678", "3-værelses",
                           "10.30-11.00", f"{rng.randint(1, 31)}. {rng.choice(months)}", "2026", "1/2-2024",
                           f"{rng.randint(1, 31)}. {rng.choice(months).capitalize()}"))
    if r < 0.58:
        return rng.choice(PUNCT) * rng.choice((1, 1, 1, 2, 3, rng.randint(1, 30)))
    if r < 0.64:
        return "".join(rng.choice(QUOTES) for _ in range(rng.randint(1, 4)))
    if r < 0.72:                              # dotted runs: abbreviations or not
        segs = [rng.choice(("kl", "a", "b", "f", "eks", "abcd", "abcde", "ø", "X", "Hc", "1"))
                for _ in range(rng.randint(1, 8))]
        return ".".join(segs) + ("." if rng.random() < 0.5 else "")
    if r < 0.78:
        return rng.choice(("www.regiondemo.dk/ct", "https://example.dk/a.b?c=1.", "http://x.dk/", "www.", "http",
                           "ct-ambulatoriet@regiondemo.dk", "a.b@c.dk.", "x@y", "@", "www.a.dk:",
                           "(www.b.dk)", "»www.c.dk«", "mail@mail.mail.mail"))
    if r < 0.84:
        return rng.choice(("H.C.", "P.", "A.B.C.", "f.eks.", "bl.a.", "osv.", "kr.", "m.fl.", "ca.", "nr."))
    return rng.choice(SPACES) * rng.choice((1, 1, 2, rng.randint(1, 40)))


def random_text(rng: random.Random, pieces: int) -> str:
    abbrs = _data("abbreviations.txt") + _data("abbreviations-final.txt")
    months = _data("months.txt")
    out = []
    for _ in range(pieces):
        out.append(_piece(rng, abbrs, months))
        out.append(rng.choice((" ", " ", " ", "", "", "\n", rng.choice(SPACES))))
    return "".join(out)


def test_random_texts_give_the_same_analysis():
    rng = random.Random(20240611)
    for i in range(1500):
        text = random_text(rng, rng.randint(1, 80 if i % 10 else 400))
        check_all(text, rng)


# ---- (d) Hypothesis -------------------------------------------------------------------------------------

ATOMS = st.sampled_from([
    "a", "b", "kl", "f", "eks", "abcde", "A", "B", "Du", "Æ", "ø", "é", "MR", "H", "1", "2", "10", "3.", "10.30", "1,5",
    ".", ".", ".", ":", "!", "?", "...", "-", "'", "’", "/", "@", "_", "+", ",", "»", "«", '"', "„", "“", "”", "(",
    ")", "[", "]", " ", " ", " ", "\t", "\n", "\n", "\u00a0", "\r", "www.", "http://", "https://", ".dk", "@x.dk",
    "f.eks.", "bl.a.", "kl.", "osv.", "kr.", "nr.", "marts", "december", "Marts",
])
TEXTS = st.lists(ATOMS, max_size=60).map("".join)


@seed(20240611)
@settings(max_examples=1500, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=TEXTS, cuts=st.lists(st.integers(min_value=-1, max_value=130), max_size=8), rnd=st.randoms())
def test_hypothesis_texts_give_the_same_analysis(text, cuts, rnd):
    check_same(text)
    check_same(text, [Block(0, len(text))])
    points = sorted({0, len(text), *(c for c in cuts if 0 <= c <= len(text))})
    check_same(text, [Block(a, b, *rnd.choice(KINDS)) for a, b in zip(points, points[1:], strict=False)])
    spans = [(a, b) for a in points for b in points if a <= b] + [(c, len(text)) for c in cuts]
    check_parts_same(text, spans)


# ---- scale ---------------------------------------------------------------------------------------------
# The time of the whole analysis of a plain text as `klartjek text` does it (the lines, the
# sentences, the words, the long words, LIX, and the URL look-up at every time the checks ask
# about), on texts of 8 kB, 80 kB and 800 kB made of one hostile run or pattern. Ten times the
# text takes about ten times as long when the code is linear, and a hundred times as long when it
# is quadratic; the bound is forty. The base is the best of three runs, a step over the bound is
# timed once more before the test fails (the machine may be busy), the garbage collector is off
# while timing, and every run has a deadline at the bound, so quadratic code fails within
# seconds instead of running for hours. Measured on a (loaded) two-core machine, 32 kB: the
# former code 23 s (run of colons), 2.4 s (line of spaces), 3.1 s (kl.kl.kl…); the new 0.001 to
# 0.016 s on every kind below, and 0.015 to 0.3 s on 800 kB.

SCALE_SIZES = (8_000, 80_000, 800_000)
REFERENCE_SIZES = (2_000, 20_000, 200_000)     # the reference is slow already at 8 kB
GROWTH_BOUND = 40
TIME_RE = re.compile(r"\d\d:\d\d")


def _fill(prefix: str, unit: str, suffix: str = ""):
    def make(size: int) -> str:
        body = size - len(prefix) - len(suffix)
        return prefix + (unit * (body // len(unit) + 1))[:body] + suffix
    return make


def _mixed(size: int) -> str:
    """Runs of everything the patterns might backtrack on, one after another."""
    runs = (".", ":", "...", "?!", " ", "\t", "kl.", "a-", "1.", "»", "(", "'", "/", "@", "a", "\n", "A. ", "www.a.dk ")
    part = max(size // len(runs), 8)
    return "".join(("Se" + (r * (part // len(r) + 1))[:part] + "\nDu ") for r in runs)[:size]


HOSTILE = {
    "run of full stops": _fill("Se", "."),
    "run of colons": _fill("Tid", ":"),
    "run of ellipses": _fill("Nå", "..."),
    "run of ?!": _fill("Hvad", "?!"),
    "punctuation run before a lower-case word": _fill("Se", ".", " du"),
    "line of spaces": _fill("", " "),
    "line of tabs": _fill("", "\t"),
    "spaces after a line's text": _fill("Hej", " \t", "\nDu"),
    "kl.kl.kl. not ending in a full stop": _fill("", "kl.", "kl"),
    "dotted run with a long last piece": _fill("", "kl.", "abcdefgh"),
    "URLs and times": _fill("", "www.a.dk kl. 10:30 "),
    "mixed runs": _mixed,
}
REFERENCE_QUADRATIC = list(HOSTILE)             # the former code is quadratic on each of them


def _new_work(text: str, times: list[int]) -> None:
    art = text_from_plain(text, "da")
    a = analyse(text, [Block(*b) for b in art["blocks"]])
    a.tokens, a.long_flags, a.lix(), a.lix(headings=False)
    for p in times:
        a.in_special(p)


def _ref_work(text: str, times: list[int]) -> None:
    a = ref_analyse(text, ref_blocks_from_lines(text))
    tokens = ref_tokens(a)
    [is_long(text[s:e], k) for s, e, k in tokens], a.lix(), a.lix(headings=False)
    for p in times:
        ref_in_special(a, p)


class _Overtime(Exception):
    pass


@contextmanager
def _deadline(seconds: float):
    """Raise _Overtime in the main thread after ``seconds`` (where signals allow; else no deadline)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_signum, _frame):
        raise _Overtime

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _seconds(work, text: str, times: list[int], limit: float | None) -> float:
    """The time of one run; infinity when it passes ``limit``."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        with _deadline(limit or 600):
            work(text, times)
        return time.perf_counter() - start
    except _Overtime:
        return math.inf
    finally:
        gc.enable()


def growth_failure(work, make, sizes=SCALE_SIZES) -> str | None:
    """None when ``work`` grows at most GROWTH_BOUND times for each tenfold text, else why not."""
    def inputs(size):
        text = make(size)
        assert len(text) == size
        return text, [m.start() for m in TIME_RE.finditer(text)]

    text, times = inputs(sizes[0])
    previous = min(_seconds(work, text, times, None) for _ in range(3))
    for small, size in zip(sizes, sizes[1:], strict=False):
        text, times = inputs(size)
        limit = GROWTH_BOUND * max(previous, 0.001)
        took = _seconds(work, text, times, limit)
        if took >= limit:                      # once more: the machine may have been busy
            took = _seconds(work, text, times, limit)
        if took >= limit:
            return (f"took {'over ' if took == math.inf else ''}{min(took, limit):.3f} s on {size:,} characters, "
                    f"{GROWTH_BOUND} times the {previous:.4f} s on {small:,} or more")
        if size != sizes[-1]:                  # the best of three is the base for the next size
            previous = min([took] + [_seconds(work, text, times, limit) for _ in range(2)])
    return None


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_analysis_grows_linearly_on_hostile_text(kind):
    make = HOSTILE[kind]
    check_all(make(3_000), random.Random(kind))       # the same results on this text, too
    failure = growth_failure(_new_work, make)
    assert failure is None, f"{kind}: the analysis {failure}: it no longer grows linearly"


@pytest.mark.skipif(not os.environ.get("KLARTJEK_SCALE_REFERENCE"),
                    reason="slow: set KLARTJEK_SCALE_REFERENCE=1 to show that the former code is quadratic")
@pytest.mark.parametrize("kind", REFERENCE_QUADRATIC)
def test_reference_code_fails_the_scale_test(kind):
    failure = growth_failure(_ref_work, HOSTILE[kind], REFERENCE_SIZES)
    print(f"\nreference, {kind}: {failure}")
    assert failure is not None, f"{kind}: the former code grows linearly here; the scale test proves nothing"
