"""Review text -> PDF with reportlab platypus, laid out the way real Word/PDF exports vary.

Consumes a `ReviewText` (front matter with cover lines and layout hints, and body blocks: headings,
paragraphs, bullets, tables, contents lines) and writes one PDF. The layout hints (font, size, one or
two columns, running header, footer style, page size, justification, cover page, contents page with
dotted leaders, heading colour and case, table style, bullet glyph) come from the generator; a review
without hints (a hand-written one) gets a layout chosen deterministically from its file name. PDFs
are deterministic: reportlab's `invariant` mode fixes dates and document ids.

`render_pdf(items, path)` keeps the skeleton's simple entry point: a list of ("heading" | "paragraph",
text) pairs -> a one-column A4 PDF with a running header and a "Page N of M" footer.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from pipeline.corpus.textformat import ReviewText, TextBlock
from pipeline.errors import CorpusError

Item = tuple[str, str]

def _register_vera() -> None:
    """Bitstream Vera (shipped with reportlab): a sans face with a real bullet glyph that text
    extraction maps back to U+2022 (the standard Type 1 fonts encode the bullet ambiguously)."""
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        for name, file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf"), ("Vera-Italic", "VeraIt.ttf")):
            pdfmetrics.registerFont(TTFont(name, file))


_register_vera()

FONTS: dict[str, tuple[str, str, str]] = {  # regular, bold, italic
    "helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    "arial-like": ("Vera", "Vera-Bold", "Vera-Italic"),
    "times": ("Times-Roman", "Times-Bold", "Times-Italic"),
    "courier": ("Courier", "Courier-Bold", "Courier-Oblique"),
}
COLOURS: dict[str, colors.Color] = {
    "black": colors.black, "navy": colors.HexColor("#1F3864"), "teal": colors.HexColor("#00606B"),
    "maroon": colors.HexColor("#7B1F3A"), "purple": colors.HexColor("#4B2C6F"),
}
BULLETS = ("\u2022", "\u2013", "\u00bb")
DEFAULT_LAYOUT: dict[str, Any] = {
    "font": "helvetica", "size": 11, "columns": 1, "header": "OFFICIAL", "footer": "page_n_of_m", "page": "a4",
    "justify": False, "cover_page": False, "heading_case": "as_written", "heading_colour": "black",
    "table_style": "grid", "bullet": "\u2022", "margin_cm": 2.2,
}


def layout_for(name: str, kind: str = "") -> dict[str, Any]:
    """A layout chosen deterministically from a file name (for reviews without layout hints)."""
    rng = random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))
    return {
        "font": rng.choice(["helvetica", "times", "arial-like", "times", "helvetica"]),
        "size": rng.choice([10, 10.5, 11, 11.5, 12]),
        "columns": 1,
        "header": rng.choice(["OFFICIAL", "OFFICIAL-SENSITIVE", "Final report", "title", "none"]),
        "footer": rng.choice(["page_n_of_m", "n", "dash_n_dash", "page_n"]),
        "page": "letter" if rng.random() < 0.2 else "a4",
        "justify": rng.random() < 0.4,
        "cover_page": rng.random() < 0.6,
        "heading_case": "as_written",
        "heading_colour": rng.choice(["black", "navy", "teal"]),
        "table_style": rng.choice(["grid", "lines", "shaded"]),
        "bullet": "\u2022",
        "margin_cm": rng.choice([2.0, 2.2, 2.5]),
    }


class _Styles:
    """Paragraph styles for one layout."""

    def __init__(self, lay: dict[str, Any]) -> None:
        regular, bold, italic = FONTS.get(str(lay["font"]), FONTS["helvetica"])
        size = float(lay["size"])
        colour = COLOURS.get(str(lay["heading_colour"]), colors.black)
        align = TA_JUSTIFY if lay["justify"] else TA_LEFT
        self.font, self.bold, self.italic = regular, bold, italic
        self.body = ParagraphStyle("body", fontName=regular, fontSize=size, leading=size * 1.32, spaceAfter=size * 0.6,
                                   alignment=align)
        self.bullet = ParagraphStyle("bullet", parent=self.body, leftIndent=size * 1.6, bulletIndent=size * 0.4,
                                     spaceAfter=size * 0.3, bulletFontName="Vera", bulletFontSize=size)
        self.h1 = ParagraphStyle("h1", fontName=bold, fontSize=size + 3, leading=(size + 3) * 1.25,
                                 spaceBefore=size * 1.1, spaceAfter=size * 0.6, textColor=colour, keepWithNext=1)
        self.h2 = ParagraphStyle("h2", fontName=bold if lay.get("font") != "times" else italic, fontSize=size + 1,
                                 leading=(size + 1) * 1.25, spaceBefore=size * 0.6, spaceAfter=size * 0.4,
                                 textColor=colour, keepWithNext=1)
        self.cell = ParagraphStyle("cell", fontName=regular, fontSize=size - 1.5, leading=(size - 1.5) * 1.25)
        self.cell_head = ParagraphStyle("cellhead", parent=self.cell, fontName=bold)
        self.cover_big = ParagraphStyle("coverbig", fontName=bold, fontSize=size + 11, leading=(size + 11) * 1.2,
                                        alignment=TA_CENTER, textColor=colour, spaceAfter=18)
        self.cover = ParagraphStyle("cover", fontName=regular, fontSize=size + 3, leading=(size + 3) * 1.3,
                                    alignment=TA_CENTER, spaceAfter=10)
        self.title_block = ParagraphStyle("titleblock", fontName=bold, fontSize=size + 2, leading=(size + 2) * 1.3,
                                          spaceAfter=4, textColor=colour)
        self.toc_title = ParagraphStyle("toctitle", parent=self.h1)
        self.toc_levels = [
            ParagraphStyle("toc1", fontName=regular, fontSize=size, leading=size * 1.5, leftIndent=0,
                           firstLineIndent=0),
            ParagraphStyle("toc2", fontName=regular, fontSize=size - 0.5, leading=size * 1.4, leftIndent=size * 1.5,
                           firstLineIndent=0),
        ]


class _ReviewDoc(BaseDocTemplate):
    """A doc template that reports level-1 headings to the table of contents."""

    def afterFlowable(self, flowable: object) -> None:  # noqa: N802 - reportlab's hook name
        level = getattr(flowable, "_toc_level", None)
        if level is not None:
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))  # type: ignore[attr-defined]


def _canvas_maker(decorate: Any) -> type[Canvas]:
    """A canvas that knows the page count when it draws headers and footers ("Page N of M")."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab API
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                decorate(self, self._pageNumber, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _heading_text(text: str, lay: dict[str, Any]) -> str:
    return text.upper() if lay.get("heading_case") == "upper" else text


def _table(block: TextBlock, st: _Styles, width: float, lay: dict[str, Any]) -> Table:
    rows = [list(r) for r in block.rows if r]
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    lengths = [max(1, sum(len(r[c]) for r in rows) / len(rows)) for c in range(ncols)]
    lengths = [max(v, 6) for v in lengths]
    # Short columns (numbers, dates) get what their longest cell needs; the rest share what is left.
    narrow = {c: min(width / ncols, max(1.3 * cm, 0.55 * st.cell.fontSize * max(len(r[c]) for r in rows) + 10))
              for c in range(ncols) if max(len(r[c]) for r in rows) <= 12}
    rest = width - sum(narrow.values())
    total = sum(v for c, v in enumerate(lengths) if c not in narrow) or 1
    widths = [narrow[c] if c in narrow else rest * lengths[c] / total for c in range(ncols)]
    data = [[Paragraph(escape(c), st.cell_head if i == 0 else st.cell) for c in r] for i, r in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 4),
             ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    kind = lay.get("table_style", "grid")
    if kind == "grid":
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.grey))
    elif kind == "lines":
        style += [("LINEBELOW", (0, 0), (-1, 0), 1, colors.black), ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey)]
    else:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#D9E2F3")),
                  ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F2F2")]),
                  ("BOX", (0, 0), (-1, -1), 0.5, colors.grey)]
    table.setStyle(TableStyle(style))
    return table


