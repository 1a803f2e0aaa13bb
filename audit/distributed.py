"""Distributed audits (docs/scale.md): one Celery task per document, Redis as the broker.

`klartjek audit --distributed` runs everything an audit runs in one process (targets, robots.txt,
sitemaps, the crawl frontier with its scope, trap guard and limits, duplicates and aliases, the checks
of the whole site, the store) except the documents themselves: each page or letter is a task on the
queue, which any `klartjek worker` takes, renders in its own Chromium, checks and sends back. The
frontier stays the run's own, so a URL is queued once however many workers find it, and politeness
holds across all workers: at most crawl.per_host documents of one host are queued or under way at a
time, and a worker waits crawl.delay after loading one before it ends the task. Each document is
committed once, by the run, in the store of the run (PostgreSQL for a shared history).

Celery does the delivery, as designed: a task is acknowledged after its work (acks_late), a worker
lost mid-task gives it back (reject_on_worker_lost) and a task a worker took and never finished
goes to another after the visibility timeout; publishing and results retry with back-off while the
broker is away. A result seen twice (a task done again after a redelivery) is taken once.

Workers need no database: they get what a document needs (the run's settings, its scope, the hosts
the browser may reach) in the task, and send the document, its artifacts and its screenshots back
through Celery's result backend (the same Redis), which the run deletes once stored.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections import Counter, OrderedDict, deque
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audit.checking import build_document
from audit.runner import AuditOutcome, Auditor, _Contexts, _Tab, _Work, axe_options, now, worker_count
from audit.targets import PageTarget
from core.errors import UsageError
from core.model import Document, Run, document_from_dict, document_to_dict

TASK = "klartjek.audit_document"
QUEUE = "klartjek"
IN_FLIGHT = 64                 # documents a run has queued or under way at once, unless [distributed] in_flight
POLL_S = 0.05                  # seconds between a run's looks at its results (one MGET)
TICK_S = 0.05                  # seconds between wake-ups of a worker's event loop (see _tick_step)
SESSIONS = 2                   # runs a worker keeps a browser for at once (the newest)
log = logging.getLogger("klartjek.distributed")
RUN_KEY = "klartjek:run:"      # + run id: there while the run waits for its documents (a worker drops the
RUN_MARK_S = 60                #   documents of a run that ended or died); renewed each RUN_MARK_S / 4 seconds
HOST_KEY = "klartjek:host:"    # + host: a sorted set of the documents of that host queued or under way (all runs)
# Take a place for a document of a host when fewer than the run's limit are taken (places whose lease ran
# out, of a run that ended without giving them back, are freed first); atomic in Redis.
TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


def shown_broker(url: str) -> str:
    """The broker URL as it may be shown: never its password."""
    try:
        p = urlsplit(url)
        if p.password:
            netloc = p.netloc.replace(f":{p.password}@", ":***@")
            return p._replace(netloc=netloc).geturl()
    except ValueError:
        pass
    return url


def broker_url(cfg: dict[str, Any], given: str | None = None) -> str:
    """The broker: --broker, else [distributed] broker (KLARTJEK_DISTRIBUTED__BROKER); a UsageError
    when there is none or it is no Redis URL."""
    url = (given or cfg["distributed"]["broker"] or "").strip()
    if not url:
        raise UsageError("a distributed audit needs a broker: give --broker redis://HOST:6379/0, or set "
                         "[distributed] broker (KLARTJEK_DISTRIBUTED__BROKER); docs/scale.md")
    if urlsplit(url).scheme not in ("redis", "rediss"):
        raise UsageError(f"--broker {shown_broker(url)!r}: give a Redis URL (redis://HOST:PORT/DB or rediss://…)")
    return url


def make_app(broker: str, visibility_timeout: float):
    """The Celery app of klartjek's workers and runs, on ``broker`` (results in the same Redis)."""
    from celery import Celery

    vt = float(visibility_timeout)
    transport = {"visibility_timeout": vt,
                 # a short visibility timeout (tests, short pages) is only of use with a sweep as short
                 "unacked_restore_interval": max(1, min(10, int(vt // 10))),
                 "unacked_restore_throttle": 1 if vt < 600 else 10,
                 "socket_connect_timeout": 5, "socket_timeout": 30, "retry_on_timeout": True,
                 "health_check_interval": 10}
    app = Celery("klartjek", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=QUEUE, result_expires=86400, task_track_started=False,
        broker_transport_options=transport, result_backend_transport_options=transport,
        broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        result_backend_always_retry=True, result_backend_max_retries=60,
        result_backend_base_sleep_between_retries_ms=200, result_backend_max_sleep_between_retries_ms=5000,
        redis_socket_connect_timeout=5, redis_socket_timeout=30, redis_retry_on_timeout=True,
        redis_backend_health_check_interval=10,
        worker_hijack_root_logger=False, worker_redirect_stdouts=False, worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    app.task(name=TASK, bind=True, acks_late=True, autoretry_for=(_WorkerTrouble,), retry_backoff=True,
             retry_backoff_max=60, max_retries=3)(_audit_document)
    return app


def check_broker(app, broker: str, timeout: float = 5.0) -> None:
    """A UsageError naming the broker when it does not answer."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            conn.default_channel.client.ping()
    except Exception as exc:  # noqa: BLE001 - kombu, redis and socket errors alike
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"--broker {shown_broker(broker)}: the broker does not answer ({why}); start Redis "
                         "or check the address (docs/scale.md)") from None


# -- the worker ---------------------------------------------------------------------------------


class _WorkerTrouble(Exception):
    """A worker's own trouble (its browser would not start): the task is tried again, later."""


class _Loop:
    """The worker's event loop, in a thread of its own: Celery's threads call into it, so one Chromium
    serves every task of the process, each in a tab of its own."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="klartjek-loop", daemon=True)
        self.thread.start()
        self.sessions: OrderedDict[str, WorkerAuditor] = OrderedDict()

    def call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def session(self, spec: dict[str, Any]) -> WorkerAuditor:
        """The run's session (a browser launched for its scope), the newest SESSIONS kept."""
        run_id = spec["run"]
        if run_id in self.sessions:
            self.sessions.move_to_end(run_id)
            return self.sessions[run_id]
        session = self.sessions[run_id] = WorkerAuditor(spec)
        while len(self.sessions) > SESSIONS:
            old_id, old = next(iter(self.sessions.items()))
            if old.busy:
                break
            del self.sessions[old_id]
            await old.close()
        return session

    async def close(self) -> None:
        for session in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await session.close()
        self.sessions.clear()


_LOOP: _Loop | None = None
_LOOP_LOCK = threading.Lock()
_NAME = {"worker": socket.gethostname()}    # this worker's name (worker_main sets it)


def _loop() -> _Loop:
    global _LOOP
    with _LOOP_LOCK:
        if _LOOP is None:
            _LOOP = _Loop()
        return _LOOP


def _audit_document(task, spec: dict[str, Any], seq: int, target: dict[str, Any], depth: int) -> dict[str, Any]:
    """The task: one document of a run audited in this worker's browser (see WorkerAuditor.audit)."""
    if not _run_alive(task.app.conf.broker_url, spec["run"]):
        # the run ended (stopped, interrupted, its machine lost) after queueing this: nothing to do
        log.info("run %s document %s: the run has ended; dropped", spec["run"], seq)
        return {"gone": True}
    loop = _loop()
    started = time.monotonic()
    log.info("run %s document %s %s: started", spec["run"], seq, target.get("document_url") or "?")

    async def work():
        session = await loop.session(spec)
        return await session.audit(seq, PageTarget(**target), depth, _NAME["worker"])

    out = loop.call(work())
    state = "a broken link" if out["broken"] is not None else (out["doc"] or {}).get("status", "no document")
    # the document's own texts stay out of the log (untrusted, and the pages' business)
    log.info("run %s document %s %s: %s in %.1f s", spec["run"], seq, target.get("document_url") or "?",
             state, time.monotonic() - started)
    return out


_CLIENTS: dict[str, Any] = {}


def _run_alive(broker: str, run_id: str) -> bool:
    import redis

    client = _CLIENTS.get(broker)
    if client is None:
        client = _CLIENTS[broker] = redis.Redis.from_url(broker, socket_connect_timeout=5, socket_timeout=30,
                                                         retry_on_timeout=True)
    try:
        return bool(client.exists(RUN_KEY + run_id))
    except redis.RedisError:
        return True          # unsure: audit it (the run takes a result once)


class WorkerAuditor(Auditor):
    """A run's documents as a worker audits them: the run's settings and scope from the task, the
    browser and its tabs the worker's own (recycled as in one process), no store."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from audit.crawl import AuditScope, Scope
        from audit.gather import page_settings
        from audit.targets import StaticServer
        from core.netscope import HostScope, origin_entry, parse_entry

        super().__init__(spec["config"], store=None)
        self._screenshots = bool(spec["screenshots"])
        self.crawling = spec["crawl"] is not None
        crawl = Scope(**{**spec["crawl"], "origins": set(spec["crawl"]["origins"]),
                         "strip_params": tuple(spec["crawl"]["strip_params"])}) if self.crawling else None
        self.scope = AuditScope(origins=set(spec["origins"]), crawl=crawl)
        self._lazy = {"pw": None, "browser": None, "user_agent": None, "lock": asyncio.Lock(), "run": None,
                      "prelaunch": None, "parts": None, "version": None}
        self._warm = None
        self._host_sems = {}
        # the HTML parts of Digital Post letters are rendered from this worker's own file server
        self._lazy["parts"] = StaticServer(Path(tempfile.mkdtemp(prefix="klartjek-parts-")))
        parts_origin = self._lazy["parts"].base_url.rstrip("/")
        self.scope.origins.add(parts_origin)
        hosts = spec["hosts"]
        self.hosts = HostScope(None if hosts is None else
                               {parse_entry(h) for h in hosts} | {origin_entry(parts_origin)})
        self.contexts = _Contexts(self, page_settings(axe_options(self.config),
                                                      self.config["klarsprog"]["enabled"]))
        self.tabs: list[_Tab] = []
        self.busy = 0

    def _browser_launched(self, version: str) -> None:
        self._lazy["version"] = version

    def _host_slot(self, host: str):
        # the run queues at most crawl.per_host documents of a host at a time, across all workers
        return contextlib.nullcontext()

    def _broken(self, work: _Work, target: PageTarget, status: int) -> None:
        work.broken_status = status          # the run records it (KS001); no document

    async def _checked(self, run, work, seq, target, depth, gathered, tab_page, options):
        """Checked and photographed; duplicates, aliases and links are the run's to judge."""
        from audit.runner import masked

        artifacts = masked(gathered.artifacts, options)
        folder = Path(tempfile.mkdtemp(prefix="klartjek-shots-"))
        try:
            doc = await self._built(target, gathered, artifacts, tab_page, folder)
            work.shots = {f.name: base64.b64encode(f.read_bytes()).decode()
                          for f in sorted(folder.glob("*.jpg"))}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return doc, artifacts

    async def audit(self, seq: int, target: PageTarget, depth: int, worker: str) -> dict[str, Any]:
        """One document: what the run needs to judge and store it."""
        self.busy += 1
        tab = self.tabs.pop() if self.tabs else _Tab(self.contexts)
        work = _Work([], frontier=True if self.crawling else None)
        work.broken_status, work.shots = None, {}
        outcome = AuditOutcome(run=None)
        started = now()
        try:
            if target.in_browser:
                doc, artifacts = await self._page(None, work, seq, target, depth, tab, outcome)
            else:
                doc, artifacts = await self._letter(target, tab, work)
                if doc is not None and doc.status == "error":
                    outcome.input_errors.append(doc.error)
        except Exception as exc:
            await tab.close()
            if self._lazy["browser"] is None:          # the browser would not start here
                raise _WorkerTrouble(f"{type(exc).__name__}: {exc}") from None
            raise
        finally:
            self.busy -= 1
        self.tabs.append(tab)
        out: dict[str, Any] = {"worker": worker, "browser": self._lazy["version"], "broken": work.broken_status,
                               "input_errors": outcome.input_errors, "doc": None, "artifacts": None, "shots": {}}
        if doc is not None:
            doc.started_at, doc.ended_at = started, now()
            out.update(doc=document_to_dict(doc), artifacts=artifacts, shots=work.shots)
        return out

    async def close(self) -> None:
        for tab in self.tabs:
            await tab.close()
        self.tabs = []
        await self.contexts.close()
        await self._close_browser()


def _tick_step(restore_every: float):
    """A bootstep that wakes the worker's event loop every TICK_S. A task ends (and is acknowledged) in a
    thread of the pool, which does not wake the loop; only a woken loop sees the free slot and takes the
    next message, so without it a worker waits for the loop's next timer (2 s) between documents."""
    from celery import bootsteps

    class Tick(bootsteps.StartStopStep):
        requires = {"celery.worker.components:Hub"}

        def start(self, worker):
            if worker.hub is not None:
                worker.hub.call_repeatedly(TICK_S, lambda: None)
                worker.hub.call_repeatedly(restore_every, restore, worker)

    def restore(worker) -> None:
        """Give back to the queue the documents a lost worker held past the visibility timeout. The Redis
        transport of kombu 5.6 looks only every 100 s (every 10th of its 10-second sweeps); 5.7 has a
        setting for this (unacked_restore_interval, set in make_app) but its worker dies on a lost
        broker (docs/scale.md)."""
        with contextlib.suppress(Exception):     # the broker away: the next sweep
            worker.consumer.connection.default_channel.qos.restore_visible(num=100, interval=1)

    return Tick


def worker_main(broker: str, concurrency: int, name: str | None, visibility_timeout: float,
                loglevel: str = "INFO") -> None:
    """`klartjek worker`: take documents off the queue until stopped (SIGTERM or Ctrl-C: the tasks under
    way finish first; a second Ctrl-C or SIGKILL gives them back to the queue)."""
    app = make_app(broker, visibility_timeout)
    check_broker(app, broker)
    hostname = name or f"klartjek-{os.getpid()}"
    if "@" not in hostname:
        hostname = f"{hostname}@{socket.gethostname()}"
    _NAME["worker"] = hostname
    logging.basicConfig(level=getattr(logging, loglevel.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Celery's own line for a finished task repeats its whole result: the page's texts and findings
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    app.steps["worker"].add(_tick_step(max(1.0, min(10.0, float(visibility_timeout) / 10))))
    worker = app.Worker(hostname=hostname, pool="threads", concurrency=concurrency, queues=[QUEUE],
                        loglevel=loglevel, without_gossip=True, without_mingle=True, optimization="fair")
    try:
        worker.start()
    finally:
        if _LOOP is not None:
            with contextlib.suppress(Exception):
                _LOOP.call(_LOOP.close())


# -- the run ------------------------------------------------------------------------------------


class DistributedAuditor(Auditor):
    """An audit whose documents workers do (`klartjek audit --distributed`); all else as in one process."""

    renders_here = False

    def __init__(self, *args, broker: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        dist = self.config["distributed"]
        self.broker = broker
        self.app = make_app(broker, float(dist["visibility_timeout"]))
        # a place of a host is held this long unless the run renews it with its mark (a run that died
        # never gives its places back: they are free again after this)
        self.lease = 2 * RUN_MARK_S
        self._redis = self._take = None

    def _host_place(self, host: str, tid: str, limit: int) -> bool:
        """A place for one more document of ``host`` among those queued or under way in every run on this
        broker (at most ``limit``, the run's crawl.per_host): politeness across runs, not only workers."""
        self._client()
        now_s = time.time()
        return bool(self._take(keys=[HOST_KEY + host], args=[now_s, limit, now_s + self.lease, tid, self.lease]))

    def _client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.broker, socket_connect_timeout=5, socket_timeout=30,
                                               retry_on_timeout=True)
            self._take = self._redis.register_script(TAKE)
        return self._redis

    def _mark(self, run_id: str, places: list[tuple[str, str]] | None = None) -> None:
        """The run's mark for the workers, set while it waits for its documents (None: removed, the run
        has ended), and the leases of its ``places`` (host, task id) renewed with it."""
        client = self._client()
        if places is None:
            client.delete(RUN_KEY + run_id)
            return
        pipe = client.pipeline(transaction=False)
        pipe.set(RUN_KEY + run_id, "1", ex=RUN_MARK_S)
        until = time.time() + self.lease
        for host, tid in places:
            pipe.zadd(HOST_KEY + host, {tid: until}, xx=True)
            pipe.expire(HOST_KEY + host, self.lease)
        pipe.execute()

    def _host_free(self, host: str, tid: str) -> None:
        if self._redis is not None:
            self._redis.zrem(HOST_KEY + host, tid)

    def _spec(self, run: Run) -> dict[str, Any]:
        cfg = {k: v for k, v in self.config.items()
               if not k.startswith("_") and k not in ("db", "distributed", "portfolio", "journeys", "targets")}
        crawl = self.scope.crawl
        return {"run": run.id, "config": cfg, "screenshots": self._screenshots,
                "origins": sorted(self.scope.origins),
                "crawl": None if crawl is None else {**asdict(crawl), "origins": sorted(crawl.origins),
                                                     "strip_params": list(crawl.strip_params)},
                "hosts": None if self.hosts.open else [str(e) for e in self.hosts.entries]}

    async def _audit_pages(self, run: Run, work: _Work, resolver, outcome: AuditOutcome) -> None:
        from kombu.exceptions import OperationalError
        from redis import RedisError

        BROKER_ERRORS = (OSError, RedisError, OperationalError)    # noqa: N806 - (not a bug of ours)
        cfg = self.config
        dist = cfg["distributed"]
        spec = self._spec(run)
        cap = int(dist["in_flight"]) or IN_FLIGHT
        per_host = max(1, int(cfg["crawl"]["per_host"]))
        stall = float(dist["stall_timeout"])
        inflight: dict[str, tuple[int, PageTarget, int, str]] = {}
        load: Counter = Counter()
        waiting: deque = deque()          # taken from the work, their host at its limit
        last = time.monotonic()
        broker_trouble = None
        marked = 0.0

        def host_of(target: PageTarget) -> str:
            return urlsplit(target.url or target.document_url or "").netloc

        full: set[str] = set()             # hosts at their limit in this round

        async def send(item) -> bool:
            """Queue the document when its host has a place (False: not now, or the broker is away)."""
            nonlocal broker_trouble
            seq, target, depth = item
            host = host_of(target)
            if host in full or len(inflight) >= cap or load[host] >= per_host:
                return False
            tid = f"{run.id}-{seq}-{uuid.uuid4().hex[:8]}"
            try:
                if not await asyncio.to_thread(self._host_place, host, tid, per_host):
                    full.add(host)              # other runs hold its places
                    return False
                await asyncio.to_thread(
                    self.app.send_task, TASK, args=[spec, seq, asdict(target), depth], task_id=tid, queue=QUEUE,
                    argsrepr=repr((run.id, seq, target.location)), kwargsrepr="{}", retry=True,
                    retry_policy={"max_retries": 20, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 3})
            except BROKER_ERRORS as exc:    # the broker away: the document waits for it
                if broker_trouble is None:
                    broker_trouble = exc
                    log.warning("the broker does not answer (%s); waiting for it", exc)
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self._host_free, host, tid)
                full.add(host)
                return False
            inflight[tid] = (seq, target, depth, host)
            load[host] += 1
            return True

        try:
            while True:
                if time.monotonic() - marked > RUN_MARK_S / 4:
                    try:
                        await asyncio.to_thread(self._mark, run.id, [(h, t) for t, (*_, h) in inflight.items()])
                        marked = time.monotonic()
                    except Exception:  # noqa: BLE001 - the broker away: tried again next round
                        pass
                full.clear()
                for _ in range(len(waiting)):
                    item = waiting.popleft()
                    if not await send(item):
                        waiting.append(item)
                while len(inflight) < cap and len(waiting) < 4 * cap:
                    item = work.take()
                    if item is None:
                        break
                    if await self._reuse(run, work, item[0], item[1], item[2], outcome, now()):
                        continue
                    if not await send(item):
                        waiting.append(item)
                work.busy = len(inflight)
                if not inflight and not waiting:
                    break
                try:
                    ready = await asyncio.to_thread(self._ready, list(inflight))
                    broker_trouble = None
                except BROKER_ERRORS as exc:    # the broker away for a while: wait for it
                    if broker_trouble is None:
                        broker_trouble = exc
                        log.warning("the broker does not answer (%s); waiting for it", exc)
                    ready = []
                for tid, state, value in ready:
                    seq, target, depth, host = inflight.pop(tid)
                    load[host] -= 1
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(self._host_free, host, tid)
                    if state == "SUCCESS" and isinstance(value, dict) and value.get("gone"):
                        marked = 0.0                  # the mark was lost (the broker's data): again
                        waiting.append((seq, target, depth))
                        continue
                    await self._settle(run, work, outcome, seq, target, depth, state, value)
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(self.app.AsyncResult(tid).forget)
                if ready:
                    last = time.monotonic()
                    continue
                if time.monotonic() - last > stall:
                    why = f" (the broker: {broker_trouble})" if broker_trouble is not None else ""
                    raise UsageError(f"no worker finished a document for {stall:.0f} s{why}; start workers "
                                     f"(`klartjek worker --broker {shown_broker(self.broker)}`) and continue "
                                     f"with `klartjek audit --resume {run.id} --distributed`")
                await asyncio.sleep(POLL_S)
        finally:
            with contextlib.suppress(Exception):
                self._mark(run.id, None)
            if inflight:                      # interrupted: the queued documents are not wanted any more
                with contextlib.suppress(Exception):
                    self.app.control.revoke(list(inflight))
                for tid, (_, _, _, host) in inflight.items():
                    with contextlib.suppress(Exception):
                        self._host_free(host, tid)

    def _ready(self, ids: list[str]) -> list[tuple[str, str, Any]]:
        """The tasks of ``ids`` that ended: (id, state, result or exception), asked in one round trip."""
        backend = self.app.backend
        out = []
        for tid, raw in zip(ids, backend.mget([backend.get_key_for_task(t) for t in ids]), strict=True):
            if raw is not None:
                meta = backend.decode_result(raw)
                if meta["status"] in ("SUCCESS", "FAILURE"):
                    out.append((tid, meta["status"], meta["result"]))
        return out

    async def _settle(self, run: Run, work: _Work, outcome: AuditOutcome, seq: int, target: PageTarget,
                      depth: int, state: str, value: Any) -> None:
        """A worker's result as _worker, _page and _checked settle a document in one process."""
        cfg = self.config
        if state != "SUCCESS" or not isinstance(value, dict):
            why = f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else str(value)
            error = (f"{target.location}: the worker could not audit it ({why.splitlines()[0][:300] if why else '?'}); "
                     f"continue with `klartjek audit --resume {run.id} --distributed`")
            outcome.input_errors.append(error)
            await self._record_async(run, seq, build_document(target, None, cfg, error), None)
            return
        if value.get("browser") and not run.browser_version:
            run.browser_version = value["browser"]
            await asyncio.to_thread(self.store.update_run, run.id, browser_version=run.browser_version)
        outcome.input_errors.extend(value.get("input_errors") or [])
        if value.get("broken") is not None:
            self._broken(work, target, int(value["broken"]))
            return
        if value.get("doc") is None:
            return
        doc: Document = document_from_dict(value["doc"])
        artifacts = value.get("artifacts")
        page = (artifacts or {}).get("page") if doc.status == "ok" else None
        if page and target.kind == "page":
            if work.frontier is not None and self._duplicate(work, target, artifacts):
                return
            if self._alias(work, seq, target, artifacts):
                return
        shots = value.get("shots") or {}
        if shots:
            folder = self.store.files_dir / run.id
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in shots.items():
                if name.endswith(".jpg") and "/" not in name and "\\" not in name and not name.startswith("."):
                    (folder / name).write_bytes(base64.b64decode(data))
        if page and work.frontier is not None and target.kind == "page":
            self._follow(work, doc, target, page.get("links") or [], depth, page)
        await self._record_async(run, seq, doc, artifacts, worker=value.get("worker"))


def default_concurrency(cfg: dict[str, Any]) -> int:
    """A worker's documents at the same time: [distributed] concurrency, else --workers' default."""
    n = int(cfg["distributed"]["concurrency"])
    return n if n > 0 else worker_count({"workers": 0})
