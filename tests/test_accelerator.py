"""The pdfium backend's optional compiled accelerator (pipeline/_pdfium_fast.c) gives exactly what the
pure-Python path gives: the same `Word`s per page, the same `Line`s, the same extraction; and the
backend still works, with the same output, when the accelerator is missing or turned off."""

import os
import random
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline import extract, layout, pdfium_words
from pipeline.config import ExtractConfig
from pipeline.extract import extract_review
from pipeline.layout import Word
from tests.conftest import ROOT, shared_dir
from tests.fixtures.typeset import Item, Layout, typeset

PDFIUM = ExtractConfig(backend="pdfium")
FAST = pdfium_words.accelerator

needs_accelerator = pytest.mark.skipif(FAST is None, reason="the compiled accelerator is not built or is turned off")


def _pages(path: Path, accelerator: object, max_pages: int = 0) -> list[tuple]:
    """Every page as the pdfium backend reads it with or without the accelerator: number, words,
    size, and the lines of `page_lines`; or the error raised."""
    saved = pdfium_words.accelerator
    pdfium_words.accelerator = accelerator
    out: list[tuple] = []
    try:
        with pdfium_words.open_document(path) as doc:
            for index in range(len(doc)):
                if max_pages and index >= max_pages:
                    break
                page = pdfium_words.read_page(doc, index, PDFIUM.x_tolerance, PDFIUM.dedupe_chars)
                try:
                    words, width, height = extract._page_words(page.words, page.width, page.height)
                    lines = pdfium_words.page_lines(words, page.number, width, height, PDFIUM.header_footer_band)
                    out.append((page.number, page.words, page.width, page.height, lines, page.mostly_image()))
                finally:
                    page.close()
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        out.append(("error", type(exc).__name__, str(exc)))
    finally:
        pdfium_words.accelerator = saved
    return out


def _extraction(path: Path, accelerator: object, cfg: ExtractConfig = PDFIUM):
    saved = pdfium_words.accelerator
    pdfium_words.accelerator = accelerator
    try:
        return extract.extract_or_fail(path, path.parent, cfg)
    finally:
        pdfium_words.accelerator = saved


def _assert_same(path: Path, max_pages: int = 0) -> None:
    slow, fast = _pages(path, None, max_pages), _pages(path, FAST, max_pages)
    assert len(slow) == len(fast), path.name
    for a, b in zip(slow, fast):
        assert a == b, f"{path.name} page {a[0]}"
        if a[0] != "error":
            # the same text, line by line (Line equality compares words, boxes, size, weight, text)
            assert [ln.text for ln in a[4]] == [ln.text for ln in b[4]]


def _odd_pages(path: Path) -> None:
    """Pages the accelerator hands back to the Python code, or reads its own way: a rotated page,
    rotated text, words drawn twice ("fake bold"), table cells run into one word, a text matrix
    scale with a 1-point font, a line hyphen, text only in the header band, an empty page."""
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 11)
    for i in range(40):
        c.drawString(72, 760 - 16 * i, f"Line {i} of the chronology with the health visitor and the school nurse.")
    c.showPage()
    c.setPageRotation(90)
    c.setFont("Helvetica", 11)
    for i in range(10):
        c.drawString(72, 760 - 16 * i, f"A rotated page, line {i}, read with the page's rotation undone.")
    c.showPage()
    c.setPageRotation(0)
    c.setFont("Helvetica-Bold", 12)
    for dx in (0, 0.3):
        c.drawString(72 + dx, 700, "Fake bold heading drawn twice")
    c.setFont("Helvetica", 11)
    c.saveState()
    c.translate(300, 400)
    c.rotate(30)
    c.drawString(0, 0, "Text set at an angle across the page")
    c.restoreState()
    for i in range(6):  # cells set close together: PDFium may run them into one word
        c.drawString(72, 600 - 14 * i, f"cell{i}")
        c.drawString(72 + 5.5 * 6.2, 600 - 14 * i, f"value{i}")
    t = c.beginText()
    t.setTextOrigin(72, 300)
    t.setFont("Helvetica", 1)
    t.setTextTransform(11, 0, 0, 11, 72, 300)
    t.textOut("Scaled text with a one-point font and an eleven-point matrix")
    c.drawText(t)
    c.drawString(72, 250, "A word broken at the line end with a hyph-")
    c.drawString(72, 236, "enation mark continues here.")
    c.showPage()
    c.drawString(72, 820, "Only a header")
    c.showPage()
    c.showPage()
    c.save()


