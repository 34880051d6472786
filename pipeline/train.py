"""Coded reviews -> a fitted `ThemeModel` with cross-validated thresholds and a model card.

Consumes, per coded review, its scored sentences and its review-level codes (1, 0 or not coded per
theme); optionally a sentence record (which sentences express which theme, as the generated corpus
provides) and/or a base model. Produces a `ThemeModel` whose card holds per-theme cross-validated
precision, recall, F1, sensitivity, specificity and threshold.

Why sentences: a review is flagged when its sentences express the theme, so the model scores
sentences and takes the mean of the few highest as the review's score. This keeps negated, generic and
hypothetical mentions from counting (they are negative sentences), gives the evidence for free, and
carries over to reviews of any length. Analysts code whole reviews, not sentences, so without a
sentence record the sentence labels are learned as multiple-instance learning: every sentence of a
review coded 0 is a negative; in a review coded 1 the sentences the current model (or, at first, a
review-level model plus the cue lexicon) scores highest are taken as the positives, and the choice is
refined over a few rounds.

Why two models: a theme model per theme (does this sentence express T?) and one assertion model
shared by all themes (is the mention asserted of this child, family and case?). Trained on every
theme's negated, ruled-out, hypothetical, generic, recommendation and other-person sentences at once,
the assertion model learns how reviews say "not here" sixteen times over, so it recognises a trap
worded in a way never seen for that theme. Its training data comes from a sentence record (rows with
a theme: label 1 = asserted, 0 = a trap); a model trained from review codes alone keeps the assertion
model of its base model, unchanged. Measured on the training bank with cross-validation grouped by
template (held-out wording): present-vs-trap AUC 0.82 -> 0.93 and the share of traps scoring above
the 80%-recall cut 33% -> 12%.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from pipeline.features import FEATURES_VERSION, context_columns, fit_transform, review_features, transform
from pipeline.model import AssertionModel, ThemeModel, asserted_probabilities, assertion_features, review_scores, sigmoid
from pipeline.records import Sentence

MIN_PER_CLASS = 8  # fewer coded positives or negatives than this: trained, but marked unreliable
MIN_CALIBRATION = 5  # calibration reviews needed per class before a theme's threshold is chosen on them


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters recorded in the card."""

    c: float = 3.0
    min_df: int = 2
    max_features: int = 30000  # 60,000 scored within noise of it (README, Quality) at a third more space
    folds: int = 5
    seed: int = 13
    mil_top_k: int = 3
    mil_rounds: int = 2
    top_k: int = 3  # review score = mean of the top_k sentence probabilities
    hard_negative_weight: float = 1.0  # weight of negative sentences that carry a cue of the theme (see README)
    assertion_c: float = 30.0  # inverse regularisation of the shared assertion model
    assertion_max_features: int | None = 15000  # the assertion model's vocabulary: the most frequent features
    # rows are divided by at least this quantile of the training sentences' tf-idf norms (0: plain l2),
    # so a short sentence is not stretched to the weight of a whole one (features.transform)
    norm_floor_quantile: float = 0.25
    # a sentence also reads the lemmas of the sentence before it (features.review_features; 0: none)
    context: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.norm_floor_quantile < 1.0:
            raise ValueError(f"norm_floor_quantile must be in [0, 1), not {self.norm_floor_quantile}")
        if self.context not in (0, 1):
            raise ValueError(f"context must be 0 or 1, not {self.context}")


@dataclass(frozen=True)
class TrainDoc:
    """One coded review: its scored sentences and codes (theme -> 0/1, absent = not coded)."""

    file: str
    sentences: tuple[Sentence, ...]
    codes: Mapping[str, int]


# A sentence record: file -> [(sentence text, theme, label)] or [(text, theme, label, template id)]
SentenceRecord = Mapping[str, Sequence[tuple]]
Log = Callable[[str], None]


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _record_hits(doc: TrainDoc, record: Sequence[tuple]) -> list[tuple[int, tuple]]:
    """(sentence index, record row) for every record row that matches a sentence of the review (texts
    compared after normalisation; a record sentence may span several of ours)."""
    keys = [_key(s.text) for s in doc.sentences]
    out: list[tuple[int, tuple]] = []
    for row in record:
        rk = _key(row[0])
        if len(rk) < 12:
            continue
        out.extend((i, row) for i, k in enumerate(keys) if rk in k or (len(k) >= 25 and k in rk))
    return out


