"""How much a built corpus repeats itself, and what it contains.

Consumes a corpus folder written by `build_corpus` (texts/, codes.csv, build.json) and the banks it
was built from. The corpus is regenerated in memory from build.json (which also checks that the
committed texts are exactly what the generator produces) so that every sentence is known with its
bank template. Produces a dict of figures:

- exact-text repetition: the share of non-boilerplate sentences (theme sentences, neutral narrative,
  incident statements; not statutory boilerplate, glossary definitions, headings or connective
  lead-ins) whose exact text appears in more than one document, counted over sentence occurrences
  and over distinct sentences;
- template reuse: the share of templates (bank entries before expansion) used in more than one
  document, and the number of templates used by both the bank-a and the bank-b reviews (must be 0);
- counts per theme and split, per document kind, words.

Raises CorpusError when the folder is not a built corpus or its texts do not match the regeneration.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pipeline.codebook import load_codebook
from pipeline.corpus.build import SENTENCES_GZ, generate_corpus, load_banks, split_counts
from pipeline.corpus.generate import review_text
from pipeline.errors import CorpusError
from pipeline.export import open_text

CONTENT_UNITS = frozenset({"theme", "neutral", "incident"})


def _shares(doc_units: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    """Repetition figures over {document: [(template, text), ...]}."""
    text_docs: dict[str, set[str]] = defaultdict(set)
    tpl_docs: dict[str, set[str]] = defaultdict(set)
    occurrences = 0
    for doc, units in doc_units.items():
        for template, text in units:
            text_docs[text].add(doc)
            for part in template.split("+"):  # two statements joined into one sentence
                tpl_docs[part].add(doc)
            occurrences += 1
    repeated_occ = sum(1 for units in doc_units.values() for _, text in units if len(text_docs[text]) > 1)
    return {
        "sentences": occurrences,
        "distinct_sentences": len(text_docs),
        "repeated_occurrence_share": round(repeated_occ / occurrences, 4) if occurrences else 0.0,
        "repeated_distinct_share": round(sum(1 for d in text_docs.values() if len(d) > 1) / len(text_docs), 4)
        if text_docs else 0.0,
        "templates": len(tpl_docs),
        "templates_reused_share": round(sum(1 for d in tpl_docs.values() if len(d) > 1) / len(tpl_docs), 4)
        if tpl_docs else 0.0,
        "mean_documents_per_template": round(sum(len(d) for d in tpl_docs.values()) / len(tpl_docs), 2)
        if tpl_docs else 0.0,
    }


def corpus_stats(corpus_dir: Path, banks_root: Path, codebook_path: Path | None = None) -> dict[str, Any]:
    """The figures described in the module docstring, for the corpus in `corpus_dir`."""
    manifest_path = corpus_dir / "build.json"
    if not manifest_path.is_file():
        raise CorpusError(f"{corpus_dir}: no build.json; is this a folder written by 'corpus build'?")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    codebook = load_codebook(codebook_path or Path(__file__).resolve().parents[2] / "corpus" / "codebook.csv")
    banks, _ = load_banks(banks_root, codebook.ids, manifest["bank"])
    counts = split_counts(int(manifest["n"]), manifest["bank"], float(manifest["eval_share"]))
    reviews = generate_corpus(banks, codebook.ids, counts, int(manifest["seed"]), manifest.get("kinds"))
    texts = corpus_dir / "texts"
    for review in reviews:
        path = texts / f"{review.stem}.md"
        if not path.is_file() or path.read_text(encoding="utf-8") != review_text(review):
            raise CorpusError(f"{path}: differs from what the generator produces from {banks_root} with seed "
                              f"{manifest['seed']}; rebuild the corpus (make corpus)")

    content = {r.stem: [(t, x) for c, t, x in r.units if c in CONTENT_UNITS] for r in reviews}
    everything = {r.stem: [(t, x) for c, t, x in r.units] for r in reviews}
    by_bank: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(dict)
    for r in reviews:
        by_bank[r.bank][r.stem] = content[r.stem]
    tpl_bank: dict[str, set[str]] = defaultdict(set)
    for r in reviews:
        for c, t, _ in r.units:
            tpl_bank[r.bank].update(t.split("+"))
    text_bank: dict[str, set[str]] = defaultdict(set)
    for r in reviews:
        for c, _, x in r.units:
            if c in CONTENT_UNITS:
                text_bank[r.bank].add(x)

    themes: dict[str, dict[str, int]] = {t: {} for t in codebook.ids}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    words: Counter[str] = Counter()
    for r in reviews:
        for t in codebook.ids:
            themes[t][r.bank] = themes[t].get(r.bank, 0) + (1 if t in r.themes else 0)
        kinds[r.bank][r.kind] += 1
        words[r.bank] += r.words
    record: Counter[str] = Counter()
    sentences_path = next((p for p in (corpus_dir / SENTENCES_GZ, corpus_dir / "sentences.csv") if p.is_file()), None)
    if sentences_path is not None:
        with open_text(sentences_path) as fh:
            for row in csv.DictReader(fh):
                record[row["kind"]] += 1
    stats: dict[str, Any] = {
        "corpus": str(corpus_dir),
        "reviews": {b: len(v) for b, v in sorted(by_bank.items())},
        "words": dict(sorted(words.items())),
        "kinds": {b: dict(sorted(c.items())) for b, c in sorted(kinds.items())},
        "themes_present": themes,
        "sentence_record": dict(sorted(record.items())),
        "non_boilerplate": _shares(content),
        "non_boilerplate_by_bank": {b: _shares(d) for b, d in sorted(by_bank.items())},
        "all_text_units": _shares(everything),
        "templates_shared_between_banks": len(tpl_bank.get("a", set()) & tpl_bank.get("b", set())),
        "sentences_shared_between_banks": len(text_bank.get("a", set()) & text_bank.get("b", set())),
    }
    return stats


def format_stats(stats: dict[str, Any]) -> str:
    """A short human-readable report of `corpus_stats`."""
    nb = stats["non_boilerplate"]
    lines = [
        f"corpus {stats['corpus']}: " + ", ".join(f"{n} reviews from bank {b}" for b, n in stats["reviews"].items()),
        "words: " + ", ".join(f"bank {b}: {n:,}" for b, n in stats["words"].items()),
        "",
        "repetition of non-boilerplate sentences (theme, narrative and incident sentences):",
        f"  {nb['sentences']:,} sentences, {nb['distinct_sentences']:,} distinct",
        f"  share of sentences whose exact text appears in more than one document: {nb['repeated_occurrence_share']:.1%}",
        f"  share of distinct sentences that appear in more than one document:     {nb['repeated_distinct_share']:.1%}",
        f"  templates used: {nb['templates']:,}; used in more than one document: {nb['templates_reused_share']:.1%}"
        f" (mean {nb['mean_documents_per_template']} documents per template)",
    ]
    for b, s in stats["non_boilerplate_by_bank"].items():
        lines.append(f"  bank {b}: exact-text repetition {s['repeated_occurrence_share']:.1%} of {s['sentences']:,} sentences;"
                     f" templates reused {s['templates_reused_share']:.1%} of {s['templates']:,}")
    al = stats["all_text_units"]
    lines += [
        f"all text units including boilerplate, glossary and lead-ins: exact-text repetition "
        f"{al['repeated_occurrence_share']:.1%} of {al['sentences']:,}",
        f"templates used by both splits: {stats['templates_shared_between_banks']}; "
        f"sentences in both splits: {stats['sentences_shared_between_banks']}",
        "",
        "reviews with each theme present (bank a / bank b):",
    ]
    for theme, per in stats["themes_present"].items():
        lines.append(f"  {theme:28s} " + " / ".join(str(per.get(b, 0)) for b in stats["reviews"]))
    lines.append("document kinds: " + "; ".join(
        f"bank {b}: " + ", ".join(f"{k} {n}" for k, n in c.items()) for b, c in stats["kinds"].items()))
    lines.append("sentence record: " + ", ".join(f"{k} {n}" for k, n in stats["sentence_record"].items()))
    return "\n".join(lines)
