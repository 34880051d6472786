"""The model folders on disk: which models exist, how good each is, which one config.yaml uses.

Consumes a folder holding model folders (each with a card.json) and the configured model folder.
Produces one `ModelInfo` per model folder, oldest first. Folders without a card are not models and
are left out; a folder whose card cannot be read is listed with the reason (`ModelInfo.problem`), so one
broken folder does not hide the others.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError, ModelError
from pipeline.model import CARD, read_card
from pipeline.records import ModelInfo


def model_info(folder: Path, configured: Path | None = None) -> ModelInfo:
    """The headline facts of one model folder's card."""
    card = read_card(folder)
    ev = card.get("evaluation") or {}
    per_theme = ev.get("per_theme") or {}
    in_use = configured is not None and folder.resolve() == configured.resolve()
    calibrated_from = str((card.get("derived_from") or {}).get("model_id") or "")
    return ModelInfo(
        folder=str(folder),
        model_id=str(card.get("model_id", folder.name)),
        created=str(card.get("created", "")),
        reviews=(card.get("training_data") or {}).get("reviews"),
        # a calibrated model's figures are in-sample on its calibration reviews: no cross-validation
        cv_macro_f1=None if calibrated_from else ev.get("macro_f1"),
        unreliable=tuple(t for t, m in per_theme.items() if not m.get("reliable", True)),
        themes=len(card.get("themes") or per_theme),
        in_use=in_use,
        calibrated_from=calibrated_from,
    )


def list_models(models_dir: Path, configured: Path | None = None) -> list[ModelInfo]:
    """Every model folder directly inside `models_dir`, oldest first (then by name)."""
    if not models_dir.is_dir():
        raise InputError(f"{models_dir}: not a folder")
    infos = []
    for d in sorted(models_dir.iterdir()):
        if d.is_dir() and (d / CARD).is_file():
            try:
                infos.append(model_info(d, configured))
            except ModelError as exc:
                infos.append(ModelInfo(str(d), d.name, "", None, None, (), problem=str(exc)))
    return sorted(infos, key=lambda m: (m.created, m.folder))
