"""Which human language is a text in? An offline detector (Lingua, low-accuracy mode) restricted to
the languages that matter in a Danish region, with klartjek's rules on top.

- ``detect(text)``: the language (a BCP 47 primary subtag: "da", "en", "nb" …) and the detector's
  confidence, or None when the text is too short or the detector unsure. Words of indeterminate
  language are left out before the detector sees the text (``content_words``): proper names
  (capitalised inside a sentence), acronyms, words with capitals inside (MitID, iOS), numbers,
  dates, phone and CPR-like numbers, addresses' numbers, e-mail and web addresses, and technical
  loan words that Danish has taken in (e-mail, app, login …).
- ``same_language(a, b)``: two language tags name the same language (primary subtags; nb, nn and
  no are all Norwegian).
- ``disagrees(declared, detection, min_words)``: is the text surely *not* in the declared
  language? Decided by the measurement in docs/language-detection.md: enough words, a high
  confidence, more words and more confidence between Danish, Norwegian and Swedish (which the
  detector confuses on short texts), and the text's function words must say so too.

The detector is built on first use (about 0.5 s, 40 MiB) and shared: Lingua's detector may be used
from several threads at once. Nothing here imports klartjek above core.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Iterable, Sequence

# What a Danish region meets: Danish and its neighbours, English, and the big immigrant languages
# of Denmark that Lingua knows (Statistics Denmark's largest groups: Turkish, Polish, Arabic,
# Romanian, German, Ukrainian, Bosnian/Croatian/Serbian, Persian and Dari, Urdu, Somali,
# Vietnamese, Lithuanian, Tagalog, Tamil, Chinese, Thai, Hindi …). Lingua has no Faroese,
# Greenlandic, Kurdish, Pashto or Tigrinya: a part declared in one of them is not judged.
LANGUAGES = ("da en nb nn sv de fi nl fr es it pt pl lt ro uk ru bs hr sr sq tr ar fa ur so vi tl ta zh th hi"
             ).split()
# each language's name in Danish and in English, for messages
NAMES = {
    "da": ("dansk", "Danish"), "en": ("engelsk", "English"), "nb": ("norsk (bokmål)", "Norwegian (Bokmål)"),
    "nn": ("norsk (nynorsk)", "Norwegian (Nynorsk)"), "no": ("norsk", "Norwegian"), "sv": ("svensk", "Swedish"),
    "de": ("tysk", "German"), "fi": ("finsk", "Finnish"), "nl": ("nederlandsk", "Dutch"), "fr": ("fransk", "French"),
    "es": ("spansk", "Spanish"), "it": ("italiensk", "Italian"), "pt": ("portugisisk", "Portuguese"),
    "pl": ("polsk", "Polish"), "lt": ("litauisk", "Lithuanian"), "ro": ("rumænsk", "Romanian"),
    "uk": ("ukrainsk", "Ukrainian"), "ru": ("russisk", "Russian"), "bs": ("bosnisk", "Bosnian"),
    "hr": ("kroatisk", "Croatian"), "sr": ("serbisk", "Serbian"), "sq": ("albansk", "Albanian"),
    "tr": ("tyrkisk", "Turkish"), "ar": ("arabisk", "Arabic"), "fa": ("persisk", "Persian"), "ur": ("urdu", "Urdu"),
    "so": ("somali", "Somali"), "vi": ("vietnamesisk", "Vietnamese"), "tl": ("tagalog", "Tagalog"),
    "ta": ("tamil", "Tamil"), "zh": ("kinesisk", "Chinese"), "th": ("thai", "Thai"), "hi": ("hindi", "Hindi"),
}
NORWEGIAN = frozenset({"no", "nb", "nn"})
SCANDINAVIAN = frozenset({"da", "sv"}) | NORWEGIAN

MIN_WORDS = 3            # fewer words than this: no detection at all
MIN_CONFIDENCE = 0.5     # below this the detector is unsure: no detection
# disagrees(): the thresholds measured in docs/language-detection.md (bench/language_detect.py --rule)
SURE = 0.95              # the confidence a disagreement needs
SCANDINAVIAN_WORDS = 20  # the words a disagreement between Danish, Norwegian and Swedish needs
SCANDINAVIAN_SURE = 0.95
FUNCTION_WORDS_NEEDED = 2

TEXT_MAX = 5000          # characters of a text the detector reads (a bound on the work)


@dataclass(frozen=True)
class Detection:
    lang: str                    # BCP 47 primary subtag ("nb" or "nn" for Norwegian)
    confidence: float            # 0–1; Norwegian's is Bokmål's and Nynorsk's together
    words: int                   # the words the detector judged (content_words)
    tokens: tuple[str, ...] = ()  # those words, lower-cased (for the function-word evidence)


# -- the words a detector should judge --------------------------------------------------------------

_EDGE = "\"'“”„‘’«»‹›()[]{}<>.,;:!?¡¿…–—-*•·/|"
_SENTENCE_END = re.compile(r"[.!?:…]['\"”’»)\]]*$")
_LOAN = re.compile(
    r"^(e-?mails?|mail(?:en|s)?|apps?|appen|apps?ene|log-?in(?:s|net)?|online|web|website|cookies?|cookien"
    r"|chat(?:ten|te|ter)?|download(?:e|er|s)?|upload(?:e|er|s)?|smartphones?|tablets?|feedback|hotline"
    r"|workshops?(?:pen|s)?|links?(?:et|s)?|browser(?:en|e)?|password(?:et|s)?|podcasts?|software|support"
    r"|selvbetjening|wifi|wi-fi|bugs?|update|updates|e-learning|whitepaper|callcenter(?:et)?|sms(?:'er)?"
    r"|pdf(?:'en|'er)?)$", re.IGNORECASE)


def content_words(text: str) -> list[str]:
    """The words of ``text`` whose language can tell the text's: without names (a capital inside a
    sentence), acronyms, words with capitals inside, anything with a digit, e-mail and web
    addresses, paths, and a short list of technical loan words Danish uses as its own. The first
    word of a sentence (or of a line) is kept unless it is one of those."""
    out: list[str] = []
    for line in text[:TEXT_MAX].splitlines():
        _line_words(line, out)
    return out


def _line_words(line: str, out: list[str]) -> None:
    start = True                 # a line (a block, a list item) starts a sentence
    for raw in line.split():
        word = raw.strip(_EDGE)
        at_start, start = start, bool(_SENTENCE_END.search(raw)) or raw in ("-", "–", "•")
        if not word or not any(c.isalpha() for c in word):
            continue
        if (any(c.isdigit() for c in word) or "@" in word or "/" in word or "." in word or "_" in word
                or word.lower().startswith("www")):
            continue
        letters = [c for c in word if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            continue                       # an acronym (CPR, FAQ, KL)
        if any(c.isupper() for c in word[1:]):
            continue                       # MitID, iOS, e-Boks, McDonald
        if word[0].isupper() and not at_start:
            continue                       # a name inside a sentence (or a German or old Danish noun)
        if _LOAN.match(word):
            continue
        out.append(word)


# -- the detector ---------------------------------------------------------------------------------

_lock = threading.Lock()
_detector = None


def detector():
    """Lingua's detector for LANGUAGES, built once (thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                isos = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
                _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*isos).with_low_accuracy_mode().build()
    return _detector


