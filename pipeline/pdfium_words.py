"""The optional fast input path (`extract.backend: pdfium`): PDF pages -> the same `Word` records
pdfplumber's path makes, read with PDFium (pypdfium2, already installed as a pdfplumber dependency).

Consumes a PDF path. Produces, page by page, the page's words (text, box in PDF points with a top-left
origin in the page's displayed orientation, font size, bold) and the page's displayed size; everything
after that (columns, running headers and footers, paragraphs, headings, sections) is the same code as
for pdfplumber. Raises `ExtractError` for encrypted and unreadable files.

How the records are made, and where they can differ from pdfplumber's:

- words are the runs of non-blank characters of PDFium's page text (`FPDFText_GetText`), which has a
  space wherever PDFium saw a gap between glyphs and a line break at each line end (a hyphen PDFium
  saw at a line end comes as U+FFFE, sometimes with the next line run on: the word ends there). A
  word whose first and last glyph are further apart than its letters could be, or on two lines, or
  on top of each other, is split where its glyphs are not side by side (`_pieces`), as pdfplumber
  splits words by position: PDFium's text can run two table cells or columns that share a baseline
  into one word. pdfplumber also splits a word where the font or size changes inside it; this path
  does not, so a word set in two fonts stays one word here;
- a word's box is the union of the "loose" boxes (advance width by the font's ascent and descent) of
  its first and last glyph, trimmed to one em tall from the descent up, which is pdfminer's glyph box
  within a few tenths of a point (untrimmed, lines set 1.2 em apart would overlap and merge);
- size is `FPDFText_GetFontSize` of the word's first glyph, times the text matrix's scale when the
  box shows it was left out ("/F1 1 Tf" with a 12-point `Tm`; decided once per text object, on its
  first word, which is the same for every glyph except in Type 3 fonts, whose boxes are per glyph); bold comes from the font's name, as
  for pdfplumber ("Helvetica-Bold", "Arial,Bold"), or PDFium's weight when it reports 600 or more
  (it reports 0 for the standard 14 fonts);
- only the first and last glyph of a word are asked for their box, and the word for its PDF text
  object (`FPDFText_GetTextObject`: a run of glyphs shown with one font, size and matrix); size,
  font name, weight and angle are asked once per text object and reused for its other words. So
  PDFium is called 3 times per word (it was 5, and would be 2 per glyph), which is what makes this
  path fast; the usual word (left to right on an unrotated page, its box as wide as its letters
  can be) becomes a `Word` in one step; words drawn twice at the same place ("fake bold") are
  dropped when `extract.dedupe_chars` is on.

PDFium is not thread-safe: use it from one thread per process (the batch uses worker processes).
This is the only module that imports pypdfium2.

The compiled accelerator (`pipeline/_pdfium_fast.c`, built by `pip install` where a C compiler is
found, optional): when it imports, `read_page` (page, text and the word loop) and `page_lines` (the
backend's `layout.page_lines`: columns and the word -> line grouping) run in C for the usual page
(unrotated, every word reading left to right) and give exactly the `Word`s and `Line`s the Python
code gives; any other page, or no accelerator, runs the Python code, which is the reference.
The C code calls the PDFium functions pypdfium2 has loaded, by address (it neither links against
PDFium nor needs its headers). `REVIEW_THEMES_NO_ACCELERATOR=1` in the environment turns it off.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from pipeline.errors import ExtractError
from pipeline import layout
from pipeline.layout import _BOLD, Line, Word

# A word: a run of printable characters. PDFium reports a hyphen it saw at a line end as U+FFFE and
# may run the next line on without a break: the word ends there.
_TOKEN = re.compile("[^\\s\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]+\ufffe?|\ufffe")
_FONT_BUF = 256


@dataclass
class PdfiumPage:
    """One page's words and its displayed size. The words are `Word`s when all of them read across,
    else pdfplumber-style dicts (text, x0, x1, top, bottom, upright, direction, size, bold) for
    `extract._turn_upright`. `close()` releases the page."""

    number: int
    words: list[Word] | list[dict[str, object]]
    width: float
    height: float
    _page: pdfium.PdfPage | None = None
    # Read by the accelerator, which closes the page at once: the document, to open it again if asked.
    _doc: pdfium.PdfDocument | None = None

    def mostly_image(self) -> bool:
        """Does an image cover at least a quarter of the page (as a scan does)?"""
        if self._page is None and self._doc is not None:
            self._page = self._doc[self.number - 1]
        if self._page is None:
            return False
        area = self.width * self.height or 1.0
        for obj in self._page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= 0.25 * area:
                return True
        return False

    def close(self) -> None:
        if self._page is not None:
            self._page.close()
            self._page = None


PdfiumError = pdfium.PdfiumError


def open_error(exc: Exception) -> ExtractError:
    text = str(exc)
    if "password" in text.lower():
        return ExtractError("encrypted", "the PDF needs a password to open; save a copy without it (e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and run again")
    return ExtractError("corrupt PDF", f"PdfiumError: {text[:200]}")


@contextmanager
def open_document(path: Path) -> Iterator[pdfium.PdfDocument]:
    """The PDF opened with PDFium; `ExtractError` when it cannot be."""
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise open_error(exc) from None
    try:
        yield doc
    finally:
        doc.close()


def _transform(mediabox: tuple[float, float, float, float], rotation: int) -> tuple[float, float, object]:
    """The displayed page's width, height and a function from PDF user space to displayed top-left
    coordinates (as pdfminer's with the page's /Rotate applied)."""
    x0, y0, x1, y1 = mediabox
    w, h = x1 - x0, y1 - y0
    rot = rotation % 360
    if rot == 90:
        return h, w, lambda x, y: (y - y0, x - x0)
    if rot == 180:
        return w, h, lambda x, y: (x1 - x, y - y0)
    if rot == 270:
        return h, w, lambda x, y: (y1 - y, x1 - x)
    return w, h, lambda x, y: (x - x0, y1 - y)


def _page_box(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """The page's MediaBox (x0, y0, x1, y1). PDFium's MediaBox call does not look up the page tree,
    where many PDFs set it once for all pages: its bounding box (MediaBox within CropBox) does. The
    compiled accelerator does the same."""
    box = page.get_mediabox(fallback_ok=False)
    if box is not None:
        return box  # type: ignore[no-any-return]
    try:
        return page.get_bbox()  # type: ignore[no-any-return]
    except pdfium.PdfiumError:
        return (0.0, 0.0, 612.0, 792.0)  # US Letter, as pypdfium2's own fallback


def _origin(mediabox: tuple[float, float, float, float]) -> tuple[float, float]:
    """The user-space x of the page's left edge and y of its top edge (for an unrotated page)."""
    return mediabox[0], mediabox[3]


