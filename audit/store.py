"""The history store: every run, document, check result and finding, in SQLite by default.

Any SQLAlchemy URL works (``--db``); a plain path means a SQLite file. A run is written with
status "partial" when it starts and each document is committed as soon as it is finished, so a
crash, Ctrl-C or kill keeps every finished document and leaves the run partial. Only a run that
audited every target is set to "complete" at its end.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import json
import math
import random
import re
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table,
                        Text, create_engine, event, func, insert, inspect, select, text, update)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (ArgumentError, IntegrityError, NoSuchModuleError, OperationalError,
                            ProgrammingError, SQLAlchemyError)

from core.errors import UsageError
from core.model import CheckResult, Document, Finding, Run, TargetKind, category_of

STORE_SCHEMA_VERSION = 3   # 2: plain-language score, readability, text spans; 3: migrations by Alembic
STORE_REVISION = "0004"    # the newest migration (audit/migrations/versions); a test keeps the two in step
# columns that a migration adds (not the pre-Alembic upgrade, _add_missing_columns)
MIGRATED_COLUMNS = {("runs", "project"), ("documents", "journey"), ("documents", "worker")}
BUSY_TIMEOUT = 30.0        # seconds to wait for a database another process holds locked
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
    Column("plain_score", Float), Column("crawl", Text), Column("workdir", Text),
    Column("project", String(200)),         # the portfolio's label (migration 0002)
    Index("ix_runs_project_started", "project", "started_at"),
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
    Column("final_url", Text), Column("aliases", Text), Column("site_path", Text),
    Column("journey", Text),                # a journey's state, JSON (migration 0003)
    Column("worker", String(200)),          # the worker of a distributed audit that did it (migration 0004)
)
check_results = Table(
    "check_results", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False, index=True),
    Column("code", String(16), nullable=False), Column("name", String(80), nullable=False),
    Column("outcome", String(16), nullable=False), Column("impact", String(16)),
    Column("wcag", Text), Column("level", String(4)), Column("error", Text),
    Column("category", String(32)), Column("target_kind", String(16)),
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
    def __init__(self, value: str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        """Open (and create or bring up to date) the store at ``value``; ``busy_timeout``: seconds
        to wait for a database another process holds locked before giving up."""
        url = db_url(value)
        shown = self._shown = shown_db(value)      # never the password of a URL
        # files kept beside the database (screenshots of failing elements), one folder per run
        self.files_dir = Path(".klartjek") / "screenshots"
        try:
            parsed = make_url(url)
            backend = parsed.get_backend_name()
            dialect = parsed.get_dialect()
            if getattr(dialect, "is_async", False):
                example = _SYNC_EXAMPLE.get(backend, "sqlite:///runs.sqlite")
                raise UsageError(f"--db {shown!r}: {parsed.get_driver_name()!r} is an asyncio driver and "
                                 f"klartjek needs a plain one; use e.g. {example}")
            kwargs: dict[str, Any] = {}
            if backend == "sqlite":
                kwargs["connect_args"] = {"timeout": busy_timeout}   # writers wait for each other
                if parsed.database not in (None, "", ":memory:"):
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                    self.files_dir = Path(parsed.database).parent / "screenshots"
            try:
                self.engine: Engine = create_engine(url, **kwargs)
            except ImportError as exc:
                raise UsageError(_missing_driver(shown, parsed, exc)) from None
            if backend == "sqlite":
                event.listen(self.engine, "connect", functools.partial(_sqlite_pragmas, timeout=busy_timeout))
            _create_schema(self.engine, shown, busy_timeout)
        except UsageError as exc:
            raise UsageError(_scrub(str(exc), value)) from None
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise UsageError(_scrub(f"--db {shown!r} is not a usable database URL ({_first(exc)}); give a "
                                    "file path or a SQLAlchemy URL such as sqlite:///runs.sqlite", value)) from None
        except (OperationalError, OSError, SQLAlchemyError, sqlite3.Error) as exc:
            if _is_busy(exc):
                raise UsageError(_busy_message(shown)) from None
            raise UsageError(_scrub(f"--db {shown!r}: cannot open the database ({_first(exc)})", value)) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction; a database still locked after the busy timeout is a UsageError."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            if _is_busy(exc):
                raise UsageError(_busy_message(self._shown)) from None
            raise

    # -- writing -----------------------------------------------------------------------------
    def begin_run(self, run: Run) -> None:
        with self._writing() as conn:
            conn.execute(insert(runs).values(**_run_row(run)))

    def add_document(self, run_id: str, seq: int, doc: Document,
                     artifacts: dict[str, Any] | None = None, worker: str | None = None) -> None:
        """Commit one finished document with its results, findings and artifacts (``worker``: the
        worker of a distributed audit that did it)."""
        with self._writing() as conn:
            doc_id = conn.execute(insert(documents).values(
                run_id=run_id, seq=seq, kind=doc.kind, url=doc.url, path=doc.path, title=doc.title,
                language=doc.language, content_hash=doc.content_hash, status=doc.status,
                error=doc.error, score=doc.score, blocked_requests=doc.blocked_requests,
                started_at=doc.started_at, ended_at=doc.ended_at, plain_score=doc.plain_score,
                readability=json.dumps(doc.readability) if doc.readability is not None else None,
                reused_from=doc.reused_from, final_url=doc.final_url, site_path=doc.site_path,
                journey=json.dumps(doc.journey) if doc.journey else None,
                aliases=json.dumps(doc.aliases) if doc.aliases else None, worker=worker,
            )).inserted_primary_key[0]
            _insert_results(conn, doc_id, doc.results)
            if artifacts is not None:
                conn.execute(insert(artifacts_table).values(
                    document_id=doc_id, data=gzip.compress(json.dumps(artifacts).encode(), 1)))

    def add_results(self, run_id: str, seq: int, doc: Document, results: list[CheckResult],
                    replace: Iterable[str] = ()) -> None:
        """Results a stored document gets after it was stored (the checks of a whole crawl), and
        its scores again; the stored results of the checks ``replace`` names (codes) go first."""
        with self._writing() as conn:
            doc_id = conn.execute(select(documents.c.id).where(
                (documents.c.run_id == run_id) & (documents.c.seq == seq))).scalar_one()
            codes = list(replace)
            if codes:
                old = [r[0] for r in conn.execute(select(check_results.c.id).where(
                    (check_results.c.document_id == doc_id) & check_results.c.code.in_(codes)))]
                if old:
                    conn.execute(findings.delete().where(findings.c.check_result_id.in_(old)))
                    conn.execute(check_results.delete().where(check_results.c.id.in_(old)))
            _insert_results(conn, doc_id, results)
            conn.execute(update(documents).where(documents.c.id == doc_id).values(
                score=doc.score, plain_score=doc.plain_score))

    def finish_run(self, run: Run) -> None:
        with self._writing() as conn:
            conn.execute(update(runs).where(runs.c.id == run.id).values(
                ended_at=run.ended_at, status=run.status, score=run.score, plain_score=run.plain_score,
                blocked_requests=run.blocked_requests, browser_version=run.browser_version,
                axe_version=run.axe_version))

    def set_aliases(self, run_id: str, seq: int, aliases: list[str]) -> None:
        """The other URLs that gave a stored document's identical response."""
        with self._writing() as conn:
            conn.execute(update(documents).where((documents.c.run_id == run_id) & (documents.c.seq == seq))
                         .values(aliases=json.dumps(aliases) if aliases else None))

    def update_run(self, run_id: str, **values: Any) -> None:
        with self._writing() as conn:
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

    def list_runs(self, limit: int | None = 20, project: str | None = None) -> list[dict[str, Any]]:
        """The newest runs (all with limit None), of one project when given, with their counts of
        documents and of documents not audited."""
        counts = (select(documents.c.run_id, func.count().label("n"),
                         func.sum((documents.c.status != "ok").cast(Integer)).label("errors"))
                  .group_by(documents.c.run_id).subquery())
        q = (select(runs, counts.c.n, counts.c.errors).outerjoin(counts, counts.c.run_id == runs.c.id)
             .order_by(runs.c.started_at.desc(), runs.c.id.desc()))
        if project is not None:
            q = q.where(runs.c.project == project)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def workers(self, run_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Which workers of a distributed audit did how many documents of each run (runs audited in
        one process have none)."""
        ids = list(run_ids)
        out: dict[str, dict[str, int]] = {}
        if not ids:
            return out
        q = (select(documents.c.run_id, documents.c.worker, func.count()).where(
            documents.c.run_id.in_(ids) & documents.c.worker.is_not(None))
            .group_by(documents.c.run_id, documents.c.worker).order_by(documents.c.run_id, documents.c.worker))
        with self.engine.connect() as conn:
            for run_id, worker, n in conn.execute(q):
                out.setdefault(run_id, {})[worker] = n
        return out

    def projects(self) -> list[str]:
        """The projects stored runs belong to, by name."""
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(runs.c.project).where(runs.c.project.is_not(None))
                                               .distinct().order_by(runs.c.project))]

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
                      crawl=json.loads(r["crawl"]) if r["crawl"] else None, workdir=r["workdir"],
                      project=r["project"])
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
                **_kind_of(x.code, x.category, x.target_kind),
                findings=by_result.get(x.id, [])))
        for d in doc_rows:
            run.documents.append(Document(
                kind=d.kind, url=d.url, path=d.path, title=d.title, language=d.language,
                content_hash=d.content_hash, status=d.status, error=d.error, score=d.score,
                blocked_requests=d.blocked_requests or 0, started_at=d.started_at,
                ended_at=d.ended_at, plain_score=d.plain_score,
                readability=json.loads(d.readability) if d.readability else None,
                reused_from=d.reused_from, final_url=d.final_url, site_path=d.site_path,
                journey=json.loads(d.journey) if d.journey else None,
                aliases=json.loads(d.aliases) if d.aliases else [], results=by_doc.get(d.id, [])))
        return run

    def resume_state(self, run_id: str) -> dict[str, Any]:
        """What --resume needs of an interrupted run: the finished documents by location with
        their seq, and their artifacts. Documents that ended in error are removed: they are tried
        again."""
        with self._writing() as conn:
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
                crawl=json.dumps(run.crawl) if run.crawl is not None else None, workdir=run.workdir,
                project=run.project)


def _insert_results(conn: Connection, doc_id: int, results: list[CheckResult]) -> None:
    """One statement for all results (ids back in order), one for all their findings."""
    if not results:
        return
    res_ids = conn.execute(
        insert(check_results).returning(check_results.c.id, sort_by_parameter_order=True),
        [dict(document_id=doc_id, code=res.code, name=res.name, outcome=res.outcome,
              impact=res.impact, wcag=json.dumps(res.wcag), level=res.level, error=res.error,
              category=res.category, target_kind=res.target_kind)
         for res in results]).scalars().all()
    rows = [dict(
        check_result_id=res_id, outcome=f.outcome, target=f.target, html=f.html,
        message_da=f.message.get("da"), message_en=f.message.get("en"),
        impact=f.impact, help_url=f.help_url, fingerprint=f.fingerprint,
        span_start=f.span[0] if f.span else None, span_end=f.span[1] if f.span else None,
        excerpt=f.excerpt, suggestion_da=(f.suggestion or {}).get("da"),
        suggestion_en=(f.suggestion or {}).get("en"))
        for res, res_id in zip(results, res_ids, strict=True) for f in res.findings]
    if rows:
        conn.execute(insert(findings), rows)


def _kind_of(code: str, category: str | None, target_kind: str | None) -> dict[str, Any]:
    """A stored result's category and target kind; a result stored before they were kept takes its
    check's from the registry (a check no longer registered: none)."""
    if category is None:
        from checks import REGISTRY

        meta = REGISTRY.get(code)
        if meta is not None:
            return {"category": meta.category, "target_kind": meta.target}
    return {"category": category_of(category), "target_kind": TargetKind(target_kind) if target_kind else None}


def _create_schema(engine: Engine, shown: str, timeout: float) -> None:
    """Create the tables, add the columns a newer klartjek has and write the schema row, so that
    processes doing it at the same moment on a fresh database wait for each other instead of
    failing: one at a time under a lock of the database (BEGIN IMMEDIATE on SQLite, an advisory
    lock on PostgreSQL, GET_LOCK on MySQL), each looking again at what the one before made."""
    name = engine.dialect.name
    if name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")   # the write lock, waiting up to the busy timeout
            _ensure_schema(conn, shown)
            conn.commit()
    elif name == "postgresql":
        with engine.connect().execution_options(isolation_level="READ COMMITTED") as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, math.ceil(timeout * 1000))}")
            conn.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS BIGINT))"), {"key": _LOCK_KEY})
            _ensure_schema(conn, shown)   # DDL is transactional: the lock holds until the commit
            conn.commit()
    elif name in ("mysql", "mariadb"):
        with engine.connect().execution_options(isolation_level="READ COMMITTED") as conn:
            got = conn.execute(text("SELECT GET_LOCK(:name, :timeout)"),
                               {"name": _LOCK_NAME, "timeout": max(1, math.ceil(timeout))}).scalar()
            if got != 1:
                raise UsageError(_busy_message(shown))
            try:
                _ensure_schema(conn, shown)   # each DDL statement commits; the session lock stays
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": _LOCK_NAME})
                conn.commit()
    else:   # no lock we know of: on a collision look again and do what is still missing
        for attempt in range(6):
            try:
                with engine.begin() as conn:
                    _ensure_schema(conn, shown)
                return
            except (IntegrityError, ProgrammingError, OperationalError) as exc:
                if attempt == 5 or not (isinstance(exc, IntegrityError) or "exist" in str(exc.orig).lower()):
                    raise
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))


