"""The plain-language checks (codes KL…): pure functions of the ``text`` artifact and the config.

The ``text`` artifact: {"text": str, "blocks": [[start, end, kind, level], …],
"links": [[start, end, href], …], "lang": "da"}. Every finding carries the span (character
offsets into that text) it concerns, the excerpt, an explanation and a suggestion, in Danish and
English. docs/klarsprog.md describes each check; checks/cases/KL001.yml … KL018.yml hold their cases.

Each check is ``@klarsprog_check(code=…, languages=…, related_wcag=…, …)`` on a function of the
text's analysis (``Ctx``, computed once per document), which the decorator registers behind the
language gating the checks share.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

from checks import common
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.klarsprog.lexicon import Verbs, Words, find_all, link_label, two_part_compound, verbs, words_for
from core.klarsprog.text import BAND_NAMES, Analysis, Block, analyse, lix_band
from core.model import Category, Finding, Impact, Outcome, TargetKind

Texts = dict[str, str]
EXCERPT_MAX = 300
WS = r"\s+"               # white space; a match must not cross blocks (checked by _one_block)

MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
             "oktober", "november", "december")
MONTH_NUMBER = {m: i + 1 for i, m in enumerate(MONTHS_DA)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "okt": 10, "nov": 11, "dec": 12}
WEEKDAYS_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = tuple(calendar.month_name)[1:]

BLIVE_STOP = frozenset({"det", "meget", "sent", "godt", "let", "mæt", "træt", "først", "sidst", "mest",
                        "bedst", "næst", "helt", "fast", "kort", "hurtigt", "stort", "klart", "rart",
                        "vant", "ondt", "koldt", "varmt", "tyst", "trist", "flot", "et", "nødt", "lidt",
                        "svært", "trygt", "dyrt", "mørkt", "lyst", "tørt", "vådt", "sødt", "surt", "hårdt",
                        "blødt", "fint", "smukt", "grimt", "tyndt", "tykt", "stærkt", "nemt", "sjovt",
                        "sikkert", "usikkert", "travlt", "langt", "bredt", "fladt", "stramt", "slemt",
                        "galt", "vigtigt", "ret", "sort", "hvidt", "rødt", "grønt", "blåt", "gult"})
ADVERBS = ("ikke", "også", "altid", "gerne", "derfor", "straks", "først", "kun", "nu", "selv", "typisk",
           "normalt", "evt", "eventuelt", "måske", "nok", "desuden", "helst")


@dataclass
class Ctx:
    """What a check sees: the analysis, the word lists and the profile's thresholds."""
    a: Analysis
    words: Words
    profile: dict[str, Any]
    links: list[list]
    lang: str
    sentence_starts: set[int] | None
    low: str = ""            # the text in lower case, same offsets: word-list patterns run on it
    block_starts: list[int] | None = None
    signature_start: int | None = None
    sentence_list: list[int] | None = None   # the sentences' starts, for _sentence_at

    @property
    def words_verbs(self) -> Verbs:
        return verbs()


Check = Callable[[Ctx], list[Finding] | None]   # a check's own logic: its findings, or None: inapplicable


# -- helpers --------------------------------------------------------------------------------------

def _da(number: str) -> str:
    """A formatted number with the Danish decimal comma: 61.7 → 61,7."""
    return number.replace(".", ",")


def _excerpt(text: str, start: int, end: int) -> str:
    ex = " ".join(text[start:end].split())
    return ex if len(ex) <= EXCERPT_MAX else ex[: EXCERPT_MAX - 1] + "…"


def finding(ctx: Ctx, start: int, end: int, impact: str, message: Texts, suggestion: Texts) -> Finding:
    """A failure at [start, end) of the text: its target "text:START-END", span and excerpt."""
    return common.finding(f"text:{start}-{end}", "", message, suggestion, impact=impact, span=[start, end],
                          excerpt=_excerpt(ctx.a.text, start, end))


def _word_start(text: str, i: int) -> bool:
    """No letter, digit or hyphen right before position i. (Patterns start with their literal
    text rather than a look-behind, so the regex engine can skip ahead: many times faster.)"""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "-_")


def _one_block(ctx: Ctx, start: int, end: int) -> bool:
    """Whether [start, end) lies inside one block (a phrase never runs across blocks)."""
    import bisect

    if ctx.block_starts is None:
        ctx.block_starts = [b.start for b in ctx.a.blocks]
    k = bisect.bisect_right(ctx.block_starts, start) - 1
    return k >= 0 and end <= ctx.a.blocks[k].end


def _is_sentence_start(ctx: Ctx, pos: int) -> bool:
    if ctx.sentence_starts is None:
        ctx.sentence_starts = {s.first_word for s in ctx.a.sentences}
    return pos in ctx.sentence_starts


def _in_parentheses_or_explained(text: str, start: int, end: int) -> bool:
    """"magnetisk resonans (MR)" or "MR (magnetisk resonans)"."""
    before = text[max(0, start - 2):start].rstrip(" \t")
    after = text[end:end + 2].lstrip(" \t")
    return before.endswith("(") or after.startswith("(")


# -- the text's analysis and the checks' declaration -------------------------------------------------

DANISH, BOTH, ENGLISH = ("da",), ("da", "en"), ("en",)


def text_language(artifacts: Artifacts, config: dict[str, Any]) -> str:
    lang = (artifacts["text"].get("lang") or config.get("klarsprog", {}).get("text_lang") or "da").lower()
    return lang.split("-")[0].split("_")[0]


def analysis(artifacts: Artifacts, check_ctx: CheckContext) -> Ctx:
    """The analysis of a document's text: computed once per document (CheckContext.computed)."""
    config = check_ctx.config
    settings = config.get("klarsprog", {})
    profile = settings.get("profiles", {}).get(settings.get("profile", "web"), {})
    words = words_for(settings)
    t = artifacts["text"]
    blocks = [Block(*b[:4]) for b in t["blocks"]]
    a = analyse(t["text"], blocks, words.lexicon)
    low = t["text"].lower()
    if len(low) != len(t["text"]):      # a character whose lower case is longer: keep offsets
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in t["text"])
    return Ctx(a=a, words=words, profile=profile, links=t.get("links") or [],
               lang=text_language(artifacts, config), sentence_starts=None, low=low)


def context(artifacts: Artifacts, config: dict[str, Any]) -> Ctx:
    """The analysis outside a check run (tests, readability figures)."""
    return analysis(artifacts, CheckContext(artifacts, config))


_klarsprog = family("klarsprog", category=Category.PLAIN_LANGUAGE, applies_to=("page", "letter", "text"),
                    requires=("text",), target=TargetKind.TEXT)


def klarsprog_check(*, languages: tuple[str, ...], **meta: Any) -> Callable[[Check], Check]:
    """Declare a plain-language check (``family``'s ``check`` with the family's settings) that
    assesses texts in ``languages`` (tagged ``lang-da``/``lang-en``). The decorated function is the
    check's own logic, a function of the text's analysis (``Ctx``) returning its findings, or None
    when the check has nothing to judge (inapplicable). The registered evaluation does the language
    gating, once for all the checks: a text in a language klartjek does not assess gives no result
    (see readability_summary); a text with no words, or in a language the check does not cover, is
    inapplicable."""
    def register(fn: Check) -> Check:
        def evaluate(artifacts: Artifacts, check_ctx: CheckContext) -> list[Finding] | Outcome | None:
            ctx = check_ctx.computed(analysis)
            if ctx.lang not in ("da", "en"):
                return None                      # not assessed: see readability_summary
            if ctx.lang not in languages or not ctx.a.words:
                return INAPPLICABLE
            found = fn(ctx)
            return INAPPLICABLE if found is None else found

        # named after the check (not functools.wraps: the registered function keeps its own signature)
        evaluate.__name__, evaluate.__qualname__, evaluate.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        _klarsprog(tags=tuple(f"lang-{lang}" for lang in languages), **meta)(evaluate)
        return fn
    return register


