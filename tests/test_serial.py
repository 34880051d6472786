"""Records survive the store's JSON round trip exactly, and rebuilding tolerates changed record types."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import serial
from pipeline.records import (
    Block,
    Evidence,
    ExtractedReview,
    ExtractFailure,
    ReviewMeta,
    ReviewPrediction,
    SectionKind,
    Sentence,
)

text = st.text(max_size=40)
sections = st.sampled_from(list(SectionKind))
opt_int = st.none() | st.integers(-(2**40), 2**40)
floats = st.floats(allow_nan=False, allow_infinity=False)
blocks = st.builds(Block, kind=st.sampled_from(["heading", "paragraph"]), text=text, page=st.integers(1, 500),
                   section=sections, para_id=st.none() | text, level=st.integers(0, 4))
metas = st.builds(ReviewMeta, title=st.none() | text, partnership=st.none() | text, year=opt_int, month=opt_int,
                  review_type=st.none() | text, child=st.none() | text, incident=st.none() | text,
                  child_age=st.none() | floats)
reviews = st.builds(ExtractedReview, review_id=text, file=text, sha256=text, pages=st.integers(0, 999),
                    blocks=st.lists(blocks, max_size=5).map(tuple), meta=metas,
                    textless_pages=st.lists(st.integers(1, 99), max_size=3).map(tuple),
                    warnings=st.lists(text, max_size=2).map(tuple))
failures = st.builds(ExtractFailure, review_id=text, file=text, sha256=text, reason=text, pages=st.integers(0, 9),
                     status=st.sampled_from(["failed", "duplicate"]))
sentences = st.builds(Sentence, review_id=text, index=st.integers(0, 10**6), page=st.integers(1, 500), section=sections,
                      text=text, norm=text, tags=st.lists(text, max_size=3).map(tuple))
themes = st.sampled_from(["neglect", "domestic_abuse", "unsafe_sleep"])
predictions = st.builds(
    ReviewPrediction,
    review_id=text,
    scores=st.dictionaries(themes, floats),
    flags=st.dictionaries(themes, st.integers(0, 1)),
    evidence=st.lists(st.builds(Evidence, review_id=text, theme=themes, page=st.integers(1, 99), section=sections,
                                score=floats, text=text), max_size=4).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.one_of(reviews, failures, sentences, predictions))
def test_round_trip_is_exact(record):
    again = serial.loads(type(record), serial.dumps(record))
    assert again == record
    assert serial.dumps(again) == serial.dumps(record)  # stable text: equal records, equal bytes


def test_section_kinds_come_back_as_enums():
    s = Sentence("r", 0, 1, SectionKind.FINDINGS, "Text here now.")
    back = serial.loads(Sentence, serial.dumps(s, drop=frozenset({"review_id"})), review_id="other")
    assert back.section is SectionKind.FINDINGS and back.review_id == "other"


@dataclass(frozen=True)
class _Old:
    a: str
    b: int = 1


@dataclass(frozen=True)
class _New:
    a: str
    b: int = 1
    c: tuple[str, ...] = ()
    d: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Varied:
    path: Path
    tags: frozenset[str] = frozenset()
    pairs: tuple[tuple[int, str], ...] = ()
    maybe: float | None = None


def test_paths_sets_and_nested_tuples_round_trip():
    v = _Varied(Path("a/b.pdf"), frozenset({"x", "y"}), ((1, "a"), (2, "b")), 3.0)
    assert serial.loads(_Varied, serial.dumps(v)) == v


@dataclass(frozen=True)
class _Stricter:
    a: str
    z: int


def test_unknown_keys_are_ignored_and_new_fields_take_defaults():
    assert serial.loads(_New, serial.dumps(_Old("x", 2))) == _New("x", 2)
    assert serial.loads(_Old, serial.dumps(_New("x", 2, ("q",), {"k": 1.0}))) == _Old("x", 2)


def test_a_new_required_field_is_a_mismatch_not_a_crash():
    with pytest.raises(serial.RecordMismatch, match="no 'z'"):
        serial.loads(_Stricter, serial.dumps(_Old("x")))


@pytest.mark.parametrize("bad", ['{"a": 5}', '{"a": "x", "b": "two"}', "[1, 2]", "not json", '{"a": "x", "c": 3}'])
def test_wrong_shapes_are_mismatches(bad):
    with pytest.raises(serial.RecordMismatch):
        serial.loads(_New, bad)


def test_bad_enum_value_is_a_mismatch():
    data = json.loads(serial.dumps(Sentence("r", 0, 1, SectionKind.OTHER, "t")))
    data["section"] = "no_such_section"
    with pytest.raises(serial.RecordMismatch, match="SectionKind"):
        serial.rebuild(Sentence, data)
