"""Wording banks (corpus/banks/<bank>/...) -> validated `Bank` records, and template expansion.

Consumes the YAML files described in corpus/banks/README.md: 16 theme files and 7 structure files
per bank. Produces a `Bank` whose entries keep their file, kind and position (their *template id*,
used to measure template reuse). Raises `CorpusError` naming the file and the entry for anything
the generator could not use faithfully: unknown kinds or keys, unbalanced or nested `[..|..]`,
unknown `{placeholders}`, bad `ages` or `also`.

`expand` turns an entry's text into a sentence: it picks one option of every alternation with the
caller's `random.Random`, fills the placeholders from a mapping and tidies spacing and the first
letter. It never touches global random state, so a seeded caller gets the same sentence every time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.errors import CorpusError

THEME_KINDS: tuple[str, ...] = (
    "present",
    "present_missed",
    "negated",
    "ruled_out",
    "hypothetical",
    "generic",
    "recommendation",
    "other_subject",
)
POSITIVE_KINDS: frozenset[str] = frozenset({"present", "present_missed"})

PLACEHOLDERS: frozenset[str] = frozenset(
    {"child", "he", "him", "his", "himself", "mother", "father", "partner", "sibling", "school", "area",
     "month", "year", "date", "age"}
)
AGE_BANDS: tuple[str, ...] = ("infant", "toddler", "school", "teen")

# Structure part -> the lists it must hold (README: "Structure files").
STRUCTURE_PARTS: dict[str, tuple[str, ...]] = {
    "narrative": ("chronology", "background", "analysis"),
    "boilerplate": ("statutory_purpose", "confidentiality", "family_thanks", "review_process", "methodology"),
    "headings": ("introduction", "terms_of_reference", "methodology", "background", "chronology", "findings",
                 "good_practice", "recommendations", "glossary", "executive_summary", "conclusion"),
    "glossary": ("entries",),
    "good_practice": ("sentences",),
    "recommendations": ("sentences",),
    "cover": ("partnerships", "reviewers", "places", "schools", "child_names"),
}
# Keys a file may carry besides its lists.
_META_KEYS = frozenset({"theme", "bank", "part"})
# Structure lists whose strings are names or labels, not sentences: they may not hold alternations.
_NAME_LISTS = frozenset({("cover", "partnerships"), ("cover", "reviewers"), ("cover", "places"),
                         ("cover", "schools"), ("cover", "child_names")})

_ALT = re.compile(r"\[([^\[\]]*)\]")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One bank entry (a sentence template).

    `template` is its stable id, "<bank>/<theme or part>/<kind or list>/<n>" (n 1-based, in file
    order). `ages` is empty when any age fits; `also` lists other themes the sentence expresses.
    """

    template: str
    text: str
    ages: tuple[str, ...] = ()
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThemeBank:
    """One theme file: entries per kind."""

    theme: str
    kinds: Mapping[str, tuple[Entry, ...]]

    def entries(self, kind: str) -> tuple[Entry, ...]:
        return self.kinds.get(kind, ())


