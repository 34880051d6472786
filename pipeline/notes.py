"""The words printed beside the tables (the Excel "About" sheet and the HTML report): how to read the
intervals, the adjusted estimate, the denominators and each table, and the readable column headers.

Consumes nothing but a run's `RunFolder` for the parts that depend on it. Produces plain text; the
callers escape it for their format.
"""

from __future__ import annotations

from pipeline.adjust import MIN_DISCRIMINATION, REPLICATES
from pipeline.prevalence import describe_denominator
from pipeline.records import RunFolder

# Readable headers for every column id of the CSV tables (the workbook and the report show these).
HEADERS = {
    "theme": "Theme",
    "label": "Theme",
    "reviews": "Reviews counted",
    "flagged": "Reviews flagged",
    "percent": "% of reviews",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "denominator": "Which reviews were counted",
    "adjusted_percent": "Adjusted % (for model error)",
    "adjusted_ci_low": "Adjusted 95% CI low",
    "adjusted_ci_high": "Adjusted 95% CI high",
    "sensitivity": "Model sensitivity",
    "specificity": "Model specificity",
    "reliable": "Adjustment reliable?",
    "note": "Note",
    "error_rates_from": "Error rates measured by",
    "group": "Group",
    "theme_a": "Theme A",
    "theme_b": "Theme B",
    "both": "Reviews with both",
    "combination": "Combination",
    "domestic_abuse": "Domestic abuse",
    "parental_mental_health": "Parental mental health",
    "parental_substance_misuse": "Parental substance misuse",
    "count": "Reviews",
}

FIELD_NAMES = {
    "year": "year of publication",
    "partnership": "safeguarding partnership",
    "review_type": "type of review",
    "incident": "incident (death or serious harm)",
    "age_band": "age of the child",
}

RAW = (
    "“% of reviews” is the share of the counted reviews that the model flagged for the theme. "
    "The 95% interval beside it (Wilson score interval) covers chance: which reviews happened to be "
    "in this collection. It treats every flag as correct, so it does not cover the model's mistakes."
)

ADJUSTED = (
    "The adjusted % corrects the raw share for the model's known mistakes (adjusted classify-and-count, "
    "Forman 2008). A model with sensitivity below 1 misses some reviews that have the theme; with "
    "specificity below 1 it flags some that do not. On average the raw share is "
    "sensitivity × true share + (1 − specificity) × (1 − true share); the adjusted % solves this for "
    "the true share, kept within 0–100. Its 95% interval is a bootstrap ({replicates} replicates, fixed "
    "seed) that resamples the reviews and redraws the error rates from the numbers of coded reviews "
    "they were measured on, so it is wider than the raw interval. The adjusted figure is only as good "
    "as the error rates: they were measured by {source}, and if these reviews are written differently "
    "(another partnership, period or template) the model's real error rates may differ from those. "
    "Treat a theme marked “reliable: no” as indicative only. When sensitivity − (1 − specificity) is "
    "below {gap} the model barely separates reviews with and without the theme, and no adjusted figure "
    "is given."
)

NO_RATES = (
    "This run's model has no measured error rates (e.g. the keyword baseline), so no adjusted figure is "
    "given: the raw share may be too high or too low by an unknown amount."
)

DENOMINATORS = (
    "Each theme's % is of the reviews in its denominator: every review processed, except themes "
    "restricted to an age range, which count the reviews of children in that range plus the reviews "
    "that do not state the child's age. Failed files are in no denominator."
)

BREAKDOWNS = (
    "Raw shares within each group (Wilson 95% intervals in the CSV and workbook). Reviews that do not "
    "state the field are grouped as “unknown”, not dropped. Small groups have wide intervals."
)

COOCCURRENCE = (
    "Share of all reviews processed that were flagged for both themes (raw flags, not adjusted for "
    "model error). On the diagonal: the share flagged for the theme itself, of all reviews."
)

TOXIC_TRIO = (
    "The “toxic trio” of the triennial analyses: reviews flagged for each combination of domestic "
    "abuse, parental mental health and parental substance misuse, as a share of all reviews processed "
    "(raw flags, Wilson 95% intervals). The eight combinations add up to all reviews; the last three "
    "lines summarise them."
)

EVIDENCE = (
    "For each theme, the reviews flagged and the sentences the flag rests on, with page numbers, so a "
    "reader can check any count against the review itself."
)


def adjusted_note(run: RunFolder) -> str:
    """How to read the adjusted estimate for this run (or why there is none)."""
    if not run.rates:
        return NO_RATES
    return ADJUSTED.format(replicates=REPLICATES, source=run.error_rates_from or "an unknown method", gap=MIN_DISCRIMINATION)


def denominator_lines(run: RunFolder) -> list[tuple[str, str]]:
    """(theme label, which reviews were counted) for every theme."""
    return [(t.label, describe_denominator(t)) for t in run.codebook.themes]
