"""Per-review flags -> theme prevalence rows with Wilson 95% intervals, adjusted estimates and breakdowns.

Consumes the codebook, each review's flags and its child's age (None when not stated), and optionally
the model's measured error rates. Produces one `PrevalenceRow` per theme in codebook order, and for a
breakdown (`prevalence_by`) one `GroupPrevalenceRow` per group and theme.

A theme whose denominator is "age:LO-HI" counts only reviews whose child's age is within LO..HI, plus
reviews whose age is unknown (stated in the row's `denominator` column so a reader knows which reviews
were counted). The same rule applies inside every group of a breakdown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pipeline.adjust import adjusted_estimate
from pipeline.codebook import age_range
from pipeline.records import Codebook, ErrorRates, GroupPrevalenceRow, PrevalenceRow, ReviewMeta, Theme

__all__ = [
    "AGE_BANDS",
    "BREAKDOWN_FIELDS",
    "PrevalenceRow",
    "age_band",
    "group_value",
    "in_denominator",
    "prevalence",
    "prevalence_by",
    "wilson_interval",
]

Z95 = 1.959963984540054
UNKNOWN = "unknown"
BREAKDOWN_FIELDS = ("year", "partnership", "review_type", "incident", "age_band")
# (label, lowest age, first age above the band): a child aged 4.9 is in "1-4", aged 5.0 in "5-10"
AGE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("under 1", 0.0, 1.0),
    ("1-4", 1.0, 5.0),
    ("5-10", 5.0, 11.0),
    ("11-15", 11.0, 16.0),
    ("16-17", 16.0, 18.0),
    ("18 or over", 18.0, math.inf),
)


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, as proportions in [0, 1]; (0, 0) when n = 0."""
    if n <= 0:
        return (0.0, 0.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def percent_with_interval(k: int, n: int) -> tuple[float, float, float]:
    """(percent, ci_low, ci_high), each rounded to one decimal; zeros when n = 0."""
    lo, hi = wilson_interval(k, n)
    return (round(100 * k / n, 1) if n else 0.0, round(100 * lo, 1), round(100 * hi, 1))


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


def _rounded(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def prevalence(
    codebook: Codebook,
    flags: Mapping[str, Mapping[str, int]],
    ages: Mapping[str, float | None],
    rates: Mapping[str, ErrorRates] | None = None,
    error_rates_from: str = "",
) -> list[PrevalenceRow]:
    """`flags` maps review_id -> theme -> 0/1; `ages` maps review_id -> child's age in years or None.

    `rates` (theme -> `ErrorRates`) adds the misclassification-adjusted estimate; without it the
    adjusted columns are empty and the note says so. A rate measured on no coded review (a card
    records 0.0 then) is shown empty, not as 0.
    """
    rows = []
    for theme in codebook.themes:
        counted = [rid for rid in flags if in_denominator(theme, ages.get(rid))]
        n = len(counted)
        k = sum(int(flags[rid].get(theme.id, 0)) for rid in counted)
        percent, lo, hi = percent_with_interval(k, n)
        theme_rates = (rates or {}).get(theme.id)
        adjusted = adjusted_estimate(k, n, theme_rates)
        rows.append(
            PrevalenceRow(
                theme=theme.id,
                label=theme.label,
                denominator=describe_denominator(theme),
                reviews=n,
                flagged=k,
                percent=percent,
                ci_low=lo,
                ci_high=hi,
                adjusted_percent=adjusted.percent,
                adjusted_ci_low=adjusted.ci_low,
                adjusted_ci_high=adjusted.ci_high,
                sensitivity=_rounded(theme_rates.sensitivity if theme_rates and theme_rates.support else None),
                specificity=_rounded(theme_rates.specificity if theme_rates and theme_rates.negatives else None),
                reliable=adjusted.reliable,
                note=adjusted.note,
                error_rates_from=error_rates_from if theme_rates else "",
            )
        )
    return rows


def prevalence_columns() -> Sequence[str]:
    """The columns of prevalence.csv: the original contract first, then the adjusted estimate."""
    return (
        "theme", "label", "reviews", "flagged", "percent", "ci_low", "ci_high", "denominator",
        "adjusted_percent", "adjusted_ci_low", "adjusted_ci_high", "sensitivity", "specificity",
        "reliable", "note", "error_rates_from",
    )  # fmt: skip


def age_band(age: float | None) -> str:
    """The age band of a child's age in years ("under 1", "1-4", ..., "16-17"), or "unknown"."""
    if age is None or age < 0 or math.isnan(age):
        return UNKNOWN
    for label, lo, hi in AGE_BANDS:
        if lo <= age < hi:
            return label
    return UNKNOWN


def group_value(meta: ReviewMeta, field: str) -> str:
    """The group a review falls in for a breakdown field; "unknown" when the review does not state it."""
    if field == "age_band":
        return age_band(meta.child_age)
    if field not in BREAKDOWN_FIELDS:
        raise ValueError(f"unknown breakdown field {field!r}")
    value = getattr(meta, field)
    text = "" if value is None else str(value).strip()
    return text or UNKNOWN


def _group_order(field: str, groups: set[str]) -> list[str]:
    """Age bands in age order, years ascending, other fields alphabetically; "unknown" always last."""
    known = groups - {UNKNOWN}
    if field == "age_band":
        ordered = [label for label, _, _ in AGE_BANDS if label in known]
    else:
        ordered = sorted(known, key=lambda g: (0, int(g), g) if g.isdigit() else (1, 0, g.casefold()))
    return ordered + ([UNKNOWN] if UNKNOWN in groups else [])


def prevalence_by(
    codebook: Codebook,
    flags: Mapping[str, Mapping[str, int]],
    metas: Mapping[str, ReviewMeta],
    field: str,
) -> list[GroupPrevalenceRow]:
    """Raw prevalence of every theme within each group of `field` (see `BREAKDOWN_FIELDS`).

    Consumes the flags and each review's metadata (a review without metadata is in group "unknown").
    Produces rows ordered by group then codebook order; age denominators apply within each group.
    """
    groups: dict[str, list[str]] = {}
    for rid in flags:
        groups.setdefault(group_value(metas.get(rid, ReviewMeta()), field), []).append(rid)
    rows = []
    for group in _group_order(field, set(groups)):
        members = groups[group]
        ages = {rid: metas.get(rid, ReviewMeta()).child_age for rid in members}
        for row in prevalence(codebook, {rid: flags[rid] for rid in members}, ages):
            rows.append(
                # a group with no review counted for the theme (babies for school absence) has no
                # prevalence: blank, not "0% (0-0)"
                GroupPrevalenceRow(field, group, row.theme, row.label, row.reviews, row.flagged,
                                   *((row.percent, row.ci_low, row.ci_high) if row.reviews else (None, None, None)))
            )
    return rows
