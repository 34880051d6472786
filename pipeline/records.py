"""The data types every stage exchanges, in one place.

Internal records are frozen dataclasses; validation of outside input (config, coding sheets, model
cards) lives with the module that reads it. Stages pass these records, never loose dicts or
DataFrames with implicit columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


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
    paragraphs. `bullet` marks a list item (its bullet glyph removed). `boilerplate` marks statutory
    text every review carries (the purpose of reviews, the criteria for holding one): it mentions
    "abuse or neglect" in every report, so theme counts should discount it.
    """

    kind: str  # "heading" | "paragraph"
    text: str
    page: int
    section: SectionKind = SectionKind.OTHER
    para_id: str | None = None
    level: int = 0
    bullet: bool = False
    boilerplate: bool = False

    def changed(
        self, *, section: SectionKind | None = None, level: int | None = None, boilerplate: bool | None = None
    ) -> Block:
        """A copy with the fields extraction sets later changed: `dataclasses.replace`, without its
        per-call field inspection (it runs once per block of every review)."""
        return Block(
            self.kind, self.text, self.page, self.section if section is None else section, self.para_id,
            self.level if level is None else level, self.bullet, self.boilerplate if boilerplate is None else boilerplate,
        )


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
    `textless_pages` lists 1-based pages with no text layer (likely scanned). `warnings` say what
    extraction noticed but could work around (unmapped glyphs, pages left unread).
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
    and context flags found in it ("cue:neglect", "cue:neglect:neg", "ctx:hyp"). `boilerplate` is
    inherited from the block: statutory text every review carries, which is never scored.
    """

    review_id: str
    index: int
    page: int
    section: SectionKind
    text: str
    norm: str = ""
    tags: tuple[str, ...] = ()
    boilerplate: bool = False


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


@dataclass(frozen=True, slots=True)
class ErrorRates:
    """How often a theme model is right, as measured on coded reviews (copied from its model card).

    `sensitivity` is the true-positive rate (TPR) and `specificity` the true-negative rate (so the
    false-positive rate is 1 - specificity); `support` and `negatives` are how many coded positive and
    negative reviews they were measured on. `reliable` is False when the card says there were too few
    coded reviews; `warning` says why. Either rate is None when the card has no measured figure.
    """

    theme: str
    sensitivity: float | None
    specificity: float | None
    support: int = 0
    negatives: int = 0
    reliable: bool = True
    warning: str = ""


@dataclass(frozen=True, slots=True)
class AdjustedEstimate:
    """A misclassification-adjusted prevalence (percent) with its 95% bootstrap interval.

    `percent`, `ci_low` and `ci_high` are None when no adjustment is possible or meaningful; `note`
    then says why. `reliable` is "yes", "no" or "" (no error rates at all).
    """

    percent: float | None
    ci_low: float | None
    ci_high: float | None
    reliable: str
    note: str


@dataclass(frozen=True, slots=True)
class PrevalenceRow:
    """One theme's prevalence: the raw count with its Wilson 95% interval (percent), and the
    misclassification-adjusted estimate with the error rates it used."""

    theme: str
    label: str
    denominator: str
    reviews: int
    flagged: int
    percent: float
    ci_low: float
    ci_high: float
    adjusted_percent: float | None = None
    adjusted_ci_low: float | None = None
    adjusted_ci_high: float | None = None
    sensitivity: float | None = None
    specificity: float | None = None
    reliable: str = ""
    note: str = ""
    error_rates_from: str = ""


@dataclass(frozen=True, slots=True)
class GroupPrevalenceRow:
    """One theme's raw prevalence within one group of a breakdown (e.g. field "year", group "2023")."""

    field: str
    group: str
    theme: str
    label: str
    reviews: int
    flagged: int
    percent: float | None  # None (blank) when no review of the group counts for the theme
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class CooccurrenceRow:
    """How many of `reviews` reviews were flagged for both themes of a pair."""

    theme_a: str
    theme_b: str
    reviews: int
    both: int
    percent: float


