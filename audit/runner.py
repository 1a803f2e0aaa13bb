"""Running an audit: targets → gather (browser) → checks → scores → store, one document at a time.

Each finished document is committed to the store at once. The run is written as "partial" first
and set to "complete" only when every target was audited without error.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
from collections import deque
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from audit import __version__
from audit.aio import blocking
from audit.browser import find_chromium, launch
from audit.checking import build_document, check_document  # noqa: F401 - check_document: cli's `text`
from audit.config import config_hash, parse_viewport, public_config
from core.errors import NotFound, TargetError, UsageError
from core.language import warm_up
from audit.fetch import abort_all as abort_fetches
from audit.fetch import reset as reset_fetches
from audit.gather import TabCrashed
from audit.isolate import kill_all as kill_children
from audit.gather import gather_page, new_context, page_settings, skip_media, take_screenshots
from audit.incremental import unchanged
from audit.journeyfile import mask
from audit.pageopts import NONE as NO_OPTIONS, PageOptions, options_for
from core.model import Document, Run, TargetKind, fingerprint
from core.netscope import HostScope, origin_entry, parse_entry
from core.scoring import document_score, is_plain, run_score
from audit.store import Store
from audit.targets import PageTarget, TargetResolver, letter_target
from checks import REGISTRY
from core.axe import axe_data


def _store_error(exc: Exception, db: str) -> Exception:
    """A failed write to the history database as the user should see it: a full disk or a lost
    database server is no bug of klartjek's (exit 2); anything else is raised as it is."""
    from sqlalchemy.exc import OperationalError

    from core.errors import UsageError

    if isinstance(exc, (OperationalError, OSError)):
        from audit.store import shown_db

        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        why = text[0] if text else type(exc).__name__
        return UsageError(f"--db {shown_db(str(db))}: could not store the run ({why}); "
                          "free some space or check the database; the documents stored so far are kept")
    return exc


# Bounds of what the site checks keep of each crawled page (work.site_pages): navigation blocks, links in
# each, named links (the first and last of a longer page), characters of a title, label or name.
SITE_NAV, SITE_NAV_LINKS, SITE_NAMES, SITE_TEXT = 12, 200, 800, 120


def _same_url(a: str, b: str) -> bool:
    from audit.crawl import normalise

    try:
        return normalise(a) == normalise(b)
    except ValueError:
        return a == b


def worker_count(cfg: dict[str, Any]) -> int:
    """--workers, or 0 for one per CPU core (at least 2)."""
    n = int(cfg["workers"])
    return n if n > 0 else max(2, os.cpu_count() or 2)


def repository_workdir(cwd: Path | None = None) -> str:
    """The working directory relative to the root of the git repository it lies in ("" at the root,
    or when it lies in none): local files' SARIF locations are relative to that root."""
    cwd = (cwd or Path.cwd()).resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            rel = cwd.relative_to(folder).as_posix()
            return "" if rel == "." else rel
    return ""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


@dataclass
class Progress:
    """Callbacks the CLI uses to show progress; all optional."""
    started: Callable[[int], None] = lambda total: None
    finished: Callable[[Document], None] = lambda doc: None


@dataclass
class AuditOutcome:
    run: Run
    interrupted: bool = False
    input_errors: list[str] = field(default_factory=list)
    reused: int = 0                       # --incremental: documents reused unchanged
    reused_from: str | None = None


def axe_options(config: dict[str, Any]) -> dict[str, Any]:
    checks = REGISTRY.select(config, "page")
    return {"runOnly": {"type": "rule", "values": [m.engine_rule for m in checks if m.engine_rule]},
            "resultTypes": ["violations", "incomplete"], "iframes": True}


async def browser_user_agent(browser) -> str:
    """The User-Agent the browser's pages send, asked over the DevTools protocol (no tab needed)."""
    cdp = await browser.new_browser_cdp_session()
    try:
        return (await cdp.send("Browser.getVersion"))["userAgent"]
    finally:
        await cdp.detach()


class _Work:
    """Where workers take the next page from: the targets, then (crawling) the frontier."""

    def __init__(self, items: list[tuple[int, PageTarget]], frontier=None, first_seq: int = 0,
                 done: set[str] | None = None) -> None:
        self.items = deque((seq, t, 0) for seq, t in items)
        self.frontier = frontier
        self.next_seq = first_seq
        self.busy = 0
        self.duplicates = 0
        self.audited: set[str] = set()      # normalised URLs audited: requested, final, canonical
        self.responses: dict[tuple[str, str], int] = {}   # (origin, content hash) → seq of the first page
        self.letters_taken: set[str] = set(done or ())   # crawled letters taken (or finished before a resume)
        self.site_pages: list[dict[str, Any]] = []       # what the site checks read of each crawled page
        self.broken: dict[str, dict[str, Any]] = {}      # URLs a crawl found that answered 404 or 410
        self.shared: dict[Any, Any] = {}                 # strings and pairs repeated from page to page, held once

    def share(self, value):
        """One object for equal strings (and link pairs) of every page: a menu and a footer repeated on
        500 pages are held once."""
        return self.shared.setdefault(value, value)

    def take(self):
        if self.items:
            return self.items.popleft()
        if self.frontier is not None and self.frontier.queue:
            url, depth, via = self.frontier.queue.popleft()
            return self._seq(), PageTarget(url, url, None, via=via), depth
        if self.frontier is not None:          # the pages are done or under way: the letters they link
            for url, via in self.frontier.letters.items():
                if url not in self.letters_taken:
                    self.letters_taken.add(url)
                    return self._seq(), letter_target(url, via), 0
        return None

    def _seq(self) -> int:
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        return seq