# -- the checks -----------------------------------------------------------------------------------

@klarsprog_check(code="KL001", name="lix", impact=Impact.SERIOUS, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Teksten har en høj LIX", "en": "The text has a high LIX"},
                 description={"da": "LIX måler, hvor let en tekst er at læse, ud fra sætningslængde og lange ord.",
                              "en": "LIX measures how easy a text is to read from sentence length and long words."})
def check_lix(ctx: Ctx) -> list[Finding] | None:
    lix = ctx.a.lix()
    if lix is None:
        return None
    warn, fail = ctx.profile["lix_warn"], ctx.profile["lix_fail"]
    if lix <= warn:
        return []
    impact = "serious" if lix > fail else "moderate"
    band = lix_band(lix)
    limit = fail if lix > fail else warn
    return [finding(ctx, 0, len(ctx.a.text), impact,
                    {"da": f"LIX er {_da(f'{lix:g}')} ({BAND_NAMES[band]['da']}); grænsen er {_da(f'{limit:g}')}.",
                     "en": f"LIX is {lix:g} ({BAND_NAMES[band]['en']}); the limit is {limit:g}."},
                    {"da": "Skriv kortere sætninger og brug kortere, almindelige ord.",
                     "en": "Write shorter sentences and use shorter, everyday words."})]


@klarsprog_check(code="KL002", name="sentence-length-average", impact=Impact.MODERATE, languages=BOTH,
                 related_wcag=("3.1.5",),
                 title={"da": "Sætningerne er lange i gennemsnit", "en": "Sentences are long on average"},
                 description={"da": "Korte sætninger er lettere at læse; sigt efter 15-18 ord i gennemsnit.",
                              "en": "Short sentences are easier to read; aim for 15-18 words on average."})
def check_sentence_average(ctx: Ctx) -> list[Finding] | None:
    hw, hn, _ = ctx.a.heading_totals
    if len(ctx.a.sentences) - hn <= 0:
        return None
    avg = (ctx.a.words - hw) / (len(ctx.a.sentences) - hn)
    if avg <= ctx.profile["sentence_avg_max"]:
        return []
    return [finding(ctx, 0, len(ctx.a.text), "moderate",
                    {"da": f"Sætningerne har i gennemsnit {_da(f'{avg:.1f}')} ord; sigt efter 15-18.",
                     "en": f"Sentences average {avg:.1f} words; aim for 15-18."},
                    {"da": "Del de lange sætninger op, så hver sætning siger én ting.",
                     "en": "Split long sentences so that each says one thing."})]


@klarsprog_check(code="KL003", name="long-sentence", impact=Impact.MODERATE, languages=BOTH,
                 related_wcag=("3.1.5",),
                 title={"da": "Meget lang sætning", "en": "Very long sentence"},
                 description={"da": "En sætning med over 25 ord er svær at holde styr på.",
                              "en": "A sentence of more than 25 words is hard to follow."})
def check_long_sentence(ctx: Ctx) -> list[Finding]:
    limit = ctx.profile["sentence_max"]
    return [finding(ctx, s.start, s.end, "moderate",
                    {"da": f"Sætningen har {s.n_tokens} ord (over {limit}).",
                     "en": f"The sentence has {s.n_tokens} words (over {limit})."},
                    {"da": "Del sætningen i to eller tre kortere sætninger.",
                     "en": "Split the sentence into two or three shorter ones."})
            for s in ctx.a.sentences if s.n_tokens > limit]


@klarsprog_check(code="KL004", name="long-paragraph", impact=Impact.MINOR, languages=BOTH,
                 related_wcag=("3.1.5",),
                 title={"da": "Langt afsnit", "en": "Long paragraph"},
                 description={"da": "Korte afsnit gør teksten lettere at overskue.",
                              "en": "Short paragraphs are easier to scan."})
def check_long_paragraph(ctx: Ctx) -> list[Finding]:
    out = []
    max_s, max_w = ctx.profile["paragraph_sentences"], ctx.profile["paragraph_words"]
    for block in ctx.a.blocks:
        if (block.n_sentences > max_s or block.n_words > max_w) and block.kind not in ("heading", "table_cell"):
            n_s, words = block.n_sentences, block.n_words
            out.append(finding(ctx, block.start, block.end, "minor",
                               {"da": f"Afsnittet har {n_s} sætninger og {words} ord.",
                                "en": f"The paragraph has {n_s} sentences and {words} words."},
                               {"da": f"Del afsnittet op: højst {max_s} sætninger eller {max_w} ord.",
                                "en": f"Split the paragraph: at most {max_s} sentences or {max_w} words."}))
    return out


EVERYDAY_COMPOUND_MAX = 20      # letters: a compound of two dictionary words up to this is not flagged


@klarsprog_check(code="KL005", name="long-compound", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Langt sammensat ord", "en": "Long compound word"},
                 description={"da": "Meget lange sammensatte ord er svære at læse.",
                              "en": "Very long compound words are hard to read."})
def check_long_compound(ctx: Ctx) -> list[Finding]:
    limit = ctx.profile["compound_letters"]
    text, out = ctx.a.text, []
    last: dict[tuple[int, str], int] = {}
    for a, word in ctx.a.compounds:            # words over 12 letters, collected by the analysis
        letters = sum(ch.isalpha() for ch in word)
        if letters <= limit:
            continue
        s = text.find(word, last.get((a, word), a))
        last[(a, word)] = s + len(word)
        e = s + len(word)
        if word[:1].isupper() and not word.isupper() and not _is_sentence_start(ctx, s):
            continue     # a name (Danish capitalises nothing else inside a sentence): no writer can shorten it
        if letters <= EVERYDAY_COMPOUND_MAX and two_part_compound(word, ctx.words_verbs.words):
            continue     # two everyday words: handicap|parkering, parkerings|pladsen
        if _in_signature(ctx, s):
            continue     # the sender's name and address
        out.append(finding(ctx, s, e, "minor",
                           {"da": f"\u00bb{word}\u00ab er et langt ord ({letters} bogstaver).",
                            "en": f"\u201c{word}\u201d is a long word ({letters} letters)."},
                           {"da": "Skriv det med flere, kortere ord.",
                            "en": "Say it in several shorter words."}))
    return out


S_WORD_RE = re.compile(r"s(?![\w-])")       # a word ending in -s: starts with its literal text, a fast scan
WORD_RE = re.compile(r"[^\W\d_]+")
# Words before a genitive ("et mødes forløb"): a passive never follows them directly.
DETERMINERS = frozenset({"en", "et", "den", "din", "dit", "dine", "min", "mit", "mine", "vores", "jeres", "hans",
                         "hendes", "deres", "sin", "sit", "sine", "dette", "denne", "disse", "hvert", "hver"})
