"""The repository stays small: the tracked files (what a checkout holds) under 25 MB, no build output."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import ROOT

LIMIT_BYTES = 25_000_000


def _tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode("utf-8").split("\0") if p]


def test_tracked_files_stay_under_the_limit() -> None:
    files = _tracked()
    total = sum((ROOT / p).stat().st_size for p in files if (ROOT / p).is_file())
    assert total < LIMIT_BYTES, f"tracked files take {total / 1e6:.1f} MB (limit 25 MB)"


def test_no_built_corpus_or_run_output_is_tracked() -> None:
    built = [p for p in _tracked() if p.startswith(("corpus/build/", "out/", ".review-themes/", "benchmarks/build/"))]
    pdfs = [p for p in _tracked() if p.endswith(".pdf") and not p.startswith(("corpus/sample/", "tests/"))]
    assert not built, built[:5]
    assert not pdfs, pdfs[:5]
