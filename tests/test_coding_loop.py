"""The analyst's coding loop end to end, through the commands: train a first model, run it, export an
audit sheet and an uncertainty sheet, code them (two coders on one), retrain, compare, evaluate, audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codebook import load_codebook
from pipeline.codes import read_codes

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def fill_csv(path: Path, truth: dict, coder: str, coded_at: str, flip: set[tuple[str, str]] = frozenset(), out: Path | None = None) -> None:
    """Code every row of a CSV sheet with the true codes (flipping the (file, theme) pairs in `flip`)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    col = {name: i for i, name in enumerate(table[0])}
    for row in table[1:]:
        for theme, code in truth[row[0]].items():
            row[col[theme]] = str(1 - code if (row[0], theme) in flip else code)
        row[col["coder"]], row[col["coded_at"]] = coder, coded_at
    with (out or path).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)


def fill_xlsx(path: Path, truth: dict, coder: str, coded_at: str, flip: set[tuple[str, str]] = frozenset(), out: Path | None = None) -> None:
    """The same for an .xlsx sheet, as an analyst would in Excel."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["codes"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for theme, code in truth[row[0].value].items():
            row[header.index(theme)].value = 1 - code if (row[0].value, theme) in flip else code
        row[header.index("coder")].value = coder
        row[header.index("coded_at")].value = coded_at
    wb.save(out or path)


@pytest.fixture
def workspace(tmp_path: Path, coding_pdfs):
    pdfs, truth = coding_pdfs
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"codebook: {ROOT / 'corpus/codebook.csv'}\ncues: {ROOT / 'corpus/cues.yaml'}\nmodel: models/base\n")
    ids = load_codebook(ROOT / "corpus/codebook.csv").ids
    base = tmp_path / "base.csv"  # the first eight reviews, coded earlier (no picked_by column)
    with base.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *ids])
        for f in sorted(truth)[:8]:
            w.writerow([f, *(truth[f][t] for t in ids)])
    return tmp_path, pdfs, truth, cfg, base


def test_coding_loop_end_to_end(workspace):
    tmp, pdfs, truth, cfg, base = workspace
    c = ("--config", cfg)
    invoke("train", base, "--pdfs", pdfs, "--out", tmp / "models/base", *c, "-q")
    invoke("run", pdfs, "--out", tmp / "run1", *c, "-q")
    run = json.loads((tmp / "run1/run.json").read_text())
    assert run["model"]["folder"].endswith("base") and run["model"]["thresholds"]["neglect"] > 0

    # 1. The audit sample first: random, seeded, skipping what is already coded.
    out = invoke("code-sheet", tmp / "run1", "--out", tmp / "audit.csv", "--pick", "random", "--n", 4, "--seed", 3, "--coded", base, *c)
    assert "4 review(s) written" in out and "audit sample" in out and "thresholds from run.json" in out
    audit_rows = read_codes(tmp / "audit.csv", load_codebook(ROOT / "corpus/codebook.csv"))
    audit_files = {r.file for r in audit_rows}
    assert len(audit_files) == 4 and not audit_files & set(sorted(truth)[:8])
    assert all(r.picked_by == "random" and r.codes == {} for r in audit_rows)

    # 2. Then the uncertainty sheet, skipping the base codes and the audit sheet handed out.
    out = invoke("code-sheet", tmp / "run1", "--out", tmp / "round1.xlsx", "--pick", "uncertain", "--n", 4,
                 "--coded", base, "--coded", tmp / "audit.csv", *c)
    assert "nearest thresholds" in out
    from openpyxl import load_workbook

    values = list(load_workbook(tmp / "round1.xlsx")["codes"].iter_rows(values_only=True))
    round1 = [{k: ("" if v is None else str(v)) for k, v in zip(values[0], row)} for row in values[1:]]
    round1_files = {r["file"] for r in round1}
    assert len(round1_files) == 4 and not round1_files & audit_files and not round1_files & set(sorted(truth)[:8])
    assert {r["picked_by"] for r in round1} == {"uncertain"}
    assert all(r["score_neglect"] and r["suggested_neglect"] in ("0", "1") for r in round1)
    assert any(r["evidence_neglect"].startswith("p. 1: ") for r in round1 if r["suggested_neglect"] == "1")

    # 3. Code them: ann codes both sheets, bob double-codes round 1 and disagrees once.
    fill_csv(tmp / "audit.csv", truth, "ann", "2026-11-20")
    first = sorted(round1_files)[0]
    fill_xlsx(tmp / "round1.xlsx", truth, "bob", "2026-11-22", flip={(first, "neglect")}, out=tmp / "round1-bob.xlsx")
    fill_xlsx(tmp / "round1.xlsx", truth, "ann", "2026-11-21")

    # 4. Retrain on everything coded for training; agreement and the conflict are reported.
    out = invoke("train", base, tmp / "round1.xlsx", tmp / "round1-bob.xlsx", "--pdfs", pdfs, "--out", tmp / "models/round1", *c)
    assert "inter-coder agreement on 4 review(s) coded by two different coders (ann, bob)" in out
    assert f"{first} neglect" in out and "newest code kept" in out
    card = json.loads((tmp / "models/round1/card.json").read_text())
    td = card["training_data"]
    assert td["reviews"] == 12 and td["picked_by"] == {"uncertain": 4, "unrecorded": 8}
    assert td["agreement"]["per_theme"]["neglect"]["n_double_coded"] == 4
    assert td["agreement"]["per_theme"]["neglect"]["raw_agreement"] == 0.75
    assert td["agreement"]["per_theme"]["domestic_abuse"]["raw_agreement"] == 1.0
    assert td["conflicts"]["count"] == 1 and td["conflicts"]["examples"][0]["kept"] == 1 - truth[first]["neglect"]
    assert len(td["review_sha256"]) == 12
    for theme, m in card["evaluation"]["per_theme"].items():  # no coded positive: no F1 to print
        line = next(x for x in out.splitlines() if x.strip().startswith(theme + " "))
        assert ("F1      -" in line) == (m["coded_positive"] == 0), line

    # 5. Compare on the audit sample only; the uncertainty picks are left out and it says so.
    out = invoke("models", "compare", tmp / "models/base", tmp / "models/round1", "--codes", tmp / "audit.csv",
                 "--codes", tmp / "round1.xlsx", "--pdfs", pdfs, "--out", tmp / "compare.csv", *c)
    assert "evaluated on 4 audit-coded review(s); 4 uncertainty-picked review(s) excluded" in out
    assert "macro-F1: A " in out and "B better on" in out
    lines = [line for line in out.splitlines() if line.startswith("neglect ")]
    assert lines and lines[0].split()[-1] in ("better", "worse", "same")
    with (tmp / "compare.csv").open() as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 16 and {r["verdict_b"] for r in table} <= {"better", "worse", "same"}
    assert json.loads((tmp / "compare.json").read_text())["audit_reviews"] == 4

    # 6. evaluate says the same; `models list` shows both, the configured one marked.
    out = invoke("evaluate", tmp / "audit.csv", tmp / "round1.xlsx", "--pdfs", pdfs, "--model", tmp / "models/round1",
                 "--out", tmp / "eval.csv", *c)
    assert "evaluated on 4 audit-coded review(s); 4 uncertainty-picked review(s) excluded" in out
    assert json.loads((tmp / "eval.json").read_text())["excluded_picked"] == {"uncertain": 4}
    out = invoke("models", "list", *c)
    listed = [line for line in out.splitlines() if "base-" in line or "round1-" in line]
    assert len(listed) == 2 and listed[0].startswith("* base-") and listed[1].startswith("  round1-")

    # 7. Audit the run's flags against the audit sample; recorded in run.json.
    out = invoke("audit", tmp / "run1", tmp / "audit.csv", tmp / "round1.xlsx", *c)
    assert "audited on 4 audit-coded review(s) of this run; 4 uncertainty-picked review(s) excluded" in out
    run = json.loads((tmp / "run1/run.json").read_text())
    assert run["audit"]["reviews"] == 4 and run["audit"]["per_theme"]["neglect"]["n"] == 4
    assert run["counts"]["ok"] == 16  # the rest of run.json is kept


def test_evaluating_on_training_reviews_leaves_them_out(workspace):
    tmp, pdfs, truth, cfg, base = workspace
    invoke("train", base, "--pdfs", pdfs, "--out", tmp / "models/base", "--config", cfg, "-q")
    result = runner.invoke(app, ["evaluate", str(base), "--pdfs", str(pdfs), "--model", str(tmp / "models/base"), "--config", str(cfg)])
    assert result.exit_code == 1
    assert "no audit-coded reviews" in result.output and "8 review(s) the model was trained or calibrated on excluded" in result.output


def test_train_with_a_calibration_sheet(workspace):
    tmp, pdfs, truth, cfg, base = workspace
    ids = load_codebook(ROOT / "corpus/codebook.csv").ids
    more = tmp / "more.csv"  # four more reviews: the calibration sheet, trained on too
    with more.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", *ids])
        for f in sorted(truth)[8:12]:
            w.writerow([f, *(truth[f][t] for t in ids)])
    out = invoke("train", base, more, "--pdfs", pdfs, "--out", tmp / "models/cal", "--calibrate", more, "--config", cfg)
    assert "calibration reviews" in out
    card = json.loads((tmp / "models/cal/card.json").read_text())
    assert card["evaluation"]["calibration_reviews"] == 4
    assert str(more) in card["training_data"]["calibration_sheets"]
    # four reviews have too few of each class: every threshold falls back to all reviews, and says so
    assert {m["threshold_chosen_on"] for m in card["evaluation"]["per_theme"].values()} == {"all reviews"}
    result = runner.invoke(app, [str(a) for a in ("train", base, "--pdfs", pdfs, "--out", tmp / "models/bad", "--calibrate", more, "--config", cfg)])
    assert result.exit_code != 0 and "not among the coded reviews" in result.output
