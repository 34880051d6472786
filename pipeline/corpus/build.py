"""Build a coded corpus: generate reviews from the banks, write their texts, coding sheet and
sentence record, and render them to PDF.

Consumes the banks folder, the codebook, a seed and counts. Produces in the output folder:

    texts/<stem>.md      the review texts (the committed format, see textformat.py)
    pdfs/<stem>.pdf      the rendered PDFs (unless pdf=False)
    codes.csv            file (PDF path relative to pdfs/), one 0/1 column per theme id in codebook
                         order, partnership, year, review_type, incident, child_age, bank, kind
    sentences.csv.gz     gzipped CSV with columns file, section, theme, kind, label, text, template:
                         where each theme and each hard negative is expressed (label 1 = present /
                         present_missed); gzipped (deterministically) to keep the repository small
    build.json           how the corpus was built (seed, counts, banks, dropped shared entries)

Deterministic: the same banks, codebook, seed and counts give byte-identical texts and CSVs.
Raises CorpusError for unusable banks and InputError for an output folder that cannot be written.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.banks import Bank, disjoin, load_bank
from pipeline.corpus.generate import DOC_KINDS, GeneratedReview, GenerateOptions, generate_review, review_text
from pipeline.corpus.render import render_review
from pipeline.corpus.textformat import read_review_text
from pipeline.errors import CorpusError, InputError
from pipeline.export import atomic_write_gzip_text, atomic_write_text

Progress = Callable[[int, int, str], None]
META_COLUMNS: tuple[str, ...] = ("partnership", "year", "review_type", "incident", "child_age", "bank", "kind")
SENTENCE_COLUMNS: tuple[str, ...] = ("file", "section", "theme", "kind", "label", "text", "template")
SENTENCES_GZ = "sentences.csv.gz"  # the sentence record's file name in a built corpus


@dataclass
class BuildSummary:
    """What a build wrote."""

    out_dir: Path
    reviews: dict[str, int] = field(default_factory=dict)  # per bank
    words: dict[str, int] = field(default_factory=dict)  # per bank
    pdfs: int = 0
    missing: list[str] = field(default_factory=list)  # bank files that were not there
    dropped: list[str] = field(default_factory=list)  # bank b entries dropped as shared with bank a
    seconds: float = 0.0


def load_banks(root: Path, theme_ids: Sequence[str], which: str) -> tuple[dict[str, Bank], list[str]]:
    """The banks to build from ("a", "b" or "both"), and the bank b templates dropped because their
    text also occurs in bank a (bank b is made disjoint from bank a whenever bank a is there)."""
    names = ("a", "b") if which == "both" else (which,)
    if which not in ("a", "b", "both"):
        raise CorpusError(f"unknown bank '{which}' (use a, b or both)")
    banks = {n: load_bank(root, n, theme_ids) for n in names}
    for bank in banks.values():
        if not bank.themes:
            raise CorpusError(f"bank {bank.name} at {root} has no theme files")
        for part in ("cover", "narrative", "boilerplate", "headings"):
            if not bank.has_part(part):
                raise CorpusError(f"bank {bank.name} at {root}: structure/{part}.yaml is missing")
    dropped: list[str] = []
    if "b" in banks and (root / "a").is_dir():
        a = banks.get("a") or load_bank(root, "a", theme_ids)
        banks["b"], dropped = disjoin(a, banks["b"])
    return banks, dropped


def split_counts(n: int, which: str, eval_share: float) -> dict[str, int]:
    """How many reviews each bank gets: all of n for one bank; for both, bank b gets `eval_share`."""
    if which == "both":
        n_b = round(n * eval_share)
        return {"a": n - n_b, "b": n_b}
    return {which: n}


def generate_corpus(banks: dict[str, Bank], theme_ids: Sequence[str], counts: dict[str, int], seed: int,
                    kinds: Sequence[str] | None = None) -> list[GeneratedReview]:
    """All reviews of a corpus, bank a first, in index order."""
    options = GenerateOptions(tuple(kinds) if kinds else None)
    out = []
    for name in sorted(counts):
        for i in range(counts[name]):
            out.append(generate_review(banks[name], theme_ids, seed, i, options))
    return out


def codes_rows(reviews: Sequence[GeneratedReview], theme_ids: Sequence[str]) -> list[list[str]]:
    """The coding sheet, header first."""
    rows = [["file", *theme_ids, *META_COLUMNS]]
    for r in reviews:
        rows.append([f"{r.stem}.pdf", *("1" if t in r.themes else "0" for t in theme_ids), r.partnership,
                     str(r.year), r.review_type, r.incident, r.child_age, r.bank, r.kind])
    return rows


def sentence_rows(reviews: Sequence[GeneratedReview]) -> list[list[str]]:
    rows = [list(SENTENCE_COLUMNS)]
    for r in reviews:
        for s in r.sentences:
            rows.append([f"{r.stem}.pdf", s.section, s.theme, s.kind, str(s.label), s.text, s.template])
    return rows


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def build_corpus(out_dir: Path, banks_root: Path, theme_ids: Sequence[str], n: int, seed: int,
                 which: str = "both", pdf: bool = True, eval_share: float = 0.3,
                 kinds: Sequence[str] | None = None, progress: Progress | None = None) -> BuildSummary:
    """Generate and write a corpus (see the module docstring); returns what was written."""
    start = time.perf_counter()
    if n < 1:
        raise InputError("--n must be at least 1")
    if kinds:
        bad = [k for k in kinds if k not in DOC_KINDS]
        if bad:
            raise InputError(f"unknown document kind(s) {', '.join(bad)} (known: {', '.join(DOC_KINDS)})")
    banks, dropped = load_banks(banks_root, theme_ids, which)
    counts = split_counts(n, which, eval_share)
    try:
        texts = out_dir / "texts"
        texts.mkdir(parents=True, exist_ok=True)
        pdf_dir = out_dir / "pdfs"
        if pdf:
            pdf_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot create the output folder: {exc.strerror or exc}") from None
    reviews = generate_corpus(banks, theme_ids, counts, seed, kinds)
    stems = {r.stem for r in reviews}
    if len(stems) != len(reviews):
        raise CorpusError("two generated reviews have the same file name; this is a bug in the generator")
    for old in texts.glob("*.md"):  # stale texts from an earlier build with other counts
        if old.stem not in stems:
            old.unlink()
    if pdf:
        for old in pdf_dir.glob("*.pdf"):
            if old.stem not in stems:
                old.unlink()
    summary = BuildSummary(out_dir=out_dir, missing=[m for b in banks.values() for m in b.missing], dropped=dropped)
    total = len(reviews)
    for i, review in enumerate(reviews, 1):
        text = review_text(review)
        atomic_write_text(texts / f"{review.stem}.md", text)
        summary.reviews[review.bank] = summary.reviews.get(review.bank, 0) + 1
        summary.words[review.bank] = summary.words.get(review.bank, 0) + review.words
        if pdf:
            render_review(read_review_text(texts / f"{review.stem}.md"), pdf_dir / f"{review.stem}.pdf")
            summary.pdfs += 1
        if progress is not None:
            progress(i, total, review.stem)
    atomic_write_text(out_dir / "codes.csv", csv_text(codes_rows(reviews, theme_ids)))
    atomic_write_gzip_text(out_dir / SENTENCES_GZ, csv_text(sentence_rows(reviews)))
    stale = out_dir / "sentences.csv"  # the plain record of an earlier build would go out of date
    if stale.is_file():
        stale.unlink()
    manifest = {
        "seed": seed, "n": n, "bank": which, "eval_share": eval_share, "kinds": list(kinds) if kinds else None,
        "reviews": summary.reviews, "missing_bank_files": summary.missing, "dropped_shared_entries": dropped,
    }
    atomic_write_text(out_dir / "build.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    summary.seconds = time.perf_counter() - start
    return summary


def render_folder(text_dir: Path, pdf_dir: Path, progress: Progress | None = None) -> int:
    """Render every .md and .txt review in `text_dir` to `pdf_dir/<stem>.pdf`; returns the count.
    Raises InputError when `text_dir` has no review texts."""
    if not text_dir.is_dir():
        raise InputError(f"{text_dir}: not a folder")
    files = sorted(p for p in text_dir.iterdir() if p.suffix.lower() in (".md", ".txt") and p.is_file()
                   and p.name.lower() != "readme.md")
    if not files:
        raise InputError(f"{text_dir}: no review texts (.md or .txt) found")
    try:
        pdf_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{pdf_dir}: cannot create the output folder: {exc.strerror or exc}") from None
    for i, path in enumerate(files, 1):
        render_review(read_review_text(path), pdf_dir / f"{path.stem}.pdf", name=path.name)
        if progress is not None:
            progress(i, len(files), path.name)
    for source in (text_dir / "codes.csv", text_dir.parent / "codes.csv"):
        if source.is_file():
            _copy_codes(source, pdf_dir)
            break
    return len(files)


def _copy_codes(source: Path, pdf_dir: Path) -> None:
    """The coding sheet of the texts (beside them or one folder up), next to the PDFs: `file` names
    the rendered PDF (x.txt -> x.pdf); with a `bank` column also one sheet per bank
    (codes-a.csv: the training split, codes-b.csv: the evaluation split)."""
    with source.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or "file" not in rows[0]:
        return
    col = rows[0].index("file")
    for row in rows[1:]:
        if len(row) > col and row[col]:
            row[col] = str(Path(row[col]).with_suffix(".pdf"))
    atomic_write_text(pdf_dir / "codes.csv", csv_text(rows))
    if "bank" in rows[0]:
        bcol = rows[0].index("bank")
        for bank in sorted({r[bcol] for r in rows[1:] if len(r) > bcol and r[bcol]}):
            atomic_write_text(pdf_dir / f"codes-{bank}.csv", csv_text([rows[0], *(r for r in rows[1:] if len(r) > bcol and r[bcol] == bank)]))
