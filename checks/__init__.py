"""Every check klartjek runs, registered in REGISTRY (see checks/registry.py)."""
from checks.axe_checks import register_axe_rules
from checks.docx_checks import register_docx_checks
from checks.klarsprog.rules import register_klarsprog_checks
from checks.letter_checks import register_letter_checks
from checks.memo_checks import register_memo_checks
from checks.pdf_checks import register_pdf_checks
from checks.registry import REGISTRY, CheckMeta, evaluate_all

register_axe_rules()
register_klarsprog_checks()
register_pdf_checks()
register_docx_checks()
register_memo_checks()
register_letter_checks()

__all__ = ["REGISTRY", "CheckMeta", "evaluate_all"]
