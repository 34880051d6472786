"""The publishable tables as files: CSV contents counted by hand on a tiny run folder, the Excel
workbook's sheets and headers, and `export_run` options."""

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.errors import InputError
from pipeline.publish import export_run
from tests.fixtures.run_folder import make_tiny_run


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return make_tiny_run(tmp_path / "run")


def test_prevalence_csv_hand_counted(tiny: Path):
    export_run(tiny, ["csv"])
    with (tiny / "prevalence.csv").open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    assert header == [
        "theme", "label", "reviews", "flagged", "percent", "ci_low", "ci_high", "denominator",
        "adjusted_percent", "adjusted_ci_low", "adjusted_ci_high", "sensitivity", "specificity",
        "reliable", "note", "error_rates_from",
    ]  # fmt: skip
    rows = {r["theme"]: r for r in _rows(tiny / "prevalence.csv")}
    n = rows["neglect"]
    # 2 of 4; Wilson 15.0-85.0; adjusted (0.5 - 0.1) / (0.8 - 0.1) = 0.571
    assert [n[c] for c in ("reviews", "flagged", "percent", "ci_low", "ci_high", "denominator")] == ["4", "2", "50.0", "15.0", "85.0", "all reviews"]
    assert [n[c] for c in ("adjusted_percent", "sensitivity", "specificity", "reliable", "note")] == ["57.1", "0.8", "0.9", "yes", ""]
    assert n["error_rates_from"] == "cross-validation on training reviews"
    assert float(n["adjusted_ci_low"]) < 57.1 < float(n["adjusted_ci_high"])
    s = rows["school_absence"]
    # the baby (0.5) is outside 5-16; the unknown age counts: 2 of 3, Wilson 20.8-93.9
    assert [s[c] for c in ("reviews", "flagged", "percent", "ci_low", "ci_high")] == ["3", "2", "66.7", "20.8", "93.9"]
    assert s["denominator"] == "reviews of children aged 5-16 (or age not stated)"
    assert s["adjusted_percent"] == "" and "no measured error rates" in s["note"]
    d = rows["domestic_abuse"]
    assert d["adjusted_percent"] == "57.1" and d["reliable"] == "no" and "only 3 coded positive" in d["note"]
    m = rows["parental_mental_health"]
    assert m["adjusted_percent"] == "" and m["reliable"] == "no" and "0.10 is below 0.2" in m["note"]
    p = rows["parental_substance_misuse"]
    assert [p[c] for c in ("flagged", "percent", "ci_low", "ci_high", "error_rates_from")] == ["1", "25.0", "4.6", "69.9", ""]


def test_breakdown_cooccurrence_and_trio_csv(tiny: Path):
    paths = export_run(tiny, ["csv"])
    assert [p.name for p in paths] == ["prevalence.csv", "prevalence_by_year.csv", "cooccurrence.csv", "toxic_trio.csv"]
    by_year = _rows(tiny / "prevalence_by_year.csv")
    assert list(by_year[0]) == ["group", "theme", "reviews", "flagged", "percent", "ci_low", "ci_high"]
    table = {(r["group"], r["theme"]): (r["reviews"], r["flagged"], r["percent"]) for r in by_year}
    assert [g for g in dict.fromkeys(r["group"] for r in by_year)] == ["2022", "2023", "unknown"]
    assert table[("2022", "neglect")] == ("2", "2", "100.0")
    assert table[("2022", "school_absence")] == ("1", "1", "100.0")  # the baby is not counted
    assert table[("unknown", "school_absence")] == ("1", "1", "100.0")
    assert table[("2023", "neglect")] == ("1", "0", "0.0")
    co = {(r["theme_a"], r["theme_b"]): r for r in _rows(tiny / "cooccurrence.csv")}
    assert len(co) == 10
    assert (co[("neglect", "parental_mental_health")]["both"], co[("neglect", "parental_mental_health")]["percent"]) == ("2", "50.0")
    assert (co[("domestic_abuse", "parental_mental_health")]["both"], co[("domestic_abuse", "parental_mental_health")]["reviews"]) == ("1", "4")
    trio = {r["combination"]: r for r in _rows(tiny / "toxic_trio.csv")}
    assert len(trio) == 11
    assert trio["domestic abuse + parental mental health only"]["count"] == "1"
    assert trio["parental mental health + parental substance misuse only"]["count"] == "1"
    assert trio["domestic abuse only"]["count"] == "1"
    assert trio["none of the three"]["count"] == "1"
    assert [trio[k]["count"] for k in ("any", "two or more", "all three")] == ["3", "2", "0"]
    assert [trio["any"][c] for c in ("percent", "ci_low", "ci_high")] == ["75.0", "30.1", "95.4"]
    assert trio["any"]["domestic_abuse"] == ""


