"""config.yaml -> a typed, validated `Config`.

Consumes a YAML file (or nothing: the defaults). Produces a frozen `Config` whose relative paths are
resolved against the config file's folder. Raises `ConfigError` naming every bad key: unknown keys and
wrong types are errors, never silently ignored.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NlpConfig(_Strict):
    """spaCy set-up. `pipeline` is "blank:en" (no model download) or an installed package name."""

    pipeline: str = "blank:en"
    batch_size: int = Field(default=256, ge=1)


class ExtractConfig(_Strict):
    """Options that change what text comes out of a PDF (part of the extraction cache key)."""

    timeout_seconds: float = Field(default=180.0, gt=0)
    min_chars_per_page: int = Field(default=25, ge=0)
    scanned_share_failed: float = Field(default=0.5, ge=0, le=1)
    header_footer_band: float = Field(default=0.12, gt=0, lt=0.5)
    repeat_share: float = Field(default=0.5, gt=0, le=1)
    x_tolerance: float = Field(default=1.5, gt=0)
    dedupe_chars: bool = True
    max_pages: int = Field(default=0, ge=0)
    # Where the words come from: pdfplumber (pdfminer; the reference) or pdfium (pypdfium2: about
    # 20x faster, the same clean text for nearly every word; see README, Speed).
    backend: Literal["pdfplumber", "pdfium"] = "pdfplumber"


class ClassifyConfig(_Strict):
    """How predictions are reported."""

    evidence_per_theme: int = Field(default=3, ge=1, le=50)


class CodingConfig(_Strict):
    """How coding sheets are combined for training: when the same review and theme are coded more
    than once and the codes differ, "newest" keeps the latest code (by `coded_at` when filled, else
    the later sheet on the command line), "oldest" the first, "drop" leaves it uncoded."""

    conflict: Literal["newest", "oldest", "drop"] = "newest"


class Config(_Strict):
    """The whole configuration. Paths are absolute after loading."""

    codebook: Path = Path("corpus/codebook.csv")
    cues: Path = Path("corpus/cues.yaml")
    model: Path = Path("models/default")
    output_dir: Path = Path("out")
    store_dir: Path = Path(".review-themes")
    jobs: int = Field(default=1, ge=1)
    nlp: NlpConfig = NlpConfig()
    extract: ExtractConfig = ExtractConfig()
    classify: ClassifyConfig = ClassifyConfig()
    coding: CodingConfig = CodingConfig()

    def sha256(self) -> str:
        """A stable hash of the settings (recorded in run.json). Where the store lives does not change
        results, so it is left out."""
        blob = json.dumps(self.model_dump(mode="json", exclude={"store_dir"}), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def _format_validation_error(source: str, err: ValidationError) -> str:
    lines = [f"{source}: invalid configuration"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = "unknown key (remove it or check its spelling)" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def load_config(path: Path | None = None, **overrides: Any) -> Config:
    """Load and validate a config file.

    `path` None means ./config.yaml when it exists, else the project's config.yaml, else defaults.
    `overrides` are top-level keys (e.g. model=Path(...)) applied after the file, then validated
    together. Relative paths in the file resolve against the file's folder, except `store_dir`, which
    resolves against the current directory; relative paths in overrides against the current directory;
    the codebook, cues and model the file does not name are the project's own.
    """
    if path is None:
        for candidate in (Path.cwd() / "config.yaml", PROJECT_ROOT / "config.yaml"):
            if candidate.is_file():
                path = candidate
                break
    data: dict[str, Any] = {}
    base = PROJECT_ROOT
    source = "defaults"
    if path is not None:
        path = Path(path)
        source = str(path)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of keys at the top level")
        data = loaded
        base = path.resolve().parent
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(source, exc)) from None
    # A path the file sets resolves against the file's folder; the shipped codebook, cue lexicon and
    # model, when the file does not name them, are the project's own (a config kept elsewhere that
    # sets only `jobs` must not look for corpus/codebook.csv beside itself).
    resolved = {
        name: (getattr(cfg, name) if getattr(cfg, name).is_absolute()
               else (base if name in data or name == "output_dir" else PROJECT_ROOT) / getattr(cfg, name))
        for name in ("codebook", "cues", "model", "output_dir")
    }
    # The store belongs to the folder the command runs in, not to the config file's folder.
    resolved["store_dir"] = cfg.store_dir if cfg.store_dir.is_absolute() else Path.cwd() / cfg.store_dir
    for name, value in overrides.items():
        if value is None:
            continue
        if isinstance(value, Path) and not value.is_absolute():
            value = Path.cwd() / value
        resolved[name] = value
    try:
        return Config.model_validate({**cfg.model_dump(), **resolved})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(source, exc)) from None
