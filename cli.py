"""The `klartjek` command.

Exit codes (docs/exit-codes.md): 0 no failure at or above --fail-on; 1 failures at or above it;
2 usage or input error (bad option, config or --db, no browser, a target that could not be
audited); 3 internal error; 130 interrupted (the run is kept, marked partial).
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import signal
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.errors import EXIT_FAILURES, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, KlartjekError
from core.model import Run, impact_rank
from reports.console import safe_console

app = typer.Typer(
    name="klartjek", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Audit citizen-facing pages for accessibility (WCAG, axe-core in Chromium) and plain Danish.",
)
out = safe_console()
err = safe_console(stderr=True)


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


LevelOpt = typer.Option(None, "--level", help="Highest WCAG level checked: A, AA or AAA [default: AA].")
ConfigOpt = typer.Option(None, "--config", help="Config file (default: klartjek.toml or "
                         "[tool.klartjek] in pyproject.toml, in this folder or above).")
DbOpt = typer.Option(None, "--db", help="History database: a path or a SQLAlchemy URL "
                     "[default: .klartjek/history.sqlite].")
LangOpt = typer.Option(None, "--lang", help="Language of finding texts: da or en [default: da].")


@app.command()
def audit(
    targets: Optional[List[str]] = typer.Argument(None, help="http(s) URLs, .html files or folders of a "
                                                  "static site [default: targets in the config]."),
    level: Optional[str] = LevelOpt,
    wcag_version: Optional[str] = typer.Option(None, "--wcag-version",
                                               help="WCAG version: 2.0, 2.1 or 2.2 [default: 2.2]."),
    best_practices: Optional[bool] = typer.Option(None, "--best-practices/--no-best-practices",
                                                  help="Also run axe-core's best-practice rules."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit "
                                          "code 1: critical, serious, moderate, minor or none [default: serious]."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the run as JSON to this file."),
    report: List[str] = typer.Option([], "--report", help="Also write a report, FORMAT or FORMAT:PATH "
                                     "(repeatable); formats: html, json, sarif, junit, csv, markdown, terminal. "
                                     "Without a path: klartjek.html, klartjek.sarif …; PATH '-': standard output."),
    db: Optional[str] = DbOpt,
    lang: Optional[str] = LangOpt,
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds a page may take to load, more than 0 "
                                            "[default: 30]."),
    screenshots: Optional[str] = typer.Option(None, "--screenshots", help="Photograph failing elements for the "
                                              "HTML report: on, off or auto (when this audit writes one) "
                                              "[default: auto]."),
    viewport: Optional[str] = typer.Option(None, "--viewport", help="Browser window WIDTHxHEIGHT in CSS pixels, "
                                           "e.g. 320x640 [default: 1280x900]."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Pages audited at the same time "
                                          "[default: one per CPU core, at least 2]."),
    block_external: Optional[bool] = typer.Option(
        None, "--block-external/--no-block-external",
        help="Let the browser reach only the audited hosts and --allow-host hosts."),
    allow_host: List[str] = typer.Option([], "--allow-host", help="A host the browser may reach with "
                                         "--block-external (repeatable)."),
    site_root: Optional[Path] = typer.Option(None, "--site-root", help="Serve single .html file targets below "
                                             "this folder from it, so links such as ../css/site.css load "
                                             "[default: the file's own folder]."),
    crawl: Optional[bool] = typer.Option(None, "--crawl/--no-crawl", help="Follow robots.txt, sitemaps and "
                                         "links from the URL targets, within their origins."),
    include: List[str] = typer.Option([], "--include", help="Crawl only URLs matching this glob (repeatable)."),
    exclude: List[str] = typer.Option([], "--exclude", help="Never audit URLs matching this glob (repeatable)."),
    max_pages: Optional[int] = typer.Option(None, "--max-pages", help="Pages a crawl audits at most [default: 500]."),
    max_depth: Optional[int] = typer.Option(None, "--max-depth", help="Links a crawl follows from a start URL "
                                            "[default: 10]."),
    ignore_robots: Optional[bool] = typer.Option(None, "--ignore-robots", help="Audit what robots.txt "
                                                 "disallows (for one's own site)."),
    incremental: Optional[bool] = typer.Option(None, "--incremental/--no-incremental", help="Reuse the "
                                               "results of pages unchanged since the last run of the same "
                                               "targets and settings."),
    resume: Optional[str] = typer.Option(None, "--resume", help="Continue an interrupted run (its id): "
                                         "finished pages are not audited again; targets and settings are "
                                         "the run's own."),
    config: Optional[Path] = ConfigOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
) -> None:
    """Audit pages in Chromium with axe-core; store, score and report the run."""
    crawl_opts = {k: v for k, v in dict(enabled=crawl, max_pages=max_pages, max_depth=max_depth,
                                        ignore_robots=ignore_robots).items() if v is not None}
    cfg = _load_config(config, level=level, wcag_version=wcag_version, best_practices=best_practices,
                       fail_on=fail_on, db=db, lang=lang, timeout=timeout, workers=workers, viewport=viewport,
                       screenshots=screenshots, site_root=str(site_root) if site_root else None,
                       block_external=block_external, crawl=crawl_opts or None, incremental=incremental)
    targets = list(targets or []) or list(cfg["targets"])
    if not targets and not resume:
        _fail("give at least one target (a URL, an .html file or a folder), set targets in the config, "
              "or --resume RUN_ID")
    from core.netscope import parse_entry

    for host in allow_host:
        parse_entry(host, "--allow-host")
    cfg["allow_hosts"] = [*cfg["allow_hosts"], *allow_host]
    report_specs = _report_specs([*cfg["reports"], *report])
    cfg["crawl"]["include"] = [*cfg["crawl"]["include"], *include]
    cfg["crawl"]["exclude"] = [*cfg["crawl"]["exclude"], *exclude]
    _run_audit(cfg, targets, report_specs, json_path, quiet, resume)


def _run_audit(cfg, targets: list[str], report_specs, json_path: Optional[Path], quiet: bool,
               resume: Optional[str] = None, letters: bool = False) -> None:
    """Audit (or resume), store, print and write the reports; exits with the run's exit code."""
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
            state = fmt_score(doc.score) if doc.status == "ok" else "error"
            err.print(f"[{done}/{bar.tasks[0].total}] {escape(doc.location)} {state}", soft_wrap=True)

    store = None
    if resume:
        store = _store(cfg)
        resume = store.resolve_run_id(resume)
        stored = store.load_run(resume)
        if stored.ended_at and stored.status == "complete":
            _fail(f"run {resume} is complete; there is nothing to resume")
        from audit.config import defaults

        keep = {k: cfg[k] for k in ("db", "workers", "lang", "fail_on", "browser")}
        cfg = {**defaults(), **stored.config, **keep}   # the run's own settings
        targets = stored.targets
    auditor = None

    async def main():
        nonlocal auditor, store
        # SIGTERM (kill) ends the run like Ctrl-C: finished documents stay, the run is partial.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
        playwright = None
        if not letters and not cfg["incremental"]:
            # the browser driver (a Node process) starts while the rest of klartjek is imported
            from audit.browser import start_playwright

            playwright = asyncio.create_task(start_playwright())
            await asyncio.sleep(0.05)
        try:
            from audit.runner import Auditor
            from audit.runner import Progress as Callbacks

            store = store or _store(cfg)
        except BaseException:
            if playwright is not None:              # a bad --db: stop the driver started above
                with contextlib.suppress(BaseException):
                    await (await playwright).stop()
            raise
        auditor = Auditor(cfg, store, Callbacks(started=started, finished=finished),
                          html_report=any(fmt == "html" for fmt, _ in report_specs), letters=letters,
                          playwright=playwright)
        return await auditor.run(targets or [], resume=resume)

    try:
        with bar:
            outcome = asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        rid = auditor.current_run.id if auditor and auditor.current_run else "?"
        _fail(f"interrupted; the finished documents are kept in run {rid} (partial)", EXIT_INTERRUPTED)
    from reports.json_report import write_json
    from reports.terminal import TerminalReporter

    run = outcome.run
    if outcome.interrupted:
        _fail(f"interrupted; the finished documents are kept in run {run.id} (partial)", EXIT_INTERRUPTED)
    if json_path:
        _write(json_path, "the JSON report", lambda: write_json(run, json_path))
    if outcome.reused:
        out.print(f"Reused {outcome.reused} unchanged document(s) from run {outcome.reused_from}.")
    gate = count_gate_failures(run, cfg["fail_on"])
    if not quiet:
        TerminalReporter(out).render(run, lang=cfg["lang"])
    if json_path:
        out.print(f"JSON: {escape(str(json_path))}")
    _write_reports(run, report_specs, cfg["lang"], store)
    from audit.store import shown_db

    out.print(f"Run {run.id} stored in {escape(shown_db(str(cfg['db'])))}; `klartjek show {run.id}` prints it again.")
    if outcome.input_errors:
        if quiet:                  # the report above lists them otherwise
            for e in outcome.input_errors:
                err.print(f"[red]klartjek:[/] {escape(e)}", soft_wrap=True)
        err.print(f"[red]klartjek:[/] {len(outcome.input_errors)} target(s) could not be audited; "
                  "the run is partial (exit 2)")
        raise typer.Exit(EXIT_USAGE)
    if gate:
        out.print(f"{gate} failure(s) at or above '{cfg['fail_on']}' (exit 1)")
        raise typer.Exit(EXIT_FAILURES)
    raise typer.Exit(EXIT_OK)


