"""Training, saving and loading the theme model on small in-memory corpora (no PDFs)."""

import json
import random
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.features import FEATURES_VERSION, review_features
from pipeline.model import ThemeModel, load_model
from pipeline.nlp import load_nlp, normalise, sentence_tags
from pipeline.records import SectionKind, Sentence
from pipeline.train import TrainDoc, TrainSettings, best_threshold, binary_metrics, train_model

THEMES = ("neglect", "domestic_abuse")
CUES = (("neglect", ("neglect", "unwashed", "hungry")), ("domestic_abuse", ("domestic abuse", "police")))
POS = {
    "neglect": ["{c} often arrived at nursery hungry and in unwashed clothes.", "The home had no food and {c} had tooth decay."],
    "domestic_abuse": ["Police were called after the partner assaulted the mother.", "The mother disclosed coercive control by her partner."],
}
NEG = {
    "neglect": ["There was no evidence that {c} was hungry or unkempt.", "Research shows neglect can be cumulative."],
    "domestic_abuse": ["Police checks found no history of domestic abuse.", "The review considered whether domestic abuse was a factor."],
}
FILLER = ["The health visitor completed a routine review at home.", "The family moved to a new flat in the spring.", "{c} enjoyed playing football with friends."]


def _sentences(review_id: str, texts: list[str]) -> tuple[Sentence, ...]:
    nlp = load_nlp("blank:en", CUES)
    out = []
    for i, doc in enumerate(nlp.pipe(texts)):
        out.append(Sentence(review_id, i, 1, SectionKind.FINDINGS, doc.text, normalise(doc), sentence_tags(doc[:])))
    return tuple(out)


def _corpus(n: int, seed: int) -> list[TrainDoc]:
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        codes = {t: rng.random() < 0.5 for t in THEMES}
        texts = [f.format(c="Child A") for f in rng.sample(FILLER, 3)]
        for t in THEMES:
            # a present theme is told in two sentences, as in real reviews (the review score is the
            # mean of the top 3 sentence probabilities, so one sentence alone scores low)
            pool = POS[t] if codes[t] else NEG[t]
            texts.extend(p.format(c="Child A") for p in (pool if codes[t] else [rng.choice(pool)]))
        rng.shuffle(texts)
        docs.append(TrainDoc(f"r{k}.pdf", _sentences(f"r{k}", texts), {t: int(v) for t, v in codes.items()}))
    return docs


@pytest.fixture(scope="module")
def trained():
    docs = _corpus(40, seed=1)
    model, evaluation = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1))
    return model, evaluation, docs


def test_learns_themes_and_ignores_negated_mentions(trained):
    model, evaluation, _ = trained
    for doc in _corpus(12, seed=99):
        pred = model.predict(doc.file, doc.sentences)
        for t in THEMES:
            assert pred.flags[t] == doc.codes[t], (t, [s.text for s in doc.sentences])
    assert evaluation["per_theme"]["neglect"]["f1"] >= 0.9


def test_evidence_points_at_the_positive_sentence(trained):
    model, _, _ = trained
    sents = _sentences("x", ["Police were called after the partner assaulted the mother.", "The family moved to a new flat in the spring.",
                             "The mother disclosed coercive control by her partner."])
    pred = model.predict("x", sents)
    assert pred.flags["domestic_abuse"] == 1
    evidence = [e.text for e in pred.evidence if e.theme == "domestic_abuse"]
    assert len(evidence) == 2 and "The family moved to a new flat in the spring." not in evidence
    assert {e[:10] for e in evidence} == {"Police wer", "The mother"}


def test_training_is_deterministic(trained, tmp_path: Path):
    model, _, docs = trained
    again, _ = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1))
    model.card = {"name": "m"}
    again.card = {"name": "m"}
    assert model.save(tmp_path / "a") == again.save(tmp_path / "b")


def test_save_load_roundtrip_and_tamper_refusal(trained, tmp_path: Path):
    model, _, docs = trained
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    folder = tmp_path / "m"
    model.save(folder)
    loaded = load_model(folder, "cb", "cu", "blank:en")
    a = model.sentence_probabilities(docs[0].sentences)
    b = loaded.sentence_probabilities(docs[0].sentences)
    assert np.allclose(a, b, atol=1e-5)
    with pytest.raises(ModelError, match="different codebook"):
        load_model(folder, "other", "cu", "blank:en")
    with pytest.raises(ModelError, match="nlp.pipeline"):
        load_model(folder, "cb", "cu", "en_core_web_sm")
    weights = folder / "weights.npz"
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256"):
        load_model(folder, "cb", "cu", "blank:en")


