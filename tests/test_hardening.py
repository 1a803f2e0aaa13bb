"""Hostile and unlucky inputs: special files, a full disk, a folder where a file belongs, a time limit
of 0, a corrupt database, control characters in documents, and signals during long work. Each gets
one clear line and its exit code; nothing is left behind (docs/security.md)."""
from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, load_json, run_cli

_spec = importlib.util.spec_from_file_location("make_memo", ROOT / "fixtures" / "letters" / "make_memo.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)

GOOD_PDF = ROOT / "fixtures" / "letters" / "pdf" / "good.pdf"


# --- special files -------------------------------------------------------------------------------

def test_a_letter_that_is_a_device_or_a_fifo_is_refused_at_once(tmp_path):
    (tmp_path / "nul.pdf").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "ror.pdf")
    os.mkfifo(tmp_path / "ror.xml")
    started = time.monotonic()
    res = run_cli("letter", "nul.pdf", "ror.pdf", "ror.xml", "--json", "r.json", "--db", "h.sqlite",
                  cwd=tmp_path, timeout=60)
    assert time.monotonic() - started < 30
    assert res.returncode == 2
    errors = {d["path"]: d["error"] for d in load_json(tmp_path / "r.json")["documents"]}
    assert errors == {
        "nul.pdf": "nul.pdf: not a regular file (a character device); give a file or a folder",
        "ror.pdf": "ror.pdf: not a regular file (a FIFO); give a file or a folder",
        "ror.xml": "ror.xml: not a regular file (a FIFO); give a file or a folder",
    }


def test_text_and_audit_refuse_special_files(tmp_path):
    os.mkfifo(tmp_path / "ror.txt")
    os.mkfifo(tmp_path / "ror.html")
    res = run_cli("text", "ror.txt", cwd=tmp_path, timeout=60)
    assert (res.returncode, res.stderr) == (2, "klartjek: ror.txt: cannot read it (not a regular file (a FIFO)); "
                                               "give a text, Markdown or HTML file\n")
    res = run_cli("audit", "ror.html", "--json", "r.json", "--db", "h.sqlite", cwd=tmp_path, timeout=60)
    assert res.returncode == 2
    assert load_json(tmp_path / "r.json")["documents"][0]["error"] == (
        "ror.html: not a regular file (a FIFO); give a file or a folder")


def test_read_bounded_stops_at_the_limit(tmp_path):
    from core.files import FileReadError, FileTooLarge, read_bounded

    (tmp_path / "a").write_bytes(b"x" * 101)
    assert read_bounded(tmp_path / "a", 101) == b"x" * 101
    with pytest.raises(FileTooLarge):
        read_bounded(tmp_path / "a", 100)
    with pytest.raises(FileReadError, match=r"^not a regular file \(a character device\)$"):
        read_bounded("/dev/zero", 100)
    with pytest.raises(FileReadError, match=r"^not a regular file \(a folder\)$"):
        read_bounded(tmp_path, 100)


# --- writing: a folder for a file, a full disk ------------------------------------------------

def test_a_folder_given_for_a_report_file_is_one_line_and_leaves_nothing(tmp_path):
    (tmp_path / "ud").mkdir()
    for args, what in ((["--json", "ud"], "the JSON report"), (["--report", "html:ud"], "the HTML report")):
        res = run_cli("letter", str(GOOD_PDF), *args, "--db", "h.sqlite", cwd=tmp_path)
        assert res.returncode == 2
        assert res.stderr.endswith(f"klartjek: could not write {what} to ud: is a folder; give a file name, "
                                   "not a folder\n"), res.stderr
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    assert [p.name for p in tmp_path.rglob("*") if "tmp" in p.name] == []
    assert list((tmp_path / "ud").iterdir()) == []


