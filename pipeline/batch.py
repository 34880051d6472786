"""A folder of review PDFs -> the output files: the module that composes the PDF stages (extract,
split, score) for `run`, `extract`, `train` and `evaluate`.

Consumes a PDF folder, an output folder and a `Config`. `run_batch` writes reviews.csv, flags.csv,
scores.csv, evidence.csv and run.json, hands the folder to `publish.publish_run` for the tables and
report.html, then completes run.json with the hash of every output; `extract_batch` writes
text/<review_id>.md and reviews.csv; both return a `BatchSummary`. `extract_sentences` gives the
training and evaluation workflows the extraction and sentences of the PDFs they need. Raises
`InputError` for bad usage (missing folder, no PDFs), when no PDF could be processed and when the
output files cannot be written, `ModelError` / `ConfigError` from loading and `StoreError` when the
store cannot be used; a bad PDF is never an error here: it becomes a failed row and the batch goes on.

Work is incremental: every review's extraction, sentences and prediction are kept in the store
(`pipeline.store`), keyed by the PDF's sha256 and the fingerprints of the code and settings that
produced them (`pipeline.fingerprints`). A run first brings the store up to date for the files it
was given, one transaction per review, and only then builds every output from the store. So a run
that was killed and started again does only the missing work, and writes the same outputs as an
uninterrupted run.

PDF work runs in supervised worker processes (`pipeline.workers`): a worker that crashes or overruns
the per-file time limit fails that one file, and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from pipeline import export, fingerprints
from pipeline.classify import ThemeModelLike, load_theme_model
from pipeline.codebook import load_codebook, load_cues
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.extract import extract_or_fail, find_pdfs, other_files
from pipeline.markdown import review_markdown
from pipeline.nlp import load_nlp, split_sentences
from pipeline.publish import WORKBOOK, check_fields, publish_run
from pipeline.records import Codebook, ExtractedReview, ExtractFailure, ReviewPrediction, Sentence
from pipeline.store import Store, text_key
from pipeline.versions import library_versions
from pipeline.workers import Outcome, run_tasks

Progress = Callable[[int, int, str], None]
Extracted = ExtractedReview | ExtractFailure

# Reasons that depend on the machine or the moment, not on the file: never cached, retried next run.
TRANSIENT_REASONS = ("timed out", "worker crashed", "worker error", "cannot read file", "file changed")


def hard_time_limit(cfg: Config) -> float:
    """Seconds a worker may spend on one file before it is killed: the configured per-file limit
    (which extraction enforces itself, more gently) plus a margin for splitting and scoring."""
    return round(cfg.extract.timeout_seconds * 1.1 + 1.0, 1)


@dataclass
class BatchSummary:
    """What a run did: counts, failures, duplicates, the work done and where the outputs are."""

    out_dir: Path
    total: int = 0
    ok: int = 0
    failed: list[ExtractFailure] = field(default_factory=list)
    model_id: str = ""
    seconds: float = 0.0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, identical to file)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (file, stored earlier as file)
    work: dict[str, int] = field(default_factory=dict)
    store: Path | None = None
    ignored: list[str] = field(default_factory=list)  # files below the folder not ending in .pdf
    warned: list[tuple[str, str]] = field(default_factory=list)  # (file, warning) of reviews read with a caveat


@dataclass(frozen=True)
class InputFile:
    """A PDF found for this run: where it is, its content hash, and the earlier file it duplicates."""

    path: Path
    rel: str
    review_id: str
    sha256: str
    size: int
    same_as: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ReviewJob:
    """What a worker does for one review: extract it (or split a stored extraction), split, score.

    `reusable` are text keys whose sentences the store already has: when the fresh extraction
    yields one of them, the worker skips splitting and scoring."""

    path: Path
    root: Path
    sha256: str
    stored: ExtractedReview | None = None
    reusable: frozenset[str] = frozenset()
    score: bool = True


@dataclass(frozen=True)
class ReviewWork:
    """A worker's result: what it computed (None for what it did not need to compute)."""

    extracted: Extracted | None
    sentences: list[Sentence] | None
    prediction: ReviewPrediction | None
    seconds: float


@dataclass(frozen=True)
class _Keys:
    extract: fingerprints.Fingerprint
    sentences: fingerprints.Fingerprint
    predict: fingerprints.Fingerprint | None


_worker_state: dict[str, object] = {}


