"""Every check klartjek runs, registered in REGISTRY (see checks/registry.py)."""
from checks.axe_checks import register_axe_rules
from checks.klarsprog.rules import register_klarsprog_checks
from checks.registry import REGISTRY, CheckMeta, evaluate_all

register_axe_rules()
register_klarsprog_checks()

__all__ = ["REGISTRY", "CheckMeta", "evaluate_all"]
