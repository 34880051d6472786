"""Review text -> PDF, with reportlab (used for the sample corpus and test fixtures).

Consumes a review as a list of (kind, text) pairs: ("heading", ...) or ("paragraph", ...).
Produces a PDF with a running header and a "Page N of M" footer, like a Word export.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

Item = tuple[str, str]


def render_pdf(items: Sequence[Item], path: Path, header: str = "OFFICIAL", title: str = "Review") -> None:
    """Write `items` to `path` as a one-column A4 PDF with running header and footer."""
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=8)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=13, leading=17, spaceBefore=10, spaceAfter=6)

    total_pages: list[int] = [0]

    def decorate(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, A4[1] - 1.2 * cm, header)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {doc.page} of {total_pages[0] or '?'}")
        canvas.restoreState()

    def story() -> list[object]:
        flow: list[object] = []
        for kind, text in items:
            style = head if kind == "heading" else body
            flow.append(Paragraph(escape(text), style))
        flow.append(Spacer(1, 1))
        return flow

    path.parent.mkdir(parents=True, exist_ok=True)
    # Two passes: the first counts pages so the footer can say "of M".
    for _ in range(2):
        doc = SimpleDocTemplate(str(path), pagesize=A4, title=title, author="review-themes corpus", invariant=1,
                                leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2.2 * cm, bottomMargin=2.2 * cm)
        doc.build(story(), onFirstPage=decorate, onLaterPages=decorate)
        total_pages[0] = doc.page
