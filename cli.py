"""The `klartjek` command.

Exit codes (core/errors.py ExitCode, docs/exit-codes.md): 0 no failure at or above --fail-on; 1
failures at or above it; 2 usage, input or environment error (bad option, config or --db, no browser,
a target that could not be audited); 3 internal error; 130 interrupted (the run is kept, partial).

One convention for what commands write: ``--report FORMAT[:PATH]`` (repeatable; PATH ``-`` is
standard output), with ``--json PATH`` as the short form of ``--report json:PATH``.
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
from pathlib import Path
from typing import List, Literal, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.errors import EXIT_FAILURES, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, KlartjekError
from core.model import Run, impact_rank
from reports.console import safe_console

app = typer.Typer(
    name="klartjek", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]},
    help="Audit citizen-facing pages and letters for accessibility (WCAG, axe-core in Chromium) and plain Danish.",
)


def _width(stream) -> int | None:
    """The terminal's width; without a terminal COLUMNS, else a wide default: a CI log is not 80 columns,
    and a wrapped run id or path cannot be copied."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return None if stream.isatty() else 200


out = safe_console(width=_width(sys.stdout))
err = safe_console(stderr=True, width=_width(sys.stderr))

Level = Literal["A", "AA", "AAA"]
WcagVersion = Literal["2.0", "2.1", "2.2"]
Impact = Literal["critical", "serious", "moderate", "minor", "none"]
Lang = Literal["da", "en"]
Shots = Literal["auto", "on", "off"]
Profile = Literal["patient-info", "letter", "web"]


def _version(value: bool) -> None:
    if value:
        from core import __version__

        out.print(f"klartjek {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print klartjek's version and exit.")) -> None:
    """Audit citizen-facing pages and letters for accessibility (WCAG) and plain Danish."""


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    err.print(f"[red]klartjek:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _load_config(config: Optional[Path], **overrides):
    from audit.config import load_config

    return load_config(config, overrides)


_OPENED: list = []       # stores this command opened: closed before the process ends


def _store(cfg):
    from audit.store import Store

    store = Store(cfg["db"])
    _OPENED.append(store)
    return store


def _stored_run(store, key: str) -> Run:
    """A stored run by id, unique prefix or 'latest'."""
    return store.load_run(store.resolve_run_id(key))


def count_gate_failures(run: Run, fail_on: str) -> int:
    """Failed findings whose impact is at or above ``fail_on`` ("none": never)."""
    if fail_on == "none":
        return 0
    floor = impact_rank(fail_on)
    return sum(1 for d in run.documents for r in d.results for f in r.failures
               if impact_rank(f.impact) >= floor)


# -- options shared by several commands ------------------------------------------------------------

ConfigOpt = typer.Option(None, "--config", help="Config file (default: klartjek.toml or "
                         "[tool.klartjek] in pyproject.toml, in this folder or above).")
DbOpt = typer.Option(None, "--db", help="History database: a path or a SQLAlchemy URL "
                     "[default: .klartjek/history.sqlite].")
LangOpt = typer.Option(None, "--lang", help="Language of finding texts [default: da].")
ProjectOpt = typer.Option(None, "--project", help="The portfolio project this run belongs to (a label for "
                          "`klartjek runs --project` and the dashboard) [default: config 'project'].")
BrokerOpt = typer.Option(None, "--broker", metavar="REDIS_URL", help="The queue of distributed audits, e.g. "
                         "redis://queue:6379/0 [default: config distributed.broker].")
RunIdArg = typer.Argument("latest", help="A run id, a unique prefix of one, or 'latest'.")
ReportOpt = typer.Option([], "--report", metavar="FORMAT[:PATH]",
                         help="Write a report, FORMAT or FORMAT:PATH (repeatable); formats: html, "
                         "json, sarif, junit, codequality, csv, markdown, terminal. Without a path: klartjek.html, "
                         "klartjek.sarif …; PATH '-': standard output.")
JsonOpt = typer.Option(None, "--json", help="Write the run as JSON to this file (short for --report json:PATH).")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Print one summary line (errors still go to standard error).")


# -- audit and letter ----------------------------------------------------------------------------

@app.command()
def audit(
    targets: Optional[List[str]] = typer.Argument(None, metavar="TARGET",
                                                  help="http(s) URLs, .html files or folders of a "
                                                  "static site [default: targets in the config]."),
    level: Optional[Level] = typer.Option(None, "--level", help="Highest WCAG level checked [default: AA]."),
    wcag_version: Optional[WcagVersion] = typer.Option(None, "--wcag-version", help="WCAG version [default: 2.2]."),
    profile: Optional[Literal["quick", "default"]] = typer.Option(
        None, "--profile", help="quick: axe-core and the checks that cost next to nothing; default: also the checks "
        "that act on the page (Tab, reflow, text spacing, hover …) [default: default]."),
    best_practices: Optional[bool] = typer.Option(None, "--best-practices/--no-best-practices",
                                                  help="Also run axe-core's best-practice rules."),
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                             "[default: serious]."),
    json_path: Optional[Path] = JsonOpt,
    report: List[str] = ReportOpt,
    db: Optional[str] = DbOpt,
    lang: Optional[Lang] = LangOpt,
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds a page may take to load, more than 0 "
                                            "[default: 30]."),
    screenshots: Optional[Shots] = typer.Option(None, "--screenshots", help="Photograph failing elements for the "
                                                "HTML report; auto: when this audit writes one [default: auto]."),
    viewport: Optional[str] = typer.Option(None, "--viewport", help="Browser window WIDTHxHEIGHT in CSS pixels, "
                                           "e.g. 320x640 [default: 1280x900]."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Documents audited at the same time "
                                          "[default: one per CPU core, at least 2]."),
    block_external: Optional[bool] = typer.Option(
        None, "--block-external/--no-block-external",
        help="Let the browser and klartjek reach only the audited hosts and --allow-host hosts."),
    allow_host: List[str] = typer.Option([], "--allow-host", metavar="HOST[:PORT]",
                                         help="A host (or host:port) reachable with "
                                         "--block-external (repeatable)."),
    site_root: Optional[Path] = typer.Option(None, "--site-root", help="Serve single .html file targets below "
                                             "this folder from it, so links such as ../css/site.css load "
                                             "[default: the file's own folder]."),
    crawl: Optional[bool] = typer.Option(None, "--crawl/--no-crawl", help="Follow robots.txt, sitemaps and "
                                         "links from the URL targets, within their origins."),
    include: List[str] = typer.Option([], "--include", metavar="GLOB",
                                      help="Crawl only URLs matching this glob (repeatable)."),
    exclude: List[str] = typer.Option([], "--exclude", metavar="GLOB",
                                      help="Never audit URLs matching this glob (repeatable)."),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Pages a crawl audits at most [default: 500]."),
    max_depth: Optional[int] = typer.Option(None, "--max-depth", help="Links a crawl follows from a start URL "
                                            "[default: 10]."),
    ignore_robots: Optional[bool] = typer.Option(None, "--ignore-robots", help="Audit what robots.txt "
                                                 "disallows (for one's own site)."),
    incremental: Optional[bool] = typer.Option(None, "--incremental/--no-incremental", help="Reuse the "
                                               "results of documents unchanged since the last run of the same "
                                               "targets and settings."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue an interrupted run (its id): "
                                         "finished documents are not audited again; targets and settings are "
                                         "the run's own."),
    serve_command: Optional[str] = typer.Option(None, "--serve-command", help="A shell command that serves "
                                                "the site under audit (a pull request's build); it runs for the "
                                                "audit and is stopped after."),
    serve_ready: Optional[str] = typer.Option(None, "--serve-ready", help="When --serve-command is ready: a "
                                              "URL that answers, or a pattern its output prints "
                                              "[default: the first URL target]."),
    serve_timeout: float = typer.Option(60.0, "--serve-timeout", help="Seconds --serve-command may take to be "
                                        "ready."),
    header: List[str] = typer.Option([], "--header", metavar="'NAME: VALUE'", help="An HTTP header sent to "
                                     "each page's own origin (repeatable); a value may be ${env:NAME}."),
    cookie: List[str] = typer.Option([], "--cookie", metavar="NAME=VALUE", help="A cookie set for each page's "
                                     "host (repeatable; each page then gets a browser context of its own)."),
    wait_for: Optional[str] = typer.Option(None, "--wait-for", metavar="SELECTOR", help="Check a page only once "
                                           "this element is visible."),
    hide_element: List[str] = typer.Option([], "--hide-element", metavar="SELECTOR", help="Take these elements "
                                           "out of each page before it is checked (repeatable)."),
    root_element: List[str] = typer.Option([], "--root-element", metavar="SELECTOR", help="Check only these "
                                           "parts of each page (repeatable)."),
    exclude_element: List[str] = typer.Option([], "--exclude-element", metavar="SELECTOR", help="Do not report "
                                              "findings inside these elements (repeatable)."),
    distributed: bool = typer.Option(False, "--distributed", help="Queue the documents for `klartjek worker`s "
                                     "(on this or other machines) instead of auditing them in this process; "
                                     "http(s) URLs only (docs/scale.md)."),
    broker: Optional[str] = BrokerOpt,
    project: Optional[str] = ProjectOpt,
    config: Optional[Path] = ConfigOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Audit pages (and the letters a crawl finds) in Chromium; store, score and report the run.
    Options per page (headers, cookies, waiting, hiding, parts) from [[pages]] in the config, or
    for every page from --header … --exclude-element (docs/page-options.md)."""
    from audit.pageopts import cli_pages

    crawl_opts = {k: v for k, v in dict(enabled=crawl, max_pages=max_pages, max_depth=max_depth,
                                        ignore_robots=ignore_robots).items() if v is not None}
    try:
        page_entry = cli_pages(header, cookie, wait_for, hide_element, root_element, exclude_element)
    except KlartjekError as exc:
        _fail(str(exc))
    _audit_command(targets, False, config, quiet, json_path, report, allow_host, resume,
                   (serve_command, serve_ready, serve_timeout), include, exclude, page_entry=page_entry,
                   level=level, wcag_version=wcag_version, best_practices=best_practices, fail_on=fail_on, db=db,
                   lang=lang, timeout=timeout, workers=workers, viewport=viewport, screenshots=screenshots,
                   site_root=str(site_root) if site_root else None, block_external=block_external,
                   crawl=crawl_opts or None, incremental=incremental, profile=profile, project=project,
                   distributed=(distributed, broker))


@app.command()
def letter(
    paths: List[str] = typer.Argument(..., metavar="LETTER",
                                      help="Letters: .pdf, .docx, .xml (Digital Post MeMo) or .html files, "
                                      "folders of them, or http(s) URLs."),
    level: Optional[Level] = typer.Option(None, "--level", help="Highest WCAG level checked [default: AA]."),
    wcag_version: Optional[WcagVersion] = typer.Option(None, "--wcag-version", help="WCAG version [default: 2.2]."),
    best_practices: Optional[bool] = typer.Option(None, "--best-practices/--no-best-practices",
                                                  help="Also run axe-core's best-practice rules (HTML letters)."),
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                             "[default: serious]."),
    json_path: Optional[Path] = JsonOpt,
    report: List[str] = ReportOpt,
    db: Optional[str] = DbOpt,
    lang: Optional[Lang] = LangOpt,
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds an HTML letter may take to load, and "
                                            "a letter URL to download, more than 0 [default: 30 and 60]."),
    screenshots: Optional[Shots] = typer.Option(None, "--screenshots", help="Photograph failing elements of HTML "
                                                "letters for the HTML report [default: auto]."),
    viewport: Optional[str] = typer.Option(None, "--viewport", help="Browser window for HTML letters, "
                                           "WIDTHxHEIGHT [default: 1280x900]."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Letters checked at the same time "
                                          "[default: one per CPU core, at least 2]."),
    block_external: Optional[bool] = typer.Option(
        None, "--block-external/--no-block-external",
        help="Let the browser and klartjek reach only the letters' own hosts and --allow-host hosts."),
    allow_host: List[str] = typer.Option([], "--allow-host", metavar="HOST[:PORT]",
                                         help="A host (or host:port) reachable with "
                                         "--block-external (repeatable)."),
    site_root: Optional[Path] = typer.Option(None, "--site-root", help="Serve single .html letters below this "
                                             "folder from it [default: the file's own folder]."),
    incremental: Optional[bool] = typer.Option(None, "--incremental/--no-incremental", help="Reuse the "
                                               "results of letters unchanged since the last run of the same "
                                               "letters and settings."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue an interrupted run (its id)."),
    project: Optional[str] = ProjectOpt,
    config: Optional[Path] = ConfigOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Check invitation letters and Digital Post messages: PDF/UA and WCAG, Word structure, MeMo
    fields, plain Danish and the key facts of an appointment. Stored and reported like an audit."""
    downloads = {"download_timeout": timeout} if timeout is not None else None
    _audit_command(paths, True, config, quiet, json_path, report, allow_host, resume, (None, None, 60.0), [], [],
                   level=level, wcag_version=wcag_version, best_practices=best_practices, fail_on=fail_on, db=db,
                   lang=lang, timeout=timeout, workers=workers, viewport=viewport, screenshots=screenshots,
                   site_root=str(site_root) if site_root else None, block_external=block_external,
                   incremental=incremental, letters=downloads, project=project)


