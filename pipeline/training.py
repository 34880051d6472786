"""The `train` and `evaluate` workflows: coding sheets + PDFs -> a versioned model folder / a report.

Consumes one or more coding sheets (CSV or .xlsx), the PDF folder they refer to, and the config.
`train_from_codes` merges the sheets (conflicting codes resolved by config `coding.conflict`),
measures inter-coder agreement on reviews two coders coded, and produces a model folder (weights,
vocabulary, card.json recording agreement, conflicts, how reviews were picked and the sha256 of every
PDF trained on); it returns the card. `evaluate_model` produces per-theme precision, recall, F1,
support and prevalence error for a model and for the keyword baseline on the audit-coded reviews only
(`audit_set`: uncertainty picks and reviews the model was trained on are left out and counted).
Raises `CodesError` for bad sheets, `InputError` for an unusable PDF folder or output folder or no
audit reviews, `ModelError` for an unusable model.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.agreement import coder_agreement
from pipeline.batch import Progress, extract_sentences
from pipeline.classify import ThemeModelLike, cues_sha256, load_theme_model
from pipeline.codebook import load_codebook, load_cues
from pipeline.codes import PICKED_RANDOM, PICKED_UNCERTAIN, CodedReview, MergedCodes, check_files_exist, is_audit, merge_codes, read_codes
from pipeline.config import Config
from pipeline.errors import CodesError, InputError
from pipeline.export import open_text
from pipeline.features import scored
from pipeline.keywords import KeywordModel
from pipeline.model import ThemeModel, card_reviews_sha256, load_model, read_card
from pipeline.records import Codebook, ExtractFailure, ReviewPrediction, Sentence
from pipeline.train import SentenceRecord, TrainDoc, TrainSettings, binary_metrics, feature_settings, train_model
from pipeline.versions import library_versions

Log = Callable[[str], None]


def read_sentence_record(path: Path) -> SentenceRecord:
    """A sentence record CSV, plain or gzipped (`.csv.gz`): columns `file`, `theme`, `label`, `text`; an
    optional `template` column names the wording each sentence was written from, for cross-validation
    over wording; other columns ignored."""
    record: dict[str, list[tuple[str, str, int, str]]] = {}
    with open_text(path, "utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        need = {"file", "theme", "label", "text"}
        if not need.issubset(reader.fieldnames or []):
            raise CodesError(str(path), f"a sentence record needs columns {', '.join(sorted(need))}", 1)
        for rowno, row in enumerate(reader, start=2):
            if row["label"] not in ("0", "1"):
                raise CodesError(str(path), f"'{row['label']}' is not 0 or 1", rowno, "label")
            record.setdefault(row["file"], []).append((row["text"], row["theme"], int(row["label"]), row.get("template") or ""))
    return record


def merge_sentence_records(records: Sequence[SentenceRecord]) -> SentenceRecord:
    """One record from several: the rows of a file named in more than one are put together."""
    merged: dict[str, list[tuple]] = {}
    for record in records:
        for file, rows in record.items():
            merged.setdefault(file, []).extend(rows)
    return merged


def _assertion_source(model: ThemeModel, base: ThemeModel | None) -> str | None:
    """Where the model's assertion model came from, for the card."""
    if model.assertion is None:
        return None
    if base is not None and model.assertion is base.assertion:
        return f"base model {base.model_id}"
    return "sentence record"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (a coding sheet or record, as a card records it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class CodedText:
    """A coded review with its scored sentences and the sha256 of its PDF."""

    review: CodedReview
    sentences: list[Sentence]
    sha256: str


def _coded_sentences(
    coded: Sequence[CodedReview], pdf_dir: Path, cfg: Config, jobs: int, progress: Progress | None, log: Log
) -> tuple[list[CodedText], list[dict[str, str]]]:
    if not pdf_dir.is_dir():
        raise InputError(f"{pdf_dir}: not a folder")
    check_files_exist(list(coded), pdf_dir)
    extracted = extract_sentences([pdf_dir / r.file for r in coded], pdf_dir, cfg, jobs, progress)
    pairs, failed = [], []
    for r in coded:
        result, sentences = extracted[r.file]
        if isinstance(result, ExtractFailure):
            failed.append({"file": r.file, "reason": result.reason})
            log(f"warning: {r.file} skipped: {result.reason}")
            continue
        pairs.append(CodedText(r, sentences, result.sha256))
    return pairs, failed


def _describe_conflicts(merged: MergedCodes, log: Log) -> dict[str, Any]:
    """Log and summarise the conflicts met while merging sheets (for the card)."""
    if merged.conflicts:
        dropped = sum(1 for c in merged.conflicts if c.kept is None)
        action = "left uncoded" if merged.policy == "drop" else f"the {merged.policy} code kept"
        log(f"{len(merged.conflicts)} review/theme code(s) differ between sheets ({action}; config coding.conflict: {merged.policy})")
        for c in merged.conflicts[:10]:
            where = "; ".join(f"{Path(src).name} row {row}{' (' + coder + ')' if coder else ''}: {code}" for src, row, coder, code in c.codes)
            log(f"  {c.file} {c.theme}: {where}")
        if len(merged.conflicts) > 10:
            log(f"  ... and {len(merged.conflicts) - 10} more")
    else:
        dropped = 0
    return {
        "policy": merged.policy,
        "count": len(merged.conflicts),
        "dropped": dropped,
        "examples": [
            {"file": c.file, "theme": c.theme, "codes": [list(x) for x in c.codes], "kept": c.kept}
            for c in merged.conflicts[:50]
        ],
    }


def train_from_codes(
    code_files: Sequence[Path],
    pdf_dir: Path,
    out: Path,
    cfg: Config,
    jobs: int = 1,
    sentence_record: Path | Sequence[Path] | None = None,
    base_model: Path | None = None,
    settings: TrainSettings = TrainSettings(),
    progress: Progress | None = None,
    log: Log = lambda _m: None,
    calibrate_codes: Sequence[Path] = (),
) -> dict[str, Any]:
    """Train a model from coding sheets and write it to `out` (which must not exist yet). Several
    sentence records (e.g. the generated corpus's and the written one's) are read as one."""
    records = [sentence_record] if isinstance(sentence_record, Path) else list(sentence_record or [])
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists; models are versioned, choose a new folder name")
    codebook = load_codebook(cfg.codebook)
    cues = load_cues(cfg.cues, codebook)
    sheets = [read_codes(p, codebook) for p in code_files]
    merged = merge_codes(sheets, cfg.coding.conflict)
    conflicts = _describe_conflicts(merged, log)
    agreement = coder_agreement(sheets, codebook.ids)
    coded = [r for r in merged.reviews if r.codes]
    uncoded = len(merged.reviews) - len(coded)
    if uncoded:
        log(f"{uncoded} review(s) on the sheets have no codes yet (all theme cells blank): not used")
    audit_random = sum(1 for r in coded if r.picked_by.strip().lower() == PICKED_RANDOM)
    if audit_random:
        log(
            f"note: {audit_random} review(s) were picked at random for the audit; a model trained on them cannot be "
            "evaluated on them (`evaluate` and `models compare` leave out reviews a model was trained on)"
        )
    pairs, failed = _coded_sentences(coded, pdf_dir, cfg, jobs, progress, log)
    if len(pairs) < 2:
        raise InputError("fewer than two coded reviews could be read; nothing to train on")
    docs = [TrainDoc(p.review.file, tuple(scored(p.sentences)), p.review.codes) for p in pairs]
    record = merge_sentence_records([read_sentence_record(p) for p in records]) if records else None
    base = None
    if base_model is not None:
        base = load_model(base_model, codebook.sha256, cues_sha256(cues), cfg.nlp.pipeline)
    calibrate = None
    if calibrate_codes:
        calibrate = {r.file for p in calibrate_codes for r in read_codes(p, codebook) if r.codes}
        missing = calibrate - {d.file for d in docs}
        if missing:
            raise InputError(f"{len(missing)} review(s) of the calibration sheet(s) are not among the coded reviews "
                             f"trained on (e.g. {sorted(missing)[0]}): pass the sheet as a coding sheet too")
    model, evaluation = train_model(docs, codebook.ids, settings, record, base, log, calibrate)
    records_blob = json.dumps([[d.file, sorted(d.codes.items())] for d in docs], sort_keys=True).encode()
    model.card = {
        "name": out.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "description": "Sentence-level theme model for child safeguarding case reviews (review-themes).",
        "themes": list(codebook.ids),
        "labels": {t.id: t.label for t in codebook.themes},
        "codebook_sha256": codebook.sha256,
        "cues_sha256": cues_sha256(cues),
        "features": feature_settings(settings, cfg.nlp.pipeline, _assertion_source(model, base)),
        "training_data": {
            "coding_sheets": {str(p): file_sha256(p) for p in code_files},
            "sentence_record": {str(p): file_sha256(p) for p in records} if records else None,
            "sentence_labels": "sentence record" if record else "multiple-instance learning from review codes",
            "base_model": str(base_model) if base_model else None,
            "calibration_sheets": {str(p): file_sha256(p) for p in calibrate_codes} or None,
            "records_sha256": hashlib.sha256(records_blob).hexdigest(),
            "reviews": len(docs),
            "sentences": sum(len(d.sentences) for d in docs),
            "skipped": failed,
            "uncoded_rows": uncoded,
            "picked_by": dict(sorted(Counter(p.review.picked_by.strip().lower() or "unrecorded" for p in pairs).items())),
            "review_sha256": sorted({p.sha256 for p in pairs}),
            "conflicts": conflicts,
            "agreement": agreement.as_json(),
            "per_theme": {
                t: {
                    "positive": sum(1 for d in docs if d.codes.get(t) == 1),
                    "negative": sum(1 for d in docs if d.codes.get(t) == 0),
                }
                for t in codebook.ids
            },
        },
        "evaluation": evaluation,
        "versions": library_versions(),
    }
    model.save(out)
    return model.card


@dataclass(frozen=True)
class EvalRow:
    theme: str
    model: dict[str, float | int]
    baseline: dict[str, float | int]


@dataclass(frozen=True)
class AuditSet:
    """The coded reviews a model may honestly be measured on, and what was left out and why.

    Only audit rows count (picked_by random, all or empty: sheets without the column are audit
    sheets); rows picked for uncertainty are a biased sample and are left out (`excluded_picked`
    counts them by picked_by), as are reviews the model(s) were trained on (`excluded_trained`,
    recognised by the PDF's sha256 recorded in the model card) and rows with no codes.
    """

    texts: list[CodedText]
    excluded_picked: dict[str, int]
    excluded_trained: int
    uncoded: int
    skipped: list[dict[str, str]]

    def describe(self) -> str:
        """One line for the console and the record: what the figures rest on."""
        parts = [f"evaluated on {len(self.texts)} audit-coded review(s)"]
        uncertain = self.excluded_picked.get(PICKED_UNCERTAIN, 0)
        parts.append(f"{uncertain} uncertainty-picked review(s) excluded")
        for picked, n in sorted(self.excluded_picked.items()):
            if picked != PICKED_UNCERTAIN:
                parts.append(f"{n} review(s) picked by '{picked}' excluded")
        if self.excluded_trained:
            parts.append(f"{self.excluded_trained} review(s) the model was trained or calibrated on excluded")
        if self.uncoded:
            parts.append(f"{self.uncoded} uncoded row(s) ignored")
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "basis": self.describe(),
            "audit_reviews": len(self.texts),
            "excluded_picked": self.excluded_picked,
            "excluded_trained": self.excluded_trained,
            "uncoded_rows": self.uncoded,
        }


