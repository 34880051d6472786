"""Sentences -> sparse feature matrices for the theme model.

Consumes `Sentence` records (their context-prefixed lemma string, section kind and cue/context tags).
Produces feature lists and, given a stored vocabulary and idf weights, a CSR matrix with sublinear
tf-idf, l2-normalised rows: the same transform `TfidfVectorizer(sublinear_tf=True)` applies at
training time, re-implemented on plain arrays so a model folder loads without pickle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from pipeline.records import SectionKind, Sentence

# Bump when the feature function changes: a model trained with another version is refused on load.
# "3": rows may be divided by a norm floor (`transform`), which older versions would ignore, so they
# must refuse these models; "2" models (no floor) score the same under "3" and still load.
# "4": a sentence may also read the words of the sentence before it (`review_features`); "2" and "3"
# models read none and score the same under "4".
FEATURES_VERSION = "4"
READABLE_FEATURE_VERSIONS = ("2", "3", "4")
FLOOR_DECIMALS = 6  # a norm floor is stored (and so used) rounded to this many decimals

# Sentences in these sections are never scored: cover pages, contents and glossary definitions say
# nothing about this child.
UNSCORED_SECTIONS = frozenset({SectionKind.FRONT_MATTER, SectionKind.GLOSSARY})


_CONTEXTS = ("neg_", "hyp_", "gen_", "oth_")
CONTEXT_PREFIX = "p:"  # features a sentence takes from the sentence before it (`review_features`)


def sentence_features(s: Sentence) -> list[str]:
    """Unigrams and bigrams of the context-prefixed lemmas, the bare lemmas, the section kind, and the
    cue tags. The bare lemmas let a theme's vocabulary count wherever it occurs, while the prefixed
    forms let the model learn how negation or a hypothetical changes it."""
    words = s.norm.split()
    feats = [f"w:{w}" for w in words]
    feats.extend(f"b:{a}|{b}" for a, b in zip(words, words[1:]))
    feats.extend(f"u:{w[4:] if w.startswith(_CONTEXTS) else w}" for w in words)
    feats.append(f"sec:{s.section}")
    feats.append(f"tense:{_tense(s.text)}")
    feats.extend(s.tags)
    return feats


_PAST = frozenset("was were had did wasn't weren't hadn't didn't said told went saw made took came found gave knew "
                  "thought felt became began kept met spoke".split())
_NOT_VERBS = frozenset("indeed need exceed proceed succeed bed red shed seed speed feed breed embed".split())
# words skipped when looking back from an -ed word for what governs it ("is not recorded", "are often described")
_SKIP_BACK = frozenset("not never also often still always usually rarely then".split())
_PRESENT = frozenset("is are am has does isn't aren't doesn't can can't cannot must remains means says makes shows suggests "
                     "indicates seems".split())
_NOT_PAST_BEFORE = _PRESENT | {"be", "been", "being", "have", "to"}
_WORD = re.compile(r"[a-z']+")


def _tense(text: str) -> str:
    """"past" when a sentence has a past-tense verb, "present" when it has only present-tense ones,
    else "none". The lemmas lose tense ("was" and "is" are both "be"), yet it tells a generic
    statement ("bruising to the ears is more likely to be inflicted") from the case narrative."""
    words = _WORD.findall(text.lower())
    first_present = next((i for i, w in enumerate(words) if w in _PRESENT), None)
    present = first_present is not None
    for i, w in enumerate(words):
        if w in _PAST:
            return "past"
        if len(w) > 4 and w.endswith("ed") and w not in _NOT_VERBS:
            # an -ed word is a past tense unless a present or infinitive form governs it ("is more
            # likely to be inflicted", "has been shared", "is not recorded"), or it comes after the
            # present-tense verb of a sentence, as a participle ("research shows that children
            # exposed to abuse are ...")
            k = i - 1
            while k >= 0 and (words[k] in _SKIP_BACK or words[k].endswith("ly")):
                k -= 1
            if (k >= 0 and words[k] in _NOT_PAST_BEFORE) or (first_present is not None and first_present < i):
                continue
            return "past"
    return "present" if present else "none"


def review_features(
    sentences: Sequence[Sentence], context: int = 0, hidden: Sequence[bool] | None = None
) -> list[list[str]]:
    """`sentence_features` of each sentence of one review, in order, plus (`context` 1) the lemmas of
    the sentence before it as `p:` features, when that one is of the same review and section and not
    `hidden` (training leaves held-out sentences out: their words must not come back as a
    neighbour's context).

    Why: reviews carry the subject of a finding across sentences ("Mr J had moved in by May. He was
    not seen or spoken to."): read alone, the second says nothing about whom practice missed. The
    lemmas are taken without their context prefix, as the subject matters here, not its scope."""
    out = []
    prev: Sentence | None = None
    for i, s in enumerate(sentences):
        feats = sentence_features(s)
        if context and prev is not None and prev.review_id == s.review_id and prev.section == s.section:
            feats.extend(sorted({f"{CONTEXT_PREFIX}{w[4:] if w.startswith(_CONTEXTS) else w}" for w in prev.norm.split()}))
        out.append(feats)
        prev = None if hidden is not None and hidden[i] else s
    return out


def scored(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences the model scores: not cover, contents, glossary, nor statutory boilerplate."""
    return [s for s in sentences if s.section not in UNSCORED_SECTIONS and not s.boilerplate]


def context_columns(features: Sequence[str]) -> np.ndarray | None:
    """Which columns of a vocabulary are context features (`p:`, `review_features`); None if none are."""
    mask = np.fromiter((f.startswith(CONTEXT_PREFIX) for f in features), dtype=bool, count=len(features))
    return mask if mask.any() else None


def transform(
    feature_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray, norm_floor: float = 0.0,
    context: np.ndarray | None = None,
) -> sp.csr_matrix:
    """Sublinear tf-idf with l2-normalised rows, for features in `vocabulary` (others are dropped).

    A row is divided by the larger of its l2 norm and `norm_floor`: with a floor, a short sentence
    ("They did not.") is not stretched to unit length, so its few words cannot weigh as much as a
    whole informative sentence (0: plain l2 normalisation, as `TfidfVectorizer`). With `context`
    (`context_columns` of the vocabulary), a row's own features and its context features are
    divided each by their own norm or the floor, whichever is larger, so a sentence's own words weigh
    the same whether or not a sentence came before it. (Context rows hold lemmas only, so their norms
    mostly fall below a floor fitted on whole rows: the sentence before then weighs by its length.)"""
    m = _tfidf(feature_lists, vocabulary, idf)
    own, ctx = _block_norms(m, context)
    return _normalised(m, own, ctx, norm_floor, context)


def fit_transform(
    feature_lists: Sequence[Sequence[str]], vocabulary: Mapping[str, int], idf: np.ndarray, quantile: float,
    fit_rows: np.ndarray | None = None, context: np.ndarray | None = None,
) -> tuple[sp.csr_matrix, float]:
    """`transform` at training time, with its norm floor: the `quantile` of the unnormalised tf-idf
    norms (of their own features) of the rows in `fit_rows` (a boolean mask; all rows when None),
    rounded to `FLOOR_DECIMALS` as the model folder stores it; 0 when `quantile` is 0. Returns the
    matrix of every row and the floor, from one pass over the features."""
    m = _tfidf(feature_lists, vocabulary, idf)
    own, ctx = _block_norms(m, context)
    fitted = own if fit_rows is None else own[fit_rows]
    floor = round(float(np.quantile(fitted, quantile)), FLOOR_DECIMALS) if quantile > 0 and len(fitted) else 0.0
    return _normalised(m, own, ctx, floor, context), floor


def _block_norms(m: sp.csr_matrix, context: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Row l2 norms of the own features and (with a `context` column mask) of the context features."""
    if context is None:
        return _row_norms(m), None
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    sq = m.data**2
    in_ctx = context[m.indices]
    own = np.sqrt(np.bincount(rows, weights=np.where(in_ctx, 0.0, sq), minlength=m.shape[0]))
    ctx = np.sqrt(np.bincount(rows, weights=np.where(in_ctx, sq, 0.0), minlength=m.shape[0]))
    return own, ctx


def _divisors(raw: np.ndarray, norm_floor: float) -> np.ndarray:
    norms = np.maximum(raw, norm_floor)
    norms[raw == 0] = 1.0  # an empty row stays empty
    return norms


def _normalised(
    m: sp.csr_matrix, own: np.ndarray, ctx: np.ndarray | None, norm_floor: float, context: np.ndarray | None
) -> sp.csr_matrix:
    """Rows of `m` divided by the larger of their norm and the floor: the own and the context
    features (columns in `context`) each by their own norm (`own`, `ctx`)."""
    if context is None or ctx is None:
        return sp.csr_matrix(sp.diags(1.0 / _divisors(own, norm_floor)) @ m)
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    divide = np.where(context[m.indices], _divisors(ctx, norm_floor)[rows], _divisors(own, norm_floor)[rows])
    return sp.csr_matrix((m.data / divide, m.indices, m.indptr), shape=m.shape)


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
