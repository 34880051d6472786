"""`publish_run`, the step `run` ends with: it records the model's error rates and the codebook in
run.json, then writes the tables and the report from the folder, as `export` would."""

import csv
import json
from pathlib import Path
from types import SimpleNamespace

from pipeline.publish import export_run, publish_run
from pipeline.records import Codebook, Theme
from tests.fixtures.run_folder import TINY_THEMES, make_tiny_run


def test_publish_run_records_card_figures_and_writes_adjusted_tables(tmp_path: Path):
    folder = make_tiny_run(tmp_path / "run")
    info = json.loads((folder / "run.json").read_text())
    for key in ("themes", "model", "tables"):  # as batch.py writes it, before publish_run
        del info[key]
    (folder / "run.json").write_text(json.dumps(info))
    codebook = Codebook(tuple(Theme(t["id"], t["label"], "", (), t["denominator"]) for t in TINY_THEMES))
    card = {"evaluation": {"per_theme": {"neglect": {"sensitivity": 0.8, "specificity": 0.9, "support": 100, "negatives": 200, "reliable": True, "threshold": 0.5}}}}
    model = SimpleNamespace(model_id="tiny-0123456789ab", card=card)

    paths = publish_run(folder, codebook, model, Path("models/tiny"), ("year",))

    assert [p.name for p in paths] == ["prevalence.csv", "prevalence_by_year.csv", "cooccurrence.csv", "toxic_trio.csv", "report.html"]
    info = json.loads((folder / "run.json").read_text())
    assert info["model"]["error_rates"]["neglect"]["sensitivity"] == 0.8
    assert info["model"]["folder"] == "models/tiny" and info["counts"]["ok"] == 4  # the rest of run.json is kept
    with (folder / "prevalence.csv").open(encoding="utf-8") as fh:
        neglect = next(csv.DictReader(fh))
    assert (neglect["percent"], neglect["adjusted_percent"], neglect["reliable"]) == ("50.0", "57.1", "yes")
    before = {p.name: p.read_bytes() for p in paths}
    export_run(folder, ["csv", "html"])  # rebuilt from the folder: identical, seeded bootstrap included
    assert {p.name: p.read_bytes() for p in paths} == before
