"""Cover and first pages -> `ReviewMeta`: what the review states about itself, never guessed.

Consumes the sectioned blocks of a review and each heading's style. Produces the title (the largest
heading on the cover), the partnership or board, publication year and month, review type, child
pseudonym(s), incident (death / serious_harm) and the child's age in years. A field the cover and
first pages do not state stays None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pipeline.records import Block, ReviewMeta, SectionKind
from pipeline.sections import BODY_WORDS, heading_depth

FIRST_PAGES = 3

MONTHS = {
    m: i
    for i, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DAY = r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
_PUBLISHED = re.compile(
    rf"(?:published|publication(?:\s+date)?|date\s+of\s+publication|date\s+published)\s*(?:on|in|:|-)?\s*{_DAY}(?:{_MONTH}\s*,?\s*)?{_YEAR}",
    re.IGNORECASE,
)
_PUBLISHED_NUMERIC = re.compile(
    r"(?:published|publication(?:\s+date)?|date\s+of\s+publication)\s*:?\s*\d{1,2}[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d{2})",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(rf"^(?:(?:final\s+)?(?:report|version)\s*:?\s*|date\s*:\s*)?{_DAY}{_MONTH}\s*,?\s*{_YEAR}$", re.IGNORECASE)

_PARTNERSHIP = re.compile(
    r"((?:[A-Z][\w'\u2019.-]*|&)(?:\s+(?:[A-Z][\w'\u2019.-]*|and|&|of|the|upon|on|in|with))*?"
    r"\s+(?:Local\s+)?Safeguarding\s+(?:Children(?:'s)?\s+|Children\s+and\s+Adults\s+)?"
    r"(?:Partnership|Board|Arrangements|Partners)\b|(?:[A-Z][\w'-]*\s+)+LSCB\b)"
)
_PANEL = re.compile(r"Child Safeguarding Practice Review Panel", re.IGNORECASE)
_REVIEW_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.IGNORECASE))
    for name, p in (
        ("national", r"\bnational (?:child safeguarding practice )?review\b|child safeguarding practice review panel"),
        ("CPR", r"(?<!safeguarding )\bchild practice review\b"),
        ("LCSPR", r"\b(?:local )?child safeguarding practice review\b(?! panel)|\bLCSPR\b"),
        ("SCR", r"\bserious case review\b|\bSCR\b"),
        ("thematic", r"\bthematic (?:local child safeguarding practice |child safeguarding practice |serious case |child practice )?review\b"),
        ("rapid_review", r"\brapid review\b"),
    )
)
_THIS_REVIEW = re.compile(
    r"\bthis (local child safeguarding practice|child safeguarding practice|serious case|child practice|rapid|thematic|national) review\b",
    re.IGNORECASE,
)
_PSEUDONYM = re.compile(r"\b(Child|Baby|Young Person|Infant|Family|Sibling)\s+([A-Z]{1,2}\d?)\b(?![\w'])")
_CHILDREN = re.compile(r"\bChildren\s+([A-Z]{1,2}(?:\s*,\s*[A-Z]{1,2})*)\s+(?:and|&)\s+([A-Z]{1,2})\b(?![\w'])")
_QUOTED_NAME = re.compile(r"['\"\u2018\u201c]([A-Z][a-z]{2,})['\"\u2019\u201d]")

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
# "children" as in children generally; not "children's social care", nor a partnership's name
_GENERIC = re.compile(
    r"\b(?:a child|children(?!['\u2019]s\b|\s+(?:safeguarding|partnership|board)\b)|any child|where a|if a|when a)\b",
    re.IGNORECASE,
)
_DEATH = re.compile(
    r"\b(?:died|death of|was killed|were killed|murder(?:ed)?|manslaughter|took (?:his|her|their) own life"
    r"|was found dead|fatal(?:ly)? (?:injur|assault|stab))",
    re.IGNORECASE,
)
_HARM = re.compile(
    r"\bserious(?:ly)?\s+(?:and\s+\w+\s+)?(?:harm(?:ed)?|injur(?:y|ies|ed)|neglect)|life[- ]threatening|non[- ]accidental\s+injur"
    r"|brain\s+injur|fractur|subdural|intensive care|status epilepticus|overdose|\bstabbed\b|\bshaken\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
_NUM = r"(?P<n>\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_AGES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b{_NUM}[- ](?P<unit>year|month|week|day)s?[- ]old\b",
        rf"\baged\s+{_NUM}(?:\s+(?P<unit>year|month|week|day)s?)?\b",
        rf"\b{_NUM}\s+(?P<unit>year|month|week|day)s?\s+of\s+age\b",
        rf"\(\s*{_NUM}\s*\)",  # "Child Q (11)", "Child G (seventeen)": right after the name (see _age)
    )
)
_OTHER_PERSON = re.compile(
    r"\b(?:mother|father|parents?|sibling|brother|sister|partner|Ms|Mr|Mrs|grand\w*|aunt|uncle|cousin|adult|step\w+)\b",
    re.IGNORECASE,
)
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365.25}


_FIRST_WORD = re.compile(r"[^\W\d_]+")


def _smart_case(text: str) -> str:
    """All-capitals words of a cover line in ordinary case, where two or more stand together (a cover
    heading often runs "RUSHBECK SAFEGUARDING CHILDREN PARTNERSHIP Learning Briefing" into one line);
    acronyms (no vowels) stay: "DURNLEY AND LSCB"."""
    words = text.split()
    if not words:
        return text
    upper = [w.isupper() and len(w) > 1 for w in words]
    in_run = [u and ((i > 0 and upper[i - 1]) or (i + 1 < len(words) and upper[i + 1])) for i, u in enumerate(upper)]
    if not any(in_run):
        return text
    small = {"AND", "OF", "THE", "IN", "ON", "UPON", "FOR", "TO", "WITH"}
    out = []
    for i, w in enumerate(words):
        if not in_run[i]:
            out.append(w)
        elif w in small and i > 0:
            out.append(w.lower())
        elif not re.search(r"[AEIOU]", w):
            out.append(w)
        else:  # '"OSCAR"' -> '"Oscar"': the first letter, not the quote mark, is the capital
            out.append(_FIRST_WORD.sub(lambda m: m.group().capitalize(), w, count=1))
    return " ".join(out)


# A cover line's label that starts who wrote the review and when ("Reviewer: ...", "Published: May
# 2024"): the title is what comes before it in the same block (cover lines of one style merge into one).
_COVER_LABEL = re.compile(
    r"\b(?:(?:lead\s+|independent\s+)?reviewer|authors?|prepared\s+by|commissioned\s+by|published|publication(?:\s+date)?"
    r"|date(?:\s+of\s+publication)?|version|(?:board\s+|report\s+|notification\s+)?ref(?:erence)?(?:\s+no\.?)?"
    r"|review\s+panel\s+chair)\s*:|\bserious\s+incident\s+notification\b",
    re.IGNORECASE,
)
# Headings that open the body, not the cover: numbered ("1. SUMMARY", "Section 2", "Chapter 4", "Part
# One: ...", but not "7 MINUTE BRIEFING") or the names of the usual opening sections.
_WORD_NUMBERED = re.compile(r"^(?:part|section|chapter)\s+(?:\d+|one|two|three|four|five|[ivx]+)\b", re.IGNORECASE)
_MINUTES = re.compile(r"^\d+[- ]minute", re.IGNORECASE)
_OPENING_SECTION = re.compile(
    r"^(?:summary|executive summary|foreword(?:\s.*)?|preface|introduction(?:\s.*)?|contents|table of contents"
    r"|about this (?:review|case study|briefing|report)|background|purpose(?:\s.*)?|overview|acknowledg\w+)\W*$",
    re.IGNORECASE,
)
def _numbered(text: str) -> bool:
    return (heading_depth(text) is not None and not _MINUTES.match(text)) or bool(_WORD_NUMBERED.match(text))


def _opens_body(block: Block, following: Block | None, first: bool) -> bool:
    """Whether a page-1 heading opens the body. A heading followed by a long paragraph does, unless it
    is the cover's first heading (a one-page briefing's title runs straight into its text)."""
    text = block.text.strip()
    if block.section != SectionKind.FRONT_MATTER or _numbered(text) or _OPENING_SECTION.match(text):
        return True
    return not first and following is not None and following.kind != "heading" and len(following.text.split()) >= BODY_WORDS


def _title(blocks: Sequence[Block], styles: Sequence[tuple[float, bool] | None]) -> str | None:
    """The cover's largest heading (its runs of that size joined by ': '), read from the page-1 headings
    before the first heading that opens the body; the text of a merged cover block stops at a label
    such as "Reviewer:". None when the cover has no heading of its own."""
    cover: list[tuple[str, float]] = []
    for i, (b, s) in enumerate(zip(blocks, styles)):
        if b.page != 1:
            break
        if s is None:
            continue
        if _opens_body(b, blocks[i + 1] if i + 1 < len(blocks) else None, first=not cover):
            break
        label = _COVER_LABEL.search(b.text)
        text = (b.text[: label.start()] if label else b.text).strip(" :-\u2013")
        cover.append((text, s[0]))
    if not any(text for text, _ in cover):
        return None
    biggest = max(size for text, size in cover if text)
    parts: list[str] = []
    for text, size in cover:
        if size == biggest and text:
            parts.append(_smart_case(text))
        elif parts:
            break
    return ": ".join(p.rstrip(":") for p in parts)


def _partnership(texts: Iterable[str]) -> str | None:
    for text in texts:
        text = _smart_case(text)
        m = _PARTNERSHIP.search(text)
        if m:
            name = re.sub(r"^(?:The|This|By|For)\s+", "", m.group(1).strip())
            if not _PANEL.search(name):
                return name
        if _PANEL.search(text):
            return "Child Safeguarding Practice Review Panel"
    return None


def _published(texts: Iterable[str]) -> tuple[int | None, int | None]:
    for text in texts:
        for pattern in (_PUBLISHED, _PUBLISHED_NUMERIC, _DATE_LINE):
            m = pattern.search(text.strip())
            if m:
                month = m.group("month")
                number = (int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]) if month else None
                return int(m.group("year")), number if number and 1 <= number <= 12 else None
    return None, None


def _review_type(title: str | None, cover: Sequence[str], first: Sequence[str], front_headings: Sequence[str] = ()) -> str | None:
    """The kind of review the title, the cover page or a heading of the front matter names (the
    first named in the first of them that names one), else the one "this ... review" names."""
    for text in ([title] if title else []) + [" ".join(cover)] + list(front_headings):
        found = [(m.start(), name) for name, p in _REVIEW_TYPES if (m := p.search(text))]
        if found:
            return min(found)[1]
    for text in first:
        m = _THIS_REVIEW.search(text)
        if m:
            kind = m.group(1).lower()
            return {"rapid": "rapid_review", "serious case": "SCR", "child practice": "CPR", "thematic": "thematic",
                    "national": "national"}.get(kind, "LCSPR")
    return None


def _children(texts: Iterable[str], title: str | None) -> list[str]:
    for i, text in enumerate(texts):
        text = _smart_case(text)
        names: list[str] = []
        for m in _CHILDREN.finditer(text):
            letters = [x.strip() for x in m.group(1).split(",")] + [m.group(2)]
            names += [f"Child {x}" for x in letters]
        names += [f"{m.group(1)} {m.group(2)}" for m in _PSEUDONYM.finditer(text) if m.group(1) != "Family"]
        if not names and i == 0 and title:
            names += [m.group(1) for m in _QUOTED_NAME.finditer(title)]
        if names:
            return list(dict.fromkeys(names))
    return []


def _case_sentences(texts: Iterable[str], children: Sequence[str]) -> list[str]:
    """Sentences about this child: naming them (or "the child/baby") and not generic."""
    subject = re.compile(
        "|".join([re.escape(c) for c in children] + [r"\bthe (?:child|baby|infant|young person)\b"]),
        re.IGNORECASE,
    )
    out = []
    for text in texts:
        for s in _SENTENCE.split(text):
            if not _GENERIC.search(s) and (subject.search(s) or not children):
                out.append(s)
    return out


def _incident(sentences: Sequence[str]) -> str | None:
    if any(_DEATH.search(s) for s in sentences):
        return "death"
    if any(_HARM.search(s) for s in sentences):
        return "serious_harm"
    return None


def _age(sentences: Sequence[str], children: Sequence[str]) -> float | None:
    subject = re.compile(
        "|".join([re.escape(c) for c in children] + [r"\b(?:child|baby|infant|young person|he|she|they)\b"]),
        re.IGNORECASE,
    )
    found: list[tuple[int, int, float]] = []  # (sentence, position, age)
    for i, s in enumerate(sentences):
        for pattern in _AGES:
            for m in pattern.finditer(s):
                before = s[max(0, m.start() - 100) : m.start()]
                last_subject = max((x.end() for x in subject.finditer(before)), default=-1)
                if last_subject < 0 or _OTHER_PERSON.search(before[last_subject:]):
                    continue
                if m.group(0).startswith("(") and before[last_subject:].strip():
                    continue  # a bare "(11)" counts only right after the child's name
                raw = m.group("n")
                n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw.lower()]
                unit = (m.groupdict().get("unit") or "year").lower()
                found.append((i, m.start(), round(n * _UNIT_YEARS[unit], 2)))
    return min(found)[2] if found else None


_REVIEW_WORDS = re.compile(
    r"\b(?:reviews?|safeguard\w*|social (?:care|workers?)|practitioners?|professionals?|multi-agency|agenc(?:y|ies)"
    r"|health visitors?|police|schools?|camhs|gp|hospital)\b",
    re.IGNORECASE,
)
_CHILD_WORDS = re.compile(
    r"\b(?:child|children|baby|babies|infants?|young (?:person|people)|teenagers?|boy|girl|son|daughter|pupils?)\b", re.IGNORECASE
)
MIN_MENTIONS = 3
MIN_WORDS_TO_JUDGE = 100  # shorter texts say too little either way


def reads_like_review(blocks: Sequence[Block]) -> bool:
    """Whether the text talks about children and about a review, safeguarding or agencies at least
    `MIN_MENTIONS` times each: false for a form, a table of figures or an unrelated report put in
    the batch by mistake (which the model would still score as if it were a review). Texts under
    `MIN_WORDS_TO_JUDGE` words are not judged (true)."""
    words = 0
    review = child = 0
    for b in blocks:  # stops as soon as both counts are reached: a review reaches them in a page or two
        words += b.text.count(" ") + 1
        if review < MIN_MENTIONS:
            review += len(_REVIEW_WORDS.findall(b.text))
        if child < MIN_MENTIONS:
            child += len(_CHILD_WORDS.findall(b.text))
        if review >= MIN_MENTIONS and child >= MIN_MENTIONS:
            return True
    return words < MIN_WORDS_TO_JUDGE


def review_meta(blocks: Sequence[Block], styles: Sequence[tuple[float, bool] | None]) -> ReviewMeta:
    """What the cover and first pages state about the review (None where they do not say)."""
    title = _title(blocks, styles)
    cover = [b.text for b in blocks if b.page == 1]
    first = [b.text for b in blocks if b.page <= FIRST_PAGES]
    facts = [b.text for b in blocks if b.page <= FIRST_PAGES and not b.boilerplate and b.section != SectionKind.GLOSSARY]
    year, month = _published(cover + [t for t in first if t not in cover])
    cover_heading = next((b.text for b in blocks if b.page == 1 and b.kind == "heading"), None)
    children = _children([title or ""] + cover + first, title or cover_heading)
    sentences = _case_sentences(([title] if title else []) + facts, children)
    return ReviewMeta(
        title=title,
        partnership=_partnership(cover + first),
        year=year,
        month=month,
        # a cover whose first page holds only the partnership's name names the kind on the next
        review_type=_review_type(title, cover, first, [b.text for b in blocks if b.page <= FIRST_PAGES and b.kind == "heading"
                                                       and b.section == SectionKind.FRONT_MATTER]),
        child="; ".join(children) or None,
        incident=_incident(sentences),
        child_age=_age(sentences, children),
    )
