"""Word-level agreement and speed of the two extraction backends (pdfplumber, pdfium) on PDF folders.

    .venv/bin/python -m benchmarks.agreement DIR [DIR ...] [--max-pages N] [--json FILE] [-v]

For every PDF, both backends extract the clean text in this process, one after the other, and:

- words: the clean text's words (blocks joined, split on white space) of each backend, aligned with
  difflib; agreement = matched words / the longer sequence (1.0 = same words in the same order);
- blocks: share of pdfplumber's blocks (text, kind, page, section) found identical, in order, in the
  pdfium output; sections: share of matched words that carry the same section kind;
- seconds per backend, wall clock and CPU time of this process (extraction only), and the 1-minute
  load average before and after each folder.

Failures must agree too (same reason before the colon). Prints one line per PDF with -v, and a
summary per folder.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.config import ExtractConfig  # noqa: E402
from pipeline.extract import extract_or_fail, find_pdfs  # noqa: E402
from pipeline.records import ExtractedReview  # noqa: E402


def _words(review: ExtractedReview) -> tuple[list[str], list[str]]:
    words, sections = [], []
    for b in review.blocks:
        for w in b.text.split():
            words.append(w)
            sections.append(str(b.section))
    return words, sections


def compare(path: Path, root: Path, max_pages: int = 0) -> dict:
    a_cfg = ExtractConfig(max_pages=max_pages)
    b_cfg = ExtractConfig(max_pages=max_pages, backend="pdfium")
    t, c = time.perf_counter(), time.process_time()
    a = extract_or_fail(path, root, a_cfg)
    ta, ca = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    b = extract_or_fail(path, root, b_cfg)
    tb, cb = time.perf_counter() - t, time.process_time() - c
    row: dict = {"file": path.name, "pdfplumber_s": ta, "pdfium_s": tb, "pdfplumber_cpu_s": ca, "pdfium_cpu_s": cb}
    if not isinstance(a, ExtractedReview) or not isinstance(b, ExtractedReview):
        ra = "ok" if isinstance(a, ExtractedReview) else a.reason.split(":")[0]
        rb = "ok" if isinstance(b, ExtractedReview) else b.reason.split(":")[0]
        row.update(status_a=ra, status_b=rb, same_status=ra == rb, pages=getattr(a, "pages", 0))
        return row
    wa, sa = _words(a)
    wb, sb = _words(b)
    sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    blocks = sm.get_matching_blocks()
    matched = sum(m.size for m in blocks)
    same_section = sum(1 for m in blocks for k in range(m.size) if sa[m.a + k] == sb[m.b + k])
    ka = [(x.text, x.kind, x.page, str(x.section)) for x in a.blocks]
    kb = [(x.text, x.kind, x.page, str(x.section)) for x in b.blocks]
    same_blocks = sum(m.size for m in difflib.SequenceMatcher(None, ka, kb, autojunk=False).get_matching_blocks())
    row.update(
        status_a="ok", status_b="ok", same_status=True, pages=a.pages,
        words_a=len(wa), words_b=len(wb), matched=matched, longer=max(len(wa), len(wb)),
        section_same=same_section, blocks_a=len(ka), blocks_same=same_blocks, meta_same=a.meta == b.meta,
    )
    return row


def _loadavg() -> str:
    """The 1-minute load average ("?" where /proc is missing)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def summarise(rows: list[dict]) -> dict:
    ok = [r for r in rows if r["status_a"] == "ok" and r["status_b"] == "ok"]
    matched = sum(r["matched"] for r in ok)
    longer = sum(r["longer"] for r in ok) or 1
    ta = sum(r["pdfplumber_s"] for r in rows)
    tb = sum(r["pdfium_s"] for r in rows)
    ca = sum(r["pdfplumber_cpu_s"] for r in rows)
    cb = sum(r["pdfium_cpu_s"] for r in rows)
    pages = sum(r.get("pages", 0) for r in ok)
    per_review = sorted(r["matched"] / max(r["longer"], 1) for r in ok)
    return {
        "files": len(rows),
        "both_ok": len(ok),
        "status_disagreements": [(r["file"], r["status_a"], r["status_b"]) for r in rows if not r["same_status"]],
        "pages": pages,
        "word_agreement": round(matched / longer, 5),
        "worst_review_agreement": round(per_review[0], 4) if per_review else None,
        "median_review_agreement": round(per_review[len(per_review) // 2], 4) if per_review else None,
        "reviews_at_98_or_more": sum(1 for x in per_review if x >= 0.98),
        "section_agreement": round(sum(r["section_same"] for r in ok) / max(matched, 1), 5),
        "block_identical_share": round(sum(r["blocks_same"] for r in ok) / max(sum(r["blocks_a"] for r in ok), 1), 5),
        "metadata_same": sum(1 for r in ok if r["meta_same"]),
        "pdfplumber_seconds": round(ta, 2),
        "pdfium_seconds": round(tb, 2),
        "speedup": round(ta / tb, 1) if tb else None,
        # CPU seconds of this process: less disturbed than wall time by other work on the machine.
        "pdfplumber_cpu_seconds": round(ca, 2),
        "pdfium_cpu_seconds": round(cb, 2),
        "cpu_speedup": round(ca / cb, 1) if cb else None,
        "pdfplumber_pages_per_s": round(pages / ta, 1) if ta else None,
        "pdfium_pages_per_s": round(pages / tb, 1) if tb else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--max-pages", type=int, default=0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    out = {}
    for folder in args.dirs:
        load_before = _loadavg()
        rows = []
        for path in find_pdfs(folder):
            row = compare(path, folder, args.max_pages)
            rows.append(row)
            if args.v:
                if row["status_a"] == "ok" and row["status_b"] == "ok":
                    print(f"  {row['file']}: {row['words_a']}/{row['words_b']} words, agreement "
                          f"{row['matched'] / max(row['longer'], 1):.4f}, blocks identical {row['blocks_same']}/{row['blocks_a']}")
                else:
                    print(f"  {row['file']}: {row['status_a']} | {row['status_b']}")
        summary = summarise(rows)
        summary["load_average_1min"] = f"{load_before} -> {_loadavg()}"
        out[str(folder)] = summary
        print(f"{folder}: {json.dumps(summary)}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