SUBJECTS_PLURAL = frozenset({"vi", "i", "de"})
PRONOUN_OBJECT = {"du": "dig", "i": "jer", "de": "dem", "han": "ham", "hun": "hende", "vi": "os"}
PARTICLES = ("op", "ned", "ind", "ud", "hjem", "med", "over", "igen", "tilbage", "frem")
# "af" in these does not name who acts: "på grund af sygdom", "en del af leveren"
AF_NOT_AGENT = ("på grund af", "ved hjælp af", "i løbet af", "i form af", "på baggrund af", "i kraft af",
                "ud af", "del af", "uden af", "brug af", "i stedet af")
AGENT_STOP = frozenset({"i", "på", "til", "med", "og", "eller", "når", "før", "efter", "ved", "som", "hvis", "så",
                        "for", "fra", "om", "inden", "under", "hvor", "mens", "fordi", "men", "at"})


def _prev_word(low: str, pos: int) -> tuple[int, str] | None:
    """The word that ends right before ``pos`` (white space between allowed, punctuation not)."""
    i = pos
    while i > 0 and low[i - 1].isspace():
        i -= 1
    j = i
    while j > 0 and low[j - 1].isalpha():
        j -= 1
    return (j, low[j:i]) if j < i else None


def _next_word(low: str, pos: int) -> tuple[int, str] | None:
    """The word that starts right after ``pos`` (white space between allowed, punctuation not)."""
    i = pos
    while i < len(low) and low[i] in " \t":
        i += 1
    m = WORD_RE.match(low, i)
    return (m.start(), m.group()) if m else None


def _sentence_at(ctx: Ctx, pos: int) -> tuple[int, int]:
    import bisect

    if ctx.sentence_list is None:            # once per document: a check may ask for every word
        ctx.sentence_list = [s.start for s in ctx.a.sentences]
    k = bisect.bisect_right(ctx.sentence_list, pos) - 1
    if k >= 0 and pos < ctx.a.sentences[k].end:
        return ctx.a.sentences[k].start, ctx.a.sentences[k].end
    return pos, pos


def _modal_before(ctx: Ctx, vs: int) -> tuple[int, str] | None:
    """A modal verb before the word at ``vs``, with up to three adverbs (or the subject) between."""
    pos, modals = vs, ctx.words.modals
    for _ in range(4):
        prev = _prev_word(ctx.low, pos)
        if prev is None:
            return None
        if prev[1] in modals:
            return prev
        if prev[1] not in ADVERBS and prev[1] not in PRONOUN_OBJECT:
            return None
        pos = prev[0]
    return None


def _subject_before(ctx: Ctx, vs: int) -> str | None:
    """A personal pronoun right before the verb, or before its modal ("Vi ses", "du kan indkaldes")."""
    pos = vs
    for _ in range(4):
        prev = _prev_word(ctx.low, pos)
        if prev is None:
            return None
        if prev[1] in PRONOUN_OBJECT:
            return prev[1]
        if prev[1] not in ADVERBS and prev[1] not in ctx.words.modals:
            return None
        pos = prev[0]
    return None


def _agent(ctx: Ctx, after: int, sentence_end: int) -> tuple[int, int] | None:
    """The af-phrase that names who acts, right after the verb (adverbs and particles between):
    "varetages af Radiologisk Afdeling", "bliver ringet op af en sygeplejerske". Not "på grund af",
    nor an af after a noun ("vævsprøver af slimhinden")."""
    low, pos = ctx.low, after
    for _ in range(4):
        nxt = _next_word(low, pos)
        if nxt is None or nxt[0] >= sentence_end:
            return None
        i, w = nxt
        if w == "af":
            if any(low.endswith(x, 0, i + 2) for x in AF_NOT_AGENT):
                return None
            a = b = i + 2
            count = 0
            for m in WORD_RE.finditer(low, a, sentence_end):
                if low[b:m.start()].strip(" \t") or (m.group() in AGENT_STOP and count) or count >= 5:
                    break
                b, count = m.end(), count + 1
            start = _next_word(low, a)
            return (start[0], b) if start and count else None
        if w not in ADVERBS and w not in PARTICLES and w not in PRONOUN_OBJECT:
            return None
        pos = i + len(w)
    return None


def _is_deponent(ctx: Ctx, word: str, vs: int, ve: int) -> bool:
    """Whether an -s verb is a deponent or reciprocal here (deponent-verbs.txt and its conditions)."""
    conditions = ctx.words.deponents.get(word)
    if conditions is None:
        return False
    if "passive-after-modal" in conditions:
        return _modal_before(ctx, vs) is None
    if "passive-with-agent" in conditions:
        return _agent(ctx, ve, _sentence_at(ctx, vs)[1]) is None
    reciprocal = [c for c in conditions if c.startswith("reciprocal")]
    if not reciprocal:
        return True
    nxt = _next_word(ctx.low, ve)
    for c in reciprocal:
        if c == "reciprocal-subject" and _subject_before(ctx, vs) in SUBJECTS_PLURAL:
            return True
        if c.startswith("reciprocal-next=") and nxt and nxt[1] == c.split("=", 1)[1]:
            return True
    return False


def _compound_passive(ctx: Ctx, verb: str) -> str | None:
    """The passive of a compound verb the dictionary lacks: røntgen|undersøges → røntgenundersøge."""
    if len(verb) < 10:
        return None
    v = ctx.words_verbs
    for i in range(3, len(verb) - 5):
        lemma = v.passive.get(verb[i:])
        if lemma and verb[:i] in v.words:
            return verb[:i] + lemma
    return None


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _imperative(infinitive: str) -> str:
    """møde → mød, udfylde → udfyld, ringe → ring, gå → gå."""
    if infinitive.endswith("e") and len(infinitive) > 2 and infinitive[-2] not in "aeiouyæøå":
        stem = infinitive[:-1]
        return stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem
    return infinitive


def _active_suggestion(ctx: Ctx, lemma: str, subject: str | None, modal: str | None,
                       agent: str | None, particle: str | None = None) -> Texts:
    """An active rewrite of a passive, from the verb, the subject and the actor the sentence names."""
    v = ctx.words_verbs
    obj = f" {PRONOUN_OBJECT[subject]}" if subject in PRONOUN_OBJECT and subject != "vi" else ""
    if particle:
        obj += f" {particle}"          # ringet op → »… ringer dig op«
    if agent:
        said = f"{_cap(agent)} {v.present(lemma)}{obj} …"
        return {"da": f"Sætningen siger, hvem der gør det: sæt det først og skriv aktivt, fx \u00bb{said}\u00ab.",
                "en": f"The sentence names who does it: put that first, in the active voice, e.g. \u201c{said}\u201d."}
    if modal and subject in ("du", "i"):
        said = f"{_cap(subject)} {modal} {lemma} …"
        return {"da": f"Sig det direkte til læseren: \u00bb{said}\u00ab.",
                "en": f"Address the reader directly: \u201c{said}\u201d (active voice)."}
    if modal:
        you, we = f"Du {modal} {lemma} …", f"Vi {modal} {lemma} …"
        return {"da": f"Sig hvem der skal gøre det: \u00bb{you}\u00ab eller \u00bb{we}\u00ab.",
                "en": f"Say who must do it: \u201c{you}\u201d (you) or \u201c{we}\u201d (we)."}
    said = f"Vi {v.present(lemma)}{obj or ''} …"
    return {"da": f"Sig hvem der gør det: \u00bb{said}\u00ab (eller afdelingens navn i stedet for »vi«).",
            "en": f"Say who does it: \u201c{said}\u201d (we; or the department's name)."}