TEXT_SAMPLE = 20_000       # characters of a whole text read to tell its language
TEXT_MIN_WORDS = 20        # a text's language is told from at least this many content words …
TEXT_MIN_CONFIDENCE = 0.8  # … and only when the detector is this sure


def language_of_text(text: str) -> str | None:
    """The language of a whole text (say, one an editor checks), from its first TEXT_SAMPLE
    characters, when the detector is sure; None for a short text or a mixed one."""
    d = detect(text[:TEXT_SAMPLE], min_words=TEXT_MIN_WORDS, min_confidence=TEXT_MIN_CONFIDENCE)
    return d.lang if d else None


def warm_up() -> None:
    """Build the detector and read its language models (what the first detection would do)."""
    detector().compute_language_confidence_values("Sådan bestiller du en tid hos lægen, and how to book")


def _detection(values, tokens: list[str]) -> Detection | None:
    scores: dict[str, float] = {}
    for v in values:
        code = v.language.iso_code_639_1.name.lower()
        scores[code] = scores.get(code, 0.0) + v.value
    if not scores:
        return None
    norwegian = scores.get("nb", 0.0) + scores.get("nn", 0.0)
    best = max(scores, key=scores.__getitem__)
    confidence = norwegian if best in NORWEGIAN else scores[best]
    if best not in NORWEGIAN and norwegian > confidence:
        best = "nb" if scores.get("nb", 0.0) >= scores.get("nn", 0.0) else "nn"
        confidence = norwegian
    return Detection(best, round(confidence, 4), len(tokens), tuple(t.lower() for t in tokens))


