"""MeMo (Digital Post) messages → the facts checks/memo_checks.py reads.

CONTRACT (to be implemented): read_memo(data, name) -> (memo, files)
"""
from __future__ import annotations

from typing import Any


def read_memo(data: bytes, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    raise NotImplementedError