@dataclass(frozen=True, slots=True)
class Bank:
    """A whole bank: theme files by theme id, structure lists by (part, list name)."""

    name: str
    root: Path
    themes: Mapping[str, ThemeBank]
    structure: Mapping[tuple[str, str], tuple[Entry, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # relative paths of expected files that were not there

    def part(self, part: str, name: str) -> tuple[Entry, ...]:
        """The entries of structure list `name` in `part`.yaml; CorpusError when the bank lacks it."""
        try:
            return self.structure[(part, name)]
        except KeyError:
            raise CorpusError(f"bank {self.name}: structure/{part}.yaml is missing (needs '{name}')") from None

    def has_part(self, part: str) -> bool:
        return any(p == part for p, _ in self.structure)

    def all_entries(self) -> Iterable[Entry]:
        for tb in self.themes.values():
            for entries in tb.kinds.values():
                yield from entries
        for entries in self.structure.values():
            yield from entries


# --------------------------------------------------------------------------------------------------
# validation


def check_template(text: str, where: str, allow_alternations: bool = True) -> None:
    """Raise CorpusError (prefixed with `where`) when `text` has bad brackets or placeholders."""
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: empty or non-text entry")
    depth = 0
    for ch in text:
        if ch == "[":
            depth += 1
            if depth > 1:
                raise CorpusError(f"{where}: nested alternation '[..[..]..]' in: {text}")
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise CorpusError(f"{where}: unbalanced ']' in: {text}")
        elif ch == "|" and depth == 0:
            raise CorpusError(f"{where}: '|' outside an alternation in: {text}")
    if depth:
        raise CorpusError(f"{where}: unbalanced '[' in: {text}")
    if not allow_alternations and "[" in text:
        raise CorpusError(f"{where}: alternations are not allowed in this list: {text}")
    stripped = _PLACEHOLDER.sub("", text)
    if "{" in stripped or "}" in stripped:
        raise CorpusError(f"{where}: unbalanced '{{' or '}}' in: {text}")
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            raise CorpusError(
                f"{where}: unknown placeholder {{{name}}} (known: {', '.join(sorted(PLACEHOLDERS))}) in: {text}"
            )


def _entry(raw: object, template: str, where: str, theme_ids: frozenset[str], own_theme: str | None,
           allow_alternations: bool = True) -> Entry:
    if isinstance(raw, str):
        check_template(raw, where, allow_alternations)
        return Entry(template, raw.strip())
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: an entry must be a string or a mapping with 'text', got {type(raw).__name__}")
    unknown = set(raw) - {"text", "ages", "also"}
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} (allowed: text, ages, also)")
    text = raw.get("text")
    if not isinstance(text, str):
        raise CorpusError(f"{where}: 'text' is missing or not a string")
    check_template(text, where, allow_alternations)
    ages = raw.get("ages") or []
    if not isinstance(ages, list) or not all(isinstance(a, str) for a in ages):
        raise CorpusError(f"{where}: 'ages' must be a list of age bands ({', '.join(AGE_BANDS)})")
    bad = [a for a in ages if a not in AGE_BANDS]
    if bad:
        raise CorpusError(f"{where}: unknown age band(s) {', '.join(bad)} (known: {', '.join(AGE_BANDS)})")
    also = raw.get("also") or []
    if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
        raise CorpusError(f"{where}: 'also' must be a list of theme ids")
    bad = [a for a in also if a not in theme_ids]
    if bad:
        raise CorpusError(f"{where}: 'also' names unknown theme(s) {', '.join(bad)}")
    if own_theme is not None and own_theme in also:
        raise CorpusError(f"{where}: 'also' repeats the file's own theme {own_theme}")
    if own_theme is None and also:
        raise CorpusError(f"{where}: 'also' is only allowed in theme files")
    return Entry(template, text.strip(), tuple(dict.fromkeys(ages)), tuple(dict.fromkeys(also)))


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise CorpusError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping at the top level")
    return data


def load_theme_file(path: Path, bank: str, theme_ids: Sequence[str]) -> ThemeBank:
    """One `<bank>/themes/<theme>.yaml` -> ThemeBank. The theme id is the file name."""
    data = _read_yaml(path)
    theme = path.stem
    ids = frozenset(theme_ids)
    if theme not in ids:
        raise CorpusError(f"{path}: '{theme}' is not a theme id of the codebook")
    if data.get("theme", theme) != theme:
        raise CorpusError(f"{path}: 'theme: {data.get('theme')}' does not match the file name '{theme}'")
    if "bank" in data and str(data["bank"]) != bank:
        raise CorpusError(f"{path}: 'bank: {data['bank']}' but the file is in bank '{bank}'")
    unknown = [k for k in data if k not in THEME_KINDS and k not in _META_KEYS]
    if unknown:
        raise CorpusError(f"{path}: unknown kind(s) {', '.join(map(str, unknown))} (known: {', '.join(THEME_KINDS)})")
    kinds: dict[str, tuple[Entry, ...]] = {}
    for kind in THEME_KINDS:
        raw = data.get(kind)
        if raw is None:
            raise CorpusError(f"{path}: kind '{kind}' is missing")
        if not isinstance(raw, list) or not raw:
            raise CorpusError(f"{path}: '{kind}' must be a non-empty list")
        kinds[kind] = tuple(
            _entry(item, f"{bank}/{theme}/{kind}/{n}", f"{path}: {kind} entry {n}", ids, theme)
            for n, item in enumerate(raw, start=1)
        )
    return ThemeBank(theme, kinds)


def load_structure_file(path: Path, bank: str) -> dict[tuple[str, str], tuple[Entry, ...]]:
    """One `<bank>/structure/<part>.yaml` -> {(part, list): entries}."""
    part = path.stem
    if part not in STRUCTURE_PARTS:
        raise CorpusError(f"{path}: unknown structure part '{part}' (known: {', '.join(STRUCTURE_PARTS)})")
    data = _read_yaml(path)
    if "bank" in data and str(data["bank"]) != bank:
        raise CorpusError(f"{path}: 'bank: {data['bank']}' but the file is in bank '{bank}'")
    wanted = STRUCTURE_PARTS[part]
    unknown = [k for k in data if k not in wanted and k not in _META_KEYS]
    if unknown:
        raise CorpusError(f"{path}: unknown list(s) {', '.join(map(str, unknown))} (known: {', '.join(wanted)})")
    out: dict[tuple[str, str], tuple[Entry, ...]] = {}
    for name in wanted:
        raw = data.get(name)
        if raw is None:
            raise CorpusError(f"{path}: list '{name}' is missing")
        if not isinstance(raw, list) or not raw:
            raise CorpusError(f"{path}: '{name}' must be a non-empty list")
        allow = (part, name) not in _NAME_LISTS
        entries = []
        for n, item in enumerate(raw, start=1):
            if isinstance(item, dict):
                raise CorpusError(f"{path}: {name} entry {n}: structure entries must be plain strings")
            entries.append(_entry(item, f"{bank}/{part}/{name}/{n}", f"{path}: {name} entry {n}",
                                  frozenset(), None, allow))
        out[(part, name)] = tuple(entries)
    return out


def load_bank(root: Path, bank: str, theme_ids: Sequence[str], require_complete: bool = False) -> Bank:
    """Load `root/<bank>/`. Missing files are listed in `Bank.missing` (an error if `require_complete`)."""
    base = root / bank
    if not base.is_dir():
        raise CorpusError(f"{base}: bank folder not found")
    themes: dict[str, ThemeBank] = {}
    structure: dict[tuple[str, str], tuple[Entry, ...]] = {}
    missing: list[str] = []
    theme_dir = base / "themes"
    for path in sorted(theme_dir.glob("*.yaml")) if theme_dir.is_dir() else []:
        if path.stem not in theme_ids:
            raise CorpusError(f"{path}: '{path.stem}' is not a theme id of the codebook")
    for theme in theme_ids:
        path = theme_dir / f"{theme}.yaml"
        if path.is_file():
            themes[theme] = load_theme_file(path, bank, theme_ids)
        else:
            missing.append(f"{bank}/themes/{theme}.yaml")
    struct_dir = base / "structure"
    for part in STRUCTURE_PARTS:
        path = struct_dir / f"{part}.yaml"
        if path.is_file():
            structure.update(load_structure_file(path, bank))
        else:
            missing.append(f"{bank}/structure/{part}.yaml")
    if require_complete and missing:
        raise CorpusError(f"bank {bank} at {root} is incomplete; missing: {', '.join(missing)}")
    return Bank(bank, base, themes, structure, tuple(missing))


def entry_texts_overlap(a: Bank, b: Bank) -> list[str]:
    """Sentence templates that occur in both banks (after normalising case and spacing), as
    "a-template = b-template"; cover name lists are not sentences and are not compared."""
    seen = {_norm(e.text): e.template for e in a.all_entries() if not e.template.split("/")[1] == "cover"}
    return sorted(f"{seen[_norm(e.text)]} = {e.template}" for e in b.all_entries()
                  if not e.template.split("/")[1] == "cover" and _norm(e.text) in seen)


# --------------------------------------------------------------------------------------------------
# expansion

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_PUNCT = re.compile(r" +([,;:.!?)])")


def choose_alternations(text: str, rng: random.Random) -> str:
    """Replace every `[a|b|c]` by one of its options, picked with `rng`."""
    return _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), text)


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """Replace every `{name}` by `values[name]`; CorpusError for a name without a value."""

    def sub(m: re.Match[str]) -> str:
        try:
            return values[m.group(1)]
        except KeyError:
            raise CorpusError(f"no value for placeholder {{{m.group(1)}}} in: {text}") from None

    return _PLACEHOLDER.sub(sub, text)


