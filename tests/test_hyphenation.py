import pytest

from pipeline.hyphenation import Dehyphenator, dictionary


@pytest.mark.parametrize(
    "head, tail, joined",
    [
        ("neg-", "lect.", "neglect."),  # in the document
        ("pae-", "diatric", "paediatric"),  # in the dictionary
        ("multi-", "agency", "multi-agency"),  # not a word when joined
        ("self-", "harm", "self-harm"),  # a compound prefix
        ("co-", "sleeping", "co-sleeping"),
        ("Anglo-", "Saxon", "Anglo-Saxon"),  # capital after the hyphen
        ("mother-in-", "law", "mother-in-law"),  # already a compound
        ("2019-", "20", "2019-20"),
        ("well-", "being", "well-being"),  # the document writes it hyphenated
    ],
)
def test_join(head, tail, joined):
    doc = Dehyphenator("The neglect of the child and her well-being".split())
    assert doc.join(head, tail) == joined


def test_document_usage_wins_over_dictionary():
    assert Dehyphenator(["wellbeing"]).join("well-", "being") == "wellbeing"
    assert Dehyphenator(["step-father", "step-father"]).join("step-", "father") == "step-father"


def test_dictionary_is_shipped():
    words = dictionary()
    assert len(words) > 100_000 and "safeguarding" in words


def test_word_key_strips_edge_punctuation():
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.hyphenation import word_key

    edge = re.compile(r"^[\W_]+|[\W_]+$")

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=8))
    def check(token):
        assert word_key(token) == edge.sub("", token).lower()

    check()
    assert word_key("Neglect.") == "neglect" and word_key("(2019)") == "2019" and word_key("_x_") == "x"
