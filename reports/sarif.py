"""SARIF 2.1.0: for code-scanning dashboards (GitHub, Azure DevOps, GitLab).

Every registered check is a rule (id = check code, name = readable name, helpUri, WCAG tags);
every failed or needs-review finding is a result located at its document (URL or file), with the
element's selector as a logical location, the HTML snippet or the text excerpt in its properties,
and partialFingerprints that stay stable between runs (core.model.fingerprint).
Validated against the SARIF 2.1.0 JSON schema in the tests.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from core.model import CATEGORIES, Run
from reports.json_report import dumps
from core.wcag import help_url

SRCROOT = "%SRCROOT%"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "serious": "error", "moderate": "warning", "minor": "note", None: "warning"}


def _rule(meta, lang: str) -> dict[str, Any]:
    info = CATEGORIES[meta.category]
    tags = [meta.category.value, *(["accessibility"] if info.accessibility else []), *meta.tags]
    tags += [f"WCAG {sc}" for sc in meta.wcag]
    if meta.level:
        tags.append(f"WCAG level {meta.level}")
    props: dict[str, Any] = {"tags": list(dict.fromkeys(tags)), "family": meta.family,
                             "category": meta.category.value}
    if meta.related_wcag:
        props["relatedWcag"] = meta.related_wcag[0]
    uri = help_url(meta.wcag, meta.help_url)
    title, desc = meta.text("title", lang), meta.text("description", lang)
    rule: dict[str, Any] = {
        "id": meta.code, "name": meta.name,
        "shortDescription": {"text": title or meta.name},
        "fullDescription": {"text": desc or title or meta.name},
        "help": {"text": f"{title}. {desc}".strip(" .") + (f" ({uri})" if uri else "")},
        "defaultConfiguration": {"level": LEVEL.get(meta.impact, "warning")},
        "properties": props,
    }
    if uri:
        rule["helpUri"] = uri
    return rule


def artifact_location(doc, workdir: str | None) -> dict[str, Any]:
    """Where a document is: a page's URL as it is; a local file below the working directory relative
    to the repository root (%SRCROOT%), as code-scanning services attach alerts to repository files;
    a file elsewhere as a file: URI."""
    if doc.url:
        return {"uri": doc.url}
    path = PurePosixPath(doc.path or "")
    if not path.is_absolute() and workdir is not None and ".." not in path.parts:
        return {"uri": quote(str(PurePosixPath(workdir) / path)), "uriBaseId": SRCROOT}
    return {"uri": path.as_uri() if path.is_absolute() else quote(str(path))}


class SarifReporter:
    name = "sarif"

    def render(self, run: Run, out: TextIO, *, lang: str = "da") -> None:
        out.write(dumps(build(run, lang)))
        out.write("\n")


def build(run: Run, lang: str = "da") -> dict[str, Any]:
    from checks import REGISTRY

    metas = list(REGISTRY)
    index = {m.code: i for i, m in enumerate(metas)}
    results, notes = [], []
    for doc in run.documents:
        loc = doc.location
        where = artifact_location(doc, run.workdir)
        if doc.status != "ok":
            notes.append({"level": "error" if doc.status == "error" else "note",
                          "message": {"text": f"{loc}: {doc.error or doc.status}"}})
            continue
        for res in doc.results:
            for f in res.findings:
                review = f.outcome == "cant_tell"
                msg = (f.message.get(lang) or f.message.get("en") or res.name).strip()
                # no region: a selector or a span of the extracted text is no line or offset of
                # the file the URI names; the snippet goes into the properties instead
                location: dict[str, Any] = {"physicalLocation": {"artifactLocation": where}}
                if f.target:
                    location["logicalLocations"] = [{"fullyQualifiedName": f.target, "kind": "element"}]
                r: dict[str, Any] = {
                    "ruleId": res.code, "kind": "review" if review else "fail",
                    "level": "note" if review else LEVEL.get(f.impact or res.impact, "warning"),
                    "message": {"text": msg}, "locations": [location],
                    "partialFingerprints": {"klartjekFinding/v1": f.fingerprint},
                    "properties": {"impact": f.impact or res.impact, "outcome": f.outcome,
                                   "wcag": list(res.wcag), "target": f.target},
                }
                if res.code in index:
                    r["ruleIndex"] = index[res.code]
                snippet = f.excerpt if f.excerpt is not None else f.html
                if snippet:
                    r["properties"]["snippet"] = snippet
                if f.span is not None:
                    r["properties"]["span"] = list(f.span)
                if f.suggestion:
                    r["properties"]["suggestion"] = f.suggestion.get(lang) or f.suggestion.get("en")
                results.append(r)
    from core import __version__

    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "klartjek", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(m, lang) for m in metas],
                                "properties": {"axeVersion": run.axe_version}}},
            "automationDetails": {"id": f"klartjek/{run.id}"},
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "the root of the repository klartjek ran in"}}},
            "invocations": [{"executionSuccessful": run.status == "complete",
                             "startTimeUtc": run.started_at, **({"endTimeUtc": run.ended_at} if run.ended_at else {}),
                             "toolExecutionNotifications": notes}],
            "results": results,
            "properties": {"runId": run.id, "status": run.status, "score": run.score,
                           "plainScore": run.plain_score},
        }],
    }