def test_pickle_in_weights_is_never_loaded(tmp_path: Path):
    import pickle

    folder = tmp_path / "evil"
    folder.mkdir()
    payload = pickle.dumps({"x": 1})
    (folder / "weights.npz").write_bytes(payload)
    (folder / "vocab.json").write_text(json.dumps({"features": [], "idf": []}))
    import hashlib

    files = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in ("weights.npz", "vocab.json")}
    model_id = "evil-" + hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
    card = {"model_id": model_id, "files": files, "themes": [], "codebook_sha256": "cb", "cues_sha256": "cu",
            "thresholds": {}, "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="unreadable"):
        load_model(folder, "cb", "cu", "blank:en")


def test_missing_model_folder_says_what_to_do(tmp_path: Path):
    with pytest.raises(ModelError, match="review-themes train"):
        load_model(tmp_path / "nothing", "cb", "cu", "blank:en")


def test_best_threshold_and_metrics():
    scores = np.array([0.9, 0.8, 0.3, 0.2, 0.7])
    truth = np.array([1, 1, 0, 0, 1])
    t = best_threshold(scores, truth)
    assert 0.3 < t < 0.7
    m = binary_metrics((scores >= t).astype(int), truth)
    assert (m["precision"], m["recall"], m["f1"], m["support"]) == (1.0, 1.0, 1.0, 3)
    assert best_threshold(scores, np.zeros(5, int)) > 1.0


def test_few_positives_trained_but_marked_unreliable():
    docs = _corpus(20, seed=3)
    docs = [TrainDoc(d.file, d.sentences, {**d.codes, "domestic_abuse": 1 if i < 2 else 0}) for i, d in enumerate(docs)]
    _, evaluation = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1))
    entry = evaluation["per_theme"]["domestic_abuse"]
    assert entry["reliable"] is False and "coded positive" in entry["warning"]


def test_held_out_evaluation_in_card_is_preferred_for_error_rates(trained, tmp_path: Path):
    from pipeline.runfolder import error_rates_section
    from pipeline.training import EvalRow, record_held_out_evaluation

    model, _, docs = trained
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"},
                  "evaluation": {"per_theme": {t: {"sensitivity": 0.99, "specificity": 0.99, "support": 20, "negatives": 20, "reliable": True} for t in THEMES}}}
    folder = tmp_path / "m"
    model.save(folder)
    assert error_rates_section(model.card)[0] == "cross-validation on training reviews"
    truth = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0] * 2)
    pred = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 1] * 2)
    m = binary_metrics(pred, truth)
    rows = [EvalRow(t, m, m) for t in THEMES]
    record_held_out_evaluation(folder, rows, {"reviews": 20, "macro_f1": 0.7, "baseline_macro_f1": 0.5, "coding_sheets": {"b.csv": "x"}})
    card = json.loads((folder / "card.json").read_text())
    source, rates = error_rates_section(card)
    assert source.startswith("evaluation on 20 held-out coded reviews (b.csv)")
    assert rates["neglect"]["sensitivity"] == round(4 / 6, 4) and rates["neglect"]["specificity"] == round(12 / 14, 4)
    assert rates["neglect"]["reliable"] is False  # 6 positives is too few
    load_model(folder, "cb", "cu", "blank:en")  # the card is not a hashed file: the model still loads
    # two sheets with one name (each folder's codes.csv): the folders tell them apart
    record_held_out_evaluation(folder, rows, {"reviews": 20, "macro_f1": 0.7, "baseline_macro_f1": 0.5,
                                              "coding_sheets": {"a/codes.csv": "x", "b/codes.csv": "y"}})
    source, _ = error_rates_section(json.loads((folder / "card.json").read_text()))
    assert source.startswith("evaluation on 20 held-out coded reviews (a/codes.csv, b/codes.csv)")


