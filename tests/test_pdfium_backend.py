"""The optional fast backend (`extract.backend: pdfium`): same clean text, same failure reasons, its
own extraction cache key."""

import difflib
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import fingerprints
from pipeline.config import ExtractConfig, load_config
from pipeline.errors import ConfigError
from pipeline.extract import extract_or_fail, extract_review
from pipeline.records import ExtractFailure
from tests.conftest import ROOT
from tests.fixtures.quirks import scanned
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

    scanned_pdf = tmp_path / "scanned.pdf"
    scanned(scanned_pdf, pages=2)
    failure = extract_or_fail(scanned_pdf, tmp_path, PDFIUM)
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


def test_fonts_change_inside_one_line_and_one_text_block(tmp_path: Path):
    """Size, weight and direction are read once per PDF text object; a font change inside one BT..ET
    block (one line) must still give each word its own."""
    from pipeline import pdfium_words
    from pipeline.layout import Word

    path = tmp_path / "fonts.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    t = c.beginText(72, 700)
    t.setFont("Helvetica", 10)
    t.textOut("plain words then ")
    t.setFont("Helvetica-Bold", 10)
    t.textOut("bold words ")
    t.setFont("Times-Roman", 14)
    t.textOut("larger words ")
    t.setFont("Helvetica", 10)
    t.textOut("plain again")
    c.drawText(t)
    c.showPage()
    c.setFont("Helvetica", 10)
    c.translate(300, 100)
    c.rotate(90)
    for i in range(6):
        c.drawString(0, -14 * i, f"sideways line {i} of a landscape table")
    c.showPage()
    c.setFont("Helvetica", 10)
    for i in range(4):
        c.drawString(72, 700 - 14 * i, f"body line {i} beside a label")
    c.translate(40, 400)
    c.rotate(90)
    c.drawString(0, 0, "margin label")
    c.save()
    with pdfium_words.open_document(path) as doc:
        pages = [pdfium_words.read_page(doc, i) for i in range(3)]
        try:
            assert all(isinstance(w, Word) for w in pages[0].words)
            style = {w.text: (w.size, w.bold) for w in pages[0].words}
            assert style["plain"] == style["then"] == style["again"] == (10.0, False)
            assert style["bold"] == (10.0, True)
            assert style["larger"] == (14.0, False)
            # Pages with words that do not read across: dicts with their direction, for extract.
            assert all(not w["upright"] and w["direction"] == "ttb" for w in pages[1].words)  # type: ignore[index]
            assert {w["direction"] for w in pages[2].words} == {"ltr", "ttb"}  # type: ignore[index]
        finally:
            for page in pages:
                page.close()
    # As pdfplumber's path reads them: one line in four fonts; a lone sideways label beside upright
    # text dropped. (Page 2 differs: pdfplumber spells top-to-bottom words backwards, "elbat".)
    for review in (extract_review(path, tmp_path, PDFIUM), extract_review(path, tmp_path, PLUMBER)):
        text = " ".join(b.text for b in review.blocks)
        assert text.startswith("plain words then bold words larger words plain again")
        assert "body line 3 beside a label" in text and "margin" not in text


def test_the_garbage_collector_is_paused_only_while_the_pdfium_backend_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import gc

    from pipeline import extract

    seen: list[bool] = []
    real = extract._read_pages

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(extract, "_read_pages", spy)
    sample = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[0]
    for backend in ("pdfium", "pdfplumber"):
        extract_review(sample, sample.parent, ExtractConfig(backend=backend))
        assert gc.isenabled()
    assert seen == [False, True]  # paused for the pdfium backend's records only, and back on after
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"x" * 200 + b"\n%%EOF\n")
    assert isinstance(extract_or_fail(broken, tmp_path, ExtractConfig(backend="pdfium")), ExtractFailure)
    assert gc.isenabled()  # also after a failure


def _pdf_with_inherited_mediabox(path: Path) -> None:
    """An A4 page whose MediaBox is set only on the page tree (/Pages), as some PDF writers do."""
    content = b"BT /F1 11 Tf 72 770 Td (The health visitor saw the baby at home.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        b"<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def test_a_mediabox_set_on_the_page_tree_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # found by a review of the accelerator: PDFium's MediaBox call does not look up the page tree, so
    # such an A4 page was read as US Letter and every line's top was 50 points off
    from pipeline import pdfium_words

    pdf = tmp_path / "inherited.pdf"
    _pdf_with_inherited_mediabox(pdf)
    plumber = extract_review(pdf, tmp_path, ExtractConfig(backend="pdfplumber"))
    for accelerator in (pdfium_words.accelerator, None):
        monkeypatch.setattr(pdfium_words, "accelerator", accelerator)
        with pdfium_words.open_document(pdf) as doc:
            page = pdfium_words.read_page(doc, 0, 1.5, True)
        assert (round(page.width), round(page.height)) == (595, 842)
        assert abs(page.words[0].top - (842 - 770 - 11 * 0.75)) < 3  # pdfplumber-like top of the first line
        pdfium = extract_review(pdf, tmp_path, ExtractConfig(backend="pdfium"))
        assert [b.text for b in pdfium.blocks] == [b.text for b in plumber.blocks]
