"""klartjek's *estimate* of the Danish Agency for Digital Government's (Digitaliseringsstyrelsen)
web-accessibility monitoring score, 0–500.

The agency's simplified monitoring tests 15 WCAG 2.1 success criteria automatically on every page of
a site under 2,500 pages (at least a third of a larger one's) and deducts points for each criterion
not met on an evaluated page; it reports 0–500 in three bands. Its exact weighting is not published
where we could read it, so klartjek computes an estimate with a model of its own, stated here and on
the dashboard's method page, and versioned (MODEL) with every number it gives:

    estimate = 500 × (1 − the mean, over the 15 criteria, of the share of evaluated pages that fail it)

A page fails a criterion when any check of that criterion failed on it. The number is never shown
without ESTIMATE_LABEL.
"""
from __future__ import annotations

MODEL = "klartjek-estimate-1"
CRITERIA = ("1.1.1", "1.3.1", "1.3.4", "1.3.5", "1.4.3", "1.4.4", "1.4.12", "2.1.1", "2.2.1", "2.4.2", "2.4.4",
            "2.5.3", "3.1.1", "3.1.2", "4.1.2")
SAMPLE_ALL_BELOW = 2500      # pages: below this every page is evaluated, above it at least a third
# (lowest score, band key), highest first
BANDS = ((476, "compliant"), (376, "partially"), (0, "not_compliant"))
ESTIMATE_LABEL = {"da": "Estimat — ikke Digitaliseringsstyrelsens score",
                  "en": "Estimate — not the Agency for Digital Government's score"}
BAND_NAMES = {"compliant": {"da": "fuldt overholdt", "en": "fully compliant"},
              "partially": {"da": "delvist overholdt", "en": "partially compliant"},
              "not_compliant": {"da": "ikke overholdt", "en": "not compliant"}}


def estimate(failing: dict[str, int], pages: int) -> int | None:
    """The estimate from the number of evaluated pages failing each criterion (criteria not named
    failed on no page); None when no page was evaluated."""
    if pages <= 0:
        return None
    mean = sum(min(failing.get(c, 0), pages) / pages for c in CRITERIA) / len(CRITERIA)
    return round(500 * (1 - mean))


def band(score: int | None) -> str | None:
    if score is None:
        return None
    return next(key for low, key in BANDS if score >= low)


def sample_size(pages_found: int) -> int:
    """How many pages the monitoring evaluates of a site with ``pages_found`` pages."""
    return pages_found if pages_found < SAMPLE_ALL_BELOW else -(-pages_found // 3)