@pytest.fixture
def full_disk(tmp_path):
    """A 256 kB tmpfs (root only; CI runs as root)."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_full_disk_is_one_line_exit_2_and_no_temporary_file(full_disk, tmp_path):
    (full_disk / "fyld").write_bytes(b"\0" * (248 * 1024))     # 8 kB left: less than the report
    res = run_cli("letter", str(GOOD_PDF), "--json", str(full_disk / "r.json"), "--report",
                  f"html:{full_disk / 'r.html'}", "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 2, res.stderr
    assert res.stderr.endswith(f"klartjek: could not write the JSON report to {full_disk / 'r.json'}: No space "
                               "left on device; free some space\n"), res.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["fyld"]


def test_a_full_disk_under_the_history_database_is_one_line_exit_2(full_disk):
    (full_disk / "fyld").write_bytes(b"\0" * (250 * 1024))
    res = run_cli("letter", str(GOOD_PDF), "--db", str(full_disk / "h.sqlite"))
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith(f"klartjek: --db '{full_disk / 'h.sqlite'}': cannot open the database "
                                 "(database or disk is full)") or \
        f"klartjek: --db {full_disk / 'h.sqlite'}: could not store the run (database or disk is full)" in res.stderr, \
        res.stderr
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr


# --- limits and exit codes -----------------------------------------------------------------------

def test_a_time_limit_of_zero_is_refused(tmp_path):
    res = run_cli("audit", "fixtures/site/index.html", "--timeout", "0", "--db", str(tmp_path / "h.sqlite"))
    assert (res.returncode, res.stderr) == (2, "klartjek: command line: 'timeout' must be more than 0 seconds "
                                               "(there is no 'no limit': a page or download that never ends "
                                               "would hold the run)\n")
    (tmp_path / "k.toml").write_text("[letters]\ndownload_timeout = 0\n")
    res = run_cli("letter", str(GOOD_PDF), "--config", str(tmp_path / "k.toml"), "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 2
    assert res.stderr == (f"klartjek: {tmp_path / 'k.toml'} klartjek.toml: 'letters.download_timeout' must be "
                          "more than 0 seconds (there is no 'no limit': a page or download that never ends would "
                          "hold the run)\n")


def test_an_allow_host_that_is_not_a_host_is_refused(tmp_path):
    res = run_cli("audit", "fixtures/site/index.html", "--allow-host", "a.dk;<-loopback>", "--db",
                  str(tmp_path / "h.sqlite"))
    assert (res.returncode, res.stderr) == (2, "klartjek: --allow-host: 'a.dk;<-loopback>' is not a host name; "
                                               "give a host such as cdn.region.dk, optionally with a port "
                                               "(127.0.0.1:8000)\n")


def test_debug_output_never_changes_the_exit_code_of_an_internal_error(tmp_path):
    db = tmp_path / "h.sqlite"
    assert run_cli("letter", str(GOOD_PDF), "--db", str(db)).returncode in (0, 1)
    with sqlite3.connect(db) as con:                    # a damaged database: a fault klartjek does not expect
        con.execute("update runs set config = '{not json'")
    plain = run_cli("show", "latest", "--db", str(db))
    debug = run_cli("show", "latest", "--db", str(db), env={"KLARTJEK_DEBUG": "1"})
    assert plain.returncode == debug.returncode == 3
    assert plain.stderr.startswith("klartjek: internal error: JSONDecodeError: ") and "Traceback" not in plain.stderr
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert "klartjek: internal error: JSONDecodeError: " in debug.stderr


# --- control characters ------------------------------------------------------------------------

EVIL = "Indkaldelse\x1b]0;pwned\x07\x1b[2J\x1b[31mRØD\x9b31m\u202etxt.exe"


def test_control_characters_from_a_document_never_reach_the_terminal(tmp_path):
    pdf = pikepdf.open(GOOD_PDF)
    pdf.docinfo["/Title"] = pikepdf.String(b"\xfe\xff" + EVIL.encode("utf-16-be"))   # as written, not cleaned
    del pdf.Root.Metadata
    pdf.save(tmp_path / "ond.pdf")
    shown = "Indkaldelse\\x1b]0;pwned\\x1b[2J\\x1b[31mRØD\\x9b31m\\u202etxt.exe"   # Rich drops the bell
    for args, where in (([], "stdout"), (["--lang", "en"], "stdout"), (["--report", "markdown:-"], "stdout"),
                        (["--report", "csv:-"], "stdout"), (["--report", "json:-"], "stdout"),
                        (["--report", "junit:-"], "stdout"), (["-q"], None)):
        res = run_cli("letter", "ond.pdf", *args, "--db", "h.sqlite", cwd=tmp_path)
        assert res.returncode == 1, res.stderr
        for stream in (res.stdout, res.stderr):
            assert not any(c in stream for c in "\x1b\x07\x9b\u202e"), (args, stream)
        assert "pwned" in res.stdout or where is None
        if not args:
            assert f"Dokumentoplysningerne har titlen »{shown}" in res.stdout


def test_klartjek_text_shows_escape_sequences_as_text():
    res = subprocess.run([sys.executable, "-m", "cli", "text", "-"], input="Hej\x1b[2J med dig.\x07\n".encode(),
                         capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode in (0, 1)
    assert b"\x1b[2J" not in res.stdout and b"\x07" not in res.stdout
    assert b"Hej\\x1b[2J med dig." in res.stdout      # (Rich drops the bell itself)


# --- signals during long work --------------------------------------------------------------------

def big_memo(path: Path, megabytes: int) -> None:
    """A Digital Post message whose main document is ``megabytes`` MB of Danish text: minutes of
    plain-language work for the reader."""
    para = mk.LETTER_DA.replace("\n\n", " ") + "\n\n"
    text = (para * (megabytes * 1024 * 1024 // len(para.encode()) + 1)).encode()
    path.write_bytes(mk.message(main=[mk.file("text/plain", "lang.txt", "da", text)]))


def test_sigterm_and_sigint_end_a_run_busy_reading_a_letter_within_two_seconds(tmp_path):
    big_memo(tmp_path / "lang.xml", 30)
    for sig in (signal.SIGTERM, signal.SIGINT):
        db = tmp_path / f"{sig.name}.sqlite"
        proc = subprocess.Popen([sys.executable, "-m", "cli", "letter", str(GOOD_PDF), str(tmp_path / "lang.xml"),
                                 "--workers", "1", "--db", str(db)], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:       # the small letter is stored; the big one is read
                try:
                    with sqlite3.connect(db) as con:
                        if con.execute("select count(*) from documents").fetchone()[0]:
                            break
                except sqlite3.OperationalError:
                    pass
                time.sleep(0.1)
            time.sleep(2)
            sent = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=60)
            took = time.monotonic() - sent
        finally:
            proc.kill()
        assert proc.returncode == 130, err
        assert took < 2.5, (sig, took)
        assert "interrupted; the finished documents are kept in run" in err and "Traceback" not in err
        with sqlite3.connect(db) as con:
            assert con.execute("select status from runs").fetchone()[0] == "partial"
            assert con.execute("select path, status from documents").fetchall() == [(str(GOOD_PDF.relative_to(ROOT)),
                                                                                     "ok")]


def test_a_letter_that_needs_too_much_memory_is_an_error_of_that_letter(tmp_path):
    """The reader runs in a child with an address-space limit; a letter that needs more fails alone."""
    import asyncio

    from audit.isolate import ChildFailed, run_isolated

    async def main():
        return await run_isolated(bytearray, 2 * 1024 ** 3, memory_limit=1024 ** 3)

    with pytest.raises(ChildFailed, match="^it needs more than 1 GB of memory$"):
        asyncio.run(main())