def _story(review: ReviewText, st: _Styles, lay: dict[str, Any], frame_width: float) -> list[object]:
    flow: list[object] = []
    cover = review.cover
    if lay.get("cover_page") and cover:
        flow.append(Spacer(1, 5 * cm))
        for i, line in enumerate(cover):
            flow.append(Paragraph(escape(line), st.cover_big if i in (0, 1) else st.cover))
        flow += [NextPageTemplate("body"), PageBreak()]
    elif cover:
        flow += [Paragraph(escape(line), st.title_block if i < 3 else st.body) for i, line in enumerate(cover)]
        flow.append(Spacer(1, 12))
    if review.front.get("contents") and any(b.kind == "h1" for b in review.blocks):
        toc = TableOfContents(dotsMinLevel=0)
        toc.levelStyles = st.toc_levels
        flow += [Paragraph(_heading_text("Contents", lay), st.toc_title), toc, PageBreak()]
    bullet = str(lay.get("bullet") or "\u2022")
    if bullet not in BULLETS:
        bullet = "\u2022"
    for block in review.blocks:
        if block.kind in ("h1", "h2"):
            p = Paragraph(escape(_heading_text(block.text, lay)), st.h1 if block.kind == "h1" else st.h2)
            if block.kind == "h1":
                p._toc_level = 0  # type: ignore[attr-defined]
            flow.append(p)
        elif block.kind == "bullet":
            flow.append(Paragraph(escape(block.text), st.bullet, bulletText=bullet))
        elif block.kind == "table" and block.rows:
            flow.append(_table(block, st, frame_width, lay))
            flow.append(Spacer(1, 8))
        elif block.kind == "contents":
            flow.append(KeepTogether([Paragraph(escape(line), st.body) for line in block.text.splitlines() if line.strip()]))
        elif block.text:
            flow.append(Paragraph(escape(block.text), st.body))
    flow.append(Spacer(1, 1))
    return flow


