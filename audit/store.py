"""The history store: every run, document, check result and finding, in SQLite by default.

Any SQLAlchemy URL works (``--db``); a plain path means a SQLite file. A run is written with
status "partial" when it starts and each document is committed as soon as it is finished, so a
crash, Ctrl-C or kill keeps every finished document and leaves the run partial. Only a run that
audited every target is set to "complete" at its end.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table,
                        Text, create_engine, event, func, insert, select, update)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from audit.errors import UsageError
from audit.model import CheckResult, Document, Finding, Run

STORE_SCHEMA_VERSION = 2   # 2: plain-language score, readability, text spans
metadata = MetaData()

meta_table = Table("klartjek_meta", metadata,
                   Column("key", String(64), primary_key=True), Column("value", Text))
runs = Table(
    "runs", metadata,
    Column("id", String(64), primary_key=True),
    Column("started_at", String(40), nullable=False), Column("ended_at", String(40)),
    Column("status", String(16), nullable=False),
    Column("klartjek_version", String(32)), Column("axe_version", String(32)),
    Column("browser_version", String(64)), Column("config_hash", String(32)),
    Column("config", Text), Column("targets", Text),
    Column("score", Float), Column("blocked_requests", Integer, default=0),
    Column("plain_score", Float), Column("crawl", Text),
)
documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False), Column("url", Text), Column("path", Text),
    Column("title", Text), Column("language", String(35)), Column("content_hash", String(64)),
    Column("status", String(16), nullable=False), Column("error", Text), Column("score", Float),
    Column("blocked_requests", Integer, default=0),
    Column("started_at", String(40)), Column("ended_at", String(40)),
    Column("plain_score", Float), Column("readability", Text), Column("reused_from", String(64)),
)
check_results = Table(
    "check_results", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False, index=True),
    Column("code", String(16), nullable=False), Column("name", String(80), nullable=False),
    Column("outcome", String(16), nullable=False), Column("impact", String(16)),
    Column("wcag", Text), Column("level", String(4)), Column("error", Text),
)
findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("check_result_id", Integer, ForeignKey("check_results.id"), nullable=False, index=True),
    Column("outcome", String(16), nullable=False), Column("target", Text), Column("html", Text),
    Column("message_da", Text), Column("message_en", Text), Column("impact", String(16)),
    Column("help_url", Text), Column("fingerprint", String(32), index=True),
    Column("span_start", Integer), Column("span_end", Integer), Column("excerpt", Text),
    Column("suggestion_da", Text), Column("suggestion_en", Text),
)
artifacts_table = Table(
    "artifacts", metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True),
    Column("data", LargeBinary, nullable=False),  # gzip of the artifacts' JSON
)


def db_url(value: str, cwd: Path | None = None) -> str:
    """A SQLAlchemy URL from --db: a URL as it is, a path as a SQLite file URL."""
    if "://" in value:
        return value
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    return f"sqlite:///{path}"


class Store:
    def __init__(self, value: str) -> None:
        url = db_url(value)
        # files kept beside the database (screenshots of failing elements), one folder per run
        self.files_dir = Path(".klartjek") / "screenshots"
        try:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                self.files_dir = Path(parsed.database).parent / "screenshots"
            self.engine: Engine = create_engine(url)
            if parsed.get_backend_name() == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
            _add_missing_columns(self.engine)
            with self.engine.begin() as conn:
                row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema")).first()
                if row is None:
                    conn.execute(insert(meta_table).values(key="schema", value=str(STORE_SCHEMA_VERSION)))
                elif int(row[0]) > STORE_SCHEMA_VERSION:
                    raise UsageError(f"--db {value}: written by a newer klartjek (store schema {row[0]}); "
                                     "upgrade klartjek")
                elif int(row[0]) < STORE_SCHEMA_VERSION:
                    conn.execute(update(meta_table).where(meta_table.c.key == "schema")
                                 .values(value=str(STORE_SCHEMA_VERSION)))
        except UsageError:
            raise
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise UsageError(f"--db {value!r} is not a usable database URL ({_first(exc)}); give a file "
                             "path or a SQLAlchemy URL such as sqlite:///runs.sqlite") from None
        except (OperationalError, OSError, SQLAlchemyError) as exc:
            raise UsageError(f"--db {value!r}: cannot open the database ({_first(exc)})") from None

    # -- writing -----------------------------------------------------------------------------
    def begin_run(self, run: Run) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(runs).values(**_run_row(run)))

    def add_document(self, run_id: str, seq: int, doc: Document,
                     artifacts: dict[str, Any] | None = None) -> None:
        """Commit one finished document with its results, findings and artifacts."""
        with self.engine.begin() as conn:
            doc_id = conn.execute(insert(documents).values(
                run_id=run_id, seq=seq, kind=doc.kind, url=doc.url, path=doc.path, title=doc.title,
                language=doc.language, content_hash=doc.content_hash, status=doc.status,
                error=doc.error, score=doc.score, blocked_requests=doc.blocked_requests,
                started_at=doc.started_at, ended_at=doc.ended_at, plain_score=doc.plain_score,
                readability=json.dumps(doc.readability) if doc.readability is not None else None,
                reused_from=doc.reused_from,
            )).inserted_primary_key[0]
            if doc.results:
                # one statement for all results (ids back in order), one for all findings
                res_ids = conn.execute(
                    insert(check_results).returning(check_results.c.id, sort_by_parameter_order=True),
                    [dict(document_id=doc_id, code=res.code, name=res.name, outcome=res.outcome,
                          impact=res.impact, wcag=json.dumps(res.wcag), level=res.level, error=res.error)
                     for res in doc.results]).scalars().all()
                rows = [dict(
                    check_result_id=res_id, outcome=f.outcome, target=f.target, html=f.html,
                    message_da=f.message.get("da"), message_en=f.message.get("en"),
                    impact=f.impact, help_url=f.help_url, fingerprint=f.fingerprint,
                    span_start=f.span[0] if f.span else None, span_end=f.span[1] if f.span else None,
                    excerpt=f.excerpt, suggestion_da=(f.suggestion or {}).get("da"),
                    suggestion_en=(f.suggestion or {}).get("en"))
                    for res, res_id in zip(doc.results, res_ids, strict=True) for f in res.findings]
                if rows:
                    conn.execute(insert(findings), rows)
            if artifacts is not None:
                kept = {k: v for k, v in artifacts.items() if not k.startswith("_")}
                conn.execute(insert(artifacts_table).values(
                    document_id=doc_id, data=gzip.compress(json.dumps(kept).encode(), 1)))

    def finish_run(self, run: Run) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run.id).values(
                ended_at=run.ended_at, status=run.status, score=run.score, plain_score=run.plain_score,
                blocked_requests=run.blocked_requests, browser_version=run.browser_version,
                axe_version=run.axe_version))

    def update_run(self, run_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(**values))

    # -- reading -----------------------------------------------------------------------------
    def resolve_run_id(self, key: str) -> str:
        """A full run id from an id, a unique prefix of one, or "latest"."""
        with self.engine.connect() as conn:
            if key in ("latest", "last"):
                row = conn.execute(select(runs.c.id).order_by(runs.c.started_at.desc(),
                                                              runs.c.id.desc()).limit(1)).first()
                if row is None:
                    raise UsageError("there are no stored runs yet; run `klartjek audit` first")
                return row[0]
            ids = [r[0] for r in conn.execute(select(runs.c.id).where(runs.c.id.startswith(key,
                                                                                            autoescape=True)))]
        if key in ids:
            return key
        if not ids:
            raise UsageError(f"no stored run {key!r}; `klartjek runs` lists the stored runs")
        if len(ids) > 1:
            raise UsageError(f"run id {key!r} is ambiguous ({len(ids)} runs start with it); give more of it")
        return ids[0]

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        counts = (select(documents.c.run_id, func.count().label("n"),
                         func.sum((documents.c.status != "ok").cast(Integer)).label("errors"))
                  .group_by(documents.c.run_id).subquery())
        q = (select(runs, counts.c.n, counts.c.errors).outerjoin(counts, counts.c.run_id == runs.c.id)
             .order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def load_run(self, run_id: str) -> Run:
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
            if row is None:
                raise UsageError(f"no stored run {run_id!r}; `klartjek runs` lists the stored runs")
            r = row._mapping
            run = Run(id=r["id"], started_at=r["started_at"], ended_at=r["ended_at"],
                      status=r["status"], klartjek_version=r["klartjek_version"] or "",
                      axe_version=r["axe_version"], browser_version=r["browser_version"],
                      config_hash=r["config_hash"] or "", config=json.loads(r["config"] or "{}"),
                      targets=json.loads(r["targets"] or "[]"), score=r["score"], plain_score=r["plain_score"],
                      blocked_requests=r["blocked_requests"] or 0,
                      crawl=json.loads(r["crawl"]) if r["crawl"] else None)
            doc_rows = conn.execute(select(documents).where(documents.c.run_id == run_id)
                                    .order_by(documents.c.seq, documents.c.id)).all()
            doc_ids = [d.id for d in doc_rows]
            res_rows = conn.execute(select(check_results).where(check_results.c.document_id.in_(doc_ids))
                                    .order_by(check_results.c.id)).all() if doc_ids else []
            res_ids = [x.id for x in res_rows]
            f_rows = conn.execute(select(findings).where(findings.c.check_result_id.in_(res_ids))
                                  .order_by(findings.c.id)).all() if res_ids else []
        by_result: dict[int, list[Finding]] = {}
        for f in f_rows:
            by_result.setdefault(f.check_result_id, []).append(Finding(
                outcome=f.outcome, target=f.target, html=f.html,
                message={"da": f.message_da, "en": f.message_en}, impact=f.impact,
                help_url=f.help_url, fingerprint=f.fingerprint,
                span=[f.span_start, f.span_end] if f.span_start is not None else None, excerpt=f.excerpt,
                suggestion={"da": f.suggestion_da, "en": f.suggestion_en}
                if f.suggestion_da is not None or f.suggestion_en is not None else None))
        by_doc: dict[int, list[CheckResult]] = {}
        for x in res_rows:
            by_doc.setdefault(x.document_id, []).append(CheckResult(
                code=x.code, name=x.name, outcome=x.outcome, impact=x.impact,
                wcag=json.loads(x.wcag or "[]"), level=x.level, error=x.error,
                findings=by_result.get(x.id, [])))
        for d in doc_rows:
            run.documents.append(Document(
                kind=d.kind, url=d.url, path=d.path, title=d.title, language=d.language,
                content_hash=d.content_hash, status=d.status, error=d.error, score=d.score,
                blocked_requests=d.blocked_requests or 0, started_at=d.started_at,
                ended_at=d.ended_at, plain_score=d.plain_score,
                readability=json.loads(d.readability) if d.readability else None,
                reused_from=d.reused_from, results=by_doc.get(d.id, [])))
        return run

    def resume_state(self, run_id: str) -> dict[str, Any]:
        """What --resume needs of an interrupted run: the finished documents by location with
        their seq, and their artifacts. Documents that ended in error are removed: they are tried
        again."""
        with self.engine.begin() as conn:
            err_ids = [r[0] for r in conn.execute(select(documents.c.id).where(
                (documents.c.run_id == run_id) & (documents.c.status == "error")))]
            if err_ids:
                res_ids = [r[0] for r in conn.execute(select(check_results.c.id).where(
                    check_results.c.document_id.in_(err_ids)))]
                if res_ids:
                    conn.execute(findings.delete().where(findings.c.check_result_id.in_(res_ids)))
                conn.execute(check_results.delete().where(check_results.c.document_id.in_(err_ids)))
                conn.execute(artifacts_table.delete().where(artifacts_table.c.document_id.in_(err_ids)))
                conn.execute(documents.delete().where(documents.c.id.in_(err_ids)))
            rows = conn.execute(select(documents.c.seq, documents.c.url, documents.c.path, artifacts_table.c.data)
                                .select_from(documents.outerjoin(artifacts_table,
                                                                 artifacts_table.c.document_id == documents.c.id))
                                .where(documents.c.run_id == run_id)).all()
            conn.execute(update(runs).where(runs.c.id == run_id).values(ended_at=None, status="partial"))
        return {"seqs": {(r.url or r.path): r.seq for r in rows},
                "artifacts": {(r.url or r.path): json.loads(gzip.decompress(r.data)) for r in rows if r.data}}

    def previous_run(self, targets: list[str], config_hash: str, exclude: str) -> str | None:
        """The newest other run of the same targets with the same result settings (--incremental)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs.c.id).where(
                (runs.c.targets == json.dumps(targets)) & (runs.c.config_hash == config_hash)
                & (runs.c.id != exclude)).order_by(runs.c.started_at.desc(), runs.c.id.desc()).limit(1)).first()
        return row[0] if row else None

    def artifacts_by_location(self, run_id: str) -> dict[str, dict[str, Any]]:
        q = (select(documents.c.url, documents.c.path, artifacts_table.c.data)
             .select_from(documents.join(artifacts_table, artifacts_table.c.document_id == documents.c.id))
             .where(documents.c.run_id == run_id))
        with self.engine.connect() as conn:
            return {(r.url or r.path): json.loads(gzip.decompress(r.data)) for r in conn.execute(q)}

    def load_artifacts(self, run_id: str) -> list[dict[str, Any] | None]:
        """The stored artifacts of each document of a run, in document order."""
        q = (select(artifacts_table.c.data).select_from(documents.outerjoin(
            artifacts_table, artifacts_table.c.document_id == documents.c.id))
             .where(documents.c.run_id == run_id).order_by(documents.c.seq, documents.c.id))
        with self.engine.connect() as conn:
            return [json.loads(gzip.decompress(r[0])) if r[0] else None for r in conn.execute(q)]

    def close(self) -> None:
        self.engine.dispose()


def _run_row(run: Run) -> dict[str, Any]:
    return dict(id=run.id, started_at=run.started_at, ended_at=run.ended_at, status=run.status,
                klartjek_version=run.klartjek_version, axe_version=run.axe_version,
                browser_version=run.browser_version, config_hash=run.config_hash,
                config=json.dumps(run.config, sort_keys=True), targets=json.dumps(run.targets),
                score=run.score, plain_score=run.plain_score, blocked_requests=run.blocked_requests,
                crawl=json.dumps(run.crawl) if run.crawl is not None else None)


def _add_missing_columns(engine: Engine) -> None:
    """Bring a database written by an older klartjek up to date: new columns are all nullable."""
    from sqlalchemy import inspect, text

    insp = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            have = {c["name"] for c in insp.get_columns(table.name)}
            for col in table.columns:
                if col.name not in have:
                    kind = col.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {col.name} {kind}'))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _first(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
