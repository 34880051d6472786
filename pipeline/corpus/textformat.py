"""The committed review text format, and the reader for hand-written plain-text reviews.

Generated reviews are stored as a small Markdown subset (`.md`):

    ---
    title: ...                 front matter (YAML): title, kind, bank, cover lines, contents, layout hints
    cover: [lines ...]
    contents: true
    layout: {font: times, size: 11, columns: 1, ...}
    ---
    # 1. Heading               level-1 heading (a section)
    ## Sub-heading             level-2 heading
    Paragraph text ...         paragraphs are separated by blank lines
    - bullet                   consecutive "- " lines are a bullet list
    | a | b |                  a table: the first row is the header, the second the |---| rule

Hand-written reviews (`.txt`, corpus/handwritten) are plain text: the cover is the lines before the
first heading or "CONTENTS", headings are short lines in capitals or numbered ("4. BACKGROUND",
"Finding 2: ..."), paragraphs are separated by blank lines and "- " lines are bullets.

Both read into a `ReviewText`: front matter plus a list of `TextBlock`s that the renderer lays out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.errors import CorpusError


@dataclass(frozen=True, slots=True)
class TextBlock:
    """One block: kind is "h1", "h2", "paragraph", "bullet", "table" (with rows) or "contents" (lines)."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass
class ReviewText:
    """A review ready to render: front matter (title, cover, contents, layout) and body blocks."""

    front: dict[str, object]
    blocks: list[TextBlock] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.front.get("title") or "Review")

    @property
    def cover(self) -> list[str]:
        return [str(x) for x in (self.front.get("cover") or [])]

    @property
    def layout(self) -> dict[str, object]:
        lay = self.front.get("layout") or {}
        return dict(lay) if isinstance(lay, dict) else {}


# --------------------------------------------------------------------------------------------------
# writing


def dump_front(front: dict[str, object]) -> str:
    """The front matter block, YAML between '---' lines (keys in the given order)."""
    body = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None)
    return f"---\n{body}---\n"


def write_markdown(front: dict[str, object], blocks: list[TextBlock]) -> str:
    """Front matter and blocks -> the committed text format."""
    out = [dump_front(front)]
    prev = ""
    for b in blocks:
        if b.kind == "h1":
            out.append(f"\n# {b.text}\n")
        elif b.kind == "h2":
            out.append(f"\n## {b.text}\n")
        elif b.kind == "bullet":
            out.append(("" if prev == "bullet" else "\n") + f"- {b.text}\n")
        elif b.kind == "table":
            lines = [_row(b.rows[0]), "|" + "|".join("---" for _ in b.rows[0]) + "|"]
            lines += [_row(r) for r in b.rows[1:]]
            out.append("\n" + "\n".join(lines) + "\n")
        elif b.kind == "contents":
            out.append("\n" + "\n".join(b.text.splitlines()) + "\n")
        else:
            out.append(f"\n{b.text}\n")
        prev = b.kind
    return "".join(out)


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |"


# --------------------------------------------------------------------------------------------------
# reading


_TABLE_RULE = re.compile(r"^\|\s*:?-{3,}")


def parse_markdown(text: str, source: str = "<text>") -> ReviewText:
    """The committed text format -> ReviewText. CorpusError (naming `source`) for malformed front matter."""
    front: dict[str, object] = {}
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":
        try:
            end = next(j for j in range(1, len(lines)) if lines[j].strip() == "---")
        except StopIteration:
            raise CorpusError(f"{source}: front matter starts with '---' but never ends") from None
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            raise CorpusError(f"{source}: front matter is not valid YAML: {exc}") from None
        if not isinstance(loaded, dict):
            raise CorpusError(f"{source}: front matter must be a mapping")
        front = loaded
        i = end + 1
    blocks: list[TextBlock] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(TextBlock("paragraph", " ".join(s.strip() for s in para)))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        s = line.strip()
        if not s:
            flush()
        elif s.startswith("## "):
            flush()
            blocks.append(TextBlock("h2", s[3:].strip()))
        elif s.startswith("# "):
            flush()
            blocks.append(TextBlock("h1", s[2:].strip()))
        elif s.startswith("- ") or s.startswith("* "):
            flush()
            blocks.append(TextBlock("bullet", s[2:].strip()))
        elif s.startswith("|"):
            flush()
            rows: list[tuple[str, ...]] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = lines[i].strip()
                if not _TABLE_RULE.match(row):
                    rows.append(tuple(c.strip() for c in row.strip("|").split("|")))
                i += 1
            blocks.append(TextBlock("table", rows=tuple(rows)))
            continue
        else:
            para.append(s)
        i += 1
    flush()
    return ReviewText(front, blocks)


_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(\.\d{1,2})?\.?|[A-Z]\.|Part [A-Za-z]+[:.]?|PART [A-Z]+[:.]?|"
                               r"Finding \d+[:.]?|Appendix [A-Z0-9]*[:.]?|Recommendation \d+[:.]?)\s+\S")
