"""Benchmark corpora: long, dense review PDFs made from the committed generated review texts.

The generated reviews (`corpus/generated/texts/*.md`) are 2-8 pages each. A long review here is one
generated review (its title, cover, contents page and layout: font, size, one or two columns, running
header and footer) followed by the bodies (headings, paragraphs, bullets, tables) of the next generated
reviews in a fixed shuffled order, until the text fills about `pages` pages; it is then rendered with
the corpus renderer (`pipeline/corpus/render.py`, reportlab). The page count is checked after
rendering and the text lengthened or shortened once or twice, so each PDF has `pages` pages +-10%.
Layouts are made dense (type 10-11 pt, 2 cm margins), since real overview reports run about
4,000-5,000 characters a page.

Every PDF is distinct (its own base review and cover line naming its number), so the store sees
distinct sha256 hashes. Corpora are cached under `benchmarks/build/` (not in git) with a
`manifest.json`; a later call with the same parameters reuses them.

    .venv/bin/python -m benchmarks.speedcorpus --reviews 100 --pages 40    # builds benchmarks/build/long-100x40/
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.corpus.render import render_review  # noqa: E402
from pipeline.corpus.textformat import ReviewText, TextBlock, read_review_text  # noqa: E402

TEXTS = ROOT / "corpus" / "generated" / "texts"
CODES = ROOT / "corpus" / "generated" / "codes.csv"
BUILD = ROOT / "benchmarks" / "build"
CHARS_PER_PAGE = 3800.0  # first guess; corrected from the rendered page count
BUILD_VERSION = "2"


def _texts() -> list[Path]:
    files = sorted(TEXTS.glob("*.md"))
    if not files:
        raise SystemExit(f"{TEXTS}: no generated review texts")
    return files


def _chars(blocks: list[TextBlock]) -> int:
    return sum(len(b.text) + sum(len(c) for r in b.rows for c in r) for b in blocks)


def _body_pool(files: list[Path], seed: int) -> list[list[TextBlock]]:
    order = list(files)
    random.Random(seed).shuffle(order)
    return [read_review_text(p).blocks for p in order]


def _dense(review: ReviewText) -> ReviewText:
    layout = dict(review.layout)
    layout["size"] = min(float(layout.get("size", 11) or 11), 11.0)
    layout["margin_cm"] = 2.0
    front = dict(review.front)
    front["layout"] = layout
    return ReviewText(front, review.blocks)


def long_review(index: int, pages: int, files: list[Path], pool: list[list[TextBlock]], chars_per_page: float) -> ReviewText:
    """Review number `index`: generated review `index` (mod the corpus) lengthened to about `pages` pages."""
    base = _dense(read_review_text(files[index % len(files)]))
    cover = list(base.cover)
    if cover:
        cover.append(f"Benchmark review {index:04d}")
    front = dict(base.front)
    front["cover"] = cover
    front["title"] = f"{base.title} ({index:04d})"
    blocks = list(base.blocks)
    target = pages * chars_per_page
    k = index * 7
    while _chars(blocks) < target:
        blocks += pool[k % len(pool)]
        k += 1
    # cut back to the target on a block boundary
    out: list[TextBlock] = []
    total = 0
    for b in blocks:
        out.append(b)
        total += _chars([b])
        if total >= target:
            break
    return ReviewText(front, out)


def _render_one(args: tuple[int, int, str, str]) -> tuple[str, int]:
    index, pages, out_dir, prefix = args
    files = _texts()
    pool = _body_pool(files, seed=1)
    path = Path(out_dir) / f"{prefix}{index:04d}.pdf"
    cpp = CHARS_PER_PAGE
    got = 0
    for _ in range(3):
        review = long_review(index, pages, files, pool, cpp)
        got = render_review(review, path, name=path.name)
        if abs(got - pages) <= max(1, 0.1 * pages):
            break
        cpp = cpp * pages / got  # the characters per page this layout actually holds
    return path.name, got


def _run(jobs: int, fn, tasks: list) -> list:
    if jobs <= 1:
        return [fn(t) for t in tasks]
    with mp.get_context("fork").Pool(jobs) as pool:
        return list(pool.imap(fn, tasks, chunksize=1))


def _earlier_build(folder: Path, wanted: dict) -> dict | None:
    """The manifest of an earlier build in `folder` made with the `wanted` settings, or None after
    emptying the folder (so the caller builds afresh into `folder/pdfs`, which then exists)."""
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()):
            return manifest
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "pdfs").mkdir(parents=True)
    return None


def build_long(n: int, pages: int, jobs: int = 2, root: Path = BUILD, prefix: str = "review-") -> tuple[Path, dict]:
    """`n` long reviews of about `pages` pages each in `root/long-NxP/pdfs`; reuses an earlier build."""
    folder = root / f"long-{n}x{pages}"
    manifest_path = folder / "manifest.json"
    wanted = {"kind": "long", "n": n, "pages": pages, "version": BUILD_VERSION}
    pdfs = folder / "pdfs"
    if (earlier := _earlier_build(folder, wanted)) is not None:
        return pdfs, earlier
    started = time.perf_counter()
    results = _run(jobs, _render_one, [(i, pages, str(pdfs), prefix) for i in range(n)])
    manifest = {**wanted, "files": dict(results), "total_pages": sum(p for _, p in results),
                "render_seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return pdfs, manifest


def _render_small(args: tuple[int, str]) -> tuple[str, int]:
    index, out_dir = args
    files = _texts()
    base = read_review_text(files[index % len(files)])
    cover = [*base.cover[:2], f"Benchmark copy {index:04d}"]
    front = {**base.front, "cover": cover, "contents": False, "title": f"{base.title} ({index:04d})",
             "layout": {**base.layout, "cover_page": False}}
    blocks: list[TextBlock] = []
    for b in base.blocks:  # about one page of text
        blocks.append(b)
        if _chars(blocks) > 2500:
            break
    path = Path(out_dir) / f"small-{index:04d}.pdf"
    return path.name, render_review(ReviewText(front, blocks), path, name=path.name)


def build_small(n: int, jobs: int = 2, root: Path = BUILD) -> tuple[Path, dict]:
    """`n` distinct short reviews (about one page each) in `root/small-N/pdfs`; reuses an earlier build."""
    folder = root / f"small-{n}"
    manifest_path = folder / "manifest.json"
    wanted = {"kind": "small", "n": n, "version": "1"}
    pdfs = folder / "pdfs"
    if (earlier := _earlier_build(folder, wanted)) is not None:
        return pdfs, earlier
    started = time.perf_counter()
    results = _run(jobs, _render_small, [(i, str(pdfs)) for i in range(n)])
    manifest = {**wanted, "total_pages": sum(p for _, p in results), "render_seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return pdfs, manifest


def _render_coded(args: tuple[str, str]) -> tuple[str, int]:
    text, out_dir = args
    path = Path(text)
    target = Path(out_dir) / f"{path.stem}.pdf"
    return target.name, render_review(read_review_text(path), target, name=path.name)


def build_coded(n: int, jobs: int = 2, root: Path = BUILD) -> tuple[Path, Path, dict]:
    """The first `n` coded generated reviews rendered as the corpus renders them (`root/coded-N/pdfs`),
    with their coding sheet `codes.csv` (file column naming the PDFs). Returns (pdfs, codes, manifest)."""
    folder = root / f"coded-{n}"
    manifest_path = folder / "manifest.json"
    wanted = {"kind": "coded", "n": n, "version": "1"}
    pdfs, codes = folder / "pdfs", folder / "codes.csv"
    if (earlier := _earlier_build(folder, wanted)) is not None:
        return pdfs, codes, earlier
    with CODES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:n + 1]
    col = header.index("file")
    started = time.perf_counter()
    results = _run(jobs, _render_coded, [(str(TEXTS / Path(r[col]).with_suffix(".md").name), str(pdfs)) for r in body])
    for r in body:
        r[col] = str(Path(r[col]).with_suffix(".pdf"))
    with codes.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    manifest = {**wanted, "total_pages": sum(p for _, p in results), "render_seconds": round(time.perf_counter() - started, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return pdfs, codes, manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reviews", type=int, default=100)
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    pdfs, manifest = build_long(args.reviews, args.pages, args.jobs)
    print(f"{pdfs}: {args.reviews} PDFs, {manifest['total_pages']} pages")


if __name__ == "__main__":
    main()
