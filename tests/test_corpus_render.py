"""The text format, the hand-written reader and the PDF renderer (text extracted back with pdfplumber)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from pipeline.corpus.render import render_pdf, render_review
from pipeline.corpus.textformat import ReviewText, TextBlock, parse_markdown, parse_plain_text, write_markdown
from pipeline.errors import CorpusError

PARAS = [
    "1.1 The health visitor completed the new birth visit at home and weighed the baby, recording steady growth.",
    "1.2 Practitioners at the learning event said that supervision helped them to think about what life was like for the child.",
]
PLAIN = """ASHCOMBE SAFEGUARDING CHILDREN PARTNERSHIP

LOCAL CHILD SAFEGUARDING PRACTICE REVIEW

CHILD Q (aged 7)
Independent reviewer: A. N. Author
Published: May 2024


1. INTRODUCTION

1.1 Child Q is a seven-year-old girl who lives with her mother and grandmother in a small terraced house near the town centre of Ashcombe.

What happened next

1.2 The review covers the period from January 2022 to the incident, and the key lines of enquiry were:
- How well did agencies understand her daily life?
- How was information shared?


GLOSSARY

GP: general practitioner.
DSL: designated safeguarding lead.
"""


def _text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _review(layout: dict[str, object], contents: bool = False) -> ReviewText:
    blocks = [TextBlock("h1", "1. Introduction"), TextBlock("paragraph", PARAS[0]),
              TextBlock("bullet", "A bullet about the child's voice."),
              TextBlock("h1", "2. Chronology"),
              TextBlock("table", rows=(("Date", "Agency", "Event"), ("3 May 2022", "GP practice", "Routine check, no concerns."))),
              TextBlock("paragraph", PARAS[1])]
    front = {"title": "Review: Child Q", "cover": ["Ashcombe Safeguarding Children Partnership", "Local Child Safeguarding Practice Review", "Child Q"],
             "contents": contents, "layout": layout}
    return parse_markdown(write_markdown(front, blocks))


def test_markdown_round_trip():
    review = _review({"font": "times"})
    assert [b.kind for b in review.blocks] == ["h1", "paragraph", "bullet", "h1", "table", "paragraph"]
    assert review.blocks[4].rows[1] == ("3 May 2022", "GP practice", "Routine check, no concerns.")
    assert review.layout == {"font": "times"} and review.cover[2] == "Child Q"


def test_bad_front_matter_is_an_error():
    with pytest.raises(CorpusError, match="never ends"):
        parse_markdown("---\ntitle: x\n", "x.md")


def test_plain_text_reader_finds_cover_headings_bullets():
    review = parse_plain_text(PLAIN, "child-q.txt")
    assert review.cover[0] == "ASHCOMBE SAFEGUARDING CHILDREN PARTNERSHIP" and review.cover[-1] == "Published: May 2024"
    kinds = [(b.kind, b.text[:20]) for b in review.blocks]
    assert kinds[0] == ("h1", "1. INTRODUCTION")
    assert ("h2", "What happened next") in kinds
    assert sum(k == "bullet" for k, _ in kinds) == 2
    assert ("h1", "GLOSSARY") in kinds and ("paragraph", "GP: general practiti") in kinds


def test_one_column_pdf_contains_the_paragraphs_and_footer(tmp_path):
    path = tmp_path / "one.pdf"
    pages = render_review(_review({"font": "times", "size": 11, "columns": 1, "footer": "page_n_of_m",
                                   "header": "OFFICIAL-SENSITIVE", "cover_page": True, "justify": True}, contents=True), path)
    text = _text(path)
    flat = _flat(text)
    for para in PARAS:
        assert para in flat
    assert f"Page 1 of {pages}" not in flat  # no footer on the cover page
    assert f"Page 2 of {pages}" in flat and "OFFICIAL-SENSITIVE" in flat
    assert "Contents" in flat and ". . ." in text or "...." in text.replace(" ", "")  # dotted leaders
    assert "\u2022" in text  # a real bullet glyph


def test_two_column_letter_pdf_and_determinism(tmp_path):
    review = _review({"font": "helvetica", "columns": 2, "page": "letter", "footer": "dash_n_dash", "table_style": "shaded"})
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_review(review, a)
    render_review(review, b)
    assert a.read_bytes() == b.read_bytes()
    with pdfplumber.open(a) as pdf:
        page = pdf.pages[0]
        assert round(page.width) == 612
        left = page.crop((0, 0, page.width / 2, page.height)).extract_text() or ""
    assert "health visitor" in _flat(left) and "- 1 -" in _text(a)


def test_plain_text_review_renders(tmp_path):
    path = tmp_path / "child-q.pdf"
    render_review(parse_plain_text(PLAIN, "child-q.txt"), path, name="child-q.txt")
    flat = _flat(_text(path))
    assert "Child Q is a seven-year-old girl who lives with her mother" in flat
    assert "How was information shared?" in flat


def test_skeleton_entry_point_still_works(tmp_path):
    path = tmp_path / "s.pdf"
    render_pdf([("heading", "1. Background"), ("paragraph", "A short paragraph about the family.")], path, header="OFFICIAL")
    flat = _flat(_text(path))
    assert "A short paragraph about the family." in flat and "Page 1 of 1" in flat


def test_narrow_number_column_in_two_columns(tmp_path):
    rows = (("No.", "Recommendation"),) + tuple((str(i), "The Partnership should seek assurance that " * 3) for i in range(1, 12))
    review = ReviewText({"title": "t", "cover": [], "contents": False,
                         "layout": {"columns": 2, "size": 12, "margin_cm": 2.5}}, [TextBlock("table", rows=rows)])
    render_review(review, tmp_path / "t.pdf")
    assert "Recommendation" in _text(tmp_path / "t.pdf")
