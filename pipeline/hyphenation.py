"""Words split by a hyphen at a line end -> the word as written.

Consumes the two fragments around a line-end hyphen and what the document itself says (how often the
joined and the hyphenated forms occur elsewhere in it). Produces the joined text: "neg-" + "lect" ->
"neglect", but "multi-" + "agency" -> "multi-agency". Word breaks lines after real hyphens far more
often than it hyphenates words, so the hyphen is kept unless the document or the dictionary says
the joined word is a word.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Prefixes that make hyphenated compounds in this literature: "self-harm", "non-accidental", "co-sleeping".
# Longer prefixes ("multi", "inter", "pre") are left to the dictionary: "multi-" + "ple" is "multiple".
COMPOUND_PREFIXES = frozenset({"self", "non", "co", "cross", "well", "half"})
# spaCy's English lexeme log-probabilities; words rarer than this are more often noise than words.
_MIN_LOG_PROB = -18.0
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def word_key(token: str) -> str:
    """A token lower-cased without surrounding punctuation: the unit of the document vocabulary."""
    if token.isalnum():  # the usual token: nothing for `_EDGE_PUNCT` to strip (\w is alphanumeric or _)
        return token.lower()
    return _EDGE_PUNCT.sub("", token).lower()


WORDLIST = "english-words.txt.gz"


def build_wordlist(target: Path) -> int:
    """Write the dictionary of common English words (one per line, gzipped); returns the count.

    Derived from spaCy's English lexeme probabilities in spacy-lookups-data (MIT licence), which
    takes a second and 200 MB to parse: so it is done once, by scripts/build_wordlist.py.
    """
    blob = (resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz").read_bytes()
    probs: dict[str, float] = json.loads(gzip.decompress(blob))
    words = sorted(w for w, p in probs.items() if p >= _MIN_LOG_PROB and w.isalpha() and w.islower())
    target.write_bytes(gzip.compress(("\n".join(words) + "\n").encode(), mtime=0))
    return len(words)


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Common lower-case English words (pipeline/data/english-words.txt.gz), loaded once per process."""
    blob = (resources.files("pipeline") / "data" / WORDLIST).read_bytes()
    return frozenset(gzip.decompress(blob).decode().split())


class Dehyphenator:
    """Decides, for one document, whether a line-end hyphen belongs to the word."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens: Iterable[str] | None = tokens
        self._counts: Counter[str] | None = None

    @property
    def counts(self) -> Counter[str]:
        """How often each `word_key` occurs in the document; counted on first use (most documents
        have few line-end hyphens, some none)."""
        if self._counts is None:
            self._counts = Counter(k for k in (word_key(t) for t in self._tokens or ()) if k)
            self._tokens = None
        return self._counts

    def join(self, head: str, tail: str) -> str:
        """`head` ends with "-" (the last token of a line), `tail` is the first token of the next line."""
        stem = head[:-1]
        first = word_key(stem.split("-")[-1]) if stem else ""
        rest = word_key(tail)
        if not first or not rest or not stem[-1:].isalpha() or not tail[:1].isalpha():
            return head + tail
        if tail[:1].isupper():  # "Anglo-" + "Saxon", "Child-" + "Led"
            return head + tail
        joined = first + rest
        hyphenated = f"{first}-{rest}"
        n_joined, n_hyphenated = self.counts[joined], self.counts[hyphenated]
        if n_joined or n_hyphenated:
            return stem + tail if n_joined >= n_hyphenated else head + tail
        if "-" in stem:  # "mother-in-" + "law": already a compound
            return head + tail
        if first not in COMPOUND_PREFIXES and joined in dictionary():
            return stem + tail
        return head + tail
