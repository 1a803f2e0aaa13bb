"""Running journeys (`klartjek journey`): each journey's steps in one tab, each audited state a document.

A state is checked like a page (every check of the profile: axe-core, keyboard, zoom, reflow …) and
with the checks of a journey (checks/journey_checks.py), stored, scored and reported as one document of
the run, named by the journey and the state. A step that cannot be done stops its journey with a message
naming the file, line and step: the states audited before it are kept, the states after it are recorded
as not reached, and the run is partial (exit 2). Secrets given by ``${env:…}`` are masked in everything
stored, and password fields (and fields filled from a secret) are painted over in screenshots.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from audit import __version__
from audit.checking import build_document
from audit.config import config_hash, parse_viewport, public_config
from audit.gather import gather_current, new_context, page_settings, skip_media, take_screenshots
from audit.journeyfile import Journey, mask
from audit.journeys import JourneyDriver, JourneyStop
from audit.runner import AuditOutcome, Auditor, axe_options, new_run_id, now, repository_workdir
from audit.targets import PageTarget, StaticServer, display_path
from checks import REGISTRY
from core.axe import axe_data
from core.errors import TargetError
from core.model import Document, Run, TargetKind
from core.netscope import HostScope, origin_entry, parse_entry
from core.scoring import is_plain, run_score


class JourneyAuditor(Auditor):
    """An Auditor whose targets are journeys (the browser, the store and the reports are the audit's)."""

    async def run_journeys(self, journeys: list[Journey]) -> AuditOutcome:
        from audit.crawl import AuditScope, origin

        cfg = self.config
        run = Run(id=new_run_id(), started_at=now(), klartjek_version=__version__,
                  axe_version=axe_data()["axe_version"], config_hash=config_hash(cfg), config=public_config(cfg),
                  targets=[j.source for j in journeys], workdir=repository_workdir(),
                  project=cfg.get("project") or None)
        self.current_run = run
        outcome = AuditOutcome(run=run)
        self._servers: dict[str, StaticServer] = {}
        bases: dict[int, str | None] = {}
        urls: list[str] = []
        deny = {Path(p).resolve() for p in self._private_files()}
        for j in journeys:
            if j.start and not j.start.startswith(("http://", "https://")):
                srv = self._servers.get(j.start) or self._servers.setdefault(j.start, StaticServer(Path(j.start), deny))
                bases[id(j)] = srv.base_url
            else:
                bases[id(j)] = j.start
            urls += [u for u in [bases[id(j)], *(s.value for s in j.steps if s.kind == "goto")]
                     if u and u.startswith(("http://", "https://"))]
        self.scope = AuditScope(origins={origin(u) for u in urls})
        self.hosts = HostScope(None)
        if cfg["block_external"]:
            entries = {e for e in map(origin_entry, urls) if e is not None}
            entries |= {parse_entry(h) for h in cfg["allow_hosts"]}
            self.hosts = HostScope(entries)
        self._warm = None
        self._lazy = {"pw": None, "browser": None, "user_agent": None, "lock": asyncio.Lock(), "run": run,
                      "prelaunch": None, "parts": None}
        self._host_sems = {}
        self.store.begin_run(run)
        self.progress.started(sum(len(j.states) for j in journeys))
        seq = 0
        try:
            for j in journeys:
                seq = await self._journey(run, j, bases[id(j)], seq, outcome)
            # (a journey that stopped after its last state leaves no error document, but it did not finish)
            run.status = "complete" if not outcome.input_errors and all(
                d.status != "error" for d in self._slots.values()) else "partial"
        except (KeyboardInterrupt, asyncio.CancelledError):
            outcome.interrupted = True
            run.status = "partial"
        finally:
            await self._close_browser()
            for srv in self._servers.values():
                srv.close()
            run.documents = [self._slots[k] for k in sorted(self._slots)]
            run.score = run_score(run.documents, cfg["weights"])
            run.plain_score = run_score(run.documents, cfg["weights"], is_plain)
            run.blocked_requests = sum(d.blocked_requests for d in run.documents)
            run.ended_at = now()
            if outcome.interrupted:
                run.status = "partial"
            self.store.finish_run(run)
        return outcome

    def _where(self, j: Journey, base: str | None, url: str) -> tuple[str | None, str | None]:
        """(url, path) of a state's page: a page of a served folder is its file's path, else its URL."""
        if base and j.start and not j.start.startswith(("http://", "https://")) and url.startswith(base):
            rel = unquote(urlsplit(url).path.lstrip("/")) or "index.html"
            return None, display_path(Path(j.start) / rel)
        return url, None

    async def _journey(self, run: Run, j: Journey, base: str | None, seq: int, outcome: AuditOutcome) -> int:
        cfg = self.config
        settings = page_settings(axe_options(cfg), cfg["klarsprog"]["enabled"])
        browser, ua = await self._browser()
        viewport = j.viewport or parse_viewport(cfg["viewport"])
        extra: dict[str, Any] = {"storage_state": j.storage_state} if j.storage_state else {}
        context = await new_context(browser, ua, settings, viewport, **extra)
        states = [s for s in j.steps if s.kind == "audit"]
        done = 0
        try:
            if any(s.kind == "idle" for s in j.steps):
                await context.clock.install()       # idle steps run the page's clock on
            page = await context.new_page()
            if cfg["browser"]["skip_media"]:
                await skip_media(context, page)
            driver = JourneyDriver(j, page, base, self.scope.allows)
            for step in j.steps:
                if step.kind != "audit":
                    await driver.run_step(step)
                    continue
                started = now()
                doc, artifacts = await self._state(run, j, base, driver, step, settings)
                doc.started_at, doc.ended_at = started, now()
                self._record(run, seq, doc, artifacts)
                seq += 1
                done += 1
        except (JourneyStop, TargetError) as exc:
            message = mask(str(exc), j.secrets)
            outcome.input_errors.append(message)
            first = states[done] if done < len(states) else None
            for step in states[done:]:
                doc = Document(kind="page", status="error", site_path=f"{j.name}/{step.value}",
                               error=message if step is first else f"{j.where(step)}: not reached ({message})",
                               journey=self._facts(j, step, done + 1))
                doc.error = mask(doc.error, j.secrets)
                self._record(run, seq, doc, None)
                seq += 1
                done += 1
        finally:
            with contextlib.suppress(Exception):
                await context.close()
        return seq

    def _facts(self, j: Journey, step, index: int) -> dict[str, Any]:
        return {"name": j.name, "file": j.source, "state": step.value, "step": step.index, "line": step.line,
                "index": index}

    async def _state(self, run: Run, j: Journey, base: str | None, driver: JourneyDriver, step, settings):
        """Audit the page as it is at ``step``: what the last action changed (before anything touches the
        page), the page's artifacts, a dialog tried; checked, masked, photographed."""
        cfg = self.config
        page = driver.page
        after = await driver.observe()
        if after is None:
            raise JourneyStop(f"{driver.where(step)}: the page kept navigating; add a wait_for step before it")
        jart = await driver.state_artifact(step, after)
        location = f"{j.name} › {step.value}"
        gathered = await gather_current(page, timeout_s=float(cfg["timeout"]), settings=settings, location=location,
                                        probes=cfg["profile"])
        await driver.try_dialog(jart)
        artifacts = {**gathered.artifacts, "journey": jart}
        if j.secrets:
            artifacts = json.loads(mask(json.dumps(artifacts), j.secrets))
        url, path = self._where(j, base, page.url)
        target = PageTarget(url, url, path, site_path=f"{j.name}/{step.value}")
        doc = build_document(target, artifacts, cfg)
        doc.blocked_requests = gathered.blocked_requests
        doc.journey = self._facts(j, step, jart["index"])
        if j.secrets:
            _mask_doc(doc, j.secrets)
        folder = self.store.files_dir / run.id
        shot = await self._state_shot(page, folder, jart["index"], j, driver)
        if shot:
            doc.journey["screenshot"] = shot
        if self._screenshots:
            shots = [(f.fingerprint, f.target, getattr(REGISTRY.get(r.code), "screenshot", None))
                     for r in doc.results if r.target_kind == TargetKind.CSS for f in r.failures]
            if shots:
                await take_screenshots(page, shots, folder, int(cfg["screenshots_per_page"]))
        return doc, artifacts

    async def _state_shot(self, page, folder: Path, index: int, j: Journey, driver: JourneyDriver) -> str | None:
        """A screenshot of the state as the user sees it (the window), password fields and fields
        filled from a secret painted over. Its file name, or None."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"state-{_safe(j.name)}-{index}.jpg"
            masks = [page.locator("input[type=password]"), *(page.locator(s) for s in driver.secret_fields)]
            await page.screenshot(path=str(folder / name), type="jpeg", quality=60, mask=masks,
                                  mask_color="#444444", animations="disabled", timeout=10_000)
            return name
        except Exception:  # noqa: BLE001 - a screenshot is never worth failing a state for
            return None


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60]


def _mask_doc(doc: Document, secrets: list[str]) -> None:
    """Every text of a checked document with the journey's secrets masked."""
    doc.title = mask(doc.title, secrets) if doc.title else doc.title
    for r in doc.results:
        for f in r.findings:
            f.target, f.html = mask(f.target or "", secrets), mask(f.html or "", secrets)
            f.message = {k: mask(v, secrets) for k, v in (f.message or {}).items()}
            if f.excerpt:
                f.excerpt = mask(f.excerpt, secrets)
