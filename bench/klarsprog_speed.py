#!/usr/bin/env python3
"""Throughput of the whole plain-language engine (tokeniser, LIX and every KL check) on one core.

    .venv/bin/python bench/klarsprog_speed.py [MEGABYTES] [--repeat N] [--corpus site|dense]

Builds a Danish text of the given size (default 8 MB), then times analysis + every check + the
readability summary on one core and prints MB/s (best of N runs). Goal (issue 3): 2 MB/s.

Corpora:
- site (default): the real Danish text of the demo site's pages (fixtures/site, extracted as an
  audit extracts it: headings, paragraphs, list items), repeated to the size asked for;
- dense: patient-information sentences each written to trip a check (abbreviations, times,
  dates, jargon, passives, formal address), in paragraphs of 4-6 sentences under headings: a
  worst case with one finding every ~19 words.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audit.config import load_config  # noqa: E402
from audit.textextract import text_from_plain  # noqa: E402
from checks import REGISTRY  # noqa: E402
from checks.klarsprog.rules import readability_summary  # noqa: E402
from checks.registry import evaluate_all  # noqa: E402

SENTENCES = [
    "Du skal møde op kl. 10.30 den 3. marts 2026 i Ambulatorium 3, indgang C.",
    "Tag f.eks. en bog med, da der kan være ventetid.",
    "Ring på tlf. 35 45 10 00, hvis du ikke kan komme.",
    "Undersøgelsen tager ca. 20 min., og du kan køre hjem bagefter.",
    "Skemaet skal udfyldes inden undersøgelsen.",
    "Du bliver kaldt ind af en sygeplejerske, når det er din tur.",
    "Hvis du tager blodfortyndende medicin, skal du kontakte os senest 5 dage før.",
    "Vi sender svaret til din egen læge, jf. gældende regler.",
    "Man må ikke spise eller drikke 4 timer før en CT-scanning.",
    "Læs mere på www.regiondemo.dk/ct eller skriv til ct@regiondemo.dk.",
    "Der er parkering ved hovedindgangen, men pladserne er få.",
    "De fleste patienter oplever ingen gener efter en gastroskopi.",
    "Husk dit sygesikringskort og en liste over den medicin, du tager.",
    "Såfremt du er gravid, skal du fortælle det til personalet.",
    "Besøgstiden er fra kl. 14.00 til kl. 20.00 alle ugens dage.",
    "Behandlingen foregår i dagafsnittet på 2. sal.",
]
HEADINGS = ["Før undersøgelsen", "Din aftale", "Efter undersøgelsen", "Praktiske oplysninger"]


def build(megabytes: float, seed: int = 7) -> str:
    rnd = random.Random(seed)
    parts, size = [], 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        block = rnd.choice(HEADINGS) + "\n" + " ".join(rnd.choice(SENTENCES) for _ in range(rnd.randint(4, 6)))
        parts.append(block)
        size += len(block.encode()) + 2
    return "\n\n".join(parts)


def build_site(megabytes: float) -> str:
    from audit.textextract import text_from_html

    root = Path(__file__).resolve().parent.parent / "fixtures" / "site"
    pages = [text_from_html(p.read_text(encoding="utf-8"))["text"] for p in sorted(root.rglob("*.html"))]
    pages = [t for t, p in zip(pages, sorted(root.rglob("*.html")), strict=True) if "/en/" not in p.as_posix()]
    one = "\n\n".join(pages)
    reps = int(megabytes * 1024 * 1024 / len(one.encode())) + 1
    return "\n\n".join([one] * reps)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = sys.argv[1:]
    repeat = int(flags[flags.index("--repeat") + 1]) if "--repeat" in flags else 3
    corpus = flags[flags.index("--corpus") + 1] if "--corpus" in flags else "site"
    args = [a for a in args if a not in (str(repeat), corpus)]
    mb = float(args[0]) if args else 8.0
    text = build(mb) if corpus == "dense" else build_site(mb)
    nbytes = len(text.encode())
    cfg = load_config()
    checks = [m for m in REGISTRY.select(cfg, "text")]
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        art = {"text": text_from_plain(text, "da")}
        results = evaluate_all(checks, art, cfg)
        summary = readability_summary(art, cfg)
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    findings = sum(len(r.findings) for r in results)
    print(f"corpus {corpus}: {nbytes / 1e6:.2f} MB ({summary['words']} words, {summary['sentences']} sentences), "
          f"LIX {summary['lix']}, {findings} findings")
    print(f"best of {repeat}: {best:.2f} s = {nbytes / 1e6 / best:.2f} MB/s on one core")


if __name__ == "__main__":
    main()
