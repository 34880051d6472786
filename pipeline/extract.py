"""Review PDF -> `ExtractedReview` (clean, sectioned body text) or `ExtractFailure`.

Consumes a path to a PDF file. Produces the review's blocks (headings and paragraphs with page,
section kind and paragraph id) and cover metadata. Raises `ExtractError` with a reason a person
understands for empty, non-PDF, encrypted, corrupt, zero-page and mostly-scanned files. This is the
only module that imports pdfplumber.
"""

from __future__ import annotations

import hashlib
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from pipeline.config import ExtractConfig
from pipeline.errors import ExtractError
from pipeline.records import Block, ExtractedReview, ExtractFailure, SectionKind

# Bump whenever a change to this module (or the modules it calls) changes what comes out of a PDF:
# the store then re-extracts every review once. Settings changes are picked up without a bump.
EXTRACTOR_VERSION = "1"

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
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_header(path: Path) -> None:
    """Fail fast on files that are not PDFs at all."""
    size = path.stat().st_size
    if size == 0:
        raise ExtractError("empty file", "0 bytes")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise ExtractError("not a PDF", "the file does not start with a PDF header")


_WS = re.compile(r"[ \t\u00a0]+")


def _page_lines(page: pdfplumber.page.Page, cfg: ExtractConfig) -> list[str]:
    text = page.extract_text(x_tolerance=cfg.x_tolerance) or ""
    return [_WS.sub(" ", line).strip() for line in text.splitlines() if line.strip()]


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


def extract_review(path: Path, root: Path, cfg: ExtractConfig) -> ExtractedReview:
    """Extract one PDF. `root` is the batch folder `review_id` and `file` are relative to."""
    rel = path.relative_to(root).as_posix()
    review_id = rel[:-4] if rel.lower().endswith(".pdf") else rel
    digest = sha256_file(path)
    check_header(path)
    blocks: list[Block] = []
    textless: list[int] = []
    try:
        with time_limit(cfg.timeout_seconds), pdfplumber.open(path) as pdf:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise ExtractError("no pages", "the PDF has zero pages")
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    lines = _page_lines(page, cfg)
                finally:
                    page.close()  # pdfplumber caches ~10 MB per page otherwise
                if sum(len(line) for line in lines) < cfg.min_chars_per_page:
                    textless.append(number)
                    continue
                blocks.append(Block("paragraph", " ".join(lines), number, SectionKind.OTHER))
    except ExtractError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractError("encrypted", "the PDF needs a password to open") from exc
    except (PDFSyntaxError, PSException, PdfminerException) as exc:
        cause = _root_cause(exc)
        if isinstance(cause, ExtractError):  # our time-out, raised inside pdfminer and wrapped by pdfplumber
            raise cause from None
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ExtractError("encrypted", "the PDF needs a password to open") from exc
        raise ExtractError("corrupt or truncated PDF", _describe(cause)) from exc
    except RecursionError as exc:
        raise ExtractError("corrupt or truncated PDF", "structure too deeply nested") from exc
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many untyped errors on malformed input
        if isinstance(_root_cause(exc), ExtractError):
            raise _root_cause(exc) from None
        raise ExtractError("unreadable PDF", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    if n_pages and len(textless) / n_pages > cfg.scanned_share_failed:
        raise ExtractError(
            "scanned (no text layer)",
            f"{len(textless)} of {n_pages} pages have no extractable text; OCR the file first",
        )
    return ExtractedReview(
        review_id=review_id,
        file=rel,
        sha256=digest,
        pages=n_pages,
        blocks=tuple(blocks),
        textless_pages=tuple(textless),
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
        return ExtractFailure(review_id, rel, digest, str(exc))
    except OSError as exc:
        return ExtractFailure(review_id, rel, "", f"cannot read file: {exc.strerror or exc}")


def find_pdfs(folder: Path) -> list[Path]:
    """All files ending in .pdf (any case) below `folder`, sorted for a deterministic order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
