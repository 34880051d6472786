"""A run's tables -> one Excel workbook (openpyxl) an analyst can open, read and quote from.

Consumes a `RunFolder` and its `Tables`. Produces an .xlsx file with one sheet per table (readable
headers, theme labels rather than ids, column widths set, header row frozen) and an "About" sheet:
model, versions, date, counts, denominators and how to read the intervals. Written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import notes
from pipeline.export import atomic_path
from pipeline.records import RunFolder, Tables

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F6FB2")
_PERCENT_FORMAT = "0.0"
_WRAP = Alignment(wrap_text=True, vertical="top")
_MAX_WIDTH = 60


def _yes_no(value: int | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _table_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], percent_cols: Sequence[int] = ()) -> Worksheet:
    """A sheet with a bold frozen header row, numbers as numbers and widths fitted to the content."""
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    for col in percent_cols:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if isinstance(cell.value, (int, float)):
                cell.number_format = _PERCENT_FORMAT
    for i, header in enumerate(headers, start=1):
        longest = max([len(str(header)) * 0.8] + [len(str(r[i - 1] or "")) for r in rows])
        width = min(_MAX_WIDTH, max(10, longest + 2))
        ws.column_dimensions[get_column_letter(i)].width = width
        if width >= _MAX_WIDTH:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = _WRAP
    ws.freeze_panes = "A2"
    return ws


def _about(wb: Workbook, run: RunFolder) -> None:
    info = run.info
    counts = info.get("counts") or {}
    model = info.get("model") or {}
    rows: list[tuple[str, str]] = [
        ("Tables of", f"review-themes run finished {info.get('finished', 'unknown')}"),
        ("Reviews processed", f"{counts.get('ok', len(run.flags))} of {counts.get('files', len(run.reviews))} files ({counts.get('failed', 0)} failed)"),
        ("Model", str(info.get("model_id", ""))),
        ("Model kind", str(model.get("kind", ""))),
        ("Model folder", str(model.get("folder", ""))),
        ("Error rates measured by", run.error_rates_from or "none (no adjusted estimate)"),
        ("Config sha256", str(info.get("config_sha256", ""))),
        ("Codebook sha256", str(info.get("codebook_sha256", ""))),
    ]
    rows += [(f"Version: {k}", str(v)) for k, v in (info.get("versions") or {}).items()]
    rows += [
        ("How to read: % and interval", notes.RAW),
        ("How to read: adjusted %", notes.adjusted_note(run)),
        ("How to read: denominators", notes.DENOMINATORS),
    ]
    rows += [(f"Denominator: {label}", text) for label, text in notes.denominator_lines(run)]
    rows += [
        ("How to read: breakdowns", notes.BREAKDOWNS),
        ("How to read: co-occurrence", notes.COOCCURRENCE),
        ("How to read: toxic trio", notes.TOXIC_TRIO),
    ]
    rows += [(f"Failed file: {f.get('file', '')}", str(f.get("reason", ""))) for f in info.get("failed") or []]
    ws = _table_sheet(wb, "About", ("Item", "Value"), rows)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 100
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = _WRAP


def write_workbook(path: Path, run: RunFolder, tables: Tables) -> None:
    """Write the workbook to `path` via a temporary file and an atomic rename."""
    h = notes.HEADERS
    label = {t.id: t.label for t in run.codebook.themes}
    wb = Workbook()
    wb.remove(wb.active)
    cols = ("label", "reviews", "flagged", "percent", "ci_low", "ci_high", "adjusted_percent", "adjusted_ci_low",
            "adjusted_ci_high", "sensitivity", "specificity", "reliable", "note", "error_rates_from", "denominator")  # fmt: skip
    _table_sheet(
        wb,
        "Prevalence",
        [h[c] for c in cols] + ["Theme id"],
        [[getattr(r, c) for c in cols] + [r.theme] for r in tables.prevalence],
        percent_cols=(4, 5, 6, 7, 8, 9),
    )
    for field, rows in tables.breakdowns.items():
        _table_sheet(
            wb,
            f"By {field.replace('_', ' ')}"[:31],
            [f"Group ({notes.FIELD_NAMES.get(field, field)})", "Theme", h["reviews"], h["flagged"], h["percent"], h["ci_low"], h["ci_high"]],
            [[r.group, r.label, r.reviews, r.flagged, r.percent, r.ci_low, r.ci_high] for r in rows],
            percent_cols=(5, 6, 7),
        )
    _table_sheet(
        wb,
        "Co-occurrence",
        [h["theme_a"], h["theme_b"], h["reviews"], h["both"], "% of all reviews"],
        [[label.get(r.theme_a, r.theme_a), label.get(r.theme_b, r.theme_b), r.reviews, r.both, r.percent] for r in tables.cooccurrence],
        percent_cols=(5,),
    )
    if tables.toxic_trio:
        _table_sheet(
            wb,
            "Toxic trio",
            [h["combination"], h["domestic_abuse"], h["parental_mental_health"], h["parental_substance_misuse"],
             h["reviews"], "Reviews with this combination", "% of all reviews", h["ci_low"], h["ci_high"]],  # fmt: skip
            [
                [r.combination, _yes_no(r.domestic_abuse), _yes_no(r.parental_mental_health), _yes_no(r.parental_substance_misuse),
                 r.reviews, r.count, r.percent, r.ci_low, r.ci_high]  # fmt: skip
                for r in tables.toxic_trio
            ],
            percent_cols=(7, 8, 9),
        )
    _about(wb, run)
    with atomic_path(path) as tmp:
        wb.save(tmp)
