"""Headings, tables of contents and section kinds.

Consumes lines (with font size and weight) and the document's `Typography`, then the assembled
blocks. Produces: which lines are headings (larger or bold or capitalised short lines, often
numbered), the lines of a table of contents (dropped from the body: they repeat every heading), and
for every block the `SectionKind` of the heading it sits under and each heading's level.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.layout import Line, Typography
from pipeline.records import Block, SectionKind

HEADING_NUMBER = re.compile(r"^(?:(?:section|part|chapter)\s+)?(\d{1,2}(?:\.\d{1,2}){0,3})\.?(?:\s+|$)", re.IGNORECASE)
_MAX_HEADING_WORDS = 20
_COVER_WORDS = 150
# A paragraph this long is the review's own text, not a cover line: front matter (unscored) ends there
# even when no heading opened a section before it (question headings such as "What happened to
# Ellie?", a case study's narrative before its first named heading, a summary set as plain text).
BODY_WORDS = 30


_ASCII_LOWER = re.compile(r"[a-z]")


def is_heading_line(line: Line, typo: Typography) -> bool:
    """A line set apart from body text: larger type, all bold, or short and in capitals."""
    text = line.text.strip()
    words = text.split()
    if not words or len(words) > _MAX_HEADING_WORDS:
        return False
    if line.size < typo.body_size - 0.6:
        return False
    large = line.size >= typo.body_size + 1.0 and line.size >= 1.08 * typo.body_size
    if not large and not line.bold and _ASCII_LOWER.search(text) is not None:
        # The usual body line: body-size type, not bold, and a lower-case letter, so not in
        # capitals. The rules below would say no without counting its letters one by one.
        return False
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    if large:
        return True  # even a lone letter: the end of a wrapped title ("Child" / "W")
    if len(letters) < 2:
        return False
    sentence_end = text.endswith((".", ",", ";")) and not HEADING_NUMBER.fullmatch(text)
    if line.bold and len(words) <= 15 and not sentence_end:
        return True
    upper = all(c.isupper() for c in letters)
    return upper and len(letters) >= 4 and not sentence_end and (len(words) <= 8 or bool(HEADING_NUMBER.match(text)))


# --- tables of contents ----------------------------------------------------------------------------

_LEADERS = re.compile(r"(?:\.\s?){4,}\s*\d{1,3}\s*$|\u2026{2,}\s*\d{1,3}\s*$|_{4,}\s*\d{1,3}\s*$")
_TRAILING_PAGE = re.compile(r"(?:\s*(?:\.\s?){2,}|\s*\u2026+|\s+)\s*\d{1,3}\s*$")
_CONTENTS = re.compile(r"^(?:table\s+of\s+)?contents?:?$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^a-z0-9]+")


# ASCII letters and digits kept, every other ASCII character a space: `_norm`'s fast path.
_ASCII_WORD = str.maketrans({i: chr(i) if chr(i).isascii() and chr(i).isalnum() and not chr(i).isupper() else " " for i in range(128)})


def _norm(text: str) -> str:
    """Lower case, every run of characters other than a-z and 0-9 one space, no space at the ends."""
    low = text.lower()
    if low.isascii():  # the same result as the regex, without it (called for every line with a contents page)
        return " ".join(low.translate(_ASCII_WORD).split())
    return _NON_WORD.sub(" ", low).strip()


def drop_contents(lines: Sequence[Line]) -> tuple[list[Line], int]:
    """Remove a table of contents: its "Contents" title, lines with dotted leaders, and the entries
    after the title that end in a page number or reappear later in the document as headings.

    Returns the remaining lines and how many were dropped.
    """
    last_seen: dict[str, int] | None = None  # a line's normalised text -> where it occurs last
    kept: list[Line] = []
    in_contents = False
    for i, ln in enumerate(lines):
        text = ln.text.strip()
        # Every leader pattern ends in a page number: lines that do not end in a digit are skipped.
        if _CONTENTS.match(text) or (text[-1:].isdigit() and _LEADERS.search(text)):
            in_contents = True
            continue
        if in_contents:
            if last_seen is None:  # only documents with a contents page need it
                last_seen = {_norm(other.text): j for j, other in enumerate(lines)}
            entry = _TRAILING_PAGE.sub("", text)
            if entry != text or last_seen.get(_norm(entry), -1) > i:
                continue
            in_contents = False
        kept.append(ln)
    return kept, len(lines) - len(kept)


# --- section kinds -------------------------------------------------------------------------------

# Checked in order; the first match wins. Patterns see the heading lower-cased without its number.
_KIND_PATTERNS: tuple[tuple[SectionKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (SectionKind.FRONT_MATTER, r"^(?:contents|foreword|preface|acknowledge?ments?|dedication|document control|version control)\b"),
        (SectionKind.GOOD_PRACTICE, r"good practice|positive practice|what went well|strengths|effective practice|notable practice"),
        (SectionKind.GLOSSARY, r"^(?:glossary|appendix|appendices|annex|references|bibliography|abbreviations|acronyms|terms used|sources)\b|\bglossary\b"),
        (SectionKind.FINDINGS, r"finding|analysis|\blearning\b|lessons|conclusion|^(?:key )?themes?\b|discussion|appraisal|reflections|^key (?:issues|messages)|what (?:we|the review) (?:found|learn)"),
        (SectionKind.RECOMMENDATIONS, r"recommendation|^actions?\b|next steps|action plan|improvement (?:actions|priorities)"),
        (SectionKind.TERMS_OF_REFERENCE, r"terms of reference|methodology|^method\b|^scope\b|scope of|lines? of enquiry|review process|process of the review|^(?:the )?review panel|family involvement|involvement of (?:the )?family|family(?:'s)? (?:contribution|views|participation)|contributors|agencies involved|independen|^(?:the )?(?:lead )?(?:author|reviewer)s?\b|confidentiality|timescales?|parallel (?:process|proceedings)|^(?:the )?approach\b|^governance"),
        (SectionKind.INTRODUCTION, r"^introduction|purpose|reasons? for|why (?:this|the) review|circumstances (?:leading|that led)|rationale|^criteria|statutory|legislative|^(?:the )?decision to"),
        (SectionKind.BACKGROUND, r"background|^family (?:history|background|composition|structure|context)|^(?:the )?family\b|pen picture|genogram|^context\b|^about (?:the )?(?:child|baby|young)"),
        (SectionKind.CHRONOLOGY, r"chronolog|professional involvement|agency involvement|involvement of (?:agencies|services|professionals)|summary of (?:involvement|events)|practice episode|key episodes|key events|timeline|^narrative|case history|what happened|the facts"),
    )
)


def kind_of_heading(text: str) -> SectionKind | None:
    """The section kind a heading opens, or None when its words do not say."""
    m = HEADING_NUMBER.match(text)
    bare = (text[m.end() :] if m else text).strip().lower()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(bare):
            return kind
    return None


def heading_depth(text: str) -> int | None:
    """Numbering depth of a heading: "4 Background" -> 1, "4.2 The family" -> 2, unnumbered -> None."""
    m = HEADING_NUMBER.match(text)
    return m.group(1).count(".") + 1 if m and m.group(1) else None


def _level(block: Block, style: tuple[float, bool] | None, ranked: Sequence[tuple[float, bool]]) -> int:
    if block.kind != "heading" or style is None:
        return 0
    depth = heading_depth(block.text)
    return min(4, depth if depth is not None else (ranked.index(style) + 1 if style in ranked else 1))


# A contents list that `drop_contents` left (entries run together without page numbers): "Why this
# review was carried out 3. Scope and key lines of enquiry 4. How the review was done 5. ..."
_RUN_TOGETHER_ENTRIES = re.compile(r"(?:^|\s)\d{1,2}\.\s+[A-Z]")
_MIN_RUN_TOGETHER = 3


def _first_body_paragraph(blocks: Sequence[Block], styles: Sequence[tuple[float, bool] | None], has_cover: bool) -> int | None:
    """Index where the body begins: the first paragraph of at least `BODY_WORDS` words that is not
    on a cover page, not under a heading that names front matter (contents, foreword, ...; its
    sub-headings, smaller or the same size and unnamed, stay under it) and not a contents list run
    together; or, after page 1, the heading right before that paragraph. None when there is none."""
    front: tuple[float, bool] | None = None  # style of the front-matter heading we are under
    for i, (b, s) in enumerate(zip(blocks, styles)):
        if b.kind == "heading" and s is not None:
            kind = kind_of_heading(b.text)
            if kind == SectionKind.FRONT_MATTER:
                front = s
            elif front is not None and (kind is not None or heading_depth(b.text) or s[0] > front[0]):
                front = None
        elif (
            front is None
            and not (has_cover and b.page == 1)
            and len(b.text.split()) >= BODY_WORDS
            and len(_RUN_TOGETHER_ENTRIES.findall(b.text)) < _MIN_RUN_TOGETHER
        ):
            before = i - 1
            if before >= 0 and styles[before] is not None and blocks[before].kind == "heading" and blocks[before].page > 1:
                return before  # the heading of the body's first section opens it too (on page 1 it may be the title)
            return i
    return None


def assign_sections(blocks: Sequence[Block], styles: Sequence[tuple[float, bool] | None]) -> list[Block]:
    """Give each heading a level and each block the kind of the section it sits in.

    `styles[i]` is (size, bold) of heading i (None for paragraphs). Levels: the numbering depth when a
    heading is numbered, else the rank of its style among the document's heading styles (larger
    first, bold before regular), up to 4. A heading whose words say nothing keeps its parent's kind
    when it is a sub-heading, and opens an OTHER section at the top level. Blocks before the first
    heading are FRONT_MATTER when they are on the first page, and so is the first heading when it
    is an unnumbered title on the cover; so is everything before the first numbered or named
    heading when that comes within the first three pages, and a cover page (little text). Front matter
    never runs past the first long paragraph outside a cover page and a named front-matter section
    (contents, foreword, ...): from there on, blocks before a named heading are OTHER.
    """
    later = [s for b, s in zip(blocks, styles) if s is not None and b.page > 1] or [s for s in styles if s is not None]
    # A first page with little text in a longer document is a cover: all of it is front matter.
    cover_words = sum(len(b.text.split()) for b in blocks if b.page == 1)
    has_cover = any(b.page > 1 for b in blocks) and cover_words < _COVER_WORDS
    # Before the first numbered or named heading (within the first pages) is front matter too:
    # title, partnership, author, date, contents.
    structural = next(
        (
            i
            for i, b in enumerate(blocks)
            if b.kind == "heading" and (heading_depth(b.text) or kind_of_heading(b.text) not in (None, SectionKind.FRONT_MATTER))
        ),
        0,
    )
    if blocks[structural:structural + 1] and blocks[structural].page > 3:
        structural = 0
    body = _first_body_paragraph(blocks, styles, has_cover)
    if body is not None:
        structural = min(structural, body)
    ranked = sorted(set(later), key=lambda s: (-s[0], not s[1]))
    out: list[Block] = []
    stack: list[tuple[int, SectionKind]] = []  # (level, kind) of open headings
    current = SectionKind.OTHER
    # Without any heading nothing can be told apart: everything stays OTHER.
    seen_heading = not any(s is not None for s in styles)
    for index, (block, style) in enumerate(zip(blocks, styles)):
        if index < structural:
            out.append(block.changed(section=SectionKind.FRONT_MATTER, level=_level(block, style, ranked)))
            continue
        if index == structural and structural > 0:
            seen_heading = True  # the cover was the prefix: this heading or paragraph starts the body
        if index == body:  # the body has begun: cover headings are no one's parent section any more
            seen_heading = True
            stack = [(lvl, k) for lvl, k in stack if k != SectionKind.FRONT_MATTER]
            current = stack[-1][1] if stack else SectionKind.OTHER
        if block.kind != "heading" or style is None:
            if has_cover and block.page == 1:
                kind = SectionKind.FRONT_MATTER
            else:
                kind = current if seen_heading else (SectionKind.FRONT_MATTER if block.page == 1 else SectionKind.OTHER)
            out.append(block.changed(section=kind))
            continue
        depth = heading_depth(block.text)
        level = _level(block, style, ranked)
        while stack and stack[-1][0] >= level:
            stack.pop()
        named = kind_of_heading(block.text)
        if (has_cover and block.page == 1) or (
            not seen_heading and block.page == 1 and depth is None and (named is None or len(block.text.split()) >= 5)
        ):
            kind = SectionKind.FRONT_MATTER  # the title on the cover
        elif named is not None:
            kind = named
        elif stack:
            kind = stack[-1][1]
        else:
            kind = SectionKind.FRONT_MATTER if not seen_heading and block.page == 1 else SectionKind.OTHER
        stack.append((level, kind))
        current = kind
        seen_heading = True
        out.append(block.changed(section=kind, level=level))
    return out
