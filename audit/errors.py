"""Errors that reach the user as one line, and the exit codes they map to (docs/exit-codes.md)."""

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class KlartjekError(Exception):
    """An error with a message fit for the user; never shown with a traceback."""

    exit_code = EXIT_INTERNAL


class UsageError(KlartjekError):
    """Bad options, configuration or environment (no browser, bad --db): exit 2."""

    exit_code = EXIT_USAGE


class TargetError(KlartjekError):
    """One target could not be audited; the run goes on with the others and is partial."""

    exit_code = EXIT_USAGE