def _two_column_pages(path: Path) -> None:
    sentences = [
        "The health visitor recorded that the home was cold and that there was little food in the cupboards.",
        "The multi-agency safeguarding hub received three contacts within six weeks but did not link them.",
        "Information about previous domestic incidents was held by police but was not requested by anyone.",
    ]
    items = [Item("heading", "1. Introduction")]
    items += [Item("paragraph", " ".join(sentences[(i + j) % 3] for j in range(6))) for i in range(24)]
    typeset(items, path, Layout(columns=2))


def test_accelerator_is_built_where_a_compiler_is():
    """`pip install -e .` compiles it (optional=True would hide a failed build)."""
    if os.environ.get("REVIEW_THEMES_NO_ACCELERATOR", "") not in ("", "0"):
        pytest.skip("turned off")
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not (shutil.which("cc") or shutil.which("gcc")) or not include.exists():
        pytest.skip("no C compiler or Python headers")
    assert FAST is not None, "pipeline/_pdfium_fast.c was not compiled: run `make install` (pip install -e '.[dev]')"


@needs_accelerator
def test_same_words_and_lines_on_sample_and_quirk_pdfs(quirk_pdfs: Path):
    for path in [*sorted((ROOT / "corpus" / "sample").glob("*.pdf")), *sorted(quirk_pdfs.glob("*.pdf"))]:
        _assert_same(path)


@needs_accelerator
def test_same_words_and_lines_on_odd_pages(tmp_path: Path):
    for name, write in (("odd.pdf", _odd_pages), ("columns.pdf", _two_column_pages)):
        path = tmp_path / name
        write(path)
        _assert_same(path)
        assert _extraction(path, None) == _extraction(path, FAST)
    # the two-column pages are read as two columns (by the C code: `page_lines` gave no None)
    pages = _pages(tmp_path / "columns.pdf", FAST)
    assert {"left", "right"} <= {ln.column for page in pages for ln in page[4]}
    for _, words, width, height, _, _ in pages:
        assert FAST.page_lines(words, 1, width, height, PDFIUM.header_footer_band) is not None


@needs_accelerator
def test_same_extraction_on_sample_and_quirk_pdfs(quirk_pdfs: Path):
    for path in [*sorted((ROOT / "corpus" / "sample").glob("*.pdf")), *sorted(quirk_pdfs.glob("*.pdf"))]:
        assert _extraction(path, None) == _extraction(path, FAST), path.name


@needs_accelerator
@pytest.mark.slow
def test_same_words_lines_and_extraction_on_wild_pdfs():
    wild = shared_dir("wild-pdfs")
    cfg = ExtractConfig(backend="pdfium", max_pages=3)
    paths = sorted(wild.rglob("*.pdf"))
    assert paths
    for path in paths:
        _assert_same(path, max_pages=3)
        assert _extraction(path, None, cfg) == _extraction(path, FAST, cfg), path.name


def _random_words(rng: random.Random, columns: bool) -> list[Word]:
    """A page of words in lines (one or two columns, some lines spanning both), with jittered
    baselines, repeated positions, mixed sizes and weights: the cases the grouping must tie-break."""
    words: list[Word] = []
    size_choices = (9.0, 10.0, 10.5, 12.0, 14.0)
    y = 60.0
    while y < 780:
        spans = not columns or rng.random() < 0.1
        starts = [(56.0, 540.0)] if spans else [(56.0, 290.0), (310.0, 540.0)]
        for left, right in starts:
            x = left + rng.choice((0.0, 0.0, 12.0, rng.uniform(0, 30)))
            size = rng.choice(size_choices)
            while x < right - 20:
                n = rng.randint(1, 9)
                w = n * size * rng.uniform(0.35, 0.6)
                top = y + rng.choice((0.0, 0.0, 0.5, -0.5, rng.uniform(-3, 3)))
                text = rng.choice(("a", "the", "review", "(cid:3)", "e\u0301", "\u2022", "x" * n))
                words.append(Word(text, round(x, rng.choice((0, 1, 3))), x + w, top, top + size, size if rng.random() < 0.9 else rng.choice(size_choices), rng.random() < 0.2))
                x += w + rng.choice((0.0, 0.5, size * 0.25, size * 0.3, size * 3))
        y += rng.choice((12.0, 13.0, 14.5, 20.0, 6.0))
    rng.shuffle(words)
    if rng.random() < 0.3:  # some words drawn twice at the same place
        words += rng.sample(words, min(5, len(words)))
    return words