def test_reviews_outside_the_sentence_record_still_teach_the_model():
    """Analysts' coded reviews trained beside the generated corpus have no sentence record: their
    cue sentences stand in as positives instead of the review being skipped."""
    docs = _corpus(40, seed=11)
    # the record covers only reviews without neglect: every neglect example is outside it
    covered = [d for d in docs if d.codes["neglect"] == 0][:12]
    record = {d.file: [(s.text, t, 1) for s in d.sentences for t in THEMES
                       if d.codes[t] and any(tag.startswith(f"cue:{t}") for tag in s.tags)] for d in covered}
    assert any(d.codes["neglect"] for d in docs if d.file not in record)
    model, _ = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), record)
    for doc in _corpus(10, seed=98):
        pred = model.predict(doc.file, doc.sentences)
        assert pred.flags["neglect"] == doc.codes["neglect"], [s.text for s in doc.sentences]


def _record_for(docs: list[TrainDoc]) -> dict[str, list[tuple[str, str, int]]]:
    """A sentence record like the generated corpus keeps: present sentences 1, trap sentences 0."""
    rec: dict[str, list[tuple[str, str, int]]] = {}
    for d in docs:
        for s in d.sentences:
            for t in THEMES:
                if s.text in [p.format(c="Child A") for p in POS[t]]:
                    rec.setdefault(d.file, []).append((s.text, t, 1))
                elif s.text in [p.format(c="Child A") for p in NEG[t]]:
                    rec.setdefault(d.file, []).append((s.text, t, 0))
    return rec


@pytest.fixture(scope="module")
def with_assertion():
    docs = _corpus(40, seed=3)
    model, _ = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), _record_for(docs))
    return model, docs


def test_a_record_with_traps_trains_a_shared_assertion_model(with_assertion):
    model, _ = with_assertion
    assert model.assertion is not None
    # "Police checks found no history of ..." is a trap worded this way only for domestic abuse in
    # training: the assertion model, learned across themes, recognises it for neglect too
    sents = _sentences("x", ["Police checks found no history of neglect.", "Child A arrived at nursery hungry and in unwashed clothes."])
    asserted = model.assertion.probabilities(sents)
    assert asserted[0] < 0.5 < asserted[1]
    probs = model.sentence_probabilities(sents)[:, THEMES.index("neglect")]
    assert probs[0] < probs[1]


def test_assertion_model_is_saved_hashed_and_reloaded(with_assertion, tmp_path: Path):
    model, docs = with_assertion
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    folder = tmp_path / "m"
    model.save(folder)
    assert "assertion.json" in model.card["files"]
    loaded = load_model(folder, "cb", "cu", "blank:en")
    assert loaded.assertion is not None
    assert np.allclose(model.sentence_probabilities(docs[0].sentences), loaded.sentence_probabilities(docs[0].sentences), atol=1e-5)
    path = folder / "assertion.json"
    data = json.loads(path.read_text())
    data["intercept"] += 5.0
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError, match="sha256"):
        load_model(folder, "cb", "cu", "blank:en")


def test_training_from_review_codes_keeps_the_base_models_assertion_model(with_assertion):
    base, _ = with_assertion
    docs = _corpus(30, seed=21)
    model, _ = train_model(docs, THEMES, TrainSettings(folds=3, min_df=1), None, base)
    assert model.assertion is base.assertion
    plain, _ = train_model(docs, THEMES, TrainSettings(folds=3, min_df=1))
    assert plain.assertion is None  # nothing to learn it from: theme probabilities alone


def test_thresholds_come_from_cross_validation_over_wording_when_the_record_names_templates(monkeypatch):
    import pipeline.train as train

    docs = _corpus(40, seed=5)
    plain = _record_for(docs)
    templated = {f: [(text, t, label, f"{t}/{label}/{text[:12]}") for text, t, label in rows] for f, rows in plain.items()}
    _, by_review = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), plain)
    assert "over reviews" in str(by_review["method"])

    masks: list[np.ndarray] = []
    real_fit = train._fit

    def spy(*args, exclude=None, **kwargs):
        if exclude is not None:
            masks.append(exclude.copy())
        return real_fit(*args, exclude=exclude, **kwargs)

    monkeypatch.setattr(train, "_fit", spy)
    model, by_wording = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), templated)
    assert "over wording" in str(by_wording["method"])
    held = np.vstack(masks)
    assert (held.sum(axis=0) == 1).all()  # every sentence is scored out of fold exactly once
    texts = [s.text for d in sorted(docs, key=lambda d: d.file) for s in d.sentences]
    fold = held.argmax(axis=0)
    for text in set(texts):  # one template (here: one text) is never split across folds
        assert len({int(fold[i]) for i, t in enumerate(texts) if t == text}) == 1
    for doc in _corpus(12, seed=97):  # the final model is fitted on everything, as before
        pred = model.predict(doc.file, doc.sentences)
        assert pred.flags["domestic_abuse"] == doc.codes["domestic_abuse"]