@app.command()
def journey(
    files: Optional[List[Path]] = typer.Argument(None, metavar="JOURNEY",
                                                 help="Journey files (.yml; docs/journeys.md) [default: the "
                                                 "config's [[journeys]]]."),
    level: Optional[Level] = typer.Option(None, "--level", help="Highest WCAG level checked [default: AA]."),
    wcag_version: Optional[WcagVersion] = typer.Option(None, "--wcag-version", help="WCAG version [default: 2.2]."),
    profile: Optional[Literal["quick", "default"]] = typer.Option(
        None, "--profile", help="quick: axe-core and the checks that cost next to nothing in each state; default: "
        "also the checks that act on the page [default: default]."),
    best_practices: Optional[bool] = typer.Option(None, "--best-practices/--no-best-practices",
                                                  help="Also run the best-practice checks."),
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                             "[default: serious]."),
    json_path: Optional[Path] = JsonOpt,
    report: List[str] = ReportOpt,
    db: Optional[str] = DbOpt,
    lang: Optional[Lang] = LangOpt,
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds a state may take to check, more than 0 "
                                            "[default: 30]."),
    screenshots: Optional[Shots] = typer.Option(None, "--screenshots", help="Photograph failing elements for the "
                                                "HTML report [default: auto]."),
    viewport: Optional[str] = typer.Option(None, "--viewport", help="Browser window WIDTHxHEIGHT, unless the "
                                           "journey gives one [default: 1280x900]."),
    block_external: Optional[bool] = typer.Option(
        None, "--block-external/--no-block-external",
        help="Let the browser reach only the journeys' own hosts and --allow-host hosts."),
    allow_host: List[str] = typer.Option([], "--allow-host", metavar="HOST[:PORT]",
                                         help="A host (or host:port) reachable with --block-external (repeatable)."),
    project: Optional[str] = ProjectOpt,
    config: Optional[Path] = ConfigOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Do what a user does (log in, click, fill in, submit) and audit the page at each `audit` step of
    a journey, with every check and the checks only a journey can make; stored and reported like an audit."""
    from audit.journeyfile import journey_from_data, read_journey_file
    from core.netscope import parse_entry

    cfg = _load_config(config, level=level, wcag_version=wcag_version, best_practices=best_practices,
                       fail_on=fail_on, db=db, lang=lang, timeout=timeout, viewport=viewport,
                       screenshots=screenshots, block_external=block_external, profile=profile, project=project)
    for host in allow_host:
        parse_entry(host, "--allow-host")
    cfg["allow_hosts"] = [*cfg["allow_hosts"], *allow_host]
    if files:
        journeys = [read_journey_file(f) for f in files]
    else:
        where = cfg.get("_source") or "the config"
        folder = Path(cfg["_source"]).parent if cfg.get("_source") else Path.cwd()
        journeys = [journey_from_data(j, f"{where} [[journeys]] #{i}", folder, f"journey-{i}")
                    for i, j in enumerate(cfg.get("journeys") or [], 1)]
        if not journeys:
            _fail("give at least one journey file (.yml), or [[journeys]] in the config; see docs/journeys.md")
    names = [j.name for j in journeys]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        _fail(f"two journeys are named {twice[0]!r}; give each its own 'name'")
    specs = _report_specs(([f"json:{json_path}"] if json_path else []) + [*cfg["reports"], *report])
    _run_audit(cfg, [], specs, quiet, journeys=journeys)


def _audit_command(targets, letter_targets: bool, config, quiet: bool, json_path, report, allow_host, resume,
                   serve, include, exclude, page_entry=None, distributed=(False, None), **overrides) -> None:
    """What `audit` and `letter` share: the configuration, the reports, a served build, the run."""
    from core.netscope import parse_entry

    cfg = _load_config(config, **overrides)
    if distributed[0]:
        _distributed_setup(cfg, list(targets or []) or list(cfg["targets"]), serve[0], distributed[1])
    if page_entry:                      # the command line's options per page come after the config's
        cfg["pages"] = [*cfg["pages"], page_entry]
    targets = list(targets or []) or list(cfg["targets"])
    if not targets and not resume:
        _fail("give at least one target (a URL, an .html file or a folder), set targets in the config, "
              "or --resume RUN_ID")
    for host in allow_host:
        parse_entry(host, "--allow-host")
    cfg["allow_hosts"] = [*cfg["allow_hosts"], *allow_host]
    cfg["crawl"]["include"] = [*cfg["crawl"]["include"], *include]
    cfg["crawl"]["exclude"] = [*cfg["crawl"]["exclude"], *exclude]
    specs = _report_specs(([f"json:{json_path}"] if json_path else []) + [*cfg["reports"], *report])
    command, ready, timeout = serve
    if ready and not command:
        _fail("--serve-ready needs --serve-command")
    if command:
        from audit.serve import ServedBuild

        ready = ready or next((t for t in targets if t.startswith(("http://", "https://"))), None)
        with ServedBuild(command, ready, timeout):
            _run_audit(cfg, targets, specs, quiet, resume, letter_targets)
    else:
        _run_audit(cfg, targets, specs, quiet, resume, letter_targets)


def _distributed_setup(cfg, targets: list[str], serve_command: Optional[str], broker: Optional[str]) -> None:
    """--distributed: URLs only (workers elsewhere cannot read this machine's files or served build), and a
    broker that answers; a one-line error (exit 2) naming what is wrong."""
    from audit.distributed import broker_url, check_broker, make_app

    if serve_command:
        _fail("--distributed cannot audit a --serve-command build (it is served on this machine only); "
              "serve it where the workers reach it and give its URL")
    local = [t for t in targets if not t.startswith(("http://", "https://"))]
    if local:
        _fail(f"--distributed audits http(s) URLs; {local[0]!r} is a local file or folder, which workers on "
              "other machines cannot read: audit it without --distributed")
    try:
        url = broker_url(cfg, broker)
        check_broker(make_app(url, cfg["distributed"]["visibility_timeout"]), url)
    except KlartjekError as exc:
        _fail(str(exc))
    cfg["distributed"]["broker"] = url
    cfg["_distributed"] = True


def _progress(quiet: bool):
    """The progress bar on a terminal; a line per document otherwise (none with --quiet)."""
    from reports.terminal import fmt_score

    show_bar = err.is_terminal and not quiet
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=err, transient=True, disable=not show_bar)
    task_id = bar.add_task("audit", total=None)
    done = 0

    def started(total: int) -> None:
        bar.update(task_id, total=total)

    def finished(doc) -> None:
        nonlocal done
        done += 1
        bar.advance(task_id)
        if not show_bar and not quiet:
            state = fmt_score(doc.score) if doc.status == "ok" else doc.status
            err.print(f"[{done}/{bar.tasks[0].total}] {escape(doc.location)} {state}", soft_wrap=True)

    return bar, started, finished


def _resumed(cfg, resume: str):
    """The stored run to resume and its own settings (but where and how to run it)."""
    from audit.config import defaults

    store = _store(cfg)
    resume = store.resolve_run_id(resume)
    stored = store.load_run(resume)
    if stored.ended_at and stored.status == "complete":
        _fail(f"run {resume} is complete; there is nothing to resume")
    keep = {k: cfg[k] for k in ("db", "workers", "lang", "fail_on", "browser", "distributed") if k in cfg}
    keep |= {k: v for k, v in cfg.items() if k.startswith("_")}
    return store, resume, {**defaults(), **stored.config, **keep}, stored.targets


def _audit(cfg, targets, store, resume, letters: bool, html_report: bool, started, finished, journeys=None):
    """Run the audit on an event loop; SIGTERM ends it like Ctrl-C (finished documents stay, the
    run is partial). Returns (outcome, the auditor)."""
    holder: dict = {}

    async def main():
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
        playwright = None
        if not letters and not cfg["incremental"] and not cfg.get("_distributed"):
            # the browser driver (a Node process) starts while the rest of klartjek is imported
            from audit.browser import start_playwright

            playwright = asyncio.create_task(start_playwright())
            await asyncio.sleep(0.05)
        try:
            from audit.runner import Auditor
            from audit.runner import Progress as Callbacks

            st = store or _store(cfg)
        except BaseException:
            if playwright is not None:              # a bad --db: stop the driver started above
                with contextlib.suppress(BaseException):
                    await (await playwright).stop()
            raise
        holder["store"] = st
        if journeys is not None:
            from audit.journeyrun import JourneyAuditor

            auditor = holder["auditor"] = JourneyAuditor(cfg, st, Callbacks(started=started, finished=finished),
                                                         html_report=html_report, playwright=playwright)
            holder["outcome"] = await auditor.run_journeys(journeys)
            return
        if cfg.get("_distributed"):
            from audit.distributed import DistributedAuditor

            holder["auditor"] = DistributedAuditor(cfg, st, Callbacks(started=started, finished=finished),
                                                   html_report=html_report, broker=cfg["distributed"]["broker"])
        else:
            holder["auditor"] = Auditor(cfg, st, Callbacks(started=started, finished=finished),
                                        html_report=html_report, letters=letters, playwright=playwright)
        holder["outcome"] = await holder["auditor"].run(targets or [], resume=resume)

    # (the outcome is not main's result: asyncio.run ends by asking for the SIGINT handler, and
    # Python's signal module then formats a repr of the handler, its task and the task's result,
    # the whole run: 0.3 s for 200 pages, and growing with the run)
    try:
        asyncio.run(main())
        return holder["outcome"], holder
    except (KeyboardInterrupt, asyncio.CancelledError):
        auditor = holder.get("auditor")
        rid = auditor.current_run.id if auditor and auditor.current_run else "?"
        _fail(f"interrupted; the finished documents are kept in run {rid} (partial)", EXIT_INTERRUPTED)


def _run_audit(cfg, targets: list[str], report_specs, quiet: bool, resume: Optional[str] = None,
               letters: bool = False, journeys=None) -> None:
    """Audit (or resume), store, print and write the reports; exits with the run's exit code."""
    from audit.store import shown_db
    from reports.terminal import TerminalReporter

    store = None
    if resume:
        store, resume, cfg, targets = _resumed(cfg, resume)
        if cfg.get("_distributed") and any(not t.startswith(("http://", "https://")) for t in targets):
            _fail(f"run {resume} audited local files, which workers on other machines cannot read; "
                  "resume it without --distributed")
    bar, started, finished = _progress(quiet)
    with bar:
        outcome, holder = _audit(cfg, targets, store, resume, letters,
                                 any(fmt == "html" for fmt, _ in report_specs), started, finished, journeys)
    run = outcome.run
    if outcome.interrupted:
        _fail(f"interrupted; the finished documents are kept in run {run.id} (partial)", EXIT_INTERRUPTED)
    gate = count_gate_failures(run, cfg["fail_on"])
    if not quiet:
        if outcome.reused:
            out.print(f"Reused {outcome.reused} unchanged document(s) from run {outcome.reused_from}.")
        TerminalReporter(out).render(run, lang=cfg["lang"])
    _write_reports(run, report_specs, cfg["lang"], holder.get("store"), quiet)
    if outcome.input_errors:
        code = EXIT_USAGE
        verdict = f"{len(outcome.input_errors)} target(s) could not be audited; the run is partial (exit 2)"
        if quiet:
            for e in outcome.input_errors:
                err.print(f"[red]klartjek:[/] {escape(e)}", soft_wrap=True)
    elif gate:
        code, verdict = EXIT_FAILURES, f"{gate} failure(s) at or above '{cfg['fail_on']}' (exit 1)"
    else:
        code, verdict = EXIT_OK, f"no failure at or above '{cfg['fail_on']}' (exit 0)"
    if not quiet:
        out.print(f"Run {run.id} stored in {escape(shown_db(str(cfg['db'])))}; `klartjek show {run.id}` prints it "
                  "again.", soft_wrap=True)
    out.print(summary_line(run, verdict, outcome.reused, outcome.reused_from), soft_wrap=True)
    raise typer.Exit(code)


def summary_line(run: Run, verdict: str, reused: int = 0, reused_from: str | None = None) -> str:
    """The one line of --quiet (and the last line of every audit)."""
    from reports.terminal import fmt_score

    docs = len(run.documents)
    plain = f", plain-language score {fmt_score(run.plain_score)}" if run.plain_score is not None else ""
    again = f" ({reused} reused unchanged from run {reused_from})" if reused else ""
    return (f"klartjek: run {run.id} {run.status}, {docs} document{'s' if docs != 1 else ''}{again}, "
            f"WCAG score {fmt_score(run.score)}{plain}; {verdict}")


def _report_specs(specs: list[str]) -> list[tuple[str, Optional[Path]]]:
    from reports import parse_spec

    parsed = []
    for spec in specs:
        try:
            parsed.append(parse_spec(spec))
        except ValueError as exc:
            _fail(f"--report {spec}: {exc}")
    return parsed


def _write(path: Path, what: str, write) -> None:
    """``write()``, which writes ``what`` to ``path``; a failure (a full disk, a folder given for a
    file, no permission) is one line and exit 2."""
    try:
        write()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = ("give a file name, not a folder" if isinstance(exc, IsADirectoryError)
                else "free some space" if exc.errno == errno.ENOSPC
                else "check the folder exists and is writable")
        _fail(f"could not write {what} to {path}: {reason}; {hint}", EXIT_USAGE)


def _write_reports(run: Run, specs: list[tuple[str, Optional[Path]]], lang: str, store=None,
                   quiet: bool = False) -> None:
    from reports import write_report

    for fmt, path in specs:
        _write(path or Path("-"), f"the {FORMAT_NAMES.get(fmt, fmt)} report",
               lambda fmt=fmt, path=path: write_report(run, fmt, path, lang, store))
        if path is not None and not quiet:
            out.print(f"{FORMAT_NAMES.get(fmt, fmt)} report: {escape(str(path))}", soft_wrap=True)


FORMAT_NAMES = {"json": "JSON", "html": "HTML", "csv": "CSV", "sarif": "SARIF", "junit": "JUnit",
                "codequality": "Code Quality", "markdown": "Markdown", "terminal": "Terminal"}


# -- stored runs ------------------------------------------------------------------------------------

@app.command()
def report(
    run_id: str = RunIdArg,
    report_specs: List[str] = typer.Option([], "--report", metavar="FORMAT[:PATH]",
                                           help="FORMAT or FORMAT:PATH (repeatable); formats: "
                                           "html, json, sarif, junit, codequality, csv, markdown, terminal; PATH "
                                           "'-' or none: standard output [default: html:-]."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", hidden=True),
    out_path: Optional[Path] = typer.Option(None, "--out", "-o", hidden=True),
    db: Optional[str] = DbOpt,
    lang: Optional[Lang] = LangOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Render a stored run in any report format, without a browser."""
    from reports import DEFAULT_FILES

    specs = list(report_specs)
    if fmt is not None or out_path is not None:      # the former -f/-o: the same as --report FORMAT:PATH
        if (fmt or "html") not in DEFAULT_FILES:
            _fail(f"--format is {fmt!r}; choose one of {', '.join(sorted(DEFAULT_FILES))}")
        specs.append(f"{fmt or 'html'}:{out_path or '-'}")
    # here a format without a path goes to standard output (an audit writes it to klartjek.FORMAT)
    parsed = _report_specs([s if ":" in s else f"{s}:-" for s in specs or ["html"]])
    cfg = _load_config(config, db=db, lang=lang)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    from reports import write_report

    for f, path in parsed:
        _write(path or Path("-"), f"the {f} report", lambda f=f, path=path: write_report(run, f, path, cfg["lang"],
                                                                                          store))
        if path is not None:
            err.print(f"{f} report of run {run.id}: {escape(str(path))}", soft_wrap=True)


@app.command()
def dashboard(
    out_dir: Path = typer.Option(..., "--out", help="The folder to write the dashboard into (made if missing)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="The dashboard's language [default: da]."),
    since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="The first day the trends show "
                                        "[default: all runs]."),
    period: Literal["week", "month", "quarter"] = typer.Option("month", "--period", help="How far back the change "
                                                               "is measured from."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Build the portfolio dashboard from the history: static pages (overview, one per project, the
    method) and their data as JSON, for the strategy group (docs/dashboard.md)."""
    import datetime as _dt
    import shutil

    from audit.portfolio import portfolio_view
    from core import __version__
    from reports.dashboard import render

    cfg = _load_config(config, db=db, lang=lang)
    if since is not None:
        try:
            _dt.date.fromisoformat(since)
        except ValueError:
            _fail(f"--since {since!r}: not a date; give YYYY-MM-DD")
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir}: a file, not a folder; give a folder for the dashboard")
    store = _store(cfg)
    view = portfolio_view(store, cfg["portfolio"]["projects"], since=since, period=period, weights=cfg["weights"])
    tmp = out_dir.with_name(out_dir.name + ".tmp-klartjek")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        from reports import write_report

        for p in view["projects"]:   # the latest run and the one it is compared with, in full: their HTML reports
            for h in (p["latest"], p["previous"]):
                if h is not None and "report" not in h:
                    h["report"] = f"koersel-{h['id']}.html"
                    write_report(store.load_run(h["id"]), "html", tmp / h["report"], cfg["lang"], store)
            p["report"] = p["latest"]["report"]
        render(view, tmp, cfg["lang"], {"klartjek": __version__})
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in (*out_dir.glob("projekt-*.html"), *out_dir.glob("koersel-*.html")):   # an earlier build's
            old.unlink()
        for f in tmp.iterdir():
            f.replace(out_dir / f.name)
    except OSError as exc:
        _fail(f"--out {out_dir}: cannot write the dashboard ({exc.strerror or exc}); check the folder")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(view["projects"])
    out.print(f"klartjek: dashboard of {n} project{'s' if n != 1 else ''} written to {escape(str(out_dir))} "
              f"(open {escape(str(out_dir / 'index.html'))})", soft_wrap=True)


portfolio_app = typer.Typer(help="The portfolio of projects the strategy group follows ([portfolio] in the "
                            "config, docs/dashboard.md).", no_args_is_help=True)
app.add_typer(portfolio_app, name="portfolio")

# how each channel's targets are audited (texts and SMS templates in this process, audit/texts.py)
CHANNEL_COMMAND = {"web": "audit", "booking": "audit", "letters": "letter", "memo": "letter", "texts": "text",
                   "sms": "sms"}


@portfolio_app.command("run")
def portfolio_run(
    project: List[str] = typer.Option([], "--project", help="Only this project (repeatable) [default: all]."),
    distributed: bool = typer.Option(False, "--distributed", help="Queue the web projects' documents for "
                                     "`klartjek worker`s, several projects at a time (docs/scale.md); letters, "
                                     "texts and journeys are audited here as without."),
    broker: Optional[str] = BrokerOpt,
    parallel: int = typer.Option(4, "--parallel", min=1, max=64, help="With --distributed: projects queued "
                                 "at the same time."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Audit every project of the portfolio, each run labelled with its project. Incremental (what is
    unchanged since a project's last run is reused); one project that fails never stops the others.
    Exit code: the worst of the projects' (docs/exit-codes.md)."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    cfg = _load_config(config, db=db)
    env = None
    if distributed:
        from audit.distributed import broker_url, check_broker, make_app

        try:
            url = broker_url(cfg, broker)
            check_broker(make_app(url, cfg["distributed"]["visibility_timeout"]), url)
        except KlartjekError as exc:
            _fail(str(exc))
        env = {**os.environ, "KLARTJEK_DISTRIBUTED__BROKER": url}     # (not on a command line: ps shows those)
    projects = cfg["portfolio"]["projects"]
    if not projects:
        _fail(f"{cfg['_source'] or 'the configuration'}: no portfolio projects; add [[portfolio.projects]] "
              "tables (name, channel, targets), docs/dashboard.md")
    names = [p["name"] for p in projects]
    unknown = [n for n in project if n not in names]
    if unknown:
        _fail(f"--project {unknown[0]!r}: no such project in the portfolio; the projects are: {', '.join(names)}")
    chosen = [p for p in projects if not project or p["name"] in project]
    codes = []
    pool = ThreadPoolExecutor(max_workers=parallel) if distributed else None
    queued = []           # (label, future) of the projects queued for workers, reported after the others

    def report(label: str, res) -> None:
        summary = (res.stdout.strip().splitlines() or [""])[-1].removeprefix("klartjek: ")
        problems = [line.removeprefix("klartjek: ") for line in res.stderr.strip().splitlines()]
        out.print(f"{escape(label)}: {escape(summary or (problems[-1] if problems else 'no result'))}",
                  soft_wrap=True)
        for line in problems[:5] if summary else problems[:-1][:5]:
            out.print(f"  {escape(line)}", soft_wrap=True)
        codes.append(res.returncode)

    for p in chosen:
        command = CHANNEL_COMMAND.get(p["channel"])
        label = f"{p['name']} ({p['channel']})"
        if command is None:
            out.print(f"{escape(label)}: skipped, klartjek does not audit the {p['channel']} channel in a portfolio "
                      "run yet", soft_wrap=True)
            continue
        if command in ("text", "sms"):
            codes.append(_portfolio_texts(cfg, p, label, sms=command == "sms"))
            continue
        if p["journeys"]:                # a journey is done again each time (nothing to reuse)
            argv = [sys.executable, "-m", "cli", "journey", *p["journeys"], "--project", p["name"],
                    "--db", cfg["db"], "-q"]
        else:
            argv = [sys.executable, "-m", "cli", command, *p["targets"], "--project", p["name"], "--incremental",
                    "--db", cfg["db"], "-q"]
        if cfg["_source"]:
            argv += ["--config", cfg["_source"]]
        if command == "audit" and p["crawl"]:
            argv.append("--crawl")
        if pool is not None and command == "audit" and not p["journeys"] and p["targets"] and \
                all(t.startswith(("http://", "https://")) for t in p["targets"]):
            queued.append((label, pool.submit(subprocess.run, [*argv, "--distributed"], capture_output=True,
                                              text=True, env=env)))
            continue
        report(label, subprocess.run(argv, capture_output=True, text=True))
    for label, future in queued:
        report(label, future.result())
    if pool is not None:
        pool.shutdown()
    worst = max(codes, default=EXIT_OK, key=lambda c: {EXIT_OK: 0, EXIT_FAILURES: 1, EXIT_USAGE: 2}.get(c, 3))
    raise typer.Exit(worst)


def _portfolio_texts(cfg, project: dict, label: str, sms: bool = False) -> int:
    """A texts (or SMS) project: its files checked and stored as one run (audit/texts.py); the exit code."""
    from audit.texts import text_run
    from reports.terminal import fmt_score

    try:
        run = text_run(_store(cfg), cfg, project["targets"], project["name"], sms=sms)
    except KlartjekError as exc:
        out.print(f"{escape(label)}: {escape(str(exc))}", soft_wrap=True)
        return EXIT_USAGE
    n, errors = len(run.documents), [d.error for d in run.documents if d.status != "ok"]
    code = EXIT_USAGE if run.status != "complete" else (
        EXIT_FAILURES if count_gate_failures(run, cfg["fail_on"]) else EXIT_OK)
    what = ("SMS template" if sms else "text") + ("s" if n != 1 else "")
    out.print(f"{escape(label)}: run {run.id} {run.status}, {n} {what}, plain-language score "
              f"{fmt_score(run.plain_score)} (exit {code})", soft_wrap=True)
    for e in errors[:5]:
        out.print(f"  {escape(e or '')}", soft_wrap=True)
    return code


baseline_app = typer.Typer(help="Accept the findings of a run for now (a file for version control).",
                            no_args_is_help=True, rich_markup_mode=None,
                            context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("save")
def baseline_save(
    run_id: str = RunIdArg,
    out_path: Optional[Path] = typer.Option(None, "--out", "-o", help="The baseline file "
                                            "[default: gate.baseline, klartjek-baseline.json]."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Write the failed findings of a run to a baseline file; `klartjek gate` then fails only on new ones."""
    from audit.gate import write_baseline

    cfg = _load_config(config, db=db)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    path = out_path or Path(cfg["gate"]["baseline"])
    n = 0

    def save() -> None:
        nonlocal n
        n = write_baseline(run, path)

    _write(path, "the baseline", save)
    out.print(f"Baseline of run {run.id}: {n} finding(s) in {escape(str(path))}", soft_wrap=True)


@app.command()
def gate(
    run_id: str = RunIdArg,
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Baseline file [default: gate.baseline "
                                            "when it exists]."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Judge every finding as new."),
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact of a new finding that fails "
                                             "the gate [default: fail_on, serious]."),
    min_score: Optional[float] = typer.Option(None, "--min-score", help="Lowest WCAG score of the run "
                                              "[default: gate.min_score]."),
    min_plain_score: Optional[float] = typer.Option(None, "--min-plain-score", help="Lowest plain-language score "
                                                    "of the run [default: gate.min_plain_score]."),
    max_lix: Optional[float] = typer.Option(None, "--max-lix", help="Highest LIX of any document "
                                            "[default: gate.max_lix]."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Pass or fail a run for CI: new findings (not in the baseline, not suppressed), scores, LIX and the
    assertions per URL of the config.

    Exit 0 when it passes, 1 when it fails (every reason is printed), 2 on bad input."""
    from audit.gate import gate as judge
    from audit.gate import read_baseline

    limits = {k: v for k, v in dict(min_score=min_score, min_plain_score=min_plain_score, max_lix=max_lix).items()
              if v is not None}
    cfg = _load_config(config, db=db, fail_on=fail_on, gate=limits or None)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    known = None
    path = baseline or Path(cfg["gate"]["baseline"])
    if not no_baseline and (baseline is not None or path.is_file()):
        known = read_baseline(path)
    res = judge(run, cfg, known)
    for w in res.warnings:
        err.print(f"[yellow]warning:[/] {escape(w)}", soft_wrap=True)
    out.print(f"Run {run.id}: {len(res.new)} new at or above '{cfg['fail_on']}', {len(res.below)} new below it, "
              f"{res.known} in the baseline{'' if known is not None else ' (none used)'}, "
              f"{res.suppressed} suppressed", soft_wrap=True)
    for it in res.new:
        out.print(f"  [red]new[/] {escape(it.label())}", soft_wrap=True)
    for it in res.below:
        out.print(f"  [dim]below '{escape(cfg['fail_on'])}'[/] {escape(it.label())}", soft_wrap=True)
    if res.passed:
        out.print("[green]Gate passed.[/]")
        raise typer.Exit(EXIT_OK)
    out.print("[red]Gate failed:[/]")
    for r in res.reasons:
        out.print(f"  - {escape(r)}", soft_wrap=True)
    raise typer.Exit(EXIT_FAILURES)


@app.command()
def diff(
    run_a: str = typer.Argument(..., help="The earlier run (id, prefix or 'latest')."),
    run_b: str = typer.Argument("latest", help="The later run."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Also write the diff as JSON to this file."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """New, fixed and unchanged findings and score changes between two runs, per document."""
    import json as _json

    from audit.gate import diff as compare
    from reports.terminal import fmt_score

    cfg = _load_config(config, db=db)
    store = _store(cfg)
    a = _stored_run(store, run_a)
    b = _stored_run(store, run_b)
    rows = compare(a, b)
    new = sum(len(r["new"]) for r in rows)
    fixed = sum(len(r["fixed"]) for r in rows)
    out.print(f"{a.id} → {b.id}: {new} new, {fixed} fixed, {sum(r['unchanged'] for r in rows)} unchanged; "
              f"WCAG score {fmt_score(a.score)} → {fmt_score(b.score)}, "
              f"plain-language score {fmt_score(a.plain_score)} → {fmt_score(b.plain_score)}", soft_wrap=True)
    for r in rows:
        if not (r["new"] or r["fixed"] or r["only_in"] or r["score"][0] != r["score"][1]):
            continue
        sa, sb = r["score"]
        extra = {"a": " (only in the earlier run)", "b": " (only in the later run)"}.get(r["only_in"] or "", "")
        out.print(f"[bold]{escape(r['location'])}[/]{extra}: score {fmt_score(sa)} → {fmt_score(sb)}", soft_wrap=True)
        for it in r["new"]:
            out.print(f"  [red]+ new[/]   {escape(it.label())}", soft_wrap=True)
        for it in r["fixed"]:
            out.print(f"  [green]- fixed[/] {escape(it.label())}", soft_wrap=True)
    if json_path:
        data = {"a": a.id, "b": b.id, "score": [a.score, b.score], "plain_score": [a.plain_score, b.plain_score],
                "documents": [{**{k: r[k] for k in ("location", "score", "plain_score", "unchanged", "only_in")},
                               "new": [vars(i) for i in r["new"]], "fixed": [vars(i) for i in r["fixed"]]}
                              for r in rows]}
        from core.files import write_atomic

        payload = _json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        _write(json_path, "the diff", lambda: write_atomic(json_path, payload))


@app.command()
def show(
    run_id: str = RunIdArg,
    json_path: Optional[Path] = JsonOpt,
    report: List[str] = ReportOpt,
    db: Optional[str] = DbOpt,
    lang: Optional[Lang] = LangOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Print a stored run again (and write reports of it)."""
    from reports.terminal import TerminalReporter

    cfg = _load_config(config, db=db, lang=lang)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    TerminalReporter(out).render(run, lang=cfg["lang"])
    _write_reports(run, _report_specs(([f"json:{json_path}"] if json_path else []) + [*report]), cfg["lang"], store)


RUNS_FORMATS = ("table", "json", "csv")
RUN_FIELDS = ("id", "project", "started_at", "ended_at", "status", "documents", "errors", "score", "plain_score",
              "klartjek_version", "targets", "workers")


@app.command()
def runs(
    limit: int = typer.Option(20, "--limit", help="How many runs to list, newest first (0: all)."),
    project: Optional[str] = typer.Option(None, "--project", help="Only the runs of this project."),
    fmt: Literal["table", "json", "csv"] = typer.Option("table", "--format", help="table for people; json or "
                                                         "csv for other tools (every field, numbers unrounded)."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """List stored runs, newest first."""
    import json as _json

    from reports.terminal import fmt_score

    cfg = _load_config(config, db=db)
    if limit < 0:
        _fail(f"--limit {limit}: give 0 (all) or more")
    store = _store(cfg)
    rows = store.list_runs(limit or None, project=project)
    if project is not None and not rows and project not in store.projects():
        known = store.projects()
        _fail(f"--project {project!r}: no stored run has this project"
              + (f"; the projects are: {', '.join(known[:20])}" if known else "; no run has a project yet "
                 "(klartjek audit --project NAME labels one)"))
    workers = store.workers(r["id"] for r in rows)
    records = [{"id": r["id"], "project": r["project"], "started_at": r["started_at"], "ended_at": r["ended_at"],
                "status": r["status"], "documents": r["n"] or 0, "errors": r["errors"] or 0, "score": r["score"],
                "plain_score": r["plain_score"], "klartjek_version": r["klartjek_version"],
                "targets": _json.loads(r["targets"] or "[]"), "workers": workers.get(r["id"], {})} for r in rows]
    if fmt == "json":
        sys.stdout.write(_json.dumps(records, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        import csv

        from reports.csv_report import safe

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(RUN_FIELDS)
        for rec in records:
            w.writerow([safe(" ".join(v) if isinstance(v, list) else
                             " ".join(f"{k}={n}" for k, n in v.items()) if isinstance(v, dict) else v)
                        for v in (rec[k] for k in RUN_FIELDS)])
        return
    if not rows:
        out.print("No stored runs yet; `klartjek audit TARGET` makes one.")
        return
    table = Table(show_edge=False, pad_edge=False)
    # the run id is what users copy: never wrapped, never cut
    table.add_column("Run", no_wrap=True, min_width=max(len(r["id"]) for r in rows))
    if any(r["project"] for r in rows):
        table.add_column("Project", overflow="fold")
    for col in ("Started (UTC)", "Status", "Documents", "Errors", "Score"):
        table.add_column(col, no_wrap=True)
    table.add_column("Targets", overflow="fold")
    if workers:
        table.add_column("Workers (documents)", overflow="fold")
    for r in rows:
        status = r["status"] if r["ended_at"] else f"{r['status']} (interrupted)"
        targets = ", ".join(_json.loads(r["targets"] or "[]"))
        cells = [r["id"]] + ([escape(r["project"] or "–")] if any(x["project"] for x in rows) else [])
        done_by = [escape(", ".join(f"{w} {n}" for w, n in workers.get(r["id"], {}).items()) or "–")] \
            if workers else []
        table.add_row(*cells, (r["started_at"] or "")[:19].replace("T", " "), status,
                      str(r["n"] or 0), str(r["errors"] or 0), fmt_score(r["score"]), escape(targets), *done_by)
    out.print(table)


@app.command()
def checks(
    lang: Optional[Lang] = LangOpt,
    selected: bool = typer.Option(False, "--selected", help="Only the checks the current configuration runs on "
                                  "pages."),
    level: Optional[Level] = typer.Option(None, "--level", help="Highest WCAG level checked [default: AA]."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """List every check: code, name, category, WCAG success criteria, level, impact and title."""
    from checks import REGISTRY

    cfg = _load_config(config, lang=lang, level=level)
    metas = REGISTRY.select(cfg) if selected else list(REGISTRY)
    chosen = {m.code for kind in ("page", "letter", "text", "site") for m in REGISTRY.select(cfg, kind)}
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Code", "Name", "Category", "WCAG", "Level", "Impact", "Runs", "Title"):
        table.add_column(col, overflow="fold")
    for m in metas:
        table.add_row(m.code, m.name, m.category.value, ", ".join(m.wcag) or "–", m.level or "–",
                      m.impact or "–", "yes" if m.code in chosen else "no", escape(m.text("title", cfg["lang"])))
    out.print(table)
    out.print(f"{len(metas)} checks; 'Runs' says whether the current configuration runs them (docs/checks.md).")


# -- texts, the browser, the set-up ------------------------------------------------------------------

TEXT_FORMATS = ("terminal", "json", "html")


@app.command()
def text(
    source: str = typer.Argument(..., help="A plain-text, Markdown or HTML file, or - for standard input."),
    report: List[str] = typer.Option([], "--report", metavar="FORMAT[:PATH]",
                                     help="FORMAT or FORMAT:PATH (repeatable): terminal, json or "
                                     "html; PATH '-' or none: standard output [default: terminal]."),
    fmt: Optional[str] = typer.Option(None, "--format", hidden=True),
    out_path: Optional[Path] = typer.Option(None, "--out", hidden=True),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="The text's language (default: the HTML's lang, else "
                                        "the language detected in a text of 20 words or more, else "
                                        "klarsprog.text_lang, da). Explanations follow it."),
    profile: Optional[Profile] = typer.Option(None, "--profile", help="Thresholds [default: klarsprog.text_profile, "
                                              "patient-info]."),
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                             "[default: serious]."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Check a text in plain Danish (LIX, long sentences, passive, jargon …) before it is published."""
    from audit.textextract import text_artifact
    from audit.texts import check_text

    specs = list(report)
    if fmt is not None or out_path is not None:      # the former --format/--out
        specs.append(f"{fmt or 'terminal'}:{out_path or '-'}")
    outputs = _text_outputs(specs, "a text's")
    cfg = _load_config(config, fail_on=fail_on)
    ks = cfg["klarsprog"]
    ks["profile"] = profile or ks["text_profile"]
    ks["enabled"] = True
    raw, name = _read_text_source(source, int(cfg["letters"]["max_bytes"]))
    artifacts = {"text": text_artifact(name, _decode(raw, name), lang)}
    doc = check_text(artifacts["text"], name, _sha256(raw), cfg)   # without a lang: what the text is in
    shown_lang = doc.language if doc.language in ("da", "en") else "da"
    for f, path in outputs:
        _text_report(f, path, doc, artifacts["text"]["text"], shown_lang, cfg, name)
    gate = count_gate_failures(Run(id="", started_at="", documents=[doc]), cfg["fail_on"])
    raise typer.Exit(EXIT_FAILURES if gate else EXIT_OK)


def _text_outputs(specs: list[str], whose: str) -> list[tuple[str, Optional[Path]]]:
    """--report FORMAT[:PATH] of `text` and `sms`: (format, path or None for standard output)."""
    outputs = []
    for spec in specs or ["terminal"]:
        f, _, path = spec.partition(":")
        if f not in TEXT_FORMATS:
            _fail(f"--report {spec}: the format of {whose} report is one of {', '.join(TEXT_FORMATS)}")
        outputs.append((f, Path(path) if path and path != "-" else None))
    return outputs




@app.command()
def sms(
    source: str = typer.Argument(..., help="A text file with one SMS (a template with {placeholders}), or - for "
                                 "standard input."),
    value: List[str] = typer.Option([], "--value", metavar="NAME=TEXT", help="The longest value of a placeholder "
                                    "(repeatable), e.g. --value afdeling=\"Øjenambulatoriet, AUH\"."),
    max_segments: Optional[int] = typer.Option(None, "--max-segments", help="More segments than this is a "
                                               "finding [default: sms.max_segments, 2]."),
    sender: Optional[str] = typer.Option(None, "--sender", help="The sender name phones show (an alphanumeric "
                                         "sender ID) [default: sms.sender]."),
    report: List[str] = typer.Option([], "--report", metavar="FORMAT[:PATH]",
                                     help="FORMAT or FORMAT:PATH (repeatable): terminal, json or html; PATH '-' or "
                                     "none: standard output [default: terminal]."),
    lang: Optional[Lang] = LangOpt,
    fail_on: Optional[Impact] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                             "[default: serious]."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Check an SMS reminder: encoding and segments as a phone sees them (placeholders at their longest),
    what a reminder must hold (date with weekday, time, place, how to move or cancel, sender), no CPR
    number, safe links, and plain Danish for short texts (docs/sms.md)."""
    from audit.texts import SMS_MAX_BYTES, check_sms

    outputs = _text_outputs(report, "an SMS's")
    values = {}
    for v in value:
        name, sep, text_ = v.partition("=")
        if not sep or not name.strip():
            _fail(f"--value {v!r}: give NAME=TEXT, e.g. --value afdeling=\"Øjenambulatoriet\"")
        values[name.strip().strip("{}").lower()] = text_
    overrides = {k: x for k, x in dict(max_segments=max_segments, sender=sender).items() if x is not None}
    cfg = _load_config(config, fail_on=fail_on, lang=lang, sms=overrides or None)
    ks = cfg["klarsprog"]
    ks["profile"], ks["enabled"] = "sms", True
    raw, name = _read_text_source(source, SMS_MAX_BYTES, "64 KiB for an SMS", "a text file with one SMS")
    if b"\x00" in raw:
        _fail(f"{name}: not a text (it holds NUL bytes); give the SMS as a UTF-8 text file")
    try:
        doc, artifacts = check_sms(_decode(raw, name), {**cfg["sms"]["values"], **values}, name, _sha256(raw), cfg)
    except KlartjekError as exc:
        _fail(str(exc))
    for f, path in outputs:
        _text_report(f, path, doc, artifacts["sms"]["text"], cfg["lang"], cfg, name)
    gate = count_gate_failures(Run(id="", started_at="", documents=[doc]), cfg["fail_on"])
    raise typer.Exit(EXIT_FAILURES if gate else EXIT_OK)


@app.command()
def worker(
    broker: Optional[str] = BrokerOpt,
    concurrency: Optional[int] = typer.Option(None, "--concurrency", "-c", min=1, help="Documents this worker "
                                              "audits at the same time, in one Chromium [default: one per CPU "
                                              "core, at least 2]."),
    name: Optional[str] = typer.Option(None, "--name", "-n", help="The worker's name in `klartjek runs` and "
                                       "logs, NAME@HOST [default: klartjek-PID@HOST]."),
    loglevel: Literal["debug", "info", "warning", "error"] = typer.Option("info", "--loglevel",
                                                                         help="What the worker logs."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Audit the documents of distributed audits (`klartjek audit --distributed`) until stopped: Ctrl-C or
    SIGTERM lets the documents under way finish (docs/scale.md)."""
    from audit.distributed import broker_url, default_concurrency, worker_main

    cfg = _load_config(config)
    try:
        url = broker_url(cfg, broker)
    except KlartjekError as exc:
        _fail(str(exc))
    if name is not None and (not name.strip() or len(name) > 150 or not name.isprintable()):
        _fail(f"--name {name[:80]!r}: give a printable name of at most 150 characters")
    worker_main(url, concurrency or default_concurrency(cfg), name,
                cfg["distributed"]["visibility_timeout"], loglevel.upper())


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Only this machine reaches "
                             "127.0.0.1; another address lets others on the network in (a warning says so)."),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="Port to listen on (0: any free port)."),
    lang: Optional[Lang] = typer.Option(None, "--lang", help="Language of the page and the findings [default: da]."),
    max_upload_mb: int = typer.Option(10, "--max-upload-mb", min=1, max=100, help="Largest file or text the page "
                                      "takes, in MB."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """The editors' workbench: a local web page to check a text, a Word, PDF or Digital Post letter, or an
    SMS in plain Danish; nothing is stored unless the editor saves it (docs/workbench.md)."""
    from workbench import serve as serve_workbench

    cfg = _load_config(config, db=db, lang=lang)
    serve_workbench(cfg, host, port, cfg["lang"], max_upload_mb)


def _read_text_source(source: str, limit: int, limit_name: str = "letters.max_bytes",
                      kind: str = "a text, Markdown or HTML file") -> tuple[bytes, str]:
    if source == "-":
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            _fail(f"-: the text is over the limit of {limit:,} bytes ({limit_name}); check the input")
        return raw, "-"
    from core.files import FileReadError, FileTooLarge, read_bounded

    if not Path(source).exists():
        _fail(f"{source}: no such file; give {kind}, or - for standard input")
    try:
        return read_bounded(source, limit), source
    except FileTooLarge:
        _fail(f"{source}: the text is over the limit of {limit:,} bytes ({limit_name}); check the file")
    except FileReadError as exc:
        _fail(f"{source}: cannot read it ({exc.reason}); give {kind}")


def _text_report(fmt: str, path: Optional[Path], doc, text: str, lang: str, cfg, name: str) -> None:
    import io

    from reports.text_report import render_html, render_terminal

    if fmt == "terminal" and path is None:
        render_terminal(doc, text, out, lang)
        return
    buf = io.StringIO()
    if fmt == "terminal":
        render_terminal(doc, text, safe_console(file=buf, width=100), lang)
    elif fmt == "json":
        from audit.config import config_hash, public_config
        from audit.runner import new_run_id, now
        from core import __version__
        from reports.json_report import JsonReporter

        run = Run(id=new_run_id(), started_at=now(), ended_at=now(), status="complete",
                  klartjek_version=__version__, config_hash=config_hash(cfg), config=public_config(cfg),
                  targets=[name], documents=[doc], plain_score=doc.plain_score)
        JsonReporter().render(run, buf)
    else:
        render_html(doc, text, buf, lang)
    if path is None:
        from reports import STDOUT_SAFE

        sys.stdout.write(STDOUT_SAFE.get(fmt, lambda s: s)(buf.getvalue()))
        return
    from core.files import write_atomic

    _write(path, f"the {fmt} report", lambda: write_atomic(path, buf.getvalue().encode("utf-8")))


def _sha256(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def _decode(raw: bytes, name: str) -> str:
    from audit.textextract import decode_text
    from core.errors import TargetError

    try:
        return decode_text(raw, name)
    except TargetError as exc:
        _fail(str(exc))


def _playwright_chromium() -> str | None:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            return pw.chromium.executable_path
    except Exception:  # noqa: BLE001 - playwright's driver missing: fall through to the system browser
        return None


@app.command()
def browser(config: Optional[Path] = ConfigOpt) -> None:
    """Show which Chromium klartjek would use, or how to get one."""
    from audit.browser import find_chromium

    cfg = _load_config(config)
    pw_path = _playwright_chromium()
    choice = find_chromium(cfg["browser"]["executable"], pw_path)
    out.print(f"{choice.executable or pw_path} ({choice.source})", soft_wrap=True)


@app.command()
def doctor(
    db: Optional[str] = DbOpt,
    block_external: Optional[bool] = typer.Option(None, "--block-external/--no-block-external",
                                                  help="Check the network policy of --block-external."),
    allow_host: List[str] = typer.Option([], "--allow-host", metavar="HOST[:PORT]",
                                         help="A host (or host:port) reachable with "
                                         "--block-external (repeatable)."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Check the set-up before an audit: configuration, browser, database, network scope.

    Exit 0 when everything works, 2 when something does not (each problem says what to do)."""
    from audit.doctor import diagnose

    ok = True
    for item in diagnose(config, db, block_external, allow_host):
        mark = "[green]ok[/]  " if item.ok else "[red]fail[/]"
        out.print(f"{mark} {escape(item.what)}: {escape(item.detail)}", soft_wrap=True)
        ok &= item.ok
    raise typer.Exit(EXIT_OK if ok else EXIT_USAGE)


def main() -> None:
    """Entry point: every error becomes one line and its exit code, never a traceback."""
    try:
        app(prog_name="klartjek")  # typer handles --help and usage errors itself (exit 2) and exits
        code = EXIT_OK
    except SystemExit as exc:
        code = exc.code
    except KlartjekError as exc:
        err.print(f"[red]klartjek:[/] {escape(str(exc))}", soft_wrap=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        err.print("[red]klartjek:[/] interrupted")
        code = EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("KLARTJEK_DEBUG"):
            import traceback

            traceback.print_exc()          # the exit code stays that of an internal error
        first = (str(exc).strip().splitlines() or [""])[0]
        err.print(f"[red]klartjek: internal error:[/] {escape(type(exc).__name__)}: {escape(first)} "
                  "(set KLARTJEK_DEBUG=1 to see the traceback, and please report it)", soft_wrap=True)
        code = EXIT_INTERNAL
    _end(code)


def _end(code) -> None:
    """End the process with ``code`` (as sys.exit takes it): output flushed and databases closed,
    then os._exit. The interpreter's own shutdown would free the finished run's objects one by
    one, 0.25 s after a 200-page audit, for memory the operating system takes back at once."""
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for store in _OPENED:
        with contextlib.suppress(Exception):
            store.close()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(int(code))


if __name__ == "__main__":
    main()
