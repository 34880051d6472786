"""Review PDF -> `ExtractedReview` (clean, sectioned body text) or `ExtractFailure`.

Consumes a path to a PDF file. Produces the review's blocks (headings and paragraphs with page,
section kind, paragraph id and boilerplate flag) and cover metadata. Raises `ExtractError` with a
reason a person understands for empty, non-PDF, truncated, encrypted, corrupt, zero-page and
mostly-scanned files, and for files that take longer than `extract.timeout_seconds`.

Each page is parsed once (`extract_words` with font size and name) and closed straight away, so
memory stays flat however long the review; everything after that works on plain records:
layout.py (lines, columns, running headers/footers), sections.py (headings, contents, section
kinds), paragraphs.py (paragraphs across line and page breaks), boilerplate.py, metadata.py. This
is the only module that imports pdfplumber. With `extract.backend: pdfium` the words come from
PDFium instead (pipeline/pdfium_words.py: much faster, same records, see its docstring for where
they can differ); everything after the words is shared.
"""

from __future__ import annotations

import gc
import hashlib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.page import fix_fontname_bytes
from pdfplumber.utils import extract_words

from pipeline import glyphs, pdfium_words
from pipeline.boilerplate import mark_boilerplate
from pipeline.config import ExtractConfig
from pipeline.errors import ExtractError
from pipeline.layout import Line, PageBox, Word, measure, page_lines, strip_running
from pipeline.metadata import reads_like_review, review_meta
from pipeline.paragraphs import build_blocks
from pipeline.records import ExtractedReview, ExtractFailure
from pipeline.sections import assign_sections, drop_contents, is_heading_line

# Bump whenever a change to this module (or the modules it calls) changes what comes out of a PDF:
# the store then re-extracts every review once. Settings changes are picked up without a bump.
EXTRACTOR_VERSION = "7"  # 2: cover metadata from mixed-case cover lines; 3: the title from the cover only; 4: front matter ends at the first long paragraph; 5: a warning for text that does not read like a review; 6: contents lists run together and foreword sub-headings stay front matter; 7: the review type from front-matter headings too

try:  # pdfplumber wraps some pdfminer errors in its own exception types
    from pdfplumber.utils.exceptions import PdfminerException
except ImportError:  # pragma: no cover - older pdfplumber
    PdfminerException = PSException  # type: ignore[misc,assignment]


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file's bytes (the review's identity in the store and outputs)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `ExtractError` when the body runs longer than `seconds` (main thread only, else no-op)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise ExtractError("timed out", f"extraction took longer than {seconds:g} s (extract.timeout_seconds)")

    previous = signal.signal(signal.SIGALRM, _raise)
    # The alarm repeats until the body ends: pdfminer catches and logs some exceptions while it
    # parses (fonts, images), so a single alarm that lands there would be swallowed.
    signal.setitimer(signal.ITIMER_REAL, seconds, min(1.0, max(0.05, seconds / 10)))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_header(path: Path) -> None:
    """Fail fast on files that are not PDFs at all, or that were cut off before their end."""
    size = path.stat().st_size
    if size == 0:
        raise ExtractError("empty file", "0 bytes; the download or copy did not finish: fetch the file again")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 8192))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise ExtractError("not a PDF", "the file does not start with a PDF header")
    if b"%%EOF" not in tail:
        raise ExtractError(
            "truncated PDF", "the file stops before the PDF end marker (%%EOF): it was probably cut off while downloading or copying"
        )


