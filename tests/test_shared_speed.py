"""The shared code after the lines was made cheaper (benchmarks/RESULTS.md, "fourth pass"): each
fast path must give what the plain definition it replaced gives, kept here as the reference."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import glyphs
from pipeline.boilerplate import _CUES, cue_count, mark_boilerplate
from pipeline.layout import Line, Typography, Word, body_size
from pipeline.records import Block, SectionKind
from pipeline.sections import HEADING_NUMBER, _MAX_HEADING_WORDS, assign_sections, is_heading_line

TEXT = st.lists(st.sampled_from([*"abcXYZ éÉ 1.,;:-\u2013o*(\u2022\u00a0\u2019\ufb01\uf0b7\u2167\u24d0\u00aa", "(cid:3)", "  ", "Word", "THE"]), max_size=30).map("".join)


def _reference_heading(line: Line, typo: Typography) -> bool:
    text = line.text.strip()
    words = text.split()
    letters = [c for c in text if c.isalpha()]
    if not words or len(words) > _MAX_HEADING_WORDS or not letters:
        return False
    if line.size < typo.body_size - 0.6:
        return False
    if line.size >= typo.body_size + 1.0 and line.size >= 1.08 * typo.body_size:
        return True
    if len(letters) < 2:
        return False
    sentence_end = text.endswith((".", ",", ";")) and not HEADING_NUMBER.fullmatch(text)
    if line.bold and len(words) <= 15 and not sentence_end:
        return True
    upper = all(c.isupper() for c in letters)
    return upper and len(letters) >= 4 and not sentence_end and (len(words) <= 8 or bool(HEADING_NUMBER.match(text)))


@settings(max_examples=400, deadline=None)
@given(text=TEXT, size=st.sampled_from([9.0, 10.0, 10.5, 11.0, 12.0, 14.0]), bold=st.booleans())
def test_is_heading_line_matches_the_letter_by_letter_definition(text: str, size: float, bold: bool):
    line = Line(1, "full", [Word(text or "x", 0, 10, 0, 10, size, bold)])
    line.text = text
    typo = Typography(10.0, 12.0, {})
    assert is_heading_line(line, typo) == _reference_heading(line, typo)


def _reference_split_bullet(line: str) -> tuple[str | None, str]:
    for kind, pattern in (("strong", glyphs._BULLET_START), ("weak", glyphs._WEAK_BULLET_START)):
        m = pattern.match(line)
        if m is not None and line[m.end() :].strip():
            return kind, line[m.end() :]
    return None, line


def _reference_normalise(text: str) -> str:
    text = text.translate(glyphs._TRANSLATE)
    text = glyphs._CID.sub("", text)
    return glyphs._PRIVATE_USE.sub("", text)


@settings(max_examples=400, deadline=None)
@given(text=TEXT)
def test_bullets_and_normalising_match_their_definitions(text: str):
    assert glyphs.split_bullet(text) == _reference_split_bullet(text)
    assert glyphs.normalise(text) == _reference_normalise(text)


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.tuples(st.sampled_from([9.0, 9.2, 9.3, 9.7, 10.0, 10.24, 10.26, 12.0]), st.integers(0, 5)), max_size=12))
def test_body_size_matches_rounding_every_line(sizes: list[tuple[float, int]]):
    lines = [Line(1, "full", [Word("x" * n or "y", 0, 1, 0, 1, s, False)]) for s, n in sizes]
    for ln, (_, n) in zip(lines, sizes):
        ln.text = "x" * n
    reference = Counter[float]()
    for ln in lines:
        reference[round(ln.size * 2) / 2] += len(ln.text)
    assert body_size(lines) == (reference.most_common(1)[0][0] if reference else 10.0)


def test_cue_count_and_sections_match_their_definitions():
    texts = [
        "The purpose of a local child safeguarding practice review is to identify improvements that should be made.",
        "Working Together 2018 sets out that reviews should not apportion blame or hold individuals to account.",
        "Where abuse or neglect is known or suspected and the child has died or been seriously harmed.",
        "The health visitor saw the baby at home.",
        "Die Überprüfung: abuse or neglect is known or suspected; Regulation 5 applies.",
    ]
    for text in texts:
        assert cue_count(text) == sum(1 for c in _CUES if c.search(text))
    blocks = [Block("heading", "1. Introduction", 1), *[Block("paragraph", t, 1 + i // 2) for i, t in enumerate(texts)],
              Block("heading", "2. Findings", 3), Block("paragraph", texts[0], 3, para_id="2.1")]
    styles = [(14.0, True), *[None] * len(texts), (14.0, True), None]
    placed = mark_boilerplate(assign_sections(blocks, styles))
    # Blocks are rebuilt field by field instead of with `dataclasses.replace`: nothing else changes.
    assert [(b.kind, b.text, b.page, b.para_id, b.bullet) for b in placed] == [(b.kind, b.text, b.page, b.para_id, b.bullet) for b in blocks]
    assert placed[1].boilerplate and not placed[4].boilerplate and placed[-2].level == 1 and placed[-1].section == SectionKind.FINDINGS
    assert all(isinstance(b, Block) for b in placed)


def test_a_one_word_line_is_what_the_general_rule_gives():
    for word in (Word("Summary", 5, 50, 1, 11, 12.0, True), Word("", 5, 5, 1, 11, 10.0, False), Word("x", 5, 9, 1, 11, 10.0, False)):
        one = Line(1, "left", [word])
        two = Line(1, "left", [word, Word("", 60, 60, 1, 11, word.size, word.bold)])
        two.words = [word]
        assert (one.x0, one.x1, one.top, one.bottom, one.size, one.text) == (word.x0, word.x1, word.top, word.bottom, word.size, word.text)
        assert one.bold == (word.bold or not word.text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=40))
def test_norm_fast_path_matches_its_regex_definition(text: str) -> None:
    from pipeline.sections import _NON_WORD, _norm

    assert _norm(text) == _NON_WORD.sub(" ", text.lower()).strip()
