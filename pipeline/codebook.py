"""The theme codebook CSV -> `Codebook`.

Consumes a CSV with columns `id,label,description` and optionally `keywords` (";"-separated phrases
for the keyword baseline and cue matcher) and `denominator` ("all" or "age:LO-HI"). Produces a
`Codebook` in file order. Raises `ConfigError` naming the row and column of any problem. The taxonomy
is data: a new row is a new theme after retraining.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

from pipeline.errors import ConfigError
from pipeline.records import Codebook, Theme

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DENOMINATOR = re.compile(r"^(all|age:\d{1,2}-\d{1,2})$")
REQUIRED = ("id", "label", "description")


def load_codebook(path: Path) -> Codebook:
    """Read and validate the codebook at `path`."""
    if not path.is_file():
        raise ConfigError(f"{path}: codebook not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: codebook is not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(f"{path}: codebook lacks column(s) {', '.join(missing)}")
    unknown = [c for c in header if c not in (*REQUIRED, "keywords", "denominator")]
    if unknown:
        raise ConfigError(f"{path}: codebook has unknown column(s) {', '.join(unknown)}")
    themes: list[Theme] = []
    seen: set[str] = set()
    for rowno, row in enumerate(reader, start=2):
        tid = (row.get("id") or "").strip()
        if not _ID.match(tid):
            raise ConfigError(f"{path}, row {rowno}, column 'id': '{tid}' is not a lower_snake_case id")
        if tid in seen:
            raise ConfigError(f"{path}, row {rowno}, column 'id': duplicate theme id '{tid}'")
        seen.add(tid)
        denominator = (row.get("denominator") or "all").strip() or "all"
        if not _DENOMINATOR.match(denominator):
            raise ConfigError(
                f"{path}, row {rowno}, column 'denominator': '{denominator}' must be 'all' or 'age:LO-HI'"
            )
        keywords = tuple(k.strip().lower() for k in (row.get("keywords") or "").split(";") if k.strip())
        themes.append(
            Theme(
                id=tid,
                label=(row.get("label") or tid).strip(),
                description=(row.get("description") or "").strip(),
                keywords=keywords,
                denominator=denominator,
            )
        )
    if not themes:
        raise ConfigError(f"{path}: codebook has no themes")
    return Codebook(tuple(themes))


def age_range(theme: Theme) -> tuple[int, int] | None:
    """The (low, high) age bounds of an age-restricted denominator, or None for "all"."""
    if theme.denominator.startswith("age:"):
        lo, hi = theme.denominator[4:].split("-")
        return int(lo), int(hi)
    return None


def load_cues(path: Path | None, codebook: Codebook) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Cue phrases per theme: the codebook keywords plus the theme's entries in the cue lexicon.

    Consumes the cue lexicon YAML (`{theme_id: [phrase, ...]}`; None or a missing file means keywords
    only). Produces ((theme_id, phrases), ...) in codebook order. Raises `ConfigError` for a theme id
    the codebook does not have, or entries that are not lists of strings.
    """
    extra: dict[str, list[str]] = {}
    if path is not None and path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of theme id -> list of phrases")
        for key, phrases in data.items():
            if key not in codebook.ids:
                raise ConfigError(f"{path}: '{key}' is not a theme id of the codebook")
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise ConfigError(f"{path}: '{key}' must be a list of phrases")
            extra[key] = phrases
    out = []
    for theme in codebook.themes:
        phrases = {p.strip().lower() for p in (*theme.keywords, *extra.get(theme.id, [])) if p.strip()}
        out.append((theme.id, tuple(sorted(phrases))))
    return tuple(out)
