"""Does the shared assertion model tell present sentences from traps in wording it never saw?

Usage:  .venv/bin/python -m benchmarks.assertion_holdout [--bank a] [--assertion-c 30] [--json FILE]

Development measurement on the TRAINING bank only (bank `a` by default; bank `b`, the evaluation
wording, is not read). Every template of the bank's theme files (present, present-but-missed and the
six trap kinds) and of its neutral narrative is expanded twice; 5-fold cross-validation grouped by
template scores each sentence with models that never saw its template. Two sentence scorers, with
the features of one sentence read alone (`pipeline.features.sentence_features`: the bank's sentences
have no neighbours; the shipped model also reads the sentence before, see README):

- theme only: per theme, logistic regression (C=3, class-balanced, traps carrying a cue of the theme
  weighted 3x), present + present-but-missed of the theme against everything else;
- theme x assertion: the same, times one assertion model shared by all themes (present kinds against
  trap kinds of every theme).

Per theme: ROC AUC of present against the theme's traps, and the share of traps scoring at or above
the cut that keeps 80% of present sentences. What `pipeline.train` does with the sentence record is
the same idea on whole reviews.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from benchmarks.hard_negatives import POSITIVE, SECTION, TRAPS, placeholder_values, to_sentences
from pipeline.codebook import load_codebook, load_cues
from pipeline.config import load_config
from pipeline.corpus.banks import expand, load_bank
from pipeline.features import sentence_features
from pipeline.nlp import load_nlp
from pipeline.records import SectionKind

ROOT = Path(__file__).resolve().parent.parent


def _fit(x, y, c: float, weight=None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=300).fit(x, y, sample_weight=weight)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bank", default="a")
    ap.add_argument("--assertion-c", type=float, default=30.0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    cfg = load_config(None)
    codebook = load_codebook(cfg.codebook)
    nlp = load_nlp(cfg.nlp.pipeline, load_cues(cfg.cues, codebook))
    bank = load_bank(ROOT / "corpus" / "banks", args.bank, codebook.ids)
    rng = random.Random(3)
    rows: list[tuple[str, SectionKind, str | None, str, str, tuple[str, ...]]] = []  # text, section, theme, kind, template, also
    for e in bank.part("narrative", "chronology") + bank.part("narrative", "background"):
        rows += [(expand(e.text, rng, placeholder_values(rng)), SectionKind.CHRONOLOGY, None, "neutral", e.template, ()) for _ in range(2)]
    for theme in codebook.ids:
        tb = bank.themes.get(theme)
        for kind in (*TRAPS, *POSITIVE) if tb else ():
            for e in tb.entries(kind):  # type: ignore[union-attr]
                rows += [(expand(e.text, rng, placeholder_values(rng)), SECTION.get(kind, SectionKind.FINDINGS), theme, kind,
                          e.template, tuple(e.also)) for _ in range(2)]
    by_section: dict[SectionKind, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_section[r[1]].append(i)
    sentences: list = [None] * len(rows)
    for section, idx in by_section.items():
        for i, s in zip(idx, to_sentences([rows[i][0] for i in idx], section, nlp)):
            sentences[i] = s
    feats = [sentence_features(s) for s in sentences]
    folds = list(GroupKFold(5).split(feats, np.zeros(len(rows)), np.array([r[4] for r in rows])))
    is_theme = np.array([r[2] is not None for r in rows])
    is_present = np.array([r[3] in POSITIVE for r in rows])

    matrices, asserted = [], np.zeros(len(rows))
    for tr, te in folds:
        vec = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, min_df=2)
        xtr, xte = vec.fit_transform([feats[i] for i in tr]), vec.transform([feats[i] for i in te])
        matrices.append((xtr, xte))
        m = is_theme[tr]
        asserted[te] = _fit(xtr[m], is_present[tr][m].astype(int), args.assertion_c).predict_proba(xte)[:, 1]

    table: dict[str, dict[str, float]] = {}
    totals = {"theme only": [0, 0], "theme x assertion": [0, 0]}
    for theme in codebook.ids:
        y = np.array([int(r[3] in POSITIVE and (r[2] == theme or theme in r[5])) for r in rows])
        trap = np.array([r[2] == theme and r[3] in TRAPS for r in rows])
        if not y.any() or not trap.any():
            continue
        cue = np.array([any(t.startswith(f"cue:{theme}") for t in s.tags) for s in sentences])
        theme_p = np.zeros(len(rows))
        for (tr, te), (xtr, xte) in zip(folds, matrices):
            w = np.ones(len(tr))
            w[(y[tr] == 0) & cue[tr]] = 3.0
            theme_p[te] = _fit(xtr, y[tr], 3.0, w).predict_proba(xte)[:, 1]
        entry: dict[str, float] = {}
        for name, score in (("theme only", theme_p), ("theme x assertion", theme_p * asserted)):
            pres, traps = score[y == 1], score[trap]
            cut = np.quantile(pres, 0.2)
            auc = roc_auc_score(np.r_[np.ones(len(pres)), np.zeros(len(traps))], np.r_[pres, traps])
            entry[f"{name}: auc"] = round(float(auc), 3)
            entry[f"{name}: traps at 80% recall"] = round(float((traps >= cut).mean()), 3)
            totals[name][0] += len(traps)
            totals[name][1] += int((traps >= cut).sum())
        table[theme] = entry
        print(f"{theme:27} " + "  ".join(f"{k} {v:.3f}" for k, v in entry.items()), flush=True)
    summary = {name: {"mean auc": round(float(np.mean([t[f"{name}: auc"] for t in table.values()])), 3),
                      "traps at 80% recall": round(n_hit / n, 3)} for name, (n, n_hit) in totals.items()}
    print(json.dumps(summary))
    if args.json:
        args.json.write_text(json.dumps({"bank": args.bank, "assertion_c": args.assertion_c, "table": table, "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