def _model_for(cfg: Config, model_dir: Path | None) -> ThemeModelLike:
    key = f"{cfg.sha256()}:{model_dir}"
    if _worker_state.get("key") != key:
        codebook = load_codebook(cfg.codebook)
        _worker_state["model"] = load_theme_model(cfg, codebook, model_dir)
        _worker_state["key"] = key
    return _worker_state["model"]  # type: ignore[return-value]


def _cues_for(cfg: Config) -> tuple[tuple[str, tuple[str, ...]], ...]:
    key = f"cues:{cfg.codebook}:{cfg.cues}"
    if key not in _worker_state:
        _worker_state[key] = load_cues(cfg.cues, load_codebook(cfg.codebook))
    return _worker_state[key]  # type: ignore[return-value]


def process_review(job: ReviewJob, cfg: Config, model_dir: Path | None = None) -> ReviewWork:
    """Extract (unless given a stored extraction), split and score one review. Runs in a worker."""
    start = time.perf_counter()
    extracted: Extracted | None = None
    if job.stored is None:
        extracted = extract_or_fail(job.path, job.root, cfg.extract)
        if isinstance(extracted, ExtractFailure):
            return ReviewWork(extracted, None, None, time.perf_counter() - start)
        review = extracted
    else:
        review = job.stored
    seconds = time.perf_counter() - start
    if text_key(review.blocks) in job.reusable:
        return ReviewWork(extracted, None, None, seconds)
    sentences = split_sentences(review, cfg.nlp, _cues_for(cfg))
    prediction = _model_for(cfg, model_dir).predict(review.review_id, sentences) if job.score else None
    return ReviewWork(extracted, sentences, prediction, seconds)


def _review_id(rel: str) -> str:
    return rel[:-4] if rel.lower().endswith(".pdf") else rel


def survey(paths: Sequence[Path], root: Path, store: Store, mark_duplicates: bool = True) -> list[InputFile]:
    """Hash every file (from the store's stat cache when unchanged) and mark duplicates: a file with
    the same content as an earlier one (in path order) is `same_as` that one."""
    files: list[InputFile] = []
    first: dict[str, str] = {}
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            sha = store.file_sha256(path)
            size = path.stat().st_size
        except OSError as exc:
            files.append(InputFile(path, rel, _review_id(rel), "", 0, error=f"cannot read file: {exc.strerror or exc}"))
            continue
        same_as = first.get(sha) if mark_duplicates else None
        first.setdefault(sha, rel)
        files.append(InputFile(path, rel, _review_id(rel), sha, size, same_as))
    return files


def _is_transient(result: Extracted) -> bool:
    return isinstance(result, ExtractFailure) and (not result.sha256 or result.reason.startswith(TRANSIENT_REASONS))


@dataclass(frozen=True)
class _Rescore:
    """A review whose sentences are stored (under `text_key`) but not scored by this model yet."""

    text_key: str