@app.command()
def letter(
    paths: List[str] = typer.Argument(..., help="Letters: .pdf, .docx, .xml (Digital Post MeMo) or .html files, "
                                      "folders of them, or http(s) URLs."),
    level: Optional[str] = LevelOpt,
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit "
                                          "code 1: critical, serious, moderate, minor or none [default: serious]."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Write the run as JSON to this file."),
    report: List[str] = typer.Option([], "--report", help="Also write a report, FORMAT or FORMAT:PATH "
                                     "(repeatable); formats: html, json, sarif, junit, csv, markdown, terminal."),
    db: Optional[str] = DbOpt,
    lang: Optional[str] = LangOpt,
    block_external: Optional[bool] = typer.Option(
        None, "--block-external/--no-block-external",
        help="HTML letters: let the browser reach only the letter's own host."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Letters checked at the same time "
                                          "[default: one per CPU core, at least 2]."),
    config: Optional[Path] = ConfigOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only the summary line."),
) -> None:
    """Check invitation letters and Digital Post messages: PDF/UA and WCAG, Word structure, MeMo
    fields, plain Danish and the key facts of an appointment. Stored and reported like an audit."""
    cfg = _load_config(config, level=level, fail_on=fail_on, db=db, lang=lang, workers=workers,
                       block_external=block_external)
    report_specs = _report_specs([*cfg["reports"], *report])
    _run_audit(cfg, list(paths), report_specs, json_path, quiet, letters=True)


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


