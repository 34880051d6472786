"""The command line: a thin layer that loads config, calls the library and turns its errors into
messages and exit codes (1 for a library error, 2 for bad usage as typer reports it)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pipeline import __version__
from pipeline.batch import BatchSummary, extract_batch, run_batch
from pipeline.config import load_config
from pipeline.errors import ReviewThemesError
from pipeline.prevalence import BREAKDOWN_FIELDS

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
ByField = Enum("ByField", {f: f for f in BREAKDOWN_FIELDS}, type=str)  # type: ignore[misc]
ByOpt = Annotated[
    Optional[list[ByField]],  # type: ignore[valid-type]
    typer.Option("--by", help="Also tabulate prevalence by this field (repeatable): writes prevalence_by_FIELD.csv."),
]
StoreOpt = Annotated[
    Optional[Path],
    typer.Option("--store", help="Store folder: the cache of extracted, split and scored reviews (default: config store_dir, ./.review-themes)."),
]
PdfDirArg = Annotated[Path, typer.Argument(help="Folder of review PDFs (searched recursively).")]
RunDirArg = Annotated[Path, typer.Argument(help="Output folder of `review-themes run`.")]
PdfsOpt = Annotated[Path, typer.Option("--pdfs", help="Folder the sheets' `file` paths are relative to.")]
ModelOpt = Annotated[Optional[Path], typer.Option("--model", "-m", help="Model folder (default: config model).")]
JobsOpt = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: config jobs).")]
ExtractionJobsOpt = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for extraction.")]
BanksOpt = Annotated[Optional[Path], typer.Option("--banks", help="Banks folder (default: corpus/banks).")]


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
def _ticker(quiet: bool, label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback for the batch functions: a bar on stderr when it is a terminal, else nothing."""
    if quiet or not sys.stderr.isatty():
        yield lambda done, total, name: None
        return
    columns = (TextColumn(f"{label} [progress.description]{{task.description}}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("", total=None)

        def tick(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name[:40])

        yield tick


def _log(quiet: bool) -> Callable[[str], None]:
    """Where the library's progress messages go: stderr, or nowhere with --quiet."""
    return (lambda m: None) if quiet else (lambda m: err.print(m, highlight=False))


def _report_failures(summary: BatchSummary) -> None:
    for file, warning in summary.warned:
        err.print(f"  warning: {file}: {warning}", highlight=False)
    for f in summary.failed:
        err.print(f"  failed: {f.file}: {f.reason}", highlight=False)


def _print_theme_table(header: str | None, rows: Iterable[tuple[str, str]], indent: str = "") -> None:
    """A per-theme table on stdout: the column headings after "theme" (none when `header` is None),
    then one line per (theme id, formatted cells), the theme column padded to one width."""
    if header is not None:
        out.print(f"{indent}{'theme':28} {header}")
    for theme, cells in rows:
        out.print(f"{indent}{theme:28} {cells}")


def _write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], summary: dict[str, Any]) -> None:
    """A command's per-theme table as CSV at `path`, with its summary beside it as .json."""
    from pipeline.export import write_csv, write_json

    write_csv(path, header, rows)
    write_json(path.with_suffix(".json"), summary)