def test_wording_groups_follow_the_record_template_else_the_text():
    from pipeline.train import wording_groups

    doc = _corpus(1, seed=8)[0]
    first = doc.sentences[0].text
    assert wording_groups(doc, [(first, "neglect", 1)]) is None
    groups = wording_groups(doc, [(first, "neglect", 1, "a/neglect/present/3")])
    assert groups[0] == "template:a/neglect/present/3"
    assert all(g.startswith("text:") for g in groups[1:])


def test_wording_found_in_one_review_only_is_held_out_with_its_whole_review():
    from pipeline.train import _wording_groups

    docs = _corpus(3, seed=8)
    # the first sentence of reviews 0 and 1 comes from one template; every other sentence has a
    # template of its own review (as a review written in full has)
    record = {
        d.file: [(s.text, "neglect", 1, "a/shared" if i == 0 and k < 2 else f"w/{d.file}/{i}") for i, s in enumerate(d.sentences)]
        for k, d in enumerate(docs)
    }
    groups = _wording_groups(docs, record)
    bounds = np.cumsum([0] + [len(d.sentences) for d in docs])
    for k, d in enumerate(docs):
        own = groups[bounds[k] : bounds[k + 1]]
        if k < 2:  # a template used in two reviews keeps its group; the rest is the review's own
            assert own[0] == "template:a/shared"
            assert set(own[1:]) == {f"review:{d.file}"}
        else:
            assert set(own) == {f"review:{d.file}"}


def test_several_sentence_records_are_read_as_one(tmp_path: Path):
    from pipeline.training import merge_sentence_records, read_sentence_record

    a = tmp_path / "a.csv"
    a.write_text("file,theme,label,text,template\nr1.pdf,neglect,1,The home had no food at all.,a/1\n")
    b = tmp_path / "b.csv"
    b.write_text("file,theme,kind,label,text\nr1.pdf,domestic_abuse,negated,0,Police found no history of abuse.\n"
                 "r2.pdf,neglect,present,1,She was often hungry at school.\n")
    merged = merge_sentence_records([read_sentence_record(a), read_sentence_record(b)])
    assert merged["r1.pdf"] == [("The home had no food at all.", "neglect", 1, "a/1"),
                                ("Police found no history of abuse.", "domestic_abuse", 0, "")]
    assert merged["r2.pdf"] == [("She was often hungry at school.", "neglect", 1, "")]


def test_calibration_reviews_choose_the_thresholds():
    docs = _corpus(40, seed=4)
    _, plain = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1))
    everything, all_cal = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), calibrate={d.file for d in docs})
    for t in THEMES:  # calibrating on every review is the plain choice
        assert all_cal["per_theme"][t]["threshold"] == plain["per_theme"][t]["threshold"]
        assert all_cal["per_theme"][t]["threshold_chosen_on"] == "calibration reviews"
    few = {d.file for d in docs if d.codes["neglect"] == 1}  # no negatives among them: not enough to choose on
    _, some = train_model(docs, THEMES, TrainSettings(folds=4, min_df=1), calibrate=few)
    assert some["per_theme"]["neglect"]["threshold_chosen_on"] == "all reviews"
    assert some["per_theme"]["neglect"]["threshold"] == plain["per_theme"]["neglect"]["threshold"]
    assert some["calibration_reviews"] == len(few)


def test_other_thresholds_make_another_model_id(trained, tmp_path: Path):
    model, _, _ = trained
    saved = dict(model.thresholds)
    model.card = {"name": "m"}
    first = model.save(tmp_path / "a")
    model.thresholds = {t: v + 0.01 for t, v in saved.items()}
    model.card = {"name": "m"}
    try:
        assert model.save(tmp_path / "b") != first
    finally:
        model.thresholds = saved


def test_a_norm_floor_is_learned_saved_and_reloaded(tmp_path: Path):
    docs = _corpus(30, seed=7)
    model, _ = train_model(docs, THEMES, TrainSettings(folds=3, min_df=1, norm_floor_quantile=0.5), _record_for(docs))
    assert model.norm_floor > 0 and model.assertion is not None and model.assertion.norm_floor > 0
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m", "cb", "cu", "blank:en")
    assert loaded.norm_floor == model.norm_floor and loaded.assertion.norm_floor == model.assertion.norm_floor
    sents = docs[0].sentences
    assert np.array_equal(model.sentence_probabilities(sents), loaded.sentence_probabilities(sents))
    # the floor changes scores: a model without it scores the same sentences differently
    loaded.norm_floor = 0.0
    assert not np.allclose(model.sentence_probabilities(sents), loaded.sentence_probabilities(sents), atol=1e-3)


