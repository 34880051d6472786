"""What it costs to read a page's text from PDFium at line, text-run and word level (CPU ms per page).

    .venv/bin/python -m benchmarks.pdfium_probe PDF [PDF ...] [--json FILE]

Each variant reads every page of every PDF with the cheapest Python we found for it (raw ctypes
calls through address-only bindings, no pypdfium2 page wrappers), timed with the process's CPU
clock, each variant in its own pass over all PDFs; every variant includes the floor (load the page
and its text page, get the text, close both). Variants:

- floor: FPDF_LoadPage + FPDFText_LoadPage + FPDFText_GetText (decoded) + close, nothing else;
- floor parts: the same, stopped after FPDF_LoadPage, after FPDFText_LoadPage;
- rects: the floor + `FPDFText_CountRects(tp, 0, -1)` + `FPDFText_GetRect` for every rect
  (PDFium's text runs: one rect per text object per line);
- rects + text: the same + `FPDFText_GetBoundedText` per rect (each run's text);
- lines: the floor + the text split at PDFium's line breaks + the loose box of each line's first
  and last glyph (2 calls a line): line-level text and boxes;
- lines + objects: the same + the text object of each line's first and last glyph (a line made of
  several text objects, e.g. two table cells or columns that share a baseline, needs splitting);
- words, 2 calls: the floor + each word's first and last glyph's loose box, read with `map` into
  Python lists (no `Word` objects): word-level boxes;
- words, current path: `pdfium_words.read_page` as it is (3 calls a word, `Word` objects);
- chars: the floor + every glyph's loose box (1 call a glyph).

Also the layout stage on the same pages: `layout.page_lines` fed the current path's words (word ->
line clustering, gutter), and `Line` objects built straight from the words of PDFium's lines (no
clustering; what a line-fed layout stage would at least cost), and the interpolation error of word
boxes placed inside a line by character count instead of asked for.

And two prototypes of a line-level reader (timing only, unrotated pages, no fallback for lines made
of several text objects, not wired into the pipeline):

- `proto_read`: per PDFium line, 4-5 calls (first and last glyph's box, text object, the first
  word's last glyph), `Word`s placed by character offset; then `proto_cluster` (PDFium lines on
  one baseline merged by the rule of `layout._cluster_lines` -> `Line`s) and `find_gutter` on
  those words;
- `proto_read_lines_only`: a `Line` per PDFium line with no `Word`s at all (text, box and size
  from 3 calls a line): the least a line-level path could cost before the shared layout code, were
  that code changed to work without words; and the gutter histogram on line boxes.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402
import pypdfium2.raw as raw  # noqa: E402

from pipeline import layout, pdfium_words  # noqa: E402

_TOKEN = pdfium_words._TOKEN
_LINE = re.compile("[^\r\n]+")
_VP = ctypes.c_void_p


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    return ctypes.CFUNCTYPE(restype, *argtypes)(pdfium_words._address(getattr(raw, name)))


LOAD_PAGE = _fn("FPDF_LoadPage", _VP, _VP, ctypes.c_int)
CLOSE_PAGE = _fn("FPDF_ClosePage", None, _VP)
LOAD_TEXT = _fn("FPDFText_LoadPage", _VP, _VP)
CLOSE_TEXT = _fn("FPDFText_ClosePage", None, _VP)
COUNT_CHARS = _fn("FPDFText_CountChars", ctypes.c_int, _VP)
GET_TEXT = _fn("FPDFText_GetText", ctypes.c_int, _VP, ctypes.c_int, ctypes.c_int, _VP)
COUNT_RECTS = _fn("FPDFText_CountRects", ctypes.c_int, _VP, ctypes.c_int, ctypes.c_int)
GET_RECT = _fn("FPDFText_GetRect", ctypes.c_int, _VP, ctypes.c_int, _VP, _VP, _VP, _VP)
BOUNDED = _fn("FPDFText_GetBoundedText", ctypes.c_int, _VP, ctypes.c_double, ctypes.c_double, ctypes.c_double, ctypes.c_double, _VP, ctypes.c_int)
LOOSE = pdfium_words._LOOSE_BOX
OBJECT = pdfium_words._TEXT_OBJECT


def _text(tp: int) -> str:
    n = COUNT_CHARS(tp)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = GET_TEXT(tp, 0, n, buf)
    return buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", errors="replace")


def v_floor_load(doc: Any, i: int) -> None:
    page = LOAD_PAGE(doc, i)
    CLOSE_PAGE(page)


def v_floor_textpage(doc: Any, i: int) -> None:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)


def v_floor(doc: Any, i: int) -> None:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    _text(tp)
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)


def _rects(tp: int) -> list[tuple[float, float, float, float]]:
    n = COUNT_RECTS(tp, 0, -1)
    vals = (ctypes.c_double * 4)()
    a = ctypes.addressof(vals)
    out = []
    for k in range(n):
        GET_RECT(tp, k, a, a + 8, a + 16, a + 24)
        out.append(tuple(vals))
    return out


def v_rects(doc: Any, i: int) -> int:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    _text(tp)
    n = len(_rects(tp))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return n


def v_rects_text(doc: Any, i: int) -> int:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    _text(tp)
    buf = ctypes.create_string_buffer(2 * 4096)
    texts = []
    for left, top, right, bottom in _rects(tp):
        n = BOUNDED(tp, left, top, right, bottom, buf, 4096)
        texts.append(buf.raw[: 2 * n].decode("utf-16-le", errors="replace"))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return len(texts)


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(first, last) char index of each line's non-blank run."""
    out = []
    for m in _LINE.finditer(text):
        s, e = m.span()
        line = m.group()
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        if e - trail > s + lead:
            out.append((s + lead, e - trail - 1))
    return out


