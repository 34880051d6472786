"""The tf-idf transform a model folder scores with: the same numbers as scikit-learn's at training."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.features import fit_transform, transform

WORDS = st.sampled_from(["w:a", "w:b", "w:c", "b:a|b", "sec:findings", "cue:neglect", "unseen"])


@settings(max_examples=60, deadline=None)
@given(train=st.lists(st.lists(WORDS, max_size=8), min_size=2, max_size=12), score=st.lists(st.lists(WORDS, max_size=10), max_size=8))
def test_transform_matches_tfidfvectorizer(train, score):
    train = [*train, ["w:a", "w:b", "w:c", "b:a|b", "sec:findings", "cue:neglect"]]  # every known feature seen once
    vec = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, dtype=np.float64).fit(train)
    vocabulary = {f: i for i, f in enumerate(vec.get_feature_names_out())}
    ours = transform(score, vocabulary, np.asarray(vec.idf_))
    assert ours.shape == (len(score), len(vocabulary))
    if score:
        assert np.allclose(ours.toarray(), vec.transform(score).toarray(), atol=1e-12)
    for row in range(ours.shape[0]):  # each feature once per row (its count is in the weight)
        idx = ours.indices[ours.indptr[row] : ours.indptr[row + 1]]
        assert len(idx) == len(set(idx))


@settings(max_examples=40, deadline=None)
@given(score=st.lists(st.lists(WORDS, max_size=10), min_size=1, max_size=8), floor=st.floats(0.0, 6.0))
def test_a_norm_floor_shrinks_only_the_rows_whose_norm_is_below_it(score, floor):
    train = [["w:a", "w:b", "w:c", "b:a|b", "sec:findings", "cue:neglect"], ["w:a"], ["w:b", "w:c"]]
    vec = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, dtype=np.float64).fit(train)
    vocabulary = {f: i for i, f in enumerate(vec.get_feature_names_out())}
    idf = np.asarray(vec.idf_)
    plain = transform(score, vocabulary, idf).toarray()
    floored = transform(score, vocabulary, idf, norm_floor=floor).toarray()
    raw = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, norm=None, dtype=np.float64).fit(train)
    norms = np.linalg.norm(raw.transform(score).toarray(), axis=1)
    for r, norm in enumerate(norms):
        if norm >= floor:
            assert np.allclose(floored[r], plain[r], atol=1e-12)
        else:  # the same direction, length norm / floor
            assert np.allclose(floored[r], plain[r] * norm / floor, atol=1e-12)


def test_the_norm_floor_is_a_quantile_of_the_training_norms():
    train = [["w:a"], ["w:a", "w:b"], ["w:a", "w:b", "w:c"], ["w:a", "w:b", "w:c", "b:a|b"]]
    vec = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, norm=None, dtype=np.float64).fit(train)
    vocabulary = {f: i for i, f in enumerate(vec.get_feature_names_out())}
    norms = np.linalg.norm(vec.transform(train).toarray(), axis=1)
    idf = np.asarray(vec.idf_)
    x, floor = fit_transform(train, vocabulary, idf, 0.5)
    assert floor == pytest.approx(np.quantile(norms, 0.5))
    assert np.array_equal(x.toarray(), transform(train, vocabulary, idf, floor).toarray())  # the matrix it goes with
    assert fit_transform(train, vocabulary, idf, 0.0)[1] == 0.0
    # the floor from some rows (those a fit trains on), the matrix of all
    keep = np.array([True, True, False, False])
    x, floor = fit_transform(train, vocabulary, idf, 0.5, keep)
    assert floor == pytest.approx(np.quantile(norms[keep], 0.5)) and x.shape[0] == len(train)