@dataclass
class _Updater:
    """Brings the store up to date for one batch: plans the missing work, records each result."""

    root: Path
    store: Store
    cfg: Config
    keys: _Keys
    model: ThemeModelLike | None
    model_dir: Path | None
    progress: Progress | None
    total: int
    done: int = 0
    transient: dict[str, str] = field(default_factory=dict)
    work: dict[str, int] = field(
        default_factory=lambda: {"reviews": 0, "reused": 0, "extracted": 0, "split": 0, "scored": 0, "failed_now": 0}
    )

    def tick(self, f: InputFile) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, f.rel)

    def _has_prediction(self, f: InputFile, tkey: str) -> bool:
        if self.model is None or self.keys.predict is None:
            return True  # nothing to predict (train / evaluate)
        return self.store.prediction(tkey, self.keys.sentences.key, self.keys.predict.key, f.review_id) is not None

    def plan(self, f: InputFile) -> ReviewJob | _Rescore | None:
        """What `f` needs: a worker job, a re-score (stored sentences, no prediction yet), or None."""
        score = self.model is not None
        stored = self.store.extraction(f.sha256, self.keys.extract.key, f.review_id, f.rel)
        if stored is None:
            reusable = frozenset(self.store.text_keys_with_sentences(f.sha256, self.keys.sentences.key))
            return ReviewJob(f.path, self.root, f.sha256, None, reusable, score)
        if isinstance(stored.result, ExtractFailure):
            return None
        if stored.text_key is None or not self.store.has_sentences(stored.text_key, self.keys.sentences.key):
            return ReviewJob(f.path, self.root, f.sha256, stored.result, frozenset(), score)
        return None if self._has_prediction(f, stored.text_key) else _Rescore(stored.text_key)

    def failed(self, f: InputFile, reason: str) -> None:
        """A failure that is not a result (crash, time-out, unreadable): logged, retried next run."""
        self.transient[f.sha256] = reason
        self.work["failed_now"] += 1
        with self.store.transaction():
            self.store.log_failure(f.sha256, f.rel, self.keys.extract.key, reason)

    def record(self, f: InputFile, outcome: Outcome) -> str | None:
        """Store a worker's result for `f` in one transaction. Returns the text key when the review
        still needs scoring here (its sentences were reused), else None."""
        result: ReviewWork | None = outcome.result
        reason = None
        if outcome.error is not None:
            reason = outcome.error if outcome.error.startswith(TRANSIENT_REASONS) else f"worker error: {outcome.error}"
        elif result is None:
            reason = "worker error: no result"
        elif result.extracted is not None:
            if _is_transient(result.extracted):
                reason = result.extracted.reason  # type: ignore[union-attr]
            elif result.extracted.sha256 != f.sha256:
                reason = "file changed during the run; run again"
        if reason is not None or result is None:
            self.failed(f, reason or "worker error: no result")
            return None
        keys, store = self.keys, self.store
        with store.transaction():  # one transaction per review
            store.note_seen(f.sha256, f.size, str(self.root.resolve()), f.rel)
            if result.extracted is not None:
                self.work["extracted"] += 1
                tkey = store.put_extraction(keys.extract.key, result.extracted, result.seconds)
            else:
                stored = store.extraction(f.sha256, keys.extract.key, f.review_id, f.rel)
                tkey = stored.text_key if stored else None
            if tkey is not None and result.sentences is not None:
                self.work["split"] += 1
                store.put_sentences(tkey, keys.sentences.key, result.sentences)
            if tkey is not None and result.prediction is not None and self.model is not None and keys.predict:
                self.work["scored"] += 1
                store.put_prediction(tkey, keys.sentences.key, keys.predict.key, self.model.model_id, result.prediction)
        if tkey is not None and result.prediction is None and not self._has_prediction(f, tkey):
            return tkey
        return None

    def score(self, f: InputFile, tkey: str) -> None:
        """Score a review's stored sentences in this process: no PDF and no spaCy work."""
        assert self.model is not None and self.keys.predict is not None
        prediction = self.model.predict(f.review_id, stored_sentences(f, tkey, self.store, self.cfg, self.keys))
        with self.store.transaction():
            self.store.put_prediction(tkey, self.keys.sentences.key, self.keys.predict.key, self.model.model_id, prediction)
        self.work["scored"] += 1


def bring_up_to_date(
    files: Sequence[InputFile],
    root: Path,
    store: Store,
    cfg: Config,
    keys: _Keys,
    model: ThemeModelLike | None,
    model_dir: Path | None,
    jobs: int,
    progress: Progress | None = None,
) -> tuple[dict[str, str], dict[str, int]]:
    """Make the store hold, for every distinct readable review in `files`, its extraction, its
    sentences and (with a model) its prediction under the current keys, doing only what is missing:
    PDF and spaCy work in worker processes, scoring of stored sentences here.

    Returns the reasons of transient failures by sha256 (not stored as results) and work counts."""
    up = _Updater(root, store, cfg, keys, model, model_dir, progress, len(files))
    unique: dict[str, InputFile] = {}
    tasks: list[tuple[str, tuple[Any, ...]]] = []
    to_score: list[tuple[InputFile, str]] = []
    for f in files:
        if f.error or f.same_as or f.sha256 in unique:
            up.tick(f)
            continue
        unique[f.sha256] = f
        up.work["reviews"] += 1
        need = up.plan(f)
        if isinstance(need, ReviewJob):
            tasks.append((f.sha256, (need,)))
        elif isinstance(need, _Rescore):
            to_score.append((f, need.text_key))
        else:
            up.work["reused"] += 1
            up.tick(f)

    if tasks:  # build the spaCy pipeline (and keep the model) here: forked workers inherit them
        load_nlp(cfg.nlp.pipeline, _cues_for(cfg))
        if model is not None:
            _worker_state["key"] = f"{cfg.sha256()}:{model_dir}"
            _worker_state["model"] = model
    fn = partial(process_review, cfg=cfg, model_dir=model_dir)
    for outcome in run_tasks(fn, tasks, jobs=jobs, timeout=hard_time_limit(cfg)):
        f = unique[str(outcome.key)]
        tkey = up.record(f, outcome)
        if tkey is not None:
            to_score.append((f, tkey))
        else:
            up.tick(f)
    for f, tkey in to_score:
        up.score(f, tkey)
        up.tick(f)

    with store.transaction():  # where each review was seen, for recognising renamed files next time
        for f in unique.values():
            if f.sha256 not in up.transient:
                store.note_seen(f.sha256, f.size, str(root.resolve()), f.rel)
    return up.transient, up.work


