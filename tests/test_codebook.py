import csv
from pathlib import Path

import pytest

from pipeline.codebook import load_codebook
from pipeline.errors import ConfigError
from tests.conftest import ROOT, shared_dir

DEFAULT_IDS = (
    "neglect school_absence information_sharing domestic_abuse parental_mental_health "
    "parental_substance_misuse child_mental_health known_to_social_care child_protection_plan "
    "looked_after whole_family_approach physical_abuse sexual_abuse criminal_exploitation "
    "unsafe_sleep disability"
).split()


def test_project_codebook_has_the_16_default_ids_in_order():
    cb = load_codebook(ROOT / "corpus" / "codebook.csv")
    assert list(cb.ids) == DEFAULT_IDS
    assert all(t.keywords for t in cb.themes)
    assert cb.get("school_absence").denominator == "age:5-16"


def test_project_codebook_matches_shared_descriptions():
    shared = shared_dir("themes.csv")
    ours = {t.id: t.description for t in load_codebook(ROOT / "corpus" / "codebook.csv").themes}
    for row in csv.DictReader(shared.open()):
        assert ours[row["id"]] == row["description"]


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cb.csv"
    p.write_text(text)
    return p


def test_duplicate_id_names_row(tmp_path):
    p = _write(tmp_path, "id,label,description\na,A,x\na,A,y\n")
    with pytest.raises(ConfigError, match="row 3, column 'id'"):
        load_codebook(p)


def test_bad_denominator(tmp_path):
    p = _write(tmp_path, "id,label,description,denominator\na,A,x,school\n")
    with pytest.raises(ConfigError, match="denominator"):
        load_codebook(p)


def test_missing_column(tmp_path):
    p = _write(tmp_path, "id,label\na,A\n")
    with pytest.raises(ConfigError, match="description"):
        load_codebook(p)


def test_hash_changes_with_description(tmp_path):
    a = load_codebook(_write(tmp_path, "id,label,description\na,A,x\n")).sha256
    b = load_codebook(_write(tmp_path, "id,label,description\na,A,y\n")).sha256
    assert a != b
