"""Letter content checks (codes KB…): to be implemented."""
from __future__ import annotations


def register_letter_checks() -> None:
    pass
