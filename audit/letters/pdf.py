"""PDF letters: structure (pikepdf) and text (pdfplumber) → the facts checks/pdf_checks.py reads.

CONTRACT (to be implemented): read_pdf(data, part, name) -> (facts, blocks)
"""
from __future__ import annotations

from typing import Any

from audit.letters import Block


def read_pdf(data: bytes, part: str, name: str) -> tuple[dict[str, Any], list[Block]]:
    raise NotImplementedError
