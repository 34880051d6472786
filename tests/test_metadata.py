from pipeline.metadata import reads_like_review, review_meta
from pipeline.records import Block, SectionKind


def _cover(*lines: str) -> list[Block]:
    return [Block("paragraph", t, 1, SectionKind.FRONT_MATTER) for t in lines]


def test_scr_executive_summary():
    blocks = [
        Block("heading", "BRACKENFOLD LOCAL SAFEGUARDING CHILDREN BOARD", 1, SectionKind.FRONT_MATTER),
        Block("heading", "SERIOUS CASE REVIEW IN RESPECT OF BABY J", 1, SectionKind.FRONT_MATTER),
        *_cover("Published October 2014"),
        Block("heading", "1. Circumstances leading to the review", 2, SectionKind.INTRODUCTION, level=1),
        Block(
            "paragraph",
            "In the early hours of a morning in March 2014, Baby J, then eleven weeks old, was taken by ambulance "
            "to hospital after his father called 999. Baby J was found to have bilateral subdural haemorrhages.",
            2,
            SectionKind.INTRODUCTION,
            para_id="1.1",
        ),
    ]
    meta = review_meta(blocks, [(14.0, True), (20.0, True), None, (13.0, True), None])
    assert meta.title == "Serious Case Review in Respect of Baby J"
    assert meta.partnership == "Brackenfold Local Safeguarding Children Board"
    assert (meta.year, meta.month) == (2014, 10)
    assert meta.review_type == "SCR"
    assert meta.child == "Baby J"
    assert meta.incident == "serious_harm"
    assert meta.child_age == 0.21


def test_nothing_stated_is_none():
    meta = review_meta(_cover("A report about services"), [None])
    assert meta.title is None and meta.partnership is None and meta.year is None and meta.review_type is None
    assert meta.child is None and meta.incident is None and meta.child_age is None


