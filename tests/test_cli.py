"""End-to-end tests of the commands through typer's runner."""

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app

runner = CliRunner()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_run_writes_the_output_contract(skeleton_pdfs: Path, tmp_path: Path):
    (skeleton_pdfs / "broken.pdf").write_bytes(b"not a pdf at all")
    try:
        result = runner.invoke(app, ["run", str(skeleton_pdfs), "--out", str(tmp_path / "out"), "--quiet", "--model", "keywords"])
    finally:
        (skeleton_pdfs / "broken.pdf").unlink()
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    reviews = _rows(out / "reviews.csv")
    assert list(reviews[0])[:7] == ["review_id", "file", "sha256", "status", "reason", "pages", "words"]
    status = {r["review_id"]: (r["status"], r["reason"]) for r in reviews}
    assert status["broken"][0] == "failed" and "not a PDF" in status["broken"][1]
    assert status["child-a"] == ("ok", "")
    flags = {r["review_id"]: r for r in _rows(out / "flags.csv")}
    assert set(flags) == {"child-a", "child-b", "child-c"}
    assert flags["child-a"]["domestic_abuse"] == "1"
    assert flags["child-b"]["unsafe_sleep"] == "1"
    assert flags["child-c"]["criminal_exploitation"] == "1"
    assert flags["child-c"]["unsafe_sleep"] == "0"
    scores = _rows(out / "scores.csv")
    assert all(0.0 <= float(v) <= 1.0 for r in scores for k, v in r.items() if k != "review_id")
    evidence = _rows(out / "evidence.csv")
    assert list(evidence[0]) == ["review_id", "theme", "page", "section", "score", "text"]
    assert any(e["review_id"] == "child-b" and e["theme"] == "unsafe_sleep" and e["page"] == "1" for e in evidence)
    prev = {r["theme"]: r for r in _rows(out / "prevalence.csv")}
    assert list(next(iter(prev.values())))[:7] == ["theme", "label", "reviews", "flagged", "percent", "ci_low", "ci_high"]
    assert len(prev) == 16
    assert prev["domestic_abuse"]["reviews"] == "3"
    run = json.loads((out / "run.json").read_text())
    assert run["counts"] == {"files": 4, "ok": 3, "failed": 1, "duplicates": 0, "ignored_files": 0, "warned": 0, "pages": 3}
    assert all(r["warnings"] == "" for r in reviews)
    assert run["versions"]["pdfplumber"] == "0.11.10"


def test_run_missing_folder_is_an_error(tmp_path: Path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "not a folder" in result.output


def test_run_nothing_processable_exits_nonzero(tmp_path: Path):
    (tmp_path / "a.pdf").write_bytes(b"garbage")
    result = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "-q", "--model", "keywords"])
    assert result.exit_code == 1
    assert "none of the 1 PDF" in result.output
    assert (tmp_path / "o" / "reviews.csv").is_file()


def test_run_with_two_jobs_matches_one(skeleton_pdfs: Path, tmp_path: Path):
    for jobs in ("1", "2"):
        r = runner.invoke(app, ["run", str(skeleton_pdfs), "--out", str(tmp_path / jobs), "-q", "--jobs", jobs, "--model", "keywords"])
        assert r.exit_code == 0, r.output
    for name in ("flags.csv", "scores.csv", "evidence.csv", "prevalence.csv", "reviews.csv"):
        assert (tmp_path / "1" / name).read_text() == (tmp_path / "2" / name).read_text()


