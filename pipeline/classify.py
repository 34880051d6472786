"""Choosing and loading the theme model a run uses.

Consumes the config and codebook. Produces an object with `model_id` and
`predict(review_id, sentences) -> ReviewPrediction`: the trained model of the config's `model`
folder (or --model). Raises `ModelError` when that model cannot be used; the keyword baseline is
only used when asked for explicitly (`--model keywords`), never as a silent fallback.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipeline.codebook import load_cues
from pipeline.config import Config
from pipeline.keywords import KeywordModel
from pipeline.model import load_model
from pipeline.records import Codebook, ReviewPrediction, Sentence

KEYWORDS = "keywords"


class ThemeModelLike(Protocol):
    model_id: str

    def predict(self, review_id: str, sentences: Sequence[Sentence]) -> ReviewPrediction: ...


def cues_sha256(cues: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """A hash of the cue phrases in use (part of a model's compatibility check)."""
    h = hashlib.sha256()
    for theme, phrases in cues:
        h.update(theme.encode() + b"\x1f" + "\x1e".join(phrases).encode() + b"\x1d")
    return h.hexdigest()


def load_theme_model(cfg: Config, codebook: Codebook, model_dir: Path | None = None) -> ThemeModelLike:
    """The model at `model_dir` (default: config `model`); "keywords" selects the keyword baseline."""
    folder = model_dir or cfg.model
    if folder.name == KEYWORDS and not folder.exists():
        return KeywordModel(codebook, evidence_per_theme=cfg.classify.evidence_per_theme)
    cues = load_cues(cfg.cues, codebook)
    return load_model(
        folder,
        codebook_sha256=codebook.sha256,
        cues_sha256=cues_sha256(cues),
        nlp_pipeline=cfg.nlp.pipeline,
        evidence_per_theme=cfg.classify.evidence_per_theme,
    )
