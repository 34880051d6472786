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


# --- reading the sentence before (feature version 4) ---

from pipeline.features import CONTEXT_PREFIX, context_columns, review_features, sentence_features  # noqa: E402
from pipeline.records import SectionKind, Sentence  # noqa: E402


def _s(review: str, i: int, section: SectionKind, norm: str, text: str = "It was so.") -> Sentence:
    return Sentence(review, i, 1, section, text, norm)


def test_a_sentence_reads_the_lemmas_of_the_one_before_in_the_same_review_and_section():
    f = SectionKind.FINDINGS
    sents = [_s("r", 0, f, "mr j move in"), _s("r", 1, f, "he be neg_not neg_see"), _s("r", 2, SectionKind.CHRONOLOGY, "he leave"),
             _s("q", 3, SectionKind.CHRONOLOGY, "she stay")]
    feats = review_features(sents, context=1)
    context = [{x for x in fl if x.startswith(CONTEXT_PREFIX)} for fl in feats]
    assert context[0] == set()  # the first sentence has none before it
    assert context[1] == {"p:mr", "p:j", "p:move", "p:in"}
    assert context[2] == set()  # another section
    assert context[3] == set()  # another review
    assert review_features(sents, context=1)[2] == sentence_features(sents[2])
    # the context prefix of a lemma is dropped: whom a passage is about matters, not its scope
    later = review_features([sents[1], _s("r", 4, f, "nobody ask")], context=1)[1]
    assert {"p:not", "p:see"} <= set(later) and not any(x.startswith("p:neg_") for x in later)
    assert all(not x.startswith(CONTEXT_PREFIX) for fl in review_features(sents, context=0) for x in fl)


def test_own_and_context_features_are_normalised_apart():
    features = ["w:a", "w:b", "p:a", "p:b", "p:c"]
    vocabulary = {f: i for i, f in enumerate(features)}
    idf = np.ones(len(features))
    mask = context_columns(features)
    assert mask is not None and mask.tolist() == [False, False, True, True, True]
    assert context_columns(["w:a", "b:a|b"]) is None
    alone, with_context = transform([["w:a", "w:b"], ["w:a", "w:b", "p:a", "p:b", "p:c"]], vocabulary, idf, context=mask).toarray()
    assert np.allclose(alone[:2], with_context[:2])  # own words weigh the same with or without a sentence before
    assert np.isclose(np.linalg.norm(with_context[2:]), 1.0)
    # without the mask (a model of feature version 3 has no context columns) the row is normalised whole
    whole = transform([["w:a", "w:b", "p:a", "p:b", "p:c"]], vocabulary, idf).toarray()[0]
    assert np.isclose(np.linalg.norm(whole), 1.0) and not np.allclose(whole[:2], alone[:2])
    # the floor applies to each block on its own and is a quantile of the own-feature norms
    _, floor = fit_transform([["w:a"], ["w:a", "w:b", "p:a", "p:b", "p:c"]], vocabulary, idf, 0.5, context=mask)
    assert np.isclose(floor, (1.0 + np.sqrt(2.0)) / 2, atol=1e-6)


@pytest.mark.parametrize(("text", "tense"), [
    ("Bruising to the ears is more likely to be inflicted.", "present"),
    ("The health visitor noted bruising to his ear.", "past"),
    ("He was not seen.", "past"),
    ("Child A at nursery, hungry.", "none"),
    # generic present-tense wording with participles and -ed words that are not verbs
    ("Research shows that children exposed to domestic abuse are at greater risk.", "present"),
    ("It is not recorded in the file.", "present"),
    ("Neglect is often described as cumulative.", "present"),
    ("Indeed the school is concerned.", "present"),
    ("Mother's left arm is bruised.", "present"),
    # a past verb before the present one is narrative
    ("The school referred her in May and she is now in care.", "past"),
])
def test_tense_is_read_from_the_printed_words(text, tense):
    assert f"tense:{tense}" in sentence_features(_s("r", 0, SectionKind.FINDINGS, "x", text))
