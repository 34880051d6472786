"""Inter-coder agreement: the same reviews coded by two different coders -> Cohen's kappa per theme.

Consumes coding sheets as read by `codes.read_codes` (command-line order). A review counts as
double-coded when rows naming at least two different coders (the `coder` column) code it; rows
without a coder name cannot be told apart from one analyst revising their own codes, so they are
left out and counted in `unnamed_repeats`. When one coder coded a review twice, their later row is
used. With more than two coders on a review, every pair of coders contributes one pair of codes.
Produces one `ThemeAgreement` per theme (Cohen's kappa with sklearn, raw agreement, number of pairs)
and a JSON-ready summary for the model card.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from pipeline.codes import CodedReview
from pipeline.records import ThemeAgreement


@dataclass(frozen=True)
class AgreementReport:
    """Per-theme agreement plus who coded what."""

    themes: list[ThemeAgreement]
    coders: list[str]
    double_coded: int  # reviews coded by at least two named coders
    unnamed_repeats: int  # reviews in several rows where the coders are not named (not counted)

    def as_json(self) -> dict[str, Any]:
        """The card's `training_data.agreement` section."""
        return {
            "method": "Cohen's kappa (sklearn.metrics.cohen_kappa_score) per theme over reviews coded by two "
            "different named coders; every pair of coders of a review gives one pair of codes",
            "coders": self.coders,
            "double_coded_reviews": self.double_coded,
            "unnamed_repeats": self.unnamed_repeats,
            "per_theme": {
                a.theme: {"kappa": a.kappa, "n_double_coded": a.n, "raw_agreement": a.agreement} for a in self.themes
            },
        }


def _kappa(a: list[int], b: list[int]) -> float | None:
    if len(a) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = float(cohen_kappa_score(a, b, labels=[0, 1]))
    return None if np.isnan(k) else round(k, 4)


def coder_agreement(sheets: Sequence[Sequence[CodedReview]], themes: Sequence[str]) -> AgreementReport:
    """Cohen's kappa, raw agreement and pair counts per theme over double-coded reviews."""
    by_file: dict[str, dict[str, CodedReview]] = {}
    rows_per_file: dict[str, int] = {}
    for sheet in sheets:
        for r in sheet:
            rows_per_file[r.file] = rows_per_file.get(r.file, 0) + 1
            coder = r.coder.strip()
            if coder:
                by_file.setdefault(r.file, {})[coder.casefold()] = r  # a coder's later row replaces the earlier
    double = {f: c for f, c in by_file.items() if len(c) >= 2}
    unnamed = sum(1 for f, n in rows_per_file.items() if n >= 2 and f not in double)
    coders = sorted({r.coder.strip() for c in by_file.values() for r in c.values()})
    out = []
    for theme in themes:
        a: list[int] = []
        b: list[int] = []
        for file in sorted(double):
            for x, y in combinations(sorted(double[file]), 2):
                rx, ry = double[file][x], double[file][y]
                if theme in rx.codes and theme in ry.codes:
                    a.append(rx.codes[theme])
                    b.append(ry.codes[theme])
        agree = round(float(np.mean(np.array(a) == np.array(b))), 4) if a else None
        out.append(ThemeAgreement(theme, len(a), agree, _kappa(a, b)))
    return AgreementReport(out, coders, len(double), unnamed)
