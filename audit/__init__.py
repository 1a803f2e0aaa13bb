"""The orchestration floor of klartjek: targets, browser, gathering, crawling, running, the history
store and gates (docs/architecture.md)."""
from core import __version__  # noqa: F401 - the version, as the audit records it