class _Contexts:
    """The browser context the workers' tabs share, as a browser's tabs share a profile (a context
    per worker made the benchmark of docs/benchmarks.md 12 % slower). After browser.recycle_after
    documents a fresh one takes over, to bound the memory a context holds; the old one closes when
    its last tab has left it."""

    def __init__(self, auditor: Auditor, options: dict[str, Any]) -> None:
        self.auditor, self.options = auditor, options
        self.current = None
        self.rendered = 0
        self.users: dict[Any, int] = {}    # context -> tabs on it
        self.lock = asyncio.Lock()

    async def for_document(self):
        """The context the next document renders in (each counts towards browser.recycle_after)."""
        async with self.lock:
            if self.current is None or self.rendered >= int(self.auditor.config["browser"]["recycle_after"]):
                old = self.current
                browser, ua = await self.auditor._browser()
                self.current = await new_context(browser, ua, self.options,
                                                 parse_viewport(self.auditor.config["viewport"]))
                self.users[self.current] = 0
                self.rendered = 0
                if old is not None and not self.users.get(old):
                    await self._close(old)
            self.rendered += 1
            return self.current

    def join(self, context) -> None:
        self.users[context] = self.users.get(context, 0) + 1

    async def leave(self, context) -> None:
        if context not in self.users:              # closed already, with the others
            return
        self.users[context] -= 1
        if not self.users[context] and context is not self.current:
            await self._close(context)

    async def _close(self, context) -> None:
        self.users.pop(context, None)
        with contextlib.suppress(Exception):
            await context.close()

    async def close(self) -> None:
        for context in list(self.users):           # the current one and any a tab still holds
            await self._close(context)
        self.current = None


class _Tab:
    """A worker's browser tab: one page in the shared context, made on first need and again when
    the context is replaced; a crashed tab is replaced and the document tried once more."""

    def __init__(self, contexts: _Contexts) -> None:
        self.contexts = contexts
        self.context = self.page = None

    async def render(self, url: str, location: str, probes: str | None = None, options: PageOptions = NO_OPTIONS):
        cfg = self.contexts.auditor.config
        if options.cookies:
            return await self._render_alone(url, location, probes, options)
        context = await self.contexts.for_document()
        if context is not self.context:              # first document, or the context was replaced
            await self.close()
            self.context = context
            self.contexts.join(context)
        for attempt in (1, 2):
            if self.page is None or self.page.is_closed():   # first document, or the tab crashed
                self.page = await self.context.new_page()
                if cfg["browser"]["skip_media"]:
                    await skip_media(self.context, self.page)
            try:
                return await gather_page(self.page, url, timeout_s=float(cfg["timeout"]),
                                         settings=self.contexts.options, location=location,
                                         in_scope=self.contexts.auditor.scope.allows, probes=probes,
                                         options=options)
            except TargetError as exc:
                # a failed load can leave an error page navigating in the tab, and a crashed tab
                # is dead: start afresh; a crash is tried once more
                with contextlib.suppress(Exception):
                    await self.page.close()
                self.page = None
                if not (isinstance(exc, TabCrashed) and attempt == 1):
                    raise

    async def _render_alone(self, url: str, location: str, probes: str | None, options: PageOptions):
        """A page with [[pages]] cookies, in a browser context of its own (closed after it): its cookies
        reach no other page of the run, as if another user had opened it."""
        auditor = self.contexts.auditor
        cfg = auditor.config
        browser, ua = await auditor._browser()
        context = await new_context(browser, ua, self.contexts.options, parse_viewport(cfg["viewport"]))
        page = None
        try:
            parts = urlsplit(url)
            await context.add_cookies([{"name": n, "value": v, "url": f"{parts.scheme}://{parts.netloc}/"}
                                       for n, v in options.cookies.items()])
            page = await context.new_page()
            if cfg["browser"]["skip_media"]:
                await skip_media(context, page)
            gathered = await gather_page(page, url, timeout_s=float(cfg["timeout"]), settings=self.contexts.options,
                                         location=location, in_scope=auditor.scope.allows, probes=probes,
                                         options=options)
        except BaseException:
            with contextlib.suppress(Exception):
                await context.close()
            raise
        gathered.page, gathered.close = page, context.close    # open until its screenshots are taken
        return gathered

    async def close(self) -> None:
        """Leave the context (closing this tab's page; the context closes with its last tab)."""
        if self.page is not None:
            with contextlib.suppress(Exception):
                await self.page.close()
        if self.context is not None:
            await self.contexts.leave(self.context)
        self.context = self.page = None