def test_saved_weights_are_on_the_storage_grid_and_reload_exactly(trained, tmp_path: Path):
    from pipeline.train import COEF_STEP, IDF_DECIMALS

    model, _, docs = trained
    small = np.abs(model.coef) < 8  # float16 holds every multiple of 1/256 below 8
    assert np.array_equal(model.coef[small] / COEF_STEP, np.round(model.coef[small] / COEF_STEP))
    assert np.array_equal(model.idf, np.round(model.idf, IDF_DECIMALS))
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m", "cb", "cu", "blank:en")
    assert np.array_equal(loaded.coef, model.coef) and np.array_equal(loaded.idf, model.idf)
    assert np.array_equal(loaded.sentence_probabilities(docs[0].sentences), model.sentence_probabilities(docs[0].sentences))


def test_cross_validation_scores_sentences_as_the_saved_model_would():
    # the out-of-fold scores the thresholds are chosen on come from `_sentence_probs` of each fold's
    # fit: it must apply the same floor, idf and assertion product as a saved ThemeModel of that fit
    from pipeline.model import ThemeModel
    from pipeline.train import _fit, _sentence_probs

    docs = _corpus(24, seed=11)
    settings = TrainSettings(folds=3, min_df=1, norm_floor_quantile=0.5)
    fitted = _fit(docs, THEMES, settings, _record_for(docs), None)
    assert fitted.norm_floor > 0
    as_saved = ThemeModel(list(THEMES), fitted.vocabulary.features, fitted.vocabulary.idf, fitted.coef, fitted.intercept,
                          {t: 0.5 for t in THEMES}, assertion=fitted.assertion, norm_floor=fitted.norm_floor,
                          context=settings.context)
    assert settings.context == 1
    for d in docs[:3]:
        feats = review_features(d.sentences, settings.context)
        assert np.array_equal(_sentence_probs(fitted, feats), as_saved.sentence_probabilities(d.sentences))


@pytest.mark.parametrize("quantile", [-0.1, 1.0, 2.0])
def test_a_norm_floor_quantile_outside_0_to_1_is_refused(quantile):
    with pytest.raises(ValueError, match="norm_floor_quantile"):
        TrainSettings(norm_floor_quantile=quantile)


def test_a_record_trained_model_reads_the_sentence_before_and_its_card_says_so(with_assertion, tmp_path: Path):
    model, docs = with_assertion
    assert model.context == 1
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    model.save(tmp_path / "m")
    assert model.card["features"]["context_sentences"] == 1
    loaded = load_model(tmp_path / "m", "cb", "cu", "blank:en")
    assert loaded.context == 1
    assert np.array_equal(model.sentence_probabilities(docs[0].sentences), loaded.sentence_probabilities(docs[0].sentences))
    # the sentence before changes a sentence's features, so reading it alone scores differently
    alone = [model.sentence_probabilities([s])[0] for s in docs[0].sentences[1:]]
    assert not np.allclose(np.array(alone), model.sentence_probabilities(docs[0].sentences)[1:])


@pytest.mark.parametrize(("version", "context"), [("3", 1), (FEATURES_VERSION, 2), (FEATURES_VERSION, "yes")])
def test_a_card_with_an_unreadable_context_is_refused(with_assertion, tmp_path: Path, version, context):
    model, _ = with_assertion
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": version, "nlp_pipeline": "blank:en"}}
    model.save(tmp_path / "m")
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    card["features"]["context_sentences"] = context
    (tmp_path / "m" / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="context_sentences"):
        load_model(tmp_path / "m", "cb", "cu", "blank:en")


def test_training_from_review_codes_alone_reads_sentences_alone(trained):
    # multiple-instance learning picks sentences by their own scores: a neighbour's words would be lent
    # to a neutral sentence and picked next round
    model, _, _ = trained
    assert model.context == 0
    assert not any(f.startswith("p:") for f in model.features)


