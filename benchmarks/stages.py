"""Where extraction time goes, stage by stage, for both backends side by side (CPU ms per page).

    .venv/bin/python -m benchmarks.stages PDF [PDF ...] [--json FILE]

For each PDF, both backends run the same steps as `extract_review`, one after the other in this
process, each step timed with the process's CPU clock (less disturbed than wall time by other work
on a shared machine): reading the words (for the pdfium backend also split into what PDFium itself
needs before any word is read: loading the page and its text page and getting the text), making
`Word`s, lines and columns (`page_lines`), running headers, contents page, typography, headings,
paragraphs, sections and boilerplate, metadata. Prints one line per backend and the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

from pipeline import extract, layout, pdfium_words  # noqa: E402
from pipeline.boilerplate import mark_boilerplate  # noqa: E402
from pipeline.config import ExtractConfig  # noqa: E402
from pipeline.metadata import reads_like_review, review_meta  # noqa: E402
from pipeline.paragraphs import build_blocks  # noqa: E402
from pipeline.sections import assign_sections, drop_contents, is_heading_line  # noqa: E402

STAGES = ("words", "Word records", "page_lines", "strip_running", "drop_contents", "measure", "headings",
          "build_blocks", "sections + boilerplate", "metadata")


def _timed(totals: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    start = time.process_time()
    out = fn()
    totals[name] += time.process_time() - start
    return out


def pdfium_floor(path: Path) -> tuple[int, float]:
    """PDFium's own work before any word is read: load each page and its text page, get the text.
    Returns the page count and the CPU seconds."""
    doc = pdfium.PdfDocument(str(path))
    try:
        start = time.process_time()
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(doc), time.process_time() - start
    finally:
        doc.close()


def stages(path: Path, backend: str) -> tuple[int, dict[str, float]]:
    """One PDF through `extract_review`'s steps with `backend` -> its page count and CPU seconds per
    stage (keys: `STAGES`)."""
    cfg = ExtractConfig(backend=backend)
    totals: dict[str, float] = defaultdict(float)
    # As `extract_review`: the pdfium backend groups lines with `pdfium_words.page_lines` (compiled
    # when the accelerator is built; the same as `layout.page_lines` otherwise).
    lines_of = pdfium_words.page_lines if backend == "pdfium" else layout.page_lines
    if backend == "pdfium":
        opener: Any = pdfium_words.open_document(path)
        source: Callable[[Any, ExtractConfig], Iterator[extract.RawPage]] = extract._pdfium_pages
    else:
        opener = pdfplumber.open(path)
        source = extract._plumber_pages
    pages: list[tuple[layout.PageBox, list[layout.Line]]] = []
    with opener as doc:
        raw_pages = source(doc, cfg)
        while True:
            item = _timed(totals, "words", lambda: next(raw_pages, None))
            if item is None:
                break
            number, raw, width, height, _ = item
            words, width, height = _timed(totals, "Word records", lambda: extract._page_words(raw, width, height))
            lines = _timed(totals, "page_lines", lambda: lines_of(words, number, width, height, cfg.header_footer_band))
            pages.append((layout.PageBox(number, height, width), lines))
    pages, _ = _timed(totals, "strip_running", lambda: layout.strip_running(pages, cfg.header_footer_band, cfg.repeat_share))
    lines, _ = _timed(totals, "drop_contents", lambda: drop_contents([ln for _, page in pages for ln in page]))
    typo, edges = _timed(totals, "measure", lambda: layout.measure(lines, {box.page: box.width for box, _ in pages}))
    heads = _timed(totals, "headings", lambda: [is_heading_line(ln, typo) for ln in lines])
    blocks, styles = _timed(totals, "build_blocks", lambda: build_blocks(lines, heads, typo, edges))
    blocks = _timed(totals, "sections + boilerplate", lambda: mark_boilerplate(assign_sections(blocks, styles)))
    _timed(totals, "metadata", lambda: (review_meta(blocks, styles), reads_like_review(blocks)))
    return len(pages), totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="+", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    stages(args.pdfs[0], "pdfium")  # warm up: word lists, regexes, numpy
    totals = {b: defaultdict(float) for b in ("pdfplumber", "pdfium")}
    floor = 0.0
    pages = 0
    for path in args.pdfs:
        for backend in totals:
            n, per_stage = stages(path, backend)
            for key, value in per_stage.items():
                totals[backend][key] += value
        floor += pdfium_floor(path)[1]
        pages += n
    out: dict[str, Any] = {"pages": pages, "load_average_1min": Path("/proc/loadavg").read_text().split()[0]}
    for backend, per_stage in totals.items():
        ms = {key: round(per_stage.get(key, 0.0) / max(pages, 1) * 1000, 2) for key in STAGES}
        out[backend] = {"total_ms_per_page": round(sum(ms.values()), 2), **ms}
        print(f"{backend}: {out[backend]['total_ms_per_page']:.2f} ms/page  " + "  ".join(f"{k} {v:.2f}" for k, v in ms.items()))
    out["pdfium"]["pdfium_floor"] = round(floor / max(pages, 1) * 1000, 2)
    out["ratio"] = round(out["pdfplumber"]["total_ms_per_page"] / max(out["pdfium"]["total_ms_per_page"], 1e-9), 2)
    out["accelerator"] = pdfium_words.accelerator is not None
    print(f"of the pdfium words, PDFium's own page + text page + text: {out['pdfium']['pdfium_floor']:.2f} ms/page;"
          f" ratio {out['ratio']}x; {pages} pages; load {out['load_average_1min']}; compiled accelerator {'on' if out['accelerator'] else 'off'}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