def capitalise_first(text: str) -> str:
    """Upper-case the first letter, skipping leading quotes and brackets."""
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:]
        if ch.isdigit():
            return text
    return text


def tidy(text: str) -> str:
    """Collapse the double spaces and ' ,' that empty options leave behind."""
    text = _SPACES.sub(" ", text.strip())
    text = _SPACE_PUNCT.sub(r"\1", text)
    text = text.replace("( ", "(").replace("' s ", "'s ")
    return text


def expand(text: str, rng: random.Random, values: Mapping[str, str], sentence: bool = True) -> str:
    """A template -> finished text: alternations, placeholders, spacing; first letter capitalised
    and a final full stop added when `sentence` is true."""
    out = tidy(fill_placeholders(choose_alternations(text, rng), values))
    if sentence:
        out = capitalise_first(out)
        if out and out[-1] not in ".!?:;'\"”’)":
            out += "."
        elif out and out[-1] in "'\"”’" and len(out) > 1 and out[-2] not in ".!?,":
            out += "."
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def disjoin(keep: Bank, other: Bank) -> tuple[Bank, list[str]]:
    """`other` without the entries whose text also occurs in `keep` (so the two banks share no
    sentence template), and the template ids dropped. Cover name lists are left alone."""
    seen = {_norm(e.text) for e in keep.all_entries()}
    dropped: list[str] = []

    def filt(entries: tuple[Entry, ...], names: bool) -> tuple[Entry, ...]:
        if names:
            return entries
        out = []
        for e in entries:
            if _norm(e.text) in seen:
                dropped.append(e.template)
            else:
                out.append(e)
        return tuple(out) if out else entries  # never empty a list (an error would be worse than a shared entry)

    themes = {t: ThemeBank(t, {k: filt(v, False) for k, v in tb.kinds.items()}) for t, tb in other.themes.items()}
    structure = {key: filt(v, key[0] == "cover") for key, v in other.structure.items()}
    return Bank(other.name, other.root, themes, structure, other.missing), dropped
