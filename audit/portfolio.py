"""What the portfolio dashboard shows, read from the history with SQL (aggregates, not every run
loaded into Python): per project its runs over time (scores, failures by impact, documents), the
latest run's estimated monitoring score and the share of its pages failing each success criterion,
its worst documents. reports/dashboard.py renders it; docs/dashboard.md explains every number."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import JSON, Float, and_, case, cast, distinct, func, or_, select

from audit.store import Store, check_results, documents, findings, runs
from core.model import IMPACTS, Document
from core.monitoring import CRITERIA, MODEL, band, estimate

PERIODS = {"week": 7, "month": 30, "quarter": 91}
WORST = 10            # worst documents shown per project


def portfolio_view(store: Store, projects: list[dict[str, Any]], *, since: str | None = None,
                   period: str = "month", now: datetime | None = None,
                   weights: dict[str, float] | None = None) -> dict[str, Any]:
    """The dashboard's data. ``projects``: the config's [[portfolio.projects]] (owner, channel); a
    project with runs but not in the config is shown too. ``since``: the first day shown (ISO date);
    ``period``: how far back "the previous period" is for the change shown."""
    now = now or datetime.now(timezone.utc)
    named = {p["name"]: p for p in projects}
    with store.engine.connect() as conn:
        lix = _lix(conn.dialect.name)
        counts = (select(documents.c.run_id, func.count().label("found"),
                         func.avg(case((documents.c.status == "ok", lix))).label("lix"),
                         func.sum(case((documents.c.status == "ok", 1), else_=0)).label("tested"),
                         func.sum(case((documents.c.kind == "page", 1), else_=0)).label("pages"),
                         func.sum(case((documents.c.kind == "letter", 1), else_=0)).label("letters"))
                  .group_by(documents.c.run_id).subquery())
        q = (select(runs.c.id, runs.c.project, runs.c.started_at, runs.c.status, runs.c.score, runs.c.plain_score,
                    runs.c.klartjek_version, runs.c.axe_version, counts.c.found, counts.c.tested, counts.c.pages,
                    counts.c.letters, counts.c.lix)
             .outerjoin(counts, counts.c.run_id == runs.c.id)
             .where(runs.c.project.is_not(None), runs.c.ended_at.is_not(None)))
        if since:
            q = q.where(runs.c.started_at >= since)
        rows = conn.execute(q.order_by(runs.c.project, runs.c.started_at, runs.c.id)).all()
        by_project: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            by_project.setdefault(r.project, []).append(dict(r._mapping))
        run_ids = [r.id for r in rows]
        impacts = _failures_by_impact(conn, run_ids)
        sites = _sites(conn, run_ids)
        out_projects = []
        for name in sorted(by_project, key=lambda n: (n not in named, list(named).index(n) if n in named else 0, n)):
            history = by_project[name]
            for h in history:
                h["failures"] = impacts.get(h["id"], {imp: 0 for imp in IMPACTS})
                h["lix"] = round(float(h["lix"]), 1) if h["lix"] is not None else None
            latest = history[-1]
            criteria, evaluated = _criteria(conn, latest["id"])
            score = estimate(criteria, evaluated)
            previous = _previous(history, period, now)
            cfg = named.get(name, {})
            kinds = {"page": latest["pages"] or 0, "letter": latest["letters"] or 0}
            out_projects.append({
                "name": name, "owner": cfg.get("owner") or None,
                "channel": cfg.get("channel") or ("letters" if kinds["letter"] > kinds["page"] else "web"),
                "latest": latest, "previous": previous, "history": history,
                "criteria": {c: criteria.get(c, 0) for c in CRITERIA}, "evaluated_pages": evaluated,
                "estimate": score, "band": band(score), "worst": _worst(conn, latest["id"]),
                "statement": _statement(conn, latest["id"]),
                "changes": _changes(conn, previous["id"], latest["id"]) if previous else None,
                "sites": _site_trends(history, sites),
            })
        fixes = _top_fixes(conn, {p["latest"]["id"]: p["name"] for p in out_projects}, weights or DEFAULT_WEIGHTS)
    missing = [p["name"] for p in projects if p["name"] not in by_project]
    return {"generated_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"), "since": since,
            "period": period, "model": MODEL, "projects": out_projects, "without_runs": missing,
            "top_fixes": fixes}


DEFAULT_WEIGHTS = {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}
TOP_FIXES = 10
TEMPLATE_MIN_PAGES = 5          # one element failing the same check on this many pages of a run …
TEMPLATE_MIN_SHARE = 0.5        # … and on at least this share of its pages: a shared template causes it


def _top_fixes(conn, latest: dict[str, str], weights: dict[str, float]) -> list[dict[str, Any]]:
    """The failing checks across the projects' latest runs, ranked by reach: the documents they fail
    on × their impact's weight. With each, where one element (the same selector) fails on many pages
    of a project: a template the pages share, fixed once."""
    if not latest:
        return []
    ids = list(latest)
    failed = and_(documents.c.run_id.in_(ids), check_results.c.outcome == "failed",
                  check_results.c.category.in_(("wcag", "letter-structure", "best-practice")))
    joined = check_results.join(documents, check_results.c.document_id == documents.c.id)
    q = (select(check_results.c.code, check_results.c.name, check_results.c.impact, check_results.c.wcag,
                documents.c.run_id, func.count(distinct(documents.c.id)))
         .select_from(joined).where(failed)
         .group_by(check_results.c.code, check_results.c.name, check_results.c.impact, check_results.c.wcag,
                   documents.c.run_id))
    fixes: dict[str, dict[str, Any]] = {}
    for code, name, impact, wcag, run_id, n in conn.execute(q):
        f = fixes.setdefault(code, {"code": code, "name": name, "impact": impact, "wcag": json.loads(wcag or "[]"),
                                    "documents": 0, "projects": {}, "templates": []})
        f["documents"] += n
        f["projects"][latest[run_id]] = f["projects"].get(latest[run_id], 0) + n
        if impact and weights.get(impact, 0) > weights.get(f["impact"] or "", 0):
            f["impact"] = impact
    for f in fixes.values():
        f["reach"] = f["documents"] * weights.get(f["impact"] or "", 1)
    ranked = sorted(fixes.values(), key=lambda f: (-f["reach"], f["code"]))[:TOP_FIXES]
    if ranked:
        pages = dict(conn.execute(select(documents.c.run_id, func.count()).where(
            documents.c.run_id.in_(ids), documents.c.status == "ok").group_by(documents.c.run_id)).all())
        codes = [f["code"] for f in ranked]
        q = (select(check_results.c.code, documents.c.run_id, findings.c.target, func.count(distinct(documents.c.id)))
             .select_from(findings.join(check_results, findings.c.check_result_id == check_results.c.id)
                          .join(documents, check_results.c.document_id == documents.c.id))
             .where(failed, check_results.c.code.in_(codes), findings.c.outcome == "failed")
             .group_by(check_results.c.code, documents.c.run_id, findings.c.target)
             .having(func.count(distinct(documents.c.id)) >= TEMPLATE_MIN_PAGES))
        by_code = {f["code"]: f for f in ranked}
        for code, run_id, target, n in conn.execute(q):
            if n >= TEMPLATE_MIN_SHARE * (pages.get(run_id) or 1):
                by_code[code]["templates"].append({"project": latest[run_id], "target": target, "documents": n})
        for f in ranked:
            f["templates"].sort(key=lambda t: (-t["documents"], t["project"], t["target"] or ""))
            f["templates"] = f["templates"][:3]
    return ranked


def _changes(conn, before: str, after: str) -> dict[str, int]:
    """Failing findings new in ``after`` and fixed since ``before`` (by fingerprint: the check, the
    document's location and the element), and those in both."""
    def prints(run_id: str) -> set[str]:
        q = (select(findings.c.fingerprint).distinct()
             .select_from(findings.join(check_results, findings.c.check_result_id == check_results.c.id)
                          .join(documents, check_results.c.document_id == documents.c.id))
             .where(documents.c.run_id == run_id, findings.c.outcome == "failed", findings.c.fingerprint.is_not(None)))
        return {r[0] for r in conn.execute(q)}
    a, b = prints(before), prints(after)
    return {"new": len(b - a), "fixed": len(a - b), "unchanged": len(a & b)}


def _lix(dialect: str):
    """A document's LIX, read from its readability JSON in SQL (None where it has none)."""
    if dialect == "postgresql":
        return cast(cast(documents.c.readability, JSON)["lix"].as_string(), Float)
    return func.json_extract(documents.c.readability, "$.lix")


def _origin(dialect: str):
    """A document URL's origin (scheme://host[:port]) in SQL; None for a file."""
    url = documents.c.url
    if dialect == "postgresql":
        return func.substring(url, r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+")
    after = func.substr(url, func.instr(url, "://") + 3)
    end = func.instr(after, "/")
    return case((url.is_(None), None), (end == 0, url), else_=func.substr(url, 1, func.instr(url, "://") + 1 + end))


def _sites(conn, run_ids: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """run id → site (origin) → the mean score of its documents and how many there are."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    origin = _origin(conn.dialect.name).label("origin")
    for chunk in (run_ids[i:i + 500] for i in range(0, len(run_ids), 500)):
        q = (select(documents.c.run_id, origin, func.avg(documents.c.score), func.count())
             .where(documents.c.run_id.in_(chunk), documents.c.status == "ok", documents.c.url.is_not(None))
             .group_by(documents.c.run_id, origin))
        for run_id, site, score, n in conn.execute(q):
            if site:
                out.setdefault(run_id, {})[site] = {"score": round(float(score), 1) if score is not None else None,
                                                     "documents": n, "failures": {imp: 0 for imp in IMPACTS}}
        q = (select(documents.c.run_id, origin, findings.c.impact, func.count())
             .select_from(findings.join(check_results, findings.c.check_result_id == check_results.c.id)
                          .join(documents, check_results.c.document_id == documents.c.id))
             .where(documents.c.run_id.in_(chunk), documents.c.status == "ok", documents.c.url.is_not(None),
                    findings.c.outcome == "failed", check_results.c.category.in_(("wcag", "letter-structure")))
             .group_by(documents.c.run_id, origin, findings.c.impact))
        for run_id, site, impact, n in conn.execute(q):
            entry = out.get(run_id, {}).get(site)
            if entry is not None and impact in IMPACTS:
                entry["failures"][impact] += n
    return out


def _site_trends(history: list[dict[str, Any]], sites: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each site a project's runs audited: its mean document score run by run (when there are two or more sites)."""
    names = sorted({s for h in history for s in sites.get(h["id"], {})})
    if len(names) < 2:
        return []
    return [{"site": s, "history": [{"id": h["id"], "started_at": h["started_at"], **sites[h["id"]][s]}
                                    for h in history if s in sites.get(h["id"], {})]} for s in names]


def _failures_by_impact(conn, run_ids: list[str]) -> dict[str, dict[str, int]]:
    """Failed findings of WCAG checks by impact, per run (plain-language findings apart, as in the
    run's own report)."""
    out: dict[str, dict[str, int]] = {}
    for chunk in (run_ids[i:i + 500] for i in range(0, len(run_ids), 500)):
        q = (select(documents.c.run_id, findings.c.impact, func.count())
             .select_from(findings.join(check_results, findings.c.check_result_id == check_results.c.id)
                          .join(documents, check_results.c.document_id == documents.c.id))
             .where(documents.c.run_id.in_(chunk), findings.c.outcome == "failed",
                    check_results.c.category.in_(("wcag", "letter-structure")))
             .group_by(documents.c.run_id, findings.c.impact))
        for run_id, impact, n in conn.execute(q):
            out.setdefault(run_id, {imp: 0 for imp in IMPACTS})
            if impact in IMPACTS:
                out[run_id][impact] += n
    return out


def _criteria(conn, run_id: str) -> tuple[dict[str, int], int]:
    """For one run: how many of its audited pages fail each monitored criterion, and how many pages
    were audited (one query: a count of distinct pages per criterion)."""
    page = and_(documents.c.run_id == run_id, documents.c.kind == "page", documents.c.status == "ok")
    evaluated = conn.execute(select(func.count()).select_from(documents).where(page)).scalar() or 0
    cols = [func.count(distinct(case((check_results.c.wcag.like(f'%"{c}"%'), documents.c.id)))).label(f"c{i}")
            for i, c in enumerate(CRITERIA)]
    q = (select(*cols).select_from(check_results.join(documents, check_results.c.document_id == documents.c.id))
         .where(page, check_results.c.outcome == "failed"))
    row = conn.execute(q).first()
    return {c: int(row[i] or 0) for i, c in enumerate(CRITERIA)}, evaluated


def _worst(conn, run_id: str) -> list[dict[str, Any]]:
    q = (select(documents.c.kind, documents.c.url, documents.c.path, documents.c.title, documents.c.score,
                documents.c.plain_score, documents.c.status, documents.c.journey)
         .where(documents.c.run_id == run_id, documents.c.status == "ok",
                or_(documents.c.score.is_not(None), documents.c.plain_score.is_not(None)))
         .order_by(func.coalesce(documents.c.score, documents.c.plain_score), documents.c.seq).limit(WORST))
    out = []
    for r in conn.execute(q):
        row = dict(r._mapping)
        journey = row.pop("journey")
        if isinstance(journey, str):            # (a JSON column read as text on some back ends)
            journey = json.loads(journey)
        # a journey's state is named as the reports name it: »journey › state (page)« (Document.name)
        row["location"] = Document(url=r.url, path=r.path, journey=journey).name
        out.append(row)
    return out


def _statement(conn, run_id: str) -> bool | None:
    """Whether the run's crawl found an accessibility statement linked (KS006 passed on its pages);
    None when the run did not judge it (no crawl)."""
    q = (select(check_results.c.outcome, func.count())
         .select_from(check_results.join(documents, check_results.c.document_id == documents.c.id))
         .where(documents.c.run_id == run_id, check_results.c.code == "KS006").group_by(check_results.c.outcome))
    got = dict(conn.execute(q).all())
    if not got:
        return None
    return not got.get("failed")


def _previous(history: list[dict[str, Any]], period: str, now: datetime) -> dict[str, Any] | None:
    """The newest run before the start of the current period (or, with no run that old, the first run
    when there are two or more): what the change is measured against."""
    start = (now - timedelta(days=PERIODS[period])).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    older = [h for h in history[:-1] if h["started_at"] < start]
    if older:
        return older[-1]
    return history[0] if len(history) > 1 else None


def as_json(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False, indent=2, default=str)


__all__ = ["portfolio_view", "as_json", "PERIODS"]