_LOCK_NAME = "klartjek-schema"
_LOCK_KEY = zlib.crc32(_LOCK_NAME.encode())   # pg_advisory_xact_lock's bigint key


def _ensure_schema(conn: Connection, shown: str) -> None:
    """Create or upgrade the store in place (under the caller's lock): Alembic's migrations
    (audit/migrations) from the revision the database has to STORE_REVISION. A store written before
    the migrations were Alembic's (schema 2 and older, no alembic_version) first gets the columns it
    lacks of schema 2 and is stamped as revision 0001. The meta row ``schema`` keeps
    STORE_SCHEMA_VERSION, which a klartjek older than the migrations reads and refuses to write past."""
    tables = set(inspect(conn).get_table_names())
    current = _revision(conn) if "alembic_version" in tables else None
    select_schema = select(meta_table.c.value).where(meta_table.c.key == "schema")
    row = conn.execute(select_schema).first() if "klartjek_meta" in tables else None
    if row is not None and int(row[0]) > STORE_SCHEMA_VERSION:
        raise UsageError(f"--db {shown!r}: written by a newer klartjek (store schema {row[0]}); "
                         "upgrade klartjek")
    if current != STORE_REVISION:
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = _alembic_config(conn)
        known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
        if current is not None and current not in known:
            raise UsageError(f"--db {shown!r}: written by a newer klartjek (store revision {current}); "
                             "upgrade klartjek")
        if current is None and "runs" in tables:       # before Alembic: bring it to schema 2, then stamp
            metadata.create_all(conn)                   # (a table a very old store lacks)
            _add_missing_columns(conn, skip=MIGRATED_COLUMNS)
            command.stamp(cfg, "0001")
        command.upgrade(cfg, "head")
    row = conn.execute(select_schema).first()
    if row is None:
        _insert_schema_row(conn)
    elif int(row[0]) < STORE_SCHEMA_VERSION:
        conn.execute(update(meta_table).where(meta_table.c.key == "schema")
                     .values(value=str(STORE_SCHEMA_VERSION)))


