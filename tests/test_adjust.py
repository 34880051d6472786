"""The misclassification-adjusted estimate: hand-computed cases, the rules for giving no figure, and
recovery of a known prevalence from simulated flags with known sensitivity and specificity."""

import numpy as np
import pytest

from pipeline.adjust import acc, adjusted_estimate, bootstrap_acc
from pipeline.prevalence import wilson_interval
from pipeline.records import ErrorRates


def test_acc_hand_computed():
    # (0.38 - 0.10) / (0.80 - 0.10) = 0.28 / 0.70 = 0.40
    assert acc(0.38, 0.8, 0.1) == pytest.approx(0.40)
    # below the false-positive rate: clipped to 0; (0.95 - 0.1) / 0.7 = 1.21: clipped to 1
    assert acc(0.05, 0.8, 0.1) == 0.0
    assert acc(0.95, 0.8, 0.1) == 1.0
    # a perfect model changes nothing
    assert acc(0.53, 1.0, 0.0) == pytest.approx(0.53)
    # no information at all
    assert acc(0.5, 0.4, 0.4) is None


def test_estimate_point_and_interval():
    est = adjusted_estimate(38, 100, ErrorRates("t", 0.8, 0.9, 200, 400))
    assert est.percent == 40.0 and est.reliable == "yes" and est.note == ""
    assert est.ci_low < 40.0 < est.ci_high
    # the interval is wider than the raw Wilson interval for 38 of 100 (28.9 .. 47.8): it adds the rates' uncertainty
    assert est.ci_high - est.ci_low > 47.8 - 28.9


def test_estimate_is_deterministic_and_per_theme():
    rates = ErrorRates("t", 0.8, 0.9, 50, 80)
    assert adjusted_estimate(30, 90, rates) == adjusted_estimate(30, 90, rates)
    other = ErrorRates("u", 0.8, 0.9, 50, 80)
    assert not np.array_equal(bootstrap_acc(30, 90, rates), bootstrap_acc(30, 90, other))


def test_more_coded_reviews_give_a_narrower_interval():
    few = adjusted_estimate(300, 1000, ErrorRates("t", 0.8, 0.9, 20, 40))
    many = adjusted_estimate(300, 1000, ErrorRates("t", 0.8, 0.9, 2000, 4000))
    assert (many.ci_high - many.ci_low) < (few.ci_high - few.ci_low) / 2


def test_no_rates_no_figure():
    for rates in (None, ErrorRates("t", None, None)):
        est = adjusted_estimate(5, 10, rates)
        assert (est.percent, est.ci_low, est.ci_high, est.reliable) == (None, None, None, "")
        assert "no measured error rates" in est.note


def test_small_discrimination_gives_no_figure():
    # sensitivity 0.5, specificity 0.65: TPR - FPR = 0.15 < 0.2
    est = adjusted_estimate(40, 100, ErrorRates("t", 0.5, 0.65, 50, 50))
    assert est.percent is None and est.reliable == "no"
    assert "0.15 is below 0.2" in est.note


def test_unreliable_theme_gets_a_flagged_figure():
    rates = ErrorRates("t", 0.8, 0.9, 4, 60, reliable=False, warning="only 4 coded positive and 60 coded negative reviews")
    est = adjusted_estimate(38, 100, rates)
    assert est.percent == 40.0 and est.reliable == "no"
    assert "model unreliable for this theme: only 4 coded positive" in est.note


def test_rates_measured_on_no_coded_reviews_give_no_figure():
    est = adjusted_estimate(10, 100, ErrorRates("t", 0.0, 0.95, 0, 80, reliable=False))
    assert est.percent is None and est.reliable == "no"
    assert est.note == "error rates not measured: the model was checked on 0 coded positive and 80 coded negative reviews for this theme"


def _simulate(rng: np.random.Generator, true_p: float, sens: float, spec: float, n: int, pos: int, neg: int) -> tuple[int, ErrorRates]:
    """A corpus with known truth: n reviews, each truly positive with probability true_p, flagged by a
    model with the given sensitivity and specificity; the model's error rates measured (as a card
    would) on a separate coded set of `pos` positive and `neg` negative reviews."""
    truth = rng.random(n) < true_p
    flags = np.where(truth, rng.random(n) < sens, rng.random(n) < 1 - spec)
    measured = ErrorRates("theme", rng.binomial(pos, sens) / pos, rng.binomial(neg, spec) / neg, pos, neg)
    return int(flags.sum()), measured


@pytest.mark.parametrize("true_p,raw_expected", [(0.30, 0.31), (0.10, 0.17), (0.60, 0.52)])
def test_recovers_known_prevalence_where_raw_count_is_biased(true_p, raw_expected):
    # sensitivity 0.8, specificity 0.9: raw share = 0.8 p + 0.1 (1 - p)
    rng = np.random.default_rng(2024)
    flagged, measured = _simulate(rng, true_p, 0.8, 0.9, n=2000, pos=300, neg=600)
    raw = 100 * flagged / 2000
    est = adjusted_estimate(flagged, 2000, measured)
    assert raw == pytest.approx(100 * raw_expected, abs=2.0)
    assert est.percent == pytest.approx(100 * true_p, abs=2.0)
    assert est.ci_low <= 100 * true_p <= est.ci_high
    if abs(raw_expected - true_p) >= 0.05:  # where the raw count is clearly off, the adjustment is closer
        assert abs(est.percent - 100 * true_p) < abs(raw - 100 * true_p) - 3


def test_interval_coverage_on_repeated_corpora():
    # 200 corpora of 400 reviews, 10% true (raw share 16.5% expected), rates measured on 60 + 120 coded
    # reviews: the adjusted 95% interval should contain the truth about 95% of the time (allow 90%); the
    # raw Wilson interval, centred on the biased raw share, rarely does.
    rng = np.random.default_rng(7)
    adjusted_hits = raw_hits = 0
    for _ in range(200):
        flagged, measured = _simulate(rng, 0.10, 0.75, 0.9, n=400, pos=60, neg=120)
        est = adjusted_estimate(flagged, 400, measured, replicates=1000)
        adjusted_hits += est.ci_low <= 10.0 <= est.ci_high
        lo, hi = wilson_interval(flagged, 400)
        raw_hits += 100 * lo <= 10.0 <= 100 * hi
    assert adjusted_hits >= 180  # 191 of 200 with these seeds
    assert raw_hits < 40  # 6 of 200
