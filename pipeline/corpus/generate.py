"""Deterministic generator of coded review documents from a wording bank.

Consumes a loaded `Bank`, the codebook's theme ids, a seed and an index. Produces a
`GeneratedReview`: the document (cover lines, layout hints and blocks of headings, paragraphs,
bullets and tables), its metadata, the set of themes present (the review's codes) and a
sentence-level record of where every theme, and every hard negative, is expressed.

Every choice is drawn from one `random.Random` seeded by (seed, index), so review i is the same
whatever else is generated, and no global random state is touched. Raises `CorpusError` when the
bank lacks what a document needs.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeline.corpus import frames
from pipeline.corpus.facts import (FactSheet, case_agencies, child_age_fitted, chronology_stage, condition_fits, prune_alternations,
                                    decide_condition, decide_household, decide_siblings, household_fits)
from pipeline.corpus.banks import POSITIVE_KINDS, Bank, Entry, ThemeBank, capitalise_first, expand
from pipeline.corpus.themes import (
    band_allows,
    close_implications,
    sample_band,
    sample_themes,
)

DOC_KINDS: tuple[str, ...] = ("lcspr", "scr_overview", "scr_summary", "cpr", "briefing", "thematic")
KIND_WEIGHTS: dict[str, float] = {
    "lcspr": 0.37, "scr_overview": 0.13, "scr_summary": 0.10, "cpr": 0.11, "briefing": 0.20, "thematic": 0.09,
}
SHORT_KINDS: frozenset[str] = frozenset({"briefing", "scr_summary"})
REVIEW_TYPE: dict[str, str] = {
    "lcspr": "LCSPR", "scr_overview": "SCR", "scr_summary": "SCR", "cpr": "CPR", "briefing": "rapid_review",
    "thematic": "thematic",
}
ERA: dict[str, str] = {
    "lcspr": "modern", "scr_overview": "scr", "scr_summary": "scr", "cpr": "wales", "briefing": "modern",
    "thematic": "modern",
}
PUBLISHED: dict[str, tuple[int, int]] = {
    "lcspr": (2019, 2026), "scr_overview": (2010, 2018), "scr_summary": (2010, 2018), "cpr": (2013, 2026),
    "briefing": (2019, 2026), "thematic": (2020, 2026),
}
WORDS: dict[str, tuple[int, int]] = {
    "lcspr": (2450, 4700), "scr_overview": (2600, 4800), "scr_summary": (1300, 2200), "cpr": (2300, 3700),
    "briefing": (600, 1100), "thematic": (2800, 4800),
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")

# Where each sentence kind goes: section -> weight.
PLACEMENT: dict[str, dict[str, float]] = {
    "present": {"background": 0.3, "chronology": 0.45, "findings": 0.25},
    "present_missed": {"chronology": 0.35, "findings": 0.65},
    "negated": {"background": 0.5, "findings": 0.5},
    "ruled_out": {"background": 0.25, "chronology": 0.35, "findings": 0.4},
    "hypothetical": {"terms_of_reference": 0.75, "findings": 0.25},
    "generic": {"findings": 0.85, "introduction": 0.15},
    "recommendation": {"recommendations": 1.0},
    "other_subject": {"background": 0.7, "chronology": 0.3},
}
NEGATIVE_WEIGHTS: dict[str, float] = {
    "negated": 0.24, "ruled_out": 0.2, "hypothetical": 0.16, "generic": 0.14, "recommendation": 0.11,
    "other_subject": 0.15,
}
# A hypothetical entry that reads as a terms-of-reference question (usable for present themes too).
_TOR_QUESTION = re.compile(r"\?$|^(Key line|KLOE|The (review|panel|terms of reference)\b[^.]*\b(asked|considered|examined|explored|was asked)\b)", re.I)

# Era of structure wording: entries naming one era are kept out of documents of another era.
_ERA_PATTERNS: dict[str, re.Pattern[str]] = {
    "scr": re.compile(r"\bLSCBs?\b|Local Safeguarding Children Board|Serious Case Review|\bSCRs?\b|\bIMRs?\b|"
                      r"Individual Management Review|Regulation 5|\bPCT\b|Ofsted and the Department|"
                      r"Working Together( to Safeguard Children)? \((2006|2010|2013|2015)\)"),
    "wales": re.compile(r"\bWales\b|\bWelsh\b|Child Practice Review|Regional Safeguarding|Diolch|Flying Start|"
                        r"health board|section 76|Well-being \(Wales\)|Llangrannog|\bUrdd\b|Eisteddfod|Cylch Meithrin|"
                        r"chapel choir|Information, Advice and Assistance|care and support plan"),
    "modern": re.compile(r"\bPartnership\b|safeguarding partners|[Rr]apid [Rr]eview|national Panel|"
                         r"Child Safeguarding Practice Review Panel|Local Child Safeguarding Practice Review|"
                         r"\bLCSPRs?\b|[Ii]ntegrated [Cc]are [Bb]oard|\bICB\b|Working Together( to Safeguard Children)? \((2018|2023)\)|"
                         r"[Ff]amily [Hh]ub|\bLSCP\b"),
}
_BOARD = re.compile(r"\bBoards?\b")

_GIRLS = frozenset({"Amira", "Isla", "Ava", "Ffion", "Seren", "Sasha"})
_BOYS = frozenset({"Arlo", "Theo", "Zayn", "Rhys", "Cai", "Kai", "Jude"})
_WELSH = frozenset({"Eirian", "Cai", "Ffion", "Rhys", "Seren"})
_LETTERS = "ABCDEFGHJKLMNPRSTVWXYZ"


@lru_cache(maxsize=65536)
def entry_eras(text: str) -> frozenset[str]:
    """The eras a text names ("modern", "scr", "wales"); empty when it fits any era."""
    eras = {era for era, pat in _ERA_PATTERNS.items() if pat.search(text)}
    if not eras and _BOARD.search(text):
        eras = {"scr", "wales"}
    return frozenset(eras)


_TEEN_WORDS = re.compile(
    r"\bYear (7|8|9|10|11|12|13)\b|GCSE|secondary|college|sixth form|\bmocks?\b|Key Stage [34]|Saturday job|"
    r"paper round|\bprom\b|leavers|teenage|teenager|girlfriend|boyfriend|apprentice|Duke of Edinburgh|"
    r"eleven-plus|induction day|transition days|options|HPV|social media|work experience|revision|"
    r"driving lessons|youth club|part-time job|exams?\b", re.I)
_PRIMARY_WORDS = re.compile(
    r"Reception|\bYear [1-6]\b|SATs|phonics|Key Stage [12]|junior|infant class|infant school|nativity|Beavers|"
    r"Brownies|\bCubs\b|class teacher|school council|after-school club|Eisteddfod|mini-rugby|\bUrdd\b|"
    r"cycling proficiency|Bikeability|sports day|learned to ride a bike|Fireman Sam|Gruffalo|Peppa Pig|"
    r"dinosaurs|trains\b|Lego", re.I)
_SCHOOL_AGE_WORDS = re.compile(
    r"\{school\}|\bschool\b|teacher|pupil|classmates|parents' evening|homework|friends|\bclub\b|lessons|"
    r"fluent|Minecraft|gaming|horse riding|chess|\bvet\b|reading|\bbike\b|popular|polite|determined|"
    r"makes? friends|\bteam\b|choir|football|rugby|netball|swimming|gymnastics|climbing|comedy|sporty|"
    r"bookish|a joker|artistic|theatre|drama|piano|guitar|karate|dance|scrapbook|wildlife|singing|"
    r"independent|never stopped talking|kitchen|caravan|fishing|seaside|optic|sight test|vision|glasses|"
    r"trip\b|residential|tonsils|verruca|hay fever|camp\b|wedding|funeral|in charge|games|"
    r"certificate|award|badge|wants to be|end-of-year report|volunteering|keen to learn|named after|"
    r"half term|Easter holidays", re.I)
_TODDLER_WORDS = re.compile(
    r"12-month|18-month|one-year|1-year|two years|two-year|2-year|two-and-a-half|27-month|MMR|booster|crèche|"
    r"creche|nursery|childminder|playgroup|Flying Start childcare|Cylch Meithrin|potty|toddler|preschool|"
    r"pre-school|named (it|him|her|the)|walking|talking|first words|Peppa Pig|Fireman Sam|Gruffalo|"
    r"toy tractor|birthday|nasal flu|dental check|dentist|ASQ|developmental check|sand tray|funded childcare|"
    r"nursery place|teaching \{child\}|to read|taught", re.I)
_YOUNG_WORDS = re.compile(
    r"midwi|antenatal|booking|28-week|36-week|\bscan\b|primary immunisations|breastfe|Sure Start|new birth|newborn|\bbaby\b|weaning|nursery|crèche|creche|Flying Start|Cylch Meithrin|childminder|"
    r"toddler|potty|rhyme time|stay and play|baby massage|red book|Personal Child Health Record|"
    r"growth plotted|weighed|Apgar|was born|born at|gave birth|maternity|postnatal|six-week|eight-week|"
    r"one-year|nine-month|two-year|2-year|two-and-a-half|ASQ|preschool|pre-school|developmental check|"
    r"children's centre|bath time|being held|toy tractor|MMR|\bcot\b|bottle|feeds?\b|health visit|"
    r"nursery nurse|well-baby|baby clinic|child health clinic", re.I)
_PRENATAL = re.compile(r"booking|antenatal|pregnan|\bscan\b|gave birth|was born|born at|Apgar|labour|"
                       r"caesarean|before {child} was born|midwife|at \d\d weeks|gestation", re.I)
_SIBLING_BIRTH = re.compile(r"\{sibling\} was born|birth of \{sibling\}|having \{sibling\}|\{sibling\}'s birth|"
                            r"\{mother\} was pregnant|pregnant with", re.I)
_NEWBORN = re.compile(r"new birth|newborn|discharged from the maternity|maternity unit|six-week|eight-week|"
                      r"postnatal|six-to-eight-week|6-8 week|hearing screen|blood spot", re.I)
_ALL_BANDS = frozenset({"infant", "toddler", "school", "teen"})
_SIBLING_CLAUSE = re.compile(r"\{sibling\}[^,.;]*|\{mother\}[^,.;]*(college|course|apprentice|secondary)[^,.;]*|"
                             r"\{father\}[^,.;]*(team|club|runner|angler|cyclist)[^,.;]*|parents are both[^,.;]*")


@lru_cache(maxsize=65536)
def neutral_bands(text: str) -> frozenset[str]:
    """Age bands a neutral (untagged) structure text plausibly fits, judged from its vocabulary.
    What a clause says about a sibling or a parent does not bind the child."""
    words = _SIBLING_CLAUSE.sub("", text)
    if _TEEN_WORDS.search(words):
        return frozenset({"teen"})
    if _PRIMARY_WORDS.search(words):
        return frozenset({"school"})
    school_age = bool(_SCHOOL_AGE_WORDS.search(words))
    young = bool(_YOUNG_WORDS.search(words))
    toddler = bool(_TODDLER_WORDS.search(words))
    if school_age and young:
        return frozenset()
    if school_age:
        return frozenset({"school", "teen"})
    if toddler:
        if re.search(r"birthday|dental|dentist|to read|taught|teaching", words):
            return frozenset({"toddler", "school", "teen"})
        return frozenset({"toddler"})
    if young:
        return frozenset({"infant", "toddler"})
    return _ALL_BANDS


_ALT_GROUP = re.compile(r"\[([^\[\]]*)\]")


# School stages imply an age: (pattern, windows of (youngest, oldest) in whole years).
_STAGE_AGES: tuple[tuple[re.Pattern[str], tuple[tuple[int, int], ...]], ...] = (
    (re.compile(r"Reception|school entry|started school|infant class|phonics", re.I), ((4, 6),)),
    (re.compile(r"started at \{school\}|settled (well|quickly)", re.I), ((4, 5), (10, 11))),
    (re.compile(r"Key Stage 2|junior department|Year 3\b|junior school", re.I), ((7, 8),)),
    (re.compile(r"Year 7|induction day|transition days|secondary transfer|moved on to \{school\}", re.I), ((10, 12),)),
    (re.compile(r"Year 6|SATs|eleven-plus|entrance test", re.I), ((10, 11),)),
    (re.compile(r"Year 8", re.I), ((12, 13),)),
    (re.compile(r"Year 9|options", re.I), ((13, 14),)),
    (re.compile(r"Year 10|Saturday job|paper round|work experience|Duke of Edinburgh", re.I), ((14, 17),)),
    (re.compile(r"Year 11|GCSE|\bprom\b|leavers|mocks?\b", re.I), ((15, 16),)),
    (re.compile(r"college|sixth form|Year 1[23]\b|apprentice|university|driving", re.I), ((16, 17),)),
)
# Events tied to a time of year: the months they can fall in.
_SEASONS: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = (
    (re.compile(r"sports day|summer term|summer holidays|residential|leavers|\bprom\b|end-of-year", re.I), frozenset({6, 7})),
    (re.compile(r"nativity|Christmas", re.I), frozenset({12})),
    (re.compile(r"Easter", re.I), frozenset({3, 4})),
    (re.compile(r"October half term|half-term", re.I), frozenset({10, 2, 5})),
    (re.compile(r"autumn term|start of Year|started at \{school\}|moved up|secondary transfer|new class", re.I),
     frozenset({9})),
    (re.compile(r"spring term", re.I), frozenset({1, 2, 3})),
    (re.compile(r"SATs|GCSE|exams", re.I), frozenset({5, 6})),
)


def _stage_windows(text: str) -> list[tuple[int, int]]:
    words = _SIBLING_CLAUSE.sub("", text)
    for pat, windows in _STAGE_AGES:
        if pat.search(words):
            return list(windows)
    return []


def _stage_fits(text: str, age: int | None) -> bool:
    """A school-stage sentence fits a child who reached that stage within the review period (up to
    about three years before the incident)."""
    if age is None:
        return True
    windows = _stage_windows(text)
    return not windows or any(lo <= age and age - 3 <= hi for lo, hi in windows)


@lru_cache(maxsize=65536)
def age_fitted(text: str, band: str, age: int | None = None) -> str | None:
    """`text` with the alternation options that do not fit `band` (and, when given, the child's age
    in whole years) removed; None when the sentence cannot fit (its fixed words, or every option of
    some alternation, belong to other ages)."""
    fixed = _ALT_GROUP.sub(" ", text)
    if band not in neutral_bands(fixed) or not _stage_fits(fixed, age):
        return None
    return prune_alternations(text, _ALT_GROUP, lambda _m, o: band in neutral_bands(o) and _stage_fits(o, age))


@lru_cache(maxsize=65536)
def _stage_fitted(text: str, age: int | None) -> str | None:
    """`text` without the alternation options naming a school stage the child had not reached in the
    review period ("Year 8" for a seven-year-old); None when its fixed words name one."""
    if age is None:
        return text
    if not _stage_fits(_ALT_GROUP.sub(" ", text), age):
        return None
    ok = True

    def keep(m: re.Match[str]) -> str:
        nonlocal ok
        before = _ALT_GROUP.sub(" ", text[max(0, m.start() - 12):m.start()])  # "Year [8|9]"
        fitting = [o for o in m.group(1).split("|") if _stage_fits(before + o, age)]
        ok = ok and bool(fitting)
        return "[" + "|".join(fitting) + "]" if fitting else m.group(0)

    out = _ALT_GROUP.sub(keep, text)
    return out if ok else None


_PANDEMIC = re.compile(r"pandemic|lockdown|Covid|COVID|coronavirus|virtual contacts|video call|remote working|"
                       r"restrictions", re.I)


def fits_years(text: str, start: date, end: date) -> bool:
    """Pandemic-era sentences only for review periods that include 2020-2021."""
    return not _PANDEMIC.search(text) or (start.year <= 2021 and end.year >= 2020)


_KIND_ONLY: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"this briefing|through this briefing|rather than a full|briefing is intended", re.I), frozenset({"briefing"})),
    (re.compile(r"overview report|this (overview|report) has been written", re.I),
     frozenset({"scr_overview", "scr_summary", "cpr", "lcspr", "thematic"})),
    (re.compile(r"executive summary", re.I), frozenset({"scr_overview", "scr_summary"})),
    (re.compile(r"concise|extended (review|Child Practice)", re.I), frozenset({"cpr"})),
)


def fits_kind(text: str, kind: str) -> bool:
    """Boilerplate that names a document kind ("this briefing", "the overview report") only in that kind."""
    return all(kind in kinds for pat, kinds in _KIND_ONLY if pat.search(text))


def fits_era(entry: Entry, era: str) -> bool:
    eras = entry_eras(entry.text)
    return not eras or era in eras


# --------------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class SentenceRecord:
    """Where a theme (or a hard negative, or boilerplate) is expressed in a review.

    `label` is 1 for present and present_missed, else 0; `theme` is empty for boilerplate;
    `template` is the bank entry the text was expanded from.
    """

    section: str
    theme: str
    kind: str
    label: int
    text: str
    template: str


@dataclass(frozen=True, slots=True)
class DocBlock:
    """One block of a review text: "h1", "h2", "paragraph", "bullet", "table" (rows; first is the header)."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    section: str = "other"


