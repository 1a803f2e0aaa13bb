"""Checks of a whole crawl (codes KS…): pure functions of the ``site`` artifact the crawl makes.

``site``: {"pages": [{"location": str, "links": [normalised URL, …]}, …],
           "broken": {normalised URL: {"url": str, "status": int}}}
Each answers per page: {page location: [findings]} ([] passed); a page not answered gets no result.
"""
from __future__ import annotations

from checks.common import finding
from checks.registry import Artifacts, CheckContext, SiteVerdict, family
from core.model import Category, Impact, TargetKind

site_check = family("site", applies_to=("site",), requires=("site",))


@site_check(code="KS001", name="broken-link", category=Category.QUALITY, impact=Impact.SERIOUS,
            target=TargetKind.URL, related_wcag=("2.4.4",),
            title={"da": "Linket fører ingen steder hen", "en": "The link leads nowhere"},
            description={"da": "Et link til en side, der ikke findes (HTTP 404 eller 410), efterlader borgeren "
                               "uden vej videre.",
                         "en": "A link to a page that does not exist (HTTP 404 or 410) leaves the citizen with no "
                               "way on."})
def broken_link(artifacts: Artifacts, ctx: CheckContext) -> SiteVerdict:
    site = artifacts["site"]
    broken = site.get("broken") or {}
    out: SiteVerdict = {}
    for page in site.get("pages") or []:
        found = []
        for link in dict.fromkeys(page.get("links") or []):
            dead = broken.get(link)
            if dead is None:
                continue
            status, url = dead["status"], dead["url"]
            found.append(finding(url, f'<a href="{url}">', {
                "da": f"Linket fører til en side, der ikke findes (HTTP {status}): »{url}«.",
                "en": f"The link leads to a page that does not exist (HTTP {status}): \u201c{url}\u201d."}, {
                "da": "Ret linket, så det peger på den rigtige side, eller fjern det.",
                "en": "Correct the link so that it points to the right page, or remove it."}))
        out[page["location"]] = found
    return out
