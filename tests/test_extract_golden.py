"""Each layout quirk's PDF -> clean Markdown, compared with tests/golden/extract/<quirk>.md.

After an intended change: `.venv/bin/python -m pytest tests/test_extract_golden.py --update-golden`,
then read the diff of tests/golden/extract/ before committing it.
"""

from pathlib import Path

import pytest

from pipeline.config import ExtractConfig
from pipeline.extract import extract_review
from pipeline.markdown import review_markdown
from pipeline.records import ExtractedReview, SectionKind
from tests.fixtures.quirks import FILLER, QUIRKS

GOLDEN = Path(__file__).parent / "golden" / "extract"
CFG = ExtractConfig()


def _extract(folder: Path, name: str) -> ExtractedReview:
    return extract_review(folder / f"{name}.pdf", folder, CFG)


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_golden_markdown(quirk_pdfs: Path, name: str, request: pytest.FixtureRequest) -> None:
    text = review_markdown(_extract(quirk_pdfs, name))
    golden = GOLDEN / f"{name}.md"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}: run pytest with --update-golden"
    assert text == golden.read_text(encoding="utf-8")


def _body(review: ExtractedReview) -> str:
    return "\n".join(b.text for b in review.blocks)


def test_header_footer_removed(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "header_footer")
    assert review.pages >= 3
    body = _body(review)
    for running in ("OFFICIAL", "Page ", "Northmoor Safeguarding Children Partnership", "Local Child Safeguarding"):
        assert running not in body
    paragraphs = [b for b in review.blocks if b.kind == "paragraph"]
    assert len(paragraphs) == 30  # none cut by a page break
    assert all(b.text.endswith("safe sleeping arrangements.") for b in paragraphs)


def test_hyphenation_joined_but_compounds_kept(quirk_pdfs: Path) -> None:
    body = _body(_extract(quirk_pdfs, "hyphenation"))
    for word in ("paediatrician", "visitor", "consultant", "neglect", "Agencies", "information", "childcare"):
        assert word in body
    for compound in ("multi-agency", "self-harm", "co-sleeping", "long-standing", "mother-in-law"):
        assert compound in body
    assert "paedi-" not in body and "neg-" not in body


def test_two_columns_read_in_order(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "two_columns")
    paragraphs = [b.text for b in review.blocks if b.kind == "paragraph"]
    assert paragraphs == [f"Column paragraph {i}. {FILLER * 1}".strip() for i in range(1, 9)]
    assert review.blocks[0].text == "Local Child Safeguarding Practice Review: Child W"


def test_contents_dropped(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "contents_page")
    headings = [b.text for b in review.blocks if b.kind == "heading"]
    assert headings == ["1. Introduction", "2. Background", "3. Analysis and findings", "4. Recommendations"]
    assert "Contents" not in _body(review) and "...." not in _body(review)
    assert review.blocks[0].page == 2


def test_bullets_from_cid_glyphs(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "bullets")
    items = [b for b in review.blocks if b.bullet]
    assert [b.text[:20] for b in items] == ["Practitioners should", "Referrals should be ", "Supervision should t"]
    assert items[0].text.endswith("doing and saying.")
    assert "(cid:" not in _body(review)
    assert review.blocks[-1].text == "These points were agreed by the panel." and not review.blocks[-1].bullet


def test_page_spanning_paragraph_whole(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "page_spanning_paragraph")
    paragraphs = [b for b in review.blocks if b.kind == "paragraph"]
    assert [b.para_id for b in paragraphs] == [f"3.{i}" for i in range(1, 9)]
    assert all(b.text == (FILLER * 3).strip() for b in paragraphs)
    assert len({b.page for b in paragraphs}) == 2


def test_boilerplate_marked(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "boilerplate_purpose")
    by_id = {b.para_id: b for b in review.blocks if b.para_id}
    assert by_id["1.1"].boilerplate and by_id["1.1"].section == SectionKind.INTRODUCTION
    assert not by_id["1.2"].boilerplate
    assert not by_id["2.1"].boilerplate and by_id["2.1"].section == SectionKind.FINDINGS


def test_cover_metadata(quirk_pdfs: Path) -> None:
    meta = _extract(quirk_pdfs, "cover_metadata").meta
    assert meta.title == "Local Child Safeguarding Practice Review Baby Q"
    assert meta.partnership == "Northmoor Safeguarding Children Partnership"
    assert (meta.year, meta.month) == (2024, 3)
    assert meta.review_type == "LCSPR"
    assert meta.child == "Baby Q"
    assert meta.incident == "serious_harm"
    assert meta.child_age == 0.21


def test_textless_page_counted(quirk_pdfs: Path) -> None:
    review = _extract(quirk_pdfs, "textless_page")
    assert review.textless_pages == (2,)
    assert review.pages == 4
    assert {b.page for b in review.blocks} == {1, 3, 4}


def test_sentences_inherit_page_section_and_boilerplate(quirk_pdfs: Path) -> None:
    from pipeline.config import NlpConfig
    from pipeline.nlp import split_sentences

    sentences = split_sentences(_extract(quirk_pdfs, "boilerplate_purpose"), NlpConfig())
    purpose = next(s for s in sentences if "purpose" in s.text)
    case = next(s for s in sentences if "head injury" in s.text)
    assert purpose.boilerplate and not case.boilerplate
    assert case.section == SectionKind.INTRODUCTION and case.page == 1
