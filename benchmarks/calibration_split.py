"""What `review-themes calibrate` buys on reviews worded unlike the training text.

Consumes a coding sheet of such reviews (default: the generated evaluation split, worded from bank b,
which the default model never saw) and a model. Two figures:

- the command itself: the sheet is split in two by a hash of each file name; `calibrate` re-chooses
  the thresholds on the first part (`calibration.calibrate_model`, into a scratch folder) and
  `evaluate` measures the result on the second, beside the model's own thresholds on the same
  reviews;
- how it depends on how many reviews were coded: the model's review scores are computed once, and
  for N coded reviews (40 repeats each, seeded) the thresholds are re-chosen on N random reviews
  (`calibration.choose_thresholds`) and the rest are scored.

    python -m benchmarks.calibration_split [--codes corpus/build/pdfs/codes-b.csv] [--pdfs corpus/build/pdfs]
        [--model models/default] [--json benchmarks/quality/calibration-split.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import zlib
from pathlib import Path

import numpy as np

from pipeline.calibration import calibrate_model, choose_thresholds
from pipeline.classify import load_theme_model
from pipeline.codebook import load_codebook
from pipeline.config import load_config
from pipeline.features import scored
from pipeline.model import review_scores
from pipeline.train import binary_metrics
from pipeline.training import audit_set, evaluate_model, trained_sha256


def _half_sheets(codes: Path, folder: Path) -> tuple[Path, Path]:
    """The sheet's rows split by crc32(file) % 2 into two sheets in `folder`."""
    with codes.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    out = []
    for part in (0, 1):
        path = folder / f"part{part}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([rows[0], *(r for r in rows[1:] if zlib.crc32(r[0].encode()) % 2 == part)])
        out.append(path)
    return out[0], out[1]


def _macro(scores: np.ndarray, truth: np.ndarray, thresholds: np.ndarray, rows: np.ndarray) -> float:
    return float(np.mean([binary_metrics((scores[rows, j] >= thresholds[j]).astype(int), truth[rows, j])["f1"]
                          for j in range(scores.shape[1])]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--codes", type=Path, default=Path("corpus/build/pdfs/codes-b.csv"))
    ap.add_argument("--pdfs", type=Path, default=Path("corpus/build/pdfs"))
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--repeats", type=int, default=40)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    cfg = load_config(None)
    codebook = load_codebook(cfg.codebook)
    model_dir = args.model or cfg.model
    result: dict[str, object] = {"codes": str(args.codes), "model": str(model_dir)}
    with tempfile.TemporaryDirectory() as tmp:
        first, second = _half_sheets(args.codes, Path(tmp))
        card = calibrate_model([first], args.pdfs, Path(tmp) / "calibrated", cfg, model_dir, cfg.jobs)
        _, after = evaluate_model([second], args.pdfs, cfg, Path(tmp) / "calibrated", cfg.jobs)
        _, before = evaluate_model([second], args.pdfs, cfg, model_dir, cfg.jobs)
    result["command"] = {
        "calibration_reviews": card["calibration"]["reviews"],
        "evaluated_reviews": after["reviews"],
        "macro_f1_model_thresholds": before["macro_f1"],
        "macro_f1_calibrated": after["macro_f1"],
    }
    print(f"calibrate on {card['calibration']['reviews']} reviews, evaluate on the other {after['reviews']}: "
          f"macro-F1 {before['macro_f1']} at the model's thresholds -> {after['macro_f1']} calibrated")

    model = load_theme_model(cfg, codebook, model_dir)
    audit = audit_set([args.codes], args.pdfs, cfg, codebook, trained_sha256(model), cfg.jobs)
    themes = list(codebook.ids)
    # the unrounded review scores `calibrate` chooses on; reviews that leave a theme uncoded are left out
    texts = [t for t in audit.texts if all(th in t.review.codes for th in themes)]
    scores = np.array([review_scores(model.sentence_probabilities(scored(t.sentences)), model.top_k) for t in texts])  # type: ignore[attr-defined]
    truth = np.array([[t.review.codes[th] for th in themes] for t in texts])
    base = np.array([model.thresholds[th] for th in themes])  # type: ignore[attr-defined]
    rng = np.random.default_rng(0)
    curve = []
    n = len(truth)
    for size in (20, 40, 60, 80):
        if size >= n:
            break
        got, kept = [], []
        for _ in range(args.repeats):
            order = rng.permutation(n)
            cal, rest = order[:size], order[size:]
            chosen = choose_thresholds(dict(zip(themes, base)), {th: scores[cal, j] for j, th in enumerate(themes)},
                                       {th: truth[cal, j] for j, th in enumerate(themes)})
            got.append(_macro(scores, truth, np.array([chosen[th]["threshold"] for th in themes]), rest))
            kept.append(_macro(scores, truth, base, rest))
        curve.append({"coded": size, "repeats": args.repeats, "macro_f1_calibrated": round(float(np.mean(got)), 4),
                      "sd": round(float(np.std(got)), 4), "macro_f1_model_thresholds": round(float(np.mean(kept)), 4)})
        print(f"{size} coded reviews: the other reviews {np.mean(got):.3f} (sd {np.std(got):.3f}) against "
              f"{np.mean(kept):.3f} at the model's thresholds, {args.repeats} random splits")
    result["by_number_coded"] = curve
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
