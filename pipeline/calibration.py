"""The `calibrate` workflow: re-choose a model's thresholds on coded reviews of the analyst's own.

Consumes a trained model folder, one or more coding sheets and the PDF folder they refer to. Produces
a new model folder with the same weights, vocabulary and assertion model (so every sentence scores
exactly as before) and new per-theme thresholds, chosen on the coded reviews' review scores where
they hold at least `min_per_class` coded positives and negatives (elsewhere the base model's
threshold stays); its card names the base model, the sheets, and the figures before and after.

Why: reviews worded unlike the training text can be ranked as well as the training text and yet
score lower across the board; on the project's generated evaluation split, worded from a bank the
model never saw, per-theme AUC was 0.97 but recall 0.60 at thresholds chosen on text written in
full, and thresholds re-chosen on 60-80 coded reviews of that split gave the rest 0.83 macro-F1
instead of 0.71 (README, Quality). Only audit-coded reviews count, and reviews the base model was
trained or calibrated on are left out (`training.audit_set`). Raises `ModelError` for a missing or
keyword-only model, `InputError` for an unusable output folder or no usable coded reviews,
`CodesError` for a bad sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.batch import Progress
from pipeline.classify import load_theme_model
from pipeline.codebook import load_codebook
from pipeline.config import Config
from pipeline.errors import InputError, ModelError
from pipeline.model import ThemeModel
from pipeline.train import MIN_CALIBRATION, best_threshold, binary_metrics
from pipeline.training import Log, file_sha256, audit_set, library_versions, trained_sha256

IN_SAMPLE = ("measured on the coded reviews that chose the thresholds, so optimistic: "
             "`review-themes evaluate` on other coded reviews is the honest figure")


def choose_thresholds(
    thresholds: Mapping[str, float],
    scores: Mapping[str, np.ndarray],
    truth: Mapping[str, np.ndarray],
    min_per_class: int = MIN_CALIBRATION,
) -> dict[str, dict[str, Any]]:
    """Per theme of `thresholds` (the base model's): the new threshold and the figures behind it.

    `scores[theme]` and `truth[theme]` are the review scores and 0/1 codes of the reviews coded for
    the theme (a theme nobody coded may be missing). A theme with at least `min_per_class` coded
    positives and negatives gets the threshold maximising F1 on them (`train.best_threshold`); the
    others keep theirs and carry a warning. Each entry holds `threshold`, `threshold_before`,
    `rechosen`, the coded counts, the metrics at the new threshold (top level, as a card's
    evaluation lists them) and at the old one (`before`)."""
    out: dict[str, dict[str, Any]] = {}
    for theme, old in thresholds.items():
        s = np.asarray(scores.get(theme, ()), dtype=float)
        y = np.asarray(truth.get(theme, ()), dtype=int)
        pos, neg = int(y.sum()), int(len(y) - y.sum())
        rechosen = pos >= min_per_class and neg >= min_per_class
        new = round(best_threshold(s, y), 6) if rechosen else float(old)
        entry: dict[str, Any] = {"threshold": new, "threshold_before": float(old), "rechosen": rechosen,
                                 "coded_positive": pos, "coded_negative": neg}
        if len(y):
            entry.update(binary_metrics((s >= new).astype(int), y))
            entry["before"] = binary_metrics((s >= old).astype(int), y)
        if not rechosen:
            entry["warning"] = (f"only {pos} coded positive and {neg} coded negative reviews (need {min_per_class} "
                                "of each): the base model's threshold is kept")
        out[theme] = entry
    return out


def calibrate_model(
    code_files: Sequence[Path],
    pdf_dir: Path,
    out: Path,
    cfg: Config,
    model_dir: Path | None = None,
    jobs: int = 1,
    min_per_class: int = MIN_CALIBRATION,
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> dict[str, Any]:
    """Write the model of `model_dir` (default: the config's) with thresholds re-chosen on the
    audit-coded reviews of `code_files` to `out` (which must not exist yet); returns its card."""
    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out}: already exists; models are versioned, choose a new folder name")
    if min_per_class < 1:
        raise InputError(f"the minimum of coded reviews per class must be at least 1, not {min_per_class}")
    codebook = load_codebook(cfg.codebook)
    base = load_theme_model(cfg, codebook, model_dir)
    if not isinstance(base, ThemeModel):
        raise ModelError("the keyword baseline has no thresholds to calibrate: name a trained model folder (--model)")
    audit = audit_set(code_files, pdf_dir, cfg, codebook, trained_sha256(base), jobs, progress, log)
    if not audit.texts:
        raise InputError(f"no audit-coded reviews to calibrate on ({audit.describe()})")
    predictions = [base.predict(t.review.file, t.sentences) for t in audit.texts]
    scores: dict[str, np.ndarray] = {}
    truth: dict[str, np.ndarray] = {}
    for theme in base.themes:
        idx = [i for i, t in enumerate(audit.texts) if theme in t.review.codes]
        scores[theme] = np.array([predictions[i].scores[theme] for i in idx])
        truth[theme] = np.array([audit.texts[i].review.codes[theme] for i in idx], dtype=int)
    per_theme = choose_thresholds(base.thresholds, scores, truth, min_per_class)
    base_per_theme = (base.card.get("evaluation") or {}).get("per_theme") or {}
    for theme, entry in per_theme.items():
        entry["reliable"] = bool(entry["rechosen"]) and bool((base_per_theme.get(theme) or {}).get("reliable", True))
    model = ThemeModel(
        themes=list(base.themes), features=base.features, idf=base.idf, coef=base.coef, intercept=base.intercept,
        thresholds={t: e["threshold"] for t, e in per_theme.items()}, evidence_per_theme=base.evidence_per_theme,
        top_k=base.top_k, assertion=base.assertion, norm_floor=base.norm_floor, context=base.context,
    )
    model.card = _card(base, out, code_files, audit, per_theme, min_per_class)
    model.save(out)
    return model.card


def _macro(per_theme: Mapping[str, Mapping[str, Any]], before: bool) -> float | None:
    f1s = [float((e["before"] if before else e)["f1"]) for e in per_theme.values() if e.get("coded_positive")]
    return round(float(np.mean(f1s)), 4) if f1s else None


def _card(base: ThemeModel, out: Path, code_files: Sequence[Path], audit: Any,
          per_theme: dict[str, dict[str, Any]], min_per_class: int) -> dict[str, Any]:
    """The calibrated model's card: the base card's description of the weights (codebook, features,
    training data) kept; its figures, measured at the old thresholds, replaced by the calibration's."""
    n = len(audit.texts)
    card = {k: v for k, v in base.card.items() if k not in ("model_id", "files", "thresholds", "held_out_evaluation")}
    base_eval = base.card.get("evaluation") or {}
    card.update({
        "name": out.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "derived_from": {
            "model_id": base.model_id,
            "change": "thresholds re-chosen on coded reviews (`review-themes calibrate`); weights, vocabulary "
                      "and assertion model unchanged",
            "evaluation_macro_f1": base_eval.get("macro_f1"),
            "evaluation_method": base_eval.get("method"),
        },
        "calibration": {
            "coding_sheets": {str(p): file_sha256(p) for p in code_files},
            "basis": audit.describe(),
            "reviews": n,
            "min_per_class": min_per_class,
            "review_sha256": sorted({t.sha256 for t in audit.texts}),
            "themes_rechosen": sorted(t for t, e in per_theme.items() if e["rechosen"]),
        },
        "evaluation": {
            "method": f"thresholds chosen per theme to maximise F1 on the review scores of {n} coded reviews "
                      f"(themes with at least {min_per_class} coded positive and negative reviews; the others keep "
                      "the base model's threshold)",
            "caveat": IN_SAMPLE,
            "error_rates_from": f"the {n} coded reviews the thresholds were chosen on (in-sample: optimistic; "
                                "`evaluate --into-card` on other coded reviews replaces them)",
            "macro_f1_before": _macro(per_theme, before=True),
            "macro_f1": _macro(per_theme, before=False),
            "per_theme": per_theme,
        },
        "versions": library_versions(),
    })
    return card