def _request_suggestion(ctx: Ctx, after: int) -> Texts:
    """For "Du bedes (venligst) møde op": a direct request with the sentence's own verb, »Mød op …«."""
    low = ctx.low
    nxt = _next_word(low, after)
    while nxt and (nxt[1] in ADVERBS or nxt[1] in PRONOUN_OBJECT or nxt[1] in ("venligst", "tillige")):
        nxt = _next_word(low, nxt[0] + len(nxt[1]))
    if nxt and len(nxt[1]) > 1 and nxt[1] in ctx.words_verbs.infinitives:
        act, verb = _cap(_imperative(nxt[1])), nxt[1]
        part = _next_word(low, nxt[0] + len(nxt[1]))
        if part and part[1] in PARTICLES:           # møde op → »Mød op«
            act, verb = f"{act} {part[1]}", f"{verb} {part[1]}"
        return {"da": f"Skriv en direkte opfordring: \u00bb{act} …\u00ab, eller \u00bbDu skal {verb} …\u00ab.",
                "en": f"Write a direct request: \u201c{act} …\u201d (imperative), or \u201cDu skal {verb} …\u201d."}
    return {"da": "Skriv en direkte opfordring, fx \u00bbRing …\u00ab eller \u00bbDu skal …\u00ab.",
            "en": "Write a direct request, e.g. \u201cRing …\u201d (call) or \u201cDu skal …\u201d."}


def _passive_messages(excerpt: str, agent: str | None) -> Texts:
    if agent:
        return {"da": f"\u00bb{excerpt}\u00ab er passiv: den, der handler (\u00bb{agent}\u00ab), "
                      "står bagest i sætningen.",
                "en": f"\u201c{excerpt}\u201d is passive: the one who acts (\u201c{agent}\u201d) comes last."}
    return {"da": f"\u00bb{excerpt}\u00ab er passiv: det fremgår ikke, hvem der gør det.",
            "en": f"\u201c{excerpt}\u201d is passive: it does not say who does it."}


@klarsprog_check(code="KL006", name="s-passive", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "S-passiv", "en": "S-passive"},
                 description={"da": "Passiv skjuler, hvem der gør noget. Aktiv er mere direkte.",
                              "en": "The passive hides who does what. The active voice is more direct."})
def check_s_passive(ctx: Ctx) -> list[Finding]:
    """Every s-passive the Danish dictionary knows (varetages, meddeles, kan ses, bedes), not deponents or
    reciprocals (synes, vi ses), nor a genitive after a determiner; with the verb, subject and actor
    the sentence gives, an active rewrite."""
    out = []
    low, text, passive = ctx.low, ctx.a.text, ctx.words_verbs.passive
    for hit in S_WORD_RE.finditer(low):
        ve = hit.end()
        w = _prev_word(low, ve)
        if w is None or w[0] != ve - len(w[1]) or len(w[1]) < 3:
            continue
        vs, verb = w
        lemma = passive.get(verb) or _compound_passive(ctx, verb)
        if lemma is None or not _word_start(low, vs):
            continue
        if verb + "e" in ctx.words_verbs.infinitives and verb + "e" != lemma:
            continue                         # an imperative: "Læs" (læse), "Vis" (vise), not the passive of læ
        if text[vs].isupper() and not _is_sentence_start(ctx, vs):
            continue                         # a name: "skal Agnes …"
        if _is_deponent(ctx, verb, vs, ve):
            continue
        prev = _prev_word(low, vs)
        if prev and prev[1] in DETERMINERS:
            continue                         # a genitive: "et mødes", "din husets"
        modal = _modal_before(ctx, vs)
        start = modal[0] if modal and _one_block(ctx, modal[0], ve) else vs
        s_start, s_end = _sentence_at(ctx, vs)
        agent_span = _agent(ctx, ve, s_end)
        agent = " ".join(text[agent_span[0]:agent_span[1]].split()) if agent_span else None
        subject = _subject_before(ctx, vs)
        if subject is None:                  # "indkaldes du", "Hermed indkaldes du"
            nxt = _next_word(low, ve)
            subject = nxt[1] if nxt and nxt[1] in PRONOUN_OBJECT else None
        excerpt = _excerpt(text, start, ve)
        if verb == "bedes":
            sug = _request_suggestion(ctx, ve)
            out.append(finding(ctx, start, ve, "minor",
                               {"da": f"\u00bb{excerpt}\u00ab er passiv og stift: "
                                      "det lyder som en ordre fra en myndighed.",
                                "en": f"\u201c{excerpt}\u201d is passive and stiff: "
                                      "it sounds like an order from an authority."},
                               sug))
            continue
        part = _next_word(low, ve)
        out.append(finding(ctx, start, ve, "minor", _passive_messages(excerpt, agent),
                           _active_suggestion(ctx, lemma, subject, modal[1] if modal else None, agent,
                                              part[1] if part and part[1] in PARTICLES else None)))
    return out


# blive, then up to two small words (a pronoun or an adverb: "bliver du ikke indkaldt"), then
# the word that must look like a past participle. A noun in the way ("blive i venteværelset")
# stops the match, since only the listed small words may stand between.
_BETWEEN = ("du", "vi", "de", "han", "hun", "den", "det", "der", "man", "ikke", "også", "altid", "lidt",
            "måske", "så", "nok", "straks", "typisk", "normalt", "først", "derefter", "herefter", "hurtigt")
BLIVE_RE = re.compile(rf"bl(?:iver|ev|ive|evet)((?:{WS}(?:{'|'.join(_BETWEEN)})){{0,2}}{WS}[^\W\d_]+(?:-[^\W\d_]+)*)")
AND_NEXT = re.compile(r"\s+og\s+([^\W\d_]+)")


def _participle_lemma(ctx: Ctx, word: str) -> str | None:
    """The infinitive of a past participle: the dictionary's, or that of the last part of a compound
    the dictionary lacks (ud|sat, MR-|scannet); None for an adjective or a noun ("bliver træt",
    "bliver øjet")."""
    parts = ctx.words_verbs.participle
    if word in parts:
        return parts[word]
    if "-" in word:
        tail = word.rsplit("-", 1)[1]
        return parts.get(tail)
    for i in range(2, len(word) - 2):
        if word[i:] in parts and word[:i] in ctx.words_verbs.words:
            return word[:i] + parts[word[i:]]
    return None


@klarsprog_check(code="KL007", name="blive-passive", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Blive-passiv", "en": "Blive-passive"},
                 description={"da": "Passiv skjuler, hvem der gør noget. Aktiv er mere direkte.",
                              "en": "The passive hides who does what. The active voice is more direct."})