def test_a_base_models_assertion_model_reads_sentences_as_it_was_trained_to(with_assertion, tmp_path: Path):
    # retraining from review codes reads sentences alone (context 0), but the assertion model carried
    # over from the base reads the sentence before: its probabilities must not change in the new model
    base, _ = with_assertion
    assert base.assertion is not None and base.assertion.context == 1
    docs = _corpus(30, seed=21)
    model, _ = train_model(docs, THEMES, TrainSettings(folds=3, min_df=1), None, base)
    assert model.context == 0 and model.assertion is base.assertion
    doc = docs[0].sentences
    theme_only = ThemeModel(model.themes, model.features, model.idf, model.coef, model.intercept, model.thresholds,
                            norm_floor=model.norm_floor, context=model.context).sentence_probabilities(doc)
    assert np.allclose(model.sentence_probabilities(doc), theme_only * base.assertion.probabilities(doc)[:, None])
    alone = base.assertion.probabilities_from_features([review_features([s])[0] for s in doc])
    assert not np.allclose(alone, base.assertion.probabilities(doc))  # reading alone would differ
    model.card = {"name": "r", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en", "context_sentences": 1}}
    model.save(tmp_path / "r")  # the card says what the model does, whatever the caller wrote
    assert model.card["features"]["context_sentences"] == 0
    assert json.loads((tmp_path / "r" / "assertion.json").read_text())["context"] == 1
    loaded = load_model(tmp_path / "r", "cb", "cu", "blank:en")
    assert np.array_equal(loaded.sentence_probabilities(doc), model.sentence_probabilities(doc))


def test_whether_a_model_reads_the_sentence_before_is_in_its_hashed_files(with_assertion, tmp_path: Path):
    model, _ = with_assertion
    model.card = {"name": "m", "themes": list(THEMES), "codebook_sha256": "cb", "cues_sha256": "cu",
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": "blank:en"}}
    model.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "vocab.json").read_text())["context"] == 1
    # a card edited to say otherwise is refused, with or without the key
    card = json.loads((tmp_path / "m" / "card.json").read_text())
    for value in (0, None):
        edited = {**card, "features": {**card["features"], "context_sentences": value}}
        if value is None:
            del edited["features"]["context_sentences"]
            # the key is optional: the vocabulary decides
            (tmp_path / "m" / "card.json").write_text(json.dumps(edited))
            assert load_model(tmp_path / "m", "cb", "cu", "blank:en").context == 1
            continue
        (tmp_path / "m" / "card.json").write_text(json.dumps(edited))
        with pytest.raises(ModelError, match="context_sentences"):
            load_model(tmp_path / "m", "cb", "cu", "blank:en")
    # a vocabulary with features of the sentence before that does not read it cannot be built
    with pytest.raises(ValueError, match="does not read it"):
        ThemeModel(model.themes, model.features, model.idf, model.coef, model.intercept, model.thresholds, context=0)
    with pytest.raises(ValueError, match="unreadable context"):
        ThemeModel(model.themes, model.features, model.idf, model.coef, model.intercept, model.thresholds, context=True)


def test_held_out_sentences_are_not_read_as_context_in_training():
    from pipeline.train import _fit

    docs = _corpus(12, seed=4)
    n = sum(len(d.sentences) for d in docs)
    exclude = np.zeros(n, dtype=bool)
    exclude[: len(docs[0].sentences)] = True  # the whole first review held out
    exclude[len(docs[0].sentences) + 1] = True  # and the second sentence of the second
    held_words = {f"p:{w}" for w in docs[1].sentences[1].norm.split()}
    fitted = _fit(docs, THEMES, TrainSettings(min_df=1), _record_for(docs), None, exclude=exclude)
    feats = review_features(docs[1].sentences, 1, exclude[len(docs[0].sentences) : len(docs[0].sentences) + len(docs[1].sentences)])
    assert not held_words & set(feats[2])
    assert held_words & set(review_features(docs[1].sentences, 1)[2])  # read when not held out
    held_only = {f"p:{w}" for w in docs[0].sentences[0].norm.split()} - {f for d in docs[1:] for fl in review_features(d.sentences, 1) for f in fl}
    assert not held_only & set(fitted.vocabulary.features)


def test_reviews_scored_together_never_read_each_others_sentences():
    a = _sentences("a", ["Police were called after the partner assaulted the mother."])
    b = _sentences("b", ["The family moved to a new flat in the spring."])
    together = review_features([*a, *b], 1)
    assert together[1] == review_features(b, 1)[0]
