"""The fact sheet of one generated case, decided once, and the checks that keep sentences true to it.

Consumes a seeded `random.Random`, the child (age band, age, date of birth) and the themes present.
Produces a `FactSheet`: who lives in the household (mother with the father, with a partner, or
alone), the siblings with ages, at most one disability or condition, the agencies involved. The
generator then uses only bank sentences that agree with the sheet:

- `condition_fits`: a sentence naming a condition (autism, cerebral palsy, deafness...) is used only
  when that condition is the child's one condition;
- `household_fits`: no mother's partner in a household without one, no separation when the
  parents live together, no sibling sentences for an only child, sibling sentences that fit the
  sibling's age (no "left for university" for a nine-year-old);
- `child_age_fitted`: alternation options (or whole sentences) that give the child an age he or
  she has not reached ("at fourteen" for a nine-year-old) are dropped;
- `chronology_stage`: where an event sits in the story of concern (first concern, referral,
  assessment, plan, escalation), so the chronology builds toward the incident.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

NUMBERS: dict[str, int] = {w: i for i, w in enumerate(
    ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
     "seventeen eighteen nineteen twenty").split())}

# Condition groups: what a sentence says the child has. A sentence naming one group fits only a child
# with that condition; one naming none fits anyone.
CONDITIONS: dict[str, re.Pattern[str]] = {
    "autism": re.compile(r"autis|\bASC\b|\bASD\b|ADOS|PECS|social communication|sensory (needs|processing)|"
                         r"meltdown|ear defenders", re.I),
    "learning": re.compile(r"learning disabilit|global developmental delay|moderate learning|reading age|"
                           r"cognitive ability|Down's syndrome|Prader-Willi|Williams|Angelman|chromosomal|"
                           r"genetic condition|rare genetic|working (three|four|\[three)", re.I),
    "complex": re.compile(r"cerebral palsy|quadriplegi|profound and multiple|gastrostomy|\bPEG\b|tube[- ]fed|"
                          r"nasogastric|tracheostomy|ventilation|hoist|non-verbal|doubly incontinent|"
                          r"communication aid|\bAAC\b|augmentative|eye[- ]gaze|life-limiting|hospice|"
                          r"movement disorder|brain injury|unsafe swallow|deafblind|multi-sensory", re.I),
    "hearing": re.compile(r"\bdeaf\b|hearing (loss|impairment|aids)|British Sign Language|\bBSL\b|cochlear|"
                          r"glue ear|teacher of the deaf", re.I),
    "visual": re.compile(r"\bblind\b|sight impaired|visual(ly)? impair|Braille|long cane|retinopathy", re.I),
    "epilepsy": re.compile(r"seizure|epilep|buccal midazolam", re.I),
    "adhd": re.compile(r"\bADHD\b|methylphenidate|Tourette|tic disorder|dyspraxia|dyslexia|specific learning "
                       r"difficulty|developmental language disorder|specific language impairment", re.I),
    "medical": re.compile(r"diabetes|insulin|sickle cell|cystic fibrosis|heart (defect|condition)|congenital heart|"
                          r"hypoplastic|kidney failure|dialysis|liver transplant|hydrocephalus|\bshunt\b|"
                          r"spina bifida|catheteris|chronic lung|Born at \[?2\d|diaphragmatic hernia|"
                          r"gastroschisis|oesophageal atresia|muscular dystrophy|neuromuscular|genetic skin|"
                          r"cleft lip", re.I),
}
CONDITION_WEIGHTS: dict[str, float] = {"autism": 30, "learning": 18, "complex": 16, "hearing": 6, "visual": 4,
                                       "epilepsy": 6, "adhd": 12, "medical": 8}
# Conditions that cannot be known (or are not diagnosed) for a baby.
_NOT_FOR_INFANTS = frozenset({"adhd", "autism"})

_PARTNER = re.compile(r"\{partner\}|mother's (new )?partner|stepfather|step-father", re.I)
_APART = re.compile(r"separat|split up|left the family home|moved out|ex-partner|former partner|new partner|"
                    r"contact with \{father\}|\{father\} (moved|remarried|visited)|restraining order|non-molestation|\{father\}'s (flat|house|home)|(visited|stay(ed)? with|weekends with) "
                    r"\{father\}|non-resident|lived apart|did not live with", re.I)
_TOGETHER = re.compile(r"\{mother\} and \{father\} (lived|live|shared|married|got married)|both parents (lived|were at home)|"
                       r"the couple|\{father\} (came|got) home|\{father\} was at home", re.I)
_SIBLINGS = re.compile(r"\{sibling\}|\bsiblings?\b|\bbrothers?\b|\bsisters?\b|half-(brother|sister)|"
                       r"the children\b|the other children|both children", re.I)
# What a sentence says about the sibling, and the sibling ages (years) it needs.
_SIBLING_AGE_NEEDS: tuple[tuple[re.Pattern[str], int, int], ...] = (
    (re.compile(r"\{sibling\}[^.;]*(university|left home|moved out)", re.I), 18, 30),
    (re.compile(r"\{sibling\}[^.;]*(college|sixth form|apprentice|driving)", re.I), 16, 30),
    (re.compile(r"\{sibling\}[^.;]*(secondary|comprehensive|GCSE|Year (7|8|9|10|11)\b|youth justice|"
                r"county lines|girlfriend|boyfriend|adolescent|psychiatric|ligature|self-harm|CAMHS|cannabis|"
                r"smoking|drinking|arrested)", re.I), 11, 19),
    (re.compile(r"\{sibling\}[^.;]*(\{school\}|primary|class|Reception|teacher)", re.I), 4, 16),
    (re.compile(r"\{sibling\}[^.;]*(nursery|playgroup|childminder|toddler)", re.I), 1, 4),
)
_SIBLING_BIRTH = re.compile(r"\{sibling\} was born|birth of \{sibling\}|having \{sibling\}|\{sibling\}'s birth|"
                            r"pregnan|paternity|new baby", re.I)


@dataclass(frozen=True, slots=True)
class Sibling:
    """A brother or sister of the child: how the review names them, older or younger, sex, age."""

    label: str
    relation: str  # "older" | "younger"
    sex: str  # "boy" | "girl"
    age_years: int
    born: date


@dataclass(frozen=True, slots=True)
class FactSheet:
    """The facts of one case that every sentence must agree with.

    `household`: "parents" (mother and father live together), "partner" (mother lives with a
    partner; the father lives elsewhere) or "single" (mother alone; the father lives elsewhere).
    `condition` is a key of CONDITIONS, or None (no disability or condition described).
    """

    born: date
    household: str
    siblings: tuple[Sibling, ...]
    condition: str | None
    agencies: frozenset[str]

    @property
    def younger_sibling_born(self) -> date | None:
        """When the first sibling was born, if younger (a birth the chronology may mention)."""
        if self.siblings and self.siblings[0].relation == "younger":
            return self.siblings[0].born
        return None


def decide_household(rng: random.Random, present: set[str]) -> str:
    """Who the child lives with; a mother's partner more often when there is domestic abuse."""
    weights = {"parents": 35, "partner": 45, "single": 20} if "domestic_abuse" in present else \
        {"parents": 45, "partner": 30, "single": 25}
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def decide_condition(rng: random.Random, band: str, present: set[str]) -> str | None:
    """The child's one condition when the disability theme is present, else None."""
    if "disability" not in present:
        return None
    weights = {k: w for k, w in CONDITION_WEIGHTS.items() if band != "infant" or k not in _NOT_FOR_INFANTS}
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def decide_siblings(rng: random.Random, name: str, age_years: float, incident: date,
                    start: date) -> tuple[Sibling, ...]:
    """None, one or two siblings with ages; the first is the one sentences call {sibling}. A younger
    sibling is born within the review period or before it, never after the incident."""
    n = rng.choices((0, 1, 2), weights=(25, 50, 25))[0]
    out: list[Sibling] = []
    for i in range(n):
        younger = age_years >= 2 and rng.random() < 0.45
        if younger:
            age = rng.randint(0, max(0, int(age_years) - 1))
            relation = "younger"
        else:
            age = min(22, int(age_years) + rng.randint(2, 9))
            relation = "older"
        sex = rng.choice(("boy", "girl"))
        born = incident - timedelta(days=int(age * 365.25) + rng.randint(20, 300))
        if relation == "younger" and born < start and age == 0:
            born = start + timedelta(days=30)
        word = "brother" if sex == "boy" else "sister"
        if i == 0:
            label = rng.choice((f"the {relation} sibling", "Sibling 1", f"{name}'s {relation} {word}",
                                f"{name}'s {word}"))
        else:
            label = f"Sibling {i + 1}"
        out.append(Sibling(label, relation, sex, age, born))
    out.sort(key=lambda s: 0 if s.label != "Sibling 2" else 1)
    return tuple(out)


