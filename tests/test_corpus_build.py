"""The corpus commands end to end: build (texts, codes, sentence record, PDFs), render, stats."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.export import open_text
from pipeline.training import read_sentence_record

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _rows(path: Path) -> list[dict[str, str]]:
    with open_text(path) as fh:
        return list(csv.DictReader(fh))


def test_build_writes_the_contract_and_is_deterministic(tmp_path):
    args = ["corpus", "build", "--n", "10", "--seed", "3", "--no-pdf", "-q"]
    for name in ("one", "two"):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    one, two = tmp_path / "one", tmp_path / "two"
    for name in ("codes.csv", "sentences.csv.gz", "build.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes()
    texts = sorted(p.name for p in (one / "texts").glob("*.md"))
    assert len(texts) == 10 and texts == sorted(p.name for p in (two / "texts").glob("*.md"))
    assert all((one / "texts" / t).read_bytes() == (two / "texts" / t).read_bytes() for t in texts)
    codes = _rows(one / "codes.csv")
    ids = [line.split(",")[0] for line in (ROOT / "corpus" / "codebook.csv").read_text().splitlines()[1:]]
    assert list(codes[0]) == ["file", *ids, "partnership", "year", "review_type", "incident", "child_age", "bank", "kind"]
    assert {r["bank"] for r in codes} == {"a", "b"} and sum(r["bank"] == "b" for r in codes) == 3
    assert {r["file"] for r in codes} == {t[:-3] + ".pdf" for t in texts}
    assert not (one / "sentences.csv").exists()
    sentences = _rows(one / "sentences.csv.gz")
    assert list(sentences[0]) == ["file", "section", "theme", "kind", "label", "text", "template"]
    for row in codes:
        positive = {s["theme"] for s in sentences if s["file"] == row["file"] and s["label"] == "1"}
        assert positive == {t for t in ids if row[t] == "1"}


def test_build_with_pdfs_then_render_and_stats(tmp_path):
    out = tmp_path / "c"
    result = runner.invoke(app, ["corpus", "build", "--out", str(out), "--n", "3", "--seed", "2", "--bank", "b",
                                 "--kinds", "briefing,scr_summary"])
    assert result.exit_code == 0, result.output
    assert "3 review(s)" in result.output
    pdfs = sorted((out / "pdfs").glob("*.pdf"))
    assert len(pdfs) == 3 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    again = tmp_path / "again"
    result = runner.invoke(app, ["corpus", "render", str(out / "texts"), "--out", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert [p.read_bytes() for p in sorted(again.glob("*.pdf"))] == [p.read_bytes() for p in pdfs]
    result = runner.invoke(app, ["corpus", "stats", str(out), "--json", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    assert "exact text appears in more than one document" in result.output
    assert (tmp_path / "s.json").is_file()


def test_stats_notices_edited_texts(tmp_path):
    out = tmp_path / "c"
    assert runner.invoke(app, ["corpus", "build", "--out", str(out), "--n", "2", "--no-pdf", "-q"]).exit_code == 0
    text = next((out / "texts").glob("*.md"))
    text.write_text(text.read_text() + "\nAn extra line.\n")
    result = runner.invoke(app, ["corpus", "stats", str(out)])
    assert result.exit_code == 1 and "differs from what the generator produces" in result.output


def test_bad_usage_is_reported(tmp_path):
    result = runner.invoke(app, ["corpus", "build", "--out", str(tmp_path / "x"), "--bank", "c", "--no-pdf"])
    assert result.exit_code == 1 and "unknown bank 'c'" in result.output
    result = runner.invoke(app, ["corpus", "build", "--out", str(tmp_path / "x"), "--kinds", "novel", "--no-pdf"])
    assert result.exit_code == 1 and "unknown document kind" in result.output
    result = runner.invoke(app, ["corpus", "render", str(tmp_path / "nothing"), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1 and "not a folder" in result.output


def test_the_sentence_record_is_read_gzipped_or_plain(tmp_path):
    """The trainer reads the committed gzipped record and a plain CSV alike."""
    out = tmp_path / "c"
    assert runner.invoke(app, ["corpus", "build", "--n", "3", "--seed", "2", "--no-pdf", "-q", "--out", str(out)]).exit_code == 0
    gz = out / "sentences.csv.gz"
    plain = tmp_path / "sentences.csv"
    with open_text(gz) as fh:
        plain.write_text(fh.read(), encoding="utf-8")
    assert read_sentence_record(gz) == read_sentence_record(plain) and read_sentence_record(gz)