def v_lines(doc: Any, i: int, objects: bool = False) -> list[tuple[str, tuple[float, ...], tuple[float, ...]]]:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    text = _text(tp)
    r1, r2 = raw.FS_RECTF(), raw.FS_RECTF()
    a1, a2 = ctypes.addressof(r1), ctypes.addressof(r2)
    out = []
    for first, last in _line_spans(text):
        LOOSE(tp, first, a1)
        LOOSE(tp, last, a2)
        several = objects and OBJECT(tp, first) != OBJECT(tp, last)  # would need splitting  # noqa: F841
        out.append((text[first : last + 1], (r1.left, r1.right, r1.bottom, r1.top), (r2.left, r2.right, r2.bottom, r2.top)))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return out


def v_lines_objects(doc: Any, i: int) -> Any:
    return v_lines(doc, i, objects=True)


def v_words2(doc: Any, i: int) -> int:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    text = _text(tp)
    spans = [m.span() for m in _TOKEN.finditer(text)]
    n = len(spans)
    boxes = (raw.FS_RECTF * (2 * n))()
    base = ctypes.addressof(boxes)
    size = ctypes.sizeof(raw.FS_RECTF)
    firsts = [s for s, _ in spans]
    lasts = [e - 1 for _, e in spans]
    tps = [tp] * n
    list(map(LOOSE, tps, firsts, range(base, base + 2 * n * size, 2 * size)))
    list(map(LOOSE, tps, lasts, range(base + size, base + 2 * n * size, 2 * size)))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return n


def v_chars(doc: Any, i: int) -> int:
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    n = COUNT_CHARS(tp)
    boxes = (raw.FS_RECTF * max(n, 1))()
    base = ctypes.addressof(boxes)
    size = ctypes.sizeof(raw.FS_RECTF)
    list(map(LOOSE, [tp] * n, range(n), range(base, base + n * size, size)))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return n


def v_current(pdoc: pdfium.PdfDocument, i: int) -> Any:
    page = pdfium_words.read_page(pdoc, i)
    page.close()
    return page


VARIANTS: dict[str, Callable[..., Any]] = {
    "floor: load page only": v_floor_load,
    "floor: + text page": v_floor_textpage,
    "floor: + text (the floor)": v_floor,
    "(a) rects (CountRects + GetRect)": v_rects,
    "(a) rects + GetBoundedText": v_rects_text,
    "(a) lines: 2 loose boxes a line": v_lines,
    "(a) lines + text object at both ends": v_lines_objects,
    "(b) words: 2 loose boxes a word (map)": v_words2,
    "(b) words: current read_page (3 calls, Word objects)": v_current,
    "chars: 1 loose box a glyph (map)": v_chars,
}