def detect(text: str, *, min_words: int = MIN_WORDS, min_confidence: float = MIN_CONFIDENCE) -> Detection | None:
    """The language of ``text``, or None when it has fewer than ``min_words`` content words or the
    detector's confidence is below ``min_confidence``."""
    return detect_many([text], min_words=min_words, min_confidence=min_confidence)[0]


def detect_many(texts: Sequence[str], *, min_words: int = MIN_WORDS,
                min_confidence: float = MIN_CONFIDENCE) -> list[Detection | None]:
    """``detect`` of each text; texts too short are never given to the detector."""
    tokens = [content_words(t) for t in texts]
    todo = [i for i, tok in enumerate(tokens) if len(tok) >= max(1, min_words)]
    out: list[Detection | None] = [None] * len(texts)
    if not todo:
        return out
    det = detector()
    for i in todo:
        d = _detection(det.compute_language_confidence_values(" ".join(tokens[i])), tokens[i])
        out[i] = d if d is not None and d.confidence >= min_confidence else None
    return out


# -- comparing a declared language with a detected one --------------------------------------------

_SUBTAG = re.compile(r"^[a-z]{2,3}$")


def primary(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased ('da-DK' → 'da'); None for a missing or
    malformed one ('', 'x-klingon', 'dansk')."""
    if not tag:
        return None
    head = tag.strip().lower().replace("_", "-").split("-")[0]
    return head if _SUBTAG.match(head) else None


def name(code: str, lang: str = "en") -> str:
    """A language's name in Danish (``lang`` "da") or English; the code itself when unknown."""
    names = NAMES.get(primary(code) or "")
    return names[0 if lang == "da" else 1] if names else code


def same_language(a: str | None, b: str | None) -> bool:
    """Do two tags name the same language? By primary subtag; nb, nn and no are all Norwegian."""
    pa, pb = primary(a), primary(b)
    if pa is None or pb is None:
        return False
    return pa == pb or (pa in NORWEGIAN and pb in NORWEGIAN)


def judged(tag: str | None) -> bool:
    """Can klartjek tell whether a text is in this language (is it one of the detector's)?"""
    p = primary(tag)
    return p is not None and (p in LANGUAGES or p in NORWEGIAN)


# Common function words (articles, pronouns, prepositions, conjunctions, auxiliaries) of the Latin-
# script languages a Danish region's pages mix most; a passage taken for another language must use
# that language's own function words (those the declared language does not share).
FUNCTION_WORDS = {
    "da": """og i at det er en et den til på med af for som de der ikke har vi du jeg kan skal vil om men
        eller når hvis hvad hvor hvordan efter også din dit dine dig mig sig jer os vores være blive bliver
        blev var fra ud op nu meget noget nogen kun bare her hos mod under over ved alle andre anden
        gennem uden inden ind igen tage tager give giver sige have sit mellem sådan""",
    "no": """og i at det er en et ei den til på med av for som de der ikke ikkje har vi du jeg eg kan skal
        vil om men eller når hvis hva kva hvor hvordan korleis etter også din ditt dine deg meg seg dere
        oss vår være bli blir ble var fra frå ut opp nå mye noe noen bare berre her hos mot under over ved
        alle andre annen kanskje enn gjennom uten innen inn igjen ta tar gi gir si ha sitt mellom slik""",
    "sv": """och i att det är en ett den till på med av för som de där inte har vi du jag kan ska vill om
        men eller när hur vad var efter också din ditt dina dig mig sig er oss vår vara bli blir blev från
        ut upp nu mycket något någon bara här hos mot under över vid alla andra annan kanske än genom utan
        inom in igen ta tar ge ger säga ha sitt mellan""",
    "en": """the and of to a an in is are was were be been it that this these those for on with as at by
        from or not you your we our they their he she his her if when what which who how will would can
        could should must may have has had do does please there here about into after before""",
    "de": """der die das und ist sind ein eine einen einem einer zu den dem des von mit auf für im nicht
        sich auch wir ihr sie es ich du bitte wenn oder werden wird hat haben kann können noch nach bei aus
        wie was wo nur schon""",
    "nl": """de het een en van in is zijn op te dat met voor niet aan er ook als bij uit naar om maar wij
        jij u je ik hij zij wordt worden heeft hebben kan kunnen""",
    "fr": """le la les un une des et est sont de du au aux en dans pour par sur avec ne pas que qui vous
        nous il elle ils ce cette ces son sa ses votre vos notre si ou mais""",
    "es": """el la los las un una unos unas y es son de del al en por para con no que se su sus usted
        ustedes nosotros lo le como más pero si o""",
}
FUNCTION_WORDS = {k: frozenset(v.split()) for k, v in FUNCTION_WORDS.items()}


def _function_words(lang: str) -> frozenset[str] | None:
    return FUNCTION_WORDS.get("no" if lang in NORWEGIAN else lang)


def evidence(tokens: Iterable[str], lang: str, against: str) -> int | None:
    """How many of the words are function words of ``lang`` that ``against`` does not have (None:
    klartjek has no function words of ``lang``)."""
    own = _function_words(lang)
    if own is None:
        return None
    other = _function_words(against) or frozenset()
    return sum(1 for t in tokens if t in own and t not in other)


def ruled_out(declared: str | None, tokens: Sequence[str]) -> bool:
    """Do the function words alone show that ``disagrees(declared, …)`` cannot hold for these
    content words, whatever the detector would say? (Then the detector need not be asked: a Danish
    block on a Danish page almost always is.)"""
    own = _function_words(primary(declared) or "")
    if own is None:
        return False
    lower = [t.lower() for t in tokens]
    if sum(1 for t in lower if t in own) < max(FUNCTION_WORDS_NEEDED, 0.2 * len(lower)):
        return False
    for lang in FUNCTION_WORDS:
        if same_language(lang, declared):
            continue
        theirs = evidence(lower, lang, primary(declared)) or 0
        if theirs >= FUNCTION_WORDS_NEEDED and theirs > (evidence(lower, primary(declared), lang) or 0):
            return False
    return True


def foreign(pairs: Sequence[tuple[str | None, str]], min_words: int = 8) -> list[Detection | None]:
    """For each (declared language, text): the text's detection when it is surely not in the
    declared language (``disagrees``), else None. Texts with fewer than ``min_words`` content words,
    in a language the detector does not know, or whose function words settle it (``ruled_out``)
    never reach the detector."""
    out: list[Detection | None] = [None] * len(pairs)
    todo = []
    for i, (declared, text) in enumerate(pairs):
        if not judged(declared):
            continue
        tokens = content_words(text)
        if len(tokens) < min_words or ruled_out(declared, tokens):
            continue
        todo.append((i, declared, tokens))
    if not todo:
        return out
    det = detector()
    for i, declared, tokens in todo:
        d = _detection(det.compute_language_confidence_values(" ".join(tokens)), tokens)
        if disagrees(declared, d, min_words):
            out[i] = d
    return out


def disagrees(declared: str | None, detection: Detection | None, min_words: int = 8) -> bool:
    """Is the text surely not in the ``declared`` language? Only for a declared language the
    detector knows; with at least ``min_words`` content words (``SCANDINAVIAN_WORDS`` between
    Danish, Norwegian and Swedish) and a confidence of ``SURE``; and the text's function words must
    agree: at least two of the detected language's own, and more of them than of the declared
    language's own (a Danish sentence with an English name or term stays Danish); for a language
    without a list here, few of the declared language's own (under a fifth of the words)."""
    if detection is None or not judged(declared) or same_language(declared, detection.lang):
        return False
    decl = primary(declared)
    found = detection.lang
    if decl in SCANDINAVIAN and found in SCANDINAVIAN:
        if detection.words < max(min_words, SCANDINAVIAN_WORDS) or detection.confidence < SCANDINAVIAN_SURE:
            return False
    elif detection.words < min_words or detection.confidence < SURE:
        return False
    theirs = evidence(detection.tokens, found, decl)
    ours = evidence(detection.tokens, decl, found) or 0
    if theirs is not None:
        return theirs >= FUNCTION_WORDS_NEEDED and theirs > ours
    # no function words of the detected language here (another script, or a language klartjek
    # has no list of): the text must not read as the declared language
    return ours < max(FUNCTION_WORDS_NEEDED, 0.2 * detection.words)
