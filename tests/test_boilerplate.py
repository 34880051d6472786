from pipeline.boilerplate import cue_count, mark_boilerplate
from pipeline.records import Block, SectionKind

PURPOSE = (
    "The purpose of reviews of serious child safeguarding cases, at both local and national level, is to "
    "identify improvements to be made to safeguard and promote the welfare of children."
)


def test_statutory_purpose_is_boilerplate_in_the_introduction():
    blocks = [
        Block("paragraph", PURPOSE, 1, SectionKind.INTRODUCTION),
        Block("paragraph", "Child T is a nine-year-old boy with autism.", 1, SectionKind.INTRODUCTION),
        Block("paragraph", "Agencies were not working together well.", 2, SectionKind.INTRODUCTION),
        Block("paragraph", "As Working Together says, assessments should be timely.", 5, SectionKind.FINDINGS),
    ]
    assert [b.boilerplate for b in mark_boilerplate(blocks)] == [True, False, False, False]


def test_cues():
    assert cue_count("Working Together to Safeguard Children (2018) and the Children Act 2004") == 2
    assert cue_count("where abuse or neglect is known or suspected and a child has died or been seriously harmed") >= 1
    assert cue_count("The mother said the house was cold.") == 0


def test_the_quick_word_test_never_hides_a_cue():
    from pipeline.boilerplate import _CUES

    texts = [
        PURPOSE,
        "WORKING TOGETHER TO SAFEGUARD CHILDREN sets out when a review is held.",
        "The Purpose Of This Local Child Safeguarding Practice Review is to learn.",
        "Where a child Dies Or Is Seriously Harmed, or on the death or serious injury of a child.",
        "It is not the purpose of the review to apportion blame or hold individuals to account.",
        "Regulation 5 of the Local Safeguarding Children Boards Regulations; Children and Social Work Act 2017.",
        "What could have been done differently? Safeguarding partners must notify the national panel.",
        "Neglect or abuse was suspected; the Children Act 2004 applies \u2013 Working Together (2018).",
        "Les partenaires: abuse or neglect is known \u00e9t\u00e9 and improvements to be made.",
        "The mother said the house was cold.",
    ]
    for text in texts:
        assert cue_count(text) == sum(1 for c in _CUES if c.search(text)), text