@dataclass(frozen=True, slots=True)
class Child:
    """One child of a review: pseudonym, sex, age band and age, what happened, and the themes present."""

    pseudonym: str
    sex: str  # "boy" | "girl"
    band: str
    age_years: float
    age_text: str
    incident: str  # "death" | "serious_harm"
    incident_date: date


@dataclass
class GeneratedReview:
    """A generated review: its document, metadata, codes and sentence record."""

    stem: str
    bank: str
    kind: str
    review_type: str
    year: int
    month: int
    partnership: str
    area: str
    reviewer: str
    title: str
    children: list[Child]
    themes: set[str]
    layout: dict[str, object]
    cover: list[str]
    contents: bool
    blocks: list[DocBlock] = field(default_factory=list)
    sentences: list[SentenceRecord] = field(default_factory=list)
    units: list[tuple[str, str, str]] = field(default_factory=list)  # (category, template, text)
    facts: list[FactSheet] = field(default_factory=list)  # per child, in the order of `children`
    people: list[dict[str, str]] = field(default_factory=list)  # per child: how the review names each person

    @property
    def incident(self) -> str:
        kinds = {c.incident for c in self.children}
        return kinds.pop() if len(kinds) == 1 else ""

    @property
    def child_age(self) -> str:
        if len(self.children) != 1:
            return ""
        return f"{self.children[0].age_years:g}"

    @property
    def words(self) -> int:
        n = sum(len(line.split()) for line in self.cover)
        for b in self.blocks:
            n += len(b.text.split()) + sum(len(c.split()) for r in b.rows for c in r)
        return n


# --------------------------------------------------------------------------------------------------
# people, places and dates


@dataclass
class _Case:
    """Everything the writer needs about one child: identity, placeholder values, themes, dates."""

    child: Child
    values: dict[str, str]
    present: set[str]
    start: date
    end: date
    born: date
    facts: FactSheet

    @property
    def age_months(self) -> float:
        return self.child.age_years * 12

    def agrees(self, text: str, kind: str = "neutral") -> bool:
        """Whether a sentence about this case agrees with its fact sheet (household, siblings and,
        for sentences that assert something of the child, the child's one condition)."""
        if _FIXED_DATE.search(text) or not household_fits(text, self.facts, self.start):
            return False
        if kind in ("present", "present_missed", "neutral"):
            return condition_fits(text, self.facts.condition)
        return True

    def milestone(self, text: str) -> tuple[date, date] | None:
        """The dates a young child's developmental or health-visiting milestone can fall on, or None."""
        if self.child.band not in ("infant", "toddler"):
            return None
        for pat, lo, hi in _MILESTONES:
            if pat.search(text):
                return self.born + timedelta(days=lo), self.born + timedelta(days=hi)
        return None

    def fits_period(self, text: str) -> bool:
        """Whether an event that is tied to the child's age can fall within the review period."""
        window = self.milestone(text)
        if re.search(r"\{child\}'s [a-z]* ?birthday|\{his\} [a-z]* ?birthday", text) and self.child.age_years < 1:
            return False
        return window is None or (window[0] <= self.end and window[1] >= self.start)

    def timed(self, text: str) -> str | None:
        """`text` with milestone options that cannot fall in the review period dropped (and only one
        milestone option kept, so the date given fits what is said); None when none fits."""
        ok = True

        def keep(m: re.Match[str]) -> str:
            nonlocal ok
            options = m.group(1).split("|")
            if not any(self.milestone(o) for o in options):
                return m.group(0)
            fitting = [o for o in options if self.fits_period(o)]
            timed = [o for o in fitting if self.milestone(o)]
            if timed:
                fitting = [o for o in fitting if not self.milestone(o)] + timed[:1]
            if not fitting:
                ok = False
            return "[" + "|".join(fitting) + "]"

        out = _ALT_GROUP.sub(keep, text)
        if not ok or not self.fits_period(_ALT_GROUP.sub(" ", out)):
            return None
        return out

    def date_for(self, rng: random.Random, text: str) -> date:
        """A date in the review period that suits what `text` says (pregnancy and newborn events of a
        young child fall around the birth, everything else after it)."""
        sibling_born = self.facts.younger_sibling_born
        if sibling_born is not None and ("{sibling}" in text or "pregnan" in text.lower()) and re.search(
                r"\{sibling\} was born|birth of \{sibling\}|\{sibling\}'s birth|having \{sibling\}|new baby", text):
            return max(self.start, sibling_born)
        if sibling_born is not None and self.child.band not in ("infant",) and re.search(r"pregnan", text, re.I):
            return max(self.start, sibling_born - timedelta(days=self_rng_days(rng)))
        window = self.milestone(text)
        if window is not None:
            return _random_date(rng, max(window[0], self.start), min(window[1], self.end))
        if re.search(r"\{child\}'s [a-z]* ?birthday|\{his\} [a-z]* ?birthday", text):
            years = [y for y in range(self.start.year, self.end.year + 1)
                     if self.start <= self.born.replace(year=y, day=min(self.born.day, 28)) <= self.end]
            if years:
                return self.born.replace(year=rng.choice(years), day=min(self.born.day, 28))
        if self.child.band in ("infant", "toddler"):
            if re.search(r"gave birth|was born|born at|Apgar", text):
                return self.born
            if _NEWBORN.search(text):
                return _random_date(rng, self.born + timedelta(days=2), self.born + timedelta(days=60))
            if _PRENATAL.search(text):
                return _random_date(rng, self.born - timedelta(days=180), self.born - timedelta(days=7))
            first, last = max(self.start, self.born + timedelta(days=10)), self.end
        else:
            first, last = self.start, self.end
        for lo, hi in _stage_windows(text):  # a school-stage event happens when the child is that age
            a = max(self.start, _month_add(self.born, 12 * lo + 8))
            b = min(self.end, _month_add(self.born, 12 * (hi + 1) + 7))
            if a < b:
                first, last = a, b
                break
        months = next((m for pat, m in _SEASONS if pat.search(text)), None)
        d = _random_date(rng, first, last)
        for _ in range(40):  # a sports day in July, a nativity play in December
            if months is None or d.month in months:
                break
            d = _random_date(rng, first, last)
        return d