def stored_sentences(f: InputFile, tkey: str, store: Store, cfg: Config, keys: _Keys) -> list[Sentence]:
    """A review's sentences from the store; when the stored ones cannot be read back (written by an
    older version of the record types), they are split again here from the stored extraction."""
    sentences = store.sentences(tkey, keys.sentences.key, f.review_id)
    if sentences is not None:
        return sentences
    stored = store.extraction(f.sha256, keys.extract.key, f.review_id, f.rel)
    if stored is None or not isinstance(stored.result, ExtractedReview):  # pragma: no cover - defensive
        return []
    sentences = split_sentences(stored.result, cfg.nlp, _cues_for(cfg))
    with store.transaction():
        store.put_sentences(tkey, keys.sentences.key, sentences)
    return sentences


def _keys(cfg: Config, codebook: Codebook, model: ThemeModelLike | None) -> _Keys:
    cues = load_cues(cfg.cues, codebook)
    predict = fingerprints.predictions(cfg, model.model_id, codebook.sha256) if model is not None else None
    return _Keys(fingerprints.extraction(cfg), fingerprints.sentences(cfg, cues), predict)


def _open_store(cfg: Config, fresh: bool = False) -> Store:
    return Store.in_folder(cfg.store_dir, fresh=fresh)


def _renamed(files: Sequence[InputFile], store: Store) -> list[tuple[str, str]]:
    """Files whose content the store last saw under another name (not in this run): renamed or
    moved files, recognised by their hash."""
    present = {f.rel for f in files}
    out = []
    for f in files:
        if f.error or f.same_as:
            continue
        seen = store.last_seen(f.sha256)
        if seen and seen[1] != f.rel and seen[1] not in present:
            out.append((f.rel, seen[1]))
    return out


def extract_sentences(
    paths: list[Path],
    root: Path,
    cfg: Config,
    jobs: int = 1,
    progress: Progress | None = None,
    store: Store | None = None,
) -> dict[str, tuple[Extracted, list[Sentence]]]:
    """Extract and split many PDFs (reusing and filling the store); keyed by path relative to `root`."""
    codebook = load_codebook(cfg.codebook)
    keys = _keys(cfg, codebook, None)
    own = store is None
    store = store or _open_store(cfg)
    try:
        store.note_fingerprints([keys.extract, keys.sentences])
        files = survey(paths, root, store, mark_duplicates=False)
        transient, _ = bring_up_to_date(files, root, store, cfg, keys, None, None, jobs, progress)
        out: dict[str, tuple[Extracted, list[Sentence]]] = {}
        for f in files:
            result, tkey = _stored_result(f, store, keys, transient)
            sentences: list[Sentence] = []
            if isinstance(result, ExtractedReview) and tkey is not None:
                sentences = stored_sentences(f, tkey, store, cfg, keys)
            out[f.rel] = (result, sentences)
        return out
    finally:
        if own:
            store.close()


def _find_inputs(pdf_dir: Path) -> list[Path]:
    if not pdf_dir.is_dir():
        raise InputError(f"{pdf_dir}: not a folder")
    pdfs = find_pdfs(pdf_dir)
    if not pdfs:
        raise InputError(f"{pdf_dir}: no .pdf files found (searched sub-folders too)")
    return pdfs


