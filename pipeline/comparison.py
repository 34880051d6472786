"""Two models side by side on the same audit-coded reviews: should config.yaml switch to the new one?

Consumes coding sheets, the PDF folder they refer to, the config and two model folders ("keywords"
selects the keyword baseline). Only audit rows count and reviews either model was trained on are left
out (see `training.audit_set`), so both models are measured on exactly the same reviews. Produces one
`ThemeComparison` per coded theme (precision, recall, F1 of each and a verdict for B against A:
"better" or "worse" when B's F1 differs by more than `SAME_WITHIN`, else "same"; for a theme no audit
review has, F1 says nothing - it is 1 or 0 by whether a model flagged any review at all - so the
verdict compares the false flags instead: "fewer false flags", "more false flags" or "same") and a
summary with each model's macro-F1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.batch import Progress
from pipeline.classify import load_theme_model
from pipeline.codebook import load_codebook
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.records import ThemeComparison
from pipeline.training import Log, audit_set, paired_metrics, trained_sha256

SAME_WITHIN = 0.02


def verdict(f1_a: float, f1_b: float, within: float = SAME_WITHIN) -> str:
    """B against A: "better", "worse" or "same" (F1 within `within`)."""
    diff = f1_b - f1_a
    if diff > within + 1e-9:
        return "better"
    if diff < -within - 1e-9:
        return "worse"
    return "same"


def verdict_without_positives(a: dict[str, Any], b: dict[str, Any]) -> str:
    """B against A on a theme with no coded positive review: by the number of false flags."""
    fp_a = round(float(a["predicted_percent"]) * int(a["n"]) / 100)
    fp_b = round(float(b["predicted_percent"]) * int(b["n"]) / 100)
    return "fewer false flags" if fp_b < fp_a else "more false flags" if fp_b > fp_a else "same"


def compare_models(
    code_files: Sequence[Path],
    pdf_dir: Path,
    cfg: Config,
    model_a: Path,
    model_b: Path,
    jobs: int = 1,
    progress: Progress | None = None,
    log: Log = lambda _m: None,
) -> tuple[list[ThemeComparison], dict[str, Any]]:
    """Per-theme metrics of models A and B on the same audit-coded reviews, with verdicts for B."""
    codebook = load_codebook(cfg.codebook)
    a = load_theme_model(cfg, codebook, model_a)
    b = load_theme_model(cfg, codebook, model_b)
    audit = audit_set(code_files, pdf_dir, cfg, codebook, trained_sha256(a) | trained_sha256(b), jobs, progress, log)
    if not audit.texts:
        raise InputError(
            f"no audit-coded reviews to compare on ({audit.describe()}); code a random sample that neither model "
            "was trained on: `review-themes code-sheet RUN_DIR --pick random`"
        )
    rows = [
        ThemeComparison(theme, ma, mb, verdict(float(ma["f1"]), float(mb["f1"])) if int(ma["support"])
                        else verdict_without_positives(ma, mb))
        for theme, ma, mb in paired_metrics(audit, codebook.ids, a, b)
    ]
    summary = {
        "a": {"folder": str(model_a), "model_id": a.model_id,
              "macro_f1": round(float(np.mean([r.a["f1"] for r in rows])), 4) if rows else None},
        "b": {"folder": str(model_b), "model_id": b.model_id,
              "macro_f1": round(float(np.mean([r.b["f1"] for r in rows])), 4) if rows else None},
        **audit.as_json(),
        "skipped": audit.skipped,
        "same_within": SAME_WITHIN,
        "verdicts": {v: sum(1 for r in rows if r.verdict == v)
                     for v in ("better", "worse", "same", "fewer false flags", "more false flags")},
    }
    return rows, summary
