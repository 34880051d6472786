"""An extracted review -> its clean body text as Markdown, for people to read and audit.

Consumes an `ExtractedReview`. Produces Markdown: each heading as a Markdown heading (`#` per level),
each paragraph as one line (its numbered paragraph id first, list items as "- "), blocks separated by
blank lines, and a line `<!-- page N -->` before the first block that starts on page N (a paragraph
that runs on from the previous page stays whole above it). Section kinds and statutory boilerplate
are marked with HTML comments, which Markdown viewers do not show.
"""

from __future__ import annotations

import re

from pipeline.records import Block, ExtractedReview

_MD_START = re.compile(r"^(?=[#>*+=|`]|-\s|\d+[.)]\s)")


def _escape(text: str) -> str:
    """Stop body text that happens to start like Markdown syntax from being read as such."""
    return _MD_START.sub("\\\\", text)


def block_markdown(block: Block) -> str:
    """One block as Markdown (without the comments)."""
    if block.kind == "heading":
        return "#" * max(1, min(block.level or 1, 6)) + " " + block.text
    text = _escape(block.text)
    if block.para_id:
        text = f"{block.para_id} {block.text}"
    if block.bullet:
        text = f"- {block.text}"
    return text


def review_markdown(review: ExtractedReview) -> str:
    """The whole review as Markdown text, ending in a newline."""
    out: list[str] = []
    page = 0
    section = None
    for block in review.blocks:
        while page < block.page:
            page += 1
            out.append(f"<!-- page {page} -->")
        if block.section != section:
            out.append(f"<!-- section: {block.section} -->")
            section = block.section
        if block.boilerplate:
            out.append("<!-- boilerplate -->")
        out.append(block_markdown(block))
    while page < review.pages:
        page += 1
        out.append(f"<!-- page {page} -->")
    return "\n\n".join(out) + "\n"
