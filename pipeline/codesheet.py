"""A run's reviews -> the code sheet an analyst fills in next (CSV or .xlsx).

Consumes a `RunFolder` (a finished run read back by `runfolder.read_run`), the codebook and,
optionally, sheets already coded. Produces `SheetRow`s (which reviews to code next, how each was
picked, the model's suggestion, score and top evidence sentence per theme) and writes them as a
sheet that `codes.read_codes` reads back unchanged: `file`, `review_id`, `picked_by`, `coder`,
`coded_at`, one empty column per theme (the analyst's 1/0/blank), `notes`, then
`suggested_<theme>`, `score_<theme>` and `evidence_<theme>` per theme.

Picking (`pick`):
- "uncertain": the reviews whose codes would teach the model most. Per theme, closeness to the
  threshold is 1 / (1 + |logit(score) - logit(threshold)|) (1 at the threshold, falling off in
  log-odds), weighted by 1 / sqrt(1 + the fewer of the theme's coded positives and negatives in the
  model card), so themes the model has seen few examples of count more; a review's value is the sum
  over themes. These picks are a biased sample: they grow the training set and never measure it.
- "random": a seeded uniform sample (the audit sample that evaluation figures come from).
- "all": every review.
Reviews listed on the `coded` sheets (coded yet or not: sheets handed out) are skipped in every mode.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pipeline.codes import PICKED_ALL, PICKED_RANDOM, PICKED_UNCERTAIN, PICKS, CodedReview
from pipeline.errors import InputError
from pipeline.export import atomic_path, atomic_write_text
from pipeline.records import Codebook, RunFolder, SheetRow, Suggestion
from pipeline.runfolder import DEFAULT_THRESHOLD

LEAD_COLUMNS = ("file", "review_id", "picked_by", "coder", "coded_at")
SUGGESTION_KINDS = ("suggested", "score", "evidence")

CODING_RULE = (
    "Code 1 when the theme is part of THIS child's or family's circumstances, or of the practice in this case, "
    "before or at the incident. Present but missed by agencies is still 1 (\"the neglect was not recognised\")."
)
CODING_ZERO = (
    "Code 0 when the theme is absent, or mentioned only negated or ruled out (\"no evidence of ...\"), "
    "hypothetically (terms of reference, \"whether ...\"), generically (national context, research, statutory "
    "boilerplate, learning points), in recommendations only, or about other people (a parent's own childhood, "
    "a sibling, a former partner), or only after the incident."
)
CODING_BLANK = "Leave a cell blank when you have not coded that theme: blank means not coded, never 0."


def sheet_columns(codebook: Codebook) -> list[str]:
    """The header of a code sheet, in order."""
    cols = [*LEAD_COLUMNS, *codebook.ids, "notes"]
    for t in codebook.ids:
        cols.extend(f"{kind}_{t}" for kind in SUGGESTION_KINDS)
    return cols


def coded_files(sheets: Sequence[Sequence[CodedReview]]) -> set[str]:
    """Files listed on any of `sheets`, coded yet or not: a sheet handed out but not back yet must not
    hand the same reviews out again (nor let an audit sample and a training sample overlap)."""
    return {r.file for sheet in sheets for r in sheet}


def _logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


def theme_weights(card: dict[str, Any] | None, themes: Sequence[str]) -> dict[str, float]:
    """1 / sqrt(1 + min(coded positives, coded negatives)) per theme from the model card; 1 without a card."""
    per_theme = ((card or {}).get("evaluation") or {}).get("per_theme") or {}
    counts = ((card or {}).get("training_data") or {}).get("per_theme") or {}
    weights = {}
    for t in themes:
        m = per_theme.get(t) or {}
        pos = m.get("coded_positive", (counts.get(t) or {}).get("positive"))
        neg = m.get("coded_negative", (counts.get(t) or {}).get("negative"))
        weights[t] = 1.0 if pos is None or neg is None else 1.0 / math.sqrt(1 + min(int(pos), int(neg)))
    return weights


def uncertainty(scores: dict[str, float], thresholds: dict[str, float], weights: dict[str, float]) -> tuple[float, list[tuple[str, float]]]:
    """A review's value for training: the weighted sum over themes of closeness to the threshold.

    Returns the value and the themes ordered by their contribution (theme, contribution)."""
    parts = []
    for t, s in scores.items():
        closeness = 1.0 / (1.0 + abs(_logit(s) - _logit(thresholds.get(t, DEFAULT_THRESHOLD))))
        parts.append((t, weights.get(t, 1.0) * closeness))
    parts.sort(key=lambda p: (-p[1], p[0]))
    return sum(v for _, v in parts), parts


def top_evidence(run: RunFolder) -> dict[str, dict[str, tuple[int, str]]]:
    """review_id -> theme -> (page, text) of the highest-scoring evidence sentence (the first of equals)."""
    best: dict[tuple[str, str], tuple[float, int, str]] = {}
    for e in run.evidence:
        key = (e.review_id, e.theme)
        if key not in best or e.score > best[key][0]:
            best[key] = (e.score, e.page, e.text)
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for (review_id, theme), (_, page, text) in best.items():
        out.setdefault(review_id, {})[theme] = (page, text)
    return out


def _suggestions(
    run: RunFolder, review_id: str, themes: Sequence[str], evidence: dict[str, dict[str, tuple[int, str]]]
) -> dict[str, Suggestion]:
    out = {}
    for t in themes:
        page_text = evidence.get(review_id, {}).get(t)
        ev = f"p. {page_text[0]}: {page_text[1]}" if page_text else ""
        out[t] = Suggestion(run.flags.get(review_id, {}).get(t, 0), run.scores.get(review_id, {}).get(t, 0.0), ev)
    return out


def pick_reviews(
    run: RunFolder,
    codebook: Codebook,
    pick: str = PICKED_UNCERTAIN,
    n: int = 20,
    seed: int = 0,
    coded: Sequence[Sequence[CodedReview]] = (),
) -> list[SheetRow]:
    """The reviews to code next, most useful first for "uncertain", in file order otherwise."""
    if pick not in PICKS:
        raise InputError(f"--pick must be one of {', '.join(PICKS)}, not '{pick}'")
    if n < 1:
        raise InputError("--n must be at least 1")
    done = coded_files(coded)
    files = run.files
    candidates = sorted((rid for rid, f in files.items() if f not in done and rid in run.scores), key=lambda r: files[r])
    themes = codebook.ids
    reasons: dict[str, str] = {}
    if pick == PICKED_ALL:
        chosen = candidates
    elif pick == PICKED_RANDOM:
        chosen = sorted(random.Random(seed).sample(candidates, min(n, len(candidates))), key=lambda r: files[r])
    else:
        weights = theme_weights(run.card, themes)
        valued = []
        for rid in candidates:
            value, parts = uncertainty(run.scores[rid], run.thresholds, weights)
            valued.append((value, rid))
            reasons[rid] = ", ".join(
                f"{t} {run.scores[rid][t]:.2f} vs {run.thresholds.get(t, DEFAULT_THRESHOLD):.2f}" for t, _ in parts[:3]
            )
        valued.sort(key=lambda v: (-v[0], files[v[1]]))
        chosen = [rid for _, rid in valued[:n]]
    if not chosen:
        raise InputError(
            f"{run.folder}: no reviews left to code: all {len(files)} processed review(s) are on the --coded sheet(s)"
        )
    evidence = top_evidence(run)
    return [SheetRow(files[rid], rid, pick, _suggestions(run, rid, themes, evidence), reasons.get(rid, "")) for rid in chosen]


def _cells(row: SheetRow, codebook: Codebook) -> list[object]:
    cells: list[object] = [row.file, row.review_id, row.picked_by, "", ""]
    cells.extend("" for _ in codebook.ids)
    cells.append("")
    for t in codebook.ids:
        s = row.suggestions[t]
        cells.extend([s.flag, round(s.score, 4), s.evidence])
    return cells


def write_csv_sheet(path: Path, rows: Sequence[SheetRow], codebook: Codebook) -> None:
    """Write the sheet as CSV (UTF-8 with a byte-order mark, so Excel shows accents and quotes right)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(sheet_columns(codebook))
    for row in rows:
        cells = _cells(row, codebook)
        writer.writerow([f"{c:.4f}" if isinstance(c, float) else c for c in cells])
    atomic_write_text(path, "\ufeff" + buf.getvalue())


