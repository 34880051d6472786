"""The `train` and `evaluate` workflows: coding sheets + PDFs -> a versioned model folder / a report.

Consumes one or more coding sheets, the PDF folder they refer to, and the config. `train_from_codes`
produces a model folder (weights, vocabulary, card.json) and returns its card; `evaluate_model`
produces per-theme precision, recall, F1, support and prevalence error for a model and for the
keyword baseline on the same coded reviews. Raises `CodesError` for bad sheets, `InputError` for an
unusable PDF folder or output folder, `ModelError` for an unusable model.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.batch import Progress, extract_sentences
from pipeline.classify import ThemeModelLike, cues_sha256, load_theme_model
from pipeline.codebook import load_codebook, load_cues
from pipeline.codes import CodedReview, check_files_exist, read_codes
from pipeline.config import Config
from pipeline.errors import CodesError, InputError
from pipeline.features import scored
from pipeline.keywords import KeywordModel
from pipeline.model import ThemeModel, load_model, read_card
from pipeline.records import ExtractFailure, Sentence
from pipeline.train import SentenceRecord, TrainDoc, TrainSettings, binary_metrics, feature_settings, train_model
from pipeline.versions import library_versions

Log = Callable[[str], None]


def merge_sheets(sheets: Sequence[Sequence[CodedReview]]) -> list[CodedReview]:
    """Combine several sheets; the same file coded again in a later sheet replaces the earlier codes
    theme by theme (the newest code wins)."""
    merged: dict[str, CodedReview] = {}
    for sheet in sheets:
        for r in sheet:
            if r.file in merged:
                old = merged[r.file]
                merged[r.file] = CodedReview(r.file, {**old.codes, **r.codes}, r.row, r.source, r.coder, r.picked_by, {**old.meta, **r.meta})
            else:
                merged[r.file] = r
    return [merged[k] for k in sorted(merged)]


def read_sentence_record(path: Path) -> SentenceRecord:
    """A sentence record CSV (`file`, `theme`, `label`, `text`; other columns ignored)."""
    record: dict[str, list[tuple[str, str, int]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"file", "theme", "label", "text"}
        if not need.issubset(reader.fieldnames or []):
            raise CodesError(str(path), f"a sentence record needs columns {', '.join(sorted(need))}", 1)
        for rowno, row in enumerate(reader, start=2):
            if row["label"] not in ("0", "1"):
                raise CodesError(str(path), f"'{row['label']}' is not 0 or 1", rowno, "label")
            record.setdefault(row["file"], []).append((row["text"], row["theme"], int(row["label"])))
    return record


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _coded_sentences(
    coded: Sequence[CodedReview], pdf_dir: Path, cfg: Config, jobs: int, progress: Progress | None, log: Log
) -> tuple[list[tuple[CodedReview, list[Sentence]]], list[dict[str, str]]]:
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
        pairs.append((r, sentences))
    return pairs, failed


def train_from_codes(
    code_files: Sequence[Path],
    pdf_dir: Path,
    out: Path,
    cfg: Config,
    jobs: int = 1,
    sentence_record: Path | None = None,
    base_model: Path | None = None,
    settings: TrainSettings = TrainSettings(),
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> dict[str, Any]:
    """Train a model from coding sheets and write it to `out` (which must not exist yet)."""
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out}: already exists; models are versioned, choose a new folder name")
    codebook = load_codebook(cfg.codebook)
    cues = load_cues(cfg.cues, codebook)
    sheets = [read_codes(p, codebook) for p in code_files]
    coded = merge_sheets(sheets)
    pairs, failed = _coded_sentences(coded, pdf_dir, cfg, jobs, progress, log)
    if len(pairs) < 2:
        raise InputError("fewer than two coded reviews could be read; nothing to train on")
    docs = [TrainDoc(r.file, tuple(scored(s)), r.codes) for r, s in pairs]
    record = read_sentence_record(sentence_record) if sentence_record else None
    base = None
    if base_model is not None:
        base = load_model(base_model, codebook.sha256, cues_sha256(cues), cfg.nlp.pipeline)
    model, evaluation = train_model(docs, codebook.ids, settings, record, base, log)
    records_blob = json.dumps([[d.file, sorted(d.codes.items())] for d in docs], sort_keys=True).encode()
    model.card = {
        "name": out.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "description": "Sentence-level theme model for child safeguarding case reviews (review-themes).",
        "themes": list(codebook.ids),
        "labels": {t.id: t.label for t in codebook.themes},
        "codebook_sha256": codebook.sha256,
        "cues_sha256": cues_sha256(cues),
        "features": feature_settings(settings, cfg.nlp.pipeline),
        "training_data": {
            "coding_sheets": {str(p): _file_sha(p) for p in code_files},
            "sentence_record": {str(sentence_record): _file_sha(sentence_record)} if sentence_record else None,
            "sentence_labels": "sentence record" if record else "multiple-instance learning from review codes",
            "base_model": str(base_model) if base_model else None,
            "records_sha256": hashlib.sha256(records_blob).hexdigest(),
            "reviews": len(docs),
            "sentences": sum(len(d.sentences) for d in docs),
            "skipped": failed,
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


def evaluate_model(
    code_files: Sequence[Path],
    pdf_dir: Path,
    cfg: Config,
    model_dir: Path | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> tuple[list[EvalRow], dict[str, Any]]:
    """Per-theme metrics of the model and the keyword baseline on coded reviews."""
    codebook = load_codebook(cfg.codebook)
    model: ThemeModelLike = load_theme_model(cfg, codebook, model_dir)
    baseline = KeywordModel(codebook)
    coded = merge_sheets([read_codes(p, codebook, require_all_themes=False) for p in code_files])
    pairs, failed = _coded_sentences(coded, pdf_dir, cfg, jobs, progress, log)
    preds = [(r, model.predict(r.file, s), baseline.predict(r.file, s)) for r, s in pairs]
    rows = []
    for theme in codebook.ids:
        coded_here = [(r, p, b) for r, p, b in preds if theme in r.codes]
        if not coded_here:
            continue
        truth = np.array([r.codes[theme] for r, _, _ in coded_here])
        rows.append(
            EvalRow(
                theme,
                binary_metrics(np.array([p.flags[theme] for _, p, _ in coded_here]), truth),
                binary_metrics(np.array([b.flags[theme] for _, _, b in coded_here]), truth),
            )
        )
    summary = {
        "model_id": model.model_id,
        "reviews": len(pairs),
        "skipped": failed,
        "macro_f1": round(float(np.mean([r.model["f1"] for r in rows])), 4) if rows else None,
        "baseline_macro_f1": round(float(np.mean([r.baseline["f1"] for r in rows])), 4) if rows else None,
        "coding_sheets": [str(p) for p in code_files],
        "versions": library_versions(),
    }
    return rows, summary


def model_summary(folder: Path) -> dict[str, Any]:
    """The headline facts of a model folder's card (for `models list`)."""
    card = read_card(folder)
    ev = card.get("evaluation") or {}
    return {
        "folder": str(folder),
        "model_id": card.get("model_id"),
        "created": card.get("created"),
        "reviews": (card.get("training_data") or {}).get("reviews"),
        "cv_macro_f1": ev.get("macro_f1"),
        "themes": len(card.get("themes", [])),
        "unreliable": [t for t, m in (ev.get("per_theme") or {}).items() if not m.get("reliable", True)],
    }


def is_theme_model(model: object) -> bool:
    return isinstance(model, ThemeModel)