def _revision(conn: Connection) -> str | None:
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def _insert_schema_row(conn: Connection) -> None:
    """Insert the schema row unless another process just did."""
    values = dict(key="schema", value=str(STORE_SCHEMA_VERSION))
    name = conn.dialect.name
    if name in ("sqlite", "postgresql"):
        upsert = sqlite_insert if name == "sqlite" else pg_insert
        conn.execute(upsert(meta_table).values(**values).on_conflict_do_nothing())
    elif name in ("mysql", "mariadb"):
        conn.execute(insert(meta_table).prefix_with("IGNORE").values(**values))
    else:
        try:
            with conn.begin_nested():
                conn.execute(insert(meta_table).values(**values))
        except IntegrityError:
            pass   # there already: read again by the caller


def _add_missing_columns(conn: Connection, skip: set[tuple[str, str]] = frozenset()) -> None:
    """Bring a database written by a klartjek older than the migrations up to store schema 2: its
    newer columns are all nullable (``skip``: those a migration adds)."""
    insp = inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in insp.get_columns(table.name)}
        for col in table.columns:
            if col.name not in have and (table.name, col.name) not in skip:
                kind = col.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {col.name} {kind}'))


def _sqlite_pragmas(dbapi_conn, _record, timeout: float = BUSY_TIMEOUT) -> None:
    cur = dbapi_conn.cursor()
    try:
        # Switching a fresh file to WAL needs an exclusive lock and SQLite may refuse it at once
        # ("database is locked") without waiting for the busy timeout when others open the file
        # at the same moment: try again until the timeout is spent.
        deadline = time.monotonic() + timeout
        while True:
            try:
                cur.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                left = deadline - time.monotonic()
                if not _is_busy(exc) or left <= 0:
                    raise
                time.sleep(min(left, random.uniform(0.005, 0.05)))
                cur.execute(f"PRAGMA busy_timeout = {max(0, int((deadline - time.monotonic()) * 1000))}")
        cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()


