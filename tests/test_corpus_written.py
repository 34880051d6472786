"""The reviews written in full (corpus/written): coding sheet, sentence record and texts agree."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from pipeline.codebook import load_codebook

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = ROOT / "corpus" / "written"
TRAPS = {"negated", "ruled_out", "hypothetical", "generic", "recommendation", "other_subject"}
PRESENT = {"present", "present_missed"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _codes() -> list[dict[str, str]]:
    with (WRITTEN / "codes.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _record() -> list[dict[str, str]]:
    with (WRITTEN / "sentences.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_coded_review_has_its_text_and_valid_codes():
    ids = load_codebook(ROOT / "corpus" / "codebook.csv").ids
    codes = _codes()
    assert len(codes) >= 30
    texts = {p.name for p in (WRITTEN / "texts").glob("*.txt")}
    assert {Path(r["file"]).name for r in codes} == texts
    for row in codes:
        assert row["file"].startswith("written/"), row["file"]  # relative to corpus/build/pdfs once rendered
        assert all(row[t] in ("0", "1") for t in ids), row["file"]
    for theme in ids:  # every theme both present and absent somewhere
        assert {row[theme] for row in codes} == {"0", "1"}, theme


def test_record_sentences_are_verbatim_and_agree_with_the_codes():
    codes = {Path(r["file"]).stem: r for r in _codes()}
    texts = {stem: _norm((WRITTEN / "texts" / f"{stem}.txt").read_text(encoding="utf-8")) for stem in codes}
    by_review: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _record():
        stem = Path(row["file"]).stem
        assert row["file"] == f"written/{stem}.pdf"
        assert _norm(row["text"]) in texts[stem], (stem, row["text"][:60])
        assert row["kind"] in PRESENT | TRAPS
        assert row["label"] == ("1" if row["kind"] in PRESENT else "0")
        if row["label"] == "1":
            assert codes[stem][row["theme"]] == "1", (stem, row["theme"])
        by_review[stem].append(row)
    ids = load_codebook(ROOT / "corpus" / "codebook.csv").ids
    for stem, code in codes.items():
        rows = by_review[stem]
        for theme in ids:
            if code[theme] == "1":  # a coded theme has its evidence in the record
                assert any(r["theme"] == theme and r["label"] == "1" for r in rows), (stem, theme)
        assert len({r["kind"] for r in rows} & TRAPS) >= 4, stem
        assert any(r["kind"] == "present_missed" for r in rows), stem
    templates = [r["template"] for r in _record()]
    assert len(templates) == len(set(templates))


def test_written_reviews_share_no_sentence_with_the_held_out_reviews():
    held_out = set()
    for path in (ROOT / "corpus" / "handwritten").glob("*.txt"):
        held_out |= {s for s in re.split(r"(?<=[.!?])\s+", _norm(path.read_text(encoding="utf-8"))) if len(s) > 40}
    for path in (WRITTEN / "texts").glob("*.txt"):
        sentences = {s for s in re.split(r"(?<=[.!?])\s+", _norm(path.read_text(encoding="utf-8"))) if len(s) > 40}
        assert not sentences & held_out, path.name
