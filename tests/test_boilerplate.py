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
