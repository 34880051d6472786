"""Lines in reading order -> headings and paragraphs, rebuilt across line, column and page breaks.

Consumes the document's lines (running headers, footers and contents already removed), which of them
are headings, and its `Typography`. Produces `Block`s: headings (consecutive heading lines of one
style merged), list items, and paragraphs with their numbered paragraph id ("4.12") split off, words
split by line-end hyphens re-joined where the document or the dictionary says so.

A new paragraph starts at a heading, a paragraph number, a bullet, a change of type size, a vertical
gap larger than the line spacing, or after a line that ended early: when the next line's first word
would have fitted at its end, the line break was not a wrap. The same test decides whether a
paragraph runs on across a column or page break.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline import glyphs
from pipeline.hyphenation import Dehyphenator
from pipeline.layout import Line, Typography
from pipeline.records import Block

PARA_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,3}){1,3})\.?\s+(?=\S)|^(\d{1,3})\.\s+(?=\S)")
_ITEM_LABEL = re.compile(r"^\(?(?:[a-z]|[ivx]{1,4})\)\s+(?=\S)|^\(?[a-z]\.\s+(?=\S)")
_TERMINAL = (".", "!", "?", ":", ";", '."', ".'", '?"', ")")
_MAX_HEADING_WORDS = 25


@dataclass
class _Draft:
    kind: str  # "heading" | "paragraph"
    page: int
    lines: list[Line] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    bullet: bool = False


def _wrapped(prev: Line, nxt: Line, prev_text: str, typo: Typography, edges: Mapping[tuple[int, str], float]) -> bool:
    """Was the break after `prev` forced, i.e. would `nxt`'s first word not have fitted on it?"""
    space = 0.0 if prev_text.endswith("-") else 0.25 * prev.size
    return prev.x1 + space + nxt.first_width > typo.edge(prev, edges) - 0.5


def _starts_item(text: str) -> bool:
    return bool(PARA_NUMBER.match(text) or _ITEM_LABEL.match(text))


def _new_paragraph(
    draft: _Draft, line: Line, text: str, bullet: str | None, typo: Typography, edges: Mapping[tuple[int, str], float]
) -> bool:
    prev = draft.lines[-1]
    prev_text = draft.texts[-1]
    # PARA_NUMBER can only match text that starts with a digit
    if bullet == "strong" or (text[:1].isdigit() and PARA_NUMBER.match(text)):
        return True
    if abs(line.size - prev.size) > 1.0:
        return True
    wrapped = _wrapped(prev, line, prev_text, typo, edges)
    if bullet == "weak" or _ITEM_LABEL.match(text):
        if not wrapped or draft.bullet or prev_text.rstrip().endswith(_TERMINAL):
            return True
    if prev.page == line.page and prev.column == line.column:
        step = line.top - prev.top
        if step < 0 or step > 1.45 * max(typo.leading, 1.0) * max(prev.size, line.size) / max(typo.body_size, 1.0):
            return True
        if draft.bullet and line.x0 < prev.x0 - 2 and not (bullet or _starts_item(text)):
            return True  # back at the margin after an indented list item
        return not wrapped
    # A column or page break: run on when the sentence plainly continues, else when the last line was a wrap.
    if text[:1].islower() and not prev_text.rstrip().endswith(_TERMINAL):
        return False
    return not wrapped


def _join(texts: Sequence[str], dehyphenate: Dehyphenator) -> str:
    out = ""
    for t in texts:
        t = t.strip()
        if not out:
            out = t
        elif out.endswith("-") and len(out) > 1 and out[-2].isalpha() and t[:1].isalpha():
            head, _, before = out.rpartition(" ")
            tail, _, after = t.partition(" ")
            word = dehyphenate.join(before, tail)
            out = f"{head} {word}".lstrip() + (f" {after}" if after else "")
        elif out.endswith("/"):
            out += t
        else:
            out += " " + t
    return out


def build_blocks(
    lines: Sequence[Line], headings: Sequence[bool], typo: Typography, edges: Mapping[tuple[int, str], float]
) -> tuple[list[Block], list[tuple[float, bool] | None]]:
    """Assemble blocks; also returns each block's heading style (size, bold), None for paragraphs."""
    dehyphenate = Dehyphenator(w.text for ln in lines for w in ln.words)
    drafts: list[_Draft] = []
    for line, is_heading in zip(lines, headings):
        bullet, rest = glyphs.split_bullet(line.text)
        text = glyphs.normalise(rest if bullet else line.text).strip()
        if not text:
            continue
        last = drafts[-1] if drafts else None
        if is_heading:
            if (
                last is not None
                and last.kind == "heading"
                and last.page == line.page
                and (last.lines[-1].size, last.lines[-1].bold) == (line.size, line.bold)
                and 0 <= line.top - last.lines[-1].bottom <= 0.8 * line.size
            ):
                last.lines.append(line)
                last.texts.append(text)
            else:
                drafts.append(_Draft("heading", line.page, [line], [text]))
            continue
        if last is None or last.kind == "heading" or _new_paragraph(last, line, text, bullet, typo, edges):
            drafts.append(_Draft("paragraph", line.page, [line], [text], bullet=bullet is not None))
        else:
            if bullet == "weak":  # a dash that a wrap put at the line start, not a bullet
                text = glyphs.normalise(line.text).strip()
            last.lines.append(line)
            last.texts.append(text)
    blocks: list[Block] = []
    styles: list[tuple[float, bool] | None] = []
    for d in drafts:
        text = _join(d.texts, dehyphenate)
        if d.kind == "heading" and len(text.split()) <= _MAX_HEADING_WORDS:
            blocks.append(Block("heading", text, d.page))
            styles.append((d.lines[0].size, d.lines[0].bold))
            continue
        para_id = None
        m = PARA_NUMBER.match(text)
        if m and not d.bullet:
            para_id = m.group(1) or m.group(2)
            text = text[m.end() :]
        blocks.append(Block("paragraph", text, d.page, para_id=para_id, bullet=d.bullet))
        styles.append(None)
    return blocks, styles
