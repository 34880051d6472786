"""The wording banks: strict validation with errors naming the file and entry, expansion, disjointness."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.corpus.banks import (
    PLACEHOLDERS,
    THEME_KINDS,
    disjoin,
    entry_texts_overlap,
    expand,
    load_bank,
    load_theme_file,
)
from pipeline.errors import CorpusError

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "corpus" / "banks"


@pytest.fixture(scope="module")
def theme_ids() -> tuple[str, ...]:
    from pipeline.codebook import load_codebook

    return load_codebook(ROOT / "corpus" / "codebook.csv").ids


def _theme_yaml(**override: object) -> str:
    kinds = {k: ['"{child} sentence [one|two] for ' + k + '."'] for k in THEME_KINDS}
    kinds.update({k: v for k, v in override.items() if isinstance(v, list)})
    lines = ["theme: neglect", "bank: a"]
    for k, entries in kinds.items():
        lines.append(f"{k}:")
        lines += [f"  - {e}" for e in entries]
    for k, v in override.items():
        if not isinstance(v, list):
            lines.append(f"{k}: {v}")
    return "\n".join(lines) + "\n"


def test_committed_banks_are_complete_and_valid(theme_ids):
    for name in ("a", "b"):
        bank = load_bank(BANKS, name, theme_ids, require_complete=True)
        assert not bank.missing
        assert set(bank.themes) == set(theme_ids)
        for tb in bank.themes.values():
            assert all(tb.entries(k) for k in THEME_KINDS)


def test_banks_share_no_sentence_template_once_disjoined(theme_ids):
    a = load_bank(BANKS, "a", theme_ids)
    b, dropped = disjoin(a, load_bank(BANKS, "b", theme_ids))
    assert entry_texts_overlap(a, b) == []
    assert all(t.startswith("b/") for t in dropped)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (['"an [unbalanced|bracket sentence."'], "unbalanced '['"),
        (['"a [nested [x|y]|z] sentence."'], "nested alternation"),
        (['"a stray | pipe."'], "'|' outside an alternation"),
        (['"{child} met {grandmother}."'], "unknown placeholder {grandmother}"),
        (['{text: "{child} is small.", ages: [baby]}'], "unknown age band(s) baby"),
        (['{text: "{child} is small.", also: [poverty]}'], "'also' names unknown theme(s) poverty"),
        (['{text: "{child} is small.", colour: red}'], "unknown key(s) colour"),
        (['{ages: [teen]}'], "'text' is missing"),
    ],
)
def test_bad_entries_are_errors_naming_file_and_entry(tmp_path, theme_ids, entries, message):
    path = tmp_path / "neglect.yaml"
    path.write_text(_theme_yaml(negated=['"fine one."', *entries]), encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_theme_file(path, "a", theme_ids)
    text = str(exc.value)
    assert str(path) in text and "negated entry 2" in text and message in text


def test_unknown_kind_and_missing_kind_are_errors(tmp_path, theme_ids):
    path = tmp_path / "neglect.yaml"
    path.write_text(_theme_yaml(maybe=['"what."']), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"neglect\.yaml: unknown kind\(s\) maybe"):
        load_theme_file(path, "a", theme_ids)
    path.write_text("theme: neglect\npresent:\n  - \"x.\"\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="kind 'present_missed' is missing"):
        load_theme_file(path, "a", theme_ids)


def test_wrong_theme_name_or_bank_is_an_error(tmp_path, theme_ids):
    path = tmp_path / "neglect.yaml"
    path.write_text(_theme_yaml().replace("theme: neglect", "theme: disability"), encoding="utf-8")
    with pytest.raises(CorpusError, match="does not match the file name"):
        load_theme_file(path, "a", theme_ids)
    path.write_text(_theme_yaml(), encoding="utf-8")
    with pytest.raises(CorpusError, match="but the file is in bank 'b'"):
        load_theme_file(path, "b", theme_ids)
    bad = tmp_path / "poverty.yaml"
    bad.write_text(_theme_yaml(), encoding="utf-8")
    with pytest.raises(CorpusError, match="not a theme id"):
        load_theme_file(bad, "a", theme_ids)


def test_invalid_yaml_names_the_line(tmp_path, theme_ids):
    path = tmp_path / "neglect.yaml"
    path.write_text("present:\n  - \"unterminated\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"neglect\.yaml: not valid YAML"):
        load_theme_file(path, "a", theme_ids)


def test_expand_is_deterministic_and_complete():
    values = {p: p.upper() for p in PLACEHOLDERS} | {"child": "Child T", "he": "she", "his": "her"}
    text = "{he} saw [a|the|] [nurse|doctor] about {his} [cough|rash] in {month}"
    first = expand(text, random.Random(3), values)
    assert first == expand(text, random.Random(3), values)
    assert first[0] == "S" and first.endswith(".")
    assert not set("[]{}|") & set(first)
    assert "  " not in first
    outputs = {expand(text, random.Random(seed), values) for seed in range(40)}
    assert len(outputs) > 4


def test_expand_rejects_a_missing_value():
    with pytest.raises(CorpusError, match="no value for placeholder {school}"):
        expand("{child} went to {school}.", random.Random(1), {"child": "Kai"})
