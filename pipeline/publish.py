"""A run folder -> the publishable tables and the files they go in: the only module composing them.

`publish_run` is called by `run` once reviews.csv, flags.csv, scores.csv, evidence.csv and run.json
are written: it adds to run.json what the tables need (see `runfolder.run_context`), reads the folder
back and writes prevalence.csv, cooccurrence.csv, toxic_trio.csv, any prevalence_by_<field>.csv and
report.html. `export_run` rebuilds the same tables later from the folder alone (no PDFs, no model), as
CSV, an Excel workbook or the HTML report. Both go through `build_tables`, so `export` reproduces
what `run` wrote. Raises `InputError` for an unusable run folder or an unknown breakdown field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline import export
from pipeline.cooccurrence import cooccurrence, has_toxic_trio, toxic_trio
from pipeline.errors import InputError
from pipeline.prevalence import BREAKDOWN_FIELDS, prevalence, prevalence_by
from pipeline.records import Codebook, ReviewMeta, RunFolder, Tables
from pipeline.report import write_report
from pipeline.runfolder import read_run, run_context
from pipeline.workbook import write_workbook

FORMATS = ("csv", "xlsx", "html")
REPORT = "report.html"
WORKBOOK = "tables.xlsx"


def check_fields(by: Sequence[str]) -> tuple[str, ...]:
    """The breakdown fields, in the order given without repeats; `InputError` for an unknown one."""
    unknown = [f for f in by if f not in BREAKDOWN_FIELDS]
    if unknown:
        raise InputError(f"unknown breakdown field '{unknown[0]}': use one of {', '.join(BREAKDOWN_FIELDS)}")
    return tuple(dict.fromkeys(by))


def build_tables(run: RunFolder, by: Sequence[str] = ()) -> Tables:
    """Every publishable table of a run: prevalence (raw and adjusted), breakdowns, co-occurrence, toxic trio."""
    metas = {r.review_id: r.meta for r in run.reviews}
    ages = {rid: metas.get(rid, ReviewMeta()).child_age for rid in run.flags}
    return Tables(
        prevalence=tuple(prevalence(run.codebook, run.flags, ages, run.rates, run.error_rates_from)),
        breakdowns={f: tuple(prevalence_by(run.codebook, run.flags, metas, f)) for f in check_fields(by)},
        cooccurrence=tuple(cooccurrence(run.codebook, run.flags)),
        toxic_trio=tuple(toxic_trio(run.flags)) if has_toxic_trio(run.codebook) else (),
    )


def write_csv_tables(out_dir: Path, tables: Tables) -> list[Path]:
    """prevalence.csv, one prevalence_by_<field>.csv per breakdown, cooccurrence.csv and toxic_trio.csv."""
    paths = [out_dir / "prevalence.csv"]
    export.write_prevalence(paths[0], tables.prevalence)
    for field, rows in tables.breakdowns.items():
        paths.append(out_dir / export.breakdown_file(field))
        export.write_breakdown(paths[-1], rows)
    paths.append(out_dir / "cooccurrence.csv")
    export.write_cooccurrence(paths[-1], tables.cooccurrence)
    if tables.toxic_trio:
        paths.append(out_dir / "toxic_trio.csv")
        export.write_toxic_trio(paths[-1], tables.toxic_trio)
    return paths


def publish_run(out_dir: Path, codebook: Codebook, model: object, model_folder: Path | str, by: Sequence[str] = ()) -> list[Path]:
    """Complete a run folder: record the tables' context in run.json, then write the CSV tables and report.html."""
    by = check_fields(by)
    info_path = out_dir / "run.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info.update(run_context(codebook, model, model_folder, by))
    export.write_json(info_path, info)
    run = read_run(out_dir)
    tables = build_tables(run, by)
    paths = write_csv_tables(out_dir, tables)
    paths.append(out_dir / REPORT)
    write_report(paths[-1], run, tables)
    return paths


def export_run(
    run_dir: Path,
    formats: Sequence[str] = ("csv",),
    by: Sequence[str] | None = None,
    out_dir: Path | None = None,
    fallback_codebook: Codebook | None = None,
) -> list[Path]:
    """Rebuild a run's tables from its folder and write them in `formats` to `out_dir` (default: the run folder).

    `by` None means the breakdowns the run was made with. Returns the files written.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown format '{unknown[0]}': use one of {', '.join(FORMATS)}")
    run = read_run(run_dir, fallback_codebook)
    tables = build_tables(run, run.breakdowns if by is None else by)
    dest = out_dir or run_dir
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{dest}: cannot create the output folder ({exc.strerror})") from None
    paths: list[Path] = []
    for fmt in dict.fromkeys(formats):
        if fmt == "csv":
            paths.extend(write_csv_tables(dest, tables))
        elif fmt == "xlsx":
            paths.append(dest / WORKBOOK)
            write_workbook(paths[-1], run, tables)
        else:
            paths.append(dest / REPORT)
            write_report(paths[-1], run, tables)
    return paths
