"""The data types every stage exchanges, in one place.

Internal records are frozen dataclasses; validation of outside input (config, coding sheets, model
cards) lives with the module that reads it. Stages pass these records, never loose dicts or
DataFrames with implicit columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class SectionKind(StrEnum):
    """What part of a review a heading opens. Downstream, every sentence carries one."""

    FRONT_MATTER = "front_matter"
    INTRODUCTION = "introduction"
    TERMS_OF_REFERENCE = "terms_of_reference"
    BACKGROUND = "background"
    CHRONOLOGY = "chronology"
    FINDINGS = "findings"
    GOOD_PRACTICE = "good_practice"
    RECOMMENDATIONS = "recommendations"
    GLOSSARY = "glossary"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Theme:
    """One row of the codebook.

    `keywords` drive the keyword baseline and the cue matcher; `denominator` says which reviews
    count towards the theme's prevalence: "all", or "age:LO-HI" (reviews whose child's age is
    known and within LO..HI, plus reviews where the age is unknown).
    """

    id: str
    label: str
    description: str
    keywords: tuple[str, ...] = ()
    denominator: str = "all"


@dataclass(frozen=True, slots=True)
class Codebook:
    """The ordered theme list; its order is the column order of every output."""

    themes: tuple[Theme, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def get(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)

    @property
    def sha256(self) -> str:
        """A hash of everything that changes what a model means: ids, descriptions, keywords."""
        h = hashlib.sha256()
        for t in self.themes:
            h.update("\x1f".join([t.id, t.label, t.description, ";".join(t.keywords), t.denominator]).encode())
            h.update(b"\x1e")
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Block:
    """A heading or a paragraph of clean body text, with where it came from.

    `page` is 1-based (the page the block starts on). `para_id` is a numbered paragraph id such as
    "4.12" when the review numbers its paragraphs. `level` is the heading level (1 = top), 0 for
    paragraphs.
    """

    kind: str  # "heading" | "paragraph"
    text: str
    page: int
    section: SectionKind = SectionKind.OTHER
    para_id: str | None = None
    level: int = 0


@dataclass(frozen=True, slots=True)
class ReviewMeta:
    """What the cover and first pages state. Every field is None when not stated: never guessed."""

    title: str | None = None
    partnership: str | None = None
    year: int | None = None
    month: int | None = None
    review_type: str | None = None  # LCSPR, SCR, CPR, rapid_review, national, thematic
    child: str | None = None  # pseudonym(s), "; "-joined
    incident: str | None = None  # death | serious_harm
    child_age: float | None = None  # years; 0.25 for a 3-month-old baby

    @staticmethod
    def columns() -> tuple[str, ...]:
        return ("title", "partnership", "year", "month", "review_type", "child", "incident", "child_age")


@dataclass(frozen=True, slots=True)
class ExtractedReview:
    """A review PDF turned into clean, sectioned text.

    `review_id` is the path relative to the input folder without ".pdf"; `file` the relative path.
    `textless_pages` lists 1-based pages with no text layer (likely scanned).
    """

    review_id: str
    file: str
    sha256: str
    pages: int
    blocks: tuple[Block, ...]
    meta: ReviewMeta = field(default_factory=ReviewMeta)
    textless_pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)


@dataclass(frozen=True, slots=True)
class ExtractFailure:
    """A file that could not be processed, with a reason a person understands.

    `status` is "failed", or "duplicate" for a file identical to another file of the same run (it is
    processed once, under the other name, and not counted twice)."""

    review_id: str
    file: str
    sha256: str
    reason: str
    pages: int = 0
    status: str = "failed"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a review's body text, as the classifier sees it.

    `text` is the sentence as printed (for evidence); `norm` the lower-cased lemmatised form with
    context prefixes ("neg_", "hyp_", "gen_", "oth_") that the classifier reads; `tags` the theme cue
    and context flags found in it ("cue:neglect", "cue:neglect:neg", "ctx:hyp").
    """

    review_id: str
    index: int
    page: int
    section: SectionKind
    text: str
    norm: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that supports a theme flag."""

    review_id: str
    theme: str
    page: int
    section: SectionKind
    score: float
    text: str


@dataclass(frozen=True, slots=True)
class ReviewPrediction:
    """A review's score in [0, 1] and 0/1 flag per theme, with the evidence behind each flag."""

    review_id: str
    scores: dict[str, float]
    flags: dict[str, int]
    evidence: tuple[Evidence, ...] = ()
