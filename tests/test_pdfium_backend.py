"""The optional fast backend (`extract.backend: pdfium`): same clean text, same failure reasons, its
own extraction cache key."""

import difflib
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pipeline import fingerprints
from pipeline.config import ExtractConfig, load_config
from pipeline.errors import ConfigError
from pipeline.extract import extract_or_fail, extract_review
from pipeline.records import ExtractFailure
from tests.conftest import ROOT
from tests.fixtures.typeset import Item, Layout, typeset

PLUMBER = ExtractConfig()
PDFIUM = ExtractConfig(backend="pdfium")


def _words(review) -> list[str]:
    return " ".join(b.text for b in review.blocks).split()


def _agreement(a: list[str], b: list[str]) -> float:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks()) / max(len(a), len(b), 1)


def test_sample_reviews_come_out_the_same():
    for path in sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[:3]:
        a = extract_review(path, path.parent, PLUMBER)
        b = extract_review(path, path.parent, PDFIUM)
        assert _agreement(_words(a), _words(b)) >= 0.99, path.name
        assert [(x.kind, x.section, x.page) for x in a.blocks] == [(x.kind, x.section, x.page) for x in b.blocks]
        assert a.meta == b.meta and a.pages == b.pages


def test_two_columns_hyphens_and_running_headers(tmp_path: Path):
    sentences = [
        "The health visitor recorded that the home was cold and that there was little food in the cupboards.",
        "The multi-agency safeguarding hub received three contacts within six weeks but did not link them.",
        "Information about previous domestic incidents was held by police but was not requested by anyone.",
    ]
    items = [Item("heading", "1. Introduction")] + [Item("paragraph", " ".join(sentences[(i + j) % 3] for j in range(6))) for i in range(24)]
    path = tmp_path / "two.pdf"
    typeset(items, path, Layout(columns=2))
    a = extract_review(path, tmp_path, PLUMBER)
    b = extract_review(path, tmp_path, PDFIUM)
    assert _agreement(_words(a), _words(b)) >= 0.98
    assert "OFFICIAL" not in " ".join(_words(b))


def test_failures_have_the_same_reasons(tmp_path: Path):
    locked = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(locked), encrypt="secret")
    c.drawString(100, 700, "Confidential review text that needs a password.")
    c.save()
    failure = extract_or_fail(locked, tmp_path, PDFIUM)
    assert isinstance(failure, ExtractFailure) and failure.reason.startswith("encrypted")

    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    failure = extract_or_fail(corrupt, tmp_path, PDFIUM)
    assert isinstance(failure, ExtractFailure) and failure.reason.split(":")[0] in {"corrupt PDF", "no pages"}

    from PIL import Image

    img = tmp_path / "scan.png"
    Image.new("L", (200, 280), 200).save(img)
    scanned = tmp_path / "scanned.pdf"
    c = canvas.Canvas(str(scanned), pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(str(img)), 0, 0, *A4)
        c.showPage()
    c.save()
    failure = extract_or_fail(scanned, tmp_path, PDFIUM)
    assert isinstance(failure, ExtractFailure) and failure.reason.startswith("scanned") and failure.pages == 2


def test_backend_is_part_of_the_extraction_key(tmp_path: Path):
    plain = load_config(None)
    cfg_file = tmp_path / "config.yaml"
    cfg_file.write_text("extract:\n  backend: pdfium\n")
    fast = load_config(cfg_file)
    assert fast.extract.backend == "pdfium" and plain.extract.backend == "pdfplumber"
    assert fingerprints.extraction(fast).key != fingerprints.extraction(plain).key
    assert fingerprints.extraction(fast).description["settings"]["backend"] == "pdfium"
    cfg_file.write_text("extract:\n  backend: pymupdf\n")
    with pytest.raises(ConfigError, match="extract.backend"):
        load_config(cfg_file)
