"""The command line: a thin layer that loads config, calls the library and turns its errors into
messages and exit codes (1 for a library error, 2 for bad usage as typer reports it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__
from pipeline.batch import BatchSummary, extract_batch, run_batch
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


def _report_failures(summary: BatchSummary) -> None:
    for f in summary.failed:
        err.print(f"  failed: {f.file}: {f.reason}", highlight=False)


@contextmanager
def _ticker(quiet: bool, label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback for the batch functions: a bar on a terminal, nothing otherwise."""
    with _progress(quiet, label) as bar:
        task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

        def tick(done: int, total: int, name: str) -> None:
            if bar is not None:
                bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

        yield tick


@app.command()
def extract(
    pdf_dir: Annotated[Path, typer.Argument(help="Folder of review PDFs (searched recursively).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for text/<review_id>.md and reviews.csv.")],
    config: ConfigOpt = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: config jobs).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Extract the clean, sectioned text of every review PDF in PDF_DIR as Markdown, plus reviews.csv."""
    with _errors():
        cfg = load_config(config)
        with _ticker(quiet, "extracting") as tick:
            summary = extract_batch(pdf_dir, out_dir, cfg, jobs=jobs or cfg.jobs, progress=tick)
        if not quiet:
            out.print(
                f"{summary.ok} of {summary.total} review(s) extracted in {summary.seconds:.1f} s; "
                f"text in {summary.out_dir / 'text'}, one row per file in {summary.out_dir / 'reviews.csv'}"
            )
            _report_failures(summary)


@app.command()
def run(
    pdf_dir: Annotated[Path, typer.Argument(help="Folder of review PDFs (searched recursively).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the output files.")],
    config: ConfigOpt = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: config jobs).")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder (default: config model).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Extract, classify and tabulate every review PDF in PDF_DIR; write the outputs to --out."""
    with _errors():
        cfg = load_config(config, model=model)
        n_jobs = jobs or cfg.jobs
        with _ticker(quiet, "reviews") as tick:
            summary = run_batch(pdf_dir, out_dir, cfg, jobs=n_jobs, model_dir=cfg.model, progress=tick)
        if not quiet:
            out.print(
                f"{summary.ok} of {summary.total} review(s) processed in {summary.seconds:.1f} s "
                f"with model {summary.model_id}; outputs in {summary.out_dir}"
            )
            _report_failures(summary)


def main() -> None:
    """Console-script entry point."""
    app()
