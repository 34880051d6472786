"""Fuzzed and truncated PDFs: extraction always returns a review or a failure with a reason, never an
uncaught exception, and never runs past the per-file time limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import ExtractConfig
from pipeline.corpus.render import render_pdf
from pipeline.extract import extract_or_fail
from pipeline.records import ExtractedReview, ExtractFailure

LIMIT = 5.0
CFG = ExtractConfig(timeout_seconds=LIMIT)
SLACK = 2.0  # hashing and opening the file happen outside the timed section


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    pdf = folder / "base.pdf"
    render_pdf([("heading", "1. Background"), ("paragraph", "The family moved to the area in 2019. " * 12),
                ("heading", "2. Findings"), ("paragraph", "Agencies did not share information about the child. " * 8)], pdf)
    return pdf.read_bytes(), folder


def _mutate(data: bytes, mutation: tuple) -> bytes:
    kind = mutation[0]
    if kind == "truncate":
        return data[: mutation[1] % (len(data) + 1)]
    if kind == "flip":
        out = bytearray(data)
        for pos, value in mutation[1]:
            out[pos % len(out)] = value
        return bytes(out)
    if kind == "splice":  # replace a span with arbitrary bytes
        a, b = sorted((mutation[1] % len(data), mutation[2] % len(data)))
        return data[:a] + mutation[3] + data[b:]
    # "structure": damage the bits a reader relies on (xref, trailer, stream lengths, object numbers)
    token, replacement = mutation[1], mutation[2]
    return data.replace(token, replacement, mutation[3])


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 10**7)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1, max_size=40)),
    st.tuples(st.just("splice"), st.integers(0, 10**7), st.integers(0, 10**7), st.binary(max_size=200)),
    st.tuples(
        st.just("structure"),
        st.sampled_from([b"xref", b"trailer", b"startxref", b"/Length", b" obj", b"endstream", b"/Root", b"/Pages", b"/Kids", b"/Filter"]),
        st.sampled_from([b"", b"xxxx", b"/Length 999999999", b"0 0 R", b"<< /Type /Pages /Kids [1 0 R] >>", b"99999999999999999999"]),
        st.integers(1, 3),
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=mutations)
def test_mutated_pdfs_fail_cleanly_and_in_time(base, mutation):
    data, folder = base
    path = folder / "mutated.pdf"
    path.write_bytes(_mutate(data, mutation))
    started = time.monotonic()
    result = extract_or_fail(path, folder, CFG)
    elapsed = time.monotonic() - started
    assert isinstance(result, (ExtractedReview, ExtractFailure))
    if isinstance(result, ExtractFailure):
        assert result.reason.strip()
    assert elapsed < LIMIT + SLACK


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_with_a_pdf_header(base, junk):
    _, folder = base
    path = folder / "junk.pdf"
    path.write_bytes(b"%PDF-1.4\n" + junk)
    result = extract_or_fail(path, folder, CFG)
    assert isinstance(result, ExtractFailure) and result.reason.strip()


@pytest.mark.parametrize("cut", [0.05, 0.25, 0.5, 0.75, 0.95, 0.999])
def test_every_truncation_point_fails_with_a_reason(base, cut):
    data, folder = base
    path = folder / f"cut-{cut}.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    result = extract_or_fail(path, folder, CFG)
    assert isinstance(result, (ExtractedReview, ExtractFailure))
    if isinstance(result, ExtractFailure):
        assert result.reason.strip()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct xref table around hand-written objects (object 1 is the root)."""
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
HOSTILE = {
    "page tree cycle": _pdf([CATALOG, b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]),
    "two-node page tree cycle": _pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                      b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>"]),
    "deeply nested dictionaries": _pdf([b"<< /Type /Catalog /Pages 2 0 R /X " + b"<< /A " * 50000 + b">> " * 50000 + b">>",
                                        b"<< /Type /Pages /Kids [] /Count 0 >>"]),
    "root refers to itself": _pdf([b"1 0 R"]),
    "form XObject that draws itself": _pdf([
        CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /X1 5 0 R >> >> >>",
        b"<< /Length 7 >>\nstream\n/X1 Do\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 9 9] /Length 7 /Resources << /XObject << /X1 5 0 R >> >> >>\nstream\n/X1 Do\nendstream",
    ]),
    "huge stream length": _pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                                b"<< /Length 99999999999 >>\nstream\nBT /F1 12 Tf (hello) Tj ET\nendstream"]),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_structures_fail_with_a_reason_within_the_limit(base, name):
    _, folder = base
    path = folder / "hostile.pdf"
    path.write_bytes(HOSTILE[name])
    started = time.monotonic()
    result = extract_or_fail(path, folder, ExtractConfig(timeout_seconds=1.0))
    assert time.monotonic() - started < 1.0 + SLACK
    assert isinstance(result, ExtractFailure) and result.reason.strip()
    if name == "root refers to itself":  # pdfminer loops forever on this one: the time limit ends it
        assert result.reason.startswith("timed out")