def _provenance(run: RunFolder, pick: str, seed: int | None, n_rows: int) -> list[str]:
    how = {
        PICKED_UNCERTAIN: "uncertain: reviews whose scores are nearest the model's thresholds (weighted towards "
        "themes with few coded examples). They grow the training set; they are NOT used to measure the model.",
        PICKED_RANDOM: f"random: a uniform sample (seed {seed}). This is an audit sample: evaluation figures come from it.",
        PICKED_ALL: "all: every review of the run not coded yet.",
    }[pick]
    return [
        f"Run folder: {run.folder} (PDF folder {run.pdf_dir})",
        f"Model: {run.model_id or 'unknown'} (thresholds from {run.thresholds_source})",
        f"Reviews on this sheet: {n_rows}; picked by {how}",
        f"Sheet written: {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
    ]


def write_xlsx_sheet(path: Path, rows: Sequence[SheetRow], codebook: Codebook, provenance: Sequence[str] = ()) -> None:
    """Write the sheet as an Excel workbook: a `codes` sheet (header frozen, theme columns highlighted
    and restricted to 0/1, readable widths) and an `instructions` sheet with the coding rule."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "codes"
    header = sheet_columns(codebook)
    ws.append(header)
    for row in rows:
        ws.append(_cells(row, codebook))
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a file name or sentence starting with "=" is text, never a formula
    last = len(rows) + 1
    theme_fill = PatternFill("solid", fgColor="FFF2CC")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    grey = Font(color="7F7F7F")
    bold = Font(bold=True)
    first_theme = len(LEAD_COLUMNS) + 1
    theme_cols = range(first_theme, first_theme + len(codebook.ids))
    for j, name in enumerate(header, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = bold
        cell.fill = theme_fill if j in theme_cols else head_fill
        letter = get_column_letter(j)
        if j in theme_cols:
            theme = codebook.get(name)
            cell.comment = Comment(f"{theme.label}: {theme.description}\n\n1 = present, 0 = absent, blank = not coded", "review-themes")
            width = max(6, min(len(name) + 2, 16))
            for c in range(2, last + 1):
                ws.cell(row=c, column=j).fill = theme_fill
                ws.cell(row=c, column=j).alignment = Alignment(horizontal="center")
        elif name == "file":
            width = min(max([len(r.file) for r in rows] + [20]) + 2, 60)
        elif name == "review_id":
            width = min(max([len(r.review_id) for r in rows] + [16]) + 2, 50)
        elif name in ("picked_by", "coder", "coded_at"):
            width = 12
        elif name == "notes":
            width = 40
        elif name.startswith("evidence_"):
            width = 60
        else:
            width = max(8, min(len(name) + 1, 14))
        ws.column_dimensions[letter].width = width
        if name.startswith(tuple(f"{k}_" for k in SUGGESTION_KINDS)):
            for c in range(2, last + 1):
                ws.cell(row=c, column=j).font = grey
    coded_at = header.index("coded_at") + 1
    for c in range(2, last + 1):
        ws.cell(row=c, column=coded_at).number_format = "@"  # keep typed dates as text: YYYY-MM-DD
    ws.freeze_panes = ws.cell(row=2, column=first_theme)
    if rows:
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True, showErrorMessage=True)
        dv.errorTitle = "1, 0 or blank"
        dv.error = "Enter 1 (present), 0 (absent) or leave the cell blank (not coded)."
        dv.promptTitle = "Code"
        dv.prompt = "1 = present, 0 = absent, blank = not coded"
        dv.showInputMessage = True
        dv.add(f"{get_column_letter(theme_cols.start)}2:{get_column_letter(theme_cols.stop - 1)}{last}")
        ws.add_data_validation(dv)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"

    info = wb.create_sheet("instructions")
    lines: list[tuple[str, str, str]] = [
        ("How to code", "", ""),
        ("", CODING_RULE, ""),
        ("", CODING_ZERO, ""),
        ("", CODING_BLANK, ""),
        ("", "Fill `coder` with your name or initials and `coded_at` with the date (YYYY-MM-DD). "
         "Do not rename, move or delete columns; keep the sheet name `codes`.", ""),
        ("", "The grey columns are the model's suggestion (1/0), its score (0-1) and its best evidence sentence "
         "for each theme. Read the review: do not copy the suggestion.", ""),
        ("", "", ""),
        ("About this sheet", "", ""),
        *(("", p, "") for p in provenance),
        ("", "", ""),
        ("Themes", "", ""),
        ("id", "label", "description"),
        *((t.id, t.label, t.description) for t in codebook.themes),
    ]
    for line in lines:
        info.append(list(line))
    for r in info.iter_rows():
        if r[0].value in ("How to code", "About this sheet", "Themes", "id"):
            for cell in r:
                cell.font = bold
        for cell in r:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 90
    info.column_dimensions["C"].width = 80

    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_sheet(
    path: Path,
    rows: Sequence[SheetRow],
    codebook: Codebook,
    run: RunFolder,
    pick: str,
    seed: int | None = None,
    overwrite: bool = False,
) -> None:
    """Write `rows` as .xlsx or .csv, chosen by the file name's suffix. An existing file is an
    analyst's work: it is only replaced when `overwrite`."""
    suffix = path.suffix.lower()
    if path.exists() and not overwrite:
        raise InputError(f"{path}: already exists (it may hold codes); choose a new file name, or pass --force to replace it")
    if suffix == ".xlsx":
        write_xlsx_sheet(path, rows, codebook, _provenance(run, pick, seed, len(rows)))
    elif suffix == ".csv":
        write_csv_sheet(path, rows, codebook)
    else:
        raise InputError(f"{path}: a code sheet must end in .csv or .xlsx")