def self_rng_days(rng: random.Random) -> int:
    """Days before a birth that a pregnancy is first mentioned."""
    return rng.randint(60, 200)


_FIXED_DATE = re.compile(r"\b\d\d\.\d\d\.\d\d\b|\[\d\d\.\d\d")  # a hard-coded date cannot fit the case's own dates
# Health-visiting and developmental milestones: (pattern, earliest and latest day of the child's life).
_MILESTONES: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (re.compile(r"new birth|newborn hearing|blood spot", re.I), 10, 16),
    (re.compile(r"six-week|eight-week|6-8 week|six-to-eight|postnatal check", re.I), 40, 62),
    (re.compile(r"primary immunisations", re.I), 56, 120),
    (re.compile(r"weaning", re.I), 120, 215),
    (re.compile(r"nine-month|nine-to-twelve|one-year|1-year|12-month|first birthday", re.I), 270, 400),
    (re.compile(r"\bMMR\b", re.I), 365, 430),
    (re.compile(r"18-month|eighteen-month|first words|started walking|walking at", re.I), 300, 600),
    (re.compile(r"two-year|2-year|two-and-a-half|27-month|\bASQ", re.I), 730, 940),
    (re.compile(r"funded childcare|nursery place|started (at )?nursery|pre-?school|playgroup|potty|toilet training", re.I), 700, 1500),
    (re.compile(r"booster", re.I), 1200, 1500),
    (re.compile(r"baby massage|rhyme time|baby clinic|well-baby|breastfe|bottle feed", re.I), 14, 330),
)
# Things that happen to a family once in a review period: a second house move reads as a contradiction.
_ONCE: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bmoved (to|house|into|in)\b|new (flat|house|address|tenancy)|after the move|rehoused", re.I),
    re.compile(r"birthday", re.I),
    re.compile(r"married|wedding|christening", re.I),
    re.compile(r"got a (dog|puppy|cat)|new puppy", re.I),
    re.compile(r"mosque|temple|church|gurdwara|synagogue|Muslim|Hindu|Sikh|Catholic|Baptist|Christian|Jewish|"
               r"Methodist|Pentecostal|faith", re.I),
    re.compile(r"heritage|came to (England|the UK|Wales|Britain) from|moved to (England|the UK|Wales) from", re.I),
)


def _pronouns(sex: str) -> dict[str, str]:
    if sex == "girl":
        return {"he": "she", "him": "her", "his": "her", "himself": "herself"}
    return {"he": "he", "him": "him", "his": "his", "himself": "himself"}


def _age(rng: random.Random, band: str, numerals: bool) -> tuple[float, str]:
    def num(n: int) -> str:
        return str(n) if numerals or n >= len(NUMBER_WORDS) else NUMBER_WORDS[n]

    if band == "infant":
        if rng.random() < 0.55:
            weeks = rng.randint(3, 30)
            return round(weeks / 52, 2), f"{num(weeks) if weeks < 13 else weeks} weeks"
        months = rng.randint(4, 11)
        return round(months / 12, 2), f"{num(months)} months"
    lo, hi = {"toddler": (1, 4), "school": (5, 11), "teen": (12, 17)}[band]
    years = rng.randint(lo, hi)
    return float(years), num(years)


def _pick_name(rng: random.Random, bank: Bank, band: str, taken: set[str], kind: str) -> str:
    names = [e.text for e in bank.part("cover", "child_names")]

    def ok(n: str) -> bool:
        if n in taken:
            return False
        if n.startswith("Baby"):
            return band in ("infant", "toddler")
        if n.startswith("Young Person"):
            return band == "teen"
        return True

    pool = [n for n in names if ok(n)] or [f"Child {c}" for c in _LETTERS if f"Child {c}" not in taken]
    if kind == "cpr":
        welsh = [n for n in pool if n in _WELSH]
        if welsh and rng.random() < 0.5:
            pool = welsh
    if band == "infant" and rng.random() < 0.6:
        babies = [n for n in pool if n.startswith("Baby")]
        pool = babies or pool
    return rng.choice(pool)


def _sex_for(name: str, rng: random.Random) -> str:
    if name in _GIRLS:
        return "girl"
    if name in _BOYS:
        return "boy"
    return rng.choice(("boy", "girl"))


def _area_of(partnership: str) -> str:
    core = re.sub(r"\b(Local|Regional|Safeguarding|Children'?s?|Board|Partnership|Joint|LSCB|for|City|"
                  r"Tri-borough|in|North|South|East|West)\b", " ", partnership)
    core = re.split(r"\band\b|,", core)[0]
    core = re.sub(r"\s+", " ", core).strip()
    return core or partnership


def _partnership(rng: random.Random, bank: Bank, era: str) -> str:
    names = [e.text for e in bank.part("cover", "partnerships")]
    wales = [n for n in names if entry_eras(n) == {"wales"} or re.search(r"Regional|Cwm|Llan|Nant|Bryn|Glyn|Tre|Pen|Ystrad|Caer|Aber", n)]
    lscb = [n for n in names if re.search(r"\bLSCB\b|Local Safeguarding Children Board|Safeguarding Children Board", n) and n not in wales]
    modern = [n for n in names if n not in wales and n not in lscb]
    places = [e.text for e in bank.part("cover", "places")]
    if era == "wales":
        if wales:
            return rng.choice(wales)
        return f"{rng.choice(places)} Regional Safeguarding Children Board"
    if era == "scr":
        if lscb:
            return rng.choice(lscb)
        base = _area_of(rng.choice(modern or names))
        return f"{base} {rng.choice(('Local Safeguarding Children Board', 'Safeguarding Children Board'))}"
    if modern:
        return rng.choice(modern)
    base = _area_of(rng.choice(names))
    return f"{base} {rng.choice(('Safeguarding Children Partnership', 'Children Safeguarding Partnership'))}"


def _school(rng: random.Random, bank: Bank, band: str) -> str:
    schools = [e.text for e in bank.part("cover", "schools")]
    secondary = re.compile(r"High|College|Academy|School$")
    primary = re.compile(r"Primary|Infant|Junior|Nursery|Academy")
    if band == "teen":
        pool = [s for s in schools if secondary.search(s) and not re.search(r"Primary|Infant|Junior|Nursery", s)]
    elif band in ("infant", "toddler"):
        pool = [s for s in schools if re.search(r"Nursery", s)]
    else:
        pool = [s for s in schools if primary.search(s) and "Nursery School" not in s]
    return rng.choice(pool or schools)


_YOUNGER_SIBLING = re.compile(r"\{sibling\} was born|having \{sibling\}|\{sibling\}'s birth|pregnan|paternity|"
                              r"birth of \{sibling\}|after \{sibling\} was born", re.I)
_OLDER_SIBLING = re.compile(r"\{sibling\}[^.;]*(university|left home|years ahead|years older|secondary|comprehensive|"
                            r"college|GCSE|apprentice|sixth form|started at \{school\}|attends \{school\}|"
                            r"previous school|youth justice|county lines|older)", re.I)


def sibling_fits(text: str, relation: str) -> bool:
    """Whether a sentence about {sibling} fits a younger or older sibling."""
    if "{sibling}" not in text and "pregnan" not in text and "paternity" not in text:
        return True
    if _YOUNGER_SIBLING.search(text):
        return relation == "younger"
    if _OLDER_SIBLING.search(text):
        return relation == "older"
    return True


def _people(rng: random.Random, child: Child, school: str, area: str, style: int,
            facts: FactSheet | None = None) -> dict[str, str]:
    letters = [c for c in _LETTERS if not child.pseudonym.endswith(" " + c)]
    m, f, p = rng.sample(letters, 3)
    name = child.pseudonym
    mother = ("Mother", f"{name}'s mother", f"Ms {m}", "the mother", "Mum")[style]
    father = ("Father", f"{name}'s father", f"Mr {f}", "the father", "Dad")[style]
    partner = rng.choice((f"Mr {p}", "Mother's partner", f"{mother}'s partner" if style in (2,) else "the mother's partner"))
    relation = "older" if child.band in ("infant", "toddler") or rng.random() < 0.5 else "younger"
    if relation == "older":
        sibling = rng.choice(("the older sibling", "Sibling 1", f"{name}'s older " + rng.choice(("brother", "sister")),
                              f"{name}'s " + rng.choice(("brother", "sister"))))
    else:
        sibling = rng.choice(("the younger sibling", "Sibling 2", f"{name}'s younger " + rng.choice(("brother", "sister")),
                              "the baby"))
    if facts is not None and facts.siblings:
        sibling, relation = facts.siblings[0].label, facts.siblings[0].relation
    values = {"child": name, "mother": mother, "father": father, "partner": partner, "sibling": sibling,
              "school": school, "area": area, "age": child.age_text, "_sibling": relation}
    values.update(_pronouns(child.sex))
    return values


