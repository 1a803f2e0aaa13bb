"""Letter date/time checks at scale (checks/letter_checks.py): the dates, times and appointments a
letter states are found in linear (n log n) time, with exactly the results of the former
brute-force code, which is kept below as the reference."""
from __future__ import annotations

import gc
import math
import random
import re
import signal
import threading
import time
from contextlib import contextmanager

import pytest

from audit.config import defaults, letter_config
from audit.textextract import text_from_plain
from checks import REGISTRY, evaluate_all
from checks import letter_checks as lc
from checks.klarsprog.rules import MONTH_NUMBER, NUM_DATE_RE


# ---- the reference: the former quadratic code, verbatim ------------------------------------------

def ref_dates(low: str) -> list[tuple[int, int, int, int, int | None]]:
    out = []
    for m in lc.WORD_DATE_RE.finditer(low):
        out.append((m.start(), m.end(), int(m.group(1)), MONTH_NUMBER[m.group(2)],
                    int(m.group(3)) if m.group(3) else None))
    for m in NUM_DATE_RE.finditer(low):
        d, mo, y = (m.group(1), m.group(3), m.group(4)) if m.group(1) else (m.group(5), m.group(6), m.group(7))
        if 1 <= int(d) <= 31 and 1 <= int(mo) <= 12:
            out.append((m.start(), m.end(), int(d), int(mo), int(y) + 2000 if len(y) == 2 else int(y)))
    return sorted(out)


def ref_times(low: str, dates) -> list[tuple[int, int, int, int]]:
    out = []
    for m in lc.TIME_RE.finditer(low):
        if any(s <= m.start() < e for s, e, *_ in dates):
            continue
        h, mi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if int(h) <= 23 and int(mi or 0) <= 59:
            out.append((m.start(), m.end(), int(h), int(mi or 0)))
    return out


def ref_appointments(low: str) -> list[tuple[int, int, int, int, int | None, int, int]]:
    dates = ref_dates(low)
    times = ref_times(low, dates)
    out = []
    for ds, de, day, month, year in dates:
        near = [t for t in times if 0 <= t[0] - de <= 80 and "\n\n" not in low[de:t[0]]]
        near = near or [t for t in times if 0 <= ds - t[1] <= 30 and "\n\n" not in low[t[1]:ds]]
        if near:
            ts, te, h, mi = near[0]
            out.append((min(ds, ts), max(de, te), day, month, year, h, mi))
    return out


REF_STREET_RE = re.compile(r"\b[a-zæøåé-]+(?:gade|vej|allé|alle|boulevard|plads|stræde|vænge|vænget|torv|"
                           r"park|parken|have|bakke|høj|toften)\s+\d+[a-z]?\b")


# ---- generated texts -------------------------------------------------------------------------------

MONTHS = sorted(MONTH_NUMBER)


def _date(rng: random.Random) -> str:
    d, mo, y = rng.randint(0, 33), rng.randint(0, 13), rng.choice((2026, 2027, 1999, 26, 7, 12345))
    return rng.choice((
        f"{d}. {rng.choice(MONTHS)} {y}", f"{d}. {rng.choice(MONTHS)}", f"{d}.{rng.choice(MONTHS)}.",
        f"{d:02d}.{mo:02d}.{y}", f"{d}.{mo}.{y}", f"{d}-{mo}-{y}", f"{d}/{mo}/{y}", f"{d}/{mo}-{y}",
        f"{d}/{mo}-{y % 100:02d}", f"{d}. {rng.choice(MONTHS)}. {y}", f"{d}.  {rng.choice(MONTHS)}\n{y}"))


def _time(rng: random.Random) -> str:
    h, mi = rng.randint(0, 26), rng.choice((0, 5, 30, 45, 59, 60, 99))
    return rng.choice((f"kl. {h}.{mi:02d}", f"kl. {h}", f"kl {h}", f"kl.{h}:{mi:02d}", f"{h}:{mi:02d}",
                       f"{h}.{mi:02d}", f"klokken {h}", f"kl. {h}-{h + 1}", f"kl. kl. {h}.{mi}"))


def _distractor(rng: random.Random) -> str:
    return rng.choice(("1.234", "10.30.2026", "v2.10.3", "1.2.3.4", "12/", "3.", "kl.", "kl. kl.", "ca. 80",
                       "nr. 12", "2026", "1.12", "10:30:15", "08.12.2026.5", "tlf. 78 45 00 00", "Nørrebrogade 44",
                       "side 3/4", "-", "/", ".", ":", "12.30-13.00", "8/12-26/", "31.12.", "0.5", "24:00"))


FILLER = ("du", "har", "fået", "en", "tid", "den", "og", "i", "Hjerteafdelingen", "indgang", "C", "tirsdag",
          "på", "til", "undersøgelse", "med", "husk", "aflyse", "ring")
SEPARATORS = ("", " ", " ", " ", ", ", ". ", "\n", "\n\n", "\n\n\n", " \n\n ", "  ")


