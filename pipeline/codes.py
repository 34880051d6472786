"""Coding sheets (the analysts' spreadsheet of review-level theme codes) -> `CodedReview` records.

Consumes a CSV (UTF-8 with or without BOM, or Windows-1252 as Excel writes it; Excel-style quoting)
or an .xlsx sheet with a `file` column (the PDF's path relative to the PDF folder), one column per
theme id holding 1, 0 or blank (not coded), and optional metadata or suggestion columns. Produces a
list of `CodedReview`. Raises `CodesError` naming the file, row (as the spreadsheet numbers it, the
header being row 1) and column of the first problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from pipeline.errors import CodesError
from pipeline.records import Codebook

METADATA_COLUMNS = frozenset(
    {
        "review_id", "sha256", "title", "partnership", "year", "month", "review_type", "incident",
        "child_age", "child", "bank", "kind", "coder", "coded_at", "notes", "picked_by", "pages", "words",
    }
)
# Columns a code sheet adds beside the analyst's codes: suggestions, scores and evidence per theme.
SUGGESTION_PREFIXES = ("suggested_", "score_", "evidence_", "page_")

# How a review came onto a code sheet (`picked_by`). Uncertainty picks are chosen because the model is
# unsure about them: a biased sample that grows the training set but must not measure the model.
# Random and "all" picks, and sheets without the column, are audit codes: they measure it.
PICKED_UNCERTAIN = "uncertain"
PICKED_RANDOM = "random"
PICKED_ALL = "all"
PICKS = (PICKED_UNCERTAIN, PICKED_RANDOM, PICKED_ALL)
AUDIT_PICKS = frozenset({PICKED_RANDOM, PICKED_ALL, ""})
CONFLICT_POLICIES = ("newest", "oldest", "drop")


@dataclass(frozen=True, slots=True)
class CodedReview:
    """One coded review: `codes` maps theme id -> 0/1 for the themes coded (blank ones are absent)."""

    file: str
    codes: dict[str, int]
    row: int
    source: str
    coder: str = ""
    picked_by: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def _read_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise CodesError(str(path), "cannot decode the file: save it as CSV UTF-8")
    if "\x00" in text:
        raise CodesError(str(path), "the file contains NUL bytes: save it as CSV UTF-8, not UTF-16")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # strict: an unclosed quote is an error
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        hint = " (a quote opened in this row is never closed?)" if "end of data" in str(exc) else ""
        raise CodesError(str(path), f"not a readable CSV: {exc}{hint}", len(rows) + 1) from None
    return rows


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises assorted errors for bad files
        raise CodesError(str(path), f"not a readable .xlsx workbook: {exc}") from None
    sheet = wb["codes"] if "codes" in wb.sheetnames else wb.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell_text(v) for v in values])
    wb.close()
    return rows


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_path(source: str, rowno: int, value: str) -> str:
    rel = value.strip().replace("\\", "/")
    if not rel:
        raise CodesError(source, "empty file name", rowno, "file")
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or (len(rel) > 1 and rel[1] == ":"):
        raise CodesError(source, f"'{value}' points outside the PDF folder: give a path relative to it", rowno, "file")
    return p.as_posix()


def read_codes(path: Path, codebook: Codebook, require_all_themes: bool = True) -> list[CodedReview]:
    """Read and validate one coding sheet.

    Every codebook theme must have a column when `require_all_themes` (a missing column is almost
    always a mistake); a column that is neither a theme, a known metadata column nor a suggestion
    column is an error naming it (add the theme to the codebook first).
    """
    source = str(path)
    if not path.is_file():
        raise CodesError(source, "file not found")
    rows = _read_rows(path)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise CodesError(source, "the sheet is empty: the first row must be the header", 1)
    header = [h.strip() for h in rows[0]]
    if "file" not in header:
        raise CodesError(source, "no 'file' column (the PDF's path relative to the PDF folder)", 1)
    seen_cols: set[str] = set()
    for col in header:
        if col in seen_cols and col:
            raise CodesError(source, "duplicate column", 1, col)
        seen_cols.add(col)
        if not col or col == "file" or col in codebook.ids or col in METADATA_COLUMNS:
            continue
        if col.startswith(SUGGESTION_PREFIXES):
            continue
        raise CodesError(
            source,
            "unknown theme: add it to the codebook (id, label, description) and retrain, or remove the column",
            1,
            col,
        )
    themes = [t for t in codebook.ids if t in header]
    missing = [t for t in codebook.ids if t not in header]
    if require_all_themes and missing:
        raise CodesError(source, f"no column for theme(s): {', '.join(missing)}", 1)
    index = {col: i for i, col in enumerate(header)}
    out: list[CodedReview] = []
    first_row_of: dict[str, int] = {}
    bad_cells: list[tuple[int, str, str]] = []  # (row, theme, value): all reported at once
    for rowno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
            raise CodesError(source, f"{len(row)} cells but the header has {len(header)} columns", rowno)
        file = _check_path(source, rowno, row[index["file"]])
        if file in first_row_of:
            raise CodesError(source, f"'{file}' is coded twice in this sheet (first at row {first_row_of[file]})", rowno, "file")
        first_row_of[file] = rowno
        codes: dict[str, int] = {}
        for theme in themes:
            value = row[index[theme]].strip()
            if value == "":
                continue
            if value not in ("0", "1"):
                bad_cells.append((rowno, theme, value))
                continue
            codes[theme] = int(value)
        meta = {c: row[index[c]].strip() for c in header if c in METADATA_COLUMNS and row[index[c]].strip()}
        out.append(
            CodedReview(
                file=file,
                codes=codes,
                row=rowno,
                source=source,
                coder=meta.get("coder", ""),
                picked_by=meta.get("picked_by", ""),
                meta=meta,
            )
        )
    if bad_cells:
        rowno, theme, value = bad_cells[0]
        raise CodesError(source, f"'{value}' is not 1, 0 or blank (not coded)" + _more(
            [f"row {r}, column '{t}' ('{v}')" for r, t, v in bad_cells[1:]], "cells in this sheet are not 1, 0 or blank"),
            rowno, theme)
    if not out:
        raise CodesError(source, "no coded rows below the header")
    return out


def _more(others: list[str], what: str, shown: int = 10) -> str:
    """"; N more WHAT: a; b; ..." naming up to `shown` of the other problems, or "" when there are none."""
    if not others:
        return ""
    listed = "; ".join(others[:shown]) + (f"; and {len(others) - shown} more" if len(others) > shown else "")
    return f"; {len(others)} more {what}: {listed}"


def check_files_exist(reviews: list[CodedReview], pdf_dir: Path) -> None:
    """Raise `CodesError` naming the first coded file that is not in `pdf_dir`, and the others."""
    missing = [r for r in reviews if not (pdf_dir / r.file).is_file()]
    if missing:
        r = missing[0]
        raise CodesError(r.source, f"'{r.file}' is not in {pdf_dir}" + _more(
            [f"{m.source} row {m.row} ('{m.file}')" for m in missing[1:]], "coded files are not there"), r.row, "file")


def is_audit(review: CodedReview) -> bool:
    """True when the review was coded as part of an unbiased (random or complete) sample."""
    return review.picked_by.strip().lower() in AUDIT_PICKS


def coded_time(review: CodedReview) -> datetime | None:
    """The row's `coded_at` as a datetime (ISO date or date-time, or dd/mm/yyyy as typed in the UK),
    None when blank or unreadable."""
    text = review.meta.get("coded_at", "").strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value.replace(tzinfo=None)
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


@dataclass(frozen=True, slots=True)
class CodeConflict:
    """A review and theme coded differently in several sheet rows, and what the merge kept.

    `codes` lists (sheet, row, coder, code) in command-line order; `kept` is the code kept (None when
    the conflict policy is "drop")."""

    file: str
    theme: str
    codes: tuple[tuple[str, int, str, int], ...]
    kept: int | None


@dataclass(frozen=True, slots=True)
class MergedCodes:
    """Sheets combined into one code per review and theme, with the conflicts met on the way."""

    reviews: list[CodedReview]
    conflicts: list[CodeConflict]
    policy: str


def _order(entries: list[tuple[int, CodedReview]]) -> list[tuple[int, CodedReview]]:
    """Oldest first: by `coded_at` when every entry has one, else by position on the command line."""
    times = [coded_time(r) for _, r in entries]
    if all(t is not None for t in times):
        return [e for _, e in sorted(zip(times, entries), key=lambda te: (te[0], te[1][0]))]
    return sorted(entries, key=lambda e: e[0])


def merge_codes(sheets: Sequence[Sequence[CodedReview]], policy: str = "newest") -> MergedCodes:
    """Combine several sheets (in command-line order) into one `CodedReview` per file.

    A theme coded the same way everywhere keeps that code. Where codes differ, `policy` decides:
    "newest" keeps the latest (by `coded_at` when all the rows involved have one, else the later
    sheet), "oldest" the first, "drop" leaves the theme uncoded for that review. Row, source, coder
    and picked_by of the result are those of the newest row; metadata is combined, newest winning.
    """
    if policy not in CONFLICT_POLICIES:
        raise ValueError(f"unknown conflict policy {policy!r}")
    by_file: dict[str, list[tuple[int, CodedReview]]] = {}
    for i, sheet in enumerate(sheets):
        for r in sheet:
            by_file.setdefault(r.file, []).append((i, r))
    merged: list[CodedReview] = []
    conflicts: list[CodeConflict] = []
    for file in sorted(by_file):
        entries = by_file[file]
        newest = entries[-1][1]
        if len(entries) == 1:
            merged.append(newest)
            continue
        ordered = _order(entries)
        newest = ordered[-1][1]
        themes = list(dict.fromkeys(t for _, r in entries for t in r.codes))
        codes: dict[str, int] = {}
        for theme in themes:
            coded = [(i, r) for i, r in ordered if theme in r.codes]
            values = {r.codes[theme] for _, r in coded}
            if len(values) == 1:
                codes[theme] = values.pop()
                continue
            kept: int | None
            if policy == "newest":
                kept = coded[-1][1].codes[theme]
            elif policy == "oldest":
                kept = coded[0][1].codes[theme]
            else:
                kept = None
            if kept is not None:
                codes[theme] = kept
            in_cli_order = sorted(coded, key=lambda e: e[0])
            conflicts.append(
                CodeConflict(file, theme, tuple((r.source, r.row, r.coder, r.codes[theme]) for _, r in in_cli_order), kept)
            )
        meta: dict[str, str] = {}
        for _, r in ordered:
            meta.update(r.meta)
        merged.append(CodedReview(file, codes, newest.row, newest.source, newest.coder, newest.picked_by, meta))
    return MergedCodes(merged, conflicts, policy)