def extract_batch(
    pdf_dir: Path, out_dir: Path, cfg: Config, jobs: int = 1, progress: Progress | None = None
) -> BatchSummary:
    """Extract every PDF below `pdf_dir`: `out_dir`/text/<review_id>.md for each and `out_dir`/reviews.csv.

    Extraction goes through the store like `run`'s, so unchanged PDFs are not read again. A bad PDF
    becomes a failed row. Raises `InputError` when the folder is missing or has no PDFs, and after
    writing reviews.csv when none of the PDFs could be extracted.
    """
    started = time.perf_counter()
    pdfs = _find_inputs(pdf_dir)
    results = extract_sentences(pdfs, pdf_dir, cfg, jobs, progress)
    text_dir = out_dir / "text"
    extracted: list[Extracted] = []
    try:
        for result, _sentences in results.values():
            target = text_dir / f"{result.review_id}.md"
            if isinstance(result, ExtractedReview):
                export.atomic_write_text(target, review_markdown(result))
            elif target.exists():
                target.unlink()  # left from an earlier run, when the file still extracted
            extracted.append(result)
        export.write_reviews(out_dir / "reviews.csv", extracted)
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write the output files ({exc.strerror or exc})") from None
    ok = [e for e in extracted if isinstance(e, ExtractedReview)]
    failures = [e for e in extracted if isinstance(e, ExtractFailure)]
    if not ok:
        raise InputError(
            f"none of the {len(pdfs)} PDF(s) could be extracted; see {out_dir / 'reviews.csv'} for reasons"
        )
    return BatchSummary(out_dir, len(pdfs), len(ok), failures, "", time.perf_counter() - started, warned=_warnings(ok))


def _warnings(reviews: Sequence[ExtractedReview]) -> list[tuple[str, str]]:
    """(file, warning) for every caveat of the reviews read, by file: what the terminal, run.json and
    the report list."""
    return [(r.file, w) for r in sorted(reviews, key=lambda r: r.file) for w in r.warnings]


def _stored_result(f: InputFile, store: Store, keys: _Keys, transient: dict[str, str]) -> tuple[Extracted, str | None]:
    """A file's extraction result from the store and its text key (None for a failure). Each stored
    extraction is decoded once per call: for a long review that is most of a warm run's time."""
    if f.error:
        return ExtractFailure(f.review_id, f.rel, "", f.error), None
    if f.sha256 in transient:
        return ExtractFailure(f.review_id, f.rel, f.sha256, transient[f.sha256]), None
    stored = store.extraction(f.sha256, keys.extract.key, f.review_id, f.rel)
    if stored is None:  # pragma: no cover - bring_up_to_date stores every non-transient result
        return ExtractFailure(f.review_id, f.rel, f.sha256, "worker error: result missing from the store"), None
    return stored.result, stored.text_key


def collect(
    files: Sequence[InputFile], store: Store, keys: _Keys, transient: dict[str, str]
) -> tuple[list[Extracted], list[ReviewPrediction]]:
    """Every file's row (ok, failed or duplicate) and every ok review's prediction, from the store."""
    extracted: list[Extracted] = []
    predictions: list[ReviewPrediction] = []
    for f in files:
        if f.same_as:
            extracted.append(ExtractFailure(f.review_id, f.rel, f.sha256, f"identical to {f.same_as}", status="duplicate"))
            continue
        result, tkey = _stored_result(f, store, keys, transient)
        if isinstance(result, ExtractedReview):
            assert tkey is not None and keys.predict is not None
            prediction = store.prediction(tkey, keys.sentences.key, keys.predict.key, f.review_id)
            if prediction is None:  # pragma: no cover - bring_up_to_date stores every prediction
                result = ExtractFailure(f.review_id, f.rel, f.sha256, "worker error: prediction missing from the store")
            else:
                predictions.append(prediction)
        extracted.append(result)
    return extracted, predictions