@lru_cache(maxsize=65536)
def conditions_named(text: str) -> frozenset[str]:
    """The condition groups a text names."""
    return frozenset(k for k, pat in CONDITIONS.items() if pat.search(text))


def condition_fits(text: str, condition: str | None) -> bool:
    """Whether a sentence about the child agrees with the child's one condition (or with having none)."""
    named = conditions_named(text)
    return not named or (condition is not None and named == {condition})


def household_fits(text: str, facts: FactSheet, start: date) -> bool:
    """Whether a sentence agrees with who lives in the household and with the siblings' ages (read
    with its alternation brackets removed, so "{mother} and {father} [married|...]" is seen)."""
    text = text.replace("[", "").replace("]", "")
    if facts.household != "partner" and _PARTNER.search(text):
        return False
    if facts.household == "parents" and _APART.search(text):
        return False
    if facts.household != "parents" and _TOGETHER.search(text):
        return False
    if "{sibling}" not in text and facts.born > start and re.search(r"pregnan", text, re.I):
        return True  # the pregnancy is the child's own
    if _SIBLING_BIRTH.search(text):  # a sibling born in the period: only the younger sibling of the sheet
        first_born = facts.younger_sibling_born
        if first_born is None or first_born < start:
            return False
    if not facts.siblings:
        return not _SIBLINGS.search(text)
    first = facts.siblings[0]
    for pat, lo, hi in _SIBLING_AGE_NEEDS:
        if pat.search(text) and not lo <= first.age_years <= hi:
            return False
    if re.search(r"\{sibling\}[^.;]*\b(older|years ahead)", text) and first.relation != "older":
        return False
    if re.search(r"\{sibling\}[^.;]*\byounger", text) and first.relation != "younger":
        return False
    return True