def masked(artifacts: dict[str, Any], options: PageOptions) -> dict[str, Any]:
    """A page's artifacts without the [[pages]] secrets it showed (never stored)."""
    if options.secrets:
        return json.loads(mask(json.dumps(artifacts), list(options.secrets)))
    return artifacts


class Auditor:
    renders_here = True       # documents are rendered in this process (not by distributed workers)

    def __init__(self, config: dict[str, Any], store: Store, progress: Progress | None = None,
                 html_report: bool = False, letters: bool = False, playwright: asyncio.Task | None = None) -> None:
        """``html_report``: this audit writes an HTML report (screenshots = "auto" takes them then).
        ``letters``: every target is a letter (`klartjek letter`), HTML files too.
        ``playwright``: a task starting Playwright's driver, begun early by the caller (or None)."""
        self.config = config
        self.letters = letters
        self._playwright = playwright
        self.store = store
        mode = config.get("screenshots", "auto")
        self._screenshots = mode == "on" or (mode == "auto" and html_report)
        self.progress = progress or Progress()
        self.current_run: Run | None = None
        self._slots: dict[int, Document] = {}
        self._writer: asyncio.Task | None = None
        self._write_error: Exception | None = None

    async def run(self, targets: list[str], run: Run | None = None, resume: str | None = None) -> AuditOutcome:
        """Audit ``targets``; with ``resume``, continue the stored run of that id instead: its
        finished documents stay as they are and are not audited again."""
        cfg = self.config
        done: dict[str, int] = {}
        done_artifacts: dict[str, dict[str, Any]] = {}
        if resume:
            run = self.store.load_run(resume)
            state = self.store.resume_state(resume)
            run.documents = [d for d in run.documents if d.status != "error"]
            done, done_artifacts = state["seqs"], state["artifacts"]
            targets = run.targets
        run = run or Run(id=new_run_id(), started_at=now(), klartjek_version=__version__,
                         axe_version=axe_data()["axe_version"], config_hash=config_hash(cfg),
                         config=public_config(cfg), targets=list(targets), workdir=repository_workdir(),
                         project=cfg.get("project") or None)
        self.current_run = run
        reset_fetches()
        resolver = TargetResolver(deny=self._private_files(), site_root=cfg.get("site_root") or None)
        outcome = AuditOutcome(run=run)
        self.previous: dict[str, tuple[Document, dict[str, Any]]] = {}
        if cfg["incremental"] and not resume:
            prev_id = self.store.previous_run(run.targets, run.config_hash, run.id)
            if prev_id:
                prev_arts = self.store.artifacts_by_location(prev_id)
                self.previous = {d.location: (d, prev_arts[d.location]) for d in self.store.load_run(prev_id).documents
                                 if d.status == "ok" and d.location in prev_arts}
                outcome.reused_from = prev_id
        self._slots = {done[d.location]: d for d in run.documents if d.location in done}
        crawling = bool(cfg["crawl"]["enabled"])
        try:
            pages: list[PageTarget] = []
            for t in targets:
                pages += resolver.resolve(t, letters=self.letters)
            if not resume:
                self.store.begin_run(run)
            todo, starts = [], []
            self.progress.started(len(pages))
            for seq, target in enumerate(pages):
                if target.location in done and not (crawling and target.document_url):
                    continue                       # finished before the run was interrupted
                if target.error:
                    self._record(run, seq, build_document(target, None, cfg, target.error), None)
                    if not target.skipped:
                        outcome.input_errors.append(target.error)
                elif crawling and target.document_url and target.kind == "page":
                    starts.append(target.url)      # crawled from, through the frontier
                else:
                    todo.append((seq, target))
            self._browser_setup(run, todo, starts, resolver)
            if self.renders_here and not cfg["incremental"] and (starts or any(t.in_browser for _, t in todo)):
                # Chromium starts (in its own processes) while robots.txt and sitemaps are read
                self._lazy["prelaunch"] = asyncio.create_task(self._browser())
                self._lazy["prelaunch"].add_done_callback(lambda t: t.cancelled() or t.exception())
            frontier = await self._frontier(starts, run, done, done_artifacts) if starts else None
            work = _Work(todo, frontier, first_seq=max([len(pages) - 1, *done.values()]) + 1, done=set(done))
            if frontier is not None:              # resuming: the pages finished before are part of the site
                kinds = {d.location: d.kind for d in run.documents}
                for location, art in done_artifacts.items():
                    if kinds.get(location) == "page" and art.get("page"):
                        self._site_page(work, location, art["page"])
            self.progress.started(len(self._slots) + len(todo) + (len(frontier.queue) if frontier else 0))
            if todo or (frontier and frontier.queue):
                await self._audit_pages(run, work, resolver, outcome)
            if frontier is not None:
                await self._drain_writes()
                await self._site_checks(run, work)
                run.crawl = frontier.summary() | {"duplicates": work.duplicates,
                                                  "sitemap_errors": frontier.sitemap_errors,
                                                  "broken_links": sorted(work.broken.values(),
                                                                         key=lambda b: b["url"])[:200]}
                self.store.update_run(run.id, crawl=json.dumps(run.crawl))
            run.status = "complete" if all(d.status != "error" for d in self._slots.values()) else "partial"
        except (KeyboardInterrupt, asyncio.CancelledError):
            outcome.interrupted = True
            run.status = "partial"
            abort_fetches()           # requests under way end now, children are killed
            kill_children()
        finally:
            await self._close_browser()
            await self._drain_writes()
            resolver.close()
            run.documents = [self._slots[k] for k in sorted(self._slots)]   # in target order
            run.score = run_score(run.documents, cfg["weights"])
            run.plain_score = run_score(run.documents, cfg["weights"], is_plain)
            run.blocked_requests = sum(d.blocked_requests for d in run.documents)
            run.ended_at = now()
            if outcome.interrupted:
                run.status = "partial"
            self.store.finish_run(run)
        return outcome

    async def _frontier(self, starts: list[str], run: Run, done: dict[str, int] | None = None,
                        done_artifacts: dict[str, dict[str, Any]] | None = None):
        """The crawl frontier: scope from the start URLs, robots.txt, sitemaps, then the starts.
        Resuming, the finished pages count as seen and their links are followed again."""
        from audit.crawl import SITEMAP_MAX_FILES, Frontier, Scope, normalise, origin, read_robots, sitemap_urls

        c = self.config["crawl"]
        scope = Scope(origins={origin(u) for u in starts}, include=c["include"], exclude=c["exclude"],
                      max_pages=int(c["max_pages"]), max_depth=int(c["max_depth"]),
                      trap_limit=int(c["trap_limit"]), strip_params=tuple(c["strip_params"]))
        frontier = Frontier(scope=scope, respect_robots=not c["ignore_robots"])
        self.scope.crawl = scope
        sitemaps: list[str] = []
        guessed: set[str] = set()
        for o in sorted(scope.origins):
            rp, listed = await blocking(read_robots, o, self.hosts)
            frontier.robots[o] = rp
            if not listed:
                guessed.add(o + "/sitemap.xml")
            sitemaps += listed or [o + "/sitemap.xml"]
        for url in done or {}:
            frontier.add(url, 0, None)            # counts it, marks it seen …
            if frontier.queue and frontier.queue[-1][0] == normalise(url):
                frontier.queue.pop()              # … but it is finished: not queued again
        for url, art in (done_artifacts or {}).items():
            for link in (art.get("page") or {}).get("links") or []:
                frontier.add(link, 1, url)
        for u in starts:
            frontier.add(u, 0, None)
        found, errors = await blocking(sitemap_urls, sitemaps, SITEMAP_MAX_FILES, self.hosts, guessed)
        for u in found:
            frontier.add(u, 1, "sitemap")
        frontier.sitemap_errors = errors
        return frontier

    def _record(self, run: Run, seq: int, doc: Document, artifacts: dict[str, Any] | None) -> None:
        self._slots[seq] = doc
        self.store.add_document(run.id, seq, doc, artifacts)
        self.progress.finished(doc)

    async def _record_async(self, run: Run, seq: int, doc: Document, artifacts: dict[str, Any] | None,
                            worker: str | None = None) -> None:
        """_record without waiting: the document goes to the writer (one task, writing in a thread,
        in order), so the worker's tab takes its next page while the database commits. ``worker``:
        the worker of a distributed audit that did it."""
        self._slots[seq] = doc
        if self._writer is None:
            self._writes: asyncio.Queue = asyncio.Queue()
            self._writer = asyncio.create_task(self._write_loop(run))
        self._writes.put_nowait((seq, doc, artifacts, worker))

    async def _write_loop(self, run: Run) -> None:
        """Commit finished documents in order; ("alias", seq, doc): record the aliases of a document
        written before."""
        while True:
            item = await self._writes.get()
            try:
                if item is None:
                    return
                if self._write_error is not None:    # raised again when the run ends; later writes skipped
                    continue
                try:
                    if item[0] == "alias":
                        _, seq, doc = item
                        await asyncio.to_thread(self.store.set_aliases, run.id, seq, list(doc.aliases))
                    else:
                        seq, doc, artifacts, worker = item
                        await asyncio.to_thread(self.store.add_document, run.id, seq, doc, artifacts, worker)
                        self.progress.finished(doc)
                except Exception as exc:  # noqa: BLE001
                    self._write_error = _store_error(exc, self.config["db"])
            finally:
                self._writes.task_done()

    async def _drain_writes(self) -> None:
        """Wait until every finished document is committed (also when the run was interrupted)."""
        if self._writer is None:
            return
        self._writes.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._writer)
        self._writer = None
        if self._write_error is not None:
            raise self._write_error

    def _browser_setup(self, run: Run, todo: list[tuple[int, PageTarget]], starts: list[str],
                       resolver: TargetResolver) -> None:
        """Where the audit may go. ``self.scope``: where an audited document may be (the targets'
        origins and klartjek's own file servers; the crawl's scope is added when the frontier is
        made). ``self.hosts``: with block_external, the hosts the browser and klartjek's own fetches
        may reach (the audited origins, the crawl's, allow_hosts and the file servers), else open."""
        from audit.crawl import AuditScope, origin

        cfg = self.config
        urls = [u for _, t in todo for u in (t.url, t.document_url) if u] + list(starts)
        self.scope = AuditScope(origins={origin(u) for u in urls})
        self.hosts = HostScope(None)
        self._warm: asyncio.Future | None = None     # the language detector made ready (see _browser)
        self._lazy = {"pw": None, "browser": None, "user_agent": None,
                      "lock": asyncio.Lock(), "run": run, "prelaunch": None, "parts": None}
        if self.renders_here and (starts or any(t.kind == "letter" and not t.in_browser for _, t in todo)):
            # MeMo letters' HTML parts are rendered from here (a crawl may find letters; distributed,
            # each worker has a server of its own)
            import tempfile
            from pathlib import Path

            from audit.targets import StaticServer

            self._lazy["parts"] = StaticServer(Path(tempfile.mkdtemp(prefix="klartjek-parts-")))
            urls.append(self._lazy["parts"].base_url)
            self.scope.origins.add(origin(self._lazy["parts"].base_url))
        if cfg["block_external"]:
            entries = {e for e in map(origin_entry, urls) if e is not None}
            entries |= {parse_entry(h) for h in cfg["allow_hosts"]}
            self.hosts = HostScope(entries)
        self._host_sems: dict[str, asyncio.Semaphore] = {}

    def _private_files(self) -> list[str]:
        """Files klartjek's file servers never serve: the history database and the configuration."""
        from sqlalchemy.engine import make_url

        from audit.store import db_url

        out = [self.config["_source"]] if self.config.get("_source") else []
        try:
            url = make_url(db_url(str(self.config["db"])))
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                out.append(url.database)
        except Exception:  # noqa: BLE001 - a bad --db has been refused before this
            pass
        return out

    async def _close_browser(self) -> None:
        if self._playwright is not None:           # started early, never used: stop it
            task, self._playwright = self._playwright, None
            with contextlib.suppress(BaseException):
                await (await task).stop()
        lz = getattr(self, "_lazy", None)
        if not lz:
            return
        task = lz.get("prelaunch")
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):
            if lz["browser"] is not None:
                await lz["browser"].close()
        with contextlib.suppress(Exception):
            if lz["pw"] is not None:
                await lz["pw"].stop()
        if lz.get("parts") is not None:
            import shutil

            lz["parts"].close()
            shutil.rmtree(lz["parts"].root, ignore_errors=True)
        lz["browser"] = lz["pw"] = lz["parts"] = None

    async def _audit_pages(self, run: Run, work: _Work, resolver: TargetResolver,
                           outcome: AuditOutcome) -> None:
        cfg = self.config
        contexts = _Contexts(self, page_settings(axe_options(cfg), cfg["klarsprog"]["enabled"]))
        workers = [asyncio.create_task(self._worker(run, work, contexts, outcome))
                   for _ in range(worker_count(cfg))]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            await contexts.close()

    async def _browser(self):
        """The browser, launched on first need (an incremental run of an unchanged site never
        starts one), and the User-Agent its pages send: the browser's own, naming klartjek."""
        lz = self._lazy
        async with lz["lock"]:
            if lz["browser"] is None:
                cfg = self.config
                if lz["pw"] is None:
                    lz["pw"] = await (self._playwright or async_playwright().start())
                    self._playwright = None
                choice = find_chromium(cfg["browser"]["executable"], lz["pw"].chromium.executable_path)
                if cfg["profile"]:
                    # the language checks' detector reads its models on first use (0.2 s): now,
                    # while Chromium starts, not while the first pages are checked
                    self._warm = asyncio.ensure_future(blocking(warm_up))
                browser = await launch(lz["pw"], choice, self.hosts, cfg["browser"]["args"])
                self._browser_launched(f"Chromium {browser.version}")
                ua = await browser_user_agent(browser)
                lz["user_agent"] = f"{ua} klartjek/{__version__}"
                lz["browser"] = browser
        return lz["browser"], lz["user_agent"]

    def _browser_launched(self, version: str) -> None:
        run = self._lazy["run"]
        run.browser_version = version
        self.store.update_run(run.id, browser_version=version)

    async def _worker(self, run: Run, work: _Work, contexts: _Contexts, outcome: AuditOutcome) -> None:
        """Take the next target until there is none: reuse it unchanged, read a letter, or render a page."""
        tab = _Tab(contexts)
        while True:
            item = work.take()
            if item is None:
                if work.busy == 0:
                    break
                await asyncio.sleep(0.05)        # another worker may still find links
                continue
            seq, target, depth = item
            work.busy += 1
            try:
                started = now()
                if await self._reuse(run, work, seq, target, depth, outcome, started):
                    continue
                if target.in_browser:
                    doc, artifacts = await self._page(run, work, seq, target, depth, tab, outcome)
                else:                                # a PDF, DOCX or MeMo letter: read, not rendered
                    doc, artifacts = await self._letter(target, tab, work)
                    if doc is not None and doc.status == "error":
                        outcome.input_errors.append(doc.error)
                if doc is None:                      # a duplicate, an alias or a broken link: no document
                    continue
                doc.started_at, doc.ended_at = started, now()
                await self._record_async(run, seq, doc, artifacts)
            finally:
                work.busy -= 1
        await tab.close()

    async def _reuse(self, run: Run, work: _Work, seq: int, target: PageTarget, depth: int,
                     outcome: AuditOutcome, started: str) -> bool:
        """--incremental: a document unchanged since the previous run is reused as it was."""
        prev = self.previous.pop(target.location, None)
        if prev is None or not await blocking(unchanged, target.document_url, target.document_path, prev[1], 15.0,
                                              self.hosts, self.scope.allows):
            return False
        doc = prev[0]     # loaded for this run alone
        doc.reused_from, doc.started_at, doc.ended_at = outcome.reused_from, started, now()
        outcome.reused += 1
        page = prev[1].get("page") or {}
        if work.frontier is not None:
            self._follow(work, doc, target, page.get("links") or [], depth, page)
        await self._record_async(run, seq, doc, prev[1])
        return True

    async def _page(self, run: Run, work: _Work, seq: int, target: PageTarget, depth: int, tab: _Tab,
                    outcome: AuditOutcome) -> tuple[Document | None, dict[str, Any] | None]:
        """Render and check a page (or an HTML letter); None for a page that is no document of its
        own (a duplicate, an alias, a broken link a crawl found)."""
        cfg = self.config
        try:
            options = options_for(cfg["pages"], target.location, target.site_path) \
                if target.kind == "page" else NO_OPTIONS
        except UsageError as exc:                # a [[pages]] secret whose variable is not set
            outcome.input_errors.append(f"{target.location}: {exc}")
            return build_document(target, None, cfg, f"{target.location}: {exc}"), None
        async with self._host_slot(urlsplit(target.url).netloc):
            try:
                gathered, error = await tab.render(target.url, target.location,
                                                   cfg["profile"] if target.kind == "page" else None, options), None
            except TargetError as exc:
                error = exc
            if cfg["crawl"]["delay"]:
                await asyncio.sleep(float(cfg["crawl"]["delay"]))   # politeness before this worker's next page
        if error is None and gathered.close is not None:       # a page in a context of its own
            try:
                return await self._checked(run, work, seq, target, depth, gathered, gathered.page, options)
            finally:
                with contextlib.suppress(Exception):
                    await gathered.close()
        if error is not None:
            if isinstance(error, NotFound) and work.frontier is not None and target.via:
                self._broken(work, target, error.status)
                return None, None
            outcome.input_errors.append(str(error))
            return build_document(target, None, cfg, str(error)), None
        return await self._checked(run, work, seq, target, depth, gathered, tab.page, options)

    async def _checked(self, run: Run, work: _Work, seq: int, target: PageTarget, depth: int, gathered,
                       tab_page, options: PageOptions) -> tuple[Document | None, dict[str, Any] | None]:
        """A gathered page checked, its failing elements photographed in ``tab_page`` (where it still is)."""
        artifacts = masked(gathered.artifacts, options)
        if work.frontier is not None and target.kind == "page" and self._duplicate(work, target, artifacts):
            return None, None
        if target.kind == "page" and self._alias(work, seq, target, artifacts):
            return None, None
        doc = await self._built(target, gathered, artifacts, tab_page, self.store.files_dir / run.id)
        if work.frontier is not None and target.kind == "page":
            self._follow(work, doc, target, artifacts["page"].get("links") or [], depth, artifacts["page"])
        return doc, artifacts

    async def _built(self, target: PageTarget, gathered, artifacts: dict[str, Any], tab_page, shots_dir: Path
                     ) -> Document:
        """The document of a gathered page: checked, its failing elements photographed into ``shots_dir``
        in ``tab_page`` (where the page still is)."""
        cfg = self.config
        if target.kind == "letter":
            page = artifacts["page"]
            artifacts["letter"] = {"format": "html", "name": target.location, "parts": [], "title": page["title"],
                                   "lang": page["lang"], "content_hash": page["content_hash"]}
        doc = await blocking(build_document, target, artifacts, cfg)
        doc.blocked_requests = gathered.blocked_requests
        if target.document_url and not _same_url(artifacts["page"]["final_url"], target.document_url):
            doc.final_url = artifacts["page"]["final_url"]
        if self._screenshots and tab_page is not None:
            shots = [(f.fingerprint, f.target, getattr(REGISTRY.get(r.code), "screenshot", None))
                     for r in doc.results if r.target_kind == TargetKind.CSS for f in r.failures]
            if shots:
                await take_screenshots(tab_page, shots, shots_dir, int(cfg["screenshots_per_page"]))
        return doc

    def _follow(self, work: _Work, doc: Document, target: PageTarget, links: list[str], depth: int,
                page: dict[str, Any] | None = None) -> None:
        """A crawled page's links: queued when in scope, and kept for the checks of the whole site."""
        before = len(work.frontier.queue)
        for link in links:
            work.frontier.add(link, depth + 1, target.url)
        if len(work.frontier.queue) > before:
            self.progress.started(len(work.frontier.queue) + len(self._slots) + work.busy
                                  + len(work.frontier.letters.keys() - work.letters_taken))
        self._site_page(work, doc.location, {**(page or {}), "links": links})

    def _site_page(self, work: _Work, location: str, page: dict[str, Any]) -> None:
        """What the checks of the whole site (checks/site_checks.py) read of a crawled page, from its
        ``page`` artifact — a page rendered now, reused unchanged (--incremental) or finished before an
        interrupted run (--resume): its links, title, language, search, navigation blocks and named
        links, URLs normalised as the crawl's, within bounds (SITE_NAV, SITE_NAV_LINKS, SITE_NAMES,
        SITE_TEXT). A page stored by a klartjek that gathered no navigation has ``nav``,
        ``link_names`` and ``search`` None: unknown, not absent."""
        from audit.crawl import normalise

        strip = work.frontier.scope.strip_params
        share = work.share

        def url(href: Any) -> str | None:
            try:
                return share(normalise(str(href), strip))
            except ValueError:
                return None

        def text(value: Any) -> str | None:
            return share(" ".join(str(value).split())[:SITE_TEXT]) if value else None

        def pairs(links: Any, limit: int) -> list:
            out = []
            for link in (links or [])[:limit]:
                href = url(link[0]) if link else None
                if href is not None:
                    out.append(share((href, text(link[1]) or "", *(share(str(x)) for x in link[2:3]))))
            return out

        entry: dict[str, Any] = {
            "location": location,
            "links": [u for u in map(url, page.get("links") or []) if u is not None],
            "title": text(page.get("title")), "lang": text(page.get("lang"))}
        if "nav" in page:
            entry["nav"] = [{"label": text(n.get("label")), "region": text(n.get("region")),
                             "lang": text(n.get("lang")), "sel": text(n.get("sel")),
                             "links": pairs(n.get("links"), SITE_NAV_LINKS)} for n in page["nav"][:SITE_NAV]]
            names = page.get("link_names") or []
            if len(names) > SITE_NAMES:      # the first and the last (a footer is last)
                names = names[:SITE_NAMES - SITE_NAMES // 4] + names[-(SITE_NAMES // 4):]
            entry["link_names"] = list(dict.fromkeys(pairs(names, SITE_NAMES)))
            entry["search"] = bool(page.get("search"))
        else:
            entry["nav"] = entry["link_names"] = entry["search"] = None
        work.site_pages.append(entry)

    def _broken(self, work: _Work, target: PageTarget, status: int) -> None:
        """A URL a crawl found that answered 404 or 410: no document, but a finding on each page that
        links it (KS001, after the crawl); the run stays complete."""
        from audit.crawl import normalise

        work.broken[normalise(target.document_url, work.frontier.scope.strip_params)] = {
            "url": target.document_url, "status": status, "found_on": target.via}

    async def _letter(self, target: PageTarget, tab: _Tab, work: _Work | None = None
                      ) -> tuple[Document | None, dict[str, Any] | None]:
        """Read and check a PDF, DOCX or MeMo letter (a local file, or a URL downloaded in scope), in a
        child process (audit/isolate.py) that an interrupt or a memory limit stops."""
        from audit.checking import LetterJob, check_letter, letter_job
        from audit.isolate import ChildFailed, run_isolated

        cfg = self.config
        loc = target.location
        if loc.lower().split("?")[0].endswith(".doc"):
            return Document(kind="letter", url=target.document_url, path=target.document_path, status="skipped",
                            error="not checked: the old Word format (.doc); save the letter as .docx or PDF"
                            + (f" (linked from {target.via})" if target.via else "")), None
        job = LetterJob(target, cfg, self.hosts, self.scope)
        try:
            if target.document_url:
                async with self._host_slot(urlsplit(target.document_url).netloc):
                    doc, artifacts, parts = await run_isolated(letter_job, job)
            else:
                doc, artifacts, parts = await run_isolated(letter_job, job)
            if parts:
                await self._render_parts(artifacts, parts, tab, loc)
                doc = await run_isolated(check_letter, target, artifacts, cfg)
        except TargetError as exc:
            if isinstance(exc, NotFound) and work is not None and work.frontier is not None and target.via:
                self._broken(work, target, exc.status)      # a broken link, found by the crawl
                return None, None
            return build_document(target, None, cfg, str(exc)), None
        except ChildFailed as exc:   # a reader's own failure, or a letter that needs too much memory
            return build_document(target, None, cfg, f"{loc}: could not read the letter ({exc.reason}); "
                                  "check the file, and report it if it opens elsewhere"), None
        return doc, artifacts

    async def _render_parts(self, artifacts: dict[str, Any], parts: list[tuple[str, bytes]], tab: _Tab,
                            location: str) -> None:
        """The HTML files inside a Digital Post letter, checked in the browser like pages: each is
        written to the run's folder for them, served on 127.0.0.1; their axe results join the letter's."""
        import secrets
        import shutil
        from pathlib import Path

        from audit.letters import merge_axe

        server = self._parts_server()
        folder = Path(server.root) / secrets.token_hex(8)
        folder.mkdir()
        results = []
        try:
            for i, (part, data) in enumerate(parts, 1):
                file = folder / f"part{i}.html"    # not the part's own name: it is untrusted
                file.write_bytes(data)
                try:
                    gathered = await tab.render(server.url_for(file), f"{location} >>> {part}")
                except TargetError as exc:
                    for meta in (artifacts.get("memo") or {}).get("files") or []:
                        if meta.get("part") == part:
                            meta["error"] = str(exc)
                    continue
                results.append((part, gathered.artifacts["axe"]))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if results:
            artifacts["axe"] = merge_axe(results)

    def _parts_server(self):
        """The file server for HTML parts of letters, one a run, made before the browser starts so
        that the browser's allow list has it (see _browser_setup)."""
        return self._lazy["parts"]

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        """At most crawl.per_host pages of one host load at the same time."""
        sem = self._host_sems.get(host)
        if sem is None:
            sem = self._host_sems[host] = asyncio.Semaphore(max(1, int(self.config["crawl"]["per_host"])))
        return sem

    async def _site_checks(self, run: Run, work: _Work) -> None:
        """The checks of the whole crawl (checks whose applies_to is "site"), on what the crawl saw:
        their results join the pages they concern, which are stored again with their new scores."""
        from checks import evaluate_site

        checks = REGISTRY.select(self.config, "site")
        site_codes = {m.code for m in REGISTRY if "site" in m.applies_to}
        aliases = {doc.location: list(doc.aliases) for doc in self._slots.values() if doc.aliases}
        pages = [{**p, "aliases": aliases[p["location"]]} if p["location"] in aliases else p for p in work.site_pages]
        site = {"site": {"pages": pages, "broken": work.broken}}
        by_location = evaluate_site(checks, site, self.config) if checks else {}
        for seq, doc in self._slots.items():
            results = by_location.get(doc.location, [])
            # a document reused (--incremental) or finished before (--resume) brings the site checks'
            # results of its first run: this run's replace them
            stale = any(r.code in site_codes for r in doc.results)
            if not results and not stale:
                continue
            for res in results:
                for f in res.findings:
                    f.fingerprint = fingerprint(res.code, doc.key_location, f.target)
            doc.results = [r for r in doc.results if r.code not in site_codes] + results
            doc.score = document_score(doc.results, self.config["weights"])
            doc.plain_score = document_score(doc.results, self.config["weights"], is_plain) \
                if doc.plain_score is not None else None
            await asyncio.to_thread(self.store.add_results, run.id, seq, doc, results,
                                    site_codes if stale else ())

    def _alias(self, work: _Work, seq: int, target: PageTarget, artifacts: dict[str, Any]) -> bool:
        """A page whose response is byte for byte one audited already on the same site (``/`` and
        ``/index.html``): recorded as an alias of that document, not audited twice."""
        from audit.crawl import origin

        page = artifacts["page"]
        key = (origin(page["final_url"]) if page["final_url"].startswith("http") else "", page["content_hash"])
        first = work.responses.setdefault(key, seq)
        doc = self._slots.get(first)
        if first == seq or doc is None:      # the first, or the first is still being checked
            return False
        doc.aliases.append(target.location)
        work.duplicates += 1
        if work.frontier is not None:
            work.frontier.skipped["duplicate (identical response)"] += 1
        self._writes.put_nowait(("alias", first, doc))    # after the document's own write
        return True

    def _duplicate(self, work: _Work, target: PageTarget, artifacts: dict[str, Any]) -> bool:
        """A crawled page whose final URL (after redirects) or canonical URL was audited already."""
        from audit.crawl import normalise

        page = artifacts["page"]
        final = normalise(page["final_url"])
        canonical = normalise(page["canonical"]) if page.get("canonical") else None
        keys = {normalise(target.url), final} | ({canonical} if canonical else set())
        if (final != normalise(target.url) and final in work.audited) or (canonical and canonical in work.audited):
            work.duplicates += 1
            work.frontier.skipped["duplicate (redirect or canonical)"] += 1
            return True
        work.audited |= keys
        work.frontier.seen |= keys
        return False