@app.command()
def extract(
    pdf_dir: PdfDirArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for text/<review_id>.md and reviews.csv.")],
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
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
    pdf_dir: PdfDirArg,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for the output files.")],
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
    model: ModelOpt = None,
    by: ByOpt = None,
    store: StoreOpt = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Empty the store first: re-extract, re-split and re-score everything.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Extract, classify and tabulate every review PDF in PDF_DIR; write the outputs to --out.

    Work already in the store (same PDF content, extractor, settings and model) is not redone."""
    with _errors():
        cfg = load_config(config, model=model, store_dir=store)
        n_jobs = jobs or cfg.jobs
        with _ticker(quiet, "reviews") as tick:
            fields = tuple(f.value for f in by or ())
            summary = run_batch(pdf_dir, out_dir, cfg, jobs=n_jobs, model_dir=cfg.model, progress=tick, fresh=fresh, by=fields)
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
            if summary.ignored:
                shown = ", ".join(summary.ignored[:5]) + (", ..." if len(summary.ignored) > 5 else "")
                err.print(f"  {len(summary.ignored)} file(s) not ending in .pdf were not read ({shown}; listed in run.json)", highlight=False)
            _report_failures(summary)


@app.command()
def train(
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s): CSV or .xlsx with `file` and one 1/0/blank column per theme.")],
    pdfs: PdfsOpt,
    out_model: Annotated[Path, typer.Option("--out", "-o", help="New model folder, e.g. models/2026-11-partnership.")],
    config: ConfigOpt = None,
    sentences: Annotated[Optional[list[Path]], typer.Option("--sentences", help="Optional sentence record (file, theme, label, text[, template]; .csv or .csv.gz) for sentence-level labels; repeat to combine several.")] = None,
    base_model: Annotated[Optional[Path], typer.Option("--base-model", help="Start multiple-instance learning from this model's sentence scores.")] = None,
    calibrate: Annotated[Optional[list[Path]], typer.Option("--calibrate", help="Coding sheet (also given as CODES) whose reviews choose the thresholds: e.g. your coded real reviews beside generated text. Repeatable.")] = None,
    jobs: ExtractionJobsOpt = None,
    store: StoreOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Train a theme model from coded reviews; write it with its model card to --out.

    Several sheets may code the same review: codes that differ are resolved by config
    `coding.conflict` (newest, oldest or drop), and reviews coded by two different coders give
    Cohen's kappa per theme in the report and the card."""
    from pipeline.training import train_from_codes

    with _errors():
        cfg = load_config(config, store_dir=store)
        log = _log(quiet)
        with _ticker(quiet, "extracting") as tick:
            card = train_from_codes(codes, pdfs, out_model, cfg, jobs or cfg.jobs, sentences, base_model, progress=tick, log=log,  # type: ignore[arg-type]
                                    calibrate_codes=calibrate or ())
        if not quiet:
            ev = card["evaluation"]
            out.print(f"model {card['model_id']} written to {out_model}")
            out.print(f"cross-validated macro-F1 {ev['macro_f1']} on {card['training_data']['reviews']} reviews")
            if ev.get("calibration_reviews"):
                out.print(f"on the {ev['calibration_reviews']} calibration reviews: macro-F1 {ev['calibration_macro_f1']} "
                          "(thresholds chosen on them where they have enough of each class: optimistic)")
            rows = []
            for theme, m in ev["per_theme"].items():
                flag = "" if m["reliable"] else "  UNRELIABLE: " + m.get("warning", "")
                if m.get("coded_positive") == 0:  # F1, precision, recall say nothing without a coded positive
                    rows.append((theme, f"F1 {'-':>6}  P {'-':>6}  R {'-':>6}  threshold {m['threshold']:.3f}{flag}"))
                    continue
                rows.append((theme, f"F1 {m.get('f1', '-'):>6}  P {m.get('precision', '-'):>6}  R {m.get('recall', '-'):>6}  threshold {m['threshold']:.3f}{flag}"))
            _print_theme_table(None, rows, indent="  ")
            _print_agreement(card["training_data"].get("agreement") or {})


def _fmt(value: object, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def _print_agreement(agreement: dict) -> None:  # type: ignore[type-arg]
    """The inter-coder agreement section of a training report."""
    n = agreement.get("double_coded_reviews", 0)
    if not n:
        note = ""
        if agreement.get("unnamed_repeats"):
            note = f" ({agreement['unnamed_repeats']} review(s) appear in several sheets without two different `coder` names)"
        out.print(f"inter-coder agreement: no review coded by two different coders{note}")
        return
    out.print(f"inter-coder agreement on {n} review(s) coded by two different coders ({', '.join(agreement['coders'])}):")
    _print_theme_table(f"{'kappa':>6} {'agree':>6} {'n':>4}", (
        (theme, f"{_fmt(a['kappa']):>6} {_fmt(a['raw_agreement']):>6} {a['n_double_coded']:>4}")
        for theme, a in agreement["per_theme"].items()
        if a["n_double_coded"]
    ), indent="  ")


@app.command()
def evaluate(
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s); only audit rows count, and reviews the model was trained on are left out.")],
    pdfs: PdfsOpt,
    model: ModelOpt = None,
    config: ConfigOpt = None,
    report: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write the table to this CSV file.")] = None,
    jobs: ExtractionJobsOpt = None,
    store: StoreOpt = None,
    into_card: Annotated[bool, typer.Option("--into-card", help="Record the per-theme error rates in the model's card (held_out_evaluation): adjusted prevalence then uses them instead of the cross-validation figures.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Per-theme precision, recall, F1, support and prevalence error, beside the keyword baseline.

    Only audit-coded reviews count (picked_by random, all or empty); uncertainty picks and reviews the
    model was trained on are left out, and the output says how many."""
    from pipeline.training import evaluate_model, record_held_out_evaluation

    with _errors():
        cfg = load_config(config, store_dir=store)
        log = _log(quiet)
        with _ticker(quiet, "extracting") as tick:
            rows, summary = evaluate_model(codes, pdfs, cfg, model or cfg.model, jobs or cfg.jobs, tick, log)  # type: ignore[arg-type]
        cols = ("precision", "recall", "f1", "support", "prevalence_error")
        if report is not None:
            _write_table(
                report,
                ("theme", *(f"model_{c}" for c in cols), *(f"keyword_{c}" for c in cols), "model_auc"),
                ([r.theme, *(r.model[c] for c in cols), *(r.baseline[c] for c in cols), r.model.get("auc")] for r in rows),
                summary,
            )
        out.print(f"model {summary['model_id']}: {summary['basis']}")
        _print_theme_table(f"{'model P':>8} {'R':>6} {'F1':>6} {'err':>6} {'AUC':>6} | {'keyword P':>9} {'R':>6} {'F1':>6} {'err':>6} | support", (
            (r.theme, f"{r.model['precision']:>8.3f} {r.model['recall']:>6.3f} {r.model['f1']:>6.3f} {r.model['prevalence_error']:>+6.1f} "
                      f"{_fmt(r.model.get('auc')):>6} | "
                      f"{r.baseline['precision']:>9.3f} {r.baseline['recall']:>6.3f} {r.baseline['f1']:>6.3f} "
                      f"{r.baseline['prevalence_error']:>+6.1f} | {r.model['support']}")
            for r in rows
        ))
        out.print(f"macro-F1: model {summary['macro_f1']}, keyword baseline {summary['baseline_macro_f1']}")
        missed = [r.theme for r in rows if _ranked_but_missed(r.model)]
        if len(missed) >= 3:
            out.print(f"{len(missed)} themes ({', '.join(missed)}) are ranked well (AUC >= 0.9) but found at recall below "
                      "0.7 with precision >= 0.9 (or nothing flagged): these reviews score lower than the model's training text. Re-choosing "
                      "the thresholds on coded reviews like them may help: `review-themes calibrate` (README, The coding loop)")
        if into_card:
            card_path = record_held_out_evaluation(model or cfg.model, rows, summary)
            out.print(f"error rates recorded in {card_path} (held_out_evaluation)")


@app.command()
def calibrate(
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s) of your own reviews; only audit rows count, and reviews the model was trained or calibrated on are left out.")],
    pdfs: PdfsOpt,
    out_model: Annotated[Path, typer.Option("--out", "-o", help="New model folder, e.g. models/2026-11-calibrated.")],
    model: ModelOpt = None,
    config: ConfigOpt = None,
    min_per_class: Annotated[int, typer.Option("--min-per-class", min=1, help="Coded positive and negative reviews a theme needs before its threshold is re-chosen.")] = 5,
    jobs: ExtractionJobsOpt = None,
    store: StoreOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Re-choose a model's thresholds on your coded reviews, weights unchanged; write it to --out.

    For reviews the model ranks well but scores low (or high): e.g. a partnership's house style
    unlike the training text. The figures printed are on the reviews that chose the thresholds, so
    optimistic: evaluate the new model on other coded reviews."""
    from pipeline.calibration import calibrate_model

    with _errors():
        cfg = load_config(config, store_dir=store)
        log = _log(quiet)
        with _ticker(quiet, "extracting") as tick:
            card = calibrate_model(codes, pdfs, out_model, cfg, model or cfg.model, jobs or cfg.jobs, min_per_class, tick, log)  # type: ignore[arg-type]
        if not quiet:
            cal = card["calibration"]
            out.print(f"model {card['model_id']} written to {out_model} (thresholds of {card['derived_from']['model_id']} "
                      f"re-chosen on {cal['basis'].replace('evaluated on ', '')})")
            _print_theme_table(f"{'threshold':>17} {'F1':>14} {'pos':>4} {'neg':>4}", (
                (theme, f"{m['threshold_before']:>7.3f} -> {m['threshold']:<6.3f} "
                        + (f"{m['calibration_before']['f1']:>5.3f} -> {m['calibration']['f1']:<5.3f}" if "calibration_before" in m else f"{'-':>14}")
                        + f" {m['calibration_positive']:>4} {m['calibration_negative']:>4}"
                        + (f"  kept: {m['kept_because']}" if not m["rechosen"] else ""))
                for theme, m in card["evaluation"]["per_theme"].items()
            ))
            out.print(f"macro-F1 on these reviews {cal['macro_f1_before']} -> {cal['macro_f1']} (in-sample: evaluate the new "
                      "model on other coded reviews)")


def _ranked_but_missed(m: dict[str, Any]) -> bool:
    """A theme the model ranks well on these reviews but flags too rarely: its thresholds sit too high."""
    auc = m.get("auc")
    flagged_none = m.get("predicted_percent") == 0
    return auc is not None and auc >= 0.9 and m["recall"] < 0.7 and (m["precision"] >= 0.9 or flagged_none) and m["support"] >= 5


class Format(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    html = "html"


@app.command("export")
def export_tables(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by `review-themes run`.")],
    formats: Annotated[
        Optional[list[Format]], typer.Option("--format", "-f", help="csv (the tables), xlsx (tables.xlsx) or html (report.html); repeatable. Default csv.")
    ] = None,
    by: ByOpt = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder to write to (default: RUN_DIR).")] = None,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Rebuild the prevalence tables and report from a run folder, without re-reading any PDF.

    --config is only needed for a run folder whose run.json predates recorded themes: its codebook is used.
    """
    from pipeline.codebook import load_codebook
    from pipeline.publish import export_run

    with _errors():
        fallback = None
        if config is not None:
            fallback = load_codebook(load_config(config).codebook)
        fields = tuple(f.value for f in by) if by else None
        paths = export_run(run_dir, [f.value for f in formats or [Format.csv]], fields, out_dir, fallback)
        if not quiet:
            for path in paths:
                out.print(f"wrote {path}", highlight=False)

@app.command("code-sheet")
def code_sheet(
    run_dir: RunDirArg,
    sheet: Annotated[Path, typer.Option("--out", "-o", help="The sheet to write: .xlsx (for Excel) or .csv.")],
    n: Annotated[int, typer.Option("--n", min=1, help="How many reviews to put on the sheet (ignored by --pick all).")] = 20,
    pick: Annotated[str, typer.Option("--pick", help="uncertain (teach the model most), random (the audit sample) or all.")] = "uncertain",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random sample (the same seed draws the same reviews).")] = 0,
    coded: Annotated[Optional[list[Path]], typer.Option("--coded", help="A sheet handed out before (coded yet or not): its reviews are skipped. Repeat for several.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists (it may hold an analyst's codes).")] = False,
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write a coding sheet of the reviews to code next, with the model's suggestions beside empty code columns."""
    from pipeline.codebook import load_codebook
    from pipeline.codes import read_codes
    from pipeline.codesheet import coded_files, pick_reviews, write_sheet
    from pipeline.runfolder import read_run

    with _errors():
        cfg = load_config(config)
        codebook = load_codebook(cfg.codebook)
        run = read_run(run_dir, codebook, cfg, same_codebook=True)
        done = [read_codes(p, codebook, require_all_themes=False) for p in coded or []]
        rows = pick_reviews(run, codebook, pick, n, seed, done)
        write_sheet(sheet, rows, codebook, run, pick, seed, overwrite=force)
        if not quiet:
            for note in run.notes:
                err.print(f"note: {note}", highlight=False)
            how = {"random": f"picked at random (seed {seed}): an audit sample", "all": "all reviews not coded yet",
                   "uncertain": "picked by uncertainty: training data, never used to measure the model"}[pick]
            out.print(f"{len(rows)} review(s) written to {sheet}, {how}; thresholds from {run.thresholds_source}", highlight=False)
            already = len(set(run.files.values()) & coded_files(done))
            out.print(f"  {len(run.files)} review(s) in the run, {already} on --coded sheet(s) and skipped")
            if pick == "uncertain":
                for r in rows:
                    out.print(f"  {r.file}: nearest thresholds: {r.reason}", highlight=False)


@app.command()
def audit(
    run_dir: RunDirArg,
    codes: Annotated[list[Path], typer.Argument(help="Coding sheet(s) of reviews in this run; only audit rows (random/all/unrecorded picks) count.")],
    config: ConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check a run's flags against audit-coded reviews; record the per-theme error rates in its run.json."""
    from pipeline.audit import audit_run

    with _errors():
        cfg = load_config(config)
        section = audit_run(run_dir, codes, cfg)
        if not quiet:
            out.print(f"model {section['model_id']}: {section['basis']}")
            _print_theme_table(f"{'P':>6} {'R/sens':>6} {'spec':>6} {'F1':>6} {'err':>6} | coded +/-", (
                (theme, f"{m['precision']:>6.3f} {m['recall']:>6.3f} {m['specificity']:>6.3f} {m['f1']:>6.3f} "
                        f"{m['prevalence_error']:>+6.1f} | {m['support']}/{m['negatives']}")
                for theme, m in section["per_theme"].items()
            ))
            out.print(f"macro-F1 {section['macro_f1']}; recorded in {run_dir / 'run.json'} under `audit`")


models_app = typer.Typer(help="List trained model folders and compare two models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list(
    models_dir: Annotated[Optional[Path], typer.Argument(help="Folder of model folders (default: the folder holding config `model`).")] = None,
    config: ConfigOpt = None,
) -> None:
    """One line per model folder: id, created, reviews trained on, CV macro-F1, unreliable themes; * = in use."""
    from pipeline.registry import list_models

    with _errors():
        cfg = load_config(config)
        folder = models_dir or cfg.model.parent
        infos = list_models(folder, cfg.model)
        if not infos:
            out.print(f"no model folders in {folder}; train one with `review-themes train`")
            return
        out.print(f"  {'model id':40} {'created':25} {'reviews':>7} {'CV F1':>6}  unreliable themes")
        for m in infos:
            if m.problem:
                out.print(f"! {m.model_id:40} unreadable: {m.problem}", highlight=False)
                continue
            mark = "*" if m.in_use else " "
            unreliable = ", ".join(m.unreliable) if m.unreliable else "-"
            if m.unreliable and len(m.unreliable) == m.themes:
                unreliable = f"all {m.themes}"
            derived = f"  (thresholds of {m.calibrated_from}, re-chosen by `calibrate`)" if m.calibrated_from else ""
            out.print(f"{mark} {m.model_id:40} {m.created:25} {_fmt(m.reviews, 'd'):>7} {_fmt(m.cv_macro_f1):>6}  {unreliable}{derived}", highlight=False)
        in_use = [m for m in infos if m.in_use]
        if any(m.problem for m in infos):
            out.print("! = a folder whose card.json cannot be read (copy it again from its source, or remove it)", highlight=False)
        if in_use:
            out.print(f"* = the model config.yaml uses ({in_use[0].folder})", highlight=False)
        else:
            out.print(f"config.yaml uses {cfg.model}, which is not in {folder}", highlight=False)


@models_app.command("compare")
def models_compare(
    model_a: Annotated[Path, typer.Argument(help="Model A (e.g. the one in use), or `keywords`.")],
    model_b: Annotated[Path, typer.Argument(help="Model B (e.g. a retrained one), or `keywords`.")],
    codes: Annotated[list[Path], typer.Option("--codes", help="Coding sheet(s); only audit rows count. Repeat for several.")],
    pdfs: PdfsOpt,
    config: ConfigOpt = None,
    report: Annotated[Optional[Path], typer.Option("--out", "-o", help="Also write the table to this CSV file (and the summary beside it as .json).")] = None,
    jobs: ExtractionJobsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Per-theme precision, recall and F1 of two models on the same audit-coded reviews, with a verdict for B."""
    from pipeline.comparison import compare_models

    with _errors():
        cfg = load_config(config)
        log = _log(quiet)
        with _ticker(quiet, "extracting") as tick:
            rows, summary = compare_models(codes, pdfs, cfg, model_a, model_b, jobs or cfg.jobs, tick, log)  # type: ignore[arg-type]
        cols = ("precision", "recall", "f1", "support")
        if report is not None:
            _write_table(
                report,
                ("theme", *(f"a_{c}" for c in cols), *(f"b_{c}" for c in cols), "verdict_b"),
                ([r.theme, *(r.a[c] for c in cols), *(r.b[c] for c in cols), r.verdict] for r in rows),
                summary,
            )
        a, b = summary["a"], summary["b"]
        out.print(f"A = {a['model_id']} ({a['folder']})", highlight=False)
        out.print(f"B = {b['model_id']} ({b['folder']})", highlight=False)
        out.print(summary["basis"])
        _print_theme_table(f"{'A P':>6} {'R':>6} {'F1':>6} | {'B P':>6} {'R':>6} {'F1':>6} | {'coded +':>7} | B is", (
            (r.theme, f"{r.a['precision']:>6.3f} {r.a['recall']:>6.3f} {r.a['f1']:>6.3f} | "
                      f"{r.b['precision']:>6.3f} {r.b['recall']:>6.3f} {r.b['f1']:>6.3f} | {r.a['support']:>7} | {r.verdict}")
            for r in rows
        ))
        v = summary["verdicts"]
        out.print(f"macro-F1: A {a['macro_f1']}, B {b['macro_f1']}; B better on {v['better']}, worse on {v['worse']}, "
                  f"the same (F1 within {summary['same_within']}) on {v['same']} theme(s)")
        if v["fewer false flags"] or v["more false flags"]:
            out.print(f"on themes no audit review has (F1 says nothing there): B has fewer false flags on "
                      f"{v['fewer false flags']}, more on {v['more false flags']}; macro-F1 counts those themes as 1 or 0")
        if summary["audit_reviews"] < 30:
            out.print(f"caution: {summary['audit_reviews']} audit review(s) is a small sample; differences of a few reviews are noise")

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
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for texts/, pdfs/, codes.csv, sentences.csv.gz.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of reviews (with --bank both: over both banks).")] = 520,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same corpus.")] = 1,
    bank: Annotated[str, typer.Option("--bank", help="Wording bank: a (training), b (evaluation) or both.")] = "both",
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render every review to PDF.")] = True,
    eval_share: Annotated[float, typer.Option("--eval-share", min=0.0, max=1.0, help="With --bank both: share of reviews from bank b.")] = 0.3,
    kinds: Annotated[Optional[str], typer.Option("--kinds", help="Comma-separated document kinds to draw from (default: all).")] = None,
    banks_dir: BanksOpt = None,
    codebook_path: Annotated[Optional[Path], typer.Option("--codebook", help="Codebook CSV (default: corpus/codebook.csv).")] = None,
    quiet: QuietOpt = False,
) -> None:
    """Generate coded reviews from the wording banks: texts, PDFs, coding sheet, sentence record."""
    from pipeline.codebook import load_codebook
    from pipeline.corpus.build import build_corpus

    with _errors():
        codebook = load_codebook(codebook_path or _default("corpus/codebook.csv"))
        kind_list = [k.strip() for k in kinds.split(",") if k.strip()] if kinds else None
        with _ticker(quiet, "reviews") as tick:
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
        with _ticker(quiet, "PDFs") as tick:
            count = render_folder(text_dir, out_dir, progress=tick)
        if not quiet:
            out.print(f"{count} PDF(s) written to {out_dir}", highlight=False)


@corpus_app.command("stats")
def corpus_stats(
    corpus_dir: Annotated[Path, typer.Argument(help="A built corpus folder (texts/, codes.csv, sentences.csv.gz).")],
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Also write the figures to this JSON file.")] = None,
    banks_dir: BanksOpt = None,
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