_NUM = r"(\d{1,2}|" + "|".join(NUMBERS) + r")"
_AGE_AT = re.compile(r"\b(at|aged|when \{he\} was|at the age of|by)\s+" + _NUM + r"(\s+(weeks|months))?\b"
                     r"(?!\s*(in the|o'clock|am|pm|successive|consecutive|separate|contacts|times|touchpoints))", re.I)
_YEAR_OLD = re.compile(r"\b" + _NUM + r"-year-old\b(?!\s+(man|woman|boy|girl|friend|family|son|daughter|adult))", re.I)
_OTHER_PERSON = re.compile(r"\{(mother|father|partner|sibling)\}|\b(she|her|he|his|him|man|woman|adult|boy|girl|"
                           r"friend|pupils?|children|parents?|sons?|daughter|grandm\w*|grandf\w*|carer|"
                           r"stepfather|sister|brother|mum|dad)\b", re.I)
_ALT = re.compile(r"\[([^\[\]]*)\]")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _age_clause_ok(snippet: str, months: float) -> bool:
    """Whether the ages a clause about the child gives are ones the child has reached."""
    if _OTHER_PERSON.search(re.sub(r"\{(child|he|him|his|himself)\}", "", snippet)):
        return True
    for m in _AGE_AT.finditer(snippet):
        n = _number(m.group(2))
        unit = (m.group(4) or "years").lower()
        said = n / 4.35 if unit == "weeks" else n if unit == "months" else n * 12
        if m.group(1).lower() == "aged" and abs(said - months) > max(1.0, months * 0.15):
            return False
        if said > months + 1:
            return False
    for m in _YEAR_OLD.finditer(snippet):
        if _number(m.group(1)) * 12 > months + 1 and "level of" not in snippet and "skills of" not in snippet:
            return False
    return True


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause (between , ; : or the ends) containing text[start:end]."""
    lo = max(text.rfind(c, 0, start) for c in ",;:")
    his = [i for i in (text.find(c, end) for c in ",;:") if i >= 0]
    return text[lo + 1: min(his) if his else len(text)]


@lru_cache(maxsize=65536)
def child_age_fitted(text: str, months: float) -> str | None:
    """`text` without the alternation options that give the child an age he or she has not reached
    (`months`: the child's age at the incident); None when the sentence cannot fit at all."""
    flat = re.sub(r"[\[\]|]", " ", text)
    if not (_AGE_AT.search(flat) or _YEAR_OLD.search(flat)):
        return text
    fixed = _ALT.sub(" ", text)
    for clause in re.split(r"[,;:]", fixed):
        if not _age_clause_ok(clause, months):
            return None

    def fits(m: re.Match[str], option: str) -> bool:
        context = _ALT.sub(" ", _clause_around(text, m.start(), m.end()).replace(m.group(0), "\0"))
        return _age_clause_ok(context.replace("\0", option), months)

    return prune_alternations(text, _ALT, fits)


def prune_alternations(text: str, pattern: re.Pattern[str], fits: Callable[[re.Match[str], str], bool]) -> str | None:
    """`text` with each alternation ("[a|b|c]", matched by `pattern`, options in group 1) reduced to
    the options `fits(match, option)` accepts; None when some alternation keeps none."""
    ok = True

    def keep(m: re.Match[str]) -> str:
        nonlocal ok
        fitting = [o for o in m.group(1).split("|") if fits(m, o)]
        if not fitting:
            ok = False
            return m.group(0)
        return "[" + "|".join(fitting) + "]"

    out = pattern.sub(keep, text)
    return out if ok else None


# Where an event sits in the story of concern. Checked from the latest stage back.
STAGES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"care proceedings|public law outline|\bPLO\b|pre-proceedings|legal (planning|gateway)|"
                   r"escalat|interim care order|accommodated|section 20|placed in foster", re.I)),
    (4, re.compile(r"child protection plan|child protection conference|review conference|core group|"
                   r"child in need plan|\bCIN\b|subject to a plan|plan was (made|agreed)", re.I)),
    (3, re.compile(r"assessment|strategy (meeting|discussion)|section 47|\bs47\b|home visit by the social", re.I)),
    (2, re.compile(r"referr|\bMASH\b|front door|contact to children's social care|notification|signpost|"
                   r"early help", re.I)),
)