def check_blive_passive(ctx: Ctx) -> list[Finding]:
    out = []
    text = ctx.a.text
    for m in BLIVE_RE.finditer(ctx.low):
        if not _word_start(ctx.low, m.start()) or not _one_block(ctx, m.start(), m.end()):
            continue
        pos = m.start(1)
        w = re.search(r"[^\W\d_]+(?:-[^\W\d_]+)*$", m.group(1))
        word = w.group().lower()
        if word in BLIVE_STOP:
            continue
        lemma = _participle_lemma(ctx, word)
        if lemma is None:
            continue
        end = pos + w.end()
        more = AND_NEXT.match(ctx.low, end)          # "bliver vejet og målt"
        if more and _participle_lemma(ctx, more.group(1)) and more.group(1) not in BLIVE_STOP:
            end = more.end()
        _, s_end = _sentence_at(ctx, m.start())
        agent_span = _agent(ctx, end, s_end)
        agent = " ".join(text[agent_span[0]:agent_span[1]].split()) if agent_span else None
        subject = _subject_before(ctx, m.start())
        between = [x.group() for x in WORD_RE.finditer(m.group(1))][:-1]
        if subject is None:
            subject = next((x for x in between if x in PRONOUN_OBJECT), None)
        modal = _modal_before(ctx, m.start())
        excerpt = _excerpt(text, m.start(), end)
        msg = _passive_messages(excerpt, agent)
        msg = {"da": msg["da"].replace("er passiv", "er passiv (blive-passiv)", 1), "en": msg["en"]}
        part = _next_word(ctx.low, end)
        out.append(finding(ctx, m.start(), end, "minor", msg,
                           _active_suggestion(ctx, lemma, subject, modal[1] if modal else None, agent,
                                              part[1] if part and part[1] in PARTICLES else None)))
    return out


# the endings, found first; the word is then taken back to its start
NOMINAL_RES = tuple(re.compile(p + r"(?![\w-])") for p in (
    "else(?:n|r|rne|ns|s)?", "ing(?:en|er|erne|ens|s)?", "tion(?:en|er|erne|ens|s)?",
    "sion(?:en|er|erne|ens|s)?", "hed(?:en|er|erne|ens|s)?"))
_WORD_BEFORE = re.compile(r"[^\W\d_]+\Z")


def _word_back(text: str, end_of_stem: int, end: int) -> tuple[int, str] | None:
    """The whole word that ends at ``end`` and has letters up to ``end_of_stem``."""
    m = _WORD_BEFORE.search(text, max(0, end_of_stem - 40), end_of_stem)
    if m is None or not _word_start(text, m.start()):
        return None
    return m.start(), text[m.start():end]


def _nominal_bases(word: str) -> list[str]:
    bases = [word]
    for infl in ("erne", "ens", "en", "er", "s", "n", "r"):
        if word.endswith(infl) and len(word) - len(infl) > 3:
            bases.append(word[: -len(infl)])
    return bases


@klarsprog_check(code="KL008", name="nominalisations", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Mange navneordsvendinger", "en": "Many nominalisations"},
                 description={"da": "Navneord lavet af udsagnsord (-else, -ing, -tion, -sion, -hed) gør teksten tung.",
                              "en": "Nouns made from verbs (-else, -ing, -tion, -sion, -hed) make a text heavy."})
def check_nominalisations(ctx: Ctx) -> list[Finding] | None:
    if not ctx.a.words:
        return None
    text, hits, memo = ctx.a.text, [], {}
    matches = sorted((m for pat in NOMINAL_RES for m in pat.finditer(ctx.low)), key=lambda m: m.start())
    for m in matches:
        back = _word_back(ctx.low, m.start(), m.end())
        if back is None or m.end() - back[0] < 5:
            continue
        start, low = back
        word = text[start:m.end()]
        allowed = memo.get(low)
        if allowed is None:                 # words repeat: decide each once
            allowed = memo[low] = (low in ctx.words.nominal_stop or ctx.words_verbs.is_verb_present(low) or any(
                ctx.words.nominal_allow.search(b) for b in _nominal_bases(low)))
        if allowed:
            continue
        if word[0].isupper() and not _is_sentence_start(ctx, start):
            continue                        # a name: Kolding, Ringsted …
        hits.append((start, m.end(), word))
    density = len(hits) / ctx.a.words
    if density <= ctx.profile["nominal_density"]:
        return []
    per100 = 100 * density
    return [finding(ctx, start, end, "minor",
                    {"da": f"\u00bb{word}\u00ab er et navneord lavet af et udsagnsord; teksten har "
                           f"{_da(f'{per100:.1f}')} af dem pr. 100 ord.",
                     "en": f"\u201c{word}\u201d is a nominalisation; the text has {per100:.1f} "
                           "per 100 words."},
                    {"da": "Brug udsagnsordet: \u00bbvi undersøger\u00ab frem for "
                           "\u00bbforetagelse af undersøgelse\u00ab.",
                     "en": "Use the verb: \u201cwe examine\u201d rather than \u201ccarry out an "
                           "examination\u201d."}) for start, end, word in hits]


FORMAL_RE = re.compile(r"(De(?:m|res)?)\b")
MAN_RE = re.compile(r"man\b")
FORMAL_ALT = {"De": "du", "Dem": "dig", "Deres": "din, dit, dine"}


def _formal_first(ctx: Ctx, m: re.Match) -> bool:
    """A sentence's first »De« is the formal you (in a text that uses it elsewhere) when a verb follows:
    »De anmodes …«, »De må …«; not »De fleste …«. »Deres« first is the formal your."""
    if m.group(1) != "De":
        return m.group(1) == "Deres"
    nxt = _next_word(ctx.low, m.end())
    if nxt is None:
        return False
    v, w = ctx.words_verbs, nxt[1]
    return w in ctx.words.modals or w in ("er", "har", "får", "bedes") or v.is_verb_present(w) or w in v.passive


@klarsprog_check(code="KL009", name="formal-address", impact=Impact.MODERATE, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Formel tiltale (De, Dem, Deres)", "en": "Formal address (De, Dem, Deres)"},
                 description={"da": "Skriv du til læseren; De/Dem/Deres virker gammeldags og fjernt.",
                              "en": "Address the reader as du; De/Dem/Deres feels old-fashioned and distant."})
def check_formal_address(ctx: Ctx) -> list[Finding]:
    out = []
    hits = [m for m in FORMAL_RE.finditer(ctx.a.text) if _word_start(ctx.a.text, m.start())]
    formal = any(not _is_sentence_start(ctx, m.start()) for m in hits)
    for m in hits:
        if _is_sentence_start(ctx, m.start()) and not (formal and _formal_first(ctx, m)):
            continue                         # "De" first in a sentence may mean "they", unless the text
                                             # addresses its reader as De elsewhere
        word = m.group(1)
        out.append(finding(ctx, m.start(), m.end(), "moderate",
                           {"da": f"\u00bb{word}\u00ab er en formel tiltale.",
                            "en": f"\u201c{word}\u201d is a formal way to address the reader."},
                           {"da": f"Skriv \u00bb{FORMAL_ALT[word]}\u00ab.",
                            "en": f"Write \u201c{FORMAL_ALT[word]}\u201d (informal you)."}))
    return out


@klarsprog_check(code="KL010", name="impersonal-man", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Upersonligt \u00bbman\u00ab", "en": "Impersonal \u201cman\u201d"},
                 description={"da": "Skriv du eller vi, så læseren ved, hvem det handler om.",
                              "en": "Write du (you) or vi (we), so readers know whom it concerns."})
