"""Pairs of themes and the toxic trio on hand-made flags, counted by hand."""

import pytest

from pipeline.cooccurrence import TOXIC_TRIO, cooccurrence, has_toxic_trio, toxic_trio
from pipeline.records import Codebook, Theme

DA, PMH, PSM = TOXIC_TRIO


def _flags(*rows: tuple[int, int, int]) -> dict[str, dict[str, int]]:
    return {f"r{i}": {DA: a, PMH: b, PSM: c} for i, (a, b, c) in enumerate(rows)}


def test_pairs_hand_counted():
    cb = Codebook((Theme("a", "A", ""), Theme("b", "B", ""), Theme("c", "C", "")))
    flags = {
        "r1": {"a": 1, "b": 1, "c": 0},
        "r2": {"a": 1, "b": 1, "c": 1},
        "r3": {"a": 0, "b": 1, "c": 1},
        "r4": {"a": 0, "b": 0, "c": 0},
    }
    rows = cooccurrence(cb, flags)
    assert [(r.theme_a, r.theme_b, r.reviews, r.both, r.percent) for r in rows] == [
        ("a", "b", 4, 2, 50.0),
        ("a", "c", 4, 1, 25.0),
        ("b", "c", 4, 2, 50.0),
    ]


def test_sixteen_themes_give_120_pairs():
    cb = Codebook(tuple(Theme(f"t{i}", f"T{i}", "") for i in range(16)))
    assert len(cooccurrence(cb, {"r": {f"t{i}": 1 for i in range(16)}})) == 120


def test_no_reviews():
    cb = Codebook((Theme("a", "A", ""), Theme("b", "B", "")))
    assert cooccurrence(cb, {})[0].percent == 0.0
    assert all(r.count == 0 and r.reviews == 0 and r.percent == 0.0 for r in toxic_trio({}))


def test_toxic_trio_hand_counted():
    # 10 reviews: 2 with all three, 1 DA+PMH, 3 DA only, 1 PSM only, 3 with none
    flags = _flags((1, 1, 1), (1, 1, 1), (1, 1, 0), (1, 0, 0), (1, 0, 0), (1, 0, 0), (0, 0, 1), (0, 0, 0), (0, 0, 0), (0, 0, 0))
    rows = toxic_trio(flags)
    assert len(rows) == 11
    combos = {(r.domestic_abuse, r.parental_mental_health, r.parental_substance_misuse): r for r in rows[:8]}
    assert len(combos) == 8
    assert combos[(1, 1, 1)].count == 2 and combos[(1, 1, 1)].combination == "domestic abuse + parental mental health + parental substance misuse"
    assert combos[(1, 1, 0)].count == 1 and combos[(1, 1, 0)].combination == "domestic abuse + parental mental health only"
    assert combos[(1, 0, 0)].count == 3 and combos[(1, 0, 0)].percent == 30.0
    assert combos[(0, 0, 1)].count == 1
    assert combos[(0, 0, 0)].count == 3 and combos[(0, 0, 0)].combination == "none of the three"
    assert sum(r.count for r in rows[:8]) == 10
    summary = {r.combination: r for r in rows[8:]}
    assert list(summary) == ["any", "two or more", "all three"]
    assert (summary["any"].count, summary["any"].percent) == (7, 70.0)
    assert (summary["two or more"].count, summary["two or more"].percent) == (3, 30.0)
    assert (summary["all three"].count, summary["all three"].percent) == (2, 20.0)
    assert summary["any"].domestic_abuse is None
    # Wilson 95% for 7 of 10 (scipy.stats.binomtest(7, 10).proportion_ci(method="wilson")): 0.3968 .. 0.8922
    assert (summary["any"].ci_low, summary["any"].ci_high) == pytest.approx((39.7, 89.2))
    assert all(r.reviews == 10 for r in rows)


def test_codebook_without_the_trio():
    assert not has_toxic_trio(Codebook((Theme("neglect", "Neglect", ""),)))
    assert has_toxic_trio(Codebook(tuple(Theme(t, t, "") for t in TOXIC_TRIO)))
