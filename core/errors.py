"""Errors that reach the user as one line, and the exit codes they map to (docs/exit-codes.md)."""
from core.safe_text import printable

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


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
