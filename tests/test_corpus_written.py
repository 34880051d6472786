"""The reviews written in full (corpus/written and corpus/written-extra for training; corpus/written-eval, corpus/written-test,
corpus/written-reserve, corpus/written-next, corpus/style-dev, corpus/style-test and corpus/written-unseen held out): coding sheet, sentence record and texts agree, and no held-out text shares a sentence with
training text or with another held-out set."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.codebook import load_codebook

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = ROOT / "corpus" / "written"
FOLDERS = {"written": "written/", "written-extra": "written-extra/", "written-eval": "written-eval/", "written-test": "written-test/", "written-reserve": "written-reserve/", "written-next": "written-next/", "style-dev": "style-dev/", "style-test": "style-test/", "written-unseen": "written-unseen/"}  # folder -> prefix of `file` in its sheets
MIN_REVIEWS = {"written": 169, "written-extra": 48, "written-eval": 132, "written-test": 48, "written-reserve": 24, "written-next": 24, "style-dev": 18, "style-test": 18, "written-unseen": 24}
HELD_OUT = ("handwritten", "written-eval", "written-test", "written-reserve", "written-next", "style-dev", "style-test", "written-unseen")
TRAPS = {"negated", "ruled_out", "hypothetical", "generic", "recommendation", "other_subject"}
PRESENT = {"present", "present_missed"}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _codes(folder: str) -> list[dict[str, str]]:
    with (ROOT / "corpus" / folder / "codes.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _record(folder: str) -> list[dict[str, str]]:
    with (ROOT / "corpus" / folder / "sentences.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _sentences(folder: str) -> set[str]:
    out: set[str] = set()
    for path in (ROOT / "corpus" / folder).rglob("*.txt"):
        out |= {s for s in re.split(r"(?<=[.!?])\s+", _norm(path.read_text(encoding="utf-8"))) if len(s) > 60}  # glossary entries and headings may coincide
    return out


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_coded_review_has_its_text_and_valid_codes(folder: str):
    ids = load_codebook(ROOT / "corpus" / "codebook.csv").ids
    codes = _codes(folder)
    assert len(codes) >= MIN_REVIEWS[folder]
    texts = {p.name for p in (ROOT / "corpus" / folder / "texts").glob("*.txt")}
    assert {Path(r["file"]).name for r in codes} == texts
    for row in codes:
        # written/: relative to corpus/build/pdfs once rendered (trained beside the generated split)
        assert row["file"] == FOLDERS[folder] + Path(row["file"]).name, row["file"]
        assert all(row[t] in ("0", "1") for t in ids), row["file"]
    for theme in ids:  # every theme present somewhere
        assert "1" in {row[theme] for row in codes}, theme


@pytest.mark.parametrize("folder", FOLDERS)
def test_record_sentences_are_verbatim_and_agree_with_the_codes(folder: str):
    codes = {Path(r["file"]).stem: r for r in _codes(folder)}
    texts = {stem: _norm((ROOT / "corpus" / folder / "texts" / f"{stem}.txt").read_text(encoding="utf-8")) for stem in codes}
    by_review: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _record(folder):
        stem = Path(row["file"]).stem
        assert row["file"] == f"{FOLDERS[folder]}{stem}.pdf"
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
    templates = [r["template"] for r in _record(folder)]
    assert len(templates) == len(set(templates))


def test_training_text_shares_no_sentence_with_the_held_out_reviews():
    training = _sentences("written") | _sentences("written-extra")
    for i, held_out in enumerate(HELD_OUT):
        assert not training & _sentences(held_out), held_out
        for other in HELD_OUT[i + 1 :]:
            assert not _sentences(held_out) & _sentences(other), (held_out, other)