def record_matches(doc: TrainDoc, record: Sequence[tuple]) -> list[tuple[int, str, int]]:
    """(sentence index, theme, label) for every record row with a theme that matches a sentence."""
    return [(i, row[1], int(row[2])) for i, row in _record_hits(doc, record) if row[1]]


def wording_groups(doc: TrainDoc, record: Sequence[tuple]) -> list[str] | None:
    """Per sentence, the id of the wording it was written from: the template id of the record row it
    matches, else its own normalised text. None when the record carries no template ids."""
    if not any(len(row) > 3 and row[3] for row in record):
        return None
    groups = [f"text:{_key(s.text)}" for s in doc.sentences]
    for i, row in _record_hits(doc, record):
        if len(row) > 3 and row[3] and groups[i].startswith("text:"):
            groups[i] = f"template:{row[3]}"
    return groups


def record_labels(doc: TrainDoc, record: Sequence[tuple], themes: Sequence[str]) -> dict[str, np.ndarray]:
    """Sentence labels per theme from a sentence record (1 where a record row of the theme says 1)."""
    labels = {t: np.zeros(len(doc.sentences), dtype=np.int8) for t in themes}
    for i, theme, label in record_matches(doc, record):
        if label == 1 and theme in labels:
            labels[theme][i] = 1
    return labels


def _fit_lr(
    x: sp.csr_matrix, y: np.ndarray, c: float, weight: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    if y.min() == y.max():  # one class only: a constant model
        return np.zeros(x.shape[1]), (10.0 if y[0] == 1 else -10.0)
    lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", random_state=0, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr.fit(x, y, sample_weight=weight)
    return lr.coef_.ravel().astype(np.float64), float(lr.intercept_[0])


def _weights(rows: np.ndarray, y: np.ndarray, has_cue: np.ndarray, settings: TrainSettings) -> np.ndarray | None:
    """Sample weights: negatives that use the theme's own vocabulary (negated, hypothetical, generic
    mentions...) count `hard_negative_weight` times, so the model learns the difference between
    talking about a theme and the theme being present."""
    if settings.hard_negative_weight == 1.0:
        return None
    w = np.ones(len(rows))
    w[(y == 0) & has_cue[rows]] = settings.hard_negative_weight
    return w


IDF_DECIMALS = 4  # idf weights are rounded before use, so the saved vocabulary scores exactly as in training
COEF_STEP = 1 / 256  # saved coefficients lie on this grid (then float16): half the repository space of plain float16


@dataclass
class _Vocabulary:
    features: list[str]
    index: dict[str, int]
    idf: np.ndarray
    context: np.ndarray | None  # `context_columns(features)`, found once per vocabulary


def _vocabulary(feats: Sequence[Sequence[str]], min_df: int, max_features: int | None = None) -> _Vocabulary:
    """The feature vocabulary and (rounded) idf weights of training sentences' feature lists."""
    vec = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True, min_df=min_df, max_features=max_features, dtype=np.float64)
    vec.fit(feats)
    features = [str(f) for f in vec.get_feature_names_out()]
    idf = np.round(np.asarray(vec.idf_, dtype=np.float64), IDF_DECIMALS)
    return _Vocabulary(features, {f: i for i, f in enumerate(features)}, idf, context_columns(features))


def stored_coefficients(coef: np.ndarray) -> np.ndarray:
    """Coefficients as the model folder stores them: on the `COEF_STEP` grid, float16-exact."""
    return (np.round(coef / COEF_STEP) * COEF_STEP).astype(np.float16).astype(np.float64)


