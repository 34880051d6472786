"""The verdict of `models compare` (the full command is exercised in tests/test_coding_loop.py)."""

from pipeline.comparison import verdict


def test_verdict_same_within_two_points():
    assert verdict(0.80, 0.83) == "better"
    assert verdict(0.80, 0.77) == "worse"
    assert verdict(0.80, 0.82) == "same" and verdict(0.80, 0.78) == "same" and verdict(0.5, 0.5) == "same"
