"""Per-review flags -> theme prevalence rows with Wilson 95% intervals.

Consumes the codebook, each review's flags and its child's age (None when not stated). Produces one
`PrevalenceRow` per theme in codebook order. A theme whose denominator is "age:LO-HI" counts only
reviews whose child's age is within LO..HI, plus reviews whose age is unknown (stated in the row's
`denominator` column so a reader knows which reviews were counted).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.codebook import age_range
from pipeline.records import Codebook, Theme

Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, as proportions in [0, 1]; (0, 0) when n = 0."""
    if n <= 0:
        return (0.0, 0.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class PrevalenceRow:
    theme: str
    label: str
    denominator: str
    reviews: int
    flagged: int
    percent: float
    ci_low: float
    ci_high: float


def in_denominator(theme: Theme, age: float | None) -> bool:
    """Whether a review with this child's age counts towards the theme's prevalence."""
    bounds = age_range(theme)
    if bounds is None or age is None:
        return True
    lo, hi = bounds
    return lo <= age < hi + 1


def describe_denominator(theme: Theme) -> str:
    bounds = age_range(theme)
    if bounds is None:
        return "all reviews"
    return f"reviews of children aged {bounds[0]}-{bounds[1]} (or age not stated)"


def prevalence(
    codebook: Codebook,
    flags: Mapping[str, Mapping[str, int]],
    ages: Mapping[str, float | None],
) -> list[PrevalenceRow]:
    """`flags` maps review_id -> theme -> 0/1; `ages` maps review_id -> child's age in years or None."""
    rows = []
    for theme in codebook.themes:
        counted = [rid for rid in flags if in_denominator(theme, ages.get(rid))]
        n = len(counted)
        k = sum(int(flags[rid].get(theme.id, 0)) for rid in counted)
        lo, hi = wilson_interval(k, n)
        rows.append(
            PrevalenceRow(
                theme=theme.id,
                label=theme.label,
                denominator=describe_denominator(theme),
                reviews=n,
                flagged=k,
                percent=round(100 * k / n, 1) if n else 0.0,
                ci_low=round(100 * lo, 1),
                ci_high=round(100 * hi, 1),
            )
        )
    return rows


def prevalence_columns() -> Sequence[str]:
    return ("theme", "label", "reviews", "flagged", "percent", "ci_low", "ci_high", "denominator")
