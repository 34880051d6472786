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
from pipeline.features import scored
from pipeline.model import ThemeModel, review_scores
from pipeline.runfolder import error_rates_section
from pipeline.train import MIN_CALIBRATION, MIN_PER_CLASS, best_threshold, binary_metrics
from pipeline.training import Log, audit_set, file_sha256, trained_sha256
from pipeline.versions import library_versions

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
    positives and negatives gets the threshold maximising F1 on them (`train.best_threshold`),
    unless that threshold would flag every coded review (scores that do not separate the theme: no
    cut, only "flag everything"); the others keep theirs and say why (`kept_because`). Each entry
    holds `threshold`, `threshold_before`, `rechosen`, `calibration_positive` and
    `calibration_negative`, and the metrics on these reviews at the new threshold (`calibration`)
    and at the old one (`calibration_before`)."""
    out: dict[str, dict[str, Any]] = {}
    for theme, old in thresholds.items():
        s = np.asarray(scores.get(theme, ()), dtype=float)
        y = np.asarray(truth.get(theme, ()), dtype=int)
        pos, neg = int(y.sum()), int(len(y) - y.sum())
        entry: dict[str, Any] = {"threshold_before": float(old), "calibration_positive": pos, "calibration_negative": neg}
        new, why = float(old), ""
        if pos < min_per_class or neg < min_per_class:
            why = f"only {pos} coded positive and {neg} coded negative reviews (need {min_per_class} of each)"
        else:
            candidate = round(best_threshold(s, y), 6)
            if candidate <= float(s.min()):
                why = "the coded reviews' scores do not separate the theme (the best cut flags every review)"
            else:
                new = candidate
        entry.update({"threshold": new, "rechosen": not why})
        if why:
            entry["kept_because"] = why
        if len(y):
            entry["calibration"] = binary_metrics((s >= new).astype(int), y)
            entry["calibration_before"] = binary_metrics((s >= old).astype(int), y)
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
    audit-coded reviews of `code_files` to `out` (which must not exist yet); returns its card.
    `InputError` when no theme has enough coded reviews to re-choose its threshold."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out}: already exists; models are versioned, choose a new folder name")
    if min_per_class < 1:
        raise InputError(f"the minimum of coded reviews per class must be at least 1, not {min_per_class}")
    codebook = load_codebook(cfg.codebook)
    base = load_theme_model(cfg, codebook, model_dir)
    if not isinstance(base, ThemeModel):
        raise ModelError("the keyword baseline has no thresholds to calibrate: name a trained model folder (--model)")
    audit = audit_set(code_files, pdf_dir, cfg, codebook, trained_sha256(base), jobs, progress, log)
    if not audit.texts:
        raise InputError(f"no audit-coded reviews to calibrate on ({audit.describe()}); code a random sample of your "
                         "reviews: `review-themes code-sheet RUN_DIR --pick random`")
    # the unrounded review scores `predict` compares with the thresholds
    review = np.array([review_scores(base.sentence_probabilities(scored(t.sentences)), base.top_k) for t in audit.texts])
    scores: dict[str, np.ndarray] = {}
    truth: dict[str, np.ndarray] = {}
    for j, theme in enumerate(base.themes):
        idx = [i for i, t in enumerate(audit.texts) if theme in t.review.codes]
        scores[theme] = review[idx, j]
        truth[theme] = np.array([audit.texts[i].review.codes[theme] for i in idx], dtype=int)
    chosen = choose_thresholds(base.thresholds, scores, truth, min_per_class)
    if not any(e["rechosen"] for e in chosen.values()):
        raise InputError(f"no theme's threshold could be re-chosen on {len(audit.texts)} coded review(s) (each needs at "
                         f"least {min_per_class} coded positive and negative reviews whose scores separate it): code "
                         "more reviews, or lower --min-per-class")
    model = ThemeModel(
        themes=list(base.themes), features=base.features, idf=base.idf, coef=base.coef, intercept=base.intercept,
        thresholds={t: e["threshold"] for t, e in chosen.items()}, evidence_per_theme=base.evidence_per_theme,
        top_k=base.top_k, assertion=base.assertion, norm_floor=base.norm_floor, context=base.context,
    )
    model.card = _card(base, out, code_files, audit, chosen, min_per_class)
    model.save(out)
    return model.card


# keys a calibration writes into a per-theme entry: never carried over from a base card's entry
_CALIBRATION_KEYS = frozenset({"calibration", "calibration_before", "calibration_positive", "calibration_negative",
                               "threshold_before", "rechosen", "kept_because", "threshold_chosen_on",
                               "trained_reliable", "trained_warning"})


def _per_theme(base: ThemeModel, chosen: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The calibrated card's per-theme evaluation. A re-chosen theme's error rates are those on the
    calibration reviews at its new threshold (reliable only from `MIN_PER_CLASS` coded positives and
    negatives, and only if its training was enough); a kept theme keeps the base's rates and
    reliability, measured at the same threshold. Every entry keeps the base's training counts
    (`coded_positive`, `coded_negative`: what `code-sheet` weighs uncertainty picks by) and whether
    the training alone makes the theme reliable (`trained_reliable`, `trained_warning`), which a
    chain of calibrations passes on unchanged."""
    base_eval = (base.card.get("evaluation") or {}).get("per_theme") or {}
    base_rates = ((base.card.get("held_out_evaluation") or base.card.get("evaluation") or {}).get("per_theme")) or {}
    out: dict[str, dict[str, Any]] = {}
    for theme, entry in chosen.items():
        trained = base_eval.get(theme) or {}
        counts = {k: trained[k] for k in ("coded_positive", "coded_negative") if k in trained}
        if "trained_reliable" in trained:  # the base was calibrated itself
            trained_reliable, trained_warning = bool(trained["trained_reliable"]), trained.get("trained_warning")
        else:
            trained_reliable = bool(trained.get("reliable", True))
            trained_warning = None if trained_reliable else trained.get("warning")
        training = {"trained_reliable": trained_reliable, **({"trained_warning": trained_warning} if trained_warning else {})}
        if entry["rechosen"]:
            pos, neg = entry["calibration_positive"], entry["calibration_negative"]
            reliable = trained_reliable and pos >= MIN_PER_CLASS and neg >= MIN_PER_CLASS
            item = {**entry["calibration"], **counts, **entry, "reliable": reliable, **training}
            if not reliable:
                item["warning"] = (str(trained_warning or "too few coded reviews in training") if not trained_reliable else
                                   f"threshold chosen on only {pos} positive and {neg} negative coded reviews")
        else:
            rates = {k: v for k, v in (base_rates.get(theme) or {}).items() if k not in _CALIBRATION_KEYS}
            item = {**rates, **counts, **entry, **training}
        out[theme] = item
    return out


