"""DOCX letters (python-docx and XPath) → the facts checks/docx_checks.py reads.

CONTRACT (to be implemented): read_docx(data, part, name) -> (facts, blocks)
"""
from __future__ import annotations

from typing import Any

from audit.letters import Block


def read_docx(data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    raise NotImplementedError