def _write_reports(run: Run, specs: list[tuple[str, Optional[Path]]], lang: str, store=None) -> None:
    from reports import write_report

    for fmt, path in specs:
        _write(path or Path("-"), f"the {fmt} report",
               lambda fmt=fmt, path=path: write_report(run, fmt, path, lang, store))
        if path is not None:
            out.print(f"{fmt.upper() if fmt in ('html', 'csv') else fmt.capitalize()} report: {escape(str(path))}")


@app.command()
def report(
    run_id: str = typer.Argument("latest", help="A run id, a unique prefix of one, or 'latest'."),
    fmt: str = typer.Option("html", "--format", "-f", help="html, json, sarif, junit, csv, markdown or terminal."),
    out_path: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the report to this file "
                                            "(default: standard output)."),
    db: Optional[str] = DbOpt,
    lang: Optional[str] = LangOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Render a stored run in any report format, without a browser."""
    from reports import DEFAULT_FILES, write_report

    if fmt not in DEFAULT_FILES:
        _fail(f"--format is {fmt!r}; choose one of {', '.join(sorted(DEFAULT_FILES))}")
    cfg = _load_config(config, db=db, lang=lang)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    _write(out_path or Path("-"), f"the {fmt} report", lambda: write_report(run, fmt, out_path, cfg["lang"], store))
    if out_path is not None:
        err.print(f"{fmt} report of run {run.id}: {escape(str(out_path))}")


baseline_app = typer.Typer(help="Accept the findings of a run for now (a file for version control).",
                            no_args_is_help=True, rich_markup_mode=None)
app.add_typer(baseline_app, name="baseline")


@baseline_app.command("save")
def baseline_save(
    run_id: str = typer.Argument("latest", help="A run id, a unique prefix of one, or 'latest'."),
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
    out.print(f"Baseline of run {run.id}: {n} finding(s) in {escape(str(path))}")


@app.command()
def gate(
    run_id: str = typer.Argument("latest", help="A run id, a unique prefix of one, or 'latest'."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Baseline file [default: gate.baseline "
                                            "when it exists]."),
    no_baseline: bool = typer.Option(False, "--no-baseline", help="Judge every finding as new."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Lowest impact of a new finding that fails "
                                          "the gate [default: fail_on, serious]."),
    min_score: Optional[float] = typer.Option(None, "--min-score", help="Lowest WCAG score [default: gate.min_score]."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Pass or fail a run for CI: new findings (not in the baseline, not suppressed), scores, LIX.

    Exit 0 when it passes, 1 when it fails (every reason is printed), 2 on bad input."""
    from audit.gate import gate as judge
    from audit.gate import read_baseline

    cfg = _load_config(config, db=db, fail_on=fail_on)
    if min_score is not None:
        cfg["gate"]["min_score"] = min_score
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
              f"{res.suppressed} suppressed")
    for it in res.new:
        out.print(f"  [red]new[/] {escape(it.label())}")
    for it in res.below:
        out.print(f"  [dim]below '{escape(cfg['fail_on'])}'[/] {escape(it.label())}")
    if res.passed:
        out.print("[green]Gate passed.[/]")
        raise typer.Exit(EXIT_OK)
    out.print("[red]Gate failed:[/]")
    for r in res.reasons:
        out.print(f"  - {escape(r)}")
    raise typer.Exit(EXIT_FAILURES)