def _month_add(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def _random_date(rng: random.Random, start: date, end: date) -> date:
    span = max(1, (end - start).days)
    return start + timedelta(days=rng.randrange(span))


def _date_values(d: date) -> dict[str, str]:
    return {"date": f"{d.day} {MONTHS[d.month - 1]} {d.year}", "month": MONTHS[d.month - 1], "year": str(d.year)}


# --------------------------------------------------------------------------------------------------
# choosing sentences


@dataclass
class _Item:
    """A sentence waiting for its place: a template and, for theme sentences, what it records."""

    entry: Entry
    section: str
    case: _Case
    theme: str = ""  # "" for neutral narrative
    kind: str = "neutral"
    when: date | None = None


_SAFE_LOWER = frozenset("""the a an there this these that those it its practitioners agencies professionals staff no
none neither nobody each every all some several many most one both managers supervision records record good poor
information although while when after before during at in on by over from with without because as since once only
not nothing decisions assessments learning front-line time workloads services children families fathers parents
key contact contacts management case cases other such much more less little few what how where who whether
research national practice professional practitioner agency multi-agency plans planning communication
opportunities opportunity there's""".split())
_PROPER = frozenset("""Working Ofsted Munro Mr Ms Mrs Dr Child Baby Young Mother Father Mum Dad Sibling Welsh English
British Wales England Christmas Easter January February March April May June July August September October November
December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Panel Partnership Board Local Serious Rapid
Operation Section Children's Child's Sure Flying Family Healthy Signs ICON Makaton Lithuania Ghana Bangladesh
Portugal Polish Urdu Arabic Punjabi Somali Romanian Islam Muslim Christian Hindu Sikh Jewish Eid Diwali God
Level Year Key National Department Crown Care Education Mental Social Adult Youth Early Common Team Home Royal
Army Navy Universal Credit Parliament Government Secretary Prime Minister Court Judge I""".split())
AGENCY_NAMES: tuple[str, ...] = ("Health visiting", "GP practice", "Midwifery", "Police", "School", "Hospital trust",
                                 "Ambulance service", "Housing", "School nursing", "Integrated Care Board",
                                 "Dental service", "Education")


def _lower_start(text: str, names: Sequence[str]) -> str | None:
    """`text` ready to follow a lead-in: first letter lower-cased when it starts with a common word,
    unchanged when it starts with a name or an acronym; None when it cannot follow a lead-in."""
    if not text or text[0] in "'\"\u2018\u201c(" or text.rstrip().endswith("?"):
        return None
    first = re.split(r"[\s,;:]", text, maxsplit=1)[0]
    if ":" in text[:30]:
        return None
    if any(n and n[0].isupper() and text.startswith(n) for n in names):
        return text
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    if first.lower() in _SAFE_LOWER or (first[:1].isupper() and first not in _PROPER):
        return text[0].lower() + text[1:]
    return None


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class _Picker:
    """Draws entries without repeating a template within one review (until a list runs out)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.topics: set[int] = set()  # indexes into _ONCE already told in this review

    def _topics(self, text: str) -> set[int]:
        return {i for i, pat in enumerate(_ONCE) if pat.search(text)}

    def pick(self, entries: Sequence[Entry]) -> Entry | None:
        if not entries:
            return None
        new = [e for e in entries if not self._topics(e.text) & self.topics]
        fresh = [e for e in new if e.template not in self.used]
        if not fresh:
            if any(e.template not in self.used for e in entries):
                return None  # what is left tells again something this review has told
            fresh = new  # the list has run out: reuse, as before
        if not fresh:
            return None
        entry = self.rng.choice(fresh)
        self.used.add(entry.template)
        self.topics |= self._topics(entry.text)
        return entry

    def pick_many(self, entries: Sequence[Entry], n: int, reuse: bool = False) -> list[Entry]:
        """Up to n entries not used before in this review (fewer when the list runs out, unless `reuse`)."""
        out = []
        for _ in range(n):
            if not reuse and all(e.template in self.used for e in entries):
                break
            e = self.pick(entries)
            if e is None:
                break
            out.append(e)
        return out


def _theme_items(rng: random.Random, bank: Bank, case: _Case, picker: _Picker, sections: set[str],
                 short: bool, theme_ids: Sequence[str], elsewhere: frozenset[str] = frozenset()) -> list[_Item]:
    """The theme sentences of one child: 2-6 positive ones per present theme (present and missed),
    hard negatives for several absent themes, generic and recommendation mentions of present ones.
    May add themes to `case.present` through entries' `also`."""
    band = case.child.band
    items: list[_Item] = []
    # Themes an `also` entry may newly make present: allowed for this age and drawn once per review.
    addable = {t for t in theme_ids if t not in case.present and band_allows(t, band)
               and all(band_allows(i, band) for i in close_implications({t})) and rng.random() < 0.08}

    relation = case.values.get("_sibling", "older")

    def fitted(e: Entry, kind: str) -> Entry | None:
        """`e` as it fits this case (options giving the child an age not reached dropped), or None."""
        if e.ages:
            if band not in e.ages:
                return None
        elif band not in neutral_bands(_ALT_GROUP.sub(" ", e.text)):
            return None
        if not (sibling_fits(e.text, relation) and fits_years(e.text, case.start, case.end)
                and case.agrees(e.text, kind)):
            return None
        text = _stage_fitted(e.text, int(case.child.age_years) if band in ("school", "teen") else None)
        if text is not None:
            text = child_age_fitted(text, case.age_months)
        if text is not None:
            text = case.timed(text)
        if text is None:
            return None
        return e if text == e.text else Entry(e.template, text, e.ages, e.also)

    def pool_of(tb: ThemeBank, kind: str, allowed: set[str]) -> list[Entry]:
        out = []
        for e in tb.entries(kind):
            if set(e.also) <= allowed:
                f = fitted(e, kind)
                if f is not None:
                    out.append(f)
        return out

    def place(kind: str) -> str | None:
        weights = {s: w for s, w in PLACEMENT[kind].items() if s in sections}
        return _weighted(rng, weights) if weights else None

    def positive(theme: str, n: int) -> None:
        tb = bank.themes.get(theme)
        if tb is None:
            return
        for _ in range(n):
            kind = "present_missed" if rng.random() < 0.27 else "present"
            allowed = case.present | addable
            pool = pool_of(tb, kind, allowed)
            if not pool:
                kind = "present"
                pool = pool_of(tb, kind, allowed)
            entry = picker.pick(pool)
            section = place(kind)
            if entry is None or section is None:
                continue
            items.append(_Item(entry, section, case, theme, kind))
            for extra in entry.also:
                if extra not in case.present:
                    case.present |= close_implications({extra})

    for theme in sorted(case.present):
        positive(theme, rng.randint(2, 3) if short else rng.randint(2, 6))
    # Themes made present by `also` (and what they imply) need at least one positive sentence of their own
    # only if nothing expresses them yet; `also` entries already do, implications may not.
    for _ in range(3):
        expressed = {i.theme for i in items if i.kind in POSITIVE_KINDS}
        expressed |= {a for i in items if i.kind in POSITIVE_KINDS for a in i.entry.also}
        missing = sorted(case.present - expressed)
        if not missing:
            break
        for theme in missing:
            positive(theme, 1 if short else rng.randint(1, 2))
    # A theme no entry can express for this child (none fits the age) is not present after all.
    expressed = {i.theme for i in items if i.kind in POSITIVE_KINDS}
    expressed |= {a for i in items if i.kind in POSITIVE_KINDS for a in i.entry.also}
    case.present &= expressed

    # Hard negatives for absent themes.
    absent = [t for t in theme_ids if t not in case.present and t not in elsewhere and t in bank.themes]
    rng.shuffle(absent)
    n_absent = min(len(absent), rng.randint(2, 4) if short else rng.randint(4, 8))
    kinds_used: set[str] = set()
    negated_themes: list[str] = []
    for theme in absent:
        if len(negated_themes) >= n_absent:
            break
        tb = bank.themes[theme]
        wanted = 1 if short else rng.randint(1, 2)
        got = 0
        for _ in range(wanted + 2):  # a kind may have no entry that fits this child: try another
            if got >= wanted:
                break
            weights = dict(NEGATIVE_WEIGHTS)
            if not band_allows(theme, band):  # no "the baby was not exploited" for a baby
                for k in ("negated", "ruled_out", "hypothetical"):
                    weights.pop(k)
            # Favour kinds this review does not have yet, so every review mixes several.
            for k in kinds_used:
                if k in weights:
                    weights[k] *= 0.5
            weights = {k: w for k, w in weights.items() if place(k) is not None}
            if not weights:
                break
            kind = _weighted(rng, weights)
            pool = pool_of(tb, kind, case.present)
            entry = picker.pick(pool)
            if entry is None:
                continue
            section = place(kind) or "findings"
            if kind == "hypothetical":  # a key line of enquiry goes with the others, a conditional in the analysis
                tor = "terms_of_reference" in sections and _TOR_QUESTION.search(entry.text)
                section = "terms_of_reference" if tor else "findings"
            kinds_used.add(kind)
            items.append(_Item(entry, section, case, theme, kind))
            got += 1
        if got:
            negated_themes.append(theme)

    # Terms of reference: several key lines of enquiry, about present themes and absent ones alike.
    if "terms_of_reference" in sections and not short:
        candidates = sorted(case.present) + [t for t in absent if t not in negated_themes]
        rng.shuffle(candidates)
        asked = 0
        for theme in candidates:
            if asked >= rng.randint(3, 5):
                break
            tb = bank.themes.get(theme)
            if tb is None or (theme not in case.present and not band_allows(theme, band)):
                continue
            pool = [e for e in pool_of(tb, "hypothetical", case.present) if _TOR_QUESTION.search(e.text)]
            entry = picker.pick(pool)
            if entry is not None:
                items.append(_Item(entry, "terms_of_reference", case, theme, "hypothetical"))
                asked += 1

    # Present themes: learning points, recommendations and terms-of-reference questions about them.
    for theme in sorted(case.present):
        tb = bank.themes.get(theme)
        if tb is None:
            continue
        for kind, p in (("recommendation", 0.45), ("generic", 0.3), ("hypothetical", 0.25)):
            if rng.random() >= (p / 2 if short else p):
                continue
            pool = pool_of(tb, kind, case.present)
            if kind == "hypothetical":
                pool = [e for e in pool if _TOR_QUESTION.search(e.text)]
            section = place(kind)
            entry = picker.pick(pool)
            if entry is not None and section is not None:
                items.append(_Item(entry, section, case, theme, kind))
    return items


# --------------------------------------------------------------------------------------------------
# the document writer


class _Writer:
    """Builds the blocks and the sentence record of one review."""

    def __init__(self, rng: random.Random, bank: Bank, era: str, numbering: str, published: date,
                 kind: str = "lcspr") -> None:
        self.rng = rng
        self.kind = kind
        self.published = published
        self.bank = bank
        self.era = era
        self.numbering = numbering  # "decimal" | "flat" | "none"
        self.blocks: list[DocBlock] = []
        self.records: list[SentenceRecord] = []
        self.section_no = 0
        self.para_no = 0
        self.flat_no = 0
        self.picker = _Picker(rng)
        self.units: list[tuple[str, str, str]] = []  # (category, template, text) of every text unit
        self.frames_used: set[str] = set()
        self.h1_dot = rng.random() < 0.85

    # -- headings and numbering
    def h1(self, text: str, section: str, numbered: bool = True) -> None:
        if numbered and self.numbering != "none":
            self.section_no += 1
            self.para_no = 0
            text = f"{self.section_no}. {text}" if self.h1_dot else f"{self.section_no} {text}"
        self.blocks.append(DocBlock("h1", text, section=section))

    def h2(self, text: str, section: str) -> None:
        self.blocks.append(DocBlock("h2", text, section=section))

    def _number(self) -> str:
        if self.numbering == "decimal" and self.section_no:
            self.para_no += 1
            return f"{self.section_no}.{self.para_no} "
        if self.numbering == "flat":
            self.flat_no += 1
            return f"{self.flat_no}. " if self.h1_dot else f"{self.flat_no} "
        return ""

    # -- wording
    def structure(self, part: str, name: str) -> list[Entry]:
        entries = [e for e in self.bank.part(part, name) if fits_era(e, self.era) and fits_kind(e.text, self.kind)]
        return entries or list(self.bank.part(part, name))

    def heading_text(self, key: str, case: _Case) -> str:
        entries = [e for e in self.bank.part("headings", key) if fits_era(e, self.era)] or list(
            self.bank.part("headings", key))
        entry = self.rng.choice(entries)
        return expand(entry.text, self.rng, case.values, sentence=False)

    def _frame(self, text: str, category: str, case: _Case, when: date) -> str:
        """Wrap `text` in one of the bank's variation frames for `category` (or leave it alone)."""
        bank = self.bank.name
        rates = {"analysis": (0.6, 0.38), "statement": (0.3, 0.12), "generic": (0.6, 0.0),
                 "good_practice": (0.45, 0.35), "recommendation": (0.35, 0.6), "background": (0.22, 0.08),
                 "chronology": (0.7, 0.0)}
        p_pre, p_suf = rates.get(category, (0.0, 0.0))
        roll = self.rng.random()
        if self.numbering == "decimal":
            para = f"{self.rng.randint(1, max(1, self.section_no - 1))}.{self.rng.randint(1, 9)}"
        elif self.numbering == "flat":
            para = str(self.rng.randint(1, max(2, self.flat_no - 1)))
        else:
            para = ""
        extra = {"para": para,
                 "deadline": self._deadline(), "agency": self.rng.choice(AGENCY_NAMES)}

        def fill(frame: str) -> str:
            for k, v in extra.items():
                frame = frame.replace("{" + k + "}", v)
            core = expand(frame, self.rng, {**case.values, **_date_values(when)}, sentence=False)
            lead = frame[: len(frame) - len(frame.lstrip())]
            trail = frame[len(frame.rstrip()):]
            return lead + core + trail

        names = [case.values[k] for k in ("child", "mother", "father", "partner", "sibling", "school", "area")]
        if roll < p_pre and category in frames.PREFIX[bank]:
            rest = _lower_start(text, names)
            lead = fill(self._fresh(frames.PREFIX[bank][category]))
            head = {w for w in re.findall(r"[a-z]+", text.lower())[:3]} - {"the", "a", "an", "of", "in", "to"}
            clash = bool(head & (set(re.findall(r"[a-z]+", lead.lower())) | {"review", "reviewer", "panel", "lessons", "learning"})) or any(
                n and n in lead and text.startswith(n) for n in names)
            if rest is not None and not clash:
                return capitalise_first(lead) + rest
            roll = p_pre  # could not lead in: try a suffix instead
        if roll < p_pre + p_suf and category in frames.SUFFIX[bank]:
            options = [f for f in frames.SUFFIX[bank][category] if "{para}" not in f or para]
            if options and text.endswith(".") and not text.endswith("..") and len(text.split()) < 40 and text[-2] not in "')\"":
                return text[:-1] + fill(self._fresh(options)) + "."
        return text

    def _fresh(self, options: Sequence[str]) -> str:
        """One of `options`, preferring those this review has not used yet."""
        unused = [o for o in options if o not in self.frames_used]
        choice = self.rng.choice(unused or list(options))
        self.frames_used.add(choice)
        return choice

    def _deadline(self) -> str:
        d = _month_add(self.published, self.rng.randint(3, 12))
        return f"{MONTHS[d.month - 1]} {d.year}"

    def render(self, item: _Item) -> tuple[str, list[SentenceRecord]]:
        """Expand an item and the records it makes (none for neutral narrative)."""
        case = item.case
        when = item.when or case.date_for(self.rng, item.entry.text)
        text = expand(item.entry.text, self.rng, {**case.values, **_date_values(when)})
        if item.theme:
            category = {"generic": "generic", "recommendation": "recommendation", "hypothetical": ""}.get(item.kind, "statement")
            if item.section == "chronology" and category == "statement":
                category = ""
        else:
            part = item.entry.template.split("/")[1:3]
            category = {"narrative/analysis": "analysis", "good_practice/sentences": "good_practice",
                        "recommendations/sentences": "recommendation", "narrative/background": "background",
                        "narrative/chronology": "chronology"}.get("/".join(part), "")
            if category == "chronology" and (item.when is None or re.search(
                    r"\{(date|month|year)\}|term\b|summer|spring|autumn|winter|Christmas|birthday|lockdown|holiday|"
                    r"^(In|On|At|During|By|After|Before|Over|Later|When)\b", item.entry.text)):
                category = ""
        if category:
            text = self._frame(text, category, case, when)
        self.units.append(("theme" if item.theme else "neutral", item.entry.template, text))
        recs: list[SentenceRecord] = []
        if item.theme:
            label = 1 if item.kind in POSITIVE_KINDS else 0
            recs.append(SentenceRecord(item.section, item.theme, item.kind, label, text, item.entry.template))
            for extra in item.entry.also:
                recs.append(SentenceRecord(item.section, extra, "present", 1, text, item.entry.template))
        return text, recs

    def paragraph(self, items: Sequence[_Item], number: bool = True) -> None:
        parts: list[str] = []
        joinable = False
        for item in items:
            text, recs = self.render(item)
            self.records.extend(recs)
            analysis = not item.theme and ("/narrative/analysis/" in item.entry.template
                                           or "/narrative/background/" in item.entry.template)
            if (joinable and analysis and self.rng.random() < 0.35 and parts[-1].endswith(".")
                    and len(parts[-1].split()) + len(text.split()) < 45):
                rest = _lower_start(text, [item.case.values.get(k, "") for k in ("child", "mother", "father", "partner", "sibling")])
            else:
                rest = None
            if rest is not None:
                joined = parts[-1][:-1] + self.rng.choice(frames.JOIN[self.bank.name]) + rest
                prev = self.units[-2]
                self.units[-2:] = [("neutral", prev[1] + "+" + item.entry.template, joined)]
                parts[-1] = joined
                joinable = False
                continue
            parts.append(text)
            joinable = analysis
        if parts:
            prefix = self._number() if number else ""
            self.blocks.append(DocBlock("paragraph", prefix + " ".join(parts), section=items[0].section))

    def bullets(self, items: Sequence[_Item]) -> None:
        for item in items:
            text, recs = self.render(item)
            self.records.extend(recs)
            self.blocks.append(DocBlock("bullet", text, section=item.section))

    def text(self, text: str, section: str, number: bool = True, bullet: bool = False,
             unit: str | None = "connective", template: str = "") -> None:
        """A block of finished text; `unit` says what it is for the repetition figures (None: the
        text was already recorded by `render`)."""
        if unit is not None:
            self.units.append((unit, template or f"{self.bank.name}/frames/{unit}", text))
        if bullet:
            self.blocks.append(DocBlock("bullet", text, section=section))
        else:
            self.blocks.append(DocBlock("paragraph", (self._number() if number else "") + text, section=section))

    def boilerplate(self, entries: Sequence[Entry], case: _Case, section: str, n: int = 1,
                    record: bool = False) -> None:
        for entry in self.picker.pick_many(entries, n):
            if re.search(r"period|from \{month\}|since \{month\}", entry.text, re.I):
                when = case.start
            else:
                when = _month_add(case.child.incident_date, self.rng.randint(1, 6)).replace(day=self.rng.randint(1, 28))
            text = expand(entry.text, self.rng, {**case.values, **_date_values(when)})
            self.text(text, section, unit="boilerplate", template=entry.template)
            if record:
                self.records.append(SentenceRecord(section, "", "boilerplate", 0, text, entry.template))

    def table(self, rows: list[tuple[str, ...]], section: str) -> None:
        clean = tuple(tuple(c.replace("|", "/") for c in r) for r in rows)
        self.blocks.append(DocBlock("table", rows=clean, section=section))

    def neutral(self, part: str, name: str, case: _Case, section: str, n: int) -> list[_Item]:
        band = case.child.band
        pool = []
        relation = case.values.get("_sibling", "older")
        story = part == "narrative" and name in ("background", "chronology")  # about this family
        for e in self.structure(part, name):
            if band in ("infant", "toddler") and _SIBLING_BIRTH.search(e.text) and "{sibling}" not in e.text:
                continue
            if not sibling_fits(e.text, relation) or not fits_years(e.text, case.start, case.end):
                continue
            if not case.agrees(e.text, "neutral" if story or part == "good_practice" else "analysis"):
                continue
            if name == "chronology" and (not case.fits_period(e.text)
                                         or _agency(e.text) not in case.facts.agencies):
                continue
            fitted = age_fitted(e.text, band, int(case.child.age_years) if band in ("school", "teen") else None)
            if fitted is not None:
                fitted = child_age_fitted(fitted, case.age_months)
            if fitted is not None:
                fitted = case.timed(fitted)
            if fitted is not None:
                pool.append(e if fitted == e.text else Entry(e.template, fitted, e.ages, e.also))
        return [_Item(e, section, case) for e in self.picker.pick_many(pool, n)]


def _chunk(rng: random.Random, items: list[_Item], lo: int = 1, hi: int = 4) -> list[list[_Item]]:
    out: list[list[_Item]] = []
    i = 0
    while i < len(items):
        n = rng.randint(lo, hi)
        out.append(items[i:i + n])
        i += n
    return out


def _interleave(rng: random.Random, neutral: list[_Item], themed: list[_Item]) -> list[_Item]:
    """Theme sentences scattered among neutral ones, neutral order kept."""
    out = list(neutral)
    for item in themed:
        out.insert(rng.randint(0, len(out)), item)
    return out


def _pinned(case: _Case, text: str) -> bool:
    """Whether an event's date is fixed by what it says (a birth, a milestone, a school stage)."""
    return bool(case.milestone(text) or _stage_windows(text) or _PRENATAL.search(text) or _NEWBORN.search(text)
                or _SIBLING_BIRTH.search(text) or any(p.search(text) for p, _ in _SEASONS))


def _assign_dates(rng: random.Random, items: list[_Item]) -> list[_Item]:
    """Chronology items get a date that suits them; returned in strictly ascending date order.

    Theme events whose date nothing fixes tell the story of concern: ordered by stage (a concern
    noticed, referral, assessment, plan, escalation) and dated in that order over the later part of
    the review period, so concerns build toward the incident. Routine events fall where they fit."""
    story: list[_Item] = []
    for item in items:
        if item.theme and not _pinned(item.case, item.entry.text):
            story.append(item)
        else:
            item.when = item.case.date_for(rng, item.entry.text)
    if story:
        case = story[0].case
        first = max(case.start, case.born + timedelta(days=14))
        first = first + (case.end - first) * rng.uniform(0.1, 0.35)
        ranked = sorted(story, key=lambda i: (chronology_stage(i.entry.text), rng.random()))
        dates = sorted(_random_date(rng, first, case.end) for _ in ranked)
        for item, when in zip(ranked, dates):
            item.when = when
    out = sorted(items, key=lambda i: i.when or date.min)
    return _strictly_ascending(out)


def _strictly_ascending(items: list[_Item]) -> list[_Item]:
    """Nudge equal dates apart (a day at a time) so no two events share a date, staying before the
    end of the review period where there is room."""
    for i in range(1, len(items)):
        prev, cur = items[i - 1].when, items[i].when
        if prev is not None and cur is not None and cur <= prev:
            items[i].when = prev + timedelta(days=1)
    for i in range(len(items) - 1, -1, -1):
        cur = items[i].when
        limit = items[i].case.end if i == len(items) - 1 else (items[i + 1].when or items[i].case.end) - timedelta(days=1)
        if cur is not None and cur > limit:
            items[i].when = limit
    return items


_ANALYTIC = re.compile(r"\b(review|reviewer|practitioners|professionals|agencies|no one|nobody|hindsight|"
                       r"learning event|panel|missed opportunit|never|were not|was not recognised)\b", re.I)


def _agency(text: str) -> str:
    rules = (
        (r"health visit", "Health visiting"), (r"midwi", "Midwifery"), (r"\bGP\b|practice nurse|surgery", "GP practice"),
        (r"school nurse", "School nursing"), (r"police|officer|detective", "Police"),
        (r"social work|children's social care|children's services|MASH|strategy", "Children's social care"),
        (r"school|teacher|head ?teacher|class|SENCO|pupil", "School"), (r"nursery|childminder", "Nursery"),
        (r"emergency department|\bED\b|A&E|hospital|paediatric|ward|consultant", "Hospital"),
        (r"ambulance|paramedic", "Ambulance service"), (r"housing|landlord|tenancy", "Housing"),
        (r"dentist|dental", "Dental service"), (r"probation", "Probation"), (r"youth|YOT", "Youth justice"),
        (r"family hub|children's centre|early help", "Family hub"), (r"CAMHS|mental health", "CAMHS"),
    )
    for pat, name in rules:
        if re.search(pat, text, re.I):
            return name
    return "Health"


# --------------------------------------------------------------------------------------------------
# the generator


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate: kinds allowed (None: all, by their weights)."""

    kinds: tuple[str, ...] | None = None


def _new_case(rng: random.Random, bank: Bank, band: str, incident_date: date, kind: str, area: str,
              taken: set[str], theme_ids: Sequence[str], style: int, numerals: bool) -> _Case:
    years, text = _age(rng, band, numerals)
    name = _pick_name(rng, bank, band if years <= 2 or band != "toddler" else "older_toddler", taken, kind)
    taken.add(name)
    sex = _sex_for(name, rng)
    present = sample_themes(rng, band, theme_ids)
    if "unsafe_sleep" in present:
        incident = "death" if rng.random() < 0.9 else "serious_harm"
    elif band == "teen" and ({"criminal_exploitation", "child_mental_health"} & present):
        incident = "death" if rng.random() < 0.45 else "serious_harm"
    elif "physical_abuse" in present:
        incident = "death" if rng.random() < 0.3 else "serious_harm"
    else:
        incident = "death" if rng.random() < 0.4 else "serious_harm"
    child = Child(name, sex, band, years, text, incident, incident_date)
    school = _school(rng, bank, band)
    born = incident_date - timedelta(days=int(years * 365.25))
    if band == "infant":
        start = born - timedelta(days=rng.randint(120, 200))
    else:
        start = _month_add(incident_date, -rng.choice((18, 24, 30, 36)))
    end = incident_date - timedelta(days=3)
    facts = FactSheet(born=born, household=decide_household(rng, set(present)),
                      siblings=decide_siblings(rng, name, years, incident_date, start),
                      condition=decide_condition(rng, band, set(present)),
                      agencies=case_agencies(band, set(present), rng))
    values = _people(rng, child, school, area, style, facts)
    return _Case(child, values, set(present), start, end, born, facts)


def _layout(rng: random.Random, kind: str, partnership: str) -> dict[str, object]:
    short = kind in SHORT_KINDS
    header = rng.choice(["partnership", "OFFICIAL", "OFFICIAL-SENSITIVE", "Final report", "title", "none",
                         "partnership", "OFFICIAL"])
    return {
        "font": rng.choices(["helvetica", "times", "courier", "arial-like"], weights=[45, 35, 5, 15])[0],
        "size": rng.choice([10, 10.5, 11, 11, 11.5, 12]),
        "columns": 2 if rng.random() < (0.35 if kind == "briefing" else 0.12) else 1,
        "header": partnership if header == "partnership" else header,
        "footer": rng.choice(["page_n_of_m", "n", "dash_n_dash", "page_n"]),
        "page": "letter" if rng.random() < 0.2 else "a4",
        "justify": rng.random() < 0.4,
        "cover_page": (not short and rng.random() < 0.7) or (short and rng.random() < 0.2),
        "heading_case": rng.choice(["as_written", "as_written", "upper"]),
        "heading_colour": rng.choice(["black", "black", "navy", "teal", "maroon", "purple"]),
        "table_style": rng.choice(["grid", "lines", "shaded"]),
        "bullet": rng.choice(["•", "•", "•", "–", "▪"]),
        "margin_cm": rng.choice([1.8, 2.0, 2.2, 2.5]),
    }


def generate_review(bank: Bank, theme_ids: Sequence[str], seed: int, index: int,
                    options: GenerateOptions | None = None) -> GeneratedReview:
    """Review number `index` of the corpus for `seed`, worded from `bank`."""
    options = options or GenerateOptions()
    rng = random.Random(f"review-themes/{seed}/{bank.name}/{index}")
    kinds = options.kinds or DOC_KINDS
    kind = rng.choices(list(kinds), weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    era = ERA[kind]
    lo, hi = PUBLISHED[kind]
    pub_year = rng.randint(lo, hi)
    pub_month = rng.randint(1, 12)
    published = date(pub_year, pub_month, 1)
    incident_date = _month_add(published, -rng.randint(6 if kind == "briefing" else 12, 30))
    incident_date = incident_date.replace(day=rng.randint(1, 28))
    partnership = _partnership(rng, bank, era)
    area = _area_of(partnership)
    reviewer = rng.choice([e.text for e in bank.part("cover", "reviewers")])
    style = rng.choices(range(5), weights=[30, 18, 32, 10, 10])[0]
    numerals = rng.random() < 0.5
    taken: set[str] = set()
    if kind == "thematic":
        n_children = rng.randint(2, 4)
        cases = []
        for _ in range(n_children):
            d = _month_add(incident_date, -rng.randint(0, 20)).replace(day=rng.randint(1, 28))
            cases.append(_new_case(rng, bank, sample_band(rng), d, kind, area, taken, theme_ids, style, numerals))
    else:
        cases = [_new_case(rng, bank, sample_band(rng), incident_date, kind, area, taken, theme_ids, style, numerals)]

    numbering = rng.choices(["decimal", "flat", "none"], weights=[55, 30, 15])[0]
    if kind == "briefing":
        numbering = "none"
    w = _Writer(rng, bank, era, numbering, published, kind)
    lo_w, hi_w = WORDS[kind]
    target = rng.randint(lo_w, hi_w)

    builder = {"lcspr": _full_report, "scr_overview": _full_report, "cpr": _welsh_review,
               "scr_summary": _summary_report, "briefing": _briefing, "thematic": _thematic}[kind]
    title, cover, contents = _cover(rng, bank, kind, partnership, reviewer, cases, published)
    builder(w, rng, bank, kind, cases, theme_ids, target)
    themes: set[str] = set()
    for c in cases:
        themes |= c.present
    stem = f"{bank.name}{index:04d}-{kind.replace('_', '-')}-{_slug(cases[0].child.pseudonym) if len(cases) == 1 else 'thematic'}"
    review = GeneratedReview(
        stem=stem, bank=bank.name, kind=kind, review_type=REVIEW_TYPE[kind], year=pub_year, month=pub_month,
        partnership=partnership, area=area, reviewer=reviewer, title=title, children=[c.child for c in cases],
        themes=themes, layout=_layout(rng, kind, partnership), cover=cover, contents=contents,
        blocks=w.blocks, sentences=w.records, units=w.units,
        facts=[c.facts for c in cases], people=[dict(c.values) for c in cases],
    )
    return review


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cover(rng: random.Random, bank: Bank, kind: str, partnership: str, reviewer: str, cases: list[_Case],
           published: date) -> tuple[str, list[str], bool]:
    """Title, cover lines and whether the report has a contents page."""
    names = [c.child.pseudonym for c in cases]
    if kind == "briefing":
        label = rng.choice(frames.BRIEFING_TITLES[bank.name]["label"])
    else:
        label = rng.choice(frames.REVIEW_LABEL[kind])
    c0 = cases[0].child
    if len(names) == 1:
        if rng.random() < 0.5:
            who = f"{names[0]} ({'aged ' if rng.random() < 0.6 else ''}{c0.age_text})"
        else:
            who = names[0] if rng.random() < 0.5 else f"\u201c{names[0]}\u201d"
        title = f"{label}: {names[0]}"
    else:
        who = ", ".join(names[:-1]) + " and " + names[-1]
        title = f"{label}: {who}"
    upper = rng.random() < 0.5
    date_line = rng.choice(("Published: {m} {y}", "Date of publication: {m} {y}", "{m} {y}", "Final version: {m} {y}"))
    date_line = date_line.format(m=MONTHS[published.month - 1], y=published.year)
    author = rng.choice(("Independent reviewer: {r}", "Lead reviewer: {r}", "Author: {r}", "Report author: {r}",
                         "Independent author: {r}")).format(r=reviewer)
    cover = [partnership.upper() if upper else partnership, label.upper() if upper and rng.random() < 0.5 else label, who]
    if kind != "briefing" or rng.random() < 0.4:
        cover.append(author)
    cover.append(date_line)
    contents = kind in ("lcspr", "scr_overview", "thematic", "cpr") and rng.random() < 0.7
    return title, cover, contents


# -- document kinds -----------------------------------------------------------------------------------


def _incident(w: _Writer, bank: Bank, case: _Case, section: str, number: bool = True, bullet: bool = False) -> None:
    """The statement of what happened to the child (the generator's own wording, per bank)."""
    options = frames.INCIDENT[bank.name][case.child.incident]
    i = w.rng.randrange(len(options))
    text = expand(options[i], w.rng, {**case.values, **_date_values(case.child.incident_date)})
    w.text(text, section, number=number, bullet=bullet, unit="incident",
           template=f"{bank.name}/frames/incident_{case.child.incident}/{i + 1}")


def _introduce(bank: str, label: str, role: str, his: str, forms: dict[str, tuple[str, str, str]]) -> str:
    """How the household line names one family member (see frames.HOUSEHOLD_NAMED)."""
    titled, own, other = forms[bank]
    own_role = "'s" in label or role.split("'")[0].split()[-1] in label.lower() or label.lower() in ("mum", "dad")
    form = own if own_role else titled if re.match(r"M(r|s|rs) ", label) else other
    return form.format(his=his, role=role, label=label)


def household_line(bank: str, case: _Case, rng: random.Random) -> str:
    """The sentence saying who is who in the child's household, from the fact sheet."""
    v = case.values
    his = v["his"]
    lead, one, joiner = frames.HOUSEHOLD_SIBLINGS[bank]
    sibs = []
    for sib in case.facts.siblings:
        age = str(sib.age_years) if sib.age_years else "under one"
        if "'s" in sib.label:  # "Child K's sister" already says who she is
            sibs.append(f"{sib.label}, aged {age}")
        else:
            sibs.append(one.format(his=his, relation=sib.relation, word="brother" if sib.sex == "boy" else "sister",
                                   label=sib.label, age=age))
    extra = {
        "born": f"{MONTHS[case.born.month - 1]} {case.born.year}",
        "mother_is": _introduce(bank, v["mother"], "mother", his, frames.HOUSEHOLD_NAMED),
        "father_is": _introduce(bank, v["father"], "father", his, frames.HOUSEHOLD_NAMED),
        "partner_is": _introduce(bank, v["partner"], "mother's partner", his, frames.HOUSEHOLD_NAMED),
        "father_subj": _introduce(bank, v["father"], "father", his, frames.HOUSEHOLD_SUBJECT),
        "partner_subj": _introduce(bank, v["partner"], "mother's partner", his, frames.HOUSEHOLD_SUBJECT),
        "siblings": lead + joiner.join(sibs) if sibs else "",
    }
    extra["father_subj_cap"] = capitalise_first(extra["father_subj"])
    template = rng.choice(frames.HOUSEHOLD[bank][case.facts.household])
    for k, val in extra.items():
        template = template.replace("{" + k + "}", val)
    return expand(template, rng, v)


def _household(w: _Writer, bank: Bank, case: _Case, section: str, number: bool = True, bullet: bool = False) -> None:
    """Write the household line (recorded as narrative for the repetition figures)."""
    text = household_line(bank.name, case, w.rng)
    w.text(text, section, number=number, bullet=bullet, unit="neutral",
           template=f"{bank.name}/frames/household_{case.facts.household}")


def _purpose(w: _Writer, bank: Bank, case: _Case, section: str, n: int = 1) -> None:
    """Statutory purpose boilerplate of the document's era: the bank's own entries that fit the era,
    plus the generator's frames for that era (recorded as boilerplate: they mention "abuse or neglect")."""
    own = [e for e in bank.part("boilerplate", "statutory_purpose") if fits_era(e, w.era)]
    fallback = [Entry(f"{bank.name}/frames/purpose_{w.era}/{i}", t)
                for i, t in enumerate(frames.PURPOSE[bank.name][w.era], 1)]
    pool = own + fallback or list(bank.part("boilerplate", "statutory_purpose"))
    w.boilerplate(pool, case, section, n, record=True)


def _spread(items: list[_Item], section: str) -> list[_Item]:
    return [i for i in items if i.section == section]


def _section_words(items: list[_Item]) -> int:
    return sum(len(i.entry.text.split()) for i in items)


CAPS: dict[str, tuple[int, int]] = {"chronology": (20, 34), "findings": (9, 16), "background": (6, 14)}


def _fill_counts(rng: random.Random, target: int, fixed_words: int, shares: dict[str, float]) -> dict[str, int]:
    """How many neutral sentences each section gets so the document lands near `target` words (the
    chronology, findings and background are capped, as real ones are; half of what is left goes to
    the chronology, whose dated events are particular to the case, rather than to general analysis)."""
    remaining = max(0, target - fixed_words)
    counts = {s: max(1, round(remaining * share / 21)) for s, share in shares.items()}
    spill = 0
    for section, (lo, hi) in CAPS.items():
        if section in counts:
            cap = rng.randint(lo, hi)
            if counts[section] > cap:
                spill += counts[section] - cap
                counts[section] = cap
    if spill and "chronology" in counts:
        counts["chronology"] += spill // 2
    return counts


def _tor(w: _Writer, bank: Bank, case: _Case, items: list[_Item], headed: bool = True) -> None:
    if headed:
        w.h1(w.heading_text("terms_of_reference", case), "terms_of_reference")
    period = w.rng.choice(frames.PERIOD[bank.name]).format(
        start=f"{MONTHS[case.start.month - 1]} {case.start.year}", end=f"{MONTHS[case.end.month - 1]} {case.end.year}")
    w.text(period, "terms_of_reference")
    qs = _spread(items, "terms_of_reference")
    qs = [q for q in qs if q.theme not in case.present] + [q for q in qs if q.theme in case.present]
    qs = qs[: w.rng.randint(4, 7)]
    if qs:
        w.text(w.rng.choice(frames.TOR_LEAD[bank.name]), "terms_of_reference")
        if w.rng.random() < 0.7:
            w.bullets(qs)
        else:
            for q in qs:
                w.paragraph([q])


def _chronology(w: _Writer, case: _Case, items: list[_Item], n_neutral: int, as_table: bool,
                subheads: bool) -> None:
    neutral = w.neutral("narrative", "chronology", case, "chronology", n_neutral)
    if as_table:  # a table row records an event: analytic sentences move to the findings
        for item in _spread(items, "chronology"):
            if _ANALYTIC.search(item.entry.text):
                item.section = "findings"
    seq = _interleave(w.rng, neutral, _spread(items, "chronology"))
    seq = _assign_dates(w.rng, seq)
    if as_table:
        rows: list[tuple[str, ...]] = [tuple(w.rng.choice((("Date", "Agency", "Event"), ("Date", "Agency", "Summary of contact"),
                                                          ("When", "Who", "What happened"))))]
        for item in seq:
            text, recs = w.render(item)
            w.records.extend(recs)
            d = item.when or case.end
            rows.append((f"{d.day:02d}/{d.month:02d}/{d.year}" if w.rng.random() < 0.5 else f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
                         _agency(text), text))
        w.table(rows, "chronology")
        return
    chunks = _chunk(w.rng, seq, 1, 3)
    last_year = None
    for chunk in chunks:
        year = chunk[0].when.year if chunk[0].when else None
        if subheads and year != last_year and year is not None:
            label = w.rng.choice((f"{year}", f"Events in {year}", f"January to December {year}"))
            w.h2(label, "chronology")
            last_year = year
        w.paragraph(chunk)


def _findings(w: _Writer, case: _Case, items: list[_Item], n_neutral: int, finding_heads: bool) -> None:
    neutral = w.neutral("narrative", "analysis", case, "findings", n_neutral)
    seq = _interleave(w.rng, neutral, _spread(items, "findings"))
    chunks = _chunk(w.rng, seq, 2, 4)
    per = max(1, len(chunks) // w.rng.randint(2, 4))
    for i, chunk in enumerate(chunks):
        if finding_heads and i % per == 0:
            n = i // per + 1
            w.h2(w.rng.choice((f"Finding {n}", f"Learning point {n}", f"Theme {n}", f"Key issue {n}")), "findings")
        w.paragraph(chunk)


def _recommendations(w: _Writer, case: _Case, items: list[_Item], n_neutral: int, as_table: bool) -> None:
    neutral = w.neutral("recommendations", "sentences", case, "recommendations", n_neutral)
    seq = _interleave(w.rng, neutral, _spread(items, "recommendations"))
    if as_table:
        rows: list[tuple[str, ...]] = [w.rng.choice((("No.", "Recommendation"), ("", "Recommendation", "Lead"),
                                                     ("Ref", "Recommendation")))]
        for n, item in enumerate(seq, 1):
            text, recs = w.render(item)
            w.records.extend(recs)
            row = (str(n), text) if len(rows[0]) == 2 else (str(n), text, w.rng.choice(("Partnership", "All agencies", "Health", "Local authority", "Police")))
            rows.append(row)
        w.table(rows, "recommendations")
        return
    style = w.rng.choice(("numbered", "plain", "bullets"))
    for n, item in enumerate(seq, 1):
        text, recs = w.render(item)
        w.records.extend(recs)
        if style == "numbered":
            if not re.match(r"^Recommendation \d+", text):
                text = f"Recommendation {n}: {text}"
            w.text(text, "recommendations", number=False, unit=None)
        elif style == "bullets":
            w.text(text, "recommendations", bullet=True, unit=None)
        else:
            w.text(text, "recommendations", unit=None)


def _glossary(w: _Writer, case: _Case, n: int) -> None:
    w.h1(w.heading_text("glossary", case), "glossary", numbered=w.rng.random() < 0.5)
    entries = w.picker.pick_many(w.structure("glossary", "entries"), n)
    texts = sorted((expand(e.text, w.rng, {**case.values, **_date_values(case.end)}, sentence=False), e.template)
                   for e in entries)
    for t, template in texts:
        w.units.append(("glossary", template, t))
    if w.rng.random() < 0.35:
        rows: list[tuple[str, ...]] = [("Term", "Meaning")]
        for t, _ in texts:
            term, _, definition = t.partition(":")
            rows.append((term.strip(), definition.strip()))
        w.table(rows, "glossary")
    else:
        for t, _ in texts:
            w.text(t, "glossary", number=False, unit=None)


def _good_practice(w: _Writer, case: _Case, n: int, bullets: bool) -> None:
    items = w.neutral("good_practice", "sentences", case, "good_practice", n)
    if bullets:
        w.bullets(items)
    else:
        for chunk in _chunk(w.rng, items, 1, 2):
            w.paragraph(chunk)


def _full_report(w: _Writer, rng: random.Random, bank: Bank, kind: str, cases: list[_Case],
                 theme_ids: Sequence[str], target: int) -> None:
    case = cases[0]
    sections = {"introduction", "terms_of_reference", "background", "chronology", "findings", "recommendations"}
    items = _theme_items(rng, bank, case, w.picker, sections, False, theme_ids)
    fixed = _section_words(items) + 600
    counts = _fill_counts(rng, target, fixed, {"background": 0.16, "chronology": 0.52, "findings": 0.21,
                                                "recommendations": 0.06, "good_practice": 0.05})
    if kind == "scr_overview" and rng.random() < 0.5:
        w.h1(w.heading_text("executive_summary", case), "introduction", numbered=False)
        _incident(w, bank, case, "introduction", number=False)
        for chunk in _chunk(rng, w.neutral("narrative", "analysis", case, "findings", rng.randint(2, 4)), 2, 3):
            w.paragraph(chunk, number=False)
    # Introduction
    w.h1(w.heading_text("introduction", case), "introduction")
    _incident(w, bank, case, "introduction")
    intro_items = _spread(items, "introduction")
    if intro_items:
        w.paragraph(intro_items)
    _purpose(w, bank, case, "introduction", rng.randint(1, 2))
    w.boilerplate(w.structure("boilerplate", "review_process"), case, "introduction", rng.randint(1, 3))
    # Terms of reference
    _tor(w, bank, case, items)
    # Methodology
    w.h1(w.heading_text("methodology", case), "other")
    w.boilerplate(w.structure("boilerplate", "methodology"), case, "other", rng.randint(2, 4))
    w.boilerplate(w.structure("boilerplate", "family_thanks"), case, "other", rng.randint(1, 2))
    if rng.random() < 0.6:
        w.boilerplate(w.structure("boilerplate", "confidentiality"), case, "other", 1)
    # Background
    w.h1(w.heading_text("background", case), "background")
    _household(w, bank, case, "background")
    neutral = w.neutral("narrative", "background", case, "background", counts["background"])
    for chunk in _chunk(rng, _interleave(rng, neutral, _spread(items, "background")), 1, 3):
        w.paragraph(chunk)
    # Chronology
    w.h1(w.heading_text("chronology", case), "chronology")
    _chronology(w, case, items, counts["chronology"], as_table=rng.random() < 0.3, subheads=rng.random() < 0.5)
    # Findings
    w.h1(w.heading_text("findings", case), "findings")
    _findings(w, case, items, counts["findings"], finding_heads=rng.random() < 0.6)
    # Good practice
    w.h1(w.heading_text("good_practice", case), "good_practice")
    _good_practice(w, case, max(2, min(6, counts["good_practice"])), bullets=rng.random() < 0.4)
    if rng.random() < 0.35:
        w.h1(w.heading_text("conclusion", case), "findings")
        for chunk in _chunk(rng, w.neutral("narrative", "analysis", case, "findings", rng.randint(2, 4)), 2, 3):
            w.paragraph(chunk)
    # Recommendations
    w.h1(w.heading_text("recommendations", case), "recommendations")
    _recommendations(w, case, items, max(3, min(8, counts["recommendations"])), as_table=rng.random() < 0.3)
    if rng.random() < 0.75:
        _glossary(w, case, rng.randint(5, 12))


def _welsh_review(w: _Writer, rng: random.Random, bank: Bank, kind: str, cases: list[_Case],
                  theme_ids: Sequence[str], target: int) -> None:
    """Child Practice Review: the Welsh template's sections, in the bank's wording where it has it."""
    case = cases[0]
    sections = {"introduction", "terms_of_reference", "background", "chronology", "findings", "recommendations"}
    items = _theme_items(rng, bank, case, w.picker, sections, False, theme_ids)
    counts = _fill_counts(rng, target, _section_words(items) + 500,
                          {"background": 0.2, "chronology": 0.38, "findings": 0.32, "recommendations": 0.05,
                           "good_practice": 0.05})
    w.h1(rng.choice(("Brief outline of circumstances resulting in the Review", "Circumstances resulting in the review")), "introduction")
    _incident(w, bank, case, "introduction")
    _purpose(w, bank, case, "introduction", 1)
    w.boilerplate(w.structure("boilerplate", "review_process"), case, "introduction", rng.randint(1, 2))
    _tor(w, bank, case, items)
    w.h1(w.heading_text("methodology", case), "other")
    w.boilerplate(w.structure("boilerplate", "methodology"), case, "other", rng.randint(2, 3))
    w.boilerplate(w.structure("boilerplate", "family_thanks"), case, "other", 1)
    w.h1(w.heading_text("background", case), "background")
    _household(w, bank, case, "background")
    neutral = w.neutral("narrative", "background", case, "background", counts["background"])
    for chunk in _chunk(rng, _interleave(rng, neutral, _spread(items, "background")), 1, 3):
        w.paragraph(chunk)
    w.h1(rng.choice(("Practice and organisational learning", w.heading_text("chronology", case))), "chronology")
    _chronology(w, case, items, counts["chronology"], as_table=rng.random() < 0.25, subheads=rng.random() < 0.4)
    w.h1(rng.choice(("Identifying the learning", w.heading_text("findings", case))), "findings")
    _findings(w, case, items, counts["findings"], finding_heads=rng.random() < 0.5)
    w.h1(w.heading_text("good_practice", case), "good_practice")
    _good_practice(w, case, max(2, min(5, counts["good_practice"])), bullets=rng.random() < 0.5)
    w.h1(rng.choice(("Improving systems and practice", w.heading_text("recommendations", case))), "recommendations")
    _recommendations(w, case, items, max(3, min(7, counts["recommendations"])), as_table=rng.random() < 0.3)
    if rng.random() < 0.4:
        _glossary(w, case, rng.randint(4, 9))


def _summary_report(w: _Writer, rng: random.Random, bank: Bank, kind: str, cases: list[_Case],
                    theme_ids: Sequence[str], target: int) -> None:
    """SCR executive summary: short, no contents, brief background and key events, lessons, recommendations."""
    case = cases[0]
    sections = {"introduction", "background", "chronology", "findings", "recommendations"}
    items = _theme_items(rng, bank, case, w.picker, sections, True, theme_ids)
    counts = _fill_counts(rng, target, _section_words(items) + 350,
                          {"background": 0.2, "chronology": 0.45, "findings": 0.27, "recommendations": 0.08})
    w.h1(w.heading_text("introduction", case), "introduction")
    _incident(w, bank, case, "introduction")
    for chunk in _chunk(rng, _spread(items, "introduction"), 1, 2):
        w.paragraph(chunk)
    _purpose(w, bank, case, "introduction", 1)
    w.h1(w.heading_text("methodology", case), "other")
    w.boilerplate(w.structure("boilerplate", "methodology"), case, "other", rng.randint(1, 2))
    w.boilerplate(w.structure("boilerplate", "review_process"), case, "other", 1)
    w.h1(w.heading_text("background", case), "background")
    _household(w, bank, case, "background")
    neutral = w.neutral("narrative", "background", case, "background", counts["background"])
    for chunk in _chunk(rng, _interleave(rng, neutral, _spread(items, "background")), 1, 3):
        w.paragraph(chunk)
    w.h1(w.heading_text("chronology", case), "chronology")
    _chronology(w, case, items, counts["chronology"], as_table=rng.random() < 0.15, subheads=False)
    w.h1(w.heading_text("findings", case), "findings")
    _findings(w, case, items, counts["findings"], finding_heads=rng.random() < 0.3)
    w.h1(w.heading_text("recommendations", case), "recommendations")
    _recommendations(w, case, items, max(2, min(6, counts["recommendations"])), as_table=rng.random() < 0.2)


def _briefing(w: _Writer, rng: random.Random, bank: Bank, kind: str, cases: list[_Case],
              theme_ids: Sequence[str], target: int) -> None:
    """Rapid review learning summary / 7-minute briefing: short titled sections of bullets."""
    case = cases[0]
    titles = frames.BRIEFING_TITLES[bank.name]
    sections = {"background", "chronology", "findings", "recommendations", "introduction"}
    items = _theme_items(rng, bank, case, w.picker, sections, True, theme_ids)
    # ToR questions have no section here: they become the closing questions.
    questions = [i for i in items if i.kind == "hypothetical"]
    for q in questions:
        q.section = "terms_of_reference"
    counts = _fill_counts(rng, target, _section_words(items) + 150,
                          {"background": 0.25, "chronology": 0.4, "findings": 0.25, "recommendations": 0.1})
    w.text(rng.choice(frames.BRIEFING_OPENING[bank.name]), "introduction", number=False)
    n = 0
    numbered = rng.random() < 0.7

    def title(text: str, section: str) -> None:
        nonlocal n
        n += 1
        w.h1(f"{n}. {text}" if numbered else text, section, numbered=False)

    title(w.heading_text("background", case), "background")
    _incident(w, bank, case, "background", bullet=True)
    _household(w, bank, case, "background", bullet=True)
    neutral = w.neutral("narrative", "background", case, "background", max(1, counts["background"] // 2))
    w.bullets(_interleave(rng, neutral, _spread(items, "background")))
    _purpose(w, bank, case, "background", 1)
    title(w.heading_text("chronology", case), "chronology")
    neutral = w.neutral("narrative", "chronology", case, "chronology", counts["chronology"])
    seq = _interleave(rng, neutral, _spread(items, "chronology"))
    seq = _assign_dates(rng, seq)
    w.bullets(seq)
    title(rng.choice(titles["why"]), "findings")
    generic = [i for i in _spread(items, "findings") if i.kind == "generic"] + _spread(items, "introduction")
    w.bullets(generic or w.neutral("narrative", "analysis", case, "findings", 2))
    title(w.heading_text("findings", case), "findings")
    rest = [i for i in _spread(items, "findings") if i.kind != "generic"]
    neutral = w.neutral("narrative", "analysis", case, "findings", counts["findings"])
    w.bullets(_interleave(rng, neutral, rest))
    title(rng.choice(titles["doing"]), "recommendations")
    neutral = w.neutral("recommendations", "sentences", case, "recommendations", max(2, counts["recommendations"]))
    w.bullets(_interleave(rng, neutral, _spread(items, "recommendations")))
    if questions or rng.random() < 0.5:
        title(rng.choice(titles["questions"]), "terms_of_reference")
        w.bullets(questions or w.neutral("narrative", "analysis", case, "findings", 1))
    else:
        # no terms of reference section in a briefing: hypotheticals join the learning
        pass


def _thematic(w: _Writer, rng: random.Random, bank: Bank, kind: str, cases: list[_Case],
              theme_ids: Sequence[str], target: int) -> None:
    """Thematic review of 2-4 children: one case summary each, then learning across the cases."""
    sections = {"background", "chronology", "findings", "recommendations", "terms_of_reference", "introduction"}
    all_items: list[_Item] = []
    per_case: list[list[_Item]] = []
    others = frozenset().union(*(c.present for c in cases))
    for case in cases:
        items = _theme_items(rng, bank, case, w.picker, sections, True, theme_ids, elsewhere=others)
        for item in items:
            if item.section == "introduction":
                item.section = "findings"
        per_case.append(items)
        all_items += items
    # A theme absent for one child but present for another is present in the review: no negation of it.
    union = set().union(*(c.present for c in cases))
    drop = {id(i) for i in all_items if i.theme in union and i.kind in ("negated", "ruled_out", "other_subject", "hypothetical")}
    all_items = [i for i in all_items if id(i) not in drop]
    per_case = [[i for i in items if id(i) not in drop] for items in per_case]
    counts = _fill_counts(rng, target, _section_words(all_items) + 600,
                          {"background": 0.18, "chronology": 0.4, "findings": 0.3, "recommendations": 0.06,
                           "good_practice": 0.06})
    first = cases[0]
    start = min(c.start for c in cases)
    end = max(c.end for c in cases)
    w.h1(w.heading_text("introduction", first), "introduction")
    opening = rng.choice(frames.THEMATIC_OPENING[bank.name])
    opening = expand(opening.replace("{n}", NUMBER_WORDS[len(cases)]).replace("{start}", f"{MONTHS[start.month - 1]} {start.year}")
                     .replace("{end}", f"{MONTHS[end.month - 1]} {end.year}"), rng, first.values)
    w.text(opening, "introduction")
    _purpose(w, bank, first, "introduction", 1)
    w.boilerplate(w.structure("boilerplate", "review_process"), first, "introduction", 1)
    w.h1(w.heading_text("terms_of_reference", first), "terms_of_reference")
    qs = [i for i in all_items if i.section == "terms_of_reference"]
    if qs:
        w.text(rng.choice(frames.TOR_LEAD[bank.name]), "terms_of_reference")
        w.bullets(qs)
    w.h1(w.heading_text("methodology", first), "other")
    w.boilerplate(w.structure("boilerplate", "methodology"), first, "other", rng.randint(1, 3))
    w.boilerplate(w.structure("boilerplate", "confidentiality"), first, "other", 1)
    w.h1(rng.choice(("The children", "The children and their families", "Case summaries")), "background")
    share = max(2, counts["chronology"] // len(cases))
    for n, (case, items) in enumerate(zip(cases, per_case), 1):
        t = rng.choice(frames.CASE_TITLE[bank.name]).replace("{n}", str(n))
        w.h2(expand(t, rng, case.values, sentence=False), "chronology")
        _incident(w, bank, case, "chronology")
        _household(w, bank, case, "background")
        neutral = w.neutral("narrative", "background", case, "background", max(1, counts["background"] // len(cases)))
        for chunk in _chunk(rng, _interleave(rng, neutral, _spread(items, "background")), 1, 3):
            w.paragraph(chunk)
        neutral = w.neutral("narrative", "chronology", case, "chronology", share)
        seq = _interleave(rng, neutral, _spread(items, "chronology"))
        seq = _assign_dates(rng, seq)
        for chunk in _chunk(rng, seq, 1, 3):
            w.paragraph(chunk)
    w.h1(w.heading_text("findings", first), "findings")
    neutral = w.neutral("narrative", "analysis", first, "findings", counts["findings"])
    themed = [i for i in all_items if i.section == "findings"]
    for chunk in _chunk(rng, _interleave(rng, neutral, themed), 2, 4):
        w.paragraph(chunk)
    w.h1(w.heading_text("good_practice", first), "good_practice")
    _good_practice(w, first, max(2, min(5, counts["good_practice"])), bullets=rng.random() < 0.5)
    w.h1(w.heading_text("recommendations", first), "recommendations")
    recs = [i for i in all_items if i.section == "recommendations"]
    neutral = w.neutral("recommendations", "sentences", first, "recommendations", max(3, counts["recommendations"]))
    for n, item in enumerate(_interleave(rng, neutral, recs), 1):
        text, r = w.render(item)
        w.records.extend(r)
        w.text(text, "recommendations", unit=None)
    if rng.random() < 0.6:
        _glossary(w, first, rng.randint(5, 10))


# --------------------------------------------------------------------------------------------------
# output


def review_text(review: GeneratedReview) -> str:
    """The review in the committed text format (front matter with layout hints, then the body)."""
    from pipeline.corpus.textformat import TextBlock, write_markdown

    front: dict[str, object] = {
        "title": review.title,
        "kind": review.kind,
        "bank": review.bank,
        "cover": list(review.cover),
        "contents": review.contents,
        "layout": review.layout,
    }
    blocks = [TextBlock(b.kind, b.text, b.rows) for b in review.blocks]
    return write_markdown(front, blocks)
