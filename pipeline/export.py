"""Records -> the CSV files and run.json of a run folder, and the atomic write every output goes through.

Consumes records produced by the stages: the reviews and predictions `batch` writes, and the
prevalence, breakdown, co-occurrence and toxic-trio rows `publish` writes. Produces UTF-8
CSV files with "\\n" line endings and JSON. Every file is written atomically (`atomic_path`: a
temporary file renamed into place), here and by the report, the workbook, the code sheets, the
Markdown texts and the corpus build, so a failed run never leaves a half-written file that looks
complete.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from pipeline.prevalence import prevalence_columns
from pipeline.records import (
    Codebook,
    CooccurrenceRow,
    Evidence,
    ExtractedReview,
    ExtractFailure,
    GroupPrevalenceRow,
    PrevalenceRow,
    ReviewMeta,
    ReviewPrediction,
    TrioRow,
)

REVIEW_COLUMNS = ("review_id", "file", "sha256", "status", "reason", "pages", "words", "textless_pages")
EVIDENCE_COLUMNS = ("review_id", "theme", "page", "section", "score", "text")
BREAKDOWN_COLUMNS = ("group", "theme", "reviews", "flagged", "percent", "ci_low", "ci_high")
COOCCURRENCE_COLUMNS = ("theme_a", "theme_b", "reviews", "both", "percent")
TRIO_COLUMNS = (
    "combination", "domestic_abuse", "parental_mental_health", "parental_substance_misuse",
    "reviews", "count", "percent", "ci_low", "ci_high",
)  # fmt: skip


def default_file_mode() -> int:
    """The mode a newly created file gets under the current umask (0644 under the usual 022)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` for the caller to write: renamed onto `path` when the block
    ends, deleted when it raises, so `path` is always either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, default_file_mode())  # mkstemp makes 0600; outputs are shared like any file
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8, line endings as given) to `path` atomically, synced to disk."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_gzip_text(path: Path, text: str) -> None:
    """Write `text` (UTF-8) gzipped to `path` atomically. The gzip header carries no file name and a
    zero timestamp, so the same text always gives the same bytes."""
    with atomic_path(path) as tmp, tmp.open("wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))
        raw.flush()
        os.fsync(raw.fileno())


def open_text(path: Path, encoding: str = "utf-8") -> IO[str]:
    """`path` opened for reading text (CSV-ready: newline=""), gunzipped when its name ends in .gz."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Atomically write a CSV with the given header and rows (None becomes an empty cell)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    atomic_write_text(path, buf.getvalue())


def review_rows(results: Sequence[ExtractedReview | ExtractFailure]) -> list[list[Any]]:
    """One row per input file, ok or failed, sorted by review_id."""
    rows = []
    for r in sorted(results, key=lambda x: x.review_id):
        if isinstance(r, ExtractedReview):
            meta = asdict(r.meta)
            rows.append(
                [r.review_id, r.file, r.sha256, "ok", "", r.pages, r.words, len(r.textless_pages)]
                + [meta[c] for c in ReviewMeta.columns()]
                + ["; ".join(r.warnings)]
            )
        else:
            rows.append(
                [r.review_id, r.file, r.sha256, r.status, r.reason, r.pages or "", "", ""]
                + [None] * len(ReviewMeta.columns())
                + [""]
            )
    return rows


def write_reviews(path: Path, results: Sequence[ExtractedReview | ExtractFailure]) -> None:
    write_csv(path, REVIEW_COLUMNS + ReviewMeta.columns() + ("warnings",), review_rows(results))


def write_flags_and_scores(out: Path, codebook: Codebook, predictions: Sequence[ReviewPrediction]) -> None:
    preds = sorted(predictions, key=lambda p: p.review_id)
    header = ("review_id", *codebook.ids)
    write_csv(out / "flags.csv", header, ([p.review_id, *(p.flags[t] for t in codebook.ids)] for p in preds))
    write_csv(
        out / "scores.csv",
        header,
        ([p.review_id, *(f"{p.scores[t]:.4f}" for t in codebook.ids)] for p in preds),
    )


def evidence_rows(codebook: Codebook, predictions: Sequence[ReviewPrediction]) -> list[Evidence]:
    order = {t: i for i, t in enumerate(codebook.ids)}
    rows = [e for p in predictions for e in p.evidence]
    return sorted(rows, key=lambda e: (e.review_id, order.get(e.theme, 999), -e.score, e.page))


def write_evidence(path: Path, codebook: Codebook, predictions: Sequence[ReviewPrediction]) -> None:
    write_csv(
        path,
        EVIDENCE_COLUMNS,
        (
            [e.review_id, e.theme, e.page, str(e.section), f"{e.score:.4f}", e.text]
            for e in evidence_rows(codebook, predictions)
        ),
    )


def write_prevalence(path: Path, rows: Sequence[PrevalenceRow]) -> None:
    cols = prevalence_columns()
    write_csv(path, cols, ([getattr(r, c) for c in cols] for r in rows))


def breakdown_file(field: str) -> str:
    """The file name of a breakdown table, e.g. prevalence_by_year.csv."""
    return f"prevalence_by_{field}.csv"


def write_breakdown(path: Path, rows: Sequence[GroupPrevalenceRow]) -> None:
    write_csv(path, BREAKDOWN_COLUMNS, ([getattr(r, c) for c in BREAKDOWN_COLUMNS] for r in rows))


def write_cooccurrence(path: Path, rows: Sequence[CooccurrenceRow]) -> None:
    write_csv(path, COOCCURRENCE_COLUMNS, ([getattr(r, c) for c in COOCCURRENCE_COLUMNS] for r in rows))


def write_toxic_trio(path: Path, rows: Sequence[TrioRow]) -> None:
    write_csv(path, TRIO_COLUMNS, ([getattr(r, c) for c in TRIO_COLUMNS] for r in rows))


def write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
