"""Shared fixtures. Tests never touch the real models/ or out/ folders: outputs go to tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.config import Config, load_config
from pipeline.corpus.render import render_pdf

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REVIEW_THEMES_SHARED", ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _store_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run from a temporary folder, so the store (./.review-themes) never lands in the repo."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def project_config() -> Config:
    return load_config(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def skeleton_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the three skeleton reviews rendered to PDF."""
    from tests.fixtures.skeleton_reviews import REVIEWS

    folder = tmp_path_factory.mktemp("skeleton_pdfs")
    for name, items in REVIEWS.items():
        render_pdf(items, folder / f"{name}.pdf")
    return folder


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/extract/*.md from the current extraction (review the diff before committing)",
    )


@pytest.fixture(scope="session")
def quirk_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one PDF per layout quirk (tests/fixtures/quirks.py), named after the quirk."""
    from tests.fixtures.quirks import QUIRKS

    folder = tmp_path_factory.mktemp("quirk_pdfs")
    for name, write in QUIRKS.items():
        write(folder / f"{name}.pdf")
    return folder


def shared_dir(sub: str) -> Path:
    """A folder of ../shared, or skip the test cleanly when it is not there."""
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def coding_pdfs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, int]]]:
    """Sixteen rendered reviews for the coding loop and their true codes (file -> theme -> 0/1, all 16 themes)."""
    from pipeline.codebook import load_codebook
    from tests.fixtures.coding_reviews import reviews

    ids = load_codebook(ROOT / "corpus" / "codebook.csv").ids
    folder = tmp_path_factory.mktemp("coding_pdfs")
    truth: dict[str, dict[str, int]] = {}
    for name, (items, codes) in reviews().items():
        render_pdf(items, folder / f"{name}.pdf")
        truth[f"{name}.pdf"] = {t: codes.get(t, 0) for t in ids}
    return folder, truth
