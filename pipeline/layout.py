"""Positioned words of a page -> text lines in reading order, without running headers and footers.

Consumes, per page, the words pdfplumber found (text, box, font size, font name). Produces `Line`s in
reading order: on a two-column page the left column, then the right, band by band between lines
that span both columns. The gutter comes from a histogram of where words sit on the x-axis; the
columns are then read as if the page had been cropped into halves (on the words already parsed, so
the page is parsed once). Across pages, `strip_running` removes lines in the top and bottom bands
that repeat on many pages (digits ignored), page numbers in their usual forms and protective markings.

Works on plain records; it never imports pdfplumber.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

import numpy as np

_X0 = attrgetter("x0")
_TOP_X0 = attrgetter("top", "x0")
_COUNT = itemgetter(1)
_BOLD = re.compile(r"bold|black|heavy|semibold|demibold|,b\b", re.IGNORECASE)


@dataclass(slots=True)
class Word:
    """One word as printed: its text, box (PDF points, top-left origin), font size and weight.

    Treat as read-only. Not a frozen dataclass because a frozen one's constructor sets each field
    through `object.__setattr__`, which makes it 4x slower, and a page has hundreds of words.
    """

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @staticmethod
    def from_pdfplumber(w: Mapping[str, object]) -> Word:
        """Consumes a dict from `page.extract_words(extra_attrs=["size", "fontname"])`."""
        return Word(
            str(w["text"]),
            float(w["x0"]),  # type: ignore[arg-type]
            float(w["x1"]),  # type: ignore[arg-type]
            float(w["top"]),  # type: ignore[arg-type]
            float(w["bottom"]),  # type: ignore[arg-type]
            round(float(w.get("size", 0.0) or 0.0), 1),  # type: ignore[arg-type]
            bool(_BOLD.search(str(w.get("fontname", "")))),
        )


@dataclass(slots=True)
class Line:
    """One printed line (within one column) with where it sits and how it is set."""

    page: int
    column: str  # "full" (single-column page or a line spanning both columns) | "left" | "right"
    words: list[Word]
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    text: str = field(default="")

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute box, size, weight and text from `words` (after words were removed)."""
        ws = self.words
        if len(ws) == 1:  # a one-word line: what the loop below gives, without it
            first = ws[0]
            self.words = [first]
            self.x0, self.x1, self.top, self.bottom = first.x0, first.x1, first.top, first.bottom
            self.size = first.size
            self.bold = first.bold or not first.text
            self.text = first.text
            return
        ws = sorted(ws, key=_X0)
        self.words = ws
        if not ws:
            self.text = ""
            return
        first = ws[0]
        x0, x1, top, bottom = first.x0, first.x1, first.top, first.bottom
        # Characters per type size (in order of first appearance: ties go to the first size seen).
        weights: dict[float, int] = {}
        chars = bold_chars = 0
        for w in ws:
            if w.x1 > x1:
                x1 = w.x1
            if w.top < top:
                top = w.top
            if w.bottom > bottom:
                bottom = w.bottom
            n = len(w.text)
            weights[w.size] = weights.get(w.size, 0) + n
            chars += n
            if w.bold:
                bold_chars += n
        self.x0, self.x1, self.top, self.bottom = x0, x1, top, bottom
        self.size = max(weights.items(), key=_COUNT)[0]
        self.bold = bold_chars >= 0.9 * chars
        self.text = join_words(ws)

    @property
    def first_width(self) -> float:
        """Width of the first word: would it have fitted at the end of the line before?"""
        return self.words[0].x1 - self.words[0].x0 if self.words else 0.0


def join_words(words: Sequence[Word]) -> str:
    """Words of one line -> text. Touching words (split only by a change of font) are not spaced."""
    if not words:
        return ""
    parts = [words[0].text]
    prev_x1 = words[0].x1
    for w in words[1:]:
        if w.x0 - prev_x1 > 0.08 * (w.size if w.size > 1.0 else 1.0):
            parts.append(" ")
        parts.append(w.text)
        prev_x1 = w.x1
    return "".join(parts)