def check_impersonal_man(ctx: Ctx) -> list[Finding]:
    return [finding(ctx, m.start(), m.end(), "minor",
                    {"da": "\u00bbman\u00ab er upersonligt: læseren ved ikke, om det gælder hende selv.",
                     "en": "\u201cman\u201d (one) is impersonal: readers cannot tell whether it means them."},
                    {"da": "Skriv \u00bbdu\u00ab eller \u00bbvi\u00ab.",
                     "en": "Write \u201cdu\u201d (you) or \u201cvi\u201d (we)."})
            for m in MAN_RE.finditer(ctx.low) if _word_start(ctx.low, m.start())]


ACRONYM_RE = re.compile(r"([A-ZÆØÅ][A-ZÆØÅ]{1,5})(?:'?s)?(?!\w)")   # also EKG-svar


@klarsprog_check(code="KL011", name="unexplained-abbreviation", impact=Impact.MODERATE, languages=DANISH,
                 related_wcag=("3.1.4",),
                 title={"da": "Forkortelse uden forklaring", "en": "Abbreviation not explained"},
                 description={"da": "Forklar en forkortelse første gang, den bruges, eller skriv ordene ud.",
                              "en": "Explain an abbreviation at first use, or write the words out."})
def check_unexplained_abbreviation(ctx: Ctx) -> list[Finding]:
    text, known, out, seen = ctx.a.text, ctx.words.known_abbreviations, [], set()
    jargon_acronyms = ctx.words.jargon_acronyms      # NSAID, INR: KL012 reports them, with their meaning
    block_of = _block_index(ctx.a.blocks)
    caps: dict[int, bool] = {}
    for m in ACRONYM_RE.finditer(text):
        acr = m.group(1)
        if acr.lower() in known or acr in seen or not _word_start(text, m.start()) or acr in jargon_acronyms:
            continue
        if _in_signature(ctx, m.start()):
            continue
        bi = block_of(m.start())
        if bi not in caps:                   # an all-capitals heading is not a row of acronyms
            b = ctx.a.blocks[bi]
            caps[bi] = _mostly_capitals(text[b.start:b.end])
        if caps[bi]:
            continue
        seen.add(acr)
        if _in_parentheses_or_explained(text, m.start(), m.end()):
            continue
        out.append(finding(ctx, m.start(), m.start() + len(acr), "moderate",
                           {"da": f"Forkortelsen \u00bb{acr}\u00ab er ikke forklaret første gang, den bruges.",
                            "en": f"The abbreviation \u201c{acr}\u201d is not explained at first use."},
                           {"da": f"Skriv hvad {acr} står for første gang, fx \u00bb{acr} (…)\u00ab.",
                            "en": f"Say what {acr} stands for at first use, e.g. \u201c{acr} (…)\u201d."}))
    low, dotted = ctx.low, ctx.words.dotted
    i = low.find(".")
    while i != -1:                           # every full stop: is the word before it "pga" …?
        lo = max(0, i - 8)                   # abbreviations are short: look 8 characters back
        j = max(low.rfind(" ", lo, i), low.rfind("\n", lo, i), low.rfind("(", lo, i)) + 1
        if j == 0 and lo > 0:
            i = low.find(".", i + 1)
            continue
        word = low[j:i]
        if word in dotted and word not in seen and _word_start(low, j) and not text[j:i].isupper():
            seen.add(word)
            out.append(finding(ctx, j, i + 1, "moderate",
                               {"da": f"Forkortelsen \u00bb{text[j:i + 1]}\u00ab kan være svær at forstå.",
                                "en": f"The abbreviation \u201c{text[j:i + 1]}\u201d may be hard to understand."},
                               {"da": "Skriv ordene helt ud.", "en": "Write the words out in full."}))
        i = low.find(".", i + 1)
    out.sort(key=lambda f: f.span)
    return out


def _mostly_capitals(s: str) -> bool:
    """A block in capitals (a shouted heading): at least two words, over 60 % capital letters."""
    letters = [c for c in s if c.isalpha()]
    return (len(s.split()) >= 2 and len(letters) >= 4
            and sum(c.isupper() for c in letters) > 0.6 * len(letters))


