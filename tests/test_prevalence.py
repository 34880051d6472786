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


# ---------------------------------------------------------------- intervals, rows and breakdowns (issue 6)

from scipy.stats import binomtest  # noqa: E402

from pipeline.prevalence import age_band, group_value, prevalence_by  # noqa: E402
from pipeline.records import ErrorRates, ReviewMeta  # noqa: E402


@pytest.mark.parametrize("k,n", [(1, 3), (2, 4), (8, 69), (17, 120), (0, 3), (3, 3), (53, 100)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(method="wilson")
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(ci.low, abs=1e-9) and hi == pytest.approx(ci.high, abs=1e-9)


def _cb() -> Codebook:
    return Codebook((Theme("a", "Alpha", "x"), Theme("s", "School", "y", denominator="age:5-16")))


def test_rows_hand_computed_with_intervals_and_denominator_text():
    # 1 of 3 by hand: centre (1/3 + z^2/6) / (1 + z^2/3) = 0.4269, half-width 0.3654 -> 6.1 .. 79.2
    flags = {"r1": {"a": 1, "s": 1}, "r2": {"a": 0, "s": 0}, "r3": {"a": 0, "s": 1}}
    ages = {"r1": 9.0, "r2": None, "r3": 2.0}
    a, s = prevalence(_cb(), flags, ages)
    assert (a.reviews, a.flagged, a.percent, a.ci_low, a.ci_high) == (3, 1, 33.3, 6.1, 79.2)
    assert a.denominator == "all reviews"
    # the two-year-old is out of school age; the unknown age counts: 1 of 2 -> 50.0 (9.5 .. 90.5)
    assert (s.reviews, s.flagged, s.percent, s.ci_low, s.ci_high) == (2, 1, 50.0, 9.5, 90.5)
    assert s.denominator == "reviews of children aged 5-16 (or age not stated)"
    # no error rates: the adjusted columns are empty and the note says why
    assert a.adjusted_percent is None and a.reliable == "" and "no measured error rates" in a.note


def test_rows_carry_the_adjusted_estimate_and_its_source():
    flags = {f"r{i}": {"a": int(i < 38), "s": 0} for i in range(100)}
    rates = {"a": ErrorRates("a", 0.8, 0.9, 1000, 1000)}
    a, s = prevalence(_cb(), flags, {}, rates, "cross-validation on training reviews")
    # (0.38 - 0.10) / (0.80 - 0.10) = 0.40
    assert a.adjusted_percent == 40.0 and a.reliable == "yes"
    assert a.adjusted_ci_low < 40.0 < a.adjusted_ci_high
    assert (a.sensitivity, a.specificity, a.error_rates_from) == (0.8, 0.9, "cross-validation on training reviews")
    assert s.adjusted_percent is None and s.error_rates_from == ""
    # a theme the card never measured (it records 0.0 on 0 coded reviews): rates shown empty, not 0
    (_, s) = prevalence(_cb(), flags, {}, {**rates, "s": ErrorRates("s", 0.0, 0.0, 0, 0, False)}, "cv")
    assert (s.sensitivity, s.specificity, s.adjusted_percent, s.reliable) == (None, None, None, "no")
    assert s.note.startswith("error rates not measured")


@pytest.mark.parametrize(
    "age,band",
    [(0.0, "under 1"), (0.25, "under 1"), (0.99, "under 1"), (1.0, "1-4"), (4.9, "1-4"), (5.0, "5-10"),
     (10.9, "5-10"), (11.0, "11-15"), (15.9, "11-15"), (16.0, "16-17"), (17.9, "16-17"), (18.0, "18 or over"),
     (None, "unknown"), (-1.0, "unknown"), (float("nan"), "unknown")],  # fmt: skip
)
def test_age_bands(age, band):
    assert age_band(age) == band


def test_group_value_blank_is_unknown():
    assert group_value(ReviewMeta(year=2023), "year") == "2023"
    assert group_value(ReviewMeta(partnership="  "), "partnership") == "unknown"
    assert group_value(ReviewMeta(), "incident") == "unknown"
    assert group_value(ReviewMeta(child_age=0.5), "age_band") == "under 1"
    with pytest.raises(ValueError):
        group_value(ReviewMeta(), "colour")


def test_breakdown_by_year_keeps_unknown_and_applies_age_denominators_in_groups():
    flags = {
        "r1": {"a": 1, "s": 1},
        "r2": {"a": 0, "s": 1},
        "r3": {"a": 1, "s": 0},
        "r4": {"a": 1, "s": 0},
        "r5": {"a": 0, "s": 0},
    }
    metas = {
        "r1": ReviewMeta(year=2023, child_age=9.0),
        "r2": ReviewMeta(year=2023, child_age=1.0),  # out of school age: not counted for "s"
        "r3": ReviewMeta(year=2021),
        "r4": ReviewMeta(child_age=14.0),  # year not stated
        # r5 has no metadata at all
    }
    rows = prevalence_by(_cb(), flags, metas, "year")
    table = {(r.group, r.theme): (r.reviews, r.flagged, r.percent) for r in rows}
    assert [r.group for r in rows] == ["2021", "2021", "2023", "2023", "unknown", "unknown"]
    assert table[("2023", "a")] == (2, 1, 50.0)
    assert table[("2023", "s")] == (1, 1, 100.0)
    assert table[("2021", "a")] == (1, 1, 100.0)
    assert table[("unknown", "a")] == (2, 1, 50.0)
    assert table[("unknown", "s")] == (2, 0, 0.0)
    # every processed review is in exactly one group
    assert sum(r.reviews for r in rows if r.theme == "a") == len(flags)
    first = rows[0]
    assert (first.ci_low, first.ci_high) == (20.7, 100.0)  # 1 of 1, Wilson


def test_breakdown_by_age_band_orders_bands_by_age():
    flags = {f"r{i}": {"a": 1, "s": 0} for i in range(4)}
    metas = {"r0": ReviewMeta(child_age=16.5), "r1": ReviewMeta(child_age=0.1), "r2": ReviewMeta(), "r3": ReviewMeta(child_age=7)}
    groups = list(dict.fromkeys(r.group for r in prevalence_by(_cb(), flags, metas, "age_band")))
    assert groups == ["under 1", "5-10", "16-17", "unknown"]


def test_a_group_with_no_review_counted_for_a_theme_has_no_prevalence_not_zero():
    flags = {"r1": {"a": 1, "s": 0}, "r2": {"a": 0, "s": 0}}
    metas = {"r1": ReviewMeta(child_age=0.5), "r2": ReviewMeta(child_age=0.2)}  # babies: not counted for "s"
    rows = {(r.group, r.theme): r for r in prevalence_by(_cb(), flags, metas, "age_band")}
    baby_s = rows[("under 1", "s")]
    assert baby_s.reviews == 0 and (baby_s.percent, baby_s.ci_low, baby_s.ci_high) == (None, None, None)
    assert rows[("under 1", "a")].percent == 50.0
