"""A folder of review PDFs -> the output files: the only module that composes the stages.

Consumes a PDF folder, an output folder and a `Config`. Produces, in the output folder, the files of
the output contract (see README) and returns a `BatchSummary`: `run_batch` for the whole job,
`extract_batch` for the clean text alone (text/<review_id>.md and reviews.csv). Raises `InputError` for bad usage
(missing folder, no PDFs) and `ModelError` / `ConfigError` from loading; a bad PDF is never an error
here: it becomes a failed row and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from pipeline import export
from pipeline.classify import ThemeModelLike, load_theme_model
from pipeline.codebook import load_codebook, load_cues
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.extract import extract_or_fail, find_pdfs
from pipeline.markdown import review_markdown
from pipeline.nlp import split_sentences
from pipeline.publish import publish_run
from pipeline.records import ExtractedReview, ExtractFailure, ReviewPrediction, Sentence
from pipeline.versions import library_versions

Progress = Callable[[int, int, str], None]


@dataclass
class BatchSummary:
    """What a run did: counts, failures and where the outputs are."""

    out_dir: Path
    total: int = 0
    ok: int = 0
    failed: list[ExtractFailure] = field(default_factory=list)
    model_id: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class _ReviewResult:
    extracted: ExtractedReview | ExtractFailure
    prediction: ReviewPrediction | None
    seconds: float


_worker_state: dict[str, object] = {}


def _model_for(cfg: Config, model_dir: Path | None) -> ThemeModelLike:
    key = f"{cfg.sha256()}:{model_dir}"
    if _worker_state.get("key") != key:
        codebook = load_codebook(cfg.codebook)
        _worker_state["model"] = load_theme_model(cfg, codebook, model_dir)
        _worker_state["key"] = key
    model = _worker_state["model"]
    assert isinstance(model, object)
    return model  # type: ignore[return-value]


def _cues_for(cfg: Config) -> tuple[tuple[str, tuple[str, ...]], ...]:
    key = f"cues:{cfg.codebook}:{cfg.cues}"
    if key not in _worker_state:
        _worker_state[key] = load_cues(cfg.cues, load_codebook(cfg.codebook))
    return _worker_state[key]  # type: ignore[return-value]


def process_review(path: Path, root: Path, cfg: Config, model_dir: Path | None = None) -> _ReviewResult:
    """Extract, split and score one PDF (runs in a worker process when --jobs > 1)."""
    start = time.perf_counter()
    extracted = extract_or_fail(path, root, cfg.extract)
    prediction = None
    if isinstance(extracted, ExtractedReview):
        sentences = split_sentences(extracted, cfg.nlp, _cues_for(cfg))
        prediction = _model_for(cfg, model_dir).predict(extracted.review_id, sentences)
    return _ReviewResult(extracted, prediction, time.perf_counter() - start)


def _extract_and_split(path: Path, root: Path, cfg: Config) -> tuple[ExtractedReview | ExtractFailure, list[Sentence]]:
    extracted = extract_or_fail(path, root, cfg.extract)
    if isinstance(extracted, ExtractFailure):
        return extracted, []
    return extracted, split_sentences(extracted, cfg.nlp, _cues_for(cfg))


def extract_sentences(
    paths: list[Path], root: Path, cfg: Config, jobs: int = 1, progress: Progress | None = None
) -> dict[str, tuple[ExtractedReview | ExtractFailure, list[Sentence]]]:
    """Extract and split many PDFs (in `jobs` processes); keyed by path relative to `root`."""
    out: dict[str, tuple[ExtractedReview | ExtractFailure, list[Sentence]]] = {}
    if jobs <= 1:
        for i, path in enumerate(paths, start=1):
            out[path.relative_to(root).as_posix()] = _extract_and_split(path, root, cfg)
            if progress:
                progress(i, len(paths), path.name)
        return out
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_extract_and_split, p, root, cfg): p for p in paths}
        for i, fut in enumerate(as_completed(futures), start=1):
            path = futures[fut]
            rel = path.relative_to(root).as_posix()
            try:
                out[rel] = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails one file, not the batch
                out[rel] = (ExtractFailure(rel[:-4], rel, "", f"worker crashed: {type(exc).__name__}"), [])
            if progress:
                progress(i, len(paths), path.name)
    return out

def _crashed(path: Path, root: Path, exc: BaseException) -> _ReviewResult:
    rel = path.relative_to(root).as_posix()
    review_id = rel[:-4] if rel.lower().endswith(".pdf") else rel
    return _ReviewResult(ExtractFailure(review_id, rel, "", f"worker crashed: {type(exc).__name__}"), None, 0.0)


def _map_pdfs(
    work: Callable[[Path], _ReviewResult], pdfs: list[Path], root: Path, jobs: int, progress: Progress | None
) -> list[_ReviewResult]:
    """Run `work` on every PDF, in `jobs` worker processes when more than one; a crash fails one file."""
    results: list[_ReviewResult] = []
    if jobs <= 1:
        for i, path in enumerate(pdfs, start=1):
            results.append(work(path))
            if progress:
                progress(i, len(pdfs), path.name)
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(work, p): p for p in pdfs}
        for i, fut in enumerate(as_completed(futures), start=1):
            path = futures[fut]
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - a crashed worker fails one file, not the batch
                results.append(_crashed(path, root, exc))
            if progress:
                progress(i, len(pdfs), path.name)
    return results


def _find_inputs(pdf_dir: Path) -> list[Path]:
    if not pdf_dir.is_dir():
        raise InputError(f"{pdf_dir}: not a folder")
    pdfs = find_pdfs(pdf_dir)
    if not pdfs:
        raise InputError(f"{pdf_dir}: no .pdf files found (searched sub-folders too)")
    return pdfs


def extract_one(path: Path, root: Path, cfg: Config, text_dir: Path) -> _ReviewResult:
    """Extract one PDF and write its clean text to `text_dir`/<review_id>.md (runs in a worker)."""
    start = time.perf_counter()
    extracted = extract_or_fail(path, root, cfg.extract)
    target = text_dir / f"{extracted.review_id}.md"
    if isinstance(extracted, ExtractedReview):
        export.atomic_write_text(target, review_markdown(extracted))
    elif target.exists():
        target.unlink()  # left from an earlier run, when the file still extracted
    return _ReviewResult(extracted, None, time.perf_counter() - start)


def extract_batch(
    pdf_dir: Path, out_dir: Path, cfg: Config, jobs: int = 1, progress: Progress | None = None
) -> BatchSummary:
    """Extract every PDF below `pdf_dir`: `out_dir`/text/<review_id>.md for each and `out_dir`/reviews.csv.

    A bad PDF becomes a failed row. Raises `InputError` when the folder is missing or has no PDFs,
    and after writing reviews.csv when none of the PDFs could be extracted.
    """
    started = time.perf_counter()
    pdfs = _find_inputs(pdf_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = partial(extract_one, root=pdf_dir, cfg=cfg, text_dir=out_dir / "text")
    extracted = [r.extracted for r in _map_pdfs(work, pdfs, pdf_dir, jobs, progress)]
    export.write_reviews(out_dir / "reviews.csv", extracted)
    ok = [e for e in extracted if isinstance(e, ExtractedReview)]
    failures = [e for e in extracted if isinstance(e, ExtractFailure)]
    if not ok:
        raise InputError(
            f"none of the {len(pdfs)} PDF(s) could be extracted; see {out_dir / 'reviews.csv'} for reasons"
        )
    return BatchSummary(out_dir, len(pdfs), len(ok), failures, "", time.perf_counter() - started)


def run_batch(
    pdf_dir: Path,
    out_dir: Path,
    cfg: Config,
    jobs: int = 1,
    model_dir: Path | None = None,
    progress: Progress | None = None,
    by: tuple[str, ...] = (),
) -> BatchSummary:
    """Process every PDF below `pdf_dir` and write the output files to `out_dir` (`by`: breakdown fields)."""
    started = time.perf_counter()
    pdfs = _find_inputs(pdf_dir)
    codebook = load_codebook(cfg.codebook)
    model = load_theme_model(cfg, codebook, model_dir)  # fail fast, before any PDF work
    results = _map_pdfs(partial(process_review, root=pdf_dir, cfg=cfg, model_dir=model_dir), pdfs, pdf_dir, jobs, progress)

    extracted = [r.extracted for r in results]
    predictions = [r.prediction for r in results if r.prediction is not None]
    ok_reviews = [e for e in extracted if isinstance(e, ExtractedReview)]
    failures = [e for e in extracted if isinstance(e, ExtractFailure)]
    if not ok_reviews:
        export.write_reviews(out_dir / "reviews.csv", extracted)
        raise InputError(
            f"none of the {len(pdfs)} PDF(s) could be processed; see {out_dir / 'reviews.csv'} for reasons"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    export.write_reviews(out_dir / "reviews.csv", extracted)
    export.write_flags_and_scores(out_dir, codebook, predictions)
    export.write_evidence(out_dir / "evidence.csv", codebook, predictions)
    elapsed = time.perf_counter() - started
    export.write_json(
        out_dir / "run.json",
        {
            "tool": "review-themes",
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": library_versions(),
            "config_sha256": cfg.sha256(),
            "codebook_sha256": codebook.sha256,
            "model_id": model.model_id,
            "pdf_dir": str(pdf_dir),
            "jobs": jobs,
            "counts": {
                "files": len(pdfs),
                "ok": len(ok_reviews),
                "failed": len(failures),
                "pages": sum(r.pages for r in ok_reviews),
            },
            "failed": [{"file": f.file, "reason": f.reason} for f in sorted(failures, key=lambda f: f.file)],
            "timings": {
                "total_seconds": round(elapsed, 3),
                "review_seconds": round(sum(r.seconds for r in results), 3),
            },
        },
    )
    publish_run(out_dir, codebook, model, model_dir or cfg.model, by)  # tables + report.html (issue 6)
    return BatchSummary(out_dir, len(pdfs), len(ok_reviews), failures, model.model_id, elapsed)
