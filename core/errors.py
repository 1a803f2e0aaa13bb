"""Errors that reach the user as one line, and every exit code klartjek has (docs/exit-codes.md)."""
from enum import IntEnum

from core.safe_text import printable


class ExitCode(IntEnum):
    OK = 0              # no failure at or above --fail-on; a gate that passed
    FAILURES = 1        # failures at or above --fail-on; a gate that failed
    USAGE = 2           # bad input or environment, or a target that could not be audited (a partial run)
    INTERNAL = 3        # a bug of klartjek's
    INTERRUPTED = 130   # Ctrl-C or SIGTERM: the finished documents are kept, the run is partial


EXIT_OK, EXIT_FAILURES, EXIT_USAGE = ExitCode.OK, ExitCode.FAILURES, ExitCode.USAGE
EXIT_INTERNAL, EXIT_INTERRUPTED = ExitCode.INTERNAL, ExitCode.INTERRUPTED


class KlartjekError(Exception):
    """An error with a message fit for the user; never shown with a traceback. The message is one
    line, whatever it quotes: a line break or control character of a file name, a part name or a
    namespace becomes a visible escape (\\n), so one error can never look like several."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str = "", *args) -> None:
        super().__init__(printable(str(message), one_line=True), *args)


class UsageError(KlartjekError):
    """Bad options, configuration or environment (no browser, bad --db): exit 2."""

    exit_code = EXIT_USAGE


class TargetError(KlartjekError):
    """One target could not be audited; the run goes on with the others and is partial."""

    exit_code = EXIT_USAGE


class NotFound(TargetError):
    """The server answered 404 or 410: a target that does not exist, or, found by a crawl, a
    broken link (a finding on the pages that link to it, not an error of the run)."""

    def __init__(self, message: str = "", status: int = 404) -> None:
        super().__init__(message, status)

    @property
    def status(self) -> int:
        return int(self.args[1]) if len(self.args) > 1 else 404

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