def _is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says another connection holds the database (or a row or lock) too long."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (5, 6):            # SQLITE_BUSY, SQLITE_LOCKED
        return True
    if (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) == "55P03":   # lock_not_available
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in (1205,):                            # MySQL: lock wait timeout exceeded
        return True
    msg = str(orig).lower()
    return "database is locked" in msg or "database table is locked" in msg or "lock timeout" in msg


def _busy_message(shown: str) -> str:
    return f"--db {shown!r}: the database is busy (locked by another klartjek?); try again"


# SQLAlchemy driver name → (the module it imports, what to pip install)
_DRIVERS = {
    "psycopg": ("psycopg", '"psycopg[binary]"'), "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg2cffi": ("psycopg2cffi", "psycopg2cffi"), "pg8000": ("pg8000", "pg8000"),
    "pymysql": ("pymysql", "PyMySQL"), "mysqldb": ("MySQLdb", "mysqlclient"),
    "mariadbconnector": ("mariadb", "mariadb"), "mysqlconnector": ("mysql.connector", "mysql-connector-python"),
    "pyodbc": ("pyodbc", "pyodbc"), "pymssql": ("pymssql", "pymssql"),
    "oracledb": ("oracledb", "oracledb"), "cx_oracle": ("cx_Oracle", "cx_Oracle"),
}
_BACKENDS = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "mssql": "SQL Server",
             "oracle": "Oracle", "sqlite": "SQLite"}
