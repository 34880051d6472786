import pytest

from pipeline.prevalence import prevalence, wilson_interval
from pipeline.records import Codebook, Theme


def test_wilson_hand_computed():
    # 53 of 100 -> (0.4329, 0.6249): scipy.stats.binomtest(53, 100).proportion_ci(method="wilson")
    lo, hi = wilson_interval(53, 100)
    assert lo == pytest.approx(0.4329, abs=1e-4)
    assert hi == pytest.approx(0.6249, abs=1e-4)


def test_wilson_edges():
    assert wilson_interval(0, 0) == (0.0, 0.0)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(10, 10)
    assert hi == pytest.approx(1.0) and lo == pytest.approx(0.7225, abs=1e-4)


def test_age_denominator_excludes_out_of_range_children():
    cb = Codebook((Theme("a", "A", "x"), Theme("s", "S", "y", denominator="age:5-16")))
    flags = {"r1": {"a": 1, "s": 1}, "r2": {"a": 0, "s": 0}, "r3": {"a": 1, "s": 0}, "r4": {"a": 0, "s": 0}}
    ages = {"r1": 9.0, "r2": 0.2, "r3": None, "r4": 16.5}
    rows = {r.theme: r for r in prevalence(cb, flags, ages)}
    assert (rows["a"].reviews, rows["a"].flagged, rows["a"].percent) == (4, 2, 50.0)
    # the baby (0.2) is out; unknown age and 16.5 (still 16) are in
    assert (rows["s"].reviews, rows["s"].flagged) == (3, 1)
    assert rows["s"].percent == pytest.approx(33.3)
