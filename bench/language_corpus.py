"""The labelled corpus of the language-detector measurement (bench/language_detect.py).

bench/data/language/ holds passages written for this measurement (no downloads): one passage a
paragraph, ``#`` lines are comments.

- ``da.txt``, ``en.txt``, ``nb.txt``, ``sv.txt``, ``de.txt``: the same twelve themes of a region's
  pages and letters (a scan, moving an appointment, visiting hours, home help …) in each language;
- ``da-noisy.txt``: Danish full of proper names, English loan words (e-mail, app, login, MitID,
  NemID, Digital Post, sundhed.dk), addresses, CPR-like numbers, dates and phone numbers, and two
  passages in old-fashioned Danish spelling (capitalised nouns, »aa«, »Kjøbenhavn«);
- ``ui-da.txt``, ``ui-en.txt``: short interface phrases (menus, buttons, footers), one a line;
- ``other.txt``: one passage in each of the other languages of the set (``code: text``).

``samples()`` cuts the passages into samples of 3, 8 and 20 words (windows of consecutive words in
a passage, so a short sample is a piece of a sentence as a page's blocks often are) and of 60 words
(windows over the passages one after the other).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "language"
LENGTHS = (3, 8, 20, 60)
# samples taken from each passage, per length (windows that do not overlap)
PER_PASSAGE = {3: 6, 8: 4, 20: 3}
MAIN = ("da", "en", "nb", "sv", "de")


@dataclass(frozen=True)
class Sample:
    lang: str          # the true language (BCP 47 primary subtag; nb for Norwegian Bokmål)
    group: str         # da, en, nb, sv, de, da-noisy, ui-da, ui-en, other
    words: int         # its length in words (0: as written, a whole passage or phrase)
    text: str


def passages(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return [" ".join(p.split()) for p in "\n".join(lines).split("\n\n") if p.strip()]


def windows(passage: str, n: int, count: int) -> list[str]:
    words = passage.split()
    return [" ".join(words[i:i + n]) for i in range(0, len(words) - n + 1, n)][:count]


def samples() -> list[Sample]:
    out: list[Sample] = []
    for name, lang, group in [(f"{g}.txt", g, g) for g in MAIN] + [("da-noisy.txt", "da", "da-noisy")]:
        ps = passages(name)
        for p in ps:
            for n in (3, 8, 20):
                out += [Sample(lang, group, n, w) for w in windows(p, n, PER_PASSAGE[n])]
        # 60 words: windows over the passages one after the other (a passage has 50-75 words)
        out += [Sample(lang, group, 60, w) for w in windows(" ".join(ps), 60, 20)]
        if group == "da-noisy":
            out += [Sample(lang, group, 0, p) for p in ps]
    for name, lang in (("ui-da.txt", "da"), ("ui-en.txt", "en")):
        out += [Sample(lang, f"ui-{lang}", 0, line) for line in ui_phrases(name)]
    for p in passages("other.txt"):
        code, _, text = p.partition(": ")
        out.append(Sample(code, "other", 0, text))
    return out


def ui_phrases(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


if __name__ == "__main__":
    from collections import Counter

    got = samples()
    print(Counter((s.group, s.words) for s in got))
