from pipeline.markdown import review_markdown
from pipeline.records import Block, ExtractedReview, SectionKind


def test_markdown_layout():
    review = ExtractedReview(
        "r",
        "r.pdf",
        "0" * 64,
        3,
        (
            Block("heading", "1. Introduction", 1, SectionKind.INTRODUCTION, level=1),
            Block("paragraph", "The purpose of reviews is set out in Working Together.", 1, SectionKind.INTRODUCTION, "1.1", boilerplate=True),
            Block("heading", "Findings", 3, SectionKind.FINDINGS, level=2),
            Block("paragraph", "Referrals were not acknowledged.", 3, SectionKind.FINDINGS, bullet=True),
            Block("paragraph", "# not a heading", 3, SectionKind.FINDINGS),
        ),
    )
    assert review_markdown(review) == (
        "<!-- page 1 -->\n\n<!-- section: introduction -->\n\n# 1. Introduction\n\n<!-- boilerplate -->\n\n"
        "1.1 The purpose of reviews is set out in Working Together.\n\n<!-- page 2 -->\n\n<!-- page 3 -->\n\n"
        "<!-- section: findings -->\n\n## Findings\n\n- Referrals were not acknowledged.\n\n\\# not a heading\n"
    )
