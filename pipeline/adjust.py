"""Misclassification-adjusted prevalence: adjusted classify-and-count (Forman's ACC) with a bootstrap
interval.

A classifier that misses some true cases (sensitivity < 1) and flags some reviews wrongly
(specificity < 1) gives a raw share of flagged reviews p_cc that is pulled towards the error rates:
in expectation p_cc = TPR * p + FPR * (1 - p). Solving for the true prevalence p gives

    p = (p_cc - FPR) / (TPR - FPR),  TPR = sensitivity, FPR = 1 - specificity,

clipped to [0, 1]. The figure is only as good as the error rates: they must be measured on reviews
like the ones counted, and when TPR - FPR is small the division amplifies every error, so below
`MIN_DISCRIMINATION` no adjusted figure is given.

The 95% interval is a percentile bootstrap over both sources of uncertainty: the reviews counted (each
replicate resamples the n reviews with replacement; for one theme's count that is exactly a
Binomial(n, p_cc) draw) and the error rates (each replicate draws TPR from Beta(tp + 1/2, fn + 1/2) and
the specificity from Beta(tn + 1/2, fp + 1/2), the Jeffreys posterior of the coded counts the card's
rates were measured on). When no review (or every review) is flagged, resampling the reviews adds no
spread and the interval reflects the error rates alone. The random generator is seeded from `seed` and
the theme id, so the same inputs always give the same interval.

Consumes a count, a denominator and an `ErrorRates`. Produces an `AdjustedEstimate` (percent).
"""

from __future__ import annotations

import zlib

import numpy as np

from pipeline.records import AdjustedEstimate, ErrorRates

MIN_DISCRIMINATION = 0.2  # TPR - FPR below this: the adjustment means nothing
REPLICATES = 2000
SEED = 20240601


def acc(p_cc: float, tpr: float, fpr: float) -> float | None:
    """Forman's adjusted count as a proportion in [0, 1]; None when TPR <= FPR (no information)."""
    if tpr - fpr <= 0:
        return None
    return float(min(1.0, max(0.0, (p_cc - fpr) / (tpr - fpr))))


def _rate_draws(rate: float, count: int, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draws of a rate measured as `rate` on `count` cases: Beta(hits + 1/2, misses + 1/2)."""
    hits = round(rate * count)
    return rng.beta(hits + 0.5, count - hits + 0.5, size=size)


def bootstrap_acc(
    flagged: int,
    reviews: int,
    rates: ErrorRates,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> np.ndarray:
    """`replicates` bootstrap values of the adjusted proportion (NaN where a replicate has TPR <= FPR)."""
    rng = np.random.default_rng([seed, zlib.crc32(rates.theme.encode())])
    assert rates.sensitivity is not None and rates.specificity is not None
    p_cc = rng.binomial(reviews, flagged / reviews, size=replicates) / reviews
    tpr = _rate_draws(rates.sensitivity, rates.support, rng, replicates)
    spec = _rate_draws(rates.specificity, rates.negatives, rng, replicates)
    fpr = 1.0 - spec
    gap = tpr - fpr
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(gap > 0, (p_cc - fpr) / gap, np.nan)
    return np.clip(p, 0.0, 1.0)


def adjusted_estimate(
    flagged: int,
    reviews: int,
    rates: ErrorRates | None,
    replicates: int = REPLICATES,
    seed: int = SEED,
) -> AdjustedEstimate:
    """The adjusted prevalence of a theme flagged in `flagged` of `reviews` reviews, in percent.

    No figure (all None) when there are no error rates, no reviews, rates measured on no coded
    reviews, or TPR - FPR < `MIN_DISCRIMINATION`; the note says which. A theme the card marks
    unreliable gets a figure with reliable "no" and the card's warning in the note.
    """
    if rates is None or rates.sensitivity is None or rates.specificity is None:
        return AdjustedEstimate(None, None, None, "", "no measured error rates for this model: raw count only")
    if rates.support <= 0 or rates.negatives <= 0:
        return AdjustedEstimate(
            None, None, None, "no",
            f"error rates not measured: the model was checked on {rates.support} coded positive and "
            f"{rates.negatives} coded negative reviews for this theme",
        )  # fmt: skip
    reliable = "yes" if rates.reliable else "no"
    notes = [] if rates.reliable else [f"model unreliable for this theme: {rates.warning or 'too few coded reviews'}"]
    tpr, fpr = rates.sensitivity, 1.0 - rates.specificity
    if tpr - fpr < MIN_DISCRIMINATION:
        notes.append(
            f"sensitivity - (1 - specificity) = {tpr - fpr:.2f} is below {MIN_DISCRIMINATION}: "
            "the model barely separates reviews with and without the theme, so no adjusted figure"
        )
        return AdjustedEstimate(None, None, None, "no", "; ".join(notes))
    if reviews <= 0:
        return AdjustedEstimate(None, None, None, reliable, "; ".join([*notes, "no reviews counted"]))
    point = acc(flagged / reviews, tpr, fpr)
    assert point is not None
    draws = bootstrap_acc(flagged, reviews, rates, replicates, seed)
    undefined = int(np.isnan(draws).sum())
    if undefined > 0.025 * replicates:
        notes.append(f"{undefined} of {replicates} bootstrap replicates had sensitivity <= 1 - specificity; interval is unstable")
        reliable = "no"
    lo, hi = np.nanpercentile(draws, [2.5, 97.5])
    return AdjustedEstimate(
        round(100 * point, 1),
        round(100 * float(lo), 1),
        round(100 * float(hi), 1),
        reliable,
        "; ".join(notes),
    )
