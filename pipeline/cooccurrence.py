"""Per-review flags -> how often themes occur together: every pair, and the "toxic trio".

Consumes the codebook and each review's flags. Produces one `CooccurrenceRow` per pair of themes (in
codebook order, each pair once) and the toxic-trio table the triennial analyses of serious case reviews
publish: the number and share of reviews with each of the 8 combinations of domestic abuse, parental
mental health and parental substance misuse, then "any", "two or more" and "all three". Shares are of
all reviews counted (every review processed), with Wilson 95% intervals on the toxic-trio lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations, product

from pipeline.prevalence import percent_with_interval
from pipeline.records import Codebook, CooccurrenceRow, TrioRow

TOXIC_TRIO = ("domestic_abuse", "parental_mental_health", "parental_substance_misuse")
_SHORT = {
    "domestic_abuse": "domestic abuse",
    "parental_mental_health": "parental mental health",
    "parental_substance_misuse": "parental substance misuse",
}


def cooccurrence(codebook: Codebook, flags: Mapping[str, Mapping[str, int]]) -> list[CooccurrenceRow]:
    """For every pair of themes (a before b in codebook order), the reviews flagged for both."""
    n = len(flags)
    rows = []
    for a, b in combinations(codebook.ids, 2):
        both = sum(1 for f in flags.values() if f.get(a, 0) and f.get(b, 0))
        rows.append(CooccurrenceRow(a, b, n, both, round(100 * both / n, 1) if n else 0.0))
    return rows


def has_toxic_trio(codebook: Codebook) -> bool:
    """Whether the codebook has the three toxic-trio themes (a custom codebook may not)."""
    return all(t in codebook.ids for t in TOXIC_TRIO)


def _combination_name(present: tuple[int, ...]) -> str:
    names = [_SHORT[t] for t, p in zip(TOXIC_TRIO, present) if p]
    if not names:
        return "none of the three"
    return " + ".join(names) + ("" if len(names) == 3 else " only")


def toxic_trio(flags: Mapping[str, Mapping[str, int]]) -> list[TrioRow]:
    """The 8 combinations (from all three down to none) then the "any", "two or more", "all three" rows."""
    n = len(flags)
    present = [tuple(int(bool(f.get(t, 0))) for t in TOXIC_TRIO) for f in flags.values()]
    rows = []
    for combo in product((1, 0), repeat=3):
        count = sum(1 for p in present if p == combo)
        rows.append(TrioRow(_combination_name(combo), *combo, n, count, *percent_with_interval(count, n)))
    for name, least in (("any", 1), ("two or more", 2), ("all three", 3)):
        count = sum(1 for p in present if sum(p) >= least)
        rows.append(TrioRow(name, None, None, None, n, count, *percent_with_interval(count, n)))
    return rows
