"""A run folder: what `run` records in run.json for reading it back, and reading it all back.

`run_context` consumes the codebook and the model a run used and produces the run.json sections the
tables need later: "themes" (ids, labels, denominators) and "model" (id, folder, thresholds, and per
theme the measured sensitivity, specificity, support, negatives and reliability copied from the
model card), so that `export` can rebuild every table without the PDFs, the codebook or the model
folder.

`read_run` consumes a folder written by `review-themes run` (run.json, reviews.csv, flags.csv,
scores.csv, evidence.csv) and produces a `RunFolder`: every review with its metadata, the flags,
scores and evidence, the error rates, and the thresholds the model flagged with (from run.json,
else the model's card, else 0.5, saying so in `notes`). The tables, `export`, the code sheets and
the audit all read a run through it. Raises `InputError` naming the file (and row) that is missing
or malformed, or when the run was made with another codebook than the one the caller codes with.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.codebook import age_range
from pipeline.config import Config
from pipeline.errors import InputError, ModelError
from pipeline.keywords import KeywordModel
from pipeline.model import read_card
from pipeline.records import (
    Codebook,
    ErrorRates,
    Evidence,
    ReviewMeta,
    RunFolder,
    RunReview,
    SectionKind,
    Theme,
)

CROSS_VALIDATION = "cross-validation on training reviews"
DEFAULT_THRESHOLD = 0.5
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


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if not path.is_file():
        raise InputError(f"{path}: missing; is {path.parent} a folder written by `review-themes run`?")
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
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


def _run_json(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    path = folder / "run.json"
    if not path.is_file():
        raise InputError(f"{folder}: not a run folder (no run.json here); run `review-themes run PDF_DIR --out {folder}` first")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(info, dict):
        raise InputError(f"{path}: not a run record")
    return info


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


def _model_card(info: Mapping[str, Any], cfg: Config | None) -> tuple[dict[str, Any] | None, str]:
    """The card of the run's model: the folder recorded in run.json, else the configured model when
    its id matches the run's. Returns (card or None, where it came from or why not)."""
    model = info.get("model") or {}
    model_id = info.get("model_id") or model.get("id")
    candidates = [Path(model["folder"])] if model.get("folder") else []
    if cfg is not None:
        candidates.append(cfg.model)
    for folder in candidates:
        try:
            card = read_card(folder)
        except ModelError:
            continue
        if card.get("model_id") == model_id:
            return card, f"model card {folder}"
    return None, f"no model folder with id {model_id} was found"


def _thresholds(info: Mapping[str, Any], card: Mapping[str, Any] | None, themes: Sequence[str], notes: list[str]) -> tuple[dict[str, float], str]:
    recorded = (info.get("model") or {}).get("thresholds")
    if isinstance(recorded, dict) and recorded:
        source, values = "run.json", recorded
    elif card is not None and isinstance(card.get("thresholds"), dict):
        source, values = "model card", card["thresholds"]
    elif info.get("model_id") == KeywordModel.model_id:
        notes.append(f"the run used the keyword baseline, which has no thresholds: {DEFAULT_THRESHOLD} is used")
        return {t: DEFAULT_THRESHOLD for t in themes}, f"default {DEFAULT_THRESHOLD} (keyword baseline)"
    else:
        notes.append(f"run.json records no thresholds and the model's card was not found: {DEFAULT_THRESHOLD} is used")
        return {t: DEFAULT_THRESHOLD for t in themes}, f"default {DEFAULT_THRESHOLD}"
    missing = [t for t in themes if t not in values]
    if missing:
        notes.append(f"no threshold for {', '.join(missing)}: {DEFAULT_THRESHOLD} is used")
    return {t: float(values.get(t, DEFAULT_THRESHOLD)) for t in themes}, source


def read_run(
    folder: Path, codebook: Codebook | None = None, cfg: Config | None = None, *, same_codebook: bool = False
) -> RunFolder:
    """Read a run folder back into a `RunFolder` (see the module docstring).

    `codebook` stands in for the themes of a run.json written before they were recorded. With
    `same_codebook`, a run made with another codebook than `codebook` is refused: code sheets and the
    audit code its reviews against the configured codebook. `cfg` lets an older run.json find its
    model card through config `model`.
    """
    info = _run_json(folder)
    info_path = folder / "run.json"
    if same_codebook and codebook is not None and info.get("codebook_sha256") not in (None, codebook.sha256):
        raise InputError(
            f"{folder}: this run used a different codebook from the one configured; run it again with the current codebook"
        )
    codebook = _codebook(info, info_path, codebook)
    source, rates = _rates(info, info_path)

    path = folder / "reviews.csv"
    _, rows = _read_csv(path)
    reviews = tuple(
        RunReview(
            r.get("review_id", ""),
            r.get("file", ""),
            r.get("status", ""),
            r.get("reason", ""),
            _number(path, i, "pages", r.get("pages", ""), int),
            _meta(path, i, r),
            r.get("sha256") or "",
        )
        for i, r in enumerate(rows, start=2)
    )

    path = folder / "flags.csv"
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

    path = folder / "scores.csv"
    _, rows = _read_csv(path)
    scores = {r["review_id"]: {t: _number(path, i, t, r.get(t, ""), float) or 0.0 for t in themes} for i, r in enumerate(rows, start=2)}

    path = folder / "evidence.csv"
    _, rows = _read_csv(path)
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

    notes: list[str] = []
    card, card_note = _model_card(info, cfg)
    if card is None and info.get("model_id") != KeywordModel.model_id:
        notes.append(card_note)
    thresholds, thresholds_source = _thresholds(info, card, codebook.ids, notes)
    if thresholds_source == "model card":
        thresholds_source = card_note
    tables = info.get("tables") or {}
    return RunFolder(
        folder=folder,
        codebook=codebook,
        reviews=reviews,
        flags=flags,
        scores=scores,
        evidence=tuple(evidence),
        info=info,
        rates=rates,
        error_rates_from=source,
        breakdowns=tuple(str(b) for b in tables.get("by") or ()),
        thresholds=thresholds,
        thresholds_source=thresholds_source,
        card=card,
        notes=tuple(notes),
    )
