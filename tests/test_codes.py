"""Coding sheets: every kind of bad sheet gets an error naming the file, row and column."""

from pathlib import Path

import pytest

from pipeline.codebook import load_codebook
from pipeline.codes import check_files_exist, coded_time, is_audit, merge_codes, read_codes
from pipeline.errors import CodesError
from pipeline.records import Codebook, Theme

CB = Codebook((Theme("neglect", "Neglect", "x"), Theme("domestic_abuse", "DA", "y")))


def _sheet(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "codes.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_reads_codes_blank_means_not_coded(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse,partnership\na.pdf,1,,Eastholm\nsub/b.pdf,0,1,\n")
    rows = read_codes(p, CB)
    assert rows[0].codes == {"neglect": 1} and rows[0].meta == {"partnership": "Eastholm"}
    assert rows[1].file == "sub/b.pdf" and rows[1].codes == {"neglect": 0, "domestic_abuse": 1}


def test_bom_and_excel_quoting_and_windows_line_endings(tmp_path):
    p = _sheet(tmp_path, '\ufefffile,neglect,domestic_abuse,notes\r\n"a.pdf",1,0,"said ""no"", then yes"\r\n', "utf-8")
    rows = read_codes(p, CB)
    assert rows[0].codes == {"neglect": 1, "domestic_abuse": 0}
    assert rows[0].meta["notes"] == 'said "no", then yes'


