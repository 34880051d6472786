"""The fast glyph reader gives exactly what pdfplumber's `page.chars` gives, for the keys we use."""

from pathlib import Path

import pdfplumber
import pytest

from pipeline.extract import find_pdfs, layout_chars
from tests.conftest import ROOT, shared_dir

KEYS = ("text", "x0", "x1", "top", "bottom", "doctop", "upright", "size", "fontname")


def _same_chars(path: Path, max_pages: int = 3) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:max_pages]:
            ours = layout_chars(page)
            theirs = page.chars
            assert [tuple(c[k] for k in KEYS) for c in ours] == [tuple(c[k] for k in KEYS) for c in theirs], path.name
            page.close()


def test_layout_chars_match_page_chars_on_sample_reviews():
    for path in sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[:4]:
        _same_chars(path)


def test_layout_chars_match_page_chars_on_real_world_pdfs():
    wild = shared_dir("wild-pdfs")
    checked = 0
    for path in find_pdfs(wild):
        try:
            _same_chars(path, max_pages=1)
        except AssertionError:
            raise
        except Exception:  # noqa: BLE001 - encrypted, corrupt, empty: pdfplumber fails on both paths
            continue
        checked += 1
    if checked == 0:
        pytest.skip("no readable PDFs")
    assert checked >= 20
