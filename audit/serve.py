"""--serve-command: start the server of the build under audit, wait until it is ready, stop it after.

A pull request's CI job audits its own build, not the live site (Lighthouse CI's startServerCommand):

    klartjek audit http://127.0.0.1:8080/ --crawl --serve-command "npm run preview -- --port 8080" \
        --serve-ready http://127.0.0.1:8080/

``--serve-ready`` is a URL klartjek polls until the server answers (any HTTP status), or a regular
expression the command prints when it is ready ("Listening on"). The command runs through the shell
in a process group of its own, which is ended with it when the audit ends, however it ends.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections import deque

from core.errors import UsageError
from core.safe_text import printable

OUTPUT_LINES = 20       # lines of the command's output shown when it fails


class ServedBuild:
    def __init__(self, command: str, ready: str | None, timeout: float = 60.0) -> None:
        self.command, self.ready, self.timeout = command, ready, timeout
        self.proc: subprocess.Popen | None = None
        self.output: deque[str] = deque(maxlen=200)
        self._matched = threading.Event()
        self._pattern = re.compile(ready) if ready and not ready.startswith(("http://", "https://")) else None

    def __enter__(self) -> ServedBuild:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        try:
            self.proc = subprocess.Popen(self.command, shell=True, start_new_session=True, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as exc:
            raise UsageError(f"--serve-command {self.command!r} could not start ({exc.strerror or exc})") from None
        threading.Thread(target=self._read, daemon=True, name="klartjek-serve-output").start()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = printable(raw.decode("utf-8", "replace").rstrip("\n"), one_line=True)
            self.output.append(line)
            if self._pattern is not None and self._pattern.search(line):
                self._matched.set()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise UsageError(f"--serve-command {self.command!r} ended (exit {self.proc.returncode}) before it "
                                 f"was ready{self._tail()}")
            if self.ready is None or self._is_ready():
                return
            time.sleep(0.2)
        raise UsageError(f"--serve-command {self.command!r} was not ready within {self.timeout:g} s "
                         f"(--serve-ready {self.ready}); raise --serve-timeout or check the command{self._tail()}")

    def _is_ready(self) -> bool:
        if self._pattern is not None:
            return self._matched.is_set()
        from audit.fetch import FetchError, fetch

        try:
            fetch(self.ready, limit=1 << 20, deadline_s=2.0)
            return True
        except FetchError:
            return False

    def _tail(self) -> str:
        lines = list(self.output)[-OUTPUT_LINES:]
        return ("; its last output: " + " | ".join(lines)) if lines else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