def random_text(rng: random.Random, pieces: int) -> str:
    out = []
    for _ in range(pieces):
        r = rng.random()
        if r < 0.25:
            out.append(_date(rng))
        elif r < 0.5:
            out.append(_time(rng))
        elif r < 0.65:
            out.append(_distractor(rng))
        else:
            out.append(" ".join(rng.choice(FILLER) for _ in range(rng.randint(1, 12))))
        out.append(rng.choice(SEPARATORS))
    return "".join(out)


def scale_text(size: int, seed: int = 1) -> str:
    """A long appointment letter: a date and a time (word and numeric) in every short paragraph, with
    version numbers and amounts between; 60 kB of them, repeated to ``size`` characters."""
    rng = random.Random(seed)
    out = ["Du har fået en tid til en hjerteundersøgelse\n\n"]
    n = len(out[0])
    while n < min(size, 60_000):
        para = (f"Tid: {rng.choice(('tirsdag den ', 'den ', ''))}{rng.randint(1, 28)}. "
                f"{rng.choice(MONTHS)} 2026 kl. {rng.randint(7, 16)}.{rng.choice((0, 15, 30, 45)):02d}. "
                f"Eller {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2026 {rng.randint(7, 16)}:30, "
                f"version 1.{rng.randint(0, 99)}.2, beløb 1.234 kr.{rng.choice((' ', chr(10), chr(10) * 2))}")
        out.append(para)
        n += len(para)
    block = "".join(out)
    return (block * (size // len(block) + 1))[:size]


# ---- the new code gives exactly the reference's results ---------------------------------------------

EDGE_CASES = [
    "", "\n\n", "8. december 2026 kl. 10.30", "kl. 10.30 8. december 2026", "8. december 2026\n\nkl. 10.30",
    "kl. 10.30\n\n8. december 2026", "8. december 2026\nkl. 10.30", "8. december 2026\n\n\nkl. 10.30",
    "8. december" + " " * 80 + "kl. 9", "8. december" + " " * 81 + "kl. 9", "kl. 9" + " " * 30 + "8. december",
    "kl. 9" + " " * 31 + "8. december", "kl. 9\n\n" + " " * 20 + "8. december", "kl. 9 \n\n8. december",
    "kl. 9\n8. december", "kl. 9\n\n8/12-26", "5/12-26. december kl. 10", "1.10. december 10:30",
    "8.12.2026 10.30 9.12.2026 11.30", "kl. 8 kl. 9 8. dec. kl. 10", "10.30.2026 kl. 10", "1.234 kl 9",
    "8. dec. 2026 kl. 10.30, 9. dec kl. 25.00, 10. dec kl. 23.59", "08.12.2026.5 kl. 8", "8/12-26/ 9:30",
    "10:308.12.2026", "kl. 9\n\n10:308.12.2026", "8.12.2026\n\n\nkl. 9", "kl. 9\n\n\n8.12.2026", "kl. 9 8/12-26",
]


def _check_equal(text: str) -> None:
    low = text.lower()
    dates = ref_dates(low)
    assert lc._dates(low) == dates
    assert lc._times(low, dates) == ref_times(low, dates)
    assert lc.appointments(low) == ref_appointments(low)
    assert lc.has_street(low) == bool(REF_STREET_RE.search(low))


@pytest.mark.parametrize("text", EDGE_CASES)
def test_same_as_reference_on_edge_cases(text):
    _check_equal(text)


def test_same_as_reference_on_random_texts():
    rng = random.Random(20260)           # fixed seed: the same texts on every run
    for _ in range(3000):
        _check_equal(random_text(rng, rng.randint(1, 40)))


def test_same_as_reference_with_hypothesis():
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st

    piece = st.one_of(
        st.sampled_from([" ", "\n", "\n\n", "\n\n\n", ". ", "-", "/", ":", ".", "kl.", "kl ", "kl. ", "den ",
                         "december", "dec", "dec.", "januar", "maj", "sept", "gade", "-vej", "vænget", "park",
                         "nørrebro", "a-", "1.234", "10.30.2026", "v2.10.3", "ü", "_", "é"]),
        st.integers(0, 2100).map(str), st.integers(0, 99).map(lambda n: f"{n:02d}"))

    @seed(4711)
    @settings(max_examples=1500, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(piece, max_size=60))
    def check(pieces):
        _check_equal("".join(pieces))

    check()


def test_times_outside_any_of_overlapping_and_nested_dates():
    """The regexes give no time that starts inside a date, so _times is also given made-up date spans
    (overlapping, nested, touching) to check which times it leaves out."""
    rng = random.Random(99)
    for _ in range(2000):
        low = random_text(rng, rng.randint(1, 30)).lower()
        spans = []
        for _ in range(rng.randint(0, 8)):
            s = rng.randint(0, len(low) + 2)
            spans.append((s, s + rng.randint(0, 40), 1, 1, None))
        spans.sort()
        assert lc._times(low, spans) == ref_times(low, spans)


# street and number: the former pattern is kept for the comparison (it is exact, only slow)
STREET_CASES = [
    "nørrebrogade 44", "nørrebro-gade 44", "-gade 4", "a-gade 4", "1a-gade 4", "1-gade 4", "ügade 4", "ü-gade 4",
    "__-gade 4", "gade 4", "xgade 4b", "xgade 4bc", "xgade\n\n12", "xgadevej 3", "vestre allé 2", "x-vænget 7",
    "x-vænge 7", "x-parken 3", "x-park-parken 3", "høj-høj 1", "-høj 1", "a- 1", "1ægade 2", "é-é-toften 9a",
    "x-gade 4\u0663", "x-gade \u0663", "a-" * 50 + "gade 4", "1" + "a" * 50 + "gade 4", "a-" * 50 + "gade x",
]


@pytest.mark.parametrize("text", STREET_CASES)
def test_street_same_as_reference(text):
    assert lc.has_street(text) == bool(REF_STREET_RE.search(text))


# ---- the KB checks at scale ---------------------------------------------------------------------------
#
# The project keeps speed goals in bench/, not in timed tests. This is a regression test against the
# former quadratic (for STREET_RE, worse) behaviour only, made so that the machine's speed and
# load do not decide it: no absolute number of seconds, but the growth of the time with the text.
# Ten times the text takes about ten times as long when the checks are linear (n log n: a little
# more), and a hundred times as long when they are quadratic; the bound is forty. Each size is timed
# at its best of a few runs (the least disturbed by other processes), with the garbage collector
# off, and a size over the bound is timed once more before the test fails. Each run has a deadline at
# the bound, so quadratic code fails within seconds at the small sizes instead of running for hours
# at the large ones. Measured on a two-core machine, the five KB checks on scale_text: the former
# code 1.4 s on 60 kB, 422 s on 600 kB (machine loaded), 6 MB not done after 600 s; the new 0.04 s,
# 0.45 s and 5 s. On adversarial_text the former STREET_RE alone took 1.9 s on 60 kB.

SCALE_SIZES = (6_000, 60_000, 600_000, 6_000_000)
GROWTH_BOUND = 40            # for ten times the text: linear about 10, quadratic about 100
KB_CODES = ("KB001", "KB002", "KB003", "KB004", "KB005")


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


def adversarial_text(size: int) -> str:
    """Long runs of what the patterns of the KB checks might backtrack on: letters and hyphens (the
    former STREET_RE was cubic on them), letters after a digit, digits and dots, "kl. kl. kl.",
    spaces, newlines, slashes and hyphens between digits."""
    runs = ("a-", "1.", "kl. ", " ", "\n", "12/", "1-", "ø-", "a")
    part = max(size // len(runs), 8)
    text = "Du har fået en tid. " + "".join((r * (part // len(r) + 1))[:part] + " gade x " for r in runs)
    return (text + "1" + "a" * part + "gade 4 ")[:size]


def _artifacts(size: int, make=scale_text):
    text = make(size)
    action = {"locator": "/Message/MessageBody/MainDocument/Action[1]", "label": "Tilføj til kalender",
              "action_code": "AFTALE", "start": "2026-12-08T09:30:00Z", "end": None, "url": None,
              "reservation": True}
    return {"letter": {"format": "memo", "name": "brev.xml", "parts": []}, "text": text_from_plain(text, "da"),
            "memo": {"actions": [action]}}


def _run_kb(arts, cfg) -> dict[str, str]:
    results = evaluate_all([REGISTRY.get(code) for code in KB_CODES], arts, cfg, "letter")
    return {r.code: r.outcome for r in results}


def _seconds(arts, cfg, limit: float | None) -> float:
    """The time of one run of the KB checks; infinity when it passes ``limit``."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        with _deadline(limit or 3600):
            _run_kb(arts, cfg)
        return time.perf_counter() - start
    except _Overtime:
        return math.inf
    finally:
        gc.enable()


def _assert_linear(make) -> None:
    cfg = letter_config(defaults())
    previous = min(_seconds(_artifacts(SCALE_SIZES[0], make), cfg, None) for _ in range(3))
    for small, size in zip(SCALE_SIZES, SCALE_SIZES[1:], strict=False):
        arts = _artifacts(size, make)
        limit = GROWTH_BOUND * max(previous, 0.001)
        took = _seconds(arts, cfg, limit)
        if took >= limit:                      # once more: the machine may have been busy
            took = _seconds(arts, cfg, limit)
        assert took < limit, (f"the KB checks took {'over ' if took == math.inf else ''}{min(took, limit):.2f} s "
                              f"on {size:,} characters, {GROWTH_BOUND} times the {previous:.3f} s on {small:,} "
                              "or more: they no longer grow linearly")
        if size != SCALE_SIZES[-1]:            # the best of three is the base for the next size
            previous = min([took] + [_seconds(arts, cfg, limit) for _ in range(2)])


def test_kb_checks_scale_linearly_to_6_mb():
    arts = _artifacts(60_000)
    outcomes = _run_kb(arts, letter_config(defaults()))
    assert outcomes == {"KB001": "passed", "KB002": "failed", "KB003": "failed", "KB004": "failed",
                        "KB005": "passed"}
    assert len(lc.appointments(arts["text"]["text"].lower())) > 1_000
    _assert_linear(scale_text)


def test_kb_checks_do_not_backtrack_on_long_runs():
    _assert_linear(adversarial_text)
