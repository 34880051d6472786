"""The naive baseline: one process, pdfplumber's `extract_text()` on every page of every PDF.

    .venv/bin/python -m benchmarks.naive PDF_DIR [--no-close]

Each page is closed after its text is taken (as pdfplumber's docs advise; without it memory grows
~10 MB a page and the loop gets slower, see --no-close). Prints one JSON line: files, pages,
characters, seconds (the loop only, after imports) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import pdfplumber


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--no-close", action="store_true")
    args = ap.parse_args()
    files = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() == ".pdf")
    pages = chars = 0
    started = time.perf_counter()
    for path in files:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                chars += len(page.extract_text() or "")
                pages += 1
                if not args.no_close:
                    page.close()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"files": len(files), "pages": pages, "chars": chars, "seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