def test_by_option_overrides_the_runs_breakdowns(tiny: Path, tmp_path: Path):
    out = tmp_path / "elsewhere"
    paths = export_run(tiny, ["csv"], by=["age_band", "incident"], out_dir=out)
    assert {p.name for p in paths} >= {"prevalence_by_age_band.csv", "prevalence_by_incident.csv"}
    assert not (out / "prevalence_by_year.csv").exists()
    assert not (tiny / "prevalence.csv").exists()  # the run folder is left alone
    bands = [r["group"] for r in _rows(out / "prevalence_by_age_band.csv") if r["theme"] == "neglect"]
    assert bands == ["under 1", "5-10", "11-15", "unknown"]


def test_keyword_run_has_empty_adjusted_columns(tmp_path: Path):
    run = make_tiny_run(tmp_path / "kw", with_rates=False)
    export_run(run, ["csv"])
    for r in _rows(run / "prevalence.csv"):
        assert r["adjusted_percent"] == r["adjusted_ci_low"] == r["adjusted_ci_high"] == r["reliable"] == ""
        assert r["note"] == "no measured error rates for this model: raw count only"


def test_workbook_sheets_headers_widths_and_about(tiny: Path, tmp_path: Path):
    (path,) = export_run(tiny, ["xlsx"], out_dir=tmp_path / "x")
    assert path.name == "tables.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["Prevalence", "By year", "Co-occurrence", "Toxic trio", "About"]
    ws = wb["Prevalence"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["Theme", "Reviews counted", "Reviews flagged", "% of reviews", "95% CI low", "95% CI high"]
    assert "Adjusted % (for model error)" in header and header[-1] == "Theme id"
    assert [ws.cell(row=2, column=c).value for c in (1, 2, 3, 4)] == ["Neglect", 4, 2, 50.0]  # label, not id; numbers as numbers
    assert ws.cell(row=2, column=4).number_format == "0.0"
    for sheet in wb.sheetnames:
        assert wb[sheet].freeze_panes == "A2"
        assert wb[sheet].column_dimensions["A"].width >= 10
    co = wb["Co-occurrence"]
    assert [c.value for c in co[2]][:2] == ["Neglect", "Not in school"]
    trio = wb["Toxic trio"]
    assert [c.value for c in trio[3]][:4] == ["domestic abuse + parental mental health only", "yes", "yes", "no"]
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["Model"] == "tiny-0123456789ab"
    assert about["Error rates measured by"] == "cross-validation on training reviews"
    assert "4 of 5 files (1 failed)" == about["Reviews processed"]
    assert "bootstrap" in about["How to read: adjusted %"] and "Wilson" in about["How to read: % and interval"]
    assert about["Denominator: Not in school"] == "reviews of children aged 5-16 (or age not stated)"
    assert about["Failed file: f1.pdf"] == "scanned: no text layer"
    assert about["Version: review-themes"] == "0.1.0"


def test_unknown_format_or_field_is_an_input_error(tiny: Path):
    with pytest.raises(InputError, match="unknown format 'pdf'"):
        export_run(tiny, ["pdf"])
    with pytest.raises(InputError, match="unknown breakdown field 'colour'"):
        export_run(tiny, ["csv"], by=["colour"])
