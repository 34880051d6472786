"""The keyword baseline: a theme is flagged when any of its codebook keywords occurs in the text.

Consumes sentences and the codebook. Produces a `ReviewPrediction` per review. This is the naive
method analysts would otherwise use (a search for the theme's words) and is reported beside the
trained model by `evaluate`, so the model's gain is visible. It knows nothing about negation,
boilerplate or who a sentence is about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.records import Codebook, Evidence, ReviewPrediction, Sentence


class KeywordModel:
    """Flags a theme when at least `min_hits` sentences contain one of its keywords."""

    model_id = "keyword-baseline"

    def __init__(self, codebook: Codebook, min_hits: int = 1, evidence_per_theme: int = 3) -> None:
        self.codebook = codebook
        self.min_hits = min_hits
        self.evidence_per_theme = evidence_per_theme
        self._patterns = {
            t.id: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in t.keywords) + r")\b", re.IGNORECASE)
            for t in codebook.themes
            if t.keywords
        }

    def predict(self, review_id: str, sentences: Sequence[Sentence]) -> ReviewPrediction:
        """Score one review: the share of `min_hits` reached (capped at 1) is the score."""
        scores: dict[str, float] = {}
        flags: dict[str, int] = {}
        evidence: list[Evidence] = []
        for theme in self.codebook.themes:
            pattern = self._patterns.get(theme.id)
            hits = [s for s in sentences if pattern is not None and pattern.search(s.text)]
            scores[theme.id] = min(1.0, len(hits) / self.min_hits)
            flags[theme.id] = int(len(hits) >= self.min_hits)
            if flags[theme.id]:
                evidence.extend(
                    Evidence(review_id, theme.id, s.page, s.section, 1.0, s.text)
                    for s in hits[: self.evidence_per_theme]
                )
        return ReviewPrediction(review_id, scores, flags, tuple(evidence))