def layout_costs(paths: list[Path]) -> dict[str, float]:
    """CPU seconds of: page_lines on the current words; Lines straight from PDFium's lines (each
    line's words in text order, one `Line` per PDFium line, no clustering); the interpolation
    error of word boxes inside a line."""
    pages: list[tuple[list[layout.Word], float, float, int]] = []
    for path in paths:
        pdoc = pdfium.PdfDocument(str(path))
        for i in range(len(pdoc)):
            p = pdfium_words.read_page(pdoc, i)
            if p.words and isinstance(p.words[0], layout.Word):
                pages.append((p.words, p.width, p.height, i + 1))  # type: ignore[arg-type]
            p.close()
        pdoc.close()
    t = time.process_time()
    for words, w, h, n in pages:
        layout.page_lines(words, n, w, h, 0.08)
    fed_words = time.process_time() - t
    # Group each page's words into PDFium's line order: consecutive words whose tops agree.
    grouped = []
    for words, w, h, n in pages:
        lines: list[list[layout.Word]] = []
        for wd in words:
            if lines and abs(lines[-1][-1].bottom - wd.bottom) < 0.5 * wd.size and wd.x0 >= lines[-1][-1].x1 - 1:
                lines[-1].append(wd)
            else:
                lines.append([wd])
        grouped.append((lines, n))
    t = time.process_time()
    for lines, n in grouped:
        [layout.Line(n, "full", ws) for ws in lines]
    fed_lines = time.process_time() - t
    # Interpolation: each word's x0/x1 placed by character offset within its line's box.
    errs: list[float] = []
    first_errs: list[float] = []
    for lines, _ in grouped:
        for ws in lines:
            text = " ".join(x.text for x in ws)
            x0, x1 = ws[0].x0, ws[-1].x1
            per = (x1 - x0) / max(len(text), 1)
            off = 0
            for k, wd in enumerate(ws):
                a = x0 + off * per
                b = x0 + (off + len(wd.text)) * per
                errs.append(max(abs(a - wd.x0), abs(b - wd.x1)))
                if k == 0:
                    first_errs.append(abs((b - a) - (wd.x1 - wd.x0)))
                off += len(wd.text) + 1
    errs.sort()
    first_errs.sort()
    return {
        "page_lines_fed_words": fed_words,
        "lines_built_from_pdfium_lines": fed_lines,
        "pages": len(pages),
        "pdfium_lines": sum(len(ls) for ls, _ in grouped),
        "interp_err_median_pt": errs[len(errs) // 2],
        "interp_err_p95_pt": errs[int(0.95 * (len(errs) - 1))],
        "first_word_width_err_median_pt": first_errs[len(first_errs) // 2],
        "first_word_width_err_p95_pt": first_errs[int(0.95 * (len(first_errs) - 1))],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="+", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    docs = [pdfium.PdfDocument(str(p)) for p in args.pdfs]
    n_pages = sum(len(d) for d in docs)
    out: dict[str, Any] = {"pages": n_pages, "load_average_1min": Path("/proc/loadavg").read_text().split()[0]}
    # Counts per page, for scale.
    n_rects = n_lines = n_words = n_chars = 0
    for d in docs:
        for i in range(len(d)):
            h = pdfium_words._address(d.raw)
            n_rects += v_rects(h, i)
            n_lines += len(v_lines(h, i))
            n_words += v_words2(h, i)
            n_chars += v_chars(h, i)
    out["per_page"] = {k: round(v / n_pages, 1) for k, v in (("rects", n_rects), ("lines", n_lines), ("words", n_words), ("chars", n_chars))}
    print(f"{n_pages} pages; per page: {out['per_page']}")
    for name, fn in VARIANTS.items():
        best = None
        for _ in range(3):  # best of three passes: the least disturbed by other work
            t = time.process_time()
            for d in docs:
                handle = d if fn is v_current else pdfium_words._address(d.raw)
                for i in range(len(d)):
                    fn(handle, i)
            spent = time.process_time() - t
            best = spent if best is None else min(best, spent)
        ms = round(best / n_pages * 1000, 3)  # type: ignore[operator]
        out[name] = ms
        print(f"{name}: {ms:.3f} ms/page")
    for d in docs:
        d.close()
    lay = layout_costs(args.pdfs)
    for key in ("page_lines_fed_words", "lines_built_from_pdfium_lines"):
        lay[key] = round(lay[key] / max(lay["pages"], 1) * 1000, 3)
        print(f"layout, {key}: {lay[key]:.3f} ms/page")
    print({k: (round(v, 2) if isinstance(v, float) else v) for k, v in lay.items() if "err" in k or k == "pdfium_lines"})
    out["layout"] = lay
    for key, value in {**proto_costs(args.pdfs), **proto_lines_only_costs(args.pdfs)}.items():
        out[key] = value
        print(f"{key}: {value:.3f} ms/page")
    out["load_average_1min_after"] = Path("/proc/loadavg").read_text().split()[0]
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


# --- a line-level reader, timed as a prototype --------------------------------------------------

PAGE_HEIGHT = _fn("FPDF_GetPageHeightF", ctypes.c_float, _VP)
FONT_SIZE = _fn("FPDFText_GetFontSize", ctypes.c_double, _VP, ctypes.c_int)


def proto_read(doc: Any, i: int, exact_first: bool = True) -> tuple[list[list[layout.Word]], list[tuple[float, float]]]:
    """One page -> its PDFium lines as lists of `Word`s (first word's box asked for, the others
    placed by character offset between the first word's end and the line's end) and each line's
    (top, bottom). Unrotated pages only; no fallback for lines of several text objects (timing)."""
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    text = _text(tp)
    height = PAGE_HEIGHT(page)
    r1, r2, r3 = raw.FS_RECTF(), raw.FS_RECTF(), raw.FS_RECTF()
    a1, a2, a3 = ctypes.addressof(r1), ctypes.addressof(r2), ctypes.addressof(r3)
    styles: dict[int, tuple[float, bool]] = {}
    lines: list[list[layout.Word]] = []
    boxes: list[tuple[float, float]] = []
    Word = layout.Word
    token = _TOKEN.finditer
    for m in _LINE.finditer(text):
        spans = [(t.start(), t.end(), t.group()) for t in token(text, m.start(), m.end())]
        if not spans:
            continue
        first, last = spans[0][0], spans[-1][1] - 1
        LOOSE(tp, first, a1)
        LOOSE(tp, last, a2)
        o1 = OBJECT(tp, first)
        several = OBJECT(tp, last) != o1  # would take the per-word path (not timed)  # noqa: F841
        style = styles.get(o1)
        if style is None:
            style = styles[o1] = (round(FONT_SIZE(tp, first), 1), False)
        size, bold = style
        bottom = height - min(r1.bottom, r2.bottom)
        top = bottom - size
        x0, x1 = r1.left, r2.right
        s0, e0, t0 = spans[0]
        if exact_first and e0 - 1 > s0:
            LOOSE(tp, e0 - 1, a3)
            fx1 = r3.right
        else:
            fx1 = r1.right
        ws = [Word(t0, x0, fx1, top, bottom, size, bold)]
        if len(spans) > 1:
            per = (x1 - fx1) / max(last + 1 - e0, 1)
            ws += [Word(t, fx1 + (s - e0) * per, fx1 + (e - e0) * per, top, bottom, size, bold) for s, e, t in spans[1:]]
        lines.append(ws)
        boxes.append((top, bottom))
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return lines, boxes


def proto_cluster(lines: list[list[layout.Word]], boxes: list[tuple[float, float]], page: int) -> list[layout.Line]:
    """PDFium's lines merged where they overlap vertically by half the smaller height (the rule of
    `layout._cluster_lines`, on lines instead of words) -> `Line`s."""
    order = sorted(range(len(lines)), key=lambda k: (boxes[k][0], lines[k][0].x0))
    groups: list[list[layout.Word]] = []
    tops: list[float] = []
    bottoms: list[float] = []
    for k in order:
        w_top, w_bottom = boxes[k]
        n = len(groups)
        for j in (n - 1, n - 2, n - 3) if n >= 3 else range(n - 1, -1, -1):
            top, bottom = tops[j], bottoms[j]
            overlap = min(bottom, w_bottom) - max(top, w_top)
            if overlap >= 0.5 * min(bottom - top, w_bottom - w_top):
                groups[j] += lines[k]
                tops[j] = min(top, w_top)
                bottoms[j] = max(bottom, w_bottom)
                break
        else:
            groups.append(list(lines[k]))
            tops.append(w_top)
            bottoms.append(w_bottom)
    return [layout.Line(page, "full", ws) for ws in groups]


def proto_costs(paths: list[Path]) -> dict[str, float]:
    docs = [pdfium.PdfDocument(str(p)) for p in paths]
    n_pages = sum(len(d) for d in docs)
    out: dict[str, float] = {}
    for name, exact in (("proto reader, first word asked", True), ("proto reader, all interpolated", False)):
        best = None
        for _ in range(3):
            t = time.process_time()
            for d in docs:
                h = pdfium_words._address(d.raw)
                for i in range(len(d)):
                    proto_read(h, i, exact)
            spent = time.process_time() - t
            best = spent if best is None else min(best, spent)
        out[name] = round(best / n_pages * 1000, 3)  # type: ignore[operator]
    read = []
    for d in docs:
        h = pdfium_words._address(d.raw)
        for i in range(len(d)):
            read.append((proto_read(h, i), i + 1, d.get_page_size(i)))
    best = None
    for _ in range(3):
        t = time.process_time()
        for (lines, boxes), n, _size in read:
            proto_cluster(lines, boxes, n)
        spent = time.process_time() - t
        best = spent if best is None else min(best, spent)
    out["proto: PDFium lines clustered -> Line objects"] = round(best / n_pages * 1000, 3)  # type: ignore[operator]
    best = None
    for _ in range(3):
        t = time.process_time()
        for (lines, boxes), n, (w, hgt) in read:
            layout.find_gutter([x for ws in lines for x in ws], w, hgt, 0.08)
        spent = time.process_time() - t
        best = spent if best is None else min(best, spent)
    out["proto: find_gutter on the words"] = round(best / n_pages * 1000, 3)  # type: ignore[operator]
    for d in docs:
        d.close()
    return out




_SPACES = re.compile(r"\s+")


def proto_read_lines_only(doc: Any, i: int, page_number: int) -> list[layout.Line]:
    """One page -> a `Line` per PDFium line with no `Word`s inside (text, box, size from PDFium; 3
    calls a line): the least a line-level path could cost before the layout stage, were the shared
    code changed to work without words."""
    page = LOAD_PAGE(doc, i)
    tp = LOAD_TEXT(page)
    text = _text(tp)
    height = PAGE_HEIGHT(page)
    r1, r2 = raw.FS_RECTF(), raw.FS_RECTF()
    a1, a2 = ctypes.addressof(r1), ctypes.addressof(r2)
    styles: dict[int, float] = {}
    out = []
    new = layout.Line.__new__
    Line = layout.Line
    for m in _LINE.finditer(text):
        line_text = m.group().strip()
        if not line_text:
            continue
        first = m.start() + m.group().index(line_text[0])
        last = first + len(line_text) - 1
        LOOSE(tp, first, a1)
        LOOSE(tp, last, a2)
        o1 = OBJECT(tp, first)
        size = styles.get(o1)
        if size is None:
            size = styles[o1] = round(FONT_SIZE(tp, first), 1)
        ln = new(Line)
        ln.page, ln.column, ln.words = page_number, "full", []
        ln.x0, ln.x1 = r1.left, r2.right
        ln.bottom = height - min(r1.bottom, r2.bottom)
        ln.top = ln.bottom - size
        ln.size, ln.bold, ln.text = size, False, line_text
        out.append(ln)
    CLOSE_TEXT(tp)
    CLOSE_PAGE(page)
    return out


def gutter_on_lines(lines: list[layout.Line], width: float, height: float, band: float) -> float:
    """The histogram half of `find_gutter` on line boxes (numpy): its cost with lines as input."""
    import numpy as np

    body = [ln for ln in lines if ln.top > band * height and ln.bottom < (1 - band) * height]
    if len(body) < 4:
        return 0.0
    n_bins = int(width) + 1
    starts = np.trunc(np.array([ln.x0 for ln in body])).clip(0, None)
    ends = np.ceil(np.array([ln.x1 for ln in body])).clip(None, n_bins)
    inside = starts < ends
    delta = np.bincount(starts[inside].astype(np.int64), minlength=n_bins + 1) - np.bincount(ends[inside].astype(np.int64), minlength=n_bins + 1)
    cover = np.cumsum(delta[:n_bins])
    return float(cover[int(0.2 * width) : int(0.8 * width)].min())


def proto_lines_only_costs(paths: list[Path]) -> dict[str, float]:
    docs = [pdfium.PdfDocument(str(p)) for p in paths]
    n_pages = sum(len(d) for d in docs)
    best = best_g = None
    for _ in range(3):
        t = time.process_time()
        got = []
        for d in docs:
            h = pdfium_words._address(d.raw)
            for i in range(len(d)):
                got.append((proto_read_lines_only(h, i, i + 1), d.get_page_size(i)))
        spent = time.process_time() - t
        best = spent if best is None else min(best, spent)
        t = time.process_time()
        for lines, (w, hgt) in got:
            gutter_on_lines(lines, w, hgt, 0.08)
        spent = time.process_time() - t
        best_g = spent if best_g is None else min(best_g, spent)
    for d in docs:
        d.close()
    return {"lines only, no Words (floor included)": round(best / n_pages * 1000, 3),  # type: ignore[operator]
            "gutter histogram on line boxes": round(best_g / n_pages * 1000, 3)}  # type: ignore[operator]


if __name__ == "__main__":
    main()