_BULLET = re.compile(r"^([-*\u2022\u2013]|\(?[a-z]\)|\(?[ivx]+\))\s+")


def _is_heading(line: str) -> int:
    """0 for body text, else the heading level a plain-text line looks like."""
    s = line.strip()
    words = s.split()
    if not s or len(words) > 14 or s[-1] in ".,;:" and not s.endswith("...") or _BULLET.match(s):
        return 0
    letters = [c for c in s if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) >= 3:
        return 1
    if _NUMBERED_HEADING.match(s):
        if re.match(r"^\d{1,2}\.\d{1,2}\s", s) and len(words) > 8:
            return 0  # a numbered paragraph that happens to be short
        return 1 if re.match(r"^(\d{1,2}\.?\s|PART|Part)", s) else 2
    if len(words) <= 8 and s[0].isupper() and not s.endswith("?"):
        return 2
    return 0


def _long(chunk: str) -> bool:
    """A chunk that opens with a line of running text (not a cover line)."""
    first = chunk.strip().splitlines()[0] if chunk.strip() else ""
    first = _BULLET.sub("", first.strip())
    return len(first.split()) >= 16 and not all(c.isupper() for c in first if c.isalpha())


def _cover_end(chunks: list[str]) -> int:
    """Index of the first body chunk: "CONTENTS", a numbered heading, or a capitals heading that
    opens text (a long paragraph follows, possibly after a short sub-heading)."""
    for i, chunk in enumerate(chunks[:14]):
        first = chunk.strip().splitlines()[0].strip()
        if first.upper() == "CONTENTS" or re.match(r"^(\d{1,2}\.?|PART [A-Z]+[:.]?)\s+[A-Z]", first):
            return i
        if _long(chunk):
            return i
        if _is_heading(first) == 1 and len(chunk.strip().splitlines()) == 1:
            nxt = chunks[i + 1] if i + 1 < len(chunks) else ""
            after = chunks[i + 2] if i + 2 < len(chunks) else ""
            if _long(nxt) or ("\n" not in nxt.strip() and _is_heading(nxt.strip()) == 2 and _long(after)):
                return i
    return 0


def parse_plain_text(text: str, source: str = "<text>") -> ReviewText:
    """A hand-written plain-text review -> ReviewText (cover from its first lines, layout by default)."""
    chunks = [c for c in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if c.strip()]
    if not chunks:
        raise CorpusError(f"{source}: the file is empty")
    cover: list[str] = []
    blocks: list[TextBlock] = []
    body_start = _cover_end(chunks)
    for chunk in chunks[:body_start]:
        cover.extend(ln.strip() for ln in chunk.strip().splitlines() if ln.strip())
    for chunk in chunks[body_start:]:
        lines = [ln.strip() for ln in chunk.strip().splitlines() if ln.strip()]
        first = lines[0]
        if first.upper() == "CONTENTS":
            blocks.append(TextBlock("h1", first))
            blocks.append(TextBlock("contents", "\n".join(lines[1:])))
            continue
        if len(lines) == 1 and _is_heading(first):
            blocks.append(TextBlock("h1" if _is_heading(first) == 1 else "h2", first))
            continue
        # a block of lines: a heading line followed by text, list items, or one wrapped paragraph
        if len(lines) > 1 and _is_heading(first) and not _BULLET.match(lines[1]) and _is_heading(first) == 1:
            blocks.append(TextBlock("h1", first))
            lines = lines[1:]
        if all(_BULLET.match(ln) for ln in lines[1:]) and len(lines) > 1:
            blocks.append(TextBlock("paragraph", lines[0]) if not _BULLET.match(lines[0]) else
                          TextBlock("bullet", _BULLET.sub("", lines[0])))
            blocks.extend(TextBlock("bullet", _BULLET.sub("", ln) if ln[0] in "-*\u2022\u2013" else ln) for ln in lines[1:])
        elif all(_BULLET.match(ln) for ln in lines):
            blocks.extend(TextBlock("bullet", _BULLET.sub("", ln) if ln[0] in "-*\u2022\u2013" else ln) for ln in lines)
        elif len(lines) > 1 and all(re.match(r"^[A-Z][^:]{1,60}:\s", ln) for ln in lines):
            blocks.extend(TextBlock("paragraph", ln) for ln in lines)  # glossary-like "Term: meaning" lines
        else:
            blocks.append(TextBlock("paragraph", " ".join(lines)))
    title = " ".join(cover[:3]) if cover else Path(source).stem
    return ReviewText({"title": title, "cover": cover, "contents": False, "layout": {}}, blocks)


def read_review_text(path: Path) -> ReviewText:
    """A `.md` review (the committed format) or a `.txt` hand-written review -> ReviewText."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".md" or text.startswith("---\n"):
        return parse_markdown(text, str(path))
    return parse_plain_text(text, str(path))
