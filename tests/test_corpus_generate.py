"""The review generator: determinism, theme coverage, hard negatives, label consistency, constraints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.corpus.banks import POSITIVE_KINDS, Entry
from pipeline.corpus.build import generate_corpus, load_banks
from pipeline.corpus.generate import GeneratedReview, generate_review, review_text
from pipeline.corpus.textformat import parse_markdown
from pipeline.corpus.themes import IMPLIES, is_consistent

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "corpus" / "banks"
N_A, N_B = 50, 30


@pytest.fixture(scope="module")
def theme_ids() -> tuple[str, ...]:
    from pipeline.codebook import load_codebook

    return load_codebook(ROOT / "corpus" / "codebook.csv").ids


@pytest.fixture(scope="module")
def banks(theme_ids):
    return load_banks(BANKS, theme_ids, "both")[0]


@pytest.fixture(scope="module")
def reviews(banks, theme_ids) -> list[GeneratedReview]:
    return generate_corpus(banks, theme_ids, {"a": N_A, "b": N_B}, seed=11)


@pytest.fixture(scope="module")
def entries(banks) -> dict[str, Entry]:
    return {e.template: e for bank in banks.values() for e in bank.all_entries()}


def test_same_seed_same_review_other_seed_other_review(banks, theme_ids):
    one = generate_review(banks["a"], theme_ids, 5, 3)
    two = generate_review(banks["a"], theme_ids, 5, 3)
    assert review_text(one) == review_text(two)
    assert one.sentences == two.sentences and one.themes == two.themes
    assert review_text(generate_review(banks["a"], theme_ids, 6, 3)) != review_text(one)


def test_every_theme_is_present_and_absent_in_each_split(reviews, theme_ids):
    for bank in ("a", "b"):
        batch = [r for r in reviews if r.bank == bank]
        for theme in theme_ids:
            n = sum(theme in r.themes for r in batch)
            assert 0 < n < len(batch), (bank, theme, n)


def test_all_document_kinds_occur(reviews):
    assert {r.kind for r in reviews} == {"lcspr", "scr_overview", "scr_summary", "cpr", "briefing", "thematic"}


def test_codes_match_the_sentence_record(reviews):
    """A theme is coded 1 exactly when a present / present_missed sentence (or an `also`) expresses it."""
    for r in reviews:
        positive = {s.theme for s in r.sentences if s.label == 1}
        assert positive == r.themes, r.stem
        for s in r.sentences:
            assert s.label == (1 if s.kind in POSITIVE_KINDS else 0)


def test_every_review_has_hard_negatives_and_boilerplate(reviews):
    for r in reviews:
        negatives = [s for s in r.sentences if s.label == 0 and s.theme]
        absent_themes = {s.theme for s in negatives if s.theme not in r.themes}
        assert len(absent_themes) >= 2, r.stem
        assert len({s.kind for s in negatives}) >= 2, r.stem
        assert any(s.kind == "boilerplate" for s in r.sentences), r.stem


def test_negations_never_contradict_the_codes(reviews):
    for r in reviews:
        for s in r.sentences:
            if s.kind in ("negated", "ruled_out", "other_subject"):
                assert s.theme not in r.themes, (r.stem, s.theme, s.text)


def test_consistency_constraints(reviews):
    for r in reviews:
        for child in r.children:
            assert child.band in ("infant", "toddler", "school", "teen")
        if len(r.children) == 1:
            band = r.children[0].band
            assert is_consistent(r.themes, band), (r.stem, band, sorted(r.themes))
            if band == "teen":
                assert "unsafe_sleep" not in r.themes
            if band in ("infant", "toddler"):
                assert not {"school_absence", "criminal_exploitation", "child_mental_health"} & r.themes
        for theme, implied in IMPLIES.items():
            if theme in r.themes:
                assert set(implied) <= r.themes


def test_entries_respect_ages_and_also(reviews, entries):
    for r in reviews:
        bands = {c.band for c in r.children}
        for s in r.sentences:
            entry = entries.get(s.template)
            if entry is None:  # boilerplate from the generator's own frames
                continue
            if entry.ages:
                assert bands & set(entry.ages), (r.stem, s.template, bands)
            for extra in entry.also:
                assert extra in r.themes, (r.stem, s.template, extra)


def test_sentences_appear_in_the_text_and_nothing_is_left_unexpanded(reviews):
    for r in reviews:
        text = review_text(r)
        body = text.split("\n---\n", 1)[1]
        assert not re.search(r"\[[^\]]*\|", body) and "{" not in body and "}" not in body
        flat = " ".join(body.split())
        for s in r.sentences:
            if s.kind != "boilerplate":
                assert " ".join(s.text.split())[:-1] in flat, (r.stem, s.text)


def test_lengths_and_structure_by_kind(reviews):
    for r in reviews:
        doc = parse_markdown(review_text(r))
        headings = [b for b in doc.blocks if b.kind == "h1"]
        if r.kind == "briefing":
            assert 450 <= r.words <= 1400, (r.stem, r.words)
            assert sum(b.kind == "bullet" for b in doc.blocks) >= 8
        elif r.kind in ("lcspr", "scr_overview", "thematic"):
            assert 1900 <= r.words <= 5200, (r.stem, r.words)
            assert len(headings) >= 7
        assert r.cover and r.partnership in " ".join(r.cover) or r.partnership.upper() in " ".join(r.cover)
        if r.kind.startswith("scr"):
            assert 2010 <= r.year <= 2018 and "Board" in r.partnership or "LSCB" in r.partnership
        if r.kind == "lcspr":
            assert 2019 <= r.year <= 2026
        if r.kind == "thematic":
            assert 2 <= len(r.children) <= 4 and r.child_age == ""


def test_split_wording_is_disjoint(reviews):
    """No sentence template, and no sentence, is shared between the bank-a and bank-b reviews."""
    def templates(bank: str) -> set[str]:
        return {p for r in reviews if r.bank == bank for _, t, _ in r.units for p in t.split("+")}

    assert not templates("a") & templates("b")
    assert all(t.startswith("a/") for t in templates("a"))
    texts_a = {x for r in reviews if r.bank == "a" for c, _, x in r.units if c in ("theme", "neutral")}
    texts_b = {x for r in reviews if r.bank == "b" for c, _, x in r.units if c in ("theme", "neutral")}
    assert not texts_a & texts_b
