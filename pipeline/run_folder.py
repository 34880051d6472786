"""A finished run's output folder read back: reviews, scores, flags, evidence and the model used.

Consumes a folder written by `review-themes run` (reviews.csv, flags.csv, scores.csv, evidence.csv,
run.json) and the codebook in use. Produces a `RunFolder` holding, per review that was processed,
its file (relative to the run's PDF folder), scores, flags and top evidence sentence per theme, plus
the thresholds the model flagged with. Raises `InputError` when the folder is not a run folder or
was made with another codebook.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import InputError, ModelError
from pipeline.keywords import KeywordModel
from pipeline.model import read_card
from pipeline.records import Codebook

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class RunFolder:
    """What a run wrote, keyed by review_id.

    `thresholds_source` says where the thresholds came from ("run.json", "model card <folder>", or why
    0.5 was used); `card` is the model card when its folder could be found (None for the keyword
    baseline or a model folder that has moved).
    """

    folder: Path
    run: dict[str, Any]
    files: dict[str, str]  # review_id -> file relative to the PDF folder (reviews processed ok)
    scores: dict[str, dict[str, float]]
    flags: dict[str, dict[str, int]]
    evidence: dict[str, dict[str, tuple[int, str]]]  # review_id -> theme -> (page, top sentence)
    thresholds: dict[str, float]
    thresholds_source: str
    card: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    sha256: dict[str, str] = field(default_factory=dict)  # review_id -> the PDF's sha256

    @property
    def model_id(self) -> str:
        return str(self.run.get("model_id", "unknown"))

    @property
    def pdf_dir(self) -> Path | None:
        value = self.run.get("pdf_dir")
        return Path(value) if value else None


def _csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(f"{path.parent}: not a run folder (no {path.name}); run `review-themes run PDF_DIR --out {path.parent}` first")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _model_card(run: dict[str, Any], cfg: Config | None) -> tuple[dict[str, Any] | None, str]:
    """The card of the run's model: the folder recorded in run.json, else the configured model when
    its id matches the run's. Returns (card or None, where it came from or why not)."""
    model = run.get("model") or {}
    model_id = run.get("model_id") or model.get("id")
    candidates = [Path(model["folder"])] if model.get("folder") else []
    if cfg is not None:
        candidates.append(cfg.model)
    for folder in candidates:
        try:
            card = read_card(folder)
        except ModelError:
            continue
        if card.get("model_id") == model_id:
            return card, f"model card {folder}"
    return None, f"no model folder with id {model_id} was found"


def _thresholds(run: dict[str, Any], card: dict[str, Any] | None, themes: tuple[str, ...], notes: list[str]) -> tuple[dict[str, float], str]:
    recorded = (run.get("model") or {}).get("thresholds")
    if isinstance(recorded, dict) and recorded:
        source, values = "run.json", recorded
    elif card is not None and isinstance(card.get("thresholds"), dict):
        source, values = "model card", card["thresholds"]
    elif run.get("model_id") == KeywordModel.model_id:
        notes.append(f"the run used the keyword baseline, which has no thresholds: {DEFAULT_THRESHOLD} is used")
        return {t: DEFAULT_THRESHOLD for t in themes}, f"default {DEFAULT_THRESHOLD} (keyword baseline)"
    else:
        notes.append(f"run.json records no thresholds and the model's card was not found: {DEFAULT_THRESHOLD} is used")
        return {t: DEFAULT_THRESHOLD for t in themes}, f"default {DEFAULT_THRESHOLD}"
    missing = [t for t in themes if t not in values]
    if missing:
        notes.append(f"no threshold for {', '.join(missing)}: {DEFAULT_THRESHOLD} is used")
    return {t: float(values.get(t, DEFAULT_THRESHOLD)) for t in themes}, source


def read_run_folder(folder: Path, codebook: Codebook, cfg: Config | None = None) -> RunFolder:
    """Read a run's outputs; `cfg` (optional) lets an older run.json find its model via config `model`."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    run_path = folder / "run.json"
    if not run_path.is_file():
        raise InputError(f"{folder}: not a run folder (no run.json); run `review-themes run PDF_DIR --out {folder}` first")
    try:
        run = json.loads(run_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{run_path}: not readable JSON ({exc})") from None
    if run.get("codebook_sha256") not in (None, codebook.sha256):
        raise InputError(
            f"{folder}: this run used a different codebook from the one configured; run it again with the current codebook"
        )
    ok = [r for r in _csv(folder / "reviews.csv") if r.get("status") == "ok"]
    files = {r["review_id"]: r["file"] for r in ok}
    shas = {r["review_id"]: r.get("sha256", "") for r in ok}
    themes = codebook.ids
    scores: dict[str, dict[str, float]] = {}
    for row in _csv(folder / "scores.csv"):
        scores[row["review_id"]] = {t: float(row[t]) for t in themes if row.get(t, "") != ""}
    flags: dict[str, dict[str, int]] = {}
    for row in _csv(folder / "flags.csv"):
        flags[row["review_id"]] = {t: int(row[t]) for t in themes if row.get(t, "") != ""}
    evidence: dict[str, dict[str, tuple[int, str]]] = {}
    best: dict[tuple[str, str], float] = {}
    for row in _csv(folder / "evidence.csv"):
        key = (row["review_id"], row["theme"])
        score = float(row.get("score") or 0)
        if key not in best or score > best[key]:
            best[key] = score
            page = int(row["page"]) if row.get("page", "").isdigit() else 0
            evidence.setdefault(row["review_id"], {})[row["theme"]] = (page, row["text"])
    notes: list[str] = []
    card, card_note = _model_card(run, cfg)
    if card is None and run.get("model_id") != KeywordModel.model_id:
        notes.append(card_note)
    thresholds, source = _thresholds(run, card, themes, notes)
    if source == "model card":
        source = card_note
    return RunFolder(folder, run, files, scores, flags, evidence, thresholds, source, card, notes, shas)
