"""Gathering side of klartjek: targets, browser, running, scoring and the history store."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("klartjek")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
