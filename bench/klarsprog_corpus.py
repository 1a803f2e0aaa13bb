"""Precision and recall of the plain-language checks on the labelled corpus (tests/corpus/klarsprog.yml).

    .venv/bin/python bench/klarsprog_corpus.py            # the table
    .venv/bin/python bench/klarsprog_corpus.py --misses   # and every miss and false alarm

A benchmark, not a test: the figures go into docs/klarsprog.md, and the goal (≥ 0.9 for each check)
is met here, where a change to a word list can be weighed against the whole corpus, rather than in a
test that would flap with each new sentence.

Each sentence is checked alone, as a text of its genre's profile (letter, pinfo, web, sms). A label
counts as found when a finding of the check overlaps the labelled words; a finding that overlaps no
label of its kind is a false alarm. The labels per check:

- KL006 s-passive: the passive forms that end in -s ("bedes", "varetages", "kan ses");
- KL007 blive-passive: the participles after bliver/blev/blive/blevet in the same sentence;
- KL013 officialese (kancellisprog), but for the formal De/Dem/Deres, which is KL009's;
- KL012 medical and administrative jargon.

være-passives ("Din tid er flyttet") have no check of their own and are counted apart.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audit.config import load_config  # noqa: E402
from audit.textextract import text_from_plain  # noqa: E402
from checks import REGISTRY  # noqa: E402
from checks.registry import evaluate_all  # noqa: E402

CORPORA = (ROOT / "tests" / "corpus" / "klarsprog.yml",            # the first set: read while tuning
           ROOT / "tests" / "corpus" / "klarsprog-holdout.yml")    # held out: written without the checks
PROFILE = {"letter": "letter", "pinfo": "patient-info", "web": "web", "sms": "sms"}
CHECKS = ("KL006", "KL007", "KL013", "KL009", "KL012")
BLIVE = re.compile(r"\b(?:bliver|blev|blive|blevet)\b", re.IGNORECASE)


def _spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Where the labelled words stand, as whole words (not "befordring" inside "Patientbefordringen")."""
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text)]


def gold(s: dict) -> dict[str, list[tuple[int, int]]]:
    """The labelled spans of a sentence, per check."""
    text = s["text"]
    out: dict[str, list[tuple[int, int]]] = {c: [] for c in CHECKS}
    out["være"] = []
    for form in s.get("passives") or []:
        for a, b in _spans(text, form):
            if form.endswith("s"):
                out["KL006"].append((a, b))
            elif BLIVE.search(text[:a]):
                out["KL007"].append((a, b))
            else:
                out["være"].append((a, b))
    for form in s.get("officialese") or []:           # the formal De/Dem/Deres is KL009's
        out["KL009" if form in ("De", "Dem", "Deres") else "KL013"] += _spans(text, form)
    for form in s.get("jargon") or []:
        out["KL012"] += _spans(text, form)
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def measure(sentences: list[dict], config_for) -> tuple[dict, list[str]]:
    metas = [REGISTRY.get(c) for c in CHECKS]
    counts = {c: {"tp": 0, "fn": 0, "fp": 0, "findings": 0} for c in CHECKS}
    notes: list[str] = []
    for s in sentences:
        art = {"text": text_from_plain(s["text"], "da")}
        results = evaluate_all(metas, art, config_for(s["genre"]), kind="text")
        found: dict[str, list[tuple[int, int]]] = {c: [] for c in CHECKS}
        for r in results:
            for f in r.findings:
                found[r.code].append(tuple(f.span))
        labels = gold(s)
        for c in CHECKS:
            g, f = labels[c], found[c]
            for span in g:
                if any(_overlaps(span, x) for x in f):
                    counts[c]["tp"] += 1
                else:
                    counts[c]["fn"] += 1
                    notes.append(f"miss  {c} {s['id']}: »{s['text'][span[0]:span[1]]}« in {s['text']}")
            for x in f:
                counts[c]["findings"] += 1
                if not any(_overlaps(span, x) for span in g):
                    counts[c]["fp"] += 1
                    notes.append(f"false {c} {s['id']}: »{s['text'][x[0]:x[1]]}« in {s['text']}")
    return counts, notes


def table(counts: dict) -> list[str]:
    out = ["| check | labels | found | missed | false alarms | precision | recall |", "|---|---|---|---|---|---|---|"]
    for c in CHECKS:
        n = counts[c]
        labels = n["tp"] + n["fn"]
        right = n["findings"] - n["fp"]
        p = right / n["findings"] if n["findings"] else 1.0
        r = n["tp"] / labels if labels else 1.0
        out.append(f"| {c} | {labels} | {n['tp']} | {n['fn']} | {n['fp']} | {p:.3f} | {r:.3f} |")
    return out


def main() -> int:
    import copy
    import tempfile

    with tempfile.TemporaryDirectory() as empty:         # the built-in defaults, no project config
        base = load_config(cwd=Path(empty))
    configs: dict[str, dict] = {}

    def config_for(genre: str) -> dict:
        if genre not in configs:
            cfg = copy.deepcopy(base)
            cfg.setdefault("klarsprog", {})["profile"] = PROFILE[genre]
            configs[genre] = cfg
        return configs[genre]

    for path in CORPORA:
        if not path.exists():
            continue
        sentences = yaml.safe_load(path.read_text(encoding="utf-8"))["sentences"]
        counts, notes = measure(sentences, config_for)
        print(f"\n{path.relative_to(ROOT)}: {len(sentences)} sentences")
        print("\n".join(table(counts)))
        være = sum(len(gold(s)["være"]) for s in sentences)
        print(f"være-passives labelled (no check of their own): {være}")
        if "--misses" in sys.argv:
            print("\n".join(sorted(notes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
