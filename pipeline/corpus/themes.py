"""Which themes a generated review has: realistic prevalence by age band and the consistency rules.

Consumes a `random.Random`, the child's age band and the codebook's theme ids. Produces the set of
themes present for that child. The rules here are the ground truth the corpus tests check: a child
protection plan or being looked after implies the family was known to children's social care;
unsafe sleep only for infants and toddlers; school absence only for school-age children and
teenagers; criminal exploitation only for teenagers; child mental health not for the under-fives.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

AGE_BAND_WEIGHTS: dict[str, float] = {"infant": 0.31, "toddler": 0.15, "school": 0.21, "teen": 0.33}

# P(theme present | age band), before implications. Chosen so that over the band mix above the
# prevalence is near the figures national analyses report (neglect ~50%, known to social care ~75%,
# domestic abuse ~45%, unsafe sleep ~12%, criminal exploitation ~10%, ...).
BASE_RATE: dict[str, dict[str, float]] = {
    "neglect": {"infant": 0.32, "toddler": 0.55, "school": 0.50, "teen": 0.38},
    "school_absence": {"infant": 0.0, "toddler": 0.0, "school": 0.22, "teen": 0.40},
    "information_sharing": {"infant": 0.45, "toddler": 0.45, "school": 0.45, "teen": 0.45},
    "domestic_abuse": {"infant": 0.42, "toddler": 0.45, "school": 0.40, "teen": 0.33},
    "parental_mental_health": {"infant": 0.40, "toddler": 0.38, "school": 0.36, "teen": 0.30},
    "parental_substance_misuse": {"infant": 0.28, "toddler": 0.35, "school": 0.30, "teen": 0.25},
    "child_mental_health": {"infant": 0.0, "toddler": 0.0, "school": 0.10, "teen": 0.52},
    "known_to_social_care": {"infant": 0.42, "toddler": 0.52, "school": 0.55, "teen": 0.55},
    "child_protection_plan": {"infant": 0.20, "toddler": 0.35, "school": 0.35, "teen": 0.33},
    "looked_after": {"infant": 0.04, "toddler": 0.12, "school": 0.20, "teen": 0.31},
    "whole_family_approach": {"infant": 0.45, "toddler": 0.36, "school": 0.30, "teen": 0.26},
    "physical_abuse": {"infant": 0.55, "toddler": 0.35, "school": 0.15, "teen": 0.10},
    "sexual_abuse": {"infant": 0.0, "toddler": 0.05, "school": 0.12, "teen": 0.25},
    "criminal_exploitation": {"infant": 0.0, "toddler": 0.0, "school": 0.0, "teen": 0.31},
    "unsafe_sleep": {"infant": 0.33, "toddler": 0.08, "school": 0.0, "teen": 0.0},
    "disability": {"infant": 0.12, "toddler": 0.20, "school": 0.28, "teen": 0.25},
}

# Themes only possible for some age bands.
ALLOWED_BANDS: dict[str, frozenset[str]] = {
    "unsafe_sleep": frozenset({"infant", "toddler"}),
    "school_absence": frozenset({"school", "teen"}),
    "criminal_exploitation": frozenset({"teen"}),
    "child_mental_health": frozenset({"school", "teen"}),
    "sexual_abuse": frozenset({"toddler", "school", "teen"}),
}
# A present theme that makes another present.
IMPLIES: dict[str, tuple[str, ...]] = {
    "child_protection_plan": ("known_to_social_care",),
    "looked_after": ("known_to_social_care",),
}
# Mild co-occurrence: when the key is present, the listed themes become more likely.
BOOST: dict[str, dict[str, float]] = {
    "parental_substance_misuse": {"neglect": 0.15, "domestic_abuse": 0.10},
    "domestic_abuse": {"parental_mental_health": 0.10, "whole_family_approach": 0.05},
    "neglect": {"known_to_social_care": 0.05},
}
_ORDER = ("parental_substance_misuse", "domestic_abuse", "neglect")


def band_allows(theme: str, band: str | None) -> bool:
    """True when `theme` is possible for a child of age band `band` (None: several children)."""
    allowed = ALLOWED_BANDS.get(theme)
    return allowed is None or band is None or band in allowed


def close_implications(themes: Iterable[str]) -> set[str]:
    """`themes` plus everything they imply."""
    out = set(themes)
    changed = True
    while changed:
        changed = False
        for t in list(out):
            for implied in IMPLIES.get(t, ()):
                if implied not in out:
                    out.add(implied)
                    changed = True
    return out


def is_consistent(themes: Iterable[str], band: str | None) -> bool:
    """The corpus's consistency rules for one child: ages and implications."""
    s = set(themes)
    return all(band_allows(t, band) for t in s) and close_implications(s) == s


def sample_band(rng: random.Random) -> str:
    bands = list(AGE_BAND_WEIGHTS)
    return rng.choices(bands, weights=[AGE_BAND_WEIGHTS[b] for b in bands])[0]


def sample_themes(rng: random.Random, band: str, theme_ids: Iterable[str], min_themes: int = 2) -> set[str]:
    """Draw the themes present for one child of age band `band` (closed under implications)."""
    ids = [t for t in theme_ids if t in BASE_RATE]
    for _ in range(50):
        rates = {t: BASE_RATE[t][band] for t in ids}
        present: set[str] = set()
        for key in _ORDER:  # drivers first, so their boosts apply to the rest
            if key in rates and rng.random() < rates[key]:
                present.add(key)
                for other, extra in BOOST.get(key, {}).items():
                    if other in rates and rates[other] > 0:
                        rates[other] = min(0.95, rates[other] + extra)
        for t in ids:
            if t not in _ORDER and rng.random() < rates[t]:
                present.add(t)
        present = {t for t in close_implications(present) if band_allows(t, band)}
        if len(present) >= min_themes:
            return present
    return present