@needs_accelerator
def test_page_lines_same_on_random_pages():
    rng = random.Random(20240611)
    seen: set[tuple[str, ...]] = set()
    handled = 0
    for case in range(300):
        words = _random_words(rng, columns=case % 2 == 0)
        if case % 7 == 0:
            words = words[: rng.randint(0, 60)]
        width, height = rng.choice(((595.0, 842.0), (612.0, 792.0), (842.0, 595.0)))
        expected = layout.page_lines(words, case + 1, width, height, 0.08)
        got = FAST.page_lines(words, case + 1, width, height, 0.08)
        assert got is None or got == expected, case
        if got is not None:
            handled += 1
            seen.add(tuple(sorted({ln.column for ln in got})))
    # the C code took (almost) every page, and pages with two columns and spanning lines among them
    assert handled >= 290 and ("full", "left", "right") in seen


def test_fallback_when_the_accelerator_is_missing(monkeypatch: pytest.MonkeyPatch):
    """No extension (an install without a compiler) or REVIEW_THEMES_NO_ACCELERATOR=1: the Python path."""
    import pipeline

    monkeypatch.setitem(sys.modules, "pipeline._pdfium_fast", None)  # import fails
    monkeypatch.delattr(pipeline, "_pdfium_fast", raising=False)
    assert pdfium_words._load_accelerator() is None
    monkeypatch.delitem(sys.modules, "pipeline._pdfium_fast")
    monkeypatch.setenv("REVIEW_THEMES_NO_ACCELERATOR", "1")
    assert pdfium_words._load_accelerator() is None
    monkeypatch.setattr(pdfium_words, "accelerator", None)
    path = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[0]
    review = extract_review(path, path.parent, PDFIUM)
    assert review.blocks and review.pages > 0


def test_a_process_without_the_accelerator_extracts_the_same(tmp_path: Path):
    """A fresh interpreter with the accelerator turned off gives the same extraction as this one."""
    path = sorted((ROOT / "corpus" / "sample").glob("*.pdf"))[1]
    code = (
        "import pickle, sys\n"
        "from pathlib import Path\n"
        "from pipeline import pdfium_words\n"
        "from pipeline.config import ExtractConfig\n"
        "from pipeline.extract import extract_review\n"
        "assert pdfium_words.accelerator is None\n"
        "p = Path(sys.argv[1])\n"
        "sys.stdout.buffer.write(pickle.dumps(extract_review(p, p.parent, ExtractConfig(backend='pdfium'))))\n"
    )
    env = {**os.environ, "REVIEW_THEMES_NO_ACCELERATOR": "1"}
    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=env, capture_output=True, check=True)
    import pickle

    assert pickle.loads(done.stdout) == extract_review(path, path.parent, PDFIUM)


@needs_accelerator
def test_configure_refuses_record_classes_it_would_build_wrongly():
    # found by a review of the C code: objects are built slot by slot, so a field added to Word or
    # Line would be left unset; configure must refuse (the Python side then uses the pure-Python path)
    import dataclasses
    import math

    fields = [(f.name, f.type) for f in dataclasses.fields(Word)] + [("colour", str, dataclasses.field(default=""))]
    WiderWord = dataclasses.make_dataclass("WiderWord", fields, slots=True)  # Word and one field more

    from pipeline._pdfium_fast import configure  # type: ignore[import-not-found]

    addresses = pdfium_words._accelerator_functions()
    args = (pdfium_words._BOLD.search, math.hypot, pdfium_words._direction, pdfium_words._round1)
    try:
        with pytest.raises(TypeError, match="fields"):
            configure(addresses, WiderWord, layout.Line, *args)
    finally:
        configure(addresses, Word, layout.Line, *args)  # the module is shared: put the real classes back
    assert pdfium_words._load_accelerator() is not None
