"""A run folder as the tables see it: what `run` records in run.json for them, and reading it all back.

`run_context` consumes the codebook and the model a run used and produces the run.json sections the
tables need later: "themes" (ids, labels, denominators) and "model" (id, folder, and per theme the
measured sensitivity, specificity, support, negatives and reliability copied from the model card), so
that `export` can rebuild every table without the PDFs, the codebook or the model folder.

`read_run` consumes a run folder (run.json, reviews.csv, flags.csv, and when present scores.csv and
evidence.csv) and produces a `RunData`. Raises `InputError` naming the file (and row) that is missing
or malformed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.codebook import age_range
from pipeline.errors import InputError
from pipeline.records import (
    Codebook,
    ErrorRates,
    Evidence,
    ReviewMeta,
    RunData,
    RunReview,
    SectionKind,
    Theme,
)

CROSS_VALIDATION = "cross-validation on training reviews"
_RATE_KEYS = ("sensitivity", "specificity", "support", "negatives", "reliable", "warning")


def error_rates_section(card: Mapping[str, Any] | None) -> tuple[str, dict[str, dict[str, Any]]]:
    """(where the rates come from, theme -> the card's rate figures) from a model card; ("", {}) without one.

    A card's `held_out_evaluation` (written by `evaluate --into-card` on coded reviews the model was
    not trained on) is preferred over its cross-validation figures, which are optimistic."""
    evaluation = (card or {}).get("held_out_evaluation") or (card or {}).get("evaluation") or {}
    per_theme = evaluation.get("per_theme") or {}
    rates = {
        theme: {k: m[k] for k in _RATE_KEYS if k in m}
        for theme, m in per_theme.items()
        if isinstance(m, Mapping) and "sensitivity" in m and "specificity" in m
    }
    if not rates:
        return "", {}
    return str(evaluation.get("error_rates_from") or CROSS_VALIDATION), rates


def run_context(codebook: Codebook, model: object, model_folder: Path | str, by: Sequence[str] = ()) -> dict[str, Any]:
    """The "themes", "model" and "tables" sections `run` adds to run.json for the tables and `export`."""
    card = getattr(model, "card", None)
    source, rates = error_rates_section(card if isinstance(card, Mapping) else None)
    return {
        "themes": [{"id": t.id, "label": t.label, "denominator": t.denominator} for t in codebook.themes],
        "model": {
            "id": str(getattr(model, "model_id", "")),
            "folder": str(model_folder) if card else "keywords",
            "kind": "trained model" if card else "keyword baseline",
            "error_rates_from": source,
            "error_rates": rates,
            "thresholds": getattr(model, "thresholds", None),  # None for the keyword baseline
        },
        "tables": {"by": list(by)},
    }


def _read_csv(path: Path, required: bool = True) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        if required:
            raise InputError(f"{path}: missing; is {path.parent} a folder written by `review-themes run`?")
        return [], []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def _number(path: Path, rowno: int, column: str, text: str, kind: type) -> Any:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return kind(float(text)) if kind is int else kind(text)
    except ValueError:
        raise InputError(f"{path}, row {rowno}, column '{column}': '{text}' is not a number") from None


def _meta(path: Path, rowno: int, row: Mapping[str, str]) -> ReviewMeta:
    values: dict[str, Any] = {}
    for col in ReviewMeta.columns():
        text = row.get(col) or ""
        if col in ("year", "month"):
            values[col] = _number(path, rowno, col, text, int)
        elif col == "child_age":
            values[col] = _number(path, rowno, col, text, float)
        else:
            values[col] = text.strip() or None
    return ReviewMeta(**values)


def _codebook(info: Mapping[str, Any], path: Path, fallback: Codebook | None) -> Codebook:
    themes = info.get("themes")
    if isinstance(themes, list) and themes:
        try:
            codebook = Codebook(
                tuple(Theme(str(t["id"]), str(t.get("label") or t["id"]), "", (), str(t.get("denominator") or "all")) for t in themes)
            )
            for t in codebook.themes:
                age_range(t)
        except (KeyError, TypeError, AttributeError, ValueError):
            raise InputError(f"{path}: 'themes' is malformed") from None
        return codebook
    if fallback is None:
        raise InputError(f"{path}: records no themes (written by an older version); pass the codebook it used")
    return fallback


def _rates(info: Mapping[str, Any], path: Path) -> tuple[str, dict[str, ErrorRates]]:
    model = info.get("model") or {}
    raw = model.get("error_rates") or {}
    out = {}
    try:
        for theme, m in raw.items():
            out[theme] = ErrorRates(
                theme,
                None if m.get("sensitivity") is None else float(m["sensitivity"]),
                None if m.get("specificity") is None else float(m["specificity"]),
                int(m.get("support") or 0),
                int(m.get("negatives") or 0),
                bool(m.get("reliable", True)),
                str(m.get("warning") or ""),
            )
    except (AttributeError, TypeError, ValueError):
        raise InputError(f"{path}: 'model.error_rates' is malformed") from None
    return str(model.get("error_rates_from") or ""), out


def read_run(run_dir: Path, fallback_codebook: Codebook | None = None) -> RunData:
    """Read a run folder back into a `RunData` (see the module docstring)."""
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: not a folder")
    info_path = run_dir / "run.json"
    if not info_path.is_file():
        raise InputError(f"{run_dir}: no run.json here; point export at a folder written by `review-themes run`")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{info_path}: not valid JSON ({exc})") from None
    if not isinstance(info, dict):
        raise InputError(f"{info_path}: not a run record")
    codebook = _codebook(info, info_path, fallback_codebook)
    source, rates = _rates(info, info_path)

    path = run_dir / "reviews.csv"
    _, rows = _read_csv(path)
    reviews = tuple(
        RunReview(
            r.get("review_id", ""),
            r.get("file", ""),
            r.get("status", ""),
            r.get("reason", ""),
            _number(path, i, "pages", r.get("pages", ""), int),
            _meta(path, i, r),
        )
        for i, r in enumerate(rows, start=2)
    )

    path = run_dir / "flags.csv"
    header, rows = _read_csv(path)
    themes = [h for h in header if h != "review_id"]
    if themes != list(codebook.ids):
        raise InputError(f"{path}: theme columns {', '.join(themes)} do not match the run's codebook {', '.join(codebook.ids)}")
    flags: dict[str, dict[str, int]] = {}
    for i, r in enumerate(rows, start=2):
        bad = [t for t in themes if r.get(t) not in ("0", "1")]
        if bad:
            raise InputError(f"{path}, row {i}, column '{bad[0]}': expected 0 or 1, found '{r.get(bad[0])}'")
        flags[r["review_id"]] = {t: int(r[t]) for t in themes}

    path = run_dir / "scores.csv"
    _, rows = _read_csv(path, required=False)
    scores = {r["review_id"]: {t: _number(path, i, t, r.get(t, ""), float) or 0.0 for t in themes} for i, r in enumerate(rows, start=2)}

    path = run_dir / "evidence.csv"
    _, rows = _read_csv(path, required=False)
    evidence = []
    for i, r in enumerate(rows, start=2):
        try:
            section = SectionKind(r.get("section") or "other")
        except ValueError:
            section = SectionKind.OTHER
        evidence.append(
            Evidence(
                r.get("review_id", ""),
                r.get("theme", ""),
                _number(path, i, "page", r.get("page", ""), int) or 0,
                section,
                _number(path, i, "score", r.get("score", ""), float) or 0.0,
                r.get("text", ""),
            )
        )
    tables = info.get("tables") or {}
    return RunData(
        codebook=codebook,
        reviews=reviews,
        flags=flags,
        scores=scores,
        evidence=tuple(evidence),
        info=info,
        rates=rates,
        error_rates_from=source,
        breakdowns=tuple(str(b) for b in tables.get("by") or ()),
    )