def _page_text(textpage: pdfium.PdfTextPage, n_chars: int) -> str:
    """The page's text with one character per PDFium char index (generated spaces and line breaks
    included), so that a token's position in the text is its glyphs' indices."""
    text = textpage.get_text_range()
    if len(text) == n_chars:
        return text
    get = raw.FPDFText_GetUnicode  # rare: the text view and the char list differ; read char by char
    tp = textpage.raw
    return "".join(chr(c) if 0 < (c := get(tp, i)) < 0x110000 and not 0xD800 <= c <= 0xDFFF else "\ufffd" for i in range(n_chars))


def _direction(angle: float, rotation: int) -> str:
    """Reading direction on the displayed page of a glyph PDFium reports at `angle` (radians,
    counter-clockwise in user space), in pdfplumber's terms."""
    shown = (math.degrees(angle) - rotation) % 360
    if shown < 45 or shown >= 315:
        return "ltr"
    if shown < 135:
        return "btt"
    if shown < 225:
        return "rtl"
    return "ttb"


def _pieces(tp: object, first: int, last: int, x_tolerance: float) -> list[tuple[int, int, float, float, float, float]]:
    """A token's glyphs split where they are not side by side on one line, as (first, last, left,
    right, bottom, top) in user space. PDFium's text can run two table cells or columns that share a
    baseline into one word ("differentat"); pdfplumber splits words by position, so this does too."""
    rect = raw.FS_RECTF()
    out: list[list[float]] = []
    prev_right = prev_mid = 0.0
    for i in range(first, last + 1):
        if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
            continue
        mid = (rect.bottom + rect.top) / 2
        height = max(rect.top - rect.bottom, 1.0)
        if out and (rect.left < prev_right - x_tolerance or rect.left > prev_right + x_tolerance or abs(mid - prev_mid) > 0.5 * height):
            out.append([i, i, rect.left, rect.right, rect.bottom, rect.top])
        elif out:
            piece = out[-1]
            piece[1] = i
            piece[2], piece[3] = min(piece[2], rect.left), max(piece[3], rect.right)
            piece[4], piece[5] = min(piece[4], rect.bottom), max(piece[5], rect.top)
        else:
            out.append([i, i, rect.left, rect.right, rect.bottom, rect.top])
        prev_right, prev_mid = rect.right, mid
    return [(int(a), int(b), c, d, e, f) for a, b, c, d, e, f in out]


