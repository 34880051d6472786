"""Profile the work `run` does for one review: extraction, sentence splitting, scoring.

    .venv/bin/python -m benchmarks.profile_review PDF [--backend pdfplumber|pdfium] [--top 25] [--model DIR|keywords]

Prints the wall time of each stage and cProfile's top functions by cumulative and by own time for
extraction (the stage that dominates), plus the plain `extract_text()` loop over the same PDF for
comparison.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from pipeline.batch import _cues_for  # noqa: E402
from pipeline.classify import load_theme_model  # noqa: E402
from pipeline.codebook import load_codebook  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.extract import extract_review  # noqa: E402
from pipeline.nlp import load_nlp, split_sentences  # noqa: E402


def _stats(prof: cProfile.Profile, key: str, top: int) -> str:
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
    lines = buf.getvalue().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--backend", default=None)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--model", type=Path, default=Path("keywords"))
    ap.add_argument("--no-naive", action="store_true")
    args = ap.parse_args()
    cfg = load_config()
    if args.backend:
        cfg = cfg.model_copy(update={"extract": cfg.extract.model_copy(update={"backend": args.backend})})
    codebook = load_codebook(cfg.codebook)
    model = load_theme_model(cfg, codebook, args.model)
    cues = _cues_for(cfg)
    load_nlp(cfg.nlp.pipeline, cues)
    extract_review(args.pdf, args.pdf.parent, cfg.extract)  # warm up: word list, regexes

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    review = extract_review(args.pdf, args.pdf.parent, cfg.extract)
    prof.disable()
    t_extract = time.perf_counter() - t0
    t0 = time.perf_counter()
    sentences = split_sentences(review, cfg.nlp, cues)
    t_split = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.predict(review.review_id, sentences)
    t_score = time.perf_counter() - t0
    print(f"{args.pdf.name}: {review.pages} pages, {len(review.blocks)} blocks, {len(sentences)} sentences")
    print(f"extract {t_extract:.2f} s ({review.pages / t_extract:.1f} pages/s, profiled)  split {t_split:.2f} s  score {t_score:.2f} s ({model.model_id})")
    if not args.no_naive:
        t0 = time.perf_counter()
        with pdfplumber.open(args.pdf) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
        t_naive = time.perf_counter() - t0
        print(f"plain extract_text() loop: {t_naive:.2f} s ({review.pages / t_naive:.1f} pages/s, not profiled)")
    print("\n## extraction, by cumulative time\n")
    print(_stats(prof, "cumulative", args.top))
    print("\n## extraction, by own time\n")
    print(_stats(prof, "tottime", args.top))


if __name__ == "__main__":
    main()
