"""The command line: a thin layer that loads config, calls the library and turns its errors into
messages and exit codes (1 for a library error, 2 for bad usage as typer reports it)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__
from pipeline.batch import run_batch
from pipeline.config import load_config
from pipeline.errors import ReviewThemesError

app = typer.Typer(
    help="Flag themes in child safeguarding case review PDFs and tabulate their prevalence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="config.yaml to use (default: ./config.yaml).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--store", help="Store folder: the cache of extracted, split and scored reviews (default: config store_dir, ./.review-themes)."),
]


def _version(value: bool) -> None:
    if value:
        out.print(f"review-themes {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """review-themes: offline theme mining for safeguarding case reviews."""


@contextmanager
def _errors() -> Iterator[None]:
    """Library errors become a one-line (or per-field) message and exit code 1."""
    try:
        yield
    except ReviewThemesError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True, markup=True)
        raise typer.Exit(1) from None


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[object]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with Progress(
        TextColumn(f"{label} [progress.description]{{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        yield bar


@app.command()
def run(
    pdf_dir: Annotated[Path, typer.Argument(help="Folder of review PDFs (searched recursively).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the output files.")],
    config: ConfigOpt = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: config jobs).")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder (default: config model).")] = None,
    store: StoreOpt = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Empty the store first: re-extract, re-split and re-score everything.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Extract, classify and tabulate every review PDF in PDF_DIR; write the outputs to --out.

    Work already in the store (same PDF content, extractor, settings and model) is not redone."""
    with _errors():
        cfg = load_config(config, model=model, store_dir=store)
        n_jobs = jobs or cfg.jobs
        with _progress(quiet, "reviews") as bar:
            task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

            def tick(done: int, total: int, name: str) -> None:
                if bar is not None:
                    bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

            summary = run_batch(pdf_dir, out_dir, cfg, jobs=n_jobs, model_dir=cfg.model, progress=tick, fresh=fresh)
        if not quiet:
            out.print(
                f"{summary.ok} of {summary.total} review(s) processed in {summary.seconds:.1f} s "
                f"with model {summary.model_id}; outputs in {summary.out_dir}"
            )
            w = summary.work
            err.print(
                f"store {summary.store}: {w.get('extracted', 0)} extracted, {w.get('split', 0)} split, "
                f"{w.get('scored', 0)} scored, {w.get('reused', 0)} reused unchanged",
                highlight=False,
            )
            for a, b in summary.duplicates:
                err.print(f"  {a} is identical to {b}: counted once, as {b}", highlight=False)
            for a, b in summary.renamed:
                err.print(f"  {a} is identical to {b} (stored earlier): not extracted again", highlight=False)
            for f in summary.failed:
                err.print(f"  failed: {f.file}: {f.reason}", highlight=False)


def _ticker(bar: object) -> tuple[object, object]:
    task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

    def tick(done: int, total: int, name: str) -> None:
        if bar is not None:
            bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

    return task, tick


@app.command()
def train(
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s): CSV or .xlsx with `file` and one 1/0/blank column per theme.")],
    pdfs: Annotated[Path, typer.Option("--pdfs", help="Folder the sheets' `file` paths are relative to.")],
    out_model: Annotated[Path, typer.Option("--out", "-o", help="New model folder, e.g. models/2026-11-partnership.")],
    config: ConfigOpt = None,
    sentences: Annotated[Optional[Path], typer.Option("--sentences", help="Optional sentence record (file, theme, label, text) for sentence-level labels.")] = None,
    base_model: Annotated[Optional[Path], typer.Option("--base-model", help="Start multiple-instance learning from this model's sentence scores.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for extraction.")] = None,
    store: StoreOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Train a theme model from coded reviews; write it with its model card to --out."""
    from pipeline.training import train_from_codes

    with _errors():
        cfg = load_config(config, store_dir=store)
        log = (lambda m: None) if quiet else (lambda m: err.print(m, highlight=False))
        with _progress(quiet, "extracting") as bar:
            _, tick = _ticker(bar)
            card = train_from_codes(codes, pdfs, out_model, cfg, jobs or cfg.jobs, sentences, base_model, progress=tick, log=log)  # type: ignore[arg-type]
        if not quiet:
            ev = card["evaluation"]
            out.print(f"model {card['model_id']} written to {out_model}")
            out.print(f"cross-validated macro-F1 {ev['macro_f1']} on {card['training_data']['reviews']} reviews")
            for theme, m in ev["per_theme"].items():
                flag = "" if m["reliable"] else "  UNRELIABLE: " + m.get("warning", "")
                out.print(f"  {theme:28} F1 {m.get('f1', '-'):>6}  P {m.get('precision', '-'):>6}  R {m.get('recall', '-'):>6}  threshold {m['threshold']:.3f}{flag}")


@app.command()
def evaluate(
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s) of reviews the model was NOT trained on.")],
    pdfs: Annotated[Path, typer.Option("--pdfs", help="Folder the sheets' `file` paths are relative to.")],
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder (default: config model).")] = None,
    config: ConfigOpt = None,
    report: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write the table to this CSV file.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for extraction.")] = None,
    store: StoreOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Per-theme precision, recall, F1, support and prevalence error, beside the keyword baseline."""
    from pipeline.export import write_csv
    from pipeline.training import evaluate_model

    with _errors():
        cfg = load_config(config, store_dir=store)
        log = (lambda m: None) if quiet else (lambda m: err.print(m, highlight=False))
        with _progress(quiet, "extracting") as bar:
            _, tick = _ticker(bar)
            rows, summary = evaluate_model(codes, pdfs, cfg, model or cfg.model, jobs or cfg.jobs, tick, log)  # type: ignore[arg-type]
        cols = ("precision", "recall", "f1", "support", "prevalence_error")
        if report is not None:
            write_csv(
                report,
                ("theme", *(f"model_{c}" for c in cols), *(f"keyword_{c}" for c in cols)),
                ([r.theme, *(r.model[c] for c in cols), *(r.baseline[c] for c in cols)] for r in rows),
            )
        out.print(f"model {summary['model_id']} on {summary['reviews']} coded reviews")
        out.print(f"{'theme':28} {'model P':>8} {'R':>6} {'F1':>6} {'err':>6} | {'keyword P':>9} {'R':>6} {'F1':>6} {'err':>6} | support")
        for r in rows:
            m, b = r.model, r.baseline
            out.print(
                f"{r.theme:28} {m['precision']:>8.3f} {m['recall']:>6.3f} {m['f1']:>6.3f} {m['prevalence_error']:>+6.1f} | "
                f"{b['precision']:>9.3f} {b['recall']:>6.3f} {b['f1']:>6.3f} {b['prevalence_error']:>+6.1f} | {m['support']}"
            )
        out.print(f"macro-F1: model {summary['macro_f1']}, keyword baseline {summary['baseline_macro_f1']}")


def main() -> None:
    """Console-script entry point."""
    app()
