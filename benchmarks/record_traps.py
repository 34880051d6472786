"""Trap and present sentences of a coded sentence record, scored in their own reviews.

Usage:  .venv/bin/python -m benchmarks.record_traps PDF_DIR RECORD.csv [--model models/default] [--json FILE]

The hard-negative suite (`benchmarks.hard_negatives`) scores trap sentences of the evaluation bank
one at a time; this scores the sentences a coder recorded in whole reviews (e.g. `corpus/written-eval`:
reviews written in full, never trained on), after extraction from the PDFs, as `run` would. For each
record row it finds the review's sentence(s) with that text and reports, per kind (present,
present_missed, negated, ruled_out, hypothetical, generic, recommendation, other_subject), the share
whose probability for the row's theme reaches the theme's threshold: for traps that is how often a
trap sentence on its own would flag, for present kinds how often a sentence that says the theme is
recognised.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

from benchmarks.hard_negatives import trained_model
from pipeline.batch import extract_sentences
from pipeline.export import open_text
from pipeline.features import scored
from pipeline.train import TrainDoc, record_matches
from pipeline.training import read_sentence_record

KINDS = ("present", "present_missed", "negated", "ruled_out", "hypothetical", "generic", "recommendation", "other_subject")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdfs", type=Path)
    ap.add_argument("record", type=Path)
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    cfg, _codebook, model = trained_model(args.model)
    kinds: dict[tuple[str, str], str] = {}  # read_sentence_record keeps no kind: read it beside
    with open_text(args.record, "utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            kinds[(row["file"], row["text"])] = row.get("kind") or ("present" if row["label"] == "1" else "negated")
    record = read_sentence_record(args.record)
    files = sorted(record)
    extracted = extract_sentences([args.pdfs / f for f in files], args.pdfs, cfg, args.jobs)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind -> [n, reaching threshold]
    unmatched = 0
    for key, (_ex, sentences) in extracted.items():
        file = next(f for f in files if (args.pdfs / f).resolve() == Path(key).resolve() or key.endswith(f))
        doc = TrainDoc(file, tuple(scored(sentences)), {})
        probs = model.sentence_probabilities(doc.sentences)
        for row in record[file]:
            text, theme = row[0], row[1]
            if theme not in model.themes:
                continue
            found = [i for i, _t, _l in record_matches(doc, [row])]
            if not found:
                unmatched += 1
                continue
            kind = kinds.get((file, text), "present" if int(row[2]) else "negated")
            counts[kind][0] += 1
            counts[kind][1] += int(max(float(probs[i, model.themes.index(theme)]) for i in found) >= model.thresholds[theme])
    table = {k: {"n": counts[k][0], "reach threshold": round(counts[k][1] / counts[k][0], 3)} for k in KINDS if counts[k][0]}
    traps = [counts[k] for k in KINDS[2:]]
    n_traps, hit_traps = sum(c[0] for c in traps), sum(c[1] for c in traps)
    print(f"model {model.model_id}; {len(files)} reviews; {unmatched} record rows not found in the extracted text")
    for k, v in table.items():
        print(f"  {k:16} {v['n']:5}  {100 * v['reach threshold']:5.1f}% reach the threshold")
    if n_traps:
        print(f"traps: {n_traps} sentences, {100 * hit_traps / n_traps:.1f}% reach the threshold")
    if args.json:
        args.json.write_text(json.dumps({"model": model.model_id, "reviews": len(files), "unmatched": unmatched, "table": table,
                                         "traps": {"n": n_traps, "reach threshold": round(hit_traps / n_traps, 3) if n_traps else None}}, indent=2) + "\n")


if __name__ == "__main__":
    main()
