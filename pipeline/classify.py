"""Choosing and loading the theme model a run uses.

Consumes the config and codebook. Produces an object with `model_id` and
`predict(review_id, sentences) -> ReviewPrediction`. Raises `ModelError` when the configured model
cannot be used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipeline.config import Config
from pipeline.keywords import KeywordModel
from pipeline.records import Codebook, ReviewPrediction, Sentence


class ThemeModel(Protocol):
    model_id: str

    def predict(self, review_id: str, sentences: Sequence[Sentence]) -> ReviewPrediction: ...


def load_theme_model(cfg: Config, codebook: Codebook, model_dir: Path | None = None) -> ThemeModel:
    """The model at `model_dir` (default: config `model`); the keyword flagger until one is trained."""
    return KeywordModel(codebook, evidence_per_theme=cfg.classify.evidence_per_theme)