def test_run_writes_the_tables_and_export_rebuilds_them_without_pdfs(skeleton_pdfs: Path, tmp_path: Path):
    import shutil

    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(skeleton_pdfs), "--out", str(out), "-q", "--model", "keywords", "--by", "year", "--by", "age_band"])
    assert r.exit_code == 0, r.output
    tables = ["prevalence.csv", "prevalence_by_year.csv", "prevalence_by_age_band.csv", "cooccurrence.csv", "toxic_trio.csv", "report.html"]
    for name in tables:
        assert (out / name).is_file(), name
    run = json.loads((out / "run.json").read_text())
    assert run["model"]["kind"] == "keyword baseline" and run["model"]["error_rates"] == {}
    assert [t["id"] for t in run["themes"]][:2] == ["neglect", "school_absence"]
    assert run["tables"] == {"by": ["year", "age_band"]}
    by_year = _rows(out / "prevalence_by_year.csv")
    assert {r["group"] for r in by_year} == {"unknown"} and by_year[0]["reviews"] == "3"  # no year extracted yet
    trio = {r["combination"]: r["count"] for r in _rows(out / "toxic_trio.csv")}
    assert trio["domestic abuse only"] == "1" and trio["parental substance misuse only"] == "2"

    copy = tmp_path / "copied-run"  # another place, no PDFs, no model: export works from the folder alone
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns(*tables))
    r = runner.invoke(app, ["export", str(copy), "--format", "csv", "--format", "html"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output
    for name in tables:
        assert (copy / name).read_bytes() == (out / name).read_bytes(), name
    r = runner.invoke(app, ["export", str(copy), "--format", "xlsx", "--by", "incident", "--out", str(tmp_path / "x"), "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "x" / "tables.xlsx").is_file() and r.output == ""


def test_export_usage_errors(tmp_path: Path):
    r = runner.invoke(app, ["export", str(tmp_path), "--by", "colour"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["export", str(tmp_path), "--format", "pdf"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["export", str(tmp_path)])
    assert r.exit_code == 1
    assert "no run.json here" in r.output

def test_code_sheet_after_a_keyword_run_falls_back_to_half(skeleton_pdfs: Path, tmp_path: Path):
    r = runner.invoke(app, ["run", str(skeleton_pdfs), "--out", str(tmp_path / "out"), "-q", "--model", "keywords"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["code-sheet", str(tmp_path / "out"), "--out", str(tmp_path / "sheet.csv"), "--pick", "all"])
    assert r.exit_code == 0, r.output
    assert "keyword baseline" in r.output and "0.5" in r.output
    assert "3 review(s) written" in r.output
    with (tmp_path / "sheet.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["file"] for r in rows] == ["child-a.pdf", "child-b.pdf", "child-c.pdf"]
    assert rows[0]["suggested_domestic_abuse"] == "1" and rows[0]["domestic_abuse"] == ""


def test_code_sheet_needs_a_run_folder(tmp_path: Path):
    r = runner.invoke(app, ["code-sheet", str(tmp_path), "--out", str(tmp_path / "s.xlsx")])
    assert r.exit_code == 1 and "not a run folder" in r.output


def test_models_list_of_an_empty_folder(tmp_path: Path):
    r = runner.invoke(app, ["models", "list", str(tmp_path)])
    assert r.exit_code == 0 and "no model folders" in r.output

def test_extract_writes_markdown_and_reviews(quirk_pdfs: Path, tmp_path: Path):
    (quirk_pdfs / "sub").mkdir(exist_ok=True)
    (quirk_pdfs / "sub" / "broken.pdf").write_bytes(b"not a pdf at all")
    try:
        result = runner.invoke(app, ["extract", str(quirk_pdfs), "--out", str(tmp_path / "out"), "--jobs", "2"])
    finally:
        (quirk_pdfs / "sub" / "broken.pdf").unlink()
        (quirk_pdfs / "sub").rmdir()
    assert result.exit_code == 0, result.output
    assert "review(s) extracted" in result.output and "failed: sub/broken.pdf: not a PDF" in result.output
    out = tmp_path / "out"
    reviews = {r["review_id"]: r for r in _rows(out / "reviews.csv")}
    assert reviews["sub/broken"]["status"] == "failed"
    assert reviews["cover_metadata"]["review_type"] == "LCSPR" and reviews["cover_metadata"]["child_age"] == "0.21"
    assert reviews["textless_page"]["textless_pages"] == "1"
    md = (out / "text" / "page_spanning_paragraph.md").read_text()
    assert md.startswith("<!-- page 1 -->\n\n")
    assert "\n\n<!-- page 2 -->\n\n" in md and "\n\n# 3. Background\n\n" in md and "\n\n3.1 The health visitor" in md
    assert not (out / "text" / "sub" / "broken.md").exists()


def test_extract_over_wild_pdfs(tmp_path: Path):
    """Every real-world PDF from pdfplumber's test suite gets a row, ok or failed with a reason.

    Pages per file are capped at 3 (extract.max_pages) to keep the suite fast.
    """
    from tests.conftest import ROOT, shared_dir

    wild = shared_dir("wild-pdfs")
    config = tmp_path / "config.yaml"
    config.write_text(f"codebook: {ROOT / 'corpus' / 'codebook.csv'}\ncues: {ROOT / 'corpus' / 'cues.yaml'}\nstore_dir: {tmp_path / 'store'}\nextract:\n  max_pages: 3\n")
    result = runner.invoke(app, ["extract", str(wild), "--out", str(tmp_path / "out"), "-q", "-c", str(config)])
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path / "out" / "reviews.csv")
    assert len(rows) == len(list(wild.glob("*.pdf")))
    failed = {r["review_id"]: r["reason"] for r in rows if r["status"] == "failed"}
    assert all(reason for reason in failed.values())
    assert failed["empty"].startswith("empty file")
    assert failed["password-example"].startswith("encrypted")
    assert failed["issue-297-example"].startswith("no pages")
    assert failed["issue-203-decimalize"].startswith("scanned")
    assert sum(r["status"] == "ok" for r in rows) >= 45

def test_run_reports_duplicates_and_reuses_the_store(skeleton_pdfs: Path, tmp_path: Path):
    import shutil

    folder = tmp_path / "pdfs"
    shutil.copytree(skeleton_pdfs, folder)
    shutil.copy(folder / "child-a.pdf", folder / "copy-of-a.pdf")
    args = ["run", str(folder), "--out", str(tmp_path / "out"), "--model", "keywords", "--store", str(tmp_path / "st")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "copy-of-a.pdf is identical to child-a.pdf" in first.output
    assert "3 extracted" in first.output
    second = runner.invoke(app, args)
    assert "0 extracted, 0 split, 0 scored, 3 reused" in second.output
    fresh = runner.invoke(app, [*args, "--fresh"])
    assert "3 extracted" in fresh.output
    assert (tmp_path / "st" / "store.sqlite").is_file()


def test_a_pdf_that_does_not_read_like_a_review_is_processed_with_a_caveat_everywhere(skeleton_pdfs: Path, tmp_path: Path):
    from pipeline.corpus.render import render_pdf

    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in skeleton_pdfs.glob("*.pdf"):
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    figures = "Quarter ending 31 March: total receipts 4,512; expenditure on energy 1,203; variance against budget 2.4 per cent. "
    render_pdf([("heading", "Energy round-up, March"), ("paragraph", figures * 8)], folder / "energy-round-up.pdf")
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out"), "--model", "keywords"])
    assert result.exit_code == 0, result.output
    assert "warning: energy-round-up.pdf: does not read like a child safeguarding case review" in result.output
    out = tmp_path / "out"
    warnings = {r["review_id"]: r["warnings"] for r in _rows(out / "reviews.csv")}
    assert warnings["energy-round-up"].startswith("does not read like") and warnings["child-a"] == ""
    run = json.loads((out / "run.json").read_text())
    assert run["counts"]["warned"] == 1 and run["counts"]["ok"] == 4  # still scored and counted
    assert [w["file"] for w in run["warnings"]] == ["energy-round-up.pdf"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="warnings-table"' in report and "energy-round-up.pdf" in report
