import pytest

from pipeline.layout import Line, Typography, Word
from pipeline.records import Block, SectionKind
from pipeline.sections import assign_sections, drop_contents, heading_depth, is_heading_line, kind_of_heading


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("1. Introduction", SectionKind.INTRODUCTION),
        ("Circumstances leading to the review", SectionKind.INTRODUCTION),
        ("Purpose of the review", SectionKind.INTRODUCTION),
        ("2. Terms of reference and key lines of enquiry", SectionKind.TERMS_OF_REFERENCE),
        ("3. METHODOLOGY AND FAMILY INVOLVEMENT", SectionKind.TERMS_OF_REFERENCE),
        ("4 Background", SectionKind.BACKGROUND),
        ("Family history", SectionKind.BACKGROUND),
        ("5. Summary of professional involvement", SectionKind.CHRONOLOGY),
        ("Chronology of key events", SectionKind.CHRONOLOGY),
        ("6. Analysis and findings", SectionKind.FINDINGS),
        ("Finding 2: the voice of the child", SectionKind.FINDINGS),
        ("Learning for the partnership", SectionKind.FINDINGS),
        ("Conclusions and recommendations", SectionKind.FINDINGS),
        ("7. Good practice", SectionKind.GOOD_PRACTICE),
        ("8. Recommendations", SectionKind.RECOMMENDATIONS),
        ("Glossary", SectionKind.GLOSSARY),
        ("Appendix 1: terms of reference", SectionKind.GLOSSARY),
        ("Contents", SectionKind.FRONT_MATTER),
        ("Local Child Safeguarding Practice Review", None),
        ("Neglect", None),
    ],
)
def test_kind_of_heading(heading, kind):
    assert kind_of_heading(heading) == kind


def test_heading_depth():
    assert heading_depth("4 Background") == 1
    assert heading_depth("4.2 The family") == 2
    assert heading_depth("Background") is None


def _line(text: str, size: float = 10.0, bold: bool = False, page: int = 1, top: float = 100.0) -> Line:
    words, x = [], 60.0
    for t in text.split():
        words.append(Word(t, x, x + 5 * len(t), top, top + size, size, bold))
        x += 5 * len(t) + 3
    return Line(page, "full", words)


TYPO = Typography(10.0, 12.0, {"full": 500.0})


def test_heading_lines():
    assert is_heading_line(_line("1. Introduction", 14, True), TYPO)
    assert is_heading_line(_line("Key practice episode", 10, True), TYPO)
    assert is_heading_line(_line("4. BACKGROUND"), TYPO)
    assert not is_heading_line(_line("The family moved to the area in 2019."), TYPO)
    assert not is_heading_line(_line("This sentence is bold for emphasis.", 10, True), TYPO)
    assert not is_heading_line(_line("Footnote text", 7, True), TYPO)


def test_contents_without_page_numbers_dropped_by_later_headings():
    lines = [_line(t) for t in ("Contents", "1. Introduction", "2. Background", "1. Introduction", "Text.", "2. Background", "More.")]
    kept, dropped = drop_contents(lines)
    assert [ln.text for ln in kept] == ["1. Introduction", "Text.", "2. Background", "More."]
    assert dropped == 3


def test_sub_headings_inherit_and_cover_is_front_matter():
    blocks = [
        Block("heading", "Local Child Safeguarding Practice Review: Child T", 1),
        Block("paragraph", "Published May 2024", 1),
        Block("heading", "6. Analysis", 2),
        Block("heading", "Neglect", 2),
        Block("paragraph", "Text.", 2),
        Block("heading", "7. Recommendations", 3),
        Block("paragraph", "Text.", 3),
    ]
    styles = [(20.0, True), None, (14.0, True), (11.0, True), None, (14.0, True), None]
    out = assign_sections(blocks, styles)
    assert [b.section for b in out] == [
        SectionKind.FRONT_MATTER,
        SectionKind.FRONT_MATTER,
        SectionKind.FINDINGS,
        SectionKind.FINDINGS,
        SectionKind.FINDINGS,
        SectionKind.RECOMMENDATIONS,
        SectionKind.RECOMMENDATIONS,
    ]
    assert [b.level for b in out if b.kind == "heading"] == [1, 1, 2, 1]


def test_no_headings_means_other():
    out = assign_sections([Block("paragraph", "Text.", 1)], [None])
    assert out[0].section == SectionKind.OTHER


_LONG = (
    "In November 2021 Dylan, aged thirteen, was found by a neighbour on the stairwell of a block of flats "
    "with serious facial injuries, and he told the police officer who came that he had fallen."
)