def _dedupe(words: list[Word], directions: list[str] | None, tolerance: float = 1.0) -> tuple[list[Word], list[str] | None]:
    """Drop words drawn twice at (almost) the same place, as "fake bold" does (`extract.dedupe_chars`;
    pdfplumber's path does this per glyph). Consumes the words and their directions (None: all read
    left to right); produces both without the repeats."""
    if len(words) - len({(w.text, int(w.x0), int(w.top)) for w in words}) < 1:
        return words, directions  # the usual page: no word drawn twice
    seen: dict[tuple[str, int, int], list[tuple[float, float]]] = {}
    out, out_directions = [], []
    for i, w in enumerate(words):
        x, y = w.x0, w.top
        gx, gy = int(x // tolerance), int(y // tolerance)
        duplicate = any(
            abs(px - x) <= tolerance and abs(py - y) <= tolerance
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for px, py in seen.get((w.text, gx + dx, gy + dy), ())
        )
        if not duplicate:
            seen.setdefault((w.text, gx, gy), []).append((x, y))
            out.append(w)
            out_directions.append(directions[i] if directions is not None else "ltr")
    return out, out_directions if directions is not None else None


def _style(
    tp: object, index: int, rect: raw.FS_RECTF, rotation: int, fonts: dict[bytes, bool], buf: ctypes.Array, flags: ctypes.c_int,
    matrix: raw.FS_MATRIX,
) -> tuple[float, float, bool, str, float, float, float]:
    """How glyph `index` (whose loose box is `rect`) is set: font size, the same to 0.1 pt (as
    `Word.size`), bold, reading direction, and the widest, narrowest and tallest its glyphs can be (per letter, per letter, per
    line) before a word's box says it holds glyphs from two places or one drawn twice."""
    size = raw.FPDFText_GetFontSize(tp, index)
    if not 0.9 * size <= rect.top - rect.bottom <= 1.6 * size:
        # The font size PDFium reports leaves out the text matrix's scale ("/F1 1 Tf" with a
        # 12-point Tm, as many PDF writers do); pdfminer's size includes it.
        matrix_found = raw.FPDFText_GetMatrix(tp, index, matrix)
        if matrix_found:
            size *= math.hypot(matrix.c, matrix.d)
    n = raw.FPDFText_GetFontInfo(tp, index, buf, _FONT_BUF, flags)
    name = buf.raw[: max(0, n - 1)]
    bold = fonts.get(name)
    if bold is None:
        bold = bool(_BOLD.search(name.decode("latin-1"))) or raw.FPDFText_GetFontWeight(tp, index) >= 600
        fonts[name] = bold
    angle = raw.FPDFText_GetCharAngle(tp, index)
    direction = "ltr" if (angle < 0.05 or angle > 2 * math.pi - 0.05) and rotation == 0 else _direction(angle, rotation)
    em = max(size, 1.0)
    return size, round(size or 0.0, 1), bold, direction, 0.85 * em, 0.2 * em, 1.6 * em


def _address(fn: object) -> int:
    return ctypes.cast(fn, ctypes.c_void_p).value or 0


# FPDFText_GetTextObject with an integer result: the text object a glyph belongs to, compared by
# address (pypdfium2's own binding returns a ctypes pointer, which cannot be compared cheaply).
_TEXT_OBJECT = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(_address(raw.FPDFText_GetTextObject))
# FPDFText_GetLooseCharBox taking plain addresses: a fifth cheaper per call than pypdfium2's binding,
# which checks its arguments' pointer types on every call (twice a word).
_LOOSE_BOX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(_address(raw.FPDFText_GetLooseCharBox))


def _round1(x: float) -> float:
    return round(x, 1)


# The PDFium functions the accelerator calls, by the addresses pypdfium2 loaded them at.
ACCELERATOR_FUNCTIONS = (
    "FPDFText_GetLooseCharBox", "FPDFText_GetTextObject", "FPDFText_GetFontSize", "FPDFText_GetMatrix",
    "FPDFText_GetFontInfo", "FPDFText_GetFontWeight", "FPDFText_GetCharAngle", "FPDF_LoadPage", "FPDF_ClosePage",
    "FPDFPage_GetRotation", "FPDFPage_GetMediaBox", "FPDFText_LoadPage", "FPDFText_ClosePage", "FPDFText_CountChars",
    "FPDFText_GetTextIndexFromCharIndex", "FPDFText_GetText", "FPDF_GetPageBoundingBox",
)


def _accelerator_functions() -> dict[str, int]:
    return {n: _address(getattr(raw, n)) for n in ACCELERATOR_FUNCTIONS}


def _load_accelerator() -> object | None:
    """The compiled accelerator configured with this process's PDFium functions, or None (not built,
    or turned off with REVIEW_THEMES_NO_ACCELERATOR=1)."""
    if os.environ.get("REVIEW_THEMES_NO_ACCELERATOR", "") not in ("", "0"):
        return None
    try:
        from pipeline import _pdfium_fast  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        _pdfium_fast.configure(_accelerator_functions(), Word, Line, _BOLD.search, math.hypot, _direction, _round1)
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    return _pdfium_fast


# The accelerator in use, or None: the pure-Python path (tests set this to compare the two).
accelerator = _load_accelerator()


def page_lines(words: list[Word], page: int, width: float, height: float, band: float) -> list[Line]:
    """`layout.page_lines`, in C when the accelerator is loaded and the page is one it handles."""
    fast = accelerator
    if fast is not None and type(words) is list:
        lines = fast.page_lines(words, page, width, height, band)  # type: ignore[attr-defined]
        if lines is not None:
            return lines  # type: ignore[no-any-return]
    return layout.page_lines(words, page, width, height, band)


def read_page(doc: pdfium.PdfDocument, index: int, x_tolerance: float = 1.5, dedupe: bool = True) -> PdfiumPage:
    """Page `index` (0-based) -> its words. The caller closes the page (`PdfiumPage.close`).

    The words are `Word`s when every word on the page reads across (the usual page), else dicts
    with `upright` and `direction` for `extract._turn_upright`. Font size, weight and direction are
    asked once per PDF text object (a run of glyphs shown with one font and matrix) and reused for
    every word in it: per word, PDFium is asked only for its text object and its first and last
    glyph's box.
    """
    fast = accelerator
    if fast is not None and doc.formenv is None:
        # The whole page in C (page, text page, text, words; see the module docstring), or None: a
        # page it leaves to the code below (rotated, text not read across, unusual text view).
        done = fast.read_page(_address(doc.raw), index, x_tolerance, dedupe)  # type: ignore[attr-defined]
        if done is not None:
            read, maybe_repeated, width, height = done
            if maybe_repeated:
                read, _ = _dedupe(read, None)
            return PdfiumPage(index + 1, read, width, height, None, doc)
    page = doc[index]
    rotation = page.get_rotation()
    mediabox = tuple(_page_box(page))
    width, height, to_display = _transform(mediabox, rotation)  # type: ignore[arg-type]
    mb_x0, mb_y1 = _origin(mediabox)  # type: ignore[arg-type]
    textpage = page.get_textpage()
    try:
        n_chars = textpage.count_chars()
        text = _page_text(textpage, n_chars) if n_chars > 0 else ""
        tp = textpage.raw
        tp_address = _address(tp)
        if fast is not None and rotation == 0:
            # The same loop in C (see the module docstring); None: a page it leaves to the code below.
            done = fast.read_words(tp_address, text, mb_x0, mb_y1, x_tolerance, dedupe)  # type: ignore[attr-defined]
            if done is not None:
                read, maybe_repeated = done
                if maybe_repeated:
                    read, _ = _dedupe(read, None)
                return PdfiumPage(index + 1, read, float(width), float(height), page)
        rect = raw.FS_RECTF()
        rect2 = raw.FS_RECTF()
        buf = ctypes.create_string_buffer(_FONT_BUF)
        flags = ctypes.c_int()
        loose = _LOOSE_BOX
        text_object = _TEXT_OBJECT
        matrix = raw.FS_MATRIX()
        fonts: dict[bytes, bool] = {}
        # Per text object: see `_style`.
        objects: dict[int, tuple[float, float, bool, str, float, float, float]] = {}
        found: list[Word] = []
        turned: dict[int, str] = {}  # index in `found` -> direction, for words that do not read left to right
        rect_address, rect2_address = ctypes.addressof(rect), ctypes.addressof(rect2)
        for m in _TOKEN.finditer(text):
            first = m.start()
            if not loose(tp_address, first, rect_address):
                continue
            obj = text_object(tp_address, first)
            style = objects.get(obj) if obj else None
            if style is None:
                style = _style(tp, first, rect, rotation, fonts, buf, flags, matrix)
                if obj:
                    objects[obj] = style
            size, shown, bold, direction, wide, narrow, tall = style
            last = m.end() - 1
            token = m.group()
            if last != first and loose(tp_address, last, rect2_address):
                left, right = rect.left, rect2.right
                low, high = rect.bottom, rect.top
                if rect2.left < left:
                    left = rect2.left
                if rect.right > right:
                    right = rect.right
                if rect2.bottom < low:
                    low = rect2.bottom
                if rect2.top > high:
                    high = rect2.top
            else:
                left, right, low, high = rect.left, rect.right, rect.bottom, rect.top
            if token[-1] == "\ufffe":
                token = token.replace("\ufffe", "-")
            n_letters = len(token)
            if direction == "ltr" and rotation == 0 and (
                n_letters == 1 or (narrow * n_letters <= right - left <= wide * n_letters + 1 and high - low <= tall)
            ):
                # The usual word: no piece to split off, no rotation to undo.
                bottom = mb_y1 - low
                top = mb_y1 - high
                if 0 < size < bottom - top:
                    # pdfminer's glyph box is one em tall from the descent up; PDFium's loose box
                    # runs from the font's descent to its ascent, taller by 10-20%: lines spaced
                    # at 1.2 em would overlap and merge.
                    top = bottom - size
                found.append(Word(token, left - mb_x0, right - mb_x0, top, bottom, shown, bold))
                continue
            # Wider than its letters could be, or taller than a line: glyphs from two places.
            # Narrower than its letters could be: glyphs drawn twice on top of each other ("fake bold").
            if direction == "ltr" and n_letters > 1 and not (narrow * n_letters <= right - left <= wide * n_letters + 1 and high - low <= tall):
                pieces = _pieces(tp, first, last, x_tolerance)
            else:
                pieces = [(first, last, left, right, low, high)]
            for a, b, left, right, low, high in pieces:
                ax, ay = to_display(left, high)  # type: ignore[operator]
                bx, by = to_display(right, low)  # type: ignore[operator]
                top, bottom = min(ay, by), max(ay, by)
                if direction in ("ltr", "rtl") and 0 < size < bottom - top:
                    top = bottom - size  # one em tall, as above
                piece = token if len(pieces) == 1 else token[a - first : b - first + 1]
                if direction != "ltr":
                    turned[len(found)] = direction
                found.append(Word(piece, min(ax, bx), max(ax, bx), top, bottom, shown, bold))
        directions = [turned.get(i, "ltr") for i in range(len(found))] if turned else None
        if dedupe:
            found, directions = _dedupe(found, directions)
        words: list[Word] | list[dict[str, object]] = found
        if directions is not None and not all(d in ("ltr", "rtl") for d in directions):
            words = [
                {"text": w.text, "x0": w.x0, "x1": w.x1, "top": w.top, "bottom": w.bottom, "size": w.size, "bold": w.bold,
                 "upright": d in ("ltr", "rtl"), "direction": d}
                for w, d in zip(found, directions)
            ]
        return PdfiumPage(index + 1, words, float(width), float(height), page)
    finally:
        textpage.close()
