"""The trained theme model: sentence scores aggregated to review scores, flags and evidence.

A model folder holds `card.json` (the model card: what it was trained on, how well it did, with which
library versions), `vocab.json` (feature names and idf weights) and `weights.npz` (per-theme logistic
regression coefficients, loaded with `allow_pickle=False`), and, when the model has one,
`assertion.json` (the assertion model: its own feature names, idf weights and coefficients). Nothing
in the folder is executed or unpickled, and every file must match the sha256 recorded in the card.

A sentence's probability for a theme is the product of two linear models: the theme model (does this
sentence express theme T?) and, when present, the assertion model shared by all themes (is what the
sentence says asserted of this child and family in this case, rather than negated, ruled out,
hypothetical, generic, a recommendation or about someone else?). The assertion model learns how
reviews say "this did not happen here" from every theme's examples at once, so a trap worded in a
way never seen for one theme is still recognised from how other themes' traps were worded.

Consumes sentences of one review. Produces a `ReviewPrediction`: per theme the review score (the
mean of its `top_k` highest sentence probabilities), the 0/1 flag (score >= the theme's
cross-validated threshold) and the top sentences as evidence. Raises `ModelError` when a folder is missing, tampered with, or does not
match the codebook or feature settings in use.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import ModelError
from pipeline.features import FEATURES_VERSION, READABLE_FEATURE_VERSIONS, context_columns, review_features, scored, transform
from pipeline.records import Evidence, ReviewPrediction, Sentence

CARD = "card.json"
VOCAB = "vocab.json"
WEIGHTS = "weights.npz"
ASSERTION = "assertion.json"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def review_scores(probs: np.ndarray, top_k: int) -> np.ndarray:
    """Review scores per theme from (n_sentences, n_themes) sentence probabilities: the mean of the
    `top_k` highest per theme (of all of them when there are fewer).

    Why not the single highest: one sentence the model misreads (an unusual negation, a national
    statistic) would flag the review on its own; a theme that is part of a child's story is almost
    always told in several sentences. Measured on the evaluation split and the hand-written reviews,
    the mean of the top 3 separated reviews with and without a theme better than the maximum.
    """
    if probs.shape[0] == 0:
        return np.zeros(probs.shape[1])
    k = max(1, min(top_k, probs.shape[0]))
    return np.sort(probs, axis=0)[-k:].mean(axis=0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so it never overflows (shared by scoring and training)."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def asserted_probabilities(
    x: Any, coef: np.ndarray, intercept: np.ndarray, assertion: AssertionModel | None, feats: Sequence[Sequence[str]]
) -> np.ndarray:
    """(n_sentences, n_themes) sentence probabilities: each theme model's probability on the feature
    matrix `x`, times the assertion model's probability of the same sentences (their feature lists
    `feats`, built with the assertion model's `context`) when there is one. What a saved model scores
    with, and what training scores folds with."""
    probs = sigmoid(x @ coef.T + intercept)
    if assertion is not None:
        probs = probs * assertion.probabilities_from_features(feats)[:, None]
    return probs


def assertion_features(
    assertion: AssertionModel | None, sentences: Sequence[Sentence], feats: list[list[str]], context: int
) -> list[list[str]]:
    """The feature lists `assertion` reads for the scored sentences of one review: `feats` (built with
    `context`) when it reads them the same way, else rebuilt with its own context. A model retrained
    from review codes reads sentences alone but keeps its base's assertion model, which may not."""
    if assertion is None or assertion.context == context:
        return feats
    return review_features(sentences, assertion.context)


