import pytest

from pipeline.layout import Line, PageBox, Word, find_gutter, is_marking, is_page_number, page_lines, running_key, strip_running


@pytest.mark.parametrize("text", ["4", "Page 4", "Page 4 of 38", "4 of 38", "4/38", "- 4 -", "\u2013 12 \u2013", "4 | Page", "Page | 4", "iv", "p. 4"])
def test_page_numbers(text):
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["Page four of the report", "2019 and 2020", "Child 4"])
def test_not_page_numbers(text):
    assert not is_page_number(text)


@pytest.mark.parametrize("text", ["OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL: SENSITIVE", "Official Sensitive", "NOT PROTECTIVELY MARKED", "FOR PUBLICATION", "Final version", "Classification: OFFICIAL"])
def test_markings(text):
    assert is_marking(text)


def test_running_key_ignores_digits_and_case():
    assert running_key("Page 4 of 38") == running_key("PAGE 12 of 38") == "page # of #"


def _words(x0: float, top: float, texts: list[str], size: float = 10.0) -> list[Word]:
    out, x = [], x0
    for t in texts:
        w = len(t) * 5.0
        out.append(Word(t, x, x + w, top, top + size, size, False))
        x += w + 3
    return out


def _column(x0: float, n: int, top: float = 100.0, words: int = 10) -> list[Word]:
    out = []
    for i in range(n):
        out += _words(x0, top + i * 14, ["word"] * words)
    return out


def test_gutter_found_between_two_text_columns():
    words = _column(60, 30) + _column(310, 30)
    gutter = find_gutter(words, 595, 842, 0.12)
    assert gutter is not None and 285 < gutter[0] < gutter[1] <= 310


def test_no_gutter_on_one_column_or_a_table_of_short_cells():
    assert find_gutter(_column(60, 40, words=20), 595, 842, 0.12) is None
    table = []
    for i in range(30):
        table += _words(60, 100 + i * 14, ["12/03/2021"]) + _words(320, 100 + i * 14, ["Visit"])
    assert find_gutter(table, 595, 842, 0.12) is None


def test_two_column_reading_order_left_then_right():
    left = [w for i in range(30) for w in _words(60, 100 + i * 14, [f"L{i}"] + ["word"] * 9)]
    right = [w for i in range(30) for w in _words(310, 101 + i * 14, [f"R{i}"] + ["word"] * 9)]
    lines = page_lines(left + right, 1, 595, 842, 0.12)
    firsts = [ln.text.split()[0] for ln in lines]
    assert firsts == [f"L{i}" for i in range(30)] + [f"R{i}" for i in range(30)]


def test_strip_running_removes_repeats_and_keeps_body():
    pages = []
    for n in range(1, 5):
        lines = [
            Line(n, "full", _words(60, 30, ["Northmoor", "Partnership"], 8)),
            Line(n, "full", _words(60, 100, ["Body", "text", f"on{n}"])),
            Line(n, "full", _words(60, 800, ["Page", str(n), "of", "4"], 8)),
        ]
        pages.append((PageBox(n, 842.0, 595.0), lines))
    out, removed = strip_running(pages, 0.12, 0.5)
    assert [[ln.text for ln in lines] for _, lines in out] == [[f"Body text on{n}"] for n in range(1, 5)]
    assert removed == 8


# --- the faster line code against the plain definitions it replaced ------------------------------

from collections import Counter  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pipeline.layout import _cluster_lines, join_words  # noqa: E402


def _plain_cluster(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    bounds: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: (w.top, w.x0)):
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bounds[i]
            if min(bottom, w.bottom) - max(top, w.top) >= 0.5 * min(bottom - top, w.bottom - w.top):
                lines[i].append(w)
                bounds[i] = (min(top, w.top), max(bottom, w.bottom))
                break
        else:
            lines.append([w])
            bounds.append((w.top, w.bottom))
    return lines


def _plain_join(words: list[Word]) -> str:
    parts, prev = [], None
    for w in words:
        if prev is not None and w.x0 - prev.x1 > 0.08 * max(w.size, 1.0):
            parts.append(" ")
        parts.append(w.text)
        prev = w
    return "".join(parts)


_word = st.builds(
    lambda text, x0, width, top, height, size, bold: Word(text, x0, x0 + width, top, top + height, size, bold),
    st.text("abcXYZ-.", min_size=0, max_size=6),
    st.floats(0, 500),
    st.floats(0, 60),
    st.floats(0, 700),
    st.floats(0.5, 14),
    st.sampled_from([0.5, 1.0, 8.0, 10.0, 10.5, 12.0]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_word, max_size=40))
def test_line_code_matches_its_plain_definition(words):
    assert _cluster_lines(words) == _plain_cluster(words)
    ordered = sorted(words, key=lambda w: w.x0)
    assert join_words(ordered) == _plain_join(ordered)
    if words:
        line = Line(3, "full", list(words))
        weights = Counter[float]()
        for w in ordered:
            weights[w.size] += len(w.text)
        assert (line.x0, line.x1) == (min(w.x0 for w in words), max(w.x1 for w in words))
        assert (line.top, line.bottom) == (min(w.top for w in words), max(w.bottom for w in words))
        assert line.size == weights.most_common(1)[0][0]
        assert line.bold == (sum(len(w.text) for w in words if w.bold) >= 0.9 * sum(weights.values()))
        assert line.text == _plain_join(ordered)