@app.command()
def diff(
    run_a: str = typer.Argument(..., help="The earlier run (id, prefix or 'latest')."),
    run_b: str = typer.Argument("latest", help="The later run [default: latest]."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Also write the diff as JSON to this file."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """New, fixed and unchanged findings and score changes between two runs, per page."""
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
              f"plain-language score {fmt_score(a.plain_score)} → {fmt_score(b.plain_score)}")
    for r in rows:
        if not (r["new"] or r["fixed"] or r["only_in"] or r["score"][0] != r["score"][1]):
            continue
        sa, sb = r["score"]
        extra = {"a": " (only in the earlier run)", "b": " (only in the later run)"}.get(r["only_in"] or "", "")
        out.print(f"[bold]{escape(r['location'])}[/]{extra}: score {fmt_score(sa)} → {fmt_score(sb)}")
        for it in r["new"]:
            out.print(f"  [red]+ new[/]   {escape(it.label())}")
        for it in r["fixed"]:
            out.print(f"  [green]- fixed[/] {escape(it.label())}")
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
    run_id: str = typer.Argument("latest", help="A run id, a unique prefix of one, or 'latest'."),
    json_path: Optional[Path] = typer.Option(None, "--json", help="Also write the run as JSON to this file."),
    db: Optional[str] = DbOpt,
    lang: Optional[str] = LangOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Print a stored run again."""
    from reports.json_report import write_json
    from reports.terminal import TerminalReporter

    cfg = _load_config(config, db=db, lang=lang)
    store = _store(cfg)
    run = _stored_run(store, run_id)
    TerminalReporter(out).render(run, lang=cfg["lang"])
    if json_path:
        _write(json_path, "the JSON report", lambda: write_json(run, json_path))
        out.print(f"JSON: {escape(str(json_path))}")


@app.command()
def runs(
    limit: int = typer.Option(20, "--limit", help="How many runs to list, newest first."),
    db: Optional[str] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """List stored runs, newest first."""
    from reports.terminal import fmt_score

    cfg = _load_config(config, db=db)
    rows = _store(cfg).list_runs(limit)
    if not rows:
        out.print("No stored runs yet; `klartjek audit TARGET` makes one.")
        return
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Run", "Started (UTC)", "Status", "Documents", "Errors", "Score"):
        table.add_column(col, no_wrap=True)
    table.add_column("Targets", overflow="fold")
    import json as _json

    for r in rows:
        status = r["status"] if r["ended_at"] else f"{r['status']} (interrupted)"
        targets = ", ".join(_json.loads(r["targets"] or "[]"))
        table.add_row(r["id"], (r["started_at"] or "")[:19].replace("T", " "), status,
                      str(r["n"] or 0), str(r["errors"] or 0), fmt_score(r["score"]), escape(targets))
    out.print(table)


@app.command()
def checks(
    lang: Optional[str] = LangOpt,
    selected: bool = typer.Option(False, "--selected", help="Only the checks the current "
                                  "configuration runs on pages."),
    level: Optional[str] = LevelOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """List every check: code, name, WCAG success criteria, level, impact and title."""
    from checks import REGISTRY

    cfg = _load_config(config, lang=lang, level=level)
    metas = REGISTRY.select(cfg) if selected else list(REGISTRY)
    chosen = {m.code for m in REGISTRY.select(cfg)}
    table = Table(show_edge=False, pad_edge=False)
    for col in ("Code", "Name", "WCAG", "Level", "Impact", "Runs", "Title"):
        table.add_column(col, overflow="fold")
    for m in metas:
        title = m.text("title", cfg["lang"]) + ("" if m.translated(cfg["lang"]) else " (en)")
        table.add_row(m.code, m.name, ", ".join(m.wcag) or "–", m.level or ("bp" if m.family == "axe" else "–"),
                      m.impact or "–", "yes" if m.code in chosen else "no", escape(title))
    out.print(table)
    out.print(f"{len(metas)} checks; 'Runs' says whether the current configuration runs them. "
              "'(en)': no Danish text in axe-core's Danish locale.")


@app.command()
def text(
    source: str = typer.Argument(..., help="A plain-text, Markdown or HTML file, or - for standard input."),
    fmt: str = typer.Option("terminal", "--format", help="terminal, json or html."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Write the json or html report here "
                                            "(default: standard output)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="The text's language, da or en (default: the "
                                       "HTML's lang, else klarsprog.text_lang, da). Explanations follow it."),
    profile: Optional[str] = typer.Option(None, "--profile", help="Thresholds: patient-info, letter or web "
                                          "[default: klarsprog.text_profile, patient-info]."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Lowest impact that makes the exit code 1 "
                                          "[default: serious]."),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Check a text in plain Danish (LIX, long sentences, passive, jargon …) before it is published."""
    from core.model import Document, Run
    from audit.runner import check_document, new_run_id, now
    from audit.textextract import text_artifact
    from reports.json_report import JsonReporter
    from reports.text_report import render_html, render_terminal

    if fmt not in ("terminal", "json", "html"):
        _fail(f"--format is {fmt!r}; choose terminal, json or html")
    if lang is not None and lang not in ("da", "en"):
        _fail(f"--lang is {lang!r}; choose da or en")
    cfg = _load_config(config, fail_on=fail_on)
    ks = cfg["klarsprog"]
    chosen = profile or ks["text_profile"]
    if chosen not in ks["profiles"]:
        _fail(f"--profile is {chosen!r}; choose one of {', '.join(ks['profiles'])}")
    ks["profile"] = chosen
    ks["enabled"] = True
    limit = int(cfg["letters"]["max_bytes"])
    if source == "-":
        raw, name = sys.stdin.buffer.read(limit + 1), "-"
        if len(raw) > limit:
            _fail(f"-: the text is over the limit of {limit:,} bytes (letters.max_bytes); check the input")
    else:
        from core.files import FileReadError, FileTooLarge, read_bounded

        name = source
        if not Path(source).exists():
            _fail(f"{source}: no such file; give a text, Markdown or HTML file, or - for standard input")
        try:
            raw = read_bounded(source, limit)
        except FileTooLarge:
            _fail(f"{source}: the text is over the limit of {limit:,} bytes (letters.max_bytes); check the file")
        except FileReadError as exc:
            _fail(f"{source}: cannot read it ({exc.reason}); give a text, Markdown or HTML file")
    content = _decode(raw, name)
    artifacts = {"text": text_artifact(name, content, lang)}
    doc = check_document(Document(kind="text", path=name, content_hash=_sha256(raw)), artifacts, cfg)
    doc.language = (doc.readability or {}).get("language")
    shown_lang = doc.language if doc.language in ("da", "en") else "da"
    if fmt == "terminal":
        render_terminal(doc, artifacts["text"]["text"], out, shown_lang)
    else:
        import io

        buf = io.StringIO()
        if fmt == "json":
            from audit import __version__
            from audit.config import config_hash, public_config

            run = Run(id=new_run_id(), started_at=now(), ended_at=now(), status="complete",
                      klartjek_version=__version__, config_hash=config_hash(cfg),
                      config=public_config(cfg), targets=[name], documents=[doc],
                      plain_score=doc.plain_score)
            JsonReporter().render(run, buf)
        else:
            render_html(doc, artifacts["text"]["text"], buf, shown_lang)
        if out_path:
            from core.files import write_atomic

            _write(out_path, f"the {fmt} report", lambda: write_atomic(out_path, buf.getvalue().encode("utf-8")))
        else:
            sys.stdout.write(buf.getvalue())
    gate = count_gate_failures(Run(id="", started_at="", documents=[doc]), cfg["fail_on"])
    raise typer.Exit(EXIT_FAILURES if gate else EXIT_OK)


def _sha256(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        _fail(f"{name}: looks like a binary file, not text; give a text, Markdown or HTML file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")   # older Danish Windows texts
        except UnicodeDecodeError:
            _fail(f"{name}: not UTF-8 text; save it as UTF-8 and try again")


@app.command()
def browser(config: Optional[Path] = ConfigOpt) -> None:
    """Show which Chromium klartjek would use, or how to get one."""
    from audit.browser import find_chromium

    cfg = _load_config(config)
    pw_path = None
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            pw_path = pw.chromium.executable_path
    except Exception:  # playwright's driver missing: fall through to the system browser
        pass
    choice = find_chromium(cfg["browser"]["executable"], pw_path)
    out.print(f"{choice.executable or pw_path} ({choice.source})")


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
    os._exit(code)


if __name__ == "__main__":
    main()