def test_a_case_narrative_before_the_first_named_heading_is_body_text():
    # found on a national case study and an easy-read summary: everything before the first numbered or
    # named heading was front matter, so the model never read the case (question headings such as
    # "What happened to Ellie?" are not named section kinds)
    blocks = [
        Block("heading", "What we learned from Ellie", 1),
        Block("paragraph", "Published: March 2025", 1),
        Block("paragraph", "What happened to Ellie?", 1),
        Block("paragraph", _LONG, 1),
        Block("paragraph", "Ellie is now getting help.", 1),
        Block("heading", "What we learned", 1),
        Block("paragraph", "Text.", 1),
    ]
    out = assign_sections(blocks, [(18.0, True), None, None, None, None, (14.0, True), None])
    assert [b.section for b in out] == [SectionKind.FRONT_MATTER] * 3 + [SectionKind.OTHER] * 2 + [SectionKind.FINDINGS] * 2


def test_a_cover_is_no_parent_section_of_the_body():
    # a cover page of headings only ("CHAPTER 4" is numbered), then the body on page 2 whose sub-heading
    # says nothing: it must not inherit front matter from the cover
    blocks = [
        Block("heading", "CHILD SAFEGUARDING PRACTICE REVIEW PANEL", 1),
        Block("heading", 'CHAPTER 4: CASE STUDY - "DYLAN"', 1),
        Block("heading", "Publication: October 2022", 1),
        Block("paragraph", _LONG, 2),
        Block("heading", "4.1 WHY THIS CASE WAS INCLUDED", 2),
        Block("paragraph", _LONG, 2),
        Block("heading", "4.3 DYLAN'S FAMILY", 2),
        Block("paragraph", _LONG, 2),
    ]
    styles = [(22.0, True), (14.0, False), (14.0, False), None, (14.0, True), None, (14.0, True), None]
    out = assign_sections(blocks, styles)
    assert [b.section for b in out[:3]] == [SectionKind.FRONT_MATTER] * 3
    assert SectionKind.FRONT_MATTER not in {b.section for b in out[3:]}


def test_a_numbered_heading_after_the_cover_on_page_one_opens_the_body():
    blocks = [
        Block("heading", "SALTMARSH QUAY SAFEGUARDING CHILDREN PARTNERSHIP 7-MINUTE BRIEFING", 1),
        Block("paragraph", "Published: February 2024", 1),
        Block("heading", "1. Getting to know Child D", 1),
        Block("paragraph", "In May 2023, Child D, then seventeen, suffered serious harm.", 1),
    ]
    out = assign_sections(blocks, [(12.0, True), None, (13.0, True), None])
    assert [b.section for b in out] == [SectionKind.FRONT_MATTER] * 2 + [SectionKind.OTHER] * 2


def test_a_foreword_and_its_sub_headings_stay_front_matter_however_long():
    # found by a review of the change: a sub-heading under the foreword ("A message from the Chair")
    # ended it, so the foreword was scored; page 2, after a real cover, so the cover rule is not what keeps it
    blocks = [
        Block("heading", "Local Child Safeguarding Practice Review: Child T", 1),
        Block("paragraph", "Published May 2024", 1),
        Block("heading", "Foreword", 2),
        Block("heading", "A message from the Chair", 2),
        Block("paragraph", _LONG, 2),
        Block("heading", "1. Introduction", 3),
        Block("paragraph", _LONG, 3),
    ]
    out = assign_sections(blocks, [(20.0, True), None, (14.0, True), (12.0, True), None, (14.0, True), None])
    assert [b.section for b in out] == [SectionKind.FRONT_MATTER] * 5 + [SectionKind.INTRODUCTION] * 2


def test_a_contents_list_run_together_is_not_where_the_body_begins():
    # found by a review of the change: drop_contents removes the "Contents" line and the entries it
    # can recognise; entries run together into one paragraph without page numbers stayed and were
    # taken for the first paragraph of the body
    run_together = (
        "Why this review was carried out 3. Scope and key lines of enquiry 4. How the review was done "
        "5. Family composition 6. Domestic abuse and the family 7. Findings 8. Recommendations"
    )
    blocks = [
        Block("heading", "Local Child Safeguarding Practice Review: Child T", 1),
        Block("paragraph", "Published May 2024", 1),
        Block("paragraph", run_together, 2),
        Block("heading", "Why this review was carried out", 3),
        Block("paragraph", _LONG, 3),
    ]
    out = assign_sections(blocks, [(20.0, True), None, None, (14.0, True), None])
    assert [b.section for b in out[:3]] == [SectionKind.FRONT_MATTER] * 3
    assert [b.section for b in out[3:]] == [SectionKind.INTRODUCTION] * 2
