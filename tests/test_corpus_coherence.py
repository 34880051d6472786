"""The coherence layer: every review agrees with its case's fact sheet (one birth date and age, at
most one condition, who lives in the household, siblings) and its chronology runs forward in time."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.corpus.build import generate_corpus, load_banks
from pipeline.corpus.facts import FactSheet, child_age_fitted, conditions_named, household_fits
from pipeline.corpus.generate import MONTHS, GeneratedReview, review_text

ROOT = Path(__file__).resolve().parent.parent
_MONTH = "|".join(MONTHS)
_FULL_DATE = re.compile(rf"(?<![\d.])\b(\d{{1,2}}) ({_MONTH}) (\d{{4}})\b|\b(\d{{2}})/(\d{{2}})/(\d{{4}})\b|\b(\d{{1,2}}) ({'|'.join(m[:3] for m in MONTHS)}) (\d{{4}})\b")


@pytest.fixture(scope="module")
def reviews() -> list[GeneratedReview]:
    from pipeline.codebook import load_codebook

    ids = load_codebook(ROOT / "corpus" / "codebook.csv").ids
    banks = load_banks(ROOT / "corpus" / "banks", ids, "both")[0]
    return generate_corpus(banks, ids, {"a": 60, "b": 30}, seed=23)


def _single(reviews: list[GeneratedReview]) -> list[GeneratedReview]:
    return [r for r in reviews if len(r.children) == 1]


def _household_line(r: GeneratedReview) -> str:
    lines = [x for c, t, x in r.units if "/frames/household_" in t]
    assert len(lines) == len(r.children), (r.stem, lines)
    return lines[0]


def test_one_date_of_birth_and_one_age_per_child(reviews):
    for r in _single(reviews):
        child, facts = r.children[0], r.facts[0]
        body = review_text(r).split("\n---\n", 1)[1]
        name = re.escape(child.pseudonym)
        births = set(re.findall(rf"(?:{name} was born in|Born in|{name}, born|{name} \(date of birth) ({_MONTH}) (\d{{4}})", body))
        assert births == {(MONTHS[facts.born.month - 1], str(facts.born.year))}, (r.stem, births)
        ages = set(re.findall(rf"{name},? \(?(?:then )?aged (\w+(?: weeks| months)?)", body))
        assert ages <= {child.age_text}, (r.stem, ages, child.age_text)


def test_at_most_one_condition_and_only_with_the_disability_theme(reviews):
    for r in reviews:
        if len(r.children) != 1:
            continue
        told = [s.text for s in r.sentences if s.label == 1]
        told += [x for c, t, x in r.units if c == "neutral" and re.search(r"/narrative/(background|chronology)/", t)]
        named = set().union(*(conditions_named(x) for x in told)) if told else set()
        assert len(named) <= 1, (r.stem, named)
        if named:
            assert "disability" in r.themes and named == {r.facts[0].condition}, (r.stem, named)


def test_the_household_line_names_everyone_and_no_one_else_appears(reviews):
    for r in [r for r in reviews if r.kind != "thematic"]:
        line, facts, people = _household_line(r), r.facts[0], r.people[0]
        low = line.lower()
        assert people["mother"].lower() in low and people["father"].lower() in low, (r.stem, line)
        assert (people["partner"].lower() in low) == (facts.household == "partner"), (r.stem, line)
        for sib in facts.siblings:
            assert sib.label in line and (str(sib.age_years) in line or "under one" in line), (r.stem, line)
        body = review_text(r)
        if facts.household != "partner" and re.match(r"Mr [A-Z]$", people["partner"]):
            assert people["partner"] not in body, (r.stem, people["partner"])
        if not facts.siblings and people["sibling"].startswith("Sibling"):
            assert people["sibling"] not in body, r.stem


def test_chronology_dates_run_forward_and_fit_the_child(reviews):
    checked = 0
    for r in _single(reviews):
        child, facts = r.children[0], r.facts[0]
        seen: list[date] = []
        for b in r.blocks:
            if b.section != "chronology":
                continue
            cells = [row[0] for row in b.rows[1:]] if b.kind == "table" else [b.text]
            for cell in cells:
                for m in _FULL_DATE.finditer(cell):
                    if m.group(1):
                        d = date(int(m.group(3)), MONTHS.index(m.group(2)) + 1, int(m.group(1)))
                    elif m.group(4):
                        d = date(int(m.group(6)), int(m.group(5)), int(m.group(4)))
                    else:
                        d = date(int(m.group(9)), [x[:3] for x in MONTHS].index(m.group(8)) + 1, int(m.group(7)))
                    seen.append(d)
            if b.kind == "table":
                dates = seen[-(len(b.rows) - 1):]
                assert all(x < y for x, y in zip(dates, dates[1:])), (r.stem, dates)
        assert all(x <= y for x, y in zip(seen, seen[1:])), (r.stem, seen)
        if seen:
            checked += 1
            assert seen[-1] <= child.incident_date, (r.stem, seen[-1], child.incident_date)
            assert seen[0] >= date(facts.born.year - 1, facts.born.month, 1), (r.stem, seen[0], facts.born)
    assert checked > 20


def test_fact_checks_reject_what_contradicts_the_sheet():
    sheet = FactSheet(born=date(2015, 3, 1), household="parents", siblings=(), condition=None, agencies=frozenset())
    start = date(2021, 1, 1)
    assert not household_fits("{partner} moved in with {mother}.", sheet, start)
    assert not household_fits("After the separation {father} moved out.", sheet, start)
    assert not household_fits("{sibling} started at {school}.", sheet, start)
    apart = FactSheet(born=date(2015, 3, 1), household="partner", siblings=(), condition=None, agencies=frozenset())
    assert not household_fits("In {month}, {mother} and {father} [married at the register office|got engaged].", apart, start)
    assert household_fits("{mother} took {child} to the GP.", sheet, start)
    assert conditions_named("{child} was autistic and used PECS.") == {"autism"}
    assert child_age_fitted("At fourteen, {child} had a reading age of six.", 9 * 12) is None
    assert child_age_fitted("At [four|twelve] {child} was still in nappies.", 9 * 12) == "At [four] {child} was still in nappies."
    assert child_age_fitted("{mother} left school at fourteen.", 2 * 12) == "{mother} left school at fourteen."


def test_school_stages_fit_the_childs_age():
    from pipeline.corpus.generate import _stage_fitted

    text = "{child} was home educated from Year [5|7|8]."
    assert _stage_fitted(text, 7) == "{child} was home educated from Year [5]."
    assert _stage_fitted(text, 13) == text
    assert _stage_fitted("{child} was home educated from Year 8.", 7) is None
