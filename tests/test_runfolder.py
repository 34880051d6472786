"""What `run` records in run.json for the tables, and reading a run folder back (with its errors)."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.errors import InputError
from pipeline.keywords import KeywordModel
from pipeline.records import Codebook, Theme
from pipeline.runfolder import read_run, run_context
from tests.fixtures.run_folder import make_tiny_run

CB = Codebook((Theme("neglect", "Neglect", "x"), Theme("school_absence", "School", "y", denominator="age:5-16")))


def test_run_context_copies_the_cards_error_rates():
    card = {
        "model_id": "m-1",
        "evaluation": {
            "per_theme": {
                "neglect": {"f1": 0.9, "sensitivity": 0.85, "specificity": 0.95, "support": 30, "negatives": 70, "threshold": 0.4, "reliable": True},
                "school_absence": {"threshold": 0.5, "reliable": False, "warning": "only 2 coded positive"},  # no CV figures
            }
        },
    }
    model = SimpleNamespace(model_id="m-1", card=card)
    ctx = run_context(CB, model, Path("models/default"), ("year",))
    assert ctx["themes"] == [
        {"id": "neglect", "label": "Neglect", "denominator": "all"},
        {"id": "school_absence", "label": "School", "denominator": "age:5-16"},
    ]
    assert ctx["model"] == {
        "id": "m-1",
        "folder": "models/default",
        "kind": "trained model",
        "error_rates_from": "cross-validation on training reviews",
        "error_rates": {"neglect": {"sensitivity": 0.85, "specificity": 0.95, "support": 30, "negatives": 70, "reliable": True}},
        "thresholds": None,  # the fake model in this test has none; a ThemeModel's are copied
    }
    assert ctx["tables"] == {"by": ["year"]}


def test_run_context_of_the_keyword_baseline():
    ctx = run_context(CB, KeywordModel(CB), Path("/somewhere/keywords"))
    assert ctx["model"] == {"id": "keyword-baseline", "folder": "keywords", "kind": "keyword baseline", "error_rates_from": "", "error_rates": {}, "thresholds": None}


def test_read_run_back(tmp_path: Path):
    run = read_run(make_tiny_run(tmp_path / "r"))
    assert run.codebook.ids == ("neglect", "school_absence", "domestic_abuse", "parental_mental_health", "parental_substance_misuse")
    assert run.codebook.get("school_absence").denominator == "age:5-16"
    assert set(run.flags) == {"r1", "r2", "r3", "r4"}
    assert [r.status for r in run.reviews].count("failed") == 1
    meta = {r.review_id: r.meta for r in run.reviews}
    assert (meta["r1"].year, meta["r1"].child_age, meta["r3"].year, meta["r3"].child_age) == (2022, 9.0, None, None)
    assert run.rates["neglect"].sensitivity == 0.8 and run.rates["domestic_abuse"].reliable is False
    assert run.error_rates_from == "cross-validation on training reviews"
    assert run.breakdowns == ("year",)
    assert len(run.evidence) == 3 and run.scores["r1"]["neglect"] == 0.9


def test_read_run_errors_name_the_file(tmp_path: Path):
    with pytest.raises(InputError, match="no run.json here"):
        read_run(tmp_path)
    folder = make_tiny_run(tmp_path / "r")
    flags = (folder / "flags.csv").read_text().replace("r2,1,0", "r2,yes,0")
    (folder / "flags.csv").write_text(flags)
    with pytest.raises(InputError, match=r"flags.csv, row 3, column 'neglect': expected 0 or 1, found 'yes'"):
        read_run(folder)
    folder = make_tiny_run(tmp_path / "s")
    (folder / "reviews.csv").write_text((folder / "reviews.csv").read_text().replace(",2022,", ",twenty,", 1))
    with pytest.raises(InputError, match=r"reviews.csv, row 2, column 'year': 'twenty' is not a number"):
        read_run(folder)
    folder = make_tiny_run(tmp_path / "t")
    (folder / "flags.csv").unlink()
    with pytest.raises(InputError, match="flags.csv: missing"):
        read_run(folder)


def test_older_run_json_needs_the_codebook(tmp_path: Path):
    folder = make_tiny_run(tmp_path / "r")
    info = json.loads((folder / "run.json").read_text())
    del info["themes"]
    (folder / "run.json").write_text(json.dumps(info))
    with pytest.raises(InputError, match="records no themes"):
        read_run(folder)
    with pytest.raises(InputError, match="do not match the run's codebook"):  # a codebook that does not fit is refused
        read_run(folder, CB)