def trained_sha256(model: object) -> set[str]:
    """The sha256 of every PDF a model was trained on or had its thresholds chosen on (`calibrate`), as
    recorded in its card (empty if unknown): none of them can honestly measure it."""
    return card_reviews_sha256(getattr(model, "card", None))


def audit_set(
    code_files: Sequence[Path],
    pdf_dir: Path,
    cfg: Config,
    codebook: Codebook,
    trained: frozenset[str] | set[str] = frozenset(),
    jobs: int = 1,
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> AuditSet:
    """Read the sheets, keep the audit rows, merge them and extract their reviews."""
    sheets = [read_codes(p, codebook, require_all_themes=False) for p in code_files]
    audit_files = {r.file for sheet in sheets for r in sheet if is_audit(r) and r.codes}
    excluded: dict[str, set[str]] = {}
    for sheet in sheets:
        for r in sheet:
            if not is_audit(r) and r.codes and r.file not in audit_files:
                excluded.setdefault(r.picked_by.strip().lower(), set()).add(r.file)
    merged = merge_codes([[r for r in sheet if is_audit(r)] for sheet in sheets], cfg.coding.conflict).reviews
    coded = [r for r in merged if r.codes]
    texts, failed = _coded_sentences(coded, pdf_dir, cfg, jobs, progress, log)
    kept = [t for t in texts if t.sha256 not in trained]
    return AuditSet(
        kept,
        {k: len(v) for k, v in sorted(excluded.items())},
        len(texts) - len(kept),
        len(merged) - len(coded),
        failed,
    )


def theme_metrics(texts: Sequence[CodedText], flags: Sequence[dict[str, int]], theme: str) -> dict[str, float | int] | None:
    """Binary metrics of `flags` (one dict per text) against the codes for one theme; None if nobody coded it."""
    idx = [i for i, t in enumerate(texts) if theme in t.review.codes]
    if not idx:
        return None
    truth = np.array([texts[i].review.codes[theme] for i in idx])
    return binary_metrics(np.array([flags[i][theme] for i in idx]), truth)


def paired_metrics(
    audit: AuditSet, codebook_ids: Sequence[str], first: ThemeModelLike, second: ThemeModelLike
) -> list[tuple[str, dict[str, float | int], dict[str, float | int]]]:
    """(theme, metrics of `first`, metrics of `second`) on the same audit-coded reviews, for every
    theme coded in them, in codebook order."""
    return paired_flag_metrics(audit, codebook_ids, _predictions(audit, first), _predictions(audit, second))


def _predictions(audit: AuditSet, model: ThemeModelLike) -> list[ReviewPrediction]:
    return [model.predict(t.review.file, t.sentences) for t in audit.texts]


def paired_flag_metrics(
    audit: AuditSet, codebook_ids: Sequence[str], first: Sequence[ReviewPrediction], second: Sequence[ReviewPrediction]
) -> list[tuple[str, dict[str, float | int], dict[str, float | int]]]:
    """`paired_metrics` from two models' predictions of `audit.texts`, in order."""
    flags_1 = [p.flags for p in first]
    flags_2 = [p.flags for p in second]
    out = []
    for theme in codebook_ids:
        m1 = theme_metrics(audit.texts, flags_1, theme)
        m2 = theme_metrics(audit.texts, flags_2, theme)
        if m1 is not None and m2 is not None:
            out.append((theme, m1, m2))
    return out


def theme_aucs(audit: AuditSet, codebook_ids: Sequence[str], predictions: Sequence[ReviewPrediction]) -> dict[str, float | None]:
    """Per theme, the area under the ROC curve of a model's review scores (its `predictions` of
    `audit.texts`, in order) against the codes of the audit-coded reviews (None when they hold only
    one class): how well the model ranks these reviews, whatever its thresholds. A high AUC beside a
    low recall says the thresholds, not the model, miss them (`review-themes calibrate`)."""
    from sklearn.metrics import roc_auc_score

    scores = [p.scores for p in predictions]
    out: dict[str, float | None] = {}
    for theme in codebook_ids:
        idx = [i for i, t in enumerate(audit.texts) if theme in t.review.codes]
        truth = [audit.texts[i].review.codes[theme] for i in idx]
        out[theme] = round(float(roc_auc_score(truth, [scores[i][theme] for i in idx])), 4) if len(set(truth)) == 2 else None
    return out


def evaluate_model(
    code_files: Sequence[Path],
    pdf_dir: Path,
    cfg: Config,
    model_dir: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> tuple[list[EvalRow], dict[str, Any]]:
    """Per-theme metrics of the model and the keyword baseline on the audit-coded reviews."""
    codebook = load_codebook(cfg.codebook)
    model: ThemeModelLike = load_theme_model(cfg, codebook, model_dir)
    baseline = KeywordModel(codebook)
    audit = audit_set(code_files, pdf_dir, cfg, codebook, trained_sha256(model), jobs, progress, log)
    if not audit.texts:
        raise InputError(f"no audit-coded reviews to evaluate on ({audit.describe()}); code a random sample: "
                         "`review-themes code-sheet RUN_DIR --pick random`")
    predictions = _predictions(audit, model)  # scored once: flags and AUC
    aucs = theme_aucs(audit, codebook.ids, predictions)
    pairs = paired_flag_metrics(audit, codebook.ids, predictions, _predictions(audit, baseline))
    rows = [EvalRow(theme, {**m, "auc": aucs.get(theme)}, b) for theme, m, b in pairs]
    summary = {
        "model_id": model.model_id,
        "reviews": len(audit.texts),
        **audit.as_json(),
        "skipped": audit.skipped,
        "macro_f1": round(float(np.mean([r.model["f1"] for r in rows])), 4) if rows else None,
        "baseline_macro_f1": round(float(np.mean([r.baseline["f1"] for r in rows])), 4) if rows else None,
        "coding_sheets": {str(p): file_sha256(p) for p in code_files},
        "versions": library_versions(),
    }
    return rows, summary


def record_held_out_evaluation(model_dir: Path, rows: Sequence[EvalRow], summary: dict[str, Any]) -> Path:
    """Write an evaluation on held-out coded reviews into the model's card as `held_out_evaluation`.

    Consumes `evaluate_model`'s rows and summary. The card is not among the hashed model files, so
    the model stays loadable; the adjusted prevalence then uses these error rates (measured on
    reviews the model never saw) instead of the optimistic cross-validation ones. Returns the card
    path; raises `ModelError` when the folder has no card or rows is empty.
    """
    from pipeline.errors import ModelError
    from pipeline.export import atomic_write_text

    if not rows:
        raise ModelError("no coded themes to record: nothing was evaluated")
    card = read_card(model_dir)
    per_theme = {}
    for r in rows:
        m = dict(r.model)
        reliable = int(m["support"]) >= 8 and int(m["negatives"]) >= 8
        trained = ((card.get("evaluation") or {}).get("per_theme") or {}).get(r.theme, {})
        # a theme trained on too few coded reviews stays unreliable; a calibrated model's card says so
        # apart (`trained_reliable`), as its `reliable` also speaks of the calibration sample
        trained_reliable = bool(trained.get("trained_reliable", trained.get("reliable", True)))
        m["reliable"] = reliable and trained_reliable
        if not trained_reliable:
            m["warning"] = str(trained.get("trained_warning") or trained.get("warning") or "too few coded reviews in training")
        if not reliable:
            m["warning"] = f"measured on only {m['support']} positive and {m['negatives']} negative held-out reviews"
        per_theme[r.theme] = m
    paths = [Path(p) for p in summary.get("coding_sheets", [])]
    names = [p.name for p in paths]
    if len(set(names)) < len(names):  # e.g. two folders' codes.csv: say which folders
        names = [f"{p.parent.name}/{p.name}" for p in paths]
    sheets = ", ".join(names)
    card["held_out_evaluation"] = {
        "error_rates_from": f"evaluation on {summary['reviews']} held-out coded reviews ({sheets})",
        "reviews": summary["reviews"],
        "coding_sheets": dict(summary.get("coding_sheets") or {}),
        "macro_f1": summary["macro_f1"],
        "keyword_baseline_macro_f1": summary["baseline_macro_f1"],
        "per_theme": per_theme,
        "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    path = model_dir / "card.json"
    atomic_write_text(path, json.dumps(card, indent=2) + "\n")
    return path