def test_windows_1252_sheet(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse,notes\nr\xe9view.pdf,1,0,caf\xe9\n", "cp1252")
    assert read_codes(p, CB)[0].file == "r\xe9view.pdf"


@pytest.mark.parametrize(
    "text, row, column, message",
    [
        ("file,neglect,domestic_abuse\na.pdf,yes,0\n", 2, "neglect", "not 1, 0 or blank"),
        ("file,neglect,domestic_abuse\na.pdf,1,0\nb.pdf,2,0\n", 3, "neglect", "not 1, 0 or blank"),
        ("file,neglect,domestic_abuse\na.pdf,1,0\na.pdf,0,0\n", 3, "file", "coded twice"),
        ("file,neglect,domestic_abuse,poverty\na.pdf,1,0,1\n", 1, "poverty", "unknown theme"),
        ("file,neglect,domestic_abuse\n../secret.pdf,1,0\n", 2, "file", "outside the PDF folder"),
        ("file,neglect,domestic_abuse\n/etc/x.pdf,1,0\n", 2, "file", "outside the PDF folder"),
        ("file,neglect,domestic_abuse\nC:\\\\x.pdf,1,0\n", 2, "file", "outside the PDF folder"),
        ("file,neglect,domestic_abuse\n,1,0\n", 2, "file", "empty file name"),
        ("file,neglect,domestic_abuse\na.pdf,1,0,1,1\n", 2, None, "header has 3 columns"),
    ],
)
def test_bad_rows_name_file_row_and_column(tmp_path, text, row, column, message):
    p = _sheet(tmp_path, text)
    with pytest.raises(CodesError) as exc:
        read_codes(p, CB)
    e = exc.value
    assert e.row == row and e.column == column
    assert str(p) in str(e) and message in str(e)
    assert f"row {row}" in str(e)


def test_missing_theme_column(tmp_path):
    with pytest.raises(CodesError, match="no column for theme"):
        read_codes(_sheet(tmp_path, "file,neglect\na.pdf,1\n"), CB)


def test_no_file_column_and_empty_sheet(tmp_path):
    with pytest.raises(CodesError, match="no 'file' column"):
        read_codes(_sheet(tmp_path, "name,neglect,domestic_abuse\na,1,0\n"), CB)
    with pytest.raises(CodesError, match="empty"):
        read_codes(_sheet(tmp_path, ""), CB)
    with pytest.raises(CodesError, match="no coded rows"):
        read_codes(_sheet(tmp_path, "file,neglect,domestic_abuse\n"), CB)


def test_utf16_sheet_is_refused_clearly(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,1,0\n", "utf-16")
    with pytest.raises(CodesError, match="UTF-8"):
        read_codes(p, CB)


def test_unknown_file_names_row(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,1,0\n")
    with pytest.raises(CodesError, match=r"row 2, column 'file': 'a.pdf' is not in"):
        check_files_exist(read_codes(p, CB), tmp_path)


def test_xlsx_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["file", "neglect", "domestic_abuse"])
    ws.append(["a.pdf", 1, None])
    ws.append(["b.pdf", 0.0, 1])
    p = tmp_path / "codes.xlsx"
    wb.save(p)
    rows = read_codes(p, CB)
    assert rows[0].codes == {"neglect": 1} and rows[1].codes == {"neglect": 0, "domestic_abuse": 1}


def test_project_codebook_new_theme_is_data(tmp_path):
    cb_path = tmp_path / "cb.csv"
    cb_path.write_text("id,label,description\nneglect,N,x\npoverty,Poverty,Financial hardship.\n")
    cb = load_codebook(cb_path)
    rows = read_codes(_sheet(tmp_path, "file,neglect,poverty\na.pdf,1,1\n"), cb)
    assert rows[0].codes == {"neglect": 1, "poverty": 1}


# --- merging several sheets, and audit rows -------------------------------------------------------

def _three_sheets(tmp_path, dated: bool = False):
    a = _sheet(tmp_path, "file,neglect,domestic_abuse,coder,coded_at\nx.pdf,1,0,ann,%s\ny.pdf,1,,ann,\n" % ("2026-03-01" if dated else ""), name="a.csv")
    b = _sheet(tmp_path, "file,neglect,domestic_abuse,coder,coded_at\nx.pdf,0,0,bob,%s\n" % ("2026-01-01" if dated else ""), name="b.csv")
    return [read_codes(a, CB), read_codes(b, CB)]


@pytest.mark.parametrize("policy, kept", [("newest", 0), ("oldest", 1), ("drop", None)])
def test_merge_policies_by_sheet_order(tmp_path, policy, kept):
    merged = merge_codes(_three_sheets(tmp_path), policy)
    x = next(r for r in merged.reviews if r.file == "x.pdf")
    assert x.codes.get("neglect") == kept
    assert x.codes["domestic_abuse"] == 0  # both agree: never a conflict
    (conflict,) = merged.conflicts
    assert conflict.theme == "neglect" and conflict.kept == kept
    assert [c[2:] for c in conflict.codes] == [("ann", 1), ("bob", 0)]
    assert next(r for r in merged.reviews if r.file == "y.pdf").codes == {"neglect": 1}


def test_newest_goes_by_coded_at_when_every_row_has_one(tmp_path):
    # ann coded in March (first sheet), bob in January (second sheet): ann's code is the newest.
    merged = merge_codes(_three_sheets(tmp_path, dated=True), "newest")
    assert next(r for r in merged.reviews if r.file == "x.pdf").codes["neglect"] == 1


def test_coded_at_formats(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse,coded_at\na.pdf,1,0,2026-11-20\nb.pdf,1,0,20/11/2026\nc.pdf,1,0,2026-11-20 14:05:00\nd.pdf,1,0,soon\n")
    times = [coded_time(r) for r in read_codes(p, CB)]
    assert times[0] == times[1] and times[2].hour == 14 and times[3] is None


def test_audit_rows_are_random_all_or_unrecorded(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse,picked_by\na.pdf,1,0,random\nb.pdf,1,0,uncertain\nc.pdf,1,0,\nd.pdf,1,0,all\n")
    assert [is_audit(r) for r in read_codes(p, CB)] == [True, False, True, True]
    q = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,1,0\n", name="old.csv")
    assert is_audit(read_codes(q, CB)[0])

# --- property tests: any sheet either parses into valid codes or raises CodesError, nothing else ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_COLUMNS = st.sampled_from(["file", "neglect", "domestic_abuse", "notes", "coder", "suggested_neglect", "poverty", "", " file ", "File"])
_CELLS = st.one_of(
    st.sampled_from(["0", "1", "", " 1 ", "yes", "2", "1.0", "a.pdf", "sub/b.pdf", "../x.pdf", "/abs.pdf", "C:\\x.pdf", "a.pdf"]),
    st.text(max_size=12),
)
_ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le"])


def _check_parsed(rows, source: Path) -> None:
    seen = set()
    for r in rows:
        assert r.file and not r.file.startswith("/") and ".." not in Path(r.file).parts
        assert r.file not in seen
        seen.add(r.file)
        assert set(r.codes) <= {"neglect", "domestic_abuse"} and set(r.codes.values()) <= {0, 1}
        assert r.row >= 2 and r.source == str(source)


@_PROPS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_parse_or_raise_codes_error(tmp_path, data):
    p = tmp_path / "codes.csv"
    p.write_bytes(data)
    try:
        rows = read_codes(p, CB, require_all_themes=False)
    except CodesError as exc:
        assert str(p) in str(exc)
        return
    _check_parsed(rows, p)


@_PROPS
@given(
    header=st.lists(_COLUMNS, min_size=1, max_size=5),
    body=st.lists(st.lists(_CELLS, max_size=6), max_size=6),
    encoding=_ENCODINGS,
    crlf=st.booleans(),
    require_all=st.booleans(),
)
def test_arbitrary_sheets_parse_or_raise_codes_error_naming_the_row(tmp_path, header, body, encoding, crlf, require_all):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL).writerows([header, *body])
    p = tmp_path / "codes.csv"
    p.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    try:
        rows = read_codes(p, CB, require_all_themes=require_all)
    except CodesError as exc:
        assert str(p) in str(exc)
        if exc.row is not None:
            assert f"row {exc.row}" in str(exc) and 1 <= exc.row <= len(body) + 1
        return
    _check_parsed(rows, p)


@_PROPS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_xlsx_raise_codes_error(tmp_path, data):
    p = tmp_path / "codes.xlsx"
    p.write_bytes(data)
    with pytest.raises(CodesError, match="xlsx"):
        read_codes(p, CB)


@pytest.mark.parametrize(
    "text, encoding, row, column, message",
    [
        ("\ufefffile,neglect,domestic_abuse\na.pdf,1,0\na.pdf,1,0\n", "utf-8", 3, "file", "coded twice"),
        ("file,neglect,domestic_abuse\n\"a.pdf\",\"1\",\"x\"\n", "utf-8", 2, "domestic_abuse", "not 1, 0 or blank"),
        ("file,neglect,domestic_abuse\nsub/../../a.pdf,1,0\n", "cp1252", 2, "file", "outside the PDF folder"),
        ("file,neglect,domestic_abuse\n\\\\server\\share\\a.pdf,1,0\n", "utf-8", 2, "file", "outside the PDF folder"),
        ("file,neglect,domestic_abuse\nr\xe9view.pdf,1,-1\n", "latin-1", 2, "domestic_abuse", "not 1, 0 or blank"),
        ("file,neglect,domestic_abuse\na.pdf,1,0\n\"b.pdf,1,0\n", "utf-8", 3, None, "never closed"),
        ("file,neglect,domestic_abuse\n\"a.pdf\"x,1,0\n", "utf-8", 2, None, "not a readable CSV"),
    ],
)
def test_more_bad_sheets_name_the_row(tmp_path, text, encoding, row, column, message):
    p = _sheet(tmp_path, text, encoding)
    with pytest.raises(CodesError) as exc:
        read_codes(p, CB)
    assert exc.value.row == row and exc.value.column == column and message in str(exc.value)
    assert f"row {row}" in str(exc.value)


def test_unknown_files_are_named_with_their_row(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    p = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,1,0\nmissing.pdf,0,0\n")
    with pytest.raises(CodesError, match=r"row 3, column 'file': 'missing.pdf' is not in"):
        check_files_exist(read_codes(p, CB), tmp_path)


def test_every_bad_cell_of_a_sheet_is_named_at_once(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,yes,0\nb.pdf,1,Y\nc.pdf,2,1\n")
    with pytest.raises(CodesError) as exc:
        read_codes(p, CB)
    e = exc.value
    assert (e.row, e.column) == (2, "neglect") and "'yes' is not 1, 0 or blank" in str(e)
    assert "2 more cells" in str(e) and "row 3, column 'domestic_abuse' ('Y')" in str(e) and "row 4, column 'neglect' ('2')" in str(e)


def test_every_missing_file_is_named_at_once(tmp_path):
    p = _sheet(tmp_path, "file,neglect,domestic_abuse\na.pdf,1,0\nb.pdf,0,0\n")
    (tmp_path / "pdfs").mkdir()
    with pytest.raises(CodesError) as exc:
        check_files_exist(read_codes(p, CB), tmp_path / "pdfs")
    assert "row 2, column 'file': 'a.pdf' is not in" in str(exc.value)
    assert "1 more coded files are not there" in str(exc.value) and "row 3 ('b.pdf')" in str(exc.value)
