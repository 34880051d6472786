"""`calibrate`: thresholds re-chosen on coded reviews, weights unchanged (pipeline/calibration.py)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.calibration import choose_thresholds
from pipeline.cli import app
from pipeline.codebook import load_codebook

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_a_theme_scored_low_across_the_board_gets_a_lower_threshold():
    # ranked perfectly, but every score below the old threshold: nothing was flagged
    scores = np.array([0.55, 0.5, 0.45, 0.42, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1])
    truth = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    entry = choose_thresholds({"neglect": 0.7}, {"neglect": scores}, {"neglect": truth})["neglect"]
    assert entry["rechosen"] and entry["threshold_before"] == 0.7
    assert 0.3 < entry["threshold"] < 0.4  # midway between the lowest positive and the highest negative
    assert entry["calibration_before"]["f1"] == 0.0 and entry["calibration"]["f1"] == 1.0
    assert (entry["calibration_positive"], entry["calibration_negative"]) == (5, 5)


def test_too_few_coded_reviews_keep_the_old_threshold_and_say_so():
    scores = np.array([0.9, 0.2, 0.1, 0.3, 0.2, 0.1])
    truth = np.array([1, 0, 0, 0, 0, 0])
    out = choose_thresholds({"neglect": 0.6, "disability": 0.5}, {"neglect": scores}, {"neglect": truth})
    assert not out["neglect"]["rechosen"] and out["neglect"]["threshold"] == 0.6
    assert "only 1 coded positive and 5 coded negative" in out["neglect"]["kept_because"]
    assert out["neglect"]["calibration"]["f1"] == 1.0  # still measured at the kept threshold
    # a theme nobody coded: kept, no figures
    assert out["disability"]["threshold"] == 0.5 and "calibration" not in out["disability"]
    assert (out["disability"]["calibration_positive"], out["disability"]["calibration_negative"]) == (0, 0)
    # a lower bar re-chooses it
    assert choose_thresholds({"neglect": 0.6}, {"neglect": scores}, {"neglect": truth}, min_per_class=1)["neglect"]["rechosen"]


@pytest.mark.parametrize("scores", [
    np.full(10, 0.3),  # scores that do not vary
    np.zeros(10),
    np.array([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.5, 0.45]),  # positives and negatives interleaved: no cut beats flagging all
])
def test_scores_that_do_not_separate_the_theme_keep_the_old_threshold(scores):
    truth = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    entry = choose_thresholds({"neglect": 0.6}, {"neglect": scores}, {"neglect": truth})["neglect"]
    assert not entry["rechosen"] and entry["threshold"] == 0.6
    assert "do not separate" in entry["kept_because"]


def _sheet(path: Path, files: list[str], truth: dict, ids: list[str]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *ids])
        for f in files:
            w.writerow([f, *(truth[f][t] for t in ids)])
    return path


def _invoke(*args: object) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@dataclass(frozen=True)
class Workspace:
    """A model `models/base` trained on the first 8 of the 16 coding-loop reviews (`base_sheet`),
    and what the tests need around it."""

    tmp: Path
    pdfs: Path
    truth: dict
    ids: list[str]
    cfg: Path
    files: list[str]
    base_sheet: Path


@pytest.fixture
def workspace(tmp_path: Path, coding_pdfs) -> Workspace:
    pdfs, truth = coding_pdfs
    ids = list(load_codebook(ROOT / "corpus/codebook.csv").ids)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"codebook: {ROOT / 'corpus/codebook.csv'}\ncues: {ROOT / 'corpus/cues.yaml'}\nmodel: models/base\n")
    files = sorted(truth)
    base_sheet = _sheet(tmp_path / "base.csv", files[:8], truth, ids)
    _invoke("train", base_sheet, "--pdfs", pdfs, "--out", tmp_path / "models/base", "--config", cfg, "-q")
    return Workspace(tmp_path, pdfs, truth, ids, cfg, files, base_sheet)


def test_calibrate_command_writes_a_new_model_with_the_same_weights(workspace: Workspace):
    tmp_path, pdfs, truth, ids, cfg, files = workspace.tmp, workspace.pdfs, workspace.truth, workspace.ids, workspace.cfg, workspace.files
    own = _sheet(tmp_path / "own.csv", files[8:], truth, ids)  # four themes with 4 positives and 4 negatives
    out = _invoke("calibrate", own, "--pdfs", pdfs, "--out", tmp_path / "models/cal", "--min-per-class", 4, "--config", cfg)
    assert "in-sample" in out and "kept: only" in out
    base = json.loads((tmp_path / "models/base/card.json").read_text())
    cal = json.loads((tmp_path / "models/cal/card.json").read_text())
    assert cal["files"] == base["files"]  # weights, vocabulary and assertion model byte for byte
    assert cal["model_id"].startswith("cal-") and cal["thresholds"] != base["thresholds"]
    assert cal["derived_from"]["model_id"] == base["model_id"]
    assert cal["calibration"]["reviews"] == 8 and len(cal["calibration"]["review_sha256"]) == 8
    rechosen = set(cal["calibration"]["themes_rechosen"])
    assert rechosen == {"neglect", "parental_substance_misuse", "unsafe_sleep", "domestic_abuse"}
    for theme in ids:
        entry = cal["evaluation"]["per_theme"][theme]
        before = base["evaluation"]["per_theme"][theme]
        assert entry["threshold"] == cal["thresholds"][theme]
        # the training counts code-sheet weighs uncertainty picks by stay the base's
        assert (entry["coded_positive"], entry["coded_negative"]) == (before["coded_positive"], before["coded_negative"])
        if theme in rechosen:  # error rates on the 4 + 4 calibration reviews: too few to call reliable
            assert entry["sensitivity"] == entry["calibration"]["sensitivity"] and not entry["reliable"]
        else:  # same threshold, same figures and reliability as the base
            assert cal["thresholds"][theme] == base["thresholds"][theme]
            assert entry["sensitivity"] == before["sensitivity"] and entry["reliable"] == before["reliable"]
    assert "held_out_evaluation" not in cal  # measured at the old thresholds: no longer true
    assert cal["codebook_sha256"] == base["codebook_sha256"] and cal["training_data"] == base["training_data"]
    # evaluate ranks too: AUC per theme beside the thresholded figures
    shown = _invoke("evaluate", own, "--pdfs", pdfs, "--model", tmp_path / "models/base", "--out", tmp_path / "ev.csv", "--config", cfg)
    assert " AUC " in shown
    with (tmp_path / "ev.csv").open() as fh:
        aucs = {r["theme"]: r["model_auc"] for r in csv.DictReader(fh)}
    assert all(0.0 <= float(aucs[t]) <= 1.0 for t in rechosen)  # 4 positives and 4 negatives each
    listing = _invoke("models", "list", tmp_path / "models", "--config", cfg)
    assert f"thresholds of {base['model_id']}, re-chosen by `calibrate`" in listing
    # the reviews that chose the thresholds cannot measure the new model
    result = runner.invoke(app, [str(a) for a in ("evaluate", own, "--pdfs", pdfs, "--model", tmp_path / "models/cal", "--config", cfg)])
    assert result.exit_code == 1 and "8 review(s) the model was trained or calibrated on excluded" in result.output
    # a run of the calibrated model cannot be audited on them either
    _invoke("run", pdfs, "--out", tmp_path / "run-cal", "--model", tmp_path / "models/cal", "--config", cfg, "-q")
    result = runner.invoke(app, [str(a) for a in ("audit", tmp_path / "run-cal", own, "--config", cfg)])
    assert result.exit_code == 1 and "8 trained or calibrated on" in result.output
    # held-out error rates recorded later make a re-chosen theme reliable again (its training was enough)
    from pipeline.training import EvalRow, record_held_out_evaluation

    theme = sorted(rechosen)[0]
    plenty = {"precision": 0.9, "recall": 0.9, "f1": 0.9, "sensitivity": 0.9, "specificity": 0.9, "support": 30, "negatives": 30}
    record_held_out_evaluation(tmp_path / "models/cal", [EvalRow(theme, plenty, plenty)], {"reviews": 60, "macro_f1": 0.9, "baseline_macro_f1": 0.5})
    recorded = json.loads((tmp_path / "models/cal/card.json").read_text())["held_out_evaluation"]["per_theme"][theme]
    assert recorded["reliable"] == base["evaluation"]["per_theme"][theme]["reliable"]
    # versioned: an existing folder (or file) is refused; so is the keyword baseline
    (tmp_path / "a-file").write_text("x")
    result = runner.invoke(app, [str(a) for a in ("calibrate", own, "--pdfs", pdfs, "--out", tmp_path / "a-file", "--config", cfg)])
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(app, [str(a) for a in ("calibrate", own, "--pdfs", pdfs, "--out", tmp_path / "models/cal", "--config", cfg)])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(app, [str(a) for a in ("calibrate", own, "--pdfs", pdfs, "--out", tmp_path / "models/kw",
                                                  "--model", "keywords", "--config", cfg)])
    assert result.exit_code != 0 and "keyword baseline" in result.output


def test_calibrate_on_reviews_the_model_was_trained_on_is_refused(workspace: Workspace):
    tmp_path, pdfs, cfg = workspace.tmp, workspace.pdfs, workspace.cfg
    result = runner.invoke(app, [str(a) for a in ("calibrate", workspace.base_sheet, "--pdfs", pdfs, "--out", tmp_path / "models/cal", "--config", cfg)])
    assert result.exit_code == 1
    assert "no audit-coded reviews to calibrate on" in result.output and "trained or calibrated on excluded" in result.output
    assert not (tmp_path / "models/cal").exists()


def test_a_chain_of_calibrations_keeps_every_calibration_sample_out(workspace: Workspace):
    tmp_path, pdfs, truth, ids, cfg, files = workspace.tmp, workspace.pdfs, workspace.truth, workspace.ids, workspace.cfg, workspace.files
    first = _sheet(tmp_path / "first.csv", files[8:12], truth, ids)
    second = _sheet(tmp_path / "second.csv", files[12:], truth, ids)
    _invoke("calibrate", first, "--pdfs", pdfs, "--out", tmp_path / "models/a", "--min-per-class", 1, "--config", cfg, "-q")
    _invoke("calibrate", second, "--pdfs", pdfs, "--out", tmp_path / "models/b", "--model", tmp_path / "models/a",
            "--min-per-class", 1, "--config", cfg, "-q")
    card = json.loads((tmp_path / "models/b/card.json").read_text())
    assert len(card["calibration"]["review_sha256"]) == 8 and len(card["calibration"]["earlier"]) == 1
    assert card["derived_from"]["derived_from"]["model_id"].startswith("base-")
    result = runner.invoke(app, [str(a) for a in ("evaluate", first, "--pdfs", pdfs, "--model", tmp_path / "models/b", "--config", cfg)])
    assert result.exit_code == 1 and "4 review(s) the model was trained or calibrated on excluded" in result.output


def test_calibrate_refuses_when_no_threshold_can_be_rechosen(workspace: Workspace):
    tmp_path, pdfs, truth, ids, cfg, files = workspace.tmp, workspace.pdfs, workspace.truth, workspace.ids, workspace.cfg, workspace.files
    result = runner.invoke(app, [str(a) for a in ("calibrate", _sheet(tmp_path / "own.csv", files[8:], truth, ids), "--pdfs", pdfs,
                                                  "--out", tmp_path / "models/cal", "--config", cfg)])  # 4 + 4 < 5 of each
    assert result.exit_code == 1 and "no theme's threshold could be re-chosen" in result.output
    assert not (tmp_path / "models/cal").exists()


@pytest.mark.parametrize("metrics, expected", [
    ({"auc": 0.95, "recall": 0.5, "precision": 1.0, "support": 20, "predicted_percent": 10.0}, True),
    ({"auc": 0.95, "recall": 0.0, "precision": 0.0, "support": 20, "predicted_percent": 0.0}, True),  # nothing flagged
    ({"auc": 0.7, "recall": 0.5, "precision": 1.0, "support": 20, "predicted_percent": 10.0}, False),  # ranked badly
    ({"auc": 0.95, "recall": 0.9, "precision": 1.0, "support": 20, "predicted_percent": 20.0}, False),  # found
    ({"auc": 0.95, "recall": 0.5, "precision": 0.6, "support": 20, "predicted_percent": 20.0}, False),  # false flags too
    ({"auc": None, "recall": 0.0, "precision": 0.0, "support": 0, "predicted_percent": 0.0}, False),
    ({"auc": 0.95, "recall": 0.5, "precision": 1.0, "support": 2, "predicted_percent": 5.0}, False),  # too few to say
])
def test_evaluate_points_to_calibrate_only_for_themes_ranked_well_and_missed(metrics, expected):
    from pipeline.cli import _ranked_but_missed

    assert _ranked_but_missed(metrics) is expected


def _chosen(rechosen: bool, pos: int, neg: int, with_figures: bool = True) -> dict:
    entry = {"threshold": 0.4 if rechosen else 0.6, "threshold_before": 0.6, "rechosen": rechosen,
             "calibration_positive": pos, "calibration_negative": neg}
    if not rechosen:
        entry["kept_because"] = "too few"
    if with_figures:
        m = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "sensitivity": 1.0, "specificity": 1.0, "support": pos, "negatives": neg}
        entry.update({"calibration": m, "calibration_before": m})
    return entry


def test_a_chain_of_calibrations_judges_reliability_by_the_training_not_the_last_sample():
    from types import SimpleNamespace

    from pipeline.calibration import _per_theme

    trained = {"coded_positive": 131, "coded_negative": 400, "reliable": True, "sensitivity": 0.8, "specificity": 0.9}
    base = SimpleNamespace(card={"evaluation": {"per_theme": {"disability": trained}}})
    first = _per_theme(base, {"disability": _chosen(True, 7, 23)})["disability"]  # too few to trust the rates
    assert not first["reliable"] and first["trained_reliable"] and "only 7 positive" in first["warning"]
    second = _per_theme(SimpleNamespace(card={"evaluation": {"per_theme": {"disability": first}}}),
                        {"disability": _chosen(True, 14, 67)})["disability"]
    assert second["reliable"] and second["trained_reliable"] and "warning" not in second
    assert (second["coded_positive"], second["coded_negative"]) == (131, 400)
    # a theme trained on too few reviews stays unreliable down the chain, with the training's warning
    few = {"coded_positive": 3, "coded_negative": 500, "reliable": False, "warning": "only 3 coded positive"}
    a = _per_theme(SimpleNamespace(card={"evaluation": {"per_theme": {"disability": few}}}), {"disability": _chosen(True, 20, 60)})["disability"]
    b = _per_theme(SimpleNamespace(card={"evaluation": {"per_theme": {"disability": a}}}), {"disability": _chosen(True, 20, 60)})["disability"]
    assert not a["reliable"] and not b["reliable"] and b["warning"] == "only 3 coded positive"


def test_a_kept_theme_carries_no_figures_of_an_earlier_calibration():
    from types import SimpleNamespace

    from pipeline.calibration import _per_theme

    earlier = {**_chosen(True, 20, 60), "coded_positive": 50, "coded_negative": 300, "reliable": True, "trained_reliable": True,
               "sensitivity": 0.7, "specificity": 0.95}
    base = SimpleNamespace(card={"evaluation": {"per_theme": {"sexual_abuse": earlier}}})
    kept = _per_theme(base, {"sexual_abuse": _chosen(False, 0, 0, with_figures=False)})["sexual_abuse"]
    assert "calibration" not in kept and "calibration_before" not in kept  # nothing measured on this sheet
    assert (kept["calibration_positive"], kept["calibration_negative"]) == (0, 0)
    assert kept["sensitivity"] == 0.7 and kept["reliable"]  # the rates the threshold was last chosen with
