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
    quiet: QuietOpt = False,
) -> None:
    """Extract, classify and tabulate every review PDF in PDF_DIR; write the outputs to --out."""
    with _errors():
        cfg = load_config(config, model=model)
        n_jobs = jobs or cfg.jobs
        with _progress(quiet, "reviews") as bar:
            task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

            def tick(done: int, total: int, name: str) -> None:
                if bar is not None:
                    bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

            summary = run_batch(pdf_dir, out_dir, cfg, jobs=n_jobs, model_dir=cfg.model, progress=tick)
        if not quiet:
            out.print(
                f"{summary.ok} of {summary.total} review(s) processed in {summary.seconds:.1f} s "
                f"with model {summary.model_id}; outputs in {summary.out_dir}"
            )
            for f in summary.failed:
                err.print(f"  failed: {f.file}: {f.reason}", highlight=False)


corpus_app = typer.Typer(
    help="Build, render and measure the project's own coded corpus (see README, Corpus).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(corpus_app, name="corpus")

ROOT = Path(__file__).resolve().parent.parent


def _default(path: str) -> Path:
    """A project path: relative to the current folder when it exists there, else to the project."""
    local = Path(path)
    return local if local.exists() else ROOT / path


@corpus_app.command("build")
def corpus_build(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for texts/, pdfs/, codes.csv, sentences.csv.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of reviews (with --bank both: over both banks).")] = 520,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same corpus.")] = 1,
    bank: Annotated[str, typer.Option("--bank", help="Wording bank: a (training), b (evaluation) or both.")] = "both",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render every review to PDF.")] = True,
    eval_share: Annotated[float, typer.Option("--eval-share", min=0.0, max=1.0, help="With --bank both: share of reviews from bank b.")] = 0.3,
    kinds: Annotated[Optional[str], typer.Option("--kinds", help="Comma-separated document kinds to draw from (default: all).")] = None,
    banks_dir: Annotated[Optional[Path], typer.Option("--banks", help="Banks folder (default: corpus/banks).")] = None,
    codebook_path: Annotated[Optional[Path], typer.Option("--codebook", help="Codebook CSV (default: corpus/codebook.csv).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Generate coded reviews from the wording banks: texts, PDFs, coding sheet, sentence record."""
    from pipeline.codebook import load_codebook
    from pipeline.corpus.build import build_corpus

    with _errors():
        codebook = load_codebook(codebook_path or _default("corpus/codebook.csv"))
        kind_list = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
        with _progress(quiet, "reviews") as bar:
            task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

            def tick(done: int, total: int, name: str) -> None:
                if bar is not None:
                    bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

            summary = build_corpus(out_dir, banks_dir or _default("corpus/banks"), codebook.ids, n, seed, bank, pdf,
                                   eval_share, kind_list, progress=tick)
        if not quiet:
            counts = ", ".join(f"{v} from bank {k}" for k, v in sorted(summary.reviews.items()))
            out.print(f"{sum(summary.reviews.values())} review(s) ({counts}), {summary.pdfs} PDF(s) in "
                      f"{summary.seconds:.1f} s; outputs in {summary.out_dir}", highlight=False)
            if summary.missing:
                err.print(f"  warning: bank files missing: {', '.join(summary.missing)}", highlight=False)
            if summary.dropped:
                err.print(f"  note: bank b entries shared with bank a were not used: {', '.join(summary.dropped)}",
                          highlight=False)


@corpus_app.command("render")
def corpus_render(
    text_dir: Annotated[Path, typer.Argument(help="Folder of review texts (.md generated, .txt hand-written).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the PDFs.")],
    quiet: QuietOpt = False,
) -> None:
    """Render committed review texts to PDFs (one per text, same name)."""
    from pipeline.corpus.build import render_folder

    with _errors():
        with _progress(quiet, "PDFs") as bar:
            task = bar.add_task("", total=None) if bar is not None else None  # type: ignore[attr-defined]

            def tick(done: int, total: int, name: str) -> None:
                if bar is not None:
                    bar.update(task, completed=done, total=total, description=name[:40])  # type: ignore[attr-defined]

            count = render_folder(text_dir, out_dir, progress=tick)
        if not quiet:
            out.print(f"{count} PDF(s) written to {out_dir}", highlight=False)


@corpus_app.command("stats")
def corpus_stats(
    corpus_dir: Annotated[Path, typer.Argument(help="A built corpus folder (texts/, codes.csv, sentences.csv).")],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the figures to this JSON file.")] = None,
    banks_dir: Annotated[Optional[Path], typer.Option("--banks", help="Banks folder (default: corpus/banks).")] = None,
) -> None:
    """Sentence repetition across documents (exact text and templates), counts per theme and split."""
    from pipeline.corpus.stats import corpus_stats as compute, format_stats

    with _errors():
        stats = compute(corpus_dir, banks_dir or _default("corpus/banks"))
        out.print(format_stats(stats), highlight=False)
        if json_out is not None:
            import json

            json_out.write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    """Console-script entry point."""
    app()