@dataclass
class AssertionModel:
    """One linear model over its own vocabulary: P(a theme mention in the sentence is asserted of this
    child/family/case). Self-contained, so a model trained from review codes alone can carry over the
    assertion model of the model it started from unchanged."""

    features: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (n_features,)
    intercept: float
    norm_floor: float = 0.0  # see features.transform
    context: int = 0  # previous sentences a sentence also reads (features.review_features)

    def __post_init__(self) -> None:
        self._vocabulary = {f: i for i, f in enumerate(self.features)}
        self._context = context_columns(self.features)
        check_context(self.context, self._context, "the assertion model")

    def probabilities(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """(n_sentences,) assertion probabilities of the scored sentences of one review, in order, each
        read as this model was trained to read it (with or without the sentence before)."""
        return self.probabilities_from_features(review_features(sentences, self.context))

    def probabilities_from_features(self, feature_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """(n_sentences,) assertion probabilities from precomputed feature lists (built with this
        model's `context`)."""
        if not feature_lists:
            return np.zeros(0)
        x = transform(feature_lists, self._vocabulary, self.idf, self.norm_floor, self._context)
        return sigmoid(x @ self.coef + self.intercept)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "idf": [float(v) for v in self.idf],
            "coef": [round(float(v), 4) for v in self.coef],
            "intercept": float(self.intercept),
            **({"norm_floor": self.norm_floor} if self.norm_floor else {}),
            **({"context": self.context} if self.context else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> AssertionModel:
        """Rebuild from `to_json`'s output; `ValueError`/`KeyError`/`TypeError` on a malformed one
        (not an object, arrays of the wrong length, non-finite numbers)."""
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise ValueError("the assertion model is not an object with a feature list")
        features = [str(f) for f in data["features"]]
        idf = np.asarray(data["idf"], dtype=np.float64)
        coef = np.asarray(data["coef"], dtype=np.float64)
        intercept = float(data["intercept"])
        norm_floor = _norm_floor(data)
        if idf.shape != (len(features),) or coef.shape != (len(features),):
            raise ValueError("assertion model arrays do not match its feature list")
        if not (np.isfinite(idf).all() and np.isfinite(coef).all() and np.isfinite(intercept)):
            raise ValueError("assertion model has non-finite numbers")
        return cls(features, idf, coef, intercept, norm_floor, _context_flag(data))


@dataclass
class ThemeModel:
    """Per-theme linear sentence models over one shared feature vocabulary."""

    themes: list[str]
    features: list[str]
    idf: np.ndarray
    coef: np.ndarray  # (n_themes, n_features)
    intercept: np.ndarray  # (n_themes,)
    thresholds: dict[str, float]
    card: dict[str, Any] = field(default_factory=dict)
    evidence_per_theme: int = 3
    top_k: int = 3
    assertion: AssertionModel | None = None
    norm_floor: float = 0.0  # see features.transform
    context: int = 0  # previous sentences a sentence also reads (features.review_features)

    def __post_init__(self) -> None:
        self._vocabulary = {f: i for i, f in enumerate(self.features)}
        self._context = context_columns(self.features)
        check_context(self.context, self._context, "the theme model")

    @property
    def model_id(self) -> str:
        return str(self.card.get("model_id", "unsaved"))

    def sentence_probabilities(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """(n_sentences, n_themes) probabilities that each sentence expresses each theme; `sentences`
        are read in order as the scored sentences of one review (each may read the one before it)."""
        if not sentences:
            return np.zeros((0, len(self.themes)))
        feats = review_features(sentences, self.context)
        x = transform(feats, self._vocabulary, self.idf, self.norm_floor, self._context)
        afeats = assertion_features(self.assertion, sentences, feats, self.context)
        return asserted_probabilities(x, self.coef, self.intercept, self.assertion, afeats)

    def predict(self, review_id: str, sentences: Sequence[Sentence]) -> ReviewPrediction:
        """Scores, flags and evidence for one review."""
        candidates = scored(sentences)
        probs = self.sentence_probabilities(candidates)
        review = review_scores(probs, self.top_k)
        scores: dict[str, float] = {}
        flags: dict[str, int] = {}
        evidence: list[Evidence] = []
        for j, theme in enumerate(self.themes):
            col = probs[:, j] if len(candidates) else np.zeros(0)
            score = float(review[j])
            scores[theme] = round(score, 6)
            flags[theme] = int(score >= self.thresholds[theme])
            if flags[theme]:
                order = np.argsort(-col, kind="stable")[: self.evidence_per_theme]
                for i in order:
                    if col[i] < min(0.5, self.thresholds[theme]):
                        break
                    s = candidates[int(i)]
                    evidence.append(Evidence(review_id, theme, s.page, s.section, round(float(col[i]), 6), s.text))
        return ReviewPrediction(review_id, scores, flags, tuple(evidence))

    def save(self, folder: Path) -> str:
        """Write the model folder; returns the model id (name plus a hash of the weights)."""
        folder.mkdir(parents=True, exist_ok=True)
        vocab = {"features": self.features, "idf": [float(v) for v in self.idf]}
        if self.norm_floor:
            vocab["norm_floor"] = self.norm_floor
        if self.context:
            vocab["context"] = self.context  # in a hashed file: changing it changes the model id
        vocab_bytes = json.dumps(vocab).encode()
        (folder / VOCAB).write_bytes(vocab_bytes)
        weights_path = folder / WEIGHTS
        with weights_path.open("wb") as fh:
            np.savez(
                fh,
                coef=self.coef.astype(np.float16),  # trained coefficients are already float16-exact
                intercept=self.intercept.astype(np.float64),
                themes=np.asarray(self.themes, dtype=str),
            )
        files = {VOCAB: sha256_bytes(vocab_bytes), WEIGHTS: sha256_bytes(weights_path.read_bytes())}
        if self.assertion is not None:
            assertion_bytes = json.dumps(self.assertion.to_json()).encode()
            (folder / ASSERTION).write_bytes(assertion_bytes)
            files[ASSERTION] = sha256_bytes(assertion_bytes)
        digest = model_digest(files, self.thresholds)
        name = str(self.card.get("name", folder.name))
        # how sentences are read is the model's, not the caller's: the card cannot disagree with it
        self.card["features"] = {**(self.card.get("features") or {}), "context_sentences": self.context}
        self.card.update({"model_id": f"{name}-{digest}", "files": files, "thresholds": self.thresholds})
        (folder / CARD).write_text(json.dumps(self.card, indent=2) + "\n", encoding="utf-8")
        return self.card["model_id"]


def check_context(context: object, context_columns: np.ndarray | None, what: str) -> None:
    """`ValueError` unless `context` is 0 or 1 and a vocabulary with context (`p:`) features reads them."""
    if type(context) is not int or context not in (0, 1):
        raise ValueError(f"{what} has an unreadable context {context!r} (0 or 1)")
    if context_columns is not None and not context:
        raise ValueError(f"{what} has features of the sentence before but does not read it")


def _context_flag(data: dict[str, Any]) -> int:
    """The optional `context` of a vocabulary or assertion object (0 if absent; checked on use)."""
    return data.get("context", 0)  # type: ignore[no-any-return]


def _norm_floor(data: Any) -> float:
    """The optional `norm_floor` of a vocabulary or assertion object: a finite number >= 0 (0 if absent);
    `ValueError` otherwise."""
    value = data.get("norm_floor", 0.0) if isinstance(data, dict) else 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise ValueError("norm_floor must be a finite number >= 0")
    return float(value)


def model_digest(files: dict[str, str], thresholds: dict[str, float] | None) -> str:
    """The hash part of a model id: of the files' sha256s and the thresholds, so a model retrained to
    the same weights but flagging at other thresholds gets another id."""
    return sha256_bytes(json.dumps({"files": files, "thresholds": thresholds}, sort_keys=True).encode())[:12]


def card_reviews_sha256(card: Mapping[str, Any] | None) -> set[str]:
    """The sha256 of every PDF a model card says the model was trained on (`training_data`) or had its
    thresholds chosen on (`calibration`): reviews that cannot honestly measure it."""
    card = card or {}
    return (set((card.get("training_data") or {}).get("review_sha256") or [])
            | set((card.get("calibration") or {}).get("review_sha256") or []))


def read_card(folder: Path) -> dict[str, Any]:
    """The model card of a folder, or `ModelError` saying what is wrong."""
    card_path = folder / CARD
    if not card_path.is_file():
        raise ModelError(
            f"{folder}: no model here (no {CARD}); train one with `review-themes train` or set `model:` in config.yaml"
        )
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{card_path}: not a valid model card ({exc})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{card_path}: not a valid model card")
    return card


def load_model(
    folder: Path,
    codebook_sha256: str,
    cues_sha256: str,
    nlp_pipeline: str,
    evidence_per_theme: int = 3,
) -> ThemeModel:
    """Load and verify a model folder against the codebook, cue lexicon and nlp settings in use."""
    card = read_card(folder)
    files = card.get("files") or {}
    model_id = str(card.get("model_id", ""))
    if not isinstance(files, dict) or not (
        model_id.endswith(model_digest(files, card.get("thresholds")))
        # models saved before thresholds were part of the id
        or model_id.endswith(sha256_bytes(json.dumps(files, sort_keys=True).encode())[:12])
    ):
        raise ModelError(
            f"{folder}: the file list in {CARD} does not match its model id; the card was edited. "
            "Refusing to load it: copy the model folder again from its source"
        )
    if ASSERTION not in files and (folder / ASSERTION).exists():
        raise ModelError(f"{folder}: {ASSERTION} is not listed in {CARD}; the folder was altered. Copy it again from its source")
    for name in (VOCAB, WEIGHTS, *([ASSERTION] if ASSERTION in files else [])):
        path = folder / name
        if not path.is_file():
            raise ModelError(f"{folder}: {name} is missing; copy the whole model folder")
        if files.get(name) != sha256_bytes(path.read_bytes()):
            raise ModelError(
                f"{path}: does not match the sha256 in {CARD}; the folder was altered or is incomplete. "
                "Refusing to load it: copy the model folder again from its source"
            )
    feats = card.get("features") or {}
    problems = []
    if card.get("codebook_sha256") != codebook_sha256:
        problems.append("it was trained with a different codebook (themes, descriptions or keywords changed)")
    if card.get("cues_sha256") != cues_sha256:
        problems.append("it was trained with a different cue lexicon")
    if feats.get("version") not in READABLE_FEATURE_VERSIONS:
        problems.append(f"its feature version {feats.get('version')} is not one this tool reads ({', '.join(READABLE_FEATURE_VERSIONS)})")
    if feats.get("nlp_pipeline") != nlp_pipeline:
        problems.append(f"it was trained with nlp.pipeline '{feats.get('nlp_pipeline')}', config has '{nlp_pipeline}'")
    if problems:
        raise ModelError(
            f"{folder}: model does not match the configuration: "
            + "; ".join(problems)
            + ". Retrain with `review-themes train`, or point `model:` / --model at a matching model"
        )
    try:
        vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        with np.load(folder / WEIGHTS, allow_pickle=False) as npz:
            coef = np.asarray(npz["coef"], dtype=np.float64)
            intercept = np.asarray(npz["intercept"], dtype=np.float64)
            themes = [str(t) for t in npz["themes"]]
        assertion = None
        if ASSERTION in files:
            assertion = AssertionModel.from_json(json.loads((folder / ASSERTION).read_text(encoding="utf-8")))
        norm_floor = _norm_floor(vocab)
        if feats.get("version") == "2" and (norm_floor or (assertion is not None and assertion.norm_floor)):
            raise ValueError("a feature-version 2 model cannot have a norm floor")
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError, OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{folder}: unreadable model files ({exc})") from None
    if themes != list(card.get("themes", [])) or coef.shape != (len(themes), len(vocab["features"])):
        raise ModelError(f"{folder}: model files disagree with {CARD} (themes or shapes)")
    thresholds = {t: float(card["thresholds"][t]) for t in themes}
    top_k = int(feats.get("top_k", 1))
    context = _context_flag(vocab)
    if feats.get("context_sentences", context) != context or (context and feats.get("version") in ("2", "3")):
        raise ModelError(f"{folder}: {CARD} `context_sentences` ({feats.get('context_sentences')!r}) disagrees with "
                         f"{VOCAB} or the feature version; the folder was altered. Copy it again from its source")
    try:
        return ThemeModel(
            themes=themes,
            features=list(vocab["features"]),
            idf=np.asarray(vocab["idf"], dtype=np.float64),
            coef=coef,
            intercept=intercept,
            thresholds=thresholds,
            card=card,
            evidence_per_theme=evidence_per_theme,
            top_k=top_k,
            assertion=assertion,
            norm_floor=norm_floor,
            context=context,
        )
    except ValueError as exc:
        raise ModelError(f"{folder}: unreadable model files ({exc})") from None
