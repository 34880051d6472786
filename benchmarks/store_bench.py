"""Time a first run and a second run over the same folder: the second should do no PDF work.

Usage: .venv/bin/python benchmarks/store_bench.py [N_PDFS] [PAGES] [JOBS]
Generates N_PDFS review PDFs of PAGES sections each (about 3 pages per 4 sections) (tests/fixtures/generated.py) in a temporary
folder, then times `review-themes run` twice with a fresh store, as a user would run it, and prints a
Markdown table row per run: the whole command's wall time (including ~1-2 s of Python start-up and
imports) and the in-run time recorded in run.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.generated import write_reviews  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    pages = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    jobs = sys.argv[3] if len(sys.argv) > 3 else "1"
    exe = str(Path(sys.executable).with_name("review-themes"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_reviews(root / "pdfs", n, pages=pages)
        total_pages = None
        print("| run | wall s (whole command) | in-run s (run.json) | extracted | split | scored | reused | store MB |")
        print("|---|---|---|---|---|---|---|---|")
        for label in ("first (empty store)", "second (unchanged folder)"):
            cmd = [exe, "run", str(root / "pdfs"), "--out", str(root / "out"), "--model", "keywords", "--jobs", jobs, "--quiet"]
            started = time.perf_counter()
            subprocess.run(cmd, cwd=root, check=True)
            wall = time.perf_counter() - started
            run = json.loads((root / "out" / "run.json").read_text())
            w = run["store"]["work"]
            total_pages = run["counts"]["pages"]
            size = (root / ".review-themes" / "store.sqlite").stat().st_size / 1e6
            inner = run["timings"]["total_seconds"]
            print(f"| {label} | {wall:.2f} | {inner:.2f} | {w['extracted']} | {w['split']} | {w['scored']} | {w['reused']} | {size:.2f} |")
        print(f"\n{n} PDFs, {total_pages} pages, --jobs {jobs}, command: {' '.join(cmd[:1])} run PDFS --out OUT --model keywords --jobs {jobs} --quiet")


if __name__ == "__main__":
    main()