@dataclass(frozen=True, slots=True)
class TrioRow:
    """One line of the toxic-trio table: a combination of domestic abuse, parental mental health and
    parental substance misuse (1 present / 0 absent; None on the summary lines "any", "two or more",
    "all three") and how many of `reviews` reviews had it, with a Wilson 95% interval in percent."""

    combination: str
    domestic_abuse: int | None
    parental_mental_health: int | None
    parental_substance_misuse: int | None
    reviews: int
    count: int
    percent: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class RunReview:
    """One row of a run's reviews.csv: an input file, whether it was processed, and its metadata."""

    review_id: str
    file: str
    status: str
    reason: str
    pages: int | None
    meta: ReviewMeta = field(default_factory=ReviewMeta)
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class RunFolder:
    """A finished run's output folder read back: what the tables, the code sheets and the audit use.

    `flags` and `scores` map review_id -> theme -> value for the reviews processed; `evidence` holds
    every row of evidence.csv; `info` is run.json as written; `rates` maps theme -> `ErrorRates`
    (empty when the model has no measured figures, e.g. the keyword baseline). `thresholds` are the
    ones the model flagged with and `thresholds_source` says where they came from ("run.json",
    "model card <folder>", or why 0.5 was used); `card` is the model card when its folder could be
    found (None for the keyword baseline or a model folder that has moved); `notes` say what the
    reader had to make do with.
    """

    folder: Path
    codebook: Codebook
    reviews: tuple[RunReview, ...]
    flags: dict[str, dict[str, int]]
    scores: dict[str, dict[str, float]]
    evidence: tuple[Evidence, ...]
    info: dict[str, Any]
    rates: dict[str, ErrorRates]
    error_rates_from: str = ""
    breakdowns: tuple[str, ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)
    thresholds_source: str = ""
    card: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()

    @property
    def model_id(self) -> str:
        return str(self.info.get("model_id", ""))

    @property
    def pdf_dir(self) -> Path | None:
        """The PDF folder the run read (the reviews' `file` paths are relative to it)."""
        value = self.info.get("pdf_dir")
        return Path(value) if value else None

    @property
    def files(self) -> dict[str, str]:
        """review_id -> file (relative to the PDF folder) of the reviews processed ok."""
        return {r.review_id: r.file for r in self.reviews if r.status == "ok"}

    @property
    def file_sha256(self) -> dict[str, str]:
        """review_id -> the PDF's sha256 of the reviews processed ok."""
        return {r.review_id: r.sha256 for r in self.reviews if r.status == "ok"}


@dataclass(frozen=True, slots=True)
class Tables:
    """The publishable tables of one run, built from a `RunFolder`."""

    prevalence: tuple[PrevalenceRow, ...]
    breakdowns: dict[str, tuple[GroupPrevalenceRow, ...]]
    cooccurrence: tuple[CooccurrenceRow, ...]
    toxic_trio: tuple[TrioRow, ...]

# --- The analyst's coding loop (code sheets, agreement, model folders) -------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What a run's model said about one theme of one review, shown beside the analyst's code.

    `evidence` is the top evidence sentence as "p. N: text" (empty when the theme was not flagged).
    """

    flag: int
    score: float
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One review on a code sheet: where it is, how it was picked and the model's suggestions.

    `file` is relative to the run's PDF folder (as in reviews.csv); `picked_by` is "uncertain",
    "random" or "all"; `reason` says why an uncertainty pick was chosen (for the console, not the sheet).
    """

    file: str
    review_id: str
    picked_by: str
    suggestions: dict[str, Suggestion]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ThemeAgreement:
    """Agreement of two coders on one theme over the reviews both coded.

    `kappa` is Cohen's kappa (None when undefined: too few pairs, or both coders gave one value
    throughout); `agreement` the raw share of equal codes; `n` the number of double-coded pairs.
    """

    theme: str
    n: int
    agreement: float | None
    kappa: float | None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The headline facts of a model folder (for `models list`)."""

    folder: str
    model_id: str
    created: str
    reviews: int | None
    cv_macro_f1: float | None
    unreliable: tuple[str, ...]
    themes: int = 0
    in_use: bool = False
    problem: str = ""  # why the card could not be read ("" for a readable one)
    calibrated_from: str = ""  # the base model's id when the thresholds were re-chosen (`calibrate`)


@dataclass(frozen=True, slots=True)
class ThemeComparison:
    """Two models' metrics on one theme over the same coded reviews, and the verdict for B vs A."""

    theme: str
    a: dict[str, float | int]
    b: dict[str, float | int]
    verdict: str  # "better" | "worse" | "same"
