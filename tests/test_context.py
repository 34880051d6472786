"""Context scoping and cue matching, negspacy-style: inline (text, expected) cases."""

import pytest

from pipeline.codebook import load_codebook, load_cues
from pipeline.nlp import load_nlp, normalise, sentence_tags
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def nlp():
    cb = load_codebook(ROOT / "corpus" / "codebook.csv")
    return load_nlp("blank:en", load_cues(ROOT / "corpus" / "cues.yaml", cb))


@pytest.mark.parametrize(
    "text, tag",
    [
        ("There was no evidence of neglect.", "cue:neglect:neg"),
        ("Police checks found no history of domestic abuse.", "cue:domestic_abuse:neg"),
        ("Domestic abuse was ruled out by the police.", "cue:domestic_abuse:neg"),
        ("The review considered whether domestic abuse was understood.", "cue:domestic_abuse:hyp"),
        ("Research shows that neglect is often cumulative.", "cue:neglect:gen"),
        ("The mother had herself been in foster care as a child.", "cue:looked_after:oth"),
        # present but missed: the "not" negates the professionals' action, not the theme
        ("The neglect was not recognised by the health visitor.", "cue:neglect"),
        ("Information was not shared between the school and the GP.", "cue:information_sharing"),
        ("He was not brought to three dental appointments.", "cue:neglect"),
        ("Her attendance fell to 61% and she was excluded twice.", "cue:school_absence"),
    ],
)
def test_cue_context(nlp, text, tag):
    doc = nlp(text)
    assert tag in sentence_tags(doc[:]), sentence_tags(doc[:])


def test_negation_stops_at_but(nlp):
    doc = nlp("There was no bruising on the first visit but a fracture was found in May.")
    norm = normalise(doc[:]).split()
    assert "neg_bruising" in norm or "neg_bruise" in norm
    assert "fracture" in norm


def test_digits_and_context_prefix(nlp):
    doc = nlp("Attendance was 61% in 2021.")
    assert normalise(doc[:]) == "attendance be ## in ####"  # "%" is punctuation


def test_lemmas_are_used_for_cues(nlp):
    doc = nlp("The baby co-slept with his parents on a sofa.")
    assert any(t.startswith("cue:unsafe_sleep") for t in sentence_tags(doc[:]))