@dataclass
class _Fitted:
    vocabulary: _Vocabulary
    coef: np.ndarray
    intercept: np.ndarray
    assertion: AssertionModel | None = None
    norm_floor: float = 0.0

    def matrix(self, feats: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """The fit's feature matrix of `feats`, as the saved model will compute it."""
        return transform(feats, self.vocabulary.index, self.vocabulary.idf, self.norm_floor, self.vocabulary.context)


def _fit_assertion(
    feats: Sequence[Sequence[str]], matches: Sequence[Sequence[tuple[int, str, int]]], bounds: np.ndarray,
    keep: np.ndarray, settings: TrainSettings,
) -> AssertionModel | None:
    """The shared assertion model from every record row with a theme (label 1 asserted, 0 a trap) on
    a kept sentence; None when the record gives only one kind."""
    rows: list[int] = []
    y: list[int] = []
    for i, doc_matches in enumerate(matches):
        seen: set[tuple[int, int]] = set()
        for r, _theme, label in doc_matches:
            g = int(bounds[i]) + r
            if (r, label) not in seen and keep[g]:  # one instance per sentence and label
                seen.add((r, label))
                rows.append(g)
                y.append(label)
    if len(set(y)) < 2:
        return None
    train_feats = [feats[r] for r in rows]
    vocab = _vocabulary(train_feats, settings.min_df, settings.assertion_max_features)
    x, floor = fit_transform(train_feats, vocab.index, vocab.idf, settings.norm_floor_quantile, context=vocab.context)
    coef, intercept = _fit_lr(x, np.asarray(y, dtype=np.int8), settings.assertion_c)
    coef = np.round(coef, 4)  # as saved (assertion.json), so a loaded model scores exactly as this one
    return AssertionModel(vocab.features, vocab.idf, coef, intercept, norm_floor=floor, context=settings.context)


def _fit(
    docs: Sequence[TrainDoc],
    themes: Sequence[str],
    settings: TrainSettings,
    record: SentenceRecord | None,
    base: ThemeModel | None,
    exclude: np.ndarray | None = None,
    matches: Sequence[Sequence[tuple[int, str, int]]] | None = None,
) -> _Fitted:
    """Fit on `docs`; sentences marked in `exclude` (over all sentences of all docs, in order) are
    left out of training entirely, and not read as context by the sentence after them: the wording
    cross-validation scores them with this fit. `matches`
    (per doc, `record_matches` of its record rows) is computed here when not given."""
    bounds = np.cumsum([0] + [len(d.sentences) for d in docs])
    hidden = [None if exclude is None else exclude[bounds[i] : bounds[i + 1]] for i in range(len(docs))]
    feats = [f for d, h in zip(docs, hidden) for f in review_features(d.sentences, settings.context, h)]
    keep = np.ones(len(feats), dtype=bool) if exclude is None else ~exclude
    kept_feats = [f for f, k in zip(feats, keep) if k]
    vocab = _vocabulary(kept_feats, settings.min_df, settings.max_features)
    x, floor = fit_transform(feats, vocab.index, vocab.idf, settings.norm_floor_quantile, keep, vocab.context)
    if matches is None:
        matches = [record_matches(d, record.get(d.file, ())) for d in docs] if record is not None else []
    coef = np.zeros((len(themes), x.shape[1]))
    intercept = np.zeros(len(themes))
    all_sentences = [s for d in docs for s in d.sentences]
    base_probs = None
    if base is not None and record is None:
        # review by review: a sentence must never read the last sentence of the review before
        base_probs = np.vstack([base.sentence_probabilities(d.sentences) for d in docs])
    assertion = _fit_assertion(feats, matches, bounds, keep, settings) if record is not None else None
    if assertion is None and base is not None:
        assertion = base.assertion
    # MIL picks a positive review's sentences by the product of theme and assertion probabilities
    if assertion is None:
        asserted = np.ones(len(feats))
    else:
        asserted = assertion.probabilities_from_features([
            f for i, d in enumerate(docs)
            for f in assertion_features(assertion, d.sentences, feats[bounds[i] : bounds[i + 1]], settings.context)
        ])
    for j, theme in enumerate(themes):
        has_cue = np.array([any(t.startswith(f"cue:{theme}") for t in s.tags) for s in all_sentences])
        # cues not negated nor about another person ("often", a generic trigger, is common in narrative)
        has_cue_plain = np.array([bool({f"cue:{theme}", f"cue:{theme}:gen"} & set(s.tags)) for s in all_sentences])
        pos_docs = [i for i, d in enumerate(docs) if d.codes.get(theme) == 1]
        neg_docs = [i for i, d in enumerate(docs) if d.codes.get(theme) == 0]
        neg_idx = np.concatenate([np.arange(bounds[i], bounds[i + 1]) for i in neg_docs]) if neg_docs else np.zeros(0, int)
        neg_idx = neg_idx[keep[neg_idx]]
        if record is not None:
            pos_idx_list, extra_neg = [], []
            for i in pos_docs:
                labels = np.zeros(bounds[i + 1] - bounds[i], dtype=np.int8)
                for r, t, label in matches[i]:
                    if t == theme and label == 1:
                        labels[r] = 1
                rows = np.arange(bounds[i], bounds[i + 1])
                labels, rows = labels[keep[rows]], rows[keep[rows]]
                if labels.any():
                    pos_idx_list.append(rows[labels == 1])
                    extra_neg.append(rows[labels == 0])
                elif docs[i].file not in record:
                    # A review the record does not cover (e.g. an analyst's coded review trained beside
                    # the generated corpus): its sentences with a cue of the theme that is not negated
                    # stand in as positives, as at the start of multiple-instance learning; the others
                    # are left out.
                    cue_rows = rows[has_cue_plain[rows]]
                    pos_idx_list.append(cue_rows[: settings.mil_top_k * 2])
            pos_idx = np.concatenate(pos_idx_list) if pos_idx_list else np.zeros(0, int)
            train_neg = np.concatenate([neg_idx, *extra_neg]) if extra_neg else neg_idx
            rows = np.concatenate([pos_idx, train_neg])
            y = np.concatenate([np.ones(len(pos_idx), np.int8), np.zeros(len(train_neg), np.int8)])
            if len(rows) == 0:
                coef[j], intercept[j] = np.zeros(x.shape[1]), -10.0
            else:
                coef[j], intercept[j] = _fit_lr(x[rows], y, settings.c, _weights(rows, y, has_cue, settings))
            continue
        # Multiple-instance learning from review-level codes.
        if not pos_docs:
            coef[j], intercept[j] = np.zeros(x.shape[1]), -10.0
            continue
        if base_probs is not None and theme in base.themes:  # type: ignore[union-attr]
            scores = base_probs[:, base.themes.index(theme)]  # type: ignore[union-attr]  # already x assertion
        else:
            doc_x = sp.vstack([sp.csr_matrix(x[bounds[i] : bounds[i + 1]].sum(axis=0)) for i in (*pos_docs, *neg_docs)])
            doc_y = np.array([1] * len(pos_docs) + [0] * len(neg_docs), dtype=np.int8)
            w, b = _fit_lr(sp.csr_matrix(doc_x), doc_y, settings.c)
            cue = np.array([any(t == f"cue:{theme}" for t in s.tags) for d in docs for s in d.sentences], dtype=float)
            scores = sigmoid(x @ w + b + 2.0 * cue) * asserted
        for _ in range(settings.mil_rounds + 1):
            pos_sel = []
            for i in pos_docs:
                rows = np.arange(bounds[i], bounds[i + 1])
                rows = rows[keep[rows]]
                if len(rows) == 0:
                    continue
                order = rows[np.argsort(-scores[rows], kind="stable")]
                pos_sel.extend(order[: settings.mil_top_k])
            pos_idx = np.asarray(pos_sel, dtype=int)
            rows = np.concatenate([pos_idx, neg_idx])
            y = np.concatenate([np.ones(len(pos_idx), np.int8), np.zeros(len(neg_idx), np.int8)])
            coef[j], intercept[j] = _fit_lr(x[rows], y, settings.c, _weights(rows, y, has_cue, settings))
            scores = sigmoid(x @ coef[j] + intercept[j]) * asserted
    return _Fitted(vocab, coef, intercept, assertion, floor)


def _sentence_probs(
    fitted: _Fitted, feats: Sequence[Sequence[str]], assertion_feats: Sequence[Sequence[str]] | None = None
) -> np.ndarray:
    """(n, n_themes) sentence probabilities of a fit: theme probability x assertion probability
    (`assertion_feats`: the same sentences' features as the assertion model reads them, when it reads
    them otherwise than the fit, as a base model's may)."""
    return asserted_probabilities(fitted.matrix(feats), fitted.coef, fitted.intercept, fitted.assertion,
                                  feats if assertion_feats is None else assertion_feats)


def _wording_groups(docs: Sequence[TrainDoc], record: SentenceRecord) -> list[str] | None:
    """The wording id of every sentence of `docs` in order, or None if the record has no template ids.

    Wording found in one review only (its own sentences: all of a review written in full, the
    untracked sentences of a generated one) is grouped by review, not by sentence: the sentences of
    one review share its names, events and phrasing, so scoring one of them with a fit that saw the
    others would flatter the review's out-of-fold scores (and raise the thresholds chosen on them)."""
    per_doc: list[list[str]] = []
    for d in docs:
        g = wording_groups(d, record.get(d.file, ()))
        if g is None:
            if d.file in record:  # a covered review without template ids: wording unknown
                return None
            g = [f"text:{_key(s.text)}" for s in d.sentences]
        per_doc.append(g)
    seen_in: dict[str, set[int]] = {}
    for i, g in enumerate(per_doc):
        for group in g:
            seen_in.setdefault(group, set()).add(i)
    return [group if len(seen_in[group]) > 1 else f"review:{d.file}" for d, g in zip(docs, per_doc) for group in g]


def _wording_cv(
    docs: Sequence[TrainDoc], themes: Sequence[str], settings: TrainSettings, record: SentenceRecord,
    groups: Sequence[str], folds: int, log: Log, base: ThemeModel | None = None,
    matches: Sequence[Sequence[tuple[int, str, int]]] | None = None,
) -> np.ndarray:
    """Out-of-fold review scores (n_docs, n_themes) where each sentence is scored by a fit that left
    out every sentence written from the same template: the thresholds are then chosen on scores like
    those of reviews worded differently from the training text, not on re-used templates (which
    cross-validation over reviews alone would give, since the same templates recur in every review)."""
    fold_of = np.array([zlib.crc32(g.encode()) % folds for g in groups])
    feats = [f for d in docs for f in review_features(d.sentences, settings.context)]
    probs = np.zeros((len(feats), len(themes)))
    for k in range(folds):
        log(f"cross-validation over wording, fold {k + 1}/{folds}")
        held = fold_of == k
        idx = np.flatnonzero(held)
        if not len(idx):
            continue
        fitted = _fit(docs, themes, settings, record, base, exclude=held, matches=matches)
        probs[idx] = _sentence_probs(fitted, [feats[i] for i in idx])
    bounds = np.cumsum([0] + [len(d.sentences) for d in docs])
    return np.array([review_scores(probs[bounds[i] : bounds[i + 1]], settings.top_k) for i in range(len(docs))])


def _doc_scores(fitted: _Fitted, docs: Sequence[TrainDoc], top_k: int, context: int) -> np.ndarray:
    out = np.zeros((len(docs), fitted.coef.shape[0]))
    for i, d in enumerate(docs):
        if not d.sentences:
            continue
        feats = review_features(d.sentences, context)
        afeats = assertion_features(fitted.assertion, d.sentences, feats, context)
        out[i] = review_scores(_sentence_probs(fitted, feats, afeats), top_k)
    return out


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The threshold maximising F1 of `scores >= t`, placed midway to the next lower score."""
    if truth.sum() == 0:
        return 1.01  # never flag
    values = np.unique(scores)[::-1]
    best_f1, best_i = -1.0, 0
    for i, t in enumerate(values):
        pred = scores >= t
        tp = int((pred & (truth == 1)).sum())
        fp = int((pred & (truth == 0)).sum())
        fn = int((~pred & (truth == 1)).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1:
            best_f1, best_i = f1, i
    t = float(values[best_i])
    lower = float(values[best_i + 1]) if best_i + 1 < len(values) else 0.0
    return (t + lower) / 2


def binary_metrics(pred: np.ndarray, truth: np.ndarray) -> dict[str, float | int]:
    """Precision, recall, F1, sensitivity, specificity, support and prevalence error (points)."""
    tp = int(((pred == 1) & (truth == 1)).sum())
    fp = int(((pred == 1) & (truth == 0)).sum())
    fn = int(((pred == 0) & (truth == 1)).sum())
    tn = int(((pred == 0) & (truth == 0)).sum())
    n = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if fp + fn == 0 else 0.0)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "sensitivity": round(recall, 4),
        "specificity": round(tn / (tn + fp), 4) if tn + fp else 0.0,
        "support": tp + fn,
        "negatives": tn + fp,
        "n": n,
        "true_percent": round(100 * (tp + fn) / n, 2) if n else 0.0,
        "predicted_percent": round(100 * (tp + fp) / n, 2) if n else 0.0,
        "prevalence_error": round(100 * ((tp + fp) - (tp + fn)) / n, 2) if n else 0.0,
    }


def train_model(
    docs: Sequence[TrainDoc],
    themes: Sequence[str],
    settings: TrainSettings = TrainSettings(),
    record: SentenceRecord | None = None,
    base: ThemeModel | None = None,
    log: Log = lambda _m: None,
    calibrate: Collection[str] | None = None,
) -> tuple[ThemeModel, dict[str, object]]:
    """Cross-validate to choose thresholds and measure quality, then fit on all docs.

    `calibrate` names the reviews (by file) whose out-of-fold scores choose the thresholds, for every
    theme with at least `MIN_CALIBRATION` coded positive and negative reviews among them (the others:
    all reviews). Why: generated text and text written in full score differently, and the reviews to
    be flagged are written in full. Returns the model (card not yet saved) and the card's evaluation
    section.
    """
    docs = sorted(docs, key=lambda d: d.file)
    if record is None and settings.context:
        # Multiple-instance learning picks a positive review's sentences by their own scores: reading the
        # sentence before would lend a neutral sentence its neighbour's words, and the next round would
        # pick it for them (a filler sentence after a domestic-abuse one went from 0.27 to 0.72 in the
        # tests' corpus). Without sentence labels, sentences are read alone.
        settings = replace(settings, context=0)
        log("note: no sentence record: each sentence is read alone (context 0)")
    n = len(docs)
    folds = min(settings.folds, n) if n >= 2 else 0
    # which sentence each record row names: found once, used by every fit below
    matches = [record_matches(d, record.get(d.file, ())) for d in docs] if record is not None else None
    groups = _wording_groups(docs, record) if record is not None else None
    if record is not None and groups is None and any(len(r) > 3 and r[3] for rows in record.values() for r in rows):
        log("note: the sentence record names templates for some reviews but not all: thresholds from "
            "cross-validation over reviews instead of over wording")
    if folds >= 2 and groups is not None:
        oof = _wording_cv(docs, themes, settings, record, groups, folds, log, base, matches)
        method = (f"{folds}-fold cross-validation over wording: each sentence's fold is a hash of the template the "
                  "sentence record says it was written from (sentences the record does not list: of their own text), "
                  "except that wording found in one review only (all of a review written in full) is held out with "
                  "its whole review, as its sentences share its names, events and phrasing; every "
                  "sentence is scored by a fit that left out its fold; review score = mean of the "
                  f"{settings.top_k} highest sentence probabilities; threshold per theme chosen on those "
                  "out-of-fold review scores")
    else:
        oof = np.zeros((n, len(themes)))
        if folds >= 2:
            kf = KFold(n_splits=folds, shuffle=True, random_state=settings.seed)
            for k, (tr, te) in enumerate(kf.split(np.arange(n)), start=1):
                log(f"cross-validation fold {k}/{folds}")
                fitted = _fit([docs[i] for i in tr], themes, settings, record, base,
                              matches=[matches[i] for i in tr] if matches is not None else None)
                oof[te] = _doc_scores(fitted, [docs[i] for i in te], settings.top_k, settings.context)
        method = (f"{folds}-fold cross-validation over reviews (seed {settings.seed}); review score = mean of the "
                  f"{settings.top_k} highest sentence probabilities; threshold per theme chosen on the out-of-fold scores")
    log("fitting on all coded reviews")
    final = _fit(docs, themes, settings, record, base, matches=matches)
    thresholds: dict[str, float] = {}
    per_theme: dict[str, dict[str, object]] = {}
    in_calibration = np.array([d.file in (calibrate or ()) for d in docs])
    calibration_f1s: list[float] = []
    for j, theme in enumerate(themes):
        coded = np.array([theme in d.codes for d in docs])
        truth = np.array([d.codes.get(theme, 0) for d in docs])[coded]
        scores = oof[coded, j]
        pos, neg = int(truth.sum()), int(len(truth) - truth.sum())
        cal = in_calibration[coded]
        cal_pos, cal_neg = int(truth[cal].sum()), int((1 - truth[cal]).sum())
        on_calibration = folds >= 2 and cal_pos >= MIN_CALIBRATION and cal_neg >= MIN_CALIBRATION
        if on_calibration:
            thr = best_threshold(scores[cal], truth[cal])
        else:
            thr = best_threshold(scores, truth) if folds >= 2 else 0.5
        thresholds[theme] = round(thr, 6)
        metrics = binary_metrics((scores >= thr).astype(int), truth) if folds >= 2 else {}
        if calibrate is not None:
            metrics = {**metrics, "threshold_chosen_on": "calibration reviews" if on_calibration else "all reviews"}
            if folds >= 2 and cal.any():
                cal_metrics = binary_metrics((scores[cal] >= thr).astype(int), truth[cal])
                metrics["calibration"] = cal_metrics
                calibration_f1s.append(float(cal_metrics["f1"]))
        reliable = pos >= MIN_PER_CLASS and neg >= MIN_PER_CLASS
        entry: dict[str, object] = {**metrics, "threshold": round(thr, 6), "coded_positive": pos, "coded_negative": neg, "reliable": reliable}
        if not reliable:
            entry["warning"] = f"only {pos} coded positive and {neg} coded negative reviews (need {MIN_PER_CLASS} of each)"
            log(f"warning: theme '{theme}': {entry['warning']}; trained but marked unreliable")
        per_theme[theme] = entry
    f1s = [float(per_theme[t]["f1"]) for t in themes if "f1" in per_theme[t]]  # type: ignore[arg-type]
    evaluation: dict[str, object] = {
        "method": method,
        "caveat": "thresholds are chosen on the same out-of-fold scores they are measured on, so these figures "
        "are slightly optimistic; `review-themes evaluate` on reviews written differently is the honest figure",
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else None,
        **({"calibration_reviews": int(in_calibration.sum()),
            "calibration_macro_f1": round(float(np.mean(calibration_f1s)), 4) if calibration_f1s else None}
           if calibrate is not None else {}),
        "per_theme": per_theme,
    }
    model = ThemeModel(
        themes=list(themes),
        features=final.vocabulary.features,
        idf=final.vocabulary.idf,
        # rounded as stored (a 1/256 grid, float16): the model in memory scores exactly as the one
        # loaded from its folder
        coef=stored_coefficients(final.coef),
        intercept=final.intercept,
        thresholds=thresholds,
        top_k=settings.top_k,
        assertion=final.assertion,
        norm_floor=final.norm_floor,
        context=settings.context,
    )
    return model, evaluation


def feature_settings(settings: TrainSettings, nlp_pipeline: str, assertion_source: str | None = None) -> dict[str, object]:
    """The card's `features` block; `assertion_source` says where the assertion model came from
    ("sentence record", "base model ID") or None when the model has none."""
    return {
        "version": FEATURES_VERSION,
        "nlp_pipeline": nlp_pipeline,
        "unit": "sentence",
        "aggregation": f"mean of the {settings.top_k} highest sentence probabilities",
        "top_k": settings.top_k,
        "ngrams": [1, 2],
        "context_sentences": settings.context,
        "tfidf": {"sublinear_tf": True, "min_df": settings.min_df, "max_features": settings.max_features,
                  **({"norm_floor_quantile": settings.norm_floor_quantile} if settings.norm_floor_quantile else {})},
        "classifier": {"type": "LogisticRegression", "C": settings.c, "class_weight": "balanced", "solver": "liblinear"},
        "mil": {"top_k": settings.mil_top_k, "rounds": settings.mil_rounds},
        "hard_negative_weight": settings.hard_negative_weight,
        "assertion": None if assertion_source is None else {
            "type": "LogisticRegression", "C": settings.assertion_c, "class_weight": "balanced",
            **({"max_features": settings.assertion_max_features} if settings.assertion_max_features else {}),
            "source": assertion_source,
            "combined": "sentence probability = theme probability x assertion probability"},
        "folds": settings.folds,
        "seed": settings.seed,
    }