def test_death_age_in_years_and_not_the_mother():
    blocks = [
        Block("heading", "Rapid Review: Child K", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", "Child K's mother, aged 24, found him unresponsive. Child K, aged 3, died in hospital.", 1),
    ]
    meta = review_meta(blocks, [(18.0, True), None])
    assert meta.review_type == "rapid_review"
    assert meta.incident == "death"
    assert meta.child_age == 3.0


def test_statutory_wording_is_not_the_incident():
    blocks = [
        Block("heading", "Child Practice Review: Child M", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", "Reviews are held where a child dies or is seriously harmed.", 1, boilerplate=True),
        Block("paragraph", "Child M was known to services.", 1),
    ]
    meta = review_meta(blocks, [(18.0, True), None, None])
    assert meta.review_type == "CPR"
    assert meta.incident is None
    assert meta.child == "Child M"


def test_children_plural_and_numeric_publication_date():
    meta = review_meta(_cover("Children A and B", "Date of publication: 03/07/2023"), [None, None])
    assert meta.child == "Child A; Child B"
    assert (meta.year, meta.month) == (2023, 7)


def test_a_cover_heading_that_runs_the_partnership_into_the_title():
    # found on the sample briefings by an analyst's walk-through: the all-capitals partnership name
    # and a mixed-case title on one line, the age in brackets after the name, "children's hospital"
    blocks = [
        Block("heading", "RUSHBECK SAFEGUARDING CHILDREN PARTNERSHIP LEARNING BRIEFING Child Q (aged 11)", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", "On 13 November 2021 Child Q (11) was admitted to the children's hospital with serious injuries.", 1, SectionKind.BACKGROUND),
        Block("paragraph", "He lived with Ms D (34), his mother.", 1, SectionKind.BACKGROUND),
    ]
    meta = review_meta(blocks, [(14.0, True), None, None])
    assert meta.partnership == "Rushbeck Safeguarding Children Partnership"
    assert meta.child == "Child Q" and meta.child_age == 11.0
    assert meta.incident == "serious_harm"  # a sentence naming "children's" services is not generic


def test_a_bracketed_number_is_an_age_only_right_after_the_childs_name():
    blocks = [
        Block("heading", "Rapid Review: Child K", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", "Child K lived with his mother and her partner (29) in a flat.", 1, SectionKind.BACKGROUND),
    ]
    assert review_meta(blocks, [(18.0, True), None]).child_age is None
    blocks[1] = Block("paragraph", "Child K (seventeen) lived with his mother.", 1, SectionKind.BACKGROUND)
    assert review_meta(blocks, [(18.0, True), None]).child_age == 17.0


def test_a_quoted_pseudonym_on_the_cover_heading_names_the_child_when_no_title_is_found():
    blocks = [
        Block("heading", 'LARKHOLLOW SAFEGUARDING PARTNERSHIP Rapid Review Learning Briefing "Ellis"', 1, SectionKind.FRONT_MATTER),
        Block("paragraph", "Ellis was taken to hospital in September 2022, aged seven, with serious injuries.", 1, SectionKind.OTHER),
    ]
    meta = review_meta(blocks, [None, None])
    assert meta.partnership == "Larkhollow Safeguarding Partnership"
    assert meta.child == "Ellis" and meta.child_age == 7.0


_PROSE = (
    "Child E was two years old when her mother took her to hospital because she would not put weight on her "
    "left leg, and an X-ray found a fracture that no accidental explanation could account for."
)


def test_a_section_heading_larger_than_the_cover_is_not_the_title():
    # found on a Welsh review: the cover heading set smaller than the body's headings, so "the largest
    # heading on page 1" was two section headings joined
    blocks = [
        Block("heading", "BRO TAWEL REGIONAL SAFEGUARDING CHILDREN BOARD EXTENDED CHILD PRACTICE REVIEW", 1, SectionKind.FRONT_MATTER),
        *_cover("Date of publication: October 2018"),
        Block("heading", "LEGAL CONTEXT FROM GUIDANCE", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", _PROSE, 1, SectionKind.FRONT_MATTER),
        Block("heading", "1. BRIEF OUTLINE OF THE CIRCUMSTANCES", 1, SectionKind.FRONT_MATTER),
        Block("paragraph", _PROSE, 1, SectionKind.FRONT_MATTER),
    ]
    meta = review_meta(blocks, [(13.5, True), None, (14.5, True), None, (14.5, True), None])
    assert meta.title == "Bro Tawel Regional Safeguarding Children Board Extended Child Practice Review"


def test_opening_sections_and_numbered_headings_end_the_cover():
    cover = Block("heading", "THEMATIC CHILD SAFEGUARDING PRACTICE REVIEW", 1, SectionKind.FRONT_MATTER)
    for opening in ("FOREWORD", "1. SUMMARY", "Part One: Introduction", "SUMMARY"):
        blocks = [cover, Block("heading", opening, 1, SectionKind.FRONT_MATTER), Block("paragraph", "Short.", 1, SectionKind.FRONT_MATTER)]
        assert review_meta(blocks, [(14.5, True), (14.5, True), None]).title == "Thematic Child Safeguarding Practice Review", opening
    # with no cover heading before the body, there is no title (not the first section's name)
    blocks = [Block("heading", "1. Getting to know Child D", 1, SectionKind.OTHER), Block("paragraph", _PROSE, 1, SectionKind.OTHER)]
    assert review_meta(blocks, [(14.0, True), None]).title is None


def test_a_merged_cover_block_stops_at_its_reviewer_line_and_keeps_briefing_and_summary():
    blocks = [
        Block("heading", 'FENMERE SAFEGUARDING CHILDREN PARTNERSHIP LOCAL CHILD SAFEGUARDING PRACTICE REVIEW: "OSCAR" Reviewer: Tomasz Wilde', 1, SectionKind.FRONT_MATTER),
        Block("heading", "1. WHY THIS REVIEW WAS CARRIED OUT", 1, SectionKind.INTRODUCTION),
    ]
    assert review_meta(blocks, [(14.0, True), (15.0, True)]).title == (
        'Fenmere Safeguarding Children Partnership Local Child Safeguarding Practice Review: "Oscar"'
    )
    blocks = [
        Block("heading", "HOLLINBROOK SAFEGUARDING CHILDREN PARTNERSHIP", 1, SectionKind.FRONT_MATTER),
        Block("heading", "7-MINUTE BRIEFING", 1, SectionKind.FRONT_MATTER),
        Block("heading", "Published: March 2023", 1, SectionKind.FRONT_MATTER),
    ]
    meta = review_meta(blocks, [(21.0, True), (21.0, True), (13.0, False)])
    assert meta.title == "Hollinbrook Safeguarding Children Partnership: 7-Minute Briefing"
    assert (meta.year, meta.month) == (2023, 3)


def test_reads_like_review_tells_a_review_from_a_table_of_figures():
    review = [
        Block("paragraph", "Child M was fourteen when the school made a referral to children's social care. "
              "The social worker visited the child at home, and the police shared what they knew with the "
              "health visitor. The review found that practitioners did not hear the child's voice. " * 3, 2, SectionKind.FINDINGS),
    ]
    figures = [
        Block("paragraph", "Quarter ending 31 March: total receipts 4,512; expenditure on energy 1,203; "
              "variance against budget 2.4 per cent; carried forward to the next financial year. " * 5, 1, SectionKind.OTHER),
    ]
    assert reads_like_review(review)
    assert not reads_like_review(figures)
    assert reads_like_review([Block("paragraph", "Quarter ending 31 March: receipts 4,512.", 1)])  # too short to judge


def test_a_title_running_straight_into_its_text_is_kept_and_numbers_that_are_not_sections_stay():
    # found by a review of the change: a one-page briefing whose title is followed by its first
    # paragraph lost its title; "7 MINUTE BRIEFING" was taken for a numbered section heading
    blocks = [Block("heading", "7 Minute Briefing: Baby Q", 1, SectionKind.FRONT_MATTER), Block("paragraph", _PROSE, 1, SectionKind.FRONT_MATTER)]
    assert review_meta(blocks, [(18.0, True), None]).title == "7 Minute Briefing: Baby Q"
    blocks = [
        Block("heading", "HARTSMOOR SAFEGUARDING CHILDREN PARTNERSHIP", 1, SectionKind.FRONT_MATTER),
        Block("heading", "7 MINUTE BRIEFING", 1, SectionKind.FRONT_MATTER),
        Block("heading", "Section 1: Why a rapid review was held", 1, SectionKind.FRONT_MATTER),
    ]
    assert review_meta(blocks, [(20.0, True), (20.0, True), (20.0, True)]).title == (
        "Hartsmoor Safeguarding Children Partnership: 7 Minute Briefing"
    )


def test_reference_numbers_are_not_part_of_the_title():
    for cover in (
        "TELLOW REGIONAL SAFEGUARDING BOARD EXTENDED CHILD PRACTICE REVIEW Report reference: TLRSCB 03/2018",
        "TELLOW REGIONAL SAFEGUARDING BOARD EXTENDED CHILD PRACTICE REVIEW Serious incident notification ref: RSCP/2023/07",
    ):
        blocks = [Block("heading", cover, 1, SectionKind.FRONT_MATTER), Block("heading", "1. Introduction", 1, SectionKind.INTRODUCTION)]
        assert review_meta(blocks, [(16.0, True), (14.0, True)]).title == "Tellow Regional Safeguarding Board Extended Child Practice Review"


def test_review_type_named_by_a_front_matter_heading_after_a_cover_page_of_the_partnership_name():
    # a Welsh extended CPR whose first page holds only the board's name (found in written-eval e20)
    blocks = [
        Block("heading", "BRO HAFREN REGIONAL SAFEGUARDING CHILDREN BOARD", 1, SectionKind.FRONT_MATTER),
        Block("heading", "EXTENDED CHILD PRACTICE REVIEW", 2, SectionKind.FRONT_MATTER),
        Block("heading", "Re: BHRSCB 02/2017 - Child D", 2, SectionKind.FRONT_MATTER),
        Block("paragraph", "Published: April 2018", 2, SectionKind.FRONT_MATTER),
        Block("heading", "1. LEGAL CONTEXT", 2, SectionKind.OTHER, level=1),
        # a body heading naming another kind of review is not the review's own kind
        Block("heading", "2. Learning from the serious case review of 2012", 3, SectionKind.OTHER, level=1),
    ]
    meta = review_meta(blocks, [(16.0, True), (16.0, True), (12.0, True), None, (12.0, True), (12.0, True)])
    assert meta.review_type == "CPR"
    body_only = review_meta([blocks[0], *blocks[4:]], [(16.0, True), (12.0, True), (12.0, True)])
    assert body_only.review_type is None


def test_a_thematic_local_review_is_thematic():
    blocks = [Block("heading", "THEMATIC LOCAL CHILD SAFEGUARDING PRACTICE REVIEW", 1, SectionKind.FRONT_MATTER)]
    assert review_meta(blocks, [(18.0, True)]).review_type == "thematic"