def _root_cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer errors; the wrapped error is in args[0] or the context."""
    seen = exc
    for _ in range(5):
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else seen.__context__
        if inner is None:
            break
        seen = inner
    return seen


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def dedupe_chars(chars: list[dict[str, Any]], tolerance: float = 1.0) -> list[dict[str, Any]]:
    """Drop glyphs drawn twice at (almost) the same place, as "fake bold" does.

    pdfplumber's own `dedupe_chars` sorts per cluster and takes longer than parsing the page; this
    looks each glyph up in a grid of `tolerance`-sized cells instead, and only on pages where a
    quick pass finds glyphs sharing a cell.
    """
    cells = {(ch["text"], int(ch["x0"]), int(ch["top"])) for ch in chars}
    if len(chars) - len(cells) < 3:
        return chars
    seen: dict[tuple[str, int, int], list[tuple[float, float]]] = {}
    out = []
    for ch in chars:
        x, y = float(ch["x0"]), float(ch["top"])
        gx, gy = int(x // tolerance), int(y // tolerance)
        text = ch["text"]
        duplicate = any(
            abs(px - x) <= tolerance and abs(py - y) <= tolerance
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for px, py in seen.get((text, gx + dx, gy + dy), ())
        )
        if not duplicate:
            seen.setdefault((text, gx, gy), []).append((x, y))
            out.append(ch)
    return out


def _turn_upright(raw: list[dict[str, Any]], width: float, height: float) -> tuple[list[dict[str, Any]], float, float]:
    """Words on a page whose text runs vertically (a rotated page), in a frame where it runs across.

    On pages where most words are upright, the few that are not (axis labels, margin notes) are
    dropped instead. Returns the words and the frame's width and height.
    """
    upright = [w for w in raw if w.get("upright", True)]
    if len(upright) * 2 >= len(raw):
        return upright, width, height
    extent = max([width, height] + [float(w["x1"]) for w in raw])
    turned = []
    for w in raw:
        if w.get("upright", True):
            continue
        x0, x1, top, bottom = float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"])
        if w.get("direction") == "btt":  # reads upwards; lines run left to right
            box = {"x0": extent - bottom, "x1": extent - top, "top": x0, "bottom": x1}
        else:  # reads downwards; lines run right to left
            box = {"x0": top, "x1": bottom, "top": extent - x1, "bottom": extent - x0}
        turned.append({**w, **box})
    return turned, max(width, height), extent


def _collect_chars(objs: Iterable[Any], into: list[LTChar]) -> None:
    for obj in objs:
        if isinstance(obj, LTChar):
            into.append(obj)
        elif isinstance(obj, LTContainer):  # a form XObject (LTFigure): its glyphs count too
            _collect_chars(obj._objs, into)


def layout_chars(page: pdfplumber.page.Page) -> list[dict[str, Any]]:
    """The page's glyphs as the records `page.chars` gives, with only the keys word extraction needs
    (text, box, doctop, upright, size, fontname), in the same order and with the same values.

    `page.chars` converts every attribute of every object on the page (colours, colour spaces,
    matrices, curves, resolved recursively) into a dict: in a profile of a dense 44-page review that
    took twice as long as pdfminer's own parse. This reads pdfminer's layout objects directly.
    """
    found: list[LTChar] = []
    _collect_chars(page.layout._objs, found)
    height = float(page.height)
    mb_x0, mb_top = float(page.mediabox[0]), float(page.mediabox[1])
    doctop0 = page.initial_doctop
    norm = page.pdf.unicode_norm
    chars = []
    for obj in found:
        text = obj.get_text()
        if norm is not None:
            text = normalize_unicode(norm, text)
        fontname = obj.fontname
        if isinstance(fontname, bytes):  # pragma: no cover - rare byte-encoded font names
            fontname = fix_fontname_bytes(fontname)
        top = (height - obj.y1) + mb_top
        bottom = (height - obj.y0) + mb_top
        chars.append(
            {
                "text": text,
                "x0": obj.x0 + mb_x0,
                "x1": obj.x1 + mb_x0,
                "top": top,
                "bottom": bottom,
                "doctop": doctop0 + top,
                "height": bottom - top,
                "upright": obj.upright,
                "size": obj.size,
                "fontname": fontname,
            }
        )
    return chars


# One page as a backend delivers it: number, raw words (dicts; or `Word`s from the pdfium path when
# every word on the page reads across), displayed width and height, and a check "does a picture
# cover a quarter of the page?" (asked only of pages with almost no text).
RawPage = tuple[int, list[dict[str, Any]] | list[Word], float, float, Callable[[], bool]]


def _word(w: Mapping[str, Any]) -> Word:
    if "bold" in w:  # the pdfium path reports the weight itself
        return Word(str(w["text"]), float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
                    round(float(w["size"] or 0.0), 1), bool(w["bold"]))
    return Word.from_pdfplumber(w)


def _page_words(raw: list[dict[str, Any]] | list[Word], width: float, height: float) -> tuple[list[Word], float, float]:
    """A backend's words of one page -> `Word`s in a frame where the text runs across (see
    `_turn_upright`), and that frame's width and height."""
    if raw and isinstance(raw[0], Word):  # the pdfium path, every word upright: already `Word`s
        return raw, width, height  # type: ignore[return-value]
    turned, width, height = _turn_upright(raw, width, height)  # type: ignore[arg-type]
    return [_word(w) for w in turned], width, height