def render_review(review: ReviewText, path: Path, name: str | None = None) -> int:
    """Write `review` to `path` as a PDF laid out by its hints; returns the page count.
    Raises CorpusError when reportlab cannot lay the review out."""
    lay = dict(DEFAULT_LAYOUT)
    hints = review.layout
    lay.update(layout_for(name or path.stem) if not hints else {})
    lay.update(hints)
    st = _Styles(lay)
    pagesize = LETTER if lay.get("page") == "letter" else A4
    margin = float(lay.get("margin_cm", 2.2)) * cm
    width, height = pagesize
    columns = 2 if int(lay.get("columns", 1) or 1) == 2 else 1
    gap = 0.8 * cm
    frame_w = (width - 2 * margin - (gap if columns == 2 else 0)) / columns
    body_frames = [Frame(margin + i * (frame_w + gap), margin, frame_w, height - 2 * margin, id=f"col{i}",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0) for i in range(columns)]
    cover_frame = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="cover")
    header = str(lay.get("header") or "")
    if header == "title":
        header = review.title
    if header == "none":
        header = ""
    footer = str(lay.get("footer") or "page_n_of_m")
    has_cover = bool(lay.get("cover_page") and review.cover)
    regular = st.font

    def decorate(canvas: Canvas, page: int, total: int) -> None:
        if has_cover and page == 1:
            return
        canvas.saveState()
        canvas.setFont(regular, 8)
        if header:
            text = header if len(header) < 95 else header[:92] + "..."
            if header.startswith("OFFICIAL"):
                canvas.drawCentredString(width / 2, height - margin * 0.55, text)
            else:
                canvas.drawString(margin, height - margin * 0.55, text)
        label = {"page_n_of_m": f"Page {page} of {total}", "n": f"{page}", "dash_n_dash": f"- {page} -",
                 "page_n": f"Page {page}"}.get(footer, f"{page}")
        if footer == "n":
            canvas.drawRightString(width - margin, margin * 0.5, label)
        else:
            canvas.drawCentredString(width / 2, margin * 0.5, label)
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _ReviewDoc(str(path), pagesize=pagesize, title=review.title, author="review-themes corpus",
                     invariant=1, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin)
    templates = [PageTemplate(id="body", frames=body_frames)]
    if has_cover:
        templates.insert(0, PageTemplate(id="cover", frames=[cover_frame]))
    doc.addPageTemplates(templates)
    try:
        story = _story(review, st, lay, frame_w)
        doc.multiBuild(story, canvasmaker=_canvas_maker(decorate))
    except Exception as exc:  # noqa: BLE001 - reportlab raises bare LayoutError / ValueError
        raise CorpusError(f"{path.name}: cannot lay out the review: {type(exc).__name__}: {str(exc)[:200]}") from exc
    return doc.page


def render_pdf(items: Sequence[Item], path: Path, header: str = "OFFICIAL", title: str = "Review") -> None:
    """Write `items` (("heading" | "paragraph", text) pairs) as a one-column A4 PDF with a running
    header and a "Page N of M" footer (the skeleton's fixtures use this)."""
    blocks = [TextBlock("h1" if kind == "heading" else "paragraph", text) for kind, text in items]
    review = ReviewText({"title": title, "cover": [], "contents": False,
                         "layout": {**DEFAULT_LAYOUT, "header": header, "size": 10.5}}, blocks)
    render_review(review, path)
