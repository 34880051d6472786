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
    assert run["counts"] == {"files": 4, "ok": 3, "failed": 1, "duplicates": 0, "pages": 3}
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
