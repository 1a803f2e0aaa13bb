"""The language of the page and of its parts (codes KW060–KW069): WCAG 3.1.1 and 3.1.2.

Read the ``language`` artifact (audit/probes/language.py): the page's declared language, its text
blocks with the language their markup gives them, and the main text in the page's own language.
core/language.py detects the language of a text offline and decides when a text is surely not in
the language it is declared in (docs/language-detection.md has the measurement behind the
thresholds). axe-core already fails a missing or invalid lang (html-has-lang, html-lang-valid,
valid-lang): these checks judge whether a valid lang is *true*.

WCAG 3.1.2's exceptions are honoured before the detector is asked: proper names, acronyms, words
with capitals inside (MitID), numbers, addresses, e-mail and web addresses and technical loan words
(e-mail, app, login) are left out of the text (core.language.content_words), and a passage must
have enough words left, a high confidence, and the detected language's own function words.
"""
from __future__ import annotations

import re

from checks.common import finding, probe_failed, snippet
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core import language
from core.model import Category, Impact, TargetKind

PAGE_WORDS = 40       # content words of the main text KW060 needs
PART_WORDS = 8        # content words of one block KW061 needs (20 between Danish, Norwegian, Swedish)
RUN_WORDS = 12        # content words of consecutive short blocks of one list, table or container
EXCERPT = 80
BLOCK_WORDS = 5       # content words of a block of the main text KW060 weighs
MAJORITY = 0.75       # the share of the main text's judged words the other language must have (KW060)

language_check = family("language", category=Category.WCAG, requires=("language",), target=TargetKind.CSS)


def _page(artifacts: Artifacts, ctx: CheckContext) -> tuple[str, int, language.Detection | None]:
    """The page's declared language, the content words of its main text, and the detection of the
    main text when it surely is not in the declared language (shared by KW060 and KW061)."""
    art = artifacts.get("language") or {}
    declared = art.get("page_lang") or ""
    text = (art.get("main") or {}).get("text") or ""
    words = len(language.content_words(text))
    if not language.judged(declared) or words < PAGE_WORDS:
        return declared, words, None
    found = language.foreign([(declared, text)], PAGE_WORDS)[0]
    if found is None:
        return declared, words, None
    # the whole text may read as another language because of a few long passages in it (a page in
    # Danish with unmarked German and Norwegian paragraphs): the language must be most of the text,
    # block by block
    lines = text.splitlines()
    counts = [len(language.content_words(line)) for line in lines]
    seen = same = 0
    for n, det in zip(counts, language.detect_many(lines, min_words=BLOCK_WORDS), strict=True):
        if det is not None:
            seen += n
            same += n if language.same_language(det.lang, found.lang) else 0
    return declared, words, found if seen and same >= MAJORITY * seen else None


def _excerpt(text: str) -> str:
    text = "; ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


@language_check(code="KW060", name="page-language-correct", wcag=("3.1.1",), level="A", impact=Impact.SERIOUS,
                title={"da": "Sidens angivne sprog passer ikke med teksten",
                       "en": "The page's declared language does not match its text"},
                description={"da": "Sproget i lang-attributten på html-elementet skal være det sprog, siden er "
                                   "skrevet på. Ellers læser skærmlæsere og oplæsningsværktøjer teksten op med "
                                   "forkert udtale, og browsere oversætter og orddeler forkert. klartjek "
                                   "genkender sproget i sidens hovedtekst (mindst 40 ord) og melder kun, når det "
                                   "er sikkert. En manglende eller ugyldig lang melder axe-core om.",
                             "en": "The language in the lang attribute of the html element must be the language "
                                   "the page is written in. Otherwise screen readers and read-aloud tools read the "
                                   "text with the wrong pronunciation, and browsers translate and hyphenate it "
                                   "wrongly. klartjek recognises the language of the page's main text (at least "
                                   "40 words) and reports only when it is sure. axe-core reports a missing or "
                                   "invalid lang."})
def page_language_correct(artifacts: Artifacts, ctx: CheckContext):
    art = artifacts.get("language") or {}
    if (failed := probe_failed(art)) is not None:
        return failed
    declared, words, found = ctx.computed(_page)
    if not language.judged(declared) or words < PAGE_WORDS:
        return INAPPLICABLE
    if found is None:
        return []
    decl = language.primary(declared)
    return [finding("html", f'<html lang="{declared}">', {
        "da": f"Siden er angivet som {language.name(decl, 'da')} (lang=\"{declared}\"), men teksten er på "
              f"{language.name(found.lang, 'da')}.",
        "en": f"The page is declared as {language.name(decl)} (lang=\"{declared}\"), but its text is in "
              f"{language.name(found.lang)}."}, {
        "da": f"Sæt lang=\"{found.lang}\" på html-elementet, så skærmlæsere læser siden op på "
              f"{language.name(found.lang, 'da')}.",
        "en": f"Set lang=\"{found.lang}\" on the html element, so that screen readers read the page in "
              f"{language.name(found.lang)}."})]


OWN_LANG = re.compile(r'^<[a-z0-9-]+\b[^>]*\s(?:xml:)?lang="')
ITEMS = ("<li", "<dd", "<dt", "<td", "<th")


def _is_item(block: dict) -> bool:
    tag = str(block.get("tag") or "")
    return tag.startswith(ITEMS) and tag[3:4] in (" ", ">")


