"""Sentences -> sparse feature matrices for the theme model.

Consumes `Sentence` records (their context-prefixed lemma string, section kind and cue/context tags).
Produces feature lists and, given a stored vocabulary and idf weights, a CSR matrix with sublinear
tf-idf, l2-normalised rows: the same transform `TfidfVectorizer(sublinear_tf=True)` applies at
training time, re-implemented on plain arrays so a model folder loads without pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from pipeline.records import SectionKind, Sentence

# Bump when the feature function changes: a model trained with another version is refused on load.
# "3": rows may be divided by a norm floor (`transform`), which older versions would ignore, so they
# must refuse these models; "2" models (no floor) score the same under "3" and still load.
FEATURES_VERSION = "3"
READABLE_FEATURE_VERSIONS = ("2", "3")
FLOOR_DECIMALS = 6  # a norm floor is stored (and so used) rounded to this many decimals

# Sentences in these sections are never scored: cover pages, contents and glossary definitions say
# nothing about this child.
UNSCORED_SECTIONS = frozenset({SectionKind.FRONT_MATTER, SectionKind.GLOSSARY})


_CONTEXTS = ("neg_", "hyp_", "gen_", "oth_")


def sentence_features(s: Sentence) -> list[str]:
    """Unigrams and bigrams of the context-prefixed lemmas, the bare lemmas, the section kind, and the
    cue tags. The bare lemmas let a theme's vocabulary count wherever it occurs, while the prefixed
    forms let the model learn how negation or a hypothetical changes it."""
    words = s.norm.split()
    feats = [f"w:{w}" for w in words]
    feats.extend(f"b:{a}|{b}" for a, b in zip(words, words[1:]))
    feats.extend(f"u:{w[4:] if w.startswith(_CONTEXTS) else w}" for w in words)
    feats.append(f"sec:{s.section}")
    feats.extend(s.tags)
    return feats


def scored(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences the model scores: not cover, contents, glossary, nor statutory boilerplate."""
    return [s for s in sentences if s.section not in UNSCORED_SECTIONS and not s.boilerplate]


def transform(
    feature_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray, norm_floor: float = 0.0
) -> sp.csr_matrix:
    """Sublinear tf-idf with l2-normalised rows, for features in `vocabulary` (others are dropped).

    A row is divided by the larger of its l2 norm and `norm_floor`: with a floor, a short sentence
    ("They did not.") is not stretched to unit length, so its few words cannot weigh as much as a
    whole informative sentence (0: plain l2 normalisation, as `TfidfVectorizer`)."""
    m = _tfidf(feature_lists, vocabulary, idf)
    return _normalised(m, _row_norms(m), norm_floor)


def fit_transform(
    feature_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray, quantile: float,
    fit_rows: np.ndarray | None = None,
) -> tuple[sp.csr_matrix, float]:
    """`transform` at training time, with its norm floor: the `quantile` of the unnormalised tf-idf
    norms of the rows in `fit_rows` (a boolean mask; all rows when None), rounded to
    `FLOOR_DECIMALS` as the model folder stores it; 0 when `quantile` is 0. Returns the matrix of
    every row and the floor, from one pass over the features."""
    m = _tfidf(feature_lists, vocabulary, idf)
    raw = _row_norms(m)
    fitted = raw if fit_rows is None else raw[fit_rows]
    floor = round(float(np.quantile(fitted, quantile)), FLOOR_DECIMALS) if quantile > 0 and len(fitted) else 0.0
    return _normalised(m, raw, floor), floor


def _normalised(m: sp.csr_matrix, raw: np.ndarray, norm_floor: float) -> sp.csr_matrix:
    """Rows of `m` (whose l2 norms are `raw`) divided by the larger of their norm and the floor."""
    norms = np.maximum(raw, norm_floor)
    norms[raw == 0] = 1.0  # an empty row stays empty
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def _tfidf(feature_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """Unnormalised sublinear tf-idf. Only the vocabulary lookup runs per feature in Python; counting
    and weighting are array operations (this is the hot path of scoring and re-scoring)."""
    get = vocabulary.get
    rows: list[int] = []
    cols: list[int] = []
    for r, feats in enumerate(feature_lists):
        for f in feats:
            j = get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    counts = sp.coo_matrix(
        (np.ones(len(cols), dtype=np.float64), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=(len(feature_lists), len(idf)),
    ).tocsr()  # duplicates summed: the counts
    return sp.csr_matrix(
        ((1.0 + np.log(counts.data)) * idf[counts.indices], counts.indices, counts.indptr), shape=counts.shape
    )


def _row_norms(m: sp.csr_matrix) -> np.ndarray:
    return np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