def _plumber_pages(pdf: pdfplumber.PDF, cfg: ExtractConfig) -> Iterator[RawPage]:
    """Each page's words with font size and name (the one parse of the page); each page is closed
    once its words are taken (pdfplumber caches ~10 MB per page otherwise)."""
    for number, page in enumerate(pdf.pages, start=1):
        if cfg.max_pages and number > cfg.max_pages:
            break
        try:
            chars = layout_chars(page)
            if cfg.dedupe_chars:
                chars = dedupe_chars(chars)
            raw = extract_words(chars, x_tolerance=cfg.x_tolerance, extra_attrs=["size", "fontname"])
            yield number, raw, float(page.width), float(page.height), partial(_mostly_image, page)
        finally:
            page.close()


def _pdfium_pages(doc: Any, cfg: ExtractConfig) -> Iterator[RawPage]:
    """The same from PDFium (`extract.backend: pdfium`, see pipeline/pdfium_words.py)."""
    for index in range(len(doc)):
        if cfg.max_pages and index >= cfg.max_pages:
            break
        page = pdfium_words.read_page(doc, index, cfg.x_tolerance, cfg.dedupe_chars)
        try:
            yield page.number, page.words, page.width, page.height, page.mostly_image
        finally:
            page.close()


def _mostly_image(page: pdfplumber.page.Page) -> bool:
    """Does an image cover at least a quarter of the page (as a scan does)?"""
    area = float(page.width) * float(page.height) or 1.0
    return any((float(i["x1"]) - float(i["x0"])) * (float(i["bottom"]) - float(i["top"])) >= 0.25 * area for i in page.images)


def _read_pages(
    source: Iterable[RawPage], cfg: ExtractConfig, lines_of: Callable[[Any, int, float, float, float], list[Line]] = page_lines
) -> tuple[list[tuple[PageBox, list[Line]]], list[int], int, int]:
    """Every page (up to `max_pages`) -> its lines (`lines_of`: `layout.page_lines`, or the pdfium
    backend's equivalent, which may be compiled); also the textless pages (no text, or a picture
    with almost none), how many of those are pictures (scans) and the unmapped glyph count."""
    pages: list[tuple[PageBox, list[Line]]] = []
    textless: list[int] = []
    unmapped = scans = 0
    for number, raw, page_width, page_height, mostly_image in source:
        words, width, height = _page_words(raw, page_width, page_height)
        box = PageBox(number, height, width)
        page_text = "".join([w.text for w in words])
        n_chars = len(page_text)
        pictured = n_chars < cfg.min_chars_per_page and mostly_image()
        scans += pictured
        # A page with a few words and no picture is a short page, not a missing text layer.
        if n_chars == 0 or pictured:
            textless.append(number)
        # A lone "(cid:N)" word is a symbol-font bullet, which the paragraph builder recognises.
        if "(cid:" in page_text or "\ufffd" in page_text:
            unmapped += sum(glyphs.unmapped_count(w.text) for w in words if not glyphs.is_lone_glyph(w.text))
        pages.append((box, lines_of(words, number, width, box.height, cfg.header_footer_band)))
    return pages, textless, scans, unmapped


def _open_error(exc: BaseException) -> ExtractError:
    """A pdfminer/pdfplumber exception -> the reason a person understands."""
    cause = _root_cause(exc)
    if isinstance(cause, ExtractError):  # the time limit fired inside pdfminer, which wrapped it
        return cause
    if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return ExtractError("encrypted", "the PDF needs a password to open; save a copy without it (e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf) and run again")
    if isinstance(exc, RecursionError):
        return ExtractError("corrupt PDF", "its structure is nested too deeply to read")
    if isinstance(exc, pdfium_words.PdfiumError):
        return pdfium_words.open_error(exc)
    if isinstance(exc, (PDFSyntaxError, PSException, PdfminerException)):
        return ExtractError("corrupt PDF", _describe(cause))
    return ExtractError("unreadable PDF", _describe(exc))


