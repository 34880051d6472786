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