def _macro(chosen: Mapping[str, Mapping[str, Any]], key: str) -> float | None:
    f1s = [float(e[key]["f1"]) for e in chosen.values() if e.get("calibration_positive")]
    return round(float(np.mean(f1s)), 4) if f1s else None


def _card(base: ThemeModel, out: Path, code_files: Sequence[Path], audit: Any,
          chosen: dict[str, dict[str, Any]], min_per_class: int) -> dict[str, Any]:
    """The calibrated model's card: the base card's description of the weights (codebook, features,
    training data) kept; its figures replaced where the thresholds moved. The reviews of every
    calibration in a chain stay listed, so none of them ever measures the model."""
    n = len(audit.texts)
    rechosen = sorted(t for t, e in chosen.items() if e["rechosen"])
    base_source, _ = error_rates_section(base.card)
    earlier = base.card.get("calibration") or {}
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
            **({"derived_from": base.card["derived_from"]} if base.card.get("derived_from") else {}),
        },
        "calibration": {
            "coding_sheets": {str(p): file_sha256(p) for p in code_files},
            "basis": audit.describe(),
            "reviews": n,
            "min_per_class": min_per_class,
            "themes_rechosen": rechosen,
            "macro_f1_before": _macro(chosen, "calibration_before"),
            "macro_f1": _macro(chosen, "calibration"),
            "caveat": IN_SAMPLE,
            # this calibration's reviews and every earlier one's (`card_reviews_sha256` reads them)
            "review_sha256": sorted({t.sha256 for t in audit.texts} | set(earlier.get("review_sha256") or [])),
            **({"earlier": [{k: v for k, v in earlier.items() if k not in ("review_sha256", "earlier")},
                            *(earlier.get("earlier") or [])]} if earlier else {}),
        },
        "evaluation": {
            "method": f"thresholds of {', '.join(rechosen)} chosen to maximise F1 on the review scores of {n} coded "
                      f"reviews (themes with at least {min_per_class} coded positive and negative reviews); the "
                      "others keep the base model's threshold and figures",
            "caveat": IN_SAMPLE,
            "error_rates_from": f"re-chosen themes: the {n} coded reviews that chose their thresholds (in-sample: "
                                "optimistic; `evaluate --into-card` on other coded reviews replaces them)"
                                + (f"; the others: as {base.model_id}: {base_source or 'none measured'}"
                                   if len(rechosen) < len(chosen) else ""),
            "per_theme": _per_theme(base, chosen),
        },
        "versions": library_versions(),
    })
    return card