_SYNC_EXAMPLE = {"postgresql": "postgresql+psycopg://…", "mysql": "mysql+pymysql://…",
                 "mariadb": "mariadb+pymysql://…", "sqlite": "sqlite:///runs.sqlite"}


def _missing_driver(shown: str, parsed, exc: ImportError) -> str:
    driver = parsed.get_driver_name()
    backend = parsed.get_backend_name()
    label = _BACKENDS.get(backend, backend)
    module, package = _DRIVERS.get(driver, (driver, None))
    missing = (exc.name or "").split(".")[0]
    if package and missing == module.split(".")[0]:
        return (f"--db {shown!r}: the {label} driver {driver!r} is not installed; "
                f"install it with pip install {package}")
    if package:
        return (f"--db {shown!r}: the {label} driver {driver!r} cannot be loaded ({_first(exc)}); "
                f"reinstall it with pip install {package}")
    return (f"--db {shown!r}: the {label} driver {driver!r} cannot be loaded ({_first(exc)}); "
            "install the Python package that provides it")


def shown_db(value: str) -> str:
    """``--db`` as it may be shown: a URL's password replaced by ***."""
    if "://" not in value:
        return value
    try:
        parsed = make_url(value)
    except Exception:  # noqa: BLE001  (not a URL SQLAlchemy can read: hide what looks like a password)
        return re.sub(r"^(\w[\w+.-]*://[^:/@]*):[^@]*@", r"\1:***@", value)
    return value if parsed.password is None else parsed.render_as_string(hide_password=True)


def _scrub(message: str, value: str) -> str:
    """``message`` without the password of ``value``, should an error text have quoted it."""
    shown = shown_db(value)
    if shown == value:
        return message
    message = message.replace(value, shown)
    try:
        password = make_url(value).password
    except Exception:  # noqa: BLE001
        password = re.match(r"^\w[\w+.-]*://[^:/@]*:([^@]*)@", value)
        password = password.group(1) if password else None
    if password and len(str(password)) >= 3:
        message = message.replace(str(password), "***")
    return message


def _first(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