def _passages(blocks: list[dict]) -> list[tuple[tuple[int, int], str, str, str, str]]:
    """((first, last) block index, target, start tag, declared language, text) of each passage
    worth judging: a block with PART_WORDS content words; the items of a list, description list or
    table together (RUN_WORDS content words); consecutive shorter blocks of one container together
    (RUN_WORDS). Consecutive blocks belong together when they share their group and language."""
    out = []
    segment: list[tuple[int, dict, int]] = []

    def joined(part: list[tuple[int, dict, int]]) -> None:
        if len(part) > 1 and sum(n for _, _, n in part) >= RUN_WORDS:
            first = part[0][1]
            out.append(((part[0][0], part[-1][0]), str(first.get("group_sel") or first["sel"]), "",
                        str(first.get("lang") or ""), "\n".join(b["text"] for _, b, _ in part)))

    def close() -> None:
        if segment and all(_is_item(b) for _, b, _ in segment):
            joined(segment)
        run: list[tuple[int, dict, int]] = []
        for i, b, n in segment:
            if n >= PART_WORDS:
                out.append(((i, i), b["sel"], b.get("tag") or "", b["lang"], b["text"]))
                if not _is_item(b):
                    joined(run)
                    run = []
            elif not _is_item(b):
                run.append((i, b, n))
        joined(run)
        segment.clear()

    for i, b in enumerate(blocks):
        lang = b.get("lang")
        if not language.judged(lang):
            close()
            continue
        if segment and (segment[-1][1].get("group") != b.get("group")
                        or language.primary(segment[-1][1].get("lang")) != language.primary(lang)):
            close()
        segment.append((i, b, len(language.content_words(b.get("text") or ""))))
    close()
    return sorted(out)


@language_check(code="KW061", name="passage-language-marked", wcag=("3.1.2",), level="AA", impact=Impact.MODERATE,
                title={"da": "En passage på et andet sprog er ikke markeret med sit sprog",
                       "en": "A passage in another language is not marked with its language"},
                description={"da": "En passage på et andet sprog end sidens skal have sit sprog i en "
                                   "lang-attribut (fx <blockquote lang=\"en\">), så skærmlæsere skifter udtale. "
                                   "Egennavne, fagudtryk, ord af ubestemt sprog og låneord, der er blevet en del af "
                                   "dansk (»Log ind med MitID«, »Send en e-mail«), er undtaget. klartjek melder kun "
                                   "passager på mindst 8 ord (20 mellem dansk, norsk og svensk), hvis sprog det er "
                                   "sikkert på.",
                             "en": "A passage in a language other than the page's must have its language in a lang "
                                   "attribute (e.g. <blockquote lang=\"en\">), so that screen readers switch "
                                   "pronunciation. Proper names, technical terms, words of indeterminate language "
                                   "and loan words that have become part of the surrounding language are exempt. "
                                   "klartjek reports only passages of at least 8 words (20 between Danish, "
                                   "Norwegian and Swedish) whose language it is sure of."})
def passage_language_marked(artifacts: Artifacts, ctx: CheckContext):
    art = artifacts.get("language") or {}
    if (failed := probe_failed(art)) is not None:
        return failed
    groups = {str(k): v for k, v in (art.get("groups") or {}).items()}
    blocks = [{**b, "group_sel": groups.get(str(b.get("group")))} for b in art.get("blocks") or []]
    passages = _passages(blocks)
    if not passages:
        return INAPPLICABLE
    # a page whose own language is wrong is KW060's: its blocks that only inherit that language
    # and are in the language the page is really in are not reported again, one by one
    page_lang, _, page_found = ctx.computed(_page)
    found = language.foreign([(lang, text) for _, _, _, lang, text in passages], PART_WORDS)
    # a list or table reported as a whole is not reported again item by item
    wholes = [span for (span, *_), det in zip(passages, found, strict=True) if det is not None and span[0] < span[1]]
    out = []
    for (span, target, tag, lang, text), det in zip(passages, found, strict=True):
        if det is None or (span[0] == span[1] and any(a <= span[0] <= b for a, b in wholes)):
            continue
        if (page_found is not None and language.same_language(lang, page_lang)
                and language.same_language(det.lang, page_found.lang)):
            continue
        excerpt = _excerpt(text)
        if OWN_LANG.search(tag):           # the element says its language, wrongly
            fix = {"da": f"Ret elementets lang=\"{lang}\" til lang=\"{det.lang}\", så skærmlæsere udtaler "
                         "teksten rigtigt.",
                   "en": f"Change the element's lang=\"{lang}\" to lang=\"{det.lang}\", so that screen readers "
                         "pronounce the text correctly."}
        else:
            fix = {"da": f"Sæt lang=\"{det.lang}\" på elementet (eller på et element om hele passagen), så "
                         "skærmlæsere udtaler den rigtigt.",
                   "en": f"Put lang=\"{det.lang}\" on the element (or on an element around the whole passage), "
                         "so that screen readers pronounce it correctly."}
        out.append(finding(target, snippet(f"{tag}{text}" if tag else text), {
            "da": f"Teksten »{excerpt}« er på {language.name(det.lang, 'da')}, men dens sprog er angivet som "
                  f"{language.name(lang, 'da')} (lang=\"{lang}\").",
            "en": f"The text \u201c{excerpt}\u201d is in {language.name(det.lang)}, but its language is given as "
                  f"{language.name(lang)} (lang=\"{lang}\")."}, fix))
    return out