def _block_index(blocks: list[Block]) -> Callable[[int], int]:
    import bisect

    starts = [b.start for b in blocks]

    def find(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1
    return find


WORD_AT = re.compile(r"[^\W\d_]+(?![\w-])")


@klarsprog_check(code="KL012", name="medical-jargon", impact=Impact.MODERATE, languages=DANISH,
                 related_wcag=("3.1.3",),
                 title={"da": "Fagord", "en": "Medical jargon"},
                 description={"da": "Latinske og faglige ord skal erstattes af almindelige ord eller forklares.",
                              "en": "Latin and medical words should be replaced by everyday words or explained."})
def check_medical_jargon(ctx: Ctx) -> list[Finding]:
    text, out, taken = ctx.a.text, [], set()
    low, forms = ctx.low, ctx.words.jargon_forms

    def skip(start: int, end: int) -> bool:
        return (_explained(text, start, end) or _in_signature(ctx, start)
                or (text[start].isupper() and not text[start:end].isupper() and not _is_sentence_start(ctx, start)))

    for pos in find_all(low, ctx.words.jargon_stems):
        if pos in taken or not _word_start(low, pos):
            continue
        m = WORD_AT.match(low, pos)
        base = forms.get(m.group()) if m else None
        if base is None:
            continue
        taken.add(pos)
        if skip(m.start(), m.end()):         # explained, a signature, or part of a name ("Ambulatorium for …")
            continue
        out.append(_jargon_finding(ctx, m.start(), m.end(), text[m.start():m.end()], ctx.words.jargon.get(base, "")))
    for pat, alt in ctx.words.jargon_phrases:
        for m in pat.finditer(text):
            if m.start() in taken or _explained(text, m.start(), m.end()) or _in_signature(ctx, m.start()):
                continue
            taken.add(m.start())
            out.append(_jargon_finding(ctx, m.start(), m.end(), m.group(), alt))
    for m in (m for p in ctx.words.suffix_res for m in p.finditer(ctx.low)):
        back = _word_back(ctx.low, m.start(), m.end())
        if back is None or back[0] in taken:
            continue
        start, low_word = back
        if low_word in ctx.words.suffix_stop or any(low_word.startswith(stop) for stop in ctx.words.suffix_stop):
            continue
        if skip(start, m.end()):
            continue
        out.append(_jargon_finding(ctx, start, m.end(), text[start:m.end()], ""))
    out.sort(key=lambda f: f.span)
    return out


# After a term, what says it is being explained: "koloskopi (kikkertundersøgelse)", "ambulant, det vil
# sige …", "En koloskopi er en kikkertundersøgelse", "sedation – beroligende medicin".
EXPLAINED_RE = re.compile(r"\s*(?:\(|,?\s*(?:det vil sige|dvs\.|som betyder|hvilket betyder|også kaldet|som er)\b|"
                          r"\s(?:er|betyder)\s+(?:en|et|at|når)\b|\s+[–—]\s|:\s)", re.IGNORECASE)


def _explained(text: str, start: int, end: int) -> bool:
    return _in_parentheses_or_explained(text, start, end) or EXPLAINED_RE.match(text, end, end + 40) is not None


SIGNATURE_RE = re.compile(r"\s*(?:med\s+venlig\s+hilsen|venlig\s+hilsen|de\s+bedste\s+hilsner|mvh\.?)(?!\w)")


def _in_signature(ctx: Ctx, pos: int) -> bool:
    """Whether ``pos`` lies in a letter's closing: the block that starts with »Med venlig hilsen« and
    every block after it (names, departments and addresses nobody should rewrite)."""
    if ctx.signature_start is None:
        ctx.signature_start = len(ctx.a.text) + 1
        for b in ctx.a.blocks:
            if SIGNATURE_RE.match(ctx.low, b.start, b.end):
                ctx.signature_start = b.start
                break
    return pos >= ctx.signature_start


def _jargon_finding(ctx: Ctx, start: int, end: int, word: str, alt: str) -> Finding:
    if alt:
        sug = {"da": f"Skriv \u00bb{alt}\u00ab, eller forklar ordet i en parentes.",
               "en": f"Write \u201c{alt}\u201d, or explain the word in brackets."}
    else:
        sug = {"da": "Brug et almindeligt ord, eller forklar ordet i en parentes.",
               "en": "Use an everyday word, or explain the word in brackets."}
    return finding(ctx, start, end, "moderate",
                   {"da": f"\u00bb{word}\u00ab er et fagord.", "en": f"\u201c{word}\u201d is medical jargon."},
                   sug)


def _bureaucratic_matches(low: str, first: dict[str, list[re.Pattern]]):
    """Phrase matches, found by their longest word (str.find) and then matched in full around it;
    longest phrase first, no overlaps, in text order."""
    found = []
    for key, patterns in first.items():
        for pos in find_all(low, (key,)):
            for pat in patterns:
                m = pat.search(low, max(0, pos - 40), pos + 80)
                while m and m.end() <= pos:
                    m = pat.search(low, m.end(), pos + 80)
                if m and m.start() <= pos:
                    found.append(m)
                    break
    found.sort(key=lambda m: (m.start(), -m.end()))
    last_end = -1
    for m in found:
        if m.start() >= last_end:
            last_end = m.end()
            yield m


@klarsprog_check(code="KL013", name="bureaucratic-word", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.3",),
                 title={"da": "Kancellisprog", "en": "Bureaucratic language"},
                 description={"da": "Gammeldags myndighedsord gør teksten stiv.",
                              "en": "Old official words make a text stiff."})
def check_bureaucratic(ctx: Ctx) -> list[Finding]:
    out = []
    low, first = ctx.low, ctx.words.bureaucratic_first
    for m in _bureaucratic_matches(low, first):
        if not _word_start(ctx.low, m.start()) or (m.start() and ctx.low[m.start() - 1] == "."):
            continue
        if not _one_block(ctx, m.start(), m.end()):
            continue
        if m.group() == "herunder" and _is_sentence_start(ctx, m.start()):
            continue                         # "Herunder kan du læse …": below, not "including"
        phrase = " ".join(ctx.a.text[m.start():m.end()].split())
        alt = ctx.words.bureaucratic.get(phrase.lower(), "")
        out.append(finding(ctx, m.start(), m.end(), "minor",
                           {"da": f"\u00bb{phrase}\u00ab er kancellisprog.",
                            "en": f"\u201c{phrase}\u201d is bureaucratic language."},
                           _request_suggestion(ctx, m.end()) if phrase.lower() == "bedes"
                           else _plain_alternative(ctx, m.start(), m.end(), alt)))
    return out


def _plain_alternative(ctx: Ctx, start: int, end: int, alt: str) -> Texts:
    """The word list's alternative, and the sentence rewritten with it where it is a plain swap:
    "Du skal ikke betale herfor." → »Du skal ikke betale for det.«"""
    if not alt:
        return {"da": "Skriv det med almindelige ord.", "en": "Say it in everyday words."}
    if alt.startswith("("):                  # an instruction: "(udelad ordet)"
        advice = _cap(alt.strip("()"))
        swap = "" if "udelad" in alt and start != _sentence_at(ctx, start)[0] else None
        da, en = f"{advice}.", "Leave the word out." if swap == "" else "Say it in everyday words."
    else:
        words, _, example = alt.partition(":")
        choices = [w.strip() for w in words.split(",") if w.strip()]
        da = ("Skriv " + " eller ".join(f"\u00bb{c}\u00ab" for c in choices)
              + (f", fx {example.strip()}" if example else "") + ".")
        en = "Write " + " or ".join(f"\u201c{c}\u201d" for c in choices) + " instead."
        swap = choices[0] if len(choices) == 1 and not example else None
    if swap is not None:
        s_start, s_end = _sentence_at(ctx, start)
        text = ctx.a.text
        if s_end - s_start <= 160 and s_start <= start:
            repl = _cap(swap) if start == s_start and swap else swap
            new = " ".join((text[s_start:start] + repl + text[end:s_end]).split())
            new = new.replace(" ,", ",").replace(" .", ".")
            da += f" Fx: \u00bb{new}\u00ab"
            en += f" E.g. \u201c{new}\u201d"
    return {"da": da, "en": en}


TIME_COLON_RE = re.compile(r":([0-5]\d)(?![\w:])")   # the hour is read back from the colon
NUM_DATE_RE = re.compile(r"([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})(?![\w/-]|\.\d)|"
                         r"([0-9]{1,2})/([0-9]{1,2})-([0-9]{4}|[0-9]{2})(?![\w/-]|\.\d)")


@klarsprog_check(code="KL014", name="time-format", impact=Impact.MINOR, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Klokkeslæt med kolon", "en": "Time written with a colon"},
                 description={"da": "Dansk skriver klokkeslæt som \u00bbkl. 10.30\u00ab.",
                              "en": "Danish writes times as \u201ckl. 10.30\u201d."})
def check_time_format(ctx: Ctx) -> list[Finding]:
    out = []
    text = ctx.a.text
    for m in TIME_COLON_RE.finditer(text):
        c = m.start()
        h = c
        while h > 0 and c - h < 2 and text[h - 1].isdigit():
            h -= 1
        if h == c or (h > 0 and (text[h - 1].isalnum() or text[h - 1] in ":.")) or int(text[h:c]) > 23:
            continue
        if ctx.a.in_special(h):
            continue                         # inside a URL
        start, end = h, m.end()
        has_kl = ctx.low[max(0, h - 4):h] == "kl. "
        good = f"{'' if has_kl else 'kl. '}{int(text[h:c])}.{m.group(1)}"
        out.append(finding(ctx, start, end, "minor",
                           {"da": f"Klokkeslæt skrives med punktum på dansk: \u00bb{good}\u00ab.",
                            "en": f"Danish writes times with a full stop: \u201c{good}\u201d."},
                           {"da": f"Skriv \u00bb{good}\u00ab.", "en": f"Write \u201c{good}\u201d."}))
    return out


def _year(y: str) -> int:
    return int(y) + 2000 if len(y) == 2 else int(y)


@klarsprog_check(code="KL015", name="ambiguous-date", impact=Impact.MODERATE, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Dato i tal", "en": "Date in numbers only"},
                 description={"da": "En dato som 03.03.26 kan misforstås; skriv \u00bbden 3. marts 2026\u00ab.",
                              "en": "A date such as 03.03.26 can be misread; write the month as a word."})
def check_ambiguous_date(ctx: Ctx) -> list[Finding]:
    out = []
    for m in NUM_DATE_RE.finditer(ctx.a.text):
        if m.start() and (ctx.a.text[m.start() - 1].isalnum() or ctx.a.text[m.start() - 1] in "./-_"):
            continue
        if ctx.a.in_special(m.start()):
            continue                         # inside a URL
        d, mo, y = (m.group(1), m.group(3), m.group(4)) if m.group(1) else (m.group(5), m.group(6), m.group(7))
        day, month = int(d), int(mo)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        good = f"den {day}. {MONTHS_DA[month - 1]} {_year(y)}"
        out.append(finding(ctx, m.start(), m.end(), "moderate",
                           {"da": f"Datoen \u00bb{m.group()}\u00ab kan læses på flere måder.",
                            "en": f"The date \u201c{m.group()}\u201d can be read in more than one way."},
                           {"da": f"Skriv \u00bb{good}\u00ab.",
                            "en": f"Write \u201c{day} {MONTHS_EN[month - 1]} {_year(y)}\u201d "
                                  f"(Danish: \u201c{good}\u201d)."}))
    return out


_MONTH_ALT = "|".join(sorted(MONTH_NUMBER, key=len, reverse=True))
WEEKDAY_DATE_RES = tuple(re.compile(
    rf"({day}),?(?:{WS}den|{WS}d\.)?{WS}"
    rf"(?:(\d{{1,2}})\.\s*({_MONTH_ALT})\.?{WS}(\d{{4}})"
    rf"|(\d{{1,2}})(?:[./](\d{{1,2}})[./]|/(\d{{1,2}})-)(\d{{4}}|\d{{2}}))(?![\d])") for day in WEEKDAYS_DA)


@klarsprog_check(code="KL016", name="weekday-date-mismatch", impact=Impact.SERIOUS, languages=DANISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Ugedag passer ikke med dato", "en": "Weekday does not match the date"},
                 description={"da": "En forkert ugedag eller dato kan få borgeren til at komme på den forkerte dag.",
                              "en": "A wrong weekday or date can make a citizen come on the wrong day."})
def check_weekday_date(ctx: Ctx) -> list[Finding]:
    out = []
    for m in sorted((m for p in WEEKDAY_DATE_RES for m in p.finditer(ctx.low)), key=lambda m: m.start()):
        if not _word_start(ctx.low, m.start()) or not _one_block(ctx, m.start(), m.end()):
            continue
        weekday = m.group(1)
        if m.group(2):
            day, month, year = int(m.group(2)), MONTH_NUMBER[m.group(3)], int(m.group(4))
        else:
            day, month, year = int(m.group(5)), int(m.group(6) or m.group(7)), _year(m.group(8))
        try:
            actual = dt.date(year, month, day).weekday()
        except ValueError:
            out.append(finding(ctx, m.start(), m.end(), "serious",
                               {"da": f"Datoen i \u00bb{m.group()}\u00ab findes ikke.",
                                "en": f"The date in \u201c{m.group()}\u201d does not exist."},
                               {"da": "Ret datoen.", "en": "Correct the date."}))
            continue
        if WEEKDAYS_DA[actual] != weekday:
            date_da = f"{day}. {MONTHS_DA[month - 1]} {year}"
            out.append(finding(ctx, m.start(), m.end(), "serious",
                               {"da": f"{date_da} er en {WEEKDAYS_DA[actual]}, ikke en {weekday}.",
                                "en": f"{day} {MONTHS_EN[month - 1]} {year} is a {WEEKDAYS_EN[actual]}, "
                                      f"not a {WEEKDAYS_EN[WEEKDAYS_DA.index(weekday)]}."},
                               {"da": "Ret ugedagen eller datoen.", "en": "Correct the weekday or the date."}))
    return out


@klarsprog_check(code="KL017", name="generic-link-text", impact=Impact.MODERATE, languages=BOTH,
                 related_wcag=("2.4.9",),
                 title={"da": "Intetsigende linktekst", "en": "Generic link text"},
                 description={"da": "Linktekster som \u00bbklik her\u00ab og \u00bblæs mere\u00ab siger ikke, "
                                    "hvor linket fører hen.",
                              "en": "Link texts such as \u201cclick here\u201d and \u201cread more\u201d do not "
                                    "say where they lead."})
def check_generic_link_text(ctx: Ctx) -> list[Finding] | None:
    if not ctx.links:
        return None
    out = []
    for start, end, _href in ctx.links:
        if link_label(ctx.a.text[start:end]) in ctx.words.generic_links:
            out.append(finding(ctx, start, end, "moderate",
                               {"da": f"Linkteksten \u00bb{ctx.a.text[start:end].strip()}\u00ab siger ikke, "
                                      "hvor linket fører hen.",
                                "en": f"The link text \u201c{ctx.a.text[start:end].strip()}\u201d does not say "
                                      "where the link goes."},
                               {"da": "Skriv hvad linket fører til, fx \u00bbSe parkering ved hospitalet\u00ab.",
                                "en": "Say where the link goes, e.g. \u201cSee parking at the hospital\u201d."}))
    return out


@klarsprog_check(code="KL018", name="english-readability", impact=Impact.SERIOUS, languages=ENGLISH,
                 related_wcag=("3.1.5",),
                 title={"da": "Engelsk tekst er svær at læse", "en": "English text is hard to read"},
                 description={"da": "Flesch reading ease måler engelske teksters læsbarhed (højere er lettere).",
                              "en": "Flesch reading ease measures how easy English text is (higher is easier)."})
def check_english_readability(ctx: Ctx) -> list[Finding] | None:
    import textstat

    text = " ".join(ctx.a.text[s.start:s.end] for s in ctx.a.sentences)
    if not text.strip():
        return None
    score = round(textstat.flesch_reading_ease(text), 1)
    warn, fail = ctx.profile["flesch_warn"], ctx.profile["flesch_fail"]
    if score >= warn:
        return []
    impact = "serious" if score < fail else "moderate"
    return [finding(ctx, 0, len(ctx.a.text), impact,
                    {"da": f"Flesch reading ease er {_da(f'{score:g}')}; under {_da(f'{warn:g}')} er svær engelsk.",
                     "en": f"Flesch reading ease is {score:g}; below {warn:g} is hard to read."},
                    {"da": "Skriv kortere sætninger og ord.", "en": "Write shorter sentences and words."})]


# -- figures ---------------------------------------------------------------------------------------

def readability_summary(artifacts: Artifacts, config: dict[str, Any],
                        check_ctx: CheckContext | None = None) -> dict[str, Any]:
    """Figures shown beside the plain-language score: LIX and its band, counts, or why not assessed
    (from the analysis the checks made, given their context)."""
    ctx = (check_ctx or CheckContext(artifacts, config)).computed(analysis)
    a = ctx.a
    out: dict[str, Any] = {"language": ctx.lang, "assessed": ctx.lang in ("da", "en"),
                           "profile": config.get("klarsprog", {}).get("profile"),
                           "words": a.words, "sentences": len(a.sentences), "long_words": a.long_words}
    if ctx.lang == "da":
        lix = a.lix()
        out |= {"lix": lix, "lix_band": lix_band(lix) if lix is not None else None,
                "lix_without_headings": a.lix(headings=False)}
    elif ctx.lang == "en":
        import textstat
        text = " ".join(a.text[s.start:s.end] for s in a.sentences)
        out["flesch_reading_ease"] = round(textstat.flesch_reading_ease(text), 1) if text.strip() else None
    else:
        out["reason"] = f"not assessed: klartjek checks plain language in Danish and English, not '{ctx.lang}'"
    return out