def run_batch(
    pdf_dir: Path,
    out_dir: Path,
    cfg: Config,
    jobs: int = 1,
    model_dir: Path | None = None,
    progress: Progress | None = None,
    fresh: bool = False,
    by: Sequence[str] = (),
) -> BatchSummary:
    """Process every PDF below `pdf_dir` and write the output files to `out_dir`. `fresh` empties the
    store first (everything is recomputed); `by` names the prevalence breakdowns to write."""
    started = time.perf_counter()
    by = check_fields(by)
    pdfs = _find_inputs(pdf_dir)
    codebook = load_codebook(cfg.codebook)
    model = load_theme_model(cfg, codebook, model_dir)  # fail fast, before any PDF work
    keys = _keys(cfg, codebook, model)
    with _open_store(cfg, fresh) as store:
        store.note_fingerprints([keys.extract, keys.sentences, keys.predict])  # type: ignore[list-item]
        files = survey(pdfs, pdf_dir, store)
        renamed = _renamed(files, store)
        transient, work = bring_up_to_date(files, pdf_dir, store, cfg, keys, model, model_dir, jobs, progress)
        extracted, predictions = collect(files, store, keys, transient)
        store_stats = store.stats()
    work_seconds = time.perf_counter() - started

    ok_reviews = [e for e in extracted if isinstance(e, ExtractedReview)]
    failures = [e for e in extracted if isinstance(e, ExtractFailure) and e.status == "failed"]
    duplicates = [(f.rel, f.same_as) for f in files if f.same_as is not None]
    ignored = [p.relative_to(pdf_dir).as_posix() for p in other_files(pdf_dir)]
    warned = _warnings(ok_reviews)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        run_json = out_dir / "run.json"
        run_json.unlink(missing_ok=True)  # written last: present only when the set of files is complete
        if not ok_reviews:
            export.write_reviews(out_dir / "reviews.csv", extracted)
            raise InputError(
                f"none of the {len(pdfs)} PDF(s) could be processed; see {out_dir / 'reviews.csv'} for reasons"
            )
        export.write_reviews(out_dir / "reviews.csv", extracted)
        export.write_flags_and_scores(out_dir, codebook, predictions)
        export.write_evidence(out_dir / "evidence.csv", codebook, predictions)
        elapsed = time.perf_counter() - started
        info: dict[str, Any] = {
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
                    "duplicates": len(duplicates),
                    "ignored_files": len(ignored),
                    "warned": len({f for f, _ in warned}),
                    "pages": sum(r.pages for r in ok_reviews),
                },
                "ignored_files": ignored[:200],  # not ending in .pdf: not read (the first 200)
                "failed": [{"file": f.file, "reason": f.reason} for f in sorted(failures, key=lambda f: f.file)],
                "duplicates": [{"file": a, "identical_to": b} for a, b in duplicates],
                "warnings": [{"file": f, "warning": w} for f, w in warned],
                "store": {
                    "path": str(store.path),
                    "work": work,
                    "renamed": [{"file": a, "stored_as": b} for a, b in renamed],
                    "size_bytes": store_stats["bytes"],
                },
                "timings": {
                    "total_seconds": round(elapsed, 3),
                    "work_seconds": round(work_seconds, 3),
                },
        }
        export.write_json(run_json, info)
        # The tables and report read run.json back and add their context to it (issue 6); the
        # hashes of every output are added last: run.json with "outputs" marks a complete run.
        written = publish_run(out_dir, codebook, model, model_dir or cfg.model, by)
        _remove_stale_outputs(out_dir, written)
        info = json.loads(run_json.read_text(encoding="utf-8"))
        info["outputs"] = _output_hashes(out_dir)
        export.write_json(run_json, info)
    except OSError as exc:
        raise InputError(
            f"{out_dir}: cannot write the output files ({exc.strerror or exc}); "
            "the work is kept in the store: free space or choose another --out and run again"
        ) from None
    return BatchSummary(
        out_dir, len(pdfs), len(ok_reviews), failures, model.model_id, elapsed, duplicates, renamed, work, store.path,
        ignored, warned,
    )


# The files a run writes besides run.json (add new outputs here: run.json lists their hashes).
OUTPUT_FILES = (
    "reviews.csv", "flags.csv", "scores.csv", "evidence.csv", "prevalence.csv", "cooccurrence.csv",
    "toxic_trio.csv", "report.html",
)


def _remove_stale_outputs(out_dir: Path, written: Sequence[Path]) -> None:
    """Once a run has written its tables, delete what an earlier run (or `export` of it) left that
    this run did not write: breakdowns, the workbook, the toxic-trio table would otherwise stay beside
    the new files and be listed in the new run.json. Each file a run writes is replaced atomically,
    and a run that fails before this point leaves no run.json. Other files are left alone."""
    keep = {p.name for p in written}
    for path in [out_dir / WORKBOOK, out_dir / "toxic_trio.csv", *out_dir.glob("prevalence_by_*.csv")]:
        if path.name not in keep:
            path.unlink(missing_ok=True)


def _output_hashes(out_dir: Path) -> dict[str, str]:
    """sha256 of each output file, breakdowns included (run.json, completed last, lists the set)."""
    names = [*OUTPUT_FILES, *sorted(p.name for p in out_dir.glob("prevalence_by_*.csv"))]
    return {
        name: hashlib.sha256((out_dir / name).read_bytes()).hexdigest()
        for name in names
        if (out_dir / name).is_file()
    }
