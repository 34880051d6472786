"""Statutory boilerplate: the paragraphs every review carries about why reviews are held.

Consumes sectioned blocks. Produces the same blocks with `boilerplate=True` on paragraphs that quote
or paraphrase the statutory purpose and criteria of reviews (Working Together, the Children Act
2004, "where abuse or neglect is known or suspected"). That text mentions abuse and neglect in every
report whatever happened to the child, so counting themes in it inflates prevalence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.records import Block, SectionKind

_CUES = (re.compile(r"Working Together\b|WORKING TOGETHER"),) + tuple(  # the guidance, not agencies working together
    re.compile(p, re.IGNORECASE)
    for p in (
        r"children act 2004",
        r"children and social work act",
        r"serious child safeguarding cases?",
        r"purpose of (?:a |the |this |these |such )?(?:[a-z]+ ){0,5}reviews?\b",
        r"(?:abuse or neglect|neglect or abuse)(?: of a child)? (?:is|was|are) (?:known|suspected)",
        r"\b(?:dies|died|has died) or (?:is|has been|was) seriously (?:harmed|injured)",
        r"death or serious (?:harm|injury) (?:to|of) a child",
        r"(?:apportion|attribute|allocate)(?:ing)? blame|hold (?:any )?individuals? (?:or organisations? )?to account",
        r"regulation 5|local safeguarding children boards? regulations",
        r"identify (?:any )?improvements? (?:that|which|to be)",
        r"what (?:could|might) have been done differently",
        r"safeguarding partners? (?:must|should|are required)",
        r"\bnotif(?:y|ied|ication) (?:to )?the (?:national )?(?:child safeguarding practice review )?panel",
    )
)
# Where boilerplate is written; elsewhere a citation of Working Together is part of the analysis.
_PREAMBLE = frozenset(
    {SectionKind.FRONT_MATTER, SectionKind.INTRODUCTION, SectionKind.TERMS_OF_REFERENCE, SectionKind.OTHER, SectionKind.GLOSSARY}
)


# Words each cue cannot match without (lower case): all the words of at least one of its groups. A
# cheap test that skips most searches, as most paragraphs hold no cue. Used on ASCII text only, where
# lower-casing the text finds everything the case-insensitive patterns would.
_NEEDS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("working together",),),
    (("children act 2004",),),
    (("children and social work act",),),
    (("serious child safeguarding case",),),
    (("purpose of", "review"),),
    (("abuse or neglect",), ("neglect or abuse",)),
    (("died or", "seriously"), ("dies or", "seriously")),
    (("death or serious", "a child"),),
    (("blame",), ("to account",)),
    (("regulation",),),
    (("improvement",),),
    (("done differently",),),
    (("safeguarding partner",),),
    (("notif", "panel"),),
)
_CUE_NEEDS = tuple(zip(_CUES, _NEEDS))


# The first word of every group: a paragraph with none of them holds no cue (19 in 20 paragraphs of a
# review). A loop of `in` tests is faster here than one regex alternation of the same words.
_SCREEN = tuple(sorted({g[0] for groups in _NEEDS for g in groups}))


def cue_count(text: str) -> int:
    """How many distinct statutory-boilerplate cues `text` contains."""
    if not text.isascii():
        return sum(1 for c in _CUES if c.search(text))
    lower = text.lower()
    for word in _SCREEN:
        if word in lower:
            break
    else:
        return 0
    n = 0
    for c, groups in _CUE_NEEDS:
        for group in groups:
            for word in group:
                if word not in lower:
                    break
            else:
                if c.search(text):
                    n += 1
                break
    return n


def mark_boilerplate(blocks: Sequence[Block]) -> list[Block]:
    """Flag paragraphs with a statutory cue in preamble sections, or two cues anywhere."""
    out = []
    for b in blocks:
        if b.kind == "paragraph":
            n = cue_count(b.text)
            if n >= 2 or (n == 1 and b.section in _PREAMBLE):
                b = b.changed(boilerplate=True)
        out.append(b)
    return out