def extract_review(path: Path, root: Path, cfg: ExtractConfig) -> ExtractedReview:
    """Extract one PDF. `root` is the batch folder `review_id` and `file` are relative to."""
    if cfg.backend != "pdfium" or not gc.isenabled():
        return _extract_review(path, root, cfg)
    # The pdfium path makes many small records (words, lines, blocks) and no reference cycles: the
    # cyclic garbage collector's passes over them are wasted work (a tenth of this path's CPU time;
    # peak memory on a 300-page review the same: benchmarks/RESULTS.md, sixth pass).
    gc.disable()
    try:
        return _extract_review(path, root, cfg)
    finally:
        gc.enable()


def _extract_review(path: Path, root: Path, cfg: ExtractConfig) -> ExtractedReview:
    """`extract_review`'s work, whatever the garbage collector's state."""
    rel = path.relative_to(root).as_posix()
    review_id = rel[:-4] if rel.lower().endswith(".pdf") else rel
    digest = sha256_file(path)
    check_header(path)
    n_pages = 0
    try:
        if cfg.backend == "pdfium":
            with time_limit(cfg.timeout_seconds), pdfium_words.open_document(path) as doc:
                n_pages = len(doc)
                if n_pages == 0:
                    raise ExtractError("no pages", "the PDF has zero pages")
                pages, textless, scans, unmapped = _read_pages(_pdfium_pages(doc, cfg), cfg, pdfium_words.page_lines)
        else:
            with time_limit(cfg.timeout_seconds), pdfplumber.open(path) as pdf:
                n_pages = len(pdf.pages)
                if n_pages == 0:
                    raise ExtractError("no pages", "the PDF has zero pages")
                pages, textless, scans, unmapped = _read_pages(_plumber_pages(pdf, cfg), cfg)
    except ExtractError as exc:
        exc.pages = exc.pages or n_pages
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many untyped errors on malformed input
        err = _open_error(exc)
        err.pages = n_pages
        raise err from exc
    read = len(pages)
    if read and len(textless) / read > cfg.scanned_share_failed:
        if scans:
            raise ExtractError(
                "scanned (no text layer)",
                f"{len(textless)} of {read} pages are images without extractable text; "
                "OCR the file first (e.g. ocrmypdf --skip-text)",
                pages=n_pages,
            )
        raise ExtractError(
            "no text",
            f"{len(textless)} of {read} pages have no extractable text (blank, or text drawn as shapes)",
            pages=n_pages,
        )
    pages, _ = strip_running(pages, cfg.header_footer_band, cfg.repeat_share)
    lines, _ = drop_contents([ln for _, page in pages for ln in page])
    typo, edges = measure(lines, {box.page: box.width for box, _ in pages})
    blocks, styles = build_blocks(lines, [is_heading_line(ln, typo) for ln in lines], typo, edges)
    blocks = mark_boilerplate(assign_sections(blocks, styles))
    warnings = []
    if read < n_pages:
        warnings.append(f"read the first {read} of {n_pages} pages (extract.max_pages)")
    if unmapped:
        warnings.append(f"{unmapped} glyphs had no Unicode mapping and were dropped")
    if not reads_like_review(blocks):
        warnings.append(
            "does not read like a child safeguarding case review (few mentions of children or of safeguarding "
            "agencies): check it belongs in this batch; it is still scored and counted"
        )
    return ExtractedReview(
        review_id=review_id,
        file=rel,
        sha256=digest,
        pages=n_pages,
        blocks=tuple(blocks),
        meta=review_meta(blocks, styles),
        textless_pages=tuple(textless),
        warnings=tuple(warnings),
    )


def extract_or_fail(path: Path, root: Path, cfg: ExtractConfig) -> ExtractedReview | ExtractFailure:
    """Like `extract_review`, but a bad file becomes an `ExtractFailure` instead of an error."""
    rel = path.relative_to(root).as_posix()
    review_id = rel[:-4] if rel.lower().endswith(".pdf") else rel
    try:
        return extract_review(path, root, cfg)
    except ExtractError as exc:
        try:
            digest = sha256_file(path)
        except OSError:
            digest = ""
        return ExtractFailure(review_id, rel, digest, str(exc), exc.pages)
    except OSError as exc:
        return ExtractFailure(review_id, rel, "", f"cannot read file: {exc.strerror or exc}")


def find_pdfs(folder: Path) -> list[Path]:
    """All files ending in .pdf (any case) below `folder`, sorted for a deterministic order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")


def other_files(folder: Path) -> list[Path]:
    """The files below `folder` that `find_pdfs` passes over (not ending in .pdf), hidden ones
    (".DS_Store", anything under a ".folder") left out, sorted."""
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() != ".pdf" and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
