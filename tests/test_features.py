"""The tf-idf transform a model folder scores with: the same numbers as scikit-learn's at training."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.features import transform

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
