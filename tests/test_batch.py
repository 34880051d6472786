"""Incremental runs: what the store lets a run skip, what it must redo, and how crashes, hangs,
renamed and duplicated files are handled."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import comparable_outputs

from pipeline import batch, extract, fingerprints
from pipeline.batch import extract_sentences, run_batch
from pipeline.classify import cues_sha256
from pipeline.codebook import load_codebook, load_cues
from pipeline.config import load_config
from pipeline.features import FEATURES_VERSION
from pipeline.model import ThemeModel
from tests.fixtures.generated import write_reviews

OUTPUTS = (
    "reviews.csv", "flags.csv", "scores.csv", "evidence.csv", "prevalence.csv", "cooccurrence.csv",
    "toxic_trio.csv", "report.html",
)
fork_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="crash injection relies on forked workers")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfs")
    write_reviews(folder, 5)
    return folder


def _cfg(tmp_path: Path, **over):
    return load_config(None, model=Path("keywords"), store_dir=tmp_path / "store", **over)


def _outputs(out: Path) -> dict[str, bytes]:
    files = comparable_outputs(out)
    return {name: files[name] for name in OUTPUTS}


def _no_pdf_work(monkeypatch: pytest.MonkeyPatch) -> list:
    """Make any PDF opening fail loudly, and record the tasks handed to workers."""

    def refuse(*a, **k):
        raise AssertionError("a PDF was opened")

    monkeypatch.setattr(extract.pdfplumber, "open", refuse)
    seen: list = []
    real = batch.run_tasks

    def spy(fn, tasks, *a, **k):
        seen.extend(tasks)
        return real(fn, tasks, *a, **k)

    monkeypatch.setattr(batch, "run_tasks", spy)
    return seen


def test_second_run_does_no_pdf_work_and_writes_the_same_outputs(pdfs, tmp_path, monkeypatch):
    cfg = _cfg(tmp_path)
    first = run_batch(pdfs, tmp_path / "a", cfg)
    assert first.work["extracted"] == 5 and first.work["reused"] == 0
    tasks = _no_pdf_work(monkeypatch)
    second = run_batch(pdfs, tmp_path / "b", cfg)
    assert tasks == []
    assert second.work == {"reviews": 5, "reused": 5, "extracted": 0, "split": 0, "scored": 0, "failed_now": 0}
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")


def _with_extract(cfg, **changes):
    return cfg.model_copy(update={"extract": cfg.extract.model_copy(update=changes)})


def test_changed_extraction_settings_re_extract(pdfs, tmp_path):
    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    assert run_batch(pdfs, tmp_path / "b", _with_extract(cfg, min_chars_per_page=24)).work["extracted"] == 5
    assert run_batch(pdfs, tmp_path / "c", _with_extract(cfg, min_chars_per_page=24)).work["extracted"] == 0
    # the time limit decides whether a file finishes, not what comes out of it: no re-extraction
    assert run_batch(pdfs, tmp_path / "d", _with_extract(cfg, timeout_seconds=999.0)).work["extracted"] == 0


def test_new_extractor_version_with_same_text_reuses_sentences_and_predictions(pdfs, tmp_path, monkeypatch):
    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    monkeypatch.setattr(fingerprints, "EXTRACTOR_VERSION", "test-bump")
    work = run_batch(pdfs, tmp_path / "b", cfg).work
    assert (work["extracted"], work["split"], work["scored"]) == (5, 0, 0)
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")


def test_changed_cues_re_split_without_reading_pdfs(pdfs, tmp_path, monkeypatch):
    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    cues = tmp_path / "cues.yaml"
    cues.write_text(cfg.cues.read_text().replace("neglect:\n", "neglect:\n  - left alone at home\n", 1))
    changed = cfg.model_copy(update={"cues": cues})
    tasks = _no_pdf_work(monkeypatch)
    work = run_batch(pdfs, tmp_path / "b", changed).work
    assert (work["extracted"], work["split"], work["scored"]) == (0, 5, 5)
    assert len(tasks) == 5 and all(args[0].stored is not None for _, args in tasks)  # split from stored text


def _tiny_model(cfg, folder: Path) -> Path:
    """A trained-model folder matching the project codebook and cues (weights are arbitrary)."""
    codebook = load_codebook(cfg.codebook)
    themes = list(codebook.ids)
    features = ["w:neglect", "w:police", "w:school", "w:the"]
    rng = np.random.default_rng(0)
    model = ThemeModel(themes, features, np.ones(len(features)), rng.normal(size=(len(themes), len(features))),
                       np.zeros(len(themes)), {t: 0.5 for t in themes})
    model.card = {"name": folder.name, "themes": themes, "codebook_sha256": codebook.sha256,
                  "cues_sha256": cues_sha256(load_cues(cfg.cues, codebook)),
                  "features": {"version": FEATURES_VERSION, "nlp_pipeline": cfg.nlp.pipeline}}
    model.save(folder)
    return folder


def test_a_new_model_rescores_stored_sentences_without_touching_pdfs(pdfs, tmp_path, monkeypatch):
    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    model_dir = _tiny_model(cfg, tmp_path / "tiny")
    tasks = _no_pdf_work(monkeypatch)
    summary = run_batch(pdfs, tmp_path / "b", cfg, model_dir=model_dir)
    assert tasks == []
    assert (summary.work["extracted"], summary.work["split"], summary.work["scored"]) == (0, 0, 5)
    assert summary.model_id.startswith("tiny-")
    assert run_batch(pdfs, tmp_path / "c", cfg, model_dir=model_dir).work["scored"] == 0


def test_renamed_and_duplicated_files_are_recognised(pdfs, tmp_path, monkeypatch):
    folder = tmp_path / "pdfs"
    shutil.copytree(pdfs, folder)
    cfg = _cfg(tmp_path)
    run_batch(folder, tmp_path / "a", cfg)
    (folder / "review-01.pdf").rename(folder / "renamed.pdf")
    shutil.copy(folder / "review-02.pdf", folder / "zz-copy.pdf")
    tasks = _no_pdf_work(monkeypatch)
    summary = run_batch(folder, tmp_path / "b", cfg)
    assert tasks == []
    assert summary.renamed == [("renamed.pdf", "review-01.pdf")]
    assert summary.duplicates == [("zz-copy.pdf", "review-02.pdf")]
    assert summary.ok == 5 and summary.total == 6 and not summary.failed
    rows = (tmp_path / "b" / "reviews.csv").read_text().splitlines()
    assert any(r.startswith("zz-copy,zz-copy.pdf,") and ",duplicate,identical to review-02.pdf," in r for r in rows)
    run = json.loads((tmp_path / "b" / "run.json").read_text())
    assert run["duplicates"] == [{"file": "zz-copy.pdf", "identical_to": "review-02.pdf"}]
    assert run["store"]["renamed"] == [{"file": "renamed.pdf", "stored_as": "review-01.pdf"}]
    assert run["counts"]["ok"] == 5 and run["counts"]["duplicates"] == 1
    assert "zz-copy" not in (tmp_path / "b" / "flags.csv").read_text()  # counted once in the tables


@fork_only
def test_a_crashing_worker_fails_one_file_and_the_batch_goes_on(pdfs, tmp_path, monkeypatch):
    folder = tmp_path / "pdfs"
    shutil.copytree(pdfs, folder)
    real = batch.process_review

    def crash_on_review_02(job, *a, **k):
        if job.path.name == "review-02.pdf":
            os._exit(3)  # as a segfault in a PDF library would: no exception, no cleanup
        return real(job, *a, **k)

    monkeypatch.setattr(batch, "process_review", crash_on_review_02)
    cfg = _cfg(tmp_path)
    summary = run_batch(folder, tmp_path / "a", cfg, jobs=2)
    assert summary.ok == 4
    assert [(f.file, f.reason) for f in summary.failed] == [("review-02.pdf", "worker crashed (exit code 3)")]
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    assert run["failed"] == [{"file": "review-02.pdf", "reason": "worker crashed (exit code 3)"}]
    monkeypatch.setattr(batch, "process_review", real)
    again = run_batch(folder, tmp_path / "b", cfg, jobs=2)  # a crash is not cached: tried again
    assert again.ok == 5 and again.work["extracted"] == 1


@fork_only
def test_a_hanging_file_times_out_and_the_batch_goes_on(pdfs, tmp_path, monkeypatch):
    real = batch.process_review

    def hang_on_review_03(job, *a, **k):
        if job.path.name == "review-03.pdf":
            time.sleep(120)
        return real(job, *a, **k)

    monkeypatch.setattr(batch, "process_review", hang_on_review_03)
    cfg = _cfg(tmp_path)
    cfg = cfg.model_copy(update={"extract": cfg.extract.model_copy(update={"timeout_seconds": 1.0})})
    started = time.monotonic()
    summary = run_batch(pdfs, tmp_path / "a", cfg, jobs=1)
    assert time.monotonic() - started < 20
    assert summary.ok == 4
    assert [(f.file, f.reason) for f in summary.failed] == [("review-03.pdf", "timed out after 2.1 s")]


def test_bad_pdfs_fail_with_reasons_and_are_cached(pdfs, tmp_path, monkeypatch):
    folder = tmp_path / "pdfs"
    shutil.copytree(pdfs, folder)
    data = (folder / "review-00.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (folder / "empty.pdf").write_bytes(b"")
    cfg = _cfg(tmp_path)
    first = run_batch(folder, tmp_path / "a", cfg, jobs=2)
    reasons = {f.file: f.reason for f in first.failed}
    assert reasons["empty.pdf"].startswith("empty file")
    assert reasons["truncated.pdf"]
    tasks = _no_pdf_work(monkeypatch)
    second = run_batch(folder, tmp_path / "b", cfg, jobs=2)
    assert tasks == [] and {f.file: f.reason for f in second.failed} == reasons


def test_train_and_evaluate_read_sentences_from_the_store(pdfs, tmp_path, monkeypatch):
    cfg = _cfg(tmp_path)
    paths = sorted(pdfs.glob("*.pdf"))
    first = extract_sentences(paths, pdfs, cfg, jobs=1)
    tasks = _no_pdf_work(monkeypatch)
    second = extract_sentences(paths, pdfs, cfg, jobs=2)
    assert tasks == []
    assert first == second and all(len(s) > 5 for _, s in second.values())
    # and a run after that only scores
    work = run_batch(pdfs, tmp_path / "a", cfg).work
    assert (work["extracted"], work["split"], work["scored"]) == (0, 0, 5)


def test_store_dir_is_configurable_and_fresh_starts_afresh(pdfs, tmp_path):
    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    assert (tmp_path / "store" / "store.sqlite").is_file()
    assert run_batch(pdfs, tmp_path / "b", cfg, fresh=True).work["extracted"] == 5


def test_run_json_is_written_last_and_lists_the_outputs(pdfs, tmp_path):
    run_batch(pdfs, tmp_path / "a", _cfg(tmp_path))
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    import hashlib

    assert run["outputs"] == {n: hashlib.sha256((tmp_path / "a" / n).read_bytes()).hexdigest() for n in OUTPUTS}
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.endswith(".tmp")]


def test_a_new_run_into_the_same_folder_leaves_nothing_of_the_old_one(pdfs, tmp_path):
    from pipeline.publish import export_run

    out = tmp_path / "a"
    run_batch(pdfs, out, _cfg(tmp_path), by=["review_type"])
    export_run(out, ["xlsx"])
    (out / "my-notes.txt").write_text("the analyst's own file")
    assert (out / "prevalence_by_review_type.csv").is_file() and (out / "tables.xlsx").is_file()
    run_batch(pdfs, out, _cfg(tmp_path))  # no breakdown this time
    assert not list(out.glob("prevalence_by_*.csv")) and not (out / "tables.xlsx").exists()
    assert (out / "my-notes.txt").read_text() == "the analyst's own file"  # not an output: left alone
    run = json.loads((out / "run.json").read_text())
    assert set(run["outputs"]) <= set(batch.OUTPUT_FILES)


def test_files_that_are_not_pdfs_are_counted_and_named_not_read(pdfs, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(pdfs, folder)
    (folder / "notes.txt").write_text("an analyst's notes")
    (folder / "sub").mkdir()
    (folder / "sub" / "report.docx").write_bytes(b"PK")
    (folder / ".DS_Store").write_bytes(b"x")  # hidden: not worth a mention
    summary = run_batch(folder, tmp_path / "out", _cfg(tmp_path))
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert summary.ignored == run["ignored_files"] == ["notes.txt", "sub/report.docx"]
    assert run["counts"]["ignored_files"] == 2


def test_unreadable_stored_records_are_recomputed_not_trusted(pdfs, tmp_path):
    import sqlite3

    cfg = _cfg(tmp_path)
    run_batch(pdfs, tmp_path / "a", cfg)
    db = sqlite3.connect(tmp_path / "store" / "store.sqlite")
    db.execute("UPDATE sentence_sets SET records = ?", (b"garbage",))
    db.execute("DELETE FROM predictions")
    db.execute("UPDATE extractions SET record = ? WHERE rowid = (SELECT MIN(rowid) FROM extractions)", (b"garbage",))
    db.commit()
    db.close()
    summary = run_batch(pdfs, tmp_path / "b", cfg)
    assert summary.work["extracted"] == 1 and summary.work["scored"] == 5
    assert _outputs(tmp_path / "a") == _outputs(tmp_path / "b")
    paths = sorted(pdfs.glob("*.pdf"))
    assert extract_sentences(paths, pdfs, cfg) == extract_sentences(paths, pdfs, _cfg(tmp_path / "fresh"))


def test_a_run_that_fails_while_writing_leaves_no_half_written_file(pdfs, tmp_path, monkeypatch):
    from pipeline import export

    cfg = _cfg(tmp_path)
    out = tmp_path / "out"
    run_batch(pdfs, out, cfg)
    before = _outputs(out)
    real_fsync = os.fsync

    def disk_full_on_evidence(fd):  # the disk fills up while evidence.csv is being written
        if any(p.name.startswith(".evidence.csv.") for p in out.iterdir()):
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(export.os, "fsync", disk_full_on_evidence)
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="cannot write the output files.*No space"):
        run_batch(pdfs, out, cfg, model_dir=_tiny_model(cfg, tmp_path / "tiny"))
    assert not (out / "run.json").exists()  # the set is marked incomplete
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left behind
    after = _outputs(out)
    assert after["evidence.csv"] == before["evidence.csv"]  # the old file, whole, never a partial new one
    assert after["flags.csv"] != before["flags.csv"]  # written (whole) before the failure
