"""memo checks: to be implemented."""
from __future__ import annotations

from checks.registry import REGISTRY


def register_memo_checks() -> None:
    CHECKS: list = []
    from checks.common import register_all

    register_all(REGISTRY, "memo", CHECKS, requires=("memo",))