def chronology_stage(text: str) -> int:
    """1 (a concern noticed) to 5 (escalation): where `text` sits in the story of concern."""
    for stage, pat in STAGES:
        if pat.search(text):
            return stage
    return 1


def case_agencies(band: str, present: set[str], rng: random.Random) -> frozenset[str]:
    """The agencies involved with the family (names as the chronology's agency column gives them)."""
    out = {"GP practice", "Health", "Hospital"}
    if band in ("infant", "toddler"):
        out |= {"Health visiting", "Midwifery"}
        if band == "toddler":
            out.add("Nursery")
    else:
        out |= {"School", "School nursing"}
    if present & {"known_to_social_care", "child_protection_plan", "looked_after"}:
        out.add("Children's social care")
    if present & {"domestic_abuse", "criminal_exploitation", "physical_abuse", "sexual_abuse"}:
        out.add("Police")
    if "criminal_exploitation" in present:
        out.add("Youth justice")
    if present & {"child_mental_health"}:
        out.add("CAMHS")
    if present & {"neglect", "parental_substance_misuse"} or rng.random() < 0.4:
        out.add("Housing")
    if rng.random() < 0.5:
        out.add("Family hub")
    if rng.random() < 0.25:
        out.add("Ambulance service")
    if rng.random() < 0.2:
        out.add("Dental service")
    return frozenset(out)