def _cluster_lines(words: Iterable[Word]) -> list[list[Word]]:
    """Group words whose boxes overlap vertically by at least half the smaller height.

    Words are taken top to bottom, left to right; each joins the first of the last three lines
    (latest first) it overlaps enough, else starts a line."""
    lines: list[list[Word]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    for w in sorted(words, key=_TOP_X0):
        w_top, w_bottom = w.top, w.bottom
        n = len(lines)
        placed = False
        # The latest line first (where almost every word goes), then the two before it.
        for i in (n - 1, n - 2, n - 3) if n >= 3 else range(n - 1, -1, -1):
            top, bottom = tops[i], bottoms[i]
            overlap = (bottom if bottom < w_bottom else w_bottom) - (top if top > w_top else w_top)
            height = bottom - top
            if w_bottom - w_top < height:
                height = w_bottom - w_top
            if overlap >= 0.5 * height:
                lines[i].append(w)
                if w_top < top:
                    tops[i] = w_top
                if w_bottom > bottom:
                    bottoms[i] = w_bottom
                placed = True
                break
        if not placed:
            lines.append([w])
            tops.append(w_top)
            bottoms.append(w_bottom)
    return lines


def find_gutter(words: Sequence[Word], width: float, height: float, band: float) -> tuple[float, float] | None:
    """The blank vertical strip between two text columns, as (left edge, right edge), or None.

    Only words between the header and footer bands count. A strip qualifies when at most a few lines
    cross it (titles spanning both columns), it lies in the middle 60% of the page, and both sides
    look like columns of running text: several lines each, lines on the right starting at one x,
    and lines on each side filling most of their column (which rules out tables of short cells).
    """
    body = [w for w in words if w.top > band * height and w.bottom < (1 - band) * height]
    if len(body) < 40 or width <= 0:
        return None
    n_bins = int(width) + 1
    # How many words cover each 1-point bin [int(x0), ceil(x1)): a difference array, then running sums.
    starts = np.trunc(np.array([w.x0 for w in body])).clip(0, None)
    ends = np.ceil(np.array([w.x1 for w in body])).clip(None, n_bins)
    inside = starts < ends
    delta = np.bincount(starts[inside].astype(np.int64), minlength=n_bins + 1) - np.bincount(ends[inside].astype(np.int64), minlength=n_bins + 1)
    cover: list[int] = np.cumsum(delta[:n_bins]).tolist()
    rows = len({round(w.top) for w in body})
    allowed = max(1, rows // 12)
    lo, hi = int(width * 0.2), int(width * 0.8)
    best: tuple[int, int, int] | None = None  # (crossings, -run width, start)
    start = None
    for x in range(lo, hi + 1):
        empty = x < hi and cover[x] <= allowed
        if empty and start is None:
            start = x
        elif not empty and start is not None:
            # Within a run of near-empty bins, the gutter is the longest stretch at the run's minimum.
            low = min(cover[start:x])
            i = start
            while i < x:
                if cover[i] != low:
                    i += 1
                    continue
                j = i
                while j < x and cover[j] == low:
                    j += 1
                if j - i >= 6:
                    cand = (low, -(j - i), i)
                    if best is None or cand < best:
                        best = cand
                i = j
            start = None
    if best is None:
        return None
    g0 = float(best[2])
    g1 = g0 - best[1]
    left = [ws for ws in _cluster_lines(w for w in body if w.x1 <= g0 + 0.5)]
    right = [ws for ws in _cluster_lines(w for w in body if w.x0 >= g1 - 0.5)]
    if len(left) < 4 or len(right) < 4:
        return None
    starts = Counter(round(min(w.x0 for w in ws)) for ws in right)
    aligned = sum(n for x, n in starts.items() if abs(x - starts.most_common(1)[0][0]) <= 2)
    if aligned < 0.6 * len(right):
        return None
    left_x0 = min(min(w.x0 for w in ws) for ws in left)
    right_x1 = max(max(w.x1 for w in ws) for ws in right)

    def filled(lines: list[list[Word]], a: float, b: float) -> bool:
        widths = sorted(max(w.x1 for w in ws) - min(w.x0 for w in ws) for ws in lines)
        return widths[len(widths) // 2] >= 0.6 * (b - a)

    if not (filled(left, left_x0, g0) and filled(right, g1, right_x1)):
        return None
    # A gutter is a narrow strip between columns of comparable width (a sidebar at most), not the
    # wide gap between a table's short cells.
    if g1 - g0 > 0.15 * (right_x1 - left_x0) or not 0.4 <= (g0 - left_x0) / max(right_x1 - g1, 1.0) <= 2.5:
        return None
    return g0, g1


def page_lines(words: Sequence[Word], page: int, width: float, height: float, band: float) -> list[Line]:
    """One page's words -> its lines in reading order (see the module docstring)."""
    if not words:
        return []
    gutter = find_gutter(words, width, height, band)
    if gutter is None:
        return [Line(page, "full", ws) for ws in _cluster_lines(words)]
    g0, g1 = gutter
    crossing = [w for w in words if w.x0 < g1 - 0.5 and w.x1 > g0 + 0.5]
    spans = [Line(page, "full", ws) for ws in _cluster_lines(crossing)]
    rest = [w for w in words if not (w.x0 < g1 - 0.5 and w.x1 > g0 + 0.5)]
    # Words beside a spanning line (e.g. "The" of a title that crosses the gutter) belong to it.
    side: list[Word] = [] if spans else rest
    for w in rest if spans else ():
        mid = (w.top + w.bottom) / 2
        host = next((s for s in spans if s.top <= mid <= s.bottom), None)
        if host is not None:
            host.words.append(w)
        else:
            side.append(w)
    for s in spans:
        s.refresh()
    spans.sort(key=lambda s: s.top)
    left = [Line(page, "left", ws) for ws in _cluster_lines(w for w in side if (w.x0 + w.x1) / 2 < g0)]
    right = [Line(page, "right", ws) for ws in _cluster_lines(w for w in side if (w.x0 + w.x1) / 2 >= g0)]
    ordered: list[Line] = []
    cut = -math.inf
    for s in [*spans, None]:
        limit = s.top if s is not None else math.inf
        ordered += sorted((ln for ln in left if cut <= ln.top < limit), key=lambda ln: ln.top)
        ordered += sorted((ln for ln in right if cut <= ln.top < limit), key=lambda ln: ln.top)
        if s is not None:
            ordered.append(s)
            cut = s.top
    return ordered


# --- running headers and footers --------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"(?:page|p\.|pg\.?)?\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]"
    r"|\d{1,4}\s*\|\s*(?:page|p\s*a\s*g\s*e)"
    r"|(?:page|p\s*a\s*g\s*e)\s*\|\s*\d{1,4}"
    r"|[ivxlc]{1,7}"
    r")$",
    re.IGNORECASE,
)
_MARKING = re.compile(
    r"^(?:(?:security\s+)?classification:?\s*)?(?:"
    r"official(?:\s*[-:\u2013]?\s*sensitive)?|not\s+protectively\s+marked|protect|restricted|confidential"
    r"|(?:not\s+)?for\s+publication|draft|final(?:\s+version)?"
    r")(?:\s*[-:\u2013]\s*(?:official|sensitive|personal|for\s+publication))?$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def running_key(text: str) -> str:
    """Text of a header/footer candidate with digits and case ignored: "Page 4 of 38" -> "page # of #"."""
    return _SPACE.sub(" ", _DIGITS.sub("#", text.lower())).strip()


def is_page_number(text: str) -> bool:
    """"4", "Page 4", "Page 4 of 38", "4/38", "- 4 -", "4 | Page", "iv"."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def is_marking(text: str) -> bool:
    """A protective marking or publication status: "OFFICIAL", "OFFICIAL-SENSITIVE", "For publication"."""
    return bool(_MARKING.match(text.strip()))


def _segments(line: Line) -> list[list[Word]]:
    """A line split where words are far apart (a left header and a right page number)."""
    segs: list[list[Word]] = [[line.words[0]]]
    for prev, w in zip(line.words, line.words[1:]):
        if w.x0 - prev.x1 > 2.5 * max(w.size, prev.size, 1.0):
            segs.append([w])
        else:
            segs[-1].append(w)
    return segs


@dataclass(frozen=True, slots=True)
class PageBox:
    """A page's number and size."""

    page: int
    height: float
    width: float = 0.0


def _band(line: Line, height: float, band: float) -> str | None:
    if line.bottom <= band * height:
        return "top"
    if line.top >= (1 - band) * height:
        return "bottom"
    return None


def _margin_rows(lines: Sequence[Line], height: float, band: float, body: float) -> list[list[Line]]:
    """The rows of a page's top and bottom margin blocks: rows inside the band, counted from the
    page edge inwards, that a blank gap of at least a line separates from the text. Lines side by
    side (a left header and a right one) form one row."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.top):
        if rows and line.top < max(ln.bottom for ln in rows[-1]) - 0.5:
            rows[-1].append(line)
        else:
            rows.append([line])
    found: list[list[Line]] = []
    for order, inward in ((rows, True), (rows[::-1], False)):
        block: list[list[Line]] = []
        for i, row in enumerate(order[:-1]):
            if any(_band(ln, height, band) is None for ln in row):
                break
            block.append(row)
            nxt = order[i + 1]
            if inward:
                gap = min(ln.top for ln in nxt) - max(ln.bottom for ln in row)
            else:
                gap = min(ln.top for ln in row) - max(ln.bottom for ln in nxt)
            if gap >= body:
                found += block
                break
    return found


def strip_running(
    pages: Sequence[tuple[PageBox, list[Line]]], band: float, repeat_share: float
) -> tuple[list[tuple[PageBox, list[Line]]], int]:
    """Remove running headers and footers from every page; returns the pages and how many were removed.

    Anywhere in the top and bottom bands, page numbers and protective markings go. In the margin
    blocks (`_margin_rows`: set apart from the text by a blank gap), so does a segment whose
    digit-blind text occurs in the same band's margin block on at least `repeat_share` of the pages
    with text (and on two pages at least), and, except on the cover of a longer document, a row set
    smaller than the body text (a header that changes from page to page, such as a section name).
    """
    body = body_size([ln for _, lines in pages for ln in lines])
    margins: dict[int, list[list[Line]]] = {}
    seen: dict[str, set[int]] = defaultdict(set)
    text_pages = 0
    for box, lines in pages:
        text_pages += bool(lines)
        margins[box.page] = _margin_rows(lines, box.height, band, body)
        for row in margins[box.page]:
            for line in row:
                for seg in _segments(line):
                    seen[f"{_band(line, box.height, band)}:{running_key(join_words(seg))}"].add(box.page)
    needed = max(2, math.ceil(repeat_share * text_pages))
    repeated = {k for k, p in seen.items() if len(p) >= needed}
    removed = 0
    out: list[tuple[PageBox, list[Line]]] = []
    for box, lines in pages:
        in_margin = {id(ln) for row in margins[box.page] for ln in row}
        if box.page > 1 or len(pages) == 1:
            small = {id(ln) for row in margins[box.page] if all(ln.size < 0.9 * body for ln in row) for ln in row}
            removed += len(small)
            lines = [ln for ln in lines if id(ln) not in small]
        kept: list[Line] = []
        for line in lines:
            where = _band(line, box.height, band)
            if where is None:
                kept.append(line)
                continue
            keep_words: list[Word] = []
            for seg in _segments(line):
                text = join_words(seg)
                running = id(line) in in_margin and f"{where}:{running_key(text)}" in repeated
                if running or is_page_number(text) or is_marking(text):
                    removed += 1
                else:
                    keep_words += seg
            if keep_words:
                if len(keep_words) != len(line.words):
                    line.words = keep_words
                    line.refresh()
                kept.append(line)
        out.append((box, kept))
    return out, removed


# --- document typography ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Typography:
    """What body text looks like in one document: the yardstick for headings and paragraph breaks.

    `edges` maps a column kind ("full", "left", "right") to where its body lines end on the right
    (a high percentile of their right ends), used to tell a wrapped line from a paragraph's last line.
    """

    body_size: float
    leading: float
    edges: dict[str, float]

    def edge(self, line: Line, page_edges: Mapping[tuple[int, str], float]) -> float:
        """The right edge of the column `line` sits in, on its page."""
        return max(self.edges.get(line.column, 0.0), page_edges.get((line.page, line.column), 0.0))


def body_size(lines: Iterable[Line]) -> float:
    """The most common type size, weighted by characters (to the half point)."""
    # Characters per exact size first, then per half point (in order of first appearance, as ties
    # go to the size seen first): one rounding per distinct size instead of one per line.
    exact: dict[float, int] = {}
    for ln in lines:
        size = ln.size
        exact[size] = exact.get(size, 0) + len(ln.text)
    sizes = Counter[float]()
    for size, n in exact.items():
        sizes[round(size * 2) / 2] += n
    return sizes.most_common(1)[0][0] if sizes else 10.0


def measure(lines: Sequence[Line], widths: Mapping[int, float] | None = None) -> tuple[Typography, dict[tuple[int, str], float]]:
    """Body font size, line spacing and column edges.

    Also returns each page's column edges (the right end of its longest body line per column).
    With fewer than a dozen full-width body lines, their right ends say little about where the
    text block ends; then the right margin is taken to mirror the left one on each page (`widths`
    gives the page widths).
    """
    body = body_size(lines)
    steps = Counter[float]()
    for a, b in zip(lines, lines[1:]):
        if a.page == b.page and a.column == b.column and abs(a.size - body) < 0.6 and abs(b.size - body) < 0.6:
            step = round((b.top - a.top) * 2) / 2
            if 0.9 * body <= step <= 2.5 * body:
                steps[step] += 1
    leading = steps.most_common(1)[0][0] if steps else round(1.2 * body, 1)
    by_col: dict[str, list[float]] = defaultdict(list)
    page_edges: dict[tuple[int, str], float] = {}
    for ln in lines:
        if abs(ln.size - body) < 0.6 and len(ln.words) >= 4:
            by_col[ln.column].append(ln.x1)
            key = (ln.page, ln.column)
            page_edges[key] = max(page_edges.get(key, 0.0), ln.x1)
    edges = {col: sorted(xs)[int(0.9 * (len(xs) - 1))] for col, xs in by_col.items()}
    if widths and len(by_col.get("full", ())) < 12:
        for ln in lines:
            if ln.column == "full" and ln.page in widths:
                key = (ln.page, "full")
                page_edges[key] = max(page_edges.get(key, 0.0), widths[ln.page] - ln.x0)
    return Typography(body, leading, edges), page_edges
