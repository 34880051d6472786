"""The verdict of `models compare` (the full command is exercised in tests/test_coding_loop.py)."""

from pipeline.comparison import verdict, verdict_without_positives


def test_verdict_same_within_two_points():
    assert verdict(0.80, 0.83) == "better"
    assert verdict(0.80, 0.77) == "worse"
    assert verdict(0.80, 0.82) == "same" and verdict(0.80, 0.78) == "same" and verdict(0.5, 0.5) == "same"


def test_a_theme_no_audit_review_has_is_judged_by_its_false_flags_not_by_f1():
    none = {"predicted_percent": 0.0, "n": 10, "support": 0, "f1": 1.0}
    one = {"predicted_percent": 10.0, "n": 10, "support": 0, "f1": 0.0}
    assert verdict_without_positives(none, one) == "more false flags"
    assert verdict_without_positives(one, none) == "fewer false flags"
    assert verdict_without_positives(one, one) == "same"
