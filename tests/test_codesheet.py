"""Code sheets: which reviews are picked, and that both formats read back through read_codes unchanged."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest

from pipeline.codes import read_codes
from pipeline.codesheet import pick_reviews, sheet_columns, theme_weights, top_evidence, uncertainty, write_sheet
from pipeline.errors import InputError
from pipeline.records import Codebook, Theme
from pipeline.runfolder import read_run

CB = Codebook((Theme("neglect", "Neglect", "Basic needs unmet."), Theme("domestic_abuse", "Domestic abuse", "Between adults.")))
THRESHOLDS = {"neglect": 0.6, "domestic_abuse": 0.3}
SCORES = {  # review_id -> (neglect, domestic_abuse)
    "a": (0.95, 0.01),  # sure on both
    "b": (0.59, 0.02),  # neglect right at its threshold
    "c": (0.10, 0.31),  # domestic abuse right at its threshold
    "d": (0.02, 0.97),
    "sub/e": (0.40, 0.20),
}


def make_run(folder: Path, thresholds: dict | None = THRESHOLDS, model_id: str = "m-1", model_folder: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "reviews.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["review_id", "file", "sha256", "status", "reason"])
        for rid in SCORES:
            w.writerow([rid, f"{rid}.pdf", f"sha-{rid}", "ok", ""])
        w.writerow(["broken", "broken.pdf", "", "failed", "not a PDF"])
    for name, fmt in (("scores.csv", lambda v: f"{v:.4f}"), ("flags.csv", None)):
        with (folder / name).open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["review_id", *CB.ids])
            for rid, vals in SCORES.items():
                if fmt:
                    w.writerow([rid, *(fmt(v) for v in vals)])
                else:
                    w.writerow([rid, *(int(v >= THRESHOLDS[t]) for t, v in zip(CB.ids, vals))])
    with (folder / "evidence.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["review_id", "theme", "page", "section", "score", "text"])
        w.writerow(["a", "neglect", "2", "findings", "0.9000", "A second-best sentence."])
        w.writerow(["a", "neglect", "1", "background", "0.9500", "Child A arrived hungry."])
        w.writerow(["d", "domestic_abuse", "3", "findings", "0.9700", "=Police were called, \"again\"."])
    model = {"id": model_id, "folder": model_folder, "thresholds": thresholds}
    (folder / "run.json").write_text(json.dumps({"model_id": model_id, "model": model, "codebook_sha256": CB.sha256, "pdf_dir": "/pdfs"}))
    return folder


@pytest.fixture
def run(tmp_path: Path):
    return read_run(make_run(tmp_path / "run"), CB, same_codebook=True)


def test_run_folder_reads_ok_reviews_scores_and_top_evidence(run):
    assert set(run.files) == set(SCORES) and run.files["sub/e"] == "sub/e.pdf"
    assert run.thresholds == THRESHOLDS and run.thresholds_source == "run.json"
    assert top_evidence(run)["a"]["neglect"] == (1, "Child A arrived hungry.")


def test_uncertain_picks_reviews_nearest_the_thresholds(run):
    rows = pick_reviews(run, CB, "uncertain", n=2)
    assert [r.review_id for r in rows] == ["b", "c"] or [r.review_id for r in rows] == ["c", "b"]
    assert all(r.picked_by == "uncertain" for r in rows)
    assert "neglect 0.59 vs 0.60" in next(r.reason for r in rows if r.review_id == "b")


def test_uncertain_weights_themes_with_few_coded_examples(run):
    # With neglect well covered and domestic abuse barely, the domestic-abuse case comes first.
    card = {"evaluation": {"per_theme": {"neglect": {"coded_positive": 400, "coded_negative": 400},
                                         "domestic_abuse": {"coded_positive": 2, "coded_negative": 30}}}}
    w = theme_weights(card, CB.ids)
    assert w["domestic_abuse"] > 5 * w["neglect"]
    weighted = dataclasses.replace(run, card=card)
    assert pick_reviews(weighted, CB, "uncertain", n=1)[0].review_id == "c"
    value_near, _ = uncertainty({"neglect": 0.6}, THRESHOLDS, {"neglect": 1.0})
    value_far, _ = uncertainty({"neglect": 0.01}, THRESHOLDS, {"neglect": 1.0})
    assert value_near == pytest.approx(1.0) and value_far < 0.3


def test_random_is_seeded_and_skips_reviews_on_coded_sheets(run, tmp_path: Path):
    one = [r.review_id for r in pick_reviews(run, CB, "random", n=3, seed=5)]
    assert one == [r.review_id for r in pick_reviews(run, CB, "random", n=3, seed=5)]
    assert len(set(one)) == 3
    done = tmp_path / "done.csv"
    done.write_text("file,neglect,domestic_abuse\na.pdf,1,0\nb.pdf,,\n")  # b handed out, not coded yet
    coded = [read_codes(done, CB)]
    for seed in range(10):
        picked = {r.file for r in pick_reviews(run, CB, "random", n=3, seed=seed, coded=coded)}
        assert not picked & {"a.pdf", "b.pdf"}
    everything = pick_reviews(run, CB, "all", coded=coded)
    assert [r.file for r in everything] == ["c.pdf", "d.pdf", "sub/e.pdf"]
    assert {r.picked_by for r in everything} == {"all"}


def test_nothing_left_to_code_is_an_error(run, tmp_path: Path):
    done = tmp_path / "done.csv"
    done.write_text("file,neglect,domestic_abuse\n" + "".join(f"{rid}.pdf,1,0\n" for rid in SCORES))
    with pytest.raises(InputError, match="no reviews left"):
        pick_reviews(run, CB, "all", coded=[read_codes(done, CB)])
    with pytest.raises(InputError, match="--pick"):
        pick_reviews(run, CB, "most")


def test_keyword_run_falls_back_to_half_and_says_so(tmp_path: Path):
    run = read_run(make_run(tmp_path / "kw", thresholds=None, model_id="keyword-baseline"), CB, same_codebook=True)
    assert run.thresholds == {"neglect": 0.5, "domestic_abuse": 0.5}
    assert "keyword baseline" in run.thresholds_source and any("0.5" in n for n in run.notes)


def test_thresholds_from_the_model_card_when_run_json_has_none(tmp_path: Path):
    model = tmp_path / "models" / "m"
    model.mkdir(parents=True)
    (model / "card.json").write_text(json.dumps({"model_id": "m-1", "thresholds": {"neglect": 0.7, "domestic_abuse": 0.2}}))
    run = read_run(make_run(tmp_path / "r", thresholds=None, model_folder=str(model)), CB, same_codebook=True)
    assert run.thresholds == {"neglect": 0.7, "domestic_abuse": 0.2}
    assert run.thresholds_source.startswith("model card") and run.card is not None


def test_not_a_run_folder(tmp_path: Path):
    with pytest.raises(InputError, match="not a run folder"):
        read_run(tmp_path, CB, same_codebook=True)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_sheet_round_trips_through_read_codes(run, tmp_path: Path, suffix: str):
    rows = pick_reviews(run, CB, "all")
    path = tmp_path / f"sheet{suffix}"
    write_sheet(path, rows, CB, run, "all")
    back = read_codes(path, CB)
    assert [r.file for r in back] == [r.file for r in rows]
    assert all(r.codes == {} and r.picked_by == "all" and r.coder == "" for r in back)
    assert [r.meta for r in back] == [{"review_id": r.review_id, "picked_by": "all"} for r in rows]


def test_csv_sheet_layout_and_filled_codes_read_back(run, tmp_path: Path):
    path = tmp_path / "sheet.csv"
    write_sheet(path, pick_reviews(run, CB, "all"), CB, run, "all")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == sheet_columns(CB)
    assert table[0][:8] == ["file", "review_id", "picked_by", "coder", "coded_at", "neglect", "domestic_abuse", "notes"]
    a = dict(zip(table[0], table[1]))
    assert (a["suggested_neglect"], a["score_neglect"], a["evidence_neglect"]) == ("1", "0.9500", "p. 1: Child A arrived hungry.")
    assert a["evidence_domestic_abuse"] == "" and a["neglect"] == ""
    col = {name: i for i, name in enumerate(table[0])}
    for name, value in (("neglect", "1"), ("domestic_abuse", "0"), ("coder", "AB"), ("coded_at", "2026-11-20"), ("notes", "tricky: see p. 3")):
        table[1][col[name]] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(table)
    first = read_codes(path, CB)[0]
    assert first.codes == {"neglect": 1, "domestic_abuse": 0}
    assert first.coder == "AB" and first.meta["coded_at"] == "2026-11-20" and first.meta["notes"] == "tricky: see p. 3"


def test_xlsx_sheet_is_made_for_coding(run, tmp_path: Path):
    from openpyxl import load_workbook

    path = tmp_path / "sheet.xlsx"
    write_sheet(path, pick_reviews(run, CB, "random", n=5, seed=1), CB, run, "random", seed=1)
    wb = load_workbook(path)
    assert wb.sheetnames == ["codes", "instructions"]
    ws = wb["codes"]
    assert ws.freeze_panes == "F2"
    assert [c.value for c in ws[1]][5:7] == ["neglect", "domestic_abuse"]
    assert ws["F1"].fill.fgColor.rgb.endswith("FFF2CC") and "Basic needs unmet" in ws["F1"].comment.text
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"0,1"' and str(dv.sqref) == "F2:G6"
    assert ws.column_dimensions["A"].width >= 20
    evidence_d = [c.value for c in ws[5]][sheet_columns(CB).index("evidence_domestic_abuse")]
    assert evidence_d == 'p. 3: =Police were called, "again".'
    text = " ".join(str(c.value) for row in wb["instructions"].iter_rows() for c in row if c.value)
    assert "THIS child" in text and "present but missed" in text.lower() and "blank means not coded" in text
    assert "seed 1" in text and "audit sample" in text
    # The analyst fills it in Excel; it reads back.
    ws["F2"], ws["G2"], ws["D2"], ws["E2"] = 1, 0, "AB", "2026-11-20"
    wb.save(path)
    first = read_codes(path, CB)[0]
    assert first.codes == {"neglect": 1, "domestic_abuse": 0} and first.coder == "AB" and first.picked_by == "random"


def test_sheet_suffix_must_be_csv_or_xlsx(run, tmp_path: Path):
    with pytest.raises(InputError, match=".csv or .xlsx"):
        write_sheet(tmp_path / "sheet.ods", pick_reviews(run, CB, "all"), CB, run, "all")


def test_an_existing_sheet_is_not_overwritten(run, tmp_path: Path):
    path = tmp_path / "sheet.csv"
    path.write_text("file,neglect,domestic_abuse\na.pdf,1,0\n")
    with pytest.raises(InputError, match="already exists"):
        write_sheet(path, pick_reviews(run, CB, "all"), CB, run, "all")
    write_sheet(path, pick_reviews(run, CB, "all"), CB, run, "all", overwrite=True)
    assert len(read_codes(path, CB)) == len(SCORES)
