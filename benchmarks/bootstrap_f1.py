"""How uncertain a held-out figure is: bootstrap intervals for macro-F1 and each theme's F1.

Consumes a run folder (`review-themes run ... --out RUN`: its flags.csv) and the coding sheet of the
same reviews; resamples the reviews with replacement and reports the 95% interval of macro-F1, of
each theme's F1, and the share of resamples in which every theme reaches a given F1 (the classifier
issue's "every theme >= 0.80"). With a few dozen reviews a theme, one review either way moves a
theme's F1 by several points: this says by how much.

    python -m benchmarks.bootstrap_f1 RUN corpus/build/written-test/codes.csv [RUN2 CODES2 ...] [--json OUT]

Several run folders, each with its coding sheet, are pooled (e.g. two held-out sets run apart).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path, PurePosixPath

import numpy as np

from pipeline.train import binary_metrics


def f1(pred: np.ndarray, truth: np.ndarray) -> float:
    """F1 of 0/1 predictions as `evaluate` reports it (1.0 when there is nothing to find and nothing
    was flagged)."""
    return float(binary_metrics(pred, truth)["f1"])


def read_pairs(run: Path, codes: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(themes, flags, truth): the run's 0/1 flags and the sheet's codes, one row per coded review.
    A sheet's `file` is matched to the run's review id (the path below the run's folder, without
    extension) by its longest ending of whole path parts that names one review of the run, since the
    sheet's paths may start at a folder above the run's ("written-test/x.pdf" for review "x")."""
    with (run / "flags.csv").open(encoding="utf-8") as fh:
        flags = {r["review_id"]: r for r in csv.DictReader(fh)}
    with codes.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    themes = [t for t in next(iter(flags.values())) if t != "review_id"]
    pred, truth = [], []
    for row in rows:
        parts = PurePosixPath(row["file"].replace("\\", "/")).with_suffix("").parts
        found = next(("/".join(parts[k:]) for k in range(len(parts)) if "/".join(parts[k:]) in flags), None)
        if found is None:
            raise SystemExit(f"{row['file']} (coded) is not a review of {run / 'flags.csv'}")
        pred.append([int(flags[found][t]) for t in themes])
        truth.append([int(row[t]) for t in themes])
    return themes, np.array(pred), np.array(truth)


def bootstrap(pred: np.ndarray, truth: np.ndarray, replicates: int = 2000, seed: int = 0, floor: float = 0.8) -> dict:
    """Point figures and 95% intervals over `replicates` resamples of the reviews (fixed seed)."""
    rng = np.random.default_rng(seed)
    n, k = pred.shape
    per = np.zeros((replicates, k))
    for b in range(replicates):
        i = rng.integers(0, n, n)
        per[b] = [f1(pred[i, j], truth[i, j]) for j in range(k)]
    point = [f1(pred[:, j], truth[:, j]) for j in range(k)]
    return {
        "reviews": n,
        "macro_f1": round(float(np.mean(point)), 4),
        "macro_f1_95": [round(float(v), 4) for v in np.percentile(per.mean(axis=1), [2.5, 97.5])],
        "theme_f1": [round(float(v), 4) for v in point],
        "theme_f1_95": [[round(float(a), 4), round(float(b), 4)] for a, b in np.percentile(per, [2.5, 97.5], axis=0).T],
        f"share_every_theme_at_least_{floor}": round(float((per.min(axis=1) >= floor).mean()), 4),
        "replicates": replicates,
        "seed": seed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", type=Path, nargs="+", metavar="RUN CODES", help="a run folder and its coding sheet, repeatable")
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    if len(args.pairs) % 2:
        ap.error("give each run folder with its coding sheet: RUN CODES [RUN CODES ...]")
    parts = [read_pairs(run, codes) for run, codes in zip(args.pairs[::2], args.pairs[1::2])]
    themes = parts[0][0]
    if any(p[0] != themes for p in parts):
        raise SystemExit("the runs flag different themes: were they made with the same model?")
    pred = np.vstack([p[1] for p in parts])
    truth = np.vstack([p[2] for p in parts])
    out = bootstrap(pred, truth, args.replicates)
    print(f"{out['reviews']} reviews; macro-F1 {out['macro_f1']:.3f} (95%: {out['macro_f1_95'][0]:.3f}-{out['macro_f1_95'][1]:.3f})")
    for t, v, (lo, hi), n in zip(themes, out["theme_f1"], out["theme_f1_95"], truth.sum(axis=0)):
        print(f"  {t:28} F1 {v:.2f} (95%: {lo:.2f}-{hi:.2f}), {int(n)} reviews with it")
    print(f"every theme >= 0.8 in {100 * out['share_every_theme_at_least_0.8']:.1f}% of resamples")
    if args.json:
        args.json.write_text(json.dumps({"themes": themes, **out}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
