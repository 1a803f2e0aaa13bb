"""Build core/klarsprog/data/da-verbs.tsv.gz from Debian's Danish Hunspell dictionary (a developer's tool).

    apt-get install hunspell hunspell-da
    .venv/bin/python scripts/build_da_verbs.py        # rewrites core/klarsprog/data/da-verbs.tsv.gz

The dictionary is Stavekontrolden's (hunspell-da; GPL 2.0/LGPL 2.1/MPL 1.1 tri-license). Its affix
file tags every form it generates (+PASSIV, +PERF_PART, +DATID …), and `hunspell -m` gives that
analysis with the form's stem. This script only proposes candidate forms (each dictionary word plus
-s, -es, -des, -tes …, and the irregular forms the dictionary lists with al:) and keeps the ones
Hunspell itself analyses as an s-passive or a past participle of a verb. klartjek reads the result
at run time, so the checks need neither Hunspell nor the dictionary on the user's machine
(docs/klarsprog.md, "Where the verb forms come from").

A second file, da-words.txt.gz, lists the dictionary's entries of 2-14 letters: the parts of an
everyday two-part compound (handicap|parkering), which KL005 does not call a long word.

Output, one form per line, sorted: ``form<TAB>kind<TAB>infinitive`` with kind ``pas`` (s-passive,
present or past: varetages, toges, sendtes) or ``ptc`` (past participle: kontaktet, indkaldt).
"""
from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

DIC = Path("/usr/share/hunspell/da_DK.dic")
AFF = DIC.with_suffix(".aff")
OUT = Path(__file__).resolve().parent.parent / "core" / "klarsprog" / "data" / "da-verbs.tsv.gz"
WORDS = OUT.with_name("da-words.txt.gz")
WORD = re.compile(r"^[a-zæøåéü]+$")


def entries() -> list[tuple[str, str]]:
    """(word, rest of the line) of every dictionary entry in lower-case letters only."""
    out = []
    for line in DIC.read_text(encoding="utf-8").splitlines()[1:]:
        word, _, rest = line.partition("/") if "/" in line.split(" ")[0] else line.partition(" ")
        word = word.strip()
        if WORD.match(word):
            out.append((word, rest))
    return out


def candidates(ents: list[tuple[str, str]]) -> set[str]:
    cands: set[str] = set()
    for word, rest in ents:
        cands |= {word + "s", word + "es", word + "des", word + "edes", word + "et", word + "t"}
        if word.endswith("e"):
            cands |= {word[:-1] + "tes", word[:-1] + "t", word[:-1] + "te" + "s"}
        for al in re.findall(r"al:(\S+)", rest):          # irregular forms: toges, sås, givet, taget
            if WORD.match(al):
                cands.add(al)
    return cands


def analyse(words: list[str]) -> dict[str, list[str]]:
    """hunspell -m: each word's analyses (lines), in one process."""
    proc = subprocess.run(["hunspell", "-m", "-i", "utf-8", "-d", str(DIC.with_suffix(""))],
                          input="\n".join(words) + "\n", capture_output=True, text=True, check=True)
    out: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            word, _, analysis = line.partition(" ")
            out.setdefault(word, []).append(analysis.strip())
    return out


def main() -> int:
    if not shutil.which("hunspell") or not DIC.exists():
        print("build_da_verbs: needs Debian's hunspell and hunspell-da (apt-get install hunspell hunspell-da)",
              file=sys.stderr)
        return 2
    ents = entries()
    known = {w for w, _ in ents}
    irregular: dict[str, str] = {}            # an al: form → its entry, for verbs (entries with a participle)
    for word, rest in ents:
        forms = re.findall(r"al:(\S+)", rest)
        if any(f.endswith("ende") for f in forms):      # a verb: it has a present participle
            for f in forms:
                irregular[f] = word
    cands = sorted(c for c in candidates(ents) if c not in {"s", "es"})
    found = analyse(cands)
    rows: dict[tuple[str, str], str] = {}
    for form, analyses in found.items():
        for a in analyses:
            stem = re.search(r"st:(\S+)", a)
            if not stem:
                continue
            lemma = stem.group(1)
            regular = form.startswith(lemma[:max(1, len(lemma) - 2)])
            if ("+PASSIV" in a or "+PERF_PART" in a) and not regular:
                continue          # Hunspell read a compound (print|kortes): no form of the dictionary's own
            if "+PASSIV" in a:
                rows[(form, "pas")] = lemma
            elif "+PERF_PART" in a:
                rows[(form, "ptc")] = lemma
            elif form in irregular and irregular[form] == lemma and lemma in known:
                if form.endswith("s") and not form.endswith("ens"):          # tages, toges, sås, gives
                    rows[(form, "pas")] = lemma
                elif form.endswith(("et", "t")) and not form.endswith("ende"):  # taget, givet, set
                    rows.setdefault((form, "ptc"), lemma)
    lines = [f"{form}\t{kind}\t{lemma}" for (form, kind), lemma in sorted(rows.items())]
    header = ["# Danish verb forms: s-passives (pas) and past participles (ptc) with their infinitive.",
              "# Generated by scripts/build_da_verbs.py from Debian's hunspell-da (Stavekontrolden,",
              "# GPL 2.0/LGPL 2.1/MPL 1.1) by Hunspell's own analysis. Do not edit; rebuild."]
    data = ("\n".join(header + lines) + "\n").encode("utf-8")
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(data)                    # gzip, no time stamp: the same dictionary gives the same bytes
    words = sorted({w for w in known if 2 <= len(w) <= 14})
    with open(WORDS, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(("# The entries of Debian's hunspell-da (Stavekontrolden, GPL 2.0/LGPL 2.1/MPL 1.1) of 2-14 "
                  "letters:\n# the parts a two-part compound may be made of (KL005). Generated by "
                  "scripts/build_da_verbs.py.\n" + "\n".join(words) + "\n").encode("utf-8"))
    print(f"{WORDS}: {len(words)} words")
    print(f"{OUT}: {sum(1 for k in rows if k[1] == 'pas')} s-passive forms, "
          f"{sum(1 for k in rows if k[1] == 'ptc')} participles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
