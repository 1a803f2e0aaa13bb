"""Link purpose (codes KW070–KW079): what a link's name says, with and without its context.

Read the ``links`` artifact (audit/probes/links.py): each visible link's accessible name, its
target and, for short names, its programmatically determined context (the rest of its paragraph,
list item or cell, the cell's headers, the heading before it, its aria-describedby text).

The plain-language check KL017 (generic-link-text) advises on link *wording* in every text, letters
included. These two judge WCAG's success criteria on the rendered page, where the context is known:
2.4.4 fails only where no context can give the purpose, 2.4.9 (AAA) wherever the name alone does not.
"""
from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urldefrag

from checks.common import finding, probe_failed
from checks.registry import INAPPLICABLE, Artifacts, CheckContext, family
from core.klarsprog.lexicon import link_label, words_for
from core.model import Category, Impact, TargetKind

WORD = re.compile(r"\w")

link_check = family("links", category=Category.WCAG, requires=("links",), target=TargetKind.CSS)


def _generic(ctx: CheckContext) -> frozenset[str]:
    return words_for(ctx.config.get("klarsprog") or {}).generic_links


def _context(link: dict) -> tuple[str, ...]:
    c = link.get("context") or {}
    return tuple(" ".join(str(c.get(k) or "").split()) for k in ("block", "headers", "heading", "described"))


def _target(link: dict) -> str:
    return urldefrag(link.get("href") or "")[0]


@link_check(code="KW070", name="link-purpose-in-context", wcag=("2.4.4",), level="A", impact=Impact.SERIOUS,
            title={"da": "Linkets formål fremgår hverken af teksten eller sammenhængen",
                   "en": "The link's purpose shows neither in its text nor in its context"},
            description={"da": "Et link med en intetsigende tekst som »Læs mere« skal have en sammenhæng, der siger, "
                               "hvor det fører hen: afsnittet eller listepunktet, det står i, overskriften før "
                               "det, eller en beskrivelse med aria-describedby. Links med samme tekst og samme "
                               "sammenhæng skal føre samme sted hen.",
                         "en": "A link with a generic text such as \u201cRead more\u201d needs a context that says "
                               "where it leads: the paragraph or list item it is in, the heading before it, or a "
                               "description with aria-describedby. Links with the same text and the same context "
                               "must lead to the same place."})
def link_purpose_in_context(artifacts: Artifacts, ctx: CheckContext):
    art = artifacts.get("links") or {}
    if (failed := probe_failed(art)) is not None:
        return failed
    links = [lk for lk in art.get("links") or [] if "context" in lk]
    if not links:
        return INAPPLICABLE
    generic = _generic(ctx)
    out, reported = [], set()
    # (a) a generic name and no context at all
    for lk in links:
        if link_label(lk.get("name") or "") in generic and not any(WORD.search(c) for c in _context(lk)):
            reported.add(lk["target"])
            out.append(finding(lk["target"], lk.get("html") or "", {
                "da": f"Linkteksten »{lk['name']}« siger ikke, hvor linket fører hen, og intet omkring linket "
                      "siger det heller.",
                "en": f"The link text \u201c{lk['name']}\u201d does not say where the link goes, and nothing "
                      "around the link says it either."}, {
                "da": "Skriv, hvor linket fører hen, i linkteksten (fx »Læs mere om parkering«), eller sæt det "
                      "i et afsnit eller under en overskrift, der siger det.",
                "en": "Say where the link goes in its text (e.g. \u201cRead more about parking\u201d), or put it in "
                      "a paragraph or under a heading that says so."}))
    # (b) the same name and the same context, but different destinations: the context cannot tell
    # them apart (ACT: links with identical names and the same context serve equivalent purposes)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for lk in links:
        name = link_label(lk.get("name") or "")
        if name and lk.get("href"):
            groups[(name, _context(lk))].append(lk)
    for group in groups.values():
        if len({_target(lk) for lk in group}) < 2:
            continue
        for lk in group:
            if lk["target"] in reported:
                continue
            others = len(group) - 1
            out.append(finding(lk["target"], lk.get("html") or "", {
                "da": f"Linket »{lk['name']}« har samme tekst og sammenhæng som {others} "
                      f"{'andet link' if others == 1 else 'andre links'} på siden, men fører et andet sted hen.",
                "en": f"The link \u201c{lk['name']}\u201d has the same text and context as {others} other "
                      f"link{'' if others == 1 else 's'} on the page but leads somewhere else."}, {
                "da": "Giv linkene tekster, der siger, hvor hvert af dem fører hen.",
                "en": "Give the links texts that say where each of them goes."}))
    return out


@link_check(code="KW071", name="link-purpose-link-only", wcag=("2.4.9",), level="AAA", impact=Impact.MODERATE,
            title={"da": "Linkteksten alene siger ikke, hvor linket fører hen",
                   "en": "The link text alone does not say where the link goes"},
            description={"da": "På niveau AAA skal linkteksten alene sige, hvor linket fører hen: »Læs mere« og "
                               "»Klik her« gør det ikke, heller ikke med en god sammenhæng.",
                         "en": "At level AAA the link text alone must say where the link goes: \u201cRead "
                               "more\u201d and \u201cClick here\u201d do not, even in a good context."})
def link_purpose_link_only(artifacts: Artifacts, ctx: CheckContext):
    art = artifacts.get("links") or {}
    if (failed := probe_failed(art)) is not None:
        return failed
    links = art.get("links") or []
    if not links:
        return INAPPLICABLE
    generic = _generic(ctx)
    return [finding(lk["target"], lk.get("html") or "", {
        "da": f"Linkteksten »{lk['name']}« siger ikke alene, hvor linket fører hen.",
        "en": f"The link text \u201c{lk['name']}\u201d does not on its own say where the link goes."}, {
        "da": "Skriv, hvor linket fører hen, i selve linkteksten (fx »Læs mere om parkering«).",
        "en": "Say where the link goes in the link text itself (e.g. \u201cRead more about parking\u201d)."})
        for lk in links if link_label(lk.get("name") or "") in generic]
