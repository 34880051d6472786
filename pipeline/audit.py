"""A run's flags checked against an audit sample: the error rates behind its prevalence table.

Consumes a run folder and coding sheets of reviews in that run. Only audit rows count (picked_by
random, all or empty); uncertainty picks are a biased sample and reviews the run's model was trained
on would flatter it, so both are left out. Produces per-theme precision, recall (sensitivity),
specificity and prevalence error of the run's flags against the codes, and records them in the run's
run.json under `audit` (the rest of run.json is kept as it was).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.codebook import load_codebook
from pipeline.codes import PICKED_UNCERTAIN, is_audit, merge_codes, read_codes
from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.export import write_json
from pipeline.model import card_reviews_sha256
from pipeline.runfolder import read_run
from pipeline.train import binary_metrics


def audit_run(run_dir: Path, code_files: Sequence[Path], cfg: Config, record: bool = True) -> dict[str, Any]:
    """Per-theme error rates of the run's flags on the audit-coded reviews; written to run.json
    under `audit` when `record`. Returns that section."""
    codebook = load_codebook(cfg.codebook)
    run = read_run(run_dir, codebook, cfg, same_codebook=True)
    sheets = [read_codes(p, codebook, require_all_themes=False) for p in code_files]
    audit_files = {r.file for s in sheets for r in s if is_audit(r) and r.codes}
    excluded: dict[str, set[str]] = {}
    for s in sheets:
        for r in s:
            if r.codes and not is_audit(r) and r.file not in audit_files:
                excluded.setdefault(r.picked_by.strip().lower(), set()).add(r.file)
    merged = [r for r in merge_codes([[r for r in s if is_audit(r)] for s in sheets], cfg.coding.conflict).reviews if r.codes]
    by_file = {f: rid for rid, f in run.files.items()}
    sha256 = run.file_sha256
    trained = card_reviews_sha256(run.card)
    used = [(r, by_file[r.file]) for r in merged if r.file in by_file and sha256.get(by_file[r.file]) not in trained]
    not_in_run = sum(1 for r in merged if r.file not in by_file)
    was_trained = sum(1 for r in merged if r.file in by_file and sha256.get(by_file[r.file]) in trained)
    if not used:
        raise InputError(
            f"{run_dir}: none of the audit-coded reviews can be checked ({not_in_run} not in this run, {was_trained} "
            "trained or calibrated on); code a random sample of this run: `review-themes code-sheet RUN_DIR --pick random`"
        )
    per_theme: dict[str, Any] = {}
    for theme in codebook.ids:
        rows = [(r.codes[theme], run.flags[rid][theme]) for r, rid in used if theme in r.codes and theme in run.flags.get(rid, {})]
        if rows:
            truth, pred = np.array([t for t, _ in rows]), np.array([p for _, p in rows])
            per_theme[theme] = binary_metrics(pred, truth)
    uncertain = len(excluded.get(PICKED_UNCERTAIN, set()))
    basis = f"audited on {len(used)} audit-coded review(s) of this run; {uncertain} uncertainty-picked review(s) excluded"
    if was_trained:
        basis += f"; {was_trained} review(s) the model was trained or calibrated on excluded"
    if not_in_run:
        basis += f"; {not_in_run} coded review(s) not in this run"
    section = {
        "basis": basis,
        "audited_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_id": run.model_id or "unknown",
        "coding_sheets": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in code_files},
        "reviews": len(used),
        "excluded_picked": {k: len(v) for k, v in sorted(excluded.items())},
        "excluded_trained": was_trained,
        "not_in_run": not_in_run,
        "macro_f1": round(float(np.mean([m["f1"] for m in per_theme.values()])), 4) if per_theme else None,
        "per_theme": per_theme,
    }
    if record:
        write_json(run_dir / "run.json", {**run.info, "audit": section})
    return section
