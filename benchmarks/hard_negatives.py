"""The hard-negative suite: how often does a sentence that mentions a theme WITHOUT it being present
flag the theme?

Usage:  .venv/bin/python -m benchmarks.hard_negatives [--model models/default] [--bank b] [--copies 3]

The sentences are the six trap kinds of the evaluation bank (bank b by default, never used in
training): negated, ruled out, hypothetical, generic (national context, research, learning points),
recommendation, and other subject (a parent's own childhood, another family). Each template is
expanded `--copies` times with varied names and alternations. Two figures per theme and kind:

- sentence: the share of trap sentences whose own probability reaches the theme's threshold (the
  strictest reading: one sentence on its own);
- review: the share of reviews flagged when the trap sentence is added to a neutral review (40
  neutral narrative sentences of the same bank, placed in the section a review would put it in:
  findings, or recommendations / terms of reference for those kinds) - what an analyst would see.

Every sentence is read on its own (each is its own review to the model): the neutral sentences are
unrelated to each other and to the trap, so a model that reads the sentence before (feature version
4) is given none, rather than a neighbour no review would put there.

Present and present-but-missed sentences are reported too (as recall, in the same two readings), so
a model cannot pass by flagging nothing.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from pipeline.classify import load_theme_model
from pipeline.codebook import load_codebook, load_cues
from pipeline.config import Config, load_config
from pipeline.corpus.banks import expand, load_bank
from pipeline.model import ThemeModel, review_scores
from pipeline.nlp import load_nlp, normalise, sentence_tags
from pipeline.records import Codebook, SectionKind, Sentence

TRAPS = ("negated", "ruled_out", "hypothetical", "generic", "recommendation", "other_subject")
POSITIVE = ("present", "present_missed")
SECTION = {"recommendation": SectionKind.RECOMMENDATIONS, "hypothetical": SectionKind.TERMS_OF_REFERENCE}
ROOT = Path(__file__).resolve().parent.parent


def placeholder_values(rng: random.Random) -> dict[str, str]:
    child = rng.choice(["Child T", "Baby J", "Kai", "Young Person F", "Amira", "Child LW", "Riley"])
    he = rng.choice(["he", "she"])
    return {
        "child": child, "he": he, "him": "him" if he == "he" else "her", "his": "his" if he == "he" else "her",
        "himself": "himself" if he == "he" else "herself", "mother": rng.choice(["Mother", "Ms A", f"{child}'s mother"]),
        "father": rng.choice(["Father", "Mr B"]), "partner": rng.choice(["Mr C", "Mother's partner"]),
        "sibling": rng.choice(["the older sibling", f"{child}'s sister"]), "school": "Hillcrest Academy",
        "area": "Thornbury", "month": rng.choice(["March", "October"]), "year": rng.choice(["2016", "2021"]),
        "date": rng.choice(["4 March 2021", "17 October 2016"]), "age": rng.choice(["nine", "14", "11 weeks"]),
    }


def to_sentences(texts: list[str], section: SectionKind, nlp: object) -> list[Sentence]:
    out = []
    for i, doc in enumerate(nlp.pipe(texts)):  # type: ignore[attr-defined]
        span = doc[:]
        # each its own review: a sentence of the suite is read alone, never with the one listed before it
        out.append(Sentence(f"suite-{i}", i, 1, section, doc.text, normalise(span), sentence_tags(span)))
    return out


def trained_model(folder: Path | None) -> tuple[Config, Codebook, ThemeModel]:
    """The project's config and codebook and the trained model in `folder` (default: config `model`);
    exits with a message for the keyword baseline, which has no sentence probabilities."""
    cfg = load_config(None)
    codebook = load_codebook(cfg.codebook)
    model = load_theme_model(cfg, codebook, folder or cfg.model)
    if not isinstance(model, ThemeModel):
        raise SystemExit("this benchmark needs a trained model (not the keyword baseline)")
    return cfg, codebook, model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--bank", default="b")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()

    cfg, codebook, model = trained_model(args.model)
    nlp = load_nlp(cfg.nlp.pipeline, load_cues(cfg.cues, codebook))
    bank = load_bank(ROOT / "corpus" / "banks", args.bank, codebook.ids)
    rng = random.Random(args.seed)

    neutral_texts = [expand(e.text, rng, placeholder_values(rng)) for e in bank.part("narrative", "chronology")[:20]]
    neutral_texts += [expand(e.text, rng, placeholder_values(rng)) for e in bank.part("narrative", "background")[:20]]
    neutral = to_sentences(neutral_texts, SectionKind.CHRONOLOGY, nlp)
    neutral_probs = model.sentence_probabilities(neutral)

    table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # kind group -> [n, sentence hits, review hits]
    for j, theme in enumerate(model.themes):
        tb = bank.themes.get(theme)
        if tb is None:
            continue
        thr = model.thresholds[theme]
        for kind in (*TRAPS, *POSITIVE):
            texts = [expand(e.text, rng, placeholder_values(rng)) for e in tb.entries(kind) for _ in range(args.copies)]
            if not texts:
                continue
            sents = to_sentences(texts, SECTION.get(kind, SectionKind.FINDINGS), nlp)
            p = model.sentence_probabilities(sents)[:, j]
            sentence_hits = int((p >= thr).sum())
            review_hits = 0
            for pi in p:
                probs = np.concatenate([neutral_probs[:, j], [pi]])[:, None]
                review_hits += int(review_scores(probs, model.top_k)[0] >= thr)
            table[theme][kind] = {"n": len(texts), "sentence": round(sentence_hits / len(texts), 3), "review": round(review_hits / len(texts), 3)}
            group = "traps" if kind in TRAPS else "present"
            totals[group][0] += len(texts)
            totals[group][1] += sentence_hits
            totals[group][2] += review_hits

    print(f"model {model.model_id}, bank {args.bank} ({args.copies} expansions per template)")
    print(f"{'theme':27}" + "".join(f"{k[:10]:>12}" for k in (*TRAPS, *POSITIVE)))
    for theme, kinds in table.items():
        print(f"{theme:27}" + "".join(f"{kinds[k]['sentence']:>6.2f}/{kinds[k]['review']:<5.2f}" if k in kinds else f"{'-':>12}" for k in (*TRAPS, *POSITIVE)))
    print("(each cell: sentence reading / review reading)")
    for group, (n, s, r) in totals.items():
        label = "flagged" if group == "traps" else "found (recall)"
        print(f"{group}: {n} sentences; {label}: {100 * s / n:.1f}% as single sentences, {100 * r / n:.1f}% as reviews")
    if args.json:
        args.json.write_text(json.dumps({"model": model.model_id, "bank": args.bank, "table": table,
                                         "totals": {g: dict(zip(("n", "sentence", "review"), v)) for g, v in totals.items()}}, indent=2))


if __name__ == "__main__":
    main()
