"""Fingerprints of what produces each stored result: the store's cache keys.

Consumes the config, the cue lexicon and the loaded model. Produces a `Fingerprint` per stage: a short
hex key plus the description it hashes (kept in the store, so one can see which extractor version and
settings produced a row). A stored result is reused only when its stage's key is unchanged:

- extraction: `EXTRACTOR_VERSION`, every `extract:` setting except the timeout (which changes whether a
  file finishes, not what comes out of it), and the PDF library versions;
- sentences: `SPLITTER_VERSION`, the `nlp:` settings except the batch size, the cue lexicon and the
  spaCy (and spaCy pipeline package) versions;
- predictions: the model id (which hashes the weights), the codebook, the `classify:` settings and the
  feature version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pipeline import __version__
from pipeline.classify import cues_sha256
from pipeline.config import Config
from pipeline.extract import EXTRACTOR_VERSION
from pipeline.features import FEATURES_VERSION
from pipeline.nlp import SPLITTER_VERSION

Cues = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Fingerprint:
    """`key` identifies `description` (a JSON-able dict of versions and settings); `stage` names it."""

    stage: str
    key: str
    description: dict[str, Any]


def _make(stage: str, description: dict[str, Any]) -> Fingerprint:
    blob = json.dumps(description, sort_keys=True, separators=(",", ":"))
    return Fingerprint(stage, hashlib.sha256(f"{stage}\n{blob}".encode()).hexdigest()[:32], description)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def extraction(cfg: Config) -> Fingerprint:
    """What decides the text that comes out of a PDF."""
    settings = cfg.extract.model_dump(mode="json", exclude={"timeout_seconds"})
    libraries = {p: _version(p) for p in ("pdfplumber", "pdfminer.six", "pypdfium2")}
    return _make("extract", {"extractor_version": EXTRACTOR_VERSION, "settings": settings, "libraries": libraries})


def sentences(cfg: Config, cues: Cues) -> Fingerprint:
    """What decides the sentences (text, norms, tags, sections) split from extracted text."""
    settings = cfg.nlp.model_dump(mode="json", exclude={"batch_size"})
    libraries = {p: _version(p) for p in ("spacy", "spacy-lookups-data")}
    if not cfg.nlp.pipeline.startswith("blank:"):
        libraries[cfg.nlp.pipeline] = _version(cfg.nlp.pipeline)
    return _make(
        "sentences",
        {"splitter_version": SPLITTER_VERSION, "settings": settings, "cues_sha256": cues_sha256(cues), "libraries": libraries},
    )


def predictions(cfg: Config, model_id: str, codebook_sha256: str) -> Fingerprint:
    """What decides a review's scores, flags and evidence, given its sentences."""
    return _make(
        "predictions",
        {
            "model_id": model_id,
            "codebook_sha256": codebook_sha256,
            "settings": cfg.classify.model_dump(mode="json"),
            "features_version": FEATURES_VERSION,
            "tool_version": __version__,
        },
    )
